/*
 * server-epoll.c (echo-server-epoll): the baseline echo server. One
 * thread, level-triggered epoll, non-blocking read/write: what a Linux
 * programmer writes first. Reads up to BUF_SIZE bytes and writes them
 * back; if the socket will not take them all, it waits for EPOLLOUT and
 * reads nothing more from that connection until they are gone.
 *
 * Listens on 127.0.0.1 (any free port), prints "port N", and runs until
 * its stdin reaches end of file.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>

#include "common.h"

#define BUF_SIZE 32768

typedef struct {
  int fd;
  size_t off, len; /* bytes [off, len) of buf still to write */
  char buf[BUF_SIZE];
} conn_t;

static int g_ep;

static void conn_close(conn_t *c) {
  close(c->fd); /* also removes it from the epoll set */
  free(c);
}

/* Write the pending bytes; returns 1 if all went, 0 if not, -1 on error. */
static int conn_flush(conn_t *c) {
  while (c->off < c->len) {
    ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    c->off += (size_t)n;
  }
  c->off = c->len = 0;
  return 1;
}

static void conn_event(conn_t *c, uint32_t events) {
  struct epoll_event ev = {.data.ptr = c};
  if (c->len) { /* waiting to write */
    int r = conn_flush(c);
    if (r < 0) {
      conn_close(c);
      return;
    }
    if (r == 0) return;
    ev.events = EPOLLIN;
    epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
    return;
  }
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  ssize_t n = read(c->fd, c->buf, BUF_SIZE);
  if (n < 0 && errno == EAGAIN) return;
  if (n <= 0) {
    conn_close(c);
    return;
  }
  c->len = (size_t)n;
  int r = conn_flush(c);
  if (r < 0) {
    conn_close(c);
    return;
  }
  if (r == 0) {
    ev.events = EPOLLOUT;
    epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
  }
}

int main(void) {
  static int listener_tag, stdin_tag;
  struct epoll_event ev[256];
  int lfd = echo_listen(SOCK_NONBLOCK);

  g_ep = epoll_create1(EPOLL_CLOEXEC);
  if (g_ep < 0) echo_die("epoll_create1");
  struct epoll_event e = {.events = EPOLLIN, .data.ptr = &listener_tag};
  epoll_ctl(g_ep, EPOLL_CTL_ADD, lfd, &e);
  e.data.ptr = &stdin_tag;
  epoll_ctl(g_ep, EPOLL_CTL_ADD, 0, &e);

  for (;;) {
    int n = epoll_wait(g_ep, ev, 256, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) echo_die("epoll_wait");
    for (int i = 0; i < n; i++) {
      if (ev[i].data.ptr == &stdin_tag) {
        char b[64];
        if (read(0, b, sizeof(b)) <= 0) return 0; /* end of file: done */
      } else if (ev[i].data.ptr == &listener_tag) {
        int fd;
        while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          conn_t *c = malloc(sizeof(*c));
          c->fd = fd;
          c->off = c->len = 0;
          echo_nodelay(fd);
          struct epoll_event ce = {.events = EPOLLIN, .data.ptr = c};
          epoll_ctl(g_ep, EPOLL_CTL_ADD, fd, &ce);
        }
      } else {
        conn_event(ev[i].data.ptr, ev[i].events);
      }
    }
  }
}
