/*
 * nifs.c: non-IFS socket handles and their completion rule (nifs.h).
 */
#include "ws2/nifs.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/io.h"
#include "core/log.h"
#include "ws2/provider.h"
#include "ws2/ws2.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct ws2__nifs {
  ws2__io_t io;         /* io.context: the provider that owns the handle */
  ws2__node_t all_node; /* on all_handles while open */
  DWORD catalog_id;
  DWORD_PTR context; /* the provider's, from WPUCreateSocketHandle */
  SOCKET handle;
  int compat_loss; /* WS2_COMPAT=kb2568167 when the handle was made */
} nifs_t;

/*
 * An application's overlapped call, from its start to its completion.
 * `call` says whether the call is still running (CALL_IN) and whether the
 * provider reported the request meanwhile (CALL_REPORTED, with status and
 * bytes, written before the bit): a report that comes while the call runs
 * is held until the call returns and ws2 knows whether it returned
 * success at once. The call holds a reference of its own (issuer_ref)
 * until ws2__nifs_end, so it may look at the request even if the handle
 * was closed and the request completed meanwhile.
 */
enum { CALL_IN = 1, CALL_REPORTED = 2 };

typedef struct ws2__nifs_req {
  ws2__req_t req;
  _Atomic int call; /* CALL_* */
  int compat_loss;  /* the handle's (immediate_for) */
  int immediate;    /* the call returned success at once  } written before */
  int failed;       /* it failed at once: nothing notified } CALL_IN clears */
  NTSTATUS status;  /* a held report */
  ULONG_PTR bytes;
} nifs_req_t;

#define STATUS_CANCELLED_ ((NTSTATUS)0xC0000120)

/* Every open non-IFS handle, so that the last WSACleanup can close what
 * a layer left open (ws2__nifs_close_all). */
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static ws2__list_t all_handles = {{&all_handles.head, &all_handles.head}};

static void nifs_close(ws2__obj_t *obj);
static void nifs_destroy(ws2__obj_t *obj);
static const ws2__objtype_t nifs_type = {"provider socket", WS2__OBJ_IO,
                                         nifs_close, nifs_destroy};

static void req_free(ws2__req_t *req) {
  ws2__free(ws2__container_of(req, nifs_req_t, req));
}
/* No cancel hook: the provider cannot be asked to stop one request (the
 * SPI has no such entry); the request completes when it reports it, or
 * aborted when the provider closes the handle. */
static const ws2__req_ops_t req_ops = {NULL, req_free, 1};
/* A request ws2 did not see start (ws2__nifs_complete's "lone" case). */
static const ws2__req_ops_t lone_req_ops = {NULL, req_free, 0};

static nifs_t *nifs_get(SOCKET s) {
  ws2__obj_t *obj = ws2__handle_get((HANDLE)s, &nifs_type);
  return obj ? ws2__container_of(obj, nifs_t, io.obj) : NULL;
}

/* ReadFile / WriteFile: the provider's WSPRecv / WSPSend, through the
 * Winsock entry points (which keep the request, as for WSARecv). */
static DWORD nifs_rw(ws2__io_t *io, int write, void *buf, DWORD len,
                     LPDWORD done, LPOVERLAPPED ovl,
                     LPOVERLAPPED_COMPLETION_ROUTINE routine) {
  nifs_t *n = ws2__container_of(io, nifs_t, io);
  WSABUF b;
  DWORD flags = 0;
  int r;
  if (routine) return ERROR_NOT_SUPPORTED; /* ReadFileEx: not redirected */
  b.buf = buf;
  b.len = len;
  r = write ? WSASend(n->handle, &b, 1, done, 0, ovl, NULL)
            : WSARecv(n->handle, &b, 1, done, &flags, ovl, NULL);
  if (r == 0) return 0;
  r = WSAGetLastError();
  return r == WSA_IO_PENDING ? ERROR_IO_PENDING : (DWORD)r;
}

static const ws2__io_fops_t nifs_fops = {nifs_rw};

/*
 * WS2_COMPAT=kb2568167 reproduces Windows' loss on purpose, so that an
 * application can test how it detects and survives it: a completion
 * reported with WPUCompleteOverlappedRequest counts as a success at once
 * for the handle's FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (Windows' I/O
 * manager completes it as a synchronous request), so with skip-on-success
 * set no packet comes, whatever the application's call returned; hEvent
 * is still signalled. Read when a handle is made (not at each completion:
 * the environment is a linear search).
 */
static int compat_loss(void) {
  const char *c = getenv("WS2_COMPAT");
  return c && strstr(c, "kb2568167");
}

SOCKET ws2__nifs_create(ws2__provider_t *p, DWORD catalog_id, DWORD_PTR context,
                        int *err) {
  nifs_t *n = ws2__calloc(1, sizeof(*n));
  HANDLE h;
  if (!n) {
    *err = WSAENOBUFS;
    return INVALID_SOCKET;
  }
  ws2__io_init(&n->io, &nifs_type);
  n->io.fops = &nifs_fops;
  n->io.context = p;
  n->catalog_id = catalog_id;
  n->context = context;
  n->compat_loss = compat_loss();
  if (ws2__handle_new(&n->io.obj, &h) != 0) {
    ws2__obj_unref(&n->io.obj);
    *err = WSAENOBUFS;
    return INVALID_SOCKET;
  }
  n->handle = (SOCKET)h;
  /* The tag says which provider serves it, and (low bit) that ws2 keeps
   * its requests. */
  ws2__handle_set_context(h, (uintptr_t)context);
  ws2__handle_set_tag(h, (void *)((uintptr_t)p | 1));
  pthread_mutex_lock(&all_lock);
  ws2__list_push_back(&all_handles, &n->all_node);
  pthread_mutex_unlock(&all_lock);
  ws2__obj_unref(&n->io.obj); /* the handle's reference remains */
  return n->handle;
}

int ws2__nifs_close(SOCKET s, int *err) {
  nifs_t *n = nifs_get(s);
  if (!n) {
    *err = WSAENOTSOCK;
    return SOCKET_ERROR;
  }
  ws2__obj_unref(&n->io.obj);
  if (!CloseHandle((HANDLE)s)) {
    *err = WSAENOTSOCK;
    return SOCKET_ERROR;
  }
  return 0;
}

/* The context is also the handle's second word (ws2__handle_words),
 * read with no reference, as a provider asks for it on every call; a
 * duplicated handle has no words and is looked up. */
int ws2__nifs_context(SOCKET s, PDWORD_PTR context, int *err) {
  void *tag = NULL;
  uintptr_t ctx = 0;
  nifs_t *n;
  if (!context) {
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  if (ws2__handle_words((HANDLE)s, &tag, &ctx) == 0 && ((uintptr_t)tag & 1)) {
    *context = (DWORD_PTR)ctx;
    return 0;
  }
  if (tag || !(n = nifs_get(s))) {
    *err = WSAENOTSOCK;
    return SOCKET_ERROR;
  }
  *context = n->context;
  ws2__obj_unref(&n->io.obj);
  return 0;
}

/* The handle is closed: the requests the provider has not reported end
 * aborted (it closed without reporting them). */
static void nifs_close(ws2__obj_t *obj) {
  nifs_t *n = ws2__container_of(obj, nifs_t, io.obj);
  pthread_mutex_lock(&all_lock);
  if (ws2__node_linked(&n->all_node)) ws2__list_remove(&n->all_node);
  pthread_mutex_unlock(&all_lock);
  for (;;) {
    nifs_req_t *r = NULL;
    ws2__req_taken_t taken;
    ws2__node_t *node;
    pthread_mutex_lock(&n->io.lock);
    /* One that nobody is completing (one being completed leaves the list
     * by itself). */
    ws2__list_foreach(node, &n->io.reqs) {
      nifs_req_t *q = ws2__container_of(node, nifs_req_t, req.u.f.node);
      if (ws2__req_take_locked(&q->req, &taken)) {
        r = q;
        /* Whatever the call returns, and whatever was reported, it is
         * over (the call's own reference keeps r for ws2__nifs_end). */
        atomic_store(&r->call, 0);
        break;
      }
    }
    pthread_mutex_unlock(&n->io.lock);
    if (!r) return;
    ws2__req_finish(&r->req, &taken, STATUS_CANCELLED_, 0, 0, 0);
  }
}

static void nifs_destroy(ws2__obj_t *obj) {
  nifs_t *n = ws2__container_of(obj, nifs_t, io.obj);
  ws2__io_fini(&n->io);
  ws2__free(n);
}

/* The request on n for ovl (referenced), or NULL; io lock held. */
static nifs_req_t *find_locked(nifs_t *n, LPWSAOVERLAPPED ovl) {
  ws2__node_t *node;
  ws2__list_foreach(node, &n->io.reqs) {
    nifs_req_t *r = ws2__container_of(node, nifs_req_t, req.u.f.node);
    if (ws2__req_ovl(&r->req) == ovl) return r;
  }
  return NULL;
}

/* Whether r's completion counts as a success at once (compat_loss). */
static int immediate_for(const nifs_req_t *r) {
  return r->compat_loss || r->immediate;
}

static NTSTATUS status_of(DWORD wsa_error) {
  return ws2__wsa_to_ntstatus((int)wsa_error);
}

int ws2__nifs_complete(SOCKET s, LPWSAOVERLAPPED ovl, DWORD error, DWORD bytes,
                       int *err) {
  nifs_t *n = nifs_get(s);
  nifs_req_t *r;
  ws2__req_taken_t taken;
  int held = 0, lone = 0, take = 0;
  if (!n) {
    *err = WSAEINVAL; /* not a handle from WPUCreateSocketHandle */
    return SOCKET_ERROR;
  }
  if (!ovl) {
    ws2__obj_unref(&n->io.obj);
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  pthread_mutex_lock(&n->io.lock);
  if ((r = find_locked(n, ovl)) != NULL) {
    int c = atomic_load(&r->call);
    if (c & CALL_IN) {
      /* Reported before the application's call returned: held, written
       * before the bit ws2__nifs_end reads them after. */
      r->status = status_of(error);
      r->bytes = bytes;
      held = atomic_compare_exchange_strong(&r->call, &c, c | CALL_REPORTED);
    }
    /* Not held: the call has returned (perhaps just now). If it failed,
     * nothing is to be notified: the report is dropped. */
    if (!held && !r->failed) take = ws2__req_take_locked(&r->req, &taken);
  } else {
    /* Decided under the lock (ws2__req_init makes a request pending and
     * puts it on the list in one hold of it): a request ws2 did not see
     * start (an extension function the application called through the
     * layer's own pointer) is still pending; one already completed is
     * not completed again. */
    lone = __atomic_load_n(&ovl->Internal, __ATOMIC_ACQUIRE) ==
           (ULONG_PTR)STATUS_PENDING;
  }
  pthread_mutex_unlock(&n->io.lock);
  if (take) {
    ws2__req_finish(&r->req, &taken, status_of(error), bytes, 0,
                    immediate_for(r));
  } else if (lone) {
    /* Completed as Windows does, as a pending one. */
    nifs_req_t *q = ws2__calloc(1, sizeof(*q));
    if (q && ws2__req_init(&q->req, &n->io, ovl, WS2__ROUTINE_NONE, NULL,
                           &lone_req_ops) == 0) {
      ws2__req_complete(&q->req, status_of(error), bytes, 0, 0);
    } else {
      ws2__free(q);
      ws2__log(WS2__LOG_ERROR,
               "no memory to deliver the completion of %p that a layer "
               "reported",
               (void *)ovl);
    }
  } else if (!r) {
    /* A hostile or buggy layer reporting a request twice (or one that was
     * never pending): the application hears of each request once. */
    ws2__provider_t *p = n->io.context;
    ws2__log(WS2__LOG_WARN,
             "layer \"%s\" reported a completion for %p, which is not "
             "pending (reported twice?): ignored",
             p && p->name ? p->name : "?", (void *)ovl);
  }
  ws2__obj_unref(&n->io.obj);
  return 0;
}

void ws2__nifs_begin(SOCKET s, LPWSAOVERLAPPED ovl, void *routine,
                     ws2__nifs_call_t *c) {
  c->req = NULL;
  if (ovl && !routine && ws2__non_ifs(s)) ws2__nifs_start(s, ovl, c);
}

void ws2__nifs_start(SOCKET s, LPWSAOVERLAPPED ovl, ws2__nifs_call_t *c) {
  nifs_t *n;
  nifs_req_t *r;
  if (!(n = nifs_get(s))) return;
  if ((r = ws2__calloc(1, sizeof(*r))) != NULL) {
    atomic_init(&r->call, CALL_IN);
    r->compat_loss = n->compat_loss;
    if (ws2__req_init(&r->req, &n->io, ovl, WS2__ROUTINE_NONE, NULL,
                      &req_ops) != 0) {
      ws2__free(r);
      r = NULL; /* untracked: a completion comes the "lone" way */
    }
    c->req = r;
  }
  ws2__obj_unref(&n->io.obj); /* the request holds the handle now */
}

void ws2__nifs_end(ws2__nifs_call_t *c, int rc, int err) {
  nifs_req_t *r = c->req;
  int reported;
  if (!r) return;
  r->immediate = rc == 0;
  r->failed = rc != 0 && err != WSA_IO_PENDING;
  /* From here a request that went pending and was not reported is the
   * provider's to complete, on any thread; the call's reference keeps r. */
  reported = atomic_exchange(&r->call, 0) & CALL_REPORTED;
  if (r->failed) {
    /* The call failed: nothing is notified. A completion the provider
     * reported anyway is its mistake, dropped (and said). */
    if (reported)
      ws2__log(WS2__LOG_WARN,
               "a layered provider reported the completion of a call that "
               "failed (error %d); dropped",
               err);
    ws2__req_discard(&r->req, status_of((DWORD)err));
  } else if (reported) {
    ws2__req_complete(&r->req, r->status, r->bytes, 0, immediate_for(r));
  }
  ws2__req_unref(&r->req); /* the call's */
}

int ws2__nifs_close_all(void) {
  int closed = 0;
  for (;;) {
    SOCKET h = INVALID_SOCKET;
    const char *name = "?";
    pthread_mutex_lock(&all_lock);
    if (!ws2__list_empty(&all_handles)) {
      nifs_t *n =
          ws2__container_of(ws2__list_first(&all_handles), nifs_t, all_node);
      ws2__provider_t *p = n->io.context;
      ws2__list_remove(&n->all_node); /* once, even if the close fails */
      h = n->handle;
      if (p && p->name) name = p->name;
      ws2__log(WS2__LOG_WARN,
               "layer \"%s\" left socket %p open after its WSPCleanup: "
               "closed (what is pending on it ends aborted)",
               name, (void *)h);
    }
    pthread_mutex_unlock(&all_lock);
    if (h == INVALID_SOCKET) return closed;
    CloseHandle((HANDLE)h);
    closed++;
  }
}
