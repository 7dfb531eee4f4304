/* WSADuplicateSocket and WSASocket(FROM_PROTOCOL_INFO): into this process,
 * into another one (this program again, started as a child), and the
 * errors. Runs on each engine. */
#ifndef _WIN32
/* Linux headers first, then Windows' (docs/HEADERS.md). */
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "ws2io.h"

#ifndef _WIN32
extern char **environ;
#endif

TEST(duplicate_into_this_process) {
  SOCKET c, s, d;
  WSAPROTOCOL_INFOW info;
  WSAPROTOCOL_INFOA infoa;
  char buf[8];
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_EQ(WSADuplicateSocketW(c, GetCurrentProcessId(), NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(WSADuplicateSocketW(c, GetCurrentProcessId(), &info), 0);
  ASSERT_EQ(info.iAddressFamily, AF_INET);
  ASSERT_EQ(info.iSocketType, SOCK_STREAM);
  ASSERT_EQ(WSADuplicateSocketA(c, GetCurrentProcessId(), &infoa), 0);
  /* The source may close at once: the duplicate still names the socket. */
  ASSERT_EQ(closesocket(c), 0);
  d = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                 &info, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(d, INVALID_SOCKET);
  ASSERT_EQ(send(d, "dup", 3, 0), 3);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 3);
  ASSERT_MEM_EQ(buf, "dup", 3);
  ASSERT_EQ(closesocket(d), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}

TEST(duplicate_errors) {
  SOCKET c, s;
  WSAPROTOCOL_INFOW info;
  WSAPROTOCOL_INFOA infoa;
  WSAEVENT e;
  t_startup();
  t_tcp_pair(&c, &s);
  /* No WSAPROTOCOL_INFO to fill: WSAEFAULT. */
  ASSERT_FAILS_WITH(WSADuplicateSocketW(c, GetCurrentProcessId(), NULL),
                    SOCKET_ERROR, WSAEFAULT);
  ASSERT_FAILS_WITH(WSADuplicateSocketA(c, GetCurrentProcessId(), NULL),
                    SOCKET_ERROR, WSAEFAULT);
  /* A process id that names no process: WSAEINVAL. */
  ASSERT_FAILS_WITH(WSADuplicateSocketW(c, 0, &info), SOCKET_ERROR, WSAEINVAL);
  ASSERT_FAILS_WITH(WSADuplicateSocketW(c, 0x7ffffff0, &info), SOCKET_ERROR,
                    WSAEINVAL);
  ASSERT_FAILS_WITH(WSADuplicateSocketA(c, 0x7ffffff0, &infoa), SOCKET_ERROR,
                    WSAEINVAL);
  /* Not a socket: another kind of handle, a made-up value, a closed
   * socket. */
  e = WSACreateEvent();
  ASSERT_FAILS_WITH(
      WSADuplicateSocketW((SOCKET)e, GetCurrentProcessId(), &info),
      SOCKET_ERROR, WSAENOTSOCK);
  ASSERT_FAILS_WITH(
      WSADuplicateSocketW((SOCKET)0x7ff0, GetCurrentProcessId(), &info),
      SOCKET_ERROR, WSAENOTSOCK);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_FAILS_WITH(WSADuplicateSocketW(s, GetCurrentProcessId(), &info),
                    SOCKET_ERROR, WSAENOTSOCK);
  ASSERT_FAILS_WITH(WSADuplicateSocketA(s, GetCurrentProcessId(), &infoa),
                    SOCKET_ERROR, WSAENOTSOCK);
  ASSERT_TRUE(WSACloseEvent(e));
#ifndef _WIN32
  {
    /* A description edited to name a descriptor that is not a socket (a
     * pipe), or none: WSASocket refuses it, WSAEINVAL (ws2 keeps the
     * source process and descriptor in dwServiceFlags4 and
     * dwProviderReserved). */
    int p[2];
    ASSERT_EQ(WSADuplicateSocketW(c, GetCurrentProcessId(), &info), 0);
    ASSERT_EQ(pipe(p), 0);
    info.dwProviderReserved = (DWORD)p[0];
    ASSERT_FAILS_WITH(WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                                 FROM_PROTOCOL_INFO, &info, 0, 0),
                      INVALID_SOCKET, WSAEINVAL);
    close(p[0]);
    close(p[1]);
    ASSERT_FAILS_WITH(WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                                 FROM_PROTOCOL_INFO, &info, 0, 0),
                      INVALID_SOCKET, WSAEINVAL);
  }
#endif
  ASSERT_EQ(closesocket(c), 0);
  t_cleanup();
}

#ifndef _WIN32
/* The descriptor the parent passes the WSAPROTOCOL_INFOW on. */
#define CHILD_FD 63
#define CHILD_ENV "WS2_TEST_DUP_CHILD_FD"

/* Receives exactly n bytes. */
static void recv_all(SOCKET s, char *buf, int n) {
  int got = 0, r;
  while (got < n) {
    r = recv(s, buf + got, n - got, 0);
    if (r <= 0) WS2TEST_FAIL_("recv: %d, error %d", r, WSAGetLastError());
    got += r;
  }
}

/* The child's side of duplicate_into_another_process: takes the socket
 * the parent describes, sends, receives, closes. Skips (exit status 77)
 * when the kernel does not let it take the descriptor. */
TEST(duplicate_child_side) {
  const char *v = getenv(CHILD_ENV);
  WSAPROTOCOL_INFOW info;
  size_t got = 0;
  SOCKET d;
  char buf[16];
  if (!v) SKIP("the child of duplicate_into_another_process; runs only there");
  while (got < sizeof(info)) {
    ssize_t r = read(atoi(v), (char *)&info + got, sizeof(info) - got);
    if (r <= 0) FAIL("reading the WSAPROTOCOL_INFOW from the parent");
    got += (size_t)r;
  }
  t_startup();
  ASSERT_EQ(info.iAddressFamily, AF_INET);
  ASSERT_EQ(info.iSocketType, SOCK_STREAM);
  ASSERT_EQ(info.iProtocol, IPPROTO_TCP);
  d = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                 &info, 0, WSA_FLAG_OVERLAPPED);
  if (d == INVALID_SOCKET && WSAGetLastError() == WSAEACCES) {
    fprintf(stderr,
            "# child: WSASocket(FROM_PROTOCOL_INFO): WSAEACCES (the kernel "
            "refused pidfd_getfd)\n");
    WSACleanup();
    SKIP("pidfd_getfd refused");
  }
  ASSERT_NE(d, INVALID_SOCKET);
  ASSERT_EQ(send(d, "from child", 10, 0), 10);
  recv_all(d, buf, 11);
  ASSERT_MEM_EQ(buf, "from parent", 11);
  ASSERT_EQ(closesocket(d), 0);
  t_cleanup();
}

/* Starts this program as a child that runs duplicate_child_side with the
 * read end of a pipe at CHILD_FD. */
static pid_t start_child(int rd) {
  char exe[4096], env_fd[64], **envp;
  char *argv[3];
  posix_spawn_file_actions_t fa;
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  size_t ne = 0, i;
  pid_t pid;
  int r;
  if (n <= 0) FAIL("readlink /proc/self/exe");
  exe[n] = '\0';
  while (environ[ne]) ne++;
  envp = calloc(ne + 2, sizeof(*envp));
  ASSERT_NE_PTR(envp, NULL);
  for (i = 0; i < ne; i++) envp[i] = environ[i];
  snprintf(env_fd, sizeof(env_fd), "%s=%d", CHILD_ENV, CHILD_FD);
  envp[ne] = env_fd;
  argv[0] = exe;
  argv[1] = (char *)"duplicate_child_side";
  argv[2] = NULL;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, rd, CHILD_FD);
  /* Its TAP lines would mix with ours; its diagnostics go to stderr. */
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  r = posix_spawn(&pid, exe, &fa, NULL, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  free(envp);
  if (r != 0) WS2TEST_FAIL_("posix_spawn: %d", r);
  return pid;
}

/* The exit status of the child, waited for up to `ms`; -1 if running. */
static int child_status(pid_t pid, DWORD ms) {
  ULONGLONG end = GetTickCount64() + ms;
  int st;
  for (;;) {
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (w < 0) return 255;
    if (GetTickCount64() >= end) return -1;
    Sleep(10);
  }
}

TEST(duplicate_into_another_process) {
  SOCKET c, s;
  WSAPROTOCOL_INFOW info;
  int p[2], st;
  pid_t pid;
  char buf[16];
  fd_set rs;
  struct timeval tv;
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(fcntl(p[0], F_SETFD, FD_CLOEXEC), 0);
  ASSERT_EQ(fcntl(p[1], F_SETFD, FD_CLOEXEC), 0);
  pid = start_child(p[0]);
  close(p[0]);
  ASSERT_EQ(WSADuplicateSocketW(s, (DWORD)pid, &info), 0);
  ASSERT_EQ(write(p[1], &info, sizeof(info)), (ssize_t)sizeof(info));
  close(p[1]);
  /* The parent closes its own socket at once; the child's is the same
   * connection. */
  ASSERT_EQ(closesocket(s), 0);
  /* The child's data, or the child's end. */
  for (;;) {
    FD_ZERO(&rs);
    FD_SET(c, &rs);
    tv.tv_sec = 0;
    tv.tv_usec = 100000;
    if (select(0, &rs, NULL, NULL, &tv) == 1) break;
    if ((st = child_status(pid, 0)) >= 0) {
      ASSERT_EQ(closesocket(c), 0);
      t_cleanup();
      if (st == 77)
        SKIP(
            "the kernel does not let the child take the socket "
            "(pidfd_getfd: no ptrace access)");
      WS2TEST_FAIL_("the child exited with %d before sending", st);
    }
  }
  recv_all(c, buf, 10);
  ASSERT_MEM_EQ(buf, "from child", 10);
  ASSERT_EQ(send(c, "from parent", 11, 0), 11);
  ASSERT_EQ(child_status(pid, 30000), 0);
  ASSERT_EQ(closesocket(c), 0);
  t_cleanup();
}
#endif
