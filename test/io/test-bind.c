/* bind's SO_REUSEADDR / SO_EXCLUSIVEADDRUSE rules between TCP sockets of
 * one process: Windows' table (Microsoft's "Using SO_REUSEADDR and
 * SO_EXCLUSIVEADDRUSE", same user), and the cells Linux still refuses
 * (docs/STATUS.md, "What bind must add"). Runs on each engine. */
#include "ws2io.h"

enum { D, R, X }; /* default, SO_REUSEADDR, SO_EXCLUSIVEADDRUSE */

static SOCKET tcp(int af, int mode) {
  SOCKET s = socket(af, SOCK_STREAM, IPPROTO_TCP);
  BOOL on = TRUE;
  ASSERT_NE(s, INVALID_SOCKET);
  if (mode == R)
    ASSERT_EQ(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (char *)&on, sizeof(on)),
              0);
  if (mode == X)
    ASSERT_EQ(
        setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *)&on, sizeof(on)),
        0);
  return s;
}

static struct sockaddr_in v4(ULONG addr, u_short port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(addr);
  a.sin_port = htons(port);
  return a;
}

static int bind4(SOCKET s, ULONG addr, u_short port) {
  struct sockaddr_in a = v4(addr, port);
  return bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : WSAGetLastError();
}

static u_short port_of(SOCKET s) {
  struct sockaddr_in a;
  int len = sizeof(a);
  ASSERT_EQ(getsockname(s, (struct sockaddr *)&a, &len), 0);
  return ntohs(a.sin_port);
}

/* A default socket bound to 127.0.0.1 and a free port. */
static SOCKET bound(int mode, u_short *port) {
  SOCKET s = tcp(AF_INET, mode);
  ASSERT_EQ(bind4(s, INADDR_LOOPBACK, 0), 0);
  *port = port_of(s);
  return s;
}

#define INUSE WSAEADDRINUSE
#define ACCESS WSAEACCES
#define BINDS 0

/* First bind in rows, second in columns: mode * 2 + (specific address). */
static const int windows_table[6][6] = {
    /*         DW     DS     RW      RS      XW     XS */
    /* DW */ {INUSE, BINDS, ACCESS, BINDS, INUSE, BINDS},
    /* DS */ {BINDS, INUSE, BINDS, ACCESS, INUSE, INUSE},
    /* RW */ {INUSE, BINDS, BINDS, BINDS, INUSE, BINDS},
    /* RS */ {BINDS, INUSE, BINDS, BINDS, INUSE, INUSE},
    /* XW */ {INUSE, ACCESS, ACCESS, ACCESS, INUSE, ACCESS},
    /* XS */ {BINDS, INUSE, BINDS, ACCESS, INUSE, INUSE},
};

static void table(int listening) {
  int i, j;
  t_startup();
  for (i = 0; i < 6; i++)
    for (j = 0; j < 6; j++) {
      int fm = i / 2, sm = j / 2, fs = i % 2, ss = j % 2;
      int want = windows_table[i][j], got;
      SOCKET a = tcp(AF_INET, fm), b = tcp(AF_INET, sm);
      u_short p;
      ASSERT_EQ(bind4(a, fs ? INADDR_LOOPBACK : INADDR_ANY, 0), 0);
      p = port_of(a);
      if (listening) ASSERT_EQ(listen(a, 4), 0);
#ifndef _WIN32
      /* Linux cannot let a wildcard and a specific address share a port
       * when one of them is exclusive, or the first listens (unless both
       * have SO_REUSEADDR): Windows binds, Linux says EADDRINUSE. */
      if (want == BINDS && fs != ss &&
          (fm == X || sm == X || (listening && !(fm == R && sm == R))))
        want = INUSE;
#endif
      got = bind4(b, ss ? INADDR_LOOPBACK : INADDR_ANY, p);
      if (got != want)
        WS2TEST_FAIL_("%s first %c%c, then %c%c: got %d, want %d",
                      listening ? "listening" : "bound", "DRX"[fm], "WS"[fs],
                      "DRX"[sm], "WS"[ss], got, want);
      ASSERT_EQ(closesocket(a), 0);
      ASSERT_EQ(closesocket(b), 0);
    }
  t_cleanup();
}

TEST(windows_table_first_socket_bound) { table(0); }

TEST(windows_table_first_socket_listening) { table(1); }

TEST(two_default_sockets_neither_listening) {
  SOCKET a, b;
  u_short p;
  t_startup();
  a = bound(D, &p);
  b = tcp(AF_INET, D);
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, p), INUSE);
  /* The failed bind left b unbound: it may bind elsewhere. */
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, 0), 0);
  ASSERT_EQ(closesocket(b), 0);
  /* Once the first is closed, the port is free again. */
  ASSERT_EQ(closesocket(a), 0);
  b = tcp(AF_INET, D);
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, p), 0);
  ASSERT_EQ(listen(b, 4), 0);
  ASSERT_EQ(closesocket(b), 0);
  t_cleanup();
}

TEST(reuseaddr_after_default_or_exclusive_is_access_denied) {
  SOCKET a, b;
  u_short p;
  t_startup();
  a = bound(D, &p);
  b = tcp(AF_INET, R);
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, p), ACCESS);
  ASSERT_EQ(closesocket(b), 0);
  ASSERT_EQ(closesocket(a), 0);

  a = bound(X, &p);
  b = tcp(AF_INET, R);
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, p), ACCESS);
  ASSERT_EQ(closesocket(b), 0);
  b = tcp(AF_INET, D);
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, p), INUSE);
  ASSERT_EQ(closesocket(b), 0);
  ASSERT_EQ(closesocket(a), 0);

  /* Two SO_REUSEADDR sockets share it, as on Windows. */
  a = bound(R, &p);
  b = tcp(AF_INET, R);
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, p), 0);
  ASSERT_EQ(closesocket(b), 0);
  ASSERT_EQ(closesocket(a), 0);
  t_cleanup();
}

TEST(different_specific_addresses_never_conflict) {
  SOCKET a, b;
  u_short p;
  t_startup();
  a = bound(X, &p);
  b = tcp(AF_INET, X);
  /* 127.0.0.2 is a loopback address of Linux's lo as well. */
  ASSERT_EQ(bind4(b, 0x7f000002, p), 0);
  ASSERT_EQ(closesocket(b), 0);
  ASSERT_EQ(closesocket(a), 0);
  t_cleanup();
}

TEST(two_default_ipv6_sockets) {
  SOCKET a, b;
  struct sockaddr_in6 x;
  int len = sizeof(x);
  t_startup();
  a = tcp(AF_INET6, D);
  memset(&x, 0, sizeof(x));
  x.sin6_family = AF_INET6;
  x.sin6_addr = in6addr_loopback;
  if (bind(a, (struct sockaddr *)&x, sizeof(x)) != 0) {
    closesocket(a);
    t_cleanup();
    SKIP("no IPv6 loopback here");
  }
  ASSERT_EQ(getsockname(a, (struct sockaddr *)&x, &len), 0);
  b = tcp(AF_INET6, D);
  ASSERT_FAILS_WITH(bind(b, (struct sockaddr *)&x, sizeof(x)), SOCKET_ERROR,
                    INUSE);
  ASSERT_EQ(closesocket(b), 0);
  b = tcp(AF_INET6, R);
  ASSERT_FAILS_WITH(bind(b, (struct sockaddr *)&x, sizeof(x)), SOCKET_ERROR,
                    ACCESS);
  ASSERT_EQ(closesocket(b), 0);
  /* An IPv4 socket on the same port number is another endpoint. */
  b = tcp(AF_INET, D);
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, ntohs(x.sin6_port)), 0);
  ASSERT_EQ(closesocket(b), 0);
  ASSERT_EQ(closesocket(a), 0);
  t_cleanup();
}

TEST(a_socket_closed_with_close_handle_holds_nothing) {
  SOCKET a, b;
  u_short p;
  t_startup();
  a = bound(D, &p);
  ASSERT_TRUE(CloseHandle((HANDLE)a));
  b = tcp(AF_INET, D);
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, p), 0);
  ASSERT_EQ(closesocket(b), 0);
  t_cleanup();
}

TEST(a_duplicated_socket_holds_its_port) {
  SOCKET a, b, d;
  WSAPROTOCOL_INFOW info;
  BOOL v = FALSE;
  int len = sizeof(v);
  u_short p;
  t_startup();
  a = bound(X, &p);
  ASSERT_EQ(WSADuplicateSocketW(a, GetCurrentProcessId(), &info), 0);
  d = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO,
                 &info, 0, WSA_FLAG_OVERLAPPED);
  if (d == INVALID_SOCKET && WSAGetLastError() == WSAEACCES) {
    closesocket(a);
    t_cleanup();
    SKIP("pidfd_getfd is not allowed here");
  }
  ASSERT_NE(d, INVALID_SOCKET);
  ASSERT_EQ(closesocket(a), 0);
  /* The duplicate is the same bound, exclusive socket. */
  ASSERT_EQ(getsockopt(d, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *)&v, &len),
            0);
  ASSERT_EQ(v, TRUE);
  ASSERT_EQ(port_of(d), p);
  b = tcp(AF_INET, R);
  ASSERT_EQ(bind4(b, INADDR_LOOPBACK, p), ACCESS);
  ASSERT_EQ(closesocket(b), 0);
  /* (Closing d does not free the port here: the descriptor
   * WSADuplicateSocket keeps for the target stays open until the
   * process exits; duplicate.c.) */
  ASSERT_EQ(closesocket(d), 0);
  t_cleanup();
}

/* Threads binding default sockets to one port at once: one wins. */
typedef struct {
  HANDLE go;
  u_short port;
  SOCKET s;
  int result;
} racer_t;

static DWORD WINAPI racer(LPVOID arg) {
  racer_t *r = (racer_t *)arg;
  WaitForSingleObject(r->go, INFINITE);
  r->result = bind4(r->s, INADDR_LOOPBACK, r->port);
  return 0;
}

TEST(concurrent_binds_to_one_port) {
  enum { N = 8 };
  racer_t r[N];
  HANDLE t[N];
  HANDLE go;
  SOCKET probe;
  u_short p;
  int i, won = 0, round;
  t_startup();
  for (round = 0; round < 20; round++) {
    go = CreateEventA(NULL, TRUE, FALSE, NULL);
    ASSERT_NE_PTR(go, NULL);
    /* The port, held on another address no racer conflicts with, so
     * that no other process takes it meanwhile. */
    probe = tcp(AF_INET, D);
    ASSERT_EQ(bind4(probe, 0x7f000002, 0), 0);
    p = port_of(probe);
    for (i = 0; i < N; i++) {
      r[i].go = go;
      r[i].port = p;
      r[i].s = tcp(AF_INET, D);
      r[i].result = -1;
      t[i] = CreateThread(NULL, 0, racer, &r[i], 0, NULL);
      ASSERT_NE_PTR(t[i], NULL);
    }
    ASSERT_TRUE(SetEvent(go));
    for (i = 0; i < N; i++) ASSERT_JOINED(t[i], 10000);
    won = 0;
    for (i = 0; i < N; i++) {
      if (r[i].result == 0)
        won++;
      else
        ASSERT_EQ(r[i].result, INUSE);
      ASSERT_EQ(closesocket(r[i].s), 0);
    }
    ASSERT_EQ(won, 1);
    ASSERT_EQ(closesocket(probe), 0);
    ASSERT_TRUE(CloseHandle(go));
  }
  t_cleanup();
}
