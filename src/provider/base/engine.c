/*
 * engine.c: choosing the process's engine (see engine.h).
 */
#include "provider/base/engine.h"

#include "core/log.h"
#include "core/poller.h"
#include "ws2ext/ws2ext.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static ws2__engine_t *the_engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void engine_start(void) {
  const char *want = getenv("WS2_ENGINE");
  int force_epoll = want && strcmp(want, "epoll") == 0;
  int force_uring =
      want && (strcmp(want, "io_uring") == 0 || strcmp(want, "iouring") == 0);

  if (want && !force_epoll && !force_uring)
    ws2__log(WS2__LOG_WARN,
             "WS2_ENGINE=%s is neither epoll nor io_uring; "
             "choosing automatically",
             want);
  if (!force_epoll) {
    the_engine = ws2__engine_iouring_new();
    if (!the_engine && force_uring) {
      ws2__log(WS2__LOG_ERROR,
               "WS2_ENGINE=io_uring, but io_uring is not "
               "available here; sockets cannot be created");
      return;
    }
  }
  if (!the_engine) the_engine = ws2__engine_epoll_new();
  if (!the_engine)
    ws2__log(WS2__LOG_ERROR, "no I/O engine could start (epoll failed)");
  else
    ws2__log(WS2__LOG_INFO, "engine: %s", the_engine->ops->name);
}

ws2__engine_t *ws2__engine_get(void) {
  pthread_once(&engine_once, engine_start);
  return the_engine;
}

void ws2__engine_settle(void) {
  ws2__engine_t *e = the_engine;
  int i;
  if (!e) return;
  for (i = 0; i < 1000 && atomic_load(&e->releasing) > 0; i++) {
    struct timespec ts = {0, 1000000L};
    ws2__poller_drain(); /* or the thread polling now runs it */
    if (atomic_load(&e->releasing) > 0) nanosleep(&ts, NULL);
  }
}

const char *ws2_engine_name(void) {
  ws2__engine_t *e = ws2__engine_get();
  return e ? e->ops->name : NULL;
}
