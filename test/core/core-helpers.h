/*
 * core-helpers.h: small helpers shared by the test/core behaviour tests.
 *
 * Only the C library and <windows.h>: these files build unchanged with
 * x86_64-w64-mingw32-gcc and run on Windows/Wine (see test/wine/run.sh).
 *
 * Threads started by a test never use the ASSERT macros (they longjmp on
 * the main thread's stack); they record what they saw in a struct and the
 * test asserts on it after joining them.
 */
#ifndef WS2_TEST_CORE_HELPERS_H
#define WS2_TEST_CORE_HELPERS_H

#include <windows.h>

#define CORE_UNUSED __attribute__((unused))

/* Not in ws2's winerror.h (yet); the Windows value. */
#ifndef ERROR_GEN_FAILURE
#define ERROR_GEN_FAILURE 31L
#endif

/* A finite wait may end up to one timer tick early as GetTickCount64 sees
 * it (15.6 ms on Windows); lower bounds allow this much. */
#define SLACK_MS 20

/* A handle value that no process has open. */
#define BOGUS_HANDLE ((HANDLE)(ULONG_PTR)0xdeadbee0)

CORE_UNUSED static LONG read_long(volatile LONG *p) {
  return InterlockedCompareExchange((LONG volatile *)p, 0, 0);
}

/* Polls (Sleep(1)) until *p >= want; FALSE when `ms` elapse first. */
CORE_UNUSED static BOOL wait_count(volatile LONG *p, LONG want, DWORD ms) {
  ULONGLONG end = GetTickCount64() + ms;
  for (;;) {
    if (read_long(p) >= want) return TRUE;
    if (GetTickCount64() >= end) return FALSE;
    Sleep(1);
  }
}

/* Runs (and so discards) any APCs an earlier failed case left queued to
 * this thread, so that they cannot disturb the next case. */
CORE_UNUSED static void drain_apcs(void) {
  int i;
  for (i = 0; i < 100 && SleepEx(0, TRUE) == WAIT_IO_COMPLETION; i++) {
  }
}

/* Busy-waits `ms` milliseconds without any blocking call. */
CORE_UNUSED static void spin_ms(DWORD ms) {
  ULONGLONG end = GetTickCount64() + ms;
  while (GetTickCount64() < end) YieldProcessor();
}

CORE_UNUSED static HANDLE start_thread(LPTHREAD_START_ROUTINE fn, void *arg) {
  return CreateThread(NULL, 0, fn, arg, 0, NULL);
}

/* Joins `n` threads (each within `ms` of the call), closing each handle.
 * Returns the number that did not end in time (their handles are closed
 * too; the threads are leaked). */
CORE_UNUSED static int join_all(HANDLE *h, int n, DWORD ms) {
  ULONGLONG end = GetTickCount64() + ms;
  int i, late = 0;
  for (i = 0; i < n; i++) {
    ULONGLONG t = GetTickCount64();
    DWORD left = t >= end ? 0 : (DWORD)(end - t);
    if (!h[i]) continue;
    if (WaitForSingleObject(h[i], left) != WAIT_OBJECT_0) late++;
    CloseHandle(h[i]);
    h[i] = NULL;
  }
  return late;
}

#endif /* WS2_TEST_CORE_HELPERS_H */
