/* Regression: a thread that returns STILL_ACTIVE (259) reports 259, not 0
 * (found by examples/iocp-tour, whose workers return their item counts). */
#include "ws2test.h"

static DWORD WINAPI return_arg(LPVOID arg) { return (DWORD)(ULONG_PTR)arg; }

static DWORD WINAPI exit_with_arg(LPVOID arg) {
  ExitThread((DWORD)(ULONG_PTR)arg);
}

TEST(exit_code_259_is_reported_as_is) {
  static const DWORD codes[] = {0, 1, STILL_ACTIVE, 0xFFFFFFFF};
  DWORD code;
  size_t i;
  int how;
  for (how = 0; how < 2; how++)
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
      HANDLE t = CreateThread(NULL, 0, how ? exit_with_arg : return_arg,
                              (LPVOID)(ULONG_PTR)codes[i], 0, NULL);
      ASSERT_NE_PTR(t, NULL);
      ASSERT_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
      ASSERT_TRUE(GetExitCodeThread(t, &code));
      ASSERT_EQ_U(code, codes[i]);
      ASSERT_TRUE(CloseHandle(t));
    }
}
