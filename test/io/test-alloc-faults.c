/*
 * test-alloc-faults.c: every allocation of a Winsock scenario fails once,
 * and each failure gives a clean Winsock error (issue 7, fault injection).
 *
 * The scenario is a small IOCP server's life: WSAStartup, a completion
 * port, a listener, a client connected to it, overlapped receives and
 * sends with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, WSAEventSelect, select,
 * getaddrinfo, then everything closed and WSACleanup. The test runs it
 * once in a child process to count ws2's allocations (WS2_FAULT_ALLOC_REPORT),
 * then once per allocation with that one failing (WS2_FAULT_ALLOC=N,
 * src/core/alloc.c). Each child must end normally: every call either
 * works or fails with an error set, every request that went pending
 * delivers exactly one packet, and (in the ASan build) nothing leaks.
 */
/* ws2-wine: skip (posix_spawn, and ws2's allocation seam WS2_FAULT_ALLOC) */
#include "ws2io.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* In a child, a failed call ends the scenario; it must have said why. */
#define GIVE_UP_IF(cond, err)                                             \
  do {                                                                    \
    if (cond) {                                                           \
      if ((err) == 0) {                                                   \
        fprintf(stderr, "fault child: %s failed with no error\n", #cond); \
        bad = 1;                                                          \
      }                                                                   \
      goto out;                                                           \
    }                                                                     \
  } while (0)

/*
 * The scenario: 0 when it ran to the end or stopped at a call that
 * failed with its error set; 1 when something was wrong (a call failed
 * without an error, a completion lost or duplicated). With strict, every
 * call must succeed.
 */
static int scenario(int strict) {
  WSADATA wd;
  SOCKET l = INVALID_SOCKET, c = INVALID_SOCKET, a = INVALID_SOCKET;
  HANDLE port = NULL;
  WSAEVENT ev = WSA_INVALID_EVENT;
  struct sockaddr_in addr;
  int len = sizeof(addr), bad = 0, started = 0, pending = 0, got = 0;
  WSAOVERLAPPED rov, sov;
  char rbuf[16], sbuf[16] = "fault injection";
  WSABUF rb = {sizeof(rbuf), rbuf}, sb = {sizeof(sbuf), sbuf};
  DWORD flags = 0, n = 0;
  int r;
  r = WSAStartup(MAKEWORD(2, 2), &wd);
  GIVE_UP_IF(r != 0, r);
  started = 1;
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  GIVE_UP_IF(!port, GetLastError());
  l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  GIVE_UP_IF(l == INVALID_SOCKET, WSAGetLastError());
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  GIVE_UP_IF(bind(l, (struct sockaddr *)&addr, sizeof(addr)) != 0,
             WSAGetLastError());
  GIVE_UP_IF(listen(l, 4) != 0, WSAGetLastError());
  GIVE_UP_IF(getsockname(l, (struct sockaddr *)&addr, &len) != 0,
             WSAGetLastError());
  c = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  GIVE_UP_IF(c == INVALID_SOCKET, WSAGetLastError());
  GIVE_UP_IF(connect(c, (struct sockaddr *)&addr, sizeof(addr)) != 0,
             WSAGetLastError());
  a = accept(l, NULL, NULL);
  GIVE_UP_IF(a == INVALID_SOCKET, WSAGetLastError());
  GIVE_UP_IF(!CreateIoCompletionPort((HANDLE)a, port, 1, 0), GetLastError());
  GIVE_UP_IF(!CreateIoCompletionPort((HANDLE)c, port, 2, 0), GetLastError());
  GIVE_UP_IF(!SetFileCompletionNotificationModes(
                 (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS),
             GetLastError());
  /* A receive that waits, then a send that (usually) completes at once. */
  memset(&rov, 0, sizeof(rov));
  memset(&sov, 0, sizeof(sov));
  r = WSARecv(a, &rb, 1, NULL, &flags, &rov, NULL);
  if (r != 0) {
    int e = WSAGetLastError();
    GIVE_UP_IF(e != WSA_IO_PENDING, e);
  }
  pending++; /* pending, or done at once: a packet either way (no skip) */
  r = WSASend(c, &sb, 1, &n, 0, &sov, NULL);
  if (r != 0) {
    int e = WSAGetLastError();
    GIVE_UP_IF(e != WSA_IO_PENDING, e);
    pending++; /* skip mode: only a pending send has a packet */
  }
  /* Every packet, exactly once. */
  for (;;) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED o = NULL;
    BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &o, 2000);
    if (!o) break; /* timed out: nothing more */
    (void)ok;
    got++;
    if (got > pending) break;
    if (got == pending) {
      /* Anything beyond is a duplicate: wait a little for it. */
      if (GetQueuedCompletionStatus(port, &bytes, &key, &o, 50) || o) got++;
      break;
    }
  }
  if (got != pending) {
    fprintf(stderr, "fault child: %d packets for %d requests\n", got, pending);
    bad = 1;
    goto out;
  }
  /* Readiness paths. */
  ev = WSACreateEvent();
  GIVE_UP_IF(ev == WSA_INVALID_EVENT, WSAGetLastError());
  GIVE_UP_IF(WSAEventSelect(l, ev, FD_ACCEPT | FD_CLOSE) != 0,
             WSAGetLastError());
  {
    fd_set rs;
    struct timeval tv = {0, 1000};
    FD_ZERO(&rs);
    FD_SET(a, &rs);
    GIVE_UP_IF(select(0, &rs, NULL, NULL, &tv) == SOCKET_ERROR,
               WSAGetLastError());
  }
  {
    ADDRINFOA hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_NUMERICHOST;
    hints.ai_family = AF_INET;
    r = getaddrinfo("127.0.0.1", "80", &hints, &res);
    GIVE_UP_IF(r != 0, r);
    freeaddrinfo(res);
  }
out:
  if (strict && !bad && (a == INVALID_SOCKET || ev == WSA_INVALID_EVENT)) {
    fprintf(stderr, "scenario stopped early without faults\n");
    bad = 1;
  }
  if (ev != WSA_INVALID_EVENT) WSACloseEvent(ev);
  if (a != INVALID_SOCKET) closesocket(a);
  if (c != INVALID_SOCKET) closesocket(c);
  if (l != INVALID_SOCKET) closesocket(l);
  if (port) {
    /* What the closes aborted still arrives; then the port goes. */
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED o;
    while (GetQueuedCompletionStatus(port, &bytes, &key, &o, 100) || o) {
    }
    CloseHandle(port);
  }
  if (started) WSACleanup();
  return bad;
}

/* The child: runs the scenario under whatever fault the environment
 * injects, and exits 0 when it ended cleanly. */
TEST(fault_child) {
  if (!getenv("WS2_TEST_FAULT_CHILD"))
    SKIP("run by every_allocation_fails_cleanly");
  /* exit, not _exit: the allocation count is written at exit. */
  exit(scenario(0));
}

TEST(scenario_without_faults) { ASSERT_EQ(scenario(1), 0); }

/* Runs the child with extra environment entries; its exit status, or
 * 128 + the signal; -1 when it ran longer than 20 s (killed). */
static int run_child(const char *fault, const char *report, const char *log) {
  char *argv[] = {"test-alloc-faults", "fault_child", NULL};
  char **env;
  char fault_var[64], report_var[512];
  size_t n = 0, i, k = 0;
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int status, waited = 0;
  while (environ[n]) n++;
  env = calloc(n + 4, sizeof(char *));
  for (i = 0; i < n; i++)
    if (strncmp(environ[i], "WS2_FAULT_ALLOC", 15) != 0) env[k++] = environ[i];
  env[k++] = "WS2_TEST_FAULT_CHILD=1";
  if (fault) {
    snprintf(fault_var, sizeof(fault_var), "WS2_FAULT_ALLOC=%s", fault);
    env[k++] = fault_var;
  }
  if (report) {
    snprintf(report_var, sizeof(report_var), "WS2_FAULT_ALLOC_REPORT=%s",
             report);
    env[k++] = report_var;
  }
  env[k] = NULL;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  if (posix_spawn(&pid, ws2test_self_exe(), &fa, NULL, argv, env) != 0) {
    free(env);
    return -2;
  }
  posix_spawn_file_actions_destroy(&fa);
  free(env);
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (++waited > 2000) { /* 20 s */
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(10000);
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

static void show_log(const char *log) {
  char line[512];
  FILE *f = fopen(log, "r");
  int lines = 0;
  while (f && fgets(line, sizeof(line), f) && lines++ < 40)
    fprintf(stderr, "#   %s", line);
  if (f) fclose(f);
}

TEST(every_allocation_fails_cleanly) {
  char dir[] = "/tmp/ws2-alloc-faults-XXXXXX", report[256], log[256], num[32];
  unsigned long total = 0, i, failed_cleanly = 0;
  FILE *f;
  int r;
  ASSERT_NE_PTR(mkdtemp(dir), NULL);
  snprintf(report, sizeof(report), "%s/count", dir);
  snprintf(log, sizeof(log), "%s/log", dir);
  r = run_child(NULL, report, log);
  if (r != 0) show_log(log);
  ASSERT_EQ(r, 0);
  f = fopen(report, "r");
  ASSERT_NE_PTR(f, NULL);
  ASSERT_EQ(fscanf(f, "%lu", &total), 1);
  fclose(f);
  ASSERT_TRUE(total > 0);
  for (i = 1; i <= total; i++) {
    snprintf(num, sizeof(num), "%lu", i);
    r = run_child(num, NULL, log);
    if (r != 0) {
      fprintf(stderr, "# allocation %lu of %lu failing: child ended with %d\n",
              i, total, r);
      show_log(log);
      FAIL("a failed allocation was not handled cleanly");
    }
    failed_cleanly++;
  }
  printf("# %lu allocations, each failed once: all handled cleanly\n",
         failed_cleanly);
  unlink(report);
  unlink(log);
  rmdir(dir);
}
