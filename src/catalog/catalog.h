/*
 * catalog.h: the protocol catalog (issue 5; docs/CATALOG.md, ws2-catalog(5)).
 *
 * The catalog is the list of WSAPROTOCOL_INFOW entries ws2 creates sockets
 * from, in order, each with the path of its provider, plus per-provider
 * information (the LSP categories of WSCSetProviderInfo) and per-application
 * categories (WSCSetApplicationCategory). It lives in a text file:
 * $WS2_CATALOG when set, else /etc/ws2/catalog. With no file, the embedded
 * default serves: the base provider's entries (builtin.h), ids 1001-1007.
 *
 * A ws2__catalog_t is a value: once loaded (or built) nobody changes it, so
 * it is shared by reference count (ws2__catalog_ref / _release) between
 * the process's snapshot, sockets made from it and callers. The only
 * mutable catalogs are the private copies that ws2__catalog_modify hands
 * to an edit function.
 *
 * Files. Readers take no lock: writers replace the file atomically (a
 * temporary file next to it, fsync, rename over it, fsync of the
 * directory), so a reader sees the old or the new catalog, never a mix.
 * Writers serialise on flock(2) of "<file>.lock" and re-read the file
 * under the lock, so concurrent writers in any number of processes lose
 * no update. Every file carries a CRC-32 of its contents; a file that does
 * not check out (or cannot be read, or is not a catalog) is not used: the
 * load gives the embedded default and says why (ws2__cat_status_t), and
 * writers refuse to build on it (WSANO_RECOVERY) until it is repaired
 * (`ws2ctl reset`, or ws2__catalog_reset).
 *
 * Snapshots. The Winsock layer works from the process's snapshot
 * (ws2__catalog_snapshot): read at the process's first WSAStartup, and
 * read again at a later first WSAStartup (after the WSACleanup that ended
 * the previous one) or, in a process that asked for change notifications,
 * after WSAProviderConfigChange has reported a change. Installing or
 * removing a provider never changes a running process's snapshot
 * otherwise, as on Windows. The WSC* functions read the file itself.
 *
 * This module uses src/core (log, nls) and the public headers only.
 */
#ifndef WS2_CATALOG_CATALOG_H
#define WS2_CATALOG_CATALOG_H

#include <winsock2.h>

#include <stddef.h>
#include <stdint.h>

#include "catalog/builtin.h"

#define WS2__CATALOG_DEFAULT_FILE "/etc/ws2/catalog"
/* The format version this ws2 writes and reads (the "ws2-catalog 1" line). */
#define WS2__CATALOG_VERSION 1
/* Limits a catalog file is held to: larger is damage, not a catalog. */
#define WS2__CATALOG_MAX_BYTES (8u << 20)
#define WS2__CATALOG_MAX_ENTRIES 4096
/* A provider or application path: at most MAX_PATH - 1 characters. */
#define WS2__CATALOG_MAX_PATH 259

/* One protocol entry and its provider's path (UTF-8, unexpanded). */
typedef struct ws2__cat_entry {
  WSAPROTOCOL_INFOW info;
  char *path;
} ws2__cat_entry_t;

/* Per-provider information, keyed by provider GUID. */
typedef struct ws2__cat_provider {
  GUID id;
  DWORD lsp_categories; /* ProviderInfoLspCategories: LSP_* bits */
} ws2__cat_provider_t;

/* An application's permitted LSP categories (WSCSetApplicationCategory). */
typedef struct ws2__cat_app {
  char *path;  /* UTF-8, as given (not expanded, not canonicalised) */
  char *extra; /* UTF-8 command-line arguments; "" when none */
  DWORD permitted;
} ws2__cat_app_t;

/* Where a loaded catalog came from. */
enum {
  WS2__CAT_FROM_FILE,     /* the file, checked */
  WS2__CAT_FROM_DEFAULT,  /* no file: the embedded default */
  WS2__CAT_FROM_FALLBACK, /* the file is unusable: the embedded default */
};

/* Why a file was unusable (ws2__cat_status_t.code). */
enum {
  WS2__CAT_OK,
  WS2__CAT_EREAD,     /* cannot be read: .sys_errno says why */
  WS2__CAT_EFORMAT,   /* not a ws2 catalog, or a syntax error (.line) */
  WS2__CAT_EVERSION,  /* written in a newer format than this ws2 reads */
  WS2__CAT_ECHECKSUM, /* the checksum line is missing or does not match */
};

typedef struct ws2__cat_status {
  int code;          /* WS2__CAT_OK or WS2__CAT_E* */
  int sys_errno;     /* with WS2__CAT_EREAD */
  int line;          /* with WS2__CAT_EFORMAT: the line at fault, from 1 */
  char message[256]; /* one human sentence, without the file name */
} ws2__cat_status_t;

typedef struct ws2__catalog {
  _Atomic uint32_t refs;
  uint32_t serial; /* bumped by every write of the file */
  DWORD next_id;   /* the catalog id the next new entry gets */
  size_t nentries; /* in catalog order */
  ws2__cat_entry_t *entries;
  size_t nproviders;
  ws2__cat_provider_t *providers;
  size_t napps;
  ws2__cat_app_t *apps;
  int origin; /* WS2__CAT_FROM_* */
  char *file; /* the file it was loaded from (or would have been) */
  ws2__cat_status_t status; /* with WS2__CAT_FROM_FALLBACK: why */
} ws2__catalog_t;

/* ---- Reading. ---- */

/* The catalog file: $WS2_CATALOG if set and not empty, else the default. */
const char *ws2__catalog_file(void);

/*
 * Reads `file` (ws2__catalog_file() when NULL). Always gives a catalog
 * (*out, referenced) unless memory runs out (returns WSA_NOT_ENOUGH_MEMORY,
 * else 0): the file's, the embedded default when there is no file, or the
 * default as a fallback when the file is unusable, with (*out)->status
 * saying why. `log` makes an unusable file an error in the log, naming the
 * file and the repair (once per process for a given unusable file).
 */
int ws2__catalog_load(const char *file, int log, ws2__catalog_t **out);

/* A new embedded default catalog (referenced), or NULL without memory. */
ws2__catalog_t *ws2__catalog_default(void);

void ws2__catalog_ref(ws2__catalog_t *cat);
void ws2__catalog_release(ws2__catalog_t *cat);

/* ---- The process's snapshot (the Winsock layer). ---- */

/*
 * The catalog the process works from, referenced (release it with
 * ws2__catalog_release): read when first asked for, after
 * ws2__catalog_snapshot_refresh, or after ws2__catalog_snapshot_stale.
 * NULL only when memory runs out. A snapshot never changes; a later call
 * may return a newer one (compare ->serial, or the pointers).
 */
ws2__catalog_t *ws2__catalog_snapshot(void);
/* The process's first WSAStartup (the count went from 0 to 1): the next
 * ws2__catalog_snapshot reads the file again. */
void ws2__catalog_snapshot_refresh(void);
/* WSAProviderConfigChange reported a change: likewise. */
void ws2__catalog_snapshot_stale(void);

/* ---- Queries (on any catalog). ---- */

/* The entry with this catalog id, or NULL. */
const ws2__cat_entry_t *ws2__catalog_find_id(const ws2__catalog_t *cat,
                                             DWORD id);
/* Whether any entry has this provider GUID. */
int ws2__catalog_has_provider(const ws2__catalog_t *cat, const GUID *id);
/* The path of the provider's first entry (UTF-8), or NULL. */
const char *ws2__catalog_provider_path(const ws2__catalog_t *cat,
                                       const GUID *id);
/* The provider's LSP categories (0 when none are set). */
DWORD ws2__catalog_provider_categories(const ws2__catalog_t *cat,
                                       const GUID *id);
/* The permitted categories of an application (extra NULL or ""): 1 and
 * *permitted when it is categorised, else 0. */
int ws2__catalog_app_category(const ws2__catalog_t *cat, const char *path,
                              const char *extra, DWORD *permitted);

/* ---- Writing. ---- */

/*
 * Changes the catalog file (ws2__catalog_file() when NULL) under its lock:
 * reads it, hands a private copy to edit(cat, arg), and when edit returns
 * 0 writes the result (serial + 1) atomically. Returns 0 or a WSA error:
 * edit's own; WSANO_RECOVERY when the file is unusable (a corrupt catalog
 * is never overwritten: repair it first) or cannot be written (logged,
 * with the reason); WSA_NOT_ENOUGH_MEMORY; WSAEINPROGRESS when another
 * writer held the lock for longer than 10 s.
 */
typedef int (*ws2__cat_edit_fn)(ws2__catalog_t *cat, void *arg);
int ws2__catalog_modify(const char *file, ws2__cat_edit_fn edit, void *arg);

/*
 * Replaces the file with the embedded default (serial continuing), whatever
 * it held, keeping the old file as "<file>.bak" when there was one (*backed
 * up set to 1). For `ws2ctl reset`. Returns 0 or a WSA error as above.
 */
int ws2__catalog_reset(const char *file, int *backed_up);

/* Edits (on the private copy an edit function gets). Each returns 0 or
 * WSA_NOT_ENOUGH_MEMORY. */

/* Appends an entry (its dwCatalogEntryId set to cat->next_id++, its chain
 * normalised: ids past ChainLen cleared); *id_out gets the id. */
int ws2__catalog_append(ws2__catalog_t *cat, const WSAPROTOCOL_INFOW *info,
                        const char *path, DWORD *id_out);
/* Inserts it at position `at` (0 = the top) instead. */
int ws2__catalog_insert(ws2__catalog_t *cat, size_t at,
                        const WSAPROTOCOL_INFOW *info, const char *path,
                        DWORD *id_out);
/* Replaces the entry at position `at` with info, keeping its catalog id
 * (its chain normalised likewise). */
void ws2__catalog_replace(ws2__catalog_t *cat, size_t at,
                          const WSAPROTOCOL_INFOW *info);
/* Removes the entry at position `at`. */
void ws2__catalog_remove_at(ws2__catalog_t *cat, size_t at);
/* Replaces an entry's path. */
int ws2__catalog_set_path(ws2__catalog_t *cat, size_t at, const char *path);
/* Sets (replaces) a provider's LSP categories; 0 removes the record. */
int ws2__catalog_set_provider_categories(ws2__catalog_t *cat, const GUID *id,
                                         DWORD categories);
/* Drops a provider's record (its entries are the caller's business). */
void ws2__catalog_drop_provider(ws2__catalog_t *cat, const GUID *id);
/* Sets an application's permitted categories (extra NULL or ""). */
int ws2__catalog_set_app(ws2__catalog_t *cat, const char *path,
                         const char *extra, DWORD permitted);
/* Removes an application's record: 1 if there was one. */
int ws2__catalog_remove_app(ws2__catalog_t *cat, const char *path,
                            const char *extra);

/* ---- Layered providers and order (layer.c): the edits behind
 * WSCInstallProviderAndChains, WSCDeinstallProvider and
 * WSCWriteProviderOrder, shared with ws2ctl. ---- */

/* A layer to install (docs/CATALOG.md, "WSCInstallProviderAndChains"). */
typedef struct ws2__cat_layer {
  const GUID *id;    /* the provider's GUID: every entry installed has it */
  const char *path;  /* its path (UTF-8, 1 to WS2__CATALOG_MAX_PATH) */
  const WCHAR *name; /* the layer's name: name_len characters, */
  size_t name_len;   /* 1 to WSAPROTOCOL_LEN, well-formed UTF-16 */
  DWORD ifs;         /* XP1_IFS_HANDLES for an IFS layer, else 0 */
  const DWORD *over; /* the catalog ids of the entries to layer over */
  size_t nover;      /* (duplicates ignored); over NULL: every base
                        protocol, once per (af, type, protocol) */
  size_t at;         /* the chains' position: 0 the top (what
                        WSCInstallProviderAndChains does); at or past the
                        number of entries: after all of them */
  DWORD dummy_id;    /* out: the layer's hidden entry (ChainLen 0) */
  size_t nchains;    /* out: how many chains were installed */
} ws2__cat_layer_t;

/*
 * Installs a layer: its hidden dummy entry (a copy of the first entry
 * layered over, ChainLen 0, PFL_HIDDEN, socket type and protocol 0, the
 * layer's name) at the end, and one chain per entry layered over ([dummy
 * id, ...that entry's chain], "<name> over [<entry's name>]") from
 * position l->at, in order. Returns 0; WSAEINVAL (the GUID or the layer
 * name already installed, an id not in the catalog or a dummy's, bad
 * arguments); WSANO_RECOVERY (no base provider, a chain would exceed
 * MAX_PROTOCOL_CHAIN, the catalog would be too large);
 * WSA_NOT_ENOUGH_MEMORY.
 */
int ws2__catalog_install_layer(ws2__catalog_t *cat, ws2__cat_layer_t *l);
/* Removes every entry of a provider and its provider record: 0, or
 * WSAEINVAL when it has no entry. Chains of other layers that go through
 * it are the caller's business. */
int ws2__catalog_remove_provider(ws2__catalog_t *cat, const GUID *id);
/* Puts the entries in the order of ids, which must name every entry
 * exactly once (WSCWriteProviderOrder): 0, WSAEINVAL (wrong count, an
 * unknown or repeated id; nothing changed) or WSA_NOT_ENOUGH_MEMORY. */
int ws2__catalog_reorder(ws2__catalog_t *cat, const DWORD *ids, size_t n);

/* ---- Diagnostics. ---- */

/*
 * Sends ws2's log messages (the catalog's among them) to sink instead of
 * stderr: the level (0 error, 1 warning, 2 info, 3 debug) and the message
 * without the "ws2[pid]: level: " prefix. NULL restores stderr. For a tool
 * that reports them its own way (ws2ctl).
 */
void ws2__catalog_log_to(void (*sink)(int level, const char *message));

/* ---- The text form (format.c), for tests and tools. ---- */

/* The file's text; NULL without memory. *len gets its length. */
char *ws2__catalog_format(const ws2__catalog_t *cat, size_t *len);
/*
 * Parses a file's text into *out (origin WS2__CAT_FROM_FILE, referenced).
 * Returns 0, WSA_NOT_ENOUGH_MEMORY, or -1 with *st saying what is wrong.
 */
int ws2__catalog_parse(const char *text, size_t len, ws2__catalog_t **out,
                       ws2__cat_status_t *st);
/* CRC-32 (IEEE 802.3, as zlib's crc32), continuing from crc (0 to start). */
uint32_t ws2__catalog_crc32(uint32_t crc, const void *data, size_t len);
/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (39 bytes with the NUL). */
void ws2__catalog_guid_text(const GUID *id, char out[39]);
/* Parses that form: 1 on success. */
int ws2__catalog_guid_parse(const char *text, size_t len, GUID *id);

/* ---- Test seam. ---- */

/*
 * The steps of a write, in order. When set, ws2__catalog_write_hook is
 * called after each step with its number; a test makes it _exit() to leave
 * a writer killed there (test/unit/test-catalog.c).
 */
enum {
  WS2__CAT_STEP_LOCKED = 1,  /* holds the lock */
  WS2__CAT_STEP_READ,        /* read the current file */
  WS2__CAT_STEP_TEMP_OPEN,   /* created the temporary file, empty */
  WS2__CAT_STEP_TEMP_HALF,   /* wrote half of the new text */
  WS2__CAT_STEP_TEMP_FULL,   /* wrote all of it */
  WS2__CAT_STEP_TEMP_SYNCED, /* fsync'd it */
  WS2__CAT_STEP_RENAMED,     /* renamed it over the file */
  WS2__CAT_STEP_DIR_SYNCED,  /* fsync'd the directory */
  WS2__CAT_STEP_UNLOCKED,    /* released the lock */
  WS2__CAT_NSTEPS = WS2__CAT_STEP_UNLOCKED
};
extern void (*ws2__catalog_write_hook)(int step);

#endif /* WS2_CATALOG_CATALOG_H */
