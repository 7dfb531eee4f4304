/*
 * engine-epoll.c: the epoll engine. Each socket is registered once,
 * edge-triggered for both directions; arming costs nothing. The reaper
 * thread waits in epoll_wait and runs ready sockets. A socket that is
 * detached is removed from epoll at once, and the engine's reference on
 * it is dropped after the batch of events being processed, the only
 * place an event for it could still be in flight.
 */
#include "provider/base/engine.h"

#include "core/alloc.h"
#include "core/log.h"
#include "core/poller.h"
#include "core/sync.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

typedef struct epoll_engine {
  ws2__engine_t base;
  ws2__poller_t poller;
  int shared; /* the core's waits poll too (poller.h) */
  int epfd;
  int wakefd;
  pthread_mutex_t retire_lock;
  /* Detached sockets awaiting the end of a batch, linked through their
   * all_node (off the list of open sockets from their close on), so that
   * retiring one never needs memory: a close cannot fail. */
  ws2__list_t retire;
} epoll_engine_t;

static void ep_interrupt(ws2__poller_t *p);

/* Receive-side readiness is always watched. Send-side readiness only
 * while something waits for it (s->engine_armed & OUT_ARMED): watched
 * all the time, edge-triggered EPOLLOUT would report every ACK that
 * frees send-buffer space, an event per round trip for nothing. */
#define OUT_ARMED 0x2u

static int ep_ctl(epoll_engine_t *ee, ws2__bsock_t *s, int op) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLET |
              ((s->engine_armed & OUT_ARMED) ? EPOLLOUT : 0);
  ev.data.ptr = s;
  return epoll_ctl(ee->epfd, op, s->fd, &ev) == 0 ? 0 : -errno;
}

static int ep_attach(ws2__engine_t *e, ws2__bsock_t *s) {
  int r;
  ws2__obj_ref(&s->io.obj);
  s->engine_armed = 0;
  s->engine_detached = 0;
  if ((r = ep_ctl((epoll_engine_t *)e, s, EPOLL_CTL_ADD)) != 0)
    ws2__obj_unref(&s->io.obj);
  return r;
}

/* The old socket's registration went with its last descriptor (dup3
 * closed it); register the new one under the same reference. */
static int ep_fd_changed(ws2__engine_t *e, ws2__bsock_t *s) {
  return ep_ctl((epoll_engine_t *)e, s, EPOLL_CTL_ADD);
}

/* s->lock is held. Modifying the registration checks readiness at once,
 * so a socket already writable reports it: nothing is missed. */
static void ep_arm(ws2__engine_t *e, ws2__bsock_t *s, uint32_t events) {
  /* A detached socket's descriptor may be closed, its number reused. */
  if (s->engine_detached) return;
  if ((events & WS2__EV_WRITE) && !(s->engine_armed & OUT_ARMED)) {
    s->engine_armed |= OUT_ARMED;
    ep_ctl((epoll_engine_t *)e, s, EPOLL_CTL_MOD);
  }
}

static void ep_disarm(ws2__engine_t *e, ws2__bsock_t *s, uint32_t events) {
  if (s->engine_detached) return;
  if ((events & WS2__EV_WRITE) && (s->engine_armed & OUT_ARMED)) {
    s->engine_armed &= ~OUT_ARMED;
    ep_ctl((epoll_engine_t *)e, s, EPOLL_CTL_MOD);
  }
}

static void ep_detach(ws2__engine_t *e, ws2__bsock_t *s) {
  epoll_engine_t *ee = (epoll_engine_t *)e;

  /* From here on nothing modifies the registration (ep_arm, ep_disarm):
   * the descriptor is closed soon after, and its number may be reused. */
  pthread_mutex_lock(&s->lock);
  s->engine_detached = 1;
  pthread_mutex_unlock(&s->lock);
  epoll_ctl(ee->epfd, EPOLL_CTL_DEL, s->fd, NULL);
  pthread_mutex_lock(&ee->retire_lock);
  ws2__list_push_back(&ee->retire, &s->all_node);
  atomic_fetch_add(&ee->base.releasing, 1);
  pthread_mutex_unlock(&ee->retire_lock);
  ep_interrupt(&ee->poller); /* the next round retires it */
  /* Retire it now if no thread is waiting in the engine, rather than
   * when someone next waits. */
  if (ee->shared) ws2__poller_drain();
}

static uint32_t ep_events(uint32_t ev) {
  uint32_t r = 0;
  if (ev & (EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    r |= WS2__EV_READ;
  if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) r |= WS2__EV_WRITE;
  if (ev & EPOLLPRI) r |= WS2__EV_URGENT;
  if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) r |= WS2__EV_HANGUP;
  return r;
}

/* One round: waits in epoll until the deadline or an interrupt, runs the
 * ready sockets, then retires the sockets detached meanwhile (no event
 * for them can be in flight once the batch is done). Called by whichever
 * thread holds the poll role (core/poller.h). */
static void ep_poll(ws2__poller_t *p, const struct timespec *deadline) {
  epoll_engine_t *ee = ws2__container_of(p, epoll_engine_t, poller);
  struct epoll_event evs[WS2__ENGINE_BATCH];
  int n, i, retire = 0;

  n = epoll_wait(ee->epfd, evs, WS2__ENGINE_BATCH, ws2__deadline_ms(deadline));

  if (n < 0) {
    if (errno != EINTR)
      ws2__log(WS2__LOG_ERROR, "epoll engine: epoll_wait: %s", strerror(errno));
    return;
  }
  for (i = 0; i < n; i++) {
    if (evs[i].data.ptr == ee) {
      uint64_t v;
      if (read(ee->wakefd, &v, sizeof(v)) < 0) {
        /* Already drained by an earlier round: nothing to do. */
      }
      retire = 1;
    } else {
      ws2__bsp_ready(evs[i].data.ptr, ep_events(evs[i].events));
    }
  }
  if (retire) {
    ws2__list_t list;
    ws2__node_t *node;
    int count = 0;
    ws2__list_init(&list);
    pthread_mutex_lock(&ee->retire_lock);
    ws2__list_splice(&list, &ee->retire);
    pthread_mutex_unlock(&ee->retire_lock);
    while ((node = ws2__list_pop_front(&list)) != NULL) {
      ws2__obj_unref(&ws2__container_of(node, ws2__bsock_t, all_node)->io.obj);
      count++;
    }
    atomic_fetch_sub(&ee->base.releasing, count);
  }
}

static void ep_interrupt(ws2__poller_t *p) {
  epoll_engine_t *ee = ws2__container_of(p, epoll_engine_t, poller);
  uint64_t one = 1;
  if (write(ee->wakefd, &one, sizeof(one)) < 0) {
    /* The counter cannot overflow in practice. */
  }
}

/* The engine's thread: the fallback poller, or the only one when the
 * core's waits do not poll (WS2_ENGINE_THREAD=1). */
static void *ep_thread(void *arg) {
  epoll_engine_t *ee = arg;
  for (;;) {
    if (!ee->shared) {
      ep_poll(&ee->poller, NULL);
    } else if (!ws2__poller_fallback(WS2__FALLBACK_MS)) {
      struct timespec ts = {0, WS2__FALLBACK_MS * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  return NULL;
}

static const ws2__engine_ops_t epoll_ops = {
    "epoll", ep_attach, ep_arm, ep_detach, ep_fd_changed, ep_disarm};

ws2__engine_t *ws2__engine_epoll_new(void) {
  epoll_engine_t *ee = ws2__calloc(1, sizeof(*ee));
  struct epoll_event ev;
  pthread_attr_t attr;
  pthread_t t;

  if (!ee) return NULL;
  ee->base.ops = &epoll_ops;
  ee->epfd = epoll_create1(EPOLL_CLOEXEC);
  ee->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  pthread_mutex_init(&ee->retire_lock, NULL);
  ws2__list_init(&ee->retire);
  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.ptr = ee;
  if (ee->epfd < 0 || ee->wakefd < 0 ||
      epoll_ctl(ee->epfd, EPOLL_CTL_ADD, ee->wakefd, &ev) != 0)
    goto fail;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  ee->poller.poll = ep_poll;
  ee->poller.interrupt = ep_interrupt;
  ee->shared = ws2__poller_install(&ee->poller);
  if (pthread_create(&t, &attr, ep_thread, ee) != 0) {
    pthread_attr_destroy(&attr);
    if (ee->shared) ws2__poller_install(NULL);
    goto fail;
  }
  pthread_attr_destroy(&attr);
  return &ee->base;
fail:
  ws2__log(WS2__LOG_ERROR, "epoll engine: cannot start: %s", strerror(errno));
  if (ee->epfd >= 0) close(ee->epfd);
  if (ee->wakefd >= 0) close(ee->wakefd);
  pthread_mutex_destroy(&ee->retire_lock);
  ws2__free(ee);
  return NULL;
}
