/*
 * bench-echo.c: TCP echo round trips on loopback, ws2's IOCP echo server
 * (examples/iocp-echo.c, on each engine) beside the same server written
 * the native Linux ways, all measured by one client.
 *
 *   epoll         bench/echo/server-epoll.c: one thread, epoll, read/write
 *                 (the baseline: every ratio is to this server)
 *   io_uring      bench/echo/server-uring.c: one thread, liburing
 *   libuv         bench/echo/server-uv.c: one thread, libuv
 *   ws2-epoll     examples/iocp-echo --server, WS2_ENGINE=epoll
 *   ws2-io_uring  examples/iocp-echo --server, WS2_ENGINE=io_uring
 *   ws2-ifs       the same on epoll, through plugins/ifs-passthrough
 *   ws2-nonifs    ... through plugins/nonifs-reference
 *   ws2-stack     ... through filter over monitor over nonifs-reference
 *                 (the layered ones: catalogs of their own made with the
 *                 built ws2ctl, bench/layers.h; their server CPU per round
 *                 trip is also given as a ratio to ws2-epoll: the layer's
 *                 cost, issue 6's targets +5% for ifs-passthrough, +40%
 *                 for nonifs-reference)
 *
 * Each server runs as its own process on 127.0.0.1 and an ephemeral port
 * (it prints "port N"); bench/echo/client.c (echo-client), a separate
 * process, opens C connections that each make S-byte request/response
 * round trips, and after a warm-up measures for T seconds: round trips
 * per second, p50/p99 latency, and the server process's CPU time
 * (utime + stime of all its threads, /proc/<pid>/stat) per round trip.
 * The server is then told to stop by closing its stdin.
 *
 * Then echo-ws2-mem (bench/echo/ws2-mem.c) reports ws2's heap per open
 * socket and per pending overlapped request on each engine.
 *
 * Output: a table, then one machine-readable line per figure:
 *
 *   bench echo server=epoll conns=16 size=64 rtps=... p50_us=... p99_us=...
 *         cpu_ns_per_rt=... ratio_rtps=... ratio_p50=... ratio_p99=...
 *         ratio_cpu=...
 *   bench echo server=ws2-epoll conns=16 size=64 status=unavailable
 *   bench echo_mem engine=epoll heap_per_socket=...
 * heap_per_pending_request=...
 *
 * Environment (all optional):
 *   BENCH_ECHO_SERVERS   comma list, default epoll,io_uring,libuv,ws2-epoll,
 *                        ws2-io_uring,ws2-ifs,ws2-nonifs,ws2-stack (epoll
 *                        is run whenever ratios are
 *                        wanted, i.e. unless BENCH_ECHO_NO_BASELINE=1)
 *   BENCH_ECHO_CONNS     default 1,16,256
 *   BENCH_ECHO_SIZES     default 64,16384 (bytes per message)
 *   BENCH_ECHO_SECONDS   measured seconds per case, default 2
 *   BENCH_ECHO_WARMUP    seconds before measuring, default 0.3
 *   BENCH_ECHO_WORKERS   iocp-echo worker threads, default 1 (the other
 *                        servers are single-threaded)
 *   BENCH_ECHO_CLIENT_THREADS  client threads, default 1
 *   BENCH_ECHO_PIN       same (default): server and client pinned to one
 *                        CPU, so each wake-up is a context switch and the
 *                        figures are steady; split: server on one CPU,
 *                        client on another (on a VM, cross-CPU wake-ups
 *                        are slow and noisy); none
 *   BENCH_ECHO_ROUNDS    rounds per case, default 3: every server runs
 *                        once per round (in reverse order every other
 *                        round) and each figure is the server's run with
 *                        the median CPU per round trip; the targets
 *                        below also give the range of the per-round
 *                        ratios (this machine moves 5-10% from run to
 *                        run, more on a busy host)
 *   BENCH_ECHO_MEM       0 to skip the memory figures
 *   BENCH_ECHO_IOCP      path of iocp-echo; BENCH_ECHO_DIR: directory of
 *                        echo-client and the servers
 *
 * The defaults take about 4 minutes. Quick: BENCH_ECHO_CONNS=16
 * BENCH_ECHO_SIZES=64 BENCH_ECHO_SECONDS=0.5 BENCH_ECHO_ROUNDS=1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "layers.h"

#ifndef BENCH_ECHO_DIR
#define BENCH_ECHO_DIR "echo"
#endif
#ifndef BENCH_ECHO_IOCP
#define BENCH_ECHO_IOCP "../examples/iocp-echo"
#endif

#define MAX_LIST 16
#define MAX_ROUNDS 15

typedef struct {
  const char *name;
  const char *program; /* in the echo directory, or NULL: iocp-echo */
  const char *engine;  /* WS2_ENGINE for the ws2 servers */
  const char *stack;   /* layered configuration (layers.h), or NULL */
  double target;       /* the layer's budget over ws2-epoll (0: none) */
} server_def_t;

static const server_def_t k_servers[] = {
    {"epoll", "echo-server-epoll", NULL, NULL, 0},
    {"io_uring", "echo-server-uring", NULL, NULL, 0},
    {"libuv", "echo-server-uv", NULL, NULL, 0},
    {"ws2-epoll", NULL, "epoll", NULL, 0},
    {"ws2-io_uring", NULL, "io_uring", NULL, 0},
    {"ws2-ifs", NULL, "epoll", "ifs-passthrough", 1.05},
    {"ws2-nonifs", NULL, "epoll", "nonifs-reference", 1.40},
    {"ws2-stack", NULL, "epoll", "stack", 0},
};
#define WS2_EPOLL 3 /* k_servers[WS2_EPOLL]: what the layers compare to */
#define WS2_IO_URING 4

/* Issue 3's targets: the server's CPU per round trip over the epoll
 * server's, in every case (conns 0) or at that many connections. */
static const struct {
  int server, conns;
  double target;
} k_cpu_targets[] = {
    {WS2_EPOLL, 0, 1.15},
    {WS2_IO_URING, 256, 1.00},
};
static int g_layers_ready; /* the layered catalogs exist */
#define NSERVERS (int)(sizeof(k_servers) / sizeof(k_servers[0]))

typedef struct {
  int ran, ok;
  char note[160];
  double rtps, p50, p99, cpu_ns, cs;
  double cpu_min, cpu_max; /* over the rounds (the reported run's figures
                              are the median's) */
} result_t;

static char g_dir[4096], g_iocp[4096];
static double g_seconds = 2.0, g_warmup = 0.3;
static int g_workers = 1, g_client_threads = 1, g_rounds = 3;
static int g_server_cpu = -1, g_client_cpu = -1; /* -1: not pinned */
static const char *g_pin = "same";

/* ---- Small helpers ---- */

/* snprintf that truncates quietly (paths and notes are only shown). */
__attribute__((format(printf, 3, 4))) static void sfmt(char *out, size_t size,
                                                       const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out, size, fmt, ap);
  va_end(ap);
}

static double env_double(const char *name, double def) {
  const char *v = getenv(name);
  return v && *v ? atof(v) : def;
}

static int parse_ints(const char *s, int *out) {
  int n = 0;
  char *end;
  while (s && *s && n < MAX_LIST) {
    long v = strtol(s, &end, 10);
    if (end == s) break;
    if (v > 0) out[n++] = (int)v;
    s = *end ? end + 1 : end;
  }
  return n;
}

static int selected(const char *list, const char *name) {
  size_t len = strlen(name);
  for (const char *p = list; p && *p;) {
    const char *comma = strchr(p, ',');
    size_t l = comma ? (size_t)(comma - p) : strlen(p);
    if (l == len && !strncmp(p, name, len)) return 1;
    p = comma ? comma + 1 : p + l;
  }
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The directory of this program, so the helpers are found from anywhere. */
static void self_dir(char *out, size_t size) {
  ssize_t n = readlink("/proc/self/exe", out, size - 1);
  char *slash;
  if (n <= 0) {
    sfmt(out, size, ".");
    return;
  }
  out[n] = 0;
  slash = strrchr(out, '/');
  if (slash) *slash = 0;
}

static int executable(const char *path) { return access(path, X_OK) == 0; }

/* The last line of a file descriptor's content (a temp file), trimmed. */
static void tail_of(int fd, char *out, size_t size) {
  char buf[4096];
  ssize_t n;
  out[0] = 0;
  if (fd < 0) return;
  off_t end = lseek(fd, 0, SEEK_END);
  off_t start = end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0;
  if (pread(fd, buf, (size_t)(end - start), start) <= 0) return;
  n = end - start;
  buf[n] = 0;
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = 0;
  char *line = strrchr(buf, '\n');
  sfmt(out, size, "%s", line ? line + 1 : buf);
}

static int temp_fd(void) {
  char path[] = "/tmp/bench-echo-XXXXXX";
  int fd = mkstemp(path);
  if (fd >= 0) unlink(path);
  return fd;
}

/* Reads a line from fd within timeout_s; returns its length or -1. */
static int read_line(int fd, char *buf, size_t size, double timeout_s) {
  size_t n = 0;
  double deadline = now_s() + timeout_s;
  while (n + 1 < size) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int ms = (int)((deadline - now_s()) * 1000);
    if (ms <= 0 || poll(&p, 1, ms) <= 0) return -1;
    ssize_t r = read(fd, buf + n, 1);
    if (r <= 0) return -1;
    if (buf[n] == '\n') break;
    n++;
  }
  buf[n] = 0;
  return (int)n;
}

/* Waits for pid up to timeout_s, then kills it. Returns the wait status. */
static int reap(pid_t pid, double timeout_s, int *killed) {
  int status = 0;
  double deadline = now_s() + timeout_s;
  *killed = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    if (now_s() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      *killed = 1;
      return status;
    }
    usleep(5000);
  }
}

/* The n-th CPU this process may run on (-1: none). */
static int nth_cpu(int n) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &set) && n-- == 0) return c;
  return -1;
}

/*
 * fork + exec with stdin/stdout connected to new pipes (NULL: inherited)
 * and stderr to err_fd. env_engine: WS2_ENGINE for the child (NULL: unset);
 * stack: the layered configuration it runs on (NULL: none).
 * cpu >= 0 pins the child (and every thread it starts) to that CPU.
 */
static pid_t spawn(char *const argv[], const char *env_engine,
                   const char *stack, int cpu, int *in_w, int *out_r,
                   int err_fd) {
  int in[2] = {-1, -1}, out[2] = {-1, -1};
  if ((in_w && pipe2(in, O_CLOEXEC) != 0) ||
      (out_r && pipe2(out, O_CLOEXEC) != 0))
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (in_w) dup2(in[0], 0);
    if (out_r) dup2(out[1], 1);
    if (err_fd >= 0) dup2(err_fd, 2);
    if (cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      sched_setaffinity(0, sizeof(set), &set);
    }
    if (env_engine)
      setenv("WS2_ENGINE", env_engine, 1);
    else
      unsetenv("WS2_ENGINE");
    if (stack) bench_layers_env(stack);
    execv(argv[0], argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  if (in_w) {
    close(in[0]);
    *in_w = in[1];
  }
  if (out_r) {
    close(out[1]);
    *out_r = out[0];
  }
  return pid;
}

/* Finds key=value in a line of pairs. */
static int field(const char *line, const char *key, double *v) {
  size_t len = strlen(key);
  for (const char *p = line; (p = strstr(p, key)) != NULL; p += len) {
    if ((p == line || p[-1] == ' ') && p[len] == '=') {
      *v = atof(p + len + 1);
      return 1;
    }
  }
  return 0;
}

/* ---- One case ---- */

static void note(result_t *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->note, sizeof(r->note), fmt, ap);
  va_end(ap);
}

static void run_case(const server_def_t *s, int conns, int size, result_t *r) {
  char path[4200], workers[16], line[1024], errtail[256], portbuf[16],
      pidbuf[16], connsbuf[16], sizebuf[16], secbuf[32], warmbuf[32],
      thrbuf[16], client[4200];
  int in_w = -1, out_r = -1, cout = -1, killed, status;
  int serr = temp_fd(), cerr = temp_fd();
  pid_t spid, cpid;
  unsigned port = 0;

  memset(r, 0, sizeof(*r));
  r->ran = 1;
  if (s->program)
    sfmt(path, sizeof(path), "%s/%s", g_dir, s->program);
  else
    sfmt(path, sizeof(path), "%s", g_iocp);
  if (!executable(path)) {
    note(r, "not available (%s not built)", path);
    goto out;
  }

  /* Start the server and learn its port. */
  sfmt(workers, sizeof(workers), "%d", g_workers);
  char *sargv_iocp[] = {path, "--server", "--workers", workers, NULL};
  char *sargv_plain[] = {path, NULL};
  if (s->stack && !g_layers_ready) {
    note(r, "not available (%s)", bench_layers_error);
    goto out;
  }
  spid = spawn(s->program ? sargv_plain : sargv_iocp, s->engine, s->stack,
               g_server_cpu, &in_w, &out_r, serr);
  if (spid < 0) {
    note(r, "cannot start the server: %s", strerror(errno));
    goto out;
  }
  if (read_line(out_r, line, sizeof(line), 10.0) < 0 ||
      sscanf(line, "port %u", &port) != 1 || port == 0) {
    close(in_w);
    status = reap(spid, 2.0, &killed);
    tail_of(serr, errtail, sizeof(errtail));
    note(r, "server did not start (%s%s%s)",
         WIFEXITED(status) ? "exited" : "killed", errtail[0] ? ": " : "",
         errtail);
    goto out;
  }

  /* Run the client against it. */
  sfmt(client, sizeof(client), "%s/echo-client", g_dir);
  sfmt(portbuf, sizeof(portbuf), "%u", port);
  sfmt(pidbuf, sizeof(pidbuf), "%d", (int)spid);
  sfmt(connsbuf, sizeof(connsbuf), "%d", conns);
  sfmt(sizebuf, sizeof(sizebuf), "%d", size);
  sfmt(secbuf, sizeof(secbuf), "%g", g_seconds);
  sfmt(warmbuf, sizeof(warmbuf), "%g", g_warmup);
  sfmt(thrbuf, sizeof(thrbuf), "%d", g_client_threads);
  char *cargv[] = {client,   "--port",   portbuf, "--conns",
                   connsbuf, "--size",   sizebuf, "--seconds",
                   secbuf,   "--warmup", warmbuf, "--threads",
                   thrbuf,   "--pid",    pidbuf,  NULL};
  cpid = spawn(cargv, NULL, NULL, g_client_cpu, NULL, &cout, cerr);
  line[0] = 0;
  if (cpid < 0 ||
      read_line(cout, line, sizeof(line), g_seconds + g_warmup + 30) < 0)
    line[0] = 0;
  if (cpid > 0) status = reap(cpid, 10.0, &killed);
  close(cout);

  double errors = 0, mismatches = 0;
  if (line[0] && field(line, "rtps", &r->rtps) &&
      field(line, "p50_us", &r->p50) && field(line, "p99_us", &r->p99) &&
      field(line, "cpu_ns_per_rt", &r->cpu_ns)) {
    if (!field(line, "cs_per_rt", &r->cs)) r->cs = -1;
    field(line, "errors", &errors);
    field(line, "mismatches", &mismatches);
    r->ok = errors == 0 && mismatches == 0 && r->rtps > 0;
    if (!r->ok) {
      tail_of(cerr, errtail, sizeof(errtail));
      note(r, "%.0f errors, %.0f wrong echoes%s%s", errors, mismatches,
           errtail[0] ? ": " : "", errtail);
    }
  } else {
    tail_of(cerr, errtail, sizeof(errtail));
    note(r, "client failed%s%s", errtail[0] ? ": " : "", errtail);
  }

  /* Stop the server: end of file on its stdin. */
  close(in_w);
  close(out_r);
  status = reap(spid, 10.0, &killed);
  if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    tail_of(serr, errtail, sizeof(errtail));
    if (r->ok || !r->note[0])
      note(r, "server %s%s%s",
           killed                ? "did not stop; killed"
           : WIFSIGNALED(status) ? "crashed at shutdown"
                                 : "exited non-zero",
           errtail[0] ? ": " : "", errtail);
  }
out:
  if (serr >= 0) close(serr);
  if (cerr >= 0) close(cerr);
}

/* The run with the median CPU per round trip among a server's rounds
 * (the lower one of the two middle ones for an even count), with the
 * range beside it; a failed round is reported instead, being news. */
static result_t median_run(const result_t *runs, int n) {
  const result_t *pick[MAX_ROUNDS];
  result_t r;
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (!runs[i].ok) return runs[i];
    pick[k++] = &runs[i];
  }
  for (int i = 1; i < k; i++) /* insertion sort by CPU per round trip */
    for (int j = i; j > 0 && pick[j]->cpu_ns < pick[j - 1]->cpu_ns; j--) {
      const result_t *t = pick[j];
      pick[j] = pick[j - 1];
      pick[j - 1] = t;
    }
  r = *pick[(k - 1) / 2];
  r.cpu_min = pick[0]->cpu_ns;
  r.cpu_max = pick[k - 1]->cpu_ns;
  return r;
}

/* ---- Memory ---- */

typedef struct {
  int ok;
  char line[512];
} mem_t;

static void run_mem(const char *engine, mem_t *m) {
  char path[4200], errtail[256];
  int out = -1, killed, err = temp_fd();
  memset(m, 0, sizeof(*m));
  sfmt(path, sizeof(path), "%s/echo-ws2-mem", g_dir);
  if (!executable(path)) {
    sfmt(m->line, sizeof(m->line), "not available (%s not built)", path);
    return;
  }
  char *argv[] = {path, NULL};
  pid_t pid = spawn(argv, engine, NULL, -1, NULL, &out, err);
  if (pid < 0 || read_line(out, m->line, sizeof(m->line), 30) < 0)
    m->line[0] = 0;
  int status = pid > 0 ? reap(pid, 10, &killed) : -1;
  close(out);
  m->ok = m->line[0] && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!m->line[0]) {
    tail_of(err, errtail, sizeof(errtail));
    sfmt(m->line, sizeof(m->line), "failed%s%s", errtail[0] ? ": " : "",
         errtail);
  }
  close(err);
}

/* ---- Output ---- */

static double ratio(double v, double base) {
  return base > 0 && v >= 0 ? v / base : 0;
}

static void print_row(const char *server, int conns, int size,
                      const result_t *r, const result_t *base) {
  printf("%-13s %5d %6d  ", server, conns, size);
  if (!r->ok) {
    printf("%s\n", r->note);
    return;
  }
  printf("%10.0f %8.1f %8.1f %9.0f %5.2f", r->rtps, r->p50, r->p99, r->cpu_ns,
         r->cs);
  if (base && base->ok)
    printf("   %6.2f %6.2f %6.2f %6.2f", ratio(r->rtps, base->rtps),
           ratio(r->p50, base->p50), ratio(r->p99, base->p99),
           ratio(r->cpu_ns, base->cpu_ns));
  if (r->note[0]) printf("   (%s)", r->note);
  printf("\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  const char *servers = getenv("BENCH_ECHO_SERVERS");
  int conns[MAX_LIST], sizes[MAX_LIST], nconns, nsizes;
  int want[NSERVERS], baseline;
  const char *v;
  (void)argc;
  (void)argv;

  if (!servers || !*servers)
    servers =
        "epoll,io_uring,libuv,ws2-epoll,ws2-io_uring,ws2-ifs,ws2-nonifs,"
        "ws2-stack";
  nconns = parse_ints(
      getenv("BENCH_ECHO_CONNS") ? getenv("BENCH_ECHO_CONNS") : "1,16,256",
      conns);
  nsizes = parse_ints(
      getenv("BENCH_ECHO_SIZES") ? getenv("BENCH_ECHO_SIZES") : "64,16384",
      sizes);
  g_seconds = env_double("BENCH_ECHO_SECONDS", 2.0);
  g_warmup = env_double("BENCH_ECHO_WARMUP", 0.3);
  g_workers = (int)env_double("BENCH_ECHO_WORKERS", 1);
  g_client_threads = (int)env_double("BENCH_ECHO_CLIENT_THREADS", 1);
  g_rounds = (int)env_double("BENCH_ECHO_ROUNDS", 3);
  baseline = !(getenv("BENCH_ECHO_NO_BASELINE") &&
               atoi(getenv("BENCH_ECHO_NO_BASELINE")));
  if ((v = getenv("BENCH_ECHO_PIN")) && *v) g_pin = v;
  if (!strcmp(g_pin, "same")) {
    g_server_cpu = g_client_cpu = nth_cpu(0);
  } else if (!strcmp(g_pin, "split")) {
    g_server_cpu = nth_cpu(0);
    g_client_cpu = nth_cpu(1);
    if (g_client_cpu < 0) g_client_cpu = g_server_cpu;
  } else if (strcmp(g_pin, "none") != 0) {
    fprintf(stderr, "bench-echo: BENCH_ECHO_PIN is same, split or none\n");
    return 2;
  }
  if (g_seconds <= 0 || g_warmup < 0 || g_workers < 1 || g_client_threads < 1 ||
      g_rounds < 1 || g_rounds > MAX_ROUNDS || !nconns || !nsizes) {
    fprintf(stderr, "bench-echo: bad BENCH_ECHO_* settings\n");
    return 2;
  }

  self_dir(g_dir, sizeof(g_dir));
  char base[4096];
  sfmt(base, sizeof(base), "%s", g_dir);
  if ((v = getenv("BENCH_ECHO_DIR")) && *v)
    sfmt(g_dir, sizeof(g_dir), "%s", v);
  else
    sfmt(g_dir, sizeof(g_dir), "%s/%s", base, BENCH_ECHO_DIR);
  if ((v = getenv("BENCH_ECHO_IOCP")) && *v)
    sfmt(g_iocp, sizeof(g_iocp), "%s", v);
  else if (BENCH_ECHO_IOCP[0] == '/')
    sfmt(g_iocp, sizeof(g_iocp), "%s", BENCH_ECHO_IOCP);
  else
    sfmt(g_iocp, sizeof(g_iocp), "%s/%s", base, BENCH_ECHO_IOCP);
  {
    char client[4200];
    sfmt(client, sizeof(client), "%s/echo-client", g_dir);
    if (!executable(client)) {
      fprintf(stderr, "bench-echo: %s is not built\n", client);
      return 1;
    }
  }

  for (int s = 0; s < NSERVERS; s++)
    want[s] = selected(servers, k_servers[s].name) || (s == 0 && baseline);
  /* The layered servers: their catalogs, and ws2-epoll beside them. */
  for (int s = 0; s < NSERVERS; s++)
    if (want[s] && k_servers[s].stack) {
      want[WS2_EPOLL] = 1;
      if (!g_layers_ready) {
        char build[4096], *slash;
        sfmt(build, sizeof(build), "%s", base);
        if ((slash = strrchr(build, '/'))) *slash = 0; /* build/bench */
        g_layers_ready = bench_layers_setup(build) == 0;
        if (!g_layers_ready) bench_layers_cleanup();
      }
    }

  printf(
      "echo round trips on 127.0.0.1: %g s per case after %g s warm-up; "
      "one client process (%d thread%s);\niocp-echo with %d worker "
      "thread%s; the other servers are single-threaded. %d round%s per "
      "case:\neach figure is from the server's run with the median CPU "
      "per round trip. ",
      g_seconds, g_warmup, g_client_threads, g_client_threads > 1 ? "s" : "",
      g_workers, g_workers > 1 ? "s" : "", g_rounds, g_rounds > 1 ? "s" : "");
  if (g_server_cpu < 0)
    printf("Not pinned to CPUs.\n");
  else if (g_server_cpu == g_client_cpu)
    printf("Server and client\nboth pinned to CPU %d (BENCH_ECHO_PIN=same).\n",
           g_server_cpu);
  else
    printf("Server pinned to CPU %d,\nclient to CPU %d.\n", g_server_cpu,
           g_client_cpu);
  printf(
      "Ratios are to the epoll server (x rt/s: higher is better; x p50, "
      "x p99, x cpu:\nlower is better). cpu ns/rt: the server process's "
      "CPU time per round trip;\ncs/rt: its context switches per round "
      "trip.\n\n");
  printf("%-13s %5s %6s  %10s %8s %8s %9s %5s   %6s %6s %6s %6s\n", "server",
         "conns", "size", "rt/s", "p50 us", "p99 us", "cpu ns/rt", "cs/rt",
         "x rt/s", "x p50", "x p99", "x cpu");

  /* res: the reported run per case and server; runs: every round's, at
   * runs[(case * NSERVERS + server) * g_rounds + round]. */
  result_t *res =
      calloc((size_t)(nsizes * nconns * NSERVERS), sizeof(result_t));
  result_t *runs =
      calloc((size_t)(nsizes * nconns * NSERVERS * g_rounds), sizeof(result_t));
  if (!res || !runs) {
    fprintf(stderr, "bench-echo: out of memory\n");
    return 1;
  }
  double t_start = now_s();
  for (int si = 0; si < nsizes; si++) {
    for (int ci = 0; ci < nconns; ci++) {
      int c = si * nconns + ci;
      result_t *row = &res[c * NSERVERS];
      for (int round = 0; round < g_rounds; round++)
        for (int k = 0; k < NSERVERS; k++) {
          /* Every other round backwards: a drift of the host's speed
           * during a round then favours no server. */
          int s = round % 2 ? NSERVERS - 1 - k : k;
          if (want[s])
            run_case(&k_servers[s], conns[ci], sizes[si],
                     &runs[(c * NSERVERS + s) * g_rounds + round]);
        }
      for (int s = 0; s < NSERVERS; s++) {
        if (!want[s]) continue;
        row[s] = median_run(&runs[(c * NSERVERS + s) * g_rounds], g_rounds);
        print_row(k_servers[s].name, conns[ci], sizes[si], &row[s],
                  baseline ? &row[0] : NULL);
      }
      printf("\n");
    }
  }

  /* Issue 3's targets, with the range of the rounds' own ratios (each
   * round's server over the same round's epoll server). */
  if (baseline && (want[WS2_EPOLL] || want[WS2_IO_URING])) {
    printf(
        "Targets: server CPU per round trip over the epoll server's, "
        "ws2-epoll <= %.2fx,\nws2-io_uring <= %.2fx at %d connections "
        "(the median run's ratio; [the rounds' range]).\n",
        k_cpu_targets[0].target, k_cpu_targets[1].target,
        k_cpu_targets[1].conns);
    for (int si = 0; si < nsizes; si++)
      for (int ci = 0; ci < nconns; ci++) {
        int c = si * nconns + ci;
        result_t *row = &res[c * NSERVERS];
        printf("  %5d conns x %6d bytes:", conns[ci], sizes[si]);
        for (size_t t = 0; t < sizeof(k_cpu_targets) / sizeof(k_cpu_targets[0]);
             t++) {
          int s = k_cpu_targets[t].server;
          double lo = 0, hi = 0, x;
          if (!want[s]) continue;
          if (!row[s].ok || !row[0].ok) {
            printf("  %s -", k_servers[s].name);
            continue;
          }
          for (int round = 0; round < g_rounds; round++) {
            double q = ratio(runs[(c * NSERVERS + s) * g_rounds + round].cpu_ns,
                             runs[(c * NSERVERS) * g_rounds + round].cpu_ns);
            if (round == 0 || q < lo) lo = q;
            if (round == 0 || q > hi) hi = q;
          }
          x = ratio(row[s].cpu_ns, row[0].cpu_ns);
          printf("  %s %.2fx [%.2f-%.2f]%s", k_servers[s].name, x, lo, hi,
                 k_cpu_targets[t].conns && k_cpu_targets[t].conns != conns[ci]
                     ? ""
                 : x <= k_cpu_targets[t].target ? " (met)"
                                                : " (NOT met)");
        }
        printf("\n");
      }
    printf("\n");
  }

  /* What each layer costs: server CPU per round trip over ws2-epoll. */
  int any_layer = 0;
  for (int s = 0; s < NSERVERS; s++) any_layer |= want[s] && k_servers[s].stack;
  if (any_layer) {
    printf(
        "Layers: server CPU per round trip over ws2-epoll's (the same "
        "server and\nengine without layers); targets: ws2-ifs +5%%, "
        "ws2-nonifs +40%%.\n");
    for (int si = 0; si < nsizes; si++)
      for (int ci = 0; ci < nconns; ci++) {
        result_t *row = &res[(si * nconns + ci) * NSERVERS];
        printf("  %5d conns x %6d bytes:", conns[ci], sizes[si]);
        for (int s = 0; s < NSERVERS; s++) {
          if (!want[s] || !k_servers[s].stack) continue;
          if (!row[s].ok || !row[WS2_EPOLL].ok) {
            printf("  %s -", k_servers[s].name);
            continue;
          }
          double x = ratio(row[s].cpu_ns, row[WS2_EPOLL].cpu_ns);
          printf("  %s %+.0f%%%s", k_servers[s].name, (x - 1) * 100,
                 k_servers[s].target == 0   ? ""
                 : x <= k_servers[s].target ? " (met)"
                                            : " (NOT met)");
        }
        printf("\n");
      }
    printf("\n");
  }
  bench_layers_cleanup();

  mem_t mem[2];
  const char *engines[2] = {"epoll", "io_uring"};
  int do_mem = !(getenv("BENCH_ECHO_MEM") && !atoi(getenv("BENCH_ECHO_MEM")));
  if (do_mem) {
    printf(
        "ws2 heap (mallinfo2 deltas; the kernel's socket memory is not "
        "counted):\n");
    for (int e = 0; e < 2; e++) {
      run_mem(engines[e], &mem[e]);
      double ps = 0, pr = 0;
      if (mem[e].ok && field(mem[e].line, "heap_per_socket", &ps) &&
          field(mem[e].line, "heap_per_pending_request", &pr))
        printf(
            "  %-9s %6.0f bytes per open socket, %6.0f bytes per pending "
            "overlapped request   (%s)\n",
            engines[e], ps, pr, mem[e].line);
      else
        printf("  %-9s %s\n", engines[e], mem[e].line);
    }
    printf("\n");
  }
  printf("(%.0f s)\n\n", now_s() - t_start);

  /* Machine-readable lines. */
  for (int si = 0; si < nsizes; si++) {
    for (int ci = 0; ci < nconns; ci++) {
      result_t *row = &res[(si * nconns + ci) * NSERVERS];
      for (int s = 0; s < NSERVERS; s++) {
        result_t *r = &row[s];
        if (!r->ran) continue;
        printf("bench echo server=%s conns=%d size=%d ", k_servers[s].name,
               conns[ci], sizes[si]);
        if (!r->ok) {
          printf("status=%s\n", !strncmp(r->note, "not available", 13)
                                    ? "unavailable"
                                    : "failed");
          continue;
        }
        printf(
            "rtps=%.0f p50_us=%.1f p99_us=%.1f cpu_ns_per_rt=%.0f "
            "cs_per_rt=%.3f rounds=%d cpu_ns_min=%.0f cpu_ns_max=%.0f",
            r->rtps, r->p50, r->p99, r->cpu_ns, r->cs, g_rounds, r->cpu_min,
            r->cpu_max);
        if (baseline && row[0].ok)
          printf(
              " ratio_rtps=%.3f ratio_p50=%.3f ratio_p99=%.3f "
              "ratio_cpu=%.3f",
              ratio(r->rtps, row[0].rtps), ratio(r->p50, row[0].p50),
              ratio(r->p99, row[0].p99), ratio(r->cpu_ns, row[0].cpu_ns));
        if (k_servers[s].stack && row[WS2_EPOLL].ok)
          printf(" ratio_cpu_to_ws2_epoll=%.3f",
                 ratio(r->cpu_ns, row[WS2_EPOLL].cpu_ns));
        printf("\n");
      }
    }
  }
  if (do_mem) {
    for (int e = 0; e < 2; e++) {
      double ps, pr, pu;
      if (mem[e].ok && field(mem[e].line, "heap_per_socket", &ps) &&
          field(mem[e].line, "heap_per_pending_request", &pr) &&
          field(mem[e].line, "heap_per_unconnected_socket", &pu))
        printf(
            "bench echo_mem engine=%s heap_per_socket=%.0f "
            "heap_per_unconnected_socket=%.0f "
            "heap_per_pending_request=%.0f\n",
            engines[e], ps, pu, pr);
      else
        printf("bench echo_mem engine=%s status=unavailable\n", engines[e]);
    }
  }
  free(runs);
  free(res);
  return 0;
}
