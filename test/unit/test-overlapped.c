/*
 * The completion rule (src/core/io.h): packets, events, APCs, skip modes,
 * cancellation, GetOverlappedResult, CreateIoCompletionPort association,
 * on a test device whose requests complete when the test says.
 */
#include "testdev.h"
#include "ws2test.h"

static HANDLE port_for(HANDLE dev, ULONG_PTR key) {
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_EQ_PTR(CreateIoCompletionPort(dev, port, key, 0), port);
  return port;
}

/* Asserts the port has no packet right now. */
static void no_packet(HANDLE port) {
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED ovl = (LPOVERLAPPED)1;
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(port, &bytes, &key, &ovl, 0),
                    FALSE, WAIT_TIMEOUT);
  ASSERT_EQ_PTR(ovl, NULL);
}

TEST(pending_completion_queues_packet_and_sets_event) {
  HANDLE dev = tdev_open(), port = port_for(dev, 77);
  OVERLAPPED ov = {0};
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;
  ws2__req_t *req;

  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  req = tdev_start(dev, &ov, WS2__ROUTINE_NONE, NULL);
  ASSERT_EQ_U(ov.Internal, STATUS_PENDING);
  ASSERT_FALSE(HasOverlappedIoCompleted(&ov));
  ASSERT_FAILS_WITH(GetOverlappedResult(dev, &ov, &bytes, FALSE), FALSE,
                    ERROR_IO_INCOMPLETE);
  no_packet(port);
  ws2__req_complete(req, 0, 123, 0, 0);
  ASSERT_TRUE(HasOverlappedIoCompleted(&ov));
  ASSERT_EQ(ov.InternalHigh, 123);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
  ASSERT_EQ(bytes, 123);
  ASSERT_EQ(key, 77);
  ASSERT_EQ_PTR(got, &ov);
  no_packet(port);
  ASSERT_TRUE(GetOverlappedResult(dev, &ov, &bytes, FALSE));
  ASSERT_EQ(bytes, 123);
  ASSERT_TRUE(CloseHandle(ov.hEvent));
  ASSERT_TRUE(CloseHandle(dev));
  ASSERT_TRUE(CloseHandle(port));
}

TEST(immediate_success_skips_packet_only_with_skip_mode) {
  HANDLE dev = tdev_open(), port = port_for(dev, 1);
  OVERLAPPED ov = {0};
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;

  /* Without the mode, an immediate success still queues a packet. */
  ws2__req_complete(tdev_start(dev, &ov, 0, NULL), 0, 5, 0, 1);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
  ASSERT_EQ_PTR(got, &ov);

  ASSERT_FAILS_WITH(SetFileCompletionNotificationModes(dev, 0x4), FALSE,
                    ERROR_INVALID_PARAMETER);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      dev, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  ws2__req_complete(tdev_start(dev, &ov, 0, NULL), 0, 6, 0, 1);
  no_packet(port);
  ASSERT_TRUE(GetOverlappedResult(dev, &ov, &bytes, FALSE));
  ASSERT_EQ(bytes, 6);

  /* What the caller was told decides, not timing: an operation reported
   * pending always gets its packet, with the mode or without. */
  ws2__req_complete(tdev_start(dev, &ov, 0, NULL), 0, 7, 0, 0);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
  ASSERT_EQ(bytes, 7);
  /* An immediate completion that is not a success is not skipped. */
  ws2__req_complete(tdev_start(dev, &ov, 0, NULL), (NTSTATUS)0x80000005, 8, 0,
                    1);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0),
                    FALSE, ERROR_MORE_DATA);
  ASSERT_EQ_PTR(got, &ov);
  ASSERT_TRUE(CloseHandle(dev));
  ASSERT_TRUE(CloseHandle(port));
}

TEST(event_low_bit_suppresses_packet_but_sets_event) {
  HANDLE dev = tdev_open(), port = port_for(dev, 1);
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  OVERLAPPED ov = {0};
  DWORD bytes;

  ov.hEvent = (HANDLE)((ULONG_PTR)ev | 1);
  ws2__req_complete(tdev_start(dev, &ov, 0, NULL), 0, 9, 0, 0);
  no_packet(port);
  ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
  ASSERT_TRUE(GetOverlappedResult(dev, &ov, &bytes, TRUE));
  ASSERT_EQ(bytes, 9);
  ASSERT_TRUE(CloseHandle(ev));
  ASSERT_TRUE(CloseHandle(dev));
  ASSERT_TRUE(CloseHandle(port));
}

TEST(failed_io_reads_differently_through_each_api) {
  HANDLE dev = tdev_open(), port = port_for(dev, 3);
  OVERLAPPED ov = {0};
  DWORD bytes = 99;
  ULONG_PTR key;
  LPOVERLAPPED got;
  OVERLAPPED_ENTRY e[2];
  ULONG n;

  ws2__req_complete(tdev_start(dev, &ov, 0, NULL), T_STATUS_CONNECTION_RESET,
                    0, 0, 0);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0),
                    FALSE, ERROR_NETNAME_DELETED);
  ASSERT_EQ_PTR(got, &ov);
  ASSERT_EQ(key, 3);
  ASSERT_FAILS_WITH(GetOverlappedResult(dev, &ov, &bytes, FALSE), FALSE,
                    ERROR_NETNAME_DELETED);
  /* GetQueuedCompletionStatusEx succeeds and reports the NTSTATUS. */
  ws2__req_complete(tdev_start(dev, &ov, 0, NULL), T_STATUS_CONNECTION_RESET,
                    0, 0, 0);
  ASSERT_TRUE(GetQueuedCompletionStatusEx(port, e, 2, &n, 0, FALSE));
  ASSERT_EQ(n, 1);
  ASSERT_EQ_U(e[0].Internal, 0xC000020D);
  ASSERT_TRUE(CloseHandle(dev));
  ASSERT_TRUE(CloseHandle(port));
}

static int routine_calls;
static DWORD routine_err, routine_bytes;
static LPOVERLAPPED routine_ovl;

static VOID WINAPI file_routine(DWORD err, DWORD bytes, LPOVERLAPPED ovl) {
  routine_calls++;
  routine_err = err;
  routine_bytes = bytes;
  routine_ovl = ovl;
}

TEST(completion_routine_runs_as_apc_without_packet_or_event) {
  HANDLE dev = tdev_open(), port = port_for(dev, 1);
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  OVERLAPPED ov = {0};

  ov.hEvent = ev; /* the caller's context when a routine is given */
  routine_calls = 0;
  ws2__req_complete(tdev_start(dev, &ov, WS2__ROUTINE_FILE, file_routine), 0,
                    42, 0, 1);
  ASSERT_EQ(routine_calls, 0); /* only in an alertable wait */
  Sleep(1);
  ASSERT_EQ(routine_calls, 0);
  ASSERT_EQ(SleepEx(0, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(routine_calls, 1);
  ASSERT_EQ(routine_err, 0);
  ASSERT_EQ(routine_bytes, 42);
  ASSERT_EQ_PTR(routine_ovl, &ov);
  no_packet(port);
  ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);

  ws2__req_complete(tdev_start(dev, &ov, WS2__ROUTINE_FILE, file_routine),
                    T_STATUS_CANCELLED, 0, 0, 0);
  ASSERT_EQ(SleepEx(100, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(routine_calls, 2);
  ASSERT_EQ(routine_err, ERROR_OPERATION_ABORTED);
  ASSERT_TRUE(CloseHandle(ev));
  ASSERT_TRUE(CloseHandle(dev));
  ASSERT_TRUE(CloseHandle(port));
}

TEST(cancel_completes_exactly_once) {
  HANDLE dev = tdev_open(), port = port_for(dev, 1);
  OVERLAPPED a = {0}, b = {0};
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;
  ws2__req_t *ra = tdev_start(dev, &a, 0, NULL);
  ws2__req_t *rb = tdev_start(dev, &b, 0, NULL);

  ws2__req_ref(ra); /* held across the late completion attempt below */
  ASSERT_TRUE(CancelIoEx(dev, &a));
  ASSERT_FAILS_WITH(CancelIoEx(dev, &a), FALSE, ERROR_NOT_FOUND);
  ws2__req_complete(ra, 0, 1, 0, 0); /* too late: ignored */
  ws2__req_unref(ra);
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0),
                    FALSE, ERROR_OPERATION_ABORTED);
  ASSERT_EQ_PTR(got, &a);
  no_packet(port);
  ASSERT_FAILS_WITH(GetOverlappedResult(dev, &a, &bytes, FALSE), FALSE,
                    ERROR_OPERATION_ABORTED);
  /* b finished before anyone cancelled it. */
  ws2__req_complete(rb, 0, 2, 0, 0);
  ASSERT_FAILS_WITH(CancelIoEx(dev, &b), FALSE, ERROR_NOT_FOUND);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0));
  ASSERT_EQ_PTR(got, &b);
  ASSERT_FAILS_WITH(CancelIoEx(NULL, NULL), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_TRUE(CloseHandle(dev));
  ASSERT_TRUE(CloseHandle(port));
}

static DWORD WINAPI start_on_other_thread(LPVOID arg) {
  void **a = arg;
  tdev_start((HANDLE)a[0], (LPOVERLAPPED)a[1], 0, NULL);
  return 0;
}

TEST(cancelio_cancels_only_the_calling_threads_requests) {
  HANDLE dev = tdev_open(), port = port_for(dev, 1);
  OVERLAPPED mine = {0}, theirs = {0};
  void *args[2] = {dev, &theirs};
  HANDLE t;
  DWORD bytes;
  ULONG_PTR key;
  LPOVERLAPPED got;

  tdev_start(dev, &mine, 0, NULL);
  t = CreateThread(NULL, 0, start_on_other_thread, args, 0, NULL);
  ASSERT_JOINED(t, 5000);
  ASSERT_TRUE(CancelIo(dev));
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0),
                    FALSE, ERROR_OPERATION_ABORTED);
  ASSERT_EQ_PTR(got, &mine);
  no_packet(port);
  ASSERT_EQ_U(theirs.Internal, STATUS_PENDING);
  /* Closing the handle cancels what is left. */
  ASSERT_TRUE(CloseHandle(dev));
  ASSERT_FAILS_WITH(GetQueuedCompletionStatus(port, &bytes, &key, &got, 0),
                    FALSE, ERROR_OPERATION_ABORTED);
  ASSERT_EQ_PTR(got, &theirs);
  ASSERT_TRUE(CloseHandle(port));
}

static DWORD WINAPI complete_later(LPVOID arg) {
  Sleep(50);
  ws2__req_complete((ws2__req_t *)arg, 0, 11, 0, 0);
  return 0;
}

TEST(getoverlappedresult_waits_on_event_or_handle) {
  HANDLE dev = tdev_open();
  OVERLAPPED ov = {0};
  DWORD bytes = 0;
  HANDLE t;
  int i;

  for (i = 0; i < 2; i++) {
    ov.hEvent = i ? CreateEventA(NULL, TRUE, FALSE, NULL) : NULL;
    t = CreateThread(NULL, 0, complete_later,
                     tdev_start(dev, &ov, 0, NULL), 0, NULL);
    ASSERT_TRUE(GetOverlappedResult(dev, &ov, &bytes, TRUE));
    ASSERT_EQ(bytes, 11);
    ASSERT_JOINED(t, 5000);
    if (ov.hEvent) ASSERT_TRUE(CloseHandle(ov.hEvent));
  }
  ov.hEvent = NULL;
  tdev_start(dev, &ov, 0, NULL);
  ASSERT_FAILS_WITH(GetOverlappedResultEx(dev, &ov, &bytes, 20, FALSE), FALSE,
                    WAIT_TIMEOUT);
  ASSERT_FAILS_WITH(GetOverlappedResultEx(dev, &ov, &bytes, 0, FALSE), FALSE,
                    ERROR_IO_INCOMPLETE);
  ASSERT_TRUE(CloseHandle(dev)); /* cancels it */
  ASSERT_EQ_U(ov.Internal, 0xC0000120);
}

TEST(association_rules) {
  HANDLE dev = tdev_open();
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  HANDLE port = CreateIoCompletionPort(dev, NULL, 5, 1);
  HANDLE other = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);

  ASSERT_NE_PTR(port, NULL);
  ASSERT_FAILS_WITH(CreateIoCompletionPort(dev, other, 6, 0), NULL,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(CreateIoCompletionPort(dev, NULL, 6, 0), NULL,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(CreateIoCompletionPort(ev, other, 6, 0), NULL,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(CreateIoCompletionPort(INVALID_HANDLE_VALUE, other, 6, 0),
                    NULL, ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(SetFileCompletionNotificationModes(ev, 1), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_TRUE(CloseHandle(ev));
  ASSERT_TRUE(CloseHandle(other));
  ASSERT_TRUE(CloseHandle(port));
  ASSERT_TRUE(CloseHandle(dev));
}

TEST(port_closed_with_io_in_flight_drops_packets_cleanly) {
  HANDLE dev = tdev_open(), port = port_for(dev, 1);
  OVERLAPPED ov = {0};
  ws2__req_t *req = tdev_start(dev, &ov, 0, NULL);
  ASSERT_TRUE(CloseHandle(port));
  ws2__req_complete(req, 0, 1, 0, 0); /* nobody can dequeue it: released */
  ASSERT_EQ_U(ov.Internal, 0);
  ASSERT_TRUE(CloseHandle(dev));
}

static DWORD WINAPI start_with_routine_and_exit(LPVOID arg) {
  void **a = arg;
  ws2__req_t *req =
      tdev_start((HANDLE)a[0], (LPOVERLAPPED)a[1], WS2__ROUTINE_FILE,
                 file_routine);
  ws2__req_complete(req, 0, 1, 0, 1); /* APC queued, never waited for */
  return 0;
}

TEST(thread_exit_discards_its_completion_routines) {
  HANDLE dev = tdev_open();
  OVERLAPPED ov = {0};
  void *args[2];
  HANDLE t;
  args[0] = dev;
  args[1] = &ov;
  routine_calls = 0;
  t = CreateThread(NULL, 0, start_with_routine_and_exit, args, 0, NULL);
  ASSERT_JOINED(t, 5000);
  ASSERT_EQ(routine_calls, 0);
  ASSERT_EQ(SleepEx(0, TRUE), 0);
  ASSERT_EQ(routine_calls, 0);
  ASSERT_TRUE(CloseHandle(dev));
}

/* Many requests, each completed by one thread while others cancel it:
 * every request yields exactly one packet. */
#define RACE_REQS 20000
static HANDLE race_dev;
static ws2__req_t *race_reqs[RACE_REQS];
static OVERLAPPED race_ovl[RACE_REQS];

static DWORD WINAPI race_completer(LPVOID arg) {
  int i;
  for (i = (int)(ULONG_PTR)arg; i < RACE_REQS; i += 2) {
    ws2__req_complete(race_reqs[i], 0, (ULONG_PTR)i, 0, 0);
    ws2__req_unref(race_reqs[i]); /* the performer's own reference */
  }
  return 0;
}

static DWORD WINAPI race_canceller(LPVOID arg) {
  int i;
  for (i = 0; i < RACE_REQS; i += 3) CancelIoEx(race_dev, &race_ovl[i]);
  return 0;
}

TEST(complete_and_cancel_race_yields_one_packet_each) {
  HANDLE port, t[3];
  static unsigned char seen[RACE_REQS];
  OVERLAPPED_ENTRY e[64];
  ULONG n, i, total = 0;
  int k;

  race_dev = tdev_open();
  port = port_for(race_dev, 1);
  memset(seen, 0, sizeof(seen));
  for (k = 0; k < RACE_REQS; k++) {
    race_reqs[k] = tdev_start(race_dev, &race_ovl[k], 0, NULL);
    /* Two parties may complete it (the completer and the cancel hook):
     * the completer holds its own reference across its call. */
    ws2__req_ref(race_reqs[k]);
  }
  t[0] = CreateThread(NULL, 0, race_completer, (LPVOID)0, 0, NULL);
  t[1] = CreateThread(NULL, 0, race_completer, (LPVOID)1, 0, NULL);
  t[2] = CreateThread(NULL, 0, race_canceller, NULL, 0, NULL);
  while (total < RACE_REQS) {
    ASSERT_TRUE(GetQueuedCompletionStatusEx(port, e, 64, &n, 5000, FALSE));
    for (i = 0; i < n; i++) {
      int idx = (int)(e[i].lpOverlapped - race_ovl);
      ASSERT_TRUE(idx >= 0 && idx < RACE_REQS);
      ASSERT_EQ(seen[idx], 0);
      seen[idx] = 1;
    }
    total += n;
  }
  no_packet(port);
  for (k = 0; k < 3; k++) ASSERT_JOINED(t[k], 10000);
  ASSERT_TRUE(CloseHandle(race_dev));
  ASSERT_TRUE(CloseHandle(port));
}

