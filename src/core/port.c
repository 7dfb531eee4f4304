/*
 * port.c: completion ports: CreateIoCompletionPort's port half,
 * GetQueuedCompletionStatus(Ex), PostQueuedCompletionStatus.
 */
#include "core/port.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/tls.h"

#include <ws2ext/ws2ext.h>

#include <errno.h>
#include <time.h>
#include <unistd.h>

struct ws2__port {
  ws2__obj_t obj;
  pthread_mutex_t lock;
  ws2__list_t packets; /* FIFO */
  ws2__list_t waiters; /* threads in GQCS; the front is the most recent */
  uint32_t concurrency;
  uint32_t running; /* associated threads not blocked */
  int closed;
  /* ws2_port_set_callback: set under lock; read without it to decide
   * whether a round's packet goes to the callback. */
  _Atomic(WS2_PORT_CALLBACK) callback;
  void *cb_context;       /* under lock */
  _Atomic int cb_running; /* calls of the callback in progress */
};

static void release_all(ws2__list_t *packets) {
  ws2__node_t *n;
  while ((n = ws2__list_pop_front(packets)) != NULL) {
    ws2__packet_t *p = ws2__container_of(n, ws2__packet_t, node);
    p->release(p);
  }
}

/* The last handle is gone: nobody can dequeue any more. Waiters fail with
 * ERROR_ABANDONED_WAIT_0; queued packets are released; later posts (from
 * handles still associated) are discarded. */
static void port_close(ws2__obj_t *obj) {
  ws2__port_t *port = ws2__container_of(obj, ws2__port_t, obj);
  ws2__list_t dropped;
  ws2__node_t *n;

  ws2__list_init(&dropped);
  pthread_mutex_lock(&port->lock);
  port->closed = 1;
  while ((n = ws2__list_pop_front(&port->waiters)) != NULL)
    ws2__thread_claim(ws2__container_of(n, ws2__thread_t, port_node),
                      WS2__WAKE_ABANDONED);
  ws2__list_splice(&dropped, &port->packets);
  pthread_mutex_unlock(&port->lock);
  release_all(&dropped);
}

static void port_destroy(ws2__obj_t *obj) {
  ws2__port_t *port = ws2__container_of(obj, ws2__port_t, obj);
  release_all(&port->packets);
  pthread_mutex_destroy(&port->lock);
  ws2__free(port);
}

const ws2__objtype_t ws2__port_type = {"completion port", 0, port_close,
                                       port_destroy};

int ws2__port_new(DWORD concurrency, ws2__port_t **out) {
  ws2__port_t *port = ws2__calloc(1, sizeof(*port));
  if (!port) return -ENOMEM;
  if (concurrency == 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    concurrency = n > 0 ? (DWORD)n : 1;
  }
  ws2__obj_init(&port->obj, &ws2__port_type, NULL);
  pthread_mutex_init(&port->lock, NULL);
  ws2__list_init(&port->packets);
  ws2__list_init(&port->waiters);
  port->concurrency = concurrency;
  *out = port;
  return 0;
}

ws2__obj_t *ws2__port_obj(ws2__port_t *port) { return &port->obj; }

ws2__port_t *ws2__port_from_obj(ws2__obj_t *obj) {
  return obj->type == &ws2__port_type ? ws2__container_of(obj, ws2__port_t, obj)
                                      : NULL;
}

/* Hands queued packets to waiters, most recent waiter first, while the
 * concurrency limit allows. Everything the waiter will read is in place
 * before the claim publishes it, because the waiter does not take the
 * lock again after a handoff. A waiter that cannot be claimed is leaving
 * (timeout, APC): the packet goes back to the head of the queue. */
static void dispatch_locked(ws2__port_t *port, ws2__wakelist_t *wl) {
  while (!ws2__list_empty(&port->packets) && !ws2__list_empty(&port->waiters) &&
         port->running < port->concurrency) {
    ws2__thread_t *t = ws2__container_of(ws2__list_pop_front(&port->waiters),
                                         ws2__thread_t, port_node);
    ws2__node_t *n = ws2__list_pop_front(&port->packets);
    t->handoff = ws2__container_of(n, ws2__packet_t, node);
    t->port_counted = 1;
    port->running++;
    if (!ws2__thread_claim_later(t, WS2__WAKE_PACKET, wl)) {
      t->port_counted = 0;
      port->running--;
      ws2__list_push_front(&port->packets, n);
    }
  }
}

/*
 * Packets a thread completes inside an engine poll round wait with it
 * until the round ends and then reach their port together, under one
 * lock (ws2__port_batch_begin/end). A round completes many requests, most
 * often for one port; a packet for another port goes on its own.
 *
 * In a round that may run callbacks, the packets for one port with a
 * callback (ws2_port_set_callback) are kept aside instead, and given to
 * the callback once the round is over and the poll role is free
 * (ws2__port_run_callbacks). Packets for a second such port in the same
 * round are queued as usual.
 */
static WS2__TLS struct {
  int active;
  int callbacks;     /* this round's packets may go to a callback */
  ws2__port_t *port; /* referenced while packets wait */
  ws2__list_t packets;
  ws2__port_t *cb_port; /* referenced while packets wait for its callback */
  ws2__list_t for_cb;   /* the packets kept for cb_port's callback */
  ws2__port_t *cb_in;   /* the port whose callback this thread runs */
} tls_batch;

void ws2__port_batch_begin(int callbacks) {
  tls_batch.active = 1;
  tls_batch.callbacks = callbacks && !tls_batch.cb_in;
  tls_batch.port = NULL;
  ws2__list_init(&tls_batch.packets);
}

/* Whether p, posted to port in a round, is kept for port's callback. */
static int keep_for_callback(ws2__port_t *port, ws2__packet_t *p) {
  if (!tls_batch.callbacks ||
      !atomic_load_explicit(&port->callback, memory_order_relaxed))
    return 0;
  if (!tls_batch.cb_port) {
    ws2__obj_ref(&port->obj);
    tls_batch.cb_port = port;
    ws2__list_init(&tls_batch.for_cb);
  } else if (tls_batch.cb_port != port) {
    return 0;
  }
  ws2__list_push_back(&tls_batch.for_cb, &p->node);
  return 1;
}

void ws2__port_run_callbacks(void) {
  ws2__port_t *port = tls_batch.cb_port;
  ws2__list_t list;
  ws2__node_t *n;
  WS2_PORT_CALLBACK fn;
  void *context;
  if (!port) return;
  tls_batch.cb_port = NULL;
  ws2__list_init(&list);
  ws2__list_splice(&list, &tls_batch.for_cb);
  /* One lock for the whole batch: taking the callback away from another
   * thread waits for the batch to end (cb_running). */
  pthread_mutex_lock(&port->lock);
  fn = port->closed ? NULL : atomic_load(&port->callback);
  context = port->cb_context;
  if (fn) atomic_fetch_add(&port->cb_running, 1);
  pthread_mutex_unlock(&port->lock);
  tls_batch.cb_in = port;
  while ((n = ws2__list_pop_front(&list)) != NULL) {
    ws2__packet_t *p = ws2__container_of(n, ws2__packet_t, node);
    ULONG_PTR key;
    LPOVERLAPPED ovl;
    NTSTATUS status;
    DWORD bytes;
    /* Taken away before the batch (then queued, or dropped if the port
     * is closed), or by a call of it (a callback may take itself away). */
    if (!fn ||
        atomic_load_explicit(&port->callback, memory_order_relaxed) != fn) {
      ws2__port_post(port, p);
      continue;
    }
    key = p->key;
    ovl = p->ovl;
    status = (NTSTATUS)p->status;
    bytes = p->bytes;
    p->release(p);
    fn(context, key, ovl, status ? ws2__ntstatus_to_win32(status) : 0, bytes);
  }
  tls_batch.cb_in = NULL;
  if (fn) atomic_fetch_sub(&port->cb_running, 1);
  ws2__obj_unref(&port->obj);
}

BOOL WINAPI ws2_port_set_callback(HANDLE h, WS2_PORT_CALLBACK fn,
                                  PVOID context) {
  ws2__obj_t *obj = ws2__handle_get(h, &ws2__port_type);
  ws2__port_t *port;
  int own;
  if (!obj) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  port = ws2__port_from_obj(obj);
  pthread_mutex_lock(&port->lock);
  atomic_store(&port->callback, fn);
  port->cb_context = context;
  pthread_mutex_unlock(&port->lock);
  /* Returns once no call of the previous callback is in progress, but
   * the caller's own (a callback may change its port's). */
  own = tls_batch.cb_in == port;
  while (atomic_load(&port->cb_running) > own) {
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
  ws2__obj_unref(obj);
  return TRUE;
}

void ws2__port_batch_end(void) {
  ws2__port_t *port = tls_batch.port;
  ws2__wakelist_t wl = WS2__WAKELIST_INIT;
  tls_batch.active = tls_batch.callbacks = 0;
  if (!port) return;
  tls_batch.port = NULL;
  pthread_mutex_lock(&port->lock);
  if (port->closed) {
    ws2__list_t dropped;
    ws2__list_init(&dropped);
    ws2__list_splice(&dropped, &tls_batch.packets);
    pthread_mutex_unlock(&port->lock);
    release_all(&dropped);
  } else {
    ws2__list_splice(&port->packets, &tls_batch.packets);
    dispatch_locked(port, &wl);
    pthread_mutex_unlock(&port->lock);
    ws2__wakelist_flush(&wl);
  }
  ws2__obj_unref(&port->obj);
}

void ws2__port_post(ws2__port_t *port, ws2__packet_t *p) {
  ws2__wakelist_t wl = WS2__WAKELIST_INIT;
  if (tls_batch.active && keep_for_callback(port, p)) return;
  if (tls_batch.active && (!tls_batch.port || tls_batch.port == port)) {
    if (!tls_batch.port) {
      ws2__obj_ref(&port->obj);
      tls_batch.port = port;
    }
    ws2__list_push_back(&tls_batch.packets, &p->node);
    return;
  }
  pthread_mutex_lock(&port->lock);
  if (port->closed) {
    pthread_mutex_unlock(&port->lock);
    p->release(p);
    return;
  }
  ws2__list_push_back(&port->packets, &p->node);
  dispatch_locked(port, &wl);
  pthread_mutex_unlock(&port->lock);
  ws2__wakelist_flush(&wl);
}

/* Gives up the thread's running slot on its port (it is now waiting). */
static void uncount_locked(ws2__port_t *port, ws2__thread_t *self,
                           ws2__wakelist_t *wl) {
  if (self->port_counted) {
    self->port_counted = 0;
    port->running--;
    dispatch_locked(port, wl);
  }
}

void ws2__port_thread_block(ws2__thread_t *self) {
  ws2__port_t *port = self->port;
  /* port_counted can change only while self waits in this port's GQCS,
   * so reading it here, outside that wait, needs no lock. */
  ws2__wakelist_t wl = WS2__WAKELIST_INIT;
  if (!port || !self->port_counted) return;
  pthread_mutex_lock(&port->lock);
  uncount_locked(port, self, &wl);
  self->port_blocked = 1;
  pthread_mutex_unlock(&port->lock);
  ws2__wakelist_flush(&wl);
}

void ws2__port_thread_unblock(ws2__thread_t *self) {
  ws2__port_t *port = self->port;
  if (!port || !self->port_blocked) return;
  pthread_mutex_lock(&port->lock);
  self->port_blocked = 0;
  self->port_counted = 1;
  port->running++; /* may exceed the limit for a while, as on Windows */
  pthread_mutex_unlock(&port->lock);
}

void ws2__port_thread_exit(ws2__thread_t *self) {
  ws2__port_t *port = self->port;
  ws2__wakelist_t wl = WS2__WAKELIST_INIT;
  if (!port) return;
  pthread_mutex_lock(&port->lock);
  uncount_locked(port, self, &wl);
  pthread_mutex_unlock(&port->lock);
  ws2__wakelist_flush(&wl);
  self->port = NULL;
  ws2__obj_unref(&port->obj);
}

/* Makes port the thread's associated port, leaving the previous one. */
static void port_attach(ws2__thread_t *self, ws2__port_t *port) {
  ws2__port_t *old = self->port;
  if (old == port) return;
  if (old) ws2__port_thread_exit(self);
  ws2__obj_ref(&port->obj);
  self->port = port;
}

/* Moves up to max queued packets to out; the caller holds the lock. */
static ULONG take_locked(ws2__port_t *port, ws2__list_t *out, ULONG max) {
  ULONG count = 0;
  ws2__node_t *n;
  while (count < max && (n = ws2__list_pop_front(&port->packets)) != NULL) {
    ws2__list_push_back(out, n);
    count++;
  }
  return count;
}

/*
 * Dequeues up to max packets into out. Returns how many, or 0 with *err
 * set to WAIT_TIMEOUT, WAIT_IO_COMPLETION (APCs ran) or
 * ERROR_ABANDONED_WAIT_0.
 */
static ULONG port_dequeue(ws2__port_t *port, ws2__list_t *out, ULONG max,
                          DWORD ms, int alertable, DWORD *err) {
  ws2__thread_t *self = ws2__thread_self();
  struct timespec deadline, *dl = NULL;
  ws2__wakelist_t wl = WS2__WAKELIST_INIT;
  ULONG count = 0;
  uint32_t r;

  if (!self) {
    *err = ERROR_NOT_ENOUGH_MEMORY;
    return 0;
  }
  /* On Windows a thread not yet associated with this port runs its APCs
   * before taking a queued packet (and stays unassociated); an associated
   * thread takes the packet first, as waits check objects before APCs. */
  if (alertable && self->port != port && ws2__apc_pending(self)) {
    ws2__apc_run(self);
    *err = WAIT_IO_COMPLETION;
    return 0;
  }
  port_attach(self, port);
  pthread_mutex_lock(&port->lock);
  if (port->closed) {
    pthread_mutex_unlock(&port->lock);
    *err = ERROR_ABANDONED_WAIT_0;
    return 0;
  }
  /* Waiting on the port: this thread no longer counts as running. */
  if (self->port_counted) {
    self->port_counted = 0;
    port->running--;
  }
  if (!ws2__list_empty(&port->packets) && port->running < port->concurrency) {
    count = take_locked(port, out, max);
    port->running++;
    self->port_counted = 1;
    pthread_mutex_unlock(&port->lock);
    return count;
  }
  dispatch_locked(port, &wl); /* our slot may release an older waiter */
  if (alertable && ws2__apc_pending(self)) {
    pthread_mutex_unlock(&port->lock);
    ws2__wakelist_flush(&wl);
    ws2__apc_run(self);
    *err = WAIT_IO_COMPLETION;
    return 0;
  }
  if (ms == 0) {
    pthread_mutex_unlock(&port->lock);
    ws2__wakelist_flush(&wl);
    *err = WAIT_TIMEOUT;
    return 0;
  }
  ws2__thread_wait_begin(self, alertable);
  self->handoff = NULL;
  ws2__list_push_front(&port->waiters, &self->port_node);
  pthread_mutex_unlock(&port->lock);
  ws2__wakelist_flush(&wl);

  if (ms != INFINITE) {
    ws2__deadline(&deadline, ms);
    dl = &deadline;
  }
  /* A port with a callback gets only what the callback leaves: its
   * threads leave the engine to the others (ws2_port_set_callback). */
  r = ws2__thread_sleep(
      self, dl,
      atomic_load_explicit(&port->callback, memory_order_relaxed)
          ? WS2__SLEEP_NO_POLL
          : 0);
  ws2__thread_wait_end(self);

  if (r == WS2__WAKE_PACKET) {
    /* The poster unlinked us and handed one packet over; the lock is
     * needed again only to take more for a batch. */
    ws2__list_push_back(out, &self->handoff->node);
    count = 1;
    if (max > 1) {
      pthread_mutex_lock(&port->lock);
      count += take_locked(port, out, max - 1);
      pthread_mutex_unlock(&port->lock);
    }
  } else {
    pthread_mutex_lock(&port->lock);
    if (ws2__node_linked(&self->port_node)) ws2__list_remove(&self->port_node);
    pthread_mutex_unlock(&port->lock);
  }

  switch (r) {
    case WS2__WAKE_PACKET:
      return count;
    case WS2__WAKE_APC:
      ws2__apc_run(self);
      *err = WAIT_IO_COMPLETION;
      return 0;
    case WS2__WAKE_ABANDONED:
      *err = ERROR_ABANDONED_WAIT_0;
      return 0;
    default:
      *err = WAIT_TIMEOUT;
      return 0;
  }
}

static ws2__port_t *port_get(HANDLE h) {
  ws2__obj_t *obj = ws2__handle_get(h, &ws2__port_type);
  return obj ? ws2__container_of(obj, ws2__port_t, obj) : NULL;
}

/* port_dequeue on a handle: the count, or 0 with the last error set. */
static ULONG dequeue_handle(HANDLE h, ws2__list_t *got, ULONG max, DWORD ms,
                            BOOL alertable) {
  ws2__port_t *port = port_get(h);
  DWORD err = ERROR_INVALID_HANDLE;
  ULONG count = 0;

  ws2__list_init(got);
  if (port) {
    count = port_dequeue(port, got, max, ms, alertable, &err);
    ws2__obj_unref(&port->obj);
  }
  if (count == 0) SetLastError(err);
  return count;
}

BOOL WINAPI GetQueuedCompletionStatus(HANDLE CompletionPort,
                                      LPDWORD lpNumberOfBytesTransferred,
                                      PULONG_PTR lpCompletionKey,
                                      LPOVERLAPPED *lpOverlapped,
                                      DWORD dwMilliseconds) {
  ws2__list_t got;
  ws2__packet_t *p;
  NTSTATUS status;

  if (!lpNumberOfBytesTransferred || !lpCompletionKey || !lpOverlapped) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  *lpOverlapped = NULL;
  if (dequeue_handle(CompletionPort, &got, 1, dwMilliseconds, FALSE) == 0)
    return FALSE;
  p = ws2__container_of(ws2__list_pop_front(&got), ws2__packet_t, node);
  *lpNumberOfBytesTransferred = p->bytes;
  *lpCompletionKey = p->key;
  *lpOverlapped = p->ovl;
  status = (NTSTATUS)p->status;
  p->release(p);
  if (status != 0) {
    /* A failed I/O: FALSE with *lpOverlapped set, as on Windows. */
    SetLastError(ws2__ntstatus_to_win32(status));
    return FALSE;
  }
  return TRUE;
}

BOOL WINAPI GetQueuedCompletionStatusEx(HANDLE CompletionPort,
                                        LPOVERLAPPED_ENTRY lpEntries,
                                        ULONG ulCount,
                                        PULONG ulNumEntriesRemoved,
                                        DWORD dwMilliseconds, BOOL fAlertable) {
  ws2__list_t got;
  ws2__node_t *n;
  ULONG count, i = 0;

  if (!lpEntries || !ulNumEntriesRemoved || ulCount == 0) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  *ulNumEntriesRemoved = 0;
  count =
      dequeue_handle(CompletionPort, &got, ulCount, dwMilliseconds, fAlertable);
  if (count == 0) return FALSE;
  while ((n = ws2__list_pop_front(&got)) != NULL) {
    ws2__packet_t *p = ws2__container_of(n, ws2__packet_t, node);
    lpEntries[i].lpCompletionKey = p->key;
    lpEntries[i].lpOverlapped = p->ovl;
    lpEntries[i].Internal = p->status;
    lpEntries[i].dwNumberOfBytesTransferred = p->bytes;
    i++;
    p->release(p);
  }
  *ulNumEntriesRemoved = count;
  return TRUE;
}

static void posted_release(ws2__packet_t *p) { ws2__free(p); }

BOOL WINAPI PostQueuedCompletionStatus(HANDLE CompletionPort,
                                       DWORD dwNumberOfBytesTransferred,
                                       ULONG_PTR dwCompletionKey,
                                       LPOVERLAPPED lpOverlapped) {
  ws2__port_t *port = port_get(CompletionPort);
  ws2__packet_t *p;

  if (!port) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  if (!(p = ws2__malloc(sizeof(*p)))) {
    ws2__obj_unref(&port->obj);
    SetLastError(ERROR_NO_SYSTEM_RESOURCES);
    return FALSE;
  }
  p->key = dwCompletionKey;
  p->ovl = lpOverlapped;
  p->status = 0;
  p->bytes = dwNumberOfBytesTransferred;
  p->release = posted_release;
  ws2__port_post(port, p);
  ws2__obj_unref(&port->obj);
  return TRUE;
}
