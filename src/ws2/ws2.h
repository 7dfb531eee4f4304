/*
 * ws2.h: internals of the Winsock layer (src/ws2): start-up state and the
 * helpers every API entry point uses. Sources include it after
 * <winsock2.h> (prefix mode, so Linux headers may be included too).
 */
#ifndef WS2_WS2_WS2_H
#define WS2_WS2_WS2_H

#include <winsock2.h>

/* Non-zero between a successful WSAStartup and the matching WSACleanup. */
int ws2__started(void);

/*
 * For entry points that need WSAStartup: returns 1 when started, else sets
 * WSANOTINITIALISED as the thread's last error and returns 0.
 */
int ws2__check_started(void);

/* A WSAPROTOCOL_INFOW as the A functions give it (szProtocol narrowed;
 * a character outside ASCII becomes '?'). */
void ws2__protocol_info_to_a(WSAPROTOCOL_INFOA *a, const WSAPROTOCOL_INFOW *w);

#endif /* WS2_WS2_WS2_H */
