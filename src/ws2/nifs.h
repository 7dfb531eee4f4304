/*
 * nifs.h: non-IFS socket handles (WPUCreateSocketHandle), and the
 * completion rule for the requests made on them.
 *
 * A provider that is not IFS gives applications handles ws2 makes for it:
 * real handles (waitable, associable with a completion port, with their
 * own notification modes) that carry the provider's context, on which
 * ReadFile and WriteFile are redirected to the provider's WSPRecv and
 * WSPSend. The provider reports the completion of each overlapped call
 * with WPUCompleteOverlappedRequest.
 *
 * The completion rule that ends KB 2568167: for every overlapped call on
 * such a handle, ws2 keeps a request from the moment the application
 * calls until the provider reports it. A packet is queued unless the
 * application's call returned success at once and the handle has
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS; a completion the provider reports
 * while the application's call has not yet returned is held until it
 * returns. Each request completes exactly once, whichever thread reports
 * it. WS2_COMPAT=kb2568167 reproduces Windows' loss on purpose (nifs.c).
 */
#ifndef WS2_WS2_NIFS_H
#define WS2_WS2_NIFS_H

#include <winsock2.h>
#include <ws2spi.h>

struct ws2__provider;
struct ws2__nifs_req;

/* A handle for the provider serving catalog entry id, with its context:
 * the handle, or INVALID_SOCKET with *err (WSAENOBUFS, WSAEINVAL). */
SOCKET ws2__nifs_create(struct ws2__provider *p, DWORD catalog_id,
                        DWORD_PTR context, int *err);
int ws2__nifs_close(SOCKET s, int *err);
int ws2__nifs_context(SOCKET s, PDWORD_PTR context, int *err);
int ws2__nifs_complete(SOCKET s, LPWSAOVERLAPPED ovl, DWORD error, DWORD bytes,
                       int *err);

/*
 * Around an application's overlapped call on any socket: begin keeps a
 * request when s is a non-IFS handle and the call is overlapped without a
 * completion routine (a provider delivers those itself, WPUQueueApc);
 * end tells it what the call returned (r: 0 or SOCKET_ERROR, err its
 * error). A no-op for other sockets.
 */
typedef struct ws2__nifs_call {
  struct ws2__nifs_req *req;
} ws2__nifs_call_t;
void ws2__nifs_begin(SOCKET s, LPWSAOVERLAPPED ovl, void *routine,
                     ws2__nifs_call_t *c);
/* ws2__nifs_begin for a caller that has seen s is non-IFS and the call
 * overlapped without a routine (c->req already NULL). */
void ws2__nifs_start(SOCKET s, LPWSAOVERLAPPED ovl, ws2__nifs_call_t *c);
void ws2__nifs_end(ws2__nifs_call_t *c, int r, int err);

/* The last WSACleanup, after every layer's WSPCleanup: closes the
 * non-IFS handles a layer left open (logged with its name), so that what
 * was pending on them ends aborted, as on a closed socket, and nothing
 * outlives the layers. Returns how many there were. */
int ws2__nifs_close_all(void);

#endif /* WS2_WS2_NIFS_H */
