/*
 * ws2def.h: the protocol-independent Winsock definitions: address
 * families, socket-level options, the generic sockaddr types, the ioctl
 * code encoding and the Winsock 2 SIO_* codes, WSABUF and WSAMSG with their
 * control-message macros, and addrinfo.
 *
 * Names that Linux's socket headers also define (AF_INET6, SO_REUSEADDR,
 * struct sockaddr, ...) are defined here under a WS_ prefix; Windows mode
 * (see _ws2config.h) maps the plain names onto them at the end of the file.
 */
#ifndef WS2_WS2DEF_H
#define WS2_WS2DEF_H

#include "windef.h"
#include "inaddr.h"

WS2_BEGIN_DECLS

typedef USHORT ADDRESS_FAMILY;

/* Address families. Windows numbers differ from Linux's past AF_INET. */
#define WS_AF_UNSPEC 0
#define WS_AF_UNIX 1
#define WS_AF_INET 2
#define WS_AF_IMPLINK 3
#define WS_AF_PUP 4
#define WS_AF_CHAOS 5
#define WS_AF_NS 6
#define WS_AF_IPX WS_AF_NS
#define WS_AF_ISO 7
#define WS_AF_OSI WS_AF_ISO
#define WS_AF_ECMA 8
#define WS_AF_DATAKIT 9
#define WS_AF_CCITT 10
#define WS_AF_SNA 11
#define WS_AF_DECnet 12
#define WS_AF_DLI 13
#define WS_AF_LAT 14
#define WS_AF_HYLINK 15
#define WS_AF_APPLETALK 16
#define WS_AF_NETBIOS 17
#define WS_AF_VOICEVIEW 18
#define WS_AF_FIREFOX 19
#define WS_AF_UNKNOWN1 20
#define WS_AF_BAN 21
#define WS_AF_ATM 22
#define WS_AF_INET6 23
#define WS_AF_CLUSTER 24
#define WS_AF_12844 25
#define WS_AF_IRDA 26
#define WS_AF_NETDES 28
#define WS_AF_TCNPROCESS 29
#define WS_AF_TCNMESSAGE 30
#define WS_AF_ICLFXBM 31
#define WS_AF_BTH 32
/*
 * AF_LINK and AF_HYPERV are in the Windows SDK but not in mingw-w64 10,
 * whose AF_MAX is therefore 33; the SDK's AF_MAX, 35, is used here.
 */
#define WS_AF_LINK 33
#define WS_AF_HYPERV 34
#define WS_AF_MAX 35

/* Socket-level options (level SOL_SOCKET). */
#define WS_SOL_SOCKET 0xffff
#define WS_SO_DEBUG 0x0001
#define WS_SO_ACCEPTCONN 0x0002
#define WS_SO_REUSEADDR 0x0004
#define WS_SO_KEEPALIVE 0x0008
#define WS_SO_DONTROUTE 0x0010
#define WS_SO_BROADCAST 0x0020
#define WS_SO_USELOOPBACK 0x0040
#define WS_SO_LINGER 0x0080
#define WS_SO_OOBINLINE 0x0100
#define WS_SO_DONTLINGER ((int)(~WS_SO_LINGER))
#define WS_SO_EXCLUSIVEADDRUSE ((int)(~WS_SO_REUSEADDR))
#define WS_SO_SNDBUF 0x1001
#define WS_SO_RCVBUF 0x1002
#define WS_SO_SNDLOWAT 0x1003
#define WS_SO_RCVLOWAT 0x1004
#define WS_SO_SNDTIMEO 0x1005
#define WS_SO_RCVTIMEO 0x1006
#define WS_SO_ERROR 0x1007
#define WS_SO_TYPE 0x1008
/* SO_BSP_STATE (a CSADDR_INFO) is SDK-only; not in mingw-w64 10. */
#define WS_SO_BSP_STATE 0x1009
#define WS_SO_GROUP_ID 0x2001
#define WS_SO_GROUP_PRIORITY 0x2002
#define WS_SO_MAX_MSG_SIZE 0x2003
#define WS_SO_CONDITIONAL_ACCEPT 0x3002
/* SO_PAUSE_ACCEPT .. SO_REUSE_MULTICASTPORT: SDK values, not in mingw 10. */
#define WS_SO_PAUSE_ACCEPT 0x3003
#define WS_SO_COMPARTMENT_ID 0x3004
#define WS_SO_RANDOMIZE_PORT 0x3005
#define WS_SO_PORT_SCALABILITY 0x3006
#define WS_SO_REUSE_UNICASTPORT 0x3007
#define WS_SO_REUSE_MULTICASTPORT 0x3008
#define WSK_SO_BASE 0x4000

/* The one TCP option defined protocol-independently. */
#define WS_TCP_NODELAY 0x0001

/* The generic socket address: 16 bytes, a 16-bit family first. */
typedef struct WS_sockaddr {
  ADDRESS_FAMILY sa_family;
  CHAR sa_data[14];
} SOCKADDR, *PSOCKADDR, *LPSOCKADDR;

/* A sized pointer to a socket address (SIO_ADDRESS_LIST_QUERY & co). */
typedef struct _SOCKET_ADDRESS {
  LPSOCKADDR lpSockaddr;
  INT iSockaddrLength;
} SOCKET_ADDRESS, *PSOCKET_ADDRESS, *LPSOCKET_ADDRESS;

typedef struct _SOCKET_ADDRESS_LIST {
  INT iAddressCount;
  SOCKET_ADDRESS Address[1];
} SOCKET_ADDRESS_LIST, *PSOCKET_ADDRESS_LIST, *LPSOCKET_ADDRESS_LIST;

#define SIZEOF_SOCKET_ADDRESS_LIST(AddressCount)          \
  (FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address) +           \
   (AddressCount) * sizeof(SOCKET_ADDRESS))

typedef struct _CSADDR_INFO {
  SOCKET_ADDRESS LocalAddr;
  SOCKET_ADDRESS RemoteAddr;
  INT iSocketType;
  INT iProtocol;
} CSADDR_INFO, *PCSADDR_INFO, *LPCSADDR_INFO;
#define __CSADDR_DEFINED__

/* sockaddr_storage: 128 bytes, 8-byte aligned, large enough for any. */
#define _SS_MAXSIZE 128
#define _SS_ALIGNSIZE (sizeof(int64_t))
#define _SS_PAD1SIZE (_SS_ALIGNSIZE - sizeof(USHORT))
#define _SS_PAD2SIZE (_SS_MAXSIZE - (sizeof(USHORT) + _SS_PAD1SIZE + _SS_ALIGNSIZE))
typedef struct WS_sockaddr_storage {
  ADDRESS_FAMILY ss_family;
  CHAR __ss_pad1[_SS_PAD1SIZE];
  int64_t __ss_align;
  CHAR __ss_pad2[_SS_PAD2SIZE];
} SOCKADDR_STORAGE_LH, *PSOCKADDR_STORAGE_LH, *LPSOCKADDR_STORAGE_LH;
typedef struct WS_sockaddr_storage SOCKADDR_STORAGE, *PSOCKADDR_STORAGE,
    *LPSOCKADDR_STORAGE;
typedef struct WS_sockaddr_storage SOCKADDR_STORAGE_XP, *PSOCKADDR_STORAGE_XP,
    *LPSOCKADDR_STORAGE_XP;

/*
 * ioctl codes: bit 31 IOC_IN, 30 IOC_OUT, 29 IOC_VOID, bits 27-28 the
 * code family (Unix, Winsock 2, protocol, vendor), low 16 bits the code.
 */
#define WS_IOCPARM_MASK 0x7f
#define WS_IOC_VOID 0x20000000
#define WS_IOC_OUT 0x40000000
#define WS_IOC_IN 0x80000000
#define WS_IOC_INOUT (WS_IOC_IN | WS_IOC_OUT)

#define IOC_UNIX 0x00000000
#define IOC_WS2 0x08000000
#define IOC_PROTOCOL 0x10000000
#define IOC_VENDOR 0x18000000
#define IOC_WSK (IOC_WS2 | 0x07000000)

#define _WSAIO(x, y) (WS_IOC_VOID | (x) | (y))
#define _WSAIOR(x, y) (WS_IOC_OUT | (x) | (y))
#define _WSAIOW(x, y) (WS_IOC_IN | (x) | (y))
#define _WSAIORW(x, y) (WS_IOC_INOUT | (x) | (y))

/* The generic Winsock 2 ioctls. */
#define SIO_ASSOCIATE_HANDLE _WSAIOW(IOC_WS2, 1)
#define SIO_ENABLE_CIRCULAR_QUEUEING _WSAIO(IOC_WS2, 2)
#define SIO_FIND_ROUTE _WSAIOR(IOC_WS2, 3)
#define SIO_FLUSH _WSAIO(IOC_WS2, 4)
#define SIO_GET_BROADCAST_ADDRESS _WSAIOR(IOC_WS2, 5)
#define SIO_GET_EXTENSION_FUNCTION_POINTER _WSAIORW(IOC_WS2, 6)
#define SIO_GET_QOS _WSAIORW(IOC_WS2, 7)
#define SIO_GET_GROUP_QOS _WSAIORW(IOC_WS2, 8)
#define SIO_MULTIPOINT_LOOPBACK _WSAIOW(IOC_WS2, 9)
#define SIO_MULTICAST_SCOPE _WSAIOW(IOC_WS2, 10)
#define SIO_SET_QOS _WSAIOW(IOC_WS2, 11)
#define SIO_SET_GROUP_QOS _WSAIOW(IOC_WS2, 12)
#define SIO_TRANSLATE_HANDLE _WSAIORW(IOC_WS2, 13)
#define SIO_ROUTING_INTERFACE_QUERY _WSAIORW(IOC_WS2, 20)
#define SIO_ROUTING_INTERFACE_CHANGE _WSAIOW(IOC_WS2, 21)
#define SIO_ADDRESS_LIST_QUERY _WSAIOR(IOC_WS2, 22)
#define SIO_ADDRESS_LIST_CHANGE _WSAIO(IOC_WS2, 23)
#define SIO_QUERY_TARGET_PNP_HANDLE _WSAIOR(IOC_WS2, 24)
/* The name the LPWSPIoctl documentation uses for the same code. */
#define SIO_QUERY_PNP_TARGET_HANDLE SIO_QUERY_TARGET_PNP_HANDLE
#define SIO_RESERVED_1 _WSAIOW(IOC_WS2, 26)
#define SIO_RESERVED_2 _WSAIOW(IOC_WS2, 33)
#define SIO_ADDRESS_LIST_SORT _WSAIORW(IOC_WS2, 25)
#define SIO_NSP_NOTIFY_CHANGE _WSAIOW(IOC_WS2, 25)
/* SDK-only (not in mingw-w64 10). */
#define SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER _WSAIORW(IOC_WS2, 36)

/*
 * IP protocol numbers. Windows makes these an enum (IPPROTO); they are
 * macros here so that prefix mode can rename them and #if can test them.
 */
typedef int IPPROTO, *PIPPROTO;
#define WS_IPPROTO_IP 0
#define WS_IPPROTO_HOPOPTS 0
#define WS_IPPROTO_ICMP 1
#define WS_IPPROTO_IGMP 2
#define WS_IPPROTO_GGP 3
#define WS_IPPROTO_IPV4 4
#define WS_IPPROTO_ST 5
#define WS_IPPROTO_TCP 6
#define WS_IPPROTO_CBT 7
#define WS_IPPROTO_EGP 8
#define WS_IPPROTO_IGP 9
#define WS_IPPROTO_PUP 12
#define WS_IPPROTO_UDP 17
#define WS_IPPROTO_IDP 22
#define WS_IPPROTO_RDP 27
#define WS_IPPROTO_IPV6 41
#define WS_IPPROTO_ROUTING 43
#define WS_IPPROTO_FRAGMENT 44
#define WS_IPPROTO_ESP 50
#define WS_IPPROTO_AH 51
#define WS_IPPROTO_ICMPV6 58
#define WS_IPPROTO_NONE 59
#define WS_IPPROTO_DSTOPTS 60
#define WS_IPPROTO_ND 77
#define WS_IPPROTO_ICLFXBM 78
#define WS_IPPROTO_PIM 103
#define WS_IPPROTO_PGM 113
#define WS_IPPROTO_L2TP 115
#define WS_IPPROTO_SCTP 132
#define WS_IPPROTO_RAW 255
#define WS_IPPROTO_MAX 256
/* Reserved for Windows' own use; SDK values, not in mingw-w64 10. */
#define WS_IPPROTO_RESERVED_RAW 257
#define WS_IPPROTO_RESERVED_IPSEC 258
#define WS_IPPROTO_RESERVED_IPSECOFFLOAD 259
#define WS_IPPROTO_RESERVED_WNV 260
#define WS_IPPROTO_RESERVED_MAX 261

/* Well-known ports. */
#define WS_IPPORT_ECHO 7
#define WS_IPPORT_DISCARD 9
#define WS_IPPORT_SYSTAT 11
#define WS_IPPORT_DAYTIME 13
#define WS_IPPORT_NETSTAT 15
#define WS_IPPORT_FTP 21
#define WS_IPPORT_TELNET 23
#define WS_IPPORT_SMTP 25
#define WS_IPPORT_TIMESERVER 37
#define WS_IPPORT_NAMESERVER 42
#define WS_IPPORT_WHOIS 43
#define WS_IPPORT_MTP 57
#define WS_IPPORT_TFTP 69
#define WS_IPPORT_RJE 77
#define WS_IPPORT_FINGER 79
#define WS_IPPORT_TTYLINK 87
#define WS_IPPORT_SUPDUP 95
#define WS_IPPORT_EXECSERVER 512
#define WS_IPPORT_LOGINSERVER 513
#define WS_IPPORT_CMDSERVER 514
#define WS_IPPORT_EFSSERVER 520
#define WS_IPPORT_BIFFUDP 512
#define WS_IPPORT_WHOSERVER 513
#define WS_IPPORT_ROUTESERVER 520
#define WS_IPPORT_RESERVED 1024

#define IMPLINK_IP 155
#define IMPLINK_LOWEXPER 156
#define IMPLINK_HIGHEXPER 158

/* Classful IPv4 address tests, on a host-order 32-bit address. */
#define WS_IN_CLASSA(i) (((LONG)(i) & 0x80000000) == 0)
#define WS_IN_CLASSA_NET 0xff000000
#define WS_IN_CLASSA_NSHIFT 24
#define WS_IN_CLASSA_HOST 0x00ffffff
#define WS_IN_CLASSA_MAX 128
#define WS_IN_CLASSB(i) (((LONG)(i) & 0xc0000000) == 0x80000000)
#define WS_IN_CLASSB_NET 0xffff0000
#define WS_IN_CLASSB_NSHIFT 16
#define WS_IN_CLASSB_HOST 0x0000ffff
#define WS_IN_CLASSB_MAX 65536
#define WS_IN_CLASSC(i) (((LONG)(i) & 0xe0000000) == 0xc0000000)
#define WS_IN_CLASSC_NET 0xffffff00
#define WS_IN_CLASSC_NSHIFT 8
#define WS_IN_CLASSC_HOST 0x000000ff
#define WS_IN_CLASSD(i) (((LONG)(i) & 0xf0000000) == 0xe0000000)
#define WS_IN_CLASSD_NET 0xf0000000
#define WS_IN_CLASSD_NSHIFT 28
#define WS_IN_CLASSD_HOST 0x0fffffff
#define WS_IN_MULTICAST(i) WS_IN_CLASSD(i)

/* Special IPv4 addresses, as host-order u_long values (ULONG here). */
#define WS_INADDR_ANY ((ULONG)0x00000000)
#define WS_INADDR_LOOPBACK 0x7f000001
#define WS_INADDR_BROADCAST ((ULONG)0xffffffff)
#define WS_INADDR_NONE 0xffffffff
#define ADDR_ANY WS_INADDR_ANY

/* Scope of an IPv6 address (sin6_scope_struct). */
typedef enum _SCOPE_LEVEL {
  ScopeLevelInterface = 1,
  ScopeLevelLink = 2,
  ScopeLevelSubnet = 3,
  ScopeLevelAdmin = 4,
  ScopeLevelSite = 5,
  ScopeLevelOrganization = 8,
  ScopeLevelGlobal = 14,
  ScopeLevelCount = 16
} SCOPE_LEVEL;

typedef struct _SCOPE_ID {
  union {
    struct {
      ULONG Zone : 28;
      ULONG Level : 4;
    };
    ULONG Value;
  };
} SCOPE_ID, *PSCOPE_ID;
#define SCOPEID_UNSPECIFIED_INIT {0}

/* The IPv4 socket address: 16 bytes. */
typedef struct WS_sockaddr_in {
  ADDRESS_FAMILY sin_family;
  USHORT sin_port;
  IN_ADDR sin_addr;
  CHAR sin_zero[8];
} SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;

/* Scatter/gather buffer: the length comes first, unlike struct iovec. */
typedef struct _WSABUF {
  ULONG len;
  CHAR *buf;
} WSABUF, *LPWSABUF;

/* WSARecvMsg / WSASendMsg message. */
typedef struct _WSAMSG {
  LPSOCKADDR name;
  INT namelen;
  LPWSABUF lpBuffers;
  ULONG dwBufferCount;
  WSABUF Control;
  ULONG dwFlags;
} WSAMSG, *PWSAMSG, *LPWSAMSG;

/* A control-message header; its data follows, 8-byte aligned on x64. */
typedef struct _WSACMSGHDR {
  SIZE_T cmsg_len;
  INT cmsg_level;
  INT cmsg_type;
} WSACMSGHDR, *PWSACMSGHDR, *LPWSACMSGHDR;
typedef WSACMSGHDR CMSGHDR, *PCMSGHDR;

#define WSA_CMSGHDR_ALIGN(length) \
  (((length) + __alignof__(WSACMSGHDR) - 1) & ~(__alignof__(WSACMSGHDR) - 1))
#define WSA_CMSGDATA_ALIGN(length) \
  (((length) + sizeof(ULONGLONG) - 1) & ~(sizeof(ULONGLONG) - 1))
#define WSA_CMSG_FIRSTHDR(msg)                        \
  (((msg)->Control.len >= sizeof(WSACMSGHDR))         \
       ? (LPWSACMSGHDR)(msg)->Control.buf             \
       : (LPWSACMSGHDR)NULL)
#define WSA_CMSG_NXTHDR(msg, cmsg)                                        \
  (((cmsg) == NULL)                                                       \
       ? WSA_CMSG_FIRSTHDR(msg)                                           \
       : ((((PUCHAR)(cmsg) + WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len) +        \
            sizeof(WSACMSGHDR)) >                                         \
           (PUCHAR)((msg)->Control.buf) + (msg)->Control.len)             \
              ? (LPWSACMSGHDR)NULL                                        \
              : (LPWSACMSGHDR)((PUCHAR)(cmsg) +                           \
                               WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len))))
#define WSA_CMSG_DATA(cmsg) \
  ((PUCHAR)(cmsg) + WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)))
#define WSA_CMSG_SPACE(length) \
  (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR) + WSA_CMSGHDR_ALIGN(length)))
#define WSA_CMSG_LEN(length) (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)) + (length))

/* The POSIX-style names (Vista and later), Linux's names too. */
#define WS_CMSGHDR_ALIGN(length) WSA_CMSGHDR_ALIGN(length)
#define WS_CMSGDATA_ALIGN(length) WSA_CMSGDATA_ALIGN(length)
#define WS_CMSG_FIRSTHDR(msg) WSA_CMSG_FIRSTHDR(msg)
#define WS_CMSG_NXTHDR(msg, cmsg) WSA_CMSG_NXTHDR(msg, cmsg)
#define WS_CMSG_DATA(cmsg) WSA_CMSG_DATA(cmsg)
#define WS_CMSG_SPACE(length) WSA_CMSG_SPACE(length)
#define WS_CMSG_LEN(length) WSA_CMSG_LEN(length)

/* send/recv flags. */
#define WS_MSG_OOB 0x1
#define WS_MSG_PEEK 0x2
#define WS_MSG_DONTROUTE 0x4
#define WS_MSG_WAITALL 0x8
#define WS_MSG_INTERRUPT 0x10
#define WS_MSG_PUSH_IMMEDIATE 0x20
#define WS_MSG_PARTIAL 0x8000
/* WSAMSG.dwFlags results. */
#define WS_MSG_TRUNC 0x0100
#define WS_MSG_CTRUNC 0x0200
#define WS_MSG_BCAST 0x0400
#define WS_MSG_MCAST 0x0800
/* SDK-only (not in mingw-w64 10). */
#define WS_MSG_ERRQUEUE 0x1000
#define WS_MSG_MAXIOVLEN 16

/* getaddrinfo hints. */
#define WS_AI_PASSIVE 0x00000001
#define WS_AI_CANONNAME 0x00000002
#define WS_AI_NUMERICHOST 0x00000004
#define WS_AI_NUMERICSERV 0x00000008
#define WS_AI_ALL 0x00000100
#define WS_AI_ADDRCONFIG 0x00000400
#define WS_AI_V4MAPPED 0x00000800
#define WS_AI_NON_AUTHORITATIVE 0x00004000
#define WS_AI_SECURE 0x00008000
#define WS_AI_RETURN_PREFERRED_NAMES 0x00010000
#define WS_AI_FQDN 0x00020000
#define WS_AI_FILESERVER 0x00040000
#define WS_AI_DISABLE_IDN_ENCODING 0x00080000
/* SDK-only (not in mingw-w64 10). */
#define WS_AI_RESOLUTION_HANDLE 0x40000000
#define WS_AI_EXTENDED 0x80000000

/*
 * addrinfo in the Windows member order: ai_canonname comes before ai_addr
 * (POSIX and Linux have them the other way round), ai_addrlen is a size_t.
 */
typedef struct WS_addrinfo {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  char *ai_canonname;
  struct WS_sockaddr *ai_addr;
  struct WS_addrinfo *ai_next;
} ADDRINFOA, *PADDRINFOA;

typedef struct addrinfoW {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  PWSTR ai_canonname;
  struct WS_sockaddr *ai_addr;
  struct addrinfoW *ai_next;
} ADDRINFOW, *PADDRINFOW;

typedef struct addrinfoexA {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  char *ai_canonname;
  struct WS_sockaddr *ai_addr;
  void *ai_blob;
  size_t ai_bloblen;
  LPGUID ai_provider;
  struct addrinfoexA *ai_next;
} ADDRINFOEXA, *PADDRINFOEXA, *LPADDRINFOEXA;

typedef struct addrinfoexW {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  size_t ai_addrlen;
  PWSTR ai_canonname;
  struct WS_sockaddr *ai_addr;
  void *ai_blob;
  size_t ai_bloblen;
  LPGUID ai_provider;
  struct addrinfoexW *ai_next;
} ADDRINFOEXW, *PADDRINFOEXW, *LPADDRINFOEXW;

/* Name spaces (dwNameSpace of the RnR and GetAddrInfoEx functions). */
#define NS_ALL 0
#define NS_SAP 1
#define NS_NDS 2
#define NS_PEER_BROWSE 3
#define NS_SLP 5
#define NS_DHCP 6
#define NS_TCPIP_LOCAL 10
#define NS_TCPIP_HOSTS 11
#define NS_DNS 12
#define NS_NETBT 13
#define NS_WINS 14
#define NS_NLA 15
#define NS_BTH 16
#define NS_NBP 20
#define NS_MS 30
#define NS_STDA 31
#define NS_NTDS 32
#define NS_EMAIL 37
#define NS_PNRPNAME 38
#define NS_PNRPCLOUD 39
#define NS_X500 40
#define NS_NIS 41
#define NS_NISPLUS 42
#define NS_WRQ 50
#define NS_NETDES 60

/* getnameinfo flags and buffer sizes. */
#define WS_NI_NOFQDN 0x01
#define WS_NI_NUMERICHOST 0x02
#define WS_NI_NAMEREQD 0x04
#define WS_NI_NUMERICSERV 0x08
#define WS_NI_DGRAM 0x10
#define WS_NI_MAXHOST 1025
#define WS_NI_MAXSERV 32

/* @ws2-map-begin (generated by test/headers/gen/mkmaps.py) */
#ifndef WS2_USE_PREFIX
#define AF_12844 WS_AF_12844
#define AF_APPLETALK WS_AF_APPLETALK
#define AF_ATM WS_AF_ATM
#define AF_BAN WS_AF_BAN
#define AF_BTH WS_AF_BTH
#define AF_CCITT WS_AF_CCITT
#define AF_CHAOS WS_AF_CHAOS
#define AF_CLUSTER WS_AF_CLUSTER
#define AF_DATAKIT WS_AF_DATAKIT
#define AF_DECnet WS_AF_DECnet
#define AF_DLI WS_AF_DLI
#define AF_ECMA WS_AF_ECMA
#define AF_FIREFOX WS_AF_FIREFOX
#define AF_HYLINK WS_AF_HYLINK
#define AF_HYPERV WS_AF_HYPERV
#define AF_ICLFXBM WS_AF_ICLFXBM
#define AF_IMPLINK WS_AF_IMPLINK
#define AF_INET WS_AF_INET
#define AF_INET6 WS_AF_INET6
#define AF_IPX WS_AF_IPX
#define AF_IRDA WS_AF_IRDA
#define AF_ISO WS_AF_ISO
#define AF_LAT WS_AF_LAT
#define AF_LINK WS_AF_LINK
#define AF_MAX WS_AF_MAX
#define AF_NETBIOS WS_AF_NETBIOS
#define AF_NETDES WS_AF_NETDES
#define AF_NS WS_AF_NS
#define AF_OSI WS_AF_OSI
#define AF_PUP WS_AF_PUP
#define AF_SNA WS_AF_SNA
#define AF_TCNMESSAGE WS_AF_TCNMESSAGE
#define AF_TCNPROCESS WS_AF_TCNPROCESS
#define AF_UNIX WS_AF_UNIX
#define AF_UNKNOWN1 WS_AF_UNKNOWN1
#define AF_UNSPEC WS_AF_UNSPEC
#define AF_VOICEVIEW WS_AF_VOICEVIEW
#define AI_ADDRCONFIG WS_AI_ADDRCONFIG
#define AI_ALL WS_AI_ALL
#define AI_CANONNAME WS_AI_CANONNAME
#define AI_DISABLE_IDN_ENCODING WS_AI_DISABLE_IDN_ENCODING
#define AI_EXTENDED WS_AI_EXTENDED
#define AI_FILESERVER WS_AI_FILESERVER
#define AI_FQDN WS_AI_FQDN
#define AI_NON_AUTHORITATIVE WS_AI_NON_AUTHORITATIVE
#define AI_NUMERICHOST WS_AI_NUMERICHOST
#define AI_NUMERICSERV WS_AI_NUMERICSERV
#define AI_PASSIVE WS_AI_PASSIVE
#define AI_RESOLUTION_HANDLE WS_AI_RESOLUTION_HANDLE
#define AI_RETURN_PREFERRED_NAMES WS_AI_RETURN_PREFERRED_NAMES
#define AI_SECURE WS_AI_SECURE
#define AI_V4MAPPED WS_AI_V4MAPPED
#define CMSGDATA_ALIGN(length) WS_CMSGDATA_ALIGN(length)
#define CMSGHDR_ALIGN(length) WS_CMSGHDR_ALIGN(length)
#define CMSG_DATA(cmsg) WS_CMSG_DATA(cmsg)
#define CMSG_FIRSTHDR(msg) WS_CMSG_FIRSTHDR(msg)
#define CMSG_LEN(length) WS_CMSG_LEN(length)
#define CMSG_NXTHDR(msg, cmsg) WS_CMSG_NXTHDR(msg, cmsg)
#define CMSG_SPACE(length) WS_CMSG_SPACE(length)
#define INADDR_ANY WS_INADDR_ANY
#define INADDR_BROADCAST WS_INADDR_BROADCAST
#define INADDR_LOOPBACK WS_INADDR_LOOPBACK
#define INADDR_NONE WS_INADDR_NONE
#define IN_CLASSA(i) WS_IN_CLASSA(i)
#define IN_CLASSA_HOST WS_IN_CLASSA_HOST
#define IN_CLASSA_MAX WS_IN_CLASSA_MAX
#define IN_CLASSA_NET WS_IN_CLASSA_NET
#define IN_CLASSA_NSHIFT WS_IN_CLASSA_NSHIFT
#define IN_CLASSB(i) WS_IN_CLASSB(i)
#define IN_CLASSB_HOST WS_IN_CLASSB_HOST
#define IN_CLASSB_MAX WS_IN_CLASSB_MAX
#define IN_CLASSB_NET WS_IN_CLASSB_NET
#define IN_CLASSB_NSHIFT WS_IN_CLASSB_NSHIFT
#define IN_CLASSC(i) WS_IN_CLASSC(i)
#define IN_CLASSC_HOST WS_IN_CLASSC_HOST
#define IN_CLASSC_NET WS_IN_CLASSC_NET
#define IN_CLASSC_NSHIFT WS_IN_CLASSC_NSHIFT
#define IN_CLASSD(i) WS_IN_CLASSD(i)
#define IN_CLASSD_HOST WS_IN_CLASSD_HOST
#define IN_CLASSD_NET WS_IN_CLASSD_NET
#define IN_CLASSD_NSHIFT WS_IN_CLASSD_NSHIFT
#define IN_MULTICAST(i) WS_IN_MULTICAST(i)
#define IOCPARM_MASK WS_IOCPARM_MASK
#define IOC_IN WS_IOC_IN
#define IOC_INOUT WS_IOC_INOUT
#define IOC_OUT WS_IOC_OUT
#define IOC_VOID WS_IOC_VOID
#define IPPORT_BIFFUDP WS_IPPORT_BIFFUDP
#define IPPORT_CMDSERVER WS_IPPORT_CMDSERVER
#define IPPORT_DAYTIME WS_IPPORT_DAYTIME
#define IPPORT_DISCARD WS_IPPORT_DISCARD
#define IPPORT_ECHO WS_IPPORT_ECHO
#define IPPORT_EFSSERVER WS_IPPORT_EFSSERVER
#define IPPORT_EXECSERVER WS_IPPORT_EXECSERVER
#define IPPORT_FINGER WS_IPPORT_FINGER
#define IPPORT_FTP WS_IPPORT_FTP
#define IPPORT_LOGINSERVER WS_IPPORT_LOGINSERVER
#define IPPORT_MTP WS_IPPORT_MTP
#define IPPORT_NAMESERVER WS_IPPORT_NAMESERVER
#define IPPORT_NETSTAT WS_IPPORT_NETSTAT
#define IPPORT_RESERVED WS_IPPORT_RESERVED
#define IPPORT_RJE WS_IPPORT_RJE
#define IPPORT_ROUTESERVER WS_IPPORT_ROUTESERVER
#define IPPORT_SMTP WS_IPPORT_SMTP
#define IPPORT_SUPDUP WS_IPPORT_SUPDUP
#define IPPORT_SYSTAT WS_IPPORT_SYSTAT
#define IPPORT_TELNET WS_IPPORT_TELNET
#define IPPORT_TFTP WS_IPPORT_TFTP
#define IPPORT_TIMESERVER WS_IPPORT_TIMESERVER
#define IPPORT_TTYLINK WS_IPPORT_TTYLINK
#define IPPORT_WHOIS WS_IPPORT_WHOIS
#define IPPORT_WHOSERVER WS_IPPORT_WHOSERVER
#define IPPROTO_AH WS_IPPROTO_AH
#define IPPROTO_CBT WS_IPPROTO_CBT
#define IPPROTO_DSTOPTS WS_IPPROTO_DSTOPTS
#define IPPROTO_EGP WS_IPPROTO_EGP
#define IPPROTO_ESP WS_IPPROTO_ESP
#define IPPROTO_FRAGMENT WS_IPPROTO_FRAGMENT
#define IPPROTO_GGP WS_IPPROTO_GGP
#define IPPROTO_HOPOPTS WS_IPPROTO_HOPOPTS
#define IPPROTO_ICLFXBM WS_IPPROTO_ICLFXBM
#define IPPROTO_ICMP WS_IPPROTO_ICMP
#define IPPROTO_ICMPV6 WS_IPPROTO_ICMPV6
#define IPPROTO_IDP WS_IPPROTO_IDP
#define IPPROTO_IGMP WS_IPPROTO_IGMP
#define IPPROTO_IGP WS_IPPROTO_IGP
#define IPPROTO_IP WS_IPPROTO_IP
#define IPPROTO_IPV4 WS_IPPROTO_IPV4
#define IPPROTO_IPV6 WS_IPPROTO_IPV6
#define IPPROTO_L2TP WS_IPPROTO_L2TP
#define IPPROTO_MAX WS_IPPROTO_MAX
#define IPPROTO_ND WS_IPPROTO_ND
#define IPPROTO_NONE WS_IPPROTO_NONE
#define IPPROTO_PGM WS_IPPROTO_PGM
#define IPPROTO_PIM WS_IPPROTO_PIM
#define IPPROTO_PUP WS_IPPROTO_PUP
#define IPPROTO_RAW WS_IPPROTO_RAW
#define IPPROTO_RDP WS_IPPROTO_RDP
#define IPPROTO_RESERVED_IPSEC WS_IPPROTO_RESERVED_IPSEC
#define IPPROTO_RESERVED_IPSECOFFLOAD WS_IPPROTO_RESERVED_IPSECOFFLOAD
#define IPPROTO_RESERVED_MAX WS_IPPROTO_RESERVED_MAX
#define IPPROTO_RESERVED_RAW WS_IPPROTO_RESERVED_RAW
#define IPPROTO_RESERVED_WNV WS_IPPROTO_RESERVED_WNV
#define IPPROTO_ROUTING WS_IPPROTO_ROUTING
#define IPPROTO_SCTP WS_IPPROTO_SCTP
#define IPPROTO_ST WS_IPPROTO_ST
#define IPPROTO_TCP WS_IPPROTO_TCP
#define IPPROTO_UDP WS_IPPROTO_UDP
#define MSG_BCAST WS_MSG_BCAST
#define MSG_CTRUNC WS_MSG_CTRUNC
#define MSG_DONTROUTE WS_MSG_DONTROUTE
#define MSG_ERRQUEUE WS_MSG_ERRQUEUE
#define MSG_INTERRUPT WS_MSG_INTERRUPT
#define MSG_MAXIOVLEN WS_MSG_MAXIOVLEN
#define MSG_MCAST WS_MSG_MCAST
#define MSG_OOB WS_MSG_OOB
#define MSG_PARTIAL WS_MSG_PARTIAL
#define MSG_PEEK WS_MSG_PEEK
#define MSG_PUSH_IMMEDIATE WS_MSG_PUSH_IMMEDIATE
#define MSG_TRUNC WS_MSG_TRUNC
#define MSG_WAITALL WS_MSG_WAITALL
#define NI_DGRAM WS_NI_DGRAM
#define NI_MAXHOST WS_NI_MAXHOST
#define NI_MAXSERV WS_NI_MAXSERV
#define NI_NAMEREQD WS_NI_NAMEREQD
#define NI_NOFQDN WS_NI_NOFQDN
#define NI_NUMERICHOST WS_NI_NUMERICHOST
#define NI_NUMERICSERV WS_NI_NUMERICSERV
#define SOL_SOCKET WS_SOL_SOCKET
#define SO_ACCEPTCONN WS_SO_ACCEPTCONN
#define SO_BROADCAST WS_SO_BROADCAST
#define SO_BSP_STATE WS_SO_BSP_STATE
#define SO_COMPARTMENT_ID WS_SO_COMPARTMENT_ID
#define SO_CONDITIONAL_ACCEPT WS_SO_CONDITIONAL_ACCEPT
#define SO_DEBUG WS_SO_DEBUG
#define SO_DONTLINGER WS_SO_DONTLINGER
#define SO_DONTROUTE WS_SO_DONTROUTE
#define SO_ERROR WS_SO_ERROR
#define SO_EXCLUSIVEADDRUSE WS_SO_EXCLUSIVEADDRUSE
#define SO_GROUP_ID WS_SO_GROUP_ID
#define SO_GROUP_PRIORITY WS_SO_GROUP_PRIORITY
#define SO_KEEPALIVE WS_SO_KEEPALIVE
#define SO_LINGER WS_SO_LINGER
#define SO_MAX_MSG_SIZE WS_SO_MAX_MSG_SIZE
#define SO_OOBINLINE WS_SO_OOBINLINE
#define SO_PAUSE_ACCEPT WS_SO_PAUSE_ACCEPT
#define SO_PORT_SCALABILITY WS_SO_PORT_SCALABILITY
#define SO_RANDOMIZE_PORT WS_SO_RANDOMIZE_PORT
#define SO_RCVBUF WS_SO_RCVBUF
#define SO_RCVLOWAT WS_SO_RCVLOWAT
#define SO_RCVTIMEO WS_SO_RCVTIMEO
#define SO_REUSEADDR WS_SO_REUSEADDR
#define SO_REUSE_MULTICASTPORT WS_SO_REUSE_MULTICASTPORT
#define SO_REUSE_UNICASTPORT WS_SO_REUSE_UNICASTPORT
#define SO_SNDBUF WS_SO_SNDBUF
#define SO_SNDLOWAT WS_SO_SNDLOWAT
#define SO_SNDTIMEO WS_SO_SNDTIMEO
#define SO_TYPE WS_SO_TYPE
#define SO_USELOOPBACK WS_SO_USELOOPBACK
#define TCP_NODELAY WS_TCP_NODELAY
#define addrinfo WS_addrinfo
#define sockaddr WS_sockaddr
#define sockaddr_in WS_sockaddr_in
#define sockaddr_storage WS_sockaddr_storage
#endif
/* @ws2-map-end */

WS2_END_DECLS

#endif /* WS2_WS2DEF_H */
