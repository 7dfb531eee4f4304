/*
 * socket.c: the base provider's socket object.
 *
 * Closing the last handle (closesocket) cancels every request in flight,
 * each of which completes once with STATUS_CANCELLED
 * (WSA_OPERATION_ABORTED), and detaches the socket from its engine. The
 * Linux fd is closed, and the memory freed, only when the last reference
 * goes: requests, the engine and lookups in progress all hold one, so an
 * event or completion racing the close never touches freed memory.
 */
#include "provider/base/bsp.h"

#include "core/alloc.h"
#include "provider/base/engine.h"
#include "provider/base/ops.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
/* The budget of issue 3: 512 bytes of heap per open socket, allocator
 * header and the socket's share of the handle table included
 * (bench/echo/ws2-mem.c measures it). */
_Static_assert(sizeof(ws2__bsock_t) <= 472,
               "ws2__bsock_t outgrew the 512-byte per-socket budget");
#endif

/* Closes the Linux socket, once. The number may be reused at once. */
static void close_fd(ws2__bsock_t *s) {
  if (atomic_exchange(&s->fd_closed, 1) == 0) close(s->fd);
}

/* The sockets whose last handle is not closed yet (ws2__bsock_snapshot).
 * A socket leaves in its close hook, while the handle table still holds
 * its reference, so a snapshot never references a dying socket. */
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static ws2__list_t all_sockets = {{&all_sockets.head, &all_sockets.head}};

size_t ws2__bsock_snapshot(ws2__bsock_t ***out) {
  ws2__bsock_t **v = NULL;
  size_t n = 0, cap = 0;
  ws2__node_t *node;
  pthread_mutex_lock(&all_lock);
  ws2__list_foreach(node, &all_sockets) cap++;
  if (cap && (v = ws2__malloc(cap * sizeof(*v))) != NULL) {
    ws2__list_foreach(node, &all_sockets) {
      ws2__bsock_t *s = ws2__container_of(node, ws2__bsock_t, all_node);
      ws2__obj_ref(&s->io.obj);
      v[n++] = s;
    }
  }
  pthread_mutex_unlock(&all_lock);
  *out = v;
  return n;
}

static void bsock_close(ws2__obj_t *obj) {
  ws2__bsock_t *s = ws2__container_of(obj, ws2__bsock_t, io.obj);
  pthread_mutex_lock(&all_lock);
  if (ws2__node_linked(&s->all_node)) ws2__list_remove(&s->all_node);
  pthread_mutex_unlock(&all_lock);
  /* The close counts as a call inside: the descriptor must outlive the
   * engine's detach below (epoll_ctl names it), even if a request that
   * referenced the socket drops the last other user meanwhile. */
  atomic_fetch_add(&s->users, 1);
  pthread_mutex_lock(&s->lock);
  s->flags |= WS2__BS_CLOSING;
  pthread_mutex_unlock(&s->lock);
  /* Requests in flight end as aborted: cancel them before anything could
   * complete them otherwise. */
  ws2__io_cancel(&s->io, NULL, NULL);
  ws2__bsp_ioctl_closing(s); /* its FD_*_CHANGE watches */
  /* Requests of other sockets waiting in this one's queues (AcceptEx
   * waiting for first data on its accept socket) end too. */
  ws2__bop_abort_queued(s);
  /* Then wake whatever is blocked on this socket in another thread (a
   * blocking recv or accept): it sees CLOSING and fails with WSAEINTR, as
   * a blocking call interrupted by closesocket does. Only then: a shutdown
   * would otherwise turn an abortive close (SO_LINGER 0) into a FIN. */
  if (atomic_load(&s->blocked) > 0) shutdown(s->fd, SHUT_RDWR);
  if (s->engine) s->engine->ops->detach(s->engine, s);
  /* The port and the address are free when closesocket returns, as on
   * Windows, unless a call in another thread is still inside. */
  if (atomic_fetch_sub(&s->users, 1) == 1) close_fd(s);
}

void ws2__bsock_hint_ready(ws2__bsock_t *s, int rd, int wr) {
  pthread_mutex_lock(&s->lock);
  if (rd) s->rd_ready = 1;
  if (wr) s->wr_ready = 1;
  pthread_mutex_unlock(&s->lock);
}

static void bsock_destroy(ws2__obj_t *obj) {
  ws2__bsock_t *s = ws2__container_of(obj, ws2__bsock_t, io.obj);
  if (s->fd >= 0) close_fd(s);
  ws2__bsp_ioctl_destroy(s);
  pthread_mutex_destroy(&s->lock);
  ws2__io_fini(&s->io);
  ws2__free(s);
}

const ws2__objtype_t ws2__bsock_type = {"socket", WS2__OBJ_IO, bsock_close,
                                        bsock_destroy};

int ws2__bsock_new(int fd, int af, int type, int protocol, ws2__bsock_t **out) {
  ws2__engine_t *engine = ws2__engine_get();
  ws2__bsock_t *s;
  int fl;

  if (!engine) return WSAENETDOWN;
  fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
      fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
    return WSAENOTSOCK;
  if (!(s = ws2__calloc(1, sizeof(*s)))) return WSAENOBUFS;
  ws2__io_init(&s->io, &ws2__bsock_type);
  s->io.fops = &ws2__bsock_fops;
  s->fd = fd;
  s->af = af;
  s->type = type;
  s->protocol = protocol;
  pthread_mutex_init(&s->lock, NULL);
  ws2__list_init(&s->rd_ops);
  ws2__list_init(&s->wr_ops);
  s->rd_ready = s->wr_ready = 1;
  /* Set before attaching: an event may be reported at once. */
  s->engine = engine;
  if (engine->ops->attach(engine, s) != 0) {
    s->fd = -1; /* the caller still owns fd */
    s->engine = NULL;
    ws2__obj_unref(&s->io.obj);
    return WSAENOBUFS;
  }
  pthread_mutex_lock(&all_lock);
  ws2__list_push_back(&all_sockets, &s->all_node);
  pthread_mutex_unlock(&all_lock);
  *out = s;
  return 0;
}

int ws2__bsock_wait(ws2__bsock_t *s, short events, DWORD timeout_ms) {
  struct pollfd p;
  int r, closing;
  p.fd = s->fd;
  p.events = events;
  atomic_fetch_add(&s->blocked, 1);
  /* A close that started before we counted ourselves will not wake us. */
  pthread_mutex_lock(&s->lock);
  closing = s->flags & WS2__BS_CLOSING;
  pthread_mutex_unlock(&s->lock);
  r = closing ? 1 : poll(&p, 1, timeout_ms ? (int)timeout_ms : -1);
  atomic_fetch_sub(&s->blocked, 1);
  if (r == 0) return WSAETIMEDOUT;
  pthread_mutex_lock(&s->lock);
  closing = s->flags & WS2__BS_CLOSING;
  pthread_mutex_unlock(&s->lock);
  if (closing) return WSAEINTR;
  return 0; /* ready, or EINTR: the caller tries again */
}

void ws2__bsock_discard(ws2__bsock_t *s) {
  bsock_close(&s->io.obj);
  ws2__obj_unref(&s->io.obj);
}

ws2__bsock_t *ws2__bsock_get(SOCKET h) {
  ws2__obj_t *obj = ws2__handle_get((HANDLE)h, &ws2__bsock_type);
  ws2__bsock_t *s;
  if (!obj) return NULL;
  s = ws2__container_of(obj, ws2__bsock_t, io.obj);
  /* Count ourselves in, then look at CLOSING; the closer sets CLOSING,
   * then looks at the count: one of the two sees the other. */
  atomic_fetch_add(&s->users, 1);
  if (s->flags & WS2__BS_CLOSING) {
    ws2__bsock_unref(s);
    return NULL;
  }
  return s;
}

/* A call leaves: the last one out of a closing socket closes its fd. */
static void users_leave(ws2__bsock_t *s) {
  if (atomic_fetch_sub(&s->users, 1) == 1 && (s->flags & WS2__BS_CLOSING))
    close_fd(s);
}

void ws2__bsock_unref(ws2__bsock_t *s) {
  users_leave(s);
  ws2__obj_unref(&s->io.obj);
}

ws2__bsock_t *ws2__bsock_pin(SOCKET h) {
  ws2__obj_t *obj = ws2__handle_pin((HANDLE)h, &ws2__bsock_type);
  ws2__bsock_t *s;
  if (!obj) return NULL;
  s = ws2__container_of(obj, ws2__bsock_t, io.obj);
  atomic_fetch_add(&s->users, 1); /* as ws2__bsock_get does */
  if (s->flags & WS2__BS_CLOSING) {
    ws2__bsock_unpin(s, h);
    return NULL;
  }
  return s;
}

void ws2__bsock_unpin(ws2__bsock_t *s, SOCKET h) {
  users_leave(s);
  ws2__handle_unpin((HANDLE)h);
}
