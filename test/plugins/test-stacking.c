/*
 * test-stacking.c: the reference layers stacked (issue 6): filter over
 * monitor over nonifs-reference over the base provider, installed in that
 * order into a catalog of the test's own, so the chain's order is the
 * catalog's.
 *
 * Every call and every notification goes through the stack: blocking and
 * overlapped I/O with each completion kind (event, completion routine,
 * completion port with skip-on-success), select, WSAPoll, WSAEventSelect,
 * the extension functions (AcceptEx, ConnectEx), UDP; the filter still
 * denies what its rules deny, the monitor still publishes its counters,
 * the non-IFS layer still gives SIO_BASE_HANDLE's socket. Then removing
 * one layer (ws2ctl remove, which mends the chains stacked on it) leaves
 * the others working.
 */
#include "ws2io.h"
#include "ws2plugins.h"

#include <sys/stat.h>
#include <unistd.h>

/* The port every connection of the filter's deny rule goes to. */
#define DENIED_PORT 9

static DWORD nonifs_ids[2], monitor_ids[2], filter_ids[2];
static char mon_dir[300], filter_conf[300];

/* The three layers over TCP/IPv4 and UDP/IPv4, bottom first. */
static void install_stack(void) {
  static const DWORD base[2] = {T_TCP4, T_UDP4};
  FILE *f;
  t_fresh_catalog();
  snprintf(mon_dir, sizeof(mon_dir), "%s/monitor", t_catalog_dir);
  setenv("WS2_MONITOR_DIR", mon_dir, 1);
  snprintf(filter_conf, sizeof(filter_conf), "%s/filter.conf", t_catalog_dir);
  ASSERT_NE_PTR(f = fopen(filter_conf, "w"), NULL);
  fprintf(f, "default allow\ndeny out tcp port %d\n", DENIED_PORT);
  fclose(f);
  setenv("WS2_FILTER_CONFIG", filter_conf, 1);
  t_install_plugin("nonifs-reference", 0, base, 2, nonifs_ids);
  t_install_plugin("monitor", XP1_IFS_HANDLES, nonifs_ids, 2, monitor_ids);
  t_install_plugin("filter", XP1_IFS_HANDLES, monitor_ids, 2, filter_ids);
}

static void finish(void) {
  t_cleanup();
  t_remove_catalog();
  unsetenv("WS2_MONITOR_DIR");
  unsetenv("WS2_FILTER_CONFIG");
}

/* The chain of socket s, links top first. */
static WSAPROTOCOL_INFOW chain(SOCKET s) {
  WSAPROTOCOL_INFOW w;
  int len = sizeof(w);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len), 0);
  return w;
}

static SOCKET tcp_listener(struct sockaddr_in *a) {
  SOCKET l = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  int len = sizeof(*a);
  ASSERT_NE(l, INVALID_SOCKET);
  memset(a, 0, sizeof(*a));
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(l, (struct sockaddr *)a, sizeof(*a)), 0);
  ASSERT_EQ(listen(l, 16), 0);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)a, &len), 0);
  return l;
}

static void pair(SOCKET l, const struct sockaddr_in *a, SOCKET *c, SOCKET *s) {
  *c = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(*c, INVALID_SOCKET);
  ASSERT_EQ(connect(*c, (const struct sockaddr *)a, sizeof(*a)), 0);
  *s = accept(l, NULL, NULL);
  ASSERT_NE(*s, INVALID_SOCKET);
}

static int routine_calls;
static DWORD routine_bytes;
static void CALLBACK on_done(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov,
                             DWORD flags) {
  (void)ov;
  (void)flags;
  if (err == 0) routine_bytes = bytes;
  routine_calls++;
}

TEST(stack_of_three_carries_every_call) {
  SOCKET l, c, s, u1, u2;
  struct sockaddr_in a, ua;
  WSAPROTOCOL_INFOW w;
  WSAOVERLAPPED ov;
  WSABUF b;
  char buf[64];
  DWORD got = 0, flags = 0, n = 0;
  HANDLE port;
  ULONG_PTR key;
  LPOVERLAPPED done;
  SOCKET base = INVALID_SOCKET;
  int len;
  install_stack();
  t_startup();
  l = tcp_listener(&a);
  pair(l, &a, &c, &s);

  /* The chain is the catalog's order: filter, monitor, nonifs, base. */
  w = chain(c);
  ASSERT_EQ(w.dwCatalogEntryId, filter_ids[0]);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 4);
  ASSERT_EQ(w.ProtocolChain.ChainEntries[3], T_TCP4);
  ASSERT_FALSE(w.dwServiceFlags1 & XP1_IFS_HANDLES);
  ASSERT_EQ(chain(s).dwCatalogEntryId, filter_ids[0]);

  /* Blocking calls. */
  ASSERT_EQ(send(c, "hello", 5, 0), 5);
  ASSERT_EQ(recv(s, buf, 5, MSG_WAITALL), 5);
  ASSERT_EQ(memcmp(buf, "hello", 5), 0);

  /* Overlapped with an event, pending until the peer sends. */
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  b.buf = buf;
  b.len = 3;
  if (WSARecv(c, &b, 1, &got, &flags, &ov, NULL) != 0)
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(s, "abc", 3, 0), 3);
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
  ASSERT_EQ(got, 3);
  WSACloseEvent(ov.hEvent);

  /* A completion routine, run in an alertable wait. */
  memset(&ov, 0, sizeof(ov));
  routine_calls = 0;
  flags = 0;
  if (WSARecv(c, &b, 1, NULL, &flags, &ov, on_done) != 0)
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(s, "def", 3, 0), 3);
  while (routine_calls == 0) ASSERT_EQ(SleepEx(5000, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(routine_calls, 1);
  ASSERT_EQ(routine_bytes, 3);

  /* A completion port with skip-on-success: one packet per pending
   * request, none for one that succeeded at once. */
  ASSERT_NE_PTR(port = CreateIoCompletionPort((HANDLE)c, NULL, 9, 0), NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  memset(&ov, 0, sizeof(ov));
  flags = 0;
  if (WSARecv(c, &b, 1, &got, &flags, &ov, NULL) != 0) {
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_EQ(send(s, "ghi", 3, 0), 3);
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &got, &key, &done, 5000));
    ASSERT_EQ_PTR(done, &ov);
  } else {
    FAIL("a receive with nothing sent completed at once");
  }
  ASSERT_EQ(got, 3);
  ASSERT_EQ(send(s, "jkl", 3, 0), 3);
  Sleep(20);
  memset(&ov, 0, sizeof(ov));
  flags = 0;
  if (WSARecv(c, &b, 1, &got, &flags, &ov, NULL) != 0) {
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &got, &key, &done, 5000));
  }
  ASSERT_EQ(got, 3);
  done = NULL;
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &got, &key, &done, 50));
  ASSERT_EQ_PTR(done, NULL);

  /* Readiness: select, WSAPoll, WSAEventSelect. */
  ASSERT_EQ(send(s, "x", 1, 0), 1);
  {
    fd_set rs;
    struct timeval tv = {5, 0};
    WSAPOLLFD p;
    WSAEVENT e = WSACreateEvent();
    WSANETWORKEVENTS ne;
    FD_ZERO(&rs);
    FD_SET(c, &rs);
    ASSERT_EQ(select(0, &rs, NULL, NULL, &tv), 1);
    ASSERT_TRUE(FD_ISSET(c, &rs));
    p.fd = c;
    p.events = POLLRDNORM;
    p.revents = 0;
    ASSERT_EQ(WSAPoll(&p, 1, 5000), 1);
    ASSERT_TRUE(p.revents & POLLRDNORM);
    ASSERT_EQ(WSAEventSelect(c, e, FD_READ), 0);
    ASSERT_EQ(WSAWaitForMultipleEvents(1, &e, FALSE, 5000, FALSE),
              WSA_WAIT_EVENT_0);
    ASSERT_EQ(WSAEnumNetworkEvents(c, e, &ne), 0);
    ASSERT_TRUE(ne.lNetworkEvents & FD_READ);
    ASSERT_EQ(WSAEventSelect(c, NULL, 0), 0);
    WSACloseEvent(e);
    ASSERT_EQ(recv(c, buf, 1, 0), 1);
  }

  /* The base socket, below every layer. */
  ASSERT_EQ(WSAIoctl(c, SIO_BASE_HANDLE, NULL, 0, &base, sizeof(base), &n, NULL,
                     NULL),
            0);
  ASSERT_NE(base, INVALID_SOCKET);
  ASSERT_NE(base, c); /* the non-IFS layer's handle is not the base's */

  /* The extension functions, through the pointers ws2 hands out. */
  {
    GUID ax = WSAID_ACCEPTEX, cx = WSAID_CONNECTEX;
    LPFN_ACCEPTEX acceptex = NULL;
    LPFN_CONNECTEX connectex = NULL;
    SOCKET as = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0,
                           WSA_FLAG_OVERLAPPED),
           cs = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0,
                           WSA_FLAG_OVERLAPPED);
    struct sockaddr_in any;
    WSAOVERLAPPED aov, cov;
    char abuf[2 * (sizeof(struct sockaddr_in) + 16)];
    DWORD ab = 0, cb = 0;
    ASSERT_EQ(WSAIoctl(l, SIO_GET_EXTENSION_FUNCTION_POINTER, &ax, sizeof(ax),
                       &acceptex, sizeof(acceptex), &n, NULL, NULL),
              0);
    ASSERT_EQ(WSAIoctl(cs, SIO_GET_EXTENSION_FUNCTION_POINTER, &cx, sizeof(cx),
                       &connectex, sizeof(connectex), &n, NULL, NULL),
              0);
    memset(&aov, 0, sizeof(aov));
    aov.hEvent = WSACreateEvent();
    if (!acceptex(l, as, abuf, 0, sizeof(struct sockaddr_in) + 16,
                  sizeof(struct sockaddr_in) + 16, &ab, &aov))
      ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    memset(&any, 0, sizeof(any));
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(cs, (struct sockaddr *)&any, sizeof(any)), 0);
    memset(&cov, 0, sizeof(cov));
    cov.hEvent = WSACreateEvent();
    if (!connectex(cs, (struct sockaddr *)&a, sizeof(a), "ce", 2, &cb, &cov))
      ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    ASSERT_TRUE(WSAGetOverlappedResult(cs, &cov, &cb, TRUE, &flags));
    ASSERT_TRUE(WSAGetOverlappedResult(l, &aov, &ab, TRUE, &flags));
    ASSERT_EQ(setsockopt(as, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&l,
                         sizeof(l)),
              0);
    ASSERT_EQ(recv(as, buf, 2, MSG_WAITALL), 2);
    ASSERT_EQ(memcmp(buf, "ce", 2), 0);
    WSACloseEvent(aov.hEvent);
    WSACloseEvent(cov.hEvent);
    ASSERT_EQ(closesocket(as), 0);
    ASSERT_EQ(closesocket(cs), 0);
  }

  /* UDP through the stack. */
  u1 = socket(AF_INET, SOCK_DGRAM, 0);
  u2 = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(chain(u1).dwCatalogEntryId, filter_ids[1]);
  memset(&ua, 0, sizeof(ua));
  ua.sin_family = AF_INET;
  ua.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(u2, (struct sockaddr *)&ua, sizeof(ua)), 0);
  len = sizeof(ua);
  ASSERT_EQ(getsockname(u2, (struct sockaddr *)&ua, &len), 0);
  ASSERT_EQ(sendto(u1, "dgram", 5, 0, (struct sockaddr *)&ua, sizeof(ua)), 5);
  ASSERT_EQ(recvfrom(u2, buf, sizeof(buf), 0, NULL, NULL), 5);

  /* The filter, on top, still denies. */
  {
    SOCKET d = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in da = a;
    da.sin_port = htons(DENIED_PORT);
    ASSERT_EQ(connect(d, (struct sockaddr *)&da, sizeof(da)), SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), WSAEACCES);
    ASSERT_EQ(closesocket(d), 0);
  }
  /* The monitor, in the middle, publishes this process's counters. */
  {
    char file[400];
    struct stat st;
    snprintf(file, sizeof(file), "%s/%d", mon_dir, (int)getpid());
    ASSERT_EQ(stat(file, &st), 0);
  }
  ASSERT_EQ(closesocket(u1), 0);
  ASSERT_EQ(closesocket(u2), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_TRUE(CloseHandle(port));
  finish();
}

/* ws2ctl of this build: next to the plugins' directory. */
static void ws2ctl_path(char *out, size_t size) {
  const char *d = getenv("WS2_PLUGIN_DIR");
  snprintf(out, size, "%s/../tools/ws2ctl/ws2ctl", d ? d : ".");
}

/* Removing the middle layer (ws2ctl remove mends the chains stacked on
 * it): the filter now sits right on the non-IFS layer, and both work. */
TEST(removing_a_layer_leaves_the_others_working) {
  char ctl[600], cmd[900];
  SOCKET l, c, s;
  struct sockaddr_in a;
  WSAPROTOCOL_INFOW w;
  char buf[8];
  install_stack();
  ws2ctl_path(ctl, sizeof(ctl));
  if (access(ctl, X_OK) != 0) SKIP("ws2ctl is not built next to the plugins");
  snprintf(cmd, sizeof(cmd), "'%s' remove monitor >/dev/null", ctl);
  ASSERT_EQ(system(cmd), 0);
  t_startup();
  l = tcp_listener(&a);
  pair(l, &a, &c, &s);
  w = chain(c);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 3);
  ASSERT_TRUE(IsEqualGUID(&w.ProviderId, &filter_guid));
  ASSERT_EQ(w.ProtocolChain.ChainEntries[2], T_TCP4);
  ASSERT_EQ(send(c, "ok", 2, 0), 2);
  ASSERT_EQ(recv(s, buf, 2, MSG_WAITALL), 2);
  {
    SOCKET d = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in da = a;
    da.sin_port = htons(DENIED_PORT);
    ASSERT_EQ(connect(d, (struct sockaddr *)&da, sizeof(da)), SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), WSAEACCES);
    ASSERT_EQ(closesocket(d), 0);
  }
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
  /* And the top one: the rest is the non-IFS layer alone. */
  snprintf(cmd, sizeof(cmd), "'%s' remove filter >/dev/null", ctl);
  ASSERT_EQ(system(cmd), 0);
  t_startup();
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(c, INVALID_SOCKET);
  w = chain(c);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 2);
  ASSERT_TRUE(IsEqualGUID(&w.ProviderId, &nonifs_guid));
  ASSERT_EQ(closesocket(c), 0);
  finish();
}
