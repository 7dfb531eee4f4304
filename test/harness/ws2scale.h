/*
 * ws2scale.h: thousands of concurrent TCP connections on loopback through
 * an IOCP echo server (issue 7, scale): test/io/test-scale.c runs it on
 * the base provider, test/plugins/test-scale-layers.c through layers.
 *
 * The server is the test's process, through ws2: one listener, every
 * accepted socket associated with one completion port, an overlapped
 * WSARecv always posted on each, each received chunk echoed with an
 * overlapped WSASend. The client is a child process (the same program,
 * through ws2 too, with a completion port of its own, and the same
 * catalog), so that each process holds one socket per connection: it
 * connects them all, then for each round sends every connection a
 * message of a random size (1..2048 bytes) and receives its echo back,
 * checking every byte, then closes them all.
 *
 * Checks: every connection accepted, every byte echoed intact, every
 * posted request completed exactly once (no error other than the peer's
 * close), every socket closed at the end. Reports ws2's memory per
 * connection (allocated, and resident set growth, while all are open
 * with a receive posted on each).
 *
 * WS2_SCALE_CONNECTIONS (default 10000) and WS2_SCALE_ROUNDS (default 3)
 * set the size; the soft descriptor limit is raised to the hard one and
 * the count lowered to what it allows (said in the output).
 *
 * A test file defines two cases: one calling t_scale_client_case() (named
 * scale_client: the child runs it) and one calling t_scale_run().
 */
#ifndef WS2SCALE_H
#define WS2SCALE_H

#include "ws2io.h"

#include <malloc.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_MSG 2048

/* ---- The client: another process, through ws2 as well. ---- */

typedef struct cconn {
  SOCKET s;
  WSAOVERLAPPED rov, sov;
  DWORD want, got;
  int rpend, spend;
  unsigned char out[MAX_MSG], in[MAX_MSG];
} cconn_t;

static unsigned rnd(unsigned *seed) {
  *seed = *seed * 1103515245u + 12345u;
  return *seed >> 8;
}

static int client_recv(cconn_t *x) {
  WSABUF b = {x->want - x->got, (char *)x->in + x->got};
  DWORD flags = 0;
  memset(&x->rov, 0, sizeof(x->rov));
  x->rpend = 1;
  if (WSARecv(x->s, &b, 1, NULL, &flags, &x->rov, NULL) == 0) return 0;
  return WSAGetLastError() == WSA_IO_PENDING ? 0 : 1;
}

/* The client process: 0 on success; other exit statuses name the step
 * that failed. Every connection, every round: one send of a random-sized
 * message, receives until its echo is back, checked byte for byte. */
static int client(int port, int n, int rounds) {
  cconn_t *c = malloc((size_t)n * sizeof(*c));
  struct sockaddr_in a;
  HANDLE cp;
  int i, r, pending;
  unsigned seed = 12345;
  WSADATA wd;
  if (!c || WSAStartup(MAKEWORD(2, 2), &wd) != 0) return 10;
  memset(c, 0, (size_t)n * sizeof(*c));
  if (!(cp = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1)))
    return 10;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((u_short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (i = 0; i < n; i++) {
    c[i].s = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (c[i].s == INVALID_SOCKET) return 11;
    if (connect(c[i].s, (struct sockaddr *)&a, sizeof(a)) != 0) return 12;
    if (!CreateIoCompletionPort((HANDLE)c[i].s, cp, (ULONG_PTR)&c[i], 0))
      return 13;
  }
  for (r = 0; r < rounds; r++) {
    for (i = 0; i < n; i++) {
      WSABUF b;
      DWORD k;
      c[i].want = 1 + rnd(&seed) % MAX_MSG;
      for (k = 0; k < c[i].want; k++) c[i].out[k] = (unsigned char)rnd(&seed);
      c[i].got = 0;
      b.len = c[i].want;
      b.buf = (char *)c[i].out;
      memset(&c[i].sov, 0, sizeof(c[i].sov));
      c[i].spend = 1;
      if (WSASend(c[i].s, &b, 1, NULL, 0, &c[i].sov, NULL) != 0 &&
          WSAGetLastError() != WSA_IO_PENDING)
        return 14;
      if (client_recv(&c[i])) return 15;
    }
    pending = 2 * n; /* each connection: its send and its echo */
    while (pending > 0) {
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      LPOVERLAPPED o = NULL;
      BOOL ok = GetQueuedCompletionStatus(cp, &bytes, &key, &o, 30000);
      cconn_t *x = (cconn_t *)key;
      if (!o) return 16; /* 30 s without a completion */
      if (!ok) return 17;
      if (o == &x->sov) {
        if (!x->spend || bytes != x->want) return 18;
        x->spend = 0;
        pending--;
        continue;
      }
      if (!x->rpend || bytes == 0) return 19;
      x->rpend = 0;
      x->got += bytes;
      if (x->got < x->want) {
        if (client_recv(x)) return 15;
        continue;
      }
      if (memcmp(x->in, x->out, x->want) != 0) return 20;
      pending--;
    }
  }
  for (i = 0; i < n; i++) closesocket(c[i].s);
  CloseHandle(cp);
  WSACleanup();
  free(c);
  return 0;
}

/* The client's test case: runs in the child process only (the parent
 * starts it with the port in WS2_TEST_SCALE_PORT). */
static void t_scale_client_case(void) {
  const char *p = getenv("WS2_TEST_SCALE_PORT");
  if (!p) SKIP("the client of the scale test");
  exit(client(atoi(p), atoi(getenv("WS2_TEST_SCALE_N")),
              atoi(getenv("WS2_TEST_SCALE_ROUNDS"))));
}

/* ---- The server: ws2, IOCP. ---- */

typedef struct sconn {
  SOCKET s;
  WSAOVERLAPPED rov, sov;
  char buf[MAX_MSG];
  int sending; /* a send in flight: the next receive waits for it */
  int recv_posted;
  int closed;
} sconn_t;

static long rss_kib(void) {
  long pages = 0, rss = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
    fclose(f);
  }
  return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static int post_recv(sconn_t *c) {
  WSABUF b = {MAX_MSG, c->buf};
  DWORD flags = 0;
  memset(&c->rov, 0, sizeof(c->rov));
  c->recv_posted = 1;
  if (WSARecv(c->s, &b, 1, NULL, &flags, &c->rov, NULL) == 0) return 0;
  return WSAGetLastError() == WSA_IO_PENDING ? 0 : WSAGetLastError();
}

/* The scale test; `chain` (when not 0) is the catalog entry every
 * accepted socket must come from. */
static void t_scale_run(DWORD chain) {
  const char *v = getenv("WS2_SCALE_CONNECTIONS");
  const char *rv = getenv("WS2_SCALE_ROUNDS");
  int want = v ? atoi(v) : 10000, rounds = rv ? atoi(rv) : 3, n, i;
  int status = 0, open_conns, completions = 0;
  struct rlimit rl;
  struct sockaddr_in addr;
  SOCKET l;
  HANDLE port;
  sconn_t *conns;
  pid_t pid;
  long rss0, rss1;
  size_t heap0, heap1;
  unsigned long long echoed = 0;
  ULONGLONG t0;

  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  rl.rlim_cur = rl.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
  n = want;
  if ((rlim_t)n + 256 > rl.rlim_cur) n = (int)rl.rlim_cur - 256;
  if (n < want)
    printf("# %d connections (the descriptor limit, %lu, allows no more)\n", n,
           (unsigned long)rl.rlim_cur);
  ASSERT_TRUE(n > 0);
  t_startup();
  conns = malloc((size_t)n * sizeof(*conns));
  ASSERT_NE_PTR(conns, NULL);
  /* Touched now, so the growth measured below is ws2's, not this test's. */
  memset(conns, 0, (size_t)n * sizeof(*conns));
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  ASSERT_NE_PTR(port, NULL);
  l = t_listener(&addr);
  {
    char pv[16], nv[16], rv2[16];
    char *argv[] = {"test-scale", "scale_client", NULL};
    int spawned;
    /* setenv copies (putenv would leave the environment pointing into
     * this frame once it returns). */
    snprintf(pv, sizeof(pv), "%d", ntohs(addr.sin_port));
    snprintf(nv, sizeof(nv), "%d", n);
    snprintf(rv2, sizeof(rv2), "%d", rounds);
    setenv("WS2_TEST_SCALE_PORT", pv, 1);
    setenv("WS2_TEST_SCALE_N", nv, 1);
    setenv("WS2_TEST_SCALE_ROUNDS", rv2, 1);
    spawned = posix_spawn(&pid, ws2test_self_exe(), NULL, NULL, argv, environ);
    unsetenv("WS2_TEST_SCALE_PORT");
    unsetenv("WS2_TEST_SCALE_N");
    unsetenv("WS2_TEST_SCALE_ROUNDS");
    ASSERT_EQ(spawned, 0);
  }
  rss0 = rss_kib();
  heap0 = mallinfo2().uordblks;
  t0 = GetTickCount64();
  for (i = 0; i < n; i++) {
    conns[i].s = accept(l, NULL, NULL);
    ASSERT_NE(conns[i].s, INVALID_SOCKET);
    if (chain && i == 0) {
      WSAPROTOCOL_INFOW w;
      int wl = sizeof(w);
      ASSERT_EQ(getsockopt(conns[i].s, SOL_SOCKET, SO_PROTOCOL_INFOW,
                           (char *)&w, &wl),
                0);
      ASSERT_EQ(w.dwCatalogEntryId, chain);
    }
    ASSERT_NE_PTR(CreateIoCompletionPort((HANDLE)conns[i].s, port,
                                         (ULONG_PTR)&conns[i], 0),
                  NULL);
    ASSERT_EQ(post_recv(&conns[i]), 0);
  }
  rss1 = rss_kib();
  heap1 = mallinfo2().uordblks;
  /* (Under a sanitizer, malloc's statistics are the sanitizer's: 0.) */
  printf(
      "# %d connections accepted in %llu ms; ws2's memory per connection "
      "with a receive posted: %.0f bytes allocated, %.0f bytes of "
      "resident set\n",
      n, (unsigned long long)(GetTickCount64() - t0),
      heap1 > heap0 ? (double)(heap1 - heap0) / n : 0.0,
      (double)(rss1 - rss0) * 1024.0 / n);
  /* Echo until every connection is closed by the client. */
  open_conns = n;
  while (open_conns > 0) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED o = NULL;
    BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &o, 30000);
    sconn_t *c = (sconn_t *)key;
    if (!o) FAIL("no completion for 30 s: one was lost");
    completions++;
    if (o == &c->sov) {
      ASSERT_TRUE(ok);
      c->sending = 0;
      ASSERT_EQ(post_recv(c), 0);
      continue;
    }
    ASSERT_EQ_PTR(o, &c->rov);
    ASSERT_TRUE(c->recv_posted);
    c->recv_posted = 0;
    if (!ok || bytes == 0) {
      /* The client's close (a reset is an error completion): done. */
      ASSERT_FALSE(c->closed);
      c->closed = 1;
      ASSERT_EQ(closesocket(c->s), 0);
      open_conns--;
      continue;
    }
    echoed += bytes;
    {
      WSABUF b = {bytes, c->buf};
      memset(&c->sov, 0, sizeof(c->sov));
      c->sending = 1;
      if (WSASend(c->s, &b, 1, NULL, 0, &c->sov, NULL) != 0)
        ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    }
  }
  printf(
      "# %d connections x %d rounds: %llu bytes echoed, %d completions, "
      "in %llu ms\n",
      n, rounds, echoed, completions,
      (unsigned long long)(GetTickCount64() - t0));
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  /* Nothing left over: no stray packet. */
  {
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED o = NULL;
    ASSERT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &o, 100));
    ASSERT_EQ_PTR(o, NULL);
  }
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_TRUE(CloseHandle(port));
  free(conns);
  t_cleanup();
}

#endif /* WS2SCALE_H */
