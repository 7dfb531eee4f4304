/*
 * ws2mon: shows the counters of the processes that use the monitor layer
 * (plugins/monitor), live.
 *
 *   ws2mon [--dir DIR] [--pid PID] [--all | --totals] [--json]
 *          [--watch [--count N]]
 *
 * Each monitored process publishes a file <dir>/<pid> (ws2mon-shm.h);
 * ws2mon maps each one read-only, copies it with atomic loads, and prints
 * the process's totals and each of its sockets: bytes sent and received,
 * operations, overlapped requests whose result the layer could not see,
 * errors, and the latency of the calls that returned a result. A file
 * whose process has exited (or whose process id now belongs to another
 * process) is stale: ws2mon removes it and does not list it.
 *
 * Options:
 *   --dir DIR    the directory (default: $WS2_MONITOR_DIR, else
 *                $XDG_RUNTIME_DIR/ws2-monitor, else /tmp/ws2-monitor-<uid>)
 *   --pid PID    that process only (exit status 2 when it is not there)
 *   --all        closed sockets too (each stays listed until its slot is
 *                reused)
 *   --totals     the processes' totals only (no socket rows; in JSON,
 *                an empty "sockets" list)
 *   --json       one JSON document (per refresh with --watch, one a line)
 *   --watch      refresh every second until interrupted
 *   --count N    with --watch: stop after N refreshes
 *
 * Exit status: 0, 1 for a usage error, 2 when --pid names no monitored
 * process.
 */
#include "ws2mon-shm.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Winsock's address family numbers (the file keeps them). */
enum { WIN_AF_INET = 2, WIN_AF_INET6 = 23 };

static const char *const kind_names[WS2MON_KINDS] = {"send", "recv", "connect",
                                                     "accept"};

typedef struct options {
  const char *dir;
  long pid; /* 0: every process */
  int all, totals, json, watch;
  long count; /* refreshes with --watch; 0: until interrupted */
} options_t;

static void usage(FILE *out) {
  fprintf(out,
          "usage: ws2mon [--dir DIR] [--pid PID] [--all | --totals] [--json] "
          "[--watch [--count N]]\n"
          "Shows the counters of the processes using the ws2 monitor "
          "layer.\n");
}

static void default_dir(char *out, size_t size) {
  const char *d = getenv("WS2_MONITOR_DIR");
  if (d && *d)
    snprintf(out, size, "%s", d);
  else if ((d = getenv("XDG_RUNTIME_DIR")) && *d)
    snprintf(out, size, "%s/ws2-monitor", d);
  else
    snprintf(out, size, "/tmp/ws2-monitor-%u", (unsigned)getuid());
}

/* ---- Reading the files ----------------------------------------------- */

/* Field 22 of /proc/<pid>/stat, 0 when unknown. */
static unsigned long long start_ticks_of(long pid) {
  char path[64], buf[1024], *p;
  unsigned long long v = 0;
  size_t n;
  FILE *in;
  snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
  if (!(in = fopen(path, "r"))) return 0;
  n = fread(buf, 1, sizeof(buf) - 1, in);
  buf[n] = '\0';
  fclose(in);
  if ((p = strrchr(buf, ')')) != NULL) {
    int field = 2;
    for (; *p && field < 22; p++)
      if (*p == ' ') field++;
    if (field == 22) v = strtoull(p, NULL, 10);
  }
  return v;
}

/* Whether process pid is gone (kill with no signal: ESRCH). */
static int process_gone(long pid) {
  return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/*
 * Reads <dir>/<name> into *out: 1 when it is a live process's file; 0
 * when it is not one (being created, not ours, wrong version); -1 when it
 * is stale (its process is gone), and then it has been removed.
 */
static int read_file(const char *dir, const char *name, ws2mon_file_t *out) {
  char path[4096];
  struct stat st;
  const uint64_t *src;
  uint64_t *dst = (uint64_t *)out;
  long pid = strtol(name, NULL, 10);
  unsigned long long ticks;
  void *map;
  size_t i;
  int fd;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  if (process_gone(pid)) {
    unlink(path);
    return -1;
  }
  if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) return 0;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (size_t)st.st_size < sizeof(ws2mon_file_t)) {
    close(fd);
    return 0;
  }
  map = mmap(NULL, sizeof(ws2mon_file_t), PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return 0;
  /* The writer updates 64-bit fields atomically: copy it the same way
   * (every field is a whole number of 64-bit words). */
  src = (const uint64_t *)map;
  if (__atomic_load_n(&src[0], __ATOMIC_ACQUIRE) != WS2MON_MAGIC) {
    munmap(map, sizeof(ws2mon_file_t));
    return 0;
  }
  for (i = 0; i < sizeof(ws2mon_file_t) / sizeof(uint64_t); i++)
    dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
  munmap(map, sizeof(ws2mon_file_t));
  if (out->version != WS2MON_VERSION || out->nslots != WS2MON_SLOTS ||
      out->slot_size != sizeof(ws2mon_slot_t) ||
      out->header_size != offsetof(ws2mon_file_t, slot) || out->pid != pid)
    return 0;
  out->program[sizeof(out->program) - 1] = '\0';
  /* The process id reused by another process since: stale too. */
  ticks = start_ticks_of(pid);
  if (out->start_ticks && ticks && ticks != out->start_ticks) {
    unlink(path);
    return -1;
  }
  return 1;
}

typedef struct proc_list {
  ws2mon_file_t *v;
  size_t n;
} proc_list_t;

static int by_pid(const void *a, const void *b) {
  const ws2mon_file_t *x = a, *y = b;
  return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Every live monitored process of dir (or only opt->pid), by pid. */
static proc_list_t scan(const options_t *opt) {
  proc_list_t l = {NULL, 0};
  size_t cap = 0;
  struct dirent *e;
  DIR *d = opendir(opt->dir);
  if (!d) return l;
  while ((e = readdir(d)) != NULL) {
    const char *p = e->d_name;
    if (!*p || strspn(p, "0123456789") != strlen(p)) continue;
    if (opt->pid && strtol(p, NULL, 10) != opt->pid) continue;
    if (l.n == cap) {
      ws2mon_file_t *nv;
      cap = cap ? cap * 2 : 4;
      if (!(nv = realloc(l.v, cap * sizeof(*nv)))) break;
      l.v = nv;
    }
    if (read_file(opt->dir, p, &l.v[l.n]) == 1) l.n++;
  }
  closedir(d);
  if (l.n > 1) qsort(l.v, l.n, sizeof(*l.v), by_pid);
  return l;
}

/* ---- Formatting -------------------------------------------------------- */

/* "-" when out is too small (it never is: the callers give 64 bytes). */
static void format_addr(const ws2mon_addr_t *a, char *out, size_t size) {
  char ip[INET6_ADDRSTRLEN];
  int n;
  if (a->family == WIN_AF_INET) {
    inet_ntop(AF_INET, a->addr, ip, sizeof(ip));
    n = snprintf(out, size, "%s:%u", ip, a->port);
  } else if (a->family == WIN_AF_INET6) {
    inet_ntop(AF_INET6, a->addr, ip, sizeof(ip));
    if (a->scope_id)
      n = snprintf(out, size, "[%s%%%u]:%u", ip, a->scope_id, a->port);
    else
      n = snprintf(out, size, "[%s]:%u", ip, a->port);
  } else {
    n = -1;
  }
  if (n < 0 || (size_t)n >= size) snprintf(out, size, "-");
}

static const char *proto_name(const ws2mon_slot_t *s) {
  if (s->type == 1) return s->af == WIN_AF_INET6 ? "tcp6" : "tcp";
  if (s->type == 2) return s->af == WIN_AF_INET6 ? "udp6" : "udp";
  if (s->type == 3) return "raw";
  return "?";
}

static const char *state_name(uint64_t state) {
  return state == WS2MON_OPEN ? "open" : state == WS2MON_CLOSED ? "closed" : "";
}

/* A duration in ns as "850ns", "12.3us", "4.1ms", "2.00s". */
static void format_ns(uint64_t ns, char *out, size_t size) {
  if (ns < 1000)
    snprintf(out, size, "%lluns", (unsigned long long)ns);
  else if (ns < 1000000)
    snprintf(out, size, "%.1fus", (double)ns / 1e3);
  else if (ns < 1000000000)
    snprintf(out, size, "%.1fms", (double)ns / 1e6);
  else
    snprintf(out, size, "%.2fs", (double)ns / 1e9);
}

/* A byte count as "512B", "1.5KiB", "3.2MiB", "1.1GiB". */
static void format_bytes(uint64_t b, char *out, size_t size) {
  if (b < 1024)
    snprintf(out, size, "%lluB", (unsigned long long)b);
  else if (b < 1024 * 1024)
    snprintf(out, size, "%.1fKiB", (double)b / 1024);
  else if (b < 1024ull * 1024 * 1024)
    snprintf(out, size, "%.1fMiB", (double)b / (1024 * 1024));
  else
    snprintf(out, size, "%.1fGiB", (double)b / (1024.0 * 1024 * 1024));
}

static uint64_t avg_ns(const ws2mon_op_t *o) {
  return o->timed ? o->ns_total / o->timed : 0;
}

static uint64_t wall_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- Text ---------------------------------------------------------------- */

static void print_latency(const char *what, const ws2mon_op_t *o) {
  char a[32], m[32];
  if (!o->timed) return;
  format_ns(avg_ns(o), a, sizeof(a));
  format_ns(o->ns_max, m, sizeof(m));
  printf(" %s avg %s max %s;", what, a, m);
}

static void print_text(const options_t *opt, const proc_list_t *l) {
  uint64_t now = wall_now_ns();
  size_t i;
  int k;
  if (l->n == 0) {
    printf("no process is using the monitor layer (%s)\n", opt->dir);
    return;
  }
  for (i = 0; i < l->n; i++) {
    const ws2mon_file_t *f = &l->v[i];
    const ws2mon_op_t *t = f->total.op;
    char sent[32], recvd[32];
    double up = now > f->started_ns ? (double)(now - f->started_ns) / 1e9 : 0;
    format_bytes(t[WS2MON_SEND].bytes, sent, sizeof(sent));
    format_bytes(t[WS2MON_RECV].bytes, recvd, sizeof(recvd));
    printf(
        "PID %lld  %s  up %.1fs  sockets: %llu open (%llu opened, %llu "
        "closed)\n",
        (long long)f->pid, f->program[0] ? f->program : "?", up,
        (unsigned long long)(f->sockets_opened - f->sockets_closed),
        (unsigned long long)f->sockets_opened,
        (unsigned long long)f->sockets_closed);
    printf(
        "  sent %s in %llu sends, received %s in %llu recvs, pending "
        "%llu/%llu, errors %llu, connects %llu, accepts %llu\n",
        sent, (unsigned long long)t[WS2MON_SEND].calls, recvd,
        (unsigned long long)t[WS2MON_RECV].calls,
        (unsigned long long)t[WS2MON_SEND].pending,
        (unsigned long long)t[WS2MON_RECV].pending,
        (unsigned long long)(t[WS2MON_SEND].errors + t[WS2MON_RECV].errors),
        (unsigned long long)t[WS2MON_CONNECT].calls,
        (unsigned long long)t[WS2MON_ACCEPT].calls);
    if (t[WS2MON_SEND].timed || t[WS2MON_RECV].timed ||
        t[WS2MON_CONNECT].timed || t[WS2MON_ACCEPT].timed) {
      printf("  latency:");
      for (k = 0; k < WS2MON_KINDS; k++) print_latency(kind_names[k], &t[k]);
      printf("\n");
    }
    if (opt->totals) {
      if (i + 1 < l->n) printf("\n");
      continue;
    }
    printf("  %-8s %-6s %-5s %-24s %-24s %9s %9s %6s %6s %5s %4s %9s %9s\n",
           "SOCKET", "STATE", "PROTO", "LOCAL", "PEER", "SENT", "RECEIVED",
           "SENDS", "RECVS", "PEND", "ERR", "SEND-AVG", "RECV-AVG");
    for (k = 0; k < WS2MON_SLOTS; k++) {
      const ws2mon_slot_t *s = &f->slot[k];
      const ws2mon_op_t *o = s->c.op;
      char local[64], peer[64], sa[32], ra[32];
      if (s->state != WS2MON_OPEN && !(opt->all && s->state == WS2MON_CLOSED))
        continue;
      format_addr(&s->local, local, sizeof(local));
      format_addr(&s->peer, peer, sizeof(peer));
      format_bytes(o[WS2MON_SEND].bytes, sent, sizeof(sent));
      format_bytes(o[WS2MON_RECV].bytes, recvd, sizeof(recvd));
      format_ns(avg_ns(&o[WS2MON_SEND]), sa, sizeof(sa));
      format_ns(avg_ns(&o[WS2MON_RECV]), ra, sizeof(ra));
      printf(
          "  %-8llu %-6s %-5s %-24s %-24s %9s %9s %6llu %6llu %5llu %4llu "
          "%9s %9s\n",
          (unsigned long long)s->socket, state_name(s->state), proto_name(s),
          local, peer, sent, recvd, (unsigned long long)o[WS2MON_SEND].calls,
          (unsigned long long)o[WS2MON_RECV].calls,
          (unsigned long long)(o[WS2MON_SEND].pending + o[WS2MON_RECV].pending),
          (unsigned long long)(o[WS2MON_SEND].errors + o[WS2MON_RECV].errors),
          sa, ra);
    }
    if (f->sockets_untracked)
      printf(
          "  (%llu sockets opened while all %d slots were in use: in the "
          "totals only)\n",
          (unsigned long long)f->sockets_untracked, WS2MON_SLOTS);
    if (i + 1 < l->n) printf("\n");
  }
}

/* ---- JSON ------------------------------------------------------------- */

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

static void json_counters(const ws2mon_counters_t *c) {
  int k;
  printf("{");
  for (k = 0; k < WS2MON_KINDS; k++) {
    const ws2mon_op_t *o = &c->op[k];
    printf(
        "%s\"%s\":{\"calls\":%llu,\"bytes\":%llu,\"pending\":%llu,"
        "\"wouldblock\":%llu,\"errors\":%llu,\"timed\":%llu,"
        "\"latency_ns_total\":%llu,\"latency_ns_avg\":%llu,"
        "\"latency_ns_max\":%llu}",
        k ? "," : "", kind_names[k], (unsigned long long)o->calls,
        (unsigned long long)o->bytes, (unsigned long long)o->pending,
        (unsigned long long)o->wouldblock, (unsigned long long)o->errors,
        (unsigned long long)o->timed, (unsigned long long)o->ns_total,
        (unsigned long long)avg_ns(o), (unsigned long long)o->ns_max);
  }
  printf("}");
}

static void print_json(const options_t *opt, const proc_list_t *l) {
  size_t i;
  int k, first;
  printf("{\"directory\":");
  json_string(opt->dir);
  printf(",\"processes\":[");
  for (i = 0; i < l->n; i++) {
    const ws2mon_file_t *f = &l->v[i];
    printf("%s{\"pid\":%lld,\"program\":", i ? "," : "", (long long)f->pid);
    json_string(f->program);
    printf(
        ",\"started_ns\":%llu,\"sockets_open\":%llu,\"sockets_opened\":%llu,"
        "\"sockets_closed\":%llu,\"sockets_untracked\":%llu,\"total\":",
        (unsigned long long)f->started_ns,
        (unsigned long long)(f->sockets_opened - f->sockets_closed),
        (unsigned long long)f->sockets_opened,
        (unsigned long long)f->sockets_closed,
        (unsigned long long)f->sockets_untracked);
    json_counters(&f->total);
    printf(",\"sockets\":[");
    for (k = 0, first = 1; !opt->totals && k < WS2MON_SLOTS; k++) {
      const ws2mon_slot_t *s = &f->slot[k];
      char local[64], peer[64];
      if (s->state != WS2MON_OPEN && !(opt->all && s->state == WS2MON_CLOSED))
        continue;
      format_addr(&s->local, local, sizeof(local));
      format_addr(&s->peer, peer, sizeof(peer));
      printf(
          "%s{\"socket\":%llu,\"state\":\"%s\",\"af\":%d,\"type\":%d,"
          "\"protocol\":%d,\"proto\":\"%s\",\"local\":",
          first ? "" : ",", (unsigned long long)s->socket, state_name(s->state),
          s->af, s->type, s->protocol, proto_name(s));
      json_string(local);
      printf(",\"peer\":");
      json_string(peer);
      printf(",\"opened_ns\":%llu,\"closed_ns\":%llu,\"counters\":",
             (unsigned long long)s->opened_ns,
             (unsigned long long)s->closed_ns);
      json_counters(&s->c);
      printf("}");
      first = 0;
    }
    printf("]}");
  }
  printf("]}\n");
}

/* ---- Main ---------------------------------------------------------------- */

int main(int argc, char **argv) {
  static char dir[4096];
  options_t opt;
  long round;
  int i, found = 0;
  memset(&opt, 0, sizeof(opt));
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    char *end;
    if (!strcmp(a, "--dir") && i + 1 < argc) {
      opt.dir = argv[++i];
    } else if (!strcmp(a, "--pid") && i + 1 < argc) {
      opt.pid = strtol(argv[++i], &end, 10);
      if (*end || opt.pid <= 0) {
        usage(stderr);
        return 1;
      }
    } else if (!strcmp(a, "--count") && i + 1 < argc) {
      opt.count = strtol(argv[++i], &end, 10);
      if (*end || opt.count < 0) {
        usage(stderr);
        return 1;
      }
    } else if (!strcmp(a, "--all")) {
      opt.all = 1;
    } else if (!strcmp(a, "--totals")) {
      opt.totals = 1;
    } else if (!strcmp(a, "--json")) {
      opt.json = 1;
    } else if (!strcmp(a, "--watch")) {
      opt.watch = 1;
    } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else {
      usage(stderr);
      return 1;
    }
  }
  if (!opt.dir) {
    default_dir(dir, sizeof(dir));
    opt.dir = dir;
  }
  for (round = 0;; round++) {
    proc_list_t l = scan(&opt);
    found = l.n > 0;
    if (opt.watch && !opt.json) printf("\033[H\033[2J"); /* clear */
    if (opt.json)
      print_json(&opt, &l);
    else
      print_text(&opt, &l);
    fflush(stdout);
    free(l.v);
    if (!opt.watch || (opt.count && round + 1 >= opt.count)) break;
    sleep(1);
  }
  return opt.pid && !found ? 2 : 0;
}
