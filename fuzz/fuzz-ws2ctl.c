/*
 * fuzz-ws2ctl: the ws2ctl command line (tools/ws2ctl), every command but
 * `check` (which forks and loads shared objects), on a catalog file of
 * its own that the inputs install into, remove from, reorder and reset.
 *
 * The input is the argument list: arguments separated by NUL bytes, at
 * most 24. Properties: no crash, no leak, an exit status among the
 * documented ones (0-5), and a catalog that always loads afterwards (a
 * command never leaves a damaged file).
 */
#define main ws2ctl_main
#ifndef WS2_VERSION_TEXT
#define WS2_VERSION_TEXT "fuzz"
#endif
#include "../tools/ws2ctl/ws2ctl.c"
#undef main

#include "fuzz.h"

static char file[256];
static unsigned runs;

static void once(void) {
  char dir[] = "/tmp/ws2-fuzz-ws2ctl-XXXXXX";
  int null_fd;
  if (file[0]) return;
  if (!mkdtemp(dir)) abort();
  snprintf(file, sizeof(file), "%s/catalog", dir);
  setenv("WS2_CATALOG", file, 1);
  /* What ws2ctl prints is not the point: stdout goes away. */
  null_fd = open("/dev/null", O_WRONLY);
  if (null_fd >= 0) dup2(null_fd, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *copy, *argv[26];
  int argc = 1, r;
  size_t i, start = 0;
  ws2__catalog_t *cat = NULL;
  once();
  /* A fresh catalog now and then, so that installs do not pile up. */
  if (++runs % 64 == 0) unlink(file);
  if (!(copy = malloc(size + 1))) return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  argv[0] = "ws2ctl";
  for (i = 0; i <= size && argc < 25; i++)
    if (i == size || copy[i] == '\0') {
      argv[argc++] = copy + start;
      start = i + 1;
    }
  if (size == 0) argc = 1;
  argv[argc] = NULL;
  for (i = 1; i < (size_t)argc; i++)
    if (strcmp(argv[i], "check") == 0 ||
        strncmp(argv[i], "--catalog", 9) == 0) {
      free(copy);
      return 0;
    }
  r = ws2ctl_main(argc, argv);
  fflush(stdout);
  if (r < 0 || r > 5) abort();
  if (ws2__catalog_load(file, 0, &cat) != 0) abort();
  if (cat->origin == WS2__CAT_FROM_FALLBACK) {
    fprintf(stderr, "ws2ctl left an unusable catalog: %s\n",
            cat->status.message);
    abort();
  }
  ws2__catalog_release(cat);
  free(copy);
  return 0;
}
