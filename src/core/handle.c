/*
 * handle.c: reference-counted objects and the lock-free handle table.
 *
 * Slots live in fixed chunks that are never freed or moved, so a lookup
 * may touch any slot at any time. Each slot has one 64-bit word:
 *   bits  0..31  lookups in progress (transient references)
 *   bit   32     live: the handle value is open
 *   bits 40..47  generation, bumped each time the slot is recycled
 * A lookup takes a transient reference with one CAS that also checks live
 * and the generation, reads the object pointer, references the object and
 * drops the transient reference. Closing clears live; whoever brings the
 * transient count to zero with live clear recycles the slot. The free list
 * is FIFO so a recycled index is reused as late as possible.
 */
#include "core/object.h"

#include "core/alloc.h"
#include "core/thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#define CHUNK_BITS 10
#define CHUNK_SLOTS (1u << CHUNK_BITS)
#define MAX_CHUNKS 1024u
#define MAX_SLOTS (CHUNK_SLOTS * MAX_CHUNKS) /* 2^20 handles */

#define W_REFS 0xFFFFFFFFull
#define W_LIVE (1ull << 32)
#define W_GEN_SHIFT 40
#define W_GEN(w) ((uint32_t)((w) >> W_GEN_SHIFT) & 0xFFu)

typedef struct slot {
  _Atomic uint64_t word;
  ws2__obj_t *obj;
  _Atomic uint32_t flags;
  uint32_t next_free; /* index + 1 of the next free slot; 0 ends the list */
  void *_Atomic tag;  /* ws2__handle_set_tag */
  _Atomic uintptr_t context; /* ws2__handle_set_context */
} slot_t;

static _Atomic(slot_t *) chunks[MAX_CHUNKS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t free_head, free_tail; /* index + 1; 0 = empty */
static uint32_t next_unused;
static _Atomic uint32_t live_handles;

void ws2__obj_init(ws2__obj_t *obj, const ws2__objtype_t *type,
                   ws2__sync_t *sync) {
  obj->type = type;
  atomic_init(&obj->refs, 1);
  atomic_init(&obj->handles, 0);
  obj->sync = sync;
}

void ws2__obj_ref(ws2__obj_t *obj) {
  atomic_fetch_add_explicit(&obj->refs, 1, memory_order_relaxed);
}

void ws2__obj_unref(ws2__obj_t *obj) {
  if (atomic_fetch_sub_explicit(&obj->refs, 1, memory_order_acq_rel) == 1)
    obj->type->destroy(obj);
}

static slot_t *slot_at(uint32_t index) {
  slot_t *chunk;
  if (index >= MAX_SLOTS) return NULL;
  chunk =
      atomic_load_explicit(&chunks[index >> CHUNK_BITS], memory_order_acquire);
  return chunk ? &chunk[index & (CHUNK_SLOTS - 1)] : NULL;
}

static HANDLE encode(uint32_t index, uint32_t gen) {
  uintptr_t v = ((uintptr_t)(gen & 0xFFu) << 21) | (uintptr_t)(index + 1);
  return (HANDLE)(v << 2);
}

/* Splits a handle value; returns 0, or -1 if it cannot be one of ours. */
static int decode(HANDLE h, uint32_t *index, uint32_t *gen) {
  uintptr_t v = (uintptr_t)h;
  if (v == 0 || (v & 3) || v >= (1u << 31)) return -1;
  v >>= 2;
  if ((v & 0x1FFFFF) == 0) return -1;
  *index = (uint32_t)(v & 0x1FFFFF) - 1;
  *gen = (uint32_t)(v >> 21);
  return 0;
}

int ws2__handle_new(ws2__obj_t *obj, HANDLE *out) {
  uint32_t index;
  slot_t *s;
  uint64_t w;

  pthread_mutex_lock(&table_lock);
  if (free_head) {
    index = free_head - 1;
    s = slot_at(index);
    free_head = s->next_free;
    if (!free_head) free_tail = 0;
  } else {
    if (next_unused >= MAX_SLOTS) {
      pthread_mutex_unlock(&table_lock);
      return -EMFILE;
    }
    index = next_unused;
    if (!slot_at(index)) {
      slot_t *chunk = ws2__calloc(CHUNK_SLOTS, sizeof(slot_t));
      if (!chunk) {
        pthread_mutex_unlock(&table_lock);
        return -ENOMEM;
      }
      atomic_store_explicit(&chunks[index >> CHUNK_BITS], chunk,
                            memory_order_release);
    }
    next_unused++;
    s = slot_at(index);
  }
  pthread_mutex_unlock(&table_lock);

  ws2__obj_ref(obj);
  atomic_fetch_add_explicit(&obj->handles, 1, memory_order_relaxed);
  s->obj = obj;
  s->next_free = 0;
  atomic_store_explicit(&s->flags, 0, memory_order_relaxed);
  w = atomic_load_explicit(&s->word, memory_order_relaxed);
  atomic_store_explicit(&s->word, (w & ~W_REFS) | W_LIVE, memory_order_release);
  atomic_fetch_add_explicit(&live_handles, 1, memory_order_relaxed);
  *out = encode(index, W_GEN(w));
  return 0;
}

/* The slot's last user is gone and it is closed: recycle it. */
static void slot_recycle(uint32_t index, slot_t *s) {
  ws2__obj_t *obj = s->obj;
  uint64_t w = atomic_load_explicit(&s->word, memory_order_relaxed);
  uint32_t gen = (W_GEN(w) + 1) & 0xFFu;

  s->obj = NULL;
  atomic_store_explicit(&s->tag, NULL, memory_order_relaxed);
  atomic_store_explicit(&s->context, 0, memory_order_relaxed);
  atomic_store_explicit(&s->word, (uint64_t)gen << W_GEN_SHIFT,
                        memory_order_release);
  pthread_mutex_lock(&table_lock);
  s->next_free = 0;
  if (free_tail)
    slot_at(free_tail - 1)->next_free = index + 1;
  else
    free_head = index + 1;
  free_tail = index + 1;
  pthread_mutex_unlock(&table_lock);
  ws2__obj_unref(obj);
}

static void slot_release(uint32_t index, slot_t *s) {
  uint64_t w = atomic_fetch_sub_explicit(&s->word, 1, memory_order_acq_rel) - 1;
  if ((w & W_REFS) == 0 && !(w & W_LIVE)) slot_recycle(index, s);
}

/* Takes a transient reference on the live slot named by h. */
static slot_t *slot_acquire(HANDLE h, uint32_t *index_out) {
  uint32_t index, gen;
  slot_t *s;
  uint64_t w;

  if (decode(h, &index, &gen) != 0 || !(s = slot_at(index))) return NULL;
  w = atomic_load_explicit(&s->word, memory_order_acquire);
  do {
    if (!(w & W_LIVE) || W_GEN(w) != gen) return NULL;
  } while (!atomic_compare_exchange_weak_explicit(
      &s->word, &w, w + 1, memory_order_acquire, memory_order_acquire));
  *index_out = index;
  return s;
}

void ws2__handle_set_tag(HANDLE h, void *tag) {
  uint32_t index;
  slot_t *s = slot_acquire(h, &index);
  if (!s) return;
  atomic_store_explicit(&s->tag, tag, memory_order_release);
  slot_release(index, s);
}

void ws2__handle_set_context(HANDLE h, uintptr_t context) {
  uint32_t index;
  slot_t *s = slot_acquire(h, &index);
  if (!s) return;
  atomic_store_explicit(&s->context, context, memory_order_release);
  slot_release(index, s);
}

/* A seqlock-style read: the words count only if the slot was live with
 * the handle's generation before and after they were read. */
int ws2__handle_words(HANDLE h, void **tag, uintptr_t *context) {
  uint32_t index, gen;
  slot_t *s;
  uint64_t w;

  if (decode(h, &index, &gen) != 0 || !(s = slot_at(index))) return -1;
  w = atomic_load_explicit(&s->word, memory_order_acquire);
  if (!(w & W_LIVE) || W_GEN(w) != gen) return -1;
  *tag = atomic_load_explicit(&s->tag, memory_order_acquire);
  if (context)
    *context = atomic_load_explicit(&s->context, memory_order_acquire);
  w = atomic_load_explicit(&s->word, memory_order_acquire);
  if (!(w & W_LIVE) || W_GEN(w) != gen) return -1;
  return 0;
}

void *ws2__handle_tag(HANDLE h) {
  void *tag;
  return ws2__handle_words(h, &tag, NULL) == 0 ? tag : NULL;
}

ws2__obj_t *ws2__handle_get(HANDLE h, const ws2__objtype_t *type) {
  uint32_t index;
  slot_t *s;
  ws2__obj_t *obj;

  if (h == WS2_CURRENT_THREAD_HANDLE) {
    if (type && type != &ws2__thread_type) return NULL;
    obj = ws2__thread_self_obj();
    if (obj) ws2__obj_ref(obj);
    return obj;
  }
  if (!(s = slot_acquire(h, &index))) return NULL;
  obj = s->obj;
  if (type && obj->type != type)
    obj = NULL;
  else
    ws2__obj_ref(obj);
  slot_release(index, s);
  return obj;
}

ws2__obj_t *ws2__handle_pin(HANDLE h, const ws2__objtype_t *type) {
  uint32_t index;
  slot_t *s = slot_acquire(h, &index);
  if (!s) return NULL;
  if (type && s->obj->type != type) {
    slot_release(index, s);
    return NULL;
  }
  return s->obj;
}

void ws2__handle_unpin(HANDLE h) {
  uint32_t index, gen;
  /* Pinned, so the value decodes to a slot that exists. */
  if (decode(h, &index, &gen) == 0) slot_release(index, slot_at(index));
}

int ws2__handle_close(HANDLE h) {
  uint32_t index, gen;
  slot_t *s;
  ws2__obj_t *obj;
  uint64_t w;

  if (decode(h, &index, &gen) != 0 || !(s = slot_at(index))) return -EBADF;
  w = atomic_load_explicit(&s->word, memory_order_acquire);
  do {
    if (!(w & W_LIVE) || W_GEN(w) != gen) return -EBADF;
    if (atomic_load_explicit(&s->flags, memory_order_relaxed) &
        HANDLE_FLAG_PROTECT_FROM_CLOSE)
      return -EPERM;
    /* Clear live and take a transient reference in one step, so the
     * object outlives the close hook below. */
  } while (!atomic_compare_exchange_weak_explicit(
      &s->word, &w, (w & ~W_LIVE) + 1, memory_order_acq_rel,
      memory_order_acquire));
  atomic_fetch_sub_explicit(&live_handles, 1, memory_order_relaxed);
  obj = s->obj;
  if (atomic_fetch_sub_explicit(&obj->handles, 1, memory_order_acq_rel) == 1 &&
      obj->type->close)
    obj->type->close(obj);
  slot_release(index, s);
  return 0;
}

int ws2__handle_get_flags(HANDLE h, DWORD *flags) {
  uint32_t index;
  slot_t *s = slot_acquire(h, &index);
  if (!s) return -EBADF;
  *flags = atomic_load_explicit(&s->flags, memory_order_relaxed);
  slot_release(index, s);
  return 0;
}

int ws2__handle_set_flags(HANDLE h, DWORD mask, DWORD flags) {
  uint32_t index, old;
  slot_t *s = slot_acquire(h, &index);
  if (!s) return -EBADF;
  mask &= HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE;
  old = atomic_load_explicit(&s->flags, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(
      &s->flags, &old, (old & ~mask) | (flags & mask), memory_order_relaxed,
      memory_order_relaxed)) {
  }
  slot_release(index, s);
  return 0;
}

uint32_t ws2__handle_count(void) {
  return atomic_load_explicit(&live_handles, memory_order_relaxed);
}
