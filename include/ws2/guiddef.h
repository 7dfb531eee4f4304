/*
 * guiddef.h: GUID, the 16-byte identifier of providers, namespaces and
 * extension functions, with DEFINE_GUID and IsEqualGUID as Windows has
 * them. In C a REFGUID is a pointer, in C++ a reference, as on Windows.
 */
#ifndef WS2_GUIDDEF_H
#define WS2_GUIDDEF_H

#include <stdint.h>

#ifndef GUID_DEFINED
#define GUID_DEFINED
/* Data1 is an unsigned long on Windows, which is 32 bits there. */
typedef struct _GUID {
  uint32_t Data1;
  unsigned short Data2;
  unsigned short Data3;
  unsigned char Data4[8];
} GUID;
#endif

typedef GUID *LPGUID;
typedef const GUID *LPCGUID;
typedef GUID IID, *LPIID;
typedef GUID CLSID, *LPCLSID;
typedef GUID FMTID, *LPFMTID;

#ifdef __cplusplus
#define REFGUID const GUID &
#define REFIID const IID &
#define REFCLSID const IID &
#define REFFMTID const IID &
#else
#define REFGUID const GUID *
#define REFIID const IID *
#define REFCLSID const IID *
#define REFFMTID const IID *
#endif

/*
 * DEFINE_GUID declares the GUID, or defines it in the translation units
 * that define INITGUID before including this header. Several may: the
 * definition is weak, as Windows makes it "selectany".
 */
#ifdef __cplusplus
#define WS2__GUID_EXTERN extern "C"
#else
#define WS2__GUID_EXTERN extern
#endif
#undef DEFINE_GUID
#ifdef INITGUID
#ifdef __cplusplus
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
  extern "C" __attribute__((weak)) const GUID name =                 \
      {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
  __attribute__((weak)) const GUID name =                            \
      {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#endif
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
  WS2__GUID_EXTERN const GUID name
#endif

/* Field-wise comparison: no <string.h> needed, and no padding exists. */
static __inline__ __attribute__((unused)) int WS2__IsEqualGUID(
    const GUID *a, const GUID *b) {
  int i;
  if (a->Data1 != b->Data1 || a->Data2 != b->Data2 || a->Data3 != b->Data3)
    return 0;
  for (i = 0; i < 8; i++)
    if (a->Data4[i] != b->Data4[i]) return 0;
  return 1;
}

#ifdef __cplusplus
static inline int IsEqualGUID(REFGUID a, REFGUID b) {
  return WS2__IsEqualGUID(&a, &b);
}
static inline bool operator==(REFGUID a, REFGUID b) {
  return WS2__IsEqualGUID(&a, &b) != 0;
}
static inline bool operator!=(REFGUID a, REFGUID b) { return !(a == b); }
#else
#define IsEqualGUID(a, b) WS2__IsEqualGUID((a), (b))
#endif
#define InlineIsEqualGUID(a, b) IsEqualGUID(a, b)
#define IsEqualIID(a, b) IsEqualGUID(a, b)
#define IsEqualCLSID(a, b) IsEqualGUID(a, b)

#endif /* WS2_GUIDDEF_H */
