/*
 * upcall.c: the upcall table (WPU*) given to providers. This issue needs
 * what the base provider uses; issue 5 completes the table with the
 * documented errors of every entry (docs/STATUS.md).
 */
#include "ws2/ws2.h"

#include "core/io.h"
#include "ws2/provider.h"

ws2__provider_t *ws2__provider_for_catalog_id(DWORD id);

/* An IFS provider passes up its own handle: ws2 records which provider
 * serves it and gives the same value back. */
static SOCKET WSPAPI wpu_modify_ifs_handle(DWORD dwCatalogEntryId,
                                           SOCKET ProposedHandle,
                                           LPINT lpErrno) {
  ws2__io_t *io = ws2__io_get((HANDLE)ProposedHandle);
  if (!io) {
    *lpErrno = WSAEINVAL;
    return INVALID_SOCKET;
  }
  io->context = ws2__provider_for_catalog_id(dwCatalogEntryId);
  ws2__handle_set_tag((HANDLE)ProposedHandle, io->context);
  ws2__obj_unref(&io->obj);
  return ProposedHandle;
}

const WSPUPCALLTABLE ws2__upcalls = {
    .lpWPUModifyIFSHandle = wpu_modify_ifs_handle,
};
