/*
 * bindrules.c: Windows' bind rules for the TCP sockets of this process.
 *
 * Windows decides a TCP bind from the reuse mode of the socket bound first
 * and of the one binding now (default, SO_REUSEADDR, SO_EXCLUSIVEADDRUSE)
 * and whether each address is the wildcard or a specific one. Microsoft's
 * "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE" gives the table for Windows
 * Server 2003 and later, both binds by the same user (as two sockets of
 * one process are); Wine's test_reuseaddr, run on Windows, agrees with
 * every case it tries. First bind in rows, second in columns; "-" binds,
 * INUSE is WSAEADDRINUSE, ACCESS WSAEACCES:
 *
 *                       default        SO_REUSEADDR   SO_EXCLUSIVEADDRUSE
 *                       wild   spec.   wild   spec.   wild   spec.
 *   default       wild  INUSE  -       ACCESS -       INUSE  -
 *                 spec. -      INUSE   -      ACCESS  INUSE  INUSE
 *   SO_REUSEADDR  wild  INUSE  -       -      -       INUSE  -
 *                 spec. -      INUSE   -      -       INUSE  INUSE
 *   EXCLUSIVE     wild  INUSE  ACCESS  ACCESS ACCESS  INUSE  ACCESS
 *                 spec. -      INUSE   -      ACCESS  INUSE  INUSE
 *
 * Two different specific addresses never conflict. ws2 maps the modes to
 * Linux's options (sockopt.c, set_reuse): default = SO_REUSEADDR (for the
 * TIME_WAIT rule), SO_REUSEADDR = SO_REUSEADDR + SO_REUSEPORT, exclusive =
 * neither. With those, Linux lets two default sockets, or a default and a
 * SO_REUSEADDR socket, share an address while neither listens, and says
 * EADDRINUSE where Windows says WSAEACCES. So WSPBind checks the endpoints
 * this process's TCP sockets hold first: where the table refuses, the bind
 * fails with the table's error; where it allows, Linux decides (and may
 * still refuse: a wildcard and a specific bind overlapping while one is
 * exclusive or the first listens; docs/STATUS.md lists what remains).
 * Sockets of other processes are Linux's business alone.
 *
 * The registry: one entry per bound TCP socket (family, address, port,
 * reuse mode at bind time), in buckets by port, under one lock that is
 * held from the check through the bind, so two threads cannot both pass
 * the check. closesocket removes a socket's entry before its Linux socket
 * closes (ws2__bindrules_forget). An entry whose socket went away some
 * other way (CloseHandle on the socket, or TF_REUSE_SOCKET giving it a
 * fresh Linux socket) is found stale when it would refuse a bind: the
 * entry keeps the socket's handle and is believed only while the handle
 * still names that socket and the socket's Linux name is still the
 * entry's. The socket pointer of an entry is an identity, never followed
 * without that check.
 *
 * Not covered: binds to port 0 are checked by Linux alone (it picks a
 * port no socket holds) but are recorded, so a later bind to the same
 * port sees them; sockets bound implicitly by connect are not recorded;
 * IPv4 and IPv6 endpoints are compared within their family only (a
 * dual-stack wildcard's IPv4 side is Linux's to check). UDP keeps Linux's
 * rules.
 *
 * Port reservations (portres.c) apply to every IPv4 and IPv6 bind of a
 * TCP or UDP socket, under the same lock, which SIO_ACQUIRE_PORT_RESERVATION
 * also holds while it checks ports: a socket associated with a
 * reservation binding port 0 tries the ports of its block in order (one
 * no TCP socket of the process holds, then Linux's bind, which refuses a
 * port another socket holds) and binds the first that works; a port in a
 * reservation the socket is not associated with is WSAEACCES. Any other
 * socket binding port 0 while reservations exist gets its port from
 * probes: a socket like it bound to port 0 shows the port Linux would
 * pick; a reserved one is kept bound, so the next probe gets another,
 * until one is outside every reservation, which the socket then binds
 * (64 probes at most, then WSAENOBUFS, Windows' error for a bind that
 * finds no port).
 */
#include "provider/base/bindrules.h"

#include "core/alloc.h"
#include "core/error.h"
#include "provider/base/portres.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MODE_DEFAULT, MODE_REUSE, MODE_EXCLUSIVE };
enum { ALLOW = 0, INUSE = 1, ACCESS = 2 };

/* The table above: [first mode * 2 + specific][second mode * 2 + specific]. */
static const unsigned char rules[6][6] = {
    /*         DW      DS      RW      RS      XW      XS */
    /* DW */ {INUSE, ALLOW, ACCESS, ALLOW, INUSE, ALLOW},
    /* DS */ {ALLOW, INUSE, ALLOW, ACCESS, INUSE, INUSE},
    /* RW */ {INUSE, ALLOW, ALLOW, ALLOW, INUSE, ALLOW},
    /* RS */ {ALLOW, INUSE, ALLOW, ALLOW, INUSE, INUSE},
    /* XW */ {INUSE, ACCESS, ACCESS, ACCESS, INUSE, ACCESS},
    /* XS */ {ALLOW, INUSE, ALLOW, ACCESS, INUSE, INUSE},
};

/* An endpoint: Linux family, address, port (host order). */
typedef struct {
  int family;
  int wild;
  uint16_t port;
  uint32_t scope; /* IPv6 link-local only */
  unsigned char addr[16];
} endpoint_t;

typedef struct entry {
  struct entry *next;
  ws2__bsock_t *s; /* identity only (see alive) */
  SOCKET handle;
  int mode;
  endpoint_t ep;
} entry_t;

#define NBUCKETS 256

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static entry_t *buckets[NBUCKETS];

static entry_t **bucket_of(uint16_t port) { return &buckets[port % NBUCKETS]; }

/* A Linux IPv4 or IPv6 address as an endpoint; 0 for anything else. */
static int endpoint_of(const struct sockaddr *sa, socklen_t len,
                       endpoint_t *ep) {
  memset(ep, 0, sizeof(*ep));
  if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    ep->family = AF_INET;
    ep->port = ntohs(in->sin_port);
    memcpy(ep->addr, &in->sin_addr, 4);
    ep->wild = in->sin_addr.s_addr == htonl(INADDR_ANY);
    return 1;
  }
  if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    ep->family = AF_INET6;
    ep->port = ntohs(in6->sin6_port);
    memcpy(ep->addr, &in6->sin6_addr, 16);
    ep->wild = IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
    if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr)) ep->scope = in6->sin6_scope_id;
    return 1;
  }
  return 0;
}

static int same_endpoint(const endpoint_t *a, const endpoint_t *b) {
  return a->family == b->family && a->port == b->port && a->wild == b->wild &&
         a->scope == b->scope && memcmp(a->addr, b->addr, 16) == 0;
}

static int mode_of(uint32_t flags) {
  return (flags & WS2__BS_EXCLUSIVE)   ? MODE_EXCLUSIVE
         : (flags & WS2__BS_REUSEADDR) ? MODE_REUSE
                                       : MODE_DEFAULT;
}

/* What Windows says to binding `b` with `mode` while e holds its endpoint. */
static int verdict(const entry_t *e, const endpoint_t *b, int mode) {
  const endpoint_t *a = &e->ep;
  if (a->family != b->family || a->port != b->port) return ALLOW;
  if (!a->wild && !b->wild &&
      (a->scope != b->scope || memcmp(a->addr, b->addr, 16) != 0))
    return ALLOW;
  return rules[e->mode * 2 + !a->wild][mode * 2 + !b->wild];
}

/* Whether e still describes a live socket bound where e says. */
static int alive(const entry_t *e) {
  ws2__bsock_t *h = ws2__bsock_get(e->handle);
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  endpoint_t now;
  int ok;
  if (!h) return 0;
  ok = h == e->s && getsockname(h->fd, (struct sockaddr *)&ss, &len) == 0 &&
       endpoint_of((struct sockaddr *)&ss, len, &now) &&
       same_endpoint(&now, &e->ep);
  ws2__bsock_unref(h);
  return ok;
}

/* Removes s's entry from the bucket its bind_slot names. reg_lock held. */
static void unlink_socket(ws2__bsock_t *s) {
  int slot = atomic_load(&s->bind_slot);
  entry_t **pp, *e;
  if (!slot) return;
  for (pp = bucket_of((uint16_t)(slot - 1)); (e = *pp) != NULL;) {
    if (e->s == s) {
      *pp = e->next;
      ws2__free(e);
    } else {
      pp = &e->next;
    }
  }
  atomic_store(&s->bind_slot, 0);
}

/* The error Windows gives binding `want` with `mode`; 0 when it allows
 * it. Drops the stale entries it meets. reg_lock held. */
static int check(const endpoint_t *want, int mode) {
  entry_t **pp, *e;
  int worst = ALLOW, v;
  for (pp = bucket_of(want->port); (e = *pp) != NULL;) {
    v = verdict(e, want, mode);
    if (v != ALLOW && !alive(e)) {
      *pp = e->next;
      ws2__free(e);
      continue;
    }
    if (v > worst) worst = v; /* WSAEACCES wins over WSAEADDRINUSE */
    pp = &e->next;
  }
  return worst == ACCESS ? WSAEACCES : worst == INUSE ? WSAEADDRINUSE : 0;
}

/* Records the endpoint s's Linux socket is bound to. Best effort: without
 * memory the socket is simply not known. reg_lock held. */
static void record(ws2__bsock_t *s) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  endpoint_t ep;
  entry_t *e, **b;
  unlink_socket(s);
  if (getsockname(s->fd, (struct sockaddr *)&ss, &len) != 0 ||
      !endpoint_of((struct sockaddr *)&ss, len, &ep) || ep.port == 0)
    return;
  if (!(e = ws2__calloc(1, sizeof(*e)))) return;
  e->s = s;
  e->handle = s->handle;
  e->mode = mode_of(s->flags);
  e->ep = ep;
  b = bucket_of(ep.port);
  e->next = *b;
  *b = e;
  atomic_store(&s->bind_slot, (int)ep.port + 1);
}

static int tracked(const ws2__bsock_t *s, int family) {
  return s->type == WS_SOCK_STREAM && (family == AF_INET || family == AF_INET6);
}

/* Linux's bind, its error as WSPBind reports it. */
static int linux_bind(ws2__bsock_t *s, const struct sockaddr *sa,
                      socklen_t salen) {
  if (bind(s->fd, sa, salen) == 0) return 0;
  return errno == EINVAL ? WSAEINVAL : ws2__errno_to_wsa(errno);
}

/* sa (an IPv4 or IPv6 address) with its port set to `port`. */
static void with_port(struct sockaddr_storage *ss, const struct sockaddr *sa,
                      socklen_t salen, uint16_t port) {
  memcpy(ss, sa, salen);
  if (sa->sa_family == AF_INET)
    ((struct sockaddr_in *)ss)->sin_port = htons(port);
  else
    ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* Whether a live entry holds `port`. Drops the stale entries it meets.
 * reg_lock held. */
static int held(uint16_t port) {
  entry_t **pp, *e;
  for (pp = bucket_of(port); (e = *pp) != NULL;) {
    if (e->ep.port == port) {
      if (alive(e)) return 1;
      *pp = e->next;
      ws2__free(e);
      continue;
    }
    pp = &e->next;
  }
  return 0;
}

/* Binds s, associated with a reservation, to the first free port of its
 * block [first, first + count). reg_lock held. */
static int bind_in_block(ws2__bsock_t *s, const struct sockaddr *sa,
                         socklen_t salen, int track, uint16_t first,
                         unsigned count) {
  struct sockaddr_storage ss;
  unsigned i;
  int r;
  for (i = 0; i < count; i++) {
    uint16_t port = (uint16_t)(first + i);
    if (track && held(port)) continue;
    with_port(&ss, sa, salen, port);
    r = linux_bind(s, (struct sockaddr *)&ss, salen);
    if (r != WSAEADDRINUSE) return r; /* bound, or no port would do */
  }
  return WSAEADDRINUSE; /* no port of the reservation is free */
}

#define MAX_PROBES 64

/* Binds s to a port Linux would pick for port 0 that no reservation of
 * the process holds (see the top of the file). reg_lock held. */
static int bind_avoiding(ws2__bsock_t *s, const struct sockaddr *sa,
                         socklen_t salen) {
  int kept[MAX_PROBES], nkept = 0, i, fd, v6only, r = WSAENOBUFS;
  int type =
      (s->type == WS_SOCK_STREAM ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC;
  struct sockaddr_storage ss;
  socklen_t len;
  endpoint_t got;

  for (i = 0; i < MAX_PROBES; i++) {
    if ((fd = socket(sa->sa_family, type, 0)) < 0) {
      r = ws2__errno_to_wsa(errno);
      break;
    }
    len = sizeof(v6only);
    if (sa->sa_family == AF_INET6 &&
        getsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) == 0)
      (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, len);
    len = sizeof(ss);
    if (bind(fd, sa, salen) != 0) {
      r = errno == EINVAL ? WSAEINVAL : ws2__errno_to_wsa(errno);
      close(fd);
      break;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
        !endpoint_of((struct sockaddr *)&ss, len, &got)) {
      close(fd);
      break;
    }
    if (ws2__portres_reserved(s, got.port)) {
      kept[nkept++] = fd; /* so the next probe gets another port */
      continue;
    }
    close(fd);
    with_port(&ss, sa, salen, got.port);
    r = linux_bind(s, (struct sockaddr *)&ss, salen);
    if (r != WSAEADDRINUSE) break; /* else taken meanwhile: probe again */
  }
  while (nkept > 0) close(kept[--nkept]);
  return r;
}

int ws2__bindrules_bind(ws2__bsock_t *s, const struct sockaddr *sa,
                        socklen_t salen) {
  endpoint_t want;
  uint16_t first = 0;
  unsigned count = 0;
  int r, avoid = 0, track;

  /* Only IPv4 and IPv6 binds of TCP and UDP sockets meet the registry and
   * the reservations. */
  if ((s->type != WS_SOCK_STREAM && s->type != WS_SOCK_DGRAM) ||
      !endpoint_of(sa, salen, &want))
    return linux_bind(s, sa, salen);
  track = tracked(s, sa->sa_family);
  pthread_mutex_lock(&reg_lock);
  r = ws2__portres_bind_plan(s, want.port, &avoid, &first, &count);
  if (r == WS2__PORTRES_BLOCK) {
    r = bind_in_block(s, sa, salen, track, first, count);
  } else if (r == 0 && avoid) {
    r = bind_avoiding(s, sa, salen);
  } else if (r == 0) {
    if (track && want.port != 0) r = check(&want, mode_of(s->flags));
    if (r == 0) r = linux_bind(s, sa, salen);
  }
  if (track && r == 0) record(s);
  pthread_mutex_unlock(&reg_lock);
  return r;
}

void ws2__bindrules_adopt(ws2__bsock_t *s) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(s->fd, (struct sockaddr *)&ss, &len) != 0 ||
      !tracked(s, ss.ss_family))
    return;
  pthread_mutex_lock(&reg_lock);
  record(s);
  pthread_mutex_unlock(&reg_lock);
}

void ws2__bindrules_forget(ws2__bsock_t *s) {
  ws2__portres_socket_closed(s);
  if (!atomic_load(&s->bind_slot)) return;
  pthread_mutex_lock(&reg_lock);
  unlink_socket(s);
  pthread_mutex_unlock(&reg_lock);
}

void ws2__bindrules_lock(void) { pthread_mutex_lock(&reg_lock); }

void ws2__bindrules_unlock(void) { pthread_mutex_unlock(&reg_lock); }

int ws2__bindrules_port_held(uint16_t port) { return held(port); }
