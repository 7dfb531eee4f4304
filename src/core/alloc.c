/*
 * alloc.c: the allocator seam (alloc.h), with fault injection.
 *
 * WS2_FAULT_ALLOC=N makes the Nth allocation of ws2 (counted from the
 * start of the process, 1 first) fail as if memory had run out, so a test
 * can walk every allocation a scenario makes and check that each failure
 * gives a clean Winsock error: no crash, no leak, no lost completion
 * (test/fault/). WS2_FAULT_ALLOC_REPORT=FILE writes the number of
 * allocations made to FILE when the process exits, so the walk knows
 * where to stop. Neither costs anything but one relaxed atomic add per
 * allocation when unset.
 */
#include "core/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic unsigned long count;
/* 0: not read yet; ULONG_MAX: no fault to inject. */
static _Atomic unsigned long fail_at;

static int fail_now(void) {
  unsigned long n = atomic_fetch_add_explicit(&count, 1, memory_order_relaxed),
                at = atomic_load_explicit(&fail_at, memory_order_relaxed);
  if (at == 0) {
    const char *v = getenv("WS2_FAULT_ALLOC");
    at = v && *v ? strtoul(v, NULL, 10) : 0;
    if (at == 0) at = (unsigned long)-1;
    atomic_store_explicit(&fail_at, at, memory_order_relaxed);
  }
  return n + 1 == at;
}

void *ws2__malloc(size_t size) { return fail_now() ? NULL : malloc(size); }

/* memset through a pointer the compiler cannot see through: it would fold
 * malloc and memset back into calloc. */
static void *(*volatile const zero_fill)(void *, int, size_t) = memset;

/* malloc and memset, not calloc: glibc's calloc (2.36) skips the
 * per-thread cache and takes the arena's lock once a process has threads,
 * which made it about twice the cost on ws2's request paths. */
void *ws2__calloc(size_t count_, size_t size) {
  void *p;
  if (fail_now() || (size && count_ > SIZE_MAX / size)) return NULL;
  if ((p = malloc(count_ * size)) != NULL) zero_fill(p, 0, count_ * size);
  return p;
}

void *ws2__realloc(void *ptr, size_t size) {
  return fail_now() ? NULL : realloc(ptr, size);
}

void ws2__free(void *ptr) { free(ptr); }

__attribute__((destructor)) static void report(void) {
  const char *file = getenv("WS2_FAULT_ALLOC_REPORT");
  FILE *f;
  if (!file || !*file || !(f = fopen(file, "w"))) return;
  fprintf(f, "%lu\n", atomic_load(&count));
  fclose(f);
}
