/*
 * <winsock2.h> alone first (it includes <windows.h> itself, as on
 * Windows), then <windows.h> and the rest; also <winsock.h>, which is
 * Winsock 2 here.
 */
#include <winsock2.h>
#include <windows.h>
#include <winsock.h>
#include <ws2tcpip.h>
#include <wsipv6ok.h>
#include <stdlib.h>

#include "ws2test.h"

_Static_assert(sizeof(fd_set) == 520, "the Windows fd_set");
_Static_assert(sizeof(OVERLAPPED) == 32, "OVERLAPPED from <windows.h>");
_Static_assert(sizeof(WSAOVERLAPPED) == sizeof(OVERLAPPED), "same type");
_Static_assert(SOMAXCONN == 0x7fffffff, "SOMAXCONN");
_Static_assert(SOMAXCONN_HINT(500) == -500, "SOMAXCONN_HINT");

TEST(hostent_shape) {
  struct hostent h;
  char addr[4] = {127, 0, 0, 1};
  char *list[2] = {addr, NULL};
  h.h_addr_list = list;
  ASSERT_EQ_PTR(h.h_addr, addr);
  ASSERT_EQ(sizeof h.h_length, 2);
}
