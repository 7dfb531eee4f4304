/*
 * The helpers the headers implement themselves (macros and inline
 * functions, nothing that needs the library): IPv6 address tests, the
 * control-message macros, GUID comparison and definition, wide literals,
 * the 64-bit byte-order helpers, and the unions and bit-fields of the
 * address types.
 */
#define INITGUID
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <mstcpip.h>

#include "ws2test.h"

/* INITGUID makes DEFINE_GUID a definition in this file. */
DEFINE_GUID(ws2test_guid, 0x25a207b9, 0xddf3, 0x4660, 0x8e, 0xe9, 0x76, 0xe5,
            0x8c, 0x74, 0x06, 0x3e);

static IN6_ADDR in6(const unsigned char b[16]) {
  IN6_ADDR a;
  memcpy(a.u.Byte, b, 16);
  return a;
}

TEST(in6_address_tests) {
  static const unsigned char any[16] = {0};
  static const unsigned char lo[16] = {[15] = 1};
  static const unsigned char ll[16] = {0xfe, 0x80, [15] = 5};
  static const unsigned char sl[16] = {0xfe, 0xc0, [15] = 5};
  static const unsigned char mc[16] = {0xff, 0x02, [15] = 1};
  static const unsigned char mapped[16] = {[10] = 0xff, [11] = 0xff, 10, 0,
                                           0, 1};
  static const unsigned char compat[16] = {[12] = 10, 0, 0, 1};
  IN6_ADDR a = in6(any), l = in6(lo), k = in6(ll), s = in6(sl), m = in6(mc),
           v = in6(mapped), c = in6(compat);
  const IN6_ADDR init_any = IN6ADDR_ANY_INIT;
  const IN6_ADDR init_lo = IN6ADDR_LOOPBACK_INIT;

  ASSERT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&a));
  ASSERT_FALSE(IN6_IS_ADDR_UNSPECIFIED(&l));
  ASSERT_TRUE(IN6_IS_ADDR_LOOPBACK(&l));
  ASSERT_FALSE(IN6_IS_ADDR_LOOPBACK(&a));
  ASSERT_TRUE(IN6_IS_ADDR_LINKLOCAL(&k));
  ASSERT_FALSE(IN6_IS_ADDR_SITELOCAL(&k));
  ASSERT_TRUE(IN6_IS_ADDR_SITELOCAL(&s));
  ASSERT_TRUE(IN6_IS_ADDR_MULTICAST(&m));
  ASSERT_TRUE(IN6_IS_ADDR_MC_LINKLOCAL(&m));
  ASSERT_FALSE(IN6_IS_ADDR_MC_GLOBAL(&m));
  ASSERT_TRUE(IN6_IS_ADDR_V4MAPPED(&v));
  ASSERT_FALSE(IN6_IS_ADDR_V4COMPAT(&v));
  ASSERT_TRUE(IN6_IS_ADDR_V4COMPAT(&c));
  ASSERT_FALSE(IN6_IS_ADDR_V4COMPAT(&l)); /* ::1 is not v4-compatible */
  ASSERT_TRUE(IN6_ARE_ADDR_EQUAL(&a, &init_any));
  ASSERT_TRUE(IN6_ADDR_EQUAL(&l, &init_lo));
  ASSERT_TRUE(l.s6_addr[15] == 1 && l.s6_bytes[15] == 1);
  ASSERT_EQ(l.s6_words[7], 0x0100);
}

TEST(sockaddr_in6_helpers) {
  SOCKADDR_IN6 a, b;
  memset(&a, 0x55, sizeof a);
  IN6ADDR_SETANY(&a);
  ASSERT_EQ(a.sin6_family, AF_INET6);
  ASSERT_TRUE(IN6ADDR_ISANY(&a));
  ASSERT_TRUE(IN6ADDR_ISUNSPECIFIED(&a));
  IN6ADDR_SETLOOPBACK(&b);
  ASSERT_TRUE(IN6ADDR_ISLOOPBACK(&b));
  ASSERT_FALSE(IN6ADDR_ISEQUAL(&a, &b));
  b.sin6_scope_struct.Zone = 3;
  b.sin6_scope_struct.Level = ScopeLevelLink;
  ASSERT_EQ_U(b.sin6_scope_id, 0x20000003);
}

TEST(control_messages) {
  /* Two messages: 4 and 16 bytes of data, each padded to 8 bytes. */
  union {
    char buf[128];
    ULONGLONG align;
  } u;
  WSAMSG msg;
  WSACMSGHDR *c;
  memset(&u, 0, sizeof u);
  memset(&msg, 0, sizeof msg);
  msg.Control.buf = u.buf;
  msg.Control.len = (ULONG)(WSA_CMSG_SPACE(4) + WSA_CMSG_SPACE(16));
  ASSERT_EQ(WSA_CMSG_SPACE(4), 24);
  ASSERT_EQ(WSA_CMSG_LEN(4), 20);
  c = WSA_CMSG_FIRSTHDR(&msg);
  ASSERT_EQ_PTR(c, u.buf);
  c->cmsg_len = WSA_CMSG_LEN(4);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  ASSERT_EQ_PTR(WSA_CMSG_DATA(c), u.buf + 16);
  c = WSA_CMSG_NXTHDR(&msg, c);
  ASSERT_EQ_PTR(c, u.buf + 24);
  c->cmsg_len = CMSG_LEN(16);
  ASSERT_EQ_PTR(CMSG_NXTHDR(&msg, c), NULL);
  msg.Control.len = 8; /* too small for even one header */
  ASSERT_EQ_PTR(CMSG_FIRSTHDR(&msg), NULL);
}

TEST(guids) {
  const GUID connectex = WSAID_CONNECTEX;
  const GUID acceptex = WSAID_ACCEPTEX;
  ASSERT_TRUE(IsEqualGUID(&connectex, &ws2test_guid));
  ASSERT_FALSE(IsEqualGUID(&acceptex, &ws2test_guid));
  ASSERT_EQ(sizeof(GUID), 16);
}

TEST(wide_literals) {
  /* u"" is a WCHAR string in C whatever the size of wchar_t. */
  const WCHAR *w = WS2_WIDE("ws2");
  WCHAR buf[] = u"ab";
  ASSERT_EQ(w[0], 'w');
  ASSERT_EQ(w[3], 0);
  ASSERT_EQ(sizeof buf, 3 * sizeof(WCHAR));
  ASSERT_EQ(sizeof(TEXT("ab")), 3); /* not UNICODE: narrow */
}

TEST(byte_order_helpers) {
  unsigned long long v = 0x0102030405060708ULL;
  ASSERT_EQ_U(htonll(v), 0x0807060504030201ULL);
  ASSERT_EQ_U(ntohll(htonll(v)), v);
  ASSERT_TRUE(ntohf(htonf(1.5f)) == 1.5f);
  ASSERT_TRUE(ntohd(htond(-2.25)) == -2.25);
}

TEST(port_reservation_members) {
  /* C sees the SDK's anonymous members; Reservation also works. */
  INET_PORT_RESERVATION_INSTANCE r;
  memset(&r, 0, sizeof r);
  r.StartPort = 5000;
  r.NumberOfPorts = 10;
  r.Token = 0x1122334455667788ULL;
  ASSERT_EQ(r.Reservation.StartPort, 5000);
  ASSERT_EQ(r.Reservation.NumberOfPorts, 10);
  ASSERT_EQ(sizeof r, 16);
}

TEST(secure_zero_memory) {
  char buf[8] = "secret";
  ASSERT_EQ_PTR(SecureZeroMemory(buf, sizeof buf), buf);
  ASSERT_EQ(buf[0], 0);
  ASSERT_EQ(buf[7], 0);
}

TEST(hresults) {
  ASSERT_EQ_U((DWORD)HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), 0x80070005);
  ASSERT_TRUE(FAILED(E_FAIL));
  ASSERT_TRUE(SUCCEEDED(S_FALSE));
  ASSERT_EQ(HRESULT_CODE(E_ACCESSDENIED), ERROR_ACCESS_DENIED);
}
