/* WSAEventSelect and WSAEnumNetworkEvents: the events, their error codes
 * and Windows' re-enabling rules. Runs on each engine. */
#include "ws2io.h"

/* Waits for the event and returns the enumerated events. */
static LONG wait_events(SOCKET s, WSAEVENT e, DWORD ms,
                        WSANETWORKEVENTS *ne) {
  memset(ne, 0, sizeof(*ne));
  if (WSAWaitForMultipleEvents(1, &e, FALSE, ms, FALSE) != WSA_WAIT_EVENT_0)
    return 0;
  ASSERT_EQ(WSAEnumNetworkEvents(s, e, ne), 0);
  return ne->lNetworkEvents;
}

TEST(event_select_read_write_close) {
  SOCKET c, s;
  WSAEVENT e;
  WSANETWORKEVENTS ne;
  char buf[4];
  u_long off = 0;
  t_startup();
  t_tcp_pair(&c, &s);
  e = WSACreateEvent();
  ASSERT_EQ(WSAEventSelect(s, e, FD_READ | FD_WRITE | FD_CLOSE), 0);
  /* Connected and writable: FD_WRITE at once. */
  ASSERT_EQ(wait_events(s, e, 5000, &ne), FD_WRITE);
  ASSERT_EQ(ne.iErrorCode[FD_WRITE_BIT], 0);
  /* Blocking again needs the selection cancelled first. */
  ASSERT_EQ(ioctlsocket(s, FIONBIO, &off), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  /* Data: FD_READ, once, until recv re-enables it. */
  ASSERT_EQ(send(c, "abc", 3, 0), 3);
  ASSERT_EQ(wait_events(s, e, 5000, &ne), FD_READ);
  ASSERT_EQ(send(c, "d", 1, 0), 1);
  ASSERT_EQ(wait_events(s, e, 200, &ne), 0); /* not re-enabled yet */
  ASSERT_EQ(recv(s, buf, 2, 0), 2);           /* data remains: again */
  ASSERT_EQ(wait_events(s, e, 5000, &ne), FD_READ);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 2);
  /* The peer closes: FD_CLOSE with 0 (graceful). */
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(wait_events(s, e, 5000, &ne) & FD_CLOSE, FD_CLOSE);
  ASSERT_EQ(ne.iErrorCode[FD_CLOSE_BIT], 0);
  ASSERT_EQ(WSAEventSelect(s, NULL, 0), 0);
  ASSERT_EQ(ioctlsocket(s, FIONBIO, &off), 0);
  ASSERT_EQ(closesocket(s), 0);
  WSACloseEvent(e);
  t_cleanup();
}

TEST(event_select_accept_and_connect) {
  SOCKET l, c, a1, a2;
  struct sockaddr_in addr;
  WSAEVENT el, ec;
  WSANETWORKEVENTS ne;
  int r;
  t_startup();
  l = t_listener(&addr);
  el = WSACreateEvent();
  ec = WSACreateEvent();
  ASSERT_EQ(WSAEventSelect(l, el, FD_ACCEPT), 0);
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(WSAEventSelect(c, ec, FD_CONNECT | FD_WRITE), 0);
  r = connect(c, (struct sockaddr *)&addr, sizeof(addr));
  ASSERT_EQ(r, SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK); /* selected: non-blocking */
  ASSERT_EQ(wait_events(c, ec, 5000, &ne) & FD_CONNECT, FD_CONNECT);
  ASSERT_EQ(ne.iErrorCode[FD_CONNECT_BIT], 0);
  ASSERT_EQ(wait_events(l, el, 5000, &ne), FD_ACCEPT);
  /* A second connection: FD_ACCEPT comes back after accept. */
  {
    SOCKET c2 = socket(AF_INET, SOCK_STREAM, 0);
    u_long off = 0;
    ASSERT_EQ(connect(c2, (struct sockaddr *)&addr, sizeof(addr)), 0);
    Sleep(50);
    ASSERT_EQ(wait_events(l, el, 200, &ne), 0);
    a1 = accept(l, NULL, NULL);
    ASSERT_NE(a1, INVALID_SOCKET);
    ASSERT_EQ(wait_events(l, el, 5000, &ne), FD_ACCEPT);
    a2 = accept(l, NULL, NULL);
    ASSERT_NE(a2, INVALID_SOCKET);
    ASSERT_EQ(ioctlsocket(a2, FIONBIO, &off), SOCKET_ERROR); /* inherited */
    closesocket(c2);
  }
  /* A refused connect: FD_CONNECT with WSAECONNREFUSED. */
  closesocket(c);
  closesocket(l);
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(WSAEventSelect(c, ec, FD_CONNECT), 0);
  WSAResetEvent(ec);
  r = connect(c, (struct sockaddr *)&addr, sizeof(addr));
  if (r == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK) {
    ASSERT_EQ(wait_events(c, ec, 5000, &ne), FD_CONNECT);
    ASSERT_EQ(ne.iErrorCode[FD_CONNECT_BIT], WSAECONNREFUSED);
  }
  closesocket(c);
  closesocket(a1);
  closesocket(a2);
  WSACloseEvent(el);
  WSACloseEvent(ec);
  t_cleanup();
}

TEST(enum_network_events_errors) {
  SOCKET s;
  WSAEVENT e = WSACreateEvent();
  t_startup();
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(WSAEnumNetworkEvents(s, e, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(WSAEventSelect(s, (WSAEVENT)0x7ff0, FD_READ), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(WSAEventSelect((SOCKET)0x7ff0, e, FD_READ), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  closesocket(s);
  WSACloseEvent(e);
  t_cleanup();
}
