/*
 * ws2ctl: the ws2 protocol catalog tool (ws2ctl(1)), what `netsh winsock`
 * and the SDK's instlsp are on Windows.
 *
 *   ws2ctl [--catalog FILE] COMMAND [ARGS]
 *
 * Every change goes through the catalog module (src/catalog/catalog.h):
 * ws2__catalog_modify runs an edit function on the file under its lock and
 * replaces the file atomically, and the edits themselves are the ones the
 * WSC* functions use (ws2__catalog_install_layer for
 * WSCInstallProviderAndChains, ws2__catalog_remove_provider for
 * WSCDeinstallProvider, ws2__catalog_reorder for WSCWriteProviderOrder,
 * ws2__catalog_set_app / _remove_app for the application categories), so
 * `ws2ctl install` and an installer calling the API build the same
 * catalog. What is ws2ctl's own: choosing entries by catalog id and the
 * chains' position, mending other layers' chains when a layer is removed
 * (what instlsp does), the reports, and `check`.
 *
 * `check` loads each entry's chain in a child process (dlopen, WSPStartup)
 * so that a crashing or hanging provider cannot take ws2ctl with it; see
 * check_entry() for what it does and does not prove.
 *
 * Exit status: 0 ok, 1 usage, 2 not found, 3 catalog unusable, 4 `check`
 * found failures, 5 permission or I/O error. Errors go to stderr, each
 * line starting "ws2ctl: ".
 */
#define WS2_USE_PREFIX
#include <winsock2.h>
#include <winnls.h>
#include <ws2spi.h>

#include "catalog/catalog.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef WS2_VERSION_TEXT
#define WS2_VERSION_TEXT "unknown"
#endif

enum {
  EXIT_OK = 0,
  EXIT_USAGE = 1,
  EXIT_NOT_FOUND = 2,
  EXIT_UNUSABLE = 3,
  EXIT_CHECK_FAILED = 4,
  EXIT_IO = 5,
};

/* The catalog file acted on: --catalog, else $WS2_CATALOG, else
 * /etc/ws2/catalog (ws2__catalog_file). */
static const char *cat_file;

/* ---- Messages. ---- */

static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void error(const char *fmt, ...) {
  va_list ap;
  fputs("ws2ctl: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warning(const char *fmt, ...) {
  va_list ap;
  fputs("ws2ctl: warning: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* ws2's own log (the catalog module's reasons for a failed write, say),
 * reported as ws2ctl's. */
static void log_sink(int level, const char *message) {
  if (level == 0)
    error("%s", message);
  else if (level == 1)
    warning("%s", message);
  else
    fprintf(stderr, "ws2ctl: %s\n", message);
}

static const char usage_text[] =
    "usage: ws2ctl [--catalog FILE] COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  catalog [--json | --brief]    list every catalog entry (--brief: one\n"
    "                                line each)\n"
    "  install --name NAME --path SO --guid {GUID}\n"
    "          [--over ID[,ID...] | --over-all] [--position top|bottom|N]\n"
    "          [--ifs]               install a layered provider over entries\n"
    "  remove {GUID}|NAME            remove a provider and its chains\n"
    "  order ID ID ...               write the catalog order (every id once)\n"
    "  reset                         restore the built-in default catalog,\n"
    "                                keeping the old file as FILE.bak\n"
    "  check [--timeout SECONDS]     load every chain in a child process and\n"
    "                                report what fails, and non-IFS layers\n"
    "  exclude PROGRAM [--args ARGS] load no layered provider into PROGRAM\n"
    "  include PROGRAM [--args ARGS] remove PROGRAM's rule: load them all\n"
    "  help                          this text\n"
    "\n"
    "FILE defaults to $WS2_CATALOG, else /etc/ws2/catalog.\n"
    "exit status: 0 ok, 1 usage error, 2 not found, 3 catalog unusable,\n"
    "4 check found failures, 5 permission or I/O error. See ws2ctl(1).\n";

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...) {
  va_list ap;
  fputs("ws2ctl: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\nws2ctl: `ws2ctl help` lists the commands\n", stderr);
  return EXIT_USAGE;
}

/* ---- Text. ---- */

static size_t wcs_len(const WCHAR *w, size_t max) {
  size_t n = 0;
  while (n < max && w[n]) n++;
  return n;
}

/* A protocol name (at most WSAPROTOCOL_LEN WCHARs) as UTF-8. */
typedef struct name_buf {
  char s[WSAPROTOCOL_LEN * 3 + 1];
} name_buf_t;

static const char *name_of(const WSAPROTOCOL_INFOW *e, name_buf_t *b) {
  int n = (int)wcs_len(e->szProtocol, WSAPROTOCOL_LEN), got = 0;
  if (n)
    got = WideCharToMultiByte(CP_UTF8, 0, e->szProtocol, n, b->s,
                              (int)sizeof(b->s) - 1, NULL, NULL);
  b->s[got > 0 ? got : 0] = 0;
  return b->s;
}

/* UTF-8 to a new WCHAR string: its length in *n, or NULL when s is not
 * well-formed UTF-8. */
static WCHAR *wide_of(const char *s, size_t *n) {
  int need = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s,
                                 (int)strlen(s), NULL, 0);
  WCHAR *w;
  if (!*s) {
    *n = 0;
    return calloc(1, sizeof(WCHAR));
  }
  if (need <= 0 || !(w = calloc((size_t)need + 1, sizeof(WCHAR)))) return NULL;
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, (int)strlen(s), w,
                      need);
  *n = (size_t)need;
  return w;
}

static const char *guid_text(const GUID *id, char out[39]) {
  ws2__catalog_guid_text(id, out);
  return out;
}

/* "{...}" or the same without braces. */
static int parse_guid(const char *s, GUID *id) {
  char t[39];
  size_t n = strlen(s);
  if (n == 36) {
    t[0] = '{';
    memcpy(t + 1, s, 36);
    t[37] = '}';
    t[38] = 0;
    s = t;
    n = 38;
  }
  return ws2__catalog_guid_parse(s, n, id);
}

static int guid_eq(const GUID *a, const GUID *b) {
  return memcmp(a, b, sizeof(GUID)) == 0;
}

/* A catalog id: a decimal number from 1 to 0xFFFFFFFF. */
static int parse_id(const char *s, DWORD *id) {
  char *end;
  unsigned long long v;
  if (*s < '0' || *s > '9') return 0;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno || *end || v == 0 || v > 0xFFFFFFFFull) return 0;
  *id = (DWORD)v;
  return 1;
}

static const char *af_name(int af) {
  switch (af) {
    case 0:
      return "AF_UNSPEC";
    case 1:
      return "AF_UNIX";
    case 2:
      return "AF_INET";
    case 17:
      return "AF_NETBIOS";
    case 23:
      return "AF_INET6";
    case 26:
      return "AF_IRDA";
    case 32:
      return "AF_BTH";
    default:
      return NULL;
  }
}

static const char *type_name(int type) {
  switch (type) {
    case 1:
      return "SOCK_STREAM";
    case 2:
      return "SOCK_DGRAM";
    case 3:
      return "SOCK_RAW";
    case 4:
      return "SOCK_RDM";
    case 5:
      return "SOCK_SEQPACKET";
    default:
      return NULL;
  }
}

static const char *proto_name(int af, int proto) {
  switch (proto) {
    case 0:
      return af == 1 ? NULL : "IPPROTO_IP";
    case 1:
      return "IPPROTO_ICMP";
    case 2:
      return "IPPROTO_IGMP";
    case 6:
      return "IPPROTO_TCP";
    case 17:
      return "IPPROTO_UDP";
    case 58:
      return "IPPROTO_ICMPV6";
    case 255:
      return "IPPROTO_RAW";
    default:
      return NULL;
  }
}

typedef struct flag_name {
  DWORD bit;
  const char *name;
} flag_name_t;

static const flag_name_t xp1_names[] = {
    {XP1_CONNECTIONLESS, "XP1_CONNECTIONLESS"},
    {XP1_GUARANTEED_DELIVERY, "XP1_GUARANTEED_DELIVERY"},
    {XP1_GUARANTEED_ORDER, "XP1_GUARANTEED_ORDER"},
    {XP1_MESSAGE_ORIENTED, "XP1_MESSAGE_ORIENTED"},
    {XP1_PSEUDO_STREAM, "XP1_PSEUDO_STREAM"},
    {XP1_GRACEFUL_CLOSE, "XP1_GRACEFUL_CLOSE"},
    {XP1_EXPEDITED_DATA, "XP1_EXPEDITED_DATA"},
    {XP1_CONNECT_DATA, "XP1_CONNECT_DATA"},
    {XP1_DISCONNECT_DATA, "XP1_DISCONNECT_DATA"},
    {XP1_SUPPORT_BROADCAST, "XP1_SUPPORT_BROADCAST"},
    {XP1_SUPPORT_MULTIPOINT, "XP1_SUPPORT_MULTIPOINT"},
    {XP1_MULTIPOINT_CONTROL_PLANE, "XP1_MULTIPOINT_CONTROL_PLANE"},
    {XP1_MULTIPOINT_DATA_PLANE, "XP1_MULTIPOINT_DATA_PLANE"},
    {XP1_QOS_SUPPORTED, "XP1_QOS_SUPPORTED"},
    {XP1_INTERRUPT, "XP1_INTERRUPT"},
    {XP1_UNI_SEND, "XP1_UNI_SEND"},
    {XP1_UNI_RECV, "XP1_UNI_RECV"},
    {XP1_IFS_HANDLES, "XP1_IFS_HANDLES"},
    {XP1_PARTIAL_MESSAGE, "XP1_PARTIAL_MESSAGE"},
    {XP1_SAN_SUPPORT_SDP, "XP1_SAN_SUPPORT_SDP"},
    {0, NULL},
};

static const flag_name_t pfl_names[] = {
    {PFL_MULTIPLE_PROTO_ENTRIES, "PFL_MULTIPLE_PROTO_ENTRIES"},
    {PFL_RECOMMENDED_PROTO_ENTRY, "PFL_RECOMMENDED_PROTO_ENTRY"},
    {PFL_HIDDEN, "PFL_HIDDEN"},
    {PFL_MATCHES_PROTOCOL_ZERO, "PFL_MATCHES_PROTOCOL_ZERO"},
    {PFL_NETWORKDIRECT_PROVIDER, "PFL_NETWORKDIRECT_PROVIDER"},
    {0, NULL},
};

static const flag_name_t lsp_names[] = {
    {LSP_INSPECTOR, "LSP_INSPECTOR"},
    {LSP_REDIRECTOR, "LSP_REDIRECTOR"},
    {LSP_PROXY, "LSP_PROXY"},
    {LSP_FIREWALL, "LSP_FIREWALL"},
    {LSP_INBOUND_MODIFY, "LSP_INBOUND_MODIFY"},
    {LSP_OUTBOUND_MODIFY, "LSP_OUTBOUND_MODIFY"},
    {LSP_CRYPTO_COMPRESS, "LSP_CRYPTO_COMPRESS"},
    {LSP_LOCAL_CACHE, "LSP_LOCAL_CACHE"},
    {LSP_SYSTEM, "LSP_SYSTEM"},
    {0, NULL},
};

/* The names of the bits set in v, separated by sep; unnamed bits as hex. */
static void print_flags(FILE *f, DWORD v, const flag_name_t *names,
                        const char *sep) {
  DWORD rest = v;
  int first = 1;
  for (; names->name; names++)
    if (v & names->bit) {
      fprintf(f, "%s%s", first ? "" : sep, names->name);
      rest &= ~names->bit;
      first = 0;
    }
  if (rest) fprintf(f, "%s0x%lx", first ? "" : sep, (unsigned long)rest);
}

static const char *wsa_error_name(int e) {
  switch (e) {
    case WSA_NOT_ENOUGH_MEMORY:
      return "WSA_NOT_ENOUGH_MEMORY";
    case WSAEACCES:
      return "WSAEACCES";
    case WSAEFAULT:
      return "WSAEFAULT";
    case WSAEINVAL:
      return "WSAEINVAL";
    case WSAEINPROGRESS:
      return "WSAEINPROGRESS";
    case WSAEPROTONOSUPPORT:
      return "WSAEPROTONOSUPPORT";
    case WSAESOCKTNOSUPPORT:
      return "WSAESOCKTNOSUPPORT";
    case WSAEOPNOTSUPP:
      return "WSAEOPNOTSUPP";
    case WSAEAFNOSUPPORT:
      return "WSAEAFNOSUPPORT";
    case WSAENETDOWN:
      return "WSAENETDOWN";
    case WSAENOBUFS:
      return "WSAENOBUFS";
    case WSAEPROCLIM:
      return "WSAEPROCLIM";
    case WSASYSNOTREADY:
      return "WSASYSNOTREADY";
    case WSAVERNOTSUPPORTED:
      return "WSAVERNOTSUPPORTED";
    case WSAEINVALIDPROCTABLE:
      return "WSAEINVALIDPROCTABLE";
    case WSAEINVALIDPROVIDER:
      return "WSAEINVALIDPROVIDER";
    case WSAEPROVIDERFAILEDINIT:
      return "WSAEPROVIDERFAILEDINIT";
    case WSASYSCALLFAILURE:
      return "WSASYSCALLFAILURE";
    case WSANO_RECOVERY:
      return "WSANO_RECOVERY";
    default:
      return NULL;
  }
}

/* ---- Loading. ---- */

/*
 * What an unusable catalog means for the exit status: damage (not a
 * catalog, a syntax error, a newer format, a bad checksum, not a regular
 * file, too large) is EXIT_UNUSABLE; a file that exists but cannot be
 * read (permission, I/O) is EXIT_IO. Prints the problem and the repair.
 */
static int report_unusable(const ws2__catalog_t *cat) {
  const ws2__cat_status_t *st = &cat->status;
  int e = st->sys_errno;
  if (st->code == WS2__CAT_EREAD && e != EISDIR && e != EINVAL && e != EFBIG) {
    error("cannot read the catalog %s: %s", cat_file, strerror(e));
    return EXIT_IO;
  }
  if (st->code == WS2__CAT_EFORMAT && st->line)
    error("the catalog %s is unusable (line %d: %s)", cat_file, st->line,
          st->message);
  else
    error("the catalog %s is unusable (%s)", cat_file, st->message);
  error(
      "ws2 uses the built-in default catalog until it is repaired: "
      "`ws2ctl reset` restores the default (keeping the file as %s.bak), "
      "or fix it by hand and its crc32 line (ws2-catalog(5))",
      cat_file);
  return EXIT_UNUSABLE;
}

/* Loads the catalog: EXIT_OK with *cat (the file's, or the default when
 * there is no file), or EXIT_UNUSABLE / EXIT_IO with *cat the fallback
 * (the built-in default; the problem already reported). */
static int load(ws2__catalog_t **cat) {
  if (ws2__catalog_load(cat_file, 0, cat) != 0) {
    error("out of memory");
    *cat = NULL;
    return EXIT_IO;
  }
  return (*cat)->origin == WS2__CAT_FROM_FALLBACK ? report_unusable(*cat)
                                                  : EXIT_OK;
}

/* ---- Changing the catalog. ---- */

/* Every edit's arguments start with this: an edit that refuses the change
 * records why and which exit status that is. */
typedef struct edit_ctx {
  int status;
  char message[1024];
} edit_ctx_t;

static int refuse(edit_ctx_t *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(edit_ctx_t *c, int status, const char *fmt, ...) {
  va_list ap;
  c->status = status;
  va_start(ap, fmt);
  vsnprintf(c->message, sizeof(c->message), fmt, ap);
  va_end(ap);
  return WSAEINVAL; /* ws2__catalog_modify hands it back: nothing written */
}

/*
 * Runs an edit on the catalog file under its lock. The file is checked
 * first, so that a damaged catalog is reported as such (EXIT_UNUSABLE)
 * rather than as the write it stops. Returns an exit status.
 */
static int change(ws2__cat_edit_fn edit, edit_ctx_t *ctx) {
  ws2__catalog_t *cat;
  int r = load(&cat);
  ws2__catalog_release(cat);
  if (r != EXIT_OK) return r;
  ctx->status = EXIT_OK;
  r = ws2__catalog_modify(cat_file, edit, ctx);
  if (r == 0) return EXIT_OK;
  if (ctx->status != EXIT_OK) {
    error("%s", ctx->message);
    return ctx->status;
  }
  switch (r) {
    case WSANO_RECOVERY:
      /* Damaged meanwhile, or not writable: the catalog module has said
       * which, with the reason (through log_sink). */
      if ((r = load(&cat)) == EXIT_OK) {
        error("the catalog %s was not changed (see above)", cat_file);
        r = EXIT_IO;
      }
      ws2__catalog_release(cat);
      return r;
    case WSAEINPROGRESS:
      error(
          "another writer has held the lock of %s for 10 s; nothing "
          "changed",
          cat_file);
      return EXIT_IO;
    case WSA_NOT_ENOUGH_MEMORY:
      error("out of memory; nothing changed");
      return EXIT_IO;
    default:
      error("the catalog refused the change (error %d%s%s); nothing changed", r,
            wsa_error_name(r) ? " " : "",
            wsa_error_name(r) ? wsa_error_name(r) : "");
      return EXIT_USAGE;
  }
}

/* ---- catalog ---- */

static const char *entry_type(const WSAPROTOCOL_INFOW *e) {
  int len = e->ProtocolChain.ChainLen;
  return len == LAYERED_PROTOCOL ? "Layered Provider (hidden entry)"
         : len == BASE_PROTOCOL  ? "Base Service Provider"
                                 : "Layered Chain Entry";
}

static const char *entry_kind(const WSAPROTOCOL_INFOW *e) {
  int len = e->ProtocolChain.ChainLen;
  return len == LAYERED_PROTOCOL ? "layer"
         : len == BASE_PROTOCOL  ? "base"
                                 : "chain";
}

static void print_entry(const ws2__catalog_t *cat, size_t pos) {
  const ws2__cat_entry_t *ce = &cat->entries[pos];
  const WSAPROTOCOL_INFOW *e = &ce->info;
  const char *n;
  DWORD cats = ws2__catalog_provider_categories(cat, &e->ProviderId);
  name_buf_t nb;
  char g[39];
  int k;

  printf("\nWinsock Catalog Provider Entry\n");
  printf("------------------------------------------------------\n");
  printf("%-32s %s\n", "Entry Type:", entry_type(e));
  printf("%-32s %zu\n", "Position:", pos + 1);
  printf("%-32s %s\n", "Description:", name_of(e, &nb));
  printf("%-32s %s\n", "Provider ID:", guid_text(&e->ProviderId, g));
  printf("%-32s %s\n", "Provider Path:", ce->path);
  printf("%-32s %lu\n",
         "Catalog Entry ID:", (unsigned long)e->dwCatalogEntryId);
  printf("%-32s %d\n", "Version:", e->iVersion);
  n = af_name(e->iAddressFamily);
  printf("%-32s %d%s%s%s\n", "Address Family:", e->iAddressFamily,
         n ? " (" : "", n ? n : "", n ? ")" : "");
  printf("%-32s %d\n", "Max Address Length:", e->iMaxSockAddr);
  printf("%-32s %d\n", "Min Address Length:", e->iMinSockAddr);
  n = type_name(e->iSocketType);
  printf("%-32s %d%s%s%s\n", "Socket Type:", e->iSocketType, n ? " (" : "",
         n ? n : "", n ? ")" : "");
  n = e->ProtocolChain.ChainLen == LAYERED_PROTOCOL
          ? NULL
          : proto_name(e->iAddressFamily, e->iProtocol);
  printf("%-32s %d%s%s%s\n", "Protocol:", e->iProtocol, n ? " (" : "",
         n ? n : "", n ? ")" : "");
  if (e->iProtocolMaxOffset)
    printf("%-32s %d\n", "Protocol Max Offset:", e->iProtocolMaxOffset);
  printf(
      "%-32s 0x%08lx %s: ", "Service Flags:", (unsigned long)e->dwServiceFlags1,
      e->dwServiceFlags1 & XP1_IFS_HANDLES ? "IFS (XP1_IFS_HANDLES)"
                                           : "non-IFS (no XP1_IFS_HANDLES)");
  print_flags(stdout, e->dwServiceFlags1, xp1_names, " ");
  printf("\n");
  if (e->dwServiceFlags2 || e->dwServiceFlags3 || e->dwServiceFlags4)
    printf("%-32s 0x%08lx 0x%08lx 0x%08lx\n",
           "Service Flags 2-4:", (unsigned long)e->dwServiceFlags2,
           (unsigned long)e->dwServiceFlags3,
           (unsigned long)e->dwServiceFlags4);
  printf("%-32s 0x%08lx", "Provider Flags:", (unsigned long)e->dwProviderFlags);
  if (e->dwProviderFlags) {
    printf(" ");
    print_flags(stdout, e->dwProviderFlags, pfl_names, " ");
  }
  printf("\n");
  if (cats) {
    printf("%-32s 0x%08lx ", "LSP Categories:", (unsigned long)cats);
    print_flags(stdout, cats, lsp_names, " ");
    printf("\n");
  }
  printf("%-32s %d\n", "Protocol Chain Length:", e->ProtocolChain.ChainLen);
  if (e->ProtocolChain.ChainLen == LAYERED_PROTOCOL) {
    printf("%-32s (none: a layer's own entry; its chains name it first)\n",
           "Protocol Chain:");
    return;
  }
  for (k = 0; k < e->ProtocolChain.ChainLen && k < MAX_PROTOCOL_CHAIN; k++) {
    DWORD id = e->ProtocolChain.ChainLen == BASE_PROTOCOL
                   ? e->dwCatalogEntryId
                   : e->ProtocolChain.ChainEntries[k];
    const ws2__cat_entry_t *l = ws2__catalog_find_id(cat, id);
    printf("%-32s %lu ", k ? "" : "Protocol Chain:", (unsigned long)id);
    if (l)
      printf("%s [%s, %s]\n", name_of(&l->info, &nb), entry_kind(&l->info),
             l->path);
    else
      printf("(not in the catalog)\n");
  }
}

/* One line for an entry (catalog --brief): position, id, kind, handles,
 * description, and for a chain its ids from the top down. */
static void print_brief(const ws2__catalog_t *cat, size_t pos) {
  const WSAPROTOCOL_INFOW *e = &cat->entries[pos].info;
  name_buf_t nb;
  int k;
  printf("%4zu  %-5lu %-6s %-8s ", pos + 1, (unsigned long)e->dwCatalogEntryId,
         entry_kind(e),
         e->dwServiceFlags1 & XP1_IFS_HANDLES ? "IFS" : "non-IFS");
  if (e->ProtocolChain.ChainLen <= BASE_PROTOCOL) {
    printf("%s", name_of(e, &nb));
  } else {
    printf("%-44s", name_of(e, &nb));
    for (k = 0; k < e->ProtocolChain.ChainLen && k < MAX_PROTOCOL_CHAIN; k++)
      printf("%s%lu", k ? " > " : " ",
             (unsigned long)e->ProtocolChain.ChainEntries[k]);
  }
  printf("\n");
}

static void print_apps(const ws2__catalog_t *cat) {
  size_t i;
  char g[39];
  if (cat->nproviders) {
    printf("\nLSP categories of providers (WSCSetProviderInfo)\n");
    printf("------------------------------------------------------\n");
    for (i = 0; i < cat->nproviders; i++) {
      printf("%s 0x%08lx ", guid_text(&cat->providers[i].id, g),
             (unsigned long)cat->providers[i].lsp_categories);
      print_flags(stdout, cat->providers[i].lsp_categories, lsp_names, " ");
      printf("\n");
    }
  }
  if (!cat->napps) return;
  printf(
      "\nApplication rules (WSCSetApplicationCategory; ws2ctl exclude, "
      "include)\n");
  printf("------------------------------------------------------\n");
  for (i = 0; i < cat->napps; i++) {
    const ws2__cat_app_t *a = &cat->apps[i];
    printf("%s", a->path);
    if (*a->extra) printf(" (arguments: %s)", a->extra);
    printf(": permitted LSP categories 0x%08lx", (unsigned long)a->permitted);
    if (a->permitted) {
      printf(" ");
      print_flags(stdout, a->permitted, lsp_names, " ");
      printf("\n");
    } else {
      printf(": excluded, no layered provider is loaded into it\n");
    }
  }
}

/* ---- JSON. ---- */

/* s as a JSON string: UTF-8 passed through, bytes that are not UTF-8 as
 * U+FFFD. */
static void json_str(FILE *f, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  fputc('"', f);
  while (*p) {
    unsigned c = *p;
    int n = c < 0x80             ? 1
            : (c & 0xE0) == 0xC0 ? 2
            : (c & 0xF0) == 0xE0 ? 3
            : (c & 0xF8) == 0xF0 ? 4
                                 : 0;
    int k, ok = n > 0;
    for (k = 1; ok && k < n; k++)
      if ((p[k] & 0xC0) != 0x80) ok = 0;
    if (ok && n == 2 && c < 0xC2) ok = 0;
    if (ok && n == 3) {
      unsigned v = (c & 0x0F) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
      if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) ok = 0;
    }
    if (ok && n == 4) {
      unsigned v = (c & 0x07) << 18 | (p[1] & 0x3Fu) << 12 |
                   (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
      if (v < 0x10000 || v > 0x10FFFF) ok = 0;
    }
    if (!ok) {
      fputs("\\ufffd", f);
      p++;
      continue;
    }
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", f);
    else if (c == '\t')
      fputs("\\t", f);
    else if (c < 0x20 || c == 0x7F)
      fprintf(f, "\\u%04x", c);
    else
      fwrite(p, 1, (size_t)n, f);
    p += n;
  }
  fputc('"', f);
}

static void json_flags(FILE *f, DWORD v, const flag_name_t *names) {
  int first = 1;
  fputc('[', f);
  for (; names->name; names++)
    if (v & names->bit) {
      fprintf(f, "%s\"%s\"", first ? "" : ", ", names->name);
      first = 0;
    }
  fputc(']', f);
}

static void json_name(FILE *f, const char *key, const char *name) {
  fprintf(f, ", \"%s\": ", key);
  if (name)
    json_str(f, name);
  else
    fputs("null", f);
}

static void json_entry(const ws2__catalog_t *cat, size_t pos) {
  const ws2__cat_entry_t *ce = &cat->entries[pos];
  const WSAPROTOCOL_INFOW *e = &ce->info;
  DWORD cats = ws2__catalog_provider_categories(cat, &e->ProviderId);
  name_buf_t nb;
  char g[39];
  int k;

  printf("    {\"position\": %zu, \"catalog_id\": %lu, \"type\": \"%s\", ",
         pos + 1, (unsigned long)e->dwCatalogEntryId, entry_kind(e));
  printf("\"description\": ");
  json_str(stdout, name_of(e, &nb));
  printf(",\n     \"provider_id\": \"%s\", \"provider_path\": ",
         guid_text(&e->ProviderId, g));
  json_str(stdout, ce->path);
  printf(",\n     \"version\": %d, \"address_family\": %d", e->iVersion,
         e->iAddressFamily);
  json_name(stdout, "address_family_name", af_name(e->iAddressFamily));
  printf(", \"max_address_length\": %d, \"min_address_length\": %d",
         e->iMaxSockAddr, e->iMinSockAddr);
  printf(",\n     \"socket_type\": %d", e->iSocketType);
  json_name(stdout, "socket_type_name", type_name(e->iSocketType));
  printf(", \"protocol\": %d", e->iProtocol);
  json_name(stdout, "protocol_name",
            e->ProtocolChain.ChainLen == LAYERED_PROTOCOL
                ? NULL
                : proto_name(e->iAddressFamily, e->iProtocol));
  printf(", \"protocol_max_offset\": %d", e->iProtocolMaxOffset);
  printf(
      ",\n     \"service_flags\": \"0x%08lx\", \"ifs\": %s, "
      "\"service_flags_names\": ",
      (unsigned long)e->dwServiceFlags1,
      e->dwServiceFlags1 & XP1_IFS_HANDLES ? "true" : "false");
  json_flags(stdout, e->dwServiceFlags1, xp1_names);
  printf(
      ",\n     \"service_flags2\": \"0x%08lx\", \"service_flags3\": "
      "\"0x%08lx\", \"service_flags4\": \"0x%08lx\"",
      (unsigned long)e->dwServiceFlags2, (unsigned long)e->dwServiceFlags3,
      (unsigned long)e->dwServiceFlags4);
  printf(",\n     \"provider_flags\": \"0x%08lx\", \"provider_flags_names\": ",
         (unsigned long)e->dwProviderFlags);
  json_flags(stdout, e->dwProviderFlags, pfl_names);
  printf(", \"lsp_categories\": \"0x%08lx\"", (unsigned long)cats);
  printf(
      ",\n     \"byte_order\": %d, \"security_scheme\": %d, "
      "\"message_size\": %lu",
      e->iNetworkByteOrder, e->iSecurityScheme,
      (unsigned long)e->dwMessageSize);
  printf(",\n     \"chain_length\": %d, \"chain\": [",
         e->ProtocolChain.ChainLen);
  for (k = 0; e->ProtocolChain.ChainLen != LAYERED_PROTOCOL &&
              k < e->ProtocolChain.ChainLen && k < MAX_PROTOCOL_CHAIN;
       k++) {
    DWORD id = e->ProtocolChain.ChainLen == BASE_PROTOCOL
                   ? e->dwCatalogEntryId
                   : e->ProtocolChain.ChainEntries[k];
    const ws2__cat_entry_t *l = ws2__catalog_find_id(cat, id);
    printf("%s\n       {\"catalog_id\": %lu, ", k ? "," : "",
           (unsigned long)id);
    if (l) {
      printf("\"present\": true, \"type\": \"%s\", \"name\": ",
             entry_kind(&l->info));
      json_str(stdout, name_of(&l->info, &nb));
      printf(", \"path\": ");
      json_str(stdout, l->path);
      printf(", \"ifs\": %s}",
             l->info.dwServiceFlags1 & XP1_IFS_HANDLES ? "true" : "false");
    } else {
      printf("\"present\": false}");
    }
  }
  printf("]}");
}

static void json_catalog(const ws2__catalog_t *cat) {
  const ws2__cat_status_t *st = &cat->status;
  size_t i;
  char g[39];
  printf("{\n  \"file\": ");
  json_str(stdout, cat_file);
  printf(",\n  \"origin\": \"%s\"", cat->origin == WS2__CAT_FROM_FILE ? "file"
                                    : cat->origin == WS2__CAT_FROM_DEFAULT
                                        ? "default"
                                        : "fallback");
  printf(",\n  \"problem\": ");
  if (cat->origin == WS2__CAT_FROM_FALLBACK) {
    static const char *codes[] = {"none", "read", "format", "version",
                                  "checksum"};
    printf("{\"code\": \"%s\", \"line\": %d, \"errno\": %d, \"message\": ",
           st->code >= 0 && st->code <= 4 ? codes[st->code] : "unknown",
           st->line, st->sys_errno);
    json_str(stdout, st->message);
    printf("}");
  } else {
    printf("null");
  }
  printf(",\n  \"serial\": %lu, \"next_id\": %lu,\n  \"entries\": [\n",
         (unsigned long)cat->serial, (unsigned long)cat->next_id);
  for (i = 0; i < cat->nentries; i++) {
    json_entry(cat, i);
    printf("%s\n", i + 1 < cat->nentries ? "," : "");
  }
  printf("  ],\n  \"providers\": [");
  for (i = 0; i < cat->nproviders; i++) {
    printf(
        "%s\n    {\"provider_id\": \"%s\", \"lsp_categories\": "
        "\"0x%08lx\", \"lsp_category_names\": ",
        i ? "," : "", guid_text(&cat->providers[i].id, g),
        (unsigned long)cat->providers[i].lsp_categories);
    json_flags(stdout, cat->providers[i].lsp_categories, lsp_names);
    printf("}");
  }
  printf("],\n  \"applications\": [");
  for (i = 0; i < cat->napps; i++) {
    printf("%s\n    {\"path\": ", i ? "," : "");
    json_str(stdout, cat->apps[i].path);
    printf(", \"arguments\": ");
    json_str(stdout, cat->apps[i].extra);
    printf(", \"permitted\": \"0x%08lx\", \"excluded\": %s}",
           (unsigned long)cat->apps[i].permitted,
           cat->apps[i].permitted ? "false" : "true");
  }
  printf("]\n}\n");
}

static int cmd_catalog(int argc, char **argv) {
  ws2__catalog_t *cat;
  int json = 0, brief = 0, i, r;
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0)
      json = 1;
    else if (strcmp(argv[i], "--brief") == 0)
      brief = 1;
    else
      return usage("catalog: unknown argument '%s'", argv[i]);
  }
  if (json && brief) return usage("catalog: --json or --brief, not both");
  r = load(&cat);
  if (!cat) return r;
  if (r == EXIT_IO) {
    ws2__catalog_release(cat);
    return r;
  }
  if (json) {
    json_catalog(cat);
  } else {
    size_t k;
    printf("Catalog: %s", cat_file);
    if (cat->origin == WS2__CAT_FROM_FILE)
      printf(" (serial %lu, next catalog id %lu)\n", (unsigned long)cat->serial,
             (unsigned long)cat->next_id);
    else if (cat->origin == WS2__CAT_FROM_DEFAULT)
      printf(" (no file: the built-in default)\n");
    else
      printf(
          " is UNUSABLE (%s): the built-in default below is what ws2 "
          "uses until it is repaired\n",
          cat->status.message);
    if (brief) {
      printf(" POS  ID    KIND   HANDLES  DESCRIPTION%33sCHAIN (top first)\n",
             "");
      for (k = 0; k < cat->nentries; k++) print_brief(cat, k);
    } else {
      for (k = 0; k < cat->nentries; k++) print_entry(cat, k);
      print_apps(cat);
    }
  }
  ws2__catalog_release(cat);
  return r;
}

/* ---- install ---- */

typedef struct install_ctx {
  edit_ctx_t c;
  ws2__cat_layer_t layer;
  const char *name; /* UTF-8, for messages */
  size_t position;  /* SIZE_MAX: bottom */
  int position_given_n;
} install_ctx_t;

static int install_edit(ws2__catalog_t *cat, void *arg) {
  install_ctx_t *a = arg;
  ws2__cat_layer_t *l = &a->layer;
  size_t i, j;
  char g[39];

  /* The checks ws2__catalog_install_layer makes, made first so that each
   * refusal says what is wrong. */
  if (ws2__catalog_has_provider(cat, l->id))
    return refuse(&a->c, EXIT_USAGE,
                  "a provider %s is already installed (`ws2ctl remove %s` "
                  "first)",
                  guid_text(l->id, g), g);
  for (i = 0; i < cat->nentries; i++) {
    const WSAPROTOCOL_INFOW *e = &cat->entries[i].info;
    if (e->ProtocolChain.ChainLen == LAYERED_PROTOCOL &&
        wcs_len(e->szProtocol, WSAPROTOCOL_LEN) == l->name_len &&
        memcmp(e->szProtocol, l->name, l->name_len * sizeof(WCHAR)) == 0)
      return refuse(&a->c, EXIT_USAGE,
                    "a layer named \"%s\" is already installed (catalog id "
                    "%lu)",
                    a->name, (unsigned long)e->dwCatalogEntryId);
  }
  if (l->over) {
    for (j = 0; j < l->nover; j++) {
      const ws2__cat_entry_t *e = ws2__catalog_find_id(cat, l->over[j]);
      if (!e)
        return refuse(&a->c, EXIT_NOT_FOUND, "no entry with catalog id %lu",
                      (unsigned long)l->over[j]);
      if (e->info.ProtocolChain.ChainLen == LAYERED_PROTOCOL)
        return refuse(&a->c, EXIT_USAGE,
                      "entry %lu is a layer's hidden entry: layer over a base "
                      "entry or a chain",
                      (unsigned long)l->over[j]);
      if (e->info.ProtocolChain.ChainLen >= MAX_PROTOCOL_CHAIN)
        return refuse(&a->c, EXIT_USAGE,
                      "entry %lu's chain has %d links already, the most "
                      "there can be (MAX_PROTOCOL_CHAIN)",
                      (unsigned long)l->over[j], MAX_PROTOCOL_CHAIN);
    }
  } else {
    for (i = 0; i < cat->nentries; i++)
      if (cat->entries[i].info.ProtocolChain.ChainLen == BASE_PROTOCOL) break;
    if (i == cat->nentries)
      return refuse(&a->c, EXIT_NOT_FOUND,
                    "no base provider entry to layer over");
  }
  for (i = 0, j = 0; i < cat->nentries; i++)
    if (cat->entries[i].info.ProtocolChain.ChainLen == BASE_PROTOCOL) j++;
  if (cat->nentries + (l->over ? l->nover : j) + 1 > WS2__CATALOG_MAX_ENTRIES)
    return refuse(&a->c, EXIT_USAGE,
                  "the catalog would have more than %d entries",
                  WS2__CATALOG_MAX_ENTRIES);
  if (a->position_given_n && a->position > cat->nentries)
    return refuse(&a->c, EXIT_USAGE,
                  "position %zu is past the end of the catalog (%zu entries; "
                  "the last position is %zu, or say bottom)",
                  a->position + 1, cat->nentries, cat->nentries + 1);
  l->at = a->position;
  return ws2__catalog_install_layer(cat, l);
}

static int cmd_install(int argc, char **argv) {
  install_ctx_t a;
  const char *name = NULL, *path = NULL, *guid = NULL, *over = NULL,
             *position = "top";
  int over_all = 0, ifs = 0, i, r;
  DWORD *ids = NULL;
  size_t nids = 0;
  WCHAR *wname = NULL, *wpath = NULL;
  size_t wname_len = 0, wpath_len = 0;
  GUID id;
  ws2__catalog_t *cat;
  struct stat sb;
  char g[39];

  memset(&a, 0, sizeof(a));
  for (i = 1; i < argc; i++) {
    const char *o = argv[i];
    const char **dst = strcmp(o, "--name") == 0       ? &name
                       : strcmp(o, "--path") == 0     ? &path
                       : strcmp(o, "--guid") == 0     ? &guid
                       : strcmp(o, "--over") == 0     ? &over
                       : strcmp(o, "--position") == 0 ? &position
                                                      : NULL;
    if (dst) {
      if (i + 1 >= argc) return usage("install: %s needs a value", o);
      *dst = argv[++i];
    } else if (strcmp(o, "--over-all") == 0) {
      over_all = 1;
    } else if (strcmp(o, "--ifs") == 0) {
      ifs = 1;
    } else {
      return usage("install: unknown argument '%s'", o);
    }
  }
  if (!name || !path || !guid)
    return usage("install: --name, --path and --guid are required");
  if (over && over_all)
    return usage("install: --over and --over-all exclude each other");
  if (!parse_guid(guid, &id))
    return usage(
        "install: '%s' is not a GUID "
        "({XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX})",
        guid);
  {
    static const GUID zero;
    if (guid_eq(&id, &zero)) return usage("install: the GUID may not be 0");
  }
  if (!(wname = wide_of(name, &wname_len)) || wname_len == 0 ||
      wname_len > WSAPROTOCOL_LEN) {
    free(wname);
    return usage("install: the name must be 1 to %d characters of UTF-8",
                 WSAPROTOCOL_LEN);
  }
  if (!(wpath = wide_of(path, &wpath_len)) || wpath_len == 0 ||
      wpath_len > WS2__CATALOG_MAX_PATH) {
    free(wname);
    free(wpath);
    return usage("install: the path must be 1 to %d characters of UTF-8",
                 WS2__CATALOG_MAX_PATH);
  }
  free(wpath);
  if (strcmp(position, "top") == 0) {
    a.position = 0;
  } else if (strcmp(position, "bottom") == 0) {
    a.position = SIZE_MAX;
  } else {
    DWORD n;
    if (!parse_id(position, &n)) {
      free(wname);
      return usage(
          "install: --position takes top, bottom or a position "
          "from 1 (the top)");
    }
    a.position = (size_t)n - 1;
    a.position_given_n = 1;
  }
  if (over) {
    const char *p = over;
    ids = calloc(strlen(over) / 2 + 2, sizeof(*ids));
    while (ids && *p) {
      char num[16];
      size_t n = strcspn(p, ",");
      if (n == 0 || n >= sizeof(num)) break;
      memcpy(num, p, n);
      num[n] = 0;
      if (!parse_id(num, &ids[nids])) break;
      nids++;
      p += n;
      if (*p == ',' && *++p == 0) break;
    }
    if (!ids || *p || !nids) {
      free(ids);
      free(wname);
      return usage(
          "install: --over takes catalog ids separated by commas, "
          "such as --over 1001,1004");
    }
  }

  a.name = name;
  a.layer.id = &id;
  a.layer.path = path;
  a.layer.name = wname;
  a.layer.name_len = wname_len;
  a.layer.ifs = ifs ? XP1_IFS_HANDLES : 0;
  a.layer.over = ids;
  a.layer.nover = nids;
  r = change(install_edit, &a.c);
  free(ids);
  free(wname);
  if (r != EXIT_OK) return r;

  /* What was installed, as the file now has it. */
  printf("installed the %s layer \"%s\" %s, path %s\n", ifs ? "IFS" : "non-IFS",
         name, guid_text(&id, g), path);
  if (load(&cat) == EXIT_OK) {
    name_buf_t nb;
    size_t k;
    printf("  layered entry %lu (hidden)\n", (unsigned long)a.layer.dummy_id);
    for (k = 0; k < cat->nentries; k++) {
      const WSAPROTOCOL_INFOW *e = &cat->entries[k].info;
      if (e->ProtocolChain.ChainLen >= 2 &&
          e->ProtocolChain.ChainEntries[0] == a.layer.dummy_id)
        printf("  chain %lu \"%s\" at position %zu\n",
               (unsigned long)e->dwCatalogEntryId, name_of(e, &nb), k + 1);
    }
  }
  ws2__catalog_release(cat);
  if (strncmp(path, "builtin:", 8) != 0) {
    if (path[0] != '/')
      warning(
          "%s is not an absolute path: each process looks for it from "
          "its own working directory or the library path",
          path);
    else if (stat(path, &sb) != 0)
      warning(
          "%s does not exist (%s): `ws2ctl check` reports its chains "
          "as failing until it does",
          path, strerror(errno));
  }
  return EXIT_OK;
}

/* ---- remove ---- */

typedef struct remove_ctx {
  edit_ctx_t c;
  const char *what; /* the argument */
  GUID id;
  int by_guid;
  char name[WSAPROTOCOL_LEN * 3 + 1]; /* the layer's name, when known */
  size_t removed;
  /* Other layers' chains that went through it: */
  char mended[4096];
} remove_ctx_t;

static void note(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(char *buf, size_t size, const char *fmt, ...) {
  size_t n = strlen(buf);
  va_list ap;
  if (n + 1 >= size) return;
  va_start(ap, fmt);
  vsnprintf(buf + n, size - n, fmt, ap);
  va_end(ap);
}

static int remove_edit(ws2__catalog_t *cat, void *arg) {
  remove_ctx_t *a = arg;
  DWORD *gone;
  size_t ngone = 0, i, j;
  name_buf_t nb;
  char g[39];
  int r;

  if (!a->by_guid) {
    /* A layer's name: the name of its hidden entry. */
    size_t wn;
    WCHAR *w = wide_of(a->what, &wn);
    int found = 0;
    if (!w) return refuse(&a->c, EXIT_USAGE, "'%s' is not UTF-8", a->what);
    for (i = 0; i < cat->nentries; i++) {
      const WSAPROTOCOL_INFOW *e = &cat->entries[i].info;
      if (e->ProtocolChain.ChainLen != LAYERED_PROTOCOL ||
          wcs_len(e->szProtocol, WSAPROTOCOL_LEN) != wn ||
          memcmp(e->szProtocol, w, wn * sizeof(WCHAR)) != 0)
        continue;
      if (found && !guid_eq(&a->id, &e->ProviderId)) {
        free(w);
        return refuse(&a->c, EXIT_USAGE,
                      "more than one layer is named \"%s\": remove it by "
                      "GUID (`ws2ctl catalog` shows them)",
                      a->what);
      }
      a->id = e->ProviderId;
      found = 1;
    }
    free(w);
    if (!found)
      return refuse(&a->c, EXIT_NOT_FOUND,
                    "no layer named \"%s\" (`ws2ctl catalog` lists the "
                    "layers: Entry Type \"Layered Provider\")",
                    a->what);
  }
  for (i = 0; i < cat->nentries; i++)
    if (guid_eq(&cat->entries[i].info.ProviderId, &a->id)) break;
  if (i == cat->nentries)
    return refuse(&a->c, EXIT_NOT_FOUND, "no provider %s in the catalog",
                  guid_text(&a->id, g));
  if (!(gone = calloc(cat->nentries, sizeof(*gone))))
    return WSA_NOT_ENOUGH_MEMORY;
  for (i = 0; i < cat->nentries; i++) {
    const WSAPROTOCOL_INFOW *e = &cat->entries[i].info;
    if (!guid_eq(&e->ProviderId, &a->id)) continue;
    gone[ngone++] = e->dwCatalogEntryId;
    if (e->ProtocolChain.ChainLen == LAYERED_PROTOCOL || !a->name[0])
      snprintf(a->name, sizeof(a->name), "%s", name_of(e, &nb));
  }
  if ((r = ws2__catalog_remove_provider(cat, &a->id)) != 0) {
    free(gone);
    return r;
  }
  a->removed = ngone;
  a->mended[0] = 0;
  /*
   * Other entries whose chains went through it, as instlsp mends them:
   * an entry whose top (its own layer) or base went is removed too; one
   * that only passed through it keeps its place without it.
   */
  i = 0;
  while (i < cat->nentries) {
    WSAPROTOCOL_INFOW e = cat->entries[i].info;
    int len = e.ProtocolChain.ChainLen, k, out = 0, hit = 0, ends = 0;
    if (len < 2) {
      i++;
      continue;
    }
    for (k = 0; k < len && k < MAX_PROTOCOL_CHAIN; k++) {
      DWORD id = e.ProtocolChain.ChainEntries[k];
      for (j = 0; j < ngone && gone[j] != id; j++) {
      }
      if (j < ngone) {
        hit = 1;
        if (k == 0 || k == len - 1) ends = 1;
      } else {
        e.ProtocolChain.ChainEntries[out++] = id;
      }
    }
    if (!hit) {
      i++;
      continue;
    }
    if (ends || out < 2) {
      note(a->mended, sizeof(a->mended),
           "  removed chain %lu \"%s\": it was built on it\n",
           (unsigned long)e.dwCatalogEntryId, name_of(&e, &nb));
      ws2__catalog_remove_at(cat, i);
      continue;
    }
    for (k = out; k < MAX_PROTOCOL_CHAIN; k++)
      e.ProtocolChain.ChainEntries[k] = 0;
    e.ProtocolChain.ChainLen = out;
    ws2__catalog_replace(cat, i, &e);
    note(a->mended, sizeof(a->mended),
         "  chain %lu \"%s\" no longer goes through it\n",
         (unsigned long)e.dwCatalogEntryId, name_of(&e, &nb));
    i++;
  }
  free(gone);
  return 0;
}

static int cmd_remove(int argc, char **argv) {
  remove_ctx_t *a;
  char g[39];
  int r;
  if (argc != 2) return usage("remove takes one {GUID} or layer name");
  if (!(a = calloc(1, sizeof(*a)))) {
    error("out of memory");
    return EXIT_IO;
  }
  a->what = argv[1];
  a->by_guid = parse_guid(argv[1], &a->id);
  if (!a->by_guid && argv[1][0] == '{') {
    free(a);
    return usage("remove: '%s' is not a GUID", argv[1]);
  }
  r = change(remove_edit, &a->c);
  if (r == EXIT_OK) {
    printf("removed %s \"%s\": %zu entr%s\n", guid_text(&a->id, g), a->name,
           a->removed, a->removed == 1 ? "y" : "ies");
    fputs(a->mended, stdout);
  }
  free(a);
  return r;
}

/* ---- order ---- */

typedef struct order_ctx {
  edit_ctx_t c;
  DWORD *ids;
  size_t n;
} order_ctx_t;

static int order_edit(ws2__catalog_t *cat, void *arg) {
  order_ctx_t *a = arg;
  char missing[512] = "";
  size_t i, k;
  for (k = 0; k < a->n; k++) {
    if (!ws2__catalog_find_id(cat, a->ids[k]))
      return refuse(&a->c, EXIT_NOT_FOUND, "no entry with catalog id %lu",
                    (unsigned long)a->ids[k]);
    for (i = 0; i < k; i++)
      if (a->ids[i] == a->ids[k])
        return refuse(&a->c, EXIT_USAGE, "catalog id %lu is given twice",
                      (unsigned long)a->ids[k]);
  }
  for (i = 0; i < cat->nentries; i++) {
    DWORD id = cat->entries[i].info.dwCatalogEntryId;
    for (k = 0; k < a->n && a->ids[k] != id; k++) {
    }
    if (k == a->n) note(missing, sizeof(missing), " %lu", (unsigned long)id);
  }
  if (missing[0])
    return refuse(&a->c, EXIT_USAGE,
                  "the order must name every entry once (as "
                  "WSCWriteProviderOrder); missing:%s",
                  missing);
  return ws2__catalog_reorder(cat, a->ids, a->n);
}

static int cmd_order(int argc, char **argv) {
  order_ctx_t a;
  size_t k, max = 0;
  int i, r;
  memset(&a, 0, sizeof(a));
  if (argc < 2) return usage("order takes the catalog ids in their new order");
  /* "1001 1002", "1001,1002" or both: at most one id per two characters. */
  for (i = 1; i < argc; i++) max += strlen(argv[i]) / 2 + 1;
  if (!(a.ids = calloc(max, sizeof(*a.ids)))) {
    error("out of memory");
    return EXIT_IO;
  }
  for (i = 1; i < argc; i++) {
    const char *p = argv[i];
    while (*p) {
      char num[16];
      size_t n = strcspn(p, ", ");
      if (n == 0) {
        p++;
        continue;
      }
      if (n >= sizeof(num)) n = sizeof(num) - 1;
      memcpy(num, p, n);
      num[n] = 0;
      if (!parse_id(num, &a.ids[a.n])) {
        free(a.ids);
        return usage("order: '%s' is not a catalog id", num);
      }
      a.n++;
      p += strcspn(p, ", ");
    }
  }
  if (!a.n) {
    free(a.ids);
    return usage("order takes the catalog ids in their new order");
  }
  r = change(order_edit, &a.c);
  if (r == EXIT_OK) {
    printf("catalog order written:");
    for (k = 0; k < a.n; k++) printf(" %lu", (unsigned long)a.ids[k]);
    printf("\n");
  }
  free(a.ids);
  return r;
}

/* ---- reset ---- */

static int cmd_reset(int argc, char **argv) {
  int backed_up = 0, r;
  (void)argv;
  if (argc != 1) return usage("reset takes no arguments");
  r = ws2__catalog_reset(cat_file, &backed_up);
  if (r != 0) {
    if (r == WSAEINPROGRESS)
      error(
          "another writer has held the lock of %s for 10 s; nothing "
          "changed",
          cat_file);
    else
      error("could not reset %s (see above); nothing changed", cat_file);
    return EXIT_IO;
  }
  printf("reset %s to the built-in default catalog\n", cat_file);
  if (backed_up)
    printf("the previous catalog is kept as %s.bak\n", cat_file);
  else
    printf("there was no previous catalog file to keep\n");
  return EXIT_OK;
}

/* ---- exclude, include ---- */

typedef struct app_ctx {
  edit_ctx_t c;
  const char *path, *extra;
  int had;
  DWORD previous;
} app_ctx_t;

/* Exclusion: the application categorised with no permitted LSP category.
 * A categorised application loads a layer only when the layer has
 * categories and all of them are permitted, so none qualifies. */
static int exclude_edit(ws2__catalog_t *cat, void *arg) {
  app_ctx_t *a = arg;
  a->had = ws2__catalog_app_category(cat, a->path, a->extra, &a->previous);
  return ws2__catalog_set_app(cat, a->path, a->extra, 0);
}

/* Inclusion: no rule at all. An application without a category loads
 * every layer (a rule permitting every category would still keep out
 * layers without categories, and those without LSP_SYSTEM). */
static int include_edit(ws2__catalog_t *cat, void *arg) {
  app_ctx_t *a = arg;
  a->had = ws2__catalog_app_category(cat, a->path, a->extra, &a->previous);
  if (!ws2__catalog_remove_app(cat, a->path, a->extra))
    return refuse(&a->c, EXIT_NOT_FOUND,
                  "%s%s%s has no rule in the catalog: every layer is loaded "
                  "into it already",
                  a->path, *a->extra ? " with arguments " : "", a->extra);
  return 0;
}

static int cmd_app(int argc, char **argv, int exclude) {
  app_ctx_t a;
  size_t n;
  WCHAR *w;
  int i, r;
  memset(&a, 0, sizeof(a));
  a.extra = "";
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--args") == 0) {
      if (i + 1 >= argc) return usage("%s: --args needs a value", argv[0]);
      a.extra = argv[++i];
    } else if (!a.path && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
      a.path = argv[i];
    } else if (!a.path && strcmp(argv[i], "--") == 0 && i + 1 < argc) {
      a.path = argv[++i];
    } else {
      return usage("%s: unexpected argument '%s'", argv[0], argv[i]);
    }
  }
  if (!a.path) return usage("%s takes a PROGRAM (its path)", argv[0]);
  if (!(w = wide_of(a.path, &n)) || !n || n > WS2__CATALOG_MAX_PATH) {
    free(w);
    return usage("%s: PROGRAM must be 1 to %d characters of UTF-8", argv[0],
                 WS2__CATALOG_MAX_PATH);
  }
  free(w);
  if (!(w = wide_of(a.extra, &n)) || n > 32767) {
    free(w);
    return usage("%s: --args must be at most 32767 characters of UTF-8",
                 argv[0]);
  }
  free(w);
  r = change(exclude ? exclude_edit : include_edit, &a.c);
  if (r != EXIT_OK) return r;
  if (exclude) {
    printf(
        "excluded %s%s%s: no layered provider is loaded into it "
        "(permitted LSP categories 0",
        a.path, *a.extra ? " with arguments " : "", a.extra);
    if (a.had && a.previous) printf(", was 0x%08lx", (unsigned long)a.previous);
    printf(")\n");
  } else {
    printf(
        "included %s%s%s: its rule is removed, every layered provider is "
        "loaded into it\n",
        a.path, *a.extra ? " with arguments " : "", a.extra);
  }
  if (a.path[0] != '/')
    warning(
        "%s is not an absolute path: rules name a program by the path "
        "of its executable",
        a.path);
  return EXIT_OK;
}

/* ---- check ---- */

/*
 * How `check` loads a chain. For each entry that is not a layer's hidden
 * entry, the layers of its chain are the entries its chain names (for a
 * base entry, the entry itself); their paths are what would be loaded.
 * "builtin:ws2-base" is the base provider inside libws2 and is not loaded.
 * Every other layer is one step, run bottom-up (so that the first failure
 * found is the lowest) in a child process: dlopen(RTLD_NOW | RTLD_LOCAL),
 * dlsym("WSPStartup"), WSPStartup(2.2) with the entry's WSAPROTOCOL_INFOW
 * (the top of the chain, as ws2 passes it) and an upcall table of
 * check's own, then the WSPPROC_TABLE is checked for NULL entries and
 * WSPCleanup is called. The child reports each stage on a pipe; a child
 * that dies (a signal, exit) or hangs (killed after --timeout seconds) is
 * reported against the stage it was in, and a new child carries on with
 * the next layer. The child's stdout and stderr are kept and shown.
 *
 * The upcall table: libws2 exports no way to get its own table, and a
 * zeroed table is not safe (a layer calling an upcall while it starts
 * would jump to address 0 and be reported as crashing). So check passes
 * functions of its own: WPUGetProviderPath answers from the catalog (as
 * ws2's does), WPUQueryBlockingCallback says "no callback" (as ws2's
 * does), and every other upcall fails with WSAEOPNOTSUPP and is named in
 * the report, since a layer's failure after such a call may be check's
 * doing, not the layer's. The child runs with WS2_CATALOG set to the
 * catalog checked, so that a layer that finds its next layer with the
 * WSC* functions (through its own libws2) finds this catalog's.
 */

enum { RES_NONE, RES_OK, RES_FAIL };

typedef struct step_res {
  int state;
  char stage[16];     /* the stage reached */
  char message[1024]; /* what happened */
  char upcalls[256];  /* upcalls not provided that it called */
} step_res_t;

/* The child's side. */
static int child_fd = -1, child_step = -1;
static const ws2__catalog_t *child_cat;

static void child_say(char kind, int step, const char *text) {
  char line[1200];
  int n = snprintf(line, sizeof(line), "%c %d ", kind, step), k;
  for (k = 0; text[k] && n < (int)sizeof(line) - 2; k++)
    line[n++] = text[k] == '\n' ? ' ' : text[k];
  line[n++] = '\n';
  if (write(child_fd, line, (size_t)n) < 0) {
    /* the parent is gone: nothing to report to */
  }
}

static void child_unsupported(const char *upcall, LPINT lpErrno) {
  child_say('U', child_step, upcall);
  if (lpErrno) *lpErrno = WSAEOPNOTSUPP;
}

static BOOL WSPAPI up_close_event(WSAEVENT h, LPINT e) {
  (void)h;
  child_unsupported("WPUCloseEvent", e);
  return FALSE;
}
static int WSPAPI up_close_socket_handle(SOCKET s, LPINT e) {
  (void)s;
  child_unsupported("WPUCloseSocketHandle", e);
  return SOCKET_ERROR;
}
static WSAEVENT WSPAPI up_create_event(LPINT e) {
  child_unsupported("WPUCreateEvent", e);
  return WSA_INVALID_EVENT;
}
static SOCKET WSPAPI up_create_socket_handle(DWORD id, DWORD_PTR ctx, LPINT e) {
  (void)id;
  (void)ctx;
  child_unsupported("WPUCreateSocketHandle", e);
  return INVALID_SOCKET;
}
static int WSPAPI up_fd_is_set(SOCKET s, WS_fd_set *set) {
  (void)s;
  (void)set;
  child_unsupported("WPUFDIsSet", NULL);
  return 0;
}
/* As ws2's: the catalog's path (WSCGetProviderPath). */
static int WSPAPI up_get_provider_path(LPGUID id, WCHAR *buf, LPINT len,
                                       LPINT e) {
  const char *p;
  int need;
  if (!e) return SOCKET_ERROR;
  if (!id) {
    *e = WSAEINVAL;
    return SOCKET_ERROR;
  }
  if (!len) {
    *e = WSAEFAULT;
    return SOCKET_ERROR;
  }
  if (!(p = ws2__catalog_provider_path(child_cat, id))) {
    *e = WSAEINVAL;
    return SOCKET_ERROR;
  }
  need = MultiByteToWideChar(CP_UTF8, 0, p, -1, NULL, 0);
  if (!buf || *len < need) {
    *len = need;
    *e = WSAEFAULT;
    return SOCKET_ERROR;
  }
  MultiByteToWideChar(CP_UTF8, 0, p, -1, buf, need);
  *len = need;
  return 0;
}
static SOCKET WSPAPI up_modify_ifs_handle(DWORD id, SOCKET s, LPINT e) {
  (void)id;
  (void)s;
  child_unsupported("WPUModifyIFSHandle", e);
  return INVALID_SOCKET;
}
static BOOL WSPAPI up_post_message(HWND w, UINT m, WPARAM wp, LPARAM lp) {
  (void)w;
  (void)m;
  (void)wp;
  (void)lp;
  child_unsupported("WPUPostMessage", NULL);
  return FALSE;
}
/* As ws2's: Winsock 2.2 has no blocking hooks. */
static int WSPAPI up_query_blocking_callback(DWORD id, LPBLOCKINGCALLBACK *cb,
                                             PDWORD_PTR ctx, LPINT e) {
  (void)id;
  if (!cb || !ctx) {
    if (e) *e = WSAEFAULT;
    return SOCKET_ERROR;
  }
  *cb = NULL;
  *ctx = 0;
  return 0;
}
static int WSPAPI up_query_socket_handle_context(SOCKET s, PDWORD_PTR ctx,
                                                 LPINT e) {
  (void)s;
  (void)ctx;
  child_unsupported("WPUQuerySocketHandleContext", e);
  return SOCKET_ERROR;
}
static int WSPAPI up_queue_apc(LPWSATHREADID t, LPWSAUSERAPC fn, DWORD_PTR ctx,
                               LPINT e) {
  (void)t;
  (void)fn;
  (void)ctx;
  child_unsupported("WPUQueueApc", e);
  return SOCKET_ERROR;
}
static BOOL WSPAPI up_reset_event(WSAEVENT h, LPINT e) {
  (void)h;
  child_unsupported("WPUResetEvent", e);
  return FALSE;
}
static BOOL WSPAPI up_set_event(WSAEVENT h, LPINT e) {
  (void)h;
  child_unsupported("WPUSetEvent", e);
  return FALSE;
}
static int WSPAPI up_open_current_thread(LPWSATHREADID t, LPINT e) {
  (void)t;
  child_unsupported("WPUOpenCurrentThread", e);
  return SOCKET_ERROR;
}
static int WSPAPI up_close_thread(LPWSATHREADID t, LPINT e) {
  (void)t;
  child_unsupported("WPUCloseThread", e);
  return SOCKET_ERROR;
}

static const WSPUPCALLTABLE check_upcalls = {
    .lpWPUCloseEvent = up_close_event,
    .lpWPUCloseSocketHandle = up_close_socket_handle,
    .lpWPUCreateEvent = up_create_event,
    .lpWPUCreateSocketHandle = up_create_socket_handle,
    .lpWPUFDIsSet = up_fd_is_set,
    .lpWPUGetProviderPath = up_get_provider_path,
    .lpWPUModifyIFSHandle = up_modify_ifs_handle,
    .lpWPUPostMessage = up_post_message,
    .lpWPUQueryBlockingCallback = up_query_blocking_callback,
    .lpWPUQuerySocketHandleContext = up_query_socket_handle_context,
    .lpWPUQueueApc = up_queue_apc,
    .lpWPUResetEvent = up_reset_event,
    .lpWPUSetEvent = up_set_event,
    .lpWPUOpenCurrentThread = up_open_current_thread,
    .lpWPUCloseThread = up_close_thread,
};

static const char *const proc_names[30] = {
    "WSPAccept",
    "WSPAddressToString",
    "WSPAsyncSelect",
    "WSPBind",
    "WSPCancelBlockingCall",
    "WSPCleanup",
    "WSPCloseSocket",
    "WSPConnect",
    "WSPDuplicateSocket",
    "WSPEnumNetworkEvents",
    "WSPEventSelect",
    "WSPGetOverlappedResult",
    "WSPGetPeerName",
    "WSPGetSockName",
    "WSPGetSockOpt",
    "WSPGetQOSByName",
    "WSPIoctl",
    "WSPJoinLeaf",
    "WSPListen",
    "WSPRecv",
    "WSPRecvDisconnect",
    "WSPRecvFrom",
    "WSPSelect",
    "WSPSend",
    "WSPSendDisconnect",
    "WSPSendTo",
    "WSPSetSockOpt",
    "WSPShutdown",
    "WSPSocket",
    "WSPStringToAddress",
};

/* One layer, in the child: dlopen, dlsym, WSPStartup, the table,
 * WSPCleanup. */
static void child_step_run(int step, const char *path,
                           const WSAPROTOCOL_INFOW *top) {
  char msg[1024];
  LPWSPSTARTUP start;
  WSPPROC_TABLE procs;
  WSAPROTOCOL_INFOW info = *top;
  WSPDATA data;
  void *h, *sym;
  int err, k, nnull = 0;

  child_step = step;
  child_say('S', step, "dlopen");
  dlerror();
  if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
    const char *d = dlerror();
    snprintf(msg, sizeof(msg), "F cannot load it: %s", d ? d : "dlopen failed");
    child_say('R', step, msg);
    return;
  }
  child_say('S', step, "dlsym");
  dlerror();
  sym = dlsym(h, "WSPStartup");
  if (!sym) {
    const char *d = dlerror();
    snprintf(msg, sizeof(msg),
             "F it exports no WSPStartup, the one function a provider must "
             "export (%s)",
             d ? d : "dlsym found nothing");
    child_say('R', step, msg);
    return;
  }
  memcpy(&start, &sym, sizeof(start));
  child_say('S', step, "WSPStartup");
  memset(&data, 0, sizeof(data));
  memset(&procs, 0, sizeof(procs));
  err = start(MAKEWORD(2, 2), &data, &info, check_upcalls, &procs);
  if (err != 0) {
    const char *n = wsa_error_name(err);
    snprintf(msg, sizeof(msg), "F WSPStartup failed with error %d%s%s", err,
             n ? " " : "", n ? n : "");
    child_say('R', step, msg);
    return;
  }
  {
    void *const *p = (void *const *)&procs;
    char names[600] = "";
    for (k = 0; k < 30; k++)
      if (!p[k]) {
        nnull++;
        note(names, sizeof(names), " %s", proc_names[k]);
      }
    if (nnull) {
      snprintf(msg, sizeof(msg),
               "F WSPStartup succeeded but left %d of the 30 WSPPROC_TABLE "
               "entries NULL (Windows refuses such a provider, "
               "WSAEINVALIDPROCTABLE):%s",
               nnull, names);
      child_say('R', step, msg);
      return;
    }
  }
  if (LOBYTE(data.wVersion) != 2) {
    snprintf(msg, sizeof(msg),
             "F WSPStartup asks for Winsock SPI version %d.%d; ws2 offers 2.2",
             LOBYTE(data.wVersion), HIBYTE(data.wVersion));
    child_say('R', step, msg);
    return;
  }
  child_say('S', step, "WSPCleanup");
  err = 0;
  if (procs.lpWSPCleanup(&err) != 0) {
    const char *n = wsa_error_name(err);
    snprintf(msg, sizeof(msg), "F WSPCleanup failed with error %d%s%s", err,
             n ? " " : "", n ? n : "");
    child_say('R', step, msg);
    return;
  }
  snprintf(msg, sizeof(msg), "O WSPStartup: SPI version %d.%d",
           LOBYTE(data.wVersion), HIBYTE(data.wVersion));
  child_say('R', step, msg);
}

/* Parses the child's report lines in buf (len bytes), keeping a partial
 * last line. */
static void parse_reports(char *buf, size_t *len, step_res_t *res, int nsteps) {
  char *p = buf, *nl;
  while ((nl = memchr(p, '\n', *len - (size_t)(p - buf))) != NULL) {
    char kind = p[0];
    char *text;
    long step;
    *nl = 0;
    step = strtol(p + 2, &text, 10);
    if (*text == ' ') text++;
    if (step >= 0 && step < nsteps && p[1] == ' ') {
      step_res_t *r = &res[step];
      if (kind == 'S') {
        snprintf(r->stage, sizeof(r->stage), "%s", text);
      } else if (kind == 'U') {
        if (!strstr(r->upcalls, text))
          note(r->upcalls, sizeof(r->upcalls), "%s%s",
               r->upcalls[0] ? ", " : "", text);
      } else if (kind == 'R' && (text[0] == 'O' || text[0] == 'F')) {
        r->state = text[0] == 'O' ? RES_OK : RES_FAIL;
        snprintf(r->message, sizeof(r->message), "%s",
                 text[1] == ' ' ? text + 2 : text + 1);
      }
    }
    p = nl + 1;
  }
  *len -= (size_t)(p - buf);
  memmove(buf, p, *len);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Runs steps first..nsteps-1 in one child. Returns how the child ended:
 * *how is 0 (exited with *code), 1 (killed by signal *code), 2 (timed
 * out). Its output is appended to out.
 */
static int run_child(const char *const *paths, const WSAPROTOCOL_INFOW *top,
                     int first, int nsteps, step_res_t *res, double timeout,
                     int *how, int *code, char *out, size_t outsize) {
  int fds[2], status = 0, done = 0, eof = 0;
  char buf[8192];
  size_t len = 0;
  FILE *capture = tmpfile();
  double deadline;
  pid_t pid, parent;

  if (!capture || pipe(fds) != 0) {
    if (capture) fclose(capture);
    return -1;
  }
  fflush(stdout);
  fflush(stderr);
  parent = getpid();
  pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    fclose(capture);
    return -1;
  }
  if (pid == 0) {
    static const int sigs[] = {SIGSEGV, SIGBUS,  SIGFPE,
                               SIGILL,  SIGABRT, SIGPIPE};
    size_t s;
    int k, devnull;
    /* Its own process group, so that a timeout kills what a provider
     * started too; and dead with ws2ctl, which its group no longer
     * shares a terminal's ^C with. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    /* A crash is the child's death by its signal, whatever handlers
     * (a sanitizer's) the parent had. */
    for (s = 0; s < sizeof(sigs) / sizeof(sigs[0]); s++)
      signal(sigs[s], SIG_DFL);
    close(fds[0]);
    child_fd = fds[1];
    devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
      dup2(devnull, 0);
      close(devnull);
    }
    dup2(fileno(capture), 1);
    dup2(fileno(capture), 2);
    /* What a provider prints survives its crash. */
    setvbuf(stdout, NULL, _IONBF, 0);
    setenv("WS2_CATALOG", cat_file, 1);
    for (k = first; k < nsteps; k++) child_step_run(k, paths[k], top);
    _exit(0);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  deadline = now_s() + timeout;
  *how = 0;
  *code = 0;
  while (!done) {
    if (!eof) {
      struct pollfd pfd = {fds[0], POLLIN, 0};
      poll(&pfd, 1, 50);
      for (;;) {
        ssize_t n;
        if (len >= sizeof(buf) - 1) len = 0; /* a line too long: dropped */
        n = read(fds[0], buf + len, sizeof(buf) - 1 - len);
        if (n > 0) {
          len += (size_t)n;
          parse_reports(buf, &len, res, nsteps);
          continue;
        }
        if (n == 0) eof = 1;
        break;
      }
    } else {
      struct timespec pause = {0, 10000000};
      nanosleep(&pause, NULL);
    }
    /* Done when the child has exited, even if something it started still
     * holds the pipe; killed (with its process group) at the deadline. */
    if (waitpid(pid, &status, WNOHANG) == pid) {
      done = 1;
    } else if (now_s() >= deadline) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      *how = 2;
      done = 1;
    }
  }
  /* Whatever the child said before it went. */
  for (;;) {
    ssize_t n;
    if (len >= sizeof(buf) - 1) len = 0;
    n = read(fds[0], buf + len, sizeof(buf) - 1 - len);
    if (n <= 0) break;
    len += (size_t)n;
    parse_reports(buf, &len, res, nsteps);
  }
  close(fds[0]);
  if (*how != 2) {
    if (WIFSIGNALED(status)) {
      *how = 1;
      *code = WTERMSIG(status);
    } else {
      *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
  }
  {
    size_t have = strlen(out), got;
    rewind(capture);
    if (have + 1 < outsize) {
      got = fread(out + have, 1, outsize - 1 - have, capture);
      out[have + got] = 0;
    }
  }
  fclose(capture);
  return 0;
}

typedef struct check_totals {
  size_t entries, failing, non_ifs;
} check_totals_t;

/* A layer of a chain, for the report. */
typedef struct chain_layer {
  DWORD id;
  const ws2__cat_entry_t *e; /* NULL: not in the catalog */
  int step;                  /* its step, or -1 (builtin or broken) */
} chain_layer_t;

static void print_output(const char *out) {
  const char *p = out;
  int lines = 0;
  if (!*out) return;
  printf("    output of the check process:\n");
  while (*p && lines < 20) {
    size_t n = strcspn(p, "\n");
    printf("    | %.*s\n", (int)n, p);
    p += n;
    if (*p) p++;
    lines++;
  }
  if (*p) printf("    | ...\n");
}

static void check_entry(const ws2__catalog_t *cat, size_t pos, double timeout,
                        check_totals_t *t) {
  const ws2__cat_entry_t *ce = &cat->entries[pos];
  const WSAPROTOCOL_INFOW *e = &ce->info;
  chain_layer_t layers[MAX_PROTOCOL_CHAIN];
  const char *paths[MAX_PROTOCOL_CHAIN];
  step_res_t res[MAX_PROTOCOL_CHAIN];
  char problems[2048] = "", out[4096] = "";
  int nlayers = e->ProtocolChain.ChainLen, nsteps = 0, k, failed = 0;
  int non_ifs = 0;
  name_buf_t nb, nb2;

  if (nlayers < 1 || nlayers > MAX_PROTOCOL_CHAIN) nlayers = 1;
  memset(res, 0, sizeof(res));
  t->entries++;
  /* The chain's layers, top first, and their structure. */
  for (k = 0; k < nlayers; k++) {
    chain_layer_t *l = &layers[k];
    l->id = e->ProtocolChain.ChainLen == BASE_PROTOCOL
                ? e->dwCatalogEntryId
                : e->ProtocolChain.ChainEntries[k];
    l->e = ws2__catalog_find_id(cat, l->id);
    l->step = -1;
    if (!l->e) {
      note(problems, sizeof(problems),
           "    FAIL: link %d of the chain, catalog id %lu, is not in the "
           "catalog (`ws2ctl remove` the layer that made the chain, or "
           "reinstall the missing one)\n",
           k + 1, (unsigned long)l->id);
      failed = 1;
      continue;
    }
    if (nlayers > 1 && k < nlayers - 1 &&
        l->e->info.ProtocolChain.ChainLen != LAYERED_PROTOCOL) {
      note(problems, sizeof(problems),
           "    FAIL: link %d of the chain, entry %lu, is not a layer's "
           "hidden entry (ChainLen %d)\n",
           k + 1, (unsigned long)l->id, l->e->info.ProtocolChain.ChainLen);
      failed = 1;
    }
    if (nlayers > 1 && k == nlayers - 1 &&
        l->e->info.ProtocolChain.ChainLen != BASE_PROTOCOL) {
      note(problems, sizeof(problems),
           "    FAIL: the chain ends on entry %lu, which is not a base "
           "provider entry (ChainLen %d)\n",
           (unsigned long)l->id, l->e->info.ProtocolChain.ChainLen);
      failed = 1;
    }
  }
  /* Steps: the layers to load, bottom-up. */
  for (k = nlayers - 1; k >= 0; k--) {
    if (!layers[k].e || strncmp(layers[k].e->path, "builtin:", 8) == 0)
      continue;
    layers[k].step = nsteps;
    paths[nsteps++] = layers[k].e->path;
  }
  if (nsteps) {
    int first = 0;
    while (first < nsteps) {
      int how, code, j;
      if (run_child(paths, e, first, nsteps, res, timeout, &how, &code, out,
                    sizeof(out)) != 0) {
        for (j = first; j < nsteps; j++) {
          res[j].state = RES_FAIL;
          snprintf(res[j].message, sizeof(res[j].message),
                   "ws2ctl could not start a check process: %s",
                   strerror(errno));
        }
        break;
      }
      for (j = first; j < nsteps && res[j].state != RES_NONE; j++) {
      }
      if (j == nsteps) break;
      res[j].state = RES_FAIL;
      if (how == 2)
        snprintf(res[j].message, sizeof(res[j].message),
                 "did not return from %s within %g s (the check process was "
                 "killed)",
                 res[j].stage[0] ? res[j].stage : "loading", timeout);
      else if (how == 1)
        snprintf(res[j].message, sizeof(res[j].message),
                 "crashed in %s: the check process died of signal %d (%s)",
                 res[j].stage[0] ? res[j].stage : "loading", code,
                 strsignal(code));
      else
        snprintf(res[j].message, sizeof(res[j].message),
                 "ended the check process in %s (exit status %d)",
                 res[j].stage[0] ? res[j].stage : "loading", code);
      first = j + 1;
    }
  }

  /* The report: a line for the entry, one per layer, top first. */
  for (k = 0; k < nsteps; k++)
    if (res[k].state == RES_FAIL) failed = 1;
  for (k = 0; k < nlayers; k++)
    if (layers[k].e && layers[k].step < 0 &&
        strcmp(layers[k].e->path, WS2__CATALOG_BASE_PATH) != 0)
      failed = 1; /* an unknown built-in provider */
  for (k = 0; k < nlayers; k++)
    if (layers[k].e && !(layers[k].e->info.dwServiceFlags1 & XP1_IFS_HANDLES))
      non_ifs = 1;
  if (!(e->dwServiceFlags1 & XP1_IFS_HANDLES)) non_ifs = 1;
  printf("%-4s  %lu %s [%s]\n", failed ? "FAIL" : "OK",
         (unsigned long)e->dwCatalogEntryId, name_of(e, &nb), entry_kind(e));
  fputs(problems, stdout);
  for (k = 0; k < nlayers; k++) {
    const chain_layer_t *l = &layers[k];
    if (!l->e) continue;
    printf("    %s %lu \"%s\" %s: ",
           nlayers == 1       ? "provider"
           : k == 0           ? "top layer"
           : k == nlayers - 1 ? "base"
                              : "layer",
           (unsigned long)l->id, name_of(&l->e->info, &nb2), l->e->path);
    if (l->step < 0) {
      if (strcmp(l->e->path, WS2__CATALOG_BASE_PATH) == 0) {
        printf(
            "OK (the base provider built into libws2; not loaded by "
            "check)\n");
      } else {
        printf(
            "FAIL: no built-in provider has this name (the one there is "
            "is %s)\n",
            WS2__CATALOG_BASE_PATH);
      }
      continue;
    }
    {
      const step_res_t *r = &res[l->step];
      /* Steps run bottom-up: a step below this one has a lower number. */
      int lower_failed = 0, s;
      for (s = 0; s < l->step; s++)
        if (res[s].state == RES_FAIL) lower_failed = 1;
      printf("%s: %s", r->state == RES_OK ? "OK" : "FAIL", r->message);
      if (r->state == RES_FAIL && lower_failed)
        printf(" (a layer below fails too)");
      printf("\n");
      if (r->upcalls[0])
        printf(
            "      it called upcalls that check does not provide (they "
            "failed with WSAEOPNOTSUPP): %s%s\n",
            r->upcalls,
            r->state == RES_FAIL
                ? "; the failure may be check's, not the layer's"
                : "");
    }
  }
  /* Non-IFS: the layers that say so, or else the entry itself. */
  if (non_ifs) {
    int named = 0;
    t->non_ifs++;
    for (k = 0; k < nlayers; k++)
      if (layers[k].e &&
          !(layers[k].e->info.dwServiceFlags1 & XP1_IFS_HANDLES)) {
        printf(
            "    non-IFS: %lu \"%s\" hands out non-IFS handles (no "
            "XP1_IFS_HANDLES)\n",
            (unsigned long)layers[k].id, name_of(&layers[k].e->info, &nb2));
        named = 1;
      }
    if (!named)
      printf(
          "    non-IFS: the entry's service flags 0x%08lx lack "
          "XP1_IFS_HANDLES (0x00020000)\n",
          (unsigned long)e->dwServiceFlags1);
  }
  print_output(out);
  if (failed) t->failing++;
}

static int cmd_check(int argc, char **argv) {
  ws2__catalog_t *cat;
  check_totals_t t;
  double timeout = 10;
  struct stat sb;
  size_t i, layers = 0;
  char *tmp;
  int r, k;

  memset(&t, 0, sizeof(t));
  for (k = 1; k < argc; k++) {
    if (strcmp(argv[k], "--timeout") == 0 && k + 1 < argc) {
      char *end;
      timeout = strtod(argv[++k], &end);
      if (*end || !(timeout > 0) || timeout > 3600)
        return usage(
            "check: --timeout takes seconds, more than 0, at most "
            "3600");
    } else {
      return usage("check: unknown argument '%s'", argv[k]);
    }
  }
  r = load(&cat);
  if (!cat) return r;
  if (r != EXIT_OK) {
    printf(
        "catalog %s: UNUSABLE (%s); see the messages above for the "
        "repair\n",
        cat_file, cat->status.message);
    ws2__catalog_release(cat);
    return r;
  }
  if (cat->origin == WS2__CAT_FROM_DEFAULT)
    printf(
        "catalog %s: no file; the built-in default serves (%zu "
        "entries)\n",
        cat_file, cat->nentries);
  else
    printf("catalog %s: usable (serial %lu, %zu entries, checksum good)\n",
           cat_file, (unsigned long)cat->serial, cat->nentries);
  if ((tmp = malloc(strlen(cat_file) + 5)) != NULL) {
    sprintf(tmp, "%s.tmp", cat_file);
    if (stat(tmp, &sb) == 0)
      printf(
          "note: %s is left from a writer that was interrupted; the next "
          "change replaces it\n",
          tmp);
    free(tmp);
  }
  child_cat = cat;
  for (i = 0; i < cat->nentries; i++) {
    const WSAPROTOCOL_INFOW *e = &cat->entries[i].info;
    if (e->ProtocolChain.ChainLen == LAYERED_PROTOCOL) {
      /* A layer: checked through its chains. Say so if it has none. */
      size_t j;
      name_buf_t nb;
      layers++;
      for (j = 0; j < cat->nentries; j++) {
        const WSAPROTOCOL_INFOW *c = &cat->entries[j].info;
        int m;
        for (m = 0; c->ProtocolChain.ChainLen > 1 &&
                    m < c->ProtocolChain.ChainLen && m < MAX_PROTOCOL_CHAIN;
             m++)
          if (c->ProtocolChain.ChainEntries[m] == e->dwCatalogEntryId) break;
        if (c->ProtocolChain.ChainLen > 1 && m < c->ProtocolChain.ChainLen)
          break;
      }
      if (j == cat->nentries)
        printf("note: layer %lu \"%s\" is in no chain: nothing uses it\n",
               (unsigned long)e->dwCatalogEntryId, name_of(e, &nb));
      continue;
    }
    check_entry(cat, i, timeout, &t);
  }
  child_cat = NULL;
  if (t.non_ifs)
    fputs(
        "\n"
        "non-IFS layers (KB 2568167). On Windows, a socket whose chain has a\n"
        "non-IFS layer loses completions once the application sets\n"
        "FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on it: the layer completes an\n"
        "operation that returned WSA_IO_PENDING with\n"
        "WPUCompleteOverlappedRequest, which the I/O manager counts as an\n"
        "immediate success, so no packet reaches the port and the\n"
        "application waits forever. ws2 itself does not lose them: an\n"
        "operation the application was told is pending always gets its\n"
        "packet (docs/ARCHITECTURE.md, \"The completion rule\");\n"
        "WS2_COMPAT=kb2568167 reproduces the loss on purpose. Programs\n"
        "written for Windows may still look for XP1_IFS_HANDLES (Go and\n"
        "libuv do) and give up skip-on-success, or refuse to run, when an\n"
        "entry lacks it.\n",
        stdout);
  printf(
      "\n%zu entr%s checked (%zu layer%s), %zu failing, %zu with "
      "non-IFS layers\n",
      t.entries, t.entries == 1 ? "y" : "ies", layers, layers == 1 ? "" : "s",
      t.failing, t.non_ifs);
  if (t.failing) {
    printf(
        "fix the layers marked FAIL, or take them out with `ws2ctl "
        "remove`: a process cannot use a failing entry's chain\n");
    fflush(stdout);
    error(
        "check: %zu of %zu entr%s fail%s (the report above says which "
        "layer and why)",
        t.failing, t.entries, t.entries == 1 ? "y" : "ies",
        t.failing == 1 ? "s" : "");
  }
  ws2__catalog_release(cat);
  return t.failing ? EXIT_CHECK_FAILED : EXIT_OK;
}

/* ---- main ---- */

int main(int argc, char **argv) {
  static char *args[4096];
  const char *cmd, *catalog = NULL;
  int n = 0, i, r;

  ws2__catalog_log_to(log_sink);
  if (argc > (int)(sizeof(args) / sizeof(args[0]))) {
    error("too many arguments");
    return EXIT_USAGE;
  }
  /* --catalog FILE, wherever it is. */
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--catalog") == 0) {
      if (i + 1 >= argc) return usage("--catalog needs a FILE");
      catalog = argv[++i];
    } else if (strncmp(argv[i], "--catalog=", 10) == 0) {
      catalog = argv[i] + 10;
    } else {
      args[n++] = argv[i];
    }
  }
  if (catalog) {
    if (!*catalog) return usage("--catalog needs a FILE");
    /* Also what a process started by `check` reads. */
    setenv("WS2_CATALOG", catalog, 1);
  }
  cat_file = ws2__catalog_file();
  if (n == 0) return usage("no command given");
  cmd = args[0];
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
      strcmp(cmd, "-h") == 0) {
    fputs(usage_text, stdout);
    r = EXIT_OK;
  } else if (strcmp(cmd, "--version") == 0) {
    printf("ws2ctl (ws2) %s\n", WS2_VERSION_TEXT);
    r = EXIT_OK;
  } else if (strcmp(cmd, "catalog") == 0) {
    r = cmd_catalog(n, args);
  } else if (strcmp(cmd, "install") == 0) {
    r = cmd_install(n, args);
  } else if (strcmp(cmd, "remove") == 0) {
    r = cmd_remove(n, args);
  } else if (strcmp(cmd, "order") == 0) {
    r = cmd_order(n, args);
  } else if (strcmp(cmd, "reset") == 0) {
    r = cmd_reset(n, args);
  } else if (strcmp(cmd, "check") == 0) {
    r = cmd_check(n, args);
  } else if (strcmp(cmd, "exclude") == 0) {
    r = cmd_app(n, args, 1);
  } else if (strcmp(cmd, "include") == 0) {
    r = cmd_app(n, args, 0);
  } else {
    return usage("unknown command '%s'", cmd);
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    error("writing the output: %s", strerror(errno));
    return EXIT_IO;
  }
  return r;
}
