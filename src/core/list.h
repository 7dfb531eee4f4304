/*
 * list.h: intrusive doubly-linked lists. A node is embedded in the object
 * it links, so queuing a packet, an APC or a wait block never allocates.
 * A node that is not on a list has next == NULL. Not thread-safe: callers
 * hold the lock of whatever owns the list.
 */
#ifndef WS2_CORE_LIST_H
#define WS2_CORE_LIST_H

#include <stddef.h>

#define ws2__container_of(ptr, type, member) \
  ((type *)((char *)(ptr)-offsetof(type, member)))

typedef struct ws2__node {
  struct ws2__node *next;
  struct ws2__node *prev;
} ws2__node_t;

/* The list head is a node whose next/prev point at itself when empty. */
typedef struct ws2__list {
  ws2__node_t head;
} ws2__list_t;

static inline void ws2__list_init(ws2__list_t *l) {
  l->head.next = l->head.prev = &l->head;
}

static inline int ws2__list_empty(const ws2__list_t *l) {
  return l->head.next == &l->head;
}

static inline int ws2__node_linked(const ws2__node_t *n) {
  return n->next != NULL;
}

static inline void ws2__list_insert_before(ws2__node_t *at, ws2__node_t *n) {
  n->next = at;
  n->prev = at->prev;
  at->prev->next = n;
  at->prev = n;
}

static inline void ws2__list_push_back(ws2__list_t *l, ws2__node_t *n) {
  ws2__list_insert_before(&l->head, n);
}

static inline void ws2__list_push_front(ws2__list_t *l, ws2__node_t *n) {
  ws2__list_insert_before(l->head.next, n);
}

static inline void ws2__list_remove(ws2__node_t *n) {
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->next = n->prev = NULL;
}

static inline ws2__node_t *ws2__list_first(const ws2__list_t *l) {
  return ws2__list_empty(l) ? NULL : l->head.next;
}

static inline ws2__node_t *ws2__list_pop_front(ws2__list_t *l) {
  ws2__node_t *n = ws2__list_first(l);
  if (n) ws2__list_remove(n);
  return n;
}

/* Moves every node of src to the end of dst; src ends empty. */
static inline void ws2__list_splice(ws2__list_t *dst, ws2__list_t *src) {
  if (ws2__list_empty(src)) return;
  src->head.next->prev = dst->head.prev;
  dst->head.prev->next = src->head.next;
  src->head.prev->next = &dst->head;
  dst->head.prev = src->head.prev;
  ws2__list_init(src);
}

#define ws2__list_foreach(n, l) \
  for ((n) = (l)->head.next; (n) != &(l)->head; (n) = (n)->next)

/* Safe against removal of n inside the loop body. */
#define ws2__list_foreach_safe(n, tmp, l)                     \
  for ((n) = (l)->head.next, (tmp) = (n)->next; (n) != &(l)->head; \
       (n) = (tmp), (tmp) = (n)->next)

#endif /* WS2_CORE_LIST_H */
