/*
 * ifs-passthrough: the smallest useful IFS layered service provider.
 *
 * An IFS ("installable file system") layer does not make socket handles
 * of its own. The provider below it (the base provider, or another IFS
 * layer) makes a real handle; the layer registers that same handle with
 * ws2 under its own chain's catalog id (WPUModifyIFSHandle) and returns
 * it. From then on ws2 sends every Winsock call on that socket to this
 * layer's procedure table; the layer in turn calls the provider below
 * with the very same handle.
 *
 * The layer replaces only the entries it has to, as the WPUModifyIFSHandle
 * reference prescribes for a layer that passes IFS handles through:
 *
 *   WSPSocket, WSPAccept, WSPJoinLeaf  a new socket from below, passed up
 *                                      with WPUModifyIFSHandle (counted);
 *   WSPConnect                         counted, then the lower one;
 *   WSPCloseSocket                     counted, then the lower one;
 *   WSPGetSockOpt                      answers one private option (the
 *                                      counters), passes the rest down;
 *   WSPCleanup                         balances the lower providers'.
 *
 * Every other entry of the table it returns is the lower provider's own
 * function pointer, untouched: WSPSend, WSPRecv, WSPSendTo, WSPRecvFrom,
 * WSPIoctl, WSPGetOverlappedResult and the rest. ws2 calls them directly,
 * so the layer costs nothing on the data path, and the application's
 * OVERLAPPED structures, completion routines and completion ports are the
 * lower provider's business alone, exactly as if the layer were not
 * there. That is also the layer's limit: it cannot see data. ReadFile and
 * WriteFile on its sockets, and the completions of overlapped requests
 * (through an event, a port or a completion routine), never reach it,
 * even when it puts wrappers of its own into the table (see
 * WS2_IFS_PASSTHROUGH_SEE_DATA below and the README).
 *
 * The counters are per process. A program (or a test) reads them with
 * getsockopt on any socket of the layer:
 *
 *   ifspt_stats_t st;            // the struct below, 8 unsigned 64-bit
 *   int len = sizeof(st);
 *   getsockopt(s, IFSPT_SOL, IFSPT_SO_STATS, (char *)&st, &len);
 *
 * (A layer exports only WSPStartup, so there is no other entry point to
 * ask; getsockopt is not an overlapped call, so answering it here breaks
 * none of the rules above.)
 *
 * Configuration: WS2_IFS_PASSTHROUGH_SEE_DATA=1 in the environment of the
 * process (read at its first WSAStartup) puts counting wrappers in the
 * WSPSend, WSPRecv, WSPSendTo and WSPRecvFrom entries, for teaching: they
 * show which calls an IFS layer sees and which it never will.
 *
 * The same source builds the Windows LSP DLL (x86_64-w64-mingw32-gcc):
 * only <winsock2.h>, <ws2spi.h>, <mswsock.h>, <ws2ext/lsp.h> and the C
 * library are used.
 */
#include <winsock2.h>
#include <ws2spi.h>
#include <mswsock.h>

#include <ws2ext/lsp.h>

#include <stdlib.h>
#include <string.h>

/* WSPStartup is the one name a provider exports (the build hides every
 * other symbol). */
#ifdef _WIN32
#define IFSPT_EXPORT __declspec(dllexport)
#else
#define IFSPT_EXPORT __attribute__((visibility("default")))
#endif

/* The layer's provider GUID: `ws2ctl install --guid` must be given this
 * one. ws2lsp_startup finds the layer's own (hidden) catalog entry by it,
 * and through that entry's id, the layer's place in every chain. */
static const GUID ifspt_guid = {
    0x72db7b45,
    0x9f64,
    0x41b5,
    {0xba, 0x03, 0xac, 0xb2, 0x1a, 0x92, 0xc8, 0xce}};

/* The private socket option that returns the counters: a level no
 * protocol uses ('ifsp'), so the layer never hides a real option. */
#define IFSPT_SOL 0x69667370
#define IFSPT_SO_STATS 1

typedef struct ifspt_stats {
  unsigned long long sockets_opened; /* WSPSocket, WSPAccept, WSPJoinLeaf */
  unsigned long long sockets_closed; /* WSPCloseSocket that succeeded */
  unsigned long long connects;       /* WSPConnect: connected, or started */
  unsigned long long accepts;        /* WSPAccept: a socket handed out */
  unsigned long long calls;          /* any call into the layer's own entries
                                        (the counters' getsockopt excepted) */
  unsigned long long data_calls;     /* SEE_DATA: send/recv calls seen */
  unsigned long long data_bytes;     /* ...their bytes, when done at once */
  unsigned long long data_pending;   /* ...those that went overlapped */
} ifspt_stats_t;

static ws2lsp_lock_t stats_lock = WS2LSP_LOCK_INIT;
static ifspt_stats_t stats;

/* The catalog, the layer's own catalog id and the providers below it. */
static ws2lsp_t lsp = WS2LSP_INITIALIZER;

/* Which chain each of the layer's sockets is of (a pointer into lsp's
 * copy of the catalog). WSPAccept needs it: the accepted socket is passed
 * up under the listening socket's chain. */
static ws2lsp_map_t chains = WS2LSP_MAP_INITIALIZER;

/* The provider below. The table the layer returns is built from its
 * table, so every chain of the layer must have the same provider below
 * (ws2lsp_check_ifs_chains). */
static ws2lsp_lower_t *lower;

/* Counts one call into the layer, and one more of *counter (if any). */
static void count(unsigned long long *counter) {
  ws2lsp_lock(&stats_lock);
  if (counter) (*counter)++;
  stats.calls++;
  ws2lsp_unlock(&stats_lock);
}

/* ---- New sockets ---------------------------------------------------- */

/*
 * Hands socket s (just made by the provider below) to the application as
 * a socket of chain `top`. WPUModifyIFSHandle with the chain's catalog id
 * tells ws2 that this layer, not the provider below, serves calls on the
 * handle; the handle itself does not change (it is the lower provider's
 * real handle, which is why ReadFile, WriteFile and completion ports
 * work on it without the layer). On failure the lower socket is closed,
 * since the application never got it.
 */
static SOCKET pass_up(const WSAPROTOCOL_INFOW *top, SOCKET s, LPINT err) {
  SOCKET up = lsp.up.lpWPUModifyIFSHandle(top->dwCatalogEntryId, s, err);
  if (up == INVALID_SOCKET || ws2lsp_map_put(&chains, up, (void *)top) != 0) {
    int e;
    lower->procs.lpWSPCloseSocket(s, &e);
    if (up != INVALID_SOCKET) *err = WSAENOBUFS;
    return INVALID_SOCKET;
  }
  return up;
}

static SOCKET WSPAPI ifspt_socket(int af, int type, int protocol,
                                  LPWSAPROTOCOL_INFOW info, GROUP g,
                                  DWORD flags, LPINT err) {
  const WSAPROTOCOL_INFOW *top;
  LPWSAPROTOCOL_INFOW low_info;
  SOCKET s;
  /* ws2 gives the catalog entry it chose: one of this layer's chains.
   * The layer keeps a pointer to its own copy of it (which lives as long
   * as the layer is started), not to the caller's structure. */
  if (!info || !(top = ws2lsp_entry(&lsp, info->dwCatalogEntryId))) {
    *err = WSAEINVAL;
    return INVALID_SOCKET;
  }
  /* The SPI's rule for WSPSocket: a layer above another layer passes the
   * chain down unchanged; a layer right above the base provider gives
   * the base provider its own entry (base providers never see chains).
   * ws2lsp_lower picks the right one into low_info. */
  if (!ws2lsp_lower(&lsp, top, &low_info, err)) return INVALID_SOCKET;
  s = lower->procs.lpWSPSocket(af, type, protocol, low_info, g, flags, err);
  if (s != INVALID_SOCKET) s = pass_up(top, s, err);
  count(s != INVALID_SOCKET ? &stats.sockets_opened : NULL);
  return s;
}

static SOCKET WSPAPI ifspt_accept(SOCKET s, struct sockaddr *addr,
                                  LPINT addrlen, LPCONDITIONPROC cond,
                                  DWORD_PTR ctx, LPINT err) {
  const WSAPROTOCOL_INFOW *top =
      (const WSAPROTOCOL_INFOW *)ws2lsp_map_get(&chains, s, 0);
  SOCKET a;
  if (!top) {
    *err = WSAENOTSOCK;
    return INVALID_SOCKET;
  }
  /* The lower provider accepts (running the condition function, if any,
   * with the application's arguments); the new socket is its handle, and
   * is passed up like one from WSPSocket. */
  a = lower->procs.lpWSPAccept(s, addr, addrlen, cond, ctx, err);
  if (a == INVALID_SOCKET) {
    count(NULL);
    return a;
  }
  if ((a = pass_up(top, a, err)) != INVALID_SOCKET) {
    ws2lsp_lock(&stats_lock);
    stats.sockets_opened++;
    stats.accepts++;
    stats.calls++;
    ws2lsp_unlock(&stats_lock);
  } else {
    count(NULL);
  }
  return a;
}

/* WSPJoinLeaf may return a new socket (a multipoint root's leaf): that
 * one is passed up too. When it returns s itself, s is already the
 * layer's. */
static SOCKET WSPAPI ifspt_joinleaf(SOCKET s, const struct sockaddr *name,
                                    int namelen, LPWSABUF caller,
                                    LPWSABUF callee, LPQOS sqos, LPQOS gqos,
                                    DWORD flags, LPINT err) {
  const WSAPROTOCOL_INFOW *top =
      (const WSAPROTOCOL_INFOW *)ws2lsp_map_get(&chains, s, 0);
  SOCKET j;
  if (!top) {
    *err = WSAENOTSOCK;
    return INVALID_SOCKET;
  }
  j = lower->procs.lpWSPJoinLeaf(s, name, namelen, caller, callee, sqos, gqos,
                                 flags, err);
  if (j == INVALID_SOCKET || j == s) {
    count(NULL);
    return j;
  }
  count((j = pass_up(top, j, err)) != INVALID_SOCKET ? &stats.sockets_opened
                                                     : NULL);
  return j;
}

/* ---- Connections and closing ---------------------------------------- */

static int WSPAPI ifspt_connect(SOCKET s, const struct sockaddr *name,
                                int namelen, LPWSABUF caller, LPWSABUF callee,
                                LPQOS sqos, LPQOS gqos, LPINT err) {
  int r = lower->procs.lpWSPConnect(s, name, namelen, caller, callee, sqos,
                                    gqos, err);
  /* A non-blocking connect that has started (WSAEWOULDBLOCK) counts: it
   * is a connection the application made, whatever becomes of it. */
  count(r == 0 || *err == WSAEWOULDBLOCK ? &stats.connects : NULL);
  return r;
}

static int WSPAPI ifspt_closesocket(SOCKET s, LPINT err) {
  /* Forget s before the lower provider closes it: from that moment the
   * handle value may be given to a new socket of another thread, whose
   * map entry must not be the one removed here. */
  void *top = ws2lsp_map_get(&chains, s, 1);
  int r = lower->procs.lpWSPCloseSocket(s, err);
  if (r != 0 && top) {
    /* Still open (a non-blocking linger, say): it stays the layer's. */
    ws2lsp_map_put(&chains, s, top);
  }
  count(r == 0 ? &stats.sockets_closed : NULL);
  return r;
}

/* ---- The counters --------------------------------------------------- */

static int WSPAPI ifspt_getsockopt(SOCKET s, int level, int optname,
                                   char *optval, LPINT optlen, LPINT err) {
  if (level != IFSPT_SOL)
    return lower->procs.lpWSPGetSockOpt(s, level, optname, optval, optlen, err);
  if (optname != IFSPT_SO_STATS) {
    *err = WSAENOPROTOOPT;
    return SOCKET_ERROR;
  }
  if (!optval || !optlen || *optlen < (int)sizeof(ifspt_stats_t)) {
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  ws2lsp_lock(&stats_lock);
  memcpy(optval, &stats, sizeof(stats));
  ws2lsp_unlock(&stats_lock);
  *optlen = (int)sizeof(ifspt_stats_t);
  return 0;
}

/* ---- SEE_DATA: what wrappers on the data path can and cannot see ---- */

/*
 * Each wrapper counts the call and, when the call completed at once, the
 * bytes it reports; a request that went overlapped (WSA_IO_PENDING)
 * completes later through the OVERLAPPED's event, a completion port or a
 * completion routine, all the lower provider's doing on the application's
 * own structures: the layer never hears of it. ReadFile and WriteFile do
 * not even reach the wrappers (they are I/O on the handle, which is the
 * lower provider's).
 */
static void seen(int r, const DWORD *bytes, const int *err) {
  ws2lsp_lock(&stats_lock);
  stats.calls++;
  stats.data_calls++;
  if (r == 0 && bytes) stats.data_bytes += *bytes;
  if (r != 0 && *err == WSA_IO_PENDING) stats.data_pending++;
  ws2lsp_unlock(&stats_lock);
}

static int WSPAPI see_send(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                           DWORD flags, LPWSAOVERLAPPED ovl,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                           LPWSATHREADID tid, LPINT err) {
  int r = lower->procs.lpWSPSend(s, bufs, n, sent, flags, ovl, cr, tid, err);
  seen(r, sent, err);
  return r;
}

static int WSPAPI see_sendto(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                             DWORD flags, const struct sockaddr *to, int tolen,
                             LPWSAOVERLAPPED ovl,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                             LPWSATHREADID tid, LPINT err) {
  int r = lower->procs.lpWSPSendTo(s, bufs, n, sent, flags, to, tolen, ovl, cr,
                                   tid, err);
  seen(r, sent, err);
  return r;
}

static int WSPAPI see_recv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD got,
                           LPDWORD flags, LPWSAOVERLAPPED ovl,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                           LPWSATHREADID tid, LPINT err) {
  int r = lower->procs.lpWSPRecv(s, bufs, n, got, flags, ovl, cr, tid, err);
  seen(r, got, err);
  return r;
}

static int WSPAPI see_recvfrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD got,
                               LPDWORD flags, struct sockaddr *from,
                               LPINT fromlen, LPWSAOVERLAPPED ovl,
                               LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                               LPWSATHREADID tid, LPINT err) {
  int r = lower->procs.lpWSPRecvFrom(s, bufs, n, got, flags, from, fromlen, ovl,
                                     cr, tid, err);
  seen(r, got, err);
  return r;
}

/* ---- Start and clean up -------------------------------------------- */

static int WSPAPI ifspt_cleanup(LPINT err) {
  /* One WSPCleanup per WSPStartup; the last one also cleans up and
   * unloads the providers below (ws2lsp_cleanup), after which ws2
   * unloads this layer. */
  int r = ws2lsp_cleanup(&lsp, err);
  if (r == 0 && lsp.starts == 0) {
    ws2lsp_map_clear(&chains);
    lower = NULL;
  }
  return r;
}

IFSPT_EXPORT int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                                   LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                   WSPUPCALLTABLE UpcallTable,
                                   LPWSPPROC_TABLE lpProcTable) {
  const char *see;
  ws2lsp_lower_t *low;
  int r, err = 0;
  if (!lpProcTable || !lpProtocolInfo) return WSAEINVAL;
  /* Version, WSPDATA, and on the first start the catalog and the layer's
   * own catalog id. */
  if ((r = ws2lsp_startup(&lsp, &ifspt_guid, wVersionRequested, lpWSPData,
                          UpcallTable, "ws2 ifs-passthrough layer")) != 0)
    return r;
  /* The provider below, for the chain ws2 starts the layer for: loaded
   * and started here, as a layer does it itself (ws2 only loads the top
   * of a chain). */
  if ((r = ws2lsp_check_ifs_chains(&lsp)) != 0 ||
      !(low = ws2lsp_lower(&lsp, lpProtocolInfo, NULL, &err))) {
    ws2lsp_cleanup(&lsp, &err);
    return r ? r : WSAEPROVIDERFAILEDINIT;
  }
  if (lower != low) lower = low; /* the same from the second start on */
  /* The lower provider's table, with the few entries the layer needs
   * replaced: everything else goes straight to the provider below. */
  *lpProcTable = low->procs;
  lpProcTable->lpWSPSocket = ifspt_socket;
  lpProcTable->lpWSPAccept = ifspt_accept;
  lpProcTable->lpWSPJoinLeaf = ifspt_joinleaf;
  lpProcTable->lpWSPConnect = ifspt_connect;
  lpProcTable->lpWSPCloseSocket = ifspt_closesocket;
  lpProcTable->lpWSPGetSockOpt = ifspt_getsockopt;
  lpProcTable->lpWSPCleanup = ifspt_cleanup;
  see = getenv("WS2_IFS_PASSTHROUGH_SEE_DATA");
  if (see && see[0] == '1') {
    lpProcTable->lpWSPSend = see_send;
    lpProcTable->lpWSPSendTo = see_sendto;
    lpProcTable->lpWSPRecv = see_recv;
    lpProcTable->lpWSPRecvFrom = see_recvfrom;
  }
  return 0;
}
