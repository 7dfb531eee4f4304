/*
 * thread.c: per-thread state, last error, APC queues, CreateThread and the
 * thread functions.
 */
#include "core/thread.h"

#include "core/alloc.h"
#include "core/futex.h"
#include "core/poller.h"
#include "core/port.h"
#include "core/tls.h"
#include "core/window.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static WS2__TLS ws2__thread_t *tls_self;
static WS2__TLS DWORD tls_last_error;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static ws2__list_t registry = {{&registry.head, &registry.head}};

DWORD WINAPI GetLastError(void) { return tls_last_error; }
void WINAPI SetLastError(DWORD dwErrCode) { tls_last_error = dwErrCode; }

static void thread_destroy(ws2__obj_t *obj) {
  ws2__thread_t *t = ws2__container_of(obj, ws2__thread_t, obj);
  ws2__sync_destroy(&t->sync);
  pthread_mutex_destroy(&t->apc_lock);
  ws2__free(t);
}

const ws2__objtype_t ws2__thread_type = {"thread", 0, NULL, thread_destroy};

/* The thread is leaving: refuse and discard APCs, leave its port, wake
 * its waiters, drop its own reference. */
static void thread_retire(void *arg) {
  ws2__thread_t *t = arg;
  ws2__list_t apcs;
  ws2__node_t *n;

  ws2__msgq_thread_exit(t);
  pthread_mutex_lock(&t->apc_lock);
  t->exited = 1;
  ws2__list_init(&apcs);
  ws2__list_splice(&apcs, &t->apcs);
  pthread_mutex_unlock(&t->apc_lock);
  while ((n = ws2__list_pop_front(&apcs)) != NULL) {
    ws2__apc_t *apc = ws2__container_of(n, ws2__apc_t, node);
    apc->fn(apc, 0);
  }
  ws2__port_thread_exit(t);

  pthread_mutex_lock(&registry_lock);
  ws2__list_remove(&t->registry_node);
  pthread_mutex_unlock(&registry_lock);

  /* A thread that returns STILL_ACTIVE (259) reports 259, as on Windows;
   * one ws2 did not create and that ends without ExitThread reports 0. */
  atomic_store(&t->exit_code, t->exit_value);
  ws2__sync_set(&t->sync);
  tls_self = NULL;
  ws2__obj_unref(&t->obj);
}

static void make_exit_key(void) {
  pthread_key_create(&exit_key, thread_retire);
}

static ws2__thread_t *thread_new(void) {
  ws2__thread_t *t = ws2__calloc(1, sizeof(*t));
  if (!t) return NULL;
  ws2__obj_init(&t->obj, &ws2__thread_type, &t->sync);
  ws2__sync_init(&t->sync, 1, 0);
  pthread_mutex_init(&t->apc_lock, NULL);
  ws2__list_init(&t->apcs);
  atomic_init(&t->exit_code, STILL_ACTIVE);
  return t;
}

/* Makes t the calling thread's state: registered, retired at exit. The
 * reference the thread holds on itself is t's initial one. */
static void thread_attach(ws2__thread_t *t) {
  pthread_once(&exit_key_once, make_exit_key);
  tls_self = t;
  pthread_setspecific(exit_key, t);
  pthread_mutex_lock(&registry_lock);
  ws2__list_push_back(&registry, &t->registry_node);
  pthread_mutex_unlock(&registry_lock);
  __atomic_store_n(&t->tid, (DWORD)syscall(SYS_gettid), __ATOMIC_RELEASE);
  ws2__futex_wake((_Atomic uint32_t *)&t->tid, 1);
}

ws2__thread_t *ws2__thread_self(void) {
  ws2__thread_t *t = tls_self;
  if (t) return t;
  t = thread_new();
  if (t) thread_attach(t);
  return t;
}

ws2__obj_t *ws2__thread_self_obj(void) {
  ws2__thread_t *t = ws2__thread_self();
  return t ? &t->obj : NULL;
}

/* ---- The engine's poll role (poller.h). */

static _Atomic(ws2__poller_t *) g_poller;
static _Atomic(void *) g_owner;           /* the thread polling, or &g_owner */
static _Atomic ULONGLONG g_last_app_poll; /* GetTickCount64 of the last */
static pthread_mutex_t g_sleepers_lock = PTHREAD_MUTEX_INITIALIZER;
static ws2__list_t g_sleepers = {{&g_sleepers.head, &g_sleepers.head}};
/* How many are on g_sleepers: promote() looks here before taking the
 * lock. A sleeper counts itself in before it looks at g_owner, a leaving
 * poller clears g_owner before it looks here (both sequentially
 * consistent): one of the two sees the other. */
static _Atomic int g_nsleepers;

int ws2__poller_install(ws2__poller_t *p) {
  const char *v = getenv("WS2_ENGINE_THREAD");
  if (p && v && *v && *v != '0') return 0;
  g_poller = p; /* set before any socket exists; NULL takes it back */
  return 1;
}

/* Wakes, without claiming it, the most recent thread asleep on its futex
 * in a ws2 wait: it finds the role free and takes it. A thread already
 * claimed is woken by its claimer and takes the role at its next wait: no
 * second wake. The wake comes after the unlock (a reference keeps the
 * thread), or on one CPU the woken thread would run at once and block on
 * the lock it needs to leave the list. */
static void promote(void) {
  ws2__node_t *n;
  ws2__thread_t *t = NULL;
  if (atomic_load(&g_nsleepers) == 0) return;
  pthread_mutex_lock(&g_sleepers_lock);
  n = ws2__list_first(&g_sleepers);
  if (n) {
    t = ws2__container_of(n, ws2__thread_t, sleeper_node);
    if (atomic_load(&t->wake) == WS2__WAKE_NONE)
      ws2__obj_ref(&t->obj);
    else
      t = NULL;
  }
  pthread_mutex_unlock(&g_sleepers_lock);
  if (t) {
    ws2__futex_wake(&t->wake, 1);
    ws2__obj_unref(&t->obj);
  }
}

/* Holds the role while `p->poll` runs; `who` is a thread or &g_owner.
 * With `callbacks`, the round's packets for a port with a callback go to
 * that callback once the role is given up: in a wait, where the thread
 * holds no lock of ws2's, not in a drain (called from deep inside a
 * close). */
static int poll_as(void *who, const struct timespec *deadline,
                   _Atomic uint32_t *wake, _Atomic int *polling,
                   int callbacks) {
  ws2__poller_t *p = atomic_load(&g_poller);
  void *expected = NULL;
  if (!p || !atomic_compare_exchange_strong(&g_owner, &expected, who)) return 0;
  if (polling) atomic_store(polling, 1);
  /* A claim made before we were visible as the poller only woke our
   * futex: look at the word again before waiting in the engine. */
  if (!wake || atomic_load(wake) == WS2__WAKE_NONE) {
    /* The round's packets go to the port at once. */
    ws2__port_batch_begin(callbacks);
    p->poll(p, deadline);
    ws2__port_batch_end();
  }
  if (polling) atomic_store(polling, 0);
  atomic_store(&g_owner, NULL);
  if (callbacks) ws2__port_run_callbacks();
  return 1;
}

int ws2__poller_fallback(DWORD idle_ms) {
  struct timespec dl;
  if (!g_poller || atomic_load(&g_owner) ||
      GetTickCount64() - atomic_load(&g_last_app_poll) < idle_ms)
    return 0;
  ws2__deadline(&dl, idle_ms);
  if (!poll_as(&g_owner, &dl, NULL, NULL, 1)) return 0;
  promote(); /* an application thread may have been waiting for the role */
  return 1;
}

void ws2__poller_drain(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  /* A deadline of now: run what is ready, do not wait. */
  if (poll_as(&g_owner, &now, NULL, NULL, 0)) promote();
}

/* A claimed thread that is polling must leave the engine's wait. */
static void interrupt_if_polling(ws2__thread_t *t) {
  if (atomic_load(&t->polling) && t != tls_self) {
    ws2__poller_t *p = atomic_load(&g_poller);
    p->interrupt(p);
  }
}

int ws2__thread_claim(ws2__thread_t *t, uint32_t reason) {
  uint32_t expected = WS2__WAKE_NONE;
  if (!atomic_compare_exchange_strong(&t->wake, &expected, reason)) return 0;
  if (t != tls_self) ws2__futex_wake(&t->wake, 1); /* self is not asleep */
  interrupt_if_polling(t);
  return 1;
}

int ws2__thread_claim_later(ws2__thread_t *t, uint32_t reason,
                            ws2__wakelist_t *wl) {
  uint32_t expected = WS2__WAKE_NONE;
  if (!atomic_compare_exchange_strong(&t->wake, &expected, reason)) return 0;
  if (wl->n < (int)(sizeof(wl->t) / sizeof(wl->t[0]))) {
    wl->t[wl->n++] = t;
    /* Decided now, while t cannot have gone: after the unlock it may
     * have woken, exited and been freed. */
    if (atomic_load(&t->polling) && t != tls_self) wl->interrupt = 1;
  } else {
    ws2__futex_wake(&t->wake, 1); /* list full: wake now */
    interrupt_if_polling(t);
  }
  return 1;
}

void ws2__wakelist_flush(ws2__wakelist_t *wl) {
  int i;
  /* A thread claiming itself (the poller handing a packet to its own
   * wait) is not asleep on its futex: no system call for it. */
  for (i = 0; i < wl->n; i++)
    if (wl->t[i] != tls_self) ws2__futex_wake(&wl->t[i]->wake, 1);
  if (wl->interrupt) {
    ws2__poller_t *p = atomic_load(&g_poller);
    p->interrupt(p);
  }
  wl->n = 0;
  wl->interrupt = 0;
}

void ws2__thread_wait_begin(ws2__thread_t *self, int alertable) {
  atomic_store(&self->wake, WS2__WAKE_NONE);
  if (alertable) {
    /* Publish alertability before looking at the queue: a racing
     * ws2__apc_queue either sees the flag or its APC is seen here. */
    atomic_store(&self->alertable, 1);
    if (ws2__apc_pending(self)) ws2__thread_claim(self, WS2__WAKE_APC);
  }
}

void ws2__thread_wait_end(ws2__thread_t *self) {
  atomic_store(&self->alertable, 0);
}

/* Whether an absolute CLOCK_MONOTONIC deadline has passed. */
static int deadline_passed(const struct timespec *dl) {
  struct timespec now;
  if (!dl) return 0;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > dl->tv_sec ||
         (now.tv_sec == dl->tv_sec && now.tv_nsec >= dl->tv_nsec);
}

/* The thread's own timeout: claimed by itself unless a waker won. */
static uint32_t time_out(ws2__thread_t *self) {
  uint32_t expected = WS2__WAKE_NONE;
  if (atomic_compare_exchange_strong(&self->wake, &expected, WS2__WAKE_TIMEOUT))
    return WS2__WAKE_TIMEOUT;
  return expected; /* claimed just as the deadline passed: honour it */
}

uint32_t ws2__thread_sleep(ws2__thread_t *self, const struct timespec *deadline,
                           unsigned flags) {
  uint32_t r;
  int port_blocking = (flags & WS2__SLEEP_PORT_BLOCKING) != 0;
  if (port_blocking) ws2__port_thread_block(self);
  for (;;) {
    int rc, registered = 0; /* on g_sleepers for this wait */
    r = atomic_load(&self->wake);
    if (r != WS2__WAKE_NONE) break;
    if (g_poller && !(flags & WS2__SLEEP_NO_POLL)) {
      void *owner = atomic_load(&g_owner);
      if (!owner && poll_as(self, deadline, &self->wake, &self->polling, 1)) {
        atomic_store(&g_last_app_poll, GetTickCount64());
        r = atomic_load(&self->wake);
        if (r == WS2__WAKE_NONE && deadline_passed(deadline))
          r = time_out(self);
        if (r != WS2__WAKE_NONE) {
          /* Leaving the wait: someone else should watch the engine. */
          promote();
          break;
        }
        continue;
      }
      /* The fallback thread gives the role up to an application thread,
       * and counts this as an application poll: otherwise, while the
       * application thread gets its completions handed over without ever
       * polling itself, the fallback thread would take the role back at
       * once, every time, and become the process's poller (two context
       * switches per batch). */
      if (owner == (void *)&g_owner) {
        ws2__poller_t *p = atomic_load(&g_poller);
        atomic_store(&g_last_app_poll, GetTickCount64());
        p->interrupt(p);
      }
      pthread_mutex_lock(&g_sleepers_lock);
      ws2__list_push_front(&g_sleepers, &self->sleeper_node);
      atomic_fetch_add(&g_nsleepers, 1);
      pthread_mutex_unlock(&g_sleepers_lock);
      registered = 1;
      /* Registered before looking: a role released after this look
       * promotes a sleeper (maybe us); released before it, we take it. */
      if (!atomic_load(&g_owner)) {
        pthread_mutex_lock(&g_sleepers_lock);
        ws2__list_remove(&self->sleeper_node);
        atomic_fetch_sub(&g_nsleepers, 1);
        pthread_mutex_unlock(&g_sleepers_lock);
        continue;
      }
    }
    rc = ws2__futex_wait(&self->wake, WS2__WAKE_NONE, deadline);
    /* Whether this wait registered, not whether a poller exists now: the
     * engine may have started during the wait (a thread that waited
     * before the process's first socket). */
    if (registered) {
      pthread_mutex_lock(&g_sleepers_lock);
      ws2__list_remove(&self->sleeper_node);
      atomic_fetch_sub(&g_nsleepers, 1);
      pthread_mutex_unlock(&g_sleepers_lock);
    }
    if (rc == -ETIMEDOUT) {
      r = time_out(self);
      break;
    }
  }
  if (port_blocking) ws2__port_thread_unblock(self);
  return r;
}

int ws2__apc_queue(ws2__thread_t *t, ws2__apc_t *apc) {
  pthread_mutex_lock(&t->apc_lock);
  if (t->exited) {
    pthread_mutex_unlock(&t->apc_lock);
    return -ESRCH;
  }
  ws2__list_push_back(&t->apcs, &apc->node);
  pthread_mutex_unlock(&t->apc_lock);
  if (atomic_load(&t->alertable)) ws2__thread_claim(t, WS2__WAKE_APC);
  return 0;
}

int ws2__apc_pending(ws2__thread_t *self) {
  int pending;
  pthread_mutex_lock(&self->apc_lock);
  pending = !ws2__list_empty(&self->apcs);
  pthread_mutex_unlock(&self->apc_lock);
  return pending;
}

int ws2__apc_run(ws2__thread_t *self) {
  int count = 0;
  for (;;) {
    ws2__node_t *n;
    ws2__apc_t *apc;
    /* One at a time: an APC may queue more, or wait alertably itself. */
    pthread_mutex_lock(&self->apc_lock);
    n = ws2__list_pop_front(&self->apcs);
    pthread_mutex_unlock(&self->apc_lock);
    if (!n) break;
    apc = ws2__container_of(n, ws2__apc_t, node);
    apc->fn(apc, 1);
    count++;
  }
  return count;
}

/* QueueUserAPC's APC: the user's function and its argument. */
typedef struct user_apc {
  ws2__apc_t apc;
  PAPCFUNC fn;
  ULONG_PTR data;
} user_apc_t;

static void user_apc_fn(ws2__apc_t *apc, int run) {
  user_apc_t *u = ws2__container_of(apc, user_apc_t, apc);
  if (run) u->fn(u->data);
  ws2__free(u);
}

DWORD WINAPI QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData) {
  ws2__obj_t *obj;
  user_apc_t *u;
  int r;

  if (!pfnAPC) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  obj = ws2__handle_get(hThread, &ws2__thread_type);
  if (!obj) {
    SetLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  u = ws2__malloc(sizeof(*u));
  if (!u) {
    ws2__obj_unref(obj);
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return 0;
  }
  u->apc.fn = user_apc_fn;
  u->fn = pfnAPC;
  u->data = dwData;
  r = ws2__apc_queue(ws2__container_of(obj, ws2__thread_t, obj), &u->apc);
  ws2__obj_unref(obj);
  if (r != 0) {
    ws2__free(u);
    SetLastError(ERROR_GEN_FAILURE);
    return 0;
  }
  return 1;
}

static void *thread_trampoline(void *arg) {
  ws2__thread_t *t = arg;
  uint32_t s;
  DWORD code;

  thread_attach(t);
  while ((s = atomic_load(&t->suspend)) != 0)
    ws2__futex_wait(&t->suspend, s, NULL);
  /* APCs queued before the thread started run before its start routine,
   * as on Windows (where thread start-up is an alertable point). */
  ws2__apc_run(t);
  code = t->start(t->param);
  t->exit_value = code;
  return NULL; /* thread_retire runs as the exit key's destructor */
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes,
                           SIZE_T dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress,
                           LPVOID lpParameter, DWORD dwCreationFlags,
                           LPDWORD lpThreadId) {
  ws2__thread_t *t;
  pthread_attr_t attr;
  pthread_t pt;
  HANDLE h;
  int r;

  if (!lpStartAddress) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  if (!(t = thread_new())) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  t->start = lpStartAddress;
  t->param = lpParameter;
  atomic_init(&t->suspend, (dwCreationFlags & CREATE_SUSPENDED) ? 1 : 0);
  if (ws2__handle_new(&t->obj, &h) != 0) {
    ws2__obj_unref(&t->obj);
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  if (lpThreadAttributes && lpThreadAttributes->bInheritHandle)
    ws2__handle_set_flags(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (dwStackSize) {
    if (dwStackSize < (SIZE_T)PTHREAD_STACK_MIN)
      dwStackSize = PTHREAD_STACK_MIN;
    pthread_attr_setstacksize(&attr, dwStackSize);
  }
  r = pthread_create(&pt, &attr, thread_trampoline, t);
  pthread_attr_destroy(&attr);
  if (r != 0) {
    CloseHandle(h);
    ws2__obj_unref(&t->obj);
    SetLastError(r == EAGAIN ? ERROR_NOT_ENOUGH_MEMORY
                             : ERROR_INVALID_PARAMETER);
    return NULL;
  }
  /* As on Windows, the thread exists (it has its id and OpenThread finds
   * it) by the time CreateThread returns. */
  while (__atomic_load_n(&t->tid, __ATOMIC_ACQUIRE) == 0)
    ws2__futex_wait((_Atomic uint32_t *)&t->tid, 0, NULL);
  if (lpThreadId) *lpThreadId = t->tid;
  return h;
}

void WINAPI ExitThread(DWORD dwExitCode) {
  ws2__thread_t *t = ws2__thread_self();
  if (t) t->exit_value = dwExitCode;
  pthread_exit(NULL);
}

HANDLE WINAPI GetCurrentThread(void) { return WS2_CURRENT_THREAD_HANDLE; }
HANDLE WINAPI GetCurrentProcess(void) { return WS2_CURRENT_PROCESS_HANDLE; }
DWORD WINAPI GetCurrentProcessId(void) { return (DWORD)getpid(); }

DWORD WINAPI GetCurrentThreadId(void) {
  ws2__thread_t *t = ws2__thread_self();
  return t ? t->tid : (DWORD)syscall(SYS_gettid);
}

static ws2__thread_t *thread_get(HANDLE h) {
  ws2__obj_t *obj = ws2__handle_get(h, &ws2__thread_type);
  if (!obj) {
    SetLastError(ERROR_INVALID_HANDLE);
    return NULL;
  }
  return ws2__container_of(obj, ws2__thread_t, obj);
}

DWORD WINAPI GetThreadId(HANDLE Thread) {
  ws2__thread_t *t = thread_get(Thread);
  DWORD tid;
  if (!t) return 0;
  tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE);
  ws2__obj_unref(&t->obj);
  return tid;
}

BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode) {
  ws2__thread_t *t;
  if (!lpExitCode) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if (!(t = thread_get(hThread))) return FALSE;
  *lpExitCode = atomic_load(&t->exit_code);
  ws2__obj_unref(&t->obj);
  return TRUE;
}

DWORD WINAPI ResumeThread(HANDLE hThread) {
  ws2__thread_t *t = thread_get(hThread);
  uint32_t prev;
  if (!t) return (DWORD)-1;
  prev = atomic_load(&t->suspend);
  while (prev > 0 &&
         !atomic_compare_exchange_weak(&t->suspend, &prev, prev - 1)) {
  }
  if (prev == 1) ws2__futex_wake(&t->suspend, 1);
  ws2__obj_unref(&t->obj);
  return prev;
}

HANDLE WINAPI OpenThread(DWORD dwDesiredAccess, BOOL bInheritHandle,
                         DWORD dwThreadId) {
  ws2__node_t *n;
  ws2__thread_t *found = NULL;
  HANDLE h = NULL;

  pthread_mutex_lock(&registry_lock);
  ws2__list_foreach(n, &registry) {
    ws2__thread_t *t = ws2__container_of(n, ws2__thread_t, registry_node);
    if (t->tid == dwThreadId) {
      found = t;
      ws2__obj_ref(&t->obj);
      break;
    }
  }
  pthread_mutex_unlock(&registry_lock);
  if (!found) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  if (ws2__handle_new(&found->obj, &h) != 0) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    h = NULL;
  }
  ws2__obj_unref(&found->obj);
  return h;
}
