/*
 * The Winsock names of the kernel objects: WSA events, waits, last error.
 * Windows API only: builds with mingw-w64 and runs under Wine too
 * (test/wine/run.sh).
 */
#include <winsock2.h>

#include "ws2test.h"

/*
 * The event functions need WSAStartup (Microsoft's pages list
 * WSANOTINITIALISED for each). Test cases may run in any order (mingw runs
 * the registrations in reverse), so a case that needs Winsock unstarted
 * undoes every WSAStartup first, and the others start it when they need it.
 */
static int started;

static void startup(void) {
  WSADATA wsa;
  if (!started) {
    ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    started = 1;
  }
}

static void cleanup_all(void) {
  while (WSACleanup() == 0) {
  }
  started = 0;
}

TEST(wsa_event_is_manual_reset_and_unsignalled) {
  WSAEVENT e;
  startup();
  e = WSACreateEvent();
  ASSERT_NE_PTR(e, WSA_INVALID_EVENT);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &e, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
  ASSERT_TRUE(WSASetEvent(e));
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &e, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &e, TRUE, 0, FALSE), WSA_WAIT_EVENT_0);
  ASSERT_TRUE(WSAResetEvent(e));
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &e, FALSE, 10, FALSE), WSA_WAIT_TIMEOUT);
  ASSERT_TRUE(WSACloseEvent(e));
  ASSERT_FALSE(WSASetEvent(e));
  ASSERT_EQ(WSAGetLastError(), WSA_INVALID_HANDLE);
  ASSERT_FALSE(WSACloseEvent(e));
  ASSERT_EQ(WSAGetLastError(), WSA_INVALID_HANDLE);
}

TEST(wsa_wait_index_and_errors) {
  WSAEVENT e[3];
  int i;
  startup();
  for (i = 0; i < 3; i++) ASSERT_NE_PTR(e[i] = WSACreateEvent(), NULL);
  ASSERT_TRUE(WSASetEvent(e[2]));
  ASSERT_TRUE(WSASetEvent(e[1]));
  ASSERT_EQ(WSAWaitForMultipleEvents(3, e, FALSE, 0, FALSE),
            WSA_WAIT_EVENT_0 + 1);
  ASSERT_EQ(WSAWaitForMultipleEvents(3, e, TRUE, 0, FALSE), WSA_WAIT_TIMEOUT);
  ASSERT_EQ(WSAWaitForMultipleEvents(0, e, FALSE, 0, FALSE), WSA_WAIT_FAILED);
  ASSERT_EQ(WSAGetLastError(), WSA_INVALID_PARAMETER);
  ASSERT_EQ(WSAWaitForMultipleEvents(WSA_MAXIMUM_WAIT_EVENTS + 1, e, FALSE, 0,
                                     FALSE),
            WSA_WAIT_FAILED);
  ASSERT_EQ(WSAGetLastError(), WSA_INVALID_PARAMETER);
  for (i = 0; i < 3; i++) ASSERT_TRUE(WSACloseEvent(e[i]));
  ASSERT_EQ(WSAWaitForMultipleEvents(3, e, FALSE, 0, FALSE), WSA_WAIT_FAILED);
  ASSERT_EQ(WSAGetLastError(), WSA_INVALID_HANDLE);
}

static void CALLBACK nop_apc(ULONG_PTR p) { *(int *)p += 1; }

TEST(wsa_wait_alertable) {
  WSAEVENT e;
  int runs = 0;
  startup();
  ASSERT_NE_PTR(e = WSACreateEvent(), NULL);
  ASSERT_NE(QueueUserAPC(nop_apc, GetCurrentThread(), (ULONG_PTR)&runs), 0);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &e, FALSE, 10, FALSE), WSA_WAIT_TIMEOUT);
  ASSERT_EQ(runs, 0);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &e, FALSE, WSA_INFINITE, TRUE),
            WSA_WAIT_IO_COMPLETION);
  ASSERT_EQ(runs, 1);
  ASSERT_TRUE(WSACloseEvent(e));
}

static DWORD WINAPI other_thread_error(LPVOID arg) {
  WSASetLastError(WSAECONNRESET);
  *(int *)arg = WSAGetLastError();
  return 0;
}

TEST(wsa_last_error_is_the_threads_last_error) {
  int other = 0;
  HANDLE t;
  WSASetLastError(WSAEWOULDBLOCK);
  ASSERT_EQ(GetLastError(), WSAEWOULDBLOCK);
  SetLastError(ERROR_INVALID_HANDLE);
  ASSERT_EQ(WSAGetLastError(), ERROR_INVALID_HANDLE);
  WSASetLastError(WSAEINTR);
  t = CreateThread(NULL, 0, other_thread_error, &other, 0, NULL);
  ASSERT_JOINED(t, 5000);
  ASSERT_EQ(other, WSAECONNRESET);
  ASSERT_EQ(WSAGetLastError(), WSAEINTR);
}

/* Wine 8 answers WSAENOTSOCK before WSAStartup too (test/wine/run.sh). */
TEST(wsa_get_overlapped_result_bad_socket) {
  WSAOVERLAPPED ov = {0};
  DWORD n, flags;
  HANDLE e = CreateEventA(NULL, TRUE, FALSE, NULL); /* a handle, no socket */
  ASSERT_NE_PTR(e, NULL);
  cleanup_all();
  ASSERT_FALSE(WSAGetOverlappedResult(INVALID_SOCKET, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSANOTINITIALISED);
  startup();
  ASSERT_FALSE(WSAGetOverlappedResult((SOCKET)e, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  ASSERT_FALSE(WSAGetOverlappedResult(INVALID_SOCKET, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  ASSERT_TRUE(CloseHandle(e));
}

/*
 * Every event function fails with WSANOTINITIALISED and does nothing, as
 * Microsoft documents. Windows' own ws2_32 (and Wine's) calls the kernel
 * functions without checking, so there they succeed: a known difference
 * (test/wine/run.sh, docs/STATUS.md).
 */
static void assert_event_functions_not_started(HANDLE h) {
  HANDLE hs[1];
  hs[0] = h;
  ASSERT_FAILS_WITH(WSACreateEvent(), WSA_INVALID_EVENT, WSANOTINITIALISED);
  ASSERT_FAILS_WITH(WSASetEvent(h), FALSE, WSANOTINITIALISED);
  ASSERT_EQ(WaitForSingleObject(h, 0), WAIT_TIMEOUT); /* not set */
  ASSERT_TRUE(SetEvent(h));
  ASSERT_FAILS_WITH(WSAResetEvent(h), FALSE, WSANOTINITIALISED);
  ASSERT_EQ(WaitForSingleObject(h, 0), WAIT_OBJECT_0); /* not reset */
  ASSERT_FAILS_WITH(WSAWaitForMultipleEvents(1, hs, FALSE, 0, FALSE),
                    WSA_WAIT_FAILED, WSANOTINITIALISED);
  ASSERT_FAILS_WITH(WSAWaitForMultipleEvents(1, hs, TRUE, WSA_INFINITE, TRUE),
                    WSA_WAIT_FAILED, WSANOTINITIALISED);
  ASSERT_FAILS_WITH(WSACloseEvent(h), FALSE, WSANOTINITIALISED);
  ASSERT_EQ(WaitForSingleObject(h, 0), WAIT_OBJECT_0); /* still open */
  ASSERT_TRUE(ResetEvent(h));
  /* The last error itself works at any time. */
  WSASetLastError(WSAEINTR);
  ASSERT_EQ(WSAGetLastError(), WSAEINTR);
}

TEST(events_need_wsastartup) {
  HANDLE h = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(h, NULL);
  cleanup_all();
  assert_event_functions_not_started(h);
  ASSERT_TRUE(CloseHandle(h));
}

TEST(events_after_the_last_wsacleanup) {
  WSADATA wsa;
  WSAEVENT e;
  cleanup_all();
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
  ASSERT_NE_PTR(e = WSACreateEvent(), WSA_INVALID_EVENT);
  /* One WSACleanup of two: still started. */
  ASSERT_EQ(WSACleanup(), 0);
  ASSERT_TRUE(WSASetEvent(e));
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &e, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
  ASSERT_TRUE(WSAResetEvent(e));
  /* The last one: the event stays open, the functions refuse. */
  ASSERT_EQ(WSACleanup(), 0);
  assert_event_functions_not_started(e);
  /* Started again, the same event is usable and closes. */
  startup();
  ASSERT_TRUE(WSASetEvent(e));
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &e, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
  ASSERT_TRUE(WSACloseEvent(e));
  ASSERT_FAILS_WITH(WSASetEvent(e), FALSE, WSA_INVALID_HANDLE);
}
