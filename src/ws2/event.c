/*
 * event.c: the Winsock names of the kernel-object functions: WSA events,
 * WSAWaitForMultipleEvents and the Winsock last error.
 *
 * Winsock's event and wait functions are the kernel's under other names,
 * with the same values (WSA_WAIT_EVENT_0 == WAIT_OBJECT_0,
 * WSA_INVALID_HANDLE == ERROR_INVALID_HANDLE, ...), as on Windows, where
 * WSAGetLastError reads the same per-thread slot as GetLastError.
 *
 * Microsoft documents WSANOTINITIALISED for the five event functions
 * before WSAStartup (and after the last WSACleanup), so they check it
 * first; Windows' ws2_32 itself passes straight to the kernel functions
 * and succeeds there (docs/STATUS.md). WSAGetLastError and
 * WSASetLastError work at any time.
 */
#include "ws2/ws2.h"

WSAEVENT WSAAPI WSACreateEvent(void) {
  if (!ws2__check_started()) return WSA_INVALID_EVENT;
  return CreateEventA(NULL, TRUE, FALSE, NULL); /* manual reset, unset */
}

BOOL WSAAPI WSACloseEvent(WSAEVENT hEvent) {
  if (!ws2__check_started()) return FALSE;
  return CloseHandle(hEvent);
}

BOOL WSAAPI WSASetEvent(WSAEVENT hEvent) {
  if (!ws2__check_started()) return FALSE;
  return SetEvent(hEvent);
}

BOOL WSAAPI WSAResetEvent(WSAEVENT hEvent) {
  if (!ws2__check_started()) return FALSE;
  return ResetEvent(hEvent);
}

DWORD WSAAPI WSAWaitForMultipleEvents(DWORD cEvents, const WSAEVENT *lphEvents,
                                      BOOL fWaitAll, DWORD dwTimeout,
                                      BOOL fAlertable) {
  if (!ws2__check_started()) return WSA_WAIT_FAILED;
  return WaitForMultipleObjectsEx(cEvents, lphEvents, fWaitAll, dwTimeout,
                                  fAlertable);
}

int WSAAPI WSAGetLastError(void) { return (int)GetLastError(); }

void WSAAPI WSASetLastError(int iError) { SetLastError((DWORD)iError); }
