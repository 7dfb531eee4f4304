/*
 * extension.h: extension functions dispatched per socket (extension.c).
 */
#ifndef WS2_WS2_EXTENSION_H
#define WS2_WS2_EXTENSION_H

#include <winsock2.h>

#include "ws2/nifs.h"

struct ws2__provider;

/* The extension functions ws2 dispatches (ws2__provider_t.ext slots). */
enum {
  WS2__EXT_ACCEPTEX,
  WS2__EXT_CONNECTEX,
  WS2__EXT_DISCONNECTEX,
  WS2__EXT_TRANSMITFILE,
  WS2__EXT_TRANSMITPACKETS,
  WS2__EXT_WSARECVMSG,
  WS2__EXT_WSASENDMSG,
  WS2__EXT_COUNT
};

/* The slot of extension GUID id, or -1 when ws2 does not dispatch it. */
int ws2__extension_index(const GUID *id);
/* ws2's function for slot `which`: what applications are handed. */
void *ws2__extension_dispatcher(int which);
/* The provider answered `fn` for slot `which` of binding p: kept. */
void ws2__extension_remember(struct ws2__provider *p, int which, void *fn);
/* The function of slot `which` of socket s's provider, or NULL with the
 * last error set (WSAENOTSOCK, WSAEOPNOTSUPP, ...). */
void *ws2__extension_of(SOCKET s, int which);
/* After a provider's extension function that returned ok (FALSE with the
 * last error set), begun with ws2__nifs_begin(s, ovl, routine, nc): ends
 * the call (nifs.h) and returns ok, the last error kept. */
BOOL ws2__extension_end(ws2__nifs_call_t *nc, BOOL ok);

#endif /* WS2_WS2_EXTENSION_H */
