/*
 * UNICODE selects the W functions and types, as on Windows: WSASocket is
 * WSASocketW, WSAPROTOCOL_INFO is WSAPROTOCOL_INFOW, TEXT("x") is wide.
 * Nothing is called: the Winsock functions are only declared for now.
 */
#define UNICODE
#define _UNICODE
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <ws2spi.h>

#include "ws2test.h"

#define SAME_TYPE(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))

_Static_assert(SAME_TYPE(&WSASocket, &WSASocketW), "WSASocket");
_Static_assert(SAME_TYPE(&WSAEnumProtocols, &WSAEnumProtocolsW), "enum");
_Static_assert(SAME_TYPE(&WSAAddressToString, &WSAAddressToStringW), "a2s");
_Static_assert(SAME_TYPE(&WSAStringToAddress, &WSAStringToAddressW), "s2a");
_Static_assert(SAME_TYPE(&WSADuplicateSocket, &WSADuplicateSocketW), "dup");
_Static_assert(SAME_TYPE(&WSAConnectByName, &WSAConnectByNameW), "cbn");
_Static_assert(SAME_TYPE(&GetAddrInfo, &GetAddrInfoW), "gai");
_Static_assert(SAME_TYPE(&FreeAddrInfo, &FreeAddrInfoW), "fai");
_Static_assert(SAME_TYPE(&GetNameInfo, &GetNameInfoW), "gni");
_Static_assert(SAME_TYPE(&InetPton, &InetPtonW), "pton");
_Static_assert(SAME_TYPE(&CreateEvent, &CreateEventW), "CreateEvent");
_Static_assert(SAME_TYPE(&RegisterClass, &RegisterClassW), "RegisterClass");
_Static_assert(sizeof(WSAPROTOCOL_INFO) == 628, "WSAPROTOCOL_INFOW");
_Static_assert(SO_PROTOCOL_INFO == SO_PROTOCOL_INFOW, "SO_PROTOCOL_INFO");
_Static_assert(sizeof(TCHAR) == 2, "TCHAR is WCHAR");
_Static_assert(sizeof(ADDRINFOT) == sizeof(ADDRINFOW), "ADDRINFOT");

TEST(text_is_wide) {
  const TCHAR *t = TEXT("abc");
  ASSERT_EQ(t[2], 'c');
  ASSERT_EQ(sizeof(TEXT("abc")), 4 * sizeof(WCHAR));
}
