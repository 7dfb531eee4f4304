/*
 * The translations of src/xlate: socket addresses between their Windows
 * and Linux forms (addr.h), wide strings (wstr.h), and the UTF codec of
 * src/core/nls.h they sit on.
 */
#define WS2_USE_PREFIX
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>

#include "core/alloc.h"
#include "core/nls.h"
#include "xlate/addr.h"
#include "xlate/wstr.h"

#include <netinet/in.h>
#include <sys/un.h>

#include "ws2test.h"

/* ---- Address families. ---- */

TEST(af_numbers) {
  ASSERT_EQ(ws2__af_to_linux(WS_AF_UNSPEC), AF_UNSPEC);
  ASSERT_EQ(ws2__af_to_linux(WS_AF_UNIX), AF_UNIX);
  ASSERT_EQ(ws2__af_to_linux(WS_AF_INET), AF_INET);
  ASSERT_EQ(ws2__af_to_linux(23), 10);
  ASSERT_EQ(ws2__af_to_linux(10), -1); /* Windows' AF_IPX... */
  ASSERT_EQ(ws2__af_to_linux(WS_AF_IPX), -1);
  ASSERT_EQ(ws2__af_to_linux(-5), -1);
  ASSERT_EQ(ws2__af_from_linux(AF_UNSPEC), WS_AF_UNSPEC);
  ASSERT_EQ(ws2__af_from_linux(AF_UNIX), WS_AF_UNIX);
  ASSERT_EQ(ws2__af_from_linux(AF_INET), WS_AF_INET);
  ASSERT_EQ(ws2__af_from_linux(10), 23);
  ASSERT_EQ(ws2__af_from_linux(23), -1);
  ASSERT_EQ(ws2__af_from_linux(AF_PACKET), -1);
}

/* ---- Windows to Linux. ---- */

TEST(to_linux_inet) {
  SOCKADDR_IN in;
  SOCKADDR_STORAGE big;
  struct sockaddr_storage ss;
  struct sockaddr_in *lin = (struct sockaddr_in *)&ss;
  socklen_t len = 0;

  memset(&in, 0, sizeof(in));
  in.sin_family = WS_AF_INET;
  in.sin_port = htons(8080);
  in.sin_addr.WS_s_addr = htonl(0x7f000001);
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&in, sizeof(in), &ss,
                               &len),
            0);
  ASSERT_EQ(len, sizeof(struct sockaddr_in));
  ASSERT_EQ(lin->sin_family, AF_INET);
  ASSERT_EQ(ntohs(lin->sin_port), 8080);
  ASSERT_EQ(ntohl(lin->sin_addr.s_addr), 0x7f000001);

  /* A bigger buffer (a whole SOCKADDR_STORAGE) is fine. */
  memset(&big, 0, sizeof(big));
  memcpy(&big, &in, sizeof(in));
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&big, sizeof(big), &ss,
                               &len),
            0);
  ASSERT_EQ(len, sizeof(struct sockaddr_in));
  ASSERT_EQ(ntohs(lin->sin_port), 8080);

  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&in, sizeof(in) - 1, &ss,
                               &len),
            WSAEFAULT);
  ASSERT_EQ(ws2__addr_to_linux(NULL, sizeof(in), &ss, &len), WSAEFAULT);
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&in, 1, &ss, &len),
            WSAEFAULT);
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&in, -1, &ss, &len),
            WSAEFAULT);
}

TEST(to_linux_inet6_keeps_scope_and_flowinfo) {
  SOCKADDR_IN6 in6;
  struct sockaddr_storage ss;
  struct sockaddr_in6 *l6 = (struct sockaddr_in6 *)&ss;
  socklen_t len = 0;
  int i;

  memset(&in6, 0, sizeof(in6));
  in6.sin6_family = 23;
  in6.sin6_port = htons(443);
  in6.sin6_flowinfo = htonl(0x12345);
  for (i = 0; i < 16; i++) in6.sin6_addr.u.Byte[i] = (UCHAR)(0xf0 + i);
  in6.sin6_scope_id = 7;
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&in6, sizeof(in6), &ss,
                               &len),
            0);
  ASSERT_EQ(len, sizeof(struct sockaddr_in6));
  ASSERT_EQ(l6->sin6_family, AF_INET6);
  ASSERT_EQ(ntohs(l6->sin6_port), 443);
  ASSERT_EQ(ntohl(l6->sin6_flowinfo), 0x12345);
  ASSERT_MEM_EQ(&l6->sin6_addr, in6.sin6_addr.u.Byte, 16);
  ASSERT_EQ(l6->sin6_scope_id, 7);
  /* The 24-byte pre-RFC 2553 form is too short. */
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&in6, 24, &ss, &len),
            WSAEFAULT);
}

TEST(to_linux_unix_path) {
  SOCKADDR_UN un;
  struct sockaddr_storage ss;
  struct sockaddr_un *lun = (struct sockaddr_un *)&ss;
  socklen_t len = 0;

  memset(&un, 0, sizeof(un));
  un.sun_family = WS_AF_UNIX;
  strcpy(un.sun_path, "/tmp/ws2.sock");
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&un, sizeof(un), &ss,
                               &len),
            0);
  ASSERT_EQ(lun->sun_family, AF_UNIX);
  ASSERT_EQ(strcmp(lun->sun_path, "/tmp/ws2.sock"), 0);
  ASSERT_EQ(len, offsetof(struct sockaddr_un, sun_path) + 14);

  /* Without a terminator: the path ends with the given length. */
  memcpy(un.sun_path, "/tmp/abcdef", 11);
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&un, 2 + 8, &ss, &len),
            0);
  ASSERT_EQ(len, 2 + 9);
  ASSERT_EQ(strcmp(lun->sun_path, "/tmp/abc"), 0);

  /* A path of all 108 bytes has no room for a terminator. */
  memset(un.sun_path, 'a', sizeof(un.sun_path));
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&un, sizeof(un), &ss,
                               &len),
            0);
  ASSERT_EQ(len, sizeof(struct sockaddr_un));
}

TEST(to_linux_unix_unnamed_and_abstract) {
  SOCKADDR_UN un;
  struct sockaddr_storage ss;
  struct sockaddr_un *lun = (struct sockaddr_un *)&ss;
  socklen_t len = 0;

  memset(&un, 0, sizeof(un));
  un.sun_family = WS_AF_UNIX;
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&un, 2, &ss, &len), 0);
  ASSERT_EQ(len, 2);
  ASSERT_EQ(lun->sun_family, AF_UNIX);

  /* Abstract: a leading NUL, and every byte up to the length counts. */
  memcpy(un.sun_path, "\0ab\0c", 5);
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&un, 2 + 5, &ss, &len),
            0);
  ASSERT_EQ(len, 2 + 5);
  ASSERT_MEM_EQ(lun->sun_path, "\0ab\0c", 5);
}

TEST(to_linux_unspec_and_unknown) {
  SOCKADDR_STORAGE s;
  struct sockaddr_storage ss;
  socklen_t len = 0;

  memset(&s, 0, sizeof(s));
  s.ss_family = WS_AF_UNSPEC;
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&s, 16, &ss, &len), 0);
  ASSERT_EQ(ss.ss_family, AF_UNSPEC);
  ASSERT_GE(len, sizeof(sa_family_t));
  s.ss_family = WS_AF_IPX;
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&s, sizeof(s), &ss, &len),
            WSAEAFNOSUPPORT);
  s.ss_family = 10; /* Linux's AF_INET6 number means AF_IPX... not on Windows */
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&s, sizeof(s), &ss, &len),
            WSAEAFNOSUPPORT);
}

/* ---- Linux to Windows. ---- */

TEST(from_linux_inet) {
  struct sockaddr_in lin;
  SOCKADDR_IN in;
  int len;

  memset(&lin, 0, sizeof(lin));
  lin.sin_family = AF_INET;
  lin.sin_port = htons(53);
  lin.sin_addr.s_addr = htonl(0x0a000001);
  memset(&in, 0xab, sizeof(in));
  len = sizeof(in);
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&lin, sizeof(lin),
                                 (struct WS_sockaddr *)&in, &len),
            0);
  ASSERT_EQ(len, sizeof(SOCKADDR_IN));
  ASSERT_EQ(in.sin_family, WS_AF_INET);
  ASSERT_EQ(ntohs(in.sin_port), 53);
  ASSERT_EQ(ntohl(in.sin_addr.WS_s_addr), 0x0a000001);
  ASSERT_EQ(in.sin_zero[0], 0);
  ASSERT_EQ(in.sin_zero[7], 0);

  /* Too small: WSAEFAULT, and the length is left as given. */
  len = sizeof(in) - 1;
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&lin, sizeof(lin),
                                 (struct WS_sockaddr *)&in, &len),
            WSAEFAULT);
  ASSERT_EQ(len, sizeof(in) - 1);
  len = sizeof(in);
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&lin, sizeof(lin), NULL,
                                 &len),
            WSAEFAULT);
}

TEST(from_linux_inet6) {
  struct sockaddr_in6 l6;
  SOCKADDR_STORAGE s;
  SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)&s;
  int len, i;

  memset(&l6, 0, sizeof(l6));
  l6.sin6_family = AF_INET6;
  l6.sin6_port = htons(8443);
  l6.sin6_flowinfo = htonl(0xabcde);
  for (i = 0; i < 16; i++) l6.sin6_addr.s6_addr[i] = (uint8_t)i;
  l6.sin6_scope_id = 3;
  len = sizeof(s);
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&l6, sizeof(l6),
                                 (struct WS_sockaddr *)&s, &len),
            0);
  ASSERT_EQ(len, sizeof(SOCKADDR_IN6));
  ASSERT_EQ(in6->sin6_family, 23);
  ASSERT_EQ(ntohs(in6->sin6_port), 8443);
  ASSERT_EQ(ntohl(in6->sin6_flowinfo), 0xabcde);
  ASSERT_MEM_EQ(in6->sin6_addr.u.Byte, &l6.sin6_addr, 16);
  ASSERT_EQ(in6->sin6_scope_id, 3);
  len = sizeof(SOCKADDR_IN6) - 1;
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&l6, sizeof(l6),
                                 (struct WS_sockaddr *)&s, &len),
            WSAEFAULT);
}

TEST(from_linux_unix) {
  struct sockaddr_un lun;
  SOCKADDR_UN un;
  int len;
  socklen_t llen;

  memset(&lun, 0, sizeof(lun));
  lun.sun_family = AF_UNIX;
  strcpy(lun.sun_path, "/run/x");
  llen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 7);
  memset(&un, 0xab, sizeof(un));
  len = sizeof(un);
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&lun, llen,
                                 (struct WS_sockaddr *)&un, &len),
            0);
  ASSERT_EQ(len, (int)llen);
  ASSERT_EQ(un.sun_family, WS_AF_UNIX);
  ASSERT_EQ(strcmp(un.sun_path, "/run/x"), 0);

  /* Unnamed: the family alone. */
  len = sizeof(un);
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&lun, sizeof(sa_family_t),
                                 (struct WS_sockaddr *)&un, &len),
            0);
  ASSERT_EQ(len, 2);
  ASSERT_EQ(un.sun_family, WS_AF_UNIX);

  /* Abstract, embedded NULs and all. */
  memcpy(lun.sun_path, "\0q\0r", 4);
  len = sizeof(un);
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&lun, 2 + 4,
                                 (struct WS_sockaddr *)&un, &len),
            0);
  ASSERT_EQ(len, 6);
  ASSERT_MEM_EQ(un.sun_path, "\0q\0r", 4);

  len = 5;
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&lun, 2 + 4,
                                 (struct WS_sockaddr *)&un, &len),
            WSAEFAULT);
  ASSERT_EQ(len, 5);
}

TEST(from_linux_empty_and_unknown) {
  struct sockaddr_storage ss;
  SOCKADDR_STORAGE s;
  int len = sizeof(s);

  memset(&ss, 0, sizeof(ss));
  /* No address at all (recvfrom on a stream socket): empty, not an error. */
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&ss, 0,
                                 (struct WS_sockaddr *)&s, &len),
            0);
  ASSERT_EQ(len, 0);
  ss.ss_family = AF_PACKET;
  len = sizeof(s);
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&ss, sizeof(ss),
                                 (struct WS_sockaddr *)&s, &len),
            WSAEAFNOSUPPORT);
  ss.ss_family = AF_UNSPEC;
  len = sizeof(s);
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&ss, sizeof(ss),
                                 (struct WS_sockaddr *)&s, &len),
            0);
  ASSERT_EQ(s.ss_family, WS_AF_UNSPEC);
  ASSERT_EQ(len, 2);
}

TEST(round_trips) {
  SOCKADDR_IN6 in6, back;
  struct sockaddr_storage ss;
  socklen_t llen;
  int len = sizeof(back);

  memset(&in6, 0, sizeof(in6));
  in6.sin6_family = 23;
  in6.sin6_port = htons(1);
  in6.sin6_addr.u.Byte[15] = 1;
  in6.sin6_scope_id = 99;
  ASSERT_EQ(ws2__addr_to_linux((struct WS_sockaddr *)&in6, sizeof(in6), &ss,
                               &llen),
            0);
  ASSERT_EQ(ws2__addr_from_linux((struct sockaddr *)&ss, llen,
                                 (struct WS_sockaddr *)&back, &len),
            0);
  ASSERT_EQ(len, sizeof(in6));
  ASSERT_MEM_EQ(&back, &in6, sizeof(in6));
}

/* ---- The codec (core/nls.h). ---- */

static size_t decode(const char *s, size_t n, WCHAR *out, size_t cap,
                     int *rep) {
  size_t need = 0;
  ASSERT_EQ(ws2__utf8_to_utf16(s, n, out, cap, 0, &need, rep), WS2__UTF_OK);
  return need;
}

TEST(codec_maximal_subparts) {
  WCHAR w[16];
  int rep;
  /* A truncated 3-byte sequence is one ill-formed subpart... */
  ASSERT_EQ(decode("\xe2\x82" "a", 3, w, 16, &rep), 2);
  ASSERT_EQ(w[0], 0xFFFD);
  ASSERT_EQ(w[1], 'a');
  ASSERT_TRUE(rep);
  /* ...an encoded surrogate is three (ED is not followed by A0..BF)... */
  ASSERT_EQ(decode("\xed\xa0\x80", 3, w, 16, &rep), 3);
  ASSERT_EQ(w[2], 0xFFFD);
  /* ...as is an overlong two-byte form, byte by byte. */
  ASSERT_EQ(decode("\xc0\x80", 2, w, 16, &rep), 2);
  /* A truncated 4-byte sequence at the end is one. */
  ASSERT_EQ(decode("\xf0\x9f\x98", 3, w, 16, &rep), 1);
  ASSERT_EQ(decode("ok", 2, w, 16, &rep), 2);
  ASSERT_FALSE(rep);
}

TEST(codec_small_buffer_reports_what_fitted) {
  WCHAR w[4];
  char c[4];
  size_t need = 99;
  static const WCHAR pair[] = {'a', 0xD83D, 0xDE00};
  ASSERT_EQ(ws2__utf8_to_utf16("abcdef", 6, w, 4, 0, &need, NULL),
            WS2__UTF_SMALL);
  ASSERT_EQ(need, 4);
  ASSERT_EQ(w[3], 'd');
  /* A pair is never split. */
  ASSERT_EQ(ws2__utf8_to_utf16("a\xf0\x9f\x98\x80", 5, w, 2, 0, &need, NULL),
            WS2__UTF_SMALL);
  ASSERT_EQ(need, 1);
  ASSERT_EQ(ws2__utf16_to_utf8(pair, 3, c, 4, 0, &need, NULL), WS2__UTF_SMALL);
  ASSERT_EQ(need, 1);
  ASSERT_EQ(ws2__utf16_to_utf8(pair, 3, NULL, 0, 0, &need, NULL), WS2__UTF_OK);
  ASSERT_EQ(need, 5);
}

/* ---- Wide strings (xlate/wstr.h). ---- */

TEST(wstr_round_trip) {
  static const WCHAR w[] = {'h', 0xE9, 0x20AC, 0xD83D, 0xDE00, 0};
  char *s = NULL;
  WCHAR *back = NULL;

  ASSERT_EQ(ws2__wstr_len(w), 5);
  ASSERT_EQ(ws2__wstr_len(NULL), 0);
  ASSERT_EQ(ws2__wstr_to_utf8(w, &s), 0);
  ASSERT_EQ(strcmp(s, "h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), 0);
  ASSERT_EQ(ws2__utf8_to_wstr(s, &back), 0);
  ASSERT_MEM_EQ(back, w, sizeof(w));
  ws2__free(s);
  ws2__free(back);

  s = (char *)1;
  back = (WCHAR *)1;
  ASSERT_EQ(ws2__wstr_to_utf8(NULL, &s), 0);
  ASSERT_EQ_PTR(s, NULL);
  ASSERT_EQ(ws2__utf8_to_wstr(NULL, &back), 0);
  ASSERT_EQ_PTR(back, NULL);
}

TEST(wstr_invalid_input_is_replaced) {
  static const WCHAR lone[] = {'x', 0xDC01, 0};
  WCHAR *w = NULL;
  char *s = NULL;
  ASSERT_EQ(ws2__wstr_to_utf8(lone, &s), 0);
  ASSERT_EQ(strcmp(s, "x\xef\xbf\xbd"), 0);
  ASSERT_EQ(ws2__utf8_to_wstr("\xff" "y", &w), 0);
  ASSERT_EQ(w[0], 0xFFFD);
  ASSERT_EQ(w[1], 'y');
  ASSERT_EQ(w[2], 0);
  ws2__free(s);
  ws2__free(w);
}

TEST(wstr_fixed_buffers) {
  WCHAR w[8];
  char c[8];
  static const WCHAR euro[] = {0x20AC, 0};

  w[0] = 0x1111;
  ASSERT_EQ(ws2__utf8_to_wbuf("abcdefgh", w, 8), 9); /* too long: untouched */
  ASSERT_EQ(w[0], 0x1111);
  ASSERT_EQ(ws2__utf8_to_wbuf("abc", w, 8), 4);
  ASSERT_EQ(w[3], 0);
  ASSERT_EQ(ws2__utf8_to_wbuf("abc", NULL, 0), 4);

  c[0] = 'z';
  ASSERT_EQ(ws2__wstr_to_ubuf(euro, c, 3), 4);
  ASSERT_EQ(c[0], 'z');
  ASSERT_EQ(ws2__wstr_to_ubuf(euro, c, 4), 4);
  ASSERT_EQ(strcmp(c, "\xe2\x82\xac"), 0);
}
