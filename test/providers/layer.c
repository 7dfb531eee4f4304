/*
 * layer.c: the test suite's layered providers (one source, several shared
 * objects; test/CMakeLists.txt builds each variant).
 *
 * The default variant is an IFS pass-through layer, as the SPI documents
 * one: WSPStartup finds the layer's own place in the chain it is started
 * for, loads the provider below it itself (WSCEnumProtocols,
 * WSCGetProviderPath, dlopen, WSPStartup), and hands ws2 the lower
 * provider's table with only the entries it needs replaced: WSPSocket and
 * WSPAccept (each new socket passed up with WPUModifyIFSHandle under the
 * chain's catalog id, so ws2 dispatches its calls here), WSPConnect and
 * WSPCloseSocket (counted), WSPCleanup (balanced with the lower
 * provider's), and WSPIoctl for one extension function: the layer hands
 * out its own ConnectEx (counted; it calls the lower provider's), so the
 * tests can tell whose ConnectEx a call reached. Everything else, and every
 * overlapped request, goes straight to the lower provider, as
 * WPUModifyIFSHandle's reference says an IFS layer may.
 *
 * Variants (compile definitions):
 *   LAYER_FAIL_STARTUP  WSPStartup fails with WSAEPROVIDERFAILEDINIT.
 *
 * The tests read the layer's counters through ws2_test_layer_stats, found
 * with dlopen(RTLD_NOLOAD) on the same path ws2 loaded it from.
 */
#define _GNU_SOURCE /* dladdr */
#include <winsock2.h>
#include <mswsock.h>
#include <ws2spi.h>

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef struct layer_stats {
  int startups, cleanups; /* WSPStartup / WSPCleanup calls */
  int sockets, accepted, connects, closes;
  int next_is_base; /* the provider below is a base provider */
  int connectex;    /* calls of the layer's own ConnectEx */
} layer_stats_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static layer_stats_t stats;
static int starts; /* WSPStartup calls not yet balanced */
static WSPUPCALLTABLE up;
static WSPPROC_TABLE next;
static void *next_dl;
static WSAPROTOCOL_INFOW *catalog; /* as WSCEnumProtocols gave it */
static int ncatalog;
static DWORD my_dummy_id;

/* Which chain each socket of the layer is of (for WPUModifyIFSHandle on
 * the sockets accepted from it). */
#define MAX_SOCKETS 4096
static struct {
  SOCKET s;
  DWORD chain_id;
} sockets[MAX_SOCKETS];

EXPORT void ws2_test_layer_stats(layer_stats_t *out) {
  pthread_mutex_lock(&lock);
  *out = stats;
  pthread_mutex_unlock(&lock);
}

static void remember(SOCKET s, DWORD chain_id) {
  int i;
  pthread_mutex_lock(&lock);
  for (i = 0; i < MAX_SOCKETS; i++)
    if (sockets[i].s == 0) {
      sockets[i].s = s;
      sockets[i].chain_id = chain_id;
      break;
    }
  pthread_mutex_unlock(&lock);
}

static DWORD chain_of(SOCKET s, int forget) {
  DWORD id = 0;
  int i;
  pthread_mutex_lock(&lock);
  for (i = 0; i < MAX_SOCKETS; i++)
    if (sockets[i].s == s) {
      id = sockets[i].chain_id;
      if (forget) sockets[i].s = 0;
      break;
    }
  pthread_mutex_unlock(&lock);
  return id;
}

static void count(int *counter) {
  pthread_mutex_lock(&lock);
  (*counter)++;
  pthread_mutex_unlock(&lock);
}

static const WSAPROTOCOL_INFOW *entry(DWORD id) {
  int i;
  for (i = 0; i < ncatalog; i++)
    if (catalog[i].dwCatalogEntryId == id) return &catalog[i];
  return NULL;
}

/* The entry below this layer in chain `top`, or NULL. */
static const WSAPROTOCOL_INFOW *below(const WSAPROTOCOL_INFOW *top) {
  int i;
  for (i = 0; i + 1 < top->ProtocolChain.ChainLen; i++)
    if (top->ProtocolChain.ChainEntries[i] == my_dummy_id)
      return entry(top->ProtocolChain.ChainEntries[i + 1]);
  return NULL;
}

/* What WSPSocket of the lower provider is given: its own entry when it is
 * a base provider, else the chain (so that it finds its place too). */
static LPWSAPROTOCOL_INFOW for_lower(const WSAPROTOCOL_INFOW *top) {
  const WSAPROTOCOL_INFOW *low = below(top);
  if (low && low->ProtocolChain.ChainLen == BASE_PROTOCOL)
    return (LPWSAPROTOCOL_INFOW)low;
  return (LPWSAPROTOCOL_INFOW)top;
}

static SOCKET WSPAPI l_socket(int af, int type, int protocol,
                              LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags,
                              LPINT err) {
  SOCKET s, up_s;
  if (!info) {
    *err = WSAEINVAL;
    return INVALID_SOCKET;
  }
  s = next.lpWSPSocket(af, type, protocol, for_lower(info), g, flags, err);
  if (s == INVALID_SOCKET) return s;
  up_s = up.lpWPUModifyIFSHandle(info->dwCatalogEntryId, s, err);
  if (up_s == INVALID_SOCKET) {
    int e;
    next.lpWSPCloseSocket(s, &e);
    return INVALID_SOCKET;
  }
  remember(up_s, info->dwCatalogEntryId);
  count(&stats.sockets);
  return up_s;
}

static SOCKET WSPAPI l_accept(SOCKET s, struct sockaddr *addr, LPINT len,
                              LPCONDITIONPROC cond, DWORD_PTR data, LPINT err) {
  DWORD chain = chain_of(s, 0);
  SOCKET a = next.lpWSPAccept(s, addr, len, cond, data, err), up_a;
  if (a == INVALID_SOCKET) return a;
  up_a = up.lpWPUModifyIFSHandle(chain, a, err);
  if (up_a == INVALID_SOCKET) {
    int e;
    next.lpWSPCloseSocket(a, &e);
    return INVALID_SOCKET;
  }
  remember(up_a, chain);
  count(&stats.accepted);
  return up_a;
}

static int WSPAPI l_connect(SOCKET s, const struct sockaddr *name, int namelen,
                            LPWSABUF caller, LPWSABUF callee, LPQOS sqos,
                            LPQOS gqos, LPINT err) {
  count(&stats.connects);
  return next.lpWSPConnect(s, name, namelen, caller, callee, sqos, gqos, err);
}

static int WSPAPI l_closesocket(SOCKET s, LPINT err) {
  chain_of(s, 1);
  count(&stats.closes);
  return next.lpWSPCloseSocket(s, err);
}

/* The lower provider's ConnectEx (asked for once, under lock). */
static LPFN_CONNECTEX lower_connectex;

static BOOL PASCAL l_connectex(SOCKET s, const struct sockaddr *name,
                               int namelen, PVOID buf, DWORD len, LPDWORD sent,
                               LPOVERLAPPED ovl) {
  count(&stats.connectex);
  return lower_connectex(s, name, namelen, buf, len, sent, ovl);
}

static int WSPAPI l_ioctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                          LPVOID out, DWORD outlen, LPDWORD ret,
                          LPWSAOVERLAPPED ovl,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          LPWSATHREADID tid, LPINT err) {
  static const GUID id = WSAID_CONNECTEX;
  int r =
      next.lpWSPIoctl(s, code, in, inlen, out, outlen, ret, ovl, cr, tid, err);
  if (r == 0 && code == SIO_GET_EXTENSION_FUNCTION_POINTER &&
      inlen >= sizeof(GUID) && memcmp(in, &id, sizeof(GUID)) == 0) {
    LPFN_CONNECTEX mine = l_connectex;
    pthread_mutex_lock(&lock);
    memcpy(&lower_connectex, out, sizeof(lower_connectex));
    pthread_mutex_unlock(&lock);
    memcpy(out, &mine, sizeof(mine));
  }
  return r;
}

static int WSPAPI l_cleanup(LPINT err) {
  int last, r = 0;
  pthread_mutex_lock(&lock);
  if (starts == 0) {
    pthread_mutex_unlock(&lock);
    *err = WSANOTINITIALISED;
    return SOCKET_ERROR;
  }
  last = --starts == 0;
  stats.cleanups++;
  pthread_mutex_unlock(&lock);
  if (last) {
    r = next.lpWSPCleanup(err);
    dlclose(next_dl);
    next_dl = NULL;
    free(catalog);
    catalog = NULL;
    ncatalog = 0;
  }
  return r;
}

/* The provider path of GUID id, narrowed (the test paths are ASCII): 0 or
 * a WSA error. */
static int path_of(const GUID *id, char *path) {
  WCHAR wpath[MAX_PATH];
  int len = MAX_PATH, err = 0, i;
  if (WSCGetProviderPath((LPGUID)id, wpath, &len, &err) != 0) return err;
  for (i = 0; i < MAX_PATH - 1 && wpath[i]; i++) path[i] = (char)wpath[i];
  path[i] = '\0';
  return 0;
}

/* Reads the catalog, finds the layer's own entry (the layered entry
 * whose provider path is this file: the same source serves several test
 * layers, so it cannot know its GUID) and loads the provider under it in
 * chain `top`: 0 or a WSA error. */
static int load_lower(const WSAPROTOCOL_INFOW *top) {
  DWORD size = 0;
  int err = 0, i, n;
  char path[MAX_PATH], mine[PATH_MAX], other[PATH_MAX];
  const WSAPROTOCOL_INFOW *low;
  WSPDATA data;
  LPWSPSTARTUP startup;
  Dl_info self;
  if (!dladdr((void *)&l_socket, &self) || !realpath(self.dli_fname, mine))
    return WSAEPROVIDERFAILEDINIT;
  if (WSCEnumProtocols(NULL, NULL, &size, &err) != SOCKET_ERROR ||
      err != WSAENOBUFS)
    return WSAEPROVIDERFAILEDINIT;
  if (!(catalog = malloc(size))) return WSA_NOT_ENOUGH_MEMORY;
  if ((n = WSCEnumProtocols(NULL, catalog, &size, &err)) == SOCKET_ERROR)
    return WSAEPROVIDERFAILEDINIT;
  ncatalog = n;
  for (i = 0; i < n; i++)
    if (catalog[i].ProtocolChain.ChainLen == LAYERED_PROTOCOL &&
        path_of(&catalog[i].ProviderId, path) == 0 && realpath(path, other) &&
        strcmp(mine, other) == 0)
      my_dummy_id = catalog[i].dwCatalogEntryId;
  if (!(low = below(top))) return WSAEPROVIDERFAILEDINIT;
  if (path_of(&low->ProviderId, path) != 0) return WSAEPROVIDERFAILEDINIT;
  if (!(next_dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
    return WSAEPROVIDERFAILEDINIT;
  if (!(startup = (LPWSPSTARTUP)dlsym(next_dl, "WSPStartup")))
    return WSAEPROVIDERFAILEDINIT;
  stats.next_is_base = low->ProtocolChain.ChainLen == BASE_PROTOCOL;
  return startup(MAKEWORD(2, 2), &data, for_lower(top), up, &next);
}

EXPORT int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                             LPWSAPROTOCOL_INFOW lpProtocolInfo,
                             WSPUPCALLTABLE UpcallTable,
                             LPWSPPROC_TABLE lpProcTable) {
  int r = 0;
  if (LOBYTE(wVersionRequested) < 2) return WSAVERNOTSUPPORTED;
  if (!lpWSPData || !lpProcTable || !lpProtocolInfo) return WSAEINVAL;
#ifdef LAYER_FAIL_STARTUP
  return WSAEPROVIDERFAILEDINIT;
#endif
  pthread_mutex_lock(&lock);
  if (starts == 0) {
    up = UpcallTable;
    if ((r = load_lower(lpProtocolInfo)) != 0) {
      if (next_dl) dlclose(next_dl);
      next_dl = NULL;
      free(catalog);
      catalog = NULL;
    }
  }
  if (r == 0) {
    starts++;
    stats.startups++;
  }
  pthread_mutex_unlock(&lock);
  if (r) return r;
  lpWSPData->wVersion = MAKEWORD(2, 2);
  lpWSPData->wHighVersion = MAKEWORD(2, 2);
  memset(lpWSPData->szDescription, 0, sizeof(lpWSPData->szDescription));
  *lpProcTable = next;
  lpProcTable->lpWSPSocket = l_socket;
  lpProcTable->lpWSPAccept = l_accept;
  lpProcTable->lpWSPConnect = l_connect;
  lpProcTable->lpWSPCloseSocket = l_closesocket;
  lpProcTable->lpWSPCleanup = l_cleanup;
  lpProcTable->lpWSPIoctl = l_ioctl;
  return 0;
}
