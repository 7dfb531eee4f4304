/*
 * test-misc.c: critical sections, Interlocked*, the process heap, time
 * sources, GetSystemInfo, and the OVERLAPPED helpers that need no I/O
 * (GetOverlappedResult(Ex) on a hand-filled OVERLAPPED, HasOverlappedIo-
 * Completed, argument errors of CancelIo(Ex) and
 * SetFileCompletionNotificationModes).
 */
#include "ws2test.h"
#include "core-helpers.h"

/* ---- critical sections ---- */

struct cs_ctx {
  CRITICAL_SECTION cs;
  BOOL try_result;
  volatile LONG acquired;
};

static DWORD WINAPI cs_try_enter(LPVOID arg) {
  struct cs_ctx *c = (struct cs_ctx *)arg;
  c->try_result = TryEnterCriticalSection(&c->cs);
  if (c->try_result) LeaveCriticalSection(&c->cs);
  return 0;
}

static DWORD WINAPI cs_enter_blocking(LPVOID arg) {
  struct cs_ctx *c = (struct cs_ctx *)arg;
  EnterCriticalSection(&c->cs);
  InterlockedExchange(&c->acquired, 1);
  LeaveCriticalSection(&c->cs);
  return 0;
}

TEST(critical_section_recursion_and_try_enter) {
  struct cs_ctx c;
  HANDLE t;
  memset(&c, 0, sizeof(c));
  InitializeCriticalSection(&c.cs);
  EnterCriticalSection(&c.cs);
  EnterCriticalSection(&c.cs); /* recursive */
  ASSERT_TRUE(TryEnterCriticalSection(&c.cs)); /* owner: succeeds */
  /* Another thread cannot get it. */
  t = start_thread(cs_try_enter, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_JOINED(t, 5000);
  ASSERT_FALSE(c.try_result);
  LeaveCriticalSection(&c.cs);
  LeaveCriticalSection(&c.cs);
  /* Still held once. */
  t = start_thread(cs_try_enter, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_JOINED(t, 5000);
  ASSERT_FALSE(c.try_result);
  LeaveCriticalSection(&c.cs);
  /* Free now. */
  t = start_thread(cs_try_enter, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_JOINED(t, 5000);
  ASSERT_TRUE(c.try_result);
  DeleteCriticalSection(&c.cs);
}

TEST(critical_section_enter_blocks_until_leave) {
  struct cs_ctx c;
  HANDLE t;
  memset(&c, 0, sizeof(c));
  ASSERT_TRUE(InitializeCriticalSectionAndSpinCount(&c.cs, 4000));
  EnterCriticalSection(&c.cs);
  t = start_thread(cs_enter_blocking, &c);
  ASSERT_NE_PTR(t, NULL);
  Sleep(100);
  ASSERT_EQ(read_long(&c.acquired), 0);
  ASSERT_EQ(WaitForSingleObject(t, 0), WAIT_TIMEOUT);
  LeaveCriticalSection(&c.cs);
  ASSERT_JOINED(t, 5000);
  ASSERT_EQ(c.acquired, 1);
  DeleteCriticalSection(&c.cs);
}

enum { CS_THREADS = 4, CS_LOOPS = 20000 };
struct cs_counter {
  CRITICAL_SECTION cs;
  volatile LONG inside, overlaps;
  volatile long counter; /* plain, protected by cs */
};

static DWORD WINAPI cs_count(LPVOID arg) {
  struct cs_counter *c = (struct cs_counter *)arg;
  int i;
  for (i = 0; i < CS_LOOPS; i++) {
    EnterCriticalSection(&c->cs);
    if (InterlockedIncrement(&c->inside) != 1) InterlockedIncrement(&c->overlaps);
    c->counter = c->counter + 1;
    if ((i & 1023) == 0) SwitchToThread();
    InterlockedDecrement(&c->inside);
    LeaveCriticalSection(&c->cs);
  }
  return 0;
}

TEST(critical_section_mutual_exclusion) {
  struct cs_counter c;
  HANDLE t[CS_THREADS];
  DWORD r;
  int i;
  memset(&c, 0, sizeof(c));
  ASSERT_TRUE(InitializeCriticalSectionEx(&c.cs, 0, 0));
  for (i = 0; i < CS_THREADS; i++) {
    t[i] = start_thread(cs_count, &c);
    ASSERT_NE_PTR(t[i], NULL);
  }
  r = WaitForMultipleObjects(CS_THREADS, t, TRUE, 20000);
  ASSERT_LT(r, WAIT_OBJECT_0 + CS_THREADS);
  for (i = 0; i < CS_THREADS; i++) ASSERT_TRUE(CloseHandle(t[i]));
  ASSERT_EQ(c.overlaps, 0);
  ASSERT_EQ(c.counter, CS_THREADS * CS_LOOPS);
  DeleteCriticalSection(&c.cs);
}

TEST(critical_section_spin_count) {
  CRITICAL_SECTION cs;
  InitializeCriticalSection(&cs);
  SetCriticalSectionSpinCount(&cs, 1000); /* returns the previous count */
  EnterCriticalSection(&cs);
  LeaveCriticalSection(&cs);
  DeleteCriticalSection(&cs);
  ASSERT_TRUE(InitializeCriticalSectionEx(&cs, 500, 0));
  ASSERT_TRUE(TryEnterCriticalSection(&cs));
  LeaveCriticalSection(&cs);
  DeleteCriticalSection(&cs);
}

/* ---- Interlocked ---- */

TEST(interlocked_return_values) {
  LONG v = 5;
  LONG64 w = 5;
  PVOID p = NULL;
  int dummy1, dummy2;

  ASSERT_EQ(InterlockedIncrement(&v), 6); /* new value */
  ASSERT_EQ(v, 6);
  ASSERT_EQ(InterlockedDecrement(&v), 5); /* new value */
  ASSERT_EQ(InterlockedExchange(&v, 10), 5); /* old value */
  ASSERT_EQ(v, 10);
  ASSERT_EQ(InterlockedExchangeAdd(&v, 3), 10); /* old value */
  ASSERT_EQ(v, 13);
  ASSERT_EQ(InterlockedExchangeAdd(&v, -20), 13);
  ASSERT_EQ(v, -7);
  ASSERT_EQ(InterlockedAdd(&v, 9), 2); /* new value */
  ASSERT_EQ(InterlockedCompareExchange(&v, 100, 2), 2); /* initial value */
  ASSERT_EQ(v, 100);
  ASSERT_EQ(InterlockedCompareExchange(&v, 7, 2), 100); /* no match */
  ASSERT_EQ(v, 100);
  v = 0x0F0;
  ASSERT_EQ(InterlockedAnd(&v, 0x0FF), 0x0F0); /* old values */
  ASSERT_EQ(InterlockedOr(&v, 0x00F), 0x0F0);
  ASSERT_EQ(v, 0x0FF);
  ASSERT_EQ(InterlockedXor(&v, 0x0F0), 0x0FF);
  ASSERT_EQ(v, 0x00F);
  v = 0x7FFFFFFF;
  ASSERT_EQ(InterlockedIncrement(&v), (LONG)0x80000000); /* wraps */

  ASSERT_EQ(InterlockedIncrement64(&w), 6);
  ASSERT_EQ(InterlockedDecrement64(&w), 5);
  ASSERT_EQ(InterlockedExchange64(&w, 0x100000000LL), 5);
  ASSERT_EQ(InterlockedExchangeAdd64(&w, 1), 0x100000000LL);
  ASSERT_EQ(InterlockedAdd64(&w, 1), 0x100000002LL);
  ASSERT_EQ(InterlockedCompareExchange64(&w, 9, 0x100000002LL), 0x100000002LL);
  ASSERT_EQ(w, 9);
  ASSERT_EQ(InterlockedCompareExchange64(&w, 1, 2), 9);
  ASSERT_EQ(w, 9);

  ASSERT_EQ_PTR(InterlockedExchangePointer(&p, &dummy1), NULL);
  ASSERT_EQ_PTR(p, &dummy1);
  ASSERT_EQ_PTR(InterlockedCompareExchangePointer(&p, &dummy2, &dummy1),
                &dummy1);
  ASSERT_EQ_PTR(p, &dummy2);
  ASSERT_EQ_PTR(InterlockedCompareExchangePointer(&p, NULL, &dummy1), &dummy2);
  ASSERT_EQ_PTR(p, &dummy2);
  MemoryBarrier();
}

static volatile LONG shared_count;
static volatile LONG64 shared_count64;
static DWORD WINAPI hammer(LPVOID arg) {
  int i;
  for (i = 0; i < 100000; i++) {
    InterlockedIncrement(&shared_count);
    InterlockedExchangeAdd64(&shared_count64, 2);
  }
  return 0;
}

TEST(interlocked_concurrent) {
  HANDLE t[4];
  int i;
  shared_count = 0;
  shared_count64 = 0;
  for (i = 0; i < 4; i++) {
    t[i] = start_thread(hammer, NULL);
    ASSERT_NE_PTR(t[i], NULL);
  }
  ASSERT_EQ(join_all(t, 4, 20000), 0);
  ASSERT_EQ(shared_count, 400000);
  ASSERT_EQ(shared_count64, 800000);
}

/* ---- the process heap ---- */

TEST(heap_alloc_zero_realloc_free) {
  HANDLE heap = GetProcessHeap();
  unsigned char *p, *q;
  int i;
  ASSERT_NE_PTR(heap, NULL);
  ASSERT_EQ_PTR(GetProcessHeap(), heap);
  p = (unsigned char *)HeapAlloc(heap, HEAP_ZERO_MEMORY, 1000);
  ASSERT_NE_PTR(p, NULL);
  ASSERT_EQ((ULONG_PTR)p % 16, 0); /* MEMORY_ALLOCATION_ALIGNMENT on x64 */
  for (i = 0; i < 1000; i++) ASSERT_EQ(p[i], 0);
  /* Microsoft: HeapSize returns "the requested size of the allocated
   * memory block". */
  ASSERT_EQ(HeapSize(heap, 0, p), 1000);
  for (i = 0; i < 1000; i++) p[i] = (unsigned char)(i * 7);
  q = (unsigned char *)HeapReAlloc(heap, HEAP_ZERO_MEMORY, p, 5000);
  ASSERT_NE_PTR(q, NULL);
  ASSERT_EQ(HeapSize(heap, 0, q), 5000);
  for (i = 0; i < 1000; i++) ASSERT_EQ(q[i], (unsigned char)(i * 7));
  for (i = 1000; i < 5000; i++) ASSERT_EQ(q[i], 0); /* grown part zeroed */
  p = (unsigned char *)HeapReAlloc(heap, 0, q, 10);
  ASSERT_NE_PTR(p, NULL);
  ASSERT_EQ(HeapSize(heap, 0, p), 10);
  for (i = 0; i < 10; i++) ASSERT_EQ(p[i], (unsigned char)(i * 7));
  ASSERT_TRUE(HeapFree(heap, 0, p));
}

TEST(heap_edge_cases) {
  HANDLE heap = GetProcessHeap();
  void *p = HeapAlloc(heap, 0, 0); /* zero bytes: a valid block */
  ASSERT_NE_PTR(p, NULL);
  ASSERT_EQ(HeapSize(heap, 0, p), 0);
  ASSERT_TRUE(HeapFree(heap, 0, p));
  ASSERT_TRUE(HeapFree(heap, 0, NULL)); /* freeing NULL is fine */
  p = HeapAlloc(heap, 0, 1 << 20);
  ASSERT_NE_PTR(p, NULL);
  memset(p, 0xab, 1 << 20);
  ASSERT_EQ(HeapSize(heap, 0, p), 1 << 20);
  ASSERT_TRUE(HeapFree(heap, 0, p));
}

/* ---- time ---- */

TEST(tick_counts_monotonic) {
  ULONGLONG a, b, c;
  DWORD low;
  int i;
  a = GetTickCount64();
  ASSERT_GT(a, 0);
  for (i = 0; i < 1000; i++) {
    b = GetTickCount64();
    ASSERT_GE(b, a);
    a = b;
  }
  Sleep(100);
  c = GetTickCount64();
  ASSERT_GE(c - b, 100 - SLACK_MS);
  /* GetTickCount is the low 32 bits of the same clock. */
  low = GetTickCount();
  c = GetTickCount64();
  ASSERT_LT((DWORD)((DWORD)c - low), 1000);
}

TEST(performance_counter) {
  LARGE_INTEGER f, a, b;
  int i;
  f.QuadPart = 0;
  ASSERT_TRUE(QueryPerformanceFrequency(&f));
  ASSERT_GT(f.QuadPart, 0);
  ASSERT_TRUE(QueryPerformanceCounter(&a));
  for (i = 0; i < 1000; i++) {
    ASSERT_TRUE(QueryPerformanceCounter(&b));
    ASSERT_GE(b.QuadPart, a.QuadPart);
    a = b;
  }
  Sleep(100);
  ASSERT_TRUE(QueryPerformanceCounter(&b));
  ASSERT_GE((b.QuadPart - a.QuadPart) * 1000 / f.QuadPart, 100 - SLACK_MS);
}

TEST(system_time_is_recent) {
  FILETIME ft;
  ULONGLONG t;
  GetSystemTimeAsFileTime(&ft);
  t = ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
  /* After 2020-01-01 (100 ns units since 1601-01-01). */
  ASSERT_GT(t, 132223104000000000ULL);
}

TEST(system_info) {
  SYSTEM_INFO si;
  memset(&si, 0xcc, sizeof(si));
  GetSystemInfo(&si);
  ASSERT_GE(si.dwNumberOfProcessors, 1);
  ASSERT_LT(si.dwNumberOfProcessors, 4096);
  ASSERT_EQ(si.dwPageSize, 4096);
  ASSERT_EQ(si.dwAllocationGranularity, 65536);
  ASSERT_NE(si.dwActiveProcessorMask, 0);
  ASSERT_LT((ULONG_PTR)si.lpMinimumApplicationAddress,
            (ULONG_PTR)si.lpMaximumApplicationAddress);
#if defined(__x86_64__) || defined(_M_X64)
  ASSERT_EQ(si.wProcessorArchitecture, PROCESSOR_ARCHITECTURE_AMD64);
#endif
}

/* ---- OVERLAPPED helpers without I/O ---- */

TEST(has_overlapped_io_completed) {
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ov.Internal = STATUS_PENDING;
  ASSERT_FALSE(HasOverlappedIoCompleted(&ov));
  ov.Internal = 0;
  ASSERT_TRUE(HasOverlappedIoCompleted(&ov));
  ov.Internal = 0xC0000120; /* STATUS_CANCELLED */
  ASSERT_TRUE(HasOverlappedIoCompleted(&ov));
}

/* GetOverlappedResult reads the OVERLAPPED: a pending operation with
 * bWait FALSE is ERROR_IO_INCOMPLETE; a finished one gives InternalHigh
 * and the status in Internal. The file handle only matters when it has
 * to wait without an event. */
TEST(get_overlapped_result_from_fields) {
  OVERLAPPED ov;
  DWORD n = 0xdeadbeef;
  memset(&ov, 0, sizeof(ov));
  ov.Internal = STATUS_PENDING;
  ASSERT_FAILS_WITH(GetOverlappedResult(NULL, &ov, &n, FALSE), FALSE,
                    ERROR_IO_INCOMPLETE);
  ASSERT_FAILS_WITH(GetOverlappedResultEx(NULL, &ov, &n, 0, FALSE), FALSE,
                    ERROR_IO_INCOMPLETE);
  ov.Internal = 0;
  ov.InternalHigh = 123;
  ASSERT_TRUE(GetOverlappedResult(NULL, &ov, &n, FALSE));
  ASSERT_EQ(n, 123);
  n = 0;
  ASSERT_TRUE(GetOverlappedResult(NULL, &ov, &n, TRUE));
  ASSERT_EQ(n, 123);
  ov.Internal = 0xC0000120; /* STATUS_CANCELLED */
  ov.InternalHigh = 4;
  n = 0;
  ASSERT_FAILS_WITH(GetOverlappedResult(NULL, &ov, &n, FALSE), FALSE,
                    ERROR_OPERATION_ABORTED);
  ASSERT_EQ(n, 4);
  /* Pending, no event, must wait on the (invalid) file handle. */
  ov.Internal = STATUS_PENDING;
  ov.hEvent = NULL;
  ASSERT_FAILS_WITH(GetOverlappedResult(NULL, &ov, &n, TRUE), FALSE,
                    ERROR_INVALID_HANDLE);
}

struct completer {
  OVERLAPPED *ov;
  DWORD delay;
};

static DWORD WINAPI complete_later(LPVOID arg) {
  struct completer *c = (struct completer *)arg;
  Sleep(c->delay);
  /* Stores the way a completing kernel publishes them: bytes, then the
   * status other threads poll (atomically, so TSan sees the ordering). */
  InterlockedExchange64((LONG64 volatile *)&c->ov->InternalHigh, 55);
  InterlockedExchange64((LONG64 volatile *)&c->ov->Internal, 0);
  SetEvent(c->ov->hEvent);
  return 0;
}

/* Pending with an event and bWait TRUE: waits on the event, then reads
 * the fields. GetOverlappedResultEx with a finite timeout that passes:
 * FALSE and WAIT_TIMEOUT. */
TEST(get_overlapped_result_waits_on_event) {
  OVERLAPPED ov;
  struct completer c;
  HANDLE t;
  DWORD n = 0;
  ULONGLONG t0;
  memset(&ov, 0, sizeof(ov));
  ov.Internal = STATUS_PENDING;
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(ov.hEvent, NULL);
  t0 = GetTickCount64();
  ASSERT_FAILS_WITH(GetOverlappedResultEx(NULL, &ov, &n, 100, FALSE), FALSE,
                    WAIT_TIMEOUT);
  ASSERT_GE(GetTickCount64() - t0, 100 - SLACK_MS);
  c.ov = &ov;
  c.delay = 50;
  t = start_thread(complete_later, &c);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_TRUE(GetOverlappedResult(NULL, &ov, &n, TRUE));
  ASSERT_EQ(n, 55);
  ASSERT_JOINED(t, 5000);
  ASSERT_TRUE(CloseHandle(ov.hEvent));
}

static volatile LONG ovr_apc_runs;
static VOID NTAPI ovr_apc(ULONG_PTR arg) { InterlockedIncrement(&ovr_apc_runs); }

TEST(get_overlapped_result_ex_alertable) {
  OVERLAPPED ov;
  DWORD n = 0;
  memset(&ov, 0, sizeof(ov));
  ov.Internal = STATUS_PENDING;
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(ov.hEvent, NULL);
  ovr_apc_runs = 0;
  ASSERT_NE(QueueUserAPC(ovr_apc, GetCurrentThread(), 0), 0);
  ASSERT_FAILS_WITH(GetOverlappedResultEx(NULL, &ov, &n, 5000, TRUE), FALSE,
                    WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&ovr_apc_runs), 1);
  ASSERT_TRUE(CloseHandle(ov.hEvent));
}

TEST(cancel_io_invalid_handles) {
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
  OVERLAPPED ov;
  memset(&ov, 0, sizeof(ov));
  ASSERT_NE_PTR(e, NULL);
  ASSERT_FAILS_WITH(CancelIo(NULL), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(CancelIo(BOGUS_HANDLE), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(CancelIoEx(NULL, NULL), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(CancelIoEx(BOGUS_HANDLE, &ov), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_TRUE(CloseHandle(e));
  ASSERT_FAILS_WITH(CancelIo(e), FALSE, ERROR_INVALID_HANDLE); /* closed */
}

TEST(set_file_completion_notification_modes_invalid_handle) {
  ASSERT_FAILS_WITH(
      SetFileCompletionNotificationModes(NULL,
                                         FILE_SKIP_COMPLETION_PORT_ON_SUCCESS),
      FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(
      SetFileCompletionNotificationModes(BOGUS_HANDLE,
                                         FILE_SKIP_SET_EVENT_ON_HANDLE),
      FALSE, ERROR_INVALID_HANDLE);
}
