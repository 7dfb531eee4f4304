/*
 * interim.c: weak stand-ins for functions that are being written in
 * parallel (message windows). The real, strong definitions
 * replace these at link time; this file goes away when they land.
 */
#include "provider/base/bsp.h"

__attribute__((weak)) BOOL WINAPI PostMessageA(HWND hWnd, UINT Msg,
                                               WPARAM wParam, LPARAM lParam) {
  return FALSE;
}
