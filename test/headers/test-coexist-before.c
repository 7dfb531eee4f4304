/*
 * A Windows-mode program that includes the C library headers first and
 * <windows.h>/<winsock2.h> after them: the Windows names must still mean
 * what they mean on Windows x64 (32-bit u_long and LONG, the 520-byte
 * fd_set, the 8-byte timeval, Winsock's select).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include <unistd.h>

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>

#include "ws2test.h"

_Static_assert(sizeof(u_long) == 4, "u_long is 32-bit");
_Static_assert(sizeof(LONG) == 4, "LONG is 32-bit");
_Static_assert(sizeof(ULONG_PTR) == 8, "ULONG_PTR is pointer-sized");
_Static_assert(sizeof(SOCKET) == 8, "SOCKET is pointer-sized");
_Static_assert(sizeof(WCHAR) == 2, "WCHAR is 16-bit");
_Static_assert(FD_SETSIZE == 64, "the Windows FD_SETSIZE");
_Static_assert(sizeof(fd_set) == 520, "the Windows fd_set");
_Static_assert(sizeof(struct timeval) == 8, "the Windows timeval");
_Static_assert(sizeof(((struct timeval *)0)->tv_sec) == 4, "32-bit tv_sec");
_Static_assert(AF_INET6 == 23, "the Windows AF_INET6");
_Static_assert(SOL_SOCKET == 0xffff, "the Windows SOL_SOCKET");

/* select has Winsock's type, without calling it (no Winsock symbol yet). */
typedef int (*ws2_select_fn)(int, fd_set *, fd_set *, fd_set *,
                             const struct timeval *);
_Static_assert(__builtin_types_compatible_p(__typeof__(&select), ws2_select_fn),
               "select is Winsock's");
typedef int (*ws2_gethostname_fn)(char *, int);
_Static_assert(__builtin_types_compatible_p(__typeof__(&gethostname),
                                            ws2_gethostname_fn),
               "gethostname is Winsock's");

TEST(libc_still_works) {
  /* The C library is intact next to the Windows names. */
  char buf[32];
  time_t t = time(NULL);
  ASSERT_TRUE(t > 0);
  snprintf(buf, sizeof buf, "%d", 42);
  ASSERT_EQ(strcmp(buf, "42"), 0);
  ASSERT_TRUE(getpid() > 0);
}

TEST(fd_set_macros) {
  fd_set set;
  FD_ZERO(&set);
  ASSERT_EQ(set.fd_count, 0);
  FD_SET((SOCKET)0x100, &set);
  FD_SET((SOCKET)0x200, &set);
  FD_SET((SOCKET)0x100, &set); /* already present: not added twice */
  ASSERT_EQ(set.fd_count, 2);
  ASSERT_EQ_U(set.fd_array[0], 0x100);
  ASSERT_EQ_U(set.fd_array[1], 0x200);
  FD_CLR((SOCKET)0x100, &set); /* removal closes the gap */
  ASSERT_EQ(set.fd_count, 1);
  ASSERT_EQ_U(set.fd_array[0], 0x200);
}
