/*
 * ws2-mem.c (echo-ws2-mem): how much of the process's heap ws2 uses per
 * open socket and per pending overlapped request, beyond what the kernel
 * holds. The figures are deltas of glibc's mallinfo2() (bytes in use, all
 * arenas, including chunk headers: ws2 allocates with malloc) across:
 *
 *   1. N overlapped sockets created and associated with a completion
 *      port (skip-on-success set), not connected;
 *   2. those N connected to a listener, and the N accepted sockets
 *      associated too: 2N open connected sockets;
 *   3. one WSARecv pending on each accepted socket (no data comes);
 *   4. a second one on each (what a request costs once the socket's
 *      own lazily-made state, if any, exists).
 *
 * Then everything is closed (each receive completes with
 * WSA_OPERATION_ABORTED through the port) and what the heap still holds is
 * reported. A warm-up round first makes ws2's one-time allocations
 * (engine, handle-table chunk, ...) happen outside the measurement. The
 * program's own buffers and OVERLAPPEDs are allocated before each
 * baseline. Prints one line of key=value pairs; the engine is whatever
 * WS2_ENGINE selects.
 *
 *   echo-ws2-mem [N]   (default 1000)
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

typedef struct {
  SOCKET client, server;
  OVERLAPPED ov[2];
  WSABUF buf[2];
  char data[2][64];
} PAIR;

static HANDLE g_port;
static SOCKET g_listener;
static SOCKADDR_IN g_addr;

static long long heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return (long long)(mi.uordblks + mi.hblkhd);
}

static void fail(const char *what) {
  fprintf(stderr, "echo-ws2-mem: %s failed: error %d\n", what,
          WSAGetLastError());
  exit(1);
}

static void associate(SOCKET s) {
  if (!CreateIoCompletionPort((HANDLE)s, g_port, (ULONG_PTR)s, 0))
    fail("CreateIoCompletionPort");
  if (!SetFileCompletionNotificationModes((HANDLE)s,
                                          FILE_SKIP_COMPLETION_PORT_ON_SUCCESS))
    fail("SetFileCompletionNotificationModes");
}

static void create_sockets(PAIR *p, int n) {
  for (int i = 0; i < n; i++) {
    p[i].client = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                             WSA_FLAG_OVERLAPPED);
    if (p[i].client == INVALID_SOCKET) fail("WSASocketW");
    associate(p[i].client);
  }
}

static void connect_sockets(PAIR *p, int n) {
  for (int i = 0; i < n; i++) {
    if (connect(p[i].client, (SOCKADDR *)&g_addr, sizeof(g_addr)) != 0)
      fail("connect");
    p[i].server = accept(g_listener, NULL, NULL);
    if (p[i].server == INVALID_SOCKET) fail("accept");
    associate(p[i].server);
  }
}

/* Receive k (0 or 1) on every server socket: none has data, so pending. */
static void post_receives(PAIR *p, int n, int k) {
  for (int i = 0; i < n; i++) {
    DWORD flags = 0, bytes;
    memset(&p[i].ov[k], 0, sizeof(p[i].ov[k]));
    p[i].buf[k].buf = p[i].data[k];
    p[i].buf[k].len = sizeof(p[i].data[k]);
    if (WSARecv(p[i].server, &p[i].buf[k], 1, &bytes, &flags, &p[i].ov[k],
                NULL) != SOCKET_ERROR ||
        WSAGetLastError() != WSA_IO_PENDING)
      fail("WSARecv (expected pending)");
  }
}

/* Close everything; returns how many receives completed as aborted. */
static int close_all(PAIR *p, int n, int pending) {
  OVERLAPPED_ENTRY e[64];
  ULONG got;
  int aborted = 0, seen = 0;
  for (int i = 0; i < n; i++) {
    closesocket(p[i].server);
    closesocket(p[i].client);
  }
  while (seen < pending &&
         GetQueuedCompletionStatusEx(g_port, e, 64, &got, 2000, FALSE)) {
    for (ULONG i = 0; i < got; i++) {
      seen++;
      if (e[i].lpOverlapped && e[i].lpOverlapped->Internal != 0) aborted++;
    }
  }
  return aborted;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  const char *engine = getenv("WS2_ENGINE");
  struct rlimit rl;
  WSADATA wsa;
  int len = sizeof(g_addr);

  if (n < 1) n = 1000;
  /* 2N sockets plus a few. */
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
      rl.rlim_cur < (rlim_t)(2 * n + 64)) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)(2 * n + 64)) n = ((int)rl.rlim_cur - 64) / 2;
  }

  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) fail("WSAStartup");
  g_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  g_listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (g_listener == INVALID_SOCKET) fail("socket");
  memset(&g_addr, 0, sizeof(g_addr));
  g_addr.sin_family = AF_INET;
  g_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(g_listener, (SOCKADDR *)&g_addr, sizeof(g_addr)) != 0) fail("bind");
  if (listen(g_listener, SOMAXCONN) != 0) fail("listen");
  if (getsockname(g_listener, (SOCKADDR *)&g_addr, &len) != 0)
    fail("getsockname");

  PAIR *warm = calloc(16, sizeof(PAIR)), *p = calloc((size_t)n, sizeof(PAIR));
  if (!warm || !p) return 1;

  /* Warm-up: the same cycle, small, so one-time allocations happen now. */
  create_sockets(warm, 16);
  connect_sockets(warm, 16);
  post_receives(warm, 16, 0);
  post_receives(warm, 16, 1);
  close_all(warm, 16, 32);

  long long h0 = heap_in_use();
  create_sockets(p, n);
  long long h1 = heap_in_use();
  connect_sockets(p, n);
  long long h2 = heap_in_use();
  post_receives(p, n, 0);
  long long h3 = heap_in_use();
  post_receives(p, n, 1);
  long long h4 = heap_in_use();
  int aborted = close_all(p, n, 2 * n);
  long long h5 = heap_in_use();

  printf(
      "engine=%s sockets=%d heap_per_socket=%.0f "
      "heap_per_unconnected_socket=%.0f heap_per_pending_request=%.0f "
      "heap_per_second_pending_request=%.0f heap_left_after_close=%lld "
      "aborted=%d\n",
      engine ? engine : "default", n, (double)(h2 - h0) / (2.0 * n),
      (double)(h1 - h0) / n, (double)(h3 - h2) / n, (double)(h4 - h3) / n,
      h5 - h0, aborted);
  closesocket(g_listener);
  CloseHandle(g_port);
  WSACleanup();
  return aborted == 2 * n ? 0 : 1;
}
