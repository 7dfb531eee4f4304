/*
 * ws2soak.h: the soak of ws2's behaviour tests (issue 7), header-only.
 *
 * It uses only the Windows API and the C library, so the same soak builds
 * for Windows (x86_64-w64-mingw32-gcc) as against ws2. A test program
 * fills a soak_config_t and calls soak_run() once per configuration,
 * between its own WSAStartup and WSACleanup; soak_run returns the number
 * of failures it found (0: clean) and prints its figures as TAP comments.
 *
 * What one configuration does, for a bounded time (WS2_SOAK_SECONDS,
 * default 3 s; the seed comes from WS2_SOAK_SEED or the clock and is
 * printed so that a failing run's choices can be replayed):
 *
 *   - N worker threads (default 4) and 2 or 3 completion ports, one of
 *     which the supervisor closes half-way while requests are in flight
 *     on sockets associated with it;
 *   - a pool of loopback TCP connections (127.0.0.1 and ::1) made by
 *     blocking connect, non-blocking connect + WSAPoll, or ConnectEx, and
 *     taken by accept() or AcceptEx, with WSASend/WSARecv of 1 byte to
 *     64 KiB over 1 to 4 WSABUFs, and UDP sockets doing WSASendTo and
 *     WSARecvFrom;
 *   - every notification kind: a completion port (some sockets with
 *     FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), an event (with the low bit
 *     set on sockets that have a port), a completion routine run in an
 *     alertable wait (GetQueuedCompletionStatusEx, SleepEx,
 *     WaitForMultipleObjectsEx), and synchronous calls;
 *   - CancelIoEx of one request or of all of a socket's, closesocket of
 *     both ends of a connection (sometimes abortive) and of UDP sockets
 *     while requests are pending, and worker threads that exit (return or
 *     ExitThread) with completion routines pending or already queued to
 *     them, replaced at once.
 *
 * The accounting: every overlapped request has a record in a table,
 * marked when its completion is observed: by a packet, its event, its
 * completion routine, "succeeded at once on a skip-on-success socket, so
 * no packet", "failed at once, so no notification", or, where Windows
 * documents that the notification is lost, through its OVERLAPPED: a
 * completion routine whose thread has exited (QueueUserAPC: "when a
 * thread is terminated ... the APCs in its APC queue are lost"), a packet
 * for a port whose last handle is closed. An observation that comes a
 * second time is a failure; a request that none has observed once
 * everything is closed and drained is a failure. Synchronous calls are
 * counted as observed by their return.
 *
 * The data: each direction of each TCP connection carries a byte stream
 * whose byte at offset p is a function of the sender and p, sends are
 * issued (and receives posted) under the socket's lock so their order is
 * the stream's, and each receive is checked, in the order it was posted,
 * against the offset the stream has reached. A send that failed or moved
 * fewer bytes than asked (cancelled, aborted by a close) "tears" its
 * direction at its offset: beyond it, nothing is checked. Untorn
 * directions of connections still open at the end are drained to the
 * byte (received == sent). Datagrams carry a header (sender, sequence,
 * length) and a pattern: each is checked whole, from the right address,
 * and received at most once.
 *
 * The end: no new requests, receives posted until every untorn direction
 * has been read to the end, then every socket closed, every request
 * observed, the workers joined, everything freed (the caller checks file
 * descriptors and, under ASan, LeakSanitizer checks memory).
 *
 * A failure is printed as it happens ("# soak <name>: ...") and ends the
 * run early; the count is returned. Only the supervisor (the caller's
 * thread) may call the test harness's ASSERT macros, so soak_run never
 * does.
 */
#ifndef WS2SOAK_H
#define WS2SOAK_H

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SOAK_FN static __attribute__((unused))

/* ---- Limits --------------------------------------------------------- */

#define SOAK_MAX_THREADS 16
#define SOAK_MAX_CONNS 16 /* live TCP connections */
#define SOAK_MAX_CONNECTING 4
#define SOAK_MAX_PAIRING 32
#define SOAK_UDP_PER_AF 3
#define SOAK_MAX_PORTS 3
#define SOAK_RQ_MAX 4               /* receives posted per TCP socket */
#define SOAK_TX_MAX 3               /* sends in flight per TCP socket */
#define SOAK_TX_WINDOW (256 * 1024) /* bytes sent and not yet received */
#define SOAK_UDP_MAX 4096           /* datagram payload */
#define SOAK_UDP_BUF 8192
#define SOAK_HDR 16 /* datagram header */
#define SOAK_MAGIC 0x4b414f53u
#define SOAK_NONE (~0ULL)

/* ---- The configuration ---------------------------------------------- */

typedef struct soak_config {
  const char *name;        /* printed with every line */
  int threads;             /* workers; 0: 4 */
  DWORD ms;                /* 0: WS2_SOAK_SECONDS, else 3 s */
  unsigned long long seed; /* 0: WS2_SOAK_SEED, else the clock */
  /* Steers clear of one path: worker threads still exit, but never with
   * a completion routine pending (for a provider known to mishandle it;
   * the test says why): the workers that may exit (odd slots) issue no
   * request with a routine, the others never exit. */
  int no_exit_with_apcs;
  /* Called for every socket the soak makes or accepts, from any thread:
   * NULL when it is right, else what is wrong. */
  const char *(*check_socket)(void *ctx, SOCKET s, int af, int type);
  void *ctx;
} soak_config_t;

/* ---- Records -------------------------------------------------------- */

enum soak_type {
  SOAK_RECV,
  SOAK_SEND,
  SOAK_RECVFROM,
  SOAK_SENDTO,
  SOAK_ACCEPTEX,
  SOAK_CONNECTEX,
  SOAK_ACCEPT,
  SOAK_CONNECT,
  SOAK_CONNECT_NB,
  SOAK_TYPES
};
static const char *const soak_type_names[SOAK_TYPES] = {
    "WSARecv",   "WSASend", "WSARecvFrom", "WSASendTo",      "AcceptEx",
    "ConnectEx", "accept",  "connect",     "connect+WSAPoll"};

/* How a request asked to be told. */
enum soak_kind { SOAK_BY_PORT, SOAK_BY_EVENT, SOAK_BY_APC, SOAK_BY_SYNC };
static const char *const soak_kind_names[] = {"port", "event", "routine",
                                              "synchronous"};

/* How its completion was observed. */
enum soak_got {
  SOAK_GOT_PACKET,
  SOAK_GOT_EVENT,
  SOAK_GOT_APC,
  SOAK_GOT_RETURN,
  SOAK_GOT_INLINE,
  SOAK_GOT_FAILED,
  SOAK_GOT_LOST_THREAD,
  SOAK_GOT_LOST_PORT,
  SOAK_GOTS
};
static const char *const soak_got_names[SOAK_GOTS] = {
    "packet",
    "event",
    "completion routine",
    "synchronous return",
    "at once, no packet (skip-on-success)",
    "failed at once",
    "routine lost with its exited thread",
    "packet lost with its closed port"};

enum soak_role { SOAK_TCP, SOAK_UDP, SOAK_LISTEN_AX, SOAK_LISTEN_ACC };
enum soak_phase { SOAK_RUN, SOAK_DRAIN, SOAK_CLOSE, SOAK_QUIT };

struct soak;
struct soak_conn;
struct soak_worker;
struct soak_op;

typedef struct soak_sock {
  CRITICAL_SECTION lock;
  struct soak_sock *next_all;
  SOCKET s;
  int af, role;
  int port; /* index of its completion port, -1: none */
  int skip; /* FILE_SKIP_COMPLETION_PORT_ON_SUCCESS */
  int nbio; /* FIONBIO */
  unsigned uid;
  LONG closed;
  struct soak_conn *conn;
  struct soak_sock *peer;
  struct soak_sock *listener; /* a client: the listener it connected to */
  SOCKADDR_STORAGE addr;      /* listeners and UDP: the bound address */
  int addrlen;
  /* Sending side of the stream (under lock). */
  unsigned long long tx_next, tx_torn, tx_done;
  int tx_pending;
  /* Receiving side: receives in the order posted, checked in that order. */
  unsigned long long rx_pos, rx_bad;
  LONG64 rx_pub; /* rx_pos, for the peer's flow control */
  struct soak_op *rq_head, *rq_tail;
  int rq_len, rx_unresolved;
  /* Listeners. */
  int ax_pending;
  LONG awaiting;
  /* UDP. */
  unsigned udp_seq;
  int udp_rx, udp_tx;
  /* Waiting to be paired. */
  unsigned short pair_port;
  int pair_client;
} soak_sock_t;

typedef struct soak_conn {
  struct soak_conn *next_all;
  soak_sock_t *end[2]; /* [0] connected, [1] accepted */
  LONG dead;           /* closed during the run */
} soak_conn_t;

typedef struct soak_worker {
  struct soak *S;
  struct soak_worker *next_all;
  HANDLE thread;
  int slot;
  LONG exited;       /* set by the thread itself just before it exits */
  LONG exit_request; /* set by the supervisor */
  int no_routines;   /* no_exit_with_apcs: this one may exit */
  unsigned long long rng;
  ULONGLONG last_sweep;
} soak_worker_t;

typedef struct soak_op {
  WSAOVERLAPPED ov; /* first: the OVERLAPPED is the record */
  unsigned magic;
  struct soak *S;
  struct soak_op *next_all, *prev_p, *next_p, *next_q;
  int in_pending;
  soak_sock_t *sk;  /* the socket it was issued on */
  soak_sock_t *acc; /* AcceptEx: the accepting socket */
  soak_worker_t *issuer;
  DWORD issuer_tid;
  int type, kind, got, port;
  unsigned long long no; /* its number in the table */
  LONG seen;             /* observations: must end at exactly 1 */
  LONG claim;            /* an observer polling it (events, lost ones) */
  LONG cancel;           /* CancelIoEx asked for it, or may have */
  LONG imm;              /* the call returned success: imm_bytes */
  LONG returned;         /* its call has returned, pending or done */
  LONG imm_bytes;
  int resolved; /* receives: observed (under the socket's lock) */
  DWORD status, bytes, flags, len;
  DWORD n_out, rflags;    /* the call's out-parameters */
  unsigned long long off; /* sends: the stream offset */
  char *buf;
  WSABUF wb[4];
  DWORD nwb;
  HANDLE event;
  SOCKADDR_STORAGE from;
  INT fromlen;
} soak_op_t;

typedef struct soak_port {
  HANDLE h;
  int closed, users; /* under the global lock */
} soak_port_t;

typedef struct soak_figures {
  LONG64 issued[SOAK_TYPES];
  LONG64 got[SOAK_GOTS];
  LONG64 cancel_one, cancel_one_hit, cancel_all, cancel_all_hit;
  LONG64 closes, closes_io, closes_io_reqs;
  LONG64 port_closes, port_close_reqs;
  LONG64 exits, exits_apc, exits_apc_reqs;
  LONG64 tcp_bytes, dirs_drained, dirs_torn;
  LONG64 udp_sent, udp_recv, udp_bytes;
  LONG64 conns, conns_v6, surplus;
  LONG64 errors_excused;
  ULONGLONG run_ms, drain_ms, close_ms;
} soak_figures_t;

typedef struct soak {
  const soak_config_t *cfg;
  char name[96];
  CRITICAL_SECTION g; /* tables, lists, ports; taken after a socket's */
  LONG phase, active, stop, failures;
  unsigned long long seed, rng;
  int threads;
  DWORD ms;
  soak_port_t ports[SOAK_MAX_PORTS];
  int nports;
  int have_v6;
  LPFN_ACCEPTEX acceptex[2];
  LPFN_CONNECTEX connectex[2];
  soak_sock_t *listeners[6];
  int nlisteners;
  soak_conn_t *conns[SOAK_MAX_CONNS];
  int nconns, connecting;
  soak_sock_t *pairing[SOAK_MAX_PAIRING];
  int npairing;
  soak_sock_t *udp[2 * SOAK_UDP_PER_AF];
  soak_sock_t **by_uid;
  unsigned char **dgram_seen; /* [uid][seq / 8] */
  unsigned *dgram_cap;
  unsigned nuid, cap_uid;
  soak_op_t *all_ops, *pend_head;
  long npending;
  unsigned long long nops;
  soak_sock_t *all_socks;
  soak_conn_t *all_conns;
  soak_worker_t *all_workers;
  soak_worker_t *slots[SOAK_MAX_THREADS];
  soak_figures_t f;
} soak_t;

/* ---- Small helpers -------------------------------------------------- */

#define SOAK_LOAD(p) InterlockedOr((LONG volatile *)(p), 0)
#define SOAK_ADD(field, n) InterlockedExchangeAdd64(&S->f.field, (LONG64)(n))

static void soak_fail(struct soak *S, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void soak_fail(struct soak *S, const char *fmt, ...) {
  va_list ap;
  LONG n = InterlockedIncrement(&S->failures);
  InterlockedExchange(&S->stop, 1);
  if (n > 25) return;
  va_start(ap, fmt);
  fprintf(stderr, "# soak %s: FAIL: ", S->name);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (seed %llu)\n", S->seed);
  va_end(ap);
}

SOAK_FN unsigned long long soak_rand(unsigned long long *st) {
  unsigned long long x = *st;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *st = x;
  return x * 0x2545F4914F6CDD1DULL;
}

SOAK_FN unsigned soak_below(unsigned long long *st, unsigned n) {
  return n ? (unsigned)((soak_rand(st) >> 11) % n) : 0;
}

/* 1 byte to 64 KiB, small sizes more often. */
SOAK_FN DWORD soak_size(unsigned long long *st) {
  unsigned r = soak_below(st, 10);
  if (r < 5) return 1 + soak_below(st, 1024);
  if (r < 8) return 1 + soak_below(st, 16384);
  return 1 + soak_below(st, 65536);
}

/* The stream's byte at offset p: not periodic below 2^32. */
static inline unsigned char soak_byte(unsigned salt, unsigned long long p) {
  return (unsigned char)(p * 7 + (p >> 8) * 13 + (p >> 16) * 29 +
                         (p >> 24) * 53 + salt * 101);
}

SOAK_FN void soak_fill(char *b, DWORD n, unsigned salt,
                       unsigned long long pos) {
  DWORD i;
  for (i = 0; i < n; i++) b[i] = (char)soak_byte(salt, pos + i);
}

/* The index of the first byte that differs, or -1. */
SOAK_FN long long soak_mismatch(const char *b, DWORD n, unsigned salt,
                                unsigned long long pos) {
  DWORD i;
  for (i = 0; i < n; i++)
    if ((unsigned char)b[i] != soak_byte(salt, pos + i)) return (long long)i;
  return -1;
}

/* buf cut into 1 to 4 WSABUFs of at least one byte each. */
SOAK_FN void soak_split(soak_op_t *op, char *buf, DWORD len,
                        unsigned long long *rng) {
  DWORD n = 1 + soak_below(rng, 4), i, rest = len;
  if (n > len) n = len;
  for (i = 0; i < n; i++) {
    DWORD part = i + 1 == n ? rest : 1 + soak_below(rng, rest - (n - 1 - i));
    op->wb[i].buf = buf;
    op->wb[i].len = part;
    buf += part;
    rest -= part;
  }
  op->nwb = n;
}

SOAK_FN unsigned short soak_port_of(const SOCKADDR_STORAGE *a) {
  if (a->ss_family == AF_INET6)
    return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
  return ntohs(((const struct sockaddr_in *)a)->sin_port);
}

SOAK_FN int soak_loopback(int af, SOCKADDR_STORAGE *a) {
  memset(a, 0, sizeof(*a));
  if (af == AF_INET6) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)a;
    a6->sin6_family = AF_INET6;
    a6->sin6_addr.s6_addr[15] = 1;
    return (int)sizeof(*a6);
  } else {
    struct sockaddr_in *a4 = (struct sockaddr_in *)a;
    a4->sin_family = AF_INET;
    a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return (int)sizeof(*a4);
  }
}

SOAK_FN ULONGLONG soak_now(void) { return GetTickCount64(); }

SOAK_FN DWORD soak_mult(void) {
  const char *m = getenv("WS2_TEST_TIMEOUT_MULT");
  return m && atoi(m) > 1 ? (DWORD)atoi(m) : 1;
}

/* ---- Ports ---------------------------------------------------------- */

/* A port's handle, held until soak_port_leave: 0 when it is closed. */
SOAK_FN int soak_port_enter(soak_t *S, int p, HANDLE *h) {
  int ok = 0;
  EnterCriticalSection(&S->g);
  if (!S->ports[p].closed) {
    S->ports[p].users++;
    *h = S->ports[p].h;
    ok = 1;
  }
  LeaveCriticalSection(&S->g);
  return ok;
}

SOAK_FN void soak_port_leave(soak_t *S, int p) {
  EnterCriticalSection(&S->g);
  S->ports[p].users--;
  LeaveCriticalSection(&S->g);
}

SOAK_FN int soak_port_closed(soak_t *S, int p) {
  int c;
  EnterCriticalSection(&S->g);
  c = S->ports[p].closed;
  LeaveCriticalSection(&S->g);
  return c;
}

/* ---- Sockets -------------------------------------------------------- */

SOAK_FN soak_sock_t *soak_sock_new(soak_t *S, int af, int role, SOCKET s) {
  int type = role == SOAK_UDP ? SOCK_DGRAM : SOCK_STREAM;
  soak_sock_t *sk;
  if (s == INVALID_SOCKET) {
    s = WSASocketW(af, type, type == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP,
                   NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) {
      soak_fail(S, "WSASocketW(%d, %d) failed: %d", af, type,
                WSAGetLastError());
      return NULL;
    }
  }
  if (S->cfg->check_socket) {
    const char *why = S->cfg->check_socket(S->cfg->ctx, s, af, type);
    if (why) soak_fail(S, "a new socket (af %d, type %d): %s", af, type, why);
  }
  sk = (soak_sock_t *)calloc(1, sizeof(*sk));
  if (!sk) {
    soak_fail(S, "out of memory");
    closesocket(s);
    return NULL;
  }
  InitializeCriticalSection(&sk->lock);
  sk->s = s;
  sk->af = af;
  sk->role = role;
  sk->port = -1;
  sk->tx_torn = sk->rx_bad = SOAK_NONE;
  EnterCriticalSection(&S->g);
  if (S->nuid == S->cap_uid) {
    unsigned cap = S->cap_uid ? S->cap_uid * 2 : 256;
    soak_sock_t **v =
        (soak_sock_t **)realloc(S->by_uid, cap * sizeof(*S->by_uid));
    unsigned char **d =
        (unsigned char **)realloc(S->dgram_seen, cap * sizeof(*d));
    unsigned *c = NULL;
    if (v) S->by_uid = v;
    if (d) S->dgram_seen = d;
    if (v && d) c = (unsigned *)realloc(S->dgram_cap, cap * sizeof(*c));
    if (c) S->dgram_cap = c;
    if (!v || !d || !c) {
      LeaveCriticalSection(&S->g);
      soak_fail(S, "out of memory");
      closesocket(s);
      DeleteCriticalSection(&sk->lock);
      free(sk);
      return NULL;
    }
    memset(S->dgram_seen + S->cap_uid, 0,
           (cap - S->cap_uid) * sizeof(*S->dgram_seen));
    memset(S->dgram_cap + S->cap_uid, 0,
           (cap - S->cap_uid) * sizeof(*S->dgram_cap));
    S->cap_uid = cap;
  }
  sk->uid = S->nuid;
  S->by_uid[S->nuid++] = sk;
  sk->next_all = S->all_socks;
  S->all_socks = sk;
  LeaveCriticalSection(&S->g);
  return sk;
}

/* A port (or none), skip-on-success, blocking or not, at random. */
SOAK_FN void soak_props(soak_t *S, unsigned long long *rng, soak_sock_t *sk,
                        int nbio_ok) {
  if (soak_below(rng, 10) < 6) {
    int p = (int)soak_below(rng, (unsigned)S->nports);
    HANDLE h;
    if (soak_port_enter(S, p, &h)) {
      if (CreateIoCompletionPort((HANDLE)sk->s, h, (ULONG_PTR)sk, 0) == h) {
        sk->port = p;
        if (soak_below(rng, 10) < 4) {
          if (SetFileCompletionNotificationModes(
                  (HANDLE)sk->s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS))
            sk->skip = 1;
          else
            soak_fail(S, "SetFileCompletionNotificationModes: %lu",
                      (unsigned long)GetLastError());
        }
      } else if (!soak_port_closed(S, p)) {
        soak_fail(S, "CreateIoCompletionPort(socket): %lu",
                  (unsigned long)GetLastError());
      }
      soak_port_leave(S, p);
    }
  }
  if (nbio_ok && soak_below(rng, 3) == 0) {
    u_long one = 1;
    if (ioctlsocket(sk->s, FIONBIO, &one) == 0)
      sk->nbio = 1;
    else
      soak_fail(S, "ioctlsocket(FIONBIO): %d", WSAGetLastError());
  }
}

/* How many requests of sk are pending (the global lock held). */
static long soak_pending_on(soak_t *S, soak_sock_t *sk, int mark_cancel) {
  soak_op_t *op;
  long n = 0;
  for (op = S->pend_head; op; op = op->next_p)
    if (op->sk == sk) {
      n++;
      if (mark_cancel) InterlockedExchange(&op->cancel, 1);
    }
  return n;
}

/* Closes sk once (0 if it was closed already); *pending gets how many of
 * its requests were in flight. Abortive (SO_LINGER 0) when asked. */
SOAK_FN int soak_close(soak_t *S, soak_sock_t *sk, int abortive,
                       long *pending) {
  long n;
  EnterCriticalSection(&sk->lock);
  if (SOAK_LOAD(&sk->closed)) {
    LeaveCriticalSection(&sk->lock);
    return 0;
  }
  EnterCriticalSection(&S->g);
  n = soak_pending_on(S, sk, 0);
  LeaveCriticalSection(&S->g);
  InterlockedExchange(&sk->closed, 1);
  if (abortive && sk->role == SOAK_TCP) {
    struct linger lg;
    lg.l_onoff = 1;
    lg.l_linger = 0;
    setsockopt(sk->s, SOL_SOCKET, SO_LINGER, (const char *)&lg, sizeof(lg));
  }
  if (closesocket(sk->s) != 0)
    soak_fail(S, "closesocket: %d", WSAGetLastError());
  LeaveCriticalSection(&sk->lock);
  if (pending) *pending = n;
  return 1;
}

/* An error is excused when something the soak did explains it. */
SOAK_FN int soak_excused(soak_t *S, soak_op_t *op, soak_sock_t *sk) {
  if (op && SOAK_LOAD(&op->cancel)) return 1;
  if (SOAK_LOAD(&sk->closed)) return 1;
  if (sk->conn && SOAK_LOAD(&sk->conn->dead)) return 1;
  if (sk->peer && SOAK_LOAD(&sk->peer->closed)) return 1;
  if (sk->listener && SOAK_LOAD(&sk->listener->closed)) return 1;
  if (SOAK_LOAD(&S->phase) >= SOAK_CLOSE) return 1;
  return 0;
}

/* UDP: what a closed destination may cause (ICMP port unreachable):
 * WSAECONNRESET on a receive, as Windows reports it (and on a send, which
 * Microsoft documents too), in its Win32 and NT forms. */
SOAK_FN int soak_reset_error(DWORD e) {
  return e == WSAECONNRESET || e == ERROR_PORT_UNREACHABLE ||
         e == ERROR_NETNAME_DELETED || e == 0xC000023Fu /* PORT_UNREACHABLE */
         || e == 0xC000020Du /* CONNECTION_RESET */;
}

/* ---- The table ------------------------------------------------------ */

/* A new record, in the table and the pending list before its call is
 * made (an observer may see it complete before the call returns). */
SOAK_FN soak_op_t *soak_op_new(soak_t *S, soak_worker_t *w, soak_sock_t *sk,
                               int type, int kind) {
  soak_op_t *op = (soak_op_t *)calloc(1, sizeof(*op));
  if (!op) {
    soak_fail(S, "out of memory");
    return NULL;
  }
  op->magic = SOAK_MAGIC;
  /* Pending from now on (the call sets it again): a sweeper looking for
   * requests whose notification is lost must not take this one for
   * complete before its call is even made. */
  op->ov.Internal = (ULONG_PTR)STATUS_PENDING;
  op->S = S;
  op->sk = sk;
  op->type = type;
  op->kind = kind;
  op->got = -1;
  op->port = kind == SOAK_BY_PORT ? sk->port : -1;
  op->issuer = w;
  op->issuer_tid = GetCurrentThreadId();
  if (kind == SOAK_BY_EVENT) {
    op->event = WSACreateEvent();
    if (op->event == WSA_INVALID_EVENT) {
      soak_fail(S, "WSACreateEvent: %d", WSAGetLastError());
      free(op);
      return NULL;
    }
    /* The low bit: signal the event, queue no packet. */
    op->ov.hEvent = sk->port >= 0
                        ? (HANDLE)((ULONG_PTR)op->event | (ULONG_PTR)1)
                        : op->event;
  }
  EnterCriticalSection(&S->g);
  op->no = ++S->nops;
  op->next_all = S->all_ops;
  S->all_ops = op;
  op->next_p = S->pend_head;
  if (S->pend_head) S->pend_head->prev_p = op;
  S->pend_head = op;
  op->in_pending = 1;
  S->npending++;
  LeaveCriticalSection(&S->g);
  SOAK_ADD(issued[type], 1);
  return op;
}

SOAK_FN void soak_describe(soak_op_t *op, char *out, size_t size) {
  snprintf(out, size,
           "request #%llu (%s, by %s, socket %u%s%s, port %d, thread %lu)",
           op->no, soak_type_names[op->type], soak_kind_names[op->kind],
           op->sk->uid, op->sk->skip ? " skip-on-success" : "",
           op->sk->nbio ? " non-blocking" : "", op->sk->port,
           (unsigned long)op->issuer_tid);
}

static void soak_finish(soak_op_t *op);

/* The one place a request is marked observed. */
SOAK_FN void soak_resolve(soak_op_t *op, int got, DWORD status, DWORD bytes,
                          DWORD flags) {
  soak_t *S = op->S;
  LONG n = InterlockedIncrement(&op->seen);
  if (n != 1) {
    char d[200];
    soak_describe(op, d, sizeof(d));
    soak_fail(S,
              "%s completed twice: first by %s (status %lu, %lu bytes), "
              "then by %s (status %lu, %lu bytes)",
              d, op->got >= 0 ? soak_got_names[op->got] : "?",
              (unsigned long)op->status, (unsigned long)op->bytes,
              soak_got_names[got], (unsigned long)status, (unsigned long)bytes);
    return;
  }
  op->got = got;
  op->status = status;
  op->bytes = bytes;
  op->flags = flags;
  EnterCriticalSection(&S->g);
  if (op->in_pending) {
    if (op->prev_p)
      op->prev_p->next_p = op->next_p;
    else
      S->pend_head = op->next_p;
    if (op->next_p) op->next_p->prev_p = op->prev_p;
    op->in_pending = 0;
    S->npending--;
  }
  LeaveCriticalSection(&S->g);
  SOAK_ADD(got[got], 1);
  /* The event: closed by whoever holds its claim, or now if nobody
   * does (a sweeper holding it closes it at the end instead). */
  if (op->event && (got == SOAK_GOT_EVENT ||
                    InterlockedCompareExchange(&op->claim, 2, 0) == 0)) {
    WSACloseEvent(op->event);
    op->event = NULL;
  }
  soak_finish(op);
}

/* A record whose call was never made (no memory for its buffer). */
SOAK_FN void soak_abandon(soak_op_t *op) {
  soak_fail(op->S, "out of memory");
  op->type = SOAK_TYPES; /* nothing to finish */
  soak_resolve(op, SOAK_GOT_FAILED, 0, 0, 0);
}

/* After the call: success at once, pending, or failed at once. */
SOAK_FN void soak_after_call(soak_op_t *op, int ok, DWORD err, DWORD n) {
  if (ok) {
    if (op->kind == SOAK_BY_PORT && op->sk->skip) {
      soak_resolve(op, SOAK_GOT_INLINE, 0, n, op->rflags);
      return;
    }
    InterlockedExchange(&op->imm_bytes, (LONG)n);
    InterlockedExchange(&op->imm, 1);
  } else if (err != WSA_IO_PENDING) {
    soak_resolve(op, SOAK_GOT_FAILED, err, 0, 0);
    return;
  }
  /* From now on its notification may be found lost (soak_sweep): not
   * before, as a request can show complete in its OVERLAPPED while its
   * call is still running (a layer reported it early; the call then
   * returns success at once, and no packet is due). */
  InterlockedExchange(&op->returned, 1);
}

/* ---- Pairing connections -------------------------------------------- */

SOAK_FN void soak_client_gone(soak_t *S) {
  EnterCriticalSection(&S->g);
  S->connecting--;
  LeaveCriticalSection(&S->g);
}

/* sk (a connected client, or an accepted socket) waits for its other end,
 * found by port; when both are here they become a connection. */
SOAK_FN void soak_pair(soak_t *S, soak_sock_t *sk, int client) {
  SOCKADDR_STORAGE a;
  int alen = (int)sizeof(a), i, r, made = 0, drop = 0;
  unsigned short port;
  soak_sock_t *other = NULL;
  memset(&a, 0, sizeof(a));
  r = client ? getsockname(sk->s, (struct sockaddr *)&a, &alen)
             : getpeername(sk->s, (struct sockaddr *)&a, &alen);
  if (r != 0) {
    if (!soak_excused(S, NULL, sk))
      soak_fail(S, "%s of a new connection: %d",
                client ? "getsockname" : "getpeername", WSAGetLastError());
    soak_close(S, sk, 0, NULL);
    if (client) soak_client_gone(S);
    return;
  }
  port = soak_port_of(&a);
  EnterCriticalSection(&S->g);
  if (SOAK_LOAD(&S->phase) != SOAK_RUN) {
    drop = 1;
  } else {
    for (i = 0; i < S->npairing; i++) {
      soak_sock_t *e = S->pairing[i];
      if (e->af == sk->af && e->pair_port == port && e->pair_client != client)
        break;
    }
    if (i < S->npairing) {
      other = S->pairing[i];
      S->pairing[i] = S->pairing[--S->npairing];
      if (S->nconns < SOAK_MAX_CONNS) {
        soak_conn_t *c = (soak_conn_t *)calloc(1, sizeof(*c));
        if (c) {
          c->end[0] = client ? sk : other;
          c->end[1] = client ? other : sk;
          sk->peer = other;
          other->peer = sk;
          sk->conn = other->conn = c;
          c->next_all = S->all_conns;
          S->all_conns = c;
          S->conns[S->nconns++] = c;
          made = 1;
        }
      }
      S->connecting--;
      if (!made) drop = 2;
    } else if (S->npairing < SOAK_MAX_PAIRING) {
      sk->pair_port = port;
      sk->pair_client = client;
      S->pairing[S->npairing++] = sk;
    } else {
      drop = 1;
    }
  }
  LeaveCriticalSection(&S->g);
  if (made) {
    SOAK_ADD(conns, 1);
    if (sk->af == AF_INET6) SOAK_ADD(conns_v6, 1);
  } else if (drop == 2) {
    SOAK_ADD(surplus, 1);
    soak_close(S, sk, 0, NULL);
    soak_close(S, other, 0, NULL);
  } else if (drop == 1) {
    soak_close(S, sk, 0, NULL);
    if (client) soak_client_gone(S);
  }
}

/* ---- What each completion means ------------------------------------- */

/* The head of sk's receive queue, in order, while observed (sk locked). */
static void soak_rx_check(soak_t *S, soak_sock_t *sk) {
  soak_op_t *h;
  while ((h = sk->rq_head) != NULL && h->resolved) {
    sk->rq_head = h->next_q;
    if (!sk->rq_head) sk->rq_tail = NULL;
    sk->rq_len--;
    if (h->status == 0 && h->bytes == 0) {
      if (!soak_excused(S, h, sk)) {
        char d[200];
        soak_describe(h, d, sizeof(d));
        soak_fail(S, "%s: end of stream on a connection nobody closed", d);
      }
    } else if (h->status == 0) {
      long long bad = -1;
      if (h->bytes > h->len) {
        soak_fail(S, "a receive of %lu bytes got %lu", (unsigned long)h->len,
                  (unsigned long)h->bytes);
      } else if (sk->rx_bad == SOAK_NONE) {
        bad = soak_mismatch(h->buf, h->bytes, sk->peer->uid, sk->rx_pos);
        if (bad >= 0) sk->rx_bad = sk->rx_pos + (unsigned long long)bad;
      }
      sk->rx_pos += h->bytes;
      InterlockedExchange64(&sk->rx_pub, (LONG64)sk->rx_pos);
      SOAK_ADD(tcp_bytes, h->bytes);
    }
    free(h->buf);
    h->buf = NULL;
  }
}

SOAK_FN void soak_check_error(soak_t *S, soak_op_t *op, int udp_resets) {
  char d[200];
  if (op->status == 0) return;
  if (soak_excused(S, op, op->sk) ||
      (udp_resets && soak_reset_error(op->status))) {
    SOAK_ADD(errors_excused, 1);
    return;
  }
  soak_describe(op, d, sizeof(d));
  soak_fail(S,
            "%s failed with %lu (0x%lx), observed by %s, and nothing the "
            "soak did explains it",
            d, (unsigned long)op->status, (unsigned long)op->status,
            soak_got_names[op->got]);
}

/* A datagram: whole, from the address its header names, seen once. */
static void soak_dgram_check(soak_t *S, soak_op_t *op) {
  unsigned hdr[4], src, seq, len;
  soak_sock_t *from;
  char d[200];
  soak_describe(op, d, sizeof(d));
  if (op->bytes < SOAK_HDR) {
    soak_fail(S, "%s: a datagram of %lu bytes", d, (unsigned long)op->bytes);
    return;
  }
  memcpy(hdr, op->buf, sizeof(hdr));
  src = hdr[1];
  seq = hdr[2];
  len = hdr[3];
  if (hdr[0] != SOAK_MAGIC || len != op->bytes) {
    soak_fail(S, "%s: a datagram of %lu bytes with a bad header", d,
              (unsigned long)op->bytes);
    return;
  }
  EnterCriticalSection(&S->g);
  from = src < S->nuid ? S->by_uid[src] : NULL;
  if (from && from->role == SOAK_UDP) {
    unsigned need = seq / 8 + 1;
    if (S->dgram_cap[src] < need) {
      unsigned cap = need * 2 + 64;
      unsigned char *v = (unsigned char *)realloc(S->dgram_seen[src], cap);
      if (v) {
        memset(v + S->dgram_cap[src], 0, cap - S->dgram_cap[src]);
        S->dgram_seen[src] = v;
        S->dgram_cap[src] = cap;
      }
    }
    if (S->dgram_cap[src] >= need) {
      unsigned char bit = (unsigned char)(1u << (seq % 8));
      if (S->dgram_seen[src][seq / 8] & bit) from = NULL;
      S->dgram_seen[src][seq / 8] |= bit;
    }
  }
  LeaveCriticalSection(&S->g);
  if (!from || from->role != SOAK_UDP) {
    soak_fail(S,
              "%s: datagram %u of socket %u received twice, or from "
              "nowhere",
              d, seq, src);
    return;
  }
  if (soak_mismatch(op->buf + SOAK_HDR, op->bytes - SOAK_HDR, (src << 16) ^ seq,
                    0) >= 0)
    soak_fail(S, "%s: datagram %u of socket %u corrupted", d, seq, src);
  if (soak_port_of(&op->from) != soak_port_of(&from->addr) ||
      op->from.ss_family != from->af)
    soak_fail(S, "%s: datagram %u of socket %u came from port %u, not %u", d,
              seq, src, soak_port_of(&op->from), soak_port_of(&from->addr));
  SOAK_ADD(udp_recv, 1);
  SOAK_ADD(udp_bytes, op->bytes);
}

static void soak_finish(soak_op_t *op) {
  soak_t *S = op->S;
  soak_sock_t *sk = op->sk;
  switch (op->type) {
    case SOAK_RECV:
      soak_check_error(S, op, 0);
      EnterCriticalSection(&sk->lock);
      op->resolved = 1;
      sk->rx_unresolved--;
      soak_rx_check(S, sk);
      LeaveCriticalSection(&sk->lock);
      break;
    case SOAK_SEND:
      soak_check_error(S, op, 0);
      EnterCriticalSection(&sk->lock);
      sk->tx_pending--;
      sk->tx_done += op->bytes;
      if (op->status != 0 || op->bytes != op->len) {
        if (op->status == 0 && !soak_excused(S, op, sk)) {
          char d[200];
          soak_describe(op, d, sizeof(d));
          soak_fail(S, "%s succeeded with %lu of %lu bytes", d,
                    (unsigned long)op->bytes, (unsigned long)op->len);
        }
        if (op->off < sk->tx_torn) sk->tx_torn = op->off;
      }
      free(op->buf);
      op->buf = NULL;
      LeaveCriticalSection(&sk->lock);
      break;
    case SOAK_SENDTO:
      soak_check_error(S, op, 1);
      if (op->status == 0 && op->bytes != op->len)
        soak_fail(S, "a datagram of %lu bytes sent as %lu",
                  (unsigned long)op->len, (unsigned long)op->bytes);
      EnterCriticalSection(&sk->lock);
      sk->udp_tx--;
      free(op->buf);
      op->buf = NULL;
      LeaveCriticalSection(&sk->lock);
      break;
    case SOAK_RECVFROM:
      soak_check_error(S, op, 1);
      if (op->status == 0) soak_dgram_check(S, op);
      EnterCriticalSection(&sk->lock);
      sk->udp_rx--;
      free(op->buf);
      op->buf = NULL;
      LeaveCriticalSection(&sk->lock);
      break;
    case SOAK_ACCEPTEX: {
      SOCKET ls;
      int closed;
      soak_check_error(S, op, 0);
      EnterCriticalSection(&sk->lock);
      sk->ax_pending--;
      ls = sk->s;
      closed = SOAK_LOAD(&sk->closed);
      free(op->buf);
      op->buf = NULL;
      if (op->status == 0 && !closed &&
          setsockopt(op->acc->s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                     (const char *)&ls, (int)sizeof(ls)) != 0) {
        soak_fail(S, "SO_UPDATE_ACCEPT_CONTEXT: %d", WSAGetLastError());
        closed = 1;
      }
      LeaveCriticalSection(&sk->lock);
      if (op->status == 0 && !closed)
        soak_pair(S, op->acc, 0);
      else
        soak_close(S, op->acc, 0, NULL);
      break;
    }
    case SOAK_CONNECTEX: {
      int ok = 0;
      soak_check_error(S, op, 0);
      EnterCriticalSection(&sk->lock);
      if (op->status == 0 && !SOAK_LOAD(&sk->closed)) {
        if (setsockopt(sk->s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0) ==
            0)
          ok = 1;
        else
          soak_fail(S, "SO_UPDATE_CONNECT_CONTEXT: %d", WSAGetLastError());
      }
      LeaveCriticalSection(&sk->lock);
      if (ok) {
        if (sk->listener->role == SOAK_LISTEN_ACC)
          InterlockedIncrement(&sk->listener->awaiting);
        soak_pair(S, sk, 1);
      } else {
        soak_close(S, sk, 0, NULL);
        soak_client_gone(S);
      }
      break;
    }
    default:
      break;
  }
}

/* ---- Observers ------------------------------------------------------ */

static void CALLBACK soak_routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov,
                                  DWORD flags) {
  soak_op_t *op = (soak_op_t *)ov;
  if (!op || op->magic != SOAK_MAGIC) {
    fprintf(stderr,
            "# soak: a completion routine for an unknown "
            "OVERLAPPED %p\n",
            (void *)ov);
    abort();
  }
  if (op->kind != SOAK_BY_APC)
    soak_fail(op->S, "request #%llu (by %s) got a completion routine", op->no,
              soak_kind_names[op->kind]);
  if (GetCurrentThreadId() != op->issuer_tid)
    soak_fail(op->S,
              "request #%llu: its routine ran on thread %lu, not on "
              "%lu, which issued it",
              op->no, (unsigned long)GetCurrentThreadId(),
              (unsigned long)op->issuer_tid);
  soak_resolve(op, SOAK_GOT_APC, err, bytes, flags);
}

static void soak_packet(soak_t *S, int p, ULONG_PTR key, LPOVERLAPPED ov,
                        DWORD status, DWORD bytes) {
  soak_op_t *op = (soak_op_t *)ov;
  char d[200];
  if (!op || op->magic != SOAK_MAGIC) {
    soak_fail(S, "a packet with an unknown OVERLAPPED %p (key %p)", (void *)ov,
              (void *)key);
    return;
  }
  soak_describe(op, d, sizeof(d));
  if (op->kind != SOAK_BY_PORT)
    soak_fail(S, "%s: a packet, for a request that asked for none", d);
  else if (op->port != p)
    soak_fail(S, "%s: its packet came to port %d", d, p);
  if (key != (ULONG_PTR)op->sk)
    soak_fail(S, "%s: its packet has key %p, not %p", d, (void *)key,
              (void *)op->sk);
  if (SOAK_LOAD(&op->imm) &&
      (status != 0 || bytes != (DWORD)SOAK_LOAD(&op->imm_bytes)))
    soak_fail(S,
              "%s: returned %ld bytes at once, its packet says %lu "
              "(status %lu)",
              d, (long)SOAK_LOAD(&op->imm_bytes), (unsigned long)bytes,
              (unsigned long)status);
  soak_resolve(op, SOAK_GOT_PACKET, status, bytes, 0);
}

/* An event request whose event is signalled (op claimed). */
static void soak_got_event(soak_t *S, soak_op_t *op) {
  soak_sock_t *sk = op->sk;
  DWORD status = 0, n = 0, fl = 0;
  int used = 0;
  char d[200];
  if (!HasOverlappedIoCompleted(&op->ov)) {
    soak_describe(op, d, sizeof(d));
    soak_fail(S, "%s: its event is signalled, its OVERLAPPED still pending", d);
    InterlockedExchange(&op->claim, 0);
    return;
  }
  EnterCriticalSection(&sk->lock);
  if (!SOAK_LOAD(&sk->closed)) {
    BOOL ok = WSAGetOverlappedResult(sk->s, &op->ov, &n, FALSE, &fl);
    status = ok ? 0 : (DWORD)WSAGetLastError();
    used = 1;
    if (ok != (op->ov.Internal == 0) ||
        (ok && n != (DWORD)op->ov.InternalHigh)) {
      soak_describe(op, d, sizeof(d));
      soak_fail(S,
                "%s: WSAGetOverlappedResult says %d/%lu bytes, the "
                "OVERLAPPED 0x%lx/%lu",
                d, ok, (unsigned long)n, (unsigned long)op->ov.Internal,
                (unsigned long)op->ov.InternalHigh);
    }
  }
  LeaveCriticalSection(&sk->lock);
  if (!used) {
    status = (DWORD)op->ov.Internal;
    n = (DWORD)op->ov.InternalHigh;
  }
  soak_resolve(op, SOAK_GOT_EVENT, status, n, fl);
}

/* Event requests (waited for up to block_ms, alertably when asked) and
 * requests whose notification cannot come any more (their thread exited,
 * their port was closed and nobody holds a packet of it): observed
 * through their OVERLAPPED once it is complete. */
SOAK_FN void soak_sweep(soak_t *S, DWORD block_ms, BOOL alertable) {
  soak_op_t *ev[MAXIMUM_WAIT_OBJECTS], *lost[64], *op;
  HANDLE hs[MAXIMUM_WAIT_OBJECTS];
  int ne = 0, nl = 0, i;
  EnterCriticalSection(&S->g);
  for (op = S->pend_head; op && (ne < MAXIMUM_WAIT_OBJECTS || nl < 64);
       op = op->next_p) {
    if (op->kind == SOAK_BY_EVENT) {
      if (ne < MAXIMUM_WAIT_OBJECTS &&
          InterlockedCompareExchange(&op->claim, 1, 0) == 0) {
        ev[ne] = op;
        hs[ne++] = op->event;
      }
    } else if (nl < 64 && SOAK_LOAD(&op->returned) &&
               ((op->kind == SOAK_BY_APC && SOAK_LOAD(&op->issuer->exited)) ||
                (op->kind == SOAK_BY_PORT && S->ports[op->port].closed &&
                 S->ports[op->port].users == 0)) &&
               InterlockedCompareExchange(&op->claim, 1, 0) == 0) {
      lost[nl++] = op;
    }
  }
  LeaveCriticalSection(&S->g);
  if (ne && block_ms)
    WaitForMultipleObjectsEx((DWORD)ne, hs, FALSE, block_ms, alertable);
  for (i = 0; i < ne; i++) {
    if (WaitForSingleObject(hs[i], 0) == WAIT_OBJECT_0)
      soak_got_event(S, ev[i]);
    else
      InterlockedExchange(&ev[i]->claim, 0);
  }
  for (i = 0; i < nl; i++) {
    op = lost[i];
    if (HasOverlappedIoCompleted(&op->ov))
      soak_resolve(
          op,
          op->kind == SOAK_BY_APC ? SOAK_GOT_LOST_THREAD : SOAK_GOT_LOST_PORT,
          (DWORD)op->ov.Internal, (DWORD)op->ov.InternalHigh, 0);
    else
      InterlockedExchange(&op->claim, 0);
  }
}

/* One wait of a worker, by one of the ways a program waits. */
SOAK_FN void soak_wait(soak_t *S, soak_worker_t *w) {
  unsigned m = soak_below(&w->rng, 10);
  DWORD t = soak_below(&w->rng, 3);
  if (m < 7) {
    int p = (int)soak_below(&w->rng, (unsigned)S->nports);
    HANDLE h;
    DWORD err = 0;
    int failed = 0;
    if (!soak_port_enter(S, p, &h)) {
      p = 0;
      if (!soak_port_enter(S, p, &h)) return;
    }
    if (m < 5) {
      OVERLAPPED_ENTRY e[8];
      ULONG n = 0, i;
      if (GetQueuedCompletionStatusEx(h, e, 8, &n, t, TRUE)) {
        for (i = 0; i < n; i++)
          soak_packet(S, p, e[i].lpCompletionKey, e[i].lpOverlapped,
                      (DWORD)e[i].Internal, e[i].dwNumberOfBytesTransferred);
      } else {
        err = GetLastError();
        failed = err != WAIT_TIMEOUT && err != WAIT_IO_COMPLETION;
      }
    } else {
      DWORD n = 0;
      ULONG_PTR key = 0;
      LPOVERLAPPED ov = NULL;
      BOOL ok = GetQueuedCompletionStatus(h, &n, &key, &ov, t);
      if (ov) {
        soak_packet(S, p, key, ov, ok ? 0 : GetLastError(), n);
      } else if (!ok) {
        err = GetLastError();
        failed = err != WAIT_TIMEOUT;
      }
    }
    if (failed && !(soak_port_closed(S, p) && (err == ERROR_ABANDONED_WAIT_0 ||
                                               err == ERROR_INVALID_HANDLE)))
      soak_fail(S, "waiting on port %d: %lu", p, (unsigned long)err);
    soak_port_leave(S, p);
  } else if (m < 8) {
    SleepEx(t, TRUE);
  } else {
    soak_sweep(S, t, TRUE);
  }
}

/* ---- Issuing -------------------------------------------------------- */

/* How a request on sk asks to be told. No routine on a socket with a
 * port (Windows refuses a completion routine there); AcceptEx and
 * ConnectEx take no routine and are never synchronous. */
SOAK_FN int soak_pick_kind(soak_t *S, soak_worker_t *w, soak_sock_t *sk,
                           int routine_ok, int sync_ok) {
  unsigned r = soak_below(&w->rng, 100);
  if (sk->port >= 0) {
    if (r < 60 && !soak_port_closed(S, sk->port)) return SOAK_BY_PORT;
    if (r < 85 || !sync_ok) return SOAK_BY_EVENT;
    return SOAK_BY_SYNC;
  }
  if (r < 45 && routine_ok && !w->no_routines) return SOAK_BY_APC;
  if (r < 85 || !sync_ok) return SOAK_BY_EVENT;
  return SOAK_BY_SYNC;
}

SOAK_FN int soak_enter(soak_t *S, LONG phase) {
  InterlockedIncrement(&S->active);
  if (SOAK_LOAD(&S->phase) != phase) {
    InterlockedDecrement(&S->active);
    return 0;
  }
  return 1;
}

SOAK_FN void soak_leave(soak_t *S) { InterlockedDecrement(&S->active); }

/* A random end of a live connection (NULL when there is none). */
SOAK_FN soak_sock_t *soak_pick_end(soak_t *S, soak_worker_t *w,
                                   soak_conn_t **conn) {
  soak_sock_t *sk = NULL;
  EnterCriticalSection(&S->g);
  if (S->nconns) {
    soak_conn_t *c = S->conns[soak_below(&w->rng, (unsigned)S->nconns)];
    sk = c->end[soak_below(&w->rng, 2)];
    if (conn) *conn = c;
  }
  LeaveCriticalSection(&S->g);
  return sk;
}

/* A receive on a TCP socket. */
SOAK_FN void soak_recv(soak_t *S, soak_worker_t *w, soak_sock_t *sk,
                       int force_kind) {
  soak_op_t *op;
  DWORD len = soak_size(&w->rng), err = 0;
  int kind, r;
  char *buf;
  EnterCriticalSection(&sk->lock);
  if (SOAK_LOAD(&sk->closed) || sk->rq_len >= SOAK_RQ_MAX) {
    LeaveCriticalSection(&sk->lock);
    return;
  }
  kind = force_kind >= 0 ? force_kind
                         : soak_pick_kind(S, w, sk, 1, sk->rq_len == 0);
  if (kind == SOAK_BY_SYNC) {
    DWORD n = 0, flags = 0;
    WSABUF b[4];
    soak_op_t tmp;
    if (!sk->nbio) {
      u_long avail = 0;
      if (ioctlsocket(sk->s, FIONREAD, &avail) != 0 || avail == 0) {
        LeaveCriticalSection(&sk->lock);
        return; /* a blocking receive would wait */
      }
    }
    if (!(buf = (char *)malloc(len))) {
      LeaveCriticalSection(&sk->lock);
      return;
    }
    soak_split(&tmp, buf, len, &w->rng);
    memcpy(b, tmp.wb, sizeof(b));
    SOAK_ADD(issued[SOAK_RECV], 1);
    SOAK_ADD(got[SOAK_GOT_RETURN], 1);
    r = WSARecv(sk->s, b, tmp.nwb, &n, &flags, NULL, NULL);
    err = r == 0 ? 0 : (DWORD)WSAGetLastError();
    if (r == 0 && n == 0) {
      if (!soak_excused(S, NULL, sk))
        soak_fail(S,
                  "WSARecv on socket %u: end of stream on a connection "
                  "nobody closed",
                  sk->uid);
    } else if (r == 0) {
      if (sk->rx_bad == SOAK_NONE) {
        long long bad = soak_mismatch(buf, n, sk->peer->uid, sk->rx_pos);
        if (bad >= 0) sk->rx_bad = sk->rx_pos + (unsigned long long)bad;
      }
      sk->rx_pos += n;
      InterlockedExchange64(&sk->rx_pub, (LONG64)sk->rx_pos);
      SOAK_ADD(tcp_bytes, n);
    } else if (!(err == WSAEWOULDBLOCK && sk->nbio) &&
               !soak_excused(S, NULL, sk)) {
      soak_fail(S, "WSARecv on socket %u (synchronous%s): %lu", sk->uid,
                sk->nbio ? ", non-blocking" : "", (unsigned long)err);
    }
    free(buf);
    LeaveCriticalSection(&sk->lock);
    return;
  }
  op = soak_op_new(S, w, sk, SOAK_RECV, kind);
  if (!op || !(buf = (char *)malloc(len))) {
    LeaveCriticalSection(&sk->lock);
    if (op) soak_abandon(op);
    return;
  }
  op->buf = buf;
  op->len = len;
  soak_split(op, buf, len, &w->rng);
  if (sk->rq_tail)
    sk->rq_tail->next_q = op;
  else
    sk->rq_head = op;
  sk->rq_tail = op;
  sk->rq_len++;
  sk->rx_unresolved++;
  r = WSARecv(sk->s, op->wb, op->nwb, &op->n_out, &op->rflags, &op->ov,
              kind == SOAK_BY_APC ? soak_routine : NULL);
  err = r == 0 ? 0 : (DWORD)WSAGetLastError();
  LeaveCriticalSection(&sk->lock);
  soak_after_call(op, r == 0, err, op->n_out);
}

/* A send on a TCP socket, of the stream's next bytes. */
SOAK_FN void soak_send(soak_t *S, soak_worker_t *w, soak_sock_t *sk,
                       int force_kind) {
  soak_op_t *op;
  DWORD len = soak_size(&w->rng), err = 0;
  unsigned long long backlog;
  int kind, r, sync_ok;
  char *buf;
  EnterCriticalSection(&sk->lock);
  backlog = sk->tx_next - (unsigned long long)InterlockedCompareExchange64(
                              &sk->peer->rx_pub, 0, 0);
  if (SOAK_LOAD(&sk->closed) || sk->tx_pending >= SOAK_TX_MAX ||
      backlog > SOAK_TX_WINDOW) {
    LeaveCriticalSection(&sk->lock);
    return;
  }
  /* Synchronous only with nothing in flight (the stream's order), and a
   * blocking one only when it cannot wait long. */
  sync_ok = sk->tx_pending == 0 && (sk->nbio || backlog <= 65536);
  kind = force_kind >= 0 ? force_kind : soak_pick_kind(S, w, sk, 1, sync_ok);
  if (kind == SOAK_BY_SYNC) {
    DWORD n = 0;
    soak_op_t tmp;
    if (!sk->nbio && len > 16384) len = 16384;
    if (!(buf = (char *)malloc(len))) {
      LeaveCriticalSection(&sk->lock);
      return;
    }
    soak_fill(buf, len, sk->uid, sk->tx_next);
    soak_split(&tmp, buf, len, &w->rng);
    SOAK_ADD(issued[SOAK_SEND], 1);
    SOAK_ADD(got[SOAK_GOT_RETURN], 1);
    r = WSASend(sk->s, tmp.wb, tmp.nwb, &n, 0, NULL, NULL);
    err = r == 0 ? 0 : (DWORD)WSAGetLastError();
    if (r == 0) {
      if (n > len || (n < len && !sk->nbio))
        soak_fail(S, "WSASend on socket %u (synchronous%s): %lu of %lu bytes",
                  sk->uid, sk->nbio ? ", non-blocking" : "", (unsigned long)n,
                  (unsigned long)len);
      sk->tx_next += n;
      sk->tx_done += n;
    } else if (!(err == WSAEWOULDBLOCK && sk->nbio) &&
               !soak_excused(S, NULL, sk)) {
      soak_fail(S, "WSASend on socket %u (synchronous%s): %lu", sk->uid,
                sk->nbio ? ", non-blocking" : "", (unsigned long)err);
    }
    free(buf);
    LeaveCriticalSection(&sk->lock);
    return;
  }
  op = soak_op_new(S, w, sk, SOAK_SEND, kind);
  if (!op || !(buf = (char *)malloc(len))) {
    LeaveCriticalSection(&sk->lock);
    if (op) soak_abandon(op);
    return;
  }
  op->buf = buf;
  op->len = len;
  op->off = sk->tx_next;
  soak_fill(buf, len, sk->uid, sk->tx_next);
  soak_split(op, buf, len, &w->rng);
  sk->tx_next += len;
  sk->tx_pending++;
  r = WSASend(sk->s, op->wb, op->nwb, &op->n_out, 0, &op->ov,
              kind == SOAK_BY_APC ? soak_routine : NULL);
  err = r == 0 ? 0 : (DWORD)WSAGetLastError();
  LeaveCriticalSection(&sk->lock);
  soak_after_call(op, r == 0, err, op->n_out);
}

/* A random open UDP socket of family af (any family when af is 0). */
SOAK_FN soak_sock_t *soak_pick_udp(soak_t *S, soak_worker_t *w, int af) {
  soak_sock_t *u = NULL;
  int i, tries;
  EnterCriticalSection(&S->g);
  for (tries = 0; tries < 6 && !u; tries++) {
    i = (int)soak_below(&w->rng, 2 * SOAK_UDP_PER_AF);
    if (S->udp[i] && (!af || S->udp[i]->af == af)) u = S->udp[i];
  }
  LeaveCriticalSection(&S->g);
  return u;
}

SOAK_FN void soak_recvfrom(soak_t *S, soak_worker_t *w, soak_sock_t *sk) {
  soak_op_t *op;
  DWORD err = 0;
  int kind, r;
  EnterCriticalSection(&sk->lock);
  if (SOAK_LOAD(&sk->closed) || sk->udp_rx >= 2) {
    LeaveCriticalSection(&sk->lock);
    return;
  }
  kind = soak_pick_kind(S, w, sk, 1, sk->nbio);
  if (kind == SOAK_BY_SYNC) {
    char buf[SOAK_UDP_BUF];
    soak_op_t tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.S = S;
    tmp.sk = sk;
    tmp.type = SOAK_RECVFROM;
    tmp.kind = kind;
    tmp.got = SOAK_GOT_RETURN;
    tmp.buf = buf;
    tmp.fromlen = (INT)sizeof(tmp.from);
    soak_split(&tmp, buf, sizeof(buf), &w->rng);
    SOAK_ADD(issued[SOAK_RECVFROM], 1);
    SOAK_ADD(got[SOAK_GOT_RETURN], 1);
    r = WSARecvFrom(sk->s, tmp.wb, tmp.nwb, &tmp.bytes, &tmp.rflags,
                    (struct sockaddr *)&tmp.from, &tmp.fromlen, NULL, NULL);
    tmp.status = r == 0 ? 0 : (DWORD)WSAGetLastError();
    LeaveCriticalSection(&sk->lock);
    if (r == 0)
      soak_dgram_check(S, &tmp);
    else if (tmp.status != WSAEWOULDBLOCK)
      soak_check_error(S, &tmp, 1);
    return;
  }
  op = soak_op_new(S, w, sk, SOAK_RECVFROM, kind);
  if (!op || !(op->buf = (char *)malloc(SOAK_UDP_BUF))) {
    LeaveCriticalSection(&sk->lock);
    if (op) soak_abandon(op);
    return;
  }
  op->len = SOAK_UDP_BUF;
  op->fromlen = (INT)sizeof(op->from);
  soak_split(op, op->buf, SOAK_UDP_BUF, &w->rng);
  sk->udp_rx++;
  r = WSARecvFrom(sk->s, op->wb, op->nwb, &op->n_out, &op->rflags,
                  (struct sockaddr *)&op->from, &op->fromlen, &op->ov,
                  kind == SOAK_BY_APC ? soak_routine : NULL);
  err = r == 0 ? 0 : (DWORD)WSAGetLastError();
  LeaveCriticalSection(&sk->lock);
  soak_after_call(op, r == 0, err, op->n_out);
}

SOAK_FN void soak_sendto(soak_t *S, soak_worker_t *w, soak_sock_t *sk) {
  soak_sock_t *dst = soak_pick_udp(S, w, sk->af);
  SOCKADDR_STORAGE to;
  int tolen, kind, r;
  DWORD len, err = 0;
  unsigned hdr[4];
  soak_op_t *op;
  char *buf;
  if (!dst) return;
  to = dst->addr; /* fixed once the socket is published */
  tolen = dst->addrlen;
  EnterCriticalSection(&sk->lock);
  if (SOAK_LOAD(&sk->closed) || sk->udp_tx >= 3) {
    LeaveCriticalSection(&sk->lock);
    return;
  }
  len = SOAK_HDR + soak_below(&w->rng, SOAK_UDP_MAX + 1);
  if (!(buf = (char *)malloc(len))) {
    LeaveCriticalSection(&sk->lock);
    return;
  }
  hdr[0] = SOAK_MAGIC;
  hdr[1] = sk->uid;
  hdr[2] = sk->udp_seq++;
  hdr[3] = len;
  memcpy(buf, hdr, sizeof(hdr));
  soak_fill(buf + SOAK_HDR, len - SOAK_HDR, (sk->uid << 16) ^ hdr[2], 0);
  kind = soak_pick_kind(S, w, sk, 1, 1);
  if (kind == SOAK_BY_SYNC) {
    soak_op_t tmp;
    DWORD n = 0;
    soak_split(&tmp, buf, len, &w->rng);
    SOAK_ADD(issued[SOAK_SENDTO], 1);
    SOAK_ADD(got[SOAK_GOT_RETURN], 1);
    r = WSASendTo(sk->s, tmp.wb, tmp.nwb, &n, 0, (struct sockaddr *)&to, tolen,
                  NULL, NULL);
    err = r == 0 ? 0 : (DWORD)WSAGetLastError();
    if (r == 0 && n != len)
      soak_fail(S, "WSASendTo: %lu of %lu bytes", (unsigned long)n,
                (unsigned long)len);
    else if (r != 0 && !(err == WSAEWOULDBLOCK && sk->nbio) &&
             !soak_reset_error(err) && !soak_excused(S, NULL, sk))
      soak_fail(S, "WSASendTo on socket %u (synchronous): %lu", sk->uid,
                (unsigned long)err);
    if (r == 0) SOAK_ADD(udp_sent, 1);
    free(buf);
    LeaveCriticalSection(&sk->lock);
    return;
  }
  op = soak_op_new(S, w, sk, SOAK_SENDTO, kind);
  if (!op) {
    free(buf);
    LeaveCriticalSection(&sk->lock);
    return;
  }
  op->buf = buf;
  op->len = len;
  soak_split(op, buf, len, &w->rng);
  sk->udp_tx++;
  SOAK_ADD(udp_sent, 1);
  r = WSASendTo(sk->s, op->wb, op->nwb, &op->n_out, 0, (struct sockaddr *)&to,
                tolen, &op->ov, kind == SOAK_BY_APC ? soak_routine : NULL);
  err = r == 0 ? 0 : (DWORD)WSAGetLastError();
  LeaveCriticalSection(&sk->lock);
  soak_after_call(op, r == 0, err, op->n_out);
}

/* A new connection: blocking connect, non-blocking connect + WSAPoll, or
 * ConnectEx, to one of the listeners. */
SOAK_FN void soak_connect(soak_t *S, soak_worker_t *w) {
  soak_sock_t *L, *sk;
  int how = (int)soak_below(&w->rng, 3), r;
  DWORD err = 0;
  EnterCriticalSection(&S->g);
  if (S->nconns + S->connecting >= SOAK_MAX_CONNS ||
      S->connecting >= SOAK_MAX_CONNECTING) {
    LeaveCriticalSection(&S->g);
    return;
  }
  S->connecting++;
  L = S->listeners[soak_below(&w->rng, (unsigned)S->nlisteners)];
  LeaveCriticalSection(&S->g);
  if (!(sk = soak_sock_new(S, L->af, SOAK_TCP, INVALID_SOCKET))) {
    soak_client_gone(S);
    return;
  }
  sk->listener = L;
  soak_props(S, &w->rng, sk, 0);
  if (how == 2) {
    SOCKADDR_STORAGE a;
    int alen = soak_loopback(sk->af, &a);
    int kind = sk->port >= 0 && !soak_port_closed(S, sk->port)
                   ? (soak_below(&w->rng, 3) ? SOAK_BY_PORT : SOAK_BY_EVENT)
                   : SOAK_BY_EVENT;
    soak_op_t *op;
    BOOL ok;
    if (bind(sk->s, (struct sockaddr *)&a, alen) != 0) {
      soak_fail(S, "bind before ConnectEx: %d", WSAGetLastError());
      soak_close(S, sk, 0, NULL);
      soak_client_gone(S);
      return;
    }
    EnterCriticalSection(&sk->lock);
    if (!(op = soak_op_new(S, w, sk, SOAK_CONNECTEX, kind))) {
      LeaveCriticalSection(&sk->lock);
      soak_close(S, sk, 0, NULL);
      soak_client_gone(S);
      return;
    }
    ok = S->connectex[sk->af == AF_INET6](sk->s, (struct sockaddr *)&L->addr,
                                          L->addrlen, NULL, 0, &op->n_out,
                                          &op->ov);
    err = ok ? 0 : (DWORD)WSAGetLastError();
    LeaveCriticalSection(&sk->lock);
    soak_after_call(op, ok, err, op->n_out);
    return;
  }
  if (how == 0) {
    SOAK_ADD(issued[SOAK_CONNECT], 1);
    SOAK_ADD(got[SOAK_GOT_RETURN], 1);
    r = connect(sk->s, (struct sockaddr *)&L->addr, L->addrlen);
    err = r == 0 ? 0 : (DWORD)WSAGetLastError();
  } else {
    u_long one = 1;
    SOAK_ADD(issued[SOAK_CONNECT_NB], 1);
    SOAK_ADD(got[SOAK_GOT_RETURN], 1);
    ioctlsocket(sk->s, FIONBIO, &one);
    r = connect(sk->s, (struct sockaddr *)&L->addr, L->addrlen);
    err = r == 0 ? 0 : (DWORD)WSAGetLastError();
    if (r != 0 && err == WSAEWOULDBLOCK) {
      WSAPOLLFD pfd;
      int soerr = 0, slen = (int)sizeof(soerr);
      pfd.fd = sk->s;
      pfd.events = POLLWRNORM;
      pfd.revents = 0;
      r = WSAPoll(&pfd, 1, 5000 * (INT)soak_mult());
      if (r != 1)
        err = r == 0 ? WSAETIMEDOUT : (DWORD)WSAGetLastError();
      else if (getsockopt(sk->s, SOL_SOCKET, SO_ERROR, (char *)&soerr, &slen) !=
               0)
        err = (DWORD)WSAGetLastError();
      else
        err = (DWORD)soerr;
      r = err ? SOCKET_ERROR : 0;
    }
  }
  if (r != 0) {
    soak_fail(S, "%s to a listener on loopback: %lu",
              how ? "non-blocking connect" : "connect", (unsigned long)err);
    soak_close(S, sk, 0, NULL);
    soak_client_gone(S);
    return;
  }
  {
    u_long nb = soak_below(&w->rng, 3) == 0;
    if (ioctlsocket(sk->s, FIONBIO, &nb) != 0)
      soak_fail(S, "ioctlsocket(FIONBIO): %d", WSAGetLastError());
    sk->nbio = (int)nb;
  }
  if (L->role == SOAK_LISTEN_ACC) InterlockedIncrement(&L->awaiting);
  soak_pair(S, sk, 1);
}

/* The accepting side: an AcceptEx posted, or accept() when a client
 * waits. */
SOAK_FN void soak_accept(soak_t *S, soak_worker_t *w) {
  soak_sock_t *L, *acc;
  EnterCriticalSection(&S->g);
  L = S->listeners[soak_below(&w->rng, (unsigned)S->nlisteners)];
  LeaveCriticalSection(&S->g);
  if (L->role == SOAK_LISTEN_ACC) {
    SOCKET a;
    DWORD err;
    if (SOAK_LOAD(&L->awaiting) <= 0 && soak_below(&w->rng, 8)) return;
    EnterCriticalSection(&L->lock);
    if (SOAK_LOAD(&L->closed)) {
      LeaveCriticalSection(&L->lock);
      return;
    }
    SOAK_ADD(issued[SOAK_ACCEPT], 1);
    SOAK_ADD(got[SOAK_GOT_RETURN], 1);
    a = accept(L->s, NULL, NULL);
    err = a == INVALID_SOCKET ? (DWORD)WSAGetLastError() : 0;
    LeaveCriticalSection(&L->lock);
    if (a == INVALID_SOCKET) {
      if (err != WSAEWOULDBLOCK)
        soak_fail(S, "accept on a non-blocking listener: %lu",
                  (unsigned long)err);
      return;
    }
    InterlockedDecrement(&L->awaiting);
    if (!(acc = soak_sock_new(S, L->af, SOAK_TCP, a))) return;
    acc->listener = L;
    soak_props(S, &w->rng, acc, 0);
    {
      u_long nb = soak_below(&w->rng, 3) == 0;
      if (ioctlsocket(acc->s, FIONBIO, &nb) != 0)
        soak_fail(S, "ioctlsocket(FIONBIO): %d", WSAGetLastError());
      acc->nbio = (int)nb;
    }
    soak_pair(S, acc, 0);
    return;
  }
  /* AcceptEx: at most two posted per listener. */
  {
    soak_op_t *op;
    int kind;
    BOOL ok;
    DWORD err;
    const DWORD alen = (DWORD)sizeof(SOCKADDR_STORAGE) + 16;
    EnterCriticalSection(&L->lock);
    if (SOAK_LOAD(&L->closed) || L->ax_pending >= 2) {
      LeaveCriticalSection(&L->lock);
      return;
    }
    LeaveCriticalSection(&L->lock);
    if (!(acc = soak_sock_new(S, L->af, SOAK_TCP, INVALID_SOCKET))) return;
    acc->listener = L;
    soak_props(S, &w->rng, acc, 1);
    EnterCriticalSection(&L->lock);
    if (SOAK_LOAD(&L->closed) || L->ax_pending >= 2) {
      LeaveCriticalSection(&L->lock);
      soak_close(S, acc, 0, NULL);
      return;
    }
    kind =
        L->port >= 0 && !soak_port_closed(S, L->port) && soak_below(&w->rng, 3)
            ? SOAK_BY_PORT
            : SOAK_BY_EVENT;
    op = soak_op_new(S, w, L, SOAK_ACCEPTEX, kind);
    if (!op || !(op->buf = (char *)malloc(2 * alen))) {
      LeaveCriticalSection(&L->lock);
      soak_close(S, acc, 0, NULL);
      if (op) soak_abandon(op);
      return;
    }
    op->acc = acc;
    L->ax_pending++;
    ok = S->acceptex[L->af == AF_INET6](L->s, acc->s, op->buf, 0, alen, alen,
                                        &op->n_out, &op->ov);
    err = ok ? 0 : (DWORD)WSAGetLastError();
    LeaveCriticalSection(&L->lock);
    soak_after_call(op, ok, err, op->n_out);
  }
}

/* CancelIoEx of one pending request, or of all of one socket's. */
SOAK_FN void soak_cancel(soak_t *S, soak_worker_t *w, int all) {
  soak_op_t *op = NULL;
  soak_sock_t *sk;
  unsigned k;
  EnterCriticalSection(&S->g);
  if (S->npending) {
    k = soak_below(&w->rng, S->npending < 64 ? (unsigned)S->npending : 64);
    for (op = S->pend_head; op && k; op = op->next_p) k--;
  }
  LeaveCriticalSection(&S->g);
  if (!op) return;
  sk = op->sk;
  EnterCriticalSection(&sk->lock);
  if (!SOAK_LOAD(&sk->closed)) {
    BOOL ok;
    DWORD err;
    if (all) {
      EnterCriticalSection(&S->g);
      soak_pending_on(S, sk, 1);
      LeaveCriticalSection(&S->g);
      ok = CancelIoEx((HANDLE)sk->s, NULL);
    } else {
      InterlockedExchange(&op->cancel, 1);
      ok = CancelIoEx((HANDLE)sk->s, &op->ov);
    }
    err = ok ? 0 : GetLastError();
    if (all) {
      SOAK_ADD(cancel_all, 1);
      if (ok) SOAK_ADD(cancel_all_hit, 1);
    } else {
      SOAK_ADD(cancel_one, 1);
      if (ok) SOAK_ADD(cancel_one_hit, 1);
    }
    if (!ok && err != ERROR_NOT_FOUND)
      soak_fail(S, "CancelIoEx(socket %u, %s): %lu", sk->uid,
                all ? "NULL" : "one request", (unsigned long)err);
  }
  LeaveCriticalSection(&sk->lock);
}

/* closesocket of both ends of a live connection, requests in flight. */
SOAK_FN void soak_close_conn(soak_t *S, soak_worker_t *w) {
  soak_conn_t *c = NULL;
  int i, first;
  EnterCriticalSection(&S->g);
  if (S->nconns > 2) {
    i = (int)soak_below(&w->rng, (unsigned)S->nconns);
    c = S->conns[i];
    S->conns[i] = S->conns[--S->nconns];
    InterlockedExchange(&c->dead, 1);
  }
  LeaveCriticalSection(&S->g);
  if (!c) return;
  first = (int)soak_below(&w->rng, 2);
  for (i = 0; i < 2; i++) {
    long pending = 0;
    if (soak_close(S, c->end[first ^ i], soak_below(&w->rng, 3) == 0,
                   &pending)) {
      SOAK_ADD(closes, 1);
      if (pending) {
        SOAK_ADD(closes_io, 1);
        SOAK_ADD(closes_io_reqs, pending);
      }
    }
  }
}

SOAK_FN soak_sock_t *soak_udp_open(soak_t *S, unsigned long long *rng, int af) {
  soak_sock_t *u = soak_sock_new(S, af, SOAK_UDP, INVALID_SOCKET);
  if (!u) return NULL;
  soak_props(S, rng, u, 1);
  u->addrlen = soak_loopback(af, &u->addr);
  if (bind(u->s, (struct sockaddr *)&u->addr, u->addrlen) != 0 ||
      getsockname(u->s, (struct sockaddr *)&u->addr, &u->addrlen) != 0) {
    soak_fail(S, "bind/getsockname of a UDP socket: %d", WSAGetLastError());
    soak_close(S, u, 0, NULL);
    return NULL;
  }
  return u;
}

/* closesocket of a UDP socket, or a new one in an empty slot. */
SOAK_FN void soak_udp_churn(soak_t *S, soak_worker_t *w, int close_one) {
  int i = (int)soak_below(&w->rng, 2 * SOAK_UDP_PER_AF);
  soak_sock_t *u;
  if (i >= SOAK_UDP_PER_AF && !S->have_v6) i -= SOAK_UDP_PER_AF;
  EnterCriticalSection(&S->g);
  u = S->udp[i];
  if (close_one) S->udp[i] = NULL;
  LeaveCriticalSection(&S->g);
  if (close_one) {
    long pending = 0;
    if (u && soak_close(S, u, 0, &pending)) {
      SOAK_ADD(closes, 1);
      if (pending) {
        SOAK_ADD(closes_io, 1);
        SOAK_ADD(closes_io_reqs, pending);
      }
    }
    return;
  }
  if (u) return;
  u = soak_udp_open(S, &w->rng, i < SOAK_UDP_PER_AF ? AF_INET : AF_INET6);
  if (!u) return;
  EnterCriticalSection(&S->g);
  if (!S->udp[i]) {
    S->udp[i] = u;
    u = NULL;
  }
  LeaveCriticalSection(&S->g);
  if (u) soak_close(S, u, 0, NULL);
}

SOAK_FN void soak_random_op(soak_t *S, soak_worker_t *w) {
  unsigned r = soak_below(&w->rng, 1000);
  soak_sock_t *sk;
  if (!soak_enter(S, SOAK_RUN)) return;
  if (r < 300) {
    if ((sk = soak_pick_end(S, w, NULL)) != NULL) soak_recv(S, w, sk, -1);
  } else if (r < 580) {
    if ((sk = soak_pick_end(S, w, NULL)) != NULL) soak_send(S, w, sk, -1);
  } else if (r < 640) {
    if ((sk = soak_pick_udp(S, w, 0)) != NULL) soak_recvfrom(S, w, sk);
  } else if (r < 700) {
    if ((sk = soak_pick_udp(S, w, 0)) != NULL) soak_sendto(S, w, sk);
  } else if (r < 760) {
    soak_connect(S, w);
  } else if (r < 830) {
    soak_accept(S, w);
  } else if (r < 855) {
    soak_cancel(S, w, 0);
  } else if (r < 862) {
    soak_cancel(S, w, 1);
  } else if (r < 867) {
    soak_close_conn(S, w);
  } else if (r < 869) {
    soak_udp_churn(S, w, 1);
  } else if (r < 885) {
    soak_udp_churn(S, w, 0);
  }
  soak_leave(S);
}

/* The end: receives on every open connection that has none posted, so
 * that what was sent is read to the end. */
SOAK_FN void soak_drain_step(soak_t *S, soak_worker_t *w) {
  int i;
  if (!soak_enter(S, SOAK_DRAIN)) return;
  for (i = 0; i < 4; i++) {
    soak_sock_t *sk = soak_pick_end(S, w, NULL);
    int want;
    if (!sk) break;
    EnterCriticalSection(&sk->lock);
    want = !SOAK_LOAD(&sk->closed) && sk->rx_unresolved == 0;
    LeaveCriticalSection(&sk->lock);
    if (want) soak_recv(S, w, sk, -1);
  }
  soak_leave(S);
}

/* ---- Workers -------------------------------------------------------- */

/* A worker leaving with completion routines behind: sends with a routine
 * (which often complete at once, so their routine is already queued),
 * then out without another alertable wait. */
static void soak_retire(soak_t *S, soak_worker_t *w) {
  soak_op_t *op;
  long napc = 0;
  int i;
  if (!S->cfg->no_exit_with_apcs) {
    for (i = 0; i < 4; i++) {
      soak_sock_t *sk = soak_pick_end(S, w, NULL);
      if (sk && sk->port < 0 && soak_enter(S, SOAK_RUN)) {
        soak_send(S, w, sk, SOAK_BY_APC);
        soak_leave(S);
      }
    }
  }
  EnterCriticalSection(&S->g);
  for (op = S->pend_head; op; op = op->next_p) {
    if (op->issuer != w) continue;
    if (op->kind == SOAK_BY_APC) napc++;
    /* Windows cancels a thread's requests on handles without a port
     * when it exits; ws2 does not. Either is excused. */
    if (op->sk->port < 0) InterlockedExchange(&op->cancel, 1);
  }
  LeaveCriticalSection(&S->g);
  if (napc && S->cfg->no_exit_with_apcs)
    soak_fail(S, "a worker left with %ld routines pending", napc);
  SOAK_ADD(exits, 1);
  if (napc) {
    SOAK_ADD(exits_apc, 1);
    SOAK_ADD(exits_apc_reqs, napc);
  }
}

static DWORD WINAPI soak_worker_main(LPVOID arg) {
  soak_worker_t *w = (soak_worker_t *)arg;
  soak_t *S = w->S;
  for (;;) {
    LONG ph = SOAK_LOAD(&S->phase);
    ULONGLONG now;
    if (ph >= SOAK_QUIT) break;
    if (ph == SOAK_RUN) {
      int i, n = 1 + (int)soak_below(&w->rng, 3);
      if (SOAK_LOAD(&w->exit_request)) {
        soak_retire(S, w);
        InterlockedExchange(&w->exited, 1);
        if (soak_below(&w->rng, 2)) ExitThread(1);
        return 1;
      }
      for (i = 0; i < n; i++) soak_random_op(S, w);
    } else if (ph == SOAK_DRAIN) {
      soak_drain_step(S, w);
    }
    soak_wait(S, w);
    now = soak_now();
    if (now - w->last_sweep >= 5) {
      w->last_sweep = now;
      soak_sweep(S, 0, FALSE);
    }
  }
  InterlockedExchange(&w->exited, 1);
  return 0;
}

SOAK_FN void soak_spawn(soak_t *S, int slot) {
  soak_worker_t *w = (soak_worker_t *)calloc(1, sizeof(*w));
  if (!w) {
    soak_fail(S, "out of memory");
    return;
  }
  w->S = S;
  w->slot = slot;
  w->no_routines = S->cfg->no_exit_with_apcs && (slot & 1);
  w->rng = soak_rand(&S->rng) | 1;
  w->next_all = S->all_workers;
  S->all_workers = w;
  S->slots[slot] = w;
  w->thread = CreateThread(NULL, 0, soak_worker_main, w, 0, NULL);
  if (!w->thread) {
    soak_fail(S, "CreateThread: %lu", (unsigned long)GetLastError());
    InterlockedExchange(&w->exited, 1);
  }
}

/* Replaces workers that have exited (joined first). */
SOAK_FN void soak_respawn(soak_t *S) {
  int i;
  for (i = 0; i < S->threads; i++) {
    soak_worker_t *w = S->slots[i];
    if (!w || !SOAK_LOAD(&w->exited)) continue;
    if (w->thread) {
      if (WaitForSingleObject(w->thread, 0) != WAIT_OBJECT_0) continue;
      CloseHandle(w->thread);
      w->thread = NULL;
    }
    if (SOAK_LOAD(&S->phase) < SOAK_QUIT) soak_spawn(S, i);
  }
}

/* ---- The supervisor ------------------------------------------------- */

SOAK_FN soak_sock_t *soak_listener(soak_t *S, int af, int role, int port) {
  soak_sock_t *L = soak_sock_new(S, af, role, INVALID_SOCKET);
  if (!L) return NULL;
  L->addrlen = soak_loopback(af, &L->addr);
  if (bind(L->s, (struct sockaddr *)&L->addr, L->addrlen) != 0 ||
      listen(L->s, SOMAXCONN) != 0 ||
      getsockname(L->s, (struct sockaddr *)&L->addr, &L->addrlen) != 0) {
    soak_fail(S, "a listener on loopback: %d", WSAGetLastError());
    return L;
  }
  if (port >= 0) {
    if (CreateIoCompletionPort((HANDLE)L->s, S->ports[port].h, (ULONG_PTR)L,
                               0) != S->ports[port].h)
      soak_fail(S, "CreateIoCompletionPort(listener): %lu",
                (unsigned long)GetLastError());
    L->port = port;
    if (soak_below(&S->rng, 2) &&
        SetFileCompletionNotificationModes(
            (HANDLE)L->s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS))
      L->skip = 1;
  }
  if (role == SOAK_LISTEN_ACC) {
    u_long one = 1;
    ioctlsocket(L->s, FIONBIO, &one);
    L->nbio = 1;
  }
  S->listeners[S->nlisteners++] = L;
  return L;
}

SOAK_FN void *soak_ext(soak_t *S, SOCKET s, GUID id) {
  void *fn = NULL;
  DWORD n = 0;
  if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id), &fn,
               sizeof(fn), &n, NULL, NULL) != 0 ||
      !fn)
    soak_fail(S, "SIO_GET_EXTENSION_FUNCTION_POINTER: %d", WSAGetLastError());
  return fn;
}

/* Every untorn direction of every open connection read to the end. */
SOAK_FN int soak_converged(soak_t *S, int report) {
  soak_conn_t *c, *head;
  int ok = 1, d;
  EnterCriticalSection(&S->g);
  head = S->all_conns;
  LeaveCriticalSection(&S->g);
  for (c = head; c; c = c->next_all) {
    if (SOAK_LOAD(&c->dead)) continue;
    for (d = 0; d < 2; d++) {
      soak_sock_t *tx = c->end[d], *rx = c->end[1 - d];
      unsigned long long next, torn, pos;
      int pending, rq;
      EnterCriticalSection(&tx->lock);
      next = tx->tx_next;
      torn = tx->tx_torn;
      pending = tx->tx_pending;
      LeaveCriticalSection(&tx->lock);
      EnterCriticalSection(&rx->lock);
      pos = rx->rx_pos;
      rq = rx->rq_len;
      LeaveCriticalSection(&rx->lock);
      if (torn != SOAK_NONE) continue;
      if (pending || pos != next) {
        ok = 0;
        if (report)
          soak_fail(S,
                    "connection %u->%u not drained: %llu of %llu bytes "
                    "received, %d sends and %d receives in flight",
                    tx->uid, rx->uid, pos, next, pending, rq);
      }
    }
  }
  return ok;
}

/* Waits (supervising) until cond(S) or the deadline; 1 if it held. */
SOAK_FN int soak_until(soak_t *S, int (*cond)(soak_t *), DWORD ms) {
  ULONGLONG end = soak_now() + ms;
  for (;;) {
    if (cond(S)) return 1;
    if (soak_now() >= end) return 0;
    soak_respawn(S);
    Sleep(1);
  }
}

SOAK_FN int soak_no_active(soak_t *S) { return SOAK_LOAD(&S->active) == 0; }
SOAK_FN int soak_drained(soak_t *S) { return soak_converged(S, 0); }
SOAK_FN int soak_all_observed(soak_t *S) {
  long n;
  EnterCriticalSection(&S->g);
  n = S->npending;
  LeaveCriticalSection(&S->g);
  return n == 0;
}

SOAK_FN void soak_print(soak_t *S) {
  soak_figures_t *f = &S->f;
  LONG64 total = 0;
  int i;
  printf(
      "# soak %s: %d threads, %d ports, %.2f s running, %.2f s draining, "
      "%.2f s closing\n",
      S->name, S->threads, S->nports, (double)f->run_ms / 1000,
      (double)f->drain_ms / 1000, (double)f->close_ms / 1000);
  printf("#   operations:");
  for (i = 0; i < SOAK_TYPES; i++) {
    printf(" %s %lld%s", soak_type_names[i], (long long)f->issued[i],
           i + 1 < SOAK_TYPES ? "," : "");
    total += f->issued[i];
  }
  printf(" (%lld in all, %llu with a record)\n", (long long)total, S->nops);
  printf("#   completions:");
  for (i = 0; i < SOAK_GOTS; i++)
    printf(" %s %lld%s", soak_got_names[i], (long long)f->got[i],
           i + 1 < SOAK_GOTS ? "," : "\n");
  printf(
      "#   CancelIoEx: %lld of one request (%lld found it), %lld of all "
      "(%lld found some); errors they or closes explain: %lld\n",
      (long long)f->cancel_one, (long long)f->cancel_one_hit,
      (long long)f->cancel_all, (long long)f->cancel_all_hit,
      (long long)f->errors_excused);
  printf(
      "#   closesocket during the run: %lld (%lld with %lld requests in "
      "flight); ports closed: %lld (%lld requests pending on them)\n",
      (long long)f->closes, (long long)f->closes_io,
      (long long)f->closes_io_reqs, (long long)f->port_closes,
      (long long)f->port_close_reqs);
  printf(
      "#   threads exited: %lld (%lld leaving %lld completion routines "
      "behind)\n",
      (long long)f->exits, (long long)f->exits_apc,
      (long long)f->exits_apc_reqs);
  printf(
      "#   TCP: %lld connections (%lld over ::1, %lld surplus closed), "
      "%lld bytes received and checked, %lld directions drained to the "
      "byte, %lld torn by cancel or close\n",
      (long long)f->conns, (long long)f->conns_v6, (long long)f->surplus,
      (long long)f->tcp_bytes, (long long)f->dirs_drained,
      (long long)f->dirs_torn);
  printf(
      "#   UDP: %lld datagrams sent, %lld received and checked (%lld "
      "bytes)\n",
      (long long)f->udp_sent, (long long)f->udp_recv, (long long)f->udp_bytes);
}

/* The final account, once every worker is joined. */
SOAK_FN void soak_account(soak_t *S) {
  soak_op_t *op;
  soak_conn_t *c;
  soak_sock_t *sk;
  int lost = 0, d;
  for (op = S->all_ops; op; op = op->next_all) {
    if (op->seen == 1) continue;
    if (op->seen == 0 && ++lost <= 10) {
      char desc[200];
      soak_describe(op, desc, sizeof(desc));
      soak_fail(S, "%s never completed (OVERLAPPED 0x%lx, %lu bytes)", desc,
                (unsigned long)op->ov.Internal,
                (unsigned long)op->ov.InternalHigh);
    }
  }
  if (lost > 10) soak_fail(S, "%d requests never completed", lost);
  for (c = S->all_conns; c; c = c->next_all) {
    for (d = 0; d < 2; d++) {
      soak_sock_t *tx = c->end[d], *rx = c->end[1 - d];
      if (tx->tx_torn != SOAK_NONE) SOAK_ADD(dirs_torn, 1);
      if (rx->rx_bad != SOAK_NONE && rx->rx_bad < tx->tx_torn)
        soak_fail(S,
                  "connection %u->%u: byte %llu differs from what was "
                  "sent (the stream is torn at %llu)",
                  tx->uid, rx->uid, rx->rx_bad, tx->tx_torn);
      if (rx->rx_pos > tx->tx_next)
        soak_fail(S, "connection %u->%u: %llu bytes received, %llu sent",
                  tx->uid, rx->uid, rx->rx_pos, tx->tx_next);
    }
  }
  for (sk = S->all_socks; sk; sk = sk->next_all)
    if (sk->rq_len)
      soak_fail(S, "socket %u: %d receives never checked", sk->uid, sk->rq_len);
  /* Each notification kind at work. */
  if (!S->f.got[SOAK_GOT_PACKET] || !S->f.got[SOAK_GOT_EVENT] ||
      !S->f.got[SOAK_GOT_APC] || !S->f.got[SOAK_GOT_RETURN])
    soak_fail(S, "a notification kind was never seen");
}

/* Everything the run allocated, freed; the ports closed. */
SOAK_FN void soak_free(soak_t *S, int keep_ops) {
  soak_op_t *op, *nop;
  soak_sock_t *sk, *nsk;
  soak_conn_t *c, *nc;
  soak_worker_t *w, *nw;
  unsigned i;
  int p;
  for (op = S->all_ops; op; op = nop) {
    nop = op->next_all;
    if (op->event) WSACloseEvent(op->event);
    op->event = NULL;
    if (keep_ops && op->seen == 0) continue; /* still in ws2's hands */
    free(op->buf);
    free(op);
  }
  for (sk = S->all_socks; sk; sk = nsk) {
    nsk = sk->next_all;
    if (!sk->closed) closesocket(sk->s);
    DeleteCriticalSection(&sk->lock);
    free(sk);
  }
  for (c = S->all_conns; c; c = nc) {
    nc = c->next_all;
    free(c);
  }
  for (w = S->all_workers; w; w = nw) {
    nw = w->next_all;
    if (w->thread) CloseHandle(w->thread);
    free(w);
  }
  for (p = 0; p < S->nports; p++)
    if (!S->ports[p].closed) CloseHandle(S->ports[p].h);
  for (i = 0; i < S->cap_uid; i++) free(S->dgram_seen[i]);
  free(S->dgram_seen);
  free(S->dgram_cap);
  free(S->by_uid);
  DeleteCriticalSection(&S->g);
  free(S);
}

/* The duration and seed from the environment (0: not set). */
SOAK_FN DWORD soak_env_ms(void) {
  const char *s = getenv("WS2_SOAK_SECONDS");
  double v = s ? atof(s) : 0;
  return v > 0 ? (DWORD)(v * 1000) : 0;
}

SOAK_FN unsigned long long soak_env_seed(void) {
  const char *s = getenv("WS2_SOAK_SEED");
  return s ? strtoull(s, NULL, 0) : 0;
}

/*
 * Runs one configuration; returns the number of failures (0: clean).
 * Winsock must be started; figures (may be NULL) gets the figures.
 */
SOAK_FN int soak_run(const soak_config_t *cfg, soak_figures_t *figures) {
  soak_t *S = (soak_t *)calloc(1, sizeof(*S));
  ULONGLONG t0, t_end, port_close_at, next_exit, t1;
  DWORD deadline = 10000 * soak_mult(), exit_every;
  int i, af, failures, port_closed = 0, stuck = 0;
  soak_conn_t *c;
  soak_sock_t *sk;
  if (!S) return 1;
  S->cfg = cfg;
  snprintf(S->name, sizeof(S->name), "%s", cfg->name ? cfg->name : "soak");
  InitializeCriticalSection(&S->g);
  S->threads = cfg->threads > 0 ? cfg->threads : 4;
  if (S->threads > SOAK_MAX_THREADS) S->threads = SOAK_MAX_THREADS;
  S->ms = cfg->ms ? cfg->ms : soak_env_ms();
  if (!S->ms) S->ms = 3000;
  S->seed = cfg->seed ? cfg->seed : soak_env_seed();
  if (!S->seed)
    S->seed = ((unsigned long long)time(NULL) << 20) ^ soak_now() ^
              (unsigned long long)GetCurrentProcessId() << 40;
  S->rng = S->seed * 0x9E3779B97F4A7C15ULL | 1;
  printf(
      "# soak %s: seed %llu (WS2_SOAK_SEED=%llu replays its choices), "
      "%.1f s\n",
      S->name, S->seed, S->seed, (double)S->ms / 1000);

  /* Ports: 2 or 3, the last closed half-way. */
  S->nports = 2 + (int)soak_below(&S->rng, 2);
  for (i = 0; i < S->nports; i++) {
    S->ports[i].h = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    if (!S->ports[i].h) {
      soak_fail(S, "CreateIoCompletionPort: %lu",
                (unsigned long)GetLastError());
      S->ports[i].closed = 1;
    }
  }
  /* ::1, when this machine has it. */
  {
    SOCKADDR_STORAGE a;
    int alen = soak_loopback(AF_INET6, &a);
    SOCKET s6 = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
    S->have_v6 =
        s6 != INVALID_SOCKET && bind(s6, (struct sockaddr *)&a, alen) == 0;
    if (s6 != INVALID_SOCKET) closesocket(s6);
  }
  for (af = 0; af < 1 + S->have_v6; af++) {
    int fam = af ? AF_INET6 : AF_INET;
    GUID ga = WSAID_ACCEPTEX, gc = WSAID_CONNECTEX;
    soak_sock_t *L = soak_listener(S, fam, SOAK_LISTEN_AX, 0);
    soak_listener(S, fam, SOAK_LISTEN_AX, -1);
    soak_listener(S, fam, SOAK_LISTEN_ACC, -1);
    if (L) {
      S->acceptex[af] = (LPFN_ACCEPTEX)soak_ext(S, L->s, ga);
      S->connectex[af] = (LPFN_CONNECTEX)soak_ext(S, L->s, gc);
    }
    for (i = 0; i < SOAK_UDP_PER_AF; i++)
      S->udp[af * SOAK_UDP_PER_AF + i] = soak_udp_open(S, &S->rng, fam);
  }
  if (S->failures) {
    InterlockedExchange(&S->phase, SOAK_QUIT);
    failures = (int)S->failures;
    soak_free(S, 0);
    return failures;
  }

  /* The run. */
  for (i = 0; i < S->threads; i++) soak_spawn(S, i);
  t0 = soak_now();
  t_end = t0 + S->ms;
  port_close_at = t0 + S->ms / 4 + soak_below(&S->rng, S->ms / 2 + 1);
  exit_every = S->ms / 12 > 100 ? S->ms / 12 : 100;
  next_exit = t0 + exit_every;
  while (soak_now() < t_end && !SOAK_LOAD(&S->stop)) {
    ULONGLONG now = soak_now();
    soak_respawn(S);
    if (!port_closed && now >= port_close_at) {
      int p = S->nports - 1;
      soak_op_t *op;
      LONG64 n = 0;
      port_closed = 1;
      EnterCriticalSection(&S->g);
      for (op = S->pend_head; op; op = op->next_p)
        if (op->kind == SOAK_BY_PORT && op->port == p) n++;
      S->ports[p].closed = 1;
      LeaveCriticalSection(&S->g);
      if (!CloseHandle(S->ports[p].h))
        soak_fail(S, "CloseHandle(port): %lu", (unsigned long)GetLastError());
      SOAK_ADD(port_closes, 1);
      SOAK_ADD(port_close_reqs, n);
    }
    if (now >= next_exit) {
      soak_worker_t *w = S->slots[soak_below(&S->rng, (unsigned)S->threads)];
      next_exit = now + exit_every;
      if (cfg->no_exit_with_apcs && w && !w->no_routines)
        w = S->slots[(w->slot | 1) < S->threads ? (w->slot | 1) : 1];
      if (w && !SOAK_LOAD(&w->exited)) InterlockedExchange(&w->exit_request, 1);
    }
    Sleep(1);
  }
  t1 = soak_now();
  S->f.run_ms = t1 - t0;

  /* Drain: no new operations but receives, until every untorn direction
   * is read to the end. */
  InterlockedExchange(&S->phase, SOAK_DRAIN);
  if (!soak_until(S, soak_no_active, deadline))
    soak_fail(S, "operations still running %lu ms after the end",
              (unsigned long)deadline);
  if (!soak_until(S, soak_drained, deadline)) soak_converged(S, 1);
  EnterCriticalSection(&S->g);
  c = S->all_conns;
  LeaveCriticalSection(&S->g);
  for (; c; c = c->next_all)
    if (!SOAK_LOAD(&c->dead))
      for (i = 0; i < 2; i++) {
        int untorn;
        EnterCriticalSection(&c->end[i]->lock);
        untorn = c->end[i]->tx_torn == SOAK_NONE;
        LeaveCriticalSection(&c->end[i]->lock);
        if (untorn) SOAK_ADD(dirs_drained, 1);
      }
  S->f.drain_ms = soak_now() - t1;
  t1 = soak_now();

  /* Close: every socket, then every request observed. */
  InterlockedExchange(&S->phase, SOAK_CLOSE);
  if (!soak_until(S, soak_no_active, deadline))
    soak_fail(S, "receives still being posted %lu ms after the drain",
              (unsigned long)deadline);
  EnterCriticalSection(&S->g);
  sk = S->all_socks;
  LeaveCriticalSection(&S->g);
  for (; sk; sk = sk->next_all) soak_close(S, sk, 0, NULL);
  if (!soak_until(S, soak_all_observed, deadline)) {
    soak_op_t *op;
    int k = 0;
    stuck = 1;
    EnterCriticalSection(&S->g);
    for (op = S->pend_head; op && k < 10; op = op->next_p, k++) {
      char d[200];
      soak_describe(op, d, sizeof(d));
      soak_fail(S,
                "%s still pending %lu ms after its socket was closed "
                "(OVERLAPPED 0x%lx)",
                d, (unsigned long)deadline, (unsigned long)op->ov.Internal);
    }
    LeaveCriticalSection(&S->g);
  }
  S->f.close_ms = soak_now() - t1;

  /* Quit: the workers joined. */
  InterlockedExchange(&S->phase, SOAK_QUIT);
  {
    soak_worker_t *w;
    for (w = S->all_workers; w; w = w->next_all) {
      if (!w->thread) continue;
      if (WaitForSingleObject(w->thread, deadline) != WAIT_OBJECT_0) {
        soak_fail(S, "a worker did not end");
        stuck = 1;
      }
    }
  }
  if (!stuck) soak_account(S);
  soak_print(S);
  if (figures) *figures = S->f;
  failures = (int)S->failures;
  if (stuck) {
    /* Requests or threads still in ws2's hands: their memory is not ours
     * to free (the leak check will say so too). */
    printf("# soak %s: %d failures, memory of stuck requests kept\n", S->name,
           failures);
    return failures;
  }
  soak_free(S, 0);
  return failures;
}

#endif /* WS2SOAK_H */
