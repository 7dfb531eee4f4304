/*
 * ws2plugins.h: the plugins' (plugins/) GUIDs and the private counters
 * they publish, for the tests that load them into a catalog of their own
 * (ws2layers.h).
 *
 *   t_fresh_catalog();
 *   t_install_plugin("monitor", XP1_IFS_HANDLES, over, n, chain_ids);
 *   t_startup(); ... t_cleanup();
 *   t_remove_catalog();
 *
 * The GUIDs, codes and structures are copies of what each plugin's source
 * and README publish (a plugin exports only WSPStartup, so there is no
 * header of theirs to include): change them together.
 */
#ifndef WS2PLUGINS_H
#define WS2PLUGINS_H

#include "ws2layers.h"

/* ---- The providers' GUIDs (each plugin's README, "Installing") -------- */

/* plugins/ifs-passthrough: {72db7b45-9f64-41b5-ba03-acb21a92c8ce} */
static const GUID ifspt_guid __attribute__((unused)) = {
    0x72db7b45,
    0x9f64,
    0x41b5,
    {0xba, 0x03, 0xac, 0xb2, 0x1a, 0x92, 0xc8, 0xce}};
/* plugins/nonifs-reference: {3c1e9a57-6b2d-4f08-9a41-d27e0c58b316} */
static const GUID nonifs_guid __attribute__((unused)) = {
    0x3c1e9a57,
    0x6b2d,
    0x4f08,
    {0x9a, 0x41, 0xd2, 0x7e, 0x0c, 0x58, 0xb3, 0x16}};
/* plugins/monitor: {83a7a3f7-26e0-49ed-bfc7-2f3496fc62cf} */
static const GUID monitor_guid __attribute__((unused)) = {
    0x83a7a3f7,
    0x26e0,
    0x49ed,
    {0xbf, 0xc7, 0x2f, 0x34, 0x96, 0xfc, 0x62, 0xcf}};
/* plugins/filter: {6a1f3c2e-8d47-4b95-a0e3-57c21f9b6d08} */
static const GUID filter_guid __attribute__((unused)) = {
    0x6a1f3c2e,
    0x8d47,
    0x4b95,
    {0xa0, 0xe3, 0x57, 0xc2, 0x1f, 0x9b, 0x6d, 0x08}};
/* plugins/socks5: {3c9a6e51-27b4-4f0d-9e62-b1d8a4c07f35} */
static const GUID socks5_guid __attribute__((unused)) = {
    0x3c9a6e51,
    0x27b4,
    0x4f0d,
    {0x9e, 0x62, 0xb1, 0xd8, 0xa4, 0xc0, 0x7f, 0x35}};

/* ---- ifs-passthrough's counters (plugins/ifs-passthrough) -------------- */

/* getsockopt(s, IFSPT_SOL, IFSPT_SO_STATS, (char *)&st, &len) on any
 * socket of the layer: a level no protocol uses ('ifsp'). */
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

/* ---- nonifs-reference's counters (plugins/nonifs-reference) ------------ */

/* WSAIoctl(s, NONIFS_SIO_STATS, NULL, 0, &st, sizeof(st), &n, NULL, NULL)
 * on any socket of the layer: an output-only vendor code ('NI'). */
#define NONIFS_SIO_STATS _WSAIOR(IOC_VENDOR, 0x4e49)

/* The overlapped requests the layer substitutes, by call. */
enum {
  K_SEND,
  K_RECV,
  K_SENDTO,
  K_RECVFROM,
  K_IOCTL,
  K_ACCEPTEX,
  K_CONNECTEX,
  K_DISCONNECTEX,
  K_TRANSMITFILE,
  K_TRANSMITPACKETS,
  K_WSARECVMSG,
  K_WSASENDMSG,
  K_COUNT
};

/* The WSPPROC_TABLE entries, in table order: calls counted per entry. */
enum {
  E_ACCEPT,
  E_ADDRESSTOSTRING,
  E_ASYNCSELECT,
  E_BIND,
  E_CANCELBLOCKINGCALL,
  E_CLEANUP,
  E_CLOSESOCKET,
  E_CONNECT,
  E_DUPLICATESOCKET,
  E_ENUMNETWORKEVENTS,
  E_EVENTSELECT,
  E_GETOVERLAPPEDRESULT,
  E_GETPEERNAME,
  E_GETSOCKNAME,
  E_GETSOCKOPT,
  E_GETQOSBYNAME,
  E_IOCTL,
  E_JOINLEAF,
  E_LISTEN,
  E_RECV,
  E_RECVDISCONNECT,
  E_RECVFROM,
  E_SELECT,
  E_SEND,
  E_SENDDISCONNECT,
  E_SENDTO,
  E_SETSOCKOPT,
  E_SHUTDOWN,
  E_SOCKET,
  E_STRINGTOADDRESS,
  E_COUNT
};

/* The plugin's LONG64 fields, as long long (the same 64 bits) so that
 * printf's %lld takes them. */
typedef struct nonifs_stats {
  long long sockets_opened; /* handles made with WPUCreateSocketHandle */
  long long sockets_closed; /* handles given back with WPUCloseSocketHandle */
  long long ops_started;    /* overlapped requests issued below */
  long long ops_at_once;    /* ...completed before the layer's call returned */
  long long ops_from_port;  /* ...completed through the layer's port */
  long long ops_failed;     /* ...failed at once (nothing to report) */
  long long completions;    /* WPUCompleteOverlappedRequest calls */
  long long apcs;           /* WPUQueueApc calls (completion routines) */
  long long ops_in_flight;  /* requests not yet reported (when read) */
  long long sockets_live;   /* records not yet freed (when read) */
  long long by_kind[K_COUNT];
  long long calls[E_COUNT];
} nonifs_stats_t;

_Static_assert(sizeof(ifspt_stats_t) == 8 * 8, "ifspt_stats_t's layout");
_Static_assert(sizeof(nonifs_stats_t) == 8 * (10 + K_COUNT + E_COUNT),
               "nonifs_stats_t's layout");

/* ---- Installing a plugin ------------------------------------------------ */

/* The GUID of plugin `name` (ws2-<name>.so). */
static __attribute__((unused)) const GUID *t_plugin_guid(const char *name) {
  static const struct {
    const char *name;
    const GUID *guid;
  } known[] = {{"ifs-passthrough", &ifspt_guid},
               {"nonifs-reference", &nonifs_guid},
               {"monitor", &monitor_guid},
               {"filter", &filter_guid},
               {"socks5", &socks5_guid}};
  size_t i;
  for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
    if (strcmp(known[i].name, name) == 0) return known[i].guid;
  FAIL("not a plugin of plugins/");
  return NULL;
}

/*
 * Plugin `name` ($WS2_PLUGIN_DIR/ws2-<name>.so, under its own GUID and
 * its name) over the entries `over` (base entries, or chains to stack
 * on), with service flags `flags` (XP1_IFS_HANDLES or 0): its chains
 * first in the catalog, in the order of `over`; their ids in chain_ids.
 */
static __attribute__((unused)) void t_install_plugin(const char *name,
                                                     DWORD flags,
                                                     const DWORD *over,
                                                     int nover,
                                                     DWORD *chain_ids) {
  char path[512];
  t_plugin_path(name, path, sizeof(path));
  t_install_layer(t_plugin_guid(name), path, name, flags, over, nover,
                  chain_ids);
}

/* ---- Reading the counters ----------------------------------------------- */

/* ifs-passthrough's counters, asked through socket s (one of its). */
static __attribute__((unused)) ifspt_stats_t t_ifspt_stats(SOCKET s) {
  ifspt_stats_t st;
  int len = (int)sizeof(st);
  memset(&st, 0, sizeof(st));
  ASSERT_EQ(getsockopt(s, IFSPT_SOL, IFSPT_SO_STATS, (char *)&st, &len), 0);
  ASSERT_EQ(len, (int)sizeof(st));
  return st;
}

/* nonifs-reference's counters, asked through socket s (one of its). */
static __attribute__((unused)) nonifs_stats_t t_nonifs_stats(SOCKET s) {
  nonifs_stats_t st;
  DWORD n = 0;
  memset(&st, 0, sizeof(st));
  ASSERT_EQ(
      WSAIoctl(s, NONIFS_SIO_STATS, NULL, 0, &st, sizeof(st), &n, NULL, NULL),
      0);
  ASSERT_EQ(n, sizeof(st));
  return st;
}

#endif /* WS2PLUGINS_H */
