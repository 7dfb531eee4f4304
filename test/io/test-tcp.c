/* TCP over loopback through the Winsock API: the synchronous calls, and
 * overlapped I/O with each notification (event, completion routine,
 * completion port), skip modes, cancellation and closing with I/O in
 * flight. Runs on each engine. */
#include "ws2io.h"

TEST(startup_and_cleanup) {
  WSADATA wd;
  ASSERT_EQ(socket(AF_INET, SOCK_STREAM, 0), INVALID_SOCKET);
  ASSERT_EQ(WSAGetLastError(), WSANOTINITIALISED);
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), NULL), WSAEFAULT);
  ASSERT_EQ(WSAStartup(MAKEWORD(0, 9), &wd), WSAVERNOTSUPPORTED);
  ASSERT_EQ(WSAStartup(MAKEWORD(3, 0), &wd), 0);
  ASSERT_EQ(wd.wVersion, MAKEWORD(2, 2));
  ASSERT_EQ(wd.wHighVersion, MAKEWORD(2, 2));
  ASSERT_EQ(WSAStartup(MAKEWORD(1, 1), &wd), 0);
  ASSERT_EQ(wd.wVersion, MAKEWORD(1, 1));
  ASSERT_EQ(WSACleanup(), 0);
  ASSERT_EQ(WSACleanup(), 0);
  ASSERT_EQ(WSACleanup(), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSANOTINITIALISED);
}

TEST(socket_argument_errors) {
  t_startup();
  ASSERT_EQ(socket(12345, SOCK_STREAM, 0), INVALID_SOCKET);
  ASSERT_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
  ASSERT_EQ(socket(AF_INET, 77, 0), INVALID_SOCKET);
  ASSERT_EQ(WSAGetLastError(), WSAESOCKTNOSUPPORT);
  ASSERT_EQ(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), INVALID_SOCKET);
  ASSERT_EQ(WSAGetLastError(), WSAEPROTONOSUPPORT);
  ASSERT_EQ(closesocket((SOCKET)0x1234), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  t_cleanup();
}

TEST(sync_echo_and_names) {
  SOCKET c, s;
  struct sockaddr_in a, b;
  int alen = sizeof(a), blen = sizeof(b);
  char buf[64];
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_EQ(send(c, "hello", 5, 0), 5);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 5);
  ASSERT_MEM_EQ(buf, "hello", 5);
  ASSERT_EQ(getsockname(c, (struct sockaddr *)&a, &alen), 0);
  ASSERT_EQ(getpeername(s, (struct sockaddr *)&b, &blen), 0);
  ASSERT_EQ(alen, sizeof(a));
  ASSERT_EQ(a.sin_family, AF_INET);
  ASSERT_EQ(a.sin_port, b.sin_port);
  ASSERT_EQ(shutdown(c, SD_SEND), 0);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 0); /* graceful close */
  ASSERT_EQ(send(c, "x", 1, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAESHUTDOWN);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}

TEST(unbound_and_nonblocking_rules) {
  SOCKET c, s, u;
  struct sockaddr_in a;
  int alen = sizeof(a);
  u_long on = 1;
  char buf[8];
  t_startup();
  u = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(getsockname(u, (struct sockaddr *)&a, &alen), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(listen(u, 5), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(closesocket(u), 0);
  t_tcp_pair(&c, &s);
  ASSERT_EQ(ioctlsocket(s, FIONBIO, &on), 0);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
  ASSERT_EQ(send(c, "ab", 2, 0), 2);
  Sleep(20);
  ASSERT_EQ(ioctlsocket(s, FIONREAD, &on), 0);
  ASSERT_EQ(on, 2);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}

TEST(overlapped_recv_with_event_completes_later) {
  SOCKET c, s;
  WSAOVERLAPPED ov;
  WSABUF b;
  char buf[16];
  DWORD n = 0, flags = 0;
  t_startup();
  t_tcp_pair(&c, &s);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  b.buf = buf;
  b.len = sizeof(buf);
  ASSERT_EQ(WSARecv(s, &b, 1, &n, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_FALSE(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
  ASSERT_EQ(send(c, "ping", 4, 0), 4);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, TRUE, 5000, FALSE),
            WSA_WAIT_EVENT_0);
  ASSERT_TRUE(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
  ASSERT_EQ(n, 4);
  ASSERT_MEM_EQ(buf, "ping", 4);
  /* Data already there: completes inline, returns 0, and still signals. */
  WSAResetEvent(ov.hEvent);
  ASSERT_EQ(send(c, "pong", 4, 0), 4);
  Sleep(20);
  n = 0;
  ASSERT_EQ(WSARecv(s, &b, 1, &n, &flags, &ov, NULL), 0);
  ASSERT_EQ(n, 4);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, TRUE, 0, FALSE),
            WSA_WAIT_EVENT_0);
  WSACloseEvent(ov.hEvent);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}

static int routine_calls;
static DWORD routine_err, routine_bytes;
static void CALLBACK recv_routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov,
                                  DWORD flags) {
  routine_calls++;
  routine_err = err;
  routine_bytes = bytes;
}

TEST(overlapped_recv_with_completion_routine) {
  SOCKET c, s;
  WSAOVERLAPPED ov;
  WSABUF b;
  char buf[16];
  DWORD n, flags = 0;
  t_startup();
  t_tcp_pair(&c, &s);
  memset(&ov, 0, sizeof(ov));
  b.buf = buf;
  b.len = sizeof(buf);
  routine_calls = 0;
  ASSERT_EQ(WSARecv(s, &b, 1, &n, &flags, &ov, recv_routine), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(c, "abc", 3, 0), 3);
  ASSERT_EQ(SleepEx(5000, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(routine_calls, 1);
  ASSERT_EQ(routine_err, 0);
  ASSERT_EQ(routine_bytes, 3);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}

TEST(overlapped_through_a_completion_port_with_skip_mode) {
  SOCKET c, s;
  WSAOVERLAPPED ov, sov;
  WSABUF b, sb;
  char buf[16];
  DWORD n, flags = 0, bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;
  HANDLE port;
  t_startup();
  t_tcp_pair(&c, &s);
  port = CreateIoCompletionPort((HANDLE)s, NULL, 42, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  memset(&ov, 0, sizeof(ov));
  b.buf = buf;
  b.len = sizeof(buf);
  ASSERT_EQ(WSARecv(s, &b, 1, &n, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(c, "12345", 5, 0), 5);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
  ASSERT_EQ(bytes, 5);
  ASSERT_EQ(key, 42);
  ASSERT_EQ_PTR(got, &ov);
  /* A send that completes at once: 0, and no packet (skip mode). */
  memset(&sov, 0, sizeof(sov));
  sb.buf = "xyz";
  sb.len = 3;
  ASSERT_EQ(WSASend(s, &sb, 1, &n, 0, &sov, NULL), 0);
  ASSERT_EQ(n, 3);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 50));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
  ASSERT_EQ(recv(c, buf, sizeof(buf), 0), 3);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(CloseHandle(port));
  t_cleanup();
}

TEST(cancel_and_close_with_io_in_flight) {
  SOCKET c, s;
  WSAOVERLAPPED ov[3];
  WSABUF b;
  char buf[3][16];
  DWORD n, flags = 0, bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;
  HANDLE port;
  int i;
  t_startup();
  t_tcp_pair(&c, &s);
  port = CreateIoCompletionPort((HANDLE)s, NULL, 7, 0);
  for (i = 0; i < 3; i++) {
    memset(&ov[i], 0, sizeof(ov[i]));
    b.buf = buf[i];
    b.len = sizeof(buf[i]);
    ASSERT_EQ(WSARecv(s, &b, 1, &n, &flags, &ov[i], NULL), SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  }
  ASSERT_TRUE(CancelIoEx((HANDLE)s, &ov[1]));
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
  ASSERT_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
  ASSERT_EQ_PTR(got, &ov[1]);
  /* Requests complete in order: the first gets the data. */
  ASSERT_EQ(send(c, "a", 1, 0), 1);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
  ASSERT_EQ_PTR(got, &ov[0]);
  /* Closing the socket aborts the last one, exactly once. */
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
  ASSERT_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
  ASSERT_EQ_PTR(got, &ov[2]);
  ASSERT_FALSE(WSAGetOverlappedResult(c, &ov[2], &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSA_OPERATION_ABORTED);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 50));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_TRUE(CloseHandle(port));
  t_cleanup();
}

TEST(large_overlapped_send_completes_whole) {
  SOCKET c, s;
  WSAOVERLAPPED ov;
  WSABUF b;
  static char big[4 << 20], in[65536];
  DWORD n = 0, flags = 0;
  long total = 0;
  t_startup();
  t_tcp_pair(&c, &s);
  memset(big, 'z', sizeof(big));
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  b.buf = big;
  b.len = sizeof(big);
  if (WSASend(c, &b, 1, &n, 0, &ov, NULL) == SOCKET_ERROR)
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  while (total < (long)sizeof(big)) {
    int r = recv(s, in, sizeof(in), 0);
    ASSERT_GT(r, 0);
    total += r;
  }
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &n, TRUE, &flags));
  ASSERT_EQ(n, sizeof(big));
  WSACloseEvent(ov.hEvent);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}

/* An application that never waits in ws2 while its I/O is in flight (it
 * spins on HasOverlappedIoCompleted) still sees the I/O complete: the
 * engine's own thread polls when no application thread does. */
TEST(completion_without_any_ws2_wait) {
  SOCKET c, s;
  WSAOVERLAPPED ov;
  WSABUF b;
  char buf[8];
  DWORD n, flags = 0, t0;
  t_startup();
  t_tcp_pair(&c, &s);
  memset(&ov, 0, sizeof(ov));
  b.buf = buf;
  b.len = sizeof(buf);
  ASSERT_EQ(WSARecv(s, &b, 1, &n, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(c, "spin", 4, 0), 4);
  t0 = GetTickCount();
  while (!HasOverlappedIoCompleted(&ov) && GetTickCount() - t0 < 5000)
    SwitchToThread();
  ASSERT_TRUE(HasOverlappedIoCompleted(&ov));
  ASSERT_TRUE(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
  ASSERT_EQ(n, 4);
  closesocket(c);
  closesocket(s);
  t_cleanup();
}

/* Scatter and gather: a pending receive over several buffers (few enough
 * to sit beside the request, and more than that) keeps them all when it
 * moves to the heap; MSG_WAITALL fills them across several arrivals; a
 * gather send of many small buffers arrives in order. */
static void scatter_case(DWORD nbufs) {
  SOCKET c, s;
  WSAOVERLAPPED ov;
  WSABUF b[16];
  char in[16][4], out[64];
  DWORD i, n = 0, flags = MSG_WAITALL;
  t_startup();
  t_tcp_pair(&c, &s);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  memset(in, 0, sizeof(in));
  for (i = 0; i < nbufs; i++) {
    b[i].buf = in[i];
    b[i].len = 3; /* 3 bytes each */
  }
  ASSERT_EQ(WSARecv(s, b, nbufs, &n, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  for (i = 0; i < 3 * nbufs; i++) out[i] = (char)('a' + i % 26);
  /* In two pieces: MSG_WAITALL waits for the second. */
  ASSERT_EQ(send(c, out, 5, 0), 5);
  Sleep(20);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, TRUE, 0, FALSE),
            WSA_WAIT_TIMEOUT);
  ASSERT_EQ(send(c, out + 5, (int)(3 * nbufs - 5), 0), (int)(3 * nbufs - 5));
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, TRUE, 5000, FALSE),
            WSA_WAIT_EVENT_0);
  ASSERT_TRUE(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
  ASSERT_EQ(n, 3 * nbufs);
  for (i = 0; i < nbufs; i++) ASSERT_MEM_EQ(in[i], out + 3 * i, 3);
  /* Gather: the same buffers sent back in one call. */
  ASSERT_EQ(WSASend(s, b, nbufs, &n, 0, NULL, NULL), 0);
  ASSERT_EQ(n, 3 * nbufs);
  memset(out, 0, sizeof(out));
  flags = MSG_WAITALL;
  ASSERT_EQ(recv(c, out, (int)(3 * nbufs), MSG_WAITALL), (int)(3 * nbufs));
  for (i = 0; i < nbufs; i++) ASSERT_MEM_EQ(out + 3 * i, in[i], 3);
  WSACloseEvent(ov.hEvent);
  closesocket(c);
  closesocket(s);
  t_cleanup();
}

TEST(pending_receive_over_a_few_buffers) { scatter_case(3); }
TEST(pending_receive_over_many_buffers) { scatter_case(16); }
