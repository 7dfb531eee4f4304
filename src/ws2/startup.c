/*
 * startup.c: WSAStartup and WSACleanup.
 *
 * ws2 implements Winsock 2.2 and accepts any request from 1.0 up: the
 * version granted is the lower of the request and 2.2, as on Windows. The
 * count of successful WSAStartup calls is process-wide; WSACleanup drops
 * one, and the last one releases the providers.
 */
#include "ws2/ws2.h"

#include "ws2/provider.h"

#include <stdatomic.h>
#include <string.h>

static _Atomic int startup_count;

int ws2__started(void) { return atomic_load(&startup_count) > 0; }

int ws2__check_started(void) {
  if (ws2__started()) return 1;
  WSASetLastError(WSANOTINITIALISED);
  return 0;
}

int WSAAPI WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData) {
  BYTE major = LOBYTE(wVersionRequested), minor = HIBYTE(wVersionRequested);
  WORD granted;

  if (major < 1) return WSAVERNOTSUPPORTED;
  if (!lpWSAData) return WSAEFAULT;
  if (ws2__providers_start() != 0) return WSASYSNOTREADY;
  granted = (major > 2 || (major == 2 && minor >= 2)) ? MAKEWORD(2, 2)
                                                       : wVersionRequested;
  memset(lpWSAData, 0, sizeof(*lpWSAData));
  lpWSAData->wVersion = granted;
  lpWSAData->wHighVersion = MAKEWORD(2, 2);
  /* Winsock 1.1 callers read these limits; 2.x callers must not. */
  if (major == 1) {
    lpWSAData->iMaxSockets = 32767;
    lpWSAData->iMaxUdpDg = 65467;
  }
  strcpy(lpWSAData->szDescription, "WinSock 2.0");
  strcpy(lpWSAData->szSystemStatus, "Running");
  atomic_fetch_add(&startup_count, 1);
  return 0;
}

int WSAAPI WSACleanup(void) {
  int n = atomic_load(&startup_count);
  do {
    if (n <= 0) {
      WSASetLastError(WSANOTINITIALISED);
      return SOCKET_ERROR;
    }
  } while (!atomic_compare_exchange_weak(&startup_count, &n, n - 1));
  return 0;
}
