/*
 * event.c: the Winsock names of the kernel-object functions: WSA events,
 * WSAWaitForMultipleEvents and the Winsock last error.
 *
 * Winsock's event and wait functions are the kernel's under other names,
 * with the same values (WSA_WAIT_EVENT_0 == WAIT_OBJECT_0,
 * WSA_INVALID_HANDLE == ERROR_INVALID_HANDLE, ...), as on Windows, where
 * WSAGetLastError reads the same per-thread slot as GetLastError.
 */
#include <winsock2.h>


WSAEVENT WSAAPI WSACreateEvent(void) {
  return CreateEventA(NULL, TRUE, FALSE, NULL); /* manual reset, unset */
}

BOOL WSAAPI WSACloseEvent(WSAEVENT hEvent) { return CloseHandle(hEvent); }

BOOL WSAAPI WSASetEvent(WSAEVENT hEvent) { return SetEvent(hEvent); }

BOOL WSAAPI WSAResetEvent(WSAEVENT hEvent) { return ResetEvent(hEvent); }

DWORD WSAAPI WSAWaitForMultipleEvents(DWORD cEvents, const WSAEVENT *lphEvents,
                                      BOOL fWaitAll, DWORD dwTimeout,
                                      BOOL fAlertable) {
  return WaitForMultipleObjectsEx(cEvents, lphEvents, fWaitAll, dwTimeout,
                                  fAlertable);
}

int WSAAPI WSAGetLastError(void) { return (int)GetLastError(); }

void WSAAPI WSASetLastError(int iError) { SetLastError((DWORD)iError); }
