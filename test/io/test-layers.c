/*
 * test-layers.c: layered providers loaded from the catalog (issue 5).
 *
 * Each case builds its own catalog file (WS2_CATALOG in a temporary
 * directory) with WSCInstallProviderAndChains and the test providers of
 * test/providers (WS2_TEST_PROVIDER_DIR), then starts Winsock on it: the
 * socket goes through the chain; a layer that cannot load or start is
 * skipped with a log line naming it (WS2_STRICT=1 fails instead);
 * WS2_NO_LSP=1 and the program's LSP categories keep layers out; two
 * layers stack in catalog order; WSPStartup and WSPCleanup balance.
 */
/* ws2-wine: skip (ws2's catalog: WS2_CATALOG, providers loaded with dlopen) */
#include "ws2io.h"
#include "ws2layers.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct layer_stats {
  int startups, cleanups;
  int sockets, accepted, connects, closes;
  int next_is_base;
  int connectex;
} layer_stats_t;

static const GUID guid_a = {0x5753324c,
                            0x0001,
                            0x4a00,
                            {0x80, 0x00, 0x74, 0x65, 0x73, 0x74, 0x00, 0x01}};
static const GUID guid_b = {0x5753324c,
                            0x0002,
                            0x4a00,
                            {0x80, 0x00, 0x74, 0x65, 0x73, 0x74, 0x00, 0x02}};

static void provider_path(const char *name, char *out, size_t size) {
  const char *d = getenv("WS2_TEST_PROVIDER_DIR");
  snprintf(out, size, "%s/%s.so", d ? d : ".", name);
}

/* The counters of a loaded test provider (zeros when it is not loaded). */
static layer_stats_t stats_of(const char *name) {
  layer_stats_t st;
  char path[512];
  void *dl;
  void (*get)(layer_stats_t *);
  memset(&st, 0, sizeof(st));
  provider_path(name, path, sizeof(path));
  if ((dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD)) == NULL) return st;
  get = (void (*)(layer_stats_t *))dlsym(dl, "ws2_test_layer_stats");
  if (get) get(&st);
  dlclose(dl);
  return st;
}

/*
 * Installs test provider `name` (a file of WS2_TEST_PROVIDER_DIR, or a
 * path) with GUID g over the entries of `over`, its chains first in the
 * order given; chain_ids gets their ids.
 */
static void install(const GUID *g, const char *name, const DWORD *over,
                    int nover, DWORD *chain_ids) {
  char path[512];
  if (name[0] == '/')
    snprintf(path, sizeof(path), "%s", name);
  else
    provider_path(name, path, sizeof(path));
  t_install_layer(g, path, name[0] == '/' ? "missing layer" : name,
                  XP1_IFS_HANDLES, over, nover, chain_ids);
}

enum { TCP4 = T_TCP4, UDP4 = T_UDP4 };

static WSAPROTOCOL_INFOW info_of(SOCKET s) {
  WSAPROTOCOL_INFOW w;
  int len = sizeof(w);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len), 0);
  ASSERT_EQ(len, (int)sizeof(w));
  return w;
}

/* stderr captured into a file between capture_begin and capture_end. */
static int capture_fd = -1, saved_stderr = -1;

static void capture_begin(void) {
  char tmpl[] = "/tmp/ws2-test-layers-log-XXXXXX";
  capture_fd = mkstemp(tmpl);
  ASSERT_TRUE(capture_fd >= 0);
  unlink(tmpl);
  saved_stderr = dup(2);
  fflush(stderr);
  dup2(capture_fd, 2);
}

static void capture_end(char *log, size_t size) {
  ssize_t n;
  fflush(stderr);
  dup2(saved_stderr, 2);
  close(saved_stderr);
  n = pread(capture_fd, log, size - 1, 0);
  log[n > 0 ? n : 0] = '\0';
  close(capture_fd);
  fputs(log, stderr); /* still in the test's output */
}

/* A loopback echo through sockets s (client) and the accepted one. */
static void echo_through(SOCKET c, SOCKET l, SOCKET *accepted) {
  struct sockaddr_in a;
  int len = sizeof(a);
  char buf[64];
  ASSERT_EQ(getsockname(l, (struct sockaddr *)&a, &len), 0);
  ASSERT_EQ(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
  *accepted = accept(l, NULL, NULL);
  ASSERT_NE(*accepted, INVALID_SOCKET);
  ASSERT_EQ(send(c, "through the layer", 17, 0), 17);
  ASSERT_EQ(recv(*accepted, buf, 17, MSG_WAITALL), 17);
  ASSERT_EQ(memcmp(buf, "through the layer", 17), 0);
  ASSERT_EQ(send(*accepted, "back", 4, 0), 4);
  ASSERT_EQ(recv(c, buf, 4, MSG_WAITALL), 4);
}

TEST(ifs_layer_carries_tcp_and_udp) {
  DWORD over[] = {TCP4, UDP4}, chains[2];
  SOCKET c, l, a, u, base = INVALID_SOCKET;
  WSAPROTOCOL_INFOW w;
  WSAPROTOCOL_INFOA ai;
  layer_stats_t st, st0;
  struct sockaddr_in addr;
  int len = sizeof(ai);
  DWORD ret = 0;
  t_fresh_catalog();
  install(&guid_a, "layer-ifs", over, 2, chains);
  t_startup();
  st0 = stats_of("layer-ifs"); /* t_startup's probe socket counted */
  l = t_listener(&addr);
  c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_NE(c, INVALID_SOCKET);
  /* The socket says which chain it is of, whatever the layer answers. */
  w = info_of(c);
  ASSERT_EQ(w.dwCatalogEntryId, chains[0]);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 2);
  ASSERT_EQ(w.ProtocolChain.ChainEntries[1], TCP4);
  ASSERT_TRUE(IsEqualGUID(&w.ProviderId, &guid_a));
  ASSERT_EQ(getsockopt(c, SOL_SOCKET, SO_PROTOCOL_INFOA, (char *)&ai, &len), 0);
  ASSERT_EQ(ai.dwCatalogEntryId, chains[0]);
  len = sizeof(ai) - 1;
  ASSERT_EQ(getsockopt(c, SOL_SOCKET, SO_PROTOCOL_INFOA, (char *)&ai, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  echo_through(c, l, &a);
  ASSERT_EQ(info_of(a).dwCatalogEntryId, chains[0]);
  /* An IFS layer's handle is the base socket itself. */
  ASSERT_EQ(WSAIoctl(c, SIO_BASE_HANDLE, NULL, 0, &base, sizeof(base), &ret,
                     NULL, NULL),
            0);
  ASSERT_EQ(base, c);
  u = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_NE(u, INVALID_SOCKET);
  ASSERT_EQ(info_of(u).dwCatalogEntryId, chains[1]);
  st = stats_of("layer-ifs");
  ASSERT_EQ(st.startups, 1); /* once per provider, whatever the sockets */
  ASSERT_EQ(st.sockets - st0.sockets, 3);
  ASSERT_EQ(st.accepted, 1);
  ASSERT_EQ(st.connects, 1);
  ASSERT_TRUE(st.next_is_base);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(u), 0);
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_EQ(stats_of("layer-ifs").closes - st0.closes, 4);
  /* A socket made from the base entry itself bypasses the layer. */
  {
    WSAPROTOCOL_INFOW *all;
    int n, i;
    all = t_catalog_entries(&n);
    for (i = 0; i < n; i++)
      if (all[i].dwCatalogEntryId == TCP4) break;
    ASSERT_TRUE(i < n);
    c = WSASocketW(AF_INET, SOCK_STREAM, 0, &all[i], 0, 0);
    free(all);
    ASSERT_NE(c, INVALID_SOCKET);
    ASSERT_EQ(info_of(c).dwCatalogEntryId, TCP4);
    ASSERT_EQ(stats_of("layer-ifs").sockets - st0.sockets, 3);
    ASSERT_EQ(closesocket(c), 0);
  }
  t_cleanup();
  st = stats_of("layer-ifs"); /* unloaded at the last WSACleanup */
  ASSERT_EQ(st.startups, 0);
  t_remove_catalog();
}

TEST(overlapped_io_through_ifs_layer) {
  DWORD over[] = {TCP4}, chains[1], got = 0, flags = 0;
  SOCKET c, l, a;
  struct sockaddr_in addr;
  HANDLE port;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  WSAOVERLAPPED ov;
  WSABUF b;
  char buf[32];
  t_fresh_catalog();
  install(&guid_a, "layer-ifs", over, 1, chains);
  t_startup();
  l = t_listener(&addr);
  c = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(c, INVALID_SOCKET);
  echo_through(c, l, &a);
  port = CreateIoCompletionPort((HANDLE)c, NULL, 7, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  memset(&ov, 0, sizeof(ov));
  b.buf = buf;
  b.len = sizeof(buf);
  /* Pending: its packet comes; then one that succeeds at once: none. */
  ASSERT_EQ(WSARecv(c, &b, 1, NULL, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(a, "12345", 5, 0), 5);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &got, &key, &done, 5000));
  ASSERT_EQ(got, 5);
  ASSERT_EQ(key, 7);
  ASSERT_EQ_PTR(done, &ov);
  ASSERT_EQ(send(a, "678", 3, 0), 3);
  Sleep(50);
  flags = 0;
  ASSERT_EQ(WSARecv(c, &b, 1, &got, &flags, &ov, NULL), 0);
  ASSERT_EQ(got, 3);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &got, &key, &done, 0));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_TRUE(CloseHandle(port));
  t_cleanup();
  t_remove_catalog();
}

/* A layer that cannot be used: the socket comes from the next entry, and
 * the log names the layer and its path. */
static void fails_soft(const char *provider, const char *name_in_log,
                       const char *path_in_log) {
  DWORD over[] = {TCP4}, chains[1];
  char log[4096];
  SOCKET s;
  int err = 0;
  t_fresh_catalog();
  install(&guid_b, provider, over, 1, chains);
  capture_begin();
  t_startup();
  s = socket(AF_INET, SOCK_STREAM, 0);
  capture_end(log, sizeof(log));
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(info_of(s).dwCatalogEntryId, TCP4);
  if (!strstr(log, path_in_log) || !strstr(log, name_in_log)) FAIL(log);
  ASSERT_EQ(closesocket(s), 0);
  /* WS2_STRICT=1: as Windows, the socket fails. */
  setenv("WS2_STRICT", "1", 1);
  s = socket(AF_INET, SOCK_STREAM, 0);
  err = WSAGetLastError();
  unsetenv("WS2_STRICT");
  ASSERT_EQ(s, INVALID_SOCKET);
  ASSERT_EQ(err, WSAEPROVIDERFAILEDINIT);
  /* Other protocols are not concerned. */
  s = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
  t_remove_catalog();
}

TEST(missing_shared_object_fails_soft) {
  fails_soft("/nonexistent/ws2-layer-missing.so", "\"missing layer\"",
             "/nonexistent/ws2-layer-missing.so");
}

TEST(failing_wspstartup_fails_soft) {
  char path[512];
  provider_path("layer-failstart", path, sizeof(path));
  fails_soft("layer-failstart", "\"layer-failstart\"", path);
}

TEST(no_lsp_skips_every_chain) {
  DWORD over[] = {TCP4}, chains[1];
  SOCKET s;
  t_fresh_catalog();
  install(&guid_a, "layer-ifs", over, 1, chains);
  setenv("WS2_NO_LSP", "1", 1);
  t_startup();
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(info_of(s).dwCatalogEntryId, TCP4);
  ASSERT_EQ(stats_of("layer-ifs").sockets, 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
  unsetenv("WS2_NO_LSP");
  t_remove_catalog();
}

/* Which entry a new TCP socket comes from, in a fresh start-up. */
static DWORD tcp_entry_now(void) {
  SOCKET s;
  DWORD id;
  t_startup();
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(s, INVALID_SOCKET);
  id = info_of(s).dwCatalogEntryId;
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
  return id;
}

TEST(application_categories_choose_layers) {
  DWORD over[] = {TCP4}, chains[1], cats = LSP_INSPECTOR, prev = 0;
  char exe[512];
  WCHAR wexe[512];
  ssize_t n, i;
  int err = 0;
  GUID g = guid_a;
  t_fresh_catalog();
  install(&guid_a, "layer-ifs", over, 1, chains);
  n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  ASSERT_TRUE(n > 0);
  exe[n] = '\0';
  for (i = 0; i <= n; i++) wexe[i] = (WCHAR)(unsigned char)exe[i];
  /* An uncategorised program gets every layer. */
  ASSERT_EQ(tcp_entry_now(), chains[0]);
  /* A program that permits nothing (ws2ctl exclude) gets none. */
  ASSERT_EQ(WSCSetApplicationCategory(wexe, (DWORD)n, NULL, 0, 0, &prev, &err),
            0);
  ASSERT_EQ(tcp_entry_now(), TCP4);
  /* Permitting categories: an uncategorised layer stays out... */
  ASSERT_EQ(
      WSCSetApplicationCategory(wexe, (DWORD)n, NULL, 0,
                                LSP_INSPECTOR | LSP_FIREWALL, &prev, &err),
      0);
  ASSERT_EQ(tcp_entry_now(), TCP4);
  /* ...a layer whose categories are all permitted comes in... */
  ASSERT_EQ(WSCSetProviderInfo(&g, ProviderInfoLspCategories, (PBYTE)&cats,
                               sizeof(cats), 0, &err),
            0);
  ASSERT_EQ(tcp_entry_now(), chains[0]);
  /* ...and one with a category the program does not permit stays out. */
  cats = LSP_INSPECTOR | LSP_REDIRECTOR;
  ASSERT_EQ(WSCSetProviderInfo(&g, ProviderInfoLspCategories, (PBYTE)&cats,
                               sizeof(cats), 0, &err),
            0);
  ASSERT_EQ(tcp_entry_now(), TCP4);
  t_remove_catalog();
}

TEST(two_layers_stack_in_catalog_order) {
  DWORD over[] = {TCP4}, lower[1], upper[1];
  SOCKET c, l, a;
  struct sockaddr_in addr;
  WSAPROTOCOL_INFOW w;
  t_fresh_catalog();
  install(&guid_a, "layer-ifs", over, 1, lower);
  install(&guid_b, "layer-ifs2", lower, 1, upper);
  t_startup();
  l = t_listener(&addr);
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(c, INVALID_SOCKET);
  w = info_of(c);
  ASSERT_EQ(w.dwCatalogEntryId, upper[0]);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 3);
  ASSERT_EQ(w.ProtocolChain.ChainEntries[2], TCP4);
  echo_through(c, l, &a);
  /* The upper layer loaded the lower one, which loaded the base. */
  ASSERT_EQ(stats_of("layer-ifs2").sockets, 3); /* and t_startup's probe */
  ASSERT_EQ(stats_of("layer-ifs2").next_is_base, 0);
  ASSERT_EQ(stats_of("layer-ifs").sockets, 3);
  ASSERT_EQ(stats_of("layer-ifs").next_is_base, 1);
  ASSERT_EQ(stats_of("layer-ifs").accepted, 1);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_EQ(stats_of("layer-ifs").closes, 4);
  t_cleanup();
  /* Both unloaded: every WSPStartup had its WSPCleanup. */
  ASSERT_EQ(stats_of("layer-ifs").startups, 0);
  ASSERT_EQ(stats_of("layer-ifs2").startups, 0);
  t_remove_catalog();
}

/* A ConnectEx through the pointer fn on socket s (bound first, as
 * ConnectEx requires), to the listener at a. */
static void connect_ex(LPFN_CONNECTEX fn, SOCKET s, SOCKET l,
                       const struct sockaddr_in *a) {
  struct sockaddr_in any;
  WSAOVERLAPPED ov;
  DWORD sent = 0, flags = 0;
  SOCKET acc;
  memset(&any, 0, sizeof(any));
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, (struct sockaddr *)&any, sizeof(any)), 0);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  if (!fn(s, (const struct sockaddr *)a, sizeof(*a), NULL, 0, &sent, &ov))
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
  ASSERT_TRUE(WSAGetOverlappedResult(s, &ov, &sent, TRUE, &flags));
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  acc = accept(l, NULL, NULL);
  ASSERT_NE(acc, INVALID_SOCKET);
  ASSERT_EQ(closesocket(acc), 0);
}

/* Extension functions go to the provider of the socket they are called
 * with, whichever socket the pointer was asked on (applications cache
 * one pointer for all their sockets). */
TEST(extension_pointers_dispatch_per_socket) {
  DWORD over[] = {TCP4}, chains[1], n = 0;
  GUID id = WSAID_CONNECTEX;
  LPFN_CONNECTEX from_base = NULL, from_layer = NULL;
  WSAPROTOCOL_INFOW *all, base_entry;
  SOCKET l, layered, plain;
  struct sockaddr_in addr;
  int count, i, before;
  t_fresh_catalog();
  install(&guid_a, "layer-ifs", over, 1, chains);
  all = t_catalog_entries(&count);
  for (i = 0; i < count; i++)
    if (all[i].dwCatalogEntryId == TCP4) base_entry = all[i];
  free(all);
  t_startup();
  l = t_listener(&addr);
  plain =
      WSASocketW(AF_INET, SOCK_STREAM, 0, &base_entry, 0, WSA_FLAG_OVERLAPPED);
  layered = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(plain, INVALID_SOCKET);
  ASSERT_NE(layered, INVALID_SOCKET);
  ASSERT_EQ(info_of(layered).dwCatalogEntryId, chains[0]);
  ASSERT_EQ(WSAIoctl(plain, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                     &from_base, sizeof(from_base), &n, NULL, NULL),
            0);
  ASSERT_EQ(
      WSAIoctl(layered, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
               &from_layer, sizeof(from_layer), &n, NULL, NULL),
      0);
  /* One function for every socket... */
  ASSERT_EQ_PTR((void *)from_base, (void *)from_layer);
  /* ...that reaches the layer for its socket, and only for its socket. */
  before = stats_of("layer-ifs").connectex;
  connect_ex(from_base, layered, l, &addr);
  ASSERT_EQ(stats_of("layer-ifs").connectex, before + 1);
  connect_ex(from_layer, plain, l, &addr);
  ASSERT_EQ(stats_of("layer-ifs").connectex, before + 1);
  ASSERT_EQ(closesocket(layered), 0);
  ASSERT_EQ(closesocket(plain), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
  t_remove_catalog();
}
