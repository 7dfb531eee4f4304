/*
 * provider.c: starting the providers and choosing one for a new socket.
 */
#include "ws2/ws2.h"

#include "core/log.h"
#include "provider/base/bsp.h"
#include "ws2/provider.h"

#include <pthread.h>

static ws2__provider_t base = {"ws2 base provider", {0}, {0}};
static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static int start_error;

static void start(void) {
  start_error = ws2__bsp_startup(MAKEWORD(2, 2), &base.data, NULL, ws2__upcalls,
                                 &base.procs);
  if (start_error)
    ws2__log(WS2__LOG_ERROR, "the base provider failed to start (%d)",
             start_error);
}

int ws2__providers_start(void) {
  pthread_once(&start_once, start);
  return start_error ? WSAEPROVIDERFAILEDINIT : 0;
}

void ws2__providers_cleanup(void) {
  int err = 0;
  if (start_error) return;
  if (base.procs.lpWSPCleanup(&err) != 0)
    ws2__log(WS2__LOG_ERROR, "the base provider's WSPCleanup failed (%d)", err);
}

ws2__provider_t *ws2__provider_for_triple(int af, int type, int protocol,
                                          const WSAPROTOCOL_INFOW *info) {
  return start_error ? NULL : &base;
}

/* The context ws2 keeps for a socket: which provider serves it. For now
 * every catalog entry belongs to the base provider. */
ws2__provider_t *ws2__provider_for_catalog_id(DWORD id);
ws2__provider_t *ws2__provider_for_catalog_id(DWORD id) { return &base; }
