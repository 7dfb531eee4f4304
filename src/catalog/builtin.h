/*
 * builtin.h: the base provider's catalog entries, the one table of them.
 *
 * The catalog (catalog.c) makes its embedded default from this table: the
 * catalog ws2 uses when no catalog file exists, and what `ws2ctl reset`
 * writes. The base provider reads the same table for SO_PROTOCOL_INFO
 * (src/provider/base/protocols.c). It is data only: including this header
 * gives the base provider no access to the catalog's state or files, which
 * is why it may include it (docs/ARCHITECTURE.md, "Dependency rules").
 */
#ifndef WS2_CATALOG_BUILTIN_H
#define WS2_CATALOG_BUILTIN_H

#include <winsock2.h>

/*
 * The provider path the catalog records for the base provider's entries.
 * It names no file: whoever loads providers by path recognises it and uses
 * the base provider built into libws2 (the WSPStartup in src/provider/base).
 */
#define WS2__CATALOG_BASE_PATH "builtin:ws2-base"

/* The first catalog id of the default catalog; its entries follow on. */
#define WS2__CATALOG_FIRST_ID 1001

/*
 * The base provider's entries, in catalog order, with their catalog ids
 * (1001 onwards): *entries is the table, the return value its length.
 */
int ws2__catalog_builtin(const WSAPROTOCOL_INFOW **entries);

#endif /* WS2_CATALOG_BUILTIN_H */
