/*
 * test-ifs-passthrough.c: the ifs-passthrough layer (plugins/ifs-passthrough)
 * loaded from a catalog of the test's own.
 *
 * Each case makes a catalog in a temporary directory (WS2_CATALOG), puts
 * the layer from WS2_PLUGIN_DIR over some base entries with
 * WSCInstallProviderAndChains (its chains first, WSCWriteProviderOrder),
 * and starts Winsock on it. The layer's counters are read as any program
 * reads them: getsockopt(IFSPT_SOL, IFSPT_SO_STATS) on one of its sockets.
 *
 * What is checked: TCP and UDP over IPv4 and IPv6 through the layer, the
 * sockets and connections it counts, that the data path, WSAIoctl and
 * completions never reach it (ReadFile/WriteFile, a completion port with
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, a completion routine), that
 * ConnectEx and AcceptEx connections are not counted, its refusal of a
 * catalog it cannot serve, stacking over another IFS layer, and that the
 * last WSACleanup unloads it.
 */
#include "ws2io.h"
#include "ws2plugins.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The test suite's own IFS layer (test/providers/layer.c, layer-ifs). */
static const GUID test_layer_guid = {
    0x5753324c,
    0x0001,
    0x4a00,
    {0x80, 0x00, 0x74, 0x65, 0x73, 0x74, 0x00, 0x01}};

/* The built-in base entries (docs/CATALOG.md). */
enum { TCP4 = T_TCP4, UDP4 = T_UDP4, TCP6 = T_TCP6, UDP6 = T_UDP6 };

/* The test suite's IFS layer over `over` (its chains first). */
static void install_test_layer(const DWORD *over, int nover, DWORD *chain_ids) {
  char path[512];
  const char *d = getenv("WS2_TEST_PROVIDER_DIR");
  snprintf(path, sizeof(path), "%s/layer-ifs.so", d ? d : ".");
  t_install_layer(&test_layer_guid, path, "layer-ifs", XP1_IFS_HANDLES, over,
                  nover, chain_ids);
}

/* ifs-passthrough, as an IFS layer, over `over` (its chains first). */
static void install_layer(const DWORD *over, int nover, DWORD *chain_ids) {
  t_install_plugin("ifs-passthrough", XP1_IFS_HANDLES, over, nover, chain_ids);
}

/* Whether the layer's shared object is loaded in this process. */
static int layer_loaded(void) {
  char path[512];
  void *dl;
  t_plugin_path("ifs-passthrough", path, sizeof(path));
  if (!(dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD))) return 0;
  dlclose(dl);
  return 1;
}

/* A loopback address of family af, port 0 (v4: 127.0.0.1, v6: ::1). */
static int loopback(int af, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof(*ss));
  if (af == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*a);
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr.s6_addr[15] = 1;
    return sizeof(*a);
  }
}

/* A socket of (af, type) bound to loopback; its address in *ss. */
static SOCKET bound(int af, int type, struct sockaddr_storage *ss, int *len) {
  SOCKET s = WSASocketW(af, type, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(s, INVALID_SOCKET);
  *len = loopback(af, ss);
  ASSERT_EQ(bind(s, (struct sockaddr *)ss, *len), 0);
  ASSERT_EQ(getsockname(s, (struct sockaddr *)ss, len), 0);
  return s;
}

/*
 * TCP and UDP of family af through the layer, whose chains over the TCP
 * and UDP base entries are tcp_chain and udp_chain: every socket is of
 * the layer's chain, and the layer counts what it sees: sockets,
 * connect, accept, close; not the data, not WSAIoctl.
 */
static void tcp_and_udp(int af, DWORD tcp_chain, DWORD udp_chain) {
  struct sockaddr_storage la, ua, va;
  int llen, ulen, vlen;
  SOCKET l, c, a, u, v, base = INVALID_SOCKET;
  ifspt_stats_t st0, st;
  u_long avail = 0;
  DWORD ret = 0;
  char buf[64];
  l = bound(af, SOCK_STREAM, &la, &llen);
  ASSERT_EQ(t_entry_of(l), tcp_chain);
  st0 = t_ifspt_stats(l);
  ASSERT_EQ(listen(l, 8), 0);
  c = WSASocketW(af, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(c, INVALID_SOCKET);
  ASSERT_EQ(t_entry_of(c), tcp_chain);
  ASSERT_EQ(connect(c, (struct sockaddr *)&la, llen), 0);
  a = accept(l, NULL, NULL);
  ASSERT_NE(a, INVALID_SOCKET);
  /* The accepted socket is of the listening socket's chain. */
  ASSERT_EQ(t_entry_of(a), tcp_chain);
  st = t_ifspt_stats(l);
  ASSERT_EQ(st.sockets_opened - st0.sockets_opened, 2); /* c, a */
  ASSERT_EQ(st.connects - st0.connects, 1);
  ASSERT_EQ(st.accepts - st0.accepts, 1);
  st0 = st;
  /* The data path and WSAIoctl go straight to the base provider. */
  ASSERT_EQ(send(c, "through the layer", 17, 0), 17);
  ASSERT_EQ(recv(a, buf, 17, MSG_WAITALL), 17);
  ASSERT_MEM_EQ(buf, "through the layer", 17);
  ASSERT_EQ(send(a, "back", 4, 0), 4);
  ASSERT_EQ(recv(c, buf, 4, MSG_WAITALL), 4);
  ASSERT_EQ(ioctlsocket(c, FIONREAD, &avail), 0);
  ASSERT_EQ(avail, 0);
  /* An IFS layer's handle is the base provider's own. */
  ASSERT_EQ(WSAIoctl(c, SIO_BASE_HANDLE, NULL, 0, &base, sizeof(base), &ret,
                     NULL, NULL),
            0);
  ASSERT_EQ(base, c);
  /* UDP: a socket each, a datagram each way. */
  u = bound(af, SOCK_DGRAM, &ua, &ulen);
  v = bound(af, SOCK_DGRAM, &va, &vlen);
  ASSERT_EQ(t_entry_of(u), udp_chain);
  ASSERT_EQ(sendto(u, "dgram", 5, 0, (struct sockaddr *)&va, vlen), 5);
  ASSERT_EQ(recvfrom(v, buf, sizeof(buf), 0, NULL, NULL), 5);
  ASSERT_MEM_EQ(buf, "dgram", 5);
  /* A connected UDP socket counts as a connect too. */
  ASSERT_EQ(connect(v, (struct sockaddr *)&ua, ulen), 0);
  ASSERT_EQ(send(v, "reply", 5, 0), 5);
  ASSERT_EQ(recv(u, buf, sizeof(buf), 0), 5);
  st = t_ifspt_stats(u);
  ASSERT_EQ(st.sockets_opened - st0.sockets_opened, 2);
  ASSERT_EQ(st.connects - st0.connects, 1);
  /* Only the two sockets and the connect reached the layer. */
  ASSERT_EQ(st.calls - st0.calls, 3);
  ASSERT_EQ(st.data_calls, 0);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(u), 0);
  ASSERT_EQ(closesocket(l), 0);
  st = t_ifspt_stats(v);
  ASSERT_EQ(st.sockets_closed - st0.sockets_closed, 4);
  ASSERT_EQ(st.sockets_opened - st.sockets_closed, 1); /* v */
  ASSERT_EQ(closesocket(v), 0);
}

TEST(tcp_and_udp_over_ipv4) {
  DWORD over[] = {TCP4, UDP4}, chains[2];
  t_fresh_catalog();
  install_layer(over, 2, chains);
  t_startup();
  tcp_and_udp(AF_INET, chains[0], chains[1]);
  t_cleanup();
  t_remove_catalog();
}

TEST(tcp_and_udp_over_ipv6) {
  DWORD over[] = {TCP6, UDP6}, chains[2];
  SOCKET s;
  t_fresh_catalog();
  install_layer(over, 2, chains);
  t_startup();
  /* Over IPv6 only: an IPv4 socket is the base provider's. */
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(t_entry_of(s), TCP4);
  ASSERT_EQ(closesocket(s), 0);
  tcp_and_udp(AF_INET6, chains[0], chains[1]);
  t_cleanup();
  t_remove_catalog();
}

/* A non-blocking connect counts when it starts; a refused one does not. */
TEST(connects_counted_as_started) {
  DWORD over[] = {TCP4}, chains[1];
  struct sockaddr_storage la;
  int llen;
  SOCKET l, c, a;
  u_long on = 1;
  ifspt_stats_t st0, st;
  fd_set w;
  struct timeval tv = {5, 0};
  t_fresh_catalog();
  install_layer(over, 1, chains);
  t_startup();
  l = bound(AF_INET, SOCK_STREAM, &la, &llen);
  st0 = t_ifspt_stats(l);
  /* Nothing listens yet: refused. */
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(c, (struct sockaddr *)&la, llen), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAECONNREFUSED);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(listen(l, 8), 0);
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(ioctlsocket(c, FIONBIO, &on), 0);
  if (connect(c, (struct sockaddr *)&la, llen) != 0)
    ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
  FD_ZERO(&w);
  FD_SET(c, &w);
  ASSERT_EQ(select(0, NULL, &w, NULL, &tv), 1);
  a = accept(l, NULL, NULL);
  ASSERT_NE(a, INVALID_SOCKET);
  st = t_ifspt_stats(l);
  ASSERT_EQ(st.connects - st0.connects, 1);
  ASSERT_EQ(st.accepts - st0.accepts, 1);
  ASSERT_EQ(st.sockets_opened - st0.sockets_opened, 3);
  ASSERT_EQ(st.sockets_closed - st0.sockets_closed, 1);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
  t_remove_catalog();
}

/* The private option: a buffer too small, an unknown option number; any
 * other level is the base provider's. */
TEST(counters_option) {
  DWORD over[] = {TCP4}, chains[1];
  SOCKET s;
  char small[8];
  int len = sizeof(small), type = 0;
  t_fresh_catalog();
  install_layer(over, 1, chains);
  t_startup();
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(getsockopt(s, IFSPT_SOL, IFSPT_SO_STATS, small, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  len = sizeof(small);
  ASSERT_EQ(getsockopt(s, IFSPT_SOL, 2, small, &len), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOPROTOOPT);
  len = sizeof(type);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&type, &len), 0);
  ASSERT_EQ(type, SOCK_STREAM);
  ASSERT_TRUE(t_ifspt_stats(s).sockets_opened >= 1);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
  t_remove_catalog();
}

/* A TCP pair through the layer (client c, accepted a), both overlapped. */
static void pair(SOCKET *c, SOCKET *a) {
  struct sockaddr_storage la;
  int llen;
  SOCKET l = bound(AF_INET, SOCK_STREAM, &la, &llen);
  ASSERT_EQ(listen(l, 8), 0);
  *c = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(*c, INVALID_SOCKET);
  ASSERT_EQ(connect(*c, (struct sockaddr *)&la, llen), 0);
  *a = accept(l, NULL, NULL);
  ASSERT_NE(*a, INVALID_SOCKET);
  ASSERT_EQ(closesocket(l), 0);
}

/*
 * WS2_IFS_PASSTHROUGH_SEE_DATA=1 puts the layer's wrappers in WSPSend and
 * WSPRecv: a WSASend reaches them, but WriteFile and ReadFile on the same
 * sockets do not (they are I/O on the base provider's handle), though
 * the data goes through.
 */
TEST(readfile_writefile_bypass_layer) {
  DWORD over[] = {TCP4}, chains[1], n = 0;
  SOCKET c, a;
  ifspt_stats_t st0, st;
  WSABUF b;
  char buf[32];
  t_fresh_catalog();
  install_layer(over, 1, chains);
  setenv("WS2_IFS_PASSTHROUGH_SEE_DATA", "1", 1);
  t_startup();
  unsetenv("WS2_IFS_PASSTHROUGH_SEE_DATA");
  pair(&c, &a);
  st0 = t_ifspt_stats(c);
  b.buf = "abc";
  b.len = 3;
  ASSERT_EQ(WSASend(c, &b, 1, &n, 0, NULL, NULL), 0);
  ASSERT_EQ(n, 3);
  st = t_ifspt_stats(c);
  ASSERT_EQ(st.data_calls - st0.data_calls, 1);
  ASSERT_EQ(st.data_bytes - st0.data_bytes, 3);
  st0 = st;
  /* WriteFile: the bytes arrive, the layer sees nothing. */
  ASSERT_TRUE(WriteFile((HANDLE)c, "defgh", 5, &n, NULL));
  ASSERT_EQ(n, 5);
  ASSERT_EQ(recv(a, buf, 8, MSG_WAITALL), 8); /* a wrapper call, 8 bytes */
  ASSERT_MEM_EQ(buf, "abcdefgh", 8);
  ASSERT_EQ(send(a, "ijkl", 4, 0), 4); /* and another, 4 bytes */
  st = t_ifspt_stats(c);
  ASSERT_EQ(st.data_calls - st0.data_calls, 2);
  ASSERT_EQ(st.data_bytes - st0.data_bytes, 12);
  st0 = st;
  /* ReadFile: the same. */
  ASSERT_TRUE(ReadFile((HANDLE)c, buf, 4, &n, NULL));
  ASSERT_EQ(n, 4);
  ASSERT_MEM_EQ(buf, "ijkl", 4);
  st = t_ifspt_stats(c);
  ASSERT_EQ(st.data_calls, st0.data_calls);
  ASSERT_EQ(st.data_bytes, st0.data_bytes);
  ASSERT_EQ(st.calls, st0.calls);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  t_cleanup();
  t_remove_catalog();
}

/* Waits until s has data to read. */
static void wait_readable(SOCKET s) {
  fd_set r;
  struct timeval tv = {5, 0};
  FD_ZERO(&r);
  FD_SET(s, &r);
  ASSERT_EQ(select(0, &r, NULL, NULL, &tv), 1);
}

/*
 * A completion port with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on the
 * layer's sockets (it is IFS: the port and the skip are the base
 * provider's handle's, and they work as without the layer): a request
 * that pends is one packet, with the application's key and OVERLAPPED;
 * one that succeeds at once is none. With the layer's wrappers in place,
 * the pending one reached the wrapper when it started, and its bytes
 * never did: they came through the port, past the layer.
 */
static void iocp_skip_on_success(int see_data) {
  DWORD over[] = {TCP4}, chains[1], got = 0, flags = 0;
  SOCKET c, a;
  HANDLE port;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  WSAOVERLAPPED ov, ov2;
  ifspt_stats_t st0, st;
  WSABUF b, sb;
  char buf[32];
  int i, immediate = 0;
  t_fresh_catalog();
  install_layer(over, 1, chains);
  if (see_data) setenv("WS2_IFS_PASSTHROUGH_SEE_DATA", "1", 1);
  t_startup();
  unsetenv("WS2_IFS_PASSTHROUGH_SEE_DATA");
  pair(&c, &a);
  ASSERT_EQ(t_entry_of(c), chains[0]);
  port = CreateIoCompletionPort((HANDLE)c, NULL, 7, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)a, port, 8, 0), port);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)a, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  st0 = t_ifspt_stats(c);
  b.buf = buf;
  b.len = sizeof(buf);
  for (i = 0; i < 3; i++) {
    /* Pending: one packet, the application's key and OVERLAPPED. */
    memset(&ov, 0, sizeof(ov));
    flags = 0;
    ASSERT_EQ(WSARecv(c, &b, 1, NULL, &flags, &ov, NULL), SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    memset(&ov2, 0, sizeof(ov2));
    sb.buf = "12345";
    sb.len = 5;
    /* An overlapped send that completes at once: no packet. */
    ASSERT_EQ(WSASend(a, &sb, 1, &got, 0, &ov2, NULL), 0);
    ASSERT_EQ(got, 5);
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &got, &key, &done, 5000));
    ASSERT_EQ(got, 5);
    ASSERT_EQ(key, 7);
    ASSERT_EQ_PTR(done, &ov);
    ASSERT_MEM_EQ(buf, "12345", 5);
    /* Data already there: usually success at once, and then no packet;
     * pending is a legal answer too (the case at the end of this file),
     * and then it is one packet. */
    ASSERT_EQ(send(a, "678", 3, 0), 3);
    wait_readable(c);
    flags = 0;
    got = 0;
    if (WSARecv(c, &b, 1, &got, &flags, &ov, NULL) == 0) {
      immediate++;
    } else {
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
      ASSERT_TRUE(GetQueuedCompletionStatus(port, &got, &key, &done, 5000));
      ASSERT_EQ_PTR(done, &ov);
    }
    ASSERT_EQ(got, 3);
    ASSERT_MEM_EQ(buf, "678", 3);
    ASSERT_FALSE(GetQueuedCompletionStatus(port, &got, &key, &done, 0));
    ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
  }
  st = t_ifspt_stats(c);
  if (see_data) {
    /* Per round: the pending WSARecv (0 bytes seen), the WSASend (5), the
     * send (3), the second WSARecv (3 if at once, else 0 and pending). */
    ASSERT_EQ(st.data_calls - st0.data_calls, 12);
    ASSERT_EQ(st.data_pending - st0.data_pending, 3 + (3 - immediate));
    ASSERT_EQ(st.data_bytes - st0.data_bytes, 24 + 3 * immediate);
  } else {
    ASSERT_EQ(st.calls, st0.calls); /* nothing reached the layer */
  }
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_TRUE(CloseHandle(port));
  t_cleanup();
  t_remove_catalog();
}

TEST(iocp_skip_on_success_without_the_layer) { iocp_skip_on_success(0); }

TEST(iocp_completions_bypass_data_wrappers) { iocp_skip_on_success(1); }

/* A completion routine runs in the application's thread, queued by the
 * base provider: the layer is not on its way. */
static DWORD routine_bytes;
static int routine_runs;
static void CALLBACK on_recv(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov,
                             DWORD flags) {
  (void)err;
  (void)ov;
  (void)flags;
  routine_bytes = bytes;
  routine_runs++;
}

TEST(completion_routine_bypasses_layer) {
  DWORD over[] = {TCP4}, chains[1], flags = 0;
  SOCKET c, a;
  WSAOVERLAPPED ov;
  ifspt_stats_t st0, st;
  WSABUF b;
  char buf[16];
  t_fresh_catalog();
  install_layer(over, 1, chains);
  setenv("WS2_IFS_PASSTHROUGH_SEE_DATA", "1", 1);
  t_startup();
  unsetenv("WS2_IFS_PASSTHROUGH_SEE_DATA");
  pair(&c, &a);
  st0 = t_ifspt_stats(c);
  memset(&ov, 0, sizeof(ov));
  b.buf = buf;
  b.len = sizeof(buf);
  routine_runs = 0;
  ASSERT_EQ(WSARecv(c, &b, 1, NULL, &flags, &ov, on_recv), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(a, "routine", 7, 0), 7);
  ASSERT_EQ(SleepEx(5000, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(routine_runs, 1);
  ASSERT_EQ(routine_bytes, 7);
  st = t_ifspt_stats(c);
  /* The WSARecv when it started (pending, no bytes) and the send (7
   * bytes at once); the 7 bytes the routine got never passed by. */
  ASSERT_EQ(st.data_calls - st0.data_calls, 2);
  ASSERT_EQ(st.data_pending - st0.data_pending, 1);
  ASSERT_EQ(st.data_bytes - st0.data_bytes, 7);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  t_cleanup();
  t_remove_catalog();
}

/*
 * ConnectEx and AcceptEx are the base provider's functions (the layer
 * passes WSPIoctl through, so SIO_GET_EXTENSION_FUNCTION_POINTER is
 * answered below it): the sockets they use were opened through the
 * layer and are counted, the connections they make are not.
 */
TEST(connectex_acceptex_not_counted) {
  DWORD over[] = {TCP4}, chains[1], n = 0, flags = 0;
  GUID cid = WSAID_CONNECTEX, aid = WSAID_ACCEPTEX;
  LPFN_CONNECTEX connectex = NULL;
  LPFN_ACCEPTEX acceptex = NULL;
  struct sockaddr_storage la, ca;
  int llen, clen;
  SOCKET l, c, a;
  WSAOVERLAPPED ovc, ova;
  ifspt_stats_t st0, st;
  char abuf[2 * (sizeof(struct sockaddr_in6) + 16)];
  t_fresh_catalog();
  install_layer(over, 1, chains);
  t_startup();
  l = bound(AF_INET, SOCK_STREAM, &la, &llen);
  ASSERT_EQ(listen(l, 8), 0);
  st0 = t_ifspt_stats(l);
  c = bound(AF_INET, SOCK_STREAM, &ca, &clen);
  a = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_EQ(WSAIoctl(c, SIO_GET_EXTENSION_FUNCTION_POINTER, &cid, sizeof(cid),
                     &connectex, sizeof(connectex), &n, NULL, NULL),
            0);
  ASSERT_EQ(WSAIoctl(l, SIO_GET_EXTENSION_FUNCTION_POINTER, &aid, sizeof(aid),
                     &acceptex, sizeof(acceptex), &n, NULL, NULL),
            0);
  memset(&ova, 0, sizeof(ova));
  memset(&ovc, 0, sizeof(ovc));
  ova.hEvent = WSACreateEvent();
  ovc.hEvent = WSACreateEvent();
  if (!acceptex(l, a, abuf, 0, sizeof(abuf) / 2, sizeof(abuf) / 2, &n, &ova))
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
  if (!connectex(c, (struct sockaddr *)&la, llen, NULL, 0, &n, &ovc))
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ovc, &n, TRUE, &flags));
  ASSERT_TRUE(WSAGetOverlappedResult(l, &ova, &n, TRUE, &flags));
  ASSERT_EQ(setsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&l,
                       sizeof(l)),
            0);
  ASSERT_EQ(send(c, "x", 1, 0), 1);
  ASSERT_EQ(recv(a, abuf, 1, 0), 1);
  st = t_ifspt_stats(l);
  ASSERT_EQ(st.sockets_opened - st0.sockets_opened, 2);
  ASSERT_EQ(st.connects, st0.connects);
  ASSERT_EQ(st.accepts, st0.accepts);
  WSACloseEvent(ova.hEvent);
  WSACloseEvent(ovc.hEvent);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
  t_remove_catalog();
}

/* Loaded by the first socket of its chain, unloaded by the last
 * WSACleanup (each WSPStartup had its WSPCleanup), and loaded again by
 * the next start. */
TEST(wsacleanup_unloads_layer) {
  DWORD over[] = {TCP4}, chains[1];
  WSADATA wd;
  SOCKET s;
  t_fresh_catalog();
  install_layer(over, 1, chains);
  ASSERT_FALSE(layer_loaded());
  t_startup();
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wd), 0); /* a second start */
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(t_entry_of(s), chains[0]);
  ASSERT_TRUE(layer_loaded());
  ASSERT_EQ(WSACleanup(), 0);
  ASSERT_TRUE(layer_loaded()); /* one start is left */
  ASSERT_EQ(t_ifspt_stats(s).sockets_opened - t_ifspt_stats(s).sockets_closed,
            1);
  t_cleanup();
  ASSERT_FALSE(layer_loaded());
  /* Started again from scratch: counters start over. */
  t_startup();
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_TRUE(layer_loaded());
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
  ASSERT_FALSE(layer_loaded());
  t_remove_catalog();
}

/* Over another IFS layer (the test suite's layer-ifs, over TCP/IPv4): a
 * chain of three; the layer passes up the handle the layer below passed
 * up, which is the base provider's. */
TEST(stacks_over_another_ifs_layer) {
  DWORD over[] = {TCP4}, below[1], chains[1], ret = 0;
  SOCKET c, a, base = INVALID_SOCKET;
  WSAPROTOCOL_INFOW w;
  int len = sizeof(w);
  ifspt_stats_t st;
  t_fresh_catalog();
  install_test_layer(over, 1, below);
  install_layer(below, 1, chains);
  t_startup();
  pair(&c, &a);
  ASSERT_EQ(getsockopt(c, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len), 0);
  ASSERT_EQ(w.dwCatalogEntryId, chains[0]);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 3);
  ASSERT_EQ(w.ProtocolChain.ChainEntries[2], TCP4);
  ASSERT_TRUE(w.dwServiceFlags1 & XP1_IFS_HANDLES);
  ASSERT_EQ(t_entry_of(a), chains[0]);
  st = t_ifspt_stats(c); /* loaded for this case: counted from zero */
  ASSERT_EQ(st.connects, 1);
  ASSERT_EQ(st.accepts, 1);
  ASSERT_EQ(send(c, "up", 2, 0), 2);
  ASSERT_EQ(recv(a, (char *)&ret, 2, MSG_WAITALL), 2);
  ASSERT_EQ(WSAIoctl(c, SIO_BASE_HANDLE, NULL, 0, &base, sizeof(base), &ret,
                     NULL, NULL),
            0);
  ASSERT_EQ(base, c);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  t_cleanup();
  t_remove_catalog();
}

/*
 * One WSPStartup serves all the layer's chains with one table of the
 * lower provider's functions: a catalog that puts a different provider
 * below it in two chains (here the test layer for TCP, the base provider
 * for UDP) is refused at WSPStartup, and ws2 serves the sockets from the
 * next entries, as for any layer that cannot start.
 */
TEST(mixed_lower_providers_refused) {
  DWORD over[] = {TCP4}, below[1], chains[2], mixed[2];
  SOCKET s;
  t_fresh_catalog();
  install_test_layer(over, 1, below);
  mixed[0] = below[0];
  mixed[1] = UDP4;
  install_layer(mixed, 2, chains);
  t_startup();
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(t_entry_of(s), below[0]);
  ASSERT_EQ(closesocket(s), 0);
  s = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(t_entry_of(s), UDP4);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
  t_remove_catalog();
}

/* WSPDuplicateSocket is the lower provider's: the description it writes
 * names the base entry, so the copy is a base socket, outside the layer
 * (the README's limit). */
TEST(duplicate_leaves_layer) {
  DWORD over[] = {TCP4}, chains[1];
  WSAPROTOCOL_INFOW info;
  SOCKET s, d;
  ifspt_stats_t st0;
  t_fresh_catalog();
  install_layer(over, 1, chains);
  t_startup();
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(t_entry_of(s), chains[0]);
  st0 = t_ifspt_stats(s);
  ASSERT_EQ(WSADuplicateSocketW(s, GetCurrentProcessId(), &info), 0);
  ASSERT_EQ(info.dwCatalogEntryId, TCP4);
  d = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                 &info, 0, 0);
  ASSERT_NE(d, INVALID_SOCKET);
  ASSERT_EQ(t_entry_of(d), TCP4);
  ASSERT_EQ(t_ifspt_stats(s).sockets_opened, st0.sockets_opened);
  ASSERT_EQ(closesocket(d), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
  t_remove_catalog();
}

/*
 * ws2 itself, without a layer, found while writing these tests (and fixed
 * since by "provider: a receive issued after select, WSAPoll or FIONREAD
 * saw the data completes at once"): an overlapped WSARecv issued when the
 * data is already there (select says the socket is readable, FIONREAD
 * counts it) completes at once, as AFD completes it on Windows. Before,
 * the base provider pended it when the previous receive had drained the
 * socket and its engine had not yet seen the new data (99 rounds of 100
 * with epoll): legal, but a packet and an engine round trip each for an
 * application using FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
 */
TEST(ws2_recv_with_data_ready_completes_at_once) {
  SOCKET c, a;
  int i, pended = 0;
  t_fresh_catalog();
  t_startup();
  t_tcp_pair(&c, &a);
  for (i = 0; i < 20; i++) {
    WSAOVERLAPPED ov;
    WSABUF b;
    char buf[16];
    DWORD got = 0, flags = 0;
    u_long avail = 0;
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = WSACreateEvent();
    b.buf = buf;
    b.len = sizeof(buf);
    ASSERT_EQ(send(a, "abc", 3, 0), 3);
    wait_readable(c);
    ASSERT_EQ(ioctlsocket(c, FIONREAD, &avail), 0);
    ASSERT_EQ(avail, 3);
    if (WSARecv(c, &b, 1, &got, &flags, &ov, NULL) != 0) {
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
      ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
      pended++;
    }
    ASSERT_EQ(got, 3);
    WSACloseEvent(ov.hEvent);
  }
  ASSERT_EQ(pended, 0);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  t_cleanup();
  t_remove_catalog();
}
