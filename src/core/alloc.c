/*
 * alloc.c: the allocator seam (alloc.h): fault injection, and a small
 * per-thread cache of freed blocks.
 *
 * WS2_FAULT_ALLOC=N makes the Nth allocation of ws2 (counted from the
 * start of the process, 1 first) fail as if memory had run out, so a test
 * can walk every allocation a scenario makes and check that each failure
 * gives a clean Winsock error: no crash, no leak, no lost completion
 * (test/fault/). WS2_FAULT_ALLOC_REPORT=FILE writes the number of
 * allocations made to FILE when the process exits, so the walk knows
 * where to stop. Allocations are counted only when one of them is set.
 *
 * The cache. A request record is allocated when a call starts and freed
 * when its completion has been dequeued, often by another thread; glibc's
 * own per-thread cache takes about 40 instructions to give a block and
 * 100 to take one back (2.36: every free goes through _int_free's
 * checks). ws2 keeps the small blocks it frees in a few per-thread lists
 * instead, by size class, and gives them out again from the same thread:
 * a pop and a push. Each thread keeps at most CACHE_DEPTH blocks of each
 * size class up to 248 bytes (at most 32 KiB a thread), given back to
 * malloc when the thread exits. AddressSanitizer builds have no cache:
 * a block used again at once would hide a use after free that ASan's
 * quarantine of freed memory catches.
 */
#include "core/alloc.h"

#include "core/tls.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic unsigned long count;
/* 0: the environment not read yet; ULONG_MAX: no fault to inject. */
static _Atomic unsigned long fail_at;
/* 0: not read yet; 1: allocations are not counted; 2: they are. */
static _Atomic int counting;

static int counting_read(void) {
  const char *v = getenv("WS2_FAULT_ALLOC"),
             *r = getenv("WS2_FAULT_ALLOC_REPORT");
  unsigned long at = v && *v ? strtoul(v, NULL, 10) : 0;
  int c = at || (r && *r) ? 2 : 1;
  atomic_store_explicit(&fail_at, at ? at : (unsigned long)-1,
                        memory_order_relaxed);
  atomic_store_explicit(&counting, c, memory_order_release);
  return c;
}

static int fail_now(void) {
  int c = atomic_load_explicit(&counting, memory_order_acquire);
  unsigned long n;
  if (c == 0) c = counting_read();
  if (c == 1) return 0;
  n = atomic_fetch_add_explicit(&count, 1, memory_order_relaxed);
  return n + 1 == atomic_load_explicit(&fail_at, memory_order_relaxed);
}

/* ---- The per-thread cache ---------------------------------------------- */

/*
 * Classes follow glibc's chunks (16-byte steps, 8 bytes of header): a
 * block of class c has at least 16 c - 8 usable bytes, the size a chunk
 * of 16 c bytes gives (an allocator whose usable size is the size asked
 * for, as sanitizers' are, rounds down in the same formula, so the
 * promise holds). Classes 2..16: requests of up to 248 bytes.
 */
#if !defined(__SANITIZE_ADDRESS__)
#define CACHE_CLASSES 15
#define CACHE_MIN_CLASS 2
#define CACHE_DEPTH 16

typedef struct block {
  struct block *next;
} block_t;

static WS2__TLS struct {
  block_t *head[CACHE_CLASSES];
  uint8_t depth[CACHE_CLASSES];
  uint8_t state; /* 0: not registered for thread exit; 1: is; 2: exiting */
} cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_key_ok;

/* Thread exit: the cached blocks go back to malloc, and what this thread
 * frees from now on (other keys' destructors) goes straight there. */
static void cache_drain(void *unused) {
  int k;
  (void)unused;
  cache.state = 2;
  for (k = 0; k < CACHE_CLASSES; k++) {
    while (cache.head[k]) {
      block_t *b = cache.head[k];
      cache.head[k] = b->next;
      free(b);
    }
    cache.depth[k] = 0;
  }
}

static void cache_key_make(void) {
  cache_key_ok = pthread_key_create(&cache_key, cache_drain) == 0;
}

/* A cached block for a request of size bytes, or NULL: one of the class
 * whose blocks are the smallest to hold it. */
static void *cache_get(size_t size) {
  size_t k = (size + 8 + 15) / 16 - CACHE_MIN_CLASS;
  block_t *b;
  if (size < 16 || k >= CACHE_CLASSES || !(b = cache.head[k])) return NULL;
  cache.head[k] = b->next;
  cache.depth[k]--;
  return b;
}

/* Keeps p in this thread's cache; 0 when it does not go there. */
static int cache_put(void *p) {
  size_t usable = malloc_usable_size(p),
         k = (usable + 8) / 16 - CACHE_MIN_CLASS;
  block_t *b = p;
  if (usable < 24 || k >= CACHE_CLASSES) return 0; /* too small or large */
  if (cache.depth[k] >= CACHE_DEPTH || cache.state == 2) return 0;
  if (cache.state == 0) {
    /* The first block this thread keeps: it must give them back when
     * it exits. */
    pthread_once(&cache_once, cache_key_make);
    if (!cache_key_ok || pthread_setspecific(cache_key, &cache) != 0) return 0;
    cache.state = 1;
  }
  b->next = cache.head[k];
  cache.head[k] = b;
  cache.depth[k]++;
  return 1;
}
#else
static void *cache_get(size_t size) {
  (void)size;
  return NULL;
}
static int cache_put(void *p) {
  (void)p;
  return 0;
}
#endif

/* ---- The seam ------------------------------------------------------------ */

void *ws2__malloc(size_t size) {
  void *p;
  if (fail_now()) return NULL;
  return (p = cache_get(size)) != NULL ? p : malloc(size);
}

/* memset through a pointer the compiler cannot see through: it would fold
 * malloc and memset back into calloc. */
static void *(*volatile const zero_fill)(void *, int, size_t) = memset;

/* malloc and memset, not calloc: glibc's calloc (2.36) skips the
 * per-thread cache and takes the arena's lock once a process has threads,
 * which made it about twice the cost on ws2's request paths. */
void *ws2__calloc(size_t count_, size_t size) {
  void *p;
  if (fail_now() || (size && count_ > SIZE_MAX / size)) return NULL;
  if ((p = cache_get(count_ * size)) != NULL || (p = malloc(count_ * size)))
    zero_fill(p, 0, count_ * size);
  return p;
}

void *ws2__realloc(void *ptr, size_t size) {
  return fail_now() ? NULL : realloc(ptr, size);
}

void ws2__free(void *ptr) {
  if (ptr && !cache_put(ptr)) free(ptr);
}

/* ---- Per-thread buffers ---------------------------------------------------
 */

static pthread_mutex_t tbuf_lock = PTHREAD_MUTEX_INITIALIZER;

static void tbuf_free(void *p) { ws2__free(p); }

void *ws2__tbuf_get(ws2__tbuf_t *b) {
  int state = atomic_load(&b->state);
  void *p;
  if (state == 0) {
    pthread_mutex_lock(&tbuf_lock);
    if ((state = atomic_load(&b->state)) == 0) {
      state = pthread_key_create(&b->key, tbuf_free) == 0 ? 1 : 2;
      atomic_store(&b->state, state);
    }
    pthread_mutex_unlock(&tbuf_lock);
  }
  if (state != 1) return NULL;
  if ((p = pthread_getspecific(b->key)) != NULL) return p;
  if (!(p = ws2__calloc(1, b->size))) return NULL;
  if (pthread_setspecific(b->key, p) != 0) {
    ws2__free(p);
    return NULL;
  }
  return p;
}

__attribute__((destructor)) static void report(void) {
  const char *file = getenv("WS2_FAULT_ALLOC_REPORT");
  FILE *f;
  if (!file || !*file || !(f = fopen(file, "w"))) return;
  fprintf(f, "%lu\n", atomic_load(&count));
  fclose(f);
}
