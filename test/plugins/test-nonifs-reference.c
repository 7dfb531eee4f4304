/*
 * test-nonifs-reference.c: the non-IFS reference layer
 * (plugins/nonifs-reference) loaded from a catalog of the test's own.
 *
 * Each case makes a catalog in a temporary directory (WS2_CATALOG), puts
 * the layer from WS2_PLUGIN_DIR over the TCP and UDP base entries of both
 * families as a non-IFS layer (WSCInstallProviderAndChains with no
 * XP1_IFS_HANDLES, its chains first), and starts Winsock on it. The
 * layer's counters are read through its private WSAIoctl code
 * (NONIFS_SIO_STATS), as any program would.
 *
 * What is checked: every call through the layer (TCP over IPv4 and IPv6,
 * UDP, overlapped with an event, a completion routine and a completion
 * port, select, WSAPoll, WSAEventSelect, WSAAsyncSelect, the extension
 * functions through the layer's own pointers, ReadFile and WriteFile,
 * WSADuplicateSocket), SIO_BASE_HANDLE and the SIO_BSP_HANDLE codes,
 * closesocket with a request in flight, and the stress test of the
 * completion rule: an IOCP program with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
 * on the layer's sockets loses and duplicates nothing, while with
 * WS2_COMPAT=kb2568167 (Windows' behaviour, on purpose) it loses
 * completions.
 */
#include "ws2io.h"
#include "ws2plugins.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The built-in base entries (docs/CATALOG.md). */
enum { TCP4 = T_TCP4, UDP4 = T_UDP4, TCP6 = T_TCP6, UDP6 = T_UDP6 };

static DWORD chains[4]; /* the layer's chains over TCP4, UDP4, TCP6, UDP6 */

/* ---- The catalog ------------------------------------------------------- */

/* A fresh catalog with the layer as a non-IFS layer over TCP and UDP of
 * both families (chains[]), and Winsock started on it. */
static void start(void) {
  static const DWORD over[4] = {TCP4, UDP4, TCP6, UDP6};
  t_fresh_catalog();
  t_install_plugin("nonifs-reference", 0, over, 4, chains);
  t_startup();
}

static void finish(void) {
  t_cleanup();
  t_remove_catalog();
}

/* ---- Helpers ----------------------------------------------------------- */

static WSAPROTOCOL_INFOW info_of(SOCKET s) {
  WSAPROTOCOL_INFOW w;
  int len = sizeof(w);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len), 0);
  return w;
}

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

/* A connected TCP pair of family af through the layer. */
static void pair_af(int af, SOCKET *c, SOCKET *a) {
  struct sockaddr_storage la;
  int llen;
  SOCKET l = bound(af, SOCK_STREAM, &la, &llen);
  ASSERT_EQ(listen(l, 64), 0);
  *c = WSASocketW(af, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(*c, INVALID_SOCKET);
  ASSERT_EQ(connect(*c, (struct sockaddr *)&la, llen), 0);
  *a = accept(l, NULL, NULL);
  ASSERT_NE(*a, INVALID_SOCKET);
  ASSERT_EQ(closesocket(l), 0);
}

static void pair(SOCKET *c, SOCKET *a) { pair_af(AF_INET, c, a); }

/* Waits (at most 5 s) until s has at least n bytes to read. */
static void wait_readable(SOCKET s, u_long n) {
  u_long avail = 0;
  int i;
  for (i = 0; i < 5000; i++) {
    ASSERT_EQ(ioctlsocket(s, FIONREAD, &avail), 0);
    if (avail >= n) return;
    Sleep(1);
  }
  FAIL("no data");
}

/* Waits (at most 2 s) until the layer has reported every request and
 * given back every handle it was closing. */
static void settle(SOCKET any, long long live) {
  int i;
  for (i = 0; i < 2000; i++) {
    nonifs_stats_t st = t_nonifs_stats(any);
    if (st.ops_in_flight == 0 && st.sockets_live == live) return;
    Sleep(1);
  }
  FAIL("the layer did not settle");
}

/* Whether s is still a socket (the layer has not given it back). */
static int is_socket(SOCKET s) {
  int type = 0, len = sizeof(type);
  if (getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&type, &len) == 0) return 1;
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  return 0;
}

/* ---- A ws2 regression first (a fresh process) -------------------------- */

/* The layer's worker thread waits on its port from WSPStartup on, before
 * the process's first socket starts the I/O engine. A thread whose wait
 * began with no engine and ended with one used to take itself off the
 * engine's list of sleepers it had never joined (src/core/thread.c), and
 * crash. The same with a thread of the test's own. */
static HANDLE early_port;
static DWORD WINAPI early_waiter(LPVOID unused) {
  DWORD n = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED ovl = NULL;
  (void)unused;
  return GetQueuedCompletionStatus(early_port, &n, &key, &ovl, 10000) &&
                 key == 42
             ? 0
             : 1;
}

TEST(a_wait_begun_before_the_first_socket) {
  HANDLE t;
  DWORD code = 1;
  SOCKET s;
  early_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_NE_PTR(early_port, NULL);
  t = CreateThread(NULL, 0, early_waiter, NULL, 0, NULL);
  ASSERT_NE_PTR(t, NULL);
  Sleep(50);
  start(); /* the layer's worker waits too, then the first socket */
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_TRUE(PostQueuedCompletionStatus(early_port, 0, 42, NULL));
  ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ(code, 0);
  ASSERT_TRUE(CloseHandle(t));
  ASSERT_TRUE(CloseHandle(early_port));
  ASSERT_EQ(closesocket(s), 0);
  finish(); /* stops the layer's worker (it was woken once the engine ran) */
}

/* ---- The handles ------------------------------------------------------- */

/* The layer's sockets are handles of its own (non-IFS), of its chain;
 * SIO_BASE_HANDLE is the base socket under them, and the SIO_BSP_HANDLE
 * codes and SIO_QUERY_TARGET_PNP_HANDLE answer the lower socket, which
 * here is that same base socket. */
TEST(handles_are_the_layers_own) {
  SOCKET c, a, base = INVALID_SOCKET, h = INVALID_SOCKET;
  WSAPROTOCOL_INFOW w;
  DWORD ret = 0;
  DWORD codes[] = {SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT, SIO_BSP_HANDLE_POLL,
                   SIO_QUERY_TARGET_PNP_HANDLE};
  nonifs_stats_t st;
  WSAOVERLAPPED ov;
  char small[4];
  int i;
  start();
  pair(&c, &a);
  w = info_of(c);
  ASSERT_EQ(w.dwCatalogEntryId, chains[0]);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 2);
  ASSERT_EQ(w.dwServiceFlags1 & XP1_IFS_HANDLES, 0);
  ASSERT_EQ(info_of(a).dwCatalogEntryId, chains[0]);
  ASSERT_EQ(WSAIoctl(c, SIO_BASE_HANDLE, NULL, 0, &base, sizeof(base), &ret,
                     NULL, NULL),
            0);
  ASSERT_NE(base, c);
  /* The base socket is the base provider's, of the TCP/IPv4 entry. */
  ASSERT_EQ(info_of(base).dwCatalogEntryId, TCP4);
  for (i = 0; i < 4; i++) {
    h = INVALID_SOCKET;
    ASSERT_EQ(WSAIoctl(c, codes[i], NULL, 0, &h, sizeof(h), &ret, NULL, NULL),
              0);
    ASSERT_EQ(ret, sizeof(SOCKET));
    /* select and WSAPoll are the layer's own (it answers with c); the
     * others lead to the socket below. */
    if (codes[i] == SIO_BSP_HANDLE_SELECT || codes[i] == SIO_BSP_HANDLE_POLL)
      ASSERT_EQ(h, c);
    else
      ASSERT_EQ(h, base);
  }
  /* Too small a buffer; SIO_BSP_HANDLE_POLL overlapped. */
  ASSERT_EQ(WSAIoctl(c, SIO_BSP_HANDLE, NULL, 0, small, sizeof(small), &ret,
                     NULL, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  memset(&ov, 0, sizeof(ov));
  ASSERT_EQ(
      WSAIoctl(c, SIO_BSP_HANDLE_POLL, NULL, 0, &h, sizeof(h), &ret, &ov, NULL),
      SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  /* Asked overlapped, SIO_BSP_HANDLE is answered at once. */
  ov.hEvent = WSACreateEvent();
  ASSERT_EQ(
      WSAIoctl(c, SIO_BSP_HANDLE, NULL, 0, &h, sizeof(h), &ret, &ov, NULL), 0);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  st = t_nonifs_stats(c);
  ASSERT_TRUE(st.sockets_opened >= 3); /* t_startup's probe, l, c, a */
  ASSERT_EQ(st.sockets_live, 2);
  ASSERT_TRUE(st.calls[E_IOCTL] >= 6);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  /* The handle is given back as soon as it is closed with nothing in
   * flight. */
  ASSERT_FALSE(is_socket(c));
  finish();
}

/* ---- Data -------------------------------------------------------------- */

static void echo(SOCKET c, SOCKET a) {
  char out[3000], in[3000];
  int i, n = 0;
  for (i = 0; i < (int)sizeof(out); i++) out[i] = (char)(i * 7);
  ASSERT_EQ(send(c, out, sizeof(out), 0), (int)sizeof(out));
  ASSERT_EQ(recv(a, in, sizeof(in), MSG_WAITALL), (int)sizeof(in));
  ASSERT_MEM_EQ(in, out, sizeof(out));
  ASSERT_EQ(send(a, in, 100, 0), 100);
  ASSERT_EQ(recv(c, out, 100, MSG_WAITALL), 100);
  ASSERT_MEM_EQ(in, out, 100);
  ASSERT_EQ(shutdown(c, SD_SEND), 0);
  while ((i = recv(a, in, sizeof(in), 0)) > 0) n += i;
  ASSERT_EQ(i, 0);
  ASSERT_EQ(n, 0);
}

TEST(tcp_echo_v4_and_v6) {
  SOCKET c, a;
  nonifs_stats_t st;
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  start();
  pair_af(AF_INET, &c, &a);
  echo(c, a);
  ASSERT_EQ(getpeername(c, (struct sockaddr *)&ss, &len), 0);
  ASSERT_EQ(ss.ss_family, AF_INET);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  pair_af(AF_INET6, &c, &a);
  ASSERT_EQ(info_of(c).dwCatalogEntryId, chains[2]);
  ASSERT_EQ(info_of(a).dwCatalogEntryId, chains[2]);
  echo(c, a);
  st = t_nonifs_stats(c);
  /* send and recv are WSASendTo and WSARecvFrom in ws2. */
  ASSERT_TRUE(st.calls[E_SENDTO] >= 4);
  ASSERT_TRUE(st.calls[E_RECVFROM] >= 6);
  ASSERT_TRUE(st.calls[E_CONNECT] >= 2);
  ASSERT_TRUE(st.calls[E_ACCEPT] >= 2);
  ASSERT_TRUE(st.calls[E_LISTEN] >= 2);
  ASSERT_TRUE(st.calls[E_BIND] >= 2);
  ASSERT_TRUE(st.calls[E_SHUTDOWN] >= 2);
  ASSERT_TRUE(st.calls[E_GETPEERNAME] >= 1);
  ASSERT_TRUE(st.calls[E_GETSOCKNAME] >= 2);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  finish();
}

/* WSARecv / WSASend with an event: pending, then done; and done at once
 * when the data is already there. */
/* Sends "late" on socket (SOCKET)arg after 50 ms. */
static DWORD WINAPI send_later(LPVOID arg) {
  Sleep(50);
  return send((SOCKET)arg, "late", 4, 0) == 4 ? 0 : 1;
}

TEST(overlapped_with_an_event) {
  SOCKET c, a;
  WSAOVERLAPPED ov;
  WSABUF b;
  DWORD got = 0, flags = 0;
  char buf[64];
  nonifs_stats_t st0, st;
  int tries;
  start();
  pair(&c, &a);
  st0 = t_nonifs_stats(c);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  b.buf = buf;
  b.len = sizeof(buf);
  ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_FALSE(WSAGetOverlappedResult(c, &ov, &got, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
  ASSERT_EQ(send(a, "event", 5, 0), 5);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, TRUE, 5000, FALSE),
            WSA_WAIT_EVENT_0);
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, FALSE, &flags));
  ASSERT_EQ(got, 5);
  ASSERT_EQ(flags, 0);
  ASSERT_MEM_EQ(buf, "event", 5);
  /* Done at once: the data is there before the call (once the base
   * provider has seen it: until then its request goes pending). */
  for (tries = 0;; tries++) {
    ASSERT_TRUE(tries < 50);
    ASSERT_EQ(send(a, "again", 5, 0), 5);
    wait_readable(c, 5);
    Sleep((DWORD)tries);
    got = 0;
    if (WSARecv(c, &b, 1, &got, &flags, &ov, NULL) == 0) break;
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
  }
  ASSERT_EQ(got, 5);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
  ASSERT_EQ(got, 5);
  /* A send, waited for with fWait. */
  b.buf = "sent";
  b.len = 4;
  if (WSASend(c, &b, 1, &got, 0, &ov, NULL) != 0)
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
  ASSERT_EQ(got, 4);
  ASSERT_EQ(recv(a, buf, 4, MSG_WAITALL), 4);
  ASSERT_MEM_EQ(buf, "sent", 4);
  st = t_nonifs_stats(c);
  ASSERT_EQ(st.by_kind[K_RECV] - st0.by_kind[K_RECV], 2 + tries);
  ASSERT_EQ(st.by_kind[K_SEND] - st0.by_kind[K_SEND], 1);
  ASSERT_TRUE(st.ops_at_once - st0.ops_at_once >= 1);
  ASSERT_TRUE(st.ops_from_port - st0.ops_from_port >= 1);
  ASSERT_EQ(st.completions - st0.completions, 3 + tries);
  ASSERT_TRUE(st.calls[E_GETOVERLAPPEDRESULT] >= 4);
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  /* No event: WSAGetOverlappedResult with fWait waits on the handle. */
  {
    HANDLE t;
    memset(&ov, 0, sizeof(ov));
    b.buf = buf;
    b.len = sizeof(buf);
    ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, NULL), SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    t = CreateThread(NULL, 0, send_later, (LPVOID)a, 0, NULL);
    ASSERT_NE_PTR(t, NULL);
    ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
    ASSERT_EQ(got, 4);
    ASSERT_MEM_EQ(buf, "late", 4);
    ASSERT_JOINED(t, 5000);
  }
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  finish();
}

/* Completion routines: the layer queues them (WPUQueueApc) to the thread
 * that made the call, which runs them in an alertable wait. */
static int routine_calls;
static DWORD routine_error, routine_bytes;
static LPWSAOVERLAPPED routine_ovl;

static void CALLBACK routine(DWORD error, DWORD bytes, LPWSAOVERLAPPED ovl,
                             DWORD flags) {
  (void)flags;
  routine_calls++;
  routine_error = error;
  routine_bytes = bytes;
  routine_ovl = ovl;
}

/* Runs the queued routines (at most 5 s for the first). */
static void alertable_wait(int want) {
  int i;
  for (i = 0; i < 500 && routine_calls < want; i++) SleepEx(10, TRUE);
  ASSERT_EQ(routine_calls, want);
}

TEST(overlapped_with_a_completion_routine) {
  SOCKET c, a;
  WSAOVERLAPPED ov;
  WSABUF b;
  DWORD got = 0, flags = 0;
  char buf[64];
  nonifs_stats_t st0, st;
  int tries;
  start();
  pair(&c, &a);
  st0 = t_nonifs_stats(c);
  memset(&ov, 0, sizeof(ov));
  b.buf = buf;
  b.len = sizeof(buf);
  routine_calls = 0;
  ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, routine), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(a, "routine", 7, 0), 7);
  alertable_wait(1);
  ASSERT_EQ(routine_error, 0);
  ASSERT_EQ(routine_bytes, 7);
  ASSERT_EQ_PTR(routine_ovl, &ov);
  ASSERT_MEM_EQ(buf, "routine", 7);
  /* WSAGetOverlappedResult reads the result the layer left in it. */
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, FALSE, &flags));
  ASSERT_EQ(got, 7);
  /* Done at once: success now, the routine at the next alertable wait
   * (and only then). */
  for (tries = 0;; tries++) {
    ASSERT_TRUE(tries < 50);
    ASSERT_EQ(send(a, "now", 3, 0), 3);
    wait_readable(c, 3);
    Sleep((DWORD)tries);
    if (WSARecv(c, &b, 1, &got, &flags, &ov, routine) == 0) break;
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    alertable_wait(2 + tries);
  }
  ASSERT_EQ(got, 3);
  ASSERT_EQ(routine_calls, 1 + tries);
  alertable_wait(2 + tries);
  ASSERT_EQ(routine_bytes, 3);
  /* A send with a routine. */
  b.buf = "back";
  b.len = 4;
  if (WSASend(c, &b, 1, &got, 0, &ov, routine) != 0)
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  alertable_wait(3 + tries);
  ASSERT_EQ(routine_bytes, 4);
  ASSERT_EQ(recv(a, buf, 4, MSG_WAITALL), 4);
  /* Nothing more comes. */
  SleepEx(20, TRUE);
  ASSERT_EQ(routine_calls, 3 + tries);
  st = t_nonifs_stats(c);
  ASSERT_EQ(st.apcs - st0.apcs, 3 + tries);
  ASSERT_EQ(st.completions - st0.completions, 0);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  finish();
}

/* A completion port, with and without skip-on-success: a pending request
 * always gets its packet; one done at once gets one only without the
 * flag. */
TEST(overlapped_with_a_completion_port) {
  SOCKET c, a;
  HANDLE port;
  WSAOVERLAPPED ov;
  WSABUF b;
  DWORD got = 0, flags = 0, n = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  SOCKET h = INVALID_SOCKET;
  char buf[64];
  int tries;
  start();
  pair(&c, &a);
  port = CreateIoCompletionPort((HANDLE)c, NULL, 11, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)a, port, 22, 0), port);
  memset(&ov, 0, sizeof(ov));
  b.buf = buf;
  b.len = sizeof(buf);
  /* Without the flag: pending, then at once; a packet each. */
  ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(a, "12345", 5, 0), 5);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
  ASSERT_EQ(n, 5);
  ASSERT_EQ(key, 11);
  ASSERT_EQ_PTR(done, &ov);
  ASSERT_EQ(send(a, "678", 3, 0), 3);
  wait_readable(c, 3);
  if (WSARecv(c, &b, 1, &got, &flags, &ov, NULL) == 0) ASSERT_EQ(got, 3);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
  ASSERT_EQ(n, 3);
  ASSERT_EQ_PTR(done, &ov);
  /* With the flag: the pending one still gets its packet, the one done at
   * once none. */
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(a, "abcdef", 6, 0), 6);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
  ASSERT_EQ(n, 6);
  ASSERT_EQ_PTR(done, &ov);
  for (tries = 0;; tries++) {
    ASSERT_TRUE(tries < 50);
    ASSERT_EQ(send(a, "gh", 2, 0), 2);
    wait_readable(c, 2);
    Sleep((DWORD)tries);
    if (WSARecv(c, &b, 1, &got, &flags, &ov, NULL) == 0) break;
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
    ASSERT_EQ_PTR(done, &ov);
  }
  ASSERT_EQ(got, 2);
  /* An ioctl the layer answers itself, overlapped: done at once. */
  ASSERT_EQ(
      WSAIoctl(c, SIO_BSP_HANDLE, NULL, 0, &h, sizeof(h), &got, &ov, NULL), 0);
  /* A send from the other side (no flag there): its packet. */
  b.buf = "x";
  b.len = 1;
  if (WSASend(a, &b, 1, &got, 0, &ov, NULL) != 0)
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
  ASSERT_EQ(key, 22);
  ASSERT_EQ(n, 1);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &done, 50));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_TRUE(CloseHandle(port));
  finish();
}

/* UDP over both families: sendto / recvfrom, blocking and overlapped. */
static void udp(int af, DWORD chain) {
  struct sockaddr_storage ua, va, from;
  int ulen, vlen, flen = sizeof(from);
  SOCKET u, v;
  WSAOVERLAPPED ov;
  WSABUF b;
  DWORD got = 0, flags = 0;
  char buf[64];
  u = bound(af, SOCK_DGRAM, &ua, &ulen);
  v = bound(af, SOCK_DGRAM, &va, &vlen);
  ASSERT_EQ(info_of(u).dwCatalogEntryId, chain);
  ASSERT_EQ(sendto(u, "dgram", 5, 0, (struct sockaddr *)&va, vlen), 5);
  ASSERT_EQ(recvfrom(v, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen),
            5);
  ASSERT_MEM_EQ(buf, "dgram", 5);
  ASSERT_EQ(flen, ulen);
  ASSERT_MEM_EQ(&from, &ua, (size_t)ulen);
  /* Overlapped: the source address is written at completion. */
  memset(&ov, 0, sizeof(ov));
  memset(&from, 0, sizeof(from));
  ov.hEvent = WSACreateEvent();
  flen = sizeof(from);
  b.buf = buf;
  b.len = sizeof(buf);
  ASSERT_EQ(WSARecvFrom(v, &b, 1, &got, &flags, (struct sockaddr *)&from, &flen,
                        &ov, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  {
    WSAOVERLAPPED so;
    WSABUF sb;
    memset(&so, 0, sizeof(so));
    so.hEvent = WSACreateEvent();
    sb.buf = "overlapped";
    sb.len = 10;
    if (WSASendTo(u, &sb, 1, &got, 0, (struct sockaddr *)&va, vlen, &so,
                  NULL) != 0)
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_TRUE(WSAGetOverlappedResult(u, &so, &got, TRUE, &flags));
    ASSERT_EQ(got, 10);
    ASSERT_TRUE(WSACloseEvent(so.hEvent));
  }
  ASSERT_TRUE(WSAGetOverlappedResult(v, &ov, &got, TRUE, &flags));
  ASSERT_EQ(got, 10);
  ASSERT_MEM_EQ(buf, "overlapped", 10);
  ASSERT_EQ(flen, ulen);
  ASSERT_MEM_EQ(&from, &ua, (size_t)ulen);
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  ASSERT_EQ(closesocket(u), 0);
  ASSERT_EQ(closesocket(v), 0);
}

TEST(udp_sendto_recvfrom) {
  SOCKET s;
  nonifs_stats_t st;
  start();
  udp(AF_INET, chains[1]);
  udp(AF_INET6, chains[3]);
  s = socket(AF_INET, SOCK_DGRAM, 0);
  st = t_nonifs_stats(s);
  ASSERT_EQ(st.by_kind[K_SENDTO], 2);
  ASSERT_EQ(st.by_kind[K_RECVFROM], 2);
  ASSERT_TRUE(st.calls[E_SENDTO] >= 4);
  ASSERT_TRUE(st.calls[E_RECVFROM] >= 4);
  ASSERT_EQ(closesocket(s), 0);
  finish();
}

/* ---- Readiness --------------------------------------------------------- */

/* select (the layer's WSPSelect maps the sets both ways, a socket not of
 * the layer included), WSAPoll (the layer's SIO_EXT_POLL, which ws2 calls
 * because SIO_BSP_HANDLE_POLL names the layer's own handle) and
 * WSAEventSelect. */
TEST(select_poll_and_event_select) {
  SOCKET c, a, plain;
  WSAPROTOCOL_INFOW *all, base_entry;
  fd_set r, w;
  struct timeval tv = {0, 0}, five = {5, 0};
  WSAPOLLFD fds[3];
  WSAEVENT ev;
  WSANETWORKEVENTS ne;
  nonifs_stats_t st0, st;
  int n, i;
  char buf[16];
  start();
  pair(&c, &a);
  st0 = t_nonifs_stats(c);
  all = t_catalog_entries(&n);
  for (i = 0; i < n; i++)
    if (all[i].dwCatalogEntryId == TCP4) base_entry = all[i];
  free(all);
  /* A socket of the base provider itself, listening: not readable. */
  plain = WSASocketW(AF_INET, SOCK_STREAM, 0, &base_entry, 0, 0);
  ASSERT_NE(plain, INVALID_SOCKET);
  {
    struct sockaddr_storage pa;
    int plen = loopback(AF_INET, &pa);
    ASSERT_EQ(bind(plain, (struct sockaddr *)&pa, plen), 0);
    ASSERT_EQ(listen(plain, 1), 0);
  }
  /* Nothing to read yet; writable. */
  FD_ZERO(&r);
  FD_SET(c, &r);
  FD_SET(a, &r);
  ASSERT_EQ(select(0, &r, NULL, NULL, &tv), 0);
  ASSERT_EQ(send(a, "sel", 3, 0), 3);
  FD_ZERO(&r);
  FD_SET(c, &r);
  FD_SET(plain, &r);
  FD_ZERO(&w);
  FD_SET(a, &w);
  ASSERT_EQ(select(0, &r, &w, NULL, &five), 2);
  ASSERT_EQ(r.fd_count, 1);
  ASSERT_EQ(r.fd_array[0], c);
  ASSERT_EQ(w.fd_count, 1);
  ASSERT_EQ(w.fd_array[0], a);
  /* WSAPoll on the layer's handles. */
  fds[0].fd = c;
  fds[0].events = POLLRDNORM;
  fds[0].revents = 0;
  fds[1].fd = a;
  fds[1].events = POLLRDNORM | POLLWRNORM;
  fds[1].revents = 0;
  fds[2].fd = plain; /* not the layer's: the layer passes it down */
  fds[2].events = POLLRDNORM;
  fds[2].revents = POLLHUP; /* an output only: cleared */
  ASSERT_EQ(WSAPoll(fds, 3, 5000), 2);
  ASSERT_EQ(fds[0].revents, POLLRDNORM);
  ASSERT_EQ(fds[1].revents, POLLWRNORM);
  ASSERT_EQ(fds[2].revents, 0);
  ASSERT_EQ(recv(c, buf, 3, MSG_WAITALL), 3);
  ASSERT_EQ(WSAPoll(fds, 1, 0), 0);
  ASSERT_EQ(fds[0].revents, 0);
  /* WSAEventSelect: the application's event, set by the socket below. */
  ev = WSACreateEvent();
  ASSERT_EQ(WSAEventSelect(c, ev, FD_READ | FD_CLOSE), 0);
  ASSERT_EQ(send(a, "ev", 2, 0), 2);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ev, TRUE, 5000, FALSE),
            WSA_WAIT_EVENT_0);
  ASSERT_EQ(WSAEnumNetworkEvents(c, ev, &ne), 0);
  ASSERT_TRUE(ne.lNetworkEvents & FD_READ);
  ASSERT_EQ(ne.iErrorCode[FD_READ_BIT], 0);
  ASSERT_EQ(recv(c, buf, 2, 0), 2);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ev, TRUE, 5000, FALSE),
            WSA_WAIT_EVENT_0);
  ASSERT_EQ(WSAEnumNetworkEvents(c, ev, &ne), 0);
  ASSERT_TRUE(ne.lNetworkEvents & FD_CLOSE);
  ASSERT_EQ(WSAEventSelect(c, NULL, 0), 0);
  ASSERT_TRUE(WSACloseEvent(ev));
  st = t_nonifs_stats(c);
  ASSERT_EQ(st.calls[E_SELECT] - st0.calls[E_SELECT], 2);
  ASSERT_TRUE(st.calls[E_EVENTSELECT] - st0.calls[E_EVENTSELECT] >= 2);
  ASSERT_TRUE(st.calls[E_ENUMNETWORKEVENTS] >= 2);
  /* select and WSAPoll asked the layer which handle to use
   * (SIO_BSP_HANDLE_SELECT, SIO_BSP_HANDLE_POLL: 4 + 3), and WSAPoll
   * came to it (SIO_EXT_POLL: 2). */
  ASSERT_TRUE(st.calls[E_IOCTL] - st0.calls[E_IOCTL] >= 9);
  ASSERT_EQ(closesocket(plain), 0);
  ASSERT_EQ(closesocket(c), 0);
  finish();
}

/* With WS2_NONIFS_READINESS=below the layer names the sockets below for
 * select and WSAPoll, as Microsoft's sample does for select: ws2 then
 * takes every socket of the sets down its chain and waits in the base
 * provider, the layer's sockets and the base provider's own mixed, and
 * neither the layer's WSPSelect nor its SIO_EXT_POLL is called. */
TEST(select_and_poll_past_the_layer) {
  SOCKET c, a, plain;
  fd_set r, w, x;
  struct timeval tv = {0, 0}, five = {5, 0};
  WSAPOLLFD fds[3];
  nonifs_stats_t st0, st;
  char buf[8];
  int n, i;
  start();
  ASSERT_EQ(setenv("WS2_NONIFS_READINESS", "below", 1), 0);
  pair(&c, &a);
  {
    /* A socket of the base provider's own UDP/IPv4 entry. */
    WSAPROTOCOL_INFOW *all = t_catalog_entries(&n), base_entry;
    for (i = 0; i < n; i++)
      if (all[i].dwCatalogEntryId == UDP4) base_entry = all[i];
    free(all);
    plain = WSASocketW(AF_INET, SOCK_DGRAM, 0, &base_entry, 0, 0);
    ASSERT_NE(plain, INVALID_SOCKET);
  }
  ASSERT_TRUE(info_of(plain).dwServiceFlags1 & XP1_IFS_HANDLES);
  {
    struct sockaddr_storage pa;
    int plen = loopback(AF_INET, &pa);
    ASSERT_EQ(bind(plain, (struct sockaddr *)&pa, plen), 0);
  }
  st0 = t_nonifs_stats(c);
  /* The base socket first, then the layer's: each maps back. */
  FD_ZERO(&r);
  FD_SET(plain, &r);
  FD_SET(c, &r);
  FD_ZERO(&x);
  FD_SET(c, &x);
  ASSERT_EQ(select(0, &r, NULL, &x, &tv), 0);
  ASSERT_EQ(r.fd_count, 0);
  ASSERT_EQ(send(a, "past", 4, 0), 4);
  FD_ZERO(&r);
  FD_SET(plain, &r);
  FD_SET(c, &r);
  FD_ZERO(&w);
  FD_SET(plain, &w);
  FD_SET(a, &w);
  ASSERT_EQ(select(0, &r, &w, NULL, &five), 3);
  ASSERT_EQ(r.fd_count, 1);
  ASSERT_EQ(r.fd_array[0], c);
  ASSERT_EQ(w.fd_count, 2);
  ASSERT_EQ(w.fd_array[0], plain);
  ASSERT_EQ(w.fd_array[1], a);
  fds[0].fd = plain;
  fds[0].events = POLLRDNORM;
  fds[1].fd = c;
  fds[1].events = POLLRDNORM;
  fds[2].fd = a;
  fds[2].events = POLLWRNORM;
  ASSERT_EQ(WSAPoll(fds, 3, 5000), 2);
  ASSERT_EQ(fds[0].revents, 0);
  ASSERT_EQ(fds[1].revents, POLLRDNORM);
  ASSERT_EQ(fds[2].revents, POLLWRNORM);
  ASSERT_EQ(recv(c, buf, 4, MSG_WAITALL), 4);
  st = t_nonifs_stats(c);
  ASSERT_EQ(st.calls[E_SELECT], st0.calls[E_SELECT]);
  /* A closed socket in a set: WSAENOTSOCK, the sets left as they were. */
  ASSERT_EQ(closesocket(a), 0);
  FD_ZERO(&r);
  FD_SET(c, &r);
  FD_SET(a, &r);
  ASSERT_EQ(select(0, &r, NULL, NULL, &tv), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  ASSERT_EQ(r.fd_count, 2);
  ASSERT_EQ(unsetenv("WS2_NONIFS_READINESS"), 0);
  ASSERT_EQ(closesocket(plain), 0);
  ASSERT_EQ(closesocket(c), 0);
  finish();
}

/* WSAAsyncSelect: the messages come with the application's socket in
 * wParam, not the lower one. */
TEST(async_select_names_the_application_socket) {
  static const WCHAR cls[] = {'n', 'f', 't', 'e', 's', 't', 0};
  WNDCLASSW wc;
  HWND hwnd;
  SOCKET c, a;
  MSG m;
  int got = 0, i;
  char buf[8];
  start();
  pair(&c, &a);
  memset(&wc, 0, sizeof(wc));
  wc.lpfnWndProc = DefWindowProcW;
  wc.lpszClassName = cls;
  ASSERT_NE(RegisterClassW(&wc), 0);
  hwnd = CreateWindowExW(0, cls, cls, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, NULL,
                         NULL);
  ASSERT_NE_PTR(hwnd, NULL);
  ASSERT_EQ(WSAAsyncSelect(c, hwnd, WM_USER + 7, FD_READ), 0);
  ASSERT_EQ(send(a, "msg", 3, 0), 3);
  for (i = 0; i < 500 && !got; i++) {
    while (PeekMessageW(&m, hwnd, 0, 0, PM_REMOVE)) {
      if (m.message != WM_USER + 7) continue;
      ASSERT_EQ((SOCKET)m.wParam, c);
      ASSERT_EQ(WSAGETSELECTEVENT(m.lParam), FD_READ);
      ASSERT_EQ(WSAGETSELECTERROR(m.lParam), 0);
      got = 1;
    }
    if (!got) Sleep(10);
  }
  ASSERT_TRUE(got);
  ASSERT_EQ(recv(c, buf, 3, 0), 3);
  ASSERT_EQ(WSAAsyncSelect(c, hwnd, 0, 0), 0);
  ASSERT_TRUE(t_nonifs_stats(c).calls[E_ASYNCSELECT] >= 2);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_TRUE(DestroyWindow(hwnd));
  ASSERT_TRUE(UnregisterClassW(cls, NULL));
  finish();
}

/* ---- Extension functions ----------------------------------------------- */

static void *extension(SOCKET s, GUID id) {
  void *fn = NULL;
  DWORD n = 0;
  ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                     &fn, sizeof(fn), &n, NULL, NULL),
            0);
  ASSERT_NE_PTR(fn, NULL);
  return fn;
}

/* Waits for an overlapped request of an extension function: TRUE (done
 * at once) or FALSE with ERROR_IO_PENDING, then its result. */
static DWORD ext_wait(SOCKET s, BOOL ok, WSAOVERLAPPED *ov) {
  DWORD n = 0, flags = 0;
  if (!ok) ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
  ASSERT_TRUE(WSAGetOverlappedResult(s, ov, &n, TRUE, &flags));
  return n;
}

TEST(extension_functions_through_the_layer) {
  static const GUID g_acceptex = WSAID_ACCEPTEX,
                    g_sockaddrs = WSAID_GETACCEPTEXSOCKADDRS,
                    g_connectex = WSAID_CONNECTEX,
                    g_disconnectex = WSAID_DISCONNECTEX,
                    g_transmitfile = WSAID_TRANSMITFILE,
                    g_transmitpackets = WSAID_TRANSMITPACKETS,
                    g_recvmsg = WSAID_WSARECVMSG, g_sendmsg = WSAID_WSASENDMSG;
  LPFN_ACCEPTEX acceptex;
  LPFN_GETACCEPTEXSOCKADDRS sockaddrs;
  LPFN_CONNECTEX connectex;
  LPFN_DISCONNECTEX disconnectex;
  LPFN_TRANSMITFILE transmitfile;
  LPFN_TRANSMITPACKETS transmitpackets;
  LPFN_WSARECVMSG recvmsg_fn;
  LPFN_WSASENDMSG sendmsg_fn;
  struct sockaddr_storage la, ua, va, any;
  struct sockaddr *lo, *re;
  int llen, ulen, vlen, alen, lolen = 0, relen = 0, fd;
  SOCKET l, as, c, c2, a2, u, v;
  WSAOVERLAPPED ov;
  char out[256], buf[256], file[300];
  TRANSMIT_FILE_BUFFERS tfb;
  TRANSMIT_PACKETS_ELEMENT el[2];
  WSAMSG msg;
  WSABUF wb;
  DWORD n = 0, bad = 0;
  HANDLE hf;
  GUID unknown = {1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}};
  void *fn = NULL;
  nonifs_stats_t st;
  start();
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  l = bound(AF_INET, SOCK_STREAM, &la, &llen);
  ASSERT_EQ(listen(l, 8), 0);
  acceptex = (LPFN_ACCEPTEX)extension(l, g_acceptex);
  sockaddrs = (LPFN_GETACCEPTEXSOCKADDRS)extension(l, g_sockaddrs);
  connectex = (LPFN_CONNECTEX)extension(l, g_connectex);
  disconnectex = (LPFN_DISCONNECTEX)extension(l, g_disconnectex);
  transmitfile = (LPFN_TRANSMITFILE)extension(l, g_transmitfile);
  transmitpackets = (LPFN_TRANSMITPACKETS)extension(l, g_transmitpackets);
  /* A GUID the layer does not know. */
  ASSERT_EQ(WSAIoctl(l, SIO_GET_EXTENSION_FUNCTION_POINTER, &unknown,
                     sizeof(unknown), &fn, sizeof(fn), &bad, NULL, NULL),
            SOCKET_ERROR);

  /* AcceptEx, with the first data; the accept socket is the layer's. */
  as = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(as, INVALID_SOCKET);
  ASSERT_FALSE(acceptex(l, as, out, 5, sizeof(struct sockaddr_in) + 16,
                        sizeof(struct sockaddr_in) + 16, &n, &ov));
  ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
  c = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_EQ(connect(c, (struct sockaddr *)&la, llen), 0);
  ASSERT_EQ(send(c, "hello", 5, 0), 5);
  ASSERT_TRUE(WSAGetOverlappedResult(l, &ov, &n, TRUE, &bad));
  ASSERT_EQ(n, 5);
  ASSERT_MEM_EQ(out, "hello", 5);
  sockaddrs(out, 5, sizeof(struct sockaddr_in) + 16,
            sizeof(struct sockaddr_in) + 16, &lo, &lolen, &re, &relen);
  ASSERT_EQ(lolen, (int)sizeof(struct sockaddr_in));
  {
    struct sockaddr_in local; /* (the slot is not aligned) */
    memcpy(&local, lo, sizeof(local));
    ASSERT_EQ(local.sin_port, ((struct sockaddr_in *)&la)->sin_port);
  }
  ASSERT_EQ(setsockopt(as, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&l,
                       sizeof(l)),
            0);
  alen = sizeof(any);
  ASSERT_EQ(getpeername(as, (struct sockaddr *)&any, &alen), 0);
  ASSERT_EQ(info_of(as).dwCatalogEntryId, chains[0]);
  ASSERT_EQ(send(as, "accepted", 8, 0), 8);
  ASSERT_EQ(recv(c, buf, 8, MSG_WAITALL), 8);
  ASSERT_MEM_EQ(buf, "accepted", 8);

  /* ConnectEx with data, then SO_UPDATE_CONNECT_CONTEXT. */
  c2 = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  alen = loopback(AF_INET, &any);
  ASSERT_EQ(bind(c2, (struct sockaddr *)&any, alen), 0);
  n = ext_wait(
      c2, connectex(c2, (struct sockaddr *)&la, llen, "abc", 3, &n, &ov), &ov);
  ASSERT_EQ(n, 3);
  ASSERT_EQ(setsockopt(c2, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0), 0);
  a2 = accept(l, NULL, NULL);
  ASSERT_NE(a2, INVALID_SOCKET);
  ASSERT_EQ(recv(a2, buf, 3, MSG_WAITALL), 3);
  ASSERT_MEM_EQ(buf, "abc", 3);

  /* TransmitFile: a head, a file, a tail. */
  snprintf(file, sizeof(file), "%s/transmit", t_catalog_dir);
  fd = open(file, O_CREAT | O_WRONLY | O_TRUNC, 0600);
  ASSERT_TRUE(fd >= 0);
  ASSERT_EQ(write(fd, "file-data", 9), 9);
  close(fd);
  hf = CreateFileA(file, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                   FILE_FLAG_OVERLAPPED, NULL);
  ASSERT_NE_PTR(hf, INVALID_HANDLE_VALUE);
  tfb.Head = "<";
  tfb.HeadLength = 1;
  tfb.Tail = ">";
  tfb.TailLength = 1;
  n = ext_wait(c2, transmitfile(c2, hf, 0, 0, &ov, &tfb, 0), &ov);
  ASSERT_EQ(n, 11);
  ASSERT_EQ(recv(a2, buf, 11, MSG_WAITALL), 11);
  ASSERT_MEM_EQ(buf, "<file-data>", 11);
  ASSERT_TRUE(CloseHandle(hf));

  /* TransmitPackets: two buffers. */
  memset(el, 0, sizeof(el));
  el[0].dwElFlags = TP_ELEMENT_MEMORY;
  el[0].cLength = 3;
  el[0].pBuffer = "one";
  el[1].dwElFlags = TP_ELEMENT_MEMORY;
  el[1].cLength = 3;
  el[1].pBuffer = "two";
  n = ext_wait(c2, transmitpackets(c2, el, 2, 0, &ov, 0), &ov);
  ASSERT_EQ(n, 6);
  ASSERT_EQ(recv(a2, buf, 6, MSG_WAITALL), 6);
  ASSERT_MEM_EQ(buf, "onetwo", 6);

  /* DisconnectEx: the peer sees the end. */
  ext_wait(c2, disconnectex(c2, &ov, 0, 0), &ov);
  ASSERT_EQ(recv(a2, buf, sizeof(buf), 0), 0);

  /* WSASendMsg / WSARecvMsg over UDP. */
  u = bound(AF_INET, SOCK_DGRAM, &ua, &ulen);
  v = bound(AF_INET, SOCK_DGRAM, &va, &vlen);
  recvmsg_fn = (LPFN_WSARECVMSG)extension(v, g_recvmsg);
  sendmsg_fn = (LPFN_WSASENDMSG)extension(u, g_sendmsg);
  memset(&msg, 0, sizeof(msg));
  memset(&any, 0, sizeof(any));
  wb.buf = buf;
  wb.len = sizeof(buf);
  msg.name = (struct sockaddr *)&any;
  msg.namelen = sizeof(any);
  msg.lpBuffers = &wb;
  msg.dwBufferCount = 1;
  ASSERT_EQ(recvmsg_fn(v, &msg, &n, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  {
    WSAMSG sm;
    WSABUF sb;
    WSAOVERLAPPED so;
    memset(&sm, 0, sizeof(sm));
    memset(&so, 0, sizeof(so));
    so.hEvent = WSACreateEvent();
    sb.buf = "message";
    sb.len = 7;
    sm.name = (struct sockaddr *)&va;
    sm.namelen = vlen;
    sm.lpBuffers = &sb;
    sm.dwBufferCount = 1;
    if (sendmsg_fn(u, &sm, 0, &n, &so, NULL) != 0)
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_TRUE(WSAGetOverlappedResult(u, &so, &n, TRUE, &bad));
    ASSERT_EQ(n, 7);
    ASSERT_TRUE(WSACloseEvent(so.hEvent));
    /* And WSASendMsg, ws2's own export, comes here too. */
    ASSERT_EQ(WSASendMsg(u, &sm, 0, &n, NULL, NULL), 0);
    ASSERT_EQ(n, 7);
  }
  ASSERT_TRUE(WSAGetOverlappedResult(v, &ov, &n, TRUE, &bad));
  ASSERT_EQ(n, 7);
  ASSERT_MEM_EQ(buf, "message", 7);
  ASSERT_EQ(msg.namelen, ulen);
  ASSERT_MEM_EQ(&any, &ua, (size_t)ulen);

  st = t_nonifs_stats(l);
  ASSERT_EQ(st.by_kind[K_ACCEPTEX], 1);
  ASSERT_EQ(st.by_kind[K_CONNECTEX], 1);
  ASSERT_EQ(st.by_kind[K_TRANSMITFILE], 1);
  ASSERT_EQ(st.by_kind[K_TRANSMITPACKETS], 1);
  ASSERT_EQ(st.by_kind[K_DISCONNECTEX], 1);
  ASSERT_EQ(st.by_kind[K_WSARECVMSG], 1);
  ASSERT_EQ(st.by_kind[K_WSASENDMSG], 1);
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  ASSERT_EQ(closesocket(u), 0);
  ASSERT_EQ(closesocket(v), 0);
  ASSERT_EQ(closesocket(a2), 0);
  ASSERT_EQ(closesocket(c2), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(as), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

/* The extension functions follow the completion rule too: on a handle
 * with skip-on-success, one done at once (TRUE) gets no packet, a pending
 * one exactly one. */
TEST(extension_functions_and_skip_on_success) {
  static const GUID g_tp = WSAID_TRANSMITPACKETS, g_sm = WSAID_WSASENDMSG;
  LPFN_TRANSMITPACKETS tp;
  LPFN_WSASENDMSG sm;
  SOCKET c, a;
  HANDLE port;
  WSAOVERLAPPED ov;
  TRANSMIT_PACKETS_ELEMENT el;
  DWORD n = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  int i, at_once = 0, pending = 0;
  char buf[16];
  start();
  pair(&c, &a);
  tp = (LPFN_TRANSMITPACKETS)extension(c, g_tp);
  sm = (LPFN_WSASENDMSG)extension(c, g_sm);
  port = CreateIoCompletionPort((HANDLE)c, NULL, 9, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  memset(&el, 0, sizeof(el));
  el.dwElFlags = TP_ELEMENT_MEMORY;
  el.cLength = 4;
  el.pBuffer = "tp!!";
  for (i = 0; i < 40; i++) {
    WSAMSG m;
    WSABUF b;
    int r;
    memset(&ov, 0, sizeof(ov));
    if (i % 2 == 0) {
      r = tp(c, &el, 1, 0, &ov, 0) ? 0 : SOCKET_ERROR;
    } else {
      memset(&m, 0, sizeof(m));
      b.buf = "sm!!";
      b.len = 4;
      m.lpBuffers = &b;
      m.dwBufferCount = 1;
      r = sm(c, &m, 0, &n, &ov, NULL);
    }
    if (r == 0) {
      at_once++;
      ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &done, 0));
    } else {
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
      pending++;
      ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
      ASSERT_EQ_PTR(done, &ov);
      ASSERT_EQ(n, 4);
    }
    ASSERT_EQ(recv(a, buf, 4, MSG_WAITALL), 4);
  }
  /* Nothing left over. */
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &done, 50));
  ASSERT_TRUE(at_once > 0);
  fprintf(stderr, "# extension functions: %d done at once, %d pending\n",
          at_once, pending);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_TRUE(CloseHandle(port));
  finish();
}

/* ---- ReadFile and WriteFile -------------------------------------------- */

/* ReadFile and WriteFile on the layer's handles are redirected by ws2 to
 * the layer's WSPRecv and WSPSend: blocking, with an event, and through a
 * completion port. */
TEST(readfile_writefile_reach_the_layer) {
  SOCKET c, a;
  DWORD n = 0;
  OVERLAPPED ov;
  HANDLE port;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  nonifs_stats_t st0, st;
  char buf[32];
  start();
  pair(&c, &a);
  st0 = t_nonifs_stats(c);
  ASSERT_TRUE(WriteFile((HANDLE)c, "written", 7, &n, NULL));
  ASSERT_EQ(n, 7);
  ASSERT_EQ(recv(a, buf, 7, MSG_WAITALL), 7);
  ASSERT_MEM_EQ(buf, "written", 7);
  ASSERT_EQ(send(a, "read", 4, 0), 4);
  ASSERT_TRUE(ReadFile((HANDLE)c, buf, 4, &n, NULL));
  ASSERT_EQ(n, 4);
  ASSERT_MEM_EQ(buf, "read", 4);
  /* Overlapped, with an event: pending, then GetOverlappedResult. */
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  ASSERT_FALSE(ReadFile((HANDLE)c, buf, sizeof(buf), &n, &ov));
  ASSERT_EQ(GetLastError(), ERROR_IO_PENDING);
  ASSERT_EQ(send(a, "later", 5, 0), 5);
  ASSERT_TRUE(GetOverlappedResult((HANDLE)c, &ov, &n, TRUE));
  ASSERT_EQ(n, 5);
  ASSERT_MEM_EQ(buf, "later", 5);
  ASSERT_TRUE(CloseHandle(ov.hEvent));
  /* Through a completion port. */
  port = CreateIoCompletionPort((HANDLE)c, NULL, 5, 0);
  ASSERT_NE_PTR(port, NULL);
  memset(&ov, 0, sizeof(ov));
  if (!WriteFile((HANDLE)c, "port", 4, &n, &ov))
    ASSERT_EQ(GetLastError(), ERROR_IO_PENDING);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
  ASSERT_EQ(n, 4);
  ASSERT_EQ(key, 5);
  ASSERT_EQ_PTR(done, &ov);
  ASSERT_EQ(recv(a, buf, 4, MSG_WAITALL), 4);
  ASSERT_MEM_EQ(buf, "port", 4);
  st = t_nonifs_stats(c);
  ASSERT_EQ(st.calls[E_SEND] - st0.calls[E_SEND], 2);
  ASSERT_EQ(st.calls[E_RECV] - st0.calls[E_RECV], 2);
  ASSERT_EQ(st.by_kind[K_SEND] - st0.by_kind[K_SEND], 1);
  ASSERT_EQ(st.by_kind[K_RECV] - st0.by_kind[K_RECV], 1);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_TRUE(CloseHandle(port));
  finish();
}

/* ---- closesocket with requests in flight -------------------------------- */

/* The pending request completes, aborted, exactly once; the handle lives
 * until then, and is gone after. Through a port, an event and a
 * completion routine. */
TEST(closesocket_with_a_pending_recv) {
  SOCKET c, a, probe;
  HANDLE port;
  WSAOVERLAPPED ov;
  WSABUF b;
  DWORD got = 0, flags = 0, n = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  char buf[16];
  nonifs_stats_t st0, st;
  start();
  probe = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_NE(probe, INVALID_SOCKET);
  /* A port. */
  pair(&c, &a);
  st0 = t_nonifs_stats(c);
  port = CreateIoCompletionPort((HANDLE)c, NULL, 3, 0);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  memset(&ov, 0, sizeof(ov));
  b.buf = buf;
  b.len = sizeof(buf);
  ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
  ASSERT_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
  ASSERT_EQ_PTR(done, &ov);
  ASSERT_EQ(key, 3);
  ASSERT_EQ(n, 0);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &done, 100));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
  settle(probe, st0.sockets_live - 1);
  ASSERT_FALSE(is_socket(c));
  ASSERT_FALSE(WSAGetOverlappedResult(c, &ov, &got, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  ASSERT_EQ(closesocket(c), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_TRUE(CloseHandle(port));
  /* An event. */
  pair(&c, &a);
  ov.hEvent = WSACreateEvent();
  ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, TRUE, 5000, FALSE),
            WSA_WAIT_EVENT_0);
  ASSERT_EQ(ov.OffsetHigh, WSA_OPERATION_ABORTED);
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  ASSERT_EQ(closesocket(a), 0);
  settle(probe, st0.sockets_live - 2);
  ASSERT_FALSE(is_socket(c));
  /* A completion routine: the handle lives until it has run. */
  pair(&c, &a);
  memset(&ov, 0, sizeof(ov));
  routine_calls = 0;
  ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, routine), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(closesocket(c), 0);
  Sleep(50);
  ASSERT_EQ(t_nonifs_stats(probe).sockets_live, st0.sockets_live);
  alertable_wait(1);
  ASSERT_EQ(routine_error, WSA_OPERATION_ABORTED);
  ASSERT_EQ(routine_bytes, 0);
  SleepEx(20, TRUE);
  ASSERT_EQ(routine_calls, 1);
  ASSERT_EQ(closesocket(a), 0);
  settle(probe, st0.sockets_live - 2);
  ASSERT_FALSE(is_socket(c));
  st = t_nonifs_stats(probe);
  ASSERT_EQ(st.sockets_opened - st.sockets_closed, st.sockets_live);
  ASSERT_EQ(closesocket(probe), 0);
  finish();
}

/* The last WSACleanup with sockets open and requests in flight: the
 * layer closes them as closesocket would, its worker ends, nothing
 * hangs or leaks; a completion routine does not run (as documented). */
TEST(cleanup_with_requests_in_flight) {
  SOCKET c, a;
  HANDLE port;
  WSAOVERLAPPED ov, ov2;
  WSABUF b, b2;
  DWORD got = 0, flags = 0, flags2 = 0, t0;
  char buf[16], buf2[16];
  start();
  pair(&c, &a);
  port = CreateIoCompletionPort((HANDLE)c, NULL, 1, 0);
  ASSERT_NE_PTR(port, NULL);
  memset(&ov, 0, sizeof(ov));
  memset(&ov2, 0, sizeof(ov2));
  b.buf = buf;
  b.len = sizeof(buf);
  b2.buf = buf2;
  b2.len = sizeof(buf2);
  ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  routine_calls = 0;
  ASSERT_EQ(WSARecv(a, &b2, 1, &got, &flags2, &ov2, routine), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  t0 = GetTickCount();
  t_cleanup();
  ASSERT_TRUE(GetTickCount() - t0 < 3000);
  SleepEx(20, TRUE);
  ASSERT_EQ(routine_calls, 0);
  ASSERT_TRUE(CloseHandle(port));
  t_remove_catalog();
}

/* ---- WSADuplicateSocket ------------------------------------------------ */

/* The description names the layer's chain, and the socket made from it
 * is the layer's again, over a duplicate of the lower socket. */
TEST(duplicated_socket_stays_layered) {
  SOCKET c, a, d;
  WSAPROTOCOL_INFOW info;
  char buf[8];
  start();
  pair(&c, &a);
  ASSERT_EQ(WSADuplicateSocketW(c, GetCurrentProcessId(), &info), 0);
  ASSERT_EQ(info.dwCatalogEntryId, chains[0]);
  d = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                 &info, 0, WSA_FLAG_OVERLAPPED);
  if (d == INVALID_SOCKET && WSAGetLastError() == WSAEACCES) {
    closesocket(a);
    closesocket(c);
    finish();
    SKIP("pidfd_getfd is not permitted here");
  }
  ASSERT_NE(d, INVALID_SOCKET);
  ASSERT_NE(d, c);
  ASSERT_EQ(info_of(d).dwCatalogEntryId, chains[0]);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(send(d, "dup", 3, 0), 3);
  ASSERT_EQ(recv(a, buf, 3, MSG_WAITALL), 3);
  ASSERT_MEM_EQ(buf, "dup", 3);
  ASSERT_TRUE(t_nonifs_stats(d).calls[E_DUPLICATESOCKET] >= 1);
  ASSERT_EQ(closesocket(d), 0);
  ASSERT_EQ(closesocket(a), 0);
  finish();
}

/* ---- Every entry ------------------------------------------------------- */

/* The entries ws2 calls reach the layer's table, the less common ones
 * included. (WSPAddressToString, WSPStringToAddress and
 * WSPCancelBlockingCall have no ws2 caller; WSPCleanup runs at
 * WSACleanup.) */
TEST(every_entry_reaches_the_layer) {
  SOCKET c, a;
  nonifs_stats_t st;
  WSABUF b;
  QOS q;
  int i, type = 0, len = sizeof(type);
  start();
  pair(&c, &a);
  ASSERT_EQ(getsockopt(c, SOL_SOCKET, SO_TYPE, (char *)&type, &len), 0);
  ASSERT_EQ(type, SOCK_STREAM);
  i = 1;
  ASSERT_EQ(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, (char *)&i, sizeof(i)), 0);
  b.buf = NULL;
  b.len = 0;
  WSAGetQOSByName(c, &b, &q); /* whatever the base provider says */
  WSAJoinLeaf(c, NULL, 0, NULL, NULL, NULL, NULL, JL_BOTH);
  ASSERT_EQ(WSASendDisconnect(c, NULL), 0);
  ASSERT_EQ(WSARecvDisconnect(a, NULL), 0);
  st = t_nonifs_stats(c);
  for (i = 0; i < E_COUNT; i++) {
    if (i == E_ADDRESSTOSTRING || i == E_STRINGTOADDRESS ||
        i == E_CANCELBLOCKINGCALL || i == E_CLEANUP || i == E_ASYNCSELECT ||
        i == E_DUPLICATESOCKET || i == E_SELECT || i == E_EVENTSELECT ||
        i == E_ENUMNETWORKEVENTS || i == E_GETOVERLAPPEDRESULT ||
        i == E_RECVFROM || i == E_SENDTO || i == E_CLOSESOCKET || i == E_RECV ||
        i == E_SEND || i == E_SHUTDOWN || i == E_GETPEERNAME)
      continue; /* the cases above check these */
    if (st.calls[i] == 0) {
      fprintf(stderr, "# entry %d never called\n", i);
      FAIL("an entry did not reach the layer");
    }
  }
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  finish();
}

/* ---- Stacking ---------------------------------------------------------- */

/* Over another layer (the test suite's IFS layer, test/providers): the
 * provider below is that layer, given the chain as it is; its handles are
 * the base provider's, so skip-on-success is used below. */
TEST(stacked_over_an_ifs_layer) {
  static const GUID ifs_guid = {
      0x5753324c,
      0x0001,
      0x4a00,
      {0x80, 0x00, 0x74, 0x65, 0x73, 0x74, 0x00, 0x01}};
  const char *d = getenv("WS2_TEST_PROVIDER_DIR");
  DWORD base[1] = {TCP4}, ifs_chain[1], top[1], ret = 0;
  char path[512];
  SOCKET c, a, b = INVALID_SOCKET, h = INVALID_SOCKET;
  WSAPROTOCOL_INFOW w;
  nonifs_stats_t st0, st;
  int tries;
  t_fresh_catalog();
  snprintf(path, sizeof(path), "%s/layer-ifs.so", d ? d : ".");
  t_install_layer(&ifs_guid, path, "layer-ifs", XP1_IFS_HANDLES, base, 1,
                  ifs_chain);
  t_install_plugin("nonifs-reference", 0, ifs_chain, 1, top);
  t_startup();
  pair(&c, &a);
  w = info_of(c);
  ASSERT_EQ(w.dwCatalogEntryId, top[0]);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 3);
  ASSERT_EQ(w.ProtocolChain.ChainEntries[2], TCP4);
  ASSERT_EQ(w.dwServiceFlags1 & XP1_IFS_HANDLES, 0);
  echo(c, a);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  pair(&c, &a);
  ASSERT_EQ(
      WSAIoctl(c, SIO_BASE_HANDLE, NULL, 0, &b, sizeof(b), &ret, NULL, NULL),
      0);
  ASSERT_EQ(
      WSAIoctl(c, SIO_BSP_HANDLE, NULL, 0, &h, sizeof(h), &ret, NULL, NULL), 0);
  ASSERT_NE(b, c);
  ASSERT_EQ(h, b); /* the IFS layer's handle is the base socket */
  /* Overlapped, done at once (skip-on-success below) and pending. */
  st0 = t_nonifs_stats(c);
  {
    WSAOVERLAPPED ov;
    WSABUF wb;
    DWORD got = 0, flags = 0;
    char buf[16];
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = WSACreateEvent();
    wb.buf = buf;
    wb.len = sizeof(buf);
    ASSERT_EQ(WSARecv(c, &wb, 1, &got, &flags, &ov, NULL), SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_EQ(send(a, "ifs", 3, 0), 3);
    ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
    ASSERT_EQ(got, 3);
    for (tries = 0;; tries++) {
      ASSERT_TRUE(tries < 50);
      ASSERT_EQ(send(a, "now", 3, 0), 3);
      wait_readable(c, 3);
      Sleep((DWORD)tries);
      if (WSARecv(c, &wb, 1, &got, &flags, &ov, NULL) == 0) break;
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
      ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
    }
    ASSERT_EQ(got, 3);
    ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  }
  st = t_nonifs_stats(c);
  ASSERT_TRUE(st.ops_at_once - st0.ops_at_once >= 1);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  finish();
}

/* ---- The stress test of the completion rule ----------------------------- */

/*
 * An IOCP program in the style of a server: NCONN connections through the
 * layer (both ends layered), every socket associated with one port and set
 * to FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, a receive always pending on
 * each, sends of random sizes, and, at random, CancelIoEx on a request
 * (which the layer cannot see: it completes normally), CancelIoEx on the
 * base socket under a handle (which aborts the layer's requests below),
 * and closesocket with requests in flight. Every operation issued is in a
 * table, used once, and must end exactly once: at once (the call returned
 * success, and then no packet may come) or by exactly one packet; a call
 * that failed at once gets nothing. After STRESS_MS the sockets are closed
 * and the rest must arrive within DRAIN_MS.
 */
#define NCONN 64
#define NSOCK (2 * NCONN)
#define MAXOPS 200000
#define STRESS_MS 1500
#define DRAIN_MS 3000
#define MAXSEND 32768
#define MAXRECV 16384

enum { OP_FREE, OP_PENDING, OP_DONE_AT_ONCE, OP_DONE_PACKET, OP_FAILED };

typedef struct sop {
  WSAOVERLAPPED ov; /* first: the packet's pointer is the record's */
  int sock, is_recv;
  int state;
} sop_t;

typedef struct ssock {
  SOCKET s;
  int closed, dead;  /* closed by the test; no more I/O (EOF, error) */
  int recv_op;       /* the pending receive, or -1 */
  int sends;         /* sends pending */
  char buf[MAXRECV]; /* the receive buffer */
} ssock_t;

typedef struct stress_result {
  long ops, at_once, packets, failed_at_once, lost, duplicates, strays;
  long cancels, base_cancels, closes, bytes_sent, bytes_received;
  DWORD ms;
} stress_result_t;

static unsigned rng_state;
static unsigned rng(unsigned n) {
  rng_state = rng_state * 1103515245u + 12345u;
  return (rng_state >> 8) % n;
}

static sop_t *ops;
static int nops;
static ssock_t *socks;
static char *sendbuf;

static void op_done(stress_result_t *r, sop_t *op, BOOL ok, DWORD n) {
  ssock_t *k = &socks[op->sock];
  if (op->is_recv) {
    k->recv_op = -1;
    if (ok && n > 0)
      r->bytes_received += (long)n;
    else
      k->dead = 1; /* the end, or an error: no more receives */
  } else {
    k->sends--;
    if (ok)
      r->bytes_sent += (long)n;
    else
      k->dead = 1; /* reset (the peer closed): a server would give up */
  }
}

static void issue(stress_result_t *r, int i, int is_recv) {
  ssock_t *k = &socks[i];
  sop_t *op;
  WSABUF b;
  DWORD n = 0, flags = 0;
  int rc;
  if (nops == MAXOPS) return;
  op = &ops[nops++];
  op->sock = i;
  op->is_recv = is_recv;
  op->state = OP_PENDING;
  if (is_recv) {
    b.buf = k->buf;
    b.len = 1 + rng(MAXRECV);
    k->recv_op = (int)(op - ops);
    rc = WSARecv(k->s, &b, 1, &n, &flags, &op->ov, NULL);
  } else {
    b.buf = sendbuf;
    b.len = 1 + rng(MAXSEND);
    k->sends++;
    rc = WSASend(k->s, &b, 1, &n, 0, &op->ov, NULL);
  }
  r->ops++;
  if (rc == 0) {
    op->state = OP_DONE_AT_ONCE;
    r->at_once++;
    op_done(r, op, TRUE, n);
  } else if (WSAGetLastError() != WSA_IO_PENDING) {
    op->state = OP_FAILED;
    r->failed_at_once++;
    op_done(r, op, FALSE, 0);
  }
}

/* Takes the packets there are (waiting at most ms for the first). */
static int harvest(stress_result_t *r, HANDLE port, DWORD ms) {
  OVERLAPPED_ENTRY e[64];
  ULONG n = 0, i;
  if (!GetQueuedCompletionStatusEx(port, e, 64, &n, ms, FALSE)) return 0;
  for (i = 0; i < n; i++) {
    sop_t *op = (sop_t *)e[i].lpOverlapped;
    if (op < ops || op >= ops + nops) {
      r->strays++;
      continue;
    }
    if (op->state != OP_PENDING) {
      r->duplicates++;
      continue;
    }
    op->state = OP_DONE_PACKET;
    r->packets++;
    op_done(r, op, e[i].Internal == 0, e[i].dwNumberOfBytesTransferred);
  }
  return (int)n;
}

static long pending_count(void) {
  long p = 0;
  int i;
  for (i = 0; i < nops; i++) p += ops[i].state == OP_PENDING;
  return p;
}

static stress_result_t stress(int drain_ms) {
  stress_result_t r;
  HANDLE port;
  DWORD t0, now;
  int i;
  memset(&r, 0, sizeof(r));
  rng_state = 20250601;
  ASSERT_NE_PTR(ops = calloc(MAXOPS, sizeof(*ops)), NULL);
  ASSERT_NE_PTR(socks = calloc(NSOCK, sizeof(*socks)), NULL);
  ASSERT_NE_PTR(sendbuf = malloc(MAXSEND), NULL);
  memset(sendbuf, 'x', MAXSEND);
  nops = 0;
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_NE_PTR(port, NULL);
  for (i = 0; i < NCONN; i++) {
    pair(&socks[2 * i].s, &socks[2 * i + 1].s);
  }
  for (i = 0; i < NSOCK; i++) {
    ASSERT_EQ(info_of(socks[i].s).ProtocolChain.ChainLen, 2);
    ASSERT_EQ_PTR(
        CreateIoCompletionPort((HANDLE)socks[i].s, port, (ULONG_PTR)i, 0),
        port);
    ASSERT_TRUE(SetFileCompletionNotificationModes(
        (HANDLE)socks[i].s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
    socks[i].recv_op = -1;
  }
  t0 = GetTickCount();
  do {
    for (i = 0; i < NSOCK; i++) {
      ssock_t *k = &socks[i];
      if (k->closed || k->dead) continue;
      if (k->recv_op < 0) issue(&r, i, 1);
      if (!k->dead && k->sends < 2 && rng(4) == 0) issue(&r, i, 0);
      switch (rng(400)) {
        case 0: /* a cancel the layer cannot see */
          if (k->recv_op >= 0) {
            CancelIoEx((HANDLE)k->s, &ops[k->recv_op].ov);
            r.cancels++;
          }
          break;
        case 1: { /* the requests below, aborted */
          SOCKET base = INVALID_SOCKET;
          DWORD n = 0;
          if (WSAIoctl(k->s, SIO_BASE_HANDLE, NULL, 0, &base, sizeof(base), &n,
                       NULL, NULL) == 0 &&
              CancelIoEx((HANDLE)base, NULL))
            r.base_cancels++;
          break;
        }
        case 2: /* closed during I/O */
          if (rng(4) == 0) {
            ASSERT_EQ(closesocket(k->s), 0);
            k->closed = 1;
            r.closes++;
          }
          break;
      }
    }
    while (harvest(&r, port, 0) == 64) {
    }
    harvest(&r, port, 1);
    now = GetTickCount();
  } while (now - t0 < STRESS_MS && nops < MAXOPS);
  /* The end: every socket closed, the rest must come. */
  for (i = 0; i < NSOCK; i++)
    if (!socks[i].closed) {
      ASSERT_EQ(closesocket(socks[i].s), 0);
      socks[i].closed = 1;
    }
  while (pending_count() > 0 && GetTickCount() - now < (DWORD)drain_ms)
    harvest(&r, port, 10);
  while (harvest(&r, port, 50) > 0) { /* anything more is a duplicate */
  }
  r.lost = pending_count();
  r.ms = GetTickCount() - t0;
  ASSERT_TRUE(CloseHandle(port));
  free(ops);
  free(socks);
  free(sendbuf);
  ops = NULL;
  socks = NULL;
  return r;
}

static void print_result(const char *name, const stress_result_t *r) {
  fprintf(stderr,
          "# %s: %d connections (%d sockets), %ld operations in %lu ms: "
          "%ld done at once (no packet), %ld by packet, %ld failed at once; "
          "%ld lost, %ld duplicated, %ld stray; %ld CancelIoEx on the "
          "layer's handle, %ld on the base socket, %ld closes during I/O; "
          "%ld bytes sent, %ld received\n",
          name, NCONN, NSOCK, r->ops, (unsigned long)r->ms, r->at_once,
          r->packets, r->failed_at_once, r->lost, r->duplicates, r->strays,
          r->cancels, r->base_cancels, r->closes, r->bytes_sent,
          r->bytes_received);
}

TEST(stress_skip_on_success_loses_nothing) {
  stress_result_t r;
  SOCKET probe;
  nonifs_stats_t st;
  unsetenv("WS2_COMPAT");
  start();
  r = stress(DRAIN_MS);
  print_result("stress", &r);
  ASSERT_EQ(r.lost, 0);
  ASSERT_EQ(r.duplicates, 0);
  ASSERT_EQ(r.strays, 0);
  ASSERT_EQ(r.ops, r.at_once + r.packets + r.failed_at_once);
  /* Both ways of ending, many times, and cancels and closes happened. */
  ASSERT_TRUE(r.ops > 2000);
  ASSERT_TRUE(r.at_once > 100);
  ASSERT_TRUE(r.packets > 100);
  ASSERT_TRUE(r.closes > 0);
  ASSERT_TRUE(r.base_cancels > 0);
  /* The layer: nothing in flight, every handle given back. */
  probe = socket(AF_INET, SOCK_DGRAM, 0);
  settle(probe, 1);
  st = t_nonifs_stats(probe);
  ASSERT_EQ(st.sockets_opened - st.sockets_closed, 1);
  ASSERT_EQ(closesocket(probe), 0);
  finish();
}

/* The same program with WS2_COMPAT=kb2568167 (Windows' loss, on purpose):
 * completions the layer reports for requests that went pending are lost,
 * which is what the test above proves ws2 does not do. */
TEST(stress_with_kb2568167_compat_loses_completions) {
  stress_result_t r;
  setenv("WS2_COMPAT", "kb2568167", 1); /* before WSAStartup */
  start();
  r = stress(500);
  unsetenv("WS2_COMPAT");
  print_result("stress, WS2_COMPAT=kb2568167", &r);
  ASSERT_TRUE(r.lost > 0);
  ASSERT_EQ(r.duplicates, 0);
  finish();
}
