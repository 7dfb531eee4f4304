/*
 * fuzz-ioctl: WSAIoctl's argument checking and every control code's
 * handling (src/provider/base/ioctl.c), on TCP (unconnected, listening,
 * connected) and UDP sockets, with random buffers and sizes, blocking
 * never (the sockets are non-blocking, and FIONBIO is left out), and
 * overlapped now and then (a request left pending is cancelled and
 * waited for, so nothing outlives the input).
 *
 * Properties: no crash, no leak; *lpcbBytesReturned never exceeds the
 * output buffer on success; a pending request completes exactly once.
 */
#include <winsock2.h>
#include <mstcpip.h>
#include <mswsock.h>
#include <ws2tcpip.h>

#include "fuzz.h"

#include <stdlib.h>

static const DWORD codes[] = {
    FIONREAD,
    SIOCATMARK,
    SIO_ACQUIRE_PORT_RESERVATION,
    SIO_ADDRESS_LIST_CHANGE,
    SIO_ADDRESS_LIST_QUERY,
    SIO_ASSOCIATE_HANDLE,
    SIO_ASSOCIATE_PORT_RESERVATION,
    SIO_BASE_HANDLE,
    SIO_BSP_HANDLE,
    SIO_BSP_HANDLE_POLL,
    SIO_BSP_HANDLE_SELECT,
    0xDC000001u, /* SIO_CHK_QOS */
    SIO_ENABLE_CIRCULAR_QUEUEING,
    SIO_FIND_ROUTE,
    SIO_FLUSH,
    SIO_GET_BROADCAST_ADDRESS,
    SIO_GET_EXTENSION_FUNCTION_POINTER,
    SIO_GET_GROUP_QOS,
    SIO_GET_INTERFACE_LIST,
    SIO_GET_INTERFACE_LIST_EX,
    SIO_GET_QOS,
    SIO_IDEAL_SEND_BACKLOG_CHANGE,
    SIO_IDEAL_SEND_BACKLOG_QUERY,
    SIO_KEEPALIVE_VALS,
    SIO_MULTICAST_SCOPE,
    SIO_MULTIPOINT_LOOPBACK,
    SIO_QUERY_RSS_SCALABILITY_INFO,
    SIO_QUERY_TARGET_PNP_HANDLE,
    SIO_QUERY_WFP_ALE_ENDPOINT_HANDLE,
    SIO_RCVALL,
    SIO_RELEASE_PORT_RESERVATION,
    SIO_ROUTING_INTERFACE_CHANGE,
    SIO_ROUTING_INTERFACE_QUERY,
    SIO_SET_COMPATIBILITY_MODE,
    SIO_SET_GROUP_QOS,
    SIO_SET_QOS,
    SIO_TRANSLATE_HANDLE,
    SIO_UDP_CONNRESET,
    SIO_LOOPBACK_FAST_PATH,
    SIO_TCP_INFO,
};
#define NCODES (sizeof(codes) / sizeof(codes[0]))

enum { S_TCP, S_LISTEN, S_CONNECTED, S_UDP, S_COUNT };
static SOCKET socks[S_COUNT];
static int uses;

static SOCKET make(int type) {
  SOCKET s = WSASocketW(AF_INET, type, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  u_long on = 1;
  if (s == INVALID_SOCKET) abort();
  ioctlsocket(s, FIONBIO, &on);
  return s;
}

/* Fresh sockets every so often, so that state one input left (options,
 * reservations, shutdowns) does not pile up. */
static void sockets(void) {
  struct sockaddr_in a;
  int len = sizeof(a), i;
  WSADATA wd;
  static int started;
  if (!started) {
    if (WSAStartup(MAKEWORD(2, 2), &wd) != 0) abort();
    started = 1;
  }
  if (socks[0] && ++uses < 256) return;
  uses = 0;
  for (i = 0; i < S_COUNT; i++)
    if (socks[i]) closesocket(socks[i]);
  socks[S_TCP] = make(SOCK_STREAM);
  socks[S_LISTEN] = make(SOCK_STREAM);
  socks[S_UDP] = make(SOCK_DGRAM);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(socks[S_LISTEN], (struct sockaddr *)&a, sizeof(a));
  listen(socks[S_LISTEN], 4);
  getsockname(socks[S_LISTEN], (struct sockaddr *)&a, &len);
  socks[S_CONNECTED] = make(SOCK_STREAM);
  connect(socks[S_CONNECTED], (struct sockaddr *)&a, sizeof(a));
  bind(socks[S_UDP], (struct sockaddr *)&a, 0); /* fails: stays unbound */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in_t in = {data, size};
  uint8_t sel = take_u8(&in), flags = take_u8(&in);
  DWORD code = sel & 0x80 ? take_u32(&in) : codes[sel % NCODES];
  DWORD inlen = take_u8(&in), outlen = (DWORD)(take_u32(&in) % 1100);
  uint8_t inbuf[256], *outbuf = malloc(outlen ? outlen : 1);
  DWORD ret = 0xdeadbeef;
  SOCKET s;
  WSAOVERLAPPED ov;
  int r;
  if (!outbuf) return 0;
  if (code == (DWORD)FIONBIO) code = FIONREAD; /* would make it blocking */
  sockets();
  s = socks[(flags >> 4) % S_COUNT];
  memset(inbuf, 0, sizeof(inbuf));
  take_bytes(&in, inbuf, inlen < sizeof(inbuf) ? inlen : sizeof(inbuf));
  memset(&ov, 0, sizeof(ov));
  if (flags & 8) ov.hEvent = WSACreateEvent();
  r = WSAIoctl(s, code, flags & 1 ? NULL : inbuf, inlen,
               flags & 2 ? NULL : outbuf, outlen, flags & 4 ? NULL : &ret,
               flags & 8 ? &ov : NULL, NULL);
  if (r == 0 && !(flags & 4) && !(flags & 2) && !(flags & 8) && ret > outlen)
    abort();
  if (flags & 8) {
    if (r != 0 && WSAGetLastError() == WSA_IO_PENDING) {
      DWORD got = 0, fl = 0;
      CancelIoEx((HANDLE)s, &ov);
      WSAGetOverlappedResult(s, &ov, &got, TRUE, &fl);
    }
    WSACloseEvent(ov.hEvent);
  }
  free(outbuf);
  return 0;
}
