/*
 * WIN32_LEAN_AND_MEAN, <windows.h> before <winsock2.h>, and the usual
 * companions in the usual order.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <stdio.h>
#include <string.h>

#include "ws2test.h"

_Static_assert(sizeof(fd_set) == 520, "the Windows fd_set");
_Static_assert(WINSOCK_VERSION == 0x0202, "MAKEWORD(2, 2)");

TEST(wsastartup_request) {
  /* What a program passes to WSAStartup (not called: no Winsock yet). */
  WORD v = MAKEWORD(2, 2);
  WSADATA d;
  ASSERT_EQ(v, 0x0202);
  ASSERT_EQ(LOBYTE(v), 2);
  ASSERT_EQ(HIBYTE(v), 2);
  ASSERT_EQ(sizeof d, 408);
  ASSERT_EQ(sizeof d.szDescription, 257);
  ASSERT_EQ(sizeof d.szSystemStatus, 129);
}

TEST(select_messages) {
  LPARAM lp = WSAMAKESELECTREPLY(FD_CLOSE, WSAECONNRESET);
  ASSERT_EQ(WSAGETSELECTEVENT(lp), FD_CLOSE);
  ASSERT_EQ(WSAGETSELECTERROR(lp), WSAECONNRESET);
}
