/*
 * test-soak-layers.c: the soak (issue 7, test/harness/ws2soak.h) with
 * layered providers, on the engine CTest chose (WS2_ENGINE).
 *
 * Each case makes a catalog of its own (WS2_CATALOG in a temporary
 * directory), installs layers from WS2_PLUGIN_DIR over TCP and UDP of
 * both families with WSCInstallProviderAndChains, puts their chains first
 * (WSCWriteProviderOrder), and runs one soak configuration on it:
 *
 *   - plugins/ifs-passthrough alone (an IFS layer: the handle is the base
 *     socket, completions never reach the layer);
 *   - plugins/nonifs-reference alone (a non-IFS layer: its own handles,
 *     a substitute OVERLAPPED, its own port and worker, completions
 *     reported with WPUCompleteOverlappedRequest or WPUQueueApc);
 *   - nonifs-reference over ifs-passthrough (the order Windows allows;
 *     test/plugins/test-stacking.c has the other).
 *
 * With the non-IFS layer, worker threads still exit, but never with a
 * completion routine pending: a routine the layer queues (WPUQueueApc) to
 * a thread that then exits is discarded, as Windows discards the APCs of
 * an exiting thread, and the SPI gives the layer no word of it, so the
 * layer's request record (and its hold on the socket) is lost, on
 * Windows as here (plugins/nonifs-reference/README.md, "Limits").
 *
 * Every socket the soak makes or accepts must be of the top chain
 * (SO_PROTOCOL_INFOW), and at the end the layers' own counters must show
 * every socket closed and every request reported, no file descriptor may
 * be left open after the last WSACleanup, and (ASan builds) no memory.
 */
#include "ws2io.h"
#include "ws2soak.h"

#include <sporder.h>
#include <ws2spi.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The layers' GUIDs and counters (their sources and READMEs) ------ */

static const GUID ifspt_guid = {
    0x72db7b45,
    0x9f64,
    0x41b5,
    {0xba, 0x03, 0xac, 0xb2, 0x1a, 0x92, 0xc8, 0xce}};
static const GUID nonifs_guid = {
    0x3c1e9a57,
    0x6b2d,
    0x4f08,
    {0x9a, 0x41, 0xd2, 0x7e, 0x0c, 0x58, 0xb3, 0x16}};

#define IFSPT_SOL 0x69667370
#define IFSPT_SO_STATS 1
typedef struct ifspt_stats {
  unsigned long long sockets_opened, sockets_closed, connects, accepts, calls;
  unsigned long long data_calls, data_bytes, data_pending;
} ifspt_stats_t;

#define NONIFS_SIO_STATS _WSAIOR(IOC_VENDOR, 0x4e49)
typedef struct nonifs_stats {
  long long sockets_opened, sockets_closed;
  long long ops_started, ops_at_once, ops_from_port, ops_failed;
  long long completions, apcs;
  long long ops_in_flight, sockets_live;
  long long by_kind[12];
  long long calls[30];
} nonifs_stats_t;

/* The built-in base entries (docs/CATALOG.md), in the soak's order. */
enum { TCP4 = 1001, UDP4 = 1002, TCP6 = 1004, UDP6 = 1005 };
static const DWORD base_entries[4] = {TCP4, UDP4, TCP6, UDP6};

static char dir[256];

/* ---- The catalog ------------------------------------------------------ */

static void fresh_catalog(void) {
  char file[300];
  while (WSACleanup() == 0) {
  }
  strcpy(dir, "/tmp/ws2-test-soak-XXXXXX");
  ASSERT_NE_PTR(mkdtemp(dir), NULL);
  snprintf(file, sizeof(file), "%s/catalog", dir);
  setenv("WS2_CATALOG", file, 1);
}

static void remove_catalog(void) {
  char cmd[300];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", dir);
}

static WSAPROTOCOL_INFOW *catalog(int *n) {
  DWORD size = 0;
  int err = 0;
  WSAPROTOCOL_INFOW *v;
  ASSERT_EQ(WSCEnumProtocols(NULL, NULL, &size, &err), SOCKET_ERROR);
  ASSERT_EQ(err, WSAENOBUFS);
  ASSERT_NE_PTR(v = malloc(size), NULL);
  *n = WSCEnumProtocols(NULL, v, &size, &err);
  ASSERT_TRUE(*n > 0);
  return v;
}

/*
 * Installs the layer `file` (in WS2_PLUGIN_DIR) with GUID g over the four
 * entries `over` (base entries or another layer's chains), IFS or not;
 * its chains, in that order, go first in the catalog (chain_ids).
 */
static void install(const GUID *g, const char *file, const char *name,
                    DWORD ifs, const DWORD *over, DWORD *chain_ids) {
  WSAPROTOCOL_INFOW list[4], *all;
  WCHAR wpath[512], wname[64];
  char path[512];
  DWORD order[64];
  GUID id = *g;
  const char *d = getenv("WS2_PLUGIN_DIR");
  int n, i, j, k = 0, err = 0;
  snprintf(path, sizeof(path), "%s/%s", d ? d : ".", file);
  for (i = 0; path[i] && i < 511; i++) wpath[i] = (WCHAR)path[i];
  wpath[i] = 0;
  for (i = 0; name[i] && i < 63; i++) wname[i] = (WCHAR)name[i];
  wname[i] = 0;
  all = catalog(&n);
  for (i = 0; i < 4; i++)
    for (j = 0; j < n; j++)
      if (all[j].dwCatalogEntryId == over[i]) list[i] = all[j];
  free(all);
  ASSERT_EQ(
      WSCInstallProviderAndChains(&id, wpath, wname, ifs, list, 4, NULL, &err),
      0);
  all = catalog(&n);
  ASSERT_TRUE(n <= 64);
  for (i = 0; i < 4; i++) {
    /* The chain of g whose links below the layer are that entry (or,
     * over a chain, all of that chain's links). */
    const WSAPROTOCOLCHAIN *below = &list[i].ProtocolChain;
    for (j = 0; j < n; j++) {
      const WSAPROTOCOLCHAIN *c = &all[j].ProtocolChain;
      int l, same = IsEqualGUID(&all[j].ProviderId, g);
      if (below->ChainLen > 1) {
        same = same && c->ChainLen == below->ChainLen + 1;
        for (l = 0; same && l < below->ChainLen; l++)
          same = c->ChainEntries[l + 1] == below->ChainEntries[l];
      } else {
        same = same && c->ChainLen == 2 &&
               c->ChainEntries[1] == list[i].dwCatalogEntryId;
      }
      if (same) chain_ids[i] = order[k++] = all[j].dwCatalogEntryId;
    }
  }
  ASSERT_EQ(k, 4);
  for (j = 0; j < n; j++) {
    for (i = 0; i < 4; i++)
      if (all[j].dwCatalogEntryId == chain_ids[i]) break;
    if (i == 4) order[k++] = all[j].dwCatalogEntryId;
  }
  free(all);
  ASSERT_EQ(WSCWriteProviderOrder(order, (DWORD)k), 0);
}

/* ---- Checks ----------------------------------------------------------- */

static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  if (!d) return -1;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

/* What every socket of the run must be: of the top chain for its family
 * and type, with chain length `len`. */
typedef struct expect {
  DWORD top[4];
  int len;
} expect_t;

static const char *layered_socket(void *ctx, SOCKET s, int af, int type) {
  const expect_t *e = ctx;
  WSAPROTOCOL_INFOW w;
  int len = (int)sizeof(w);
  int i = (af == AF_INET6 ? 2 : 0) + (type == SOCK_DGRAM);
  if (getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len) != 0)
    return "getsockopt(SO_PROTOCOL_INFOW) failed";
  if (w.dwCatalogEntryId != e->top[i])
    return "the socket is not of the layered chain";
  if (w.ProtocolChain.ChainLen != e->len)
    return "the socket's chain has the wrong length";
  return NULL;
}

static ifspt_stats_t ifspt_stats(SOCKET s) {
  ifspt_stats_t st;
  int len = (int)sizeof(st);
  memset(&st, 0, sizeof(st));
  ASSERT_EQ(getsockopt(s, IFSPT_SOL, IFSPT_SO_STATS, (char *)&st, &len), 0);
  return st;
}

static nonifs_stats_t nonifs_stats(SOCKET s) {
  nonifs_stats_t st;
  DWORD n = 0;
  memset(&st, 0, sizeof(st));
  ASSERT_EQ(
      WSAIoctl(s, NONIFS_SIO_STATS, NULL, 0, &st, sizeof(st), &n, NULL, NULL),
      0);
  ASSERT_EQ(n, sizeof(st));
  return st;
}

enum { HAS_IFSPT = 1, HAS_NONIFS = 2 };

/*
 * One soak on the catalog just installed (top chains in e): a start-up
 * and clean-up first (what the layers and ws2 keep for the process
 * exists before the count), then the soak, the layers' counters, and the
 * file descriptors after the last WSACleanup.
 */
static void soak_layers(const char *label, expect_t *e, int layers,
                        int no_exit_with_apcs) {
  soak_config_t cfg;
  char name[96];
  int before, after;
  SOCKET s;
  t_startup();
  t_cleanup();
  before = open_fds();
  ASSERT_GT(before, 0);
  t_startup();
  snprintf(name, sizeof(name), "%s/%s", label, ws2_engine_name());
  memset(&cfg, 0, sizeof(cfg));
  cfg.name = name;
  cfg.check_socket = layered_socket;
  cfg.ctx = e;
  cfg.no_exit_with_apcs = no_exit_with_apcs;
  ASSERT_EQ(soak_run(&cfg, NULL), 0);
  /* Every socket the soak had is closed, every request reported: the one
   * socket open now is this one. */
  s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_NE(s, INVALID_SOCKET);
  if (layers & HAS_IFSPT) {
    ifspt_stats_t st = ifspt_stats(s);
    printf("# %s: ifs-passthrough saw %llu sockets opened, %llu closed\n", name,
           st.sockets_opened, st.sockets_closed);
    ASSERT_EQ(st.sockets_opened - st.sockets_closed, 1);
  }
  if (layers & HAS_NONIFS) {
    nonifs_stats_t st = nonifs_stats(s);
    printf(
        "# %s: nonifs-reference: %lld sockets opened, %lld requests "
        "(%lld at once, %lld through its port, %lld failed), %lld "
        "reported by WPUCompleteOverlappedRequest, %lld by WPUQueueApc\n",
        name, st.sockets_opened, st.ops_started, st.ops_at_once,
        st.ops_from_port, st.ops_failed, st.completions, st.apcs);
    printf(
        "# %s: nonifs-reference: %lld requests in flight, %lld sockets "
        "live\n",
        name, st.ops_in_flight, st.sockets_live);
    ASSERT_EQ(st.ops_in_flight, 0);
    ASSERT_EQ(st.sockets_live, 1);
  }
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
  after = open_fds();
  if (after != before)
    fprintf(stderr, "# %d file descriptors before the soak, %d after\n", before,
            after);
  ASSERT_EQ(after, before);
}

TEST(soak_ifs_passthrough) {
  expect_t e;
  fresh_catalog();
  install(&ifspt_guid, "ws2-ifs-passthrough.so", "ifs-passthrough",
          XP1_IFS_HANDLES, base_entries, e.top);
  e.len = 2;
  soak_layers("ifs-passthrough", &e, HAS_IFSPT, 0);
  remove_catalog();
}

TEST(soak_nonifs_reference) {
  expect_t e;
  fresh_catalog();
  install(&nonifs_guid, "ws2-nonifs-reference.so", "nonifs-reference", 0,
          base_entries, e.top);
  e.len = 2;
  soak_layers("nonifs-reference", &e, HAS_NONIFS, 1);
  remove_catalog();
}

TEST(soak_nonifs_over_ifs_passthrough) {
  expect_t e;
  DWORD ifs_chains[4];
  fresh_catalog();
  install(&ifspt_guid, "ws2-ifs-passthrough.so", "ifs-passthrough",
          XP1_IFS_HANDLES, base_entries, ifs_chains);
  install(&nonifs_guid, "ws2-nonifs-reference.so", "nonifs-reference", 0,
          ifs_chains, e.top);
  e.len = 3;
  soak_layers("nonifs-over-ifs", &e, HAS_IFSPT | HAS_NONIFS, 1);
  remove_catalog();
}

/* ---- What the soak found ----------------------------------------------- */

/*
 * A data race the soak found in ws2 (src/ws2/nifs.c, ws2__nifs_end, now
 * fixed): after an overlapped call through a non-IFS layer returned, ws2
 * released the handle's lock and then read the request's `failed` field,
 * while the layer could already have completed the request on another
 * thread and freed it. Receives with an event, often pending when the
 * call returns and completed by the layer's worker at once; the TSan
 * build reported the race within a few hundred.
 */
static SOCKET race_sender;
static LONG race_stop;
static DWORD WINAPI race_send(LPVOID arg) {
  (void)arg;
  while (!SOAK_LOAD(&race_stop)) {
    send(race_sender, "r", 1, 0);
    SwitchToThread();
  }
  return 0;
}

TEST(a_request_completed_as_its_call_returns) {
  expect_t e;
  SOCKET l, c;
  SOCKADDR_STORAGE addr;
  int alen, i;
  HANDLE t, ev;
  char buf[64];
  fresh_catalog();
  install(&nonifs_guid, "ws2-nonifs-reference.so", "nonifs-reference", 0,
          base_entries, e.top);
  t_startup();
  l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  alen = soak_loopback(AF_INET, &addr);
  ASSERT_EQ(bind(l, (struct sockaddr *)&addr, alen), 0);
  ASSERT_EQ(listen(l, 1), 0);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)&addr, &alen), 0);
  c = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
                 WSA_FLAG_OVERLAPPED);
  ASSERT_EQ(connect(c, (struct sockaddr *)&addr, alen), 0);
  ASSERT_NE(race_sender = accept(l, NULL, NULL), INVALID_SOCKET);
  ASSERT_NE_PTR(ev = WSACreateEvent(), NULL);
  ASSERT_NE_PTR(t = CreateThread(NULL, 0, race_send, NULL, 0, NULL), NULL);
  /* Receives with an event, often pending when the call returns and
   * completed by the layer's worker at once (the bytes come from another
   * thread). */
  for (i = 0; i < 2000; i++) {
    WSAOVERLAPPED ov;
    WSABUF b;
    DWORD n = 0, flags = 0;
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = ev;
    b.buf = buf;
    b.len = sizeof(buf);
    if (WSARecv(c, &b, 1, NULL, &flags, &ov, NULL) != 0)
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    /* No ws2 wait here: the layer's worker (polling the engine in its own
     * wait) completes the request and frees it. */
    {
      DWORD t0 = GetTickCount();
      while (!HasOverlappedIoCompleted(&ov) && GetTickCount() - t0 < 10000)
        SwitchToThread();
    }
    ASSERT_TRUE(HasOverlappedIoCompleted(&ov));
    ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &n, FALSE, &flags));
  }
  InterlockedExchange(&race_stop, 1);
  ASSERT_JOINED(t, 5000);
  ASSERT_TRUE(WSACloseEvent(ev));
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(race_sender), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
  remove_catalog();
}
