/*
 * provider.c: the providers of the catalog, loaded on first use, and the
 * choice of one for a new socket.
 *
 * A provider is loaded once per provider GUID: the built-in base provider
 * (path "builtin:ws2-base") is started directly; any other is a shared
 * object loaded with dlopen (RTLD_NOW | RTLD_LOCAL, never RTLD_DEEPBIND),
 * whose WSPStartup gets the entry it is first used for (the top of a
 * chain for a layer) and ws2's upcall table. A layer loads the provider
 * below it itself, as on Windows.
 *
 * Fail soft: a provider that cannot be loaded or started is logged with
 * its name and path, and the next matching catalog entry serves (Windows
 * fails every socket with WSAEPROVIDERFAILEDINIT: WS2_STRICT=1 does
 * that). WS2_NO_LSP=1 skips every layered chain for this process, and
 * the program's LSP categories (WSCSetApplicationCategory) choose which
 * chains it may use.
 */
#include "ws2/ws2.h"

#include "catalog/builtin.h"
#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/log.h"
#include "provider/base/bsp.h"
#include "ws2/nifs.h"
#include "ws2/provider.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The base provider: started at each first WSAStartup. */
static ws2__provider_t base = {.name = "ws2 base provider"};
static int start_error;

/* Loaded layered providers, by GUID, under lock. */
typedef struct loaded {
  ws2__provider_t p;
  GUID id;
  char *path;
  char *name;
  void *dl;
  int started; /* 1: started; -1: failed (not tried again until cleanup) */
  struct loaded *next;
} loaded_t;

static loaded_t *loaded;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int base_started;

int ws2__providers_start(void) {
  pthread_mutex_lock(&lock);
  if (!base_started) {
    start_error = ws2__bsp_startup(MAKEWORD(2, 2), &base.data, NULL,
                                   ws2__upcalls, &base.procs);
    if (start_error)
      ws2__log(WS2__LOG_ERROR, "the base provider failed to start (%d)",
               start_error);
    base_started = !start_error;
  }
  pthread_mutex_unlock(&lock);
  return start_error ? WSAEPROVIDERFAILEDINIT : 0;
}

/* libws2's own file: a layer loads the built-in base provider from it
 * (its WSPStartup is exported there, as mswsock.dll's on Windows). */
static char builtin_path[4096];
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void find_builtin(void) {
  Dl_info info;
  if (dladdr((void *)&ws2__builtin_path, &info) && info.dli_fname)
    snprintf(builtin_path, sizeof(builtin_path), "%s", info.dli_fname);
}

const char *ws2__builtin_path(void) {
  pthread_once(&builtin_once, find_builtin);
  return builtin_path[0] ? builtin_path : WS2__CATALOG_BASE_PATH;
}

static int is_builtin(const char *path) {
  return !path || strcmp(path, WS2__CATALOG_BASE_PATH) == 0;
}

static int env_on(const char *name) {
  const char *v = getenv(name);
  return v && *v && strcmp(v, "0") != 0;
}

/* A layer's name for messages: the protocol name of its layered (dummy)
 * entry, else of entry e, in UTF-8. */
static char *name_of(const ws2__catalog_t *cat, const WSAPROTOCOL_INFOW *e) {
  char *n = ws2__malloc(WSAPROTOCOL_LEN + 1);
  size_t i;
  if (!n) return NULL;
  for (i = 0; i < cat->nentries; i++)
    if (cat->entries[i].info.ProtocolChain.ChainLen == LAYERED_PROTOCOL &&
        IsEqualGUID(&cat->entries[i].info.ProviderId, &e->ProviderId)) {
      e = &cat->entries[i].info;
      break;
    }
  for (i = 0; i < WSAPROTOCOL_LEN && e->szProtocol[i]; i++)
    n[i] = e->szProtocol[i] < 0x80 ? (char)e->szProtocol[i] : '?';
  n[i] = '\0';
  return n;
}

/* Loads and starts the provider of entry e (lock held): the provider, or
 * NULL with *err and the reason logged. */
static ws2__provider_t *load_locked(const ws2__catalog_t *cat,
                                    const ws2__cat_entry_t *e, int *err) {
  loaded_t *l;
  LPWSPSTARTUP startup;
  WSAPROTOCOL_INFOW info = e->info;
  int r;
  for (l = loaded; l; l = l->next)
    if (IsEqualGUID(&l->id, &e->info.ProviderId)) {
      if (l->started > 0) return &l->p;
      *err = WSAEPROVIDERFAILEDINIT;
      return NULL;
    }
  if (!(l = ws2__calloc(1, sizeof(*l)))) {
    *err = WSAENOBUFS;
    return NULL;
  }
  l->id = e->info.ProviderId;
  l->path = strdup(e->path ? e->path : "");
  l->name = name_of(cat, &e->info);
  l->p.name = l->name ? l->name : "layered provider";
  l->next = loaded;
  loaded = l;
  l->started = -1;
  if (!(l->dl = dlopen(l->path, RTLD_NOW | RTLD_LOCAL))) {
    ws2__log(WS2__LOG_ERROR, "provider \"%s\" (%s) cannot be loaded: %s",
             l->p.name, l->path, dlerror());
    *err = WSAEPROVIDERFAILEDINIT;
    return NULL;
  }
  if (!(startup = (LPWSPSTARTUP)dlsym(l->dl, "WSPStartup"))) {
    ws2__log(WS2__LOG_ERROR, "provider \"%s\" (%s) has no WSPStartup",
             l->p.name, l->path);
    *err = WSAEPROVIDERFAILEDINIT;
    return NULL;
  }
  if ((r = startup(MAKEWORD(2, 2), &l->p.data, &info, ws2__upcalls,
                   &l->p.procs)) != 0) {
    ws2__log(WS2__LOG_ERROR, "provider \"%s\" (%s): WSPStartup failed (%d)",
             l->p.name, l->path, r);
    *err = WSAEPROVIDERFAILEDINIT;
    return NULL;
  }
  /* Versions (the SPI's rule): the provider says in wVersion the version
   * it will use; one ws2 cannot use is cleaned up again. */
  if (LOBYTE(l->p.data.wVersion) < 2) {
    int cleanup_err;
    ws2__log(WS2__LOG_ERROR,
             "provider \"%s\" (%s) wants SPI version %d.%d; ws2 needs 2.x",
             l->p.name, l->path, LOBYTE(l->p.data.wVersion),
             HIBYTE(l->p.data.wVersion));
    if (l->p.procs.lpWSPCleanup) l->p.procs.lpWSPCleanup(&cleanup_err);
    *err = WSAVERNOTSUPPORTED;
    return NULL;
  }
  if (!l->p.procs.lpWSPSocket) {
    ws2__log(WS2__LOG_ERROR, "provider \"%s\" (%s): no WSPSocket", l->p.name,
             l->path);
    *err = WSAEINVALIDPROCTABLE;
    return NULL;
  }
  l->started = 1;
  return &l->p;
}

/* The provider of entry e: the base provider or a loaded one. */
static ws2__provider_t *provider_of_entry(const ws2__catalog_t *cat,
                                          const ws2__cat_entry_t *e, int *err) {
  ws2__provider_t *p;
  if (is_builtin(e->path)) {
    if (start_error) *err = WSAEPROVIDERFAILEDINIT;
    return start_error ? NULL : &base;
  }
  pthread_mutex_lock(&lock);
  p = load_locked(cat, e, err);
  pthread_mutex_unlock(&lock);
  return p;
}

/*
 * Application categories (WSCSetApplicationCategory): a program whose
 * permitted LSP categories are set gets a layered chain only when every
 * layer of it has categories, all of them permitted; an uncategorised
 * layer is loaded into uncategorised programs only (docs/CATALOG.md).
 * `ws2ctl exclude` permits nothing: such a program gets no layer at all.
 * The program is /proc/self/exe with its arguments as Extra; a rule for
 * the path alone covers every command line.
 */
static char app_path[4096], app_extra[4096];
static pthread_once_t app_once = PTHREAD_ONCE_INIT;

static void app_identity(void) {
  char buf[4096], *path = app_path, *extra = app_extra;
  size_t extra_size = sizeof(app_extra);
  ssize_t n;
  size_t i, j = 0;
  int fd;
  if ((n = readlink("/proc/self/exe", path, sizeof(app_path) - 1)) > 0)
    path[n] = '\0';
  if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) < 0) return;
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = '\0';
  /* Past argv[0], the arguments joined by spaces. */
  for (i = strlen(buf) + 1; i < (size_t)n && j + 1 < extra_size; i++)
    extra[j++] = buf[i] ? buf[i] : ' ';
  while (j > 0 && extra[j - 1] == ' ') j--;
  extra[j] = '\0';
}

/* Whether the process may use layered entry e of cat. */
static int chain_permitted(const ws2__catalog_t *cat,
                           const WSAPROTOCOL_INFOW *e) {
  DWORD permitted;
  int i;
  if (cat->napps == 0) return 1;
  pthread_once(&app_once, app_identity);
  if (!ws2__catalog_app_category(cat, app_path, app_extra, &permitted) &&
      !ws2__catalog_app_category(cat, app_path, NULL, &permitted))
    return 1; /* an uncategorised program: every layer */
  for (i = 0; i + 1 < e->ProtocolChain.ChainLen; i++) {
    const ws2__cat_entry_t *l =
        ws2__catalog_find_id(cat, e->ProtocolChain.ChainEntries[i]);
    DWORD c =
        l ? ws2__catalog_provider_categories(cat, &l->info.ProviderId) : 0;
    if (c == 0 || (c & ~permitted) != 0) return 0;
  }
  return 1;
}

/* Whether entry i may serve (af, type, protocol). */
static int matches(const WSAPROTOCOL_INFOW *e, int af, int type, int protocol) {
  if (e->ProtocolChain.ChainLen == LAYERED_PROTOCOL) return 0; /* dummy */
  if (af != WS_AF_UNSPEC && e->iAddressFamily != af) return 0;
  if (type != 0 && e->iSocketType != type) return 0;
  if (protocol != 0 && (protocol < e->iProtocol ||
                        protocol > e->iProtocol + e->iProtocolMaxOffset))
    return 0;
  return af != WS_AF_UNSPEC || type != 0 || protocol != 0;
}

ws2__provider_t *ws2__provider_for_triple(int af, int type, int protocol,
                                          const WSAPROTOCOL_INFOW *info,
                                          WSAPROTOCOL_INFOW *chosen, int *err) {
  ws2__catalog_t *cat = ws2__catalog_snapshot();
  ws2__provider_t *p = NULL;
  int strict = env_on("WS2_STRICT"), no_lsp = env_on("WS2_NO_LSP");
  size_t i;
  int seen_af = 0, seen_type = 0;
  *err = WSAEAFNOSUPPORT;
  if (!cat) {
    *err = WSASYSNOTREADY;
    return NULL;
  }
  for (i = 0; i < cat->nentries && !p; i++) {
    const ws2__cat_entry_t *e = &cat->entries[i];
    if (!info && e->info.ProtocolChain.ChainLen != LAYERED_PROTOCOL &&
        e->info.iAddressFamily == af) {
      seen_af = 1;
      if (type == 0 || e->info.iSocketType == type) seen_type = 1;
    }
    if (info ? e->info.dwCatalogEntryId != info->dwCatalogEntryId
             : !matches(&e->info, af, type, protocol))
      continue;
    if (e->info.ProtocolChain.ChainLen > 1 &&
        (no_lsp || !chain_permitted(cat, &e->info)))
      continue;
    if ((p = provider_of_entry(cat, e, err)) != NULL) {
      if (chosen) *chosen = e->info;
    } else if (strict) {
      break; /* Windows: the socket fails */
    }
    /* else fail soft: the next matching entry */
  }
  /* Nothing serves it: which part was unknown, as Windows says. */
  if (!p && info && *err == WSAEAFNOSUPPORT) *err = WSAEINVAL;
  if (!p && !info && *err == WSAEAFNOSUPPORT && seen_af)
    *err = seen_type ? WSAEPROTONOSUPPORT : WSAESOCKTNOSUPPORT;
  ws2__catalog_release(cat);
  return p;
}

/* Bindings (provider.h), by catalog id, under lock. Ids are never reused
 * by the catalog, so an id names one entry for the process's life. */
typedef struct binding {
  ws2__provider_t b; /* first: what the tag points to */
  WSAPROTOCOL_INFOW info;
  ws2__provider_t *owner;
  struct binding *next;
} binding_t;

static binding_t *bindings;

static binding_t *find_binding_locked(DWORD id) {
  binding_t *b;
  for (b = bindings; b; b = b->next)
    if (b->info.dwCatalogEntryId == id) break;
  return b;
}

ws2__provider_t *ws2__provider_for_catalog_id(DWORD id) {
  ws2__catalog_t *cat;
  const ws2__cat_entry_t *e;
  ws2__provider_t *p = NULL;
  binding_t *b, *o;
  int err;
  pthread_mutex_lock(&lock);
  b = find_binding_locked(id);
  pthread_mutex_unlock(&lock);
  if (b) return &b->b;
  if (!(cat = ws2__catalog_snapshot())) return NULL;
  if ((e = ws2__catalog_find_id(cat, id)) != NULL)
    p = provider_of_entry(cat, e, &err);
  if (p && (b = ws2__calloc(1, sizeof(*b))) != NULL) {
    b->info = e->info;
    b->owner = p;
    b->b = *p;
    b->b.entry = &b->info;
    pthread_mutex_lock(&lock);
    if ((o = find_binding_locked(id)) == NULL) { /* else made meanwhile */
      b->next = bindings;
      bindings = b;
    }
    pthread_mutex_unlock(&lock);
    if (o) {
      ws2__free(b);
      b = o;
    }
  }
  ws2__catalog_release(cat);
  return b ? &b->b : NULL;
}

void ws2__providers_cleanup(void) {
  loaded_t *l, *next;
  int err = 0;
  binding_t *b, **bp, *gone = NULL;
  pthread_mutex_lock(&lock);
  l = loaded;
  loaded = NULL;
  /* The layers' bindings go with them (below); the base provider's
   * stay. */
  for (bp = &bindings; (b = *bp) != NULL;) {
    if (b->owner != &base) {
      *bp = b->next;
      b->next = gone;
      gone = b;
    } else {
      bp = &b->next;
    }
  }
  pthread_mutex_unlock(&lock);
  /* The layers first (they may hold sockets of the base provider). */
  for (next = l; next; next = next->next)
    if (next->started > 0 && next->p.procs.lpWSPCleanup &&
        next->p.procs.lpWSPCleanup(&err) != 0)
      ws2__log(WS2__LOG_ERROR, "provider \"%s\" (%s): WSPCleanup failed (%d)",
               next->p.name, next->path, err);
  /* What a layer left open is closed now, while its name is known and
   * before its code goes: nothing of it outlives it. */
  ws2__nifs_close_all();
  for (; gone; gone = b) {
    b = gone->next;
    ws2__free(gone);
  }
  for (; l; l = next) {
    next = l->next;
    if (l->dl) dlclose(l->dl);
    free(l->path);
    ws2__free(l->name);
    ws2__free(l);
  }
  pthread_mutex_lock(&lock);
  if (base_started) {
    int left;
    base.procs.lpWSPCleanup(&err);
    /* A layer that started the base provider and never cleaned it up
     * does not keep the process's sockets open. */
    if ((left = ws2__bsp_shutdown()) > 0)
      ws2__log(WS2__LOG_WARN,
               "%d WSPStartup of the base provider had no WSPCleanup (a "
               "layer's)",
               left);
    base_started = 0;
  }
  pthread_mutex_unlock(&lock);
}
