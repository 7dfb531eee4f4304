/*
 * ioctl.c: WSPIoctl of the base provider, one table row per control code.
 *
 * Every call goes through the same checks before a code's own function
 * runs, in this order, as Windows makes them:
 *   1. an unknown code: WSAEINVAL;
 *   2. a non-overlapped call without lpcbBytesReturned: WSAEFAULT;
 *   3. a code that reads input (IOC_IN) without in_min bytes of it, or
 *      writes output (IOC_OUT) without out_min bytes of room: WSAEFAULT
 *      (WSAEINVAL for the codes whose pages say so: SHORT_EINVAL);
 *   4. a code on a socket it does not apply to: the code's error
 *      (WSAENOPROTOOPT, as the WSAIoctl page says for SIO_KEEPALIVE_VALS on
 *      a datagram socket, or WSAEINVAL).
 * A code answered at once, called overlapped, returns 0 and is notified
 * as an immediate success through the core's completion rule (event,
 * completion routine or port packet, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
 * honoured); one that waits for a change (ADDRESS_LIST_CHANGE,
 * ROUTING_INTERFACE_CHANGE, IDEAL_SEND_BACKLOG_CHANGE) returns
 * WSA_IO_PENDING, or blocks, or says WSAEWOULDBLOCK on a non-blocking
 * socket, as its page says. docs/STATUS.md lists every code.
 */
#include "provider/base/bsp.h"

#include "core/alloc.h"
#include "core/error.h"
#include "provider/base/engine.h"
#include "provider/base/netwatch.h"
#include "provider/base/ops.h"
#include "provider/base/portres.h"

#include <mstcpip.h>
#include <mswsock.h>
#include <ws2tcpip.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct ioctl_call {
  ws2__bsock_t *s;
  DWORD needed; /* a variable-size output's full size (short: WSAEFAULT) */
  DWORD code;
  void *in;
  DWORD cbin;
  void *out;
  DWORD cbout;
  DWORD ret; /* output bytes written (what *lpcbBytesReturned reports) */
  LPWSAOVERLAPPED ovl;
  LPWSAOVERLAPPED_COMPLETION_ROUTINE cr;
} ioctl_call_t;

/* Returns 0 (done: c->ret set), WSA_IO_PENDING, or a WSA error. */
typedef int (*ioctl_fn)(ioctl_call_t *c);

/* ioctl_code_t.rules */
#define STREAM_ONLY 0x01  /* others: WSAENOPROTOOPT */
#define DGRAM_ONLY 0x02   /* others: WSAEINVAL */
#define IP_ONLY 0x04      /* AF_INET / AF_INET6 only: WSAEINVAL */
#define SHORT_EINVAL 0x08 /* a short buffer is WSAEINVAL, not WSAEFAULT */

typedef struct ioctl_code {
  DWORD code;
  DWORD in_min;  /* bytes of input it needs (IOC_IN codes) */
  DWORD out_min; /* bytes of output it writes at least (IOC_OUT codes) */
  unsigned rules;
  ioctl_fn run;
} ioctl_code_t;

static uint32_t flags_of(ioctl_call_t *c) { return atomic_load(&c->s->flags); }

static void flags_change(ws2__bsock_t *s, uint32_t set, uint32_t clear) {
  pthread_mutex_lock(&s->lock);
  s->flags = (s->flags | set) & ~clear;
  pthread_mutex_unlock(&s->lock);
}

/* A DWORD (or BOOL, u_long) of input. */
static DWORD in_dword(ioctl_call_t *c) {
  DWORD v;
  memcpy(&v, c->in, sizeof(v));
  return v;
}

static int out_bytes(ioctl_call_t *c, const void *v, DWORD n) {
  memcpy(c->out, v, n);
  c->ret = n;
  return 0;
}

/* ---- The classic three ------------------------------------------------ */

static int do_fionbio(ioctl_call_t *c) {
  DWORD on = in_dword(c);
  /* Back to blocking needs WSAEventSelect / WSAAsyncSelect cancelled. */
  if (!on && atomic_load(&c->s->ev_mask)) return WSAEINVAL;
  flags_change(c->s, on ? WS2__BS_NONBLOCKING : 0,
               on ? 0 : WS2__BS_NONBLOCKING);
  return 0;
}

/* The bytes of every datagram queued on a datagram socket, as Windows
 * counts them: Linux's FIONREAD gives the first one's only, so they are
 * peeked one after the other with a peek offset (SO_PEEK_OFF: UDP since
 * Linux 6.x walks the queue with it), the offset turned off again after.
 * Returns -1 where the kernel cannot (then the first datagram's size is
 * what there is). */
static long datagram_bytes(ws2__bsock_t *s) {
  long total = 0;
  int on = 0, off = -1;
  char b;
  if (setsockopt(s->fd, SOL_SOCKET, SO_PEEK_OFF, &on, sizeof(on)) != 0)
    return -1;
  for (;;) {
    /* EAGAIN ends the queue; so does a zero-length datagram, which the
     * offset cannot move past (what follows it is not counted). */
    ssize_t n = recv(s->fd, &b, 1, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (n <= 0) break;
    total += n;
  }
  (void)setsockopt(s->fd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off));
  return total;
}

/* Stream: the bytes queued. Datagram: all the bytes queued, not the
 * first datagram's size, as the page says. */
static int do_fionread(ioctl_call_t *c) {
  int v = 0;
  long total = -1;
  WS_u_long n;
  if (flags_of(c) & WS2__BS_LISTENING) return WSAEINVAL;
  if (c->s->type != WS_SOCK_STREAM) {
    pthread_mutex_lock(&c->s->lock); /* receives queued meanwhile wait */
    total = datagram_bytes(c->s);
    pthread_mutex_unlock(&c->s->lock);
  }
  if (total < 0 && ioctl(c->s->fd, FIONREAD, &v) != 0) v = 0;
  n = total >= 0 ? (WS_u_long)total : (WS_u_long)v;
  if (n > 0) ws2__bsock_hint_ready(c->s, 1, 0);
  return out_bytes(c, &n, sizeof(n));
}

/* TRUE when no out-of-band data waits to be read inline (SO_OOBINLINE);
 * without SO_OOBINLINE, always TRUE (urgent data is read with MSG_OOB). */
static int do_siocatmark(ioctl_call_t *c) {
  int at = 0;
  WS_u_long v = TRUE;
  if (c->s->type != WS_SOCK_STREAM) return WSAEINVAL;
  if (flags_of(c) & WS2__BS_OOBINLINE) {
    if (ioctl(c->s->fd, SIOCATMARK, &at) != 0) at = 0;
    v = at ? FALSE : TRUE;
  }
  return out_bytes(c, &v, sizeof(v));
}

/* ---- Handles and extension functions --------------------------------- */

static int do_extension(ioctl_call_t *c) {
  void *fn = ws2__bsp_extension((const GUID *)c->in);
  if (!fn) return WSAEINVAL; /* an unknown GUID */
  return out_bytes(c, &fn, sizeof(fn));
}

/* SIO_BASE_HANDLE, SIO_BSP_HANDLE(_SELECT/_POLL): the base provider is the
 * bottom of every chain, so its own handle. SIO_QUERY_TARGET_PNP_HANDLE
 * asks a provider for the socket below it; below the base provider there
 * is only the socket itself. */
static int do_handle(ioctl_call_t *c) {
  SOCKET h = c->s->handle;
  if (c->code == SIO_BSP_HANDLE_POLL && c->ovl) return WSAEFAULT;
  return out_bytes(c, &h, sizeof(h));
}

/* SIO_EXT_POLL: how WSAPoll reaches the base provider through a non-IFS
 * layer that polls its own handles (it answered SIO_BSP_HANDLE_POLL with
 * them): the layer puts its sockets below in the WSAPOLLDATA and passes
 * it down; here every fdArray entry is a base socket. In: a WSAPOLLDATA
 * of fds entries; out (the same buffer, or another as long): it, with
 * result and the revents filled in. Never overlapped. */
static int do_ext_poll(ioctl_call_t *c) {
  WSAPOLLDATA *d = c->in;
  size_t need;
  int r, err = 0;
  if (c->ovl || c->cr) return WSAEINVAL;
  need = sizeof(WSAPOLLDATA) + (size_t)d->fds * sizeof(WSAPOLLFD);
  if (c->cbin < need || !c->out || c->cbout < need) return WSAEFAULT;
  if (c->out != c->in) memmove(c->out, d, need);
  d = c->out;
  if ((r = ws2__bsp_poll(d->fdArray, d->fds, d->timeout, &err)) == SOCKET_ERROR)
    return err;
  d->result = r;
  c->ret = (DWORD)need;
  return 0;
}

/* ---- TCP and UDP settings --------------------------------------------- */

static int set_opt(ioctl_call_t *c, int level, int name, int v) {
  return ws2__bsp_setsockopt(c->s, level, name, (const char *)&v, sizeof(v));
}

/* Milliseconds onto the kernel's seconds, rounded up, at least 1. */
static int ms_to_s(WS_u_long ms) { return ms ? (int)((ms + 999) / 1000) : 1; }

static int do_keepalive_vals(ioctl_call_t *c) {
  struct tcp_keepalive ka;
  int r;
  memcpy(&ka, c->in, sizeof(ka));
  if ((r = set_opt(c, WS_SOL_SOCKET, WS_SO_KEEPALIVE, ka.onoff != 0)) != 0)
    return r;
  if (!ka.onoff) return 0;
  if ((r = set_opt(c, WS_IPPROTO_TCP, WS_TCP_KEEPIDLE,
                   ms_to_s(ka.keepalivetime))) != 0)
    return r;
  if ((r = set_opt(c, WS_IPPROTO_TCP, WS_TCP_KEEPINTVL,
                   ms_to_s(ka.keepaliveinterval))) != 0)
    return r;
  /* Windows since Vista sends 10 probes. */
  return set_opt(c, WS_IPPROTO_TCP, WS_TCP_KEEPCNT, 10);
}

static int do_udp_connreset(ioctl_call_t *c) {
  if (in_dword(c))
    flags_change(c->s, 0, WS2__BS_NO_CONNRESET);
  else
    flags_change(c->s, WS2__BS_NO_CONNRESET, 0);
  return 0;
}

static int do_multicast_scope(ioctl_call_t *c) {
  return c->s->af == WS_AF_INET6
             ? set_opt(c, WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_HOPS,
                       (int)in_dword(c))
             : set_opt(c, WS_IPPROTO_IP, WS_IP_MULTICAST_TTL, (int)in_dword(c));
}

static int do_multipoint_loopback(ioctl_call_t *c) {
  return c->s->af == WS_AF_INET6
             ? set_opt(c, WS_IPPROTO_IPV6, WS_IPV6_MULTICAST_LOOP,
                       in_dword(c) != 0)
             : set_opt(c, WS_IPPROTO_IP, WS_IP_MULTICAST_LOOP,
                       in_dword(c) != 0);
}

/* The limited broadcast address, for sendto on an IPv4 datagram socket
 * (netwatch.c); IPv6 has no broadcast: WSAENOPROTOOPT, as the WSAIoctl
 * page says. */
static int do_broadcast_address(ioctl_call_t *c) {
  int len = (int)c->cbout, r;
  if (c->s->af != WS_AF_INET) return WSAENOPROTOOPT;
  r = ws2__net_broadcast_address(c->s->af, (struct WS_sockaddr *)c->out, &len,
                                 &c->needed);
  if (r == 0) c->ret = (DWORD)len;
  return r;
}

/* A stable 64-bit id for the endpoint: the kernel's socket cookie. */
static int do_endpoint_handle(ioctl_call_t *c) {
  uint64_t cookie = 0;
  socklen_t len = sizeof(cookie);
  if (getsockopt(c->s->fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) != 0)
    return ws2__errno_to_wsa(errno);
  return out_bytes(c, &cookie, sizeof(cookie));
}

/* Whether receive-side scaling is on: some interface other than loopback
 * has more than one receive queue. */
static int do_rss_info(ioctl_call_t *c) {
  RSS_SCALABILITY_INFO info;
  DIR *d = opendir("/sys/class/net");
  struct dirent *e;
  memset(&info, 0, sizeof(info));
  while (d && (e = readdir(d)) != NULL && !info.RssEnabled) {
    char path[300];
    DIR *q;
    struct dirent *qe;
    int rx = 0;
    if (e->d_name[0] == '.' || strcmp(e->d_name, "lo") == 0) continue;
    snprintf(path, sizeof(path), "/sys/class/net/%s/queues", e->d_name);
    if (!(q = opendir(path))) continue;
    while ((qe = readdir(q)) != NULL)
      if (strncmp(qe->d_name, "rx-", 3) == 0) rx++;
    closedir(q);
    if (rx > 1) info.RssEnabled = TRUE;
  }
  if (d) closedir(d);
  return out_bytes(c, &info, sizeof(info));
}

/* Vista's behaviour (TargetOsVersion NTDDI_VISTA) for receive buffering
 * and auto-tuning is a fixed receive buffer: setting SO_RCVBUF turns the
 * kernel's auto-tuning off for the socket. Later versions are the
 * default; earlier ones have no such behaviour to ask for (WSAEINVAL). */
#define NTDDI_VISTA_ 0x06000000u
static int do_compat_mode(ioctl_call_t *c) {
  WSA_COMPATIBILITY_MODE m;
  int size = 0;
  socklen_t len = sizeof(size);
  memcpy(&m, c->in, sizeof(m));
  if (m.BehaviorId != WsaBehaviorAll &&
      m.BehaviorId != WsaBehaviorReceiveBuffering &&
      m.BehaviorId != WsaBehaviorAutoTuning)
    return WSAEINVAL;
  if (m.TargetOsVersion < NTDDI_VISTA_) return WSAEINVAL;
  if ((m.TargetOsVersion & 0xFFFF0000u) != NTDDI_VISTA_) return 0;
  if (c->s->type != WS_SOCK_STREAM) return 0; /* TCP behaviours */
  if (getsockopt(c->s->fd, SOL_SOCKET, SO_RCVBUF, &size, &len) != 0)
    return ws2__errno_to_wsa(errno);
  /* Linux reports twice what was set; set what it reports, halved. */
  if (setsockopt(c->s->fd, SOL_SOCKET, SO_RCVBUF, &(int){size / 2},
                 sizeof(int)) != 0)
    return ws2__errno_to_wsa(errno);
  return 0;
}

/* What Windows' TCP would keep queued to fill the path: the congestion
 * window in bytes, from the kernel's TCP_INFO. */
static int ideal_backlog(ws2__bsock_t *s, ULONG *out) {
  struct tcp_info ti;
  socklen_t len = sizeof(ti);
  if (!(atomic_load(&s->flags) & WS2__BS_CONNECTED)) return WSAENOTCONN;
  memset(&ti, 0, sizeof(ti));
  if (getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
    return ws2__errno_to_wsa(errno);
  *out = (ULONG)ti.tcpi_snd_cwnd * (ti.tcpi_snd_mss ? ti.tcpi_snd_mss : 1460);
  if (*out < 65536) *out = 65536; /* Windows never advises less than 64 KiB */
  return 0;
}

static int do_ideal_backlog_query(ioctl_call_t *c) {
  ULONG v = 0;
  int r = ideal_backlog(c->s, &v);
  return r ? r : out_bytes(c, &v, sizeof(v));
}

/* ---- Port reservations (portres.c) ----------------------------------- */

/* The three codes only read input (_WSAIOW); ACQUIRE still writes its
 * INET_PORT_RESERVATION_INSTANCE, and a missing or short output buffer is
 * WSAEINVAL, as its page says. TCP and UDP sockets only: WSAEOPNOTSUPP. */
static int port_socket_ok(ioctl_call_t *c) {
  return c->s->type == WS_SOCK_STREAM || c->s->type == WS_SOCK_DGRAM;
}

static int do_port_acquire(ioctl_call_t *c) {
  INET_PORT_RANGE in;
  INET_PORT_RESERVATION_INSTANCE out;
  int r;
  if (!port_socket_ok(c)) return WSAEOPNOTSUPP;
  if (!c->out || c->cbout < sizeof(out)) return WSAEINVAL;
  memcpy(&in, c->in, sizeof(in));
  if ((r = ws2__portres_acquire(c->s, &in, &out)) != 0) return r;
  return out_bytes(c, &out, sizeof(out));
}

static int do_port_release(ioctl_call_t *c) {
  ULONG64 token;
  if (!port_socket_ok(c)) return WSAEOPNOTSUPP;
  memcpy(&token, c->in, sizeof(token)); /* the caller's may be unaligned */
  return ws2__portres_release(c->s, token);
}

static int do_port_associate(ioctl_call_t *c) {
  ULONG64 token;
  if (!port_socket_ok(c)) return WSAEOPNOTSUPP;
  memcpy(&token, c->in, sizeof(token));
  return ws2__portres_associate(c->s, token);
}

/* ---- What a socket keeps for its control codes ------------------------ */

struct ws2__fdwatch;
struct ws2__bsock_ioctl {
  /* SIO_RCVALL: the socket's own raw socket while a packet socket stands
   * in its place (-1: none). */
  int rcvall_saved_fd;
  /* FD_ADDRESS_LIST_CHANGE / FD_ROUTING_INTERFACE_CHANGE watches made by
   * the change codes on a non-blocking socket. */
  struct ws2__fdwatch *fdwatch[2];
};

/* s's state, made on first use; s->lock held. NULL: no memory. */
static struct ws2__bsock_ioctl *state_locked(ws2__bsock_t *s) {
  struct ws2__bsock_ioctl *st = s->ioctl_state;
  if (!st && (st = ws2__calloc(1, sizeof(*st))) != NULL) {
    st->rcvall_saved_fd = -1;
    s->ioctl_state = st;
  }
  return st;
}

void ws2__bsp_ioctl_destroy(ws2__bsock_t *s) {
  struct ws2__bsock_ioctl *st = s->ioctl_state;
  if (!st) return;
  if (st->rcvall_saved_fd >= 0) close(st->rcvall_saved_fd);
  ws2__free(st); /* the watches went at closing */
  s->ioctl_state = NULL;
}

/* ---- SIO_RCVALL --------------------------------------------------------- */

/* The interface that holds the socket's bound address: its index, or 0. */
static unsigned bound_ifindex(ws2__bsock_t *s, int *family) {
  struct sockaddr_storage sa;
  socklen_t len = sizeof(sa);
  struct ifaddrs *ifs, *i;
  unsigned idx = 0;
  if (getsockname(s->fd, (struct sockaddr *)&sa, &len) != 0) return 0;
  *family = sa.ss_family;
  if (sa.ss_family == AF_INET &&
      ((struct sockaddr_in *)&sa)->sin_addr.s_addr == htonl(INADDR_ANY))
    return 0; /* not bound to an interface's address */
  if (sa.ss_family == AF_INET6 &&
      IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&sa)->sin6_addr))
    return 0;
  if (getifaddrs(&ifs) != 0) return 0;
  for (i = ifs; i && !idx; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != sa.ss_family) continue;
    if (sa.ss_family == AF_INET
            ? ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr ==
                  ((struct sockaddr_in *)&sa)->sin_addr.s_addr
            : memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
                     &((struct sockaddr_in6 *)&sa)->sin6_addr, 16) == 0)
      idx = if_nametoindex(i->ifa_name);
  }
  freeifaddrs(ifs);
  return idx;
}

/*
 * RCVALL_ON / RCVALL_IPLEVEL: the raw socket receives every IP packet of
 * the interface its address belongs to, IP header first, as on Windows. A
 * Linux packet socket (AF_PACKET, SOCK_DGRAM: no link header) bound to
 * that interface takes the socket's place (the raw socket is kept aside;
 * RCVALL_ON also turns promiscuous mode on, RCVALL_IPLEVEL does not).
 * RCVALL_OFF puts the raw socket back. The socket must be raw and bound to
 * an explicit address (WSAEINVAL otherwise); RCVALL_SOCKETLEVELONLY is not
 * implemented on Windows either (WSAEINVAL).
 */
static int do_rcvall(ioctl_call_t *c) {
  ws2__bsock_t *s = c->s;
  struct ws2__bsock_ioctl *st;
  DWORD mode = in_dword(c);
  int family = 0, pfd, r = 0;
  unsigned idx;
  if (s->type != WS_SOCK_RAW) return WSAEINVAL;
  if (mode != RCVALL_OFF && mode != RCVALL_ON && mode != RCVALL_IPLEVEL)
    return WSAEINVAL;
  pthread_mutex_lock(&s->lock);
  if (!(st = state_locked(s))) {
    pthread_mutex_unlock(&s->lock);
    return WSAENOBUFS;
  }
  if (mode == RCVALL_OFF) {
    if (st->rcvall_saved_fd >= 0) {
      if (dup3(st->rcvall_saved_fd, s->fd, O_CLOEXEC) < 0)
        r = ws2__errno_to_wsa(errno);
      else {
        close(st->rcvall_saved_fd);
        st->rcvall_saved_fd = -1;
        s->engine->ops->fd_changed(s->engine, s);
      }
    }
    pthread_mutex_unlock(&s->lock);
    return r;
  }
  if (!(idx = bound_ifindex(s, &family))) {
    pthread_mutex_unlock(&s->lock);
    return WSAEINVAL;
  }
  pfd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
               htons(family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP));
  if (pfd < 0) {
    pthread_mutex_unlock(&s->lock);
    return errno == EPERM ? WSAEACCES : ws2__errno_to_wsa(errno);
  }
  {
    struct sockaddr_ll ll;
    memset(&ll, 0, sizeof(ll));
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP);
    ll.sll_ifindex = (int)idx;
    if (bind(pfd, (struct sockaddr *)&ll, sizeof(ll)) != 0)
      r = ws2__errno_to_wsa(errno);
  }
  if (!r && mode == RCVALL_ON) {
    struct packet_mreq mr;
    memset(&mr, 0, sizeof(mr));
    mr.mr_ifindex = (int)idx;
    mr.mr_type = PACKET_MR_PROMISC;
    (void)setsockopt(pfd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
  }
  if (!r && st->rcvall_saved_fd < 0 &&
      (st->rcvall_saved_fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0)) < 0)
    r = ws2__errno_to_wsa(errno);
  if (!r && dup3(pfd, s->fd, O_CLOEXEC) < 0) r = ws2__errno_to_wsa(errno);
  if (!r) s->engine->ops->fd_changed(s->engine, s);
  pthread_mutex_unlock(&s->lock);
  close(pfd);
  return r;
}

/* ---- Codes that wait for a change -------------------------------------- */

/*
 * A change request (SIO_IDEAL_SEND_BACKLOG_CHANGE; the address and route
 * ones join with netwatch.c) is a core request that completes, with no
 * output, when what it watches changes; CancelIoEx and closesocket end it
 * with WSA_OPERATION_ABORTED. Called without an OVERLAPPED on a blocking
 * socket, it waits (closesocket interrupts it: WSAEINTR); on a
 * non-blocking one it says WSAEWOULDBLOCK, as the pages say.
 */
enum { NOTIFY_ISB = 1, NOTIFY_ADDR, NOTIFY_ROUTE };

typedef struct notify_req notify_req_t;
struct notify_req {
  ws2__req_t req;
  int kind;
  ws2__bsock_t *s;        /* the request's socket (its io reference keeps it) */
  ULONG isb;              /* NOTIFY_ISB: the value when it was issued */
  ws2__net_watch_t watch; /* NOTIFY_ADDR, NOTIFY_ROUTE */
  notify_req_t *next;     /* on the backlog watcher's list */
};

/* The ideal send backlog has no kernel event: one thread looks at the
 * sockets with a request waiting every ISB_PERIOD_MS while there are any
 * (and sleeps otherwise). */
#define ISB_PERIOD_MS 50
static pthread_mutex_t isb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t isb_cond = PTHREAD_COND_INITIALIZER;
static notify_req_t *isb_list;
static int isb_thread_started;

/* Takes n off the watcher's list: 1 if it was there (the caller completes
 * it), 0 if someone already did. */
static int isb_unlist(notify_req_t *n) {
  notify_req_t **pp;
  int found = 0;
  pthread_mutex_lock(&isb_lock);
  for (pp = &isb_list; *pp; pp = &(*pp)->next)
    if (*pp == n) {
      *pp = n->next;
      found = 1;
      break;
    }
  pthread_mutex_unlock(&isb_lock);
  return found;
}

/* Whether n's socket's backlog moved (looked at with the socket pinned:
 * a socket closing is left to its cancellation). */
static int isb_moved(notify_req_t *n) {
  ws2__bsock_t *s = ws2__bsock_get(n->s->handle);
  ULONG v = n->isb;
  if (!s) return 0;
  if (s == n->s) ideal_backlog(s, &v);
  ws2__bsock_unref(s);
  return v != n->isb;
}

static void *isb_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&isb_lock);
  for (;;) {
    notify_req_t *n, *due = NULL;
    struct timespec ts;
    while (!isb_list) pthread_cond_wait(&isb_cond, &isb_lock);
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ISB_PERIOD_MS * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&isb_cond, &isb_lock, &ts);
    /* Collect the moved ones (each referenced), complete them unlocked. */
    for (n = isb_list; n; n = n->next) ws2__req_ref(&n->req);
    n = isb_list;
    pthread_mutex_unlock(&isb_lock);
    while (n) {
      notify_req_t *next;
      pthread_mutex_lock(&isb_lock);
      next = n->next;
      pthread_mutex_unlock(&isb_lock);
      if (isb_moved(n) && isb_unlist(n)) {
        n->next = due;
        due = n;
      } else {
        ws2__req_unref(&n->req);
      }
      n = next;
    }
    while ((n = due) != NULL) {
      due = n->next;
      ws2__req_complete(&n->req, 0, 0, 0, 0);
      ws2__req_unref(&n->req);
    }
    pthread_mutex_lock(&isb_lock);
  }
  return NULL;
}

static void notify_cancel(ws2__req_t *req, ws2__io_t *io) {
  notify_req_t *n = ws2__container_of(req, notify_req_t, req);
  (void)io;
  if (n->kind == NOTIFY_ISB && !isb_unlist(n)) return; /* completing */
  /* A netwatch callback running now finishes first; none runs after. */
  if (n->kind != NOTIFY_ISB) ws2__net_unwatch(&n->watch);
  ws2__req_complete(req, (NTSTATUS)0xC0000120 /* STATUS_CANCELLED */, 0, 0, 0);
}

/* The change happened: the request completes (one-shot; netwatch does
 * not touch the watcher after this returns 0). */
static int notify_net_fired(ws2__net_watch_t *w, void *ctx) {
  notify_req_t *n = ctx;
  (void)w;
  ws2__req_complete(&n->req, 0, 0, 0, 0);
  return 0;
}

static void notify_free(ws2__req_t *req) {
  ws2__free(ws2__container_of(req, notify_req_t, req));
}

static const ws2__req_ops_t notify_ops = {notify_cancel, notify_free, 0};

/* Starts watching for c's request: WSA_IO_PENDING, or a WSA error with
 * nothing started. */
static int notify_start(ioctl_call_t *c, int kind, LPWSAOVERLAPPED ovl,
                        void *routine) {
  notify_req_t *n = ws2__calloc(1, sizeof(*n));
  int r = 0;
  if (!n) return WSAENOBUFS;
  n->kind = kind;
  n->s = c->s;
  if (kind == NOTIFY_ISB && (r = ideal_backlog(c->s, &n->isb)) != 0) {
    ws2__free(n);
    return r;
  }
  if (ws2__req_init(&n->req, &c->s->io, ovl,
                    routine ? WS2__ROUTINE_WSA : WS2__ROUTINE_NONE, routine,
                    &notify_ops)) {
    ws2__free(n);
    return WSAENOBUFS;
  }
  if (kind != NOTIFY_ISB) {
    r = ws2__net_watch(&n->watch,
                       kind == NOTIFY_ADDR ? WS2__NET_ADDR : WS2__NET_ROUTE,
                       c->s->af, notify_net_fired, n);
    if (r) {
      ws2__req_discard(&n->req, (NTSTATUS)0xC0000001 /* unsuccessful */);
      return r;
    }
    return WSA_IO_PENDING;
  }
  pthread_mutex_lock(&isb_lock);
  if (!isb_thread_started) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, isb_thread, NULL) == 0)
      isb_thread_started = 1;
    pthread_attr_destroy(&attr);
  }
  if (!isb_thread_started) {
    pthread_mutex_unlock(&isb_lock);
    ws2__req_discard(&n->req, (NTSTATUS)0xC000009A /* no resources */);
    return WSAENOBUFS;
  }
  n->next = isb_list;
  isb_list = n;
  pthread_cond_signal(&isb_cond);
  pthread_mutex_unlock(&isb_lock);
  return WSA_IO_PENDING;
}

/*
 * FD_ADDRESS_LIST_CHANGE and FD_ROUTING_INTERFACE_CHANGE: a change ioctl
 * that says WSAEWOULDBLOCK arms a watch on the socket that records the
 * network event when the change happens (the pages' pattern: wait for the
 * event, then query and ask again). One per kind and socket, dropped when
 * the socket closes.
 */
typedef struct ws2__fdwatch {
  ws2__net_watch_t watch;
  ws2__bsock_t *s; /* not referenced: disarmed before the socket goes */
  LONG ev;
  int armed; /* under s->lock */
} fdwatch_t;

static int fdwatch_fired(ws2__net_watch_t *w, void *ctx) {
  fdwatch_t *f = ctx;
  (void)w;
  pthread_mutex_lock(&f->s->lock);
  f->armed = 0;
  pthread_mutex_unlock(&f->s->lock);
  ws2__bsp_netevent_record(f->s, f->ev);
  return 0;
}

static void fdwatch_arm(ws2__bsock_t *s, int kind) {
  int i = kind == NOTIFY_ADDR ? 0 : 1;
  struct ws2__bsock_ioctl *st;
  fdwatch_t *f;
  pthread_mutex_lock(&s->lock);
  if ((s->flags & WS2__BS_CLOSING) || !(st = state_locked(s))) {
    pthread_mutex_unlock(&s->lock);
    return;
  }
  if (!(f = st->fdwatch[i]) && (f = ws2__calloc(1, sizeof(*f))) != NULL) {
    f->s = s;
    f->ev = kind == NOTIFY_ADDR ? FD_ADDRESS_LIST_CHANGE
                                : FD_ROUTING_INTERFACE_CHANGE;
    st->fdwatch[i] = f;
  }
  if (f && !f->armed &&
      ws2__net_watch(&f->watch,
                     kind == NOTIFY_ADDR ? WS2__NET_ADDR : WS2__NET_ROUTE,
                     s->af, fdwatch_fired, f) == 0)
    f->armed = 1;
  pthread_mutex_unlock(&s->lock);
}

void ws2__bsp_ioctl_closing(ws2__bsock_t *s) {
  fdwatch_t *f[2] = {NULL, NULL};
  int i;
  pthread_mutex_lock(&s->lock);
  if (s->ioctl_state) {
    f[0] = s->ioctl_state->fdwatch[0];
    f[1] = s->ioctl_state->fdwatch[1];
    s->ioctl_state->fdwatch[0] = s->ioctl_state->fdwatch[1] = NULL;
  }
  pthread_mutex_unlock(&s->lock);
  for (i = 0; i < 2; i++)
    if (f[i]) {
      ws2__net_unwatch(&f[i]->watch); /* a running callback ends first */
      ws2__free(f[i]);
    }
}

/* A change code: overlapped, pending; else blocking or WSAEWOULDBLOCK. */
static int notify_call(ioctl_call_t *c, int kind) {
  OVERLAPPED ov;
  HANDLE ev;
  int r;
  if (c->ovl || c->cr) {
    if (!c->ovl) return WSAEFAULT;
    return notify_start(c, kind, c->ovl, (void *)c->cr);
  }
  if (flags_of(c) & WS2__BS_NONBLOCKING) {
    if (kind != NOTIFY_ISB) fdwatch_arm(c->s, kind);
    return WSAEWOULDBLOCK;
  }
  /* Blocking: an overlapped request of our own, waited for. hEvent's low
   * bit keeps it off the socket's completion port. */
  if (!(ev = CreateEventW(NULL, TRUE, FALSE, NULL))) return WSAENOBUFS;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = (HANDLE)((uintptr_t)ev | 1);
  r = notify_start(c, kind, &ov, NULL);
  if (r == WSA_IO_PENDING) {
    WaitForSingleObject(ev, INFINITE);
    r = ov.Internal == 0 ? 0 : WSAEINTR; /* cancelled by closesocket */
  }
  CloseHandle(ev);
  return r;
}

static int do_ideal_backlog_change(ioctl_call_t *c) {
  return notify_call(c, NOTIFY_ISB);
}

static int do_address_list_change(ioctl_call_t *c) {
  return notify_call(c, NOTIFY_ADDR);
}

/* The destination is not looked at: any route change completes it, which
 * the page allows (a wildcard destination means exactly that). */
static int do_routing_interface_change(ioctl_call_t *c) {
  return notify_call(c, NOTIFY_ROUTE);
}

/* ---- Address and route queries (netwatch.c) --------------------------- */

static int do_address_list_query(ioctl_call_t *c) {
  int r = ws2__net_address_list(c->s->af, c->out, c->cbout, &c->needed);
  if (r == 0) c->ret = c->needed;
  return r;
}

static int do_routing_interface_query(ioctl_call_t *c) {
  int len = (int)c->cbout;
  int r;
  if (!c->in) return WSAEFAULT;
  if (!c->out) len = 0;
  r = ws2__net_route_query((const struct WS_sockaddr *)c->in, (int)c->cbin,
                           (struct WS_sockaddr *)c->out, &len, &c->needed);
  if (r == 0) c->ret = (DWORD)len;
  return r;
}

static int do_interface_list(ioctl_call_t *c) {
  int r = ws2__net_interface_list(c->out, c->out ? c->cbout : 0, &c->needed);
  if (r == 0) c->ret = c->needed;
  return r;
}

/* ---- What the base provider cannot do --------------------------------- */

/* The optional codes Windows' own providers do not implement either:
 * WSAENOPROTOOPT, as the LPWSPIoctl page says. */
static int do_noprotoopt(ioctl_call_t *c) {
  (void)c;
  return WSAENOPROTOOPT;
}

/* Codes the stack cannot realise here (QoS admission, route discovery,
 * the extended interface list Windows documents as unsupported). */
static int do_opnotsupp(ioctl_call_t *c) {
  (void)c;
  return WSAEOPNOTSUPP;
}

/* ---- The table -------------------------------------------------------- */

/* SIO_CHK_QOS, from the SDK's qossp.h (which ws2 does not ship):
 * mIOC_IN | mIOC_OUT | mIOC_VENDOR | mCOMPANY | 1. */
#define SIO_CHK_QOS_ 0xDC000001u

#define U32 sizeof(WS_u_long)
static const ioctl_code_t codes[] = {
    {WS_FIONBIO, U32, 0, 0, do_fionbio},
    {WS_FIONREAD, 0, U32, 0, do_fionread},
    {WS_SIOCATMARK, 0, U32, 0, do_siocatmark},
    {SIO_GET_EXTENSION_FUNCTION_POINTER, sizeof(GUID), sizeof(void *), 0,
     do_extension},
    {SIO_BASE_HANDLE, 0, sizeof(SOCKET), 0, do_handle},
    {SIO_BSP_HANDLE, 0, sizeof(SOCKET), 0, do_handle},
    {SIO_BSP_HANDLE_SELECT, 0, sizeof(SOCKET), 0, do_handle},
    {SIO_BSP_HANDLE_POLL, 0, sizeof(SOCKET), 0, do_handle},
    {SIO_EXT_POLL, sizeof(WSAPOLLDATA), sizeof(WSAPOLLDATA), 0, do_ext_poll},
    {SIO_QUERY_TARGET_PNP_HANDLE, 0, sizeof(SOCKET), 0, do_handle},
    {SIO_KEEPALIVE_VALS, sizeof(struct tcp_keepalive), 0, STREAM_ONLY,
     do_keepalive_vals},
    {SIO_UDP_CONNRESET, sizeof(BOOL), 0, DGRAM_ONLY | IP_ONLY,
     do_udp_connreset},
    {SIO_MULTICAST_SCOPE, sizeof(int), 0, DGRAM_ONLY | IP_ONLY,
     do_multicast_scope},
    {SIO_MULTIPOINT_LOOPBACK, sizeof(BOOL), 0, DGRAM_ONLY | IP_ONLY,
     do_multipoint_loopback},
    {SIO_GET_BROADCAST_ADDRESS, 0, sizeof(struct WS_sockaddr_in),
     DGRAM_ONLY | IP_ONLY, do_broadcast_address},
    {SIO_QUERY_WFP_ALE_ENDPOINT_HANDLE, 0, sizeof(UINT64), SHORT_EINVAL,
     do_endpoint_handle},
    {SIO_QUERY_RSS_SCALABILITY_INFO, 0, sizeof(RSS_SCALABILITY_INFO),
     SHORT_EINVAL, do_rss_info},
    {SIO_SET_COMPATIBILITY_MODE, sizeof(WSA_COMPATIBILITY_MODE), 0, IP_ONLY,
     do_compat_mode},
    {SIO_IDEAL_SEND_BACKLOG_QUERY, 0, sizeof(ULONG), STREAM_ONLY,
     do_ideal_backlog_query},
    {SIO_IDEAL_SEND_BACKLOG_CHANGE, 0, 0, STREAM_ONLY, do_ideal_backlog_change},
    {SIO_RCVALL, sizeof(DWORD), 0, IP_ONLY, do_rcvall},
    {SIO_ACQUIRE_PORT_RESERVATION, sizeof(INET_PORT_RANGE), 0, 0,
     do_port_acquire},
    {SIO_RELEASE_PORT_RESERVATION, sizeof(ULONG64), 0, 0, do_port_release},
    {SIO_ASSOCIATE_PORT_RESERVATION, sizeof(ULONG64), 0, 0, do_port_associate},
    {SIO_ADDRESS_LIST_QUERY, 0, 0, IP_ONLY, do_address_list_query},
    {SIO_ADDRESS_LIST_CHANGE, 0, 0, IP_ONLY, do_address_list_change},
    {SIO_ROUTING_INTERFACE_QUERY, 0, 0, IP_ONLY, do_routing_interface_query},
    {SIO_ROUTING_INTERFACE_CHANGE, 0, 0, IP_ONLY, do_routing_interface_change},
    {SIO_GET_INTERFACE_LIST, 0, 0, IP_ONLY, do_interface_list},
    {SIO_ASSOCIATE_HANDLE, 0, 0, 0, do_noprotoopt},
    {SIO_ENABLE_CIRCULAR_QUEUEING, 0, 0, 0, do_noprotoopt},
    {SIO_FLUSH, 0, 0, 0, do_noprotoopt},
    {SIO_TRANSLATE_HANDLE, 0, 0, 0, do_noprotoopt},
    {SIO_GET_QOS, 0, 0, 0, do_noprotoopt},
    {SIO_SET_QOS, 0, 0, 0, do_noprotoopt},
    {SIO_GET_GROUP_QOS, 0, 0, 0, do_noprotoopt},
    {SIO_SET_GROUP_QOS, 0, 0, 0, do_noprotoopt},
    {SIO_FIND_ROUTE, 0, 0, 0, do_opnotsupp},
    {SIO_CHK_QOS_, 0, 0, 0, do_opnotsupp},
    {SIO_GET_INTERFACE_LIST_EX, 0, 0, 0, do_opnotsupp},
};

static const ioctl_code_t *find_code(DWORD code) {
  size_t i;
  for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
    if (codes[i].code == code) return &codes[i];
  return NULL;
}

/* The checks every code goes through (the list at the top). */
static int check(const ioctl_code_t *k, ioctl_call_t *c, LPDWORD ret) {
  int shortbuf = (k->rules & SHORT_EINVAL) ? WSAEINVAL : WSAEFAULT;
  int ip = c->s->af == WS_AF_INET || c->s->af == WS_AF_INET6;
  if (!c->ovl && !c->cr && !ret) return WSAEFAULT;
  if ((k->code & WS_IOC_IN) && k->in_min && (!c->in || c->cbin < k->in_min))
    return WSAEFAULT;
  if ((k->code & WS_IOC_OUT) && k->out_min &&
      (!c->out || c->cbout < k->out_min)) {
    if (ret) *ret = k->out_min; /* the size it needs */
    return shortbuf;
  }
  if ((k->rules & IP_ONLY) && !ip) return WSAEINVAL;
  if ((k->rules & STREAM_ONLY) && c->s->type != WS_SOCK_STREAM)
    return WSAENOPROTOOPT;
  if ((k->rules & DGRAM_ONLY) && c->s->type != WS_SOCK_DGRAM) return WSAEINVAL;
  return 0;
}

int WSPAPI ws2__bsp_ioctl(SOCKET h, DWORD code, LPVOID in, DWORD cbin,
                          LPVOID out, DWORD cbout, LPDWORD ret,
                          LPWSAOVERLAPPED ovl,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          LPWSATHREADID tid, LPINT err) {
  const ioctl_code_t *k = find_code(code);
  ioctl_call_t c;
  int r;
  (void)tid;
  memset(&c, 0, sizeof(c));
  if (!(c.s = ws2__bsock_get(h))) {
    *err = WSAENOTSOCK;
    return SOCKET_ERROR;
  }
  c.code = code;
  c.in = in;
  c.cbin = cbin;
  c.out = out;
  c.cbout = cbout;
  c.ovl = ovl;
  c.cr = cr;
  r = k ? check(k, &c, ret) : WSAEINVAL;
  if (r == 0) r = k->run(&c);
  if (r == 0 && ret) *ret = c.ret;
  if (r == WSAEFAULT && c.needed && ret) *ret = c.needed;
  if (r == 0 && (ovl || cr)) {
    /* Answered at once: an immediate success, notified as such. A
     * completion routine without an OVERLAPPED has nothing to carry it. */
    if (!ovl)
      r = WSAEFAULT;
    else if (ws2__io_complete_now(&c.s->io, ovl,
                                  cr ? WS2__ROUTINE_WSA : WS2__ROUTINE_NONE,
                                  (void *)cr, c.ret) != 0)
      r = WSAENOBUFS;
  }
  ws2__bsock_unref(c.s);
  *err = r;
  return r ? SOCKET_ERROR : 0; /* WSA_IO_PENDING included */
}
