/*
 * Non-IFS handles (src/ws2/nifs.c) and the upcall table: a fake layered
 * provider, in this process, whose WSPRecv reports its completion with
 * WPUCompleteOverlappedRequest before or after its call returns, from its
 * own thread or another, and returns success at once, pending, or an
 * error. The completion rule must hold in each case: a packet unless the
 * call returned success at once with skip-on-success set; a completion
 * reported during the call held until it returns; exactly one
 * notification per request.
 */
#define WS2_USE_PREFIX
#include <winsock2.h>
#include <mswsock.h>
#include <ws2spi.h>

#include "ws2/nifs.h"
#include "ws2/provider.h"
#include "ws2test.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { RET_PENDING, RET_ZERO, RET_FAIL };
enum { REPORT_NONE, REPORT_INLINE, REPORT_OTHER_THREAD };

static int g_ret, g_report;
static DWORD g_bytes;
static char g_sent[64];
static int g_sent_len;

typedef struct {
  SOCKET s;
  LPWSAOVERLAPPED ovl;
} report_t;

static void *reporter(void *arg) {
  report_t *r = arg;
  int err = 0;
  WPUCompleteOverlappedRequest(r->s, r->ovl, 0, g_bytes, &err);
  return NULL;
}

static int WSPAPI fake_recv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD got,
                            LPDWORD flags, LPWSAOVERLAPPED ovl,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                            LPWSATHREADID tid, LPINT err) {
  (void)bufs;
  (void)n;
  (void)flags;
  (void)cr;
  (void)tid;
  if (g_report == REPORT_INLINE) {
    int e = 0;
    WPUCompleteOverlappedRequest(s, ovl, 0, g_bytes, &e);
  } else if (g_report == REPORT_OTHER_THREAD) {
    pthread_t t;
    report_t r = {s, ovl};
    pthread_create(&t, NULL, reporter, &r);
    pthread_join(t, NULL); /* reported before this call returns */
  }
  if (g_ret == RET_ZERO) {
    if (got) *got = g_bytes;
    return 0;
  }
  *err = g_ret == RET_PENDING ? WSA_IO_PENDING : WSAECONNRESET;
  return SOCKET_ERROR;
}

static int WSPAPI fake_send(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                            DWORD flags, LPWSAOVERLAPPED ovl,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                            LPWSATHREADID tid, LPINT err) {
  (void)s;
  (void)n;
  (void)flags;
  (void)ovl;
  (void)cr;
  (void)tid;
  (void)err;
  g_sent_len = (int)bufs[0].len;
  memcpy(g_sent, bufs[0].buf, bufs[0].len < 64 ? bufs[0].len : 64);
  if (sent) *sent = bufs[0].len;
  return 0;
}

/* The layer's ConnectEx: reports (or not, g_report) and returns as
 * g_ret says, as its WSPRecv does. */
static BOOL PASCAL fake_connectex(SOCKET s, const struct WS_sockaddr *name,
                                  int namelen, PVOID buf, DWORD len,
                                  LPDWORD sent, LPOVERLAPPED ovl) {
  (void)name;
  (void)namelen;
  (void)buf;
  (void)len;
  if (g_report == REPORT_INLINE) {
    int e = 0;
    WPUCompleteOverlappedRequest(s, ovl, 0, g_bytes, &e);
  }
  if (g_ret == RET_ZERO) {
    if (sent) *sent = g_bytes;
    return TRUE;
  }
  WSASetLastError(g_ret == RET_PENDING ? WSA_IO_PENDING : WSAECONNREFUSED);
  return FALSE;
}

/* The layer's WSPIoctl: the socket under it (SIO_QUERY_TARGET_PNP_HANDLE)
 * is g_lower; SIO_BASE_HANDLE it "hijacks" with a value of its own; its
 * ConnectEx is fake_connectex. */
static SOCKET g_lower;
static int WSPAPI fake_ioctl(SOCKET s, DWORD code, LPVOID in, DWORD cbin,
                             LPVOID out, DWORD cbout, LPDWORD ret,
                             LPWSAOVERLAPPED ovl,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                             LPWSATHREADID tid, LPINT err) {
  SOCKET v = code == SIO_QUERY_TARGET_PNP_HANDLE ? g_lower : s;
  static const GUID connectex = WSAID_CONNECTEX;
  (void)ovl;
  (void)cr;
  (void)tid;
  if (code == SIO_GET_EXTENSION_FUNCTION_POINTER && in &&
      cbin >= sizeof(GUID) && !memcmp(in, &connectex, sizeof(GUID)) && out &&
      cbout >= sizeof(void *)) {
    LPFN_CONNECTEX fn = fake_connectex;
    memcpy(out, &fn, sizeof(fn));
    *ret = sizeof(fn);
    return 0;
  }
  if (code != SIO_QUERY_TARGET_PNP_HANDLE && code != SIO_BASE_HANDLE) {
    *err = WSAEINVAL;
    return SOCKET_ERROR;
  }
  if (!out || cbout < sizeof(SOCKET)) {
    *err = WSAEFAULT;
    return SOCKET_ERROR;
  }
  memcpy(out, &v, sizeof(v));
  *ret = sizeof(v);
  return 0;
}

static ws2__provider_t fake;

static SOCKET fake_socket(DWORD_PTR ctx) {
  int err = 0;
  SOCKET s;
  fake.name = "fake non-IFS layer";
  fake.procs.lpWSPRecv = fake_recv;
  fake.procs.lpWSPSend = fake_send;
  fake.procs.lpWSPIoctl = fake_ioctl;
  s = ws2__nifs_create(&fake, 1234, ctx, &err);
  ASSERT_NE(s, INVALID_SOCKET);
  return s;
}

static void start(void) {
  WSADATA wd;
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wd), 0);
}

/* One WSARecv on s, overlapped with an event; returns what it returned. */
static int recv_once(SOCKET s, WSAOVERLAPPED *ov) {
  WSABUF b;
  char buf[16];
  DWORD n = 0, flags = 0;
  b.buf = buf;
  b.len = sizeof(buf);
  if (WSARecv(s, &b, 1, &n, &flags, ov, NULL) == 0) return 0;
  return WSAGetLastError();
}

static int packets(HANDLE port, LPOVERLAPPED want) {
  int n = 0;
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;
  while (GetQueuedCompletionStatus(port, &bytes, &key, &got, 0)) {
    ASSERT_EQ_PTR(got, want);
    n++;
  }
  return n;
}

/* Every combination of what the call returns, when the completion is
 * reported, and the skip mode. */
TEST(completion_rule_in_every_order) {
  int ret, rep, skip;
  start();
  for (skip = 0; skip < 2; skip++)
    for (ret = RET_PENDING; ret <= RET_ZERO; ret++)
      for (rep = REPORT_NONE; rep <= REPORT_OTHER_THREAD; rep++) {
        SOCKET s = fake_socket(7);
        HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
        WSAOVERLAPPED ov;
        int r, want;
        ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)s, port, 3, 0), port);
        if (skip)
          ASSERT_TRUE(SetFileCompletionNotificationModes(
              (HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
        memset(&ov, 0, sizeof(ov));
        ov.hEvent = WSACreateEvent();
        g_ret = ret;
        g_report = rep;
        g_bytes = 5;
        r = recv_once(s, &ov);
        ASSERT_EQ(r, ret == RET_ZERO ? 0 : WSA_IO_PENDING);
        if (rep == REPORT_NONE) {
          /* Not reported yet: nothing notified; then reported. */
          ASSERT_EQ(ov.Internal, STATUS_PENDING);
          ASSERT_EQ(packets(port, &ov), 0);
          {
            int e = 0;
            ASSERT_EQ(WPUCompleteOverlappedRequest(s, &ov, 0, 5, &e), 0);
          }
        }
        ASSERT_EQ(ov.Internal, 0);
        ASSERT_EQ(ov.InternalHigh, 5);
        ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
        /* A packet unless success at once with skip-on-success. */
        want = (skip && ret == RET_ZERO) ? 0 : 1;
        ASSERT_EQ(packets(port, &ov), want);
        /* Reported again: not notified twice. */
        {
          int e = 0;
          ASSERT_EQ(WPUCompleteOverlappedRequest(s, &ov, 0, 5, &e), 0);
          ASSERT_EQ(packets(port, &ov), 0);
        }
        WSACloseEvent(ov.hEvent);
        CloseHandle(port);
        {
          int e = 0;
          ASSERT_EQ(ws2__nifs_close(s, &e), 0);
        }
      }
  ASSERT_EQ(WSACleanup(), 0);
}

/* A call that fails at once notifies nothing, even if the layer reports
 * a completion for it. */
TEST(failed_call_notifies_nothing) {
  SOCKET s;
  HANDLE port;
  WSAOVERLAPPED ov;
  int e = 0;
  start();
  s = fake_socket(0);
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)s, port, 3, 0), port);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  g_ret = RET_FAIL;
  g_report = REPORT_INLINE;
  ASSERT_EQ(recv_once(s, &ov), WSAECONNRESET);
  ASSERT_EQ(packets(port, &ov), 0);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_TIMEOUT);
  ASSERT_EQ(WPUCompleteOverlappedRequest(s, &ov, 0, 5, &e), 0);
  ASSERT_EQ(packets(port, &ov), 0);
  WSACloseEvent(ov.hEvent);
  CloseHandle(port);
  ASSERT_EQ(ws2__nifs_close(s, &e), 0);
  ASSERT_EQ(WSACleanup(), 0);
}

/* Many requests, each reported by another thread racing the call's
 * return: exactly one packet each. */
static void *race_reporter(void *arg) {
  report_t *r = arg;
  int e = 0;
  WPUCompleteOverlappedRequest(r->s, r->ovl, 0, 1, &e);
  return NULL;
}

TEST(reports_racing_the_call_complete_once) {
  enum { N = 300 };
  static WSAOVERLAPPED ov[N];
  SOCKET s;
  HANDLE port;
  int i, total = 0;
  start();
  s = fake_socket(0);
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)s, port, 3, 0), port);
  g_ret = RET_PENDING;
  g_report = REPORT_NONE;
  for (i = 0; i < N; i++) {
    pthread_t t;
    report_t r;
    memset(&ov[i], 0, sizeof(ov[i]));
    r.s = s;
    r.ovl = &ov[i];
    /* The report may land before, during or after the call's return. */
    pthread_create(&t, NULL, race_reporter, &r);
    ASSERT_EQ(recv_once(s, &ov[i]), WSA_IO_PENDING);
    pthread_join(t, NULL);
    if (ov[i].Internal == STATUS_PENDING) { /* reported before the call */
      int e = 0;
      ASSERT_EQ(WPUCompleteOverlappedRequest(s, &ov[i], 0, 1, &e), 0);
    }
  }
  for (;;) {
    DWORD bytes;
    ULONG_PTR key;
    LPOVERLAPPED got;
    if (!GetQueuedCompletionStatus(port, &bytes, &key, &got, 0)) break;
    total++;
  }
  ASSERT_EQ(total, N);
  CloseHandle(port);
  {
    int e = 0;
    ASSERT_EQ(ws2__nifs_close(s, &e), 0);
  }
  ASSERT_EQ(WSACleanup(), 0);
}

TEST(handles_context_readfile_and_close) {
  SOCKET s, tcp;
  DWORD_PTR ctx = 0;
  WSAOVERLAPPED ov;
  DWORD n = 0;
  int e = 0;
  start();
  s = fake_socket(0xC0FFEE);
  ASSERT_EQ(ws2__upcalls.lpWPUQuerySocketHandleContext(s, &ctx, &e), 0);
  ASSERT_EQ(ctx, 0xC0FFEE);
  ASSERT_EQ(ws2__upcalls.lpWPUQuerySocketHandleContext(s, NULL, &e),
            SOCKET_ERROR);
  ASSERT_EQ(e, WSAEFAULT);
  /* Not a non-IFS handle. */
  tcp = WS_socket(WS_AF_INET, WS_SOCK_STREAM, WS_IPPROTO_TCP);
  ASSERT_EQ(ws2__upcalls.lpWPUQuerySocketHandleContext(tcp, &ctx, &e),
            SOCKET_ERROR);
  ASSERT_EQ(e, WSAENOTSOCK);
  memset(&ov, 0, sizeof(ov));
  ASSERT_EQ(WPUCompleteOverlappedRequest(tcp, &ov, 0, 0, &e), SOCKET_ERROR);
  ASSERT_EQ(e, WSAEINVAL);
  closesocket(tcp);
  /* WriteFile goes to the layer's WSPSend. */
  ASSERT_TRUE(WriteFile((HANDLE)s, "layer", 5, &n, NULL));
  ASSERT_EQ(n, 5);
  ASSERT_EQ(g_sent_len, 5);
  ASSERT_EQ(memcmp(g_sent, "layer", 5), 0);
  /* Closed with a request the layer never reported: aborted, once. */
  g_ret = RET_PENDING;
  g_report = REPORT_NONE;
  ov.hEvent = WSACreateEvent();
  ASSERT_EQ(recv_once(s, &ov), WSA_IO_PENDING);
  ASSERT_EQ(ws2__upcalls.lpWPUCloseSocketHandle(s, &e), 0);
  ASSERT_EQ(ov.Internal, 0xC0000120u);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
  WSACloseEvent(ov.hEvent);
  ASSERT_EQ(ws2__upcalls.lpWPUCloseSocketHandle(s, &e), SOCKET_ERROR);
  ASSERT_EQ(e, WSAENOTSOCK);
  ASSERT_EQ(WSACleanup(), 0);
}

/* The other upcalls with good and bad arguments. */
static int apc_runs;
static DWORD_PTR apc_ctx;
static void CALLBACK user_apc(DWORD_PTR ctx) {
  apc_runs++;
  apc_ctx = ctx;
}

TEST(event_thread_and_apc_upcalls) {
  const WSPUPCALLTABLE *u = &ws2__upcalls;
  WSATHREADID tid;
  WSAEVENT ev;
  int e = 0;
  LPBLOCKINGCALLBACK cb = (LPBLOCKINGCALLBACK)1;
  DWORD_PTR ctx = 1;
  start();
  ev = u->lpWPUCreateEvent(&e);
  ASSERT_NE_PTR(ev, WSA_INVALID_EVENT);
  ASSERT_TRUE(u->lpWPUSetEvent(ev, &e));
  ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(u->lpWPUResetEvent(ev, &e));
  ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
  ASSERT_TRUE(u->lpWPUCloseEvent(ev, &e));
  ASSERT_FALSE(u->lpWPUCloseEvent(ev, &e));
  ASSERT_EQ(e, WSA_INVALID_HANDLE);
  ASSERT_FALSE(u->lpWPUSetEvent(ev, &e));
  ASSERT_EQ(e, WSA_INVALID_HANDLE);
  /* The blocking hook: none in Winsock 2.2. */
  ASSERT_EQ(u->lpWPUQueryBlockingCallback(1001, &cb, &ctx, &e), 0);
  ASSERT_EQ_PTR((void *)cb, NULL);
  ASSERT_EQ(u->lpWPUQueryBlockingCallback(1001, NULL, &ctx, &e), SOCKET_ERROR);
  ASSERT_EQ(e, WSAEFAULT);
  /* A thread id, an APC to it, run in an alertable wait. */
  ASSERT_EQ(u->lpWPUOpenCurrentThread(&tid, &e), 0);
  ASSERT_EQ(u->lpWPUQueueApc(&tid, user_apc, 42, &e), 0);
  ASSERT_EQ(apc_runs, 0);
  ASSERT_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(apc_runs, 1);
  ASSERT_EQ(apc_ctx, 42);
  ASSERT_EQ(u->lpWPUQueueApc(NULL, user_apc, 42, &e), SOCKET_ERROR);
  ASSERT_EQ(e, WSAEFAULT);
  ASSERT_EQ(u->lpWPUCloseThread(&tid, &e), 0);
  ASSERT_EQ(u->lpWPUOpenCurrentThread(NULL, &e), SOCKET_ERROR);
  ASSERT_EQ(e, WSAEFAULT);
  /* fd_set membership. */
  {
    WS_fd_set set;
    set.fd_count = 1;
    set.fd_array[0] = 99;
    ASSERT_NE(u->lpWPUFDIsSet(99, &set), 0);
    ASSERT_EQ(u->lpWPUFDIsSet(98, &set), 0);
  }
  ASSERT_EQ(WSACleanup(), 0);
}

/* WS2_COMPAT=kb2568167: Windows' loss, on purpose: with skip-on-success a
 * pending request's packet does not come; its event still does. It is
 * read when a handle is made. */
TEST(compat_kb2568167_loses_the_packet) {
  SOCKET s;
  HANDLE port;
  WSAOVERLAPPED ov;
  int e = 0;
  start();
  setenv("WS2_COMPAT", "kb2568167", 1);
  s = fake_socket(0);
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)s, port, 3, 0), port);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  g_ret = RET_PENDING;
  g_report = REPORT_NONE;
  ASSERT_EQ(recv_once(s, &ov), WSA_IO_PENDING);
  ASSERT_EQ(WPUCompleteOverlappedRequest(s, &ov, 0, 5, &e), 0);
  ASSERT_EQ(packets(port, &ov), 0); /* lost, as on Windows */
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
  ASSERT_EQ(ov.InternalHigh, 5);
  unsetenv("WS2_COMPAT");
  /* Still so on that handle: read when it was made. */
  WSAResetEvent(ov.hEvent);
  ASSERT_EQ(recv_once(s, &ov), WSA_IO_PENDING);
  ASSERT_EQ(WPUCompleteOverlappedRequest(s, &ov, 0, 5, &e), 0);
  ASSERT_EQ(packets(port, &ov), 0);
  ASSERT_EQ(ws2__nifs_close(s, &e), 0);
  /* A handle made without it: the packet comes. */
  s = fake_socket(0);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)s, port, 3, 0), port);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  WSAResetEvent(ov.hEvent);
  ASSERT_EQ(recv_once(s, &ov), WSA_IO_PENDING);
  ASSERT_EQ(WPUCompleteOverlappedRequest(s, &ov, 0, 5, &e), 0);
  ASSERT_EQ(packets(port, &ov), 1);
  WSACloseEvent(ov.hEvent);
  CloseHandle(port);
  ASSERT_EQ(ws2__nifs_close(s, &e), 0);
  ASSERT_EQ(WSACleanup(), 0);
}

/* An extension function of the layer, called through the pointer ws2
 * hands out, follows the completion rule as WSARecv does: reported during
 * the call and returned TRUE, no packet with skip-on-success (one
 * without); pending, its packet; failed, nothing. (ws2 used to complete
 * every such report as a pending request's: a packet the application,
 * told TRUE, did not expect.) */
TEST(extension_functions_follow_the_completion_rule) {
  int ret, skip;
  start();
  for (skip = 0; skip < 2; skip++)
    for (ret = RET_PENDING; ret <= RET_FAIL; ret++) {
      SOCKET s = fake_socket(0);
      HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
      GUID id = WSAID_CONNECTEX;
      LPFN_CONNECTEX fn = NULL;
      WSAOVERLAPPED ov;
      DWORD n = 0, sent = 0;
      int e = 0;
      BOOL ok;
      ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)s, port, 3, 0), port);
      if (skip)
        ASSERT_TRUE(SetFileCompletionNotificationModes(
            (HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
      ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                         &fn, sizeof(fn), &n, NULL, NULL),
                0);
      ASSERT_NE_PTR((void *)fn, (void *)fake_connectex); /* ws2's own */
      memset(&ov, 0, sizeof(ov));
      g_ret = ret;
      g_report = REPORT_INLINE;
      g_bytes = 3;
      ok = fn(s, NULL, 0, NULL, 0, &sent, &ov);
      ASSERT_EQ(ok, ret == RET_ZERO);
      if (!ok)
        ASSERT_EQ(WSAGetLastError(),
                  ret == RET_PENDING ? WSA_IO_PENDING : WSAECONNREFUSED);
      ASSERT_EQ(packets(port, &ov),
                ret == RET_FAIL || (skip && ret == RET_ZERO) ? 0 : 1);
      CloseHandle(port);
      ASSERT_EQ(ws2__nifs_close(s, &e), 0);
    }
  ASSERT_EQ(WSACleanup(), 0);
}

/* SIO_BASE_HANDLE from the chain: under the layer's handle, the base
 * socket it names; the layer's own (hijacked) answer is not used. */
TEST(base_handle_is_answered_from_the_chain) {
  SOCKET s, base, got = 0;
  DWORD ret = 0;
  start();
  base = WS_socket(WS_AF_INET, WS_SOCK_STREAM, WS_IPPROTO_TCP);
  ASSERT_NE(base, INVALID_SOCKET);
  g_lower = base;
  s = fake_socket(0);
  ASSERT_EQ(WSAIoctl(s, SIO_BASE_HANDLE, NULL, 0, &got, sizeof(got), &ret, NULL,
                     NULL),
            0);
  ASSERT_EQ(got, base);
  ASSERT_EQ(ret, sizeof(SOCKET));
  /* The base socket is its own base. */
  ASSERT_EQ(WSAIoctl(base, SIO_BASE_HANDLE, NULL, 0, &got, sizeof(got), &ret,
                     NULL, NULL),
            0);
  ASSERT_EQ(got, base);
  {
    int e = 0;
    ASSERT_EQ(ws2__nifs_close(s, &e), 0);
  }
  closesocket(base);
  ASSERT_EQ(WSACleanup(), 0);
}

/* WPUGetProviderPath: the catalog's path for a provider (the built-in
 * base provider's), WSAEINVAL for an unknown one. */
TEST(provider_path_upcall) {
  GUID base = {0xE70F1AA0,
               0xAB8B,
               0x11CF,
               {0x8C, 0xA3, 0x00, 0x80, 0x5F, 0x48, 0xA1, 0x92}};
  GUID none = {1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}};
  WCHAR path[260];
  int len = 260, e = 0;
  start();
  ASSERT_EQ(ws2__upcalls.lpWPUGetProviderPath(&base, path, &len, &e), 0);
  ASSERT_GT(len, 0);
  len = 260;
  ASSERT_EQ(ws2__upcalls.lpWPUGetProviderPath(&none, path, &len, &e),
            SOCKET_ERROR);
  ASSERT_EQ(e, WSAEINVAL);
  ASSERT_EQ(WSACleanup(), 0);
}

/* A layer that never completes a request and never closes its handle
 * (a hostile or broken one): the last WSACleanup closes the handle after
 * the layers' WSPCleanup, and the request ends aborted, its packet
 * delivered once, so that nothing of the layer outlives it. */
TEST(cleanup_closes_what_a_layer_left_open) {
  SOCKET s;
  HANDLE port;
  WSAOVERLAPPED ov;
  DWORD bytes = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED got = NULL;
  while (WSACleanup() == 0) { /* what a failed case left started */
  }
  start();
  s = fake_socket(9);
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)s, port, 4, 0), port);
  memset(&ov, 0, sizeof(ov));
  g_ret = RET_PENDING;
  g_report = REPORT_NONE;
  ASSERT_EQ(recv_once(s, &ov), WSA_IO_PENDING);
  ASSERT_EQ(packets(port, &ov), 0);
  ASSERT_EQ(WSACleanup(), 0);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 1000));
  ASSERT_EQ_PTR(got, &ov);
  ASSERT_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
  ASSERT_EQ(key, 4);
  ASSERT_EQ(packets(port, &ov), 0);
  /* The handle is gone. */
  ASSERT_FALSE(CloseHandle((HANDLE)s));
  ASSERT_TRUE(CloseHandle(port));
}
