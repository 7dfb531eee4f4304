/*
 * xlate/addr.c: socket addresses between their Windows and Linux forms
 * (see addr.h).
 *
 * AF_INET and AF_INET6 have the same layout on both systems (16 and 28
 * bytes: family, port, then the address; sin6_flowinfo and sin6_scope_id
 * where Linux has them), so only the family number changes. AF_UNIX has
 * the same layout too (a 16-bit family, then 108 bytes of path) and the
 * same three kinds of address, which the length tells apart:
 *
 *  - unnamed: the family alone (length 2);
 *  - a path: sun_path starts with a non-NUL byte; the path ends at the
 *    first NUL or at the end of the given length;
 *  - abstract: sun_path starts with a NUL; every byte up to the given
 *    length is part of the name.
 *
 * A Windows length beyond the structure (a caller passing a whole
 * SOCKADDR_STORAGE) is accepted and the excess ignored. AF_UNSPEC carries
 * only its family (connect() with it dissolves a datagram association).
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>

#include "xlate/addr.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

_Static_assert(sizeof(struct WS_sockaddr_in) == sizeof(struct sockaddr_in),
               "sockaddr_in layouts");
_Static_assert(sizeof(struct WS_sockaddr_in6) == sizeof(struct sockaddr_in6),
               "sockaddr_in6 layouts");
_Static_assert(sizeof(struct WS_sockaddr_un) == sizeof(struct sockaddr_un),
               "sockaddr_un layouts");
_Static_assert(offsetof(struct WS_sockaddr_un, sun_path) ==
                   offsetof(struct sockaddr_un, sun_path),
               "sockaddr_un path offsets");

#define FAMILY_LEN ((int)sizeof(ADDRESS_FAMILY))

int ws2__af_to_linux(int af) {
  switch (af) {
    case WS_AF_UNSPEC:
      return AF_UNSPEC;
    case WS_AF_UNIX:
      return AF_UNIX;
    case WS_AF_INET:
      return AF_INET;
    case WS_AF_INET6:
      return AF_INET6;
    default:
      return -1;
  }
}

int ws2__af_from_linux(int af) {
  switch (af) {
    case AF_UNSPEC:
      return WS_AF_UNSPEC;
    case AF_UNIX:
      return WS_AF_UNIX;
    case AF_INET:
      return WS_AF_INET;
    case AF_INET6:
      return WS_AF_INET6;
    default:
      return -1;
  }
}

/* The length of the AF_UNIX address in the first len bytes of path. */
static size_t unix_path_len(const char *path, size_t len) {
  if (len == 0) return 0;
  if (path[0] == '\0') return len; /* abstract: every byte counts */
  return strnlen(path, len);
}

int ws2__addr_to_linux(const struct WS_sockaddr *wsa, int wsalen,
                       struct sockaddr_storage *out, socklen_t *outlen) {
  ADDRESS_FAMILY family;

  if (!wsa || wsalen < FAMILY_LEN) return WSAEFAULT;
  memcpy(&family, wsa, sizeof(family));
  memset(out, 0, sizeof(*out));
  switch (family) {
    case WS_AF_INET: {
      const struct WS_sockaddr_in *in = (const void *)wsa;
      struct sockaddr_in *lin = (void *)out;
      if (wsalen < (int)sizeof(*in)) return WSAEFAULT;
      lin->sin_family = AF_INET;
      lin->sin_port = in->sin_port;
      memcpy(&lin->sin_addr, &in->sin_addr, sizeof(lin->sin_addr));
      *outlen = sizeof(*lin);
      return 0;
    }
    case WS_AF_INET6: {
      const struct WS_sockaddr_in6 *in6 = (const void *)wsa;
      struct sockaddr_in6 *lin6 = (void *)out;
      if (wsalen < (int)sizeof(*in6)) return WSAEFAULT;
      lin6->sin6_family = AF_INET6;
      lin6->sin6_port = in6->sin6_port;
      lin6->sin6_flowinfo = in6->sin6_flowinfo;
      memcpy(&lin6->sin6_addr, &in6->sin6_addr, sizeof(lin6->sin6_addr));
      lin6->sin6_scope_id = in6->sin6_scope_id;
      *outlen = sizeof(*lin6);
      return 0;
    }
    case WS_AF_UNIX: {
      const struct WS_sockaddr_un *un = (const void *)wsa;
      struct sockaddr_un *lun = (void *)out;
      size_t room = (size_t)wsalen - offsetof(struct WS_sockaddr_un, sun_path);
      size_t n;
      if (room > sizeof(un->sun_path)) room = sizeof(un->sun_path);
      n = unix_path_len(un->sun_path, room);
      lun->sun_family = AF_UNIX;
      memcpy(lun->sun_path, un->sun_path, n);
      /* A path keeps its terminator when it has room for one. */
      if (n > 0 && un->sun_path[0] != '\0' && n < sizeof(lun->sun_path)) n++;
      *outlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
      return 0;
    }
    case WS_AF_UNSPEC:
      out->ss_family = AF_UNSPEC;
      *outlen = sizeof(sa_family_t);
      return 0;
    default:
      return WSAEAFNOSUPPORT;
  }
}

/*
 * A salen too short to hold a family (the kernel returned no address, as
 * recvfrom does on a connected stream socket) converts to an empty Windows
 * address: *outlen = 0, result 0.
 */
int ws2__addr_from_linux(const struct sockaddr *sa, socklen_t salen,
                         struct WS_sockaddr *out, int *outlen) {
  sa_family_t family;

  if (!outlen) return WSAEFAULT;
  if (!sa || salen < sizeof(sa_family_t)) {
    *outlen = 0;
    return 0;
  }
  if (!out || *outlen < 0) return WSAEFAULT;
  memcpy(&family, sa, sizeof(family));
  switch (family) {
    case AF_INET: {
      struct sockaddr_in lin;
      struct WS_sockaddr_in in;
      if (salen < sizeof(lin)) return WSAEFAULT;
      if (*outlen < (int)sizeof(in)) return WSAEFAULT;
      memcpy(&lin, sa, sizeof(lin));
      memset(&in, 0, sizeof(in));
      in.sin_family = WS_AF_INET;
      in.sin_port = lin.sin_port;
      memcpy(&in.sin_addr, &lin.sin_addr, sizeof(in.sin_addr));
      memcpy(out, &in, sizeof(in));
      *outlen = sizeof(in);
      return 0;
    }
    case AF_INET6: {
      struct sockaddr_in6 lin6;
      struct WS_sockaddr_in6 in6;
      if (salen < sizeof(lin6)) return WSAEFAULT;
      if (*outlen < (int)sizeof(in6)) return WSAEFAULT;
      memcpy(&lin6, sa, sizeof(lin6));
      memset(&in6, 0, sizeof(in6));
      in6.sin6_family = WS_AF_INET6;
      in6.sin6_port = lin6.sin6_port;
      in6.sin6_flowinfo = lin6.sin6_flowinfo;
      memcpy(&in6.sin6_addr, &lin6.sin6_addr, sizeof(in6.sin6_addr));
      in6.sin6_scope_id = lin6.sin6_scope_id;
      memcpy(out, &in6, sizeof(in6));
      *outlen = sizeof(in6);
      return 0;
    }
    case AF_UNIX: {
      const size_t base = offsetof(struct sockaddr_un, sun_path);
      size_t n = (size_t)salen - base, len;
      ADDRESS_FAMILY wfamily = WS_AF_UNIX;
      if (n > sizeof(((struct sockaddr_un *)0)->sun_path))
        n = sizeof(((struct sockaddr_un *)0)->sun_path);
      len = base + n;
      if (*outlen < (int)len) return WSAEFAULT;
      memcpy(out, &wfamily, sizeof(wfamily));
      memcpy((char *)out + base, (const char *)sa + base, n);
      *outlen = (int)len;
      return 0;
    }
    case AF_UNSPEC: {
      ADDRESS_FAMILY wfamily = WS_AF_UNSPEC;
      if (*outlen < FAMILY_LEN) return WSAEFAULT;
      memcpy(out, &wfamily, sizeof(wfamily));
      *outlen = FAMILY_LEN;
      return 0;
    }
    default:
      return WSAEAFNOSUPPORT;
  }
}
