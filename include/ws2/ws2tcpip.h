/*
 * ws2tcpip.h: the TCP/IP helpers of Winsock 2: getaddrinfo and its wide
 * and extended forms, getnameinfo, inet_pton/inet_ntop, socklen_t, the
 * EAI_* error codes, and the IPv6 address tests (IN6_IS_ADDR_*).
 *
 * getaddrinfo, freeaddrinfo, getnameinfo, inet_pton and inet_ntop have
 * C-library names and are exported as WS_<name> (WS2_BSDNAME); the other
 * functions keep their Windows names. The EAI_* codes are Winsock error
 * codes (WSAHOST_NOT_FOUND ...), not Linux's negative EAI values.
 */
#ifndef WS2_WS2TCPIP_H
#define WS2_WS2TCPIP_H

#include "winsock2.h"
#include "ws2ipdef.h"

WS2_BEGIN_DECLS

/* The port of a sockaddr_storage holding an IPv4 or IPv6 address. */
#define SS_PORT(ssp) (((struct WS_sockaddr_in *)(ssp))->sin_port)

/* getaddrinfo errors: Winsock error codes. */
#define WS_EAI_AGAIN WSATRY_AGAIN
#define WS_EAI_BADFLAGS WSAEINVAL
#define WS_EAI_FAIL WSANO_RECOVERY
#define WS_EAI_FAMILY WSAEAFNOSUPPORT
#define WS_EAI_MEMORY WSA_NOT_ENOUGH_MEMORY
#define WS_EAI_NOSECURENAME WSA_SECURE_HOST_NOT_FOUND
#define WS_EAI_NONAME WSAHOST_NOT_FOUND
#define WS_EAI_SERVICE WSATYPE_NOT_FOUND
#define WS_EAI_SOCKTYPE WSAESOCKTNOSUPPORT
#define WS_EAI_IPSECPOLICY WSA_IPSEC_NAME_POLICY_ERROR
/* As in the SDK; mingw-w64 makes it WSANO_DATA. */
#define WS_EAI_NODATA WS_EAI_NONAME

/* Windows' socklen_t is a signed int. */
typedef int WS_socklen_t;

/* The well-known IPv6 addresses. */
#define WS_IN6ADDR_ANY_INIT {{{0}}}
#define WS_IN6ADDR_LOOPBACK_INIT {{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}}
/*
 * Data exported by ws2_32; libws2 exports them as WS_in6addr_any and
 * WS_in6addr_loopback.
 */
extern WINSOCK_API_LINKAGE const struct WS_in6_addr WS_in6addr_any;
extern WINSOCK_API_LINKAGE const struct WS_in6_addr WS_in6addr_loopback;

/*
 * IPv6 address tests, inline as on Windows. Linux defines macros of the
 * same names over its own in6_addr, hence the WS_ spellings.
 */
#define WS2__IN6_INLINE static __inline__ __attribute__((unused))

WS2__IN6_INLINE BOOLEAN IN6_ADDR_EQUAL(const IN6_ADDR *x, const IN6_ADDR *y) {
  int i;
  for (i = 0; i < 16; i++)
    if (x->u.Byte[i] != y->u.Byte[i]) return FALSE;
  return TRUE;
}

WS2__IN6_INLINE int WS_IN6_ARE_ADDR_EQUAL(const IN6_ADDR *x,
                                          const IN6_ADDR *y) {
  return IN6_ADDR_EQUAL(x, y);
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_UNSPECIFIED(const IN6_ADDR *a) {
  int i;
  for (i = 0; i < 8; i++)
    if (a->u.Word[i] != 0) return FALSE;
  return TRUE;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_LOOPBACK(const IN6_ADDR *a) {
  int i;
  for (i = 0; i < 15; i++)
    if (a->u.Byte[i] != 0) return FALSE;
  return a->u.Byte[15] == 1;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_MULTICAST(const IN6_ADDR *a) {
  return a->u.Byte[0] == 0xff;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_LINKLOCAL(const IN6_ADDR *a) {
  return a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0x80;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_SITELOCAL(const IN6_ADDR *a) {
  return a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0xc0;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_V4MAPPED(const IN6_ADDR *a) {
  return a->u.Word[0] == 0 && a->u.Word[1] == 0 && a->u.Word[2] == 0 &&
         a->u.Word[3] == 0 && a->u.Word[4] == 0 && a->u.Word[5] == 0xffff;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_V4COMPAT(const IN6_ADDR *a) {
  /* ::a.b.c.d, excluding :: and ::1. */
  return a->u.Word[0] == 0 && a->u.Word[1] == 0 && a->u.Word[2] == 0 &&
         a->u.Word[3] == 0 && a->u.Word[4] == 0 && a->u.Word[5] == 0 &&
         !(a->u.Word[6] == 0 && a->u.Byte[14] == 0 &&
           (a->u.Byte[15] == 0 || a->u.Byte[15] == 1));
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_MC_NODELOCAL(const IN6_ADDR *a) {
  return WS_IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 1;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_MC_LINKLOCAL(const IN6_ADDR *a) {
  return WS_IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 2;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_MC_SITELOCAL(const IN6_ADDR *a) {
  return WS_IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 5;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_MC_ORGLOCAL(const IN6_ADDR *a) {
  return WS_IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 8;
}

WS2__IN6_INLINE BOOLEAN WS_IN6_IS_ADDR_MC_GLOBAL(const IN6_ADDR *a) {
  return WS_IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0xf) == 0xe;
}

WS2__IN6_INLINE void IN6_SET_ADDR_UNSPECIFIED(PIN6_ADDR a) {
  int i;
  for (i = 0; i < 16; i++) a->u.Byte[i] = 0;
}

WS2__IN6_INLINE void IN6_SET_ADDR_LOOPBACK(PIN6_ADDR a) {
  IN6_SET_ADDR_UNSPECIFIED(a);
  a->u.Byte[15] = 1;
}

/* The same tests on whole sockaddr_in6 structures. */
WS2__IN6_INLINE BOOLEAN IN6ADDR_ISANY(const SOCKADDR_IN6 *a) {
  return a->sin6_family == WS_AF_INET6 &&
         WS_IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
}

WS2__IN6_INLINE BOOLEAN IN6ADDR_ISLOOPBACK(const SOCKADDR_IN6 *a) {
  return a->sin6_family == WS_AF_INET6 &&
         WS_IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
}

WS2__IN6_INLINE BOOLEAN IN6ADDR_ISEQUAL(const SOCKADDR_IN6 *a,
                                        const SOCKADDR_IN6 *b) {
  return a->sin6_scope_id == b->sin6_scope_id &&
         IN6_ADDR_EQUAL(&a->sin6_addr, &b->sin6_addr);
}

WS2__IN6_INLINE BOOLEAN IN6ADDR_ISUNSPECIFIED(const SOCKADDR_IN6 *a) {
  return a->sin6_scope_id == 0 && WS_IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
}

WS2__IN6_INLINE void IN6ADDR_SETANY(PSOCKADDR_IN6 a) {
  a->sin6_family = WS_AF_INET6;
  a->sin6_port = 0;
  a->sin6_flowinfo = 0;
  IN6_SET_ADDR_UNSPECIFIED(&a->sin6_addr);
  a->sin6_scope_id = 0;
}

WS2__IN6_INLINE void IN6ADDR_SETLOOPBACK(PSOCKADDR_IN6 a) {
  a->sin6_family = WS_AF_INET6;
  a->sin6_port = 0;
  a->sin6_flowinfo = 0;
  IN6_SET_ADDR_LOOPBACK(&a->sin6_addr);
  a->sin6_scope_id = 0;
}

/* Name resolution. */
WINSOCK_API_LINKAGE INT WSAAPI WS2_BSDNAME(getaddrinfo)(
    PCSTR pNodeName, PCSTR pServiceName, const ADDRINFOA *pHints,
    PADDRINFOA *ppResult) WS2_BSDLABEL(getaddrinfo);
WINSOCK_API_LINKAGE INT WSAAPI GetAddrInfoW(PCWSTR pNodeName,
                                            PCWSTR pServiceName,
                                            const ADDRINFOW *pHints,
                                            PADDRINFOW *ppResult);
#define GetAddrInfoA WS2_BSDNAME(getaddrinfo)

WINSOCK_API_LINKAGE void WSAAPI WS2_BSDNAME(freeaddrinfo)(PADDRINFOA pAddrInfo)
    WS2_BSDLABEL(freeaddrinfo);
WINSOCK_API_LINKAGE void WSAAPI FreeAddrInfoW(PADDRINFOW pAddrInfo);
#define FreeAddrInfoA WS2_BSDNAME(freeaddrinfo)

WINSOCK_API_LINKAGE INT WSAAPI WS2_BSDNAME(getnameinfo)(
    const SOCKADDR *pSockaddr, WS_socklen_t SockaddrLength, PCHAR pNodeBuffer,
    DWORD NodeBufferSize, PCHAR pServiceBuffer, DWORD ServiceBufferSize,
    INT Flags) WS2_BSDLABEL(getnameinfo);
WINSOCK_API_LINKAGE INT WSAAPI GetNameInfoW(const SOCKADDR *pSockaddr,
                                            WS_socklen_t SockaddrLength,
                                            PWCHAR pNodeBuffer,
                                            DWORD NodeBufferSize,
                                            PWCHAR pServiceBuffer,
                                            DWORD ServiceBufferSize,
                                            INT Flags);
#define GetNameInfoA WS2_BSDNAME(getnameinfo)

/* GetAddrInfoEx's completion routine. */
typedef void(CALLBACK *LPLOOKUPSERVICE_COMPLETION_ROUTINE)(
    DWORD dwError, DWORD dwBytes, LPWSAOVERLAPPED lpOverlapped);

WINSOCK_API_LINKAGE INT WSAAPI GetAddrInfoExA(
    PCSTR pName, PCSTR pServiceName, DWORD dwNameSpace, LPGUID lpNspId,
    const ADDRINFOEXA *hints, PADDRINFOEXA *ppResult,
    struct WS_timeval *timeout, LPOVERLAPPED lpOverlapped,
    LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine,
    LPHANDLE lpNameHandle);
WINSOCK_API_LINKAGE INT WSAAPI GetAddrInfoExW(
    PCWSTR pName, PCWSTR pServiceName, DWORD dwNameSpace, LPGUID lpNspId,
    const ADDRINFOEXW *hints, PADDRINFOEXW *ppResult,
    struct WS_timeval *timeout, LPOVERLAPPED lpOverlapped,
    LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine,
    LPHANDLE lpHandle);
WINSOCK_API_LINKAGE INT WSAAPI GetAddrInfoExCancel(LPHANDLE lpHandle);
WINSOCK_API_LINKAGE INT WSAAPI GetAddrInfoExOverlappedResult(
    LPOVERLAPPED lpOverlapped);
WINSOCK_API_LINKAGE INT WSAAPI SetAddrInfoExA(
    PCSTR pName, PCSTR pServiceName, SOCKET_ADDRESS *pAddresses,
    DWORD dwAddressCount, LPBLOB lpBlob, DWORD dwFlags, DWORD dwNameSpace,
    LPGUID lpNspId, struct WS_timeval *timeout, LPOVERLAPPED lpOverlapped,
    LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine,
    LPHANDLE lpNameHandle);
WINSOCK_API_LINKAGE INT WSAAPI SetAddrInfoExW(
    PCWSTR pName, PCWSTR pServiceName, SOCKET_ADDRESS *pAddresses,
    DWORD dwAddressCount, LPBLOB lpBlob, DWORD dwFlags, DWORD dwNameSpace,
    LPGUID lpNspId, struct WS_timeval *timeout, LPOVERLAPPED lpOverlapped,
    LPLOOKUPSERVICE_COMPLETION_ROUTINE lpCompletionRoutine,
    LPHANDLE lpNameHandle);
/*
 * The ANSI FreeAddrInfoEx is exported under that unsuffixed name;
 * FreeAddrInfoExA reaches it whatever UNICODE says.
 */
WINSOCK_API_LINKAGE void WSAAPI FreeAddrInfoExA(PADDRINFOEXA pAddrInfoEx)
    __asm__("FreeAddrInfoEx");
WINSOCK_API_LINKAGE void WSAAPI FreeAddrInfoExW(PADDRINFOEXW pAddrInfoEx);
#ifndef UNICODE
WINSOCK_API_LINKAGE void WSAAPI FreeAddrInfoEx(PADDRINFOEXA pAddrInfoEx);
#endif

/*
 * gai_strerror: Windows defines these inline over FormatMessage; here the
 * library provides them. The returned text lives in a per-thread buffer
 * of GAI_STRERROR_BUFFER_SIZE characters.
 */
#define GAI_STRERROR_BUFFER_SIZE 1024
WINSOCK_API_LINKAGE char *WSAAPI gai_strerrorA(int ecode);
WINSOCK_API_LINKAGE WCHAR *WSAAPI gai_strerrorW(int ecode);

/* Address text conversion. */
WINSOCK_API_LINKAGE INT WSAAPI WS2_BSDNAME(inet_pton)(
    INT Family, PCSTR pszAddrString, PVOID pAddrBuf) WS2_BSDLABEL(inet_pton);
WINSOCK_API_LINKAGE INT WSAAPI InetPtonW(INT Family, PCWSTR pszAddrString,
                                         PVOID pAddrBuf);
WINSOCK_API_LINKAGE PCSTR WSAAPI WS2_BSDNAME(inet_ntop)(
    INT Family, const VOID *pAddr, PSTR pStringBuf,
    size_t StringBufSize) WS2_BSDLABEL(inet_ntop);
WINSOCK_API_LINKAGE PCWSTR WSAAPI InetNtopW(INT Family, const VOID *pAddr,
                                            PWSTR pStringBuf,
                                            size_t StringBufSize);
#define InetPtonA WS2_BSDNAME(inet_pton)
#define InetNtopA WS2_BSDNAME(inet_ntop)

/* Function-pointer types, as Windows declares them here. */
typedef __typeof__(WS2_BSDNAME(getaddrinfo)) *LPFN_GETADDRINFO;
typedef __typeof__(GetAddrInfoW) *LPFN_GETADDRINFOW;
typedef __typeof__(WS2_BSDNAME(freeaddrinfo)) *LPFN_FREEADDRINFO;
typedef __typeof__(FreeAddrInfoW) *LPFN_FREEADDRINFOW;
typedef __typeof__(WS2_BSDNAME(getnameinfo)) *LPFN_GETNAMEINFO;
typedef __typeof__(GetNameInfoW) *LPFN_GETNAMEINFOW;
typedef __typeof__(GetAddrInfoExA) *LPFN_GETADDRINFOEXA;
typedef __typeof__(GetAddrInfoExW) *LPFN_GETADDRINFOEXW;
typedef __typeof__(SetAddrInfoExA) *LPFN_SETADDRINFOEXA;
typedef __typeof__(SetAddrInfoExW) *LPFN_SETADDRINFOEXW;
typedef __typeof__(FreeAddrInfoExA) *LPFN_FREEADDRINFOEXA;
typedef __typeof__(FreeAddrInfoExW) *LPFN_FREEADDRINFOEXW;
#define LPFN_GETADDRINFOA LPFN_GETADDRINFO
#define LPFN_FREEADDRINFOA LPFN_FREEADDRINFO
#define LPFN_GETNAMEINFOA LPFN_GETNAMEINFO

#ifdef UNICODE
typedef ADDRINFOW ADDRINFOT, *PADDRINFOT;
typedef ADDRINFOEXW ADDRINFOEX, *PADDRINFOEX;
#define GetAddrInfo GetAddrInfoW
#define FreeAddrInfo FreeAddrInfoW
#define GetNameInfo GetNameInfoW
#define GetAddrInfoEx GetAddrInfoExW
#define SetAddrInfoEx SetAddrInfoExW
#define FreeAddrInfoEx FreeAddrInfoExW
#define InetPton InetPtonW
#define InetNtop InetNtopW
#define LPFN_GETADDRINFOT LPFN_GETADDRINFOW
#define LPFN_FREEADDRINFOT LPFN_FREEADDRINFOW
#define LPFN_GETNAMEINFOT LPFN_GETNAMEINFOW
#define LPFN_GETADDRINFOEX LPFN_GETADDRINFOEXW
#define LPFN_SETADDRINFOEX LPFN_SETADDRINFOEXW
#define LPFN_FREEADDRINFOEX LPFN_FREEADDRINFOEXW
#define WS_gai_strerror gai_strerrorW
#else
typedef ADDRINFOA ADDRINFOT, *PADDRINFOT;
typedef ADDRINFOEXA ADDRINFOEX, *PADDRINFOEX;
#define GetAddrInfo GetAddrInfoA
#define FreeAddrInfo FreeAddrInfoA
#define GetNameInfo GetNameInfoA
#define GetAddrInfoEx GetAddrInfoExA
#define SetAddrInfoEx SetAddrInfoExA
#define InetPton InetPtonA
#define InetNtop InetNtopA
#define LPFN_GETADDRINFOT LPFN_GETADDRINFOA
#define LPFN_FREEADDRINFOT LPFN_FREEADDRINFOA
#define LPFN_GETNAMEINFOT LPFN_GETNAMEINFOA
#define LPFN_GETADDRINFOEX LPFN_GETADDRINFOEXA
#define LPFN_SETADDRINFOEX LPFN_SETADDRINFOEXA
#define LPFN_FREEADDRINFOEX LPFN_FREEADDRINFOEXA
#define WS_gai_strerror gai_strerrorA
#endif

/* @ws2-map-begin (generated by test/headers/gen/mkmaps.py) */
#ifndef WS2_USE_PREFIX
#define EAI_AGAIN WS_EAI_AGAIN
#define EAI_BADFLAGS WS_EAI_BADFLAGS
#define EAI_FAIL WS_EAI_FAIL
#define EAI_FAMILY WS_EAI_FAMILY
#define EAI_IPSECPOLICY WS_EAI_IPSECPOLICY
#define EAI_MEMORY WS_EAI_MEMORY
#define EAI_NODATA WS_EAI_NODATA
#define EAI_NONAME WS_EAI_NONAME
#define EAI_NOSECURENAME WS_EAI_NOSECURENAME
#define EAI_SERVICE WS_EAI_SERVICE
#define EAI_SOCKTYPE WS_EAI_SOCKTYPE
#define IN6ADDR_ANY_INIT WS_IN6ADDR_ANY_INIT
#define IN6ADDR_LOOPBACK_INIT WS_IN6ADDR_LOOPBACK_INIT
#define IN6_ARE_ADDR_EQUAL WS_IN6_ARE_ADDR_EQUAL
#define IN6_IS_ADDR_LINKLOCAL WS_IN6_IS_ADDR_LINKLOCAL
#define IN6_IS_ADDR_LOOPBACK WS_IN6_IS_ADDR_LOOPBACK
#define IN6_IS_ADDR_MC_GLOBAL WS_IN6_IS_ADDR_MC_GLOBAL
#define IN6_IS_ADDR_MC_LINKLOCAL WS_IN6_IS_ADDR_MC_LINKLOCAL
#define IN6_IS_ADDR_MC_NODELOCAL WS_IN6_IS_ADDR_MC_NODELOCAL
#define IN6_IS_ADDR_MC_ORGLOCAL WS_IN6_IS_ADDR_MC_ORGLOCAL
#define IN6_IS_ADDR_MC_SITELOCAL WS_IN6_IS_ADDR_MC_SITELOCAL
#define IN6_IS_ADDR_MULTICAST WS_IN6_IS_ADDR_MULTICAST
#define IN6_IS_ADDR_SITELOCAL WS_IN6_IS_ADDR_SITELOCAL
#define IN6_IS_ADDR_UNSPECIFIED WS_IN6_IS_ADDR_UNSPECIFIED
#define IN6_IS_ADDR_V4COMPAT WS_IN6_IS_ADDR_V4COMPAT
#define IN6_IS_ADDR_V4MAPPED WS_IN6_IS_ADDR_V4MAPPED
#define gai_strerror WS_gai_strerror
#define in6addr_any WS_in6addr_any
#define in6addr_loopback WS_in6addr_loopback
#define socklen_t WS_socklen_t
#endif
/* @ws2-map-end */

WS2_END_DECLS

#endif /* WS2_WS2TCPIP_H */
