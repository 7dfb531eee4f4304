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
 *   LAYER_NUMBER=n      the layer's GUID is the tests' GUID number n.
 *   LAYER_FAIL_STARTUP  WSPStartup fails with WSAEPROVIDERFAILEDINIT.
 *
 * The provider below is found and loaded with ws2ext/lsp.h, the helper
 * the reference layers (plugins/) use too.
 *
 * The tests read the layer's counters through ws2_test_layer_stats, found
 * with dlopen(RTLD_NOLOAD) on the same path ws2 loaded it from.
 */
#include <winsock2.h>
#include <mswsock.h>
#include <ws2spi.h>

#include <ws2ext/lsp.h>

#include <pthread.h>
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
static ws2lsp_t lsp = WS2LSP_INITIALIZER;
/* Which chain each socket of the layer is of, and so which provider below
 * serves it. */
static ws2lsp_map_t chains = WS2LSP_MAP_INITIALIZER;

/* The layer's GUID (a layer knows its own, as on Windows): each variant
 * that the tests stack is installed under its own. */
static const GUID layer_guid = {
    0x5753324c,
    LAYER_NUMBER,
    0x4a00,
    {0x80, 0x00, 0x74, 0x65, 0x73, 0x74, 0x00, LAYER_NUMBER}};

EXPORT void ws2_test_layer_stats(layer_stats_t *out) {
  pthread_mutex_lock(&lock);
  *out = stats;
  pthread_mutex_unlock(&lock);
}

static void count(int *counter) {
  pthread_mutex_lock(&lock);
  (*counter)++;
  pthread_mutex_unlock(&lock);
}

/* The chain entry socket s is of (kept in the catalog copy). */
static const WSAPROTOCOL_INFOW *chain_of(SOCKET s, int forget) {
  return (const WSAPROTOCOL_INFOW *)ws2lsp_map_get(&chains, s, forget);
}

/* The provider below for socket s, or NULL with *err. */
static ws2lsp_lower_t *lower_of(SOCKET s, int *err) {
  const WSAPROTOCOL_INFOW *top = chain_of(s, 0);
  if (!top) {
    *err = WSAENOTSOCK;
    return NULL;
  }
  return ws2lsp_lower(&lsp, top, NULL, err);
}

/* Passes socket s (from the provider below) up as one of chain `top`. */
static SOCKET pass_up(ws2lsp_lower_t *low, const WSAPROTOCOL_INFOW *top,
                      SOCKET s, LPINT err) {
  SOCKET up_s = lsp.up.lpWPUModifyIFSHandle(top->dwCatalogEntryId, s, err);
  if (up_s == INVALID_SOCKET ||
      ws2lsp_map_put(&chains, up_s, (void *)top) != 0) {
    int e;
    low->procs.lpWSPCloseSocket(s, &e);
    if (up_s != INVALID_SOCKET) *err = WSAENOBUFS;
    return INVALID_SOCKET;
  }
  return up_s;
}

static SOCKET WSPAPI l_socket(int af, int type, int protocol,
                              LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags,
                              LPINT err) {
  LPWSAPROTOCOL_INFOW low_info;
  const WSAPROTOCOL_INFOW *top;
  ws2lsp_lower_t *low;
  SOCKET s;
  /* The chain as the layer's catalog copy has it (it outlives the call). */
  if (!info || !(top = ws2lsp_entry(&lsp, info->dwCatalogEntryId))) {
    *err = WSAEINVAL;
    return INVALID_SOCKET;
  }
  if (!(low = ws2lsp_lower(&lsp, top, &low_info, err))) return INVALID_SOCKET;
  s = low->procs.lpWSPSocket(af, type, protocol, low_info, g, flags, err);
  if (s == INVALID_SOCKET) return s;
  if ((s = pass_up(low, top, s, err)) != INVALID_SOCKET) {
    pthread_mutex_lock(&lock);
    stats.sockets++;
    stats.next_is_base = low->is_base;
    pthread_mutex_unlock(&lock);
  }
  return s;
}

static SOCKET WSPAPI l_accept(SOCKET s, struct sockaddr *addr, LPINT len,
                              LPCONDITIONPROC cond, DWORD_PTR data, LPINT err) {
  const WSAPROTOCOL_INFOW *top = chain_of(s, 0);
  ws2lsp_lower_t *low = lower_of(s, err);
  SOCKET a;
  if (!low) return INVALID_SOCKET;
  a = low->procs.lpWSPAccept(s, addr, len, cond, data, err);
  if (a == INVALID_SOCKET) return a;
  if ((a = pass_up(low, top, a, err)) != INVALID_SOCKET) count(&stats.accepted);
  return a;
}

static int WSPAPI l_connect(SOCKET s, const struct sockaddr *name, int namelen,
                            LPWSABUF caller, LPWSABUF callee, LPQOS sqos,
                            LPQOS gqos, LPINT err) {
  ws2lsp_lower_t *low = lower_of(s, err);
  if (!low) return SOCKET_ERROR;
  count(&stats.connects);
  return low->procs.lpWSPConnect(s, name, namelen, caller, callee, sqos, gqos,
                                 err);
}

static int WSPAPI l_closesocket(SOCKET s, LPINT err) {
  ws2lsp_lower_t *low = lower_of(s, err);
  if (!low) return SOCKET_ERROR;
  chain_of(s, 1);
  count(&stats.closes);
  return low->procs.lpWSPCloseSocket(s, err);
}

/* The lower provider's ConnectEx (the same for every socket here: the
 * tests put this layer over one provider). */
static LPFN_CONNECTEX lower_connectex;

static BOOL PASCAL l_connectex(SOCKET s, const struct sockaddr *name,
                               int namelen, PVOID buf, DWORD len, LPDWORD sent,
                               LPOVERLAPPED ovl) {
  LPFN_CONNECTEX fn;
  count(&stats.connectex);
  pthread_mutex_lock(&lock);
  fn = lower_connectex;
  pthread_mutex_unlock(&lock);
  return fn(s, name, namelen, buf, len, sent, ovl);
}

static int WSPAPI l_ioctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                          LPVOID out, DWORD outlen, LPDWORD ret,
                          LPWSAOVERLAPPED ovl,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          LPWSATHREADID tid, LPINT err) {
  static const GUID id = WSAID_CONNECTEX;
  ws2lsp_lower_t *low = lower_of(s, err);
  int r;
  if (!low) return SOCKET_ERROR;
  r = low->procs.lpWSPIoctl(s, code, in, inlen, out, outlen, ret, ovl, cr, tid,
                            err);
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
  int r = ws2lsp_cleanup(&lsp, err);
  if (r == 0) {
    count(&stats.cleanups);
    if (lsp.starts == 0) ws2lsp_map_clear(&chains);
  }
  return r;
}

EXPORT int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                             LPWSAPROTOCOL_INFOW lpProtocolInfo,
                             WSPUPCALLTABLE UpcallTable,
                             LPWSPPROC_TABLE lpProcTable) {
  int r, err = 0;
  ws2lsp_lower_t *low;
  if (!lpProcTable || !lpProtocolInfo) return WSAEINVAL;
#ifdef LAYER_FAIL_STARTUP
  return WSAEPROVIDERFAILEDINIT;
#endif
  if ((r = ws2lsp_startup(&lsp, &layer_guid, wVersionRequested, lpWSPData,
                          UpcallTable, "ws2 test layer")) != 0)
    return r;
  /* The provider below, for the chain this start is for: its table is
   * the base of this one (the layer replaces what it needs). */
  if (!(low = ws2lsp_lower(&lsp, lpProtocolInfo, NULL, &err))) {
    ws2lsp_cleanup(&lsp, &err);
    return WSAEPROVIDERFAILEDINIT;
  }
  count(&stats.startups);
  *lpProcTable = low->procs;
  lpProcTable->lpWSPSocket = l_socket;
  lpProcTable->lpWSPAccept = l_accept;
  lpProcTable->lpWSPConnect = l_connect;
  lpProcTable->lpWSPCloseSocket = l_closesocket;
  lpProcTable->lpWSPCleanup = l_cleanup;
  lpProcTable->lpWSPIoctl = l_ioctl;
  return 0;
}
