/*
 * consumer.c: a small, unmodified Windows C program, built by check.sh
 * against an installed ws2 with nothing but `pkg-config --cflags --libs ws2`.
 * It creates an event and a completion port, posts one packet to the port
 * and dequeues it, and prints OK.
 */
#if defined(__has_include)
#if __has_include(<winsock2.h>)
#include <winsock2.h>
#endif
#endif
#include <windows.h>
#include <stdio.h>

static int fail(const char *what) {
  printf("FAILED: %s (error %lu)\n", what, (unsigned long)GetLastError());
  return 1;
}

int main(void) {
  HANDLE event, port;
  OVERLAPPED ov;
  LPOVERLAPPED got = NULL;
  DWORD bytes = 0;
  ULONG_PTR key = 0;

  event = CreateEventA(NULL, TRUE, FALSE, NULL);
  if (event == NULL) return fail("CreateEventA");
  if (WaitForSingleObject(event, 0) != WAIT_TIMEOUT) return fail("unset wait");
  if (!SetEvent(event)) return fail("SetEvent");
  if (WaitForSingleObject(event, 0) != WAIT_OBJECT_0) return fail("set wait");

  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  if (port == NULL) return fail("CreateIoCompletionPort");
  ZeroMemory(&ov, sizeof ov);
  ov.hEvent = event;
  if (!PostQueuedCompletionStatus(port, 42, (ULONG_PTR)7, &ov))
    return fail("PostQueuedCompletionStatus");
  if (!GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000))
    return fail("GetQueuedCompletionStatus");
  if (bytes != 42 || key != 7 || got != &ov) return fail("packet contents");
  if (GetQueuedCompletionStatus(port, &bytes, &key, &got, 0) ||
      GetLastError() != WAIT_TIMEOUT)
    return fail("empty port");

  if (!CloseHandle(port) || !CloseHandle(event)) return fail("CloseHandle");
  printf("OK\n");
  return 0;
}
