/*
 * A Windows-mode program that includes <windows.h> and <winsock2.h> first
 * and the C library headers after them.
 */
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <mstcpip.h>
#include <ws2spi.h>
#include <afunix.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <unistd.h>

#include "ws2test.h"

_Static_assert(sizeof(u_long) == 4, "u_long is 32-bit");
_Static_assert(sizeof(u_int) == 4, "u_int is 32-bit");
_Static_assert(sizeof(u_short) == 2, "u_short is 16-bit");
_Static_assert(sizeof(LONG) == 4, "LONG is 32-bit");
_Static_assert(sizeof(DWORD) == 4, "DWORD is 32-bit");
_Static_assert(FD_SETSIZE == 64, "the Windows FD_SETSIZE");
_Static_assert(sizeof(fd_set) == 520, "the Windows fd_set");
_Static_assert(sizeof(FD_SET) == 520, "FD_SET is also the type");
_Static_assert(sizeof(struct timeval) == 8, "the Windows timeval");
_Static_assert(sizeof(socklen_t) == 4 && (socklen_t)-1 < 0,
               "socklen_t is a signed int");
_Static_assert(sizeof(struct sockaddr_storage) == 128, "sockaddr_storage");
_Static_assert(sizeof(struct sockaddr_un) == 110, "sockaddr_un");
_Static_assert(sizeof(struct linger) == 4, "u_short linger");

typedef int (*ws2_select_fn)(int, fd_set *, fd_set *, fd_set *,
                             const struct timeval *);
_Static_assert(__builtin_types_compatible_p(__typeof__(&select), ws2_select_fn),
               "select is Winsock's");

TEST(timeval_macros) {
  struct timeval a = {1, 500}, b = {1, 700};
  ASSERT_TRUE(timerisset(&a));
  ASSERT_TRUE(timercmp(&a, &b, <));
  ASSERT_FALSE(timercmp(&a, &b, >));
  timerclear(&a);
  ASSERT_FALSE(timerisset(&a));
}

TEST(in_addr_union) {
  struct in_addr a;
  a.s_addr = 0;
  a.S_un.S_un_b.s_b1 = 127;
  a.S_un.S_un_b.s_b4 = 1;
  ASSERT_EQ(a.s_net, 127);
  ASSERT_EQ(a.s_impno, 1);
  ASSERT_EQ_U(a.S_un.S_addr, 0x0100007f); /* network order, little-endian */
}

TEST(libc_still_works) {
  char *p = (char *)malloc(16);
  ASSERT_NE_PTR(p, NULL);
  memset(p, 'x', 16);
  ASSERT_EQ(p[15], 'x');
  free(p);
  ASSERT_TRUE(time(NULL) > 0);
}
