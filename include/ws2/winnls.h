/*
 * winnls.h: the code-page conversions Winsock programs use with the W
 * functions: MultiByteToWideChar, WideCharToMultiByte, GetACP, GetOEMCP.
 * (On Windows they live in winnls.h and stringapiset.h.)
 *
 * ws2's narrow encoding is UTF-8: GetACP and GetOEMCP return CP_UTF8, and
 * CP_ACP, CP_OEMCP, CP_MACCP and CP_THREAD_ACP all convert as UTF-8.
 * Other code pages are not installed (ERROR_INVALID_PARAMETER).
 */
#ifndef WS2_WINNLS_H
#define WS2_WINNLS_H

#include "windef.h"

WS2_BEGIN_DECLS

/* Code pages. */
#define CP_ACP 0
#define CP_OEMCP 1
#define CP_MACCP 2
#define CP_THREAD_ACP 3
#define CP_SYMBOL 42
#define CP_UTF7 65000
#define CP_UTF8 65001

/* MultiByteToWideChar flags. */
#define MB_PRECOMPOSED 0x00000001
#define MB_COMPOSITE 0x00000002
#define MB_USEGLYPHCHARS 0x00000004
#define MB_ERR_INVALID_CHARS 0x00000008

/* WideCharToMultiByte flags. */
#define WC_COMPOSITECHECK 0x00000200
#define WC_DISCARDNS 0x00000010
#define WC_SEPCHARS 0x00000020
#define WC_DEFAULTCHAR 0x00000040
#define WC_ERR_INVALID_CHARS 0x00000080
#define WC_NO_BEST_FIT_CHARS 0x00000400

WINBASEAPI UINT WINAPI GetACP(void);
WINBASEAPI UINT WINAPI GetOEMCP(void);
WINBASEAPI int WINAPI MultiByteToWideChar(UINT CodePage, DWORD dwFlags,
                                          LPCCH lpMultiByteStr,
                                          int cbMultiByte,
                                          LPWSTR lpWideCharStr,
                                          int cchWideChar);
WINBASEAPI int WINAPI WideCharToMultiByte(UINT CodePage, DWORD dwFlags,
                                          LPCWCH lpWideCharStr,
                                          int cchWideChar,
                                          LPSTR lpMultiByteStr,
                                          int cbMultiByte,
                                          LPCCH lpDefaultChar,
                                          LPBOOL lpUsedDefaultChar);

WS2_END_DECLS

#endif /* WS2_WINNLS_H */
