/*
 * bindrules.h: Windows' bind rules for the TCP sockets of this process
 * (bindrules.c).
 *
 * Linux decides a bind by its own SO_REUSEADDR / SO_REUSEPORT rules, which
 * cannot express every rule of Windows' SO_REUSEADDR and
 * SO_EXCLUSIVEADDRUSE (docs/STATUS.md, "What bind must add"). For the
 * sockets of this process the base provider knows more than Linux does:
 * it keeps a registry of the TCP endpoints its sockets have bound, with
 * each socket's reuse mode at bind time, and refuses a bind the way
 * Windows would before Linux is asked.
 */
#ifndef WS2_PROVIDER_BASE_BINDRULES_H
#define WS2_PROVIDER_BASE_BINDRULES_H

#include "provider/base/bsp.h"

#include <sys/socket.h>

/*
 * Binds s to the Linux address sa (WSPBind's system call), first checking
 * the address against the endpoints this process's TCP sockets hold, and
 * records the endpoint on success. Returns 0 or a WSA error code:
 * WSAEADDRINUSE or WSAEACCES where Windows refuses, else whatever Linux's
 * bind says.
 */
int ws2__bindrules_bind(ws2__bsock_t *s, const struct sockaddr *sa,
                        socklen_t salen);

/*
 * Records the endpoint of a socket that arrived already bound (WSASocket
 * with FROM_PROTOCOL_INFO), its reuse mode read from the Linux socket.
 */
void ws2__bindrules_adopt(ws2__bsock_t *s);

/*
 * Forgets the endpoint of s; closesocket calls it before the Linux socket
 * closes. Costs nothing for a socket that never bound.
 */
void ws2__bindrules_forget(ws2__bsock_t *s);

#endif /* WS2_PROVIDER_BASE_BINDRULES_H */
