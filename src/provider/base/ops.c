/*
 * ops.c: send and receive requests of the base provider (see ops.h), and
 * the engine's entry point, ws2__bsp_ready().
 */
#include "provider/base/ops.h"

#include "core/alloc.h"
#include "core/error.h"
#include "provider/base/engine.h"
#include "xlate/addr.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STATUS_BUFFER_OVERFLOW_ ((NTSTATUS)0x80000005)
#define STATUS_CANCELLED_ ((NTSTATUS)0xC0000120)
#define STATUS_PIPE_DISCONNECTED_ ((NTSTATUS)0xC00000B0)

/*
 * The transfers' system calls, made directly: the C library's wrappers are
 * cancellation points, which costs two more calls per transfer, and ws2
 * never cancels threads. Sanitizer builds keep the wrappers, which they
 * intercept.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define sys_send send
#define sys_recv recv
#define sys_sendmsg sendmsg
#define sys_recvmsg recvmsg
#else
static ssize_t sys_send(int fd, const void *buf, size_t len, int flags) {
  return syscall(SYS_sendto, fd, buf, len, flags, NULL, 0);
}
static ssize_t sys_recv(int fd, void *buf, size_t len, int flags) {
  return syscall(SYS_recvfrom, fd, buf, len, flags, NULL, NULL);
}
static ssize_t sys_sendmsg(int fd, const struct msghdr *m, int flags) {
  return syscall(SYS_sendmsg, fd, m, flags);
}
static ssize_t sys_recvmsg(int fd, struct msghdr *m, int flags) {
  return syscall(SYS_recvmsg, fd, m, flags);
}
#endif

#if defined(__x86_64__)
/* The budget of issue 3: 128 bytes of heap per pending request, the
 * allocator's 8-byte header included (bench/echo/ws2-mem.c). */
_Static_assert(sizeof(ws2__bop_t) <= 120,
               "ws2__bop_t outgrew the 128-byte per-request budget");
#endif

/* The Windows flags a send or receive accepts. */
#define WFLAGS_OK                                                 \
  (WS_MSG_OOB | WS_MSG_PEEK | WS_MSG_DONTROUTE | WS_MSG_WAITALL | \
   WS_MSG_PARTIAL | WS_MSG_PUSH_IMMEDIATE)

int ws2__bop_init(ws2__bop_t *op, ws2__bsock_t *s, LPWSABUF bufs, DWORD n,
                  DWORD wflags, int wr) {
  struct iovec *v;
  DWORD i;

  op->req.u.f.io = &s->io;
  op->qnode.next = NULL;
  op->status = 0;
  op->bytes = 0;
  op->niov = op->iov_pos = 0;
  op->wr = wr != 0;
  op->waitall = op->drained = op->oob = op->iov_heap = 0;
  op->lflags = 0;
  if (n > 0 && !bufs) return WSAEFAULT;
  if (wflags & ~(DWORD)WFLAGS_OK) return WSAEOPNOTSUPP;
  /* Expedited data exists only on streams. */
  if ((wflags & WS_MSG_OOB) && s->type != WS_SOCK_STREAM) return WSAEOPNOTSUPP;
  if (n > UINT16_MAX) return WSAENOBUFS; /* Linux takes 1024 (IOV_MAX) */
  op->lflags = (uint8_t)(((wflags & WS_MSG_OOB) ? MSG_OOB : 0) |
                         ((wflags & WS_MSG_PEEK) ? MSG_PEEK : 0) |
                         ((wflags & WS_MSG_DONTROUTE) ? MSG_DONTROUTE : 0));
  op->waitall = !wr && (wflags & WS_MSG_WAITALL) && s->type == WS_SOCK_STREAM &&
                !(wflags & WS_MSG_PEEK);
  if (n > 1 && op->iov_room && n <= WS2__BOP_STACK_IOV) {
    op->iov.many = ((ws2__bop_stack_t *)op)->iov;
  } else if (n > 1) {
    if (!(op->iov.many = ws2__malloc(n * sizeof(struct iovec))))
      return WSAENOBUFS;
    op->iov_heap = 1;
  }
  op->niov = (uint16_t)n;
  v = ws2__bop_iov(op);
  for (i = 0; i < n; i++) {
    v[i].iov_base = bufs[i].buf;
    v[i].iov_len = bufs[i].len;
  }
  return 0;
}

void ws2__bop_fini(ws2__bop_t *op) {
  if (op->niov > 1 && op->iov_heap) ws2__free(op->iov.many);
  op->niov = 0;
  if (op->x) {
    ws2__free(op->x->ctl);
    op->x->ctl = NULL;
    ws2__free(op->x->state);
    op->x->state = NULL;
  }
}

size_t ws2__bop_room(ws2__bop_t *op) {
  struct iovec *v = ws2__bop_iov(op);
  size_t room = 0;
  unsigned i;
  for (i = op->iov_pos; i < op->niov; i++) room += v[i].iov_len;
  return room;
}

/* Drops the first `n` bytes of the remaining buffers (and the empty ones
 * that follow): the request is full or sent when none remain. */
static void iov_advance(ws2__bop_t *op, size_t n) {
  struct iovec *v = ws2__bop_iov(op);
  while (n > 0 && op->iov_pos < op->niov) {
    struct iovec *c = &v[op->iov_pos];
    if (n < c->iov_len) {
      c->iov_base = (char *)c->iov_base + n;
      c->iov_len -= n;
      return;
    }
    n -= c->iov_len;
    op->iov_pos++;
  }
  while (op->iov_pos < op->niov && v[op->iov_pos].iov_len == 0) op->iov_pos++;
}

/* The result flags a completion reports. */
static DWORD result_flags(const ws2__bop_t *op) {
  return (op->x ? op->x->wflags : 0) | (op->oob ? (DWORD)WS_MSG_OOB : 0);
}

/* Linux says EPIPE for three different Windows errors: a send after our
 * own shutdown (WSAESHUTDOWN), on a socket never connected (WSAENOTCONN),
 * and on a connection the peer tore down (WSAECONNRESET). */
static int fail_errno(ws2__bop_t *op, int err) {
  uint32_t f = ws2__bop_sock(op)->flags;
  if (err == EPIPE && op->wr && (f & WS2__BS_SHUT_WR))
    op->status = STATUS_PIPE_DISCONNECTED_; /* WSAESHUTDOWN */
  else if (err == EPIPE)
    op->status =
        ws2__errno_to_ntstatus((f & WS2__BS_CONNECTED) ? ECONNRESET : ENOTCONN);
  else
    op->status = ws2__errno_to_ntstatus(err);
  return 1;
}

/*
 * A UDP call that met an ICMP error the kernel queued (IP_RECVERR, see
 * ws2__bsp_sockopt_defaults; Linux reports it to the next call of either
 * direction, and that call does nothing else): whether it is a reset
 * the application must hear of, as WSAECONNRESET on a receive: a port
 * unreachable, unless SIO_UDP_CONNRESET turned it off. The other errors
 * are no call's business. Reads the error queue empty (while it holds
 * something, poll says POLLERR).
 */
static int udp_icmp_is_reset(ws2__bsock_t *s, int err) {
  char ctl[512];
  struct msghdr m;
  memset(&m, 0, sizeof(m));
  for (;;) { /* the queued errors themselves: dropped */
    m.msg_control = ctl;
    m.msg_controllen = sizeof(ctl);
    if (recvmsg(s->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) break;
  }
  return err == ECONNREFUSED &&
         !(atomic_load(&s->flags) & WS2__BS_NO_CONNRESET);
}

static int udp_icmp_error(int err) {
  return err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH;
}

int ws2__bop_attempt_send(ws2__bop_t *op) {
  ws2__bsock_t *s = ws2__bop_sock(op);
  ws2__bop_ext_t *x = op->x;
  int icmp_errors = 0;
  for (;;) {
    ssize_t n;
    if (!x && op->niov - op->iov_pos == 1) { /* cheaper for Linux */
      struct iovec *v = ws2__bop_iov(op) + op->iov_pos;
      n = sys_send(s->fd, v->iov_base, v->iov_len, op->lflags | MSG_NOSIGNAL);
    } else {
      struct msghdr m;
      ws2__bop_msghdr(op, &m);
      if (x) {
        m.msg_name = x->addrlen ? &x->addr : NULL;
        m.msg_namelen = x->addrlen;
        m.msg_control = x->ctllen ? x->ctl : NULL;
        m.msg_controllen = x->ctllen;
      }
      n = sys_sendmsg(s->fd, &m, op->lflags | MSG_NOSIGNAL);
    }
    if (n < 0) {
      int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK) return 0;
      if (s->type == WS_SOCK_DGRAM && udp_icmp_error(e) && icmp_errors++ < 8) {
        /* An earlier datagram's ICMP error, not this one's: the receive
         * side's business (Windows reports it to the next receive); the
         * datagram is sent again. */
        if (udp_icmp_is_reset(s, e))
          atomic_fetch_or(&s->rd_marks, WS2__RD_ICMP_RESET);
        continue;
      }
      return fail_errno(op, e);
    }
    op->bytes += (uint32_t)n;
    /* A stream send completes when all of it is sent, as on Windows. */
    if (s->type != WS_SOCK_STREAM) return 1;
    iov_advance(op, (size_t)n);
    if (op->iov_pos == op->niov) return 1;
  }
}

/*
 * Whether a stream read that got n of the `want` bytes it asked for
 * proves the receive queue empty, so that the next receive skips the
 * system call that would only say EAGAIN and waits for the engine at
 * once. Linux's TCP read returns less than asked only when the queue ran
 * dry, at the urgent mark, or at the end of the stream. Data arriving
 * after the read raises a new edge in the engine; urgent data and the end
 * of the stream raise WS2__EV_URGENT / WS2__EV_HANGUP when they arrive,
 * and from then on the socket stops inferring (rd_marks), since they may
 * have arrived before the read and left bytes behind it.
 */
static int recv_drained(const ws2__bop_t *op, ssize_t n, size_t want) {
  const ws2__bsock_t *s = ws2__bop_sock(op);
  return n > 0 && (size_t)n < want && s->type == WS_SOCK_STREAM &&
         s->af != WS_AF_UNIX && !(atomic_load(&s->rd_marks) & WS2__RD_MARKS) &&
         !op->lflags;
}

static int attempt_recv(ws2__bop_t *op) {
  ws2__bsock_t *s = ws2__bop_sock(op);
  ws2__bop_ext_t *x = op->x;
  if (s->type == WS_SOCK_DGRAM &&
      (atomic_fetch_and(&s->rd_marks, ~WS2__RD_ICMP_RESET) &
       WS2__RD_ICMP_RESET) &&
      !(atomic_load(&s->flags) & WS2__BS_NO_CONNRESET)) {
    /* A send met the port unreachable first (ws2__bop_attempt_send). */
    op->status = ws2__errno_to_ntstatus(ECONNRESET);
    return 1;
  }
  for (;;) {
    ssize_t n;
    size_t want = op->niov - op->iov_pos == 1
                      ? ws2__bop_iov(op)[op->iov_pos].iov_len
                      : ws2__bop_room(op);
    struct msghdr m;
    ws2__bop_msghdr(op, &m);
    /* A plain stream read into one buffer has no flags to report: recv
     * is cheaper for Linux than recvmsg. */
    if (m.msg_iovlen == 1 && !x && !op->lflags && s->type == WS_SOCK_STREAM)
      n = sys_recv(s->fd, m.msg_iov->iov_base, m.msg_iov->iov_len, 0);
    else {
      if (x && x->from) {
        m.msg_name = &x->addr;
        m.msg_namelen = sizeof(x->addr);
      }
      n = sys_recvmsg(s->fd, &m, op->lflags);
    }
    if (n < 0) {
      int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK) return 0;
      if (s->type == WS_SOCK_DGRAM && udp_icmp_error(e)) {
        if (!udp_icmp_is_reset(s, e)) continue;
        op->status = ws2__errno_to_ntstatus(ECONNRESET);
        return 1;
      }
      return fail_errno(op, e);
    }
    if (x) x->addrlen = m.msg_namelen;
    op->bytes += (uint32_t)n;
    if (m.msg_flags & MSG_OOB) op->oob = 1;
    if (m.msg_flags & MSG_TRUNC) {
      /* A datagram larger than the buffers: the part that fits, and
       * WSAEMSGSIZE (STATUS_BUFFER_OVERFLOW), as Windows reports it. */
      op->status = STATUS_BUFFER_OVERFLOW_;
      return 1;
    }
    if (op->waitall && n > 0) {
      iov_advance(op, (size_t)n);
      if (op->iov_pos < op->niov) continue;
    }
    /* The callers that hold the socket's lock act on it (no lock here:
     * a synchronous call runs this too). */
    op->drained = (uint8_t)recv_drained(op, n, want);
    return 1;
  }
}

/* Writes what a receive learnt about its source into the caller's
 * out-parameters (at completion, as Windows does). */
static void publish_from(ws2__bop_t *op) {
  ws2__bop_ext_t *x = op->x;
  if (x && x->from && x->fromlen && x->addrlen > 0)
    ws2__addr_from_linux((struct sockaddr *)&x->addr, x->addrlen, x->from,
                         x->fromlen);
}

/* The receive or send queue of the request's direction, and its flag. */
#define QUEUE_OF(s, op) ((op)->wr ? &(s)->wr_ops : &(s)->rd_ops)
#define READY_OF(s, op) ((op)->wr ? &(s)->wr_ready : &(s)->rd_ready)

/* Performs the request's system call (ws2__bop_fn). */
static int attempt(ws2__bop_t *op) {
  if (op->x && op->x->attempt) return op->x->attempt(op);
  return op->wr ? ws2__bop_attempt_send(op) : attempt_recv(op);
}

/* s->lock held. Tries op inline when nothing is queued before it
 * (requests complete in the order they were issued) and its direction
 * may be ready; 0 when it would block (or was not tried). */
static int try_inline_locked(ws2__bsock_t *s, ws2__bop_t *op) {
  int done = 0, *ready = READY_OF(s, op);
  if (ws2__list_empty(QUEUE_OF(s, op)) && *ready) {
    done = attempt(op);
    if (!done || op->drained) *ready = 0;
  }
  return done;
}

/* s->lock held. op waits in its queue for the engine. */
static void queue_locked(ws2__bsock_t *s, ws2__bop_t *op) {
  ws2__list_push_back(QUEUE_OF(s, op), &op->qnode);
  s->engine->ops->arm(s->engine, s, op->wr ? WS2__EV_WRITE : WS2__EV_READ);
}

/* The network event a receive re-enables (netevents.c), or 0. */
static LONG rd_event(const ws2__bop_t *op) {
  return op->wr ? 0 : (op->lflags & MSG_OOB) ? FD_OOB : FD_READ;
}

/* A receive or send call re-enables its network events. */
static void reenable_after(ws2__bop_t *op, int result) {
  if (!op->wr)
    ws2__bsp_reenable(ws2__bop_sock(op), rd_event(op));
  else if (result == WSAEWOULDBLOCK)
    ws2__bsp_reenable(ws2__bop_sock(op), FD_WRITE);
}

static int run_sync(ws2__bop_t *op);

int ws2__bop_run_sync(ws2__bop_t *op) {
  int r = run_sync(op);
  if (ws2__bop_sock(op)->ev_mask) reenable_after(op, r);
  return r;
}

static int run_sync(ws2__bop_t *op) {
  ws2__bsock_t *s = ws2__bop_sock(op);
  for (;;) {
    int r;
    if (attempt(op)) break;
    if (s->flags & WS2__BS_NONBLOCKING) {
      /* A non-blocking stream send that got part of the way says so. */
      if (op->wr && op->bytes > 0) break;
      return WSAEWOULDBLOCK;
    }
    r = ws2__bsock_wait(s, op->wr ? POLLOUT : POLLIN | POLLPRI,
                        __atomic_load_n(op->wr ? &s->sndtimeo : &s->rcvtimeo,
                                        __ATOMIC_RELAXED));
    if (r) return r;
  }
  publish_from(op);
  return op->status ? ws2__ntstatus_to_wsa(op->status) : 0;
}

static void bop_free(ws2__req_t *req) {
  ws2__bop_t *op = ws2__container_of(req, ws2__bop_t, req);
  ws2__bop_fini(op);
  if (op->x && op->x->other) ws2__bsock_unref(op->x->other);
  ws2__free(op);
}

/* The cancel hook: a request still queued is taken out and completes
 * cancelled; one the engine is running completes with its own result.
 * The request may have completed already: its socket is `io`. */
static void bop_cancel(ws2__req_t *req, ws2__io_t *io) {
  ws2__bop_t *op = ws2__container_of(req, ws2__bop_t, req);
  ws2__bsock_t *s = (ws2__bsock_t *)(void *)io, *q;
  int queued;
  /* The queue changes only under op->sock's lock: take that first (the
   * lock order is issuing socket, then the other one). */
  pthread_mutex_lock(&s->lock);
  q = op->x && op->x->qsock ? op->x->qsock : s;
  if (q != s) pthread_mutex_lock(&q->lock);
  queued = ws2__node_linked(&op->qnode);
  if (queued) ws2__list_remove(&op->qnode);
  if (q != s) pthread_mutex_unlock(&q->lock);
  pthread_mutex_unlock(&s->lock);
  if (queued) ws2__req_complete(req, STATUS_CANCELLED_, op->bytes, 0, 0);
}

static const ws2__req_ops_t bop_ops = {bop_cancel, bop_free, 0};

void ws2__bop_move(ws2__bop_t *op, ws2__bsock_t *s) {
  pthread_mutex_lock(&s->lock);
  op->x->qsock = s;
  ws2__list_push_back(&s->rd_ops, &op->qnode);
  s->engine->ops->arm(s->engine, s, WS2__EV_READ);
  pthread_mutex_unlock(&s->lock);
}

void ws2__bop_abort_queued(ws2__bsock_t *s) {
  for (;;) {
    ws2__node_t *n;
    pthread_mutex_lock(&s->lock);
    n = ws2__list_pop_front(&s->rd_ops);
    if (!n) n = ws2__list_pop_front(&s->wr_ops);
    pthread_mutex_unlock(&s->lock);
    if (!n) return;
    ws2__req_complete(&ws2__container_of(n, ws2__bop_t, qnode)->req,
                      STATUS_CANCELLED_, 0, 0, 0);
  }
}

/* A request with its extension in the same block. */
typedef struct {
  ws2__bop_t op;
  ws2__bop_ext_t x;
} bop_with_ext_t;

ws2__bop_t *ws2__bop_alloc(void) {
  bop_with_ext_t *b = ws2__malloc(sizeof(*b));
  if (!b) return NULL;
  memset(b, 0, sizeof(*b));
  b->op.x = &b->x;
  return &b->op;
}

int ws2__bop_submit(ws2__bop_t *op, LPWSAOVERLAPPED ovl, void *routine,
                    LPDWORD bytes, LPDWORD flags) {
  return ws2__bop_submit_as(op, ovl, WS2__ROUTINE_WSA, routine, bytes, flags,
                            NULL);
}

int ws2__bop_submit_as(ws2__bop_t *op, LPWSAOVERLAPPED ovl, int routine_kind,
                       void *routine, LPDWORD bytes, LPDWORD flags,
                       NTSTATUS *status) {
  ws2__bsock_t *s = ws2__bop_sock(op);
  LONG ev = rd_event(op);
  int done;

  if (ws2__req_init(&op->req, &s->io, ovl, routine_kind, routine, &bop_ops)) {
    bop_free(&op->req);
    return WSAENOBUFS;
  }
  op->req.record_flags = 1;
  pthread_mutex_lock(&s->lock);
  if (s->flags & WS2__BS_CLOSING) {
    pthread_mutex_unlock(&s->lock);
    ws2__req_discard(&op->req, STATUS_CANCELLED_);
    return WSAENOTSOCK;
  }
  done = try_inline_locked(s, op);
  if (!done) queue_locked(s, op);
  pthread_mutex_unlock(&s->lock);
  /* A queued op may be complete and gone already: only ev from here. */
  if (s->ev_mask && ev) ws2__bsp_reenable(s, ev);
  if (done != 1) return WSA_IO_PENDING;

  publish_from(op);
  if (status) *status = op->status;
  if (!WS2_NT_SUCCESS(op->status) && op->status != STATUS_BUFFER_OVERFLOW_) {
    /* Failed at once: nothing was started, nothing will be notified. */
    int err = ws2__ntstatus_to_wsa(op->status);
    ws2__req_discard(&op->req, op->status);
    return err;
  }
  if (bytes) *bytes = op->bytes;
  if (flags) *flags = result_flags(op);
  {
    NTSTATUS st = op->status;
    ws2__req_complete(&op->req, st, op->bytes, result_flags(op), 1);
    return st ? ws2__ntstatus_to_wsa(st) : 0;
  }
}

/* Moves a request prepared on the stack to the heap: only as much as it
 * uses (its extension, if any, in the same block); an allocated buffers
 * array and control buffer move with it. */
static ws2__bop_t *to_heap(ws2__bop_t *sop) {
  /* Buffers kept beside a stack request go at the end of the block. */
  size_t iovs = sop->niov > 1 && !sop->iov_heap
                    ? (size_t)sop->niov * sizeof(struct iovec)
                    : 0;
  size_t head = sop->x ? sizeof(bop_with_ext_t) : sizeof(ws2__bop_t);
  char *block = ws2__malloc(head + iovs);
  ws2__bop_t *op = (ws2__bop_t *)(void *)block;
  if (!block) return NULL;
  *op = *sop;
  if (sop->x) {
    bop_with_ext_t *b = (bop_with_ext_t *)(void *)block;
    b->x = *sop->x;
    op->x = &b->x;
    sop->x->ctl = NULL; /* owned by op now */
    sop->x->state = NULL;
  }
  if (iovs) {
    op->iov.many = (struct iovec *)(void *)(block + head);
    memcpy(op->iov.many, sop->iov.many, iovs);
  }
  op->iov_room = 0;
  op->qnode.next = NULL;
  sop->niov = 0; /* the buffers array, if any, is op's now */
  return op;
}

static int submit_stack(ws2__bop_t *sop, LPWSAOVERLAPPED ovl, int routine_kind,
                        void *routine, LPDWORD bytes, LPDWORD flags,
                        NTSTATUS *status) {
  ws2__bsock_t *s = ws2__bop_sock(sop);
  LONG ev = rd_event(sop);
  ws2__bop_t *op;
  int done;

  if (routine || ws2__io_inline_needs_req(&s->io, ovl)) {
    /* A packet or an APC will outlive the call: the usual path. */
    if (!(op = to_heap(sop))) return WSAENOBUFS;
    return ws2__bop_submit_as(op, ovl, routine_kind, routine, bytes, flags,
                              status);
  }
  pthread_mutex_lock(&s->lock);
  if (s->flags & WS2__BS_CLOSING) {
    pthread_mutex_unlock(&s->lock);
    return WSAENOTSOCK;
  }
  done = try_inline_locked(s, sop);
  if (!done) {
    /* It has to wait: now it needs a request of its own. */
    if (!(op = to_heap(sop))) {
      pthread_mutex_unlock(&s->lock);
      return WSAENOBUFS;
    }
    if (ws2__req_init(&op->req, &s->io, ovl, routine_kind, NULL, &bop_ops)) {
      pthread_mutex_unlock(&s->lock);
      bop_free(&op->req);
      return WSAENOBUFS;
    }
    op->req.record_flags = 1;
    queue_locked(s, op);
    pthread_mutex_unlock(&s->lock);
    if (s->ev_mask && ev) ws2__bsp_reenable(s, ev);
    return WSA_IO_PENDING;
  }
  pthread_mutex_unlock(&s->lock);
  if (s->ev_mask && ev) ws2__bsp_reenable(s, ev);
  publish_from(sop);
  if (status) *status = sop->status;
  if (!WS2_NT_SUCCESS(sop->status) && sop->status != STATUS_BUFFER_OVERFLOW_) {
    /* Failed at once: nothing was started, nothing will be notified. */
    __atomic_store_n(&ovl->Internal, (ULONG_PTR)(uint32_t)sop->status,
                     __ATOMIC_RELEASE);
    return ws2__ntstatus_to_wsa(sop->status);
  }
  if (bytes) *bytes = sop->bytes;
  if (flags) *flags = result_flags(sop);
  ws2__io_complete_inline(&s->io, ovl, sop->status, sop->bytes,
                          result_flags(sop), 1);
  return sop->status ? ws2__ntstatus_to_wsa(sop->status) : 0;
}

int ws2__bop_execute(ws2__bop_t *sop, LPWSAOVERLAPPED ovl, int routine_kind,
                     void *routine, LPDWORD bytes, LPDWORD flags,
                     NTSTATUS *status) {
  int r;
  if (ovl) {
    r = submit_stack(sop, ovl, routine ? routine_kind : WS2__ROUTINE_NONE,
                     routine, bytes, flags, status);
  } else {
    r = ws2__bop_run_sync(sop);
    if (status) *status = sop->status;
    if (r == 0 || r == WSAEMSGSIZE) {
      if (bytes) *bytes = sop->bytes;
      if (flags) *flags = result_flags(sop);
    }
  }
  ws2__bop_fini(sop);
  return r;
}

/* Finished requests, completed once the socket's lock is released. */
#define DONE_BATCH 32
typedef struct {
  ws2__bop_t *op[DONE_BATCH];
  int n;
} done_t;

/* Runs queued requests in order until one would block (or the batch is
 * full: 0 is returned and the caller comes back for the rest). */
static int run_queue(ws2__list_t *q, int *ready, done_t *done) {
  ws2__node_t *n;
  *ready = 1;
  while ((n = ws2__list_first(q)) != NULL) {
    ws2__bop_t *op = ws2__container_of(n, ws2__bop_t, qnode);
    int r;
    if (done->n == DONE_BATCH) return 0;
    /* Taken out first: an attempt that moves the request relinks it. */
    ws2__list_remove(n);
    r = attempt(op);
    if (r == 0) {
      ws2__list_push_front(q, n);
      *ready = 0;
      break;
    }
    if (r == 1) done->op[done->n++] = op;
    if (r == 1 && op->drained) { /* it drained the socket (recv_drained) */
      *ready = 0;
      break;
    }
  }
  return 1;
}

void ws2__bsp_ready(ws2__bsock_t *s, uint32_t events) {
  done_t done;
  int all, i;

  do {
    uint32_t rearm = 0;
    done.n = 0;
    all = 1;
    pthread_mutex_lock(&s->lock);
    if (events & (WS2__EV_URGENT | WS2__EV_HANGUP))
      atomic_fetch_or(&s->rd_marks, WS2__RD_MARKS);
    if (events & WS2__EV_READ)
      all &= run_queue(&s->rd_ops, &s->rd_ready, &done);
    if (events & WS2__EV_WRITE)
      all &= run_queue(&s->wr_ops, &s->wr_ready, &done);
    if (!ws2__list_empty(&s->rd_ops)) rearm |= WS2__EV_READ;
    if (!ws2__list_empty(&s->wr_ops)) rearm |= WS2__EV_WRITE;
    if (rearm) s->engine->ops->arm(s->engine, s, rearm);
    /* Nothing waits to send: stop watching the send side (FD_WRITE and
     * FD_CONNECT arm it again through the network-event check below). */
    if ((events & WS2__EV_WRITE) && !(rearm & WS2__EV_WRITE))
      s->engine->ops->disarm(s->engine, s, WS2__EV_WRITE);
    pthread_mutex_unlock(&s->lock);

    /* Complete outside the socket's lock: completion posts packets, sets
     * events and wakes threads. */
    for (i = 0; i < done.n; i++) {
      ws2__bop_t *op = done.op[i];
      publish_from(op);
      ws2__req_complete(&op->req, op->status, op->bytes, result_flags(op), 0);
    }
  } while (!all);
  if (s->ev_mask) ws2__bsp_netevents(s, events);
}

/* ReadFile and WriteFile on a socket: recv and send, the Win32 way. */
static DWORD bsock_rw(ws2__io_t *io, int write, void *buf, DWORD len,
                      LPDWORD done, LPOVERLAPPED ovl,
                      LPOVERLAPPED_COMPLETION_ROUTINE routine) {
  ws2__bsock_t *s = ws2__bsock_get(((ws2__bsock_t *)io)->handle);
  ws2__bop_t op;
  NTSTATUS st = 0;
  WSABUF b;
  int r;

  if (!s) return ERROR_INVALID_HANDLE;
  b.buf = buf;
  b.len = len;
  memset(&op, 0, sizeof(op));
  r = ws2__bop_init(&op, s, &b, 1, 0, write);
  if (r == 0)
    r = ws2__bop_execute(&op, ovl, WS2__ROUTINE_FILE, (void *)routine, done,
                         NULL, &st);
  else
    ws2__bop_fini(&op);
  ws2__bsock_unref(s);
  if (r == 0) return 0;
  if (r == WSA_IO_PENDING) return ERROR_IO_PENDING;
  /* Failures read as Win32 errors (ERROR_NETNAME_DELETED for a reset). */
  return st ? ws2__ntstatus_to_win32(st) : (DWORD)r;
}

const ws2__io_fops_t ws2__bsock_fops = {bsock_rw};
