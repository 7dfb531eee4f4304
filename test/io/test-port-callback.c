/*
 * Completion callbacks on a port (ws2_port_set_callback, <ws2ext/ws2ext.h>):
 *
 *  - a handle that is not a completion port is refused
 *    (ERROR_INVALID_HANDLE);
 *  - a request that an engine poll round completes goes to the callback,
 *    once, with the context, key, OVERLAPPED, error and byte count, and
 *    not to the port's queue; it is called by the thread whose ws2 wait
 *    polled (here the main thread waiting on another port, the harness's
 *    watchdog in its Sleep, or ws2's engine thread);
 *  - packets that do not come from a round (PostQueuedCompletionStatus, a
 *    request aborted by closesocket, one completed inline) are queued;
 *  - taking the callback away (fn NULL) sends later completions to the
 *    queue again, and returns only once a call in progress is over, or at
 *    once when the callback takes itself away;
 *  - a thread waiting on a port with a callback still gets the port's
 *    queued packets, but not the round's completions;
 *  - closing a port with its callback set is clean, and a completion for
 *    a socket still associated with the closed port calls nothing.
 *
 * Every wait is bounded. Runs on each engine.
 */
#include "ws2io.h"

#include <stdatomic.h>

enum { KEY_RECV = 0x5eed, KEY_POSTED = 0x9051, KEY_OTHER = 0x0777 };

/* What the callback saw: the number of calls and the last call's
 * arguments. The callback may run on another thread (ws2's engine thread,
 * or a test's driver thread): every field is atomic, and `calls` is
 * incremented last. */
static struct {
  atomic_long calls;
  _Atomic(void *) context;
  _Atomic(ULONG_PTR) key;
  _Atomic(LPOVERLAPPED) ovl;
  _Atomic(DWORD) error;
  _Atomic(DWORD) bytes;
  _Atomic(DWORD) tid;
} rec;

static int ctx_token; /* the context handed to the callback */

static void rec_reset(void) {
  atomic_store(&rec.calls, 0);
  atomic_store(&rec.context, NULL);
  atomic_store(&rec.key, 0);
  atomic_store(&rec.ovl, NULL);
  atomic_store(&rec.error, 0xdeadbeef);
  atomic_store(&rec.bytes, 0xdeadbeef);
  atomic_store(&rec.tid, 0);
}

static VOID WINAPI record_cb(PVOID context, ULONG_PTR key,
                             LPOVERLAPPED overlapped, DWORD error,
                             DWORD bytes) {
  atomic_store(&rec.context, context);
  atomic_store(&rec.key, key);
  atomic_store(&rec.ovl, overlapped);
  atomic_store(&rec.error, error);
  atomic_store(&rec.bytes, bytes);
  atomic_store(&rec.tid, GetCurrentThreadId());
  atomic_fetch_add(&rec.calls, 1);
}

static long rec_calls(void) { return atomic_load(&rec.calls); }

/* ---- Helpers. */

static HANDLE new_port(void) {
  HANDLE p = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_NE_PTR(p, NULL);
  return p;
}

/*
 * What cases 2 to 8 start from: a connected pair (c sends, s receives),
 * port p with s associated under `key` and, unless cb is NULL, the
 * callback cb with context &ctx_token; and q, a port nothing is
 * associated with, to wait on. fx_close ends what is still open (a case
 * that closes s or p itself sets it to INVALID_SOCKET or NULL).
 */
typedef struct {
  SOCKET c, s;
  HANDLE p, q;
} fixture_t;

static void fx_open(fixture_t *f, WS2_PORT_CALLBACK cb, ULONG_PTR key) {
  t_startup();
  t_tcp_pair(&f->c, &f->s);
  f->p = new_port();
  f->q = new_port();
  rec_reset();
  if (cb) ASSERT_TRUE(ws2_port_set_callback(f->p, cb, &ctx_token));
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)f->s, f->p, key, 0), f->p);
}

static void fx_close(fixture_t *f) {
  ASSERT_EQ(closesocket(f->c), 0);
  if (f->s != INVALID_SOCKET) ASSERT_EQ(closesocket(f->s), 0);
  if (f->p) {
    ASSERT_TRUE(ws2_port_set_callback(f->p, NULL, NULL));
    ASSERT_TRUE(CloseHandle(f->p));
  }
  ASSERT_TRUE(CloseHandle(f->q));
  t_cleanup();
}

/* An overlapped WSARecv into buf that must pend (no data there yet). */
static void recv_pending(SOCKET s, WSAOVERLAPPED *ov, char *buf, ULONG len) {
  WSABUF b;
  DWORD n = 0, flags = 0;
  memset(ov, 0, sizeof(*ov));
  b.buf = buf;
  b.len = len;
  ASSERT_EQ(WSARecv(s, &b, 1, &n, &flags, ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
}

/* Waits on q (a port nothing is associated with) in 50 ms slices until
 * done(arg) or ms milliseconds pass; done NULL: for ms. Such a wait polls
 * ws2's engine and runs the callbacks of the rounds it polls. */
static void drive_engine(HANDLE q, DWORD ms, int (*done)(void *), void *arg) {
  DWORD t0 = GetTickCount(), bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;
  while (!(done && done(arg)) && GetTickCount() - t0 < ms) {
    ASSERT_FALSE(GetQueuedCompletionStatus(q, &bytes, &key, &got, 50));
    ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
  }
}

static int calls_reached(void *want) { return rec_calls() >= *(long *)want; }
static int ov_completed(void *ov) {
  return HasOverlappedIoCompleted((LPOVERLAPPED)ov);
}

/* The next packet of port (within 2 s): a success of `bytes` for ov. */
static void assert_dequeued(HANDLE port, DWORD bytes, ULONG_PTR key,
                            LPOVERLAPPED ov) {
  DWORD n;
  ULONG_PTR k;
  LPOVERLAPPED got;
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &k, &got, 2000));
  ASSERT_EQ(n, bytes);
  ASSERT_EQ_U(k, key);
  ASSERT_EQ_PTR(got, ov);
}

/* A port's queue is empty. */
static void assert_port_empty(HANDLE port) {
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
}

/* The pending receive ov on s completed with `want` (len bytes). */
static void assert_received(SOCKET s, WSAOVERLAPPED *ov, const char *buf,
                            const char *want, DWORD len) {
  DWORD n = 0, flags = 0;
  ASSERT_TRUE(HasOverlappedIoCompleted(ov));
  ASSERT_TRUE(WSAGetOverlappedResult(s, ov, &n, FALSE, &flags));
  ASSERT_EQ(n, len);
  ASSERT_MEM_EQ(buf, want, len);
}

/* A receive on f->s that goes to f->p's queue, not to a callback: msg,
 * sent from f->c, comes as the next packet of f->p, with key. */
static void assert_recv_queued(fixture_t *f, WSAOVERLAPPED *ov, char *buf,
                               ULONG len, const char *msg, ULONG_PTR key) {
  DWORD n = (DWORD)strlen(msg);
  memset(buf, 0, len);
  recv_pending(f->s, ov, buf, len);
  ASSERT_EQ(send(f->c, msg, (int)n, 0), (int)n);
  assert_dequeued(f->p, n, key, ov);
  assert_received(f->s, ov, buf, msg, n);
}

/* ---- 1. Only a completion port takes a callback. */

TEST(not_a_completion_port) {
  SOCKET c, s;
  HANDLE ev, p;
  t_startup();
  rec_reset();
  ev = CreateEventW(NULL, TRUE, FALSE, NULL);
  ASSERT_NE_PTR(ev, NULL);
  ASSERT_FAILS_WITH(ws2_port_set_callback(ev, record_cb, &ctx_token), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(ws2_port_set_callback(ev, NULL, NULL), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(ws2_port_set_callback(NULL, record_cb, &ctx_token), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(
      ws2_port_set_callback(INVALID_HANDLE_VALUE, record_cb, &ctx_token), FALSE,
      ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(ws2_port_set_callback((HANDLE)(ULONG_PTR)0x7ead0f00,
                                          record_cb, &ctx_token),
                    FALSE, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(
      ws2_port_set_callback(GetCurrentThread(), record_cb, &ctx_token), FALSE,
      ERROR_INVALID_HANDLE);
  /* A socket is a handle, but not a port. */
  t_tcp_pair(&c, &s);
  ASSERT_FAILS_WITH(ws2_port_set_callback((HANDLE)s, record_cb, &ctx_token),
                    FALSE, ERROR_INVALID_HANDLE);
  /* A port: yes; once closed: no. */
  p = new_port();
  ASSERT_TRUE(ws2_port_set_callback(p, record_cb, &ctx_token));
  ASSERT_TRUE(ws2_port_set_callback(p, NULL, NULL));
  ASSERT_TRUE(CloseHandle(p));
  ASSERT_FAILS_WITH(ws2_port_set_callback(p, record_cb, &ctx_token), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_EQ(rec_calls(), 0);
  ASSERT_TRUE(CloseHandle(ev));
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}

/* ---- 2. A completion from an engine round goes to the callback. */

TEST(engine_completion_goes_to_the_callback) {
  fixture_t f;
  WSAOVERLAPPED ov;
  char buf[16];
  long one = 1;
  DWORD tid;
  fx_open(&f, record_cb, KEY_RECV);
  memset(buf, 0, sizeof(buf));
  recv_pending(f.s, &ov, buf, sizeof(buf));
  ASSERT_EQ(rec_calls(), 0);
  ASSERT_EQ(send(f.c, "hello", 5, 0), 5);
  drive_engine(f.q, 2000, calls_reached, &one);
  ASSERT_EQ(rec_calls(), 1);
  drive_engine(f.q, 100, NULL, NULL); /* a second call would come now */
  ASSERT_EQ(rec_calls(), 1);
  ASSERT_EQ_PTR(atomic_load(&rec.context), &ctx_token);
  ASSERT_EQ_U(atomic_load(&rec.key), KEY_RECV);
  ASSERT_EQ_PTR(atomic_load(&rec.ovl), &ov);
  ASSERT_EQ(atomic_load(&rec.error), 0);
  ASSERT_EQ(atomic_load(&rec.bytes), 5);
  tid = atomic_load(&rec.tid);
  ASSERT_NE(tid, 0);
  printf("# the callback ran on %s\n", tid == GetCurrentThreadId()
                                           ? "the waiting (main) thread"
                                           : "another thread (engine)");
  /* The request itself completed, and nothing went to the queue. */
  assert_received(f.s, &ov, buf, "hello", 5);
  assert_port_empty(f.p);
  fx_close(&f);
}

/* ---- 3. Packets from outside a round are queued. */

TEST(posted_inline_and_aborted_packets_are_queued) {
  fixture_t f;
  WSAOVERLAPPED ov, posted_ov;
  WSABUF b;
  char buf[16];
  DWORD bytes, n = 0, flags = 0, t0;
  ULONG_PTR key;
  LPOVERLAPPED got;
  u_long avail = 0;
  fx_open(&f, record_cb, KEY_RECV);

  /* PostQueuedCompletionStatus. */
  ASSERT_TRUE(PostQueuedCompletionStatus(f.p, 123, KEY_POSTED, &posted_ov));
  assert_dequeued(f.p, 123, KEY_POSTED, &posted_ov);
  ASSERT_EQ(rec_calls(), 0);

  /* A receive that completes inline (its data already there). */
  ASSERT_EQ(send(f.c, "inl", 3, 0), 3);
  t0 = GetTickCount();
  while (avail < 3 && GetTickCount() - t0 < 2000) {
    ASSERT_EQ(ioctlsocket(f.s, FIONREAD, &avail), 0);
    if (avail < 3) SwitchToThread();
  }
  ASSERT_EQ(avail, 3);
  memset(&ov, 0, sizeof(ov));
  memset(buf, 0, sizeof(buf));
  b.buf = buf;
  b.len = sizeof(buf);
  ASSERT_EQ(WSARecv(f.s, &b, 1, &n, &flags, &ov, NULL), 0);
  ASSERT_EQ(n, 3);
  assert_dequeued(f.p, 3, KEY_RECV, &ov);
  ASSERT_MEM_EQ(buf, "inl", 3);
  ASSERT_EQ(rec_calls(), 0);

  /* A pending receive aborted by closesocket. */
  recv_pending(f.s, &ov, buf, sizeof(buf));
  ASSERT_EQ(closesocket(f.s), 0);
  f.s = INVALID_SOCKET;
  ASSERT_FALSE(GetQueuedCompletionStatus(f.p, &bytes, &key, &got, 1000));
  ASSERT_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
  ASSERT_EQ_PTR(got, &ov);
  ASSERT_EQ_U(key, KEY_RECV);
  ASSERT_EQ(bytes, 0);
  /* Not given to the callback as well, even after some rounds. */
  drive_engine(f.q, 100, NULL, NULL);
  ASSERT_EQ(rec_calls(), 0);
  assert_port_empty(f.p);

  fx_close(&f);
}

/* ---- 4. fn NULL takes the callback away: the queue gets them again. */

TEST(callback_taken_away) {
  fixture_t f;
  WSAOVERLAPPED ov;
  char buf[16];
  long one = 1;
  fx_open(&f, record_cb, KEY_RECV);
  /* With it: the first completion goes to the callback. */
  recv_pending(f.s, &ov, buf, sizeof(buf));
  ASSERT_EQ(send(f.c, "one", 3, 0), 3);
  drive_engine(f.q, 2000, calls_reached, &one);
  ASSERT_EQ(rec_calls(), 1);
  assert_received(f.s, &ov, buf, "one", 3);
  /* Without it: the second is queued, and a wait on p itself gets it. */
  ASSERT_TRUE(ws2_port_set_callback(f.p, NULL, NULL));
  assert_recv_queued(&f, &ov, buf, sizeof(buf), "two!", KEY_RECV);
  ASSERT_EQ(rec_calls(), 1);
  fx_close(&f);
}

/* ---- 5. A thread waiting on a port with a callback. */

struct waiter {
  HANDLE port;
  BOOL ok;
  DWORD err, bytes;
  ULONG_PTR key;
  LPOVERLAPPED ovl;
};

static DWORD WINAPI waiter_main(LPVOID arg) {
  struct waiter *w = arg;
  w->ok = GetQueuedCompletionStatus(w->port, &w->bytes, &w->key, &w->ovl, 2000);
  w->err = w->ok ? 0 : GetLastError();
  return 0;
}

TEST(port_threads_still_get_queued_packets) {
  fixture_t f;
  HANDLE t;
  WSAOVERLAPPED ov, posted_ov;
  char buf[16];
  long one = 1;
  struct waiter w;
  fx_open(&f, record_cb, KEY_RECV);
  memset(&w, 0, sizeof(w));
  w.port = f.p;
  t = CreateThread(NULL, 0, waiter_main, &w, 0, NULL);
  ASSERT_NE_PTR(t, NULL);
  Sleep(100); /* let it block in GetQueuedCompletionStatus(p) */
  ASSERT_EQ(WaitForSingleObject(t, 0), WAIT_TIMEOUT);
  /* A round's completion goes to the callback, not to the waiter. */
  recv_pending(f.s, &ov, buf, sizeof(buf));
  ASSERT_EQ(send(f.c, "cb", 2, 0), 2);
  drive_engine(f.q, 1000, calls_reached, &one);
  ASSERT_EQ(rec_calls(), 1);
  ASSERT_EQ_PTR(atomic_load(&rec.ovl), &ov);
  assert_received(f.s, &ov, buf, "cb", 2);
  ASSERT_EQ(WaitForSingleObject(t, 0), WAIT_TIMEOUT);
  /* A posted packet goes to the waiter. */
  ASSERT_TRUE(PostQueuedCompletionStatus(f.p, 9, KEY_POSTED, &posted_ov));
  ASSERT_JOINED(t, 3000);
  ASSERT_TRUE(w.ok);
  ASSERT_EQ(w.bytes, 9);
  ASSERT_EQ_U(w.key, KEY_POSTED);
  ASSERT_EQ_PTR(w.ovl, &posted_ov);
  ASSERT_EQ(rec_calls(), 1);
  assert_port_empty(f.p);
  fx_close(&f);
}

/* ---- 6. Closing a port with its callback set. */

TEST(close_port_with_callback_set) {
  fixture_t f;
  WSAOVERLAPPED ov;
  char buf[16];
  fx_open(&f, record_cb, KEY_RECV);
  ASSERT_TRUE(CloseHandle(f.p)); /* nothing pending */
  ASSERT_FAILS_WITH(ws2_port_set_callback(f.p, NULL, NULL), FALSE,
                    ERROR_INVALID_HANDLE);
  f.p = NULL;
  /* s is still associated with the closed port: its next request
   * completes, and its packet is dropped; no callback is called. */
  memset(buf, 0, sizeof(buf));
  recv_pending(f.s, &ov, buf, sizeof(buf));
  ASSERT_EQ(send(f.c, "late", 4, 0), 4);
  drive_engine(f.q, 2000, ov_completed, &ov);
  assert_received(f.s, &ov, buf, "late", 4);
  drive_engine(f.q, 100, NULL, NULL);
  ASSERT_EQ(rec_calls(), 0);
  fx_close(&f);
}

/* ---- 7. Taking the callback away waits for a call in progress. */

static atomic_int slow_entered, slow_left, driver_stop;

static VOID WINAPI slow_cb(PVOID context, ULONG_PTR key,
                           LPOVERLAPPED overlapped, DWORD error, DWORD bytes) {
  DWORD t0 = GetTickCount();
  atomic_store(&slow_entered, 1);
  while (GetTickCount() - t0 < 150) SwitchToThread();
  record_cb(context, key, overlapped, error, bytes);
  atomic_store(&slow_left, 1);
}

/* Waits on its own empty port until told to stop (3 s at most): the
 * thread that polls the engine and runs the callbacks. */
static DWORD WINAPI driver_main(LPVOID arg) {
  HANDLE q = arg;
  DWORD t0 = GetTickCount(), bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;
  while (!atomic_load(&driver_stop) && GetTickCount() - t0 < 3000)
    GetQueuedCompletionStatus(q, &bytes, &key, &got, 50);
  return 0;
}

TEST(taking_away_waits_for_a_call_in_progress) {
  fixture_t f;
  HANDLE t;
  WSAOVERLAPPED ov;
  char buf[16];
  DWORD t0;
  fx_open(&f, slow_cb, KEY_RECV);
  atomic_store(&slow_entered, 0);
  atomic_store(&slow_left, 0);
  atomic_store(&driver_stop, 0);
  t = CreateThread(NULL, 0, driver_main, f.q, 0, NULL);
  ASSERT_NE_PTR(t, NULL);
  recv_pending(f.s, &ov, buf, sizeof(buf));
  ASSERT_EQ(send(f.c, "slow", 4, 0), 4);
  /* This thread stays out of ws2's waits: another one runs the call. */
  t0 = GetTickCount();
  while (!atomic_load(&slow_entered) && GetTickCount() - t0 < 2000)
    SwitchToThread();
  ASSERT_TRUE(atomic_load(&slow_entered));
  ASSERT_TRUE(ws2_port_set_callback(f.p, NULL, NULL));
  ASSERT_TRUE(atomic_load(&slow_left)); /* returned after the call ended */
  atomic_store(&driver_stop, 1);
  ASSERT_JOINED(t, 3000);
  ASSERT_EQ(rec_calls(), 1);
  ASSERT_EQ_PTR(atomic_load(&rec.ovl), &ov);
  assert_received(f.s, &ov, buf, "slow", 4);
  assert_port_empty(f.p);
  fx_close(&f);
}

/* ---- 8. A callback that takes itself away. */

static atomic_int self_remove_result;

static VOID WINAPI self_remove_cb(PVOID context, ULONG_PTR key,
                                  LPOVERLAPPED overlapped, DWORD error,
                                  DWORD bytes) {
  /* Must not wait for its own call to end. */
  atomic_store(&self_remove_result,
               ws2_port_set_callback((HANDLE)context, NULL, NULL) ? 1 : 0);
  record_cb(context, key, overlapped, error, bytes);
}

TEST(callback_takes_itself_away) {
  fixture_t f;
  WSAOVERLAPPED ov;
  char buf[16];
  long one = 1;
  fx_open(&f, NULL, KEY_OTHER);
  atomic_store(&self_remove_result, -1);
  ASSERT_TRUE(ws2_port_set_callback(f.p, self_remove_cb, f.p));
  recv_pending(f.s, &ov, buf, sizeof(buf));
  ASSERT_EQ(send(f.c, "first", 5, 0), 5);
  drive_engine(f.q, 2000, calls_reached, &one);
  ASSERT_EQ(rec_calls(), 1);
  ASSERT_EQ(atomic_load(&self_remove_result), 1);
  ASSERT_EQ_PTR(atomic_load(&rec.context), f.p);
  ASSERT_EQ_U(atomic_load(&rec.key), KEY_OTHER);
  assert_received(f.s, &ov, buf, "first", 5);
  /* Gone: the next completion is queued. */
  assert_recv_queued(&f, &ov, buf, sizeof(buf), "next", KEY_OTHER);
  ASSERT_EQ(rec_calls(), 1);
  fx_close(&f);
}
