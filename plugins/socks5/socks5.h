/*
 * socks5.h: what the three parts of ws2-socks5 share.
 *
 *   socks5.c     the layer: a non-IFS provider (WPUCreateSocketHandle)
 *                that sees every call on its sockets, passes each to the
 *                socket below with its own OVERLAPPED in place of the
 *                application's, and reports completions and network
 *                events to the application itself.
 *   handshake.c  a connect through the proxy: the SOCKS5 exchange (RFC
 *                1928, and RFC 1929's username/password) run on the
 *                socket below as overlapped requests on the layer's
 *                completion port, and what the application is told when
 *                it ends.
 *   config.c     $WS2_SOCKS5_PROXY, the configuration file, and which
 *                connections go through the proxy.
 */
#ifndef WS2_SOCKS5_H
#define WS2_SOCKS5_H

#include <winsock2.h>
#include <mswsock.h>
#include <ws2spi.h>

#include <ws2ext/lsp.h>

#include <stddef.h>

/* ---- Configuration (config.c) ---------------------------------------- */

typedef struct s5_net { /* an address or prefix */
  int family;           /* AF_INET or AF_INET6 */
  unsigned char addr[16];
  int prefix;
} s5_net_t;

typedef struct s5_name { /* "name ADDRESS HOSTNAME" */
  int family;
  unsigned char addr[16];
  char host[256];
} s5_name_t;

typedef struct s5_config {
  int has_proxy;
  SOCKADDR_STORAGE proxy; /* the proxy's address */
  int proxy_len;
  int has_auth; /* RFC 1929 username and password */
  char user[256], pass[256];
  int loopback;     /* loopback destinations go through the proxy too */
  s5_net_t *direct; /* "direct" lines: never through the proxy */
  int ndirect;
  s5_name_t *names;
  int nnames;
  DWORD timeout_ms; /* for the whole exchange with the proxy */
  /* A file with an error is not used: every connection the layer would
   * decide on fails (fail closed), as errline/error say. */
  int errline;
  char error[200];
  char path[512];
} s5_config_t;

/* Reads $WS2_SOCKS5_CONFIG (else the default file) and $WS2_SOCKS5_PROXY
 * into *c; errors go to stderr with file:line. */
void s5_config_load(s5_config_t *c);
void s5_config_free(s5_config_t *c);

enum { S5_DIRECT, S5_PROXY, S5_REFUSE };
/* Whether a connect to `to` goes through the proxy; when it does and the
 * address is one of the "name" lines, *host is the name to ask for. */
int s5_route(const s5_config_t *c, const struct sockaddr *to, int len,
             const char **host);

/* ---- Sockets (socks5.c) ---------------------------------------------- */

/* Connection states of a socket. */
enum {
  ST_IDLE,      /* not connected by this layer yet */
  ST_DIRECT,    /* connected (or connecting, or listening) without proxy */
  ST_HANDSHAKE, /* connecting through the proxy */
  ST_PROXIED,   /* connected through the proxy */
  ST_FAILED     /* the connect through the proxy failed (error kept) */
};

struct s5_handshake;

/* One application socket. */
typedef struct s5_sock {
  unsigned magic;
  SOCKET app;                   /* the application's handle */
  SOCKET low;                   /* the socket below */
  ws2lsp_lower_t *lower;        /* its provider */
  const WSAPROTOCOL_INFOW *top; /* the chain (catalog copy) */
  int af;
  LONG refs;      /* under s5_lock */
  int dead;       /* refs reached 0: being closed (under s5_lock) */
  int closing;    /* the application closed it (under s5_lock) */
  int low_closed; /* the socket below is closed (under lock) */
  struct s5_sock *prev, *next; /* every socket (under s5_lock) */

  ws2lsp_lock_t lock; /* what follows */
  int state;
  int nonblocking; /* FIONBIO, or a WSAEventSelect / WSAAsyncSelect */
  int bound;       /* the application bound it */
  /* WSAEventSelect, or WSAAsyncSelect: the application's selection. */
  WSAEVENT ev;
  HWND hwnd;
  UINT msg;
  LONG mask;
  int selected_below;    /* the lower socket has had a selection */
  int fd_connect;        /* an FD_CONNECT to report (WSAEnumNetworkEvents) */
  int connect_error;     /* the result of the connect through the proxy */
  SOCKADDR_STORAGE peer; /* the destination the application asked for */
  int peer_len;
  struct s5_handshake *hs;
  /* Sent before the proxy's reply (WSAPoll says writable as soon as the
   * connection to the proxy is made): held, then sent after it. */
  char *held;
  size_t held_len;
} s5_sock_t;

extern ws2lsp_t s5_lsp;
extern s5_config_t s5_cfg;

s5_sock_t *s5_get(SOCKET s, int *err); /* a reference, or NULL */
void s5_put(s5_sock_t *sk);

/* A request of the layer on the socket below: its OVERLAPPED is first, so
 * the completion port's LPOVERLAPPED is the request. */
typedef struct s5_op s5_op_t;
typedef void (*s5_done_fn)(s5_op_t *op, int err, DWORD bytes, DWORD flags);
struct s5_op {
  WSAOVERLAPPED ov;
  s5_sock_t *sk;         /* a reference, dropped by the op's owner */
  SOCKET low;            /* the socket below it was issued on */
  ws2lsp_lower_t *lower; /* and its provider */
  s5_done_fn done;       /* called on the completion thread */
};

/*
 * Prepares op for a request on the socket below sk (taking a reference on
 * sk). The request is then made with &op->ov; unless the lower call
 * fails at once (an error other than WSA_IO_PENDING), its completion
 * comes through the layer's completion port, whether the call returned
 * at once or not, and op->done runs on the completion thread with the
 * result. Reusable for one request after another (s5_op_reset).
 */
void s5_op_init(s5_op_t *op, s5_sock_t *sk, s5_done_fn done);
void s5_op_reset(s5_op_t *op);

/* Network events and completions the layer delivers to the application.
 * s5_select_below gives the application's WSAEventSelect/WSAAsyncSelect
 * selection to the lower socket (none while a handshake runs). */
int s5_select_below(s5_sock_t *sk, int *err);
void s5_report_connect(s5_sock_t *sk, int err);
void s5_complete_app(s5_sock_t *sk, LPWSAOVERLAPPED ovl, int err, DWORD bytes);
/* The lower socket for a connect through a proxy of family af: sk->low,
 * or a new one when the families differ. 0 or a WSA error. */
int s5_lower_for(s5_sock_t *sk, int af);
/* The lower provider's extension function `id` for sk->low (NULL when it
 * has none). */
void *s5_lower_ext(s5_sock_t *sk, const GUID *id);

/* ---- Connecting through the proxy (handshake.c) --------------------- */

typedef struct s5_handshake s5_handshake_t;
/*
 * Starts a connect of sk through the proxy to `to` (host: the name to ask
 * for instead of the address, or NULL). `ovl`, `data`, `len`: a ConnectEx
 * to complete (data sent after the proxy's reply), or NULL; `wake`: an
 * event set when it ends (a blocking connect waits on it), or NULL.
 * 0 when started (it ends on the completion thread), or a WSA error.
 */
int s5_connect_start(s5_sock_t *sk, const struct sockaddr *to, int len,
                     const char *host, LPWSAOVERLAPPED ovl, const char *data,
                     DWORD data_len, HANDLE wake);
/* Ends handshakes past their deadline (called on the completion thread). */
void s5_handshake_timeouts(void);
/* SOCKS5 reply codes (RFC 1928, section 6) as Winsock errors. */
int s5_reply_error(int rep);

#endif /* WS2_SOCKS5_H */
