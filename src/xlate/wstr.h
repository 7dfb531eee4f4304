/*
 * xlate/wstr.h: wide (UTF-16 WCHAR) strings for the W functions of
 * Winsock, which do their work in UTF-8 and convert at the edges.
 *
 * All conversions go through the codec of src/core/nls.h: invalid input
 * (an unpaired surrogate, an ill-formed UTF-8 sequence) is replaced with
 * U+FFFD, never rejected. Allocations come from ws2__malloc and are
 * released with ws2__free.
 */
#ifndef WS2_XLATE_WSTR_H
#define WS2_XLATE_WSTR_H

#include <windef.h>

#include <stddef.h>

/* Length of a NUL-terminated wide string, in WCHARs (0 for NULL). */
size_t ws2__wstr_len(const WCHAR *w);

/*
 * A new NUL-terminated UTF-8 copy of the wide string w in *out (NULL when
 * w is NULL). Returns 0, or WSA_NOT_ENOUGH_MEMORY.
 */
int ws2__wstr_to_utf8(const WCHAR *w, char **out);

/*
 * A new NUL-terminated wide copy of the UTF-8 string s in *out (NULL when
 * s is NULL). Returns 0, or WSA_NOT_ENOUGH_MEMORY.
 */
int ws2__utf8_to_wstr(const char *s, WCHAR **out);

/*
 * The UTF-8 string s, NUL included, into the wide buffer buf of cap
 * WCHARs. Returns the number of WCHARs it takes, NUL included: the
 * conversion happened when that is <= cap; otherwise buf is untouched.
 */
size_t ws2__utf8_to_wbuf(const char *s, WCHAR *buf, size_t cap);

/*
 * The wide string w, NUL included, into the byte buffer buf of cap bytes.
 * Returns the number of bytes it takes, NUL included: the conversion
 * happened when that is <= cap; otherwise buf is untouched.
 */
size_t ws2__wstr_to_ubuf(const WCHAR *w, char *buf, size_t cap);

#endif /* WS2_XLATE_WSTR_H */
