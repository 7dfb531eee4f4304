/* select (the Windows fd_set) and WSAPoll, with Windows' readiness rules.
 * Runs on each engine. */
#include "ws2io.h"

TEST(select_argument_errors) {
  fd_set r;
  struct timeval tv = {0, 0};
  t_startup();
  FD_ZERO(&r);
  ASSERT_EQ(select(0, NULL, NULL, NULL, &tv), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(select(0, &r, NULL, NULL, &tv), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  FD_SET((SOCKET)0x7ffc, &r);
  ASSERT_EQ(select(0, &r, NULL, NULL, &tv), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  t_cleanup();
}

TEST(select_read_write_accept) {
  SOCKET c, s, l, n;
  struct sockaddr_in a;
  fd_set r, w;
  struct timeval tv = {0, 0}, five = {5, 0};
  char buf[8];
  t_startup();
  t_tcp_pair(&c, &s);
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(s, &r);
  FD_SET(c, &w);
  FD_SET(s, &w);
  ASSERT_EQ(sizeof(r.fd_array) / sizeof(r.fd_array[0]), FD_SETSIZE);
  ASSERT_EQ(select(0, &r, &w, NULL, &tv), 2); /* both writable, none readable */
  ASSERT_EQ(r.fd_count, 0);
  ASSERT_EQ(w.fd_count, 2);
  ASSERT_TRUE(FD_ISSET(c, &w));
  ASSERT_EQ(send(c, "x", 1, 0), 1);
  FD_ZERO(&r);
  FD_SET(s, &r);
  ASSERT_EQ(select(0, &r, NULL, NULL, &five), 1);
  ASSERT_TRUE(FD_ISSET(s, &r));
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 1);
  /* A listener is readable when a connection waits. */
  l = t_listener(&a);
  FD_ZERO(&r);
  FD_SET(l, &r);
  ASSERT_EQ(select(0, &r, NULL, NULL, &tv), 0);
  n = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(n, (struct sockaddr *)&a, sizeof(a)), 0);
  FD_SET(l, &r);
  ASSERT_EQ(select(0, &r, NULL, NULL, &five), 1);
  /* A closed peer makes the socket readable (recv returns 0). */
  ASSERT_EQ(closesocket(c), 0);
  FD_ZERO(&r);
  FD_SET(s, &r);
  ASSERT_EQ(select(0, &r, NULL, NULL, &five), 1);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 0);
  closesocket(n);
  closesocket(l);
  closesocket(s);
  t_cleanup();
}

TEST(nonblocking_connect_reports_through_select) {
  SOCKET c, l;
  struct sockaddr_in a;
  fd_set w, x;
  struct timeval five = {5, 0};
  u_long on = 1;
  int r;
  t_startup();
  l = t_listener(&a);
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(ioctlsocket(c, FIONBIO, &on), 0);
  r = connect(c, (struct sockaddr *)&a, sizeof(a));
  if (r == SOCKET_ERROR) {
    ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
    FD_ZERO(&w);
    FD_SET(c, &w);
    ASSERT_EQ(select(0, NULL, &w, NULL, &five), 1);
  }
  ASSERT_EQ(connect(c, (struct sockaddr *)&a, sizeof(a)), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEISCONN);
  closesocket(c);
  /* Refused: the socket lands in the except set, not the write set. */
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(ioctlsocket(c, FIONBIO, &on), 0);
  closesocket(l); /* nobody listens on a.sin_port any more */
  r = connect(c, (struct sockaddr *)&a, sizeof(a));
  if (r == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK) {
    FD_ZERO(&w);
    FD_ZERO(&x);
    FD_SET(c, &w);
    FD_SET(c, &x);
    ASSERT_EQ(select(0, NULL, &w, &x, &five), 1);
    ASSERT_EQ(w.fd_count, 0);
    ASSERT_EQ(x.fd_count, 1);
  } else {
    ASSERT_EQ(WSAGetLastError(), WSAECONNREFUSED);
  }
  closesocket(c);
  t_cleanup();
}

TEST(wsapoll_events_and_errors) {
  SOCKET c, s;
  WSAPOLLFD p[3];
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_EQ(WSAPoll(NULL, 1, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  memset(p, 0, sizeof(p));
  p[0].fd = s;
  p[0].events = POLLIN;
  p[1].fd = c;
  p[1].events = POLLOUT;
  p[2].fd = INVALID_SOCKET; /* negative: ignored (WSAPOLLFD's page) */
  p[2].events = POLLIN;
  p[2].revents = POLLHUP; /* an output only: cleared */
  ASSERT_EQ(WSAPoll(p, 0, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(WSAPoll(p, 3, 0), 1);
  ASSERT_EQ(p[0].revents, 0);
  ASSERT_EQ(p[1].revents, POLLWRNORM);
  ASSERT_EQ(p[2].revents, 0);
  /* Only ignored entries: "the array must contain at least one structure
   * with a valid socket". */
  ASSERT_EQ(WSAPoll(&p[2], 1, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  {
    /* A closed socket beside a valid one: POLLNVAL, counted. */
    WSAPOLLFD q[2];
    SOCKET gone = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    ASSERT_NE(gone, INVALID_SOCKET);
    ASSERT_EQ(closesocket(gone), 0);
    q[0] = p[1];
    q[1].fd = gone;
    q[1].events = POLLIN;
    ASSERT_EQ(WSAPoll(q, 2, 0), 2);
    ASSERT_EQ(q[0].revents, POLLWRNORM);
    ASSERT_EQ(q[1].revents, POLLNVAL);
  }
  ASSERT_EQ(send(c, "y", 1, 0), 1);
  ASSERT_EQ(WSAPoll(p, 1, 5000), 1);
  ASSERT_EQ(p[0].revents, POLLRDNORM);
  p[0].events = POLLIN | POLLERR; /* POLLERR may not be asked for */
  ASSERT_EQ(WSAPoll(p, 1, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  closesocket(c);
  closesocket(s);
  t_cleanup();
}
