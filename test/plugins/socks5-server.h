/*
 * socks5-server.h: a small SOCKS5 server (RFC 1928, with RFC 1929's
 * username/password) and an echo server, on loopback, for the tests of
 * plugins/socks5. Header only; Windows API only (it builds against ws2 or
 * a Windows SDK alike).
 *
 * The servers' own sockets come from the base provider's catalog entries
 * (WSASocketW with the base entry's WSAPROTOCOL_INFOW), so that a layer
 * installed over TCP, the one under test, never sees them: the proxy's
 * connection to the destination is not sent to the proxy again.
 *
 *   s5srv_t srv;
 *   s5srv_start(&srv, AF_INET);       // listening on 127.0.0.1, srv.port
 *   srv.user = "alice"; srv.pass = "s3cret";   // require RFC 1929
 *   srv.refuse = 5;                   // answer CONNECT with this code
 *   srv.delay_ms = 300;               // wait before answering CONNECT
 *   s5srv_name(&srv, "echo.test", &addr, len); // a name it resolves
 *   ... s5srv_last(&srv) is what the last client asked ...
 *   s5srv_stop(&srv);
 *
 * One thread accepts; each connection has a thread that reads the
 * client's greeting, authenticates it (or not), reads CONNECT, connects
 * to the destination (a base socket, blocking), answers, and relays both
 * ways until either side closes. What each client asked is recorded.
 */
#ifndef WS2_TEST_SOCKS5_SERVER_H
#define WS2_TEST_SOCKS5_SERVER_H

#include <winsock2.h>
#include <ws2tcpip.h>

#include <stdlib.h>
#include <string.h>

#define S5SRV_MAX_CONN 32

/* What one client asked. */
typedef struct s5srv_request {
  unsigned char methods[16]; /* offered, in order */
  int nmethods;
  int method;                /* chosen: 0, 2, or 0xFF */
  char user[256], pass[256]; /* received (RFC 1929) */
  int auth_ok;
  int cmd, atyp;          /* the request */
  unsigned char addr[16]; /* atyp 1: 4 bytes, 4: 16 */
  char host[256];         /* atyp 3 */
  unsigned short port;
  int reply; /* the reply code sent (-1: none) */
} s5srv_request_t;

typedef struct s5srv {
  /* Settings (before or between connections). */
  const char *user, *pass; /* require username/password when user set */
  volatile int refuse;     /* nonzero: the reply code to every CONNECT */
  volatile int delay_ms;   /* before answering CONNECT */
  struct {
    char name[64];
    SOCKADDR_STORAGE addr;
    int len;
  } names[4];
  int nnames;
  /* State. */
  SOCKET listener;
  unsigned short port;
  int af;
  HANDLE thread;
  volatile LONG stopping;
  CRITICAL_SECTION lock;
  s5srv_request_t last;
  int requests; /* greetings read */
  int connects; /* CONNECTs relayed */
  HANDLE conn_threads[S5SRV_MAX_CONN];
  SOCKET conn_socks[S5SRV_MAX_CONN][2];
  int nconn;
} s5srv_t;

/* The base provider's TCP entry of family af (no layer above it). */
static __attribute__((unused)) int s5srv_base_entry(int af,
                                                    WSAPROTOCOL_INFOW *out) {
  DWORD size = 0;
  WSAPROTOCOL_INFOW *all;
  int n, i, found = 0;
  WSAEnumProtocolsW(NULL, NULL, &size);
  if (!(all = (WSAPROTOCOL_INFOW *)malloc(size))) return 0;
  n = WSAEnumProtocolsW(NULL, all, &size);
  for (i = 0; i < n && !found; i++)
    if (all[i].ProtocolChain.ChainLen == BASE_PROTOCOL &&
        all[i].iAddressFamily == af && all[i].iSocketType == SOCK_STREAM &&
        all[i].iProtocol == IPPROTO_TCP) {
      *out = all[i];
      found = 1;
    }
  free(all);
  return found;
}

/* A TCP socket of the base provider (bypassing every layer). */
static __attribute__((unused)) SOCKET s5srv_base_socket(int af) {
  WSAPROTOCOL_INFOW info;
  if (!s5srv_base_entry(af, &info)) return INVALID_SOCKET;
  return WSASocketW(af, SOCK_STREAM, IPPROTO_TCP, &info, 0,
                    WSA_FLAG_OVERLAPPED);
}

/* Loopback of family af, port port (host order). */
static __attribute__((unused)) int s5srv_loopback(int af, unsigned short port,
                                                  SOCKADDR_STORAGE *a) {
  memset(a, 0, sizeof(*a));
  if (af == AF_INET) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)a;
    s4->sin_family = AF_INET;
    s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s4->sin_port = htons(port);
    return (int)sizeof(*s4);
  } else {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)a;
    s6->sin6_family = AF_INET6;
    s6->sin6_addr = in6addr_loopback;
    s6->sin6_port = htons(port);
    return (int)sizeof(*s6);
  }
}

/* A base listening socket on loopback of family af; its port in *port. */
static __attribute__((unused)) SOCKET s5srv_listen(int af,
                                                   unsigned short *port) {
  SOCKADDR_STORAGE a;
  int len = s5srv_loopback(af, 0, &a);
  SOCKET l = s5srv_base_socket(af);
  if (l == INVALID_SOCKET) return l;
  if (bind(l, (struct sockaddr *)&a, len) != 0 || listen(l, 16) != 0) {
    closesocket(l);
    return INVALID_SOCKET;
  }
  len = sizeof(a);
  getsockname(l, (struct sockaddr *)&a, &len);
  *port = ntohs(((struct sockaddr_in *)&a)->sin_port); /* same offset */
  return l;
}

static int s5srv_recv_all(SOCKET s, void *buf, int n) {
  int got = 0, r;
  while (got < n) {
    if ((r = recv(s, (char *)buf + got, n - got, 0)) <= 0) return -1;
    got += r;
  }
  return 0;
}

static int s5srv_send_all(SOCKET s, const void *buf, int n) {
  int put = 0, r;
  while (put < n) {
    if ((r = send(s, (const char *)buf + put, n - put, 0)) <= 0) return -1;
    put += r;
  }
  return 0;
}

/* Copies both ways until both directions are closed (or 20 s pass). */
static void s5srv_relay(SOCKET a, SOCKET b) {
  int open_a = 1, open_b = 1;
  DWORD start = GetTickCount();
  char buf[4096];
  while ((open_a || open_b) && GetTickCount() - start < 20000) {
    fd_set rd;
    struct timeval tv = {0, 100000};
    int n;
    FD_ZERO(&rd);
    if (open_a) FD_SET(a, &rd);
    if (open_b) FD_SET(b, &rd);
    if (select(0, &rd, NULL, NULL, &tv) <= 0) continue;
    if (open_a && FD_ISSET(a, &rd)) {
      n = recv(a, buf, sizeof(buf), 0);
      if (n <= 0 || s5srv_send_all(b, buf, n) != 0) {
        open_a = 0;
        shutdown(b, SD_SEND);
      }
    }
    if (open_b && FD_ISSET(b, &rd)) {
      n = recv(b, buf, sizeof(buf), 0);
      if (n <= 0 || s5srv_send_all(a, buf, n) != 0) {
        open_b = 0;
        shutdown(a, SD_SEND);
      }
    }
  }
}

/* Waits for a connection to accept (1), or for *stopping (0): the
 * listener is closed only after its thread has seen *stopping. */
static int s5srv_wait_accept(SOCKET l, volatile LONG *stopping) {
  while (!InterlockedCompareExchange(stopping, 0, 0)) {
    fd_set rd;
    struct timeval tv = {0, 20000};
    FD_ZERO(&rd);
    FD_SET(l, &rd);
    if (select(0, &rd, NULL, NULL, &tv) == 1) return 1;
  }
  return 0;
}

typedef struct s5srv_conn {
  s5srv_t *srv;
  int slot;
} s5srv_conn_t;

static DWORD WINAPI s5srv_client(LPVOID arg) {
  s5srv_conn_t *c = (s5srv_conn_t *)arg;
  s5srv_t *srv = c->srv;
  SOCKET s = srv->conn_socks[c->slot][0], out = INVALID_SOCKET;
  s5srv_request_t rq;
  unsigned char b[600];
  SOCKADDR_STORAGE to;
  int i, len = 0, rep = 0;
  memset(&rq, 0, sizeof(rq));
  rq.reply = -1;
  free(c);
  /* Greeting: 05 n methods. */
  if (s5srv_recv_all(s, b, 2) != 0 || b[0] != 5) goto done;
  rq.nmethods = b[1] > 16 ? 16 : b[1];
  if (s5srv_recv_all(s, b + 2, b[1]) != 0) goto done;
  memcpy(rq.methods, b + 2, (size_t)rq.nmethods);
  rq.method = 0xFF;
  for (i = 0; i < rq.nmethods; i++)
    if (rq.methods[i] == (srv->user ? 2 : 0)) rq.method = rq.methods[i];
  b[0] = 5;
  b[1] = (unsigned char)rq.method;
  /* Recorded before each answer: the client may act on it at once. */
  EnterCriticalSection(&srv->lock);
  srv->requests++;
  srv->last = rq;
  LeaveCriticalSection(&srv->lock);
  if (s5srv_send_all(s, b, 2) != 0 || rq.method == 0xFF) goto done;
  if (rq.method == 2) { /* 01 ulen user plen pass */
    if (s5srv_recv_all(s, b, 2) != 0 || b[0] != 1) goto done;
    len = b[1];
    if (s5srv_recv_all(s, rq.user, len) != 0) goto done;
    rq.user[len] = '\0';
    if (s5srv_recv_all(s, b, 1) != 0) goto done;
    len = b[0];
    if (s5srv_recv_all(s, rq.pass, len) != 0) goto done;
    rq.pass[len] = '\0';
    rq.auth_ok = !strcmp(rq.user, srv->user) && !strcmp(rq.pass, srv->pass);
    b[0] = 1;
    b[1] = rq.auth_ok ? 0 : 1;
    EnterCriticalSection(&srv->lock);
    srv->last = rq;
    LeaveCriticalSection(&srv->lock);
    if (s5srv_send_all(s, b, 2) != 0 || !rq.auth_ok) goto done;
  }
  /* 05 cmd 00 atyp addr port */
  if (s5srv_recv_all(s, b, 4) != 0 || b[0] != 5) goto done;
  rq.cmd = b[1];
  rq.atyp = b[3];
  memset(&to, 0, sizeof(to));
  if (rq.atyp == 1) {
    if (s5srv_recv_all(s, rq.addr, 4) != 0) goto done;
    len = s5srv_loopback(AF_INET, 0, &to);
    memcpy(&((struct sockaddr_in *)&to)->sin_addr, rq.addr, 4);
  } else if (rq.atyp == 4) {
    if (s5srv_recv_all(s, rq.addr, 16) != 0) goto done;
    len = s5srv_loopback(AF_INET6, 0, &to);
    memcpy(&((struct sockaddr_in6 *)&to)->sin6_addr, rq.addr, 16);
  } else if (rq.atyp == 3) {
    if (s5srv_recv_all(s, b, 1) != 0) goto done;
    len = b[0];
    if (s5srv_recv_all(s, rq.host, len) != 0) goto done;
    rq.host[len] = '\0';
    len = 0;
    for (i = 0; i < srv->nnames; i++)
      if (!strcmp(srv->names[i].name, rq.host)) {
        to = srv->names[i].addr;
        len = srv->names[i].len;
      }
    if (!len) rep = 4; /* host unreachable: a name it does not know */
  } else {
    goto done;
  }
  if (s5srv_recv_all(s, b, 2) != 0) goto done;
  rq.port = (unsigned short)(b[0] << 8 | b[1]);
  ((struct sockaddr_in *)&to)->sin_port = htons(rq.port); /* same offset */
  if (srv->delay_ms) Sleep((DWORD)srv->delay_ms);
  if (!rep && srv->refuse) rep = srv->refuse;
  if (!rep && rq.cmd != 1) rep = 7;
  if (!rep) {
    out = s5srv_base_socket(to.ss_family);
    if (out == INVALID_SOCKET || connect(out, (struct sockaddr *)&to, len) != 0)
      rep = 5;
  }
  rq.reply = rep;
  EnterCriticalSection(&srv->lock);
  srv->last = rq;
  if (!rep) srv->connects++;
  LeaveCriticalSection(&srv->lock);
  /* 05 rep 00 01 0.0.0.0:0 (the bound address is not used) */
  memset(b, 0, 10);
  b[0] = 5;
  b[1] = (unsigned char)rep;
  b[3] = 1;
  if (s5srv_send_all(s, b, 10) != 0 || rep) goto done;
  s5srv_relay(s, out);
done:
  if (out != INVALID_SOCKET) closesocket(out);
  return 0;
}

static DWORD WINAPI s5srv_main(LPVOID arg) {
  s5srv_t *srv = (s5srv_t *)arg;
  for (;;) {
    SOCKET s;
    s5srv_conn_t *c;
    if (!s5srv_wait_accept(srv->listener, &srv->stopping)) return 0;
    if ((s = accept(srv->listener, NULL, NULL)) == INVALID_SOCKET) continue;
    EnterCriticalSection(&srv->lock);
    if (srv->nconn == S5SRV_MAX_CONN ||
        !(c = (s5srv_conn_t *)malloc(sizeof(*c)))) {
      LeaveCriticalSection(&srv->lock);
      closesocket(s);
      continue;
    }
    c->srv = srv;
    c->slot = srv->nconn;
    srv->conn_socks[c->slot][0] = s;
    srv->conn_threads[c->slot] =
        CreateThread(NULL, 0, s5srv_client, c, 0, NULL);
    srv->nconn++;
    LeaveCriticalSection(&srv->lock);
  }
}

/* Starts the server on loopback of family af: 0, or -1. */
static __attribute__((unused)) int s5srv_start(s5srv_t *srv, int af) {
  memset(srv, 0, sizeof(*srv));
  srv->af = af;
  InitializeCriticalSection(&srv->lock);
  srv->last.reply = -1;
  if ((srv->listener = s5srv_listen(af, &srv->port)) == INVALID_SOCKET)
    return -1;
  srv->thread = CreateThread(NULL, 0, s5srv_main, srv, 0, NULL);
  return srv->thread ? 0 : -1;
}

/* A name the server resolves (atyp 3) to addr. */
static __attribute__((unused)) void s5srv_name(s5srv_t *srv, const char *name,
                                               const SOCKADDR_STORAGE *addr,
                                               int len) {
  strcpy(srv->names[srv->nnames].name, name);
  srv->names[srv->nnames].addr = *addr;
  srv->names[srv->nnames].len = len;
  srv->nnames++;
}

static __attribute__((unused)) s5srv_request_t s5srv_last(s5srv_t *srv) {
  s5srv_request_t r;
  EnterCriticalSection(&srv->lock);
  r = srv->last;
  LeaveCriticalSection(&srv->lock);
  return r;
}

static __attribute__((unused)) int s5srv_connects(s5srv_t *srv) {
  int n;
  EnterCriticalSection(&srv->lock);
  n = srv->connects;
  LeaveCriticalSection(&srv->lock);
  return n;
}

/* Stops the server: no more connections; the ones open are closed. */
static __attribute__((unused)) void s5srv_stop(s5srv_t *srv) {
  int i;
  InterlockedExchange(&srv->stopping, 1);
  WaitForSingleObject(srv->thread, 5000);
  CloseHandle(srv->thread);
  closesocket(srv->listener);
  EnterCriticalSection(&srv->lock);
  for (i = 0; i < srv->nconn; i++) shutdown(srv->conn_socks[i][0], SD_BOTH);
  LeaveCriticalSection(&srv->lock);
  for (i = 0; i < srv->nconn; i++) {
    WaitForSingleObject(srv->conn_threads[i], 5000);
    CloseHandle(srv->conn_threads[i]);
    closesocket(srv->conn_socks[i][0]);
  }
  DeleteCriticalSection(&srv->lock);
}

/* ---- An echo server: sends back what it receives, per connection. --- */

typedef struct echo_srv {
  SOCKET listener;
  unsigned short port;
  HANDLE thread;
  volatile LONG stopping;
  CRITICAL_SECTION lock;
  HANDLE threads[S5SRV_MAX_CONN];
  SOCKET socks[S5SRV_MAX_CONN];
  int n;
  int accepted;
} echo_srv_t;

static DWORD WINAPI echo_client(LPVOID arg) {
  SOCKET s = (SOCKET)(ULONG_PTR)arg;
  char buf[4096];
  int n;
  while ((n = recv(s, buf, sizeof(buf), 0)) > 0)
    if (s5srv_send_all(s, buf, n) != 0) break;
  shutdown(s, SD_SEND);
  return 0;
}

static DWORD WINAPI echo_main(LPVOID arg) {
  echo_srv_t *e = (echo_srv_t *)arg;
  for (;;) {
    SOCKET s;
    if (!s5srv_wait_accept(e->listener, &e->stopping)) return 0;
    if ((s = accept(e->listener, NULL, NULL)) == INVALID_SOCKET) continue;
    EnterCriticalSection(&e->lock);
    if (e->n == S5SRV_MAX_CONN) {
      LeaveCriticalSection(&e->lock);
      closesocket(s);
      continue;
    }
    e->socks[e->n] = s;
    e->threads[e->n] =
        CreateThread(NULL, 0, echo_client, (LPVOID)(ULONG_PTR)s, 0, NULL);
    e->n++;
    e->accepted++;
    LeaveCriticalSection(&e->lock);
  }
}

static __attribute__((unused)) int echo_start(echo_srv_t *e, int af) {
  memset(e, 0, sizeof(*e));
  InitializeCriticalSection(&e->lock);
  if ((e->listener = s5srv_listen(af, &e->port)) == INVALID_SOCKET) return -1;
  e->thread = CreateThread(NULL, 0, echo_main, e, 0, NULL);
  return e->thread ? 0 : -1;
}

static __attribute__((unused)) void echo_stop(echo_srv_t *e) {
  int i;
  InterlockedExchange(&e->stopping, 1);
  WaitForSingleObject(e->thread, 5000);
  CloseHandle(e->thread);
  closesocket(e->listener);
  EnterCriticalSection(&e->lock);
  for (i = 0; i < e->n; i++) shutdown(e->socks[i], SD_BOTH);
  LeaveCriticalSection(&e->lock);
  for (i = 0; i < e->n; i++) {
    WaitForSingleObject(e->threads[i], 5000);
    CloseHandle(e->threads[i]);
    closesocket(e->socks[i]);
  }
  DeleteCriticalSection(&e->lock);
}

#endif /* WS2_TEST_SOCKS5_SERVER_H */
