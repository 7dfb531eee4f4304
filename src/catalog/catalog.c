/*
 * catalog.c: the catalog as a value (building, copying, queries, edits)
 * and the process's snapshot. The file format is format.c's, the file
 * itself store.c's.
 */
#include "catalog/internal.h"

#include "core/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = ws2__malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static ws2__catalog_t *cat_new(void) {
  ws2__catalog_t *cat = ws2__calloc(1, sizeof(*cat));
  if (cat) atomic_init(&cat->refs, 1);
  return cat;
}

static void cat_free(ws2__catalog_t *cat) {
  size_t i;
  for (i = 0; i < cat->nentries; i++) ws2__free(cat->entries[i].path);
  for (i = 0; i < cat->napps; i++) {
    ws2__free(cat->apps[i].path);
    ws2__free(cat->apps[i].extra);
  }
  ws2__free(cat->entries);
  ws2__free(cat->providers);
  ws2__free(cat->apps);
  ws2__free(cat->file);
  ws2__free(cat);
}

void ws2__catalog_ref(ws2__catalog_t *cat) { atomic_fetch_add(&cat->refs, 1); }

void ws2__catalog_release(ws2__catalog_t *cat) {
  if (cat && atomic_fetch_sub(&cat->refs, 1) == 1) cat_free(cat);
}

ws2__catalog_t *ws2__catalog_new(void) { return cat_new(); }

int ws2__catalog_set_file(ws2__catalog_t *cat, const char *file) {
  char *f = dup_str(file);
  if (!f) return WSA_NOT_ENOUGH_MEMORY;
  ws2__free(cat->file);
  cat->file = f;
  return 0;
}

ws2__catalog_t *ws2__catalog_clone(const ws2__catalog_t *src) {
  ws2__catalog_t *cat = cat_new();
  size_t i;
  if (!cat) return NULL;
  cat->serial = src->serial;
  cat->next_id = src->next_id;
  cat->origin = src->origin;
  cat->status = src->status;
  if ((src->file && !(cat->file = dup_str(src->file))) ||
      (src->nentries &&
       !(cat->entries = ws2__calloc(src->nentries, sizeof(*cat->entries)))) ||
      (src->nproviders && !(cat->providers = ws2__calloc(
                                src->nproviders, sizeof(*cat->providers)))) ||
      (src->napps &&
       !(cat->apps = ws2__calloc(src->napps, sizeof(*cat->apps)))))
    goto fail;
  for (i = 0; i < src->nentries; i++, cat->nentries++) {
    cat->entries[i].info = src->entries[i].info;
    if (!(cat->entries[i].path = dup_str(src->entries[i].path))) goto fail;
  }
  if (src->nproviders)
    memcpy(cat->providers, src->providers,
           src->nproviders * sizeof(*cat->providers));
  cat->nproviders = src->nproviders;
  for (i = 0; i < src->napps; i++, cat->napps++) {
    cat->apps[i].permitted = src->apps[i].permitted;
    cat->apps[i].path = dup_str(src->apps[i].path);
    cat->apps[i].extra = dup_str(src->apps[i].extra);
    if (!cat->apps[i].path || !cat->apps[i].extra) {
      cat->napps++; /* freed with the rest */
      goto fail;
    }
  }
  return cat;
fail:
  cat_free(cat);
  return NULL;
}

ws2__catalog_t *ws2__catalog_default(void) {
  const WSAPROTOCOL_INFOW *builtin;
  int n = ws2__catalog_builtin(&builtin), i;
  ws2__catalog_t *cat = cat_new();
  if (!cat) return NULL;
  cat->origin = WS2__CAT_FROM_DEFAULT;
  cat->next_id = WS2__CATALOG_FIRST_ID;
  for (i = 0; i < n; i++) {
    DWORD id;
    if (ws2__catalog_append(cat, &builtin[i], WS2__CATALOG_BASE_PATH, &id)) {
      cat_free(cat);
      return NULL;
    }
  }
  return cat;
}

/* ---- Queries. ---- */

static int guid_eq(const GUID *a, const GUID *b) {
  return memcmp(a, b, sizeof(GUID)) == 0;
}

const ws2__cat_entry_t *ws2__catalog_find_id(const ws2__catalog_t *cat,
                                             DWORD id) {
  size_t i;
  for (i = 0; i < cat->nentries; i++)
    if (cat->entries[i].info.dwCatalogEntryId == id) return &cat->entries[i];
  return NULL;
}

int ws2__catalog_has_provider(const ws2__catalog_t *cat, const GUID *id) {
  return ws2__catalog_provider_path(cat, id) != NULL;
}

const char *ws2__catalog_provider_path(const ws2__catalog_t *cat,
                                       const GUID *id) {
  size_t i;
  for (i = 0; i < cat->nentries; i++)
    if (guid_eq(&cat->entries[i].info.ProviderId, id))
      return cat->entries[i].path;
  return NULL;
}

static ws2__cat_provider_t *find_provider(const ws2__catalog_t *cat,
                                          const GUID *id) {
  size_t i;
  for (i = 0; i < cat->nproviders; i++)
    if (guid_eq(&cat->providers[i].id, id)) return &cat->providers[i];
  return NULL;
}

DWORD ws2__catalog_provider_categories(const ws2__catalog_t *cat,
                                       const GUID *id) {
  ws2__cat_provider_t *p = find_provider(cat, id);
  return p ? p->lsp_categories : 0;
}

static ws2__cat_app_t *find_app(const ws2__catalog_t *cat, const char *path,
                                const char *extra) {
  size_t i;
  if (!extra) extra = "";
  for (i = 0; i < cat->napps; i++)
    if (strcmp(cat->apps[i].path, path) == 0 &&
        strcmp(cat->apps[i].extra, extra) == 0)
      return &cat->apps[i];
  return NULL;
}

int ws2__catalog_app_category(const ws2__catalog_t *cat, const char *path,
                              const char *extra, DWORD *permitted) {
  ws2__cat_app_t *a = find_app(cat, path, extra);
  if (!a) return 0;
  if (permitted) *permitted = a->permitted;
  return 1;
}

/* ---- Edits. ---- */

/* Chain ids past ChainLen mean nothing (for a base entry, none do): they
 * are cleared, so that what is stored is what is meaningful. */
static void normalise_chain(WSAPROTOCOL_INFOW *info) {
  int len = info->ProtocolChain.ChainLen, i;
  if (len <= BASE_PROTOCOL) len = 0;
  for (i = len; i < MAX_PROTOCOL_CHAIN; i++)
    info->ProtocolChain.ChainEntries[i] = 0;
}

int ws2__catalog_insert(ws2__catalog_t *cat, size_t at,
                        const WSAPROTOCOL_INFOW *info, const char *path,
                        DWORD *id_out) {
  ws2__cat_entry_t *grown;
  char *p = dup_str(path);
  if (!p) return WSA_NOT_ENOUGH_MEMORY;
  grown = ws2__realloc(cat->entries, (cat->nentries + 1) * sizeof(*grown));
  if (!grown) {
    ws2__free(p);
    return WSA_NOT_ENOUGH_MEMORY;
  }
  cat->entries = grown;
  if (at > cat->nentries) at = cat->nentries;
  memmove(&grown[at + 1], &grown[at], (cat->nentries - at) * sizeof(*grown));
  grown[at].info = *info;
  grown[at].info.dwCatalogEntryId = cat->next_id++;
  normalise_chain(&grown[at].info);
  grown[at].path = p;
  cat->nentries++;
  if (id_out) *id_out = grown[at].info.dwCatalogEntryId;
  return 0;
}

int ws2__catalog_append(ws2__catalog_t *cat, const WSAPROTOCOL_INFOW *info,
                        const char *path, DWORD *id_out) {
  return ws2__catalog_insert(cat, cat->nentries, info, path, id_out);
}

void ws2__catalog_replace(ws2__catalog_t *cat, size_t at,
                          const WSAPROTOCOL_INFOW *info) {
  DWORD id;
  if (at >= cat->nentries) return;
  id = cat->entries[at].info.dwCatalogEntryId;
  cat->entries[at].info = *info;
  cat->entries[at].info.dwCatalogEntryId = id;
  normalise_chain(&cat->entries[at].info);
}

void ws2__catalog_remove_at(ws2__catalog_t *cat, size_t at) {
  if (at >= cat->nentries) return;
  ws2__free(cat->entries[at].path);
  memmove(&cat->entries[at], &cat->entries[at + 1],
          (cat->nentries - at - 1) * sizeof(*cat->entries));
  cat->nentries--;
}

int ws2__catalog_set_path(ws2__catalog_t *cat, size_t at, const char *path) {
  char *p;
  if (at >= cat->nentries) return 0;
  if (!(p = dup_str(path))) return WSA_NOT_ENOUGH_MEMORY;
  ws2__free(cat->entries[at].path);
  cat->entries[at].path = p;
  return 0;
}

void ws2__catalog_drop_provider(ws2__catalog_t *cat, const GUID *id) {
  ws2__cat_provider_t *p = find_provider(cat, id);
  size_t at;
  if (!p) return;
  at = (size_t)(p - cat->providers);
  memmove(p, p + 1, (cat->nproviders - at - 1) * sizeof(*p));
  cat->nproviders--;
}

int ws2__catalog_set_provider_categories(ws2__catalog_t *cat, const GUID *id,
                                         DWORD categories) {
  ws2__cat_provider_t *p = find_provider(cat, id), *grown;
  if (!categories) {
    ws2__catalog_drop_provider(cat, id);
    return 0;
  }
  if (!p) {
    grown =
        ws2__realloc(cat->providers, (cat->nproviders + 1) * sizeof(*grown));
    if (!grown) return WSA_NOT_ENOUGH_MEMORY;
    cat->providers = grown;
    p = &grown[cat->nproviders++];
    p->id = *id;
  }
  p->lsp_categories = categories;
  return 0;
}

int ws2__catalog_set_app(ws2__catalog_t *cat, const char *path,
                         const char *extra, DWORD permitted) {
  ws2__cat_app_t *a = find_app(cat, path, extra), *grown;
  char *p, *x;
  if (a) {
    a->permitted = permitted;
    return 0;
  }
  p = dup_str(path);
  x = dup_str(extra ? extra : "");
  grown = p && x ? ws2__realloc(cat->apps, (cat->napps + 1) * sizeof(*grown))
                 : NULL;
  if (!grown) {
    ws2__free(p);
    ws2__free(x);
    return WSA_NOT_ENOUGH_MEMORY;
  }
  cat->apps = grown;
  a = &grown[cat->napps++];
  a->path = p;
  a->extra = x;
  a->permitted = permitted;
  return 0;
}

int ws2__catalog_remove_app(ws2__catalog_t *cat, const char *path,
                            const char *extra) {
  ws2__cat_app_t *a = find_app(cat, path, extra);
  size_t at;
  if (!a) return 0;
  at = (size_t)(a - cat->apps);
  ws2__free(a->path);
  ws2__free(a->extra);
  memmove(a, a + 1, (cat->napps - at - 1) * sizeof(*a));
  cat->napps--;
  return 1;
}

/* ---- The process's snapshot. ---- */

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static ws2__catalog_t *snap;    /* under snap_lock */
static _Atomic int snap_reread; /* read the file again at the next use */

ws2__catalog_t *ws2__catalog_snapshot(void) {
  ws2__catalog_t *cat = NULL;
  pthread_mutex_lock(&snap_lock);
  if (atomic_exchange(&snap_reread, 0) || !snap) {
    if (ws2__catalog_load(NULL, 1, &cat) == 0) {
      ws2__catalog_release(snap);
      snap = cat;
    }
  }
  cat = snap;
  if (cat) ws2__catalog_ref(cat);
  pthread_mutex_unlock(&snap_lock);
  return cat;
}

void ws2__catalog_snapshot_refresh(void) { atomic_store(&snap_reread, 1); }

void ws2__catalog_snapshot_stale(void) { atomic_store(&snap_reread, 1); }
