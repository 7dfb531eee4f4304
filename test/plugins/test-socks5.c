/*
 * test-socks5.c: the SOCKS5 layer (plugins/socks5) loaded from a catalog
 * of the test's own, against a SOCKS5 server the test runs itself
 * (socks5-server.h) in front of loopback echo servers.
 *
 * Each case makes a catalog in a temporary directory (WS2_CATALOG), puts
 * ws2-socks5 from WS2_PLUGIN_DIR over TCP/IPv4 and TCP/IPv6 as a non-IFS
 * layer, starts Winsock, starts the servers (their sockets are the base
 * provider's, below the layer), and writes the layer's configuration file
 * (WS2_SOCKS5_CONFIG) before the first socket loads the layer: a proxy on
 * loopback, and "loopback proxy" so that loopback destinations go through
 * it (by default they do not).
 *
 * What is checked: blocking connect, WSAConnect, ConnectEx with data (an
 * event and a completion port), non-blocking connect seen through select,
 * WSAEventSelect's FD_CONNECT, WSAAsyncSelect's FD_CONNECT and WSAPoll,
 * with the proxy's reply delayed so that what the application sees before
 * it is checked too (nothing: not writable, no event); IPv4 and IPv6
 * destinations (an IPv6 one through the IPv4 proxy) and a host name (a
 * "name" line); no authentication and username/password, a wrong
 * password, a proxy that refuses (each reply code's error), no proxy
 * listening; data end to end through the proxy; getpeername; connections
 * that go direct; $WS2_SOCKS5_PROXY; an unusable configuration; a socket
 * closed while its connect runs.
 */
#include "ws2io.h"
#include "ws2plugins.h"

#include "socks5-server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char conf[300];
static s5srv_t proxy;
static echo_srv_t echo4, echo6;
static int have_v6;

/* The layer's chains over TCP/IPv4 and TCP/IPv6. */
static DWORD socks5_chains[2];

/* ws2-socks5 over TCP/IPv4 and TCP/IPv6, non-IFS, its chains first. */
static void install_socks5(void) {
  static const DWORD over[] = {T_TCP4, T_TCP6};
  char path[512];
  t_plugin_path("socks5", path, sizeof(path));
  t_install_layer(&socks5_guid, path, "ws2-socks5", 0, over, 2, socks5_chains);
}

/* ws2-filter (an IFS layer) over the layer's TCP/IPv4 chain, on top
 * (installed without XP1_IFS_HANDLES, as it always was here). */
static void install_filter_over_socks5(void) {
  char path[512];
  DWORD chain[1];
  t_plugin_path("filter", path, sizeof(path));
  t_install_layer(&filter_guid, path, "ws2-filter", 0, socks5_chains, 1, chain);
}

static void write_conf(const char *fmt, ...) {
  va_list ap;
  FILE *f;
  ASSERT_NE_PTR(f = fopen(conf, "w"), NULL);
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  ASSERT_EQ(fclose(f), 0);
}

/* The usual configuration: the test's proxy, loopback through it. */
static void conf_proxy(const char *extra) {
  write_conf(
      "# written by test-socks5\nproxy socks5://127.0.0.1:%u\n"
      "loopback proxy\ntimeout 5000\n%s",
      proxy.port, extra ? extra : "");
}

/* Set by a case that wants ws2-filter over the layer (installed with it,
 * before Winsock reads the catalog). */
static int with_filter;

/* A catalog with the layer, Winsock started, the servers running. The
 * layer is loaded by the first socket the test makes (after this), and
 * reads its configuration then. */
static void begin(void) {
  WSADATA wd;
  SOCKET probe;
  t_fresh_catalog();
  snprintf(conf, sizeof(conf), "%s/socks5.conf", t_catalog_dir);
  setenv("WS2_SOCKS5_CONFIG", conf, 1);
  unsetenv("WS2_SOCKS5_PROXY");
  install_socks5();
  if (with_filter) install_filter_over_socks5();
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wd), 0);
  /* The engine check of t_startup, with a socket below the layer. */
  probe = s5srv_base_socket(AF_INET);
  ASSERT_NE(probe, INVALID_SOCKET);
  closesocket(probe);
  if (!ws2_engine_name()) {
    WSACleanup();
    if (getenv("WS2_ENGINE"))
      SKIP("the engine WS2_ENGINE asks for is not available here");
    FAIL("no engine");
  }
  ASSERT_EQ(echo_start(&echo4, AF_INET), 0);
  have_v6 = echo_start(&echo6, AF_INET6) == 0;
  ASSERT_EQ(s5srv_start(&proxy, AF_INET), 0);
}

static void end(void) {
  s5srv_stop(&proxy);
  echo_stop(&echo4);
  if (have_v6) echo_stop(&echo6);
  ASSERT_EQ(WSACleanup(), 0);
  t_remove_catalog();
}

/* stderr captured into a file between capture_begin and capture_end. */
static int capture_fd = -1, saved_stderr = -1;

static void capture_begin(void) {
  char tmpl[] = "/tmp/ws2-test-socks5-log-XXXXXX";
  capture_fd = mkstemp(tmpl);
  ASSERT_TRUE(capture_fd >= 0);
  unlink(tmpl);
  saved_stderr = dup(2);
  fflush(stderr);
  dup2(capture_fd, 2);
}

static void capture_end(char *log, size_t size) {
  ssize_t n;
  fflush(stderr);
  dup2(saved_stderr, 2);
  close(saved_stderr);
  n = pread(capture_fd, log, size - 1, 0);
  log[n > 0 ? n : 0] = '\0';
  close(capture_fd);
  fputs(log, stderr);
}

/* A socket of the layer (checked: the chain's entry is the layer's, not
 * IFS). */
static SOCKET layered(int af, DWORD flags) {
  WSAPROTOCOL_INFOW w;
  int len = sizeof(w);
  SOCKET s = WSASocketW(af, SOCK_STREAM, IPPROTO_TCP, NULL, 0, flags);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len), 0);
  ASSERT_TRUE(IsEqualGUID(&w.ProviderId, &socks5_guid));
  ASSERT_EQ(w.dwServiceFlags1 & XP1_IFS_HANDLES, 0);
  return s;
}

/* Data through s comes back from the echo server. */
static void echo_through(SOCKET s, const char *msg) {
  char buf[256];
  int n = (int)strlen(msg);
  ASSERT_EQ(send(s, msg, n, 0), n);
  ASSERT_EQ(recv(s, buf, n, MSG_WAITALL), n);
  ASSERT_MEM_EQ(buf, msg, (size_t)n);
}

static void assert_peer(SOCKET s, const SOCKADDR_STORAGE *want, int len) {
  SOCKADDR_STORAGE got;
  int glen = sizeof(got);
  ASSERT_EQ(getpeername(s, (struct sockaddr *)&got, &glen), 0);
  ASSERT_EQ(glen, len);
  ASSERT_MEM_EQ(&got, want, (size_t)len);
}

/* ---- Blocking connects ----------------------------------------------- */

TEST(blocking_connect_ipv4_through_the_proxy) {
  SOCKADDR_STORAGE a;
  s5srv_request_t rq;
  int len;
  SOCKET s;
  begin();
  conf_proxy(NULL);
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  echo_through(s, "through the proxy and back");
  rq = s5srv_last(&proxy);
  ASSERT_EQ(rq.nmethods, 1);
  ASSERT_EQ(rq.methods[0], 0); /* no authentication offered, chosen */
  ASSERT_EQ(rq.method, 0);
  ASSERT_EQ(rq.cmd, 1);
  ASSERT_EQ(rq.atyp, 1);
  ASSERT_MEM_EQ(rq.addr, "\x7f\x00\x00\x01", 4);
  ASSERT_EQ(rq.port, echo4.port);
  ASSERT_EQ(rq.reply, 0);
  ASSERT_EQ(s5srv_connects(&proxy), 1);
  /* getpeername: the destination, not the proxy. */
  assert_peer(s, &a, len);
  /* connect again: already connected. */
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAEISCONN);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

TEST(wsaconnect_through_the_proxy) {
  SOCKADDR_STORAGE a;
  int len;
  SOCKET s;
  begin();
  conf_proxy(NULL);
  s = layered(AF_INET, WSA_FLAG_OVERLAPPED);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_EQ(WSAConnect(s, (struct sockaddr *)&a, len, NULL, NULL, NULL, NULL),
            0);
  echo_through(s, "WSAConnect");
  ASSERT_EQ(s5srv_connects(&proxy), 1);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

TEST(ipv6_destination_through_an_ipv4_proxy) {
  SOCKADDR_STORAGE a;
  s5srv_request_t rq;
  int len;
  SOCKET s;
  static const unsigned char loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 0, 0, 0, 0, 0, 1};
  begin();
  if (!have_v6) {
    end();
    SKIP("no IPv6 loopback here");
  }
  conf_proxy(NULL);
  s = layered(AF_INET6, 0);
  len = s5srv_loopback(AF_INET6, echo6.port, &a);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  echo_through(s, "IPv6 by way of an IPv4 proxy");
  rq = s5srv_last(&proxy);
  ASSERT_EQ(rq.atyp, 4);
  ASSERT_MEM_EQ(rq.addr, loop6, 16);
  ASSERT_EQ(rq.port, echo6.port);
  assert_peer(s, &a, len);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

TEST(ipv4_destination_through_an_ipv6_proxy) {
  SOCKADDR_STORAGE a;
  s5srv_t proxy6;
  int len;
  SOCKET s;
  begin();
  if (!have_v6) {
    end();
    SKIP("no IPv6 loopback here");
  }
  ASSERT_EQ(s5srv_start(&proxy6, AF_INET6), 0);
  write_conf("proxy socks5://[::1]:%u\nloopback proxy\n", proxy6.port);
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  echo_through(s, "an IPv6 proxy");
  ASSERT_EQ(s5srv_connects(&proxy6), 1);
  ASSERT_EQ(s5srv_last(&proxy6).atyp, 1);
  ASSERT_EQ(closesocket(s), 0);
  s5srv_stop(&proxy6);
  end();
}

/* A connect to an address of a "name" line asks the proxy for the name. */
TEST(host_name_through_the_proxy) {
  SOCKADDR_STORAGE a, echo_addr;
  s5srv_request_t rq;
  int len, elen;
  SOCKET s;
  begin();
  elen = s5srv_loopback(AF_INET, echo4.port, &echo_addr);
  s5srv_name(&proxy, "echo.test", &echo_addr, elen);
  conf_proxy("name 127.0.0.5 echo.test\n");
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ((struct sockaddr_in *)&a)->sin_addr.s_addr = htonl(0x7f000005);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  echo_through(s, "by name");
  rq = s5srv_last(&proxy);
  ASSERT_EQ(rq.atyp, 3);
  ASSERT_EQ(strcmp(rq.host, "echo.test"), 0);
  ASSERT_EQ(rq.port, echo4.port);
  assert_peer(s, &a, len); /* the address the application connected to */
  ASSERT_EQ(closesocket(s), 0);
  /* A name the proxy cannot resolve: host unreachable. */
  s = layered(AF_INET, 0);
  proxy.nnames = 0;
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAEHOSTUNREACH);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

/* ---- Authentication and refusals ------------------------------------- */

TEST(username_and_password) {
  SOCKADDR_STORAGE a;
  s5srv_request_t rq;
  int len;
  SOCKET s;
  begin();
  proxy.user = "alice";
  proxy.pass = "s3cr@t:x";
  /* %40 and %3A: '@' and ':' in the password. */
  write_conf(
      "proxy socks5://alice:s3cr%%40t%%3Ax@127.0.0.1:%u\n"
      "loopback proxy\n",
      proxy.port);
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  echo_through(s, "authenticated");
  rq = s5srv_last(&proxy);
  ASSERT_EQ(rq.nmethods, 2); /* no authentication, and username/password */
  ASSERT_EQ(rq.methods[0], 0);
  ASSERT_EQ(rq.methods[1], 2);
  ASSERT_EQ(rq.method, 2);
  ASSERT_EQ(strcmp(rq.user, "alice"), 0);
  ASSERT_EQ(strcmp(rq.pass, "s3cr@t:x"), 0);
  ASSERT_TRUE(rq.auth_ok);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

TEST(wrong_password_is_refused) {
  SOCKADDR_STORAGE a;
  s5srv_request_t rq;
  int len;
  SOCKET s;
  begin();
  proxy.user = "alice";
  proxy.pass = "s3cret";
  write_conf("proxy socks5://alice:guess@127.0.0.1:%u\nloopback proxy\n",
             proxy.port);
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAECONNREFUSED);
  rq = s5srv_last(&proxy);
  ASSERT_EQ(rq.method, 2);
  ASSERT_FALSE(rq.auth_ok);
  ASSERT_EQ(s5srv_connects(&proxy), 0);
  /* getpeername and SO_ERROR of the failed socket. */
  {
    SOCKADDR_STORAGE p;
    int plen = sizeof(p), e = 0, elen = sizeof(e);
    ASSERT_FAILS_WITH(getpeername(s, (struct sockaddr *)&p, &plen),
                      SOCKET_ERROR, WSAENOTCONN);
    ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&e, &elen), 0);
    ASSERT_EQ(e, WSAECONNREFUSED);
  }
  ASSERT_EQ(closesocket(s), 0);
  end();
}

TEST(proxy_wanting_a_password_we_do_not_have) {
  SOCKADDR_STORAGE a;
  int len;
  SOCKET s;
  begin();
  proxy.user = "alice";
  proxy.pass = "s3cret";
  conf_proxy(NULL); /* no credentials: only "no authentication" offered */
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAECONNREFUSED);
  ASSERT_EQ(s5srv_last(&proxy).method, 0xFF);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

/* The reply codes of RFC 1928 (section 6) and the errors they give. */
TEST(proxy_refusals_map_to_errors) {
  static const struct {
    int rep, err;
  } map[] = {{1, WSAECONNREFUSED}, {2, WSAECONNREFUSED}, {3, WSAENETUNREACH},
             {4, WSAEHOSTUNREACH}, {5, WSAECONNREFUSED}, {6, WSAETIMEDOUT},
             {7, WSAEOPNOTSUPP},   {8, WSAEAFNOSUPPORT}, {9, WSAECONNREFUSED}};
  SOCKADDR_STORAGE a;
  int len;
  size_t i;
  begin();
  conf_proxy(NULL);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
    SOCKET s = layered(AF_INET, 0);
    proxy.refuse = map[i].rep;
    ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                      map[i].err);
    ASSERT_EQ(s5srv_last(&proxy).reply, map[i].rep);
    ASSERT_EQ(closesocket(s), 0);
  }
  ASSERT_EQ(s5srv_connects(&proxy), 0);
  end();
}

TEST(no_proxy_listening) {
  SOCKADDR_STORAGE a;
  unsigned short dead;
  SOCKET l, s;
  int len;
  begin();
  /* A port nothing listens on: a listener's, closed. */
  l = s5srv_listen(AF_INET, &dead);
  ASSERT_NE(l, INVALID_SOCKET);
  ASSERT_EQ(closesocket(l), 0);
  write_conf("proxy socks5://127.0.0.1:%u\nloopback proxy\n", dead);
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAECONNREFUSED);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

/* ---- Non-blocking connects ------------------------------------------- */

static int writable(SOCKET s, long usec, int *except) {
  fd_set w, x;
  struct timeval tv;
  int r;
  FD_ZERO(&w);
  FD_ZERO(&x);
  FD_SET(s, &w);
  FD_SET(s, &x);
  tv.tv_sec = usec / 1000000;
  tv.tv_usec = usec % 1000000;
  r = select(0, NULL, &w, &x, &tv);
  ASSERT_TRUE(r >= 0);
  if (except) *except = FD_ISSET(s, &x);
  return FD_ISSET(s, &w);
}

/* The proxy answers CONNECT after 300 ms: until then the socket is
 * "connecting" for select, although the socket below is connected (to
 * the proxy) and writable. */
TEST(nonblocking_connect_with_select) {
  SOCKADDR_STORAGE a;
  u_long on = 1;
  int len, ex = 0, e = -1, elen = sizeof(e);
  SOCKET s, other;
  char buf[4];
  begin();
  conf_proxy(NULL);
  proxy.delay_ms = 300;
  s = layered(AF_INET, 0);
  ASSERT_EQ(ioctlsocket(s, FIONBIO, &on), 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAEWOULDBLOCK);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAEALREADY);
  ASSERT_FALSE(writable(s, 100000, &ex));
  ASSERT_FALSE(ex);
  ASSERT_FAILS_WITH(recv(s, buf, sizeof(buf), 0), SOCKET_ERROR, WSAEWOULDBLOCK);
  /* With a socket that is not the layer's in the same call (the layer
   * names its own handle for select, SIO_BSP_HANDLE_SELECT: ws2 calls its
   * WSPSelect with the whole sets). */
  {
    unsigned short port;
    fd_set r, w;
    struct timeval tv = {5, 0};
    other = s5srv_listen(AF_INET, &port); /* never readable here */
    ASSERT_NE(other, INVALID_SOCKET);
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(s, &r);
    FD_SET(other, &r);
    FD_SET(s, &w);
    ASSERT_EQ(select(0, &r, &w, NULL, &tv), 1);
    ASSERT_TRUE(FD_ISSET(s, &w));
    ASSERT_EQ(r.fd_count, 0);
  }
  ASSERT_EQ(closesocket(other), 0);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&e, &elen), 0);
  ASSERT_EQ(e, 0);
  on = 0;
  ASSERT_EQ(ioctlsocket(s, FIONBIO, &on), 0);
  echo_through(s, "non-blocking");
  assert_peer(s, &a, len);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

TEST(nonblocking_connect_refused_with_select) {
  SOCKADDR_STORAGE a;
  u_long on = 1;
  int len, ex = 0, e = 0, elen = sizeof(e), i;
  SOCKET s;
  begin();
  conf_proxy(NULL);
  proxy.delay_ms = 100;
  proxy.refuse = 4;
  s = layered(AF_INET, 0);
  ASSERT_EQ(ioctlsocket(s, FIONBIO, &on), 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAEWOULDBLOCK);
  for (i = 0; i < 50 && !ex; i++) ASSERT_FALSE(writable(s, 100000, &ex));
  ASSERT_TRUE(ex); /* a failed connect is in exceptfds */
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&e, &elen), 0);
  ASSERT_EQ(e, WSAEHOSTUNREACH);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

/* WSAPoll comes to the layer too (SIO_BSP_HANDLE_POLL names its handle,
 * ws2 hands the array over with SIO_EXT_POLL): not writable while the
 * proxy has not answered, whatever the socket below says; writable when
 * it has; POLLERR | POLLHUP when it refused. A socket of the base provider
 * in the same array is polled as usual. */
TEST(nonblocking_connect_with_wsapoll) {
  SOCKADDR_STORAGE a;
  u_long on = 1;
  int len, round, e = -1, elen = sizeof(e);
  unsigned short port;
  SOCKET s, other;
  WSAPOLLFD fds[2];
  for (round = 0; round < 2; round++) {
    begin();
    conf_proxy(NULL);
    proxy.delay_ms = 300;
    proxy.refuse = round ? 4 : 0;
    s = layered(AF_INET, 0);
    other = s5srv_listen(AF_INET, &port); /* never readable here */
    ASSERT_NE(other, INVALID_SOCKET);
    ASSERT_EQ(ioctlsocket(s, FIONBIO, &on), 0);
    len = s5srv_loopback(AF_INET, echo4.port, &a);
    ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                      WSAEWOULDBLOCK);
    fds[0].fd = other;
    fds[0].events = POLLRDNORM;
    fds[1].fd = s;
    fds[1].events = POLLWRNORM;
    ASSERT_EQ(WSAPoll(fds, 2, 100), 0);
    ASSERT_EQ(fds[0].revents, 0);
    ASSERT_EQ(fds[1].revents, 0);
    ASSERT_EQ(WSAPoll(fds, 2, 5000), 1);
    ASSERT_EQ(fds[0].revents, 0);
    if (!round) {
      ASSERT_EQ(fds[1].revents, POLLWRNORM);
      ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&e, &elen), 0);
      ASSERT_EQ(e, 0);
      on = 0;
      ASSERT_EQ(ioctlsocket(s, FIONBIO, &on), 0);
      on = 1;
      echo_through(s, "polled");
    } else {
      ASSERT_EQ(fds[1].revents, POLLERR | POLLHUP);
      ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&e, &elen), 0);
      ASSERT_EQ(e, WSAEHOSTUNREACH);
    }
    ASSERT_EQ(closesocket(other), 0);
    ASSERT_EQ(closesocket(s), 0);
    end();
  }
}

TEST(nonblocking_connect_with_wsaeventselect) {
  SOCKADDR_STORAGE a;
  WSANETWORKEVENTS ne;
  WSAEVENT ev;
  int len, i;
  SOCKET s;
  char buf[8];
  begin();
  conf_proxy(NULL);
  proxy.delay_ms = 300;
  s = layered(AF_INET, 0);
  ASSERT_NE_PTR(ev = WSACreateEvent(), NULL);
  ASSERT_EQ(WSAEventSelect(s, ev, FD_CONNECT | FD_WRITE | FD_READ | FD_CLOSE),
            0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAEWOULDBLOCK);
  /* Nothing while the proxy has not answered... */
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 150, FALSE),
            WSA_WAIT_TIMEOUT);
  /* ...then FD_CONNECT, without error, and FD_WRITE. */
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 5000, FALSE),
            WSA_WAIT_EVENT_0);
  ASSERT_EQ(WSAEnumNetworkEvents(s, ev, &ne), 0);
  ASSERT_TRUE(ne.lNetworkEvents & FD_CONNECT);
  ASSERT_EQ(ne.iErrorCode[FD_CONNECT_BIT], 0);
  if (!(ne.lNetworkEvents & FD_WRITE)) {
    ASSERT_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 5000, FALSE),
              WSA_WAIT_EVENT_0);
    ASSERT_EQ(WSAEnumNetworkEvents(s, ev, &ne), 0);
    ASSERT_TRUE(ne.lNetworkEvents & FD_WRITE);
  }
  /* The data and FD_READ come from the socket below. */
  ASSERT_EQ(send(s, "evented", 7, 0), 7);
  for (i = 0, ne.lNetworkEvents = 0; i < 10 && !(ne.lNetworkEvents & FD_READ);
       i++) {
    ASSERT_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 5000, FALSE),
              WSA_WAIT_EVENT_0);
    ASSERT_EQ(WSAEnumNetworkEvents(s, ev, &ne), 0);
  }
  ASSERT_TRUE(ne.lNetworkEvents & FD_READ);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 7);
  ASSERT_MEM_EQ(buf, "evented", 7);
  ASSERT_EQ(closesocket(s), 0);
  /* Refused: FD_CONNECT with the error. */
  proxy.refuse = 5;
  proxy.delay_ms = 0;
  s = layered(AF_INET, 0);
  ASSERT_TRUE(WSAResetEvent(ev));
  ASSERT_EQ(WSAEventSelect(s, ev, FD_CONNECT | FD_WRITE), 0);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAEWOULDBLOCK);
  ASSERT_EQ(WSAWaitForMultipleEvents(1, &ev, FALSE, 5000, FALSE),
            WSA_WAIT_EVENT_0);
  ASSERT_EQ(WSAEnumNetworkEvents(s, ev, &ne), 0);
  ASSERT_EQ(ne.lNetworkEvents, FD_CONNECT);
  ASSERT_EQ(ne.iErrorCode[FD_CONNECT_BIT], WSAECONNREFUSED);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(WSACloseEvent(ev));
  end();
}

#define WM_SOCKET (WM_USER + 1)

static LRESULT CALLBACK wndproc(HWND h, UINT m, WPARAM w, LPARAM l) {
  return DefWindowProcA(h, m, w, l);
}

static MSG next_socket_msg(HWND hwnd, DWORD ms) {
  MSG msg;
  DWORD start = GetTickCount();
  memset(&msg, 0, sizeof(msg));
  while (GetTickCount() - start < ms) {
    if (PeekMessageA(&msg, hwnd, WM_SOCKET, WM_SOCKET, PM_REMOVE)) return msg;
    Sleep(2);
  }
  memset(&msg, 0, sizeof(msg));
  return msg;
}

TEST(nonblocking_connect_with_wsaasyncselect) {
  SOCKADDR_STORAGE a;
  WNDCLASSA wc;
  HWND hwnd;
  MSG m;
  int len;
  SOCKET s;
  char buf[8];
  begin();
  conf_proxy(NULL);
  proxy.delay_ms = 200;
  memset(&wc, 0, sizeof(wc));
  wc.lpfnWndProc = wndproc;
  wc.lpszClassName = "ws2-socks5-test";
  ASSERT_NE(RegisterClassA(&wc), 0);
  hwnd = CreateWindowExA(0, "ws2-socks5-test", "", 0, 0, 0, 0, 0, HWND_MESSAGE,
                         NULL, NULL, NULL);
  ASSERT_NE_PTR(hwnd, NULL);
  s = layered(AF_INET, 0);
  ASSERT_FAILS_WITH(WSAAsyncSelect(s, NULL, WM_SOCKET, FD_CONNECT),
                    SOCKET_ERROR, WSAEINVAL);
  ASSERT_EQ(WSAAsyncSelect(s, hwnd, WM_SOCKET, FD_CONNECT | FD_WRITE | FD_READ),
            0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAEWOULDBLOCK);
  m = next_socket_msg(hwnd, 100); /* nothing before the proxy's reply */
  ASSERT_EQ(m.lParam, 0);
  /* FD_CONNECT first, naming the application's socket, then FD_WRITE. */
  m = next_socket_msg(hwnd, 5000);
  ASSERT_EQ(m.wParam, s);
  ASSERT_EQ(WSAGETSELECTEVENT(m.lParam), FD_CONNECT);
  ASSERT_EQ(WSAGETSELECTERROR(m.lParam), 0);
  m = next_socket_msg(hwnd, 5000);
  ASSERT_EQ(m.wParam, s);
  ASSERT_EQ(WSAGETSELECTEVENT(m.lParam), FD_WRITE);
  ASSERT_EQ(send(s, "window", 6, 0), 6);
  m = next_socket_msg(hwnd, 5000);
  ASSERT_EQ(m.wParam, s);
  ASSERT_EQ(WSAGETSELECTEVENT(m.lParam), FD_READ);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 6);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(DestroyWindow(hwnd));
  ASSERT_TRUE(UnregisterClassA("ws2-socks5-test", NULL));
  end();
}

/*
 * A send before the proxy has answered (a program that sends without
 * waiting to be told writable) is held by the layer and sent after the
 * proxy's reply, before what is sent later; a receive waits for it.
 */
TEST(send_during_handshake_is_held) {
  SOCKADDR_STORAGE a;
  WSAPOLLFD p;
  u_long on = 1;
  int len, i, r, got = 0;
  DWORD t0;
  SOCKET s;
  char buf[16];
  begin();
  conf_proxy(NULL);
  proxy.delay_ms = 200;
  s = layered(AF_INET, 0);
  ASSERT_EQ(ioctlsocket(s, FIONBIO, &on), 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAEWOULDBLOCK);
  p.fd = s;
  p.revents = 0;
  /* Sent before the proxy's reply (held), and after. */
  ASSERT_EQ(send(s, "held ", 5, 0), 5);
  /* Until the reply, recv says WSAEWOULDBLOCK. */
  for (i = 0, t0 = GetTickCount(); got < 10 && GetTickCount() - t0 < 5000;
       i++) {
    if (i == 1) ASSERT_EQ(send(s, "after", 5, 0), 5);
    p.events = POLLRDNORM;
    ASSERT_TRUE(WSAPoll(&p, 1, 20) >= 0);
    r = recv(s, buf + got, (int)sizeof(buf) - got, 0);
    if (r > 0)
      got += r;
    else if (WSAGetLastError() == WSAEWOULDBLOCK)
      Sleep(1);
    else
      FAIL("recv failed");
  }
  ASSERT_EQ(got, 10);
  ASSERT_MEM_EQ(buf, "held after", 10);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

/* ---- ConnectEx ------------------------------------------------------- */

static LPFN_CONNECTEX connectex_of(SOCKET s) {
  GUID id = WSAID_CONNECTEX;
  LPFN_CONNECTEX fn = NULL;
  DWORD n = 0;
  ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                     &fn, sizeof(fn), &n, NULL, NULL),
            0);
  return fn;
}

static void bind_any(SOCKET s, int af) {
  SOCKADDR_STORAGE any;
  int len = s5srv_loopback(af, 0, &any);
  ASSERT_EQ(bind(s, (struct sockaddr *)&any, len), 0);
}

TEST(connectex_with_data_through_the_proxy) {
  SOCKADDR_STORAGE a;
  LPFN_CONNECTEX connectex;
  WSAOVERLAPPED ov;
  DWORD n = 0, flags = 0;
  int len;
  SOCKET s;
  char buf[32];
  begin();
  conf_proxy(NULL);
  proxy.delay_ms = 100;
  s = layered(AF_INET, WSA_FLAG_OVERLAPPED);
  connectex = connectex_of(s);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  /* Unbound: ConnectEx's own rule. */
  ASSERT_FAILS_WITH(connectex(s, (struct sockaddr *)&a, len, NULL, 0, &n, &ov),
                    FALSE, WSAEINVAL);
  bind_any(s, AF_INET);
  ASSERT_FAILS_WITH(
      connectex(s, (struct sockaddr *)&a, len, "first words", 11, &n, &ov),
      FALSE, ERROR_IO_PENDING);
  ASSERT_FALSE(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSA_IO_INCOMPLETE);
  ASSERT_TRUE(WSAGetOverlappedResult(s, &ov, &n, TRUE, &flags));
  ASSERT_EQ(n, 11);
  ASSERT_EQ(setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0), 0);
  ASSERT_EQ(recv(s, buf, 11, MSG_WAITALL), 11);
  ASSERT_MEM_EQ(buf, "first words", 11);
  assert_peer(s, &a, len);
  echo_through(s, "and then some");
  ASSERT_EQ(closesocket(s), 0);
  /* Refused: the completion carries the error. */
  proxy.refuse = 3;
  s = layered(AF_INET, WSA_FLAG_OVERLAPPED);
  bind_any(s, AF_INET);
  ASSERT_TRUE(WSAResetEvent(ov.hEvent));
  ASSERT_FAILS_WITH(connectex(s, (struct sockaddr *)&a, len, NULL, 0, &n, &ov),
                    FALSE, ERROR_IO_PENDING);
  ASSERT_FALSE(WSAGetOverlappedResult(s, &ov, &n, TRUE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSAENETUNREACH);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  end();
}

/* ConnectEx and overlapped data through a completion port with
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: each request's packet comes once,
 * on the application's port, with its OVERLAPPED (the layer's stand-ins
 * stay below). */
TEST(connectex_and_overlapped_data_on_a_completion_port) {
  SOCKADDR_STORAGE a;
  LPFN_CONNECTEX connectex;
  WSAOVERLAPPED ov, rov;
  HANDLE port;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  DWORD n = 0, flags = 0;
  WSABUF b;
  int len;
  SOCKET s;
  char buf[32];
  begin();
  conf_proxy(NULL);
  s = layered(AF_INET, WSA_FLAG_OVERLAPPED);
  port = CreateIoCompletionPort((HANDLE)s, NULL, 42, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  connectex = connectex_of(s);
  bind_any(s, AF_INET);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  memset(&ov, 0, sizeof(ov));
  ASSERT_FAILS_WITH(
      connectex(s, (struct sockaddr *)&a, len, "ping", 4, &n, &ov), FALSE,
      ERROR_IO_PENDING);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
  ASSERT_EQ_PTR(done, &ov);
  ASSERT_EQ(key, 42);
  ASSERT_EQ(n, 4);
  /* A receive: pending until the echo comes back, then one packet. */
  memset(&rov, 0, sizeof(rov));
  b.buf = buf;
  b.len = 4;
  if (WSARecv(s, &b, 1, &n, &flags, &rov, NULL) == 0) {
    ASSERT_EQ(n, 4); /* already there: no packet (skip-on-success) */
  } else {
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
    ASSERT_EQ_PTR(done, &rov);
    ASSERT_EQ(n, 4);
  }
  ASSERT_MEM_EQ(buf, "ping", 4);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &done, 50));
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(CloseHandle(port));
  end();
}

/* ---- What does not go through the proxy ------------------------------ */

TEST(direct_connections_bypass_the_proxy) {
  SOCKADDR_STORAGE a;
  int len;
  SOCKET s;
  begin();
  /* Loopback is direct unless configured otherwise. */
  write_conf("proxy socks5://127.0.0.1:%u\n", proxy.port);
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  echo_through(s, "direct");
  assert_peer(s, &a, len);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_EQ(proxy.requests, 0);
  end();
  /* "direct" lines, with loopback through the proxy. */
  begin();
  conf_proxy("direct 127.0.0.0/8\n");
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  echo_through(s, "direct too");
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_EQ(proxy.requests, 0);
  end();
}

TEST(proxy_from_the_environment) {
  SOCKADDR_STORAGE a;
  char url[64];
  int len;
  SOCKET s;
  begin();
  write_conf("proxy socks5://127.0.0.1:1\nloopback proxy\n");
  snprintf(url, sizeof(url), "socks5://127.0.0.1:%u", proxy.port);
  setenv("WS2_SOCKS5_PROXY", url, 1);
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  echo_through(s, "from the environment");
  ASSERT_EQ(s5srv_connects(&proxy), 1);
  ASSERT_EQ(closesocket(s), 0);
  unsetenv("WS2_SOCKS5_PROXY");
  end();
}

TEST(unusable_configuration_refuses) {
  SOCKADDR_STORAGE a;
  char log[4096], want[400];
  int len;
  SOCKET s;
  begin();
  write_conf("proxy socks5://127.0.0.1:%u\nloopback sometimes\n", proxy.port);
  capture_begin();
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAENETDOWN);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want), "%s:2: loopback needs proxy or direct", conf);
  if (!strstr(log, want)) FAIL(want);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_EQ(proxy.requests, 0);
  end();
}

/* Closed while the proxy has not answered: nothing left behind (the
 * sanitizer builds check), and the proxy sees the connection end. */
TEST(closed_while_connecting) {
  SOCKADDR_STORAGE a;
  u_long on = 1;
  int len, i;
  SOCKET s;
  begin();
  conf_proxy(NULL);
  proxy.delay_ms = 200;
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  for (i = 0; i < 3; i++) {
    s = layered(AF_INET, 0);
    ASSERT_EQ(ioctlsocket(s, FIONBIO, &on), 0);
    ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                      WSAEWOULDBLOCK);
    if (i) Sleep(20 * (DWORD)i);
    ASSERT_EQ(closesocket(s), 0);
  }
  /* The handle is gone for the application at once. */
  ASSERT_FAILS_WITH(closesocket(s), SOCKET_ERROR, WSAENOTSOCK);
  Sleep(300);
  end();
}

/* ---- The rest of a socket's life goes through the layer too ---------- */

/* A server socket of the layer: accept and AcceptEx (each through the
 * layer's own function) give sockets of the layer, connected directly. */
TEST(accept_and_acceptex_through_the_layer) {
  GUID id = WSAID_ACCEPTEX;
  LPFN_ACCEPTEX acceptex = NULL;
  SOCKADDR_STORAGE a, peer;
  WSAOVERLAPPED ov;
  DWORD n = 0, flags = 0;
  SOCKET l, c, acc, as;
  char buf[4 + 2 * (sizeof(SOCKADDR_STORAGE) + 16)];
  int len, plen = sizeof(peer);
  unsigned short port;
  begin();
  conf_proxy(NULL);
  l = layered(AF_INET, WSA_FLAG_OVERLAPPED);
  len = s5srv_loopback(AF_INET, 0, &a);
  ASSERT_EQ(bind(l, (struct sockaddr *)&a, len), 0);
  ASSERT_EQ(listen(l, 8), 0);
  len = sizeof(a);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)&a, &len), 0);
  port = ntohs(((struct sockaddr_in *)&a)->sin_port);
  /* accept */
  c = s5srv_base_socket(AF_INET);
  ASSERT_EQ(connect(c, (struct sockaddr *)&a, len), 0);
  acc = accept(l, (struct sockaddr *)&peer, &plen);
  ASSERT_NE(acc, INVALID_SOCKET);
  ASSERT_EQ(plen, (int)sizeof(struct sockaddr_in));
  ASSERT_EQ(send(c, "in", 2, 0), 2);
  ASSERT_EQ(recv(acc, buf, 2, MSG_WAITALL), 2);
  ASSERT_EQ(closesocket(acc), 0);
  ASSERT_EQ(closesocket(c), 0);
  /* AcceptEx, with the first data */
  ASSERT_EQ(WSAIoctl(l, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                     &acceptex, sizeof(acceptex), &n, NULL, NULL),
            0);
  as = layered(AF_INET, WSA_FLAG_OVERLAPPED);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  ASSERT_FAILS_WITH(acceptex(l, as, buf, 4, sizeof(SOCKADDR_STORAGE) + 16,
                             sizeof(SOCKADDR_STORAGE) + 16, &n, &ov),
                    FALSE, ERROR_IO_PENDING);
  c = s5srv_base_socket(AF_INET);
  ASSERT_EQ(connect(c, (struct sockaddr *)&a, len), 0);
  ASSERT_EQ(send(c, "four", 4, 0), 4);
  ASSERT_TRUE(WSAGetOverlappedResult(l, &ov, &n, TRUE, &flags));
  ASSERT_EQ(n, 4);
  ASSERT_MEM_EQ(buf, "four", 4);
  ASSERT_EQ(setsockopt(as, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&l,
                       sizeof(l)),
            0);
  plen = sizeof(peer);
  ASSERT_EQ(getsockname(as, (struct sockaddr *)&peer, &plen), 0);
  ASSERT_EQ(ntohs(((struct sockaddr_in *)&peer)->sin_port), port);
  ASSERT_EQ(send(as, "back", 4, 0), 4);
  ASSERT_EQ(recv(c, buf, 4, MSG_WAITALL), 4);
  ASSERT_EQ(s5srv_connects(&proxy), 0); /* nothing went to the proxy */
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  ASSERT_EQ(closesocket(as), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  end();
}

/* ReadFile and WriteFile on the application's handle reach the layer
 * (ws2 redirects them to WSARecv and WSASend), then the proxy. */
TEST(readfile_and_writefile_through_the_proxy) {
  SOCKADDR_STORAGE a;
  DWORD n = 0;
  int len;
  SOCKET s;
  char buf[16];
  begin();
  conf_proxy(NULL);
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  ASSERT_TRUE(WriteFile((HANDLE)s, "file api", 8, &n, NULL));
  ASSERT_EQ(n, 8);
  ASSERT_EQ(recv(s, buf, 8, MSG_WAITALL), 8);
  ASSERT_MEM_EQ(buf, "file api", 8);
  ASSERT_EQ(send(s, "again", 5, 0), 5);
  ASSERT_TRUE(ReadFile((HANDLE)s, buf, 5, &n, NULL));
  ASSERT_TRUE(n > 0 && n <= 5);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

/* A proxy that does not answer in time: WSAETIMEDOUT (the configuration's
 * timeout, here 200 ms). */
TEST(proxy_too_slow_times_out) {
  SOCKADDR_STORAGE a;
  DWORD t0, took;
  int len;
  SOCKET s;
  begin();
  write_conf("proxy socks5://127.0.0.1:%u\nloopback proxy\ntimeout 200\n",
             proxy.port);
  proxy.delay_ms = 1000;
  s = layered(AF_INET, 0);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  t0 = GetTickCount();
  ASSERT_FAILS_WITH(connect(s, (struct sockaddr *)&a, len), SOCKET_ERROR,
                    WSAETIMEDOUT);
  took = GetTickCount() - t0;
  ASSERT_TRUE(took >= 150 && took < 900);
  ASSERT_EQ(closesocket(s), 0);
  end();
}

/* ---- Under an IFS layer ---------------------------------------------- */

/*
 * An IFS layer over this (non-IFS) layer passes the handle it gets from
 * below up with WPUModifyIFSHandle, as an IFS layer does: the handle must
 * stay a non-IFS one for ws2 (it keeps a request for each overlapped call
 * on it), or a completion this layer reports with
 * WPUCompleteOverlappedRequest for a WSARecv that returned 0 at once
 * would be queued to a port with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS as
 * well (reported twice). ws2-filter over ws2-socks5, as the issue's
 * "filter over monitor over nonifs-reference" stack.
 */
TEST(ifs_layer_over_this_layer_keeps_the_completion_rule) {
  SOCKADDR_STORAGE a;
  WSAOVERLAPPED ov;
  WSAPROTOCOL_INFOW w;
  HANDLE port;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  DWORD n = 0, flags = 0;
  WSABUF b;
  int len, wlen = sizeof(w);
  SOCKET s;
  char buf[8];
  with_filter = 1;
  begin();
  with_filter = 0;
  write_conf("# no proxy: direct\n");
  setenv("WS2_FILTER_CONFIG", conf, 1); /* no rule in it: nothing denied */
  s = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &wlen), 0);
  ASSERT_TRUE(IsEqualGUID(&w.ProviderId, &filter_guid));
  ASSERT_EQ(w.ProtocolChain.ChainLen, 3);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  ASSERT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
  port = CreateIoCompletionPort((HANDLE)s, NULL, 1, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  ASSERT_EQ(send(s, "ready", 5, 0), 5);
  Sleep(100); /* the echo is there: the receive completes at once */
  memset(&ov, 0, sizeof(ov));
  b.buf = buf;
  b.len = 5;
  ASSERT_EQ(WSARecv(s, &b, 1, &n, &flags, &ov, NULL), 0);
  ASSERT_EQ(n, 5);
  /* Skip-on-success: no packet for it. */
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &done, 200));
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(CloseHandle(port));
  unsetenv("WS2_FILTER_CONFIG");
  end();
}

/* A direct ConnectEx (and DisconnectEx) through the layer's own extension
 * functions: each request is reported once, on the application's port
 * (none when it succeeded at once: skip-on-success). */
TEST(direct_connectex_and_disconnectex_on_a_completion_port) {
  GUID did = WSAID_DISCONNECTEX;
  LPFN_DISCONNECTEX disconnectex = NULL;
  SOCKADDR_STORAGE a;
  LPFN_CONNECTEX connectex;
  WSAOVERLAPPED ov;
  HANDLE port;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  DWORD n = 0;
  int len;
  SOCKET s;
  begin();
  write_conf("proxy socks5://127.0.0.1:%u\n", proxy.port); /* loopback direct */
  s = layered(AF_INET, WSA_FLAG_OVERLAPPED);
  port = CreateIoCompletionPort((HANDLE)s, NULL, 7, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  connectex = connectex_of(s);
  ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &did, sizeof(did),
                     &disconnectex, sizeof(disconnectex), &n, NULL, NULL),
            0);
  bind_any(s, AF_INET);
  len = s5srv_loopback(AF_INET, echo4.port, &a);
  memset(&ov, 0, sizeof(ov));
  if (!connectex(s, (struct sockaddr *)&a, len, "dx", 2, &n, &ov)) {
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
    ASSERT_EQ_PTR(done, &ov);
  }
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &done, 50));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);
  ASSERT_EQ(setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0), 0);
  {
    char buf[2];
    ASSERT_EQ(recv(s, buf, 2, MSG_WAITALL), 2); /* ConnectEx's data */
    ASSERT_MEM_EQ(buf, "dx", 2);
  }
  echo_through(s, "direct");
  memset(&ov, 0, sizeof(ov));
  if (!disconnectex(s, &ov, 0, 0)) {
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &done, 5000));
    ASSERT_EQ_PTR(done, &ov);
  }
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &done, 50));
  ASSERT_EQ(proxy.requests, 0);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(CloseHandle(port));
  end();
}
