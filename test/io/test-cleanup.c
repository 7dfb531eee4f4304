/* The last WSACleanup closes every socket still open, as Windows does:
 * requests still pending complete with WSA_OPERATION_ABORTED in their
 * OVERLAPPED without setting their event or running their completion
 * routine (as documented), and with their packet on a completion port
 * (ws2 loses no completion). Earlier WSACleanup calls change nothing.
 * Runs on each engine. */
#include "ws2io.h"

#define STATUS_CANCELLED_ 0xC0000120u

static int routine_calls;
static void CALLBACK on_recv(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov,
                             DWORD flags) {
  (void)err;
  (void)bytes;
  (void)ov;
  (void)flags;
  routine_calls++;
}

/* A UDP socket on 127.0.0.1: closing it resets no peer, so what ends its
 * pending receive can only be the cleanup. */
static SOCKET udp_socket(void) {
  struct sockaddr_in a;
  SOCKET u = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0,
                        WSA_FLAG_OVERLAPPED);
  ASSERT_NE(u, INVALID_SOCKET);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(u, (struct sockaddr *)&a, sizeof(a)), 0);
  return u;
}

static void post_recv(SOCKET s, WSAOVERLAPPED *ov, char *buf,
                      LPWSAOVERLAPPED_COMPLETION_ROUTINE cr) {
  WSABUF b;
  DWORD flags = 0;
  b.buf = buf;
  b.len = 16;
  ASSERT_EQ(WSARecv(s, &b, 1, NULL, &flags, ov, cr), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
}

TEST(last_cleanup_closes_open_sockets_quietly) {
  WSADATA wd;
  SOCKET c1, s1, u1, u2, u3, l;
  struct sockaddr_in addr;
  WSAOVERLAPPED ev_ov, cr_ov, port_ov, *got = NULL;
  HANDLE port, ev;
  DWORD n = 0;
  ULONG_PTR key = 0;
  char b1[16], b2[16], b3[16];

  t_startup();
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wd), 0); /* counted twice */
  t_tcp_pair(&c1, &s1);
  u1 = udp_socket();
  u2 = udp_socket();
  u3 = udp_socket();
  l = t_listener(&addr);

  /* Three receives that wait: by event, by routine, by port. */
  memset(&ev_ov, 0, sizeof(ev_ov));
  ev = ev_ov.hEvent = WSACreateEvent();
  post_recv(s1, &ev_ov, b1, NULL);
  memset(&cr_ov, 0, sizeof(cr_ov));
  post_recv(u2, &cr_ov, b2, on_recv);
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_NE_PTR(port, NULL);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)u3, port, 7, 0), port);
  memset(&port_ov, 0, sizeof(port_ov));
  post_recv(u3, &port_ov, b3, NULL);

  /* Not the last: everything goes on. */
  ASSERT_EQ(WSACleanup(), 0);
  ASSERT_EQ(send(c1, "x", 1, 0), 1);
  ASSERT_EQ(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
  ASSERT_TRUE(WSAGetOverlappedResult(s1, &ev_ov, &n, FALSE, &(DWORD){0}));
  ASSERT_EQ(n, 1);
  ResetEvent(ev);
  post_recv(u1, &ev_ov, b1, NULL);

  /* The last one. */
  ASSERT_EQ(WSACleanup(), 0);
  ASSERT_EQ(ev_ov.Internal, STATUS_CANCELLED_);
  ASSERT_EQ(cr_ov.Internal, STATUS_CANCELLED_);
  ASSERT_EQ(port_ov.Internal, STATUS_CANCELLED_);
  ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT); /* not signalled */
  ASSERT_EQ(SleepEx(0, TRUE), 0);                      /* no routine ran */
  ASSERT_EQ(routine_calls, 0);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &got, 5000));
  ASSERT_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
  ASSERT_EQ_PTR(got, &port_ov);
  ASSERT_EQ(key, 7);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &got, 0));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);

  /* The sockets are gone: their values name nothing once Winsock runs
   * again, and the listener's port is free. */
  t_startup();
  ASSERT_FAILS_WITH(closesocket(s1), SOCKET_ERROR, WSAENOTSOCK);
  ASSERT_FAILS_WITH(closesocket(c1), SOCKET_ERROR, WSAENOTSOCK);
  ASSERT_FAILS_WITH(closesocket(u3), SOCKET_ERROR, WSAENOTSOCK);
  ASSERT_FAILS_WITH(closesocket(l), SOCKET_ERROR, WSAENOTSOCK);
  {
    SOCKET again = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    ASSERT_NE(again, INVALID_SOCKET);
    ASSERT_EQ(bind(again, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ASSERT_EQ(listen(again, 1), 0);
    closesocket(again);
  }
  CloseHandle(port);
  WSACloseEvent(ev);
  t_cleanup();
}

/* A socket made after a cleanup is not touched by the earlier one, and a
 * cleanup with nothing open is harmless. */
TEST(cleanup_with_nothing_open) {
  SOCKET c, s;
  t_startup();
  t_cleanup();
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_EQ(send(c, "ok", 2, 0), 2);
  {
    char buf[4];
    ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 2);
  }
  closesocket(c);
  closesocket(s);
  t_cleanup();
}
