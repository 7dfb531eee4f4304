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
#include "ws2plugins.h"
#include "ws2soak.h"

#include <stdio.h>
#include <string.h>

/* The built-in base entries (docs/CATALOG.md), in the soak's order. */
static const DWORD base_entries[4] = {T_TCP4, T_UDP4, T_TCP6, T_UDP6};

/* ---- Checks ----------------------------------------------------------- */

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
  int before;
  SOCKET s;
  t_startup();
  t_cleanup();
  before = t_open_fds();
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
    ifspt_stats_t st = t_ifspt_stats(s);
    printf("# %s: ifs-passthrough saw %llu sockets opened, %llu closed\n", name,
           st.sockets_opened, st.sockets_closed);
    ASSERT_EQ(st.sockets_opened - st.sockets_closed, 1);
  }
  if (layers & HAS_NONIFS) {
    nonifs_stats_t st = t_nonifs_stats(s);
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
  t_assert_open_fds(before);
}

TEST(soak_ifs_passthrough) {
  expect_t e;
  t_fresh_catalog();
  t_install_plugin("ifs-passthrough", XP1_IFS_HANDLES, base_entries, 4, e.top);
  e.len = 2;
  soak_layers("ifs-passthrough", &e, HAS_IFSPT, 0);
  t_remove_catalog();
}

TEST(soak_nonifs_reference) {
  expect_t e;
  t_fresh_catalog();
  t_install_plugin("nonifs-reference", 0, base_entries, 4, e.top);
  e.len = 2;
  soak_layers("nonifs-reference", &e, HAS_NONIFS, 1);
  t_remove_catalog();
}

TEST(soak_nonifs_over_ifs_passthrough) {
  expect_t e;
  DWORD ifs_chains[4];
  t_fresh_catalog();
  t_install_plugin("ifs-passthrough", XP1_IFS_HANDLES, base_entries, 4,
                   ifs_chains);
  t_install_plugin("nonifs-reference", 0, ifs_chains, 4, e.top);
  e.len = 3;
  soak_layers("nonifs-over-ifs", &e, HAS_IFSPT | HAS_NONIFS, 1);
  t_remove_catalog();
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
  t_fresh_catalog();
  t_install_plugin("nonifs-reference", 0, base_entries, 4, e.top);
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
  t_remove_catalog();
}
