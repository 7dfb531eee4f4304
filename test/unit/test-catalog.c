/*
 * The catalog module (src/catalog): the embedded default, the text format
 * and its checksum, loading (and falling back from) unusable files,
 * writing under the lock with atomic replacement, a writer killed at each
 * step of a write, concurrent writers in several processes and threads,
 * and the process's snapshot. Each case works in its own temporary
 * directory, with its own catalog file.
 */
#define WS2_USE_PREFIX
#include <winsock2.h>
#include <ws2spi.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "ws2test.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------- */

static char dir[128], file[400];

/* A fresh directory for this case; `file` is the catalog path in it. */
static void fresh(void) {
  snprintf(dir, sizeof(dir), "/tmp/ws2-test-catalog-XXXXXX");
  ASSERT_NE_PTR(mkdtemp(dir), NULL);
  snprintf(file, sizeof(file), "%s/catalog", dir);
  setenv("WS2_CATALOG", file, 1);
}

static void rm_rf(void) {
  char cmd[400];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", dir);
}

static void write_text(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "wb");
  ASSERT_NE_PTR(f, NULL);
  ASSERT_EQ(fwrite(text, 1, len, f), len);
  ASSERT_EQ(fclose(f), 0);
}

/* The text with a valid checksum line appended. */
static char *with_crc(const char *body) {
  size_t n = strlen(body);
  char *t = malloc(n + 32);
  memcpy(t, body, n);
  snprintf(t + n, 32, "crc32 %08lx\n",
           (unsigned long)ws2__catalog_crc32(0, body, n));
  return t;
}

static char *read_all(const char *path, size_t *len) {
  struct stat sb;
  FILE *f;
  char *buf;
  long n;
  if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return NULL;
  if (!(f = fopen(path, "rb"))) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
  buf[n] = 0;
  fclose(f);
  if (len) *len = (size_t)n;
  return buf;
}

static void wstr(WCHAR *dst, const char *src) {
  while ((*dst++ = (WCHAR)(unsigned char)*src++) != 0) {
  }
}

static GUID guid_n(unsigned n) {
  GUID g = {0xC0FFEE00u + n, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};
  return g;
}

/* An entry to install: a copy of the first built-in one, renamed. */
static WSAPROTOCOL_INFOW sample_entry(unsigned n) {
  const WSAPROTOCOL_INFOW *b;
  WSAPROTOCOL_INFOW w;
  char name[64];
  ws2__catalog_builtin(&b);
  w = b[0];
  w.ProviderId = guid_n(n);
  snprintf(name, sizeof(name), "test entry %u", n);
  memset(w.szProtocol, 0, sizeof(w.szProtocol));
  wstr(w.szProtocol, name);
  return w;
}

typedef struct add_args {
  unsigned n;
} add_args_t;

static int add_edit(ws2__catalog_t *cat, void *arg) {
  add_args_t *a = arg;
  WSAPROTOCOL_INFOW w = sample_entry(a->n);
  DWORD id;
  return ws2__catalog_append(cat, &w, "/usr/lib/ws2/test.so", &id);
}

static int add_entry(unsigned n) {
  add_args_t a = {n};
  return ws2__catalog_modify(NULL, add_edit, &a);
}

/* Whether cat has an entry of provider guid_n(n). */
static int has(const ws2__catalog_t *cat, unsigned n) {
  GUID g = guid_n(n);
  return ws2__catalog_has_provider(cat, &g);
}

/* Loads the file strictly: it must be a valid catalog. */
static ws2__catalog_t *load_ok(void) {
  ws2__catalog_t *cat = NULL;
  ASSERT_EQ(ws2__catalog_load(file, 0, &cat), 0);
  ASSERT_NE_PTR(cat, NULL);
  if (cat->origin == WS2__CAT_FROM_FALLBACK)
    fprintf(stderr, "# %s: %s\n", file, cat->status.message);
  ASSERT_EQ(cat->origin, WS2__CAT_FROM_FILE);
  return cat;
}

static int same_catalog(const ws2__catalog_t *a, const ws2__catalog_t *b) {
  size_t i;
  if (a->serial != b->serial || a->next_id != b->next_id ||
      a->nentries != b->nentries || a->nproviders != b->nproviders ||
      a->napps != b->napps)
    return 0;
  for (i = 0; i < a->nentries; i++)
    if (memcmp(&a->entries[i].info, &b->entries[i].info,
               sizeof(WSAPROTOCOL_INFOW)) != 0 ||
        strcmp(a->entries[i].path, b->entries[i].path) != 0)
      return 0;
  for (i = 0; i < a->nproviders; i++)
    if (memcmp(&a->providers[i], &b->providers[i], sizeof(a->providers[i])))
      return 0;
  for (i = 0; i < a->napps; i++)
    if (strcmp(a->apps[i].path, b->apps[i].path) ||
        strcmp(a->apps[i].extra, b->apps[i].extra) ||
        a->apps[i].permitted != b->apps[i].permitted)
      return 0;
  return 1;
}

/* Runs fn with stderr going to a file; returns what was written. */
static char *capture_stderr(void (*fn)(void *), void *arg) {
  char path[512];
  int saved, fd;
  char *out;
  snprintf(path, sizeof(path), "%s/stderr.txt", dir);
  fflush(stderr);
  saved = dup(2);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, 2);
  close(fd);
  fn(arg);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  out = read_all(path, NULL);
  unlink(path);
  return out;
}

/* ---- the embedded default -------------------------------------------- */

TEST(default_catalog_is_the_base_provider) {
  ws2__catalog_t *cat = NULL;
  const WSAPROTOCOL_INFOW *b;
  int n = ws2__catalog_builtin(&b), i;
  fresh();
  ASSERT_EQ(n, 7);
  ASSERT_EQ(ws2__catalog_load(NULL, 1, &cat), 0);
  ASSERT_EQ(cat->origin, WS2__CAT_FROM_DEFAULT);
  ASSERT_EQ(cat->nentries, 7);
  ASSERT_EQ(cat->next_id, 1008);
  ASSERT_EQ(cat->serial, 0);
  for (i = 0; i < n; i++) {
    const WSAPROTOCOL_INFOW *e = &cat->entries[i].info;
    ASSERT_EQ(e->dwCatalogEntryId, 1001 + i);
    ASSERT_MEM_EQ(e, &b[i], sizeof(*e));
    ASSERT_TRUE(e->dwServiceFlags1 & XP1_IFS_HANDLES);
    ASSERT_EQ(e->ProtocolChain.ChainLen, BASE_PROTOCOL);
    ASSERT_EQ(strcmp(cat->entries[i].path, WS2__CATALOG_BASE_PATH), 0);
  }
  ASSERT_EQ(strcmp(cat->file, file), 0);
  ws2__catalog_release(cat);
  /* Loading wrote nothing. */
  ASSERT_NE(access(file, F_OK), 0);
  unsetenv("WS2_CATALOG");
  ASSERT_EQ(strcmp(ws2__catalog_file(), "/etc/ws2/catalog"), 0);
  setenv("WS2_CATALOG", "", 1);
  ASSERT_EQ(strcmp(ws2__catalog_file(), "/etc/ws2/catalog"), 0);
  rm_rf();
}

/* ---- the text form --------------------------------------------------- */

TEST(crc32_and_guid_text) {
  GUID g = {0xE70F1AA0,
            0xAB8B,
            0x11CF,
            {0x8C, 0xA3, 0x00, 0x80, 0x5F, 0x48, 0xA1, 0x92}},
       back;
  char text[39];
  ASSERT_EQ_U(ws2__catalog_crc32(0, "123456789", 9), 0xCBF43926u);
  ASSERT_EQ_U(ws2__catalog_crc32(ws2__catalog_crc32(0, "1234", 4), "56789", 5),
              0xCBF43926u);
  ws2__catalog_guid_text(&g, text);
  ASSERT_EQ(strcmp(text, "{E70F1AA0-AB8B-11CF-8CA3-00805F48A192}"), 0);
  ASSERT_TRUE(ws2__catalog_guid_parse(text, 38, &back));
  ASSERT_MEM_EQ(&g, &back, sizeof(g));
  ASSERT_TRUE(ws2__catalog_guid_parse("{e70f1aa0-ab8b-11cf-8ca3-00805f48a192}",
                                      38, &back));
  ASSERT_MEM_EQ(&g, &back, sizeof(g));
  ASSERT_FALSE(ws2__catalog_guid_parse("{E70F1AA0-AB8B-11CF-8CA3-00805F48A19}",
                                       37, &back));
  ASSERT_FALSE(ws2__catalog_guid_parse("{E70F1AA0+AB8B-11CF-8CA3-00805F48A192}",
                                       38, &back));
  ASSERT_FALSE(ws2__catalog_guid_parse("{E70F1AA0-AB8B-11CF-8CA3-00805F48A19G}",
                                       38, &back));
}

/* A catalog with everything the format has to carry: chains, escapes in
 * names and paths, non-ASCII, providers, applications. */
static ws2__catalog_t *rich_catalog(void) {
  ws2__catalog_t *cat = ws2__catalog_default();
  WSAPROTOCOL_INFOW w = sample_entry(1);
  GUID g = guid_n(1);
  DWORD id, dummy;
  /* "a\b" + "\n\t" + " é中😀 " ...: every escape and UTF-16 pairs. */
  static const WCHAR name[] = {' ',    'L',    '\\',   'S',    '\n', 'P', '\t',
                               0x00E9, 0x4E2D, 0xD83D, 0xDE00, 0x7F, ' ', 0};
  memcpy(w.szProtocol, name, sizeof(name));
  w.ProtocolChain.ChainLen = LAYERED_PROTOCOL;
  w.dwProviderFlags = PFL_HIDDEN;
  w.dwServiceFlags2 = 0xdeadbeef;
  w.dwProviderReserved = 0x12345678;
  w.iProtocol = -5;
  w.dwMessageSize = 0xFFFFFFFFu;
  ASSERT_EQ(ws2__catalog_append(cat, &w, " /opt/l sp\\x\n.so ", &dummy), 0);
  w = sample_entry(2);
  w.ProtocolChain.ChainLen = 3;
  w.ProtocolChain.ChainEntries[0] = dummy;
  w.ProtocolChain.ChainEntries[1] = 1005;
  w.ProtocolChain.ChainEntries[2] = 1001;
  w.ProtocolChain.ChainEntries[3] = 99; /* past ChainLen: cleared */
  ASSERT_EQ(ws2__catalog_insert(cat, 0, &w, "/opt/lsp2.so", &id), 0);
  ASSERT_EQ(cat->entries[0].info.ProtocolChain.ChainEntries[3], 0);
  ASSERT_EQ(
      ws2__catalog_set_provider_categories(cat, &g, LSP_INSPECTOR | LSP_SYSTEM),
      0);
  ASSERT_EQ(ws2__catalog_set_app(cat, "/usr/bin/server", NULL, LSP_SYSTEM), 0);
  ASSERT_EQ(
      ws2__catalog_set_app(cat, "/usr/bin/svchost", "-k net svcs ", LSP_PROXY),
      0);
  cat->serial = 41;
  return cat;
}

TEST(format_parse_round_trip) {
  ws2__catalog_t *cat = rich_catalog(), *back = NULL, *again = NULL;
  ws2__cat_status_t st;
  size_t len, len2;
  char *text = ws2__catalog_format(cat, &len), *text2;
  ASSERT_NE_PTR(text, NULL);
  ASSERT_EQ(strlen(text), len);
  /* Readable: named fields, GUIDs and flags as text. */
  ASSERT_NE_PTR(strstr(text, "\nws2-catalog 1\n"), NULL);
  ASSERT_NE_PTR(
      strstr(text, "provider-id {E70F1AA0-AB8B-11CF-8CA3-00805F48A192}"), NULL);
  ASSERT_NE_PTR(strstr(text, "service-flags 0x00020066 0x00000000"), NULL);
  ASSERT_NE_PTR(strstr(text, "  name MSAFD Tcpip [TCP/IP]\n"), NULL);
  ASSERT_NE_PTR(strstr(text, "  chain 3 1008 1005 1001\n"), NULL);
  ASSERT_NE_PTR(strstr(text, "  name \\x20L\\\\S\\nP\\t"), NULL);
  ASSERT_NE_PTR(strstr(text, "  path \\x20/opt/l sp\\\\x\\n.so\\x20\n"), NULL);
  ASSERT_NE_PTR(strstr(text, "\ncrc32 "), NULL);
  ASSERT_EQ(ws2__catalog_parse(text, len, &back, &st), 0);
  ASSERT_EQ(back->origin, WS2__CAT_FROM_FILE);
  ASSERT_TRUE(same_catalog(cat, back));
  /* Canonical: formatting what was read gives the same bytes. */
  text2 = ws2__catalog_format(back, &len2);
  ASSERT_EQ(len, len2);
  ASSERT_MEM_EQ(text, text2, len);
  /* Blank lines, comments, tabs and CRLF line ends are read too. */
  {
    char *crlf = malloc(len * 2 + 64), *body;
    size_t i, k = 0, end = (size_t)(strstr(text, "\ncrc32 ") - text) + 1;
    for (i = 0; i < end; i++) {
      if (text[i] == '\n') crlf[k++] = '\r';
      crlf[k++] = text[i] == ' ' && i && text[i - 1] == '\n' ? '\t' : text[i];
    }
    crlf[k] = 0;
    body = with_crc(crlf);
    ASSERT_EQ(ws2__catalog_parse(body, strlen(body), &again, &st), 0);
    ASSERT_TRUE(same_catalog(cat, again));
    free(body);
    free(crlf);
  }
  ws2__catalog_release(again);
  ws2__free(text);
  ws2__free(text2);
  ws2__catalog_release(back);
  ws2__catalog_release(cat);
}

/* Each bad text, with a valid checksum: a format error at some line. */
TEST(parse_rejects_what_is_not_a_catalog) {
  static const struct {
    const char *body;
    int code;
  } bad[] = {
      {"serial 1\nnext-id 1001\n", WS2__CAT_EFORMAT},
      {"ws2-catalog 2\nserial 1\nnext-id 1001\n", WS2__CAT_EVERSION},
      {"ws2-catalog one\n", WS2__CAT_EFORMAT},
      {"ws2-catalog 1\nnext-id 1001\n", WS2__CAT_EFORMAT},
      {"ws2-catalog 1\nserial 1\nnext-id 1001\nbogus 3\n", WS2__CAT_EFORMAT},
      {"ws2-catalog 1\nserial 1\nnext-id 1001\nentry 5\n  name x\nend\n",
       WS2__CAT_EFORMAT},
      {"ws2-catalog 1\nserial 1\nnext-id 1001\nprovider {nope}\nend\n",
       WS2__CAT_EFORMAT},
      {"ws2-catalog 1\nserial 1\nnext-id 1001\napp /x\n  extra \\q\n"
       "  permitted 0x1\nend\n",
       WS2__CAT_EFORMAT},
      {"ws2-catalog 1\nserial 1\nnext-id 1001\napp /x\n  permitted 1\nend\n",
       WS2__CAT_EFORMAT},
      {"ws2-catalog 1\nserial 1\nnext-id 1001\napp /x\n", WS2__CAT_EFORMAT},
  };
  size_t i;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ws2__catalog_t *cat = (ws2__catalog_t *)&cat;
    ws2__cat_status_t st;
    char *t = with_crc(bad[i].body);
    ASSERT_EQ(ws2__catalog_parse(t, strlen(t), &cat, &st), -1);
    ASSERT_EQ_PTR(cat, NULL);
    if (st.code != bad[i].code) fprintf(stderr, "# case %zu\n", i);
    ASSERT_EQ(st.code, bad[i].code);
    ASSERT_NE(st.message[0], 0);
    free(t);
  }
  /* Entry-level faults, in a real catalog. */
  {
    ws2__catalog_t *def = ws2__catalog_default(), *cat;
    static const char *const edits[][2] = {
        {"  version 2\n", ""},                           /* missing field */
        {"  version 2\n", "  version 2\n  version 2\n"}, /* repeated */
        {"  version 2\n", "  colour 2\n"},               /* unknown field */
        {"entry 1002\n", "entry 1001\n"},                /* repeated id */
        {"entry 1002\n", "entry 2000\n"},                /* not below next-id */
        {"  chain 1\n", "  chain 8\n"},                  /* too long */
        {"  chain 1\n", "  chain 3 1 2\n"},              /* ids missing */
        {"  protocol 6\n", "  protocol 6x\n"},           /* not a number */
        {"  provider-flags 0x00000008\n", "  provider-flags 8\n"}, /* hex */
        {"  name MSAFD Tcpip [TCP/IP]\n", "  name \\xff\n"}, /* not UTF-8 */
        {"  path builtin:ws2-base\n", "  path\n"},           /* empty path */
    };
    size_t len, k;
    char *text = ws2__catalog_format(def, &len);
    for (k = 0; k < sizeof(edits) / sizeof(edits[0]); k++) {
      ws2__cat_status_t st;
      const char *at = strstr(text, edits[k][0]);
      char *body = malloc(len + 64), *t, *crc;
      size_t pre = (size_t)(at - text);
      memcpy(body, text, pre);
      strcpy(body + pre, edits[k][1]);
      strcat(body, at + strlen(edits[k][0]));
      crc = strstr(body, "crc32 ");
      *crc = 0;
      t = with_crc(body);
      ASSERT_EQ(ws2__catalog_parse(t, strlen(t), &cat, &st), -1);
      if (st.code != WS2__CAT_EFORMAT) fprintf(stderr, "# edit %zu\n", k);
      ASSERT_EQ(st.code, WS2__CAT_EFORMAT);
      free(body);
      free(t);
    }
    ws2__free(text);
    ws2__catalog_release(def);
  }
}

/* ---- unusable files: the default, an error naming the file ----------- */

typedef struct load_result {
  ws2__catalog_t *cat;
  int r;
} load_result_t;

static void load_logged(void *arg) {
  load_result_t *lr = arg;
  lr->r = ws2__catalog_load(NULL, 1, &lr->cat);
}

/* Loads the (unusable) file: the default, with `code`, and an error in
 * the log that names the file and the repair. Writers refuse to touch it. */
static void expect_fallback(int code) {
  load_result_t lr = {NULL, -1};
  char *log = capture_stderr(load_logged, &lr), *before, *after;
  size_t n1, n2;
  ASSERT_EQ(lr.r, 0);
  ASSERT_EQ(lr.cat->origin, WS2__CAT_FROM_FALLBACK);
  ASSERT_EQ(lr.cat->status.code, code);
  ASSERT_EQ(lr.cat->nentries, 7);
  ASSERT_EQ(lr.cat->entries[0].info.dwCatalogEntryId, 1001);
  ASSERT_NE_PTR(log, NULL);
  ASSERT_NE_PTR(strstr(log, file), NULL);
  ASSERT_NE_PTR(strstr(log, "error"), NULL);
  ASSERT_NE_PTR(strstr(log, "ws2ctl reset"), NULL);
  free(log);
  ws2__catalog_release(lr.cat);
  /* A writer does not overwrite a damaged catalog. */
  before = read_all(file, &n1);
  fflush(stderr);
  ASSERT_EQ(add_entry(7), WSANO_RECOVERY);
  after = read_all(file, &n2);
  if (before) {
    ASSERT_EQ(n1, n2);
    ASSERT_MEM_EQ(before, after, n1);
  }
  free(before);
  free(after);
}

TEST(corrupt_files_give_the_default_and_an_error) {
  ws2__catalog_t *def = ws2__catalog_default(), *cat;
  size_t len, cut;
  char *text = ws2__catalog_format(def, &len), *t;
  int backed_up = 0;
  char bak[512];

  /* A bad checksum: one byte of the body changed. */
  fresh();
  t = strdup(text);
  *strstr(t, "TCP/IPv6") = 'X';
  write_text(file, t, len);
  free(t);
  expect_fallback(WS2__CAT_ECHECKSUM);
  /* The repair: reset keeps the damaged file as .bak and writes the
   * default, which then loads. */
  ASSERT_EQ(ws2__catalog_reset(NULL, &backed_up), 0);
  ASSERT_TRUE(backed_up);
  snprintf(bak, sizeof(bak), "%s.bak", file);
  t = read_all(bak, NULL);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_NE_PTR(strstr(t, "XCP/IPv6"), NULL);
  free(t);
  cat = load_ok();
  ASSERT_EQ(cat->nentries, 7);
  ws2__catalog_release(cat);
  /* With the file gone, a reset writes the default and keeps the old
   * backup: there is nothing newer to keep. */
  ASSERT_EQ(unlink(file), 0);
  backed_up = 0;
  ASSERT_EQ(ws2__catalog_reset(NULL, &backed_up), 0);
  ASSERT_FALSE(backed_up);
  t = read_all(bak, NULL);
  ASSERT_NE_PTR(t, NULL);
  ASSERT_NE_PTR(strstr(t, "XCP/IPv6"), NULL);
  free(t);
  ASSERT_EQ(add_entry(1), 0);
  rm_rf();

  /* Truncated, at many places (whole lines or not): before the end of
   * the "ws2-catalog 1" line it is not a catalog, after it the checksum
   * line is missing. */
  {
    size_t header_end = (size_t)(strstr(text, "ws2-catalog 1") - text) + 13;
    size_t cuts[] = {1, header_end - 1, header_end, header_end + 1};
    size_t c;
    for (c = 0; c < sizeof(cuts) / sizeof(cuts[0]) + 12; c++) {
      cut = c < 4 ? cuts[c] : header_end + (c - 3) * (len - header_end) / 13;
      fresh();
      write_text(file, text, cut);
      expect_fallback(cut < header_end ? WS2__CAT_EFORMAT : WS2__CAT_ECHECKSUM);
      rm_rf();
    }
  }
  /* The last newline cut off. */
  fresh();
  write_text(file, text, len - 1);
  expect_fallback(WS2__CAT_ECHECKSUM);
  rm_rf();
  /* Garbage, binary, empty. */
  fresh();
  write_text(file,
             "\x7f"
             "ELF\x02\x01\x01garbage\n",
             16);
  expect_fallback(WS2__CAT_EFORMAT);
  rm_rf();
  fresh();
  write_text(file, "hello world\nthis is not a catalog\n", 34);
  expect_fallback(WS2__CAT_EFORMAT);
  rm_rf();
  fresh();
  write_text(file, "", 0);
  expect_fallback(WS2__CAT_EFORMAT);
  rm_rf();
  /* Garbage after the checksum line. */
  fresh();
  t = malloc(len + 8);
  memcpy(t, text, len);
  memcpy(t + len, "junk\n", 5);
  write_text(file, t, len + 5);
  free(t);
  expect_fallback(WS2__CAT_ECHECKSUM);
  rm_rf();
  /* A newer format. */
  fresh();
  t = with_crc("ws2-catalog 9\nwhatever 1\n");
  write_text(file, t, strlen(t));
  free(t);
  expect_fallback(WS2__CAT_EVERSION);
  rm_rf();
  /* A directory where the file should be. */
  fresh();
  ASSERT_EQ(mkdir(file, 0755), 0);
  expect_fallback(WS2__CAT_EREAD);
  rm_rf();
  /* Unreadable (root reads anything: then only the above). */
  if (geteuid() != 0) {
    fresh();
    write_text(file, text, len);
    ASSERT_EQ(chmod(file, 0), 0);
    expect_fallback(WS2__CAT_EREAD);
    rm_rf();
  }
  ws2__free(text);
  ws2__catalog_release(def);
}

/* ---- writing ---------------------------------------------------------- */

TEST(modify_round_trip) {
  ws2__catalog_t *cat;
  char tmp[512], lock[512];
  struct stat sb;
  fresh();
  ASSERT_EQ(add_entry(1), 0);
  ASSERT_EQ(add_entry(2), 0);
  cat = load_ok();
  ASSERT_EQ(cat->serial, 2);
  ASSERT_EQ(cat->nentries, 9);
  ASSERT_EQ(cat->next_id, 1010);
  ASSERT_EQ(cat->entries[7].info.dwCatalogEntryId, 1008);
  ASSERT_EQ(cat->entries[8].info.dwCatalogEntryId, 1009);
  ASSERT_TRUE(has(cat, 1) && has(cat, 2) && !has(cat, 3));
  ASSERT_EQ(strcmp(cat->entries[8].path, "/usr/lib/ws2/test.so"), 0);
  ws2__catalog_release(cat);
  /* The lock file stays; no temporary file is left behind. */
  snprintf(tmp, sizeof(tmp), "%s.tmp", file);
  snprintf(lock, sizeof(lock), "%s.lock", file);
  ASSERT_NE(access(tmp, F_OK), 0);
  ASSERT_EQ(access(lock, F_OK), 0);
  /* Readable by everyone; a later write keeps the mode. */
  ASSERT_EQ(stat(file, &sb), 0);
  ASSERT_EQ(sb.st_mode & 0777, 0644);
  ASSERT_EQ(chmod(file, 0640), 0);
  ASSERT_EQ(add_entry(3), 0);
  ASSERT_EQ(stat(file, &sb), 0);
  ASSERT_EQ(sb.st_mode & 0777, 0640);
  rm_rf();
}

TEST(writer_makes_the_directory) {
  char sub[200];
  ws2__catalog_t *cat;
  fresh();
  snprintf(sub, sizeof(sub), "%s/etc-ws2", dir);
  snprintf(file, sizeof(file), "%s/catalog", sub);
  setenv("WS2_CATALOG", file, 1);
  ASSERT_EQ(add_entry(1), 0);
  cat = load_ok();
  ASSERT_TRUE(has(cat, 1));
  ws2__catalog_release(cat);
  rm_rf();
}

/* ---- a writer killed at each step ------------------------------------- */

static int kill_at;
static void die_at(int step) {
  if (step == kill_at) _exit(0);
}

TEST(writer_killed_at_each_step_leaves_old_or_new) {
  int k;
  for (k = 1; k <= WS2__CAT_NSTEPS; k++) {
    ws2__catalog_t *cat;
    pid_t pid;
    int status;
    fresh();
    ASSERT_EQ(add_entry(1), 0); /* the old catalog: serial 1 */
    pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      kill_at = k;
      __atomic_store_n(&ws2__catalog_write_hook, die_at, __ATOMIC_RELEASE);
      add_entry(2);
      _exit(1); /* the hook did not fire */
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* Old or new, whole, with a valid checksum. */
    cat = load_ok();
    if (k < WS2__CAT_STEP_RENAMED) {
      ASSERT_EQ(cat->serial, 1);
      ASSERT_FALSE(has(cat, 2));
    } else {
      ASSERT_EQ(cat->serial, 2);
      ASSERT_TRUE(has(cat, 2));
    }
    ASSERT_TRUE(has(cat, 1));
    ws2__catalog_release(cat);
    /* The lock died with the writer: the next writer goes on, over any
     * leftover temporary file, and leaves none. */
    ASSERT_EQ(add_entry(3), 0);
    cat = load_ok();
    ASSERT_TRUE(has(cat, 1) && has(cat, 3));
    ASSERT_EQ(cat->serial, k < WS2__CAT_STEP_RENAMED ? 2 : 3);
    ws2__catalog_release(cat);
    {
      char tmp[512];
      snprintf(tmp, sizeof(tmp), "%s.tmp", file);
      ASSERT_NE(access(tmp, F_OK), 0);
    }
    rm_rf();
  }
}

/* ---- concurrent writers ------------------------------------------------ */

#define PROCS 6
#define PER_PROC 8
#define THREADS 4
#define PER_THREAD 10

static void *thread_writer(void *arg) {
  unsigned base = (unsigned)(uintptr_t)arg, i;
  for (i = 0; i < PER_THREAD; i++)
    if (add_entry(base + i) != 0) return (void *)1;
  return NULL;
}

TEST(concurrent_writers_lose_no_update) {
  pid_t pids[PROCS];
  pthread_t threads[THREADS];
  ws2__catalog_t *cat;
  int p, t, reads = 0;
  unsigned i;
  fresh();
  for (p = 0; p < PROCS; p++) {
    pids[p] = fork();
    ASSERT_GE(pids[p], 0);
    if (pids[p] == 0) {
      unsigned k;
      for (k = 0; k < PER_PROC; k++)
        if (add_entry(100 * (unsigned)(p + 1) + k) != 0) _exit(2);
      _exit(0);
    }
  }
  for (t = 0; t < THREADS; t++)
    ASSERT_EQ(pthread_create(&threads[t], NULL, thread_writer,
                             (void *)(uintptr_t)(1000 * (unsigned)(t + 1))),
              0);
  /* Meanwhile, a reader only ever sees whole catalogs. */
  for (;;) {
    int done = 1, status;
    ws2__catalog_t *seen = NULL;
    ASSERT_EQ(ws2__catalog_load(NULL, 0, &seen), 0);
    ASSERT_NE(seen->origin, WS2__CAT_FROM_FALLBACK);
    ws2__catalog_release(seen);
    reads++;
    for (p = 0; p < PROCS; p++)
      if (pids[p] > 0) {
        pid_t r = waitpid(pids[p], &status, WNOHANG);
        if (r == 0) {
          done = 0;
        } else {
          ASSERT_EQ(r, pids[p]);
          ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
          pids[p] = 0;
        }
      }
    if (done) break;
  }
  for (t = 0; t < THREADS; t++) {
    void *ret;
    ASSERT_EQ(pthread_join(threads[t], &ret), 0);
    ASSERT_EQ_PTR(ret, NULL);
  }
  cat = load_ok();
  ASSERT_EQ(cat->serial, PROCS * PER_PROC + THREADS * PER_THREAD);
  ASSERT_EQ(cat->nentries, 7 + PROCS * PER_PROC + THREADS * PER_THREAD);
  for (p = 0; p < PROCS; p++)
    for (i = 0; i < PER_PROC; i++)
      ASSERT_TRUE(has(cat, 100 * (unsigned)(p + 1) + i));
  for (t = 0; t < THREADS; t++)
    for (i = 0; i < PER_THREAD; i++)
      ASSERT_TRUE(has(cat, 1000 * (unsigned)(t + 1) + i));
  /* Ids: unique, all below next-id (the parser checks both). */
  ASSERT_EQ(cat->next_id, 1008 + PROCS * PER_PROC + THREADS * PER_THREAD);
  ws2__catalog_release(cat);
  ASSERT_GT(reads, 0);
  rm_rf();
}

/* ---- the snapshot ------------------------------------------------------ */

TEST(snapshot_changes_only_when_told) {
  ws2__catalog_t *a, *b, *c;
  fresh();
  ws2__catalog_snapshot_refresh();
  a = ws2__catalog_snapshot();
  ASSERT_NE_PTR(a, NULL);
  ASSERT_EQ(a->origin, WS2__CAT_FROM_DEFAULT);
  ASSERT_EQ(add_entry(1), 0);
  b = ws2__catalog_snapshot();
  ASSERT_EQ_PTR(a, b); /* the file changed; the snapshot did not */
  ASSERT_FALSE(has(b, 1));
  ws2__catalog_snapshot_stale();
  c = ws2__catalog_snapshot();
  ASSERT_NE_PTR(c, a);
  ASSERT_TRUE(has(c, 1));
  /* The old snapshot stays valid for whoever holds it. */
  ASSERT_EQ(a->nentries, 7);
  ws2__catalog_release(a);
  ws2__catalog_release(b);
  ws2__catalog_release(c);
  rm_rf();
}

/* ---- queries and edits ------------------------------------------------- */

TEST(queries_and_edits) {
  ws2__catalog_t *cat = rich_catalog();
  GUID g1 = guid_n(1), g9 = guid_n(9);
  DWORD perm = 0;
  const WSAPROTOCOL_INFOW *b;
  ws2__catalog_builtin(&b);
  ASSERT_NE_PTR(ws2__catalog_find_id(cat, 1001), NULL);
  ASSERT_EQ_PTR(ws2__catalog_find_id(cat, 4242), NULL);
  ASSERT_EQ(strcmp(ws2__catalog_provider_path(cat, &b[0].ProviderId),
                   WS2__CATALOG_BASE_PATH),
            0);
  ASSERT_EQ_PTR(ws2__catalog_provider_path(cat, &g9), NULL);
  ASSERT_EQ_U(ws2__catalog_provider_categories(cat, &g1),
              LSP_INSPECTOR | LSP_SYSTEM);
  ASSERT_EQ_U(ws2__catalog_provider_categories(cat, &g9), 0);
  ASSERT_TRUE(ws2__catalog_app_category(cat, "/usr/bin/server", "", &perm));
  ASSERT_EQ_U(perm, LSP_SYSTEM);
  ASSERT_TRUE(ws2__catalog_app_category(cat, "/usr/bin/svchost", "-k net svcs ",
                                        &perm));
  ASSERT_EQ_U(perm, LSP_PROXY);
  ASSERT_FALSE(ws2__catalog_app_category(cat, "/usr/bin/svchost", NULL, &perm));
  ASSERT_EQ(ws2__catalog_remove_app(cat, "/usr/bin/server", NULL), 1);
  ASSERT_EQ(ws2__catalog_remove_app(cat, "/usr/bin/server", NULL), 0);
  ASSERT_EQ(ws2__catalog_set_provider_categories(cat, &g1, 0), 0);
  ASSERT_EQ(cat->nproviders, 0);
  ws2__catalog_release(cat);
}
