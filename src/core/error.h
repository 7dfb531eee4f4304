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
 * are reached only from an NTSTATUS.
 */
#define WS2_STATUS_MAP(X)                                                  \
  X(STATUS_SUCCESS, 0x00000000, 0, 0, 0)                                   \
  X(STATUS_PENDING, 0x00000103, 997, 997, EINPROGRESS)                     \
  X(STATUS_BUFFER_OVERFLOW, 0x80000005, 234, 10040, EMSGSIZE)              \
  X(STATUS_UNSUCCESSFUL, 0xC0000001, 31, 10022, 0)                         \
  X(STATUS_ACCESS_VIOLATION, 0xC0000005, 998, 10014, EFAULT)               \
  X(STATUS_INVALID_HANDLE, 0xC0000008, 6, 10038, EBADF)                    \
  X(STATUS_INVALID_PARAMETER, 0xC000000D, 87, 10022, EINVAL)               \
  X(STATUS_ACCESS_DENIED, 0xC0000022, 5, 10013, EACCES)                    \
  X(STATUS_ACCESS_DENIED_PERM, 0xC0000022, 5, 10013, EPERM)                \
  X(STATUS_INSUFFICIENT_RESOURCES, 0xC000009A, 1450, 10055, ENOBUFS)       \
  X(STATUS_NO_MEMORY, 0xC0000017, 8, 10055, ENOMEM)                        \
  X(STATUS_PIPE_DISCONNECTED, 0xC00000B0, 233, 10058, EPIPE)               \
  X(STATUS_IO_TIMEOUT, 0xC00000B5, 121, 10060, ETIMEDOUT)                  \
  X(STATUS_NOT_SUPPORTED, 0xC00000BB, 50, 10045, EOPNOTSUPP)               \
  X(STATUS_CANT_WAIT, 0xC00000D8, 554, 10035, EAGAIN)                      \
  X(STATUS_TOO_MANY_OPENED_FILES, 0xC000011F, 4, 10024, EMFILE)            \
  X(STATUS_TOO_MANY_OPENED_FILES_SYS, 0xC000011F, 4, 10024, ENFILE)        \
  X(STATUS_CANCELLED, 0xC0000120, 995, 995, ECANCELED)                     \
  X(STATUS_LOCAL_DISCONNECT, 0xC000013B, 64, 10053, 0)                     \
  X(STATUS_REMOTE_DISCONNECT, 0xC000013C, 64, 10054, 0)                    \
  X(STATUS_INVALID_CONNECTION, 0xC0000140, 59, 10057, ENOTCONN)            \
  X(STATUS_INVALID_ADDRESS_COMPONENT, 0xC0000207, 1214, 10049,             \
    EADDRNOTAVAIL)                                                         \
  X(STATUS_ADDRESS_ALREADY_EXISTS, 0xC000020A, 1227, 10048, EADDRINUSE)    \
  X(STATUS_CONNECTION_RESET, 0xC000020D, 64, 10054, ECONNRESET)            \
  X(STATUS_CONNECTION_REFUSED, 0xC0000236, 1225, 10061, ECONNREFUSED)      \
  X(STATUS_GRACEFUL_DISCONNECT, 0xC0000237, 1226, 10101, 0)                \
  X(STATUS_CONNECTION_ACTIVE, 0xC000023B, 1230, 10056, EISCONN)            \
  X(STATUS_NETWORK_UNREACHABLE, 0xC000023C, 1231, 10051, ENETUNREACH)      \
  X(STATUS_HOST_UNREACHABLE, 0xC000023D, 1232, 10065, EHOSTUNREACH)        \
  X(STATUS_PORT_UNREACHABLE, 0xC000023F, 1234, 10054, 0)                   \
  X(STATUS_CONNECTION_ABORTED, 0xC0000241, 1236, 10053, ECONNABORTED)      \
  X(STATUS_NETWORK_DOWN, 0xC00000BE, 51, 10050, ENETDOWN)

/* Win32 error for an NTSTATUS (ERROR_MR_MID_NOT_FOUND, 317, if unknown). */
DWORD ws2__ntstatus_to_win32(NTSTATUS st);
/* Winsock error for an NTSTATUS (WSAEINVAL if unknown). */
int ws2__ntstatus_to_wsa(NTSTATUS st);
/* NTSTATUS for a positive errno (STATUS_UNSUCCESSFUL if unknown). */
NTSTATUS ws2__errno_to_ntstatus(int err);
/* Winsock error for a positive errno. */
int ws2__errno_to_wsa(int err);
/* The row's name, for logs ("STATUS_CANCELLED"); "STATUS_?" if unknown. */
const char *ws2__ntstatus_name(NTSTATUS st);

#endif /* WS2_CORE_ERROR_H */
