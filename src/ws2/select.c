/*
 * select.c: select, WSAPoll and __WSAFDIsSet.
 *
 * select and WSAPoll go to the base provider, which owns the sockets
 * under every chain: a non-IFS layer's handle is first taken down its
 * chain with SIO_BSP_HANDLE_SELECT / SIO_BSP_HANDLE_POLL, as Windows
 * does since Vista. A layer that answers with its own handle handles the
 * call itself: select goes to its WSPSelect, WSAPoll to its WSPIoctl
 * with SIO_EXT_POLL.
 */
#include "ws2/ws2.h"

#include "core/io.h"
#include "provider/base/bsp.h"
#include "ws2/provider.h"

#include <mswsock.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int WSAAPI __WSAFDIsSet(SOCKET fd, WS_fd_set *set) {
  WS_u_int i;
  if (!set) return 0;
  for (i = 0; i < set->fd_count; i++)
    if (set->fd_array[i] == fd) return 1;
  return 0;
}

/*
 * The socket select or WSAPoll waits on for s (code: SIO_BSP_HANDLE_SELECT
 * or SIO_BSP_HANDLE_POLL): s itself when its handle is IFS (the base
 * provider's), else what each non-IFS layer down the chain answers. A
 * layer that answers with its own handle wants the call itself:
 * *intercepts (may be NULL) is then set. INVALID_SOCKET when a layer does
 * not answer.
 */
static SOCKET bsp_handle(SOCKET s, DWORD code, int *intercepts) {
  int depth;
  for (depth = 0; depth < MAX_PROTOCOL_CHAIN; depth++) {
    ws2__provider_t *p;
    SOCKET lower = INVALID_SOCKET;
    DWORD ret = 0;
    int err = 0;
    if (!ws2__non_ifs(s)) return s; /* IFS: the base provider's */
    if (!(p = ws2__provider_of(s))) return INVALID_SOCKET;
    if (p->procs.lpWSPIoctl(s, code, NULL, 0, &lower, sizeof(lower), &ret, NULL,
                            NULL, NULL, &err) != 0)
      return INVALID_SOCKET;
    if (lower == s) {
      if (intercepts) *intercepts = 1;
      return s;
    }
    s = lower;
  }
  return INVALID_SOCKET;
}

static int any_non_ifs(const WS_fd_set *set) {
  WS_u_int i;
  for (i = 0; set && i < set->fd_count; i++)
    if (ws2__non_ifs(set->fd_array[i])) return 1;
  return 0;
}

static size_t set_size(WS_u_int n) {
  return offsetof(WS_fd_set, fd_array) + (size_t)n * sizeof(SOCKET);
}

/* A copy of set with each socket replaced by the one select waits on;
 * *intercept gets the first socket whose layer selects itself. NULL with
 * *err on failure; set NULL gives NULL with *err 0. */
static WS_fd_set *translate(const WS_fd_set *set, SOCKET *intercept, int *err) {
  WS_fd_set *t;
  WS_u_int i;
  *err = 0;
  if (!set) return NULL;
  if (!(t = malloc(set_size(set->fd_count ? set->fd_count : 1)))) {
    *err = WSAENOBUFS;
    return NULL;
  }
  t->fd_count = set->fd_count;
  for (i = 0; i < set->fd_count; i++) {
    int icpt = 0;
    t->fd_array[i] = bsp_handle(set->fd_array[i], SIO_BSP_HANDLE_SELECT, &icpt);
    if (t->fd_array[i] == INVALID_SOCKET) {
      free(t);
      *err = WSAENOTSOCK;
      return NULL;
    }
    if (icpt && *intercept == INVALID_SOCKET) *intercept = set->fd_array[i];
  }
  return t;
}

/* Keeps in set the sockets whose translation is still in done. */
static void keep_ready(WS_fd_set *set, const WS_fd_set *t,
                       const WS_fd_set *done) {
  WS_u_int i, k = 0, j;
  if (!set) return;
  for (i = 0; i < set->fd_count; i++) {
    for (j = 0; j < done->fd_count && done->fd_array[j] != t->fd_array[i];
         j++) {
    }
    if (j < done->fd_count) set->fd_array[k++] = set->fd_array[i];
  }
  set->fd_count = k;
}

/*
 * select, as Windows since Vista does it: every socket is taken down its
 * chain with SIO_BSP_HANDLE_SELECT to the base provider's socket, and the
 * base provider waits on them all, whatever chains they come from (a set
 * may mix sockets of several chains). A non-IFS layer that answers with
 * its own handle selects itself: the call goes to its WSPSelect, with the
 * sets as the application gave them.
 */
int WSAAPI WS_select(int nfds, WS_fd_set *readfds, WS_fd_set *writefds,
                     WS_fd_set *exceptfds, const struct WS_timeval *timeout) {
  WS_fd_set *t[3] = {NULL, NULL, NULL}, *sets[3];
  SOCKET intercept = INVALID_SOCKET;
  int err = 0, r = SOCKET_ERROR, k;

  if (!ws2__check_started()) return SOCKET_ERROR;
  if (!any_non_ifs(readfds) && !any_non_ifs(writefds) &&
      !any_non_ifs(exceptfds)) {
    /* Every socket is the base provider's own: no translation. */
    r = ws2__bsp_select(nfds, readfds, writefds, exceptfds, timeout, &err);
    if (r == SOCKET_ERROR) WSASetLastError(err);
    return r;
  }
  sets[0] = readfds;
  sets[1] = writefds;
  sets[2] = exceptfds;
  for (k = 0; k < 3; k++)
    if (!(t[k] = translate(sets[k], &intercept, &err)) && err) goto out;
  if (intercept != INVALID_SOCKET) {
    ws2__provider_t *p = ws2__provider_of(intercept);
    if (!p) {
      err = WSAENOTSOCK;
      goto out;
    }
    r = p->procs.lpWSPSelect(nfds, readfds, writefds, exceptfds, timeout, &err);
    goto out;
  }
  {
    /* The base provider keeps what is ready in the translated sets; the
     * application's sets keep the sockets they stand for. */
    WS_fd_set *done[3] = {NULL, NULL, NULL};
    for (k = 0; k < 3; k++)
      if (t[k]) {
        if (!(done[k] =
                  malloc(set_size(t[k]->fd_count ? t[k]->fd_count : 1)))) {
          err = WSAENOBUFS;
          break;
        }
        memcpy(done[k], t[k], set_size(t[k]->fd_count));
      }
    if (k == 3) {
      r = ws2__bsp_select(nfds, done[0], done[1], done[2], timeout, &err);
      if (r != SOCKET_ERROR)
        for (k = 0; k < 3; k++)
          if (t[k]) keep_ready(sets[k], t[k], done[k]);
    }
    for (k = 0; k < 3; k++) free(done[k]);
  }
out:
  for (k = 0; k < 3; k++) free(t[k]);
  if (r == SOCKET_ERROR) WSASetLastError(err);
  return r;
}

/* WSAPoll through a layer that polls its own handles: the whole array
 * goes to it in a WSAPOLLDATA with SIO_EXT_POLL (it takes its sockets
 * down and passes the call on, to the base provider in the end). */
static int ext_poll(SOCKET owner, LPWSAPOLLFD down, LPWSAPOLLFD fdArray,
                    ULONG fds, INT timeout) {
  size_t len = sizeof(WSAPOLLDATA) + (size_t)fds * sizeof(WSAPOLLFD);
  WSAPOLLDATA *d = malloc(len);
  ws2__provider_t *p = ws2__provider_of(owner);
  DWORD ret = 0;
  int err = 0, r = SOCKET_ERROR;
  ULONG i;
  if (!d || !p) {
    free(d);
    WSASetLastError(d ? WSAENOTSOCK : WSAENOBUFS);
    return SOCKET_ERROR;
  }
  d->result = 0;
  d->fds = fds;
  d->timeout = timeout;
  memcpy(d->fdArray, down, (size_t)fds * sizeof(WSAPOLLFD));
  if (p->procs.lpWSPIoctl(owner, SIO_EXT_POLL, d, (DWORD)len, d, (DWORD)len,
                          &ret, NULL, NULL, NULL, &err) == 0) {
    r = d->result;
    for (i = 0; i < fds; i++) fdArray[i].revents = d->fdArray[i].revents;
  } else {
    WSASetLastError(err);
  }
  free(d);
  return r;
}

int WSAAPI WSAPoll(LPWSAPOLLFD fdArray, ULONG fds, INT timeout) {
  WSAPOLLFD *down = NULL;
  SOCKET owner = INVALID_SOCKET;
  ULONG i;
  int err = 0, r;
  if (!ws2__check_started()) return SOCKET_ERROR;
  for (i = 0; fdArray && i < fds; i++)
    if (ws2__non_ifs(fdArray[i].fd)) break;
  if (!fdArray || i == fds) {
    r = ws2__bsp_poll(fdArray, fds, timeout, &err);
    if (r == SOCKET_ERROR) WSASetLastError(err);
    return r;
  }
  /* Some handles are non-IFS layers': poll a copy naming the sockets
   * under them, and give the results back in the caller's array. One
   * whose layer does not say stays as it is: not the base provider's,
   * it is POLLNVAL. */
  if (!(down = malloc(sizeof(*down) * fds))) {
    WSASetLastError(WSAENOBUFS);
    return SOCKET_ERROR;
  }
  for (i = 0; i < fds; i++) {
    int icpt = 0;
    down[i] = fdArray[i];
    if ((INT_PTR)fdArray[i].fd < 0) continue; /* ignored, as it is */
    down[i].fd = bsp_handle(fdArray[i].fd, SIO_BSP_HANDLE_POLL, &icpt);
    if (down[i].fd == INVALID_SOCKET) down[i].fd = fdArray[i].fd;
    if (icpt && owner == INVALID_SOCKET) owner = fdArray[i].fd;
  }
  if (owner != INVALID_SOCKET) {
    r = ext_poll(owner, down, fdArray, fds, timeout);
  } else {
    r = ws2__bsp_poll(down, fds, timeout, &err);
    for (i = 0; i < fds; i++) fdArray[i].revents = down[i].revents;
    if (r == SOCKET_ERROR) WSASetLastError(err);
  }
  free(down);
  return r;
}
