/*
 * duplicate.c: WSADuplicateSocket and WSASocket(FROM_PROTOCOL_INFO).
 *
 * WSADuplicateSocket keeps a duplicate of the Linux socket open in the
 * source process and writes into the WSAPROTOCOL_INFOW, besides the
 * socket's protocol entry, where to find it: dwServiceFlags4 = the source
 * process id and dwProviderReserved = the descriptor number (both fields
 * are the provider's to use; nothing else reads them). The target's
 * WSASocket takes the descriptor with pidfd_getfd(2) (Linux 5.6; in the
 * source process itself, with a plain dup), which
 * needs the right to trace the source: the same user (or CAP_SYS_PTRACE),
 * and under Yama's ptrace_scope 1 (the default of many distributions)
 * also either being the source's ancestor or having been named by it with
 * prctl(PR_SET_PTRACER). So WSADuplicateSocket names the target process
 * that way when Yama's scope is 1 and the target is another process. A
 * process has one such exception at a time: each call replaces the one
 * before (a previous target that has not yet called WSASocket loses it;
 * so does a tracer the application itself named, such as a crash
 * handler's). Yama's scope 2 and 3, a different user, or a seccomp policy
 * that forbids pidfd_getfd leave WSASocket failing with WSAEACCES. The
 * duplicate stays open in the source until that process exits, which is
 * what lets the source close its own socket at once, as Windows allows.
 *
 * Errors as Windows gives them: WSAENOTSOCK for what is not a socket,
 * WSAEFAULT for a NULL WSAPROTOCOL_INFOW, WSAEINVAL for a process id that
 * names no process (0 included).
 */
#include "provider/base/bsp.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* Yama's ptrace_scope (0 when Yama is absent or unreadable). */
static int yama_scope(void) {
  FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
  int v = 0;
  if (!f) return 0;
  if (fscanf(f, "%d", &v) != 1) v = 0;
  fclose(f);
  return v;
}

/* Lets process `pid` take descriptors from this one under Yama's scope 1
 * (see the top of the file). Best effort. */
static void allow_target(DWORD pid) {
  if ((pid_t)pid == getpid() || yama_scope() != 1) return;
  (void)prctl(PR_SET_PTRACER, (unsigned long)pid, 0UL, 0UL, 0UL);
}

int WSPAPI ws2__bsp_duplicatesocket(SOCKET h, DWORD pid,
                                    LPWSAPROTOCOL_INFOW info, LPINT err) {
  ws2__bsock_t *s = ws2__bsock_get(h);
  int fd, r = 0;
  if (!s) {
    *err = WSAENOTSOCK;
    return SOCKET_ERROR;
  }
  if (!info)
    r = WSAEFAULT;
  else if (pid == 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
    r = WSAEINVAL;
  else if ((fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0)) < 0)
    r = WSAEMFILE;
  else {
    ws2__bsp_protocol_info(s, info);
    info->dwServiceFlags4 = (DWORD)getpid();
    info->dwProviderReserved = (DWORD)fd;
    allow_target(pid);
  }
  ws2__bsock_unref(s);
  *err = r;
  return r ? SOCKET_ERROR : 0;
}

int ws2__bsp_socket_from_info(const WSAPROTOCOL_INFOW *info, int *fd_out) {
  int pidfd, fd, type;
  socklen_t len = sizeof(type);
  if (!info->dwServiceFlags4)
    return WSAEINVAL; /* not from WSADuplicateSocket */
  if ((pid_t)info->dwServiceFlags4 == getpid()) {
    /* Duplicated into this process: the descriptor is here already (no
     * pidfd needed, so this works where pidfd_getfd is refused). */
    fd = fcntl((int)info->dwProviderReserved, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return errno == EBADF ? WSAEINVAL : WSAEMFILE;
  } else {
    pidfd = (int)syscall(SYS_pidfd_open, (pid_t)info->dwServiceFlags4, 0);
    if (pidfd < 0) return errno == ESRCH ? WSAEINVAL : WSAEACCES;
    fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)info->dwProviderReserved, 0);
    close(pidfd);
    if (fd < 0) return errno == EBADF ? WSAEINVAL : WSAEACCES;
  }
  /* A description that was not WSADuplicateSocket's may name any
   * descriptor: only a socket will do. */
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    close(fd);
    return WSAEINVAL;
  }
  *fd_out = fd;
  return 0;
}
