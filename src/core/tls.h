/*
 * tls.h: the storage class of the core's thread-local variables.
 *
 * They are read on every call (the calling thread's state, its last
 * error, the poll round's batch, the critical section owner), so they use
 * the initial-exec model: a fixed offset from the thread pointer, where
 * the default model for a shared library calls __tls_get_addr at each
 * access. libws2 is linked by the programs that use it; a program that
 * loads it with dlopen (a layered provider that links libws2, loaded by
 * `ws2ctl check`) must find room for all of libws2's thread-local
 * variables in glibc's small static TLS reserve, so they stay a few
 * hundred bytes: per-thread buffers go on the heap (ws2__tbuf_get).
 */
#ifndef WS2_CORE_TLS_H
#define WS2_CORE_TLS_H

#define WS2__TLS __thread __attribute__((tls_model("initial-exec")))

#endif /* WS2_CORE_TLS_H */
