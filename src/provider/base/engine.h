/*
 * engine.h: where the base provider's sockets wait for readiness.
 *
 * Every request first tries its system call inline (ops.c). Only a request
 * that would block is queued on its socket, and the socket is armed in
 * the engine: when the kernel says the socket is readable or writable,
 * the engine calls ws2__bsp_ready(), which runs the queued requests in
 * order until one would block again and completes those that finished.
 *
 * Two engines implement this interface and are chosen at run time:
 * io_uring (IORING_OP_POLL_ADD) and epoll (edge-triggered). WS2_ENGINE=epoll
 * or WS2_ENGINE=io_uring forces one; otherwise io_uring is probed (a
 * seccomp profile or kernel.io_uring_disabled may refuse it) and epoll is
 * the fallback. Each engine runs one reaper thread that waits for the
 * kernel's events and runs the ready sockets' requests.
 *
 * Locking: arm() is called with the socket's lock held; the engine calls
 * ws2__bsp_ready() with no engine lock held. The engine holds a reference
 * on every attached socket until detach() has taken effect and no event
 * for it can still be in flight.
 */
#ifndef WS2_PROVIDER_BASE_ENGINE_H
#define WS2_PROVIDER_BASE_ENGINE_H

#include "provider/base/bsp.h"

/* How long the engine's thread lets application threads go without
 * polling before it polls itself (core/poller.h). */
#define WS2__FALLBACK_MS 50

/* The most ready sockets one engine round runs. Each ready socket's
 * transfer lands in the application's buffer at once, but the application
 * reads that buffer only when the round's completions reach it: the round
 * is the distance, in bytes touched, between the two. 128 sockets of
 * 16 KiB each (2 MiB, the size of this machine's L2) made the echo server
 * at 256 connections x 16 KiB pay 20% more CPU per round trip, all of it
 * in copying from buffers no longer in cache; 16 keep it in cache, and
 * cost nothing at 64 bytes. Readiness not taken in a round stays with the
 * kernel (epoll's ready list, the completion ring) and the next round
 * takes it without waiting. */
#define WS2__ENGINE_BATCH 16

/* Readiness bits, as in poll(2). Engines report URGENT (urgent data
 * arrived: POLLPRI) and HANGUP (end of stream, reset or error: POLLRDHUP,
 * POLLHUP, POLLERR) together with READ; they tell ops.c that a short read
 * may have stopped at the urgent mark or the end of the stream. */
#define WS2__EV_READ 0x1
#define WS2__EV_URGENT 0x2
#define WS2__EV_WRITE 0x4
#define WS2__EV_HANGUP 0x10

typedef struct ws2__engine ws2__engine_t;

typedef struct ws2__engine_ops {
  const char *name;
  /* Attaches a new socket (its fd is non-blocking). 0 or -errno. */
  int (*attach)(ws2__engine_t *e, ws2__bsock_t *s);
  /* The socket has requests waiting for `events`; s->lock is held. */
  void (*arm)(ws2__engine_t *e, ws2__bsock_t *s, uint32_t events);
  /* The socket is closing: no more events; the engine drops its
   * reference on s once no event for it can be in flight. */
  void (*detach)(ws2__engine_t *e, ws2__bsock_t *s);
  /* s->fd now names another socket (AcceptEx, DisconnectEx reuse); the
   * socket has no request waiting. 0 or -errno. */
  int (*fd_changed)(ws2__engine_t *e, ws2__bsock_t *s);
  /* Nothing waits for `events` on s any more; s->lock is held. */
  void (*disarm)(ws2__engine_t *e, ws2__bsock_t *s, uint32_t events);
} ws2__engine_ops_t;

struct ws2__engine {
  const ws2__engine_ops_t *ops;
  /* Detached sockets whose release (the engine's reference) still waits
   * for an event in flight to come back: what ws2__engine_settle waits
   * for. Engines count them. */
  _Atomic int releasing;
};

/*
 * Waits (up to a second) until the engine holds no detached socket: the
 * last WSACleanup calls it after closing every socket, so that what they
 * hold is freed before it returns (leak checkers at exit see nothing).
 */
void ws2__engine_settle(void);

/* The process's engine, started on first use (NULL if none could start:
 * the error is logged and socket creation fails with WSAENETDOWN). */
ws2__engine_t *ws2__engine_get(void);

/* Constructors, each returning NULL when the kernel refuses. */
ws2__engine_t *ws2__engine_epoll_new(void);
ws2__engine_t *ws2__engine_iouring_new(void);

/* Called by engines: s is ready for `events` (WS2__EV_*; errors and
 * hang-ups count as both). */
void ws2__bsp_ready(ws2__bsock_t *s, uint32_t events);

#endif /* WS2_PROVIDER_BASE_ENGINE_H */
