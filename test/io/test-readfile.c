/* ReadFile/WriteFile and ReadFileEx/WriteFileEx on a SOCKET: recv and
 * send through the file API (an IFS handle). Runs on each engine. */
#include "ws2io.h"

static int ex_calls;
static DWORD ex_err, ex_bytes;
static VOID WINAPI ex_routine(DWORD err, DWORD bytes, LPOVERLAPPED ov) {
  ex_calls++;
  ex_err = err;
  ex_bytes = bytes;
}

TEST(readfile_writefile_on_sockets) {
  SOCKET c, s;
  char buf[16];
  DWORD n = 0;
  OVERLAPPED ov, wov;
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_TRUE(WriteFile((HANDLE)c, "file", 4, &n, NULL));
  ASSERT_EQ(n, 4);
  ASSERT_TRUE(ReadFile((HANDLE)s, buf, sizeof(buf), &n, NULL));
  ASSERT_EQ(n, 4);
  ASSERT_MEM_EQ(buf, "file", 4);
  ASSERT_FALSE(ReadFile((HANDLE)s, buf, sizeof(buf), NULL, NULL));
  ASSERT_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
  /* Overlapped: pending, then GetOverlappedResult. */
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_FALSE(ReadFile((HANDLE)s, buf, sizeof(buf), NULL, &ov));
  ASSERT_EQ(GetLastError(), ERROR_IO_PENDING);
  ASSERT_TRUE(WriteFile((HANDLE)c, "more", 4, &n, NULL));
  ASSERT_TRUE(GetOverlappedResult((HANDLE)s, &ov, &n, TRUE));
  ASSERT_EQ(n, 4);
  CloseHandle(ov.hEvent);
  /* Ex forms: the routine runs in an alertable wait. */
  ex_calls = 0;
  memset(&ov, 0, sizeof(ov));
  ASSERT_TRUE(ReadFileEx((HANDLE)s, buf, sizeof(buf), &ov, ex_routine));
  memset(&wov, 0, sizeof(wov));
  ASSERT_TRUE(WriteFileEx((HANDLE)c, "ex", 2, &wov, ex_routine));
  {
    int i;
    for (i = 0; i < 50 && ex_calls < 2; i++) SleepEx(100, TRUE);
  }
  ASSERT_EQ(ex_calls, 2);
  ASSERT_EQ(ex_err, 0);
  ASSERT_FALSE(ReadFileEx((HANDLE)s, buf, sizeof(buf), NULL, ex_routine));
  ASSERT_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
  /* A handle that cannot read. */
  {
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL);
    ASSERT_FALSE(ReadFile(e, buf, 1, &n, NULL));
    ASSERT_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CloseHandle(e);
  }
  closesocket(c);
  closesocket(s);
  t_cleanup();
}
