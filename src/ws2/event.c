/*
 * event.c: the Winsock names of the kernel-object functions: WSA events,
 * WSAWaitForMultipleEvents, the Winsock last error, and
 * WSAGetOverlappedResult on an IFS handle.
 *
 * Winsock's event and wait functions are the kernel's under other names,
 * with the same values (WSA_WAIT_EVENT_0 == WAIT_OBJECT_0,
 * WSA_INVALID_HANDLE == ERROR_INVALID_HANDLE, ...), as on Windows, where
 * WSAGetLastError reads the same per-thread slot as GetLastError.
 */
#include <winsock2.h>

#include "core/error.h"
#include "core/io.h"

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

/*
 * The IFS path of WSAGetOverlappedResult: the result is in the
 * OVERLAPPED itself (flags in Offset, as ws2's base provider records
 * them). Errors read as Winsock errors (WSAECONNRESET where
 * GetOverlappedResult says ERROR_NETNAME_DELETED).
 */
BOOL WSAAPI WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
                                   LPDWORD lpcbTransfer, BOOL fWait,
                                   LPDWORD lpdwFlags) {
  ws2__io_t *io = ws2__io_get((HANDLE)s);
  ULONG_PTR st;

  if (!io) {
    WSASetLastError(WSAENOTSOCK);
    return FALSE;
  }
  ws2__obj_unref(&io->obj);
  if (!lpOverlapped || !lpcbTransfer || !lpdwFlags) {
    WSASetLastError(WSAEFAULT);
    return FALSE;
  }
  st = __atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE);
  if (st == STATUS_PENDING) {
    DWORD r;
    if (!fWait) {
      WSASetLastError(WSA_IO_INCOMPLETE);
      return FALSE;
    }
    r = ws2__ovl_wait((HANDLE)s, lpOverlapped, INFINITE, FALSE);
    if (r != WAIT_OBJECT_0) {
      WSASetLastError(r == WAIT_FAILED ? WSA_INVALID_HANDLE : WSAEINVAL);
      return FALSE;
    }
    st = __atomic_load_n(&lpOverlapped->Internal, __ATOMIC_ACQUIRE);
  }
  *lpcbTransfer = (DWORD)lpOverlapped->InternalHigh;
  *lpdwFlags = lpOverlapped->Offset;
  if ((uint32_t)st == 0) return TRUE;
  WSASetLastError(ws2__ntstatus_to_wsa((NTSTATUS)(uint32_t)st));
  return FALSE;
}
