/*
 * ops.h: one send- or receive-side request of the base provider.
 *
 * A request is tried inline first. Synchronous calls then wait in poll(2)
 * on the socket in the calling thread (honouring SO_RCVTIMEO and
 * SO_SNDTIMEO); overlapped ones wait in the socket's queue for the engine
 * (engine.h) and complete through the core's completion rule (core/io.h):
 * an overlapped call that completes inline returns 0 and is notified as
 * an immediate success, one that has to wait returns WSA_IO_PENDING.
 *
 * Inline completion and fairness: an application that keeps issuing
 * calls that complete inline (with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
 * never seeing a packet) keeps running on its own thread; ws2 never defers
 * an inline completion to be fair. The rule for applications is Windows'
 * own: bound the inline loop (after a few inline completions, post the
 * next step with PostQueuedCompletionStatus), as examples/ does.
 */
#ifndef WS2_PROVIDER_BASE_OPS_H
#define WS2_PROVIDER_BASE_OPS_H

#include "provider/base/bsp.h"

#include <string.h>
#include <sys/socket.h>

typedef struct ws2__bop ws2__bop_t;

/* Performs the system call: 1 when the request is done (result in
 * status/bytes/flags), 0 when it would block, 2 when it has moved itself
 * to another socket's queue (AcceptEx waiting for its first data). Runs
 * with the lock of the socket whose queue holds it held. */
typedef int (*ws2__bop_fn)(ws2__bop_t *op);
#define WS2__BOP_MOVED 2

/*
 * What only some requests need: addresses, another attempt function, the
 * extension functions' state, control data. A plain send or receive
 * (WSASend, WSARecv, ReadFile, WriteFile) has none, which keeps its
 * pending request at 120 bytes; the others point op->x at one (on the
 * stack for a call prepared there: to_heap moves it with the request).
 */
typedef struct ws2__bop_ext {
  ws2__bop_fn attempt; /* NULL: the plain send or receive */
  DWORD wflags;        /* result flags beyond MSG_OOB (WSARecvMsg) */

  struct sockaddr_storage addr; /* sendto target, recvfrom source */
  socklen_t addrlen;
  struct WS_sockaddr *from; /* recvfrom: the caller's address out-params */
  LPINT fromlen;

  /* Extension functions (extension.c). */
  ws2__bsock_t *qsock; /* the socket whose queue holds the request, when
                          not its own (AcceptEx waiting for its first
                          data); changes only under its own socket's lock */
  ws2__bsock_t *other; /* AcceptEx's accept socket (referenced) */
  char *outbuf;        /* AcceptEx's output buffer */
  DWORD recvlen, locallen, remotelen;
  int started; /* ConnectEx: connect() issued */

  /* WSARecvMsg / WSASendMsg (msg.c). */
  LPWSAMSG wmsg; /* the caller's message, written at completion */
  char *ctl;     /* Linux control data (allocated, freed with the op) */
  size_t ctllen;

  void *state; /* an extension's own state (transmit.c; freed with it) */
} ws2__bop_ext_t;

/*
 * A request: the core's (64 bytes) and 56 of the provider's. The socket
 * is the request's handle, req.u.f.io (ws2__bop_sock; set for synchronous
 * calls too); one buffer is kept in place, more in an allocated array.
 */
struct ws2__bop {
  ws2__req_t req;
  ws2__node_t qnode; /* in a socket's queue while waiting */
  ws2__bop_ext_t *x; /* NULL for a plain send or receive */
  union {
    struct iovec one;   /* niov <= 1 */
    struct iovec *many; /* niov > 1 (allocated) */
  } iov;
  NTSTATUS status;
  uint32_t bytes;       /* transferred (a DWORD, as Windows reports it) */
  uint16_t niov;        /* the caller's buffers */
  uint16_t iov_pos;     /* the first one not yet filled or sent */
  uint8_t lflags;       /* Linux MSG_OOB, MSG_PEEK, MSG_DONTROUTE */
  uint8_t wr : 1;       /* send side (wr_ops), else receive side (rd_ops) */
  uint8_t waitall : 1;  /* MSG_WAITALL on a stream: complete when full or
                           closed */
  uint8_t drained : 1;  /* the attempt proved the receive queue empty */
  uint8_t oob : 1;      /* result: the data was out of band (MSG_OOB) */
  uint8_t iov_heap : 1; /* iov.many was allocated on its own */
  uint8_t iov_room : 1; /* a ws2__bop_stack_t: room for buffers beside */
};

/* A request prepared on the stack with room beside it for a few buffers,
 * so that a call with several needs no allocation unless it waits (then
 * the request and its buffers move to the heap as one block). Clear it
 * with ws2__bop_stack_clear before ws2__bop_init. */
#define WS2__BOP_STACK_IOV 8
typedef struct ws2__bop_stack {
  ws2__bop_t op;
  struct iovec iov[WS2__BOP_STACK_IOV];
} ws2__bop_stack_t;

static inline ws2__bop_t *ws2__bop_stack_clear(ws2__bop_stack_t *st) {
  memset(&st->op, 0, sizeof(st->op));
  st->op.iov_room = 1;
  return &st->op;
}

static inline ws2__bsock_t *ws2__bop_sock(const ws2__bop_t *op) {
  return (ws2__bsock_t *)(void *)op->req.u.f.io; /* io is its first member */
}

static inline struct iovec *ws2__bop_iov(ws2__bop_t *op) {
  return op->niov > 1 ? op->iov.many : &op->iov.one;
}

/* The queue a request waits in (x->qsock or its socket's). */
static inline ws2__bsock_t *ws2__bop_qsock(const ws2__bop_t *op) {
  return op->x && op->x->qsock ? op->x->qsock : ws2__bop_sock(op);
}

/* Attaches x (cleared) to a request prepared on the stack. */
static inline ws2__bop_ext_t *ws2__bop_use_ext(ws2__bop_t *op,
                                               ws2__bop_ext_t *x) {
  memset(x, 0, sizeof(*x));
  op->x = x;
  return x;
}

/* A msghdr for the request's remaining buffers (no name, no control). */
static inline void ws2__bop_msghdr(ws2__bop_t *op, struct msghdr *m) {
  memset(m, 0, sizeof(*m));
  m->msg_iov = ws2__bop_iov(op) + op->iov_pos;
  m->msg_iovlen = (size_t)(op->niov - op->iov_pos);
}

/* Bytes the remaining buffers hold. */
size_t ws2__bop_room(ws2__bop_t *op);

/*
 * Prepares op for a send (wr = 1) or receive over the caller's WSABUFs
 * (copied: the WSABUF array may go away once the call returns). Returns 0
 * or a WSA error (WSAEFAULT, WSAENOBUFS, WSAEOPNOTSUPP for flags).
 */
int ws2__bop_init(ws2__bop_t *op, ws2__bsock_t *s, LPWSABUF bufs, DWORD n,
                  DWORD wflags, int wr);
void ws2__bop_fini(ws2__bop_t *op);

/* Runs a synchronous request (blocking or not). Returns 0 or a WSA error;
 * op->bytes / op->flags hold the result. */
int ws2__bop_run_sync(ws2__bop_t *op);

/*
 * Starts an overlapped request on a heap-allocated op (from
 * ws2__bop_alloc, which gives it an op->x, cleared). Returns 0 (done
 * inline: *bytes, *flags set), a WSA error with nothing notified, or
 * WSA_IO_PENDING. After the call op belongs to the completion machinery.
 */
ws2__bop_t *ws2__bop_alloc(void);
int ws2__bop_submit(ws2__bop_t *op, LPWSAOVERLAPPED ovl, void *routine,
                    LPDWORD bytes, LPDWORD flags);

/*
 * Runs a request prepared on the caller's stack (memset, ws2__bop_init):
 * synchronously without ovl, else overlapped with the given routine kind
 * (WS2__ROUTINE_WSA or WS2__ROUTINE_FILE). An overlapped call that
 * completes inline with nothing to outlive it (no routine; skip-on-
 * success, no port, or hEvent's low bit) allocates nothing; otherwise the
 * request moves to the heap. Returns 0, WSA_IO_PENDING or a WSA error,
 * with *bytes and *flags as the call defines them and *status (may be NULL)
 * the NTSTATUS of a request that finished or failed at once. Releases the
 * stack request's buffers in every case.
 */
int ws2__bop_execute(ws2__bop_t *sop, LPWSAOVERLAPPED ovl, int routine_kind,
                     void *routine, LPDWORD bytes, LPDWORD flags,
                     NTSTATUS *status);

/* ws2__bop_submit for ReadFile-style callers: the routine kind is given
 * (WS2__ROUTINE_FILE: ReadFileEx's three-argument routine) and *status
 * receives the NTSTATUS of a request that finished or failed at once. */
int ws2__bop_submit_as(ws2__bop_t *op, LPWSAOVERLAPPED ovl, int routine_kind,
                       void *routine, LPDWORD bytes, LPDWORD flags,
                       NTSTATUS *status);

/* ReadFile / WriteFile on a socket (core/io.h's file operations). */
extern const ws2__io_fops_t ws2__bsock_fops;

/* The send attempt, for requests that end with a send (ConnectEx). */
int ws2__bop_attempt_send(ws2__bop_t *op);

/* Moves op to the tail of s's receive queue and arms s; op->qsock's lock
 * is held (the caller is an attempt function). */
void ws2__bop_move(ws2__bop_t *op, ws2__bsock_t *s);

/* Completes every request still queued on s as cancelled (closing). */
void ws2__bop_abort_queued(ws2__bsock_t *s);

/* The extension functions' entry for SIO_GET_EXTENSION_FUNCTION_POINTER:
 * the function for the GUID, or NULL. */
void *ws2__bsp_extension(const GUID *id);
void *ws2__bsp_msg_extension(const GUID *id);      /* WSARecvMsg, WSASendMsg */
void *ws2__bsp_transmit_extension(const GUID *id); /* TransmitFile/Packets */

#endif /* WS2_PROVIDER_BASE_OPS_H */
