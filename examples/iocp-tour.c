/*
 * iocp-tour.c: a guided tour of the Windows kernel objects that Winsock
 * programs are built on: a completion port served by worker threads,
 * manual- and auto-reset events, APCs delivered in alertable waits, and
 * batch dequeue with GetQueuedCompletionStatusEx.
 *
 * It is an ordinary Windows program: it includes only <windows.h> and the
 * C library, and builds unchanged with ws2 on Linux
 *
 *   cc iocp-tour.c $(pkg-config --cflags --libs ws2)
 *
 * and with a Windows compiler
 *
 *   x86_64-w64-mingw32-gcc iocp-tour.c -o iocp-tour.exe
 *
 * Every line it prints is a count or a yes/no, never a timing, so two runs
 * print the same text. It exits 0 when everything behaved as Windows
 * documents, 1 (after saying what) otherwise.
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_WORKERS 4
#define ITEMS_PER_ROUND 1000
#define NUM_ROUNDS 2
#define TOTAL_ITEMS (ITEMS_PER_ROUND * NUM_ROUNDS)
#define BATCH_PACKETS 10
#define BATCH_SIZE 4

/*
 * A completion key travels with every packet. Programs usually store a
 * per-handle pointer there; here it says what kind of packet it is.
 */
#define KEY_WORK 1      /* lpOverlapped points at a WORK_ITEM */
#define KEY_CALL_HOME 2 /* queue an APC to the main thread */
#define KEY_QUIT 3      /* the sentinel: the worker returns */

/*
 * The port hands back the OVERLAPPED pointer it was given, untouched.
 * Programs embed the OVERLAPPED at the start of their own per-request
 * structure and cast the pointer back, as AcceptEx and WSARecv users do.
 */
typedef struct WORK_ITEM {
  OVERLAPPED ov;
  LONG input;
  LONG64 result;
} WORK_ITEM;

static HANDLE g_port;        /* the completion port the workers serve */
static HANDLE g_round_done;  /* auto-reset: the last item of a round ran */
static HANDLE g_all_done;    /* manual-reset: every item has run */
static HANDLE g_main_thread; /* a real handle to the main thread */
static DWORD g_main_thread_id;
static LONG g_completed; /* items finished so far, by all workers */
static WORK_ITEM g_items[TOTAL_ITEMS];

static LONG g_failures; /* workers may fail too: counted atomically */

/* Prints a line when something did not behave as Windows documents. */
static void expect(int ok, const char *what) {
  if (!ok) {
    printf("  !! unexpected: %s (GetLastError() = %lu)\n", what,
           (unsigned long)GetLastError());
    InterlockedIncrement(&g_failures);
  }
}

/* ---- APC routines: they run only inside an alertable wait. ---- */

static int g_apc_order[8];
static int g_apc_count;
static int g_apc_on_main;

static VOID CALLBACK record_apc(ULONG_PTR param) {
  if (g_apc_count < 8) g_apc_order[g_apc_count] = (int)param;
  g_apc_count++;
  if (GetCurrentThreadId() == g_main_thread_id) g_apc_on_main++;
}

/*
 * A worker thread: dequeue a packet, act on its key, repeat until the
 * sentinel arrives. Its exit code is the number of work items it handled.
 */
static DWORD WINAPI worker(LPVOID arg) {
  DWORD handled = 0;
  (void)arg;

  for (;;) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED ov = NULL;

    /*
     * INFINITE: the worker sleeps in the port until a packet arrives.
     * Waiting workers are woken last-in first-out, so a busy port keeps
     * reusing the same few (cache-warm) threads.
     */
    if (!GetQueuedCompletionStatus(g_port, &bytes, &key, &ov, INFINITE)) {
      expect(0, "GetQueuedCompletionStatus failed in a worker");
      return handled;
    }

    if (key == KEY_QUIT) return handled;

    if (key == KEY_CALL_HOME) {
      /* Runs in the main thread, the next time it waits alertably. */
      QueueUserAPC(record_apc, g_main_thread, (ULONG_PTR)bytes);
      continue;
    }

    /* KEY_WORK: bytes carries the item's input as a second check. */
    WORK_ITEM *item = (WORK_ITEM *)ov;
    expect((LONG)bytes == item->input, "packet byte count != item input");
    item->result = (LONG64)item->input * item->input;
    handled++;

    /*
     * Count the item; the worker that finishes the last item of a round
     * (or of everything) says so through an event.
     */
    LONG done = InterlockedIncrement(&g_completed);
    if (done % ITEMS_PER_ROUND == 0) SetEvent(g_round_done);
    if (done == TOTAL_ITEMS) SetEvent(g_all_done);
  }
}

int main(void) {
  HANDLE threads[NUM_WORKERS];
  DWORD r;
  int i;

  /* Step 1 ---------------------------------------------------------- */
  printf("1. A completion port and %d worker threads\n", NUM_WORKERS);

  /*
   * INVALID_HANDLE_VALUE and NULL: make a new port, associated with no
   * handle yet. The last argument caps how many threads the port lets
   * run at once; a worker that blocks in a wait makes room for another.
   */
  g_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, NUM_WORKERS);
  expect(g_port != NULL, "CreateIoCompletionPort");

  /* Auto-reset: a satisfied wait resets it. Manual: it stays set. */
  g_round_done = CreateEventA(NULL, FALSE, FALSE, NULL);
  g_all_done = CreateEventA(NULL, TRUE, FALSE, NULL);
  expect(g_round_done != NULL && g_all_done != NULL, "CreateEventA");

  /*
   * GetCurrentThread() returns a pseudo-handle that means "the calling
   * thread" to whoever uses it, so a worker could not use it to reach us.
   * DuplicateHandle turns it into a real handle any thread can use.
   * (OpenThread(THREAD_SET_CONTEXT, FALSE, id) would do as well.)
   */
  g_main_thread_id = GetCurrentThreadId();
  expect(DuplicateHandle(GetCurrentProcess(), GetCurrentThread(),
                         GetCurrentProcess(), &g_main_thread, 0, FALSE,
                         DUPLICATE_SAME_ACCESS),
         "DuplicateHandle of the main thread");

  for (i = 0; i < NUM_WORKERS; i++) {
    threads[i] = CreateThread(NULL, 0, worker, NULL, 0, NULL);
    expect(threads[i] != NULL, "CreateThread");
  }
  printf(
      "   port created (at most %d threads running at once), "
      "%d workers started\n",
      NUM_WORKERS, NUM_WORKERS);

  /* Step 2 ---------------------------------------------------------- */
  printf("2. Work items posted with PostQueuedCompletionStatus\n");

  for (int round = 0; round < NUM_ROUNDS; round++) {
    for (i = round * ITEMS_PER_ROUND; i < (round + 1) * ITEMS_PER_ROUND; i++) {
      g_items[i].input = i + 1;
      /* The port does no I/O here: it just queues the three values. */
      expect(PostQueuedCompletionStatus(g_port, (DWORD)(i + 1), KEY_WORK,
                                        &g_items[i].ov),
             "PostQueuedCompletionStatus");
    }
    /*
     * The same auto-reset event serves both rounds: the wait that sees
     * it set also resets it, so no ResetEvent is needed in between.
     */
    r = WaitForSingleObject(g_round_done, 5000);
    expect(r == WAIT_OBJECT_0, "round-done event was not set");
    printf(
        "   round %d: posted %d items; the auto-reset event said "
        "\"round done\"\n",
        round + 1, ITEMS_PER_ROUND);
  }

  r = WaitForSingleObject(g_all_done, 5000);
  expect(r == WAIT_OBJECT_0, "all-done event was not set");

  LONG64 sum = 0, want = 0;
  int wrong = 0;
  for (i = 0; i < TOTAL_ITEMS; i++) {
    sum += g_items[i].result;
    want += (LONG64)(i + 1) * (i + 1);
    if (g_items[i].result != (LONG64)(i + 1) * (i + 1)) wrong++;
  }
  expect(wrong == 0 && sum == want, "some results are wrong");
  printf(
      "   the workers completed %ld items, %d with a wrong result; "
      "sum of squares 1..%d = %lld\n",
      (long)g_completed, wrong, TOTAL_ITEMS, (long long)sum);

  /* Step 3 ---------------------------------------------------------- */
  printf("3. Manual-reset and auto-reset events\n");

  /* A manual-reset event stays signalled for every waiter... */
  r = WaitForSingleObject(g_all_done, 0);
  expect(r == WAIT_OBJECT_0, "manual-reset event lost its signal");
  printf(
      "   manual-reset \"all done\": still set when waited on again: "
      "%s\n",
      r == WAIT_OBJECT_0 ? "yes" : "no");
  ResetEvent(g_all_done);
  r = WaitForSingleObject(g_all_done, 0);
  expect(r == WAIT_TIMEOUT, "ResetEvent did not clear the event");
  printf(
      "   after ResetEvent, a zero-timeout wait returns WAIT_TIMEOUT: "
      "%s\n",
      r == WAIT_TIMEOUT ? "yes" : "no");

  /* ...an auto-reset event releases exactly one wait per SetEvent. */
  SetEvent(g_round_done);
  DWORD first = WaitForSingleObject(g_round_done, 0);
  DWORD second = WaitForSingleObject(g_round_done, 0);
  expect(first == WAIT_OBJECT_0 && second == WAIT_TIMEOUT,
         "auto-reset event did not reset itself");
  printf(
      "   auto-reset \"round done\": one SetEvent satisfied %d of 2 "
      "waits\n",
      (first == WAIT_OBJECT_0) + (second == WAIT_OBJECT_0));

  /* Step 4 ---------------------------------------------------------- */
  printf("4. APCs: queued with QueueUserAPC, run in alertable waits\n");

  /* Three APCs queued to ourselves. They wait in our APC queue... */
  for (i = 1; i <= 3; i++)
    QueueUserAPC(record_apc, g_main_thread, (ULONG_PTR)i);

  /* ...through a non-alertable wait, which never runs them... */
  Sleep(1);
  printf("   after Sleep (not alertable): %d of 3 APCs ran\n", g_apc_count);
  expect(g_apc_count == 0, "an APC ran outside an alertable wait");

  /* ...and run, all of them and in order, in the next alertable one. */
  r = SleepEx(0, TRUE);
  expect(r == WAIT_IO_COMPLETION,
         "SleepEx did not return "
         "WAIT_IO_COMPLETION");
  expect(g_apc_count == 3 && g_apc_order[0] == 1 && g_apc_order[1] == 2 &&
             g_apc_order[2] == 3,
         "APCs did not run once each, first in first out");
  printf(
      "   SleepEx(0, TRUE) returned %s after running %d APCs in the "
      "order %d %d %d\n",
      r == WAIT_IO_COMPLETION ? "WAIT_IO_COMPLETION" : "something else",
      g_apc_count, g_apc_order[0], g_apc_order[1], g_apc_order[2]);

  /*
   * Now from another thread: ask a worker (through the port) to queue an
   * APC to us, and wait alertably. Nothing else can end this wait early,
   * so it returns WAIT_IO_COMPLETION as soon as the APC has run.
   */
  g_apc_count = 0;
  g_apc_on_main = 0;
  PostQueuedCompletionStatus(g_port, 42, KEY_CALL_HOME, NULL);
  /* g_all_done was reset above and nobody sets it: only the APC can end
   * this wait before its timeout. */
  r = WaitForSingleObjectEx(g_all_done, 5000, TRUE);
  expect(r == WAIT_IO_COMPLETION && g_apc_count == 1,
         "the worker's APC did not end the alertable wait");
  printf(
      "   a worker queued an APC to the main thread; "
      "WaitForSingleObjectEx(..., TRUE)\n"
      "   returned %s; the APC ran on the main thread: %s, with "
      "parameter %d\n",
      r == WAIT_IO_COMPLETION ? "WAIT_IO_COMPLETION" : "something else",
      g_apc_on_main == 1 ? "yes" : "no", g_apc_order[0]);

  /* Step 5 ---------------------------------------------------------- */
  printf("5. GetQueuedCompletionStatusEx: several packets per call\n");

  /* A second port that no worker serves, so the counts are ours alone. */
  HANDLE batch_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  expect(batch_port != NULL, "CreateIoCompletionPort (batch port)");
  for (i = 0; i < BATCH_PACKETS; i++)
    PostQueuedCompletionStatus(batch_port, (DWORD)i, (ULONG_PTR)(100 + i),
                               NULL);

  OVERLAPPED_ENTRY entries[BATCH_SIZE];
  ULONG removed = 0;
  int calls = 0, got = 0, in_order = 1;
  printf("   posted %d packets; dequeued in batches of up to %d:",
         BATCH_PACKETS, BATCH_SIZE);
  while (got < BATCH_PACKETS &&
         GetQueuedCompletionStatusEx(batch_port, entries, BATCH_SIZE, &removed,
                                     1000, FALSE)) {
    for (ULONG k = 0; k < removed; k++) {
      /* Packets come out in the order they went in. */
      if (entries[k].lpCompletionKey != (ULONG_PTR)(100 + got) ||
          entries[k].dwNumberOfBytesTransferred != (DWORD)got)
        in_order = 0;
      got++;
    }
    printf(" %lu", (unsigned long)removed);
    calls++;
  }
  printf(" (%d calls)\n", calls);
  expect(got == BATCH_PACKETS && calls == 3 && in_order,
         "batch dequeue did not give 4, 4, 2 packets in order");

  /* An empty port and a zero timeout: FALSE with WAIT_TIMEOUT. */
  BOOL ok = GetQueuedCompletionStatusEx(batch_port, entries, BATCH_SIZE,
                                        &removed, 0, FALSE);
  DWORD err = GetLastError();
  expect(!ok && err == WAIT_TIMEOUT, "empty port did not time out");
  printf(
      "   on the empty port with a zero timeout: %s, "
      "GetLastError() = %s\n",
      ok ? "TRUE" : "FALSE",
      err == WAIT_TIMEOUT ? "WAIT_TIMEOUT" : "something else");

  /* Alertable: an APC ends the wait, with no packet. */
  g_apc_count = 0;
  QueueUserAPC(record_apc, g_main_thread, 7);
  ok = GetQueuedCompletionStatusEx(batch_port, entries, BATCH_SIZE, &removed,
                                   5000, TRUE);
  err = GetLastError();
  expect(!ok && err == WAIT_IO_COMPLETION && g_apc_count == 1,
         "alertable GetQueuedCompletionStatusEx did not run the APC");
  printf(
      "   alertable, with an APC queued: %s, GetLastError() = %s, "
      "%d APC ran\n",
      ok ? "TRUE" : "FALSE",
      err == WAIT_IO_COMPLETION ? "WAIT_IO_COMPLETION" : "something else",
      g_apc_count);

  /* Step 6 ---------------------------------------------------------- */
  printf("6. Shutdown: one sentinel packet per worker\n");

  /*
   * Each worker returns when it dequeues a KEY_QUIT packet, so one per
   * worker stops them all, after any work still queued ahead of them.
   */
  for (i = 0; i < NUM_WORKERS; i++)
    PostQueuedCompletionStatus(g_port, 0, KEY_QUIT, NULL);

  /*
   * Thread handles are waitable: they become signalled when the thread
   * ends, and wait-all returns when every one has. Waiting first matters:
   * GetExitCodeThread alone cannot tell a running thread from one that
   * returned 259, since that is the value of STILL_ACTIVE.
   */
  r = WaitForMultipleObjects(NUM_WORKERS, threads, TRUE, 5000);
  expect(r < WAIT_OBJECT_0 + NUM_WORKERS, "workers did not all exit");
  int exited = r < WAIT_OBJECT_0 + NUM_WORKERS ? NUM_WORKERS : 0;

  DWORD handled_sum = 0;
  for (i = 0; i < NUM_WORKERS; i++) {
    DWORD code = 0;
    expect(GetExitCodeThread(threads[i], &code), "GetExitCodeThread");
    handled_sum += code;
  }
  expect(handled_sum == TOTAL_ITEMS, "worker exit codes do not add up");
  printf(
      "   %d of %d workers exited; their exit codes (items handled) "
      "add up to %lu\n",
      exited, NUM_WORKERS, (unsigned long)handled_sum);

  /* Every handle is closed with CloseHandle, whatever its kind. */
  int closed = 0;
  for (i = 0; i < NUM_WORKERS; i++) closed += CloseHandle(threads[i]) != 0;
  closed += CloseHandle(g_main_thread) != 0;
  closed += CloseHandle(g_round_done) != 0;
  closed += CloseHandle(g_all_done) != 0;
  closed += CloseHandle(batch_port) != 0;
  closed += CloseHandle(g_port) != 0;
  expect(closed == NUM_WORKERS + 5, "CloseHandle");

  /*
   * A closed handle is gone: closing it again fails. (Shown for the
   * tour only: real programs must not use a handle after closing it,
   * since the value may already name a new object.)
   */
  SetLastError(0);
  ok = CloseHandle(g_port);
  err = GetLastError();
  expect(!ok && err == ERROR_INVALID_HANDLE, "double CloseHandle");
  printf(
      "   closed %d handles; closing the port again fails with %s\n", closed,
      err == ERROR_INVALID_HANDLE ? "ERROR_INVALID_HANDLE" : "something else");

  if (g_failures) {
    printf("%ld thing(s) did not behave as Windows documents.\n",
           (long)g_failures);
    return 1;
  }
  printf("Done: everything behaved as Windows documents.\n");
  return 0;
}
