/*
 * engine-iouring.c: the io_uring engine, in readiness mode: a socket
 * waiting in one direction has one IORING_OP_POLL_ADD in flight for it
 * (level-checked when submitted, so arming after an EAGAIN cannot miss
 * data that arrived in between). The reaper thread is the only consumer
 * of completions; submitters share the submission queue under a lock.
 *
 * A poll's user_data is the socket pointer with the direction in its low
 * bits. The engine's reference on a socket is dropped by whichever of
 * detach() and the reaper sees the socket both detached and with no poll
 * in flight; s->lock orders the two.
 */
#include "provider/base/engine.h"

#include "core/alloc.h"
#include "core/log.h"
#include "core/poller.h"
#include "core/sync.h"

#include <errno.h>
#include <stdatomic.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#define TAG_READ 1u
#define TAG_WRITE 2u
#define TAG_MASK 3u
#define RING_ENTRIES 4096

typedef struct uring_engine {
  ws2__engine_t base;
  ws2__poller_t poller;
  int shared; /* the core's waits poll too (poller.h) */
  struct io_uring ring;
  pthread_mutex_t sq_lock;
} uring_engine_t;

/* The receive side is watched with a multishot poll (Linux 5.13): armed
 * once, it stays armed and reports each new readiness, so a receive that
 * has to wait costs no submission. The send side stays one-shot: armed
 * all the time it would report every ACK. Cleared if the kernel refuses
 * multishot polls (-EINVAL), after which both sides are one-shot. */
static _Atomic int ur_multishot = 1;

/* A poll's wake-ups are finished by task work in the thread that armed
 * it, woken for it if it sleeps. A multishot poll lives as long as its
 * socket, so the engine's own thread (which polls only as a fallback and
 * otherwise sleeps) arms one-shot polls: a multishot one would wake it
 * for every event on that socket for good. The next arm, by the
 * application thread that polls, is multishot. */
static __thread int ur_engine_thread;

/* Queues one SQE (a poll on s for tag when add, else the cancellation of
 * that poll), and submits. */
static void ur_submit(uring_engine_t *ue, ws2__bsock_t *s, uint32_t tag,
                      int add) {
  struct io_uring_sqe *sqe;
  uint64_t data = (uint64_t)(uintptr_t)s | tag;
  pthread_mutex_lock(&ue->sq_lock);
  sqe = io_uring_get_sqe(&ue->ring);
  if (!sqe) {
    io_uring_submit(&ue->ring);
    sqe = io_uring_get_sqe(&ue->ring);
  }
  if (sqe) {
    if (add && tag == TAG_READ && atomic_load(&ur_multishot) &&
        !ur_engine_thread) {
      io_uring_prep_poll_multishot(sqe, s->fd, POLLIN | POLLPRI | POLLRDHUP);
      io_uring_sqe_set_data64(sqe, data);
    } else if (add) {
      io_uring_prep_poll_add(
          sqe, s->fd, tag == TAG_READ ? POLLIN | POLLPRI | POLLRDHUP : POLLOUT);
      io_uring_sqe_set_data64(sqe, data);
    } else {
      /* An async cancel, not IORING_OP_POLL_REMOVE: a poll remove that
       * meets the poll while one of its wake-ups is being processed fails
       * with -EALREADY, and a multishot poll then stays armed for good
       * (the socket was never released). A cancel marks the poll and
       * always ends it with a final -ECANCELED completion. */
      io_uring_prep_cancel64(sqe, data, 0);
      io_uring_sqe_set_data64(sqe, 0);
    }
    io_uring_submit(&ue->ring);
  }
  pthread_mutex_unlock(&ue->sq_lock);
  if (!sqe) ws2__log(WS2__LOG_ERROR, "io_uring engine: submission queue full");
}

static int ur_attach(ws2__engine_t *e, ws2__bsock_t *s) {
  ws2__obj_ref(&s->io.obj);
  s->engine_armed = 0;
  s->engine_detached = 0;
  return 0;
}

static void ur_arm(ws2__engine_t *e, ws2__bsock_t *s, uint32_t events) {
  uring_engine_t *ue = (uring_engine_t *)e;
  if (s->engine_detached) return;
  if ((events & WS2__EV_READ) && !(s->engine_armed & TAG_READ)) {
    s->engine_armed |= TAG_READ;
    ur_submit(ue, s, TAG_READ, 1);
  }
  if ((events & WS2__EV_WRITE) && !(s->engine_armed & TAG_WRITE)) {
    s->engine_armed |= TAG_WRITE;
    ur_submit(ue, s, TAG_WRITE, 1);
  }
}

static void ur_detach(ws2__engine_t *e, ws2__bsock_t *s) {
  uring_engine_t *ue = (uring_engine_t *)e;
  uint32_t armed;
  pthread_mutex_lock(&s->lock);
  __atomic_store_n(&s->engine_detached, 1, __ATOMIC_RELEASE);
  armed = s->engine_armed;
  pthread_mutex_unlock(&s->lock);
  if (armed == 0) {
    ws2__obj_unref(&s->io.obj);
    return;
  }
  atomic_fetch_add(&ue->base.releasing, 1);
  if (armed & TAG_READ) ur_submit(ue, s, TAG_READ, 0);
  if (armed & TAG_WRITE) ur_submit(ue, s, TAG_WRITE, 0);
  /* The cancelled polls complete at once; run their completions now, which
   * drops the engine's reference, rather than when someone next waits. */
  if (ue->shared) ws2__poller_drain();
}

/* What a poll's completion says about its socket (WS2__EV_*). */
static uint32_t cqe_events(const struct io_uring_cqe *cqe, uint32_t tag) {
  uint32_t events = tag == TAG_READ ? WS2__EV_READ : WS2__EV_WRITE;
  if (cqe->res > 0 && (cqe->res & (POLLERR | POLLHUP)))
    events = WS2__EV_READ | WS2__EV_WRITE;
  if (cqe->res > 0 && (cqe->res & POLLPRI)) events |= WS2__EV_URGENT;
  /* A failed poll says nothing about the socket: assume the worst. */
  if (cqe->res < 0 || (cqe->res & (POLLRDHUP | POLLHUP | POLLERR)))
    events |= WS2__EV_HANGUP;
  return events;
}

static void ur_complete(uring_engine_t *ue, struct io_uring_cqe *cqe) {
  uint64_t data = io_uring_cqe_get_data64(cqe);
  ws2__bsock_t *s = (ws2__bsock_t *)(uintptr_t)(data & ~(uint64_t)TAG_MASK);
  uint32_t tag = (uint32_t)(data & TAG_MASK);
  int detached, last;

  if (!data) return; /* a cancellation's own completion */
  if (cqe->flags & IORING_CQE_F_MORE) {
    /* A multishot poll that goes on: its state and the engine's
     * reference (held while a poll is armed, dropped only at its final
     * completion, which comes after this one) stay as they are. */
    if (!__atomic_load_n(&s->engine_detached, __ATOMIC_ACQUIRE))
      ws2__bsp_ready(s, cqe_events(cqe, tag));
    return;
  }
  if (tag == TAG_READ && cqe->res == -EINVAL && atomic_load(&ur_multishot)) {
    ws2__log(WS2__LOG_INFO, "io_uring engine: no multishot polls here");
    atomic_store(&ur_multishot, 0);
  }
  pthread_mutex_lock(&s->lock);
  s->engine_armed &= ~tag; /* the poll has ended */
  detached = s->engine_detached;
  last = detached && s->engine_armed == 0;
  ws2__obj_ref(&s->io.obj); /* for the call below */
  pthread_mutex_unlock(&s->lock);

  if (!detached) ws2__bsp_ready(s, cqe_events(cqe, tag));
  if (last) {
    ws2__obj_unref(&s->io.obj); /* the engine's reference */
    atomic_fetch_sub(&ue->base.releasing, 1);
  }
  ws2__obj_unref(&s->io.obj);
}

/* One round (core/poller.h): waits for a completion until the deadline or
 * an interrupt, then runs up to WS2__ENGINE_BATCH completions; the rest
 * stay in the ring for the next round, which finds them without a call. */
static void ur_poll(ws2__poller_t *p, const struct timespec *deadline) {
  uring_engine_t *ue = ws2__container_of(p, uring_engine_t, poller);
  struct io_uring_cqe *cqe;
  unsigned head, n = 0;

  if (!io_uring_cq_ready(&ue->ring)) {
    struct io_uring_getevents_arg arg;
    struct __kernel_timespec kts;
    int r;
    memset(&arg, 0, sizeof(arg));
    if (deadline) {
      int ms = ws2__deadline_ms(deadline);
      kts.tv_sec = ms / 1000;
      kts.tv_nsec = (long long)(ms % 1000) * 1000000;
      arg.ts = (uint64_t)(uintptr_t)&kts;
    }
    r = io_uring_enter2(ue->ring.ring_fd, 0, 1,
                        IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
                        (sigset_t *)&arg, sizeof(arg));
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY)
      ws2__log(WS2__LOG_ERROR, "io_uring engine: wait: %s", strerror(-r));
  }
  io_uring_for_each_cqe(&ue->ring, head, cqe) {
#ifdef __SANITIZE_THREAD__
    /* The kernel orders a submission before its completion, but TSan
     * cannot see through the ring: passing through the submitters' lock
     * shows it the order. */
    pthread_mutex_lock(&ue->sq_lock);
    pthread_mutex_unlock(&ue->sq_lock);
#endif
    ur_complete(ue, cqe);
    if (++n == WS2__ENGINE_BATCH) break;
  }
  io_uring_cq_advance(&ue->ring, n);
}

/* A no-op's completion ends a wait in progress. */
static void ur_interrupt(ws2__poller_t *p) {
  uring_engine_t *ue = ws2__container_of(p, uring_engine_t, poller);
  struct io_uring_sqe *sqe;
  pthread_mutex_lock(&ue->sq_lock);
  sqe = io_uring_get_sqe(&ue->ring);
  if (!sqe) {
    io_uring_submit(&ue->ring);
    sqe = io_uring_get_sqe(&ue->ring);
  }
  if (sqe) {
    io_uring_prep_nop(sqe);
    io_uring_sqe_set_data64(sqe, 0);
    io_uring_submit(&ue->ring);
  }
  pthread_mutex_unlock(&ue->sq_lock);
}

/* The engine's thread: the fallback poller, or the only one when the
 * core's waits do not poll. */
static void *ur_thread(void *arg) {
  uring_engine_t *ue = arg;
  ur_engine_thread = 1;
  for (;;) {
    if (!ue->shared) {
      ur_poll(&ue->poller, NULL);
    } else if (!ws2__poller_fallback(WS2__FALLBACK_MS)) {
      struct timespec ts = {0, WS2__FALLBACK_MS * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  return NULL;
}

/* Polls name the fd when they are submitted: nothing to redo. */
static int ur_fd_changed(ws2__engine_t *e, ws2__bsock_t *s) { return 0; }

/* A poll fires once: an unwanted one costs one event, no call needed. */
static void ur_disarm(ws2__engine_t *e, ws2__bsock_t *s, uint32_t events) {}

static const ws2__engine_ops_t uring_ops = {
    "io_uring", ur_attach, ur_arm, ur_detach, ur_fd_changed, ur_disarm};

ws2__engine_t *ws2__engine_iouring_new(void) {
  uring_engine_t *ue = ws2__calloc(1, sizeof(*ue));
  struct io_uring_probe *probe;
  pthread_attr_t attr;
  pthread_t t;
  int r, ok;

  if (!ue) return NULL;
  ue->base.ops = &uring_ops;
  /* A poll's wake-up is finished by task work in the thread that armed
   * it. By default the kernel interrupts that thread (an IPI) for each
   * one, which made a server on its own CPU spend three times the epoll
   * engine's CPU per round trip; with COOP_TASKRUN (Linux 5.19) the work
   * waits for the thread's next return to user space (a system call, or
   * at worst the next timer tick), and a sleeping thread is still woken
   * for it. */
  r = io_uring_queue_init(RING_ENTRIES, &ue->ring, IORING_SETUP_COOP_TASKRUN);
  if (r == -EINVAL) r = io_uring_queue_init(RING_ENTRIES, &ue->ring, 0);
  if (r < 0) {
    ws2__log(WS2__LOG_INFO, "io_uring engine unavailable: %s", strerror(-r));
    ws2__free(ue);
    return NULL;
  }
  probe = io_uring_get_probe_ring(&ue->ring);
  ok = probe && io_uring_opcode_supported(probe, IORING_OP_POLL_ADD) &&
       io_uring_opcode_supported(probe, IORING_OP_ASYNC_CANCEL);
  if (probe) io_uring_free_probe(probe);
  if (!ok) {
    ws2__log(WS2__LOG_INFO, "io_uring engine unavailable: no poll opcodes");
    goto fail;
  }
  pthread_mutex_init(&ue->sq_lock, NULL);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  ue->poller.poll = ur_poll;
  ue->poller.interrupt = ur_interrupt;
  /* Waits with a deadline need IORING_FEAT_EXT_ARG (Linux 5.11). */
  ue->shared = (ue->ring.features & IORING_FEAT_EXT_ARG) &&
               ws2__poller_install(&ue->poller);
  r = pthread_create(&t, &attr, ur_thread, ue);
  pthread_attr_destroy(&attr);
  if (r != 0) {
    if (ue->shared) ws2__poller_install(NULL);
    pthread_mutex_destroy(&ue->sq_lock);
    goto fail;
  }
  return &ue->base;
fail:
  io_uring_queue_exit(&ue->ring);
  ws2__free(ue);
  return NULL;
}
