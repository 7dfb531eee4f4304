/*
 * upcall.c: the upcall table (WPU*) given to every provider, with the
 * documented result of each entry (docs/STATUS.md, "SPI").
 */
#include "ws2/ws2.h"

#include "core/io.h"
#include "ws2/nifs.h"
#include "ws2/provider.h"

#include <windows.h>

#include <stdint.h>

/*
 * An IFS provider passes up its own handle: ws2 records which provider
 * serves it (the binding of the chain's entry) and gives the same value
 * back.
 *
 * The handle may be a non-IFS one, made by a non-IFS layer below with
 * WPUCreateSocketHandle: an IFS layer stacked over a non-IFS layer (on
 * Windows such a chain is broken: the IFS layer's handle "is" the lower
 * layer's, whose completions then reach nobody). ws2 keeps the handle
 * non-IFS: calls go to the IFS layer on top (which passes what it does not
 * handle down to the non-IFS layer), and the completions the non-IFS
 * layer reports with WPUCompleteOverlappedRequest still find the
 * application's requests on the handle, under the completion rule.
 */
static SOCKET WSPAPI wpu_modify_ifs_handle(DWORD dwCatalogEntryId,
                                           SOCKET ProposedHandle,
                                           LPINT lpErrno) {
  ws2__io_t *io = ws2__io_get((HANDLE)ProposedHandle);
  ws2__provider_t *p;
  uintptr_t non_ifs;
  if (!io) {
    *lpErrno = WSAEINVAL;
    return INVALID_SOCKET;
  }
  if (!(p = ws2__provider_for_catalog_id(dwCatalogEntryId))) {
    ws2__obj_unref(&io->obj);
    *lpErrno = WSAEINVAL; /* no such catalog entry */
    return INVALID_SOCKET;
  }
  non_ifs = (uintptr_t)ws2__handle_tag((HANDLE)ProposedHandle) & 1;
  io->context = p;
  ws2__handle_set_tag((HANDLE)ProposedHandle, (void *)((uintptr_t)p | non_ifs));
  ws2__obj_unref(&io->obj);
  return ProposedHandle;
}

/* ---- Events: the WSA event functions, errors in *lpErrno ------------- */

static WSAEVENT WSPAPI wpu_create_event(LPINT lpErrno) {
  HANDLE h = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (!h) *lpErrno = WSA_NOT_ENOUGH_MEMORY;
  return h ? h : WSA_INVALID_EVENT;
}

static BOOL WSPAPI wpu_close_event(WSAEVENT h, LPINT lpErrno) {
  if (CloseHandle(h)) return TRUE;
  *lpErrno = WSA_INVALID_HANDLE;
  return FALSE;
}

static BOOL WSPAPI wpu_set_event(WSAEVENT h, LPINT lpErrno) {
  if (SetEvent(h)) return TRUE;
  *lpErrno = WSA_INVALID_HANDLE;
  return FALSE;
}

static BOOL WSPAPI wpu_reset_event(WSAEVENT h, LPINT lpErrno) {
  if (ResetEvent(h)) return TRUE;
  *lpErrno = WSA_INVALID_HANDLE;
  return FALSE;
}

/* ---- fd_set, messages, the blocking hook ------------------------------ */

static int WSPAPI wpu_fd_is_set(SOCKET s, WS_fd_set *set) {
  return __WSAFDIsSet(s, set);
}

static BOOL WSPAPI wpu_post_message(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp) {
  return PostMessageW(hwnd, msg, wp, lp);
}

/* Winsock 2.2 has no blocking hooks (WSASetBlockingHook fails): there is
 * no callback to call while a provider blocks, which the page allows
 * (*lplpfnCallback NULL). */
static int WSPAPI wpu_query_blocking_callback(
    DWORD dwCatalogEntryId, LPBLOCKINGCALLBACK *lplpfnCallback,
    PDWORD_PTR lpdwContext, LPINT lpErrno) {
  (void)dwCatalogEntryId;
  if (!lplpfnCallback || !lpdwContext) {
    if (lpErrno) *lpErrno = WSAEFAULT;
    return SOCKET_ERROR;
  }
  *lplpfnCallback = NULL;
  *lpdwContext = 0;
  return 0;
}

/* ---- Threads and APCs ------------------------------------------------- */

static int WSPAPI wpu_open_current_thread(LPWSATHREADID lpThreadId,
                                          LPINT lpErrno) {
  HANDLE h;
  if (!lpThreadId) {
    *lpErrno = WSAEFAULT;
    return SOCKET_ERROR;
  }
  if (!DuplicateHandle(GetCurrentProcess(), GetCurrentThread(),
                       GetCurrentProcess(), &h, 0, FALSE,
                       DUPLICATE_SAME_ACCESS)) {
    *lpErrno = WSAENOBUFS;
    return SOCKET_ERROR;
  }
  lpThreadId->ThreadHandle = h;
  lpThreadId->Reserved = (DWORD_PTR)GetCurrentThreadId();
  return 0;
}

static int WSPAPI wpu_close_thread(LPWSATHREADID lpThreadId, LPINT lpErrno) {
  if (!lpThreadId) {
    *lpErrno = WSAEFAULT;
    return SOCKET_ERROR;
  }
  if (!CloseHandle(lpThreadId->ThreadHandle)) {
    *lpErrno = WSAEINVAL;
    return SOCKET_ERROR;
  }
  lpThreadId->ThreadHandle = NULL;
  return 0;
}

/* The APC runs fn(ctx) in an alertable wait of the thread. LPWSAUSERAPC
 * and PAPCFUNC are the same function type, so the provider's function is
 * queued itself, as ws2_32 does: nothing of ws2's rides with it, and an
 * APC discarded because its thread exited first leaves nothing behind
 * (what the provider's context holds is the provider's: Windows and the
 * SPI give it no word either). */
static int WSPAPI wpu_queue_apc(LPWSATHREADID lpThreadId,
                                LPWSAUSERAPC lpfnUserApc, DWORD_PTR dwContext,
                                LPINT lpErrno) {
  PAPCFUNC fn = lpfnUserApc;
  if (!lpThreadId || !lpfnUserApc) {
    *lpErrno = WSAEFAULT;
    return SOCKET_ERROR;
  }
  if (!QueueUserAPC(fn, lpThreadId->ThreadHandle, (ULONG_PTR)dwContext)) {
    *lpErrno = GetLastError() == ERROR_NOT_ENOUGH_MEMORY
                   ? WSAENOBUFS
                   : WSAEINVAL; /* no such thread (or it has exited) */
    return SOCKET_ERROR;
  }
  return 0;
}

/* The provider's path from the catalog: WSCGetProviderPath's answer. */
static int WSPAPI wpu_get_provider_path(LPGUID lpProviderId,
                                        WCHAR *lpszProviderDllPath,
                                        LPINT lpProviderDllPathLen,
                                        LPINT lpErrno) {
  return WSCGetProviderPath(lpProviderId, lpszProviderDllPath,
                            lpProviderDllPathLen, lpErrno);
}

/* ---- Non-IFS handles (nifs.c) ---------------------------------------- */

static SOCKET WSPAPI wpu_create_socket_handle(DWORD dwCatalogEntryId,
                                              DWORD_PTR dwContext,
                                              LPINT lpErrno) {
  ws2__provider_t *p = ws2__provider_for_catalog_id(dwCatalogEntryId);
  if (!p) {
    *lpErrno = WSAEINVAL;
    return INVALID_SOCKET;
  }
  return ws2__nifs_create(p, dwCatalogEntryId, dwContext, lpErrno);
}

static int WSPAPI wpu_close_socket_handle(SOCKET s, LPINT lpErrno) {
  return ws2__nifs_close(s, lpErrno);
}

static int WSPAPI wpu_query_socket_handle_context(SOCKET s,
                                                  PDWORD_PTR lpContext,
                                                  LPINT lpErrno) {
  return ws2__nifs_context(s, lpContext, lpErrno);
}

/* Exported by ws2_32, not in the table. */
int WSPAPI WPUCompleteOverlappedRequest(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
                                        DWORD dwError, DWORD cbTransferred,
                                        LPINT lpErrno) {
  return ws2__nifs_complete(s, lpOverlapped, dwError, cbTransferred, lpErrno);
}

const WSPUPCALLTABLE ws2__upcalls = {
    .lpWPUCloseSocketHandle = wpu_close_socket_handle,
    .lpWPUCreateSocketHandle = wpu_create_socket_handle,
    .lpWPUQuerySocketHandleContext = wpu_query_socket_handle_context,
    .lpWPUCloseEvent = wpu_close_event,
    .lpWPUCreateEvent = wpu_create_event,
    .lpWPUFDIsSet = wpu_fd_is_set,
    .lpWPUGetProviderPath = wpu_get_provider_path,
    .lpWPUModifyIFSHandle = wpu_modify_ifs_handle,
    .lpWPUPostMessage = wpu_post_message,
    .lpWPUQueryBlockingCallback = wpu_query_blocking_callback,
    .lpWPUQueueApc = wpu_queue_apc,
    .lpWPUResetEvent = wpu_reset_event,
    .lpWPUSetEvent = wpu_set_event,
    .lpWPUOpenCurrentThread = wpu_open_current_thread,
    .lpWPUCloseThread = wpu_close_thread,
};
