/*
 * test-apc.c: user APCs (QueueUserAPC) and alertable waits.
 *
 * Microsoft (QueueUserAPC): "When a user-mode APC is queued, the thread is
 * not directed to call the APC function unless it is in an alertable
 * state. After the thread is in an alertable state, the thread handles all
 * pending APCs in first in, first out (FIFO) order, and the wait operation
 * returns WAIT_IO_COMPLETION." And: "If an application queues an APC
 * before the thread begins running, the thread begins by calling the APC
 * function."
 */
#include "ws2test.h"
#include "core-helpers.h"

/* A log of APC calls: their arguments and the thread they ran on. */
enum { LOGMAX = 1100 };
static volatile LONG log_n;
static ULONG_PTR log_arg[LOGMAX];
static DWORD log_tid[LOGMAX];

static void log_reset(void) {
  drain_apcs();
  log_n = 0;
  memset(log_arg, 0, sizeof(log_arg));
  memset(log_tid, 0, sizeof(log_tid));
}

static VOID NTAPI log_apc(ULONG_PTR arg) {
  LONG i = InterlockedIncrement(&log_n) - 1;
  if (i < LOGMAX) {
    log_arg[i] = arg;
    log_tid[i] = GetCurrentThreadId();
  }
}

TEST(self_queued_apc_runs_on_next_alertable_wait) {
  log_reset();
  ASSERT_NE(QueueUserAPC(log_apc, GetCurrentThread(), 5), 0);
  ASSERT_EQ(read_long(&log_n), 0);
  Sleep(10); /* not alertable */
  ASSERT_EQ(SleepEx(10, FALSE), 0);
  ASSERT_EQ(read_long(&log_n), 0);
  ASSERT_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&log_n), 1);
  ASSERT_EQ(log_arg[0], 5);
  ASSERT_EQ(log_tid[0], GetCurrentThreadId());
  ASSERT_EQ(SleepEx(0, TRUE), 0); /* nothing left */
  ASSERT_EQ(read_long(&log_n), 1);
}

/* One alertable wait runs every queued APC, in FIFO order. */
TEST(all_queued_apcs_run_in_fifo_order) {
  int i;
  ULONGLONG t0;
  log_reset();
  for (i = 0; i < 1000; i++)
    ASSERT_NE(QueueUserAPC(log_apc, GetCurrentThread(), (ULONG_PTR)i), 0);
  t0 = GetTickCount64();
  ASSERT_EQ(SleepEx(10000, TRUE), WAIT_IO_COMPLETION);
  ASSERT_LT(GetTickCount64() - t0, 5000);
  ASSERT_EQ(read_long(&log_n), 1000);
  for (i = 0; i < 1000; i++) ASSERT_EQ(log_arg[i], i);
  ASSERT_EQ(SleepEx(0, TRUE), 0);
}

TEST(alertable_waits_return_io_completion) {
  HANDLE e[2];
  e[0] = CreateEventA(NULL, FALSE, FALSE, NULL);
  e[1] = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e[0], NULL);
  ASSERT_NE_PTR(e[1], NULL);
  log_reset();

  ASSERT_NE(QueueUserAPC(log_apc, GetCurrentThread(), 1), 0);
  ASSERT_EQ(WaitForSingleObjectEx(e[0], 5000, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&log_n), 1);

  ASSERT_NE(QueueUserAPC(log_apc, GetCurrentThread(), 2), 0);
  ASSERT_EQ(WaitForMultipleObjectsEx(2, e, FALSE, 5000, TRUE),
            WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&log_n), 2);

  ASSERT_NE(QueueUserAPC(log_apc, GetCurrentThread(), 3), 0);
  ASSERT_EQ(WaitForMultipleObjectsEx(2, e, TRUE, 5000, TRUE),
            WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&log_n), 3);

  ASSERT_NE(QueueUserAPC(log_apc, GetCurrentThread(), 4), 0);
  ASSERT_EQ(WaitForSingleObjectEx(e[0], INFINITE, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&log_n), 4);

  ASSERT_NE(QueueUserAPC(log_apc, GetCurrentThread(), 5), 0);
  ASSERT_EQ(SleepEx(INFINITE, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&log_n), 5);

  ASSERT_EQ(log_arg[0], 1);
  ASSERT_EQ(log_arg[4], 5);
  /* The events were not consumed. */
  ASSERT_TRUE(SetEvent(e[0]));
  ASSERT_EQ(WaitForSingleObject(e[0], 0), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(e[0]));
  ASSERT_TRUE(CloseHandle(e[1]));
}

/* The object is checked before the APC queue: a signalled object wins and
 * the APC stays queued for the next alertable wait. */
TEST(signalled_object_wins_over_queued_apc) {
  HANDLE e[2];
  e[0] = CreateEventA(NULL, TRUE, TRUE, NULL);
  e[1] = CreateEventA(NULL, FALSE, TRUE, NULL);
  ASSERT_NE_PTR(e[0], NULL);
  ASSERT_NE_PTR(e[1], NULL);
  log_reset();
  ASSERT_NE(QueueUserAPC(log_apc, GetCurrentThread(), 9), 0);
  ASSERT_EQ(WaitForSingleObjectEx(e[0], 0, TRUE), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForSingleObjectEx(e[0], 5000, TRUE), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForMultipleObjectsEx(2, e, TRUE, 0, TRUE), WAIT_OBJECT_0);
  ASSERT_EQ(WaitForMultipleObjectsEx(2, e, FALSE, 5000, TRUE), WAIT_OBJECT_0);
  ASSERT_EQ(read_long(&log_n), 0);
  ASSERT_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&log_n), 1);
  ASSERT_TRUE(CloseHandle(e[0]));
  ASSERT_TRUE(CloseHandle(e[1]));
}

/* ---- APCs queued to another thread ---- */

enum { MODE_SLEEPEX, MODE_WFSO, MODE_WFMO_ANY, MODE_WFMO_ALL };

struct target {
  int mode;
  HANDLE ready, never[2];
  DWORD result;
  ULONGLONG elapsed;
};

static DWORD WINAPI alertable_target(LPVOID arg) {
  struct target *t = (struct target *)arg;
  ULONGLONG t0;
  SetEvent(t->ready);
  t0 = GetTickCount64();
  switch (t->mode) {
    case MODE_SLEEPEX:
      t->result = SleepEx(10000, TRUE);
      break;
    case MODE_WFSO:
      t->result = WaitForSingleObjectEx(t->never[0], 10000, TRUE);
      break;
    case MODE_WFMO_ANY:
      t->result = WaitForMultipleObjectsEx(2, t->never, FALSE, 10000, TRUE);
      break;
    default:
      t->result = WaitForMultipleObjectsEx(2, t->never, TRUE, 10000, TRUE);
      break;
  }
  t->elapsed = GetTickCount64() - t0;
  return 0;
}

/* An APC queued from another thread wakes a thread blocked in an
 * alertable wait at once (well before its 10 s timeout). */
static void wake_case(int mode) {
  struct target t;
  HANDLE h;
  DWORD tid = 0;
  memset(&t, 0, sizeof(t));
  t.mode = mode;
  t.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  t.never[0] = CreateEventA(NULL, TRUE, FALSE, NULL);
  t.never[1] = CreateEventA(NULL, FALSE, FALSE, NULL);
  ASSERT_NE_PTR(t.ready, NULL);
  ASSERT_NE_PTR(t.never[0], NULL);
  ASSERT_NE_PTR(t.never[1], NULL);
  log_reset();
  h = CreateThread(NULL, 0, alertable_target, &t, 0, &tid);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(WaitForSingleObject(t.ready, 5000), WAIT_OBJECT_0);
  Sleep(100); /* let it block */
  ASSERT_NE(QueueUserAPC(log_apc, h, 77), 0);
  ASSERT_JOINED(h, 8000);
  ASSERT_EQ(t.result, WAIT_IO_COMPLETION);
  ASSERT_LT(t.elapsed, 5000);
  ASSERT_EQ(read_long(&log_n), 1);
  ASSERT_EQ(log_arg[0], 77);
  ASSERT_EQ(log_tid[0], tid);
  ASSERT_TRUE(CloseHandle(t.ready));
  ASSERT_TRUE(CloseHandle(t.never[0]));
  ASSERT_TRUE(CloseHandle(t.never[1]));
}

TEST(apc_wakes_sleepex) { wake_case(MODE_SLEEPEX); }
TEST(apc_wakes_wait_single_ex) { wake_case(MODE_WFSO); }
TEST(apc_wakes_wait_multiple_any_ex) { wake_case(MODE_WFMO_ANY); }
TEST(apc_wakes_wait_multiple_all_ex) { wake_case(MODE_WFMO_ALL); }

struct lazy_target {
  HANDLE ready, go, never;
  LONG seen_before;
  DWORD result;
  ULONGLONG elapsed;
};

/* Non-alertable waits of every kind, then one alertable wait. */
static DWORD WINAPI non_alertable_then_alertable(LPVOID arg) {
  struct lazy_target *t = (struct lazy_target *)arg;
  ULONGLONG t0;
  SetEvent(t->ready);
  WaitForSingleObject(t->go, 5000); /* APCs get queued meanwhile */
  Sleep(30);
  Sleep(0);
  SleepEx(30, FALSE);
  SleepEx(0, FALSE);
  WaitForSingleObject(t->never, 30);
  WaitForSingleObjectEx(t->never, 30, FALSE);
  WaitForMultipleObjects(1, &t->never, FALSE, 30);
  WaitForMultipleObjectsEx(1, &t->never, TRUE, 30, FALSE);
  t->seen_before = read_long(&log_n);
  t0 = GetTickCount64();
  t->result = SleepEx(10000, TRUE);
  t->elapsed = GetTickCount64() - t0;
  return 0;
}

/* APCs queued to a thread that is not in an alertable wait wait for one;
 * non-alertable waits never run them. */
TEST(non_alertable_waits_never_run_apcs) {
  struct lazy_target t;
  HANDLE h;
  DWORD tid = 0;
  memset(&t, 0, sizeof(t));
  t.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  t.go = CreateEventA(NULL, TRUE, FALSE, NULL);
  t.never = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(t.ready, NULL);
  ASSERT_NE_PTR(t.go, NULL);
  ASSERT_NE_PTR(t.never, NULL);
  log_reset();
  h = CreateThread(NULL, 0, non_alertable_then_alertable, &t, 0, &tid);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(WaitForSingleObject(t.ready, 5000), WAIT_OBJECT_0);
  ASSERT_NE(QueueUserAPC(log_apc, h, 1), 0);
  ASSERT_NE(QueueUserAPC(log_apc, h, 2), 0);
  ASSERT_NE(QueueUserAPC(log_apc, h, 3), 0);
  Sleep(50);
  ASSERT_EQ(read_long(&log_n), 0);
  ASSERT_TRUE(SetEvent(t.go));
  ASSERT_JOINED(h, 8000);
  ASSERT_EQ(t.seen_before, 0);
  ASSERT_EQ(t.result, WAIT_IO_COMPLETION);
  ASSERT_LT(t.elapsed, 5000);
  ASSERT_EQ(read_long(&log_n), 3);
  ASSERT_EQ(log_arg[0], 1);
  ASSERT_EQ(log_arg[1], 2);
  ASSERT_EQ(log_arg[2], 3);
  ASSERT_EQ(log_tid[0], tid);
  ASSERT_EQ(log_tid[2], tid);
  ASSERT_TRUE(CloseHandle(t.ready));
  ASSERT_TRUE(CloseHandle(t.go));
  ASSERT_TRUE(CloseHandle(t.never));
}

/* An APC that queues another APC to its own thread. Both run, in order;
 * the second at the latest on the next alertable wait. (On Windows the
 * second one runs within the same SleepEx; this test allows either.) */
static VOID NTAPI queue_another(ULONG_PTR arg) {
  log_apc(arg);
  QueueUserAPC(log_apc, GetCurrentThread(), arg + 1);
}

TEST(apc_queues_another_apc) {
  DWORD r;
  log_reset();
  ASSERT_NE(QueueUserAPC(queue_another, GetCurrentThread(), 10), 0);
  ASSERT_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
  ASSERT_GE(read_long(&log_n), 1);
  r = SleepEx(0, TRUE);
  ASSERT_TRUE(r == 0 || r == WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&log_n), 2);
  ASSERT_EQ(log_arg[0], 10);
  ASSERT_EQ(log_arg[1], 11);
  ASSERT_EQ(SleepEx(0, TRUE), 0);
}

/* An APC may itself wait (non-alertably) and signal objects. */
struct apc_signal_ctx {
  HANDLE e;
};
static VOID NTAPI signal_from_apc(ULONG_PTR arg) {
  struct apc_signal_ctx *c = (struct apc_signal_ctx *)arg;
  Sleep(1);
  SetEvent(c->e);
}

TEST(apc_signals_the_awaited_object) {
  struct apc_signal_ctx c;
  c.e = CreateEventA(NULL, FALSE, FALSE, NULL);
  ASSERT_NE_PTR(c.e, NULL);
  ASSERT_NE(QueueUserAPC(signal_from_apc, GetCurrentThread(), (ULONG_PTR)&c),
            0);
  /* The wait ends for the APC, even though the APC set the event... */
  ASSERT_EQ(WaitForSingleObjectEx(c.e, 5000, TRUE), WAIT_IO_COMPLETION);
  /* ...which is still set for the next wait. */
  ASSERT_EQ(WaitForSingleObjectEx(c.e, 1000, TRUE), WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(c.e));
}

static volatile LONG apc_before_start_seen;
static DWORD WINAPI check_apc_ran_first(LPVOID arg) {
  apc_before_start_seen = read_long(&log_n);
  return 0;
}

/* An APC queued before a (suspended) thread starts runs before its start
 * routine. */
TEST(apc_queued_before_thread_start) {
  HANDLE h;
  DWORD tid = 0;
  log_reset();
  apc_before_start_seen = -1;
  h = CreateThread(NULL, 0, check_apc_ran_first, NULL, CREATE_SUSPENDED, &tid);
  if (!h) SKIP("CreateThread(CREATE_SUSPENDED) not supported");
  ASSERT_NE(QueueUserAPC(log_apc, h, 123), 0);
  ASSERT_EQ(ResumeThread(h), 1);
  ASSERT_JOINED(h, 5000);
  ASSERT_EQ(apc_before_start_seen, 1);
  ASSERT_EQ(log_arg[0], 123);
  ASSERT_EQ(log_tid[0], tid);
}

TEST(queue_apc_invalid_handle) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_FAILS_WITH(QueueUserAPC(log_apc, NULL, 0), 0, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(QueueUserAPC(log_apc, BOGUS_HANDLE, 0), 0,
                    ERROR_INVALID_HANDLE);
  /* Not a thread: STATUS_OBJECT_TYPE_MISMATCH -> ERROR_INVALID_HANDLE. */
  ASSERT_FAILS_WITH(QueueUserAPC(log_apc, e, 0), 0, ERROR_INVALID_HANDLE);
  ASSERT_TRUE(CloseHandle(e));
  ASSERT_FAILS_WITH(QueueUserAPC(log_apc, e, 0), 0, ERROR_INVALID_HANDLE);
}

static DWORD WINAPI return_now(LPVOID arg) { return 0; }

/* A thread that has ended (its handle still open) takes no APCs:
 * STATUS_UNSUCCESSFUL, i.e. ERROR_GEN_FAILURE. (Wine's kernel32 sync test
 * checks this on Windows.) */
TEST(queue_apc_to_exited_thread) {
  HANDLE h = start_thread(return_now, NULL);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(WaitForSingleObject(h, 5000), WAIT_OBJECT_0);
  ASSERT_FAILS_WITH(QueueUserAPC(log_apc, h, 0), 0, ERROR_GEN_FAILURE);
  ASSERT_TRUE(CloseHandle(h));
}
