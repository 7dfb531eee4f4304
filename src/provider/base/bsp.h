/*
 * bsp.h: the base service provider (what MSAFD is on Windows).
 *
 * Its sockets are IFS handles: a ws2__bsock_t is a core I/O object
 * (src/core/io.h) whose handle value is the SOCKET the application sees,
 * with a non-blocking Linux socket behind it. Every overlapped call first
 * tries its system call inline; only when that would block does the
 * request wait for the socket's readiness in an engine (engine.h).
 *
 * Per socket, pending requests wait in two FIFO queues, one per direction
 * (receives and accepts on rd, sends and connects on wr), under the
 * socket's lock, and complete in order, as Windows completes a socket's
 * overlapped receives in the order they were posted.
 */
#ifndef WS2_PROVIDER_BASE_BSP_H
#define WS2_PROVIDER_BASE_BSP_H

#include <winsock2.h>
#include <ws2spi.h>

#include "core/io.h"

#include <pthread.h>
#include <stdint.h>

/* ws2__bsock_t.flags */
#define WS2__BS_NONBLOCKING                                                  \
  0x0001                          /* FIONBIO (or WSAEventSelect/AsyncSelect) \
                                   */
#define WS2__BS_OVERLAPPED 0x0002 /* WSA_FLAG_OVERLAPPED */
#define WS2__BS_BOUND 0x0004
#define WS2__BS_LISTENING 0x0008
#define WS2__BS_CONNECTING 0x0010 /* non-blocking connect in progress */
#define WS2__BS_CONNECTED 0x0020
#define WS2__BS_SHUT_RD 0x0040
#define WS2__BS_SHUT_WR 0x0080
#define WS2__BS_REUSEADDR 0x0100 /* SO_REUSEADDR as Windows means it */
#define WS2__BS_EXCLUSIVE 0x0200 /* SO_EXCLUSIVEADDRUSE */
#define WS2__BS_CLOSING 0x0400
#define WS2__BS_OOBINLINE 0x0800

struct ws2__engine;
struct ws2__bop;

struct ws2__bsock_ioctl;

/* Fields are grouped by size, so the object stays small (the benchmark's
 * 512 bytes per open socket include it). */
typedef struct ws2__bsock {
  ws2__io_t io; /* first: the socket is a core I/O object */
  int fd;       /* the Linux socket, O_NONBLOCK, close-on-exec */
  int af;       /* Windows values: AF_INET6 is 23 */
  int type;
  int protocol;
  DWORD catalog_id;      /* the catalog entry the socket was made from */
  _Atomic int bind_slot; /* bindrules.c: 1 + the port of the socket's entry
                            in the bound-endpoint registry; 0: none */
  /* portres.c: whether the socket acquired port reservations (they end
   * when it closes), and the one it is associated with
   * (SIO_ASSOCIATE_PORT_RESERVATION; 0: none). */
  _Atomic int portres_owner;
  _Atomic uint32_t flags; /* WS2__BS_*; atomic, so readers need no lock */
  _Atomic uint64_t portres_token;

  pthread_mutex_t lock;     /* flags, queues, event-select state */
  ULONGLONG connect_tick;   /* GetTickCount64() when connected; 0 if not */
  DWORD rcvtimeo, sndtimeo; /* SO_RCVTIMEO / SO_SNDTIMEO, ms (0 = none) */

  _Atomic int blocked;   /* threads in a blocking call on the socket */
  _Atomic int users;     /* calls between ws2__bsock_get and _unref */
  _Atomic int fd_closed; /* the Linux socket is closed (once) */
  /* Whether a direction may be ready: cleared when a request found it
   * would block, set when the engine reports readiness. A new request is
   * tried inline only when its direction may be ready, which saves the
   * system call that would only say EAGAIN. */
  int rd_ready, wr_ready;
  /* What the receive side must know (ops.c), WS2__RD_* bits; atomic:
   * synchronous calls read and set it unlocked. */
  _Atomic int rd_marks;
  uint32_t engine_armed; /* engine state, under lock (io_uring) */
  int engine_detached;

  ws2__list_t rd_ops;   /* pending receive-side requests (struct ws2__bop) */
  ws2__list_t wr_ops;   /* pending send-side requests */
  SOCKET handle;        /* the socket's own handle value */
  ws2__node_t all_node; /* on the list of open sockets (socket.c); once
                           closed, on its engine's retire list (epoll) */
  struct ws2__engine *engine; /* where the socket waits for readiness */

  /* WSAEventSelect / WSAAsyncSelect (netevents.c), under lock. */
  _Atomic LONG ev_mask; /* the selected FD_* events (0: none); atomic,
                           so the I/O paths may peek without the lock */
  LONG ev_enabled;      /* may be recorded now (the re-enabling rules) */
  LONG ev_pending;      /* recorded, not yet enumerated */
  UINT ev_msg;          /* WSAAsyncSelect's message */
  int ev_errors[FD_MAX_EVENTS];
  HANDLE ev_event; /* WSAEventSelect's event */
  HWND ev_hwnd;    /* WSAAsyncSelect's window */

  /* What a few control codes keep (ioctl.c): made on first use, under
   * lock; NULL for most sockets. */
  struct ws2__bsock_ioctl *ioctl_state;
} ws2__bsock_t;

extern const ws2__objtype_t ws2__bsock_type;

/*
 * Creates a socket object around a Linux socket fd (made non-blocking and
 * close-on-exec here), with Windows af/type/protocol. One reference for the
 * caller, no handle yet. Returns 0 or a WSA error code.
 */
int ws2__bsock_new(int fd, int af, int type, int protocol, ws2__bsock_t **out);

/*
 * Waits in poll(2) for `events` on s in a blocking call (0: no timeout).
 * Returns 0, WSAETIMEDOUT, or WSAEINTR when closesocket interrupted it.
 */
int ws2__bsock_wait(ws2__bsock_t *s, short events, DWORD timeout_ms);

/*
 * The sockets whose handle is not closed yet, each referenced (release
 * with ws2__obj_unref(&s->io.obj), then free the array): what WSPCleanup
 * closes. Returns how many, with *out NULL when there are none or no
 * memory.
 */
size_t ws2__bsock_snapshot(ws2__bsock_t ***out);

/* Closes and releases a socket that never got a handle. */
void ws2__bsock_discard(ws2__bsock_t *s);

/*
 * The socket a SOCKET names (referenced), or NULL. Between get and unref
 * the Linux socket stays open: closesocket closes it at once when no call
 * is inside, else when the last one leaves, so a descriptor number is
 * never reused under a call still using it. A closing socket is not
 * found.
 */
ws2__bsock_t *ws2__bsock_get(SOCKET s);
void ws2__bsock_unref(ws2__bsock_t *s);

/* The same for one send or receive call: the handle's slot holds the
 * socket (core/object.h, ws2__handle_pin), two atomic operations less;
 * ws2__bsock_unpin takes the value that was pinned. */
ws2__bsock_t *ws2__bsock_pin(SOCKET s);
void ws2__bsock_unpin(ws2__bsock_t *s, SOCKET h);

/*
 * Socket options with Windows levels, names and value formats
 * (sockopt.c). Return 0 or a WSA error code; *optlen in and out as
 * getsockopt/setsockopt define it.
 */
int ws2__bsp_getsockopt(ws2__bsock_t *s, int level, int optname, char *optval,
                        int *optlen);
int ws2__bsp_setsockopt(ws2__bsock_t *s, int level, int optname,
                        const char *optval, int optlen);

/* WSPSelect and WSAPoll over the base provider's sockets (select.c). */
int WSPAPI ws2__bsp_select(int nfds, WS_fd_set *readfds, WS_fd_set *writefds,
                           WS_fd_set *exceptfds,
                           const struct WS_timeval *timeout, LPINT err);
int ws2__bsp_poll(LPWSAPOLLFD fds, ULONG nfds, INT timeout, LPINT err);

/* Network events (netevents.c): the engine saw `events` (WS2__EV_*);
 * a call re-enabled FD_* events; the three WSP entries. */
void ws2__bsp_netevents(ws2__bsock_t *s, uint32_t events);
void ws2__bsp_reenable(ws2__bsock_t *s, LONG ev);
/* Records ev (FD_ADDRESS_LIST_CHANGE, FD_ROUTING_INTERFACE_CHANGE) if
 * selected, and notifies it (ioctl.c). */
void ws2__bsp_netevent_record(ws2__bsock_t *s, LONG ev);
int WSPAPI ws2__bsp_eventselect(SOCKET h, WSAEVENT ev, LONG mask, LPINT err);
int WSPAPI ws2__bsp_asyncselect(SOCKET h, HWND hwnd, unsigned int msg,
                                LONG mask, LPINT err);
int WSPAPI ws2__bsp_enumnetworkevents(SOCKET h, WSAEVENT ev,
                                      LPWSANETWORKEVENTS ne, LPINT err);

/* The socket is closing: ioctl.c drops what it watches for it. Its
 * destruction: ioctl.c frees what it kept. */
void ws2__bsp_ioctl_closing(ws2__bsock_t *s);
void ws2__bsp_ioctl_destroy(ws2__bsock_t *s);

/* WSPIoctl: every control code (ioctl.c). */
int WSPAPI ws2__bsp_ioctl(SOCKET h, DWORD code, LPVOID in, DWORD cbin,
                          LPVOID out, DWORD cbout, LPDWORD ret,
                          LPWSAOVERLAPPED ovl,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          LPWSATHREADID tid, LPINT err);

/* WSADuplicateSocket, and the descriptor it describes (duplicate.c). */
int WSPAPI ws2__bsp_duplicatesocket(SOCKET h, DWORD pid,
                                    LPWSAPROTOCOL_INFOW info, LPINT err);
int ws2__bsp_socket_from_info(const WSAPROTOCOL_INFOW *info, int *fd_out);

/* Windows' defaults on a new socket (IPV6_V6ONLY on, TIME_WAIT reuse...). */
void ws2__bsp_sockopt_defaults(ws2__bsock_t *s);

/*
 * ws2__bsock_t.flags bits that only sockopt.c sets: option state Linux
 * does not keep, or keeps differently.
 */
#define WS2__BS_DEBUG 0x00010000        /* SO_DEBUG (recorded; no output) */
#define WS2__BS_CONDACCEPT 0x00020000   /* SO_CONDITIONAL_ACCEPT */
#define WS2__BS_PORTSCALE 0x00040000    /* SO_PORT_SCALABILITY (recorded) */
#define WS2__BS_RANDPORT 0x00080000     /* SO_RANDOMIZE_PORT (recorded) */
#define WS2__BS_SNDBUF_SET 0x00100000   /* SO_SNDBUF set (Linux doubles it) */
#define WS2__BS_RCVBUF_SET 0x00200000   /* SO_RCVBUF likewise */
#define WS2__BS_EXPEDITED 0x00400000    /* TCP_EXPEDITED_1122 (recorded) */
#define WS2__BS_TIMESTAMPS 0x00800000   /* TCP_TIMESTAMPS (recorded) */
#define WS2__BS_DONTROUTE 0x01000000    /* SO_DONTROUTE (ignored, as Windows) */
#define WS2__BS_NO_CONNRESET 0x02000000 /* SIO_UDP_CONNRESET off (ioctl.c) */

/* rd_marks bits. MARKS: the engine reported urgent data or the end of the
 * stream: from then on a short stream read no longer proves the receive
 * queue empty (recv_drained); sticky. ICMP_RESET: a UDP send consumed the
 * port unreachable that Linux reports to the next call of either
 * direction; the next receive reports it (WSAECONNRESET), as Windows
 * does. */
#define WS2__RD_MARKS 0x1
#define WS2__RD_ICMP_RESET 0x2
/* What an accepted socket takes over from its listener (accept, WSAAccept,
 * and AcceptEx + SO_UPDATE_ACCEPT_CONTEXT), besides rcvtimeo/sndtimeo. */
#define WS2__BS_OPT_INHERIT                                      \
  (WS2__BS_OOBINLINE | WS2__BS_DEBUG | WS2__BS_SNDBUF_SET |      \
   WS2__BS_RCVBUF_SET | WS2__BS_EXPEDITED | WS2__BS_TIMESTAMPS | \
   WS2__BS_PORTSCALE | WS2__BS_RANDPORT | WS2__BS_DONTROUTE)

/*
 * Copies the option state ws2 keeps itself (WS2__BS_OPT_INHERIT bits,
 * rcvtimeo, sndtimeo) from a listener to a socket accepted from it; the
 * kernel copies the rest. accept/WSAAccept call it for the new socket,
 * SO_UPDATE_ACCEPT_CONTEXT for AcceptEx's (sockopt.c).
 */
void ws2__bsp_sockopt_inherit(ws2__bsock_t *from, ws2__bsock_t *to);

/*
 * The base provider's protocol entries (protocols.c): *entries is the
 * table, the return value its length. WSAEnumProtocols lists them.
 */
int ws2__bsp_protocols(const WSAPROTOCOL_INFOW **entries);

/* The entry socket s was made from (SO_PROTOCOL_INFOW); 0 or WSAEINVAL. */
int ws2__bsp_protocol_info(ws2__bsock_t *s, WSAPROTOCOL_INFOW *out);

/* select, WSAPoll or FIONREAD saw the socket readable (rd) or writable
 * (wr): the next request of that direction tries its system call inline
 * again, as on Windows a receive issued when data is there completes at
 * once, even if the engine has not reported the data yet. A spurious hint
 * costs one system call that says EAGAIN. */
void ws2__bsock_hint_ready(ws2__bsock_t *s, int rd, int wr);

/* The base provider's WSPStartup (bsp.c), which ws2 calls directly for the
 * built-in entries (layers reach it as the exported WSPStartup). Every
 * call counts; the WSPCleanup that balances the last one closes every
 * socket still open. */
int ws2__bsp_startup(WORD version, LPWSPDATA data, LPWSAPROTOCOL_INFOW info,
                     WSPUPCALLTABLE upcalls, LPWSPPROC_TABLE procs);

/* The process's last WSACleanup, after every layer's WSPCleanup: ends
 * whatever startups are left (a layer that never balanced its own),
 * closing every socket. Returns how many were left. */
int ws2__bsp_shutdown(void);

#endif /* WS2_PROVIDER_BASE_BSP_H */
