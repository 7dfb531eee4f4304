/*
 * protocols.c: the base provider's protocol entries, the WSAPROTOCOL_INFOW
 * records SO_PROTOCOL_INFO returns. The table itself is the catalog's
 * (src/catalog/builtin.c: the embedded default catalog is made from it),
 * so the two never disagree; its order, and so the catalog ids, is the
 * one bsp.c's WSPSocket assigns: TCP/IP, UDP/IP, RAW/IP, TCP/IPv6,
 * UDP/IPv6, RAW/IPv6, AF_UNIX stream.
 */
#include "provider/base/bsp.h"

#include "catalog/builtin.h"

#include <string.h>

int ws2__bsp_protocols(const WSAPROTOCOL_INFOW **out) {
  return ws2__catalog_builtin(out);
}

/* The entry a socket of this af/type/protocol is made from, or NULL. */
static const WSAPROTOCOL_INFOW *entry_for(int af, int type, int protocol) {
  const WSAPROTOCOL_INFOW *entries;
  int i, n = ws2__catalog_builtin(&entries);
  for (i = 0; i < n; i++) {
    const WSAPROTOCOL_INFOW *e = &entries[i];
    if (e->iAddressFamily != af || e->iSocketType != type) continue;
    if (protocol == 0 || e->iProtocolMaxOffset || protocol == e->iProtocol)
      return e;
  }
  return NULL;
}

int ws2__bsp_protocol_info(ws2__bsock_t *s, WSAPROTOCOL_INFOW *out) {
  const WSAPROTOCOL_INFOW *entries, *e = NULL;
  int n = ws2__catalog_builtin(&entries);
  if (s->catalog_id >= WS2__CATALOG_FIRST_ID &&
      s->catalog_id < (DWORD)WS2__CATALOG_FIRST_ID + (DWORD)n)
    e = &entries[s->catalog_id - WS2__CATALOG_FIRST_ID];
  if (!e || e->iAddressFamily != s->af || e->iSocketType != s->type)
    e = entry_for(s->af, s->type, s->protocol);
  if (!e) return WSAEINVAL;
  memcpy(out, e, sizeof(*out));
  /* A raw entry covers protocols 0-255; the socket has one of them. */
  if (e->iProtocolMaxOffset) out->iProtocol = s->protocol;
  return 0;
}
