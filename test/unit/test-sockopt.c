/*
 * getsockopt/setsockopt of the base provider (src/provider/base/sockopt.c)
 * on real Linux sockets, loopback only: every option's round trip in
 * Windows form and what it did on the Linux socket, Windows' defaults,
 * the SO_REUSEADDR / SO_EXCLUSIVEADDRUSE rules as far as Linux can keep
 * them (bind is done with Linux's bind here: WSPBind is the provider's),
 * the protocol entries, and the error codes.
 */
#define WS2_USE_PREFIX
#include <winsock2.h>
#include <mswsock.h>
#include <ws2tcpip.h>

#include "core/object.h"
#include "provider/base/bsp.h"
#include "ws2test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------- */

static DWORD catalog_id(int af, int type) {
  int base = af == WS_AF_INET6 ? 3 : af == WS_AF_UNIX ? 6 : 0;
  int kind = type == WS_SOCK_STREAM ? 0 : type == WS_SOCK_DGRAM ? 1 : 2;
  return 1001 + (DWORD)(af == WS_AF_UNIX ? base : base + kind);
}

/* A provider socket around a new Linux socket, as WSPSocket makes it. */
static ws2__bsock_t *mk(int af, int type, int proto) {
  int laf = af == WS_AF_INET6 ? AF_INET6 : af == WS_AF_UNIX ? AF_UNIX
                                                            : AF_INET;
  int fd = socket(laf, type, proto), r;
  ws2__bsock_t *s = NULL;
  if (fd < 0) WS2TEST_FAIL_("socket: errno %d", errno);
  r = ws2__bsock_new(fd, af, type, proto, &s);
  if (r) WS2TEST_FAIL_("ws2__bsock_new: %d", r);
  s->catalog_id = catalog_id(af, type);
  ws2__bsp_sockopt_defaults(s);
  return s;
}

#define TCP4() mk(WS_AF_INET, WS_SOCK_STREAM, WS_IPPROTO_TCP)
#define TCP6() mk(WS_AF_INET6, WS_SOCK_STREAM, WS_IPPROTO_TCP)
#define UDP4() mk(WS_AF_INET, WS_SOCK_DGRAM, WS_IPPROTO_UDP)
#define UDP6() mk(WS_AF_INET6, WS_SOCK_DGRAM, WS_IPPROTO_UDP)

static void done(ws2__bsock_t *s) { ws2__bsock_discard(s); }

static int getr(ws2__bsock_t *s, int lvl, int name, void *v, int *len) {
  return ws2__bsp_getsockopt(s, lvl, name, (char *)v, len);
}

static int setr(ws2__bsock_t *s, int lvl, int name, const void *v, int len) {
  return ws2__bsp_setsockopt(s, lvl, name, (const char *)v, len);
}

static int set_dw(ws2__bsock_t *s, int lvl, int name, DWORD v) {
  return setr(s, lvl, name, &v, sizeof(v));
}

/* getsockopt of a DWORD/BOOL option that must succeed with 4 bytes. */
static DWORD get_dw_(ws2__bsock_t *s, int lvl, int name, int line) {
  DWORD v = 0xdeadbeef;
  int len = 4, r = getr(s, lvl, name, &v, &len);
  if (r || len != 4)
    WS2TEST_FAIL_("line %d: getsockopt(%d, 0x%x): %d, len %d", line, lvl,
                  name, r, len);
  return v;
}
#define get_dw(s, lvl, name) get_dw_((s), (lvl), (name), __LINE__)

#define SET_OK(s, lvl, name, v)                                        \
  do {                                                                 \
    int r_ = set_dw((s), (lvl), (name), (v));                          \
    if (r_) WS2TEST_FAIL_("setsockopt(%d, 0x%x, %lu): %d", (lvl),      \
                          (name), (unsigned long)(v), r_);             \
  } while (0)

/* Linux's own view of an int option. */
static int lx(ws2__bsock_t *s, int lvl, int name) {
  int v = -12345;
  socklen_t n = sizeof(v);
  if (getsockopt(s->fd, lvl, name, &v, &n) != 0)
    WS2TEST_FAIL_("linux getsockopt(%d, %d): errno %d", lvl, name, errno);
  return v;
}

static uint32_t flags(ws2__bsock_t *s) {
  uint32_t f;
  pthread_mutex_lock(&s->lock);
  f = s->flags;
  pthread_mutex_unlock(&s->lock);
  return f;
}

static struct sockaddr_in lo4(unsigned short port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/* Linux bind of s to 127.0.0.1:port; 0 or errno. */
static int lbind(ws2__bsock_t *s, unsigned short port) {
  struct sockaddr_in a = lo4(port);
  return bind(s->fd, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : errno;
}

static unsigned short port_of(int fd) {
  struct sockaddr_in a;
  socklen_t n = sizeof(a);
  ASSERT_EQ(getsockname(fd, (struct sockaddr *)&a, &n), 0);
  return ntohs(a.sin_port);
}

/* A connected loopback TCP pair: *srv is the accepted fd (plain Linux). */
static ws2__bsock_t *connected(ws2__bsock_t *l, int *srv) {
  ws2__bsock_t *c = TCP4();
  struct sockaddr_in a;
  struct pollfd p;
  if (!(flags(l) & WS2__BS_LISTENING)) {
    ASSERT_EQ(lbind(l, 0), 0);
    ASSERT_EQ(listen(l->fd, 8), 0);
    pthread_mutex_lock(&l->lock);
    l->flags |= WS2__BS_BOUND | WS2__BS_LISTENING;
    pthread_mutex_unlock(&l->lock);
  }
  a = lo4(port_of(l->fd));
  if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0)
    ASSERT_EQ(errno, EINPROGRESS);
  p.fd = c->fd;
  p.events = POLLOUT;
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  p.fd = l->fd;
  p.events = POLLIN;
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  *srv = accept(l->fd, NULL, NULL);
  ASSERT_TRUE(*srv >= 0);
  pthread_mutex_lock(&c->lock);
  c->flags |= WS2__BS_BOUND | WS2__BS_CONNECTED;
  c->connect_tick = GetTickCount64();
  pthread_mutex_unlock(&c->lock);
  return c;
}

/* ---- defaults ------------------------------------------------------- */

TEST(defaults_tcp) {
  ws2__bsock_t *s = TCP4();
  struct WS_linger l;
  int len = sizeof(l);

  /* Windows' view: neither reuse option is on ... */
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_REUSEADDR), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_EXCLUSIVEADDRUSE), 0);
  /* ... and Linux's: SO_REUSEADDR so TIME_WAIT ports can be bound. */
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEADDR), 1);
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEPORT), 0);
  /* Windows' keep-alive interval (1 s) and probe count (10). */
  ASSERT_EQ(lx(s, IPPROTO_TCP, TCP_KEEPINTVL), 1);
  ASSERT_EQ(lx(s, IPPROTO_TCP, TCP_KEEPCNT), 10);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_KEEPINTVL), 1);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_KEEPCNT), 10);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_KEEPALIVE), 7200);

  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_DONTLINGER), 1);
  ASSERT_EQ(getr(s, WS_SOL_SOCKET, WS_SO_LINGER, &l, &len), 0);
  ASSERT_EQ(len, 4);
  ASSERT_EQ(l.l_onoff, 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_KEEPALIVE), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_BROADCAST), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_OOBINLINE), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_DEBUG), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_DONTROUTE), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_ACCEPTCONN), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_ERROR), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_TYPE), WS_SOCK_STREAM);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_RCVTIMEO), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_SNDTIMEO), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_CONNECT_TIME), 0xFFFFFFFFu);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_MAX_MSG_SIZE), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_CONDITIONAL_ACCEPT), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_GROUP_ID), 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_GROUP_PRIORITY), 0);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_NODELAY), 0);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_EXPEDITED_1122), 0);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_BSDURGENT), 1);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_TIMESTAMPS), 0);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_FASTOPEN), 0);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_MAXRT), 0);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_DONTFRAGMENT), 0);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER), 0); /* NOT_SET */
  done(s);
}

TEST(defaults_udp_and_ipv6) {
  ws2__bsock_t *u4 = UDP4(), *u6 = UDP6(), *t6 = TCP6();
  /* No TIME_WAIT for UDP: Linux's SO_REUSEADDR stays off. */
  ASSERT_EQ(lx(u4, SOL_SOCKET, SO_REUSEADDR), 0);
  ASSERT_EQ(get_dw(u4, WS_SOL_SOCKET, WS_SO_TYPE), WS_SOCK_DGRAM);
  ASSERT_EQ(get_dw(u4, WS_SOL_SOCKET, WS_SO_MAX_MSG_SIZE), 65507);
  ASSERT_EQ(get_dw(u6, WS_SOL_SOCKET, WS_SO_MAX_MSG_SIZE), 65527);
  ASSERT_EQ(get_dw(u4, WS_SOL_SOCKET, WS_SO_ACCEPTCONN), 0);
  /* Windows has IPV6_V6ONLY on by default; Linux off. */
  ASSERT_EQ(get_dw(u6, WS_IPPROTO_IPV6, WS_IPV6_V6ONLY), 1);
  ASSERT_EQ(get_dw(t6, WS_IPPROTO_IPV6, WS_IPV6_V6ONLY), 1);
  ASSERT_EQ(lx(u6, IPPROTO_IPV6, IPV6_V6ONLY), 1);
  ASSERT_EQ(lx(t6, IPPROTO_IPV6, IPV6_V6ONLY), 1);
  ASSERT_EQ(lx(t6, SOL_SOCKET, SO_REUSEADDR), 1);
  ASSERT_EQ(get_dw(u4, WS_IPPROTO_IP, WS_IP_MULTICAST_LOOP), 1);
  done(u4);
  done(u6);
  done(t6);
}

/* ---- BOOL options ---------------------------------------------------- */

struct bool_case {
  int af, type, proto, level, name;
  int llevel, lname; /* the Linux option it drives; -1: state kept by ws2 */
};

static void bool_round_trip(const struct bool_case *c) {
  ws2__bsock_t *s = mk(c->af, c->type, c->proto);
  char one = 1, got[4];
  DWORD big = 0x100;
  int len, r;

#define CHECK_LX(on)                                                     \
  if (c->llevel >= 0 && (lx(s, c->llevel, c->lname) != 0) != (on))      \
    WS2TEST_FAIL_("0x%x: Linux option %d is %d", c->name, c->lname,      \
                  lx(s, c->llevel, c->lname));

  r = set_dw(s, c->level, c->name, 1);
  if (r) WS2TEST_FAIL_("set 0x%x/%d: %d", c->level, c->name, r);
  ASSERT_EQ(get_dw(s, c->level, c->name), 1);
  CHECK_LX(1);
  SET_OK(s, c->level, c->name, 0);
  ASSERT_EQ(get_dw(s, c->level, c->name), 0);
  CHECK_LX(0);
  /* A 1-byte BOOL (a char), as Windows accepts. */
  ASSERT_EQ(setr(s, c->level, c->name, &one, 1), 0);
  ASSERT_EQ(get_dw(s, c->level, c->name), 1);
  CHECK_LX(1);
  /* Read back into 1 byte: 1 byte written, *optlen left at 1. */
  memset(got, 0x55, sizeof(got));
  len = 1;
  ASSERT_EQ(getr(s, c->level, c->name, got, &len), 0);
  ASSERT_EQ(len, 1);
  ASSERT_EQ(got[0], 1);
  ASSERT_EQ(got[1], 0x55);
  SET_OK(s, c->level, c->name, 0);
  /* Any non-zero DWORD is TRUE. */
  ASSERT_EQ(setr(s, c->level, c->name, &big, 4), 0);
  ASSERT_EQ(get_dw(s, c->level, c->name), 1);
  /* No bytes at all: WSAEFAULT both ways. */
  len = 0;
  ASSERT_EQ(getr(s, c->level, c->name, got, &len), WSAEFAULT);
  ASSERT_EQ(setr(s, c->level, c->name, &one, 0), WSAEFAULT);
  done(s);
#undef CHECK_LX
}

#define T4 WS_AF_INET, WS_SOCK_STREAM, WS_IPPROTO_TCP
#define U4 WS_AF_INET, WS_SOCK_DGRAM, WS_IPPROTO_UDP
#define T6 WS_AF_INET6, WS_SOCK_STREAM, WS_IPPROTO_TCP
#define U6 WS_AF_INET6, WS_SOCK_DGRAM, WS_IPPROTO_UDP

TEST(bool_options_round_trip) {
  static const struct bool_case cases[] = {
      {T4, WS_SOL_SOCKET, WS_SO_DEBUG, -1, 0},
      {T4, WS_SOL_SOCKET, WS_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE},
      {T4, WS_SOL_SOCKET, WS_SO_BROADCAST, SOL_SOCKET, SO_BROADCAST},
      {T4, WS_SOL_SOCKET, WS_SO_OOBINLINE, SOL_SOCKET, SO_OOBINLINE},
      {T4, WS_SOL_SOCKET, WS_SO_DONTROUTE, -1, 0}, /* ignored, as Windows */
      {T4, WS_SOL_SOCKET, WS_SO_CONDITIONAL_ACCEPT, -1, 0},
      {T4, WS_SOL_SOCKET, WS_SO_RANDOMIZE_PORT, -1, 0},
      {T4, WS_SOL_SOCKET, WS_SO_PORT_SCALABILITY, -1, 0},
      {T4, WS_IPPROTO_TCP, WS_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY},
      {T4, WS_IPPROTO_TCP, WS_TCP_EXPEDITED_1122, -1, 0},
      {T4, WS_IPPROTO_TCP, WS_TCP_TIMESTAMPS, -1, 0},
      {T4, WS_IPPROTO_TCP, WS_TCP_FASTOPEN, IPPROTO_TCP,
       TCP_FASTOPEN_CONNECT},
      {T4, WS_IPPROTO_IP, WS_IP_DONTFRAGMENT, IPPROTO_IP, IP_MTU_DISCOVER},
      {T6, WS_IPPROTO_TCP, WS_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY},
      {U4, WS_SOL_SOCKET, WS_SO_BROADCAST, SOL_SOCKET, SO_BROADCAST},
      {U4, WS_IPPROTO_IP, WS_IP_PKTINFO, IPPROTO_IP, IP_PKTINFO},
      {U4, WS_IPPROTO_IP, WS_IP_RECVTTL, IPPROTO_IP, IP_RECVTTL},
      {U4, WS_IPPROTO_IP, WS_IP_RECVTOS, IPPROTO_IP, IP_RECVTOS},
      {U4, WS_IPPROTO_IP, WS_IP_MULTICAST_LOOP, IPPROTO_IP,
       IP_MULTICAST_LOOP},
      {U4, WS_IPPROTO_UDP, WS_UDP_NOCHECKSUM, SOL_SOCKET, SO_NO_CHECK},
      {U6, WS_IPPROTO_IPV6, WS_IPV6_V6ONLY, IPPROTO_IPV6, IPV6_V6ONLY},
      {U6, WS_IPPROTO_IPV6, WS_IPV6_PKTINFO, IPPROTO_IPV6, IPV6_RECVPKTINFO},
      {U6, WS_IPPROTO_IPV6, WS_IPV6_HOPLIMIT, IPPROTO_IPV6,
       IPV6_RECVHOPLIMIT},
      {U6, WS_IPPROTO_IPV6, WS_IPV6_RECVTCLASS, IPPROTO_IPV6,
       IPV6_RECVTCLASS},
      {U6, WS_IPPROTO_IPV6, WS_IPV6_DONTFRAG, IPPROTO_IPV6, IPV6_DONTFRAG},
      {U6, WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_LOOP, IPPROTO_IPV6,
       IPV6_MULTICAST_LOOP},
      {U6, WS_IPPROTO_UDP, WS_UDP_NOCHECKSUM, IPPROTO_UDP, UDP_NO_CHECK6_TX},
      /* IPv4 options on a dual-stack socket. */
      {U6, WS_IPPROTO_IP, WS_IP_PKTINFO, IPPROTO_IP, IP_PKTINFO},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    bool_round_trip(&cases[i]);
}

TEST(flag_options_keep_their_bits) {
  ws2__bsock_t *s = TCP4();
  SET_OK(s, WS_SOL_SOCKET, WS_SO_OOBINLINE, 1);
  ASSERT_TRUE(flags(s) & WS2__BS_OOBINLINE);
  SET_OK(s, WS_SOL_SOCKET, WS_SO_OOBINLINE, 0);
  ASSERT_FALSE(flags(s) & WS2__BS_OOBINLINE);
  SET_OK(s, WS_SOL_SOCKET, WS_SO_CONDITIONAL_ACCEPT, 1);
  ASSERT_TRUE(flags(s) & WS2__BS_CONDACCEPT);
  /* TCP_BSDURGENT is the inverse of TCP_EXPEDITED_1122. */
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_BSDURGENT, 0);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_EXPEDITED_1122), 1);
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_BSDURGENT, 1);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_EXPEDITED_1122), 0);
  done(s);
}

/* ---- integer options ------------------------------------------------- */

TEST(buffer_sizes_read_back_as_set) {
  ws2__bsock_t *s = TCP4();
  SET_OK(s, WS_SOL_SOCKET, WS_SO_SNDBUF, 65536);
  SET_OK(s, WS_SOL_SOCKET, WS_SO_RCVBUF, 32768);
  /* Linux doubles both; Windows reports what was set. */
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_SNDBUF), 131072);
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_RCVBUF), 65536);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_SNDBUF), 65536);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_RCVBUF), 32768);
  ASSERT_EQ(set_dw(s, WS_SOL_SOCKET, WS_SO_RCVBUF, 0x80000000u), WSAEINVAL);
  done(s);
}

TEST(timeouts_are_dword_milliseconds) {
  ws2__bsock_t *s = TCP4();
  WORD w = 5;
  SET_OK(s, WS_SOL_SOCKET, WS_SO_RCVTIMEO, 1234);
  SET_OK(s, WS_SOL_SOCKET, WS_SO_SNDTIMEO, 4321);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_RCVTIMEO), 1234);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_SNDTIMEO), 4321);
  ASSERT_EQ(s->rcvtimeo, 1234);
  ASSERT_EQ(s->sndtimeo, 4321);
  /* Not a BOOL: a short value is WSAEFAULT. */
  ASSERT_EQ(setr(s, WS_SOL_SOCKET, WS_SO_RCVTIMEO, &w, 2), WSAEFAULT);
  ASSERT_EQ(s->rcvtimeo, 1234);
  SET_OK(s, WS_SOL_SOCKET, WS_SO_RCVTIMEO, 0);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_RCVTIMEO), 0);
  done(s);
}

TEST(tcp_integer_options) {
  ws2__bsock_t *s = TCP4();
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_KEEPALIVE, 60);
  ASSERT_EQ(lx(s, IPPROTO_TCP, TCP_KEEPIDLE), 60);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_KEEPIDLE), 60);
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_KEEPCNT, 5);
  ASSERT_EQ(lx(s, IPPROTO_TCP, TCP_KEEPCNT), 5);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_KEEPCNT), 5);
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_KEEPINTVL, 3);
  ASSERT_EQ(lx(s, IPPROTO_TCP, TCP_KEEPINTVL), 3);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_KEEPINTVL), 3);
  /* Linux refuses what it cannot keep (an idle time over 32767 s). */
  ASSERT_EQ(set_dw(s, WS_IPPROTO_TCP, WS_TCP_KEEPALIVE, 40000), WSAEINVAL);
  /* TCP_MAXRT (s) and TCP_MAXRTMS (ms) are TCP_USER_TIMEOUT. */
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_MAXRT, 30);
  ASSERT_EQ(lx(s, IPPROTO_TCP, TCP_USER_TIMEOUT), 30000);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_MAXRT), 30);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_MAXRTMS), 30000);
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_MAXRTMS, 2500);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_MAXRTMS), 2500);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_MAXRT), 2);
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_MAXRT, 0xFFFFFFFFu); /* never */
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_MAXRT), 0xFFFFFFFFu);
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_MAXRT, 0);
  ASSERT_EQ(lx(s, IPPROTO_TCP, TCP_USER_TIMEOUT), 0);
  SET_OK(s, WS_IPPROTO_TCP, WS_TCP_MAXSEG, 1000);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_TCP, WS_TCP_MAXSEG), 1000);
  SET_OK(s, WS_IPPROTO_IP, WS_IP_TTL, 33);
  ASSERT_EQ(lx(s, IPPROTO_IP, IP_TTL), 33);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_TTL), 33);
  SET_OK(s, WS_IPPROTO_IP, WS_IP_TOS, 0x20);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_TOS), 0x20);
  done(s);
}

TEST(ip_integer_options) {
  ws2__bsock_t *s = UDP4();
  unsigned char ttl = 9;
  DWORD a = htonl(INADDR_LOOPBACK), mtu;
  SET_OK(s, WS_IPPROTO_IP, WS_IP_MULTICAST_TTL, 7);
  ASSERT_EQ(lx(s, IPPROTO_IP, IP_MULTICAST_TTL), 7);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_MULTICAST_TTL), 7);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_MULTICAST_TTL, &ttl, 1), 0);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_MULTICAST_TTL), 9);
  /* The outgoing multicast interface: an address ... */
  SET_OK(s, WS_IPPROTO_IP, WS_IP_MULTICAST_IF, a);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_MULTICAST_IF), a);
  /* ... or, 0.x.y.z, an interface index (lo is 1). */
  SET_OK(s, WS_IPPROTO_IP, WS_IP_MULTICAST_IF, htonl(1));
  ASSERT_EQ(set_dw(s, WS_IPPROTO_IP, WS_IP_MULTICAST_IF, htonl(0x00ABCDEF)),
            WSAEADDRNOTAVAIL);
  /* IP_UNICAST_IF: an index in network byte order, on both systems. */
  SET_OK(s, WS_IPPROTO_IP, WS_IP_UNICAST_IF, htonl(1));
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_UNICAST_IF), htonl(1));
  SET_OK(s, WS_IPPROTO_IP, WS_IP_UNICAST_IF, 0);
  /* IP_MTU_DISCOVER: Windows' PMTUD_STATE onto Linux's numbering. */
  SET_OK(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER, 1); /* DO */
  ASSERT_EQ(lx(s, IPPROTO_IP, IP_MTU_DISCOVER), IP_PMTUDISC_DO);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER), 1);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_DONTFRAGMENT), 1);
  SET_OK(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER, 2); /* DONT */
  ASSERT_EQ(lx(s, IPPROTO_IP, IP_MTU_DISCOVER), IP_PMTUDISC_DONT);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER), 2);
  SET_OK(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER, 3); /* PROBE */
  ASSERT_EQ(lx(s, IPPROTO_IP, IP_MTU_DISCOVER), IP_PMTUDISC_PROBE);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER), 3);
  SET_OK(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER, 0); /* NOT_SET */
  ASSERT_EQ(lx(s, IPPROTO_IP, IP_MTU_DISCOVER), IP_PMTUDISC_WANT);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER), 0);
  ASSERT_EQ(set_dw(s, WS_IPPROTO_IP, WS_IP_MTU_DISCOVER, 9), WSAEINVAL);
  /* IP_MTU: get-only, on a connected socket. */
  {
    struct sockaddr_in to = lo4(9);
    int len = 4;
    ASSERT_EQ(connect(s->fd, (struct sockaddr *)&to, sizeof(to)), 0);
    ASSERT_EQ(getr(s, WS_IPPROTO_IP, WS_IP_MTU, &mtu, &len), 0);
    ASSERT_GT(mtu, 1000);
    ASSERT_EQ(set_dw(s, WS_IPPROTO_IP, WS_IP_MTU, 1000), WSAENOPROTOOPT);
  }
  done(s);
}

TEST(ipv6_integer_options) {
  ws2__bsock_t *s = UDP6();
  SET_OK(s, WS_IPPROTO_IPV6, WS_IPV6_UNICAST_HOPS, 9);
  ASSERT_EQ(lx(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 9);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IPV6, WS_IPV6_UNICAST_HOPS), 9);
  SET_OK(s, WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_HOPS, 3);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_HOPS), 3);
  SET_OK(s, WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_IF, 1);
  ASSERT_EQ(lx(s, IPPROTO_IPV6, IPV6_MULTICAST_IF), 1);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_IF), 1);
  /* IPV6_UNICAST_IF: host byte order on Windows, network order on Linux
   * (an index Linux read in host order, 0x01000000, would not exist). */
  SET_OK(s, WS_IPPROTO_IPV6, WS_IPV6_UNICAST_IF, 1);
  ASSERT_EQ(lx(s, IPPROTO_IPV6, IPV6_UNICAST_IF), (int)htonl(1));
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IPV6, WS_IPV6_UNICAST_IF), 1);
  SET_OK(s, WS_IPPROTO_IPV6, WS_IPV6_UNICAST_IF, 0);
  SET_OK(s, WS_IPPROTO_IPV6, WS_IPV6_TCLASS, 0x20);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IPV6, WS_IPV6_TCLASS), 0x20);
  SET_OK(s, WS_IPPROTO_IPV6, WS_IPV6_MTU_DISCOVER, 1);
  ASSERT_EQ(lx(s, IPPROTO_IPV6, IPV6_MTU_DISCOVER), IPV6_PMTUDISC_DO);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IPV6, WS_IPV6_MTU_DISCOVER), 1);
  /* IP_TTL on a dual-stack socket reaches its IPv4 side. */
  SET_OK(s, WS_IPPROTO_IP, WS_IP_TTL, 44);
  ASSERT_EQ(lx(s, IPPROTO_IP, IP_TTL), 44);
  done(s);
}

TEST(udp_send_msg_size_is_udp_segment) {
  ws2__bsock_t *s = UDP4();
  int r = set_dw(s, WS_IPPROTO_UDP, WS_UDP_SEND_MSG_SIZE, 1200);
  if (r == WSAENOPROTOOPT) {
    done(s);
    SKIP("kernel without UDP_SEGMENT");
  }
  ASSERT_EQ(r, 0);
  ASSERT_EQ(lx(s, IPPROTO_UDP, UDP_SEGMENT), 1200);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_UDP, WS_UDP_SEND_MSG_SIZE), 1200);
  done(s);
}

TEST(ip_options_and_ipv6_mtu) {
  ws2__bsock_t *s = UDP4(), *s6 = UDP6();
  unsigned char nops[4] = {1, 1, 1, 0}, got[40];
  struct sockaddr_in6 to;
  int len = sizeof(got);
  DWORD mtu;

  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_OPTIONS, nops, sizeof(nops)), 0);
  ASSERT_EQ(getr(s, WS_IPPROTO_IP, WS_IP_OPTIONS, got, &len), 0);
  ASSERT_EQ(len, 4);
  ASSERT_MEM_EQ(got, nops, 4);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_OPTIONS, NULL, 0), 0); /* clear */
  len = sizeof(got);
  ASSERT_EQ(getr(s, WS_IPPROTO_IP, WS_IP_OPTIONS, got, &len), 0);
  ASSERT_EQ(len, 0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_OPTIONS, NULL, 4), WSAEFAULT);

  memset(&to, 0, sizeof(to));
  to.sin6_family = AF_INET6;
  to.sin6_port = htons(9);
  to.sin6_addr = in6addr_loopback;
  ASSERT_EQ(connect(s6->fd, (struct sockaddr *)&to, sizeof(to)), 0);
  len = 4;
  ASSERT_EQ(getr(s6, WS_IPPROTO_IPV6, WS_IPV6_MTU, &mtu, &len), 0);
  ASSERT_GT(mtu, 1279);
  ASSERT_EQ(get_dw(s6, WS_SOL_SOCKET, WS_SO_MAXDG), 65527);
  done(s);
  done(s6);
}

TEST(raw_socket_options) {
  int fd4 = socket(AF_INET, SOCK_RAW, IPPROTO_UDP), fd6;
  ws2__bsock_t *r4, *r6;
  if (fd4 < 0) SKIP("no raw sockets without CAP_NET_RAW");
  close(fd4);
  r4 = mk(WS_AF_INET, WS_SOCK_RAW, WS_IPPROTO_UDP);
  SET_OK(r4, WS_IPPROTO_IP, WS_IP_HDRINCL, 1);
  ASSERT_EQ(lx(r4, IPPROTO_IP, IP_HDRINCL), 1);
  ASSERT_EQ(get_dw(r4, WS_IPPROTO_IP, WS_IP_HDRINCL), 1);
  ASSERT_EQ(get_dw(r4, WS_SOL_SOCKET, WS_SO_TYPE), WS_SOCK_RAW);
  ASSERT_EQ(get_dw(r4, WS_SOL_SOCKET, WS_SO_MAX_MSG_SIZE), 65515);
  {
    WSAPROTOCOL_INFOW w;
    int len = sizeof(w);
    ASSERT_EQ(getr(r4, WS_SOL_SOCKET, WS_SO_PROTOCOL_INFOW, &w, &len), 0);
    ASSERT_EQ(w.dwCatalogEntryId, 1003);
    ASSERT_EQ(w.iProtocol, WS_IPPROTO_UDP); /* the socket's, of 0-255 */
  }
  /* Connection options on a raw socket: WSAENOPROTOOPT. */
  ASSERT_EQ(set_dw(r4, WS_SOL_SOCKET, WS_SO_KEEPALIVE, 1), WSAENOPROTOOPT);
  done(r4);
  fd6 = socket(AF_INET6, SOCK_RAW, IPPROTO_UDP);
  if (fd6 < 0) return;
  close(fd6);
  r6 = mk(WS_AF_INET6, WS_SOCK_RAW, WS_IPPROTO_UDP);
  SET_OK(r6, WS_IPPROTO_IPV6, WS_IPV6_CHECKSUM, 6);
  ASSERT_EQ(lx(r6, IPPROTO_IPV6, IPV6_CHECKSUM), 6);
  ASSERT_EQ(get_dw(r6, WS_IPPROTO_IPV6, WS_IPV6_CHECKSUM), 6);
  SET_OK(r6, WS_IPPROTO_IPV6, WS_IPV6_CHECKSUM, 0xFFFFFFFFu); /* off */
  done(r6);
}

/* ---- linger --------------------------------------------------------- */

TEST(linger_has_u_short_members_and_dontlinger_is_its_inverse) {
  ws2__bsock_t *s = TCP4(), *u = UDP4();
  struct WS_linger l = {1, 5}, got;
  struct linger ll;
  socklen_t n = sizeof(ll);
  int len = sizeof(got);

  ASSERT_EQ(setr(s, WS_SOL_SOCKET, WS_SO_LINGER, &l, sizeof(l)), 0);
  ASSERT_EQ(getsockopt(s->fd, SOL_SOCKET, SO_LINGER, &ll, &n), 0);
  ASSERT_EQ(ll.l_onoff, 1);
  ASSERT_EQ(ll.l_linger, 5);
  memset(&got, 0xff, sizeof(got));
  ASSERT_EQ(getr(s, WS_SOL_SOCKET, WS_SO_LINGER, &got, &len), 0);
  ASSERT_EQ(len, 4);
  ASSERT_EQ(got.l_onoff, 1);
  ASSERT_EQ(got.l_linger, 5);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_DONTLINGER), 0);
  /* SO_DONTLINGER clears l_onoff and keeps l_linger. */
  SET_OK(s, WS_SOL_SOCKET, WS_SO_DONTLINGER, 1);
  len = sizeof(got);
  ASSERT_EQ(getr(s, WS_SOL_SOCKET, WS_SO_LINGER, &got, &len), 0);
  ASSERT_EQ(got.l_onoff, 0);
  ASSERT_EQ(got.l_linger, 5);
  SET_OK(s, WS_SOL_SOCKET, WS_SO_DONTLINGER, 0);
  len = sizeof(got);
  ASSERT_EQ(getr(s, WS_SOL_SOCKET, WS_SO_LINGER, &got, &len), 0);
  ASSERT_EQ(got.l_onoff, 1);
  ASSERT_EQ(got.l_linger, 5);
  /* Sizes: a linger is 4 bytes. */
  ASSERT_EQ(setr(s, WS_SOL_SOCKET, WS_SO_LINGER, &l, 3), WSAEFAULT);
  len = 3;
  ASSERT_EQ(getr(s, WS_SOL_SOCKET, WS_SO_LINGER, &got, &len), WSAEFAULT);
  /* Connection options on a datagram socket: WSAENOPROTOOPT. */
  len = sizeof(got);
  ASSERT_EQ(setr(u, WS_SOL_SOCKET, WS_SO_LINGER, &l, sizeof(l)),
            WSAENOPROTOOPT);
  ASSERT_EQ(getr(u, WS_SOL_SOCKET, WS_SO_LINGER, &got, &len),
            WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(u, WS_SOL_SOCKET, WS_SO_DONTLINGER, 1), WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(u, WS_SOL_SOCKET, WS_SO_KEEPALIVE, 1), WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(u, WS_SOL_SOCKET, WS_SO_OOBINLINE, 1), WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(u, WS_SOL_SOCKET, WS_SO_CONDITIONAL_ACCEPT, 1),
            WSAENOPROTOOPT);
  done(s);
  done(u);
}

/* ---- SO_REUSEADDR / SO_EXCLUSIVEADDRUSE ------------------------------ */

TEST(reuseaddr_and_exclusiveaddruse_exclude_each_other) {
  ws2__bsock_t *s = TCP4(), *u = UDP4();

  SET_OK(s, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  ASSERT_TRUE(flags(s) & WS2__BS_REUSEADDR);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_REUSEADDR), 1);
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEADDR), 1);
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEPORT), 1);
  ASSERT_EQ(set_dw(s, WS_SOL_SOCKET, WS_SO_EXCLUSIVEADDRUSE, 1), WSAEINVAL);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_EXCLUSIVEADDRUSE), 0);
  /* Setting FALSE is always allowed. */
  SET_OK(s, WS_SOL_SOCKET, WS_SO_EXCLUSIVEADDRUSE, 0);
  SET_OK(s, WS_SOL_SOCKET, WS_SO_REUSEADDR, 0);
  ASSERT_FALSE(flags(s) & WS2__BS_REUSEADDR);
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEADDR), 1); /* the TCP default */
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEPORT), 0);

  SET_OK(s, WS_SOL_SOCKET, WS_SO_EXCLUSIVEADDRUSE, 1);
  ASSERT_TRUE(flags(s) & WS2__BS_EXCLUSIVE);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_EXCLUSIVEADDRUSE), 1);
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEADDR), 0);
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEPORT), 0);
  ASSERT_EQ(set_dw(s, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1), WSAEINVAL);
  ASSERT_EQ(get_dw(s, WS_SOL_SOCKET, WS_SO_REUSEADDR), 0);
  /* Clearing the option that is off leaves the exclusive state alone. */
  SET_OK(s, WS_SOL_SOCKET, WS_SO_REUSEADDR, 0);
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEADDR), 0);
  ASSERT_TRUE(flags(s) & WS2__BS_EXCLUSIVE);
  SET_OK(s, WS_SOL_SOCKET, WS_SO_EXCLUSIVEADDRUSE, 0);
  ASSERT_EQ(lx(s, SOL_SOCKET, SO_REUSEADDR), 1);

  SET_OK(u, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  ASSERT_EQ(lx(u, SOL_SOCKET, SO_REUSEPORT), 1);
  SET_OK(u, WS_SOL_SOCKET, WS_SO_REUSEADDR, 0);
  ASSERT_EQ(lx(u, SOL_SOCKET, SO_REUSEADDR), 0); /* the UDP default */
  ASSERT_EQ(lx(u, SOL_SOCKET, SO_REUSEPORT), 0);
  done(s);
  done(u);
}

/* What the options do to Linux's bind, TCP (Linux's bind alone: WSPBind
 * first applies Windows' table to the TCP sockets of this process,
 * bindrules.c, tested through the API in test/io/test-bind.c). Each case
 * says what Windows does; where Linux alone differs, it says whether
 * WSPBind now makes up the difference (docs/STATUS.md, "What bind must
 * add"). */
TEST(tcp_bind_rules_on_linux) {
  ws2__bsock_t *a, *b;
  unsigned short p;

  /* Default + default, the first listening: WSAEADDRINUSE (Windows too). */
  a = TCP4();
  ASSERT_EQ(lbind(a, 0), 0);
  p = port_of(a->fd);
  ASSERT_EQ(listen(a->fd, 4), 0);
  b = TCP4();
  ASSERT_EQ(lbind(b, p), EADDRINUSE);
  done(b);
  /* Default listener, then SO_REUSEADDR on the same address: Windows says
   * WSAEACCES (the first did not allow sharing); Linux EADDRINUSE, which
   * WSPBind turns into WSAEACCES for a socket of this process. */
  b = TCP4();
  SET_OK(b, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  ASSERT_EQ(lbind(b, p), EADDRINUSE);
  done(b);
  done(a);

  /* SO_REUSEADDR on both: both bind, as on Windows. */
  a = TCP4();
  SET_OK(a, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  ASSERT_EQ(lbind(a, 0), 0);
  p = port_of(a->fd);
  ASSERT_EQ(listen(a->fd, 4), 0);
  b = TCP4();
  SET_OK(b, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  ASSERT_EQ(lbind(b, p), 0);
  done(b);
  /* ... but a default socket may not join them (Windows: the same). */
  b = TCP4();
  ASSERT_EQ(lbind(b, p), EADDRINUSE);
  done(b);
  done(a);

  /* SO_EXCLUSIVEADDRUSE first: nobody else binds. Windows says WSAEACCES
   * to a SO_REUSEADDR socket here and WSAEADDRINUSE to a default one;
   * Linux EADDRINUSE to both, which WSPBind turns into WSAEACCES for the
   * SO_REUSEADDR socket of this process. */
  a = TCP4();
  SET_OK(a, WS_SOL_SOCKET, WS_SO_EXCLUSIVEADDRUSE, 1);
  ASSERT_EQ(lbind(a, 0), 0);
  p = port_of(a->fd);
  b = TCP4();
  SET_OK(b, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  ASSERT_EQ(lbind(b, p), EADDRINUSE);
  done(b);
  b = TCP4();
  ASSERT_EQ(lbind(b, p), EADDRINUSE);
  done(b);
  done(a);

  /* Two default sockets bound, neither listening: Windows refuses the
   * second bind with WSAEADDRINUSE; Linux (SO_REUSEADDR on both for
   * TIME_WAIT's sake) accepts it and refuses the second listen instead.
   * WSPBind refuses the second bind when both are of this process. */
  a = TCP4();
  ASSERT_EQ(lbind(a, 0), 0);
  p = port_of(a->fd);
  b = TCP4();
  ASSERT_EQ(lbind(b, p), 0);
  ASSERT_EQ(listen(a->fd, 4), 0);
  ASSERT_EQ(listen(b->fd, 4), -1);
  ASSERT_EQ(errno, EADDRINUSE);
  done(b);
  done(a);

  /* A default socket, then a SO_REUSEADDR one, neither listening: Windows
   * says WSAEACCES; Linux lets the second bind (both have SO_REUSEADDR).
   * WSPBind refuses it when both are of this process. */
  a = TCP4();
  ASSERT_EQ(lbind(a, 0), 0);
  p = port_of(a->fd);
  b = TCP4();
  SET_OK(b, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  ASSERT_EQ(lbind(b, p), 0);
  done(b);
  done(a);
}

TEST(tcp_time_wait_port_can_be_bound_again) {
  ws2__bsock_t *l = TCP4(), *b;
  int srv, plain, zero = 0;
  unsigned short p;
  ws2__bsock_t *c = connected(l, &srv);
  char buf[8];
  struct pollfd pf;

  p = port_of(l->fd);
  /* The server closes first: its end goes through TIME_WAIT. */
  close(srv);
  pf.fd = c->fd;
  pf.events = POLLIN;
  ASSERT_EQ(poll(&pf, 1, 5000), 1);
  ASSERT_EQ(recv(c->fd, buf, sizeof(buf), 0), 0);
  done(c);
  done(l);
  Sleep(50);

  /* Without SO_REUSEADDR Linux refuses the port (proof of TIME_WAIT) ... */
  plain = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(setsockopt(plain, SOL_SOCKET, SO_REUSEADDR, &zero, sizeof(zero)),
            0);
  {
    struct sockaddr_in a = lo4(p);
    ASSERT_EQ(bind(plain, (struct sockaddr *)&a, sizeof(a)), -1);
    ASSERT_EQ(errno, EADDRINUSE);
  }
  close(plain);
  /* ... an exclusive socket does not get it either (as on Windows) ... */
  b = TCP4();
  SET_OK(b, WS_SOL_SOCKET, WS_SO_EXCLUSIVEADDRUSE, 1);
  ASSERT_EQ(lbind(b, p), EADDRINUSE);
  done(b);
  /* ... and a default Windows socket does, as on Windows. */
  b = TCP4();
  ASSERT_EQ(lbind(b, p), 0);
  ASSERT_EQ(listen(b->fd, 4), 0);
  done(b);
}

TEST(udp_bind_rules_on_linux) {
  ws2__bsock_t *a = UDP4(), *b = UDP4();
  unsigned short p;
  ASSERT_EQ(lbind(a, 0), 0);
  p = port_of(a->fd);
  ASSERT_EQ(lbind(b, p), EADDRINUSE);
  done(b);
  done(a);
  a = UDP4();
  b = UDP4();
  SET_OK(a, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  SET_OK(b, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  ASSERT_EQ(lbind(a, 0), 0);
  p = port_of(a->fd);
  ASSERT_EQ(lbind(b, p), 0);
  done(b);
  done(a);
}

TEST(v6only_cannot_change_after_bind) {
  ws2__bsock_t *s = TCP6();
  struct sockaddr_in6 a;
  memset(&a, 0, sizeof(a));
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  ASSERT_EQ(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
  ASSERT_EQ(set_dw(s, WS_IPPROTO_IPV6, WS_IPV6_V6ONLY, 0), WSAEINVAL);
  ASSERT_EQ(get_dw(s, WS_IPPROTO_IPV6, WS_IPV6_V6ONLY), 1);
  done(s);
}

/* ---- state options -------------------------------------------------- */

TEST(acceptconn_connect_time_and_conditional_accept) {
  ws2__bsock_t *l = TCP4(), *c;
  int srv;
  SET_OK(l, WS_SOL_SOCKET, WS_SO_CONDITIONAL_ACCEPT, 1);
  c = connected(l, &srv);
  ASSERT_EQ(get_dw(l, WS_SOL_SOCKET, WS_SO_ACCEPTCONN), 1);
  ASSERT_EQ(get_dw(c, WS_SOL_SOCKET, WS_SO_ACCEPTCONN), 0);
  ASSERT_EQ(set_dw(l, WS_SOL_SOCKET, WS_SO_ACCEPTCONN, 0), WSAENOPROTOOPT);
  /* SO_CONDITIONAL_ACCEPT must be set before listen. */
  ASSERT_EQ(get_dw(l, WS_SOL_SOCKET, WS_SO_CONDITIONAL_ACCEPT), 1);
  ASSERT_EQ(set_dw(l, WS_SOL_SOCKET, WS_SO_CONDITIONAL_ACCEPT, 0),
            WSAEINVAL);
  /* Seconds since the connection was made. */
  ASSERT_EQ(get_dw(c, WS_SOL_SOCKET, WS_SO_CONNECT_TIME), 0);
  pthread_mutex_lock(&c->lock);
  c->connect_tick -= 5500;
  pthread_mutex_unlock(&c->lock);
  ASSERT_EQ(get_dw(c, WS_SOL_SOCKET, WS_SO_CONNECT_TIME), 5);
  ASSERT_EQ(get_dw(l, WS_SOL_SOCKET, WS_SO_CONNECT_TIME), 0xFFFFFFFFu);
  ASSERT_EQ(set_dw(c, WS_SOL_SOCKET, WS_SO_CONNECT_TIME, 0), WSAENOPROTOOPT);
  /* TCP_MAXSEG of a connection; TCP_ATMARK with no urgent data. */
  ASSERT_GT(get_dw(c, WS_IPPROTO_TCP, WS_TCP_MAXSEG), 500);
  ASSERT_EQ(get_dw(c, WS_IPPROTO_TCP, WS_TCP_ATMARK), 0);
  /* TCP_FASTOPEN on a listener is Linux's server queue. */
  SET_OK(l, WS_IPPROTO_TCP, WS_TCP_FASTOPEN, 1);
  ASSERT_GT(lx(l, IPPROTO_TCP, TCP_FASTOPEN), 0);
  ASSERT_EQ(get_dw(l, WS_IPPROTO_TCP, WS_TCP_FASTOPEN), 1);
  close(srv);
  done(c);
  done(l);
}

TEST(so_error_reports_and_clears_the_winsock_code) {
  ws2__bsock_t *l = TCP4(), *c = TCP4();
  struct sockaddr_in a;
  struct pollfd p;
  unsigned short port;
  /* A port nobody listens on: bind one, then close it. */
  ASSERT_EQ(lbind(l, 0), 0);
  port = port_of(l->fd);
  done(l);
  a = lo4(port);
  if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0)
    ASSERT_TRUE(errno == EINPROGRESS || errno == ECONNREFUSED);
  p.fd = c->fd;
  p.events = POLLOUT;
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  ASSERT_EQ(get_dw(c, WS_SOL_SOCKET, WS_SO_ERROR), WSAECONNREFUSED);
  ASSERT_EQ(get_dw(c, WS_SOL_SOCKET, WS_SO_ERROR), 0);
  ASSERT_EQ(set_dw(c, WS_SOL_SOCKET, WS_SO_ERROR, 0), WSAENOPROTOOPT);
  done(c);
}

TEST(update_accept_context_takes_the_listener_properties) {
  ws2__bsock_t *l = TCP4(), *a = TCP4();
  HANDLE h;
  SOCKET hs, bogus = (SOCKET)0x7ffffff0;
  ASSERT_EQ(ws2__handle_new(&l->io.obj, &h), 0);
  hs = (SOCKET)h;
  SET_OK(l, WS_SOL_SOCKET, WS_SO_RCVTIMEO, 777);
  SET_OK(l, WS_SOL_SOCKET, WS_SO_OOBINLINE, 1);
  SET_OK(l, WS_SOL_SOCKET, WS_SO_DEBUG, 1);
  SET_OK(l, WS_SOL_SOCKET, WS_SO_CONDITIONAL_ACCEPT, 1);
  ASSERT_EQ(setr(a, WS_SOL_SOCKET, WS_SO_UPDATE_ACCEPT_CONTEXT, &hs,
                 sizeof(hs)),
            0);
  ASSERT_EQ(get_dw(a, WS_SOL_SOCKET, WS_SO_RCVTIMEO), 777);
  ASSERT_EQ(get_dw(a, WS_SOL_SOCKET, WS_SO_DEBUG), 1);
  ASSERT_TRUE(flags(a) & WS2__BS_OOBINLINE);
  ASSERT_FALSE(flags(a) & WS2__BS_CONDACCEPT); /* a listener's own */
  /* Not a socket: WSAENOTSOCK; a short value: WSAEFAULT. */
  ASSERT_EQ(setr(a, WS_SOL_SOCKET, WS_SO_UPDATE_ACCEPT_CONTEXT, &bogus,
                 sizeof(bogus)),
            WSAENOTSOCK);
  ASSERT_EQ(setr(a, WS_SOL_SOCKET, WS_SO_UPDATE_ACCEPT_CONTEXT, &hs, 4),
            WSAEFAULT);
  ASSERT_EQ(setr(a, WS_SOL_SOCKET, WS_SO_UPDATE_ACCEPT_CONTEXT, NULL, 8),
            WSAEFAULT);
  /* SO_UPDATE_CONNECT_CONTEXT is called with nothing. */
  ASSERT_EQ(setr(a, WS_SOL_SOCKET, WS_SO_UPDATE_CONNECT_CONTEXT, NULL, 0), 0);
  {
    int len = 8;
    ASSERT_EQ(getr(a, WS_SOL_SOCKET, WS_SO_UPDATE_ACCEPT_CONTEXT, &hs, &len),
              WSAENOPROTOOPT);
  }
  /* accept's path: the same copy, without a handle. */
  {
    ws2__bsock_t *b = TCP4();
    ws2__bsp_sockopt_inherit(l, b);
    ASSERT_EQ(get_dw(b, WS_SOL_SOCKET, WS_SO_RCVTIMEO), 777);
    ASSERT_EQ(get_dw(b, WS_SOL_SOCKET, WS_SO_OOBINLINE), 0); /* kernel's */
    ASSERT_TRUE(flags(b) & WS2__BS_OOBINLINE);
    done(b);
  }
  ASSERT_TRUE(CloseHandle(h));
  ws2__bsock_unref(l);
  done(a);
}

TEST(bsp_state_has_both_addresses) {
  ws2__bsock_t *l = TCP4(), *c, *fresh = TCP4();
  union {
    CSADDR_INFO ci;
    char buf[512];
  } u;
  int srv, len = sizeof(u);
  struct WS_sockaddr_in la, ra;

  c = connected(l, &srv);
  ASSERT_EQ(getr(c, WS_SOL_SOCKET, WS_SO_BSP_STATE, &u, &len), 0);
  ASSERT_EQ(len, (int)sizeof(CSADDR_INFO) + 32);
  ASSERT_EQ(u.ci.iSocketType, WS_SOCK_STREAM);
  ASSERT_EQ(u.ci.iProtocol, WS_IPPROTO_TCP);
  ASSERT_EQ(u.ci.LocalAddr.iSockaddrLength, 16);
  ASSERT_EQ(u.ci.RemoteAddr.iSockaddrLength, 16);
  /* The addresses live in the caller's buffer, after the structure. */
  ASSERT_TRUE((char *)u.ci.LocalAddr.lpSockaddr > u.buf &&
              (char *)u.ci.LocalAddr.lpSockaddr < u.buf + len);
  memcpy(&la, u.ci.LocalAddr.lpSockaddr, sizeof(la));
  memcpy(&ra, u.ci.RemoteAddr.lpSockaddr, sizeof(ra));
  ASSERT_EQ(la.sin_family, WS_AF_INET);
  ASSERT_EQ(ra.sin_family, WS_AF_INET);
  ASSERT_EQ(ntohs(la.sin_port), port_of(c->fd));
  ASSERT_EQ(ntohs(ra.sin_port), port_of(l->fd));
  /* Room for the structure but not the addresses; no room at all. */
  len = sizeof(CSADDR_INFO);
  ASSERT_EQ(getr(c, WS_SOL_SOCKET, WS_SO_BSP_STATE, &u, &len), WSAEFAULT);
  len = sizeof(CSADDR_INFO) - 1;
  ASSERT_EQ(getr(c, WS_SOL_SOCKET, WS_SO_BSP_STATE, &u, &len), WSAEFAULT);
  /* Neither bound nor connected: no addresses. */
  len = sizeof(u);
  ASSERT_EQ(getr(fresh, WS_SOL_SOCKET, WS_SO_BSP_STATE, &u, &len), 0);
  ASSERT_EQ(len, (int)sizeof(CSADDR_INFO));
  ASSERT_EQ_PTR(u.ci.LocalAddr.lpSockaddr, NULL);
  ASSERT_EQ_PTR(u.ci.RemoteAddr.lpSockaddr, NULL);
  ASSERT_EQ(set_dw(c, WS_SOL_SOCKET, WS_SO_BSP_STATE, 0), WSAENOPROTOOPT);
  close(srv);
  done(c);
  done(l);
  done(fresh);
}

/* ---- protocol entries ----------------------------------------------- */

TEST(protocol_info_describes_the_socket) {
  ws2__bsock_t *t = TCP4(), *u6 = UDP6();
  WSAPROTOCOL_INFOW w;
  WSAPROTOCOL_INFOA a;
  int len = sizeof(w);

  ASSERT_EQ(getr(t, WS_SOL_SOCKET, WS_SO_PROTOCOL_INFOW, &w, &len), 0);
  ASSERT_EQ(len, (int)sizeof(WSAPROTOCOL_INFOW));
  ASSERT_EQ(w.iAddressFamily, WS_AF_INET);
  ASSERT_EQ(w.iSocketType, WS_SOCK_STREAM);
  ASSERT_EQ(w.iProtocol, WS_IPPROTO_TCP);
  ASSERT_EQ(w.dwCatalogEntryId, 1001);
  ASSERT_EQ(w.dwServiceFlags1, 0x20066);
  ASSERT_EQ(w.ProtocolChain.ChainLen, BASE_PROTOCOL);
  ASSERT_EQ(w.iMaxSockAddr, 16);
  ASSERT_EQ(w.dwMessageSize, 0);
  ASSERT_EQ(w.ProviderId.Data1, 0xE70F1AA0);
  ASSERT_EQ(w.szProtocol[0], 'M');
  len = sizeof(a);
  ASSERT_EQ(getr(u6, WS_SOL_SOCKET, WS_SO_PROTOCOL_INFOA, &a, &len), 0);
  ASSERT_EQ(len, (int)sizeof(WSAPROTOCOL_INFOA));
  ASSERT_TRUE(strcmp(a.szProtocol, "MSAFD Tcpip [UDP/IPv6]") == 0);
  ASSERT_EQ(a.iAddressFamily, WS_AF_INET6);
  ASSERT_EQ(a.iMaxSockAddr, 28);
  ASSERT_EQ(a.dwServiceFlags1, 0x20609);
  ASSERT_EQ(a.dwCatalogEntryId, 1005);
  ASSERT_EQ(a.dwMessageSize, 65527);
  /* Too small: WSAEFAULT; get-only. */
  len = sizeof(w) - 1;
  ASSERT_EQ(getr(t, WS_SOL_SOCKET, WS_SO_PROTOCOL_INFOW, &w, &len),
            WSAEFAULT);
  len = sizeof(a) - 1;
  ASSERT_EQ(getr(t, WS_SOL_SOCKET, WS_SO_PROTOCOL_INFOA, &a, &len),
            WSAEFAULT);
  ASSERT_EQ(setr(t, WS_SOL_SOCKET, WS_SO_PROTOCOL_INFOW, &w, sizeof(w)),
            WSAENOPROTOOPT);
  done(t);
  done(u6);
}

TEST(protocol_table) {
  const WSAPROTOCOL_INFOW *e;
  int n = ws2__bsp_protocols(&e), i;
  ASSERT_EQ(n, 7);
  for (i = 0; i < n; i++) {
    ASSERT_EQ(e[i].dwCatalogEntryId, 1001 + (DWORD)i);
    ASSERT_EQ(catalog_id(e[i].iAddressFamily, e[i].iSocketType),
              e[i].dwCatalogEntryId);
    ASSERT_TRUE(e[i].dwServiceFlags1 & XP1_IFS_HANDLES);
    ASSERT_EQ(e[i].ProtocolChain.ChainLen, BASE_PROTOCOL);
    ASSERT_EQ(e[i].iVersion, 2);
    ASSERT_NE(e[i].szProtocol[0], 0);
    if (e[i].iSocketType == WS_SOCK_STREAM) {
      ASSERT_TRUE(e[i].dwServiceFlags1 & XP1_GUARANTEED_DELIVERY);
      ASSERT_FALSE(e[i].dwServiceFlags1 & XP1_CONNECTIONLESS);
      ASSERT_EQ(e[i].dwMessageSize, 0);
    } else {
      ASSERT_TRUE(e[i].dwServiceFlags1 & XP1_CONNECTIONLESS);
      ASSERT_TRUE(e[i].dwServiceFlags1 & XP1_MESSAGE_ORIENTED);
      ASSERT_GT(e[i].dwMessageSize, 60000);
    }
  }
  ASSERT_EQ(e[0].dwServiceFlags1, 0x20066); /* TCP/IP */
  ASSERT_EQ(e[1].dwServiceFlags1, 0x20609); /* UDP/IP */
  ASSERT_EQ(e[1].dwMessageSize, 65467);
  ASSERT_EQ(e[2].iProtocolMaxOffset, 255); /* RAW/IP */
  ASSERT_EQ(e[6].iAddressFamily, WS_AF_UNIX);
  ASSERT_EQ(e[6].iMaxSockAddr, 110);
}

/* ---- multicast ------------------------------------------------------ */

TEST(ipv4_multicast_membership) {
  ws2__bsock_t *s = UDP4();
  IP_MREQ m;
  IP_MREQ_SOURCE ms;
  GROUP_REQ g;
  struct WS_sockaddr_in *gin = (struct WS_sockaddr_in *)&g.gr_group;
  uint32_t lo = htonl(INADDR_LOOPBACK);
  int r;

  memset(&m, 0, sizeof(m));
  m.imr_multiaddr.WS_s_addr = inet_addr("239.1.2.3");
  m.imr_interface.WS_s_addr = lo;
  r = setr(s, WS_IPPROTO_IP, WS_IP_ADD_MEMBERSHIP, &m, sizeof(m));
  if (r == WSAEINVAL || r == WSAEADDRNOTAVAIL || r == WSAENOBUFS) {
    done(s);
    SKIP("no IPv4 multicast on lo here");
  }
  ASSERT_EQ(r, 0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_DROP_MEMBERSHIP, &m, sizeof(m)), 0);
  /* Dropping what is not joined: Linux's EADDRNOTAVAIL. */
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_DROP_MEMBERSHIP, &m, sizeof(m)),
            WSAEADDRNOTAVAIL);
  /* The interface by index: 0.0.0.1 is lo. */
  m.imr_interface.WS_s_addr = htonl(1);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_ADD_MEMBERSHIP, &m, sizeof(m)), 0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_DROP_MEMBERSHIP, &m, sizeof(m)), 0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_ADD_MEMBERSHIP, &m, 7), WSAEFAULT);

  /* Source-specific: Windows' member order is group, source, interface.
   * Were it read in Linux's order, 10.9.8.7 would be the interface. */
  memset(&ms, 0, sizeof(ms));
  ms.imr_multiaddr.WS_s_addr = inet_addr("232.1.2.3");
  ms.imr_sourceaddr.WS_s_addr = inet_addr("10.9.8.7");
  ms.imr_interface.WS_s_addr = lo;
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_ADD_SOURCE_MEMBERSHIP, &ms,
                 sizeof(ms)),
            0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_DROP_SOURCE_MEMBERSHIP, &ms,
                 sizeof(ms)),
            0);
  ms.imr_interface.WS_s_addr = htonl(1); /* by index */
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_ADD_SOURCE_MEMBERSHIP, &ms,
                 sizeof(ms)),
            0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_DROP_SOURCE_MEMBERSHIP, &ms,
                 sizeof(ms)),
            0);
  /* Any-source group with one source blocked, then unblocked. */
  m.imr_multiaddr.WS_s_addr = inet_addr("239.1.2.4");
  m.imr_interface.WS_s_addr = lo;
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_ADD_MEMBERSHIP, &m, sizeof(m)), 0);
  ms.imr_multiaddr.WS_s_addr = m.imr_multiaddr.WS_s_addr;
  ms.imr_interface.WS_s_addr = lo;
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_BLOCK_SOURCE, &ms, sizeof(ms)), 0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_UNBLOCK_SOURCE, &ms, sizeof(ms)),
            0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_DROP_MEMBERSHIP, &m, sizeof(m)), 0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_IP_ADD_SOURCE_MEMBERSHIP, &ms, 11),
            WSAEFAULT);

  /* MCAST_JOIN_GROUP with a Windows sockaddr_storage. */
  memset(&g, 0, sizeof(g));
  g.gr_interface = 1;
  gin->sin_family = WS_AF_INET;
  gin->sin_addr.WS_s_addr = inet_addr("239.1.2.5");
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_MCAST_JOIN_GROUP, &g, sizeof(g)), 0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_MCAST_LEAVE_GROUP, &g, sizeof(g)), 0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_MCAST_LEAVE_GROUP, &g, sizeof(g)),
            WSAEADDRNOTAVAIL);
  ASSERT_EQ(setr(s, WS_IPPROTO_IP, WS_MCAST_JOIN_GROUP, &g, 16), WSAEFAULT);
  done(s);
}

TEST(ipv6_multicast_membership) {
  ws2__bsock_t *s = UDP6();
  IPV6_MREQ m;
  GROUP_SOURCE_REQ gs;
  struct WS_sockaddr_in6 *grp = (struct WS_sockaddr_in6 *)&gs.gsr_group;
  struct WS_sockaddr_in6 *src = (struct WS_sockaddr_in6 *)&gs.gsr_source;
  int r;

  memset(&m, 0, sizeof(m));
  ASSERT_EQ(inet_pton(AF_INET6, "ff02::1:4321", &m.ipv6mr_multiaddr), 1);
  m.ipv6mr_interface = 1;
  r = setr(s, WS_IPPROTO_IPV6, WS_IPV6_ADD_MEMBERSHIP, &m, sizeof(m));
  if (r == WSAEINVAL || r == WSAEADDRNOTAVAIL || r == WSAENOBUFS) {
    done(s);
    SKIP("no IPv6 multicast on lo here");
  }
  ASSERT_EQ(r, 0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IPV6, WS_IPV6_DROP_MEMBERSHIP, &m, sizeof(m)),
            0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IPV6, WS_IPV6_DROP_MEMBERSHIP, &m, sizeof(m)),
            WSAEADDRNOTAVAIL);
  ASSERT_EQ(setr(s, WS_IPPROTO_IPV6, WS_IPV6_ADD_MEMBERSHIP, &m, 19),
            WSAEFAULT);

  memset(&gs, 0, sizeof(gs));
  gs.gsr_interface = 1;
  grp->sin6_family = WS_AF_INET6;
  ASSERT_EQ(inet_pton(AF_INET6, "ff32::8000:1", &grp->sin6_addr), 1);
  src->sin6_family = WS_AF_INET6;
  ASSERT_EQ(inet_pton(AF_INET6, "2001:db8::7", &src->sin6_addr), 1);
  ASSERT_EQ(setr(s, WS_IPPROTO_IPV6, WS_MCAST_JOIN_SOURCE_GROUP, &gs,
                 sizeof(gs)),
            0);
  ASSERT_EQ(setr(s, WS_IPPROTO_IPV6, WS_MCAST_LEAVE_SOURCE_GROUP, &gs,
                 sizeof(gs)),
            0);
  /* A family ws2 does not carry. */
  grp->sin6_family = 99;
  ASSERT_EQ(setr(s, WS_IPPROTO_IPV6, WS_MCAST_JOIN_SOURCE_GROUP, &gs,
                 sizeof(gs)),
            WSAEAFNOSUPPORT);
  done(s);
}

/* ---- errors --------------------------------------------------------- */

TEST(argument_and_level_errors) {
  ws2__bsock_t *t = TCP4(), *u = UDP4(), *un;
  DWORD v = 1;
  int len = 4;

  /* Missing pointers and short lengths: WSAEFAULT. */
  ASSERT_EQ(ws2__bsp_getsockopt(t, WS_SOL_SOCKET, WS_SO_TYPE, NULL, &len),
            WSAEFAULT);
  ASSERT_EQ(ws2__bsp_getsockopt(t, WS_SOL_SOCKET, WS_SO_TYPE, (char *)&v,
                                NULL),
            WSAEFAULT);
  len = -1;
  ASSERT_EQ(getr(t, WS_SOL_SOCKET, WS_SO_TYPE, &v, &len), WSAEFAULT);
  len = 3;
  ASSERT_EQ(getr(t, WS_SOL_SOCKET, WS_SO_RCVBUF, &v, &len), WSAEFAULT);
  len = 3;
  ASSERT_EQ(getr(t, WS_SOL_SOCKET, WS_SO_TYPE, &v, &len), WSAEFAULT);
  len = 2;
  ASSERT_EQ(getr(t, WS_IPPROTO_TCP, WS_TCP_KEEPCNT, &v, &len), WSAEFAULT);
  ASSERT_EQ(setr(t, WS_SOL_SOCKET, WS_SO_KEEPALIVE, NULL, 4), WSAEFAULT);
  ASSERT_EQ(setr(t, WS_SOL_SOCKET, WS_SO_RCVBUF, &v, 3), WSAEFAULT);
  ASSERT_EQ(setr(t, WS_IPPROTO_TCP, WS_TCP_KEEPCNT, &v, 1), WSAEFAULT);
  /* A larger buffer is fine, and *optlen comes back as 4. */
  {
    char big[16];
    len = sizeof(big);
    ASSERT_EQ(getr(t, WS_SOL_SOCKET, WS_SO_TYPE, big, &len), 0);
    ASSERT_EQ(len, 4);
  }

  /* Unknown level: WSAEINVAL; unknown option: WSAENOPROTOOPT. */
  len = 4;
  ASSERT_EQ(getr(t, 12345, 1, &v, &len), WSAEINVAL);
  ASSERT_EQ(set_dw(t, 12345, 1, 1), WSAEINVAL);
  ASSERT_EQ(getr(t, WS_SOL_SOCKET, 0x7777, &v, &len), WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(t, WS_SOL_SOCKET, 0x7777, 1), WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(t, WS_IPPROTO_TCP, 99, 1), WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(t, WS_IPPROTO_IP, 99, 1), WSAENOPROTOOPT);
  /* A level of the other family: WSAEINVAL. */
  ASSERT_EQ(set_dw(t, WS_IPPROTO_IPV6, WS_IPV6_V6ONLY, 1), WSAEINVAL);
  ASSERT_EQ(getr(u, WS_IPPROTO_IPV6, WS_IPV6_UNICAST_HOPS, &v, &len),
            WSAEINVAL);
  /* Another protocol's level: WSAENOPROTOOPT. */
  ASSERT_EQ(set_dw(u, WS_IPPROTO_TCP, WS_TCP_NODELAY, 1), WSAENOPROTOOPT);
  ASSERT_EQ(getr(u, WS_IPPROTO_TCP, WS_TCP_NODELAY, &v, &len),
            WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(t, WS_IPPROTO_UDP, WS_UDP_NOCHECKSUM, 1), WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(u, WS_IPPROTO_UDP, WS_UDP_CHECKSUM_COVERAGE, 8),
            WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(u, WS_IPPROTO_UDP, WS_UDP_RECV_MAX_COALESCED_SIZE, 1),
            WSAENOPROTOOPT);
  /* Get-only options. */
  ASSERT_EQ(set_dw(t, WS_SOL_SOCKET, WS_SO_TYPE, 1), WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(t, WS_SOL_SOCKET, WS_SO_MAX_MSG_SIZE, 1), WSAENOPROTOOPT);
  ASSERT_EQ(set_dw(t, WS_IPPROTO_TCP, WS_TCP_ATMARK, 1), WSAENOPROTOOPT);
  /* What Windows' TCP/IP provider does not support: WSAEINVAL. */
  ASSERT_EQ(set_dw(t, WS_SOL_SOCKET, WS_SO_RCVLOWAT, 1), WSAEINVAL);
  ASSERT_EQ(set_dw(t, WS_SOL_SOCKET, WS_SO_SNDLOWAT, 1), WSAEINVAL);
  ASSERT_EQ(getr(t, WS_SOL_SOCKET, WS_SO_USELOOPBACK, &v, &len), WSAEINVAL);
  /* SO_DONTROUTE: ignored on IPv4, WSAENOPROTOOPT on IPv6. */
  {
    ws2__bsock_t *t6 = TCP6();
    ASSERT_EQ(set_dw(t6, WS_SOL_SOCKET, WS_SO_DONTROUTE, 1), WSAENOPROTOOPT);
    ASSERT_EQ(getr(t6, WS_SOL_SOCKET, WS_SO_DONTROUTE, &v, &len),
              WSAENOPROTOOPT);
    done(t6);
    SET_OK(t, WS_SOL_SOCKET, WS_SO_DONTROUTE, 1);
    ASSERT_EQ(lx(t, SOL_SOCKET, SO_DONTROUTE), 0);
  }
  /* IP_HDRINCL on a UDP socket: Linux refuses. */
  ASSERT_NE(set_dw(u, WS_IPPROTO_IP, WS_IP_HDRINCL, 1), 0);

  /* AF_UNIX: no IP levels; SOL_SOCKET works. */
  un = mk(WS_AF_UNIX, WS_SOCK_STREAM, 0);
  ASSERT_EQ(set_dw(un, WS_IPPROTO_IP, WS_IP_TTL, 1), WSAEINVAL);
  ASSERT_EQ(set_dw(un, WS_IPPROTO_TCP, WS_TCP_NODELAY, 1), WSAEINVAL);
  ASSERT_EQ(get_dw(un, WS_SOL_SOCKET, WS_SO_TYPE), WS_SOCK_STREAM);
  SET_OK(un, WS_SOL_SOCKET, WS_SO_REUSEADDR, 1);
  ASSERT_EQ(get_dw(un, WS_SOL_SOCKET, WS_SO_REUSEADDR), 1);
  {
    WSAPROTOCOL_INFOW w;
    len = sizeof(w);
    ASSERT_EQ(getr(un, WS_SOL_SOCKET, WS_SO_PROTOCOL_INFOW, &w, &len), 0);
    ASSERT_EQ(w.iAddressFamily, WS_AF_UNIX);
    ASSERT_EQ(w.dwCatalogEntryId, 1007);
  }
  len = 64;
  {
    char b[64];
    ASSERT_EQ(getr(un, WS_SOL_SOCKET, WS_SO_BSP_STATE, b, &len),
              WSAENOPROTOOPT);
  }
  done(un);
  done(t);
  done(u);
}
