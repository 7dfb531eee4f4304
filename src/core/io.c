/*
 * io.c: overlapped requests and their completion (the rule is in io.h),
 * CancelIo(Ex), GetOverlappedResult(Ex), SetFileCompletionNotificationModes
 * and CreateIoCompletionPort.
 */
#include "core/io.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"

#include <errno.h>
#include <stddef.h>

enum { REQ_PENDING, REQ_DONE };

/* The forms a request takes (io.h) must agree on where ovl is. */
_Static_assert(offsetof(ws2__req_t, u.f.ovl) ==
                   offsetof(ws2__req_t, u.packet.ovl),
               "a packet keeps ovl where the request had it");
_Static_assert(offsetof(ws2__req_t, u.f.ovl) >= sizeof(ws2__apc_t) &&
                   offsetof(ws2__req_t, u.f.routine) >= sizeof(ws2__apc_t),
               "the APC leaves ovl and routine in place");

void ws2__io_init(ws2__io_t *io, const ws2__objtype_t *type) {
  ws2__obj_init(&io->obj, type, &io->sync);
  ws2__sync_init(&io->sync, 1, 0);
  pthread_mutex_init(&io->lock, NULL);
  io->port = NULL;
  io->key = 0;
  atomic_init(&io->modes, 0);
  ws2__list_init(&io->reqs);
  io->context = NULL;
  io->fops = NULL;
}

void ws2__io_fini(ws2__io_t *io) {
  if (io->port) ws2__obj_unref(ws2__port_obj(io->port));
  pthread_mutex_destroy(&io->lock);
  ws2__sync_destroy(&io->sync);
}

ws2__io_t *ws2__io_get(HANDLE h) {
  ws2__obj_t *obj = ws2__handle_get(h, NULL);
  if (obj && !(obj->type->flags & WS2__OBJ_IO)) {
    ws2__obj_unref(obj);
    obj = NULL;
  }
  return obj ? ws2__container_of(obj, ws2__io_t, obj) : NULL;
}

void ws2__req_ref(ws2__req_t *req) { atomic_fetch_add(&req->refs, 1); }

void ws2__req_unref(ws2__req_t *req) {
  if (atomic_fetch_sub(&req->refs, 1) == 1) req->ops->free(req);
}

/* The handle's own event is set by completions without an hEvent. */
static int uses_handle_event(int routine_kind, HANDLE event, uint32_t modes) {
  return (routine_kind != WS2__ROUTINE_NONE || !event) &&
         !(modes & FILE_SKIP_SET_EVENT_ON_HANDLE);
}

int ws2__req_init(ws2__req_t *req, ws2__io_t *io, LPOVERLAPPED ovl,
                  int routine_kind, void *routine, const ws2__req_ops_t *ops) {
  ws2__thread_t *self = ws2__thread_self();
  if (!self) return -1;
  req->u.f.io = io;
  req->u.f.ovl = ovl;
  req->u.f.thread = self;
  req->u.f.routine = routine;
  req->routine_kind = (uint8_t)(routine ? routine_kind : WS2__ROUTINE_NONE);
  req->record_flags = 0;
  req->cancel_requested = 0;
  req->ops = ops;
  atomic_init(&req->state, REQ_PENDING);
  atomic_init(&req->refs, ops->issuer_ref ? 2 : 1);
  ws2__obj_ref(&io->obj);
  ws2__obj_ref(&req->u.f.thread->obj);

  if (uses_handle_event(req->routine_kind, ovl->hEvent,
                        atomic_load(&io->modes)))
    ws2__sync_reset(&io->sync);
  /* Pending and on the handle's list together: whoever looks under the
   * lock sees both or neither (a non-IFS handle's completion report). */
  pthread_mutex_lock(&io->lock);
  ovl->InternalHigh = 0;
  __atomic_store_n(&ovl->Internal, (ULONG_PTR)STATUS_PENDING, __ATOMIC_RELAXED);
  ws2__list_push_back(&io->reqs, &req->u.f.node);
  pthread_mutex_unlock(&io->lock);
  return 0;
}

static void req_packet_release(ws2__packet_t *p) {
  ws2__req_unref(ws2__container_of(p, ws2__req_t, u.packet));
}

/* The completion routine, run in an alertable wait of the issuing thread
 * (or dropped with the request when that thread has exited). The result
 * is read back from the OVERLAPPED, which the application may not touch
 * before its routine has run. */
static void req_apc(ws2__apc_t *apc, int run) {
  ws2__req_t *req = ws2__container_of(apc, ws2__req_t, u.apc);
  if (run) {
    LPOVERLAPPED ovl = ws2__req_ovl(req);
    NTSTATUS status =
        (NTSTATUS)(uint32_t)__atomic_load_n(&ovl->Internal, __ATOMIC_ACQUIRE);
    DWORD bytes = (DWORD)ovl->InternalHigh;
    if (req->routine_kind == WS2__ROUTINE_WSA)
      ((ws2__wsa_routine_t)req->u.f.routine)(
          status ? (DWORD)ws2__ntstatus_to_wsa(status) : 0, bytes, ovl,
          req->record_flags ? ovl->Offset : 0);
    else
      ((LPOVERLAPPED_COMPLETION_ROUTINE)req->u.f.routine)(
          status ? ws2__ntstatus_to_win32(status) : 0, bytes, ovl);
  }
  ws2__req_unref(req);
}

/* Takes the request out of its handle's list: it is no longer in flight.
 * The handle's port lives as long as the handle (an association is never
 * undone), which the request holds until it is finished. */
static void unlink_locked(ws2__req_t *req, ws2__req_taken_t *t) {
  ws2__io_t *io = req->u.f.io;
  ws2__list_remove(&req->u.f.node);
  t->port = io->port;
  t->key = io->key;
}

static void req_unlink(ws2__req_t *req, ws2__req_taken_t *t) {
  ws2__io_t *io = req->u.f.io;
  pthread_mutex_lock(&io->lock);
  unlink_locked(req, t);
  pthread_mutex_unlock(&io->lock);
}

static int req_claim(ws2__req_t *req) {
  uint8_t expected = REQ_PENDING;
  return atomic_compare_exchange_strong(&req->state, &expected, REQ_DONE);
}

int ws2__req_take_locked(ws2__req_t *req, ws2__req_taken_t *t) {
  if (!req_claim(req)) return 0;
  unlink_locked(req, t);
  return 1;
}

/* Step 1 of the rule: bytes, then the status that publishes them. */
static void ovl_publish(LPOVERLAPPED ovl, NTSTATUS status, ULONG_PTR bytes,
                        DWORD flags, int record_flags) {
  if (record_flags) ovl->Offset = flags;
  ovl->InternalHigh = bytes;
  __atomic_store_n(&ovl->Internal, (ULONG_PTR)(uint32_t)status,
                   __ATOMIC_RELEASE);
}

/* Without a completion routine: hEvent (low bit masked), or the handle's
 * own event when there is no hEvent. */
static void signal_event(ws2__io_t *io, HANDLE event, uint32_t modes) {
  if (event)
    ws2__event_set_handle((HANDLE)((uintptr_t)event & ~(uintptr_t)1));
  else if (!(modes & FILE_SKIP_SET_EVENT_ON_HANDLE))
    ws2__sync_set(&io->sync);
}

/* Whether a completion without a routine queues a packet. */
static int wants_packet(ws2__port_t *port, HANDLE event, uint32_t modes,
                        NTSTATUS status, int immediate) {
  return port && !((uintptr_t)event & 1) &&
         !(immediate && (modes & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) &&
           WS2_NT_SUCCESS(status));
}

void ws2__req_complete(ws2__req_t *req, NTSTATUS status, ULONG_PTR bytes,
                       DWORD flags, int immediate) {
  ws2__req_taken_t t;
  if (!req_claim(req)) return;
  req_unlink(req, &t);
  ws2__req_finish(req, &t, status, bytes, flags, immediate);
}

void ws2__req_finish(ws2__req_t *req, const ws2__req_taken_t *t,
                     NTSTATUS status, ULONG_PTR bytes, DWORD flags,
                     int immediate) {
  /* What the in-flight fields say, before the packet or APC reuses them.
   * hEvent is read now: the application may not change the OVERLAPPED
   * while the request is pending. */
  ws2__io_t *io = req->u.f.io;
  LPOVERLAPPED ovl = req->u.f.ovl;
  ws2__thread_t *thread = req->u.f.thread;
  HANDLE event = ovl->hEvent;
  uint32_t modes = atomic_load(&io->modes);

  /* 1. The OVERLAPPED. */
  ovl_publish(ovl, status, bytes, flags, req->record_flags);

  /* 2. Notification. The request's one reference passes to the APC or
   * the packet it becomes, or is dropped when nothing does; once queued,
   * the request may be gone. */
  if (req->routine_kind != WS2__ROUTINE_NONE) {
    if (modes & WS2__IO_QUIET) {
      ws2__req_unref(req); /* no routine, no event (WSACleanup) */
    } else {
      if (uses_handle_event(req->routine_kind, event, modes))
        ws2__sync_set(&io->sync);
      req->u.apc.fn = req_apc;
      if (ws2__apc_queue(thread, &req->u.apc) != 0) ws2__req_unref(req);
    }
  } else {
    if (!(modes & WS2__IO_QUIET)) signal_event(io, event, modes);
    if (wants_packet(t->port, event, modes, status, immediate)) {
      ws2__packet_t *p = &req->u.packet;
      p->key = t->key;
      p->ovl = ovl;
      p->status = (uint32_t)status;
      p->bytes = (DWORD)bytes;
      p->release = req_packet_release;
      ws2__port_post(t->port, p);
    } else {
      ws2__req_unref(req);
    }
  }
  ws2__obj_unref(&thread->obj);
  ws2__obj_unref(&io->obj);
}

int ws2__io_inline_needs_req(ws2__io_t *io, LPOVERLAPPED ovl) {
  ws2__port_t *port = __atomic_load_n(&io->port, __ATOMIC_ACQUIRE);
  return wants_packet(port, ovl->hEvent, atomic_load(&io->modes), 0, 1);
}

static void plain_req_free(ws2__req_t *req) { ws2__free(req); }
static const ws2__req_ops_t plain_req_ops = {NULL, plain_req_free, 0};

void ws2__io_complete_inline(ws2__io_t *io, LPOVERLAPPED ovl, NTSTATUS status,
                             ULONG_PTR bytes, DWORD flags, int record_flags) {
  uint32_t modes = atomic_load(&io->modes);
  ws2__port_t *port = __atomic_load_n(&io->port, __ATOMIC_ACQUIRE);
  if (wants_packet(port, ovl->hEvent, modes, status, 1)) {
    /* A warning status (a truncated datagram) still queues its packet,
     * which needs a request to carry it. */
    ws2__req_t *req = ws2__malloc(sizeof(*req));
    if (req && ws2__req_init(req, io, ovl, WS2__ROUTINE_NONE, NULL,
                             &plain_req_ops) != 0) {
      ws2__free(req);
      req = NULL;
    }
    if (req) {
      req->record_flags = record_flags;
      ws2__req_complete(req, status, bytes, flags, 1);
      return;
    }
    ws2__log(WS2__LOG_ERROR,
             "no memory for a completion packet: the "
             "immediate completion of %p is signalled without one",
             ovl);
  }
  ovl_publish(ovl, status, bytes, flags, record_flags);
  signal_event(io, ovl->hEvent, modes);
}

DWORD ws2__io_complete_now(ws2__io_t *io, LPOVERLAPPED ovl, int routine_kind,
                           void *routine, ULONG_PTR bytes) {
  ws2__req_t *req;
  if (!routine && !ws2__io_inline_needs_req(io, ovl)) {
    ws2__io_complete_inline(io, ovl, 0, bytes, 0, 0);
    return 0;
  }
  if (!(req = ws2__malloc(sizeof(*req)))) return ERROR_NOT_ENOUGH_MEMORY;
  if (ws2__req_init(req, io, ovl, routine_kind, routine, &plain_req_ops)) {
    ws2__free(req);
    return ERROR_NOT_ENOUGH_MEMORY;
  }
  ws2__req_complete(req, 0, bytes, 0, 1);
  return 0;
}

void ws2__req_discard(ws2__req_t *req, NTSTATUS status) {
  ws2__req_taken_t t;
  ws2__io_t *io;
  ws2__thread_t *thread;
  if (!req_claim(req)) return;
  io = req->u.f.io;
  thread = req->u.f.thread;
  req_unlink(req, &t);
  req->u.f.ovl->InternalHigh = 0;
  __atomic_store_n(&req->u.f.ovl->Internal, (ULONG_PTR)(uint32_t)status,
                   __ATOMIC_RELEASE);
  ws2__req_unref(req);
  ws2__obj_unref(&thread->obj);
  ws2__obj_unref(&io->obj);
}

int ws2__io_cancel(ws2__io_t *io, LPOVERLAPPED ovl, ws2__thread_t *thread) {
  ws2__req_t *batch[32];
  const int cap = (int)(sizeof(batch) / sizeof(*batch));
  ws2__node_t *n;
  int found = 0, counted = 0, k, i;

  /* In batches, in issue order; the first pass counts every match. Each
   * request is marked once, so a later pass takes only the rest. */
  do {
    k = 0;
    pthread_mutex_lock(&io->lock);
    ws2__list_foreach(n, &io->reqs) {
      ws2__req_t *req = ws2__container_of(n, ws2__req_t, u.f.node);
      if ((ovl && req->u.f.ovl != ovl) || (thread && req->u.f.thread != thread))
        continue;
      if (!counted) found++;
      if (req->cancel_requested || k == cap)
        continue; /* someone is cancelling it, or the next pass will */
      req->cancel_requested = 1;
      ws2__req_ref(req);
      batch[k++] = req;
    }
    pthread_mutex_unlock(&io->lock);
    counted = 1;
    /* Cancel outside the lock: a cancel hook may complete the request
     * (only the fields outside u are read from here on). */
    for (i = 0; i < k; i++) {
      if (batch[i]->ops->cancel) batch[i]->ops->cancel(batch[i], io);
      ws2__req_unref(batch[i]);
    }
  } while (k == cap);
  return found;
}

static BOOL cancel_api(HANDLE h, LPOVERLAPPED ovl, int own_thread) {
  ws2__io_t *io = ws2__io_get(h);
  int found;
  if (!io) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  found = ws2__io_cancel(io, ovl, own_thread ? ws2__thread_self() : NULL);
  ws2__obj_unref(&io->obj);
  if (!found) {
    SetLastError(ERROR_NOT_FOUND);
    return FALSE;
  }
  return TRUE;
}

BOOL WINAPI CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped) {
  return cancel_api(hFile, lpOverlapped, 0);
}

/* CancelIo: only the calling thread's requests on the handle. Windows
 * returns TRUE even when none were found. */
BOOL WINAPI CancelIo(HANDLE hFile) {
  ws2__io_t *io = ws2__io_get(hFile);
  if (!io) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  ws2__io_cancel(io, NULL, ws2__thread_self());
  ws2__obj_unref(&io->obj);
  return TRUE;
}

DWORD ws2__ovl_wait(HANDLE h, LPOVERLAPPED ovl, DWORD ms, int alertable) {
  HANDLE ev = (HANDLE)((uintptr_t)ovl->hEvent & ~(uintptr_t)1);
  ws2__obj_t *obj = ws2__handle_get(ev ? ev : h, NULL);
  DWORD r = WAIT_OBJECT_0;
  if (!obj || !obj->sync) {
    if (obj) ws2__obj_unref(obj);
    SetLastError(ERROR_INVALID_HANDLE);
    return WAIT_FAILED;
  }
  /* A manual event set for another request on the same event or handle
   * wakes us early: wait again until this one is done. */
  while (__atomic_load_n(&ovl->Internal, __ATOMIC_ACQUIRE) == STATUS_PENDING) {
    r = ws2__wait(1, &obj, FALSE, ms, alertable);
    if (r != WAIT_OBJECT_0) break;
  }
  ws2__obj_unref(obj);
  if (r == WAIT_FAILED) SetLastError(ERROR_NOT_ENOUGH_MEMORY);
  return r;
}

BOOL WINAPI GetOverlappedResultEx(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                  LPDWORD lpNumberOfBytesTransferred,
                                  DWORD dwMilliseconds, BOOL bAlertable) {
  ULONG_PTR st;
  if (!lpOverlapped || !lpNumberOfBytesTransferred) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  st = __atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE);
  if (st == STATUS_PENDING) {
    DWORD r;
    if (dwMilliseconds == 0) {
      SetLastError(ERROR_IO_INCOMPLETE);
      return FALSE;
    }
    r = ws2__ovl_wait(hFile, lpOverlapped, dwMilliseconds, bAlertable);
    if (r != WAIT_OBJECT_0) {
      if (r != WAIT_FAILED)
        SetLastError(r); /* WAIT_TIMEOUT, WAIT_IO_COMPLETION */
      return FALSE;
    }
    st = __atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE);
  }
  *lpNumberOfBytesTransferred = (DWORD)lpOverlapped->InternalHigh;
  if ((uint32_t)st == 0) return TRUE;
  SetLastError(ws2__ntstatus_to_win32((NTSTATUS)(uint32_t)st));
  return FALSE;
}

BOOL WINAPI GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                LPDWORD lpNumberOfBytesTransferred,
                                BOOL bWait) {
  return GetOverlappedResultEx(hFile, lpOverlapped, lpNumberOfBytesTransferred,
                               bWait ? INFINITE : 0, FALSE);
}

void ws2__io_quiet(ws2__io_t *io) {
  atomic_fetch_or(&io->modes, WS2__IO_QUIET);
}

BOOL WINAPI SetFileCompletionNotificationModes(HANDLE FileHandle, UCHAR Flags) {
  ws2__io_t *io;
  if (Flags &
      ~(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if (!(io = ws2__io_get(FileHandle))) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  /* Modes only accumulate: once set they cannot be cleared (Windows). */
  atomic_fetch_or(&io->modes, Flags);
  ws2__obj_unref(&io->obj);
  return TRUE;
}

static HANDLE new_port_handle(DWORD concurrency, ws2__port_t **out) {
  ws2__port_t *port;
  HANDLE h;
  if (ws2__port_new(concurrency, &port) != 0) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  if (ws2__handle_new(ws2__port_obj(port), &h) != 0) {
    ws2__obj_unref(ws2__port_obj(port));
    SetLastError(ERROR_NO_SYSTEM_RESOURCES);
    return NULL;
  }
  *out = port; /* the caller's reference */
  return h;
}

HANDLE WINAPI CreateIoCompletionPort(HANDLE FileHandle,
                                     HANDLE ExistingCompletionPort,
                                     ULONG_PTR CompletionKey,
                                     DWORD NumberOfConcurrentThreads) {
  ws2__port_t *port;
  ws2__io_t *io;
  HANDLE result;
  int busy;

  if (FileHandle == INVALID_HANDLE_VALUE) {
    if (ExistingCompletionPort) {
      SetLastError(ERROR_INVALID_PARAMETER);
      return NULL;
    }
    result = new_port_handle(NumberOfConcurrentThreads, &port);
    if (result) ws2__obj_unref(ws2__port_obj(port));
    return result;
  }
  if (!(io = ws2__io_get(FileHandle))) {
    SetLastError(ERROR_INVALID_HANDLE);
    return NULL;
  }
  if (ExistingCompletionPort) {
    ws2__obj_t *obj = ws2__handle_get(ExistingCompletionPort, &ws2__port_type);
    if (!obj) {
      ws2__obj_unref(&io->obj);
      SetLastError(ERROR_INVALID_HANDLE);
      return NULL;
    }
    port = ws2__port_from_obj(obj);
    result = ExistingCompletionPort;
  } else if (!(result = new_port_handle(NumberOfConcurrentThreads, &port))) {
    ws2__obj_unref(&io->obj);
    return NULL;
  }

  pthread_mutex_lock(&io->lock);
  busy = io->port != NULL;
  if (!busy) {
    io->key = CompletionKey;
    /* Our reference passes to the handle. Published last, with release:
     * the inline-completion path reads it without the lock. */
    __atomic_store_n(&io->port, port, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&io->lock);
  ws2__obj_unref(&io->obj);
  if (busy) {
    /* A handle belongs to one port for its whole life. */
    ws2__obj_unref(ws2__port_obj(port));
    if (!ExistingCompletionPort) CloseHandle(result);
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  return result;
}

/* ---- ReadFile, WriteFile and their Ex forms. */

static DWORD file_rw(HANDLE h, int write, void *buf, DWORD len, LPDWORD done,
                     LPOVERLAPPED ovl, LPOVERLAPPED_COMPLETION_ROUTINE cr) {
  ws2__io_t *io = ws2__io_get(h);
  DWORD err;
  if (!io) return ERROR_INVALID_HANDLE;
  err = io->fops ? io->fops->rw(io, write, buf, len, done, ovl, cr)
                 : ERROR_INVALID_FUNCTION;
  ws2__obj_unref(&io->obj);
  return err;
}

static BOOL rw_api(HANDLE h, int write, void *buf, DWORD len, LPDWORD done,
                   LPOVERLAPPED ovl) {
  DWORD n = 0, err;
  /* The count may be left out only for overlapped calls. */
  if (!done && !ovl) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  err = file_rw(h, write, buf, len, &n, ovl, NULL);
  if (done) *done = err ? 0 : n;
  if (err) {
    SetLastError(err);
    return FALSE;
  }
  return TRUE;
}

BOOL WINAPI ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
                     LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped) {
  return rw_api(hFile, 0, lpBuffer, nNumberOfBytesToRead, lpNumberOfBytesRead,
                lpOverlapped);
}

BOOL WINAPI WriteFile(HANDLE hFile, LPCVOID lpBuffer,
                      DWORD nNumberOfBytesToWrite,
                      LPDWORD lpNumberOfBytesWritten,
                      LPOVERLAPPED lpOverlapped) {
  return rw_api(hFile, 1, (void *)lpBuffer, nNumberOfBytesToWrite,
                lpNumberOfBytesWritten, lpOverlapped);
}

/* The Ex forms always report through the completion routine, queued even
 * when the transfer completes at once; TRUE means it was queued. */
static BOOL rw_ex(HANDLE h, int write, void *buf, DWORD len, LPOVERLAPPED ovl,
                  LPOVERLAPPED_COMPLETION_ROUTINE cr) {
  DWORD n, err;
  if (!ovl || !cr) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  err = file_rw(h, write, buf, len, &n, ovl, cr);
  if (err && err != ERROR_IO_PENDING) {
    SetLastError(err);
    return FALSE;
  }
  SetLastError(ERROR_SUCCESS);
  return TRUE;
}

BOOL WINAPI ReadFileEx(HANDLE hFile, LPVOID lpBuffer,
                       DWORD nNumberOfBytesToRead, LPOVERLAPPED lpOverlapped,
                       LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  return rw_ex(hFile, 0, lpBuffer, nNumberOfBytesToRead, lpOverlapped,
               lpCompletionRoutine);
}

BOOL WINAPI WriteFileEx(HANDLE hFile, LPCVOID lpBuffer,
                        DWORD nNumberOfBytesToWrite, LPOVERLAPPED lpOverlapped,
                        LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  return rw_ex(hFile, 1, (void *)lpBuffer, nNumberOfBytesToWrite, lpOverlapped,
               lpCompletionRoutine);
}
