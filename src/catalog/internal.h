/*
 * internal.h: what the catalog's own files (catalog.c, format.c, store.c)
 * share beyond catalog.h.
 */
#ifndef WS2_CATALOG_INTERNAL_H
#define WS2_CATALOG_INTERNAL_H

#include "catalog/catalog.h"

/* An empty catalog (referenced), or NULL without memory. */
ws2__catalog_t *ws2__catalog_new(void);
/* A deep copy (referenced), or NULL without memory. */
ws2__catalog_t *ws2__catalog_clone(const ws2__catalog_t *src);
/* Records the file a catalog belongs to: 0 or WSA_NOT_ENOUGH_MEMORY. */
int ws2__catalog_set_file(ws2__catalog_t *cat, const char *file);

#endif /* WS2_CATALOG_INTERNAL_H */
