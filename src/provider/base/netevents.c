/*
 * netevents.c: WSAEventSelect, WSAAsyncSelect and WSAEnumNetworkEvents.
 *
 * A socket with a selection records network events (FD_READ, FD_WRITE,
 * FD_OOB, FD_ACCEPT, FD_CONNECT, FD_CLOSE) when the engine reports it
 * ready and when a call re-enables an event, following Windows'
 * re-enabling rules: once recorded, an event is not recorded again until
 *   FD_READ    a receive (recv, recvfrom, WSARecv, WSARecvFrom),
 *   FD_OOB     a receive with MSG_OOB,
 *   FD_ACCEPT  accept or WSAAccept,
 *   FD_WRITE   a send that failed with WSAEWOULDBLOCK,
 * and FD_CONNECT and FD_CLOSE are recorded once; FD_ADDRESS_LIST_CHANGE
 * and FD_ROUTING_INTERFACE_CHANGE are recorded when the change the
 * matching ioctl asked about happens (ioctl.c), that ioctl re-enabling
 * them. A call that re-enables an
 * event whose condition still holds records it again at once (data left
 * after a partial recv, another pending connection after accept).
 *
 * WSAEventSelect sets the event object for each recording;
 * WSAEnumNetworkEvents returns and clears the record. WSAAsyncSelect posts
 * one message per event, wParam the socket, lParam
 * WSAMAKESELECTREPLY(event, error).
 */
#include <winsock2.h>

#include "core/error.h"
#include "core/sync.h"
#include "core/window.h"
#include "provider/base/bsp.h"
#include "provider/base/engine.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#define READ_SIDE (FD_READ | FD_OOB | FD_ACCEPT | FD_CLOSE)
#define WRITE_SIDE (FD_WRITE | FD_CONNECT)

/* Notifications decided under the lock, delivered after it. */
typedef struct notify {
  HANDLE event;
  HWND hwnd;
  UINT msg;
  int n;
  LONG ev[FD_MAX_EVENTS];
  int err[FD_MAX_EVENTS];
} notify_t;

static int bit_of(LONG ev) { return __builtin_ctz((unsigned)ev); }

/* Records one event if selected and enabled; s->lock held. */
static void record(ws2__bsock_t *s, LONG ev, int err, notify_t *nt) {
  if (!(s->ev_mask & ev) || !(s->ev_enabled & ev)) return;
  s->ev_enabled &= ~ev;
  s->ev_pending |= ev;
  s->ev_errors[bit_of(ev)] = err;
  if (nt->n < FD_MAX_EVENTS) {
    nt->ev[nt->n] = ev;
    nt->err[nt->n] = err;
    nt->n++;
  }
}

/* Looks at the socket's state and records what holds; s->lock held. */
static void check_locked(ws2__bsock_t *s, uint32_t events, notify_t *nt) {
  uint32_t f = s->flags;
  if ((events & WS2__EV_READ) && (s->ev_mask & READ_SIDE)) {
    if (f & WS2__BS_LISTENING) {
      struct pollfd p = {s->fd, POLLIN, 0};
      if (poll(&p, 1, 0) == 1) record(s, FD_ACCEPT, 0, nt);
    } else if (f & WS2__BS_CONNECTED) {
      char c;
      ssize_t n = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n > 0)
        record(s, FD_READ, 0, nt);
      else if (n == 0)
        record(s, FD_CLOSE, 0, nt);
      else if (errno != EAGAIN && errno != EWOULDBLOCK)
        record(s, FD_CLOSE, ws2__errno_to_wsa(errno), nt);
      if (!(f & WS2__BS_OOBINLINE) &&
          recv(s->fd, &c, 1, MSG_PEEK | MSG_OOB | MSG_DONTWAIT) > 0)
        record(s, FD_OOB, 0, nt);
    }
  }
  if ((events & WS2__EV_WRITE) && (s->ev_mask & WRITE_SIDE)) {
    if (f & WS2__BS_CONNECTING) {
      int soerr = 0;
      socklen_t len = sizeof(soerr);
      struct pollfd p = {s->fd, POLLOUT, 0};
      if (poll(&p, 1, 0) == 1) {
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        s->flags &= ~(uint32_t)WS2__BS_CONNECTING;
        if (!soerr) {
          s->flags |= WS2__BS_CONNECTED;
          s->connect_tick = GetTickCount64();
        }
        record(s, FD_CONNECT, soerr ? ws2__errno_to_wsa(soerr) : 0, nt);
        if (!soerr) record(s, FD_WRITE, 0, nt);
      }
    } else if (f & WS2__BS_CONNECTED) {
      struct pollfd p = {s->fd, POLLOUT, 0};
      if (poll(&p, 1, 0) == 1) record(s, FD_WRITE, 0, nt);
    }
  }
  /* io_uring polls once: ask again for what may still be recorded. */
  {
    uint32_t want = 0;
    LONG open = s->ev_mask & s->ev_enabled;
    if (open & (FD_READ | FD_OOB | FD_ACCEPT)) want |= WS2__EV_READ;
    /* FD_CLOSE alone waits while unread data is there (FD_READ recorded,
     * not yet re-enabled): the receive that re-enables FD_READ finds it. */
    if ((open & FD_CLOSE) && !(s->ev_pending & FD_READ)) want |= WS2__EV_READ;
    if (open & WRITE_SIDE) want |= WS2__EV_WRITE;
    if (want) s->engine->ops->arm(s->engine, s, want);
  }
  nt->event = s->ev_event;
  nt->hwnd = s->ev_hwnd;
  nt->msg = s->ev_msg;
}

/* One WSAAsyncSelect message per recorded event: wParam the socket. */
static void deliver_async(SOCKET h, notify_t *nt) {
  int i;
  for (i = 0; i < nt->n; i++)
    ws2__window_post(nt->hwnd, nt->msg, (WPARAM)h,
                     (LPARAM)WSAMAKESELECTREPLY(nt->ev[i], nt->err[i]));
}

void ws2__bsp_netevents(ws2__bsock_t *s, uint32_t events) {
  notify_t nt;
  memset(&nt, 0, sizeof(nt));
  pthread_mutex_lock(&s->lock);
  if (s->ev_mask && !(s->flags & WS2__BS_CLOSING)) check_locked(s, events, &nt);
  pthread_mutex_unlock(&s->lock);
  if (nt.n == 0) return;
  if (nt.event) ws2__event_set_handle(nt.event);
  if (nt.hwnd) deliver_async(s->handle, &nt);
}

void ws2__bsp_netevent_record(ws2__bsock_t *s, LONG ev) {
  notify_t nt;
  memset(&nt, 0, sizeof(nt));
  pthread_mutex_lock(&s->lock);
  if (s->ev_mask && !(s->flags & WS2__BS_CLOSING)) {
    s->ev_enabled |= ev; /* re-enabled by the ioctl that asked for it */
    record(s, ev, 0, &nt);
    nt.event = s->ev_event;
    nt.hwnd = s->ev_hwnd;
    nt.msg = s->ev_msg;
  }
  pthread_mutex_unlock(&s->lock);
  if (nt.n == 0) return;
  if (nt.event) ws2__event_set_handle(nt.event);
  if (nt.hwnd) deliver_async(s->handle, &nt);
}

void ws2__bsp_reenable(ws2__bsock_t *s, LONG ev) {
  int selected;
  pthread_mutex_lock(&s->lock);
  selected = s->ev_mask != 0;
  s->ev_enabled |= ev & (FD_READ | FD_OOB | FD_ACCEPT | FD_WRITE);
  pthread_mutex_unlock(&s->lock);
  if (selected)
    ws2__bsp_netevents(s, (ev & FD_WRITE) ? WS2__EV_WRITE : WS2__EV_READ);
}

/* Sets a selection: 0 or a WSA error. */
static int select_events(ws2__bsock_t *s, HANDLE event, HWND hwnd, UINT msg,
                         LONG mask) {
  if (mask & ~(LONG)FD_ALL_EVENTS) return WSAEINVAL;
  pthread_mutex_lock(&s->lock);
  s->ev_event = event;
  s->ev_hwnd = hwnd;
  s->ev_msg = msg;
  s->ev_mask = mask;
  s->ev_enabled = FD_ALL_EVENTS;
  s->ev_pending = 0;
  memset(s->ev_errors, 0, sizeof(s->ev_errors));
  /* Both kinds of selection make the socket non-blocking. */
  s->flags |= WS2__BS_NONBLOCKING;
  pthread_mutex_unlock(&s->lock);
  /* What already holds is recorded at once (data waiting, a connected
   * socket that can send, a pending connection). */
  ws2__bsp_netevents(s, WS2__EV_READ | WS2__EV_WRITE);
  return 0;
}

int WSPAPI ws2__bsp_eventselect(SOCKET h, WSAEVENT ev, LONG mask, LPINT err) {
  ws2__bsock_t *s = ws2__bsock_get(h);
  ws2__obj_t *e;
  int r;
  if (!s) {
    *err = WSAENOTSOCK;
    return SOCKET_ERROR;
  }
  e = mask ? ws2__handle_get(ev, &ws2__event_type) : NULL;
  if (mask && !e) {
    r = WSAEINVAL;
  } else {
    r = select_events(s, mask ? ev : NULL, NULL, 0, mask);
  }
  if (e) ws2__obj_unref(e);
  ws2__bsock_unref(s);
  *err = r;
  return r ? SOCKET_ERROR : 0;
}

int WSPAPI ws2__bsp_asyncselect(SOCKET h, HWND hwnd, unsigned int msg,
                                LONG mask, LPINT err) {
  ws2__bsock_t *s = ws2__bsock_get(h);
  int r;
  if (!s) {
    *err = WSAENOTSOCK;
    return SOCKET_ERROR;
  }
  r = (mask && !ws2__window_valid(hwnd))
          ? WSAEINVAL
          : select_events(s, NULL, mask ? hwnd : NULL, msg, mask);
  ws2__bsock_unref(s);
  *err = r;
  return r ? SOCKET_ERROR : 0;
}

int WSPAPI ws2__bsp_enumnetworkevents(SOCKET h, WSAEVENT ev,
                                      LPWSANETWORKEVENTS ne, LPINT err) {
  ws2__bsock_t *s = ws2__bsock_get(h);
  int i;
  if (!s) {
    *err = WSAENOTSOCK;
    return SOCKET_ERROR;
  }
  if (!ne) {
    ws2__bsock_unref(s);
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  pthread_mutex_lock(&s->lock);
  ne->lNetworkEvents = s->ev_pending;
  for (i = 0; i < FD_MAX_EVENTS; i++)
    ne->iErrorCode[i] = (s->ev_pending & (1 << i)) ? s->ev_errors[i] : 0;
  s->ev_pending = 0;
  /* Reset the event in the same step, so a recording after this call
   * sets it again and is not lost. */
  if (ev) {
    ws2__obj_t *e = ws2__handle_get(ev, &ws2__event_type);
    if (e) {
      ws2__sync_reset(e->sync);
      ws2__obj_unref(e);
    }
  }
  pthread_mutex_unlock(&s->lock);
  ws2__bsock_unref(s);
  *err = 0;
  return 0;
}
