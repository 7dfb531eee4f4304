/* The extension functions from SIO_GET_EXTENSION_FUNCTION_POINTER:
 * AcceptEx (with and without first data), GetAcceptExSockaddrs, ConnectEx
 * (with send data), DisconnectEx with TF_REUSE_SOCKET. Runs on each
 * engine. */
#include "ws2io.h"

static void *get_ext(SOCKET s, GUID id) {
  void *fn = NULL;
  DWORD n = 0;
  ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                     &fn, sizeof(fn), &n, NULL, NULL),
            0);
  ASSERT_EQ(n, sizeof(fn));
  ASSERT_NE_PTR(fn, NULL);
  return fn;
}

TEST(unknown_guid_and_short_buffers) {
  SOCKET s;
  GUID bogus = {1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}};
  GUID acceptex = WSAID_ACCEPTEX;
  void *fn;
  DWORD n;
  t_startup();
  s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &bogus,
                     sizeof(bogus), &fn, sizeof(fn), &n, NULL, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &acceptex,
                     sizeof(acceptex), &fn, 4, &n, NULL, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEFAULT);
  ASSERT_EQ(closesocket(s), 0);
  t_cleanup();
}

TEST(acceptex_connectex_through_a_port) {
  GUID ga = WSAID_ACCEPTEX, gs = WSAID_GETACCEPTEXSOCKADDRS,
       gc = WSAID_CONNECTEX;
  LPFN_ACCEPTEX pAcceptEx;
  LPFN_GETACCEPTEXSOCKADDRS pGetSockaddrs;
  LPFN_CONNECTEX pConnectEx;
  struct sockaddr_in a, any;
  struct sockaddr *local, *remote;
  int llen, rlen, round;
  SOCKET l, acc, c;
  HANDLE port;
  char out[64 + 2 * (sizeof(struct sockaddr_in) + 16)];
  OVERLAPPED aov, cov;
  DWORD bytes, n;
  ULONG_PTR key;
  LPOVERLAPPED got;
  char buf[16];

  t_startup();
  l = t_listener(&a);
  pAcceptEx = (LPFN_ACCEPTEX)get_ext(l, ga);
  pGetSockaddrs = (LPFN_GETACCEPTEXSOCKADDRS)get_ext(l, gs);
  port = CreateIoCompletionPort((HANDLE)l, NULL, 1, 0);
  for (round = 0; round < 2; round++) {
    DWORD first = round ? 5 : 0; /* the second round waits for data */
    acc = socket(AF_INET, SOCK_STREAM, 0);
    memset(&aov, 0, sizeof(aov));
    ASSERT_FALSE(pAcceptEx(l, acc, out, first, sizeof(struct sockaddr_in) + 16,
                           sizeof(struct sockaddr_in) + 16, &n, &aov));
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);

    c = socket(AF_INET, SOCK_STREAM, 0);
    pConnectEx = (LPFN_CONNECTEX)get_ext(c, gc);
    memset(&cov, 0, sizeof(cov));
    ASSERT_FALSE(pConnectEx(c, (struct sockaddr *)&a, sizeof(a), "hello", 5,
                            &n, &cov));
    ASSERT_EQ(WSAGetLastError(), WSAEINVAL); /* not bound yet */
    memset(&any, 0, sizeof(any));
    any.sin_family = AF_INET;
    ASSERT_EQ(bind(c, (struct sockaddr *)&any, sizeof(any)), 0);
    ASSERT_NE_PTR(CreateIoCompletionPort((HANDLE)c, port, 2, 0), NULL);
    if (!pConnectEx(c, (struct sockaddr *)&a, sizeof(a), "hello", 5, &n,
                    &cov))
      ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);

    /* Two packets: the accept (key 1) and the connect (key 2). */
    {
      int seen_a = 0, seen_c = 0, i;
      for (i = 0; i < 2; i++) {
        ASSERT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &got, 5000));
        if (key == 1) {
          ASSERT_EQ_PTR(got, &aov);
          ASSERT_EQ(bytes, first);
          seen_a = 1;
        } else {
          ASSERT_EQ_PTR(got, &cov);
          ASSERT_EQ(bytes, 5);
          seen_c = 1;
        }
      }
      ASSERT_TRUE(seen_a && seen_c);
    }
    if (first) ASSERT_MEM_EQ(out, "hello", 5);
    ASSERT_EQ(setsockopt(acc, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT,
                         (char *)&l, sizeof(l)),
              0);
    pGetSockaddrs(out, first, sizeof(struct sockaddr_in) + 16,
                  sizeof(struct sockaddr_in) + 16, &local, &llen, &remote,
                  &rlen);
    ASSERT_EQ(llen, sizeof(struct sockaddr_in));
    ASSERT_EQ(rlen, sizeof(struct sockaddr_in));
    {
      /* The addresses follow the data, so they may be unaligned (as on
       * Windows): copy before reading fields. */
      struct sockaddr_in la;
      memcpy(&la, local, sizeof(la));
      ASSERT_EQ(la.sin_port, a.sin_port);
      ASSERT_EQ(la.sin_family, AF_INET);
    }
    /* The accept socket is the connection now. */
    if (!first) ASSERT_EQ(recv(acc, buf, sizeof(buf), 0), 5);
    ASSERT_EQ(send(acc, "ok", 2, 0), 2);
    ASSERT_EQ(recv(c, buf, sizeof(buf), 0), 2);
    ASSERT_EQ(closesocket(acc), 0);
    ASSERT_EQ(closesocket(c), 0);
  }
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_TRUE(CloseHandle(port));
  t_cleanup();
}

TEST(closing_the_listener_aborts_pending_acceptex) {
  GUID ga = WSAID_ACCEPTEX;
  LPFN_ACCEPTEX pAcceptEx;
  struct sockaddr_in a;
  SOCKET l, acc;
  char out[2 * (sizeof(struct sockaddr_in) + 16)];
  OVERLAPPED ov;
  DWORD n, flags;
  t_startup();
  l = t_listener(&a);
  pAcceptEx = (LPFN_ACCEPTEX)get_ext(l, ga);
  acc = socket(AF_INET, SOCK_STREAM, 0);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  ASSERT_FALSE(pAcceptEx(l, acc, out, 0, sizeof(struct sockaddr_in) + 16,
                         sizeof(struct sockaddr_in) + 16, &n, &ov));
  ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 5000), WAIT_OBJECT_0);
  ASSERT_FALSE(WSAGetOverlappedResult(acc, &ov, &n, FALSE, &flags));
  ASSERT_EQ(WSAGetLastError(), WSA_OPERATION_ABORTED);
  WSACloseEvent(ov.hEvent);
  ASSERT_EQ(closesocket(acc), 0);
  t_cleanup();
}

TEST(disconnectex_reuse_socket) {
  GUID gd = WSAID_DISCONNECTEX;
  LPFN_DISCONNECTEX pDisconnectEx;
  SOCKET c, s;
  struct sockaddr_in a;
  SOCKET l;
  char buf[4];
  t_startup();
  t_tcp_pair(&c, &s);
  pDisconnectEx = (LPFN_DISCONNECTEX)get_ext(c, gd);
  ASSERT_TRUE(pDisconnectEx(c, NULL, TF_REUSE_SOCKET, 0));
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 0); /* the peer sees the close */
  /* The same SOCKET connects again. */
  l = t_listener(&a);
  ASSERT_EQ(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
  ASSERT_FALSE(pDisconnectEx(c, NULL, 0x80, 0));
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_EQ(closesocket(c), 0);
  t_cleanup();
}
