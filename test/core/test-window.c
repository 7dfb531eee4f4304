/*
 * test-window.c: window classes, message-only windows and per-thread
 * message queues: RegisterClass(Ex), UnregisterClass, CreateWindowEx with
 * HWND_MESSAGE, DestroyWindow, PostMessage, PostThreadMessage,
 * SendMessage, GetMessage, PeekMessage, DispatchMessage, PostQuitMessage,
 * Get/SetWindowLongPtr, MsgWaitForMultipleObjects(Ex), GetQueueStatus.
 *
 * Every blocking GetMessage has a message already posted or a thread that
 * posts one; the rest polls with timeouts. Cases leave the main thread's
 * queue empty (drain_queue) so one case's messages cannot reach the next.
 */
#include "ws2test.h"
#include "core-helpers.h"

#ifndef MAKEINTATOM
#define MAKEINTATOM(i) ((LPSTR)((ULONG_PTR)((WORD)(i))))
#endif
#ifndef ERROR_NOT_ENOUGH_QUOTA
#define ERROR_NOT_ENOUGH_QUOTA 1816L
#endif

/* Each case registers a class of its own, so that a failed case (which
 * may leave its window and class behind) cannot disturb the next. */
static char class_a[32];
#define CLASS_A class_a
#define MSG_WAIT_MS 5000

/* What the window procedure saw; one per test, reset by new_log. */
#define LOG_MAX 32
struct call {
  HWND hwnd;
  UINT msg;
  WPARAM wp;
  LPARAM lp;
  DWORD tid;
};
static struct {
  struct call calls[LOG_MAX];
  volatile LONG n;
  /* Seen in WM_NCCREATE / WM_CREATE. */
  LPVOID create_param;
  char create_name[64];
  char create_class[64];
  WCHAR create_name_w[64];
  LONG_PTR userdata_in_proc;
  LRESULT create_result; /* what WM_CREATE returns */
  BOOL nccreate_result;  /* what WM_NCCREATE returns */
} log_;

static void new_log(void) {
  memset(&log_, 0, sizeof(log_));
  log_.nccreate_result = TRUE;
}

static void log_call(HWND h, UINT m, WPARAM wp, LPARAM lp) {
  LONG i = InterlockedIncrement(&log_.n) - 1;
  if (i < LOG_MAX) {
    log_.calls[i].hwnd = h;
    log_.calls[i].msg = m;
    log_.calls[i].wp = wp;
    log_.calls[i].lp = lp;
    log_.calls[i].tid = GetCurrentThreadId();
  }
}

/* Index of the first call with message m at or after `from`, or -1. */
static int find_call(UINT m, int from) {
  int i, n = (int)read_long(&log_.n);
  for (i = from; i < n && i < LOG_MAX; i++)
    if (log_.calls[i].msg == m) return i;
  return -1;
}

static void copy_a(char *dst, const char *src, size_t max) {
  size_t i;
  for (i = 0; i < max - 1 && src[i]; i++) dst[i] = src[i];
  dst[i] = 0;
}

static void copy_w(WCHAR *dst, const WCHAR *src, int max) {
  int i;
  for (i = 0; i < max - 1 && src && src[i]; i++) dst[i] = src[i];
  dst[i] = 0;
}

static LRESULT CALLBACK proc_a(HWND h, UINT m, WPARAM wp, LPARAM lp) {
  log_call(h, m, wp, lp);
  switch (m) {
    case WM_NCCREATE: {
      CREATESTRUCTA *cs = (CREATESTRUCTA *)lp;
      if (cs->lpszName) copy_a(log_.create_name, cs->lpszName, 64);
      if (!IS_INTRESOURCE(cs->lpszClass))
        copy_a(log_.create_class, cs->lpszClass, 64);
      log_.create_param = cs->lpCreateParams;
      if (!log_.nccreate_result) return FALSE;
      return DefWindowProcA(h, m, wp, lp);
    }
    case WM_CREATE:
      return log_.create_result;
    case WM_USER + 9:
      log_.userdata_in_proc = GetWindowLongPtrA(h, GWLP_USERDATA);
      return 0x77;
    case WM_USER + 10:
      return (LRESULT)(wp + (WPARAM)lp);
    default:
      return DefWindowProcA(h, m, wp, lp);
  }
}

static LRESULT CALLBACK proc_w(HWND h, UINT m, WPARAM wp, LPARAM lp) {
  log_call(h, m, wp, lp);
  if (m == WM_NCCREATE) {
    CREATESTRUCTW *cs = (CREATESTRUCTW *)lp;
    copy_w(log_.create_name_w, cs->lpszName, 64);
  }
  return DefWindowProcW(h, m, wp, lp);
}

static LRESULT CALLBACK proc_other(HWND h, UINT m, WPARAM wp, LPARAM lp) {
  if (m == WM_USER + 9) return 0x99;
  return DefWindowProcA(h, m, wp, lp);
}

static ATOM register_a(const char *name, WNDPROC proc, int extra) {
  WNDCLASSA wc;
  memset(&wc, 0, sizeof(wc));
  wc.lpfnWndProc = proc;
  wc.cbWndExtra = extra;
  wc.lpszClassName = name;
  return RegisterClassA(&wc);
}

static HWND create_a(const char *cls, const char *name, LPVOID param) {
  return CreateWindowExA(0, cls, name, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
                         NULL, param);
}

/* Empties the calling thread's queue (and a pending WM_QUIT). */
static void drain_queue(void) {
  MSG m;
  int i;
  for (i = 0; i < 100000 && PeekMessageA(&m, NULL, 0, 0, PM_REMOVE); i++) {
  }
}

static void fresh_class_name(void) {
  static int n;
  sprintf(class_a, "ws2test_window_%d", ++n);
}

/* A class registered for one case and removed at its end. */
static void setup_class(void) {
  drain_queue();
  new_log();
  fresh_class_name();
  if (!register_a(CLASS_A, proc_a, 16)) FAIL("RegisterClassA");
}

/* A handle value that names no window. */
#define BOGUS_HWND ((HWND)(ULONG_PTR)0xdeadbee0)

/* ---- Classes ------------------------------------------------------------ */

TEST(class_register_duplicate_unregister) {
  WNDCLASSEXW wcx;
  WCHAR upper_w[32];
  ATOM a;
  int i;

  fresh_class_name();
  for (i = 0; class_a[i]; i++)
    upper_w[i] = (WCHAR)((class_a[i] >= 'a' && class_a[i] <= 'z')
                             ? class_a[i] - 'a' + 'A'
                             : class_a[i]);
  upper_w[i] = 0;
  a = register_a(CLASS_A, proc_a, 0);
  ASSERT_GE(a, 0xC000);
  /* Names are per process and compare without case, A or W. */
  ASSERT_FAILS_WITH(register_a(CLASS_A, proc_a, 0), 0,
                    ERROR_CLASS_ALREADY_EXISTS);
  memset(&wcx, 0, sizeof(wcx));
  wcx.cbSize = sizeof(wcx);
  wcx.lpfnWndProc = proc_w;
  wcx.lpszClassName = upper_w;
  ASSERT_FAILS_WITH(RegisterClassExW(&wcx), 0, ERROR_CLASS_ALREADY_EXISTS);

  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
  ASSERT_FAILS_WITH(UnregisterClassA(CLASS_A, NULL), FALSE,
                    ERROR_CLASS_DOES_NOT_EXIST);
  ASSERT_FAILS_WITH(UnregisterClassA("ws2test_never_registered", NULL), FALSE,
                    ERROR_CLASS_DOES_NOT_EXIST);

  /* Registered again, this time with the Ex W form, and removed by atom. */
  a = RegisterClassExW(&wcx);
  ASSERT_GE(a, 0xC000);
  ASSERT_TRUE(UnregisterClassA(MAKEINTATOM(a), NULL));
  ASSERT_FAILS_WITH(UnregisterClassW(upper_w, NULL), FALSE,
                    ERROR_CLASS_DOES_NOT_EXIST);
}

TEST(class_ex_checks_cbsize) {
  WNDCLASSEXA wcx;
  fresh_class_name();
  memset(&wcx, 0, sizeof(wcx));
  wcx.cbSize = sizeof(wcx) - 4;
  wcx.lpfnWndProc = proc_a;
  wcx.lpszClassName = CLASS_A;
  ASSERT_FAILS_WITH(RegisterClassExA(&wcx), 0, ERROR_INVALID_PARAMETER);
  wcx.cbSize = sizeof(wcx);
  ASSERT_NE(RegisterClassExA(&wcx), 0);
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(class_with_windows_cannot_be_unregistered) {
  HWND h;
  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_FAILS_WITH(UnregisterClassA(CLASS_A, NULL), FALSE,
                    ERROR_CLASS_HAS_WINDOWS);
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

/* Wine 8 reports ERROR_CLASS_DOES_NOT_EXIST; Windows reports
 * ERROR_CANNOT_FIND_WND_CLASS ("Cannot find window class."). */
TEST(create_unknown_class_fails) {
  ASSERT_FAILS_WITH(create_a("ws2test_no_such_class", NULL, NULL), NULL,
                    ERROR_CANNOT_FIND_WND_CLASS);
}

/* ---- Creating and destroying -------------------------------------------- */

TEST(create_destroy_message_window) {
  DWORD pid = 0;
  HWND h;
  int nc, cr, de, ncd;

  setup_class();
  h = create_a(CLASS_A, "ws2 window", (LPVOID)&log_);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_TRUE(IsWindow(h));
  ASSERT_EQ_U(GetWindowThreadProcessId(h, &pid), GetCurrentThreadId());
  ASSERT_EQ_U(pid, GetCurrentProcessId());
  ASSERT_EQ_U(GetWindowThreadProcessId(h, NULL), GetCurrentThreadId());

  /* WM_NCCREATE, then WM_CREATE, each with the CREATESTRUCT. */
  nc = find_call(WM_NCCREATE, 0);
  cr = find_call(WM_CREATE, 0);
  ASSERT_GE(nc, 0);
  ASSERT_GT(cr, nc);
  ASSERT_EQ_PTR(log_.calls[nc].hwnd, h);
  ASSERT_EQ_PTR(log_.create_param, &log_);
  ASSERT_TRUE(strcmp(log_.create_name, "ws2 window") == 0);
  ASSERT_TRUE(strcmp(log_.create_class, CLASS_A) == 0);

  ASSERT_TRUE(DestroyWindow(h));
  de = find_call(WM_DESTROY, cr);
  ncd = find_call(WM_NCDESTROY, cr);
  ASSERT_GT(de, cr);
  ASSERT_GT(ncd, de);
  ASSERT_EQ_PTR(log_.calls[de].hwnd, h);
  ASSERT_FALSE(IsWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

/* Wine 8 reports ERROR_ACCESS_DENIED for a handle that names no window
 * (it takes it for another process's); Windows reports
 * ERROR_INVALID_WINDOW_HANDLE. */
TEST(destroy_window_invalid_handle) {
  HWND h;
  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_FAILS_WITH(DestroyWindow(h), FALSE, ERROR_INVALID_WINDOW_HANDLE);
  ASSERT_FAILS_WITH(DestroyWindow(BOGUS_HWND), FALSE,
                    ERROR_INVALID_WINDOW_HANDLE);
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(create_converts_createstruct_to_the_class_charset) {
  static const WCHAR cls_w[] = {'w', 's', '2', 't', 'e', 's', 't', '_',
                                'w', 'i', 'd', 'e', 0};
  static const WCHAR want[] = {'h', 'i', 0};
  WNDCLASSW wc;
  HWND h;

  new_log();
  memset(&wc, 0, sizeof(wc));
  wc.lpfnWndProc = proc_w;
  wc.lpszClassName = cls_w;
  ASSERT_NE(RegisterClassW(&wc), 0);
  /* Created through the A function, the W procedure reads WCHARs. */
  h = create_a("ws2test_wide", "hi", NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_TRUE(IsWindowUnicode(h));
  ASSERT_MEM_EQ(log_.create_name_w, want, sizeof(want));
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassW(cls_w, NULL));
}

TEST(create_refused_by_wm_create_or_wm_nccreate) {
  HWND h;
  setup_class();
  log_.create_result = -1;
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_EQ_PTR(h, NULL);
  ASSERT_GE(find_call(WM_NCDESTROY, 0), 0);

  new_log();
  log_.nccreate_result = FALSE;
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_EQ_PTR(h, NULL);
  ASSERT_EQ(find_call(WM_CREATE, 0), -1);
  /* Nothing of either window is left. */
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(create_with_a_bad_parent) {
  setup_class();
  ASSERT_FAILS_WITH(CreateWindowExA(0, CLASS_A, NULL, 0, 0, 0, 0, 0,
                                    BOGUS_HWND, NULL, NULL, NULL),
                    NULL, ERROR_INVALID_WINDOW_HANDLE);
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(system_message_class) {
  /* "Message" is the system class for message-only windows. */
  HWND h = CreateWindowExA(0, "Message", NULL, 0, 0, 0, 0, 0, HWND_MESSAGE,
                           NULL, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_TRUE(PostMessageA(h, WM_USER, 0, 0));
  ASSERT_TRUE(DestroyWindow(h));
  drain_queue();
}

TEST(wm_close_destroys_through_defwindowproc) {
  HWND h;
  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(SendMessageA(h, WM_CLOSE, 0, 0), 0);
  ASSERT_FALSE(IsWindow(h));
  ASSERT_GE(find_call(WM_DESTROY, 0), 0);
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

struct other_ctx {
  HWND h;
  BOOL destroyed;
  DWORD error;
};

static DWORD WINAPI destroy_from_other(LPVOID arg) {
  struct other_ctx *c = (struct other_ctx *)arg;
  SetLastError(0);
  c->destroyed = DestroyWindow(c->h);
  c->error = GetLastError();
  return 0;
}

TEST(destroy_from_another_thread_is_denied) {
  struct other_ctx c;
  HANDLE t;
  setup_class();
  memset(&c, 0, sizeof(c));
  c.h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(c.h, NULL);
  t = start_thread(destroy_from_other, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_JOINED(t, MSG_WAIT_MS);
  ASSERT_FALSE(c.destroyed);
  ASSERT_EQ_U(c.error, ERROR_ACCESS_DENIED);
  ASSERT_TRUE(IsWindow(c.h));
  ASSERT_TRUE(DestroyWindow(c.h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

struct exit_ctx {
  HWND h;
  DWORD tid;
};

static DWORD WINAPI create_and_exit(LPVOID arg) {
  struct exit_ctx *c = (struct exit_ctx *)arg;
  c->h = create_a(CLASS_A, NULL, NULL);
  c->tid = GetCurrentThreadId();
  if (c->h) PostMessageA(c->h, WM_USER, 0, 0); /* left in the queue */
  return 0;
}

TEST(windows_destroyed_when_their_thread_exits) {
  struct exit_ctx c;
  HANDLE t;
  setup_class();
  memset(&c, 0, sizeof(c));
  t = start_thread(create_and_exit, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_JOINED(t, MSG_WAIT_MS);
  ASSERT_NE_PTR(c.h, NULL);
  ASSERT_FALSE(IsWindow(c.h));
  ASSERT_FAILS_WITH(PostMessageA(c.h, WM_USER, 0, 0), FALSE,
                    ERROR_INVALID_WINDOW_HANDLE);
  ASSERT_FALSE(PostThreadMessageA(c.tid, WM_USER, 0, 0));
  /* The class has no windows left. */
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

/* ---- Posting and retrieving ----------------------------------------------- */

TEST(post_get_in_order) {
  MSG m;
  HWND h;
  int i;

  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  for (i = 0; i < 3; i++)
    ASSERT_TRUE(PostMessageA(h, WM_USER + i, (WPARAM)i * 10, (LPARAM)i * 100));
  ASSERT_TRUE(PostMessageA(NULL, WM_APP, 5, 6)); /* to this thread */
  for (i = 0; i < 3; i++) {
    memset(&m, 0, sizeof(m));
    ASSERT_EQ(GetMessageA(&m, NULL, 0, 0), TRUE);
    ASSERT_EQ_PTR(m.hwnd, h);
    ASSERT_EQ_U(m.message, WM_USER + i);
    ASSERT_EQ_U(m.wParam, (WPARAM)i * 10);
    ASSERT_EQ(m.lParam, (LPARAM)i * 100);
    ASSERT_LT(GetTickCount() - m.time, 60000);
  }
  ASSERT_EQ(GetMessageW(&m, NULL, 0, 0), TRUE);
  ASSERT_EQ_PTR(m.hwnd, NULL);
  ASSERT_EQ_U(m.message, WM_APP);
  ASSERT_EQ_U(m.wParam, 5);
  ASSERT_EQ(m.lParam, 6);
  ASSERT_FALSE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(get_and_peek_filters) {
  MSG m;
  HWND a, b;

  setup_class();
  a = create_a(CLASS_A, NULL, NULL);
  b = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(a, NULL);
  ASSERT_NE_PTR(b, NULL);
  ASSERT_TRUE(PostMessageA(a, WM_USER + 1, 1, 0));
  ASSERT_TRUE(PostMessageA(b, WM_USER + 2, 2, 0));
  ASSERT_TRUE(PostMessageA(a, WM_USER + 5, 3, 0));
  ASSERT_TRUE(PostThreadMessageA(GetCurrentThreadId(), WM_APP + 1, 4, 0));

  /* Range filter: the first message in the range, wherever it is. */
  ASSERT_EQ(GetMessageA(&m, NULL, WM_USER + 5, WM_USER + 5), TRUE);
  ASSERT_EQ_U(m.wParam, 3);
  /* Window filter. */
  ASSERT_EQ(GetMessageA(&m, b, 0, 0), TRUE);
  ASSERT_EQ_U(m.wParam, 2);
  ASSERT_FALSE(PeekMessageA(&m, b, 0, 0, PM_REMOVE));
  /* (HWND)-1: thread messages only. */
  ASSERT_TRUE(PeekMessageA(&m, (HWND)(LONG_PTR)-1, 0, 0, PM_REMOVE));
  ASSERT_EQ_U(m.wParam, 4);
  ASSERT_EQ_PTR(m.hwnd, NULL);
  ASSERT_FALSE(PeekMessageA(&m, (HWND)(LONG_PTR)-1, 0, 0, PM_REMOVE));
  /* Range and window together; nothing outside either is taken. */
  ASSERT_FALSE(PeekMessageA(&m, a, WM_USER + 2, WM_USER + 9, PM_REMOVE));
  ASSERT_TRUE(PeekMessageA(&m, a, WM_USER, WM_USER + 1, PM_REMOVE));
  ASSERT_EQ_U(m.wParam, 1);
  ASSERT_FALSE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));

  ASSERT_TRUE(DestroyWindow(a));
  ASSERT_TRUE(DestroyWindow(b));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(peek_remove_and_noremove) {
  MSG m;
  HWND h;

  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_FALSE(PeekMessageA(&m, NULL, 0, 0, PM_NOREMOVE));
  ASSERT_TRUE(PostMessageA(h, WM_USER + 3, 33, 0));
  ASSERT_TRUE(PostMessageA(h, WM_USER + 4, 44, 0));
  ASSERT_TRUE(PeekMessageA(&m, NULL, 0, 0, PM_NOREMOVE));
  ASSERT_EQ_U(m.message, WM_USER + 3);
  ASSERT_TRUE(PeekMessageW(&m, NULL, 0, 0, PM_NOREMOVE | PM_NOYIELD));
  ASSERT_EQ_U(m.message, WM_USER + 3);
  ASSERT_TRUE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));
  ASSERT_EQ_U(m.message, WM_USER + 3);
  ASSERT_EQ_U(m.wParam, 33);
  ASSERT_TRUE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));
  ASSERT_EQ_U(m.message, WM_USER + 4);
  ASSERT_FALSE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(quit_comes_last_with_its_exit_code) {
  MSG m;
  HWND h;

  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_TRUE(PostMessageA(h, WM_USER, 0, 0));
  PostQuitMessage(42);
  ASSERT_TRUE(PostMessageA(h, WM_USER + 1, 0, 0));
  /* WM_QUIT waits until the posted messages are gone. */
  ASSERT_EQ(GetMessageA(&m, NULL, 0, 0), TRUE);
  ASSERT_EQ_U(m.message, WM_USER);
  ASSERT_EQ(GetMessageA(&m, NULL, 0, 0), TRUE);
  ASSERT_EQ_U(m.message, WM_USER + 1);
  /* Peeking without removing leaves it there. */
  ASSERT_TRUE(PeekMessageA(&m, NULL, 0, 0, PM_NOREMOVE));
  ASSERT_EQ_U(m.message, WM_QUIT);
  ASSERT_EQ(GetMessageA(&m, NULL, 0, 0), 0);
  ASSERT_EQ_U(m.message, WM_QUIT);
  ASSERT_EQ_U(m.wParam, 42);
  ASSERT_EQ_PTR(m.hwnd, NULL);
  ASSERT_FALSE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));

  /* Any range retrieves WM_QUIT. */
  PostQuitMessage(7);
  ASSERT_EQ(GetMessageA(&m, NULL, WM_USER + 100, WM_USER + 100), 0);
  ASSERT_EQ_U(m.wParam, 7);
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(posted_wm_quit_returns_zero) {
  MSG m;
  ASSERT_TRUE(PostThreadMessageA(GetCurrentThreadId(), WM_QUIT, 3, 0));
  ASSERT_EQ(GetMessageA(&m, NULL, 0, 0), 0);
  ASSERT_EQ_U(m.message, WM_QUIT);
  ASSERT_EQ_U(m.wParam, 3);
  drain_queue();
}

TEST(destroy_window_drops_its_posted_messages) {
  MSG m;
  HWND a, b;
  setup_class();
  a = create_a(CLASS_A, NULL, NULL);
  b = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(a, NULL);
  ASSERT_NE_PTR(b, NULL);
  ASSERT_TRUE(PostMessageA(a, WM_USER, 1, 0));
  ASSERT_TRUE(PostMessageA(b, WM_USER, 2, 0));
  ASSERT_TRUE(DestroyWindow(a));
  ASSERT_TRUE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));
  ASSERT_EQ_PTR(m.hwnd, b);
  ASSERT_FALSE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));
  ASSERT_TRUE(DestroyWindow(b));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

/* PostMessage documents a limit of 10000 posted messages per queue and
 * ERROR_NOT_ENOUGH_QUOTA beyond it; Wine 8 has no limit. */
TEST(posted_message_limit) {
  HWND h;
  int i, ok = 0;
  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  for (i = 0; i < 10000; i++) ok += PostMessageA(h, WM_USER, (WPARAM)i, 0) != 0;
  ASSERT_EQ(ok, 10000);
  ASSERT_FAILS_WITH(PostMessageA(h, WM_USER, 0, 0), FALSE,
                    ERROR_NOT_ENOUGH_QUOTA);
  drain_queue();
  ASSERT_TRUE(PostMessageA(h, WM_USER, 0, 0));
  drain_queue();
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

/* ---- Across threads ---------------------------------------------------------- */

struct poster_ctx {
  HWND h;
  DWORD tid;
  DWORD delay_ms;
  UINT msg;
  BOOL posted;
};

static DWORD WINAPI poster(LPVOID arg) {
  struct poster_ctx *c = (struct poster_ctx *)arg;
  Sleep(c->delay_ms);
  if (c->h)
    c->posted = PostMessageA(c->h, c->msg, 0x1111, 0x2222);
  else
    c->posted = PostThreadMessageA(c->tid, c->msg, 0x1111, 0x2222);
  return 0;
}

TEST(post_from_another_thread_wakes_get_message) {
  struct poster_ctx c;
  ULONGLONG t0;
  HANDLE t;
  HWND h;
  MSG m;

  setup_class();
  memset(&c, 0, sizeof(c));
  c.h = h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(c.h, NULL);
  c.delay_ms = 100;
  c.msg = WM_USER + 42;
  t0 = GetTickCount64();
  t = start_thread(poster, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(GetMessageA(&m, NULL, 0, 0), TRUE); /* blocks until posted */
  ASSERT_GE(GetTickCount64() - t0, 100 - SLACK_MS);
  ASSERT_LT(GetTickCount64() - t0, MSG_WAIT_MS);
  ASSERT_EQ_PTR(m.hwnd, c.h);
  ASSERT_EQ_U(m.message, WM_USER + 42);
  ASSERT_EQ_U(m.wParam, 0x1111);
  ASSERT_EQ(m.lParam, 0x2222);
  ASSERT_JOINED(t, MSG_WAIT_MS);
  ASSERT_TRUE(c.posted);

  /* PostThreadMessage to this thread wakes it the same way. */
  memset(&c, 0, sizeof(c));
  c.tid = GetCurrentThreadId();
  c.delay_ms = 50;
  c.msg = WM_APP + 1;
  t = start_thread(poster, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(GetMessageA(&m, NULL, 0, 0), TRUE);
  ASSERT_EQ_PTR(m.hwnd, NULL);
  ASSERT_EQ_U(m.message, WM_APP + 1);
  ASSERT_JOINED(t, MSG_WAIT_MS);
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

/* A thread with a message loop: it creates a window, says so, and pumps
 * until WM_QUIT, recording what it got. */
struct loop_ctx {
  HANDLE ready;
  HWND h;
  DWORD tid;
  LONG got;
  UINT last_msg;
  WPARAM last_wp;
  int quit_code;
};

static struct loop_ctx *loop_self;

static LRESULT CALLBACK loop_proc(HWND h, UINT m, WPARAM wp, LPARAM lp) {
  switch (m) {
    case WM_USER + 10:
      /* Runs on the window's thread, whoever sent it. */
      return (LRESULT)(wp + (WPARAM)lp + (GetCurrentThreadId() == loop_self->tid
                                              ? 1000
                                              : 0));
    case WM_USER + 21:
      /* Sends back to the sender's window while the sender waits. */
      return SendMessageA((HWND)wp, WM_USER + 10, 100, 1);
    case WM_USER + 20:
      ExitThread(9); /* with a SendMessage waiting for the result */
      return 0;
    case WM_DESTROY:
      PostQuitMessage(5);
      return 0;
    default:
      return DefWindowProcA(h, m, wp, lp);
  }
}

static DWORD WINAPI loop_thread(LPVOID arg) {
  struct loop_ctx *c = (struct loop_ctx *)arg;
  MSG m;
  BOOL r;
  c->tid = GetCurrentThreadId();
  c->h = create_a("ws2test_loop", NULL, NULL);
  SetEvent(c->ready);
  if (!c->h) return 1;
  while ((r = GetMessageA(&m, NULL, 0, 0)) > 0) {
    InterlockedIncrement(&c->got);
    c->last_msg = m.message;
    c->last_wp = m.wParam;
    TranslateMessage(&m);
    DispatchMessageA(&m);
  }
  c->quit_code = (int)m.wParam;
  return r == 0 ? 0 : 2;
}

TEST(send_and_post_to_a_window_of_another_thread) {
  struct loop_ctx c;
  HANDLE t;
  DWORD code = 99;

  drain_queue();
  UnregisterClassA("ws2test_loop", NULL);
  ASSERT_NE(register_a("ws2test_loop", loop_proc, 0), 0);
  memset(&c, 0, sizeof(c));
  loop_self = &c;
  c.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(c.ready, NULL);
  t = start_thread(loop_thread, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(c.ready, MSG_WAIT_MS), WAIT_OBJECT_0);
  ASSERT_NE_PTR(c.h, NULL);
  ASSERT_EQ_U(GetWindowThreadProcessId(c.h, NULL), c.tid);

  /* SendMessage runs the procedure on the window's thread and returns
   * its result. */
  ASSERT_EQ(SendMessageA(c.h, WM_USER + 10, 10, 20), 1030);
  ASSERT_EQ(SendMessageW(c.h, WM_USER + 10, 1, 2), 1003);
  ASSERT_EQ(read_long(&c.got), 0); /* sent messages are not retrieved */

  /* A send back to this thread while it waits for the reply runs here,
   * in the waiting SendMessage. */
  {
    HWND mine;
    int i;
    new_log();
    fresh_class_name();
    ASSERT_NE(register_a(CLASS_A, proc_a, 0), 0);
    mine = create_a(CLASS_A, NULL, NULL);
    ASSERT_NE_PTR(mine, NULL);
    ASSERT_EQ(SendMessageA(c.h, WM_USER + 21, (WPARAM)mine, 0), 101);
    i = find_call(WM_USER + 10, 0);
    ASSERT_GE(i, 0);
    ASSERT_EQ_U(log_.calls[i].tid, GetCurrentThreadId());
    ASSERT_TRUE(DestroyWindow(mine));
    ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
  }

  ASSERT_TRUE(PostMessageA(c.h, WM_USER + 11, 77, 0));
  ASSERT_TRUE(wait_count(&c.got, 1, MSG_WAIT_MS));
  /* WM_CLOSE -> DefWindowProc -> DestroyWindow -> WM_DESTROY ->
   * PostQuitMessage(5) -> the loop ends. */
  ASSERT_TRUE(PostMessageA(c.h, WM_CLOSE, 0, 0));
  ASSERT_EQ(WaitForSingleObject(t, MSG_WAIT_MS), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ_U(code, 0);
  ASSERT_TRUE(CloseHandle(t));
  ASSERT_EQ(c.quit_code, 5);
  ASSERT_EQ_U(c.last_msg, WM_CLOSE);
  ASSERT_FALSE(IsWindow(c.h));
  ASSERT_TRUE(CloseHandle(c.ready));
  ASSERT_TRUE(UnregisterClassA("ws2test_loop", NULL));
}

TEST(send_to_a_thread_that_exits_in_the_procedure) {
  struct loop_ctx c;
  HANDLE t;
  DWORD code = 0;

  drain_queue();
  UnregisterClassA("ws2test_loop", NULL);
  ASSERT_NE(register_a("ws2test_loop", loop_proc, 0), 0);
  memset(&c, 0, sizeof(c));
  loop_self = &c;
  c.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(c.ready, NULL);
  t = start_thread(loop_thread, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(c.ready, MSG_WAIT_MS), WAIT_OBJECT_0);
  ASSERT_NE_PTR(c.h, NULL);
  /* The receiver exits without replying: the sender gets 0. */
  ASSERT_EQ(SendMessageA(c.h, WM_USER + 20, 0, 0), 0);
  ASSERT_EQ(WaitForSingleObject(t, MSG_WAIT_MS), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ_U(code, 9);
  ASSERT_TRUE(CloseHandle(t));
  ASSERT_FALSE(IsWindow(c.h));
  ASSERT_TRUE(CloseHandle(c.ready));
  ASSERT_TRUE(UnregisterClassA("ws2test_loop", NULL));
}

struct queue_ctx {
  HANDLE ready, go;
  DWORD tid;
  MSG got;
  BOOL r;
  BOOL had_queue;
};

static DWORD WINAPI thread_with_queue(LPVOID arg) {
  struct queue_ctx *c = (struct queue_ctx *)arg;
  MSG m;
  c->tid = GetCurrentThreadId();
  if (c->had_queue) PeekMessageA(&m, NULL, 0, 0, PM_NOREMOVE); /* makes it */
  SetEvent(c->ready);
  WaitForSingleObject(c->go, MSG_WAIT_MS);
  if (c->had_queue) c->r = GetMessageA(&c->got, NULL, 0, 0);
  return 0;
}

/* PostThreadMessage documents ERROR_INVALID_THREAD_ID for a thread that
 * has no message queue and for an invalid thread id (here, that of a
 * thread that has exited); Wine 8 reports ERROR_INVALID_PARAMETER. */
TEST(post_thread_message_invalid_thread_id) {
  struct queue_ctx c;
  HANDLE t;
  BOOL posted;
  DWORD error;

  /* A thread that never called a message function has no queue. */
  memset(&c, 0, sizeof(c));
  c.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  c.go = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(c.ready, NULL);
  ASSERT_NE_PTR(c.go, NULL);
  t = start_thread(thread_with_queue, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(c.ready, MSG_WAIT_MS), WAIT_OBJECT_0);
  SetLastError(0);
  posted = PostThreadMessageA(c.tid, WM_APP, 0, 0);
  error = GetLastError();
  SetEvent(c.go);
  ASSERT_JOINED(t, MSG_WAIT_MS);
  ASSERT_TRUE(CloseHandle(c.ready));
  ASSERT_TRUE(CloseHandle(c.go));
  ASSERT_FALSE(posted);
  ASSERT_EQ_U(error, ERROR_INVALID_THREAD_ID);
  ASSERT_FAILS_WITH(PostThreadMessageA(c.tid, WM_APP, 0, 0), FALSE,
                    ERROR_INVALID_THREAD_ID);
}

TEST(post_thread_message_to_a_thread_with_a_queue) {
  struct queue_ctx c;
  HANDLE t;

  /* Once it has one, its GetMessage gets the message. */
  memset(&c, 0, sizeof(c));
  c.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  c.go = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(c.ready, NULL);
  ASSERT_NE_PTR(c.go, NULL);
  c.had_queue = TRUE;
  t = start_thread(thread_with_queue, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(c.ready, MSG_WAIT_MS), WAIT_OBJECT_0);
  ASSERT_TRUE(PostThreadMessageW(c.tid, WM_APP + 2, 8, 9));
  SetEvent(c.go);
  ASSERT_JOINED(t, MSG_WAIT_MS);
  ASSERT_EQ(c.r, TRUE);
  ASSERT_EQ_PTR(c.got.hwnd, NULL);
  ASSERT_EQ_U(c.got.message, WM_APP + 2);
  ASSERT_EQ_U(c.got.wParam, 8);
  ASSERT_EQ(c.got.lParam, 9);
  /* The thread is gone, and its queue with it. */
  ASSERT_FALSE(PostThreadMessageA(c.tid, WM_APP, 0, 0));
  ASSERT_TRUE(CloseHandle(c.ready));
  ASSERT_TRUE(CloseHandle(c.go));
}

/* ---- Dispatching, window longs --------------------------------------------- */

TEST(dispatch_calls_the_procedure_with_the_message) {
  LONG_PTR data = 0x5a5a;
  MSG m;
  HWND h;
  int i;

  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  SetLastError(0);
  ASSERT_EQ(SetWindowLongPtrA(h, GWLP_USERDATA, (LONG_PTR)&data), 0);
  ASSERT_EQ_U(GetLastError(), 0);
  ASSERT_EQ(GetWindowLongPtrA(h, GWLP_USERDATA), (LONG_PTR)&data);
  ASSERT_TRUE(PostMessageA(h, WM_USER + 9, 0x1234, 0x5678));
  ASSERT_EQ(GetMessageA(&m, NULL, 0, 0), TRUE);
  ASSERT_FALSE(TranslateMessage(&m));
  new_log();
  ASSERT_EQ(DispatchMessageA(&m), 0x77);
  i = find_call(WM_USER + 9, 0);
  ASSERT_GE(i, 0);
  ASSERT_EQ_PTR(log_.calls[i].hwnd, h);
  ASSERT_EQ_U(log_.calls[i].wp, 0x1234);
  ASSERT_EQ(log_.calls[i].lp, 0x5678);
  ASSERT_EQ_U(log_.calls[i].tid, GetCurrentThreadId());
  ASSERT_EQ(log_.userdata_in_proc, (LONG_PTR)&data);

  /* SendMessage to a window of this thread calls the procedure directly. */
  ASSERT_EQ(SendMessageA(h, WM_USER + 10, 3, 4), 7);
  /* A thread message has no procedure to go to. */
  memset(&m, 0, sizeof(m));
  m.message = WM_USER + 9;
  ASSERT_EQ(DispatchMessageA(&m), 0);

  /* Replacing the procedure (subclassing). */
  ASSERT_EQ((LONG_PTR)GetWindowLongPtrA(h, GWLP_WNDPROC), (LONG_PTR)proc_a);
  ASSERT_EQ(SetWindowLongPtrA(h, GWLP_WNDPROC, (LONG_PTR)proc_other),
            (LONG_PTR)proc_a);
  ASSERT_EQ(SendMessageA(h, WM_USER + 9, 0, 0), 0x99);
  ASSERT_EQ(CallWindowProcA(proc_a, h, WM_USER + 10, 5, 6), 11);
  ASSERT_EQ(SetWindowLongPtrA(h, GWLP_WNDPROC, (LONG_PTR)proc_a),
            (LONG_PTR)proc_other);
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(window_extra_bytes) {
  HWND h;
  setup_class(); /* cbWndExtra = 16 */
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(GetWindowLongPtrA(h, 0), 0);
  ASSERT_EQ(GetWindowLongPtrA(h, 8), 0);
  ASSERT_EQ(SetWindowLongPtrA(h, 8, 0x123456789LL), 0);
  ASSERT_EQ(GetWindowLongPtrW(h, 8), 0x123456789LL);
  ASSERT_EQ(SetWindowLongPtrW(h, 0, -5), 0);
  ASSERT_EQ(GetWindowLongPtrA(h, 0), -5);
  ASSERT_FAILS_WITH(GetWindowLongPtrA(h, 9), 0, ERROR_INVALID_INDEX);
  ASSERT_FAILS_WITH(SetWindowLongPtrA(h, 16, 1), 0, ERROR_INVALID_INDEX);
  ASSERT_FAILS_WITH(GetWindowLongPtrA(h, -1000), 0, ERROR_INVALID_INDEX);
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(invalid_window_handle_errors) {
  MSG m;
  HWND gone;

  setup_class();
  gone = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(gone, NULL);
  ASSERT_TRUE(DestroyWindow(gone));
  {
    HWND bad[2];
    int i;
    bad[0] = BOGUS_HWND;
    bad[1] = gone;
    for (i = 0; i < 2; i++) {
      HWND h = bad[i];
      ASSERT_FALSE(IsWindow(h));
      ASSERT_FAILS_WITH(PostMessageA(h, WM_USER, 0, 0), FALSE,
                        ERROR_INVALID_WINDOW_HANDLE);
      ASSERT_FAILS_WITH(PostMessageW(h, WM_USER, 0, 0), FALSE,
                        ERROR_INVALID_WINDOW_HANDLE);
      ASSERT_FAILS_WITH(SendMessageA(h, WM_USER, 0, 0), 0,
                        ERROR_INVALID_WINDOW_HANDLE);
      ASSERT_FAILS_WITH(GetMessageA(&m, h, 0, 0), -1,
                        ERROR_INVALID_WINDOW_HANDLE);
      ASSERT_FAILS_WITH(PeekMessageA(&m, h, 0, 0, PM_REMOVE), FALSE,
                        ERROR_INVALID_WINDOW_HANDLE);
      ASSERT_FAILS_WITH(GetWindowThreadProcessId(h, NULL), 0,
                        ERROR_INVALID_WINDOW_HANDLE);
      ASSERT_FAILS_WITH(GetWindowLongPtrA(h, GWLP_USERDATA), 0,
                        ERROR_INVALID_WINDOW_HANDLE);
      ASSERT_FAILS_WITH(SetWindowLongPtrA(h, GWLP_USERDATA, 1), 0,
                        ERROR_INVALID_WINDOW_HANDLE);
      memset(&m, 0, sizeof(m));
      m.hwnd = h;
      m.message = WM_USER;
      ASSERT_FAILS_WITH(DispatchMessageA(&m), 0, ERROR_INVALID_WINDOW_HANDLE);
    }
  }
  /* A window handle is not a kernel handle: CloseHandle does not close it. */
  {
    HWND h = create_a(CLASS_A, NULL, NULL);
    ASSERT_NE_PTR(h, NULL);
    ASSERT_FALSE(CloseHandle((HANDLE)h));
    ASSERT_TRUE(IsWindow(h));
    ASSERT_TRUE(DestroyWindow(h));
  }
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

/* ---- Waiting for messages ---------------------------------------------------- */

TEST(msg_wait_for_multiple_objects) {
  HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
  struct poster_ctx c;
  HANDLE t;
  MSG m;

  ASSERT_NE_PTR(ev, NULL);
  setup_class();
  memset(&c, 0, sizeof(c));
  c.h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(c.h, NULL);
  ASSERT_EQ(MsgWaitForMultipleObjects(1, &ev, FALSE, 0, QS_ALLINPUT),
            WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(ev));
  ASSERT_EQ(MsgWaitForMultipleObjects(1, &ev, FALSE, 0, QS_ALLINPUT),
            WAIT_OBJECT_0);

  /* New input ends the wait. */
  ASSERT_TRUE(PostMessageA(c.h, WM_USER, 0, 0));
  ASSERT_EQ(MsgWaitForMultipleObjects(1, &ev, FALSE, 0, QS_ALLINPUT),
            WAIT_OBJECT_0 + 1);
  /* Input PeekMessage has seen is no longer new, though still there:
   * MWMO_INPUTAVAILABLE sees it. */
  ASSERT_TRUE(PeekMessageA(&m, NULL, 0, 0, PM_NOREMOVE));
  ASSERT_EQ(MsgWaitForMultipleObjects(1, &ev, FALSE, 0, QS_ALLINPUT),
            WAIT_TIMEOUT);
  ASSERT_EQ(MsgWaitForMultipleObjectsEx(1, &ev, 0, QS_ALLINPUT,
                                        MWMO_INPUTAVAILABLE),
            WAIT_OBJECT_0 + 1);
  drain_queue();

  /* Only the kinds of input in the wake mask count. */
  ASSERT_TRUE(PostMessageA(c.h, WM_USER, 0, 0));
  ASSERT_EQ(MsgWaitForMultipleObjects(0, NULL, FALSE, 0, QS_SENDMESSAGE),
            WAIT_TIMEOUT);
  drain_queue();

  /* A post from another thread wakes a blocked wait. */
  c.delay_ms = 50;
  c.msg = WM_USER + 1;
  t = start_thread(poster, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(MsgWaitForMultipleObjectsEx(1, &ev, MSG_WAIT_MS, QS_POSTMESSAGE,
                                        0),
            WAIT_OBJECT_0 + 1);
  ASSERT_JOINED(t, MSG_WAIT_MS);
  ASSERT_TRUE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));
  ASSERT_EQ_U(m.message, WM_USER + 1);

  ASSERT_TRUE(DestroyWindow(c.h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
  ASSERT_TRUE(CloseHandle(ev));
}

static void CALLBACK count_apc(ULONG_PTR arg) {
  InterlockedIncrement((volatile LONG *)arg);
}

TEST(msg_wait_all_and_alertable) {
  HANDLE ev = CreateEventA(NULL, TRUE, TRUE, NULL);
  volatile LONG ran = 0;
  HWND h;

  ASSERT_NE_PTR(ev, NULL);
  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  /* Wait-all: the object alone is not enough, the input completes it. */
  ASSERT_EQ(MsgWaitForMultipleObjectsEx(1, &ev, 0, QS_ALLINPUT, MWMO_WAITALL),
            WAIT_TIMEOUT);
  ASSERT_TRUE(PostMessageA(h, WM_USER, 0, 0));
  ASSERT_EQ(MsgWaitForMultipleObjectsEx(1, &ev, 0, QS_ALLINPUT, MWMO_WAITALL),
            WAIT_OBJECT_0);
  drain_queue();
  /* Alertable: a queued APC runs and ends the wait. */
  ASSERT_TRUE(ResetEvent(ev));
  ASSERT_TRUE(QueueUserAPC(count_apc, GetCurrentThread(), (ULONG_PTR)&ran));
  ASSERT_EQ(MsgWaitForMultipleObjectsEx(1, &ev, MSG_WAIT_MS, QS_ALLINPUT,
                                        MWMO_ALERTABLE),
            WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&ran), 1);
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
  ASSERT_TRUE(CloseHandle(ev));
}

/* MsgWaitForMultipleObjects(Ex) documents that it, too, marks the input
 * it reports as no longer new; Wine 8 reports the same input again. */
TEST(msg_wait_reports_new_input_once) {
  HWND h;
  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_TRUE(PostMessageA(h, WM_USER, 0, 0));
  ASSERT_EQ(MsgWaitForMultipleObjects(0, NULL, FALSE, 0, QS_ALLINPUT),
            WAIT_OBJECT_0);
  ASSERT_EQ(MsgWaitForMultipleObjects(0, NULL, FALSE, 0, QS_ALLINPUT),
            WAIT_TIMEOUT);
  ASSERT_EQ(MsgWaitForMultipleObjectsEx(0, NULL, 0, QS_ALLINPUT,
                                        MWMO_INPUTAVAILABLE),
            WAIT_OBJECT_0);
  drain_queue();
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(msg_wait_bad_arguments) {
  HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL), bogus = BOGUS_HANDLE;
  ASSERT_NE_PTR(ev, NULL);
  ASSERT_FAILS_WITH(MsgWaitForMultipleObjects(1, &bogus, FALSE, 0,
                                              QS_ALLINPUT),
                    WAIT_FAILED, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(MsgWaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, &ev, FALSE,
                                              0, QS_ALLINPUT),
                    WAIT_FAILED, ERROR_INVALID_PARAMETER);
  ASSERT_TRUE(CloseHandle(ev));
}

TEST(get_queue_status) {
  HWND h;
  DWORD s;
  setup_class();
  h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(h, NULL);
  drain_queue();
  ASSERT_EQ_U(GetQueueStatus(QS_POSTMESSAGE), 0);
  ASSERT_TRUE(PostMessageA(h, WM_USER, 0, 0));
  s = GetQueueStatus(QS_POSTMESSAGE);
  ASSERT_EQ_U(s, (QS_POSTMESSAGE << 16) | QS_POSTMESSAGE);
  /* Seen: still there, no longer new. */
  s = GetQueueStatus(QS_POSTMESSAGE);
  ASSERT_EQ_U(s, QS_POSTMESSAGE << 16);
  drain_queue();
  ASSERT_EQ_U(GetQueueStatus(QS_POSTMESSAGE), 0);
  ASSERT_TRUE(DestroyWindow(h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}

TEST(peek_qs_filters_and_wait_message) {
  struct poster_ctx c;
  HANDLE t;
  MSG m;

  setup_class();
  memset(&c, 0, sizeof(c));
  c.h = create_a(CLASS_A, NULL, NULL);
  ASSERT_NE_PTR(c.h, NULL);
  /* PM_QS_*: only the kinds of message named are looked at. */
  ASSERT_TRUE(PostMessageA(c.h, WM_USER, 0, 0));
  ASSERT_FALSE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE | PM_QS_SENDMESSAGE));
  ASSERT_TRUE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE | PM_QS_POSTMESSAGE));
  ASSERT_EQ_U(m.message, WM_USER);

  /* WaitMessage returns once a message arrives. */
  c.delay_ms = 50;
  c.msg = WM_USER + 2;
  t = start_thread(poster, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_TRUE(WaitMessage());
  ASSERT_JOINED(t, MSG_WAIT_MS);
  ASSERT_TRUE(c.posted);
  ASSERT_TRUE(PeekMessageA(&m, NULL, 0, 0, PM_REMOVE));
  ASSERT_EQ_U(m.message, WM_USER + 2);
  ASSERT_TRUE(DestroyWindow(c.h));
  ASSERT_TRUE(UnregisterClassA(CLASS_A, NULL));
}
