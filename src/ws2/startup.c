/*
 * startup.c: WSAStartup and WSACleanup.
 *
 * ws2 implements Winsock 2.2 and accepts any request from 1.0 up: the
 * version granted is the lower of the request and 2.2, as on Windows. The
 * count of successful WSAStartup calls is process-wide; WSACleanup drops
 * one, and the last one closes every socket still open, as Windows does.
 */
#include "ws2/ws2.h"

#include "catalog/catalog.h"
#include "ws2/provider.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

static _Atomic int startup_count;
/* The last WSACleanup closes every socket still open (the providers'
 * WSPCleanup) before a WSAStartup may count again. */
static pthread_mutex_t cleanup_lock = PTHREAD_MUTEX_INITIALIZER;

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
  /* The process's first WSAStartup (again, after its last WSACleanup)
   * reads the catalog: the snapshot sockets are made from from now on
   * (an unusable file gives the built-in default, with an error logged). */
  pthread_mutex_lock(&cleanup_lock);
  if (atomic_load(&startup_count) == 0) {
    ws2__catalog_t *cat;
    ws2__catalog_snapshot_refresh();
    cat = ws2__catalog_snapshot();
    if (!cat) {
      pthread_mutex_unlock(&cleanup_lock);
      return WSASYSNOTREADY;
    }
    ws2__catalog_release(cat);
  }
  pthread_mutex_unlock(&cleanup_lock);
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
  pthread_mutex_lock(&cleanup_lock);
  atomic_fetch_add(&startup_count, 1);
  pthread_mutex_unlock(&cleanup_lock);
  return 0;
}

int WSAAPI WSACleanup(void) {
  int n;
  pthread_mutex_lock(&cleanup_lock);
  n = atomic_load(&startup_count);
  if (n <= 0) {
    pthread_mutex_unlock(&cleanup_lock);
    WSASetLastError(WSANOTINITIALISED);
    return SOCKET_ERROR;
  }
  atomic_store(&startup_count, n - 1);
  if (n == 1) ws2__providers_cleanup();
  pthread_mutex_unlock(&cleanup_lock);
  return 0;
}
