/*
 * nls.h: the one UTF-8 <-> UTF-16 codec of ws2.
 *
 * ws2 keeps every narrow string in UTF-8 (it is also what GetACP reports,
 * see nls.c) and every wide string in 16-bit WCHAR units, as Windows does.
 * MultiByteToWideChar and WideCharToMultiByte (nls.c) and the helpers the
 * W functions of Winsock use (src/xlate/wstr.h) all convert through the two
 * functions below, so there is one set of rules for invalid input:
 *
 *  - UTF-8 -> UTF-16: an ill-formed sequence (a stray continuation byte,
 *    a truncated sequence, an overlong form, an encoded surrogate, a value
 *    above U+10FFFF, the bytes C0, C1, F5..FF) becomes one U+FFFD per
 *    maximal ill-formed subpart (the Unicode "best practice"), or makes
 *    the call fail with WS2__UTF_STRICT.
 *  - UTF-16 -> UTF-8: an unpaired surrogate becomes U+FFFD (EF BF BD), or
 *    makes the call fail with WS2__UTF_STRICT. A valid pair becomes one
 *    4-byte sequence.
 *
 * NUL units are ordinary characters: the lengths given are what is
 * converted, so a caller that wants the terminator counted includes it.
 */
#ifndef WS2_CORE_NLS_H
#define WS2_CORE_NLS_H

#include <windef.h>

#include <stddef.h>

/* Flags. */
#define WS2__UTF_STRICT 0x1 /* fail on invalid input instead of U+FFFD */

/* Results. */
#define WS2__UTF_OK 0
#define WS2__UTF_INVALID 1 /* invalid input with WS2__UTF_STRICT */
#define WS2__UTF_SMALL 2   /* the output buffer is too small */

/*
 * Converts n bytes of UTF-8 at src. With dst == NULL only counts: *needed
 * is the number of WCHARs the whole input converts to. With dst, writes at
 * most cap units; on WS2__UTF_SMALL the units that fitted are written and
 * *needed is the count written so far. *replaced (if not NULL) is set to
 * whether any U+FFFD was substituted.
 */
int ws2__utf8_to_utf16(const char *src, size_t n, WCHAR *dst, size_t cap,
                       unsigned flags, size_t *needed, int *replaced);

/* The same from n WCHARs of UTF-16 to UTF-8 bytes. */
int ws2__utf16_to_utf8(const WCHAR *src, size_t n, char *dst, size_t cap,
                       unsigned flags, size_t *needed, int *replaced);

/* Length of a NUL-terminated WCHAR string, in units. */
size_t ws2__wcslen(const WCHAR *s);

#endif /* WS2_CORE_NLS_H */
