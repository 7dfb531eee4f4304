/*
 * netwatch.c: interface addresses, routes and their changes, from
 * rtnetlink (netwatch.h).
 *
 * Queries. Each call opens a NETLINK_ROUTE socket, dumps the links (for
 * their IFF_* flags) and the addresses of one family, and closes it; a
 * dump the kernel marks interrupted (NLM_F_DUMP_INTR: the tables changed
 * under it) is made again. The routing query is one RTM_GETROUTE: the
 * kernel's own route lookup, whose RTA_PREFSRC is the source address it
 * would pick (with a connected UDP socket's getsockname as the fallback
 * when the answer names none).
 *
 * What SIO_ADDRESS_LIST_QUERY lists. Microsoft: "a list of local transport
 * addresses of the socket's protocol family to which the application can
 * bind ... some addresses are excluded from the list", without saying
 * which. Wine builds the list from GetAdaptersInfo, which has IPv4 only
 * and leaves the loopback interface out. ws2 lists the addresses of
 * interfaces that are up, of either family, leaving out what Linux would
 * refuse to bind (tentative and DAD-failed IPv6 addresses), and includes
 * 127.0.0.1 and ::1: on Linux a machine or container whose only interface
 * is lo is common, and an empty list tells the many programs that bind
 * "every local address" that there is nothing to bind. Loopback addresses
 * come last, so a program that takes the first entry as "the" address of
 * the machine gets a real one when there is one. SIO_GET_INTERFACE_LIST
 * is ordered the same way.
 *
 * Change notification. One listener per process (started by the first
 * ws2__net_watch) owns a netlink socket bound to the link, address and
 * route groups and a thread that reads it. After each burst of messages
 * it works out which (kind, family) pairs changed and calls the matching
 * watchers. Address changes are judged against a snapshot of the address
 * tables (taken before the first ws2__net_watch returns, then after each
 * change): the kernel also reports lifetime refreshes and flag changes
 * that leave the list as it was, and a link going down hides addresses
 * without removing them. Route changes are not compared (a routing table
 * may be huge): every route message counts.
 *
 * Callbacks run without netwatch's lock. While one runs, its watcher is
 * off the list and `running` names it; ws2__net_unwatch from another
 * thread waits on `idle` until it is no longer running. The dispatcher
 * walks the list with a cursor that unlinking fixes up, and a round
 * number keeps a watcher from running twice for one burst (or at all, if
 * it was armed during the burst).
 */
#include "provider/base/netwatch.h"

#include <ws2tcpip.h>

#include "core/alloc.h"
#include "core/log.h"
#include "xlate/addr.h"

#include <net/if.h>

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef IFF_LOWER_UP /* <linux/if.h>'s, not in <net/if.h> */
#define IFF_LOWER_UP 0x10000
#endif

_Static_assert(sizeof(INTERFACE_INFO) == 76, "INTERFACE_INFO is 76 bytes");
_Static_assert(offsetof(SOCKET_ADDRESS_LIST, Address) == 8,
               "SOCKET_ADDRESS_LIST header is 8 bytes");
_Static_assert(sizeof(SOCKET_ADDRESS) == 16, "SOCKET_ADDRESS is 16 bytes");

/* ---- netlink ----------------------------------------------------------- */

#define NL_TIMEOUT_S 5 /* a query the kernel does not answer in time */
#define NL_RETRIES 5   /* dumps interrupted by concurrent changes */

typedef struct nl_buf {
  char *p;
  size_t cap;
} nl_buf_t;

static int nl_open(int groups) {
  struct sockaddr_nl sa;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -errno;
  memset(&sa, 0, sizeof(sa));
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = (uint32_t)groups;
  if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  if (!groups) {
    struct timeval tv = {NL_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  return fd;
}

static int nl_send(int fd, struct nlmsghdr *h) {
  struct sockaddr_nl sa;
  ssize_t n;
  memset(&sa, 0, sizeof(sa));
  sa.nl_family = AF_NETLINK;
  do n = sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa));
  while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  return n == (ssize_t)h->nlmsg_len ? 0 : -EIO;
}

/* One datagram from the kernel into b (grown to fit). Returns its length
 * or -errno (-EAGAIN: nothing there with MSG_DONTWAIT, or the query's
 * time ran out). Datagrams from anyone but the kernel are dropped. */
static ssize_t nl_recv(int fd, nl_buf_t *b, int flags) {
  for (;;) {
    struct sockaddr_nl sa;
    struct iovec iov;
    struct msghdr m;
    ssize_t n;

    if (!b->p) {
      b->cap = 32768;
      if (!(b->p = ws2__malloc(b->cap))) return -ENOMEM;
    }
    memset(&m, 0, sizeof(m));
    iov.iov_base = b->p;
    iov.iov_len = b->cap;
    m.msg_name = &sa;
    m.msg_namelen = sizeof(sa);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    n = recvmsg(fd, &m, flags | MSG_PEEK | MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    }
    if ((size_t)n > b->cap) {
      size_t cap = ((size_t)n + 4095) & ~(size_t)4095;
      char *p = ws2__realloc(b->p, cap);
      if (!p) return -ENOMEM;
      b->p = p;
      b->cap = cap;
      continue;
    }
    iov.iov_base = b->p;
    iov.iov_len = b->cap;
    m.msg_namelen = sizeof(sa);
    n = recvmsg(fd, &m, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EWOULDBLOCK) continue;
      return -errno;
    }
    if (m.msg_namelen >= sizeof(sa) && sa.nl_pid != 0) continue;
    return n;
  }
}

/* Appends attribute `type` to the request h (room: its buffer's size). */
static void nl_put(struct nlmsghdr *h, size_t room, int type, const void *data,
                   size_t len) {
  struct rtattr *rta;
  size_t at = NLMSG_ALIGN(h->nlmsg_len);
  if (at + RTA_SPACE(len) > room) abort(); /* our request buffers fit */
  rta = (struct rtattr *)((char *)h + at);
  rta->rta_type = (unsigned short)type;
  rta->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  h->nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
}

typedef int (*nl_fn)(const struct nlmsghdr *h, void *arg);

/* Sends the dump request req and feeds every answer to fn. Returns 0,
 * -EINTR when the kernel says the dump was interrupted by a change (its
 * answers are then inconsistent), fn's non-zero result, or -errno. */
static int nl_dump(int fd, nl_buf_t *b, struct nlmsghdr *req, nl_fn fn,
                   void *arg) {
  int r, intr = 0;
  if ((r = nl_send(fd, req)) != 0) return r;
  for (;;) {
    ssize_t n = nl_recv(fd, b, 0);
    const struct nlmsghdr *h;
    size_t left;
    if (n < 0) return (int)n;
    left = (size_t)n;
    for (h = (const struct nlmsghdr *)b->p; NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != req->nlmsg_seq) continue;
      if (h->nlmsg_flags & NLM_F_DUMP_INTR) intr = 1;
      if (h->nlmsg_type == NLMSG_DONE) {
        int err = 0;
        if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
          memcpy(&err, NLMSG_DATA(h), sizeof(err));
        if (err < 0) return err;
        return intr ? -EINTR : 0;
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr e;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e))) return -EIO;
        memcpy(&e, NLMSG_DATA(h), sizeof(e));
        return e.error ? e.error : (intr ? -EINTR : 0);
      }
      if ((r = fn(h, arg)) != 0) return r;
    }
  }
}

/* A negative errno from netlink as a WSA error: what a program can act
 * on (too many files, no memory), else "the network subsystem failed". */
static int nl_wsa(int err) {
  switch (-err) {
    case EMFILE:
    case ENFILE:
      return WSAEMFILE;
    case ENOMEM:
    case ENOBUFS:
      return WSAENOBUFS;
    default:
      return WSAENETDOWN;
  }
}

/* ---- address tables -------------------------------------------------- */

/* One address of an interface, with that interface's flags. Records are
 * compared with memcmp, so they are built zeroed and have no padding. */
typedef struct net_addr {
  int32_t ifindex;
  uint32_t link;     /* the interface's IFF_* */
  uint32_t flags;    /* IFA_F_* */
  uint8_t family;    /* AF_INET or AF_INET6 */
  uint8_t plen;      /* prefix length */
  uint8_t has_peer;  /* peer: the other end of a point-to-point link */
  uint8_t has_brd;   /* brd: the IPv4 broadcast address */
  uint8_t local[16]; /* the address (IFA_LOCAL, else IFA_ADDRESS) */
  uint8_t peer[16];
  uint8_t brd[16];
} net_addr_t;
_Static_assert(sizeof(net_addr_t) == 64, "net_addr_t has no padding");

typedef struct net_set {
  net_addr_t *v;
  size_t n, cap;
} net_set_t;

typedef struct net_link {
  int32_t index;
  uint32_t flags;
} net_link_t;

typedef struct net_links {
  net_link_t *v;
  size_t n, cap;
} net_links_t;

static void set_free(net_set_t *s) {
  ws2__free(s->v);
  memset(s, 0, sizeof(*s));
}

static int grow(void **v, size_t *cap, size_t n, size_t size) {
  void *p;
  size_t c;
  if (n < *cap) return 0;
  c = *cap ? *cap * 2 : 16;
  if (!(p = ws2__realloc(*v, c * size))) return -ENOMEM;
  *v = p;
  *cap = c;
  return 0;
}

static int on_link(const struct nlmsghdr *h, void *arg) {
  net_links_t *l = arg;
  struct ifinfomsg ifi;
  if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(ifi)))
    return 0;
  memcpy(&ifi, NLMSG_DATA(h), sizeof(ifi));
  if (grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v))) return -ENOMEM;
  l->v[l->n].index = ifi.ifi_index;
  l->v[l->n].flags = ifi.ifi_flags;
  l->n++;
  return 0;
}

typedef struct addr_dump {
  net_set_t *set;
  int family;
} addr_dump_t;

static int on_addr(const struct nlmsghdr *h, void *arg) {
  addr_dump_t *d = arg;
  const struct ifaddrmsg *ifa;
  const struct rtattr *rta;
  const void *local = NULL, *address = NULL, *brd = NULL;
  size_t alen, left;
  net_addr_t *a;

  if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
    return 0;
  ifa = NLMSG_DATA(h);
  /* A kernel without the family answers the dump for every family. */
  if (ifa->ifa_family != d->family) return 0;
  alen = ifa->ifa_family == AF_INET ? 4 : 16;
  if (grow((void **)&d->set->v, &d->set->cap, d->set->n, sizeof(*a)))
    return -ENOMEM;
  a = &d->set->v[d->set->n];
  memset(a, 0, sizeof(*a));
  a->ifindex = (int32_t)ifa->ifa_index;
  a->family = ifa->ifa_family;
  a->plen = ifa->ifa_prefixlen;
  a->flags = ifa->ifa_flags;
  left = IFA_PAYLOAD(h);
  for (rta = IFA_RTA(ifa); RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
    size_t len = RTA_PAYLOAD(rta);
    switch (rta->rta_type) {
      case IFA_LOCAL:
        if (len >= alen) local = RTA_DATA(rta);
        break;
      case IFA_ADDRESS:
        if (len >= alen) address = RTA_DATA(rta);
        break;
      case IFA_BROADCAST:
        if (len >= alen) brd = RTA_DATA(rta);
        break;
      case IFA_FLAGS: /* all 32 bits; ifa_flags has the low 8 */
        if (len >= sizeof(uint32_t)) memcpy(&a->flags, RTA_DATA(rta), 4);
        break;
    }
  }
  if (!local) local = address;
  if (!local) return 0;
  memcpy(a->local, local, alen);
  if (address && memcmp(address, local, alen) != 0) {
    a->has_peer = 1;
    memcpy(a->peer, address, alen);
  }
  if (brd) {
    a->has_brd = 1;
    memcpy(a->brd, brd, alen);
  }
  d->set->n++;
  return 0;
}

static int link_cmp(const void *x, const void *y) {
  const net_link_t *a = x, *b = y;
  return (a->index > b->index) - (a->index < b->index);
}

/* The addresses of Linux family `family`, each with its interface's
 * flags (0, that is down, for an interface the link dump did not see).
 * 0 or -errno; a kernel without IPv6 gives an empty set. */
static int collect(int family, net_set_t *out) {
  struct {
    struct nlmsghdr h;
    union {
      struct ifinfomsg ifi;
      struct ifaddrmsg ifa;
    } u;
  } req;
  net_links_t links = {NULL, 0, 0};
  nl_buf_t b = {NULL, 0};
  addr_dump_t d;
  int fd, r = 0, tries;
  size_t i;

  memset(out, 0, sizeof(*out));
  if ((fd = nl_open(0)) < 0) return fd;
  for (tries = 0; tries < NL_RETRIES; tries++) {
    links.n = 0;
    out->n = 0;
    memset(&req, 0, sizeof(req));
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.ifi));
    req.h.nlmsg_type = RTM_GETLINK;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = (uint32_t)(2 * tries + 1);
    req.u.ifi.ifi_family = AF_UNSPEC;
    r = nl_dump(fd, &b, &req.h, on_link, &links);
    if (r == 0 || r == -EINTR) {
      int r2;
      memset(&req, 0, sizeof(req));
      req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.ifa));
      req.h.nlmsg_type = RTM_GETADDR;
      req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
      req.h.nlmsg_seq = (uint32_t)(2 * tries + 2);
      req.u.ifa.ifa_family = (unsigned char)family;
      d.set = out;
      d.family = family;
      r2 = nl_dump(fd, &b, &req.h, on_addr, &d);
      if (r2 == -EAFNOSUPPORT || r2 == -EOPNOTSUPP) {
        out->n = 0; /* no such family in this kernel */
        r2 = 0;
      }
      if (r2 != 0) r = r2;
    }
    if (r != -EINTR) break;
  }
  if (r == -EINTR) r = 0; /* still changing: take the last answer */
  close(fd);
  ws2__free(b.p);
  if (r == 0) {
    qsort(links.v, links.n, sizeof(*links.v), link_cmp);
    for (i = 0; i < out->n; i++) {
      net_link_t key, *l;
      key.index = out->v[i].ifindex;
      l = links.n ? bsearch(&key, links.v, links.n, sizeof(key), link_cmp)
                  : NULL;
      out->v[i].link = l ? l->flags : 0;
    }
  } else {
    set_free(out);
  }
  ws2__free(links.v);
  return r;
}

static int is_loopback(const net_addr_t *a) {
  static const uint8_t one6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                   0, 0, 0, 0, 0, 0, 0, 1};
  if (a->link & IFF_LOOPBACK) return 1;
  if (a->family == AF_INET) return a->local[0] == 127;
  return memcmp(a->local, one6, 16) == 0;
}

/* Whether SIO_ADDRESS_LIST_QUERY lists a. */
static int listable(const net_addr_t *a) {
  return (a->link & IFF_UP) &&
         !(a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
}

/* a's address as a Windows sockaddr (port 0). */
static void to_windows(const net_addr_t *a, struct WS_sockaddr *out,
                       int *outlen) {
  const uint8_t *addr = a->local;
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof(ss));
  if (a->family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    memcpy(&sin->sin_addr, addr, 4);
    len = sizeof(*sin);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    memcpy(&sin6->sin6_addr, addr, 16);
    if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
      sin6->sin6_scope_id = (uint32_t)a->ifindex;
    len = sizeof(*sin6);
  }
  ws2__addr_from_linux((struct sockaddr *)&ss, len, out, outlen);
}

int ws2__net_address_list(int af, void *out, DWORD cbout, DWORD *needed) {
  const size_t head = offsetof(SOCKET_ADDRESS_LIST, Address);
  int family = af == WS_AF_INET ? AF_INET : af == WS_AF_INET6 ? AF_INET6 : 0;
  size_t salen = family == AF_INET ? sizeof(struct WS_sockaddr_in)
                                   : sizeof(struct WS_sockaddr_in6);
  size_t i, n = 0, total;
  net_set_t set;
  int r, pass;

  if (!needed) return WSAEFAULT;
  *needed = 0;
  if (!family) return WSAEINVAL;
  if (cbout > 0 && cbout < head) return WSAEINVAL;
  if ((r = collect(family, &set)) != 0) return nl_wsa(r);
  for (i = 0; i < set.n; i++) n += (size_t)listable(&set.v[i]);
  total = head + n * (sizeof(SOCKET_ADDRESS) + salen);
  *needed = (DWORD)total;
  if (!out || cbout < total) {
    set_free(&set);
    return WSAEFAULT;
  }
  {
    SOCKET_ADDRESS_LIST *list = out;
    char *sa = (char *)out + head + n * sizeof(SOCKET_ADDRESS);
    size_t k = 0;
    list->iAddressCount = (INT)n;
    /* Non-loopback addresses first, then loopback ones. */
    for (pass = 0; pass < 2; pass++) {
      for (i = 0; i < set.n; i++) {
        const net_addr_t *a = &set.v[i];
        int len = (int)salen;
        if (!listable(a) || is_loopback(a) != pass) continue;
        to_windows(a, (struct WS_sockaddr *)sa, &len);
        list->Address[k].lpSockaddr = (LPSOCKADDR)sa;
        list->Address[k].iSockaddrLength = len;
        sa += salen;
        k++;
      }
    }
  }
  set_free(&set);
  return 0;
}

static void put_in(struct WS_sockaddr_in *sin, const uint8_t *addr) {
  memset(sin, 0, sizeof(*sin));
  sin->sin_family = WS_AF_INET;
  memcpy(&sin->sin_addr, addr, 4);
}

int ws2__net_interface_list(void *out, DWORD cbout, DWORD *needed) {
  size_t i, total, k = 0;
  net_set_t set;
  int r, pass;

  if (!needed) return WSAEFAULT;
  *needed = 0;
  if ((r = collect(AF_INET, &set)) != 0) return nl_wsa(r);
  total = set.n * sizeof(INTERFACE_INFO);
  *needed = (DWORD)total;
  if (cbout < total || (total && !out)) {
    set_free(&set);
    return WSAEFAULT;
  }
  for (pass = 0; pass < 2; pass++) {
    for (i = 0; i < set.n; i++) {
      const net_addr_t *a = &set.v[i];
      INTERFACE_INFO info;
      unsigned plen = a->plen > 32 ? 32 : a->plen;
      uint32_t mask = plen ? htonl(~(uint32_t)0 << (32 - plen)) : 0;
      uint8_t m[4];
      if (is_loopback(a) != pass) continue;
      memset(&info, 0, sizeof(info));
      if (a->link & IFF_UP) info.iiFlags |= WS_IFF_UP;
      if (a->link & IFF_BROADCAST) info.iiFlags |= WS_IFF_BROADCAST;
      if (a->link & IFF_LOOPBACK) info.iiFlags |= WS_IFF_LOOPBACK;
      if (a->link & IFF_POINTOPOINT) info.iiFlags |= WS_IFF_POINTTOPOINT;
      if (a->link & IFF_MULTICAST) info.iiFlags |= WS_IFF_MULTICAST;
      put_in(&info.iiAddress.AddressIn, a->local);
      memcpy(m, &mask, 4);
      put_in(&info.iiNetmask.AddressIn, m);
      if ((a->link & IFF_BROADCAST) && a->has_brd) {
        put_in(&info.iiBroadcastAddress.AddressIn, a->brd);
      } else if (a->link & IFF_BROADCAST) {
        uint32_t addr, brd;
        memcpy(&addr, a->local, 4);
        brd = addr | ~mask;
        memcpy(m, &brd, 4);
        put_in(&info.iiBroadcastAddress.AddressIn, m);
      } else if ((a->link & IFF_POINTOPOINT) && a->has_peer) {
        put_in(&info.iiBroadcastAddress.AddressIn, a->peer);
      }
      memcpy((char *)out + k * sizeof(info), &info, sizeof(info));
      k++;
    }
  }
  set_free(&set);
  return 0;
}

int ws2__net_broadcast_address(int af, struct WS_sockaddr *out, int *outlen,
                               DWORD *needed) {
  struct WS_sockaddr_in sin;
  if (!needed || !outlen) return WSAEFAULT;
  *needed = 0;
  if (af != WS_AF_INET) return WSAEINVAL;
  *needed = sizeof(sin);
  if (!out || *outlen < (int)sizeof(sin)) return WSAEFAULT;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = WS_AF_INET;
  sin.sin_addr.WS_s_addr = 0xffffffffu;
  memcpy(out, &sin, sizeof(sin));
  *outlen = sizeof(sin);
  return 0;
}

/* ---- routing ----------------------------------------------------------- */

/* An errno of a route lookup as Windows reports it. */
static int route_wsa(int err) {
  switch (err) {
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EACCES: /* a prohibit route */
    case EPERM:
    case EINVAL: /* a blackhole route */
      return WSAENETUNREACH;
    case ENETDOWN:
      return WSAENETDOWN;
    default:
      return nl_wsa(-err);
  }
}

/* The source address for dst by a connected UDP socket (no datagram is
 * sent). 0 or an errno. */
static int route_by_socket(int family, const uint8_t *dst, uint32_t scope,
                           uint8_t *src, uint32_t *oif) {
  struct sockaddr_storage ss;
  socklen_t len;
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1, r = 0;
  if (fd < 0) return errno;
  setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
  memset(&ss, 0, sizeof(ss));
  if (family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(9);
    memcpy(&sin->sin_addr, dst, 4);
    len = sizeof(*sin);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(9);
    memcpy(&sin6->sin6_addr, dst, 16);
    sin6->sin6_scope_id = scope;
    len = sizeof(*sin6);
  }
  if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
    r = errno;
  } else {
    len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
      r = errno;
    } else if (family == AF_INET) {
      memcpy(src, &((struct sockaddr_in *)&ss)->sin_addr, 4);
    } else {
      memcpy(src, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
      *oif = ((struct sockaddr_in6 *)&ss)->sin6_scope_id;
    }
  }
  close(fd);
  return r;
}

/* RTM_GETROUTE for dst: the preferred source in src and the outgoing
 * interface in *oif. 0 or an errno. */
static int route_lookup(int family, const uint8_t *dst, uint32_t scope,
                        uint8_t *src, uint32_t *oif) {
  struct {
    struct nlmsghdr h;
    struct rtmsg r;
    char attrs[64];
  } req;
  size_t alen = family == AF_INET ? 4 : 16, left;
  nl_buf_t b = {NULL, 0};
  int fd, err = 0, have_src = 0, done = 0;

  if ((fd = nl_open(0)) < 0) return -fd;
  memset(&req, 0, sizeof(req));
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.r));
  req.h.nlmsg_type = RTM_GETROUTE;
  req.h.nlmsg_flags = NLM_F_REQUEST;
  req.h.nlmsg_seq = 1;
  req.r.rtm_family = (unsigned char)family;
  req.r.rtm_dst_len = (unsigned char)(alen * 8);
  nl_put(&req.h, sizeof(req), RTA_DST, dst, alen);
  if (scope) nl_put(&req.h, sizeof(req), RTA_OIF, &scope, sizeof(scope));
  if ((err = -nl_send(fd, &req.h)) != 0) goto out;
  *oif = 0;
  while (!done) {
    ssize_t n = nl_recv(fd, &b, 0);
    const struct nlmsghdr *h;
    if (n < 0) {
      err = n == -EAGAIN ? ENETDOWN : (int)-n;
      break;
    }
    left = (size_t)n;
    for (h = (const struct nlmsghdr *)b.p; NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left)) {
      const struct rtmsg *rtm;
      const struct rtattr *rta;
      size_t rl;
      if (h->nlmsg_seq != req.h.nlmsg_seq) continue;
      done = 1;
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr e;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e))) {
          err = EIO;
        } else {
          memcpy(&e, NLMSG_DATA(h), sizeof(e));
          err = e.error ? -e.error : ENETUNREACH;
        }
        break;
      }
      if (h->nlmsg_type != RTM_NEWROUTE ||
          h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm))) {
        err = EIO;
        break;
      }
      rtm = NLMSG_DATA(h);
      switch (rtm->rtm_type) {
        case RTN_UNREACHABLE:
        case RTN_PROHIBIT:
        case RTN_BLACKHOLE:
        case RTN_THROW:
          err = ENETUNREACH;
          break;
      }
      if (err) break;
      rl = RTM_PAYLOAD(h);
      for (rta = RTM_RTA(rtm); RTA_OK(rta, rl); rta = RTA_NEXT(rta, rl)) {
        if (rta->rta_type == RTA_PREFSRC && RTA_PAYLOAD(rta) >= alen) {
          memcpy(src, RTA_DATA(rta), alen);
          have_src = 1;
        } else if (rta->rta_type == RTA_OIF && RTA_PAYLOAD(rta) >= 4) {
          memcpy(oif, RTA_DATA(rta), 4);
        }
      }
      break;
    }
  }
out:
  close(fd);
  ws2__free(b.p);
  if (err == 0 && !have_src)
    err = route_by_socket(family, dst, scope ? scope : *oif, src, oif);
  if (err == 0) {
    /* A route with no address to send from (a device route on an
     * interface whose addresses are all of a narrower scope): nothing
     * to bind to, so no interface reaches dst. */
    static const uint8_t zero[16];
    if (memcmp(src, zero, alen) == 0) err = ENETUNREACH;
  }
  return err;
}

int ws2__net_route_query(const struct WS_sockaddr *dst, int len,
                         struct WS_sockaddr *local, int *locallen,
                         DWORD *needed) {
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  struct sockaddr_storage ss;
  socklen_t sslen;
  ADDRESS_FAMILY family;
  net_addr_t a;
  uint8_t dst_addr[16], src[16];
  uint32_t scope = 0, oif = 0;
  int need, err, lfamily;

  if (!needed) return WSAEFAULT;
  *needed = 0;
  if (!dst || len < (int)sizeof(family)) return WSAEFAULT;
  memcpy(&family, dst, sizeof(family));
  if (family != WS_AF_INET && family != WS_AF_INET6) return WSAEINVAL;
  if ((err = ws2__addr_to_linux(dst, len, &ss, &sslen)) != 0) return err;
  need = family == WS_AF_INET ? (int)sizeof(struct WS_sockaddr_in)
                              : (int)sizeof(struct WS_sockaddr_in6);
  *needed = (DWORD)need;
  if (!local || !locallen || *locallen < need) return WSAEFAULT;

  memset(&a, 0, sizeof(a));
  memset(src, 0, sizeof(src));
  if (family == WS_AF_INET) {
    lfamily = AF_INET;
    memcpy(dst_addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
  } else {
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
    lfamily = AF_INET6;
    memcpy(dst_addr, &sin6->sin6_addr, 16);
    scope = sin6->sin6_scope_id;
    if (memcmp(dst_addr, mapped, 12) == 0) {
      /* An IPv4 destination on a dual-stack socket: route it as IPv4. */
      memmove(dst_addr, dst_addr + 12, 4);
      lfamily = AF_INET;
      scope = 0;
    }
  }
  if ((err = route_lookup(lfamily, dst_addr, scope, src, &oif)) != 0)
    return route_wsa(err);
  a.ifindex = (int32_t)oif;
  if (family == WS_AF_INET6 && lfamily == AF_INET) {
    memcpy(a.local, mapped, 12);
    memcpy(a.local + 12, src, 4);
  } else {
    memcpy(a.local, src, 16);
  }
  a.family = family == WS_AF_INET ? AF_INET : AF_INET6;
  to_windows(&a, local, locallen);
  return 0;
}

/* ---- the listener ------------------------------------------------------ */

/* What changed: a (kind, family) pair per bit. */
#define CH_ADDR4 0x1u
#define CH_ADDR6 0x2u
#define CH_ROUTE4 0x4u
#define CH_ROUTE6 0x8u
#define CH_ALL 0xfu
/* What the kernel's messages said, before comparing snapshots. */
#define RAW_ADDR4 0x1u
#define RAW_ADDR6 0x2u
#define RAW_ROUTE4 0x4u
#define RAW_ROUTE6 0x8u
#define RAW_LINK 0x10u

/* The address flags a snapshot keeps: the ones that change what is
 * listed or which source address the kernel picks. */
#define SNAP_FLAGS \
  (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED | IFA_F_OPTIMISTIC)
#define SNAP_LINK (IFF_UP | IFF_RUNNING | IFF_LOOPBACK)

#define GROUPS                                                                 \
  (RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | \
   RTMGRP_IPV6_ROUTE)

/* The listener thread's own state; nothing else touches it once the
 * thread runs (the snapshots are taken before it starts). */
typedef struct listener {
  int fd;
  nl_buf_t buf;
  net_set_t snap[2]; /* [0] IPv4, [1] IPv6 */
  int snap_ok[2];
  int warned;
} listener_t;

static struct {
  pthread_mutex_t lock; /* everything below */
  pthread_cond_t idle;  /* `running` changed */
  int inited;
  ws2__list_t watchers;      /* armed watchers */
  ws2__node_t *cursor;       /* the dispatcher's next node, or NULL */
  ws2__net_watch_t *running; /* the watcher whose callback runs */
  int cancel_running;        /* it was unwatched meanwhile */
  unsigned long round;       /* dispatch rounds so far */
  int started;
  pthread_t thread;
  listener_t *listener;
  int atfork;
} g = {.lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER};

static void snap_take(listener_t *l, int i) {
  net_set_t s;
  size_t k;
  set_free(&l->snap[i]);
  l->snap_ok[i] = collect(i ? AF_INET6 : AF_INET, &s) == 0;
  if (!l->snap_ok[i]) return;
  for (k = 0; k < s.n; k++) {
    s.v[k].link &= SNAP_LINK;
    s.v[k].flags &= SNAP_FLAGS;
  }
  l->snap[i] = s;
}

/* Whether the listed addresses of a and b differ. */
static int listed_differ(const net_set_t *a, const net_set_t *b) {
  size_t i = 0, j = 0;
  for (;;) {
    while (i < a->n && !listable(&a->v[i])) i++;
    while (j < b->n && !listable(&b->v[j])) j++;
    if (i == a->n || j == b->n) return i != a->n || j != b->n;
    if (a->v[i].ifindex != b->v[j].ifindex ||
        memcmp(a->v[i].local, b->v[j].local, 16) != 0 ||
        is_loopback(&a->v[i]) != is_loopback(&b->v[j]))
      return 1;
    i++;
    j++;
  }
}

/* The changes (CH_*) the messages (RAW_*) amount to; retakes the
 * snapshots they may have changed. overrun: messages were lost. */
static unsigned changes(listener_t *l, unsigned raw, int overrun) {
  unsigned ch = 0;
  int i;
  for (i = 0; i < 2; i++) {
    unsigned ch_addr = i ? CH_ADDR6 : CH_ADDR4;
    unsigned ch_route = i ? CH_ROUTE6 : CH_ROUTE4;
    unsigned raw_addr = i ? RAW_ADDR6 : RAW_ADDR4;
    unsigned raw_route = i ? RAW_ROUTE6 : RAW_ROUTE4;
    if (overrun || (raw & (raw_addr | RAW_LINK))) {
      net_set_t old = l->snap[i];
      int old_ok = l->snap_ok[i];
      memset(&l->snap[i], 0, sizeof(l->snap[i]));
      snap_take(l, i);
      if (!old_ok || !l->snap_ok[i] || listed_differ(&old, &l->snap[i]))
        ch |= ch_addr | ch_route;
      else if (old.n != l->snap[i].n ||
               (old.n &&
                memcmp(old.v, l->snap[i].v, old.n * sizeof(*old.v)) != 0))
        ch |= ch_route;
      set_free(&old);
    }
    if (raw & (raw_route | RAW_LINK)) ch |= ch_route;
  }
  return overrun ? CH_ALL : ch;
}

/* What a burst of messages says (RAW_*). */
static unsigned parse(const char *p, size_t left) {
  const struct nlmsghdr *h;
  unsigned raw = 0;
  for (h = (const struct nlmsghdr *)p; NLMSG_OK(h, left);
       h = NLMSG_NEXT(h, left)) {
    switch (h->nlmsg_type) {
      case RTM_NEWADDR:
      case RTM_DELADDR: {
        struct ifaddrmsg ifa;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifa))) break;
        memcpy(&ifa, NLMSG_DATA(h), sizeof(ifa));
        if (ifa.ifa_family == AF_INET) raw |= RAW_ADDR4;
        if (ifa.ifa_family == AF_INET6) raw |= RAW_ADDR6;
        break;
      }
      case RTM_NEWROUTE:
      case RTM_DELROUTE: {
        struct rtmsg rtm;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(rtm))) break;
        memcpy(&rtm, NLMSG_DATA(h), sizeof(rtm));
        if (rtm.rtm_flags & RTM_F_CLONED) break; /* a cache entry */
        if (rtm.rtm_family == AF_INET) raw |= RAW_ROUTE4;
        if (rtm.rtm_family == AF_INET6) raw |= RAW_ROUTE6;
        break;
      }
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        struct ifinfomsg ifi;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifi))) break;
        memcpy(&ifi, NLMSG_DATA(h), sizeof(ifi));
        /* New links say ifi_change ~0; MTU or name changes say 0. */
        if (h->nlmsg_type == RTM_DELLINK ||
            (ifi.ifi_change & (IFF_UP | IFF_RUNNING | IFF_LOWER_UP)))
          raw |= RAW_LINK;
        break;
      }
    }
  }
  return raw;
}

static int matches(const ws2__net_watch_t *w, unsigned ch) {
  unsigned want = 0;
  if (w->kind & WS2__NET_ADDR) {
    if (w->af != WS_AF_INET6) want |= CH_ADDR4;
    if (w->af != WS_AF_INET) want |= CH_ADDR6;
  }
  if (w->kind & WS2__NET_ROUTE) {
    if (w->af != WS_AF_INET6) want |= CH_ROUTE4;
    if (w->af != WS_AF_INET) want |= CH_ROUTE6;
  }
  return (want & ch) != 0;
}

/* Calls every armed watcher that ch concerns, once. */
static void dispatch(unsigned ch) {
  unsigned long round;
  pthread_mutex_lock(&g.lock);
  round = ++g.round;
  g.cursor = g.watchers.head.next;
  while (g.cursor != &g.watchers.head) {
    ws2__net_watch_t *w = ws2__container_of(g.cursor, ws2__net_watch_t, node);
    int (*cb)(ws2__net_watch_t *, void *);
    void *ctx;
    int keep;
    g.cursor = g.cursor->next;
    if (w->round >= round || !matches(w, ch)) continue;
    w->round = round;
    ws2__list_remove(&w->node);
    cb = w->cb;
    ctx = w->ctx;
    g.running = w;
    g.cancel_running = 0;
    pthread_mutex_unlock(&g.lock);
    keep = cb(w, ctx);
    pthread_mutex_lock(&g.lock);
    /* After a 0, w may be freed already: leave it alone. */
    if (keep && !g.cancel_running && !ws2__node_linked(&w->node))
      ws2__list_push_back(&g.watchers, &w->node);
    g.running = NULL;
    pthread_cond_broadcast(&g.idle);
  }
  g.cursor = NULL;
  pthread_mutex_unlock(&g.lock);
}

static void *listener_main(void *arg) {
  listener_t *l = arg;
  for (;;) {
    unsigned raw = 0, ch;
    int overrun = 0, flags = 0;
    ssize_t n;
    /* Wait for a message, then take every one already queued. */
    for (;;) {
      n = nl_recv(l->fd, &l->buf, flags);
      if (n >= 0) {
        raw |= parse(l->buf.p, (size_t)n);
      } else if (n == -ENOBUFS) {
        overrun = 1; /* the socket overflowed: messages are lost */
      } else if (n == -EAGAIN && flags) {
        break;
      } else {
        if (!l->warned++)
          ws2__log(WS2__LOG_ERROR, "netwatch: netlink: %s", strerror((int)-n));
        if (n == -ENOMEM) overrun = 1;
        {
          struct timespec ts = {0, 100 * 1000 * 1000};
          nanosleep(&ts, NULL);
        }
        if (flags) break;
        continue;
      }
      flags = MSG_DONTWAIT;
    }
    ch = changes(l, raw, overrun);
    if (ch) dispatch(ch);
  }
  return NULL;
}

/* After fork the child has the listener's memory but not its thread:
 * forget it, and the watchers (the parent's), so the child starts anew. */
static void atfork_prepare(void) { pthread_mutex_lock(&g.lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&g.lock); }
static void atfork_child(void) {
  listener_t *l = g.listener;
  ws2__node_t *n, *next;
  /* The child's copies of the armed watchers are armed no more. */
  if (g.inited) {
    for (n = g.watchers.head.next; n != &g.watchers.head; n = next) {
      next = n->next;
      n->next = n->prev = NULL;
    }
  }
  if (l) {
    close(l->fd);
    ws2__free(l->buf.p);
    set_free(&l->snap[0]);
    set_free(&l->snap[1]);
    ws2__free(l);
  }
  g.listener = NULL;
  g.started = 0;
  g.running = NULL;
  g.cursor = NULL;
  ws2__list_init(&g.watchers);
  g.inited = 1;
  pthread_mutex_init(&g.lock, NULL);
  pthread_cond_init(&g.idle, NULL);
}

/* Starts the listener; g.lock held. 0 or a WSA error. */
static int start(void) {
  listener_t *l;
  pthread_attr_t attr;
  sigset_t all, old;
  int fd, r, size = 1 << 20;

  if (!g.atfork) {
    if (pthread_atfork(atfork_prepare, atfork_parent, atfork_child) != 0)
      return WSAENOBUFS;
    g.atfork = 1;
  }
  if (!(l = ws2__calloc(1, sizeof(*l)))) return WSAENOBUFS;
  if ((fd = nl_open(GROUPS)) < 0) {
    ws2__free(l);
    return nl_wsa(fd);
  }
  /* Room for bursts (an interface going away takes its routes along);
   * an overflow costs every watcher a spurious call. */
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  l->fd = fd;
  /* The baselines: taken after the socket listens, so any later change
   * both shows in a later snapshot and has a message that asks for it. */
  snap_take(l, 0);
  snap_take(l, 1);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  r = pthread_create(&g.thread, &attr, listener_main, l);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (r != 0) {
    close(fd);
    set_free(&l->snap[0]);
    set_free(&l->snap[1]);
    ws2__free(l);
    ws2__log(WS2__LOG_ERROR, "netwatch: cannot start its thread: %s",
             strerror(r));
    return WSAENOBUFS;
  }
  pthread_setname_np(g.thread, "ws2-netwatch");
  g.listener = l;
  g.started = 1;
  return 0;
}

int ws2__net_watch(ws2__net_watch_t *w, int kind, int af,
                   int (*cb)(ws2__net_watch_t *w, void *ctx), void *ctx) {
  int r = 0;
  if (!w || !cb || !kind || (kind & ~(WS2__NET_ADDR | WS2__NET_ROUTE)))
    return WSAEINVAL;
  if (af != 0 && af != WS_AF_INET && af != WS_AF_INET6) return WSAEINVAL;
  pthread_mutex_lock(&g.lock);
  if (!g.inited) {
    ws2__list_init(&g.watchers);
    g.inited = 1;
  }
  if (ws2__node_linked(&w->node))
    r = WSAEINVAL; /* armed already (or never zeroed) */
  else if (!g.started)
    r = start();
  if (r == 0) {
    w->kind = kind;
    w->af = af;
    w->cb = cb;
    w->ctx = ctx;
    w->round = g.round; /* a burst being dispatched now is not for w */
    ws2__list_push_back(&g.watchers, &w->node);
  }
  pthread_mutex_unlock(&g.lock);
  return r;
}

void ws2__net_unwatch(ws2__net_watch_t *w) {
  if (!w) return;
  pthread_mutex_lock(&g.lock);
  if (g.running == w) {
    g.cancel_running = 1;
    if (!pthread_equal(pthread_self(), g.thread)) {
      while (g.running == w) pthread_cond_wait(&g.idle, &g.lock);
    }
  }
  if (ws2__node_linked(&w->node)) {
    if (g.cursor == &w->node) g.cursor = w->node.next;
    ws2__list_remove(&w->node);
  }
  pthread_mutex_unlock(&g.lock);
}
