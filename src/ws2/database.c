/*
 * database.c: the Winsock 1.1 database functions (gethostbyname & co) on
 * ws2's getaddrinfo/getnameinfo and the C library's services and
 * protocols databases, with Windows layouts and one result per thread.
 */
#include "ws2/ws2.h"

#include <mswsock.h>
#include <ws2spi.h>
#include <ws2tcpip.h>

#include "core/alloc.h"
#include "core/io.h"
#include "provider/base/ops.h"
#include "ws2/provider.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>

/* Sets the thread's last error and returns `ret`. */
#define FAIL(ret, err) (WSASetLastError(err), (ret))
/* WSANOTINITIALISED (set by ws2__check_started) or `err`, then `ret`. */
#define FAIL_STARTED(ret, err) (ws2__check_started() ? FAIL(ret, err) : (ret))

/* ---- Winsock 1.1 database functions. ---- */

/*
 * Each thread has one of each structure, overwritten by its next call, as
 * on Windows (which documents one per thread). gethostbyname and
 * gethostbyaddr answer from getaddrinfo/getnameinfo (so with Windows'
 * errors: WSAHOST_NOT_FOUND, WSATRY_AGAIN, WSANO_RECOVERY); the others
 * from the C library's services and protocols databases (not found:
 * WSANO_DATA, as Windows).
 */
#define MAXADDRS 35 /* Windows' limit on h_addr_list */

typedef struct {
  struct WS_hostent h;
  char *aliases[1];
  char *addrs[MAXADDRS + 1];
  unsigned char bytes[MAXADDRS][16];
  char name[WS_NI_MAXHOST];
} host_t;
static ws2__tbuf_t host_buf = WS2__TBUF_INIT(sizeof(host_t));

typedef struct {
  struct WS_servent s;
  struct WS_protoent p;
  char buf[4096]; /* the C library's strings and alias lists */
} db_t;
static ws2__tbuf_t db_buf = WS2__TBUF_INIT(sizeof(db_t));

/* The thread's hostent, holding name and no address yet; NULL when
 * memory is short. */
static host_t *host_begin(const char *name, short af, short len) {
  host_t *host = ws2__tbuf_get(&host_buf);
  size_t n = strlen(name);
  if (!host) return NULL;
  memset(host, 0, sizeof(*host));
  if (n >= sizeof(host->name)) n = sizeof(host->name) - 1;
  memcpy(host->name, name, n);
  host->h.h_name = host->name;
  host->h.h_aliases = host->aliases;
  host->h.h_addrtype = af;
  host->h.h_length = len;
  host->h.h_addr_list = host->addrs;
  return host;
}

/* Adds an address unless it is already there; 0 once the list is full. */
static int host_add(host_t *host, const void *addr) {
  int i;
  for (i = 0; host->addrs[i]; i++)
    if (!memcmp(host->addrs[i], addr, (size_t)host->h.h_length)) return 1;
  if (i == MAXADDRS) return 0;
  memcpy(host->bytes[i], addr, (size_t)host->h.h_length);
  host->addrs[i] = (char *)host->bytes[i];
  return 1;
}

struct WS_hostent *WSAAPI WS_gethostbyname(const char *name) {
  ADDRINFOA hints, *res, *ai;
  host_t *host;
  char local[256];
  int rc;
  if (!ws2__check_started()) return NULL;
  if (!name || !*name) {
    if (WS_gethostname(local, sizeof(local)) != 0) return NULL;
    name = local;
  }
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = WS_AF_INET; /* gethostbyname is IPv4 only */
  hints.ai_socktype = WS_SOCK_STREAM;
  hints.ai_flags = WS_AI_CANONNAME;
  if ((rc = WS_getaddrinfo(name, NULL, &hints, &res)) != 0)
    return FAIL((struct WS_hostent *)NULL, rc);
  host =
      host_begin(res->ai_canonname ? res->ai_canonname : name, WS_AF_INET, 4);
  for (ai = res;
       host && ai && host_add(host, &((SOCKADDR_IN *)ai->ai_addr)->sin_addr);
       ai = ai->ai_next) {
  }
  WS_freeaddrinfo(res);
  return host ? &host->h : FAIL((struct WS_hostent *)NULL, WSAENOBUFS);
}

struct WS_hostent *WSAAPI WS_gethostbyaddr(const char *addr, int len,
                                           int type) {
  SOCKADDR_STORAGE ss;
  host_t *host;
  char name[WS_NI_MAXHOST];
  int salen, rc;
  if (!ws2__check_started()) return NULL;
  memset(&ss, 0, sizeof(ss));
  if (type == WS_AF_INET) {
    SOCKADDR_IN *in = (SOCKADDR_IN *)&ss;
    if (!addr || len < 4) return FAIL((struct WS_hostent *)NULL, WSAEFAULT);
    in->sin_family = WS_AF_INET;
    memcpy(&in->sin_addr, addr, 4);
    salen = sizeof(*in), len = 4;
  } else if (type == WS_AF_INET6) {
    SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)&ss;
    if (!addr || len < 16) return FAIL((struct WS_hostent *)NULL, WSAEFAULT);
    in6->sin6_family = WS_AF_INET6;
    memcpy(&in6->sin6_addr, addr, 16);
    salen = sizeof(*in6), len = 16;
  } else {
    return FAIL((struct WS_hostent *)NULL, WSAEAFNOSUPPORT);
  }
  rc = WS_getnameinfo((const SOCKADDR *)&ss, salen, name, sizeof(name), NULL, 0,
                      WS_NI_NAMEREQD);
  if (rc != 0) return FAIL((struct WS_hostent *)NULL, rc);
  if (!(host = host_begin(name, (short)type, (short)len)))
    return FAIL((struct WS_hostent *)NULL, WSAENOBUFS);
  host_add(host, addr);
  return &host->h;
}

/* The C library's servent, in the thread's Windows servent. */
static struct WS_servent *servent(db_t *db, int rc, struct servent *r) {
  if (rc == ERANGE) return FAIL((struct WS_servent *)NULL, WSANO_RECOVERY);
  if (rc != 0 || !r) return FAIL((struct WS_servent *)NULL, WSANO_DATA);
  db->s.s_name = r->s_name;
  db->s.s_aliases = r->s_aliases;
  db->s.s_proto = r->s_proto;
  db->s.s_port = (short)r->s_port; /* network byte order on both */
  return &db->s;
}

struct WS_servent *WSAAPI WS_getservbyname(const char *name,
                                           const char *proto) {
  struct servent se, *r = NULL;
  db_t *db;
  int rc;
  if (!ws2__check_started()) return NULL;
  if (!name) return FAIL((struct WS_servent *)NULL, WSAEFAULT);
  if (!(db = ws2__tbuf_get(&db_buf)))
    return FAIL((struct WS_servent *)NULL, WSAENOBUFS);
  rc = getservbyname_r(name, proto, &se, db->buf, sizeof(db->buf), &r);
  return servent(db, rc, r);
}

struct WS_servent *WSAAPI WS_getservbyport(int port, const char *proto) {
  struct servent se, *r = NULL;
  db_t *db;
  int rc;
  if (!ws2__check_started()) return NULL;
  if (!(db = ws2__tbuf_get(&db_buf)))
    return FAIL((struct WS_servent *)NULL, WSAENOBUFS);
  rc = getservbyport_r(port & 0xFFFF, proto, &se, db->buf, sizeof(db->buf), &r);
  return servent(db, rc, r);
}

/* The C library's protoent, in the thread's Windows protoent. */
static struct WS_protoent *protoent(db_t *db, int rc, struct protoent *r) {
  if (rc == ERANGE) return FAIL((struct WS_protoent *)NULL, WSANO_RECOVERY);
  if (rc != 0 || !r) return FAIL((struct WS_protoent *)NULL, WSANO_DATA);
  db->p.p_name = r->p_name;
  db->p.p_aliases = r->p_aliases;
  db->p.p_proto = (short)r->p_proto;
  return &db->p;
}

struct WS_protoent *WSAAPI WS_getprotobyname(const char *name) {
  struct protoent pe, *r = NULL;
  db_t *db;
  int rc;
  if (!ws2__check_started()) return NULL;
  if (!name) return FAIL((struct WS_protoent *)NULL, WSAEFAULT);
  if (!(db = ws2__tbuf_get(&db_buf)))
    return FAIL((struct WS_protoent *)NULL, WSAENOBUFS);
  rc = getprotobyname_r(name, &pe, db->buf, sizeof(db->buf), &r);
  return protoent(db, rc, r);
}

struct WS_protoent *WSAAPI WS_getprotobynumber(int number) {
  struct protoent pe, *r = NULL;
  db_t *db;
  int rc;
  if (!ws2__check_started()) return NULL;
  if (!(db = ws2__tbuf_get(&db_buf)))
    return FAIL((struct WS_protoent *)NULL, WSAENOBUFS);
  rc = getprotobynumber_r(number, &pe, db->buf, sizeof(db->buf), &r);
  return protoent(db, rc, r);
}
