/*
 * bench-layers.c: what one layer's dispatch costs (issue 6), in
 * nanoseconds and instructions per call, on each configuration of
 * bench/layers.h (the base provider alone, ifs-passthrough,
 * nonifs-reference, and filter over monitor over nonifs-reference).
 *
 * Each configuration runs in a process of its own (the catalog is read
 * at the first WSAStartup), started from this program with the
 * configuration's WS2_CATALOG. On a connected TCP socket over 127.0.0.1 it
 * times three calls:
 *
 *   recv       a non-blocking recv with nothing to read: WSAEWOULDBLOCK.
 *              The data path: ws2 dispatches it to the top provider,
 *              each non-IFS layer maps its handle and calls the one
 *              below; the base provider answers from its readiness state
 *              without a system call once it has seen EAGAIN. An IFS
 *              layer that leaves WSPRecv to the provider below (as
 *              ifs-passthrough does) costs nothing here, by design.
 *   getsockopt SO_RCVBUF: a control call, the same way down.
 *   socket     socket + closesocket: the lifecycle, which every layer
 *              sees (each makes and closes its own socket records).
 *
 * For each: the median of REPEATS runs of ns per call, and, where the
 * kernel lets a process count its own instructions (perf_event_open,
 * user space only), instructions per call; then the difference from the
 * base provider, per layer. Output: a table, then one machine-readable
 * line per figure:
 *
 *   bench layers stack=nonifs-reference call=recv ns_per_call=61.2
 *         instructions_per_call=402 extra_ns_per_layer=35.1
 *         extra_instructions_per_layer=251
 *
 * Usage: bench-layers [seconds-per-run]  (default 0.2 s: about 5 s)
 */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "layers.h"

/* Linux's ioctl macros (from perf_event.h) give way to Winsock's. */
#undef _IO
#undef _IOR
#undef _IOW
#undef _IOWR
#undef IOC_IN
#undef IOC_OUT
#undef IOC_INOUT
#include <winsock2.h>

#define REPEATS 5
#define BATCH 1000

enum { CALL_RECV, CALL_GETSOCKOPT, CALL_SOCKET, NCALLS };
static const char *const call_names[NCALLS] = {"recv", "getsockopt", "socket"};

static double g_run_seconds = 0.2;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A counter of this thread's user-space instructions, or -1. */
static int instr_counter(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof(a));
  a.type = PERF_TYPE_HARDWARE;
  a.size = sizeof(a);
  a.config = PERF_COUNT_HW_INSTRUCTIONS;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long long instr_read(int fd) {
  long long v = 0;
  if (fd < 0 || read(fd, &v, sizeof(v)) != sizeof(v)) return -1;
  return v;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* BATCH calls of kind k; 0 when every call behaved as expected. */
static int batch(int k, SOCKET c) {
  char buf[16];
  int i, v, len;
  for (i = 0; i < BATCH; i++) {
    switch (k) {
      case CALL_RECV:
        if (recv(c, buf, sizeof(buf), 0) != SOCKET_ERROR ||
            WSAGetLastError() != WSAEWOULDBLOCK)
          return -1;
        break;
      case CALL_GETSOCKOPT:
        len = sizeof(v);
        if (getsockopt(c, SOL_SOCKET, SO_RCVBUF, (char *)&v, &len) != 0)
          return -1;
        break;
      default: {
        SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        if (s == INVALID_SOCKET || closesocket(s) != 0) return -1;
        break;
      }
    }
  }
  return 0;
}

/* The child: one configuration, every call kind; one line per kind. */
static int child(const char *stack) {
  WSADATA wsa;
  SOCKET l, c, a;
  struct sockaddr_in sa;
  int len = sizeof(sa), k, r, fd = instr_counter();
  u_long on = 1;
  cpu_set_t cpus;
  /* On the CPU it started on, so that nothing migrates between runs. */
  CPU_ZERO(&cpus);
  CPU_SET(sched_getcpu(), &cpus);
  sched_setaffinity(0, sizeof(cpus), &cpus);
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return 1;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (l == INVALID_SOCKET || c == INVALID_SOCKET ||
      bind(l, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(l, 1) != 0 ||
      getsockname(l, (struct sockaddr *)&sa, &len) != 0 ||
      connect(c, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
      (a = accept(l, NULL, NULL)) == INVALID_SOCKET ||
      ioctlsocket(c, FIONBIO, &on) != 0) {
    fprintf(stderr, "bench-layers %s: setup failed: %d\n", stack,
            WSAGetLastError());
    return 1;
  }
  for (k = 0; k < NCALLS; k++) {
    double ns[REPEATS], instr[REPEATS];
    int rep;
    if (batch(k, c) != 0) { /* warm-up, and the check */
      fprintf(stderr, "bench-layers %s: %s failed: %d\n", stack, call_names[k],
              WSAGetLastError());
      return 1;
    }
    for (rep = 0; rep < REPEATS; rep++) {
      long long n = 0, i0, i1;
      double t0 = now_ns(), t1;
      i0 = instr_read(fd);
      do {
        r = batch(k, c);
        n += BATCH;
        t1 = now_ns();
      } while (r == 0 && t1 - t0 < g_run_seconds * 1e9);
      i1 = instr_read(fd);
      ns[rep] = (t1 - t0) / (double)n;
      instr[rep] = i0 >= 0 && i1 >= 0 ? (double)(i1 - i0) / (double)n : -1;
    }
    qsort(ns, REPEATS, sizeof(ns[0]), cmp_double);
    qsort(instr, REPEATS, sizeof(instr[0]), cmp_double);
    printf("call=%s ns_per_call=%.1f instructions_per_call=%.0f\n",
           call_names[k], ns[REPEATS / 2], instr[REPEATS / 2]);
  }
  closesocket(a);
  closesocket(c);
  closesocket(l);
  WSACleanup();
  return 0;
}

/* Runs the child for one configuration; fills ns and instructions per
 * call kind (-1: unknown). 0 or -1. */
static int measure(const char *self, const char *stack, double *ns,
                   double *instr) {
  char out[2048], *p, secs[32], *argv[5];
  int k;
  snprintf(secs, sizeof(secs), "%g", g_run_seconds);
  argv[0] = (char *)self;
  argv[1] = "--child";
  argv[2] = (char *)stack;
  argv[3] = secs;
  argv[4] = NULL;
  bench_layers_env(stack);
  if (bench_run_capture(argv, out, sizeof(out)) != 0) return -1;
  for (k = 0; k < NCALLS; k++) {
    char key[64];
    snprintf(key, sizeof(key), "call=%s ", call_names[k]);
    if (!(p = strstr(out, key)) ||
        sscanf(p + strlen(key), "ns_per_call=%lf instructions_per_call=%lf",
               &ns[k], &instr[k]) != 2)
      return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  char self[4096], build[4096], *slash;
  double ns[BENCH_NSTACKS][NCALLS], instr[BENCH_NSTACKS][NCALLS];
  int ok[BENCH_NSTACKS], s, k;
  ssize_t n;

  if (argc >= 3 && !strcmp(argv[1], "--child")) {
    if (argc >= 4) g_run_seconds = atof(argv[3]);
    return child(argv[2]);
  }
  if (argc >= 2 && atof(argv[1]) > 0) g_run_seconds = atof(argv[1]);
  n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return 1;
  self[n] = 0;
  snprintf(build, sizeof(build), "%s", self);
  if ((slash = strrchr(build, '/'))) *slash = 0; /* build/bench */
  if ((slash = strrchr(build, '/'))) *slash = 0; /* build */
  if (bench_layers_setup(build) != 0) {
    fprintf(stderr, "bench-layers: %s\n", bench_layers_error);
    bench_layers_cleanup();
    return 1;
  }
  for (s = 0; s < BENCH_NSTACKS; s++)
    ok[s] = measure(self, bench_stacks[s].name, ns[s], instr[s]) == 0;
  bench_layers_cleanup();

  printf(
      "One layer's dispatch: calls on a connected TCP socket over 127.0.0.1,\n"
      "median of %d runs of %g s; instructions in user space (n/a: no\n"
      "hardware counter here). extra/layer: the difference from the base\n"
      "provider divided by the number of layers.\n\n",
      REPEATS, g_run_seconds);
  printf("%-18s %-10s %9s %9s %14s %14s\n", "configuration", "call", "ns/call",
         "instr", "extra ns/layer", "extra instr/l");
  for (s = 0; s < BENCH_NSTACKS; s++) {
    for (k = 0; k < NCALLS; k++) {
      int layers = bench_stacks[s].layers, have_di = 0;
      double dn = 0, di = 0;
      if (!ok[s]) {
        if (k == 0) printf("%-18s failed\n", bench_stacks[s].name);
        continue;
      }
      if (layers && ok[0]) {
        dn = (ns[s][k] - ns[0][k]) / layers;
        if (instr[s][k] >= 0 && instr[0][k] >= 0) {
          di = (instr[s][k] - instr[0][k]) / layers;
          have_di = 1;
        }
      }
      printf("%-18s %-10s %9.1f ", bench_stacks[s].name, call_names[k],
             ns[s][k]);
      if (instr[s][k] >= 0)
        printf("%9.0f ", instr[s][k]);
      else
        printf("%9s ", "n/a");
      if (layers) {
        printf("%14.1f ", dn);
        if (have_di)
          printf("%14.0f", di);
        else
          printf("%14s", "n/a");
      }
      printf("\n");
    }
  }
  printf("\n");
  for (s = 0; s < BENCH_NSTACKS; s++) {
    if (!ok[s]) {
      printf("bench layers stack=%s status=failed\n", bench_stacks[s].name);
      continue;
    }
    for (k = 0; k < NCALLS; k++) {
      printf("bench layers stack=%s call=%s ns_per_call=%.1f",
             bench_stacks[s].name, call_names[k], ns[s][k]);
      if (instr[s][k] >= 0) printf(" instructions_per_call=%.0f", instr[s][k]);
      if (bench_stacks[s].layers && ok[0]) {
        printf(" extra_ns_per_layer=%.1f",
               (ns[s][k] - ns[0][k]) / bench_stacks[s].layers);
        if (instr[s][k] >= 0 && instr[0][k] >= 0)
          printf(" extra_instructions_per_layer=%.0f",
                 (instr[s][k] - instr[0][k]) / bench_stacks[s].layers);
      }
      printf("\n");
    }
  }
  return 0;
}
