/*
 * sockopt.c: getsockopt/setsockopt with Windows levels, option numbers,
 * value formats and semantics, on the socket's Linux fd.
 *
 * Argument rules (Microsoft's getsockopt/setsockopt and WSPGetSockOpt/
 * WSPSetSockOpt pages):
 *  - optval or optlen missing, or optlen smaller than the option's type:
 *    WSAEFAULT. An integer option is a DWORD / int (4 bytes); a BOOL
 *    option also takes 1 to 3 bytes (a `char` flag, which Windows
 *    accepts: the bytes given are read, little-endian, and the value is
 *    true when non-zero; getsockopt then writes that many bytes).
 *    getsockopt sets *optlen to the size it wrote (4 for DWORD and BOOL).
 *  - a level Winsock does not know, or a protocol level of another
 *    address family (IPPROTO_IPV6 on an IPv4 socket, IPPROTO_IP on
 *    AF_UNIX): WSAEINVAL.
 *  - an unknown option, an option of another protocol of the family
 *    (IPPROTO_TCP options on a UDP socket), a connection option on a
 *    datagram socket (SO_KEEPALIVE, SO_LINGER, SO_DONTLINGER,
 *    SO_OOBINLINE, SO_CONDITIONAL_ACCEPT), or setting a get-only option:
 *    WSAENOPROTOOPT.
 *  - SO_USELOOPBACK, SO_SNDLOWAT, SO_RCVLOWAT: WSAEINVAL, as Windows
 *    since Vista (its TCP/IP provider supports none of them).
 *  - a failure from Linux: its errno through the one error table.
 *
 * Option state Linux does not keep lives in ws2__bsock_t: rcvtimeo and
 * sndtimeo, and flag bits (bsp.h), read and written under s->lock.
 */
#include "provider/base/bsp.h"

#include <mswsock.h>
#include <ws2tcpip.h>

#include "core/error.h"
#include "xlate/addr.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* The Windows x64 and Linux x86-64 multicast structures ws2 passes through
 * with only the address families rewritten. */
_Static_assert(sizeof(GROUP_REQ) == sizeof(struct group_req),
               "group_req layouts differ");
_Static_assert(sizeof(GROUP_SOURCE_REQ) == sizeof(struct group_source_req),
               "group_source_req layouts differ");
_Static_assert(offsetof(GROUP_SOURCE_REQ, gsr_source) ==
                   offsetof(struct group_source_req, gsr_source),
               "group_source_req layouts differ");
_Static_assert(sizeof(IPV6_MREQ) == sizeof(struct ipv6_mreq),
               "ipv6_mreq layouts differ");
_Static_assert(sizeof(struct WS_linger) == 4, "Windows linger is 2 u_short");

/* ---- socket kinds -------------------------------------------------- */

static int is_ip(const ws2__bsock_t *s) {
  return s->af == WS_AF_INET || s->af == WS_AF_INET6;
}
static int is_tcp(const ws2__bsock_t *s) {
  return is_ip(s) && s->type == WS_SOCK_STREAM;
}
static int is_udp(const ws2__bsock_t *s) {
  return is_ip(s) && s->type == WS_SOCK_DGRAM;
}
static int is_stream(const ws2__bsock_t *s) {
  return s->type == WS_SOCK_STREAM;
}

/* 0 when options of `level` apply to s, else the error Windows gives. */
static int level_check(const ws2__bsock_t *s, int level) {
  switch (level) {
    case WS_SOL_SOCKET:
      return 0;
    case WS_IPPROTO_IP:
      return is_ip(s) ? 0 : WSAEINVAL;
    case WS_IPPROTO_IPV6:
      return s->af == WS_AF_INET6 ? 0 : WSAEINVAL;
    case WS_IPPROTO_TCP:
      return !is_ip(s) ? WSAEINVAL : is_tcp(s) ? 0 : WSAENOPROTOOPT;
    case WS_IPPROTO_UDP:
      return !is_ip(s) ? WSAEINVAL : is_udp(s) ? 0 : WSAENOPROTOOPT;
    default:
      return WSAEINVAL;
  }
}

/* ---- flags and fields under the socket's lock ------------------------ */

static uint32_t flags_of(ws2__bsock_t *s) {
  uint32_t f;
  pthread_mutex_lock(&s->lock);
  f = s->flags;
  pthread_mutex_unlock(&s->lock);
  return f;
}

static void flag_put(ws2__bsock_t *s, uint32_t bit, int on) {
  pthread_mutex_lock(&s->lock);
  if (on)
    s->flags |= bit;
  else
    s->flags &= ~bit;
  pthread_mutex_unlock(&s->lock);
}

/* ---- Windows option values ------------------------------------------- */

/* The value of an integer or BOOL option being set (see the top). */
static int in_dword(const char *optval, int optlen, int boolean, DWORD *v) {
  if (!optval) return WSAEFAULT;
  if (optlen >= (int)sizeof(DWORD)) {
    memcpy(v, optval, sizeof(DWORD));
    return 0;
  }
  if (!boolean || optlen < 1) return WSAEFAULT;
  *v = 0;
  memcpy(v, optval, (size_t)optlen); /* little-endian: the low bytes */
  return 0;
}

/* Stores an integer or BOOL option value for getsockopt. */
static int out_dword(char *optval, int *optlen, int boolean, DWORD v) {
  if (*optlen >= (int)sizeof(DWORD)) {
    memcpy(optval, &v, sizeof(DWORD));
    *optlen = sizeof(DWORD);
    return 0;
  }
  if (!boolean || *optlen < 1) return WSAEFAULT;
  memcpy(optval, &v, (size_t)*optlen);
  return 0;
}

static int out_bool(char *optval, int *optlen, int on) {
  return out_dword(optval, optlen, 1, on ? 1 : 0);
}

/* ---- the Linux side -------------------------------------------------- */

static int lerr(void) {
  /* An interface index or address that names no interface. */
  if (errno == ENODEV) return WSAEINVAL;
  return ws2__errno_to_wsa(errno);
}

static int lset(ws2__bsock_t *s, int lvl, int name, const void *v,
                socklen_t n) {
  return setsockopt(s->fd, lvl, name, v, n) == 0 ? 0 : lerr();
}

static int lset_int(ws2__bsock_t *s, int lvl, int name, int v) {
  return lset(s, lvl, name, &v, sizeof(v));
}

static int lget_int(ws2__bsock_t *s, int lvl, int name, int *v) {
  socklen_t n = sizeof(*v);
  *v = 0;
  return getsockopt(s->fd, lvl, name, v, &n) == 0 ? 0 : lerr();
}

/*
 * Options that map one to one onto a Linux option with an int value.
 * Several Windows options become a Linux option of another name:
 * IPV6_PKTINFO / IPV6_HOPLIMIT / IPV6_RECVTCLASS ask for control data on
 * Windows, which Linux calls IPV6_RECVPKTINFO / IPV6_RECVHOPLIMIT /
 * IPV6_RECVTCLASS (Linux's IPV6_PKTINFO is the sticky source address).
 */
#define K_BOOL 1    /* BOOL; 1-4 bytes */
#define K_INT 2     /* DWORD/int; 4 bytes */
#define K_SHORT 4   /* integer that also takes 1-3 bytes (u_char in BSD) */
#define K_GETONLY 8 /* setting fails with WSAENOPROTOOPT */
#define K_STREAM 16 /* WSAENOPROTOOPT on datagram sockets */

struct simple_opt {
  int level, name;
  int llevel, lname;
  int kind;
};

static const struct simple_opt simple_opts[] = {
    {WS_SOL_SOCKET, WS_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE,
     K_BOOL | K_STREAM},
    {WS_SOL_SOCKET, WS_SO_BROADCAST, SOL_SOCKET, SO_BROADCAST, K_BOOL},
    {WS_IPPROTO_TCP, WS_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY, K_BOOL},
    /* TCP_KEEPALIVE is TCP_KEEPIDLE: seconds before the first probe. */
    {WS_IPPROTO_TCP, WS_TCP_KEEPIDLE, IPPROTO_TCP, TCP_KEEPIDLE, K_INT},
    {WS_IPPROTO_TCP, WS_TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT, K_INT},
    {WS_IPPROTO_TCP, WS_TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL, K_INT},
    {WS_IPPROTO_TCP, WS_TCP_MAXSEG, IPPROTO_TCP, TCP_MAXSEG, K_INT},
    {WS_IPPROTO_IP, WS_IP_HDRINCL, IPPROTO_IP, IP_HDRINCL, K_BOOL},
    {WS_IPPROTO_IP, WS_IP_TOS, IPPROTO_IP, IP_TOS, K_INT},
    {WS_IPPROTO_IP, WS_IP_TTL, IPPROTO_IP, IP_TTL, K_INT},
    {WS_IPPROTO_IP, WS_IP_MULTICAST_TTL, IPPROTO_IP, IP_MULTICAST_TTL,
     K_INT | K_SHORT},
    {WS_IPPROTO_IP, WS_IP_MULTICAST_LOOP, IPPROTO_IP, IP_MULTICAST_LOOP,
     K_BOOL},
    {WS_IPPROTO_IP, WS_IP_PKTINFO, IPPROTO_IP, IP_PKTINFO, K_BOOL},
    {WS_IPPROTO_IP, WS_IP_RECVTTL, IPPROTO_IP, IP_RECVTTL, K_BOOL},
    {WS_IPPROTO_IP, WS_IP_RECVTOS, IPPROTO_IP, IP_RECVTOS, K_BOOL},
    /* An interface index in network byte order on both systems. */
    {WS_IPPROTO_IP, WS_IP_UNICAST_IF, IPPROTO_IP, IP_UNICAST_IF, K_INT},
    {WS_IPPROTO_IP, WS_IP_MTU, IPPROTO_IP, IP_MTU, K_INT | K_GETONLY},
    {WS_IPPROTO_IPV6, WS_IPV6_V6ONLY, IPPROTO_IPV6, IPV6_V6ONLY, K_BOOL},
    {WS_IPPROTO_IPV6, WS_IPV6_UNICAST_HOPS, IPPROTO_IPV6, IPV6_UNICAST_HOPS,
     K_INT},
    {WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_IF, IPPROTO_IPV6, IPV6_MULTICAST_IF,
     K_INT},
    {WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_HOPS, IPPROTO_IPV6, IPV6_MULTICAST_HOPS,
     K_INT},
    {WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_LOOP, IPPROTO_IPV6, IPV6_MULTICAST_LOOP,
     K_BOOL},
    {WS_IPPROTO_IPV6, WS_IPV6_PKTINFO, IPPROTO_IPV6, IPV6_RECVPKTINFO, K_BOOL},
    {WS_IPPROTO_IPV6, WS_IPV6_HOPLIMIT, IPPROTO_IPV6, IPV6_RECVHOPLIMIT,
     K_BOOL},
    {WS_IPPROTO_IPV6, WS_IPV6_RECVTCLASS, IPPROTO_IPV6, IPV6_RECVTCLASS,
     K_BOOL},
    {WS_IPPROTO_IPV6, WS_IPV6_TCLASS, IPPROTO_IPV6, IPV6_TCLASS, K_INT},
    {WS_IPPROTO_IPV6, WS_IPV6_DONTFRAG, IPPROTO_IPV6, IPV6_DONTFRAG, K_BOOL},
    {WS_IPPROTO_IPV6, WS_IPV6_CHECKSUM, IPPROTO_IPV6, IPV6_CHECKSUM, K_INT},
    {WS_IPPROTO_IPV6, WS_IPV6_MTU, IPPROTO_IPV6, IPV6_MTU, K_INT | K_GETONLY},
};

static const struct simple_opt *simple_find(int level, int name) {
  size_t i;
  for (i = 0; i < sizeof(simple_opts) / sizeof(simple_opts[0]); i++)
    if (simple_opts[i].level == level && simple_opts[i].name == name)
      return &simple_opts[i];
  return NULL;
}

static int simple_get(ws2__bsock_t *s, const struct simple_opt *o, char *optval,
                      int *optlen) {
  int v, r;
  if ((o->kind & K_STREAM) && !is_stream(s)) return WSAENOPROTOOPT;
  if (*optlen < (int)sizeof(DWORD) && !(o->kind & (K_BOOL | K_SHORT)))
    return WSAEFAULT;
  if (*optlen < 1) return WSAEFAULT;
  if ((r = lget_int(s, o->llevel, o->lname, &v)) != 0) return r;
  if (o->kind & K_BOOL) return out_bool(optval, optlen, v != 0);
  return out_dword(optval, optlen, (o->kind & K_SHORT) != 0, (DWORD)v);
}

static int simple_set(ws2__bsock_t *s, const struct simple_opt *o,
                      const char *optval, int optlen) {
  DWORD v;
  int r;
  if (o->kind & K_GETONLY) return WSAENOPROTOOPT;
  if ((o->kind & K_STREAM) && !is_stream(s)) return WSAENOPROTOOPT;
  if ((r = in_dword(optval, optlen, (o->kind & (K_BOOL | K_SHORT)) != 0, &v)) !=
      0)
    return r;
  if (o->kind & K_BOOL) v = v != 0;
  return lset_int(s, o->llevel, o->lname, (int)v);
}

/* ---- SO_REUSEADDR and SO_EXCLUSIVEADDRUSE ---------------------------- */

/*
 * Windows' SO_REUSEADDR lets a socket bind an address:port that another
 * SO_REUSEADDR socket has bound (not one bound by a default or an
 * exclusive socket: WSAEACCES); SO_EXCLUSIVEADDRUSE forbids any other
 * socket to bind it, TIME_WAIT connections included. Without either, a
 * TCP socket may still bind a port whose connections are in TIME_WAIT.
 * The full table between the sockets of this process is WSPBind's
 * (bindrules.c); what Linux does below is the rest.
 *
 * Linux approximation:
 *  - default: Linux SO_REUSEADDR on for TCP sockets (the TIME_WAIT rule;
 *    set by ws2__bsp_sockopt_defaults), off for the rest; SO_REUSEPORT off.
 *  - SO_REUSEADDR: Linux SO_REUSEADDR and SO_REUSEPORT on. Two such
 *    sockets can share the address, as on Windows.
 *  - SO_EXCLUSIVEADDRUSE: Linux SO_REUSEADDR and SO_REUSEPORT off, so no
 *    other socket, and no TIME_WAIT connection, shares the port.
 * Setting one while the other is on fails with WSAEINVAL, as on Windows.
 */
static int linux_reuse(ws2__bsock_t *s, int reuseaddr, int reuseport) {
  int r;
  if (!is_ip(s)) return 0; /* meaningless on AF_UNIX: recorded only */
  if ((r = lset_int(s, SOL_SOCKET, SO_REUSEPORT, reuseport)) != 0) return r;
  return lset_int(s, SOL_SOCKET, SO_REUSEADDR, reuseaddr);
}

static int set_reuse(ws2__bsock_t *s, int exclusive, int on) {
  uint32_t mine = exclusive ? WS2__BS_EXCLUSIVE : WS2__BS_REUSEADDR;
  uint32_t other = exclusive ? WS2__BS_REUSEADDR : WS2__BS_EXCLUSIVE;
  uint32_t nf;
  int r;
  pthread_mutex_lock(&s->lock);
  if (on && (s->flags & other)) {
    r = WSAEINVAL;
  } else {
    nf = on ? s->flags | mine : s->flags & ~mine;
    if (nf & WS2__BS_REUSEADDR)
      r = linux_reuse(s, 1, 1);
    else if (nf & WS2__BS_EXCLUSIVE)
      r = linux_reuse(s, 0, 0);
    else
      r = linux_reuse(s, is_tcp(s), 0); /* the default */
    if (r == 0) s->flags = nf;
  }
  pthread_mutex_unlock(&s->lock);
  return r;
}

/* ---- the rest of the special cases ----------------------------------- */

/* Windows' IP_MTU_DISCOVER values (PMTUD_STATE) and Linux's. */
#define WIN_PMTUDISC_NOT_SET 0
#define WIN_PMTUDISC_DO 1
#define WIN_PMTUDISC_DONT 2
#define WIN_PMTUDISC_PROBE 3

static int pmtud_to_linux(DWORD v, int *out) {
  switch (v) {
    case WIN_PMTUDISC_NOT_SET:
      *out = IP_PMTUDISC_WANT;
      return 0;
    case WIN_PMTUDISC_DO:
      *out = IP_PMTUDISC_DO;
      return 0;
    case WIN_PMTUDISC_DONT:
      *out = IP_PMTUDISC_DONT;
      return 0;
    case WIN_PMTUDISC_PROBE:
      *out = IP_PMTUDISC_PROBE;
      return 0;
    default:
      return WSAEINVAL;
  }
}

static DWORD pmtud_from_linux(int v) {
  switch (v) {
    case IP_PMTUDISC_DO:
      return WIN_PMTUDISC_DO;
    case IP_PMTUDISC_DONT:
      return WIN_PMTUDISC_DONT;
    case IP_PMTUDISC_PROBE:
      return WIN_PMTUDISC_PROBE;
    default:
      return WIN_PMTUDISC_NOT_SET; /* WANT, INTERFACE, OMIT */
  }
}

/* SO_MAX_MSG_SIZE: the largest datagram payload; streams have none (0). */
static DWORD max_msg_size(const ws2__bsock_t *s) {
  if (s->type == WS_SOCK_STREAM || !is_ip(s)) return 0;
  if (s->type == WS_SOCK_DGRAM)
    return s->af == WS_AF_INET ? 65507 : 65527; /* less IP+UDP headers */
  return s->af == WS_AF_INET ? 65515 : 65535;   /* raw: less IPv4 header */
}

/*
 * IPv4 multicast interfaces: Windows takes an interface address or, when
 * the first octet is 0 (0.0.0.0/8 less 0.0.0.0 itself), an interface index
 * in network byte order. Returns the index, or 0 for an address.
 */
static int v4_ifindex(uint32_t be_if) {
  uint32_t h = ntohl(be_if);
  return (h != 0 && (h >> 24) == 0) ? (int)h : 0;
}

static int set_ip_membership(ws2__bsock_t *s, int name, const char *optval,
                             int optlen) {
  struct ip_mreqn m;
  uint32_t grp, ifc;
  if (!optval || optlen < (int)sizeof(IP_MREQ)) return WSAEFAULT;
  memcpy(&grp, optval, 4);
  memcpy(&ifc, optval + 4, 4);
  memset(&m, 0, sizeof(m));
  m.imr_multiaddr.s_addr = grp;
  if ((m.imr_ifindex = v4_ifindex(ifc)) == 0) m.imr_address.s_addr = ifc;
  return lset(
      s, IPPROTO_IP,
      name == WS_IP_ADD_MEMBERSHIP ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m,
      sizeof(m));
}

/*
 * ip_mreq_source: Windows orders it multiaddr, sourceaddr, interface;
 * Linux multiaddr, interface, sourceaddr. An interface given by index
 * goes through the MCAST_* form, which takes one.
 */
static int set_ip_source(ws2__bsock_t *s, int name, const char *optval,
                         int optlen) {
  uint32_t grp, src, ifc;
  int idx, lname;
  if (!optval || optlen < (int)sizeof(IP_MREQ_SOURCE)) return WSAEFAULT;
  memcpy(&grp, optval, 4);
  memcpy(&src, optval + 4, 4);
  memcpy(&ifc, optval + 8, 4);
  if ((idx = v4_ifindex(ifc)) != 0) {
    struct group_source_req g;
    struct sockaddr_in *gs = (struct sockaddr_in *)&g.gsr_group;
    struct sockaddr_in *ss = (struct sockaddr_in *)&g.gsr_source;
    memset(&g, 0, sizeof(g));
    g.gsr_interface = (uint32_t)idx;
    gs->sin_family = AF_INET;
    gs->sin_addr.s_addr = grp;
    ss->sin_family = AF_INET;
    ss->sin_addr.s_addr = src;
    lname = name == WS_IP_ADD_SOURCE_MEMBERSHIP    ? MCAST_JOIN_SOURCE_GROUP
            : name == WS_IP_DROP_SOURCE_MEMBERSHIP ? MCAST_LEAVE_SOURCE_GROUP
            : name == WS_IP_BLOCK_SOURCE           ? MCAST_BLOCK_SOURCE
                                                   : MCAST_UNBLOCK_SOURCE;
    return lset(s, IPPROTO_IP, lname, &g, sizeof(g));
  } else {
    struct ip_mreq_source m;
    memset(&m, 0, sizeof(m));
    m.imr_multiaddr.s_addr = grp;
    m.imr_interface.s_addr = ifc;
    m.imr_sourceaddr.s_addr = src;
    lname = name == WS_IP_ADD_SOURCE_MEMBERSHIP    ? IP_ADD_SOURCE_MEMBERSHIP
            : name == WS_IP_DROP_SOURCE_MEMBERSHIP ? IP_DROP_SOURCE_MEMBERSHIP
            : name == WS_IP_BLOCK_SOURCE           ? IP_BLOCK_SOURCE
                                                   : IP_UNBLOCK_SOURCE;
    return lset(s, IPPROTO_IP, lname, &m, sizeof(m));
  }
}

/* A Windows sockaddr_storage's family rewritten for Linux in place. */
static int storage_family(struct sockaddr_storage *ss) {
  USHORT fam;
  memcpy(&fam, ss, sizeof(fam));
  if (fam == WS_AF_INET)
    ss->ss_family = AF_INET;
  else if (fam == WS_AF_INET6)
    ss->ss_family = AF_INET6;
  else
    return WSAEAFNOSUPPORT;
  return 0;
}

/* MCAST_JOIN_GROUP & co: the Windows group_req / group_source_req has the
 * Linux layout (x64: interface, padding, sockaddr_storage...); only the
 * family numbers differ. Windows numbers them 41-46, Linux 42-47. */
static int set_mcast(ws2__bsock_t *s, int level, int name, const char *optval,
                     int optlen) {
  int llevel = level == WS_IPPROTO_IP ? IPPROTO_IP : IPPROTO_IPV6;
  int r;
  if (name == WS_MCAST_JOIN_GROUP || name == WS_MCAST_LEAVE_GROUP) {
    struct group_req g;
    if (!optval || optlen < (int)sizeof(GROUP_REQ)) return WSAEFAULT;
    memcpy(&g, optval, sizeof(g));
    if ((r = storage_family(&g.gr_group)) != 0) return r;
    return lset(
        s, llevel,
        name == WS_MCAST_JOIN_GROUP ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &g,
        sizeof(g));
  } else {
    struct group_source_req g;
    int lname;
    if (!optval || optlen < (int)sizeof(GROUP_SOURCE_REQ)) return WSAEFAULT;
    memcpy(&g, optval, sizeof(g));
    if ((r = storage_family(&g.gsr_group)) != 0 ||
        (r = storage_family(&g.gsr_source)) != 0)
      return r;
    lname = name == WS_MCAST_BLOCK_SOURCE        ? MCAST_BLOCK_SOURCE
            : name == WS_MCAST_UNBLOCK_SOURCE    ? MCAST_UNBLOCK_SOURCE
            : name == WS_MCAST_JOIN_SOURCE_GROUP ? MCAST_JOIN_SOURCE_GROUP
                                                 : MCAST_LEAVE_SOURCE_GROUP;
    return lset(s, llevel, lname, &g, sizeof(g));
  }
}

static int is_mcast_name(int name) {
  return name >= WS_MCAST_JOIN_GROUP && name <= WS_MCAST_LEAVE_SOURCE_GROUP;
}

/* SO_PROTOCOL_INFOA/W. */
static int get_protocol_info(ws2__bsock_t *s, int wide, char *optval,
                             int *optlen) {
  WSAPROTOCOL_INFOW w;
  int r, i;
  if (*optlen <
      (int)(wide ? sizeof(WSAPROTOCOL_INFOW) : sizeof(WSAPROTOCOL_INFOA)))
    return WSAEFAULT;
  if ((r = ws2__bsp_protocol_info(s, &w)) != 0) return r;
  if (wide) {
    memcpy(optval, &w, sizeof(w));
    *optlen = sizeof(w);
  } else {
    WSAPROTOCOL_INFOA a;
    memcpy(&a, &w, offsetof(WSAPROTOCOL_INFOA, szProtocol));
    for (i = 0; i < WSAPROTOCOL_LEN && w.szProtocol[i]; i++)
      a.szProtocol[i] = w.szProtocol[i] < 0x80 ? (CHAR)w.szProtocol[i] : '?';
    memset(a.szProtocol + i, 0, sizeof(a.szProtocol) - (size_t)i);
    memcpy(optval, &a, sizeof(a));
    *optlen = sizeof(a);
  }
  return 0;
}

/* SO_BSP_STATE: a CSADDR_INFO whose addresses follow it in optval. */
static int get_bsp_state(ws2__bsock_t *s, char *optval, int *optlen) {
  struct sockaddr_storage la, ra;
  socklen_t ll = sizeof(la), rl = sizeof(ra);
  char lw[sizeof(SOCKADDR_STORAGE)], rw[sizeof(SOCKADDR_STORAGE)];
  int lwl = 0, rwl = 0, need;
  CSADDR_INFO ci;

  if (!is_ip(s)) return WSAENOPROTOOPT;
  if (*optlen < (int)sizeof(CSADDR_INFO)) return WSAEFAULT;
  /* Bound (or connected, which binds): a non-zero local port. */
  if (getsockname(s->fd, (struct sockaddr *)&la, &ll) == 0 &&
      ((struct sockaddr_in *)&la)->sin_port != 0) {
    lwl = sizeof(lw);
    if (ws2__addr_from_linux((struct sockaddr *)&la, ll,
                             (struct WS_sockaddr *)lw, &lwl) != 0)
      lwl = 0;
  }
  if (getpeername(s->fd, (struct sockaddr *)&ra, &rl) == 0) {
    rwl = sizeof(rw);
    if (ws2__addr_from_linux((struct sockaddr *)&ra, rl,
                             (struct WS_sockaddr *)rw, &rwl) != 0)
      rwl = 0;
  }
  need = (int)sizeof(ci) + lwl + rwl;
  if (*optlen < need) return WSAEFAULT;
  memset(&ci, 0, sizeof(ci));
  if (lwl) {
    memcpy(optval + sizeof(ci), lw, (size_t)lwl);
    ci.LocalAddr.lpSockaddr = (LPSOCKADDR)(optval + sizeof(ci));
    ci.LocalAddr.iSockaddrLength = lwl;
  }
  if (rwl) {
    memcpy(optval + sizeof(ci) + lwl, rw, (size_t)rwl);
    ci.RemoteAddr.lpSockaddr = (LPSOCKADDR)(optval + sizeof(ci) + lwl);
    ci.RemoteAddr.iSockaddrLength = rwl;
  }
  ci.iSocketType = s->type;
  ci.iProtocol = s->protocol;
  memcpy(optval, &ci, sizeof(ci));
  *optlen = need;
  return 0;
}

/* ---- getsockopt ------------------------------------------------------ */

static int get_sol_socket(ws2__bsock_t *s, int name, char *optval,
                          int *optlen) {
  uint32_t f;
  int v, r;
  DWORD d;

  switch (name) {
    case WS_SO_DEBUG:
      return out_bool(optval, optlen, flags_of(s) & WS2__BS_DEBUG);
    case WS_SO_ACCEPTCONN:
      if (lget_int(s, SOL_SOCKET, SO_ACCEPTCONN, &v) != 0) v = 0;
      return out_bool(optval, optlen, v || (flags_of(s) & WS2__BS_LISTENING));
    case WS_SO_REUSEADDR:
      return out_bool(optval, optlen, flags_of(s) & WS2__BS_REUSEADDR);
    case WS_SO_EXCLUSIVEADDRUSE:
      return out_bool(optval, optlen, flags_of(s) & WS2__BS_EXCLUSIVE);
    case WS_SO_DONTROUTE:
      /* "Succeeds but is ignored on AF_INET sockets; fails on AF_INET6
       * sockets with WSAENOPROTOOPT" (the SPI's option summary). */
      if (s->af == WS_AF_INET6) return WSAENOPROTOOPT;
      return out_bool(optval, optlen, flags_of(s) & WS2__BS_DONTROUTE);
    case WS_SO_USELOOPBACK:
    case WS_SO_SNDLOWAT:
    case WS_SO_RCVLOWAT:
      return WSAEINVAL;
    case WS_SO_LINGER: {
      struct linger l;
      socklen_t n = sizeof(l);
      struct WS_linger w;
      if (!is_stream(s)) return WSAENOPROTOOPT;
      if (*optlen < (int)sizeof(w)) return WSAEFAULT;
      if (getsockopt(s->fd, SOL_SOCKET, SO_LINGER, &l, &n) != 0) return lerr();
      w.l_onoff = l.l_onoff ? 1 : 0;
      w.l_linger = (WS_u_short)(l.l_linger > 0xFFFF ? 0xFFFF : l.l_linger);
      memcpy(optval, &w, sizeof(w));
      *optlen = sizeof(w);
      return 0;
    }
    case WS_SO_DONTLINGER: {
      struct linger l;
      socklen_t n = sizeof(l);
      if (!is_stream(s)) return WSAENOPROTOOPT;
      if (*optlen < 1) return WSAEFAULT;
      if (getsockopt(s->fd, SOL_SOCKET, SO_LINGER, &l, &n) != 0) return lerr();
      return out_bool(optval, optlen, !l.l_onoff);
    }
    case WS_SO_OOBINLINE:
      if (!is_stream(s)) return WSAENOPROTOOPT;
      if (*optlen < 1) return WSAEFAULT;
      if ((r = lget_int(s, SOL_SOCKET, SO_OOBINLINE, &v)) != 0) return r;
      return out_bool(optval, optlen, v);
    case WS_SO_SNDBUF:
    case WS_SO_RCVBUF:
      /* Linux doubles what is set (for its bookkeeping) and reports the
       * doubled size; Windows reports what was set. */
      if (*optlen < (int)sizeof(DWORD)) return WSAEFAULT;
      if ((r = lget_int(s, SOL_SOCKET,
                        name == WS_SO_SNDBUF ? SO_SNDBUF : SO_RCVBUF, &v)))
        return r;
      if (flags_of(s) &
          (name == WS_SO_SNDBUF ? WS2__BS_SNDBUF_SET : WS2__BS_RCVBUF_SET))
        v /= 2;
      return out_dword(optval, optlen, 0, (DWORD)v);
    case WS_SO_SNDTIMEO:
    case WS_SO_RCVTIMEO:
      pthread_mutex_lock(&s->lock);
      d = name == WS_SO_SNDTIMEO ? s->sndtimeo : s->rcvtimeo;
      pthread_mutex_unlock(&s->lock);
      return out_dword(optval, optlen, 0, d);
    case WS_SO_ERROR:
      /* The pending error, cleared by reading it, as a Winsock code. */
      if (*optlen < (int)sizeof(DWORD)) return WSAEFAULT;
      if ((r = lget_int(s, SOL_SOCKET, SO_ERROR, &v)) != 0) return r;
      return out_dword(optval, optlen, 0, v ? (DWORD)ws2__errno_to_wsa(v) : 0);
    case WS_SO_TYPE:
      return out_dword(optval, optlen, 0, (DWORD)s->type);
    case WS_SO_PROTOCOL_INFOW:
    case WS_SO_PROTOCOL_INFOA:
      return get_protocol_info(s, name == WS_SO_PROTOCOL_INFOW, optval, optlen);
    case WS_SO_MAX_MSG_SIZE:
    case WS_SO_MAXDG:
      return out_dword(optval, optlen, 0, max_msg_size(s));
    case WS_SO_CONNECT_TIME: {
      /* Seconds connected, or 0xFFFFFFFF. Applications poll it to learn
       * whether a connect has completed, so a non-blocking connect that
       * nothing has reported yet (no select, WSAPoll or network event
       * looked) counts as connected once Linux has a peer; its time is
       * counted from the first call that sees it. */
      ULONGLONG t;
      pthread_mutex_lock(&s->lock);
      f = s->flags;
      t = (f & WS2__BS_CONNECTED) ? s->connect_tick : 0;
      if (!t && is_stream(s) && !(f & WS2__BS_LISTENING)) {
        struct sockaddr_storage peer;
        socklen_t n = sizeof(peer);
        if (getpeername(s->fd, (struct sockaddr *)&peer, &n) == 0) {
          if (!s->connect_tick) s->connect_tick = GetTickCount64();
          t = s->connect_tick;
        }
      }
      pthread_mutex_unlock(&s->lock);
      if (!t)
        d = 0xFFFFFFFFu;
      else
        d = (DWORD)((GetTickCount64() - t) / 1000);
      return out_dword(optval, optlen, 0, d);
    }
    case WS_SO_CONDITIONAL_ACCEPT:
      if (!is_stream(s)) return WSAENOPROTOOPT;
      return out_bool(optval, optlen, flags_of(s) & WS2__BS_CONDACCEPT);
    case WS_SO_RANDOMIZE_PORT:
      return out_bool(optval, optlen, flags_of(s) & WS2__BS_RANDPORT);
    case WS_SO_PORT_SCALABILITY:
      return out_bool(optval, optlen, flags_of(s) & WS2__BS_PORTSCALE);
    case WS_SO_BSP_STATE:
      return get_bsp_state(s, optval, optlen);
    case WS_SO_GROUP_ID: /* socket groups are reserved: none */
    case WS_SO_GROUP_PRIORITY:
      return out_dword(optval, optlen, 0, 0);
    default:
      return WSAENOPROTOOPT;
  }
}

static int get_tcp(ws2__bsock_t *s, int name, char *optval, int *optlen) {
  int v, r;
  switch (name) {
    case WS_TCP_EXPEDITED_1122:
      return out_bool(optval, optlen, flags_of(s) & WS2__BS_EXPEDITED);
    case WS_TCP_BSDURGENT:
      return out_bool(optval, optlen, !(flags_of(s) & WS2__BS_EXPEDITED));
    case WS_TCP_TIMESTAMPS:
      return out_bool(optval, optlen, flags_of(s) & WS2__BS_TIMESTAMPS);
    case WS_TCP_FASTOPEN:
      if (*optlen < 1) return WSAEFAULT;
      if (flags_of(s) & WS2__BS_LISTENING)
        r = lget_int(s, IPPROTO_TCP, TCP_FASTOPEN, &v);
      else
        r = lget_int(s, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &v);
      if (r) return r;
      return out_bool(optval, optlen, v);
    case WS_TCP_MAXRT:
    case WS_TCP_MAXRTMS: {
      /* TCP_USER_TIMEOUT in ms; INT_MAX stands for Windows' -1 (never). */
      DWORD d;
      if (*optlen < (int)sizeof(DWORD)) return WSAEFAULT;
      if ((r = lget_int(s, IPPROTO_TCP, TCP_USER_TIMEOUT, &v)) != 0) return r;
      if (v == INT_MAX)
        d = 0xFFFFFFFFu;
      else
        d = name == WS_TCP_MAXRT ? (DWORD)v / 1000 : (DWORD)v;
      return out_dword(optval, optlen, 0, d);
    }
    case WS_TCP_ATMARK:
      if (*optlen < 1) return WSAEFAULT;
      v = 0; /* an output only, but valgrind checks it as an input */
      if (ioctl(s->fd, SIOCATMARK, &v) != 0) return lerr();
      return out_bool(optval, optlen, v);
    default:
      return WSAENOPROTOOPT;
  }
}

static int get_udp(ws2__bsock_t *s, int name, char *optval, int *optlen) {
  int v, r;
  switch (name) {
    case WS_UDP_NOCHECKSUM:
      if (*optlen < 1) return WSAEFAULT;
      if (s->af == WS_AF_INET)
        r = lget_int(s, SOL_SOCKET, SO_NO_CHECK, &v);
      else
        r = lget_int(s, IPPROTO_UDP, UDP_NO_CHECK6_TX, &v);
      if (r) return r;
      return out_bool(optval, optlen, v);
    case WS_UDP_SEND_MSG_SIZE:
      if (*optlen < (int)sizeof(DWORD)) return WSAEFAULT;
      if ((r = lget_int(s, IPPROTO_UDP, UDP_SEGMENT, &v)) != 0) return r;
      return out_dword(optval, optlen, 0, (DWORD)v);
    default:
      return WSAENOPROTOOPT;
  }
}

static int get_ip(ws2__bsock_t *s, int name, char *optval, int *optlen) {
  int v, r;
  switch (name) {
    case WS_IP_OPTIONS: {
      socklen_t n = (socklen_t)*optlen;
      if (getsockopt(s->fd, IPPROTO_IP, IP_OPTIONS, optval, &n) != 0)
        return lerr();
      *optlen = (int)n;
      return 0;
    }
    case WS_IP_MULTICAST_IF: {
      struct in_addr a;
      socklen_t n = sizeof(a);
      if (*optlen < (int)sizeof(DWORD)) return WSAEFAULT;
      if (getsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &a, &n) != 0)
        return lerr();
      memcpy(optval, &a, 4); /* network byte order on both systems */
      *optlen = 4;
      return 0;
    }
    case WS_IP_DONTFRAGMENT:
      if (*optlen < 1) return WSAEFAULT;
      if ((r = lget_int(s, IPPROTO_IP, IP_MTU_DISCOVER, &v)) != 0) return r;
      return out_bool(optval, optlen,
                      v == IP_PMTUDISC_DO || v == IP_PMTUDISC_PROBE);
    case WS_IP_MTU_DISCOVER:
      if (*optlen < (int)sizeof(DWORD)) return WSAEFAULT;
      if ((r = lget_int(s, IPPROTO_IP, IP_MTU_DISCOVER, &v)) != 0) return r;
      return out_dword(optval, optlen, 0, pmtud_from_linux(v));
    default:
      return WSAENOPROTOOPT;
  }
}

static int get_ipv6(ws2__bsock_t *s, int name, char *optval, int *optlen) {
  int v, r;
  switch (name) {
    case WS_IPV6_UNICAST_IF:
      /* Windows: host byte order for IPv6 (network order is IPv4's rule);
       * Linux: network order for both. */
      if (*optlen < (int)sizeof(DWORD)) return WSAEFAULT;
      if ((r = lget_int(s, IPPROTO_IPV6, IPV6_UNICAST_IF, &v)) != 0) return r;
      return out_dword(optval, optlen, 0, ntohl((uint32_t)v));
    case WS_IPV6_MTU_DISCOVER:
      if (*optlen < (int)sizeof(DWORD)) return WSAEFAULT;
      if ((r = lget_int(s, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v)) != 0) return r;
      return out_dword(optval, optlen, 0, pmtud_from_linux(v));
    default:
      return WSAENOPROTOOPT;
  }
}

int ws2__bsp_getsockopt(ws2__bsock_t *s, int level, int optname, char *optval,
                        int *optlen) {
  const struct simple_opt *o;
  int r;

  if (!optval || !optlen || *optlen < 0) return WSAEFAULT;
  if ((r = level_check(s, level)) != 0) return r;
  if ((o = simple_find(level, optname)) != NULL)
    return simple_get(s, o, optval, optlen);
  switch (level) {
    case WS_SOL_SOCKET:
      return get_sol_socket(s, optname, optval, optlen);
    case WS_IPPROTO_TCP:
      return get_tcp(s, optname, optval, optlen);
    case WS_IPPROTO_UDP:
      return get_udp(s, optname, optval, optlen);
    case WS_IPPROTO_IP:
      return get_ip(s, optname, optval, optlen);
    default:
      return get_ipv6(s, optname, optval, optlen);
  }
}

/* ---- setsockopt ------------------------------------------------------ */

static int set_flag_bool(ws2__bsock_t *s, uint32_t bit, const char *optval,
                         int optlen, int invert) {
  DWORD v;
  int r = in_dword(optval, optlen, 1, &v);
  if (r) return r;
  flag_put(s, bit, invert ? !v : v != 0);
  return 0;
}

void ws2__bsp_sockopt_inherit(ws2__bsock_t *from, ws2__bsock_t *to) {
  uint32_t inherit;
  DWORD rto, sto;
  if (from == to) return;
  pthread_mutex_lock(&from->lock);
  inherit = from->flags & WS2__BS_OPT_INHERIT;
  rto = from->rcvtimeo;
  sto = from->sndtimeo;
  pthread_mutex_unlock(&from->lock);
  pthread_mutex_lock(&to->lock);
  to->flags = (to->flags & ~(uint32_t)WS2__BS_OPT_INHERIT) | inherit;
  __atomic_store_n(&to->rcvtimeo, rto, __ATOMIC_RELAXED);
  __atomic_store_n(&to->sndtimeo, sto, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&to->lock);
}

/* SO_UPDATE_ACCEPT_CONTEXT: the accepted socket of an AcceptEx takes over
 * its listener's properties (as accept's sockets do at once). */
static int update_accept_context(ws2__bsock_t *s, const char *optval,
                                 int optlen) {
  SOCKET h;
  ws2__bsock_t *l;
  if (!optval || optlen < (int)sizeof(SOCKET)) return WSAEFAULT;
  memcpy(&h, optval, sizeof(h));
  if (!(l = ws2__bsock_get(h))) return WSAENOTSOCK;
  ws2__bsp_sockopt_inherit(l, s);
  ws2__bsock_unref(l);
  return 0;
}

static int set_linger(ws2__bsock_t *s, int name, const char *optval,
                      int optlen) {
  struct linger l;
  socklen_t n = sizeof(l);
  if (!is_stream(s)) return WSAENOPROTOOPT;
  if (name == WS_SO_LINGER) {
    struct WS_linger w;
    if (!optval || optlen < (int)sizeof(w)) return WSAEFAULT;
    memcpy(&w, optval, sizeof(w));
    l.l_onoff = w.l_onoff != 0;
    l.l_linger = w.l_linger;
  } else {
    /* SO_DONTLINGER: l_onoff is its inverse; l_linger is kept. */
    DWORD v;
    int r = in_dword(optval, optlen, 1, &v);
    if (r) return r;
    if (getsockopt(s->fd, SOL_SOCKET, SO_LINGER, &l, &n) != 0) return lerr();
    l.l_onoff = !v;
  }
  return lset(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

static int set_sol_socket(ws2__bsock_t *s, int name, const char *optval,
                          int optlen) {
  DWORD v;
  int r;

  switch (name) {
    case WS_SO_DEBUG: /* Microsoft's providers output nothing: recorded */
      return set_flag_bool(s, WS2__BS_DEBUG, optval, optlen, 0);
    case WS_SO_REUSEADDR:
    case WS_SO_EXCLUSIVEADDRUSE:
      if ((r = in_dword(optval, optlen, 1, &v)) != 0) return r;
      return set_reuse(s, name == WS_SO_EXCLUSIVEADDRUSE, v != 0);
    case WS_SO_DONTROUTE:
      if (s->af == WS_AF_INET6) return WSAENOPROTOOPT;
      return set_flag_bool(s, WS2__BS_DONTROUTE, optval, optlen, 0);
    case WS_SO_USELOOPBACK:
    case WS_SO_SNDLOWAT:
    case WS_SO_RCVLOWAT:
      return WSAEINVAL;
    case WS_SO_LINGER:
    case WS_SO_DONTLINGER:
      return set_linger(s, name, optval, optlen);
    case WS_SO_OOBINLINE:
      if (!is_stream(s)) return WSAENOPROTOOPT;
      if ((r = in_dword(optval, optlen, 1, &v)) != 0) return r;
      pthread_mutex_lock(&s->lock);
      r = lset_int(s, SOL_SOCKET, SO_OOBINLINE, v != 0);
      if (r == 0) {
        if (v)
          s->flags |= WS2__BS_OOBINLINE;
        else
          s->flags &= ~(uint32_t)WS2__BS_OOBINLINE;
      }
      pthread_mutex_unlock(&s->lock);
      return r;
    case WS_SO_SNDBUF:
    case WS_SO_RCVBUF:
      if ((r = in_dword(optval, optlen, 0, &v)) != 0) return r;
      if ((int)v < 0) return WSAEINVAL;
      r = lset_int(s, SOL_SOCKET, name == WS_SO_SNDBUF ? SO_SNDBUF : SO_RCVBUF,
                   (int)v);
      if (r == 0)
        flag_put(s,
                 name == WS_SO_SNDBUF ? WS2__BS_SNDBUF_SET : WS2__BS_RCVBUF_SET,
                 1);
      return r;
    case WS_SO_SNDTIMEO:
    case WS_SO_RCVTIMEO:
      /* DWORD milliseconds; 0 is no timeout. The blocking calls of the
       * provider wait that long (the Linux fd itself never blocks). */
      if ((r = in_dword(optval, optlen, 0, &v)) != 0) return r;
      pthread_mutex_lock(&s->lock);
      __atomic_store_n(name == WS_SO_SNDTIMEO ? &s->sndtimeo : &s->rcvtimeo, v,
                       __ATOMIC_RELAXED);
      pthread_mutex_unlock(&s->lock);
      return 0;
    case WS_SO_UPDATE_ACCEPT_CONTEXT:
      return update_accept_context(s, optval, optlen);
    case WS_SO_UPDATE_CONNECT_CONTEXT:
      /* Called with (NULL, 0) after ConnectEx; the connection's state is
       * already the socket's own. */
      return 0;
    case WS_SO_CONDITIONAL_ACCEPT:
      if (!is_stream(s)) return WSAENOPROTOOPT;
      if ((r = in_dword(optval, optlen, 1, &v)) != 0) return r;
      pthread_mutex_lock(&s->lock);
      if (s->flags & WS2__BS_LISTENING) {
        r = WSAEINVAL; /* it must be set before listen */
      } else if (v) {
        s->flags |= WS2__BS_CONDACCEPT;
      } else {
        s->flags &= ~(uint32_t)WS2__BS_CONDACCEPT;
      }
      pthread_mutex_unlock(&s->lock);
      return r;
    case WS_SO_RANDOMIZE_PORT: /* Linux always randomises: recorded */
      return set_flag_bool(s, WS2__BS_RANDPORT, optval, optlen, 0);
    case WS_SO_PORT_SCALABILITY: /* no Linux counterpart: recorded */
      return set_flag_bool(s, WS2__BS_PORTSCALE, optval, optlen, 0);
    case WS_SO_ACCEPTCONN:
    case WS_SO_TYPE:
    case WS_SO_ERROR:
    case WS_SO_PROTOCOL_INFOA:
    case WS_SO_PROTOCOL_INFOW:
    case WS_SO_MAX_MSG_SIZE:
    case WS_SO_MAXDG:
    case WS_SO_CONNECT_TIME:
    case WS_SO_BSP_STATE:
    case WS_SO_GROUP_ID:
    case WS_SO_GROUP_PRIORITY:
    default:
      return WSAENOPROTOOPT;
  }
}

static int set_tcp(ws2__bsock_t *s, int name, const char *optval, int optlen) {
  DWORD v;
  int r;
  switch (name) {
    case WS_TCP_EXPEDITED_1122: /* Linux's urgent data is BSD's: recorded */
      return set_flag_bool(s, WS2__BS_EXPEDITED, optval, optlen, 0);
    case WS_TCP_BSDURGENT:
      return set_flag_bool(s, WS2__BS_EXPEDITED, optval, optlen, 1);
    case WS_TCP_TIMESTAMPS: /* Linux decides per system: recorded */
      return set_flag_bool(s, WS2__BS_TIMESTAMPS, optval, optlen, 0);
    case WS_TCP_FASTOPEN:
      /* A listener takes Linux's server-side queue, any other socket
       * sends its first data in the SYN (TCP_FASTOPEN_CONNECT). */
      if ((r = in_dword(optval, optlen, 1, &v)) != 0) return r;
      if (flags_of(s) & WS2__BS_LISTENING)
        return lset_int(s, IPPROTO_TCP, TCP_FASTOPEN, v ? SOMAXCONN : 0);
      return lset_int(s, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, v != 0);
    case WS_TCP_MAXRT:
    case WS_TCP_MAXRTMS: {
      unsigned long long ms;
      if ((r = in_dword(optval, optlen, 0, &v)) != 0) return r;
      if (v == 0xFFFFFFFFu)
        ms = INT_MAX;
      else
        ms = name == WS_TCP_MAXRT ? (unsigned long long)v * 1000 : v;
      if (ms > INT_MAX) ms = INT_MAX;
      return lset_int(s, IPPROTO_TCP, TCP_USER_TIMEOUT, (int)ms);
    }
    case WS_TCP_ATMARK:
    default:
      return WSAENOPROTOOPT;
  }
}

static int set_udp(ws2__bsock_t *s, int name, const char *optval, int optlen) {
  DWORD v;
  int r;
  switch (name) {
    case WS_UDP_NOCHECKSUM:
      if ((r = in_dword(optval, optlen, 1, &v)) != 0) return r;
      if (s->af == WS_AF_INET)
        return lset_int(s, SOL_SOCKET, SO_NO_CHECK, v != 0);
      return lset_int(s, IPPROTO_UDP, UDP_NO_CHECK6_TX, v != 0);
    case WS_UDP_SEND_MSG_SIZE:
      if ((r = in_dword(optval, optlen, 0, &v)) != 0) return r;
      if (v > 0xFFFF) return WSAEINVAL;
      return lset_int(s, IPPROTO_UDP, UDP_SEGMENT, (int)v);
    default:
      /* UDP_CHECKSUM_COVERAGE is UDP-Lite's (Linux: IPPROTO_UDPLITE
       * sockets only); receive coalescing needs control data ws2 does
       * not translate. */
      return WSAENOPROTOOPT;
  }
}

static int set_ip(ws2__bsock_t *s, int name, const char *optval, int optlen) {
  DWORD v;
  int r, lv;
  if (is_mcast_name(name))
    return set_mcast(s, WS_IPPROTO_IP, name, optval, optlen);
  switch (name) {
    case WS_IP_OPTIONS:
      if (optlen < 0 || (optlen > 0 && !optval)) return WSAEFAULT;
      return lset(s, IPPROTO_IP, IP_OPTIONS, optval, (socklen_t)optlen);
    case WS_IP_MULTICAST_IF: {
      struct ip_mreqn m;
      if ((r = in_dword(optval, optlen, 0, &v)) != 0) return r;
      memset(&m, 0, sizeof(m));
      if ((m.imr_ifindex = v4_ifindex(v)) == 0) m.imr_address.s_addr = v;
      return lset(s, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m));
    }
    case WS_IP_ADD_MEMBERSHIP:
    case WS_IP_DROP_MEMBERSHIP:
      return set_ip_membership(s, name, optval, optlen);
    case WS_IP_ADD_SOURCE_MEMBERSHIP:
    case WS_IP_DROP_SOURCE_MEMBERSHIP:
    case WS_IP_BLOCK_SOURCE:
    case WS_IP_UNBLOCK_SOURCE:
      return set_ip_source(s, name, optval, optlen);
    case WS_IP_DONTFRAGMENT:
      if ((r = in_dword(optval, optlen, 1, &v)) != 0) return r;
      return lset_int(s, IPPROTO_IP, IP_MTU_DISCOVER,
                      v ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
    case WS_IP_MTU_DISCOVER:
      if ((r = in_dword(optval, optlen, 0, &v)) != 0) return r;
      if ((r = pmtud_to_linux(v, &lv)) != 0) return r;
      return lset_int(s, IPPROTO_IP, IP_MTU_DISCOVER, lv);
    default:
      return WSAENOPROTOOPT;
  }
}

static int set_ipv6(ws2__bsock_t *s, int name, const char *optval, int optlen) {
  DWORD v;
  int r, lv;
  if (is_mcast_name(name))
    return set_mcast(s, WS_IPPROTO_IPV6, name, optval, optlen);
  switch (name) {
    case WS_IPV6_ADD_MEMBERSHIP:
    case WS_IPV6_DROP_MEMBERSHIP: {
      struct ipv6_mreq m; /* the same 20 bytes on both systems */
      if (!optval || optlen < (int)sizeof(IPV6_MREQ)) return WSAEFAULT;
      memcpy(&m, optval, sizeof(m));
      return lset(s, IPPROTO_IPV6,
                  name == WS_IPV6_ADD_MEMBERSHIP ? IPV6_ADD_MEMBERSHIP
                                                 : IPV6_DROP_MEMBERSHIP,
                  &m, sizeof(m));
    }
    case WS_IPV6_UNICAST_IF:
      if ((r = in_dword(optval, optlen, 0, &v)) != 0) return r;
      return lset_int(s, IPPROTO_IPV6, IPV6_UNICAST_IF, (int)htonl(v));
    case WS_IPV6_MTU_DISCOVER:
      if ((r = in_dword(optval, optlen, 0, &v)) != 0) return r;
      if ((r = pmtud_to_linux(v, &lv)) != 0) return r;
      return lset_int(s, IPPROTO_IPV6, IPV6_MTU_DISCOVER, lv);
    default:
      return WSAENOPROTOOPT;
  }
}

int ws2__bsp_setsockopt(ws2__bsock_t *s, int level, int optname,
                        const char *optval, int optlen) {
  const struct simple_opt *o;
  int r;

  if ((r = level_check(s, level)) != 0) return r;
  if ((o = simple_find(level, optname)) != NULL)
    return simple_set(s, o, optval, optlen);
  switch (level) {
    case WS_SOL_SOCKET:
      return set_sol_socket(s, optname, optval, optlen);
    case WS_IPPROTO_TCP:
      return set_tcp(s, optname, optval, optlen);
    case WS_IPPROTO_UDP:
      return set_udp(s, optname, optval, optlen);
    case WS_IPPROTO_IP:
      return set_ip(s, optname, optval, optlen);
    default:
      return set_ipv6(s, optname, optval, optlen);
  }
}

/* ---- defaults -------------------------------------------------------- */

/*
 * Windows' defaults that Linux's differ from, on a socket WSPSocket has
 * just made (an accepted socket inherits them from its listener in the
 * kernel, so accept need not call this):
 *  - TCP: Linux SO_REUSEADDR, so that a port with connections in
 *    TIME_WAIT can be bound again, as on Windows (see set_reuse);
 *    keep-alive probes every second, ten of them, Windows' values
 *    (KeepAliveInterval 1000 ms; 10 probes since Vista) where Linux has
 *    75 s and 9. The idle time, 2 hours, is the same.
 *  - IPv6: IPV6_V6ONLY on, Windows' default (Linux's is off).
 * Best effort: a failure leaves Linux's default.
 */
void ws2__bsp_sockopt_defaults(ws2__bsock_t *s) {
  int one = 1, intvl = 1, cnt = 10;
  if (is_tcp(s)) {
    (void)setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    (void)setsockopt(s->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    (void)setsockopt(s->fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
  }
  if (s->af == WS_AF_INET6)
    (void)setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  /* Windows reports an ICMP port unreachable to a UDP socket, connected
   * or not, as WSAECONNRESET on its next receive (SIO_UDP_CONNRESET, on
   * by default); Linux tells unconnected sockets only with RECVERR. */
  if (s->type == WS_SOCK_DGRAM && s->af == WS_AF_INET)
    (void)setsockopt(s->fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
  if (s->type == WS_SOCK_DGRAM && s->af == WS_AF_INET6)
    (void)setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
}
