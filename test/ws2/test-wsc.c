/*
 * The catalog functions (WSC*), WSAEnumProtocols over the catalog, and
 * WSAProviderConfigChange, through the public API only. Every case has its
 * own catalog ($WS2_CATALOG) in a fresh temporary directory; "another
 * process" is a child made with fork() that calls the API and exits.
 */
/* ws2-wine: skip (ws2's catalog file WS2_CATALOG, fork) */
#include <windows.h>
#include <winsock2.h>
#include <sporder.h>
#include <ws2spi.h>

#include "ws2test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------- */

static char dir[128], file[400];

static void fresh_at(const char *sub) {
  snprintf(dir, sizeof(dir), "/tmp/ws2-test-wsc-XXXXXX");
  ASSERT_NE_PTR(mkdtemp(dir), NULL);
  snprintf(file, sizeof(file), "%s%s/catalog", dir, sub);
  setenv("WS2_CATALOG", file, 1);
}

static void fresh(void) { fresh_at(""); }

static void rm_rf(void) {
  char cmd[400];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", dir);
}

/* Every WSAStartup undone, so that the next one reads the catalog. */
static void cleanup_all(void) {
  while (WSACleanup() == 0) {
  }
}

static void startup(void) {
  WSADATA wd;
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wd), 0);
}

static GUID guid_n(unsigned n) {
  GUID g = {0x5EED0000u + n, 0xABCD, 0x4EF0, {9, 8, 7, 6, 5, 4, 3, 2}};
  return g;
}

static const GUID msafd = {0xE70F1AA0,
                           0xAB8B,
                           0x11CF,
                           {0x8C, 0xA3, 0x00, 0x80, 0x5F, 0x48, 0xA1, 0x92}};

static void wset(WCHAR *dst, size_t cap, const char *src) {
  size_t i;
  for (i = 0; i + 1 < cap && src[i]; i++) dst[i] = (WCHAR)(unsigned char)src[i];
  dst[i] = 0;
}

static int wis(const WCHAR *w, const char *s) {
  while (*s && *w == (WCHAR)(unsigned char)*s) w++, s++;
  return !*s && !*w;
}

/* All entries, as WSCEnumProtocols gives them (free the result). Another
 * process may install between the two calls: then the second call asks
 * for more room, and the pair is made again. */
static WSAPROTOCOL_INFOW *wsc_all(int *count) {
  DWORD len = 0;
  INT err = 0;
  WSAPROTOCOL_INFOW *buf = NULL;
  for (;;) {
    ASSERT_EQ(WSCEnumProtocols(NULL, buf, &len, &err), SOCKET_ERROR);
    ASSERT_EQ(err, WSAENOBUFS);
    free(buf);
    buf = malloc(len ? len : 1);
    *count = WSCEnumProtocols(NULL, buf, &len, &err);
    if (*count != SOCKET_ERROR || err != WSAENOBUFS) break;
  }
  ASSERT_GE(*count, 0);
  ASSERT_EQ(len, (DWORD)*count * sizeof(WSAPROTOCOL_INFOW));
  return buf;
}

static int find_guid(const WSAPROTOCOL_INFOW *all, int n, const GUID *g) {
  int i;
  for (i = 0; i < n; i++)
    if (memcmp(&all[i].ProviderId, g, sizeof(*g)) == 0) return i;
  return -1;
}

/* A base-like entry (ChainLen 1), named, to install: a copy of the
 * built-in TCP/IP entry (taken once, in the parent: a child made with
 * fork() must not assert). */
static WSAPROTOCOL_INFOW tcp_template;
static int have_template;

static WSAPROTOCOL_INFOW base_like(const char *name) {
  WSAPROTOCOL_INFOW w;
  if (!have_template) {
    WSAPROTOCOL_INFOW *all;
    int n;
    all = wsc_all(&n);
    ASSERT_TRUE(wis(all[0].szProtocol, "MSAFD Tcpip [TCP/IP]"));
    tcp_template = all[0];
    have_template = 1;
    free(all);
  }
  w = tcp_template;
  w.dwCatalogEntryId = 4242; /* ignored: ws2 assigns ids */
  wset(w.szProtocol, WSAPROTOCOL_LEN + 1, name);
  return w;
}

static const WCHAR lsp_path[] = WS2_WIDE("/opt/lsp/liblsp.so");

static int install(unsigned n, const char *name) {
  WSAPROTOCOL_INFOW w = base_like(name);
  GUID g = guid_n(n);
  INT err = 0;
  if (WSCInstallProvider(&g, lsp_path, &w, 1, &err) != 0) return err;
  return 0;
}

#define ERRNO_FAILS(call, code)      \
  do {                               \
    INT *e_ = &err;                  \
    *e_ = 0;                         \
    ASSERT_EQ((call), SOCKET_ERROR); \
    ASSERT_EQ(err, (code));          \
  } while (0)

/* ---- enumeration ------------------------------------------------------- */

TEST(enum_default_catalog_and_two_call_pattern) {
  DWORD len = 0, need;
  INT err = 0, udp[] = {IPPROTO_UDP, 0};
  WSAPROTOCOL_INFOW *buf;
  int n, i;
  cleanup_all();
  fresh();
  /* No WSAStartup needed; no file: the built-in catalog. */
  ERRNO_FAILS(WSCEnumProtocols(NULL, NULL, &len, &err), WSAENOBUFS);
  ASSERT_EQ(len, 7 * sizeof(WSAPROTOCOL_INFOW));
  need = len;
  buf = malloc(len);
  len = need - 1; /* one byte short */
  ERRNO_FAILS(WSCEnumProtocols(NULL, buf, &len, &err), WSAENOBUFS);
  ASSERT_EQ(len, need);
  n = WSCEnumProtocols(NULL, buf, &len, &err);
  ASSERT_EQ(n, 7);
  for (i = 0; i < n; i++) {
    ASSERT_EQ(buf[i].dwCatalogEntryId, 1001 + i);
    ASSERT_TRUE(buf[i].dwServiceFlags1 & XP1_IFS_HANDLES);
    ASSERT_EQ(buf[i].ProtocolChain.ChainLen, BASE_PROTOCOL);
  }
  ASSERT_TRUE(wis(buf[0].szProtocol, "MSAFD Tcpip [TCP/IP]"));
  ASSERT_MEM_EQ(&buf[0].ProviderId, &msafd, sizeof(GUID));
  /* Filtered: UDP, and the raw entries whose range covers it. */
  len = need;
  n = WSCEnumProtocols(udp, buf, &len, &err);
  ASSERT_EQ(n, 4);
  ASSERT_EQ(len, 4 * sizeof(WSAPROTOCOL_INFOW));
  /* Argument errors. */
  ERRNO_FAILS(WSCEnumProtocols(NULL, buf, NULL, &err), WSAEFAULT);
  ASSERT_EQ(WSCEnumProtocols(NULL, buf, &len, NULL), SOCKET_ERROR);
  free(buf);
  rm_rf();
}

/* ---- install, path, update, order, deinstall -------------------------- */

TEST(install_path_update_order_deinstall) {
  GUID g1 = guid_n(1), g2 = guid_n(2), g9 = guid_n(9);
  WSAPROTOCOL_INFOW dummy, chain, *all;
  WCHAR path[300];
  static const WCHAR newpath[] = WS2_WIDE("/opt/lsp/v2/liblsp.so");
  DWORD order[16];
  INT err = 0, plen;
  int n, i, k;
  cleanup_all();
  fresh();
  /* A layered entry (the "dummy" of a layer), then a chain over it. */
  dummy = base_like("Test layer");
  dummy.ProtocolChain.ChainLen = LAYERED_PROTOCOL;
  dummy.dwProviderFlags |= PFL_HIDDEN;
  ASSERT_EQ(WSCInstallProvider(&g1, lsp_path, &dummy, 1, &err), 0);
  all = wsc_all(&n);
  ASSERT_EQ(n, 8);
  ASSERT_EQ(all[7].dwCatalogEntryId, 1008);
  ASSERT_MEM_EQ(&all[7].ProviderId, &g1, sizeof(GUID));
  ASSERT_TRUE(wis(all[7].szProtocol, "Test layer"));
  ASSERT_EQ(all[7].ProtocolChain.ChainLen, LAYERED_PROTOCOL);
  free(all);
  chain = base_like("Test layer over [MSAFD Tcpip [TCP/IP]]");
  chain.ProtocolChain.ChainLen = 2;
  chain.ProtocolChain.ChainEntries[0] = 1008;
  chain.ProtocolChain.ChainEntries[1] = 1001;
  ASSERT_EQ(WSCInstallProvider(&g2, lsp_path, &chain, 1, &err), 0);
  /* The same provider again: "already installed", WSANO_RECOVERY. */
  ERRNO_FAILS(WSCInstallProvider(&g1, lsp_path, &dummy, 1, &err),
              WSANO_RECOVERY);
  /* Bad arguments: WSAEINVAL. */
  ERRNO_FAILS(WSCInstallProvider(NULL, lsp_path, &dummy, 1, &err), WSAEINVAL);
  ERRNO_FAILS(WSCInstallProvider(&g9, NULL, &dummy, 1, &err), WSAEINVAL);
  ERRNO_FAILS(WSCInstallProvider(&g9, WS2_WIDE(""), &dummy, 1, &err),
              WSAEINVAL);
  ERRNO_FAILS(WSCInstallProvider(&g9, lsp_path, NULL, 1, &err), WSAEINVAL);
  ERRNO_FAILS(WSCInstallProvider(&g9, lsp_path, &dummy, 0, &err), WSAEINVAL);
  dummy.ProtocolChain.ChainLen = MAX_PROTOCOL_CHAIN + 1;
  ERRNO_FAILS(WSCInstallProvider(&g9, lsp_path, &dummy, 1, &err), WSAEINVAL);
  dummy.ProtocolChain.ChainLen = LAYERED_PROTOCOL;
  for (i = 0; i <= WSAPROTOCOL_LEN; i++) dummy.szProtocol[i] = 'x';
  ERRNO_FAILS(WSCInstallProvider(&g9, lsp_path, &dummy, 1, &err), WSAEINVAL);
  for (i = 0; i < 299; i++) path[i] = 'p';
  path[299] = 0;
  ERRNO_FAILS(WSCInstallProvider(&g9, path, &chain, 1, &err), WSAEINVAL);
  ASSERT_EQ(WSCInstallProvider(&g9, lsp_path, &chain, 1, NULL), SOCKET_ERROR);

  /* WSCGetProviderPath: the two-call pattern (WSAEFAULT, the size). */
  plen = 0;
  ERRNO_FAILS(WSCGetProviderPath(&g1, NULL, &plen, &err), WSAEFAULT);
  ASSERT_EQ(plen, 19); /* "/opt/lsp/liblsp.so" and its NUL */
  plen = 18;
  ERRNO_FAILS(WSCGetProviderPath(&g1, path, &plen, &err), WSAEFAULT);
  ASSERT_EQ(plen, 19);
  ASSERT_EQ(WSCGetProviderPath(&g1, path, &plen, &err), 0);
  ASSERT_EQ(plen, 19);
  ASSERT_MEM_EQ(path, lsp_path, sizeof(lsp_path));
  plen = 300;
  ASSERT_EQ(WSCGetProviderPath((LPGUID)&msafd, path, &plen, &err), 0);
  /* The built-in base provider: libws2 itself, where its WSPStartup is
   * (a layer loads it from there). */
  {
    char u[300];
    int k;
    for (k = 0; k < 299 && path[k]; k++) u[k] = (char)path[k];
    u[k] = '\0';
    ASSERT_TRUE(strstr(u, "libws2") != NULL);
  }
  ERRNO_FAILS(WSCGetProviderPath(&g9, path, &plen, &err), WSAEINVAL);
  ERRNO_FAILS(WSCGetProviderPath(NULL, path, &plen, &err), WSAEINVAL);
  ERRNO_FAILS(WSCGetProviderPath(&g1, path, NULL, &err), WSAEFAULT);

  /* WSCUpdateProvider: the entry named by its id, in place; the path. */
  all = wsc_all(&n);
  ASSERT_EQ(n, 9);
  k = find_guid(all, n, &g2);
  ASSERT_EQ(k, 8);
  chain = all[k];
  free(all);
  ASSERT_EQ(chain.dwCatalogEntryId, 1009);
  wset(chain.szProtocol, WSAPROTOCOL_LEN + 1, "Renamed chain");
  chain.ProtocolChain.ChainLen = 3;
  chain.ProtocolChain.ChainEntries[2] = 1001;
  chain.ProtocolChain.ChainEntries[1] = 1008;
  ASSERT_EQ(WSCUpdateProvider(&g2, newpath, &chain, 1, &err), 0);
  all = wsc_all(&n);
  ASSERT_EQ(n, 9);
  ASSERT_EQ(all[8].dwCatalogEntryId, 1009);
  ASSERT_TRUE(wis(all[8].szProtocol, "Renamed chain"));
  ASSERT_EQ(all[8].ProtocolChain.ChainLen, 3);
  free(all);
  plen = 300;
  ASSERT_EQ(WSCGetProviderPath(&g2, path, &plen, &err), 0);
  ASSERT_MEM_EQ(path, newpath, sizeof(newpath));
  /* An id of another provider, or an unknown provider: WSAEINVAL. */
  chain.dwCatalogEntryId = 1001;
  ERRNO_FAILS(WSCUpdateProvider(&g2, newpath, &chain, 1, &err), WSAEINVAL);
  chain.dwCatalogEntryId = 1009;
  ERRNO_FAILS(WSCUpdateProvider(&g9, newpath, &chain, 1, &err), WSAEINVAL);
  ERRNO_FAILS(WSCUpdateProvider(&g2, newpath, NULL, 1, &err), WSAEINVAL);

  /* WSCWriteProviderOrder: a permutation of every id, each once. */
  all = wsc_all(&n);
  for (i = 0; i < n; i++) order[i] = all[n - 1 - i].dwCatalogEntryId;
  free(all);
  ASSERT_EQ(WSCWriteProviderOrder(order, (DWORD)n), 0);
  all = wsc_all(&n);
  for (i = 0; i < n; i++) ASSERT_EQ(all[i].dwCatalogEntryId, order[i]);
  free(all);
  ASSERT_EQ(WSCWriteProviderOrder(order, (DWORD)n - 1), WSAEINVAL);
  ASSERT_EQ(WSCWriteProviderOrder(NULL, (DWORD)n), WSAEINVAL);
  order[1] = order[0];
  ASSERT_EQ(WSCWriteProviderOrder(order, (DWORD)n), WSAEINVAL);
  order[1] = 77;
  ASSERT_EQ(WSCWriteProviderOrder(order, (DWORD)n), WSAEINVAL);
  all = wsc_all(&n); /* unchanged by the failures */
  ASSERT_EQ(all[0].dwCatalogEntryId, 1009);
  ASSERT_EQ(all[8].dwCatalogEntryId, 1001);
  free(all);

  /* WSCDeinstallProvider: every entry of the provider goes. */
  ASSERT_EQ(WSCDeinstallProvider(&g1, &err), 0);
  ERRNO_FAILS(WSCDeinstallProvider(&g1, &err), WSAEINVAL);
  ERRNO_FAILS(WSCDeinstallProvider(NULL, &err), WSAEINVAL);
  ASSERT_EQ(WSCDeinstallProvider(&g1, NULL), SOCKET_ERROR);
  all = wsc_all(&n);
  ASSERT_EQ(n, 8);
  ASSERT_LT(find_guid(all, n, &g1), 0);
  free(all);
  rm_rf();
}

/* WSAEnumProtocols: from the snapshot of the first WSAStartup; base
 * entries and chains, not layered (ChainLen 0) or hidden ones. */
TEST(wsaenumprotocols_lists_chains_not_layers) {
  GUID g1 = guid_n(1), g2 = guid_n(2), g3 = guid_n(3);
  WSAPROTOCOL_INFOW w, *buf;
  WSAPROTOCOL_INFOA *abuf;
  DWORD len = 0;
  INT err;
  int n, i, seen_chain = 0;
  cleanup_all();
  fresh();
  w = base_like("Layer");
  w.ProtocolChain.ChainLen = LAYERED_PROTOCOL;
  ASSERT_EQ(WSCInstallProvider(&g1, lsp_path, &w, 1, &err), 0);
  w = base_like("Layer over [MSAFD Tcpip [TCP/IP]]");
  w.ProtocolChain.ChainLen = 2;
  w.ProtocolChain.ChainEntries[0] = 1008;
  w.ProtocolChain.ChainEntries[1] = 1001;
  ASSERT_EQ(WSCInstallProvider(&g2, lsp_path, &w, 1, &err), 0);
  w = base_like("Hidden base");
  w.dwProviderFlags |= PFL_HIDDEN;
  ASSERT_EQ(WSCInstallProvider(&g3, lsp_path, &w, 1, &err), 0);
  startup();
  ASSERT_EQ(WSAEnumProtocolsW(NULL, NULL, &len), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAENOBUFS);
  ASSERT_EQ(len, 8 * sizeof(WSAPROTOCOL_INFOW));
  buf = malloc(len);
  n = WSAEnumProtocolsW(NULL, buf, &len);
  ASSERT_EQ(n, 8);
  for (i = 0; i < n; i++) {
    ASSERT_NE(buf[i].ProtocolChain.ChainLen, LAYERED_PROTOCOL);
    ASSERT_FALSE(buf[i].dwProviderFlags & PFL_HIDDEN);
    if (buf[i].ProtocolChain.ChainLen == 2) seen_chain = 1;
  }
  ASSERT_TRUE(seen_chain);
  free(buf);
  len = 0;
  ASSERT_EQ(WSAEnumProtocolsA(NULL, NULL, &len), SOCKET_ERROR);
  ASSERT_EQ(len, 8 * sizeof(WSAPROTOCOL_INFOA));
  abuf = malloc(len);
  ASSERT_EQ(WSAEnumProtocolsA(NULL, abuf, &len), 8);
  free(abuf);
  /* A change now is not seen until the next first WSAStartup. */
  ASSERT_EQ(WSCDeinstallProvider(&g2, &err), 0);
  len = 0;
  WSAEnumProtocolsW(NULL, NULL, &len);
  ASSERT_EQ(len, 8 * sizeof(WSAPROTOCOL_INFOW));
  startup(); /* not the first: still the same snapshot */
  len = 0;
  WSAEnumProtocolsW(NULL, NULL, &len);
  ASSERT_EQ(len, 8 * sizeof(WSAPROTOCOL_INFOW));
  cleanup_all();
  startup();
  len = 0;
  WSAEnumProtocolsW(NULL, NULL, &len);
  ASSERT_EQ(len, 7 * sizeof(WSAPROTOCOL_INFOW));
  cleanup_all();
  rm_rf();
}

/* ---- WSCInstallProviderAndChains ---------------------------------------- */

TEST(install_provider_and_chains) {
  GUID g1 = guid_n(1), g2 = guid_n(2), g3 = guid_n(3);
  WCHAR name[WSAPROTOCOL_LEN + 2];
  WSAPROTOCOL_INFOW *all, want;
  DWORD dummy = 0, dummy2 = 0;
  INT err = 0;
  int n, i;
  cleanup_all();
  fresh();
  /* Over every unique base protocol (the list NULL), IFS. */
  wset(name, WSAPROTOCOL_LEN + 2, "Test LSP");
  ASSERT_EQ(WSCInstallProviderAndChains(&g1, (LPWSTR)lsp_path, name,
                                        XP1_IFS_HANDLES, NULL, 0, &dummy, &err),
            0);
  ASSERT_EQ(dummy, 1008);
  all = wsc_all(&n);
  ASSERT_EQ(n, 15);
  /* The chains first, in the base entries' order; the dummy last. */
  for (i = 0; i < 7; i++) {
    ASSERT_EQ(all[i].dwCatalogEntryId, 1009 + i);
    ASSERT_EQ(all[i].ProtocolChain.ChainLen, 2);
    ASSERT_EQ(all[i].ProtocolChain.ChainEntries[0], 1008);
    ASSERT_EQ(all[i].ProtocolChain.ChainEntries[1], 1001 + i);
    ASSERT_MEM_EQ(&all[i].ProviderId, &g1, sizeof(GUID));
    ASSERT_TRUE(all[i].dwServiceFlags1 & XP1_IFS_HANDLES);
    ASSERT_EQ(all[i].iAddressFamily, all[7 + i].iAddressFamily);
    ASSERT_EQ(all[i].iSocketType, all[7 + i].iSocketType);
    ASSERT_EQ(all[i].iProtocol, all[7 + i].iProtocol);
    ASSERT_EQ(all[7 + i].dwCatalogEntryId, 1001 + i);
  }
  {
    /* "<layer> over [<lower entry>]", the rest of the name zeroed. */
    WCHAR want_name[WSAPROTOCOL_LEN + 1];
    memset(want_name, 0, sizeof(want_name));
    wset(want_name, WSAPROTOCOL_LEN + 1,
         "Test LSP over [MSAFD Tcpip [TCP/IP]]");
    ASSERT_MEM_EQ(all[0].szProtocol, want_name, sizeof(want_name));
  }
  ASSERT_EQ(all[14].dwCatalogEntryId, 1008);
  ASSERT_EQ(all[14].ProtocolChain.ChainLen, LAYERED_PROTOCOL);
  ASSERT_TRUE(all[14].dwProviderFlags & PFL_HIDDEN);
  ASSERT_FALSE(all[14].dwProviderFlags & PFL_MATCHES_PROTOCOL_ZERO);
  ASSERT_TRUE(all[14].dwServiceFlags1 & XP1_IFS_HANDLES);
  ASSERT_EQ(all[14].iSocketType, 0);
  ASSERT_EQ(all[14].iProtocol, 0);
  ASSERT_TRUE(wis(all[14].szProtocol, "Test LSP"));
  want = all[7]; /* TCP/IP: layered over, below, by the next layer */
  free(all);

  /* The same provider, or the same layer name: WSAEINVAL. */
  ERRNO_FAILS(WSCInstallProviderAndChains(&g1, (LPWSTR)lsp_path, name, 0, NULL,
                                          0, NULL, &err),
              WSAEINVAL);
  ERRNO_FAILS(WSCInstallProviderAndChains(&g2, (LPWSTR)lsp_path, name, 0, NULL,
                                          0, NULL, &err),
              WSAEINVAL);

  /* A second, non-IFS layer over TCP/IP only: the top-most match is the
   * first layer's chain, so the new chain is three long. */
  wset(name, WSAPROTOCOL_LEN + 2, "Second LSP");
  ASSERT_EQ(
      WSCInstallProviderAndChains64_32(&g2, (LPWSTR)lsp_path, (LPWSTR)lsp_path,
                                       name, 0, &want, 1, &dummy2, &err),
      0);
  ASSERT_EQ(dummy2, 1016);
  all = wsc_all(&n);
  ASSERT_EQ(n, 17);
  ASSERT_EQ(all[0].dwCatalogEntryId, 1017);
  ASSERT_EQ(all[0].ProtocolChain.ChainLen, 3);
  ASSERT_EQ(all[0].ProtocolChain.ChainEntries[0], 1016);
  ASSERT_EQ(all[0].ProtocolChain.ChainEntries[1], 1008);
  ASSERT_EQ(all[0].ProtocolChain.ChainEntries[2], 1001);
  ASSERT_FALSE(all[0].dwServiceFlags1 & XP1_IFS_HANDLES);
  ASSERT_FALSE(all[16].dwServiceFlags1 & XP1_IFS_HANDLES); /* its dummy */
  free(all);

  /* No entry for the triple; an empty list; bad names and paths. */
  want.iProtocol = 99;
  want.iSocketType = SOCK_STREAM;
  wset(name, WSAPROTOCOL_LEN + 2, "Third LSP");
  ERRNO_FAILS(WSCInstallProviderAndChains(&g3, (LPWSTR)lsp_path, name, 0, &want,
                                          1, NULL, &err),
              WSAEINVAL);
  ERRNO_FAILS(WSCInstallProviderAndChains(&g3, (LPWSTR)lsp_path, name, 0, &want,
                                          0, NULL, &err),
              WSAEINVAL);
  ERRNO_FAILS(WSCInstallProviderAndChains(NULL, (LPWSTR)lsp_path, name, 0, NULL,
                                          0, NULL, &err),
              WSAEINVAL);
  ERRNO_FAILS(
      WSCInstallProviderAndChains(&g3, NULL, name, 0, NULL, 0, NULL, &err),
      WSAEINVAL);
  ERRNO_FAILS(WSCInstallProviderAndChains(&g3, (LPWSTR)lsp_path, NULL, 0, NULL,
                                          0, NULL, &err),
              WSAEINVAL);
  for (i = 0; i <= WSAPROTOCOL_LEN; i++) name[i] = 'n';
  name[WSAPROTOCOL_LEN + 1] = 0;
  ERRNO_FAILS(WSCInstallProviderAndChains(&g3, (LPWSTR)lsp_path, name, 0, NULL,
                                          0, NULL, &err),
              WSAEINVAL);
  name[0] = 0;
  ERRNO_FAILS(WSCInstallProviderAndChains(&g3, (LPWSTR)lsp_path, name, 0, NULL,
                                          0, NULL, &err),
              WSAEINVAL);

  /* Removing a layer removes its dummy and its chains. */
  ASSERT_EQ(WSCDeinstallProvider(&g2, &err), 0);
  ASSERT_EQ(WSCDeinstallProvider(&g1, &err), 0);
  all = wsc_all(&n);
  ASSERT_EQ(n, 7);
  free(all);
  rm_rf();
}

TEST(chains_stop_at_max_protocol_chain) {
  WSAPROTOCOL_INFOW *all, tcp;
  WCHAR name[32];
  INT err = 0;
  int n, layer;
  cleanup_all();
  fresh();
  all = wsc_all(&n);
  tcp = all[0];
  free(all);
  /* Chains of 2, 3, ... 7 entries over TCP/IP; then no more room. */
  for (layer = 1; layer <= MAX_PROTOCOL_CHAIN - 1; layer++) {
    GUID g = guid_n((unsigned)layer);
    char text[32];
    snprintf(text, sizeof(text), "Layer %d", layer);
    wset(name, 32, text);
    ASSERT_EQ(WSCInstallProviderAndChains(&g, (LPWSTR)lsp_path, name, 0, &tcp,
                                          1, NULL, &err),
              0);
    all = wsc_all(&n);
    ASSERT_EQ(all[0].ProtocolChain.ChainLen, layer + 1);
    free(all);
  }
  {
    GUID g = guid_n(99);
    wset(name, 32, "One too many");
    ERRNO_FAILS(WSCInstallProviderAndChains(&g, (LPWSTR)lsp_path, name, 0, &tcp,
                                            1, NULL, &err),
                WSANO_RECOVERY);
  }
  rm_rf();
}

/* ---- provider information and application categories ----------------- */

TEST(provider_info_lsp_categories) {
  GUID g9 = guid_n(9);
  DWORD cats = 0xFFFF, set = LSP_SYSTEM | LSP_INSPECTOR;
  size_t size;
  INT err = 0;
  cleanup_all();
  fresh();
  size = sizeof(cats);
  ASSERT_EQ(WSCGetProviderInfo((LPGUID)&msafd, ProviderInfoLspCategories,
                               (PBYTE)&cats, &size, 0, &err),
            0);
  ASSERT_EQ(cats, 0); /* none set: "All Other" */
  ASSERT_EQ(size, sizeof(DWORD));
  ASSERT_EQ(WSCSetProviderInfo((LPGUID)&msafd, ProviderInfoLspCategories,
                               (PBYTE)&set, sizeof(set), 0, &err),
            0);
  /* The size first (Info NULL, or too small): WSAEFAULT and *InfoSize. */
  size = 0;
  ERRNO_FAILS(WSCGetProviderInfo((LPGUID)&msafd, ProviderInfoLspCategories,
                                 NULL, &size, 0, &err),
              WSAEFAULT);
  ASSERT_EQ(size, sizeof(DWORD));
  size = 2;
  ERRNO_FAILS(WSCGetProviderInfo((LPGUID)&msafd, ProviderInfoLspCategories,
                                 (PBYTE)&cats, &size, 0, &err),
              WSAEFAULT);
  ASSERT_EQ(size, sizeof(DWORD));
  ASSERT_EQ(WSCGetProviderInfo((LPGUID)&msafd, ProviderInfoLspCategories,
                               (PBYTE)&cats, &size, 0, &err),
            0);
  ASSERT_EQ_U(cats, LSP_SYSTEM | LSP_INSPECTOR);
  /* ProviderInfoAudit: ERROR_CALL_NOT_IMPLEMENTED, as documented. */
  ERRNO_FAILS(WSCSetProviderInfo((LPGUID)&msafd, ProviderInfoAudit, (PBYTE)&set,
                                 sizeof(set), 0, &err),
              ERROR_CALL_NOT_IMPLEMENTED);
  ERRNO_FAILS(WSCGetProviderInfo((LPGUID)&msafd, ProviderInfoAudit,
                                 (PBYTE)&cats, &size, 0, &err),
              ERROR_CALL_NOT_IMPLEMENTED);
  /* No such provider: WSAEINVALIDPROVIDER. */
  ERRNO_FAILS(WSCGetProviderInfo(&g9, ProviderInfoLspCategories, (PBYTE)&cats,
                                 &size, 0, &err),
              WSAEINVALIDPROVIDER);
  ERRNO_FAILS(WSCSetProviderInfo(&g9, ProviderInfoLspCategories, (PBYTE)&set,
                                 sizeof(set), 0, &err),
              WSAEINVALIDPROVIDER);
  /* Other bad arguments. */
  ERRNO_FAILS(WSCSetProviderInfo((LPGUID)&msafd, ProviderInfoLspCategories,
                                 (PBYTE)&set, 2, 0, &err),
              WSAEINVAL);
  ERRNO_FAILS(WSCSetProviderInfo((LPGUID)&msafd, ProviderInfoLspCategories,
                                 NULL, 4, 0, &err),
              WSAEFAULT);
  ERRNO_FAILS(WSCSetProviderInfo((LPGUID)&msafd, (WSC_PROVIDER_INFO_TYPE)7,
                                 (PBYTE)&set, 4, 0, &err),
              WSAEINVAL);
  ERRNO_FAILS(WSCGetProviderInfo((LPGUID)&msafd, ProviderInfoLspCategories,
                                 (PBYTE)&cats, NULL, 0, &err),
              WSAEFAULT);
  ERRNO_FAILS(WSCGetProviderInfo(NULL, ProviderInfoLspCategories, (PBYTE)&cats,
                                 &size, 0, &err),
              WSAEINVAL);
  rm_rf();
}

TEST(application_categories) {
  static const WCHAR app[] = WS2_WIDE("/usr/sbin/server");
  static const WCHAR extra[] = WS2_WIDE("-k netsvcs");
  DWORD prev = 0xFFFF, perm = 0;
  INT err = 0;
  cleanup_all();
  fresh();
  /* Not categorised: WSASERVICE_NOT_FOUND. */
  ERRNO_FAILS(WSCGetApplicationCategory(app, 16, NULL, 0, &perm, &err),
              WSASERVICE_NOT_FOUND);
  ASSERT_EQ(
      WSCSetApplicationCategory(app, 16, NULL, 0, LSP_SYSTEM, &prev, &err), 0);
  ASSERT_EQ(prev, 0);
  /* Again: the categories are ORed together; the previous ones out. */
  ASSERT_EQ(WSCSetApplicationCategory(app, 16, NULL, 0, LSP_PROXY, &prev, &err),
            0);
  ASSERT_EQ_U(prev, LSP_SYSTEM);
  ASSERT_EQ(WSCGetApplicationCategory(app, 16, NULL, 0, &perm, &err), 0);
  ASSERT_EQ_U(perm, LSP_SYSTEM | LSP_PROXY);
  /* Path and Extra together name an instance; lengths are in characters
   * without the NUL (a shorter length names a shorter path). */
  ERRNO_FAILS(WSCGetApplicationCategory(app, 16, extra, 10, &perm, &err),
              WSASERVICE_NOT_FOUND);
  ASSERT_EQ(
      WSCSetApplicationCategory(app, 16, extra, 10, LSP_FIREWALL, NULL, &err),
      0);
  ASSERT_EQ(WSCGetApplicationCategory(app, 16, extra, 10, &perm, &err), 0);
  ASSERT_EQ_U(perm, LSP_FIREWALL);
  ERRNO_FAILS(WSCGetApplicationCategory(app, 15, NULL, 0, &perm, &err),
              WSASERVICE_NOT_FOUND);
  /* Bad arguments. */
  ERRNO_FAILS(WSCSetApplicationCategory(NULL, 16, NULL, 0, 1, NULL, &err),
              WSAEINVAL);
  ERRNO_FAILS(WSCSetApplicationCategory(app, 0, NULL, 0, 1, NULL, &err),
              WSAEINVAL);
  ERRNO_FAILS(WSCSetApplicationCategory(app, 16, NULL, 3, 1, NULL, &err),
              WSAEINVAL);
  ERRNO_FAILS(WSCSetApplicationCategory(app, 17, NULL, 0, 1, NULL, &err),
              WSAEINVAL); /* the NUL inside the length */
  ERRNO_FAILS(WSCGetApplicationCategory(app, 16, NULL, 0, NULL, &err),
              WSAEFAULT);
  rm_rf();
}

/* ---- concurrent installers in several processes ------------------------ */

TEST(concurrent_installers_lose_nothing) {
  enum { CHILDREN = 8 };
  pid_t pids[CHILDREN];
  WSAPROTOCOL_INFOW *all;
  int i, n, status;
  cleanup_all();
  fresh();
  base_like("the template, taken before the children exist");
  for (i = 0; i < CHILDREN; i++) {
    pids[i] = fork();
    ASSERT_GE(pids[i], 0);
    if (pids[i] == 0) _exit(install(100 + (unsigned)i, "child") == 0 ? 0 : 3);
  }
  for (i = 0; i < CHILDREN; i++) {
    ASSERT_EQ(waitpid(pids[i], &status, 0), pids[i]);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  all = wsc_all(&n);
  ASSERT_EQ(n, 7 + CHILDREN);
  for (i = 0; i < CHILDREN; i++) {
    GUID g = guid_n(100 + (unsigned)i);
    int k = find_guid(all, n, &g), j;
    ASSERT_GE(k, 7);
    for (j = 0; j < n; j++)
      if (j != k) ASSERT_NE(all[j].dwCatalogEntryId, all[k].dwCatalogEntryId);
  }
  free(all);
  rm_rf();
}

/* ---- a damaged catalog ----------------------------------------------------
 */

TEST(corrupt_catalog_gives_default_and_refuses_writes) {
  static const char junk[] = "ws2-catalog 1\nserial 3\nnext-id 1001\ncrc32 0\n";
  WSAPROTOCOL_INFOW *all;
  DWORD len = 0;
  INT err = 0;
  FILE *f;
  int n;
  struct stat before, after;
  cleanup_all();
  fresh();
  f = fopen(file, "w");
  ASSERT_NE_PTR(f, NULL);
  fputs(junk, f);
  fclose(f);
  /* Readers get the built-in catalog (and the log says what happened). */
  all = wsc_all(&n);
  ASSERT_EQ(n, 7);
  free(all);
  startup();
  ASSERT_EQ(WSAEnumProtocolsW(NULL, NULL, &len), SOCKET_ERROR);
  ASSERT_EQ(len, 7 * sizeof(WSAPROTOCOL_INFOW));
  cleanup_all();
  /* Writers do not build on it: WSANO_RECOVERY, the file untouched. */
  ASSERT_EQ(stat(file, &before), 0);
  ASSERT_EQ(install(1, "x"), WSANO_RECOVERY);
  ASSERT_EQ(WSCWriteProviderOrder((LPDWORD)&len, 1), WSANO_RECOVERY);
  ASSERT_EQ(stat(file, &after), 0);
  ASSERT_EQ(before.st_ino, after.st_ino);
  ASSERT_EQ(before.st_size, after.st_size);
  (void)err;
  rm_rf();
}

/* ---- WSAProviderConfigChange ----------------------------------------------
 */

/* Installs provider n from a child process. */
static void install_elsewhere(unsigned n) {
  pid_t pid;
  int status;
  base_like("the template, taken before the child exists");
  pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(install(n, "from another process") == 0 ? 0 : 3);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static volatile LONG routine_calls;
static DWORD routine_error = 12345;

static void CALLBACK on_change(DWORD error, DWORD bytes, LPWSAOVERLAPPED ov,
                               DWORD flags) {
  routine_error = error;
  InterlockedIncrement(&routine_calls);
}

TEST(provider_config_change_errors) {
  HANDLE h = NULL, ev;
  cleanup_all();
  fresh();
  ASSERT_FAILS_WITH(WSAProviderConfigChange(&h, NULL, NULL), SOCKET_ERROR,
                    WSANOTINITIALISED);
  startup();
  ASSERT_FAILS_WITH(WSAProviderConfigChange(NULL, NULL, NULL), SOCKET_ERROR,
                    WSAEFAULT);
  ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  h = ev; /* not a notification handle */
  ASSERT_FAILS_WITH(WSAProviderConfigChange(&h, NULL, NULL), SOCKET_ERROR,
                    WSA_INVALID_HANDLE);
  h = (HANDLE)(uintptr_t)0x7ffffff0;
  ASSERT_FAILS_WITH(WSAProviderConfigChange(&h, NULL, NULL), SOCKET_ERROR,
                    WSA_INVALID_HANDLE);
  CloseHandle(ev);
  cleanup_all();
  rm_rf();
}

TEST(provider_config_change_fires_on_another_process_install) {
  HANDLE h = NULL, port;
  WSAOVERLAPPED ov;
  WSAPROTOCOL_INFOW *buf;
  DWORD bytes = 7, len = 0, before;
  ULONG_PTR key = 0;
  LPOVERLAPPED got = NULL;
  cleanup_all();
  fresh();
  startup();
  /* The first call makes the handle, at once. */
  ASSERT_EQ(WSAProviderConfigChange(&h, NULL, NULL), 0);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(WSAEnumProtocolsW(NULL, NULL, &before), SOCKET_ERROR);

  /* Overlapped with an event: pending until the catalog changes. */
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  ASSERT_FAILS_WITH(WSAProviderConfigChange(&h, &ov, NULL), SOCKET_ERROR,
                    WSA_IO_PENDING);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 200), WAIT_TIMEOUT);
  /* A file next to the catalog is not a change to it. */
  {
    char other[400];
    FILE *f;
    snprintf(other, sizeof(other), "%s/unrelated", dir);
    f = fopen(other, "w");
    fputs("x\n", f);
    fclose(f);
  }
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 200), WAIT_TIMEOUT);
  install_elsewhere(1);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
  ASSERT_TRUE(GetOverlappedResult(h, &ov, &bytes, FALSE));
  ASSERT_EQ(bytes, 0);
  /* Told of the change, the process lists the new entry (the documented
   * sequence: WSAProviderConfigChange, then WSAEnumProtocols again). */
  ASSERT_EQ(WSAEnumProtocolsW(NULL, NULL, &len), SOCKET_ERROR);
  ASSERT_EQ(len, before + sizeof(WSAPROTOCOL_INFOW));
  buf = malloc(len);
  ASSERT_EQ(WSAEnumProtocolsW(NULL, buf, &len), 8);
  free(buf);

  /* Through a completion port. */
  port = CreateIoCompletionPort(h, NULL, 77, 0);
  ASSERT_NE_PTR(port, NULL);
  memset(&ov, 0, sizeof(ov));
  ASSERT_FAILS_WITH(WSAProviderConfigChange(&h, &ov, NULL), SOCKET_ERROR,
                    WSA_IO_PENDING);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 200));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
  install_elsewhere(2);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 10000));
  ASSERT_EQ(key, 77);
  ASSERT_EQ_PTR(got, &ov);

  /* With a completion routine, in an alertable wait. */
  memset(&ov, 0, sizeof(ov));
  routine_calls = 0;
  ASSERT_FAILS_WITH(WSAProviderConfigChange(&h, &ov, on_change), SOCKET_ERROR,
                    WSA_IO_PENDING);
  install_elsewhere(3);
  ASSERT_EQ(SleepEx(10000, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(routine_calls, 1);
  ASSERT_EQ(routine_error, 0);

  /* Cancelled, and closed with a request pending. */
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  ASSERT_FAILS_WITH(WSAProviderConfigChange(&h, &ov, NULL), SOCKET_ERROR,
                    WSA_IO_PENDING);
  ASSERT_TRUE(CancelIoEx(h, &ov));
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
  ASSERT_FALSE(GetOverlappedResult(h, &ov, &bytes, FALSE));
  ASSERT_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
  WSAResetEvent(ov.hEvent);
  ASSERT_FAILS_WITH(WSAProviderConfigChange(&h, &ov, NULL), SOCKET_ERROR,
                    WSA_IO_PENDING);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
  ASSERT_EQ(ov.Internal, 0xC0000120); /* STATUS_CANCELLED */
  WSACloseEvent(ov.hEvent);
  ASSERT_TRUE(CloseHandle(port));
  cleanup_all();
  rm_rf();
}

static DWORD WINAPI blocking_wait(LPVOID arg) {
  HANDLE h = (HANDLE)arg;
  return WSAProviderConfigChange(&h, NULL, NULL) == 0 ? 0 : 1;
}

TEST(provider_config_change_blocking_and_missing_directory) {
  HANDLE h = NULL, t;
  WSAOVERLAPPED ov;
  DWORD code = 9, prev;
  INT err;
  static const WCHAR app[] = WS2_WIDE("/bin/app");
  cleanup_all();
  /* The catalog's directory does not exist yet: the first writer makes
   * it, and that is a change too. */
  fresh_at("/not/yet");
  startup();
  ASSERT_EQ(WSAProviderConfigChange(&h, NULL, NULL), 0);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  ASSERT_FAILS_WITH(WSAProviderConfigChange(&h, &ov, NULL), SOCKET_ERROR,
                    WSA_IO_PENDING);
  {
    char sub[400];
    snprintf(sub, sizeof(sub), "%s/not", dir);
    ASSERT_EQ(mkdir(sub, 0755), 0);
  }
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 200), WAIT_TIMEOUT);
  install_elsewhere(1);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
  WSACloseEvent(ov.hEvent);

  /* Blocking: returns once the catalog changes (here, from this process:
   * any writer counts). */
  t = CreateThread(NULL, 0, blocking_wait, h, 0, NULL);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_EQ(WaitForSingleObject(t, 300), WAIT_TIMEOUT);
  ASSERT_EQ(WSCSetApplicationCategory(app, 8, NULL, 0, LSP_SYSTEM, &prev, &err),
            0);
  ASSERT_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ(code, 0);
  CloseHandle(t);

  /* Blocking, ended by closing the handle: WSA_OPERATION_ABORTED. */
  {
    HANDLE h2 = NULL;
    ASSERT_EQ(WSAProviderConfigChange(&h2, NULL, NULL), 0);
    t = CreateThread(NULL, 0, blocking_wait, h2, 0, NULL);
    ASSERT_EQ(WaitForSingleObject(t, 200), WAIT_TIMEOUT);
    ASSERT_TRUE(CloseHandle(h2));
    ASSERT_EQ(WaitForSingleObject(t, 10000), WAIT_OBJECT_0);
    ASSERT_TRUE(GetExitCodeThread(t, &code));
    ASSERT_EQ(code, 1);
    CloseHandle(t);
  }
  ASSERT_TRUE(CloseHandle(h));
  cleanup_all();
  rm_rf();
}
