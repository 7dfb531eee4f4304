/*
 * faults.c: the fault module of ws2-nonifs-faults.so (faults.h says what
 * it injects, where, and how it is controlled).
 *
 * State: the plan and the generator, the counters, and the requests it
 * holds (a list, newest first), all under one mutex. One thread (made with
 * CreateThread, as the layer's worker is) reports the held requests when
 * they are due; it sleeps on a condition variable until the earliest one.
 * Reports are made outside the mutex: the layer's reporting calls into
 * ws2, which may run a completion routine's queueing or take ws2's locks.
 */
#include <winsock2.h>
#include <ws2spi.h>

#include "faults.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { M_DELAY, M_IN_CALL, M_REORDER, M_HOLD };

typedef struct item {
  struct item *next;
  void *req;
  int mode;
  BOOL ok;
  DWORD n, error;
  unsigned long long due; /* ms, CLOCK_MONOTONIC */
  /* M_IN_CALL: on the caller's stack; the caller waits for `done`. */
  int done;
  DWORD bytes, flags;
} item_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;    /* the thread */
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER; /* in-call callers */
static nf_fault_plan_t plan;
static unsigned long long rng;
static unsigned int fail_turn, late_turn;
static nf_fault_stats_t st;
static item_t *items;
static int running, stopping;
static HANDLE thread;
static nf_fault_report_fn report_fn;

static unsigned long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000u +
         (unsigned long long)ts.tv_nsec / 1000000u;
}

/* 0..999, or 0..m-1 (mutex held). */
static unsigned int draw(unsigned int m) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned int)((rng >> 11) % (m ? m : 1));
}

static int applies(int kind) {
  return running && !stopping && kind >= 0 && kind < 32 &&
         (plan.kinds & (1u << kind));
}

static void set_plan(const nf_fault_plan_t *p) {
  plan = *p;
  rng = 0x9E3779B97F4A7C15ull ^ ((unsigned long long)plan.seed << 1 | 1);
  fail_turn = late_turn = 0;
  memset(&st, 0, sizeof(st));
}

static int next_error(const int *list, unsigned int *turn, int dflt) {
  unsigned int k = 0;
  while (k < 4 && list[k]) k++;
  if (!k) return dflt;
  return list[(*turn)++ % k];
}

/* ---- The environment's plan ------------------------------------------- */

static void plan_from_env(void) {
  const char *v = getenv("WS2_IO_FAULTS");
  nf_fault_plan_t p;
  char buf[512], *tok, *save = NULL;
  memset(&p, 0, sizeof(p));
  if (v && *v) {
    snprintf(buf, sizeof(buf), "%s", v);
    for (tok = strtok_r(buf, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save)) {
      char *eq = strchr(tok, '=');
      unsigned long x;
      if (!eq) continue;
      *eq = 0;
      x = strtoul(eq + 1, NULL, 0);
#define F(name) \
  if (strcmp(tok, #name) == 0) p.name = (unsigned int)x;
      F(seed)
      F(kinds)
      F(fail_now) F(short_io) F(fail_late) F(delay) F(in_call) F(reorder)
          F(hold) F(delay_ms) F(hold_ms)
#undef F
              if (strcmp(tok, "fail_error") == 0) p.fail_errors[0] = (int)x;
      if (strcmp(tok, "late_error") == 0) p.late_errors[0] = (int)x;
    }
    if (!strstr(v, "kinds=")) p.kinds = (1u << NF_FK_COUNT) - 1;
    fprintf(stderr, "ws2-nonifs-faults: WS2_IO_FAULTS=%s (seed %u)\n", v,
            p.seed);
  }
  set_plan(&p);
}

/* ---- Reporting held requests -------------------------------------------- */

/* Reports it (mutex not held); frees it unless a caller waits for it. */
static void report_item(item_t *it) {
  report_fn(it->req, it->ok, it->n, it->error, &it->bytes, &it->flags);
  pthread_mutex_lock(&mu);
  st.reported++;
  if (it->mode == M_IN_CALL) {
    it->done = 1;
    pthread_cond_broadcast(&done_cv);
    pthread_mutex_unlock(&mu);
    return;
  }
  pthread_mutex_unlock(&mu);
  free(it);
}

/* Takes off the list every item that is due (all of them when `all`), or
 * of mode `mode` when mode >= 0, newest first; mutex held. */
static item_t *take_locked(int all, int mode, unsigned long long now) {
  item_t *out = NULL, **tail = &out, **pp = &items;
  while (*pp) {
    item_t *it = *pp;
    if (all || (mode >= 0 ? it->mode == mode : it->due <= now)) {
      *pp = it->next;
      it->next = NULL;
      *tail = it;
      tail = &it->next;
      st.held--;
    } else {
      pp = &it->next;
    }
  }
  return out;
}

static void report_list(item_t *it, int out_of_order) {
  while (it) {
    item_t *next = it->next;
    if (out_of_order) {
      pthread_mutex_lock(&mu);
      st.out_of_order++;
      pthread_mutex_unlock(&mu);
    }
    report_item(it);
    it = next;
  }
}

static void push_locked(item_t *it) {
  it->next = items;
  items = it;
  st.held++;
  pthread_cond_signal(&wake);
}

static DWORD WINAPI fault_thread(LPVOID unused) {
  (void)unused;
  pthread_mutex_lock(&mu);
  for (;;) {
    unsigned long long now = now_ms(), next = now + 100;
    item_t *due = take_locked(stopping, -1, now), *it;
    if (due) {
      pthread_mutex_unlock(&mu);
      report_list(due, 0);
      pthread_mutex_lock(&mu);
      continue;
    }
    if (stopping) break;
    for (it = items; it; it = it->next)
      if (it->due < next) next = it->due;
    {
      struct timespec ts;
      unsigned long long wait = next > now ? next - now : 0;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_sec += (time_t)(wait / 1000);
      ts.tv_nsec += (long)(wait % 1000) * 1000000L;
      if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait(&wake, &mu, &ts);
    }
  }
  pthread_mutex_unlock(&mu);
  return 0;
}

/* ---- The hooks ---------------------------------------------------------- */

int nf_fault_start(nf_fault_report_fn report) {
  pthread_mutex_lock(&mu);
  report_fn = report;
  plan_from_env();
  stopping = 0;
  running = 1;
  pthread_mutex_unlock(&mu);
  thread = CreateThread(NULL, 0, fault_thread, NULL, 0, NULL);
  if (!thread) {
    pthread_mutex_lock(&mu);
    running = 0;
    pthread_mutex_unlock(&mu);
    return WSAENOBUFS;
  }
  return 0;
}

void nf_fault_stop(void) {
  if (!thread) return;
  pthread_mutex_lock(&mu);
  stopping = 1;
  pthread_cond_signal(&wake);
  pthread_mutex_unlock(&mu);
  WaitForSingleObject(thread, INFINITE);
  CloseHandle(thread);
  thread = NULL;
  pthread_mutex_lock(&mu);
  running = 0;
  pthread_mutex_unlock(&mu);
}

int nf_fault_call(int kind, LPINT err) {
  int fail = 0;
  pthread_mutex_lock(&mu);
  if (applies(kind)) {
    st.requests++;
    if (draw(1000) < plan.fail_now) {
      st.fail_now++;
      *err = next_error(plan.fail_errors, &fail_turn, WSAENOBUFS);
      fail = 1;
    }
  }
  pthread_mutex_unlock(&mu);
  return fail;
}

LPWSABUF nf_fault_bufs(int kind, LPWSABUF bufs, LPDWORD n) {
  static __thread WSABUF copy[16];
  unsigned long long total = 0, keep;
  DWORD i;
  if (!bufs || *n == 0 || *n > 16) return bufs;
  for (i = 0; i < *n; i++) total += bufs[i].len;
  if (total < 2) return bufs;
  pthread_mutex_lock(&mu);
  if (!applies(kind) || draw(1000) >= plan.short_io) {
    pthread_mutex_unlock(&mu);
    return bufs;
  }
  st.short_io++;
  keep =
      1 + draw((unsigned int)(total - 1 > 0x7fffffff ? 0x7fffffff : total - 1));
  pthread_mutex_unlock(&mu);
  for (i = 0; i < *n && keep; i++) {
    copy[i] = bufs[i];
    if (copy[i].len > keep) copy[i].len = (ULONG)keep;
    keep -= copy[i].len;
  }
  *n = i;
  return copy;
}

int nf_fault_done(void *req, int kind, int at_once, BOOL ok, DWORD n,
                  LPDWORD bytes, LPDWORD flags) {
  unsigned int d, edge;
  item_t *it = NULL, *after = NULL;
  item_t local;
  pthread_mutex_lock(&mu);
  if (!applies(kind)) {
    /* Not faulted; but a completion of any kind releases the reordered
     * ones after it. */
    if (!at_once && running && !stopping && items)
      after = take_locked(0, M_REORDER, 0);
    pthread_mutex_unlock(&mu);
    if (!after) return NF_FAULT_PASS;
    report_fn(req, ok, n, 0, NULL, NULL);
    report_list(after, 1);
    return NF_FAULT_DONE;
  }
  st.completions++;
  d = draw(1000);
  edge = plan.fail_late;
  if (d < edge) { /* the report carries an error instead */
    DWORD e = (DWORD)next_error(plan.late_errors, &late_turn, WSAECONNRESET);
    st.fail_late++;
    st.reported++;
    if (!at_once) after = take_locked(0, M_REORDER, 0);
    pthread_mutex_unlock(&mu);
    report_fn(req, ok, n, e, NULL, NULL);
    report_list(after, 1);
    /* Reported during the call, which then returns pending: a packet. */
    return at_once ? NF_FAULT_PENDING : NF_FAULT_DONE;
  }
  if (d < (edge += plan.delay)) {
    unsigned int ms = plan.delay_ms ? plan.delay_ms : 5;
    if ((it = calloc(1, sizeof(*it))) != NULL) {
      st.delay++;
      it->mode = M_DELAY;
      it->due = now_ms() + 1 + draw(ms);
    }
  } else if (d < (edge += plan.in_call)) {
    if (at_once) {
      st.in_call++;
      memset(&local, 0, sizeof(local));
      local.mode = M_IN_CALL;
      local.req = req;
      local.ok = ok;
      local.n = n;
      local.due = 0;
      push_locked(&local);
      while (!local.done) pthread_cond_wait(&done_cv, &mu);
      /* Success is returned as success at once, one time in two. */
      if (draw(2) == 0) {
        pthread_mutex_unlock(&mu);
        if (bytes) *bytes = local.bytes;
        if (flags) *flags = local.flags;
        return NF_FAULT_DONE;
      }
      st.in_call_pending++;
      pthread_mutex_unlock(&mu);
      return NF_FAULT_PENDING;
    }
  } else if (d < (edge += plan.reorder)) {
    if (!at_once && (it = calloc(1, sizeof(*it))) != NULL) {
      st.reorder++;
      it->mode = M_REORDER;
      it->due = now_ms() + 50;
    }
  } else if (d < (edge += plan.hold)) {
    if ((it = calloc(1, sizeof(*it))) != NULL) {
      st.hold++;
      it->mode = M_HOLD;
      it->due = now_ms() + (plan.hold_ms ? plan.hold_ms : 2000);
    }
  }
  if (it) {
    it->req = req;
    it->ok = ok;
    it->n = n;
    push_locked(it);
    pthread_mutex_unlock(&mu);
    return at_once ? NF_FAULT_PENDING : NF_FAULT_DONE;
  }
  if (!at_once) after = take_locked(0, M_REORDER, 0);
  pthread_mutex_unlock(&mu);
  if (!after) return NF_FAULT_PASS;
  report_fn(req, ok, n, 0, NULL, NULL);
  report_list(after, 1);
  return NF_FAULT_DONE;
}

int nf_fault_ioctl(DWORD code, LPVOID in, DWORD inlen, LPVOID out, DWORD outlen,
                   LPDWORD ret, int overlapped, LPINT r, LPINT err) {
  if (code != NF_FAULT_SIO_PLAN && code != NF_FAULT_SIO_STATS &&
      code != NF_FAULT_SIO_RELEASE)
    return 0;
  *r = SOCKET_ERROR;
  if (overlapped) {
    *err = WSAEINVAL;
    return 1;
  }
  if (code == NF_FAULT_SIO_PLAN) {
    if (!in || inlen < sizeof(nf_fault_plan_t)) {
      *err = WSAEFAULT;
      return 1;
    }
    pthread_mutex_lock(&mu);
    set_plan((const nf_fault_plan_t *)in);
    st.held = 0;
    {
      item_t *it;
      for (it = items; it; it = it->next) st.held++;
    }
    pthread_mutex_unlock(&mu);
    if (ret) *ret = 0;
  } else if (code == NF_FAULT_SIO_STATS) {
    if (!out || outlen < sizeof(nf_fault_stats_t)) {
      *err = WSAEFAULT;
      return 1;
    }
    pthread_mutex_lock(&mu);
    memcpy(out, &st, sizeof(st));
    pthread_mutex_unlock(&mu);
    if (ret) *ret = sizeof(nf_fault_stats_t);
  } else {
    item_t *it;
    pthread_mutex_lock(&mu);
    for (it = items; it; it = it->next)
      if (it->mode == M_HOLD) it->due = 0;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&mu);
    if (ret) *ret = 0;
  }
  *r = 0;
  return 1;
}
