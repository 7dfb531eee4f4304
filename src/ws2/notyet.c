/*
 * notyet.c: the exports that the public headers declare and ws2 does not
 * implement yet, so that a Windows program that calls one links and then
 * fails at run time the way Windows documents for an unsupported or
 * unavailable operation, instead of failing to link. Project rule: nothing
 * is a stub called done; every function here is listed in docs/STATUS.md
 * with the issue that brings it, or "not scheduled".
 *
 * Each returns the function's documented failure value (SOCKET_ERROR,
 * INVALID_SOCKET, FALSE, NULL, or the error code for functions that return
 * one) and sets the documented error: WSANOTINITIALISED first where Windows
 * requires WSAStartup, then usually WSAEOPNOTSUPP; where an argument can
 * only be invalid because ws2 never hands out what it names (a lookup or
 * asynchronous-task handle, a provider, a service class), the documented
 * error for that (WSA_INVALID_HANDLE, WSAEINVAL, WSATYPE_NOT_FOUND).
 */
#include "ws2/ws2.h"

#include <mswsock.h>
#include <sporder.h>
#include <ws2spi.h>
#include <ws2tcpip.h>

#include "core/io.h"
#include "provider/base/ops.h"
#include "ws2/provider.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>

/* Sets the thread's last error and returns `ret`. */
#define FAIL(ret, err) (WSASetLastError(err), (ret))
/* WSANOTINITIALISED (set by ws2__check_started) or `err`, then `ret`. */
#define FAIL_STARTED(ret, err) (ws2__check_started() ? FAIL(ret, err) : (ret))

/* Sets *lpErrno (the SPI and WSC convention) and returns SOCKET_ERROR. */
static int fail_errno(LPINT lpErrno, int err) {
  if (lpErrno) *lpErrno = err;
  return SOCKET_ERROR;
}

/* ---- Not scheduled: Winsock 1.1 blocking hooks (WSAEOPNOTSUPP in 2.x). */

BOOL WSAAPI WSAIsBlocking(void) { return FALSE; }

FARPROC WSAAPI WSASetBlockingHook(FARPROC lpBlockFunc) {
  return FAIL_STARTED((FARPROC)NULL, WSAEOPNOTSUPP);
}

int WSAAPI WSAUnhookBlockingHook(void) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

int WSAAPI WSACancelBlockingCall(void) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

/* ---- Not scheduled: WSAAsyncGetXByY (a NULL task handle). ---- */

HANDLE WSAAPI WSAAsyncGetHostByName(HWND hWnd, WS_u_int wMsg, const char *name,
                                    char *buf, int buflen) {
  return FAIL_STARTED((HANDLE)NULL, WSAEOPNOTSUPP);
}

HANDLE WSAAPI WSAAsyncGetHostByAddr(HWND hWnd, WS_u_int wMsg, const char *addr,
                                    int len, int type, char *buf, int buflen) {
  return FAIL_STARTED((HANDLE)NULL, WSAEOPNOTSUPP);
}

HANDLE WSAAPI WSAAsyncGetServByName(HWND hWnd, WS_u_int wMsg, const char *name,
                                    const char *proto, char *buf, int buflen) {
  return FAIL_STARTED((HANDLE)NULL, WSAEOPNOTSUPP);
}

HANDLE WSAAPI WSAAsyncGetServByPort(HWND hWnd, WS_u_int wMsg, int port,
                                    const char *proto, char *buf, int buflen) {
  return FAIL_STARTED((HANDLE)NULL, WSAEOPNOTSUPP);
}

HANDLE WSAAPI WSAAsyncGetProtoByName(HWND hWnd, WS_u_int wMsg, const char *name,
                                     char *buf, int buflen) {
  return FAIL_STARTED((HANDLE)NULL, WSAEOPNOTSUPP);
}

HANDLE WSAAPI WSAAsyncGetProtoByNumber(HWND hWnd, WS_u_int wMsg, int number,
                                       char *buf, int buflen) {
  return FAIL_STARTED((HANDLE)NULL, WSAEOPNOTSUPP);
}

/* No task handle is ever valid: WSAEINVAL, as documented for one. */
int WSAAPI WSACancelAsyncRequest(HANDLE hAsyncTaskHandle) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEINVAL);
}

/* ---- Not scheduled: WSAConnectByName, WSAConnectByList. ---- */

BOOL WSAAPI WSAConnectByNameW(SOCKET s, LPWSTR nodename, LPWSTR servicename,
                              LPDWORD LocalAddressLength,
                              LPSOCKADDR LocalAddress,
                              LPDWORD RemoteAddressLength,
                              LPSOCKADDR RemoteAddress,
                              const struct WS_timeval *timeout,
                              LPWSAOVERLAPPED Reserved) {
  return FAIL_STARTED(FALSE, WSAEOPNOTSUPP);
}

BOOL WSAAPI WSAConnectByNameA(SOCKET s, LPCSTR nodename, LPCSTR servicename,
                              LPDWORD LocalAddressLength,
                              LPSOCKADDR LocalAddress,
                              LPDWORD RemoteAddressLength,
                              LPSOCKADDR RemoteAddress,
                              const struct WS_timeval *timeout,
                              LPWSAOVERLAPPED Reserved) {
  return FAIL_STARTED(FALSE, WSAEOPNOTSUPP);
}

BOOL WSAAPI WSAConnectByList(SOCKET s, PSOCKET_ADDRESS_LIST SocketAddress,
                             LPDWORD LocalAddressLength,
                             LPSOCKADDR LocalAddress,
                             LPDWORD RemoteAddressLength,
                             LPSOCKADDR RemoteAddress,
                             const struct WS_timeval *timeout,
                             LPWSAOVERLAPPED Reserved) {
  return FAIL_STARTED(FALSE, WSAEOPNOTSUPP);
}

/* ---- Not scheduled: GetAddrInfoEx & co (they return the error too). */

INT WSAAPI GetAddrInfoExA(
    PCSTR pName, PCSTR pServiceName, DWORD dwNameSpace, LPGUID lpNspId,
    const ADDRINFOEXA *hints, PADDRINFOEXA *ppResult,
    struct WS_timeval *timeout, LPOVERLAPPED lpOverlapped,
    LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine,
    LPHANDLE lpNameHandle) {
  if (ppResult) *ppResult = NULL;
  if (!ws2__check_started()) return WSANOTINITIALISED;
  return FAIL(WSAEOPNOTSUPP, WSAEOPNOTSUPP);
}

INT WSAAPI GetAddrInfoExW(
    PCWSTR pName, PCWSTR pServiceName, DWORD dwNameSpace, LPGUID lpNspId,
    const ADDRINFOEXW *hints, PADDRINFOEXW *ppResult,
    struct WS_timeval *timeout, LPOVERLAPPED lpOverlapped,
    LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine, LPHANDLE lpHandle) {
  if (ppResult) *ppResult = NULL;
  if (!ws2__check_started()) return WSANOTINITIALISED;
  return FAIL(WSAEOPNOTSUPP, WSAEOPNOTSUPP);
}

/* No lookup is ever in progress: its handle is invalid. */
INT WSAAPI GetAddrInfoExCancel(LPHANDLE lpHandle) {
  return FAIL(WSA_INVALID_HANDLE, WSA_INVALID_HANDLE);
}

/* No OVERLAPPED ever belongs to a lookup. */
INT WSAAPI GetAddrInfoExOverlappedResult(LPOVERLAPPED lpOverlapped) {
  return FAIL(WSAEINVAL, WSAEINVAL);
}

INT WSAAPI SetAddrInfoExA(
    PCSTR pName, PCSTR pServiceName, SOCKET_ADDRESS *pAddresses,
    DWORD dwAddressCount, LPBLOB lpBlob, DWORD dwFlags, DWORD dwNameSpace,
    LPGUID lpNspId, struct WS_timeval *timeout, LPOVERLAPPED lpOverlapped,
    LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine,
    LPHANDLE lpNameHandle) {
  if (!ws2__check_started()) return WSANOTINITIALISED;
  return FAIL(WSAEOPNOTSUPP, WSAEOPNOTSUPP);
}

INT WSAAPI SetAddrInfoExW(
    PCWSTR pName, PCWSTR pServiceName, SOCKET_ADDRESS *pAddresses,
    DWORD dwAddressCount, LPBLOB lpBlob, DWORD dwFlags, DWORD dwNameSpace,
    LPGUID lpNspId, struct WS_timeval *timeout, LPOVERLAPPED lpOverlapped,
    LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine,
    LPHANDLE lpNameHandle) {
  if (!ws2__check_started()) return WSANOTINITIALISED;
  return FAIL(WSAEOPNOTSUPP, WSAEOPNOTSUPP);
}

/* GetAddrInfoEx never returns a list, so there is never one to free: the
 * documented no-op for NULL is the only case a caller can reach.
 * FreeAddrInfoExA is exported as FreeAddrInfoEx (see ws2tcpip.h). */
void WSAAPI FreeAddrInfoExA(PADDRINFOEXA pAddrInfoEx) {}
void WSAAPI FreeAddrInfoExW(PADDRINFOEXW pAddrInfoEx) {}

/* ---- Not scheduled: name-space providers (ws2 has none). ---- */

/*
 * Resolution goes straight to getaddrinfo, so there is no name-space
 * provider to enumerate, no service to find and no lookup handle.
 * WSAEnumNameSpaceProviders* fail rather than report zero providers, which
 * Windows never does.
 */
INT WSAAPI WSALookupServiceBeginA(LPWSAQUERYSETA lpqsRestrictions,
                                  DWORD dwControlFlags, LPHANDLE lphLookup) {
  return FAIL_STARTED(SOCKET_ERROR, WSASERVICE_NOT_FOUND);
}

INT WSAAPI WSALookupServiceBeginW(LPWSAQUERYSETW lpqsRestrictions,
                                  DWORD dwControlFlags, LPHANDLE lphLookup) {
  return FAIL_STARTED(SOCKET_ERROR, WSASERVICE_NOT_FOUND);
}

INT WSAAPI WSALookupServiceNextA(HANDLE hLookup, DWORD dwControlFlags,
                                 LPDWORD lpdwBufferLength,
                                 LPWSAQUERYSETA lpqsResults) {
  return FAIL_STARTED(SOCKET_ERROR, WSA_INVALID_HANDLE);
}

INT WSAAPI WSALookupServiceNextW(HANDLE hLookup, DWORD dwControlFlags,
                                 LPDWORD lpdwBufferLength,
                                 LPWSAQUERYSETW lpqsResults) {
  return FAIL_STARTED(SOCKET_ERROR, WSA_INVALID_HANDLE);
}

INT WSAAPI WSALookupServiceEnd(HANDLE hLookup) {
  return FAIL_STARTED(SOCKET_ERROR, WSA_INVALID_HANDLE);
}

INT WSAAPI WSANSPIoctl(HANDLE hLookup, DWORD dwControlCode, LPVOID lpvInBuffer,
                       DWORD cbInBuffer, LPVOID lpvOutBuffer, DWORD cbOutBuffer,
                       LPDWORD lpcbBytesReturned,
                       LPWSACOMPLETION lpCompletion) {
  return FAIL_STARTED(SOCKET_ERROR, WSA_INVALID_HANDLE);
}

INT WSAAPI WSASetServiceA(LPWSAQUERYSETA lpqsRegInfo,
                          WSAESETSERVICEOP essoperation, DWORD dwControlFlags) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

INT WSAAPI WSASetServiceW(LPWSAQUERYSETW lpqsRegInfo,
                          WSAESETSERVICEOP essoperation, DWORD dwControlFlags) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

INT WSAAPI WSAInstallServiceClassA(LPWSASERVICECLASSINFOA lpServiceClassInfo) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

INT WSAAPI WSAInstallServiceClassW(LPWSASERVICECLASSINFOW lpServiceClassInfo) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

/* No service class is ever installed: WSATYPE_NOT_FOUND. */
INT WSAAPI WSARemoveServiceClass(LPGUID lpServiceClassId) {
  return FAIL_STARTED(SOCKET_ERROR, WSATYPE_NOT_FOUND);
}

INT WSAAPI WSAGetServiceClassInfoA(LPGUID lpProviderId, LPGUID lpServiceClassId,
                                   LPDWORD lpdwBufSize,
                                   LPWSASERVICECLASSINFOA lpServiceClassInfo) {
  return FAIL_STARTED(SOCKET_ERROR, WSATYPE_NOT_FOUND);
}

INT WSAAPI WSAGetServiceClassInfoW(LPGUID lpProviderId, LPGUID lpServiceClassId,
                                   LPDWORD lpdwBufSize,
                                   LPWSASERVICECLASSINFOW lpServiceClassInfo) {
  return FAIL_STARTED(SOCKET_ERROR, WSATYPE_NOT_FOUND);
}

INT WSAAPI WSAGetServiceClassNameByClassIdA(LPGUID lpServiceClassId,
                                            LPSTR lpszServiceClassName,
                                            LPDWORD lpdwBufferLength) {
  return FAIL_STARTED(SOCKET_ERROR, WSATYPE_NOT_FOUND);
}

INT WSAAPI WSAGetServiceClassNameByClassIdW(LPGUID lpServiceClassId,
                                            LPWSTR lpszServiceClassName,
                                            LPDWORD lpdwBufferLength) {
  return FAIL_STARTED(SOCKET_ERROR, WSATYPE_NOT_FOUND);
}

INT WSAAPI WSAEnumNameSpaceProvidersA(LPDWORD lpdwBufferLength,
                                      LPWSANAMESPACE_INFOA lpnspBuffer) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

INT WSAAPI WSAEnumNameSpaceProvidersW(LPDWORD lpdwBufferLength,
                                      LPWSANAMESPACE_INFOW lpnspBuffer) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

INT WSAAPI WSAEnumNameSpaceProvidersExA(LPDWORD lpdwBufferLength,
                                        LPWSANAMESPACE_INFOEXA lpnspBuffer) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

INT WSAAPI WSAEnumNameSpaceProvidersExW(LPDWORD lpdwBufferLength,
                                        LPWSANAMESPACE_INFOEXW lpnspBuffer) {
  return FAIL_STARTED(SOCKET_ERROR, WSAEOPNOTSUPP);
}

/* Installing name-space providers (last error, no lpErrno). */
INT WSAAPI WSCInstallNameSpace(LPWSTR lpszIdentifier, LPWSTR lpszPathName,
                               DWORD dwNameSpace, DWORD dwVersion,
                               LPGUID lpProviderId) {
  return FAIL(SOCKET_ERROR, WSAEOPNOTSUPP);
}

INT WSAAPI WSCInstallNameSpaceEx(LPWSTR lpszIdentifier, LPWSTR lpszPathName,
                                 DWORD dwNameSpace, DWORD dwVersion,
                                 LPGUID lpProviderId,
                                 LPBLOB lpProviderSpecific) {
  return FAIL(SOCKET_ERROR, WSAEOPNOTSUPP);
}

/* No name-space provider is installed: lpProviderId names none. */
INT WSAAPI WSCUnInstallNameSpace(LPGUID lpProviderId) {
  return FAIL(SOCKET_ERROR, WSAEINVAL);
}

INT WSAAPI WSCEnableNSProvider(LPGUID lpProviderId, BOOL fEnable) {
  return FAIL(SOCKET_ERROR, WSAEINVAL);
}

/* These two return the error code. */
int WSAAPI WSCWriteNameSpaceOrder(LPGUID lpProviderId,
                                  DWORD dwNumberOfEntries) {
  return WSAEOPNOTSUPP;
}

int WSAAPI WSCWriteNameSpaceOrder32(LPGUID lpProviderId,
                                    DWORD dwNumberOfEntries) {
  return WSAEOPNOTSUPP;
}

INT WSAAPI WSAProviderCompleteAsyncCall(HANDLE hAsyncCall, INT iRetCode) {
  return FAIL(SOCKET_ERROR, WSAEOPNOTSUPP);
}

/* ---- Issue 5 (SPI and catalog) replaces what is left below. ---- */

/*
 * The 32-bit catalog of 64-bit Windows, alone (WSC*32). ws2 has one
 * catalog and no 32-bit programs: there is no 32-bit catalog for these to
 * act on (the *64_32 forms, which install into every catalog, install into
 * the one: wsc.c).
 */
int WSPAPI WSCEnumProtocols32(LPINT lpiProtocols,
                              LPWSAPROTOCOL_INFOW lpProtocolBuffer,
                              LPDWORD lpdwBufferLength, LPINT lpErrno) {
  return fail_errno(lpErrno, WSAEOPNOTSUPP);
}

int WSPAPI WSCDeinstallProvider32(LPGUID lpProviderId, LPINT lpErrno) {
  return fail_errno(lpErrno, WSAEOPNOTSUPP);
}

int WSPAPI WSCGetProviderPath32(LPGUID lpProviderId, WCHAR *lpszProviderDllPath,
                                LPINT lpProviderDllPathLen, LPINT lpErrno) {
  return fail_errno(lpErrno, WSAEOPNOTSUPP);
}

int WSPAPI WSCUpdateProvider32(LPGUID lpProviderId,
                               const WCHAR *lpszProviderDllPath,
                               const LPWSAPROTOCOL_INFOW lpProtocolInfoList,
                               DWORD dwNumberOfEntries, LPINT lpErrno) {
  return fail_errno(lpErrno, WSAEOPNOTSUPP);
}

int WSPAPI WSCSetProviderInfo32(LPGUID lpProviderId,
                                WSC_PROVIDER_INFO_TYPE InfoType, PBYTE Info,
                                size_t InfoSize, DWORD Flags, LPINT lpErrno) {
  return fail_errno(lpErrno, WSAEOPNOTSUPP);
}

int WSPAPI WSCGetProviderInfo32(LPGUID lpProviderId,
                                WSC_PROVIDER_INFO_TYPE InfoType, PBYTE Info,
                                size_t *InfoSize, DWORD Flags, LPINT lpErrno) {
  return fail_errno(lpErrno, WSAEOPNOTSUPP);
}

int WSPAPI WSCWriteProviderOrder32(LPDWORD lpwdCatalogEntryId,
                                   DWORD dwNumberOfEntries) {
  return WSAEOPNOTSUPP;
}
