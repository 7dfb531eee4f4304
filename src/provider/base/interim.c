/*
 * interim.c: weak stand-ins for functions that are being written in
 * parallel (sockopt.c, xlate/addr.c). The real, strong definitions
 * replace these at link time; this file goes away when they land.
 */
#include <mswsock.h>

#include "provider/base/bsp.h"
#include "xlate/addr.h"

#include <netinet/in.h>
#include <string.h>

__attribute__((weak)) int ws2__bsp_getsockopt(ws2__bsock_t *s, int level,
                                              int optname, char *optval,
                                              int *optlen) {
  return WSAENOPROTOOPT;
}

__attribute__((weak)) int ws2__bsp_setsockopt(ws2__bsock_t *s, int level,
                                              int optname, const char *optval,
                                              int optlen) {
  if (level == WS_SOL_SOCKET && (optname == WS_SO_UPDATE_ACCEPT_CONTEXT ||
                                 optname == WS_SO_UPDATE_CONNECT_CONTEXT))
    return 0;
  return WSAENOPROTOOPT;
}

__attribute__((weak)) void ws2__bsp_sockopt_defaults(ws2__bsock_t *s) {}

__attribute__((weak)) int ws2__af_to_linux(int af) {
  return af == WS_AF_INET6 ? AF_INET6 : af == WS_AF_INET ? AF_INET
         : af == WS_AF_UNIX ? AF_UNIX : -1;
}

__attribute__((weak)) int ws2__af_from_linux(int af) {
  return af == AF_INET6 ? WS_AF_INET6 : af == AF_INET ? WS_AF_INET
         : af == AF_UNIX ? WS_AF_UNIX : -1;
}

__attribute__((weak)) int ws2__addr_to_linux(const struct WS_sockaddr *wsa,
                                             int wsalen,
                                             struct sockaddr_storage *out,
                                             socklen_t *outlen) {
  int need;
  if (!wsa) return WSAEFAULT;
  need = wsa->sa_family == WS_AF_INET6 ? 28 : 16;
  if (wsalen < need) return WSAEFAULT;
  if (wsa->sa_family != WS_AF_INET && wsa->sa_family != WS_AF_INET6)
    return WSAEAFNOSUPPORT;
  memset(out, 0, sizeof(*out));
  memcpy(out, wsa, (size_t)need);
  out->ss_family = (sa_family_t)ws2__af_to_linux(wsa->sa_family);
  *outlen = (socklen_t)need;
  return 0;
}

__attribute__((weak)) int ws2__addr_from_linux(const struct sockaddr *sa,
                                               socklen_t salen,
                                               struct WS_sockaddr *out,
                                               int *outlen) {
  int need = sa->sa_family == AF_INET6 ? 28 : 16;
  if (!out || !outlen || *outlen < need) return WSAEFAULT;
  memcpy(out, sa, (size_t)need);
  out->sa_family = (WS_u_short)ws2__af_from_linux(sa->sa_family);
  *outlen = need;
  return 0;
}

__attribute__((weak)) WS_u_long WSAAPI WS_htonl(WS_u_long v) {
  return __builtin_bswap32(v);
}
__attribute__((weak)) WS_u_short WSAAPI WS_htons(WS_u_short v) {
  return __builtin_bswap16(v);
}
__attribute__((weak)) WS_u_long WSAAPI WS_ntohl(WS_u_long v) {
  return __builtin_bswap32(v);
}
__attribute__((weak)) WS_u_short WSAAPI WS_ntohs(WS_u_short v) {
  return __builtin_bswap16(v);
}

__attribute__((weak)) BOOL WINAPI PostMessageA(HWND hWnd, UINT Msg,
                                               WPARAM wParam, LPARAM lParam) {
  return FALSE;
}
