/*
 * layer.c: the catalog edits behind installing and removing layered
 * providers and reordering the catalog. WSCInstallProviderAndChains,
 * WSCDeinstallProvider and WSCWriteProviderOrder (src/ws2/wsc.c) and
 * ws2ctl (tools/ws2ctl) both make their changes with these, so the two
 * cannot build different catalogs from the same request.
 */
#include "catalog/internal.h"

#include "core/alloc.h"

#include <string.h>

static int guid_eq(const GUID *a, const GUID *b) {
  return memcmp(a, b, sizeof(GUID)) == 0;
}

/* The length of a NUL-terminated WCHAR string, or max + 1 if longer. */
static size_t wcs_len(const WCHAR *w, size_t max) {
  size_t n = 0;
  while (n <= max && w[n]) n++;
  return n;
}

/* The position of the entry with this id, or cat->nentries. */
static size_t position_of(const ws2__catalog_t *cat, DWORD id) {
  size_t i;
  for (i = 0; i < cat->nentries; i++)
    if (cat->entries[i].info.dwCatalogEntryId == id) break;
  return i;
}

/* The entry the layer's chain over `low` is: a copy of it with the
 * layer's GUID, the chain [dummy id, ...low's chain], the name
 * "<layer> over [<low's name>]" and XP1_IFS_HANDLES only when both the
 * layer and everything below it are IFS. */
static void chain_over(const ws2__cat_layer_t *l, const WSAPROTOCOL_INFOW *low,
                       DWORD dummy_id, WSAPROTOCOL_INFOW *chain) {
  static const WCHAR over[] = {' ', 'o', 'v', 'e', 'r', ' ', '['};
  size_t n = l->name_len, lown = wcs_len(low->szProtocol, WSAPROTOCOL_LEN), i;
  int len = low->ProtocolChain.ChainLen, k;
  *chain = *low;
  chain->ProviderId = *l->id;
  /* Non-IFS as soon as one layer of the chain is. */
  if (!l->ifs) chain->dwServiceFlags1 &= ~(DWORD)XP1_IFS_HANDLES;
  memset(&chain->ProtocolChain, 0, sizeof(chain->ProtocolChain));
  chain->ProtocolChain.ChainEntries[0] = dummy_id;
  if (len == BASE_PROTOCOL) {
    chain->ProtocolChain.ChainEntries[1] = low->dwCatalogEntryId;
    chain->ProtocolChain.ChainLen = 2;
  } else {
    for (k = 0; k < len; k++)
      chain->ProtocolChain.ChainEntries[k + 1] =
          low->ProtocolChain.ChainEntries[k];
    chain->ProtocolChain.ChainLen = len + 1;
  }
  /* "<layer> over [<lower entry>]", cut to WSAPROTOCOL_LEN. */
  memset(chain->szProtocol, 0, sizeof(chain->szProtocol));
  memcpy(chain->szProtocol, l->name, n * sizeof(WCHAR));
  for (k = 0; k < 7 && n < WSAPROTOCOL_LEN; k++)
    chain->szProtocol[n++] = over[k];
  for (i = 0; i < lown && n < WSAPROTOCOL_LEN; i++)
    chain->szProtocol[n++] = low->szProtocol[i];
  if (n < WSAPROTOCOL_LEN) chain->szProtocol[n++] = ']';
  /* Never end on half a surrogate pair. */
  if (n == WSAPROTOCOL_LEN && chain->szProtocol[n - 1] >= 0xD800 &&
      chain->szProtocol[n - 1] <= 0xDBFF)
    chain->szProtocol[--n] = 0;
}

int ws2__catalog_install_layer(ws2__catalog_t *cat, ws2__cat_layer_t *l) {
  size_t *lower = NULL, nlower = 0, n0 = cat->nentries, i, j, at;
  WSAPROTOCOL_INFOW dummy, *chains = NULL;
  DWORD dummy_id, id;
  int r = 0;

  l->dummy_id = 0;
  l->nchains = 0;
  if (!l->id || !l->path || !l->name || !l->name_len ||
      l->name_len > WSAPROTOCOL_LEN || (l->over && !l->nover))
    return WSAEINVAL;
  /* A duplicate provider or layer name: WSAEINVAL, as documented. */
  if (ws2__catalog_has_provider(cat, l->id)) return WSAEINVAL;
  for (i = 0; i < n0; i++) {
    const WSAPROTOCOL_INFOW *e = &cat->entries[i].info;
    if (e->ProtocolChain.ChainLen == LAYERED_PROTOCOL &&
        wcs_len(e->szProtocol, WSAPROTOCOL_LEN) == l->name_len &&
        memcmp(e->szProtocol, l->name, l->name_len * sizeof(WCHAR)) == 0)
      return WSAEINVAL;
  }
  if (!(lower = ws2__malloc((n0 + 1) * sizeof(*lower))))
    return WSA_NOT_ENOUGH_MEMORY;
  if (!l->over) {
    /* Every base protocol, once per (af, type, protocol). */
    for (i = 0; i < n0; i++) {
      const WSAPROTOCOL_INFOW *e = &cat->entries[i].info;
      if (e->ProtocolChain.ChainLen != BASE_PROTOCOL) continue;
      for (j = 0; j < nlower; j++) {
        const WSAPROTOCOL_INFOW *o = &cat->entries[lower[j]].info;
        if (o->iAddressFamily == e->iAddressFamily &&
            o->iSocketType == e->iSocketType && o->iProtocol == e->iProtocol)
          break;
      }
      if (j == nlower) lower[nlower++] = i;
    }
    if (!nlower) r = WSANO_RECOVERY; /* no base provider */
  } else {
    /* The entries named, in the order given, duplicates ignored: base
     * entries or chains, never a layer's dummy. */
    for (j = 0; j < l->nover && !r; j++) {
      size_t k;
      i = position_of(cat, l->over[j]);
      if (i == n0 ||
          cat->entries[i].info.ProtocolChain.ChainLen == LAYERED_PROTOCOL) {
        r = WSAEINVAL;
        break;
      }
      for (k = 0; k < nlower && lower[k] != i; k++) {
      }
      if (k == nlower) lower[nlower++] = i;
    }
  }
  for (j = 0; j < nlower && !r; j++)
    if (cat->entries[lower[j]].info.ProtocolChain.ChainLen >=
        MAX_PROTOCOL_CHAIN)
      r = WSANO_RECOVERY; /* the chain would be too long */
  if (!r && n0 + nlower + 1 > WS2__CATALOG_MAX_ENTRIES) r = WSANO_RECOVERY;
  if (!r && !(chains = ws2__malloc(nlower * sizeof(*chains))))
    r = WSA_NOT_ENOUGH_MEMORY;
  if (r) goto out;

  /* The chains, built before anything moves. Their first link is the
   * dummy's id: the one the catalog gives next. */
  dummy_id = cat->next_id;
  for (j = 0; j < nlower; j++)
    chain_over(l, &cat->entries[lower[j]].info, dummy_id, &chains[j]);

  /* The dummy: a copy of the first lower entry, made a hidden layer. */
  dummy = cat->entries[lower[0]].info;
  dummy.ProviderId = *l->id;
  memset(&dummy.ProtocolChain, 0, sizeof(dummy.ProtocolChain));
  dummy.ProtocolChain.ChainLen = LAYERED_PROTOCOL;
  dummy.dwServiceFlags1 =
      (dummy.dwServiceFlags1 & ~(DWORD)XP1_IFS_HANDLES) | l->ifs;
  dummy.dwProviderFlags =
      (dummy.dwProviderFlags | PFL_HIDDEN) & ~(DWORD)PFL_MATCHES_PROTOCOL_ZERO;
  dummy.iSocketType = 0;
  dummy.iProtocol = 0;
  dummy.iProtocolMaxOffset = 0;
  memset(dummy.szProtocol, 0, sizeof(dummy.szProtocol));
  memcpy(dummy.szProtocol, l->name, l->name_len * sizeof(WCHAR));
  if ((r = ws2__catalog_append(cat, &dummy, l->path, &id)) != 0) goto out;
  l->dummy_id = id;

  /* The chains, in order, from position `at` of the catalog as it was. */
  at = l->at < n0 ? l->at : n0;
  for (j = 0; j < nlower; j++) {
    if ((r = ws2__catalog_insert(cat, at + j, &chains[j], l->path, &id)) != 0)
      goto out;
    l->nchains++;
  }
out:
  ws2__free(chains);
  ws2__free(lower);
  return r;
}

int ws2__catalog_remove_provider(ws2__catalog_t *cat, const GUID *id) {
  size_t i = 0;
  int found = 0;
  while (i < cat->nentries) {
    if (guid_eq(&cat->entries[i].info.ProviderId, id)) {
      ws2__catalog_remove_at(cat, i);
      found = 1;
    } else {
      i++;
    }
  }
  if (!found) return WSAEINVAL;
  ws2__catalog_drop_provider(cat, id);
  return 0;
}

int ws2__catalog_reorder(ws2__catalog_t *cat, const DWORD *ids, size_t n) {
  ws2__cat_entry_t *sorted;
  unsigned char *taken;
  size_t *from, i, k;
  int r = 0;
  if (!ids || n != cat->nentries || !n) return WSAEINVAL;
  sorted = ws2__malloc(n * sizeof(*sorted));
  from = ws2__malloc(n * sizeof(*from));
  taken = ws2__calloc(n, 1);
  if (!sorted || !from || !taken) r = WSA_NOT_ENOUGH_MEMORY;
  for (k = 0; k < n && !r; k++) {
    i = position_of(cat, ids[k]);
    if (i == cat->nentries || taken[i])
      r = WSAEINVAL; /* unknown, or twice */
    else
      taken[i] = 1, from[k] = i;
  }
  if (!r) {
    for (k = 0; k < n; k++) sorted[k] = cat->entries[from[k]];
    memcpy(cat->entries, sorted, n * sizeof(*sorted));
  }
  ws2__free(sorted);
  ws2__free(from);
  ws2__free(taken);
  return r;
}
