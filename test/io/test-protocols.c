/* WSAEnumProtocolsA/W: the built-in base entries, the two-call pattern,
 * filtering, and SO_PROTOCOL_INFO agreeing with them. */
#include "ws2io.h"

TEST(enum_protocols_two_call_pattern) {
  DWORD len = 0;
  WSAPROTOCOL_INFOW *w;
  WSAPROTOCOL_INFOA *a;
  int n, i, tcp = -1, protos[] = {IPPROTO_UDP, 0};
  t_startup();
  ASSERT_EQ(WSAEnumProtocolsW(NULL, NULL, &len), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOBUFS);
  ASSERT_EQ(len % sizeof(WSAPROTOCOL_INFOW), 0);
  ASSERT_GE(len / sizeof(WSAPROTOCOL_INFOW), 6);
  w = (WSAPROTOCOL_INFOW *)malloc(len);
  n = WSAEnumProtocolsW(NULL, w, &len);
  ASSERT_EQ(n, (int)(len / sizeof(WSAPROTOCOL_INFOW)));
  for (i = 0; i < n; i++) {
#ifdef _WIN32
    /* Windows (and Wine) have entries of other families (IPX, Bluetooth,
     * Hyper-V...) and may have layers: check the IP entries. */
    if (w[i].iAddressFamily != AF_INET && w[i].iAddressFamily != AF_INET6)
      continue;
#endif
    ASSERT_TRUE(w[i].dwServiceFlags1 & XP1_IFS_HANDLES);
    ASSERT_EQ(w[i].ProtocolChain.ChainLen, BASE_PROTOCOL);
    if (w[i].iAddressFamily == AF_INET && w[i].iSocketType == SOCK_STREAM)
      tcp = i;
  }
  ASSERT_GE(tcp, 0);
  ASSERT_EQ(w[tcp].iProtocol, IPPROTO_TCP);
  /* Filtered: only UDP entries. */
  len = (DWORD)(n * sizeof(WSAPROTOCOL_INFOW));
  n = WSAEnumProtocolsW(protos, w, &len);
  ASSERT_GE(n, 1);
  /* UDP entries, and raw entries whose protocol range covers UDP. */
  for (i = 0; i < n; i++)
    ASSERT_TRUE(w[i].iProtocol == IPPROTO_UDP ||
                (w[i].iSocketType == SOCK_RAW &&
                 w[i].iProtocol + w[i].iProtocolMaxOffset >= IPPROTO_UDP));
  /* The A form: same entries, narrow names. */
  len = 0;
  ASSERT_EQ(WSAEnumProtocolsA(NULL, NULL, &len), SOCKET_ERROR);
  a = (WSAPROTOCOL_INFOA *)malloc(len);
  ASSERT_GE(WSAEnumProtocolsA(NULL, a, &len), 1);
  ASSERT_NE(a[0].szProtocol[0], 0);
  ASSERT_EQ(WSAEnumProtocolsW(NULL, w, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  free(a);
  free(w);
  t_cleanup();
}
