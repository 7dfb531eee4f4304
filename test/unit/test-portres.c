/*
 * Run-time port reservations (src/provider/base/portres.c) through the
 * module's API, on real sockets made with the public API (WSAStartup,
 * socket, bind, closesocket): what SIO_ACQUIRE_PORT_RESERVATION,
 * SIO_ASSOCIATE_PORT_RESERVATION and SIO_RELEASE_PORT_RESERVATION do once
 * WSPIoctl has checked their buffers. Loopback only (127.0.0.1, ::1).
 *
 * Other tests may run at the same time and take ports, so a case that
 * needs particular ports takes a reservation first and works inside it.
 */
#define WS2_USE_PREFIX
#include <winsock2.h>
#include <mstcpip.h>
#include <ws2tcpip.h>

#include "provider/base/bsp.h"
#include "provider/base/portres.h"
#include "ws2test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------- */

static void start(void) {
  WSADATA wd;
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wd), 0);
}

static void stop(void) { ASSERT_EQ(WSACleanup(), 0); }

static SOCKET mksock(int af, int type, int proto) {
  SOCKET s = WS_socket(af, type, proto);
  if (s == INVALID_SOCKET)
    WS2TEST_FAIL_("socket(%d, %d, %d): %d", af, type, proto, WSAGetLastError());
  return s;
}
#define TCP4() mksock(WS_AF_INET, WS_SOCK_STREAM, WS_IPPROTO_TCP)
#define TCP6() mksock(WS_AF_INET6, WS_SOCK_STREAM, WS_IPPROTO_TCP)
#define UDP4() mksock(WS_AF_INET, WS_SOCK_DGRAM, WS_IPPROTO_UDP)

static void closes(SOCKET s) { ASSERT_EQ(closesocket(s), 0); }

/* bind to 127.0.0.1:port (or [::1]:port): 0 or the WSA error. */
static int bind_lo(SOCKET s, unsigned port) {
  SOCKADDR_IN a;
  memset(&a, 0, sizeof(a));
  a.sin_family = WS_AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.WS_s_addr = htonl(WS_INADDR_LOOPBACK);
  return WS_bind(s, (struct WS_sockaddr *)&a, sizeof(a)) == 0
             ? 0
             : WSAGetLastError();
}

static int bind_lo6(SOCKET s, unsigned port) {
  SOCKADDR_IN6 a;
  memset(&a, 0, sizeof(a));
  a.sin6_family = WS_AF_INET6;
  a.sin6_port = htons((uint16_t)port);
  a.sin6_addr.WS_s6_addr[15] = 1;
  return WS_bind(s, (struct WS_sockaddr *)&a, sizeof(a)) == 0
             ? 0
             : WSAGetLastError();
}

/* The local port of a bound socket (host order). */
static unsigned port_of(SOCKET s) {
  SOCKADDR_IN6 a;
  int len = sizeof(a);
  if (WS_getsockname(s, (struct WS_sockaddr *)&a, &len) != 0)
    WS2TEST_FAIL_("getsockname: %d", WSAGetLastError());
  return ntohs(a.sin6_port); /* sin_port and sin6_port share an offset */
}

/* The module's entries, on the provider socket behind a SOCKET. */
static ws2__bsock_t *sock_of(SOCKET h) {
  ws2__bsock_t *s = ws2__bsock_get(h);
  if (!s) WS2TEST_FAIL_("ws2__bsock_get(%llu) failed", (unsigned long long)h);
  return s;
}

static int acquire(SOCKET h, unsigned startport, unsigned n,
                   INET_PORT_RESERVATION_INSTANCE *out) {
  ws2__bsock_t *s = sock_of(h);
  INET_PORT_RANGE in;
  int r;
  in.StartPort = htons((uint16_t)startport);
  in.NumberOfPorts = (USHORT)n;
  memset(out, 0xcc, sizeof(*out));
  r = ws2__portres_acquire(s, &in, out);
  ws2__bsock_unref(s);
  return r;
}

static int associate(SOCKET h, ULONG64 token) {
  ws2__bsock_t *s = sock_of(h);
  int r = ws2__portres_associate(s, token);
  ws2__bsock_unref(s);
  return r;
}

static int release(SOCKET h, ULONG64 token) {
  ws2__bsock_t *s = sock_of(h);
  int r = ws2__portres_release(s, token);
  ws2__bsock_unref(s);
  return r;
}

static unsigned first_of(const INET_PORT_RESERVATION_INSTANCE *r) {
  return ntohs(r->Reservation.StartPort);
}

static void ephemeral(unsigned *lo, unsigned *hi) {
  FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
  if (!f || fscanf(f, "%u %u", lo, hi) != 2) *lo = 32768, *hi = 60999;
  if (f) fclose(f);
}

/* ---- acquire ----------------------------------------------------------- */

TEST(acquire_wildcard_block_in_ephemeral_range) {
  INET_PORT_RESERVATION_INSTANCE a, b;
  unsigned lo, hi;
  SOCKET s;
  start();
  ephemeral(&lo, &hi);
  s = TCP4();
  ASSERT_EQ(acquire(s, 0, 8, &a), 0);
  ASSERT_NE(a.Token, INVALID_PORT_RESERVATION_TOKEN);
  ASSERT_EQ(a.Reservation.NumberOfPorts, 8);
  ASSERT_GE(first_of(&a), lo);
  ASSERT_LE(first_of(&a) + 7, hi);
  /* A second one: another token, a block that does not overlap. */
  ASSERT_EQ(acquire(s, 0, 8, &b), 0);
  ASSERT_NE(b.Token, a.Token);
  ASSERT_NE(b.Token, INVALID_PORT_RESERVATION_TOKEN);
  ASSERT_TRUE(first_of(&b) + 8 <= first_of(&a) ||
              first_of(&a) + 8 <= first_of(&b));
  /* The C spelling of the SDK's anonymous members names the same bytes. */
  ASSERT_EQ(a.StartPort, a.Reservation.StartPort);
  ASSERT_EQ(a.NumberOfPorts, 8);
  closes(s);
  stop();
}

TEST(acquire_specific_block) {
  INET_PORT_RESERVATION_INSTANCE w, r;
  SOCKET s;
  int tries, got = 0;
  start();
  s = TCP4();
  /* Find 4 free ports, give them back, take them by number: another test
   * may take one meanwhile, so a few tries. */
  for (tries = 0; tries < 5 && !got; tries++) {
    ASSERT_EQ(acquire(s, 0, 4, &w), 0);
    ASSERT_EQ(release(s, w.Token), 0);
    if (acquire(s, first_of(&w), 4, &r) == 0) got = 1;
  }
  ASSERT_TRUE(got);
  ASSERT_EQ(r.Reservation.StartPort, w.Reservation.StartPort); /* network */
  ASSERT_EQ(r.Reservation.NumberOfPorts, 4);
  ASSERT_NE(r.Token, w.Token); /* tokens are never reused */
  /* The same block, or one overlapping it, again: WSAEADDRINUSE. */
  ASSERT_EQ(acquire(s, first_of(&w), 4, &r), WSAEADDRINUSE);
  ASSERT_EQ(acquire(s, first_of(&w) + 3, 2, &r), WSAEADDRINUSE);
  ASSERT_EQ(acquire(s, first_of(&w) - 1, 2, &r), WSAEADDRINUSE);
  closes(s);
  stop();
}

TEST(acquire_bad_ranges) {
  INET_PORT_RESERVATION_INSTANCE r;
  unsigned lo, hi;
  SOCKET s;
  start();
  ephemeral(&lo, &hi);
  s = TCP4();
  ASSERT_EQ(acquire(s, 0, 0, &r), WSAEINVAL);     /* no ports */
  ASSERT_EQ(acquire(s, 40000, 0, &r), WSAEINVAL); /* no ports */
  ASSERT_EQ(acquire(s, 65535, 2, &r), WSAEINVAL); /* past 65535 */
  ASSERT_EQ(acquire(s, 65000, 1000, &r), WSAEINVAL);
  /* A wildcard block larger than the ephemeral range: none is free. */
  ASSERT_EQ(acquire(s, 0, hi - lo + 2, &r), WSAEADDRINUSE);
  ASSERT_EQ(acquire(s, 0, 65535, &r), WSAEADDRINUSE);
  closes(s);
  stop();
}

TEST(acquire_refuses_ports_in_use) {
  INET_PORT_RESERVATION_INSTANCE w, r;
  SOCKET s, l, b, u, us;
  unsigned p;
  int rr;
  start();
  s = TCP4();
  l = TCP4();
  b = TCP4();
  /* A listener and a socket merely bound (which Linux alone would let a
   * SO_REUSEADDR socket share) both hold their ports. */
  ASSERT_EQ(bind_lo(l, 0), 0);
  ASSERT_EQ(WS_listen(l, 4), 0);
  p = port_of(l);
  ASSERT_EQ(acquire(s, p, 1, &r), WSAEADDRINUSE);
  ASSERT_EQ(acquire(s, p - 1, 3, &r), WSAEADDRINUSE);
  ASSERT_EQ(bind_lo(b, 0), 0);
  ASSERT_EQ(acquire(s, port_of(b), 1, &r), WSAEADDRINUSE);
  /* UDP: a bound UDP socket holds its port for the UDP pool only. */
  u = UDP4();
  ASSERT_EQ(bind_lo(u, 0), 0);
  us = UDP4();
  ASSERT_EQ(acquire(us, port_of(u), 1, &r), WSAEADDRINUSE);
  closes(u);
  closes(us);
  /* Closed, the ports are free again. */
  closes(b);
  ASSERT_EQ(acquire(s, 0, 1, &w), 0); /* the machinery still works */
  closes(l);
  rr = acquire(s, p, 1, &r); /* free, unless another test took it since */
  ASSERT_TRUE(rr == 0 || rr == WSAEADDRINUSE);
  closes(s);
  stop();
}

/* ---- associate, bind --------------------------------------------------- */

TEST(associated_port0_binds_take_the_block_in_order) {
  INET_PORT_RESERVATION_INSTANCE r;
  SOCKET own, v[5];
  unsigned first, i;
  start();
  own = TCP4();
  ASSERT_EQ(acquire(own, 0, 4, &r), 0);
  first = first_of(&r);
  for (i = 0; i < 5; i++) {
    v[i] = TCP4();
    ASSERT_EQ(associate(v[i], r.Token), 0);
  }
  for (i = 0; i < 4; i++) {
    ASSERT_EQ(bind_lo(v[i], 0), 0);
    ASSERT_EQ(port_of(v[i]), first + i);
  }
  /* Exhausted: bind fails, and the socket stays unbound. */
  ASSERT_EQ(bind_lo(v[4], 0), WSAEADDRINUSE);
  /* A port given back goes to the next associated socket. */
  closes(v[1]);
  ASSERT_EQ(bind_lo(v[4], 0), 0);
  ASSERT_EQ(port_of(v[4]), first + 1);
  /* They are ordinary sockets from then on. */
  ASSERT_EQ(WS_listen(v[4], 4), 0);
  closes(v[0]);
  closes(v[2]);
  closes(v[3]);
  closes(v[4]);
  closes(own);
  stop();
}

TEST(associated_explicit_port_in_its_block) {
  INET_PORT_RESERVATION_INSTANCE r;
  SOCKET own, a, b, c, d;
  unsigned first;
  start();
  own = TCP4();
  ASSERT_EQ(acquire(own, 0, 3, &r), 0);
  first = first_of(&r);
  a = TCP4();
  b = TCP4();
  c = TCP4();
  d = TCP4();
  ASSERT_EQ(associate(a, r.Token), 0);
  ASSERT_EQ(associate(b, r.Token), 0);
  ASSERT_EQ(associate(c, r.Token), 0);
  ASSERT_EQ(associate(d, r.Token), 0);
  ASSERT_EQ(bind_lo(a, first + 1), 0); /* explicit, inside its block */
  ASSERT_EQ(port_of(a), first + 1);
  ASSERT_EQ(bind_lo(b, 0), 0); /* port 0 skips the port a holds */
  ASSERT_EQ(port_of(b), first);
  ASSERT_EQ(bind_lo(c, 0), 0);
  ASSERT_EQ(port_of(c), first + 2);
  ASSERT_EQ(bind_lo(d, 0), WSAEADDRINUSE);
  /* Two associated sockets on one port follow the ordinary rules. */
  ASSERT_EQ(bind_lo(d, first + 1), WSAEADDRINUSE);
  closes(a);
  closes(b);
  closes(c);
  closes(d);
  closes(own);
  stop();
}

TEST(unassociated_binds_in_a_block_are_refused) {
  INET_PORT_RESERVATION_INSTANCE r, r2;
  SOCKET own, x, y, u, other;
  unsigned first;
  start();
  own = TCP4();
  ASSERT_EQ(acquire(own, 0, 2, &r), 0);
  ASSERT_EQ(acquire(own, 0, 2, &r2), 0);
  first = first_of(&r);
  x = TCP4();
  ASSERT_EQ(bind_lo(x, first), WSAEACCES);
  ASSERT_EQ(bind_lo(x, first + 1), WSAEACCES);
  /* The acquiring socket itself is not associated by acquiring. */
  ASSERT_EQ(bind_lo(own, first), WSAEACCES);
  /* Nor is a socket associated with another reservation. */
  other = TCP4();
  ASSERT_EQ(associate(other, r2.Token), 0);
  ASSERT_EQ(bind_lo(other, first), WSAEACCES);
  /* ... which may bind outside every block as any socket does. */
  ASSERT_EQ(bind_lo(x, 0), 0);
  ASSERT_TRUE(port_of(x) < first || port_of(x) >= first + 2);
  /* IPv6 too: the pool is per protocol, not per family. */
  y = TCP6();
  ASSERT_EQ(bind_lo6(y, first), WSAEACCES);
  /* A UDP socket may: TCP and UDP reservations are separate pools. */
  u = UDP4();
  ASSERT_EQ(bind_lo(u, first), 0);
  closes(u);
  closes(x);
  closes(y);
  closes(other);
  closes(own);
  stop();
}

TEST(unassociated_port0_binds_avoid_reserved_ports) {
  INET_PORT_RESERVATION_INSTANCE r;
  unsigned lo, hi, n, first, i, p;
  SOCKET own, v[40];
  int fds0, got = 0;
  start();
  ephemeral(&lo, &hi);
  own = TCP4();
  /* A block of a good share of the range, so that Linux's own choice
   * would often fall in it: the largest of 1/2, 1/4, ... that is free. */
  for (n = (hi - lo + 1) / 2; n >= 64 && !got; n /= 2)
    if (acquire(own, 0, n, &r) == 0) got = 1;
  if (!got) SKIP("no large free block in the ephemeral range");
  first = first_of(&r);
  n = r.Reservation.NumberOfPorts;
  fds0 = t_open_fds();
  for (i = 0; i < 40; i++) {
    v[i] = i % 2 ? TCP4() : UDP4();
    ASSERT_EQ(bind_lo(v[i], 0), 0);
    p = port_of(v[i]);
    if (i % 2) ASSERT_TRUE(p < first || p >= first + n); /* TCP: avoided */
  }
  for (i = 0; i < 40; i++) closes(v[i]);
  ASSERT_EQ(t_open_fds(), fds0); /* no probe left open */
  closes(own);
  stop();
}

TEST(ipv6_and_udp_reservations) {
  INET_PORT_RESERVATION_INSTANCE r, ru;
  SOCKET own, a, uown, u, u2;
  start();
  own = TCP6();
  ASSERT_EQ(acquire(own, 0, 2, &r), 0);
  a = TCP6();
  ASSERT_EQ(associate(a, r.Token), 0);
  ASSERT_EQ(bind_lo6(a, 0), 0);
  ASSERT_EQ(port_of(a), first_of(&r));
  /* UDP: its own pool. */
  uown = UDP4();
  ASSERT_EQ(acquire(uown, 0, 2, &ru), 0);
  u = UDP4();
  ASSERT_EQ(associate(u, ru.Token), 0);
  ASSERT_EQ(bind_lo(u, 0), 0);
  ASSERT_EQ(port_of(u), first_of(&ru));
  u2 = UDP4();
  ASSERT_EQ(bind_lo(u2, first_of(&ru) + 1), WSAEACCES);
  /* A token of one protocol means nothing to the other. */
  ASSERT_EQ(associate(u2, r.Token), WSAEINVAL);
  ASSERT_EQ(release(u2, r.Token), WSAEINVAL);
  ASSERT_EQ(release(own, ru.Token), WSAEINVAL);
  closes(a);
  closes(u);
  closes(u2);
  closes(uown);
  closes(own);
  stop();
}

TEST(associate_errors) {
  INET_PORT_RESERVATION_INSTANCE r;
  SOCKET own, b, c, x;
  start();
  own = TCP4();
  ASSERT_EQ(acquire(own, 0, 2, &r), 0);
  b = TCP4();
  ASSERT_EQ(bind_lo(b, 0), 0);
  ASSERT_EQ(associate(b, r.Token), WSAEINVAL); /* bound already */
  c = TCP4();
  ASSERT_EQ(associate(c, 0), WSAEINVAL);      /* the invalid token */
  ASSERT_EQ(associate(c, 0x1234), WSAEINVAL); /* unknown */
  ASSERT_EQ(associate(c, r.Token ^ 1), WSAEINVAL);
  ASSERT_EQ(release(c, 0x1234), WSAEINVAL);
  ASSERT_EQ(release(c, 0), WSAEINVAL);
  /* A later association replaces an earlier one. */
  ASSERT_EQ(associate(c, r.Token), 0);
  ASSERT_EQ(associate(c, r.Token), 0);
  /* Not TCP nor UDP: WSAEOPNOTSUPP. */
  x = mksock(WS_AF_UNIX, WS_SOCK_STREAM, 0);
  ASSERT_EQ(acquire(x, 0, 1, &r), WSAEOPNOTSUPP);
  ASSERT_EQ(associate(x, r.Token), WSAEOPNOTSUPP);
  ASSERT_EQ(release(x, r.Token), WSAEOPNOTSUPP);
  closes(x);
  closes(b);
  closes(c);
  closes(own);
  stop();
}

/* ---- release, lifetime ------------------------------------------------ */

TEST(release_frees_the_block_bound_sockets_keep_ports) {
  INET_PORT_RESERVATION_INSTANCE r;
  SOCKET own, a, b, x, other;
  unsigned first;
  start();
  own = TCP4();
  ASSERT_EQ(acquire(own, 0, 3, &r), 0);
  first = first_of(&r);
  a = TCP4();
  b = TCP4();
  ASSERT_EQ(associate(a, r.Token), 0);
  ASSERT_EQ(associate(b, r.Token), 0);
  ASSERT_EQ(bind_lo(a, 0), 0);
  ASSERT_EQ(port_of(a), first);
  /* Any socket of the process may release it. */
  other = TCP4();
  ASSERT_EQ(release(other, r.Token), 0);
  ASSERT_EQ(release(other, r.Token), WSAEINVAL); /* once */
  ASSERT_EQ(release(own, r.Token), WSAEINVAL);
  /* a keeps its port; the others are anyone's. */
  ASSERT_EQ(port_of(a), first);
  ASSERT_EQ(WS_listen(a, 4), 0);
  x = TCP4();
  ASSERT_EQ(bind_lo(x, first + 1), 0);
  /* An association with it now gives no port (its ports are gone), and
   * a new one is refused. */
  ASSERT_EQ(bind_lo(b, 0), WSAEADDRINUSE);
  ASSERT_EQ(associate(other, r.Token), WSAEINVAL);
  /* b may still bind a port by number, as any socket. */
  ASSERT_EQ(bind_lo(b, first + 2), 0);
  closes(a);
  closes(b);
  closes(x);
  closes(other);
  closes(own);
  stop();
}

TEST(reservation_ends_with_the_acquiring_socket) {
  INET_PORT_RESERVATION_INSTANCE r;
  SOCKET own, a, b, other, x;
  unsigned first;
  start();
  own = TCP4();
  ASSERT_EQ(acquire(own, 0, 3, &r), 0);
  first = first_of(&r);
  a = TCP4();
  b = TCP4();
  ASSERT_EQ(associate(a, r.Token), 0);
  ASSERT_EQ(associate(b, r.Token), 0);
  ASSERT_EQ(bind_lo(a, 0), 0);
  closes(own);
  other = TCP4();
  ASSERT_EQ(release(other, r.Token), WSAEINVAL); /* gone */
  ASSERT_EQ(associate(other, r.Token), WSAEINVAL);
  ASSERT_EQ(port_of(a), first); /* a keeps its port */
  ASSERT_EQ(bind_lo(b, 0), WSAEADDRINUSE);
  x = TCP4();
  ASSERT_EQ(bind_lo(x, first + 1), 0); /* no longer reserved */
  closes(a);
  closes(b);
  closes(x);
  closes(other);
  stop();
}

TEST(reservation_ends_when_the_owner_goes_by_closehandle) {
  INET_PORT_RESERVATION_INSTANCE r;
  SOCKET own, x;
  start();
  own = TCP4();
  ASSERT_EQ(acquire(own, 0, 2, &r), 0);
  ASSERT_TRUE(CloseHandle((HANDLE)own));
  x = TCP4();
  ASSERT_EQ(bind_lo(x, first_of(&r)), 0);
  closes(x);
  x = TCP4();
  ASSERT_EQ(release(x, r.Token), WSAEINVAL);
  closes(x);
  stop();
}

TEST(reservation_ends_with_wsacleanup) {
  INET_PORT_RESERVATION_INSTANCE r;
  SOCKET own, x;
  start();
  own = TCP4();
  ASSERT_EQ(acquire(own, 0, 2, &r), 0);
  stop(); /* closes own */
  start();
  x = TCP4();
  ASSERT_EQ(release(x, r.Token), WSAEINVAL);
  ASSERT_EQ(bind_lo(x, first_of(&r)), 0);
  closes(x);
  stop();
}

TEST(documented_sequence) {
  /* The SIO_ACQUIRE_PORT_RESERVATION page's example: acquire on a socket,
   * associate the same socket, bind it to port 0, release, close. */
  INET_PORT_RESERVATION_INSTANCE r;
  SOCKET s;
  start();
  s = TCP4();
  ASSERT_EQ(acquire(s, 0, 20, &r), 0);
  ASSERT_EQ(associate(s, r.Token), 0);
  ASSERT_EQ(bind_lo(s, 0), 0);
  ASSERT_EQ(port_of(s), first_of(&r));
  ASSERT_EQ(release(s, r.Token), 0);
  closes(s);
  stop();
}

/* ---- threads ------------------------------------------------------------ */

/* No assertion may fail outside the main thread: errors are counted. */
static SOCKET tcp_quiet(void) {
  return WS_socket(WS_AF_INET, WS_SOCK_STREAM, WS_IPPROTO_TCP);
}

static unsigned port_quiet(SOCKET s) {
  SOCKADDR_IN a;
  int len = sizeof(a);
  if (WS_getsockname(s, (struct WS_sockaddr *)&a, &len) != 0) return 0;
  return ntohs(a.sin_port);
}

static DWORD WINAPI churn(LPVOID arg) {
  int i, j, *bad = (int *)arg;
  for (i = 0; i < 25; i++) {
    INET_PORT_RESERVATION_INSTANCE r;
    SOCKET own = tcp_quiet(), v[3], x = tcp_quiet();
    unsigned first;
    if (own == INVALID_SOCKET || x == INVALID_SOCKET ||
        acquire(own, 0, 2, &r) != 0) {
      (*bad)++;
      break;
    }
    first = first_of(&r);
    for (j = 0; j < 3; j++) {
      v[j] = tcp_quiet();
      if (v[j] == INVALID_SOCKET || associate(v[j], r.Token) != 0) (*bad)++;
    }
    if (bind_lo(v[0], 0) != 0 || port_quiet(v[0]) != first) (*bad)++;
    if (bind_lo(v[1], 0) != 0 || port_quiet(v[1]) != first + 1) (*bad)++;
    if (bind_lo(v[2], 0) != WSAEADDRINUSE) (*bad)++;
    if (bind_lo(x, first) != WSAEACCES) (*bad)++;
    if (bind_lo(x, 0) != 0) (*bad)++;
    if (i % 2 && release(x, r.Token) != 0) (*bad)++;
    for (j = 0; j < 3; j++) closesocket(v[j]);
    closesocket(x);
    closesocket(own);
  }
  return 0;
}

TEST(threads_acquire_bind_release_close) {
  HANDLE t[4];
  int bad[4] = {0, 0, 0, 0}, i;
  start();
  for (i = 0; i < 4; i++) {
    t[i] = CreateThread(NULL, 0, churn, &bad[i], 0, NULL);
    ASSERT_NE_PTR(t[i], NULL);
  }
  for (i = 0; i < 4; i++) ASSERT_JOINED(t[i], 60000);
  for (i = 0; i < 4; i++) ASSERT_EQ(bad[i], 0);
  stop();
}
