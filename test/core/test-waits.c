/*
 * test-waits.c: WaitForSingleObject(Ex), WaitForMultipleObjects(Ex) and
 * Sleep(Ex) timing, results and argument errors.
 */
#include "ws2test.h"
#include "core-helpers.h"

TEST(wait_zero_timeout) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
  ASSERT_EQ(WaitForSingleObjectEx(e, 0, FALSE), WAIT_TIMEOUT);
  ASSERT_EQ(WaitForSingleObjectEx(e, 0, TRUE), WAIT_TIMEOUT);
  ASSERT_EQ(WaitForMultipleObjects(1, &e, FALSE, 0), WAIT_TIMEOUT);
  ASSERT_EQ(WaitForMultipleObjects(1, &e, TRUE, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObjectEx(e, 0, TRUE), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForMultipleObjects(1, &e, FALSE, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForMultipleObjectsEx(1, &e, TRUE, 0, TRUE), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(e));
}

TEST(wait_infinite_on_signalled) {
  HANDLE e = CreateEventA(NULL, FALSE, TRUE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_EQ(WaitForSingleObject(e, INFINITE), WAIT_OBJECT_0);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForSingleObjectEx(e, INFINITE, FALSE), WAIT_OBJECT_0);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForMultipleObjects(1, &e, TRUE, INFINITE), WAIT_OBJECT_0);
  ASSERT_TRUE(SetEvent(e));
  ASSERT_EQ(WaitForMultipleObjectsEx(1, &e, FALSE, INFINITE, FALSE),
            WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(e));
}

/* Finite timeouts wait at least about that long (no upper bound: the
 * machine may be loaded). */
TEST(finite_timeouts_elapse) {
  HANDLE e[2];
  ULONGLONG t0;
  e[0] = CreateEventA(NULL, TRUE, FALSE, NULL);
  e[1] = CreateEventA(NULL, FALSE, FALSE, NULL);
  ASSERT_NE_PTR(e[0], NULL);
  ASSERT_NE_PTR(e[1], NULL);

  t0 = GetTickCount64();
  ASSERT_EQ(WaitForSingleObject(e[0], 150), WAIT_TIMEOUT);
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);

  t0 = GetTickCount64();
  ASSERT_EQ(WaitForSingleObjectEx(e[1], 150, TRUE), WAIT_TIMEOUT);
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);

  t0 = GetTickCount64();
  ASSERT_EQ(WaitForMultipleObjects(2, e, FALSE, 150), WAIT_TIMEOUT);
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);

  t0 = GetTickCount64();
  ASSERT_EQ(WaitForMultipleObjectsEx(2, e, TRUE, 150, FALSE), WAIT_TIMEOUT);
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);

  ASSERT_TRUE(CloseHandle(e[0]));
  ASSERT_TRUE(CloseHandle(e[1]));
}

TEST(sleep_durations) {
  ULONGLONG t0 = GetTickCount64();
  Sleep(150);
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);
  t0 = GetTickCount64();
  ASSERT_EQ(SleepEx(150, FALSE), 0);
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);
  t0 = GetTickCount64();
  ASSERT_EQ(SleepEx(150, TRUE), 0); /* alertable, but no APC: full time */
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);
  Sleep(0);
  ASSERT_EQ(SleepEx(0, FALSE), 0);
  ASSERT_EQ(SleepEx(0, TRUE), 0);
}

TEST(wait_invalid_handles) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_TRUE(CloseHandle(e));
  ASSERT_FAILS_WITH(WaitForSingleObject(NULL, 0), WAIT_FAILED,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WaitForSingleObject(NULL, INFINITE), WAIT_FAILED,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WaitForSingleObject(BOGUS_HANDLE, 100), WAIT_FAILED,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WaitForSingleObject(e, 100), WAIT_FAILED,
                    ERROR_INVALID_HANDLE); /* closed */
  ASSERT_FAILS_WITH(WaitForSingleObjectEx(NULL, 100, TRUE), WAIT_FAILED,
                    ERROR_INVALID_HANDLE);
}

/* Wait-any returns the lowest signalled index and changes only that
 * object; with 64 (MAXIMUM_WAIT_OBJECTS) handles. Event 0 is manual-reset
 * (it satisfies every wait until reset); the rest are auto-reset. */
TEST(wait_any_lowest_index_64_handles) {
  HANDLE e[MAXIMUM_WAIT_OBJECTS];
  int i;
  for (i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
    e[i] = CreateEventA(NULL, i == 0, TRUE, NULL);
    ASSERT_NE_PTR(e[i], NULL);
  }
  ASSERT_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, e, FALSE, 0),
            WAIT_OBJECT_0);
  ASSERT_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, e, FALSE, 0),
            WAIT_OBJECT_0);
  ASSERT_TRUE(ResetEvent(e[0]));
  for (i = 1; i < MAXIMUM_WAIT_OBJECTS; i++)
    ASSERT_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, e, FALSE, 0),
              WAIT_OBJECT_0 + i);
  ASSERT_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, e, FALSE, 0),
            WAIT_TIMEOUT);
  /* Only the last one signalled. */
  ASSERT_TRUE(SetEvent(e[63]));
  ASSERT_EQ(WaitForMultipleObjectsEx(MAXIMUM_WAIT_OBJECTS, e, FALSE, 1000,
                                     TRUE),
            WAIT_OBJECT_0 + 63);
  /* Two signalled: 5 and 40 -> 5, then 40. */
  ASSERT_TRUE(SetEvent(e[40]));
  ASSERT_TRUE(SetEvent(e[5]));
  ASSERT_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, e, FALSE, 0),
            WAIT_OBJECT_0 + 5);
  ASSERT_EQ(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, e, FALSE, 0),
            WAIT_OBJECT_0 + 40);
  for (i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) ASSERT_TRUE(CloseHandle(e[i]));
}

TEST(wait_all_64_handles) {
  HANDLE e[MAXIMUM_WAIT_OBJECTS];
  DWORD r;
  int i;
  for (i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
    e[i] = CreateEventA(NULL, FALSE, TRUE, NULL);
    ASSERT_NE_PTR(e[i], NULL);
  }
  r = WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS, e, TRUE, 1000);
  ASSERT_LT(r, WAIT_OBJECT_0 + MAXIMUM_WAIT_OBJECTS);
  for (i = 0; i < MAXIMUM_WAIT_OBJECTS; i++) {
    ASSERT_EQ(WaitForSingleObject(e[i], 0), WAIT_TIMEOUT); /* all consumed */
    ASSERT_TRUE(CloseHandle(e[i]));
  }
}

/* Wait-all succeeds only when every object is signalled, and then
 * consumes every auto-reset event; until then it consumes none. */
TEST(wait_all_consumes_all_or_nothing) {
  HANDLE e[3];
  DWORD r;
  int i;
  for (i = 0; i < 3; i++) {
    e[i] = CreateEventA(NULL, FALSE, FALSE, NULL);
    ASSERT_NE_PTR(e[i], NULL);
  }
  ASSERT_TRUE(SetEvent(e[0]));
  ASSERT_TRUE(SetEvent(e[1]));
  ASSERT_EQ(WaitForMultipleObjects(3, e, TRUE, 0), WAIT_TIMEOUT);
  ASSERT_EQ(WaitForMultipleObjects(3, e, TRUE, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(e[2]));
  r = WaitForMultipleObjects(3, e, TRUE, 0);
  ASSERT_LT(r, WAIT_OBJECT_0 + 3);
  for (i = 0; i < 3; i++) ASSERT_EQ(WaitForSingleObject(e[i], 0), WAIT_TIMEOUT);
  /* Mixed: a manual-reset event stays set after a wait-all. */
  {
    HANDLE m[2];
    m[0] = e[0];
    m[1] = CreateEventA(NULL, TRUE, TRUE, NULL);
    ASSERT_NE_PTR(m[1], NULL);
    ASSERT_TRUE(SetEvent(m[0]));
    r = WaitForMultipleObjects(2, m, TRUE, 0);
    ASSERT_LT(r, WAIT_OBJECT_0 + 2);
    ASSERT_EQ(WaitForSingleObject(m[0], 0), WAIT_TIMEOUT);
    ASSERT_EQ(WaitForSingleObject(m[1], 0), WAIT_OBJECT_0);
    ASSERT_TRUE(CloseHandle(m[1]));
  }
  for (i = 0; i < 3; i++) ASSERT_TRUE(CloseHandle(e[i]));
}

/* A wait-all that times out because one event is never signalled consumes
 * nothing. */
TEST(wait_all_timeout_consumes_nothing) {
  HANDLE e[3];
  ULONGLONG t0;
  int i;
  for (i = 0; i < 3; i++) {
    e[i] = CreateEventA(NULL, FALSE, i < 2, NULL);
    ASSERT_NE_PTR(e[i], NULL);
  }
  t0 = GetTickCount64();
  ASSERT_EQ(WaitForMultipleObjects(3, e, TRUE, 150), WAIT_TIMEOUT);
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);
  ASSERT_EQ(WaitForSingleObject(e[0], 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e[1], 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(e[2], 0), WAIT_TIMEOUT);
  for (i = 0; i < 3; i++) ASSERT_TRUE(CloseHandle(e[i]));
}

struct toggler {
  HANDLE a, b, started;
};

static DWORD WINAPI toggle_then_set(LPVOID arg) {
  struct toggler *t = (struct toggler *)arg;
  SetEvent(t->started);
  Sleep(30);
  SetEvent(t->a);
  Sleep(50);
  ResetEvent(t->a);
  Sleep(50);
  SetEvent(t->b);
  return 0;
}

/* a is set then reset before b is set: at no instant are both signalled,
 * so a wait-all on {a, b} must time out. Once both are set it succeeds. */
TEST(wait_all_needs_all_at_once) {
  struct toggler c;
  HANDLE h[2], t;
  DWORD r;
  c.a = CreateEventA(NULL, TRUE, FALSE, NULL);
  c.b = CreateEventA(NULL, TRUE, FALSE, NULL);
  c.started = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(c.a, NULL);
  ASSERT_NE_PTR(c.b, NULL);
  ASSERT_NE_PTR(c.started, NULL);
  h[0] = c.a;
  h[1] = c.b;
  t = start_thread(toggle_then_set, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(c.started, 5000), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForMultipleObjects(2, h, TRUE, 400), WAIT_TIMEOUT);
  ASSERT_JOINED(t, 5000);
  ASSERT_EQ(WaitForSingleObject(c.a, 0), WAIT_TIMEOUT);
  ASSERT_EQ(WaitForSingleObject(c.b, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(SetEvent(c.a));
  r = WaitForMultipleObjects(2, h, TRUE, 1000);
  ASSERT_LT(r, WAIT_OBJECT_0 + 2);
  ASSERT_TRUE(CloseHandle(c.a));
  ASSERT_TRUE(CloseHandle(c.b));
  ASSERT_TRUE(CloseHandle(c.started));
}

struct setter {
  HANDLE ev[3];
  int order[3];
  DWORD delay;
};

static DWORD WINAPI set_in_order(LPVOID arg) {
  struct setter *s = (struct setter *)arg;
  int i;
  for (i = 0; i < 3; i++) {
    Sleep(s->delay);
    if (s->order[i] >= 0) SetEvent(s->ev[s->order[i]]);
  }
  return 0;
}

/* A blocked wait-all completes when the last object is set by another
 * thread, and consumes all the auto-reset events. */
TEST(wait_all_completed_by_other_thread) {
  struct setter s;
  HANDLE t;
  DWORD r;
  int i;
  for (i = 0; i < 3; i++) {
    s.ev[i] = CreateEventA(NULL, FALSE, FALSE, NULL);
    ASSERT_NE_PTR(s.ev[i], NULL);
  }
  s.order[0] = 2;
  s.order[1] = 0;
  s.order[2] = 1;
  s.delay = 30;
  t = start_thread(set_in_order, &s);
  ASSERT_NE_PTR(t, NULL);
  r = WaitForMultipleObjects(3, s.ev, TRUE, 5000);
  ASSERT_LT(r, WAIT_OBJECT_0 + 3);
  ASSERT_JOINED(t, 5000);
  for (i = 0; i < 3; i++) {
    ASSERT_EQ(WaitForSingleObject(s.ev[i], 0), WAIT_TIMEOUT);
    ASSERT_TRUE(CloseHandle(s.ev[i]));
  }
}

/* A blocked wait-any returns the index of the event another thread sets. */
TEST(wait_any_completed_by_other_thread) {
  struct setter s;
  HANDLE t;
  int i;
  for (i = 0; i < 3; i++) {
    s.ev[i] = CreateEventA(NULL, FALSE, FALSE, NULL);
    ASSERT_NE_PTR(s.ev[i], NULL);
  }
  s.order[0] = 2;
  s.order[1] = -1;
  s.order[2] = -1;
  s.delay = 50;
  t = start_thread(set_in_order, &s);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForMultipleObjects(3, s.ev, FALSE, 5000), WAIT_OBJECT_0 + 2);
  ASSERT_JOINED(t, 5000);
  for (i = 0; i < 3; i++) {
    ASSERT_EQ(WaitForSingleObject(s.ev[i], 0), WAIT_TIMEOUT);
    ASSERT_TRUE(CloseHandle(s.ev[i]));
  }
}

TEST(wait_multiple_bad_count) {
  HANDLE e[MAXIMUM_WAIT_OBJECTS + 1];
  int i;
  for (i = 0; i < MAXIMUM_WAIT_OBJECTS + 1; i++) {
    e[i] = CreateEventA(NULL, TRUE, TRUE, NULL);
    ASSERT_NE_PTR(e[i], NULL);
  }
  ASSERT_FAILS_WITH(WaitForMultipleObjects(0, e, FALSE, 0), WAIT_FAILED,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(WaitForMultipleObjects(0, e, TRUE, 100), WAIT_FAILED,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(WaitForMultipleObjects(0, NULL, FALSE, 0), WAIT_FAILED,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(WaitForMultipleObjectsEx(0, NULL, FALSE, 100, TRUE),
                    WAIT_FAILED, ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(
      WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, e, FALSE, 0),
      WAIT_FAILED, ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(
      WaitForMultipleObjectsEx(MAXIMUM_WAIT_OBJECTS + 1, e, TRUE, 0, FALSE),
      WAIT_FAILED, ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(WaitForMultipleObjects(1000, e, FALSE, 0), WAIT_FAILED,
                    ERROR_INVALID_PARAMETER);
  for (i = 0; i < MAXIMUM_WAIT_OBJECTS + 1; i++)
    ASSERT_TRUE(CloseHandle(e[i]));
}

/* Every handle is checked before anything is waited on or consumed: a bad
 * handle fails the call even when an earlier object is signalled. */
TEST(wait_multiple_invalid_handle_in_array) {
  HANDLE h[3];
  h[0] = CreateEventA(NULL, FALSE, TRUE, NULL);
  ASSERT_NE_PTR(h[0], NULL);
  h[1] = NULL;
  h[2] = BOGUS_HANDLE;
  ASSERT_FAILS_WITH(WaitForMultipleObjects(2, h, FALSE, 0), WAIT_FAILED,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WaitForMultipleObjects(2, h, TRUE, 100), WAIT_FAILED,
                    ERROR_INVALID_HANDLE);
  h[1] = h[2];
  ASSERT_FAILS_WITH(WaitForMultipleObjects(2, h, FALSE, 0), WAIT_FAILED,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WaitForMultipleObjectsEx(2, h, TRUE, 100, TRUE),
                    WAIT_FAILED, ERROR_INVALID_HANDLE);
  /* The auto-reset event was not consumed by the failed calls. */
  ASSERT_EQ(WaitForSingleObject(h[0], 0), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(h[0]));
}

/* The same object twice: fine for wait-any (the lowest index wins), but a
 * wait-all fails with ERROR_INVALID_PARAMETER. Microsoft: the array "may
 * not contain multiple copies of the same handle"; the NT kernel's
 * NtWaitForMultipleObjects compares the referenced objects for WaitAll
 * and fails with STATUS_INVALID_PARAMETER_MIX (-> ERROR_INVALID_PARAMETER).
 * Wine 8.0 does not check this and waits; Wine is wrong here. */
TEST(wait_same_handle_twice) {
  HANDLE h[2];
  h[0] = h[1] = CreateEventA(NULL, FALSE, TRUE, NULL);
  ASSERT_NE_PTR(h[0], NULL);
  ASSERT_FAILS_WITH(WaitForMultipleObjects(2, h, TRUE, 0), WAIT_FAILED,
                    ERROR_INVALID_PARAMETER);
  ASSERT_EQ(WaitForMultipleObjects(2, h, FALSE, 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForMultipleObjects(2, h, FALSE, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(h[0]));
}

/* The kernel compares objects, not handle values: two handles to one
 * event in a wait-all fail the same way. */
TEST(wait_all_same_object_via_duplicate) {
  HANDLE h[3];
  h[0] = CreateEventA(NULL, FALSE, TRUE, NULL);
  h[1] = CreateEventA(NULL, FALSE, TRUE, NULL);
  ASSERT_NE_PTR(h[0], NULL);
  ASSERT_NE_PTR(h[1], NULL);
  ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), h[0], GetCurrentProcess(),
                              &h[2], 0, FALSE, DUPLICATE_SAME_ACCESS));
  ASSERT_FAILS_WITH(WaitForMultipleObjects(3, h, TRUE, 0), WAIT_FAILED,
                    ERROR_INVALID_PARAMETER);
  /* Nothing consumed. */
  ASSERT_EQ(WaitForSingleObject(h[1], 0), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObject(h[2], 0), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(h[0]));
  ASSERT_TRUE(CloseHandle(h[1]));
  ASSERT_TRUE(CloseHandle(h[2]));
}

static DWORD WINAPI sleep_then_return(LPVOID arg) {
  Sleep((DWORD)(ULONG_PTR)arg);
  return (DWORD)(ULONG_PTR)arg;
}

/* A thread handle is signalled when the thread ends, and stays signalled. */
TEST(wait_on_thread_handles) {
  HANDLE t[3];
  DWORD r, code;
  int i;
  for (i = 0; i < 3; i++) {
    t[i] = start_thread(sleep_then_return, (LPVOID)(ULONG_PTR)(50 + 50 * i));
    ASSERT_NE_PTR(t[i], NULL);
  }
  ASSERT_EQ(WaitForSingleObject(t[2], 0), WAIT_TIMEOUT);
  r = WaitForMultipleObjects(3, t, FALSE, 5000);
  ASSERT_LT(r, WAIT_OBJECT_0 + 3);
  r = WaitForMultipleObjects(3, t, TRUE, 5000);
  ASSERT_LT(r, WAIT_OBJECT_0 + 3);
  for (i = 0; i < 3; i++) {
    ASSERT_EQ(WaitForSingleObject(t[i], 0), WAIT_OBJECT_0);
    ASSERT_EQ(WaitForSingleObject(t[i], INFINITE), WAIT_OBJECT_0);
    ASSERT_TRUE(GetExitCodeThread(t[i], &code));
    ASSERT_EQ(code, 50 + 50 * i);
  }
  /* All ended: wait-any now reports the lowest index. */
  ASSERT_EQ(WaitForMultipleObjects(3, t, FALSE, 0), WAIT_OBJECT_0);
  for (i = 0; i < 3; i++) ASSERT_TRUE(CloseHandle(t[i]));
}

/* Events and threads mixed in one wait. */
TEST(wait_mixed_object_types) {
  HANDLE h[2];
  h[0] = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(h[0], NULL);
  h[1] = start_thread(sleep_then_return, (LPVOID)(ULONG_PTR)50);
  ASSERT_NE_PTR(h[1], NULL);
  ASSERT_EQ(WaitForMultipleObjects(2, h, FALSE, 5000), WAIT_OBJECT_0 + 1);
  ASSERT_EQ(WaitForMultipleObjects(2, h, TRUE, 50), WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(h[0]));
  ASSERT_LT(WaitForMultipleObjects(2, h, TRUE, 1000), WAIT_OBJECT_0 + 2);
  ASSERT_TRUE(CloseHandle(h[0]));
  ASSERT_TRUE(CloseHandle(h[1]));
}
