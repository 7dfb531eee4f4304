/*
 * test-io-faults.c: I/O faults injected by a layer in the chain (issue 7),
 * on the engine CTest chose (WS2_ENGINE).
 *
 * The layer is ws2-nonifs-faults.so (WS2_TEST_PROVIDER_DIR): the non-IFS
 * reference layer (plugins/nonifs-reference) built with its fault hooks
 * and test/providers/faults.c, which says what it injects and where. Each
 * case installs it into a catalog of its own as a non-IFS layer over TCP
 * and UDP on IPv4, starts Winsock, and sets a fault plan with the layer's
 * private WSAIoctl (NF_FAULT_SIO_PLAN); every socket of the case is the
 * layer's (client, listener and accepted sockets alike).
 *
 * The seed: WS2_IO_FAULT_SEED, or the time; printed first, so a failing
 * run can be repeated with the same decisions (the same seed gives the
 * same sequence of decisions; which request gets which still depends on
 * timing). Each case uses seed + its own number.
 *
 * What each case proves (the notification kinds are: an event, a
 * completion routine, a completion port, and a completion port with
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS):
 *
 *  - immediate_errors_notify_nothing: a call the layer fails at once
 *    (WSASend, WSARecv, WSASendTo, WSARecvFrom, AcceptEx, ConnectEx)
 *    returns the layer's WSA error and nothing is ever notified; the
 *    socket works afterwards;
 *  - errors_on_completion_reach_the_app: a request the layer reports with
 *    an error (received while pending, done at once, send, AcceptEx,
 *    ConnectEx) reaches the application once, with that error from
 *    WSAGetOverlappedResult or the routine, and through a port as a
 *    failed packet with the Windows error of that status;
 *  - short_transfers_keep_the_stream: the layer passes shortened buffers
 *    down on half of the sends and receives (and fails some calls at once
 *    with WSAENOBUFS, delays and reorders others); an application that
 *    completes partial sends and receives itself, as Windows programs
 *    must, gets every byte of four TCP streams in order, with every
 *    request completed once, in each notification kind;
 *  - delays_and_reorders_lose_nothing: completions delayed (reported
 *    later by the layer's fault thread), reported by that thread while
 *    the application's call is still running, reordered (held and
 *    reported after the next one), with skip-on-success and in the other
 *    kinds: every request accounted for exactly once, each with the byte
 *    count asked for (nothing is shortened here);
 *  - udp_datagrams_with_faults: WSASendTo / WSARecvFrom with delays,
 *    reorders and reports during the call: each datagram whole, each
 *    request once;
 *  - held_requests_and_cancel_and_close: requests completed below but
 *    held by the layer: CancelIoEx (on the layer's handle, which cannot
 *    reach a layer, and on the base socket) does not lose or duplicate
 *    them; closesocket while one is held returns at once, the request is
 *    reported once when released (the handle lives until then, and is
 *    given back after); a receive aborted below (CancelIoEx on the base
 *    socket) and held is reported aborted once; an unreleased hold ends
 *    by itself; WSACleanup with requests held reports them and returns.
 *
 * After each case the layer has no request in flight and holds nothing,
 * and (ASan builds) nothing leaks.
 */
#include "ws2io.h"
#include "ws2layers.h"

#include "../providers/faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The layer's GUID and counters (plugins/nonifs-reference). */
static const GUID nf_guid = {0x3c1e9a57,
                             0x6b2d,
                             0x4f08,
                             {0x9a, 0x41, 0xd2, 0x7e, 0x0c, 0x58, 0xb3, 0x16}};
#define NONIFS_SIO_STATS _WSAIOR(IOC_VENDOR, 0x4e49)
typedef struct nonifs_stats {
  long long sockets_opened, sockets_closed;
  long long ops_started, ops_at_once, ops_from_port, ops_failed;
  long long completions, apcs;
  long long ops_in_flight, sockets_live;
  long long by_kind[12];
  long long calls[30];
} nonifs_stats_t;

#define KBIT(k) (1u << (k))

static unsigned int seed;
static SOCKET ctl = INVALID_SOCKET; /* a socket of the layer, to talk to it */

/* Totals over the whole run, printed by the last case. */
static nf_fault_stats_t total;
static long long total_requests;

/* ---- The layer --------------------------------------------------------- */

static nf_fault_stats_t layer_faults(void) {
  nf_fault_stats_t st;
  DWORD n = 0;
  memset(&st, 0, sizeof(st));
  ASSERT_EQ(WSAIoctl(ctl, NF_FAULT_SIO_STATS, NULL, 0, &st, sizeof(st), &n,
                     NULL, NULL),
            0);
  ASSERT_EQ(n, sizeof(st));
  return st;
}

static nonifs_stats_t layer_stats(void) {
  nonifs_stats_t st;
  DWORD n = 0;
  memset(&st, 0, sizeof(st));
  ASSERT_EQ(
      WSAIoctl(ctl, NONIFS_SIO_STATS, NULL, 0, &st, sizeof(st), &n, NULL, NULL),
      0);
  return st;
}

static void layer_release(void) {
  DWORD n = 0;
  ASSERT_EQ(
      WSAIoctl(ctl, NF_FAULT_SIO_RELEASE, NULL, 0, NULL, 0, &n, NULL, NULL), 0);
}

/* Waits (at most 3 s) until the layer holds `n` requests. */
static void wait_held(long long n) {
  DWORD t0 = GetTickCount();
  while (layer_faults().held != n && GetTickCount() - t0 < 3000) Sleep(1);
  ASSERT_EQ(layer_faults().held, n);
}

/* Waits (at most 3 s) until the layer has no request in flight and
 * `live` sockets (ctl included). */
static void wait_layer_idle(long long live) {
  DWORD t0 = GetTickCount();
  nonifs_stats_t st = layer_stats();
  while ((st.ops_in_flight != 0 || st.sockets_live != live) &&
         GetTickCount() - t0 < 3000) {
    SleepEx(1, TRUE);
    st = layer_stats();
  }
  ASSERT_EQ(st.ops_in_flight, 0);
  ASSERT_EQ(st.sockets_live, live);
}

static void add_totals(void) {
  nf_fault_stats_t f = layer_faults();
  total.requests += f.requests;
  total.completions += f.completions;
  total.fail_now += f.fail_now;
  total.short_io += f.short_io;
  total.fail_late += f.fail_late;
  total.delay += f.delay;
  total.in_call += f.in_call;
  total.in_call_pending += f.in_call_pending;
  total.reorder += f.reorder;
  total.hold += f.hold;
  total.reported += f.reported;
  total.out_of_order += f.out_of_order;
}

/* A new plan (the layer's counters start again: what they had counted is
 * added to the totals first). */
static void layer_plan(const nf_fault_plan_t *p) {
  DWORD n = 0;
  add_totals();
  ASSERT_EQ(WSAIoctl(ctl, NF_FAULT_SIO_PLAN, (LPVOID)p, sizeof(*p), NULL, 0, &n,
                     NULL, NULL),
            0);
}

/* A fresh catalog with the faulty layer over TCP and UDP on IPv4, Winsock
 * started on it, ctl made, and no fault planned yet. */
static void start(int case_no) {
  static const DWORD over[2] = {T_TCP4, T_UDP4};
  char path[512];
  const char *d = getenv("WS2_TEST_PROVIDER_DIR");
  nf_fault_plan_t none;
  static int said;
  if (!said) {
    const char *s = getenv("WS2_IO_FAULT_SEED");
    seed = s ? (unsigned int)strtoul(s, NULL, 0)
             : (unsigned int)time(NULL) ^ (unsigned int)GetCurrentProcessId();
    printf("# seed %u (WS2_IO_FAULT_SEED=%u repeats it)\n", seed, seed);
    said = 1;
  }
  snprintf(path, sizeof(path), "%s/ws2-nonifs-faults.so", d ? d : ".");
  t_fresh_catalog();
  t_install_layer(&nf_guid, path, "nonifs-faults", 0, over, 2, NULL);
  t_startup();
  ctl = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  ASSERT_NE(ctl, INVALID_SOCKET);
  memset(&none, 0, sizeof(none));
  none.seed = seed + (unsigned int)case_no;
  layer_plan(&none);
}

/* The layer idle, nothing held; Winsock ended; the catalog removed. */
static void finish(void) {
  nf_fault_plan_t none;
  memset(&none, 0, sizeof(none));
  layer_plan(&none);
  layer_release();
  wait_layer_idle(1);
  ASSERT_EQ(layer_faults().held, 0);
  ASSERT_EQ(closesocket(ctl), 0);
  ctl = INVALID_SOCKET;
  t_cleanup();
  t_remove_catalog();
}

/* ---- Notifications of single requests ---------------------------------- */

enum { N_EVENT, N_ROUTINE, N_PORT, N_PORT_SKIP, N_COUNT };
static const char *const n_name[N_COUNT] = {"event", "routine", "port",
                                            "port+skip"};

/* What the completion routine saw (run in this thread's alertable waits). */
static struct {
  LPWSAOVERLAPPED ov;
  DWORD err, bytes;
} rlog[64];
static int nrlog;

static void CALLBACK on_done(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov,
                             DWORD flags) {
  (void)flags;
  if (nrlog < 64) {
    rlog[nrlog].ov = ov;
    rlog[nrlog].err = err;
    rlog[nrlog].bytes = bytes;
  }
  nrlog++;
}

typedef struct got {
  DWORD err, bytes;
  DWORD win32; /* a port's packet: GetLastError() of a failed one */
} got_t;

/* One notification kind on one socket. */
typedef struct notif {
  int mode;
  HANDLE port;
  WSAEVENT ev;
} notif_t;

static void notif_init(notif_t *n, int mode) {
  memset(n, 0, sizeof(*n));
  n->mode = mode;
  n->ev = WSACreateEvent();
  ASSERT_NE_PTR(n->ev, NULL);
  if (mode == N_PORT || mode == N_PORT_SKIP) {
    n->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    ASSERT_NE_PTR(n->port, NULL);
  }
  nrlog = 0;
}

static void notif_fini(notif_t *n) {
  ASSERT_TRUE(WSACloseEvent(n->ev));
  if (n->port) ASSERT_TRUE(CloseHandle(n->port));
}

/* s gets its notifications the way n says. */
static void notif_attach(notif_t *n, SOCKET s) {
  if (!n->port) return;
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)s, n->port, (ULONG_PTR)s, 0),
                n->port);
  if (n->mode == N_PORT_SKIP)
    ASSERT_TRUE(SetFileCompletionNotificationModes(
        (HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
}

static void ov_init(notif_t *n, WSAOVERLAPPED *ov) {
  memset(ov, 0, sizeof(*ov));
  if (n->mode == N_EVENT) ov->hEvent = n->ev;
}

static LPWSAOVERLAPPED_COMPLETION_ROUTINE routine_of(notif_t *n) {
  return n->mode == N_ROUTINE ? on_done : NULL;
}

/* The result of a request, from the OVERLAPPED's owner: WSAGetOverlapped-
 * Result while s is open; the non-IFS provider's convention (OffsetHigh:
 * the error, InternalHigh: the bytes) once it is closed. */
static void result_of(SOCKET s, int open, WSAOVERLAPPED *ov, got_t *g) {
  DWORD flags = 0;
  if (!open) {
    g->err = ov->OffsetHigh;
    g->bytes = (DWORD)ov->InternalHigh;
    return;
  }
  if (WSAGetOverlappedResult(s, ov, &g->bytes, FALSE, &flags))
    g->err = 0;
  else
    g->err = (DWORD)WSAGetLastError();
}

/*
 * How many notifications of ov (on s; `open`: s not closed yet) arrive
 * within ms milliseconds: 0, 1 (its result in *g) or more (a duplicate).
 * A port's packet for another OVERLAPPED fails the case.
 */
static int notified(notif_t *n, SOCKET s, int open, WSAOVERLAPPED *ov, DWORD ms,
                    got_t *g) {
  DWORD t0 = GetTickCount();
  int count = 0, i, first;
  memset(g, 0, sizeof(*g));
  switch (n->mode) {
    case N_EVENT:
      if (WaitForSingleObject(ov->hEvent, ms) != WAIT_OBJECT_0) return 0;
      ASSERT_TRUE(HasOverlappedIoCompleted(ov));
      result_of(s, open, ov, g);
      ASSERT_TRUE(WSAResetEvent(ov->hEvent));
      return 1;
    case N_ROUTINE:
      first = nrlog;
      while (nrlog == first && GetTickCount() - t0 < ms) SleepEx(5, TRUE);
      SleepEx(0, TRUE);
      ASSERT_TRUE(nrlog <= 64);
      for (i = first; i < nrlog; i++) {
        ASSERT_EQ_PTR(rlog[i].ov, ov);
        g->err = rlog[i].err;
        g->bytes = rlog[i].bytes;
        count++;
      }
      return count;
    default: {
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      LPOVERLAPPED o = NULL;
      BOOL ok;
      do {
        DWORD left = ms > GetTickCount() - t0 ? ms - (GetTickCount() - t0) : 0;
        ok = GetQueuedCompletionStatus(n->port, &bytes, &key, &o,
                                       count ? 0 : left);
        if (!o) break;
        ASSERT_EQ_PTR(o, ov);
        count++;
        g->win32 = ok ? 0 : GetLastError();
        result_of(s, open, ov, g);
        ASSERT_EQ(g->bytes, bytes);
      } while (count < 3);
      return count;
    }
  }
}

/* Exactly one notification of ov within 3 s, and no other in 30 ms. */
static got_t once(notif_t *n, SOCKET s, int open, WSAOVERLAPPED *ov) {
  got_t g, more;
  ASSERT_EQ(notified(n, s, open, ov, 3000, &g), 1);
  ASSERT_EQ(notified(n, s, open, ov, 30, &more), 0);
  return g;
}

static void none(notif_t *n, SOCKET s, WSAOVERLAPPED *ov) {
  got_t g;
  ASSERT_EQ(notified(n, s, 1, ov, 30, &g), 0);
}

/* After an overlapped call returned r: its result, from the one
 * notification that must come, or (success at once on a skip-on-success
 * port: no notification) from the call's out-parameter. */
static got_t outcome(notif_t *n, SOCKET s, WSAOVERLAPPED *ov, int r, int err,
                     DWORD at_once_bytes) {
  got_t g;
  if (r != 0) ASSERT_EQ(err, WSA_IO_PENDING);
  if (r == 0 && n->mode == N_PORT_SKIP) {
    none(n, s, ov);
    memset(&g, 0, sizeof(g));
    g.bytes = at_once_bytes;
    return g;
  }
  return once(n, s, 1, ov);
}

static int post_recv(notif_t *n, SOCKET s, WSAOVERLAPPED *ov, char *buf,
                     ULONG len, DWORD *got, int *err) {
  WSABUF b;
  DWORD flags = 0;
  int r;
  b.buf = buf;
  b.len = len;
  ov_init(n, ov);
  *got = 0;
  r = WSARecv(s, &b, 1, got, &flags, ov, routine_of(n));
  *err = r ? WSAGetLastError() : 0;
  return r;
}

static int post_send(notif_t *n, SOCKET s, WSAOVERLAPPED *ov, const char *buf,
                     ULONG len, DWORD *sent, int *err) {
  WSABUF b;
  int r;
  b.buf = (char *)buf;
  b.len = len;
  ov_init(n, ov);
  *sent = 0;
  r = WSASend(s, &b, 1, sent, 0, ov, routine_of(n));
  *err = r ? WSAGetLastError() : 0;
  return r;
}

static void get_ext(SOCKET s, GUID g, void *fn) {
  DWORD n = 0;
  ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof(g), fn,
                     sizeof(void *), &n, NULL, NULL),
            0);
}

static void loopback(struct sockaddr_in *a) {
  memset(a, 0, sizeof(*a));
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Waits (at most 2 s) until s has `want` bytes to read. */
static void wait_readable(SOCKET s, u_long want) {
  DWORD t0 = GetTickCount();
  u_long n = 0;
  for (;;) {
    ASSERT_EQ(ioctlsocket(s, FIONREAD, &n), 0);
    if (n >= want || GetTickCount() - t0 > 2000) break;
    Sleep(1);
  }
  ASSERT_TRUE(n >= want);
}

/* ---- Errors at once ------------------------------------------------------ */

TEST(immediate_errors_notify_nothing) {
  static const int errs[N_COUNT] = {WSAENOBUFS, WSAENETDOWN, WSAECONNABORTED,
                                    WSAESHUTDOWN};
  int mode;
  start(1);
  for (mode = 0; mode < N_COUNT; mode++) {
    notif_t n;
    nf_fault_plan_t p;
    SOCKET c, s, u, l, a, x;
    WSAOVERLAPPED ov;
    struct sockaddr_in la, ua;
    int ualen = sizeof(ua), r, err;
    DWORD got = 0;
    char buf[64];
    WSABUF b;
    DWORD flags = 0;
    got_t g;
    notif_init(&n, mode);
    t_tcp_pair(&c, &s);
    notif_attach(&n, c);
    u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    ASSERT_NE(u, INVALID_SOCKET);
    loopback(&ua);
    ASSERT_EQ(bind(u, (struct sockaddr *)&ua, sizeof(ua)), 0);
    ASSERT_EQ(getsockname(u, (struct sockaddr *)&ua, &ualen), 0);
    notif_attach(&n, u);

    memset(&p, 0, sizeof(p));
    p.seed = seed + 1;
    p.kinds = KBIT(NF_FK_SEND) | KBIT(NF_FK_RECV) | KBIT(NF_FK_SENDTO) |
              KBIT(NF_FK_RECVFROM) | KBIT(NF_FK_ACCEPTEX) |
              KBIT(NF_FK_CONNECTEX);
    p.fail_now = 1000;
    p.fail_errors[0] = errs[mode];
    layer_plan(&p);

    /* Receives and sends, with data waiting and without. */
    ASSERT_EQ(send(s, "abc", 3, 0), 3);
    wait_readable(c, 3);
    ASSERT_EQ(post_recv(&n, c, &ov, buf, sizeof(buf), &got, &err),
              SOCKET_ERROR);
    ASSERT_EQ(err, errs[mode]);
    none(&n, c, &ov);
    ASSERT_EQ(post_send(&n, c, &ov, "xyz", 3, &got, &err), SOCKET_ERROR);
    ASSERT_EQ(err, errs[mode]);
    none(&n, c, &ov);
    /* UDP: WSASendTo, WSARecvFrom. */
    ov_init(&n, &ov);
    b.buf = buf;
    b.len = 4;
    ASSERT_EQ(WSASendTo(u, &b, 1, &got, 0, (struct sockaddr *)&ua, sizeof(ua),
                        &ov, routine_of(&n)),
              SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), errs[mode]);
    none(&n, u, &ov);
    ov_init(&n, &ov);
    ASSERT_EQ(
        WSARecvFrom(u, &b, 1, &got, &flags, NULL, NULL, &ov, routine_of(&n)),
        SOCKET_ERROR);
    ASSERT_EQ(WSAGetLastError(), errs[mode]);
    none(&n, u, &ov);

    /* AcceptEx and ConnectEx (no completion routine for them). */
    if (mode != N_ROUTINE) {
      LPFN_ACCEPTEX acceptex;
      LPFN_CONNECTEX connectex;
      char abuf[2 * (sizeof(struct sockaddr_in) + 16)];
      WSAOVERLAPPED ov2;
      l = t_listener(&la);
      notif_attach(&n, l);
      get_ext(l, (GUID)WSAID_ACCEPTEX, &acceptex);
      a = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      ASSERT_NE(a, INVALID_SOCKET);
      ov_init(&n, &ov);
      ASSERT_FALSE(acceptex(l, a, abuf, 0, sizeof(struct sockaddr_in) + 16,
                            sizeof(struct sockaddr_in) + 16, &got, &ov));
      ASSERT_EQ(WSAGetLastError(), errs[mode]);
      none(&n, l, &ov);
      x = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      ASSERT_NE(x, INVALID_SOCKET);
      notif_attach(&n, x);
      get_ext(x, (GUID)WSAID_CONNECTEX, &connectex);
      {
        struct sockaddr_in any;
        loopback(&any);
        ASSERT_EQ(bind(x, (struct sockaddr *)&any, sizeof(any)), 0);
      }
      ov_init(&n, &ov2);
      ASSERT_FALSE(connectex(x, (struct sockaddr *)&la, sizeof(la), NULL, 0,
                             NULL, &ov2));
      ASSERT_EQ(WSAGetLastError(), errs[mode]);
      none(&n, x, &ov2);
      /* Without faults they work, once each. */
      memset(&p, 0, sizeof(p));
      layer_plan(&p);
      {
        WSAOVERLAPPED *ovs[2];
        SOCKET owner[2];
        int expect[2], seen[2] = {0, 0}, k;
        BOOL ra, rc;
        ovs[0] = &ov;
        ovs[1] = &ov2;
        owner[0] = l;
        owner[1] = x;
        ov_init(&n, &ov);
        ov_init(&n, &ov2);
        if (n.mode == N_EVENT)
          ASSERT_NE_PTR(ov2.hEvent = WSACreateEvent(), NULL);
        ra = acceptex(l, a, abuf, 0, sizeof(struct sockaddr_in) + 16,
                      sizeof(struct sockaddr_in) + 16, &got, &ov);
        if (!ra) ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
        rc = connectex(x, (struct sockaddr *)&la, sizeof(la), NULL, 0, NULL,
                       &ov2);
        if (!rc) ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
        expect[0] = !(ra && n.mode == N_PORT_SKIP);
        expect[1] = !(rc && n.mode == N_PORT_SKIP);
        if (n.mode == N_EVENT) {
          for (k = 0; k < 2; k++) {
            ASSERT_EQ(WaitForSingleObject(ovs[k]->hEvent, 3000), WAIT_OBJECT_0);
            result_of(owner[k], 1, ovs[k], &g);
            ASSERT_EQ(g.err, 0);
          }
          ASSERT_TRUE(WSACloseEvent(ov2.hEvent));
        } else {
          DWORD t0 = GetTickCount(), bytes;
          ULONG_PTR key;
          LPOVERLAPPED o;
          while (seen[0] + seen[1] < expect[0] + expect[1] &&
                 GetTickCount() - t0 < 3000) {
            o = NULL;
            GetQueuedCompletionStatus(n.port, &bytes, &key, &o, 100);
            if (!o) continue;
            ASSERT_TRUE(o == &ov || o == &ov2);
            seen[o == &ov2]++;
          }
          o = NULL;
          GetQueuedCompletionStatus(n.port, &bytes, &key, &o, 30);
          ASSERT_EQ_PTR(o, NULL);
          ASSERT_EQ(seen[0], expect[0]);
          ASSERT_EQ(seen[1], expect[1]);
        }
      }
      ASSERT_EQ(closesocket(x), 0);
      ASSERT_EQ(closesocket(a), 0);
      ASSERT_EQ(closesocket(l), 0);
    } else {
      memset(&p, 0, sizeof(p));
      layer_plan(&p);
    }
    /* The stream is as it was: the three bytes still there, once. */
    r = post_recv(&n, c, &ov, buf, sizeof(buf), &got, &err);
    g = outcome(&n, c, &ov, r, err, got);
    ASSERT_EQ(g.err, 0);
    ASSERT_EQ(g.bytes, 3);
    ASSERT_MEM_EQ(buf, "abc", 3);
    ASSERT_EQ(closesocket(u), 0);
    ASSERT_EQ(closesocket(c), 0);
    ASSERT_EQ(closesocket(s), 0);
    notif_fini(&n);
  }
  ASSERT_EQ(layer_faults().fail_now, 0); /* the last plan had none */
  finish();
}

/* ---- Errors on completion --------------------------------------------------
 */

/* The Windows error of a failed packet of a socket request with WSA error
 * e (the status's Win32 code, as Windows' I/O manager reports it), for
 * the errors whose status is unambiguous; the others are only checked to
 * be an error (WSAECONNABORTED, for one, is both STATUS_LOCAL_DISCONNECT
 * and STATUS_CONNECTION_ABORTED on Windows, 64 or 1236). */
static DWORD win32_of(int e) {
  switch (e) {
    case WSAECONNRESET:
      return ERROR_NETNAME_DELETED;
    case WSAETIMEDOUT:
      return ERROR_SEM_TIMEOUT;
    default:
      return 0; /* not checked */
  }
}

static void check_failed(notif_t *n, got_t g, int e) {
  ASSERT_EQ(g.err, e);
  ASSERT_EQ(g.bytes, 0);
  if (n->port && win32_of(e)) ASSERT_EQ(g.win32, win32_of(e));
  if (n->port) ASSERT_NE(g.win32, 0);
}

TEST(errors_on_completion_reach_the_app) {
  static const int errs[N_COUNT] = {WSAENETRESET, WSAECONNABORTED,
                                    WSAECONNRESET, WSAETIMEDOUT};
  int mode;
  start(2);
  for (mode = 0; mode < N_COUNT; mode++) {
    notif_t n;
    nf_fault_plan_t p;
    SOCKET c, s;
    WSAOVERLAPPED ov;
    int r, err, e = errs[mode];
    DWORD got = 0;
    char buf[64];
    notif_init(&n, mode);
    t_tcp_pair(&c, &s);
    notif_attach(&n, c);
    memset(&p, 0, sizeof(p));
    p.seed = seed + 2;
    p.kinds = KBIT(NF_FK_SEND) | KBIT(NF_FK_RECV) | KBIT(NF_FK_ACCEPTEX) |
              KBIT(NF_FK_CONNECTEX);
    p.fail_late = 1000;
    p.late_errors[0] = e;
    layer_plan(&p);
    /* A receive pending below, completed through the layer's port. */
    r = post_recv(&n, c, &ov, buf, sizeof(buf), &got, &err);
    ASSERT_EQ(r, SOCKET_ERROR);
    ASSERT_EQ(err, WSA_IO_PENDING);
    ASSERT_EQ(send(s, "abc", 3, 0), 3);
    check_failed(&n, once(&n, c, 1, &ov), e);
    /* A receive done at once below: the layer reports the error during
     * the call, which returns pending. */
    ASSERT_EQ(send(s, "def", 3, 0), 3);
    wait_readable(c, 3);
    r = post_recv(&n, c, &ov, buf, sizeof(buf), &got, &err);
    ASSERT_EQ(r, SOCKET_ERROR);
    ASSERT_EQ(err, WSA_IO_PENDING);
    check_failed(&n, once(&n, c, 1, &ov), e);
    /* A send. */
    r = post_send(&n, c, &ov, "ghi", 3, &got, &err);
    ASSERT_EQ(r, SOCKET_ERROR);
    ASSERT_EQ(err, WSA_IO_PENDING);
    check_failed(&n, once(&n, c, 1, &ov), e);
    if (mode != N_ROUTINE) {
      LPFN_ACCEPTEX acceptex;
      LPFN_CONNECTEX connectex;
      struct sockaddr_in la, any;
      char abuf[2 * (sizeof(struct sockaddr_in) + 16)];
      SOCKET l = t_listener(&la), a, x, y;
      notif_attach(&n, l);
      get_ext(l, (GUID)WSAID_ACCEPTEX, &acceptex);
      a = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      ov_init(&n, &ov);
      ASSERT_FALSE(acceptex(l, a, abuf, 0, sizeof(struct sockaddr_in) + 16,
                            sizeof(struct sockaddr_in) + 16, &got, &ov));
      ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
      y = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      ASSERT_EQ(connect(y, (struct sockaddr *)&la, sizeof(la)), 0);
      check_failed(&n, once(&n, l, 1, &ov), e);
      x = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      notif_attach(&n, x);
      get_ext(x, (GUID)WSAID_CONNECTEX, &connectex);
      loopback(&any);
      ASSERT_EQ(bind(x, (struct sockaddr *)&any, sizeof(any)), 0);
      ov_init(&n, &ov);
      ASSERT_FALSE(
          connectex(x, (struct sockaddr *)&la, sizeof(la), NULL, 0, NULL, &ov));
      ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
      check_failed(&n, once(&n, x, 1, &ov), e);
      ASSERT_EQ(closesocket(x), 0);
      ASSERT_EQ(closesocket(y), 0);
      ASSERT_EQ(closesocket(a), 0);
      ASSERT_EQ(closesocket(l), 0);
    }
    ASSERT_EQ(closesocket(c), 0);
    ASSERT_EQ(closesocket(s), 0);
    notif_fini(&n);
  }
  ASSERT_TRUE(layer_faults().fail_late >= 3);
  finish();
}

/* ---- Streams under faults --------------------------------------------------
 */

/*
 * An application of the kind Windows programs are: TCP streams, one send
 * in flight per stream (a partial send is completed by sending the rest),
 * two receives in flight per stream (data fills them in the order they
 * were posted; a partial receive is followed by the next), every request
 * an OVERLAPPED of its own (never reused: a second notification for one
 * is seen as such), notified one of the four ways.
 */
enum { CONNS = 4, RQ = 2, CHUNK = 4096, MAXREQ = 60000 };

typedef struct sreq {
  WSAOVERLAPPED ov;
  int conn, send, slot; /* slot: the receive buffer, 0..RQ-1 */
  int state;            /* 0 posted, 1 done */
  int notes;            /* notifications seen */
  ULONG len;
  DWORD err, bytes;
} sreq_t;

typedef struct sconn {
  SOCKET tx, rx;
  size_t total, sent, recvd;
  int send_req;    /* in flight, or -1 */
  int rq[RQ], nrq; /* receives in flight, in the order posted */
  int slot_busy[RQ];
  char sbuf[CHUNK], rbuf[RQ][CHUNK];
  WSAEVENT ev_send, ev_recv[RQ];
} sconn_t;

typedef struct stream {
  int mode;
  HANDLE port;
  sconn_t *c;
  sreq_t *req;
  int nreq;
  int closing;
  int exact; /* every send completes in full */
  long long dup, bad, posted, at_once, retried, partial_sends, partial_recvs;
  unsigned int rng;
  const char *why; /* the first thing that went wrong */
} stream_t;

static stream_t *cur; /* for the completion routine */

static unsigned char pattern(int conn, size_t i) {
  return (unsigned char)((i * 131u) ^ (i >> 9) ^ (unsigned)(conn * 77));
}

static unsigned int rnd(stream_t *st, unsigned int m) {
  st->rng = st->rng * 1103515245u + 12345u;
  return (st->rng >> 8) % m;
}

static void bad(stream_t *st, const char *why) {
  st->bad++;
  if (!st->why) st->why = why;
}

/* A notification of r's request: err and bytes, once. */
static void s_done(stream_t *st, sreq_t *r, DWORD err, DWORD bytes) {
  sconn_t *c = &st->c[r->conn];
  r->notes++;
  if (r->state != 0) {
    st->dup++;
    return;
  }
  r->state = 1;
  r->err = err;
  r->bytes = bytes;
  if (r->send) {
    if (err) {
      if (!st->closing) bad(st, "a send failed");
    } else if (bytes == 0 || bytes > r->len) {
      bad(st, "a send's byte count is out of range");
    } else {
      if (bytes < r->len) st->partial_sends++;
      if (st->exact && bytes != r->len) bad(st, "a send was short");
      c->sent += bytes;
    }
    c->send_req = -1;
  }
}

static void CALLBACK s_routine(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov,
                               DWORD flags) {
  (void)flags;
  s_done(cur, (sreq_t *)ov, err, bytes);
}

static sreq_t *s_new(stream_t *st, int conn, int send, int slot, ULONG len) {
  sreq_t *r;
  if (st->nreq == MAXREQ) return NULL;
  r = &st->req[st->nreq++];
  memset(r, 0, sizeof(*r));
  r->conn = conn;
  r->send = send;
  r->slot = slot;
  r->len = len;
  if (st->mode == N_EVENT)
    r->ov.hEvent = send ? st->c[conn].ev_send : st->c[conn].ev_recv[slot];
  return r;
}

/* After the call for r returned rc (error e, `n` bytes at once). */
static int s_started(stream_t *st, sreq_t *r, int rc, int e, DWORD n) {
  st->posted++;
  if (rc == 0) {
    st->at_once++;
    if (st->mode == N_PORT_SKIP) s_done(st, r, 0, n); /* no packet */
    return 1;
  }
  if (e == WSA_IO_PENDING) return 1;
  /* Failed at once: nothing will be notified. The application tries
   * again later (the layer said WSAENOBUFS). */
  r->state = 2;
  st->retried++;
  if (e != WSAENOBUFS) bad(st, "a call failed at once with another error");
  return 0;
}

static void s_post(stream_t *st) {
  int k;
  for (k = 0; k < CONNS; k++) {
    sconn_t *c = &st->c[k];
    if (c->send_req < 0 && c->sent < c->total) {
      ULONG len = 1 + rnd(st, CHUNK);
      size_t i;
      sreq_t *r;
      WSABUF b;
      DWORD n = 0;
      int rc;
      if (len > c->total - c->sent) len = (ULONG)(c->total - c->sent);
      if (!(r = s_new(st, k, 1, 0, len))) return;
      for (i = 0; i < len; i++) c->sbuf[i] = (char)pattern(k, c->sent + i);
      b.buf = c->sbuf;
      b.len = len;
      c->send_req = (int)(r - st->req);
      rc = WSASend(c->tx, &b, 1, &n, 0, &r->ov,
                   st->mode == N_ROUTINE ? s_routine : NULL);
      if (!s_started(st, r, rc, rc ? WSAGetLastError() : 0, n))
        c->send_req = -1;
    }
    while (c->nrq < RQ && c->recvd < c->total) {
      ULONG len = 1 + rnd(st, CHUNK);
      int slot = c->slot_busy[0] ? 1 : 0;
      sreq_t *r;
      WSABUF b;
      DWORD n = 0, flags = 0;
      int rc;
      if (!(r = s_new(st, k, 0, slot, len))) return;
      b.buf = c->rbuf[slot];
      b.len = len;
      c->slot_busy[slot] = 1;
      c->rq[c->nrq++] = (int)(r - st->req);
      rc = WSARecv(c->rx, &b, 1, &n, &flags, &r->ov,
                   st->mode == N_ROUTINE ? s_routine : NULL);
      if (!s_started(st, r, rc, rc ? WSAGetLastError() : 0, n)) {
        c->slot_busy[slot] = 0;
        c->nrq--;
        break;
      }
    }
  }
}

/* The receives done at the head of each stream, in the order posted. */
static void s_consume(stream_t *st) {
  int k;
  for (k = 0; k < CONNS; k++) {
    sconn_t *c = &st->c[k];
    while (c->nrq && st->req[c->rq[0]].state == 1) {
      sreq_t *r = &st->req[c->rq[0]];
      DWORD i;
      if (r->err) {
        if (!st->closing) bad(st, "a receive failed");
      } else if (r->bytes == 0) {
        if (!st->closing) bad(st, "a receive saw the end of the stream");
      } else {
        if (r->bytes > r->len) bad(st, "a receive's count is out of range");
        if (r->bytes < r->len) st->partial_recvs++;
        for (i = 0; i < r->bytes && i < r->len; i++)
          if ((unsigned char)c->rbuf[r->slot][i] != pattern(k, c->recvd + i)) {
            bad(st, "a byte of the stream is wrong");
            break;
          }
        c->recvd += r->bytes;
      }
      c->slot_busy[r->slot] = 0;
      memmove(c->rq, c->rq + 1, sizeof(int) * (size_t)(--c->nrq));
    }
  }
}

/* Waits up to ms for notifications and takes them. */
static void s_wait(stream_t *st, DWORD ms) {
  int k, j;
  if (st->mode == N_ROUTINE) {
    SleepEx(ms, TRUE);
  } else if (st->mode == N_EVENT) {
    HANDLE evs[CONNS * (RQ + 1)];
    sreq_t *who[CONNS * (RQ + 1)];
    DWORD w, nev = 0;
    for (k = 0; k < CONNS; k++) {
      sconn_t *c = &st->c[k];
      if (c->send_req >= 0 && st->req[c->send_req].state == 0) {
        who[nev] = &st->req[c->send_req];
        evs[nev++] = c->ev_send;
      }
      for (j = 0; j < c->nrq; j++)
        if (st->req[c->rq[j]].state == 0) {
          who[nev] = &st->req[c->rq[j]];
          evs[nev] = who[nev]->ov.hEvent;
          nev++;
        }
    }
    if (!nev) return;
    w = WaitForMultipleObjects(nev, evs, FALSE, ms);
    if (w >= WAIT_OBJECT_0 + nev) return;
    for (j = (int)(w - WAIT_OBJECT_0); j < (int)nev; j++) {
      sreq_t *r = who[j];
      sconn_t *c = &st->c[r->conn];
      DWORD bytes = 0, flags = 0, err = 0;
      if (WaitForSingleObject(evs[j], 0) != WAIT_OBJECT_0) continue;
      if (!HasOverlappedIoCompleted(&r->ov)) {
        bad(st, "an event was set before its request completed");
        continue;
      }
      WSAResetEvent(evs[j]);
      if (st->closing) {
        err = r->ov.OffsetHigh; /* the sockets are closed */
        bytes = (DWORD)r->ov.InternalHigh;
      } else if (!WSAGetOverlappedResult(r->send ? c->tx : c->rx, &r->ov,
                                         &bytes, FALSE, &flags)) {
        err = (DWORD)WSAGetLastError();
      }
      s_done(st, r, err, bytes);
    }
  } else {
    OVERLAPPED_ENTRY e[32];
    ULONG n = 0, i;
    if (!GetQueuedCompletionStatusEx(st->port, e, 32, &n, ms, FALSE)) return;
    for (i = 0; i < n; i++) {
      sreq_t *r = (sreq_t *)e[i].lpOverlapped;
      sconn_t *c = &st->c[r->conn];
      DWORD bytes = 0, flags = 0, err = 0;
      if (st->closing) {
        err = r->ov.OffsetHigh;
        bytes = (DWORD)r->ov.InternalHigh;
      } else if (!WSAGetOverlappedResult(r->send ? c->tx : c->rx, &r->ov,
                                         &bytes, FALSE, &flags)) {
        err = (DWORD)WSAGetLastError();
      }
      if (bytes != e[i].dwNumberOfBytesTransferred)
        bad(st, "a packet's byte count is not the request's");
      s_done(st, r, err, bytes);
    }
  }
}

static int s_pending(stream_t *st) {
  int i, n = 0;
  for (i = 0; i < st->nreq; i++) n += st->req[i].state == 0;
  return n;
}

/*
 * Runs the streams (CONNS of `bytes` each) in notification mode `mode`
 * under plan p, at most `budget` ms for the transfer, then closes the
 * sockets and waits for what is left (the receives still in flight end
 * aborted). Fails the case on any loss, duplicate or wrong byte.
 */
static void run_streams(int mode, const nf_fault_plan_t *p, size_t bytes,
                        DWORD budget, int exact, const char *label) {
  stream_t st;
  DWORD t0;
  int k, i, left;
  memset(&st, 0, sizeof(st));
  st.mode = mode;
  st.exact = exact;
  st.rng = p->seed * 2654435761u + (unsigned int)mode;
  st.c = calloc(CONNS, sizeof(sconn_t));
  st.req = calloc(MAXREQ, sizeof(sreq_t));
  ASSERT_NE_PTR(st.c, NULL);
  ASSERT_NE_PTR(st.req, NULL);
  cur = &st;
  if (mode == N_PORT || mode == N_PORT_SKIP) {
    st.port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    ASSERT_NE_PTR(st.port, NULL);
  }
  for (k = 0; k < CONNS; k++) {
    sconn_t *c = &st.c[k];
    t_tcp_pair(&c->tx, &c->rx);
    c->total = bytes;
    c->send_req = -1;
    c->ev_send = WSACreateEvent();
    for (i = 0; i < RQ; i++) c->ev_recv[i] = WSACreateEvent();
    if (st.port) {
      ASSERT_EQ_PTR(
          CreateIoCompletionPort((HANDLE)c->tx, st.port, (ULONG_PTR)k, 0),
          st.port);
      ASSERT_EQ_PTR(
          CreateIoCompletionPort((HANDLE)c->rx, st.port, (ULONG_PTR)k, 0),
          st.port);
      if (mode == N_PORT_SKIP) {
        ASSERT_TRUE(SetFileCompletionNotificationModes(
            (HANDLE)c->tx, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
        ASSERT_TRUE(SetFileCompletionNotificationModes(
            (HANDLE)c->rx, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
      }
    }
  }
  layer_plan(p);
  t0 = GetTickCount();
  for (;;) {
    int all = 1;
    s_post(&st);
    s_wait(&st, 5);
    s_consume(&st);
    for (k = 0; k < CONNS; k++)
      all = all && st.c[k].sent == bytes && st.c[k].recvd == bytes;
    if (all || st.bad || st.nreq == MAXREQ || GetTickCount() - t0 > budget)
      break;
  }
  for (k = 0; k < CONNS; k++) {
    if (st.c[k].sent != bytes && !st.why) st.why = "a stream was not all sent";
    if (st.c[k].recvd != bytes && !st.why)
      st.why = "a stream was not all received";
  }
  /* The end: close; every request still in flight completes (aborted). */
  st.closing = 1;
  for (k = 0; k < CONNS; k++) {
    ASSERT_EQ(closesocket(st.c[k].tx), 0);
    ASSERT_EQ(closesocket(st.c[k].rx), 0);
  }
  t0 = GetTickCount();
  while ((left = s_pending(&st)) && GetTickCount() - t0 < 5000) s_wait(&st, 10);
  s_wait(&st, 30); /* anything more is a duplicate */
  s_consume(&st);
  printf(
      "# %s, %s: %lld requests (%lld done at once, %lld retried), %lld "
      "partial sends, %lld partial receives, %d lost, %lld duplicated, "
      "%.1f ms\n",
      label, n_name[mode], st.posted, st.at_once, st.retried, st.partial_sends,
      st.partial_recvs, left, st.dup, (double)(GetTickCount() - t0));
  total_requests += st.posted;
  if (st.why) fprintf(stderr, "# %s, %s: %s\n", label, n_name[mode], st.why);
  for (k = 0; k < CONNS; k++) {
    WSACloseEvent(st.c[k].ev_send);
    for (i = 0; i < RQ; i++) WSACloseEvent(st.c[k].ev_recv[i]);
  }
  if (st.port) CloseHandle(st.port);
  free(st.c);
  free(st.req);
  cur = NULL;
  ASSERT_EQ(left, 0);
  ASSERT_EQ(st.dup, 0);
  ASSERT_EQ(st.bad, 0);
  ASSERT_TRUE(st.why == NULL);
}

TEST(short_transfers_keep_the_stream) {
  int mode;
  nf_fault_stats_t f;
  start(3);
  for (mode = 0; mode < N_COUNT; mode++) {
    nf_fault_plan_t p;
    memset(&p, 0, sizeof(p));
    p.seed = seed + 3 + (unsigned int)mode;
    p.kinds = KBIT(NF_FK_SEND) | KBIT(NF_FK_RECV);
    p.short_io = 500;
    p.fail_now = 20;
    p.fail_errors[0] = WSAENOBUFS;
    p.delay = 50;
    p.delay_ms = 3;
    p.in_call = 50;
    p.reorder = 100;
    run_streams(mode, &p, 128 * 1024, 8000, 0, "short transfers");
    f = layer_faults();
    ASSERT_GT(f.short_io, 0);
    ASSERT_GT(f.fail_now, 0);
    wait_layer_idle(1);
  }
  {
    nf_fault_plan_t z;
    memset(&z, 0, sizeof(z));
    layer_plan(&z);
  }
  finish();
}

TEST(delays_and_reorders_lose_nothing) {
  int mode;
  nf_fault_stats_t f;
  long long reordered = 0, out_of_order = 0;
  start(4);
  for (mode = 0; mode < N_COUNT; mode++) {
    nf_fault_plan_t p;
    memset(&p, 0, sizeof(p));
    p.seed = seed + 4 + (unsigned int)mode;
    p.kinds = KBIT(NF_FK_SEND) | KBIT(NF_FK_RECV);
    p.delay = 150;
    p.delay_ms = 4;
    p.in_call = 200;
    p.reorder = 250;
    run_streams(mode, &p, 64 * 1024, 8000, 1, "delays and reorders");
    f = layer_faults();
    printf(
        "# delays and reorders, %s: %lld delayed, %lld reported during the "
        "call (%lld of those returned pending), %lld reordered, %lld "
        "reported after a later one\n",
        n_name[mode], f.delay, f.in_call, f.in_call_pending, f.reorder,
        f.out_of_order);
    ASSERT_GT(f.delay, 0);
    ASSERT_GT(f.in_call, 0);
    reordered += f.reorder;
    out_of_order += f.out_of_order;
    wait_layer_idle(1);
  }
  /* (Over the four runs: a reordered report comes out after a later one
   * when another completes within 50 ms, which is a matter of timing.) */
  ASSERT_GT(reordered, 0);
  ASSERT_GT(out_of_order, 0);
  {
    nf_fault_plan_t z;
    memset(&z, 0, sizeof(z));
    layer_plan(&z);
  }
  finish();
}

/* ---- UDP ----------------------------------------------------------------- */

TEST(udp_datagrams_with_faults) {
  enum { DGRAMS = 400, WINDOW = 4, SIZE = 256 };
  static struct {
    WSAOVERLAPPED ov;
    int state;
    char buf[SIZE];
    WSABUF b;
    DWORD flags;
  } rx[DGRAMS + WINDOW], tx[DGRAMS];
  nf_fault_plan_t p;
  SOCKET a, b;
  struct sockaddr_in aa, ba;
  int alen = sizeof(aa), blen = sizeof(ba), i, nrx = 0, ntx = 0, got = 0;
  int dup = 0, wrong = 0, at_once = 0;
  char seen[DGRAMS];
  HANDLE port;
  DWORD t0;
  start(5);
  memset(rx, 0, sizeof(rx));
  memset(tx, 0, sizeof(tx));
  memset(seen, 0, sizeof(seen));
  a = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  b = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  loopback(&aa);
  loopback(&ba);
  ASSERT_EQ(bind(a, (struct sockaddr *)&aa, sizeof(aa)), 0);
  ASSERT_EQ(bind(b, (struct sockaddr *)&ba, sizeof(ba)), 0);
  ASSERT_EQ(getsockname(a, (struct sockaddr *)&aa, &alen), 0);
  ASSERT_EQ(getsockname(b, (struct sockaddr *)&ba, &blen), 0);
  ASSERT_NE_PTR(port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1),
                NULL);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)a, port, 1, 0), port);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)b, port, 2, 0), port);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)a, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)b, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  memset(&p, 0, sizeof(p));
  p.seed = seed + 5;
  p.kinds = KBIT(NF_FK_SENDTO) | KBIT(NF_FK_RECVFROM);
  p.delay = 200;
  p.in_call = 200;
  p.reorder = 300;
  layer_plan(&p);
  t0 = GetTickCount();
  /* Receives posted ahead (WINDOW of them), a datagram sent for each
   * receive that completes; each datagram carries its number. */
  while (got < DGRAMS && GetTickCount() - t0 < 5000) {
    OVERLAPPED_ENTRY e[16];
    ULONG n = 0, k;
    while (nrx < DGRAMS && nrx - got < WINDOW) {
      DWORD cnt = 0;
      int r;
      rx[nrx].b.buf = rx[nrx].buf;
      rx[nrx].b.len = SIZE;
      r = WSARecvFrom(b, &rx[nrx].b, 1, &cnt, &rx[nrx].flags, NULL, NULL,
                      &rx[nrx].ov, NULL);
      ASSERT_TRUE(r == 0 || WSAGetLastError() == WSA_IO_PENDING);
      nrx++;
      if (r == 0) { /* done at once: no packet */
        int seq;
        at_once++;
        rx[nrx - 1].state = 1;
        got++;
        memcpy(&seq, rx[nrx - 1].buf, sizeof(seq));
        if (cnt != SIZE || seq < 0 || seq >= DGRAMS || seen[seq]++) wrong++;
      }
    }
    while (ntx < nrx && ntx < DGRAMS) {
      DWORD cnt = 0;
      int r;
      WSABUF wb;
      memset(tx[ntx].buf, (char)ntx, SIZE);
      memcpy(tx[ntx].buf, &ntx, sizeof(ntx));
      wb.buf = tx[ntx].buf;
      wb.len = SIZE;
      r = WSASendTo(a, &wb, 1, &cnt, 0, (struct sockaddr *)&ba, sizeof(ba),
                    &tx[ntx].ov, NULL);
      ASSERT_TRUE(r == 0 || WSAGetLastError() == WSA_IO_PENDING);
      if (r == 0) {
        at_once++;
        tx[ntx].state = 1;
        if (cnt != SIZE) wrong++;
      }
      ntx++;
    }
    if (!GetQueuedCompletionStatusEx(port, e, 16, &n, 10, FALSE)) continue;
    for (k = 0; k < n; k++) {
      LPOVERLAPPED o = e[k].lpOverlapped;
      if (e[k].lpCompletionKey == 1) {
        int idx = (int)(((char *)o - (char *)tx) / (long)sizeof(tx[0]));
        if (tx[idx].state++) dup++;
        if (e[k].dwNumberOfBytesTransferred != SIZE) wrong++;
      } else {
        int idx = (int)(((char *)o - (char *)rx) / (long)sizeof(rx[0])), seq;
        if (rx[idx].state++) {
          dup++;
          continue;
        }
        got++;
        memcpy(&seq, rx[idx].buf, sizeof(seq));
        if (e[k].dwNumberOfBytesTransferred != SIZE || seq < 0 ||
            seq >= DGRAMS || seen[seq]++ ||
            (unsigned char)rx[idx].buf[SIZE - 1] != (unsigned char)seq)
          wrong++;
      }
    }
  }
  /* The sends all complete. */
  t0 = GetTickCount();
  for (;;) {
    OVERLAPPED_ENTRY e[16];
    ULONG n = 0, k;
    int open = 0;
    for (i = 0; i < ntx; i++) open += tx[i].state == 0;
    if (!open || GetTickCount() - t0 > 3000) break;
    if (!GetQueuedCompletionStatusEx(port, e, 16, &n, 10, FALSE)) continue;
    for (k = 0; k < n; k++) {
      int idx =
          (int)(((char *)e[k].lpOverlapped - (char *)tx) / (long)sizeof(tx[0]));
      ASSERT_EQ(e[k].lpCompletionKey, 1);
      if (tx[idx].state++) dup++;
    }
  }
  for (i = 0; i < ntx; i++) ASSERT_EQ(tx[i].state, 1);
  printf(
      "# udp: %d datagrams sent and received (%d requests done at once), %d "
      "wrong, %d duplicated\n",
      got, at_once, wrong, dup);
  total_requests += ntx + nrx;
  ASSERT_EQ(got, DGRAMS);
  ASSERT_EQ(wrong, 0);
  ASSERT_EQ(dup, 0);
  ASSERT_GT(layer_faults().delay + layer_faults().reorder, 0);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(b), 0);
  ASSERT_TRUE(CloseHandle(port));
  finish();
}

/* ---- Held requests: cancel and close ------------------------------------- */

TEST(held_requests_and_cancel_and_close) {
  int mode;
  start(6);
  for (mode = 0; mode < N_COUNT; mode++) {
    notif_t n;
    nf_fault_plan_t p;
    SOCKET c, s, base = INVALID_SOCKET;
    WSAOVERLAPPED ov;
    DWORD got = 0, ret = 0;
    char buf[64];
    int r, err;
    BOOL cancelled;
    got_t g;
    long long live;
    notif_init(&n, mode);
    memset(&p, 0, sizeof(p));
    p.seed = seed + 6;
    p.kinds = KBIT(NF_FK_RECV);
    p.hold = 1000;
    p.hold_ms = 5000;
    layer_plan(&p);

    /* 1. Held, then CancelIoEx on the layer's handle (which cannot reach
     * a layer) and on the base socket (nothing pending there any more):
     * released, it completes once, with its data. */
    t_tcp_pair(&c, &s);
    notif_attach(&n, c);
    r = post_recv(&n, c, &ov, buf, sizeof(buf), &got, &err);
    ASSERT_EQ(r, SOCKET_ERROR);
    ASSERT_EQ(err, WSA_IO_PENDING);
    ASSERT_EQ(send(s, "abc", 3, 0), 3);
    wait_held(1);
    none(&n, c, &ov);
    cancelled = CancelIoEx((HANDLE)c, &ov);
    /* ws2 keeps requests with an event or a port (found, but a non-IFS
     * request cannot be cancelled); a completion routine's is the
     * layer's alone. */
    if (mode == N_ROUTINE) {
      ASSERT_FALSE(cancelled);
      ASSERT_EQ(GetLastError(), ERROR_NOT_FOUND);
    } else {
      ASSERT_TRUE(cancelled);
    }
    ASSERT_EQ(WSAIoctl(c, SIO_BASE_HANDLE, NULL, 0, &base, sizeof(base), &ret,
                       NULL, NULL),
              0);
    ASSERT_FALSE(CancelIoEx((HANDLE)base, NULL));
    ASSERT_EQ(GetLastError(), ERROR_NOT_FOUND);
    none(&n, c, &ov);
    layer_release();
    g = once(&n, c, 1, &ov);
    ASSERT_EQ(g.err, 0);
    ASSERT_EQ(g.bytes, 3);
    ASSERT_MEM_EQ(buf, "abc", 3);

    /* 2. Aborted below (CancelIoEx on the base socket) and held: released,
     * it completes once, aborted. */
    r = post_recv(&n, c, &ov, buf, sizeof(buf), &got, &err);
    ASSERT_EQ(r, SOCKET_ERROR);
    ASSERT_EQ(err, WSA_IO_PENDING);
    ASSERT_TRUE(CancelIoEx((HANDLE)base, NULL));
    wait_held(1);
    none(&n, c, &ov);
    layer_release();
    g = once(&n, c, 1, &ov);
    ASSERT_EQ(g.err, WSA_OPERATION_ABORTED);
    ASSERT_EQ(g.bytes, 0);

    /* 3. closesocket while held: it returns at once; the handle lives
     * until the request is reported, once, with its data, and is given
     * back then. */
    live = layer_stats().sockets_live;
    r = post_recv(&n, c, &ov, buf, sizeof(buf), &got, &err);
    ASSERT_EQ(r, SOCKET_ERROR);
    ASSERT_EQ(err, WSA_IO_PENDING);
    ASSERT_EQ(send(s, "xyz", 3, 0), 3);
    wait_held(1);
    ASSERT_EQ(closesocket(c), 0);
    none(&n, c, &ov);
    ASSERT_EQ(layer_stats().sockets_live, live); /* still there */
    layer_release();
    g = once(&n, c, 0, &ov);
    ASSERT_EQ(g.err, 0);
    ASSERT_EQ(g.bytes, 3);
    ASSERT_MEM_EQ(buf, "xyz", 3);
    wait_layer_idle(live - 1); /* c given back */

    /* 4. A hold nobody releases ends by itself (hold_ms). */
    p.hold_ms = 150;
    layer_plan(&p);
    t_tcp_pair(&c, &base);
    notif_attach(&n, c);
    r = post_recv(&n, c, &ov, buf, sizeof(buf), &got, &err);
    ASSERT_EQ(r, SOCKET_ERROR);
    ASSERT_EQ(send(base, "q", 1, 0), 1);
    wait_held(1);
    g = once(&n, c, 1, &ov);
    ASSERT_EQ(g.err, 0);
    ASSERT_EQ(g.bytes, 1);
    ASSERT_EQ(layer_faults().held, 0);
    ASSERT_EQ(closesocket(c), 0);
    ASSERT_EQ(closesocket(base), 0);
    ASSERT_EQ(closesocket(s), 0);
    memset(&p, 0, sizeof(p));
    layer_plan(&p);
    notif_fini(&n);
  }
  finish();

  /* 5. WSACleanup with requests held (each kind but the routine's, whose
   * thread must not wait alertably with the layer gone): the layer reports
   * them as it stops, and the clean-up returns. */
  start(7);
  {
    notif_t n[2];
    SOCKET c[2], s[2];
    WSAOVERLAPPED ov[2];
    char buf[2][16];
    DWORD got, t0;
    int k, err;
    nf_fault_plan_t p;
    memset(&p, 0, sizeof(p));
    p.seed = seed + 7;
    p.kinds = KBIT(NF_FK_RECV);
    p.hold = 1000;
    p.hold_ms = 60000;
    layer_plan(&p);
    for (k = 0; k < 2; k++) {
      notif_init(&n[k], k == 0 ? N_EVENT : N_PORT_SKIP);
      t_tcp_pair(&c[k], &s[k]);
      notif_attach(&n[k], c[k]);
      ASSERT_EQ(post_recv(&n[k], c[k], &ov[k], buf[k], 16, &got, &err),
                SOCKET_ERROR);
      ASSERT_EQ(send(s[k], "z", 1, 0), 1);
    }
    wait_held(2);
    add_totals();
    t0 = GetTickCount();
    ASSERT_EQ(closesocket(ctl), 0);
    ctl = INVALID_SOCKET;
    t_cleanup();
    ASSERT_LT(GetTickCount() - t0, 3000);
    /* Reported once each (the event set; the packet queued). */
    ASSERT_EQ(WaitForSingleObject(ov[0].hEvent, 0), WAIT_OBJECT_0);
    {
      DWORD bytes;
      ULONG_PTR key;
      LPOVERLAPPED o = NULL;
      ASSERT_TRUE(GetQueuedCompletionStatus(n[1].port, &bytes, &key, &o, 0));
      ASSERT_EQ_PTR(o, &ov[1]);
      ASSERT_EQ(bytes, 1);
      ASSERT_FALSE(GetQueuedCompletionStatus(n[1].port, &bytes, &key, &o, 0));
    }
    for (k = 0; k < 2; k++) {
      ASSERT_TRUE(CloseHandle(n[k].ev));
      if (n[k].port) ASSERT_TRUE(CloseHandle(n[k].port));
    }
    t_remove_catalog();
  }
}

/* The figures of the whole run (it runs last). */
TEST(figures) {
  printf(
      "# all cases: %lld requests made by the tests; the layer saw %lld "
      "overlapped requests of the planned kinds and %lld of their "
      "completions; faults: %lld failed at once, %lld short transfers, %lld "
      "errors on completion, %lld delayed, %lld reported during the call "
      "(%lld returned pending), %lld reordered, %lld held; %lld reports made "
      "by the fault thread or out of turn, %lld after a later completion\n",
      total_requests, total.requests, total.completions, total.fail_now,
      total.short_io, total.fail_late, total.delay, total.in_call,
      total.in_call_pending, total.reorder, total.hold, total.reported,
      total.out_of_order);
}
