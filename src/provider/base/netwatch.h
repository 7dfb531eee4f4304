/*
 * netwatch.h: the kernel's interface addresses and routes, for the base
 * provider's address and routing ioctls (netwatch.c).
 *
 * Everything comes from rtnetlink, in the caller's network namespace:
 *
 *   SIO_ADDRESS_LIST_QUERY        ws2__net_address_list
 *   SIO_ROUTING_INTERFACE_QUERY   ws2__net_route_query
 *   SIO_GET_INTERFACE_LIST        ws2__net_interface_list
 *   SIO_GET_BROADCAST_ADDRESS     ws2__net_broadcast_address
 *   SIO_ADDRESS_LIST_CHANGE       ws2__net_watch(WS2__NET_ADDR)
 *   SIO_ROUTING_INTERFACE_CHANGE  ws2__net_watch(WS2__NET_ROUTE)
 *
 * Families are Windows values (WS_AF_INET, WS_AF_INET6) and addresses are
 * Windows sockaddrs. Every function returns 0 or a WSA error code and is
 * thread-safe; the queries make their own netlink requests each time (no
 * cache), so a query made after a change is reported sees the change.
 */
#ifndef WS2_PROVIDER_BASE_NETWATCH_H
#define WS2_PROVIDER_BASE_NETWATCH_H

#include <winsock2.h>

#include "core/list.h"

/*
 * SIO_ADDRESS_LIST_QUERY: the unicast addresses of family af (WS_AF_INET
 * or WS_AF_INET6) an application can bind to, as a SOCKET_ADDRESS_LIST
 * written to out: the list header, the SOCKET_ADDRESS array, then the
 * sockaddrs (16 bytes for IPv4, 28 for IPv6, port 0), every lpSockaddr
 * pointing inside out. Listed: the addresses of interfaces that are up
 * (IFF_UP), except IPv6 addresses still tentative or whose duplicate
 * address detection failed (Linux refuses to bind those); IPv6
 * link-local addresses carry their interface index as sin6_scope_id.
 * Loopback addresses (127.0.0.1, ::1) are included, after all the others
 * (see netwatch.c for why, and for what Wine does).
 *
 * *needed is set to the bytes the whole list takes (0 when the call fails
 * before knowing). If cbout is smaller: WSAEFAULT, nothing written
 * (Windows' rule), except that a cbout of 1 to 7 (less than the list
 * header) gives WSAEINVAL and *needed = 0, as Wine does. Other errors:
 * WSAEINVAL (af), WSAENOBUFS, WSAEMFILE, WSAENETDOWN (netlink refused).
 */
int ws2__net_address_list(int af, void *out, DWORD cbout, DWORD *needed);

/*
 * SIO_ROUTING_INTERFACE_QUERY: the local address the kernel would send
 * from to reach dst (a Windows sockaddr of len bytes; its port is
 * ignored), written to local as a Windows sockaddr of the same family with
 * port 0 (*locallen: in, the room at local; out, the length written). An
 * IPv4-mapped IPv6 dst is routed as IPv4 and answered mapped.
 *
 * *needed is set to the length of the answer (16 or 28) whenever one is
 * known. Errors: WSAEFAULT (dst NULL, len shorter than dst's family needs,
 * or *locallen smaller than the answer: nothing written), WSAEINVAL (a
 * family other than IPv4 and IPv6), WSAENETUNREACH (no route; an
 * unreachable, prohibit or blackhole route; or a route with no address to
 * send from), WSAENETDOWN, WSAENOBUFS, WSAEMFILE.
 */
int ws2__net_route_query(const struct WS_sockaddr *dst, int len,
                         struct WS_sockaddr *local, int *locallen,
                         DWORD *needed);

/*
 * SIO_GET_INTERFACE_LIST: one INTERFACE_INFO per IPv4 address, on every
 * interface (up or not: iiFlags says), non-loopback interfaces first.
 * iiFlags: WS_IFF_UP, _BROADCAST, _LOOPBACK, _POINTTOPOINT, _MULTICAST
 * from the interface's Linux flags. iiAddress, iiNetmask: sockaddr_in.
 * iiBroadcastAddress: the broadcast address (IFF_BROADCAST), the peer's
 * address (IFF_POINTTOPOINT), else all zero (as Wine). Windows gives the
 * count only through the byte count: *needed = the bytes of the whole
 * array, also on failure. cbout smaller: WSAEFAULT, nothing written.
 */
int ws2__net_interface_list(void *out, DWORD cbout, DWORD *needed);

/*
 * SIO_GET_BROADCAST_ADDRESS: a broadcast address for sendto. IPv4:
 * 255.255.255.255, port 0 (what Windows' TCP/IP helper gives); IPv6 has
 * no broadcast: WSAEINVAL. *outlen as in ws2__net_route_query; too small:
 * WSAEFAULT with *needed = 16.
 */
int ws2__net_broadcast_address(int af, struct WS_sockaddr *out, int *outlen,
                               DWORD *needed);

/*
 * Change notification (SIO_ADDRESS_LIST_CHANGE,
 * SIO_ROUTING_INTERFACE_CHANGE, FD_ADDRESS_LIST_CHANGE,
 * FD_ROUTING_INTERFACE_CHANGE).
 *
 * One listener per process: a netlink socket subscribed to link, IPv4 and
 * IPv6 address and route changes, served by its own thread, started by
 * the first ws2__net_watch (which returns only once the socket listens, so
 * no change made after ws2__net_watch returns is missed). It calls
 * every armed watcher whose kind and family changed:
 *
 *  - WS2__NET_ADDR: the list ws2__net_address_list(af) returns changed
 *    (an address added or removed, an interface going up or down, an IPv6
 *    address leaving the tentative state). IPv6 lifetime refreshes do not
 *    count.
 *  - WS2__NET_ROUTE: a route of the family was added, removed or changed,
 *    an address of the family changed (anything of the above, and flags
 *    such as deprecated), or an interface went up or down. Windows lets a
 *    provider ignore the destination of SIO_ROUTING_INTERFACE_CHANGE and
 *    complete on any change; this is that.
 *
 * A notification may be spurious (the kernel's message for a change that
 * happened just before ws2__net_watch) but never missing: when the netlink
 * socket overflows, every watcher is called.
 *
 * Callbacks run on the listener's thread with no lock of netwatch held,
 * one at a time. A callback returning 0 disarms its watcher (one-shot):
 * netwatch does not touch w after that return, so the callback may free
 * it. Returning non-zero keeps it armed. A watcher armed while the
 * listener is calling callbacks waits for the next change.
 */
enum { WS2__NET_ADDR = 1, WS2__NET_ROUTE = 2 };

typedef struct ws2__net_watch ws2__net_watch_t;

/* Embedded in the caller's request; zero it before its first use. The
 * fields are netwatch's. */
struct ws2__net_watch {
  ws2__node_t node; /* on the listener's list while armed */
  int kind;         /* WS2__NET_ADDR and/or WS2__NET_ROUTE */
  int af;           /* WS_AF_INET, WS_AF_INET6, or 0: both */
  int (*cb)(ws2__net_watch_t *w, void *ctx);
  void *ctx;
  unsigned long round; /* the listener's round it was armed or run in */
};

/*
 * Arms w (zeroed, or disarmed: fired one-shot or unwatched) for kind
 * (WS2__NET_ADDR, WS2__NET_ROUTE or both, or'ed) changes of af. Returns
 * 0, or WSAEINVAL (kind, af or cb; or w is armed already), or the error
 * that kept the listener from starting (WSAENETDOWN, WSAENOBUFS,
 * WSAEMFILE), which is tried again on the next call. A child process
 * made by fork starts with no listener and no armed watcher.
 */
int ws2__net_watch(ws2__net_watch_t *w, int kind, int af,
                   int (*cb)(ws2__net_watch_t *w, void *ctx), void *ctx);

/*
 * Disarms w. When it returns, w's callback is not running and will not
 * run again, so the caller may free w and ctx. If the callback is running
 * on another thread, waits for it to return: do not call it holding a
 * lock that callback takes. Called from w's own callback, it returns at
 * once and w stays disarmed whatever the callback returns. A no-op for a
 * watcher that is not armed (it fired one-shot, or was never armed).
 */
void ws2__net_unwatch(ws2__net_watch_t *w);

#endif /* WS2_PROVIDER_BASE_NETWATCH_H */
