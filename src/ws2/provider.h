/*
 * provider.h: the providers the Winsock layer dispatches to. Until the
 * catalog (issue 5) loads providers and their chains, there is one: the
 * base provider, started at the first WSAStartup and reached only through
 * its WSPPROC_TABLE, exactly as a loaded provider will be.
 */
#ifndef WS2_WS2_PROVIDER_H
#define WS2_WS2_PROVIDER_H

#include <winsock2.h>
#include <ws2spi.h>

#include "core/object.h"
#include "ws2/extension.h"

#include <stdint.h>

/*
 * A provider, or a binding of one to a catalog entry: what a socket's
 * handle records (its tag), so that a call reaches the provider in one
 * step and ws2 knows which entry, and so which chain, the socket is of
 * (SO_PROTOCOL_INFO). A binding copies its provider's table.
 */
typedef struct ws2__provider {
  const char *name;
  WSPPROC_TABLE procs;
  WSPDATA data;
  const WSAPROTOCOL_INFOW *entry; /* a binding's entry; NULL: a provider */
  /* A binding's extension functions, as its provider answered them
   * (extension.c); NULL until first asked for. */
  void *_Atomic ext[WS2__EXT_COUNT];
} ws2__provider_t;

/* Starts the providers (at the first WSAStartup): 0 or a WSA error. */
int ws2__providers_start(void);
/* The last WSACleanup: each provider's WSPCleanup closes its sockets. The
 * providers stay loaded and started (issue 5 pairs WSPStartup and
 * WSPCleanup per provider). */
void ws2__providers_cleanup(void);

/*
 * The provider for a new socket: of the catalog entry info names, or of
 * the first entry in catalog order that serves (af, type, protocol) and is
 * not a layered dummy, loading it if needed (fail soft: an entry whose
 * provider cannot start is skipped, unless WS2_STRICT=1; WS2_NO_LSP=1
 * skips chains). *chosen (may be NULL) gets that entry, for WSPSocket.
 * NULL with *err (WSAEAFNOSUPPORT, WSAEINVAL, WSAEPROVIDERFAILEDINIT).
 */
ws2__provider_t *ws2__provider_for_triple(int af, int type, int protocol,
                                          const WSAPROTOCOL_INFOW *info,
                                          WSAPROTOCOL_INFOW *chosen, int *err);

/* The binding of catalog entry id and its provider (loading it if need
 * be), or NULL. It lives until the last WSACleanup (for the base provider:
 * as long as the process). */
ws2__provider_t *ws2__provider_for_catalog_id(DWORD id);

/* The file WSCGetProviderPath names for the built-in base provider. */
const char *ws2__builtin_path(void);

/* The provider serving socket s, or NULL with the last error set
 * (WSANOTINITIALISED before WSAStartup, WSAENOTSOCK). */
ws2__provider_t *ws2__provider_of(SOCKET s);

/* Whether s is a non-IFS handle (WPUCreateSocketHandle's, or an IFS
 * layer's over one): the low bit of its handle's tag, whose other bits
 * are its provider (nifs.c, upcall.c). 0 for anything else. */
static inline int ws2__non_ifs(SOCKET s) {
  return (int)((uintptr_t)ws2__handle_tag((HANDLE)s) & 1);
}

/* The upcall table given to every provider (upcall.c). */
extern const WSPUPCALLTABLE ws2__upcalls;

#endif /* WS2_WS2_PROVIDER_H */
