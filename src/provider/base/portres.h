/*
 * portres.h: run-time port reservations (portres.c):
 * SIO_ACQUIRE_PORT_RESERVATION, SIO_ASSOCIATE_PORT_RESERVATION and
 * SIO_RELEASE_PORT_RESERVATION.
 *
 * A reservation is a block of consecutive TCP or UDP ports (the protocol
 * of the socket that acquired it) named by a 64-bit token. While it
 * lasts, its ports go only to sockets associated with its token: such a
 * socket binding port 0 gets the lowest free port of the block, an
 * explicit port of the block binds as usual, and any other socket of the
 * process binding a port of the block gets WSAEACCES. A reservation
 * lasts until it is released or the socket that acquired it is closed;
 * sockets already bound keep their ports.
 *
 * Windows' pool is system-wide; ws2's is the process's (portres.c says
 * what that leaves out). Every function is thread-safe.
 *
 * Byte order, as Windows has it: INET_PORT_RANGE.StartPort and
 * INET_PORT_RESERVATION_INSTANCE's StartPort are in network order,
 * NumberOfPorts in host order.
 *
 * Buffers, for WSPIoctl (ioctl.c checks them before calling): ACQUIRE
 * reads an INET_PORT_RANGE (4 bytes) and writes an
 * INET_PORT_RESERVATION_INSTANCE (16 bytes); its page says a short output
 * buffer fails with WSAEINVAL and 0 bytes returned. The three codes are
 * _WSAIOW (IOC_IN only), so ACQUIRE's output is not covered by a check
 * of IOC_OUT codes. ASSOCIATE and RELEASE read an
 * INET_PORT_RESERVATION_TOKEN (a ULONG64, 8 bytes, maybe unaligned in the
 * caller's buffer) and write nothing. All three apply to TCP and UDP
 * sockets only (WSAEOPNOTSUPP otherwise, as their pages say); the
 * functions below check that themselves.
 */
#ifndef WS2_PROVIDER_BASE_PORTRES_H
#define WS2_PROVIDER_BASE_PORTRES_H

#include "provider/base/bsp.h"

#include <mstcpip.h>
#include <stdint.h>

/*
 * SIO_ACQUIRE_PORT_RESERVATION: reserves in->NumberOfPorts consecutive
 * ports of s's protocol from ntohs(in->StartPort), or, with StartPort 0,
 * a block that ws2 chooses in Linux's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range). s owns the reservation: it
 * ends when s is closed. Fills *out (the block and a new token, never
 * 0). Returns 0 or a WSA error code:
 *   WSAEOPNOTSUPP  s is neither TCP nor UDP;
 *   WSAEINVAL      NumberOfPorts is 0, or the block passes port 65535;
 *   WSAEADDRINUSE  a port of the block is reserved already or in use (a
 *                  socket is bound to it), or no block of that size is
 *                  free in the ephemeral range;
 *   WSAENOBUFS     out of memory or descriptors while checking.
 */
int ws2__portres_acquire(ws2__bsock_t *s, const INET_PORT_RANGE *in,
                         INET_PORT_RESERVATION_INSTANCE *out);

/*
 * SIO_RELEASE_PORT_RESERVATION: ends the reservation `token` of s's
 * protocol; any socket of the process may release it. Sockets bound to
 * its ports keep them. Returns 0, WSAEOPNOTSUPP (s is neither TCP nor
 * UDP) or WSAEINVAL (no such reservation: unknown, released, or ended
 * with the socket that acquired it).
 */
int ws2__portres_release(ws2__bsock_t *s, ULONG64 token);

/*
 * SIO_ASSOCIATE_PORT_RESERVATION: s's next bind takes its port from the
 * reservation `token` (of s's protocol; any socket of the process may
 * associate). A later association replaces an earlier one. Returns 0,
 * WSAEOPNOTSUPP (s is neither TCP nor UDP), or WSAEINVAL (s is bound
 * already, or no such reservation).
 */
int ws2__portres_associate(ws2__bsock_t *s, ULONG64 token);

/*
 * closesocket: ends the reservations s acquired and forgets its
 * association. Called through ws2__bindrules_forget, before the Linux
 * socket closes; calling it again is harmless. Costs nothing for a socket
 * that never touched a reservation. (A socket that goes some other way,
 * CloseHandle on it, is found gone the next time the pool is used.)
 */
void ws2__portres_socket_closed(ws2__bsock_t *s);

/* ---- for bindrules.c: the bind path ----------------------------------
 * Called with the bind registry's lock held (bindrules.c); the pool's own
 * lock is taken inside, always after the registry's. */

/* ws2__portres_bind_plan's answer: bind to a port of [*first, +*count). */
#define WS2__PORTRES_BLOCK (-1)

/*
 * What a bind of s to `port` (host order; 0 = any) must do:
 *   0                   bind as usual; *avoid is set when port is 0 and
 *                       reservations of s's protocol exist, so the port
 *                       Linux picks must be outside them
 *                       (ws2__portres_reserved);
 *   WS2__PORTRES_BLOCK  s is associated and binds port 0: take the lowest
 *                       free port of [*first, *first + *count);
 *   WSAEACCES           port is in a reservation s is not associated with;
 *   WSAEADDRINUSE       s is associated with a reservation that has ended
 *                       and binds port 0: no port can come from it.
 */
int ws2__portres_bind_plan(ws2__bsock_t *s, uint16_t port, int *avoid,
                           uint16_t *first, unsigned *count);

/* Whether `port` is in a live reservation of s's protocol. */
int ws2__portres_reserved(ws2__bsock_t *s, uint16_t port);

#endif /* WS2_PROVIDER_BASE_PORTRES_H */
