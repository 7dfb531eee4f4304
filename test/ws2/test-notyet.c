/*
 * The exports ws2 does not implement yet (src/ws2/notyet.c; each listed in
 * docs/STATUS.md): that a program calling them links, and that each fails
 * with its documented failure value and error. Also the few that
 * notyet.c does implement on what exists: the Winsock 1.1 database
 * functions (gethostbyname & co), WSARecvEx, and the mswsock.dll exports
 * AcceptEx and GetAcceptExSockaddrs. Only numeric hosts and "localhost".
 *
 * Windows API only. The "not yet" expectations are ws2's (Windows itself
 * implements most of these), so under _WIN32 (test/wine/run.sh) only the
 * database cases are built; the rest would also need -lmswsock there.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <ws2spi.h>
#include <sporder.h> /* after ws2spi.h, as on Windows */

#include "ws2test.h"

/* Test cases may run in any order: the one that needs Winsock unstarted
 * undoes every WSAStartup first. */
static int started;

static void startup(void) {
  WSADATA wsa;
  if (!started) {
    ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    started = 1;
  }
}

#ifndef _WIN32
static void cleanup_all(void) {
  while (WSACleanup() == 0) {
  }
  started = 0;
}

static const GUID some_guid = {
    0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};

/* ---- Before WSAStartup. ---- */

TEST(need_wsastartup) {
  ADDRINFOEXA *res = (ADDRINFOEXA *)&res;
  cleanup_all();
  ASSERT_FAILS_WITH(gethostbyname("localhost"), NULL, WSANOTINITIALISED);
  ASSERT_FAILS_WITH(getservbyname("http", "tcp"), NULL, WSANOTINITIALISED);
  ASSERT_FAILS_WITH(getprotobynumber(6), NULL, WSANOTINITIALISED);
  ASSERT_FAILS_WITH(WSASetBlockingHook(NULL), NULL, WSANOTINITIALISED);
  ASSERT_FAILS_WITH(WSAAsyncGetHostByName(NULL, 0, "x", NULL, 0), NULL,
                    WSANOTINITIALISED);
  ASSERT_FAILS_WITH(WSALookupServiceEnd(NULL), SOCKET_ERROR, WSANOTINITIALISED);
  ASSERT_EQ(GetAddrInfoExA("localhost", NULL, NS_ALL, NULL, NULL, &res, NULL,
                           NULL, NULL, NULL),
            WSANOTINITIALISED);
  ASSERT_EQ_PTR(res, NULL);
}

/* ---- Winsock 1.1 blocking hooks: gone in Winsock 2. ---- */

TEST(blocking_hooks) {
  startup();
  ASSERT_FALSE(WSAIsBlocking());
  ASSERT_FAILS_WITH(WSASetBlockingHook(NULL), NULL, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSAUnhookBlockingHook(), SOCKET_ERROR, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSACancelBlockingCall(), SOCKET_ERROR, WSAEOPNOTSUPP);
}

/* ---- WSAAsyncGetXByY: not scheduled. ---- */

TEST(async_database_calls) {
  char buf[MAXGETHOSTSTRUCT];
  u_long a = htonl(INADDR_LOOPBACK);
  startup();
  ASSERT_FAILS_WITH(
      WSAAsyncGetHostByName(NULL, WM_USER, "localhost", buf, sizeof(buf)), NULL,
      WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSAAsyncGetHostByAddr(NULL, WM_USER, (char *)&a, 4, AF_INET,
                                          buf, sizeof(buf)),
                    NULL, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(
      WSAAsyncGetServByName(NULL, WM_USER, "http", "tcp", buf, sizeof(buf)),
      NULL, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(
      WSAAsyncGetServByPort(NULL, WM_USER, htons(80), "tcp", buf, sizeof(buf)),
      NULL, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(
      WSAAsyncGetProtoByName(NULL, WM_USER, "tcp", buf, sizeof(buf)), NULL,
      WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(
      WSAAsyncGetProtoByNumber(NULL, WM_USER, 6, buf, sizeof(buf)), NULL,
      WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSACancelAsyncRequest((HANDLE)1), SOCKET_ERROR, WSAEINVAL);
}

/* ---- WSAConnectByName, WSAConnectByList: not scheduled. ---- */

TEST(connect_by_name_and_list) {
  WCHAR node[] = {'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0};
  WCHAR port[] = {'8', '0', 0};
  SOCKET_ADDRESS_LIST list;
  SOCKET s;
  startup();
  s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_NE(s, INVALID_SOCKET);
  memset(&list, 0, sizeof(list));
  ASSERT_FAILS_WITH(WSAConnectByNameA(s, "localhost", "80", NULL, NULL, NULL,
                                      NULL, NULL, NULL),
                    FALSE, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(
      WSAConnectByNameW(s, node, port, NULL, NULL, NULL, NULL, NULL, NULL),
      FALSE, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(
      WSAConnectByList(s, &list, NULL, NULL, NULL, NULL, NULL, NULL), FALSE,
      WSAEOPNOTSUPP);
  ASSERT_EQ(closesocket(s), 0);
}

/* ---- WSAJoinLeaf, WSAGetQOSByName: the provider's answer. ---- */

TEST(join_leaf_and_qos_by_name) {
  SOCKADDR_IN a;
  QOS qos;
  WSABUF name;
  char qosname[] = "G711";
  SOCKET s;
  startup();
  s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  ASSERT_NE(s, INVALID_SOCKET);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(0xE0000001);
  name.buf = qosname;
  name.len = sizeof(qosname);
  ASSERT_FAILS_WITH(WSAJoinLeaf(s, (SOCKADDR *)&a, sizeof(a), NULL, NULL, NULL,
                                NULL, JL_BOTH),
                    INVALID_SOCKET, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSAGetQOSByName(s, &name, &qos), FALSE, WSAEOPNOTSUPP);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_FAILS_WITH(WSAJoinLeaf(s, (SOCKADDR *)&a, sizeof(a), NULL, NULL, NULL,
                                NULL, JL_BOTH),
                    INVALID_SOCKET, WSAENOTSOCK);
  ASSERT_FAILS_WITH(WSAGetQOSByName(s, &name, &qos), FALSE, WSAENOTSOCK);
}

/* ---- GetAddrInfoEx & co: not scheduled. ---- */

TEST(getaddrinfoex_family) {
  WCHAR node[] = {'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0};
  ADDRINFOEXA *resa = (ADDRINFOEXA *)&resa;
  ADDRINFOEXW *resw = (ADDRINFOEXW *)&resw;
  HANDLE h = NULL;
  OVERLAPPED ov;
  startup();
  memset(&ov, 0, sizeof(ov));
  SetLastError(0);
  ASSERT_EQ(GetAddrInfoExA("localhost", "80", NS_ALL, NULL, NULL, &resa, NULL,
                           NULL, NULL, NULL),
            WSAEOPNOTSUPP);
  ASSERT_EQ(WSAGetLastError(), WSAEOPNOTSUPP);
  ASSERT_EQ_PTR(resa, NULL);
  ASSERT_EQ(GetAddrInfoExW(node, NULL, NS_DNS, NULL, NULL, &resw, NULL, NULL,
                           NULL, NULL),
            WSAEOPNOTSUPP);
  ASSERT_EQ_PTR(resw, NULL);
  ASSERT_EQ(GetAddrInfoExCancel(&h), WSA_INVALID_HANDLE);
  ASSERT_EQ(GetAddrInfoExOverlappedResult(&ov), WSAEINVAL);
  ASSERT_EQ(SetAddrInfoExA("x", NULL, NULL, 0, NULL, 0, NS_ALL, NULL, NULL,
                           NULL, NULL, NULL),
            WSAEOPNOTSUPP);
  ASSERT_EQ(SetAddrInfoExW(node, NULL, NULL, 0, NULL, 0, NS_ALL, NULL, NULL,
                           NULL, NULL, NULL),
            WSAEOPNOTSUPP);
  /* Nothing to free, and NULL is allowed. */
  FreeAddrInfoEx(NULL);
  FreeAddrInfoExA(NULL);
  FreeAddrInfoExW(NULL);
}

/* ---- Name-space providers (RnR): ws2 has none. ---- */

TEST(name_service_lookups) {
  WSAQUERYSETA qa;
  WSAQUERYSETW qw;
  GUID cls = some_guid;
  HANDLE h = NULL;
  DWORD len = 0;
  char name[64];
  WCHAR wname[64];
  WSASERVICECLASSINFOA ca;
  WSASERVICECLASSINFOW cw;
  startup();
  memset(&qa, 0, sizeof(qa));
  memset(&qw, 0, sizeof(qw));
  memset(&ca, 0, sizeof(ca));
  memset(&cw, 0, sizeof(cw));
  qa.dwSize = sizeof(qa);
  qw.dwSize = sizeof(qw);
  qa.dwNameSpace = qw.dwNameSpace = NS_ALL;
  ASSERT_FAILS_WITH(WSALookupServiceBeginA(&qa, LUP_RETURN_ALL, &h),
                    SOCKET_ERROR, WSASERVICE_NOT_FOUND);
  ASSERT_FAILS_WITH(WSALookupServiceBeginW(&qw, LUP_RETURN_ALL, &h),
                    SOCKET_ERROR, WSASERVICE_NOT_FOUND);
  len = sizeof(qa);
  ASSERT_FAILS_WITH(WSALookupServiceNextA(h, 0, &len, &qa), SOCKET_ERROR,
                    WSA_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WSALookupServiceNextW(h, 0, &len, &qw), SOCKET_ERROR,
                    WSA_INVALID_HANDLE);
  ASSERT_FAILS_WITH(
      WSANSPIoctl(h, SIO_NSP_NOTIFY_CHANGE, NULL, 0, NULL, 0, &len, NULL),
      SOCKET_ERROR, WSA_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WSALookupServiceEnd(h), SOCKET_ERROR, WSA_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WSASetServiceA(&qa, RNRSERVICE_REGISTER, 0), SOCKET_ERROR,
                    WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSASetServiceW(&qw, RNRSERVICE_DELETE, 0), SOCKET_ERROR,
                    WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSAInstallServiceClassA(&ca), SOCKET_ERROR, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSAInstallServiceClassW(&cw), SOCKET_ERROR, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSARemoveServiceClass(&cls), SOCKET_ERROR,
                    WSATYPE_NOT_FOUND);
  len = sizeof(ca);
  ASSERT_FAILS_WITH(WSAGetServiceClassInfoA(&cls, &cls, &len, &ca),
                    SOCKET_ERROR, WSATYPE_NOT_FOUND);
  ASSERT_FAILS_WITH(WSAGetServiceClassInfoW(&cls, &cls, &len, &cw),
                    SOCKET_ERROR, WSATYPE_NOT_FOUND);
  len = sizeof(name);
  ASSERT_FAILS_WITH(WSAGetServiceClassNameByClassIdA(&cls, name, &len),
                    SOCKET_ERROR, WSATYPE_NOT_FOUND);
  len = sizeof(wname);
  ASSERT_FAILS_WITH(WSAGetServiceClassNameByClassIdW(&cls, wname, &len),
                    SOCKET_ERROR, WSATYPE_NOT_FOUND);
}

TEST(name_space_providers) {
  DWORD len = 0;
  GUID id = some_guid;
  WCHAR ident[] = {'n', 's', 0};
  WCHAR path[] = {'/', 'n', 's', '.', 's', 'o', 0};
  startup();
  ASSERT_FAILS_WITH(WSAEnumNameSpaceProvidersA(&len, NULL), SOCKET_ERROR,
                    WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSAEnumNameSpaceProvidersW(&len, NULL), SOCKET_ERROR,
                    WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSAEnumNameSpaceProvidersExA(&len, NULL), SOCKET_ERROR,
                    WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSAEnumNameSpaceProvidersExW(&len, NULL), SOCKET_ERROR,
                    WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSCInstallNameSpace(ident, path, NS_DNS, 1, &id),
                    SOCKET_ERROR, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSCInstallNameSpaceEx(ident, path, NS_DNS, 1, &id, NULL),
                    SOCKET_ERROR, WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSCUnInstallNameSpace(&id), SOCKET_ERROR, WSAEINVAL);
  ASSERT_FAILS_WITH(WSCEnableNSProvider(&id, TRUE), SOCKET_ERROR, WSAEINVAL);
  ASSERT_EQ(WSCWriteNameSpaceOrder(&id, 1), WSAEOPNOTSUPP);
  ASSERT_EQ(WSCWriteNameSpaceOrder32(&id, 1), WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(WSAProviderCompleteAsyncCall(NULL, 0), SOCKET_ERROR,
                    WSAEOPNOTSUPP);
}

/* ---- The catalog and the SPI exports: issue 5. ---- */

/* The 32-bit catalog alone (WSC*32): ws2 has none (test/ws2/test-wsc.c
 * tests the catalog functions, and the *64_32 forms that reach it). */
TEST(catalog_32bit_functions) {
  GUID id = some_guid;
  WCHAR path[] = {'/', 'l', 's', 'p', '.', 's', 'o', 0};
  WCHAR wpath[260];
  WSAPROTOCOL_INFOW info;
  DWORD len = 0, entry = 1001;
  BYTE buf[64];
  size_t size = sizeof(buf);
  INT plen = 260, err;
  WSAOVERLAPPED ov;
  startup();
  memset(&info, 0, sizeof(info));
  memset(&ov, 0, sizeof(ov));
#define ERRNO_FAILS(call, code)      \
  do {                               \
    err = 0;                         \
    ASSERT_EQ((call), SOCKET_ERROR); \
    ASSERT_EQ(err, (code));          \
  } while (0)
  ERRNO_FAILS(WSCEnumProtocols32(NULL, NULL, &len, &err), WSAEOPNOTSUPP);
  ERRNO_FAILS(WSCDeinstallProvider32(&id, &err), WSAEOPNOTSUPP);
  ERRNO_FAILS(WSCUpdateProvider32(&id, path, &info, 1, &err), WSAEOPNOTSUPP);
  ERRNO_FAILS(WSCGetProviderPath32(&id, wpath, &plen, &err), WSAEOPNOTSUPP);
  ERRNO_FAILS(
      WSCSetProviderInfo32(&id, ProviderInfoLspCategories, buf, 4, 0, &err),
      WSAEOPNOTSUPP);
  ERRNO_FAILS(
      WSCGetProviderInfo32(&id, ProviderInfoLspCategories, buf, &size, 0, &err),
      WSAEOPNOTSUPP);
  ERRNO_FAILS(WPUCompleteOverlappedRequest((SOCKET)1, &ov, 0, 0, &err),
              WSAEINVAL);
#undef ERRNO_FAILS
  ASSERT_EQ(WSCWriteProviderOrder32(&entry, 1), WSAEOPNOTSUPP);
}

/* ---- mswsock.dll exports. ---- */

static SOCKET listener(SOCKADDR_IN *a) {
  int len = sizeof(*a);
  SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  memset(a, 0, sizeof(*a));
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (l == INVALID_SOCKET || bind(l, (SOCKADDR *)a, sizeof(*a)) != 0 ||
      listen(l, 4) != 0 || getsockname(l, (SOCKADDR *)a, &len) != 0)
    return INVALID_SOCKET;
  return l;
}

TEST(acceptex_and_getacceptexsockaddrs_exports) {
  SOCKADDR_IN a, peer, local_in, remote_in;
  SOCKADDR *local, *remote;
  INT llen = 0, rlen = 0, plen = sizeof(peer);
  char buf[2 * (sizeof(SOCKADDR_IN) + 16)];
  DWORD got = 0, flags = 0;
  OVERLAPPED ov;
  SOCKET l, acc, c;
  startup();
  ASSERT_NE(l = listener(&a), INVALID_SOCKET);
  acc = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  if (!AcceptEx(l, acc, buf, 0, sizeof(SOCKADDR_IN) + 16,
                sizeof(SOCKADDR_IN) + 16, &got, &ov))
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
  ASSERT_EQ(connect(c, (SOCKADDR *)&a, sizeof(a)), 0);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 10000), WAIT_OBJECT_0);
  ASSERT_TRUE(WSAGetOverlappedResult(l, &ov, &got, FALSE, &flags));
  GetAcceptExSockaddrs(buf, 0, sizeof(SOCKADDR_IN) + 16,
                       sizeof(SOCKADDR_IN) + 16, &local, &llen, &remote, &rlen);
  ASSERT_EQ(llen, sizeof(SOCKADDR_IN));
  ASSERT_EQ(rlen, sizeof(SOCKADDR_IN));
  memcpy(&local_in, local, sizeof(local_in)); /* may be unaligned */
  memcpy(&remote_in, remote, sizeof(remote_in));
  ASSERT_EQ(local_in.sin_port, a.sin_port);
  ASSERT_EQ(getsockname(c, (SOCKADDR *)&peer, &plen), 0);
  ASSERT_EQ(remote_in.sin_port, peer.sin_port);
  /* Not a socket: WSAIoctl's error. */
  ASSERT_FAILS_WITH(AcceptEx((SOCKET)12345678, acc, buf, 0, 32, 32, &got, &ov),
                    FALSE, WSAENOTSOCK);
  WSACloseEvent(ov.hEvent);
  closesocket(c);
  closesocket(acc);
  closesocket(l);
}

/* The export forwards to the provider's TransmitFile: WSAEOPNOTSUPP while
 * the provider has none (WSAIoctl: WSAEINVAL); once it has, a call with
 * no file and no buffers sends nothing and succeeds. */
TEST(transmitfile_export) {
  GUID id = WSAID_TRANSMITFILE;
  LPFN_TRANSMITFILE fn = NULL;
  SOCKADDR_IN a;
  DWORD n = 0;
  SOCKET l, c;
  startup();
  ASSERT_NE(l = listener(&a), INVALID_SOCKET);
  c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_EQ(connect(c, (SOCKADDR *)&a, sizeof(a)), 0);
  if (WSAIoctl(c, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id), &fn,
               sizeof(fn), &n, NULL, NULL) == 0)
    ASSERT_TRUE(TransmitFile(c, NULL, 0, 0, NULL, NULL, 0));
  else
    ASSERT_FAILS_WITH(TransmitFile(c, NULL, 0, 0, NULL, NULL, 0), FALSE,
                      WSAEOPNOTSUPP);
  ASSERT_FAILS_WITH(TransmitFile((SOCKET)12345678, NULL, 0, 0, NULL, NULL, 0),
                    FALSE, WSAENOTSOCK);
  closesocket(c);
  closesocket(l);
}

TEST(wsarecvex_reports_partial_datagrams) {
  SOCKADDR_IN a;
  int len = sizeof(a), flags;
  char buf[16];
  SOCKET r, w;
  startup();
  r = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  w = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(r, (SOCKADDR *)&a, sizeof(a)), 0);
  ASSERT_EQ(getsockname(r, (SOCKADDR *)&a, &len), 0);
  ASSERT_EQ(sendto(w, "0123456789", 10, 0, (SOCKADDR *)&a, sizeof(a)), 10);
  ASSERT_EQ(sendto(w, "abc", 3, 0, (SOCKADDR *)&a, sizeof(a)), 3);
  flags = 0;
  ASSERT_EQ(WSARecvEx(r, buf, 4, &flags), 4);
  ASSERT_EQ(flags, MSG_PARTIAL);
  ASSERT_MEM_EQ(buf, "0123", 4);
  flags = MSG_PARTIAL;
  ASSERT_EQ(WSARecvEx(r, buf, sizeof(buf), &flags), 3);
  ASSERT_EQ(flags, 0);
  ASSERT_MEM_EQ(buf, "abc", 3);
  ASSERT_FAILS_WITH(WSARecvEx(r, buf, sizeof(buf), NULL), SOCKET_ERROR,
                    WSAEFAULT);
  closesocket(w);
  closesocket(r);
}

#endif /* !_WIN32 */

/* ---- Winsock 1.1 database functions. ---- */

TEST(gethostbyname_localhost_and_numeric) {
  struct hostent *h;
  u_long loop = htonl(INADDR_LOOPBACK), ten = htonl(0x0A000001);
  startup();
  h = gethostbyname("localhost");
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(h->h_addrtype, AF_INET);
  ASSERT_EQ(h->h_length, 4);
  ASSERT_TRUE(h->h_name && h->h_name[0]);
  ASSERT_NE_PTR(h->h_aliases, NULL);
  ASSERT_NE_PTR(h->h_addr_list[0], NULL);
  ASSERT_MEM_EQ(h->h_addr_list[0], &loop, 4);
  ASSERT_MEM_EQ(h->h_addr, &loop, 4);
  h = gethostbyname("10.0.0.1");
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(strcmp(h->h_name, "10.0.0.1"), 0);
  ASSERT_MEM_EQ(h->h_addr_list[0], &ten, 4);
  ASSERT_EQ_PTR(h->h_addr_list[1], NULL);
}

TEST(gethostbyaddr_loopback) {
  struct hostent *h;
  u_long loop = htonl(INADDR_LOOPBACK);
  startup();
  h = gethostbyaddr((const char *)&loop, 4, AF_INET);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_TRUE(h->h_name && h->h_name[0]);
  ASSERT_EQ(h->h_addrtype, AF_INET);
  ASSERT_EQ(h->h_length, 4);
  ASSERT_MEM_EQ(h->h_addr_list[0], &loop, 4);
  ASSERT_EQ_PTR(h->h_addr_list[1], NULL);
  ASSERT_FAILS_WITH(gethostbyaddr((const char *)&loop, 4, AF_UNIX), NULL,
                    WSAEAFNOSUPPORT);
#ifndef _WIN32
  /* Documented: WSAEFAULT for a len too small (Wine 8 says
   * WSAEAFNOSUPPORT). */
  ASSERT_FAILS_WITH(gethostbyaddr((const char *)&loop, 2, AF_INET), NULL,
                    WSAEFAULT);
#endif
}

TEST(services_and_protocols) {
  struct servent *s;
  struct protoent *p;
  startup();
  s = getservbyname("http", "tcp");
  ASSERT_NE_PTR(s, NULL);
  ASSERT_EQ(s->s_port, htons(80));
  ASSERT_EQ(strcmp(s->s_proto, "tcp"), 0);
  ASSERT_NE_PTR(s->s_aliases, NULL);
  s = getservbyport(htons(53), "udp");
  ASSERT_NE_PTR(s, NULL);
  ASSERT_EQ(strcmp(s->s_name, "domain"), 0);
  ASSERT_EQ(strcmp(s->s_proto, "udp"), 0);
  ASSERT_FAILS_WITH(getservbyname("no-such-service-ws2", NULL), NULL,
                    WSANO_DATA);
  p = getprotobyname("udp");
  ASSERT_NE_PTR(p, NULL);
  ASSERT_EQ(p->p_proto, IPPROTO_UDP);
  p = getprotobynumber(IPPROTO_TCP);
  ASSERT_NE_PTR(p, NULL);
  ASSERT_EQ(strcmp(p->p_name, "tcp"), 0);
  ASSERT_FAILS_WITH(getprotobyname("no-such-protocol-ws2"), NULL, WSANO_DATA);
  ASSERT_FAILS_WITH(getprotobynumber(9999), NULL, WSANO_DATA);
}
