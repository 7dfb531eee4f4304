/*
 * test-threads.c: CreateThread, thread ids and handles, exit codes,
 * CREATE_SUSPENDED/ResumeThread, OpenThread, pseudo handles, Sleep.
 */
#include "ws2test.h"
#include "core-helpers.h"

struct id_ctx {
  DWORD seen_id;
  void *seen_param;
};

static DWORD WINAPI report_id(LPVOID arg) {
  struct id_ctx *c = (struct id_ctx *)arg;
  c->seen_id = GetCurrentThreadId();
  c->seen_param = arg;
  return 0x1234;
}

TEST(create_thread_handle_and_id) {
  struct id_ctx c;
  DWORD tid = 0, code = 0;
  HANDLE t;
  memset(&c, 0, sizeof(c));
  t = CreateThread(NULL, 0, report_id, &c, 0, &tid);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_NE(tid, 0);
  ASSERT_NE(tid, GetCurrentThreadId());
  ASSERT_EQ(GetThreadId(t), tid);
  ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  ASSERT_EQ(c.seen_id, tid);
  ASSERT_EQ_PTR(c.seen_param, &c);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ_U(code, 0x1234);
  /* The id and exit code stay available while the handle is open. */
  ASSERT_EQ(GetThreadId(t), tid);
  ASSERT_TRUE(CloseHandle(t));
}

TEST(create_thread_null_id_pointer) {
  struct id_ctx c;
  HANDLE t;
  memset(&c, 0, sizeof(c));
  t = CreateThread(NULL, 0, report_id, &c, 0, NULL);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_JOINED(t, 5000);
  ASSERT_NE(c.seen_id, 0);
}

TEST(create_thread_stack_size) {
  struct id_ctx c;
  HANDLE t;
  DWORD code = 0;
  memset(&c, 0, sizeof(c));
  t = CreateThread(NULL, 256 * 1024, report_id, &c, 0, NULL);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ_U(code, 0x1234);
  ASSERT_TRUE(CloseHandle(t));
  t = CreateThread(NULL, 1024 * 1024, report_id, &c, 
                   STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ_U(code, 0x1234);
  ASSERT_TRUE(CloseHandle(t));
}

static DWORD WINAPI wait_then_return(LPVOID arg) {
  WaitForSingleObject((HANDLE)arg, 5000);
  return 77;
}

TEST(exit_code_still_active_then_return_value) {
  HANDLE go = CreateEventA(NULL, TRUE, FALSE, NULL), t;
  DWORD code = 0;
  ASSERT_NE_PTR(go, NULL);
  t = start_thread(wait_then_return, go);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ(code, STILL_ACTIVE);
  ASSERT_EQ(WaitForSingleObject(t, 50), WAIT_TIMEOUT);
  ASSERT_TRUE(SetEvent(go));
  ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ(code, 77);
  ASSERT_TRUE(CloseHandle(t));
  ASSERT_TRUE(CloseHandle(go));
}

static volatile LONG after_exit_ran;

static void exit_from_nested_call(DWORD code) {
  ExitThread(code);
}

static DWORD WINAPI calls_exit_thread(LPVOID arg) {
  exit_from_nested_call((DWORD)(ULONG_PTR)arg);
  after_exit_ran = 1;
  return 1;
}

TEST(exit_thread_sets_exit_code) {
  HANDLE t;
  DWORD code = 0;
  after_exit_ran = 0;
  t = start_thread(calls_exit_thread, (LPVOID)(ULONG_PTR)99);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ(code, 99);
  ASSERT_EQ(after_exit_ran, 0);
  ASSERT_TRUE(CloseHandle(t));
}

TEST(exit_code_of_current_thread) {
  DWORD code = 0;
  ASSERT_TRUE(GetExitCodeThread(GetCurrentThread(), &code));
  ASSERT_EQ(code, STILL_ACTIVE);
}

TEST(thread_functions_invalid_handle) {
  DWORD code = 0;
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_FAILS_WITH(GetExitCodeThread(NULL, &code), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetExitCodeThread(BOGUS_HANDLE, &code), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetExitCodeThread(e, &code), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetThreadId(NULL), 0, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetThreadId(BOGUS_HANDLE), 0, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetThreadId(e), 0, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(ResumeThread(NULL), (DWORD)-1, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(ResumeThread(e), (DWORD)-1, ERROR_INVALID_HANDLE);
  ASSERT_TRUE(CloseHandle(e));
}

static volatile LONG suspended_ran;

static DWORD WINAPI mark_ran(LPVOID arg) {
  InterlockedIncrement(&suspended_ran);
  if (arg) WaitForSingleObject((HANDLE)arg, 5000);
  return 5;
}

TEST(create_suspended_and_resume) {
  HANDLE go = CreateEventA(NULL, TRUE, FALSE, NULL), t;
  DWORD tid = 0, code = 0;
  ASSERT_NE_PTR(go, NULL);
  suspended_ran = 0;
  t = CreateThread(NULL, 0, mark_ran, go, CREATE_SUSPENDED, &tid);
  if (!t) {
    CloseHandle(go);
    SKIP("CreateThread(CREATE_SUSPENDED) not supported");
  }
  ASSERT_NE(tid, 0);
  ASSERT_EQ(GetThreadId(t), tid);
  Sleep(100);
  ASSERT_EQ(read_long(&suspended_ran), 0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ(code, STILL_ACTIVE);
  ASSERT_EQ(WaitForSingleObject(t, 0), WAIT_TIMEOUT);
  ASSERT_EQ(ResumeThread(t), 1); /* the previous suspend count */
  ASSERT_TRUE(wait_count(&suspended_ran, 1, 5000));
  ASSERT_EQ(ResumeThread(t), 0); /* running (blocked on go): count was 0 */
  ASSERT_TRUE(SetEvent(go));
  ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ(code, 5);
  ASSERT_TRUE(CloseHandle(t));
  ASSERT_TRUE(CloseHandle(go));
}

/* GetCurrentThread()/GetCurrentProcess() are the documented constant
 * pseudo handles (HANDLE)-2 and (HANDLE)-1. */
TEST(pseudo_handles) {
  ASSERT_EQ_PTR(GetCurrentThread(), (HANDLE)(LONG_PTR)-2);
  ASSERT_EQ_PTR(GetCurrentProcess(), (HANDLE)(LONG_PTR)-1);
  ASSERT_EQ(GetThreadId(GetCurrentThread()), GetCurrentThreadId());
  ASSERT_NE(GetCurrentThreadId(), 0);
  ASSERT_NE(GetCurrentProcessId(), 0);
}

struct pseudo_ctx {
  HANDLE pseudo;
  DWORD id_from_pseudo, own_id;
};

static DWORD WINAPI read_pseudo(LPVOID arg) {
  struct pseudo_ctx *c = (struct pseudo_ctx *)arg;
  c->pseudo = GetCurrentThread();
  c->id_from_pseudo = GetThreadId(GetCurrentThread());
  c->own_id = GetCurrentThreadId();
  return 0;
}

/* The pseudo handle always means "the calling thread". */
TEST(pseudo_handle_means_calling_thread) {
  struct pseudo_ctx c;
  DWORD tid = 0;
  HANDLE t;
  memset(&c, 0, sizeof(c));
  t = CreateThread(NULL, 0, read_pseudo, &c, 0, &tid);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_JOINED(t, 5000);
  ASSERT_EQ_PTR(c.pseudo, GetCurrentThread());
  ASSERT_EQ(c.own_id, tid);
  ASSERT_EQ(c.id_from_pseudo, tid);
  ASSERT_NE(c.own_id, GetCurrentThreadId());
}

struct open_ctx {
  HANDLE go, ready;
  DWORD wait_result;
  volatile LONG apc_arg;
  DWORD apc_thread;
};

static struct open_ctx *open_ctx_now;

static VOID NTAPI open_apc(ULONG_PTR v) {
  open_ctx_now->apc_arg = (LONG)v;
  open_ctx_now->apc_thread = GetCurrentThreadId();
}

static DWORD WINAPI alertable_wait_for_go(LPVOID arg) {
  struct open_ctx *c = (struct open_ctx *)arg;
  SetEvent(c->ready);
  c->wait_result = WaitForSingleObjectEx(c->go, 5000, TRUE);
  return 3;
}

static void open_thread_case(DWORD access) {
  struct open_ctx c;
  HANDLE t, o;
  DWORD tid = 0, code = 0;
  memset(&c, 0, sizeof(c));
  open_ctx_now = &c;
  c.go = CreateEventA(NULL, TRUE, FALSE, NULL);
  c.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(c.go, NULL);
  ASSERT_NE_PTR(c.ready, NULL);
  t = CreateThread(NULL, 0, alertable_wait_for_go, &c, 0, &tid);
  ASSERT_NE_PTR(t, NULL);
  /* An APC queued before the thread starts would run before its start
   * routine, not in the wait: queue it once the thread runs. */
  ASSERT_EQ(WaitForSingleObject(c.ready, 5000), WAIT_OBJECT_0);
  o = OpenThread(access, FALSE, tid);
  ASSERT_NE_PTR(o, NULL);
  ASSERT_NE_PTR(o, t);
  ASSERT_EQ((ULONG_PTR)o & 3, 0);
  if (access & THREAD_QUERY_LIMITED_INFORMATION) ASSERT_EQ(GetThreadId(o), tid);
  /* An APC through the opened handle interrupts the alertable wait. */
  ASSERT_NE(QueueUserAPC(open_apc, o, 7), 0);
  ASSERT_EQ(WaitForSingleObject(o, 5000), WAIT_OBJECT_0);
  ASSERT_EQ(c.wait_result, WAIT_IO_COMPLETION);
  ASSERT_EQ(c.apc_arg, 7);
  ASSERT_EQ(c.apc_thread, tid);
  ASSERT_EQ(WaitForSingleObject(t, 0), WAIT_OBJECT_0);
  if (access & THREAD_QUERY_LIMITED_INFORMATION) {
    ASSERT_TRUE(GetExitCodeThread(o, &code));
    ASSERT_EQ(code, 3);
  }
  ASSERT_TRUE(CloseHandle(o));
  ASSERT_TRUE(CloseHandle(t));
  ASSERT_TRUE(CloseHandle(c.go));
  ASSERT_TRUE(CloseHandle(c.ready));
}

TEST(open_thread_all_access) { open_thread_case(THREAD_ALL_ACCESS); }

/* QueueUserAPC needs THREAD_SET_CONTEXT and waiting needs SYNCHRONIZE. */
TEST(open_thread_set_context) {
  open_thread_case(THREAD_SET_CONTEXT | SYNCHRONIZE);
}

TEST(open_thread_current_thread) {
  HANDLE o = OpenThread(THREAD_ALL_ACCESS, FALSE, GetCurrentThreadId());
  ASSERT_NE_PTR(o, NULL);
  ASSERT_EQ(GetThreadId(o), GetCurrentThreadId());
  ASSERT_EQ(WaitForSingleObject(o, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(o));
}

/* No such thread: STATUS_INVALID_CID, i.e. ERROR_INVALID_PARAMETER. */
TEST(open_thread_unknown_id) {
  ASSERT_FAILS_WITH(OpenThread(THREAD_ALL_ACCESS, FALSE, 0), NULL,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(OpenThread(THREAD_ALL_ACCESS, FALSE, 0xFFFFFFF0), NULL,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(OpenThread(SYNCHRONIZE, FALSE, 0x7FFFFFF0), NULL,
                    ERROR_INVALID_PARAMETER);
}

TEST(sleep_and_yield) {
  int i;
  for (i = 0; i < 10; i++) {
    Sleep(0);
    SwitchToThread(); /* TRUE or FALSE: whether another thread ran */
  }
  ASSERT_EQ(SleepEx(0, FALSE), 0);
  ASSERT_EQ(SleepEx(10, FALSE), 0);
}

enum { NTHREADS = 32 };
static volatile LONG many_count;
static volatile LONG many_ids[NTHREADS];

static DWORD WINAPI record_id(LPVOID arg) {
  int i = (int)(ULONG_PTR)arg;
  many_ids[i] = (LONG)GetCurrentThreadId();
  InterlockedIncrement(&many_count);
  Sleep(20); /* keep them alive together */
  return (DWORD)i;
}

TEST(many_threads) {
  HANDLE t[NTHREADS];
  DWORD tid[NTHREADS], r, code;
  int i, j;
  many_count = 0;
  for (i = 0; i < NTHREADS; i++) {
    t[i] = CreateThread(NULL, 0, record_id, (LPVOID)(ULONG_PTR)i, 0, &tid[i]);
    ASSERT_NE_PTR(t[i], NULL);
  }
  r = WaitForMultipleObjects(NTHREADS, t, TRUE, 10000);
  ASSERT_LT(r, WAIT_OBJECT_0 + NTHREADS);
  ASSERT_EQ(many_count, NTHREADS);
  for (i = 0; i < NTHREADS; i++) {
    ASSERT_EQ((DWORD)many_ids[i], tid[i]);
    ASSERT_TRUE(GetExitCodeThread(t[i], &code));
    ASSERT_EQ(code, i);
    for (j = 0; j < i; j++) ASSERT_NE(tid[i], tid[j]);
    ASSERT_TRUE(CloseHandle(t[i]));
  }
}

/* Closing a thread's handle does not stop the thread. */
static volatile LONG detached_done;
static DWORD WINAPI detached(LPVOID arg) {
  Sleep(50);
  InterlockedExchange(&detached_done, 1);
  return 0;
}

TEST(close_handle_of_running_thread) {
  HANDLE t;
  detached_done = 0;
  t = start_thread(detached, NULL);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_TRUE(CloseHandle(t));
  ASSERT_TRUE(wait_count(&detached_done, 1, 5000));
  Sleep(20); /* let it finish returning */
}
