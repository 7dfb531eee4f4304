/*
 * sporder.h: reordering the Winsock catalogs. WSCWriteProviderOrder sets
 * the order of the protocol catalog (the order WSAEnumProtocols returns and
 * WSASocket searches) to the given list of catalog entry ids, which must be
 * a permutation of all installed entries; WSCWriteNameSpaceOrder does the
 * same for namespace providers, identified by GUID.
 */
#ifndef WS2_SPORDER_H
#define WS2_SPORDER_H

#include "windef.h"

WS2_BEGIN_DECLS

WS2_API int WSPAPI WSCWriteProviderOrder(LPDWORD lpwdCatalogEntryId,
                                         DWORD dwNumberOfEntries);
typedef int(WSPAPI *LPWSCWRITEPROVIDERORDER)(LPDWORD lpwdCatalogEntryId,
                                             DWORD dwNumberOfEntries);

WS2_API int WSPAPI WSCWriteNameSpaceOrder(LPGUID lpProviderId,
                                          DWORD dwNumberOfEntries);
typedef int(WSPAPI *LPWSCWRITENAMESPACEORDER)(LPGUID lpProviderId,
                                              DWORD dwNumberOfEntries);

/*
 * The 32-bit catalog of 64-bit Windows. ws2 has a single catalog; these
 * are declared for installers that call both.
 */
WS2_API int WSPAPI WSCWriteProviderOrder32(LPDWORD lpwdCatalogEntryId,
                                           DWORD dwNumberOfEntries);
WS2_API int WSPAPI WSCWriteNameSpaceOrder32(LPGUID lpProviderId,
                                            DWORD dwNumberOfEntries);

WS2_END_DECLS

#endif /* WS2_SPORDER_H */
