/*
 * io.h: I/O objects, overlapped requests, and the one function that
 * completes every overlapped request.
 *
 * An I/O object (a socket, later) starts with a ws2__io_t: its completion
 * port association and key, its completion notification modes
 * (SetFileCompletionNotificationModes), its own event (what
 * GetOverlappedResult waits on when OVERLAPPED.hEvent is NULL) and the
 * list of its requests in flight (what CancelIo/CancelIoEx and closing
 * the handle cancel).
 *
 * A request is the per-operation state of one overlapped call, allocated
 * by whoever performs the I/O (an engine, a test device) with the
 * ws2__req_t embedded, and keyed by the caller's OVERLAPPED. Its life:
 *
 *   ws2__req_init()        the call starts: Internal = STATUS_PENDING
 *   then exactly one of
 *     ws2__req_complete(.., immediate = 1)   the call succeeds at once
 *     ws2__req_complete(.., immediate = 0)   it went pending and is done
 *     ws2__req_discard()                     it failed at once: nothing
 *                                            is notified, no packet
 *
 * ws2__req_complete is the completion rule of ws2, for every provider:
 *  1. OVERLAPPED.InternalHigh = bytes, then Internal = status (release
 *     order: whoever sees Internal != STATUS_PENDING sees the bytes);
 *  2. with a completion routine: the routine is queued as an APC to the
 *     issuing thread (hEvent is the caller's to use, as Windows documents;
 *     no port packet);
 *     otherwise: hEvent (low bit masked) is signalled, or, when there is
 *     no hEvent, the handle's own event unless FILE_SKIP_SET_EVENT_ON_HANDLE;
 *     and a packet is queued to the handle's port unless hEvent's low bit
 *     is set, or the call succeeded at once (immediate) and the handle has
 *     FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
 * The packet-or-not decision comes only from `immediate`, i.e. from what
 * the caller was told, never from timing: an operation reported pending
 * always gets its packet, however fast it finished. That is how ws2
 * avoids the completions Windows loses with non-IFS layers (KB 2568167).
 *
 * Completion is exactly-once: a request completes through a CAS on its
 * state, so a cancel racing a normal completion loses cleanly. The
 * reference ws2__req_init gives belongs to the completion (it passes to
 * the packet or APC); a party that may call ws2__req_complete after
 * another has completed the request (a performer racing a cancel hook)
 * holds its own reference across the call (ws2__req_ref/unref).
 */
#ifndef WS2_CORE_IO_H
#define WS2_CORE_IO_H

#include "core/port.h"

struct ws2__io;

/*
 * File-style I/O on a handle (ReadFile, WriteFile, ReadFileEx,
 * WriteFileEx): whoever makes the handle says how it reads and writes.
 * rw starts a read (write = 0) or write of len bytes; without ovl it is
 * synchronous. Returns 0 (done: *done set, notifications issued when ovl),
 * ERROR_IO_PENDING, or a Win32 error with nothing notified.
 */
typedef struct ws2__io_fops {
  DWORD(*rw)
  (struct ws2__io *io, int write, void *buf, DWORD len, LPDWORD done,
   LPOVERLAPPED ovl, LPOVERLAPPED_COMPLETION_ROUTINE routine);
} ws2__io_fops_t;

typedef struct ws2__io {
  ws2__obj_t obj;
  const ws2__io_fops_t *fops; /* NULL: ReadFile/WriteFile not supported */
  ws2__sync_t sync;           /* the handle's own event (manual reset) */
  pthread_mutex_t lock;
  ws2__port_t *port; /* under lock */
  ULONG_PTR key;
  _Atomic uint32_t modes; /* FILE_SKIP_* */
  ws2__list_t reqs;       /* requests in flight, under lock */
  /* Whoever hands the handle to applications keeps its context here (the
   * Winsock layer: which provider serves the socket). Set once, before
   * the handle value is given out. */
  void *context;
} ws2__io_t;

/* Completion routine kinds: ReadFileEx-style or WSARecv-style. */
enum { WS2__ROUTINE_NONE, WS2__ROUTINE_FILE, WS2__ROUTINE_WSA };
typedef void(CALLBACK *ws2__wsa_routine_t)(DWORD dwError, DWORD cbTransferred,
                                           LPOVERLAPPED lpOverlapped,
                                           DWORD dwFlags);

typedef struct ws2__req ws2__req_t;

/* What the performer of a request provides: how to ask it to stop (it
 * then completes with STATUS_CANCELLED, or with its real result if it
 * finished first; may be NULL), and how to free the memory the request is
 * embedded in. `io` is the request's handle, referenced by the canceller:
 * the request's own fields may already have become its packet. */
typedef struct ws2__req_ops {
  void (*cancel)(ws2__req_t *req, struct ws2__io *io);
  void (*free)(ws2__req_t *req);
  /* 1: the issuer holds a reference of its own from ws2__req_init on,
   * dropped with ws2__req_unref (the request outlives a completion that
   * races the call that issued it). */
  int issuer_ref;
} ws2__req_ops_t;

struct ws2__req {
  /*
   * Once a request completes, its memory becomes what carries the
   * notification, as an IRP becomes its completion packet on Windows: the
   * packet queued to the port, or the APC queued to the issuing thread.
   * What only an in-flight request needs shares that space. ovl sits
   * where the packet keeps its own and after the APC, so it reads the
   * same in every form (ws2__req_ovl); routine sits after the APC too.
   * Nothing else is read after completion: ws2__req_complete takes what
   * it needs first, and releases the references on io and thread then.
   */
  union {
    struct {
      ws2__node_t node;   /* in io->reqs, under io->lock */
      struct ws2__io *io; /* referenced */
      LPOVERLAPPED ovl;
      ws2__thread_t *thread; /* the issuing thread, referenced */
      void *routine;         /* the completion routine (kept by the APC) */
    } f;                     /* in flight */
    ws2__packet_t packet;    /* completed: queued to the port */
    ws2__apc_t apc;          /* completed: queued to the thread */
  } u;
  const ws2__req_ops_t *ops;
  _Atomic uint32_t refs;
  _Atomic uint8_t state;
  uint8_t routine_kind;
  uint8_t record_flags;     /* store the result flags in OVERLAPPED.Offset */
  uint8_t cancel_requested; /* under io->lock */
};

static inline LPOVERLAPPED ws2__req_ovl(const ws2__req_t *req) {
  return req->u.f.ovl;
}

/*
 * io->modes bit (beside FILE_SKIP_*): completions from now on publish the
 * OVERLAPPED and queue port packets, but set no event and queue no
 * completion routine: WSACleanup's documented cancellation of what is
 * still pending. Set with ws2__io_quiet.
 */
#define WS2__IO_QUIET 0x80000000u
void ws2__io_quiet(ws2__io_t *io);

/* For the concrete I/O type's hooks: init in its constructor, cancel_all
 * from its close hook, fini from its destroy hook. */
void ws2__io_init(ws2__io_t *io, const ws2__objtype_t *type);
void ws2__io_fini(ws2__io_t *io);
ws2__io_t *ws2__io_get(HANDLE h); /* referenced, or NULL */

/*
 * Starts a request on io for ovl (non-NULL). The request holds references
 * on io and on the calling thread until it is freed. Returns 0, or -1 when
 * the calling thread's object cannot be made (no memory; only a thread's
 * first request makes it): then nothing was started, and the caller frees
 * the request's memory and fails the call.
 */
int ws2__req_init(ws2__req_t *req, ws2__io_t *io, LPOVERLAPPED ovl,
                  int routine_kind, void *routine, const ws2__req_ops_t *ops);
void ws2__req_complete(ws2__req_t *req, NTSTATUS status, ULONG_PTR bytes,
                       DWORD flags, int immediate);
void ws2__req_discard(ws2__req_t *req, NTSTATUS status);

/*
 * ws2__req_complete in two steps, for a caller that finds the request
 * under io->lock: ws2__req_take_locked claims it and takes it out of the
 * handle's list (returns 0 when it has completed already), and
 * ws2__req_finish, called without the lock, publishes and notifies.
 */
typedef struct ws2__req_taken {
  ws2__port_t *port;
  ULONG_PTR key;
} ws2__req_taken_t;
int ws2__req_take_locked(ws2__req_t *req, ws2__req_taken_t *t);
void ws2__req_finish(ws2__req_t *req, const ws2__req_taken_t *t,
                     NTSTATUS status, ULONG_PTR bytes, DWORD flags,
                     int immediate);

/*
 * Calls that complete inline without a completion routine often need no
 * request at all: with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (or no port,
 * or hEvent's low bit) nothing outlives the call. ws2__io_inline_needs_req
 * says whether a successful inline completion on io would queue a packet;
 * when it would not, the caller may skip ws2__req_init and report the
 * inline completion with ws2__io_complete_inline, which applies the same
 * rule (allocating a request itself only for a packet a warning status
 * still needs).
 */
int ws2__io_inline_needs_req(ws2__io_t *io, LPOVERLAPPED ovl);
void ws2__io_complete_inline(ws2__io_t *io, LPOVERLAPPED ovl, NTSTATUS status,
                             ULONG_PTR bytes, DWORD flags, int record_flags);
/*
 * An overlapped call that has finished by the time it returns (a control
 * code answered at once): notifies it as an immediate success through the
 * rule, with its completion routine if any. Returns 0, or
 * ERROR_NOT_ENOUGH_MEMORY with nothing notified.
 */
DWORD ws2__io_complete_now(ws2__io_t *io, LPOVERLAPPED ovl, int routine_kind,
                           void *routine, ULONG_PTR bytes);

void ws2__req_ref(ws2__req_t *req);
void ws2__req_unref(ws2__req_t *req);

/*
 * Cancels io's requests for ovl (all when NULL) issued by `thread` (any
 * thread when NULL). Returns how many were found in flight.
 */
int ws2__io_cancel(ws2__io_t *io, LPOVERLAPPED ovl, ws2__thread_t *thread);

/*
 * Waits until ovl is no longer pending: on its hEvent (low bit masked)
 * when it has one, else on h's own event. Returns WAIT_OBJECT_0,
 * WAIT_TIMEOUT, WAIT_IO_COMPLETION, or WAIT_FAILED with
 * ERROR_INVALID_HANDLE when there is nothing valid to wait on.
 */
DWORD ws2__ovl_wait(HANDLE h, LPOVERLAPPED ovl, DWORD ms, int alertable);

#endif /* WS2_CORE_IO_H */
