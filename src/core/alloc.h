/*
 * alloc.h: the allocator seam. All of ws2's memory comes through these
 * functions, so tests can replace the allocator and fail the Nth
 * allocation (fault injection, issue 7).
 */
#ifndef WS2_CORE_ALLOC_H
#define WS2_CORE_ALLOC_H

#include <stddef.h>

void *ws2__malloc(size_t size);
void *ws2__calloc(size_t count, size_t size);
void *ws2__realloc(void *ptr, size_t size);
void ws2__free(void *ptr);

#endif /* WS2_CORE_ALLOC_H */
