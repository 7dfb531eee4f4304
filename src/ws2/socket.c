/*
 * socket.c: the Winsock API's socket entry points. Each checks that
 * Winsock is started, finds the provider that serves the socket (the
 * context its provider registered with WPUModifyIFSHandle), calls the
 * provider through its WSPPROC_TABLE, and turns *lpErrno into the thread's
 * last error: ws2 itself performs no I/O.
 */
#include "ws2/ws2.h"

#include <mswsock.h>
#include <windows.h>
#include <ws2spi.h>

#include "core/io.h"
#include "core/log.h"
#include "core/alloc.h"
#include "ws2/nifs.h"
#include "ws2/provider.h"

#include <stddef.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* The provider of s, and in *tag the handle's tag (0 when it has none). */
static ws2__provider_t *provider_and_tag(SOCKET s, uintptr_t *tag) {
  ws2__io_t *io;
  ws2__provider_t *p = NULL;
  *tag = 0;
  if (!ws2__check_started()) return NULL;
  /* The handle's tag (providers live until the last WSACleanup); a
   * duplicated handle has none and takes the object's context. */
  /* (Its low bit marks a non-IFS handle, nifs.h.) */
  if ((*tag = (uintptr_t)ws2__handle_tag((HANDLE)s)) != 0)
    return (ws2__provider_t *)(*tag & ~(uintptr_t)1);
  if ((io = ws2__io_get((HANDLE)s)) != NULL) {
    p = io->context;
    ws2__obj_unref(&io->obj);
  }
  if (!p) WSASetLastError(WSAENOTSOCK);
  return p;
}

ws2__provider_t *ws2__provider_of(SOCKET s) {
  uintptr_t tag;
  return provider_and_tag(s, &tag);
}

/*
 * ws2__provider_of for an overlapped call on s, with the call's request
 * begun when s is a non-IFS handle (ws2__nifs_begin): one look at the
 * handle's tag for both.
 */
static ws2__provider_t *provider_for_call(SOCKET s, LPWSAOVERLAPPED ovl,
                                          void *routine, ws2__nifs_call_t *nc) {
  uintptr_t tag;
  ws2__provider_t *p = provider_and_tag(s, &tag);
  nc->req = NULL;
  if (p && (tag & 1) && ovl && !routine) ws2__nifs_start(s, ovl, nc);
  return p;
}

/* The usual tail: SOCKET_ERROR with the provider's error, or the value.
 * The error is passed by address: it is read after the provider ran. */
static int result(int r, const int *err) {
  if (r == SOCKET_ERROR) WSASetLastError(*err);
  return r;
}

/*
 * The WSATHREADID providers get with a call that has a completion routine:
 * a layer that reports the completion itself queues the routine to that
 * thread with WPUQueueApc. One per thread (a duplicated handle of it),
 * made at its first such call and closed when the thread ends.
 */
static pthread_key_t tid_key;
static pthread_once_t tid_once = PTHREAD_ONCE_INIT;

static void tid_free(void *v) {
  WSATHREADID *t = v;
  CloseHandle(t->ThreadHandle);
  ws2__free(t);
}

static void tid_key_make(void) { (void)pthread_key_create(&tid_key, tid_free); }

static LPWSATHREADID thread_id(void *routine) {
  WSATHREADID *t;
  if (!routine) return NULL;
  pthread_once(&tid_once, tid_key_make);
  if ((t = pthread_getspecific(tid_key)) != NULL) return t;
  if (!(t = ws2__calloc(1, sizeof(*t)))) return NULL;
  if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(),
                       GetCurrentProcess(), &t->ThreadHandle, 0, FALSE,
                       DUPLICATE_SAME_ACCESS)) {
    ws2__free(t);
    return NULL;
  }
  t->Reserved = (DWORD_PTR)GetCurrentThreadId();
  (void)pthread_setspecific(tid_key, t);
  return t;
}

/* The tail of an overlapped call: on a non-IFS handle, ws2 learns what
 * the call returned (nifs.h), then the usual tail. */
static int overlapped_result(ws2__nifs_call_t *nc, int r, const int *err) {
  ws2__nifs_end(nc, r, *err);
  return result(r, err);
}

SOCKET WSAAPI WSASocketW(int af, int type, int protocol,
                         LPWSAPROTOCOL_INFOW lpProtocolInfo, GROUP g,
                         DWORD dwFlags) {
  ws2__provider_t *p;
  WSAPROTOCOL_INFOW chosen;
  SOCKET s;
  int err = 0;
  if (!ws2__check_started()) return INVALID_SOCKET;
  /* A duplicated socket's description (WSADuplicateSocket) goes to the
   * provider it names as it is; otherwise the provider gets the catalog
   * entry chosen, which tells a layer which chain it serves. */
  if (lpProtocolInfo && lpProtocolInfo->dwServiceFlags4) {
    p = ws2__provider_for_triple(af, type, protocol, lpProtocolInfo, NULL,
                                 &err);
  } else {
    p = ws2__provider_for_triple(af, type, protocol, lpProtocolInfo, &chosen,
                                 &err);
    if (p && !lpProtocolInfo) lpProtocolInfo = &chosen;
  }
  if (!p) {
    WSASetLastError(err);
    return INVALID_SOCKET;
  }
  s = p->procs.lpWSPSocket(af, type, protocol, lpProtocolInfo, g, dwFlags,
                           &err);
  if (s == INVALID_SOCKET) WSASetLastError(err);
  return s;
}

SOCKET WSAAPI WSASocketA(int af, int type, int protocol,
                         LPWSAPROTOCOL_INFOA lpProtocolInfo, GROUP g,
                         DWORD dwFlags) {
  WSAPROTOCOL_INFOW w;
  size_t i;
  if (!lpProtocolInfo) return WSASocketW(af, type, protocol, NULL, g, dwFlags);
  /* Everything up to szProtocol has the same layout. */
  memcpy(&w, lpProtocolInfo, offsetof(WSAPROTOCOL_INFOW, szProtocol));
  for (i = 0; i < WSAPROTOCOL_LEN + 1; i++)
    w.szProtocol[i] = (WCHAR)(unsigned char)lpProtocolInfo->szProtocol[i];
  return WSASocketW(af, type, protocol, &w, g, dwFlags);
}

SOCKET WSAAPI WS_socket(int af, int type, int protocol) {
  /* socket() makes overlapped sockets, as on Windows. */
  return WSASocketW(af, type, protocol, NULL, 0, WSA_FLAG_OVERLAPPED);
}

int WSAAPI closesocket(SOCKET s) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPCloseSocket(s, &err), &err);
}

int WSAAPI WS_bind(SOCKET s, const struct WS_sockaddr *name, int namelen) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPBind(s, name, namelen, &err), &err);
}

int WSAAPI WS_listen(SOCKET s, int backlog) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPListen(s, backlog, &err), &err);
}

SOCKET WSAAPI WSAAccept(SOCKET s, struct WS_sockaddr *addr, LPINT addrlen,
                        LPCONDITIONPROC lpfnCondition,
                        DWORD_PTR dwCallbackData) {
  ws2__provider_t *p = ws2__provider_of(s);
  SOCKET r;
  int err = 0;
  if (!p) return INVALID_SOCKET;
  r = p->procs.lpWSPAccept(s, addr, addrlen, lpfnCondition, dwCallbackData,
                           &err);
  if (r == INVALID_SOCKET) WSASetLastError(err);
  return r;
}

SOCKET WSAAPI WS_accept(SOCKET s, struct WS_sockaddr *addr, int *addrlen) {
  return WSAAccept(s, addr, addrlen, NULL, 0);
}

int WSAAPI WSAConnect(SOCKET s, const struct WS_sockaddr *name, int namelen,
                      LPWSABUF lpCallerData, LPWSABUF lpCalleeData,
                      LPQOS lpSQOS, LPQOS lpGQOS) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPConnect(s, name, namelen, lpCallerData,
                                      lpCalleeData, lpSQOS, lpGQOS, &err),
                &err);
}

int WSAAPI WS_connect(SOCKET s, const struct WS_sockaddr *name, int namelen) {
  return WSAConnect(s, name, namelen, NULL, NULL, NULL, NULL);
}

int WSAAPI WS_shutdown(SOCKET s, int how) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPShutdown(s, how, &err), &err);
}

int WSAAPI WSASendDisconnect(SOCKET s, LPWSABUF lpOutboundDisconnectData) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPSendDisconnect(s, lpOutboundDisconnectData, &err),
                &err);
}

int WSAAPI WSARecvDisconnect(SOCKET s, LPWSABUF lpInboundDisconnectData) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPRecvDisconnect(s, lpInboundDisconnectData, &err),
                &err);
}

int WSAAPI WS_getsockname(SOCKET s, struct WS_sockaddr *name, int *namelen) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPGetSockName(s, name, namelen, &err), &err);
}

int WSAAPI WS_getpeername(SOCKET s, struct WS_sockaddr *name, int *namelen) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPGetPeerName(s, name, namelen, &err), &err);
}

/* SO_PROTOCOL_INFOA/W of a socket of a layered chain: ws2 knows the
 * chain (the entry the socket's handle is bound to) whatever the layers
 * would say, so the application sees the entry its socket came from. */
static int chain_protocol_info(const WSAPROTOCOL_INFOW *e, int optname,
                               char *optval, int *optlen) {
  int wide = optname == WS_SO_PROTOCOL_INFOW;
  int size =
      wide ? (int)sizeof(WSAPROTOCOL_INFOW) : (int)sizeof(WSAPROTOCOL_INFOA);
  if (!optval || !optlen || *optlen < size) {
    WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  if (wide)
    memcpy(optval, e, sizeof(*e));
  else
    ws2__protocol_info_to_a((WSAPROTOCOL_INFOA *)optval, e);
  *optlen = size;
  return 0;
}

int WSAAPI WS_getsockopt(SOCKET s, int level, int optname, char *optval,
                         int *optlen) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  if (level == WS_SOL_SOCKET &&
      (optname == WS_SO_PROTOCOL_INFOW || optname == WS_SO_PROTOCOL_INFOA) &&
      p->entry && p->entry->ProtocolChain.ChainLen > BASE_PROTOCOL)
    return chain_protocol_info(p->entry, optname, optval, optlen);
  return result(
      p->procs.lpWSPGetSockOpt(s, level, optname, optval, optlen, &err), &err);
}

int WSAAPI WS_setsockopt(SOCKET s, int level, int optname, const char *optval,
                         int optlen) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(
      p->procs.lpWSPSetSockOpt(s, level, optname, optval, optlen, &err), &err);
}

/*
 * SIO_BASE_HANDLE is ws2's to answer, from the chain, not any layer's: the
 * socket under every non-IFS handle (each asked for the one below it with
 * SIO_QUERY_TARGET_PNP_HANDLE); an IFS handle is already the base's. A
 * layer that answers SIO_BASE_HANDLE itself with something else ("hijacks"
 * it) cannot break the application: its answer is logged, with the
 * layer's name, and not used. Returns 0 with *base set, or a WSA error.
 */
static int base_handle(SOCKET s, SOCKET *base) {
  SOCKET h = s;
  int depth;
  for (depth = 0; depth < MAX_PROTOCOL_CHAIN; depth++) {
    ws2__provider_t *p;
    SOCKET lower = INVALID_SOCKET;
    DWORD ret = 0;
    int err = 0;
    if (!ws2__non_ifs(h)) break; /* IFS */
    if (!(p = ws2__provider_of(h))) return WSAENOTSOCK;
    if (p->procs.lpWSPIoctl(h, SIO_QUERY_TARGET_PNP_HANDLE, NULL, 0, &lower,
                            sizeof(lower), &ret, NULL, NULL, NULL, &err) != 0 ||
        lower == INVALID_SOCKET) {
      ws2__log(WS2__LOG_ERROR,
               "layer \"%s\" does not say which socket is under %p "
               "(SIO_QUERY_TARGET_PNP_HANDLE: error %d)",
               p->name, (void *)h, err);
      return WSAEOPNOTSUPP;
    }
    h = lower;
  }
  {
    /* What the top layer would have said, for the record. */
    ws2__provider_t *p = ws2__provider_of(s);
    SOCKET said = INVALID_SOCKET;
    DWORD ret = 0;
    int err = 0;
    if (p &&
        p->procs.lpWSPIoctl(s, SIO_BASE_HANDLE, NULL, 0, &said, sizeof(said),
                            &ret, NULL, NULL, NULL, &err) == 0 &&
        said != h)
      ws2__log(WS2__LOG_WARN,
               "layer \"%s\" answered SIO_BASE_HANDLE with %p, not the "
               "base socket %p; ws2 answers %p",
               p->name, (void *)said, (void *)h, (void *)h);
  }
  *base = h;
  return 0;
}

int WSAAPI WSAIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer,
                    DWORD cbInBuffer, LPVOID lpvOutBuffer, DWORD cbOutBuffer,
                    LPDWORD lpcbBytesReturned, LPWSAOVERLAPPED lpOverlapped,
                    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  ws2__provider_t *p = ws2__provider_of(s);
  ws2__nifs_call_t nc;
  int err = 0, r;
  if (!p) return SOCKET_ERROR;
  /* Answered from the chain when the call can be (not overlapped, room
   * for the answer); otherwise the provider's own checks and errors. */
  if (dwIoControlCode == SIO_BASE_HANDLE && !lpOverlapped &&
      !lpCompletionRoutine && lpvOutBuffer && cbOutBuffer >= sizeof(SOCKET) &&
      lpcbBytesReturned) {
    SOCKET base;
    if ((err = base_handle(s, &base)) != 0) return result(SOCKET_ERROR, &err);
    memcpy(lpvOutBuffer, &base, sizeof(base));
    *lpcbBytesReturned = sizeof(base);
    return 0;
  }
  ws2__nifs_begin(s, lpOverlapped, (void *)lpCompletionRoutine, &nc);
  r = overlapped_result(
      &nc,
      p->procs.lpWSPIoctl(s, dwIoControlCode, lpvInBuffer, cbInBuffer,
                          lpvOutBuffer, cbOutBuffer, lpcbBytesReturned,
                          lpOverlapped, lpCompletionRoutine,
                          thread_id(lpCompletionRoutine), &err),
      &err);
  /* An extension function the provider has: ws2's, which reaches the
   * provider of whichever socket it is called with (extension.c). */
  if (r == 0 && dwIoControlCode == SIO_GET_EXTENSION_FUNCTION_POINTER &&
      lpvInBuffer && cbInBuffer >= sizeof(GUID) && lpvOutBuffer &&
      cbOutBuffer >= sizeof(void *) && !lpOverlapped && !lpCompletionRoutine) {
    int which = ws2__extension_index(lpvInBuffer);
    if (which >= 0) {
      void *fn;
      memcpy(&fn, lpvOutBuffer, sizeof(fn));
      ws2__extension_remember(p, which, fn);
      fn = ws2__extension_dispatcher(which);
      memcpy(lpvOutBuffer, &fn, sizeof(fn));
    }
  }
  return r;
}

int WSAAPI ioctlsocket(SOCKET s, LONG cmd, WS_u_long *argp) {
  DWORD ret = 0;
  /* The argument is in for FIONBIO, out for FIONREAD and SIOCATMARK. */
  if ((DWORD)cmd == (DWORD)WS_FIONBIO)
    return WSAIoctl(s, (DWORD)cmd, argp, sizeof(*argp), NULL, 0, &ret, NULL,
                    NULL);
  return WSAIoctl(s, (DWORD)cmd, NULL, 0, argp, sizeof(*argp), &ret, NULL,
                  NULL);
}

BOOL WSAAPI WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
                                   LPDWORD lpcbTransfer, BOOL fWait,
                                   LPDWORD lpdwFlags) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  BOOL r;
  if (!p) return FALSE;
  r = p->procs.lpWSPGetOverlappedResult(s, lpOverlapped, lpcbTransfer, fWait,
                                        lpdwFlags, &err);
  if (!r) WSASetLastError(err);
  return r;
}

/* ---- Data transfer. */

int WSAAPI WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                   LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  ws2__nifs_call_t nc;
  int err = 0;
  ws2__provider_t *p =
      provider_for_call(s, lpOverlapped, (void *)lpCompletionRoutine, &nc);
  if (!p) return SOCKET_ERROR;
  return overlapped_result(
      &nc,
      p->procs.lpWSPSend(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent,
                         dwFlags, lpOverlapped, lpCompletionRoutine,
                         thread_id(lpCompletionRoutine), &err),
      &err);
}

int WSAAPI WSASendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                     LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                     const struct WS_sockaddr *lpTo, int iTolen,
                     LPWSAOVERLAPPED lpOverlapped,
                     LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  ws2__nifs_call_t nc;
  int err = 0;
  ws2__provider_t *p =
      provider_for_call(s, lpOverlapped, (void *)lpCompletionRoutine, &nc);
  if (!p) return SOCKET_ERROR;
  return overlapped_result(
      &nc,
      p->procs.lpWSPSendTo(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent,
                           dwFlags, lpTo, iTolen, lpOverlapped,
                           lpCompletionRoutine, thread_id(lpCompletionRoutine),
                           &err),
      &err);
}

int WSAAPI WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                   LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  ws2__nifs_call_t nc;
  int err = 0;
  ws2__provider_t *p =
      provider_for_call(s, lpOverlapped, (void *)lpCompletionRoutine, &nc);
  if (!p) return SOCKET_ERROR;
  return overlapped_result(
      &nc,
      p->procs.lpWSPRecv(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd,
                         lpFlags, lpOverlapped, lpCompletionRoutine,
                         thread_id(lpCompletionRoutine), &err),
      &err);
}

int WSAAPI WSARecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                       LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                       struct WS_sockaddr *lpFrom, LPINT lpFromlen,
                       LPWSAOVERLAPPED lpOverlapped,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  ws2__nifs_call_t nc;
  int err = 0;
  ws2__provider_t *p =
      provider_for_call(s, lpOverlapped, (void *)lpCompletionRoutine, &nc);
  if (!p) return SOCKET_ERROR;
  return overlapped_result(
      &nc,
      p->procs.lpWSPRecvFrom(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd,
                             lpFlags, lpFrom, lpFromlen, lpOverlapped,
                             lpCompletionRoutine,
                             thread_id(lpCompletionRoutine), &err),
      &err);
}

/* The BSD calls: one buffer, synchronous, the count as the result. */
static int bsd_transfer(SOCKET s, char *buf, int len, int flags,
                        const struct WS_sockaddr *to, int tolen,
                        struct WS_sockaddr *from, int *fromlen, int wr) {
  WSABUF b;
  DWORD n = 0, fl = (DWORD)flags;
  int r;
  if (len < 0) {
    if (ws2__provider_of(s)) WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  b.len = (ULONG)len;
  b.buf = buf;
  if (wr)
    r = WSASendTo(s, &b, 1, &n, fl, to, tolen, NULL, NULL);
  else
    r = WSARecvFrom(s, &b, 1, &n, &fl, from, fromlen, NULL, NULL);
  return r == SOCKET_ERROR ? SOCKET_ERROR : (int)n;
}

int WSAAPI WS_send(SOCKET s, const char *buf, int len, int flags) {
  return bsd_transfer(s, (char *)buf, len, flags, NULL, 0, NULL, NULL, 1);
}

int WSAAPI WS_sendto(SOCKET s, const char *buf, int len, int flags,
                     const struct WS_sockaddr *to, int tolen) {
  return bsd_transfer(s, (char *)buf, len, flags, to, tolen, NULL, NULL, 1);
}

int WSAAPI WS_recv(SOCKET s, char *buf, int len, int flags) {
  return bsd_transfer(s, buf, len, flags, NULL, 0, NULL, NULL, 0);
}

int WSAAPI WS_recvfrom(SOCKET s, char *buf, int len, int flags,
                       struct WS_sockaddr *from, int *fromlen) {
  return bsd_transfer(s, buf, len, flags, NULL, 0, from, fromlen, 0);
}

/* ---- Byte order through a socket (the socket only has to be valid). */

static int byteorder_ok(SOCKET s, const void *out) {
  if (!ws2__provider_of(s)) return 0;
  if (!out) {
    WSASetLastError(WSAEFAULT);
    return 0;
  }
  return 1;
}

int WSAAPI WSAHtonl(SOCKET s, WS_u_long hostlong, WS_u_long *lpnetlong) {
  if (!byteorder_ok(s, lpnetlong)) return SOCKET_ERROR;
  *lpnetlong = __builtin_bswap32(hostlong);
  return 0;
}

int WSAAPI WSAHtons(SOCKET s, WS_u_short hostshort, WS_u_short *lpnetshort) {
  if (!byteorder_ok(s, lpnetshort)) return SOCKET_ERROR;
  *lpnetshort = __builtin_bswap16(hostshort);
  return 0;
}

int WSAAPI WSANtohl(SOCKET s, WS_u_long netlong, WS_u_long *lphostlong) {
  if (!byteorder_ok(s, lphostlong)) return SOCKET_ERROR;
  *lphostlong = __builtin_bswap32(netlong);
  return 0;
}

int WSAAPI WSANtohs(SOCKET s, WS_u_short netshort, WS_u_short *lphostshort) {
  if (!byteorder_ok(s, lphostshort)) return SOCKET_ERROR;
  *lphostshort = __builtin_bswap16(netshort);
  return 0;
}

/* ---- Network events. */

int WSAAPI WSAEventSelect(SOCKET s, WSAEVENT hEventObject,
                          LONG lNetworkEvents) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(
      p->procs.lpWSPEventSelect(s, hEventObject, lNetworkEvents, &err), &err);
}

int WSAAPI WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject,
                                LPWSANETWORKEVENTS lpNetworkEvents) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(
      p->procs.lpWSPEnumNetworkEvents(s, hEventObject, lpNetworkEvents, &err),
      &err);
}

int WSAAPI WSAAsyncSelect(SOCKET s, HWND hWnd, unsigned int wMsg, LONG lEvent) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(p->procs.lpWSPAsyncSelect(s, hWnd, wMsg, lEvent, &err), &err);
}

/* ---- Handing a socket to another process. */

int WSAAPI WSADuplicateSocketW(SOCKET s, DWORD dwProcessId,
                               LPWSAPROTOCOL_INFOW lpProtocolInfo) {
  ws2__provider_t *p = ws2__provider_of(s);
  int err = 0;
  if (!p) return SOCKET_ERROR;
  return result(
      p->procs.lpWSPDuplicateSocket(s, dwProcessId, lpProtocolInfo, &err),
      &err);
}

int WSAAPI WSADuplicateSocketA(SOCKET s, DWORD dwProcessId,
                               LPWSAPROTOCOL_INFOA lpProtocolInfo) {
  WSAPROTOCOL_INFOW w;
  size_t i;
  if (!lpProtocolInfo) {
    if (ws2__provider_of(s)) WSASetLastError(WSAEFAULT);
    return SOCKET_ERROR;
  }
  if (WSADuplicateSocketW(s, dwProcessId, &w) == SOCKET_ERROR)
    return SOCKET_ERROR;
  memcpy(lpProtocolInfo, &w, offsetof(WSAPROTOCOL_INFOW, szProtocol));
  for (i = 0; i < WSAPROTOCOL_LEN + 1; i++)
    lpProtocolInfo->szProtocol[i] =
        (char)(w.szProtocol[i] < 0x80 ? w.szProtocol[i] : '?');
  return 0;
}

/* WSASendMsg is also a ws2_32 export: it forwards to the extension
 * function of the socket's provider, as Windows does. */
int WSAAPI WSASendMsg(SOCKET Handle, LPWSAMSG lpMsg, DWORD dwFlags,
                      LPDWORD lpNumberOfBytesSent, LPWSAOVERLAPPED lpOverlapped,
                      LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine) {
  LPFN_WSASENDMSG fn =
      (LPFN_WSASENDMSG)ws2__extension_of(Handle, WS2__EXT_WSASENDMSG);
  ws2__nifs_call_t nc;
  if (!fn) return SOCKET_ERROR;
  ws2__nifs_begin(Handle, lpOverlapped, (void *)lpCompletionRoutine, &nc);
  return ws2__extension_end(&nc, fn(Handle, lpMsg, dwFlags, lpNumberOfBytesSent,
                                    lpOverlapped, lpCompletionRoutine) == 0)
             ? 0
             : SOCKET_ERROR;
}
