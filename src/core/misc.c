/*
 * misc.c: time, system information, the process heap and critical
 * sections, as Winsock programs use them.
 */
#include <windows.h>

#include "core/alloc.h"
#include "core/futex.h"
#include "core/tls.h"

#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- Time. QueryPerformanceFrequency is 10 MHz, as on current Windows:
 * programs that compute counter * 1000000 / frequency stay far from
 * overflow for centuries of uptime. */

#define QPC_FREQUENCY 10000000LL

static uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

ULONGLONG WINAPI GetTickCount64(void) {
  return clock_ns(CLOCK_BOOTTIME) / 1000000ull;
}

DWORD WINAPI GetTickCount(void) { return (DWORD)GetTickCount64(); }

BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER *lpCount) {
  if (!lpCount) {
    SetLastError(ERROR_NOACCESS);
    return FALSE;
  }
  lpCount->QuadPart = (LONGLONG)(clock_ns(CLOCK_MONOTONIC) / 100ull);
  return TRUE;
}

BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER *lpFreq) {
  if (!lpFreq) {
    SetLastError(ERROR_NOACCESS);
    return FALSE;
  }
  lpFreq->QuadPart = QPC_FREQUENCY;
  return TRUE;
}

void WINAPI GetSystemTimeAsFileTime(LPFILETIME lpFileTime) {
  /* 100-ns intervals since 1601-01-01 UTC. */
  uint64_t t = clock_ns(CLOCK_REALTIME) / 100ull + 116444736000000000ull;
  lpFileTime->dwLowDateTime = (DWORD)t;
  lpFileTime->dwHighDateTime = (DWORD)(t >> 32);
}

void WINAPI GetSystemInfo(LPSYSTEM_INFO si) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  long page = sysconf(_SC_PAGESIZE);
  memset(si, 0, sizeof(*si));
  if (cpus < 1) cpus = 1;
#if defined(__aarch64__)
  si->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_ARM64;
#else
  si->wProcessorArchitecture = PROCESSOR_ARCHITECTURE_AMD64;
  si->dwProcessorType = PROCESSOR_AMD_X8664;
#endif
  si->dwPageSize = page > 0 ? (DWORD)page : 4096;
  si->lpMinimumApplicationAddress = (LPVOID)(uintptr_t)0x10000;
  si->lpMaximumApplicationAddress = (LPVOID)(uintptr_t)0x7FFFFFFEFFFFull;
  si->dwActiveProcessorMask =
      cpus >= 64 ? ~(DWORD_PTR)0 : (((DWORD_PTR)1 << cpus) - 1);
  si->dwNumberOfProcessors = (DWORD)cpus;
  si->dwAllocationGranularity = 65536;
  si->wProcessorLevel = 6;
}

/* ---- The process heap. Blocks carry their requested size in a 16-byte
 * header, so HeapSize answers what was asked for, as on Windows. */

static char process_heap;
#define HEAP_HEADER 16

HANDLE WINAPI GetProcessHeap(void) { return (HANDLE)&process_heap; }

static int heap_ok(HANDLE h) {
  if (h == (HANDLE)&process_heap) return 1;
  SetLastError(ERROR_INVALID_HANDLE);
  return 0;
}

static void *heap_user(char *block) { return block + HEAP_HEADER; }
static char *heap_block(LPCVOID p) { return (char *)p - HEAP_HEADER; }

LPVOID WINAPI HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes) {
  char *b;
  if (!heap_ok(hHeap)) return NULL;
  if (dwBytes > (SIZE_T)-1 - HEAP_HEADER) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  b = (dwFlags & HEAP_ZERO_MEMORY) ? ws2__calloc(1, HEAP_HEADER + dwBytes)
                                   : ws2__malloc(HEAP_HEADER + dwBytes);
  if (!b) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  memcpy(b, &dwBytes, sizeof(dwBytes));
  return heap_user(b);
}

SIZE_T WINAPI HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem) {
  SIZE_T n;
  if (!heap_ok(hHeap)) return (SIZE_T)-1;
  if (!lpMem) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return (SIZE_T)-1;
  }
  memcpy(&n, heap_block(lpMem), sizeof(n));
  return n;
}

LPVOID WINAPI HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem,
                          SIZE_T dwBytes) {
  SIZE_T old;
  char *b;
  if (!heap_ok(hHeap)) return NULL;
  if (!lpMem) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  memcpy(&old, heap_block(lpMem), sizeof(old));
  if (dwBytes > old && (dwFlags & HEAP_REALLOC_IN_PLACE_ONLY)) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  if (dwBytes <= old && (dwFlags & HEAP_REALLOC_IN_PLACE_ONLY)) {
    b = heap_block(lpMem);
  } else {
    if (dwBytes > (SIZE_T)-1 - HEAP_HEADER ||
        !(b = ws2__realloc(heap_block(lpMem), HEAP_HEADER + dwBytes))) {
      SetLastError(ERROR_NOT_ENOUGH_MEMORY);
      return NULL;
    }
  }
  if ((dwFlags & HEAP_ZERO_MEMORY) && dwBytes > old)
    memset(b + HEAP_HEADER + old, 0, dwBytes - old);
  memcpy(b, &dwBytes, sizeof(dwBytes));
  return heap_user(b);
}

BOOL WINAPI HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem) {
  if (!heap_ok(hHeap)) return FALSE;
  if (lpMem) ws2__free(heap_block(lpMem));
  return TRUE;
}

/* ---- Critical sections, over the Windows layout: LockCount is a futex
 * word (0 free, 1 held, 2 held with sleepers), OwningThread the owner's
 * thread id, RecursionCount the owner's depth, SpinCount how long to spin
 * before sleeping. No allocation, so Enter can never fail. */

static WS2__TLS DWORD cs_tid;

static DWORD cs_self(void) {
  if (!cs_tid) cs_tid = (DWORD)syscall(SYS_gettid);
  return cs_tid;
}

#define CS_WORD(cs) ((_Atomic uint32_t *)&(cs)->LockCount)
#define CS_OWNER(cs) \
  ((DWORD)(uintptr_t)__atomic_load_n(&(cs)->OwningThread, __ATOMIC_RELAXED))
#define CS_SET_OWNER(cs, tid)                                     \
  __atomic_store_n(&(cs)->OwningThread, (HANDLE)(uintptr_t)(tid), \
                   __ATOMIC_RELAXED)

BOOL WINAPI InitializeCriticalSectionEx(LPCRITICAL_SECTION cs,
                                        DWORD dwSpinCount, DWORD Flags) {
  memset(cs, 0, sizeof(*cs));
  cs->SpinCount = dwSpinCount & 0x00FFFFFF;
  return TRUE;
}

void WINAPI InitializeCriticalSection(LPCRITICAL_SECTION cs) {
  InitializeCriticalSectionEx(cs, 0, 0);
}

BOOL WINAPI InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION cs,
                                                  DWORD dwSpinCount) {
  return InitializeCriticalSectionEx(cs, dwSpinCount, 0);
}

DWORD WINAPI SetCriticalSectionSpinCount(LPCRITICAL_SECTION cs,
                                         DWORD dwSpinCount) {
  DWORD old = (DWORD)cs->SpinCount;
  cs->SpinCount = dwSpinCount & 0x00FFFFFF;
  return old;
}

BOOL WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION cs) {
  DWORD me = cs_self();
  uint32_t expected = 0;
  if (CS_OWNER(cs) == me) {
    cs->RecursionCount++;
    return TRUE;
  }
  if (!atomic_compare_exchange_strong(CS_WORD(cs), &expected, 1)) return FALSE;
  CS_SET_OWNER(cs, me);
  cs->RecursionCount = 1;
  return TRUE;
}

void WINAPI EnterCriticalSection(LPCRITICAL_SECTION cs) {
  DWORD me = cs_self();
  ULONG_PTR spins = cs->SpinCount;

  if (CS_OWNER(cs) == me) {
    cs->RecursionCount++;
    return;
  }
  for (;;) {
    uint32_t expected = 0;
    if (atomic_compare_exchange_strong(CS_WORD(cs), &expected, 1)) goto owned;
    if (spins-- == 0) break;
  }
  while (atomic_exchange(CS_WORD(cs), 2) != 0)
    ws2__futex_wait(CS_WORD(cs), 2, NULL);
owned:
  CS_SET_OWNER(cs, me);
  cs->RecursionCount = 1;
}

void WINAPI LeaveCriticalSection(LPCRITICAL_SECTION cs) {
  if (--cs->RecursionCount > 0) return;
  CS_SET_OWNER(cs, 0);
  if (atomic_exchange(CS_WORD(cs), 0) == 2) ws2__futex_wake(CS_WORD(cs), 1);
}

void WINAPI DeleteCriticalSection(LPCRITICAL_SECTION cs) {
  memset(cs, 0, sizeof(*cs));
}
