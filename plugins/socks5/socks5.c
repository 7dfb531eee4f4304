/*
 * socks5.c: ws2-socks5, a layered service provider that sends outgoing
 * TCP connections through a SOCKS5 proxy (README.md). This file is the
 * layer itself; handshake.c talks to the proxy, config.c decides which
 * connections go to it.
 *
 * Why non-IFS. A connect through a proxy is two things below the layer: a
 * TCP connection to the proxy, then an exchange of SOCKS messages on it.
 * The application must see one thing: its connect completes when the
 * proxy says the destination is connected, not when the proxy answers
 * the SYN. An IFS layer (WPUModifyIFSHandle) hands the application the
 * base provider's own socket, which is writable, and signals FD_CONNECT,
 * as soon as the proxy answers the SYN; and an IFS layer cannot complete
 * an application's OVERLAPPED with an error of its own (ConnectEx refused
 * by the proxy). So the layer makes its own handles (WPUCreateSocketHandle)
 * and is called for everything done with them: it decides what the
 * application sees of the socket below.
 *
 * The price is that every WSPPROC_TABLE entry is the layer's: each one
 * finds the socket below (the lower socket) and calls the provider below
 * with it. Overlapped requests cannot be handed down as they are (their
 * completion would go to the lower socket, not to the application's
 * handle and its completion port), so the layer substitutes an OVERLAPPED
 * of its own, lets the lower socket's completions come to a completion
 * port of its own, and on each one reports the application's request
 * with WPUCompleteOverlappedRequest (or WPUQueueApc for a completion
 * routine). Network events are the lower socket's: WSAEventSelect passes
 * the application's event down (the event is signalled by the provider
 * below; WSAEnumNetworkEvents asks it), WSAAsyncSelect goes through a
 * window of the layer's, because the lower provider's messages name the
 * lower socket and the application's must name its own.
 *
 * What the layer changes: a connect, WSAConnect or ConnectEx that config.c
 * routes to the proxy is made to the proxy, and the SOCKS exchange runs as
 * overlapped requests on the lower socket (handshake.c). While it runs,
 * the application's socket is "connecting": select does not say it is
 * writable, WSAEventSelect and WSAAsyncSelect registrations are held back
 * from the lower socket, a blocking connect waits; when it ends, FD_CONNECT
 * is reported (with the error if it failed), select says writable (or,
 * failed, in exceptfds), ConnectEx completes, and getpeername gives the
 * destination the application asked for.
 */
#include "socks5.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define S5_EXPORT __declspec(dllexport)
#else
#define S5_EXPORT __attribute__((visibility("default")))
#endif

/* The layer's provider GUID: {3c9a6e51-27b4-4f0d-9e62-b1d8a4c07f35}. */
static const GUID s5_guid = {0x3c9a6e51,
                             0x27b4,
                             0x4f0d,
                             {0x9e, 0x62, 0xb1, 0xd8, 0xa4, 0xc0, 0x7f, 0x35}};

#define S5_MAGIC 0x35736b73u /* "sks5" */
#define HOLD_MAX (64 * 1024) /* bytes held before the proxy's reply */

ws2lsp_t s5_lsp = WS2LSP_INITIALIZER;
s5_config_t s5_cfg;

/* s5_lock: socket references and lists; taken before a socket's lock. */
static ws2lsp_lock_t s5_lock = WS2LSP_LOCK_INIT;
static s5_sock_t *all_socks;
/* The application's handle -> its socket, and the lower socket -> its
 * socket (the lower provider's WSAAsyncSelect messages name it). */
static ws2lsp_map_t by_app = WS2LSP_MAP_INITIALIZER;
static ws2lsp_map_t by_low = WS2LSP_MAP_INITIALIZER;

static HANDLE port;   /* every lower socket's completions come here */
static HANDLE worker; /* ...and are handled by this thread */
#define KEY_QUIT 1

/* ---- Socket references ----------------------------------------------- */

s5_sock_t *s5_get(SOCKET s, int *err) {
  s5_sock_t *sk;
  ws2lsp_lock(&s5_lock);
  sk = (s5_sock_t *)ws2lsp_map_get(&by_app, s, 0);
  if (!sk || sk->magic != S5_MAGIC || sk->dead || sk->closing) {
    ws2lsp_unlock(&s5_lock);
    *err = WSAENOTSOCK;
    return NULL;
  }
  sk->refs++;
  ws2lsp_unlock(&s5_lock);
  return sk;
}

static void s5_ref(s5_sock_t *sk) {
  ws2lsp_lock(&s5_lock);
  sk->refs++;
  ws2lsp_unlock(&s5_lock);
}

/*
 * The last reference: the application's handle is closed only now, not at
 * closesocket. Requests that were in flight below when the application
 * closed its socket still complete (aborted) through the layer, and must
 * be reported on that handle: closing it earlier would let ws2 give its
 * value to a new socket, whose requests a late report could then hit.
 */
void s5_put(s5_sock_t *sk) {
  int last, e;
  ws2lsp_lock(&s5_lock);
  last = --sk->refs == 0;
  if (last) {
    sk->dead = 1;
    if (sk->prev)
      sk->prev->next = sk->next;
    else
      all_socks = sk->next;
    if (sk->next) sk->next->prev = sk->prev;
    ws2lsp_map_get(&by_app, sk->app, 1);
  }
  ws2lsp_unlock(&s5_lock);
  if (!last) return;
  s5_lsp.up.lpWPUCloseSocketHandle(sk->app, &e);
  free(sk->held);
  free(sk);
}

/* The lower socket and its provider (they change once at most, when a
 * connect through a proxy of another address family replaces it). */
static SOCKET lower_of(s5_sock_t *sk, ws2lsp_lower_t **lower) {
  SOCKET low;
  ws2lsp_lock(&sk->lock);
  low = sk->low;
  *lower = sk->lower;
  ws2lsp_unlock(&sk->lock);
  return low;
}

static int state_of(s5_sock_t *sk) {
  int st;
  ws2lsp_lock(&sk->lock);
  st = sk->state;
  ws2lsp_unlock(&sk->lock);
  return st;
}

/*
 * A new application socket for lower socket `low` of provider `lower`, in
 * chain `top`. Its completions will come to the layer's port; its handle
 * is made by ws2 (WPUCreateSocketHandle), with the socket as its context.
 */
static s5_sock_t *sock_new(const WSAPROTOCOL_INFOW *top, ws2lsp_lower_t *lower,
                           SOCKET low, int *err) {
  ws2lsp_lock_t init = WS2LSP_LOCK_INIT;
  s5_sock_t *sk = calloc(1, sizeof(*sk));
  int e;
  if (!sk) {
    *err = WSAENOBUFS;
    goto fail;
  }
  sk->magic = S5_MAGIC;
  sk->lock = init;
  sk->top = top;
  sk->lower = lower;
  sk->low = low;
  sk->af = top->iAddressFamily;
  sk->refs = 1; /* the application's handle */
  if (!CreateIoCompletionPort((HANDLE)low, port, 0, 0)) {
    *err = WSAENOBUFS;
    goto fail;
  }
  sk->app = s5_lsp.up.lpWPUCreateSocketHandle(top->dwCatalogEntryId,
                                              (DWORD_PTR)sk, err);
  if (sk->app == INVALID_SOCKET) goto fail;
  ws2lsp_lock(&s5_lock);
  if (ws2lsp_map_put(&by_app, sk->app, sk) != 0 ||
      ws2lsp_map_put(&by_low, low, sk) != 0) {
    ws2lsp_map_get(&by_app, sk->app, 1);
    ws2lsp_unlock(&s5_lock);
    s5_lsp.up.lpWPUCloseSocketHandle(sk->app, &e);
    *err = WSAENOBUFS;
    goto fail;
  }
  sk->next = all_socks;
  if (all_socks) all_socks->prev = sk;
  all_socks = sk;
  ws2lsp_unlock(&s5_lock);
  return sk;
fail:
  lower->procs.lpWSPCloseSocket(low, &e);
  free(sk);
  return NULL;
}

/* ---- Requests below, and completions to the application -------------- */

void s5_op_init(s5_op_t *op, s5_sock_t *sk, s5_done_fn done) {
  memset(&op->ov, 0, sizeof(op->ov));
  s5_ref(sk);
  op->sk = sk;
  op->low = lower_of(sk, &op->lower);
  op->done = done;
}

void s5_op_reset(s5_op_t *op) {
  memset(&op->ov, 0, sizeof(op->ov));
  op->low = lower_of(op->sk, &op->lower);
}

/* Win32 errors a failed packet can carry, as Winsock errors. */
static int wsa_of(DWORD e) {
  switch (e) {
    case ERROR_NETNAME_DELETED:
      return WSAECONNRESET;
    case ERROR_CONNECTION_ABORTED:
      return WSAECONNABORTED;
    case ERROR_CONNECTION_REFUSED:
      return WSAECONNREFUSED;
    case ERROR_SEM_TIMEOUT:
      return WSAETIMEDOUT;
    case ERROR_NETWORK_UNREACHABLE:
      return WSAENETUNREACH;
    case ERROR_HOST_UNREACHABLE:
      return WSAEHOSTUNREACH;
    default:
      return (int)e; /* WSA_OPERATION_ABORTED is 995 in both */
  }
}

/*
 * The completion thread: every request the layer makes below ends here,
 * whichever thread made it and whether its call returned at once or not.
 * The lower provider's WSPGetOverlappedResult gives the exact Winsock
 * error and the flags; when the lower socket is already closed (the
 * application closed its socket with the request in flight), the
 * packet's own status says what happened (aborted).
 */
static DWORD WINAPI completion_thread(LPVOID unused) {
  ULONGLONG next_check = GetTickCount64() + 250;
  (void)unused;
  for (;;) {
    DWORD bytes = 0, b = 0, flags = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED ov = NULL;
    BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &ov, 250);
    DWORD status = ok ? 0 : GetLastError();
    s5_op_t *op;
    int err = 0, e = 0;
    if (GetTickCount64() >= next_check) { /* every 250 ms, busy or not */
      next_check = GetTickCount64() + 250;
      s5_handshake_timeouts();
    }
    if (!ov) {
      if (ok && key == KEY_QUIT) break;
      continue;
    }
    op = (s5_op_t *)ov;
    if (!ok) err = wsa_of(status);
    if (op->lower->procs.lpWSPGetOverlappedResult(op->low, &op->ov, &b, FALSE,
                                                  &flags, &e)) {
      err = 0;
      bytes = b;
    } else if (e != WSAENOTSOCK && e != WSA_IO_INCOMPLETE) {
      err = e;
      flags = 0;
    } else {
      flags = 0;
    }
    op->done(op, err, bytes, flags);
  }
  return 0;
}

/* An application's overlapped request, made below as an s5_op. */
typedef struct app_op {
  s5_op_t op; /* first: the port's LPOVERLAPPED is the app_op */
  LPWSAOVERLAPPED ovl;
  LPWSAOVERLAPPED_COMPLETION_ROUTINE cr;
  WSATHREADID tid;
  int own_tid;    /* tid opened here (WPUOpenCurrentThread) */
  LONG claimed;   /* reported (once, by whoever comes first) */
  LONG refs;      /* the call and the packet */
  int reset_idle; /* DisconnectEx and friends: reusable once done */
  int err;        /* for the completion routine */
  DWORD bytes, flags;
} app_op_t;

static void app_op_unref(app_op_t *a) {
  int e;
  if (InterlockedDecrement(&a->refs) != 0) return;
  if (a->own_tid) s5_lsp.up.lpWPUCloseThread(&a->tid, &e);
  s5_put(a->op.sk);
  free(a);
}

/* Runs in the application's thread (an APC queued with WPUQueueApc). */
static void CALLBACK run_routine(DWORD_PTR ctx) {
  app_op_t *a = (app_op_t *)ctx;
  a->cr((DWORD)a->err, a->bytes, a->ovl, a->flags);
  app_op_unref(a);
}

/*
 * Reports the application's request, once. As WPUCompleteOverlappedRequest's
 * reference describes: the layer puts the error in OffsetHigh and the
 * flags in Offset (the two members that are the provider's), then ws2
 * sets InternalHigh (the byte count) and Internal, and notifies as the
 * application chose (its event, its completion port, or neither). A
 * completion routine is the layer's to queue (WPUQueueApc).
 */
static void deliver(app_op_t *a, int err, DWORD bytes, DWORD flags) {
  int e;
  if (InterlockedExchange(&a->claimed, 1)) return;
  if (!err && a->reset_idle) {
    ws2lsp_lock(&a->op.sk->lock);
    a->op.sk->state = ST_IDLE;
    ws2lsp_unlock(&a->op.sk->lock);
  }
  a->ovl->Offset = flags;
  a->ovl->OffsetHigh = (DWORD)err;
  if (a->cr) {
    a->err = err;
    a->bytes = bytes;
    a->flags = flags;
    a->ovl->InternalHigh = bytes;
    a->ovl->Internal = (ULONG_PTR)err; /* not WSS_OPERATION_IN_PROGRESS */
    InterlockedIncrement(&a->refs);
    if (s5_lsp.up.lpWPUQueueApc(&a->tid, run_routine, (DWORD_PTR)a, &e) != 0)
      app_op_unref(a); /* the thread is gone */
  } else {
    WPUCompleteOverlappedRequest(a->op.sk->app, a->ovl, (DWORD)err, bytes, &e);
  }
}

static void app_done(s5_op_t *op, int err, DWORD bytes, DWORD flags) {
  app_op_t *a = (app_op_t *)op;
  deliver(a, err, bytes, flags);
  app_op_unref(a);
}

/* Starts the stand-in for the application's request ovl on sk. */
static app_op_t *app_op_new(s5_sock_t *sk, LPWSAOVERLAPPED ovl,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                            LPWSATHREADID tid, int *err) {
  app_op_t *a = calloc(1, sizeof(*a));
  if (!a) {
    *err = WSAENOBUFS;
    return NULL;
  }
  s5_op_init(&a->op, sk, app_done);
  a->ovl = ovl;
  a->cr = cr;
  if (cr) {
    if (tid) {
      a->tid = *tid; /* the structure, not the pointer (the SPI's rule) */
    } else if (s5_lsp.up.lpWPUOpenCurrentThread(&a->tid, err) == 0) {
      a->own_tid = 1; /* an extension function: no tid given */
    } else {
      s5_put(sk);
      free(a);
      return NULL;
    }
  }
  a->refs = 2;
  ovl->Internal = WSS_OPERATION_IN_PROGRESS;
  ovl->InternalHigh = 0;
  return a;
}

/* After the lower call of a Winsock function: r and *err as it returned.
 * Completed at once, it is reported now (the packet that still comes
 * finds it reported); pending, the packet reports it; failed, nothing
 * comes and nothing is reported. */
static int app_op_end(app_op_t *a, int r, int *err) {
  if (r == 0) {
    DWORD b = 0, f = 0;
    int e = 0;
    if (a->op.lower->procs.lpWSPGetOverlappedResult(a->op.low, &a->op.ov, &b,
                                                    FALSE, &f, &e))
      deliver(a, 0, b, f);
    app_op_unref(a);
    return 0;
  }
  if (*err != WSA_IO_PENDING) {
    a->claimed = 1;
    app_op_unref(a);
  }
  app_op_unref(a);
  return SOCKET_ERROR;
}

/* The same for an extension function (TRUE, or FALSE with the thread's
 * last error). ws2 keeps these calls as requests on the handle too, from
 * the application's call to the layer's report, so the rule is the same:
 * done at once, reported now and TRUE. */
static BOOL app_op_end_ext(app_op_t *a, BOOL ok) {
  int e = ok ? 0 : WSAGetLastError();
  if (app_op_end(a, ok ? 0 : SOCKET_ERROR, &e) == 0) return TRUE;
  WSASetLastError(e);
  return FALSE;
}

void s5_complete_app(s5_sock_t *sk, LPWSAOVERLAPPED ovl, int err, DWORD bytes) {
  int e;
  ovl->Offset = 0;
  ovl->OffsetHigh = (DWORD)err;
  WPUCompleteOverlappedRequest(sk->app, ovl, (DWORD)err, bytes, &e);
}

/* An application request the layer completes itself, at once (data held
 * before the proxy's reply). */
static void complete_now(s5_sock_t *sk, LPWSAOVERLAPPED ovl,
                         LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                         LPWSATHREADID tid, DWORD bytes) {
  int e;
  app_op_t *a = app_op_new(sk, ovl, cr, tid, &e);
  if (!a) return;
  deliver(a, 0, bytes, 0);
  app_op_unref(a);
  app_op_unref(a);
}

/* ---- WSAAsyncSelect: the layer's window ------------------------------ */

/*
 * The lower provider posts its WSAAsyncSelect messages to a window, with
 * wParam its own socket. The layer gives it a message-only window of its
 * own, run by a thread of its own, and posts each message on to the
 * application's window with the application's socket (WPUPostMessage).
 */
#define NOTIFY_MSG (WM_USER + 0x535)
#define NOTIFY_QUIT (WM_USER + 0x536)
static const char notify_class[] = "ws2-socks5-notify";
static HANDLE notify_thread;
static HWND notify_hwnd;
static ws2lsp_lock_t notify_lock = WS2LSP_LOCK_INIT;

static void forward(SOCKET low, LPARAM lp) {
  s5_sock_t *sk;
  HWND hwnd = NULL;
  UINT msg = 0;
  SOCKET app = INVALID_SOCKET;
  ws2lsp_lock(&s5_lock);
  sk = (s5_sock_t *)ws2lsp_map_get(&by_low, low, 0);
  if (sk && !sk->dead && !sk->closing)
    sk->refs++;
  else
    sk = NULL;
  ws2lsp_unlock(&s5_lock);
  if (!sk) return;
  ws2lsp_lock(&sk->lock);
  if (sk->hwnd && (sk->mask & WSAGETSELECTEVENT(lp))) {
    hwnd = sk->hwnd;
    msg = sk->msg;
    app = sk->app;
  }
  ws2lsp_unlock(&sk->lock);
  if (hwnd) s5_lsp.up.lpWPUPostMessage(hwnd, msg, (WPARAM)app, lp);
  s5_put(sk);
}

static DWORD WINAPI notify_main(LPVOID ready) {
  WNDCLASSA wc;
  MSG m;
  memset(&wc, 0, sizeof(wc));
  wc.lpfnWndProc = DefWindowProcA;
  wc.lpszClassName = notify_class;
  RegisterClassA(&wc); /* may exist already: a second start */
  notify_hwnd = CreateWindowExA(0, notify_class, "", 0, 0, 0, 0, 0,
                                HWND_MESSAGE, NULL, NULL, NULL);
  SetEvent((HANDLE)ready);
  if (!notify_hwnd) return 1;
  while (GetMessageA(&m, NULL, 0, 0) > 0) {
    if (m.message == NOTIFY_QUIT) break;
    if (m.message == NOTIFY_MSG)
      forward((SOCKET)m.wParam, m.lParam);
    else
      DispatchMessageA(&m);
  }
  DestroyWindow(notify_hwnd);
  UnregisterClassA(notify_class, NULL);
  return 0;
}

/* The layer's window, started at the first WSAAsyncSelect. */
static HWND notify_window(void) {
  HWND h;
  ws2lsp_lock(&notify_lock);
  if (!notify_thread) {
    HANDLE ready = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (ready) {
      notify_thread = CreateThread(NULL, 0, notify_main, ready, 0, NULL);
      if (notify_thread) WaitForSingleObject(ready, INFINITE);
      CloseHandle(ready);
    }
  }
  h = notify_hwnd;
  ws2lsp_unlock(&notify_lock);
  return h;
}

/* Gives the application's selection to the lower socket (none while a
 * connect through the proxy runs: that is reported by the layer). */
int s5_select_below(s5_sock_t *sk, int *err) {
  ws2lsp_lower_t *lower;
  SOCKET low;
  WSAEVENT ev;
  HWND hwnd;
  LONG mask;
  int st;
  ws2lsp_lock(&sk->lock);
  low = sk->low;
  lower = sk->lower;
  ev = sk->ev;
  hwnd = sk->hwnd;
  mask = sk->mask;
  st = sk->state;
  ws2lsp_unlock(&sk->lock);
  if (st == ST_HANDSHAKE || st == ST_FAILED) mask = 0;
  /* A selection, even an empty one, makes the lower socket non-blocking
   * (WSAEventSelect's rule): a socket never selected is left alone. */
  ws2lsp_lock(&sk->lock);
  if (!mask && !sk->selected_below) {
    ws2lsp_unlock(&sk->lock);
    return 0;
  }
  sk->selected_below = 1;
  ws2lsp_unlock(&sk->lock);
  if (hwnd && mask)
    return lower->procs.lpWSPAsyncSelect(low, notify_window(), NOTIFY_MSG, mask,
                                         err);
  return lower->procs.lpWSPEventSelect(low, mask ? ev : NULL, mask, err);
}

/* The connect through the proxy ended (handshake.c): the application's
 * selection goes to the lower socket, and FD_CONNECT is reported. */
void s5_report_connect(s5_sock_t *sk, int err) {
  WSAEVENT ev;
  HWND hwnd;
  UINT msg;
  LONG mask;
  int e;
  ws2lsp_lock(&sk->lock);
  ev = sk->ev;
  hwnd = sk->hwnd;
  msg = sk->msg;
  mask = sk->mask;
  if ((mask & FD_CONNECT) && ev) {
    sk->fd_connect = 1;
  }
  ws2lsp_unlock(&sk->lock);
  /* FD_CONNECT first, then the lower socket's own events (FD_WRITE at
   * once): the message comes before FD_WRITE's, and the event is set
   * before the lower provider may set (and an early WSAEnumNetworkEvents
   * reset) it, so that no stale signal is left behind. */
  if (mask & FD_CONNECT) {
    if (hwnd)
      s5_lsp.up.lpWPUPostMessage(hwnd, msg, (WPARAM)sk->app,
                                 WSAMAKESELECTREPLY(FD_CONNECT, err));
    else if (ev)
      s5_lsp.up.lpWPUSetEvent(ev, &e);
  }
  if (mask && !err) s5_select_below(sk, &e);
}

/* ---- Socket creation, accept, close ---------------------------------- */

static SOCKET WSPAPI s5_socket(int af, int type, int protocol,
                               LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags,
                               LPINT err) {
  LPWSAPROTOCOL_INFOW low_info;
  const WSAPROTOCOL_INFOW *top;
  ws2lsp_lower_t *lower;
  s5_sock_t *sk;
  SOCKET low;
  if (!info || !(top = ws2lsp_entry(&s5_lsp, info->dwCatalogEntryId))) {
    *err = WSAEINVAL;
    return INVALID_SOCKET;
  }
  if (!(lower = ws2lsp_lower(&s5_lsp, top, &low_info, err)))
    return INVALID_SOCKET;
  /* Overlapped below whatever the application asked: the layer's own
   * requests (the handshake, the stand-ins) are overlapped. */
  low = lower->procs.lpWSPSocket(af, type, protocol, low_info, g,
                                 flags | WSA_FLAG_OVERLAPPED, err);
  if (low == INVALID_SOCKET) return INVALID_SOCKET;
  if (!(sk = sock_new(top, lower, low, err))) return INVALID_SOCKET;
  return sk->app;
}

static SOCKET WSPAPI s5_accept(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                               LPCONDITIONPROC cond, DWORD_PTR data,
                               LPINT err) {
  s5_sock_t *sk = s5_get(s, err), *nk;
  ws2lsp_lower_t *lower;
  SOCKET low, a;
  if (!sk) return INVALID_SOCKET;
  low = lower_of(sk, &lower);
  a = lower->procs.lpWSPAccept(low, addr, addrlen, cond, data, err);
  if (a != INVALID_SOCKET && (nk = sock_new(sk->top, lower, a, err)) != NULL) {
    /* The accepted socket has the listening socket's selection (the
     * lower provider gave it to the lower socket, as Windows does). */
    ws2lsp_lock(&sk->lock);
    nk->state = ST_DIRECT;
    nk->nonblocking = sk->nonblocking;
    nk->ev = sk->ev;
    nk->hwnd = sk->hwnd;
    nk->msg = sk->msg;
    nk->mask = sk->mask;
    nk->selected_below = sk->selected_below;
    ws2lsp_unlock(&sk->lock);
    a = nk->app;
  } else {
    a = INVALID_SOCKET;
  }
  s5_put(sk);
  return a;
}

/* Closes the lower socket: what is pending below ends (aborted), and each
 * such request is still reported to the application. */
static int close_lower(s5_sock_t *sk, int *err) {
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r;
  ws2lsp_lock(&sk->lock);
  low = sk->low;
  lower = sk->lower;
  sk->low_closed = 1;
  ws2lsp_unlock(&sk->lock);
  ws2lsp_lock(&s5_lock);
  if (ws2lsp_map_get(&by_low, low, 0) == sk) ws2lsp_map_get(&by_low, low, 1);
  ws2lsp_unlock(&s5_lock);
  r = lower->procs.lpWSPCloseSocket(low, err);
  return r;
}

static int WSPAPI s5_closesocket(SOCKET s, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  int r;
  if (!sk) return SOCKET_ERROR;
  ws2lsp_lock(&s5_lock);
  sk->closing = 1; /* no more calls on it */
  ws2lsp_unlock(&s5_lock);
  r = close_lower(sk, err);
  if (r != 0 && *err == WSAEWOULDBLOCK) {
    /* A non-blocking socket with a linger time: not closed (Windows' rule);
     * the application calls again. */
    ws2lsp_lock(&s5_lock);
    sk->closing = 0;
    ws2lsp_unlock(&s5_lock);
    ws2lsp_lock(&sk->lock);
    sk->low_closed = 0;
    ws2lsp_unlock(&sk->lock);
    ws2lsp_lock(&s5_lock);
    ws2lsp_map_put(&by_low, sk->low, sk);
    ws2lsp_unlock(&s5_lock);
    s5_put(sk);
    return SOCKET_ERROR;
  }
  s5_put(sk); /* this call's */
  s5_put(sk); /* the handle's: the last one closes it */
  return 0;
}

/* The layer's chain for address family af (to replace a lower socket). */
static const WSAPROTOCOL_INFOW *chain_for(int af) {
  int i;
  for (i = 0; i < s5_lsp.ncatalog; i++) {
    const WSAPROTOCOL_INFOW *e = &s5_lsp.catalog[i];
    if (e->ProtocolChain.ChainLen > 1 &&
        e->ProtocolChain.ChainEntries[0] == s5_lsp.self_id &&
        e->iAddressFamily == af && e->iSocketType == SOCK_STREAM)
      return e;
  }
  return NULL;
}

/*
 * The application's socket is of its destination's family; the proxy may
 * be of the other (an IPv6 destination through an IPv4 proxy). A non-IFS
 * layer can change the socket below without the application knowing:
 * a new one, of the proxy's family, from the layer's chain of that
 * family. (Options the application set before connecting stay with the
 * old one; non-blocking mode is carried over.)
 */
int s5_lower_for(s5_sock_t *sk, int af) {
  const WSAPROTOCOL_INFOW *top;
  LPWSAPROTOCOL_INFOW info;
  ws2lsp_lower_t *lower, *old_lower;
  SOCKET low, old;
  u_long nb;
  DWORD ret;
  int err = 0, e;
  if (sk->af == af) return 0;
  if (!(top = chain_for(af))) return WSAEAFNOSUPPORT;
  if (!(lower = ws2lsp_lower(&s5_lsp, top, &info, &err))) return err;
  low = lower->procs.lpWSPSocket(af, SOCK_STREAM, IPPROTO_TCP, info, 0,
                                 WSA_FLAG_OVERLAPPED, &err);
  if (low == INVALID_SOCKET) return err;
  if (!CreateIoCompletionPort((HANDLE)low, port, 0, 0)) {
    lower->procs.lpWSPCloseSocket(low, &e);
    return WSAENOBUFS;
  }
  ws2lsp_lock(&sk->lock);
  nb = (u_long)sk->nonblocking;
  old = sk->low;
  old_lower = sk->lower;
  sk->low = low;
  sk->lower = lower;
  sk->af = af;
  ws2lsp_unlock(&sk->lock);
  if (nb)
    lower->procs.lpWSPIoctl(low, FIONBIO, &nb, sizeof(nb), NULL, 0, &ret, NULL,
                            NULL, NULL, &e);
  ws2lsp_lock(&s5_lock);
  ws2lsp_map_get(&by_low, old, 1);
  ws2lsp_map_put(&by_low, low, sk);
  ws2lsp_unlock(&s5_lock);
  old_lower->procs.lpWSPCloseSocket(old, &e);
  return 0;
}

/* ---- Connecting ------------------------------------------------------ */

/* Where a connect to `name` goes: S5_DIRECT, S5_PROXY (with *host), or
 * S5_REFUSE (an unusable configuration: logged). */
static int route_of(const struct sockaddr *name, int namelen,
                    const char **host) {
  int r = s5_route(&s5_cfg, name, namelen, host);
  if (r == S5_REFUSE)
    fprintf(stderr,
            "ws2-socks5[%lu]: connect refused: the configuration is not "
            "used (%s:%d: %s)\n",
            (unsigned long)GetCurrentProcessId(), s5_cfg.path, s5_cfg.errline,
            s5_cfg.error);
  return r;
}

/* Whether a new connect may start: 0, or the error for this state. */
static int connect_allowed(s5_sock_t *sk) {
  int st = state_of(sk);
  if (st == ST_HANDSHAKE) return WSAEALREADY;
  if (st == ST_PROXIED) return WSAEISCONN;
  return 0;
}

static int WSPAPI s5_connect(SOCKET s, const struct sockaddr *name, int namelen,
                             LPWSABUF caller, LPWSABUF callee, LPQOS sqos,
                             LPQOS gqos, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  const char *host;
  SOCKET low;
  int r = SOCKET_ERROR, e;
  if (!sk) return SOCKET_ERROR;
  if ((e = connect_allowed(sk)) != 0) {
    *err = e;
    goto out;
  }
  switch (route_of(name, namelen, &host)) {
    case S5_REFUSE:
      *err = WSAENETDOWN;
      break;
    case S5_DIRECT:
      ws2lsp_lock(&sk->lock);
      sk->state = ST_DIRECT;
      ws2lsp_unlock(&sk->lock);
      low = lower_of(sk, &lower);
      r = lower->procs.lpWSPConnect(low, name, namelen, caller, callee, sqos,
                                    gqos, err);
      break;
    default: {
      int nonblocking;
      HANDLE wake = NULL;
      ws2lsp_lock(&sk->lock);
      nonblocking = sk->nonblocking;
      ws2lsp_unlock(&sk->lock);
      /* Blocking: the handshake runs on the completion thread all the
       * same, and this thread waits for its end. */
      if (!nonblocking && !(wake = CreateEventA(NULL, TRUE, FALSE, NULL))) {
        *err = WSAENOBUFS;
        break;
      }
      if ((e = s5_connect_start(sk, name, namelen, host, NULL, NULL, 0,
                                wake)) != 0) {
        *err = e;
      } else if (nonblocking) {
        *err = WSAEWOULDBLOCK;
      } else {
        WaitForSingleObject(wake, INFINITE);
        ws2lsp_lock(&sk->lock);
        e = sk->connect_error;
        ws2lsp_unlock(&sk->lock);
        if (e)
          *err = e;
        else
          r = 0;
      }
      if (wake) CloseHandle(wake);
    }
  }
out:
  s5_put(sk);
  return r;
}

/* ---- Data, held back while the proxy has not answered ---------------- */

/* What a data call gets on a socket that is not connected yet (or whose
 * connect through the proxy failed): 0 when it may go below. */
static int data_state_error(s5_sock_t *sk, int overlapped) {
  int st, nb, e;
  ws2lsp_lock(&sk->lock);
  st = sk->state;
  nb = sk->nonblocking;
  e = sk->connect_error;
  ws2lsp_unlock(&sk->lock);
  if (st == ST_FAILED) return e;
  if (st == ST_HANDSHAKE)
    return nb && !overlapped ? WSAEWOULDBLOCK : WSAENOTCONN;
  return 0;
}

/*
 * A send while the proxy has not answered (nothing says writable before
 * the reply: select, WSAPoll, the event functions and the completions
 * wait for it, but a program may send without asking). The data is held
 * and sent right after the
 * reply, before anything sent later; up to HOLD_MAX bytes, then
 * WSAEWOULDBLOCK. Returns 1 when it was held (*sent set), 0 when the
 * socket is past that state, -1 with *err.
 */
static int hold_send(s5_sock_t *sk, LPWSABUF bufs, DWORD n, LPDWORD sent,
                     LPWSAOVERLAPPED ovl, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                     LPWSATHREADID tid, int *err) {
  size_t total = 0, at;
  DWORD i;
  char *h;
  ws2lsp_lock(&sk->lock);
  if (sk->state != ST_HANDSHAKE) {
    ws2lsp_unlock(&sk->lock);
    return 0;
  }
  for (i = 0; i < n; i++) total += bufs[i].len;
  if (sk->held_len + total > HOLD_MAX ||
      !(h = realloc(sk->held, sk->held_len + total + 1))) {
    ws2lsp_unlock(&sk->lock);
    *err = WSAEWOULDBLOCK;
    return -1;
  }
  sk->held = h;
  for (i = 0, at = sk->held_len; i < n; i++) {
    memcpy(h + at, bufs[i].buf, bufs[i].len);
    at += bufs[i].len;
  }
  sk->held_len = at;
  ws2lsp_unlock(&sk->lock);
  if (sent) *sent = (DWORD)total;
  if (ovl) complete_now(sk, ovl, cr, tid, (DWORD)total);
  return 1;
}

static int WSPAPI s5_send(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                          DWORD flags, LPWSAOVERLAPPED ovl,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          LPWSATHREADID tid, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  app_op_t *a;
  int r = SOCKET_ERROR, h, e;
  if (!sk) return SOCKET_ERROR;
  if ((h = hold_send(sk, bufs, n, sent, ovl, cr, tid, err)) != 0) {
    r = h > 0 ? 0 : SOCKET_ERROR;
    goto out;
  }
  if ((e = data_state_error(sk, ovl != NULL)) != 0) {
    *err = e;
    goto out;
  }
  if (!ovl) {
    low = lower_of(sk, &lower);
    r = lower->procs.lpWSPSend(low, bufs, n, sent, flags, NULL, NULL, NULL,
                               err);
  } else if ((a = app_op_new(sk, ovl, cr, tid, err)) != NULL) {
    r = app_op_end(a,
                   a->op.lower->procs.lpWSPSend(a->op.low, bufs, n, sent, flags,
                                                &a->op.ov, NULL, NULL, err),
                   err);
  }
out:
  s5_put(sk);
  return r;
}

static int WSPAPI s5_sendto(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                            DWORD flags, const struct sockaddr *to, int tolen,
                            LPWSAOVERLAPPED ovl,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                            LPWSATHREADID tid, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  app_op_t *a;
  int r = SOCKET_ERROR, h, e;
  if (!sk) return SOCKET_ERROR;
  /* A stream socket's sendto ignores the address: a send. */
  if ((h = hold_send(sk, bufs, n, sent, ovl, cr, tid, err)) != 0) {
    r = h > 0 ? 0 : SOCKET_ERROR;
    goto out;
  }
  if ((e = data_state_error(sk, ovl != NULL)) != 0) {
    *err = e;
    goto out;
  }
  if (!ovl) {
    low = lower_of(sk, &lower);
    r = lower->procs.lpWSPSendTo(low, bufs, n, sent, flags, to, tolen, NULL,
                                 NULL, NULL, err);
  } else if ((a = app_op_new(sk, ovl, cr, tid, err)) != NULL) {
    r = app_op_end(
        a,
        a->op.lower->procs.lpWSPSendTo(a->op.low, bufs, n, sent, flags, to,
                                       tolen, &a->op.ov, NULL, NULL, err),
        err);
  }
out:
  s5_put(sk);
  return r;
}

static int WSPAPI s5_recv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD got,
                          LPDWORD flags, LPWSAOVERLAPPED ovl,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          LPWSATHREADID tid, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  app_op_t *a;
  int r = SOCKET_ERROR, e;
  if (!sk) return SOCKET_ERROR;
  if ((e = data_state_error(sk, ovl != NULL)) != 0) {
    *err = e;
  } else if (!ovl) {
    low = lower_of(sk, &lower);
    r = lower->procs.lpWSPRecv(low, bufs, n, got, flags, NULL, NULL, NULL, err);
  } else if ((a = app_op_new(sk, ovl, cr, tid, err)) != NULL) {
    r = app_op_end(a,
                   a->op.lower->procs.lpWSPRecv(a->op.low, bufs, n, got, flags,
                                                &a->op.ov, NULL, NULL, err),
                   err);
  }
  s5_put(sk);
  return r;
}

static int WSPAPI s5_recvfrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD got,
                              LPDWORD flags, struct sockaddr *from,
                              LPINT fromlen, LPWSAOVERLAPPED ovl,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                              LPWSATHREADID tid, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  app_op_t *a;
  int r = SOCKET_ERROR, e;
  if (!sk) return SOCKET_ERROR;
  if ((e = data_state_error(sk, ovl != NULL)) != 0) {
    *err = e;
  } else if (!ovl) {
    low = lower_of(sk, &lower);
    r = lower->procs.lpWSPRecvFrom(low, bufs, n, got, flags, from, fromlen,
                                   NULL, NULL, NULL, err);
  } else if ((a = app_op_new(sk, ovl, cr, tid, err)) != NULL) {
    r = app_op_end(
        a,
        a->op.lower->procs.lpWSPRecvFrom(a->op.low, bufs, n, got, flags, from,
                                         fromlen, &a->op.ov, NULL, NULL, err),
        err);
  }
  s5_put(sk);
  return r;
}

/*
 * WSPGetOverlappedResult, as WPUCompleteOverlappedRequest's reference
 * lays it out: Internal says whether the request is done (ws2 sets it
 * when the layer reports it), InternalHigh is the byte count, and the
 * error and flags are where the layer put them, OffsetHigh and Offset.
 */
static BOOL WSPAPI s5_getoverlappedresult(SOCKET s, LPWSAOVERLAPPED ovl,
                                          LPDWORD bytes, BOOL wait,
                                          LPDWORD flags, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  if (!sk) return FALSE;
  s5_put(sk);
  if (!ovl || !bytes || !flags) {
    *err = WSAEFAULT;
    return FALSE;
  }
  while (*(volatile ULONG_PTR *)&ovl->Internal == WSS_OPERATION_IN_PROGRESS) {
    if (!wait) {
      *err = WSA_IO_INCOMPLETE;
      return FALSE;
    }
    /* The event when there is one (ws2 sets it with Internal; its low
     * bit is the application's "no port packet" mark), else a short
     * sleep: the handle is ws2's, not the layer's to wait on. */
    HANDLE ev = (HANDLE)((ULONG_PTR)ovl->hEvent & ~(ULONG_PTR)1);
    if (!ev || WaitForSingleObject(ev, INFINITE) == WAIT_FAILED) Sleep(1);
  }
  *bytes = (DWORD)ovl->InternalHigh;
  *flags = ovl->Offset;
  if (ovl->OffsetHigh) {
    *err = (int)ovl->OffsetHigh;
    return FALSE;
  }
  return TRUE;
}

/* ---- Network events -------------------------------------------------- */

static int WSPAPI s5_eventselect(SOCKET s, WSAEVENT ev, LONG mask, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  int r;
  if (!sk) return SOCKET_ERROR;
  ws2lsp_lock(&sk->lock);
  sk->ev = mask ? ev : NULL;
  sk->hwnd = NULL; /* one selection at a time: the last one wins */
  sk->mask = mask;
  if (mask) sk->nonblocking = 1;
  ws2lsp_unlock(&sk->lock);
  r = s5_select_below(sk, err);
  s5_put(sk);
  return r;
}

static int WSPAPI s5_asyncselect(SOCKET s, HWND hwnd, unsigned int msg,
                                 LONG mask, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  int r;
  if (!sk) return SOCKET_ERROR;
  if (mask && !hwnd) {
    s5_put(sk);
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  if (mask && !notify_window()) {
    s5_put(sk);
    *err = WSAENOBUFS;
    return SOCKET_ERROR;
  }
  ws2lsp_lock(&sk->lock);
  sk->ev = NULL;
  sk->hwnd = mask ? hwnd : NULL;
  sk->msg = msg;
  sk->mask = mask;
  if (mask) sk->nonblocking = 1;
  ws2lsp_unlock(&sk->lock);
  r = s5_select_below(sk, err);
  s5_put(sk);
  return r;
}

static int WSPAPI s5_enumnetworkevents(SOCKET s, WSAEVENT ev,
                                       LPWSANETWORKEVENTS ne, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int st, fdc, cerr, r = 0, e;
  if (!sk) return SOCKET_ERROR;
  if (!ne) {
    s5_put(sk);
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  ws2lsp_lock(&sk->lock);
  st = sk->state;
  fdc = sk->fd_connect;
  cerr = sk->connect_error;
  sk->fd_connect = 0;
  low = sk->low;
  lower = sk->lower;
  ws2lsp_unlock(&sk->lock);
  memset(ne, 0, sizeof(*ne));
  if (st == ST_HANDSHAKE || st == ST_FAILED) {
    if (ev) s5_lsp.up.lpWPUResetEvent(ev, &e);
  } else {
    r = lower->procs.lpWSPEnumNetworkEvents(low, ev, ne, err);
  }
  if (r == 0 && fdc) {
    ne->lNetworkEvents |= FD_CONNECT;
    ne->iErrorCode[FD_CONNECT_BIT] = cerr;
  }
  s5_put(sk);
  return r;
}

/* ---- select ---------------------------------------------------------- */

static int in_set(const fd_set *set, SOCKET s) {
  u_int i;
  for (i = 0; set && i < set->fd_count; i++)
    if (set->fd_array[i] == s) return 1;
  return 0;
}

static void add_set(fd_set *set, SOCKET s) {
  if (set->fd_count < FD_SETSIZE) set->fd_array[set->fd_count++] = s;
}

/*
 * select: the lower provider's, on the lower sockets. A socket whose
 * connect through the proxy is running is kept out of it (its lower
 * socket is writable long before the application's is); the wait goes
 * in slices of 10 ms meanwhile, so that the end of the handshake is seen:
 * writable when it worked, in exceptfds (and readable) when it failed.
 * Sockets that are not the layer's are passed down as they are.
 */
/* mingw-w64's LPWSPSELECT takes a `struct timeval *const`, the SDK's and
 * ws2's a `const struct timeval *`: the same call, two function types. */
#ifdef __MINGW32__
typedef struct timeval *timeout_arg;
#else
typedef const struct timeval *timeout_arg;
#endif

typedef struct sel {
  SOCKET app, low;
  s5_sock_t *sk; /* NULL: not the layer's */
} sel_t;

static int WSPAPI s5_select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
                            timeout_arg tv, LPINT err) {
  fd_set *sets[3] = {rd, wr, ex};
  sel_t ent[3][FD_SETSIZE];
  int count[3] = {0, 0, 0}, i, k, ready = 0, r = 0;
  ws2lsp_lower_t *lower = NULL;
  ULONGLONG deadline = 0;
  int forever = tv == NULL;
  if (tv)
    deadline = GetTickCount64() + (ULONGLONG)tv->tv_sec * 1000 +
               (ULONGLONG)(tv->tv_usec / 1000);
  for (k = 0; k < 3; k++)
    for (i = 0; sets[k] && i < (int)sets[k]->fd_count && i < FD_SETSIZE; i++) {
      sel_t *e = &ent[k][count[k]++];
      int dummy;
      e->app = sets[k]->fd_array[i];
      e->sk = s5_get(e->app, &dummy);
      e->low = e->app;
      if (e->sk) {
        ws2lsp_lower_t *l;
        e->low = lower_of(e->sk, &l);
        if (!lower) lower = l;
      }
    }
  if (!lower) {
    *err = WSAENOTSOCK;
    r = SOCKET_ERROR;
    goto out;
  }
  for (;;) {
    fd_set lows[3];
    int handshaking = 0, n = 0, any = 0;
    DWORD slice;
    ULONGLONG now = GetTickCount64();
    for (k = 0; k < 3; k++) {
      lows[k].fd_count = 0;
      for (i = 0; i < count[k]; i++) {
        sel_t *e = &ent[k][i];
        int st = e->sk ? state_of(e->sk) : ST_DIRECT;
        if (st == ST_HANDSHAKE) {
          handshaking = 1;
        } else if (st != ST_FAILED) {
          add_set(&lows[k], e->low);
          any = 1;
        }
      }
    }
    slice = forever ? INFINITE : (DWORD)(deadline > now ? deadline - now : 0);
    if (handshaking && slice > 10) slice = 10;
    if (any) {
      struct timeval t, *tp = NULL;
      if (slice != INFINITE) {
        t.tv_sec = (long)(slice / 1000);
        t.tv_usec = (long)(slice % 1000) * 1000;
        tp = &t;
      }
      n = lower->procs.lpWSPSelect(0, lows[0].fd_count ? &lows[0] : NULL,
                                   lows[1].fd_count ? &lows[1] : NULL,
                                   lows[2].fd_count ? &lows[2] : NULL, tp, err);
      if (n == SOCKET_ERROR) {
        r = SOCKET_ERROR;
        goto out;
      }
    } else if (slice) {
      Sleep(slice == INFINITE ? 10 : slice);
    }
    /* The answer, in the application's sets. */
    ready = 0;
    for (k = 0; k < 3; k++) {
      fd_set out;
      out.fd_count = 0;
      for (i = 0; i < count[k]; i++) {
        sel_t *e = &ent[k][i];
        int st = e->sk ? state_of(e->sk) : ST_DIRECT, yes;
        if (st == ST_HANDSHAKE)
          yes = 0;
        else if (st == ST_FAILED)
          yes = k != 1; /* readable and exceptional, never writable */
        else
          yes = n > 0 && in_set(&lows[k], e->low);
        if (yes) add_set(&out, e->app);
      }
      ready += (int)out.fd_count;
      lows[k] = out;
    }
    if (ready || (!forever && GetTickCount64() >= deadline)) {
      for (k = 0; k < 3; k++)
        if (sets[k]) *sets[k] = lows[k];
      r = ready;
      goto out;
    }
  }
out:
  for (k = 0; k < 3; k++)
    for (i = 0; i < count[k]; i++)
      if (ent[k][i].sk) s5_put(ent[k][i].sk);
  (void)nfds;
  return r;
}

/*
 * WSAPoll, through SIO_EXT_POLL (the layer answers SIO_BSP_HANDLE_POLL
 * with its own handle, so that ws2 brings WSAPoll here): as select, the
 * lower provider's SIO_EXT_POLL on the lower sockets, a socket whose
 * handshake runs kept out and the wait cut in slices of 10 ms until it
 * ends; a failed connect reports POLLERR | POLLHUP.
 */
static int ext_poll(s5_sock_t *sk, LPVOID in, DWORD inlen, LPVOID out,
                    DWORD outlen, LPDWORD ret, LPINT err) {
  WSAPOLLDATA *d = (WSAPOLLDATA *)in, *low = NULL;
  s5_sock_t **own = NULL;
  ULONG *map = NULL, i, n;
  size_t need;
  ws2lsp_lower_t *lower;
  SOCKET below = lower_of(sk, &lower);
  ULONGLONG deadline = 0;
  int r = SOCKET_ERROR;
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
  own = (s5_sock_t **)calloc(d->fds ? d->fds : 1, sizeof(*own));
  map = (ULONG *)calloc(d->fds ? d->fds : 1, sizeof(*map));
  if (!low || !own || !map) {
    *err = WSAENOBUFS;
    goto out;
  }
  for (i = 0; i < d->fds; i++) {
    int dummy;
    own[i] = s5_get(d->fdArray[i].fd, &dummy);
  }
  if (d->timeout >= 0) deadline = GetTickCount64() + (ULONGLONG)d->timeout;
  for (;;) {
    ULONGLONG now = GetTickCount64();
    INT slice =
        d->timeout < 0 ? -1 : (INT)(deadline > now ? deadline - now : 0);
    int handshaking = 0, ready = 0;
    for (i = n = 0; i < d->fds; i++) {
      int st = own[i] ? state_of(own[i]) : ST_DIRECT;
      d->fdArray[i].revents = 0;
      if (st == ST_HANDSHAKE) {
        handshaking = 1;
      } else if (st == ST_FAILED) {
        d->fdArray[i].revents = POLLERR | POLLHUP;
      } else {
        low->fdArray[n] = d->fdArray[i];
        if (own[i]) {
          ws2lsp_lower_t *l;
          low->fdArray[n].fd = lower_of(own[i], &l);
        }
        map[n++] = i;
      }
    }
    if (handshaking && (slice < 0 || slice > 10)) slice = 10;
    if (n) {
      low->fds = n;
      low->timeout = slice;
      low->result = 0;
      if (lower->procs.lpWSPIoctl(
              below, SIO_EXT_POLL, low,
              (DWORD)(sizeof(WSAPOLLDATA) + n * sizeof(WSAPOLLFD)), low,
              (DWORD)(sizeof(WSAPOLLDATA) + n * sizeof(WSAPOLLFD)), ret, NULL,
              NULL, NULL, err) != 0)
        goto out;
      for (i = 0; i < n; i++)
        d->fdArray[map[i]].revents = low->fdArray[i].revents;
    } else if (slice) {
      Sleep(slice < 0 ? 10 : (DWORD)slice);
    }
    for (i = 0; i < d->fds; i++)
      if (d->fdArray[i].revents) ready++;
    if (ready || (d->timeout >= 0 && GetTickCount64() >= deadline)) {
      d->result = ready;
      if (out != in) memcpy(out, d, need);
      if (ret) *ret = (DWORD)need;
      r = 0;
      goto out;
    }
  }
out:
  for (i = 0; own && i < d->fds; i++)
    if (own[i]) s5_put(own[i]);
  free(own);
  free(map);
  free(low);
  return r;
}

/* ---- Everything else: the lower socket's answer ---------------------- */

static int WSPAPI s5_bind(SOCKET s, const struct sockaddr *name, int namelen,
                          LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r;
  if (!sk) return SOCKET_ERROR;
  low = lower_of(sk, &lower);
  r = lower->procs.lpWSPBind(low, name, namelen, err);
  if (r == 0) {
    ws2lsp_lock(&sk->lock);
    sk->bound = 1;
    ws2lsp_unlock(&sk->lock);
  }
  s5_put(sk);
  return r;
}

static int WSPAPI s5_listen(SOCKET s, int backlog, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r;
  if (!sk) return SOCKET_ERROR;
  low = lower_of(sk, &lower);
  r = lower->procs.lpWSPListen(low, backlog, err);
  if (r == 0) {
    ws2lsp_lock(&sk->lock);
    sk->state = ST_DIRECT;
    ws2lsp_unlock(&sk->lock);
  }
  s5_put(sk);
  return r;
}

static int WSPAPI s5_shutdown(SOCKET s, int how, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r;
  if (!sk) return SOCKET_ERROR;
  low = lower_of(sk, &lower);
  r = lower->procs.lpWSPShutdown(low, how, err);
  s5_put(sk);
  return r;
}

static int WSPAPI s5_getsockname(SOCKET s, struct sockaddr *name, LPINT len,
                                 LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r;
  if (!sk) return SOCKET_ERROR;
  low = lower_of(sk, &lower);
  r = lower->procs.lpWSPGetSockName(low, name, len, err);
  s5_put(sk);
  return r;
}

/* getpeername: through the proxy, the destination the application asked
 * for (the lower socket's peer is the proxy). */
static int WSPAPI s5_getpeername(SOCKET s, struct sockaddr *name, LPINT len,
                                 LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r = SOCKET_ERROR, st;
  if (!sk) return SOCKET_ERROR;
  ws2lsp_lock(&sk->lock);
  st = sk->state;
  if (st == ST_PROXIED) {
    if (!name || !len || *len < sk->peer_len) {
      *err = WSAEFAULT;
    } else {
      memcpy(name, &sk->peer, (size_t)sk->peer_len);
      *len = sk->peer_len;
      r = 0;
    }
  } else if (st == ST_HANDSHAKE || st == ST_FAILED) {
    *err = WSAENOTCONN;
  }
  ws2lsp_unlock(&sk->lock);
  if (st != ST_PROXIED && st != ST_HANDSHAKE && st != ST_FAILED) {
    low = lower_of(sk, &lower);
    r = lower->procs.lpWSPGetPeerName(low, name, len, err);
  }
  s5_put(sk);
  return r;
}

static int WSPAPI s5_getsockopt(SOCKET s, int level, int opt, char *val,
                                LPINT len, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r, st, cerr;
  if (!sk) return SOCKET_ERROR;
  ws2lsp_lock(&sk->lock);
  st = sk->state;
  cerr = sk->connect_error;
  ws2lsp_unlock(&sk->lock);
  if (level == SOL_SOCKET && opt == SO_ERROR && st == ST_FAILED && val && len &&
      *len >= (int)sizeof(int)) {
    /* The failed connect's error, as for a failed non-blocking connect. */
    memcpy(val, &cerr, sizeof(int));
    *len = sizeof(int);
    r = 0;
  } else {
    low = lower_of(sk, &lower);
    r = lower->procs.lpWSPGetSockOpt(low, level, opt, val, len, err);
  }
  s5_put(sk);
  return r;
}

static int WSPAPI s5_setsockopt(SOCKET s, int level, int opt, const char *val,
                                int len, LPINT err) {
  s5_sock_t *sk = s5_get(s, err), *other = NULL;
  ws2lsp_lower_t *lower;
  SOCKET low, arg;
  int r;
  if (!sk) return SOCKET_ERROR;
  low = lower_of(sk, &lower);
  if (level == SOL_SOCKET && opt == SO_UPDATE_ACCEPT_CONTEXT && val &&
      len >= (int)sizeof(SOCKET)) {
    /* Its value is the listening socket: the application's handle, which
     * the provider below knows by its lower socket. */
    ws2lsp_lower_t *l2;
    memcpy(&arg, val, sizeof(arg));
    if (!(other = s5_get(arg, err))) {
      s5_put(sk);
      return SOCKET_ERROR;
    }
    arg = lower_of(other, &l2);
    r = lower->procs.lpWSPSetSockOpt(low, level, opt, (const char *)&arg,
                                     (int)sizeof(arg), err);
    s5_put(other);
    ws2lsp_lock(&sk->lock);
    if (r == 0) sk->state = ST_DIRECT;
    ws2lsp_unlock(&sk->lock);
  } else {
    r = lower->procs.lpWSPSetSockOpt(low, level, opt, val, len, err);
  }
  s5_put(sk);
  return r;
}

static int WSPAPI s5_recvdisconnect(SOCKET s, LPWSABUF data, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r;
  if (!sk) return SOCKET_ERROR;
  low = lower_of(sk, &lower);
  r = lower->procs.lpWSPRecvDisconnect(low, data, err);
  s5_put(sk);
  return r;
}

static int WSPAPI s5_senddisconnect(SOCKET s, LPWSABUF data, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r;
  if (!sk) return SOCKET_ERROR;
  low = lower_of(sk, &lower);
  r = lower->procs.lpWSPSendDisconnect(low, data, err);
  s5_put(sk);
  return r;
}

static BOOL WSPAPI s5_getqosbyname(SOCKET s, LPWSABUF name, LPQOS qos,
                                   LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  BOOL r;
  if (!sk) return FALSE;
  low = lower_of(sk, &lower);
  r = lower->procs.lpWSPGetQOSByName(low, name, qos, err);
  s5_put(sk);
  return r;
}

/* The duplicate describes the lower socket: the other process gets a
 * socket of the provider below (a connection through the proxy stays
 * one; a new connect there does not go through this layer). */
static int WSPAPI s5_duplicatesocket(SOCKET s, DWORD pid,
                                     LPWSAPROTOCOL_INFOW info, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  int r;
  if (!sk) return SOCKET_ERROR;
  low = lower_of(sk, &lower);
  r = lower->procs.lpWSPDuplicateSocket(low, pid, info, err);
  s5_put(sk);
  return r;
}

static SOCKET WSPAPI s5_joinleaf(SOCKET s, const struct sockaddr *name,
                                 int namelen, LPWSABUF caller, LPWSABUF callee,
                                 LPQOS sqos, LPQOS gqos, DWORD flags,
                                 LPINT err) {
  *err = WSAEOPNOTSUPP; /* TCP has no multipoint */
  return INVALID_SOCKET;
}

/* ---- Extension functions --------------------------------------------- */

/*
 * Every extension function that takes a socket is the layer's own: the
 * application calls it with the application's handle, which the lower
 * provider does not know. Each one calls the lower provider's function
 * (asked of the lower socket's provider, remembered per provider below)
 * with the lower socket and a stand-in OVERLAPPED.
 */
enum {
  X_ACCEPTEX,
  X_CONNECTEX,
  X_DISCONNECTEX,
  X_TRANSMITFILE,
  X_TRANSMITPACKETS,
  X_RECVMSG,
  X_SENDMSG,
  X_SOCKADDRS,
  X_COUNT
};
static const GUID x_ids[X_COUNT] = {
    WSAID_ACCEPTEX,     WSAID_CONNECTEX,           WSAID_DISCONNECTEX,
    WSAID_TRANSMITFILE, WSAID_TRANSMITPACKETS,     WSAID_WSARECVMSG,
    WSAID_WSASENDMSG,   WSAID_GETACCEPTEXSOCKADDRS};
static void *x_lower[WS2LSP_MAX_LOWER][X_COUNT]; /* under s5_lock */

static void *lower_ext(ws2lsp_lower_t *lower, SOCKET low, int which) {
  size_t i = (size_t)(lower - s5_lsp.lower);
  void *fn;
  ws2lsp_lock(&s5_lock);
  fn = x_lower[i][which];
  ws2lsp_unlock(&s5_lock);
  if (!fn) {
    GUID id = x_ids[which];
    DWORD n = 0;
    int e = 0;
    if (lower->procs.lpWSPIoctl(low, SIO_GET_EXTENSION_FUNCTION_POINTER, &id,
                                sizeof(id), &fn, sizeof(fn), &n, NULL, NULL,
                                NULL, &e) != 0)
      return NULL;
    ws2lsp_lock(&s5_lock);
    x_lower[i][which] = fn;
    ws2lsp_unlock(&s5_lock);
  }
  return fn;
}

void *s5_lower_ext(s5_sock_t *sk, const GUID *id) {
  ws2lsp_lower_t *lower;
  SOCKET low = lower_of(sk, &lower);
  int i;
  for (i = 0; i < X_COUNT; i++)
    if (!memcmp(id, &x_ids[i], sizeof(GUID))) return lower_ext(lower, low, i);
  return NULL;
}

/* The socket and the lower function for an extension call, or NULL with
 * the thread's last error set. */
static s5_sock_t *x_begin(SOCKET s, int which, void **fn) {
  int err = 0;
  s5_sock_t *sk = s5_get(s, &err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  if (!sk) {
    WSASetLastError(err);
    return NULL;
  }
  low = lower_of(sk, &lower);
  if (!(*fn = lower_ext(lower, low, which))) {
    s5_put(sk);
    WSASetLastError(WSAEOPNOTSUPP);
    return NULL;
  }
  return sk;
}

static BOOL PASCAL s5_acceptex(SOCKET ls, SOCKET as, PVOID buf, DWORD rlen,
                               DWORD llen, DWORD remlen, LPDWORD got,
                               LPOVERLAPPED ovl) {
  LPFN_ACCEPTEX fn;
  s5_sock_t *sk = x_begin(ls, X_ACCEPTEX, (void **)&fn), *ak;
  ws2lsp_lower_t *al;
  app_op_t *a;
  SOCKET alow;
  int err = 0;
  BOOL r = FALSE;
  if (!sk) return FALSE;
  if (!ovl) {
    WSASetLastError(WSAEINVAL);
  } else if (!(ak = s5_get(as, &err))) {
    WSASetLastError(err);
  } else {
    alow = lower_of(ak, &al);
    if ((a = app_op_new(sk, ovl, NULL, NULL, &err)) != NULL)
      r = app_op_end_ext(
          a, fn(a->op.low, alow, buf, rlen, llen, remlen, got, &a->op.ov));
    else
      WSASetLastError(err);
    ws2lsp_lock(&ak->lock);
    ak->state = ST_DIRECT;
    ws2lsp_unlock(&ak->lock);
    s5_put(ak);
  }
  s5_put(sk);
  return r;
}

static BOOL PASCAL s5_connectex(SOCKET s, const struct sockaddr *name,
                                int namelen, PVOID buf, DWORD len, LPDWORD sent,
                                LPOVERLAPPED ovl) {
  LPFN_CONNECTEX fn;
  s5_sock_t *sk = x_begin(s, X_CONNECTEX, (void **)&fn);
  const char *host;
  app_op_t *a;
  int err = 0;
  BOOL r = FALSE;
  if (!sk) return FALSE;
  if (!ovl) {
    WSASetLastError(WSAEINVAL);
  } else if ((err = connect_allowed(sk)) != 0) {
    WSASetLastError(err);
  } else {
    switch (route_of(name, namelen, &host)) {
      case S5_REFUSE:
        WSASetLastError(WSAENETDOWN);
        break;
      case S5_DIRECT:
        ws2lsp_lock(&sk->lock);
        sk->state = ST_DIRECT;
        ws2lsp_unlock(&sk->lock);
        if ((a = app_op_new(sk, ovl, NULL, NULL, &err)) != NULL)
          r = app_op_end_ext(
              a, fn(a->op.low, name, namelen, buf, len, sent, &a->op.ov));
        else
          WSASetLastError(err);
        break;
      default: {
        /* ConnectEx wants a bound socket (WSAEINVAL otherwise), through
         * the proxy as without it. */
        SOCKADDR_STORAGE local;
        int llen = sizeof(local), bound;
        ws2lsp_lower_t *lower;
        SOCKET low = lower_of(sk, &lower);
        bound = lower->procs.lpWSPGetSockName(low, (struct sockaddr *)&local,
                                              &llen, &err) == 0;
        if (!bound) {
          WSASetLastError(WSAEINVAL);
          break;
        }
        ovl->Internal = WSS_OPERATION_IN_PROGRESS;
        ovl->InternalHigh = 0;
        err = s5_connect_start(sk, name, namelen, host, ovl, (const char *)buf,
                               buf ? len : 0, NULL);
        WSASetLastError(err ? err : WSA_IO_PENDING);
      }
    }
  }
  s5_put(sk);
  return r;
}

static BOOL PASCAL s5_disconnectex(SOCKET s, LPOVERLAPPED ovl, DWORD flags,
                                   DWORD reserved) {
  LPFN_DISCONNECTEX fn;
  s5_sock_t *sk = x_begin(s, X_DISCONNECTEX, (void **)&fn);
  ws2lsp_lower_t *lower;
  app_op_t *a;
  int err = 0;
  BOOL r = FALSE;
  if (!sk) return FALSE;
  if (!ovl) {
    r = fn(lower_of(sk, &lower), NULL, flags, reserved);
    if (r && (flags & TF_REUSE_SOCKET)) {
      ws2lsp_lock(&sk->lock);
      sk->state = ST_IDLE;
      ws2lsp_unlock(&sk->lock);
    }
  } else if ((a = app_op_new(sk, ovl, NULL, NULL, &err)) != NULL) {
    a->reset_idle = (flags & TF_REUSE_SOCKET) != 0;
    r = app_op_end_ext(a, fn(a->op.low, &a->op.ov, flags, reserved));
  } else {
    WSASetLastError(err);
  }
  s5_put(sk);
  return r;
}

static BOOL PASCAL s5_transmitfile(SOCKET s, HANDLE file, DWORD n, DWORD per,
                                   LPOVERLAPPED ovl,
                                   LPTRANSMIT_FILE_BUFFERS bufs, DWORD flags) {
  LPFN_TRANSMITFILE fn;
  s5_sock_t *sk = x_begin(s, X_TRANSMITFILE, (void **)&fn);
  ws2lsp_lower_t *lower;
  app_op_t *a;
  int err = 0, e;
  BOOL r = FALSE;
  if (!sk) return FALSE;
  if ((e = data_state_error(sk, 1)) != 0) {
    WSASetLastError(e);
  } else if (!ovl) {
    r = fn(lower_of(sk, &lower), file, n, per, NULL, bufs, flags);
  } else if ((a = app_op_new(sk, ovl, NULL, NULL, &err)) != NULL) {
    a->reset_idle = (flags & TF_REUSE_SOCKET) != 0;
    r = app_op_end_ext(a, fn(a->op.low, file, n, per, &a->op.ov, bufs, flags));
  } else {
    WSASetLastError(err);
  }
  s5_put(sk);
  return r;
}

static BOOL PASCAL s5_transmitpackets(SOCKET s, LPTRANSMIT_PACKETS_ELEMENT el,
                                      DWORD n, DWORD size, LPOVERLAPPED ovl,
                                      DWORD flags) {
  LPFN_TRANSMITPACKETS fn;
  s5_sock_t *sk = x_begin(s, X_TRANSMITPACKETS, (void **)&fn);
  ws2lsp_lower_t *lower;
  app_op_t *a;
  int err = 0, e;
  BOOL r = FALSE;
  if (!sk) return FALSE;
  if ((e = data_state_error(sk, 1)) != 0) {
    WSASetLastError(e);
  } else if (!ovl) {
    r = fn(lower_of(sk, &lower), el, n, size, NULL, flags);
  } else if ((a = app_op_new(sk, ovl, NULL, NULL, &err)) != NULL) {
    a->reset_idle = (flags & TF_REUSE_SOCKET) != 0;
    r = app_op_end_ext(a, fn(a->op.low, el, n, size, &a->op.ov, flags));
  } else {
    WSASetLastError(err);
  }
  s5_put(sk);
  return r;
}

static INT PASCAL s5_recvmsg(SOCKET s, LPWSAMSG msg, LPDWORD got,
                             LPWSAOVERLAPPED ovl,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE cr) {
  LPFN_WSARECVMSG fn;
  s5_sock_t *sk = x_begin(s, X_RECVMSG, (void **)&fn);
  ws2lsp_lower_t *lower;
  app_op_t *a;
  int err = 0, e, r = SOCKET_ERROR;
  if (!sk) return SOCKET_ERROR;
  if ((e = data_state_error(sk, ovl != NULL)) != 0) {
    WSASetLastError(e);
  } else if (!ovl) {
    r = fn(lower_of(sk, &lower), msg, got, NULL, NULL);
  } else if ((a = app_op_new(sk, ovl, cr, NULL, &err)) != NULL) {
    r = app_op_end_ext(a, fn(a->op.low, msg, got, &a->op.ov, NULL) == 0)
            ? 0
            : SOCKET_ERROR;
  } else {
    WSASetLastError(err);
  }
  s5_put(sk);
  return r;
}

static INT PASCAL s5_sendmsg(SOCKET s, LPWSAMSG msg, DWORD flags, LPDWORD sent,
                             LPWSAOVERLAPPED ovl,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE cr) {
  LPFN_WSASENDMSG fn;
  s5_sock_t *sk = x_begin(s, X_SENDMSG, (void **)&fn);
  ws2lsp_lower_t *lower;
  app_op_t *a;
  int err = 0, e, r = SOCKET_ERROR, h;
  if (!sk) return SOCKET_ERROR;
  if (msg && (h = hold_send(sk, msg->lpBuffers, msg->dwBufferCount, sent, ovl,
                            cr, NULL, &err)) != 0) {
    if (h > 0)
      r = 0;
    else
      WSASetLastError(err);
  } else if ((e = data_state_error(sk, ovl != NULL)) != 0) {
    WSASetLastError(e);
  } else if (!ovl) {
    r = fn(lower_of(sk, &lower), msg, flags, sent, NULL, NULL);
  } else if ((a = app_op_new(sk, ovl, cr, NULL, &err)) != NULL) {
    r = app_op_end_ext(a, fn(a->op.low, msg, flags, sent, &a->op.ov, NULL) == 0)
            ? 0
            : SOCKET_ERROR;
  } else {
    WSASetLastError(err);
  }
  s5_put(sk);
  return r;
}

/* SIO_GET_EXTENSION_FUNCTION_POINTER: the layer's own function when the
 * lower provider has the function; GetAcceptExSockaddrs (which takes no
 * socket) is the lower provider's; any other: not known here (a lower
 * function would be called with a handle it does not know). */
static int ext_pointer(s5_sock_t *sk, LPVOID in, DWORD inlen, LPVOID out,
                       DWORD outlen, LPDWORD ret, LPINT err) {
  static void *const mine[X_COUNT] = {
      (void *)s5_acceptex,        (void *)s5_connectex,
      (void *)s5_disconnectex,    (void *)s5_transmitfile,
      (void *)s5_transmitpackets, (void *)s5_recvmsg,
      (void *)s5_sendmsg,         NULL};
  ws2lsp_lower_t *lower;
  SOCKET low = lower_of(sk, &lower);
  void *fn;
  int i;
  if (!in || inlen < sizeof(GUID) || !out || outlen < sizeof(void *)) {
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  for (i = 0; i < X_COUNT; i++)
    if (!memcmp(in, &x_ids[i], sizeof(GUID))) break;
  if (i == X_COUNT) {
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  if (!(fn = lower_ext(lower, low, i))) {
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  if (mine[i]) fn = mine[i];
  memcpy(out, &fn, sizeof(fn));
  if (ret) *ret = sizeof(fn);
  return 0;
}

static int WSPAPI s5_ioctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                           LPVOID out, DWORD outlen, LPDWORD ret,
                           LPWSAOVERLAPPED ovl,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                           LPWSATHREADID tid, LPINT err) {
  s5_sock_t *sk = s5_get(s, err);
  ws2lsp_lower_t *lower;
  SOCKET low;
  app_op_t *a;
  int r = SOCKET_ERROR;
  if (!sk) return SOCKET_ERROR;
  low = lower_of(sk, &lower);
  if (code == SIO_GET_EXTENSION_FUNCTION_POINTER) {
    r = ext_pointer(sk, in, inlen, out, outlen, ret, err);
  } else if (code == SIO_QUERY_TARGET_PNP_HANDLE ||
             code == SIO_BSP_HANDLE_SELECT || code == SIO_BSP_HANDLE_POLL) {
    /* ws2 asks a non-IFS handle what is under it (SIO_BASE_HANDLE), and
     * which handle select and WSAPoll should use: this one, so that they
     * come to s5_select and ext_poll, which know the handshake. */
    SOCKET h = code == SIO_QUERY_TARGET_PNP_HANDLE ? low : s;
    if (!out || outlen < sizeof(SOCKET) ||
        (ovl && code == SIO_BSP_HANDLE_POLL)) {
      *err = WSAEFAULT;
    } else {
      memcpy(out, &h, sizeof(h));
      if (ret) *ret = sizeof(h);
      r = 0;
    }
  } else if (code == SIO_EXT_POLL) {
    if (ovl || cr)
      *err = WSAEINVAL;
    else
      r = ext_poll(sk, in, inlen, out, outlen, ret, err);
  } else if (code == (DWORD)FIONBIO) {
    u_long on;
    if (!in || inlen < sizeof(on)) {
      *err = WSAEFAULT;
    } else {
      memcpy(&on, in, sizeof(on));
      ws2lsp_lock(&sk->lock);
      if (!on && sk->mask) { /* selected: blocking mode is refused */
        ws2lsp_unlock(&sk->lock);
        *err = WSAEINVAL;
      } else {
        sk->nonblocking = on != 0;
        ws2lsp_unlock(&sk->lock);
        r = lower->procs.lpWSPIoctl(low, code, in, inlen, out, outlen, ret,
                                    NULL, NULL, NULL, err);
      }
    }
  } else if (!ovl) {
    r = lower->procs.lpWSPIoctl(low, code, in, inlen, out, outlen, ret, NULL,
                                NULL, NULL, err);
  } else if ((a = app_op_new(sk, ovl, cr, tid, err)) != NULL) {
    r = app_op_end(
        a,
        a->op.lower->procs.lpWSPIoctl(a->op.low, code, in, inlen, out, outlen,
                                      ret, &a->op.ov, NULL, NULL, err),
        err);
  }
  s5_put(sk);
  return r;
}

/* ---- Start and end --------------------------------------------------- */

/* The last WSPCleanup: every socket still open is closed (what is
 * pending ends, aborted), the threads stop, and the port is closed. */
static void stop_all(void) {
  s5_sock_t *sk, *list[256];
  int n, i, e, rounds;
  for (;;) {
    n = 0;
    ws2lsp_lock(&s5_lock);
    for (sk = all_socks; sk && n < 256; sk = sk->next)
      if (!sk->closing && !sk->dead) {
        sk->closing = 1;
        sk->refs++;
        list[n++] = sk;
      }
    ws2lsp_unlock(&s5_lock);
    if (n == 0) break;
    for (i = 0; i < n; i++) {
      close_lower(list[i], &e);
      s5_put(list[i]);
      s5_put(list[i]);
    }
  }
  /* Requests in flight end on the completion thread: wait for them (a
   * completion routine whose thread never waits alertably again keeps
   * its socket; it is left behind after 2 s). */
  for (rounds = 0; rounds < 400; rounds++) {
    ws2lsp_lock(&s5_lock);
    n = all_socks != NULL;
    ws2lsp_unlock(&s5_lock);
    if (!n) break;
    Sleep(5);
  }
  PostQueuedCompletionStatus(port, 0, KEY_QUIT, NULL);
  WaitForSingleObject(worker, INFINITE);
  CloseHandle(worker);
  CloseHandle(port);
  worker = port = NULL;
  ws2lsp_lock(&notify_lock);
  if (notify_thread) {
    PostMessageA(notify_hwnd, NOTIFY_QUIT, 0, 0);
    WaitForSingleObject(notify_thread, INFINITE);
    CloseHandle(notify_thread);
    notify_thread = NULL;
    notify_hwnd = NULL;
  }
  ws2lsp_unlock(&notify_lock);
  ws2lsp_lock(&s5_lock);
  memset(x_lower, 0, sizeof(x_lower));
  ws2lsp_unlock(&s5_lock);
  ws2lsp_map_clear(&by_app);
  ws2lsp_map_clear(&by_low);
  s5_config_free(&s5_cfg);
}

static int WSPAPI s5_cleanup(LPINT err) {
  int last;
  ws2lsp_lock(&s5_lsp.lock);
  last = s5_lsp.starts == 1;
  ws2lsp_unlock(&s5_lsp.lock);
  if (last && port) stop_all();
  return ws2lsp_cleanup(&s5_lsp, err);
}

S5_EXPORT int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                                LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                WSPUPCALLTABLE UpcallTable,
                                LPWSPPROC_TABLE lpProcTable) {
  int r, err = 0;
  ws2lsp_lower_t *lower;
  if (!lpProcTable || !lpProtocolInfo) return WSAEINVAL;
  if ((r = ws2lsp_startup(&s5_lsp, &s5_guid, wVersionRequested, lpWSPData,
                          UpcallTable,
                          "ws2-socks5: TCP connections through a SOCKS5 "
                          "proxy")) != 0)
    return r;
  if (!(lower = ws2lsp_lower(&s5_lsp, lpProtocolInfo, NULL, &err))) {
    ws2lsp_cleanup(&s5_lsp, &err);
    return WSAEPROVIDERFAILEDINIT;
  }
  if (!port) { /* the first start of this process (or since the last end) */
    s5_config_load(&s5_cfg);
    port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    worker =
        port ? CreateThread(NULL, 0, completion_thread, NULL, 0, NULL) : NULL;
    if (!worker) {
      if (port) CloseHandle(port);
      port = NULL;
      s5_config_free(&s5_cfg);
      ws2lsp_cleanup(&s5_lsp, &err);
      return WSAEPROVIDERFAILEDINIT;
    }
  }
  /* Every entry is the layer's: its handles are its own, and no provider
   * below knows them (only the conversions between addresses and text,
   * which take no socket, are the lower provider's). */
  memset(lpProcTable, 0, sizeof(*lpProcTable));
  lpProcTable->lpWSPAccept = s5_accept;
  lpProcTable->lpWSPAddressToString = lower->procs.lpWSPAddressToString;
  lpProcTable->lpWSPAsyncSelect = s5_asyncselect;
  lpProcTable->lpWSPBind = s5_bind;
  lpProcTable->lpWSPCancelBlockingCall = lower->procs.lpWSPCancelBlockingCall;
  lpProcTable->lpWSPCleanup = s5_cleanup;
  lpProcTable->lpWSPCloseSocket = s5_closesocket;
  lpProcTable->lpWSPConnect = s5_connect;
  lpProcTable->lpWSPDuplicateSocket = s5_duplicatesocket;
  lpProcTable->lpWSPEnumNetworkEvents = s5_enumnetworkevents;
  lpProcTable->lpWSPEventSelect = s5_eventselect;
  lpProcTable->lpWSPGetOverlappedResult = s5_getoverlappedresult;
  lpProcTable->lpWSPGetPeerName = s5_getpeername;
  lpProcTable->lpWSPGetSockName = s5_getsockname;
  lpProcTable->lpWSPGetSockOpt = s5_getsockopt;
  lpProcTable->lpWSPGetQOSByName = s5_getqosbyname;
  lpProcTable->lpWSPIoctl = s5_ioctl;
  lpProcTable->lpWSPJoinLeaf = s5_joinleaf;
  lpProcTable->lpWSPListen = s5_listen;
  lpProcTable->lpWSPRecv = s5_recv;
  lpProcTable->lpWSPRecvDisconnect = s5_recvdisconnect;
  lpProcTable->lpWSPRecvFrom = s5_recvfrom;
  lpProcTable->lpWSPSelect = s5_select;
  lpProcTable->lpWSPSend = s5_send;
  lpProcTable->lpWSPSendDisconnect = s5_senddisconnect;
  lpProcTable->lpWSPSendTo = s5_sendto;
  lpProcTable->lpWSPSetSockOpt = s5_setsockopt;
  lpProcTable->lpWSPShutdown = s5_shutdown;
  lpProcTable->lpWSPSocket = s5_socket;
  lpProcTable->lpWSPStringToAddress = lower->procs.lpWSPStringToAddress;
  return 0;
}
