/* A short stream read lets the provider skip the next receive's EAGAIN
 * system call (ops.c, recv_drained). These cases are the ones where a
 * short read does NOT mean the socket is drained: the read stopped at the
 * end of the stream or at the urgent mark with bytes behind it. Each must
 * still complete the next receive. Runs on each engine, with the engine
 * having seen the arrival first (a pause before reading) and not. */
#include "ws2io.h"

/* An overlapped WSARecv that must complete within 5 s; returns bytes. */
static DWORD recv_overlapped(SOCKET s, char *buf, ULONG len) {
  WSAOVERLAPPED ov;
  WSABUF b;
  DWORD n = 0, flags = 0;
  int r;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  b.buf = buf;
  b.len = len;
  r = WSARecv(s, &b, 1, &n, &flags, &ov, NULL);
  if (r == SOCKET_ERROR) {
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, FALSE, 5000, FALSE),
              WSA_WAIT_EVENT_0);
    ASSERT_TRUE(WSAGetOverlappedResult(s, &ov, &n, FALSE, &flags));
  }
  WSACloseEvent(ov.hEvent);
  return n;
}

static void data_then_end(DWORD pause_ms) {
  SOCKET c, s;
  char buf[64];
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_EQ(send(c, "abc", 3, 0), 3);
  ASSERT_EQ(shutdown(c, SD_SEND), 0);
  Sleep(pause_ms);
  /* Asks for 64, gets 3 (maybe 3 + the end: then the next read says 0). */
  ASSERT_EQ(recv_overlapped(s, buf, sizeof(buf)), 3);
  ASSERT_MEM_EQ(buf, "abc", 3);
  ASSERT_EQ(recv_overlapped(s, buf, sizeof(buf)), 0); /* the end */
  ASSERT_EQ(recv_overlapped(s, buf, sizeof(buf)), 0);
  closesocket(c);
  closesocket(s);
  t_cleanup();
}

TEST(short_read_before_the_end_of_stream) { data_then_end(0); }
TEST(short_read_before_the_end_of_stream_seen_by_the_engine) {
  data_then_end(200);
}

static void data_around_urgent(DWORD pause_ms) {
  SOCKET c, s;
  char buf[64];
  DWORD got = 0;
  int i;
  t_startup();
  t_tcp_pair(&c, &s);
  ASSERT_EQ(send(c, "abc", 3, 0), 3);
  ASSERT_EQ(send(c, "U", 1, MSG_OOB), 1);
  ASSERT_EQ(send(c, "def", 3, 0), 3);
  Sleep(pause_ms);
  /* Without SO_OOBINLINE the urgent byte is out of band: the normal data
   * is "abcdef", read in up to three pieces (the mark splits it). Each
   * receive must complete. */
  for (i = 0; i < 3 && got < 6; i++)
    got += recv_overlapped(s, buf + got, sizeof(buf) - got);
  ASSERT_EQ(got, 6);
  ASSERT_MEM_EQ(buf, "abcdef", 6);
  closesocket(c);
  closesocket(s);
  t_cleanup();
}

TEST(short_read_at_the_urgent_mark) { data_around_urgent(0); }
TEST(short_read_at_the_urgent_mark_seen_by_the_engine) {
  data_around_urgent(200);
}

/* The usual case: a drained socket's next receive waits for the engine
 * and completes when data comes. */
TEST(drained_socket_receives_what_comes_next) {
  SOCKET c, s;
  char buf[64];
  int i;
  t_startup();
  t_tcp_pair(&c, &s);
  for (i = 0; i < 50; i++) {
    char msg[8];
    int len = snprintf(msg, sizeof(msg), "m%d", i);
    ASSERT_EQ(send(c, msg, len, 0), len);
    ASSERT_EQ(recv_overlapped(s, buf, sizeof(buf)), (DWORD)len);
    ASSERT_MEM_EQ(buf, msg, (size_t)len);
  }
  closesocket(c);
  closesocket(s);
  t_cleanup();
}

/* Whether an overlapped WSARecv completes at once (0) or pends (1); it
 * gets the 3 bytes either way. */
static int recv_pends(SOCKET s) {
  WSAOVERLAPPED ov;
  WSABUF b;
  char buf[16];
  DWORD n = 0, flags = 0;
  int pended = 0;
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  b.buf = buf;
  b.len = sizeof(buf);
  if (WSARecv(s, &b, 1, &n, &flags, &ov, NULL) == SOCKET_ERROR) {
    ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
    ASSERT_TRUE(WSAGetOverlappedResult(s, &ov, &n, TRUE, &flags));
    pended = 1;
  }
  ASSERT_EQ(n, 3);
  WSACloseEvent(ov.hEvent);
  return pended;
}

/* Once select, WSAPoll or FIONREAD has seen the data, a receive issued
 * then completes at once, as on Windows, even though the previous one
 * drained the socket and the engine may not have reported the new data
 * yet (an application using FILE_SKIP_COMPLETION_PORT_ON_SUCCESS would
 * otherwise get a packet for every such receive). */
TEST(receive_after_readiness_was_seen_completes_at_once) {
  SOCKET c, s;
  int i, pended = 0;
  t_startup();
  t_tcp_pair(&c, &s);
  for (i = 0; i < 30; i++) {
    ASSERT_EQ(send(c, "abc", 3, 0), 3);
    if (i % 3 == 0) {
      fd_set rs;
      struct timeval tv = {5, 0};
      FD_ZERO(&rs);
      FD_SET(s, &rs);
      ASSERT_EQ(select(0, &rs, NULL, NULL, &tv), 1);
    } else if (i % 3 == 1) {
      WSAPOLLFD p;
      p.fd = s;
      p.events = POLLRDNORM;
      p.revents = 0;
      ASSERT_EQ(WSAPoll(&p, 1, 5000), 1);
    } else {
      u_long avail = 0;
      int k;
      for (k = 0; k < 500 && avail < 3; k++) {
        ASSERT_EQ(ioctlsocket(s, FIONREAD, &avail), 0);
        if (avail < 3) Sleep(1);
      }
      ASSERT_EQ(avail, 3);
    }
    pended += recv_pends(s);
  }
  ASSERT_EQ(pended, 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}
