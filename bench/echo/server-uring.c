/*
 * server-uring.c (echo-server-uring): an echo server on io_uring through
 * liburing. One thread, one ring (SINGLE_ISSUER | DEFER_TASKRUN when the
 * kernel has them): a multishot accept, then per connection a recv SQE,
 * the send of what it got (again for a short send), and the next recv.
 * Each loop iteration submits everything queued and waits for at least
 * one completion in the same io_uring_enter.
 *
 * Listens on 127.0.0.1 (any free port), prints "port N", and runs until
 * its stdin reaches end of file.
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <poll.h>

#include "common.h"

#define BUF_SIZE 32768
#define RING_ENTRIES 4096

/* user_data: a conn_t pointer (8-byte aligned) with the operation below. */
enum { OP_ACCEPT = 1, OP_STDIN = 2, OP_RECV = 3, OP_SEND = 4 };
#define OP_MASK 7

typedef struct {
  int fd;
  size_t off, len; /* bytes [off, len) of buf still to send */
  char buf[BUF_SIZE];
} conn_t;

static struct io_uring g_ring;
static int g_listener;

static struct io_uring_sqe *sqe_get(void) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(&g_ring);
  if (!sqe) { /* the submission queue is full: flush it */
    io_uring_submit(&g_ring);
    sqe = io_uring_get_sqe(&g_ring);
    if (!sqe) {
      fprintf(stderr, "echo-server-uring: no SQE\n");
      exit(1);
    }
  }
  return sqe;
}

static void post(struct io_uring_sqe *sqe, conn_t *c, int op) {
  io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c | (uint64_t)op);
}

static void post_accept(void) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_multishot_accept(sqe, g_listener, NULL, NULL, 0);
  post(sqe, NULL, OP_ACCEPT);
}

static void post_stdin(void) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_poll_add(sqe, 0, POLLIN);
  post(sqe, NULL, OP_STDIN);
}

static void post_recv(conn_t *c) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_recv(sqe, c->fd, c->buf, BUF_SIZE, 0);
  post(sqe, c, OP_RECV);
}

static void post_send(conn_t *c) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_send(sqe, c->fd, c->buf + c->off, c->len - c->off,
                     MSG_NOSIGNAL);
  post(sqe, c, OP_SEND);
}

static void conn_close(conn_t *c) {
  close(c->fd); /* nothing else is in flight on it */
  free(c);
}

static int ring_init(void) {
  static const unsigned flag_sets[] = {
      IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
      IORING_SETUP_COOP_TASKRUN, 0};
  for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    p.flags = flag_sets[i];
    if (io_uring_queue_init_params(RING_ENTRIES, &g_ring, &p) == 0) return 0;
  }
  return -1;
}

int main(void) {
  if (ring_init() != 0) {
    fprintf(stderr, "echo-server-uring: io_uring is not available\n");
    return 1;
  }
  g_listener = echo_listen(0);
  post_accept();
  post_stdin();

  for (;;) {
    struct io_uring_cqe *cqe;
    unsigned head, seen = 0;
    int rc = io_uring_submit_and_wait(&g_ring, 1);
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
      errno = -rc;
      echo_die("io_uring_submit_and_wait");
    }
    io_uring_for_each_cqe(&g_ring, head, cqe) {
      uint64_t data = io_uring_cqe_get_data64(cqe);
      conn_t *c = (conn_t *)(uintptr_t)(data & ~(uint64_t)OP_MASK);
      int res = cqe->res;
      seen++;
      switch ((int)(data & OP_MASK)) {
        case OP_ACCEPT:
          if (res >= 0) {
            conn_t *n = malloc(sizeof(*n));
            n->fd = res;
            n->off = n->len = 0;
            echo_nodelay(res);
            post_recv(n);
          }
          if (!(cqe->flags & IORING_CQE_F_MORE)) post_accept();
          break;
        case OP_STDIN: {
          char b[64];
          if (read(0, b, sizeof(b)) <= 0) return 0; /* end of file: done */
          post_stdin();
          break;
        }
        case OP_RECV:
          if (res <= 0) {
            conn_close(c);
            break;
          }
          c->off = 0;
          c->len = (size_t)res;
          post_send(c);
          break;
        case OP_SEND:
          if (res < 0) {
            conn_close(c);
            break;
          }
          c->off += (size_t)res;
          if (c->off < c->len)
            post_send(c);
          else
            post_recv(c);
          break;
      }
    }
    io_uring_cq_advance(&g_ring, seen);
  }
}
