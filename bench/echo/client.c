/*
 * client.c (echo-client): the one load client of the echo benchmark.
 *
 *   echo-client --port P [--conns C] [--size S] [--seconds T]
 *               [--warmup W] [--threads N] [--pid SERVER_PID]
 *
 * Opens C connections to 127.0.0.1:P; each does request/response round
 * trips of S bytes (send S bytes, read S bytes back, compare, repeat).
 * Connections are spread over N threads, each with its own epoll set and
 * non-blocking sockets. After a warm-up of W seconds it measures for T
 * seconds: round trips completed, their latency (send of the first byte
 * to receipt of the last), and, given the server's pid, the server's CPU
 * time (utime + stime from /proc/<pid>/stat) over the same window.
 * Prints one line of key=value pairs:
 *
 *   rtps=... p50_us=... p99_us=... round_trips=... server_cpu_s=...
 *   cpu_ns_per_rt=... cs_per_rt=... client_cpu_s=... errors=...
 *   mismatches=...
 *
 * cs_per_rt: the server's context switches (voluntary and not, summed
 * over its threads) per round trip: how often it went to sleep or was
 * preempted.
 *
 * Exit status 0 when every round trip came back intact.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include "common.h"

enum { PHASE_WARMUP, PHASE_MEASURE, PHASE_STOP };

typedef struct {
  int fd;
  uint32_t id, seq;
  size_t sent, received;
  int want_out; /* EPOLLOUT registered */
  int done;
  uint64_t started;
  char *req, *resp;
} conn_t;

typedef struct {
  pthread_t tid;
  int ep;
  conn_t *conns;
  int nconns;
  int live; /* connections not done */
  hist_t hist;
  uint64_t round_trips;
  int errors, mismatches;
} worker_t;

static int g_port, g_conns = 16, g_threads = 1, g_pid;
static size_t g_size = 64;
static double g_seconds = 2.0, g_warmup = 0.3;
static _Atomic int g_phase = PHASE_WARMUP;

static void conn_request(conn_t *c) {
  uint32_t tag[2] = {c->id, ++c->seq};
  memcpy(c->req, tag, g_size < sizeof(tag) ? g_size : sizeof(tag));
  c->sent = c->received = 0;
  c->started = echo_now_ns();
}

static void set_out(worker_t *w, conn_t *c, int on) {
  struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0),
                           .data.ptr = c};
  if (c->want_out == on) return;
  c->want_out = on;
  epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_fail(worker_t *w, conn_t *c, const char *what) {
  if (w->errors++ < 3)
    fprintf(stderr, "echo-client: connection %u: %s: %s\n", c->id, what,
            errno ? strerror(errno) : "closed by the server");
  epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
  c->done = 1;
  w->live--;
}

/* Write what is left of the request; returns -1 on error. */
static int conn_write(worker_t *w, conn_t *c) {
  while (c->sent < g_size) {
    ssize_t n = send(c->fd, c->req + c->sent, g_size - c->sent, MSG_NOSIGNAL);
    if (n > 0) {
      c->sent += (size_t)n;
    } else if (n < 0 && errno == EAGAIN) {
      set_out(w, c, 1);
      return 0;
    } else {
      conn_fail(w, c, "send");
      return -1;
    }
  }
  set_out(w, c, 0);
  return 0;
}

/* Read what has arrived; finish the round trip when it is complete. */
static void conn_read(worker_t *w, conn_t *c) {
  for (;;) {
    ssize_t n = recv(c->fd, c->resp + c->received, g_size - c->received, 0);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      if (n == 0) errno = 0;
      conn_fail(w, c, "recv");
      return;
    }
    c->received += (size_t)n;
    if (c->received < g_size) continue;

    /* A whole response. */
    if (memcmp(c->req, c->resp, g_size) != 0) w->mismatches++;
    int phase = atomic_load_explicit(&g_phase, memory_order_relaxed);
    if (phase == PHASE_MEASURE) {
      hist_add(&w->hist, echo_now_ns() - c->started);
      w->round_trips++;
    } else if (phase == PHASE_STOP) {
      epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
      c->done = 1;
      w->live--;
      return;
    }
    conn_request(c);
    if (conn_write(w, c) < 0) return;
  }
}

static void *worker_main(void *arg) {
  worker_t *w = arg;
  struct epoll_event ev[256];
  w->live = w->nconns;

  for (int i = 0; i < w->nconns; i++) {
    conn_t *c = &w->conns[i];
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &e);
    conn_request(c);
    conn_write(w, c);
  }
  uint64_t stop_deadline = 0;
  while (w->live > 0) {
    int n = epoll_wait(w->ep, ev, 256, 100);
    for (int i = 0; i < n; i++) {
      conn_t *c = ev[i].data.ptr;
      if (c->done) continue;
      if ((ev[i].events & EPOLLOUT) && conn_write(w, c) < 0) continue;
      if (ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) conn_read(w, c);
    }
    /* At the end, give outstanding round trips 3 s to come back. */
    if (atomic_load(&g_phase) == PHASE_STOP) {
      if (!stop_deadline) stop_deadline = echo_now_ns() + 3000000000ull;
      if (echo_now_ns() > stop_deadline) {
        fprintf(stderr, "echo-client: %d connections got no answer\n", w->live);
        w->errors += w->live;
        break;
      }
    }
  }
  return NULL;
}

/* The server's CPU time (user + system, all threads), in seconds. */
static double server_cpu(void) {
  char path[64], buf[2048], *p;
  unsigned long long ut, st;
  FILE *f;
  size_t n;
  if (!g_pid) return 0;
  snprintf(path, sizeof(path), "/proc/%d/stat", g_pid);
  if (!(f = fopen(path, "r"))) return -1;
  n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = 0;
  /* Fields after the command name, which may hold spaces: state is 3. */
  if (!(p = strrchr(buf, ')'))) return -1;
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
             &ut, &st) != 2)
    return -1;
  return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The server's context switches so far, summed over its live threads. */
static long long server_switches(void) {
  char path[320], line[256];
  long long total = 0, v;
  struct dirent *d;
  DIR *dir;
  if (!g_pid) return -1;
  snprintf(path, sizeof(path), "/proc/%d/task", g_pid);
  if (!(dir = opendir(path))) return -1;
  while ((d = readdir(dir)) != NULL) {
    FILE *f;
    if (d->d_name[0] == '.') continue;
    snprintf(path, sizeof(path), "/proc/%d/task/%.32s/status", g_pid,
             d->d_name);
    if (!(f = fopen(path, "r"))) continue;
    while (fgets(line, sizeof(line), f))
      if (sscanf(line, "voluntary_ctxt_switches: %lld", &v) == 1 ||
          sscanf(line, "nonvoluntary_ctxt_switches: %lld", &v) == 1)
        total += v;
    fclose(f);
  }
  closedir(dir);
  return total;
}

static double self_cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int usage(void) {
  fprintf(stderr,
          "usage: echo-client --port P [--conns C] [--size S] [--seconds T]"
          " [--warmup W] [--threads N] [--pid SERVER_PID]\n");
  return 2;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i += 2) { /* --name value pairs */
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) return usage();
    if (!strcmp(argv[i], "--port"))
      g_port = atoi(v);
    else if (!strcmp(argv[i], "--conns"))
      g_conns = atoi(v);
    else if (!strcmp(argv[i], "--size"))
      g_size = (size_t)atol(v);
    else if (!strcmp(argv[i], "--seconds"))
      g_seconds = atof(v);
    else if (!strcmp(argv[i], "--warmup"))
      g_warmup = atof(v);
    else if (!strcmp(argv[i], "--threads"))
      g_threads = atoi(v);
    else if (!strcmp(argv[i], "--pid"))
      g_pid = atoi(v);
    else
      return usage();
  }
  if (g_port <= 0 || g_conns < 1 || g_size < 1 || g_seconds <= 0 ||
      g_threads < 1)
    return usage();
  if (g_threads > g_conns) g_threads = g_conns;

  /* Connect everything first (blocking), then go non-blocking. */
  conn_t *conns = calloc((size_t)g_conns, sizeof(conn_t));
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)g_port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  for (int i = 0; i < g_conns; i++) {
    conn_t *c = &conns[i];
    c->id = (uint32_t)i;
    c->req = malloc(g_size);
    c->resp = malloc(g_size);
    for (size_t j = 0; j < g_size; j++) c->req[j] = (char)('a' + (i + j) % 26);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) echo_die("socket");
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
      echo_die("connect");
    echo_nodelay(c->fd);
    if (echo_nonblock(c->fd) != 0) echo_die("fcntl");
  }

  worker_t *w = calloc((size_t)g_threads, sizeof(worker_t));
  for (int t = 0; t < g_threads; t++) {
    int lo = g_conns * t / g_threads, hi = g_conns * (t + 1) / g_threads;
    w[t].conns = conns + lo;
    w[t].nconns = hi - lo;
    w[t].ep = epoll_create1(EPOLL_CLOEXEC);
    if (w[t].ep < 0) echo_die("epoll_create1");
    pthread_create(&w[t].tid, NULL, worker_main, &w[t]);
  }

  sleep_s(g_warmup);
  double cpu0 = server_cpu(), me0 = self_cpu();
  long long cs0 = server_switches();
  uint64_t t0 = echo_now_ns();
  atomic_store(&g_phase, PHASE_MEASURE);
  sleep_s(g_seconds);
  atomic_store(&g_phase, PHASE_STOP);
  uint64_t t1 = echo_now_ns();
  double cpu1 = server_cpu(), me1 = self_cpu();
  long long cs1 = server_switches();

  hist_t *all = calloc(1, sizeof(hist_t));
  uint64_t rts = 0;
  int errors = 0, mismatches = 0;
  for (int t = 0; t < g_threads; t++) {
    pthread_join(w[t].tid, NULL);
    for (int b = 0; b < HIST_BUCKETS; b++) all->count[b] += w[t].hist.count[b];
    all->total += w[t].hist.total;
    rts += w[t].round_trips;
    errors += w[t].errors;
    mismatches += w[t].mismatches;
  }
  double secs = (double)(t1 - t0) / 1e9;
  double scpu = (g_pid && cpu0 >= 0 && cpu1 >= 0) ? cpu1 - cpu0 : -1;
  printf(
      "rtps=%.1f p50_us=%.2f p99_us=%.2f round_trips=%llu "
      "server_cpu_s=%.3f cpu_ns_per_rt=%.1f cs_per_rt=%.3f "
      "client_cpu_s=%.3f errors=%d mismatches=%d\n",
      (double)rts / secs, hist_percentile(all, 0.50) / 1000.0,
      hist_percentile(all, 0.99) / 1000.0, (unsigned long long)rts, scpu,
      (scpu >= 0 && rts) ? scpu * 1e9 / (double)rts : -1.0,
      (cs0 >= 0 && cs1 >= 0 && rts) ? (double)(cs1 - cs0) / (double)rts : -1.0,
      me1 - me0, errors, mismatches);
  for (int i = 0; i < g_conns; i++) close(conns[i].fd);
  return (errors || mismatches || rts == 0) ? 1 : 0;
}
