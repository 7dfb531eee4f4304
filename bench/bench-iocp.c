/*
 * bench-iocp.c: the cost of one packet's trip through a completion port,
 * beside the two things a Linux programmer would use instead.
 *
 *   iocp_1t           one thread: PostQueuedCompletionStatus, then
 *                     GetQueuedCompletionStatus, repeated.
 *   iocp_pingpong_2t  two threads, two ports: A posts to port 1, B dequeues
 *                     it and posts to port 2, A dequeues that. One round
 *                     trip = one A -> B -> A cycle (two wake-ups).
 *   condvar_1t, condvar_pingpong_2t
 *                     the same two, on a pthread mutex + condition
 *                     variable queue (a ring of pointers) in place of
 *                     each port.
 *   eventfd_pingpong_2t
 *                     two threads, two blocking eventfds: A writes 1 to
 *                     the first, B reads it and writes the second, A reads.
 *
 * Every ping-pong runs twice, with both threads pinned to one CPU (_1cpu)
 * and with A and B pinned to two CPUs (_2cpu); see "Thread placement".
 * Each measurement warms up, then makes REPEATS timed runs and reports the
 * median in nanoseconds per round trip. Output: a table, then one
 * machine-readable line per figure:
 *
 *   bench iocp_pingpong_2t_1cpu ns_per_op=4503.7
 *   bench iocp_pingpong_2t_1cpu_vs_eventfd ratio=1.883
 *
 * Usage: bench-iocp [seconds-per-run]   (default 0.25 s: about 7 s in all)
 *
 * Threads are plain pthreads, so the figures include nothing ws2-specific
 * about thread creation; waits in ws2 use INFINITE timeouts.
 */

/*
 * Linux headers first: <windows.h> in its default (Windows) mode
 * pre-includes some C library headers and maps the names that clash
 * (fd_set, timeval, ...), so anything Linux-only must come before it.
 */
#define _GNU_SOURCE /* pthread affinity */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <windows.h>

#define WARMUP_SECONDS 0.05
#define REPEATS 3
#define BATCH 256 /* round trips between two looks at the clock */

#define KEY_PING 1
#define KEY_QUIT 2

static double g_run_seconds = 0.25;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what) {
  fprintf(stderr, "bench-iocp: %s failed (errno %d, GetLastError %lu)\n", what,
          errno, (unsigned long)GetLastError());
  exit(1);
}

/*
 * One benchmark: setup/teardown around a driver that runs round trips in
 * batches until `seconds` have passed and returns how many it ran. The
 * second thread of a ping-pong lives from setup to teardown, so thread
 * start-up is never timed.
 */
struct bench {
  const char *name;
  int cpus; /* 1: every thread on one CPU; 2: A and B on two CPUs */
  void (*setup)(void);
  uint64_t (*run)(double seconds);
  void (*teardown)(void);
  double ns_per_op; /* the result; < 0 when skipped */
};

/*
 * Thread placement. Unpinned two-thread figures swing by 10x from run to
 * run on a small VM (they depend on whether the peer's CPU was idle and
 * how deeply), so each ping-pong is measured twice, pinned: both threads
 * on one CPU (each round trip is two context switches) and on two CPUs
 * (each round trip is two cross-CPU wake-ups). g_cpu[0] runs thread A,
 * g_peer_cpu is where start_peer() puts thread B.
 */
static int g_cpu[2] = {-1, -1};
static int g_ncpu;
static int g_peer_cpu = -1;

static void find_cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return;
  for (int c = 0; c < CPU_SETSIZE && g_ncpu < 2; c++)
    if (CPU_ISSET(c, &set)) g_cpu[g_ncpu++] = c;
}

static void pin_self(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static pthread_t g_peer;

static void start_peer(void *(*fn)(void *)) {
  pthread_attr_t attr;
  cpu_set_t set;
  pthread_attr_init(&attr);
  if (g_peer_cpu >= 0) {
    CPU_ZERO(&set);
    CPU_SET(g_peer_cpu, &set);
    pthread_attr_setaffinity_np(&attr, sizeof set, &set);
  }
  if (pthread_create(&g_peer, &attr, fn, NULL)) die("pthread_create");
  pthread_attr_destroy(&attr);
}

static double time_one(struct bench *b, double seconds) {
  double t0 = now_seconds();
  uint64_t ops = b->run(seconds);
  double t1 = now_seconds();
  return (t1 - t0) * 1e9 / (double)ops;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void measure(struct bench *b) {
  double runs[REPEATS];
  if (b->cpus > g_ncpu) {
    b->ns_per_op = -1;
    return;
  }
  pin_self(g_cpu[0]);
  g_peer_cpu = g_cpu[b->cpus - 1];
  if (b->setup) b->setup();
  b->run(WARMUP_SECONDS);
  for (int i = 0; i < REPEATS; i++) runs[i] = time_one(b, g_run_seconds);
  if (b->teardown) b->teardown();
  qsort(runs, REPEATS, sizeof runs[0], cmp_double);
  b->ns_per_op = runs[REPEATS / 2];
}

/* ---- ws2 completion ports -------------------------------------------- */

static HANDLE g_port1, g_port2;
static OVERLAPPED g_ov; /* carried through the port, never touched */

static void iocp_dequeue(HANDLE port, ULONG_PTR *key) {
  DWORD bytes;
  LPOVERLAPPED ov;
  if (!GetQueuedCompletionStatus(port, &bytes, key, &ov, INFINITE))
    die("GetQueuedCompletionStatus");
}

static void iocp_1t_setup(void) {
  g_port1 = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  if (!g_port1) die("CreateIoCompletionPort");
}

static uint64_t iocp_1t_run(double seconds) {
  uint64_t ops = 0;
  double end = now_seconds() + seconds;
  ULONG_PTR key;
  do {
    for (int i = 0; i < BATCH; i++) {
      if (!PostQueuedCompletionStatus(g_port1, 8, KEY_PING, &g_ov))
        die("PostQueuedCompletionStatus");
      iocp_dequeue(g_port1, &key);
    }
    ops += BATCH;
  } while (now_seconds() < end);
  return ops;
}

static void iocp_1t_teardown(void) { CloseHandle(g_port1); }

/* Thread B: echo every packet from port 1 to port 2 until KEY_QUIT. */
static void *iocp_peer(void *arg) {
  ULONG_PTR key;
  (void)arg;
  for (;;) {
    iocp_dequeue(g_port1, &key);
    if (key == KEY_QUIT) return NULL;
    if (!PostQueuedCompletionStatus(g_port2, 8, KEY_PING, &g_ov))
      die("PostQueuedCompletionStatus");
  }
}

static void iocp_2t_setup(void) {
  g_port1 = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  g_port2 = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  if (!g_port1 || !g_port2) die("CreateIoCompletionPort");
  start_peer(iocp_peer);
}

static uint64_t iocp_2t_run(double seconds) {
  uint64_t ops = 0;
  double end = now_seconds() + seconds;
  ULONG_PTR key;
  do {
    for (int i = 0; i < BATCH; i++) {
      if (!PostQueuedCompletionStatus(g_port1, 8, KEY_PING, &g_ov))
        die("PostQueuedCompletionStatus");
      iocp_dequeue(g_port2, &key);
    }
    ops += BATCH;
  } while (now_seconds() < end);
  return ops;
}

static void iocp_2t_teardown(void) {
  PostQueuedCompletionStatus(g_port1, 0, KEY_QUIT, NULL);
  pthread_join(g_peer, NULL);
  CloseHandle(g_port1);
  CloseHandle(g_port2);
}

/* ---- pthread mutex + condition variable queue ------------------------- */

/*
 * The textbook blocking queue: a ring of pointers under a mutex, and a
 * condition variable signalled only when a consumer is waiting. It is
 * signalled after the mutex is released: a consumer woken while the
 * producer still holds the mutex goes straight back to sleep on it, which
 * on a 2-CPU VM made each round trip ~30 times slower.
 */
#define CQ_SIZE 1024
struct cq {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  unsigned head, tail, waiters;
  void *ring[CQ_SIZE];
};

static struct cq g_q1, g_q2;

static void cq_init(struct cq *q) {
  memset(q, 0, sizeof *q);
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->cv, NULL);
}

static void cq_destroy(struct cq *q) {
  pthread_cond_destroy(&q->cv);
  pthread_mutex_destroy(&q->mu);
}

static void cq_post(struct cq *q, void *p) {
  unsigned waiters;
  pthread_mutex_lock(&q->mu);
  if (q->tail - q->head == CQ_SIZE) die("condvar queue overflow");
  q->ring[q->tail++ % CQ_SIZE] = p;
  waiters = q->waiters;
  pthread_mutex_unlock(&q->mu);
  if (waiters) pthread_cond_signal(&q->cv);
}

static void *cq_get(struct cq *q) {
  void *p;
  pthread_mutex_lock(&q->mu);
  while (q->head == q->tail) {
    q->waiters++;
    pthread_cond_wait(&q->cv, &q->mu);
    q->waiters--;
  }
  p = q->ring[q->head++ % CQ_SIZE];
  pthread_mutex_unlock(&q->mu);
  return p;
}

static char g_ping, g_quit; /* the values the queue carries */

static void condvar_1t_setup(void) { cq_init(&g_q1); }

static uint64_t condvar_1t_run(double seconds) {
  uint64_t ops = 0;
  double end = now_seconds() + seconds;
  do {
    for (int i = 0; i < BATCH; i++) {
      cq_post(&g_q1, &g_ping);
      (void)cq_get(&g_q1);
    }
    ops += BATCH;
  } while (now_seconds() < end);
  return ops;
}

static void condvar_1t_teardown(void) { cq_destroy(&g_q1); }

static void *condvar_peer(void *arg) {
  (void)arg;
  while (cq_get(&g_q1) != &g_quit) cq_post(&g_q2, &g_ping);
  return NULL;
}

static void condvar_2t_setup(void) {
  cq_init(&g_q1);
  cq_init(&g_q2);
  start_peer(condvar_peer);
}

static uint64_t condvar_2t_run(double seconds) {
  uint64_t ops = 0;
  double end = now_seconds() + seconds;
  do {
    for (int i = 0; i < BATCH; i++) {
      cq_post(&g_q1, &g_ping);
      (void)cq_get(&g_q2);
    }
    ops += BATCH;
  } while (now_seconds() < end);
  return ops;
}

static void condvar_2t_teardown(void) {
  cq_post(&g_q1, &g_quit);
  pthread_join(g_peer, NULL);
  cq_destroy(&g_q1);
  cq_destroy(&g_q2);
}

/* ---- eventfd ping-pong ------------------------------------------------ */

/* Blocking eventfds; the value written is 1 for a ping, 2 to stop. */
static int g_efd1 = -1, g_efd2 = -1;

static uint64_t efd_read(int fd) {
  uint64_t v;
  if (read(fd, &v, sizeof v) != (ssize_t)sizeof v) die("eventfd read");
  return v;
}

static void efd_write(int fd, uint64_t v) {
  if (write(fd, &v, sizeof v) != (ssize_t)sizeof v) die("eventfd write");
}

static void *eventfd_peer(void *arg) {
  (void)arg;
  while (efd_read(g_efd1) == 1) efd_write(g_efd2, 1);
  return NULL;
}

static void eventfd_2t_setup(void) {
  g_efd1 = eventfd(0, EFD_CLOEXEC);
  g_efd2 = eventfd(0, EFD_CLOEXEC);
  if (g_efd1 < 0 || g_efd2 < 0) die("eventfd");
  start_peer(eventfd_peer);
}

static uint64_t eventfd_2t_run(double seconds) {
  uint64_t ops = 0;
  double end = now_seconds() + seconds;
  do {
    for (int i = 0; i < BATCH; i++) {
      efd_write(g_efd1, 1);
      (void)efd_read(g_efd2);
    }
    ops += BATCH;
  } while (now_seconds() < end);
  return ops;
}

static void eventfd_2t_teardown(void) {
  efd_write(g_efd1, 2);
  pthread_join(g_peer, NULL);
  close(g_efd1);
  close(g_efd2);
}

/* ---- main ------------------------------------------------------------- */

/* Rows of the table: mechanisms. Columns: placements. */
enum { IOCP, CONDVAR, EVENTFD, NMECH };
enum { ONE_THREAD, TWO_THREADS_1CPU, TWO_THREADS_2CPU, NPLACE };

static struct bench g_benches[NMECH][NPLACE] =
    {
        [IOCP] =
            {
                [ONE_THREAD] = {"iocp_1t", 1, iocp_1t_setup, iocp_1t_run,
                                iocp_1t_teardown, 0},
                [TWO_THREADS_1CPU] = {"iocp_pingpong_2t_1cpu", 1, iocp_2t_setup,
                                      iocp_2t_run, iocp_2t_teardown, 0},
                [TWO_THREADS_2CPU] = {"iocp_pingpong_2t_2cpu", 2, iocp_2t_setup,
                                      iocp_2t_run, iocp_2t_teardown, 0},
            },
        [CONDVAR] =
            {
                [ONE_THREAD] = {"condvar_1t", 1, condvar_1t_setup,
                                condvar_1t_run, condvar_1t_teardown, 0},
                [TWO_THREADS_1CPU] = {"condvar_pingpong_2t_1cpu", 1,
                                      condvar_2t_setup, condvar_2t_run,
                                      condvar_2t_teardown, 0},
                [TWO_THREADS_2CPU] = {"condvar_pingpong_2t_2cpu", 2,
                                      condvar_2t_setup, condvar_2t_run,
                                      condvar_2t_teardown, 0},
            },
        [EVENTFD] =
            {
                /* A blocking eventfd read in the writing thread: no 1t case. */
                [ONE_THREAD] = {NULL, 0, NULL, NULL, NULL, 0},
                [TWO_THREADS_1CPU] = {"eventfd_pingpong_2t_1cpu", 1,
                                      eventfd_2t_setup, eventfd_2t_run,
                                      eventfd_2t_teardown, 0},
                [TWO_THREADS_2CPU] = {"eventfd_pingpong_2t_2cpu", 2,
                                      eventfd_2t_setup, eventfd_2t_run,
                                      eventfd_2t_teardown, 0},
            },
};

static const char *const g_mech_names[NMECH] = {
    "ws2 completion port", "mutex + condvar queue", "eventfd"};

static int have(int mech, int place) {
  return g_benches[mech][place].name && g_benches[mech][place].ns_per_op > 0;
}

static double ratio(int mech, int other, int place) {
  return g_benches[mech][place].ns_per_op / g_benches[other][place].ns_per_op;
}

static void print_cell(int ok, double v, const char *fmt) {
  if (ok)
    printf(fmt, v);
  else
    printf("%19s", "-");
}

int main(int argc, char **argv) {
  int m, p;

  if (argc > 1) {
    g_run_seconds = atof(argv[1]);
    if (g_run_seconds <= 0 || g_run_seconds > 10) {
      fprintf(stderr, "usage: %s [seconds-per-run (0 < s <= 10)]\n", argv[0]);
      return 2;
    }
  }
  find_cpus();
  if (g_ncpu < 1) die("sched_getaffinity");

  printf(
      "bench-iocp: one packet's round trip, in ns (median of %d runs of "
      "%.2f s)\n\n",
      REPEATS, g_run_seconds);

  for (m = 0; m < NMECH; m++)
    for (p = 0; p < NPLACE; p++)
      if (g_benches[m][p].name) measure(&g_benches[m][p]);

  printf("  %-22s %19s%19s%19s\n", "", "one thread", "2 threads, 1 CPU",
         "2 threads, 2 CPUs");
  for (m = 0; m < NMECH; m++) {
    printf("  %-22s ", g_mech_names[m]);
    for (p = 0; p < NPLACE; p++)
      print_cell(have(m, p), g_benches[m][p].ns_per_op, "%19.1f");
    printf("\n");
  }
  for (m = CONDVAR; m < NMECH; m++) {
    printf("  %-22s ", m == CONDVAR ? "ws2 / condvar" : "ws2 / eventfd");
    for (p = 0; p < NPLACE; p++)
      print_cell(have(IOCP, p) && have(m, p), ratio(IOCP, m, p), "%19.2f");
    printf("\n");
  }
  printf(
      "  (a ratio below 1: ws2 is faster; 2 CPUs: CPU %d and CPU %d, "
      "'-': not run)\n\n",
      g_cpu[0], g_cpu[1]);

  for (m = 0; m < NMECH; m++)
    for (p = 0; p < NPLACE; p++)
      if (have(m, p))
        printf("bench %s ns_per_op=%.1f\n", g_benches[m][p].name,
               g_benches[m][p].ns_per_op);
  for (m = CONDVAR; m < NMECH; m++)
    for (p = 0; p < NPLACE; p++)
      if (have(IOCP, p) && have(m, p))
        printf("bench %s_vs_%s ratio=%.3f\n", g_benches[IOCP][p].name,
               m == CONDVAR ? "condvar" : "eventfd", ratio(IOCP, m, p));
  return 0;
}
