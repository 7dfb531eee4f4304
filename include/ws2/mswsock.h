/*
 * mswsock.h: the Microsoft extensions to Winsock: the extension functions
 * an application obtains with SIO_GET_EXTENSION_FUNCTION_POINTER (AcceptEx,
 * ConnectEx, DisconnectEx, GetAcceptExSockaddrs, TransmitFile,
 * TransmitPackets, WSARecvMsg, WSASendMsg, WSAPoll) with their GUIDs and
 * LPFN_ types, the SO_* options that go with them, and the SIO_* codes of
 * the base-provider handle protocol (SIO_BASE_HANDLE, SIO_BSP_HANDLE_*).
 */
#ifndef WS2_MSWSOCK_H
#define WS2_MSWSOCK_H

#include "winsock2.h"

WS2_BEGIN_DECLS

/* Options at level SOL_SOCKET. */
#define WS_SO_CONNDATA 0x7000
#define WS_SO_CONNOPT 0x7001
#define WS_SO_DISCDATA 0x7002
#define WS_SO_DISCOPT 0x7003
#define WS_SO_CONNDATALEN 0x7004
#define WS_SO_CONNOPTLEN 0x7005
#define WS_SO_DISCDATALEN 0x7006
#define WS_SO_DISCOPTLEN 0x7007
/*
 * SO_OPENTYPE is per thread: SO_SYNCHRONOUS_ALERT or _NONALERT make the
 * thread's later socket() calls create non-overlapped sockets.
 */
#define WS_SO_OPENTYPE 0x7008
#define WS_SO_SYNCHRONOUS_ALERT 0x10
#define WS_SO_SYNCHRONOUS_NONALERT 0x20
#define WS_SO_MAXDG 0x7009
#define WS_SO_MAXPATHDG 0x700A
/* Set after AcceptEx (value: the listening SOCKET) and after ConnectEx. */
#define WS_SO_UPDATE_ACCEPT_CONTEXT 0x700B
#define WS_SO_CONNECT_TIME 0x700C
#define WS_SO_UPDATE_CONNECT_CONTEXT 0x7010

/* Option at level IPPROTO_TCP. */
#define WS_TCP_BSDURGENT 0x7000

/* Vendor ioctls. */
#define SIO_UDP_CONNRESET _WSAIOW(IOC_VENDOR, 12)
#define SIO_SOCKET_CLOSE_NOTIFY _WSAIOW(IOC_VENDOR, 13)
/* SDK-only (not in mingw-w64 10). */
#define SIO_UDP_NETRESET _WSAIOW(IOC_VENDOR, 15)

/*
 * The base-provider handle protocol (Vista and later). SIO_BASE_HANDLE
 * returns the base provider's socket and must never be intercepted by a
 * layer; SIO_BSP_HANDLE{,_SELECT,_POLL} return the socket ws2_32 should
 * use for WSASendMsg, select and WSAPoll; SIO_EXT_* are the private calls
 * through which it then delivers them.
 */
#define SIO_BSP_HANDLE _WSAIOR(IOC_WS2, 27)
#define SIO_BSP_HANDLE_SELECT _WSAIOR(IOC_WS2, 28)
#define SIO_BSP_HANDLE_POLL _WSAIOR(IOC_WS2, 29)
#define SIO_EXT_SELECT _WSAIORW(IOC_WS2, 30)
#define SIO_EXT_POLL _WSAIORW(IOC_WS2, 31)
#define SIO_EXT_SENDMSG _WSAIORW(IOC_WS2, 32)
#define SIO_BASE_HANDLE _WSAIOR(IOC_WS2, 34)

/* WSARecvEx: recv that reports a partial message through *flags. */
WINSOCK_API_LINKAGE int PASCAL WSARecvEx(SOCKET s, char *buf, int len,
                                         int *flags);

/* TransmitFile. */
typedef struct _TRANSMIT_FILE_BUFFERS {
  LPVOID Head;
  DWORD HeadLength;
  LPVOID Tail;
  DWORD TailLength;
} TRANSMIT_FILE_BUFFERS, *PTRANSMIT_FILE_BUFFERS, *LPTRANSMIT_FILE_BUFFERS;

#define TF_DISCONNECT 0x01
#define TF_REUSE_SOCKET 0x02
#define TF_WRITE_BEHIND 0x04
#define TF_USE_DEFAULT_WORKER 0x00
#define TF_USE_SYSTEM_THREAD 0x10
#define TF_USE_KERNEL_APC 0x20

/*
 * mswsock.dll also exports these three directly; portable code obtains
 * them per socket through SIO_GET_EXTENSION_FUNCTION_POINTER instead.
 */
WINSOCK_API_LINKAGE BOOL PASCAL TransmitFile(
    SOCKET hSocket, HANDLE hFile, DWORD nNumberOfBytesToWrite,
    DWORD nNumberOfBytesPerSend, LPOVERLAPPED lpOverlapped,
    LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers, DWORD dwReserved);
WINSOCK_API_LINKAGE BOOL PASCAL AcceptEx(
    SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer,
    DWORD dwReceiveDataLength, DWORD dwLocalAddressLength,
    DWORD dwRemoteAddressLength, LPDWORD lpdwBytesReceived,
    LPOVERLAPPED lpOverlapped);
WINSOCK_API_LINKAGE VOID PASCAL GetAcceptExSockaddrs(
    PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
    DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
    struct WS_sockaddr **LocalSockaddr, LPINT LocalSockaddrLength,
    struct WS_sockaddr **RemoteSockaddr, LPINT RemoteSockaddrLength);

typedef BOOL(PASCAL *LPFN_TRANSMITFILE)(
    SOCKET hSocket, HANDLE hFile, DWORD nNumberOfBytesToWrite,
    DWORD nNumberOfBytesPerSend, LPOVERLAPPED lpOverlapped,
    LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers, DWORD dwReserved);
#define WSAID_TRANSMITFILE \
  {0xb5367df0, 0xcbac, 0x11cf, {0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}

typedef BOOL(PASCAL *LPFN_ACCEPTEX)(
    SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer,
    DWORD dwReceiveDataLength, DWORD dwLocalAddressLength,
    DWORD dwRemoteAddressLength, LPDWORD lpdwBytesReceived,
    LPOVERLAPPED lpOverlapped);
#define WSAID_ACCEPTEX \
  {0xb5367df1, 0xcbac, 0x11cf, {0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}

typedef VOID(PASCAL *LPFN_GETACCEPTEXSOCKADDRS)(
    PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
    DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
    struct WS_sockaddr **LocalSockaddr, LPINT LocalSockaddrLength,
    struct WS_sockaddr **RemoteSockaddr, LPINT RemoteSockaddrLength);
#define WSAID_GETACCEPTEXSOCKADDRS \
  {0xb5367df2, 0xcbac, 0x11cf, {0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}

/* TransmitPackets. */
typedef struct _TRANSMIT_PACKETS_ELEMENT {
  ULONG dwElFlags;
  ULONG cLength;
  union {
    struct {
      LARGE_INTEGER nFileOffset;
      HANDLE hFile;
    };
    PVOID pBuffer;
  };
} TRANSMIT_PACKETS_ELEMENT, *PTRANSMIT_PACKETS_ELEMENT,
    *LPTRANSMIT_PACKETS_ELEMENT;

#define TP_ELEMENT_MEMORY 1
#define TP_ELEMENT_FILE 2
#define TP_ELEMENT_EOP 4

#define TP_DISCONNECT TF_DISCONNECT
#define TP_REUSE_SOCKET TF_REUSE_SOCKET
#define TP_USE_DEFAULT_WORKER TF_USE_DEFAULT_WORKER
#define TP_USE_SYSTEM_THREAD TF_USE_SYSTEM_THREAD
#define TP_USE_KERNEL_APC TF_USE_KERNEL_APC

typedef BOOL(PASCAL *LPFN_TRANSMITPACKETS)(
    SOCKET hSocket, LPTRANSMIT_PACKETS_ELEMENT lpPacketArray,
    DWORD nElementCount, DWORD nSendSize, LPOVERLAPPED lpOverlapped,
    DWORD dwFlags);
#define WSAID_TRANSMITPACKETS \
  {0xd9689da0, 0x1f90, 0x11d3, {0x99, 0x71, 0x00, 0xc0, 0x4f, 0x68, 0xc8, 0x76}}

/* ConnectEx: the socket must already be bound. */
typedef BOOL(PASCAL *LPFN_CONNECTEX)(SOCKET s, const struct WS_sockaddr *name,
                                     int namelen, PVOID lpSendBuffer,
                                     DWORD dwSendDataLength,
                                     LPDWORD lpdwBytesSent,
                                     LPOVERLAPPED lpOverlapped);
#define WSAID_CONNECTEX \
  {0x25a207b9, 0xddf3, 0x4660, {0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e}}

/* DisconnectEx. */
typedef BOOL(PASCAL *LPFN_DISCONNECTEX)(SOCKET s, LPOVERLAPPED lpOverlapped,
                                        DWORD dwFlags, DWORD dwReserved);
#define WSAID_DISCONNECTEX \
  {0x7fda2e11, 0x8630, 0x436f, {0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57}}
#define DE_REUSE_SOCKET TF_REUSE_SOCKET

/* WSARecvMsg. */
typedef INT(PASCAL *LPFN_WSARECVMSG)(
    SOCKET s, LPWSAMSG lpMsg, LPDWORD lpdwNumberOfBytesRecvd,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
#define WSAID_WSARECVMSG \
  {0xf689d7c8, 0x6f1f, 0x436b, {0x8a, 0x53, 0xe5, 0x4f, 0xe3, 0x51, 0xc3, 0x22}}

/* WSASendMsg (also exported by ws2_32) and its SIO_EXT_SENDMSG input. */
typedef INT(WSAAPI *LPFN_WSASENDMSG)(
    SOCKET s, LPWSAMSG lpMsg, DWORD dwFlags, LPDWORD lpNumberOfBytesSent,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
#define WSAID_WSASENDMSG \
  {0xa441e712, 0x754f, 0x43ca, {0x84, 0xa7, 0x0d, 0xee, 0x44, 0xcf, 0x60, 0x6d}}

typedef struct {
  LPWSAMSG lpMsg;
  DWORD dwFlags;
  LPDWORD lpNumberOfBytesSent;
  LPWSAOVERLAPPED lpOverlapped;
  LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine;
} WSASENDMSG, *LPWSASENDMSG;

/*
 * WSAPoll (also exported by ws2_32) and its SIO_EXT_POLL input, whose
 * length is sizeof(WSAPOLLDATA) + fds * sizeof(WSAPOLLFD).
 */
typedef INT(WSAAPI *LPFN_WSAPOLL)(LPWSAPOLLFD fdarray, ULONG nfds,
                                  INT timeout);
#define WSAID_WSAPOLL \
  {0x18c76f85, 0xdc66, 0x4964, {0x97, 0x2e, 0x23, 0xc2, 0x72, 0x38, 0x31, 0x2b}}

typedef struct {
  int result;
  ULONG fds;
  INT timeout;
  WSAPOLLFD fdArray[];
} WSAPOLLDATA, *LPWSAPOLLDATA;

/*
 * Registered I/O is obtained with SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER
 * and this GUID (SDK-only). ws2 does not declare the RIO function table.
 */
#define WSAID_MULTIPLE_RIO \
  {0x8509e081, 0x96dd, 0x4005, {0xb1, 0x65, 0x9e, 0x2e, 0xe8, 0xc7, 0x9e, 0x3f}}

/* @ws2-map-begin (generated by test/headers/gen/mkmaps.py) */
#ifndef WS2_USE_PREFIX
#define SO_CONNDATA WS_SO_CONNDATA
#define SO_CONNDATALEN WS_SO_CONNDATALEN
#define SO_CONNECT_TIME WS_SO_CONNECT_TIME
#define SO_CONNOPT WS_SO_CONNOPT
#define SO_CONNOPTLEN WS_SO_CONNOPTLEN
#define SO_DISCDATA WS_SO_DISCDATA
#define SO_DISCDATALEN WS_SO_DISCDATALEN
#define SO_DISCOPT WS_SO_DISCOPT
#define SO_DISCOPTLEN WS_SO_DISCOPTLEN
#define SO_MAXDG WS_SO_MAXDG
#define SO_MAXPATHDG WS_SO_MAXPATHDG
#define SO_OPENTYPE WS_SO_OPENTYPE
#define SO_SYNCHRONOUS_ALERT WS_SO_SYNCHRONOUS_ALERT
#define SO_SYNCHRONOUS_NONALERT WS_SO_SYNCHRONOUS_NONALERT
#define SO_UPDATE_ACCEPT_CONTEXT WS_SO_UPDATE_ACCEPT_CONTEXT
#define SO_UPDATE_CONNECT_CONTEXT WS_SO_UPDATE_CONNECT_CONTEXT
#define TCP_BSDURGENT WS_TCP_BSDURGENT
#endif
/* @ws2-map-end */

WS2_END_DECLS

#endif /* WS2_MSWSOCK_H */
