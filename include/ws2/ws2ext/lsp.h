/*
 * ws2ext/lsp.h: what every layered service provider does the same way,
 * for layers written against <ws2spi.h> alone. Header only, and portable:
 * it compiles against ws2's headers on Linux and against the Windows SDK's
 * (or mingw-w64's) for an LSP DLL, so one layer source serves both.
 *
 * A layer's WSPStartup calls ws2lsp_startup once per WSPStartup; the
 * first reads the catalog and finds the layer's own layered entry by its
 * GUID. For each socket, ws2lsp_lower gives the provider below the layer
 * in the socket's chain, loading it on first use exactly as the SPI says
 * a layer does (WSCEnumProtocols, WSCGetProviderPath, dlopen or
 * LoadLibraryW, WSPStartup with the chain's WSAPROTOCOL_INFOW, or with its
 * own entry for a base provider), once per provider GUID. ws2lsp_cleanup
 * balances each WSPStartup; the last one cleans up and unloads every
 * provider below. ws2lsp_map keeps a value per socket (which chain an IFS
 * socket is of, a layer's counters, ...). ws2lsp_parse_addr and
 * ws2lsp_prefix_matches read the addresses of a layer's configuration.
 *
 * Thread safety: every function may be called from any thread.
 *
 * On Windows, define WS2LSP_WINDOWS or build with _WIN32 (automatic).
 */
#ifndef WS2_WS2EXT_LSP_H
#define WS2_WS2EXT_LSP_H

#include <winsock2.h>
#include <ws2spi.h>

#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
typedef SRWLOCK ws2lsp_lock_t;
#define WS2LSP_LOCK_INIT SRWLOCK_INIT
#define ws2lsp_lock(l) AcquireSRWLockExclusive(l)
#define ws2lsp_unlock(l) ReleaseSRWLockExclusive(l)
#else
#include <dlfcn.h>
#include <pthread.h>
#include <ws2ext/ws2ext.h>
typedef pthread_mutex_t ws2lsp_lock_t;
#define WS2LSP_LOCK_INIT PTHREAD_MUTEX_INITIALIZER
#define ws2lsp_lock(l) pthread_mutex_lock(l)
#define ws2lsp_unlock(l) pthread_mutex_unlock(l)
#endif

#define WS2LSP_UNUSED __attribute__((unused))
#define WS2LSP_MAX_LOWER 8

/* A provider below the layer. */
typedef struct ws2lsp_lower {
  GUID id;             /* its provider GUID */
  WSPPROC_TABLE procs; /* its table: call it for the sockets it serves */
  WSPDATA data;
  void *module; /* dlopen handle, or HMODULE */
  int is_base;  /* a base provider (its handles are the IFS handles) */
} ws2lsp_lower_t;

/* One per layer, static, initialised with WS2LSP_INITIALIZER. */
typedef struct ws2lsp {
  ws2lsp_lock_t lock;
  GUID self;         /* the layer's provider GUID */
  DWORD self_id;     /* its layered entry's catalog id */
  WSPUPCALLTABLE up; /* ws2's upcalls, as the first WSPStartup gave them */
  int starts;        /* WSPStartup calls not yet balanced */
  WSAPROTOCOL_INFOW *catalog; /* WSCEnumProtocols at the first WSPStartup */
  int ncatalog;
  ws2lsp_lower_t lower[WS2LSP_MAX_LOWER];
  int nlower;
} ws2lsp_t;

#define WS2LSP_INITIALIZER \
  { .lock = WS2LSP_LOCK_INIT }

/* The catalog entry with this id, or NULL. */
static WS2LSP_UNUSED const WSAPROTOCOL_INFOW *ws2lsp_entry(const ws2lsp_t *l,
                                                           DWORD id) {
  int i;
  for (i = 0; i < l->ncatalog; i++)
    if (l->catalog[i].dwCatalogEntryId == id) return &l->catalog[i];
  return NULL;
}

/* The entry right below the layer in chain `top`, or NULL when the layer
 * is not in it (or is its last link). */
static WS2LSP_UNUSED const WSAPROTOCOL_INFOW *ws2lsp_below(
    const ws2lsp_t *l, const WSAPROTOCOL_INFOW *top) {
  int i;
  for (i = 0; i + 1 < top->ProtocolChain.ChainLen; i++)
    if (top->ProtocolChain.ChainEntries[i] == l->self_id)
      return ws2lsp_entry(l, top->ProtocolChain.ChainEntries[i + 1]);
  return NULL;
}

/*
 * To call from the layer's WSPStartup, before anything else: checks the
 * version (WSAVERNOTSUPPORTED below 2.0), fills *data (version 2.2 and
 * `description`), and on the first call reads the catalog and finds the
 * layer's own entry (WSAEPROVIDERFAILEDINIT when the catalog has no
 * layered entry with GUID self). 0 or a WSA error; each success needs its
 * ws2lsp_cleanup.
 */
static WS2LSP_UNUSED int ws2lsp_startup(ws2lsp_t *l, const GUID *self,
                                        WORD version, LPWSPDATA data,
                                        WSPUPCALLTABLE up,
                                        const char *description) {
  DWORD size = 0;
  int err = 0, n, i, r = 0;
  if (LOBYTE(version) < 2) return WSAVERNOTSUPPORTED;
  if (!data) return WSAEFAULT;
  data->wVersion = MAKEWORD(2, 2);
  data->wHighVersion = MAKEWORD(2, 2);
  memset(data->szDescription, 0, sizeof(data->szDescription));
  for (i = 0; description && description[i] && i < WSPDESCRIPTION_LEN; i++)
    data->szDescription[i] = (WCHAR)(unsigned char)description[i];
  ws2lsp_lock(&l->lock);
  if (l->starts == 0) {
    l->self = *self;
    l->up = up;
    l->self_id = 0;
    r = WSAEPROVIDERFAILEDINIT;
    if (WSCEnumProtocols(NULL, NULL, &size, &err) == SOCKET_ERROR &&
        err == WSAENOBUFS && (l->catalog = (WSAPROTOCOL_INFOW *)malloc(size)) &&
        (n = WSCEnumProtocols(NULL, l->catalog, &size, &err)) != SOCKET_ERROR) {
      l->ncatalog = n;
      for (i = 0; i < n; i++)
        if (l->catalog[i].ProtocolChain.ChainLen == LAYERED_PROTOCOL &&
            memcmp(&l->catalog[i].ProviderId, self, sizeof(GUID)) == 0)
          l->self_id = l->catalog[i].dwCatalogEntryId;
      if (l->self_id) r = 0;
    }
    if (r) {
      free(l->catalog);
      l->catalog = NULL;
      l->ncatalog = 0;
    }
  }
  if (r == 0) l->starts++;
  ws2lsp_unlock(&l->lock);
  return r;
}

/* Loads and starts the provider of entry `low` for chain `top`, without
 * the layer's lock: 0 or a WSA error. */
static WS2LSP_UNUSED int ws2lsp_load_(ws2lsp_t *l, const WSAPROTOCOL_INFOW *low,
                                      const WSAPROTOCOL_INFOW *top,
                                      ws2lsp_lower_t *out) {
  WCHAR wpath[MAX_PATH];
  int len = MAX_PATH, err = 0, r;
  LPWSPSTARTUP startup;
  LPWSAPROTOCOL_INFOW info =
      (LPWSAPROTOCOL_INFOW)(low->ProtocolChain.ChainLen == BASE_PROTOCOL ? low
                                                                         : top);
  if (WSCGetProviderPath((LPGUID)&low->ProviderId, wpath, &len, &err) != 0)
    return WSAEPROVIDERFAILEDINIT;
#ifdef _WIN32
  {
    WCHAR expanded[MAX_PATH];
    if (!ExpandEnvironmentStringsW(wpath, expanded, MAX_PATH))
      return WSAEPROVIDERFAILEDINIT;
    out->module = (void *)LoadLibraryW(expanded);
    if (!out->module) return WSAEPROVIDERFAILEDINIT;
    startup = (LPWSPSTARTUP)(void (*)(void))GetProcAddress((HMODULE)out->module,
                                                           "WSPStartup");
  }
#else
  {
    char path[MAX_PATH * 3];
    size_t i, j = 0;
    /* UTF-16 to UTF-8 (paths outside the BMP are not expected). */
    for (i = 0; wpath[i] && j + 4 < sizeof(path); i++) {
      unsigned c = wpath[i];
      if (c < 0x80) {
        path[j++] = (char)c;
      } else if (c < 0x800) {
        path[j++] = (char)(0xC0 | (c >> 6));
        path[j++] = (char)(0x80 | (c & 0x3F));
      } else {
        path[j++] = (char)(0xE0 | (c >> 12));
        path[j++] = (char)(0x80 | ((c >> 6) & 0x3F));
        path[j++] = (char)(0x80 | (c & 0x3F));
      }
    }
    path[j] = '\0';
    out->module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!out->module) return WSAEPROVIDERFAILEDINIT;
    startup = (LPWSPSTARTUP)dlsym(out->module, "WSPStartup");
  }
#endif
  out->id = low->ProviderId;
  out->is_base = low->ProtocolChain.ChainLen == BASE_PROTOCOL;
  r = startup ? startup(MAKEWORD(2, 2), &out->data, info, l->up, &out->procs)
              : WSAEPROVIDERFAILEDINIT;
  if (r == 0 && LOBYTE(out->data.wVersion) < 2) {
    out->procs.lpWSPCleanup(&err);
    r = WSAVERNOTSUPPORTED;
  }
  if (r != 0) {
#ifdef _WIN32
    FreeLibrary((HMODULE)out->module);
#else
    dlclose(out->module);
#endif
    out->module = NULL;
  }
  return r;
}

/* Runs a loaded lower provider's WSPCleanup and unloads it. */
static WS2LSP_UNUSED void ws2lsp_unload_(ws2lsp_lower_t *x) {
  int e = 0;
  x->procs.lpWSPCleanup(&e);
#ifdef _WIN32
  FreeLibrary((HMODULE)x->module);
#else
  dlclose(x->module);
#endif
}

/* The loaded lower provider `id` (lock held), or NULL. */
static WS2LSP_UNUSED ws2lsp_lower_t *ws2lsp_loaded_(ws2lsp_t *l,
                                                    const GUID *id) {
  int i;
  for (i = 0; i < l->nlower; i++)
    if (memcmp(&l->lower[i].id, id, sizeof(GUID)) == 0) return &l->lower[i];
  return NULL;
}

/*
 * The provider below the layer in chain `top` (the WSAPROTOCOL_INFOW the
 * layer's WSPSocket got), loaded on first use, and in *lower_info (may be
 * NULL) what to give its WSPSocket: its own entry when it is a base
 * provider, else `top` itself (so that it finds its own place in the
 * chain). NULL with *err when the layer is not in `top`, or the provider
 * below cannot be loaded or started.
 *
 * The provider below is started without the layer's lock held: its
 * WSPStartup takes its own lock, and two chains of one catalog may stack
 * the same two layers in opposite orders (holding ours across it would
 * take the two locks in both orders). Two threads may then both load it;
 * the second one unloads its copy.
 */
static WS2LSP_UNUSED ws2lsp_lower_t *ws2lsp_lower(
    ws2lsp_t *l, const WSAPROTOCOL_INFOW *top, LPWSAPROTOCOL_INFOW *lower_info,
    int *err) {
  const WSAPROTOCOL_INFOW *low;
  WSAPROTOCOL_INFOW low_copy, top_copy;
  ws2lsp_lower_t *found = NULL, loaded;
  ws2lsp_lock(&l->lock);
  if (!top || !(low = ws2lsp_below(l, top))) {
    ws2lsp_unlock(&l->lock);
    *err = WSAEINVAL;
    return NULL;
  }
  if (!(found = ws2lsp_loaded_(l, &low->ProviderId))) {
    if (l->nlower == WS2LSP_MAX_LOWER) {
      ws2lsp_unlock(&l->lock);
      *err = WSAEPROVIDERFAILEDINIT;
      return NULL;
    }
    low_copy = *low; /* the catalog copy is read under the lock */
    top_copy = *top;
  }
  ws2lsp_unlock(&l->lock);
  if (!found) {
    memset(&loaded, 0, sizeof(loaded));
    if ((*err = ws2lsp_load_(l, &low_copy, &top_copy, &loaded)) != 0)
      return NULL;
    ws2lsp_lock(&l->lock);
    if (!(found = ws2lsp_loaded_(l, &loaded.id)) &&
        l->nlower < WS2LSP_MAX_LOWER) {
      l->lower[l->nlower] = loaded;
      found = &l->lower[l->nlower++];
      loaded.module = NULL; /* kept */
    }
    ws2lsp_unlock(&l->lock);
    if (loaded.module) ws2lsp_unload_(&loaded); /* a copy, or no room */
    if (!found) {
      *err = WSAEPROVIDERFAILEDINIT;
      return NULL;
    }
  }
  if (lower_info)
    *lower_info = (LPWSAPROTOCOL_INFOW)(found->is_base ? low : top);
  return found;
}

/*
 * To call from the layer's WSPCleanup: balances one ws2lsp_startup; the
 * last one runs every lower provider's WSPCleanup, unloads it and forgets
 * the catalog. 0, or SOCKET_ERROR with WSANOTINITIALISED in *err when
 * there was no WSPStartup to balance.
 */
static WS2LSP_UNUSED int ws2lsp_cleanup(ws2lsp_t *l, LPINT err) {
  ws2lsp_lower_t lower[WS2LSP_MAX_LOWER];
  int n = 0, i;
  ws2lsp_lock(&l->lock);
  if (l->starts == 0) {
    ws2lsp_unlock(&l->lock);
    *err = WSANOTINITIALISED;
    return SOCKET_ERROR;
  }
  if (--l->starts == 0) {
    n = l->nlower;
    memcpy(lower, l->lower, sizeof(lower[0]) * (size_t)n);
    l->nlower = 0;
    free(l->catalog);
    l->catalog = NULL;
    l->ncatalog = 0;
  }
  ws2lsp_unlock(&l->lock);
  for (i = 0; i < n; i++) ws2lsp_unload_(&lower[i]);
  return 0;
}

/* ---- Non-IFS layers. ---- */

/*
 * A non-IFS layer's lower requests complete on a port of its own, which
 * a worker thread of the layer serves. Where ws2 runs (not Windows), the
 * completions its engine produces can go straight to `fn`, called by the
 * thread that produced them, without waking the worker
 * (ws2_port_set_callback in <ws2ext/ws2ext.h>, which says what fn may
 * do); the worker still serves the rest. Returns 1 if fn is installed,
 * 0 where there is no such thing (Windows). fn NULL takes it away, and
 * returns once no call of it is in progress: do that before the worker
 * stops and the port closes.
 */
#ifdef _WIN32
typedef VOID(WINAPI *ws2lsp_port_fn)(PVOID context, ULONG_PTR key,
                                     LPOVERLAPPED overlapped, DWORD error,
                                     DWORD bytes);
static WS2LSP_UNUSED int ws2lsp_port_callback(HANDLE port, ws2lsp_port_fn fn,
                                              PVOID context) {
  (void)port;
  (void)fn;
  (void)context;
  return 0;
}
#else
typedef WS2_PORT_CALLBACK ws2lsp_port_fn;
static WS2LSP_UNUSED int ws2lsp_port_callback(HANDLE port, ws2lsp_port_fn fn,
                                              PVOID context) {
  return ws2_port_set_callback(port, fn, context) ? 1 : 0;
}
#endif

/* ---- IFS layers. ---- */

/* Whether the providers after position `at` of chain `top` (links at + 1
 * to the end) hand out IFS handles: the base entry's XP1_IFS_HANDLES, or
 * that of the chain entry that is exactly that rest of the chain (a
 * chain has it only when every provider in it is IFS). */
static WS2LSP_UNUSED int ws2lsp_rest_is_ifs(const ws2lsp_t *l,
                                            const WSAPROTOCOL_INFOW *top,
                                            int at) {
  const WSAPROTOCOL_INFOW *e;
  int len = top->ProtocolChain.ChainLen - (at + 1), i;
  if (len == 1) {
    e = ws2lsp_entry(l, top->ProtocolChain.ChainEntries[at + 1]);
    return e && (e->dwServiceFlags1 & XP1_IFS_HANDLES);
  }
  for (i = 0; i < l->ncatalog; i++) {
    e = &l->catalog[i];
    if (e->ProtocolChain.ChainLen == len &&
        memcmp(e->ProtocolChain.ChainEntries,
               &top->ProtocolChain.ChainEntries[at + 1],
               sizeof(DWORD) * (size_t)len) == 0)
      return (e->dwServiceFlags1 & XP1_IFS_HANDLES) != 0;
  }
  return 0;
}

/*
 * For an IFS layer, which passes the lower provider's handles up with
 * WPUModifyIFSHandle and hands out that provider's own table (one
 * WSPStartup per GUID, so one table for all its chains): checks that
 * every chain of the layer in the catalog has the same provider right
 * below it, and that the layer may pass its handles up. On Windows that
 * needs everything below to be IFS (a non-IFS layer's completions would
 * reach nobody); ws2 keeps a non-IFS layer's handle working under an IFS
 * layer (docs/LAYERS.md), so there any provider below will do. 0, or
 * WSAEPROVIDERFAILEDINIT.
 */
static WS2LSP_UNUSED int ws2lsp_check_ifs_chains(const ws2lsp_t *l) {
  const GUID *below = NULL;
  int i, j;
  for (i = 0; i < l->ncatalog; i++) {
    const WSAPROTOCOL_INFOW *e = &l->catalog[i];
    for (j = 0; j + 1 < e->ProtocolChain.ChainLen; j++) {
      const WSAPROTOCOL_INFOW *next;
      if (e->ProtocolChain.ChainEntries[j] != l->self_id) continue;
      next = ws2lsp_entry(l, e->ProtocolChain.ChainEntries[j + 1]);
      if (!next) return WSAEPROVIDERFAILEDINIT;
#ifdef _WIN32
      if (!ws2lsp_rest_is_ifs(l, e, j)) return WSAEPROVIDERFAILEDINIT;
#endif
      if (below && memcmp(below, &next->ProviderId, sizeof(GUID)) != 0)
        return WSAEPROVIDERFAILEDINIT;
      below = &next->ProviderId;
    }
  }
  return 0;
}

/* ---- A value per socket: an open-addressing map from SOCKET. ---- */

/* Static, initialised with WS2LSP_MAP_INITIALIZER. */
typedef struct ws2lsp_map {
  ws2lsp_lock_t lock;
  struct ws2lsp_slot {
    SOCKET s; /* 0: free; INVALID_SOCKET: removed */
    void *value;
  } * slots;
  size_t size, used; /* used counts removed slots too */
} ws2lsp_map_t;

#define WS2LSP_MAP_INITIALIZER \
  { .lock = WS2LSP_LOCK_INIT }

static WS2LSP_UNUSED size_t ws2lsp_hash_(SOCKET s, size_t size) {
  unsigned long long h = (unsigned long long)s * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 20) & (size - 1);
}

/* Sets the value of s (replacing any): 0, or WSAENOBUFS without memory. */
static WS2LSP_UNUSED int ws2lsp_map_put(ws2lsp_map_t *m, SOCKET s,
                                        void *value) {
  size_t i;
  ws2lsp_lock(&m->lock);
  if ((m->used + 1) * 2 > m->size) { /* grow (dropping removed slots) */
    size_t nsize = m->size ? m->size * 2 : 64, j;
    struct ws2lsp_slot *n =
        (struct ws2lsp_slot *)calloc(nsize, sizeof(struct ws2lsp_slot));
    if (!n) {
      ws2lsp_unlock(&m->lock);
      return WSAENOBUFS;
    }
    m->used = 0;
    for (j = 0; j < m->size; j++)
      if (m->slots[j].s != 0 && m->slots[j].s != INVALID_SOCKET) {
        for (i = ws2lsp_hash_(m->slots[j].s, nsize); n[i].s;
             i = (i + 1) & (nsize - 1)) {
        }
        n[i] = m->slots[j];
        m->used++;
      }
    free(m->slots);
    m->slots = n;
    m->size = nsize;
  }
  for (i = ws2lsp_hash_(s, m->size); m->slots[i].s && m->slots[i].s != s;
       i = (i + 1) & (m->size - 1)) {
  }
  if (!m->slots[i].s) m->used++;
  m->slots[i].s = s;
  m->slots[i].value = value;
  ws2lsp_unlock(&m->lock);
  return 0;
}

/* The value of s (NULL when none); `remove` forgets it. */
static WS2LSP_UNUSED void *ws2lsp_map_get(ws2lsp_map_t *m, SOCKET s,
                                          int remove) {
  void *v = NULL;
  size_t i;
  ws2lsp_lock(&m->lock);
  if (m->size) {
    for (i = ws2lsp_hash_(s, m->size); m->slots[i].s;
         i = (i + 1) & (m->size - 1))
      if (m->slots[i].s == s) {
        v = m->slots[i].value;
        if (remove) m->slots[i].s = INVALID_SOCKET;
        break;
      }
  }
  ws2lsp_unlock(&m->lock);
  return v;
}

/* Forgets every value (for WSPCleanup); the values are the caller's. */
static WS2LSP_UNUSED void ws2lsp_map_clear(ws2lsp_map_t *m) {
  ws2lsp_lock(&m->lock);
  free(m->slots);
  m->slots = NULL;
  m->size = m->used = 0;
  ws2lsp_unlock(&m->lock);
}

/* ---- Addresses in a layer's configuration file. ---- */

/*
 * A layer that reads addresses from a text file (the filter's rules, the
 * SOCKS5 layer's proxy and direct networks) parses them here: the C
 * library has no inet_pton on Windows, and <ws2tcpip.h> is not among the
 * headers a layer may use. Dotted-quad IPv4, and RFC 4291 IPv6 (eight
 * groups, one "::" for a run of zero groups, an IPv4 quad as the last 32
 * bits).
 */
static WS2LSP_UNUSED int ws2lsp_parse_v4_(const char *s, unsigned char *out) {
  int i;
  for (i = 0; i < 4; i++) {
    unsigned v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 4) {
      v = v * 10 + (unsigned)(*s++ - '0');
      digits++;
    }
    if (digits == 0 || digits > 3 || v > 255) return -1;
    out[i] = (unsigned char)v;
    if (i < 3 && *s++ != '.') return -1;
  }
  return *s ? -1 : 0;
}

/* A hexadecimal digit's value, or -1. */
static WS2LSP_UNUSED int ws2lsp_hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static WS2LSP_UNUSED int ws2lsp_parse_v6_(const char *s, unsigned char *out) {
  unsigned char head[16], tail[16], *cur = head;
  int nh = 0, nt = 0, gap = 0, *n = &nh;
  if (s[0] == ':' && s[1] == ':') {
    gap = 1;
    s += 2;
    cur = tail;
    n = &nt;
  }
  while (*s) {
    unsigned v = 0;
    int digits = 0;
    if (strchr(s, '.') && !strchr(s, ':')) { /* the dotted quad */
      if (*n + 4 > 16 || ws2lsp_parse_v4_(s, cur + *n) != 0) return -1;
      *n += 4;
      break;
    }
    while (ws2lsp_hexval((unsigned char)*s) >= 0 && digits < 5) {
      v = v * 16 + (unsigned)ws2lsp_hexval((unsigned char)*s++);
      digits++;
    }
    if (digits == 0 || digits > 4 || *n + 2 > 16) return -1;
    cur[(*n)++] = (unsigned char)(v >> 8);
    cur[(*n)++] = (unsigned char)v;
    if (*s == '\0') break;
    if (*s++ != ':') return -1;
    if (*s == ':') { /* "::" */
      if (gap) return -1;
      gap = 1;
      s++;
      cur = tail;
      n = &nt;
    } else if (*s == '\0') {
      return -1; /* a trailing single ':' */
    }
  }
  if (gap ? nh + nt > 14 : nh != 16) return -1;
  memset(out, 0, 16);
  memcpy(out, head, (size_t)nh);
  memcpy(out + 16 - nt, tail, (size_t)nt);
  return 0;
}

/* The address text s into out (4 bytes for IPv4, 16 for IPv6), with its
 * family (AF_INET or AF_INET6) in *family: 0, or -1 when s is not one. */
static WS2LSP_UNUSED int ws2lsp_parse_addr(const char *s, unsigned char *out,
                                           int *family) {
  if (strchr(s, ':')) {
    *family = AF_INET6;
    return ws2lsp_parse_v6_(s, out);
  }
  *family = AF_INET;
  return ws2lsp_parse_v4_(s, out);
}

/* Whether the first `bits` bits of addresses a and b are the same. */
static WS2LSP_UNUSED int ws2lsp_prefix_matches(const unsigned char *a,
                                               const unsigned char *b,
                                               int bits) {
  int full = bits / 8, rest = bits % 8;
  if (memcmp(a, b, (size_t)full) != 0) return 0;
  return rest == 0 || ((a[full] ^ b[full]) & (0xFF00 >> rest)) == 0;
}

#endif /* WS2_WS2EXT_LSP_H */
