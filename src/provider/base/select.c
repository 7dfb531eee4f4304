/*
 * select.c: select (WSPSelect) and WSAPoll over the base provider's
 * sockets, with Windows' readiness rules, waiting in poll(2) in the
 * calling thread:
 *  - readable: data, a pending connection on a listener, or a closed or
 *    reset connection (recv then says which);
 *  - writable: a connected socket with room, including a non-blocking
 *    connect that has just succeeded;
 *  - exceptional: out-of-band data (without SO_OOBINLINE), or a
 *    non-blocking connect that failed (it is then not writable).
 */
#include <winsock2.h>

#include "core/alloc.h"
#include "core/error.h"
#include "provider/base/bsp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>

/* One socket of a select() call, and which sets named it. */
typedef struct sel {
  ws2__bsock_t *s;
  SOCKET h;
  int in_r, in_w, in_x;
} sel_t;

static int timeout_ms(const struct WS_timeval *tv, int *ms) {
  long long t;
  if (!tv) {
    *ms = -1;
    return 0;
  }
  if (tv->tv_sec < 0 || tv->tv_usec < 0) return WSAEINVAL;
  t = (long long)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
  *ms = t > INT_MAX ? INT_MAX : (int)t;
  return 0;
}

/* Adds the sockets of one set to the table (merging repeats). */
static int collect(WS_fd_set *set, int which, sel_t *tab, int *n) {
  WS_u_int i;
  int j;
  if (!set) return 0;
  for (i = 0; i < set->fd_count; i++) {
    SOCKET h = set->fd_array[i];
    for (j = 0; j < *n && tab[j].h != h; j++) {
    }
    if (j == *n) {
      ws2__bsock_t *s = ws2__bsock_get(h);
      if (!s) return WSAENOTSOCK;
      memset(&tab[j], 0, sizeof(tab[j]));
      tab[j].s = s;
      tab[j].h = h;
      (*n)++;
    }
    if (which == 0) tab[j].in_r = 1;
    if (which == 1) tab[j].in_w = 1;
    if (which == 2) tab[j].in_x = 1;
  }
  return 0;
}

/* Keeps in set only the sockets whose flag `ready` says so. */
static int keep(WS_fd_set *set, sel_t *tab, int n, int which,
                const short *rev) {
  WS_u_int i, k = 0;
  int j, count = 0;
  if (!set) return 0;
  for (i = 0; i < set->fd_count; i++) {
    for (j = 0; j < n && tab[j].h != set->fd_array[i]; j++) {
    }
    if (rev[j] & (1 << which)) {
      set->fd_array[k++] = set->fd_array[i];
      count++;
    }
  }
  set->fd_count = k;
  return count;
}

int WSPAPI ws2__bsp_select(int nfds, WS_fd_set *readfds, WS_fd_set *writefds,
                           WS_fd_set *exceptfds,
                           const struct WS_timeval *timeout, LPINT err) {
  size_t total = (readfds ? readfds->fd_count : 0) +
                 (writefds ? writefds->fd_count : 0) +
                 (exceptfds ? exceptfds->fd_count : 0);
  sel_t *tab = NULL;
  struct pollfd *pfd = NULL;
  short *ready = NULL;
  int n = 0, j, r = 0, ms, count = 0;

  if (total == 0) {
    *err = WSAEINVAL; /* nothing to wait for, as Windows says */
    return SOCKET_ERROR;
  }
  if ((r = timeout_ms(timeout, &ms)) != 0) goto out;
  tab = ws2__calloc(total, sizeof(*tab));
  pfd = ws2__calloc(total, sizeof(*pfd));
  ready = ws2__calloc(total, sizeof(*ready));
  if (!tab || !pfd || !ready) {
    r = WSAENOBUFS;
    goto out;
  }
  if ((r = collect(readfds, 0, tab, &n)) ||
      (r = collect(writefds, 1, tab, &n)) ||
      (r = collect(exceptfds, 2, tab, &n)))
    goto out;
  for (j = 0; j < n; j++) {
    pfd[j].fd = tab[j].s->fd;
    pfd[j].events =
        (short)((tab[j].in_r ? POLLIN | POLLRDHUP : 0) |
                (tab[j].in_w ? POLLOUT : 0) | (tab[j].in_x ? POLLPRI : 0));
  }
  for (;;) {
    int k = poll(pfd, (nfds_t)n, ms);
    if (k >= 0) break;
    if (errno != EINTR) {
      r = WSAENETDOWN;
      goto out;
    }
  }
  for (j = 0; j < n; j++) {
    ws2__bsock_t *s = tab[j].s;
    short re = pfd[j].revents;
    int connecting = (s->flags & WS2__BS_CONNECTING) != 0;
    int failed = connecting && (re & (POLLERR | POLLHUP));
    if (tab[j].in_r && (re & (POLLIN | POLLHUP | POLLERR | POLLRDHUP)) &&
        !connecting)
      ready[j] |= 1;
    if (tab[j].in_w && (re & POLLOUT) && !failed) {
      ready[j] |= 2;
      if (connecting) {
        s->flags &= ~(uint32_t)WS2__BS_CONNECTING;
        s->flags |= WS2__BS_CONNECTED;
        s->connect_tick = GetTickCount64();
      }
    }
    if (tab[j].in_x &&
        (((re & POLLPRI) && !(s->flags & WS2__BS_OOBINLINE)) || failed))
      ready[j] |= 4;
    if (ready[j] & 3) ws2__bsock_hint_ready(s, ready[j] & 1, ready[j] & 2);
  }
  count = keep(readfds, tab, n, 0, ready) + keep(writefds, tab, n, 1, ready) +
          keep(exceptfds, tab, n, 2, ready);
out:
  for (j = 0; j < n; j++) ws2__bsock_unref(tab[j].s);
  ws2__free(tab);
  ws2__free(pfd);
  ws2__free(ready);
  if (r) {
    *err = r;
    return SOCKET_ERROR;
  }
  return count;
}

/* WSAPoll's event bits: Windows values (winsock2.h) to poll(2)'s. */
#define WIN_IN_EVENTS \
  (WS_POLLRDNORM | WS_POLLRDBAND | WS_POLLPRI | WS_POLLWRNORM | WS_POLLWRBAND)

int ws2__bsp_poll(LPWSAPOLLFD fds, ULONG nfds, INT timeout, LPINT err) {
  struct pollfd *pfd;
  ws2__bsock_t **socks;
  ULONG i;
  int count = 0, valid = 0;

  if (!fds) {
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  if (nfds == 0) {
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  for (i = 0; i < nfds; i++)
    if (fds[i].events & ~WIN_IN_EVENTS) {
      *err = WSAEINVAL;
      return SOCKET_ERROR;
    }
  pfd = ws2__calloc(nfds, sizeof(*pfd));
  socks = ws2__calloc(nfds, sizeof(*socks));
  if (!pfd || !socks) {
    ws2__free(pfd);
    ws2__free(socks);
    *err = WSAENOBUFS;
    return SOCKET_ERROR;
  }
  for (i = 0; i < nfds; i++) {
    short ev = fds[i].events;
    fds[i].revents = 0;
    pfd[i].fd = -1;                       /* poll(2) skips it */
    if ((INT_PTR)fds[i].fd < 0) continue; /* "ignored if negative" */
    if (!(socks[i] = ws2__bsock_get(fds[i].fd))) continue; /* POLLNVAL */
    valid++;
    pfd[i].fd = socks[i]->fd;
    pfd[i].events =
        (short)(((ev & WS_POLLRDNORM) ? POLLIN : 0) |
                ((ev & (WS_POLLRDBAND | WS_POLLPRI)) ? POLLPRI : 0) |
                ((ev & (WS_POLLWRNORM | WS_POLLWRBAND)) ? POLLOUT : 0) |
                POLLRDHUP);
  }
  if (!valid) {
    /* "The array must contain at least one structure with a valid
     * socket." */
    ws2__free(pfd);
    ws2__free(socks);
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  for (;;) {
    if (poll(pfd, nfds, timeout < 0 ? -1 : timeout) >= 0) break;
    if (errno != EINTR) break;
  }
  for (i = 0; i < nfds; i++) {
    short re = pfd[i].revents, out = 0, ev = fds[i].events;
    if ((INT_PTR)fds[i].fd < 0) {
      out = 0; /* ignored */
    } else if (!socks[i]) {
      out = WS_POLLNVAL;
    } else {
      if ((re & POLLIN) && (ev & WS_POLLRDNORM)) out |= WS_POLLRDNORM;
      if ((re & POLLPRI) && (ev & WS_POLLRDBAND)) out |= WS_POLLRDBAND;
      if ((re & POLLPRI) && (ev & WS_POLLPRI)) out |= WS_POLLPRI;
      if ((re & POLLOUT) && (ev & WS_POLLWRNORM)) out |= WS_POLLWRNORM;
      if ((re & POLLOUT) && (ev & WS_POLLWRBAND)) out |= WS_POLLWRBAND;
      /* Errors and hang-ups are reported whether asked for or not. */
      if (re & POLLERR) out |= WS_POLLERR;
      if (re & (POLLHUP | POLLRDHUP)) out |= WS_POLLHUP;
      if (re & (POLLIN | POLLOUT))
        ws2__bsock_hint_ready(socks[i], (re & POLLIN) != 0,
                              (re & POLLOUT) != 0);
      ws2__bsock_unref(socks[i]);
    }
    fds[i].revents = out;
    if (out) count++;
  }
  ws2__free(pfd);
  ws2__free(socks);
  return count;
}
