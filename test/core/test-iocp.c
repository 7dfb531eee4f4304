/*
 * test-iocp.c: I/O completion ports without I/O: CreateIoCompletionPort,
 * PostQueuedCompletionStatus, GetQueuedCompletionStatus(Ex), waiter
 * order, the concurrency limit, closing a port under waiters, a stress run.
 *
 * A thread becomes associated with a port when it calls
 * GetQueuedCompletionStatus(Ex) on it, and then counts against the port's
 * NumberOfConcurrentThreads while it runs (not while it blocks on
 * anything). The main test thread never calls GQCS on a port whose
 * concurrency a test measures.
 */
#include "ws2test.h"
#include "core-helpers.h"

static HANDLE new_port(DWORD concurrency) {
  return CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, concurrency);
}

TEST(create_port) {
  HANDLE p = new_port(1), q = new_port(0), r = new_port(64);
  ASSERT_NE_PTR(p, NULL);
  ASSERT_NE_PTR(q, NULL);
  ASSERT_NE_PTR(r, NULL);
  ASSERT_NE_PTR(p, INVALID_HANDLE_VALUE);
  ASSERT_NE_PTR(p, q);
  ASSERT_EQ((ULONG_PTR)p & 3, 0);
  ASSERT_TRUE(CloseHandle(p));
  ASSERT_TRUE(CloseHandle(q));
  ASSERT_TRUE(CloseHandle(r));
}

/* With FileHandle INVALID_HANDLE_VALUE, ExistingCompletionPort must be
 * NULL. */
TEST(create_port_bad_arguments) {
  HANDLE p = new_port(1), e = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(p, NULL);
  ASSERT_NE_PTR(e, NULL);
  ASSERT_FAILS_WITH(CreateIoCompletionPort(INVALID_HANDLE_VALUE, p, 0, 1),
                    NULL, ERROR_INVALID_PARAMETER);
  /* An event is not a file: it cannot be associated with a port. */
  SetLastError(0);
  ASSERT_EQ_PTR(CreateIoCompletionPort(e, p, 1, 0), NULL);
  ASSERT_NE(GetLastError(), 0);
  ASSERT_TRUE(CloseHandle(e));
  ASSERT_TRUE(CloseHandle(p));
}

TEST(post_get_round_trip) {
  HANDLE p = new_port(1);
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED ov = NULL;
  ASSERT_NE_PTR(p, NULL);
  ASSERT_TRUE(PostQueuedCompletionStatus(p, 1234, (ULONG_PTR)0xfeedfacecafeULL,
                                         (LPOVERLAPPED)(ULONG_PTR)0x1000));
  ASSERT_TRUE(GetQueuedCompletionStatus(p, &bytes, &key, &ov, 1000));
  ASSERT_EQ(bytes, 1234);
  ASSERT_EQ_U(key, 0xfeedfacecafeULL);
  ASSERT_EQ_PTR(ov, (LPOVERLAPPED)(ULONG_PTR)0x1000);
  /* Any pointer value goes through untouched (it is never dereferenced),
   * and so do the extreme byte counts and keys. NULL too: the call
   * succeeds (a dequeued packet), with *lpOverlapped NULL. */
  ASSERT_TRUE(PostQueuedCompletionStatus(p, 0xFFFFFFFF, ~(ULONG_PTR)0,
                                         (LPOVERLAPPED)(ULONG_PTR)0x3));
  ASSERT_TRUE(PostQueuedCompletionStatus(p, 0, 0, NULL));
  ASSERT_TRUE(GetQueuedCompletionStatus(p, &bytes, &key, &ov, 0));
  ASSERT_EQ_U(bytes, 0xFFFFFFFF);
  ASSERT_EQ_U(key, ~(ULONG_PTR)0);
  ASSERT_EQ_PTR(ov, (LPOVERLAPPED)(ULONG_PTR)0x3);
  bytes = 1;
  key = 1;
  ov = (LPOVERLAPPED)(ULONG_PTR)0x10;
  SetLastError(0xdeadbeef);
  ASSERT_TRUE(GetQueuedCompletionStatus(p, &bytes, &key, &ov, 0));
  ASSERT_EQ(bytes, 0);
  ASSERT_EQ(key, 0);
  ASSERT_EQ_PTR(ov, NULL);
  ASSERT_TRUE(CloseHandle(p));
}

TEST(packets_fifo) {
  HANDLE p = new_port(1);
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  int i;
  ASSERT_NE_PTR(p, NULL);
  for (i = 0; i < 100; i++)
    ASSERT_TRUE(PostQueuedCompletionStatus(
        p, (DWORD)i, (ULONG_PTR)(1000 + i), (LPOVERLAPPED)(ULONG_PTR)(16 * (i + 1))));
  for (i = 0; i < 100; i++) {
    ASSERT_TRUE(GetQueuedCompletionStatus(p, &bytes, &key, &ov, 0));
    ASSERT_EQ(bytes, i);
    ASSERT_EQ(key, 1000 + i);
    ASSERT_EQ_PTR(ov, (LPOVERLAPPED)(ULONG_PTR)(16 * (i + 1)));
  }
  ASSERT_TRUE(CloseHandle(p));
}

/* Empty port, timeout 0 or finite: FALSE, *lpOverlapped NULL, WAIT_TIMEOUT
 * (Microsoft: if *lpOverlapped is NULL no packet was dequeued). */
TEST(get_timeout_on_empty_port) {
  HANDLE p = new_port(1);
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED ov;
  ULONGLONG t0;
  ASSERT_NE_PTR(p, NULL);
  ov = (LPOVERLAPPED)(ULONG_PTR)0x1234;
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(p, &bytes, &key, &ov, 0), FALSE,
                    WAIT_TIMEOUT);
  ASSERT_EQ_PTR(ov, NULL);
  ov = (LPOVERLAPPED)(ULONG_PTR)0x1234;
  t0 = GetTickCount64();
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(p, &bytes, &key, &ov, 150),
                    FALSE, WAIT_TIMEOUT);
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);
  ASSERT_EQ_PTR(ov, NULL);
  ASSERT_TRUE(CloseHandle(p));
}

TEST(get_ex_timeout_on_empty_port) {
  HANDLE p = new_port(1);
  OVERLAPPED_ENTRY ent[4];
  ULONG n = 0;
  ULONGLONG t0;
  ASSERT_NE_PTR(p, NULL);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatusEx(p, ent, 4, &n, 0, FALSE),
                    FALSE, WAIT_TIMEOUT);
  t0 = GetTickCount64();
  ASSERT_FAILS_WITH(GetQueuedCompletionStatusEx(p, ent, 4, &n, 150, FALSE),
                    FALSE, WAIT_TIMEOUT);
  ASSERT_GE(GetTickCount64() - t0, 150 - SLACK_MS);
  ASSERT_TRUE(CloseHandle(p));
}

/* GetQueuedCompletionStatusEx removes up to ulCount packets at once, in
 * order; Internal is the packet's status (0 for posted packets). */
TEST(get_ex_batches) {
  HANDLE p = new_port(1);
  OVERLAPPED_ENTRY ent[16];
  ULONG n = 0, i;
  ASSERT_NE_PTR(p, NULL);
  for (i = 0; i < 5; i++)
    ASSERT_TRUE(PostQueuedCompletionStatus(p, 100 + i, 200 + i,
                                           (LPOVERLAPPED)(ULONG_PTR)(8 * (i + 1))));
  memset(ent, 0xcc, sizeof(ent));
  ASSERT_TRUE(GetQueuedCompletionStatusEx(p, ent, 16, &n, 1000, FALSE));
  ASSERT_EQ(n, 5);
  for (i = 0; i < 5; i++) {
    ASSERT_EQ(ent[i].dwNumberOfBytesTransferred, 100 + i);
    ASSERT_EQ(ent[i].lpCompletionKey, 200 + i);
    ASSERT_EQ_PTR(ent[i].lpOverlapped, (LPOVERLAPPED)(ULONG_PTR)(8 * (i + 1)));
    /* The packet status (STATUS_SUCCESS); only its low 32 bits are
     * written (it is the NTSTATUS of an IO_STATUS_BLOCK). */
    ASSERT_EQ((DWORD)ent[i].Internal, 0);
  }
  /* Fewer slots than packets: 2, 2, 1, then empty. */
  for (i = 0; i < 5; i++)
    ASSERT_TRUE(PostQueuedCompletionStatus(p, i, i, NULL));
  ASSERT_TRUE(GetQueuedCompletionStatusEx(p, ent, 2, &n, 0, FALSE));
  ASSERT_EQ(n, 2);
  ASSERT_EQ(ent[0].dwNumberOfBytesTransferred, 0);
  ASSERT_EQ(ent[1].dwNumberOfBytesTransferred, 1);
  ASSERT_TRUE(GetQueuedCompletionStatusEx(p, ent, 2, &n, 0, FALSE));
  ASSERT_EQ(n, 2);
  ASSERT_EQ(ent[0].dwNumberOfBytesTransferred, 2);
  ASSERT_EQ(ent[1].dwNumberOfBytesTransferred, 3);
  ASSERT_TRUE(GetQueuedCompletionStatusEx(p, ent, 2, &n, 0, FALSE));
  ASSERT_EQ(n, 1);
  ASSERT_EQ(ent[0].dwNumberOfBytesTransferred, 4);
  ASSERT_EQ_PTR(ent[0].lpOverlapped, NULL);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatusEx(p, ent, 2, &n, 0, FALSE),
                    FALSE, WAIT_TIMEOUT);
  ASSERT_TRUE(CloseHandle(p));
}

/* ulCount 0 is ERROR_INVALID_PARAMETER (current Wine's
 * NtRemoveIoCompletionEx returns STATUS_INVALID_PARAMETER for it, matching
 * Windows; Wine 8.0 still returns TRUE). */
TEST(get_ex_zero_count) {
  HANDLE p = new_port(1);
  OVERLAPPED_ENTRY ent[1];
  ULONG n = 0;
  ASSERT_NE_PTR(p, NULL);
  ASSERT_TRUE(PostQueuedCompletionStatus(p, 1, 2, NULL));
  ASSERT_FAILS_WITH(GetQueuedCompletionStatusEx(p, ent, 0, &n, 0, FALSE),
                    FALSE, ERROR_INVALID_PARAMETER);
  /* The packet is still there. */
  ASSERT_TRUE(GetQueuedCompletionStatusEx(p, ent, 1, &n, 0, FALSE));
  ASSERT_EQ(n, 1);
  ASSERT_TRUE(CloseHandle(p));
}

TEST(ports_are_independent) {
  HANDLE a = new_port(1), b = new_port(1);
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  ASSERT_NE_PTR(a, NULL);
  ASSERT_NE_PTR(b, NULL);
  ASSERT_TRUE(PostQueuedCompletionStatus(a, 1, 1, NULL));
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(b, &bytes, &key, &ov, 0), FALSE,
                    WAIT_TIMEOUT);
  ASSERT_TRUE(GetQueuedCompletionStatus(a, &bytes, &key, &ov, 0));
  ASSERT_TRUE(CloseHandle(a));
  ASSERT_TRUE(CloseHandle(b));
}

/* Closing a port that still holds packets is fine. */
TEST(close_port_with_queued_packets) {
  HANDLE p = new_port(1);
  int i;
  ASSERT_NE_PTR(p, NULL);
  for (i = 0; i < 1000; i++)
    ASSERT_TRUE(PostQueuedCompletionStatus(p, i, i, NULL));
  ASSERT_TRUE(CloseHandle(p));
}

TEST(port_functions_invalid_handle) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL), p = new_port(1);
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  OVERLAPPED_ENTRY ent[2];
  ULONG n;
  ASSERT_NE_PTR(e, NULL);
  ASSERT_NE_PTR(p, NULL);
  ASSERT_TRUE(CloseHandle(p)); /* p is now a closed handle */

  ov = (LPOVERLAPPED)(ULONG_PTR)0x1234;
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(NULL, &bytes, &key, &ov, 0),
                    FALSE, ERROR_INVALID_HANDLE);
  ASSERT_EQ_PTR(ov, NULL);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(BOGUS_HANDLE, &bytes, &key, &ov,
                                              100),
                    FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(p, &bytes, &key, &ov, 100),
                    FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(e, &bytes, &key, &ov, 100),
                    FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatusEx(NULL, ent, 2, &n, 0, FALSE),
                    FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatusEx(e, ent, 2, &n, 100, TRUE),
                    FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(PostQueuedCompletionStatus(NULL, 1, 1, NULL), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(PostQueuedCompletionStatus(BOGUS_HANDLE, 1, 1, NULL),
                    FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(PostQueuedCompletionStatus(p, 1, 1, NULL), FALSE,
                    ERROR_INVALID_HANDLE);
  /* Not a port: STATUS_OBJECT_TYPE_MISMATCH -> ERROR_INVALID_HANDLE. */
  ASSERT_FAILS_WITH(PostQueuedCompletionStatus(e, 1, 1, NULL), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_TRUE(CloseHandle(e));
}

/* ---- APCs and GetQueuedCompletionStatusEx ---- */

static volatile LONG apc_runs;
static VOID NTAPI count_apc(ULONG_PTR arg) { InterlockedIncrement(&apc_runs); }

TEST(get_ex_alertable_apc_on_empty_port) {
  HANDLE p = new_port(1);
  OVERLAPPED_ENTRY ent[4];
  ULONG n = 0;
  ULONGLONG t0;
  ASSERT_NE_PTR(p, NULL);
  drain_apcs();
  apc_runs = 0;
  ASSERT_NE(QueueUserAPC(count_apc, GetCurrentThread(), 0), 0);
  /* Not alertable: the APC stays queued. */
  ASSERT_FAILS_WITH(GetQueuedCompletionStatusEx(p, ent, 4, &n, 0, FALSE),
                    FALSE, WAIT_TIMEOUT);
  ASSERT_EQ(read_long(&apc_runs), 0);
  t0 = GetTickCount64();
  ASSERT_FAILS_WITH(GetQueuedCompletionStatusEx(p, ent, 4, &n, 10000, TRUE),
                    FALSE, WAIT_IO_COMPLETION);
  ASSERT_LT(GetTickCount64() - t0, 5000);
  ASSERT_EQ(read_long(&apc_runs), 1);
  ASSERT_TRUE(CloseHandle(p));
}

/*
 * A thread not (yet) associated with the port: the queued APC goes first
 * even though a packet is waiting; the packet stays queued. (Wine's ntdll
 * file test checks this on Windows: "APC takes priority over pending
 * completion ... even if the thread is associated with some other
 * completion port"; a call that returned STATUS_USER_APC does not
 * associate the thread.) Wine 8.0 predates that test and returns the
 * packet.
 */
TEST(get_ex_alertable_apc_before_packet) {
  HANDLE p = new_port(1);
  OVERLAPPED_ENTRY ent[4];
  ULONG n = 0;
  ASSERT_NE_PTR(p, NULL);
  drain_apcs();
  apc_runs = 0;
  ASSERT_NE(QueueUserAPC(count_apc, GetCurrentThread(), 0), 0);
  ASSERT_TRUE(PostQueuedCompletionStatus(p, 5, 6, NULL));
  ASSERT_FAILS_WITH(GetQueuedCompletionStatusEx(p, ent, 4, &n, 0, TRUE), FALSE,
                    WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&apc_runs), 1);
  ASSERT_TRUE(GetQueuedCompletionStatusEx(p, ent, 4, &n, 0, TRUE));
  ASSERT_EQ(n, 1);
  ASSERT_EQ(ent[0].dwNumberOfBytesTransferred, 5);
  ASSERT_EQ(ent[0].lpCompletionKey, 6);
  ASSERT_TRUE(CloseHandle(p));
}

/* Once the thread is associated with the port (it has dequeued from it),
 * a waiting packet is returned before a pending APC, as a signalled object
 * is before APCs in WaitForSingleObjectEx. (Same Wine test, on Windows.) */
TEST(get_ex_associated_thread_gets_packet_before_apc) {
  HANDLE p = new_port(1);
  OVERLAPPED_ENTRY ent[4];
  ULONG n = 0;
  ASSERT_NE_PTR(p, NULL);
  ASSERT_TRUE(PostQueuedCompletionStatus(p, 1, 1, NULL));
  ASSERT_TRUE(GetQueuedCompletionStatusEx(p, ent, 4, &n, 0, FALSE));
  drain_apcs();
  apc_runs = 0;
  ASSERT_NE(QueueUserAPC(count_apc, GetCurrentThread(), 0), 0);
  ASSERT_TRUE(PostQueuedCompletionStatus(p, 2, 2, NULL));
  ASSERT_TRUE(GetQueuedCompletionStatusEx(p, ent, 4, &n, 0, TRUE));
  ASSERT_EQ(n, 1);
  ASSERT_EQ(ent[0].dwNumberOfBytesTransferred, 2);
  ASSERT_EQ(read_long(&apc_runs), 0);
  ASSERT_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&apc_runs), 1);
  ASSERT_TRUE(CloseHandle(p));
}

struct apc_port_target {
  HANDLE port, ready;
  int mode; /* 0: GQCSEx alertable; 1: GQCS; 2: GQCSEx not alertable */
  BOOL ok;
  DWORD err;
  LONG apcs_before_return;
  ULONGLONG elapsed;
  DWORD after_sleepex;
};

static DWORD WINAPI apc_port_waiter(LPVOID arg) {
  struct apc_port_target *t = (struct apc_port_target *)arg;
  OVERLAPPED_ENTRY ent[2];
  ULONG n;
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  ULONGLONG t0;
  SetEvent(t->ready);
  t0 = GetTickCount64();
  if (t->mode == 0)
    t->ok = GetQueuedCompletionStatusEx(t->port, ent, 2, &n, 10000, TRUE);
  else if (t->mode == 1)
    t->ok = GetQueuedCompletionStatus(t->port, &bytes, &key, &ov, 400);
  else
    t->ok = GetQueuedCompletionStatusEx(t->port, ent, 2, &n, 400, FALSE);
  t->err = GetLastError();
  t->elapsed = GetTickCount64() - t0;
  t->apcs_before_return = read_long(&apc_runs);
  t->after_sleepex = SleepEx(0, TRUE);
  return 0;
}

static void apc_port_case(int mode) {
  struct apc_port_target t;
  HANDLE h;
  memset(&t, 0, sizeof(t));
  t.mode = mode;
  t.port = new_port(1);
  t.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(t.port, NULL);
  ASSERT_NE_PTR(t.ready, NULL);
  apc_runs = 0;
  h = start_thread(apc_port_waiter, &t);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(WaitForSingleObject(t.ready, 5000), WAIT_OBJECT_0);
  Sleep(100); /* blocked on the port */
  ASSERT_NE(QueueUserAPC(count_apc, h, 0), 0);
  ASSERT_JOINED(h, 12000);
  ASSERT_FALSE(t.ok);
  if (mode == 0) {
    /* Woken at once by the APC. */
    ASSERT_EQ(t.err, WAIT_IO_COMPLETION);
    ASSERT_LT(t.elapsed, 5000);
    ASSERT_EQ(t.apcs_before_return, 1);
    ASSERT_EQ(t.after_sleepex, 0);
  } else {
    /* Not alertable: the wait runs its course; the APC waits for the
     * thread's next alertable wait. */
    ASSERT_EQ(t.err, WAIT_TIMEOUT);
    ASSERT_GE(t.elapsed, 400 - SLACK_MS);
    ASSERT_EQ(t.apcs_before_return, 0);
    ASSERT_EQ(t.after_sleepex, WAIT_IO_COMPLETION);
  }
  ASSERT_EQ(read_long(&apc_runs), 1);
  ASSERT_TRUE(CloseHandle(t.ready));
  ASSERT_TRUE(CloseHandle(t.port));
}

TEST(get_ex_alertable_woken_by_apc_from_other_thread) { apc_port_case(0); }
TEST(get_is_not_alertable) { apc_port_case(1); }
TEST(get_ex_not_alertable_ignores_apc) { apc_port_case(2); }

/* ---- waiter threads ---- */

struct port_waiter {
  HANDLE port, ready;
  int index;
  int use_ex;
  DWORD timeout;
  /* results */
  BOOL ok;
  DWORD err, bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  ULONG n;
};

static DWORD WINAPI wait_one_packet(LPVOID arg) {
  struct port_waiter *w = (struct port_waiter *)arg;
  SetEvent(w->ready);
  SetLastError(0);
  w->ov = (LPOVERLAPPED)(ULONG_PTR)0x5678;
  if (w->use_ex) {
    OVERLAPPED_ENTRY ent[4];
    w->ok = GetQueuedCompletionStatusEx(w->port, ent, 1, &w->n, w->timeout,
                                        FALSE);
    w->err = GetLastError();
    if (w->ok) {
      w->bytes = ent[0].dwNumberOfBytesTransferred;
      w->key = ent[0].lpCompletionKey;
      w->ov = ent[0].lpOverlapped;
    }
  } else {
    w->ok = GetQueuedCompletionStatus(w->port, &w->bytes, &w->key, &w->ov,
                                      w->timeout);
    w->err = GetLastError();
  }
  return 0;
}

/* Threads blocked on a port are released last-in, first-out, while the
 * packets themselves are first-in, first-out (Microsoft, "I/O Completion
 * Ports"). Wine 8.0 releases the threads first-in, first-out. */
TEST(waiters_released_lifo) {
  enum { N = 4 };
  struct port_waiter w[N];
  HANDLE t[N], p = new_port(N);
  int i, k;
  ASSERT_NE_PTR(p, NULL);
  memset(w, 0, sizeof(w));
  for (i = 0; i < N; i++) {
    w[i].port = p;
    w[i].index = i;
    w[i].timeout = 10000;
    w[i].use_ex = i & 1;
    w[i].ready = CreateEventA(NULL, TRUE, FALSE, NULL);
    ASSERT_NE_PTR(w[i].ready, NULL);
    t[i] = start_thread(wait_one_packet, &w[i]);
    ASSERT_NE_PTR(t[i], NULL);
    ASSERT_EQ(WaitForSingleObject(w[i].ready, 5000), WAIT_OBJECT_0);
    Sleep(150); /* it is now blocked in GQCS, after the previous ones */
  }
  for (k = 0; k < N; k++) {
    int expect = N - 1 - k;
    ASSERT_TRUE(PostQueuedCompletionStatus(p, (DWORD)k, 0, NULL));
    /* The most recent waiter still blocked gets it, and ends. */
    ASSERT_EQ(WaitForSingleObject(t[expect], 5000), WAIT_OBJECT_0);
    ASSERT_TRUE(w[expect].ok);
    ASSERT_EQ(w[expect].bytes, k);
    for (i = 0; i < expect; i++) ASSERT_EQ(WaitForSingleObject(t[i], 0), WAIT_TIMEOUT);
  }
  ASSERT_EQ(join_all(t, N, 5000), 0);
  for (i = 0; i < N; i++) ASSERT_TRUE(CloseHandle(w[i].ready));
  ASSERT_TRUE(CloseHandle(p));
}

/* A blocked GetQueuedCompletionStatus is released by a post from another
 * thread. */
TEST(blocked_get_released_by_post) {
  struct port_waiter w;
  HANDLE t, p = new_port(1);
  ASSERT_NE_PTR(p, NULL);
  memset(&w, 0, sizeof(w));
  w.port = p;
  w.timeout = 10000;
  w.ready = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(w.ready, NULL);
  t = start_thread(wait_one_packet, &w);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(w.ready, 5000), WAIT_OBJECT_0);
  Sleep(100);
  ASSERT_TRUE(PostQueuedCompletionStatus(p, 42, 43, (LPOVERLAPPED)(ULONG_PTR)0x44));
  ASSERT_JOINED(t, 5000);
  ASSERT_TRUE(w.ok);
  ASSERT_EQ(w.bytes, 42);
  ASSERT_EQ(w.key, 43);
  ASSERT_EQ_PTR(w.ov, (LPOVERLAPPED)(ULONG_PTR)0x44);
  ASSERT_TRUE(CloseHandle(w.ready));
  ASSERT_TRUE(CloseHandle(p));
}

/* Closing the port wakes every thread blocked on it: FALSE,
 * ERROR_ABANDONED_WAIT_0, *lpOverlapped NULL (Microsoft, GQCS remarks).
 * Afterwards the handle is simply invalid. Wine 8.0 leaves the waiters
 * blocked until their timeouts. */
TEST(close_port_abandons_waiters) {
  enum { N = 3 };
  struct port_waiter w[N];
  HANDLE t[N], p = new_port(2);
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  int i;
  ASSERT_NE_PTR(p, NULL);
  memset(w, 0, sizeof(w));
  for (i = 0; i < N; i++) {
    w[i].port = p;
    w[i].timeout = 10000;
    w[i].use_ex = i == 2;
    w[i].ready = CreateEventA(NULL, TRUE, FALSE, NULL);
    ASSERT_NE_PTR(w[i].ready, NULL);
    t[i] = start_thread(wait_one_packet, &w[i]);
    ASSERT_NE_PTR(t[i], NULL);
    ASSERT_EQ(WaitForSingleObject(w[i].ready, 5000), WAIT_OBJECT_0);
  }
  Sleep(200);
  ASSERT_TRUE(CloseHandle(p));
  ASSERT_EQ(join_all(t, N, 5000), 0);
  for (i = 0; i < N; i++) {
    ASSERT_FALSE(w[i].ok);
    ASSERT_EQ(w[i].err, ERROR_ABANDONED_WAIT_0);
    if (!w[i].use_ex) ASSERT_EQ_PTR(w[i].ov, NULL);
    ASSERT_TRUE(CloseHandle(w[i].ready));
  }
  ov = (LPOVERLAPPED)(ULONG_PTR)0x1;
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(p, &bytes, &key, &ov, 0), FALSE,
                    ERROR_INVALID_HANDLE);
}

/* ---- NumberOfConcurrentThreads ----
 *
 * Microsoft ("I/O Completion Ports"): at most NumberOfConcurrentThreads
 * threads associated with the port run at once (0: one per processor);
 * a released thread stops counting while it is in a wait of any kind, and
 * the system may then release another waiter. Wine 8.0 ignores the limit,
 * so the cases that check that a packet is held back fail there. */

enum { QUIT_KEY = 0x51 };

struct conc {
  HANDLE port;
  volatile LONG ready;
  volatile LONG delivered;     /* data packets dequeued, all threads */
  volatile LONG during_spin;   /* `delivered` right after the first spin */
  volatile LONG stop;          /* ends the spins of conc_spinner */
  volatile LONG errors;
  int block_mode;              /* conc_blocker: 0 WaitForSingleObject, 1 Sleep */
  HANDLE second_got;           /* conc_blocker: set by the second receiver */
  volatile LONG blocked_result;
  volatile LONG per_thread[16];
};

/* Dequeues until QUIT_KEY; on the first data packet of the whole test it
 * spins (no blocking call) for 300 ms, then records `delivered`. */
static DWORD WINAPI conc_spin_first(LPVOID arg) {
  struct conc *c = (struct conc *)arg;
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  InterlockedIncrement(&c->ready);
  for (;;) {
    if (!GetQueuedCompletionStatus(c->port, &bytes, &key, &ov, 5000)) {
      InterlockedIncrement(&c->errors);
      return 1;
    }
    if (key == QUIT_KEY) return 0;
    if (InterlockedIncrement(&c->delivered) == 1) {
      spin_ms(300);
      InterlockedExchange(&c->during_spin, read_long(&c->delivered));
    }
  }
}

/* Concurrency 1: while one released thread runs (spins), a second packet
 * is not handed to the other blocked thread. It is delivered only once the
 * running thread calls GQCS again (Windows then gives it to that very
 * thread; either thread is accepted here). */
TEST(concurrency_limit_holds_while_running) {
  struct conc c;
  HANDLE t[2];
  int i;
  memset(&c, 0, sizeof(c));
  c.port = new_port(1);
  ASSERT_NE_PTR(c.port, NULL);
  for (i = 0; i < 2; i++) {
    t[i] = start_thread(conc_spin_first, &c);
    ASSERT_NE_PTR(t[i], NULL);
  }
  ASSERT_TRUE(wait_count(&c.ready, 2, 5000));
  Sleep(150); /* both blocked in GQCS */
  ASSERT_TRUE(PostQueuedCompletionStatus(c.port, 1, 1, NULL));
  ASSERT_TRUE(PostQueuedCompletionStatus(c.port, 2, 2, NULL));
  ASSERT_TRUE(wait_count(&c.during_spin, 1, 5000)); /* the spin is over */
  ASSERT_EQ(read_long(&c.during_spin), 1);
  ASSERT_TRUE(wait_count(&c.delivered, 2, 5000));
  ASSERT_TRUE(PostQueuedCompletionStatus(c.port, 0, QUIT_KEY, NULL));
  ASSERT_TRUE(PostQueuedCompletionStatus(c.port, 0, QUIT_KEY, NULL));
  ASSERT_EQ(join_all(t, 2, 8000), 0);
  ASSERT_EQ(c.errors, 0);
  ASSERT_EQ(c.delivered, 2);
  ASSERT_TRUE(CloseHandle(c.port));
}

/* Takes one packet. The first receiver then blocks (mode 0: waits on
 * second_got; mode 1: Sleeps in 20 ms steps) until the second packet has
 * been delivered; the second receiver sets second_got. */
static DWORD WINAPI conc_blocker(LPVOID arg) {
  struct conc *c = (struct conc *)arg;
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  InterlockedIncrement(&c->ready);
  if (!GetQueuedCompletionStatus(c->port, &bytes, &key, &ov, 8000)) {
    InterlockedIncrement(&c->errors);
    return 1;
  }
  if (InterlockedIncrement(&c->delivered) == 1) {
    if (c->block_mode == 0) {
      c->blocked_result = (LONG)WaitForSingleObject(c->second_got, 5000);
    } else {
      ULONGLONG end = GetTickCount64() + 5000;
      while (read_long(&c->delivered) < 2 && GetTickCount64() < end) Sleep(20);
      c->blocked_result = read_long(&c->delivered) >= 2 ? 0 : WAIT_TIMEOUT;
    }
  } else {
    SetEvent(c->second_got);
  }
  return 0;
}

/* Concurrency 1: when the released thread blocks (in a wait or a Sleep),
 * it stops counting as running, so the other blocked thread gets the
 * second packet. */
static void blocking_releases_case(int mode) {
  struct conc c;
  HANDLE t[2];
  int i;
  memset(&c, 0, sizeof(c));
  c.block_mode = mode;
  c.blocked_result = -1;
  c.port = new_port(1);
  c.second_got = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(c.port, NULL);
  ASSERT_NE_PTR(c.second_got, NULL);
  for (i = 0; i < 2; i++) {
    t[i] = start_thread(conc_blocker, &c);
    ASSERT_NE_PTR(t[i], NULL);
  }
  ASSERT_TRUE(wait_count(&c.ready, 2, 5000));
  Sleep(150);
  ASSERT_TRUE(PostQueuedCompletionStatus(c.port, 1, 1, NULL));
  ASSERT_TRUE(PostQueuedCompletionStatus(c.port, 2, 2, NULL));
  ASSERT_EQ(join_all(t, 2, 8000), 0);
  ASSERT_EQ(c.errors, 0);
  ASSERT_EQ(c.delivered, 2);
  ASSERT_EQ(c.blocked_result, WAIT_OBJECT_0);
  ASSERT_TRUE(CloseHandle(c.second_got));
  ASSERT_TRUE(CloseHandle(c.port));
}

TEST(concurrency_wait_releases_next_waiter) { blocking_releases_case(0); }
TEST(concurrency_sleep_releases_next_waiter) { blocking_releases_case(1); }

/* Takes one packet, spins 200 ms, records `delivered`, and ends. */
static DWORD WINAPI conc_take_spin_exit(LPVOID arg) {
  struct conc *c = (struct conc *)arg;
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  InterlockedIncrement(&c->ready);
  if (!GetQueuedCompletionStatus(c->port, &bytes, &key, &ov, 8000)) {
    InterlockedIncrement(&c->errors);
    return 1;
  }
  if (InterlockedIncrement(&c->delivered) == 1) {
    spin_ms(200);
    InterlockedExchange(&c->during_spin, read_long(&c->delivered));
  }
  return 0;
}

/* Concurrency 1: a released thread that ends (without calling GQCS again)
 * gives its place up, and the other blocked thread gets the next packet
 * (the kernel activates a waiter when a thread of the queue terminates). */
TEST(concurrency_thread_exit_releases_next_waiter) {
  struct conc c;
  HANDLE t[2];
  int i;
  memset(&c, 0, sizeof(c));
  c.port = new_port(1);
  ASSERT_NE_PTR(c.port, NULL);
  for (i = 0; i < 2; i++) {
    t[i] = start_thread(conc_take_spin_exit, &c);
    ASSERT_NE_PTR(t[i], NULL);
  }
  ASSERT_TRUE(wait_count(&c.ready, 2, 5000));
  Sleep(150);
  ASSERT_TRUE(PostQueuedCompletionStatus(c.port, 1, 1, NULL));
  ASSERT_TRUE(PostQueuedCompletionStatus(c.port, 2, 2, NULL));
  ASSERT_EQ(join_all(t, 2, 6000), 0);
  ASSERT_EQ(c.errors, 0);
  ASSERT_EQ(c.delivered, 2);
  ASSERT_EQ(c.during_spin, 1);
  ASSERT_TRUE(CloseHandle(c.port));
}

/* Spins until c->stop (at most 5 s) after every data packet. */
static DWORD WINAPI conc_spinner(LPVOID arg) {
  struct conc *c = (struct conc *)arg;
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  InterlockedIncrement(&c->ready);
  for (;;) {
    if (!GetQueuedCompletionStatus(c->port, &bytes, &key, &ov, 8000)) {
      InterlockedIncrement(&c->errors);
      return 1;
    }
    if (key == QUIT_KEY) return 0;
    InterlockedIncrement(&c->delivered);
    {
      ULONGLONG end = GetTickCount64() + 5000;
      while (!read_long(&c->stop) && GetTickCount64() < end) YieldProcessor();
    }
  }
}

/* NumberOfConcurrentThreads 0 means "as many as there are processors":
 * with P processors and P+1 blocked threads, P packets out of P+1 are
 * handed out while the receivers keep running. */
TEST(concurrency_zero_means_processor_count) {
  struct conc c;
  SYSTEM_INFO si;
  HANDLE t[17];
  int i, n;
  LONG got;
  GetSystemInfo(&si);
  if (si.dwNumberOfProcessors > 16) SKIP("more than 16 processors");
  n = (int)si.dwNumberOfProcessors + 1;
  memset(&c, 0, sizeof(c));
  c.port = new_port(0);
  ASSERT_NE_PTR(c.port, NULL);
  for (i = 0; i < n; i++) {
    t[i] = start_thread(conc_spinner, &c);
    ASSERT_NE_PTR(t[i], NULL);
  }
  ASSERT_TRUE(wait_count(&c.ready, n, 5000));
  Sleep(150);
  for (i = 0; i < n; i++)
    ASSERT_TRUE(PostQueuedCompletionStatus(c.port, (DWORD)i, 1, NULL));
  ASSERT_TRUE(wait_count(&c.delivered, n - 1, 5000));
  Sleep(200);
  got = read_long(&c.delivered);
  InterlockedExchange(&c.stop, 1);
  ASSERT_TRUE(wait_count(&c.delivered, n, 5000)); /* the last one, now */
  for (i = 0; i < n; i++)
    ASSERT_TRUE(PostQueuedCompletionStatus(c.port, 0, QUIT_KEY, NULL));
  ASSERT_EQ(join_all(t, n, 8000), 0);
  ASSERT_EQ(got, n - 1);
  ASSERT_EQ(c.errors, 0);
  ASSERT_TRUE(CloseHandle(c.port));
}

/* ---- stress ---- */

enum { PER_PRODUCER = 25000, MAX_PRODUCERS = 8, STRESS_QUIT = 0xFFFF };

struct stress {
  HANDLE port;
  int producers;
  volatile LONG *seen;
  volatile LONG total, dups, bad, quits_reposted, errors;
};

struct producer_arg {
  struct stress *s;
  int index;
};

static LPOVERLAPPED stress_ov(LONG id) {
  return (LPOVERLAPPED)(ULONG_PTR)(((ULONG_PTR)id + 1) * 16);
}

static DWORD WINAPI stress_producer(LPVOID arg) {
  struct producer_arg *a = (struct producer_arg *)arg;
  int i;
  for (i = 0; i < PER_PRODUCER; i++) {
    LONG id = a->index * PER_PRODUCER + i;
    if (!PostQueuedCompletionStatus(a->s->port, (DWORD)i,
                                    (ULONG_PTR)(a->index + 1), stress_ov(id)))
      InterlockedIncrement(&a->s->errors);
  }
  return 0;
}

/* Returns 1 when the packet was a sentinel. */
static int stress_take(struct stress *s, DWORD bytes, ULONG_PTR key,
                       LPOVERLAPPED ov) {
  LONG id;
  if (key == STRESS_QUIT) return 1;
  if (key < 1 || key > (ULONG_PTR)s->producers || bytes >= PER_PRODUCER) {
    InterlockedIncrement(&s->bad);
    return 0;
  }
  id = (LONG)(key - 1) * PER_PRODUCER + (LONG)bytes;
  if (ov != stress_ov(id)) InterlockedIncrement(&s->bad);
  if (InterlockedIncrement(&s->seen[id]) != 1) InterlockedIncrement(&s->dups);
  InterlockedIncrement(&s->total);
  return 0;
}

static DWORD WINAPI stress_consumer_gqcs(LPVOID arg) {
  struct stress *s = (struct stress *)arg;
  ULONGLONG end = GetTickCount64() + 30000;
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  while (GetTickCount64() < end) {
    if (!GetQueuedCompletionStatus(s->port, &bytes, &key, &ov, 10000)) {
      InterlockedIncrement(&s->errors);
      return 1;
    }
    if (stress_take(s, bytes, key, ov)) return 0;
  }
  return 1;
}

static DWORD WINAPI stress_consumer_gqcsex(LPVOID arg) {
  struct stress *s = (struct stress *)arg;
  ULONGLONG end = GetTickCount64() + 30000;
  OVERLAPPED_ENTRY ent[64];
  ULONG n, i;
  int quit = 0;
  while (!quit && GetTickCount64() < end) {
    if (!GetQueuedCompletionStatusEx(s->port, ent, 64, &n, 10000, FALSE)) {
      InterlockedIncrement(&s->errors);
      return 1;
    }
    for (i = 0; i < n; i++) {
      if (stress_take(s, ent[i].dwNumberOfBytesTransferred,
                      ent[i].lpCompletionKey, ent[i].lpOverlapped)) {
        if (quit) { /* one sentinel per consumer: pass the extra on */
          PostQueuedCompletionStatus(s->port, 0, STRESS_QUIT, NULL);
          InterlockedIncrement(&s->quits_reposted);
        }
        quit = 1;
      }
    }
  }
  return quit ? 0 : 1;
}

/* Producers post unique (key, bytes) packets; consumers (half GQCS, half
 * GQCSEx batches) take them; every packet is seen exactly once. */
TEST(stress_many_producers_and_consumers) {
  struct stress s;
  struct producer_arg pa[MAX_PRODUCERS];
  HANDLE prod[MAX_PRODUCERS], cons[8];
  SYSTEM_INFO si;
  int i, nprod = MAX_PRODUCERS, ncons, total;
  DWORD r, bytes;
  ULONG_PTR key;
  LPOVERLAPPED ov;
  LONG missing = 0;

  GetSystemInfo(&si);
  ncons = (int)si.dwNumberOfProcessors * 2;
  if (ncons < 4) ncons = 4;
  if (ncons > 8) ncons = 8;
  total = nprod * PER_PRODUCER;
  memset(&s, 0, sizeof(s));
  s.producers = nprod;
  s.seen = (volatile LONG *)HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY,
                                      total * sizeof(LONG));
  ASSERT_NE_PTR((void *)s.seen, NULL);
  s.port = new_port(0);
  ASSERT_NE_PTR(s.port, NULL);
  for (i = 0; i < ncons; i++) {
    cons[i] = start_thread(i & 1 ? stress_consumer_gqcsex : stress_consumer_gqcs,
                           &s);
    ASSERT_NE_PTR(cons[i], NULL);
  }
  for (i = 0; i < nprod; i++) {
    pa[i].s = &s;
    pa[i].index = i;
    prod[i] = start_thread(stress_producer, &pa[i]);
    ASSERT_NE_PTR(prod[i], NULL);
  }
  r = WaitForMultipleObjects(nprod, prod, TRUE, 30000);
  ASSERT_LT(r, WAIT_OBJECT_0 + nprod);
  for (i = 0; i < ncons; i++)
    ASSERT_TRUE(PostQueuedCompletionStatus(s.port, 0, STRESS_QUIT, NULL));
  r = WaitForMultipleObjects(ncons, cons, TRUE, 30000);
  ASSERT_LT(r, WAIT_OBJECT_0 + ncons);
  for (i = 0; i < nprod; i++) ASSERT_TRUE(CloseHandle(prod[i]));
  for (i = 0; i < ncons; i++) {
    DWORD code = 7;
    ASSERT_TRUE(GetExitCodeThread(cons[i], &code));
    ASSERT_EQ(code, 0);
    ASSERT_TRUE(CloseHandle(cons[i]));
  }
  for (i = 0; i < total; i++)
    if (s.seen[i] != 1) missing++;
  ASSERT_EQ(s.errors, 0);
  ASSERT_EQ(s.bad, 0);
  ASSERT_EQ(s.dups, 0);
  ASSERT_EQ(missing, 0);
  ASSERT_EQ(s.total, total);
  /* Nothing left over (extra sentinels were re-posted and taken). */
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(s.port, &bytes, &key, &ov, 0),
                    FALSE, WAIT_TIMEOUT);
  HeapFree(GetProcessHeap(), 0, (void *)s.seen);
  ASSERT_TRUE(CloseHandle(s.port));
}
