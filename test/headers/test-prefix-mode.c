/*
 * Prefix mode, the way ws2's own sources use the headers: Linux's socket
 * headers first, then every ws2 header. The Linux names keep their Linux
 * meaning; the Windows ones exist only under WS_ (plus the names that do
 * not clash, which are the same as in Windows mode). pins-prefix.h checks
 * every WS_ constant against its Windows value.
 */
#define _GNU_SOURCE
#define WS2_USE_PREFIX

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

#include "ws2test.h"
#include "pins-prefix.h"

/* Both worlds side by side. */
_Static_assert(WS_AF_INET6 == 23 && AF_INET6 == 10, "AF_INET6");
_Static_assert(WS_SOL_SOCKET == 0xffff && SOL_SOCKET == 1, "SOL_SOCKET");
_Static_assert(WS_SO_REUSEADDR == 4 && SO_REUSEADDR == 2, "SO_REUSEADDR");
_Static_assert(WS_POLLIN == 0x300 && POLLIN == 1, "POLLIN");
_Static_assert(WS_IP_ADD_MEMBERSHIP == 12 && IP_ADD_MEMBERSHIP == 35, "mreq");
_Static_assert(WS_MSG_WAITALL == 8 && MSG_WAITALL == 0x100, "MSG_WAITALL");
_Static_assert(WS_FD_SETSIZE == 64 && FD_SETSIZE == 1024, "FD_SETSIZE");
_Static_assert(WS_EAI_NONAME == 11001 && EAI_NONAME == -2, "EAI_NONAME");
_Static_assert(WS_INET6_ADDRSTRLEN == 65 && INET6_ADDRSTRLEN == 46, "strlen");
_Static_assert(sizeof(struct WS_sockaddr_in) == 16, "WS_sockaddr_in");
_Static_assert(sizeof(struct WS_sockaddr_in6) == 28, "WS_sockaddr_in6");
_Static_assert(sizeof(struct sockaddr_in6) == 28, "Linux sockaddr_in6");
_Static_assert(sizeof(WS_fd_set) == 520 && sizeof(fd_set) == 128, "fd_set");
_Static_assert(sizeof(struct WS_timeval) == 8 &&
                   sizeof(struct timeval) == 16, "timeval");
_Static_assert(sizeof(WS_u_long) == 4 && sizeof(u_long) == 8, "u_long");
_Static_assert(sizeof(struct WS_addrinfo) == 48 &&
                   offsetof(struct WS_addrinfo, ai_canonname) <
                       offsetof(struct WS_addrinfo, ai_addr),
               "Windows addrinfo order");
_Static_assert(offsetof(struct addrinfo, ai_addr) <
                   offsetof(struct addrinfo, ai_canonname),
               "Linux addrinfo order");
_Static_assert(sizeof(struct WS_sockaddr_un) == 110 &&
                   sizeof(struct sockaddr_un) == 110, "sockaddr_un");
_Static_assert(sizeof(struct WS_pollfd) == 16 && sizeof(struct pollfd) == 8,
               "pollfd");
_Static_assert(WS_SIOCATMARK == 0x40047307 && SIOCATMARK == 0x8905,
               "SIOCATMARK");

/* The non-clashing names are the same in both modes. */
_Static_assert(SIO_GET_EXTENSION_FUNCTION_POINTER == 0xC8000006, "SIO");
_Static_assert(XP1_IFS_HANDLES == 0x20000 && FD_ADDRESS_LIST_CHANGE == 0x200,
               "XP1/FD");
_Static_assert(sizeof(WSAPROTOCOL_INFOW) == 628, "WSAPROTOCOL_INFOW");
_Static_assert(sizeof(WSPPROC_TABLE) == 30 * sizeof(void *), "WSPPROC_TABLE");

/* Both selects, with their own types. */
typedef int (*linux_select_fn)(int, fd_set *, fd_set *, fd_set *,
                               struct timeval *);
typedef int (*ws2_select_fn)(int, WS_fd_set *, WS_fd_set *, WS_fd_set *,
                             const struct WS_timeval *);
_Static_assert(__builtin_types_compatible_p(__typeof__(&select),
                                            linux_select_fn),
               "select is Linux's");
_Static_assert(__builtin_types_compatible_p(__typeof__(&WS_select),
                                            ws2_select_fn),
               "WS_select is Winsock's");
_Static_assert(__builtin_types_compatible_p(__typeof__(&WS_bind),
                                            int (*)(SOCKET,
                                                    const struct WS_sockaddr *,
                                                    int)),
               "WS_bind");

TEST(prefix_pins) {
  printf("# %d prefix-mode pins\n", WS2_PREFIX_PINS);
  ASSERT_GT(WS2_PREFIX_PINS, 300);
}

TEST(both_fd_sets) {
  WS_fd_set w;
  fd_set l;
  WS_FD_ZERO(&w);
  WS_FD_SET(7, &w);
  FD_ZERO(&l);
  FD_SET(7, &l);
  ASSERT_EQ(w.fd_count, 1);
  ASSERT_EQ_U(w.fd_array[0], 7);
  ASSERT_TRUE(FD_ISSET(7, &l));
}

TEST(both_in_addrs) {
  struct WS_in_addr w;
  struct in_addr l;
  w.WS_s_addr = htonl(INADDR_LOOPBACK); /* Linux htonl/INADDR_LOOPBACK */
  l.s_addr = w.S_un.S_addr;
  ASSERT_EQ(w.S_un.S_un_b.s_b1, 127);
  ASSERT_EQ_U(l.s_addr, htonl(0x7f000001));
  ASSERT_EQ_U(WS_INADDR_LOOPBACK, INADDR_LOOPBACK);
}
