/*
 * portres.c: run-time port reservations, a pool of the process.
 *
 * What Microsoft documents (the three SIO_*_PORT_RESERVATION pages,
 * INET_PORT_RANGE, INET_PORT_RESERVATION_INSTANCE,
 * CreatePersistentTcpPortReservation):
 *   - SIO_ACQUIRE_PORT_RESERVATION reserves a block of TCP or UDP ports,
 *     NumberOfPorts from StartPort (network order), or a block the system
 *     chooses when StartPort is 0 (a "wildcard" reservation, run-time
 *     only), and returns the block and a unique opaque ULONG64 token.
 *   - "Runtime port reservations last only as long as the lifetime of the
 *     socket on which the SIO_ACQUIRE_PORT_RESERVATION IOCTL was called",
 *     and must be consumed from the process on whose socket they were
 *     granted. SIO_RELEASE_PORT_RESERVATION ends one earlier; the
 *     reservation must have been obtained by the issuing process.
 *   - SIO_ASSOCIATE_PORT_RESERVATION must be issued before the socket is
 *     bound; when it binds, its port is selected from the reservation,
 *     and if no port of it is available, bind fails.
 *   - Errors: WSAEINVAL for an input "not acceptable" (and, for ACQUIRE,
 *     a short output buffer), WSAEFAULT for bad pointers, WSAEOPNOTSUPP on
 *     a socket other than TCP or UDP. Neither page names the error of an
 *     unknown token nor of an exhausted block.
 * And what programs show of Windows' behaviour: a reservation of a port
 * already in use fails with WSAEADDRINUSE (ms-nfs41-client's
 * bindresvport_sa tries the next port on exactly that error; msquic's
 * MultiBindListener test expects ADDRESS_IN_USE for a second reservation
 * of a port); a bind to a reserved port by a socket outside the
 * reservation fails with WSAEACCES (10013), the error of every program
 * that meets Hyper-V's excluded port ranges.
 *
 * ws2's choices where the pages say nothing: an unknown or ended token is
 * WSAEINVAL (a specified input parameter not acceptable); an associated
 * socket binding port 0 gets the lowest free port of its block, and
 * WSAEADDRINUSE when none is free or its reservation has ended; an
 * associated socket binding an explicit port outside its block binds as
 * any socket would; ASSOCIATE on a bound socket is WSAEINVAL; a
 * reservation requested larger than the ephemeral range is WSAEADDRINUSE
 * (no such block is free). Tokens are per protocol: a TCP socket cannot
 * associate with, or release, a UDP reservation.
 *
 * The pool is this process's; Windows' is the system's. What that leaves
 * out:
 *   - other processes know nothing of ws2's reservations: they may bind a
 *     reserved port, and Linux may give them one as an ephemeral port;
 *   - in this process, a connect on an unbound socket lets Linux pick its
 *     port (the implicit bind does not go through WSPBind), which may be
 *     a reserved one; WSPBind to port 0 avoids reserved ports (bindrules.c);
 *   - a reservation of a port that another process holds is refused only
 *     as far as a test bind can tell (below).
 * Linux's own counterpart, /proc/sys/net/ipv4/ip_local_reserved_ports,
 * keeps ports out of automatic assignment system-wide but needs root; a
 * wildcard reservation avoids the ports listed there.
 *
 * Whether a port is in use, for ACQUIRE: reserved already in the pool
 * (same protocol), held by a TCP socket of this process (the bind
 * registry, bindrules.c), or refused to a test bind: a fresh socket of
 * the protocol, dual-stack wildcard ([::], IPV6_V6ONLY off; 0.0.0.0
 * without IPv6), with SO_REUSEADDR for TCP as ws2's TCP sockets have it
 * (so a port whose connections linger in TIME_WAIT is free, as it is for
 * a Windows bind). A test bind is closed at once; it sees listeners,
 * connections and sockets bound without reuse; a socket of another
 * process bound with SO_REUSEADDR and not listening escapes it. A
 * wildcard reservation chooses in Linux's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range), from a random place, the
 * first block whose ports are all free: at most one test bind per port
 * of the range.
 *
 * Locking: the pool has one lock. ACQUIRE holds the bind registry's lock
 * (bindrules.c) around its checks and the insertion, so no bind of this
 * process runs between the test and the reservation; binds consult the
 * pool with the registry's lock held. The registry's lock is always taken
 * first.
 *
 * The owner of a reservation (the acquiring socket) is kept as an
 * identity (pointer and handle); closesocket ends its reservations
 * (ws2__portres_socket_closed, through ws2__bindrules_forget). An owner
 * that went another way (CloseHandle on the socket) is found gone when the
 * pool is next used: its handle no longer names it.
 */
#include "provider/base/portres.h"

#include "core/alloc.h"
#include "provider/base/bindrules.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { KIND_NONE, KIND_TCP, KIND_UDP };

typedef struct res {
  struct res *next;
  uint64_t token;
  int kind;            /* KIND_TCP or KIND_UDP */
  uint16_t start;      /* host order */
  unsigned count;      /* 1 .. 65535 */
  ws2__bsock_t *owner; /* the acquiring socket: identity only (owner_alive) */
  SOCKET owner_handle;
} res_t;

static pthread_mutex_t res_lock = PTHREAD_MUTEX_INITIALIZER;
static res_t *pool;
static _Atomic int pool_size; /* read without the lock: binds' fast path */
static uint64_t token_base, token_count;

/* The pool a socket's reservations belong to. */
static int kind_of(const ws2__bsock_t *s) {
  if (s->af != WS_AF_INET && s->af != WS_AF_INET6) return KIND_NONE;
  return s->type == WS_SOCK_STREAM  ? KIND_TCP
         : s->type == WS_SOCK_DGRAM ? KIND_UDP
                                    : KIND_NONE;
}

static uint64_t random64(void) {
  uint64_t v = 0;
  struct timespec ts;
  if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v)) return v;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^
         ((uint64_t)getpid() << 16);
}

/* A token never handed out before in this process, never 0: the counter
 * times an odd constant is a bijection of the 64-bit integers, so tokens
 * repeat only after 2^64 of them. res_lock held. */
static uint64_t new_token(void) {
  uint64_t t;
  if (!token_base) token_base = random64() | 1;
  do {
    t = token_base + ++token_count * 0x9E3779B97F4A7C15ull;
  } while (t == 0);
  return t;
}

/* Whether the socket that acquired r is still open. res_lock held. */
static int owner_alive(const res_t *r) {
  ws2__bsock_t *h;
  int ok;
  if (!r->owner_handle) return 1; /* no handle: only its close ends it */
  h = ws2__bsock_get(r->owner_handle);
  ok = h == r->owner;
  if (h) ws2__bsock_unref(h);
  return ok;
}

static void unlink_at(res_t **pp) {
  res_t *r = *pp;
  *pp = r->next;
  ws2__free(r);
  atomic_fetch_sub(&pool_size, 1);
}

/* Ends the reservations whose owner went without closesocket. */
static void sweep(void) {
  res_t **pp = &pool;
  while (*pp) {
    if (!owner_alive(*pp))
      unlink_at(pp);
    else
      pp = &(*pp)->next;
  }
}

static res_t *by_token(int kind, uint64_t token) {
  res_t *r;
  for (r = pool; r; r = r->next)
    if (r->token == token && r->kind == kind) return r;
  return NULL;
}

static res_t *by_port(int kind, unsigned port) {
  res_t *r;
  for (r = pool; r; r = r->next)
    if (r->kind == kind && port >= r->start && port < r->start + r->count)
      return r;
  return NULL;
}

static int overlaps(int kind, unsigned start, unsigned count) {
  res_t *r;
  for (r = pool; r; r = r->next)
    if (r->kind == kind && start < r->start + r->count &&
        r->start < start + count)
      return 1;
  return 0;
}

/* ---- what Linux says ------------------------------------------------- */

/* Linux's ephemeral range; its default when the file cannot be read. */
static void ephemeral_range(unsigned *lo, unsigned *hi) {
  FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
  unsigned a = 0, b = 0;
  int n = f ? fscanf(f, "%u %u", &a, &b) : 0;
  if (f) fclose(f);
  if (n != 2 || a == 0 || a > b || b > 65535) a = 32768, b = 60999;
  *lo = a;
  *hi = b;
}

/* The ports Linux keeps out of automatic assignment
 * (ip_local_reserved_ports: "8080,9000-9010"), as a bitmap of 65536 bits;
 * NULL when there are none or no memory. */
static unsigned char *linux_reserved(void) {
  FILE *f = fopen("/proc/sys/net/ipv4/ip_local_reserved_ports", "re");
  unsigned char *map = NULL;
  unsigned a, b, p;
  int c;
  if (!f) return NULL;
  for (;;) {
    if (fscanf(f, "%u", &a) != 1) break;
    b = a;
    if ((c = fgetc(f)) == '-') {
      if (fscanf(f, "%u", &b) != 1) break;
      c = fgetc(f);
    }
    if (a <= b && b <= 65535) {
      if (!map && !(map = ws2__calloc(65536 / 8, 1))) break;
      for (p = a; p <= b; p++) map[p / 8] |= (unsigned char)(1u << (p % 8));
    }
    if (c != ',') break;
  }
  fclose(f);
  return map;
}

/* Tries to bind a fresh socket of `kind` to the wildcard address and
 * `port`. Returns 0 (free), 1 (in use: EADDRINUSE) or WSAENOBUFS (no
 * socket to try with). Another refusal, such as EACCES below port 1024
 * without the capability, is not "in use": the reservation's own binds
 * will say it. */
static int test_bind(int kind, unsigned port) {
  int type = (kind == KIND_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC;
  int one = 1, off = 0, fd, r;
  struct sockaddr_in6 a6;
  struct sockaddr_in a4;

  fd = socket(AF_INET6, type, 0);
  if (fd >= 0) {
    memset(&a6, 0, sizeof(a6));
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons((uint16_t)port);
    (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    if (kind == KIND_TCP)
      (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    r = bind(fd, (struct sockaddr *)&a6, sizeof(a6));
  } else if (errno == EAFNOSUPPORT && (fd = socket(AF_INET, type, 0)) >= 0) {
    memset(&a4, 0, sizeof(a4));
    a4.sin_family = AF_INET;
    a4.sin_port = htons((uint16_t)port);
    if (kind == KIND_TCP)
      (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    r = bind(fd, (struct sockaddr *)&a4, sizeof(a4));
  } else {
    return WSAENOBUFS;
  }
  r = r != 0 && errno == EADDRINUSE;
  close(fd);
  return r;
}

/* Whether `port` can go into a new reservation of `kind`: 0 (yes), 1
 * (no), or WSAENOBUFS. Both locks held. */
static int port_busy(int kind, unsigned port, const unsigned char *lres) {
  if (by_port(kind, port)) return 1;
  if (lres && (lres[port / 8] >> (port % 8)) & 1) return 1;
  if (kind == KIND_TCP && ws2__bindrules_port_held((uint16_t)port)) return 1;
  return test_bind(kind, port);
}

/* The first block of `count` free ports starting in [from, last], or 0;
 * a negative WSA error code. A busy port p rules out every block holding
 * it, so the next candidate starts at p + 1: each port is tested at most
 * once per call. Both locks held. */
static long find_block(int kind, unsigned from, unsigned last, unsigned count,
                       const unsigned char *lres) {
  unsigned a = from, p;
  int b = 0;
  while (a <= last) {
    for (p = a; p < a + count; p++)
      if ((b = port_busy(kind, p, lres)) != 0) break;
    if (p == a + count) return (long)a;
    if (b != 1) return -(long)b;
    a = p + 1;
  }
  return 0;
}

/* ---- the three control codes ----------------------------------------- */

int ws2__portres_acquire(ws2__bsock_t *s, const INET_PORT_RANGE *in,
                         INET_PORT_RESERVATION_INSTANCE *out) {
  int kind = kind_of(s), r = 0;
  unsigned start = ntohs(in->StartPort), count = in->NumberOfPorts, p;
  unsigned lo, hi, last, from;
  unsigned char *lres = NULL;
  long found;
  res_t *e = NULL;

  if (!kind) return WSAEOPNOTSUPP;
  if (count == 0 || (start && start + count - 1 > 65535)) return WSAEINVAL;
  if (!(e = ws2__calloc(1, sizeof(*e)))) return WSAENOBUFS;

  ws2__bindrules_lock();
  pthread_mutex_lock(&res_lock);
  sweep();
  if (start) {
    /* A specific block: every port of it must be free. */
    if (overlaps(kind, start, count)) r = WSAEADDRINUSE;
    for (p = start; r == 0 && p < start + count; p++) {
      int b = port_busy(kind, p, NULL);
      if (b) r = b == 1 ? WSAEADDRINUSE : b;
    }
  } else {
    /* A wildcard block: the first free one from a random place in the
     * ephemeral range, wrapping around once. */
    ephemeral_range(&lo, &hi);
    if (count > hi - lo + 1) {
      r = WSAEADDRINUSE;
    } else {
      lres = linux_reserved();
      last = hi - count + 1;
      from = lo + (unsigned)(random64() % (last - lo + 1));
      found = find_block(kind, from, last, count, lres);
      if (found == 0 && from > lo)
        found = find_block(kind, lo, from - 1, count, lres);
      if (found < 0)
        r = (int)-found;
      else if (found == 0)
        r = WSAEADDRINUSE;
      else
        start = (unsigned)found;
      ws2__free(lres);
    }
  }
  if (r == 0) {
    e->token = new_token();
    e->kind = kind;
    e->start = (uint16_t)start;
    e->count = count;
    e->owner = s;
    e->owner_handle = s->handle;
    e->next = pool;
    pool = e;
    atomic_fetch_add(&pool_size, 1);
    atomic_store(&s->portres_owner, 1);
    out->Reservation.StartPort = htons((uint16_t)start);
    out->Reservation.NumberOfPorts = (USHORT)count;
    out->Token = e->token;
    e = NULL;
  }
  pthread_mutex_unlock(&res_lock);
  ws2__bindrules_unlock();
  ws2__free(e);
  return r;
}

int ws2__portres_release(ws2__bsock_t *s, ULONG64 token) {
  int kind = kind_of(s), r = WSAEINVAL;
  res_t **pp;
  if (!kind) return WSAEOPNOTSUPP;
  pthread_mutex_lock(&res_lock);
  sweep();
  for (pp = &pool; *pp; pp = &(*pp)->next) {
    if ((*pp)->token == token && (*pp)->kind == kind) {
      unlink_at(pp);
      r = 0;
      break;
    }
  }
  pthread_mutex_unlock(&res_lock);
  return r;
}

/* Whether s has a local port already: bound, or bound implicitly (a
 * connect on an unbound socket). */
static int has_port(ws2__bsock_t *s) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (atomic_load(&s->flags) & WS2__BS_BOUND) return 1;
  if (getsockname(s->fd, (struct sockaddr *)&ss, &len) != 0) return 0;
  if (ss.ss_family == AF_INET)
    return ((struct sockaddr_in *)&ss)->sin_port != 0;
  if (ss.ss_family == AF_INET6)
    return ((struct sockaddr_in6 *)&ss)->sin6_port != 0;
  return 0;
}

int ws2__portres_associate(ws2__bsock_t *s, ULONG64 token) {
  int kind = kind_of(s), r = 0;
  if (!kind) return WSAEOPNOTSUPP;
  if (has_port(s)) return WSAEINVAL; /* "must be issued before ... bound" */
  pthread_mutex_lock(&res_lock);
  sweep();
  if (!by_token(kind, token))
    r = WSAEINVAL;
  else
    atomic_store(&s->portres_token, token);
  pthread_mutex_unlock(&res_lock);
  return r;
}

void ws2__portres_socket_closed(ws2__bsock_t *s) {
  res_t **pp;
  if (!atomic_load(&s->portres_owner) && !atomic_load(&s->portres_token))
    return;
  pthread_mutex_lock(&res_lock);
  for (pp = &pool; *pp;) {
    if ((*pp)->owner == s)
      unlink_at(pp);
    else
      pp = &(*pp)->next;
  }
  atomic_store(&s->portres_owner, 0);
  atomic_store(&s->portres_token, 0);
  pthread_mutex_unlock(&res_lock);
}

/* ---- the bind path ---------------------------------------------------- */

int ws2__portres_bind_plan(ws2__bsock_t *s, uint16_t port, int *avoid,
                           uint16_t *first, unsigned *count) {
  int kind = kind_of(s), r = 0;
  uint64_t token = atomic_load(&s->portres_token);
  res_t *own, *hit;

  *avoid = 0;
  if (!kind || (!token && !atomic_load(&pool_size))) return 0;
  pthread_mutex_lock(&res_lock);
  sweep();
  own = token ? by_token(kind, token) : NULL;
  if (port == 0) {
    if (own) {
      *first = own->start;
      *count = own->count;
      r = WS2__PORTRES_BLOCK;
    } else if (token) {
      r = WSAEADDRINUSE; /* its reservation has ended */
    } else {
      for (hit = pool; hit && hit->kind != kind; hit = hit->next) {
      }
      *avoid = hit != NULL;
    }
  } else {
    hit = by_port(kind, port);
    if (hit && hit != own) r = WSAEACCES;
  }
  pthread_mutex_unlock(&res_lock);
  return r;
}

int ws2__portres_reserved(ws2__bsock_t *s, uint16_t port) {
  int kind = kind_of(s), r;
  if (!kind || !atomic_load(&pool_size)) return 0;
  pthread_mutex_lock(&res_lock);
  r = by_port(kind, port) != NULL;
  pthread_mutex_unlock(&res_lock);
  return r;
}
