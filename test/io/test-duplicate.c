/* WSADuplicateSocket and WSASocket(FROM_PROTOCOL_INFO). Runs on each
 * engine. (The cross-process case is test/unit/test-duplicate-fork.c.) */
#include "ws2io.h"

TEST(duplicate_into_this_process) {
  SOCKET c, s, d;
  WSAPROTOCOL_INFOW info;
  WSAPROTOCOL_INFOA infoa;
  char buf[8];
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_EQ(WSADuplicateSocketW(c, GetCurrentProcessId(), NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(WSADuplicateSocketW(c, GetCurrentProcessId(), &info), 0);
  ASSERT_EQ(info.iAddressFamily, AF_INET);
  ASSERT_EQ(info.iSocketType, SOCK_STREAM);
  ASSERT_EQ(WSADuplicateSocketA(c, GetCurrentProcessId(), &infoa), 0);
  /* The source may close at once: the duplicate still names the socket. */
  ASSERT_EQ(closesocket(c), 0);
  d = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                 &info, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(d, INVALID_SOCKET);
  ASSERT_EQ(send(d, "dup", 3, 0), 3);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 3);
  ASSERT_MEM_EQ(buf, "dup", 3);
  ASSERT_EQ(closesocket(d), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}
