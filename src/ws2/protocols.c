/*
 * protocols.c: WSAEnumProtocolsA/W over the providers' entries. Until the
 * catalog (issue 5), the entries are the base provider's built-in ones.
 */
#include "ws2/ws2.h"

#include <stddef.h>
#include <string.h>

#include "provider/base/bsp.h"

/* Whether entry e answers a protocol in the zero-terminated list. */
static int wanted(const WSAPROTOCOL_INFOW *e, const INT *list) {
  if (!list) return 1;
  for (; *list; list++)
    if (*list >= e->iProtocol && *list <= e->iProtocol + e->iProtocolMaxOffset)
      return 1;
  return 0;
}

/* Enumerates into buf (entries of `size` bytes, converted by `put`). */
static int enumerate(const INT *list, void *buf, LPDWORD len, size_t size,
                     void (*put)(void *dst, const WSAPROTOCOL_INFOW *src)) {
  const WSAPROTOCOL_INFOW *all;
  int n = ws2__bsp_protocols(&all), i, count = 0;
  DWORD need;

  if (!ws2__check_started()) return SOCKET_ERROR;
  if (!len) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  for (i = 0; i < n; i++)
    if (wanted(&all[i], list) && !(all[i].dwProviderFlags & PFL_HIDDEN) &&
        all[i].ProtocolChain.ChainLen != LAYERED_PROTOCOL)
      count++;
  need = (DWORD)(count * size);
  if (!buf || *len < need) {
    *len = need;
    WSASetLastError(WSAENOBUFS);
    return SOCKET_ERROR;
  }
  count = 0;
  for (i = 0; i < n; i++)
    if (wanted(&all[i], list) && !(all[i].dwProviderFlags & PFL_HIDDEN) &&
        all[i].ProtocolChain.ChainLen != LAYERED_PROTOCOL)
      put((char *)buf + size * (size_t)count++, &all[i]);
  *len = need;
  return count;
}

static void put_w(void *dst, const WSAPROTOCOL_INFOW *src) {
  memcpy(dst, src, sizeof(*src));
}

static void put_a(void *dst, const WSAPROTOCOL_INFOW *src) {
  WSAPROTOCOL_INFOA *a = dst;
  size_t i;
  /* Everything before szProtocol has the same layout. */
  memcpy(a, src, offsetof(WSAPROTOCOL_INFOW, szProtocol));
  for (i = 0; i < WSAPROTOCOL_LEN + 1; i++)
    a->szProtocol[i] = (char)(src->szProtocol[i] < 0x80 ? src->szProtocol[i]
                                                         : '?');
}

int WSAAPI WSAEnumProtocolsW(LPINT lpiProtocols,
                             LPWSAPROTOCOL_INFOW lpProtocolBuffer,
                             LPDWORD lpdwBufferLength) {
  return enumerate(lpiProtocols, lpProtocolBuffer, lpdwBufferLength,
                   sizeof(WSAPROTOCOL_INFOW), put_w);
}

int WSAAPI WSAEnumProtocolsA(LPINT lpiProtocols,
                             LPWSAPROTOCOL_INFOA lpProtocolBuffer,
                             LPDWORD lpdwBufferLength) {
  return enumerate(lpiProtocols, lpProtocolBuffer, lpdwBufferLength,
                   sizeof(WSAPROTOCOL_INFOA), put_a);
}
