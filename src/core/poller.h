/*
 * poller.h: the I/O engine's hook into the core's waits.
 *
 * A thread that is about to sleep in any ws2 wait (WaitFor*, SleepEx,
 * GetQueuedCompletionStatus(Ex), GetOverlappedResult, ...) first tries to
 * take the poll role: if no other thread holds it, it waits in the engine
 * instead of on its futex, and runs the I/O that becomes ready itself.
 * So in an IOCP server the thread that will dequeue a completion is the
 * one that performed it: no hand-off through a helper thread.
 *
 * - One thread holds the role at a time. A claim on the wake word of the
 *   thread holding it (an object signalled, an APC, a packet handed over)
 *   interrupts its engine wait.
 * - A thread leaving the role with others asleep in ws2 waits wakes the
 *   most recent of them, which takes the role in turn.
 * - The engine's own thread is the fallback for applications that never
 *   wait in ws2 while I/O is in flight: it polls only when no application
 *   thread has held the role for a while (ws2__poller_fallback), and gives
 *   the role up as soon as an application thread wants it.
 *
 * WS2_ENGINE_THREAD=1 turns this off: the engine's thread then does all
 * the polling, as a plain helper thread.
 */
#ifndef WS2_CORE_POLLER_H
#define WS2_CORE_POLLER_H

#include <windows.h>

#include <time.h>

typedef struct ws2__poller {
  /* Waits for readiness until the deadline (NULL: no limit) or an
   * interrupt, runs what is ready, and returns. One thread at a time. */
  void (*poll)(struct ws2__poller *p, const struct timespec *deadline);
  /* Makes a poll in progress return soon. Any thread. */
  void (*interrupt)(struct ws2__poller *p);
} ws2__poller_t;

/* Makes the core's waits drive p. Returns 1, or 0 when WS2_ENGINE_THREAD
 * asks for a helper thread instead (p is then not used by the core). */
int ws2__poller_install(ws2__poller_t *p);

/*
 * For the engine's fallback thread: if no application thread has held the
 * role for idle_ms and the role is free, polls for up to idle_ms and
 * returns 1; else returns 0 at once.
 */
int ws2__poller_fallback(DWORD idle_ms);

/*
 * Runs what the engine has ready now, without waiting, if no thread holds
 * the role (a thread holding it runs it anyway). For an engine that must
 * see its own completions promptly when nobody may be waiting, such as
 * the removal of a closed socket's readiness polls.
 */
void ws2__poller_drain(void);

#endif /* WS2_CORE_POLLER_H */
