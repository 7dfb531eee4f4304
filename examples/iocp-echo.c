/*
 * iocp-echo.c: a TCP echo server on an I/O completion port, and a load
 * client that measures it, written only against Winsock 2 and <windows.h>.
 *
 * The server is the classic Windows design:
 *
 *   - the listening socket and every connection are associated with one
 *     completion port; worker threads sit in GetQueuedCompletionStatusEx;
 *   - connections arrive through AcceptEx, obtained with
 *     WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_ACCEPTEX), on
 *     accept sockets created in advance; SO_UPDATE_ACCEPT_CONTEXT makes
 *     each one a normal connected socket;
 *   - each connection has a ring buffer and at most one WSARecv (filling
 *     the ring) and one WSASend (draining it) in flight, so it echoes
 *     while it receives;
 *   - FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: a call that returns 0 has
 *     completed already and no packet will come, so its result is used at
 *     once. A connection whose calls keep completing inline could keep a
 *     worker to itself, so after MAX_INLINE of them in a row the next
 *     result goes through the port (PostQueuedCompletionStatus) behind
 *     the other connections' packets;
 *   - shutdown closes the listening socket (which cancels the pending
 *     AcceptEx calls), closes every connection with its I/O in flight
 *     (each request then completes with WSA_OPERATION_ABORTED, and the
 *     connection is freed when its last one has), then posts one quit
 *     packet per worker.
 *
 * The client opens C connections with ConnectEx and makes each do S-byte
 * request/response round trips on its own completion port for T seconds,
 * then reports round trips per second and the p50/p99 latency.
 *
 * Usage:
 *   iocp-echo                      a one-second self-test: server and
 *                                  client in this process; exit 0 if
 *                                  every byte came back
 *   iocp-echo --demo [SECONDS]     the same, longer (default 2 s per case)
 *   iocp-echo --server [--port P] [--workers N]
 *                                  serve 127.0.0.1:P (0: any free port),
 *                                  print "port P", run until stdin closes
 *   iocp-echo --client PORT [--conns C] [--size S] [--seconds T] [--progress]
 *                                  (--progress: a line counting the round
 *                                  trips while it measures)
 *
 * It is an ordinary Windows program. With ws2 on Linux:
 *
 *   cc iocp-echo.c $(pkg-config --cflags --libs ws2)
 *
 * and with a Windows compiler:
 *
 *   x86_64-w64-mingw32-gcc iocp-echo.c -o iocp-echo.exe -lws2_32 -lmswsock
 */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601 /* GetQueuedCompletionStatusEx & co */
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING_SIZE 32768   /* per-connection echo buffer */
#define ACCEPT_BACKLOG 64 /* AcceptEx calls kept pending */
#define MAX_INLINE 16     /* inline completions in a row, then yield */
#define BATCH 64          /* packets per GetQueuedCompletionStatusEx */
#define MAX_WORKERS 64
#define MAX_CLIENT_CONNS 4096
#define ADDR_LEN (sizeof(SOCKADDR_STORAGE) + 16) /* AcceptEx's rule */

/*
 * Completion keys. A connection's key is its CONNECTION pointer (or a
 * client's CLIENT pointer); these small values are never pointers.
 */
#define KEY_QUIT 1
#define KEY_LISTEN 2

typedef enum { OP_ACCEPT, OP_CONNECT, OP_RECV, OP_SEND } OPERATION;

/*
 * Every request carries an OVERLAPPED; the port hands the pointer back,
 * and CONTAINING_RECORD finds the structure around it.
 */
typedef struct IO_CONTEXT {
  OVERLAPPED ov;
  OPERATION op;
} IO_CONTEXT;

/* What the result of a Winsock call means for the caller. */
typedef enum {
  IO_PENDING, /* a packet will come */
  IO_INLINE,  /* done now, no packet (skip-on-success): use the result */
  IO_FAILED   /* done now, failed: WSAGetLastError() says why */
} IO_STATUS;

static IO_STATUS io_status(int rc) {
  if (rc == 0) return IO_INLINE;
  return WSAGetLastError() == WSA_IO_PENDING ? IO_PENDING : IO_FAILED;
}

/* The Winsock error of a completed request (0: success). */
static DWORD io_error(SOCKET s, OVERLAPPED *ov) {
  DWORD bytes, flags;
  if (ov->Internal == 0) return 0; /* STATUS_SUCCESS */
  if (WSAGetOverlappedResult(s, ov, &bytes, FALSE, &flags)) return 0;
  return (DWORD)WSAGetLastError();
}

/*
 * Reads a counter that other threads change with the Interlocked
 * functions (an interlocked no-op: a full barrier, and race-free).
 */
static LONG read_shared(volatile LONG *p) {
  return InterlockedCompareExchange(p, 0, 0);
}

/* Seconds since an arbitrary start, from the performance counter. */
static double now_seconds(void) {
  static LARGE_INTEGER freq;
  LARGE_INTEGER t;
  if (freq.QuadPart == 0) QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart / (double)freq.QuadPart;
}

/* ===================================================================== */
/* The server                                                            */
/* ===================================================================== */

/*
 * One connection. The ring holds bytes received and not yet echoed:
 * [head, tail) in free-running counters, so tail - head is the fill.
 * Completions of the receive and the send may run on two workers at once;
 * the lock orders them. rx_busy/tx_busy say a request is outstanding (or
 * its result is being handled); the connection is freed once it is
 * closing and neither is.
 */
typedef struct CONNECTION {
  SOCKET s;
  IO_CONTEXT rx, tx;
  CRITICAL_SECTION lock;
  BOOL rx_busy, tx_busy;
  BOOL eof;     /* the peer has finished sending */
  BOOL closing; /* closesocket has been called */
  DWORD head, tail;
  struct CONNECTION *prev, *next; /* the server's list, for shutdown */
  char ring[RING_SIZE];
} CONNECTION;

/* A pending AcceptEx: the socket it will fill and the address buffer. */
typedef struct ACCEPTOR {
  IO_CONTEXT io;
  SOCKET s;
  char addresses[2 * ADDR_LEN];
} ACCEPTOR;

typedef struct SERVER {
  SOCKET listener;
  USHORT port;
  HANDLE iocp;
  int nworkers;
  HANDLE workers[MAX_WORKERS];
  LPFN_ACCEPTEX AcceptEx;
  ACCEPTOR acceptors[ACCEPT_BACKLOG];
  CRITICAL_SECTION accept_lock; /* keeps listener open across AcceptEx */
  CRITICAL_SECTION list_lock;   /* guards the connection list */
  CONNECTION *conns;
  volatile LONG stopping;
  volatile LONG acceptors_active; /* not yet retired for good */
  volatile LONG live;             /* connections not yet freed */
  volatile LONG accepted, peak;
  volatile LONG64 bytes_echoed;
  volatile LONG errors; /* anything other than a peer going away */
} SERVER;

static SERVER g_srv;

static void note_error(const char *what, DWORD err) {
  /* A peer resetting or aborting a connection is normal for a server. */
  if (err == WSAECONNRESET || err == WSAECONNABORTED || err == WSAENETRESET ||
      err == WSA_OPERATION_ABORTED || err == ERROR_NETNAME_DELETED)
    return;
  if (InterlockedIncrement(&g_srv.errors) <= 5)
    fprintf(stderr, "iocp-echo server: %s failed: error %lu\n", what,
            (unsigned long)err);
}

/* ---- Connections ---- */

static DWORD ring_used(const CONNECTION *c) { return c->tail - c->head; }
static DWORD ring_free(const CONNECTION *c) { return RING_SIZE - ring_used(c); }

/* The ring bytes [start, start + len) as one or two WSABUFs. */
static DWORD ring_bufs(CONNECTION *c, DWORD start, DWORD len, WSABUF b[2]) {
  DWORD at = start % RING_SIZE, first = RING_SIZE - at;
  if (first > len) first = len;
  b[0].buf = c->ring + at;
  b[0].len = first;
  if (first == len) return 1;
  b[1].buf = c->ring;
  b[1].len = len - first;
  return 2;
}

static IO_STATUS start_recv(CONNECTION *c, DWORD *bytes) {
  WSABUF b[2];
  DWORD n = ring_bufs(c, c->tail, ring_free(c), b), flags = 0;
  ZeroMemory(&c->rx.ov, sizeof(c->rx.ov));
  return io_status(WSARecv(c->s, b, n, bytes, &flags, &c->rx.ov, NULL));
}

static IO_STATUS start_send(CONNECTION *c, DWORD *bytes) {
  WSABUF b[2];
  DWORD n = ring_bufs(c, c->head, ring_used(c), b);
  ZeroMemory(&c->tx.ov, sizeof(c->tx.ov));
  return io_status(WSASend(c->s, b, n, bytes, 0, &c->tx.ov, NULL));
}

/*
 * Close with I/O in flight: the outstanding requests complete with
 * WSA_OPERATION_ABORTED and their packets still come.
 */
static void conn_close(CONNECTION *c) {
  if (c->closing) return;
  c->closing = TRUE;
  closesocket(c->s);
}

static void conn_free(CONNECTION *c) {
  EnterCriticalSection(&g_srv.list_lock);
  if (c->prev)
    c->prev->next = c->next;
  else
    g_srv.conns = c->next;
  if (c->next) c->next->prev = c->prev;
  LeaveCriticalSection(&g_srv.list_lock);
  DeleteCriticalSection(&c->lock);
  free(c);
  InterlockedDecrement(&g_srv.live);
}

/*
 * Start whatever the connection can do now: a receive if the ring has
 * room, a send if it has bytes. Called with the lock held; releases it
 * (and frees the connection when it is finished).
 */
static void conn_pump(CONNECTION *c) {
  int inline_left = MAX_INLINE;
  BOOL progress = TRUE, dead;
  DWORD bytes;

  while (progress && !c->closing) {
    progress = FALSE;
    if (!c->tx_busy && ring_used(c) > 0) {
      switch (start_send(c, &bytes)) {
        case IO_PENDING:
          c->tx_busy = TRUE;
          break;
        case IO_INLINE:
          if (--inline_left > 0) {
            c->head += bytes;
            InterlockedExchangeAdd64(&g_srv.bytes_echoed, bytes);
            progress = TRUE;
          } else { /* enough: queue the result behind the others */
            c->tx_busy = TRUE;
            PostQueuedCompletionStatus(g_srv.iocp, bytes, (ULONG_PTR)c,
                                       &c->tx.ov);
          }
          break;
        case IO_FAILED:
          note_error("WSASend", (DWORD)WSAGetLastError());
          conn_close(c);
          continue;
      }
    }
    if (!c->rx_busy && !c->eof && ring_free(c) > 0) {
      /* An empty ring with nothing in flight starts over at 0, so that
       * the receive is one buffer, not the two of a wrapped ring. */
      if (ring_used(c) == 0 && !c->tx_busy) c->head = c->tail = 0;
      switch (start_recv(c, &bytes)) {
        case IO_PENDING:
          c->rx_busy = TRUE;
          break;
        case IO_INLINE:
          if (bytes == 0) {
            c->eof = TRUE; /* orderly close by the peer */
          } else if (--inline_left > 0) {
            c->tail += bytes;
            progress = TRUE;
          } else {
            c->rx_busy = TRUE;
            PostQueuedCompletionStatus(g_srv.iocp, bytes, (ULONG_PTR)c,
                                       &c->rx.ov);
          }
          break;
        case IO_FAILED:
          note_error("WSARecv", (DWORD)WSAGetLastError());
          conn_close(c);
          continue;
      }
    }
    /* The peer is done and everything it sent has been echoed. */
    if (c->eof && ring_used(c) == 0 && !c->tx_busy) conn_close(c);
  }
  dead = c->closing && !c->rx_busy && !c->tx_busy;
  LeaveCriticalSection(&c->lock);
  if (dead) conn_free(c);
}

/* A receive or a send finished (possibly aborted). */
static void conn_completed(CONNECTION *c, IO_CONTEXT *io, DWORD bytes) {
  DWORD err;
  EnterCriticalSection(&c->lock);
  err = c->closing ? WSA_OPERATION_ABORTED : io_error(c->s, &io->ov);
  if (io->op == OP_RECV) {
    c->rx_busy = FALSE;
    if (err) {
      note_error("WSARecv (completion)", err);
      conn_close(c);
    } else if (bytes == 0) {
      c->eof = TRUE;
    } else {
      c->tail += bytes;
    }
  } else {
    c->tx_busy = FALSE;
    if (err) {
      note_error("WSASend (completion)", err);
      conn_close(c);
    } else {
      c->head += bytes;
      InterlockedExchangeAdd64(&g_srv.bytes_echoed, bytes);
    }
  }
  conn_pump(c);
}

/* A new connection from AcceptEx: set it up and post its first receive. */
static void conn_start(SOCKET s) {
  CONNECTION *c;
  BOOL nodelay = TRUE;
  LONG live;

  /* Give the accepted socket the listening socket's properties. */
  if (setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                 (char *)&g_srv.listener, sizeof(g_srv.listener)) != 0)
    note_error("setsockopt(SO_UPDATE_ACCEPT_CONTEXT)",
               (DWORD)WSAGetLastError());
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&nodelay, sizeof(nodelay));

  c = (CONNECTION *)calloc(1, sizeof(*c));
  if (!c) {
    closesocket(s);
    note_error("calloc", ERROR_NOT_ENOUGH_MEMORY);
    return;
  }
  c->s = s;
  c->rx.op = OP_RECV;
  c->tx.op = OP_SEND;
  InitializeCriticalSection(&c->lock);

  /*
   * The connection's pointer is its completion key. Skip-on-success
   * assumes the protocol's provider is an IFS provider (on Windows, one
   * with XP1_IFS_HANDLES, KB 2568167); ws2's base provider is.
   */
  if (!CreateIoCompletionPort((HANDLE)s, g_srv.iocp, (ULONG_PTR)c, 0) ||
      !SetFileCompletionNotificationModes((HANDLE)s,
                                          FILE_SKIP_COMPLETION_PORT_ON_SUCCESS |
                                              FILE_SKIP_SET_EVENT_ON_HANDLE)) {
    note_error("associating the socket", GetLastError());
    closesocket(s);
    DeleteCriticalSection(&c->lock);
    free(c);
    return;
  }

  /* Put it on the list, unless shutdown has already swept the list. */
  EnterCriticalSection(&g_srv.list_lock);
  if (read_shared(&g_srv.stopping)) {
    LeaveCriticalSection(&g_srv.list_lock);
    closesocket(s);
    DeleteCriticalSection(&c->lock);
    free(c);
    return;
  }
  live = InterlockedIncrement(&g_srv.live);
  c->next = g_srv.conns;
  if (c->next) c->next->prev = c;
  g_srv.conns = c;
  LeaveCriticalSection(&g_srv.list_lock);

  InterlockedIncrement(&g_srv.accepted);
  for (;;) { /* peak = max(peak, live), atomically */
    LONG peak = read_shared(&g_srv.peak);
    if (live <= peak ||
        InterlockedCompareExchange(&g_srv.peak, live, peak) == peak)
      break;
  }

  EnterCriticalSection(&c->lock);
  conn_pump(c);
}

/* ---- Accepting ---- */

static void acceptor_retire(ACCEPTOR *a) {
  a->s = INVALID_SOCKET;
  InterlockedDecrement(&g_srv.acceptors_active);
}

/*
 * Keep an AcceptEx pending on this acceptor. An AcceptEx that completes
 * at once (a connection was already queued) is handled here, up to
 * MAX_INLINE times; then its result goes through the port.
 */
static void accept_post(ACCEPTOR *a) {
  int inline_left = MAX_INLINE;
  DWORD bytes;
  BOOL ok;
  SOCKET s;

  for (;;) {
    s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                   WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) {
      note_error("WSASocket (accept socket)", (DWORD)WSAGetLastError());
      acceptor_retire(a);
      return;
    }
    ZeroMemory(&a->io.ov, sizeof(a->io.ov));
    a->io.op = OP_ACCEPT;

    /* The lock keeps the listening socket open across the call. */
    EnterCriticalSection(&g_srv.accept_lock);
    if (read_shared(&g_srv.stopping)) {
      LeaveCriticalSection(&g_srv.accept_lock);
      closesocket(s);
      acceptor_retire(a);
      return;
    }
    a->s = s;
    /* No receive data: complete on connect, not on the first bytes. */
    ok = g_srv.AcceptEx(g_srv.listener, s, a->addresses, 0, ADDR_LEN, ADDR_LEN,
                        &bytes, &a->io.ov);
    LeaveCriticalSection(&g_srv.accept_lock);

    switch (io_status(ok ? 0 : SOCKET_ERROR)) {
      case IO_PENDING:
        return;
      case IO_FAILED:
        note_error("AcceptEx", (DWORD)WSAGetLastError());
        closesocket(s);
        acceptor_retire(a);
        return;
      case IO_INLINE:
        if (--inline_left == 0) {
          PostQueuedCompletionStatus(g_srv.iocp, 0, KEY_LISTEN, &a->io.ov);
          return;
        }
        a->s = INVALID_SOCKET;
        conn_start(s);
        break; /* and post the next AcceptEx */
    }
  }
}

static void accept_completed(ACCEPTOR *a) {
  SOCKET s = a->s;
  DWORD err = io_error(g_srv.listener, &a->io.ov);
  BOOL stopping = read_shared(&g_srv.stopping);
  a->s = INVALID_SOCKET;
  if (err || stopping) {
    /* Cancelled by closing the listening socket, or failed. */
    if (!stopping) note_error("AcceptEx (completion)", err);
    closesocket(s);
    if (stopping) {
      acceptor_retire(a);
      return;
    }
  } else {
    conn_start(s);
  }
  accept_post(a);
}

/* ---- Workers ---- */

static DWORD WINAPI server_worker(LPVOID arg) {
  OVERLAPPED_ENTRY e[BATCH];
  ULONG n, i, quits;
  (void)arg;
  for (;;) {
    if (!GetQueuedCompletionStatusEx(g_srv.iocp, e, BATCH, &n, INFINITE,
                                     FALSE)) {
      note_error("GetQueuedCompletionStatusEx", GetLastError());
      return 1;
    }
    quits = 0;
    for (i = 0; i < n; i++) {
      if (e[i].lpCompletionKey == KEY_QUIT) {
        quits++;
      } else if (e[i].lpCompletionKey == KEY_LISTEN) {
        accept_completed(CONTAINING_RECORD(e[i].lpOverlapped, ACCEPTOR, io.ov));
      } else {
        conn_completed((CONNECTION *)e[i].lpCompletionKey,
                       CONTAINING_RECORD(e[i].lpOverlapped, IO_CONTEXT, ov),
                       e[i].dwNumberOfBytesTransferred);
      }
    }
    if (quits) {
      /* One quit packet is ours; hand back any other worker's. */
      while (--quits) PostQueuedCompletionStatus(g_srv.iocp, 0, KEY_QUIT, NULL);
      return 0;
    }
  }
}

/* ---- Start and stop ---- */

static BOOL server_start(USHORT port, int nworkers) {
  SOCKADDR_IN addr;
  int len = sizeof(addr), i;
  GUID guid_acceptex = WSAID_ACCEPTEX;
  DWORD bytes;

  ZeroMemory(&g_srv, sizeof(g_srv));
  InitializeCriticalSection(&g_srv.accept_lock);
  InitializeCriticalSection(&g_srv.list_lock);
  g_srv.nworkers = nworkers;

  g_srv.iocp = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  if (!g_srv.iocp) {
    fprintf(stderr, "CreateIoCompletionPort: error %lu\n",
            (unsigned long)GetLastError());
    return FALSE;
  }

  g_srv.listener = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                              WSA_FLAG_OVERLAPPED);
  if (g_srv.listener == INVALID_SOCKET) goto fail;
  ZeroMemory(&addr, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (bind(g_srv.listener, (SOCKADDR *)&addr, sizeof(addr)) != 0) goto fail;
  if (listen(g_srv.listener, SOMAXCONN) != 0) goto fail;
  if (getsockname(g_srv.listener, (SOCKADDR *)&addr, &len) != 0) goto fail;
  g_srv.port = ntohs(addr.sin_port);

  /* AcceptEx is an extension function: ask the socket's provider. */
  if (WSAIoctl(g_srv.listener, SIO_GET_EXTENSION_FUNCTION_POINTER,
               &guid_acceptex, sizeof(guid_acceptex), &g_srv.AcceptEx,
               sizeof(g_srv.AcceptEx), &bytes, NULL, NULL) != 0)
    goto fail;

  if (!CreateIoCompletionPort((HANDLE)g_srv.listener, g_srv.iocp, KEY_LISTEN,
                              0) ||
      !SetFileCompletionNotificationModes((HANDLE)g_srv.listener,
                                          FILE_SKIP_COMPLETION_PORT_ON_SUCCESS))
    goto fail;

  for (i = 0; i < nworkers; i++) {
    g_srv.workers[i] = CreateThread(NULL, 0, server_worker, NULL, 0, NULL);
    if (!g_srv.workers[i]) {
      fprintf(stderr, "CreateThread: error %lu\n",
              (unsigned long)GetLastError());
      g_srv.nworkers = i;
      return FALSE;
    }
  }

  g_srv.acceptors_active = ACCEPT_BACKLOG;
  for (i = 0; i < ACCEPT_BACKLOG; i++) accept_post(&g_srv.acceptors[i]);
  if (read_shared(&g_srv.acceptors_active) == 0) {
    fprintf(stderr, "iocp-echo server: no AcceptEx could be posted\n");
    return FALSE;
  }
  return TRUE;

fail:
  fprintf(stderr, "iocp-echo server: setup failed: error %d\n",
          WSAGetLastError());
  return FALSE;
}

/* Waits up to ms milliseconds for *counter to reach zero. */
static BOOL wait_zero(volatile LONG *counter, DWORD ms) {
  DWORD waited = 0;
  while (read_shared(counter) != 0 && waited < ms) {
    Sleep(5);
    waited += 5;
  }
  return read_shared(counter) == 0;
}

/* Returns FALSE if something did not wind down as it should. */
static BOOL server_stop(void) {
  CONNECTION *c;
  BOOL clean = TRUE;
  int i;

  /* 1. Stop accepting: closing the listener cancels pending AcceptEx. */
  EnterCriticalSection(&g_srv.accept_lock);
  InterlockedExchange(&g_srv.stopping, TRUE);
  closesocket(g_srv.listener);
  LeaveCriticalSection(&g_srv.accept_lock);
  if (!wait_zero(&g_srv.acceptors_active, 5000)) {
    fprintf(stderr,
            "iocp-echo server: %ld AcceptEx still pending 5 s after the "
            "listening socket was closed\n",
            (long)read_shared(&g_srv.acceptors_active));
    clean = FALSE;
  }

  /* 2. Close every connection, whatever it has in flight. */
  EnterCriticalSection(&g_srv.list_lock);
  for (c = g_srv.conns; c; c = c->next) {
    EnterCriticalSection(&c->lock);
    conn_close(c);
    LeaveCriticalSection(&c->lock);
  }
  LeaveCriticalSection(&g_srv.list_lock);
  if (!wait_zero(&g_srv.live, 5000)) {
    fprintf(stderr,
            "iocp-echo server: %ld connections still have requests 5 s "
            "after closesocket\n",
            (long)read_shared(&g_srv.live));
    clean = FALSE;
  }

  /* 3. One quit packet per worker; they return. */
  for (i = 0; i < g_srv.nworkers; i++)
    PostQueuedCompletionStatus(g_srv.iocp, 0, KEY_QUIT, NULL);
  if (g_srv.nworkers > 0 &&
      WaitForMultipleObjects((DWORD)g_srv.nworkers, g_srv.workers, TRUE,
                             5000) != WAIT_OBJECT_0) {
    fprintf(stderr, "iocp-echo server: workers did not quit\n");
    return FALSE; /* they may still use what the rest would free */
  }
  for (i = 0; i < g_srv.nworkers; i++) CloseHandle(g_srv.workers[i]);
  if (clean) {
    CloseHandle(g_srv.iocp);
    DeleteCriticalSection(&g_srv.accept_lock);
    DeleteCriticalSection(&g_srv.list_lock);
  }
  return clean && g_srv.errors == 0;
}

/* ===================================================================== */
/* The load client                                                       */
/* ===================================================================== */

/*
 * Latency histogram: 64 buckets per power of two of nanoseconds (1.6%
 * resolution), from 1 ns to 2^40 ns.
 */
#define HIST_BUCKETS (36 * 64)
typedef struct HISTOGRAM {
  ULONGLONG count[HIST_BUCKETS];
  ULONGLONG total;
} HISTOGRAM;

static int hist_bucket(ULONGLONG ns) {
  int e = 6;
  if (ns < 64) return (int)ns;
  while (e < 40 && (ns >> (e + 1)) != 0) e++;
  if (e == 40) return HIST_BUCKETS - 1;
  return (e - 5) * 64 + (int)((ns >> (e - 6)) & 63);
}

static double hist_value(int b) { /* the bucket's middle, in ns */
  int e;
  if (b < 64) return b;
  e = b / 64 + 5;
  return ((double)(64 + b % 64) + 0.5) * (double)(1ULL << (e - 6));
}

static double hist_percentile(const HISTOGRAM *h, double p) {
  ULONGLONG want = (ULONGLONG)(p * (double)h->total), seen = 0;
  int b;
  if (h->total == 0) return 0;
  if (want >= h->total) want = h->total - 1;
  for (b = 0; b < HIST_BUCKETS; b++) {
    seen += h->count[b];
    if (seen > want) return hist_value(b);
  }
  return hist_value(HIST_BUCKETS - 1);
}

enum { PHASE_WARMUP, PHASE_MEASURE, PHASE_STOP };

typedef struct CLIENT_WORKER {
  struct LOADGEN *lg;
  HANDLE thread;
  HISTOGRAM hist;      /* round trips completed while measuring */
  volatile LONG shown; /* hist.total, published for --progress */
} CLIENT_WORKER;

/* One client connection: one request at a time (connect, send, receive). */
typedef struct CLIENT {
  IO_CONTEXT io;
  SOCKET s;
  struct LOADGEN *lg;
  DWORD id, seq;
  DWORD done; /* bytes of this step so far */
  LARGE_INTEGER started;
  char *request, *response;
} CLIENT;

typedef struct LOADGEN {
  HANDLE iocp;
  SOCKADDR_IN server;
  DWORD size;
  int nconns, nworkers;
  LPFN_CONNECTEX ConnectEx;
  CLIENT *clients;
  CLIENT_WORKER workers[MAX_WORKERS];
  LARGE_INTEGER freq;
  volatile LONG phase;
  volatile LONG connected, finished, errors, mismatches;
  BOOL progress; /* --progress: a line that counts while measuring */
} LOADGEN;

static void client_failed(CLIENT *c, const char *what, DWORD err) {
  if (InterlockedIncrement(&c->lg->errors) <= 5)
    fprintf(stderr, "iocp-echo client %lu: %s failed: error %lu\n",
            (unsigned long)c->id, what, (unsigned long)err);
  closesocket(c->s);
  c->s = INVALID_SOCKET;
  InterlockedIncrement(&c->lg->finished);
}

/* Issue the request for the connection's current step. */
static IO_STATUS client_issue(CLIENT *c, DWORD *bytes) {
  WSABUF b;
  DWORD flags = 0;
  ZeroMemory(&c->io.ov, sizeof(c->io.ov));
  *bytes = 0;
  switch (c->io.op) {
    case OP_CONNECT:
      return io_status(c->lg->ConnectEx(c->s, (SOCKADDR *)&c->lg->server,
                                        sizeof(c->lg->server), NULL, 0, NULL,
                                        &c->io.ov)
                           ? 0
                           : SOCKET_ERROR);
    case OP_SEND:
      b.buf = c->request + c->done;
      b.len = c->lg->size - c->done;
      return io_status(WSASend(c->s, &b, 1, bytes, 0, &c->io.ov, NULL));
    default:
      b.buf = c->response + c->done;
      b.len = c->lg->size - c->done;
      return io_status(WSARecv(c->s, &b, 1, bytes, &flags, &c->io.ov, NULL));
  }
}

/* A new request: a sequence number in front makes every one different. */
static void client_next_request(CLIENT *c) {
  DWORD tag[2];
  c->seq++;
  tag[0] = c->id;
  tag[1] = c->seq;
  memcpy(c->request, tag,
         c->lg->size < sizeof(tag) ? c->lg->size : sizeof(tag));
  c->io.op = OP_SEND;
  c->done = 0;
  QueryPerformanceCounter(&c->started);
}

/*
 * The current step finished with this many bytes: move on, and keep going
 * while calls complete inline (at most MAX_INLINE in a row).
 */
static void client_advance(CLIENT *c, CLIENT_WORKER *w, DWORD bytes) {
  LOADGEN *lg = c->lg;
  int inline_left = MAX_INLINE;
  LARGE_INTEGER t;
  BOOL nodelay = TRUE;
  LONG phase;

  for (;;) {
    switch (c->io.op) {
      case OP_CONNECT:
        setsockopt(c->s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0);
        setsockopt(c->s, IPPROTO_TCP, TCP_NODELAY, (char *)&nodelay,
                   sizeof(nodelay));
        InterlockedIncrement(&lg->connected);
        client_next_request(c);
        break;
      case OP_SEND:
        c->done += bytes;
        if (c->done == lg->size) {
          c->io.op = OP_RECV;
          c->done = 0;
        }
        break;
      default:
        if (bytes == 0) {
          client_failed(c, "WSARecv (server closed)", 0);
          return;
        }
        c->done += bytes;
        if (c->done < lg->size) break;
        /* A whole response: check it, time it, send the next request. */
        if (memcmp(c->request, c->response, lg->size) != 0)
          InterlockedIncrement(&lg->mismatches);
        phase = read_shared(&lg->phase);
        if (phase == PHASE_MEASURE) {
          QueryPerformanceCounter(&t);
          w->hist.count[hist_bucket(
              (ULONGLONG)((double)(t.QuadPart - c->started.QuadPart) * 1e9 /
                          (double)lg->freq.QuadPart))]++;
          w->hist.total++;
          if (lg->progress) InterlockedExchange(&w->shown, (LONG)w->hist.total);
        } else if (phase == PHASE_STOP) {
          closesocket(c->s);
          c->s = INVALID_SOCKET;
          InterlockedIncrement(&lg->finished);
          return;
        }
        client_next_request(c);
        break;
    }

    switch (client_issue(c, &bytes)) {
      case IO_PENDING:
        return;
      case IO_FAILED:
        client_failed(c, c->io.op == OP_SEND ? "WSASend" : "WSARecv",
                      (DWORD)WSAGetLastError());
        return;
      case IO_INLINE:
        if (--inline_left == 0) {
          PostQueuedCompletionStatus(lg->iocp, bytes, (ULONG_PTR)c, &c->io.ov);
          return;
        }
        break;
    }
  }
}

static DWORD WINAPI client_worker(LPVOID arg) {
  CLIENT_WORKER *w = (CLIENT_WORKER *)arg;
  OVERLAPPED_ENTRY e[BATCH];
  ULONG n, i, quits;
  CLIENT *c;
  DWORD err;

  for (;;) {
    if (!GetQueuedCompletionStatusEx(w->lg->iocp, e, BATCH, &n, INFINITE,
                                     FALSE))
      return 1;
    quits = 0;
    for (i = 0; i < n; i++) {
      if (e[i].lpCompletionKey == KEY_QUIT) {
        quits++;
        continue;
      }
      c = (CLIENT *)e[i].lpCompletionKey;
      err = io_error(c->s, &c->io.ov);
      if (err)
        client_failed(c,
                      c->io.op == OP_CONNECT ? "ConnectEx"
                      : c->io.op == OP_SEND  ? "WSASend"
                                             : "WSARecv",
                      err);
      else
        client_advance(c, w, e[i].dwNumberOfBytesTransferred);
    }
    if (quits) {
      while (--quits)
        PostQueuedCompletionStatus(w->lg->iocp, 0, KEY_QUIT, NULL);
      return 0;
    }
  }
}

/* Create, bind, associate and ConnectEx one client connection. */
static void client_start(CLIENT *c) {
  LOADGEN *lg = c->lg;
  SOCKADDR_IN any;
  GUID guid_connectex = WSAID_CONNECTEX;
  DWORD bytes;

  c->s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                    WSA_FLAG_OVERLAPPED);
  if (c->s == INVALID_SOCKET) {
    client_failed(c, "WSASocket", (DWORD)WSAGetLastError());
    return;
  }
  if (!lg->ConnectEx &&
      WSAIoctl(c->s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid_connectex,
               sizeof(guid_connectex), &lg->ConnectEx, sizeof(lg->ConnectEx),
               &bytes, NULL, NULL) != 0) {
    client_failed(c, "WSAIoctl(WSAID_CONNECTEX)", (DWORD)WSAGetLastError());
    return;
  }
  ZeroMemory(&any, sizeof(any)); /* ConnectEx wants a bound socket */
  any.sin_family = AF_INET;
  if (bind(c->s, (SOCKADDR *)&any, sizeof(any)) != 0) {
    client_failed(c, "bind", (DWORD)WSAGetLastError());
    return;
  }
  if (!CreateIoCompletionPort((HANDLE)c->s, lg->iocp, (ULONG_PTR)c, 0) ||
      !SetFileCompletionNotificationModes((HANDLE)c->s,
                                          FILE_SKIP_COMPLETION_PORT_ON_SUCCESS |
                                              FILE_SKIP_SET_EVENT_ON_HANDLE)) {
    client_failed(c, "associating the socket", GetLastError());
    return;
  }
  c->io.op = OP_CONNECT;
  switch (client_issue(c, &bytes)) {
    case IO_PENDING:
      break;
    case IO_FAILED:
      client_failed(c, "ConnectEx", (DWORD)WSAGetLastError());
      break;
    case IO_INLINE: /* connected at once: a worker carries on */
      PostQueuedCompletionStatus(lg->iocp, 0, (ULONG_PTR)c, &c->io.ov);
      break;
  }
}

typedef struct LOAD_RESULT {
  double rtps, p50_us, p99_us;
  ULONGLONG round_trips;
  LONG errors, mismatches;
} LOAD_RESULT;

/*
 * Run nconns connections of size-byte round trips against 127.0.0.1:port:
 * warm up, measure for `seconds`, then let every connection finish its
 * round trip and close. Returns FALSE on any error.
 */
static BOOL g_progress; /* --progress */

/* Waits out the measurement; with --progress, says every quarter second
 * how many round trips have been made. */
static void measure(LOADGEN *lg, double seconds, double t0) {
  DWORD left = (DWORD)(seconds * 1000);
  while (lg->progress && left > 0) {
    DWORD step = left < 250 ? left : 250;
    LONG total = 0;
    int i;
    double t;
    Sleep(step);
    left -= step;
    for (i = 0; i < lg->nworkers; i++)
      total += read_shared(&lg->workers[i].shown);
    t = now_seconds() - t0;
    printf("\r  %4.1f s: %9ld round trips, %9.0f/s", t, (long)total,
           t > 0 ? (double)total / t : 0.0);
    fflush(stdout);
  }
  if (lg->progress)
    printf("\n");
  else
    Sleep(left);
}

static BOOL run_load(USHORT port, int nconns, DWORD size, double seconds,
                     int nworkers, LOAD_RESULT *res) {
  LOADGEN *lg;
  HISTOGRAM *all;
  double t0, t1;
  int i, j;
  BOOL ok = TRUE;

  ZeroMemory(res, sizeof(*res));
  lg = (LOADGEN *)calloc(1, sizeof(*lg));
  all = (HISTOGRAM *)calloc(1, sizeof(*all));
  if (!lg || !all) return FALSE;
  lg->size = size;
  lg->nconns = nconns;
  lg->nworkers = nworkers;
  lg->progress = g_progress;
  lg->server.sin_family = AF_INET;
  lg->server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  lg->server.sin_port = htons(port);
  QueryPerformanceFrequency(&lg->freq);
  lg->iocp = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  lg->clients = (CLIENT *)calloc((size_t)nconns, sizeof(CLIENT));
  if (!lg->iocp || !lg->clients) return FALSE;

  for (i = 0; i < nworkers; i++) {
    lg->workers[i].lg = lg;
    lg->workers[i].thread =
        CreateThread(NULL, 0, client_worker, &lg->workers[i], 0, NULL);
    if (!lg->workers[i].thread) return FALSE;
  }
  for (i = 0; i < nconns; i++) {
    CLIENT *c = &lg->clients[i];
    c->lg = lg;
    c->id = (DWORD)i;
    c->request = (char *)malloc(size);
    c->response = (char *)malloc(size);
    if (!c->request || !c->response) return FALSE;
    for (j = 0; j < (int)size; j++) c->request[j] = (char)('a' + (i + j) % 26);
    client_start(c);
  }

  /* Warm up once every connection is up, then measure. */
  for (i = 0; i < 5000 &&
              read_shared(&lg->connected) + read_shared(&lg->errors) < nconns;
       i++)
    Sleep(1);
  Sleep(50);
  t0 = now_seconds();
  InterlockedExchange(&lg->phase, PHASE_MEASURE);
  measure(lg, seconds, t0);
  InterlockedExchange(&lg->phase, PHASE_STOP);
  t1 = now_seconds();

  /* Each connection closes after its current round trip. */
  for (i = 0; i < 5000 && read_shared(&lg->finished) < nconns; i++) Sleep(1);
  if (read_shared(&lg->finished) < nconns) {
    fprintf(stderr, "iocp-echo client: %ld of %d connections stuck\n",
            (long)(nconns - read_shared(&lg->finished)), nconns);
    ok = FALSE; /* their requests may still complete: leak, do not free */
  }
  for (i = 0; i < nworkers; i++)
    PostQueuedCompletionStatus(lg->iocp, 0, KEY_QUIT, NULL);
  for (i = 0; i < nworkers; i++) {
    WaitForSingleObject(lg->workers[i].thread, INFINITE);
    CloseHandle(lg->workers[i].thread);
    for (j = 0; j < HIST_BUCKETS; j++)
      all->count[j] += lg->workers[i].hist.count[j];
    all->total += lg->workers[i].hist.total;
  }

  res->round_trips = all->total;
  res->rtps = (double)all->total / (t1 - t0);
  res->p50_us = hist_percentile(all, 0.50) / 1000.0;
  res->p99_us = hist_percentile(all, 0.99) / 1000.0;
  res->errors = lg->errors;
  res->mismatches = lg->mismatches;
  if (ok) {
    CloseHandle(lg->iocp);
    for (i = 0; i < nconns; i++) {
      free(lg->clients[i].request);
      free(lg->clients[i].response);
    }
    free(lg->clients);
    free(lg);
  }
  free(all);
  return ok && res->errors == 0 && res->mismatches == 0 && res->round_trips > 0;
}

static void print_result(int nconns, DWORD size, const LOAD_RESULT *r) {
  printf(
      "  %4d connections x %5lu bytes: %9.0f round trips/s   "
      "p50 %7.1f us   p99 %7.1f us\n",
      nconns, (unsigned long)size, r->rtps, r->p50_us, r->p99_us);
  if (r->errors || r->mismatches)
    printf("    !! %ld errors, %ld responses differed from the request\n",
           (long)r->errors, (long)r->mismatches);
  fflush(stdout);
}

/* ===================================================================== */
/* main                                                                  */
/* ===================================================================== */

static int cpu_count(void) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return si.dwNumberOfProcessors > 0 ? (int)si.dwNumberOfProcessors : 1;
}

static int clamp_workers(int n) {
  return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n;
}

/* Server and client in this process, a few cases. */
static int run_demo(double seconds) {
  static const struct {
    int conns;
    DWORD size;
  } cases[] = {{1, 64}, {16, 64}, {16, 16384}};
  LOAD_RESULT r;
  int i, failures = 0;
  int workers = clamp_workers(cpu_count());

  if (!server_start(0, workers)) return 1;
  printf(
      "iocp-echo: echo server on 127.0.0.1:%u (%d workers), "
      "client in the same process, %.1f s per case\n",
      (unsigned)g_srv.port, workers, seconds);
  for (i = 0; i < (int)ARRAYSIZE(cases); i++) {
    if (!run_load(g_srv.port, cases[i].conns, cases[i].size, seconds, 1, &r))
      failures++;
    print_result(cases[i].conns, cases[i].size, &r);
  }
  if (!server_stop()) failures++;
  printf(
      "server: %ld connections accepted, %.0f bytes echoed, "
      "%ld errors; shut down %s\n",
      (long)g_srv.accepted, (double)g_srv.bytes_echoed, (long)g_srv.errors,
      failures ? "with problems" : "cleanly");
  return failures ? 1 : 0;
}

static int run_server(USHORT port, int workers) {
  int ch;
  if (!server_start(port, workers)) return 1;
  printf("port %u\n", (unsigned)g_srv.port);
  fflush(stdout);
  /* Serve until stdin reaches end of file (or a line starting with q). */
  while ((ch = getchar()) != EOF && ch != 'q') {
  }
  if (!server_stop()) {
    fprintf(stderr, "iocp-echo server: shutdown was not clean\n");
    return 1;
  }
  fprintf(stderr,
          "iocp-echo server: %ld connections accepted (peak %ld), %.0f bytes "
          "echoed, %ld errors\n",
          (long)g_srv.accepted, (long)g_srv.peak, (double)g_srv.bytes_echoed,
          (long)g_srv.errors);
  return 0;
}

static int usage(void) {
  fprintf(stderr,
          "usage: iocp-echo                  (one-second self-test)\n"
          "       iocp-echo --demo [SECONDS]\n"
          "       iocp-echo --server [--port P] [--workers N]\n"
          "       iocp-echo --client PORT [--conns C] [--size S] "
          "[--seconds T] [--workers N] [--progress]\n");
  return 2;
}

int main(int argc, char **argv) {
  WSADATA wsa;
  int rc, i, conns = 16, workers = 0;
  long port = 0, size = 64;
  double seconds = 2.0;
  const char *mode = argc > 1 ? argv[1] : "--self-test";

  for (i = 2; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(argv[i], "--port") && v)
      port = atol(argv[++i]);
    else if (!strcmp(argv[i], "--workers") && v)
      workers = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--conns") && v)
      conns = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--size") && v)
      size = atol(argv[++i]);
    else if (!strcmp(argv[i], "--seconds") && v)
      seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--progress"))
      g_progress = TRUE;
    else if (i == 2 && !strcmp(mode, "--demo"))
      seconds = atof(argv[i]);
    else if (i == 2 && !strcmp(mode, "--client"))
      port = atol(argv[i]);
    else
      return usage();
  }
  if (port < 0 || port > 65535 || conns < 1 || conns > MAX_CLIENT_CONNS ||
      size < 1 || size > (1L << 24) || seconds <= 0)
    return usage();

  rc = WSAStartup(MAKEWORD(2, 2), &wsa);
  if (rc != 0) {
    fprintf(stderr, "WSAStartup failed: %d\n", rc);
    return 1;
  }

  if (!strcmp(mode, "--self-test")) {
    rc = run_demo(0.3);
  } else if (!strcmp(mode, "--demo")) {
    rc = run_demo(seconds);
  } else if (!strcmp(mode, "--server")) {
    rc = run_server((USHORT)port,
                    clamp_workers(workers ? workers : cpu_count()));
  } else if (!strcmp(mode, "--client") && port > 0) {
    LOAD_RESULT r;
    rc = run_load((USHORT)port, conns, (DWORD)size, seconds,
                  clamp_workers(workers ? workers : 1), &r)
             ? 0
             : 1;
    print_result(conns, (DWORD)size, &r);
  } else {
    rc = usage();
  }

  WSACleanup();
  return rc;
}
