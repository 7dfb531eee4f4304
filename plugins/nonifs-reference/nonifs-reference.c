/*
 * nonifs-reference: a complete non-IFS layered service provider, written
 * to be read. It changes nothing on the wire; what it shows is how a layer
 * that owns its sockets' handles has to be built.
 *
 * IFS and non-IFS. An IFS layer (plugins/ifs-passthrough) passes the
 * lower provider's real handle up: the application's SOCKET is the base
 * provider's, and overlapped I/O, completion ports and ReadFile never
 * involve the layer. A non-IFS layer gives the application handles of its
 * own, made by ws2 with WPUCreateSocketHandle. Then every call on such a
 * handle comes to the layer, which must:
 *
 *  1. keep, per socket, a record holding the lower provider's socket and
 *     the lower provider (the context given to WPUCreateSocketHandle, read
 *     back with WPUQuerySocketHandleContext), and map the application's
 *     handle to the lower socket on the way down, and back on the way up
 *     (accept, select's fd_sets, AcceptEx's accept socket, the socket in
 *     SO_UPDATE_ACCEPT_CONTEXT, WSAAsyncSelect's messages);
 *  2. implement all 30 WSPPROC_TABLE entries (ws2 calls nothing of the
 *     lower provider directly: the handle is not the lower provider's);
 *  3. issue every overlapped request below with an OVERLAPPED of its own
 *     (the "substitute"), because the lower provider completes requests
 *     on *its* socket, to *its* completion port and events, which the
 *     application never sees; and when the lower request completes,
 *     report the application's request: WPUCompleteOverlappedRequest when
 *     the application gave no completion routine (ws2 then sets its event
 *     and/or queues a packet to the port its handle is associated with),
 *     or WPUQueueApc to the thread that issued it (the WSATHREADID the
 *     layer was given) when it gave one;
 *  4. hand out its own extension functions (AcceptEx, ConnectEx,
 *     DisconnectEx, TransmitFile, TransmitPackets, WSARecvMsg,
 *     WSASendMsg) through SIO_GET_EXTENSION_FUNCTION_POINTER, since the
 *     lower provider's would be called with the application's handles;
 *  5. keep the application's handle alive until its last request has been
 *     reported, however early the application closes it, and only then
 *     give it back with WPUCloseSocketHandle.
 *
 * How the lower requests complete here: one completion port of the
 * layer's own, with every lower socket associated to it, and one worker
 * thread reading it. That works whatever the application does with its
 * handle (event, port, routine, or nothing), and needs no thread per
 * socket. When the lower provider's handles are IFS, the layer also sets
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on the lower sockets: a lower
 * request that completes at once then queues no packet, and the layer
 * reports it before its own call returns, so the application's call
 * returns success at once too (KB 2568167 is about exactly this flag on a
 * non-IFS handle; on IFS handles it is safe).
 *
 * The completion rule, from the application's side: ws2 keeps every
 * overlapped request the application makes on a non-IFS handle from its
 * call to its report; a report made while the call runs waits for the call
 * to return; a packet is queued unless the call returned success at once
 * and the handle has FILE_SKIP_COMPLETION_PORT_ON_SUCCESS. So this layer
 * may report inline and return 0, or return WSA_IO_PENDING and report
 * later, and the application gets exactly one notification either way.
 * The extension functions follow the same rule (TRUE when done at once,
 * else FALSE with ERROR_IO_PENDING).
 *
 * Counters: a private WSAIoctl code (NONIFS_SIO_STATS, below) returns the
 * layer's counters, non-overlapped, on any of its sockets (a layer exports
 * only WSPStartup, so there is no other way in).
 *
 * The same source builds the Windows LSP DLL (x86_64-w64-mingw32-gcc):
 * only <winsock2.h> (with the Windows API it includes), <ws2spi.h>,
 * <mswsock.h>, <ws2ext/lsp.h> and the C library are used.
 */
#if defined(_WIN32) && !defined(_WIN32_WINNT)
#define _WIN32_WINNT 0x0600 /* SetFileCompletionNotificationModes */
#endif
#include <winsock2.h>
#include <ws2spi.h>
#include <mswsock.h>

#include <ws2ext/lsp.h>

#ifdef NONIFS_FAULT_HOOKS /* the test build that injects I/O faults */
#include "faults.h"
#endif

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define NF_EXPORT __declspec(dllexport)
/* WSPSelect's timeout parameter, as each set of headers spells it. */
#define NF_TIMEOUT const PTIMEVAL
#else
#define NF_EXPORT __attribute__((visibility("default")))
#define NF_TIMEOUT const struct timeval *
#endif

/* The layer's provider GUID (`ws2ctl install --guid` takes this one). */
static const GUID nf_guid = {0x3c1e9a57,
                             0x6b2d,
                             0x4f08,
                             {0x9a, 0x41, 0xd2, 0x7e, 0x0c, 0x58, 0xb3, 0x16}};

/* ---- The counters (README.md, "Reading the counters") ------------------ */

/* WSAIoctl(s, NONIFS_SIO_STATS, NULL, 0, &stats, sizeof(stats), &n, NULL,
 * NULL): an output-only vendor code ('NI'), never overlapped. */
#define NONIFS_SIO_STATS _WSAIOR(IOC_VENDOR, 0x4e49)

/* The overlapped requests the layer substitutes, by call. */
enum {
  K_SEND,
  K_RECV,
  K_SENDTO,
  K_RECVFROM,
  K_IOCTL,
  K_ACCEPTEX,
  K_CONNECTEX,
  K_DISCONNECTEX,
  K_TRANSMITFILE,
  K_TRANSMITPACKETS,
  K_WSARECVMSG,
  K_WSASENDMSG,
  K_COUNT
};

/* The WSPPROC_TABLE entries, in table order: calls counted per entry. */
enum {
  E_ACCEPT,
  E_ADDRESSTOSTRING,
  E_ASYNCSELECT,
  E_BIND,
  E_CANCELBLOCKINGCALL,
  E_CLEANUP,
  E_CLOSESOCKET,
  E_CONNECT,
  E_DUPLICATESOCKET,
  E_ENUMNETWORKEVENTS,
  E_EVENTSELECT,
  E_GETOVERLAPPEDRESULT,
  E_GETPEERNAME,
  E_GETSOCKNAME,
  E_GETSOCKOPT,
  E_GETQOSBYNAME,
  E_IOCTL,
  E_JOINLEAF,
  E_LISTEN,
  E_RECV,
  E_RECVDISCONNECT,
  E_RECVFROM,
  E_SELECT,
  E_SEND,
  E_SENDDISCONNECT,
  E_SENDTO,
  E_SETSOCKOPT,
  E_SHUTDOWN,
  E_SOCKET,
  E_STRINGTOADDRESS,
  E_COUNT
};

typedef struct nonifs_stats {
  LONG64 sockets_opened; /* handles made with WPUCreateSocketHandle */
  LONG64 sockets_closed; /* handles given back with WPUCloseSocketHandle */
  LONG64 ops_started;    /* overlapped requests issued below */
  LONG64 ops_at_once;    /* ...completed before the layer's call returned */
  LONG64 ops_from_port;  /* ...completed through the layer's port */
  LONG64 ops_failed;     /* ...failed at once (nothing to report) */
  LONG64 completions;    /* WPUCompleteOverlappedRequest calls */
  LONG64 apcs;           /* WPUQueueApc calls (completion routines) */
  LONG64 ops_in_flight;  /* requests not yet reported (when read) */
  LONG64 sockets_live;   /* records not yet released (when read) */
  LONG64 by_kind[K_COUNT];
  LONG64 calls[E_COUNT];
} nonifs_stats_t;

/*
 * The counters. The socket counts and the request counts (by_kind,
 * ops_in_flight) change where the layer's lock is held anyway, when a
 * record is made or released and when a request record is taken or
 * given back: they are plain fields under the lock, and cost a request
 * no atomic operation. The others are Interlocked increments (COUNT).
 * ops_started is not kept: it is the sum of by_kind (stats_read).
 */
static nonifs_stats_t stats;

#define COUNT(field) InterlockedIncrement64(&stats.field)

/* Reads a variable other threads change with Interlocked* (an interlocked
 * no-op, so the read is ordered like the writes). */
static LONG read32(LONG volatile *v) {
  return InterlockedCompareExchange(v, 0, 0);
}
static LONG64 read64(LONG64 volatile *v) {
  return InterlockedCompareExchange64(v, 0, 0);
}

/* ---- The layer's state ------------------------------------------------- */

/* The catalog, the layer's own catalog id, the providers below. */
static ws2lsp_t lsp = WS2LSP_INITIALIZER;

/*
 * One record per socket the layer hands out. Its address is the context
 * of the application's handle (WPUCreateSocketHandle), so a call finds it
 * with WPUQuerySocketHandleContext. `refs` counts the handle itself (until
 * WSPCloseSocket), each call in progress and each request in flight (an
 * overlapped call's reference is its request's, op_take): the record, and
 * with it the application's handle, lives until the last one ends. Fields
 * marked (lock) are under `lock`.
 */
typedef struct sock {
  LONG refs;                      /* (lock) */
  int closing;                    /* (lock) WSPCloseSocket has run */
  SOCKET app;                     /* the application's handle (ours) */
  SOCKET lower;                   /* the lower provider's socket */
  ws2lsp_lower_t *low;            /* the lower provider */
  const WSAPROTOCOL_INFOW *chain; /* the chain entry (lsp's catalog copy) */
  int lower_skips;          /* the lower socket skips the port on success */
  HWND async_hwnd;          /* (lock) WSAAsyncSelect's target, or NULL */
  UINT async_msg;           /* (lock) */
  struct sock *prev, *next; /* (lock) every record, for WSPCleanup */
} sock_t;

/* Protects the records' (lock) fields, the list and both maps. A short
 * lock around lookups: no call into another provider is made under it. */
static ws2lsp_lock_t lock = WS2LSP_LOCK_INIT;
static sock_t *all_socks;
/* The application's handle -> record: for handles that arrive as
 * arguments (fd_sets, AcceptEx's accept socket, the value of
 * SO_UPDATE_ACCEPT_CONTEXT), which may be any provider's; the context
 * of a handle that is not ours must not be taken for one of our records. */
static ws2lsp_map_t by_app = WS2LSP_MAP_INITIALIZER;
/* The lower socket -> record: WSAAsyncSelect's messages name it. */
static ws2lsp_map_t by_lower = WS2LSP_MAP_INITIALIZER;

static int starts;          /* (lock) WSPStartup calls not yet balanced */
static HANDLE port;         /* the layer's completion port */
static HANDLE worker;       /* the thread that reads it */
static LONG volatile quiet; /* WSPCleanup: no completion routine runs */
#define KEY_QUIT ((ULONG_PTR)-1)

static void count_call(int entry) {
  InterlockedIncrement64(&stats.calls[entry]);
}

/* The counters as NONIFS_SIO_STATS returns them. Under the lock, for the
 * fields kept under it; the struct is LONG64s only, and each is read as
 * the Interlocked ones are written. */
static void stats_read(nonifs_stats_t *st) {
  size_t k;
  ws2lsp_lock(&lock);
  for (k = 0; k < sizeof(stats) / sizeof(LONG64); k++)
    ((LONG64 *)st)[k] = read64((LONG64 *)&stats + k);
  ws2lsp_unlock(&lock);
  st->ops_started = 0;
  for (k = 0; k < K_COUNT; k++) st->ops_started += st->by_kind[k];
}

/* Requests not yet reported (WSPCleanup waits for them). */
static LONG64 requests_in_flight(void) {
  LONG64 n;
  ws2lsp_lock(&lock);
  n = stats.ops_in_flight;
  ws2lsp_unlock(&lock);
  return n;
}

/* ---- Socket records ---------------------------------------------------- */

/*
 * The record of s with a reference, the lock held; NULL when s is not
 * one of ours, or once it is closing. `mine`: s is a handle ws2
 * dispatched to this layer, whose context is the record; else s may be
 * any provider's handle, and is looked up in by_app (the context of a
 * handle that is not ours must not be taken for one of our records).
 */
static sock_t *sock_ref_locked(SOCKET s, int mine) {
  DWORD_PTR ctx = 0;
  sock_t *sk;
  int e = 0;
  if (!mine)
    sk = (sock_t *)ws2lsp_map_get(&by_app, s, 0);
  else if (lsp.up.lpWPUQuerySocketHandleContext(s, &ctx, &e) == 0)
    sk = (sock_t *)ctx;
  else
    sk = NULL;
  if (!sk || sk->closing) return NULL;
  sk->refs++;
  return sk;
}

/*
 * The record of s, a handle ws2 dispatched to this layer (so one of
 * ours), with a reference; NULL with WSAENOTSOCK once it is closing.
 * The lookup and the reference are taken under the lock that the last
 * release takes to free the record: the context can never name a freed
 * record.
 */
static sock_t *sock_of(SOCKET s, LPINT err) {
  sock_t *sk;
  ws2lsp_lock(&lock);
  sk = sock_ref_locked(s, 1);
  ws2lsp_unlock(&lock);
  if (!sk && err) *err = WSAENOTSOCK;
  return sk;
}

/* The record of s when s is one of ours (any handle may be asked), with a
 * reference; NULL otherwise. */
static sock_t *sock_find(SOCKET s) {
  sock_t *sk;
  ws2lsp_lock(&lock);
  sk = sock_ref_locked(s, 0);
  ws2lsp_unlock(&lock);
  return sk;
}

/*
 * Drops a reference, the lock held. The last one unlinks the record and
 * gives the application's handle back to ws2 (WPUCloseSocketHandle): by
 * then the lower socket is closed and every request on the handle has
 * been reported. Returns 1 then: the caller frees the record after the
 * unlock.
 */
static int sock_unref_locked(sock_t *sk) {
  int e = 0;
  if (--sk->refs != 0) return 0;
  if (ws2lsp_map_get(&by_app, sk->app, 0) == sk)
    ws2lsp_map_get(&by_app, sk->app, 1);
  if (sk->prev)
    sk->prev->next = sk->next;
  else
    all_socks = sk->next;
  if (sk->next) sk->next->prev = sk->prev;
  /* Under the lock: once the handle is closed its value may be reused by
   * a new socket, whose lookups must not find this record. */
  lsp.up.lpWPUCloseSocketHandle(sk->app, &e);
  stats.sockets_closed++;
  stats.sockets_live--;
  return 1;
}

/* Drops a reference (sk may be NULL). */
static void sock_put(sock_t *sk) {
  int last;
  if (!sk) return;
  ws2lsp_lock(&lock);
  last = sock_unref_locked(sk);
  ws2lsp_unlock(&lock);
  if (last) free(sk);
}

/* Whether the handles below the layer in chain `chain` are IFS: then
 * skip-on-success is safe on them (KB 2568167). */
static int below_is_ifs(const WSAPROTOCOL_INFOW *chain) {
  const WSAPROTOCOL_INFOW *below = ws2lsp_below(&lsp, chain);
  return below && (below->dwServiceFlags1 & XP1_IFS_HANDLES);
}

/*
 * Hands the lower provider's new socket `lower_s` (of chain `chain`) up
 * to the application under a handle of the layer's own: the record, the
 * lower socket's association with the layer's completion port, the
 * handle. On failure the lower socket is closed (the application never
 * saw it) and INVALID_SOCKET is returned with *err.
 */
static SOCKET hand_up(ws2lsp_lower_t *low, const WSAPROTOCOL_INFOW *chain,
                      SOCKET lower_s, LPINT err) {
  sock_t *sk = (sock_t *)calloc(1, sizeof(*sk));
  int e = 0;
  if (!sk) {
    *err = WSAENOBUFS;
    goto fail;
  }
  sk->refs = 1; /* the handle's own reference, until WSPCloseSocket */
  sk->lower = lower_s;
  sk->low = low;
  sk->chain = chain;
  /* The lower socket's requests complete to the layer's port, the key
   * being the record (the worker uses the OVERLAPPED, not the key). The
   * layer makes every lower socket overlapped, so this cannot fail for a
   * provider that follows the SPI. */
  if (!CreateIoCompletionPort((HANDLE)lower_s, port, (ULONG_PTR)sk, 0)) {
    *err = WSAENOBUFS;
    goto fail;
  }
  sk->lower_skips = below_is_ifs(chain) &&
                    SetFileCompletionNotificationModes(
                        (HANDLE)lower_s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
  /* The handle, under the chain's catalog id (so that ws2 sends its calls
   * here and SO_PROTOCOL_INFO names the chain), with the record as its
   * context. */
  sk->app = lsp.up.lpWPUCreateSocketHandle(chain->dwCatalogEntryId,
                                           (DWORD_PTR)sk, err);
  if (sk->app == INVALID_SOCKET) goto fail;
  ws2lsp_lock(&lock);
  if (ws2lsp_map_put(&by_app, sk->app, sk) != 0 ||
      ws2lsp_map_put(&by_lower, lower_s, sk) != 0) {
    ws2lsp_map_get(&by_app, sk->app, 1);
    ws2lsp_unlock(&lock);
    lsp.up.lpWPUCloseSocketHandle(sk->app, &e);
    *err = WSAENOBUFS;
    goto fail;
  }
  sk->next = all_socks;
  if (all_socks) all_socks->prev = sk;
  all_socks = sk;
  stats.sockets_opened++;
  stats.sockets_live++;
  ws2lsp_unlock(&lock);
  return sk->app;
fail:
  low->procs.lpWSPCloseSocket(lower_s, &e);
  free(sk);
  return INVALID_SOCKET;
}

/* ---- Overlapped requests ----------------------------------------------- */

/*
 * One application request issued below: the substitute OVERLAPPED the
 * lower provider sees (first, so the worker finds the request from the
 * pointer a packet carries), and what is needed to report the
 * application's request when the lower one completes.
 */
typedef struct op {
  WSAOVERLAPPED ovl; /* the lower provider's */
  int kind;          /* K_* */
  sock_t *sk;        /* the socket it is on (a reference, op_take) */
  sock_t *other;     /* AcceptEx's accept socket (a reference), or NULL */
  SOCKET lower;      /* the lower socket it went to */
  LPWSAOVERLAPPED app_ovl;
  LPWSAOVERLAPPED_COMPLETION_ROUTINE routine;
  WSATHREADID tid; /* where `routine` runs */
  int own_tid;     /* tid is from WPUOpenCurrentThread: close it */
  DWORD bytes;     /* the lower call's byte count out-parameter */
  DWORD flags;     /* the lower receive's flags in/out-parameter */
  /* The result, for the completion routine. */
  DWORD r_error, r_bytes, r_flags;
  struct op *next; /* on op_cache while unused */
} op_t;

/* OVERLAPPED.Internal is what publishes a result: it is written last,
 * with a full barrier, and read the same way, so a reader that sees it
 * final sees the other fields too. */
static ULONG_PTR internal_of(LPWSAOVERLAPPED ovl) {
  return (ULONG_PTR)InterlockedCompareExchangePointer(
      (PVOID volatile *)&ovl->Internal, NULL, NULL);
}

static void internal_set(LPWSAOVERLAPPED ovl, ULONG_PTR v) {
  InterlockedExchangePointer((PVOID volatile *)&ovl->Internal, (PVOID)v);
}

/*
 * Request records are recycled through a short list: an application
 * thread makes them and the worker ends them, and memory freed by another
 * thread than the one that allocated it misses malloc's per-thread caches
 * at both ends (each allocation and each free then takes an arena lock).
 * The list is under the layer's lock, which a request takes twice: once
 * to find its socket and take its record (op_take), once to give both
 * back (op_end). The request is counted in the same holds.
 */
#define OP_CACHE_MAX 128
static op_t *op_cache; /* (lock) linked through `next` */
static int op_cached;  /* (lock) */

/* A record for a request of `kind`, the lock held: from the list, or
 * NULL when it is empty (op_ready allocates one). The request is counted
 * now (op_end takes the count back if it never starts). */
static op_t *op_pop_locked(int kind) {
  op_t *op = op_cache;
  if (op) {
    op_cache = op->next;
    op_cached--;
  }
  stats.by_kind[kind]++;
  stats.ops_in_flight++;
  return op;
}

/* Frees the list (WSPCleanup, once the worker has stopped). */
static void op_cache_clear(void) {
  ws2lsp_lock(&lock);
  while (op_cache) {
    op_t *op = op_cache;
    op_cache = op->next;
    free(op);
  }
  op_cached = 0;
  ws2lsp_unlock(&lock);
}

/*
 * A request of `kind` on sk ends, in one hold of the lock: it leaves the
 * count in flight (and, when it never `started`, the count of its kind),
 * its record `op` goes back on the list (or is freed when the list is
 * full; NULL: none could be allocated), and its reference on sk is
 * dropped.
 */
static void op_end(op_t *op, sock_t *sk, int kind, int started) {
  int last;
  ws2lsp_lock(&lock);
  stats.ops_in_flight--;
  if (!started) stats.by_kind[kind]--;
  if (op && op_cached < OP_CACHE_MAX) {
    op->next = op_cache;
    op_cache = op;
    op_cached++;
    op = NULL;
  }
  last = sock_unref_locked(sk);
  ws2lsp_unlock(&lock);
  free(op);
  if (last) free(sk);
}

/* A record whose request never started: its count, its reference and
 * itself. */
static void op_discard(op_t *op) { op_end(op, op->sk, op->kind, 0); }

/* After the lock hold that took `op` (from the list, or NULL) and a
 * reference on sk: the record, zeroed, holding that reference; NULL with
 * WSAENOBUFS (and the reference dropped) when memory is short. */
static op_t *op_ready(op_t *op, sock_t *sk, int kind, LPINT err) {
  if (!op && !(op = (op_t *)malloc(sizeof(*op)))) {
    op_end(NULL, sk, kind, 0);
    *err = WSAENOBUFS;
    return NULL;
  }
  memset(op, 0, sizeof(*op));
  op->sk = sk;
  op->kind = kind;
  return op;
}

/*
 * A record for a request of `kind` on s, with a reference on s's record
 * (looked up as sock_ref_locked does, `mine` saying how), both taken in
 * one hold of the lock. The reference is the request's, and serves the
 * call that makes the request too: that call takes none of its own, so
 * once its lower call is issued it must not touch the record but through
 * op, and only while op is still its own (op_started). NULL with *err
 * (WSAENOTSOCK, WSAENOBUFS).
 */
static op_t *op_take(SOCKET s, int mine, int kind, LPINT err) {
  sock_t *sk;
  op_t *op = NULL;
  ws2lsp_lock(&lock);
  if ((sk = sock_ref_locked(s, mine)) != NULL) op = op_pop_locked(kind);
  ws2lsp_unlock(&lock);
  if (!sk) {
    *err = WSAENOTSOCK;
    return NULL;
  }
  return op_ready(op, sk, kind, err);
}

/*
 * Sets up op for the application's OVERLAPPED `ovl` and marks that in
 * flight: 0, or SOCKET_ERROR with *err (op is discarded). With a
 * completion routine, the thread to run it is the one ws2 named (tid),
 * or, for an extension function, which ws2 does not see, this thread
 * (WPUOpenCurrentThread).
 */
static int op_init(op_t *op, LPWSAOVERLAPPED ovl,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE routine,
                   LPWSATHREADID tid, LPINT err) {
  int e = 0;
#ifdef NONIFS_FAULT_HOOKS
  if (nf_fault_call(op->kind, err)) { /* fails at once, nothing started */
    op_discard(op);
    return SOCKET_ERROR;
  }
#endif
  op->app_ovl = ovl;
  op->routine = routine;
  if (routine) {
    /* The SPI says to copy the WSATHREADID, not keep the pointer. */
    if (tid) {
      op->tid = *tid;
    } else if (lsp.up.lpWPUOpenCurrentThread(&op->tid, &e) == 0) {
      op->own_tid = 1;
    } else {
      op_discard(op);
      *err = e;
      return SOCKET_ERROR;
    }
  } else if (ovl->hEvent) {
    /* Reset now, as a file system request resets its event when it
     * starts; the low bit is the "no packet" flag, not part of it. */
    lsp.up.lpWPUResetEvent((WSAEVENT)((ULONG_PTR)ovl->hEvent & ~(ULONG_PTR)1),
                           &e);
  }
  /* TransmitFile reads the file offset from the OVERLAPPED. */
  op->ovl.Offset = ovl->Offset;
  op->ovl.OffsetHigh = ovl->OffsetHigh;
  /* In flight, for WSPGetOverlappedResult. (ws2 did it already for the
   * calls it dispatches without a completion routine; the others are
   * the layer's to mark.) */
  ovl->InternalHigh = 0;
  internal_set(ovl, WSS_OPERATION_IN_PROGRESS);
  op->lower = op->sk->lower;
  return 0;
}

/* A request for the application's OVERLAPPED `ovl` on s, a handle ws2
 * dispatched to this layer: op_take and op_init. NULL with *err. */
static op_t *op_of(SOCKET s, int kind, LPWSAOVERLAPPED ovl,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE routine,
                   LPWSATHREADID tid, LPINT err) {
  op_t *op = op_take(s, 1, kind, err);
  return op && op_init(op, ovl, routine, tid, err) == 0 ? op : NULL;
}

/* The same for a call that holds a reference on sk: the request takes
 * that reference over (as with op_take, the call must not touch sk after
 * its lower call). NULL with *err, and the reference dropped. */
static op_t *op_new(sock_t *sk, int kind, LPWSAOVERLAPPED ovl,
                    LPWSAOVERLAPPED_COMPLETION_ROUTINE routine,
                    LPWSATHREADID tid, LPINT err) {
  op_t *op;
  ws2lsp_lock(&lock);
  op = op_pop_locked(kind);
  ws2lsp_unlock(&lock);
  op = op_ready(op, sk, kind, err);
  return op && op_init(op, ovl, routine, tid, err) == 0 ? op : NULL;
}

static void op_free(op_t *op) {
  int e = 0;
  if (op->own_tid) lsp.up.lpWPUCloseThread(&op->tid, &e);
  sock_put(op->other);
  op_end(op, op->sk, op->kind, 1); /* op may be reused from here */
}

/* The completion routine, run in an alertable wait of the thread that
 * issued the request. The request ends after the routine returns: until
 * then the application's handle is still open. */
static VOID CALLBACK run_routine(DWORD_PTR ctx) {
  op_t *op = (op_t *)ctx;
  op->routine(op->r_error, op->r_bytes, op->app_ovl, op->r_flags);
  op_free(op);
}

/*
 * Reports the application's request: error (a WSA code, 0 for success),
 * bytes and flags, then ends it. The SPI's convention for a non-IFS
 * provider's OVERLAPPED: Offset holds the flags and OffsetHigh the error
 * (WSPGetOverlappedResult reads them back), InternalHigh the byte count,
 * and Internal stops being WSS_OPERATION_IN_PROGRESS last.
 */
static void deliver(op_t *op, DWORD error, DWORD bytes, DWORD flags) {
  LPWSAOVERLAPPED ovl = op->app_ovl;
  int e = 0;
  ovl->Offset = flags;
  ovl->OffsetHigh = error;
  if (op->routine) {
    if (read32(&quiet)) {
      /* WSACleanup: pending requests end without their routine. */
      op_free(op);
      return;
    }
    op->r_error = error;
    op->r_bytes = bytes;
    op->r_flags = flags;
    ovl->InternalHigh = bytes;
    /* Any value but WSS_OPERATION_IN_PROGRESS; a failure status for a
     * failure, for callers that read it as one (GetOverlappedResult). */
    internal_set(ovl, error ? (ULONG_PTR)0xC0000001 : 0);
    COUNT(apcs);
    if (lsp.up.lpWPUQueueApc(&op->tid, run_routine, (DWORD_PTR)op, &e) != 0)
      op_free(op); /* the thread is gone: nobody to tell */
    return;
  }
  /* ws2 publishes InternalHigh and Internal, then sets hEvent and/or
   * queues the packet to the port the application's handle is associated
   * with, following the completion rule (the top of this file). */
  COUNT(completions);
  WPUCompleteOverlappedRequest(op->sk->app, ovl, error, bytes, &e);
  op_free(op);
}

/*
 * The lower request of op has completed: its result, from the lower
 * provider's WSPGetOverlappedResult (only the lower provider knows how it
 * writes its OVERLAPPED), passed to the application. `ok` and `n` are
 * the packet's, used when the lower socket is already closed (the
 * application closed its socket while the request was in flight: the
 * lower provider no longer knows the socket, and the request was aborted).
 * *bytes_out and *flags_out (may be NULL) get the result.
 */
static void op_finish(op_t *op, BOOL ok, DWORD n, LPDWORD bytes_out,
                      LPDWORD flags_out) {
  DWORD bytes = 0, flags = 0, error = 0;
  int e = 0;
  if (!op->sk->low->procs.lpWSPGetOverlappedResult(op->lower, &op->ovl, &bytes,
                                                   FALSE, &flags, &e)) {
    if (e == WSAENOTSOCK) {
      bytes = n;
      flags = 0;
      error = ok ? 0 : WSA_OPERATION_ABORTED;
    } else {
      error = (DWORD)e;
    }
  }
  if (bytes_out) *bytes_out = bytes;
  if (flags_out) *flags_out = flags;
  deliver(op, error, bytes, flags);
}

#ifdef NONIFS_FAULT_HOOKS
/* How the fault module reports a request it took (faults.h). */
static void fault_report(void *req, BOOL ok, DWORD n, DWORD error,
                         LPDWORD bytes, LPDWORD flags) {
  if (error)
    deliver((op_t *)req, error, 0, 0);
  else
    op_finish((op_t *)req, ok, n, bytes, flags);
}
#endif

/* A lower request's packet: ok and n as GetQueuedCompletionStatus gives
 * them. */
static void lower_done(LPOVERLAPPED ovl, BOOL ok, DWORD n) {
  COUNT(ops_from_port);
#ifdef NONIFS_FAULT_HOOKS
  if (nf_fault_done(ovl, ((op_t *)ovl)->kind, 0, ok, n, NULL, NULL) !=
      NF_FAULT_PASS)
    return;
#endif
  op_finish((op_t *)ovl, ok, n, NULL, NULL);
}

/* The worker: every lower request completes here, as a packet of the
 * layer's port, but those that reach on_port_callback. */
static DWORD WINAPI worker_main(LPVOID unused) {
  (void)unused;
  for (;;) {
    DWORD n = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED ovl = NULL;
    BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &ovl, INFINITE);
    if (!ovl) {
      if (key == KEY_QUIT || !ok) break;
      continue;
    }
    lower_done(ovl, ok, n);
  }
  return 0;
}

/*
 * Where ws2 runs, the lower requests that its engine completes come here
 * instead, in the thread that completed them (ws2lsp_port_callback): no
 * worker wake-up per completion. What it does takes only the layer's
 * lock, which no thread holds while it waits in ws2 (async_window waits
 * outside it).
 */
static VOID WINAPI on_port_callback(PVOID context, ULONG_PTR key,
                                    LPOVERLAPPED ovl, DWORD error, DWORD n) {
  (void)context;
  (void)key;
  if (ovl) lower_done(ovl, error == 0, n);
}

/*
 * op's lower call completed at once, with no packet coming. For the data
 * calls its out-parameters are the result (a call done at once updates
 * them), so the lower provider need not be asked again; the others (some,
 * like TransmitFile, have no byte count) ask it, as the worker does.
 */
static void finish_at_once(op_t *op, LPDWORD bytes_out, LPDWORD flags_out) {
  switch (op->kind) {
    case K_RECV:
    case K_RECVFROM:
      *flags_out = op->flags; /* the lower call's lpFlags */
      /* fall through */
    case K_SEND:
    case K_SENDTO:
      *bytes_out = op->bytes;
      deliver(op, 0, *bytes_out, *flags_out);
      break;
    default:
      op_finish(op, TRUE, op->bytes, bytes_out, flags_out);
  }
}

/*
 * After the lower call of an overlapped request returned r (0 or
 * SOCKET_ERROR, with error e): what the layer's own call returns. `skips`
 * is the lower socket's skip-on-success, read before the call (op may be
 * gone once the lower call has started).
 *
 *  - lower done at once and no packet coming: report now, return 0 with
 *    the counts. The report comes before the call returns: ws2 holds it
 *    until then, and on Windows it is a request on the layer's handle
 *    that succeeded at once; either way the application gets a packet
 *    only if its handle does not skip the port on success;
 *  - lower done at once with a packet coming, or pending: the worker
 *    reports it; return WSA_IO_PENDING;
 *  - lower failed at once: nothing will complete; return its error.
 *
 * `now` is the byte count the lower call gave if it completed at once.
 * The lower call writes it into a variable of the caller's frame, not
 * into op: once the lower call has queued a packet (or gone pending), the
 * worker may report op and free it, even before the lower call returns
 * (and a layer below may read the count after that). Freeing op drops
 * its reference on the socket, which is the caller's too (op_take,
 * op_new): the record may then be freed as well, so the caller reads
 * neither once its lower call is issued; this function reads them only
 * where no packet is coming (op is still the caller's).
 */
static int op_started(op_t *op, int skips, int r, int e, DWORD now,
                      LPDWORD bytes_out, LPDWORD flags_out, LPINT err) {
  if (r == 0 && skips) {
    DWORD b = 0, f = 0;
    op->bytes = now; /* no packet is coming: op is still this thread's */
    COUNT(ops_at_once);
#ifdef NONIFS_FAULT_HOOKS
    r = nf_fault_done(op, op->kind, 1, TRUE, op->bytes, &b, &f);
    if (r == NF_FAULT_PENDING) {
      *err = WSA_IO_PENDING;
      return SOCKET_ERROR;
    }
    if (r == NF_FAULT_PASS)
#endif
      finish_at_once(op, &b, &f);
    if (bytes_out) *bytes_out = b;
    if (flags_out) *flags_out = f;
    return 0;
  }
  if (r == 0 || e == WSA_IO_PENDING) {
    *err = WSA_IO_PENDING;
    return SOCKET_ERROR;
  }
  COUNT(ops_failed);
  op_free(op);
  *err = e;
  return SOCKET_ERROR;
}

/* A request the layer answers itself (an ioctl about its own socket),
 * made overlapped: reported at once. The request takes over the call's
 * reference on sk (op_new), and has ended when this returns. */
static int answered_at_once(sock_t *sk, int kind, DWORD bytes,
                            LPWSAOVERLAPPED ovl,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                            LPWSATHREADID tid, LPINT err) {
  op_t *op = op_new(sk, kind, ovl, cr, tid, err);
  if (!op) return SOCKET_ERROR;
  COUNT(ops_at_once);
  deliver(op, 0, bytes, 0);
  return 0;
}

/* ---- Protocol information ---------------------------------------------- */

/* Copies the fields that say which catalog entry a WSAPROTOCOL_INFOW
 * describes from `from`; the rest stays (including the provider's private
 * fields in a duplicated socket's description). */
static void set_identity(LPWSAPROTOCOL_INFOW info,
                         const WSAPROTOCOL_INFOW *from) {
  info->dwServiceFlags1 = from->dwServiceFlags1;
  info->dwProviderFlags = from->dwProviderFlags;
  info->ProviderId = from->ProviderId;
  info->dwCatalogEntryId = from->dwCatalogEntryId;
  info->ProtocolChain = from->ProtocolChain;
  memcpy(info->szProtocol, from->szProtocol, sizeof(info->szProtocol));
}

/* The chain entry (lsp's copy) that `info` names, or NULL. */
static const WSAPROTOCOL_INFOW *chain_of(const WSAPROTOCOL_INFOW *info) {
  const WSAPROTOCOL_INFOW *e;
  if (!info) return NULL;
  e = ws2lsp_entry(&lsp, info->dwCatalogEntryId);
  return e && ws2lsp_below(&lsp, e) ? e : NULL;
}

/*
 * What to give the provider below for `info` (a chain of the layer): the
 * SPI's rule is the same WSAPROTOCOL_INFOW when the next link is another
 * layer, and the base provider's own entry when it is the base (a base
 * provider never sees chains). `copy` holds the base's version: info with
 * the base entry's identity, so that the private fields of a duplicated
 * socket's description reach the provider that wrote them.
 */
static LPWSAPROTOCOL_INFOW info_below(ws2lsp_lower_t *low,
                                      LPWSAPROTOCOL_INFOW info,
                                      LPWSAPROTOCOL_INFOW low_info,
                                      LPWSAPROTOCOL_INFOW copy) {
  if (!low->is_base) return info;
  *copy = *info;
  set_identity(copy, low_info);
  return copy;
}

/* ---- Socket life ------------------------------------------------------- */

static SOCKET WSPAPI nf_socket(int af, int type, int protocol,
                               LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags,
                               LPINT err) {
  const WSAPROTOCOL_INFOW *chain = chain_of(info);
  LPWSAPROTOCOL_INFOW low_info = NULL;
  WSAPROTOCOL_INFOW copy;
  ws2lsp_lower_t *low;
  SOCKET s;
  count_call(E_SOCKET);
  if (!chain) {
    *err = WSAEINVAL;
    return INVALID_SOCKET;
  }
  if (!(low = ws2lsp_lower(&lsp, chain, &low_info, err))) return INVALID_SOCKET;
  /* Always overlapped below: the layer's own requests are, whatever the
   * application's socket is (WSA_FLAG_OVERLAPPED only allows overlapped
   * calls; blocking calls behave the same). */
  s = low->procs.lpWSPSocket(af, type, protocol,
                             info_below(low, info, low_info, &copy), g,
                             flags | WSA_FLAG_OVERLAPPED, err);
  if (s == INVALID_SOCKET) return s;
  return hand_up(low, chain, s, err);
}

static SOCKET WSPAPI nf_accept(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                               LPCONDITIONPROC cond, DWORD_PTR data,
                               LPINT err) {
  sock_t *sk = sock_of(s, err);
  SOCKET a;
  count_call(E_ACCEPT);
  if (!sk) return INVALID_SOCKET;
  /* The condition function gets the caller's and callee's data, no
   * handle: it goes down as it is. */
  a = sk->low->procs.lpWSPAccept(sk->lower, addr, addrlen, cond, data, err);
  if (a != INVALID_SOCKET) a = hand_up(sk->low, sk->chain, a, err);
  sock_put(sk);
  return a;
}

static SOCKET WSPAPI nf_joinleaf(SOCKET s, const struct sockaddr *name,
                                 int namelen, LPWSABUF caller, LPWSABUF callee,
                                 LPQOS sqos, LPQOS gqos, DWORD flags,
                                 LPINT err) {
  sock_t *sk = sock_of(s, err);
  SOCKET r;
  count_call(E_JOINLEAF);
  if (!sk) return INVALID_SOCKET;
  r = sk->low->procs.lpWSPJoinLeaf(sk->lower, name, namelen, caller, callee,
                                   sqos, gqos, flags, err);
  /* A leaf joins on the socket itself (the same handle back), a root may
   * get a new socket: that one is handed up like an accepted one. */
  if (r == sk->lower)
    r = s;
  else if (r != INVALID_SOCKET)
    r = hand_up(sk->low, sk->chain, r, err);
  sock_put(sk);
  return r;
}

/*
 * closesocket. The lower socket is closed now: the connection ends as
 * the application asked, and the lower provider aborts what was pending
 * on it. Those requests still complete through the layer's port, and the
 * worker reports them (WSA_OPERATION_ABORTED) on the application's
 * handle, which therefore stays open until the last one is reported:
 * the record's references (sock_put) close it then.
 */
static int WSPAPI nf_closesocket(SOCKET s, LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_CLOSESOCKET);
  if (!sk) return SOCKET_ERROR;
  ws2lsp_lock(&lock);
  if (sk->closing) { /* another thread got there first */
    ws2lsp_unlock(&lock);
    sock_put(sk);
    *err = WSAENOTSOCK;
    return SOCKET_ERROR;
  }
  sk->closing = 1;
  /* Before the lower close: afterwards its value may name a new socket. */
  ws2lsp_map_get(&by_lower, sk->lower, 1);
  ws2lsp_unlock(&lock);
  r = sk->low->procs.lpWSPCloseSocket(sk->lower, err);
  if (r != 0) {
    /* Not closed (a non-blocking socket lingering: WSAEWOULDBLOCK). */
    ws2lsp_lock(&lock);
    sk->closing = 0;
    ws2lsp_map_put(&by_lower, sk->lower, sk);
    ws2lsp_unlock(&lock);
    sock_put(sk);
    return r;
  }
  sock_put(sk); /* this call's */
  sock_put(sk); /* the handle's own: the rest are requests in flight */
  return 0;
}

/* ---- Calls that only need the lower socket ------------------------------ */

static int WSPAPI nf_bind(SOCKET s, const struct sockaddr *name, int namelen,
                          LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_BIND);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPBind(sk->lower, name, namelen, err);
  sock_put(sk);
  return r;
}

static int WSPAPI nf_listen(SOCKET s, int backlog, LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_LISTEN);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPListen(sk->lower, backlog, err);
  sock_put(sk);
  return r;
}

static int WSPAPI nf_connect(SOCKET s, const struct sockaddr *name, int namelen,
                             LPWSABUF caller, LPWSABUF callee, LPQOS sqos,
                             LPQOS gqos, LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_CONNECT);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPConnect(sk->lower, name, namelen, caller, callee,
                                  sqos, gqos, err);
  sock_put(sk);
  return r;
}

static int WSPAPI nf_getpeername(SOCKET s, struct sockaddr *name, LPINT namelen,
                                 LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_GETPEERNAME);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPGetPeerName(sk->lower, name, namelen, err);
  sock_put(sk);
  return r;
}

static int WSPAPI nf_getsockname(SOCKET s, struct sockaddr *name, LPINT namelen,
                                 LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_GETSOCKNAME);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPGetSockName(sk->lower, name, namelen, err);
  sock_put(sk);
  return r;
}

static int WSPAPI nf_shutdown(SOCKET s, int how, LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_SHUTDOWN);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPShutdown(sk->lower, how, err);
  sock_put(sk);
  return r;
}

static int WSPAPI nf_senddisconnect(SOCKET s, LPWSABUF data, LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_SENDDISCONNECT);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPSendDisconnect(sk->lower, data, err);
  sock_put(sk);
  return r;
}

static int WSPAPI nf_recvdisconnect(SOCKET s, LPWSABUF data, LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_RECVDISCONNECT);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPRecvDisconnect(sk->lower, data, err);
  sock_put(sk);
  return r;
}

static BOOL WSPAPI nf_getqosbyname(SOCKET s, LPWSABUF name, LPQOS qos,
                                   LPINT err) {
  sock_t *sk = sock_of(s, err);
  BOOL r;
  count_call(E_GETQOSBYNAME);
  if (!sk) return FALSE;
  r = sk->low->procs.lpWSPGetQOSByName(sk->lower, name, qos, err);
  sock_put(sk);
  return r;
}

/* SO_PROTOCOL_INFOW/A describe the socket's chain (the layer's entry),
 * not the lower provider's; everything else is the lower socket's. */
static int WSPAPI nf_getsockopt(SOCKET s, int level, int name, char *val,
                                LPINT len, LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r = 0;
  count_call(E_GETSOCKOPT);
  if (!sk) return SOCKET_ERROR;
  if (level == SOL_SOCKET &&
      (name == SO_PROTOCOL_INFOW || name == SO_PROTOCOL_INFOA)) {
    int wide = name == SO_PROTOCOL_INFOW;
    int size =
        wide ? (int)sizeof(WSAPROTOCOL_INFOW) : (int)sizeof(WSAPROTOCOL_INFOA);
    if (!val || !len || *len < size) {
      *err = WSAEFAULT;
      r = SOCKET_ERROR;
    } else if (wide) {
      memcpy(val, sk->chain, sizeof(WSAPROTOCOL_INFOW));
      *len = size;
    } else {
      /* The same layout up to szProtocol, which is narrowed. */
      WSAPROTOCOL_INFOA *a = (WSAPROTOCOL_INFOA *)val;
      int i;
      memcpy(a, sk->chain, offsetof(WSAPROTOCOL_INFOW, szProtocol));
      for (i = 0; i <= WSAPROTOCOL_LEN; i++)
        a->szProtocol[i] =
            (char)(sk->chain->szProtocol[i] < 0x80 ? sk->chain->szProtocol[i]
                                                   : '?');
      *len = size;
    }
  } else {
    r = sk->low->procs.lpWSPGetSockOpt(sk->lower, level, name, val, len, err);
  }
  sock_put(sk);
  return r;
}

/* SO_UPDATE_ACCEPT_CONTEXT's value is a socket (the listening one, after
 * AcceptEx): the application's, so the lower one goes down instead. */
static int WSPAPI nf_setsockopt(SOCKET s, int level, int name, const char *val,
                                int len, LPINT err) {
  sock_t *sk = sock_of(s, err), *l = NULL;
  SOCKET lower_l;
  int r;
  count_call(E_SETSOCKOPT);
  if (!sk) return SOCKET_ERROR;
  if (level == SOL_SOCKET && name == SO_UPDATE_ACCEPT_CONTEXT && val &&
      len >= (int)sizeof(SOCKET)) {
    SOCKET app_l;
    memcpy(&app_l, val, sizeof(app_l));
    if (!(l = sock_find(app_l))) {
      sock_put(sk);
      *err = WSAENOTSOCK;
      return SOCKET_ERROR;
    }
    lower_l = l->lower;
    val = (const char *)&lower_l;
    len = (int)sizeof(lower_l);
  }
  r = sk->low->procs.lpWSPSetSockOpt(sk->lower, level, name, val, len, err);
  sock_put(l);
  sock_put(sk);
  return r;
}

/* ---- Data: the overlapped calls ---------------------------------------- */

/*
 * Each of these makes its request with op_of, which finds the socket and
 * takes the request's record in one hold of the lock; the request's
 * reference on the socket is the call's too. So from the lower call on,
 * the call reads nothing of the record (sk is read for the lower call's
 * arguments, and `skips` before it), and leaves op to op_started.
 */

/* A call on s with an argument it cannot take: WSAEFAULT, or WSAENOTSOCK
 * when s is closing (a call checks its socket first). */
static int bad_argument(SOCKET s, LPINT err) {
  sock_t *sk = sock_of(s, err);
  if (!sk) return SOCKET_ERROR;
  sock_put(sk);
  *err = WSAEFAULT;
  return SOCKET_ERROR;
}

static int WSPAPI nf_send(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                          DWORD flags, LPWSAOVERLAPPED ovl,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          LPWSATHREADID tid, LPINT err) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  sock_t *sk;
  op_t *op;
  int r, e = 0, skips;
  count_call(E_SEND);
  if (!ovl) { /* blocking or non-blocking: the lower call as it is */
    if (!(sk = sock_of(s, err))) return SOCKET_ERROR;
    r = sk->low->procs.lpWSPSend(sk->lower, bufs, n, sent, flags, NULL, NULL,
                                 NULL, err);
    sock_put(sk);
    return r;
  }
  if (!(op = op_of(s, K_SEND, ovl, cr, tid, err))) return SOCKET_ERROR;
  sk = op->sk;
  skips = sk->lower_skips;
#ifdef NONIFS_FAULT_HOOKS
  bufs = nf_fault_bufs(K_SEND, bufs, &n);
#endif
  r = sk->low->procs.lpWSPSend(sk->lower, bufs, n, &now, flags, &op->ovl, NULL,
                               NULL, &e);
  return op_started(op, skips, r, e, now, sent, NULL, err);
}

static int WSPAPI nf_sendto(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                            DWORD flags, const struct sockaddr *to, int tolen,
                            LPWSAOVERLAPPED ovl,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                            LPWSATHREADID tid, LPINT err) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  sock_t *sk;
  op_t *op;
  int r, e = 0, skips;
  count_call(E_SENDTO);
  if (!ovl) {
    if (!(sk = sock_of(s, err))) return SOCKET_ERROR;
    r = sk->low->procs.lpWSPSendTo(sk->lower, bufs, n, sent, flags, to, tolen,
                                   NULL, NULL, NULL, err);
    sock_put(sk);
    return r;
  }
  if (!(op = op_of(s, K_SENDTO, ovl, cr, tid, err))) return SOCKET_ERROR;
  sk = op->sk;
  skips = sk->lower_skips;
  r = sk->low->procs.lpWSPSendTo(sk->lower, bufs, n, &now, flags, to, tolen,
                                 &op->ovl, NULL, NULL, &e);
  return op_started(op, skips, r, e, now, sent, NULL, err);
}

/* The receive flags go down as a copy in the request: the caller's
 * variable may be gone before the request completes (ReadFile's is). The
 * result flags come back in OVERLAPPED.Offset. */
static int WSPAPI nf_recv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD got,
                          LPDWORD flags, LPWSAOVERLAPPED ovl,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          LPWSATHREADID tid, LPINT err) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  sock_t *sk;
  op_t *op;
  int r, e = 0, skips;
  count_call(E_RECV);
  if (!ovl) {
    if (!(sk = sock_of(s, err))) return SOCKET_ERROR;
    r = sk->low->procs.lpWSPRecv(sk->lower, bufs, n, got, flags, NULL, NULL,
                                 NULL, err);
    sock_put(sk);
    return r;
  }
  if (!flags) return bad_argument(s, err);
  if (!(op = op_of(s, K_RECV, ovl, cr, tid, err))) return SOCKET_ERROR;
  sk = op->sk;
  skips = sk->lower_skips;
  op->flags = *flags;
#ifdef NONIFS_FAULT_HOOKS
  bufs = nf_fault_bufs(K_RECV, bufs, &n);
#endif
  r = sk->low->procs.lpWSPRecv(sk->lower, bufs, n, &now, &op->flags, &op->ovl,
                               NULL, NULL, &e);
  return op_started(op, skips, r, e, now, got, flags, err);
}

/* The source address and its length are written by the lower provider
 * into the application's variables, which must live until the request
 * completes (the API's own rule). */
static int WSPAPI nf_recvfrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD got,
                              LPDWORD flags, struct sockaddr *from,
                              LPINT fromlen, LPWSAOVERLAPPED ovl,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                              LPWSATHREADID tid, LPINT err) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  sock_t *sk;
  op_t *op;
  int r, e = 0, skips;
  count_call(E_RECVFROM);
  if (!ovl) {
    if (!(sk = sock_of(s, err))) return SOCKET_ERROR;
    r = sk->low->procs.lpWSPRecvFrom(sk->lower, bufs, n, got, flags, from,
                                     fromlen, NULL, NULL, NULL, err);
    sock_put(sk);
    return r;
  }
  if (!flags) return bad_argument(s, err);
  if (!(op = op_of(s, K_RECVFROM, ovl, cr, tid, err))) return SOCKET_ERROR;
  sk = op->sk;
  skips = sk->lower_skips;
  op->flags = *flags;
  r = sk->low->procs.lpWSPRecvFrom(sk->lower, bufs, n, &now, &op->flags, from,
                                   fromlen, &op->ovl, NULL, NULL, &e);
  return op_started(op, skips, r, e, now, got, flags, err);
}

/*
 * WSAGetOverlappedResult on the layer's handle. The request's state is in
 * the application's OVERLAPPED (the SPI's convention, see deliver): in
 * flight while Internal is WSS_OPERATION_IN_PROGRESS; then InternalHigh,
 * Offset and OffsetHigh are the bytes, flags and error. No record is
 * needed, so it works until the handle is gone, closesocket or not.
 */
static BOOL WSPAPI nf_getoverlappedresult(SOCKET s, LPWSAOVERLAPPED ovl,
                                          LPDWORD bytes, BOOL wait,
                                          LPDWORD flags, LPINT err) {
  count_call(E_GETOVERLAPPEDRESULT);
  if (!ovl || !bytes || !flags) {
    *err = WSAEFAULT;
    return FALSE;
  }
  while (internal_of(ovl) == WSS_OPERATION_IN_PROGRESS) {
    HANDLE h;
    if (!wait) {
      *err = WSA_IO_INCOMPLETE;
      return FALSE;
    }
    /* The request's event, else the handle (which ws2 signals when a
     * request on it without event completes). The wait is sliced: a
     * request with a completion routine signals neither. */
    h = ovl->hEvent ? (HANDLE)((ULONG_PTR)ovl->hEvent & ~(ULONG_PTR)1)
                    : (HANDLE)s;
    if (WaitForSingleObject(h, 50) == WAIT_FAILED) Sleep(1);
  }
  *bytes = (DWORD)ovl->InternalHigh;
  *flags = ovl->Offset;
  if (ovl->OffsetHigh == 0) return TRUE;
  *err = (int)ovl->OffsetHigh;
  return FALSE;
}

/* ---- WSPIoctl ---------------------------------------------------------- */

/* The extension functions the layer hands out (defined below). */
static BOOL PASCAL nf_acceptex(SOCKET, SOCKET, PVOID, DWORD, DWORD, DWORD,
                               LPDWORD, LPOVERLAPPED);
static BOOL PASCAL nf_connectex(SOCKET, const struct sockaddr *, int, PVOID,
                                DWORD, LPDWORD, LPOVERLAPPED);
static BOOL PASCAL nf_disconnectex(SOCKET, LPOVERLAPPED, DWORD, DWORD);
static BOOL PASCAL nf_transmitfile(SOCKET, HANDLE, DWORD, DWORD, LPOVERLAPPED,
                                   LPTRANSMIT_FILE_BUFFERS, DWORD);
static BOOL PASCAL nf_transmitpackets(SOCKET, LPTRANSMIT_PACKETS_ELEMENT, DWORD,
                                      DWORD, LPOVERLAPPED, DWORD);
static INT PASCAL nf_wsarecvmsg(SOCKET, LPWSAMSG, LPDWORD, LPWSAOVERLAPPED,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE);
static INT WSAAPI nf_wsasendmsg(SOCKET, LPWSAMSG, DWORD, LPDWORD,
                                LPWSAOVERLAPPED,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE);

enum {
  X_ACCEPTEX,
  X_CONNECTEX,
  X_DISCONNECTEX,
  X_TRANSMITFILE,
  X_TRANSMITPACKETS,
  X_WSARECVMSG,
  X_WSASENDMSG,
  X_GETACCEPTEXSOCKADDRS, /* no socket: the lower provider's own */
  X_COUNT
};

static const GUID ext_ids[X_COUNT] = {
    WSAID_ACCEPTEX,        WSAID_CONNECTEX,
    WSAID_DISCONNECTEX,    WSAID_TRANSMITFILE,
    WSAID_TRANSMITPACKETS, WSAID_WSARECVMSG,
    WSAID_WSASENDMSG,      WSAID_GETACCEPTEXSOCKADDRS,
};

static void *const ext_mine[X_COUNT] = {
    (void *)nf_acceptex,        (void *)nf_connectex,
    (void *)nf_disconnectex,    (void *)nf_transmitfile,
    (void *)nf_transmitpackets, (void *)nf_wsarecvmsg,
    (void *)nf_wsasendmsg,      NULL,
};

/* The lower providers' functions, per provider (index in lsp.lower), asked
 * for once on a lower socket. */
static void *volatile lower_ext[WS2LSP_MAX_LOWER][X_COUNT];

/* The lower provider's function `which` for sk, or NULL with the thread's
 * last error set (an extension function reports errors there). */
static void *lower_ext_of(sock_t *sk, int which) {
  size_t i = (size_t)(sk->low - lsp.lower);
  void *fn = InterlockedCompareExchangePointer(
      (PVOID volatile *)&lower_ext[i][which], NULL, NULL);
  GUID id = ext_ids[which];
  DWORD n = 0;
  int e = 0;
  if (fn) return fn;
  if (sk->low->procs.lpWSPIoctl(sk->lower, SIO_GET_EXTENSION_FUNCTION_POINTER,
                                &id, sizeof(id), &fn, sizeof(fn), &n, NULL,
                                NULL, NULL, &e) != 0 ||
      !fn) {
    WSASetLastError(e ? e : WSAEOPNOTSUPP);
    return NULL;
  }
  InterlockedExchangePointer((PVOID volatile *)&lower_ext[i][which], fn);
  return fn;
}

/* Whether select (SIO_BSP_HANDLE_SELECT) or WSAPoll (SIO_BSP_HANDLE_POLL)
 * should come to the layer: yes, unless WS2_NONIFS_READINESS=below. */
static int readiness_here(DWORD code) {
  const char *v;
  if (code != SIO_BSP_HANDLE_SELECT && code != SIO_BSP_HANDLE_POLL) return 0;
  v = getenv("WS2_NONIFS_READINESS");
  return !v || strcmp(v, "below") != 0;
}

/*
 * WSAPoll: ws2 hands the whole array over with SIO_EXT_POLL on one of the
 * layer's sockets (SIO_BSP_HANDLE_POLL named the layer's own handle). In
 * and out: a WSAPOLLDATA, fds entries long. Each of the layer's sockets
 * becomes its lower socket (others go down as they are), the lower
 * provider's SIO_EXT_POLL waits, and result and revents come back.
 */
static int ext_poll(sock_t *sk, LPVOID in, DWORD inlen, LPVOID out,
                    DWORD outlen, LPDWORD ret, int overlapped, LPINT err) {
  WSAPOLLDATA *d = (WSAPOLLDATA *)in, *low;
  sock_t **held;
  size_t need, nheld = 0;
  ULONG i;
  int r;
  if (overlapped) {
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  if (!in || inlen < sizeof(WSAPOLLDATA) || !out) {
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  need = sizeof(WSAPOLLDATA) + (size_t)d->fds * sizeof(WSAPOLLFD);
  if (inlen < need || outlen < need) {
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  low = (WSAPOLLDATA *)malloc(need);
  held = (sock_t **)calloc(d->fds ? d->fds : 1, sizeof(*held));
  if (!low || !held) {
    free(low);
    free(held);
    *err = WSAENOBUFS;
    return SOCKET_ERROR;
  }
  memcpy(low, d, need);
  for (i = 0; i < d->fds; i++) {
    sock_t *o = sock_find(d->fdArray[i].fd);
    if (!o) continue;
    low->fdArray[i].fd = o->lower;
    held[nheld++] = o;
  }
  r = sk->low->procs.lpWSPIoctl(sk->lower, SIO_EXT_POLL, low, (DWORD)need, low,
                                (DWORD)need, ret, NULL, NULL, NULL, err);
  if (r == 0) {
    WSAPOLLDATA *o = (WSAPOLLDATA *)out;
    if (o != d) memcpy(o, d, need);
    o->result = low->result;
    for (i = 0; i < d->fds; i++)
      o->fdArray[i].revents = low->fdArray[i].revents;
    if (ret) *ret = (DWORD)need;
  }
  while (nheld) sock_put(held[--nheld]);
  free(held);
  free(low);
  return r;
}

/* SIO_GET_EXTENSION_FUNCTION_POINTER: the layer's own function for the
 * extension functions that take sockets; the lower provider's for
 * GetAcceptExSockaddrs (it takes only a buffer); WSAEINVAL for any other
 * GUID (a function of the lower provider would be called with the
 * layer's handles). */
static int extension_pointer(sock_t *sk, LPVOID in, DWORD inlen, LPVOID out,
                             DWORD outlen, LPDWORD ret, LPINT err) {
  void *fn = NULL;
  int i;
  if (!in || inlen < sizeof(GUID) || !out || outlen < sizeof(void *)) {
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  for (i = 0; i < X_COUNT; i++)
    if (memcmp(in, &ext_ids[i], sizeof(GUID)) == 0) break;
  if (i == X_COUNT) {
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  if (i == X_GETACCEPTEXSOCKADDRS) {
    if (!(fn = lower_ext_of(sk, i))) {
      *err = WSAGetLastError();
      return SOCKET_ERROR;
    }
  } else {
    fn = ext_mine[i];
  }
  memcpy(out, &fn, sizeof(fn));
  if (ret) *ret = sizeof(fn);
  return 0;
}

static int WSPAPI nf_ioctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                           LPVOID out, DWORD outlen, LPDWORD ret,
                           LPWSAOVERLAPPED ovl,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                           LPWSATHREADID tid, LPINT err) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  sock_t *sk = sock_of(s, err);
  op_t *op;
  int r = 0, e = 0, skips;
  DWORD bytes = 0;
  count_call(E_IOCTL);
  if (!sk) return SOCKET_ERROR;
#ifdef NONIFS_FAULT_HOOKS
  if (nf_fault_ioctl(code, in, inlen, out, outlen, ret, ovl || cr, &r, err)) {
    sock_put(sk);
    return r;
  }
#endif
  switch (code) {
    case NONIFS_SIO_STATS: /* the counters (README.md) */
      if (ovl || cr || !out || outlen < sizeof(stats)) {
        *err = WSAEFAULT;
        r = SOCKET_ERROR;
        break;
      }
      {
        nonifs_stats_t st;
        stats_read(&st);
        memcpy(out, &st, sizeof(st));
      }
      if (ret) *ret = sizeof(stats);
      break;
    case SIO_GET_EXTENSION_FUNCTION_POINTER:
      r = extension_pointer(sk, in, inlen, out, outlen, &bytes, err);
      if (r == 0 && ret) *ret = bytes;
      if (r == 0 && (ovl || cr)) {
        r = answered_at_once(sk, K_IOCTL, bytes, ovl, cr, tid, err);
        sk = NULL; /* the request took the reference */
      }
      break;
    /* The handles ws2 (or an application) uses to reach the provider
     * below. SIO_BSP_HANDLE_SELECT and SIO_BSP_HANDLE_POLL answer with
     * the layer's own handle, so that select comes to nf_select and
     * WSAPoll to SIO_EXT_POLL (the layer sees every call); with
     * WS2_NONIFS_READINESS=below they answer with the lower socket, as
     * Microsoft's sample does for select, and select and WSAPoll go past
     * the layer, straight to the base provider. SIO_BSP_HANDLE and
     * SIO_QUERY_TARGET_PNP_HANDLE (how ws2 walks a chain of non-IFS
     * layers down to the base socket) answer with the lower socket. */
    case SIO_BSP_HANDLE:
    case SIO_BSP_HANDLE_SELECT:
    case SIO_BSP_HANDLE_POLL:
    case SIO_QUERY_TARGET_PNP_HANDLE:
      if (!out || outlen < sizeof(SOCKET) ||
          (code == SIO_BSP_HANDLE_POLL && ovl)) {
        *err = WSAEFAULT;
        r = SOCKET_ERROR;
        break;
      }
      memcpy(out, readiness_here(code) ? &s : &sk->lower, sizeof(SOCKET));
      if (ret) *ret = sizeof(SOCKET);
      if (ovl || cr) {
        r = answered_at_once(sk, K_IOCTL, sizeof(SOCKET), ovl, cr, tid, err);
        sk = NULL; /* the request took the reference */
      }
      break;
    case SIO_EXT_POLL: /* WSAPoll, on handles of this layer (and others) */
      r = ext_poll(sk, in, inlen, out, outlen, ret, ovl || cr, err);
      break;
    /* Everything else goes down, SIO_BASE_HANDLE included: its answer
     * must be the base provider's socket, which only the bottom of the
     * chain knows (a layer never answers it; ws2 answers it from the
     * chain anyway). */
    default:
      if (!ovl) {
        r = sk->low->procs.lpWSPIoctl(sk->lower, code, in, inlen, out, outlen,
                                      ret, NULL, NULL, NULL, err);
        break;
      }
      /* The request takes over the call's reference (op_new), as op_of's
       * do for the data calls: sk is not read after the lower call. */
      if (!(op = op_new(sk, K_IOCTL, ovl, cr, tid, err))) return SOCKET_ERROR;
      skips = sk->lower_skips;
      r = sk->low->procs.lpWSPIoctl(sk->lower, code, in, inlen, out, outlen,
                                    &now, &op->ovl, NULL, NULL, &e);
      return op_started(op, skips, r, e, now, ret, NULL, err);
  }
  sock_put(sk);
  return r;
}

/* ---- select ------------------------------------------------------------ */

/* One fd_set entry: the application's socket, what went down for it, and
 * the record that keeps it alive during the wait. */
typedef struct {
  SOCKET app, low;
} fd_pair_t;

/*
 * select: ws2 calls the WSPSelect of the first socket's provider with the
 * application's sets. Each of the layer's sockets becomes its lower socket
 * (a socket that is not the layer's goes down as it is), the lower
 * provider's WSPSelect waits, and the sockets it leaves in the sets are
 * mapped back. The sets are sized from fd_count, so a program's larger
 * FD_SETSIZE works.
 */
static int WSPAPI nf_select(int nfds, fd_set *readfds, fd_set *writefds,
                            fd_set *exceptfds, NF_TIMEOUT timeout, LPINT err) {
  fd_set *app[3];
  fd_set *low[3] = {NULL, NULL, NULL};
  fd_pair_t *pairs[3] = {NULL, NULL, NULL};
  u_int count[3] = {0, 0, 0}, i, j;
  sock_t **held = NULL;
  size_t nheld = 0, total = 0;
  ws2lsp_lower_t *lower = NULL;
  int k, r = SOCKET_ERROR;
  count_call(E_SELECT);
  app[0] = readfds;
  app[1] = writefds;
  app[2] = exceptfds;
  for (k = 0; k < 3; k++)
    if (app[k]) total += app[k]->fd_count;
  if (!(held = (sock_t **)calloc(total ? total : 1, sizeof(*held)))) {
    *err = WSAENOBUFS;
    return SOCKET_ERROR;
  }
  for (k = 0; k < 3; k++) {
    if (!app[k]) continue;
    count[k] = app[k]->fd_count;
    low[k] = (fd_set *)malloc(offsetof(fd_set, fd_array) +
                              (count[k] ? count[k] : 1) * sizeof(SOCKET));
    pairs[k] =
        (fd_pair_t *)malloc((count[k] ? count[k] : 1) * sizeof(fd_pair_t));
    if (!low[k] || !pairs[k]) {
      *err = WSAENOBUFS;
      goto out;
    }
    low[k]->fd_count = count[k];
    for (i = 0; i < count[k]; i++) {
      SOCKET s = app[k]->fd_array[i];
      sock_t *sk = sock_find(s);
      pairs[k][i].app = s;
      pairs[k][i].low = sk ? sk->lower : s;
      low[k]->fd_array[i] = pairs[k][i].low;
      if (sk) {
        held[nheld++] = sk;
        if (!lower) lower = sk->low;
      }
    }
  }
  if (!lower) {
    *err = WSAENOTSOCK;
    goto out;
  }
  r = lower->procs.lpWSPSelect(nfds, low[0], low[1], low[2], timeout, err);
  if (r == SOCKET_ERROR) goto out;
  for (k = 0; k < 3; k++) {
    u_int n = 0;
    if (!app[k]) continue;
    for (j = 0; j < low[k]->fd_count; j++)
      for (i = 0; i < count[k]; i++)
        if (pairs[k][i].low == low[k]->fd_array[j]) {
          app[k]->fd_array[n++] = pairs[k][i].app;
          break;
        }
    app[k]->fd_count = n;
  }
out:
  while (nheld) sock_put(held[--nheld]);
  free(held);
  for (k = 0; k < 3; k++) {
    free(low[k]);
    free(pairs[k]);
  }
  return r;
}

/* ---- Network events ---------------------------------------------------- */

/* The application's event object goes down as it is: the lower provider
 * sets it, and WSPEnumNetworkEvents reads the lower socket's record. */
static int WSPAPI nf_eventselect(SOCKET s, WSAEVENT ev, LONG events,
                                 LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_EVENTSELECT);
  if (!sk) return SOCKET_ERROR;
  ws2lsp_lock(&lock);
  sk->async_hwnd = NULL; /* one or the other, as for any socket */
  ws2lsp_unlock(&lock);
  r = sk->low->procs.lpWSPEventSelect(sk->lower, ev, events, err);
  sock_put(sk);
  return r;
}

static int WSPAPI nf_enumnetworkevents(SOCKET s, WSAEVENT ev,
                                       LPWSANETWORKEVENTS events, LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_ENUMNETWORKEVENTS);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPEnumNetworkEvents(sk->lower, ev, events, err);
  sock_put(sk);
  return r;
}

/*
 * WSAAsyncSelect. The lower provider would post its messages with the
 * lower socket in wParam, which the application does not know. So the
 * lower socket posts to a hidden window of the layer (one, on a thread of
 * its own), and that thread posts each message again to the
 * application's window with the application's socket (WPUPostMessage).
 */
#define NF_WM_ASYNC (WM_USER + 0x4e49) /* from the lower provider */
#define NF_WM_QUIT (WM_USER + 0x4e4a)  /* WSPCleanup: the thread ends */

static HWND async_hwnd;     /* the hidden window */
static HANDLE async_thread; /* its thread */
static HANDLE async_ready;  /* set once the window exists (or failed) */
static const WCHAR async_class[] = {'w', 's', '2', '-', 'n', 'o', 'n', 'i',
                                    'f', 's', '-', 'r', 'e', 'f', 0};

static void async_forward(SOCKET lower_s, LPARAM lp) {
  HWND hwnd = NULL;
  UINT msg = 0;
  SOCKET app = INVALID_SOCKET;
  sock_t *sk;
  ws2lsp_lock(&lock);
  sk = (sock_t *)ws2lsp_map_get(&by_lower, lower_s, 0);
  if (sk && !sk->closing && sk->async_hwnd) {
    hwnd = sk->async_hwnd;
    msg = sk->async_msg;
    app = sk->app;
  }
  ws2lsp_unlock(&lock);
  if (hwnd) lsp.up.lpWPUPostMessage(hwnd, msg, (WPARAM)app, lp);
}

static DWORD WINAPI async_main(LPVOID unused) {
  WNDCLASSW wc;
  MSG m;
  (void)unused;
  memset(&wc, 0, sizeof(wc));
  wc.lpfnWndProc = DefWindowProcW;
  wc.lpszClassName = async_class;
  RegisterClassW(&wc); /* fails harmlessly when already registered */
  async_hwnd = CreateWindowExW(0, async_class, async_class, 0, 0, 0, 0, 0,
                               HWND_MESSAGE, NULL, NULL, NULL);
  SetEvent(async_ready);
  if (!async_hwnd) return 1;
  while (GetMessageW(&m, NULL, 0, 0) > 0) {
    if (m.message == NF_WM_QUIT) break;
    if (m.message == NF_WM_ASYNC)
      async_forward((SOCKET)m.wParam, m.lParam);
    else
      DispatchMessageW(&m);
  }
  DestroyWindow(async_hwnd);
  return 0;
}

/* The hidden window, made at the first WSAAsyncSelect; NULL if it cannot
 * be made. */
static HWND async_window(void) {
  HWND h;
  HANDLE ready;
  ws2lsp_lock(&lock);
  if (!async_thread && (async_ready = CreateEventW(NULL, TRUE, FALSE, NULL))) {
    async_thread = CreateThread(NULL, 0, async_main, NULL, 0, NULL);
    if (!async_thread) {
      CloseHandle(async_ready);
      async_ready = NULL;
    }
  }
  ready = async_ready;
  ws2lsp_unlock(&lock);
  /* Not under the lock: the port callback takes it, and may run in any
   * thread waiting in ws2 (ws2lsp_port_callback). */
  if (ready) WaitForSingleObject(ready, INFINITE);
  ws2lsp_lock(&lock);
  h = async_hwnd;
  ws2lsp_unlock(&lock);
  return h;
}

static void async_stop(void) {
  if (!async_thread) return;
  if (async_hwnd) PostMessageW(async_hwnd, NF_WM_QUIT, 0, 0);
  WaitForSingleObject(async_thread, INFINITE);
  CloseHandle(async_thread);
  CloseHandle(async_ready);
  async_thread = async_ready = NULL;
  async_hwnd = NULL;
  UnregisterClassW(async_class, NULL);
}

static int WSPAPI nf_asyncselect(SOCKET s, HWND hwnd, unsigned int msg,
                                 LONG events, LPINT err) {
  sock_t *sk = sock_of(s, err);
  HWND mine;
  int r;
  count_call(E_ASYNCSELECT);
  if (!sk) return SOCKET_ERROR;
  if (!(mine = async_window())) {
    sock_put(sk);
    *err = WSAENOBUFS;
    return SOCKET_ERROR;
  }
  ws2lsp_lock(&lock);
  sk->async_hwnd = events ? hwnd : NULL;
  sk->async_msg = msg;
  ws2lsp_unlock(&lock);
  r = sk->low->procs.lpWSPAsyncSelect(sk->lower, mine, NF_WM_ASYNC, events,
                                      err);
  sock_put(sk);
  return r;
}

/* ---- Duplicating, addresses, the rest ------------------------------------ */

/*
 * WSADuplicateSocket: the lower provider describes its socket for the
 * target process; the layer puts its chain's identity on the
 * description, so that the target's WSASocket comes to this layer, whose
 * WSPSocket puts the lower identity back (info_below) and hands the
 * lower provider its own description.
 */
static int WSPAPI nf_duplicatesocket(SOCKET s, DWORD pid,
                                     LPWSAPROTOCOL_INFOW info, LPINT err) {
  sock_t *sk = sock_of(s, err);
  int r;
  count_call(E_DUPLICATESOCKET);
  if (!sk) return SOCKET_ERROR;
  r = sk->low->procs.lpWSPDuplicateSocket(sk->lower, pid, info, err);
  if (r == 0) set_identity(info, sk->chain);
  sock_put(sk);
  return r;
}

/* The address conversions take the chain's WSAPROTOCOL_INFOW: the lower
 * provider gets what WSPSocket would give it. */
static INT WSPAPI nf_addresstostring(LPSOCKADDR sa, DWORD len,
                                     LPWSAPROTOCOL_INFOW info, LPWSTR str,
                                     LPDWORD strlen_, LPINT err) {
  const WSAPROTOCOL_INFOW *chain = chain_of(info);
  LPWSAPROTOCOL_INFOW low_info = NULL;
  WSAPROTOCOL_INFOW copy;
  ws2lsp_lower_t *low;
  count_call(E_ADDRESSTOSTRING);
  if (!chain) {
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  if (!(low = ws2lsp_lower(&lsp, chain, &low_info, err))) return SOCKET_ERROR;
  return low->procs.lpWSPAddressToString(
      sa, len, info_below(low, info, low_info, &copy), str, strlen_, err);
}

static INT WSPAPI nf_stringtoaddress(LPWSTR str, INT af,
                                     LPWSAPROTOCOL_INFOW info, LPSOCKADDR sa,
                                     LPINT len, LPINT err) {
  const WSAPROTOCOL_INFOW *chain = chain_of(info);
  LPWSAPROTOCOL_INFOW low_info = NULL;
  WSAPROTOCOL_INFOW copy;
  ws2lsp_lower_t *low;
  count_call(E_STRINGTOADDRESS);
  if (!chain) {
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  if (!(low = ws2lsp_lower(&lsp, chain, &low_info, err))) return SOCKET_ERROR;
  return low->procs.lpWSPStringToAddress(
      str, af, info_below(low, info, low_info, &copy), sa, len, err);
}

/* Winsock 1.1's blocking hooks (Winsock 2 has none): passed to every
 * provider below, the first failure returned. */
static int WSPAPI nf_cancelblockingcall(LPINT err) {
  int i, n, r = 0, e = 0;
  count_call(E_CANCELBLOCKINGCALL);
  ws2lsp_lock(&lsp.lock);
  n = lsp.nlower;
  ws2lsp_unlock(&lsp.lock);
  for (i = 0; i < n; i++)
    if (lsp.lower[i].procs.lpWSPCancelBlockingCall(&e) != 0 && r == 0) {
      r = SOCKET_ERROR;
      *err = e;
    }
  return r;
}

/* ---- Extension functions ----------------------------------------------- */

/*
 * Each maps its sockets, issues the lower provider's function with a
 * substitute OVERLAPPED, and reports as the WSP calls do (op_started).
 * Errors go to the thread's last error, as the application calls these
 * directly (with any handle: its socket is looked up in by_app). Without
 * an OVERLAPPED the lower function runs as it is, on the lower sockets.
 */
static BOOL ext_result(int r, int e) {
  if (r == 0) return TRUE;
  WSASetLastError(e);
  return FALSE;
}

/* For a call without an OVERLAPPED: the record of s with a reference, and
 * the lower provider's function `which` in *fn; NULL with the thread's
 * last error set. */
static sock_t *ext_sock(SOCKET s, int which, void **fn) {
  sock_t *sk = sock_find(s);
  if (!sk) {
    WSASetLastError(WSAENOTSOCK);
    return NULL;
  }
  if (!(*fn = lower_ext_of(sk, which))) {
    sock_put(sk);
    return NULL;
  }
  return sk;
}

/* For a call with OVERLAPPED `ovl`: its request, of `kind`, holding s's
 * record for the call (op_take: the call leaves op->sk to op_started once
 * its lower call is issued), and the lower provider's function `which` in
 * *fn, asked for before the application's OVERLAPPED is touched; NULL
 * with the thread's last error set. */
static op_t *ext_op(SOCKET s, int which, int kind, LPWSAOVERLAPPED ovl,
                    LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, void **fn) {
  int e = 0;
  op_t *op = op_take(s, 0, kind, &e);
  if (!op) {
    WSASetLastError(e);
    return NULL;
  }
  if (!(*fn = lower_ext_of(op->sk, which))) {
    op_discard(op);
    return NULL;
  }
  if (op_init(op, ovl, cr, NULL, &e) != 0) {
    WSASetLastError(e);
    return NULL;
  }
  return op;
}

/* Two sockets: both are looked up first, and the request holds both (the
 * listening one's reference becomes the request's, op_new). */
static BOOL PASCAL nf_acceptex(SOCKET ls, SOCKET as, PVOID buf, DWORD rlen,
                               DWORD llen, DWORD rmlen, LPDWORD got,
                               LPOVERLAPPED ovl) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  sock_t *l = sock_find(ls), *a = sock_find(as);
  LPFN_ACCEPTEX fn;
  op_t *op;
  int r, e = 0, skips;
  BOOL ok;
  if (!l || !a) {
    sock_put(l);
    sock_put(a);
    WSASetLastError(WSAENOTSOCK);
    return FALSE;
  }
  if (!(fn = (LPFN_ACCEPTEX)lower_ext_of(l, X_ACCEPTEX)) || !ovl) {
    ok = fn && fn(l->lower, a->lower, buf, rlen, llen, rmlen, got, NULL);
    sock_put(a);
    sock_put(l);
    return ok;
  }
  if (!(op = op_new(l, K_ACCEPTEX, ovl, NULL, NULL, &e))) {
    sock_put(a);
    return ext_result(SOCKET_ERROR, e);
  }
  /* The accept socket is held by the request too (closing it while
   * AcceptEx is pending aborts the request, it does not free it). */
  op->other = a;
  skips = l->lower_skips;
  r = fn(l->lower, a->lower, buf, rlen, llen, rmlen, &now, &op->ovl)
          ? 0
          : SOCKET_ERROR;
  if (r) e = WSAGetLastError();
  r = op_started(op, skips, r, e, now, got, NULL, &e);
  return ext_result(r, e);
}

static BOOL PASCAL nf_connectex(SOCKET s, const struct sockaddr *name,
                                int namelen, PVOID buf, DWORD len, LPDWORD sent,
                                LPOVERLAPPED ovl) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  LPFN_CONNECTEX fn;
  sock_t *sk;
  op_t *op;
  void *f;
  int r, e = 0, skips;
  BOOL ok;
  if (!ovl) {
    if (!(sk = ext_sock(s, X_CONNECTEX, &f))) return FALSE;
    fn = (LPFN_CONNECTEX)f;
    ok = fn(sk->lower, name, namelen, buf, len, sent, NULL);
    sock_put(sk);
    return ok;
  }
  if (!(op = ext_op(s, X_CONNECTEX, K_CONNECTEX, ovl, NULL, &f))) return FALSE;
  fn = (LPFN_CONNECTEX)f;
  sk = op->sk;
  skips = sk->lower_skips;
  r = fn(sk->lower, name, namelen, buf, len, &now, &op->ovl) ? 0 : SOCKET_ERROR;
  if (r) e = WSAGetLastError();
  r = op_started(op, skips, r, e, now, sent, NULL, &e);
  return ext_result(r, e);
}

static BOOL PASCAL nf_disconnectex(SOCKET s, LPOVERLAPPED ovl, DWORD flags,
                                   DWORD reserved) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  LPFN_DISCONNECTEX fn;
  sock_t *sk;
  op_t *op;
  void *f;
  int r, e = 0, skips;
  BOOL ok;
  if (!ovl) {
    if (!(sk = ext_sock(s, X_DISCONNECTEX, &f))) return FALSE;
    fn = (LPFN_DISCONNECTEX)f;
    ok = fn(sk->lower, NULL, flags, reserved);
    sock_put(sk);
    return ok;
  }
  if (!(op = ext_op(s, X_DISCONNECTEX, K_DISCONNECTEX, ovl, NULL, &f)))
    return FALSE;
  fn = (LPFN_DISCONNECTEX)f;
  sk = op->sk;
  skips = sk->lower_skips;
  r = fn(sk->lower, &op->ovl, flags, reserved) ? 0 : SOCKET_ERROR;
  if (r) e = WSAGetLastError();
  r = op_started(op, skips, r, e, now, NULL, NULL, &e);
  return ext_result(r, e);
}

static BOOL PASCAL nf_transmitfile(SOCKET s, HANDLE file, DWORD n,
                                   DWORD per_send, LPOVERLAPPED ovl,
                                   LPTRANSMIT_FILE_BUFFERS bufs, DWORD flags) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  LPFN_TRANSMITFILE fn;
  sock_t *sk;
  op_t *op;
  void *f;
  int r, e = 0, skips;
  BOOL ok;
  if (!ovl) {
    if (!(sk = ext_sock(s, X_TRANSMITFILE, &f))) return FALSE;
    fn = (LPFN_TRANSMITFILE)f;
    ok = fn(sk->lower, file, n, per_send, NULL, bufs, flags);
    sock_put(sk);
    return ok;
  }
  /* (op_init copies the file offset from the application's OVERLAPPED.) */
  if (!(op = ext_op(s, X_TRANSMITFILE, K_TRANSMITFILE, ovl, NULL, &f)))
    return FALSE;
  fn = (LPFN_TRANSMITFILE)f;
  sk = op->sk;
  skips = sk->lower_skips;
  r = fn(sk->lower, file, n, per_send, &op->ovl, bufs, flags) ? 0
                                                              : SOCKET_ERROR;
  if (r) e = WSAGetLastError();
  r = op_started(op, skips, r, e, now, NULL, NULL, &e);
  return ext_result(r, e);
}

static BOOL PASCAL nf_transmitpackets(SOCKET s, LPTRANSMIT_PACKETS_ELEMENT el,
                                      DWORD count, DWORD size, LPOVERLAPPED ovl,
                                      DWORD flags) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  LPFN_TRANSMITPACKETS fn;
  sock_t *sk;
  op_t *op;
  void *f;
  int r, e = 0, skips;
  BOOL ok;
  if (!ovl) {
    if (!(sk = ext_sock(s, X_TRANSMITPACKETS, &f))) return FALSE;
    fn = (LPFN_TRANSMITPACKETS)f;
    ok = fn(sk->lower, el, count, size, NULL, flags);
    sock_put(sk);
    return ok;
  }
  if (!(op = ext_op(s, X_TRANSMITPACKETS, K_TRANSMITPACKETS, ovl, NULL, &f)))
    return FALSE;
  fn = (LPFN_TRANSMITPACKETS)f;
  sk = op->sk;
  skips = sk->lower_skips;
  r = fn(sk->lower, el, count, size, &op->ovl, flags) ? 0 : SOCKET_ERROR;
  if (r) e = WSAGetLastError();
  r = op_started(op, skips, r, e, now, NULL, NULL, &e);
  return ext_result(r, e);
}

/* WSARecvMsg and WSASendMsg may have a completion routine: ws2 gave the
 * layer no WSATHREADID for them, so op_init opens one for this thread.
 * The message's flags and control data are written into the
 * application's WSAMSG by the lower provider. */
static INT PASCAL nf_wsarecvmsg(SOCKET s, LPWSAMSG msg, LPDWORD got,
                                LPWSAOVERLAPPED ovl,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE cr) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  LPFN_WSARECVMSG fn;
  sock_t *sk;
  op_t *op;
  void *f;
  int r, e = 0, skips;
  if (!ovl) {
    if (!(sk = ext_sock(s, X_WSARECVMSG, &f))) return SOCKET_ERROR;
    fn = (LPFN_WSARECVMSG)f;
    r = fn(sk->lower, msg, got, NULL, NULL);
    sock_put(sk);
    return r;
  }
  if (!(op = ext_op(s, X_WSARECVMSG, K_WSARECVMSG, ovl, cr, &f)))
    return SOCKET_ERROR;
  fn = (LPFN_WSARECVMSG)f;
  sk = op->sk;
  skips = sk->lower_skips;
  r = fn(sk->lower, msg, &now, &op->ovl, NULL);
  if (r) e = WSAGetLastError();
  r = op_started(op, skips, r, e, now, got, NULL, &e);
  if (r) WSASetLastError(e);
  return r;
}

static INT WSAAPI nf_wsasendmsg(SOCKET s, LPWSAMSG msg, DWORD flags,
                                LPDWORD sent, LPWSAOVERLAPPED ovl,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE cr) {
  DWORD now = 0; /* the byte count of a lower call done at once */
  LPFN_WSASENDMSG fn;
  sock_t *sk;
  op_t *op;
  void *f;
  int r, e = 0, skips;
  if (!ovl) {
    if (!(sk = ext_sock(s, X_WSASENDMSG, &f))) return SOCKET_ERROR;
    fn = (LPFN_WSASENDMSG)f;
    r = fn(sk->lower, msg, flags, sent, NULL, NULL);
    sock_put(sk);
    return r;
  }
  if (!(op = ext_op(s, X_WSASENDMSG, K_WSASENDMSG, ovl, cr, &f)))
    return SOCKET_ERROR;
  fn = (LPFN_WSASENDMSG)f;
  sk = op->sk;
  skips = sk->lower_skips;
  r = fn(sk->lower, msg, flags, &now, &op->ovl, NULL);
  if (r) e = WSAGetLastError();
  r = op_started(op, skips, r, e, now, sent, NULL, &e);
  if (r) WSASetLastError(e);
  return r;
}

/* ---- Start and end ----------------------------------------------------- */

static int machinery_start(void) {
  memset(&stats, 0, sizeof(stats));
  memset((void *)lower_ext, 0, sizeof(lower_ext));
  InterlockedExchange(&quiet, 0);
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  if (!port) return WSAENOBUFS;
  worker = CreateThread(NULL, 0, worker_main, NULL, 0, NULL);
  if (!worker) {
    CloseHandle(port);
    port = NULL;
    return WSAENOBUFS;
  }
  ws2lsp_port_callback(port, on_port_callback, NULL);
#ifdef NONIFS_FAULT_HOOKS
  nf_fault_start(fault_report); /* (without its thread, no faults) */
#endif
  return 0;
}

/*
 * The last WSPCleanup: every socket still open is closed as closesocket
 * closes it (its pending requests end aborted; as WSACleanup documents,
 * no completion routine runs), the worker stops once they are reported
 * (at most 2 s), then the hidden window, and the handles of requests that
 * never completed are given back.
 */
static void machinery_stop(void) {
  int i, e = 0;
  InterlockedExchange(&quiet, 1);
#ifdef NONIFS_FAULT_HOOKS
  nf_fault_stop(); /* what it holds is reported now */
#endif
  for (;;) {
    sock_t *sk;
    ws2lsp_lock(&lock);
    for (sk = all_socks; sk && sk->closing; sk = sk->next) {
    }
    if (sk) {
      sk->closing = 1;
      sk->refs++;
      ws2lsp_map_get(&by_lower, sk->lower, 1);
    }
    ws2lsp_unlock(&lock);
    if (!sk) break;
    sk->low->procs.lpWSPCloseSocket(sk->lower, &e);
    sock_put(sk);
    sock_put(sk);
  }
  for (i = 0; i < 2000 && requests_in_flight() > 0; i++) Sleep(1);
  ws2lsp_port_callback(port, NULL, NULL); /* and none is running */
  PostQueuedCompletionStatus(port, 0, KEY_QUIT, NULL);
  WaitForSingleObject(worker, INFINITE);
  CloseHandle(worker);
  CloseHandle(port);
  worker = port = NULL;
  op_cache_clear();
  async_stop();
  ws2lsp_lock(&lock);
  while (all_socks) {
    sock_t *sk = all_socks;
    all_socks = sk->next;
    lsp.up.lpWPUCloseSocketHandle(sk->app, &e);
    free(sk);
  }
  stats.ops_in_flight = 0;
  stats.sockets_live = 0;
  ws2lsp_unlock(&lock);
  ws2lsp_map_clear(&by_app);
  ws2lsp_map_clear(&by_lower);
}

static int WSPAPI nf_cleanup(LPINT err) {
  int last;
  count_call(E_CLEANUP);
  ws2lsp_lock(&lock);
  if (starts == 0) {
    ws2lsp_unlock(&lock);
    *err = WSANOTINITIALISED;
    return SOCKET_ERROR;
  }
  last = --starts == 0;
  ws2lsp_unlock(&lock);
  if (last) machinery_stop();
  /* The providers below are cleaned up after the layer's sockets. */
  return ws2lsp_cleanup(&lsp, err);
}

static const WSPPROC_TABLE nf_procs = {
    nf_accept,
    nf_addresstostring,
    nf_asyncselect,
    nf_bind,
    nf_cancelblockingcall,
    nf_cleanup,
    nf_closesocket,
    nf_connect,
    nf_duplicatesocket,
    nf_enumnetworkevents,
    nf_eventselect,
    nf_getoverlappedresult,
    nf_getpeername,
    nf_getsockname,
    nf_getsockopt,
    nf_getqosbyname,
    nf_ioctl,
    nf_joinleaf,
    nf_listen,
    nf_recv,
    nf_recvdisconnect,
    nf_recvfrom,
    nf_select,
    nf_send,
    nf_senddisconnect,
    nf_sendto,
    nf_setsockopt,
    nf_shutdown,
    nf_socket,
    nf_stringtoaddress,
};

/*
 * WSPStartup, once per process for all the layer's chains (they share its
 * GUID): finds the layer's own catalog entry, checks that the provider
 * below the chain it is started for loads, and starts the port and the
 * worker at the first call. The table has all 30 entries: none of them
 * may be the lower provider's, whose functions know nothing of the
 * layer's handles.
 */
NF_EXPORT int WSPAPI WSPStartup(WORD version, LPWSPDATA data,
                                LPWSAPROTOCOL_INFOW info, WSPUPCALLTABLE up,
                                LPWSPPROC_TABLE table) {
  int r, err = 0;
  if (!table || !info) return WSAEFAULT;
  if ((r = ws2lsp_startup(&lsp, &nf_guid, version, data, up,
                          "ws2 nonifs-reference layer")) != 0)
    return r;
  if (!ws2lsp_lower(&lsp, info, NULL, &err)) {
    ws2lsp_cleanup(&lsp, &err);
    return WSAEPROVIDERFAILEDINIT;
  }
  ws2lsp_lock(&lock);
  r = starts == 0 ? machinery_start() : 0;
  if (r == 0) starts++;
  ws2lsp_unlock(&lock);
  if (r != 0) {
    ws2lsp_cleanup(&lsp, &err);
    return r;
  }
  *table = nf_procs;
  return 0;
}
