/*
 * mswsock.c: the exports of mswsock.dll (AcceptEx, GetAcceptExSockaddrs,
 * TransmitFile, WSARecvEx), which go to the socket provider's extension
 * functions or to WSARecv, and WSAJoinLeaf / WSAGetQOSByName, which go to
 * the provider's WSPJoinLeaf / WSPGetQOSByName.
 */
#include "ws2/ws2.h"

#include <mswsock.h>
#include <ws2spi.h>
#include <ws2tcpip.h>

#include "core/io.h"
#include "provider/base/ops.h"
#include "ws2/extension.h"
#include "ws2/provider.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>

/* Sets the thread's last error and returns `ret`. */
#define FAIL(ret, err) (WSASetLastError(err), (ret))
/* WSANOTINITIALISED (set by ws2__check_started) or `err`, then `ret`. */
#define FAIL_STARTED(ret, err) (ws2__check_started() ? FAIL(ret, err) : (ret))

/* ---- Extension functions that mswsock.dll and ws2_32 also export:
 * each goes to the function of its socket's provider (extension.c). ---- */

BOOL PASCAL AcceptEx(SOCKET sListenSocket, SOCKET sAcceptSocket,
                     PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                     DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
                     LPDWORD lpdwBytesReceived, LPOVERLAPPED lpOverlapped) {
  LPFN_ACCEPTEX fn =
      (LPFN_ACCEPTEX)ws2__extension_of(sListenSocket, WS2__EXT_ACCEPTEX);
  ws2__nifs_call_t nc;
  if (!fn) return FALSE;
  ws2__nifs_begin(sListenSocket, lpOverlapped, NULL, &nc);
  return ws2__extension_end(
      &nc, fn(sListenSocket, sAcceptSocket, lpOutputBuffer, dwReceiveDataLength,
              dwLocalAddressLength, dwRemoteAddressLength, lpdwBytesReceived,
              lpOverlapped));
}

/* No socket to ask: the base provider's, as mswsock.dll has MSAFD's. */
VOID PASCAL GetAcceptExSockaddrs(
    PVOID lpOutputBuffer, DWORD dwReceiveDataLength, DWORD dwLocalAddressLength,
    DWORD dwRemoteAddressLength, struct WS_sockaddr **LocalSockaddr,
    LPINT LocalSockaddrLength, struct WS_sockaddr **RemoteSockaddr,
    LPINT RemoteSockaddrLength) {
  static const GUID id = WSAID_GETACCEPTEXSOCKADDRS;
  LPFN_GETACCEPTEXSOCKADDRS fn =
      (LPFN_GETACCEPTEXSOCKADDRS)ws2__bsp_extension(&id);
  fn(lpOutputBuffer, dwReceiveDataLength, dwLocalAddressLength,
     dwRemoteAddressLength, LocalSockaddr, LocalSockaddrLength, RemoteSockaddr,
     RemoteSockaddrLength);
}

/* The provider's TransmitFile; WSAEOPNOTSUPP from a provider without one. */
BOOL PASCAL TransmitFile(SOCKET hSocket, HANDLE hFile,
                         DWORD nNumberOfBytesToWrite,
                         DWORD nNumberOfBytesPerSend, LPOVERLAPPED lpOverlapped,
                         LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers,
                         DWORD dwReserved) {
  LPFN_TRANSMITFILE fn =
      (LPFN_TRANSMITFILE)ws2__extension_of(hSocket, WS2__EXT_TRANSMITFILE);
  ws2__nifs_call_t nc;
  if (!fn) return FALSE;
  ws2__nifs_begin(hSocket, lpOverlapped, NULL, &nc);
  return ws2__extension_end(
      &nc, fn(hSocket, hFile, nNumberOfBytesToWrite, nNumberOfBytesPerSend,
              lpOverlapped, lpTransmitBuffers, dwReserved));
}

/* recv that reports a cut datagram through *flags instead of failing:
 * the bytes that fit, and MSG_PARTIAL (Windows 2000 and later return len,
 * where WSARecv fails with WSAEMSGSIZE). Streams never set MSG_PARTIAL. */
int PASCAL WSARecvEx(SOCKET s, char *buf, int len, int *flags) {
  WSABUF b;
  DWORD n = 0, f;
  if (!flags) return FAIL(SOCKET_ERROR, WSAEFAULT);
  b.len = len < 0 ? 0 : (ULONG)len;
  b.buf = buf;
  f = (DWORD)*flags;
  if (WSARecv(s, &b, 1, &n, &f, NULL, NULL) != 0) {
    if (WSAGetLastError() != WSAEMSGSIZE) return SOCKET_ERROR;
    *flags = WS_MSG_PARTIAL;
    return (int)b.len;
  }
  *flags = 0;
  return (int)n;
}

/* ---- Provider entries without a ws2_32 front end elsewhere. ---- */

/* The base provider fails both with WSAEOPNOTSUPP (not scheduled). */
SOCKET WSAAPI WSAJoinLeaf(SOCKET s, const struct WS_sockaddr *name, int namelen,
                          LPWSABUF lpCallerData, LPWSABUF lpCalleeData,
                          LPQOS lpSQOS, LPQOS lpGQOS, DWORD dwFlags) {
  ws2__provider_t *p = ws2__provider_of(s);
  SOCKET r;
  int err = 0;
  if (!p) return INVALID_SOCKET;
  r = p->procs.lpWSPJoinLeaf(s, name, namelen, lpCallerData, lpCalleeData,
                             lpSQOS, lpGQOS, dwFlags, &err);
  if (r == INVALID_SOCKET) WSASetLastError(err);
  return r;
}

BOOL WSAAPI WSAGetQOSByName(SOCKET s, LPWSABUF lpQOSName, LPQOS lpQOS) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return FALSE;
  if (p->procs.lpWSPGetQOSByName(s, lpQOSName, lpQOS, &err)) return TRUE;
  WSASetLastError(err);
  return FALSE;
}
