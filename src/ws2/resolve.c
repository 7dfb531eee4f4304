/*
 * resolve.c: name resolution with Windows semantics on the system
 * resolver (glibc's getaddrinfo/getnameinfo): getaddrinfo, GetAddrInfoW,
 * freeaddrinfo, FreeAddrInfoW, getnameinfo, GetNameInfoW, gethostname,
 * GetHostNameW, gai_strerrorA, gai_strerrorW.
 *
 * What is Windows' rather than glibc's:
 *
 *  - Errors are Winsock codes (EAI_NONAME is WSAHOST_NOT_FOUND, ...), and
 *    the return value is also left in WSAGetLastError (0 on success).
 *  - getaddrinfo returns one entry per address, whatever the socket type:
 *    ai_socktype and ai_protocol are those of the hints (0 without hints),
 *    where glibc returns one entry per address and socket type. ai_flags
 *    of the results is 0; ai_canonname is set on the first entry only.
 *  - The hints' ai_addrlen, ai_canonname, ai_addr and ai_next must be
 *    0/NULL (WSANO_RECOVERY); AI_CANONNAME needs a node name
 *    (WSANO_RECOVERY); AI_CANONNAME with AI_FQDN, or a flag Windows does
 *    not define, is WSAEINVAL; an ai_family other than AF_UNSPEC, AF_INET,
 *    AF_INET6 is WSAEAFNOSUPPORT; an ai_socktype above SOCK_SEQPACKET is
 *    WSAESOCKTNOSUPPORT.
 *  - An empty node name means this host (its name, resolved; the loopback
 *    addresses if that name does not resolve); an empty service name means
 *    port 0, and a numeric one above 65535 is WSATYPE_NOT_FOUND (glibc
 *    would wrap it); "[addr]" and "[addr]:port" are accepted for an IPv6
 *    literal (the port is ignored, as Windows ignores it).
 *  - GetAddrInfoW encodes a non-ASCII name with IDNA (glibc's AI_IDN)
 *    unless AI_DISABLE_IDN_ENCODING is set.
 *  - getnameinfo writes numeric IPv6 hosts in Windows' form with a numeric
 *    scope ("fe80::1%2"), never an interface name; a buffer too small for
 *    the answer is WSAEFAULT; a zero size with a buffer is WSAEINVAL.
 *
 * The other flags Windows defines (AI_NON_AUTHORITATIVE, AI_SECURE,
 * AI_RETURN_PREFERRED_NAMES, AI_FILESERVER, AI_DNS_ONLY, ...) are accepted
 * and change nothing: glibc has no equivalent. The results are allocated
 * one block per entry with ws2__malloc, so freeaddrinfo/FreeAddrInfoW
 * free them entry by entry.
 */
#include <winsock2.h>
#include <ws2tcpip.h>

#include "core/alloc.h"
#include "core/error.h"
#include "ws2/resolve.h"
#include "ws2/ws2.h"
#include "xlate/addr.h"
#include "xlate/wstr.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- Errors. ---- */

static int eai_to_wsa(int eai, int err) {
  switch (eai) {
    case 0:
      return 0;
    case EAI_AGAIN:
      return WSATRY_AGAIN;
    case EAI_BADFLAGS:
      return WSAEINVAL;
    case EAI_FAIL:
      return WSANO_RECOVERY;
    case EAI_FAMILY:
      return WSAEAFNOSUPPORT;
    case EAI_MEMORY:
      return WSA_NOT_ENOUGH_MEMORY;
    case EAI_NONAME:
    case EAI_ADDRFAMILY:
      return WSAHOST_NOT_FOUND;
    case EAI_NODATA:
      return WSANO_DATA;
    case EAI_SERVICE:
      return WSATYPE_NOT_FOUND;
    case EAI_SOCKTYPE:
      return WSAESOCKTNOSUPPORT;
    case EAI_OVERFLOW:
      return WSAEFAULT;
#ifdef EAI_IDN_ENCODE
    case EAI_IDN_ENCODE:
      return WSAHOST_NOT_FOUND;
#endif
    case EAI_SYSTEM:
      return err == ENOMEM ? WSA_NOT_ENOUGH_MEMORY : WSANO_RECOVERY;
    default:
      return WSANO_RECOVERY;
  }
}

/* Sets the thread's last error to rc (0 included) and returns it. */
static int finish(int rc) {
  WSASetLastError(rc);
  return rc;
}

/* ---- getaddrinfo. ---- */

/* Every AI_* bit Windows defines (AI_DNS_ONLY and the later ones by value). */
#define AI_KNOWN                                                             \
  (WS_AI_PASSIVE | WS_AI_CANONNAME | WS_AI_NUMERICHOST | WS_AI_NUMERICSERV | \
   0x10 /* AI_DNS_ONLY */ | 0x20 /* AI_FORCE_CLEAR_TEXT */ |                 \
   0x40 /* AI_BYPASS_DNS_CACHE */ | 0x80 /* AI_RETURN_TTL */ | WS_AI_ALL |   \
   WS_AI_ADDRCONFIG | WS_AI_V4MAPPED | WS_AI_NON_AUTHORITATIVE |             \
   WS_AI_SECURE | WS_AI_RETURN_PREFERRED_NAMES | WS_AI_FQDN |                \
   WS_AI_FILESERVER | WS_AI_DISABLE_IDN_ENCODING |                           \
   0x100000 /* AI_SECURE_WITH_FALLBACK */ |                                  \
   0x200000 /* AI_EXCLUSIVE_CUSTOM_SERVERS */ |                              \
   0x10000000 /* AI_RETURN_RESPONSE_FLAGS */ |                               \
   0x20000000 /* AI_REQUIRE_SECURE */)

/* The hints both ADDRINFOA and ADDRINFOW carry. */
struct hints {
  int flags, family, socktype, protocol;
};

/*
 * One result entry: the ADDRINFOA/W (same size and layout but for the type
 * of ai_canonname), its address, and its canonical name, in one block.
 */
struct entry {
  ADDRINFOA ai; /* ADDRINFOW for the wide functions */
  union {
    struct WS_sockaddr_in in;
    struct WS_sockaddr_in6 in6;
  } addr;
  /* The canonical name follows, as char or WCHAR. */
};
_Static_assert(sizeof(ADDRINFOA) == sizeof(ADDRINFOW), "ADDRINFO layouts");
_Static_assert(offsetof(ADDRINFOA, ai_canonname) ==
                   offsetof(ADDRINFOW, ai_canonname),
               "ADDRINFO layouts");
_Static_assert(offsetof(ADDRINFOA, ai_next) == offsetof(ADDRINFOW, ai_next),
               "ADDRINFO layouts");

static void free_entries(struct entry *e) {
  while (e) {
    struct entry *next = (struct entry *)e->ai.ai_next;
    ws2__free(e);
    e = next;
  }
}

/* Whether a and b hold the same family, address and port. */
static int same_address(const struct entry *a, const struct entry *b) {
  return a->ai.ai_family == b->ai.ai_family &&
         a->ai.ai_addrlen == b->ai.ai_addrlen &&
         memcmp(&a->addr, &b->addr, a->ai.ai_addrlen) == 0;
}

/* Converts glibc's list to Windows entries; 0 or a WSA error. */
static int convert_results(const struct addrinfo *res, const struct hints *h,
                           int wide, struct entry **out) {
  struct entry *head = NULL, **tail = &head, *e, *p;
  const struct addrinfo *r;
  int first = 1;

  for (r = res; r; r = r->ai_next) {
    struct WS_sockaddr_in6 wsa;
    int wlen = sizeof(wsa), dup = 0;
    size_t namelen = 0, extra = 0;

    if (r->ai_family != AF_INET && r->ai_family != AF_INET6) continue;
    if (ws2__addr_from_linux(r->ai_addr, r->ai_addrlen,
                             (struct WS_sockaddr *)&wsa, &wlen) != 0 ||
        wlen == 0)
      continue;
    if (first && r->ai_canonname &&
        (h->flags & (WS_AI_CANONNAME | WS_AI_FQDN))) {
      namelen = strlen(r->ai_canonname) + 1;
      extra = wide ? ws2__utf8_to_wbuf(r->ai_canonname, NULL, 0) * sizeof(WCHAR)
                   : namelen;
    }
    e = ws2__calloc(1, sizeof(*e) + extra);
    if (!e) {
      free_entries(head);
      return WSA_NOT_ENOUGH_MEMORY;
    }
    e->ai.ai_family = ws2__af_from_linux(r->ai_family);
    e->ai.ai_socktype = h->socktype;
    e->ai.ai_protocol = h->protocol;
    e->ai.ai_addrlen = (size_t)wlen;
    memcpy(&e->addr, &wsa, (size_t)wlen);
    e->ai.ai_addr = (struct WS_sockaddr *)&e->addr;
    for (p = head; p && !dup; p = (struct entry *)p->ai.ai_next)
      dup = same_address(p, e);
    if (dup) { /* glibc's entry for another socket type */
      ws2__free(e);
      continue;
    }
    if (extra) {
      char *name = (char *)(e + 1);
      if (wide)
        ws2__utf8_to_wbuf(r->ai_canonname, (WCHAR *)name,
                          extra / sizeof(WCHAR));
      else
        memcpy(name, r->ai_canonname, namelen);
      e->ai.ai_canonname = name;
    }
    first = 0;
    *tail = e;
    tail = (struct entry **)&e->ai.ai_next;
  }
  if (!head) return WSAHOST_NOT_FOUND;
  *out = head;
  return 0;
}

/* "[v6]" or "[v6]:port" (Windows accepts both) to the bare literal. */
static char *unbracket(const char *node) {
  uint8_t a[16];
  const char *end, *close;
  char *copy;
  size_t n;

  if (node[0] != '[') return NULL;
  if (!ws2__ip6_parse(node + 1, a, &end)) return NULL;
  if (*end == '%') {
    end++;
    while (*end >= '0' && *end <= '9') end++;
  }
  if (*end != ']') return NULL;
  close = end++;
  if (*end == ':') {
    end++;
    if (!*end) return NULL;
    while (*end >= '0' && *end <= '9') end++;
  }
  if (*end) return NULL;
  n = (size_t)(close - (node + 1));
  copy = ws2__malloc(n + 1);
  if (!copy) return NULL;
  memcpy(copy, node + 1, n);
  copy[n] = '\0';
  return copy;
}

static int has_non_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80) return 1;
  return 0;
}

/*
 * A service of digits only is a port: above 65535 it is refused, where
 * glibc would silently take it modulo 65536.
 */
static int numeric_port_ok(const char *service) {
  const char *p = service;
  unsigned long v = 0;
  for (; *p; p++) {
    if (*p < '0' || *p > '9') return 1; /* a name: the resolver decides */
    v = v * 10 + (unsigned long)(*p - '0');
    if (v > 65535) return 0;
  }
  return 1;
}

/*
 * The common part of getaddrinfo and GetAddrInfoW, on UTF-8 strings. The
 * caller has checked WSAStartup and ppResult.
 */
static int addrinfo_common(const char *node, const char *service,
                           const struct hints *h, int wide,
                           struct entry **out) {
  struct addrinfo lh, *res = NULL;
  char host[256], *bare = NULL;
  int rc, err;

  if (!node && !service) return WSAHOST_NOT_FOUND;
  if ((h->flags & ~AI_KNOWN) || (h->flags & (WS_AI_CANONNAME | WS_AI_FQDN)) ==
                                    (WS_AI_CANONNAME | WS_AI_FQDN))
    return WSAEINVAL;
  if (h->family != WS_AF_UNSPEC && h->family != WS_AF_INET &&
      h->family != WS_AF_INET6)
    return WSAEAFNOSUPPORT;
  if (h->socktype < 0 || h->socktype > WS_SOCK_SEQPACKET)
    return WSAESOCKTNOSUPPORT;
  if (!node && (h->flags & (WS_AI_CANONNAME | WS_AI_FQDN)))
    return WSANO_RECOVERY;

  memset(&lh, 0, sizeof(lh));
  lh.ai_family = ws2__af_to_linux(h->family);
  /* glibc resolves the service per socket type; Windows has one answer. */
  lh.ai_socktype = h->socktype == 0               ? 0
                   : h->socktype == WS_SOCK_DGRAM ? SOCK_DGRAM
                                                  : SOCK_STREAM;
  if (h->flags & WS_AI_PASSIVE) lh.ai_flags |= AI_PASSIVE;
  if (h->flags & (WS_AI_CANONNAME | WS_AI_FQDN)) lh.ai_flags |= AI_CANONNAME;
  if (h->flags & WS_AI_NUMERICHOST) lh.ai_flags |= AI_NUMERICHOST;
  if (h->flags & WS_AI_NUMERICSERV) lh.ai_flags |= AI_NUMERICSERV;
  if (h->flags & WS_AI_ALL) lh.ai_flags |= AI_ALL;
  if (h->flags & WS_AI_ADDRCONFIG) lh.ai_flags |= AI_ADDRCONFIG;
  if (h->flags & WS_AI_V4MAPPED) lh.ai_flags |= AI_V4MAPPED;
#ifdef AI_IDN
  if (wide && node && !(h->flags & WS_AI_DISABLE_IDN_ENCODING) &&
      has_non_ascii(node))
    lh.ai_flags |= AI_IDN;
#else
  (void)has_non_ascii;
#endif

  if (service && !*service) service = node ? NULL : "0";
  if (service && !numeric_port_ok(service)) return WSATYPE_NOT_FOUND;
  if (node && !*node) {
    /* This host: its name, or the loopback addresses if it has none. */
    if (gethostname(host, sizeof(host)) == 0) {
      host[sizeof(host) - 1] = '\0';
      rc = getaddrinfo(host, service, &lh, &res);
      if (rc == 0) goto convert;
    }
    node = NULL;
    if (!service) service = "0";
    lh.ai_flags &= ~AI_PASSIVE;
  } else if (node && node[0] == '[') {
    bare = unbracket(node);
    if (bare) node = bare;
  }
  rc = getaddrinfo(node, service, &lh, &res);
  err = errno;
  ws2__free(bare);
  if (rc != 0) return eai_to_wsa(rc, err);
convert:
  rc = convert_results(res, h, wide, out);
  freeaddrinfo(res);
  return rc;
}

static int check_hints_members(size_t addrlen, const void *canon,
                               const void *addr, const void *next) {
  return addrlen || canon || addr || next ? WSANO_RECOVERY : 0;
}

INT WSAAPI WS_getaddrinfo(PCSTR pNodeName, PCSTR pServiceName,
                          const ADDRINFOA *pHints, PADDRINFOA *ppResult) {
  struct hints h = {0, 0, 0, 0};
  struct entry *res = NULL;
  int rc;

  if (!ws2__check_started()) return WSANOTINITIALISED;
  if (!ppResult) return finish(WSAEINVAL);
  *ppResult = NULL;
  if (pHints) {
    rc = check_hints_members(pHints->ai_addrlen, pHints->ai_canonname,
                             pHints->ai_addr, pHints->ai_next);
    if (rc) return finish(rc);
    h.flags = pHints->ai_flags;
    h.family = pHints->ai_family;
    h.socktype = pHints->ai_socktype;
    h.protocol = pHints->ai_protocol;
  }
  rc = addrinfo_common(pNodeName, pServiceName, &h, 0, &res);
  if (rc == 0) *ppResult = &res->ai;
  return finish(rc);
}

INT WSAAPI GetAddrInfoW(PCWSTR pNodeName, PCWSTR pServiceName,
                        const ADDRINFOW *pHints, PADDRINFOW *ppResult) {
  struct hints h = {0, 0, 0, 0};
  struct entry *res = NULL;
  char *node = NULL, *service = NULL;
  int rc;

  if (!ws2__check_started()) return WSANOTINITIALISED;
  if (!ppResult) return finish(WSAEINVAL);
  *ppResult = NULL;
  if (pHints) {
    rc = check_hints_members(pHints->ai_addrlen, pHints->ai_canonname,
                             pHints->ai_addr, pHints->ai_next);
    if (rc) return finish(rc);
    h.flags = pHints->ai_flags;
    h.family = pHints->ai_family;
    h.socktype = pHints->ai_socktype;
    h.protocol = pHints->ai_protocol;
  }
  rc = ws2__wstr_to_utf8(pNodeName, &node);
  if (rc == 0) rc = ws2__wstr_to_utf8(pServiceName, &service);
  if (rc == 0) rc = addrinfo_common(node, service, &h, 1, &res);
  ws2__free(node);
  ws2__free(service);
  if (rc == 0) *ppResult = (PADDRINFOW)&res->ai;
  return finish(rc);
}

void WSAAPI WS_freeaddrinfo(PADDRINFOA pAddrInfo) {
  free_entries((struct entry *)pAddrInfo);
}

void WSAAPI FreeAddrInfoW(PADDRINFOW pAddrInfo) {
  free_entries((struct entry *)pAddrInfo);
}

/* ---- getnameinfo. ---- */

#define NI_KNOWN                                                           \
  (WS_NI_NOFQDN | WS_NI_NUMERICHOST | WS_NI_NAMEREQD | WS_NI_NUMERICSERV | \
   WS_NI_DGRAM)

/* The numeric text of the host in sa (Windows' IPv6 form, numeric scope). */
static void numeric_host(const struct sockaddr_storage *ss, char *buf) {
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *in = (const void *)ss;
    ws2__ip4_to_text((const uint8_t *)&in->sin_addr, buf);
  } else {
    const struct sockaddr_in6 *in6 = (const void *)ss;
    size_t n = ws2__ip6_to_text(in6->sin6_addr.s6_addr, buf);
    if (in6->sin6_scope_id) {
      char *p = buf + n, tmp[10];
      uint32_t v = in6->sin6_scope_id;
      int k = 0;
      *p++ = '%';
      do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
      } while (v);
      while (k) *p++ = tmp[--k];
      *p = '\0';
    }
  }
}

/*
 * getnameinfo into host (WS_NI_MAXHOST) and serv (WS_NI_MAXSERV), either
 * may be NULL; the caller has checked the buffers' sizes are not zero.
 */
static int nameinfo_common(const struct WS_sockaddr *sa, int salen, char *host,
                           char *serv, int flags) {
  struct sockaddr_storage ss;
  socklen_t sslen;
  ADDRESS_FAMILY family;
  int rc, err, lflags = 0;

  if (!sa || salen < (int)sizeof(family)) return WSAEFAULT;
  memcpy(&family, sa, sizeof(family));
  if (family != WS_AF_INET && family != WS_AF_INET6) return WSAEAFNOSUPPORT;
  if (ws2__addr_to_linux(sa, salen, &ss, &sslen) != 0) return WSAEFAULT;
  if (!host && !serv) return WSAHOST_NOT_FOUND;
  if (flags & ~NI_KNOWN) return WSAEINVAL;
  if (flags & WS_NI_NOFQDN) lflags |= NI_NOFQDN;
  if (flags & WS_NI_DGRAM) lflags |= NI_DGRAM;

  if (host) {
    if (flags & WS_NI_NUMERICHOST) {
      numeric_host(&ss, host);
    } else {
      rc = getnameinfo((struct sockaddr *)&ss, sslen, host, WS_NI_MAXHOST, NULL,
                       0, lflags | NI_NAMEREQD);
      err = errno;
      if (rc == EAI_NONAME && !(flags & WS_NI_NAMEREQD)) {
        numeric_host(&ss, host);
      } else if (rc != 0) {
        return eai_to_wsa(rc, err);
      }
    }
  }
  if (serv) {
    rc = getnameinfo(
        (struct sockaddr *)&ss, sslen, NULL, 0, serv, WS_NI_MAXSERV,
        lflags | ((flags & WS_NI_NUMERICSERV) ? NI_NUMERICSERV : 0));
    err = errno;
    if (rc != 0) return eai_to_wsa(rc, err);
  }
  return 0;
}

INT WSAAPI WS_getnameinfo(const SOCKADDR *pSockaddr,
                          WS_socklen_t SockaddrLength, PCHAR pNodeBuffer,
                          DWORD NodeBufferSize, PCHAR pServiceBuffer,
                          DWORD ServiceBufferSize, INT Flags) {
  char host[WS_NI_MAXHOST], serv[WS_NI_MAXSERV];
  size_t n;
  int rc;

  if (!ws2__check_started()) return WSANOTINITIALISED;
  if ((pNodeBuffer && !NodeBufferSize) ||
      (pServiceBuffer && !ServiceBufferSize))
    return finish(WSAEINVAL);
  rc = nameinfo_common(pSockaddr, SockaddrLength, pNodeBuffer ? host : NULL,
                       pServiceBuffer ? serv : NULL, Flags);
  if (rc) return finish(rc);
  if ((pNodeBuffer && strlen(host) >= NodeBufferSize) ||
      (pServiceBuffer && strlen(serv) >= ServiceBufferSize))
    return finish(WSAEFAULT);
  if (pNodeBuffer) {
    n = strlen(host) + 1;
    memcpy(pNodeBuffer, host, n);
  }
  if (pServiceBuffer) {
    n = strlen(serv) + 1;
    memcpy(pServiceBuffer, serv, n);
  }
  return finish(0);
}

INT WSAAPI GetNameInfoW(const SOCKADDR *pSockaddr, WS_socklen_t SockaddrLength,
                        PWCHAR pNodeBuffer, DWORD NodeBufferSize,
                        PWCHAR pServiceBuffer, DWORD ServiceBufferSize,
                        INT Flags) {
  char host[WS_NI_MAXHOST], serv[WS_NI_MAXSERV];
  int rc;

  if (!ws2__check_started()) return WSANOTINITIALISED;
  if ((pNodeBuffer && !NodeBufferSize) ||
      (pServiceBuffer && !ServiceBufferSize))
    return finish(WSAEINVAL);
  rc = nameinfo_common(pSockaddr, SockaddrLength, pNodeBuffer ? host : NULL,
                       pServiceBuffer ? serv : NULL, Flags);
  if (rc) return finish(rc);
  if ((pNodeBuffer && ws2__utf8_to_wbuf(host, NULL, 0) > NodeBufferSize) ||
      (pServiceBuffer && ws2__utf8_to_wbuf(serv, NULL, 0) > ServiceBufferSize))
    return finish(WSAEFAULT);
  if (pNodeBuffer) ws2__utf8_to_wbuf(host, pNodeBuffer, NodeBufferSize);
  if (pServiceBuffer)
    ws2__utf8_to_wbuf(serv, pServiceBuffer, ServiceBufferSize);
  return finish(0);
}

/* ---- gethostname. ---- */

/* The host name (UTF-8) in buf of 256 bytes; 0 or a WSA error. */
static int host_name(char *buf, size_t cap) {
  if (gethostname(buf, cap) != 0) return ws2__errno_to_wsa(errno);
  buf[cap - 1] = '\0';
  return 0;
}

/*
 * The name must fit with its terminator, or the call fails with WSAEFAULT
 * and leaves the buffer as it was.
 */
int WSAAPI WS_gethostname(char *name, int namelen) {
  char buf[256];
  int rc;

  if (!ws2__check_started()) return SOCKET_ERROR;
  if (!name || namelen < 0) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  rc = host_name(buf, sizeof(buf));
  if (!rc && strlen(buf) >= (size_t)namelen) rc = WSAEFAULT;
  if (rc) {
    WSASetLastError(rc);
    return SOCKET_ERROR;
  }
  memcpy(name, buf, strlen(buf) + 1);
  return 0;
}

int WSAAPI GetHostNameW(PWSTR name, int namelen) {
  char buf[256];
  int rc;

  if (!ws2__check_started()) return SOCKET_ERROR;
  if (!name || namelen < 0) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  rc = host_name(buf, sizeof(buf));
  if (!rc && ws2__utf8_to_wbuf(buf, NULL, 0) > (size_t)namelen) rc = WSAEFAULT;
  if (rc) {
    WSASetLastError(rc);
    return SOCKET_ERROR;
  }
  ws2__utf8_to_wbuf(buf, name, (size_t)namelen);
  return 0;
}

/* ---- gai_strerror. ---- */

/*
 * Windows' gai_strerror is FormatMessage of the code: the system's text
 * for that error. These are those texts for the codes getaddrinfo and
 * getnameinfo return.
 */
static const char *error_text(int code) {
  switch (code) {
    case 0:
      return "The operation completed successfully.";
    case WSA_NOT_ENOUGH_MEMORY:
      return "Not enough memory resources are available to process this "
             "command.";
    case WSAEFAULT:
      return "The system detected an invalid pointer address in attempting "
             "to use a pointer argument in a call.";
    case WSAEINVAL:
      return "An invalid argument was supplied.";
    case WSAESOCKTNOSUPPORT:
      return "The support for the specified socket type does not exist in "
             "this address family.";
    case WSAEAFNOSUPPORT:
      return "An address incompatible with the requested protocol was used.";
    case WSANOTINITIALISED:
      return "Either the application has not called WSAStartup, or "
             "WSAStartup failed.";
    case WSATYPE_NOT_FOUND:
      return "The specified class was not found.";
    case WSAHOST_NOT_FOUND:
      return "No such host is known.";
    case WSATRY_AGAIN:
      return "This is usually a temporary error during hostname resolution "
             "and means that the local server did not receive a response "
             "from an authoritative server.";
    case WSANO_RECOVERY:
      return "A non-recoverable error occurred during a database lookup.";
    case WSANO_DATA:
      return "The requested name is valid, but no data of the requested "
             "type was found.";
    case WSA_SECURE_HOST_NOT_FOUND:
      return "No such host is known securely.";
    case WSA_IPSEC_NAME_POLICY_ERROR:
      return "Name based IPSEC policy could not be added.";
    default:
      return NULL;
  }
}

static void error_message(int code, char *buf, size_t cap) {
  const char *t = error_text(code);
  if (t) {
    size_t n = strlen(t);
    if (n >= cap) n = cap - 1;
    memcpy(buf, t, n);
    buf[n] = '\0';
  } else {
    /* Not a Winsock code: FormatMessage fails and the text is empty. */
    buf[0] = '\0';
  }
}

/* The text lives in a per-thread buffer, valid until the next call; with
 * no memory for one, the text is empty. */
static ws2__tbuf_t gai_buf =
    WS2__TBUF_INIT(sizeof(char) * (GAI_STRERROR_BUFFER_SIZE + 1));
static ws2__tbuf_t gai_wbuf =
    WS2__TBUF_INIT(sizeof(WCHAR) * (GAI_STRERROR_BUFFER_SIZE + 1));

char *WSAAPI gai_strerrorA(int ecode) {
  static char none[1];
  char *buf = ws2__tbuf_get(&gai_buf);
  if (!buf) return none;
  error_message(ecode, buf, GAI_STRERROR_BUFFER_SIZE + 1);
  return buf;
}

WCHAR *WSAAPI gai_strerrorW(int ecode) {
  static WCHAR none[1];
  WCHAR *wbuf = ws2__tbuf_get(&gai_wbuf);
  char buf[GAI_STRERROR_BUFFER_SIZE + 1];
  if (!wbuf) return none;
  error_message(ecode, buf, sizeof(buf));
  ws2__utf8_to_wbuf(buf, wbuf, GAI_STRERROR_BUFFER_SIZE + 1);
  return wbuf;
}
