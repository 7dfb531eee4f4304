/*
 * futex.h: the one blocking primitive of the core. Every wait in ws2 (events,
 * threads, completion ports, APC delivery) ends up in ws2__futex_wait on a
 * thread's own 32-bit wake word, so a wake-up is one syscall and never a
 * hand-off to another thread.
 */
#ifndef WS2_CORE_FUTEX_H
#define WS2_CORE_FUTEX_H

#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * Sleeps while *word == expected, until woken or until the absolute
 * CLOCK_MONOTONIC deadline (NULL: no deadline). Returns 0 when woken or
 * when the word had already changed, -ETIMEDOUT at the deadline, -EINTR
 * on a signal. Callers always re-check the word: wake-ups may be spurious.
 */
static inline int ws2__futex_wait(_Atomic uint32_t *word, uint32_t expected,
                                  const struct timespec *deadline) {
  long r = syscall(SYS_futex, (uint32_t *)word,
                   FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, deadline,
                   NULL, FUTEX_BITSET_MATCH_ANY);
  if (r == 0) return 0;
  if (errno == EAGAIN) return 0;
  return -errno;
}

static inline void ws2__futex_wake(_Atomic uint32_t *word, int n) {
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n,
          NULL, NULL, 0);
}

#endif /* WS2_CORE_FUTEX_H */
