#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void (*_Atomic ws2__log_sink)(int level, const char *message);

static int log_level = WS2__LOG_WARN;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void log_init(void) {
  static const char *names[] = {"error", "warn", "info", "debug"};
  const char *v = getenv("WS2_LOG_LEVEL");
  int i;
  if (!v) return;
  for (i = 0; i < 4; i++)
    if (strcmp(v, names[i]) == 0) log_level = i;
}

void ws2__log(int level, const char *fmt, ...) {
  static const char *names[] = {"error", "warning", "info", "debug"};
  void (*sink)(int, const char *);
  char line[512];
  int saved = errno, n;
  va_list ap;

  pthread_once(&log_once, log_init);
  if (level > log_level) return;
  n = snprintf(line, sizeof(line), "ws2[%d]: %s: ", (int)getpid(),
               names[level]);
  va_start(ap, fmt);
  vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
  va_end(ap);
  if ((sink = ws2__log_sink) != NULL)
    sink(level, line + n);
  else
    fprintf(stderr, "%s\n", line);
  errno = saved;
}
