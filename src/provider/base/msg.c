/*
 * msg.c: WSARecvMsg and WSASendMsg, the extension functions that carry
 * control data (IP_PKTINFO, IPV6_PKTINFO, IP_TTL, IPV6_HOPLIMIT).
 *
 * Windows' and Linux's control-message headers have the same x64 layout
 * (a size_t length, then level and type, data 8-byte aligned), but the
 * type numbers differ and IPv4's packet information does not match:
 * Windows' IN_PKTINFO is { address, interface }, Linux's in_pktinfo is
 * { interface, local address, destination address }. Messages are
 * translated one by one; a received one ws2 cannot express is dropped,
 * and a sent one it does not know fails with WSAEINVAL.
 */
#include <mswsock.h>
#include <ws2tcpip.h>

#include "core/alloc.h"
#include "core/error.h"
#include "provider/base/ops.h"
#include "xlate/addr.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* Room for the Linux form of the control data the caller has room for:
 * Linux's IPv4 packet information is 4 bytes longer per message. */
static size_t linux_room(ULONG wlen) { return (size_t)wlen * 2 + 64; }

/* Linux control data in lmsg to Windows form in the caller's WSAMSG. */
static void cmsg_to_windows(struct msghdr *lmsg, LPWSAMSG wmsg) {
  char *out = wmsg->Control.buf;
  size_t room = wmsg->Control.buf ? wmsg->Control.len : 0, used = 0;
  struct cmsghdr *c;

  for (c = CMSG_FIRSTHDR(lmsg); c; c = CMSG_NXTHDR(lmsg, c)) {
    int level = -1, type = -1;
    unsigned char data[20];
    size_t len = 0, space;
    WSACMSGHDR h;

    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo lp;
      IN_PKTINFO wp;
      memcpy(&lp, CMSG_DATA(c), sizeof(lp));
      memcpy(&wp.ipi_addr, &lp.ipi_addr, 4);
      wp.ipi_ifindex = (ULONG)lp.ipi_ifindex;
      level = WS_IPPROTO_IP;
      type = WS_IP_PKTINFO;
      len = sizeof(wp);
      memcpy(data, &wp, len);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      level = WS_IPPROTO_IPV6;
      type = WS_IPV6_PKTINFO;
      len = sizeof(IN6_PKTINFO); /* the same 20-byte layout */
      memcpy(data, CMSG_DATA(c), len);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
      level = WS_IPPROTO_IP;
      type = WS_IP_TTL;
      len = sizeof(int);
      memcpy(data, CMSG_DATA(c), len);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      level = WS_IPPROTO_IPV6;
      type = WS_IPV6_HOPLIMIT;
      len = sizeof(int);
      memcpy(data, CMSG_DATA(c), len);
    } else {
      continue; /* nothing Windows would deliver */
    }
    space = WSA_CMSG_SPACE(len);
    if (used + space > room) {
      wmsg->dwFlags |= WS_MSG_CTRUNC;
      break;
    }
    h.cmsg_len = WSA_CMSG_LEN(len);
    h.cmsg_level = level;
    h.cmsg_type = type;
    memset(out + used, 0, space);
    memcpy(out + used, &h, sizeof(h));
    memcpy(out + used + WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)), data, len);
    used += space;
  }
  if (lmsg->msg_flags & MSG_CTRUNC) wmsg->dwFlags |= WS_MSG_CTRUNC;
  wmsg->Control.len = (ULONG)used;
}

/* Windows control data to Linux form in buf (room bytes); 0 or WSA error. */
static int cmsg_to_linux(LPWSAMSG wmsg, char *buf, size_t room,
                         struct msghdr *lmsg) {
  size_t in = 0, used = 0, wlen = wmsg->Control.buf ? wmsg->Control.len : 0;

  while (in + sizeof(WSACMSGHDR) <= wlen) {
    WSACMSGHDR h;
    const unsigned char *data;
    unsigned char ldata[sizeof(IN6_PKTINFO)]; /* the larger of the two */
    int level, type;
    size_t len;
    struct cmsghdr lh;

    memcpy(&h, wmsg->Control.buf + in, sizeof(h));
    if (h.cmsg_len < sizeof(WSACMSGHDR) || in + h.cmsg_len > wlen)
      return WSAEINVAL;
    data = (unsigned char *)wmsg->Control.buf + in +
           WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR));
    if (h.cmsg_level == WS_IPPROTO_IP && h.cmsg_type == WS_IP_PKTINFO) {
      IN_PKTINFO wp;
      struct in_pktinfo lp;
      memcpy(&wp, data, sizeof(wp));
      memset(&lp, 0, sizeof(lp));
      lp.ipi_ifindex = (int)wp.ipi_ifindex;
      memcpy(&lp.ipi_spec_dst, &wp.ipi_addr, 4); /* the source to use */
      memcpy(ldata, &lp, sizeof(lp));
      level = IPPROTO_IP;
      type = IP_PKTINFO;
      len = sizeof(lp);
    } else if (h.cmsg_level == WS_IPPROTO_IPV6 &&
               h.cmsg_type == WS_IPV6_PKTINFO) {
      memcpy(ldata, data, sizeof(IN6_PKTINFO));
      level = IPPROTO_IPV6;
      type = IPV6_PKTINFO;
      len = sizeof(IN6_PKTINFO);
    } else {
      return WSAEINVAL;
    }
    if (used + CMSG_SPACE(len) > room) return WSAENOBUFS;
    memset(buf + used, 0, CMSG_SPACE(len));
    lh.cmsg_len = CMSG_LEN(len);
    lh.cmsg_level = level;
    lh.cmsg_type = type;
    memcpy(buf + used, &lh, sizeof(lh));
    memcpy(buf + used + CMSG_LEN(0), ldata, len);
    used += CMSG_SPACE(len);
    in += WSA_CMSGHDR_ALIGN(h.cmsg_len);
  }
  lmsg->msg_control = used ? buf : NULL;
  lmsg->msg_controllen = used;
  return 0;
}

/* WSARecvMsg's receive: a recvmsg with control data, translated. */
static int attempt_recvmsg(ws2__bop_t *op) {
  ws2__bsock_t *s = ws2__bop_sock(op);
  ws2__bop_ext_t *x = op->x;
  LPWSAMSG wmsg = x->wmsg;
  for (;;) {
    ssize_t n;
    struct msghdr m;
    ws2__bop_msghdr(op, &m);
    m.msg_name = &x->addr;
    m.msg_namelen = sizeof(x->addr);
    m.msg_control = x->ctl;
    m.msg_controllen = x->ctllen;
    n = recvmsg(s->fd, &m, op->lflags);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      op->status = ws2__errno_to_ntstatus(errno);
      return 1;
    }
    op->bytes = (uint32_t)n;
    x->addrlen = m.msg_namelen;
    wmsg->dwFlags = 0;
    if (m.msg_flags & MSG_TRUNC) {
      wmsg->dwFlags |= WS_MSG_TRUNC;
      op->status = (NTSTATUS)0x80000005; /* WSAEMSGSIZE */
    }
    cmsg_to_windows(&m, wmsg);
    x->wflags = wmsg->dwFlags;
    return 1;
  }
}

/* Reports a WSA error code the way extension functions do. */
static INT ext_result(int r) {
  if (!r) return 0;
  WSASetLastError(r);
  return SOCKET_ERROR;
}

static INT PASCAL bsp_wsarecvmsg(SOCKET h, LPWSAMSG lpMsg,
                                 LPDWORD lpdwNumberOfBytesRecvd,
                                 LPWSAOVERLAPPED lpOverlapped,
                                 LPWSAOVERLAPPED_COMPLETION_ROUTINE cr) {
  ws2__bsock_t *s = ws2__bsock_get(h);
  ws2__bop_t op;
  ws2__bop_ext_t *x;
  DWORD flags = 0;
  int r;

  if (!s) return ext_result(WSAENOTSOCK);
  memset(&op, 0, sizeof(op));
  x = ws2__bop_use_ext(&op, &(ws2__bop_ext_t){0});
  if (!lpMsg) {
    r = WSAEFAULT;
  } else if (s->type == WS_SOCK_STREAM) {
    r = WSAEOPNOTSUPP; /* datagram and raw sockets only, as documented */
  } else {
    r = ws2__bop_init(&op, s, lpMsg->lpBuffers, lpMsg->dwBufferCount,
                      lpMsg->dwFlags & WS_MSG_PEEK, 0);
    x->wmsg = lpMsg;
    x->from = lpMsg->name;
    x->fromlen = lpMsg->name ? &lpMsg->namelen : NULL;
    x->ctllen = linux_room(lpMsg->Control.buf ? lpMsg->Control.len : 0);
    op.x->attempt = attempt_recvmsg;
    if (r == 0 && !(x->ctl = ws2__malloc(x->ctllen))) r = WSAENOBUFS;
    if (r == 0)
      r = ws2__bop_execute(&op, lpOverlapped, WS2__ROUTINE_WSA, (void *)cr,
                           lpdwNumberOfBytesRecvd, &flags, NULL);
  }
  ws2__bop_fini(&op);
  ws2__bsock_unref(s);
  return ext_result(r);
}

static INT WSAAPI bsp_wsasendmsg(SOCKET h, LPWSAMSG lpMsg, DWORD dwFlags,
                                 LPDWORD lpNumberOfBytesSent,
                                 LPWSAOVERLAPPED lpOverlapped,
                                 LPWSAOVERLAPPED_COMPLETION_ROUTINE cr) {
  ws2__bsock_t *s = ws2__bsock_get(h);
  ws2__bop_t op;
  ws2__bop_ext_t *x;
  struct msghdr m;
  int r;

  if (!s) return ext_result(WSAENOTSOCK);
  memset(&op, 0, sizeof(op));
  x = ws2__bop_use_ext(&op, &(ws2__bop_ext_t){0});
  if (!lpMsg) {
    r = WSAEFAULT;
  } else {
    r = ws2__bop_init(&op, s, lpMsg->lpBuffers, lpMsg->dwBufferCount, dwFlags,
                      1);
    if (r == 0 && lpMsg->name && s->type != WS_SOCK_STREAM)
      r = ws2__addr_to_linux(lpMsg->name, lpMsg->namelen, &x->addr,
                             &x->addrlen);
    x->ctllen = linux_room(lpMsg->Control.buf ? lpMsg->Control.len : 0);
    if (r == 0 && !(x->ctl = ws2__malloc(x->ctllen))) r = WSAENOBUFS;
    if (r == 0) r = cmsg_to_linux(lpMsg, x->ctl, x->ctllen, &m);
    x->ctllen = r == 0 ? m.msg_controllen : 0; /* what the send carries */
    if (r == 0)
      r = ws2__bop_execute(&op, lpOverlapped, WS2__ROUTINE_WSA, (void *)cr,
                           lpNumberOfBytesSent, NULL, NULL);
  }
  ws2__bop_fini(&op);
  ws2__bsock_unref(s);
  return ext_result(r);
}

void *ws2__bsp_msg_extension(const GUID *id) {
  static const GUID recvmsg_id = WSAID_WSARECVMSG,
                    sendmsg_id = WSAID_WSASENDMSG;
  if (!memcmp(id, &recvmsg_id, sizeof(GUID))) return (void *)bsp_wsarecvmsg;
  if (!memcmp(id, &sendmsg_id, sizeof(GUID))) return (void *)bsp_wsasendmsg;
  return NULL;
}
