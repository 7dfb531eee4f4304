/*
 * Addresses as text and byte order: inet_pton, inet_ntop, InetPtonW,
 * InetNtopW, inet_addr, inet_ntoa, WSAAddressToStringA/W,
 * WSAStringToAddressA/W, htonl & co. The expected values are Windows'
 * (its IPv6 text form and its lenient and strict IPv4 parsers differ from
 * glibc's in corner cases). Windows API only: builds with mingw-w64 and
 * runs under Wine too (test/wine/run.sh).
 */
#include <winsock2.h>
#include <ws2tcpip.h>

#include "ws2test.h"

/* What inet_ntop leaves in WSAGetLastError for a bad buffer (its page). */
#define NTOP_BAD_BUFFER ERROR_INVALID_PARAMETER

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

static int wcs16eq(const WCHAR *a, const char *b) {
  while (*a && *b && *a == (WCHAR)(unsigned char)*b) a++, b++;
  return *a == 0 && *b == 0;
}

static void widen(const char *s, WCHAR *w) {
  while ((*w++ = (WCHAR)(unsigned char)*s++) != 0) {
  }
}

TEST(address_strings_need_wsastartup) {
  SOCKADDR_IN in;
  char buf[64];
  DWORD len = sizeof(buf);
  INT ilen = sizeof(in);
  cleanup_all();
  memset(&in, 0, sizeof(in));
  in.sin_family = AF_INET;
  ASSERT_EQ(WSAAddressToStringA((LPSOCKADDR)&in, sizeof(in), NULL, buf, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSANOTINITIALISED);
  ASSERT_EQ(WSAStringToAddressA((LPSTR) "1.2.3.4", AF_INET, NULL,
                                (LPSOCKADDR)&in, &ilen),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSANOTINITIALISED);
  /* The plain conversions need no WSAStartup. */
  ASSERT_EQ(inet_addr("1.2.3.4"), htonl(0x01020304));
  ASSERT_EQ(inet_pton(AF_INET, "1.2.3.4", &in.sin_addr), 1);
}

/* ---- Byte order. ---- */

TEST(byte_order) {
  u_long l = htonl(0x01020304);
  u_short s = htons(0x0102);
  ASSERT_MEM_EQ(&l, "\x01\x02\x03\x04", 4);
  ASSERT_MEM_EQ(&s, "\x01\x02", 2);
  ASSERT_EQ_U(ntohl(l), 0x01020304);
  ASSERT_EQ(ntohs(s), 0x0102);
  ASSERT_EQ(sizeof(htonl(0)), 4);
}

/*
 * The WSA forms convert through a socket: its catalog entry says the
 * network byte order (big-endian for every ws2 entry). Microsoft documents
 * WSANOTINITIALISED, WSAENOTSOCK and WSAEFAULT (a NULL out pointer). Wine 8
 * checks only the pointer, and returns WSAEFAULT itself instead of
 * SOCKET_ERROR (test/wine/run.sh).
 */
TEST(wsa_byte_order_through_a_socket) {
  SOCKET s[2];
  int i;
  startup();
  s[0] = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  s[1] = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
  for (i = 0; i < 2; i++) {
    u_long l = 0, back = 0;
    u_short sh = 0, sback = 0;
    ASSERT_NE(s[i], INVALID_SOCKET);
    /* Host to network: big-endian bytes, the same as htonl/htons. */
    ASSERT_EQ(WSAHtonl(s[i], 0x01020304, &l), 0);
    ASSERT_MEM_EQ(&l, "\x01\x02\x03\x04", 4);
    ASSERT_EQ_U(l, htonl(0x01020304));
    ASSERT_EQ(WSAHtons(s[i], 0x0102, &sh), 0);
    ASSERT_MEM_EQ(&sh, "\x01\x02", 2);
    ASSERT_EQ(sh, htons(0x0102));
    /* Network to host: big-endian bytes read back as the number. */
    memcpy(&l, "\xA1\xB2\xC3\xD4", 4);
    ASSERT_EQ(WSANtohl(s[i], l, &back), 0);
    ASSERT_EQ_U(back, 0xA1B2C3D4u);
    ASSERT_EQ_U(back, ntohl(l));
    memcpy(&sh, "\xA1\xB2", 2);
    ASSERT_EQ(WSANtohs(s[i], sh, &sback), 0);
    ASSERT_EQ(sback, 0xA1B2);
    ASSERT_EQ(sback, ntohs(sh));
    /* Round trips. */
    ASSERT_EQ(WSAHtonl(s[i], 0xDEADBEEF, &l), 0);
    ASSERT_EQ(WSANtohl(s[i], l, &back), 0);
    ASSERT_EQ_U(back, 0xDEADBEEF);
    ASSERT_EQ(WSAHtons(s[i], 0xBEEF, &sh), 0);
    ASSERT_EQ(WSANtohs(s[i], sh, &sback), 0);
    ASSERT_EQ(sback, 0xBEEF);
    /* A NULL out pointer. */
    ASSERT_FAILS_WITH(WSAHtonl(s[i], 1, NULL), SOCKET_ERROR, WSAEFAULT);
    ASSERT_FAILS_WITH(WSAHtons(s[i], 1, NULL), SOCKET_ERROR, WSAEFAULT);
    ASSERT_FAILS_WITH(WSANtohl(s[i], 1, NULL), SOCKET_ERROR, WSAEFAULT);
    ASSERT_FAILS_WITH(WSANtohs(s[i], 1, NULL), SOCKET_ERROR, WSAEFAULT);
    ASSERT_EQ(closesocket(s[i]), 0);
  }
}

static void assert_wsa_byte_order_fails(SOCKET s, int err) {
  u_long l = 7;
  u_short sh = 7;
  ASSERT_FAILS_WITH(WSAHtonl(s, 0x01020304, &l), SOCKET_ERROR, err);
  ASSERT_FAILS_WITH(WSAHtons(s, 0x0102, &sh), SOCKET_ERROR, err);
  ASSERT_FAILS_WITH(WSANtohl(s, 0x01020304, &l), SOCKET_ERROR, err);
  ASSERT_FAILS_WITH(WSANtohs(s, 0x0102, &sh), SOCKET_ERROR, err);
  ASSERT_EQ(l, 7); /* nothing written */
  ASSERT_EQ(sh, 7);
}

TEST(wsa_byte_order_needs_a_socket) {
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL); /* a handle, no socket */
  SOCKET closed;
  ASSERT_NE_PTR(ev, NULL);
  startup();
  assert_wsa_byte_order_fails(INVALID_SOCKET, WSAENOTSOCK);
  assert_wsa_byte_order_fails((SOCKET)ev, WSAENOTSOCK);
  closed = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  ASSERT_NE(closed, INVALID_SOCKET);
  ASSERT_EQ(closesocket(closed), 0);
  assert_wsa_byte_order_fails(closed, WSAENOTSOCK);
  ASSERT_TRUE(CloseHandle(ev));
}

TEST(wsa_byte_order_needs_wsastartup) {
  SOCKET s;
  startup();
  s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(closesocket(s), 0);
  cleanup_all(); /* before WSAStartup, or after the last WSACleanup */
  assert_wsa_byte_order_fails(s, WSANOTINITIALISED);
  assert_wsa_byte_order_fails(INVALID_SOCKET, WSANOTINITIALISED);
}

/* ---- inet_addr. ---- */

TEST(inet_addr_bsd_forms) {
  static const struct {
    const char *in;
    u_long host; /* the address in host order; INADDR_NONE for none */
  } t[] = {
      {"1.2.3.4", 0x01020304},
      {"0.0.0.0", 0},
      {"1", 0x00000001},
      {"1.2", 0x01000002},
      {"1.2.3", 0x01020003},
      {"10.65536", 0x0a010000},
      {"203569230", 0x0c22384e},
      {"0x7f.1", 0x7f000001},
      {"0x0A0B0C0D", 0x0a0b0c0d},
      {"017700000001", 0x7f000001},
      {"1.2.3.010", 0x01020308},
      {"1.2.3.0xaA", 0x010203aa},
      /* White space ends the address; what follows is ignored. */
      {"3.4.5.6 junk", 0x03040506},
      {"1.2.3\t.4", 0x01020003},
      {"1 2 3 4", 0x00000001},
      {"255.255.255.255", 0xffffffff},
      {"", INADDR_NONE},
      {"  ", INADDR_NONE},
      {" 1.2.3.4", INADDR_NONE},
      {"1.2.3.4.5", INADDR_NONE},
      {"1.2.3.256", INADDR_NONE},
      {"1.2.65536", INADDR_NONE},
      {"256.1", INADDR_NONE},
      {"1.2.3.", INADDR_NONE},
      {"1..2", INADDR_NONE},
      {".1.2.3", INADDR_NONE},
      {"1.2.3.08", INADDR_NONE},
      {"1.2.3.0x", INADDR_NONE},
      {"1.2.3.4:80", INADDR_NONE},
      {"1.2.3.4a", INADDR_NONE},
      {"1.1.1.-2", INADDR_NONE},
      {"a.b.c.d", INADDR_NONE},
      {"::1", INADDR_NONE},
      {"[1.2.3.4]", INADDR_NONE},
  };
  size_t i;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    u_long want = t[i].host == INADDR_NONE ? INADDR_NONE : htonl(t[i].host);
    WSASetLastError(12345);
    if (inet_addr(t[i].in) != want) {
      fprintf(stderr, "# inet_addr(\"%s\")\n", t[i].in);
      ASSERT_EQ_U(inet_addr(t[i].in), want);
    }
    ASSERT_EQ(WSAGetLastError(), 12345);
  }
}

TEST(inet_addr_quirks) {
  /* A single space is INADDR_ANY on Windows. */
  ASSERT_EQ_U(inet_addr(" "), 0);
  WSASetLastError(0);
  ASSERT_EQ_U(inet_addr(NULL), INADDR_NONE);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
}

/* ---- inet_ntoa. ---- */

static DWORD WINAPI ntoa_thread(LPVOID arg) {
  struct in_addr a;
  a.s_addr = htonl(0x04030201);
  strcpy((char *)arg, inet_ntoa(a));
  return 0;
}

TEST(inet_ntoa_per_thread_buffer) {
  struct in_addr a;
  char other[32];
  char *s;
  HANDLE h;

  a.s_addr = htonl(0x01020304);
  s = inet_ntoa(a);
  ASSERT_EQ(strcmp(s, "1.2.3.4"), 0);
  h = CreateThread(NULL, 0, ntoa_thread, other, 0, NULL);
  ASSERT_JOINED(h, 5000);
  ASSERT_EQ(strcmp(other, "4.3.2.1"), 0);
  ASSERT_EQ(strcmp(s, "1.2.3.4"), 0); /* not overwritten by the thread */
  a.s_addr = htonl(0xffffffff);
  ASSERT_EQ(strcmp(inet_ntoa(a), "255.255.255.255"), 0);
  a.s_addr = 0;
  ASSERT_EQ(strcmp(inet_ntoa(a), "0.0.0.0"), 0);
}

/* ---- inet_pton, InetPtonW. ---- */

TEST(inet_pton_ipv4) {
  static const struct {
    const char *in;
    int ret;
    int written; /* the address is stored even when ret is 0 */
    DWORD host;
  } t[] = {
      {"1.1.1.1", 1, 1, 0x01010101},
      {"0.0.0.0", 1, 1, 0},
      {"127.127.127.255", 1, 1, 0x7f7f7fff},
      /* A complete address followed by other text: stored, but 0. */
      {"3.4.5.6 ", 0, 1, 0x03040506},
      {"127.0.0.1:123", 0, 1, 0x7f000001},
      {"1.1.1.0a", 0, 1, 0x01010100},
      /* Not an address at all. */
      {"", 0, 0, 0},
      {" ", 0, 0, 0},
      {"1", 0, 0, 0},
      {"1.2.3", 0, 0, 0},
      {"1.2.3.4.5", 0, 0, 0},
      {"1.1.1.256", 0, 0, 0},
      {"1.1.1.010", 0, 0, 0}, /* no leading zeros */
      {"1.1.1.00", 0, 0, 0},
      {"1.1.1.0x1", 0, 0, 0},
      {"0x01020304", 0, 0, 0},
      {" 1.2.3.4", 0, 0, 0},
      {"1.2.3.-4", 0, 0, 0},
      {"::1", 0, 0, 0},
  };
  size_t i;

  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    DWORD addr = 0xdeadbeef;
    WCHAR w[64];
    int r;
    WSASetLastError(12345);
    r = inet_pton(AF_INET, t[i].in, &addr);
    if (r != t[i].ret) fprintf(stderr, "# inet_pton(\"%s\")\n", t[i].in);
    ASSERT_EQ(r, t[i].ret);
    ASSERT_EQ(WSAGetLastError(), 12345); /* inet_pton says nothing on 0 */
    ASSERT_EQ_U(addr, t[i].written ? htonl(t[i].host) : 0xdeadbeef);

    widen(t[i].in, w);
    addr = 0xdeadbeef;
    WSASetLastError(12345);
    r = InetPtonW(AF_INET, w, &addr);
    ASSERT_EQ(r, t[i].ret);
    /* ...InetPtonW does: WSAEINVAL. */
    ASSERT_EQ(WSAGetLastError(), r ? 12345 : WSAEINVAL);
    ASSERT_EQ_U(addr, t[i].written ? htonl(t[i].host) : 0xdeadbeef);
  }
}

TEST(inet_pton_ipv6) {
  static const struct {
    const char *in;
    int ret;
    unsigned short w[8]; /* host-order groups when ret is 1 */
  } t[] = {
      {"::", 1, {0}},
      {"::1", 1, {0, 0, 0, 0, 0, 0, 0, 1}},
      {"1::", 1, {1}},
      {"0:0:0:0:0:0:0:1", 1, {0, 0, 0, 0, 0, 0, 0, 1}},
      {"2001:db8:85a3::8a2e:370:7334",
       1,
       {0x2001, 0xdb8, 0x85a3, 0, 0, 0x8a2e, 0x370, 0x7334}},
      {"FFFF:ffff:FFFF:ffff:FFFF:ffff:FFFF:ffff",
       1,
       {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}},
      {"1:2:3:4:5:6:7::", 1, {1, 2, 3, 4, 5, 6, 7, 0}},
      {"1::3:4:5:6:7:8", 1, {1, 0, 3, 4, 5, 6, 7, 8}},
      {"::ffff:1.2.3.4", 1, {0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}},
      {"1:2:3:4:5:6:1.2.3.4", 1, {1, 2, 3, 4, 5, 6, 0x0102, 0x0304}},
      {"1::001.2.3.4", 1, {1, 0, 0, 0, 0, 0, 0x0102, 0x0304}},
      {"0001:0002::", 1, {1, 2}},
      {"", 0, {0}},
      {":", 0, {0}},
      {":1::", 0, {0}},
      {"1:2", 0, {0}},
      {"1:2:3:4:5:6:7:8:", 0, {0}},
      {"1:2:3:4:5:6::7:8", 0, {0}},
      {"1::2::3", 0, {0}},
      {"12345::", 0, {0}},
      {"::01234", 0, {0}},
      {"1:2:", 0, {0}},
      {"1::1.2.3", 0, {0}},
      {"1::0001.2.3.4", 0, {0}},
      {"1::1.2.3.256", 0, {0}},
      {"1:2:3:4:5:6:7:1.2.3.4", 0, {0}},
      {"::%1", 0, {0}},
      {"[::1]", 0, {0}},
      {"::1/128", 0, {0}},
      {"1.2.3.4", 0, {0}},
      {"::0x1", 0, {0}},
  };
  size_t i;
  int k;

  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    IN6_ADDR a;
    WCHAR w[64];
    int r;
    memset(&a, 0xab, sizeof(a));
    r = inet_pton(AF_INET6, t[i].in, &a);
    if (r != t[i].ret)
      fprintf(stderr, "# inet_pton(AF_INET6, \"%s\")\n", t[i].in);
    ASSERT_EQ(r, t[i].ret);
    if (r == 1)
      for (k = 0; k < 8; k++) ASSERT_EQ(ntohs(a.u.Word[k]), t[i].w[k]);
    widen(t[i].in, w);
    ASSERT_EQ(InetPtonW(AF_INET6, w, &a), t[i].ret);
  }
}

TEST(inet_pton_errors) {
  BYTE buf[16];
  WSASetLastError(0);
  ASSERT_EQ(inet_pton(AF_UNSPEC, "127.0.0.1", buf), -1);
  ASSERT_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
  WSASetLastError(0);
  ASSERT_EQ(inet_pton(AF_INET, NULL, buf), -1);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  WSASetLastError(0);
  ASSERT_EQ(inet_pton(AF_UNSPEC, NULL, buf), -1); /* the pointer first */
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  WSASetLastError(0);
  ASSERT_EQ(InetPtonW(AF_INET, NULL, buf), -1);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  WSASetLastError(0);
  ASSERT_EQ(InetPtonW(AF_UNIX, u"1.2.3.4", buf), -1);
  ASSERT_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
}

/* ---- inet_ntop, InetNtopW. ---- */

TEST(inet_ntop_windows_ipv6_form) {
  static const struct {
    unsigned short w[8];
    const char *text;
  } t[] = {
      {{0}, "::"},
      {{0, 0, 0, 0, 0, 0, 0, 1}, "::1"},
      {{1}, "1::"},
      {{0x2001, 0xdb8, 0, 0, 0, 0, 0x1428, 0x57ab}, "2001:db8::1428:57ab"},
      /* A lone zero group is not compressed... */
      {{0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888},
       "1111:0:3333:4444:5555:6666:7777:8888"},
      /* ...the longest run is, the first of equal runs. */
      {{0x3ffe, 0xb00, 0, 0, 1, 0, 0, 0xa}, "3ffe:b00::1:0:0:a"},
      {{0x2001, 0, 0x1234, 0, 0, 0xc1c0, 0xabcd, 0x876},
       "2001:0:1234::c1c0:abcd:876"},
      /* Embedded IPv4: compatible, mapped, translated, ISATAP. */
      {{0, 0, 0, 0, 0, 0, 0x0d01, 0x4403}, "::13.1.68.3"},
      {{0, 0, 0, 0, 0, 0, 0, 0xffff}, "::ffff"},
      {{0, 0, 0, 0, 0, 0xffff, 0x8190, 0x3426}, "::ffff:129.144.52.38"},
      {{0, 0, 0, 0, 0, 0xffff, 0, 0}, "::ffff:0:0"},
      {{0, 0, 0, 0, 0, 0xffff, 0, 0x4403}, "::ffff:0:4403"},
      {{0, 0, 0, 0, 0xffff, 0, 0x0d01, 0x4403}, "::ffff:0:13.1.68.3"},
      {{0, 0, 0, 0, 0, 0x5efe, 0, 0}, "::5efe:0.0.0.0"},
      {{0x1111, 0x2222, 0x3333, 0x4444, 0, 0x5efe, 0x8190, 0x3426},
       "1111:2222:3333:4444:0:5efe:129.144.52.38"},
      {{0, 0, 0, 0, 0x0200, 0x5efe, 0x8190, 0x3426},
       "::200:5efe:129.144.52.38"},
      {{0, 0, 0, 0, 0x0100, 0x5efe, 0x8190, 0x3426}, "::100:5efe:8190:3426"},
      {{0, 0, 0, 0, 0, 0xfffe, 0x0d01, 0x4403}, "::fffe:d01:4403"},
  };
  size_t i;
  int k;

  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    IN6_ADDR a;
    char buf[64];
    WCHAR w[64];
    for (k = 0; k < 8; k++) a.u.Word[k] = htons(t[i].w[k]);
    ASSERT_EQ_PTR(inet_ntop(AF_INET6, &a, buf, sizeof(buf)), buf);
    if (strcmp(buf, t[i].text) != 0)
      fprintf(stderr, "# got \"%s\", want \"%s\"\n", buf, t[i].text);
    ASSERT_EQ(strcmp(buf, t[i].text), 0);
    ASSERT_EQ_PTR(InetNtopW(AF_INET6, &a, w, 64), w);
    ASSERT_TRUE(wcs16eq(w, t[i].text));
  }
}

TEST(inet_ntop_ipv4_and_buffer_sizes) {
  struct in_addr a;
  IN6_ADDR a6;
  char buf[32];
  WCHAR w[32];

  a.s_addr = htonl(0x15102020);
  ASSERT_EQ_PTR(inet_ntop(AF_INET, &a, buf, sizeof(buf)), buf);
  ASSERT_EQ(strcmp(buf, "21.16.32.32"), 0);
  /* Exactly the text and its terminator fits; one less does not. */
  ASSERT_EQ_PTR(inet_ntop(AF_INET, &a, buf, 12), buf);
  ASSERT_EQ_PTR(inet_ntop(AF_INET, &a, buf, 11), NULL);
  ASSERT_EQ_PTR(inet_ntop(AF_INET, &a, buf, 0), NULL);
  ASSERT_EQ_PTR(inet_ntop(AF_INET, &a, NULL, sizeof(buf)), NULL);
  WSASetLastError(0);
  ASSERT_EQ_PTR(inet_ntop(AF_UNIX, &a, buf, sizeof(buf)), NULL);
  ASSERT_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);

  memset(&a6, 0, sizeof(a6));
  a6.u.Byte[15] = 1;
  ASSERT_EQ_PTR(inet_ntop(AF_INET6, &a6, buf, 4), buf); /* "::1" */
  ASSERT_EQ_PTR(inet_ntop(AF_INET6, &a6, buf, 3), NULL);

  ASSERT_EQ_PTR(InetNtopW(AF_INET, &a, w, 12), w);
  ASSERT_TRUE(wcs16eq(w, "21.16.32.32"));
  ASSERT_EQ_PTR(InetNtopW(AF_INET, &a, w, 11), NULL);
  ASSERT_EQ_PTR(InetNtopW(23, &a6, w, 32), w);
  WSASetLastError(0);
  ASSERT_EQ_PTR(InetNtopW(99, &a6, w, 32), NULL);
  ASSERT_EQ(WSAGetLastError(), WSAEAFNOSUPPORT);
}

/*
 * A missing or short buffer: ERROR_INVALID_PARAMETER, as the documentation
 * says and Wine 8 does (Windows 8 and later say STATUS_INVALID_PARAMETER,
 * Windows 7 said WSAEINVAL: ws2 follows the documentation).
 */
TEST(inet_ntop_bad_buffer_error_code) {
  struct in_addr a;
  char buf[32];
  WCHAR w[32];

  a.s_addr = htonl(0x15102020);
  WSASetLastError(0);
  ASSERT_EQ_PTR(inet_ntop(AF_INET, &a, buf, 11), NULL);
  ASSERT_EQ(WSAGetLastError(), NTOP_BAD_BUFFER);
  WSASetLastError(0);
  ASSERT_EQ_PTR(inet_ntop(AF_INET, &a, buf, 0), NULL);
  ASSERT_EQ(WSAGetLastError(), NTOP_BAD_BUFFER);
  WSASetLastError(0);
  ASSERT_EQ_PTR(inet_ntop(AF_INET, &a, NULL, sizeof(buf)), NULL);
  ASSERT_EQ(WSAGetLastError(), NTOP_BAD_BUFFER);
  WSASetLastError(0);
  ASSERT_EQ_PTR(InetNtopW(AF_INET, &a, w, 11), NULL);
  ASSERT_EQ(WSAGetLastError(), NTOP_BAD_BUFFER);
}

/*
 * Windows (RtlIpv6StringToAddress) rejects a leading "::" that stands for
 * a single zero group, which RFC 4291 allows (Wine 8 accepts it).
 */
TEST(ipv6_leading_double_colon_quirk) {
  IN6_ADDR a;
  SOCKADDR_IN6 in6;
  INT len = sizeof(in6);
  startup();
  ASSERT_EQ(inet_pton(AF_INET6, "::1:2:3:4:5:6:7", &a), 0);
  ASSERT_EQ(inet_pton(AF_INET6, "::0:0:0:0:0:0:0", &a), 0);
  ASSERT_EQ(inet_pton(AF_INET6, "1:2:3:4:5:6:7::", &a), 1); /* but not here */
  ASSERT_EQ(WSAStringToAddressA((LPSTR) "::1:2:3:4:5:6:7", AF_INET6, NULL,
                                (LPSOCKADDR)&in6, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
}

/* ---- WSAAddressToString. ---- */

static SOCKADDR_IN6 make_in6(const unsigned short w[8], ULONG scope,
                             u_short port) {
  SOCKADDR_IN6 s;
  int k;
  memset(&s, 0, sizeof(s));
  s.sin6_family = AF_INET6;
  for (k = 0; k < 8; k++) s.sin6_addr.u.Word[k] = htons(w[k]);
  s.sin6_scope_id = scope;
  s.sin6_port = htons(port);
  return s;
}

TEST(address_to_string) {
  static const unsigned short loop[8] = {0, 0, 0, 0, 0, 0, 0, 1};
  static const unsigned short a20ab[8] = {0x20ab, 0, 0, 0, 0, 0, 0, 0x2001};
  static const struct {
    ULONG addr;
    u_short port;
    const char *text;
  } v4[] = {
      {0, 0, "0.0.0.0"},
      {0xffffffff, 0, "255.255.255.255"},
      {0x7f000001, 80, "127.0.0.1:80"},
      {0, 65535, "0.0.0.0:65535"},
  };
  static const struct {
    const unsigned short *w;
    ULONG scope;
    u_short port;
    const char *text;
  } v6[] = {
      {loop, 0, 0, "::1"},
      {a20ab, 0, 33274, "[20ab::2001]:33274"},
      {a20ab, 4660, 33274, "[20ab::2001%4660]:33274"},
      {a20ab, 4660, 0, "20ab::2001%4660"},
  };
  size_t i;

  startup();
  for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
    SOCKADDR_IN in;
    char buf[64];
    WCHAR w[64];
    DWORD len = sizeof(buf);
    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(v4[i].addr);
    in.sin_port = htons(v4[i].port);
    ASSERT_EQ(WSAAddressToStringA((LPSOCKADDR)&in, sizeof(in), NULL, buf, &len),
              0);
    ASSERT_EQ(strcmp(buf, v4[i].text), 0);
    ASSERT_EQ(len, strlen(v4[i].text) + 1);
    len = 64;
    ASSERT_EQ(WSAAddressToStringW((LPSOCKADDR)&in, sizeof(in), NULL, w, &len),
              0);
    ASSERT_TRUE(wcs16eq(w, v4[i].text));
    ASSERT_EQ(len, strlen(v4[i].text) + 1);
  }
  for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
    SOCKADDR_IN6 in6 = make_in6(v6[i].w, v6[i].scope, v6[i].port);
    char buf[64];
    WCHAR w[64];
    DWORD len = sizeof(buf);
    ASSERT_EQ(
        WSAAddressToStringA((LPSOCKADDR)&in6, sizeof(in6), NULL, buf, &len), 0);
    if (strcmp(buf, v6[i].text) != 0)
      fprintf(stderr, "# got \"%s\", want \"%s\"\n", buf, v6[i].text);
    ASSERT_EQ(strcmp(buf, v6[i].text), 0);
    ASSERT_EQ(len, strlen(v6[i].text) + 1);
    len = 64;
    ASSERT_EQ(WSAAddressToStringW((LPSOCKADDR)&in6, sizeof(in6), NULL, w, &len),
              0);
    ASSERT_TRUE(wcs16eq(w, v6[i].text));
  }
}

TEST(address_to_string_short_buffer) {
  SOCKADDR_IN in;
  char buf[64];
  WCHAR w[64];
  DWORD len;

  startup();
  memset(&in, 0, sizeof(in));
  in.sin_family = AF_INET;
  /* Too small: WSAEFAULT and the length needed, terminator included. */
  len = 0;
  ASSERT_EQ(WSAAddressToStringA((LPSOCKADDR)&in, sizeof(in), NULL, buf, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(len, 8);
  len = 7;
  ASSERT_EQ(WSAAddressToStringA((LPSOCKADDR)&in, sizeof(in), NULL, buf, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(len, 8);
  len = 0;
  ASSERT_EQ(WSAAddressToStringW((LPSOCKADDR)&in, sizeof(in), NULL, NULL, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(len, 8);
  len = 8;
  ASSERT_EQ(WSAAddressToStringW((LPSOCKADDR)&in, sizeof(in), NULL, w, &len), 0);
  ASSERT_TRUE(wcs16eq(w, "0.0.0.0"));
}

/* Bad arguments are WSAEINVAL (Wine 8 fails without setting an error). */
TEST(address_to_string_bad_arguments) {
  SOCKADDR_IN in;
  char buf[64];
  DWORD len = sizeof(buf);

  startup();
  memset(&in, 0, sizeof(in));
  in.sin_family = AF_INET;
  WSASetLastError(0);
  ASSERT_EQ(WSAAddressToStringA(NULL, sizeof(in), NULL, buf, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  WSASetLastError(0);
  ASSERT_EQ(WSAAddressToStringA((LPSOCKADDR)&in, sizeof(in), NULL, buf, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  WSASetLastError(0);
  ASSERT_EQ(WSAAddressToStringA((LPSOCKADDR)&in, 0, NULL, buf, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  in.sin_family = AF_INET6; /* a sockaddr_in is too short for one */
  WSASetLastError(0);
  ASSERT_EQ(WSAAddressToStringA((LPSOCKADDR)&in, sizeof(in), NULL, buf, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  in.sin_family = 99;
  WSASetLastError(0);
  ASSERT_EQ(WSAAddressToStringA((LPSOCKADDR)&in, sizeof(in), NULL, buf, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
}

/* ---- WSAStringToAddress. ---- */

TEST(string_to_address_ipv4) {
  static const struct {
    const char *in;
    ULONG host;
    u_short port;
    int error;
  } t[] = {
      {"1.1.1.1", 0x01010101, 0, 0},
      {"127.0.0.1:123", 0x7f000001, 123, 0},
      {"127.0.0.1:65535", 0x7f000001, 65535, 0},
      {"127.0.0.1:0xAbCd", 0x7f000001, 0xabcd, 0},
      {"127.0.0.1:010", 0x7f000001, 8, 0},
      {"1", 0x00000001, 0, 0},
      {"1:1", 0x00000001, 1, 0},
      {"1.2", 0x01000002, 0, 0},
      {"1.2.3", 0x01020003, 0, 0},
      {"1.223756", 0x01036a0c, 0, 0},
      {"0x00010203:10", 0x00010203, 10, 0},
      {"0777", 0x000001ff, 0, 0},
      {"1.1.1.0xff", 0x010101ff, 0, 0},
      {"", 0, 0, WSAEINVAL},
      {" ", 0, 0, WSAEINVAL},
      {"127.0.0.1:", 0, 0, WSAEINVAL},
      {"127.0.0.1:0", 0, 0, WSAEINVAL},
      {"127.0.0.1:65536", 0, 0, WSAEINVAL},
      {"127.0.0.1:08", 0, 0, WSAEINVAL},
      {"127.0.0.1:0x", 0, 0, WSAEINVAL},
      {"127.0.0.1::1", 0, 0, WSAEINVAL},
      {"127.0.0.1 ", 0, 0, WSAEINVAL},
      {"127.0.0.1: 7", 0, 0, WSAEINVAL},
      {" 3.4.5.6", 0, 0, WSAEINVAL},
      {"3.4.5.6.7", 0, 0, WSAEINVAL},
      {"1.1.1.0x100", 0, 0, WSAEINVAL},
      {"756.3.4", 0, 0, WSAEINVAL},
      {"1.2.", 0, 0, WSAEINVAL},
      {"-1", 0, 0, WSAEINVAL},
      {"[0.1.2.3]", 0, 0, WSAEINVAL},
      {"::1", 0, 0, WSAEINVAL},
      {"2001::1", 0, 0, WSAEINVAL},
  };
  size_t i;

  startup();
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    int pass;
    for (pass = 0; pass < 2; pass++) {
      SOCKADDR_IN in;
      WCHAR w[64];
      INT len = sizeof(in) + 10, r;
      memset(&in, 0xab, sizeof(in));
      WSASetLastError(0);
      if (pass == 0) {
        r = WSAStringToAddressA((LPSTR)t[i].in, AF_INET, NULL, (LPSOCKADDR)&in,
                                &len);
      } else {
        widen(t[i].in, w);
        r = WSAStringToAddressW(w, AF_INET, NULL, (LPSOCKADDR)&in, &len);
      }
      if (r != (t[i].error ? SOCKET_ERROR : 0))
        fprintf(stderr, "# WSAStringToAddress(\"%s\")\n", t[i].in);
      ASSERT_EQ(r, t[i].error ? SOCKET_ERROR : 0);
      ASSERT_EQ(WSAGetLastError(), t[i].error);
      /* The buffer is cleared even when the string is refused. */
      ASSERT_EQ(in.sin_family, t[i].error ? 0 : AF_INET);
      ASSERT_EQ(len, t[i].error ? (INT)sizeof(in) + 10 : (INT)sizeof(in));
      if (!t[i].error) {
        ASSERT_EQ_U(in.sin_addr.s_addr, htonl(t[i].host));
        ASSERT_EQ(in.sin_port, htons(t[i].port));
      }
    }
  }
}

TEST(string_to_address_ipv6) {
  static const struct {
    const char *in;
    unsigned short w[8];
    ULONG scope;
    u_short port;
    int error;
  } t[] = {
      {"::1", {0, 0, 0, 0, 0, 0, 0, 1}, 0, 0, 0},
      {"[::1]", {0, 0, 0, 0, 0, 0, 0, 1}, 0, 0, 0},
      {"[::1]:65535", {0, 0, 0, 0, 0, 0, 0, 1}, 0, 65535, 0},
      {"2001::1", {0x2001, 0, 0, 0, 0, 0, 0, 1}, 0, 0, 0},
      {"001::1", {1, 0, 0, 0, 0, 0, 0, 1}, 0, 0, 0},
      {"fe80::1%2", {0xfe80, 0, 0, 0, 0, 0, 0, 1}, 2, 0, 0},
      {"[fe80::1%4294967295]:80",
       {0xfe80, 0, 0, 0, 0, 0, 0, 1},
       0xffffffff,
       80,
       0},
      {"::ffff:1.2.3.4", {0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}, 0, 0, 0},
      {"::1]:65535", {0}, 0, 0, WSAEINVAL},
      {"::1:80", {0, 0, 0, 0, 0, 0, 1, 0x80}, 0, 0, 0}, /* no port without [] */
      {"[::1]:", {0}, 0, 0, WSAEINVAL},
      {"[::1]:0", {0}, 0, 0, WSAEINVAL},
      {"[::1", {0}, 0, 0, WSAEINVAL},
      {"fe80::1%", {0}, 0, 0, WSAEINVAL},
      {"1.2.3.4", {0}, 0, 0, WSAEINVAL},
      {"1:2:3:", {0}, 0, 0, WSAEINVAL},
      {"", {0}, 0, 0, WSAEINVAL},
  };
  size_t i;
  int k;

  startup();
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    int pass;
    for (pass = 0; pass < 2; pass++) {
      SOCKADDR_IN6 in6;
      WCHAR w[64];
      INT len = sizeof(in6) + 10, r;
      memset(&in6, 0xab, sizeof(in6));
      WSASetLastError(0);
      if (pass == 0) {
        r = WSAStringToAddressA((LPSTR)t[i].in, AF_INET6, NULL,
                                (LPSOCKADDR)&in6, &len);
      } else {
        widen(t[i].in, w);
        r = WSAStringToAddressW(w, AF_INET6, NULL, (LPSOCKADDR)&in6, &len);
      }
      if (r != (t[i].error ? SOCKET_ERROR : 0))
        fprintf(stderr, "# WSAStringToAddress(\"%s\")\n", t[i].in);
      ASSERT_EQ(r, t[i].error ? SOCKET_ERROR : 0);
      ASSERT_EQ(WSAGetLastError(), t[i].error);
      ASSERT_EQ(in6.sin6_family, t[i].error ? 0 : AF_INET6);
      if (!t[i].error) {
        ASSERT_EQ(len, sizeof(in6));
        for (k = 0; k < 8; k++)
          ASSERT_EQ(ntohs(in6.sin6_addr.u.Word[k]), t[i].w[k]);
        ASSERT_EQ_U(in6.sin6_scope_id, t[i].scope);
        ASSERT_EQ(in6.sin6_port, htons(t[i].port));
        ASSERT_EQ(in6.sin6_flowinfo, 0);
      }
    }
  }
}

TEST(string_to_address_lengths_and_bad_arguments) {
  SOCKADDR_STORAGE ss;
  INT len;

  startup();
  /* The length is checked first, and the size needed written back. */
  len = 0;
  ASSERT_EQ(WSAStringToAddressA((LPSTR) "1.2.3.4", AF_INET, NULL,
                                (LPSOCKADDR)&ss, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(len, sizeof(SOCKADDR_IN));
  len = sizeof(SOCKADDR_IN6) - 1;
  ASSERT_EQ(
      WSAStringToAddressA((LPSTR) "::1", AF_INET6, NULL, (LPSOCKADDR)&ss, &len),
      SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(len, sizeof(SOCKADDR_IN6));
  len = 0;
  ASSERT_EQ(
      WSAStringToAddressW((LPWSTR)u"", AF_INET, NULL, (LPSOCKADDR)&ss, &len),
      SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(len, sizeof(SOCKADDR_IN));

  len = sizeof(ss);
  ASSERT_EQ(WSAStringToAddressA((LPSTR) "1.2.3.4", AF_UNIX, NULL,
                                (LPSOCKADDR)&ss, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(WSAStringToAddressA(NULL, AF_INET, NULL, (LPSOCKADDR)&ss, &len),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(WSAStringToAddressA((LPSTR) "1.2.3.4", AF_INET, NULL,
                                (LPSOCKADDR)&ss, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
}

TEST(string_round_trip) {
  SOCKADDR_STORAGE ss;
  char buf[64];
  DWORD dlen = sizeof(buf);
  INT len = sizeof(ss);

  startup();
  ASSERT_EQ(WSAStringToAddressA((LPSTR) "[2001:db8::5%7]:8080", AF_INET6, NULL,
                                (LPSOCKADDR)&ss, &len),
            0);
  ASSERT_EQ(WSAAddressToStringA((LPSOCKADDR)&ss, len, NULL, buf, &dlen), 0);
  ASSERT_EQ(strcmp(buf, "[2001:db8::5%7]:8080"), 0);
}
