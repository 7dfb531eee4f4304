/* The Winsock names of the kernel objects: WSA events, waits, last error. */
#include <winsock2.h>

#include "ws2test.h"

TEST(wsa_event_is_manual_reset_and_unsignalled) {
  WSAEVENT e = WSACreateEvent();
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
  for (i = 0; i < 3; i++) e[i] = WSACreateEvent();
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
  WSAEVENT e = WSACreateEvent();
  int runs = 0;
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

TEST(wsa_get_overlapped_result_bad_socket) {
  WSAOVERLAPPED ov = {0};
  DWORD n, flags;
  WSADATA wd;
  WSAEVENT e = WSACreateEvent();
  ASSERT_FALSE(WSAGetOverlappedResult(INVALID_SOCKET, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSANOTINITIALISED);
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wd), 0);
  ASSERT_FALSE(WSAGetOverlappedResult((SOCKET)e, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  ASSERT_FALSE(WSAGetOverlappedResult(INVALID_SOCKET, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  ASSERT_TRUE(WSACloseEvent(e));
  ASSERT_EQ(WSACleanup(), 0);
}
