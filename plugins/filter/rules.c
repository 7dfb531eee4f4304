/*
 * rules.c: reading the filter's rule file and matching calls against it
 * (rules.h). Only the C library: the rule file is text, read with stdio,
 * and addresses are parsed by <ws2ext/lsp.h> rather than with inet_pton,
 * which the Windows build would have to take from <ws2tcpip.h>.
 */
#include "rules.h"

#include <ws2ext/lsp.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- Addresses ------------------------------------------------------- */

int f_parse_addr(const char *s, unsigned char *out, int *family) {
  int af, r = ws2lsp_parse_addr(s, out, &af);
  *family = af == AF_INET6 ? F_V6 : F_V4;
  return r;
}

void f_format_addr(int family, const unsigned char *a, char *out, size_t size) {
  int best = -1, best_len = 0, i, j;
  size_t used = 0;
  if (family == F_V4) {
    snprintf(out, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    return;
  }
  if (family != F_V6) {
    snprintf(out, size, "?");
    return;
  }
  /* The longest run of two or more zero groups becomes "::". */
  for (i = 0; i < 8; i = j + 1) {
    for (j = i; j < 8 && a[2 * j] == 0 && a[2 * j + 1] == 0; j++) {
    }
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
  }
  out[0] = '\0';
  for (i = 0; i < 8 && used < size; i++) {
    if (i == best) {
      used += (size_t)snprintf(out + used, size - used, "::");
      i += best_len - 1;
      continue;
    }
    used += (size_t)snprintf(out + used, size - used, "%s%x",
                             (i == 0 || i == best + best_len) ? "" : ":",
                             (unsigned)(a[2 * i] << 8 | a[2 * i + 1]));
  }
}

/* ---- The file -------------------------------------------------------- */

static char *copy(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  if (c) memcpy(c, s, n);
  return c;
}

/* Splits line (in place) into words; '#' starts a comment, and a word in
 * double quotes may hold spaces. The number of words, or -1 when a quote
 * is not closed. */
static int split(char *line, char **words, int max) {
  int n = 0;
  char *p = line;
  for (;;) {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    if (*p == '\0' || *p == '#') return n;
    if (n == max) return max + 1;
    if (*p == '"') {
      words[n++] = ++p;
      while (*p && *p != '"') p++;
      if (*p != '"') return -1;
      *p++ = '\0';
    } else {
      words[n++] = p;
      while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') p++;
      if (*p) *p++ = '\0';
    }
  }
}

static int parse_number(const char *s, unsigned max, unsigned *out) {
  unsigned long v = 0;
  if (!isdigit((unsigned char)*s)) return -1;
  while (isdigit((unsigned char)*s)) {
    v = v * 10 + (unsigned long)(*s++ - '0');
    if (v > max) return -1;
  }
  if (*s) return -1;
  *out = (unsigned)v;
  return 0;
}

/* Parses one rule's words (after allow/deny) into r: NULL, or what is
 * wrong (with the word in bad). */
static const char *parse_rule(char **w, int n, f_rule_t *r, const char **bad) {
  int i;
  for (i = 0; i < n; i++) {
    const char *k = w[i];
    *bad = k;
    if (!strcmp(k, "in") || !strcmp(k, "out") || !strcmp(k, "bind")) {
      int d = !strcmp(k, "in") ? F_IN : !strcmp(k, "out") ? F_OUT : F_BIND;
      if (r->dirs & d) return "repeated direction";
      r->dirs |= d;
    } else if (!strcmp(k, "tcp") || !strcmp(k, "udp")) {
      if (r->proto) return "a second protocol";
      r->proto = !strcmp(k, "tcp") ? F_TCP : F_UDP;
    } else if (!strcmp(k, "addr")) {
      char text[64], *slash;
      unsigned bits;
      if (r->family) return "a second address";
      if (++i == n) return "addr needs an address";
      *bad = w[i];
      if (strlen(w[i]) >= sizeof(text)) return "bad address";
      strcpy(text, w[i]);
      if ((slash = strchr(text, '/')) != NULL) *slash++ = '\0';
      if (f_parse_addr(text, r->addr, &r->family) != 0) {
        r->family = 0;
        return "bad address";
      }
      r->prefix = r->family == F_V4 ? 32 : 128;
      if (slash) {
        if (parse_number(slash, (unsigned)r->prefix, &bits) != 0)
          return "bad prefix length";
        r->prefix = (int)bits;
      }
    } else if (!strcmp(k, "port")) {
      char text[16], *dash;
      if (r->has_port) return "a second port";
      if (++i == n) return "port needs a port or a range";
      *bad = w[i];
      if (strlen(w[i]) >= sizeof(text)) return "bad port";
      strcpy(text, w[i]);
      if ((dash = strchr(text, '-')) != NULL) *dash++ = '\0';
      if (parse_number(text, 65535, &r->port_lo) != 0) return "bad port";
      r->port_hi = r->port_lo;
      if (dash && parse_number(dash, 65535, &r->port_hi) != 0)
        return "bad port";
      if (r->port_hi < r->port_lo) return "port range ends before it starts";
      r->has_port = 1;
    } else if (!strcmp(k, "program")) {
      if (r->program) return "a second program";
      if (++i == n) return "program needs a path or a file name";
      if (!(r->program = copy(w[i]))) return "out of memory";
    } else {
      return "unknown word";
    }
  }
  return NULL;
}

/* The line as written, without its comment and outer blanks. */
static char *trimmed(const char *line) {
  char buf[512];
  size_t n;
  const char *hash;
  while (*line == ' ' || *line == '\t') line++;
  n = strcspn(line, "\r\n");
  if ((hash = memchr(line, '#', n)) != NULL) n = (size_t)(hash - line);
  while (n && (line[n - 1] == ' ' || line[n - 1] == '\t')) n--;
  if (n >= sizeof(buf)) n = sizeof(buf) - 1;
  memcpy(buf, line, n);
  buf[n] = '\0';
  return copy(buf);
}

static void set_error(f_rules_t *r, int line, const char *what,
                      const char *word, FILE *log) {
  if (!r->error_line) {
    r->error_line = line;
    if (word)
      snprintf(r->error, sizeof(r->error), "%s \"%.40s\"", what, word);
    else
      snprintf(r->error, sizeof(r->error), "%s", what);
  }
  if (log) {
    if (word)
      fprintf(log, "ws2-filter: %s:%d: %s \"%s\"\n", r->path, line, what, word);
    else
      fprintf(log, "ws2-filter: %s:%d: %s\n", r->path, line, what);
  }
}

f_rules_t *f_rules_load(const char *path, FILE *log) {
  f_rules_t *r = calloc(1, sizeof(*r));
  char line[1024];
  int lineno = 0, cap = 0;
  FILE *f;
  if (!r) return NULL;
  r->default_action = F_ALLOW;
  snprintf(r->path, sizeof(r->path), "%s", path);
  if (!(f = fopen(path, "r"))) {
    r->missing = 1;
    return r;
  }
  while (fgets(line, sizeof(line), f)) {
    char copy_of_line[sizeof(line)], *w[16];
    int n;
    lineno++;
    if (!strchr(line, '\n') && !feof(f)) {
      int c;
      set_error(r, lineno, "line too long", NULL, log);
      while ((c = fgetc(f)) != EOF && c != '\n') {
      }
      continue;
    }
    memcpy(copy_of_line, line, sizeof(line));
    n = split(line, w, 16);
    if (n == 0) continue;
    if (n < 0) {
      set_error(r, lineno, "unclosed quote", NULL, log);
      continue;
    }
    if (n > 16) {
      set_error(r, lineno, "too many words", NULL, log);
      continue;
    }
    if (!strcmp(w[0], "default")) {
      if (n != 2 || (strcmp(w[1], "allow") && strcmp(w[1], "deny")))
        set_error(r, lineno, "default needs allow or deny", NULL, log);
      else if (r->default_line)
        set_error(r, lineno, "a second default line", NULL, log);
      else {
        r->default_action = !strcmp(w[1], "allow") ? F_ALLOW : F_DENY;
        r->default_line = lineno;
      }
    } else if (!strcmp(w[0], "allow") || !strcmp(w[0], "deny")) {
      f_rule_t rule;
      const char *what, *bad = NULL;
      memset(&rule, 0, sizeof(rule));
      rule.action = !strcmp(w[0], "allow") ? F_ALLOW : F_DENY;
      rule.line = lineno;
      if ((what = parse_rule(w + 1, n - 1, &rule, &bad)) != NULL) {
        set_error(r, lineno, what, bad, log);
        free(rule.program);
        continue;
      }
      if (r->n == cap) {
        int ncap = cap ? cap * 2 : 16;
        f_rule_t *v = realloc(r->v, sizeof(*v) * (size_t)ncap);
        if (!v) {
          free(rule.program);
          set_error(r, lineno, "out of memory", NULL, log);
          break;
        }
        r->v = v;
        cap = ncap;
      }
      rule.text = trimmed(copy_of_line);
      r->v[r->n++] = rule;
    } else {
      set_error(r, lineno, "a line starts with allow, deny or default, not",
                w[0], log);
    }
  }
  if (ferror(f)) set_error(r, lineno, "read error", NULL, log);
  fclose(f);
  if (r->error_line && log)
    fprintf(log,
            "ws2-filter: %s is not used: every connect, bind, sendto and "
            "accept is denied until it is fixed\n",
            path);
  return r;
}

void f_rules_free(f_rules_t *r) {
  int i;
  if (!r) return;
  for (i = 0; i < r->n; i++) {
    free(r->v[i].program);
    free(r->v[i].text);
  }
  free(r->v);
  free(r);
}

/* ---- Matching -------------------------------------------------------- */

static const char *base_name(const char *p) {
  const char *b = p, *s;
  for (s = p; *s; s++)
    if (*s == '/' || *s == '\\') b = s + 1;
  return b;
}

static int matches(const f_rule_t *r, const f_query_t *q) {
  if (r->dirs && !(r->dirs & q->dir)) return 0;
  if (r->proto && r->proto != q->proto) return 0;
  if (r->family) {
    unsigned char mapped[16];
    const unsigned char *a = q->addr;
    int family = q->family;
    /* An IPv4-mapped IPv6 address (::ffff:a.b.c.d, a dual-stack socket's
     * view of an IPv4 peer) is the IPv4 address for the rules. */
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0,    0,
                                               0, 0, 0, 0, 0xff, 0xff};
    if (family == F_V6 && memcmp(a, v4mapped, 12) == 0) {
      memcpy(mapped, a + 12, 4);
      a = mapped;
      family = F_V4;
    }
    if (family != r->family || !ws2lsp_prefix_matches(a, r->addr, r->prefix))
      return 0;
  }
  if (r->has_port &&
      (!q->family || q->port < r->port_lo || q->port > r->port_hi))
    return 0;
  if (r->program) {
    const char *name =
        strpbrk(r->program, "/\\") ? q->program : base_name(q->program);
    if (strcmp(name, r->program) != 0) return 0;
  }
  return 1;
}

int f_rules_decide(const f_rules_t *r, const f_query_t *q, char *why,
                   size_t size) {
  int i;
  if (r->error_line) {
    snprintf(why, size, "the unusable rule file (%s:%d: %s)", r->path,
             r->error_line, r->error);
    return F_DENY;
  }
  for (i = 0; i < r->n; i++)
    if (matches(&r->v[i], q)) {
      snprintf(why, size, "rule \"%s\" (%s:%d)", r->v[i].text, r->path,
               r->v[i].line);
      return r->v[i].action;
    }
  if (r->default_line)
    snprintf(why, size, "the default policy \"default %s\" (%s:%d)",
             r->default_action == F_ALLOW ? "allow" : "deny", r->path,
             r->default_line);
  else
    snprintf(why, size, "the built-in default (allow)");
  return r->default_action;
}
