/*
 * windef.h: the Windows base types with their Windows x64 (LLP64) sizes,
 * as <basetsd.h>, <winnt.h>, <minwindef.h> and <windef.h> give them.
 *
 * DWORD, LONG and ULONG are 32-bit; ULONG_PTR, SIZE_T, HANDLE and SOCKET
 * are pointer-sized; WCHAR is 16-bit (see docs/HEADERS.md on L"" literals).
 */
#ifndef WS2_WINDEF_H
#define WS2_WINDEF_H

#include "_ws2config.h"
#include "guiddef.h"

WS2_BEGIN_DECLS

#define VOID void
#ifndef CONST
#define CONST const
#endif

/*
 * Annotation and memory-model words that Windows code still writes in
 * declarations (IN SOCKET s, char FAR *buf, int PASCAL f(...)).
 */
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#ifndef FAR
#define FAR
#endif
#ifndef NEAR
#define NEAR
#endif
#ifndef PASCAL
#define PASCAL
#endif
#ifndef CDECL
#define CDECL
#endif
#ifndef STDMETHODCALLTYPE
#define STDMETHODCALLTYPE
#endif
#ifndef UNALIGNED
#define UNALIGNED
#endif
#ifndef ANYSIZE_ARRAY
#define ANYSIZE_ARRAY 1
#endif

typedef char CHAR, CCHAR;
typedef short SHORT, *PSHORT;
typedef int32_t LONG;

typedef unsigned char UCHAR, *PUCHAR;
typedef unsigned char BYTE, *PBYTE, *LPBYTE;
typedef unsigned char BOOLEAN, *PBOOLEAN;
typedef unsigned short USHORT, *PUSHORT;
typedef unsigned short WORD, *PWORD, *LPWORD;
typedef int INT, *PINT, *LPINT;
typedef unsigned int UINT, *PUINT;
typedef uint32_t ULONG, *PULONG;
typedef uint32_t DWORD, *PDWORD, *LPDWORD;
typedef LONG *PLONG, *LPLONG;
typedef int BOOL, *PBOOL, *LPBOOL;
typedef float FLOAT;
typedef int64_t LONGLONG, *PLONGLONG;
typedef uint64_t ULONGLONG, *PULONGLONG;
typedef int64_t LONG64, *PLONG64;
typedef uint64_t ULONG64, *PULONG64, DWORD64, *PDWORD64;
typedef int32_t INT32;
typedef uint32_t UINT32;
typedef int64_t INT64;
typedef uint64_t UINT64;
typedef int8_t INT8;
typedef uint8_t UINT8;
typedef int16_t INT16;
typedef uint16_t UINT16;

typedef intptr_t INT_PTR, *PINT_PTR;
typedef uintptr_t UINT_PTR, *PUINT_PTR;
typedef intptr_t LONG_PTR, *PLONG_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef ULONG_PTR DWORD_PTR, *PDWORD_PTR;
typedef ULONG_PTR SIZE_T, *PSIZE_T;
typedef LONG_PTR SSIZE_T, *PSSIZE_T;

typedef void *PVOID, *LPVOID;
typedef const void *LPCVOID;
typedef void *HANDLE, **PHANDLE, **LPHANDLE;
typedef HANDLE HGLOBAL, HLOCAL;
typedef WORD ATOM;
typedef LONG HRESULT;
typedef LONG NTSTATUS;
typedef DWORD ACCESS_MASK;

/*
 * 16-bit characters. C: unsigned short (the type of u"" literals, and of
 * L"" literals under -fshort-wchar). C++: char16_t (u"" literals), or
 * wchar_t when -fshort-wchar makes it 16-bit (L"" literals).
 */
#if defined(__cplusplus) && __WCHAR_MAX__ > 0xFFFF
typedef char16_t WCHAR;
#elif defined(__cplusplus)
typedef wchar_t WCHAR;
#else
typedef unsigned short WCHAR;
#endif
typedef WCHAR *PWCHAR, *LPWCH, *PWCH, *LPWSTR, *PWSTR;
typedef const WCHAR *LPCWCH, *PCWCH, *LPCWSTR, *PCWSTR;
typedef CHAR *PCHAR, *LPCH, *PCH, *LPSTR, *PSTR;
typedef const CHAR *LPCCH, *PCCH, *LPCSTR, *PCSTR;
typedef CHAR *PSZ;
typedef const CHAR *PCSZ;

/*
 * WS2_WIDE("text") is a literal of WCHARs: u"text", except in C++ built
 * with -fshort-wchar, where WCHAR is wchar_t and only L"text" matches.
 * TEXT("x") is WS2_WIDE("x") under UNICODE and "x" otherwise.
 */
#if defined(__cplusplus) && __WCHAR_MAX__ <= 0xFFFF
#define WS2__WIDE(s) L##s
#else
#define WS2__WIDE(s) u##s
#endif
#define WS2_WIDE(s) WS2__WIDE(s)
#ifdef UNICODE
typedef WCHAR TCHAR, TBYTE;
#define __TEXT(quote) WS2__WIDE(quote)
#else
typedef char TCHAR;
typedef unsigned char TBYTE;
#define __TEXT(quote) quote
#endif
#define TEXT(quote) __TEXT(quote)
typedef TCHAR *LPTSTR, *PTSTR, *PTCHAR;
typedef const TCHAR *LPCTSTR, *PCTSTR;

/* Opaque handle types. */
#define WS2_DECLARE_HANDLE(name) \
  struct name##__ {              \
    int unused;                  \
  };                             \
  typedef struct name##__ *name
WS2_DECLARE_HANDLE(HWND);
WS2_DECLARE_HANDLE(HINSTANCE);
WS2_DECLARE_HANDLE(HMENU);
WS2_DECLARE_HANDLE(HICON);
WS2_DECLARE_HANDLE(HBRUSH);
WS2_DECLARE_HANDLE(HDC);
WS2_DECLARE_HANDLE(HKEY);
typedef HINSTANCE HMODULE;
typedef HICON HCURSOR;
typedef HKEY *PHKEY;
#define DECLARE_HANDLE(name) WS2_DECLARE_HANDLE(name)

typedef UINT_PTR WPARAM;
typedef LONG_PTR LPARAM;
typedef LONG_PTR LRESULT;
typedef INT_PTR(WINAPI *FARPROC)(void);

typedef union _LARGE_INTEGER {
  struct {
    DWORD LowPart;
    LONG HighPart;
  } u;
  struct {
    DWORD LowPart;
    LONG HighPart;
  };
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
  struct {
    DWORD LowPart;
    DWORD HighPart;
  } u;
  struct {
    DWORD LowPart;
    DWORD HighPart;
  };
  ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef struct tagPOINT {
  LONG x;
  LONG y;
} POINT, *PPOINT, *NPPOINT, *LPPOINT;

typedef struct tagRECT {
  LONG left;
  LONG top;
  LONG right;
  LONG bottom;
} RECT, *PRECT, *NPRECT, *LPRECT;
typedef const RECT *LPCRECT;

typedef struct _FILETIME {
  DWORD dwLowDateTime;
  DWORD dwHighDateTime;
} FILETIME, *PFILETIME, *LPFILETIME;

typedef struct _SECURITY_ATTRIBUTES {
  DWORD nLength;
  LPVOID lpSecurityDescriptor;
  BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

/* Limits of the fixed-width Windows types. */
#define MINCHAR 0x80
#define MAXCHAR 0x7f
#define MINSHORT 0x8000
#define MAXSHORT 0x7fff
#define MINLONG 0x80000000
#define MAXLONG 0x7fffffff
#define MAXBYTE 0xff
#define MAXWORD 0xffff
#define MAXDWORD 0xffffffff
#define MAXULONG 0xffffffff
#define MAXLONGLONG 0x7fffffffffffffffLL
#define MAXULONG_PTR (~((ULONG_PTR)0))
#define MAXLONG_PTR ((LONG_PTR)(MAXULONG_PTR >> 1))
#define MAXSIZE_T ((SIZE_T)~((SIZE_T)0))
#define MAX_PATH 260

#define RTL_BITS_OF(sizeOfArg) (sizeof(sizeOfArg) * 8)
#define RTL_NUMBER_OF(A) (sizeof(A) / sizeof((A)[0]))
#define ARRAYSIZE(A) RTL_NUMBER_OF(A)
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define CONTAINING_RECORD(address, type, field) \
  ((type *)((PCHAR)(address) - offsetof(type, field)))

#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif

#define MAKEWORD(a, b) \
  ((WORD)(((BYTE)(((DWORD_PTR)(a)) & 0xff)) | \
          ((WORD)((BYTE)(((DWORD_PTR)(b)) & 0xff))) << 8))
#define MAKELONG(a, b) \
  ((LONG)(((WORD)(((DWORD_PTR)(a)) & 0xffff)) | \
          ((DWORD)((WORD)(((DWORD_PTR)(b)) & 0xffff))) << 16))
#define LOWORD(l) ((WORD)(((DWORD_PTR)(l)) & 0xffff))
#define HIWORD(l) ((WORD)((((DWORD_PTR)(l)) >> 16) & 0xffff))
#define LOBYTE(w) ((BYTE)(((DWORD_PTR)(w)) & 0xff))
#define HIBYTE(w) ((BYTE)((((DWORD_PTR)(w)) >> 8) & 0xff))

#if !defined(NOMINMAX) && !defined(__cplusplus)
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#endif

#define UNREFERENCED_PARAMETER(P) ((void)(P))

WS2_END_DECLS

#endif /* WS2_WINDEF_H */
