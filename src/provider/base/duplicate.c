/*
 * duplicate.c: WSADuplicateSocket and WSASocket(FROM_PROTOCOL_INFO).
 *
 * WSADuplicateSocket keeps a duplicate of the Linux socket open in the
 * source process and writes into the WSAPROTOCOL_INFOW, besides the
 * socket's protocol entry, where to find it: dwServiceFlags4 = the source
 * process id and dwProviderReserved = the descriptor number (both fields
 * are the provider's to use; nothing else reads them). The target's
 * WSASocket takes the descriptor with pidfd_getfd(2) (Linux 5.6), which
 * needs the right to trace the source (the same user, without a Yama
 * ptrace restriction); otherwise it fails with WSAEACCES. The duplicate
 * stays open in the source until that process exits, which is what lets
 * the source close its own socket at once, as Windows allows.
 */
#include "provider/base/bsp.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

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
  }
  ws2__bsock_unref(s);
  *err = r;
  return r ? SOCKET_ERROR : 0;
}

int ws2__bsp_socket_from_info(const WSAPROTOCOL_INFOW *info, int *fd_out) {
  int pidfd, fd;
  if (!info->dwServiceFlags4) return WSAEINVAL; /* not from WSADuplicateSocket */
  pidfd = (int)syscall(SYS_pidfd_open, (pid_t)info->dwServiceFlags4, 0);
  if (pidfd < 0) return errno == ESRCH ? WSAEINVAL : WSAEACCES;
  fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)info->dwProviderReserved, 0);
  close(pidfd);
  if (fd < 0) return errno == EBADF ? WSAEINVAL : WSAEACCES;
  *fd_out = fd;
  return 0;
}
