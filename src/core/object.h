/*
 * object.h: kernel objects and the handle table.
 *
 * An object (event, thread, completion port, I/O handle) starts with a
 * ws2__obj_t. It has two counts:
 *  - refs: references held by code (the handle table holds one per live
 *    object; a waiter holds one on each object it waits on; a socket holds
 *    one on its completion port). The type's destroy hook runs at zero.
 *  - handles: how many handle values name it (DuplicateHandle adds one).
 *    The type's close hook runs when the last handle is closed, at once,
 *    even while code still holds references: that is when a completion
 *    port releases its waiters and a socket cancels its I/O.
 *
 * Handle values are Windows-style: non-zero multiples of 4 below 2^31,
 * never INVALID_HANDLE_VALUE. A value encodes a slot index and the slot's
 * generation, so a closed value is not reissued while a racing lookup
 * could still see it (the slot is reused only after every lookup that saw
 * it has finished, and then under a new generation).
 *
 * Lookups are lock-free: ws2__handle_get never takes a lock, so threads
 * doing I/O on different sockets never contend on the table.
 */
#ifndef WS2_CORE_OBJECT_H
#define WS2_CORE_OBJECT_H

#include <windows.h>

#include <stdint.h>

typedef struct ws2__obj ws2__obj_t;
typedef struct ws2__sync ws2__sync_t;

/* ws2__objtype_t.flags */
#define WS2__OBJ_IO 0x1 /* the object starts with a ws2__io_t (io.h) */

typedef struct ws2__objtype {
  const char *name;
  unsigned flags;
  /* The last handle was closed. May be NULL. Runs on the closing thread. */
  void (*close)(ws2__obj_t *obj);
  /* The last reference was dropped: release everything and free. */
  void (*destroy)(ws2__obj_t *obj);
} ws2__objtype_t;

struct ws2__obj {
  const ws2__objtype_t *type;
  _Atomic uint32_t refs;
  _Atomic uint32_t handles;
  /* The object's dispatcher state when it can be waited on, else NULL. */
  ws2__sync_t *sync;
};

/* Initialises obj with one reference (the caller's) and no handle. */
void ws2__obj_init(ws2__obj_t *obj, const ws2__objtype_t *type,
                   ws2__sync_t *sync);
void ws2__obj_ref(ws2__obj_t *obj);
void ws2__obj_unref(ws2__obj_t *obj);

/*
 * Gives obj a new handle value. The table takes its own reference; the
 * caller keeps its own. Returns 0, or -ENOMEM / -EMFILE.
 */
int ws2__handle_new(ws2__obj_t *obj, HANDLE *out);

/*
 * Resolves a handle to its object with a new reference (release it with
 * ws2__obj_unref), or NULL if the value names no live object of `type`
 * (any type when type is NULL). The pseudo-handle GetCurrentThread()
 * resolves to the calling thread's object.
 */
ws2__obj_t *ws2__handle_get(HANDLE h, const ws2__objtype_t *type);

/*
 * ws2__handle_get for a short call on a hot path: the object is held by
 * the handle's own slot, pinned until ws2__handle_unpin(h) with the same
 * value, instead of by a reference of the caller's (two atomic operations
 * instead of four). The object lives until the unpin even if the handle
 * is closed meanwhile: the slot keeps its reference until its last pin
 * goes. No pseudo-handles.
 */
ws2__obj_t *ws2__handle_pin(HANDLE h, const ws2__objtype_t *type);
void ws2__handle_unpin(HANDLE h);

/*
 * A word the handle value itself carries, for whoever hands it out (the
 * Winsock layer: the provider serving a socket), so that finding it costs
 * no reference. ws2__handle_set_tag sets it (once, before the value is
 * given out; duplicates made with DuplicateHandle have none);
 * ws2__handle_tag reads it with plain loads, or returns NULL when h is
 * not open. A handle closed meanwhile may still read as its tag, so what
 * the tag points to must outlive the handle.
 */
void ws2__handle_set_tag(HANDLE h, void *tag);
void *ws2__handle_tag(HANDLE h);
/* A second word of the same kind (a non-IFS socket's provider context),
 * and both words in one look: 0, or -1 when h is not open. */
void ws2__handle_set_context(HANDLE h, uintptr_t context);
int ws2__handle_words(HANDLE h, void **tag, uintptr_t *context);

/* Closes a handle value: 0, or -EBADF (not a handle), -EPERM (protected). */
int ws2__handle_close(HANDLE h);

/* HANDLE_FLAG_INHERIT / HANDLE_FLAG_PROTECT_FROM_CLOSE of a handle value. */
int ws2__handle_get_flags(HANDLE h, DWORD *flags);
int ws2__handle_set_flags(HANDLE h, DWORD mask, DWORD flags);

/* Number of live handles, for leak checks in tests. */
uint32_t ws2__handle_count(void);

#endif /* WS2_CORE_OBJECT_H */
