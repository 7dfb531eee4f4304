/*
 * Prefix mode with the ws2 headers first and Linux's socket headers
 * after them: nothing ws2 defines may change what those headers declare.
 */
#define _GNU_SOURCE
#define WS2_USE_PREFIX

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <ws2ipdef.h>
#include <mswsock.h>
#include <mstcpip.h>
#include <ws2spi.h>
#include <afunix.h>
#include <sporder.h>
#include <qos.h>
#include <winsock.h>
#include <wsipv6ok.h>

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <poll.h>
#include <net/if.h>
#include <ifaddrs.h>
#include <fcntl.h>
#include <errno.h>
#include <resolv.h>
#include <linux/errqueue.h>
#include <linux/sockios.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ws2test.h"
#include "pins-prefix.h"

_Static_assert(AF_INET6 == 10 && WS_AF_INET6 == 23, "AF_INET6");
_Static_assert(FD_SETSIZE == 1024 && sizeof(fd_set) == 128, "Linux fd_set");
_Static_assert(sizeof(u_long) == 8, "Linux u_long");
_Static_assert(sizeof(struct timeval) == 16, "Linux timeval");
_Static_assert(EAI_NONAME == -2, "Linux EAI_NONAME");
_Static_assert(sizeof(socklen_t) == 4 && (socklen_t)-1 > 0,
               "Linux socklen_t is unsigned");
_Static_assert((WS_socklen_t)-1 < 0, "Windows socklen_t is signed");

TEST(linux_headers_intact) {
  struct sockaddr_in6 s6;
  struct pollfd p;
  memset(&s6, 0, sizeof s6);
  s6.sin6_family = AF_INET6;
  s6.sin6_addr = in6addr_loopback; /* glibc's, not WS_in6addr_loopback */
  ASSERT_TRUE(IN6_IS_ADDR_LOOPBACK(&s6.sin6_addr));
  p.events = POLLIN;
  ASSERT_EQ(p.events, 1);
  ASSERT_EQ(h_errno, h_errno); /* glibc's per-thread h_errno */
  ASSERT_EQ(WS_PF_INET6, 23);
}
