/*
 * ws2ext.h: ws2's own extensions, beside the Windows API. Include it after
 * <windows.h> or <winsock2.h>. Nothing here exists on Windows.
 */
#ifndef WS2_WS2EXT_H
#define WS2_WS2EXT_H

#include "../_ws2config.h"

WS2_BEGIN_DECLS

/*
 * The I/O engine this process uses for sockets: "io_uring" or "epoll"
 * (chosen at the first socket; WS2_ENGINE=epoll|io_uring forces one), or
 * NULL when none could start (then socket creation fails WSAENETDOWN).
 */
WS2_API const char *ws2_engine_name(void);

/*
 * Completion callbacks: ws2_port_set_callback(port, fn, context) makes
 * the packets that ws2 completes for `port` inside its engine's poll
 * rounds go to fn(context, key, overlapped, error, bytes) instead of the
 * port's queue (error: 0 for success, else the Win32 error that
 * GetQueuedCompletionStatus would have set). The call is made by the
 * thread that ran the round, once the round is over and another thread
 * may poll: a thread in one of ws2's waits (GetQueuedCompletionStatus,
 * WaitForSingleObject, Sleep, a blocking Winsock call, ...) or ws2's
 * engine thread. The other packets (PostQueuedCompletionStatus, requests
 * that complete outside a round, such as those aborted by closesocket or
 * completed inline) are queued as before, and so is everything when the
 * engine's thread does all the polling (WS2_ENGINE_THREAD=1): a thread
 * must still serve the port. Threads waiting on a port that has a
 * callback do not poll the engine themselves.
 *
 * It exists for code that keeps a thread only to relay a port's packets,
 * such as a non-IFS layered provider's worker: on a busy CPU that relay
 * costs two thread switches per completion, the callback none. fn must
 * not block for long, and must not take a lock that a thread may hold
 * while it waits in ws2 (in any wait function or blocking call); it is
 * not called again in the thread while it runs. fn NULL takes the
 * callback away; the call returns once no call of the previous callback
 * is in progress (other than the caller's own). FALSE with
 * ERROR_INVALID_HANDLE if `port` is not a completion port.
 */
typedef VOID(WINAPI *WS2_PORT_CALLBACK)(PVOID context, ULONG_PTR key,
                                        LPOVERLAPPED overlapped, DWORD error,
                                        DWORD bytes);
WS2_API BOOL WINAPI ws2_port_set_callback(HANDLE port, WS2_PORT_CALLBACK fn,
                                          PVOID context);

WS2_END_DECLS

#endif /* WS2_WS2EXT_H */
