/*
 * A program that defines FD_SETSIZE before <winsock2.h> gets a larger
 * fd_set, as on Windows, even though the C library headers (which define
 * their own FD_SETSIZE) are included after it.
 */
#define FD_SETSIZE 1024
#include <stdio.h>
#include <winsock2.h>
#include <stdlib.h>
#include <sys/select.h>
#include <unistd.h>

#include "ws2test.h"

_Static_assert(FD_SETSIZE == 1024, "the program's FD_SETSIZE");
_Static_assert(sizeof(fd_set) == 8 + 1024 * 8, "a 1024-socket fd_set");

TEST(fd_set_holds_fd_setsize) {
  static fd_set set;
  u_int i;
  FD_ZERO(&set);
  for (i = 0; i < FD_SETSIZE + 10; i++) FD_SET((SOCKET)(i + 1), &set);
  ASSERT_EQ(set.fd_count, FD_SETSIZE); /* full: later ones are dropped */
  ASSERT_EQ_U(set.fd_array[FD_SETSIZE - 1], FD_SETSIZE);
}
