/*
 * wsc.c: the catalog functions of <ws2spi.h> and <sporder.h> (WSC*), on
 * the catalog file (src/catalog), and WSAProviderConfigChange.
 *
 * The WSC* functions read the file itself at every call, so an installer
 * sees its own changes at once (the LSP installers re-enumerate to learn
 * the catalog id of the entry they just installed); they need no
 * WSAStartup, as on Windows. A running process's sockets and
 * WSAEnumProtocols work from its snapshot instead (catalog.h says when it
 * is read again). Errors go to *lpErrno, with SOCKET_ERROR returned; with
 * no lpErrno to report to, the functions only return SOCKET_ERROR. NULL
 * pointers to data the function reads or identifies something with are
 * WSAEINVAL ("one or more of the arguments are invalid"), NULL pointers
 * to what it writes are WSAEFAULT. Writing the catalog needs write access
 * to its directory; without it the functions fail with WSANO_RECOVERY, as
 * Windows does for a user who is not an administrator.
 *
 * The 32-bit catalog of 64-bit Windows does not exist in ws2 (there are no
 * 32-bit programs to use it): the *64_32 forms, which install into every
 * catalog, install into the one catalog (and ignore the 32-bit path); the
 * *32 forms, which act on the 32-bit catalog alone, stay in notyet.c and
 * fail with WSAEOPNOTSUPP.
 */
#include "ws2/ws2.h"

#include <sporder.h>
#include <ws2spi.h>

#include "catalog/builtin.h"
#include "catalog/catalog.h"
#include "ws2/provider.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/io.h"
#include "core/list.h"
#include "core/log.h"
#include "core/nls.h"
#include "core/object.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(LPINT lpErrno, int err) {
  if (lpErrno) *lpErrno = err;
  return SOCKET_ERROR;
}

static int guid_eq(const GUID *a, const GUID *b) {
  return memcmp(a, b, sizeof(GUID)) == 0;
}

/* The length of a NUL-terminated WCHAR string, or max + 1 if longer. */
static size_t wcs_len(const WCHAR *w, size_t max) {
  size_t n = 0;
  while (n <= max && w[n]) n++;
  return n;
}

/* n WCHARs as a new UTF-8 string: 0, WSAEINVAL (ill-formed UTF-16 or a
 * NUL inside), or WSA_NOT_ENOUGH_MEMORY. */
static int utf8_of(const WCHAR *w, size_t n, char **out) {
  size_t need = 0, i;
  char *s;
  for (i = 0; i < n; i++)
    if (!w[i]) return WSAEINVAL;
  if (ws2__utf16_to_utf8(w, n, NULL, 0, WS2__UTF_STRICT, &need, NULL) !=
      WS2__UTF_OK)
    return WSAEINVAL;
  if (!(s = ws2__malloc(need + 1))) return WSA_NOT_ENOUGH_MEMORY;
  ws2__utf16_to_utf8(w, n, s, need, WS2__UTF_STRICT, &need, NULL);
  s[need] = 0;
  *out = s;
  return 0;
}

/* A provider path argument: 1 to MAX_PATH - 1 characters. */
static int path_arg(const WCHAR *path, char **out) {
  size_t n;
  if (!path) return WSAEINVAL;
  n = wcs_len(path, WS2__CATALOG_MAX_PATH);
  if (n == 0 || n > WS2__CATALOG_MAX_PATH) return WSAEINVAL;
  return utf8_of(path, n, out);
}

/* A WSAPROTOCOL_INFOW to store: a chain length from 0 to
 * MAX_PROTOCOL_CHAIN, a terminated, well-formed name. The copy has the
 * provider's GUID and nothing after the name's NUL. */
static int info_arg(const WSAPROTOCOL_INFOW *in, const GUID *id,
                    WSAPROTOCOL_INFOW *out) {
  size_t n = wcs_len(in->szProtocol, WSAPROTOCOL_LEN), need;
  if (in->ProtocolChain.ChainLen < LAYERED_PROTOCOL ||
      in->ProtocolChain.ChainLen > MAX_PROTOCOL_CHAIN || n > WSAPROTOCOL_LEN ||
      ws2__utf16_to_utf8(in->szProtocol, n, NULL, 0, WS2__UTF_STRICT, &need,
                         NULL) != WS2__UTF_OK)
    return WSAEINVAL;
  *out = *in;
  memset(out->szProtocol + n, 0,
         (WSAPROTOCOL_LEN + 1 - n) * sizeof(out->szProtocol[0]));
  out->ProviderId = *id;
  return 0;
}

/* Whether entry e answers a protocol in the zero-terminated list. */
static int wanted(const WSAPROTOCOL_INFOW *e, const INT *list) {
  if (!list) return 1;
  for (; *list; list++)
    if (*list >= e->iProtocol &&
        *list <= (long long)e->iProtocol + e->iProtocolMaxOffset)
      return 1;
  return 0;
}

/* The catalog as the file has it (the default when there is none, or when
 * it is unusable: that is logged). 0 or a WSA error. */
static int load(ws2__catalog_t **cat) {
  int r = ws2__catalog_load(NULL, 1, cat);
  return r == WSA_NOT_ENOUGH_MEMORY ? WSAENOBUFS : r;
}

/* ---- WSCEnumProtocols, WSCGetProviderPath, WSCGetProviderInfo,
 * WSCGetApplicationCategory: reading. ---- */

int WSPAPI WSCEnumProtocols(LPINT lpiProtocols,
                            LPWSAPROTOCOL_INFOW lpProtocolBuffer,
                            LPDWORD lpdwBufferLength, LPINT lpErrno) {
  ws2__catalog_t *cat;
  size_t i;
  int count = 0, r;
  DWORD need;
  if (!lpErrno) return SOCKET_ERROR;
  if (!lpdwBufferLength) return fail(lpErrno, WSAEFAULT);
  if ((r = load(&cat)) != 0) return fail(lpErrno, r);
  /* Every entry, hidden and layered ones included (WSAEnumProtocols
   * leaves those out). */
  for (i = 0; i < cat->nentries; i++)
    if (wanted(&cat->entries[i].info, lpiProtocols)) count++;
  need = (DWORD)((size_t)count * sizeof(WSAPROTOCOL_INFOW));
  if (!lpProtocolBuffer || *lpdwBufferLength < need) {
    *lpdwBufferLength = need;
    ws2__catalog_release(cat);
    return fail(lpErrno, WSAENOBUFS);
  }
  count = 0;
  for (i = 0; i < cat->nentries; i++)
    if (wanted(&cat->entries[i].info, lpiProtocols))
      lpProtocolBuffer[count++] = cat->entries[i].info;
  *lpdwBufferLength = need;
  ws2__catalog_release(cat);
  return count;
}

int WSPAPI WSCGetProviderPath(LPGUID lpProviderId, WCHAR *lpszProviderDllPath,
                              LPINT lpProviderDllPathLen, LPINT lpErrno) {
  ws2__catalog_t *cat;
  const char *path;
  size_t need = 0;
  int r;
  if (!lpErrno) return SOCKET_ERROR;
  if (!lpProviderId) return fail(lpErrno, WSAEINVAL);
  if (!lpProviderDllPathLen) return fail(lpErrno, WSAEFAULT);
  if ((r = load(&cat)) != 0) return fail(lpErrno, r);
  if (!(path = ws2__catalog_provider_path(cat, lpProviderId))) {
    ws2__catalog_release(cat);
    return fail(lpErrno, WSAEINVAL);
  }
  /* The built-in base provider lives in libws2 itself: a layer loads it
   * from there (its WSPStartup is exported), as from mswsock.dll. */
  if (strcmp(path, WS2__CATALOG_BASE_PATH) == 0) path = ws2__builtin_path();
  ws2__utf8_to_utf16(path, strlen(path), NULL, 0, 0, &need, NULL);
  need++; /* the NUL */
  /* Too small: WSAEFAULT, as documented, with the size needed (in
   * characters, the NUL included) for a second call. */
  if (!lpszProviderDllPath || *lpProviderDllPathLen < 0 ||
      (size_t)*lpProviderDllPathLen < need) {
    *lpProviderDllPathLen = (INT)need;
    ws2__catalog_release(cat);
    return fail(lpErrno, WSAEFAULT);
  }
  ws2__utf8_to_utf16(path, strlen(path), lpszProviderDllPath, need - 1, 0,
                     &need, NULL);
  lpszProviderDllPath[need] = 0;
  *lpProviderDllPathLen = (INT)(need + 1);
  ws2__catalog_release(cat);
  return 0;
}

int WSPAPI WSCGetProviderInfo(LPGUID lpProviderId,
                              WSC_PROVIDER_INFO_TYPE InfoType, PBYTE Info,
                              size_t *InfoSize, DWORD Flags, LPINT lpErrno) {
  ws2__catalog_t *cat;
  DWORD cats;
  int r;
  if (!lpErrno) return SOCKET_ERROR;
  if (InfoType == ProviderInfoAudit)
    return fail(lpErrno, ERROR_CALL_NOT_IMPLEMENTED);
  if (InfoType != ProviderInfoLspCategories || !lpProviderId)
    return fail(lpErrno, WSAEINVAL);
  if (!InfoSize) return fail(lpErrno, WSAEFAULT);
  if ((r = load(&cat)) != 0) return fail(lpErrno, r);
  if (!ws2__catalog_has_provider(cat, lpProviderId)) {
    ws2__catalog_release(cat);
    return fail(lpErrno, WSAEINVALIDPROVIDER);
  }
  cats = ws2__catalog_provider_categories(cat, lpProviderId);
  ws2__catalog_release(cat);
  /* No buffer, or too small: the size needed in *InfoSize. */
  if (!Info || *InfoSize < sizeof(DWORD)) {
    *InfoSize = sizeof(DWORD);
    return fail(lpErrno, WSAEFAULT);
  }
  memcpy(Info, &cats, sizeof(cats));
  *InfoSize = sizeof(DWORD);
  return 0;
}

/* An application's identity: Path (PathLength characters, 1 to MAX_PATH
 * - 1) and Extra (ExtraLength characters, or none), as UTF-8. */
static int app_args(LPCWSTR Path, DWORD PathLength, LPCWSTR Extra,
                    DWORD ExtraLength, char **path, char **extra) {
  int r;
  *path = *extra = NULL;
  if (!Path || !PathLength || PathLength > WS2__CATALOG_MAX_PATH ||
      (!Extra && ExtraLength) || ExtraLength > 32767)
    return WSAEINVAL;
  if ((r = utf8_of(Path, PathLength, path)) != 0) return r;
  if ((r = utf8_of(Extra ? Extra : Path, Extra ? ExtraLength : 0, extra)) !=
      0) {
    ws2__free(*path);
    *path = NULL;
  }
  return r;
}

int WSPAPI WSCGetApplicationCategory(LPCWSTR Path, DWORD PathLength,
                                     LPCWSTR Extra, DWORD ExtraLength,
                                     DWORD *pPermittedLspCategories,
                                     LPINT lpErrno) {
  ws2__catalog_t *cat;
  char *path, *extra;
  int r, found;
  if (!lpErrno) return SOCKET_ERROR;
  if (!pPermittedLspCategories) return fail(lpErrno, WSAEFAULT);
  if ((r = app_args(Path, PathLength, Extra, ExtraLength, &path, &extra)) != 0)
    return fail(lpErrno, r == WSA_NOT_ENOUGH_MEMORY ? WSAENOBUFS : r);
  if ((r = load(&cat)) != 0) {
    ws2__free(path);
    ws2__free(extra);
    return fail(lpErrno, r);
  }
  found = ws2__catalog_app_category(cat, path, extra, pPermittedLspCategories);
  ws2__catalog_release(cat);
  ws2__free(path);
  ws2__free(extra);
  /* Not categorised: WSASERVICE_NOT_FOUND, as documented. */
  return found ? 0 : fail(lpErrno, WSASERVICE_NOT_FOUND);
}

/* ---- Writing: each change is an edit function run under the catalog's
 * lock on the catalog as the file has it (src/catalog/store.c). ---- */

/* The catalog's error as the WSC functions report it. */
static int modify(ws2__cat_edit_fn edit, void *arg) {
  int r = ws2__catalog_modify(NULL, edit, arg);
  return r == WSA_NOT_ENOUGH_MEMORY ? WSA_NOT_ENOUGH_MEMORY : r;
}

typedef struct install_args {
  const GUID *id;
  const char *path;
  const WSAPROTOCOL_INFOW *infos; /* checked copies */
  DWORD n;
} install_args_t;

static int install_edit(ws2__catalog_t *cat, void *arg) {
  install_args_t *a = arg;
  DWORD i, id;
  int r;
  /* "The provider is already installed": WSANO_RECOVERY. */
  if (ws2__catalog_has_provider(cat, a->id)) return WSANO_RECOVERY;
  if (cat->nentries + a->n > WS2__CATALOG_MAX_ENTRIES) return WSANO_RECOVERY;
  for (i = 0; i < a->n; i++)
    if ((r = ws2__catalog_append(cat, &a->infos[i], a->path, &id)) != 0)
      return r;
  return 0;
}

/* The checked copies of a caller's entries, or a WSA error. */
static int infos_arg(const WSAPROTOCOL_INFOW *list, DWORD n, const GUID *id,
                     WSAPROTOCOL_INFOW **out) {
  WSAPROTOCOL_INFOW *copy;
  DWORD i;
  int r;
  if (!list || !n || n > WS2__CATALOG_MAX_ENTRIES) return WSAEINVAL;
  if (!(copy = ws2__malloc(n * sizeof(*copy)))) return WSA_NOT_ENOUGH_MEMORY;
  for (i = 0; i < n; i++)
    if ((r = info_arg(&list[i], id, &copy[i])) != 0) {
      ws2__free(copy);
      return r;
    }
  *out = copy;
  return 0;
}

/* Install and update: the common arguments, checked. */
static int provider_args(LPGUID id, const WCHAR *path,
                         const WSAPROTOCOL_INFOW *list, DWORD n,
                         install_args_t *a) {
  WSAPROTOCOL_INFOW *infos = NULL;
  char *p = NULL;
  int r;
  if (!id) return WSAEINVAL;
  if ((r = path_arg(path, &p)) != 0) return r;
  if ((r = infos_arg(list, n, id, &infos)) != 0) {
    ws2__free(p);
    return r;
  }
  a->id = id;
  a->path = p;
  a->infos = infos;
  a->n = n;
  return 0;
}

static void provider_args_free(install_args_t *a) {
  ws2__free((void *)a->path);
  ws2__free((void *)a->infos);
}

int WSPAPI WSCInstallProvider(LPGUID lpProviderId,
                              const WCHAR *lpszProviderDllPath,
                              const LPWSAPROTOCOL_INFOW lpProtocolInfoList,
                              DWORD dwNumberOfEntries, LPINT lpErrno) {
  install_args_t a;
  int r;
  if (!lpErrno) return SOCKET_ERROR;
  if ((r = provider_args(lpProviderId, lpszProviderDllPath, lpProtocolInfoList,
                         dwNumberOfEntries, &a)) != 0)
    return fail(lpErrno, r);
  r = modify(install_edit, &a);
  provider_args_free(&a);
  return r ? fail(lpErrno, r) : 0;
}

/* Installing into "both catalogs" installs into the one. */
int WSPAPI WSCInstallProvider64_32(LPGUID lpProviderId,
                                   const WCHAR *lpszProviderDllPath,
                                   const LPWSAPROTOCOL_INFOW lpProtocolInfoList,
                                   DWORD dwNumberOfEntries, LPINT lpErrno) {
  return WSCInstallProvider(lpProviderId, lpszProviderDllPath,
                            lpProtocolInfoList, dwNumberOfEntries, lpErrno);
}

static int deinstall_edit(ws2__catalog_t *cat, void *arg) {
  return ws2__catalog_remove_provider(cat, arg);
}

int WSPAPI WSCDeinstallProvider(LPGUID lpProviderId, LPINT lpErrno) {
  int r;
  if (!lpErrno) return SOCKET_ERROR;
  if (!lpProviderId) return fail(lpErrno, WSAEINVAL);
  r = modify(deinstall_edit, lpProviderId);
  return r ? fail(lpErrno, r) : 0;
}

/* Each given entry names, by its dwCatalogEntryId, an entry of the
 * provider, which it replaces (keeping its id and place); the provider's
 * entries all take the new path. */
static int update_edit(ws2__catalog_t *cat, void *arg) {
  install_args_t *a = arg;
  size_t *at, i;
  DWORD k;
  int r = 0;
  if (!ws2__catalog_has_provider(cat, a->id)) return WSAEINVAL;
  if (!(at = ws2__malloc(a->n * sizeof(*at)))) return WSA_NOT_ENOUGH_MEMORY;
  for (k = 0; k < a->n && !r; k++) {
    for (i = 0; i < cat->nentries; i++)
      if (cat->entries[i].info.dwCatalogEntryId ==
              a->infos[k].dwCatalogEntryId &&
          guid_eq(&cat->entries[i].info.ProviderId, a->id))
        break;
    if (i == cat->nentries) r = WSAEINVAL;
    at[k] = i;
  }
  for (k = 0; k < a->n && !r; k++)
    ws2__catalog_replace(cat, at[k], &a->infos[k]);
  for (i = 0; i < cat->nentries && !r; i++)
    if (guid_eq(&cat->entries[i].info.ProviderId, a->id) &&
        strcmp(cat->entries[i].path, a->path) != 0)
      r = ws2__catalog_set_path(cat, i, a->path);
  ws2__free(at);
  return r;
}

int WSPAPI WSCUpdateProvider(LPGUID lpProviderId,
                             const WCHAR *lpszProviderDllPath,
                             const LPWSAPROTOCOL_INFOW lpProtocolInfoList,
                             DWORD dwNumberOfEntries, LPINT lpErrno) {
  install_args_t a;
  int r;
  if (!lpErrno) return SOCKET_ERROR;
  if ((r = provider_args(lpProviderId, lpszProviderDllPath, lpProtocolInfoList,
                         dwNumberOfEntries, &a)) != 0)
    return fail(lpErrno, r);
  r = modify(update_edit, &a);
  provider_args_free(&a);
  return r ? fail(lpErrno, r) : 0;
}

typedef struct order_args {
  const DWORD *ids;
  DWORD n;
} order_args_t;

/* The ids must be every installed entry's, each once. */
static int order_edit(ws2__catalog_t *cat, void *arg) {
  order_args_t *a = arg;
  return ws2__catalog_reorder(cat, a->ids, a->n);
}

/* Returns the error code (0 on success), as documented. */
int WSPAPI WSCWriteProviderOrder(LPDWORD lpwdCatalogEntryId,
                                 DWORD dwNumberOfEntries) {
  order_args_t a;
  if (!lpwdCatalogEntryId || !dwNumberOfEntries ||
      dwNumberOfEntries > WS2__CATALOG_MAX_ENTRIES)
    return WSAEINVAL;
  a.ids = lpwdCatalogEntryId;
  a.n = dwNumberOfEntries;
  return modify(order_edit, &a);
}

/*
 * WSCInstallProviderAndChains: the layered "dummy" entry (ChainLen 0,
 * LAYERED_PROTOCOL, hidden) and, for each entry layered over, a chain
 * entry whose chain is the dummy's id then the lower entry's chain. The
 * chain entries go to the top of the catalog (in order), so that they are
 * what socket() chooses; the dummy goes at the end, as an installed entry
 * would. Every entry carries the provider's GUID, so that
 * WSCDeinstallProvider removes the layer whole, and a process loads and
 * starts the layer once. The edit itself is the catalog's
 * (ws2__catalog_install_layer, shared with ws2ctl); what is WSC's own is
 * choosing the entries from the caller's triples.
 */
typedef struct chains_args {
  const GUID *id;
  const char *path;
  const WCHAR *name; /* checked: 1 to WSAPROTOCOL_LEN characters */
  size_t name_len;
  DWORD ifs;                     /* dwServiceFlags & XP1_IFS_HANDLES */
  const WSAPROTOCOL_INFOW *list; /* NULL: every unique base triple */
  DWORD n;
  DWORD dummy_id;
} chains_args_t;

/* Whether entry e answers (af, type, protocol). */
static int matches(const WSAPROTOCOL_INFOW *e, int af, int type, int proto) {
  return e->iAddressFamily == af && e->iSocketType == type &&
         (proto == e->iProtocol ||
          (proto > e->iProtocol &&
           proto <= (long long)e->iProtocol + e->iProtocolMaxOffset));
}

static int chains_edit(ws2__catalog_t *cat, void *arg) {
  chains_args_t *a = arg;
  ws2__cat_layer_t l;
  DWORD *over = NULL, k;
  size_t i;
  int r = 0;

  memset(&l, 0, sizeof(l));
  if (a->list) {
    /* The top-most entry (not a layer's dummy) matching each triple
     * (the catalog ignores duplicates). */
    if (!(over = ws2__malloc(a->n * sizeof(*over))))
      return WSA_NOT_ENOUGH_MEMORY;
    for (k = 0; k < a->n && !r; k++) {
      const WSAPROTOCOL_INFOW *want = &a->list[k];
      for (i = 0; i < cat->nentries; i++)
        if (cat->entries[i].info.ProtocolChain.ChainLen != LAYERED_PROTOCOL &&
            matches(&cat->entries[i].info, want->iAddressFamily,
                    want->iSocketType, want->iProtocol))
          break;
      if (i == cat->nentries)
        r = WSAEINVAL; /* no match for the triple */
      else
        over[k] = cat->entries[i].info.dwCatalogEntryId;
    }
    l.over = over;
    l.nover = a->n;
  }
  if (!r) {
    l.id = a->id;
    l.path = a->path;
    l.name = a->name;
    l.name_len = a->name_len;
    l.ifs = a->ifs;
    l.at = 0; /* the chains at the top */
    r = ws2__catalog_install_layer(cat, &l);
    a->dummy_id = l.dummy_id;
  }
  ws2__free(over);
  return r;
}

int WSPAPI WSCInstallProviderAndChains(
    LPGUID lpProviderId, const LPWSTR lpszProviderDllPath,
    const LPWSTR lpszLspName, DWORD dwServiceFlags,
    LPWSAPROTOCOL_INFOW lpProtocolInfoList, DWORD dwNumberOfEntries,
    LPDWORD lpdwCatalogEntryId, LPINT lpErrno) {
  chains_args_t a;
  char *path = NULL;
  size_t need;
  int r;
  if (!lpErrno) return SOCKET_ERROR;
  /* NULL provider, bad path or name (too long: MAX_PATH, WSAPROTOCOL_LEN),
   * a list with no entries: WSAEINVAL, as documented. */
  if (!lpProviderId || !lpszLspName ||
      (lpProtocolInfoList && !dwNumberOfEntries) ||
      dwNumberOfEntries > WS2__CATALOG_MAX_ENTRIES)
    return fail(lpErrno, WSAEINVAL);
  memset(&a, 0, sizeof(a));
  a.name_len = wcs_len(lpszLspName, WSAPROTOCOL_LEN);
  if (!a.name_len || a.name_len > WSAPROTOCOL_LEN ||
      ws2__utf16_to_utf8(lpszLspName, a.name_len, NULL, 0, WS2__UTF_STRICT,
                         &need, NULL) != WS2__UTF_OK)
    return fail(lpErrno, WSAEINVAL);
  if ((r = path_arg(lpszProviderDllPath, &path)) != 0) return fail(lpErrno, r);
  a.id = lpProviderId;
  a.path = path;
  a.name = lpszLspName;
  a.ifs = dwServiceFlags & XP1_IFS_HANDLES;
  a.list = lpProtocolInfoList;
  a.n = lpProtocolInfoList ? dwNumberOfEntries : 0;
  r = modify(chains_edit, &a);
  ws2__free(path);
  if (r) return fail(lpErrno, r);
  if (lpdwCatalogEntryId) *lpdwCatalogEntryId = a.dummy_id;
  return 0;
}

int WSPAPI WSCInstallProviderAndChains64_32(
    LPGUID lpProviderId, const LPWSTR lpszProviderDllPath,
    const LPWSTR lpszProviderDllPath32, const LPWSTR lpszLspName,
    DWORD dwServiceFlags, LPWSAPROTOCOL_INFOW lpProtocolInfoList,
    DWORD dwNumberOfEntries, LPDWORD lpdwCatalogEntryId, LPINT lpErrno) {
  return WSCInstallProviderAndChains(
      lpProviderId, lpszProviderDllPath, lpszLspName, dwServiceFlags,
      lpProtocolInfoList, dwNumberOfEntries, lpdwCatalogEntryId, lpErrno);
}

typedef struct info_args {
  const GUID *id;
  DWORD categories;
} info_args_t;

static int set_info_edit(ws2__catalog_t *cat, void *arg) {
  info_args_t *a = arg;
  if (!ws2__catalog_has_provider(cat, a->id)) return WSAEINVALIDPROVIDER;
  return ws2__catalog_set_provider_categories(cat, a->id, a->categories);
}

int WSPAPI WSCSetProviderInfo(LPGUID lpProviderId,
                              WSC_PROVIDER_INFO_TYPE InfoType, PBYTE Info,
                              size_t InfoSize, DWORD Flags, LPINT lpErrno) {
  info_args_t a;
  int r;
  if (!lpErrno) return SOCKET_ERROR;
  if (InfoType == ProviderInfoAudit)
    return fail(lpErrno, ERROR_CALL_NOT_IMPLEMENTED);
  if (InfoType != ProviderInfoLspCategories || !lpProviderId)
    return fail(lpErrno, WSAEINVAL);
  if (!Info) return fail(lpErrno, WSAEFAULT);
  if (InfoSize < sizeof(DWORD)) return fail(lpErrno, WSAEINVAL);
  a.id = lpProviderId;
  memcpy(&a.categories, Info, sizeof(DWORD));
  r = modify(set_info_edit, &a);
  return r ? fail(lpErrno, r) : 0;
}

typedef struct app_args {
  const char *path, *extra;
  DWORD permitted, previous;
} app_args_t;

/* Repeated calls for one application OR the categories together, as
 * documented. */
static int set_app_edit(ws2__catalog_t *cat, void *arg) {
  app_args_t *a = arg;
  a->previous = 0;
  ws2__catalog_app_category(cat, a->path, a->extra, &a->previous);
  return ws2__catalog_set_app(cat, a->path, a->extra,
                              a->previous | a->permitted);
}

int WSPAPI WSCSetApplicationCategory(LPCWSTR Path, DWORD PathLength,
                                     LPCWSTR Extra, DWORD ExtraLength,
                                     DWORD PermittedLspCategories,
                                     DWORD *pPrevPermLspCat, LPINT lpErrno) {
  app_args_t a;
  char *path, *extra;
  int r;
  if (!lpErrno) return SOCKET_ERROR;
  if ((r = app_args(Path, PathLength, Extra, ExtraLength, &path, &extra)) != 0)
    return fail(lpErrno, r == WSA_NOT_ENOUGH_MEMORY ? WSAENOBUFS : r);
  a.path = path;
  a.extra = extra;
  a.permitted = PermittedLspCategories;
  r = modify(set_app_edit, &a);
  ws2__free(path);
  ws2__free(extra);
  if (r) return fail(lpErrno, r);
  if (pPrevPermLspCat) *pPrevPermLspCat = a.previous;
  return 0;
}

/*
 * ---- WSAProviderConfigChange. ----
 *
 * A notification handle is an I/O object (so CloseHandle, CancelIo(Ex),
 * completion ports and GetOverlappedResult work on it) whose requests
 * complete when the catalog file changes. One watcher thread per process,
 * started with the first handle, waits on an inotify descriptor watching
 * the catalog's directory (or, while that does not exist, its nearest
 * existing ancestor) and completes every waiting request when the file is
 * replaced, written, created or removed, whoever did it. A request waits
 * for a change made after the call: the events already queued are taken
 * (and completed for the requests before it) when it is issued.
 */

typedef struct pcc_handle {
  ws2__io_t io;
} pcc_handle_t;

typedef struct pcc_req {
  ws2__req_t req;
  ws2__node_t node; /* in watch.pending or a fired list, under watch.lock */
  int waiting;      /* in watch.pending, under watch.lock */
} pcc_req_t;

#define PCC_STATUS_SUCCESS ((NTSTATUS)0)
#define PCC_STATUS_CANCELLED ((NTSTATUS)0xC0000120)

static struct {
  pthread_mutex_t lock;
  int started; /* the thread runs and ifd is open */
  int ifd;
  int wd;          /* the watch, or -1 */
  int on_ancestor; /* wd watches an ancestor of the catalog's directory */
  char *file;      /* the catalog file watched for */
  ws2__list_t pending;
} watch = {PTHREAD_MUTEX_INITIALIZER, 0, -1, -1, 0, NULL, {{NULL, NULL}}};

#define DIR_EVENTS                                                             \
  (IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | \
   IN_MOVE_SELF | IN_ONLYDIR)
#define ANCESTOR_EVENTS \
  (IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

/* The catalog's directory's path, cut at its last `up` components. */
static char *dir_up(const char *file, int up) {
  size_t n = strlen(file);
  char *d;
  int i;
  for (i = 0; i <= up; i++) {
    while (n > 1 && file[n - 1] == '/') n--;
    while (n > 0 && file[n - 1] != '/') n--;
    if (n == 0) break;
  }
  if (n == 0) return NULL;
  while (n > 1 && file[n - 1] == '/') n--;
  if (!(d = ws2__malloc(n + 1))) return NULL;
  memcpy(d, file, n);
  d[n] = 0;
  return d;
}

/* (Re)arms the watch for watch.file. Under watch.lock. */
static void arm(void) {
  const char *f = watch.file;
  char *rel = NULL, *d;
  int up;
  if (watch.wd >= 0) inotify_rm_watch(watch.ifd, watch.wd);
  watch.wd = -1;
  watch.on_ancestor = 0;
  if (f[0] != '/') {
    /* A relative WS2_CATALOG: relative to the working directory now. */
    char cwd[4096];
    size_t n;
    if (!getcwd(cwd, sizeof(cwd))) return;
    n = strlen(cwd);
    if (!(rel = ws2__malloc(n + strlen(f) + 2))) return;
    memcpy(rel, cwd, n);
    rel[n] = '/';
    strcpy(rel + n + 1, f);
    f = rel;
  }
  for (up = 0; (d = dir_up(f, up)) != NULL; up++) {
    watch.wd =
        inotify_add_watch(watch.ifd, d, up ? ANCESTOR_EVENTS : DIR_EVENTS);
    ws2__free(d);
    if (watch.wd >= 0) {
      watch.on_ancestor = up > 0;
      break;
    }
    if (errno != ENOENT && errno != ENOTDIR) break;
  }
  if (watch.wd < 0)
    ws2__log(WS2__LOG_WARN,
             "WSAProviderConfigChange: cannot watch the catalog %s: %s",
             watch.file, strerror(errno));
  ws2__free(rel);
}

static const char *base_name(const char *file) {
  const char *slash = strrchr(file, '/');
  return slash ? slash + 1 : file;
}

/*
 * Reads the queued events; on a change to the catalog, moves every waiting
 * request to *fired (referenced). Under watch.lock.
 */
static void drain(ws2__list_t *fired) {
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  int changed = 0, rearm = 0;
  ssize_t n;
  while ((n = read(watch.ifd, buf, sizeof(buf))) > 0) {
    char *p = buf;
    while (p < buf + n) {
      struct inotify_event *e = (struct inotify_event *)p;
      p += sizeof(*e) + e->len;
      if (e->mask & IN_Q_OVERFLOW) {
        changed = 1; /* events were lost: assume the worst */
        continue;
      }
      if (e->wd != watch.wd || watch.wd < 0) continue;
      if (watch.on_ancestor) {
        rearm = 1; /* a step towards the directory may exist now */
      } else if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        rearm = changed = 1; /* the directory went, and the catalog with it */
      } else if (e->len && strcmp(e->name, base_name(watch.file)) == 0) {
        changed = 1;
      }
    }
  }
  if (rearm) {
    int was_ancestor = watch.on_ancestor;
    struct stat sb;
    arm();
    /* The directory appeared: a catalog made in it meanwhile is a change. */
    if (was_ancestor && !watch.on_ancestor && watch.wd >= 0 &&
        stat(watch.file, &sb) == 0)
      changed = 1;
  }
  if (!changed) return;
  ws2__catalog_snapshot_stale();
  while (!ws2__list_empty(&watch.pending)) {
    pcc_req_t *r =
        ws2__container_of(ws2__list_pop_front(&watch.pending), pcc_req_t, node);
    r->waiting = 0;
    ws2__req_ref(&r->req);
    ws2__list_push_back(fired, &r->node);
  }
}

static void complete_fired(ws2__list_t *fired) {
  ws2__node_t *n;
  while ((n = ws2__list_pop_front(fired)) != NULL) {
    pcc_req_t *r = ws2__container_of(n, pcc_req_t, node);
    ws2__req_complete(&r->req, PCC_STATUS_SUCCESS, 0, 0, 0);
    ws2__req_unref(&r->req);
  }
}

static void *watcher(void *arg) {
  int fd = (int)(intptr_t)arg;
  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    ws2__list_t fired;
    if (poll(&pfd, 1, -1) < 0 && errno != EINTR) break;
    ws2__list_init(&fired);
    pthread_mutex_lock(&watch.lock);
    drain(&fired);
    pthread_mutex_unlock(&watch.lock);
    complete_fired(&fired);
  }
  return NULL;
}

/* In a child of fork the watcher thread does not exist: start again. */
static void watch_atfork_child(void) {
  pthread_mutex_init(&watch.lock, NULL);
  if (watch.started) close(watch.ifd);
  watch.started = 0;
  watch.ifd = watch.wd = -1;
  ws2__list_init(&watch.pending); /* the parent's requests are not ours */
}

static void watch_once(void) {
  ws2__list_init(&watch.pending);
  pthread_atfork(NULL, NULL, watch_atfork_child);
}

/* Starts the watcher, and points it at the current catalog file. 0, or
 * WSAEOPNOTSUPP (no inotify) or WSA_NOT_ENOUGH_MEMORY. Under watch.lock. */
static int watch_start(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  const char *file = ws2__catalog_file();
  pthread_attr_t attr;
  pthread_t t;
  char *copy;
  pthread_once(&once, watch_once);
  if (!watch.started) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), err;
    if (fd < 0) {
      ws2__log(WS2__LOG_WARN,
               "WSAProviderConfigChange: no inotify (%s): catalog changes "
               "cannot be reported",
               strerror(errno));
      return errno == ENOMEM ? WSA_NOT_ENOUGH_MEMORY : WSAEOPNOTSUPP;
    }
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    err = pthread_create(&t, &attr, watcher, (void *)(intptr_t)fd);
    pthread_attr_destroy(&attr);
    if (err) {
      close(fd);
      return WSA_NOT_ENOUGH_MEMORY;
    }
    watch.ifd = fd;
    watch.wd = -1;
    watch.started = 1;
  }
  if (!watch.file || strcmp(watch.file, file) != 0) {
    if (!(copy = ws2__malloc(strlen(file) + 1))) return WSA_NOT_ENOUGH_MEMORY;
    strcpy(copy, file);
    ws2__free(watch.file);
    watch.file = copy;
    arm();
  }
  return 0;
}

static void pcc_close(ws2__obj_t *obj) {
  ws2__io_cancel(ws2__container_of(obj, ws2__io_t, obj), NULL, NULL);
}

static void pcc_destroy(ws2__obj_t *obj) {
  pcc_handle_t *h = ws2__container_of(obj, pcc_handle_t, io.obj);
  ws2__io_fini(&h->io);
  ws2__free(h);
}

static const ws2__objtype_t pcc_type = {"provider configuration change",
                                        WS2__OBJ_IO, pcc_close, pcc_destroy};

/* CancelIo(Ex), or the handle closed: completes with STATUS_CANCELLED
 * unless the watcher has taken the request already (then it completes). */
static void pcc_cancel(ws2__req_t *req, ws2__io_t *io) {
  pcc_req_t *r = ws2__container_of(req, pcc_req_t, req);
  int mine = 0;
  pthread_mutex_lock(&watch.lock);
  if (r->waiting) {
    ws2__list_remove(&r->node);
    r->waiting = 0;
    mine = 1;
  }
  pthread_mutex_unlock(&watch.lock);
  if (mine) ws2__req_complete(req, PCC_STATUS_CANCELLED, 0, 0, 0);
}

static void pcc_free(ws2__req_t *req) {
  ws2__free(ws2__container_of(req, pcc_req_t, req));
}

static const ws2__req_ops_t pcc_ops = {pcc_cancel, pcc_free, 0};

/* Issues a request on the handle: it completes at the next change. */
static int pcc_issue(ws2__io_t *io, LPOVERLAPPED ovl, void *routine) {
  pcc_req_t *r = ws2__calloc(1, sizeof(*r));
  ws2__list_t fired;
  int err;
  if (!r) return WSA_NOT_ENOUGH_MEMORY;
  ws2__list_init(&fired);
  pthread_mutex_lock(&watch.lock);
  if ((err = watch_start()) != 0) {
    pthread_mutex_unlock(&watch.lock);
    ws2__free(r);
    return err;
  }
  /* What happened before this call is for the requests before it. */
  drain(&fired);
  if (ws2__req_init(&r->req, io, ovl, WS2__ROUTINE_WSA, routine, &pcc_ops)) {
    pthread_mutex_unlock(&watch.lock);
    complete_fired(&fired);
    ws2__free(r);
    return WSA_NOT_ENOUGH_MEMORY;
  }
  ws2__req_ref(&r->req);
  ws2__list_push_back(&watch.pending, &r->node);
  r->waiting = 1;
  pthread_mutex_unlock(&watch.lock);
  complete_fired(&fired);
  /* The handle closed while the request was being issued, after its close
   * hook cancelled what it found: cancel this one too. */
  if (atomic_load(&io->obj.handles) == 0) pcc_cancel(&r->req, io);
  ws2__req_unref(&r->req);
  return 0;
}

INT WSAAPI WSAProviderConfigChange(
    LPHANDLE lpNotificationHandle, LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  ws2__obj_t *obj;
  ws2__io_t *io;
  int err;

  if (!ws2__check_started()) return SOCKET_ERROR;
  if (!lpNotificationHandle) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  if (!*lpNotificationHandle) {
    /* The first call: a new handle, at once. The watch starts now, so
     * that the next call waits for changes made after this one. */
    pcc_handle_t *h = ws2__calloc(1, sizeof(*h));
    HANDLE value = NULL;
    if (!h) {
      WSASetLastError(WSA_NOT_ENOUGH_MEMORY);
      return SOCKET_ERROR;
    }
    ws2__io_init(&h->io, &pcc_type);
    pthread_mutex_lock(&watch.lock);
    err = watch_start();
    pthread_mutex_unlock(&watch.lock);
    if (!err && ws2__handle_new(&h->io.obj, &value) != 0)
      err = WSA_NOT_ENOUGH_MEMORY;
    ws2__obj_unref(&h->io.obj);
    if (err) {
      WSASetLastError(err);
      return SOCKET_ERROR;
    }
    *lpNotificationHandle = value;
    return 0;
  }
  if (!(obj = ws2__handle_get(*lpNotificationHandle, &pcc_type))) {
    WSASetLastError(WSA_INVALID_HANDLE);
    return SOCKET_ERROR;
  }
  io = ws2__container_of(obj, ws2__io_t, obj);
  if (lpOverlapped) {
    /* Overlapped: pending until the next change, then completed through
     * the completion rule (event, routine, or port). */
    err = pcc_issue(io, lpOverlapped, (void *)lpCompletionRoutine);
    ws2__obj_unref(obj);
    WSASetLastError(err ? err : WSA_IO_PENDING);
    return SOCKET_ERROR;
  } else {
    /* Blocking: wait for the next change (or the handle's closing). */
    OVERLAPPED own;
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    NTSTATUS st;
    if (!ev) {
      ws2__obj_unref(obj);
      WSASetLastError(WSA_NOT_ENOUGH_MEMORY);
      return SOCKET_ERROR;
    }
    memset(&own, 0, sizeof(own));
    /* The low bit: no completion packet for this internal wait. */
    own.hEvent = (HANDLE)((uintptr_t)ev | 1);
    err = pcc_issue(io, &own, NULL);
    ws2__obj_unref(obj);
    if (!err) WaitForSingleObject(ev, INFINITE);
    CloseHandle(ev);
    if (err) {
      WSASetLastError(err);
      return SOCKET_ERROR;
    }
    st = (NTSTATUS)(uint32_t)__atomic_load_n(&own.Internal, __ATOMIC_ACQUIRE);
    if (st != PCC_STATUS_SUCCESS) {
      WSASetLastError(ws2__ntstatus_to_wsa(st));
      return SOCKET_ERROR;
    }
    return 0;
  }
}
