/*
 * faults.h: I/O fault injection for the test build of the non-IFS
 * reference layer (issue 7).
 *
 * test/CMakeLists.txt builds plugins/nonifs-reference/nonifs-reference.c a
 * second time, with NONIFS_FAULT_HOOKS defined and test/providers/faults.c
 * linked in, as ws2-nonifs-faults.so in the test provider directory
 * (WS2_TEST_PROVIDER_DIR). Without the macro the plugin is unchanged; with
 * it, the plugin calls the hooks below at five points:
 *
 *   op_new (every overlapped request, before anything is done)
 *       nf_fault_call: fail the call at once with a chosen WSA error
 *       ("fail_now": the request never starts, no notification);
 *   nf_send / nf_recv (WSASend, WSARecv, ReadFile, WriteFile), overlapped
 *       nf_fault_bufs: pass shortened buffers down ("short_io": 1 to len-1
 *       bytes of the len asked for; the application sees a short transfer
 *       with the true count, and must send or receive the rest itself);
 *   op_started, a lower request done at once (no packet coming), and the
 *   worker, a lower request completed through the layer's port
 *       nf_fault_done: report it as usual, or take it and
 *        - "fail_late": report an error from late_errors instead of the
 *          lower result (0 bytes);
 *        - "delay": report it 1..delay_ms later, from the fault thread (a
 *          request done at once then returns WSA_IO_PENDING);
 *        - "in_call" (done at once only): report it from the fault thread
 *          while the application's call waits for that report, then
 *          return 0 (success) or, one time in two, WSA_IO_PENDING;
 *        - "reorder" (worker only): hold it, and report it after the next
 *          completion the worker sees (held ones come out last in, first
 *          out), or after 50 ms when nothing else completes;
 *        - "hold": hold it until NF_FAULT_SIO_RELEASE, the layer's
 *          WSPCleanup, or hold_ms;
 *       every report the fault module makes goes through the layer's own
 *       reporting (op_finish / deliver: WPUCompleteOverlappedRequest or
 *       WPUQueueApc), so the layer never breaks the SPI's contract: a call
 *       that returns 0 has been reported, one that returns WSA_IO_PENDING
 *       is reported exactly once, later or during the call;
 *   nf_ioctl (any socket of the layer): the control codes below;
 *   machinery_start / machinery_stop: nf_fault_start / nf_fault_stop (the
 *       fault thread; at the last WSPCleanup every held request is
 *       reported before the layer waits for its requests in flight).
 *
 * The schedule: each request of a kind in `kinds` draws, from one seeded
 * generator (xorshift, under a lock), whether it fails at once, whether
 * its buffers are shortened, and at completion one fault of the rest (in
 * the order fail_late, delay, in_call, reorder, hold), each a chance in
 * 1000. The same seed gives the same sequence of decisions; which request
 * gets which decision depends on the threads' timing. The errors are
 * taken in turn from fail_errors / late_errors (not drawn), so a test
 * that sets one error knows what to expect.
 *
 * Set with WSAIoctl(NF_FAULT_SIO_PLAN) on any socket of the layer
 * (counters zeroed), or at the layer's first WSPStartup from the
 * environment: WS2_IO_FAULTS="seed=7,kinds=0x3,short_io=300,delay=50,..."
 * (the field names of nf_fault_plan_t; fail_error= and late_error= set
 * the first error; the seed is printed on stderr).
 */
#ifndef WS2_TEST_FAULTS_H
#define WS2_TEST_FAULTS_H

#include <winsock2.h>

/* The request kinds, numbered as the layer's K_* (bit 1 << kind in
 * nf_fault_plan_t.kinds). */
enum {
  NF_FK_SEND,
  NF_FK_RECV,
  NF_FK_SENDTO,
  NF_FK_RECVFROM,
  NF_FK_IOCTL,
  NF_FK_ACCEPTEX,
  NF_FK_CONNECTEX,
  NF_FK_DISCONNECTEX,
  NF_FK_TRANSMITFILE,
  NF_FK_TRANSMITPACKETS,
  NF_FK_WSARECVMSG,
  NF_FK_WSASENDMSG,
  NF_FK_COUNT
};

/* The control codes, on any socket of the layer, not overlapped. */
#define NF_FAULT_SIO_PLAN _WSAIOW(IOC_VENDOR, 0x4e46)   /* in: the plan */
#define NF_FAULT_SIO_STATS _WSAIOR(IOC_VENDOR, 0x4e47)  /* out: counters */
#define NF_FAULT_SIO_RELEASE _WSAIO(IOC_VENDOR, 0x4e48) /* report held */

typedef struct nf_fault_plan {
  unsigned int seed;
  unsigned int kinds;    /* 1 << NF_FK_*: the requests faults apply to */
  unsigned int fail_now; /* chances in 1000 */
  unsigned int short_io;
  unsigned int fail_late;
  unsigned int delay;
  unsigned int in_call;
  unsigned int reorder;
  unsigned int hold;
  unsigned int delay_ms; /* longest delay (0: 5 ms) */
  unsigned int hold_ms;  /* longest hold (0: 2000 ms) */
  int fail_errors[4];    /* taken in turn; 0 ends (none: WSAENOBUFS) */
  int late_errors[4];    /* (none: WSAECONNRESET) */
} nf_fault_plan_t;

typedef struct nf_fault_stats {
  long long requests;    /* overlapped requests of the plan's kinds */
  long long completions; /* their lower completions seen by nf_fault_done */
  long long fail_now, short_io, fail_late, delay, in_call, reorder, hold;
  long long in_call_pending; /* in_call faults whose call returned pending */
  long long reported;        /* reports the fault module made itself */
  long long out_of_order;    /* ...of them, made after a later completion */
  long long held;            /* requests the module holds now (when read) */
} nf_fault_stats_t;

#ifdef NONIFS_FAULT_HOOKS /* the layer's side (not for tests) */

/* Reports request `req` (the layer's op): with `error` 0, the lower
 * result (ok and n as a packet of the layer's port gives them; bytes and
 * flags, when not NULL, receive the result); else that error, 0 bytes. */
typedef void (*nf_fault_report_fn)(void *req, BOOL ok, DWORD n, DWORD error,
                                   LPDWORD bytes, LPDWORD flags);

enum { NF_FAULT_PASS, NF_FAULT_PENDING, NF_FAULT_DONE };

int nf_fault_start(nf_fault_report_fn report);
void nf_fault_stop(void);
/* Nonzero (with *err) when the request must fail at once. */
int nf_fault_call(int kind, LPINT err);
/* The buffers to pass down: bufs, or a shortened copy (valid until the
 * calling thread's next call). */
LPWSABUF nf_fault_bufs(int kind, LPWSABUF bufs, LPDWORD n);
/* A lower request completed (at_once: inside the application's call, no
 * packet coming). NF_FAULT_PASS: report it as usual. NF_FAULT_PENDING
 * (at_once only): taken, the call returns WSA_IO_PENDING. NF_FAULT_DONE:
 * reported already (at_once: *bytes and *flags set, the call returns 0;
 * from the worker: nothing more to do). */
int nf_fault_done(void *req, int kind, int at_once, BOOL ok, DWORD n,
                  LPDWORD bytes, LPDWORD flags);
/* The control codes: nonzero when `code` is one (*r and *err set). */
int nf_fault_ioctl(DWORD code, LPVOID in, DWORD inlen, LPVOID out, DWORD outlen,
                   LPDWORD ret, int overlapped, LPINT r, LPINT err);

#endif /* NONIFS_FAULT_HOOKS */
#endif /* WS2_TEST_FAULTS_H */
