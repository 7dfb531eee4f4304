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

#include <stdint.h>
#include <sys/socket.h>

/*
 * Binds s to the Linux address sa (WSPBind's system call), first checking
 * the address against the endpoints this process's TCP sockets hold and
 * against the port reservations of the process (portres.h), and records
 * the endpoint on success. A TCP or UDP socket associated with a
 * reservation and binding port 0 gets the lowest free port of the
 * reservation; any other one binding port 0 gets a port outside every
 * reservation. Returns 0 or a WSA error code: WSAEADDRINUSE or WSAEACCES
 * where Windows refuses (WSAEACCES: a reserved port; WSAEADDRINUSE: the
 * socket's reservation has no free port left), else whatever Linux's bind
 * says.
 */
int ws2__bindrules_bind(ws2__bsock_t *s, const struct sockaddr *sa,
                        socklen_t salen);

/*
 * Records the endpoint of a socket that arrived already bound (WSASocket
 * with FROM_PROTOCOL_INFO), its reuse mode read from the Linux socket.
 */
void ws2__bindrules_adopt(ws2__bsock_t *s);

/*
 * Forgets the endpoint of s, and ends the port reservations it acquired
 * (ws2__portres_socket_closed); closesocket calls it before the Linux
 * socket closes. Costs nothing for a socket that never bound nor touched
 * a reservation.
 */
void ws2__bindrules_forget(ws2__bsock_t *s);

/*
 * The registry's lock, for port reservations (portres.c): held, no bind
 * of this process runs. Taken before the reservation pool's own lock.
 */
void ws2__bindrules_lock(void);
void ws2__bindrules_unlock(void);

/* Whether a live TCP socket of this process is bound to `port` (host
 * order), on any address of either family. The registry's lock held. */
int ws2__bindrules_port_held(uint16_t port);

#endif /* WS2_PROVIDER_BASE_BINDRULES_H */
