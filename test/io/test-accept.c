/* accept and WSAAccept's condition function: CF_ACCEPT, CF_REJECT and
 * CF_DEFER (with and without SO_CONDITIONAL_ACCEPT), what the condition
 * function is given, and FD_ACCEPT's re-enabling around a deferral. Runs
 * on each engine. */
#include "ws2io.h"

/* What the condition function saw, and what it answers. */
typedef struct {
  int verdict;
  int calls;
  struct sockaddr_storage caller, callee;
  ULONG caller_len, callee_len;
  int caller_data_null, sqos_null, gqos_null;
  int callee_data_ok, g_ok;
} cond_t;

static int CALLBACK condition(LPWSABUF caller_id, LPWSABUF caller_data,
                              LPQOS sqos, LPQOS gqos, LPWSABUF callee_id,
                              LPWSABUF callee_data, GROUP FAR *g,
                              DWORD_PTR cb) {
  cond_t *c = (cond_t *)cb;
  c->calls++;
  memset(&c->caller, 0, sizeof(c->caller));
  memset(&c->callee, 0, sizeof(c->callee));
  c->caller_len = caller_id ? caller_id->len : 0;
  if (caller_id && caller_id->len <= sizeof(c->caller))
    memcpy(&c->caller, caller_id->buf, caller_id->len);
  c->callee_len = callee_id ? callee_id->len : 0;
  if (callee_id && callee_id->len <= sizeof(c->callee))
    memcpy(&c->callee, callee_id->buf, callee_id->len);
  c->caller_data_null = caller_data == NULL;
  c->sqos_null = sqos == NULL;
  c->gqos_null = gqos == NULL;
  /* As the documentation asks of a condition function with no data to
   * give back; the provider offers none (len 0). */
  c->callee_data_ok = callee_data != NULL && callee_data->len == 0;
  if (callee_data) callee_data->len = 0;
  c->g_ok = g != NULL && *g == 0;
  if (g) *g = 0;
  return c->verdict;
}

static SOCKET listener(struct sockaddr_in *a, int conditional) {
  SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  int len = sizeof(*a);
  BOOL on = TRUE;
  ASSERT_NE(l, INVALID_SOCKET);
  if (conditional)
    ASSERT_EQ(setsockopt(l, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, (char *)&on,
                         sizeof(on)),
              0);
  memset(a, 0, sizeof(*a));
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(l, (struct sockaddr *)a, sizeof(*a)), 0);
  ASSERT_EQ(listen(l, SOMAXCONN), 0);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)a, &len), 0);
  return l;
}

/* A client connected to a, and its own address. */
static SOCKET client(const struct sockaddr_in *a, struct sockaddr_in *self) {
  SOCKET c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  int len = sizeof(*self);
  ASSERT_NE(c, INVALID_SOCKET);
  ASSERT_EQ(connect(c, (const struct sockaddr *)a, sizeof(*a)), 0);
  ASSERT_EQ(getsockname(c, (struct sockaddr *)self, &len), 0);
  return c;
}

static int same_addr(const void *x, const struct sockaddr_in *y) {
  const struct sockaddr_in *a = (const struct sockaddr_in *)x;
  return a->sin_family == AF_INET && a->sin_port == y->sin_port &&
         a->sin_addr.s_addr == y->sin_addr.s_addr;
}

/* Waits until the listener has a connection for the kernel to hand out. */
static void wait_readable(SOCKET l) {
  fd_set r;
  struct timeval tv = {5, 0};
  FD_ZERO(&r);
  FD_SET(l, &r);
  ASSERT_EQ(select(0, &r, NULL, NULL, &tv), 1);
}

static void defer_then_accept(int conditional) {
  struct sockaddr_in la, me1, me2, peer;
  SOCKET l, c1, c2, a;
  cond_t cd;
  int len = sizeof(peer);
  char buf[4];
  t_startup();
  l = listener(&la, conditional);
  c1 = client(&la, &me1);
  memset(&cd, 0, sizeof(cd));
  cd.verdict = CF_DEFER;
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSATRY_AGAIN);
  ASSERT_EQ(cd.calls, 1);
  ASSERT_TRUE(same_addr(&cd.caller, &me1));
  /* A second connection queues behind the deferred one ... */
  c2 = client(&la, &me2);
  /* ... which the next WSAAccept presents again, first. */
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSATRY_AGAIN);
  ASSERT_EQ(cd.calls, 2);
  ASSERT_TRUE(same_addr(&cd.caller, &me1));
  cd.verdict = CF_ACCEPT;
  a = WSAAccept(l, (struct sockaddr *)&peer, &len, condition, (DWORD_PTR)&cd);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_EQ(cd.calls, 3);
  ASSERT_TRUE(same_addr(&cd.caller, &me1));
  ASSERT_EQ(len, (int)sizeof(peer));
  ASSERT_TRUE(same_addr(&peer, &me1));
  ASSERT_EQ(send(c1, "one", 3, 0), 3);
  ASSERT_EQ(recv(a, buf, sizeof(buf), 0), 3);
  ASSERT_MEM_EQ(buf, "one", 3);
  ASSERT_EQ(send(a, "ok", 2, 0), 2);
  ASSERT_EQ(recv(c1, buf, sizeof(buf), 0), 2);
  ASSERT_EQ(closesocket(a), 0);
  /* Then the second connection. */
  a = WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_TRUE(same_addr(&cd.caller, &me2));
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c1), 0);
  ASSERT_EQ(closesocket(c2), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
}

TEST(defer_with_conditional_accept_presents_the_same_peer_again) {
  defer_then_accept(1);
}

/* WSAAccept's page describes CF_DEFER without the option too. */
TEST(defer_without_conditional_accept) { defer_then_accept(0); }

TEST(defer_on_a_non_blocking_listener) {
  struct sockaddr_in la, me;
  SOCKET l, c, a;
  cond_t cd;
  u_long on = 1;
  t_startup();
  l = listener(&la, 1);
  ASSERT_EQ(ioctlsocket(l, FIONBIO, &on), 0);
  memset(&cd, 0, sizeof(cd));
  cd.verdict = CF_DEFER;
  /* Nothing pending: WSAEWOULDBLOCK, and no condition function. */
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSAEWOULDBLOCK);
  ASSERT_EQ(cd.calls, 0);
  c = client(&la, &me);
  wait_readable(l);
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSATRY_AGAIN);
  /* The deferred connection is still there for a non-blocking call. */
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSATRY_AGAIN);
  ASSERT_EQ(cd.calls, 2);
  cd.verdict = CF_ACCEPT;
  a = WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_TRUE(same_addr(&cd.caller, &me));
  /* Accepted from a non-blocking listener: non-blocking too. */
  {
    char b;
    ASSERT_FAILS_WITH(recv(a, &b, 1, 0), SOCKET_ERROR, WSAEWOULDBLOCK);
  }
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSAEWOULDBLOCK);
  ASSERT_EQ(cd.calls, 3);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
}

TEST(accept_takes_the_deferred_connection) {
  struct sockaddr_in la, me, peer;
  SOCKET l, c, a;
  cond_t cd;
  int len = sizeof(peer);
  t_startup();
  l = listener(&la, 1);
  c = client(&la, &me);
  memset(&cd, 0, sizeof(cd));
  cd.verdict = CF_DEFER;
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSATRY_AGAIN);
  a = accept(l, (struct sockaddr *)&peer, &len);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_TRUE(same_addr(&peer, &me));
  ASSERT_EQ(send(a, "x", 1, 0), 1);
  {
    char b;
    ASSERT_EQ(recv(c, &b, 1, 0), 1);
  }
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
}

TEST(reject_refuses_and_resets_the_peer) {
  struct sockaddr_in la, me;
  SOCKET l, c, c2, a;
  cond_t cd;
  char b;
  t_startup();
  l = listener(&la, 1);
  c = client(&la, &me);
  memset(&cd, 0, sizeof(cd));
  cd.verdict = CF_REJECT;
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSAECONNREFUSED);
  ASSERT_EQ(cd.calls, 1);
  /* The peer's connection is gone: reset, not a graceful close. */
  ASSERT_FAILS_WITH(recv(c, &b, 1, 0), SOCKET_ERROR, WSAECONNRESET);
  ASSERT_EQ(closesocket(c), 0);
  /* The listener goes on: the next connection is not the rejected one. */
  c2 = client(&la, &me);
  cd.verdict = CF_ACCEPT;
  a = WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_TRUE(same_addr(&cd.caller, &me));
  /* A verdict that is none of the three: WSAEINVAL. */
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c2), 0);
  c2 = client(&la, &me);
  cd.verdict = 7;
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSAEINVAL);
  ASSERT_EQ(closesocket(c2), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
}

TEST(condition_function_parameters) {
  struct sockaddr_in la, me;
  SOCKET l, c, a;
  cond_t cd;
  t_startup();
  l = listener(&la, 0);
  c = client(&la, &me);
  memset(&cd, 0, sizeof(cd));
  cd.verdict = CF_ACCEPT;
  a = WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_EQ(cd.calls, 1);
  /* lpCallerId: the peer; lpCalleeId: the local address (a sockaddr_in
   * each); TCP has no connect data; no QOS here. */
  ASSERT_EQ(cd.caller_len, sizeof(struct sockaddr_in));
  ASSERT_TRUE(same_addr(&cd.caller, &me));
  ASSERT_EQ(cd.callee_len, sizeof(struct sockaddr_in));
  ASSERT_TRUE(same_addr(&cd.callee, &la));
  ASSERT_TRUE(cd.caller_data_null);
  ASSERT_TRUE(cd.callee_data_ok);
  ASSERT_TRUE(cd.g_ok);
  ASSERT_TRUE(cd.sqos_null);
  ASSERT_TRUE(cd.gqos_null);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
}

TEST(condition_function_parameters_ipv6) {
  struct sockaddr_in6 la, me;
  SOCKET l, c, a;
  cond_t cd;
  int len = sizeof(la);
  t_startup();
  l = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_NE(l, INVALID_SOCKET);
  memset(&la, 0, sizeof(la));
  la.sin6_family = AF_INET6;
  la.sin6_addr = in6addr_loopback;
  if (bind(l, (struct sockaddr *)&la, sizeof(la)) != 0) {
    closesocket(l);
    t_cleanup();
    SKIP("no IPv6 loopback here");
  }
  ASSERT_EQ(listen(l, 4), 0);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)&la, &len), 0);
  c = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_EQ(connect(c, (struct sockaddr *)&la, sizeof(la)), 0);
  len = sizeof(me);
  ASSERT_EQ(getsockname(c, (struct sockaddr *)&me, &len), 0);
  memset(&cd, 0, sizeof(cd));
  cd.verdict = CF_ACCEPT;
  a = WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_EQ(cd.caller_len, sizeof(struct sockaddr_in6));
  ASSERT_EQ(cd.callee_len, sizeof(struct sockaddr_in6));
  ASSERT_EQ(((struct sockaddr_in6 *)&cd.caller)->sin6_family, AF_INET6);
  ASSERT_EQ(((struct sockaddr_in6 *)&cd.caller)->sin6_port, me.sin6_port);
  ASSERT_EQ(((struct sockaddr_in6 *)&cd.callee)->sin6_port, la.sin6_port);
  ASSERT_MEM_EQ(&((struct sockaddr_in6 *)&cd.callee)->sin6_addr,
                &in6addr_loopback, 16);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  t_cleanup();
}

TEST(closing_the_listener_resets_a_deferred_connection) {
  struct sockaddr_in la, me;
  SOCKET l, c;
  cond_t cd;
  char b;
  t_startup();
  l = listener(&la, 1);
  c = client(&la, &me);
  memset(&cd, 0, sizeof(cd));
  cd.verdict = CF_DEFER;
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSATRY_AGAIN);
  ASSERT_EQ(closesocket(l), 0);
  /* As a closed listener's backlog: the connection is reset. */
  ASSERT_FAILS_WITH(recv(c, &b, 1, 0), SOCKET_ERROR, WSAECONNRESET);
  ASSERT_EQ(closesocket(c), 0);
  t_cleanup();
}

/* Waits for the event and returns the enumerated events. */
static LONG wait_events(SOCKET s, WSAEVENT e, DWORD ms) {
  WSANETWORKEVENTS ne;
  memset(&ne, 0, sizeof(ne));
  if (WSAWaitForMultipleEvents(1, &e, FALSE, ms, FALSE) != WSA_WAIT_EVENT_0)
    return 0;
  ASSERT_EQ(WSAEnumNetworkEvents(s, e, &ne), 0);
  return ne.lNetworkEvents;
}

/* Every accept re-enables FD_ACCEPT, even a failed one, except one that
 * failed with WSATRY_AGAIN (CF_DEFER). */
TEST(fd_accept_is_not_re_enabled_by_a_deferral) {
  struct sockaddr_in la, me1, me2;
  SOCKET l, c1, c2, a;
  WSAEVENT e;
  cond_t cd;
  t_startup();
  l = listener(&la, 1);
  e = WSACreateEvent();
  ASSERT_EQ(WSAEventSelect(l, e, FD_ACCEPT), 0);
  c1 = client(&la, &me1);
  ASSERT_EQ(wait_events(l, e, 5000), FD_ACCEPT);
  memset(&cd, 0, sizeof(cd));
  cd.verdict = CF_DEFER;
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSATRY_AGAIN);
  c2 = client(&la, &me2);
  ASSERT_EQ(wait_events(l, e, 200), 0); /* no indication meanwhile */
  cd.verdict = CF_ACCEPT;
  a = WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_TRUE(same_addr(&cd.caller, &me1));
  /* Re-enabled, and the second connection is waiting: FD_ACCEPT. */
  ASSERT_EQ(wait_events(l, e, 5000), FD_ACCEPT);
  ASSERT_EQ(closesocket(a), 0);
  /* A rejection re-enables it too. */
  cd.verdict = CF_REJECT;
  ASSERT_FAILS_WITH(WSAAccept(l, NULL, NULL, condition, (DWORD_PTR)&cd),
                    INVALID_SOCKET, WSAECONNREFUSED);
  ASSERT_TRUE(same_addr(&cd.caller, &me2));
  {
    struct sockaddr_in me3;
    SOCKET c3 = client(&la, &me3);
    ASSERT_EQ(wait_events(l, e, 5000), FD_ACCEPT);
    ASSERT_EQ(closesocket(c3), 0);
  }
  ASSERT_EQ(closesocket(c1), 0);
  ASSERT_EQ(closesocket(c2), 0);
  ASSERT_EQ(closesocket(l), 0);
  WSACloseEvent(e);
  t_cleanup();
}
