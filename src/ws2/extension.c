/*
 * extension.c: the Microsoft extension functions (AcceptEx, ConnectEx,
 * DisconnectEx, TransmitFile, TransmitPackets, WSARecvMsg, WSASendMsg)
 * dispatched on the socket they are called with.
 *
 * On Windows, SIO_GET_EXTENSION_FUNCTION_POINTER hands the application the
 * provider's own function, which serves only that provider's sockets; an
 * application that caches one pointer for all its sockets (most do) calls
 * one provider's code with another's socket as soon as two chains are in
 * use, for example one with a non-IFS layer and one without. ws2 hands out
 * its own function instead, after the provider has answered (so the
 * provider still decides whether it has the function): each call looks up
 * the socket's provider and calls that provider's function. The
 * provider's answer is kept per binding (provider.h), so the lookup costs
 * one load after the first call.
 *
 * On a non-IFS layer's handle each call is kept as a request from its
 * start to its report, as WSARecv is (nifs.h): a layer may report the
 * request during the call and return TRUE, and the completion rule
 * applies (no packet when it returned TRUE and the handle has
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), as on Windows, where such a
 * report is a request on the layer's handle that succeeded at once.
 *
 * GetAcceptExSockaddrs takes no socket: the provider's own is handed out.
 */
#include "ws2/ws2.h"

#include <mswsock.h>
#include <ws2spi.h>

#include "core/log.h"
#include "ws2/extension.h"
#include "ws2/nifs.h"
#include "ws2/provider.h"

#include <stdatomic.h>
#include <string.h>

static const GUID ids[WS2__EXT_COUNT] = {
    WSAID_ACCEPTEX,     WSAID_CONNECTEX,       WSAID_DISCONNECTEX,
    WSAID_TRANSMITFILE, WSAID_TRANSMITPACKETS, WSAID_WSARECVMSG,
    WSAID_WSASENDMSG,
};

static BOOL PASCAL connectex(SOCKET s, const struct WS_sockaddr *name,
                             int namelen, PVOID buf, DWORD len, LPDWORD sent,
                             LPOVERLAPPED ovl);
static BOOL PASCAL disconnectex(SOCKET s, LPOVERLAPPED ovl, DWORD flags,
                                DWORD reserved);
static BOOL PASCAL transmitpackets(SOCKET s, LPTRANSMIT_PACKETS_ELEMENT el,
                                   DWORD n, DWORD size, LPOVERLAPPED ovl,
                                   DWORD flags);
static INT PASCAL wsarecvmsg(SOCKET s, LPWSAMSG msg, LPDWORD got,
                             LPWSAOVERLAPPED ovl,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE cr);

/* What ws2 hands out for each. */
static void *const dispatchers[WS2__EXT_COUNT] = {
    (void *)AcceptEx,     (void *)connectex,       (void *)disconnectex,
    (void *)TransmitFile, (void *)transmitpackets, (void *)wsarecvmsg,
    (void *)WSASendMsg,
};

int ws2__extension_index(const GUID *id) {
  int i;
  for (i = 0; i < WS2__EXT_COUNT; i++)
    if (memcmp(id, &ids[i], sizeof(GUID)) == 0) return i;
  return -1;
}

void *ws2__extension_dispatcher(int which) { return dispatchers[which]; }

/* Whether fn is one of ws2's own (a provider that answered with what ws2
 * handed it would make a call loop forever). */
static int is_dispatcher(void *fn) {
  int i;
  for (i = 0; i < WS2__EXT_COUNT; i++)
    if (fn == dispatchers[i]) return 1;
  return 0;
}

void ws2__extension_remember(ws2__provider_t *p, int which, void *fn) {
  if (fn && !is_dispatcher(fn))
    atomic_store_explicit(&p->ext[which], fn, memory_order_release);
}

void *ws2__extension_of(SOCKET s, int which) {
  ws2__provider_t *p = ws2__provider_of(s);
  GUID id;
  void *fn;
  DWORD n = 0;
  int err = 0;
  if (!p) return NULL;
  if ((fn = atomic_load_explicit(&p->ext[which], memory_order_acquire)))
    return fn;
  id = ids[which];
  if (p->procs.lpWSPIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id,
                          sizeof(id), &fn, sizeof(fn), &n, NULL, NULL, NULL,
                          &err) != 0) {
    /* A GUID the provider does not know. */
    WSASetLastError(err == WSAEINVAL ? WSAEOPNOTSUPP : err);
    return NULL;
  }
  if (!fn || is_dispatcher(fn)) {
    ws2__log(WS2__LOG_ERROR,
             "provider \"%s\" handed out no function of its own for an "
             "extension function (SIO_GET_EXTENSION_FUNCTION_POINTER)",
             p->name);
    WSASetLastError(WSAEOPNOTSUPP);
    return NULL;
  }
  ws2__extension_remember(p, which, fn);
  return fn;
}

BOOL ws2__extension_end(ws2__nifs_call_t *nc, BOOL ok) {
  int err = ok ? 0 : WSAGetLastError();
  ws2__nifs_end(nc, ok ? 0 : SOCKET_ERROR, err);
  if (!ok) WSASetLastError(err);
  return ok;
}

/* The dispatchers that are not exports of their own (AcceptEx,
 * TransmitFile and WSASendMsg are, in mswsock.c and socket.c). */

static BOOL PASCAL connectex(SOCKET s, const struct WS_sockaddr *name,
                             int namelen, PVOID buf, DWORD len, LPDWORD sent,
                             LPOVERLAPPED ovl) {
  LPFN_CONNECTEX fn = (LPFN_CONNECTEX)ws2__extension_of(s, WS2__EXT_CONNECTEX);
  ws2__nifs_call_t nc;
  if (!fn) return FALSE;
  ws2__nifs_begin(s, ovl, NULL, &nc);
  return ws2__extension_end(&nc, fn(s, name, namelen, buf, len, sent, ovl));
}

static BOOL PASCAL disconnectex(SOCKET s, LPOVERLAPPED ovl, DWORD flags,
                                DWORD reserved) {
  LPFN_DISCONNECTEX fn =
      (LPFN_DISCONNECTEX)ws2__extension_of(s, WS2__EXT_DISCONNECTEX);
  ws2__nifs_call_t nc;
  if (!fn) return FALSE;
  ws2__nifs_begin(s, ovl, NULL, &nc);
  return ws2__extension_end(&nc, fn(s, ovl, flags, reserved));
}

static BOOL PASCAL transmitpackets(SOCKET s, LPTRANSMIT_PACKETS_ELEMENT el,
                                   DWORD n, DWORD size, LPOVERLAPPED ovl,
                                   DWORD flags) {
  LPFN_TRANSMITPACKETS fn =
      (LPFN_TRANSMITPACKETS)ws2__extension_of(s, WS2__EXT_TRANSMITPACKETS);
  ws2__nifs_call_t nc;
  if (!fn) return FALSE;
  ws2__nifs_begin(s, ovl, NULL, &nc);
  return ws2__extension_end(&nc, fn(s, el, n, size, ovl, flags));
}

static INT PASCAL wsarecvmsg(SOCKET s, LPWSAMSG msg, LPDWORD got,
                             LPWSAOVERLAPPED ovl,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE cr) {
  LPFN_WSARECVMSG fn =
      (LPFN_WSARECVMSG)ws2__extension_of(s, WS2__EXT_WSARECVMSG);
  ws2__nifs_call_t nc;
  if (!fn) return SOCKET_ERROR;
  ws2__nifs_begin(s, ovl, (void *)cr, &nc);
  return ws2__extension_end(&nc, fn(s, msg, got, ovl, cr) == 0) ? 0
                                                                : SOCKET_ERROR;
}
