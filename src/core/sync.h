/*
 * sync.h: waitable objects and the wait machinery.
 *
 * A waitable object (event, thread, I/O handle) embeds a ws2__sync_t: a
 * signal state, a reset kind and the list of wait blocks of the threads
 * waiting on it, all under the object's own lock.
 *
 * Every waiting thread sleeps on its own 32-bit wake word (thread.h). A
 * wake word is 0 while the thread may be woken, and whoever wakes the
 * thread first claims it with one compare-and-swap from 0 to a reason:
 * the index of the object that satisfied a wait-any, an APC, a completion
 * packet handed over by a port, a port closing, or the thread's own
 * timeout. Because the claim is a single CAS, an auto-reset event that
 * fails to claim a waiter (someone else got there first) keeps its signal
 * and offers it to the next waiter; nothing is consumed twice or lost.
 *
 * Wait-all waiters are not claimed: a signal nudges them (reason CHECK)
 * and they re-check all their objects under all the objects' locks, taken
 * in address order, consuming them only when every one is signalled.
 *
 * Setting a signalled object, resetting one, and setting one that nobody
 * waits on take no lock: `signaled` is atomic, and a setter that stores
 * it and then finds `waiting` zero is done, because a waiter counts
 * itself in `waiting` (under the lock) before it looks at `signaled`:
 * of the two, the second to act sees the other (both sequentially
 * consistent). This is what an I/O handle's own signal costs per request
 * when nobody waits on the handle: two atomic accesses, no lock.
 *
 * Lock order: object lock → (no other object lock, except wait-all which
 * takes several in address order) ; a thread's APC lock and a completion
 * port's lock are never held while taking an object lock.
 */
#ifndef WS2_CORE_SYNC_H
#define WS2_CORE_SYNC_H

#include "core/list.h"
#include "core/object.h"

#include <pthread.h>
#include <time.h>

struct ws2__sync {
  pthread_mutex_t lock;
  _Atomic int signaled; /* changes under the lock, but for set and reset */
  _Atomic int waiting;  /* wait blocks on `waits` (under the lock) */
  int manual; /* manual reset: a signal releases every waiter and stays */
  ws2__list_t waits;
};

void ws2__sync_init(ws2__sync_t *s, int manual, int signaled);
void ws2__sync_destroy(ws2__sync_t *s);
/* Signals: releases waiters; an auto-reset object releases exactly one. */
void ws2__sync_set(ws2__sync_t *s);
void ws2__sync_reset(ws2__sync_t *s);

/*
 * Waits for one (all = 0) or all of the n objects, for ms milliseconds
 * (INFINITE: no limit), running APCs when alertable. Returns
 * WAIT_OBJECT_0 + i, WAIT_TIMEOUT or WAIT_IO_COMPLETION. n may be 0 (a
 * plain sleep). The objects must be waitable (obj->sync != NULL) and, for
 * wait-all, distinct; the caller checks both.
 */
DWORD ws2__wait(DWORD n, ws2__obj_t *const *objs, int all, DWORD ms,
                int alertable);

/* Event objects (event.c). ws2__event_set_handle sets the event a handle
 * names without touching the thread's last error: 0, or -EBADF. */
extern const ws2__objtype_t ws2__event_type;
int ws2__event_set_handle(HANDLE h);

/* Absolute CLOCK_MONOTONIC deadline ms from now (ms != INFINITE). */
void ws2__deadline(struct timespec *ts, DWORD ms);
/* Milliseconds left until a deadline, rounded up (-1 for NULL, 0 when
 * passed), as poll(2) and epoll_wait(2) take them. */
int ws2__deadline_ms(const struct timespec *dl);

#endif /* WS2_CORE_SYNC_H */
