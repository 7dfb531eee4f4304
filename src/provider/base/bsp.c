/*
 * bsp.c: the base provider's WSPStartup and its WSPPROC_TABLE entries for
 * socket life and connection management (I/O requests are in ops.c,
 * options in sockopt.c).
 *
 * Every entry reports its error through lpErrno and never touches the
 * thread's last error; the Winsock layer copies *lpErrno into it once.
 */
#include "provider/base/bsp.h"

#include "core/alloc.h"
#include "core/error.h"
#include "provider/base/bindrules.h"
#include "provider/base/engine.h"
#include "provider/base/ops.h"
#include "xlate/addr.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BSP_CATALOG_BASE 1001

static WSPUPCALLTABLE upcalls;

/* Resolves s, or sets WSAENOTSOCK. */
#define GET_SOCK(var, s, err, fail)      \
  ws2__bsock_t *var = ws2__bsock_get(s); \
  if (!var) {                            \
    *(err) = WSAENOTSOCK;                \
    return fail;                         \
  }

static int set_err(LPINT err, int code) {
  *err = code;
  return code ? SOCKET_ERROR : 0;
}

static void flags_set(ws2__bsock_t *s, uint32_t set, uint32_t clear) {
  pthread_mutex_lock(&s->lock);
  s->flags = (s->flags & ~clear) | set;
  pthread_mutex_unlock(&s->lock);
}

static uint32_t flags_get(ws2__bsock_t *s) {
  uint32_t f;
  pthread_mutex_lock(&s->lock);
  f = s->flags;
  pthread_mutex_unlock(&s->lock);
  return f;
}

/* Gives a new socket object its handle and registers it with ws2. */
static SOCKET publish(ws2__bsock_t *s, DWORD wsaflags, LPINT err) {
  HANDLE h;
  SOCKET r;
  if (ws2__handle_new(&s->io.obj, &h) != 0) {
    ws2__bsock_discard(s);
    *err = WSAEMFILE;
    return INVALID_SOCKET;
  }
  s->handle = (SOCKET)h;
  if (!(wsaflags & WSA_FLAG_NO_HANDLE_INHERIT))
    SetHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  if (upcalls.lpWPUModifyIFSHandle) {
    r = upcalls.lpWPUModifyIFSHandle(s->catalog_id, (SOCKET)h, err);
    if (r == INVALID_SOCKET) {
      ws2__obj_unref(&s->io.obj);
      CloseHandle(h);
      return INVALID_SOCKET;
    }
  }
  ws2__obj_unref(&s->io.obj); /* the handle table holds it now */
  return (SOCKET)h;
}

/* Picks the Linux triple for a Windows one; 0 or a WSA error. */
static int triple(int af, int type, int protocol, int *laf, int *lproto) {
  *laf = ws2__af_to_linux(af);
  if (af != WS_AF_INET && af != WS_AF_INET6 && af != WS_AF_UNIX)
    return WSAEAFNOSUPPORT;
  switch (type) {
    case WS_SOCK_STREAM:
      if (af == WS_AF_UNIX) {
        if (protocol != 0) return WSAEPROTONOSUPPORT;
      } else if (protocol != 0 && protocol != WS_IPPROTO_TCP) {
        return WSAEPROTONOSUPPORT;
      }
      *lproto = af == WS_AF_UNIX ? 0 : IPPROTO_TCP;
      return 0;
    case WS_SOCK_DGRAM:
      if (af == WS_AF_UNIX) return WSAESOCKTNOSUPPORT;
      if (protocol != 0 && protocol != WS_IPPROTO_UDP)
        return WSAEPROTONOSUPPORT;
      *lproto = IPPROTO_UDP;
      return 0;
    case WS_SOCK_RAW:
      if (af == WS_AF_UNIX) return WSAESOCKTNOSUPPORT;
      if (protocol < 0 || protocol > 255) return WSAEINVAL;
      /* IPPROTO_IP (0), a sniffer's protocol with SIO_RCVALL: Linux has
       * no raw socket for "every protocol"; IPPROTO_RAW sends (with its
       * own IP header, as Windows' IP_HDRINCL) and receives nothing until
       * SIO_RCVALL. */
      *lproto = protocol ? protocol : IPPROTO_RAW;
      return 0;
    default:
      return WSAESOCKTNOSUPPORT;
  }
}

static DWORD catalog_id_for(int af, int type) {
  int base = af == WS_AF_INET6 ? 3 : af == WS_AF_UNIX ? 6 : 0;
  int kind = type == WS_SOCK_STREAM ? 0 : type == WS_SOCK_DGRAM ? 1 : 2;
  return BSP_CATALOG_BASE + (DWORD)(af == WS_AF_UNIX ? base : base + kind);
}

/* WSASocket(FROM_PROTOCOL_INFO) with WSADuplicateSocket's answer: the
 * same Linux socket, its state read back from the kernel. */
static SOCKET socket_from_duplicate(const WSAPROTOCOL_INFOW *info,
                                    DWORD dwFlags, LPINT err) {
  struct sockaddr_storage sa;
  socklen_t len = sizeof(sa);
  ws2__bsock_t *s;
  int fd, r, v = 0;
  socklen_t vlen = sizeof(v);

  if ((r = ws2__bsp_socket_from_info(info, &fd)) != 0) {
    *err = r;
    return INVALID_SOCKET;
  }
  if ((r = ws2__bsock_new(fd, info->iAddressFamily, info->iSocketType,
                          info->iProtocol, &s)) != 0) {
    close(fd);
    *err = r;
    return INVALID_SOCKET;
  }
  s->catalog_id = info->dwCatalogEntryId;
  if (dwFlags & WSA_FLAG_OVERLAPPED) s->flags |= WS2__BS_OVERLAPPED;
  if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0 && len > 0 &&
      (sa.ss_family == AF_UNIX || ((struct sockaddr_in *)&sa)->sin_port))
    s->flags |= WS2__BS_BOUND;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &vlen) == 0 && v)
    s->flags |= WS2__BS_LISTENING;
  if (s->type == WS_SOCK_STREAM && s->af != WS_AF_UNIX) {
    /* The reuse mode, from the Linux options set_reuse (sockopt.c) gave
     * the socket: SO_REUSEPORT only with SO_REUSEADDR, neither when
     * exclusive, SO_REUSEADDR alone by default. */
    int ra = 1, rp = 0;
    vlen = sizeof(rp);
    getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &rp, &vlen);
    vlen = sizeof(ra);
    getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &ra, &vlen);
    if (rp)
      s->flags |= WS2__BS_REUSEADDR;
    else if (!ra)
      s->flags |= WS2__BS_EXCLUSIVE;
  }
  len = sizeof(sa);
  if (getpeername(fd, (struct sockaddr *)&sa, &len) == 0) {
    s->flags |= WS2__BS_CONNECTED;
    s->connect_tick = GetTickCount64();
  }
  {
    SOCKET h = publish(s, dwFlags, err);
    ws2__bsock_t *d = h != INVALID_SOCKET ? ws2__bsock_get(h) : NULL;
    if (d) {
      /* Its port counts for this process's bind rules, as the source's. */
      if (d->flags & WS2__BS_BOUND) ws2__bindrules_adopt(d);
      ws2__bsock_unref(d);
    }
    return h;
  }
}

static SOCKET WSPAPI bsp_socket(int af, int type, int protocol,
                                LPWSAPROTOCOL_INFOW info, GROUP g,
                                DWORD dwFlags, LPINT err) {
  ws2__bsock_t *s;
  int laf, lproto, fd, r;

  if (info) {
    af = info->iAddressFamily;
    type = info->iSocketType;
    if (protocol == 0 || protocol == FROM_PROTOCOL_INFO)
      protocol = info->iProtocol;
    if (info->dwServiceFlags4) return socket_from_duplicate(info, dwFlags, err);
  }
  if ((r = triple(af, type, protocol, &laf, &lproto)) != 0) {
    *err = r;
    return INVALID_SOCKET;
  }
  fd = socket(laf,
              (type == WS_SOCK_STREAM  ? SOCK_STREAM
               : type == WS_SOCK_DGRAM ? SOCK_DGRAM
                                       : SOCK_RAW) |
                  SOCK_NONBLOCK | SOCK_CLOEXEC,
              lproto);
  if (fd < 0) {
    /* Raw sockets without privileges: WSAEACCES, as on Windows. */
    *err = (errno == EPERM || errno == EACCES) ? WSAEACCES
           : errno == EPROTONOSUPPORT          ? WSAEPROTONOSUPPORT
                                               : ws2__errno_to_wsa(errno);
    return INVALID_SOCKET;
  }
  if ((r = ws2__bsock_new(fd, af, type,
                          type == WS_SOCK_RAW ? protocol
                          : protocol          ? protocol
                                              : lproto,
                          &s))) {
    close(fd);
    *err = r;
    return INVALID_SOCKET;
  }
  s->catalog_id = catalog_id_for(af, type);
  if (dwFlags & WSA_FLAG_OVERLAPPED) s->flags |= WS2__BS_OVERLAPPED;
  ws2__bsp_sockopt_defaults(s);
  return publish(s, dwFlags, err);
}

/*
 * SO_LINGER with a timeout, done here so that closing the Linux socket
 * never blocks, whichever thread drops the last reference (possibly one
 * running the engine). Windows: a non-blocking socket that cannot close
 * at once fails with WSAEWOULDBLOCK and stays open; a blocking one waits
 * up to the timeout for its data to go, then resets the connection.
 * Returns 0, or WSAEWOULDBLOCK.
 */
static int linger_before_close(ws2__bsock_t *s) {
  struct linger lg;
  socklen_t len = sizeof(lg);
  ULONGLONG end;
  int queued = 0;

  if (s->type != WS_SOCK_STREAM ||
      getsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, &len) != 0 || !lg.l_onoff ||
      lg.l_linger == 0)
    return 0;
  if (ioctl(s->fd, SIOCOUTQ, &queued) != 0) queued = 0;
  if (queued > 0 && (s->flags & WS2__BS_NONBLOCKING)) return WSAEWOULDBLOCK;
  end = GetTickCount64() + (ULONGLONG)lg.l_linger * 1000;
  while (queued > 0 && GetTickCount64() < end) {
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
    if (ioctl(s->fd, SIOCOUTQ, &queued) != 0) queued = 0;
  }
  /* Sent: a graceful close. Timed out: a reset, as Windows does. */
  lg.l_onoff = queued > 0;
  lg.l_linger = 0;
  setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  return 0;
}

/* ---- CF_DEFER: connections a condition function deferred ------------ */

/*
 * A condition function that returns CF_DEFER leaves the connection request
 * where it was: WSAAccept fails with WSATRY_AGAIN and the next accept or
 * WSAAccept on the listener presents the same connection again
 * (WSAAccept's and WSPAccept's pages; Windows issues no FD_ACCEPT for the
 * requests queued behind it meanwhile). Linux has completed the handshake
 * and the connection is already out of the kernel's queue when the
 * condition function sees it (Windows' SO_CONDITIONAL_ACCEPT, which keeps
 * the SYN unanswered until CF_ACCEPT, cannot be had), so the provider
 * keeps the accepted descriptor with its peer address here, on the side
 * of its listener, and hands it out before asking the kernel for another.
 * Closing the listener resets it, as Windows resets the requests in a
 * closed listener's backlog. Not seen by AcceptEx (it takes the kernel's
 * next connection), nor by select / WSAPoll readiness of the listener.
 *
 * Few programs defer, so the connections live in one list for the
 * process, each entry holding a reference on its listener; a listener
 * closed by closesocket drops its entries (deferred_drop).
 */
typedef struct deferred {
  struct deferred *next;
  ws2__bsock_t *listener; /* referenced */
  int fd;
  socklen_t peerlen;
  struct sockaddr_storage peer;
} deferred_t;

static pthread_mutex_t deferred_lock = PTHREAD_MUTEX_INITIALIZER;
static deferred_t *deferred_list;
static _Atomic int deferred_count;

/* Closes an accepted connection nobody will have: a reset, as a refusal. */
static void close_reset(int fd) {
  struct linger lg = {1, 0};
  (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  close(fd);
}

/* The listener's deferred connection, taken off the list; -1 if none. */
static int deferred_take(ws2__bsock_t *l, struct sockaddr_storage *peer,
                         socklen_t *peerlen) {
  deferred_t **pp, *d = NULL;
  int fd = -1;
  if (atomic_load(&deferred_count) == 0) return -1;
  pthread_mutex_lock(&deferred_lock);
  for (pp = &deferred_list; *pp; pp = &(*pp)->next)
    if ((*pp)->listener == l) {
      d = *pp;
      *pp = d->next;
      atomic_fetch_sub(&deferred_count, 1);
      break;
    }
  pthread_mutex_unlock(&deferred_lock);
  if (!d) return -1;
  fd = d->fd;
  memcpy(peer, &d->peer, d->peerlen);
  *peerlen = d->peerlen;
  ws2__obj_unref(&l->io.obj);
  ws2__free(d);
  return fd;
}

/* Keeps a deferred connection for the listener's next accept, ahead of
 * anything else. 0, or WSAENOBUFS (the connection is then reset). */
static int deferred_put(ws2__bsock_t *l, int fd,
                        const struct sockaddr_storage *peer,
                        socklen_t peerlen) {
  deferred_t *d = ws2__calloc(1, sizeof(*d));
  if (!d) {
    close_reset(fd);
    return WSAENOBUFS;
  }
  d->listener = l;
  d->fd = fd;
  d->peerlen = peerlen;
  memcpy(&d->peer, peer, peerlen);
  pthread_mutex_lock(&deferred_lock);
  /* closesocket in another thread: CLOSING is set before its last
   * deferred_drop, which takes this lock, so a connection is either
   * dropped by it or not kept at all. */
  if (l->flags & WS2__BS_CLOSING) {
    pthread_mutex_unlock(&deferred_lock);
    close_reset(fd);
    ws2__free(d);
    return WSAEINTR;
  }
  ws2__obj_ref(&l->io.obj);
  d->next = deferred_list;
  deferred_list = d;
  atomic_fetch_add(&deferred_count, 1);
  pthread_mutex_unlock(&deferred_lock);
  return 0;
}

/* closesocket of a listener: its deferred connections are reset. */
static void deferred_drop(ws2__bsock_t *l) {
  struct sockaddr_storage peer;
  socklen_t len;
  int fd;
  while ((fd = deferred_take(l, &peer, &len)) >= 0) close_reset(fd);
}

/*
 * Runs WSAAccept's condition function for an accepted connection:
 * lpCallerId is the peer's address and lpCalleeId the local one (each a
 * Windows sockaddr); TCP carries no connect data, so lpCallerData is NULL
 * and lpCalleeData a zero-length buffer ("not supported"); no QOS (NULL);
 * *g starts at 0 and is ignored (socket groups are reserved).
 */
static int condition(LPCONDITIONPROC cond, DWORD_PTR cbdata, int fd,
                     const struct sockaddr_storage *peer, socklen_t peerlen) {
  SOCKADDR_STORAGE caller_addr, callee_addr;
  struct sockaddr_storage local;
  socklen_t locallen = sizeof(local);
  WSABUF caller, callee, callee_data;
  GROUP g = 0;
  int callerlen = sizeof(caller_addr), calleelen = sizeof(callee_addr);

  memset(&caller_addr, 0, sizeof(caller_addr));
  memset(&callee_addr, 0, sizeof(callee_addr));
  if (ws2__addr_from_linux((const struct sockaddr *)peer, peerlen,
                           (struct WS_sockaddr *)&caller_addr, &callerlen) != 0)
    callerlen = 0;
  if (getsockname(fd, (struct sockaddr *)&local, &locallen) != 0 ||
      ws2__addr_from_linux((struct sockaddr *)&local, locallen,
                           (struct WS_sockaddr *)&callee_addr, &calleelen) != 0)
    calleelen = 0;
  caller.buf = (char *)&caller_addr;
  caller.len = (ULONG)callerlen;
  callee.buf = (char *)&callee_addr;
  callee.len = (ULONG)calleelen;
  callee_data.buf = NULL;
  callee_data.len = 0;
  return cond(&caller, NULL, NULL, NULL, &callee, &callee_data, &g, cbdata);
}

static int WSPAPI bsp_closesocket(SOCKET h, LPINT err) {
  int r;
  BOOL closed;
  GET_SOCK(s, h, err, SOCKET_ERROR);
  r = linger_before_close(s);
  if (r) {
    ws2__bsock_unref(s);
    return set_err(err, r);
  }
  /* Before the Linux socket closes: its place among the endpoints this
   * process holds, and its deferred connections. */
  ws2__bindrules_forget(s);
  deferred_drop(s);
  ws2__obj_ref(&s->io.obj);
  ws2__bsock_unref(s);
  closed = CloseHandle((HANDLE)h);
  /* A WSAAccept running in another thread may have deferred one since;
   * none can come after CLOSING, which CloseHandle has set. */
  deferred_drop(s);
  ws2__obj_unref(&s->io.obj);
  return set_err(err, closed ? 0 : WSAENOTSOCK);
}

static int WSPAPI bsp_bind(SOCKET h, const struct WS_sockaddr *name,
                           int namelen, LPINT err) {
  struct sockaddr_storage sa;
  socklen_t salen;
  int r;
  GET_SOCK(s, h, err, SOCKET_ERROR);
  r = ws2__addr_to_linux(name, namelen, &sa, &salen);
  if (r == 0 && ws2__af_to_linux(s->af) != sa.ss_family) r = WSAEFAULT;
  if (r == 0 && (flags_get(s) & WS2__BS_BOUND)) r = WSAEINVAL;
  /* Linux's bind, after Windows' rules for this process's TCP sockets. */
  if (r == 0) r = ws2__bindrules_bind(s, (struct sockaddr *)&sa, salen);
  if (r == 0) flags_set(s, WS2__BS_BOUND, 0);
  ws2__bsock_unref(s);
  return set_err(err, r);
}

static int WSPAPI bsp_listen(SOCKET h, int backlog, LPINT err) {
  uint32_t f;
  int r = 0;
  GET_SOCK(s, h, err, SOCKET_ERROR);
  f = flags_get(s);
  if (s->type != WS_SOCK_STREAM)
    r = WSAEOPNOTSUPP;
  else if (f & WS2__BS_CONNECTED)
    r = WSAEISCONN;
  else if (!(f & WS2__BS_BOUND)) /* Linux would bind it; Windows refuses */
    r = WSAEINVAL;
  else if (listen(s->fd, backlog < 0             ? 0
                         : backlog >= 0x7fff0000 ? 4096 /* SOMAXCONN(_HINT) */
                                                 : backlog) != 0)
    r = ws2__errno_to_wsa(errno);
  if (r == 0) flags_set(s, WS2__BS_LISTENING, 0);
  ws2__bsock_unref(s);
  return set_err(err, r);
}

static SOCKET WSPAPI bsp_accept(SOCKET h, struct WS_sockaddr *addr,
                                LPINT addrlen, LPCONDITIONPROC cond,
                                DWORD_PTR cbdata, LPINT err) {
  struct sockaddr_storage sa;
  socklen_t salen;
  ws2__bsock_t *ns;
  int fd, r;
  uint32_t f;
  GET_SOCK(s, h, err, INVALID_SOCKET);

  f = flags_get(s);
  if (!(f & WS2__BS_LISTENING)) {
    r = WSAEINVAL;
    goto out;
  }
  if (addr && (!addrlen || *addrlen < (s->af == WS_AF_INET6 ? 28 : 16))) {
    r = WSAEFAULT;
    goto out;
  }
  for (;;) {
    salen = sizeof(sa);
    /* A connection the condition function deferred comes first. */
    if ((fd = deferred_take(s, &sa, &salen)) >= 0) break;
    fd = accept4(s->fd, (struct sockaddr *)&sa, &salen,
                 SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) break;
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      r = ws2__errno_to_wsa(errno);
      goto out;
    }
    if (f & WS2__BS_NONBLOCKING) {
      r = WSAEWOULDBLOCK;
      goto out;
    }
    if ((r = ws2__bsock_wait(s, POLLIN, 0)) != 0) goto out;
  }
  if (cond) {
    int verdict = condition(cond, cbdata, fd, &sa, salen);
    if (verdict == CF_DEFER) {
      /* Kept for the next accept; FD_ACCEPT is not re-enabled (Windows:
       * every accept re-enables it, except one failing with
       * WSATRY_AGAIN). */
      r = deferred_put(s, fd, &sa, salen);
      ws2__bsock_unref(s);
      *err = r ? r : WSATRY_AGAIN;
      return INVALID_SOCKET;
    }
    if (verdict != CF_ACCEPT) {
      close_reset(fd);
      r = verdict == CF_REJECT ? WSAECONNREFUSED : WSAEINVAL;
      goto out;
    }
  }
  if ((r = ws2__bsock_new(fd, s->af, s->type, s->protocol, &ns)) != 0) {
    close(fd);
    goto out;
  }
  /* The new socket has the listener's properties, as on Windows. */
  ns->catalog_id = s->catalog_id;
  ns->flags =
      (f & (WS2__BS_NONBLOCKING | WS2__BS_OVERLAPPED | WS2__BS_OOBINLINE)) |
      WS2__BS_BOUND | WS2__BS_CONNECTED;
  ws2__bsp_sockopt_inherit(s, ns);
  ns->connect_tick = GetTickCount64();
  pthread_mutex_lock(&s->lock);
  ns->ev_mask = s->ev_mask; /* the listener's selection carries over */
  ns->ev_event = s->ev_event;
  ns->ev_hwnd = s->ev_hwnd;
  ns->ev_msg = s->ev_msg;
  ns->ev_enabled = FD_ALL_EVENTS;
  pthread_mutex_unlock(&s->lock);
  if (addr) ws2__addr_from_linux((struct sockaddr *)&sa, salen, addr, addrlen);
  ws2__bsp_reenable(s, FD_ACCEPT); /* another one may be waiting */
  ws2__bsock_unref(s);
  {
    SOCKET ah = publish(ns, 0, err);
    ws2__bsock_t *n2 = ah != INVALID_SOCKET ? ws2__bsock_get(ah) : NULL;
    if (n2) {
      if (n2->ev_mask) ws2__bsp_netevents(n2, WS2__EV_READ | WS2__EV_WRITE);
      ws2__bsock_unref(n2);
    }
    return ah;
  }
out:
  /* Even a failed accept re-enables FD_ACCEPT (WSPEventSelect's rule). */
  if (f & WS2__BS_LISTENING) ws2__bsp_reenable(s, FD_ACCEPT);
  ws2__bsock_unref(s);
  *err = r;
  return INVALID_SOCKET;
}

static int WSPAPI bsp_connect(SOCKET h, const struct WS_sockaddr *name,
                              int namelen, LPWSABUF caller, LPWSABUF callee,
                              LPQOS sqos, LPQOS gqos, LPINT err) {
  struct sockaddr_storage sa;
  socklen_t salen;
  uint32_t f;
  int r;
  GET_SOCK(s, h, err, SOCKET_ERROR);

  f = flags_get(s);
  r = ws2__addr_to_linux(name, namelen, &sa, &salen);
  if (r) goto out;
  if (f & WS2__BS_LISTENING) {
    r = WSAEINVAL;
    goto out;
  }
  if (s->type == WS_SOCK_STREAM && (f & WS2__BS_CONNECTED)) {
    r = WSAEISCONN;
    goto out;
  }
  if (f & WS2__BS_CONNECTING) {
    r = WSAEALREADY;
    goto out;
  }
  if (connect(s->fd, (struct sockaddr *)&sa, salen) == 0) {
    r = 0;
  } else if (errno != EINPROGRESS && errno != EAGAIN) {
    r = ws2__errno_to_wsa(errno);
  } else if (f & WS2__BS_NONBLOCKING) {
    /* In progress: Windows says WSAEWOULDBLOCK, and FD_CONNECT / select's
     * write set tell when it is done. */
    flags_set(s, WS2__BS_CONNECTING | WS2__BS_BOUND, 0);
    ws2__bsp_netevents(s, WS2__EV_WRITE);
    r = WSAEWOULDBLOCK;
    goto out;
  } else {
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    flags_set(s, WS2__BS_CONNECTING, 0);
    r = ws2__bsock_wait(s, POLLOUT, 0);
    if (r == 0 && getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
        soerr)
      r = ws2__errno_to_wsa(soerr);
    flags_set(s, 0, WS2__BS_CONNECTING);
  }
  if (r == 0) {
    flags_set(s, WS2__BS_CONNECTED | WS2__BS_BOUND, 0);
    s->connect_tick = GetTickCount64();
  }
out:
  ws2__bsock_unref(s);
  return set_err(err, r);
}

/* The rest of a non-blocking connect: whether the socket has connected,
 * for FIONBIO users polling with connect() again. */
static int WSPAPI bsp_shutdown(SOCKET h, int how, LPINT err) {
  int r = 0;
  GET_SOCK(s, h, err, SOCKET_ERROR);
  if (how != SD_RECEIVE && how != SD_SEND && how != SD_BOTH)
    r = WSAEINVAL;
  else if (shutdown(s->fd, how == SD_RECEIVE ? SHUT_RD
                           : how == SD_SEND  ? SHUT_WR
                                             : SHUT_RDWR) != 0)
    r = ws2__errno_to_wsa(errno);
  if (r == 0)
    flags_set(s,
              how == SD_RECEIVE ? WS2__BS_SHUT_RD
              : how == SD_SEND  ? WS2__BS_SHUT_WR
                                : WS2__BS_SHUT_RD | WS2__BS_SHUT_WR,
              0);
  ws2__bsock_unref(s);
  return set_err(err, r);
}

static int sockname(SOCKET h, struct WS_sockaddr *name, LPINT namelen, int peer,
                    LPINT err) {
  struct sockaddr_storage sa;
  socklen_t salen = sizeof(sa);
  uint32_t f;
  int r = 0;
  GET_SOCK(s, h, err, SOCKET_ERROR);
  f = flags_get(s);
  if (!name || !namelen)
    r = WSAEFAULT;
  else if (!peer && !(f & WS2__BS_BOUND))
    r = WSAEINVAL; /* Windows: not bound yet */
  else if ((peer ? getpeername : getsockname)(s->fd, (struct sockaddr *)&sa,
                                              &salen) != 0)
    r = ws2__errno_to_wsa(errno);
  else
    r = ws2__addr_from_linux((struct sockaddr *)&sa, salen, name, namelen);
  ws2__bsock_unref(s);
  return set_err(err, r);
}

static int WSPAPI bsp_getsockname(SOCKET h, struct WS_sockaddr *name,
                                  LPINT namelen, LPINT err) {
  return sockname(h, name, namelen, 0, err);
}

static int WSPAPI bsp_getpeername(SOCKET h, struct WS_sockaddr *name,
                                  LPINT namelen, LPINT err) {
  return sockname(h, name, namelen, 1, err);
}

static int WSPAPI bsp_getsockopt(SOCKET h, int level, int optname, char *optval,
                                 LPINT optlen, LPINT err) {
  int r;
  GET_SOCK(s, h, err, SOCKET_ERROR);
  r = ws2__bsp_getsockopt(s, level, optname, optval, optlen);
  ws2__bsock_unref(s);
  return set_err(err, r);
}

static int WSPAPI bsp_setsockopt(SOCKET h, int level, int optname,
                                 const char *optval, int optlen, LPINT err) {
  int r;
  GET_SOCK(s, h, err, SOCKET_ERROR);
  r = ws2__bsp_setsockopt(s, level, optname, optval, optlen);
  ws2__bsock_unref(s);
  return set_err(err, r);
}

/* One send or receive entry: synchronous on the stack, or overlapped. */
static int transfer(SOCKET h, LPWSABUF bufs, DWORD n, LPDWORD bytes,
                    DWORD wflags, LPDWORD flags_out,
                    const struct WS_sockaddr *to, int tolen,
                    struct WS_sockaddr *from, LPINT fromlen,
                    LPWSAOVERLAPPED ovl, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                    int wr, LPINT err) {
  ws2__bop_stack_t stack_op;
  ws2__bop_t *op;
  ws2__bop_ext_t x;
  int r;
  ws2__bsock_t *s = ws2__bsock_pin(h);

  if (!s) return set_err(err, WSAENOTSOCK);
  if (from && (!fromlen || *fromlen < (s->af == WS_AF_INET6 ? 28 : 16))) {
    r = WSAEFAULT;
    goto out;
  }
  op = ws2__bop_stack_clear(&stack_op);
  r = ws2__bop_init(op, s, bufs, n, wflags, wr);
  /* A stream ignores a send's destination, as on Windows. */
  if (r == 0 && to && s->type != WS_SOCK_STREAM)
    r = ws2__addr_to_linux(to, tolen, &ws2__bop_use_ext(op, &x)->addr,
                           &x.addrlen);
  if (r == 0 && from) {
    if (!op->x) ws2__bop_use_ext(op, &x);
    x.from = from;
    x.fromlen = fromlen;
  }
  if (r == 0)
    r = ws2__bop_execute(op, ovl, WS2__ROUTINE_WSA, (void *)cr, bytes,
                         flags_out, NULL);
  else
    ws2__bop_fini(op);
out:
  ws2__bsock_unpin(s, h);
  return set_err(err, r);
}

static int WSPAPI bsp_send(SOCKET h, LPWSABUF bufs, DWORD n, LPDWORD sent,
                           DWORD flags, LPWSAOVERLAPPED ovl,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                           LPWSATHREADID tid, LPINT err) {
  return transfer(h, bufs, n, sent, flags, NULL, NULL, 0, NULL, NULL, ovl, cr,
                  1, err);
}

static int WSPAPI bsp_sendto(SOCKET h, LPWSABUF bufs, DWORD n, LPDWORD sent,
                             DWORD flags, const struct WS_sockaddr *to,
                             int tolen, LPWSAOVERLAPPED ovl,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                             LPWSATHREADID tid, LPINT err) {
  return transfer(h, bufs, n, sent, flags, NULL, to, tolen, NULL, NULL, ovl, cr,
                  1, err);
}

static int WSPAPI bsp_recv(SOCKET h, LPWSABUF bufs, DWORD n, LPDWORD recvd,
                           LPDWORD flags, LPWSAOVERLAPPED ovl,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                           LPWSATHREADID tid, LPINT err) {
  if (!flags) return set_err(err, WSAEFAULT);
  return transfer(h, bufs, n, recvd, *flags, flags, NULL, 0, NULL, NULL, ovl,
                  cr, 0, err);
}

static int WSPAPI bsp_recvfrom(SOCKET h, LPWSABUF bufs, DWORD n, LPDWORD recvd,
                               LPDWORD flags, struct WS_sockaddr *from,
                               LPINT fromlen, LPWSAOVERLAPPED ovl,
                               LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                               LPWSATHREADID tid, LPINT err) {
  if (!flags) return set_err(err, WSAEFAULT);
  return transfer(h, bufs, n, recvd, *flags, flags, NULL, 0, from, fromlen, ovl,
                  cr, 0, err);
}

static int WSPAPI bsp_senddisconnect(SOCKET h, LPWSABUF data, LPINT err) {
  return bsp_shutdown(h, SD_SEND, err);
}

static int WSPAPI bsp_recvdisconnect(SOCKET h, LPWSABUF data, LPINT err) {
  return bsp_shutdown(h, SD_RECEIVE, err);
}

static BOOL WSPAPI bsp_getoverlappedresult(SOCKET h, LPWSAOVERLAPPED ovl,
                                           LPDWORD cb, BOOL wait, LPDWORD flags,
                                           LPINT err) {
  ULONG_PTR st;
  GET_SOCK(s, h, err, FALSE);
  ws2__bsock_unref(s);
  if (!ovl || !cb || !flags) {
    *err = WSAEFAULT;
    return FALSE;
  }
  st = __atomic_load_n(&ovl->Internal, __ATOMIC_ACQUIRE);
  if (st == STATUS_PENDING) {
    if (!wait) {
      *err = WSA_IO_INCOMPLETE;
      return FALSE;
    }
    if (ws2__ovl_wait((HANDLE)h, ovl, INFINITE, FALSE) != WAIT_OBJECT_0) {
      *err = WSA_INVALID_HANDLE;
      return FALSE;
    }
    st = __atomic_load_n(&ovl->Internal, __ATOMIC_ACQUIRE);
  }
  *cb = (DWORD)ovl->InternalHigh;
  *flags = ovl->Offset;
  if ((uint32_t)st == 0) return TRUE;
  *err = ws2__ntstatus_to_wsa((NTSTATUS)(uint32_t)st);
  return FALSE;
}

/*
 * Startups. ws2 starts the base provider at a process's first WSAStartup;
 * each layer above it starts it again through its exported WSPStartup.
 * Every WSPStartup counts, and only the WSPCleanup that balances the last
 * one closes the sockets (the SPI's rule: a provider stays initialised
 * until every WSPStartup has had its WSPCleanup).
 */
static _Atomic int bsp_starts;

/* Every socket still open is reset and closed as closesocket would close
 * it; what was pending on it completes with WSA_OPERATION_ABORTED in its
 * OVERLAPPED without setting an event or running a completion routine, as
 * WSACleanup documents, but still with its packet when the socket is
 * associated with a completion port (the documentation says nothing of
 * ports, and ws2 loses no completion). A socket with several handles
 * (DuplicateHandle) is closed through its own handle value only. */
static void close_all(void) {
  ws2__bsock_t **v;
  size_t n = ws2__bsock_snapshot(&v), i;
  for (i = 0; i < n; i++) {
    SOCKET h = v[i]->handle;
    ws2__bsock_t *s = h ? ws2__bsock_get(h) : NULL;
    int e;
    if (s && s != v[i]) { /* closed meanwhile, the value reissued */
      ws2__bsock_unref(s);
      s = NULL;
    }
    if (s) {
      struct linger lg = {1, 0};
      ws2__io_quiet(&s->io);
      if (s->type == WS_SOCK_STREAM)
        setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
      ws2__bsock_unref(s);
      bsp_closesocket(h, &e);
    }
    ws2__obj_unref(&v[i]->io.obj);
  }
  ws2__free(v);
  ws2__engine_settle(); /* the closed sockets' memory goes now */
}

/* WSPCleanup: balances one WSPStartup; the last closes every socket. The
 * provider's code stays ready: the next WSPStartup starts it again. */
static int WSPAPI bsp_cleanup(LPINT err) {
  int n = atomic_load(&bsp_starts);
  do {
    if (n <= 0) return set_err(err, WSANOTINITIALISED);
  } while (!atomic_compare_exchange_weak(&bsp_starts, &n, n - 1));
  if (n == 1) close_all();
  return set_err(err, 0);
}

int ws2__bsp_shutdown(void) {
  int left = atomic_exchange(&bsp_starts, 0);
  if (left > 0) close_all();
  return left;
}

/* Entries whose behaviour lands later (docs/STATUS.md lists them). */
static SOCKET WSPAPI bsp_joinleaf(SOCKET h, const struct WS_sockaddr *n, int l,
                                  LPWSABUF a, LPWSABUF b, LPQOS q1, LPQOS q2,
                                  DWORD f, LPINT err) {
  *err = WSAEOPNOTSUPP;
  return INVALID_SOCKET;
}
static int WSPAPI bsp_cancelblockingcall(LPINT err) {
  return set_err(err, WSAEOPNOTSUPP);
}
static BOOL WSPAPI bsp_getqosbyname(SOCKET h, LPWSABUF name, LPQOS qos,
                                    LPINT err) {
  *err = WSAEOPNOTSUPP;
  return FALSE;
}
static INT WSPAPI bsp_addresstostring(LPSOCKADDR sa, DWORD len,
                                      LPWSAPROTOCOL_INFOW info, LPWSTR str,
                                      LPDWORD strlen_, LPINT err) {
  return set_err(err, WSAEOPNOTSUPP);
}
static INT WSPAPI bsp_stringtoaddress(LPWSTR str, INT af,
                                      LPWSAPROTOCOL_INFOW info, LPSOCKADDR sa,
                                      LPINT len, LPINT err) {
  return set_err(err, WSAEOPNOTSUPP);
}

static const WSPPROC_TABLE bsp_procs = {
    bsp_accept,
    bsp_addresstostring,
    ws2__bsp_asyncselect,
    bsp_bind,
    bsp_cancelblockingcall,
    bsp_cleanup,
    bsp_closesocket,
    bsp_connect,
    ws2__bsp_duplicatesocket,
    ws2__bsp_enumnetworkevents,
    ws2__bsp_eventselect,
    bsp_getoverlappedresult,
    bsp_getpeername,
    bsp_getsockname,
    bsp_getsockopt,
    bsp_getqosbyname,
    ws2__bsp_ioctl,
    bsp_joinleaf,
    bsp_listen,
    bsp_recv,
    bsp_recvdisconnect,
    bsp_recvfrom,
    ws2__bsp_select,
    bsp_send,
    bsp_senddisconnect,
    bsp_sendto,
    bsp_setsockopt,
    bsp_shutdown,
    bsp_socket,
    bsp_stringtoaddress,
};

int ws2__bsp_startup(WORD version, LPWSPDATA data, LPWSAPROTOCOL_INFOW info,
                     WSPUPCALLTABLE upcall_table, LPWSPPROC_TABLE procs) {
  static const char desc[] = "ws2 base service provider";
  size_t i;
  if (LOBYTE(version) < 2) return WSAVERNOTSUPPORTED;
  if (!data || !procs) return WSAEFAULT;
  data->wVersion = MAKEWORD(2, 2);
  data->wHighVersion = MAKEWORD(2, 2);
  for (i = 0; i < sizeof(desc); i++) data->szDescription[i] = (WCHAR)desc[i];
  upcalls = upcall_table;
  *procs = bsp_procs;
  atomic_fetch_add(&bsp_starts, 1);
  return 0;
}

/* The base provider's entry point by its SPI name, as mswsock.dll exports
 * it on Windows: a layer loads the provider below it by the path
 * WSCGetProviderPath gives (libws2 itself for the built-in entries) and
 * calls its WSPStartup. */
int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                      LPWSAPROTOCOL_INFOW lpProtocolInfo,
                      WSPUPCALLTABLE UpcallTable, LPWSPPROC_TABLE lpProcTable) {
  return ws2__bsp_startup(wVersionRequested, lpWSPData, lpProtocolInfo,
                          UpcallTable, lpProcTable);
}
