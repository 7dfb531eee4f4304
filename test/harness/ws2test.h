/*
 * ws2test.h: the small test harness of ws2's behaviour tests.
 *
 * It uses only the C library and the Windows API, so a test file written
 * against it builds unchanged for Windows (x86_64-w64-mingw32-gcc) as well
 * as against ws2. A test file declares its cases with TEST(name) and ends
 * with nothing else: this header supplies main().
 *
 *   TEST(event_auto_reset) {
 *     HANDLE e = CreateEventA(NULL, FALSE, TRUE, NULL);
 *     ASSERT_NE_PTR(e, NULL);
 *     ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
 *     ASSERT_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
 *     ASSERT_TRUE(CloseHandle(e));
 *   }
 *
 * Running: `test-x` runs every case; `test-x name...` runs those cases;
 * `test-x --list` prints the names. Output is TAP. Exit status: 0 when all
 * ran cases passed, 77 when every ran case skipped (SKIP("why")), 1
 * otherwise. Each case runs in the same process, in order; a case that
 * fails stops at the failed assertion (the rest of the file still runs).
 * A watchdog ends the process after WS2TEST_TIMEOUT seconds (default 60,
 * scaled by WS2_TEST_TIMEOUT_MULT) so a hung wait cannot hang CI.
 */
#ifndef WS2TEST_H
#define WS2TEST_H

#include <windows.h>

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WS2TEST_MAX_CASES
#define WS2TEST_MAX_CASES 256
#endif
#ifndef WS2TEST_TIMEOUT
#define WS2TEST_TIMEOUT 60
#endif

typedef void (*ws2test_fn)(void);
struct ws2test_case {
  const char *name;
  ws2test_fn fn;
};

static struct ws2test_case ws2test_cases[WS2TEST_MAX_CASES];
static int ws2test_ncases;
static jmp_buf ws2test_jmp;
static int ws2test_failed_flag;
static char ws2test_skip_reason[256];

static void ws2test_register(const char *name, ws2test_fn fn) {
  if (ws2test_ncases < WS2TEST_MAX_CASES) {
    ws2test_cases[ws2test_ncases].name = name;
    ws2test_cases[ws2test_ncases].fn = fn;
    ws2test_ncases++;
  }
}

#define TEST(name)                                                    \
  static void ws2test_case_##name(void);                              \
  __attribute__((constructor)) static void ws2test_reg_##name(void) { \
    ws2test_register(#name, ws2test_case_##name);                     \
  }                                                                   \
  static void ws2test_case_##name(void)

#define WS2TEST_FAIL_(...)                            \
  do {                                                \
    fprintf(stderr, "# %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__);                     \
    fprintf(stderr, "\n");                            \
    ws2test_failed_flag = 1;                          \
    longjmp(ws2test_jmp, 1);                          \
  } while (0)

#define FAIL(msg) WS2TEST_FAIL_("%s", (msg))

#define SKIP(reason)                                                 \
  do {                                                               \
    snprintf(ws2test_skip_reason, sizeof(ws2test_skip_reason), "%s", \
             (reason));                                              \
    longjmp(ws2test_jmp, 2);                                         \
  } while (0)

#define WS2TEST_CMP_(a, op, b, type, fmt)                                   \
  do {                                                                      \
    type ws2t_a_ = (type)(a);                                               \
    type ws2t_b_ = (type)(b);                                               \
    if (!(ws2t_a_ op ws2t_b_))                                              \
      WS2TEST_FAIL_("ASSERT %s %s %s failed: " fmt " vs " fmt, #a, #op, #b, \
                    ws2t_a_, ws2t_b_);                                      \
  } while (0)

#define ASSERT_EQ(a, b) WS2TEST_CMP_(a, ==, b, long long, "%lld")
#define ASSERT_NE(a, b) WS2TEST_CMP_(a, !=, b, long long, "%lld")
#define ASSERT_LT(a, b) WS2TEST_CMP_(a, <, b, long long, "%lld")
#define ASSERT_LE(a, b) WS2TEST_CMP_(a, <=, b, long long, "%lld")
#define ASSERT_GT(a, b) WS2TEST_CMP_(a, >, b, long long, "%lld")
#define ASSERT_GE(a, b) WS2TEST_CMP_(a, >=, b, long long, "%lld")
#define ASSERT_EQ_U(a, b) WS2TEST_CMP_(a, ==, b, unsigned long long, "0x%llx")
#define ASSERT_EQ_PTR(a, b) WS2TEST_CMP_(a, ==, b, const void *, "%p")
#define ASSERT_NE_PTR(a, b) WS2TEST_CMP_(a, !=, b, const void *, "%p")
#define ASSERT_TRUE(x)                                     \
  do {                                                     \
    if (!(x)) WS2TEST_FAIL_("ASSERT_TRUE(%s) failed", #x); \
  } while (0)
#define ASSERT_FALSE(x)                                  \
  do {                                                   \
    if (x) WS2TEST_FAIL_("ASSERT_FALSE(%s) failed", #x); \
  } while (0)
#define ASSERT_MEM_EQ(a, b, n)                                       \
  do {                                                               \
    if (memcmp((a), (b), (n)) != 0)                                  \
      WS2TEST_FAIL_("ASSERT_MEM_EQ(%s, %s, %s) failed", #a, #b, #n); \
  } while (0)

/* The call returns `bad` (FALSE, NULL, SOCKET_ERROR...) and GetLastError()
 * is `err`; both checked together. */
#define ASSERT_FAILS_WITH(expr, bad, err)                                     \
  do {                                                                        \
    SetLastError(0xdeadbeef);                                                 \
    long long ws2t_r_ = (long long)(expr);                                    \
    DWORD ws2t_e_ = GetLastError();                                           \
    if (ws2t_r_ != (long long)(bad) || ws2t_e_ != (DWORD)(err))               \
      WS2TEST_FAIL_("%s: got %lld / error %lu, want %lld / error %lu", #expr, \
                    ws2t_r_, (unsigned long)ws2t_e_, (long long)(bad),        \
                    (unsigned long)(err));                                    \
  } while (0)

/* A thread handle from CreateThread, joined within `ms` milliseconds. */
#define ASSERT_JOINED(h, ms)                                  \
  do {                                                        \
    ASSERT_EQ(WaitForSingleObject((h), (ms)), WAIT_OBJECT_0); \
    ASSERT_TRUE(CloseHandle(h));                              \
  } while (0)

static DWORD WINAPI ws2test_watchdog(LPVOID arg) {
  DWORD secs = (DWORD)(ULONG_PTR)arg;
  Sleep(secs * 1000);
  fprintf(stderr, "# watchdog: test file still running after %lus\n",
          (unsigned long)secs);
  fflush(NULL);
  _Exit(3);
  return 0;
}

static int ws2test_ran, ws2test_failed, ws2test_skipped;

int main(int argc, char **argv) {
  int i, j;
  DWORD secs = WS2TEST_TIMEOUT;
  const char *mult = getenv("WS2_TEST_TIMEOUT_MULT");
  HANDLE dog;

  if (argc > 1 && strcmp(argv[1], "--list") == 0) {
    for (i = 0; i < ws2test_ncases; i++) printf("%s\n", ws2test_cases[i].name);
    return 0;
  }
  if (mult && atoi(mult) > 1) secs *= (DWORD)atoi(mult);
  setvbuf(stdout, NULL, _IONBF, 0);
  dog =
      CreateThread(NULL, 0, ws2test_watchdog, (LPVOID)(ULONG_PTR)secs, 0, NULL);
  if (dog) CloseHandle(dog);

  for (i = 0; i < ws2test_ncases; i++) {
    int wanted = argc <= 1;
    for (j = 1; j < argc; j++)
      if (strcmp(argv[j], ws2test_cases[i].name) == 0) wanted = 1;
    if (!wanted) continue;
    ws2test_ran++;
    ws2test_failed_flag = 0;
    switch (setjmp(ws2test_jmp)) {
      case 0:
        ws2test_cases[i].fn();
        printf("ok %d - %s\n", ws2test_ran, ws2test_cases[i].name);
        break;
      case 2:
        ws2test_skipped++;
        printf("ok %d - %s # SKIP %s\n", ws2test_ran, ws2test_cases[i].name,
               ws2test_skip_reason);
        break;
      default:
        ws2test_failed++;
        printf("not ok %d - %s\n", ws2test_ran, ws2test_cases[i].name);
        break;
    }
  }
  printf("1..%d\n", ws2test_ran);
  if (ws2test_ran == 0) {
    fprintf(stderr, "# no test case matched\n");
    return 1;
  }
  if (ws2test_failed) return 1;
  if (ws2test_skipped == ws2test_ran) return 77;
  return 0;
}

#ifndef _WIN32
#include <unistd.h>
/* The test program's own path, for running itself as a child process.
 * readlink, not exec of /proc/self/exe: under valgrind the link is
 * translated to the program run, while /proc/self/exe itself is the
 * valgrind tool. */
static __attribute__((unused)) const char *ws2test_self_exe(void) {
  static char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return "/proc/self/exe";
  path[n] = 0;
  return path;
}
#endif

#ifdef __linux__
#include <dirent.h>
/* The entries of /proc/self/fd (".", ".." and the reading descriptor
 * included), or -1: a test counts before and after to find file
 * descriptors left open. */
static __attribute__((unused)) int t_open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  if (!d) return -1;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

/* Asserts that as many file descriptors are open as `before` (counted
 * earlier with t_open_fds), and says both counts when not. */
static __attribute__((unused)) void t_assert_open_fds(int before) {
  int after = t_open_fds();
  if (after != before)
    fprintf(stderr, "# %d file descriptors before, %d after\n", before, after);
  ASSERT_EQ(after, before);
}
#endif

#endif /* WS2TEST_H */
