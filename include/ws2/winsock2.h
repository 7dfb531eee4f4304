/*
 * winsock2.h: the Winsock 2 API: the BSD-style types (u_long, fd_set,
 * timeval, hostent, ...), the Winsock 2 types (WSADATA, WSAPROTOCOL_INFO,
 * WSANETWORKEVENTS, the RnR query sets, WSAPOLLFD) and the declarations of
 * every function ws2_32.dll exports to applications.
 *
 * As in the other headers, names that Linux also defines are WS_-prefixed
 * here and mapped onto their Windows spelling in Windows mode; functions
 * with a C-library name are declared with WS2_BSDNAME (see _ws2config.h).
 */
#ifndef WS2_WINSOCK2_H
#define WS2_WINSOCK2_H

/*
 * The Windows include guards of winsock2.h and winsock.h: programs test
 * them to learn that Winsock is already declared.
 */
#define _WINSOCK2API_
#define _WINSOCKAPI_

#include "windows.h"
#include "ws2def.h"
#include "inaddr.h"
#include "qos.h"

WS2_BEGIN_DECLS

#define WINSOCK_VERSION MAKEWORD(2, 2)

/* The BSD integer types, with their Windows widths: u_long is 32-bit. */
typedef unsigned char WS_u_char;
typedef unsigned short WS_u_short;
typedef unsigned int WS_u_int;
typedef ULONG WS_u_long;
typedef unsigned long long u_int64;

/*
 * A socket is a pointer-sized kernel handle, not a small int: it is never
 * negative and is not a file descriptor of the process.
 */
typedef UINT_PTR SOCKET;
#define INVALID_SOCKET ((SOCKET)(~0))
#define SOCKET_ERROR (-1)

/*
 * fd_set is an array of sockets with a count, not a bit mask, so its size
 * limits how many sockets a set holds rather than their values. A program
 * may define FD_SETSIZE before including this header to enlarge it.
 *
 * The C library headers may already have defined FD_SETSIZE as their own
 * __FD_SETSIZE; that definition is told apart from the program's by
 * changing __FD_SETSIZE for a moment and seeing whether FD_SETSIZE follows.
 * (If such a header came between the program's definition and this one,
 * glibc has replaced the program's value and 64 is used: see
 * docs/HEADERS.md.)
 */
#ifndef WS2_USE_PREFIX
#if defined(FD_SETSIZE) && defined(__FD_SETSIZE)
#pragma push_macro("__FD_SETSIZE")
#undef __FD_SETSIZE
#define __FD_SETSIZE (-30001)
#if FD_SETSIZE == (-30001)
#define WS2__FD_SETSIZE_FROM_LIBC 1
#endif
#pragma pop_macro("__FD_SETSIZE")
#endif
#if defined(FD_SETSIZE) && !defined(WS2__FD_SETSIZE_FROM_LIBC)
#define WS_FD_SETSIZE FD_SETSIZE
#else
#undef FD_SETSIZE
#define WS_FD_SETSIZE 64
#define FD_SETSIZE WS_FD_SETSIZE
#endif
#elif !defined(WS_FD_SETSIZE)
#define WS_FD_SETSIZE 64
#endif

typedef struct WS_fd_set {
  WS_u_int fd_count;
  SOCKET fd_array[WS_FD_SETSIZE];
} WS_fd_set, *PFD_SET, *LPFD_SET;
#ifndef WS2_USE_PREFIX
typedef WS_fd_set FD_SET;
#endif

/* FD_ISSET's helper; ws2_32 exports it. */
WINSOCK_API_LINKAGE int WSAAPI __WSAFDIsSet(SOCKET fd, WS_fd_set *set);

/*
 * The set operations as Windows defines them: FD_SET appends a socket that
 * is not yet present while there is room, FD_CLR removes it and closes the
 * gap, FD_ISSET asks the library.
 */
#define WS_FD_CLR(fd, set)                                             \
  do {                                                                 \
    WS_u_int ws2__i;                                                   \
    WS_fd_set *ws2__set = (WS_fd_set *)(set);                          \
    for (ws2__i = 0; ws2__i < ws2__set->fd_count; ws2__i++) {          \
      if (ws2__set->fd_array[ws2__i] == (SOCKET)(fd)) {                \
        while (ws2__i + 1 < ws2__set->fd_count) {                      \
          ws2__set->fd_array[ws2__i] = ws2__set->fd_array[ws2__i + 1]; \
          ws2__i++;                                                    \
        }                                                              \
        ws2__set->fd_count--;                                          \
        break;                                                         \
      }                                                                \
    }                                                                  \
  } while (0)

#define WS_FD_SET(fd, set)                                             \
  do {                                                                 \
    WS_u_int ws2__i;                                                   \
    WS_fd_set *ws2__set = (WS_fd_set *)(set);                          \
    for (ws2__i = 0; ws2__i < ws2__set->fd_count; ws2__i++)            \
      if (ws2__set->fd_array[ws2__i] == (SOCKET)(fd)) break;           \
    if (ws2__i == ws2__set->fd_count &&                                \
        ws2__set->fd_count < WS_FD_SETSIZE) {                          \
      ws2__set->fd_array[ws2__i] = (SOCKET)(fd);                       \
      ws2__set->fd_count++;                                            \
    }                                                                  \
  } while (0)

#define WS_FD_ZERO(set) (((WS_fd_set *)(set))->fd_count = 0)
#define WS_FD_ISSET(fd, set) __WSAFDIsSet((SOCKET)(fd), (WS_fd_set *)(set))

/* select's timeout: two 32-bit longs on Windows, 8 bytes. */
typedef struct WS_timeval {
  LONG tv_sec;
  LONG tv_usec;
} TIMEVAL, *PTIMEVAL, *LPTIMEVAL;

#define WS_timerisset(tvp) ((tvp)->tv_sec || (tvp)->tv_usec)
#define WS_timercmp(tvp, uvp, cmp)          \
  ((tvp)->tv_sec cmp(uvp)->tv_sec ||        \
   ((tvp)->tv_sec == (uvp)->tv_sec && (tvp)->tv_usec cmp(uvp)->tv_usec))
#define WS_timerclear(tvp) ((tvp)->tv_sec = (tvp)->tv_usec = 0)

/* BSD-style ioctl encoding (ioctlsocket): group x, number y, argument t. */
#define WS__IO(x, y) (WS_IOC_VOID | ((x) << 8) | (y))
#define WS__IOR(x, y, t) \
  (WS_IOC_OUT | (((LONG)sizeof(t) & WS_IOCPARM_MASK) << 16) | ((x) << 8) | (y))
#define WS__IOW(x, y, t) \
  (WS_IOC_IN | (((LONG)sizeof(t) & WS_IOCPARM_MASK) << 16) | ((x) << 8) | (y))

#define WS_FIONREAD WS__IOR('f', 127, WS_u_long)
#define WS_FIONBIO WS__IOW('f', 126, WS_u_long)
#define WS_FIOASYNC WS__IOW('f', 125, WS_u_long)
#define WS_SIOCSHIWAT WS__IOW('s', 0, WS_u_long)
#define WS_SIOCGHIWAT WS__IOR('s', 1, WS_u_long)
#define WS_SIOCSLOWAT WS__IOW('s', 2, WS_u_long)
#define WS_SIOCGLOWAT WS__IOR('s', 3, WS_u_long)
#define WS_SIOCATMARK WS__IOR('s', 7, WS_u_long)

/* Database entries, with Windows' member types and x64 member order. */
typedef struct WS_hostent {
  char *h_name;
  char **h_aliases;
  short h_addrtype;
  short h_length;
  char **h_addr_list;
} HOSTENT, *PHOSTENT, *LPHOSTENT;
#define WS_h_addr h_addr_list[0]

typedef struct WS_netent {
  char *n_name;
  char **n_aliases;
  short n_addrtype;
  WS_u_long n_net;
} NETENT, *PNETENT, *LPNETENT;

/* On x64 s_proto precedes s_port (32-bit Windows has them swapped). */
typedef struct WS_servent {
  char *s_name;
  char **s_aliases;
  char *s_proto;
  short s_port;
} SERVENT, *PSERVENT, *LPSERVENT;

typedef struct WS_protoent {
  char *p_name;
  char **p_aliases;
  short p_proto;
} PROTOENT, *PPROTOENT, *LPPROTOENT;

/* WSAStartup's answer. On x64 the two limits precede lpVendorInfo. */
#define WSADESCRIPTION_LEN 256
#define WSASYS_STATUS_LEN 128
typedef struct WSAData {
  WORD wVersion;
  WORD wHighVersion;
  unsigned short iMaxSockets;
  unsigned short iMaxUdpDg;
  char *lpVendorInfo;
  char szDescription[WSADESCRIPTION_LEN + 1];
  char szSystemStatus[WSASYS_STATUS_LEN + 1];
} WSADATA, *LPWSADATA;

/* WSASocket's "take everything from the WSAPROTOCOL_INFO" value. */
#define FROM_PROTOCOL_INFO (-1)

/* Socket types. */
#define WS_SOCK_STREAM 1
#define WS_SOCK_DGRAM 2
#define WS_SOCK_RAW 3
#define WS_SOCK_RDM 4
#define WS_SOCK_SEQPACKET 5

/* Winsock 2 socket options (level SOL_SOCKET). */
#define WS_SO_PROTOCOL_INFOA 0x2004
#define WS_SO_PROTOCOL_INFOW 0x2005
#define PVD_CONFIG 0x3001

typedef struct WS_linger {
  WS_u_short l_onoff;
  WS_u_short l_linger;
} LINGER, *PLINGER, *LPLINGER;

/* Protocol families: the address families under another name. */
#define WS_PF_UNSPEC WS_AF_UNSPEC
#define WS_PF_UNIX WS_AF_UNIX
#define WS_PF_INET WS_AF_INET
#define WS_PF_IMPLINK WS_AF_IMPLINK
#define WS_PF_PUP WS_AF_PUP
#define WS_PF_CHAOS WS_AF_CHAOS
#define WS_PF_NS WS_AF_NS
#define WS_PF_IPX WS_AF_IPX
#define WS_PF_ISO WS_AF_ISO
#define WS_PF_OSI WS_AF_OSI
#define WS_PF_ECMA WS_AF_ECMA
#define WS_PF_DATAKIT WS_AF_DATAKIT
#define WS_PF_CCITT WS_AF_CCITT
#define WS_PF_SNA WS_AF_SNA
#define WS_PF_DECnet WS_AF_DECnet
#define WS_PF_DLI WS_AF_DLI
#define WS_PF_LAT WS_AF_LAT
#define WS_PF_HYLINK WS_AF_HYLINK
#define WS_PF_APPLETALK WS_AF_APPLETALK
#define WS_PF_VOICEVIEW WS_AF_VOICEVIEW
#define WS_PF_FIREFOX WS_AF_FIREFOX
#define WS_PF_UNKNOWN1 WS_AF_UNKNOWN1
#define WS_PF_BAN WS_AF_BAN
#define WS_PF_ATM WS_AF_ATM
#define WS_PF_INET6 WS_AF_INET6
#define WS_PF_BTH WS_AF_BTH
#define WS_PF_MAX WS_AF_MAX

/*
 * listen backlog: SOMAXCONN asks for the provider's maximum;
 * SOMAXCONN_HINT(b) asks for b connections, clamped to [200, 65535].
 */
#define WS_SOMAXCONN 0x7fffffff
#define WS_SOMAXCONN_HINT(b) (-(b))

/* The buffer size WSAAsyncGetHostByName and friends need at most. */
#define MAXGETHOSTSTRUCT 1024

/* Network events (WSAAsyncSelect, WSAEventSelect, WSAEnumNetworkEvents). */
#define FD_READ_BIT 0
#define FD_READ (1 << FD_READ_BIT)
#define FD_WRITE_BIT 1
#define FD_WRITE (1 << FD_WRITE_BIT)
#define FD_OOB_BIT 2
#define FD_OOB (1 << FD_OOB_BIT)
#define FD_ACCEPT_BIT 3
#define FD_ACCEPT (1 << FD_ACCEPT_BIT)
#define FD_CONNECT_BIT 4
#define FD_CONNECT (1 << FD_CONNECT_BIT)
#define FD_CLOSE_BIT 5
#define FD_CLOSE (1 << FD_CLOSE_BIT)
#define FD_QOS_BIT 6
#define FD_QOS (1 << FD_QOS_BIT)
#define FD_GROUP_QOS_BIT 7
#define FD_GROUP_QOS (1 << FD_GROUP_QOS_BIT)
#define FD_ROUTING_INTERFACE_CHANGE_BIT 8
#define FD_ROUTING_INTERFACE_CHANGE (1 << FD_ROUTING_INTERFACE_CHANGE_BIT)
#define FD_ADDRESS_LIST_CHANGE_BIT 9
#define FD_ADDRESS_LIST_CHANGE (1 << FD_ADDRESS_LIST_CHANGE_BIT)
#define FD_MAX_EVENTS 10
#define FD_ALL_EVENTS ((1 << FD_MAX_EVENTS) - 1)

/*
 * Resolver errors. h_errno is the thread's Winsock error, as on Windows;
 * HOST_NOT_FOUND and the rest are the matching WSA codes.
 */
#define WS_h_errno WSAGetLastError()
#define WS_HOST_NOT_FOUND WSAHOST_NOT_FOUND
#define WS_TRY_AGAIN WSATRY_AGAIN
#define WS_NO_RECOVERY WSANO_RECOVERY
#define WS_NO_DATA WSANO_DATA
#define WSANO_ADDRESS WSANO_DATA
#define WS_NO_ADDRESS WSANO_ADDRESS

/* Event objects and overlapped structures are the kernel ones. */
typedef HANDLE WSAEVENT;
typedef LPHANDLE LPWSAEVENT;
typedef OVERLAPPED WSAOVERLAPPED;
typedef struct _OVERLAPPED *LPWSAOVERLAPPED;

#define WSA_INVALID_EVENT ((WSAEVENT)NULL)
#define WSA_MAXIMUM_WAIT_EVENTS (MAXIMUM_WAIT_OBJECTS)
#define WSA_WAIT_FAILED (WAIT_FAILED)
#define WSA_WAIT_EVENT_0 (WAIT_OBJECT_0)
#define WSA_WAIT_IO_COMPLETION (WAIT_IO_COMPLETION)
#define WSA_WAIT_TIMEOUT (WAIT_TIMEOUT)
#define WSA_INFINITE (INFINITE)

/* Quality of service: a flow specification for each direction. */
typedef struct _QualityOfService {
  FLOWSPEC SendingFlowspec;
  FLOWSPEC ReceivingFlowspec;
  WSABUF ProviderSpecific;
} QOS, *LPQOS;

/* Results of a WSAAccept condition function. */
#define CF_ACCEPT 0x0000
#define CF_REJECT 0x0001
#define CF_DEFER 0x0002

/* shutdown's how. */
#define SD_RECEIVE 0x00
#define SD_SEND 0x01
#define SD_BOTH 0x02

/* Socket groups (reserved; always 0 in practice). */
typedef unsigned int GROUP;
#define SG_UNCONSTRAINED_GROUP 0x01
#define SG_CONSTRAINED_GROUP 0x02

/* WSAEnumNetworkEvents' result: iErrorCode is indexed by FD_*_BIT. */
typedef struct _WSANETWORKEVENTS {
  LONG lNetworkEvents;
  int iErrorCode[FD_MAX_EVENTS];
} WSANETWORKEVENTS, *LPWSANETWORKEVENTS;

/* BLOB: a counted byte array (wtypes.h on Windows). */
#ifndef _tagBLOB_DEFINED
#define _tagBLOB_DEFINED
#define _BLOB_DEFINED
#define _LPBLOB_DEFINED
typedef struct tagBLOB {
  ULONG cbSize;
  BYTE *pBlobData;
} BLOB, *LPBLOB;
#endif

/*
 * Protocol catalog entries. A chain of length 0 is a layered protocol
 * (an LSP's own entry), 1 a base protocol, 2..7 a layered chain listing
 * catalog entry ids from the top layer down to the base provider.
 */
#define MAX_PROTOCOL_CHAIN 7
#define BASE_PROTOCOL 1
#define LAYERED_PROTOCOL 0

typedef struct _WSAPROTOCOLCHAIN {
  int ChainLen;
  DWORD ChainEntries[MAX_PROTOCOL_CHAIN];
} WSAPROTOCOLCHAIN, *LPWSAPROTOCOLCHAIN;

#define WSAPROTOCOL_LEN 255

typedef struct _WSAPROTOCOL_INFOA {
  DWORD dwServiceFlags1;
  DWORD dwServiceFlags2;
  DWORD dwServiceFlags3;
  DWORD dwServiceFlags4;
  DWORD dwProviderFlags;
  GUID ProviderId;
  DWORD dwCatalogEntryId;
  WSAPROTOCOLCHAIN ProtocolChain;
  int iVersion;
  int iAddressFamily;
  int iMaxSockAddr;
  int iMinSockAddr;
  int iSocketType;
  int iProtocol;
  int iProtocolMaxOffset;
  int iNetworkByteOrder;
  int iSecurityScheme;
  DWORD dwMessageSize;
  DWORD dwProviderReserved;
  CHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOA, *LPWSAPROTOCOL_INFOA;

typedef struct _WSAPROTOCOL_INFOW {
  DWORD dwServiceFlags1;
  DWORD dwServiceFlags2;
  DWORD dwServiceFlags3;
  DWORD dwServiceFlags4;
  DWORD dwProviderFlags;
  GUID ProviderId;
  DWORD dwCatalogEntryId;
  WSAPROTOCOLCHAIN ProtocolChain;
  int iVersion;
  int iAddressFamily;
  int iMaxSockAddr;
  int iMinSockAddr;
  int iSocketType;
  int iProtocol;
  int iProtocolMaxOffset;
  int iNetworkByteOrder;
  int iSecurityScheme;
  DWORD dwMessageSize;
  DWORD dwProviderReserved;
  WCHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOW, *LPWSAPROTOCOL_INFOW;

/* dwProviderFlags. */
#define PFL_MULTIPLE_PROTO_ENTRIES 0x00000001
#define PFL_RECOMMENDED_PROTO_ENTRY 0x00000002
#define PFL_HIDDEN 0x00000004
#define PFL_MATCHES_PROTOCOL_ZERO 0x00000008
#define PFL_NETWORKDIRECT_PROVIDER 0x00000010

/* dwServiceFlags1. */
#define XP1_CONNECTIONLESS 0x00000001
#define XP1_GUARANTEED_DELIVERY 0x00000002
#define XP1_GUARANTEED_ORDER 0x00000004
#define XP1_MESSAGE_ORIENTED 0x00000008
#define XP1_PSEUDO_STREAM 0x00000010
#define XP1_GRACEFUL_CLOSE 0x00000020
#define XP1_EXPEDITED_DATA 0x00000040
#define XP1_CONNECT_DATA 0x00000080
#define XP1_DISCONNECT_DATA 0x00000100
#define XP1_SUPPORT_BROADCAST 0x00000200
#define XP1_SUPPORT_MULTIPOINT 0x00000400
#define XP1_MULTIPOINT_CONTROL_PLANE 0x00000800
#define XP1_MULTIPOINT_DATA_PLANE 0x00001000
#define XP1_QOS_SUPPORTED 0x00002000
#define XP1_INTERRUPT 0x00004000
#define XP1_UNI_SEND 0x00008000
#define XP1_UNI_RECV 0x00010000
#define XP1_IFS_HANDLES 0x00020000
#define XP1_PARTIAL_MESSAGE 0x00040000
#define XP1_SAN_SUPPORT_SDP 0x00080000

/* iNetworkByteOrder and iSecurityScheme. */
#define BIGENDIAN 0x0000
#define LITTLEENDIAN 0x0001
#define SECURITY_PROTOCOL_NONE 0x0000

/* WSAJoinLeaf's dwFlags. */
#define JL_SENDER_ONLY 0x01
#define JL_RECEIVER_ONLY 0x02
#define JL_BOTH 0x04

/* WSASocket's dwFlags. */
#define WSA_FLAG_OVERLAPPED 0x01
#define WSA_FLAG_MULTIPOINT_C_ROOT 0x02
#define WSA_FLAG_MULTIPOINT_C_LEAF 0x04
#define WSA_FLAG_MULTIPOINT_D_ROOT 0x08
#define WSA_FLAG_MULTIPOINT_D_LEAF 0x10
#define WSA_FLAG_ACCESS_SYSTEM_SECURITY 0x40
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#define WSA_FLAG_REGISTERED_IO 0x100

/* SIO_TRANSLATE_HANDLE's handle types. */
#define TH_NETDEV 0x00000001
#define TH_TAPI 0x00000002

/* WSAAccept's condition function. */
typedef int(CALLBACK *LPCONDITIONPROC)(LPWSABUF lpCallerId,
                                       LPWSABUF lpCallerData, LPQOS lpSQOS,
                                       LPQOS lpGQOS, LPWSABUF lpCalleeId,
                                       LPWSABUF lpCalleeData, GROUP *g,
                                       DWORD_PTR dwCallbackData);

/* The completion routine of overlapped Winsock calls. */
typedef void(CALLBACK *LPWSAOVERLAPPED_COMPLETION_ROUTINE)(
    DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED lpOverlapped,
    DWORD dwFlags);

/* How WSANSPIoctl reports completion. */
typedef enum _WSACOMPLETIONTYPE {
  NSP_NOTIFY_IMMEDIATELY = 0,
  NSP_NOTIFY_HWND,
  NSP_NOTIFY_EVENT,
  NSP_NOTIFY_PORT,
  NSP_NOTIFY_APC
} WSACOMPLETIONTYPE, *PWSACOMPLETIONTYPE, *LPWSACOMPLETIONTYPE;

typedef struct _WSACOMPLETION {
  WSACOMPLETIONTYPE Type;
  union {
    struct {
      HWND hWnd;
      UINT uMsg;
      WPARAM context;
    } WindowMessage;
    struct {
      LPWSAOVERLAPPED lpOverlapped;
    } Event;
    struct {
      LPWSAOVERLAPPED lpOverlapped;
      LPWSAOVERLAPPED_COMPLETION_ROUTINE lpfnCompletionProc;
    } Apc;
    struct {
      LPWSAOVERLAPPED lpOverlapped;
      HANDLE hPort;
      ULONG_PTR Key;
    } Port;
  } Parameters;
} WSACOMPLETION, *PWSACOMPLETION, *LPWSACOMPLETION;

/* Registration and name resolution (RnR). */
#define SERVICE_MULTIPLE 0x00000001

#define RES_UNUSED_1 0x00000001
#define RES_FLUSH_CACHE 0x00000002
#ifndef RES_SERVICE
#define RES_SERVICE 0x00000004
#endif

typedef struct _AFPROTOCOLS {
  INT iAddressFamily;
  INT iProtocol;
} AFPROTOCOLS, *PAFPROTOCOLS, *LPAFPROTOCOLS;

typedef enum _WSAEcomparator {
  COMP_EQUAL = 0,
  COMP_NOTLESS
} WSAECOMPARATOR, *PWSAECOMPARATOR, *LPWSAECOMPARATOR;

typedef struct _WSAVersion {
  DWORD dwVersion;
  WSAECOMPARATOR ecHow;
} WSAVERSION, *PWSAVERSION, *LPWSAVERSION;

typedef struct _WSAQuerySetA {
  DWORD dwSize;
  LPSTR lpszServiceInstanceName;
  LPGUID lpServiceClassId;
  LPWSAVERSION lpVersion;
  LPSTR lpszComment;
  DWORD dwNameSpace;
  LPGUID lpNSProviderId;
  LPSTR lpszContext;
  DWORD dwNumberOfProtocols;
  LPAFPROTOCOLS lpafpProtocols;
  LPSTR lpszQueryString;
  DWORD dwNumberOfCsAddrs;
  LPCSADDR_INFO lpcsaBuffer;
  DWORD dwOutputFlags;
  LPBLOB lpBlob;
} WSAQUERYSETA, *PWSAQUERYSETA, *LPWSAQUERYSETA;

typedef struct _WSAQuerySetW {
  DWORD dwSize;
  LPWSTR lpszServiceInstanceName;
  LPGUID lpServiceClassId;
  LPWSAVERSION lpVersion;
  LPWSTR lpszComment;
  DWORD dwNameSpace;
  LPGUID lpNSProviderId;
  LPWSTR lpszContext;
  DWORD dwNumberOfProtocols;
  LPAFPROTOCOLS lpafpProtocols;
  LPWSTR lpszQueryString;
  DWORD dwNumberOfCsAddrs;
  LPCSADDR_INFO lpcsaBuffer;
  DWORD dwOutputFlags;
  LPBLOB lpBlob;
} WSAQUERYSETW, *PWSAQUERYSETW, *LPWSAQUERYSETW;

/* The query set of the NSPv2 interface: no lpVersion. */
typedef struct _WSAQuerySet2A {
  DWORD dwSize;
  LPSTR lpszServiceInstanceName;
  LPWSAVERSION lpVersion;
  LPSTR lpszComment;
  DWORD dwNameSpace;
  LPGUID lpNSProviderId;
  LPSTR lpszContext;
  DWORD dwNumberOfProtocols;
  LPAFPROTOCOLS lpafpProtocols;
  LPSTR lpszQueryString;
  DWORD dwNumberOfCsAddrs;
  LPCSADDR_INFO lpcsaBuffer;
  DWORD dwOutputFlags;
  LPBLOB lpBlob;
} WSAQUERYSET2A, *PWSAQUERYSET2A, *LPWSAQUERYSET2A;

typedef struct _WSAQuerySet2W {
  DWORD dwSize;
  LPWSTR lpszServiceInstanceName;
  LPWSAVERSION lpVersion;
  LPWSTR lpszComment;
  DWORD dwNameSpace;
  LPGUID lpNSProviderId;
  LPWSTR lpszContext;
  DWORD dwNumberOfProtocols;
  LPAFPROTOCOLS lpafpProtocols;
  LPWSTR lpszQueryString;
  DWORD dwNumberOfCsAddrs;
  LPCSADDR_INFO lpcsaBuffer;
  DWORD dwOutputFlags;
  LPBLOB lpBlob;
} WSAQUERYSET2W, *PWSAQUERYSET2W, *LPWSAQUERYSET2W;

/* WSALookupService* control flags. */
#define LUP_DEEP 0x0001
#define LUP_CONTAINERS 0x0002
#define LUP_NOCONTAINERS 0x0004
#define LUP_NEAREST 0x0008
#define LUP_RETURN_NAME 0x0010
#define LUP_RETURN_TYPE 0x0020
#define LUP_RETURN_VERSION 0x0040
#define LUP_RETURN_COMMENT 0x0080
#define LUP_RETURN_ADDR 0x0100
#define LUP_RETURN_BLOB 0x0200
#define LUP_RETURN_ALIASES 0x0400
#define LUP_RETURN_QUERY_STRING 0x0800
#define LUP_RETURN_ALL 0x0FF0
#define LUP_RES_SERVICE 0x8000
#define LUP_FLUSHCACHE 0x1000
#define LUP_FLUSHPREVIOUS 0x2000
#define LUP_NON_AUTHORITATIVE 0x4000
#define LUP_SECURE 0x8000
#define LUP_RETURN_PREFERRED_NAMES 0x10000
#define LUP_DNS_ONLY 0x20000
#define LUP_ADDRCONFIG 0x100000
#define LUP_DUAL_ADDR 0x200000
#define LUP_FILESERVER 0x400000
#define LUP_DISABLE_IDN_ENCODING 0x00800000
#define LUP_API_ANSI 0x01000000
#define LUP_RESOLUTION_HANDLE 0x80000000

/* dwOutputFlags. */
#define RESULT_IS_ALIAS 0x0001
#define RESULT_IS_ADDED 0x0010
#define RESULT_IS_CHANGED 0x0020
#define RESULT_IS_DELETED 0x0040

typedef enum _WSAESETSERVICEOP {
  RNRSERVICE_REGISTER = 0,
  RNRSERVICE_DEREGISTER,
  RNRSERVICE_DELETE
} WSAESETSERVICEOP, *PWSAESETSERVICEOP, *LPWSAESETSERVICEOP;

typedef struct _WSANSClassInfoA {
  LPSTR lpszName;
  DWORD dwNameSpace;
  DWORD dwValueType;
  DWORD dwValueSize;
  LPVOID lpValue;
} WSANSCLASSINFOA, *PWSANSCLASSINFOA, *LPWSANSCLASSINFOA;

typedef struct _WSANSClassInfoW {
  LPWSTR lpszName;
  DWORD dwNameSpace;
  DWORD dwValueType;
  DWORD dwValueSize;
  LPVOID lpValue;
} WSANSCLASSINFOW, *PWSANSCLASSINFOW, *LPWSANSCLASSINFOW;

typedef struct _WSAServiceClassInfoA {
  LPGUID lpServiceClassId;
  LPSTR lpszServiceClassName;
  DWORD dwCount;
  LPWSANSCLASSINFOA lpClassInfos;
} WSASERVICECLASSINFOA, *PWSASERVICECLASSINFOA, *LPWSASERVICECLASSINFOA;

typedef struct _WSAServiceClassInfoW {
  LPGUID lpServiceClassId;
  LPWSTR lpszServiceClassName;
  DWORD dwCount;
  LPWSANSCLASSINFOW lpClassInfos;
} WSASERVICECLASSINFOW, *PWSASERVICECLASSINFOW, *LPWSASERVICECLASSINFOW;

typedef struct _WSANAMESPACE_INFOA {
  GUID NSProviderId;
  DWORD dwNameSpace;
  BOOL fActive;
  DWORD dwVersion;
  LPSTR lpszIdentifier;
} WSANAMESPACE_INFOA, *PWSANAMESPACE_INFOA, *LPWSANAMESPACE_INFOA;

typedef struct _WSANAMESPACE_INFOW {
  GUID NSProviderId;
  DWORD dwNameSpace;
  BOOL fActive;
  DWORD dwVersion;
  LPWSTR lpszIdentifier;
} WSANAMESPACE_INFOW, *PWSANAMESPACE_INFOW, *LPWSANAMESPACE_INFOW;

typedef struct _WSANAMESPACE_INFOEXA {
  GUID NSProviderId;
  DWORD dwNameSpace;
  BOOL fActive;
  DWORD dwVersion;
  LPSTR lpszIdentifier;
  BLOB ProviderSpecific;
} WSANAMESPACE_INFOEXA, *PWSANAMESPACE_INFOEXA, *LPWSANAMESPACE_INFOEXA;

typedef struct _WSANAMESPACE_INFOEXW {
  GUID NSProviderId;
  DWORD dwNameSpace;
  BOOL fActive;
  DWORD dwVersion;
  LPWSTR lpszIdentifier;
  BLOB ProviderSpecific;
} WSANAMESPACE_INFOEXW, *PWSANAMESPACE_INFOEXW, *LPWSANAMESPACE_INFOEXW;

/* WSAPoll. The POLL* values are Windows', not Linux's. */
#define WS_POLLRDNORM 0x0100
#define WS_POLLRDBAND 0x0200
#define WS_POLLIN (WS_POLLRDNORM | WS_POLLRDBAND)
#define WS_POLLPRI 0x0400
#define WS_POLLWRNORM 0x0010
#define WS_POLLOUT (WS_POLLWRNORM)
#define WS_POLLWRBAND 0x0020
#define WS_POLLERR 0x0001
#define WS_POLLHUP 0x0002
#define WS_POLLNVAL 0x0004

typedef struct WS_pollfd {
  SOCKET fd;
  SHORT events;
  SHORT revents;
} WSAPOLLFD, *PWSAPOLLFD, *LPWSAPOLLFD;

/* Window-message helpers of WSAAsyncSelect and WSAAsyncGetXByY. */
#define WSAMAKEASYNCREPLY(buflen, error) MAKELONG(buflen, error)
#define WSAMAKESELECTREPLY(event, error) MAKELONG(event, error)
#define WSAGETASYNCBUFLEN(lParam) LOWORD(lParam)
#define WSAGETASYNCERROR(lParam) HIWORD(lParam)
#define WSAGETSELECTEVENT(lParam) LOWORD(lParam)
#define WSAGETSELECTERROR(lParam) HIWORD(lParam)

/*
 * The BSD socket functions. Their exported symbols are WS_<name> (see
 * WS2_BSDNAME in _ws2config.h); select is WS_select in every mode.
 */
WINSOCK_API_LINKAGE SOCKET WSAAPI WS2_BSDNAME(accept)(
    SOCKET s, struct WS_sockaddr *addr, int *addrlen) WS2_BSDLABEL(accept);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(bind)(
    SOCKET s, const struct WS_sockaddr *name, int namelen) WS2_BSDLABEL(bind);
WINSOCK_API_LINKAGE int WSAAPI closesocket(SOCKET s);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(connect)(
    SOCKET s, const struct WS_sockaddr *name,
    int namelen) WS2_BSDLABEL(connect);
/* cmd is a Windows long: 32 bits. */
WINSOCK_API_LINKAGE int WSAAPI ioctlsocket(SOCKET s, LONG cmd,
                                           WS_u_long *argp);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(getpeername)(
    SOCKET s, struct WS_sockaddr *name,
    int *namelen) WS2_BSDLABEL(getpeername);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(getsockname)(
    SOCKET s, struct WS_sockaddr *name,
    int *namelen) WS2_BSDLABEL(getsockname);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(getsockopt)(
    SOCKET s, int level, int optname, char *optval,
    int *optlen) WS2_BSDLABEL(getsockopt);
WINSOCK_API_LINKAGE WS_u_long WSAAPI WS2_BSDNAME(htonl)(WS_u_long hostlong)
    WS2_BSDLABEL(htonl);
WINSOCK_API_LINKAGE WS_u_short WSAAPI WS2_BSDNAME(htons)(WS_u_short hostshort)
    WS2_BSDLABEL(htons);
WINSOCK_API_LINKAGE WS_u_long WSAAPI WS2_BSDNAME(inet_addr)(const char *cp)
    WS2_BSDLABEL(inet_addr);
WINSOCK_API_LINKAGE char *WSAAPI WS2_BSDNAME(inet_ntoa)(struct WS_in_addr in)
    WS2_BSDLABEL(inet_ntoa);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(listen)(SOCKET s, int backlog)
    WS2_BSDLABEL(listen);
WINSOCK_API_LINKAGE WS_u_long WSAAPI WS2_BSDNAME(ntohl)(WS_u_long netlong)
    WS2_BSDLABEL(ntohl);
WINSOCK_API_LINKAGE WS_u_short WSAAPI WS2_BSDNAME(ntohs)(WS_u_short netshort)
    WS2_BSDLABEL(ntohs);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(recv)(SOCKET s, char *buf, int len,
                                                 int flags) WS2_BSDLABEL(recv);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(recvfrom)(
    SOCKET s, char *buf, int len, int flags, struct WS_sockaddr *from,
    int *fromlen) WS2_BSDLABEL(recvfrom);
WINSOCK_API_LINKAGE int WSAAPI WS_select(int nfds, WS_fd_set *readfds,
                                         WS_fd_set *writefds,
                                         WS_fd_set *exceptfds,
                                         const struct WS_timeval *timeout);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(send)(SOCKET s, const char *buf,
                                                 int len,
                                                 int flags) WS2_BSDLABEL(send);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(sendto)(
    SOCKET s, const char *buf, int len, int flags,
    const struct WS_sockaddr *to, int tolen) WS2_BSDLABEL(sendto);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(setsockopt)(
    SOCKET s, int level, int optname, const char *optval,
    int optlen) WS2_BSDLABEL(setsockopt);
WINSOCK_API_LINKAGE int WSAAPI WS2_BSDNAME(shutdown)(SOCKET s, int how)
    WS2_BSDLABEL(shutdown);
WINSOCK_API_LINKAGE SOCKET WSAAPI WS2_BSDNAME(socket)(
    int af, int type, int protocol) WS2_BSDLABEL(socket);

/* Database functions. gethostname is WS_gethostname in every mode. */
WINSOCK_API_LINKAGE struct WS_hostent *WSAAPI WS2_BSDNAME(gethostbyaddr)(
    const char *addr, int len, int type) WS2_BSDLABEL(gethostbyaddr);
WINSOCK_API_LINKAGE struct WS_hostent *WSAAPI WS2_BSDNAME(gethostbyname)(
    const char *name) WS2_BSDLABEL(gethostbyname);
WINSOCK_API_LINKAGE int WSAAPI WS_gethostname(char *name, int namelen);
WINSOCK_API_LINKAGE int WSAAPI GetHostNameW(PWSTR name, int namelen);
WINSOCK_API_LINKAGE struct WS_servent *WSAAPI WS2_BSDNAME(getservbyport)(
    int port, const char *proto) WS2_BSDLABEL(getservbyport);
WINSOCK_API_LINKAGE struct WS_servent *WSAAPI WS2_BSDNAME(getservbyname)(
    const char *name, const char *proto) WS2_BSDLABEL(getservbyname);
WINSOCK_API_LINKAGE struct WS_protoent *WSAAPI WS2_BSDNAME(getprotobynumber)(
    int number) WS2_BSDLABEL(getprotobynumber);
WINSOCK_API_LINKAGE struct WS_protoent *WSAAPI WS2_BSDNAME(getprotobyname)(
    const char *name) WS2_BSDLABEL(getprotobyname);

/* Startup, errors and Winsock 1.1 blocking hooks. */
WINSOCK_API_LINKAGE int WSAAPI WSAStartup(WORD wVersionRequested,
                                          LPWSADATA lpWSAData);
WINSOCK_API_LINKAGE int WSAAPI WSACleanup(void);
WINSOCK_API_LINKAGE void WSAAPI WSASetLastError(int iError);
WINSOCK_API_LINKAGE int WSAAPI WSAGetLastError(void);
WINSOCK_API_LINKAGE BOOL WSAAPI WSAIsBlocking(void);
WINSOCK_API_LINKAGE int WSAAPI WSAUnhookBlockingHook(void);
WINSOCK_API_LINKAGE FARPROC WSAAPI WSASetBlockingHook(FARPROC lpBlockFunc);
WINSOCK_API_LINKAGE int WSAAPI WSACancelBlockingCall(void);

/* Asynchronous database lookups, answered by window message. */
WINSOCK_API_LINKAGE HANDLE WSAAPI WSAAsyncGetServByName(HWND hWnd, WS_u_int wMsg,
                                                        const char *name,
                                                        const char *proto,
                                                        char *buf, int buflen);
WINSOCK_API_LINKAGE HANDLE WSAAPI WSAAsyncGetServByPort(HWND hWnd, WS_u_int wMsg,
                                                        int port,
                                                        const char *proto,
                                                        char *buf, int buflen);
WINSOCK_API_LINKAGE HANDLE WSAAPI WSAAsyncGetProtoByName(HWND hWnd,
                                                         WS_u_int wMsg,
                                                         const char *name,
                                                         char *buf, int buflen);
WINSOCK_API_LINKAGE HANDLE WSAAPI WSAAsyncGetProtoByNumber(HWND hWnd,
                                                           WS_u_int wMsg,
                                                           int number,
                                                           char *buf,
                                                           int buflen);
WINSOCK_API_LINKAGE HANDLE WSAAPI WSAAsyncGetHostByName(HWND hWnd,
                                                        WS_u_int wMsg,
                                                        const char *name,
                                                        char *buf, int buflen);
WINSOCK_API_LINKAGE HANDLE WSAAPI WSAAsyncGetHostByAddr(HWND hWnd,
                                                        WS_u_int wMsg,
                                                        const char *addr,
                                                        int len, int type,
                                                        char *buf, int buflen);
WINSOCK_API_LINKAGE int WSAAPI WSACancelAsyncRequest(HANDLE hAsyncTaskHandle);
/* lEvent is a Windows long: 32 bits. */
WINSOCK_API_LINKAGE int WSAAPI WSAAsyncSelect(SOCKET s, HWND hWnd,
                                              WS_u_int wMsg, LONG lEvent);

/* The Winsock 2 socket functions. */
WINSOCK_API_LINKAGE SOCKET WSAAPI WSAAccept(SOCKET s, struct WS_sockaddr *addr,
                                            LPINT addrlen,
                                            LPCONDITIONPROC lpfnCondition,
                                            DWORD_PTR dwCallbackData);
WINSOCK_API_LINKAGE BOOL WSAAPI WSACloseEvent(WSAEVENT hEvent);
WINSOCK_API_LINKAGE int WSAAPI WSAConnect(SOCKET s,
                                          const struct WS_sockaddr *name,
                                          int namelen, LPWSABUF lpCallerData,
                                          LPWSABUF lpCalleeData, LPQOS lpSQOS,
                                          LPQOS lpGQOS);
WINSOCK_API_LINKAGE BOOL WSAAPI WSAConnectByNameW(
    SOCKET s, LPWSTR nodename, LPWSTR servicename,
    LPDWORD LocalAddressLength, LPSOCKADDR LocalAddress,
    LPDWORD RemoteAddressLength, LPSOCKADDR RemoteAddress,
    const struct WS_timeval *timeout, LPWSAOVERLAPPED Reserved);
WINSOCK_API_LINKAGE BOOL WSAAPI WSAConnectByNameA(
    SOCKET s, LPCSTR nodename, LPCSTR servicename,
    LPDWORD LocalAddressLength, LPSOCKADDR LocalAddress,
    LPDWORD RemoteAddressLength, LPSOCKADDR RemoteAddress,
    const struct WS_timeval *timeout, LPWSAOVERLAPPED Reserved);
WINSOCK_API_LINKAGE BOOL WSAAPI WSAConnectByList(
    SOCKET s, PSOCKET_ADDRESS_LIST SocketAddress,
    LPDWORD LocalAddressLength, LPSOCKADDR LocalAddress,
    LPDWORD RemoteAddressLength, LPSOCKADDR RemoteAddress,
    const struct WS_timeval *timeout, LPWSAOVERLAPPED Reserved);
WINSOCK_API_LINKAGE WSAEVENT WSAAPI WSACreateEvent(void);
WINSOCK_API_LINKAGE int WSAAPI WSADuplicateSocketA(
    SOCKET s, DWORD dwProcessId, LPWSAPROTOCOL_INFOA lpProtocolInfo);
WINSOCK_API_LINKAGE int WSAAPI WSADuplicateSocketW(
    SOCKET s, DWORD dwProcessId, LPWSAPROTOCOL_INFOW lpProtocolInfo);
WINSOCK_API_LINKAGE int WSAAPI WSAEnumNetworkEvents(
    SOCKET s, WSAEVENT hEventObject, LPWSANETWORKEVENTS lpNetworkEvents);
WINSOCK_API_LINKAGE int WSAAPI WSAEnumProtocolsA(
    LPINT lpiProtocols, LPWSAPROTOCOL_INFOA lpProtocolBuffer,
    LPDWORD lpdwBufferLength);
WINSOCK_API_LINKAGE int WSAAPI WSAEnumProtocolsW(
    LPINT lpiProtocols, LPWSAPROTOCOL_INFOW lpProtocolBuffer,
    LPDWORD lpdwBufferLength);
/* lNetworkEvents is a Windows long: 32 bits. */
WINSOCK_API_LINKAGE int WSAAPI WSAEventSelect(SOCKET s, WSAEVENT hEventObject,
                                              LONG lNetworkEvents);
WINSOCK_API_LINKAGE BOOL WSAAPI WSAGetOverlappedResult(
    SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer, BOOL fWait,
    LPDWORD lpdwFlags);
WINSOCK_API_LINKAGE BOOL WSAAPI WSAGetQOSByName(SOCKET s, LPWSABUF lpQOSName,
                                                LPQOS lpQOS);
WINSOCK_API_LINKAGE int WSAAPI WSAHtonl(SOCKET s, WS_u_long hostlong,
                                        WS_u_long *lpnetlong);
WINSOCK_API_LINKAGE int WSAAPI WSAHtons(SOCKET s, WS_u_short hostshort,
                                        WS_u_short *lpnetshort);
WINSOCK_API_LINKAGE int WSAAPI WSAIoctl(
    SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer,
    LPVOID lpvOutBuffer, DWORD cbOutBuffer, LPDWORD lpcbBytesReturned,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
WINSOCK_API_LINKAGE SOCKET WSAAPI WSAJoinLeaf(SOCKET s,
                                              const struct WS_sockaddr *name,
                                              int namelen,
                                              LPWSABUF lpCallerData,
                                              LPWSABUF lpCalleeData,
                                              LPQOS lpSQOS, LPQOS lpGQOS,
                                              DWORD dwFlags);
WINSOCK_API_LINKAGE int WSAAPI WSANtohl(SOCKET s, WS_u_long netlong,
                                        WS_u_long *lphostlong);
WINSOCK_API_LINKAGE int WSAAPI WSANtohs(SOCKET s, WS_u_short netshort,
                                        WS_u_short *lphostshort);
WINSOCK_API_LINKAGE int WSAAPI WSARecv(
    SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
    LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
WINSOCK_API_LINKAGE int WSAAPI WSARecvDisconnect(
    SOCKET s, LPWSABUF lpInboundDisconnectData);
WINSOCK_API_LINKAGE int WSAAPI WSARecvFrom(
    SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
    LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
    struct WS_sockaddr *lpFrom, LPINT lpFromlen,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
WINSOCK_API_LINKAGE BOOL WSAAPI WSAResetEvent(WSAEVENT hEvent);
WINSOCK_API_LINKAGE int WSAAPI WSASend(
    SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
    LPDWORD lpNumberOfBytesSent, DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
WINSOCK_API_LINKAGE int WSAAPI WSASendMsg(
    SOCKET Handle, LPWSAMSG lpMsg, DWORD dwFlags,
    LPDWORD lpNumberOfBytesSent, LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
WINSOCK_API_LINKAGE int WSAAPI WSASendDisconnect(
    SOCKET s, LPWSABUF lpOutboundDisconnectData);
WINSOCK_API_LINKAGE int WSAAPI WSASendTo(
    SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
    LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
    const struct WS_sockaddr *lpTo, int iTolen,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
WINSOCK_API_LINKAGE BOOL WSAAPI WSASetEvent(WSAEVENT hEvent);
WINSOCK_API_LINKAGE SOCKET WSAAPI WSASocketA(int af, int type, int protocol,
                                             LPWSAPROTOCOL_INFOA lpProtocolInfo,
                                             GROUP g, DWORD dwFlags);
WINSOCK_API_LINKAGE SOCKET WSAAPI WSASocketW(int af, int type, int protocol,
                                             LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                             GROUP g, DWORD dwFlags);
WINSOCK_API_LINKAGE DWORD WSAAPI WSAWaitForMultipleEvents(
    DWORD cEvents, const WSAEVENT *lphEvents, BOOL fWaitAll,
    DWORD dwTimeout, BOOL fAlertable);
WINSOCK_API_LINKAGE int WSAAPI WSAPoll(LPWSAPOLLFD fdArray, ULONG fds,
                                       INT timeout);

/* Address strings. */
WINSOCK_API_LINKAGE INT WSAAPI WSAAddressToStringA(
    LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
    LPWSAPROTOCOL_INFOA lpProtocolInfo, LPSTR lpszAddressString,
    LPDWORD lpdwAddressStringLength);
WINSOCK_API_LINKAGE INT WSAAPI WSAAddressToStringW(
    LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
    LPWSAPROTOCOL_INFOW lpProtocolInfo, LPWSTR lpszAddressString,
    LPDWORD lpdwAddressStringLength);
WINSOCK_API_LINKAGE INT WSAAPI WSAStringToAddressA(
    LPSTR AddressString, INT AddressFamily,
    LPWSAPROTOCOL_INFOA lpProtocolInfo, LPSOCKADDR lpAddress,
    LPINT lpAddressLength);
WINSOCK_API_LINKAGE INT WSAAPI WSAStringToAddressW(
    LPWSTR AddressString, INT AddressFamily,
    LPWSAPROTOCOL_INFOW lpProtocolInfo, LPSOCKADDR lpAddress,
    LPINT lpAddressLength);

/* Registration and name resolution. */
WINSOCK_API_LINKAGE INT WSAAPI WSALookupServiceBeginA(
    LPWSAQUERYSETA lpqsRestrictions, DWORD dwControlFlags,
    LPHANDLE lphLookup);
WINSOCK_API_LINKAGE INT WSAAPI WSALookupServiceBeginW(
    LPWSAQUERYSETW lpqsRestrictions, DWORD dwControlFlags,
    LPHANDLE lphLookup);
WINSOCK_API_LINKAGE INT WSAAPI WSALookupServiceNextA(
    HANDLE hLookup, DWORD dwControlFlags, LPDWORD lpdwBufferLength,
    LPWSAQUERYSETA lpqsResults);
WINSOCK_API_LINKAGE INT WSAAPI WSALookupServiceNextW(
    HANDLE hLookup, DWORD dwControlFlags, LPDWORD lpdwBufferLength,
    LPWSAQUERYSETW lpqsResults);
WINSOCK_API_LINKAGE INT WSAAPI WSANSPIoctl(
    HANDLE hLookup, DWORD dwControlCode, LPVOID lpvInBuffer,
    DWORD cbInBuffer, LPVOID lpvOutBuffer, DWORD cbOutBuffer,
    LPDWORD lpcbBytesReturned, LPWSACOMPLETION lpCompletion);
WINSOCK_API_LINKAGE INT WSAAPI WSALookupServiceEnd(HANDLE hLookup);
WINSOCK_API_LINKAGE INT WSAAPI WSAInstallServiceClassA(
    LPWSASERVICECLASSINFOA lpServiceClassInfo);
WINSOCK_API_LINKAGE INT WSAAPI WSAInstallServiceClassW(
    LPWSASERVICECLASSINFOW lpServiceClassInfo);
WINSOCK_API_LINKAGE INT WSAAPI WSARemoveServiceClass(LPGUID lpServiceClassId);
WINSOCK_API_LINKAGE INT WSAAPI WSAGetServiceClassInfoA(
    LPGUID lpProviderId, LPGUID lpServiceClassId, LPDWORD lpdwBufSize,
    LPWSASERVICECLASSINFOA lpServiceClassInfo);
WINSOCK_API_LINKAGE INT WSAAPI WSAGetServiceClassInfoW(
    LPGUID lpProviderId, LPGUID lpServiceClassId, LPDWORD lpdwBufSize,
    LPWSASERVICECLASSINFOW lpServiceClassInfo);
WINSOCK_API_LINKAGE INT WSAAPI WSAEnumNameSpaceProvidersA(
    LPDWORD lpdwBufferLength, LPWSANAMESPACE_INFOA lpnspBuffer);
WINSOCK_API_LINKAGE INT WSAAPI WSAEnumNameSpaceProvidersW(
    LPDWORD lpdwBufferLength, LPWSANAMESPACE_INFOW lpnspBuffer);
WINSOCK_API_LINKAGE INT WSAAPI WSAEnumNameSpaceProvidersExA(
    LPDWORD lpdwBufferLength, LPWSANAMESPACE_INFOEXA lpnspBuffer);
WINSOCK_API_LINKAGE INT WSAAPI WSAEnumNameSpaceProvidersExW(
    LPDWORD lpdwBufferLength, LPWSANAMESPACE_INFOEXW lpnspBuffer);
WINSOCK_API_LINKAGE INT WSAAPI WSAGetServiceClassNameByClassIdA(
    LPGUID lpServiceClassId, LPSTR lpszServiceClassName,
    LPDWORD lpdwBufferLength);
WINSOCK_API_LINKAGE INT WSAAPI WSAGetServiceClassNameByClassIdW(
    LPGUID lpServiceClassId, LPWSTR lpszServiceClassName,
    LPDWORD lpdwBufferLength);
WINSOCK_API_LINKAGE INT WSAAPI WSASetServiceA(LPWSAQUERYSETA lpqsRegInfo,
                                              WSAESETSERVICEOP essoperation,
                                              DWORD dwControlFlags);
WINSOCK_API_LINKAGE INT WSAAPI WSASetServiceW(LPWSAQUERYSETW lpqsRegInfo,
                                              WSAESETSERVICEOP essoperation,
                                              DWORD dwControlFlags);
WINSOCK_API_LINKAGE INT WSAAPI WSAProviderConfigChange(
    LPHANDLE lpNotificationHandle, LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);

/*
 * 64-bit and floating-point byte-order helpers. Windows defines them
 * inline in this header; they are not exported and clash with nothing.
 */
static __inline__ __attribute__((unused)) unsigned long long htonll(
    unsigned long long Value) {
  return __builtin_bswap64(Value);
}
static __inline__ __attribute__((unused)) unsigned long long ntohll(
    unsigned long long Value) {
  return __builtin_bswap64(Value);
}
static __inline__ __attribute__((unused)) unsigned int htonf(float Value) {
  unsigned int bits;
  __builtin_memcpy(&bits, &Value, sizeof bits);
  return __builtin_bswap32(bits);
}
static __inline__ __attribute__((unused)) float ntohf(unsigned int Value) {
  float f;
  Value = __builtin_bswap32(Value);
  __builtin_memcpy(&f, &Value, sizeof f);
  return f;
}
static __inline__ __attribute__((unused)) unsigned long long htond(
    double Value) {
  unsigned long long bits;
  __builtin_memcpy(&bits, &Value, sizeof bits);
  return __builtin_bswap64(bits);
}
static __inline__ __attribute__((unused)) double ntohd(
    unsigned long long Value) {
  double d;
  Value = __builtin_bswap64(Value);
  __builtin_memcpy(&d, &Value, sizeof d);
  return d;
}

/*
 * Function-pointer types of the API, as Windows provides them when
 * INCL_WINSOCK_API_TYPEDEFS is nonzero.
 */
#if defined(INCL_WINSOCK_API_TYPEDEFS) && INCL_WINSOCK_API_TYPEDEFS
typedef __typeof__(WS2_BSDNAME(accept)) *LPFN_ACCEPT;
typedef __typeof__(WS2_BSDNAME(bind)) *LPFN_BIND;
typedef __typeof__(closesocket) *LPFN_CLOSESOCKET;
typedef __typeof__(WS2_BSDNAME(connect)) *LPFN_CONNECT;
typedef __typeof__(ioctlsocket) *LPFN_IOCTLSOCKET;
typedef __typeof__(WS2_BSDNAME(getpeername)) *LPFN_GETPEERNAME;
typedef __typeof__(WS2_BSDNAME(getsockname)) *LPFN_GETSOCKNAME;
typedef __typeof__(WS2_BSDNAME(getsockopt)) *LPFN_GETSOCKOPT;
typedef __typeof__(WS2_BSDNAME(htonl)) *LPFN_HTONL;
typedef __typeof__(WS2_BSDNAME(htons)) *LPFN_HTONS;
typedef __typeof__(WS2_BSDNAME(inet_addr)) *LPFN_INET_ADDR;
typedef __typeof__(WS2_BSDNAME(inet_ntoa)) *LPFN_INET_NTOA;
typedef __typeof__(WS2_BSDNAME(listen)) *LPFN_LISTEN;
typedef __typeof__(WS2_BSDNAME(ntohl)) *LPFN_NTOHL;
typedef __typeof__(WS2_BSDNAME(ntohs)) *LPFN_NTOHS;
typedef __typeof__(WS2_BSDNAME(recv)) *LPFN_RECV;
typedef __typeof__(WS2_BSDNAME(recvfrom)) *LPFN_RECVFROM;
typedef __typeof__(WS_select) *LPFN_SELECT;
typedef __typeof__(WS2_BSDNAME(send)) *LPFN_SEND;
typedef __typeof__(WS2_BSDNAME(sendto)) *LPFN_SENDTO;
typedef __typeof__(WS2_BSDNAME(setsockopt)) *LPFN_SETSOCKOPT;
typedef __typeof__(WS2_BSDNAME(shutdown)) *LPFN_SHUTDOWN;
typedef __typeof__(WS2_BSDNAME(socket)) *LPFN_SOCKET;
typedef __typeof__(WS2_BSDNAME(gethostbyaddr)) *LPFN_GETHOSTBYADDR;
typedef __typeof__(WS2_BSDNAME(gethostbyname)) *LPFN_GETHOSTBYNAME;
typedef __typeof__(WS_gethostname) *LPFN_GETHOSTNAME;
typedef __typeof__(WS2_BSDNAME(getservbyport)) *LPFN_GETSERVBYPORT;
typedef __typeof__(WS2_BSDNAME(getservbyname)) *LPFN_GETSERVBYNAME;
typedef __typeof__(WS2_BSDNAME(getprotobynumber)) *LPFN_GETPROTOBYNUMBER;
typedef __typeof__(WS2_BSDNAME(getprotobyname)) *LPFN_GETPROTOBYNAME;
typedef __typeof__(WSAStartup) *LPFN_WSASTARTUP;
typedef __typeof__(WSACleanup) *LPFN_WSACLEANUP;
typedef __typeof__(WSASetLastError) *LPFN_WSASETLASTERROR;
typedef __typeof__(WSAGetLastError) *LPFN_WSAGETLASTERROR;
typedef __typeof__(WSAIsBlocking) *LPFN_WSAISBLOCKING;
typedef __typeof__(WSAUnhookBlockingHook) *LPFN_WSAUNHOOKBLOCKINGHOOK;
typedef __typeof__(WSASetBlockingHook) *LPFN_WSASETBLOCKINGHOOK;
typedef __typeof__(WSACancelBlockingCall) *LPFN_WSACANCELBLOCKINGCALL;
typedef __typeof__(WSAAsyncGetServByName) *LPFN_WSAASYNCGETSERVBYNAME;
typedef __typeof__(WSAAsyncGetServByPort) *LPFN_WSAASYNCGETSERVBYPORT;
typedef __typeof__(WSAAsyncGetProtoByName) *LPFN_WSAASYNCGETPROTOBYNAME;
typedef __typeof__(WSAAsyncGetProtoByNumber) *LPFN_WSAASYNCGETPROTOBYNUMBER;
typedef __typeof__(WSAAsyncGetHostByName) *LPFN_WSAASYNCGETHOSTBYNAME;
typedef __typeof__(WSAAsyncGetHostByAddr) *LPFN_WSAASYNCGETHOSTBYADDR;
typedef __typeof__(WSACancelAsyncRequest) *LPFN_WSACANCELASYNCREQUEST;
typedef __typeof__(WSAAsyncSelect) *LPFN_WSAASYNCSELECT;
typedef __typeof__(WSAAccept) *LPFN_WSAACCEPT;
typedef __typeof__(WSACloseEvent) *LPFN_WSACLOSEEVENT;
typedef __typeof__(WSAConnect) *LPFN_WSACONNECT;
typedef __typeof__(WSACreateEvent) *LPFN_WSACREATEEVENT;
typedef __typeof__(WSADuplicateSocketA) *LPFN_WSADUPLICATESOCKETA;
typedef __typeof__(WSADuplicateSocketW) *LPFN_WSADUPLICATESOCKETW;
typedef __typeof__(WSAEnumNetworkEvents) *LPFN_WSAENUMNETWORKEVENTS;
typedef __typeof__(WSAEnumProtocolsA) *LPFN_WSAENUMPROTOCOLSA;
typedef __typeof__(WSAEnumProtocolsW) *LPFN_WSAENUMPROTOCOLSW;
typedef __typeof__(WSAEventSelect) *LPFN_WSAEVENTSELECT;
typedef __typeof__(WSAGetOverlappedResult) *LPFN_WSAGETOVERLAPPEDRESULT;
typedef __typeof__(WSAGetQOSByName) *LPFN_WSAGETQOSBYNAME;
typedef __typeof__(WSAHtonl) *LPFN_WSAHTONL;
typedef __typeof__(WSAHtons) *LPFN_WSAHTONS;
typedef __typeof__(WSAIoctl) *LPFN_WSAIOCTL;
typedef __typeof__(WSAJoinLeaf) *LPFN_WSAJOINLEAF;
typedef __typeof__(WSANtohl) *LPFN_WSANTOHL;
typedef __typeof__(WSANtohs) *LPFN_WSANTOHS;
typedef __typeof__(WSARecv) *LPFN_WSARECV;
typedef __typeof__(WSARecvDisconnect) *LPFN_WSARECVDISCONNECT;
typedef __typeof__(WSARecvFrom) *LPFN_WSARECVFROM;
typedef __typeof__(WSAResetEvent) *LPFN_WSARESETEVENT;
typedef __typeof__(WSASend) *LPFN_WSASEND;
typedef __typeof__(WSASendDisconnect) *LPFN_WSASENDDISCONNECT;
typedef __typeof__(WSASendTo) *LPFN_WSASENDTO;
typedef __typeof__(WSASetEvent) *LPFN_WSASETEVENT;
typedef __typeof__(WSASocketA) *LPFN_WSASOCKETA;
typedef __typeof__(WSASocketW) *LPFN_WSASOCKETW;
typedef __typeof__(WSAWaitForMultipleEvents) *LPFN_WSAWAITFORMULTIPLEEVENTS;
typedef __typeof__(WSAAddressToStringA) *LPFN_WSAADDRESSTOSTRINGA;
typedef __typeof__(WSAAddressToStringW) *LPFN_WSAADDRESSTOSTRINGW;
typedef __typeof__(WSAStringToAddressA) *LPFN_WSASTRINGTOADDRESSA;
typedef __typeof__(WSAStringToAddressW) *LPFN_WSASTRINGTOADDRESSW;
typedef __typeof__(WSALookupServiceBeginA) *LPFN_WSALOOKUPSERVICEBEGINA;
typedef __typeof__(WSALookupServiceBeginW) *LPFN_WSALOOKUPSERVICEBEGINW;
typedef __typeof__(WSALookupServiceNextA) *LPFN_WSALOOKUPSERVICENEXTA;
typedef __typeof__(WSALookupServiceNextW) *LPFN_WSALOOKUPSERVICENEXTW;
typedef __typeof__(WSANSPIoctl) *LPFN_WSANSPIOCTL;
typedef __typeof__(WSALookupServiceEnd) *LPFN_WSALOOKUPSERVICEEND;
typedef __typeof__(WSAInstallServiceClassA) *LPFN_WSAINSTALLSERVICECLASSA;
typedef __typeof__(WSAInstallServiceClassW) *LPFN_WSAINSTALLSERVICECLASSW;
typedef __typeof__(WSARemoveServiceClass) *LPFN_WSAREMOVESERVICECLASS;
typedef __typeof__(WSAGetServiceClassInfoA) *LPFN_WSAGETSERVICECLASSINFOA;
typedef __typeof__(WSAGetServiceClassInfoW) *LPFN_WSAGETSERVICECLASSINFOW;
typedef __typeof__(WSAEnumNameSpaceProvidersA)
    *LPFN_WSAENUMNAMESPACEPROVIDERSA;
typedef __typeof__(WSAEnumNameSpaceProvidersW)
    *LPFN_WSAENUMNAMESPACEPROVIDERSW;
typedef __typeof__(WSAGetServiceClassNameByClassIdA)
    *LPFN_WSAGETSERVICECLASSNAMEBYCLASSIDA;
typedef __typeof__(WSAGetServiceClassNameByClassIdW)
    *LPFN_WSAGETSERVICECLASSNAMEBYCLASSIDW;
typedef __typeof__(WSASetServiceA) *LPFN_WSASETSERVICEA;
typedef __typeof__(WSASetServiceW) *LPFN_WSASETSERVICEW;
typedef __typeof__(WSAProviderConfigChange) *LPFN_WSAPROVIDERCONFIGCHANGE;
#endif

/* The A/W names, chosen by UNICODE as on Windows. */
#ifdef UNICODE
typedef WSAPROTOCOL_INFOW WSAPROTOCOL_INFO;
typedef LPWSAPROTOCOL_INFOW LPWSAPROTOCOL_INFO;
typedef WSAQUERYSETW WSAQUERYSET;
typedef PWSAQUERYSETW PWSAQUERYSET;
typedef LPWSAQUERYSETW LPWSAQUERYSET;
typedef WSAQUERYSET2W WSAQUERYSET2;
typedef PWSAQUERYSET2W PWSAQUERYSET2;
typedef LPWSAQUERYSET2W LPWSAQUERYSET2;
typedef WSANSCLASSINFOW WSANSCLASSINFO;
typedef PWSANSCLASSINFOW PWSANSCLASSINFO;
typedef LPWSANSCLASSINFOW LPWSANSCLASSINFO;
typedef WSASERVICECLASSINFOW WSASERVICECLASSINFO;
typedef PWSASERVICECLASSINFOW PWSASERVICECLASSINFO;
typedef LPWSASERVICECLASSINFOW LPWSASERVICECLASSINFO;
typedef WSANAMESPACE_INFOW WSANAMESPACE_INFO;
typedef PWSANAMESPACE_INFOW PWSANAMESPACE_INFO;
typedef LPWSANAMESPACE_INFOW LPWSANAMESPACE_INFO;
typedef WSANAMESPACE_INFOEXW WSANAMESPACE_INFOEX;
typedef PWSANAMESPACE_INFOEXW PWSANAMESPACE_INFOEX;
typedef LPWSANAMESPACE_INFOEXW LPWSANAMESPACE_INFOEX;
#define WS_SO_PROTOCOL_INFO WS_SO_PROTOCOL_INFOW
#define WSAConnectByName WSAConnectByNameW
#define WSADuplicateSocket WSADuplicateSocketW
#define WSAEnumProtocols WSAEnumProtocolsW
#define WSASocket WSASocketW
#define WSAAddressToString WSAAddressToStringW
#define WSAStringToAddress WSAStringToAddressW
#define WSALookupServiceBegin WSALookupServiceBeginW
#define WSALookupServiceNext WSALookupServiceNextW
#define WSAInstallServiceClass WSAInstallServiceClassW
#define WSAGetServiceClassInfo WSAGetServiceClassInfoW
#define WSAEnumNameSpaceProviders WSAEnumNameSpaceProvidersW
#define WSAEnumNameSpaceProvidersEx WSAEnumNameSpaceProvidersExW
#define WSAGetServiceClassNameByClassId WSAGetServiceClassNameByClassIdW
#define WSASetService WSASetServiceW
#if defined(INCL_WINSOCK_API_TYPEDEFS) && INCL_WINSOCK_API_TYPEDEFS
#define LPFN_WSADUPLICATESOCKET LPFN_WSADUPLICATESOCKETW
#define LPFN_WSAENUMPROTOCOLS LPFN_WSAENUMPROTOCOLSW
#define LPFN_WSASOCKET LPFN_WSASOCKETW
#define LPFN_WSAADDRESSTOSTRING LPFN_WSAADDRESSTOSTRINGW
#define LPFN_WSASTRINGTOADDRESS LPFN_WSASTRINGTOADDRESSW
#define LPFN_WSALOOKUPSERVICEBEGIN LPFN_WSALOOKUPSERVICEBEGINW
#define LPFN_WSALOOKUPSERVICENEXT LPFN_WSALOOKUPSERVICENEXTW
#define LPFN_WSAINSTALLSERVICECLASS LPFN_WSAINSTALLSERVICECLASSW
#define LPFN_WSAGETSERVICECLASSINFO LPFN_WSAGETSERVICECLASSINFOW
#define LPFN_WSAENUMNAMESPACEPROVIDERS LPFN_WSAENUMNAMESPACEPROVIDERSW
#define LPFN_WSAGETSERVICECLASSNAMEBYCLASSID \
  LPFN_WSAGETSERVICECLASSNAMEBYCLASSIDW
#define LPFN_WSASETSERVICE LPFN_WSASETSERVICEW
#endif
#else
typedef WSAPROTOCOL_INFOA WSAPROTOCOL_INFO;
typedef LPWSAPROTOCOL_INFOA LPWSAPROTOCOL_INFO;
typedef WSAQUERYSETA WSAQUERYSET;
typedef PWSAQUERYSETA PWSAQUERYSET;
typedef LPWSAQUERYSETA LPWSAQUERYSET;
typedef WSAQUERYSET2A WSAQUERYSET2;
typedef PWSAQUERYSET2A PWSAQUERYSET2;
typedef LPWSAQUERYSET2A LPWSAQUERYSET2;
typedef WSANSCLASSINFOA WSANSCLASSINFO;
typedef PWSANSCLASSINFOA PWSANSCLASSINFO;
typedef LPWSANSCLASSINFOA LPWSANSCLASSINFO;
typedef WSASERVICECLASSINFOA WSASERVICECLASSINFO;
typedef PWSASERVICECLASSINFOA PWSASERVICECLASSINFO;
typedef LPWSASERVICECLASSINFOA LPWSASERVICECLASSINFO;
typedef WSANAMESPACE_INFOA WSANAMESPACE_INFO;
typedef PWSANAMESPACE_INFOA PWSANAMESPACE_INFO;
typedef LPWSANAMESPACE_INFOA LPWSANAMESPACE_INFO;
typedef WSANAMESPACE_INFOEXA WSANAMESPACE_INFOEX;
typedef PWSANAMESPACE_INFOEXA PWSANAMESPACE_INFOEX;
typedef LPWSANAMESPACE_INFOEXA LPWSANAMESPACE_INFOEX;
#define WS_SO_PROTOCOL_INFO WS_SO_PROTOCOL_INFOA
#define WSAConnectByName WSAConnectByNameA
#define WSADuplicateSocket WSADuplicateSocketA
#define WSAEnumProtocols WSAEnumProtocolsA
#define WSASocket WSASocketA
#define WSAAddressToString WSAAddressToStringA
#define WSAStringToAddress WSAStringToAddressA
#define WSALookupServiceBegin WSALookupServiceBeginA
#define WSALookupServiceNext WSALookupServiceNextA
#define WSAInstallServiceClass WSAInstallServiceClassA
#define WSAGetServiceClassInfo WSAGetServiceClassInfoA
#define WSAEnumNameSpaceProviders WSAEnumNameSpaceProvidersA
#define WSAEnumNameSpaceProvidersEx WSAEnumNameSpaceProvidersExA
#define WSAGetServiceClassNameByClassId WSAGetServiceClassNameByClassIdA
#define WSASetService WSASetServiceA
#if defined(INCL_WINSOCK_API_TYPEDEFS) && INCL_WINSOCK_API_TYPEDEFS
#define LPFN_WSADUPLICATESOCKET LPFN_WSADUPLICATESOCKETA
#define LPFN_WSAENUMPROTOCOLS LPFN_WSAENUMPROTOCOLSA
#define LPFN_WSASOCKET LPFN_WSASOCKETA
#define LPFN_WSAADDRESSTOSTRING LPFN_WSAADDRESSTOSTRINGA
#define LPFN_WSASTRINGTOADDRESS LPFN_WSASTRINGTOADDRESSA
#define LPFN_WSALOOKUPSERVICEBEGIN LPFN_WSALOOKUPSERVICEBEGINA
#define LPFN_WSALOOKUPSERVICENEXT LPFN_WSALOOKUPSERVICENEXTA
#define LPFN_WSAINSTALLSERVICECLASS LPFN_WSAINSTALLSERVICECLASSA
#define LPFN_WSAGETSERVICECLASSINFO LPFN_WSAGETSERVICECLASSINFOA
#define LPFN_WSAENUMNAMESPACEPROVIDERS LPFN_WSAENUMNAMESPACEPROVIDERSA
#define LPFN_WSAGETSERVICECLASSNAMEBYCLASSID \
  LPFN_WSAGETSERVICECLASSNAMEBYCLASSIDA
#define LPFN_WSASETSERVICE LPFN_WSASETSERVICEA
#endif
#endif

/* @ws2-map-begin (generated by test/headers/gen/mkmaps.py) */
#ifndef WS2_USE_PREFIX
#undef FD_CLR
#define FD_CLR(fd, set) WS_FD_CLR(fd, set)
#undef FD_ISSET
#define FD_ISSET(fd, set) WS_FD_ISSET(fd, set)
#undef FD_SET
#define FD_SET(fd, set) WS_FD_SET(fd, set)
#undef FD_ZERO
#define FD_ZERO(set) WS_FD_ZERO(set)
#define FIOASYNC WS_FIOASYNC
#define FIONBIO WS_FIONBIO
#define FIONREAD WS_FIONREAD
#define HOST_NOT_FOUND WS_HOST_NOT_FOUND
#define NO_ADDRESS WS_NO_ADDRESS
#define NO_DATA WS_NO_DATA
#define NO_RECOVERY WS_NO_RECOVERY
#define PF_APPLETALK WS_PF_APPLETALK
#define PF_ATM WS_PF_ATM
#define PF_BAN WS_PF_BAN
#define PF_BTH WS_PF_BTH
#define PF_CCITT WS_PF_CCITT
#define PF_CHAOS WS_PF_CHAOS
#define PF_DATAKIT WS_PF_DATAKIT
#define PF_DECnet WS_PF_DECnet
#define PF_DLI WS_PF_DLI
#define PF_ECMA WS_PF_ECMA
#define PF_FIREFOX WS_PF_FIREFOX
#define PF_HYLINK WS_PF_HYLINK
#define PF_IMPLINK WS_PF_IMPLINK
#define PF_INET WS_PF_INET
#define PF_INET6 WS_PF_INET6
#define PF_IPX WS_PF_IPX
#define PF_ISO WS_PF_ISO
#define PF_LAT WS_PF_LAT
#define PF_MAX WS_PF_MAX
#define PF_NS WS_PF_NS
#define PF_OSI WS_PF_OSI
#define PF_PUP WS_PF_PUP
#define PF_SNA WS_PF_SNA
#define PF_UNIX WS_PF_UNIX
#define PF_UNKNOWN1 WS_PF_UNKNOWN1
#define PF_UNSPEC WS_PF_UNSPEC
#define PF_VOICEVIEW WS_PF_VOICEVIEW
#define POLLERR WS_POLLERR
#define POLLHUP WS_POLLHUP
#define POLLIN WS_POLLIN
#define POLLNVAL WS_POLLNVAL
#define POLLOUT WS_POLLOUT
#define POLLPRI WS_POLLPRI
#define POLLRDBAND WS_POLLRDBAND
#define POLLRDNORM WS_POLLRDNORM
#define POLLWRBAND WS_POLLWRBAND
#define POLLWRNORM WS_POLLWRNORM
#define SIOCATMARK WS_SIOCATMARK
#define SIOCGHIWAT WS_SIOCGHIWAT
#define SIOCGLOWAT WS_SIOCGLOWAT
#define SIOCSHIWAT WS_SIOCSHIWAT
#define SIOCSLOWAT WS_SIOCSLOWAT
#define SOCK_DGRAM WS_SOCK_DGRAM
#define SOCK_RAW WS_SOCK_RAW
#define SOCK_RDM WS_SOCK_RDM
#define SOCK_SEQPACKET WS_SOCK_SEQPACKET
#define SOCK_STREAM WS_SOCK_STREAM
#define SOMAXCONN WS_SOMAXCONN
#define SOMAXCONN_HINT(b) WS_SOMAXCONN_HINT(b)
#define SO_PROTOCOL_INFO WS_SO_PROTOCOL_INFO
#define SO_PROTOCOL_INFOA WS_SO_PROTOCOL_INFOA
#define SO_PROTOCOL_INFOW WS_SO_PROTOCOL_INFOW
#define TRY_AGAIN WS_TRY_AGAIN
#define _IO(x, y) WS__IO(x, y)
#define _IOR(x, y, t) WS__IOR(x, y, t)
#define _IOW(x, y, t) WS__IOW(x, y, t)
#define fd_set WS_fd_set
#define gethostname WS_gethostname
#define h_addr WS_h_addr
#define h_errno WS_h_errno
#define hostent WS_hostent
#define linger WS_linger
#define netent WS_netent
#define pollfd WS_pollfd
#define protoent WS_protoent
#define select WS_select
#define servent WS_servent
#undef timerclear
#define timerclear(tvp) WS_timerclear(tvp)
#undef timercmp
#define timercmp(tvp, uvp, cmp) WS_timercmp(tvp, uvp, cmp)
#undef timerisset
#define timerisset(tvp) WS_timerisset(tvp)
#define timeval WS_timeval
#define u_char WS_u_char
#define u_int WS_u_int
#define u_long WS_u_long
#define u_short WS_u_short
#endif
/* @ws2-map-end */

WS2_END_DECLS

#endif /* WS2_WINSOCK2_H */
