/*
 * thread.h: per-thread state: the wake word every wait sleeps on, the APC
 * queue, the completion-port association, and the thread object that
 * CreateThread, OpenThread and GetCurrentThread hand out.
 *
 * Any thread that calls into ws2 has a ws2__thread_t, created on first use
 * for threads ws2 did not create (the main thread, foreign pthreads), and
 * retired when the thread exits: its object is signalled, its queued APCs
 * are discarded, and its completion-port association is dropped.
 */
#ifndef WS2_CORE_THREAD_H
#define WS2_CORE_THREAD_H

#include "core/sync.h"

#include <stdatomic.h>

#define WS2_CURRENT_PROCESS_HANDLE ((HANDLE)(LONG_PTR)-1)
#define WS2_CURRENT_THREAD_HANDLE ((HANDLE)(LONG_PTR)-2)

/* Reasons a thread's wake word is claimed with (0 = still waiting). */
enum {
  WS2__WAKE_NONE = 0,
  WS2__WAKE_OBJECT0 = 1, /* + index of the object that satisfied a wait */
  WS2__WAKE_APC = 0x1000,
  WS2__WAKE_CHECK,     /* a wait-all object changed: look again */
  WS2__WAKE_PACKET,    /* a port handed a packet over (thread->handoff) */
  WS2__WAKE_ABANDONED, /* the port waited on was closed */
  WS2__WAKE_TIMEOUT    /* claimed by the thread itself at its deadline */
};

struct ws2__port;
struct ws2__packet;

/*
 * An APC: fn runs it (run = 1) in an alertable wait of its thread, or
 * discards it (run = 0) when the thread exits first; either way fn
 * releases the APC's memory. The node is the APC's own, so queuing an
 * I/O completion routine never allocates.
 */
typedef struct ws2__apc {
  ws2__node_t node;
  void (*fn)(struct ws2__apc *apc, int run);
} ws2__apc_t;

typedef struct ws2__thread {
  ws2__obj_t obj;
  ws2__sync_t sync; /* signalled when the thread exits */
  _Atomic uint32_t wake;
  _Atomic int alertable;
  _Atomic int polling;      /* holds the engine's poll role (poller.h) */
  ws2__node_t sleeper_node; /* on the sleepers list while on its futex */

  pthread_mutex_t apc_lock;
  ws2__list_t apcs;
  int exited; /* under apc_lock: no more APCs are accepted */

  DWORD tid;
  _Atomic DWORD exit_code; /* STILL_ACTIVE until the thread has exited */
  DWORD exit_value;        /* what it returned or gave ExitThread (own thread) */

  /* Completion-port state, all under the port's lock (port.c). */
  struct ws2__port *port;      /* associated port, referenced */
  int port_counted;            /* counted in port->running */
  int port_blocked;            /* uncounted while blocked elsewhere */
  ws2__node_t port_node;       /* in port->waiters while in GQCS */
  struct ws2__packet *handoff; /* packet given with WS2__WAKE_PACKET */

  ws2__node_t registry_node; /* all live threads, for OpenThread */

  void *msgq; /* message queue (window.c), own thread only; NULL until used */

  /* CreateThread. */
  LPTHREAD_START_ROUTINE start;
  LPVOID param;
  _Atomic uint32_t suspend; /* CREATE_SUSPENDED count, a futex word */
} ws2__thread_t;

extern const ws2__objtype_t ws2__thread_type;

/* The calling thread's state, created on first use (NULL only on OOM). */
ws2__thread_t *ws2__thread_self(void);
ws2__obj_t *ws2__thread_self_obj(void);

/* Claims t's wake word for `reason` and wakes it; 1 if this call won. */
int ws2__thread_claim(ws2__thread_t *t, uint32_t reason);

/*
 * Wake-ups deferred until the waker has dropped its lock, so the woken
 * thread does not run straight into that lock. Claim under the lock with
 * ws2__thread_claim_later, then ws2__wakelist_flush after unlocking.
 * Waking a thread that has meanwhile woken, exited and been freed is
 * harmless: FUTEX_WAKE on a private address touches no memory, and a
 * stray wake-up of whatever reuses the address is one every futex user
 * tolerates (each re-checks its word).
 */
typedef struct ws2__wakelist {
  int n;
  int interrupt; /* one of them is polling the engine (core/poller.h) */
  ws2__thread_t *t[16];
} ws2__wakelist_t;
#define WS2__WAKELIST_INIT {0, 0, {0}}
int ws2__thread_claim_later(ws2__thread_t *t, uint32_t reason,
                            ws2__wakelist_t *wl);
void ws2__wakelist_flush(ws2__wakelist_t *wl);

/*
 * Sleeps until the wake word is claimed or the deadline (NULL: none)
 * passes, and returns the reason. Flags:
 *  - WS2__SLEEP_PORT_BLOCKING: the sleep counts as "blocked elsewhere"
 *    for the thread's completion port (its concurrency slot is given up
 *    meanwhile, as on Windows);
 *  - WS2__SLEEP_NO_POLL: the thread does not poll the engine in this
 *    wait, nor is it asked to (a wait on a port with a callback: port.c).
 * A thread that polls in its wait runs the ports' callbacks of its rounds
 * (ws2_port_set_callback) before it looks at its wake word again.
 */
#define WS2__SLEEP_PORT_BLOCKING 1u
#define WS2__SLEEP_NO_POLL 2u
uint32_t ws2__thread_sleep(ws2__thread_t *self, const struct timespec *deadline,
                           unsigned flags);

/*
 * Queues apc to t, and wakes t if it is in an alertable wait. Returns 0,
 * or -ESRCH when t has exited (the APC is not queued; the caller disposes
 * of it).
 */
int ws2__apc_queue(ws2__thread_t *t, ws2__apc_t *apc);
int ws2__apc_pending(ws2__thread_t *self);
/* Runs the calling thread's queued APCs in FIFO order; returns how many. */
int ws2__apc_run(ws2__thread_t *self);

/* Enters an alertable section: the wake word is reset first. */
void ws2__thread_wait_begin(ws2__thread_t *self, int alertable);
void ws2__thread_wait_end(ws2__thread_t *self);

#endif /* WS2_CORE_THREAD_H */
