/*
 * Code-page conversions: MultiByteToWideChar, WideCharToMultiByte with
 * CP_UTF8 (and the ACP aliases, which are UTF-8 in ws2), GetACP, lstrlen.
 * Windows API only; the explicit CP_UTF8 cases hold on Windows too.
 */
#include <windows.h>

#include "ws2test.h"

static const WCHAR w_hello[] = {'h', 'e', 'l', 'l', 'o', 0};
/* "é€😀": U+00E9, U+20AC, U+1F600 (a surrogate pair). */
static const char u8_mixed[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
static const WCHAR w_mixed[] = {0x00E9, 0x20AC, 0xD83D, 0xDE00, 0};

TEST(mb_to_wc_ascii_with_terminator) {
  WCHAR buf[16];
  ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, "hello", -1, NULL, 0), 6);
  ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, "hello", -1, buf, 16), 6);
  ASSERT_MEM_EQ(buf, w_hello, sizeof(w_hello));
}

TEST(mb_to_wc_explicit_length_adds_no_terminator) {
  WCHAR buf[16];
  buf[5] = 0x1234;
  ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, "hello", 5, NULL, 0), 5);
  ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, "hello", 5, buf, 16), 5);
  ASSERT_MEM_EQ(buf, w_hello, 5 * sizeof(WCHAR));
  ASSERT_EQ(buf[5], 0x1234);
  /* Embedded NULs are characters like any other. */
  ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, "a\0b", 3, buf, 16), 3);
  ASSERT_EQ(buf[0], 'a');
  ASSERT_EQ(buf[1], 0);
  ASSERT_EQ(buf[2], 'b');
}

TEST(mb_to_wc_multibyte_and_surrogate_pair) {
  WCHAR buf[16];
  ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, u8_mixed, -1, NULL, 0), 5);
  ASSERT_EQ(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, u8_mixed, -1,
                                buf, 16),
            5);
  ASSERT_MEM_EQ(buf, w_mixed, sizeof(w_mixed));
}

TEST(mb_to_wc_buffer_too_small) {
  WCHAR buf[16];
  ASSERT_FAILS_WITH(MultiByteToWideChar(CP_UTF8, 0, "hello", -1, buf, 5), 0,
                    ERROR_INSUFFICIENT_BUFFER);
  /* A surrogate pair does not fit in the one unit left. */
  ASSERT_FAILS_WITH(MultiByteToWideChar(CP_UTF8, 0, u8_mixed, -1, buf, 3), 0,
                    ERROR_INSUFFICIENT_BUFFER);
}

TEST(mb_to_wc_bad_parameters) {
  WCHAR buf[16];
  ASSERT_FAILS_WITH(MultiByteToWideChar(CP_UTF8, 0, NULL, -1, buf, 16), 0,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(MultiByteToWideChar(CP_UTF8, 0, "abc", 0, buf, 16), 0,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(MultiByteToWideChar(CP_UTF8, 0, "abc", -1, buf, -1), 0,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(MultiByteToWideChar(CP_UTF8, 0, "abc", -1, NULL, 16), 0,
                    ERROR_INVALID_PARAMETER);
}

/* Input and output must not be the same buffer (Wine does not check). */
TEST(same_buffer_in_and_out) {
  char same[16] = "abc";
  ASSERT_FAILS_WITH(
      MultiByteToWideChar(CP_UTF8, 0, same, -1, (LPWSTR)(void *)same, 4), 0,
      ERROR_INVALID_PARAMETER);
  same[0] = 'a';
  same[1] = 0;
  same[2] = 0;
  same[3] = 0;
  ASSERT_FAILS_WITH(WideCharToMultiByte(CP_UTF8, 0, (LPCWSTR)(void *)same, -1,
                                        same, 16, NULL, NULL),
                    0, ERROR_INVALID_PARAMETER);
}

/* CP_UTF8 takes only MB_ERR_INVALID_CHARS (Wine takes anything). */
TEST(mb_to_wc_utf8_flags) {
  WCHAR buf[16];
  ASSERT_FAILS_WITH(
      MultiByteToWideChar(CP_UTF8, MB_PRECOMPOSED, "abc", -1, buf, 16), 0,
      ERROR_INVALID_FLAGS);
  ASSERT_FAILS_WITH(MultiByteToWideChar(CP_UTF8, 0x100, "abc", -1, buf, 16),
                    0, ERROR_INVALID_FLAGS);
}

TEST(mb_to_wc_invalid_sequences_replaced) {
  WCHAR buf[16];
  /* A stray continuation byte and a byte that never occurs in UTF-8. */
  ASSERT_EQ(MultiByteToWideChar(CP_UTF8, 0, "a\x80z\xff", -1, buf, 16), 5);
  ASSERT_EQ(buf[0], 'a');
  ASSERT_EQ(buf[1], 0xFFFD);
  ASSERT_EQ(buf[2], 'z');
  ASSERT_EQ(buf[3], 0xFFFD);
  ASSERT_EQ(buf[4], 0);
}

TEST(mb_to_wc_invalid_sequences_strict) {
  WCHAR buf[16];
  static const char *bad[] = {
      "\x80",             /* stray continuation */
      "\xc3",             /* truncated */
      "\xc0\xaf",         /* overlong '/' */
      "\xe0\x80\xaf",     /* overlong */
      "\xed\xa0\x80",     /* an encoded surrogate */
      "\xf4\x90\x80\x80", /* above U+10FFFF */
      "\xfe",
  };
  size_t i;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ASSERT_FAILS_WITH(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS,
                                          bad[i], -1, buf, 16),
                      0, ERROR_NO_UNICODE_TRANSLATION);
    /* The size query sees the error too. */
    ASSERT_FAILS_WITH(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS,
                                          bad[i], -1, NULL, 0),
                      0, ERROR_NO_UNICODE_TRANSLATION);
  }
}

TEST(wc_to_mb_basic) {
  char buf[32];
  ASSERT_EQ(WideCharToMultiByte(CP_UTF8, 0, w_hello, -1, NULL, 0, NULL, NULL),
            6);
  ASSERT_EQ(WideCharToMultiByte(CP_UTF8, 0, w_hello, -1, buf, 32, NULL, NULL),
            6);
  ASSERT_EQ(strcmp(buf, "hello"), 0);
  ASSERT_EQ(WideCharToMultiByte(CP_UTF8, 0, w_mixed, -1, NULL, 0, NULL, NULL),
            10);
  ASSERT_EQ(WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w_mixed, -1,
                                buf, 32, NULL, NULL),
            10);
  ASSERT_EQ(strcmp(buf, u8_mixed), 0);
  /* Explicit length: no terminator. */
  ASSERT_EQ(WideCharToMultiByte(CP_UTF8, 0, w_mixed, 1, buf, 32, NULL, NULL),
            2);
}

TEST(wc_to_mb_buffer_too_small) {
  char buf[32];
  ASSERT_FAILS_WITH(
      WideCharToMultiByte(CP_UTF8, 0, w_hello, -1, buf, 5, NULL, NULL), 0,
      ERROR_INSUFFICIENT_BUFFER);
  /* A 3-byte character does not fit in 2 bytes. */
  ASSERT_FAILS_WITH(
      WideCharToMultiByte(CP_UTF8, 0, w_mixed + 1, 1, buf, 2, NULL, NULL), 0,
      ERROR_INSUFFICIENT_BUFFER);
}

TEST(wc_to_mb_unpaired_surrogates) {
  static const WCHAR lone_high[] = {'a', 0xD800, 'b', 0};
  static const WCHAR lone_low[] = {0xDC00, 0};
  char buf[32];
  ASSERT_EQ(
      WideCharToMultiByte(CP_UTF8, 0, lone_high, -1, buf, 32, NULL, NULL), 6);
  ASSERT_EQ(strcmp(buf, "a\xef\xbf\xbd" "b"), 0);
  ASSERT_EQ(WideCharToMultiByte(CP_UTF8, 0, lone_low, -1, buf, 32, NULL, NULL),
            4);
  ASSERT_EQ(strcmp(buf, "\xef\xbf\xbd"), 0);
  ASSERT_FAILS_WITH(WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS,
                                        lone_high, -1, buf, 32, NULL, NULL),
                    0, ERROR_NO_UNICODE_TRANSLATION);
  ASSERT_FAILS_WITH(WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS,
                                        lone_low, -1, NULL, 0, NULL, NULL),
                    0, ERROR_NO_UNICODE_TRANSLATION);
}

TEST(wc_to_mb_bad_parameters) {
  char buf[32];
  ASSERT_FAILS_WITH(
      WideCharToMultiByte(CP_UTF8, 0, NULL, -1, buf, 32, NULL, NULL), 0,
      ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(
      WideCharToMultiByte(CP_UTF8, 0, w_hello, 0, buf, 32, NULL, NULL), 0,
      ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(
      WideCharToMultiByte(CP_UTF8, 0, w_hello, -1, NULL, 32, NULL, NULL), 0,
      ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(
      WideCharToMultiByte(CP_UTF8, 0, w_hello, -1, buf, -1, NULL, NULL), 0,
      ERROR_INVALID_PARAMETER);
}

/*
 * CP_UTF8 takes no default character and only WC_ERR_INVALID_CHARS (Wine
 * takes both).
 */
TEST(wc_to_mb_utf8_no_default_char_or_flags) {
  char buf[32];
  BOOL used;
  ASSERT_FAILS_WITH(
      WideCharToMultiByte(CP_UTF8, 0, w_hello, -1, buf, 32, "?", NULL), 0,
      ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(
      WideCharToMultiByte(CP_UTF8, 0, w_hello, -1, buf, 32, NULL, &used), 0,
      ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(WideCharToMultiByte(CP_UTF8, WC_NO_BEST_FIT_CHARS, w_hello,
                                        -1, buf, 32, NULL, NULL),
                    0, ERROR_INVALID_FLAGS);
}

TEST(unknown_code_page_fails) {
  WCHAR w[8];
  char c[8];
  /* 12345 is no code page on any system. */
  ASSERT_FAILS_WITH(MultiByteToWideChar(12345, 0, "a", -1, w, 8), 0,
                    ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(
      WideCharToMultiByte(12345, 0, w_hello, -1, c, 8, NULL, NULL), 0,
      ERROR_INVALID_PARAMETER);
}

TEST(acp_round_trips_ascii) {
  WCHAR w[16];
  char c[16];
  BOOL used = TRUE;
  /* Whatever the ANSI code page, ASCII survives, with the usual flags. */
  ASSERT_EQ(MultiByteToWideChar(CP_ACP, MB_PRECOMPOSED, "hello", -1, w, 16),
            6);
  ASSERT_MEM_EQ(w, w_hello, sizeof(w_hello));
  ASSERT_EQ(WideCharToMultiByte(CP_ACP, 0, w, -1, c, 16, NULL, &used), 6);
  ASSERT_EQ(strcmp(c, "hello"), 0);
  ASSERT_FALSE(used);
  ASSERT_EQ(MultiByteToWideChar(CP_OEMCP, 0, "hello", -1, w, 16), 6);
  ASSERT_EQ(MultiByteToWideChar(CP_THREAD_ACP, 0, "hello", -1, w, 16), 6);
  ASSERT_FAILS_WITH(MultiByteToWideChar(CP_ACP, 0x100, "hello", -1, w, 16), 0,
                    ERROR_INVALID_FLAGS);
}

/* ws2's ANSI code page is UTF-8 (Wine's default is 1252). */
TEST(acp_is_utf8) {
  WCHAR w[16];
  char c[16];
  static const WCHAR lone[] = {'a', 0xD800, 0};
  BOOL used = FALSE;
  ASSERT_EQ(GetACP(), CP_UTF8);
  ASSERT_EQ(GetOEMCP(), CP_UTF8);
  ASSERT_EQ(MultiByteToWideChar(CP_ACP, 0, u8_mixed, -1, w, 16), 5);
  ASSERT_MEM_EQ(w, w_mixed, sizeof(w_mixed));
  /* The ACP aliases accept a default character, for unpaired surrogates. */
  ASSERT_EQ(WideCharToMultiByte(CP_ACP, 0, lone, -1, c, 16, "#", &used), 3);
  ASSERT_EQ(strcmp(c, "a#"), 0);
  ASSERT_TRUE(used);
}

TEST(lstrlen) {
  static const WCHAR empty[] = {0};
  ASSERT_EQ(lstrlenA("hello"), 5);
  ASSERT_EQ(lstrlenA(""), 0);
  ASSERT_EQ(lstrlenA(NULL), 0);
  ASSERT_EQ(lstrlenW(w_hello), 5);
  ASSERT_EQ(lstrlenW(w_mixed), 4);
  ASSERT_EQ(lstrlenW(empty), 0);
  ASSERT_EQ(lstrlenW(NULL), 0);
}
