/*
 * error.h: the one translation table between the error domains ws2 meets:
 * Linux errno (what the kernel says), NTSTATUS (what OVERLAPPED.Internal
 * and OVERLAPPED_ENTRY.Internal hold, as on Windows), Win32 errors (what
 * GetLastError says after GetQueuedCompletionStatus or GetOverlappedResult)
 * and Winsock errors (what WSAGetLastError says after WSAGetOverlappedResult).
 *
 * The same failure reads differently through the two APIs, exactly as on
 * Windows: a reset connection is ERROR_NETNAME_DELETED (64) from
 * GetQueuedCompletionStatus but WSAECONNRESET from WSAGetOverlappedResult.
 */
#ifndef WS2_CORE_ERROR_H
#define WS2_CORE_ERROR_H

#include <windows.h>

#define WS2_NT_SUCCESS(st) (((NTSTATUS)(st)) >= 0)

/*
 * X(name, ntstatus, win32, wsa, errno): one row per condition. The first
 * row that names an errno is the one errno_to_* picks; rows with errno 0
 * are reached only from an NTSTATUS, and of several rows with the same
 * NTSTATUS the first one answers ntstatus_to_*. Rows whose name carries a
 * suffix (_PERM, _SYS, ...) repeat an NTSTATUS for a second errno.
 *
 * win32 is what RtlNtStatusToDosError gives for the NTSTATUS (what
 * GetLastError says after GetQueuedCompletionStatus / GetOverlappedResult);
 * wsa is what the Winsock API reports for the same failure (what
 * WSAGetLastError says after a socket call or WSAGetOverlappedResult).
 *
 * A few Winsock conditions have no NTSTATUS of their own (nothing below
 * the Winsock layer produces them on Windows: WSAEINTR, WSAENOPROTOOPT,
 * WSAEAFNOSUPPORT, ...). Their rows use the NTSTATUS that carries the
 * Win32 code itself, NTSTATUS_FROM_WIN32(code) = 0xC0070000 | code
 * (FACILITY_NTWIN32), which RtlNtStatusToDosError turns back into code,
 * so both APIs report the Winsock error.
 *
 * Choices where Linux and Windows do not line up one to one:
 *  - EAGAIN: AFD completes a would-block request with
 *    STATUS_DEVICE_NOT_READY (ERROR_NOT_READY); STATUS_CANT_WAIT is also
 *    read as WSAEWOULDBLOCK. EINPROGRESS (a non-blocking connect under
 *    way) is WSAEWOULDBLOCK too: that is what Windows' connect says.
 *    STATUS_PENDING (an overlapped request under way) stays
 *    WSA_IO_PENDING / ERROR_IO_PENDING and is not an errno.
 *  - EBADF and ENOTSOCK: for a socket call, WSAENOTSOCK.
 *  - EADDRINUSE: STATUS_SHARING_VIOLATION, what AFD's bind fails with;
 *    STATUS_ADDRESS_ALREADY_ASSOCIATED (a second bind) is WSAEINVAL.
 *  - ENOMEM: WSAENOBUFS, as Winsock calls report a failed allocation
 *    (WSA_NOT_ENOUGH_MEMORY is for WSACreateEvent & co, not socket calls).
 *  - EPIPE: WSAESHUTDOWN, the send-after-shutdown(SD_SEND) case. Linux
 *    also says EPIPE for a send on a connection the peer reset after the
 *    reset was reported once; Windows keeps saying WSAECONNRESET there.
 *    A provider that has not shut the socket down itself should report
 *    EPIPE as WSAECONNRESET (STATUS_CONNECTION_RESET).
 *  - ENETRESET: STATUS_CONNECTION_DISCONNECTED (ERROR_NETNAME_DELETED),
 *    WSAENETRESET, the keep-alive failure of Winsock's documentation.
 *  - ENETDOWN: Windows has no STATUS_NETWORK_DOWN; the network subsystem
 *    failing is STATUS_UNEXPECTED_NETWORK_ERROR (ERROR_UNEXP_NET_ERR).
 *  - ELOOP, ENAMETOOLONG, ENOTEMPTY, EDQUOT, ESTALE (AF_UNIX paths): the
 *    file-system NTSTATUS of the same meaning, with the WSAE* code of the
 *    same BSD name.
 */
#define WS2_NTSTATUS_FROM_WIN32(code) (0xC0070000u | (uint32_t)(code))

#define WS2_STATUS_MAP(X)                                                      \
  X(STATUS_SUCCESS, 0x00000000, 0, 0, 0)                                       \
  X(STATUS_PENDING, 0x00000103, 997, 997, 0)                                   \
  X(STATUS_BUFFER_OVERFLOW, 0x80000005, 234, 10040, EMSGSIZE)                  \
  X(STATUS_UNSUCCESSFUL, 0xC0000001, 31, 10022, 0)                             \
  X(STATUS_ACCESS_VIOLATION, 0xC0000005, 998, 10014, EFAULT)                   \
  X(STATUS_INVALID_HANDLE, 0xC0000008, 6, 10038, EBADF)                        \
  X(STATUS_INVALID_PARAMETER, 0xC000000D, 87, 10022, EINVAL)                   \
  X(STATUS_NO_MEMORY, 0xC0000017, 8, 10055, ENOMEM)                            \
  X(STATUS_ACCESS_DENIED, 0xC0000022, 5, 10013, EACCES)                        \
  X(STATUS_ACCESS_DENIED_PERM, 0xC0000022, 5, 10013, EPERM)                    \
  X(STATUS_BUFFER_TOO_SMALL, 0xC0000023, 122, 10014, 0)                        \
  X(STATUS_OBJECT_TYPE_MISMATCH, 0xC0000024, 6, 10038, ENOTSOCK)               \
  X(STATUS_SHARING_VIOLATION, 0xC0000043, 32, 10048, EADDRINUSE)               \
  X(STATUS_QUOTA_EXCEEDED, 0xC0000044, 1816, 10069, EDQUOT)                    \
  X(STATUS_FILE_INVALID, 0xC0000098, 1006, 10070, ESTALE)                      \
  X(STATUS_INSUFFICIENT_RESOURCES, 0xC000009A, 1450, 10055, ENOBUFS)           \
  X(STATUS_DEVICE_NOT_READY, 0xC00000A3, 21, 10035, EAGAIN)                    \
  X(STATUS_DEVICE_NOT_READY_CONNECT, 0xC00000A3, 21, 10035, EINPROGRESS)       \
  X(STATUS_PIPE_DISCONNECTED, 0xC00000B0, 233, 10058, EPIPE)                   \
  X(STATUS_PIPE_DISCONNECTED_SHUTDOWN, 0xC00000B0, 233, 10058, ESHUTDOWN)      \
  X(STATUS_IO_TIMEOUT, 0xC00000B5, 121, 10060, ETIMEDOUT)                      \
  X(STATUS_NOT_SUPPORTED, 0xC00000BB, 50, 10045, EOPNOTSUPP)                   \
  X(STATUS_UNEXPECTED_NETWORK_ERROR, 0xC00000C4, 59, 10050, ENETDOWN)          \
  X(STATUS_CANT_WAIT, 0xC00000D8, 554, 10035, 0)                               \
  X(STATUS_DIRECTORY_NOT_EMPTY, 0xC0000101, 145, 10066, ENOTEMPTY)             \
  X(STATUS_NAME_TOO_LONG, 0xC0000106, 206, 10063, ENAMETOOLONG)                \
  X(STATUS_TOO_MANY_OPENED_FILES, 0xC000011F, 4, 10024, EMFILE)                \
  X(STATUS_TOO_MANY_OPENED_FILES_SYS, 0xC000011F, 4, 10024, ENFILE)            \
  X(STATUS_CANCELLED, 0xC0000120, 995, 995, ECANCELED)                         \
  X(STATUS_LOCAL_DISCONNECT, 0xC000013B, 64, 10053, 0)                         \
  X(STATUS_REMOTE_DISCONNECT, 0xC000013C, 64, 10054, 0)                        \
  X(STATUS_INVALID_CONNECTION, 0xC0000140, 59, 10057, ENOTCONN)                \
  X(STATUS_INVALID_ADDRESS_COMPONENT, 0xC0000207, 1214, 10049, EADDRNOTAVAIL)  \
  X(STATUS_ADDRESS_ALREADY_EXISTS, 0xC000020A, 52, 10048, 0)                   \
  X(STATUS_CONNECTION_DISCONNECTED, 0xC000020C, 64, 10052, ENETRESET)          \
  X(STATUS_CONNECTION_RESET, 0xC000020D, 64, 10054, ECONNRESET)                \
  X(STATUS_CONNECTION_REFUSED, 0xC0000236, 1225, 10061, ECONNREFUSED)          \
  X(STATUS_GRACEFUL_DISCONNECT, 0xC0000237, 1226, 10101, 0)                    \
  X(STATUS_ADDRESS_ALREADY_ASSOCIATED, 0xC0000238, 1227, 10022, 0)             \
  X(STATUS_ADDRESS_NOT_ASSOCIATED, 0xC0000239, 1228, 10022, 0)                 \
  X(STATUS_CONNECTION_ACTIVE, 0xC000023B, 1230, 10056, EISCONN)                \
  X(STATUS_NETWORK_UNREACHABLE, 0xC000023C, 1231, 10051, ENETUNREACH)          \
  X(STATUS_HOST_UNREACHABLE, 0xC000023D, 1232, 10065, EHOSTUNREACH)            \
  X(STATUS_PORT_UNREACHABLE, 0xC000023F, 1234, 10054, 0)                       \
  X(STATUS_CONNECTION_ABORTED, 0xC0000241, 1236, 10053, ECONNABORTED)          \
  X(STATUS_REPARSE_POINT_NOT_RESOLVED, 0xC0000280, 1921, 10062, ELOOP)         \
  X(STATUS_HOST_DOWN, 0xC0000350, 1256, 10064, EHOSTDOWN)                      \
  X(NTSTATUS_FROM_WIN32_WSAEINTR, WS2_NTSTATUS_FROM_WIN32(10004), 10004,       \
    10004, EINTR)                                                              \
  X(NTSTATUS_FROM_WIN32_WSAEALREADY, WS2_NTSTATUS_FROM_WIN32(10037), 10037,    \
    10037, EALREADY)                                                           \
  X(NTSTATUS_FROM_WIN32_WSAEDESTADDRREQ, WS2_NTSTATUS_FROM_WIN32(10039),       \
    10039, 10039, EDESTADDRREQ)                                                \
  X(NTSTATUS_FROM_WIN32_WSAEPROTOTYPE, WS2_NTSTATUS_FROM_WIN32(10041), 10041,  \
    10041, EPROTOTYPE)                                                         \
  X(NTSTATUS_FROM_WIN32_WSAENOPROTOOPT, WS2_NTSTATUS_FROM_WIN32(10042), 10042, \
    10042, ENOPROTOOPT)                                                        \
  X(NTSTATUS_FROM_WIN32_WSAEPROTONOSUPPORT, WS2_NTSTATUS_FROM_WIN32(10043),    \
    10043, 10043, EPROTONOSUPPORT)                                             \
  X(NTSTATUS_FROM_WIN32_WSAESOCKTNOSUPPORT, WS2_NTSTATUS_FROM_WIN32(10044),    \
    10044, 10044, ESOCKTNOSUPPORT)                                             \
  X(NTSTATUS_FROM_WIN32_WSAEPFNOSUPPORT, WS2_NTSTATUS_FROM_WIN32(10046),       \
    10046, 10046, EPFNOSUPPORT)                                                \
  X(NTSTATUS_FROM_WIN32_WSAEAFNOSUPPORT, WS2_NTSTATUS_FROM_WIN32(10047),       \
    10047, 10047, EAFNOSUPPORT)                                                \
  X(NTSTATUS_FROM_WIN32_WSAEUSERS, WS2_NTSTATUS_FROM_WIN32(10068), 10068,      \
    10068, EUSERS)                                                             \
  X(NTSTATUS_FROM_WIN32_WSAEREMOTE, WS2_NTSTATUS_FROM_WIN32(10071), 10071,     \
    10071, EREMOTE)

/*
 * Win32 error for an NTSTATUS: the table's, else the code of an
 * NTSTATUS_FROM_WIN32 value (0xC007xxxx / 0x8007xxxx), as
 * RtlNtStatusToDosError does, else ERROR_MR_MID_NOT_FOUND (317).
 */
DWORD ws2__ntstatus_to_win32(NTSTATUS st);
/*
 * Winsock error for an NTSTATUS: the table's, else the code of an
 * NTSTATUS_FROM_WIN32 value carrying a Winsock error (10000-11999), else
 * WSAEINVAL.
 */
int ws2__ntstatus_to_wsa(NTSTATUS st);
/* The NTSTATUS a completion reported with a WSA error carries (the first
 * row with that WSA code; else the code as NTSTATUS_FROM_WIN32). */
NTSTATUS ws2__wsa_to_ntstatus(int wsa);
/* NTSTATUS for a positive errno (STATUS_UNSUCCESSFUL if unknown). */
NTSTATUS ws2__errno_to_ntstatus(int err);
/* Winsock error for a positive errno (WSAEINVAL if unknown). */
int ws2__errno_to_wsa(int err);
/* Win32 error for a positive errno: that of its NTSTATUS. */
DWORD ws2__errno_to_win32(int err);
/* The row's name, for logs ("STATUS_CANCELLED"); "STATUS_?" if unknown. */
const char *ws2__ntstatus_name(NTSTATUS st);

#endif /* WS2_CORE_ERROR_H */
