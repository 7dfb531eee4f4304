/*
 * server-uv.c (echo-server-uv): an echo server on libuv, the usual way:
 * one loop thread, uv_read_start into a per-connection buffer, and each
 * chunk written back with uv_try_write; whatever the socket does not
 * take at once goes through uv_write, with reading stopped until it is
 * done.
 *
 * Listens on 127.0.0.1 (any free port), prints "port N", and runs until
 * its stdin reaches end of file.
 */
#define _GNU_SOURCE
#include <uv.h>

#include "common.h"

#define BUF_SIZE 32768

typedef struct {
  uv_tcp_t tcp; /* first: the handle pointer is the conn_t pointer */
  uv_write_t wreq;
  int reading;
  char buf[BUF_SIZE];
} conn_t;

static uv_loop_t *g_loop;
static uv_tcp_t g_server;
static uv_pipe_t g_stdin;

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b) {
  conn_t *c = (conn_t *)h;
  (void)hint;
  *b = uv_buf_init(c->buf, BUF_SIZE);
}

static void on_closed(uv_handle_t *h) { free(h); }

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);

static void on_written(uv_write_t *req, int status) {
  conn_t *c = (conn_t *)req->handle;
  if (status < 0) {
    uv_close((uv_handle_t *)c, on_closed);
    return;
  }
  uv_read_start((uv_stream_t *)c, on_alloc, on_read);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  conn_t *c = (conn_t *)s;
  if (n == 0) return; /* EAGAIN */
  if (n < 0) {
    uv_close((uv_handle_t *)c, on_closed);
    return;
  }
  uv_buf_t out = uv_buf_init(b->base, (unsigned)n);
  int w = uv_try_write(s, &out, 1);
  if (w == n) return;
  if (w < 0 && w != UV_EAGAIN) {
    uv_close((uv_handle_t *)c, on_closed);
    return;
  }
  if (w > 0) out = uv_buf_init(b->base + w, (unsigned)(n - w));
  /* The buffer is in use until the write is done: stop reading into it. */
  uv_read_stop(s);
  if (uv_write(&c->wreq, s, &out, 1, on_written) != 0)
    uv_close((uv_handle_t *)c, on_closed);
}

static void on_connection(uv_stream_t *server, int status) {
  if (status < 0) return;
  conn_t *c = malloc(sizeof(*c));
  uv_tcp_init(g_loop, &c->tcp);
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
    uv_close((uv_handle_t *)c, on_closed);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void stdin_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b) {
  static char buf[64];
  (void)h;
  (void)hint;
  *b = uv_buf_init(buf, sizeof(buf));
}

static void stdin_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b) {
  (void)s;
  (void)b;
  if (n < 0) exit(0); /* end of file: done */
}

int main(void) {
  struct sockaddr_in a;
  int namelen = sizeof(a);

  g_loop = uv_default_loop();
  uv_tcp_init(g_loop, &g_server);
  uv_ip4_addr("127.0.0.1", 0, &a);
  if (uv_tcp_bind(&g_server, (const struct sockaddr *)&a, 0) != 0 ||
      uv_listen((uv_stream_t *)&g_server, ECHO_BACKLOG, on_connection) != 0 ||
      uv_tcp_getsockname(&g_server, (struct sockaddr *)&a, &namelen) != 0) {
    fprintf(stderr, "echo-server-uv: cannot listen\n");
    return 1;
  }
  printf("port %u\n", (unsigned)ntohs(a.sin_port));
  fflush(stdout);

  uv_pipe_init(g_loop, &g_stdin, 0);
  if (uv_pipe_open(&g_stdin, 0) == 0)
    uv_read_start((uv_stream_t *)&g_stdin, stdin_alloc, stdin_read);
  return uv_run(g_loop, UV_RUN_DEFAULT);
}
