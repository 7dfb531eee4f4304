/* TransmitFile and TransmitPackets: a file of a few hundred KiB, with head
 * and tail buffers, sent synchronously and overlapped (completion port,
 * event) to a peer that reads concurrently in its own thread and compares
 * every byte; the byte counts; TF_DISCONNECT (the peer sees the end) and
 * TF_REUSE_SOCKET (the socket connects again with ConnectEx); mixed memory
 * and file elements; the argument errors. Runs on each engine. */
#include "ws2io.h"

#include <stdio.h>

#define FILE_SIZE (300 * 1024 + 123)

static unsigned char pattern[FILE_SIZE];
static char fname[64];

static void make_pattern(void) {
  size_t i;
  for (i = 0; i < FILE_SIZE; i++)
    pattern[i] = (unsigned char)((i * 7) ^ (i >> 9));
}

/* The test file, FILE_SIZE bytes of `pattern`, opened for reading with
 * `flags`. */
static HANDLE test_file(DWORD flags) {
  HANDLE h;
  DWORD n;
  make_pattern();
#ifdef _WIN32
  {
    /* A name of its own each time: on Windows (and Wine), which enforce
     * sharing, a case that failed with its file open would fail the next. */
    static int files;
    snprintf(fname, sizeof(fname), "ws2-test-transmit-%lu-%d.tmp",
             (unsigned long)GetCurrentProcessId(), ++files);
  }
#else
  snprintf(fname, sizeof(fname), "ws2-test-transmit-%lu.tmp",
           (unsigned long)GetCurrentProcessId());
#endif
  h = CreateFileA(fname, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                  FILE_ATTRIBUTE_NORMAL, NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  ASSERT_TRUE(WriteFile(h, pattern, FILE_SIZE, &n, NULL));
  ASSERT_EQ(n, FILE_SIZE);
  ASSERT_TRUE(CloseHandle(h));
  h = CreateFileA(fname, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                  flags, NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  return h;
}

static void drop_file(HANDLE h) {
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileA(fname));
}

/* The peer: reads until the end of the stream, comparing with `expect`. */
struct reader {
  SOCKET s;
  const char *expect;
  size_t n;
  size_t got;
  int mismatch;
  int error; /* WSAGetLastError of a failed recv */
};

static DWORD WINAPI reader_main(LPVOID arg) {
  struct reader *r = (struct reader *)arg;
  static char buf[65536];
  for (;;) {
    int k = recv(r->s, buf, sizeof(buf), 0);
    if (k == 0) break;
    if (k < 0) {
      r->error = WSAGetLastError();
      break;
    }
    if (r->got + (size_t)k > r->n ||
        memcmp(buf, r->expect + r->got, (size_t)k) != 0)
      r->mismatch = 1;
    r->got += (size_t)k;
  }
  return 0;
}

/* head + pattern[off, off+len) + tail, and a reader thread expecting it. */
static char *expect_buf;
static HANDLE start_reader(struct reader *r, SOCKET s, const char *head,
                           size_t off, size_t len, const char *tail) {
  size_t hl = head ? strlen(head) : 0, tl = tail ? strlen(tail) : 0;
  HANDLE t;
  free(expect_buf);
  expect_buf = malloc(hl + len + tl + 1);
  ASSERT_NE_PTR(expect_buf, NULL);
  memcpy(expect_buf, head ? head : "", hl);
  memcpy(expect_buf + hl, pattern + off, len);
  memcpy(expect_buf + hl + len, tail ? tail : "", tl);
  memset(r, 0, sizeof(*r));
  r->s = s;
  r->expect = expect_buf;
  r->n = hl + len + tl;
  t = CreateThread(NULL, 0, reader_main, r, 0, NULL);
  ASSERT_NE_PTR(t, NULL);
  return t;
}

static void check_reader(HANDLE t, struct reader *r) {
  ASSERT_JOINED(t, 20000);
  ASSERT_EQ(r->error, 0);
  ASSERT_EQ(r->mismatch, 0);
  ASSERT_EQ(r->got, r->n);
}

static void *get_ext(SOCKET s, GUID id) {
  void *fn = NULL;
  DWORD n = 0;
  ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                     &fn, sizeof(fn), &n, NULL, NULL),
            0);
  ASSERT_NE_PTR(fn, NULL);
  return fn;
}

/* A small send buffer, so that a large transfer has to wait for the peer. */
static void small_sndbuf(SOCKET c) {
  int v = 16384;
  ASSERT_EQ(setsockopt(c, SOL_SOCKET, SO_SNDBUF, (char *)&v, sizeof(v)), 0);
}

TEST(transmitfile_sync_head_file_tail) {
  SOCKET c, s;
  HANDLE h, t;
  struct reader r;
  TRANSMIT_FILE_BUFFERS tb;
  char head[] = "HEAD:", tail[] = ":TAIL";
  t_startup();
  h = test_file(0);
  t_tcp_pair(&c, &s);
  t = start_reader(&r, s, head, 0, FILE_SIZE, tail);
  tb.Head = head;
  tb.HeadLength = 5;
  tb.Tail = tail;
  tb.TailLength = 5;
  /* The mswsock export, which goes to the provider's extension. */
  ASSERT_TRUE(TransmitFile(c, h, 0, 0, NULL, &tb, 0));
  /* The file pointer moved past what was sent. */
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_CURRENT), FILE_SIZE);
  ASSERT_EQ(shutdown(c, SD_SEND), 0);
  check_reader(t, &r);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  drop_file(h);
  t_cleanup();
}

TEST(transmitfile_from_the_file_pointer_without_buffers) {
  SOCKET c, s;
  HANDLE h, t;
  struct reader r;
  LPFN_TRANSMITFILE pTransmitFile;
  t_startup();
  h = test_file(FILE_FLAG_SEQUENTIAL_SCAN);
  t_tcp_pair(&c, &s);
  pTransmitFile = (LPFN_TRANSMITFILE)get_ext(c, (GUID)WSAID_TRANSMITFILE);
  /* From offset 5000, 100000 bytes; then the rest (0: to the end). */
  ASSERT_EQ(SetFilePointer(h, 5000, NULL, FILE_BEGIN), 5000);
  t = start_reader(&r, s, NULL, 5000, FILE_SIZE - 5000, NULL);
  ASSERT_TRUE(pTransmitFile(c, h, 100000, 0, NULL, NULL, 0));
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_CURRENT), 105000);
  ASSERT_TRUE(pTransmitFile(c, h, 0, 4096, NULL, NULL, TF_DISCONNECT));
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_CURRENT), FILE_SIZE);
  check_reader(t, &r); /* TF_DISCONNECT: the peer saw the end */
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  drop_file(h);
  t_cleanup();
}

TEST(transmitfile_buffers_only) {
  SOCKET c, s;
  HANDLE t;
  struct reader r;
  TRANSMIT_FILE_BUFFERS tb;
  char head[] = "just a head", tail[] = " and a tail";
  t_startup();
  make_pattern();
  t_tcp_pair(&c, &s);
  t = start_reader(&r, s, head, 0, 0, tail);
  tb.Head = head;
  tb.HeadLength = (DWORD)strlen(head);
  tb.Tail = tail;
  tb.TailLength = (DWORD)strlen(tail);
  ASSERT_TRUE(TransmitFile(c, NULL, 0, 0, NULL, &tb, TF_DISCONNECT));
  check_reader(t, &r);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}

TEST(transmitfile_overlapped_through_a_port) {
  SOCKET c, s;
  HANDLE h, t, port;
  struct reader r;
  TRANSMIT_FILE_BUFFERS tb;
  LPFN_TRANSMITFILE pTransmitFile;
  OVERLAPPED ov, *got;
  ULONG_PTR key;
  DWORD n;
  char head[] = "<<", tail[] = ">>>";
  t_startup();
  h = test_file(FILE_FLAG_OVERLAPPED);
  t_tcp_pair(&c, &s);
  pTransmitFile = (LPFN_TRANSMITFILE)get_ext(c, (GUID)WSAID_TRANSMITFILE);
  port = CreateIoCompletionPort((HANDLE)c, NULL, 7, 0);
  ASSERT_NE_PTR(port, NULL);
  tb.Head = head;
  tb.HeadLength = 2;
  tb.Tail = tail;
  tb.TailLength = 3;
  /* From OVERLAPPED.Offset, 200000 bytes. The peer reads only after the
   * call returned, so it goes pending once the socket is full. */
  memset(&ov, 0, sizeof(ov));
  ov.Offset = 1000;
  small_sndbuf(c);
  if (!pTransmitFile(c, h, 200000, 0, &ov, &tb, TF_DISCONNECT)) {
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    printf("# went pending\n");
  }
  t = start_reader(&r, s, head, 1000, 200000, tail);
  ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &got, 20000));
  ASSERT_EQ_PTR(got, &ov);
  ASSERT_EQ(key, 7);
  ASSERT_EQ(n, 2 + 200000 + 3);
  ASSERT_EQ(ov.Offset, 1000); /* left as it was */
  check_reader(t, &r);
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_CURRENT), 0); /* not moved */
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(CloseHandle(port));
  drop_file(h);
  t_cleanup();
}

TEST(transmitfile_overlapped_with_an_event_and_skip_on_success) {
  SOCKET c, s;
  HANDLE h, t, port;
  struct reader r;
  LPFN_TRANSMITFILE pTransmitFile;
  OVERLAPPED ov, *got;
  ULONG_PTR key;
  DWORD n, flags;
  int round;
  t_startup();
  h = test_file(0);
  t_tcp_pair(&c, &s);
  pTransmitFile = (LPFN_TRANSMITFILE)get_ext(c, (GUID)WSAID_TRANSMITFILE);
  port = CreateIoCompletionPort((HANDLE)c, NULL, 9, 0);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  t = start_reader(&r, s, NULL, 0, 3 * 100, NULL);
  /* Small pieces complete at once: TRUE, the event is set, no packet. */
  for (round = 0; round < 3; round++) {
    ov.Offset = (DWORD)(round * 100);
    WSAResetEvent(ov.hEvent);
    if (pTransmitFile(c, h, 100, 0, &ov, NULL, 0)) {
      ASSERT_EQ(WSAWaitForMultipleEvents(1, &ov.hEvent, TRUE, 0, FALSE),
                WSA_WAIT_EVENT_0);
      ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &got, 0));
    } else {
      ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
      ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &got, 5000));
    }
    ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &n, TRUE, &flags));
    ASSERT_EQ(n, 100);
  }
  ASSERT_EQ(shutdown(c, SD_SEND), 0);
  check_reader(t, &r);
  WSACloseEvent(ov.hEvent);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(CloseHandle(port));
  drop_file(h);
  t_cleanup();
}

TEST(transmitpackets_memory_and_file_elements) {
  SOCKET c, s;
  HANDLE h, t;
  struct reader r;
  LPFN_TRANSMITPACKETS pTransmitPackets;
  TRANSMIT_PACKETS_ELEMENT el[5];
  OVERLAPPED ov;
  DWORD n, flags;
  size_t total;
  char *expect;
  t_startup();
  h = test_file(0);
  t_tcp_pair(&c, &s);
  pTransmitPackets =
      (LPFN_TRANSMITPACKETS)get_ext(c, (GUID)WSAID_TRANSMITPACKETS);
  memset(el, 0, sizeof(el));
  el[0].dwElFlags = TP_ELEMENT_MEMORY;
  el[0].pBuffer = "first";
  el[0].cLength = 5;
  el[1].dwElFlags = TP_ELEMENT_FILE; /* 1000 bytes at 200 */
  el[1].hFile = h;
  el[1].nFileOffset.QuadPart = 200;
  el[1].cLength = 1000;
  el[2].dwElFlags = TP_ELEMENT_MEMORY | TP_ELEMENT_EOP;
  el[2].pBuffer = "|mid|";
  el[2].cLength = 5;
  el[3].dwElFlags = TP_ELEMENT_FILE; /* from the pointer to the end */
  el[3].hFile = h;
  el[3].nFileOffset.QuadPart = -1;
  el[3].cLength = 0;
  el[4].dwElFlags = TP_ELEMENT_MEMORY;
  el[4].pBuffer = "last";
  el[4].cLength = 4;
  ASSERT_EQ(SetFilePointer(h, 100000, NULL, FILE_BEGIN), 100000);

  total = 5 + 1000 + 5 + (FILE_SIZE - 100000) + 4;
  expect = malloc(total);
  memcpy(expect, "first", 5);
  memcpy(expect + 5, pattern + 200, 1000);
  memcpy(expect + 1005, "|mid|", 5);
  memcpy(expect + 1010, pattern + 100000, FILE_SIZE - 100000);
  memcpy(expect + total - 4, "last", 4);
  memset(&r, 0, sizeof(r));
  r.s = s;
  r.expect = expect;
  r.n = total;
  t = CreateThread(NULL, 0, reader_main, &r, 0, NULL);

  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  small_sndbuf(c);
  if (!pTransmitPackets(c, el, 5, 0, &ov, TP_DISCONNECT)) {
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
    printf("# went pending\n");
  }
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &n, TRUE, &flags));
  ASSERT_EQ(n, total);
  check_reader(t, &r);
  free(expect);
  WSACloseEvent(ov.hEvent);

  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  drop_file(h);
  t_cleanup();
}

TEST(transmitpackets_synchronous) {
  SOCKET c, s;
  HANDLE h, t;
  struct reader r;
  LPFN_TRANSMITPACKETS pTransmitPackets;
  TRANSMIT_PACKETS_ELEMENT el[2];
  t_startup();
  h = test_file(0);
  t_tcp_pair(&c, &s);
  pTransmitPackets =
      (LPFN_TRANSMITPACKETS)get_ext(c, (GUID)WSAID_TRANSMITPACKETS);
  memset(el, 0, sizeof(el));
  el[0].dwElFlags = TP_ELEMENT_MEMORY;
  el[0].pBuffer = "hdr";
  el[0].cLength = 3;
  el[1].dwElFlags = TP_ELEMENT_FILE;
  el[1].hFile = h;
  el[1].nFileOffset.QuadPart = 0;
  el[1].cLength = 0; /* the whole file */
  t = start_reader(&r, s, "hdr", 0, FILE_SIZE, NULL);
  ASSERT_TRUE(pTransmitPackets(c, el, 2, 0, NULL, 0));
  ASSERT_TRUE(pTransmitPackets(c, NULL, 0, 0, NULL, 0)); /* nothing */
  ASSERT_EQ(shutdown(c, SD_SEND), 0);
  check_reader(t, &r);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  drop_file(h);
  t_cleanup();
}

TEST(transmitfile_reuse_socket_then_connectex) {
  SOCKET c, s, l2, s2;
  HANDLE h, t;
  struct reader r;
  struct sockaddr_in a, any;
  LPFN_TRANSMITFILE pTransmitFile;
  LPFN_CONNECTEX pConnectEx;
  OVERLAPPED ov;
  DWORD n, flags;
  char buf[8];
  t_startup();
  h = test_file(0);
  t_tcp_pair(&c, &s);
  pTransmitFile = (LPFN_TRANSMITFILE)get_ext(c, (GUID)WSAID_TRANSMITFILE);
  pConnectEx = (LPFN_CONNECTEX)get_ext(c, (GUID)WSAID_CONNECTEX);
  t = start_reader(&r, s, NULL, 0, 50000, NULL);
  ASSERT_TRUE(pTransmitFile(c, h, 50000, 0, NULL, NULL,
                            TF_DISCONNECT | TF_REUSE_SOCKET));
  check_reader(t, &r);
  ASSERT_EQ(closesocket(s), 0);

  /* The same socket connects again. */
  l2 = t_listener(&a);
  memset(&any, 0, sizeof(any));
  any.sin_family = AF_INET;
  ASSERT_EQ(bind(c, (struct sockaddr *)&any, sizeof(any)), 0);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  if (!pConnectEx(c, (struct sockaddr *)&a, sizeof(a), "again", 5, &n, &ov))
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &n, TRUE, &flags));
  ASSERT_EQ(n, 5);
  s2 = accept(l2, NULL, NULL);
  ASSERT_NE(s2, INVALID_SOCKET);
  ASSERT_EQ(recv(s2, buf, 5, MSG_WAITALL), 5);
  ASSERT_MEM_EQ(buf, "again", 5);
  WSACloseEvent(ov.hEvent);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s2), 0);
  ASSERT_EQ(closesocket(l2), 0);
  drop_file(h);
  t_cleanup();
}

TEST(argument_errors) {
  SOCKET c, s, u;
  HANDLE h, ev;
  LPFN_TRANSMITFILE pTransmitFile;
  LPFN_TRANSMITPACKETS pTransmitPackets;
  TRANSMIT_PACKETS_ELEMENT el;
  t_startup();
  h = test_file(0);
  t_tcp_pair(&c, &s);
  pTransmitFile = (LPFN_TRANSMITFILE)get_ext(c, (GUID)WSAID_TRANSMITFILE);
  pTransmitPackets =
      (LPFN_TRANSMITPACKETS)get_ext(c, (GUID)WSAID_TRANSMITPACKETS);
  ev = CreateEventA(NULL, TRUE, FALSE, NULL);

  /* Not a file: an event, a socket. */
  ASSERT_FALSE(pTransmitFile(c, ev, 0, 0, NULL, NULL, 0));
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_FALSE(pTransmitFile(c, (HANDLE)s, 0, 0, NULL, NULL, 0));
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  /* Flags. */
  ASSERT_FALSE(pTransmitFile(c, h, 0, 0, NULL, NULL, 0x1000));
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_FALSE(pTransmitFile(c, h, 0, 0, NULL, NULL, TF_REUSE_SOCKET));
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  /* Not a socket; not connected. */
  ASSERT_FALSE(pTransmitFile((SOCKET)ev, h, 0, 0, NULL, NULL, 0));
  ASSERT_EQ(WSAGetLastError(), WSAENOTSOCK);
  u = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_FALSE(pTransmitFile(u, h, 0, 0, NULL, NULL, 0));
  ASSERT_EQ(WSAGetLastError(), WSAENOTCONN);
  ASSERT_EQ(closesocket(u), 0);

  /* TransmitPackets: an element must be memory or a file. */
  memset(&el, 0, sizeof(el));
  el.dwElFlags = 0;
  el.cLength = 1;
  ASSERT_FALSE(pTransmitPackets(c, &el, 1, 0, NULL, 0));
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  el.dwElFlags = TP_ELEMENT_MEMORY | TP_ELEMENT_FILE;
  el.pBuffer = "x";
  ASSERT_FALSE(pTransmitPackets(c, &el, 1, 0, NULL, 0));
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  el.dwElFlags = TP_ELEMENT_FILE;
  el.hFile = ev;
  el.nFileOffset.QuadPart = 0;
  ASSERT_FALSE(pTransmitPackets(c, &el, 1, 0, NULL, 0));
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_FALSE(pTransmitPackets(c, &el, 1, 0, NULL, TP_REUSE_SOCKET));
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);

  ASSERT_TRUE(CloseHandle(ev));
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(s), 0);
  drop_file(h);
  t_cleanup();
}
