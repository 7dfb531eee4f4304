/*
 * Name resolution with Windows semantics: getaddrinfo, GetAddrInfoW,
 * freeaddrinfo, FreeAddrInfoW, getnameinfo, GetNameInfoW, gethostname,
 * GetHostNameW, gai_strerror. Only numeric hosts and "localhost": no
 * network is needed. Windows API only: builds with mingw-w64 and runs
 * under Wine too (test/wine/run.sh).
 */
#include <winsock2.h>
#include <ws2tcpip.h>

#include "ws2test.h"

/*
 * Test cases may run in any order (mingw runs the registrations in reverse),
 * so the one that needs Winsock unstarted undoes every WSAStartup first.
 */
static int started;

static void startup(void) {
  WSADATA wsa;
  if (!started) {
    ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    started = 1;
  }
}

static void cleanup_all(void) {
  while (WSACleanup() == 0) {
  }
  started = 0;
}

static int count(const ADDRINFOA *ai) {
  int n = 0;
  for (; ai; ai = ai->ai_next) n++;
  return n;
}

static int wcs16eq(const WCHAR *a, const char *b) {
  while (*a && *b && *a == (WCHAR)(unsigned char)*b) a++, b++;
  return *a == 0 && *b == 0;
}

/* Wine 8 resolves without WSAStartup. */
TEST(resolution_needs_wsastartup) {
  ADDRINFOA *res = (ADDRINFOA *)1;
  ADDRINFOW *resw = (ADDRINFOW *)1;
  SOCKADDR_IN in;
  char host[64];
  WCHAR whost[64];

  cleanup_all();
  WSASetLastError(0);
  ASSERT_EQ(getaddrinfo("127.0.0.1", NULL, NULL, &res), WSANOTINITIALISED);
  ASSERT_EQ(WSAGetLastError(), WSANOTINITIALISED);
  ASSERT_EQ(GetAddrInfoW(u"127.0.0.1", NULL, NULL, &resw), WSANOTINITIALISED);
  memset(&in, 0, sizeof(in));
  in.sin_family = AF_INET;
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), host, sizeof(host), NULL,
                        0, NI_NUMERICHOST),
            WSANOTINITIALISED);
  ASSERT_EQ(GetNameInfoW((SOCKADDR *)&in, sizeof(in), whost, 64, NULL, 0,
                         NI_NUMERICHOST),
            WSANOTINITIALISED);
  WSASetLastError(0);
  ASSERT_EQ(gethostname(host, sizeof(host)), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSANOTINITIALISED);
  WSASetLastError(0);
  ASSERT_EQ(GetHostNameW(whost, 64), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSANOTINITIALISED);
}

/* ---- getaddrinfo. ---- */

TEST(numeric_ipv4) {
  ADDRINFOA hints, *res = NULL;
  SOCKADDR_IN *in;

  startup();
  WSASetLastError(12345);
  ASSERT_EQ(getaddrinfo("192.168.1.253", "80", NULL, &res), 0);
  ASSERT_EQ(WSAGetLastError(), 0); /* success clears the last error */
  ASSERT_EQ(res->ai_family, AF_INET);
  ASSERT_EQ(res->ai_addrlen, sizeof(SOCKADDR_IN));
  ASSERT_EQ_PTR(res->ai_canonname, NULL);
  in = (SOCKADDR_IN *)res->ai_addr;
  ASSERT_EQ(in->sin_family, AF_INET);
  ASSERT_EQ(in->sin_port, htons(80));
  ASSERT_EQ_U(in->sin_addr.s_addr, htonl(0xc0a801fd));
  freeaddrinfo(res);

  /* Socket type and protocol are those of the hints, as given. */
  memset(&hints, 0, sizeof(hints));
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_UDP;
  ASSERT_EQ(getaddrinfo("10.1.2.3", "7", &hints, &res), 0);
  ASSERT_EQ(res->ai_socktype, SOCK_STREAM);
  ASSERT_EQ(res->ai_protocol, IPPROTO_UDP);
  freeaddrinfo(res);
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_protocol = 999;
  ASSERT_EQ(getaddrinfo("10.1.2.3", NULL, &hints, &res), 0);
  ASSERT_EQ(res->ai_socktype, SOCK_DGRAM);
  ASSERT_EQ(res->ai_protocol, 999);
  freeaddrinfo(res);
}

/*
 * Windows answers once per address, with the hints' socket type and
 * protocol (0 without hints) and ai_flags 0; glibc (and Wine 8, which
 * passes glibc's answer on) answers once per address and socket type.
 */
TEST(one_entry_per_address) {
  ADDRINFOA *res = NULL;
  ADDRINFOW *resw = NULL;

  startup();
  ASSERT_EQ(getaddrinfo("192.168.1.253", "80", NULL, &res), 0);
  ASSERT_EQ(count(res), 1);
  ASSERT_EQ(res->ai_socktype, 0);
  ASSERT_EQ(res->ai_protocol, 0);
  ASSERT_EQ(res->ai_flags, 0);
  freeaddrinfo(res);
  ASSERT_EQ(getaddrinfo("::1", NULL, NULL, &res), 0);
  ASSERT_EQ(count(res), 1);
  freeaddrinfo(res);
  ASSERT_EQ(GetAddrInfoW(u"127.0.0.1", u"443", NULL, &resw), 0);
  ASSERT_EQ_PTR(resw->ai_next, NULL);
  ASSERT_EQ(resw->ai_socktype, 0);
  FreeAddrInfoW(resw);
}

TEST(numeric_ipv6_and_brackets) {
  ADDRINFOA hints, *res = NULL;
  SOCKADDR_IN6 *in6;
  char buf[64];

  startup();
  ASSERT_EQ(getaddrinfo("2a00:2039:dead:beef:cafe::6666", NULL, NULL, &res), 0);
  ASSERT_EQ(res->ai_family, AF_INET6);
  ASSERT_EQ(res->ai_addrlen, sizeof(SOCKADDR_IN6));
  in6 = (SOCKADDR_IN6 *)res->ai_addr;
  ASSERT_EQ(in6->sin6_family, AF_INET6);
  ASSERT_EQ(in6->sin6_port, 0);
  ASSERT_EQ_PTR(inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf)), buf);
  ASSERT_EQ(strcmp(buf, "2a00:2039:dead:beef:cafe::6666"), 0);
  freeaddrinfo(res);

  /* Windows takes "[v6]" and "[v6]:port" (ignoring the port). */
  ASSERT_EQ(getaddrinfo("[beef::cafe]", NULL, NULL, &res), 0);
  ASSERT_EQ(res->ai_family, AF_INET6);
  freeaddrinfo(res);
  ASSERT_EQ(getaddrinfo("[beef::cafe]:10239", "5", NULL, &res), 0);
  in6 = (SOCKADDR_IN6 *)res->ai_addr;
  ASSERT_EQ(in6->sin6_port, htons(5));
  freeaddrinfo(res);

  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_family = AF_INET6;
  ASSERT_EQ(getaddrinfo("[beef::cafe]", NULL, &hints, &res), 0);
  freeaddrinfo(res);
  hints.ai_family = AF_INET;
  res = (ADDRINFOA *)1;
  ASSERT_EQ(getaddrinfo("[beef::cafe]", NULL, &hints, &res),
            WSAHOST_NOT_FOUND);
  ASSERT_EQ_PTR(res, NULL);
  hints.ai_family = AF_UNSPEC;
  ASSERT_EQ(getaddrinfo("[beef::cafe", NULL, &hints, &res), WSAHOST_NOT_FOUND);
  ASSERT_EQ(getaddrinfo("beef::cafe]", NULL, &hints, &res), WSAHOST_NOT_FOUND);
  ASSERT_EQ(getaddrinfo("192.168.1.253:1024", NULL, &hints, &res),
            WSAHOST_NOT_FOUND);
}

TEST(localhost_and_passive) {
  ADDRINFOA hints, *res = NULL, *p;
  int n4 = 0;

  startup();
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  ASSERT_EQ(getaddrinfo("localhost", "80", &hints, &res), 0);
  for (p = res; p; p = p->ai_next) {
    SOCKADDR_IN *in = (SOCKADDR_IN *)p->ai_addr;
    ASSERT_EQ(p->ai_family, AF_INET);
    ASSERT_EQ(p->ai_socktype, SOCK_STREAM);
    ASSERT_EQ(p->ai_protocol, IPPROTO_TCP);
    ASSERT_EQ(in->sin_port, htons(80));
    if (in->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) n4++;
  }
  ASSERT_EQ(n4, 1);
  freeaddrinfo(res);

  /* No node: the loopback address, or with AI_PASSIVE the wildcard. */
  ASSERT_EQ(getaddrinfo(NULL, "8080", &hints, &res), 0);
  ASSERT_EQ_U(((SOCKADDR_IN *)res->ai_addr)->sin_addr.s_addr,
              htonl(INADDR_LOOPBACK));
  freeaddrinfo(res);
  hints.ai_flags = AI_PASSIVE;
  ASSERT_EQ(getaddrinfo(NULL, "8080", &hints, &res), 0);
  ASSERT_EQ_U(((SOCKADDR_IN *)res->ai_addr)->sin_addr.s_addr, INADDR_ANY);
  ASSERT_EQ(((SOCKADDR_IN *)res->ai_addr)->sin_port, htons(8080));
  freeaddrinfo(res);
  hints.ai_family = AF_INET6;
  ASSERT_EQ(getaddrinfo(NULL, "8080", &hints, &res), 0);
  ASSERT_EQ(res->ai_family, AF_INET6);
  ASSERT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&((SOCKADDR_IN6 *)res->ai_addr)->sin6_addr));
  freeaddrinfo(res);
}

TEST(empty_names) {
  ADDRINFOA *res = NULL, *res2 = NULL;

  startup();
  /* An empty service is port 0; an empty node is this host. */
  ASSERT_EQ(getaddrinfo(NULL, "", NULL, &res), 0);
  ASSERT_EQ(getaddrinfo(NULL, "0", NULL, &res2), 0);
  ASSERT_EQ(count(res), count(res2));
  ASSERT_EQ(((SOCKADDR_IN *)res->ai_addr)->sin_port, 0);
  freeaddrinfo(res);
  freeaddrinfo(res2);
  WSASetLastError(12345);
  ASSERT_EQ(getaddrinfo("", NULL, NULL, &res), 0);
  ASSERT_EQ(WSAGetLastError(), 0);
  ASSERT_NE_PTR(res, NULL);
  freeaddrinfo(res);
  ASSERT_EQ(getaddrinfo("localhost", "", NULL, &res), 0);
  freeaddrinfo(res);
}

TEST(canonical_name) {
  ADDRINFOA hints, *res = NULL;

  startup();
  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_CANONNAME;
  hints.ai_family = AF_INET;
  ASSERT_EQ(getaddrinfo("localhost", NULL, &hints, &res), 0);
  ASSERT_NE_PTR(res->ai_canonname, NULL);
  if (res->ai_next) ASSERT_EQ_PTR(res->ai_next->ai_canonname, NULL);
  freeaddrinfo(res);
}

TEST(getaddrinfo_errors) {
  ADDRINFOA hints, *res;

  startup();
  res = (ADDRINFOA *)1;
  WSASetLastError(0);
  ASSERT_EQ(getaddrinfo(NULL, NULL, NULL, &res), WSAHOST_NOT_FOUND);
  ASSERT_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);
  ASSERT_EQ_PTR(res, NULL);

  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_NUMERICHOST;
  WSASetLastError(0);
  ASSERT_EQ(getaddrinfo("localhost", "80", &hints, &res), WSAHOST_NOT_FOUND);
  ASSERT_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);

  memset(&hints, 0, sizeof(hints));
  ASSERT_EQ(getaddrinfo(NULL, "no-such-service-ws2", &hints, &res),
            WSATYPE_NOT_FOUND);
  ASSERT_EQ(WSAGetLastError(), WSATYPE_NOT_FOUND);

  hints.ai_socktype = 999;
  ASSERT_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), WSAESOCKTNOSUPPORT);
  ASSERT_EQ(WSAGetLastError(), WSAESOCKTNOSUPPORT);
  hints.ai_socktype = 0;

  hints.ai_family = AF_IPX;
  ASSERT_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), WSAEAFNOSUPPORT);
  ASSERT_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
  hints.ai_family = AF_UNSPEC;

}

/* The hints' other members must be empty (Wine 8 does not check all). */
TEST(hints_members_must_be_empty) {
  ADDRINFOA hints, *res;
  SOCKADDR_IN sa;

  startup();
  memset(&hints, 0, sizeof(hints));
  hints.ai_addrlen = sizeof(sa);
  ASSERT_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), WSANO_RECOVERY);
  hints.ai_addrlen = 0;
  hints.ai_addr = (SOCKADDR *)&sa;
  ASSERT_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), WSANO_RECOVERY);
  ASSERT_EQ(WSAGetLastError(), WSANO_RECOVERY);
  hints.ai_addr = NULL;
  hints.ai_canonname = (char *)"x";
  ASSERT_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), WSANO_RECOVERY);
  hints.ai_canonname = NULL;
  hints.ai_next = &hints;
  ASSERT_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), WSANO_RECOVERY);
}

/* AI_CANONNAME needs a node name; it excludes AI_FQDN; unknown flags. */
TEST(flag_errors) {
  ADDRINFOA hints, *res;

  startup();
  memset(&hints, 0, sizeof(hints));
  /* AI_CANONNAME needs a node name. */
  hints.ai_flags = AI_CANONNAME;
  ASSERT_EQ(getaddrinfo(NULL, "80", &hints, &res), WSANO_RECOVERY);
  /* AI_CANONNAME and AI_FQDN exclude each other. */
  hints.ai_flags = AI_CANONNAME | AI_FQDN;
  ASSERT_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), WSAEINVAL);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  hints.ai_flags = 0x1000; /* no AI_* value */
  ASSERT_EQ(getaddrinfo("127.0.0.1", NULL, &hints, &res), WSAEINVAL);
}

/* A port above 65535 is refused (glibc, and Wine 8 with it, wraps it). */
TEST(numeric_service_out_of_range) {
  ADDRINFOA *res = NULL;
  startup();
  ASSERT_EQ(getaddrinfo("127.0.0.1", "65535", NULL, &res), 0);
  ASSERT_EQ(((SOCKADDR_IN *)res->ai_addr)->sin_port, htons(65535));
  freeaddrinfo(res);
  ASSERT_EQ(getaddrinfo("127.0.0.1", "65536", NULL, &res), WSATYPE_NOT_FOUND);
  ASSERT_EQ(getaddrinfo("127.0.0.1", "70000", NULL, &res), WSATYPE_NOT_FOUND);
}

TEST(getaddrinfo_windows_only_flags_accepted) {
  ADDRINFOA hints, *res = NULL;
  startup();
  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_NON_AUTHORITATIVE | AI_SECURE |
                   AI_RETURN_PREFERRED_NAMES | AI_DISABLE_IDN_ENCODING;
  ASSERT_EQ(getaddrinfo("127.0.0.1", "1", &hints, &res), 0);
  freeaddrinfo(res);
  freeaddrinfo(NULL);
}

TEST(getaddrinfo_wide) {
  ADDRINFOW hints, *res = NULL, *p;
  int found = 0;

  startup();
  WSASetLastError(12345);
  ASSERT_EQ(GetAddrInfoW(u"127.0.0.1", u"443", NULL, &res), 0);
  ASSERT_EQ(WSAGetLastError(), 0);
  ASSERT_EQ(res->ai_family, AF_INET);
  ASSERT_EQ(((SOCKADDR_IN *)res->ai_addr)->sin_port, htons(443));
  FreeAddrInfoW(res);

  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_CANONNAME;
  hints.ai_family = AF_INET;
  ASSERT_EQ(GetAddrInfoW(u"localhost", NULL, &hints, &res), 0);
  ASSERT_NE_PTR(res->ai_canonname, NULL);
  for (p = res; p; p = p->ai_next)
    if (((SOCKADDR_IN *)p->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
      found = 1;
  ASSERT_TRUE(found);
  FreeAddrInfoW(res);

  res = (ADDRINFOW *)1;
  ASSERT_EQ(GetAddrInfoW(NULL, NULL, NULL, &res), WSAHOST_NOT_FOUND);
  ASSERT_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);
  ASSERT_EQ_PTR(res, NULL);
  hints.ai_flags = AI_NUMERICHOST;
  ASSERT_EQ(GetAddrInfoW(u"localhost", NULL, &hints, &res), WSAHOST_NOT_FOUND);
  ASSERT_EQ(GetAddrInfoW(u"", u"", NULL, &res), 0);
  FreeAddrInfoW(res);
}

/* ---- getnameinfo. ---- */

TEST(nameinfo_numeric) {
  SOCKADDR_IN in;
  SOCKADDR_IN6 in6;
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  WCHAR whost[NI_MAXHOST], wserv[NI_MAXSERV];

  startup();
  memset(&in, 0, sizeof(in));
  in.sin_family = AF_INET;
  in.sin_port = htons(443);
  in.sin_addr.s_addr = htonl(0x424d5863); /* 66.77.88.99 */
  WSASetLastError(12345);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), host, sizeof(host), serv,
                        sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV),
            0);
  ASSERT_EQ(strcmp(host, "66.77.88.99"), 0);
  ASSERT_EQ(strcmp(serv, "443"), 0);
  ASSERT_EQ(GetNameInfoW((SOCKADDR *)&in, sizeof(in), whost, NI_MAXHOST, wserv,
                         NI_MAXSERV, NI_NUMERICHOST | NI_NUMERICSERV),
            0);
  ASSERT_TRUE(wcs16eq(whost, "66.77.88.99"));
  ASSERT_TRUE(wcs16eq(wserv, "443"));

  memset(&in6, 0, sizeof(in6));
  in6.sin6_family = AF_INET6;
  in6.sin6_addr.u.Byte[15] = 1;
  in6.sin6_port = htons(80);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in6, sizeof(in6), host, sizeof(host),
                        serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV),
            0);
  ASSERT_EQ(strcmp(host, "::1"), 0);
  ASSERT_EQ(strcmp(serv, "80"), 0);
}

/* The scope is a number on Windows; Wine 8 gives glibc's interface name. */
TEST(nameinfo_numeric_scope) {
  SOCKADDR_IN6 in6;
  char host[NI_MAXHOST];

  startup();
  memset(&in6, 0, sizeof(in6));
  in6.sin6_family = AF_INET6;
  in6.sin6_addr.u.Byte[0] = 0xfe;
  in6.sin6_addr.u.Byte[1] = 0x80;
  in6.sin6_addr.u.Byte[15] = 1;
  in6.sin6_scope_id = 2;
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in6, sizeof(in6), host, sizeof(host),
                        NULL, 0, NI_NUMERICHOST),
            0);
  ASSERT_EQ(strcmp(host, "fe80::1%2"), 0);
}

TEST(nameinfo_lookup_falls_back_to_numeric) {
  SOCKADDR_IN in;
  char host[NI_MAXHOST], serv[NI_MAXSERV];

  startup();
  memset(&in, 0, sizeof(in));
  in.sin_family = AF_INET;
  in.sin_port = htons(65000);
  /* A TEST-NET-3 address (RFC 5737): it has no name anywhere. */
  in.sin_addr.s_addr = htonl(0xcb00710a);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), host, sizeof(host), serv,
                        sizeof(serv), 0),
            0);
  ASSERT_EQ(strcmp(host, "203.0.113.10"), 0);
  ASSERT_EQ(strcmp(serv, "65000"), 0);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), host, sizeof(host), NULL,
                        0, NI_NAMEREQD),
            WSAHOST_NOT_FOUND);
}

/* The error is also the thread's last error (Wine 8 leaves it alone). */
TEST(nameinfo_sets_last_error) {
  SOCKADDR_IN in;
  char host[NI_MAXHOST];

  startup();
  memset(&in, 0, sizeof(in));
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(0xcb00710a);
  WSASetLastError(0);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), host, sizeof(host), NULL,
                        0, NI_NAMEREQD),
            WSAHOST_NOT_FOUND);
  ASSERT_EQ(WSAGetLastError(), WSAHOST_NOT_FOUND);
  WSASetLastError(12345);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), host, sizeof(host), NULL,
                        0, NI_NUMERICHOST),
            0);
  ASSERT_EQ(WSAGetLastError(), 0);
}

/*
 * Bad arguments, as documented (Wine 8 returns glibc's codes, or faults on
 * a NULL address): WSAEFAULT for no address, a short one, or a buffer too
 * small for the answer; WSAEINVAL for a buffer of size 0;
 * WSAEAFNOSUPPORT for a family other than AF_INET and AF_INET6; and, as
 * RFC 3493 has it, WSAHOST_NOT_FOUND when neither name is asked for (Wine
 * 8 succeeds).
 */
TEST(nameinfo_bad_arguments) {
  SOCKADDR_IN in;
  char host[NI_MAXHOST], small[4];
  WCHAR wsmall[4];

  startup();
  memset(&in, 0, sizeof(in));
  in.sin_family = AF_INET;
  in.sin_port = htons(443);
  in.sin_addr.s_addr = htonl(0x424d5863);

  WSASetLastError(0);
  ASSERT_EQ(getnameinfo(NULL, sizeof(in), host, sizeof(host), NULL, 0,
                        NI_NUMERICHOST),
            WSAEFAULT);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in) - 1, host, sizeof(host),
                        NULL, 0, NI_NUMERICHOST),
            WSAEFAULT);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), host, 0, NULL, 0,
                        NI_NUMERICHOST),
            WSAEINVAL);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), small, sizeof(small),
                        NULL, 0, NI_NUMERICHOST),
            WSAEFAULT);
  ASSERT_EQ(GetNameInfoW((SOCKADDR *)&in, sizeof(in), wsmall, 4, NULL, 0,
                         NI_NUMERICHOST),
            WSAEFAULT);
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), NULL, 0, NULL, 0, 0),
            WSAHOST_NOT_FOUND);
  in.sin_family = AF_IPX;
  ASSERT_EQ(getnameinfo((SOCKADDR *)&in, sizeof(in), host, sizeof(host), NULL,
                        0, NI_NUMERICHOST),
            WSAEAFNOSUPPORT);
  ASSERT_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
}

/* ---- gethostname, GetHostNameW. ---- */

TEST(host_name) {
  char name[256], again[256];
  WCHAR wname[256];
  int len;

  startup();
  ASSERT_EQ(gethostname(name, sizeof(name)), 0);
  len = (int)strlen(name);
  ASSERT_GT(len, 0);

  /* It must fit with its terminator, else WSAEFAULT and no change. */
  strcpy(again, "deadbeef");
  WSASetLastError(0);
  ASSERT_EQ(gethostname(again, len), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(strcmp(again, "deadbeef"), 0);
  ASSERT_EQ(gethostname(again, len + 1), 0);
  ASSERT_EQ(strcmp(again, name), 0);
  WSASetLastError(0);
  ASSERT_EQ(gethostname(NULL, 256), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);

  ASSERT_EQ(GetHostNameW(wname, 256), 0);
  ASSERT_TRUE(wcs16eq(wname, name));
  wname[0] = 'x';
  WSASetLastError(0);
  ASSERT_EQ(GetHostNameW(wname, len), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(wname[0], 'x');
  ASSERT_EQ(GetHostNameW(wname, len + 1), 0);
  WSASetLastError(0);
  ASSERT_EQ(GetHostNameW(NULL, 256), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
}

/* ---- gai_strerror. ---- */

/* Windows' system texts for the codes (Wine 8 has its own wording). */
TEST(gai_strerror_texts) {
  const char *a = gai_strerrorA(WSAHOST_NOT_FOUND);
  const WCHAR *w = gai_strerrorW(WSAHOST_NOT_FOUND);
  ASSERT_NE_PTR(a, NULL);
  ASSERT_TRUE(strncmp(a, "No such host is known.", 22) == 0);
  ASSERT_NE_PTR(w, NULL);
  ASSERT_EQ(w[0], 'N');
  ASSERT_TRUE(strncmp(gai_strerrorA(EAI_SERVICE), "The specified class was not found.", 34) == 0);
}
