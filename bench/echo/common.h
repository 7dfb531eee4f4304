/*
 * common.h: what the echo benchmark's Linux programs share: the
 * listening socket and its "port N" line, and a latency histogram.
 * Header-only; every function is static.
 */
#ifndef WS2_BENCH_ECHO_COMMON_H
#define WS2_BENCH_ECHO_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ECHO_BACKLOG 4096

static inline void echo_die(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  exit(1);
}

/* A listening TCP socket on 127.0.0.1, any free port; prints "port N". */
static inline int echo_listen(int flags) {
  struct sockaddr_in a;
  socklen_t len = sizeof(a);
  int one = 1, fd = socket(AF_INET, SOCK_STREAM | flags, 0);
  if (fd < 0) echo_die("socket");
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) echo_die("bind");
  if (listen(fd, ECHO_BACKLOG) != 0) echo_die("listen");
  if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
    echo_die("getsockname");
  printf("port %u\n", (unsigned)ntohs(a.sin_port));
  fflush(stdout);
  return fd;
}

static inline void echo_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static inline int echo_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

static inline uint64_t echo_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Latency histogram: 64 buckets per power of two of nanoseconds (1.6%
 * resolution) up to 2^40 ns. The same scheme as examples/iocp-echo.c.
 */
#define HIST_BUCKETS (36 * 64)
typedef struct {
  uint64_t count[HIST_BUCKETS];
  uint64_t total;
} hist_t;

static inline int hist_bucket(uint64_t ns) {
  int e;
  if (ns < 64) return (int)ns;
  e = 63 - __builtin_clzll(ns);
  if (e >= 40) return HIST_BUCKETS - 1;
  return (e - 5) * 64 + (int)((ns >> (e - 6)) & 63);
}

static inline void hist_add(hist_t *h, uint64_t ns) {
  h->count[hist_bucket(ns)]++;
  h->total++;
}

static inline double hist_value(int b) {
  int e;
  if (b < 64) return b;
  e = b / 64 + 5;
  return ((double)(64 + b % 64) + 0.5) * (double)(1ull << (e - 6));
}

static inline double hist_percentile(const hist_t *h, double p) {
  uint64_t want = (uint64_t)(p * (double)h->total), seen = 0;
  if (h->total == 0) return 0;
  if (want >= h->total) want = h->total - 1;
  for (int b = 0; b < HIST_BUCKETS; b++) {
    seen += h->count[b];
    if (seen > want) return hist_value(b);
  }
  return hist_value(HIST_BUCKETS - 1);
}

#endif /* WS2_BENCH_ECHO_COMMON_H */
