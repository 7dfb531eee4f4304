/*
 * extension.c: the Microsoft extension functions the base provider hands
 * out through SIO_GET_EXTENSION_FUNCTION_POINTER: AcceptEx,
 * GetAcceptExSockaddrs, ConnectEx, DisconnectEx.
 *
 * Applications call these directly (not through ws2), so they report
 * errors through the thread's last error, and return TRUE when done at
 * once or FALSE with ERROR_IO_PENDING when the request went pending.
 *
 * AcceptEx's output buffer holds the first data, then the local and the
 * remote address, each in a slot of dwLocalAddressLength /
 * dwRemoteAddressLength bytes (at least the address size + 16, as on
 * Windows). ws2 stores a slot as the Windows sockaddr at its start and the
 * address length in its last four bytes; GetAcceptExSockaddrs reads them
 * back. Applications use only GetAcceptExSockaddrs, as documented.
 */
#include <mswsock.h>

#include "core/alloc.h"
#include "core/error.h"
#include "provider/base/engine.h"
#include "provider/base/ops.h"
#include "xlate/addr.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const GUID id_acceptex = WSAID_ACCEPTEX;
static const GUID id_getacceptexsockaddrs = WSAID_GETACCEPTEXSOCKADDRS;
static const GUID id_connectex = WSAID_CONNECTEX;
static const GUID id_disconnectex = WSAID_DISCONNECTEX;

static int addr_room(int af) { return (af == WS_AF_INET6 ? 28 : 16) + 16; }

/* Stores a Linux address in an AcceptEx slot of `room` bytes. */
static void slot_put(char *slot, DWORD room, const struct sockaddr *sa,
                     socklen_t salen) {
  int len = (int)room - 4;
  memset(slot, 0, room);
  if (ws2__addr_from_linux(sa, salen, (struct WS_sockaddr *)slot, &len) != 0)
    len = 0;
  memcpy(slot + room - 4, &len, 4);
}

/* Gives the accept socket the accepted connection: the connection's
 * descriptor takes the place of the accept socket's unconnected one, so
 * the SOCKET value the application holds now names the connection. */
static int adopt(ws2__bsock_t *acc, int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
      dup3(fd, acc->fd, O_CLOEXEC) < 0) {
    int err = errno;
    close(fd);
    return err;
  }
  close(fd);
  if (acc->engine->ops->fd_changed(acc->engine, acc) != 0) return ENOMEM;
  acc->flags |= WS2__BS_BOUND | WS2__BS_CONNECTED;
  acc->connect_tick = GetTickCount64();
  acc->rd_ready = acc->wr_ready = 1; /* a new socket: nothing known */
  acc->rd_marks = 0;
  return 0;
}

/* AcceptEx, second half: the connection's first data. */
static int attempt_first_data(ws2__bop_t *op) {
  ssize_t n = recv(op->x->other->fd, op->x->outbuf, op->x->recvlen, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno == EINTR) return 0;
    op->status = ws2__errno_to_ntstatus(errno);
    return 1;
  }
  op->bytes = (uint32_t)n;
  return 1;
}

/* AcceptEx, first half: a connection from the listener's queue. */
static int attempt_accept(ws2__bop_t *op) {
  struct sockaddr_storage peer, local;
  socklen_t peerlen = sizeof(peer), locallen = sizeof(local);
  int fd, err;
  ws2__bsock_t *acc = op->x->other;

  fd = accept4(ws2__bop_sock(op)->fd, (struct sockaddr *)&peer, &peerlen,
               SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
        errno == ECONNABORTED)
      return 0;
    op->status = ws2__errno_to_ntstatus(errno);
    return 1;
  }
  pthread_mutex_lock(&acc->lock);
  err = (acc->flags & WS2__BS_CLOSING) ? ECANCELED : adopt(acc, fd);
  pthread_mutex_unlock(&acc->lock);
  if (err) {
    if (err == ECANCELED) close(fd);
    op->status = ws2__errno_to_ntstatus(err);
    return 1;
  }
  getsockname(acc->fd, (struct sockaddr *)&local, &locallen);
  slot_put(op->x->outbuf + op->x->recvlen, op->x->locallen,
           (struct sockaddr *)&local, locallen);
  slot_put(op->x->outbuf + op->x->recvlen + op->x->locallen, op->x->remotelen,
           (struct sockaddr *)&peer, peerlen);
  if (op->x->recvlen == 0) return 1;
  /* Wait for the first data on the new connection, not on the listener,
   * whose queue must keep serving the other AcceptEx requests. */
  op->x->attempt = attempt_first_data;
  if (attempt_first_data(op)) return 1;
  ws2__bop_move(op, acc);
  return WS2__BOP_MOVED;
}

/* Submits a prepared extension request; the usual TRUE / FALSE+error. */
static BOOL submit(ws2__bop_t *op, LPOVERLAPPED ovl, LPDWORD bytes) {
  DWORD n = 0, flags = 0;
  int r = ws2__bop_submit(op, ovl, NULL, &n, &flags);
  if (r == 0) {
    if (bytes) *bytes = n;
    return TRUE;
  }
  WSASetLastError(r == WSA_IO_PENDING ? ERROR_IO_PENDING : r);
  return FALSE;
}

static BOOL PASCAL bsp_acceptex(SOCKET sListenSocket, SOCKET sAcceptSocket,
                                PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                                DWORD dwLocalAddressLength,
                                DWORD dwRemoteAddressLength,
                                LPDWORD lpdwBytesReceived,
                                LPOVERLAPPED lpOverlapped) {
  ws2__bsock_t *l = ws2__bsock_get(sListenSocket), *acc = NULL;
  ws2__bop_t *op;
  int err = 0;

  if (!l || !(acc = ws2__bsock_get(sAcceptSocket)))
    err = WSAENOTSOCK;
  else if (!lpOverlapped || !lpOutputBuffer)
    err = WSAEFAULT; /* ws2 needs the OVERLAPPED: there is no sync form */
  else if (!(l->flags & WS2__BS_LISTENING) ||
           (acc->flags &
            (WS2__BS_BOUND | WS2__BS_CONNECTED | WS2__BS_LISTENING)) ||
           acc->af != l->af || acc->type != l->type)
    err = WSAEINVAL;
  else if (dwLocalAddressLength < (DWORD)addr_room(l->af) ||
           dwRemoteAddressLength < (DWORD)addr_room(l->af))
    err = WSAEINVAL;
  else if (!(op = ws2__bop_alloc()))
    err = WSAENOBUFS;
  if (err) {
    if (l) ws2__bsock_unref(l);
    if (acc) ws2__bsock_unref(acc);
    WSASetLastError(err);
    return FALSE;
  }
  ws2__bop_init(op, l, NULL, 0, 0, 0);
  op->x->attempt = attempt_accept;
  op->x->other = acc; /* the request's reference */
  op->x->outbuf = lpOutputBuffer;
  op->x->recvlen = dwReceiveDataLength;
  op->x->locallen = dwLocalAddressLength;
  op->x->remotelen = dwRemoteAddressLength;
  {
    BOOL r = submit(op, lpOverlapped, lpdwBytesReceived);
    ws2__bsock_unref(l);
    return r;
  }
}

static VOID PASCAL bsp_getacceptexsockaddrs(
    PVOID lpOutputBuffer, DWORD dwReceiveDataLength, DWORD dwLocalAddressLength,
    DWORD dwRemoteAddressLength, struct WS_sockaddr **LocalSockaddr,
    LPINT LocalSockaddrLength, struct WS_sockaddr **RemoteSockaddr,
    LPINT RemoteSockaddrLength) {
  char *local = (char *)lpOutputBuffer + dwReceiveDataLength;
  char *remote = local + dwLocalAddressLength;
  if (LocalSockaddr) *LocalSockaddr = (struct WS_sockaddr *)local;
  if (RemoteSockaddr) *RemoteSockaddr = (struct WS_sockaddr *)remote;
  if (LocalSockaddrLength && dwLocalAddressLength >= 4)
    memcpy(LocalSockaddrLength, local + dwLocalAddressLength - 4, 4);
  if (RemoteSockaddrLength && dwRemoteAddressLength >= 4)
    memcpy(RemoteSockaddrLength, remote + dwRemoteAddressLength - 4, 4);
}

/* ConnectEx: the connection, then the optional first send. */
static int attempt_connect(ws2__bop_t *op) {
  ws2__bsock_t *s = ws2__bop_sock(op);
  int soerr = 0;
  socklen_t len = sizeof(soerr);

  if (!op->x->started) {
    op->x->started = 1;
    if (connect(s->fd, (struct sockaddr *)&op->x->addr, op->x->addrlen) != 0) {
      if (errno == EINPROGRESS || errno == EAGAIN) return 0;
      op->status = ws2__errno_to_ntstatus(errno);
      return 1;
    }
  } else {
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
      soerr = errno;
    if (soerr) {
      op->status = ws2__errno_to_ntstatus(soerr);
      return 1;
    }
    len = sizeof(op->x->addr);
    if (getpeername(s->fd, (struct sockaddr *)&op->x->addr, &len) != 0)
      return 0; /* not connected yet */
  }
  s->flags |= WS2__BS_CONNECTED;
  s->flags &= ~(uint32_t)WS2__BS_CONNECTING;
  s->connect_tick = GetTickCount64();
  op->x->addrlen = 0; /* what follows is a plain send */
  if (ws2__bop_room(op) == 0) return 1;
  op->x->attempt = ws2__bop_attempt_send;
  return ws2__bop_attempt_send(op);
}

static BOOL PASCAL bsp_connectex(SOCKET s, const struct WS_sockaddr *name,
                                 int namelen, PVOID lpSendBuffer,
                                 DWORD dwSendDataLength, LPDWORD lpdwBytesSent,
                                 LPOVERLAPPED lpOverlapped) {
  ws2__bsock_t *sock = ws2__bsock_get(s);
  ws2__bop_t *op = NULL;
  WSABUF b;
  int err = 0;

  if (!sock)
    err = WSAENOTSOCK;
  else if (!lpOverlapped)
    err = WSAEFAULT;
  else if (sock->type != WS_SOCK_STREAM)
    err = WSAEOPNOTSUPP;
  else if (!(sock->flags & WS2__BS_BOUND)) /* ConnectEx needs bind first */
    err = WSAEINVAL;
  else if (sock->flags & (WS2__BS_CONNECTED | WS2__BS_LISTENING))
    err = WSAEISCONN;
  else if (!(op = ws2__bop_alloc()))
    err = WSAENOBUFS;
  if (!err) {
    b.buf = lpSendBuffer;
    b.len = lpSendBuffer ? dwSendDataLength : 0;
    err = ws2__bop_init(op, sock, &b, 1, 0, 1);
    if (!err)
      err = ws2__addr_to_linux(name, namelen, &op->x->addr, &op->x->addrlen);
    if (err) {
      ws2__bop_fini(op);
      ws2__free(op);
    }
  }
  if (err) {
    if (sock) ws2__bsock_unref(sock);
    WSASetLastError(err);
    return FALSE;
  }
  sock->flags |= WS2__BS_CONNECTING;
  op->x->attempt = attempt_connect;
  {
    BOOL r = submit(op, lpOverlapped, lpdwBytesSent);
    ws2__bsock_unref(sock);
    return r;
  }
}

static int attempt_done(ws2__bop_t *op) { return 1; }

/* DisconnectEx: a graceful close of the connection; with TF_REUSE_SOCKET
 * the socket gets a fresh, unbound Linux socket and can be given to
 * AcceptEx or ConnectEx again. It completes at once. */
static BOOL PASCAL bsp_disconnectex(SOCKET s, LPOVERLAPPED lpOverlapped,
                                    DWORD dwFlags, DWORD dwReserved) {
  ws2__bsock_t *sock = ws2__bsock_get(s);
  int err = 0;

  if (!sock) {
    WSASetLastError(WSAENOTSOCK);
    return FALSE;
  }
  if (dwReserved || (dwFlags & ~(DWORD)TF_REUSE_SOCKET))
    err = WSAEINVAL;
  else if (!(sock->flags & WS2__BS_CONNECTED))
    err = WSAENOTCONN;
  else if (shutdown(sock->fd, SHUT_WR) != 0)
    err = ws2__errno_to_wsa(errno);
  if (!err && (dwFlags & TF_REUSE_SOCKET)) {
    int fd = socket(ws2__af_to_linux(sock->af), SOCK_STREAM | SOCK_CLOEXEC, 0);
    pthread_mutex_lock(&sock->lock);
    if (fd < 0)
      err = ws2__errno_to_wsa(errno);
    else if ((err = adopt(sock, fd)) != 0)
      err = ws2__errno_to_wsa(err);
    else
      sock->flags &= ~(uint32_t)(WS2__BS_BOUND | WS2__BS_CONNECTED |
                                 WS2__BS_SHUT_RD | WS2__BS_SHUT_WR);
    pthread_mutex_unlock(&sock->lock);
  }
  if (!err && lpOverlapped) {
    /* Done at once: the OVERLAPPED is notified as an immediate success. */
    ws2__bop_t *op = ws2__bop_alloc();
    if (op) {
      ws2__bop_init(op, sock, NULL, 0, 0, 1);
      op->x->attempt = attempt_done;
      err = ws2__bop_submit(op, lpOverlapped, NULL, NULL, NULL);
    } else {
      err = WSAENOBUFS;
    }
  }
  ws2__bsock_unref(sock);
  if (err) {
    WSASetLastError(err);
    return FALSE;
  }
  return TRUE;
}

void *ws2__bsp_extension(const GUID *id) {
  if (!memcmp(id, &id_acceptex, sizeof(GUID))) return (void *)bsp_acceptex;
  if (!memcmp(id, &id_getacceptexsockaddrs, sizeof(GUID)))
    return (void *)bsp_getacceptexsockaddrs;
  if (!memcmp(id, &id_connectex, sizeof(GUID))) return (void *)bsp_connectex;
  if (!memcmp(id, &id_disconnectex, sizeof(GUID)))
    return (void *)bsp_disconnectex;
  {
    void *fn = ws2__bsp_transmit_extension(id);
    if (fn) return fn;
  }
  return ws2__bsp_msg_extension(id);
}
