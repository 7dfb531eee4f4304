/* UDP and IPv6 through the Winsock API: datagrams, sources, truncation
 * (WSAEMSGSIZE with the part that fits), overlapped recvfrom. Runs on each
 * engine. */
#include "ws2io.h"

static SOCKET udp_bound(struct sockaddr_in *a) {
  SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  int len = sizeof(*a);
  ASSERT_NE(s, INVALID_SOCKET);
  memset(a, 0, sizeof(*a));
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, (struct sockaddr *)a, sizeof(*a)), 0);
  ASSERT_EQ(getsockname(s, (struct sockaddr *)a, &len), 0);
  return s;
}

TEST(datagrams_with_sources_and_truncation) {
  struct sockaddr_in a, b, from;
  SOCKET s1, s2;
  char buf[64];
  int fromlen = sizeof(from), small = 4;
  t_startup();
  s1 = udp_bound(&a);
  s2 = udp_bound(&b);
  ASSERT_EQ(sendto(s2, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)), 8);
  ASSERT_EQ(recvfrom(s1, buf, sizeof(buf), 0, (struct sockaddr *)&from,
                     &fromlen),
            8);
  ASSERT_EQ(fromlen, sizeof(from));
  ASSERT_EQ(from.sin_port, b.sin_port);
  /* Too small a buffer: the part that fits, and WSAEMSGSIZE. */
  ASSERT_EQ(sendto(s2, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)), 8);
  ASSERT_EQ(recv(s1, buf, small, 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEMSGSIZE);
  ASSERT_MEM_EQ(buf, "data", 4);
  /* recvfrom with too short a fromlen: WSAEFAULT. */
  fromlen = 4;
  ASSERT_EQ(recvfrom(s1, buf, sizeof(buf), 0, (struct sockaddr *)&from,
                     &fromlen),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  /* Listening on UDP is not supported. */
  ASSERT_EQ(listen(s1, 1), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEOPNOTSUPP);
  closesocket(s1);
  closesocket(s2);
  t_cleanup();
}

TEST(overlapped_recvfrom_reports_source_and_msgsize) {
  struct sockaddr_in a, b, from;
  SOCKET s1, s2;
  WSAOVERLAPPED ov;
  WSABUF wb;
  char buf[4];
  DWORD n = 0, flags = 0;
  int fromlen = sizeof(from);
  t_startup();
  s1 = udp_bound(&a);
  s2 = udp_bound(&b);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  wb.buf = buf;
  wb.len = sizeof(buf);
  ASSERT_EQ(WSARecvFrom(s1, &wb, 1, &n, &flags, (struct sockaddr *)&from,
                        &fromlen, &ov, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(sendto(s2, "0123456789", 10, 0, (struct sockaddr *)&a, sizeof(a)),
            10);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, TRUE, 5000, FALSE),
            WSA_WAIT_EVENT_0);
  ASSERT_FALSE(WSAGetOverlappedResult(s1, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSAEMSGSIZE);
  ASSERT_EQ(n, 4);
  ASSERT_EQ(from.sin_port, b.sin_port);
  WSACloseEvent(ov.hEvent);
  closesocket(s1);
  closesocket(s2);
  t_cleanup();
}

TEST(ipv6_tcp_loopback) {
  struct sockaddr_in6 a;
  SOCKET l, c, s;
  int len = sizeof(a);
  char buf[8];
  t_startup();
  l = socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_NE(l, INVALID_SOCKET);
  memset(&a, 0, sizeof(a));
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  if (bind(l, (struct sockaddr *)&a, sizeof(a)) != 0) {
    closesocket(l);
    t_cleanup();
    SKIP("no IPv6 loopback here");
  }
  ASSERT_EQ(listen(l, 4), 0);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)&a, &len), 0);
  ASSERT_EQ(len, sizeof(struct sockaddr_in6));
  ASSERT_EQ(a.sin6_family, AF_INET6);
  c = socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_EQ(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
  s = accept(l, NULL, NULL);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(send(c, "six", 3, 0), 3);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 3);
  closesocket(c);
  closesocket(s);
  closesocket(l);
  t_cleanup();
}
