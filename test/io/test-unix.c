/* AF_UNIX stream sockets, as Windows 10 has them: bind to a path, listen,
 * connect, accept, transfer, names. Runs on each engine. */
#include "ws2io.h"
#include <afunix.h>

TEST(unix_stream_roundtrip) {
  SOCKADDR_UN a, got;
  SOCKET l, c, s;
  int len;
  char buf[16];
  t_startup();
  memset(&a, 0, sizeof(a));
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof(a.sun_path), "ws2-test-%lu.sock",
           (unsigned long)GetCurrentProcessId());
  remove(a.sun_path);
  l = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_NE(l, INVALID_SOCKET);
  ASSERT_EQ(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
  ASSERT_EQ(listen(l, 4), 0);
  c = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_EQ(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
  s = accept(l, NULL, NULL);
  ASSERT_NE(s, INVALID_SOCKET);
  ASSERT_EQ(send(c, "unix", 4, 0), 4);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 4);
  ASSERT_MEM_EQ(buf, "unix", 4);
  len = sizeof(got);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)&got, &len), 0);
  ASSERT_EQ(got.sun_family, AF_UNIX);
  ASSERT_EQ(strcmp(got.sun_path, a.sun_path), 0);
  /* Datagrams are not part of Windows' AF_UNIX. */
  ASSERT_EQ(socket(AF_UNIX, SOCK_DGRAM, 0), INVALID_SOCKET);
  ASSERT_EQ(WSAGetLastError(), WSAESOCKTNOSUPPORT);
  closesocket(c);
  closesocket(s);
  closesocket(l);
  remove(a.sun_path);
  t_cleanup();
}
