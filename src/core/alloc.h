/*
 * alloc.h: the allocator seam. All of ws2's memory comes through these
 * functions, so tests can replace the allocator and fail the Nth
 * allocation (fault injection, issue 7).
 */
#ifndef WS2_CORE_ALLOC_H
#define WS2_CORE_ALLOC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

void *ws2__malloc(size_t size);
void *ws2__calloc(size_t count, size_t size);
void *ws2__realloc(void *ptr, size_t size);
void ws2__free(void *ptr);

/*
 * A buffer of `size` bytes that each thread gets on first use (zeroed)
 * and keeps until it exits: what the calls Windows documents as returning
 * one per thread (gethostbyname, inet_ntoa, gai_strerror) hand out. On
 * the heap, not in thread-local storage: a program that loads libws2
 * with dlopen must find room in glibc's small static TLS reserve for all
 * of libws2's thread-local variables (core/tls.h). NULL when memory is
 * short.
 */
typedef struct ws2__tbuf {
  size_t size;
  _Atomic int state; /* 0: no key yet; 1: key made; 2: cannot be made */
  pthread_key_t key;
} ws2__tbuf_t;
#define WS2__TBUF_INIT(size) \
  { (size), 0, 0 }
void *ws2__tbuf_get(ws2__tbuf_t *b);

#endif /* WS2_CORE_ALLOC_H */
