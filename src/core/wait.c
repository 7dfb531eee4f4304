/*
 * wait.c: waitable objects, WaitForSingleObject(Ex), WaitForMultipleObjects
 * (Ex), Sleep and SleepEx. The claim protocol is described in sync.h.
 */
#include "core/sync.h"

#include "core/port.h"
#include "core/thread.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

void ws2__sync_init(ws2__sync_t *s, int manual, int signaled) {
  pthread_mutex_init(&s->lock, NULL);
  s->manual = manual;
  atomic_init(&s->signaled, signaled);
  atomic_init(&s->waiting, 0);
  ws2__list_init(&s->waits);
}

void ws2__sync_destroy(ws2__sync_t *s) { pthread_mutex_destroy(&s->lock); }

typedef struct waitblock {
  ws2__node_t node;
  ws2__thread_t *thread;
  uint32_t index;
  int all;
} waitblock_t;

/* Offers the signal of s to its waiters, in the order they started. */
static void sync_wake_locked(ws2__sync_t *s, ws2__wakelist_t *wl) {
  ws2__node_t *n;
  ws2__list_foreach(n, &s->waits) {
    waitblock_t *b = ws2__container_of(n, waitblock_t, node);
    if (b->all) {
      ws2__thread_claim_later(b->thread, WS2__WAKE_CHECK, wl);
    } else if (ws2__thread_claim_later(b->thread, WS2__WAKE_OBJECT0 + b->index,
                                       wl)) {
      if (!s->manual) {
        atomic_store(&s->signaled, 0);
        return;
      }
    }
  }
}

/* The fast paths are explained in sync.h. */
void ws2__sync_set(ws2__sync_t *s) {
  ws2__wakelist_t wl = WS2__WAKELIST_INIT;
  /* Signalled already: whoever signalled it offered it to the waiters
   * there were; setting it again changes nothing. */
  if (atomic_load(&s->signaled)) return;
  atomic_store(&s->signaled, 1);
  if (atomic_load(&s->waiting) == 0) return;
  pthread_mutex_lock(&s->lock);
  if (atomic_load(&s->signaled)) sync_wake_locked(s, &wl);
  pthread_mutex_unlock(&s->lock);
  ws2__wakelist_flush(&wl);
}

/* Never wakes anyone, so needs no lock. */
void ws2__sync_reset(ws2__sync_t *s) { atomic_store(&s->signaled, 0); }

static void consume_locked(ws2__sync_t *s) {
  if (!s->manual) atomic_store(&s->signaled, 0);
}

static int try_acquire(ws2__sync_t *s) {
  int got;
  pthread_mutex_lock(&s->lock);
  got = atomic_load(&s->signaled);
  if (got) consume_locked(s);
  pthread_mutex_unlock(&s->lock);
  return got;
}

/* Wait-all: takes every object only if all are signalled at once. */
static int try_acquire_all(DWORD n, ws2__obj_t *const *objs) {
  ws2__sync_t *sorted[MAXIMUM_WAIT_OBJECTS];
  DWORD i, j;
  int all = 1;

  for (i = 0; i < n; i++) {
    ws2__sync_t *s = objs[i]->sync;
    for (j = i; j > 0 && (uintptr_t)sorted[j - 1] > (uintptr_t)s; j--)
      sorted[j] = sorted[j - 1];
    sorted[j] = s;
  }
  for (i = 0; i < n; i++) pthread_mutex_lock(&sorted[i]->lock);
  for (i = 0; i < n && all; i++) all = atomic_load(&sorted[i]->signaled);
  if (all)
    for (i = 0; i < n; i++) consume_locked(sorted[i]);
  for (i = n; i > 0; i--) pthread_mutex_unlock(&sorted[i - 1]->lock);
  return all;
}

void ws2__deadline(struct timespec *ts, DWORD ms) {
  clock_gettime(CLOCK_MONOTONIC, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

int ws2__deadline_ms(const struct timespec *dl) {
  struct timespec now;
  long long ms;
  if (!dl) return -1;
  clock_gettime(CLOCK_MONOTONIC, &now);
  ms = (long long)(dl->tv_sec - now.tv_sec) * 1000 +
       (dl->tv_nsec - now.tv_nsec + 999999) / 1000000;
  return ms <= 0 ? 0 : ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

DWORD ws2__wait(DWORD n, ws2__obj_t *const *objs, int all, DWORD ms,
                int alertable) {
  waitblock_t blocks[MAXIMUM_WAIT_OBJECTS];
  ws2__thread_t *self = ws2__thread_self();
  struct timespec deadline, *dl = NULL;
  DWORD i, registered = 0;
  uint32_t r;

  /* Objects first: a signalled object satisfies the wait even when APCs
   * are queued, as on Windows. Wait-any takes the lowest index. */
  if (n > 0 && all) {
    if (try_acquire_all(n, objs)) return WAIT_OBJECT_0;
  } else {
    for (i = 0; i < n; i++)
      if (try_acquire(objs[i]->sync)) return WAIT_OBJECT_0 + i;
  }
  if (!self) return WAIT_FAILED;
  if (alertable && ws2__apc_pending(self)) {
    ws2__apc_run(self);
    return WAIT_IO_COMPLETION;
  }
  if (ms == 0) return WAIT_TIMEOUT;
  if (ms != INFINITE) {
    ws2__deadline(&deadline, ms);
    dl = &deadline;
  }

  ws2__thread_wait_begin(self, alertable);
  for (i = 0; i < n; i++) {
    ws2__sync_t *s = objs[i]->sync;
    waitblock_t *b = &blocks[i];
    b->thread = self;
    b->index = i;
    b->all = all;
    pthread_mutex_lock(&s->lock);
    /* Counted before the look at `signaled` (sync.h). */
    atomic_fetch_add(&s->waiting, 1);
    if (!all && atomic_load(&s->signaled)) {
      /* Signalled since the first look: take it, unless something else
       * has already claimed this wait. */
      atomic_fetch_sub(&s->waiting, 1);
      if (ws2__thread_claim(self, WS2__WAKE_OBJECT0 + i)) consume_locked(s);
      pthread_mutex_unlock(&s->lock);
      break;
    }
    ws2__list_push_back(&s->waits, &b->node);
    registered++;
    pthread_mutex_unlock(&s->lock);
    if (!all && atomic_load(&self->wake) != WS2__WAKE_NONE) break;
  }

  for (;;) {
    if (all && try_acquire_all(n, objs)) {
      r = WS2__WAKE_OBJECT0;
      break;
    }
    r = ws2__thread_sleep(self, dl, WS2__SLEEP_PORT_BLOCKING);
    if (r != WS2__WAKE_CHECK) break;
    /* A wait-all object changed. Reset the wake word before looking
     * again, so a change during the look wakes us once more. */
    atomic_store(&self->wake, WS2__WAKE_NONE);
    if (alertable && ws2__apc_pending(self))
      ws2__thread_claim(self, WS2__WAKE_APC);
  }
  ws2__thread_wait_end(self);

  for (i = 0; i < registered; i++) {
    ws2__sync_t *s = objs[i]->sync;
    pthread_mutex_lock(&s->lock);
    ws2__list_remove(&blocks[i].node);
    atomic_fetch_sub(&s->waiting, 1);
    pthread_mutex_unlock(&s->lock);
  }

  if (r == WS2__WAKE_APC) {
    ws2__apc_run(self);
    return WAIT_IO_COMPLETION;
  }
  if (r == WS2__WAKE_TIMEOUT) return WAIT_TIMEOUT;
  return WAIT_OBJECT_0 + (r - WS2__WAKE_OBJECT0);
}

/* Resolves handles for a wait; on failure sets the error, returns -1. */
static int wait_lookup(DWORD n, const HANDLE *handles, int all,
                       ws2__obj_t **objs) {
  DWORD i, j;
  for (i = 0; i < n; i++) {
    objs[i] = ws2__handle_get(handles[i], NULL);
    if (!objs[i] || !objs[i]->sync) {
      if (objs[i]) ws2__obj_unref(objs[i]);
      while (i > 0) ws2__obj_unref(objs[--i]);
      SetLastError(ERROR_INVALID_HANDLE);
      return -1;
    }
  }
  if (all) {
    for (i = 0; i < n; i++)
      for (j = 0; j < i; j++)
        if (objs[i] == objs[j]) {
          for (i = 0; i < n; i++) ws2__obj_unref(objs[i]);
          SetLastError(ERROR_INVALID_PARAMETER);
          return -1;
        }
  }
  return 0;
}

DWORD WINAPI WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles,
                                      BOOL bWaitAll, DWORD dwMilliseconds,
                                      BOOL bAlertable) {
  ws2__obj_t *objs[MAXIMUM_WAIT_OBJECTS];
  DWORD r, i;

  if (nCount == 0 || nCount > MAXIMUM_WAIT_OBJECTS || !lpHandles) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return WAIT_FAILED;
  }
  if (wait_lookup(nCount, lpHandles, bWaitAll, objs) != 0) return WAIT_FAILED;
  r = ws2__wait(nCount, objs, bWaitAll, dwMilliseconds, bAlertable);
  for (i = 0; i < nCount; i++) ws2__obj_unref(objs[i]);
  if (r == WAIT_FAILED) SetLastError(ERROR_NOT_ENOUGH_MEMORY);
  return r;
}

DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles,
                                    BOOL bWaitAll, DWORD dwMilliseconds) {
  return WaitForMultipleObjectsEx(nCount, lpHandles, bWaitAll, dwMilliseconds,
                                  FALSE);
}

DWORD WINAPI WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds,
                                   BOOL bAlertable) {
  return WaitForMultipleObjectsEx(1, &hHandle, FALSE, dwMilliseconds,
                                  bAlertable);
}

DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds) {
  return WaitForMultipleObjectsEx(1, &hHandle, FALSE, dwMilliseconds, FALSE);
}

DWORD WINAPI SleepEx(DWORD dwMilliseconds, BOOL bAlertable) {
  DWORD r;
  if (dwMilliseconds == 0 && !bAlertable) {
    sched_yield();
    return 0;
  }
  r = ws2__wait(0, NULL, FALSE, dwMilliseconds, bAlertable);
  return r == WAIT_IO_COMPLETION ? WAIT_IO_COMPLETION : 0;
}

void WINAPI Sleep(DWORD dwMilliseconds) { SleepEx(dwMilliseconds, FALSE); }

BOOL WINAPI SwitchToThread(void) { return sched_yield() == 0; }
