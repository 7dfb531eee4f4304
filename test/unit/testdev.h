/*
 * testdev.h: a test I/O device for the core's unit tests. Its requests
 * complete when the test says so (or when cancelled), so the completion
 * rule can be exercised without sockets.
 */
#ifndef WS2_TEST_TESTDEV_H
#define WS2_TEST_TESTDEV_H

#include "core/alloc.h"
#include "core/io.h"

#define T_STATUS_CANCELLED ((NTSTATUS)0xC0000120)
#define T_STATUS_CONNECTION_RESET ((NTSTATUS)0xC000020D)

typedef struct tdev {
  ws2__io_t io;
} tdev_t;

typedef struct treq {
  ws2__req_t req;
  int cancel_calls;
} treq_t;

static void tdev_close(ws2__obj_t *obj) {
  ws2__io_cancel(ws2__container_of(obj, ws2__io_t, obj), NULL, NULL);
}

static void tdev_destroy(ws2__obj_t *obj) {
  tdev_t *d = ws2__container_of(obj, tdev_t, io.obj);
  ws2__io_fini(&d->io);
  ws2__free(d);
}

static const ws2__objtype_t tdev_type = {"test device", WS2__OBJ_IO, tdev_close,
                                         tdev_destroy};

static HANDLE tdev_open(void) {
  tdev_t *d = ws2__calloc(1, sizeof(*d));
  HANDLE h = NULL;
  ws2__io_init(&d->io, &tdev_type);
  if (ws2__handle_new(&d->io.obj, &h) != 0) h = NULL;
  ws2__obj_unref(&d->io.obj);
  return h;
}

static void treq_cancel(ws2__req_t *req, ws2__io_t *io) {
  treq_t *t = ws2__container_of(req, treq_t, req);
  (void)io;
  __atomic_add_fetch(&t->cancel_calls, 1, __ATOMIC_RELAXED);
  ws2__req_complete(req, T_STATUS_CANCELLED, 0, 0, 0);
}

static void treq_free(ws2__req_t *req) {
  ws2__free(ws2__container_of(req, treq_t, req));
}
static const ws2__req_ops_t treq_ops = {treq_cancel, treq_free, 0};

/* Starts a request on device h; the test completes it with tdev_done. */
static ws2__req_t *tdev_start(HANDLE h, LPOVERLAPPED ovl, int kind,
                              void *routine) {
  ws2__io_t *io = ws2__io_get(h);
  treq_t *t;
  if (!io) return NULL;
  t = ws2__calloc(1, sizeof(*t));
  ws2__req_init(&t->req, io, ovl, kind, routine, &treq_ops);
  ws2__obj_unref(&io->obj);
  return &t->req;
}

#endif
