/*
 * nls.c: text encodings. The UTF-8 <-> UTF-16 codec (nls.h) and the
 * Windows functions built on it: MultiByteToWideChar, WideCharToMultiByte,
 * GetACP, GetOEMCP, lstrlenA, lstrlenW.
 *
 * Code pages. ws2 has one narrow encoding, UTF-8: GetACP and GetOEMCP
 * return CP_UTF8 (65001), which is what Windows 10 1903 and later report
 * for a process whose manifest sets activeCodePage to UTF-8. CP_ACP,
 * CP_OEMCP, CP_MACCP and CP_THREAD_ACP therefore all mean UTF-8. Any other
 * code page (1252, 437, CP_UTF7, ...) is not installed: the conversion
 * functions fail with ERROR_INVALID_PARAMETER, as Windows does for a code
 * page it does not have.
 *
 * CP_UTF8 named explicitly follows Windows' rules for it exactly: dwFlags
 * may only be 0 or MB_ERR_INVALID_CHARS / WC_ERR_INVALID_CHARS
 * (ERROR_INVALID_FLAGS otherwise), and WideCharToMultiByte's lpDefaultChar
 * and lpUsedDefaultChar must be NULL (ERROR_INVALID_PARAMETER otherwise).
 * The ACP aliases accept what Windows accepts for a legacy ANSI code page,
 * because that is what programs written for one pass: MB_PRECOMPOSED,
 * MB_COMPOSITE and MB_USEGLYPHCHARS (accepted, no effect: no composition
 * is performed), the WC_* flags (accepted, no effect), and a default
 * character: an unpaired surrogate is then written as lpDefaultChar's
 * first byte (or '?' if lpDefaultChar is NULL) instead of U+FFFD, and
 * *lpUsedDefaultChar says whether that happened. (Windows itself, with
 * the UTF-8 ACP, rejects default characters for CP_ACP; ws2 does not,
 * because it never asked the program to opt in to UTF-8.)
 */
#include <windows.h>

#include "core/nls.h"

#include <string.h>

/* ---- The codec. ---- */

size_t ws2__wcslen(const WCHAR *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

/*
 * Decodes one scalar value at s (n > 0 bytes left). Returns the number of
 * bytes consumed and the value in *cp, or 0xFFFFFFFF in *cp for an
 * ill-formed sequence, in which case the count is the maximal ill-formed
 * subpart (at least 1).
 */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char b = s[0];
  unsigned char lo = 0x80, hi = 0xBF;
  size_t need, i;
  uint32_t v;

  if (b < 0x80) {
    *cp = b;
    return 1;
  }
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
    v = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    v = b & 0x0F;
    if (b == 0xE0) lo = 0xA0;      /* no overlong forms */
    else if (b == 0xED) hi = 0x9F; /* no surrogates */
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    v = b & 0x07;
    if (b == 0xF0) lo = 0x90;      /* no overlong forms */
    else if (b == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
  } else {
    *cp = 0xFFFFFFFF; /* 80..C1, F5..FF never start a sequence */
    return 1;
  }
  for (i = 1; i <= need; i++) {
    unsigned char c;
    if (i >= n) {
      *cp = 0xFFFFFFFF;
      return i;
    }
    c = s[i];
    if (c < lo || c > hi) {
      *cp = 0xFFFFFFFF;
      return i;
    }
    lo = 0x80;
    hi = 0xBF;
    v = (v << 6) | (c & 0x3F);
  }
  *cp = v;
  return need + 1;
}

int ws2__utf8_to_utf16(const char *src, size_t n, WCHAR *dst, size_t cap,
                       unsigned flags, size_t *needed, int *replaced) {
  const unsigned char *s = (const unsigned char *)src;
  size_t i = 0, out = 0;
  int rep = 0, rc = WS2__UTF_OK;

  while (i < n) {
    uint32_t cp;
    size_t units;

    if (s[i] < 0x80) { /* the common case, one unit per byte */
      if (dst) {
        if (out >= cap) {
          rc = WS2__UTF_SMALL;
          break;
        }
        dst[out] = s[i];
      }
      out++;
      i++;
      continue;
    }
    i += utf8_decode(s + i, n - i, &cp);
    if (cp == 0xFFFFFFFF) {
      if (flags & WS2__UTF_STRICT) {
        rc = WS2__UTF_INVALID;
        break;
      }
      cp = 0xFFFD;
      rep = 1;
    }
    units = cp >= 0x10000 ? 2 : 1;
    if (dst) {
      if (cap - out < units) {
        rc = WS2__UTF_SMALL;
        break;
      }
      if (units == 2) {
        cp -= 0x10000;
        dst[out] = (WCHAR)(0xD800 | (cp >> 10));
        dst[out + 1] = (WCHAR)(0xDC00 | (cp & 0x3FF));
      } else {
        dst[out] = (WCHAR)cp;
      }
    }
    out += units;
  }
  if (needed) *needed = out;
  if (replaced) *replaced = rep;
  return rc;
}

int ws2__utf16_to_utf8(const WCHAR *src, size_t n, char *dst, size_t cap,
                       unsigned flags, size_t *needed, int *replaced) {
  size_t i = 0, out = 0;
  int rep = 0, rc = WS2__UTF_OK;

  while (i < n) {
    uint32_t cp = src[i++];
    unsigned char buf[4];
    size_t len, k;

    if (cp >= 0xD800 && cp <= 0xDFFF) {
      if (cp <= 0xDBFF && i < n && src[i] >= 0xDC00 && src[i] <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (uint32_t)(src[i] - 0xDC00);
        i++;
      } else if (flags & WS2__UTF_STRICT) {
        rc = WS2__UTF_INVALID;
        break;
      } else {
        cp = 0xFFFD;
        rep = 1;
      }
    }
    if (cp < 0x80) {
      buf[0] = (unsigned char)cp;
      len = 1;
    } else if (cp < 0x800) {
      buf[0] = (unsigned char)(0xC0 | (cp >> 6));
      buf[1] = (unsigned char)(0x80 | (cp & 0x3F));
      len = 2;
    } else if (cp < 0x10000) {
      buf[0] = (unsigned char)(0xE0 | (cp >> 12));
      buf[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
      buf[2] = (unsigned char)(0x80 | (cp & 0x3F));
      len = 3;
    } else {
      buf[0] = (unsigned char)(0xF0 | (cp >> 18));
      buf[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
      buf[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
      buf[3] = (unsigned char)(0x80 | (cp & 0x3F));
      len = 4;
    }
    if (dst) {
      if (cap - out < len) {
        rc = WS2__UTF_SMALL;
        break;
      }
      for (k = 0; k < len; k++) dst[out + k] = (char)buf[k];
    }
    out += len;
  }
  if (needed) *needed = out;
  if (replaced) *replaced = rep;
  return rc;
}

/* ---- Code pages. ---- */

UINT WINAPI GetACP(void) { return CP_UTF8; }
UINT WINAPI GetOEMCP(void) { return CP_UTF8; }

/* 1: explicit CP_UTF8, 2: an alias of the ANSI/OEM code page, 0: none. */
static int codepage_kind(UINT cp) {
  switch (cp) {
    case CP_UTF8:
      return 1;
    case CP_ACP:
    case CP_OEMCP:
    case CP_MACCP:
    case CP_THREAD_ACP:
      return 2;
    default:
      return 0;
  }
}

#define MB_LEGACY_FLAGS \
  (MB_PRECOMPOSED | MB_COMPOSITE | MB_USEGLYPHCHARS | MB_ERR_INVALID_CHARS)
#define WC_LEGACY_FLAGS                                                  \
  (WC_COMPOSITECHECK | WC_DISCARDNS | WC_SEPCHARS | WC_DEFAULTCHAR |     \
   WC_NO_BEST_FIT_CHARS | WC_ERR_INVALID_CHARS)

int WINAPI MultiByteToWideChar(UINT CodePage, DWORD dwFlags,
                               LPCCH lpMultiByteStr, int cbMultiByte,
                               LPWSTR lpWideCharStr, int cchWideChar) {
  int kind = codepage_kind(CodePage);
  size_t n, needed;
  int rc;

  if (!lpMultiByteStr || cbMultiByte == 0 || cchWideChar < 0 ||
      (!lpWideCharStr && cchWideChar) ||
      (const void *)lpMultiByteStr == (const void *)lpWideCharStr || !kind) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (kind == 1 ? (dwFlags & ~(DWORD)MB_ERR_INVALID_CHARS) != 0
                : (dwFlags & ~(DWORD)MB_LEGACY_FLAGS) != 0) {
    SetLastError(ERROR_INVALID_FLAGS);
    return 0;
  }
  /* Any negative length means NUL-terminated, the terminator included. */
  n = cbMultiByte < 0 ? strlen(lpMultiByteStr) + 1 : (size_t)cbMultiByte;
  rc = ws2__utf8_to_utf16(
      lpMultiByteStr, n, cchWideChar ? lpWideCharStr : NULL,
      (size_t)cchWideChar,
      (dwFlags & MB_ERR_INVALID_CHARS) ? WS2__UTF_STRICT : 0, &needed, NULL);
  if (rc == WS2__UTF_INVALID) {
    SetLastError(ERROR_NO_UNICODE_TRANSLATION);
    return 0;
  }
  if (rc == WS2__UTF_SMALL) {
    SetLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  if (needed > 0x7FFFFFFF) { /* cannot be returned as an int */
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  return (int)needed;
}

/*
 * UTF-16 to UTF-8 for the ACP aliases with a default character: as the
 * codec, with unpaired surrogates written as the byte dflt.
 */
static int utf16_to_acp(const WCHAR *src, size_t n, char *dst, size_t cap,
                        char dflt, size_t *needed, int *used) {
  size_t i = 0, start, out = 0, got;
  int rc;

  *used = 0;
  while (i < n) {
    /* A run with no unpaired surrogate goes through the codec. */
    start = i;
    while (i < n) {
      WCHAR c = src[i];
      if (c >= 0xDC00 && c <= 0xDFFF) break;
      if (c >= 0xD800 && c <= 0xDBFF) {
        if (i + 1 < n && src[i + 1] >= 0xDC00 && src[i + 1] <= 0xDFFF) {
          i += 2;
          continue;
        }
        break;
      }
      i++;
    }
    rc = ws2__utf16_to_utf8(src + start, i - start, dst ? dst + out : NULL,
                            dst ? cap - out : 0, 0, &got, NULL);
    out += got;
    if (rc != WS2__UTF_OK) {
      *needed = out;
      return rc;
    }
    if (i < n) { /* the unpaired surrogate at i */
      if (dst) {
        if (out >= cap) {
          *needed = out;
          return WS2__UTF_SMALL;
        }
        dst[out] = dflt;
      }
      out++;
      i++;
      *used = 1;
    }
  }
  *needed = out;
  return WS2__UTF_OK;
}

int WINAPI WideCharToMultiByte(UINT CodePage, DWORD dwFlags,
                               LPCWCH lpWideCharStr, int cchWideChar,
                               LPSTR lpMultiByteStr, int cbMultiByte,
                               LPCCH lpDefaultChar, LPBOOL lpUsedDefaultChar) {
  int kind = codepage_kind(CodePage);
  size_t n, needed;
  int rc, used = 0;
  char *dst;

  if (!lpWideCharStr || cchWideChar == 0 || cbMultiByte < 0 ||
      (!lpMultiByteStr && cbMultiByte) ||
      (const void *)lpWideCharStr == (const void *)lpMultiByteStr || !kind ||
      (kind == 1 && (lpDefaultChar || lpUsedDefaultChar))) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (kind == 1 ? (dwFlags & ~(DWORD)WC_ERR_INVALID_CHARS) != 0
                : (dwFlags & ~(DWORD)WC_LEGACY_FLAGS) != 0) {
    SetLastError(ERROR_INVALID_FLAGS);
    return 0;
  }
  n = cchWideChar < 0 ? ws2__wcslen(lpWideCharStr) + 1 : (size_t)cchWideChar;
  dst = cbMultiByte ? lpMultiByteStr : NULL;
  if (dwFlags & WC_ERR_INVALID_CHARS) {
    rc = ws2__utf16_to_utf8(lpWideCharStr, n, dst, (size_t)cbMultiByte,
                            WS2__UTF_STRICT, &needed, NULL);
  } else if (kind == 2 && (lpDefaultChar || lpUsedDefaultChar)) {
    rc = utf16_to_acp(lpWideCharStr, n, dst, (size_t)cbMultiByte,
                      lpDefaultChar ? lpDefaultChar[0] : '?', &needed, &used);
  } else {
    rc = ws2__utf16_to_utf8(lpWideCharStr, n, dst, (size_t)cbMultiByte, 0,
                            &needed, NULL);
  }
  if (rc == WS2__UTF_INVALID) {
    SetLastError(ERROR_NO_UNICODE_TRANSLATION);
    return 0;
  }
  if (rc == WS2__UTF_SMALL) {
    SetLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  if (needed > 0x7FFFFFFF) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (lpUsedDefaultChar) *lpUsedDefaultChar = used ? TRUE : FALSE;
  return (int)needed;
}

/* ---- String lengths. Windows returns 0 for NULL. ---- */

int WINAPI lstrlenA(LPCSTR lpString) {
  return lpString ? (int)strlen(lpString) : 0;
}

int WINAPI lstrlenW(LPCWSTR lpString) {
  return lpString ? (int)ws2__wcslen(lpString) : 0;
}
