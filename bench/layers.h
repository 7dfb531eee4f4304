/*
 * layers.h: the layered configurations the benchmarks compare with the
 * bare base provider (issue 6), as catalogs of their own made with the
 * built ws2ctl, exactly as a user installs the reference layers. Header
 * only; Linux (fork, exec), no ws2.
 *
 *   base              the base provider alone (the built-in catalog)
 *   ifs-passthrough   plugins/ifs-passthrough over TCP/IPv4
 *   nonifs-reference  plugins/nonifs-reference over TCP/IPv4
 *   stack             filter over monitor over nonifs-reference over
 *                     TCP/IPv4 (the three-layer stack of the issue)
 *
 * bench_layers_setup(build_dir) makes a temporary directory with one
 * catalog per configuration (and the filter's configuration, "default
 * allow", and the monitor's directory); bench_layers_env(name) then sets
 * WS2_CATALOG, WS2_FILTER_CONFIG and WS2_MONITOR_DIR for a child that
 * should run on that configuration; bench_layers_cleanup() removes it all.
 * Only TCP/IPv4 is layered: the benchmarks use 127.0.0.1.
 */
#ifndef WS2_BENCH_LAYERS_H
#define WS2_BENCH_LAYERS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  const char *name;
  const char *what;
  int layers;
} bench_stack_t;

static const bench_stack_t bench_stacks[] = {
    {"base", "the base provider alone", 0},
    {"ifs-passthrough", "ifs-passthrough (IFS) over the base provider", 1},
    {"nonifs-reference", "nonifs-reference (non-IFS) over the base provider",
     1},
    {"stack", "filter over monitor over nonifs-reference", 3},
};
#define BENCH_NSTACKS (int)(sizeof(bench_stacks) / sizeof(bench_stacks[0]))

/* A layer as ws2ctl installs it (the GUIDs of the plugins' READMEs). */
typedef struct {
  const char *name, *guid;
  int ifs;
} bench_layer_t;

static const bench_layer_t bench_layer_defs[] = {
    {"ifs-passthrough", "{72db7b45-9f64-41b5-ba03-acb21a92c8ce}", 1},
    {"nonifs-reference", "{3c1e9a57-6b2d-4f08-9a41-d27e0c58b316}", 0},
    {"monitor", "{83a7a3f7-26e0-49ed-bfc7-2f3496fc62cf}", 1},
    {"filter", "{6a1f3c2e-8d47-4b95-a0e3-57c21f9b6d08}", 1},
};

static char bench_layers_dir[4096];
static char bench_layers_error[512];

static const bench_layer_t *bench_layer(const char *name) {
  size_t i;
  for (i = 0; i < sizeof(bench_layer_defs) / sizeof(bench_layer_defs[0]); i++)
    if (!strcmp(bench_layer_defs[i].name, name)) return &bench_layer_defs[i];
  return NULL;
}

/* Runs argv, its stdout into out (NUL-terminated); its exit status, or
 * -1 when it could not run. */
static int bench_run_capture(char *const argv[], char *out, size_t size) {
  int p[2], status = -1;
  size_t got = 0;
  ssize_t n;
  pid_t pid;
  if (pipe(p) != 0) return -1;
  if ((pid = fork()) == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    execv(argv[0], argv);
    _exit(127);
  }
  close(p[1]);
  while (pid > 0 && got + 1 < size &&
         (n = read(p[0], out + got, size - 1 - got)) > 0)
    got += (size_t)n;
  out[got] = 0;
  close(p[0]);
  if (pid < 0 || waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Installs layer `name` over catalog entry `over` in `catalog`; returns
 * the id of the new chain, or 0 (bench_layers_error says why). */
static unsigned long bench_install(const char *build, const char *catalog,
                                   const char *name, unsigned long over) {
  const bench_layer_t *l = bench_layer(name);
  char ws2ctl[4200], so[4200], overs[32], out[4096], *c;
  int r;
  snprintf(ws2ctl, sizeof(ws2ctl), "%s/tools/ws2ctl/ws2ctl", build);
  snprintf(so, sizeof(so), "%s/plugins/ws2-%s.so", build, name);
  snprintf(overs, sizeof(overs), "%lu", over);
  if (access(so, R_OK) != 0 || access(ws2ctl, X_OK) != 0) {
    snprintf(bench_layers_error, sizeof(bench_layers_error),
             "%.200s or %.200s not built", ws2ctl, so);
    return 0;
  }
  {
    char *argv[] = {ws2ctl,
                    "--catalog",
                    (char *)catalog,
                    "install",
                    "--name",
                    (char *)name,
                    "--path",
                    so,
                    "--guid",
                    (char *)l->guid,
                    "--over",
                    overs,
                    l->ifs ? "--ifs" : NULL,
                    NULL};
    r = bench_run_capture(argv, out, sizeof(out));
  }
  if (r != 0 || !(c = strstr(out, "chain "))) {
    snprintf(bench_layers_error, sizeof(bench_layers_error),
             "ws2ctl install %s failed (status %d)", name, r);
    return 0;
  }
  return strtoul(c + 6, NULL, 10);
}

/* Makes the catalogs under a new temporary directory. 0, or -1 with
 * bench_layers_error set. */
static int bench_layers_setup(const char *build) {
  char path[4300];
  FILE *f;
  unsigned long id;
  snprintf(bench_layers_dir, sizeof(bench_layers_dir), "%s/ws2-bench.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(bench_layers_dir)) {
    snprintf(bench_layers_error, sizeof(bench_layers_error), "mkdtemp: %s",
             strerror(errno));
    return -1;
  }
  snprintf(path, sizeof(path), "%s/monitor", bench_layers_dir);
  mkdir(path, 0700);
  snprintf(path, sizeof(path), "%s/filter.conf", bench_layers_dir);
  if (!(f = fopen(path, "w"))) return -1;
  fputs("default allow\n", f);
  fclose(f);
  snprintf(path, sizeof(path), "%s/ifs-passthrough.catalog", bench_layers_dir);
  if (!bench_install(build, path, "ifs-passthrough", 1001)) return -1;
  snprintf(path, sizeof(path), "%s/nonifs-reference.catalog", bench_layers_dir);
  if (!bench_install(build, path, "nonifs-reference", 1001)) return -1;
  snprintf(path, sizeof(path), "%s/stack.catalog", bench_layers_dir);
  if (!(id = bench_install(build, path, "nonifs-reference", 1001)) ||
      !(id = bench_install(build, path, "monitor", id)) ||
      !bench_install(build, path, "filter", id))
    return -1;
  return 0;
}

/* In a child about to exec: the environment of configuration `name`. */
static void bench_layers_env(const char *name) {
  char path[4300];
  snprintf(path, sizeof(path), "%s/%s.catalog", bench_layers_dir, name);
  setenv("WS2_CATALOG", path, 1); /* none for "base": the built-in one */
  snprintf(path, sizeof(path), "%s/filter.conf", bench_layers_dir);
  setenv("WS2_FILTER_CONFIG", path, 1);
  snprintf(path, sizeof(path), "%s/monitor", bench_layers_dir);
  setenv("WS2_MONITOR_DIR", path, 1);
}

static void bench_layers_cleanup(void) {
  char cmd[4200];
  if (!bench_layers_dir[0]) return;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bench_layers_dir);
  if (system(cmd) != 0) {
  }
  bench_layers_dir[0] = 0;
}

#endif /* WS2_BENCH_LAYERS_H */
