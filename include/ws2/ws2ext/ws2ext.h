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

WS2_END_DECLS

#endif /* WS2_WS2EXT_H */
