/*
 * select.c: select, WSAPoll and __WSAFDIsSet.
 *
 * select goes to the provider of the first socket it names, through
 * WSPSelect, as on Windows. WSAPoll goes to the base provider, which owns
 * the underlying sockets of every chain: a non-IFS layer's handle is
 * first taken down its chain with SIO_BSP_HANDLE_POLL, as Windows does.
 */
#include "ws2/ws2.h"

#include "core/io.h"
#include "provider/base/bsp.h"
#include "ws2/provider.h"

#include <mswsock.h>
#include <stdint.h>
#include <stdlib.h>

int WSAAPI __WSAFDIsSet(SOCKET fd, WS_fd_set *set) {
  WS_u_int i;
  if (!set) return 0;
  for (i = 0; i < set->fd_count; i++)
    if (set->fd_array[i] == fd) return 1;
  return 0;
}

static SOCKET first_socket(WS_fd_set *r, WS_fd_set *w, WS_fd_set *x) {
  if (r && r->fd_count) return r->fd_array[0];
  if (w && w->fd_count) return w->fd_array[0];
  if (x && x->fd_count) return x->fd_array[0];
  return INVALID_SOCKET;
}

int WSAAPI WS_select(int nfds, WS_fd_set *readfds, WS_fd_set *writefds,
                     WS_fd_set *exceptfds, const struct WS_timeval *timeout) {
  SOCKET first;
  ws2__provider_t *p = NULL;
  ws2__io_t *io;
  int err = 0, r;

  if (!ws2__check_started()) return SOCKET_ERROR;
  first = first_socket(readfds, writefds, exceptfds);
  if (first == INVALID_SOCKET) {
    WSASetLastError(WSAEINVAL);
    return SOCKET_ERROR;
  }
  if ((io = ws2__io_get((HANDLE)first)) != NULL) {
    p = io->context;
    ws2__obj_unref(&io->obj);
  }
  if (!p) {
    WSASetLastError(WSAENOTSOCK);
    return SOCKET_ERROR;
  }
  r = p->procs.lpWSPSelect(nfds, readfds, writefds, exceptfds, timeout, &err);
  if (r == SOCKET_ERROR) WSASetLastError(err);
  return r;
}

/* The socket WSAPoll waits on for s: s itself when its handle is IFS (the
 * base provider's), else what each non-IFS layer down the chain answers
 * to SIO_BSP_HANDLE_POLL; INVALID_SOCKET (reported as POLLNVAL) when one
 * does not answer. */
static SOCKET poll_handle(SOCKET s) {
  int depth;
  for (depth = 0; depth < MAX_PROTOCOL_CHAIN; depth++) {
    ws2__provider_t *p;
    SOCKET lower = INVALID_SOCKET;
    DWORD ret = 0;
    int err = 0;
    if (!((uintptr_t)ws2__handle_tag((HANDLE)s) & 1)) return s; /* IFS */
    p = (ws2__provider_t *)((uintptr_t)ws2__handle_tag((HANDLE)s) &
                            ~(uintptr_t)1);
    if (p->procs.lpWSPIoctl(s, SIO_BSP_HANDLE_POLL, NULL, 0, &lower,
                            sizeof(lower), &ret, NULL, NULL, NULL, &err) != 0)
      return INVALID_SOCKET;
    if (lower == s) return s; /* the layer polls its own handle */
    s = lower;
  }
  return INVALID_SOCKET;
}

int WSAAPI WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout) {
  WSAPOLLFD *down = NULL;
  ULONG i;
  int err = 0, r;
  if (!ws2__check_started()) return SOCKET_ERROR;
  for (i = 0; fdArray && i < fds; i++)
    if ((uintptr_t)ws2__handle_tag((HANDLE)fdArray[i].fd) & 1) break;
  if (fdArray && i < fds) {
    /* Some handles are non-IFS layers': poll a copy naming the sockets
     * under them, and give the results back in the caller's array. */
    if (!(down = malloc(sizeof(*down) * fds))) {
      WSASetLastError(WSAENOBUFS);
      return SOCKET_ERROR;
    }
    for (i = 0; i < fds; i++) {
      down[i] = fdArray[i];
      down[i].fd = poll_handle(fdArray[i].fd);
    }
    r = ws2__bsp_poll(down, fds, timeout, &err);
    for (i = 0; i < fds; i++) fdArray[i].revents = down[i].revents;
    free(down);
  } else {
    r = ws2__bsp_poll(fdArray, fds, timeout, &err);
  }
  if (r == SOCKET_ERROR) WSASetLastError(err);
  return r;
}
