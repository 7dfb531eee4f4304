/*
 * xlate/wstr.c: wide strings for the W functions (see wstr.h), over the
 * codec of src/core/nls.c.
 */
#include <winsock2.h>

#include "core/alloc.h"
#include "core/nls.h"
#include "xlate/wstr.h"

#include <string.h>

size_t ws2__wstr_len(const WCHAR *w) { return w ? ws2__wcslen(w) : 0; }

int ws2__wstr_to_utf8(const WCHAR *w, char **out) {
  size_t n, need;
  char *s;

  *out = NULL;
  if (!w) return 0;
  n = ws2__wcslen(w) + 1;
  ws2__utf16_to_utf8(w, n, NULL, 0, 0, &need, NULL);
  s = ws2__malloc(need);
  if (!s) return WSA_NOT_ENOUGH_MEMORY;
  ws2__utf16_to_utf8(w, n, s, need, 0, &need, NULL);
  *out = s;
  return 0;
}

int ws2__utf8_to_wstr(const char *s, WCHAR **out) {
  size_t n, need;
  WCHAR *w;

  *out = NULL;
  if (!s) return 0;
  n = strlen(s) + 1;
  ws2__utf8_to_utf16(s, n, NULL, 0, 0, &need, NULL);
  w = ws2__malloc(need * sizeof(WCHAR));
  if (!w) return WSA_NOT_ENOUGH_MEMORY;
  ws2__utf8_to_utf16(s, n, w, need, 0, &need, NULL);
  *out = w;
  return 0;
}

size_t ws2__utf8_to_wbuf(const char *s, WCHAR *buf, size_t cap) {
  size_t n = strlen(s) + 1, need;

  ws2__utf8_to_utf16(s, n, NULL, 0, 0, &need, NULL);
  if (need <= cap) ws2__utf8_to_utf16(s, n, buf, cap, 0, &need, NULL);
  return need;
}

size_t ws2__wstr_to_ubuf(const WCHAR *w, char *buf, size_t cap) {
  size_t n = ws2__wcslen(w) + 1, need;

  ws2__utf16_to_utf8(w, n, NULL, 0, 0, &need, NULL);
  if (need <= cap) ws2__utf16_to_utf8(w, n, buf, cap, 0, &need, NULL);
  return need;
}
