/*
 * window.c: window classes, message-only windows and per-thread message
 * queues: the part of USER32 that WSAAsyncSelect needs.
 *
 * Windows. Every window is a message-only window, whatever parent it is
 * given: it has a class, a window procedure, a few Get/SetWindowLongPtr
 * values and its cbWndExtra bytes, and nothing is ever drawn. A window is
 * a core object named by a handle value (its HWND), so a thread posting to
 * it finds it with the lock-free handle lookup. The handle is protected
 * from CloseHandle; only DestroyWindow (or the owner's exit) closes it.
 * The thread that creates a window owns it: only that thread destroys it,
 * and its messages go to that thread's queue.
 *
 * Queues. A thread gets a queue the first time it calls a message
 * function (CreateWindowEx, GetMessage, PeekMessage, PostQuitMessage,
 * SendMessage to another thread's window, ...), as Windows gives a thread
 * one on its first USER call; PostThreadMessage to a thread without one
 * fails. A queue holds, under its lock:
 *  - the posted messages, FIFO (PostMessage, PostThreadMessage), at most
 *    10000 as on Windows;
 *  - the messages other threads are sending (SendMessage), FIFO, each
 *    with its sender blocked until the owner has run the window procedure;
 *  - the quit flag of PostQuitMessage, returned as WM_QUIT only when no
 *    posted message is eligible (it has the lowest priority);
 *  - the QS_* bits of input that arrived since the owner last looked
 *    (new_bits), and the QS_* bits the owner is blocked waiting for
 *    (wake_mask).
 *
 * Blocking. The queue is also a waitable core object whose auto-reset
 * signal means "input the owner waits for has arrived": input that
 * matches wake_mask signals it. So GetMessage, WaitMessage and SendMessage
 * block in the core's ws2__wait on it, and MsgWaitForMultipleObjects(Ex)
 * waits on the caller's handles plus the queue in one ws2__wait (wait-all
 * included), with no extra wake-up path. Before blocking, the owner sets
 * wake_mask and the signal from new_bits under the queue lock, so input
 * posted between its look and its sleep is never missed.
 *
 * Sending. SendMessage to a window of the calling thread calls the window
 * procedure directly. To another thread's window it queues a record on
 * its own stack and waits for the reply, running the messages sent to its
 * own thread meanwhile (so two threads sending to each other do not
 * deadlock), as Windows does. The owner runs sent messages in GetMessage,
 * PeekMessage, WaitMessage and its own SendMessage waits.
 *
 * Lock order: class_lock and queues_lock are leaves; a queue's lock may be
 * held while its signal (a ws2__sync_t lock) is set, never the other way.
 * No lock is held while a window procedure runs.
 */
#include "core/window.h"

#include "core/alloc.h"
#include "core/list.h"
#include "core/object.h"
#include "core/sync.h"
#include "core/thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#ifndef ERROR_NOT_ENOUGH_QUOTA
#define ERROR_NOT_ENOUGH_QUOTA 1816L
#endif

/* Posted messages a queue holds at most (USERPostMessageLimit). */
#define POSTED_LIMIT 10000u
/* The QS_* bits posted messages (and the quit flag) raise. */
#define QS_POSTED (QS_POSTMESSAGE | QS_ALLPOSTMESSAGE)
/* The longest class name RegisterClass accepts. */
#define CLASS_NAME_MAX 256

/* ---- Strings ------------------------------------------------------------ */

/* ANSI strings are UTF-8 (ws2's ANSI code page); WCHAR strings UTF-16. */

static size_t wstr_len(const WCHAR *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

static WCHAR fold(WCHAR c) {
  return (c >= 'a' && c <= 'z') ? (WCHAR)(c - 'a' + 'A') : c;
}

/* Class names compare without regard to (ASCII) case, as on Windows. */
static int wstr_ieq(const WCHAR *a, const WCHAR *b) {
  for (; *a && *b; a++, b++)
    if (fold(*a) != fold(*b)) return 0;
  return *a == *b;
}

static WCHAR *wstr_dup(const WCHAR *s) {
  size_t n = wstr_len(s);
  WCHAR *d = ws2__malloc((n + 1) * sizeof(WCHAR));
  if (d) memcpy(d, s, (n + 1) * sizeof(WCHAR));
  return d;
}

/* Decodes the UTF-8 sequence at s (left > 0 bytes); returns its length.
 * An invalid byte decodes as U+FFFD, one byte long. */
static size_t utf8_next(const unsigned char *s, size_t left, uint32_t *cp) {
  uint32_t c = s[0], min;
  size_t n, i;

  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if ((c & 0xE0) == 0xC0) {
    n = 2, c &= 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, c &= 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, c &= 0x07, min = 0x10000;
  } else {
    n = 0, min = 0;
  }
  if (n == 0 || n > left) {
    *cp = 0xFFFD;
    return 1;
  }
  for (i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *cp = 0xFFFD;
      return 1;
    }
    c = (c << 6) | (s[i] & 0x3Fu);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
  *cp = c;
  return n;
}

/* A new UTF-16 copy of an ANSI string, or NULL (out of memory). */
static WCHAR *str_a_to_w(const char *s) {
  size_t n = strlen(s), i = 0, o = 0;
  WCHAR *w = ws2__malloc((n + 1) * sizeof(WCHAR)); /* units <= bytes */
  if (!w) return NULL;
  while (i < n) {
    uint32_t cp;
    i += utf8_next((const unsigned char *)s + i, n - i, &cp);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      w[o++] = (WCHAR)(0xD800 + (cp >> 10));
      w[o++] = (WCHAR)(0xDC00 + (cp & 0x3FF));
    } else {
      w[o++] = (WCHAR)cp;
    }
  }
  w[o] = 0;
  return w;
}

/* A new ANSI copy of a UTF-16 string, or NULL (out of memory). */
static char *str_w_to_a(const WCHAR *w) {
  size_t n = wstr_len(w), i, o = 0;
  unsigned char *s = ws2__malloc(n * 3 + 1);
  if (!s) return NULL;
  for (i = 0; i < n; i++) {
    uint32_t c = w[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && w[i + 1] >= 0xDC00 &&
        w[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (uint32_t)(w[i + 1] - 0xDC00);
      i++;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    if (c < 0x80) {
      s[o++] = (unsigned char)c;
    } else if (c < 0x800) {
      s[o++] = (unsigned char)(0xC0 | (c >> 6));
      s[o++] = (unsigned char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      s[o++] = (unsigned char)(0xE0 | (c >> 12));
      s[o++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
      s[o++] = (unsigned char)(0x80 | (c & 0x3F));
    } else {
      s[o++] = (unsigned char)(0xF0 | (c >> 18));
      s[o++] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
      s[o++] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
      s[o++] = (unsigned char)(0x80 | (c & 0x3F));
    }
  }
  s[o] = 0;
  return (char *)s;
}

/* ---- Classes ------------------------------------------------------------ */

typedef struct wclass {
  ws2__node_t node; /* in classes, under class_lock */
  ATOM atom;
  WCHAR *name;
  UINT style;
  WNDPROC proc;
  int unicode; /* registered with the W function */
  int wnd_extra;
  HINSTANCE inst;
  unsigned windows; /* live windows of the class, under class_lock */
} wclass_t;

/* Class names are per process (hInstance is recorded, not matched). */
static pthread_mutex_t class_lock = PTHREAD_MUTEX_INITIALIZER;
static ws2__list_t classes = {{&classes.head, &classes.head}};
static unsigned next_atom; /* offset of the next atom to try from 0xC000 */

/* The system classes a message-only window is commonly created with;
 * found by CreateWindowEx after the registered ones, and handled by
 * DefWindowProc (there is nothing to draw). */
static WCHAR name_message[] = {'M', 'e', 's', 's', 'a', 'g', 'e', 0};
static WCHAR name_static[] = {'S', 't', 'a', 't', 'i', 'c', 0};
static wclass_t builtin_classes[] = {
    {{NULL, NULL}, 0, name_message, 0, DefWindowProcW, 1, 0, NULL, 0},
    {{NULL, NULL}, 0, name_static, 0, DefWindowProcW, 1, 0, NULL, 0},
};

/* name is a string, or an atom when IS_INTRESOURCE(name). */
static wclass_t *class_find_locked(const WCHAR *name) {
  ws2__node_t *n;
  ws2__list_foreach(n, &classes) {
    wclass_t *c = ws2__container_of(n, wclass_t, node);
    if (IS_INTRESOURCE(name) ? c->atom == (ATOM)(ULONG_PTR)name
                             : wstr_ieq(c->name, name))
      return c;
  }
  return NULL;
}

static int class_atom_used_locked(ATOM atom) {
  ws2__node_t *n;
  ws2__list_foreach(n, &classes) {
    if (ws2__container_of(n, wclass_t, node)->atom == atom) return 1;
  }
  return 0;
}

/* Registers c (name already set, owned); frees it on failure. */
static ATOM class_register(wclass_t *c) {
  unsigned i;
  ATOM atom = 0;

  pthread_mutex_lock(&class_lock);
  if (class_find_locked(c->name)) {
    pthread_mutex_unlock(&class_lock);
    ws2__free(c->name);
    ws2__free(c);
    SetLastError(ERROR_CLASS_ALREADY_EXISTS);
    return 0;
  }
  for (i = 0; i < 0x4000u; i++) {
    ATOM a = (ATOM)(0xC000u + ((next_atom + i) & 0x3FFFu));
    if (!class_atom_used_locked(a)) {
      atom = a;
      next_atom = (next_atom + i + 1) & 0x3FFFu;
      break;
    }
  }
  if (!atom) {
    pthread_mutex_unlock(&class_lock);
    ws2__free(c->name);
    ws2__free(c);
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return 0;
  }
  c->atom = atom;
  ws2__list_push_back(&classes, &c->node);
  pthread_mutex_unlock(&class_lock);
  return atom;
}

/* Checks and copies what the four RegisterClass functions share; the name
 * is added by the caller. NULL (error set) on failure. */
static wclass_t *class_new(UINT style, WNDPROC proc, int cls_extra,
                           int wnd_extra, HINSTANCE inst, int unicode) {
  wclass_t *c;
  if (cls_extra < 0 || wnd_extra < 0) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  if (!(c = ws2__calloc(1, sizeof(*c)))) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  c->style = style;
  c->proc = proc;
  c->wnd_extra = wnd_extra;
  c->inst = inst;
  c->unicode = unicode;
  return c;
}

static ATOM register_a(UINT style, WNDPROC proc, int cls_extra, int wnd_extra,
                       HINSTANCE inst, LPCSTR name) {
  wclass_t *c;
  if (IS_INTRESOURCE(name) || strlen(name) > CLASS_NAME_MAX) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (!(c = class_new(style, proc, cls_extra, wnd_extra, inst, 0))) return 0;
  if (!(c->name = str_a_to_w(name))) {
    ws2__free(c);
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return 0;
  }
  return class_register(c);
}

static ATOM register_w(UINT style, WNDPROC proc, int cls_extra, int wnd_extra,
                       HINSTANCE inst, LPCWSTR name) {
  wclass_t *c;
  if (IS_INTRESOURCE(name) || wstr_len(name) > CLASS_NAME_MAX) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (!(c = class_new(style, proc, cls_extra, wnd_extra, inst, 1))) return 0;
  if (!(c->name = wstr_dup(name))) {
    ws2__free(c);
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return 0;
  }
  return class_register(c);
}

ATOM WINAPI RegisterClassA(const WNDCLASSA *lpWndClass) {
  const WNDCLASSA *w = lpWndClass;
  if (!w) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  return register_a(w->style, w->lpfnWndProc, w->cbClsExtra, w->cbWndExtra,
                    w->hInstance, w->lpszClassName);
}

ATOM WINAPI RegisterClassW(const WNDCLASSW *lpWndClass) {
  const WNDCLASSW *w = lpWndClass;
  if (!w) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  return register_w(w->style, w->lpfnWndProc, w->cbClsExtra, w->cbWndExtra,
                    w->hInstance, w->lpszClassName);
}

ATOM WINAPI RegisterClassExA(const WNDCLASSEXA *lpWndClass) {
  const WNDCLASSEXA *w = lpWndClass;
  if (!w || w->cbSize != sizeof(*w)) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  return register_a(w->style, w->lpfnWndProc, w->cbClsExtra, w->cbWndExtra,
                    w->hInstance, w->lpszClassName);
}

ATOM WINAPI RegisterClassExW(const WNDCLASSEXW *lpWndClass) {
  const WNDCLASSEXW *w = lpWndClass;
  if (!w || w->cbSize != sizeof(*w)) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  return register_w(w->style, w->lpfnWndProc, w->cbClsExtra, w->cbWndExtra,
                    w->hInstance, w->lpszClassName);
}

/* name: a string or an atom. */
static BOOL unregister(const WCHAR *name) {
  wclass_t *c;
  pthread_mutex_lock(&class_lock);
  c = class_find_locked(name);
  if (!c) {
    pthread_mutex_unlock(&class_lock);
    SetLastError(ERROR_CLASS_DOES_NOT_EXIST);
    return FALSE;
  }
  if (c->windows) {
    pthread_mutex_unlock(&class_lock);
    SetLastError(ERROR_CLASS_HAS_WINDOWS);
    return FALSE;
  }
  ws2__list_remove(&c->node);
  pthread_mutex_unlock(&class_lock);
  ws2__free(c->name);
  ws2__free(c);
  return TRUE;
}

BOOL WINAPI UnregisterClassA(LPCSTR lpClassName, HINSTANCE hInstance) {
  WCHAR *w;
  BOOL r;
  if (IS_INTRESOURCE(lpClassName))
    return unregister((const WCHAR *)(ULONG_PTR)lpClassName);
  if (!(w = str_a_to_w(lpClassName))) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return FALSE;
  }
  r = unregister(w);
  ws2__free(w);
  return r;
}

BOOL WINAPI UnregisterClassW(LPCWSTR lpClassName, HINSTANCE hInstance) {
  return unregister(lpClassName);
}

/* ---- Queues and windows -------------------------------------------------- */

typedef struct qmsg {
  ws2__node_t node;
  MSG msg;
} qmsg_t;

typedef struct msgq {
  ws2__obj_t obj;
  ws2__sync_t sync; /* auto-reset: input matching wake_mask arrived */
  pthread_mutex_t lock; /* everything below but tid and all_node */
  ws2__list_t posted;   /* qmsg_t, FIFO */
  unsigned nposted;
  ws2__list_t sent;    /* sendrec_t of other threads' SendMessage, FIFO */
  ws2__list_t running; /* sendrec_t whose window procedure is running */
  ws2__list_t windows; /* the owner's live windows (window_t) */
  DWORD new_bits;      /* QS_* of input since the owner last looked */
  DWORD wake_mask;     /* QS_* the owner is blocked on, 0 when not */
  int quit;            /* PostQuitMessage was called */
  int quit_code;
  int dead; /* the owner has exited: nothing more is queued */
  DWORD tid;
  ws2__node_t all_node; /* in queues, under queues_lock */
} msgq_t;

enum { W_ALIVE = 1, W_DESTROYING, W_DEAD };

typedef struct window {
  ws2__obj_t obj;
  HWND hwnd;
  msgq_t *q; /* the owner thread's queue, referenced */
  wclass_t *cls;
  ws2__node_t q_node; /* in q->windows, under q->lock */
  _Atomic int state;  /* W_*; changed under q->lock by the owner */
  pthread_mutex_t lock; /* the fields below */
  WNDPROC proc;
  int unicode;
  HINSTANCE inst;
  HWND owner;
  LONG_PTR id, userdata;
  DWORD style, exstyle;
  size_t nextra;
  unsigned char extra[]; /* cbWndExtra bytes */
} window_t;

/* A SendMessage to another thread's window, on the sender's stack. */
typedef struct sendrec {
  ws2__node_t node; /* in the receiver's q->sent */
  HWND hwnd;
  UINT msg;
  WPARAM wp;
  LPARAM lp;
  LRESULT result;
  ws2__obj_t obj; /* the sender waits on it; signalled with the reply */
  ws2__sync_t sync;
} sendrec_t;

static pthread_mutex_t queues_lock = PTHREAD_MUTEX_INITIALIZER;
static ws2__list_t queues = {{&queues.head, &queues.head}};

static void queue_destroy(ws2__obj_t *obj) {
  msgq_t *q = ws2__container_of(obj, msgq_t, obj);
  ws2__node_t *n;
  while ((n = ws2__list_pop_front(&q->posted)) != NULL)
    ws2__free(ws2__container_of(n, qmsg_t, node));
  ws2__sync_destroy(&q->sync);
  pthread_mutex_destroy(&q->lock);
  ws2__free(q);
}

static const ws2__objtype_t queue_type = {"msgqueue", 0, NULL, queue_destroy};

static void window_destroy(ws2__obj_t *obj) {
  window_t *w = ws2__container_of(obj, window_t, obj);
  ws2__obj_unref(&w->q->obj);
  pthread_mutex_destroy(&w->lock);
  ws2__free(w);
}

static const ws2__objtype_t window_type = {"window", 0, NULL, window_destroy};

/* Never destroyed: a sendrec lives on its sender's stack. */
static void sendrec_destroy(ws2__obj_t *obj) { (void)obj; }
static const ws2__objtype_t sendrec_type = {"sendmessage", 0, NULL,
                                            sendrec_destroy};

/* The calling thread's queue, or NULL if it has none yet. */
static msgq_t *queue_current(void) {
  ws2__thread_t *t = ws2__thread_self();
  return t ? (msgq_t *)t->msgq : NULL;
}

/* The calling thread's queue, created on first use; NULL (error set) when
 * out of memory. */
static msgq_t *queue_self(void) {
  ws2__thread_t *t = ws2__thread_self();
  msgq_t *q;
  if (!t) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  if (t->msgq) return t->msgq;
  if (!(q = ws2__calloc(1, sizeof(*q)))) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  ws2__obj_init(&q->obj, &queue_type, &q->sync);
  ws2__sync_init(&q->sync, 0, 0);
  pthread_mutex_init(&q->lock, NULL);
  ws2__list_init(&q->posted);
  ws2__list_init(&q->sent);
  ws2__list_init(&q->running);
  ws2__list_init(&q->windows);
  q->tid = t->tid;
  pthread_mutex_lock(&queues_lock);
  ws2__list_push_back(&queues, &q->all_node);
  pthread_mutex_unlock(&queues_lock);
  t->msgq = q; /* the thread's reference is the initial one */
  return q;
}

/* The live queue of thread tid, referenced; NULL if it has none. */
static msgq_t *queue_of_thread(DWORD tid) {
  ws2__node_t *n;
  msgq_t *found = NULL;
  pthread_mutex_lock(&queues_lock);
  ws2__list_foreach(n, &queues) {
    msgq_t *q = ws2__container_of(n, msgq_t, all_node);
    if (q->tid == tid) {
      found = q;
      ws2__obj_ref(&q->obj);
      break;
    }
  }
  pthread_mutex_unlock(&queues_lock);
  return found;
}

/* Input of kind `bits` arrived: wake the owner if it waits for it. */
static void queue_input_locked(msgq_t *q, DWORD bits) {
  q->new_bits |= bits;
  if (q->wake_mask & bits) ws2__sync_set(&q->sync);
}

/* The QS_* kinds of input the queue holds now. */
static DWORD queue_present_locked(msgq_t *q) {
  DWORD bits = 0;
  if (!ws2__list_empty(&q->posted) || q->quit) bits |= QS_POSTED;
  if (!ws2__list_empty(&q->sent)) bits |= QS_SENDMESSAGE;
  return bits;
}

/* The owner is about to block until input in `mask` arrives (or, with
 * present, is there): set the signal to match what is already here. */
static void queue_arm(msgq_t *q, DWORD mask, int present) {
  DWORD ready;
  pthread_mutex_lock(&q->lock);
  ready = q->new_bits;
  if (present) ready |= queue_present_locked(q);
  q->wake_mask = mask;
  if (ready & mask)
    ws2__sync_set(&q->sync);
  else
    ws2__sync_reset(&q->sync);
  pthread_mutex_unlock(&q->lock);
}

/* The owner stopped waiting; `seen` are the new_bits it has consumed. */
static void queue_disarm(msgq_t *q, DWORD seen) {
  pthread_mutex_lock(&q->lock);
  q->wake_mask = 0;
  q->new_bits &= ~seen;
  pthread_mutex_unlock(&q->lock);
}

/* The window hwnd names, referenced, if it is not destroyed; else NULL. */
static window_t *window_get(HWND hwnd) {
  ws2__obj_t *obj = ws2__handle_get((HANDLE)hwnd, &window_type);
  window_t *w;
  if (!obj) return NULL;
  w = ws2__container_of(obj, window_t, obj);
  if (atomic_load(&w->state) == W_DEAD) {
    ws2__obj_unref(obj);
    return NULL;
  }
  return w;
}

static LRESULT window_call(window_t *w, UINT msg, WPARAM wp, LPARAM lp) {
  WNDPROC proc;
  pthread_mutex_lock(&w->lock);
  proc = w->proc;
  pthread_mutex_unlock(&w->lock);
  if (!proc) return DefWindowProcW(w->hwnd, msg, wp, lp);
  return proc(w->hwnd, msg, wp, lp);
}

/* window_call that first drops the caller's reference to w, so that a
 * thread ending in the procedure (ExitThread) leaves nothing behind; the
 * procedure needs only the HWND. */
static LRESULT window_call_unref(window_t *w, UINT msg, WPARAM wp,
                                 LPARAM lp) {
  HWND hwnd = w->hwnd;
  WNDPROC proc;
  pthread_mutex_lock(&w->lock);
  proc = w->proc;
  pthread_mutex_unlock(&w->lock);
  ws2__obj_unref(&w->obj);
  if (!proc) return DefWindowProcW(hwnd, msg, wp, lp);
  return proc(hwnd, msg, wp, lp);
}

/* Replies to a sent message; the sender may return (and its stack, with
 * rec, go) as soon as the signal is set. */
static void send_reply(sendrec_t *rec, LRESULT result) {
  rec->result = result;
  ws2__sync_set(&rec->sync);
}

/* Runs the messages other threads have sent to the calling thread, q's
 * owner, in order. */
static void queue_run_sent(msgq_t *q) {
  for (;;) {
    ws2__node_t *n;
    sendrec_t *rec;
    window_t *w;
    LRESULT result = 0;

    pthread_mutex_lock(&q->lock);
    n = ws2__list_pop_front(&q->sent);
    if (n)
      ws2__list_push_back(&q->running, n);
    else
      q->new_bits &= ~(DWORD)QS_SENDMESSAGE;
    pthread_mutex_unlock(&q->lock);
    if (!n) break;
    rec = ws2__container_of(n, sendrec_t, node);
    if ((w = window_get(rec->hwnd)) != NULL) {
      if (w->q == q)
        result = window_call_unref(w, rec->msg, rec->wp, rec->lp);
      else
        ws2__obj_unref(&w->obj);
    }
    pthread_mutex_lock(&q->lock);
    ws2__list_remove(n);
    pthread_mutex_unlock(&q->lock);
    send_reply(rec, result);
  }
}

/* Queues a posted message to q (for window w, or a thread message when w
 * is NULL): 0, -EBADF (w destroyed, or q's thread gone), -EAGAIN (full),
 * -ENOMEM. */
static int queue_post(msgq_t *q, window_t *w, UINT msg, WPARAM wp,
                      LPARAM lp) {
  qmsg_t *m = ws2__malloc(sizeof(*m));
  if (!m) return -ENOMEM;
  memset(&m->msg, 0, sizeof(m->msg));
  m->msg.hwnd = w ? w->hwnd : NULL;
  m->msg.message = msg;
  m->msg.wParam = wp;
  m->msg.lParam = lp;
  m->msg.time = GetTickCount();
  pthread_mutex_lock(&q->lock);
  if (q->dead || (w && atomic_load(&w->state) == W_DEAD)) {
    pthread_mutex_unlock(&q->lock);
    ws2__free(m);
    return -EBADF;
  }
  if (q->nposted >= POSTED_LIMIT) {
    pthread_mutex_unlock(&q->lock);
    ws2__free(m);
    return -EAGAIN;
  }
  ws2__list_push_back(&q->posted, &m->node);
  q->nposted++;
  queue_input_locked(q, QS_POSTED);
  pthread_mutex_unlock(&q->lock);
  return 0;
}

/*
 * The message range filter: both 0 takes everything; a maximum of 0 has
 * no upper bound; a minimum above the maximum takes what lies outside
 * (max, min). WM_QUIT passes any range, as GetMessage and PeekMessage
 * document.
 */
static int range_match(UINT msg, UINT lo, UINT hi) {
  if (msg == WM_QUIT) return 1;
  if (hi == 0) hi = ~0u;
  if (lo <= hi) return msg >= lo && msg <= hi;
  return msg >= lo || msg <= hi;
}

/* hWnd filter: NULL, any; (HWND)-1, thread messages only; a window, its
 * own messages (ws2 windows have no children). */
static int hwnd_match(HWND hwnd, HWND filter) {
  if (!filter) return 1;
  if (filter == (HWND)(LONG_PTR)-1) return hwnd == NULL;
  return hwnd == filter;
}

/* Checks a GetMessage/PeekMessage window filter; 0 or -1 (error set). */
static int filter_check(HWND filter) {
  window_t *w;
  if (!filter || filter == (HWND)(LONG_PTR)-1) return 0;
  if (!(w = window_get(filter))) {
    SetLastError(ERROR_INVALID_WINDOW_HANDLE);
    return -1;
  }
  ws2__obj_unref(&w->obj);
  return 0;
}

/* PeekMessage's work: sent messages first (run, never returned), then the
 * first eligible posted message, then WM_QUIT. 1 if *out was filled. */
static int queue_peek(msgq_t *q, MSG *out, HWND filter, UINT lo, UINT hi,
                      UINT flags) {
  DWORD types = flags >> 16;
  qmsg_t *found = NULL;
  ws2__node_t *n;
  int got = 0;

  if (!types) types = QS_ALLINPUT;
  if (types & QS_SENDMESSAGE) queue_run_sent(q);
  if (!(types & QS_POSTMESSAGE)) return 0;

  pthread_mutex_lock(&q->lock);
  q->new_bits &= ~(DWORD)QS_POSTED;
  ws2__list_foreach(n, &q->posted) {
    qmsg_t *m = ws2__container_of(n, qmsg_t, node);
    if (hwnd_match(m->msg.hwnd, filter) &&
        range_match(m->msg.message, lo, hi)) {
      found = m;
      break;
    }
  }
  if (found) {
    *out = found->msg;
    got = 1;
    if (flags & PM_REMOVE) {
      ws2__list_remove(&found->node);
      q->nposted--;
    } else {
      found = NULL;
    }
  } else if (q->quit && hwnd_match(NULL, filter)) {
    memset(out, 0, sizeof(*out));
    out->message = WM_QUIT;
    out->wParam = (WPARAM)(INT_PTR)q->quit_code;
    out->time = GetTickCount();
    if (flags & PM_REMOVE) q->quit = 0;
    got = 1;
  }
  pthread_mutex_unlock(&q->lock);
  ws2__free(found);
  return got;
}

/* Destroys w for good (after WM_DESTROY, or silently when its thread
 * exits): no more messages reach it, its posted messages are dropped, its
 * handle is closed. Drops the queue list's reference: the caller must hold
 * its own to use w afterwards. */
static void window_kill(window_t *w) {
  msgq_t *q = w->q;
  ws2__list_t purged;
  ws2__node_t *n, *tmp;
  ws2__obj_t *obj;

  ws2__list_init(&purged);
  pthread_mutex_lock(&q->lock);
  atomic_store(&w->state, W_DEAD);
  ws2__list_remove(&w->q_node);
  ws2__list_foreach_safe(n, tmp, &q->posted) {
    qmsg_t *m = ws2__container_of(n, qmsg_t, node);
    if (m->msg.hwnd == w->hwnd) {
      ws2__list_remove(n);
      ws2__list_push_back(&purged, n);
      q->nposted--;
    }
  }
  pthread_mutex_unlock(&q->lock);
  while ((n = ws2__list_pop_front(&purged)) != NULL)
    ws2__free(ws2__container_of(n, qmsg_t, node));

  pthread_mutex_lock(&class_lock);
  w->cls->windows--;
  pthread_mutex_unlock(&class_lock);

  /* Close the value only if it still names w (it was protected, but a
   * program may have lifted that and closed it itself). */
  obj = ws2__handle_get((HANDLE)w->hwnd, &window_type);
  if (obj == &w->obj) {
    ws2__handle_set_flags((HANDLE)w->hwnd, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0);
    ws2__handle_close((HANDLE)w->hwnd);
  }
  if (obj) ws2__obj_unref(obj);
  ws2__obj_unref(&w->obj);
}

void ws2__msgq_thread_exit(ws2__thread_t *t) {
  msgq_t *q = t->msgq;
  ws2__list_t posted, sent;
  ws2__node_t *n;

  if (!q) return;
  pthread_mutex_lock(&queues_lock);
  ws2__list_remove(&q->all_node);
  pthread_mutex_unlock(&queues_lock);

  pthread_mutex_lock(&q->lock);
  q->dead = 1;
  pthread_mutex_unlock(&q->lock);

  /* Windows destroyed at thread exit get no message: the thread can no
   * longer run its window procedures. */
  for (;;) {
    window_t *w = NULL;
    pthread_mutex_lock(&q->lock);
    if ((n = ws2__list_first(&q->windows)) != NULL)
      w = ws2__container_of(n, window_t, q_node);
    pthread_mutex_unlock(&q->lock);
    if (!w) break;
    window_kill(w);
  }

  ws2__list_init(&posted);
  ws2__list_init(&sent);
  pthread_mutex_lock(&q->lock);
  ws2__list_splice(&posted, &q->posted);
  ws2__list_splice(&sent, &q->sent);
  /* Sent messages whose procedure never returned (the thread exited in
   * it) are answered too. */
  ws2__list_splice(&sent, &q->running);
  q->nposted = 0;
  q->quit = 0;
  pthread_mutex_unlock(&q->lock);
  while ((n = ws2__list_pop_front(&sent)) != NULL)
    send_reply(ws2__container_of(n, sendrec_t, node), 0);
  while ((n = ws2__list_pop_front(&posted)) != NULL)
    ws2__free(ws2__container_of(n, qmsg_t, node));

  t->msgq = NULL;
  ws2__obj_unref(&q->obj);
}

/* ---- Creating and destroying windows ------------------------------------ */

typedef struct create_args {
  DWORD exstyle;
  const void *cls; /* LPCSTR or LPCWSTR (or an atom), as the caller gave */
  const void *name;
  int unicode; /* the W function was called */
  DWORD style;
  int x, y, cx, cy;
  HWND parent;
  HMENU menu;
  HINSTANCE inst;
  LPVOID param;
} create_args_t;

/* Destroys a window of the calling thread: WM_DESTROY (unless nccreate
 * refused it, when only WM_NCDESTROY is due), WM_NCDESTROY, then gone. A
 * window already being destroyed (a call from its WM_DESTROY) is left to
 * the outer call. Consumes the caller's reference to w: until window_kill,
 * which only this thread can reach, q->windows keeps w alive. */
static void window_teardown(window_t *w, int send_destroy) {
  int state;
  pthread_mutex_lock(&w->q->lock);
  state = atomic_load(&w->state);
  if (state == W_ALIVE) atomic_store(&w->state, W_DESTROYING);
  pthread_mutex_unlock(&w->q->lock);
  ws2__obj_unref(&w->obj);
  if (state != W_ALIVE) return;
  /* Still a window (IsWindow is TRUE) while it handles these. */
  if (send_destroy) window_call(w, WM_DESTROY, 0, 0);
  window_call(w, WM_NCDESTROY, 0, 0);
  window_kill(w);
}

/* Sends WM_NCCREATE, then WM_CREATE, with a CREATESTRUCT in the window
 * procedure's character set. 0 when the window was accepted, or 1 when
 * WM_NCCREATE refused it (or memory ran out), 2 when WM_CREATE did. */
static int window_send_create(window_t *w, const create_args_t *a) {
  CREATESTRUCTW cs; /* same layout as CREATESTRUCTA */
  void *name_copy = NULL, *cls_copy = NULL;
  int unicode;
  int refused = 1;

  pthread_mutex_lock(&w->lock);
  unicode = w->unicode;
  pthread_mutex_unlock(&w->lock);

  memset(&cs, 0, sizeof(cs));
  cs.lpCreateParams = a->param;
  cs.hInstance = a->inst;
  cs.hMenu = a->menu;
  cs.hwndParent = a->parent;
  cs.cy = a->cy;
  cs.cx = a->cx;
  cs.y = a->y;
  cs.x = a->x;
  cs.style = (LONG)a->style;
  cs.dwExStyle = a->exstyle;
  cs.lpszName = a->name;
  cs.lpszClass = a->cls;
  if (unicode != a->unicode) {
    /* The procedure reads the other character set: convert. */
    if (a->name) {
      name_copy = unicode ? (void *)str_a_to_w(a->name)
                          : (void *)str_w_to_a(a->name);
      if (!name_copy) goto out;
      cs.lpszName = name_copy;
    }
    if (!IS_INTRESOURCE(a->cls)) {
      cls_copy = unicode ? (void *)str_a_to_w(a->cls)
                         : (void *)str_w_to_a(a->cls);
      if (!cls_copy) goto out;
      cs.lpszClass = cls_copy;
    }
  }
  if (!window_call(w, WM_NCCREATE, 0, (LPARAM)&cs)) goto out;
  refused = 2;
  if (window_call(w, WM_CREATE, 0, (LPARAM)&cs) == -1) goto out;
  refused = 0;
out:
  ws2__free(name_copy);
  ws2__free(cls_copy);
  return refused;
}

static HWND create_window(const create_args_t *a) {
  WCHAR *cls_w = NULL;
  const WCHAR *key;
  wclass_t *c = NULL;
  window_t *w, *parent;
  msgq_t *q;
  HANDLE h;
  size_t i;
  int refused, alive;

  if (a->parent && a->parent != HWND_MESSAGE) {
    /* Any window may be the parent; every window is message-only. */
    if (!(parent = window_get(a->parent))) {
      SetLastError(ERROR_INVALID_WINDOW_HANDLE);
      return NULL;
    }
    ws2__obj_unref(&parent->obj);
  }
  if (!(q = queue_self())) return NULL;

  key = a->cls;
  if (!a->unicode && !IS_INTRESOURCE(a->cls)) {
    if (!(cls_w = str_a_to_w(a->cls))) {
      SetLastError(ERROR_NOT_ENOUGH_MEMORY);
      return NULL;
    }
    key = cls_w;
  }
  pthread_mutex_lock(&class_lock);
  if (key) c = class_find_locked(key); /* NULL is no name, nor atom */
  for (i = 0; !c && !IS_INTRESOURCE(key) &&
              i < sizeof(builtin_classes) / sizeof(builtin_classes[0]);
       i++)
    if (wstr_ieq(builtin_classes[i].name, key)) c = &builtin_classes[i];
  if (c) c->windows++;
  pthread_mutex_unlock(&class_lock);
  ws2__free(cls_w);
  if (!c) {
    SetLastError(ERROR_CANNOT_FIND_WND_CLASS);
    return NULL;
  }

  w = ws2__calloc(1, sizeof(*w) + (size_t)c->wnd_extra);
  if (!w) goto oom;
  ws2__obj_init(&w->obj, &window_type, NULL); /* q->windows' reference */
  pthread_mutex_init(&w->lock, NULL);
  w->q = q;
  ws2__obj_ref(&q->obj);
  w->cls = c;
  w->proc = c->proc;
  w->unicode = c->unicode;
  w->inst = a->inst;
  w->id = (LONG_PTR)a->menu;
  w->style = a->style;
  w->exstyle = a->exstyle;
  w->nextra = (size_t)c->wnd_extra;
  if (ws2__handle_new(&w->obj, &h) != 0) {
    ws2__obj_unref(&w->obj);
    goto oom;
  }
  ws2__handle_set_flags(h, HANDLE_FLAG_PROTECT_FROM_CLOSE,
                        HANDLE_FLAG_PROTECT_FROM_CLOSE);
  w->hwnd = (HWND)h;
  pthread_mutex_lock(&q->lock);
  atomic_store(&w->state, W_ALIVE);
  ws2__list_push_back(&q->windows, &w->q_node);
  pthread_mutex_unlock(&q->lock);

  ws2__obj_ref(&w->obj);
  refused = window_send_create(w, a);
  if (refused) {
    ws2__obj_ref(&w->obj); /* for window_teardown to consume */
    window_teardown(w, refused == 2);
  }
  /* The procedure may also have destroyed the window itself. */
  alive = atomic_load(&w->state) == W_ALIVE;
  ws2__obj_unref(&w->obj);
  return alive ? (HWND)h : NULL;

oom:
  pthread_mutex_lock(&class_lock);
  c->windows--;
  pthread_mutex_unlock(&class_lock);
  SetLastError(ERROR_NOT_ENOUGH_MEMORY);
  return NULL;
}

HWND WINAPI CreateWindowExA(DWORD dwExStyle, LPCSTR lpClassName,
                            LPCSTR lpWindowName, DWORD dwStyle, int X, int Y,
                            int nWidth, int nHeight, HWND hWndParent,
                            HMENU hMenu, HINSTANCE hInstance, LPVOID lpParam) {
  create_args_t a = {dwExStyle, lpClassName, lpWindowName, 0,       dwStyle,
                     X,         Y,           nWidth,       nHeight, hWndParent,
                     hMenu,     hInstance,   lpParam};
  return create_window(&a);
}

HWND WINAPI CreateWindowExW(DWORD dwExStyle, LPCWSTR lpClassName,
                            LPCWSTR lpWindowName, DWORD dwStyle, int X, int Y,
                            int nWidth, int nHeight, HWND hWndParent,
                            HMENU hMenu, HINSTANCE hInstance, LPVOID lpParam) {
  create_args_t a = {dwExStyle, lpClassName, lpWindowName, 1,       dwStyle,
                     X,         Y,           nWidth,       nHeight, hWndParent,
                     hMenu,     hInstance,   lpParam};
  return create_window(&a);
}

BOOL WINAPI DestroyWindow(HWND hWnd) {
  window_t *w = window_get(hWnd);
  if (!w) {
    SetLastError(ERROR_INVALID_WINDOW_HANDLE);
    return FALSE;
  }
  if (w->q != queue_current()) {
    /* Only the thread that created a window may destroy it. */
    ws2__obj_unref(&w->obj);
    SetLastError(ERROR_ACCESS_DENIED);
    return FALSE;
  }
  window_teardown(w, 1);
  return TRUE;
}

BOOL WINAPI IsWindow(HWND hWnd) {
  window_t *w = window_get(hWnd);
  if (!w) return FALSE;
  ws2__obj_unref(&w->obj);
  return TRUE;
}

BOOL WINAPI IsWindowUnicode(HWND hWnd) {
  window_t *w = window_get(hWnd);
  BOOL r;
  if (!w) {
    SetLastError(ERROR_INVALID_WINDOW_HANDLE);
    return FALSE;
  }
  pthread_mutex_lock(&w->lock);
  r = w->unicode;
  pthread_mutex_unlock(&w->lock);
  ws2__obj_unref(&w->obj);
  return r;
}

DWORD WINAPI GetWindowThreadProcessId(HWND hWnd, LPDWORD lpdwProcessId) {
  window_t *w = window_get(hWnd);
  DWORD tid;
  if (!w) {
    SetLastError(ERROR_INVALID_WINDOW_HANDLE);
    return 0;
  }
  tid = w->q->tid;
  ws2__obj_unref(&w->obj);
  if (lpdwProcessId) *lpdwProcessId = GetCurrentProcessId();
  return tid;
}

int ws2__window_valid(HWND hwnd) { return IsWindow(hwnd) ? 1 : 0; }

/* ---- Window longs --------------------------------------------------------- */

/* Get (set = 0) or set a window long; returns the previous value. On
 * success the last error is left alone, as on Windows (a previous value of
 * 0 is told from a failure by clearing it first). */
static LONG_PTR window_long(HWND hwnd, int index, LONG_PTR value, int set,
                            int unicode) {
  window_t *w = window_get(hwnd);
  LONG_PTR old = 0;
  int ok = 1;

  if (!w) {
    SetLastError(ERROR_INVALID_WINDOW_HANDLE);
    return 0;
  }
  pthread_mutex_lock(&w->lock);
  switch (index) {
    case GWLP_WNDPROC:
      old = (LONG_PTR)w->proc;
      if (set) {
        w->proc = (WNDPROC)value;
        w->unicode = unicode;
      }
      break;
    case GWLP_HINSTANCE:
      old = (LONG_PTR)w->inst;
      if (set) w->inst = (HINSTANCE)value;
      break;
    case GWLP_HWNDPARENT:
      old = (LONG_PTR)w->owner;
      if (set) w->owner = (HWND)value;
      break;
    case GWLP_ID:
      old = w->id;
      if (set) w->id = value;
      break;
    case GWLP_USERDATA:
      old = w->userdata;
      if (set) w->userdata = value;
      break;
    case GWL_STYLE:
      old = (LONG)w->style;
      if (set) w->style = (DWORD)value;
      break;
    case GWL_EXSTYLE:
      old = (LONG)w->exstyle;
      if (set) w->exstyle = (DWORD)value;
      break;
    default:
      if (index >= 0 && (size_t)index + sizeof(LONG_PTR) <= w->nextra) {
        memcpy(&old, w->extra + index, sizeof(old));
        if (set) memcpy(w->extra + index, &value, sizeof(value));
      } else {
        ok = 0;
      }
      break;
  }
  pthread_mutex_unlock(&w->lock);
  ws2__obj_unref(&w->obj);
  if (!ok) SetLastError(ERROR_INVALID_INDEX);
  return old;
}

LONG_PTR WINAPI GetWindowLongPtrA(HWND hWnd, int nIndex) {
  return window_long(hWnd, nIndex, 0, 0, 0);
}

LONG_PTR WINAPI GetWindowLongPtrW(HWND hWnd, int nIndex) {
  return window_long(hWnd, nIndex, 0, 0, 1);
}

LONG_PTR WINAPI SetWindowLongPtrA(HWND hWnd, int nIndex, LONG_PTR dwNewLong) {
  return window_long(hWnd, nIndex, dwNewLong, 1, 0);
}

LONG_PTR WINAPI SetWindowLongPtrW(HWND hWnd, int nIndex, LONG_PTR dwNewLong) {
  return window_long(hWnd, nIndex, dwNewLong, 1, 1);
}

/* ---- Posting and sending -------------------------------------------------- */

int ws2__window_post(HWND hwnd, UINT msg, WPARAM wParam, LPARAM lParam) {
  window_t *w = window_get(hwnd);
  int r;
  if (!w) return -EBADF;
  r = queue_post(w->q, w, msg, wParam, lParam);
  ws2__obj_unref(&w->obj);
  return r;
}

static BOOL post_fail(int r, DWORD bad) {
  SetLastError(r == -EBADF    ? bad
               : r == -EAGAIN ? (DWORD)ERROR_NOT_ENOUGH_QUOTA
                              : (DWORD)ERROR_NOT_ENOUGH_MEMORY);
  return FALSE;
}

static BOOL post_thread(DWORD tid, UINT msg, WPARAM wp, LPARAM lp) {
  ws2__thread_t *self = ws2__thread_self();
  msgq_t *q;
  int r;

  if (self && self->tid == tid) {
    /* The calling thread: this USER call gives it a queue if need be. */
    if (!(q = queue_self())) return FALSE;
    ws2__obj_ref(&q->obj);
  } else if (!(q = queue_of_thread(tid))) {
    SetLastError(ERROR_INVALID_THREAD_ID);
    return FALSE;
  }
  r = queue_post(q, NULL, msg, wp, lp);
  ws2__obj_unref(&q->obj);
  return r == 0 ? TRUE : post_fail(r, ERROR_INVALID_THREAD_ID);
}

static BOOL post_message(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp) {
  int r;
  if (!hwnd) return post_thread(GetCurrentThreadId(), msg, wp, lp);
  if (hwnd == HWND_BROADCAST) return TRUE; /* reaches no message-only window */
  r = ws2__window_post(hwnd, msg, wp, lp);
  return r == 0 ? TRUE : post_fail(r, ERROR_INVALID_WINDOW_HANDLE);
}

BOOL WINAPI PostMessageA(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam) {
  return post_message(hWnd, Msg, wParam, lParam);
}

BOOL WINAPI PostMessageW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam) {
  return post_message(hWnd, Msg, wParam, lParam);
}

BOOL WINAPI PostThreadMessageA(DWORD idThread, UINT Msg, WPARAM wParam,
                               LPARAM lParam) {
  return post_thread(idThread, Msg, wParam, lParam);
}

BOOL WINAPI PostThreadMessageW(DWORD idThread, UINT Msg, WPARAM wParam,
                               LPARAM lParam) {
  return post_thread(idThread, Msg, wParam, lParam);
}

void WINAPI PostQuitMessage(int nExitCode) {
  msgq_t *q = queue_self();
  if (!q) return;
  pthread_mutex_lock(&q->lock);
  q->quit = 1;
  q->quit_code = nExitCode;
  queue_input_locked(q, QS_POSTED);
  pthread_mutex_unlock(&q->lock);
}

static LRESULT send_message(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp) {
  window_t *w;
  msgq_t *self, *target;
  sendrec_t rec;
  ws2__obj_t *objs[2];
  LRESULT result;

  if (hwnd == HWND_BROADCAST) return 0; /* reaches no message-only window */
  if (!(w = window_get(hwnd))) {
    SetLastError(ERROR_INVALID_WINDOW_HANDLE);
    return 0;
  }
  if (w->q == queue_current()) return window_call_unref(w, msg, wp, lp);
  /* Another thread's window: this thread needs a queue of its own, to run
   * what is sent to it while it waits. */
  if (!(self = queue_self())) {
    ws2__obj_unref(&w->obj);
    return 0;
  }
  memset(&rec, 0, sizeof(rec));
  rec.hwnd = hwnd;
  rec.msg = msg;
  rec.wp = wp;
  rec.lp = lp;
  ws2__obj_init(&rec.obj, &sendrec_type, &rec.sync);
  ws2__sync_init(&rec.sync, 1, 0);
  target = w->q;
  pthread_mutex_lock(&target->lock);
  if (target->dead || atomic_load(&w->state) == W_DEAD) {
    pthread_mutex_unlock(&target->lock);
    ws2__obj_unref(&w->obj);
    ws2__sync_destroy(&rec.sync);
    SetLastError(ERROR_INVALID_WINDOW_HANDLE);
    return 0;
  }
  ws2__list_push_back(&target->sent, &rec.node);
  queue_input_locked(target, QS_SENDMESSAGE);
  pthread_mutex_unlock(&target->lock);
  ws2__obj_unref(&w->obj);

  objs[0] = &rec.obj;
  objs[1] = &self->obj;
  for (;;) {
    queue_run_sent(self);
    queue_arm(self, QS_SENDMESSAGE, 1);
    if (ws2__wait(2, objs, FALSE, INFINITE, FALSE) == WAIT_OBJECT_0) break;
  }
  queue_disarm(self, 0);
  result = rec.result;
  ws2__sync_destroy(&rec.sync);
  return result;
}

LRESULT WINAPI SendMessageA(HWND hWnd, UINT Msg, WPARAM wParam,
                            LPARAM lParam) {
  return send_message(hWnd, Msg, wParam, lParam);
}

LRESULT WINAPI SendMessageW(HWND hWnd, UINT Msg, WPARAM wParam,
                            LPARAM lParam) {
  return send_message(hWnd, Msg, wParam, lParam);
}

/* ---- The message loop ------------------------------------------------------ */

static BOOL get_message(LPMSG msg, HWND filter, UINT lo, UINT hi) {
  msgq_t *q;
  if (!msg) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return -1;
  }
  if (!(q = queue_self()) || filter_check(filter) != 0) return -1;
  for (;;) {
    DWORD r;
    if (queue_peek(q, msg, filter, lo, hi, PM_REMOVE))
      return msg->message != WM_QUIT;
    queue_arm(q, QS_ALLINPUT, 0);
    r = ws2__wait(1, &(ws2__obj_t *){&q->obj}, FALSE, INFINITE, FALSE);
    queue_disarm(q, 0);
    if (r == WAIT_FAILED) {
      SetLastError(ERROR_NOT_ENOUGH_MEMORY);
      return -1;
    }
  }
}

BOOL WINAPI GetMessageA(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin,
                        UINT wMsgFilterMax) {
  return get_message(lpMsg, hWnd, wMsgFilterMin, wMsgFilterMax);
}

BOOL WINAPI GetMessageW(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin,
                        UINT wMsgFilterMax) {
  return get_message(lpMsg, hWnd, wMsgFilterMin, wMsgFilterMax);
}

static BOOL peek_message(LPMSG msg, HWND filter, UINT lo, UINT hi,
                         UINT flags) {
  msgq_t *q;
  if (!msg) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if (!(q = queue_self()) || filter_check(filter) != 0) return FALSE;
  return queue_peek(q, msg, filter, lo, hi, flags);
}

BOOL WINAPI PeekMessageA(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin,
                         UINT wMsgFilterMax, UINT wRemoveMsg) {
  return peek_message(lpMsg, hWnd, wMsgFilterMin, wMsgFilterMax, wRemoveMsg);
}

BOOL WINAPI PeekMessageW(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin,
                         UINT wMsgFilterMax, UINT wRemoveMsg) {
  return peek_message(lpMsg, hWnd, wMsgFilterMin, wMsgFilterMax, wRemoveMsg);
}

BOOL WINAPI WaitMessage(void) {
  msgq_t *q = queue_self();
  DWORD r;
  if (!q) return FALSE;
  queue_run_sent(q);
  queue_arm(q, QS_ALLINPUT, 0);
  r = ws2__wait(1, &(ws2__obj_t *){&q->obj}, FALSE, INFINITE, FALSE);
  queue_disarm(q, QS_ALLINPUT);
  if (r == WAIT_FAILED) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return FALSE;
  }
  queue_run_sent(q);
  return TRUE;
}

DWORD WINAPI GetQueueStatus(UINT flags) {
  msgq_t *q = queue_self();
  DWORD present, fresh;
  if (!q) return 0;
  pthread_mutex_lock(&q->lock);
  present = queue_present_locked(q) & flags;
  fresh = q->new_bits & present; /* added since last looked, still there */
  q->new_bits &= ~(DWORD)flags;
  pthread_mutex_unlock(&q->lock);
  return (present << 16) | (fresh & 0xFFFF);
}

DWORD WINAPI MsgWaitForMultipleObjectsEx(DWORD nCount, const HANDLE *pHandles,
                                         DWORD dwMilliseconds,
                                         DWORD dwWakeMask, DWORD dwFlags) {
  ws2__obj_t *objs[MAXIMUM_WAIT_OBJECTS];
  int all = (dwFlags & MWMO_WAITALL) != 0;
  msgq_t *q;
  DWORD i, j, r;

  if (nCount > MAXIMUM_WAIT_OBJECTS - 1 || (nCount && !pHandles) ||
      (dwFlags & ~(DWORD)(MWMO_WAITALL | MWMO_ALERTABLE |
                          MWMO_INPUTAVAILABLE))) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return WAIT_FAILED;
  }
  if (!(q = queue_self())) return WAIT_FAILED;
  for (i = 0; i < nCount; i++) {
    objs[i] = ws2__handle_get(pHandles[i], NULL);
    if (!objs[i] || !objs[i]->sync) {
      if (objs[i]) ws2__obj_unref(objs[i]);
      while (i > 0) ws2__obj_unref(objs[--i]);
      SetLastError(ERROR_INVALID_HANDLE);
      return WAIT_FAILED;
    }
    for (j = 0; all && j < i; j++)
      if (objs[j] == objs[i]) {
        for (j = 0; j <= i; j++) ws2__obj_unref(objs[j]);
        SetLastError(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
      }
  }
  objs[nCount] = &q->obj;

  queue_arm(q, dwWakeMask, (dwFlags & MWMO_INPUTAVAILABLE) != 0);
  r = ws2__wait(nCount + 1, objs, all, dwMilliseconds,
                (dwFlags & MWMO_ALERTABLE) != 0);
  /* Input that ended the wait is no longer new, as on Windows. */
  queue_disarm(q, (all ? r == WAIT_OBJECT_0 : r == WAIT_OBJECT_0 + nCount)
                      ? dwWakeMask
                      : 0);
  for (i = 0; i < nCount; i++) ws2__obj_unref(objs[i]);
  if (r == WAIT_FAILED) SetLastError(ERROR_NOT_ENOUGH_MEMORY);
  return r;
}

DWORD WINAPI MsgWaitForMultipleObjects(DWORD nCount, const HANDLE *pHandles,
                                       BOOL fWaitAll, DWORD dwMilliseconds,
                                       DWORD dwWakeMask) {
  return MsgWaitForMultipleObjectsEx(nCount, pHandles, dwMilliseconds,
                                     dwWakeMask,
                                     fWaitAll ? MWMO_WAITALL : 0);
}

/* ---- Dispatching ------------------------------------------------------------ */

BOOL WINAPI TranslateMessage(const MSG *lpMsg) {
  /* No keyboard: nothing to translate. Key messages report TRUE, as
   * documented, whether or not a character message results. */
  if (!lpMsg) return FALSE;
  switch (lpMsg->message) {
    case WM_KEYDOWN:
    case WM_KEYUP:
    case WM_SYSKEYDOWN:
    case WM_SYSKEYUP:
      return TRUE;
    default:
      return FALSE;
  }
}

static LRESULT dispatch_message(const MSG *msg) {
  window_t *w;
  if (!msg) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (!msg->hwnd) return 0; /* a thread message has no procedure */
  if (!(w = window_get(msg->hwnd))) {
    SetLastError(ERROR_INVALID_WINDOW_HANDLE);
    return 0;
  }
  return window_call_unref(w, msg->message, msg->wParam, msg->lParam);
}

LRESULT WINAPI DispatchMessageA(const MSG *lpMsg) {
  return dispatch_message(lpMsg);
}

LRESULT WINAPI DispatchMessageW(const MSG *lpMsg) {
  return dispatch_message(lpMsg);
}

static LRESULT def_window_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp) {
  switch (msg) {
    case WM_NCCREATE:
      return TRUE;
    case WM_CLOSE:
      DestroyWindow(hwnd);
      return 0;
    default:
      return 0;
  }
}

LRESULT WINAPI DefWindowProcA(HWND hWnd, UINT Msg, WPARAM wParam,
                              LPARAM lParam) {
  return def_window_proc(hWnd, Msg, wParam, lParam);
}

LRESULT WINAPI DefWindowProcW(HWND hWnd, UINT Msg, WPARAM wParam,
                              LPARAM lParam) {
  return def_window_proc(hWnd, Msg, wParam, lParam);
}

LRESULT WINAPI CallWindowProcA(WNDPROC lpPrevWndFunc, HWND hWnd, UINT Msg,
                               WPARAM wParam, LPARAM lParam) {
  return lpPrevWndFunc ? lpPrevWndFunc(hWnd, Msg, wParam, lParam) : 0;
}

LRESULT WINAPI CallWindowProcW(WNDPROC lpPrevWndFunc, HWND hWnd, UINT Msg,
                               WPARAM wParam, LPARAM lParam) {
  return lpPrevWndFunc ? lpPrevWndFunc(hWnd, Msg, wParam, lParam) : 0;
}
