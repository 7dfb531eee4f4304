#include "core/alloc.h"

#include <stdlib.h>

void *ws2__malloc(size_t size) { return malloc(size); }

void *ws2__calloc(size_t count, size_t size) { return calloc(count, size); }

void *ws2__realloc(void *ptr, size_t size) { return realloc(ptr, size); }

void ws2__free(void *ptr) { free(ptr); }
