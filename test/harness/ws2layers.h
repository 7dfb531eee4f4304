/*
 * ws2layers.h: a test's own protocol catalog with layered providers in it
 * (test/io/test-layers.c, the plugin tests, the scale and soak tests).
 *
 *   t_fresh_catalog();                      WS2_CATALOG in a new directory
 *   t_install_layer(&guid, path, name, XP1_IFS_HANDLES, over, n, ids);
 *   t_startup(); ... t_cleanup();           Winsock on that catalog
 *   t_remove_catalog();
 *
 * t_install_layer does what WSCInstallProviderAndChains does and then puts
 * the new chains first in the catalog (in the order of `over`), so that
 * socket(af, type, 0) takes them. `over` names the entries (catalog ids)
 * the layer goes over: base entries, or other layers' chains to stack on.
 * Built against ws2 only (it uses the catalog's environment variable).
 */
#ifndef WS2LAYERS_H
#define WS2LAYERS_H

#include <winsock2.h>
#include <sporder.h>
#include <ws2spi.h>

#include "ws2test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The built-in base entries' catalog ids (docs/CATALOG.md). */
enum {
  T_TCP4 = 1001,
  T_UDP4 = 1002,
  T_RAW4 = 1003,
  T_TCP6 = 1004,
  T_UDP6 = 1005,
  T_RAW6 = 1006,
  T_UNIX = 1007
};

static char t_catalog_dir[256];

/* A new, empty catalog directory (the built-in default until something is
 * installed), as WS2_CATALOG. Ends Winsock first if a failed case left it
 * started, so that the next start-up reads this catalog. */
static __attribute__((unused)) void t_fresh_catalog(void) {
  static char var[300];
  while (WSACleanup() == 0) {
  }
  strcpy(t_catalog_dir, "/tmp/ws2-test-catalog-XXXXXX");
  ASSERT_NE_PTR(mkdtemp(t_catalog_dir), NULL);
  snprintf(var, sizeof(var), "%s/catalog", t_catalog_dir);
  setenv("WS2_CATALOG", var, 1);
}

static __attribute__((unused)) void t_remove_catalog(void) {
  char cmd[320];
  if (!t_catalog_dir[0]) return;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_catalog_dir);
  if (system(cmd) != 0)
    fprintf(stderr, "# could not remove %s\n", t_catalog_dir);
  t_catalog_dir[0] = '\0';
}

/* Every entry of the catalog file (malloc'd), *n of them. */
static __attribute__((unused)) WSAPROTOCOL_INFOW *t_catalog_entries(int *n) {
  DWORD size = 0;
  int err = 0;
  WSAPROTOCOL_INFOW *v;
  ASSERT_EQ(WSCEnumProtocols(NULL, NULL, &size, &err), SOCKET_ERROR);
  ASSERT_EQ(err, WSAENOBUFS);
  v = malloc(size);
  ASSERT_NE_PTR(v, NULL);
  *n = WSCEnumProtocols(NULL, v, &size, &err);
  ASSERT_TRUE(*n > 0);
  return v;
}

/* A plugin's path: $WS2_PLUGIN_DIR/ws2-<name>.so. */
static __attribute__((unused)) void t_plugin_path(const char *name, char *out,
                                                  size_t size) {
  const char *d = getenv("WS2_PLUGIN_DIR");
  snprintf(out, size, "%s/ws2-%s.so", d ? d : ".", name);
}

static __attribute__((unused)) void t_install_layer(
    const GUID *g, const char *path, const char *name, DWORD service_flags,
    const DWORD *over, int nover, DWORD *chain_ids) {
  WCHAR wpath[512], wname[64];
  WSAPROTOCOL_INFOW list[16], *all;
  DWORD order[128], ids[16];
  GUID id = *g;
  int n, i, j, k = 0, err = 0;
  ASSERT_TRUE(nover > 0 && nover <= 16);
  for (i = 0; path[i] && i < 511; i++) wpath[i] = (WCHAR)(unsigned char)path[i];
  wpath[i] = 0;
  for (i = 0; name[i] && i < 63; i++) wname[i] = (WCHAR)(unsigned char)name[i];
  wname[i] = 0;
  all = t_catalog_entries(&n);
  for (i = 0; i < nover; i++) {
    for (j = 0; j < n && all[j].dwCatalogEntryId != over[i]; j++) {
    }
    ASSERT_TRUE(j < n);
    list[i] = all[j];
  }
  free(all);
  ASSERT_EQ(WSCInstallProviderAndChains(&id, wpath, wname, service_flags, list,
                                        (DWORD)nover, NULL, &err),
            0);
  /* The new chains, in the order of `over`, first. */
  all = t_catalog_entries(&n);
  ASSERT_TRUE(n <= 128);
  for (i = 0; i < nover; i++) {
    /* The new chain over list[i]: this layer, then list[i]'s own links
     * (a base entry's link is its own id). */
    DWORD rest[MAX_PROTOCOL_CHAIN];
    int nrest =
        list[i].ProtocolChain.ChainLen > 1 ? list[i].ProtocolChain.ChainLen : 1;
    if (nrest == 1)
      rest[0] = list[i].dwCatalogEntryId;
    else
      memcpy(rest, list[i].ProtocolChain.ChainEntries,
             sizeof(DWORD) * (size_t)nrest);
    for (j = 0; j < n; j++)
      if (IsEqualGUID(&all[j].ProviderId, g) &&
          all[j].ProtocolChain.ChainLen == nrest + 1 &&
          memcmp(&all[j].ProtocolChain.ChainEntries[1], rest,
                 sizeof(DWORD) * (size_t)nrest) == 0)
        ids[i] = order[k++] = all[j].dwCatalogEntryId;
  }
  ASSERT_EQ(k, nover);
  for (j = 0; j < n; j++) {
    for (i = 0; i < nover && all[j].dwCatalogEntryId != ids[i]; i++) {
    }
    if (i == nover) order[k++] = all[j].dwCatalogEntryId;
  }
  free(all);
  ASSERT_EQ(WSCWriteProviderOrder(order, (DWORD)k), 0);
  if (chain_ids) memcpy(chain_ids, ids, sizeof(DWORD) * (size_t)nover);
}

/* The catalog entry socket s was made from (its chain, for a layered
 * socket). */
static __attribute__((unused)) DWORD t_entry_of(SOCKET s) {
  WSAPROTOCOL_INFOW w;
  int len = sizeof(w);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len), 0);
  return w.dwCatalogEntryId;
}

#endif /* WS2LAYERS_H */
