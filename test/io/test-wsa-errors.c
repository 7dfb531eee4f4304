/* The Winsock errors where Windows and Linux differ, each provoked for
 * real over loopback. Runs on each engine. */
#include "ws2io.h"

TEST(connection_reset_by_peer) {
  SOCKET c, s;
  struct linger lg = {1, 0};
  char buf[8];
  t_startup();
  t_tcp_pair(&c, &s);
  /* An abortive close (linger 0) resets the connection. */
  ASSERT_EQ(setsockopt(c, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof(lg)), 0);
  ASSERT_EQ(closesocket(c), 0);
  Sleep(50);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAECONNRESET);
  closesocket(s);
  t_cleanup();
}

TEST(refused_and_unreachable_connects) {
  struct sockaddr_in a;
  SOCKET l = INVALID_SOCKET, c;
  t_startup();
  l = t_listener(&a);
  closesocket(l); /* nothing listens there now */
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(c, (struct sockaddr *)&a, sizeof(a)), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAECONNREFUSED);
  closesocket(c);
  t_cleanup();
}

TEST(address_in_use_and_exclusive_use) {
  struct sockaddr_in a;
  SOCKET l, s2, s3;
  BOOL on = TRUE;
  t_startup();
  l = t_listener(&a);
  /* A listening port: a second socket cannot bind it. */
  s2 = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(bind(s2, (struct sockaddr *)&a, sizeof(a)), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEADDRINUSE);
  /* The same socket cannot be bound twice. */
  {
    struct sockaddr_in any;
    memset(&any, 0, sizeof(any));
    any.sin_family = AF_INET;
    ASSERT_EQ(bind(l, (struct sockaddr *)&any, sizeof(any)), SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  }
  /* SO_EXCLUSIVEADDRUSE and SO_REUSEADDR together: WSAEINVAL. */
  s3 = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(setsockopt(s3, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *)&on,
                       sizeof(on)),
            0);
  ASSERT_EQ(setsockopt(s3, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof(on)),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  closesocket(s3);
  closesocket(s2);
  closesocket(l);
  t_cleanup();
}

TEST(faults_and_states) {
  SOCKET c, s, u;
  struct sockaddr_in a;
  char buf[8];
  int len = 4;
  t_startup();
  t_tcp_pair(&c, &s);
  /* A bad buffer: WSAEFAULT. */
  ASSERT_EQ(send(c, (const char *)8, 4, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(send(c, buf, -1, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(getsockname(c, (struct sockaddr *)&a, &len), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  /* An address of the wrong family: WSAEFAULT, as Windows' bind says. */
  u = socket(AF_INET6, SOCK_STREAM, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  ASSERT_EQ(bind(u, (struct sockaddr *)&a, sizeof(a)), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  closesocket(u);
  /* Not connected: WSAENOTCONN. Connected twice: WSAEISCONN. */
  u = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(send(u, "x", 1, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOTCONN);
  ASSERT_EQ(recv(u, buf, 1, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOTCONN);
  closesocket(u);
  len = sizeof(a);
  ASSERT_EQ(getpeername(c, (struct sockaddr *)&a, &len), 0);
  ASSERT_EQ(connect(c, (struct sockaddr *)&a, sizeof(a)), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEISCONN);
  /* A datagram with no destination: WSAENOTCONN on Windows (the socket has
   * no peer), WSAEDESTADDRREQ from the Linux call: either names the cause. */
  u = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(send(u, "x", 1, 0), SOCKET_ERROR);
  ASSERT_TRUE(WSAGetLastError() == WSAENOTCONN ||
              WSAGetLastError() == WSAEDESTADDRREQ);
  closesocket(u);
  closesocket(c);
  closesocket(s);
  t_cleanup();
}

/* SO_LINGER with a timeout on a non-blocking socket whose data cannot
 * leave yet: closesocket fails with WSAEWOULDBLOCK and the socket stays
 * open; once the peer reads, it closes. */
TEST(linger_on_a_nonblocking_socket) {
  SOCKET c, s;
  struct linger lg = {1, 5};
  u_long on = 1;
  static char chunk[65536], sink[65536];
  int i, r = 0, total = 0, closed = 0;
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_EQ(setsockopt(c, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof(lg)), 0);
  ASSERT_EQ(ioctlsocket(c, FIONBIO, &on), 0);
  /* Fill the way until the send buffer holds data the peer won't take. */
  for (i = 0; i < 1000; i++) {
    r = send(c, chunk, sizeof(chunk), 0);
    if (r == SOCKET_ERROR) break;
  }
  ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
  ASSERT_EQ(closesocket(c), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
  /* Still open: it can still be used. */
  ASSERT_EQ(send(c, chunk, 1, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
  /* Drain the peer, then the close completes. */
  ioctlsocket(s, FIONBIO, &on);
  for (i = 0; i < 2000 && !closed; i++) {
    r = recv(s, sink, sizeof(sink), 0);
    if (r > 0) total += r;
    if (r == SOCKET_ERROR) {
      closed = closesocket(c) == 0;
      if (!closed) Sleep(5);
    }
  }
  ASSERT_GT(total, 0);
  ASSERT_TRUE(closed);
  closesocket(s);
  t_cleanup();
}
