/*
 * ws2io.h: helpers for the socket tests (Windows API only, plus the engine
 * check when built against ws2). Every test under test/io runs once per
 * engine: CTest sets WS2_ENGINE=epoll or WS2_ENGINE=io_uring; when the
 * forced engine cannot start here, the test skips.
 */
#ifndef WS2IO_H
#define WS2IO_H

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>

#include "ws2test.h"

#ifndef _WIN32
#include <ws2ext/ws2ext.h>
#endif

/* WSAStartup, and a skip when the engine this run asks for is absent. */
static __attribute__((unused)) void t_startup(void) {
  WSADATA wd;
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wd), 0);
#ifndef _WIN32
  {
    SOCKET probe = socket(AF_INET, SOCK_STREAM, 0);
    const char *want = getenv("WS2_ENGINE");
    if (probe != INVALID_SOCKET) closesocket(probe);
    if (!ws2_engine_name()) {
      WSACleanup();
      if (want) SKIP("the engine WS2_ENGINE asks for is not available here");
      FAIL("no engine");
    }
  }
#endif
}

static __attribute__((unused)) void t_cleanup(void) { ASSERT_EQ(WSACleanup(), 0); }

/* A listening TCP socket on 127.0.0.1 and an ephemeral port. */
static __attribute__((unused)) SOCKET t_listener(struct sockaddr_in *addr) {
  SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  int len = sizeof(*addr);
  ASSERT_NE(l, INVALID_SOCKET);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(l, (struct sockaddr *)addr, sizeof(*addr)), 0);
  ASSERT_EQ(listen(l, SOMAXCONN), 0);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)addr, &len), 0);
  return l;
}

/* A connected pair of TCP sockets over loopback. */
static __attribute__((unused)) void t_tcp_pair(SOCKET *client, SOCKET *server) {
  struct sockaddr_in a;
  SOCKET l = t_listener(&a);
  *client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_NE(*client, INVALID_SOCKET);
  ASSERT_EQ(connect(*client, (struct sockaddr *)&a, sizeof(a)), 0);
  *server = accept(l, NULL, NULL);
  ASSERT_NE(*server, INVALID_SOCKET);
  ASSERT_EQ(closesocket(l), 0);
}

#endif
