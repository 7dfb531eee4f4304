/*
 * format.c: the catalog file's text form (ws2-catalog(5)).
 *
 *   # comment lines
 *   ws2-catalog 1
 *   serial 3
 *   next-id 1010
 *
 *   entry 1001
 *     name MSAFD Tcpip [TCP/IP]
 *     ...one line per WSAPROTOCOL_INFOW member...
 *   end
 *   provider {GUID}
 *     lsp-categories 0x00000001
 *   end
 *   app /usr/bin/server
 *     extra --instance a
 *     permitted 0x80000000
 *   end
 *   crc32 1a2b3c4d
 *
 * The last line is the CRC-32 of every byte before it. Text values (names,
 * paths) are UTF-8 with backslash escapes for control characters, the
 * backslash itself, and a space at either end.
 */
#include "catalog/internal.h"

#include "core/alloc.h"
#include "core/nls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- CRC-32 and GUIDs. ---- */

uint32_t ws2__catalog_crc32(uint32_t crc, const void *data, size_t len) {
  static uint32_t table[256];
  static int ready; /* with __atomic builtins (clang wants a plain int) */
  const unsigned char *p = data;
  if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
    uint32_t i, k, c;
    for (i = 0; i < 256; i++) {
      for (c = i, k = 0; k < 8; k++)
        c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      /* Every thread computes the same values: racing writers agree. */
      __atomic_store_n(&table[i], c, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
  }
  crc = ~crc;
  while (len--)
    crc = __atomic_load_n(&table[(crc ^ *p++) & 0xFF], __ATOMIC_RELAXED) ^
          (crc >> 8);
  return ~crc;
}

void ws2__catalog_guid_text(const GUID *id, char out[39]) {
  snprintf(out, 39, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
           (unsigned)id->Data1, id->Data2, id->Data3, id->Data4[0],
           id->Data4[1], id->Data4[2], id->Data4[3], id->Data4[4], id->Data4[5],
           id->Data4[6], id->Data4[7]);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* n hex digits at s into *v: 1 on success. */
static int hexn(const char *s, int n, uint32_t *v) {
  uint32_t x = 0;
  int i, d;
  for (i = 0; i < n; i++) {
    if ((d = hexval(s[i])) < 0) return 0;
    x = x << 4 | (uint32_t)d;
  }
  *v = x;
  return 1;
}

int ws2__catalog_guid_parse(const char *t, size_t len, GUID *id) {
  uint32_t v;
  int i;
  if (len != 38 || t[0] != '{' || t[37] != '}' || t[9] != '-' || t[14] != '-' ||
      t[19] != '-' || t[24] != '-')
    return 0;
  if (!hexn(t + 1, 8, &v)) return 0;
  id->Data1 = v;
  if (!hexn(t + 10, 4, &v)) return 0;
  id->Data2 = (unsigned short)v;
  if (!hexn(t + 15, 4, &v)) return 0;
  id->Data3 = (unsigned short)v;
  for (i = 0; i < 8; i++) {
    if (!hexn(t + (i < 2 ? 20 + 2 * i : 25 + 2 * (i - 2)), 2, &v)) return 0;
    id->Data4[i] = (unsigned char)v;
  }
  return 1;
}

/* ---- Writing. ---- */

typedef struct buf {
  char *p;
  size_t len, cap;
  int oom;
} buf_t;

static void put(buf_t *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    char *p;
    while (cap < b->len + n + 1) cap *= 2;
    if (!(p = ws2__realloc(b->p, cap))) {
      b->oom = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void putf(buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void putf(buf_t *b, const char *fmt, ...) {
  char line[256];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n > 0)
    put(b, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* A text value, escaped (see the top of the file). */
static void put_text(buf_t *b, const char *s) {
  size_t n = strlen(s), i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '\\')
      put(b, "\\\\", 2);
    else if (c == '\n')
      put(b, "\\n", 2);
    else if (c == '\t')
      put(b, "\\t", 2);
    else if (c == '\r')
      put(b, "\\r", 2);
    else if (c < 0x20 || c == 0x7F || (c == ' ' && (i == 0 || i == n - 1))) {
      snprintf(esc, sizeof(esc), "\\x%02x", c);
      put(b, esc, 4);
    } else {
      put(b, (const char *)&s[i], 1);
    }
  }
}

static void put_field_text(buf_t *b, const char *key, const char *value) {
  putf(b, "  %s", key);
  if (*value) {
    put(b, " ", 1);
    put_text(b, value);
  }
  put(b, "\n", 1);
}

static void put_entry(buf_t *b, const ws2__cat_entry_t *e) {
  const WSAPROTOCOL_INFOW *w = &e->info;
  char guid[39], name[4 * (WSAPROTOCOL_LEN + 1)];
  size_t n = 0, len;
  int i;
  for (len = 0; len < WSAPROTOCOL_LEN && w->szProtocol[len]; len++) {
  }
  /* Entries are checked when they are stored: this cannot fail. */
  if (ws2__utf16_to_utf8(w->szProtocol, len, name, sizeof(name) - 1, 0, &n,
                         NULL) != WS2__UTF_OK)
    n = 0;
  name[n] = 0;
  ws2__catalog_guid_text(&w->ProviderId, guid);
  putf(b, "\nentry %lu\n", (unsigned long)w->dwCatalogEntryId);
  put_field_text(b, "name", name);
  put_field_text(b, "path", e->path);
  putf(b, "  provider-id %s\n", guid);
  putf(b, "  service-flags 0x%08lx 0x%08lx 0x%08lx 0x%08lx\n",
       (unsigned long)w->dwServiceFlags1, (unsigned long)w->dwServiceFlags2,
       (unsigned long)w->dwServiceFlags3, (unsigned long)w->dwServiceFlags4);
  putf(b, "  provider-flags 0x%08lx\n", (unsigned long)w->dwProviderFlags);
  putf(b, "  chain %d", w->ProtocolChain.ChainLen);
  if (w->ProtocolChain.ChainLen > BASE_PROTOCOL)
    for (i = 0; i < w->ProtocolChain.ChainLen && i < MAX_PROTOCOL_CHAIN; i++)
      putf(b, " %lu", (unsigned long)w->ProtocolChain.ChainEntries[i]);
  put(b, "\n", 1);
  putf(b, "  version %d\n", w->iVersion);
  putf(b, "  address-family %d\n", w->iAddressFamily);
  putf(b, "  max-sockaddr %d\n", w->iMaxSockAddr);
  putf(b, "  min-sockaddr %d\n", w->iMinSockAddr);
  putf(b, "  socket-type %d\n", w->iSocketType);
  putf(b, "  protocol %d\n", w->iProtocol);
  putf(b, "  protocol-max-offset %d\n", w->iProtocolMaxOffset);
  putf(b, "  byte-order %d\n", w->iNetworkByteOrder);
  putf(b, "  security-scheme %d\n", w->iSecurityScheme);
  putf(b, "  message-size %lu\n", (unsigned long)w->dwMessageSize);
  putf(b, "  provider-reserved 0x%08lx\n",
       (unsigned long)w->dwProviderReserved);
  put(b, "end\n", 4);
}

static const char header[] =
    "# The ws2 protocol catalog: see ws2-catalog(5). Change it with ws2ctl\n"
    "# or the WSC* functions. The last line is a CRC-32 of every byte\n"
    "# before it; a catalog whose CRC does not match is not used.\n";

char *ws2__catalog_format(const ws2__catalog_t *cat, size_t *len) {
  buf_t b = {NULL, 0, 0, 0};
  char guid[39];
  size_t i;
  put(&b, header, strlen(header));
  putf(&b, "ws2-catalog %d\n", WS2__CATALOG_VERSION);
  putf(&b, "serial %lu\n", (unsigned long)cat->serial);
  putf(&b, "next-id %lu\n", (unsigned long)cat->next_id);
  for (i = 0; i < cat->nentries; i++) put_entry(&b, &cat->entries[i]);
  for (i = 0; i < cat->nproviders; i++) {
    ws2__catalog_guid_text(&cat->providers[i].id, guid);
    putf(&b, "\nprovider %s\n", guid);
    putf(&b, "  lsp-categories 0x%08lx\n",
         (unsigned long)cat->providers[i].lsp_categories);
    put(&b, "end\n", 4);
  }
  for (i = 0; i < cat->napps; i++) {
    put(&b, "\napp ", 5);
    put_text(&b, cat->apps[i].path);
    put(&b, "\n", 1);
    if (cat->apps[i].extra[0]) put_field_text(&b, "extra", cat->apps[i].extra);
    putf(&b, "  permitted 0x%08lx\n", (unsigned long)cat->apps[i].permitted);
    put(&b, "end\n", 4);
  }
  put(&b, "\n", 1);
  if (!b.oom)
    putf(&b, "crc32 %08lx\n", (unsigned long)ws2__catalog_crc32(0, b.p, b.len));
  if (b.oom) {
    ws2__free(b.p);
    return NULL;
  }
  *len = b.len;
  return b.p;
}

/* ---- Reading. ---- */

typedef struct parser {
  const char *text;
  size_t len, pos;
  int line;
  ws2__cat_status_t *st;
} parser_t;

static int fail(parser_t *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(parser_t *p, int code, const char *fmt, ...) {
  va_list ap;
  p->st->code = code;
  p->st->line = code == WS2__CAT_EFORMAT ? p->line : 0;
  va_start(ap, fmt);
  vsnprintf(p->st->message, sizeof(p->st->message), fmt, ap);
  va_end(ap);
  return -1;
}

/* The next line (without its newline, a CR before it, or leading blanks);
 * 0 at the end. Comment and blank lines are skipped. */
static int next_line(parser_t *p, const char **s, size_t *n) {
  while (p->pos < p->len) {
    const char *start = p->text + p->pos, *nl;
    size_t rest = p->len - p->pos, len;
    nl = memchr(start, '\n', rest);
    len = nl ? (size_t)(nl - start) : rest;
    p->pos += len + (nl ? 1 : 0);
    p->line++;
    if (len && start[len - 1] == '\r') len--;
    while (len && (*start == ' ' || *start == '\t')) start++, len--;
    if (!len || *start == '#') continue;
    *s = start;
    *n = len;
    return 1;
  }
  return 0;
}

/* Splits a line into its key and value (after one space). */
static void split(const char *s, size_t n, const char **key, size_t *klen,
                  const char **val, size_t *vlen) {
  const char *sp = memchr(s, ' ', n);
  *key = s;
  *klen = sp ? (size_t)(sp - s) : n;
  *val = sp ? sp + 1 : s + n;
  *vlen = sp ? n - *klen - 1 : 0;
}

static int key_is(const char *k, size_t klen, const char *want) {
  return strlen(want) == klen && memcmp(k, want, klen) == 0;
}

/* A decimal integer in [lo, hi], the whole of s. */
static int parse_int(const char *s, size_t n, long long lo, long long hi,
                     long long *out) {
  long long v = 0;
  size_t i = 0;
  int neg = 0;
  if (n && s[0] == '-') neg = 1, i = 1;
  if (i == n || n - i > 12) return 0;
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (s[i] - '0');
  }
  if (neg) v = -v;
  if (v < lo || v > hi) return 0;
  *out = v;
  return 1;
}

/* 0x and 1 to 8 hex digits, the whole of s. */
static int parse_hex(const char *s, size_t n, DWORD *out) {
  uint32_t v;
  if (n < 3 || n > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return 0;
  if (!hexn(s + 2, (int)(n - 2), &v)) return 0;
  *out = v;
  return 1;
}

/* The next space-separated word of *s (advancing it). */
static int word(const char **s, size_t *n, const char **w, size_t *wlen) {
  const char *sp;
  while (*n && **s == ' ') (*s)++, (*n)--;
  if (!*n) return 0;
  sp = memchr(*s, ' ', *n);
  *w = *s;
  *wlen = sp ? (size_t)(sp - *s) : *n;
  *s += *wlen;
  *n -= *wlen;
  return 1;
}

/* Unescapes a text value into a new string (UTF-8, checked). 1, 0 for a
 * bad value, -1 without memory. */
static int parse_text(const char *s, size_t n, char **out) {
  char *d = ws2__malloc(n + 1);
  size_t i, k = 0, need;
  if (!d) return -1;
  for (i = 0; i < n; i++) {
    if (s[i] != '\\') {
      d[k++] = s[i];
      continue;
    }
    if (++i == n) goto bad;
    switch (s[i]) {
      case '\\':
        d[k++] = '\\';
        break;
      case 'n':
        d[k++] = '\n';
        break;
      case 't':
        d[k++] = '\t';
        break;
      case 'r':
        d[k++] = '\r';
        break;
      case 'x': {
        uint32_t v;
        if (i + 2 >= n || !hexn(s + i + 1, 2, &v) || v == 0) goto bad;
        d[k++] = (char)v;
        i += 2;
        break;
      }
      default:
        goto bad;
    }
  }
  d[k] = 0;
  if (memchr(d, 0, k) || ws2__utf8_to_utf16(d, k, NULL, 0, WS2__UTF_STRICT,
                                            &need, NULL) != WS2__UTF_OK)
    goto bad;
  *out = d;
  return 1;
bad:
  ws2__free(d);
  return 0;
}

/* Field bits of an entry block, to find missing and repeated ones. */
enum {
  F_NAME,
  F_PATH,
  F_GUID,
  F_SFLAGS,
  F_PFLAGS,
  F_CHAIN,
  F_VERSION,
  F_AF,
  F_MAXSA,
  F_MINSA,
  F_TYPE,
  F_PROTO,
  F_MAXOFF,
  F_ORDER,
  F_SEC,
  F_MSG,
  F_RES,
  F_COUNT
};
static const char *const field_names[F_COUNT] = {"name",
                                                 "path",
                                                 "provider-id",
                                                 "service-flags",
                                                 "provider-flags",
                                                 "chain",
                                                 "version",
                                                 "address-family",
                                                 "max-sockaddr",
                                                 "min-sockaddr",
                                                 "socket-type",
                                                 "protocol",
                                                 "protocol-max-offset",
                                                 "byte-order",
                                                 "security-scheme",
                                                 "message-size",
                                                 "provider-reserved"};

static int parse_entry(parser_t *p, ws2__catalog_t *cat, DWORD id) {
  WSAPROTOCOL_INFOW w;
  char *path = NULL;
  const char *s, *k, *v;
  size_t n, kl, vl;
  unsigned seen = 0;
  int f, r;
  long long x;
  ws2__cat_entry_t *grown;

  memset(&w, 0, sizeof(w));
  w.dwCatalogEntryId = id;
  for (;;) {
    if (!next_line(p, &s, &n)) {
      ws2__free(path);
      return fail(p, WS2__CAT_EFORMAT, "entry %lu has no \"end\" line",
                  (unsigned long)id);
    }
    if (n == 3 && memcmp(s, "end", 3) == 0) break;
    split(s, n, &k, &kl, &v, &vl);
    for (f = 0; f < F_COUNT; f++)
      if (key_is(k, kl, field_names[f])) break;
    if (f == F_COUNT || (seen & (1u << f))) {
      ws2__free(path);
      return fail(p, WS2__CAT_EFORMAT, "%s field \"%.*s\" in entry %lu",
                  f == F_COUNT ? "unknown" : "repeated",
                  (int)(kl > 40 ? 40 : kl), k, (unsigned long)id);
    }
    seen |= 1u << f;
    r = 1;
    switch (f) {
      case F_NAME: {
        char *name = NULL;
        size_t units = 0;
        r = parse_text(v, vl, &name);
        if (r < 0) {
          ws2__free(path);
          return WSA_NOT_ENOUGH_MEMORY;
        }
        if (r > 0 && (ws2__utf8_to_utf16(name, strlen(name), w.szProtocol,
                                         WSAPROTOCOL_LEN, WS2__UTF_STRICT,
                                         &units, NULL) != WS2__UTF_OK))
          r = 0;
        if (r > 0) w.szProtocol[units] = 0;
        ws2__free(name);
        break;
      }
      case F_PATH:
        r = parse_text(v, vl, &path);
        if (r < 0) return WSA_NOT_ENOUGH_MEMORY;
        if (r > 0 && !*path) r = 0;
        break;
      case F_GUID:
        r = ws2__catalog_guid_parse(v, vl, &w.ProviderId);
        break;
      case F_SFLAGS: {
        DWORD *dst[4] = {&w.dwServiceFlags1, &w.dwServiceFlags2,
                         &w.dwServiceFlags3, &w.dwServiceFlags4};
        const char *wd;
        size_t wl;
        int i;
        for (i = 0; i < 4 && r; i++)
          r = word(&v, &vl, &wd, &wl) && parse_hex(wd, wl, dst[i]);
        if (r && vl) r = 0;
        break;
      }
      case F_PFLAGS:
        r = parse_hex(v, vl, &w.dwProviderFlags);
        break;
      case F_CHAIN: {
        const char *wd;
        size_t wl;
        int i;
        int len;
        r = word(&v, &vl, &wd, &wl) &&
            parse_int(wd, wl, 0, MAX_PROTOCOL_CHAIN, &x);
        if (!r) break;
        len = w.ProtocolChain.ChainLen = (int)x;
        /* The ids of a chain; a base or layered entry lists none. */
        for (i = 0; r && len > BASE_PROTOCOL && i < len; i++) {
          r = word(&v, &vl, &wd, &wl) && parse_int(wd, wl, 1, 0xFFFFFFFFll, &x);
          if (r) w.ProtocolChain.ChainEntries[i] = (DWORD)x;
        }
        while (vl && *v == ' ') v++, vl--;
        if (vl) r = 0;
        break;
      }
      case F_MSG:
        r = parse_int(v, vl, 0, 0xFFFFFFFFll, &x);
        if (r) w.dwMessageSize = (DWORD)x;
        break;
      case F_RES:
        r = parse_hex(v, vl, &w.dwProviderReserved);
        break;
      default: {
        int *dst[] = {
            &w.iVersion,           &w.iAddressFamily,    &w.iMaxSockAddr,
            &w.iMinSockAddr,       &w.iSocketType,       &w.iProtocol,
            &w.iProtocolMaxOffset, &w.iNetworkByteOrder, &w.iSecurityScheme};
        r = parse_int(v, vl, -2147483647ll - 1, 2147483647ll, &x);
        if (r) *dst[f - F_VERSION] = (int)x;
        break;
      }
    }
    if (!r) {
      ws2__free(path);
      return fail(p, WS2__CAT_EFORMAT, "bad value of \"%s\" in entry %lu",
                  field_names[f], (unsigned long)id);
    }
  }
  if (seen != (1u << F_COUNT) - 1) {
    for (f = 0; f < F_COUNT && (seen & (1u << f)); f++) {
    }
    ws2__free(path);
    return fail(p, WS2__CAT_EFORMAT, "entry %lu has no \"%s\" field",
                (unsigned long)id, field_names[f]);
  }
  if (cat->nentries >= WS2__CATALOG_MAX_ENTRIES) {
    ws2__free(path);
    return fail(p, WS2__CAT_EFORMAT, "more than %d entries",
                WS2__CATALOG_MAX_ENTRIES);
  }
  grown = ws2__realloc(cat->entries, (cat->nentries + 1) * sizeof(*grown));
  if (!grown) {
    ws2__free(path);
    return WSA_NOT_ENOUGH_MEMORY;
  }
  cat->entries = grown;
  grown[cat->nentries].info = w;
  grown[cat->nentries].path = path;
  cat->nentries++;
  return 0;
}

static int parse_provider(parser_t *p, ws2__catalog_t *cat, const GUID *id) {
  const char *s, *k, *v;
  size_t n, kl, vl, i;
  DWORD cats = 0;
  int seen = 0;
  for (i = 0; i < cat->nproviders; i++)
    if (memcmp(&cat->providers[i].id, id, sizeof(*id)) == 0)
      return fail(p, WS2__CAT_EFORMAT, "a provider is listed twice");
  for (;;) {
    if (!next_line(p, &s, &n))
      return fail(p, WS2__CAT_EFORMAT, "a provider block has no \"end\" line");
    if (n == 3 && memcmp(s, "end", 3) == 0) break;
    split(s, n, &k, &kl, &v, &vl);
    if (!key_is(k, kl, "lsp-categories") || seen)
      return fail(p, WS2__CAT_EFORMAT,
                  "unknown or repeated field in a "
                  "provider block");
    if (!parse_hex(v, vl, &cats))
      return fail(p, WS2__CAT_EFORMAT, "bad value of \"lsp-categories\"");
    seen = 1;
  }
  if (!seen)
    return fail(p, WS2__CAT_EFORMAT,
                "a provider block has no "
                "\"lsp-categories\" field");
  return ws2__catalog_set_provider_categories(cat, id, cats)
             ? WSA_NOT_ENOUGH_MEMORY
             : 0;
}

static int parse_app(parser_t *p, ws2__catalog_t *cat, char *path) {
  const char *s, *k, *v;
  size_t n, kl, vl;
  char *extra = NULL;
  DWORD permitted = 0;
  int seen_extra = 0, seen_perm = 0, r;
  for (;;) {
    if (!next_line(p, &s, &n)) {
      r = fail(p, WS2__CAT_EFORMAT, "an app block has no \"end\" line");
      goto out;
    }
    if (n == 3 && memcmp(s, "end", 3) == 0) break;
    split(s, n, &k, &kl, &v, &vl);
    if (key_is(k, kl, "extra") && !seen_extra) {
      seen_extra = 1;
      r = parse_text(v, vl, &extra);
      if (r < 0) {
        r = WSA_NOT_ENOUGH_MEMORY;
        goto out;
      }
      if (!r) {
        r = fail(p, WS2__CAT_EFORMAT, "bad value of \"extra\"");
        goto out;
      }
    } else if (key_is(k, kl, "permitted") && !seen_perm) {
      seen_perm = 1;
      if (!parse_hex(v, vl, &permitted)) {
        r = fail(p, WS2__CAT_EFORMAT, "bad value of \"permitted\"");
        goto out;
      }
    } else {
      r = fail(p, WS2__CAT_EFORMAT,
               "unknown or repeated field in an app "
               "block");
      goto out;
    }
  }
  if (!seen_perm) {
    r = fail(p, WS2__CAT_EFORMAT, "an app block has no \"permitted\" field");
    goto out;
  }
  if (ws2__catalog_app_category(cat, path, extra, NULL)) {
    r = fail(p, WS2__CAT_EFORMAT, "an application is listed twice");
    goto out;
  }
  r = ws2__catalog_set_app(cat, path, extra, permitted) ? WSA_NOT_ENOUGH_MEMORY
                                                        : 0;
out:
  ws2__free(extra);
  return r;
}

/* Checks the header line: 0, or -1 with the status set. */
static int check_header(parser_t *p) {
  const char *s, *k, *v;
  size_t n, kl, vl;
  long long version;
  if (!next_line(p, &s, &n))
    return fail(p, WS2__CAT_EFORMAT, "the file is empty: not a ws2 catalog");
  split(s, n, &k, &kl, &v, &vl);
  if (!key_is(k, kl, "ws2-catalog") || !parse_int(v, vl, 1, 1000000, &version))
    return fail(p, WS2__CAT_EFORMAT,
                "not a ws2 catalog (no \"ws2-catalog\" line)");
  if (version > WS2__CATALOG_VERSION)
    return fail(p, WS2__CAT_EVERSION,
                "written in format %lld; this ws2 reads format %d", version,
                WS2__CATALOG_VERSION);
  return 0;
}

/* Checks the last line, the CRC of the rest: the body's length, or -1. */
static long check_crc(parser_t *p) {
  const char *t = p->text, *last;
  size_t len = p->len, start;
  uint32_t want, got;
  if (!len || t[len - 1] != '\n')
    return fail(p, WS2__CAT_ECHECKSUM,
                "the file does not end with its checksum line (truncated?)");
  for (start = len - 1; start > 0 && t[start - 1] != '\n'; start--) {
  }
  last = t + start;
  if (len - start < 7 || memcmp(last, "crc32 ", 6) != 0)
    return fail(p, WS2__CAT_ECHECKSUM,
                "the file does not end with its checksum line (truncated?)");
  if (len - start != 15 || !hexn(last + 6, 8, &want))
    return fail(p, WS2__CAT_ECHECKSUM,
                "the checksum line is not \"crc32\" and 8 hex digits");
  got = ws2__catalog_crc32(0, t, start);
  if (got != want)
    return fail(p, WS2__CAT_ECHECKSUM,
                "checksum mismatch: the file says %08lx, its contents give "
                "%08lx (damaged, or edited by hand)",
                (unsigned long)want, (unsigned long)got);
  return (long)start;
}

int ws2__catalog_parse(const char *text, size_t len, ws2__catalog_t **out,
                       ws2__cat_status_t *st) {
  parser_t p = {text, len, 0, 0, st};
  ws2__catalog_t *cat;
  const char *s, *k, *v;
  size_t n, kl, vl, i, j;
  long body;
  long long x;
  int have_serial = 0, have_next = 0, r;

  memset(st, 0, sizeof(*st));
  *out = NULL;
  if (len > WS2__CATALOG_MAX_BYTES)
    return fail(&p, WS2__CAT_EFORMAT, "larger than %u bytes: not a catalog",
                WS2__CATALOG_MAX_BYTES);
  if (memchr(text, 0, len))
    return fail(&p, WS2__CAT_EFORMAT, "binary data: not a ws2 catalog");
  if (check_header(&p) != 0) return -1;
  if ((body = check_crc(&p)) < 0) return -1;
  p.len = (size_t)body;
  if (!(cat = ws2__catalog_new())) return WSA_NOT_ENOUGH_MEMORY;
  cat->origin = WS2__CAT_FROM_FILE;
  while (next_line(&p, &s, &n)) {
    split(s, n, &k, &kl, &v, &vl);
    r = 0;
    if (key_is(k, kl, "serial") && !have_serial && !cat->nentries) {
      if (!parse_int(v, vl, 0, 0xFFFFFFFFll, &x)) {
        r = fail(&p, WS2__CAT_EFORMAT, "bad \"serial\" line");
      } else {
        cat->serial = (uint32_t)x;
        have_serial = 1;
      }
    } else if (key_is(k, kl, "next-id") && !have_next && !cat->nentries) {
      if (!parse_int(v, vl, 1, 0xFFFFFFFFll, &x)) {
        r = fail(&p, WS2__CAT_EFORMAT, "bad \"next-id\" line");
      } else {
        cat->next_id = (DWORD)x;
        have_next = 1;
      }
    } else if (!have_serial || !have_next) {
      r = fail(&p, WS2__CAT_EFORMAT,
               "\"serial\" and \"next-id\" must come before the blocks");
    } else if (key_is(k, kl, "entry")) {
      if (!parse_int(v, vl, 1, 0xFFFFFFFFll, &x))
        r = fail(&p, WS2__CAT_EFORMAT, "bad catalog id");
      else
        r = parse_entry(&p, cat, (DWORD)x);
    } else if (key_is(k, kl, "provider")) {
      GUID id;
      if (!ws2__catalog_guid_parse(v, vl, &id))
        r = fail(&p, WS2__CAT_EFORMAT, "bad provider GUID");
      else
        r = parse_provider(&p, cat, &id);
    } else if (key_is(k, kl, "app")) {
      char *path = NULL;
      r = parse_text(v, vl, &path);
      if (r < 0) {
        r = WSA_NOT_ENOUGH_MEMORY;
      } else if (!r || !*path) {
        r = fail(&p, WS2__CAT_EFORMAT, "bad application path");
      } else {
        r = parse_app(&p, cat, path);
      }
      ws2__free(path);
    } else {
      r = fail(&p, WS2__CAT_EFORMAT, "unknown line \"%.*s\"",
               (int)(kl > 40 ? 40 : kl), k);
    }
    if (r) {
      ws2__catalog_release(cat);
      return r;
    }
  }
  if (!have_serial || !have_next) {
    ws2__catalog_release(cat);
    return fail(&p, WS2__CAT_EFORMAT, "no \"serial\" or \"next-id\" line");
  }
  /* Catalog ids: unique, and below next-id. */
  for (i = 0; i < cat->nentries; i++) {
    DWORD id = cat->entries[i].info.dwCatalogEntryId;
    int bad = id >= cat->next_id;
    for (j = 0; j < i && !bad; j++)
      bad = cat->entries[j].info.dwCatalogEntryId == id;
    if (bad) {
      p.line = 0;
      fail(&p, WS2__CAT_EFORMAT,
           "catalog id %lu is repeated or not below next-id",
           (unsigned long)id);
      ws2__catalog_release(cat);
      return -1;
    }
  }
  *out = cat;
  return 0;
}
