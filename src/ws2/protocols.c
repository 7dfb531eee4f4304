/*
 * protocols.c: WSAEnumProtocolsA/W over the process's catalog snapshot
 * (src/catalog/catalog.h: read at the first WSAStartup). As Windows
 * documents, they list base protocols and protocol chains only: not the
 * layered entries (ChainLen 0, LAYERED_PROTOCOL) nor those marked
 * PFL_HIDDEN, which WSCEnumProtocols lists too. (The WSAEnumProtocols
 * page also says dummy layered entries are listed, in one sentence, then
 * that they are not; ws2 follows the explicit rule, which the
 * WSCEnumProtocols page repeats.)
 */
#include "ws2/ws2.h"

#include <stddef.h>
#include <string.h>

#include "catalog/catalog.h"

/* Whether entry e answers a protocol in the zero-terminated list. */
static int wanted(const WSAPROTOCOL_INFOW *e, const INT *list) {
  if (!list) return 1;
  for (; *list; list++)
    if (*list >= e->iProtocol &&
        *list <= (long long)e->iProtocol + e->iProtocolMaxOffset)
      return 1;
  return 0;
}

/* Whether WSAEnumProtocols lists entry e for the filter. */
static int listed(const WSAPROTOCOL_INFOW *e, const INT *list) {
  return wanted(e, list) && !(e->dwProviderFlags & PFL_HIDDEN) &&
         e->ProtocolChain.ChainLen != LAYERED_PROTOCOL;
}

/* Enumerates into buf (entries of `size` bytes, converted by `put`). */
static int enumerate(const INT *list, void *buf, LPDWORD len, size_t size,
                     void (*put)(void *dst, const WSAPROTOCOL_INFOW *src)) {
  ws2__catalog_t *cat;
  const ws2__cat_entry_t *all;
  size_t n, i;
  int count = 0;
  DWORD need;

  if (!ws2__check_started()) return SOCKET_ERROR;
  if (!len) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  if (!(cat = ws2__catalog_snapshot())) {
    WSASetLastError(WSAENOBUFS);
    return SOCKET_ERROR;
  }
  all = cat->entries;
  n = cat->nentries;
  for (i = 0; i < n; i++)
    if (listed(&all[i].info, list)) count++;
  need = (DWORD)((size_t)count * size);
  if (!buf || *len < need) {
    *len = need;
    ws2__catalog_release(cat);
    WSASetLastError(WSAENOBUFS);
    return SOCKET_ERROR;
  }
  count = 0;
  for (i = 0; i < n; i++)
    if (listed(&all[i].info, list))
      put((char *)buf + size * (size_t)count++, &all[i].info);
  *len = need;
  ws2__catalog_release(cat);
  return count;
}

static void put_w(void *dst, const WSAPROTOCOL_INFOW *src) {
  memcpy(dst, src, sizeof(*src));
}

static void put_a(void *dst, const WSAPROTOCOL_INFOW *src) {
  ws2__protocol_info_to_a(dst, src);
}

void ws2__protocol_info_to_a(WSAPROTOCOL_INFOA *a,
                             const WSAPROTOCOL_INFOW *src) {
  size_t i;
  /* Everything before szProtocol has the same layout. */
  memcpy(a, src, offsetof(WSAPROTOCOL_INFOW, szProtocol));
  for (i = 0; i < WSAPROTOCOL_LEN + 1; i++)
    a->szProtocol[i] =
        (char)(src->szProtocol[i] < 0x80 ? src->szProtocol[i] : '?');
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
