/*
 * provider.c: a tiny transport provider for test-ws2ctl.sh, which has
 * `ws2ctl check` load it. What its WSPStartup does is chosen by the
 * environment variable WS2CTL_TEST_PROVIDER (the check's child processes
 * inherit it):
 *
 *   fail (or unset)  return WSAEPROVIDERFAILEDINIT
 *   ok               ask WPUGetProviderPath for its own path (the
 *                    catalog's), fill the WSPPROC_TABLE, return 0
 *   partial          return 0 with an empty WSPPROC_TABLE
 *   upcall           call WPUCreateEvent, then fail with its error
 *   crash            die of SIGSEGV
 *   hang             never return
 *
 * Built with NO_WSPSTARTUP it exports no WSPStartup at all.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winsock2.h>
#include <ws2spi.h>

#ifndef NO_WSPSTARTUP

static int WSPAPI cleanup(LPINT lpErrno) {
  (void)lpErrno;
  return 0;
}

int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                      LPWSAPROTOCOL_INFOW lpProtocolInfo,
                      WSPUPCALLTABLE UpcallTable, LPWSPPROC_TABLE lpProcTable) {
  const char *mode = getenv("WS2CTL_TEST_PROVIDER");
  int err = 0;
  (void)wVersionRequested;
  if (!mode || strcmp(mode, "fail") == 0) return WSAEPROVIDERFAILEDINIT;
  if (strcmp(mode, "crash") == 0) {
    raise(SIGSEGV);
    return WSAEPROVIDERFAILEDINIT;
  }
  if (strcmp(mode, "hang") == 0)
    for (;;) pause();
  if (strcmp(mode, "upcall") == 0) {
    UpcallTable.lpWPUCreateEvent(&err);
    return err ? err : WSAEPROVIDERFAILEDINIT;
  }
  lpWSPData->wVersion = MAKEWORD(2, 2);
  lpWSPData->wHighVersion = MAKEWORD(2, 2);
  if (strcmp(mode, "partial") == 0) return 0;
  if (strcmp(mode, "ok") == 0) {
    WCHAR path[MAX_PATH];
    INT len = MAX_PATH;
    void **p = (void **)lpProcTable;
    size_t i;
    if (UpcallTable.lpWPUGetProviderPath(&lpProtocolInfo->ProviderId, path,
                                         &len, &err) != 0)
      return WSAEINVALIDPROVIDER;
    printf("provider: started for catalog entry %lu\n",
           (unsigned long)lpProtocolInfo->dwCatalogEntryId);
    /* Any function will do: the check only looks for NULL entries. */
    for (i = 0; i < sizeof(*lpProcTable) / sizeof(void *); i++)
      p[i] = (void *)cleanup;
    lpProcTable->lpWSPCleanup = cleanup;
    return 0;
  }
  return WSAEINVAL;
}

#else

/* Something to export, so that the object is a valid library. */
int ws2ctl_test_no_startup(void);
int ws2ctl_test_no_startup(void) { return 0; }

#endif
