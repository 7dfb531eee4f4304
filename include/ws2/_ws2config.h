/*
 * ws2 public headers: configuration shared by every Windows-named header.
 *
 * The headers serve two kinds of translation unit:
 *
 *  - Windows mode (the default): an unmodified Windows program. Every
 *    Windows name means what it means on Windows x64 (LLP64): u_long and
 *    LONG are 32-bit, fd_set is a count and an array of SOCKETs, struct
 *    timeval holds two 32-bit longs, AF_INET6 is 23. Names that the C
 *    library also defines (fd_set, timeval, u_long, select, ...) are mapped
 *    onto WS_-prefixed definitions, so a program may include <stdlib.h>,
 *    <stdio.h>, <string.h>, <time.h>, <stdint.h> or <unistd.h> before or
 *    after <windows.h>/<winsock2.h>.
 *
 *  - Prefix mode (WS2_USE_PREFIX defined before the first include): used by
 *    ws2's own sources and by anything that needs Linux's socket headers in
 *    the same file. Only the WS_-prefixed spellings of the clashing names
 *    exist (struct WS_sockaddr, WS_fd_set, WS_SOL_SOCKET, WS_select, ...);
 *    the Linux names keep their Linux meaning. Names that do not clash
 *    (SOCKET, WSABUF, WSASocketW, CreateEventA, ...) are the same in both.
 *
 * Functions whose Windows name is also a C library function (socket, bind,
 * send, select, htons, ...) are exported by libws2 as WS_<name>, so that
 * loading ws2 never interposes the C library for the rest of the process.
 * In Windows mode they are declared under their plain names with an
 * assembler label naming the WS_ symbol; select and gethostname, which the
 * C library headers this file pre-includes already declare, are macros.
 */
#ifndef WS2__CONFIG_H
#define WS2__CONFIG_H

#if !defined(WS2_USE_PREFIX)
/*
 * Windows mode: pull in the C library headers whose names clash with
 * Windows names now, so that their include guards are set before the
 * mappings below exist. A later #include of any of them is then a no-op
 * and cannot redefine fd_set, struct timeval or u_long behind our back.
 * FD_SETSIZE is saved around them: a Windows program may define it before
 * including <winsock2.h> to enlarge its fd_set.
 */
#pragma push_macro("FD_SETSIZE")
#undef FD_SETSIZE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/time.h>
#include <unistd.h>
#undef FD_SETSIZE
#pragma pop_macro("FD_SETSIZE")
#else
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
#define WS2_BEGIN_DECLS extern "C" {
#define WS2_END_DECLS }
#else
#define WS2_BEGIN_DECLS
#define WS2_END_DECLS
#endif

/* Symbols libws2 exports; the library itself is built -fvisibility=hidden. */
#define WS2_API __attribute__((visibility("default")))

/*
 * WS2_BSDNAME(name): in a declaration, gives a function whose Windows name
 * clashes with the C library the exported symbol WS_<name>.
 *   int WS2_BSDNAME(bind)(SOCKET s, const struct WS_sockaddr *n, int l);
 * declares WS_bind in prefix mode, and bind (symbol WS_bind) otherwise.
 */
#ifdef WS2_USE_PREFIX
#define WS2_BSDNAME(name) WS_##name
#define WS2_BSDLABEL(name)
#else
#define WS2_BSDNAME(name) name
#define WS2_BSDLABEL(name) __asm__("WS_" #name)
#endif

/* Calling-convention and linkage words: the native ABI on Linux x86-64. */
#ifndef WINAPI
#define WINAPI
#endif
#ifndef WSAAPI
#define WSAAPI
#endif
#ifndef WSPAPI
#define WSPAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef APIENTRY
#define APIENTRY
#endif
#ifndef NTAPI
#define NTAPI
#endif
#ifndef WINBASEAPI
#define WINBASEAPI WS2_API
#endif
#ifndef WINSOCK_API_LINKAGE
#define WINSOCK_API_LINKAGE WS2_API
#endif

#endif /* WS2__CONFIG_H */
