/*
 * test-events.c: event objects (CreateEvent*, SetEvent, ResetEvent) and
 * how many waiters a SetEvent releases.
 */
#include "ws2test.h"
#include "core-helpers.h"

TEST(manual_reset_initially_set) {
  HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0); /* stays set */
  ASSERT_EQ(WaitForSingleObject(e, INFINITE), WAIT_OBJECT_0);
  ASSERT_TRUE(ResetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(ResetEvent(e)); /* resetting a reset event is fine */
  ASSERT_TRUE(SetEvent(e));
  ASSERT_TRUE(SetEvent(e)); /* setting a set event is fine */
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(e));
}

TEST(manual_reset_initially_clear) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(e));
}

TEST(auto_reset_consumed_by_one_wait) {
  HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  /* An event is binary: two sets still release one wait. */
  ASSERT_TRUE(SetEvent(e));
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  /* ResetEvent clears a pending set. */
  ASSERT_TRUE(SetEvent(e));
  ASSERT_TRUE(ResetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(e));
}

TEST(auto_reset_initially_set) {
  HANDLE e = CreateEventA(NULL, FALSE, TRUE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, INFINITE), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(e));
}

TEST(create_event_w) {
  HANDLE e = CreateEventW(NULL, FALSE, TRUE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(e));
}

TEST(create_event_with_security_attributes) {
  SECURITY_ATTRIBUTES sa;
  HANDLE e;
  DWORD flags = 0;
  sa.nLength = sizeof(sa);
  sa.lpSecurityDescriptor = NULL;
  sa.bInheritHandle = TRUE;
  e = CreateEventA(&sa, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(GetHandleInformation(e, &flags));
  ASSERT_EQ(flags & HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  ASSERT_TRUE(CloseHandle(e));
}

TEST(create_event_ex_flags) {
  HANDLE e;

  e = CreateEventExA(NULL, NULL, 0, EVENT_ALL_ACCESS); /* auto, clear */
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(e));

  e = CreateEventExA(NULL, NULL,
                     CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET,
                     EVENT_ALL_ACCESS);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(ResetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(e));

  e = CreateEventExA(NULL, NULL, CREATE_EVENT_INITIAL_SET,
                     SYNCHRONIZE | EVENT_MODIFY_STATE); /* auto, set */
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(e));

  e = CreateEventExW(NULL, NULL, CREATE_EVENT_MANUAL_RESET,
                     EVENT_ALL_ACCESS); /* manual, clear */
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(e));
}

static DWORD WINAPI block_a_while(LPVOID arg) {
  WaitForSingleObject((HANDLE)arg, 5000);
  return 0;
}

/* SetEvent/ResetEvent on a handle that is not an event: Windows fails with
 * STATUS_OBJECT_TYPE_MISMATCH, which is ERROR_INVALID_HANDLE. */
TEST(set_event_wrong_handle_type) {
  HANDLE stop = CreateEventA(NULL, TRUE, FALSE, NULL);
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  HANDLE t;
  ASSERT_NE_PTR(stop, NULL);
  ASSERT_NE_PTR(port, NULL);
  t = start_thread(block_a_while, stop);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_FAILS_WITH(SetEvent(t), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(ResetEvent(t), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(SetEvent(port), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(ResetEvent(port), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(SetEvent(GetCurrentThread()), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_TRUE(SetEvent(stop));
  ASSERT_JOINED(t, 5000);
  ASSERT_TRUE(CloseHandle(port));
  ASSERT_TRUE(CloseHandle(stop));
}

TEST(set_event_invalid_handle) {
  ASSERT_FAILS_WITH(SetEvent(NULL), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(ResetEvent(NULL), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(SetEvent(BOGUS_HANDLE), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(ResetEvent(BOGUS_HANDLE), FALSE, ERROR_INVALID_HANDLE);
}

/* ---- several waiters ---- */

enum { NWAITERS = 4 };

struct waiters {
  HANDLE e;
  volatile LONG ready, released, failed;
};

static DWORD WINAPI event_waiter(LPVOID arg) {
  struct waiters *w = (struct waiters *)arg;
  DWORD r;
  InterlockedIncrement(&w->ready);
  r = WaitForSingleObject(w->e, 10000);
  if (r == WAIT_OBJECT_0)
    InterlockedIncrement(&w->released);
  else
    InterlockedIncrement(&w->failed);
  return 0;
}

/* Each SetEvent on an auto-reset event releases exactly one waiter. */
TEST(auto_reset_releases_one_waiter_per_set) {
  struct waiters w;
  HANDLE t[NWAITERS];
  int i;
  memset(&w, 0, sizeof(w));
  w.e = CreateEventA(NULL, FALSE, FALSE, NULL);
  ASSERT_NE_PTR(w.e, NULL);
  for (i = 0; i < NWAITERS; i++) {
    t[i] = start_thread(event_waiter, &w);
    ASSERT_NE_PTR(t[i], NULL);
  }
  ASSERT_TRUE(wait_count(&w.ready, NWAITERS, 5000));
  Sleep(100); /* let them block */
  for (i = 1; i <= NWAITERS; i++) {
    ASSERT_TRUE(SetEvent(w.e));
    ASSERT_TRUE(wait_count(&w.released, i, 5000));
    Sleep(50); /* nobody else may get through on the same set */
    ASSERT_EQ(read_long(&w.released), i);
  }
  ASSERT_EQ(join_all(t, NWAITERS, 5000), 0);
  ASSERT_EQ(w.failed, 0);
  ASSERT_EQ(WaitForSingleObject(w.e, 0), WAIT_TIMEOUT); /* all consumed */
  ASSERT_TRUE(CloseHandle(w.e));
}

/* One SetEvent on a manual-reset event releases every waiter, and the
 * event stays set. */
TEST(manual_reset_releases_all_waiters) {
  struct waiters w;
  HANDLE t[NWAITERS];
  int i;
  memset(&w, 0, sizeof(w));
  w.e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(w.e, NULL);
  for (i = 0; i < NWAITERS; i++) {
    t[i] = start_thread(event_waiter, &w);
    ASSERT_NE_PTR(t[i], NULL);
  }
  ASSERT_TRUE(wait_count(&w.ready, NWAITERS, 5000));
  Sleep(100);
  ASSERT_EQ(read_long(&w.released), 0);
  ASSERT_TRUE(SetEvent(w.e));
  ASSERT_EQ(join_all(t, NWAITERS, 5000), 0);
  ASSERT_EQ(w.released, NWAITERS);
  ASSERT_EQ(w.failed, 0);
  ASSERT_EQ(WaitForSingleObject(w.e, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(w.e));
}

struct infinite_ctx {
  HANDLE e, ready;
  DWORD result;
};

static DWORD WINAPI infinite_waiter(LPVOID arg) {
  struct infinite_ctx *c = (struct infinite_ctx *)arg;
  SetEvent(c->ready);
  c->result = WaitForSingleObject(c->e, INFINITE);
  return 0;
}

/* A thread blocked in WaitForSingleObject(INFINITE) is released when
 * another thread sets the event. (The join is bounded.) */
TEST(infinite_wait_released_by_other_thread) {
  struct infinite_ctx c;
  HANDLE t;
  c.e = CreateEventA(NULL, FALSE, FALSE, NULL);
  c.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  c.result = 0xdeadbeef;
  ASSERT_NE_PTR(c.e, NULL);
  ASSERT_NE_PTR(c.ready, NULL);
  t = start_thread(infinite_waiter, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(c.ready, 5000), WAIT_OBJECT_0);
  Sleep(100);
  ASSERT_EQ(WaitForSingleObject(t, 0), WAIT_TIMEOUT); /* still blocked */
  ASSERT_TRUE(SetEvent(c.e));
  ASSERT_JOINED(t, 5000);
  ASSERT_EQ(c.result, WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(c.e, 0), WAIT_TIMEOUT); /* it consumed it */
  ASSERT_TRUE(CloseHandle(c.e));
  ASSERT_TRUE(CloseHandle(c.ready));
}

/* ResetEvent before anyone waits: a later waiter is not released. */
TEST(reset_before_wait_blocks_waiter) {
  HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL);
  ULONGLONG t0;
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(ResetEvent(e));
  t0 = GetTickCount64();
  ASSERT_EQ(WaitForSingleObject(e, 100), WAIT_TIMEOUT);
  ASSERT_GE(GetTickCount64() - t0, 100 - SLACK_MS);
  ASSERT_TRUE(CloseHandle(e));
}
