/*
 * config.c: where the proxy is, and which connections go through it
 * (README.md, "Configuration").
 *
 * The file ($WS2_SOCKS5_CONFIG, else /etc/ws2/socks5.conf) is read at the
 * process's first WSAStartup; $WS2_SOCKS5_PROXY, when set, is the proxy
 * whatever the file says. Addresses are parsed by <ws2ext/lsp.h> (the C
 * library has no inet_pton on Windows, and <ws2tcpip.h> is not among the
 * headers a layer may use). Sockaddrs are read and written by their Winsock
 * layout, the same on both systems: the family (16 bits, host order) at byte 0,
 * the port (network order) at byte 2, then the IPv4 address at byte 4, or the
 * IPv6 flow info at 4, address at 8 and scope id at 24.
 */
#include "socks5.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Addresses ------------------------------------------------------- */

/* The address and port of a sockaddr: its family, or 0 when it is not
 * IPv4 or IPv6 (or too short). An IPv4-mapped IPv6 address (a dual-stack
 * socket's way to an IPv4 host) is returned as the IPv4 address. */
static int sockaddr_parts(const struct sockaddr *sa, int len,
                          unsigned char *addr, unsigned *port) {
  const unsigned char *b = (const unsigned char *)sa;
  static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
  if (!sa) return 0;
  if (sa->sa_family == AF_INET && len >= 16) {
    memcpy(addr, b + 4, 4);
  } else if (sa->sa_family == AF_INET6 && len >= 24) {
    if (memcmp(b + 8, v4mapped, 12) == 0) {
      memcpy(addr, b + 20, 4);
      *port = (unsigned)b[2] << 8 | b[3];
      return AF_INET;
    }
    memcpy(addr, b + 8, 16);
  } else {
    return 0;
  }
  *port = (unsigned)b[2] << 8 | b[3];
  return sa->sa_family;
}

static int make_sockaddr(int family, const unsigned char *addr, unsigned port,
                         SOCKADDR_STORAGE *out) {
  unsigned char *b = (unsigned char *)out;
  memset(out, 0, sizeof(*out));
  out->ss_family = (ADDRESS_FAMILY)family;
  b[2] = (unsigned char)(port >> 8);
  b[3] = (unsigned char)port;
  if (family == AF_INET) {
    memcpy(b + 4, addr, 4);
    return 16;
  }
  memcpy(b + 8, addr, 16);
  return 28;
}

/* ---- The proxy's URL ------------------------------------------------- */

/* %XX escapes (a password may hold '@' or ':'). */
static int unescape(const char *s, size_t n, char *out, size_t size) {
  size_t i, j = 0;
  for (i = 0; i < n; i++) {
    int c = (unsigned char)s[i];
    if (c == '%' && i + 2 < n && ws2lsp_hexval((unsigned char)s[i + 1]) >= 0 &&
        ws2lsp_hexval((unsigned char)s[i + 2]) >= 0) {
      c = ws2lsp_hexval((unsigned char)s[i + 1]) * 16 +
          ws2lsp_hexval((unsigned char)s[i + 2]);
      i += 2;
    }
    if (j + 1 >= size) return -1;
    out[j++] = (char)c;
  }
  out[j] = '\0';
  return 0;
}

/*
 * [socks5://][user[:password]@]host:port, host an IPv4 address, an IPv6
 * address in brackets, or "localhost" (127.0.0.1). NULL, or what is wrong.
 */
static const char *parse_proxy(const char *url, s5_config_t *c) {
  const char *p = url, *at, *host, *colon;
  char h[64];
  unsigned char addr[16];
  unsigned long port;
  int family;
  size_t n;
  char *end;
  if (!strncmp(p, "socks5://", 9))
    p += 9;
  else if (!strncmp(p, "socks5h://", 10))
    p += 10;
  else if (strstr(p, "://"))
    return "the proxy's scheme is not socks5://";
  c->has_auth = 0;
  c->user[0] = c->pass[0] = '\0';
  if ((at = strrchr(p, '@')) != NULL) {
    const char *sep = memchr(p, ':', (size_t)(at - p));
    size_t ulen = sep ? (size_t)(sep - p) : (size_t)(at - p);
    if (unescape(p, ulen, c->user, sizeof(c->user)) != 0 ||
        (sep && unescape(sep + 1, (size_t)(at - sep - 1), c->pass,
                         sizeof(c->pass)) != 0))
      return "the user name or password is longer than 255 bytes";
    if (!c->user[0]) return "an empty user name";
    c->has_auth = 1;
    p = at + 1;
  }
  if (*p == '[') {
    const char *close = strchr(p, ']');
    if (!close || close[1] != ':') return "bad proxy address";
    host = p + 1;
    n = (size_t)(close - host);
    colon = close + 1;
  } else {
    if (!(colon = strrchr(p, ':'))) return "the proxy needs a port";
    host = p;
    n = (size_t)(colon - p);
  }
  if (n == 0 || n >= sizeof(h)) return "bad proxy address";
  memcpy(h, host, n);
  h[n] = '\0';
  port = strtoul(colon + 1, &end, 10);
  if (!isdigit((unsigned char)colon[1]) || *end != '\0' || port == 0 ||
      port > 65535)
    return "bad proxy port";
  if (!strcmp(h, "localhost")) strcpy(h, "127.0.0.1");
  if (ws2lsp_parse_addr(h, addr, &family) != 0)
    return "the proxy must be an IP address (or localhost)";
  c->proxy_len = make_sockaddr(family, addr, (unsigned)port, &c->proxy);
  c->has_proxy = 1;
  return NULL;
}

/* ---- The file -------------------------------------------------------- */

static void error_at(s5_config_t *c, int line, const char *what,
                     const char *word) {
  if (!c->errline) {
    c->errline = line;
    snprintf(c->error, sizeof(c->error), "%s%s%.60s%s", what, word ? " \"" : "",
             word ? word : "", word ? "\"" : "");
  }
  if (word)
    fprintf(stderr, "ws2-socks5: %s:%d: %s \"%s\"\n", c->path, line, what,
            word);
  else
    fprintf(stderr, "ws2-socks5: %s:%d: %s\n", c->path, line, what);
}

static int parse_net(const char *s, s5_net_t *net) {
  char text[64], *slash;
  char *end;
  if (strlen(s) >= sizeof(text)) return -1;
  strcpy(text, s);
  if ((slash = strchr(text, '/')) != NULL) *slash++ = '\0';
  if (ws2lsp_parse_addr(text, net->addr, &net->family) != 0) return -1;
  net->prefix = net->family == AF_INET ? 32 : 128;
  if (slash) {
    long bits = strtol(slash, &end, 10);
    if (!isdigit((unsigned char)*slash) || *end || bits > net->prefix)
      return -1;
    net->prefix = (int)bits;
  }
  return 0;
}

static void parse_line(s5_config_t *c, int line, char **w, int n) {
  const char *k = w[0];
  if (!strcmp(k, "proxy")) {
    const char *what;
    if (n != 2) return error_at(c, line, "proxy needs one URL", NULL);
    if ((what = parse_proxy(w[1], c)) != NULL) error_at(c, line, what, w[1]);
  } else if (!strcmp(k, "loopback")) {
    if (n != 2 || (strcmp(w[1], "proxy") && strcmp(w[1], "direct")))
      return error_at(c, line, "loopback needs proxy or direct", NULL);
    c->loopback = !strcmp(w[1], "proxy");
  } else if (!strcmp(k, "direct")) {
    s5_net_t net, *v;
    if (n != 2) return error_at(c, line, "direct needs one address", NULL);
    if (parse_net(w[1], &net) != 0)
      return error_at(c, line, "bad address or prefix", w[1]);
    if (!(v = realloc(c->direct, sizeof(*v) * (size_t)(c->ndirect + 1))))
      return error_at(c, line, "out of memory", NULL);
    c->direct = v;
    c->direct[c->ndirect++] = net;
  } else if (!strcmp(k, "name")) {
    s5_name_t name, *v;
    if (n != 3)
      return error_at(c, line, "name needs an address and a name", NULL);
    if (ws2lsp_parse_addr(w[1], name.addr, &name.family) != 0)
      return error_at(c, line, "bad address", w[1]);
    if (strlen(w[2]) > 255 || !w[2][0])
      return error_at(c, line, "a host name is 1 to 255 bytes", w[2]);
    strcpy(name.host, w[2]);
    if (!(v = realloc(c->names, sizeof(*v) * (size_t)(c->nnames + 1))))
      return error_at(c, line, "out of memory", NULL);
    c->names = v;
    c->names[c->nnames++] = name;
  } else if (!strcmp(k, "timeout")) {
    char *end;
    unsigned long ms = n == 2 ? strtoul(w[1], &end, 10) : 0;
    if (n != 2 || !isdigit((unsigned char)w[1][0]) || *end || ms == 0 ||
        ms > 3600000)
      return error_at(c, line, "timeout needs milliseconds (1 to 3600000)",
                      NULL);
    c->timeout_ms = (DWORD)ms;
  } else {
    error_at(c, line, "unknown word", k);
  }
}

void s5_config_load(s5_config_t *c) {
  const char *path = getenv("WS2_SOCKS5_CONFIG"), *env;
  char line[1024];
  int lineno = 0;
  FILE *f;
  memset(c, 0, sizeof(*c));
  c->timeout_ms = 30000;
#ifdef _WIN32
  if (!path) {
    const char *pd = getenv("ProgramData");
    snprintf(c->path, sizeof(c->path), "%s\\ws2\\socks5.conf",
             pd ? pd : "C:\\ProgramData");
  }
#else
  if (!path) snprintf(c->path, sizeof(c->path), "/etc/ws2/socks5.conf");
#endif
  if (path) snprintf(c->path, sizeof(c->path), "%s", path);
  if ((f = fopen(c->path, "r")) != NULL) {
    while (fgets(line, sizeof(line), f)) {
      char *w[4], *p = line;
      int n = 0;
      lineno++;
      if (!strchr(line, '\n') && !feof(f)) {
        int ch;
        error_at(c, lineno, "line too long", NULL);
        while ((ch = fgetc(f)) != EOF && ch != '\n') {
        }
        continue;
      }
      for (;;) { /* words, up to a '#' */
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (!*p || *p == '#') break;
        if (n == 4) {
          n = 5;
          break;
        }
        w[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') p++;
        if (*p) *p++ = '\0';
      }
      if (n == 5)
        error_at(c, lineno, "too many words", NULL);
      else if (n > 0)
        parse_line(c, lineno, w, n);
    }
    fclose(f);
  } else if (path) {
    fprintf(stderr, "ws2-socks5: %s: no such configuration file\n", c->path);
  }
  if ((env = getenv("WS2_SOCKS5_PROXY")) != NULL && *env) {
    const char *what = parse_proxy(env, c);
    if (what) {
      fprintf(stderr, "ws2-socks5: WS2_SOCKS5_PROXY: %s\n", what);
      if (!c->errline) {
        c->errline = -1;
        snprintf(c->error, sizeof(c->error), "WS2_SOCKS5_PROXY: %s", what);
      }
    }
  }
  if (c->errline)
    fprintf(stderr,
            "ws2-socks5: the configuration is not used: every connection is "
            "refused (WSAENETDOWN) until it is fixed\n");
}

void s5_config_free(s5_config_t *c) {
  free(c->direct);
  free(c->names);
  c->direct = NULL;
  c->names = NULL;
  c->ndirect = c->nnames = 0;
}

/* ---- Routing --------------------------------------------------------- */

int s5_route(const s5_config_t *c, const struct sockaddr *to, int len,
             const char **host) {
  unsigned char a[16], pa[16];
  unsigned port, pport = 0;
  int family, pfamily, i;
  static const unsigned char zero[16];
  *host = NULL;
  if (c->errline) return S5_REFUSE;
  if (!c->has_proxy) return S5_DIRECT;
  if (!(family = sockaddr_parts(to, len, a, &port))) return S5_DIRECT;
  for (i = 0; i < c->nnames; i++)
    if (c->names[i].family == family &&
        !memcmp(c->names[i].addr, a, family == AF_INET ? 4 : 16)) {
      *host = c->names[i].host;
      return S5_PROXY;
    }
  /* The proxy itself, and addresses no connection goes to, go direct. */
  pfamily = sockaddr_parts((const struct sockaddr *)&c->proxy, c->proxy_len, pa,
                           &pport);
  if (pfamily == family && port == pport &&
      !memcmp(pa, a, family == AF_INET ? 4 : 16))
    return S5_DIRECT;
  if (!memcmp(a, zero, family == AF_INET ? 4 : 16)) return S5_DIRECT;
  if (!c->loopback) {
    static const unsigned char v6loop[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 0, 0, 0, 0, 1};
    if (family == AF_INET ? a[0] == 127 : !memcmp(a, v6loop, 16))
      return S5_DIRECT;
  }
  for (i = 0; i < c->ndirect; i++)
    if (c->direct[i].family == family &&
        ws2lsp_prefix_matches(a, c->direct[i].addr, c->direct[i].prefix))
      return S5_DIRECT;
  return S5_PROXY;
}
