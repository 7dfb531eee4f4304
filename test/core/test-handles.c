/*
 * test-handles.c: kernel object handles (CloseHandle, DuplicateHandle,
 * Get/SetHandleInformation, handle values) and the per-thread last error.
 */
#include "ws2test.h"
#include "core-helpers.h"

TEST(close_null_handle_fails) {
  ASSERT_FAILS_WITH(CloseHandle(NULL), FALSE, ERROR_INVALID_HANDLE);
}

TEST(close_garbage_handle_fails) {
  ASSERT_FAILS_WITH(CloseHandle(BOGUS_HANDLE), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(CloseHandle((HANDLE)(ULONG_PTR)0x7ffff000), FALSE,
                    ERROR_INVALID_HANDLE);
}

TEST(close_twice_fails) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(CloseHandle(e));
  ASSERT_FAILS_WITH(CloseHandle(e), FALSE, ERROR_INVALID_HANDLE);
  /* ...and the closed value is no longer usable for anything. */
  ASSERT_FAILS_WITH(SetEvent(e), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WaitForSingleObject(e, 0), WAIT_FAILED,
                    ERROR_INVALID_HANDLE);
}

/*
 * INVALID_HANDLE_VALUE is (HANDLE)-1, which is also the current-process
 * pseudo handle that GetCurrentProcess() returns; (HANDLE)-2 is the
 * current-thread pseudo handle. Microsoft: "Calling the CloseHandle function
 * with a pseudo handle has no effect", and on Windows the call returns TRUE
 * (it does not fail with ERROR_INVALID_HANDLE). Wine agrees.
 */
TEST(close_pseudo_handles_is_a_noop) {
  ASSERT_EQ_PTR(GetCurrentProcess(), INVALID_HANDLE_VALUE);
  ASSERT_TRUE(CloseHandle(INVALID_HANDLE_VALUE));
  ASSERT_TRUE(CloseHandle(GetCurrentProcess()));
  ASSERT_TRUE(CloseHandle(GetCurrentThread()));
  /* The thread pseudo handle still works afterwards. */
  ASSERT_EQ(GetThreadId(GetCurrentThread()), GetCurrentThreadId());
}

static DWORD WINAPI return_zero(LPVOID arg) { return 0; }

/* Kernel handle values are non-zero multiples of 4, never -1 or -2. */
TEST(handle_values_are_multiples_of_four) {
  HANDLE h[66];
  int i, n = 0;
  for (i = 0; i < 64; i++) {
    h[n] = CreateEventA(NULL, i & 1, FALSE, NULL);
    ASSERT_NE_PTR(h[n], NULL);
    n++;
  }
  h[n] = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  ASSERT_NE_PTR(h[n], NULL);
  n++;
  h[n] = CreateThread(NULL, 0, return_zero, NULL, 0, NULL);
  ASSERT_NE_PTR(h[n], NULL);
  n++;
  for (i = 0; i < n; i++) {
    ASSERT_NE_PTR(h[i], INVALID_HANDLE_VALUE);
    ASSERT_NE_PTR(h[i], GetCurrentThread());
    ASSERT_EQ((ULONG_PTR)h[i] & 3, 0);
  }
  ASSERT_EQ(WaitForSingleObject(h[n - 1], 5000), WAIT_OBJECT_0);
  for (i = 0; i < n; i++) ASSERT_TRUE(CloseHandle(h[i]));
}

static int cmp_handle(const void *a, const void *b) {
  ULONG_PTR x = (ULONG_PTR) * (const HANDLE *)a;
  ULONG_PTR y = (ULONG_PTR) * (const HANDLE *)b;
  return x < y ? -1 : x > y;
}

TEST(ten_thousand_events_distinct) {
  enum { N = 10000 };
  HANDLE *h = (HANDLE *)HeapAlloc(GetProcessHeap(), 0, N * sizeof(HANDLE));
  HANDLE *sorted =
      (HANDLE *)HeapAlloc(GetProcessHeap(), 0, N * sizeof(HANDLE));
  int i, created = 0, bad = 0, dups = 0, close_failed = 0;
  ASSERT_NE_PTR(h, NULL);
  ASSERT_NE_PTR(sorted, NULL);
  for (i = 0; i < N; i++) {
    h[i] = CreateEventA(NULL, FALSE, FALSE, NULL);
    if (!h[i]) break;
    created++;
    if (((ULONG_PTR)h[i] & 3) != 0 || h[i] == INVALID_HANDLE_VALUE) bad++;
  }
  memcpy(sorted, h, created * sizeof(HANDLE));
  qsort(sorted, created, sizeof(HANDLE), cmp_handle);
  for (i = 1; i < created; i++)
    if (sorted[i] == sorted[i - 1]) dups++;
  /* A handle in the middle refers to its own object. */
  if (created == N) {
    SetEvent(h[N / 2]);
    if (WaitForSingleObject(h[N / 2 + 1], 0) != WAIT_TIMEOUT) bad++;
    if (WaitForSingleObject(h[N / 2], 0) != WAIT_OBJECT_0) bad++;
  }
  for (i = 0; i < created; i++)
    if (!CloseHandle(h[i])) close_failed++;
  HeapFree(GetProcessHeap(), 0, h);
  HeapFree(GetProcessHeap(), 0, sorted);
  ASSERT_EQ(created, N);
  ASSERT_EQ(bad, 0);
  ASSERT_EQ(dups, 0);
  ASSERT_EQ(close_failed, 0);
}

TEST(duplicate_event_same_object) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL), d = NULL;
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &d,
                              0, FALSE, DUPLICATE_SAME_ACCESS));
  ASSERT_NE_PTR(d, NULL);
  ASSERT_NE_PTR(d, e);
  ASSERT_EQ((ULONG_PTR)d & 3, 0);
  ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(ResetEvent(d));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  /* The object lives until its last handle is closed. */
  ASSERT_TRUE(CloseHandle(e));
  ASSERT_TRUE(SetEvent(d));
  ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(d));
  ASSERT_FAILS_WITH(CloseHandle(d), FALSE, ERROR_INVALID_HANDLE);
}

TEST(duplicate_with_explicit_access) {
  HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL), d = NULL;
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &d,
                              SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, 0));
  ASSERT_NE_PTR(d, NULL);
  ASSERT_TRUE(SetEvent(d));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0); /* auto-reset: taken */
  ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(d));
  ASSERT_TRUE(CloseHandle(e));
}

TEST(duplicate_close_source) {
  HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL), d = NULL;
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &d,
                              0, FALSE,
                              DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
  ASSERT_NE_PTR(d, NULL);
  /* Windows closes the source before it makes the new handle, so the new
   * handle may reuse the old value; only a different value must be dead. */
  if (d != e)
    ASSERT_FAILS_WITH(CloseHandle(e), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_EQ(WaitForSingleObject(d, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(d));
  ASSERT_FAILS_WITH(CloseHandle(d), FALSE, ERROR_INVALID_HANDLE);
}

TEST(duplicate_invalid_source_fails) {
  HANDLE d = NULL;
  ASSERT_FAILS_WITH(DuplicateHandle(GetCurrentProcess(), NULL,
                                    GetCurrentProcess(), &d, 0, FALSE,
                                    DUPLICATE_SAME_ACCESS),
                    FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(DuplicateHandle(GetCurrentProcess(), BOGUS_HANDLE,
                                    GetCurrentProcess(), &d, 0, FALSE,
                                    DUPLICATE_SAME_ACCESS),
                    FALSE, ERROR_INVALID_HANDLE);
}

/* DuplicateHandle of the GetCurrentThread() pseudo handle gives a real
 * handle to this thread that another thread can use. */
struct dup_thread_ctx {
  HANDLE target;
  DWORD seen_id;
  DWORD wait_result;
  DWORD queued;
};

static volatile LONG dup_apc_value;
static DWORD dup_apc_thread;
static VOID NTAPI dup_apc(ULONG_PTR v) {
  dup_apc_value = (LONG)v;
  dup_apc_thread = GetCurrentThreadId();
}

static DWORD WINAPI use_dup_handle(LPVOID arg) {
  struct dup_thread_ctx *c = (struct dup_thread_ctx *)arg;
  c->seen_id = GetThreadId(c->target);
  c->wait_result = WaitForSingleObject(c->target, 0);
  c->queued = QueueUserAPC(dup_apc, c->target, 42);
  return 0;
}

TEST(duplicate_current_thread_pseudo_handle) {
  struct dup_thread_ctx c;
  HANDLE t;
  memset(&c, 0, sizeof(c));
  ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), GetCurrentThread(),
                              GetCurrentProcess(), &c.target, 0, FALSE,
                              DUPLICATE_SAME_ACCESS));
  ASSERT_NE_PTR(c.target, NULL);
  ASSERT_NE_PTR(c.target, GetCurrentThread());
  ASSERT_EQ((ULONG_PTR)c.target & 3, 0);
  ASSERT_EQ(GetThreadId(c.target), GetCurrentThreadId());
  dup_apc_value = 0;
  t = start_thread(use_dup_handle, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_JOINED(t, 5000);
  ASSERT_EQ(c.seen_id, GetCurrentThreadId());
  ASSERT_EQ(c.wait_result, WAIT_TIMEOUT); /* this thread is running */
  ASSERT_NE(c.queued, 0);
  ASSERT_EQ(dup_apc_value, 0); /* not alertable yet */
  ASSERT_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(dup_apc_value, 42);
  ASSERT_EQ(dup_apc_thread, GetCurrentThreadId());
  ASSERT_TRUE(CloseHandle(c.target));
}

TEST(handle_information_flags) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  DWORD flags = 0xdeadbeef;
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(GetHandleInformation(e, &flags));
  ASSERT_EQ(flags, 0);
  ASSERT_TRUE(SetHandleInformation(e, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT));
  ASSERT_TRUE(GetHandleInformation(e, &flags));
  ASSERT_EQ(flags, HANDLE_FLAG_INHERIT);
  ASSERT_TRUE(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE,
                                   HANDLE_FLAG_PROTECT_FROM_CLOSE));
  ASSERT_TRUE(GetHandleInformation(e, &flags));
  ASSERT_EQ(flags, HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE);
  /* dwMask selects the bits changed: clearing INHERIT keeps PROTECT. */
  ASSERT_TRUE(SetHandleInformation(e, HANDLE_FLAG_INHERIT, 0));
  ASSERT_TRUE(GetHandleInformation(e, &flags));
  ASSERT_EQ(flags, HANDLE_FLAG_PROTECT_FROM_CLOSE);
  ASSERT_TRUE(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));
  ASSERT_TRUE(GetHandleInformation(e, &flags));
  ASSERT_EQ(flags, 0);
  ASSERT_TRUE(CloseHandle(e));
}

/* A protected handle cannot be closed (under a debugger Windows also
 * raises an exception; without one CloseHandle just returns FALSE). */
TEST(protect_from_close) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE,
                                   HANDLE_FLAG_PROTECT_FROM_CLOSE));
  ASSERT_FALSE(CloseHandle(e));
  /* The handle is still open and works. */
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));
  ASSERT_TRUE(CloseHandle(e));
  ASSERT_FAILS_WITH(CloseHandle(e), FALSE, ERROR_INVALID_HANDLE);
}

TEST(handle_information_invalid_handle) {
  DWORD flags = 0;
  ASSERT_FAILS_WITH(GetHandleInformation(NULL, &flags), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetHandleInformation(BOGUS_HANDLE, &flags), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(SetHandleInformation(NULL, HANDLE_FLAG_INHERIT, 0), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(
      SetHandleInformation(BOGUS_HANDLE, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0),
      FALSE, ERROR_INVALID_HANDLE);
}

TEST(duplicate_inherit_flag) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL), d = NULL;
  DWORD flags = 0xdeadbeef;
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &d,
                              0, TRUE, DUPLICATE_SAME_ACCESS));
  ASSERT_TRUE(GetHandleInformation(d, &flags));
  ASSERT_EQ(flags, HANDLE_FLAG_INHERIT);
  ASSERT_TRUE(GetHandleInformation(e, &flags));
  ASSERT_EQ(flags, 0);
  ASSERT_TRUE(CloseHandle(d));
  ASSERT_TRUE(CloseHandle(e));
}

/* ---- last error ---- */

TEST(last_error_round_trip) {
  SetLastError(12345);
  ASSERT_EQ(GetLastError(), 12345);
  SetLastError(0);
  ASSERT_EQ(GetLastError(), 0);
  SetLastError(0xdeadbeef);
  ASSERT_EQ_U(GetLastError(), 0xdeadbeef);
}

/* A successful wait (or SetEvent) leaves the last error alone. */
TEST(last_error_kept_by_successful_wait) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  SetLastError(0xdeadbeef);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ_U(GetLastError(), 0xdeadbeef);
  SetLastError(0xdeadbeef);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ_U(GetLastError(), 0xdeadbeef);
  ASSERT_TRUE(ResetEvent(e));
  SetLastError(0xdeadbeef);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_EQ_U(GetLastError(), 0xdeadbeef);
  ASSERT_TRUE(CloseHandle(e));
}

struct lasterr_ctx {
  HANDLE go, set_done, check_now;
  DWORD after_set, after_main_set;
};

static DWORD WINAPI lasterr_thread(LPVOID arg) {
  struct lasterr_ctx *c = (struct lasterr_ctx *)arg;
  WaitForSingleObject(c->go, 5000);
  SetLastError(5678);
  c->after_set = GetLastError();
  SetEvent(c->set_done);
  WaitForSingleObject(c->check_now, 5000);
  /* The main thread set its own value meanwhile; ours is unchanged. */
  c->after_main_set = GetLastError();
  return 0;
}

/* SetEvent and a successful wait leave the last error alone (above), so
 * the main thread's value survives them while the other thread sets its
 * own. */
TEST(last_error_is_per_thread) {
  struct lasterr_ctx c;
  HANDLE t;
  memset(&c, 0, sizeof(c));
  c.go = CreateEventA(NULL, TRUE, FALSE, NULL);
  c.set_done = CreateEventA(NULL, TRUE, FALSE, NULL);
  c.check_now = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(c.go, NULL);
  ASSERT_NE_PTR(c.set_done, NULL);
  ASSERT_NE_PTR(c.check_now, NULL);
  t = start_thread(lasterr_thread, &c);
  ASSERT_NE_PTR(t, NULL);
  SetLastError(1234);
  SetEvent(c.go);
  ASSERT_EQ(WaitForSingleObject(c.set_done, 5000), WAIT_OBJECT_0);
  ASSERT_EQ(GetLastError(), 1234);
  SetLastError(4321);
  SetEvent(c.check_now);
  ASSERT_JOINED(t, 5000);
  ASSERT_EQ(c.after_set, 5678);
  ASSERT_EQ(c.after_main_set, 5678);
  ASSERT_EQ(GetLastError(), 4321);
  ASSERT_TRUE(CloseHandle(c.go));
  ASSERT_TRUE(CloseHandle(c.set_done));
  ASSERT_TRUE(CloseHandle(c.check_now));
}
