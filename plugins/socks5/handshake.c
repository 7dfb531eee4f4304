/*
 * handshake.c: a connect through the SOCKS5 proxy.
 *
 * The exchange (RFC 1928; RFC 1929 for the username and password):
 *
 *   layer -> proxy   05 n methods...        greeting: 00 no authentication,
 *                                           02 username/password (offered
 *                                           when configured)
 *   proxy -> layer   05 m                   the method chosen (FF: none)
 *  [layer -> proxy   01 ulen user plen pass
 *   proxy -> layer   01 status]             00: accepted
 *   layer -> proxy   05 01 00 atyp addr port   CONNECT: atyp 01 IPv4,
 *                                           03 a name, 04 IPv6
 *   proxy -> layer   05 rep 00 atyp addr port  rep 00: connected
 *
 * Every step is an overlapped request on the lower socket: first the
 * lower provider's ConnectEx to the proxy, then sends and receives, each
 * started when the previous one completes. They all complete on the
 * layer's completion port, so nothing blocks and no thread is made per
 * connection; the application's call has long returned (pending, or
 * WSAEWOULDBLOCK), or it waits on an event (a blocking connect).
 *
 * Within a deadline (the configuration's timeout, 30 s by default): the
 * completion thread looks at the handshakes every 250 ms and cancels the
 * request of one that is late (CancelIoEx), which ends it with
 * WSAETIMEDOUT.
 */
#include "socks5.h"

#include <stdlib.h>
#include <string.h>

enum {
  H_CONNECT,    /* ConnectEx to the proxy */
  H_GREETING,   /* sent the methods */
  H_METHOD,     /* received the method */
  H_AUTH,       /* sent username and password */
  H_AUTH_REPLY, /* received its status */
  H_REQUEST,    /* sent CONNECT */
  H_REPLY,      /* received the reply's first 5 bytes */
  H_REPLY_REST, /* received the rest of the bound address */
  H_DATA,       /* sent ConnectEx's data */
  H_FLUSH       /* sent what the application sent before the reply */
};

struct s5_handshake {
  s5_op_t op; /* first: the port's LPOVERLAPPED is the handshake */
  s5_handshake_t *prev, *next; /* the running ones (under hs_lock) */
  int step;
  /* The current send or receive. */
  int sending;
  unsigned char *io;
  DWORD len, done, rflags;
  unsigned char buf[520]; /* messages */
  unsigned char req[262 + 10];
  DWORD req_len;
  /* ConnectEx: its OVERLAPPED and the data to send once connected. */
  LPWSAOVERLAPPED ovl;
  const char *data;
  DWORD data_len;
  HANDLE wake; /* a blocking connect's */
  ULONGLONG deadline;
  int timed_out;
  char *flush; /* held data being sent */
};

static ws2lsp_lock_t hs_lock = WS2LSP_LOCK_INIT;
static s5_handshake_t *running;

int s5_reply_error(int rep) {
  switch (rep) {
    case 0x03:
      return WSAENETUNREACH; /* network unreachable */
    case 0x04:
      return WSAEHOSTUNREACH; /* host unreachable */
    case 0x06:
      return WSAETIMEDOUT; /* TTL expired */
    case 0x07:
      return WSAEOPNOTSUPP; /* command not supported */
    case 0x08:
      return WSAEAFNOSUPPORT; /* address type not supported */
    default: /* 01 general failure, 02 not allowed, 05 refused, others */
      return WSAECONNREFUSED;
  }
}

static void unlink_hs(s5_handshake_t *hs) {
  ws2lsp_lock(&hs_lock);
  if (hs->prev)
    hs->prev->next = hs->next;
  else if (running == hs)
    running = hs->next;
  if (hs->next) hs->next->prev = hs->prev;
  hs->prev = hs->next = NULL;
  ws2lsp_unlock(&hs_lock);
}

/* The end, either way: the application is told, then forgotten. */
static void end(s5_handshake_t *hs, int err) {
  s5_sock_t *sk = hs->op.sk;
  unlink_hs(hs);
  if (err) {
    int e;
    ws2lsp_lower_t *lower;
    SOCKET low;
    ws2lsp_lock(&sk->lock);
    sk->state = ST_FAILED;
    sk->connect_error = err;
    sk->hs = NULL;
    free(sk->held); /* what was held can no longer go anywhere */
    sk->held = NULL;
    sk->held_len = 0;
    low = sk->low;
    lower = sk->lower;
    e = sk->low_closed;
    ws2lsp_unlock(&sk->lock);
    /* So that WSAPoll, which asks the lower socket, sees it end too. */
    if (!e) lower->procs.lpWSPShutdown(low, SD_BOTH, &e);
  }
  if (hs->ovl)
    s5_complete_app(sk, hs->ovl, err, err ? 0 : hs->data_len);
  else
    s5_report_connect(sk, err);
  if (hs->wake) SetEvent(hs->wake);
  free(hs->flush);
  s5_put(sk);
  free(hs);
}

/* Starts the current send or receive (or its remainder). */
static void issue(s5_handshake_t *hs) {
  WSABUF b;
  DWORD n = 0;
  int r, err = 0;
  s5_op_reset(&hs->op);
  b.buf = (char *)hs->io + hs->done;
  b.len = hs->len - hs->done;
  if (hs->sending) {
    r = hs->op.lower->procs.lpWSPSend(hs->op.low, &b, 1, &n, 0, &hs->op.ov,
                                      NULL, NULL, &err);
  } else {
    hs->rflags = 0;
    r = hs->op.lower->procs.lpWSPRecv(hs->op.low, &b, 1, &n, &hs->rflags,
                                      &hs->op.ov, NULL, NULL, &err);
  }
  /* Done at once or pending: the packet comes. Failed: nothing does. */
  if (r != 0 && err != WSA_IO_PENDING) end(hs, err);
}

static void io_send(s5_handshake_t *hs, const void *p, DWORD n, int next) {
  hs->io = (unsigned char *)p;
  hs->len = n;
  hs->done = 0;
  hs->sending = 1;
  hs->step = next;
  issue(hs);
}

static void io_recv(s5_handshake_t *hs, DWORD n, int next) {
  hs->io = hs->buf;
  hs->len = n;
  hs->done = 0;
  hs->sending = 0;
  hs->step = next;
  issue(hs);
}

/* After the reply: ConnectEx's data, then what was held, then done. */
static void flush_or_finish(s5_handshake_t *hs) {
  s5_sock_t *sk = hs->op.sk;
  char *held;
  size_t len;
  free(hs->flush);
  hs->flush = NULL;
  ws2lsp_lock(&sk->lock);
  held = sk->held;
  len = sk->held_len;
  sk->held = NULL;
  sk->held_len = 0;
  if (!held) {
    /* Connected: from now on the lower socket is the application's. */
    sk->state = ST_PROXIED;
    sk->connect_error = 0;
    sk->hs = NULL;
  }
  ws2lsp_unlock(&sk->lock);
  if (held) {
    hs->flush = held;
    io_send(hs, held, (DWORD)len, H_FLUSH);
  } else {
    end(hs, 0);
  }
}

static void send_request(s5_handshake_t *hs) {
  io_send(hs, hs->req, hs->req_len, H_REQUEST);
}

/* The step that just completed, with its result. */
static void advance(s5_handshake_t *hs) {
  unsigned char *b = hs->buf;
  int e;
  switch (hs->step) {
    case H_CONNECT: {
      /* ConnectEx leaves the socket without its connected context until
       * asked (then getpeername, shutdown, ... work on it). */
      int n = 0;
      hs->op.lower->procs.lpWSPSetSockOpt(
          hs->op.low, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0, &e);
      b[n++] = 5;
      b[n++] = s5_cfg.has_auth ? 2 : 1;
      b[n++] = 0x00;                      /* no authentication */
      if (s5_cfg.has_auth) b[n++] = 0x02; /* username/password */
      io_send(hs, b, (DWORD)n, H_GREETING);
      return;
    }
    case H_GREETING:
      io_recv(hs, 2, H_METHOD);
      return;
    case H_METHOD:
      if (b[0] != 5) break;
      if (b[1] == 0x00) {
        send_request(hs);
      } else if (b[1] == 0x02 && s5_cfg.has_auth) {
        size_t ul = strlen(s5_cfg.user), pl = strlen(s5_cfg.pass);
        b[0] = 1;
        b[1] = (unsigned char)ul;
        memcpy(b + 2, s5_cfg.user, ul);
        b[2 + ul] = (unsigned char)pl;
        memcpy(b + 3 + ul, s5_cfg.pass, pl);
        io_send(hs, b, (DWORD)(3 + ul + pl), H_AUTH);
      } else {
        end(hs, WSAECONNREFUSED); /* FF: no method we offered */
      }
      return;
    case H_AUTH:
      io_recv(hs, 2, H_AUTH_REPLY);
      return;
    case H_AUTH_REPLY:
      if (b[1] != 0) {
        end(hs, WSAECONNREFUSED); /* username or password refused */
        return;
      }
      send_request(hs);
      return;
    case H_REQUEST:
      io_recv(hs, 5, H_REPLY);
      return;
    case H_REPLY:
      if (b[0] != 5) break;
      if (b[1] != 0) {
        end(hs, s5_reply_error(b[1]));
        return;
      }
      /* The bound address (not used): its fifth byte is read already. */
      switch (b[3]) {
        case 1:
          io_recv(hs, 4 + 2 - 1, H_REPLY_REST);
          return;
        case 4:
          io_recv(hs, 16 + 2 - 1, H_REPLY_REST);
          return;
        case 3:
          io_recv(hs, (DWORD)b[4] + 2, H_REPLY_REST);
          return;
      }
      break;
    case H_REPLY_REST:
      if (hs->data_len) {
        io_send(hs, hs->data, hs->data_len, H_DATA);
        return;
      }
      flush_or_finish(hs);
      return;
    case H_DATA:
    case H_FLUSH:
      flush_or_finish(hs);
      return;
  }
  end(hs, WSAECONNREFUSED); /* not a SOCKS5 answer */
}

/* A request of the handshake completed (on the completion thread). */
static void hs_done(s5_op_t *op, int err, DWORD bytes, DWORD flags) {
  s5_handshake_t *hs = (s5_handshake_t *)op;
  (void)flags;
  if (err) {
    end(hs, hs->timed_out ? WSAETIMEDOUT : err);
    return;
  }
  if (hs->step != H_CONNECT) {
    if (!hs->sending && bytes == 0) {
      end(hs, WSAECONNREFUSED); /* the proxy closed the connection */
      return;
    }
    hs->done += bytes;
    if (hs->done < hs->len) {
      issue(hs);
      return;
    }
  }
  advance(hs);
}

void s5_handshake_timeouts(void) {
  ULONGLONG now = GetTickCount64();
  s5_handshake_t *hs;
  ws2lsp_lock(&hs_lock);
  for (hs = running; hs; hs = hs->next)
    if (!hs->timed_out && now >= hs->deadline) {
      hs->timed_out = 1;
      CancelIoEx((HANDLE)hs->op.low, &hs->op.ov);
    }
  ws2lsp_unlock(&hs_lock);
}

/* The CONNECT request for `to` (or the name host). */
static int build_request(s5_handshake_t *hs, const struct sockaddr *to, int len,
                         const char *host) {
  const unsigned char *a = (const unsigned char *)to;
  unsigned char *r = hs->req;
  static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
  int n = 0;
  r[n++] = 5;
  r[n++] = 1; /* CONNECT */
  r[n++] = 0;
  if (host) {
    size_t hl = strlen(host);
    r[n++] = 3;
    r[n++] = (unsigned char)hl;
    memcpy(r + n, host, hl);
    n += (int)hl;
  } else if (to->sa_family == AF_INET && len >= 16) {
    r[n++] = 1;
    memcpy(r + n, a + 4, 4);
    n += 4;
  } else if (to->sa_family == AF_INET6 && len >= 24) {
    if (!memcmp(a + 8, v4mapped, 12)) { /* an IPv4 host, asked as one */
      r[n++] = 1;
      memcpy(r + n, a + 20, 4);
      n += 4;
    } else {
      r[n++] = 4;
      memcpy(r + n, a + 8, 16);
      n += 16;
    }
  } else {
    return WSAEAFNOSUPPORT;
  }
  r[n++] = a[2]; /* the port, in network order already */
  r[n++] = a[3];
  hs->req_len = (DWORD)n;
  return 0;
}

int s5_connect_start(s5_sock_t *sk, const struct sockaddr *to, int len,
                     const char *host, LPWSAOVERLAPPED ovl, const char *data,
                     DWORD data_len, HANDLE wake) {
  static const GUID connectex_id = WSAID_CONNECTEX;
  s5_handshake_t *hs;
  LPFN_CONNECTEX connectex;
  ws2lsp_lower_t *lower;
  SOCKADDR_STORAGE local;
  SOCKET low;
  int err = 0, llen = sizeof(local), proxy_af = s5_cfg.proxy.ss_family;
  if (!to || len < (int)sizeof(struct sockaddr) || len > (int)sizeof(sk->peer))
    return WSAEFAULT;
  if (!(hs = calloc(1, sizeof(*hs)))) return WSAENOBUFS;
  if ((err = build_request(hs, to, len, host)) != 0) {
    free(hs);
    return err;
  }
  hs->ovl = ovl;
  hs->data = data;
  hs->data_len = data ? data_len : 0;
  hs->wake = wake;
  hs->deadline = GetTickCount64() + s5_cfg.timeout_ms;
  ws2lsp_lock(&sk->lock);
  sk->state = ST_HANDSHAKE;
  sk->hs = hs;
  sk->connect_error = 0;
  sk->fd_connect = 0;
  memcpy(&sk->peer, to, (size_t)len);
  sk->peer_len = len;
  ws2lsp_unlock(&sk->lock);
  /* The application's selection leaves the lower socket meanwhile: what
   * it would report (FD_CONNECT, FD_WRITE, FD_READ of the proxy's
   * answers) is the layer's business until the proxy has answered. */
  s5_select_below(sk, &err);
  /* The lower socket must be of the proxy's family (a new one if not),
   * and bound (ConnectEx's rule). */
  if ((err = s5_lower_for(sk, proxy_af)) != 0) goto fail;
  ws2lsp_lock(&sk->lock);
  low = sk->low;
  lower = sk->lower;
  ws2lsp_unlock(&sk->lock);
  if (lower->procs.lpWSPGetSockName(low, (struct sockaddr *)&local, &llen,
                                    &err) != 0) {
    memset(&local, 0, sizeof(local));
    local.ss_family = (ADDRESS_FAMILY)proxy_af;
    if (lower->procs.lpWSPBind(low, (struct sockaddr *)&local,
                               proxy_af == AF_INET ? 16 : 28, &err) != 0)
      goto fail;
  }
  if (!(connectex = (LPFN_CONNECTEX)s5_lower_ext(sk, &connectex_id))) {
    err = WSAEOPNOTSUPP;
    goto fail;
  }
  s5_op_init(&hs->op, sk, hs_done);
  hs->step = H_CONNECT;
  ws2lsp_lock(&hs_lock);
  hs->next = running;
  if (running) running->prev = hs;
  running = hs;
  ws2lsp_unlock(&hs_lock);
  /* From here the handshake belongs to the completion thread: once the
   * request is made, hs may be gone at any moment. */
  if (!connectex(low, (const struct sockaddr *)&s5_cfg.proxy, s5_cfg.proxy_len,
                 NULL, 0, NULL, &hs->op.ov) &&
      (err = WSAGetLastError()) != WSA_IO_PENDING) {
    unlink_hs(hs);
    s5_put(sk); /* the op's reference */
    goto fail;
  }
  return 0;
fail:
  ws2lsp_lock(&sk->lock);
  sk->state = ST_IDLE;
  sk->hs = NULL;
  ws2lsp_unlock(&sk->lock);
  s5_select_below(sk, &llen);
  free(hs);
  return err;
}
