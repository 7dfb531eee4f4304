/* WSARecvMsg and WSASendMsg with IP_PKTINFO / IPV6_PKTINFO control data.
 * Runs on each engine. */
#include "ws2io.h"

static LPFN_WSARECVMSG get_recvmsg(SOCKET s) {
  GUID id = WSAID_WSARECVMSG;
  LPFN_WSARECVMSG fn = NULL;
  DWORD n;
  ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                     &fn, sizeof(fn), &n, NULL, NULL),
            0);
  return fn;
}

TEST(recvmsg_pktinfo_and_sendmsg) {
  struct sockaddr_in a, b, from;
  SOCKET r, w;
  int len = sizeof(a), on = 1;
  LPFN_WSARECVMSG pRecvMsg;
  WSAMSG msg;
  WSABUF data;
  char buf[32], ctl[WSA_CMSG_SPACE(sizeof(IN_PKTINFO)) + 16];
  DWORD n = 0;
  WSACMSGHDR *c;
  IN_PKTINFO pi;
  t_startup();
  r = socket(AF_INET, SOCK_DGRAM, 0);
  w = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(r, (struct sockaddr *)&a, sizeof(a)), 0);
  ASSERT_EQ(getsockname(r, (struct sockaddr *)&a, &len), 0);
  b = a;
  b.sin_port = 0;
  ASSERT_EQ(bind(w, (struct sockaddr *)&b, sizeof(b)), 0);
  ASSERT_EQ(setsockopt(r, IPPROTO_IP, IP_PKTINFO, (char *)&on, sizeof(on)), 0);
  pRecvMsg = get_recvmsg(r);

  /* WSASendMsg with a destination and no control data. */
  memset(&msg, 0, sizeof(msg));
  data.buf = "pkt";
  data.len = 3;
  msg.name = (struct sockaddr *)&a;
  msg.namelen = sizeof(a);
  msg.lpBuffers = &data;
  msg.dwBufferCount = 1;
  ASSERT_EQ(WSASendMsg(w, &msg, 0, &n, NULL, NULL), 0);
  ASSERT_EQ(n, 3);

  memset(&msg, 0, sizeof(msg));
  data.buf = buf;
  data.len = sizeof(buf);
  msg.name = (struct sockaddr *)&from;
  msg.namelen = sizeof(from);
  msg.lpBuffers = &data;
  msg.dwBufferCount = 1;
  msg.Control.buf = ctl;
  msg.Control.len = sizeof(ctl);
  ASSERT_EQ(pRecvMsg(r, &msg, &n, NULL, NULL), 0);
  ASSERT_EQ(n, 3);
  ASSERT_EQ(msg.namelen, sizeof(from));
  ASSERT_EQ(from.sin_family, AF_INET);
  c = WSA_CMSG_FIRSTHDR(&msg);
  ASSERT_NE_PTR(c, NULL);
  ASSERT_EQ(c->cmsg_level, IPPROTO_IP);
  ASSERT_EQ(c->cmsg_type, IP_PKTINFO);
  memcpy(&pi, WSA_CMSG_DATA(c), sizeof(pi));
  ASSERT_EQ(pi.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
  ASSERT_GT(pi.ipi_ifindex, 0);
  /* A stream socket cannot use WSARecvMsg. */
  {
    SOCKET t = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(pRecvMsg(t, &msg, &n, NULL, NULL), SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), WSAEOPNOTSUPP);
    closesocket(t);
  }
  closesocket(r);
  closesocket(w);
  t_cleanup();
}
