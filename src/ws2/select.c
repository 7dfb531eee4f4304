/*
 * select.c: select, WSAPoll and __WSAFDIsSet.
 *
 * select goes to the provider of the first socket it names, through
 * WSPSelect, as on Windows. WSAPoll goes to the base provider, which owns
 * the underlying sockets of every chain (Windows reaches it through
 * SIO_BSP_HANDLE_POLL; issue 5 does the same once layers exist).
 */
#include "ws2/ws2.h"

#include "core/io.h"
#include "provider/base/bsp.h"
#include "ws2/provider.h"

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

int WSAAPI WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout) {
  int err = 0, r;
  if (!ws2__check_started()) return SOCKET_ERROR;
  r = ws2__bsp_poll(fdArray, fds, timeout, &err);
  if (r == SOCKET_ERROR) WSASetLastError(err);
  return r;
}
