/*
 * resolve-text.c: addresses as text and byte order, as Windows does them:
 * inet_pton, inet_ntop, InetPtonW, InetNtopW, inet_addr, inet_ntoa,
 * WSAAddressToStringA/W, WSAStringToAddressA/W, and htonl, htons, ntohl,
 * ntohs. The text forms themselves are described in resolve.h.
 *
 * Only WSAAddressToString and WSAStringToAddress need WSAStartup (they go
 * through a provider on Windows); the others are plain conversions.
 */
#include <winsock2.h>
#include <ws2tcpip.h>

#include "core/alloc.h"
#include "ws2/resolve.h"
#include "ws2/ws2.h"
#include "xlate/wstr.h"

#include <string.h>

/*
 * What inet_ntop and InetNtopW leave in WSAGetLastError when the buffer
 * is missing or short: ERROR_INVALID_PARAMETER, as their documentation
 * says (and Wine does). Windows 8 and later leave the NTSTATUS
 * STATUS_INVALID_PARAMETER (0xC000000D) there instead, which is no Win32
 * or Winsock error code (Windows 7 said WSAEINVAL); ws2 follows the
 * documentation (docs/WINE.md).
 */
#define NTOP_BAD_BUFFER ERROR_INVALID_PARAMETER

/* ---- Byte order. ---- */

WS_u_long WSAAPI WS_htonl(WS_u_long hostlong) {
  return __builtin_bswap32(hostlong);
}
WS_u_short WSAAPI WS_htons(WS_u_short hostshort) {
  return __builtin_bswap16(hostshort);
}
WS_u_long WSAAPI WS_ntohl(WS_u_long netlong) {
  return __builtin_bswap32(netlong);
}
WS_u_short WSAAPI WS_ntohs(WS_u_short netshort) {
  return __builtin_bswap16(netshort);
}

/* ---- Text forms (resolve.h). ---- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static char *put_dec(char *p, uint32_t v) {
  char tmp[10];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

size_t ws2__ip4_to_text(const uint8_t addr[4], char *buf) {
  char *p = buf;
  int i;
  for (i = 0; i < 4; i++) {
    if (i) *p++ = '.';
    p = put_dec(p, addr[i]);
  }
  *p = '\0';
  return (size_t)(p - buf);
}

size_t ws2__ip6_to_text(const uint8_t addr[16], char *buf) {
  static const char hex[] = "0123456789abcdef";
  uint16_t w[8];
  int i, ngroups = 8, best = -1, bestlen = 0, v4 = 0;
  char *p = buf;

  for (i = 0; i < 8; i++) w[i] = (uint16_t)(addr[2 * i] << 8 | addr[2 * i + 1]);
  /* Which addresses end in dotted IPv4 (see resolve.h). */
  if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0) {
    if (w[4] == 0 && w[5] == 0 && w[6] != 0)
      v4 = 1; /* ::a.b.c.d */
    else if (w[4] == 0 && w[5] == 0xffff && w[6] != 0)
      v4 = 1; /* mapped */
    else if (w[4] == 0xffff && w[5] == 0 && w[6] != 0)
      v4 = 1; /* translated */
  }
  if ((w[4] == 0 || w[4] == 0x0200) && w[5] == 0x5efe) v4 = 1; /* ISATAP */
  if (v4) ngroups = 6;

  for (i = 0; i < ngroups;) {
    int j = i;
    while (j < ngroups && w[j] == 0) j++;
    if (j - i > bestlen) {
      best = i;
      bestlen = j - i;
    }
    i = j > i ? j : i + 1;
  }
  if (bestlen < 2) best = -1;

  for (i = 0; i < ngroups; i++) {
    if (i == best) {
      *p++ = ':';
      if (i == 0) *p++ = ':';
      i += bestlen - 1;
      continue;
    }
    {
      uint16_t v = w[i];
      int shift, started = 0;
      for (shift = 12; shift >= 0; shift -= 4) {
        int d = (v >> shift) & 0xf;
        if (d || started || shift == 0) {
          *p++ = hex[d];
          started = 1;
        }
      }
    }
    if (i < ngroups - 1 || v4) *p++ = ':';
  }
  if (v4) {
    p += ws2__ip4_to_text(addr + 12, p);
  } else {
    *p = '\0';
  }
  return (size_t)(p - buf);
}

int ws2__ip4_parse_strict(const char *s, uint8_t out[4], const char **end) {
  uint8_t a[4];
  const char *p = s;
  int i;

  for (i = 0; i < 4; i++) {
    unsigned v = 0;
    if (!is_digit(*p)) return 0;
    if (*p == '0') {
      p++;
      /* No leading zeros, and no 0x: Windows rejects both outright. */
      if (is_digit(*p) || *p == 'x' || *p == 'X') return 0;
    } else {
      while (is_digit(*p)) {
        v = v * 10 + (unsigned)(*p++ - '0');
        if (v > 255) return 0;
      }
    }
    a[i] = (uint8_t)v;
    if (i < 3) {
      if (*p != '.') return 0;
      p++;
    }
  }
  if (*p == '.') return 0; /* a fifth part */
  memcpy(out, a, 4);
  *end = p;
  return 1;
}

/*
 * One BSD number: decimal, octal (leading 0) or hex (0x). Values wrap at
 * 32 bits, as Windows' do ("0x123456789" is 0x23456789). Returns 0 when
 * there is no number or an octal number has an 8 or a 9.
 */
static int bsd_number(const char **pp, uint32_t *out) {
  const char *p = *pp;
  uint32_t v = 0;

  if (!is_digit(*p)) return 0;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    p += 2;
    if (hex_value(*p) < 0) return 0;
    while (hex_value(*p) >= 0) v = v * 16 + (uint32_t)hex_value(*p++);
  } else if (p[0] == '0') {
    while (is_digit(*p)) {
      if (*p > '7') return 0;
      v = v * 8 + (uint32_t)(*p++ - '0');
    }
  } else {
    while (is_digit(*p)) v = v * 10 + (uint32_t)(*p++ - '0');
  }
  *pp = p;
  *out = v;
  return 1;
}

int ws2__ip4_parse_bsd(const char *s, uint8_t out[4], const char **end) {
  uint32_t part[4], v;
  const char *p = s;
  int n = 0, i;

  for (;;) {
    if (!bsd_number(&p, &part[n])) return 0;
    n++;
    if (*p != '.') break;
    if (n == 4) return 0;
    p++;
  }
  for (i = 0; i < n - 1; i++)
    if (part[i] > 255) return 0;
  if (part[n - 1] > (0xFFFFFFFFu >> (8 * (n - 1)))) return 0;
  v = part[n - 1];
  for (i = 0; i < n - 1; i++) v |= part[i] << (24 - 8 * i);
  out[0] = (uint8_t)(v >> 24);
  out[1] = (uint8_t)(v >> 16);
  out[2] = (uint8_t)(v >> 8);
  out[3] = (uint8_t)v;
  *end = p;
  return 1;
}

/* The dotted IPv4 tail of an IPv6 address: 1-3 digits per part. */
static int ip6_v4_tail(const char **pp, uint8_t out[4]) {
  const char *p = *pp;
  int i;
  for (i = 0; i < 4; i++) {
    unsigned v = 0;
    int k = 0;
    while (is_digit(*p)) {
      if (++k > 3) return 0;
      v = v * 10 + (unsigned)(*p++ - '0');
    }
    if (k == 0 || v > 255) return 0;
    out[i] = (uint8_t)v;
    if (i < 3) {
      if (*p != '.') return 0;
      p++;
    }
  }
  *pp = p;
  return 1;
}

int ws2__ip6_parse(const char *s, uint8_t out[16], const char **end) {
  uint16_t w[8];
  const char *p = s, *after_dc = NULL;
  int n = 0, dc = -1, i;

  if (p[0] == ':') {
    if (p[1] != ':') return 0;
    dc = 0;
    p += 2;
    after_dc = p;
  }
  while (n < 8) {
    int k = 0, decimal = 1;
    uint32_t v = 0;

    while (k < 5 && hex_value(p[k]) >= 0) {
      if (!is_digit(p[k])) decimal = 0;
      k++;
    }
    if (k == 0) {
      if (p != after_dc) return 0; /* a lone ':' needs a group after it */
      break;
    }
    if (p[k] == '.' && decimal) { /* the IPv4 tail */
      uint8_t v4[4];
      if (n > 6 || !ip6_v4_tail(&p, v4)) return 0;
      w[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
      w[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
      break;
    }
    if (k > 4) return 0;
    for (i = 0; i < k; i++) v = v * 16 + (uint32_t)hex_value(p[i]);
    w[n++] = (uint16_t)v;
    p += k;
    if (n == 8 || *p != ':') break;
    if (p[1] == ':') {
      if (dc >= 0) return 0; /* a second "::" */
      dc = n;
      p += 2;
      after_dc = p;
      continue;
    }
    p++;
    if (hex_value(*p) < 0) return 0;
  }
  if (dc >= 0) {
    /* "::" stands for at least one group; and Windows' own quirk. */
    if (n == 8 || (dc == 0 && n == 7)) return 0;
    memmove(w + dc + (8 - n), w + dc, (size_t)(n - dc) * sizeof(w[0]));
    for (i = dc; i < dc + (8 - n); i++) w[i] = 0;
  } else if (n != 8) {
    return 0;
  }
  for (i = 0; i < 8; i++) {
    out[2 * i] = (uint8_t)(w[i] >> 8);
    out[2 * i + 1] = (uint8_t)w[i];
  }
  *end = p;
  return 1;
}

/* ---- inet_addr, inet_ntoa. ---- */

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

/*
 * Windows' inet_addr: the BSD forms, ended by the end of the string or by
 * white space (whatever follows it is ignored). NULL sets WSAEFAULT; a
 * string of one space is INADDR_ANY, a quirk Windows keeps.
 */
WS_u_long WSAAPI WS_inet_addr(const char *cp) {
  uint8_t a[4];
  const char *end;
  WS_u_long v;

  if (!cp) {
    WSASetLastError(WSAEFAULT);
    return WS_INADDR_NONE;
  }
  if (cp[0] == ' ' && cp[1] == '\0') return 0;
  if (!ws2__ip4_parse_bsd(cp, a, &end) || (*end && !is_space(*end)))
    return WS_INADDR_NONE;
  memcpy(&v, a, sizeof(v));
  return v;
}

/* The text lives in a per-thread buffer, valid until the next call (NULL,
 * the documented failure, when there is no memory for one). */
static ws2__tbuf_t ntoa_buf = WS2__TBUF_INIT(WS2__IP4_TEXT);

char *WSAAPI WS_inet_ntoa(struct WS_in_addr in) {
  char *buf = ws2__tbuf_get(&ntoa_buf);
  uint8_t a[4];
  if (!buf) return NULL;
  memcpy(a, &in, sizeof(a));
  ws2__ip4_to_text(a, buf);
  return buf;
}

/* ---- inet_pton, InetPtonW. ---- */

/*
 * Returns 1, 0 (not an address; an address followed by other text is
 * written to buf but still 0, as on Windows) or -1 with the error in *err.
 */
static int pton(INT family, const char *s, void *buf, int *err) {
  uint8_t a[16];
  const char *end;
  int ok;

  if (!s || !buf) {
    *err = WSAEFAULT;
    return -1;
  }
  if (family == WS_AF_INET) {
    ok = ws2__ip4_parse_strict(s, a, &end);
    if (ok) memcpy(buf, a, 4);
  } else if (family == WS_AF_INET6) {
    ok = ws2__ip6_parse(s, a, &end);
    if (ok) memcpy(buf, a, 16);
  } else {
    *err = WSAEAFNOSUPPORT;
    return -1;
  }
  return ok && *end == '\0';
}

INT WSAAPI WS_inet_pton(INT Family, PCSTR pszAddrString, PVOID pAddrBuf) {
  int err, r = pton(Family, pszAddrString, pAddrBuf, &err);
  if (r < 0) WSASetLastError(err);
  return r;
}

/*
 * The wide string w as UTF-8: in buf when it fits, else in memory from
 * ws2__malloc left in *heap for the caller to free. NULL when out of
 * memory.
 */
static const char *narrow(const WCHAR *w, char *buf, size_t cap, char **heap) {
  *heap = NULL;
  if (ws2__wstr_to_ubuf(w, buf, cap) <= cap) return buf;
  if (ws2__wstr_to_utf8(w, heap) != 0) return NULL;
  return *heap;
}

INT WSAAPI InetPtonW(INT Family, PCWSTR pszAddrString, PVOID pAddrBuf) {
  char buf[128], *heap = NULL;
  const char *s = NULL;
  int err, r;

  if (pszAddrString) {
    s = narrow(pszAddrString, buf, sizeof(buf), &heap);
    if (!s) {
      WSASetLastError(WSA_NOT_ENOUGH_MEMORY);
      return -1;
    }
  }
  r = pton(Family, s, pAddrBuf, &err);
  ws2__free(heap);
  if (r < 0) WSASetLastError(err);
  /* Unlike inet_pton, the wide form also says why it returned 0. */
  if (r == 0) WSASetLastError(WSAEINVAL);
  return r;
}

/* ---- inet_ntop, InetNtopW. ---- */

/* The text of an address in buf (WS2__IP6_TEXT), or -1 with *err. */
static long ntop(INT family, const void *addr, char *buf, int *err) {
  if (family == WS_AF_INET) {
    if (!addr) goto bad;
    return (long)ws2__ip4_to_text(addr, buf);
  }
  if (family == WS_AF_INET6) {
    if (!addr) goto bad;
    return (long)ws2__ip6_to_text(addr, buf);
  }
  *err = WSAEAFNOSUPPORT;
  return -1;
bad:
  *err = NTOP_BAD_BUFFER;
  return -1;
}

PCSTR WSAAPI WS_inet_ntop(INT Family, const VOID *pAddr, PSTR pStringBuf,
                          size_t StringBufSize) {
  char text[WS2__IP6_TEXT];
  int err = 0;
  long n = ntop(Family, pAddr, text, &err);

  if (n >= 0 && (!pStringBuf || StringBufSize <= (size_t)n)) {
    err = NTOP_BAD_BUFFER;
    n = -1;
  }
  if (n < 0) {
    WSASetLastError(err);
    return NULL;
  }
  memcpy(pStringBuf, text, (size_t)n + 1);
  return pStringBuf;
}

PCWSTR WSAAPI InetNtopW(INT Family, const VOID *pAddr, PWSTR pStringBuf,
                        size_t StringBufSize) {
  char text[WS2__IP6_TEXT];
  int err = 0, i;
  long n = ntop(Family, pAddr, text, &err);

  if (n >= 0 && (!pStringBuf || StringBufSize <= (size_t)n)) {
    err = NTOP_BAD_BUFFER;
    n = -1;
  }
  if (n < 0) {
    WSASetLastError(err);
    return NULL;
  }
  for (i = 0; i <= n; i++) pStringBuf[i] = (WCHAR)(unsigned char)text[i];
  return pStringBuf;
}

/* ---- WSAAddressToString. ---- */

/* Longest: "[" 45 "%" 4294967295 "]:" 65535 NUL = 65, INET6_ADDRSTRLEN. */
#define ADDR_TEXT WS_INET6_ADDRSTRLEN

/* The text of a sockaddr in buf (ADDR_TEXT), or -1 with the error. */
static int sockaddr_to_text(const struct WS_sockaddr *sa, DWORD len, char *buf,
                            int *err) {
  ADDRESS_FAMILY family;
  char *p = buf;

  if (!sa || len < sizeof(family)) {
    *err = WSAEINVAL;
    return -1;
  }
  memcpy(&family, sa, sizeof(family));
  if (family == WS_AF_INET) {
    struct WS_sockaddr_in in;
    if (len < sizeof(in)) {
      *err = WSAEINVAL;
      return -1;
    }
    memcpy(&in, sa, sizeof(in));
    p += ws2__ip4_to_text((const uint8_t *)&in.sin_addr, p);
    if (in.sin_port) {
      *p++ = ':';
      p = put_dec(p, WS_ntohs(in.sin_port));
    }
  } else if (family == WS_AF_INET6) {
    struct WS_sockaddr_in6 in6;
    if (len < sizeof(in6)) {
      *err = WSAEINVAL;
      return -1;
    }
    memcpy(&in6, sa, sizeof(in6));
    if (in6.sin6_port) *p++ = '[';
    p += ws2__ip6_to_text(in6.sin6_addr.u.Byte, p);
    if (in6.sin6_scope_id) {
      *p++ = '%';
      p = put_dec(p, in6.sin6_scope_id);
    }
    if (in6.sin6_port) {
      *p++ = ']';
      *p++ = ':';
      p = put_dec(p, WS_ntohs(in6.sin6_port));
    }
  } else {
    *err = WSAEINVAL;
    return -1;
  }
  *p = '\0';
  return (int)(p - buf);
}

INT WSAAPI WSAAddressToStringA(LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
                               LPWSAPROTOCOL_INFOA lpProtocolInfo,
                               LPSTR lpszAddressString,
                               LPDWORD lpdwAddressStringLength) {
  char text[ADDR_TEXT];
  int err, n;

  if (!ws2__check_started()) return SOCKET_ERROR;
  if (!lpdwAddressStringLength) {
    WSASetLastError(WSAEINVAL);
    return SOCKET_ERROR;
  }
  n = sockaddr_to_text(lpsaAddress, dwAddressLength, text, &err);
  if (n < 0) {
    WSASetLastError(err);
    return SOCKET_ERROR;
  }
  if (!lpszAddressString || *lpdwAddressStringLength < (DWORD)n + 1) {
    *lpdwAddressStringLength = (DWORD)n + 1;
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  memcpy(lpszAddressString, text, (size_t)n + 1);
  *lpdwAddressStringLength = (DWORD)n + 1;
  return 0;
}

INT WSAAPI WSAAddressToStringW(LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
                               LPWSAPROTOCOL_INFOW lpProtocolInfo,
                               LPWSTR lpszAddressString,
                               LPDWORD lpdwAddressStringLength) {
  char text[ADDR_TEXT];
  int err, n, i;

  if (!ws2__check_started()) return SOCKET_ERROR;
  if (!lpdwAddressStringLength) {
    WSASetLastError(WSAEINVAL);
    return SOCKET_ERROR;
  }
  n = sockaddr_to_text(lpsaAddress, dwAddressLength, text, &err);
  if (n < 0) {
    WSASetLastError(err);
    return SOCKET_ERROR;
  }
  if (!lpszAddressString || *lpdwAddressStringLength < (DWORD)n + 1) {
    *lpdwAddressStringLength = (DWORD)n + 1;
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  for (i = 0; i <= n; i++) lpszAddressString[i] = (WCHAR)(unsigned char)text[i];
  *lpdwAddressStringLength = (DWORD)n + 1;
  return 0;
}

/* ---- WSAStringToAddress. ---- */

/*
 * ":port" after an address: decimal, octal or hex as in the BSD forms,
 * 1 to 65535, and the end of the string right after it.
 */
static int parse_port(const char *p, USHORT *port) {
  uint32_t v = 0;
  int base = 10, any = 0;

  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  } else if (p[0] == '0') {
    base = 8;
  }
  for (; *p; p++) {
    int d = hex_value(*p);
    if (d < 0 || d >= base) return 0;
    v = v * (uint32_t)base + (uint32_t)d;
    if (v > 0xFFFF) return 0;
    any = 1;
  }
  if (!any || v == 0) return 0;
  *port = WS_htons((WS_u_short)v);
  return 1;
}

static int string_to_in(const char *s, struct WS_sockaddr_in *in) {
  const char *end;
  if (!ws2__ip4_parse_bsd(s, (uint8_t *)&in->sin_addr, &end)) return 0;
  if (*end == ':') {
    if (!parse_port(end + 1, &in->sin_port)) return 0;
  } else if (*end) {
    return 0;
  }
  in->sin_family = WS_AF_INET;
  return 1;
}

/* "addr", "addr%scope", "[addr]", "[addr%scope]", with ":port" after "]". */
static int string_to_in6(const char *s, struct WS_sockaddr_in6 *in6) {
  const char *p = s, *end;
  int bracket = 0;
  uint8_t a[16];
  ULONG scope = 0;

  if (*p == '[') {
    bracket = 1;
    p++;
  }
  if (!ws2__ip6_parse(p, a, &end)) return 0;
  p = end;
  if (*p == '%') {
    uint64_t v = 0;
    p++;
    if (!is_digit(*p)) return 0;
    while (is_digit(*p)) {
      v = v * 10 + (uint64_t)(*p++ - '0');
      if (v > 0xFFFFFFFFu) return 0;
    }
    scope = (ULONG)v;
  }
  if (bracket) {
    if (*p++ != ']') return 0;
    if (*p == ':') {
      if (!parse_port(p + 1, &in6->sin6_port)) return 0;
      p += strlen(p);
    }
  }
  if (*p) return 0;
  in6->sin6_family = WS_AF_INET6;
  memcpy(in6->sin6_addr.u.Byte, a, 16);
  in6->sin6_scope_id = scope;
  return 1;
}

/*
 * The buffer is cleared before the string is parsed, so a failed call
 * leaves a zero family there, as Windows does.
 */
static int string_to_address(const char *s, INT family, LPSOCKADDR addr,
                             LPINT len) {
  int need;

  if (!ws2__check_started()) return SOCKET_ERROR;
  if (!s || !len) {
    WSASetLastError(WSAEINVAL);
    return SOCKET_ERROR;
  }
  if (family == WS_AF_INET) {
    need = sizeof(struct WS_sockaddr_in);
  } else if (family == WS_AF_INET6) {
    need = sizeof(struct WS_sockaddr_in6);
  } else {
    WSASetLastError(WSAEINVAL);
    return SOCKET_ERROR;
  }
  if (*len < need || !addr) {
    if (*len < need) *len = need;
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  memset(addr, 0, (size_t)need);
  if (family == WS_AF_INET
          ? !string_to_in(s, (struct WS_sockaddr_in *)addr)
          : !string_to_in6(s, (struct WS_sockaddr_in6 *)addr)) {
    memset(addr, 0, (size_t)need);
    WSASetLastError(WSAEINVAL);
    return SOCKET_ERROR;
  }
  *len = need;
  return 0;
}

INT WSAAPI WSAStringToAddressA(LPSTR AddressString, INT AddressFamily,
                               LPWSAPROTOCOL_INFOA lpProtocolInfo,
                               LPSOCKADDR lpAddress, LPINT lpAddressLength) {
  return string_to_address(AddressString, AddressFamily, lpAddress,
                           lpAddressLength);
}

INT WSAAPI WSAStringToAddressW(LPWSTR AddressString, INT AddressFamily,
                               LPWSAPROTOCOL_INFOW lpProtocolInfo,
                               LPSOCKADDR lpAddress, LPINT lpAddressLength) {
  char buf[128], *heap = NULL;
  const char *s = NULL;
  int r;

  if (AddressString) {
    s = narrow(AddressString, buf, sizeof(buf), &heap);
    if (!s) {
      if (!ws2__check_started()) return SOCKET_ERROR;
      WSASetLastError(WSA_NOT_ENOUGH_MEMORY);
      return SOCKET_ERROR;
    }
  }
  r = string_to_address(s, AddressFamily, lpAddress, lpAddressLength);
  ws2__free(heap);
  return r;
}
