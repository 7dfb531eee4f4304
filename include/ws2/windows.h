/*
 * windows.h: the subset of the Windows API that ws2 provides. Include it,
 * or <winsock2.h>, exactly as on Windows.
 */
#ifndef WS2_WINDOWS_H
#define WS2_WINDOWS_H

#include "windef.h"
#include "winerror.h"
#include "winbase.h"

#endif /* WS2_WINDOWS_H */
