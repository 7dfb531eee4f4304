/*
 * windows.h: the subset of the Windows API that ws2 provides. Include it,
 * or <winsock2.h>, exactly as on Windows.
 *
 * Unlike Windows, it never includes the Winsock 1.1 <winsock.h>: programs
 * include <winsock2.h> themselves, before or after this header. (On
 * Windows, WIN32_LEAN_AND_MEAN is the usual way to get this behaviour; it
 * is accepted here and changes nothing.)
 */
#ifndef WS2_WINDOWS_H
#define WS2_WINDOWS_H

#include "windef.h"
#include "winerror.h"
#include "winbase.h"
#include "winnls.h"
#include "winuser.h"

#endif /* WS2_WINDOWS_H */
