/*
 * ws2spi.h: the Winsock 2 service provider interface. A transport provider
 * (a base provider or a layered service provider, LSP) exports WSPStartup;
 * ws2 calls it with the WSPUPCALLTABLE of upcalls (WPU*) and the provider
 * fills in a WSPPROC_TABLE of its 30 WSP* entry points. The WSC* functions
 * install, remove and inspect catalog entries.
 *
 * The member orders of WSPPROC_TABLE and WSPUPCALLTABLE are part of the
 * ABI and are Windows' exact orders (see docs/HEADERS.md and the layout
 * test). Every WSP function reports its error through *lpErrno.
 */
#ifndef WS2_WS2SPI_H
#define WS2_WS2SPI_H

#include "winsock2.h"

WS2_BEGIN_DECLS

#define WSPDESCRIPTION_LEN 255

/* The status a provider stores in OVERLAPPED.Internal while pending. */
#define WSS_OPERATION_IN_PROGRESS 0x00000103

/* WSPStartup's answer about the provider. */
typedef struct WSPData {
  WORD wVersion;
  WORD wHighVersion;
  WCHAR szDescription[WSPDESCRIPTION_LEN + 1];
} WSPDATA, *LPWSPDATA;

/*
 * The thread that issued an overlapped call, for WPUQueueApc: completion
 * routines run as APCs on that thread.
 */
typedef struct _WSATHREADID {
  HANDLE ThreadHandle;
  DWORD_PTR Reserved;
} WSATHREADID, *LPWSATHREADID;

typedef BOOL(CALLBACK *LPBLOCKINGCALLBACK)(DWORD_PTR dwContext);
typedef VOID(CALLBACK *LPWSAUSERAPC)(DWORD_PTR dwContext);

/* The provider entry points, in WSPPROC_TABLE order. */
typedef SOCKET(WSPAPI *LPWSPACCEPT)(SOCKET s, struct WS_sockaddr *addr,
                                    LPINT addrlen,
                                    LPCONDITIONPROC lpfnCondition,
                                    DWORD_PTR dwCallbackData, LPINT lpErrno);
typedef INT(WSPAPI *LPWSPADDRESSTOSTRING)(LPSOCKADDR lpsaAddress,
                                          DWORD dwAddressLength,
                                          LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                          LPWSTR lpszAddressString,
                                          LPDWORD lpdwAddressStringLength,
                                          LPINT lpErrno);
/* lEvent is a Windows long: 32 bits. */
typedef int(WSPAPI *LPWSPASYNCSELECT)(SOCKET s, HWND hWnd, unsigned int wMsg,
                                      LONG lEvent, LPINT lpErrno);
typedef int(WSPAPI *LPWSPBIND)(SOCKET s, const struct WS_sockaddr *name,
                               int namelen, LPINT lpErrno);
typedef int(WSPAPI *LPWSPCANCELBLOCKINGCALL)(LPINT lpErrno);
typedef int(WSPAPI *LPWSPCLEANUP)(LPINT lpErrno);
typedef int(WSPAPI *LPWSPCLOSESOCKET)(SOCKET s, LPINT lpErrno);
typedef int(WSPAPI *LPWSPCONNECT)(SOCKET s, const struct WS_sockaddr *name,
                                  int namelen, LPWSABUF lpCallerData,
                                  LPWSABUF lpCalleeData, LPQOS lpSQOS,
                                  LPQOS lpGQOS, LPINT lpErrno);
typedef int(WSPAPI *LPWSPDUPLICATESOCKET)(SOCKET s, DWORD dwProcessId,
                                          LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                          LPINT lpErrno);
typedef int(WSPAPI *LPWSPENUMNETWORKEVENTS)(
    SOCKET s, WSAEVENT hEventObject, LPWSANETWORKEVENTS lpNetworkEvents,
    LPINT lpErrno);
typedef int(WSPAPI *LPWSPEVENTSELECT)(SOCKET s, WSAEVENT hEventObject,
                                      LONG lNetworkEvents, LPINT lpErrno);
typedef BOOL(WSPAPI *LPWSPGETOVERLAPPEDRESULT)(SOCKET s,
                                               LPWSAOVERLAPPED lpOverlapped,
                                               LPDWORD lpcbTransfer,
                                               BOOL fWait, LPDWORD lpdwFlags,
                                               LPINT lpErrno);
typedef int(WSPAPI *LPWSPGETPEERNAME)(SOCKET s, struct WS_sockaddr *name,
                                      LPINT namelen, LPINT lpErrno);
typedef int(WSPAPI *LPWSPGETSOCKNAME)(SOCKET s, struct WS_sockaddr *name,
                                      LPINT namelen, LPINT lpErrno);
typedef int(WSPAPI *LPWSPGETSOCKOPT)(SOCKET s, int level, int optname,
                                     char *optval, LPINT optlen,
                                     LPINT lpErrno);
typedef BOOL(WSPAPI *LPWSPGETQOSBYNAME)(SOCKET s, LPWSABUF lpQOSName,
                                        LPQOS lpQOS, LPINT lpErrno);
typedef int(WSPAPI *LPWSPIOCTL)(
    SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer,
    LPVOID lpvOutBuffer, DWORD cbOutBuffer, LPDWORD lpcbBytesReturned,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
    LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef SOCKET(WSPAPI *LPWSPJOINLEAF)(SOCKET s,
                                      const struct WS_sockaddr *name,
                                      int namelen, LPWSABUF lpCallerData,
                                      LPWSABUF lpCalleeData, LPQOS lpSQOS,
                                      LPQOS lpGQOS, DWORD dwFlags,
                                      LPINT lpErrno);
typedef int(WSPAPI *LPWSPLISTEN)(SOCKET s, int backlog, LPINT lpErrno);
typedef int(WSPAPI *LPWSPRECV)(
    SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
    LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
    LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int(WSPAPI *LPWSPRECVDISCONNECT)(SOCKET s,
                                         LPWSABUF lpInboundDisconnectData,
                                         LPINT lpErrno);
typedef int(WSPAPI *LPWSPRECVFROM)(
    SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
    LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
    struct WS_sockaddr *lpFrom, LPINT lpFromlen,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
    LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int(WSPAPI *LPWSPSELECT)(int nfds, WS_fd_set *readfds,
                                 WS_fd_set *writefds, WS_fd_set *exceptfds,
                                 const struct WS_timeval *timeout,
                                 LPINT lpErrno);
typedef int(WSPAPI *LPWSPSEND)(
    SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
    LPDWORD lpNumberOfBytesSent, DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
    LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int(WSPAPI *LPWSPSENDDISCONNECT)(SOCKET s,
                                         LPWSABUF lpOutboundDisconnectData,
                                         LPINT lpErrno);
typedef int(WSPAPI *LPWSPSENDTO)(
    SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
    LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
    const struct WS_sockaddr *lpTo, int iTolen,
    LPWSAOVERLAPPED lpOverlapped,
    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
    LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int(WSPAPI *LPWSPSETSOCKOPT)(SOCKET s, int level, int optname,
                                     const char *optval, int optlen,
                                     LPINT lpErrno);
typedef int(WSPAPI *LPWSPSHUTDOWN)(SOCKET s, int how, LPINT lpErrno);
typedef SOCKET(WSPAPI *LPWSPSOCKET)(int af, int type, int protocol,
                                    LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                    GROUP g, DWORD dwFlags, LPINT lpErrno);
typedef INT(WSPAPI *LPWSPSTRINGTOADDRESS)(LPWSTR AddressString,
                                          INT AddressFamily,
                                          LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                          LPSOCKADDR lpAddress,
                                          LPINT lpAddressLength,
                                          LPINT lpErrno);

/*
 * The provider's dispatch table: 30 pointers, alphabetical except that
 * GetSockName and GetSockOpt precede GetQOSByName.
 */
typedef struct _WSPPROC_TABLE {
  LPWSPACCEPT lpWSPAccept;
  LPWSPADDRESSTOSTRING lpWSPAddressToString;
  LPWSPASYNCSELECT lpWSPAsyncSelect;
  LPWSPBIND lpWSPBind;
  LPWSPCANCELBLOCKINGCALL lpWSPCancelBlockingCall;
  LPWSPCLEANUP lpWSPCleanup;
  LPWSPCLOSESOCKET lpWSPCloseSocket;
  LPWSPCONNECT lpWSPConnect;
  LPWSPDUPLICATESOCKET lpWSPDuplicateSocket;
  LPWSPENUMNETWORKEVENTS lpWSPEnumNetworkEvents;
  LPWSPEVENTSELECT lpWSPEventSelect;
  LPWSPGETOVERLAPPEDRESULT lpWSPGetOverlappedResult;
  LPWSPGETPEERNAME lpWSPGetPeerName;
  LPWSPGETSOCKNAME lpWSPGetSockName;
  LPWSPGETSOCKOPT lpWSPGetSockOpt;
  LPWSPGETQOSBYNAME lpWSPGetQOSByName;
  LPWSPIOCTL lpWSPIoctl;
  LPWSPJOINLEAF lpWSPJoinLeaf;
  LPWSPLISTEN lpWSPListen;
  LPWSPRECV lpWSPRecv;
  LPWSPRECVDISCONNECT lpWSPRecvDisconnect;
  LPWSPRECVFROM lpWSPRecvFrom;
  LPWSPSELECT lpWSPSelect;
  LPWSPSEND lpWSPSend;
  LPWSPSENDDISCONNECT lpWSPSendDisconnect;
  LPWSPSENDTO lpWSPSendTo;
  LPWSPSETSOCKOPT lpWSPSetSockOpt;
  LPWSPSHUTDOWN lpWSPShutdown;
  LPWSPSOCKET lpWSPSocket;
  LPWSPSTRINGTOADDRESS lpWSPStringToAddress;
} WSPPROC_TABLE, *LPWSPPROC_TABLE;

/* The upcalls ws2 offers providers, in WSPUPCALLTABLE order. */
typedef BOOL(WSPAPI *LPWPUCLOSEEVENT)(WSAEVENT hEvent, LPINT lpErrno);
typedef int(WSPAPI *LPWPUCLOSESOCKETHANDLE)(SOCKET s, LPINT lpErrno);
typedef WSAEVENT(WSPAPI *LPWPUCREATEEVENT)(LPINT lpErrno);
typedef SOCKET(WSPAPI *LPWPUCREATESOCKETHANDLE)(DWORD dwCatalogEntryId,
                                                DWORD_PTR dwContext,
                                                LPINT lpErrno);
typedef int(WSPAPI *LPWPUFDISSET)(SOCKET s, WS_fd_set *fdset);
typedef int(WSPAPI *LPWPUGETPROVIDERPATH)(LPGUID lpProviderId,
                                          WCHAR *lpszProviderDllPath,
                                          LPINT lpProviderDllPathLen,
                                          LPINT lpErrno);
typedef SOCKET(WSPAPI *LPWPUMODIFYIFSHANDLE)(DWORD dwCatalogEntryId,
                                             SOCKET ProposedHandle,
                                             LPINT lpErrno);
typedef BOOL(WSPAPI *LPWPUPOSTMESSAGE)(HWND hWnd, UINT Msg, WPARAM wParam,
                                       LPARAM lParam);
typedef int(WSPAPI *LPWPUQUERYBLOCKINGCALLBACK)(
    DWORD dwCatalogEntryId, LPBLOCKINGCALLBACK *lplpfnCallback,
    PDWORD_PTR lpdwContext, LPINT lpErrno);
typedef int(WSPAPI *LPWPUQUERYSOCKETHANDLECONTEXT)(SOCKET s,
                                                   PDWORD_PTR lpContext,
                                                   LPINT lpErrno);
typedef int(WSPAPI *LPWPUQUEUEAPC)(LPWSATHREADID lpThreadId,
                                   LPWSAUSERAPC lpfnUserApc,
                                   DWORD_PTR dwContext, LPINT lpErrno);
typedef BOOL(WSPAPI *LPWPURESETEVENT)(WSAEVENT hEvent, LPINT lpErrno);
typedef BOOL(WSPAPI *LPWPUSETEVENT)(WSAEVENT hEvent, LPINT lpErrno);
typedef int(WSPAPI *LPWPUOPENCURRENTTHREAD)(LPWSATHREADID lpThreadId,
                                            LPINT lpErrno);
typedef int(WSPAPI *LPWPUCLOSETHREAD)(LPWSATHREADID lpThreadId,
                                      LPINT lpErrno);
typedef int(WSPAPI *LPWPUCOMPLETEOVERLAPPEDREQUEST)(
    SOCKET s, LPWSAOVERLAPPED lpOverlapped, DWORD dwError,
    DWORD cbTransferred, LPINT lpErrno);

typedef struct _WSPUPCALLTABLE {
  LPWPUCLOSEEVENT lpWPUCloseEvent;
  LPWPUCLOSESOCKETHANDLE lpWPUCloseSocketHandle;
  LPWPUCREATEEVENT lpWPUCreateEvent;
  LPWPUCREATESOCKETHANDLE lpWPUCreateSocketHandle;
  LPWPUFDISSET lpWPUFDIsSet;
  LPWPUGETPROVIDERPATH lpWPUGetProviderPath;
  LPWPUMODIFYIFSHANDLE lpWPUModifyIFSHandle;
  LPWPUPOSTMESSAGE lpWPUPostMessage;
  LPWPUQUERYBLOCKINGCALLBACK lpWPUQueryBlockingCallback;
  LPWPUQUERYSOCKETHANDLECONTEXT lpWPUQuerySocketHandleContext;
  LPWPUQUEUEAPC lpWPUQueueApc;
  LPWPURESETEVENT lpWPUResetEvent;
  LPWPUSETEVENT lpWPUSetEvent;
  LPWPUOPENCURRENTTHREAD lpWPUOpenCurrentThread;
  LPWPUCLOSETHREAD lpWPUCloseThread;
} WSPUPCALLTABLE, *LPWSPUPCALLTABLE;

/*
 * The SAN-provider form (ws2san.h on Windows): the same 15 upcalls and
 * WPUCompleteOverlappedRequest, passed by pointer to WSPStartupEx.
 */
typedef struct _WSPUPCALLTABLEEX {
  LPWPUCLOSEEVENT lpWPUCloseEvent;
  LPWPUCLOSESOCKETHANDLE lpWPUCloseSocketHandle;
  LPWPUCREATEEVENT lpWPUCreateEvent;
  LPWPUCREATESOCKETHANDLE lpWPUCreateSocketHandle;
  LPWPUFDISSET lpWPUFDIsSet;
  LPWPUGETPROVIDERPATH lpWPUGetProviderPath;
  LPWPUMODIFYIFSHANDLE lpWPUModifyIFSHandle;
  LPWPUPOSTMESSAGE lpWPUPostMessage;
  LPWPUQUERYBLOCKINGCALLBACK lpWPUQueryBlockingCallback;
  LPWPUQUERYSOCKETHANDLECONTEXT lpWPUQuerySocketHandleContext;
  LPWPUQUEUEAPC lpWPUQueueApc;
  LPWPURESETEVENT lpWPUResetEvent;
  LPWPUSETEVENT lpWPUSetEvent;
  LPWPUOPENCURRENTTHREAD lpWPUOpenCurrentThread;
  LPWPUCLOSETHREAD lpWPUCloseThread;
  LPWPUCOMPLETEOVERLAPPEDREQUEST lpWPUCompleteOverlappedRequest;
} WSPUPCALLTABLEEX, *LPWSPUPCALLTABLEEX;

/*
 * The entry point every provider exports. Declared with default
 * visibility so that a provider built -fvisibility=hidden still exports
 * its definition. The upcall table is passed by value.
 */
WS2_API int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                              LPWSAPROTOCOL_INFOW lpProtocolInfo,
                              WSPUPCALLTABLE UpcallTable,
                              LPWSPPROC_TABLE lpProcTable);
typedef int(WSPAPI *LPWSPSTARTUP)(WORD wVersionRequested, LPWSPDATA lpWSPData,
                                  LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                  WSPUPCALLTABLE UpcallTable,
                                  LPWSPPROC_TABLE lpProcTable);
typedef int(WSPAPI *LPWSPSTARTUPEX)(WORD wVersionRequested,
                                    LPWSPDATA lpWSPData,
                                    LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                    LPWSPUPCALLTABLEEX lpUpcallTable,
                                    LPWSPPROC_TABLE lpProcTable);

/* The one upcall ws2_32 also exports by name. */
WS2_API int WSPAPI WPUCompleteOverlappedRequest(SOCKET s,
                                                LPWSAOVERLAPPED lpOverlapped,
                                                DWORD dwError,
                                                DWORD cbTransferred,
                                                LPINT lpErrno);

/* Completing a WSAAsyncGetXByY-style request of an NSPv2 provider. */
WS2_API INT WSPAPI WSAProviderCompleteAsyncCall(HANDLE hAsyncCall,
                                                INT iRetCode);

/*
 * Catalog installation. A provider path may contain %environment%
 * references; WSCGetProviderPath returns it unexpanded.
 */
WS2_API int WSPAPI WSCEnumProtocols(LPINT lpiProtocols,
                                    LPWSAPROTOCOL_INFOW lpProtocolBuffer,
                                    LPDWORD lpdwBufferLength, LPINT lpErrno);
WS2_API int WSPAPI WSCDeinstallProvider(LPGUID lpProviderId, LPINT lpErrno);
WS2_API int WSPAPI WSCInstallProvider(LPGUID lpProviderId,
                                      const WCHAR *lpszProviderDllPath,
                                      const LPWSAPROTOCOL_INFOW
                                          lpProtocolInfoList,
                                      DWORD dwNumberOfEntries,
                                      LPINT lpErrno);
WS2_API int WSPAPI WSCGetProviderPath(LPGUID lpProviderId,
                                      WCHAR *lpszProviderDllPath,
                                      LPINT lpProviderDllPathLen,
                                      LPINT lpErrno);
WS2_API int WSPAPI WSCUpdateProvider(LPGUID lpProviderId,
                                     const WCHAR *lpszProviderDllPath,
                                     const LPWSAPROTOCOL_INFOW
                                         lpProtocolInfoList,
                                     DWORD dwNumberOfEntries, LPINT lpErrno);
/*
 * Installs an LSP's layered entry and, for each entry of lpProtocolInfoList
 * it layers over, a protocol chain with this layer on top.
 */
WS2_API int WSPAPI WSCInstallProviderAndChains(
    LPGUID lpProviderId, const LPWSTR lpszProviderDllPath,
    const LPWSTR lpszLspName, DWORD dwServiceFlags,
    LPWSAPROTOCOL_INFOW lpProtocolInfoList, DWORD dwNumberOfEntries,
    LPDWORD lpdwCatalogEntryId, LPINT lpErrno);

/*
 * The 64-bit Windows entry points that also manage the 32-bit catalog.
 * ws2 has a single catalog; they are declared for installers that call
 * them (Microsoft's LSP sample does on x64).
 */
WS2_API int WSPAPI WSCInstallProvider64_32(LPGUID lpProviderId,
                                           const WCHAR *lpszProviderDllPath,
                                           const LPWSAPROTOCOL_INFOW
                                               lpProtocolInfoList,
                                           DWORD dwNumberOfEntries,
                                           LPINT lpErrno);
WS2_API int WSPAPI WSCInstallProviderAndChains64_32(
    LPGUID lpProviderId, const LPWSTR lpszProviderDllPath,
    const LPWSTR lpszProviderDllPath32, const LPWSTR lpszLspName,
    DWORD dwServiceFlags, LPWSAPROTOCOL_INFOW lpProtocolInfoList,
    DWORD dwNumberOfEntries, LPDWORD lpdwCatalogEntryId, LPINT lpErrno);
WS2_API int WSPAPI WSCEnumProtocols32(LPINT lpiProtocols,
                                      LPWSAPROTOCOL_INFOW lpProtocolBuffer,
                                      LPDWORD lpdwBufferLength,
                                      LPINT lpErrno);
WS2_API int WSPAPI WSCDeinstallProvider32(LPGUID lpProviderId,
                                          LPINT lpErrno);
WS2_API int WSPAPI WSCGetProviderPath32(LPGUID lpProviderId,
                                        WCHAR *lpszProviderDllPath,
                                        LPINT lpProviderDllPathLen,
                                        LPINT lpErrno);
WS2_API int WSPAPI WSCUpdateProvider32(LPGUID lpProviderId,
                                       const WCHAR *lpszProviderDllPath,
                                       const LPWSAPROTOCOL_INFOW
                                           lpProtocolInfoList,
                                       DWORD dwNumberOfEntries,
                                       LPINT lpErrno);

/* Per-provider information (Vista and later). */
typedef enum _WSC_PROVIDER_INFO_TYPE {
  ProviderInfoLspCategories,
  ProviderInfoAudit
} WSC_PROVIDER_INFO_TYPE;

typedef struct _WSC_PROVIDER_AUDIT_INFO {
  DWORD RecordSize;
  PVOID Reserved;
} WSC_PROVIDER_AUDIT_INFO;

WS2_API int WSPAPI WSCSetProviderInfo(LPGUID lpProviderId,
                                      WSC_PROVIDER_INFO_TYPE InfoType,
                                      PBYTE Info, size_t InfoSize,
                                      DWORD Flags, LPINT lpErrno);
WS2_API int WSPAPI WSCGetProviderInfo(LPGUID lpProviderId,
                                      WSC_PROVIDER_INFO_TYPE InfoType,
                                      PBYTE Info, size_t *InfoSize,
                                      DWORD Flags, LPINT lpErrno);
WS2_API int WSPAPI WSCSetProviderInfo32(LPGUID lpProviderId,
                                        WSC_PROVIDER_INFO_TYPE InfoType,
                                        PBYTE Info, size_t InfoSize,
                                        DWORD Flags, LPINT lpErrno);
WS2_API int WSPAPI WSCGetProviderInfo32(LPGUID lpProviderId,
                                        WSC_PROVIDER_INFO_TYPE InfoType,
                                        PBYTE Info, size_t *InfoSize,
                                        DWORD Flags, LPINT lpErrno);

/*
 * LSP categories: what a layer does (ProviderInfoLspCategories), and which
 * kinds of layer an application permits (WSCSetApplicationCategory).
 */
#define LSP_SYSTEM 0x80000000
#define LSP_INSPECTOR 0x00000001
#define LSP_REDIRECTOR 0x00000002
#define LSP_PROXY 0x00000004
#define LSP_FIREWALL 0x00000008
#define LSP_INBOUND_MODIFY 0x00000010
#define LSP_OUTBOUND_MODIFY 0x00000020
#define LSP_CRYPTO_COMPRESS 0x00000040
#define LSP_LOCAL_CACHE 0x00000080

WS2_API int WSPAPI WSCSetApplicationCategory(LPCWSTR Path, DWORD PathLength,
                                             LPCWSTR Extra,
                                             DWORD ExtraLength,
                                             DWORD PermittedLspCategories,
                                             DWORD *pPrevPermLspCat,
                                             LPINT lpErrno);
WS2_API int WSPAPI WSCGetApplicationCategory(LPCWSTR Path, DWORD PathLength,
                                             LPCWSTR Extra,
                                             DWORD ExtraLength,
                                             DWORD *pPermittedLspCategories,
                                             LPINT lpErrno);

/* Namespace providers. */
WS2_API INT WSPAPI WSCInstallNameSpace(LPWSTR lpszIdentifier,
                                       LPWSTR lpszPathName,
                                       DWORD dwNameSpace, DWORD dwVersion,
                                       LPGUID lpProviderId);
WS2_API INT WSPAPI WSCInstallNameSpaceEx(LPWSTR lpszIdentifier,
                                         LPWSTR lpszPathName,
                                         DWORD dwNameSpace, DWORD dwVersion,
                                         LPGUID lpProviderId,
                                         LPBLOB lpProviderSpecific);
WS2_API INT WSPAPI WSCUnInstallNameSpace(LPGUID lpProviderId);
WS2_API INT WSPAPI WSCEnableNSProvider(LPGUID lpProviderId, BOOL fEnable);
#define WSCEnumNameSpaceProviders WSAEnumNameSpaceProvidersW
#define WSCEnumNameSpaceProvidersEx WSAEnumNameSpaceProvidersExW

/* Function-pointer types of the catalog functions. */
typedef int(WSPAPI *LPWSCENUMPROTOCOLS)(LPINT lpiProtocols,
                                        LPWSAPROTOCOL_INFOW lpProtocolBuffer,
                                        LPDWORD lpdwBufferLength,
                                        LPINT lpErrno);
typedef int(WSPAPI *LPWSCDEINSTALLPROVIDER)(LPGUID lpProviderId,
                                            LPINT lpErrno);
typedef int(WSPAPI *LPWSCINSTALLPROVIDER)(LPGUID lpProviderId,
                                          const WCHAR *lpszProviderDllPath,
                                          const LPWSAPROTOCOL_INFOW
                                              lpProtocolInfoList,
                                          DWORD dwNumberOfEntries,
                                          LPINT lpErrno);
typedef int(WSPAPI *LPWSCGETPROVIDERPATH)(LPGUID lpProviderId,
                                          WCHAR *lpszProviderDllPath,
                                          LPINT lpProviderDllPathLen,
                                          LPINT lpErrno);
typedef int(WSPAPI *LPWSCUPDATEPROVIDER)(LPGUID lpProviderId,
                                         const WCHAR *lpszProviderDllPath,
                                         const LPWSAPROTOCOL_INFOW
                                             lpProtocolInfoList,
                                         DWORD dwNumberOfEntries,
                                         LPINT lpErrno);
typedef INT(WSPAPI *LPWSCINSTALLNAMESPACE)(LPWSTR lpszIdentifier,
                                           LPWSTR lpszPathName,
                                           DWORD dwNameSpace,
                                           DWORD dwVersion,
                                           LPGUID lpProviderId);
typedef INT(WSPAPI *LPWSCUNINSTALLNAMESPACE)(LPGUID lpProviderId);
typedef INT(WSPAPI *LPWSCENABLENSPROVIDER)(LPGUID lpProviderId,
                                           BOOL fEnable);
#define LPFN_WSCENUMNAMESPACEPROVIDERS LPFN_WSAENUMNAMESPACEPROVIDERSW

WS2_END_DECLS

#endif /* WS2_WS2SPI_H */
