/*
 * fuzz-msg: WSASendMsg and WSARecvMsg with arbitrary WSAMSG contents:
 * destination address and length, buffer counts and sizes, flags, and
 * above all the control data (WSACMSGHDR sequences: IP_PKTINFO,
 * IPV6_PKTINFO, IP_TOS, ... or garbage) on loopback UDP sockets.
 *
 * Properties: no crash, no leak; what a successful receive reports fits
 * the buffers it was given (bytes, name length, control length).
 */
#include <winsock2.h>
#include <mswsock.h>
#include <ws2tcpip.h>

#include "fuzz.h"

#include <stdlib.h>

static SOCKET tx, rx;
static struct sockaddr_in rx_addr;
static LPFN_WSARECVMSG recvmsg_fn;

static void setup(void) {
  WSADATA wd;
  GUID id = WSAID_WSARECVMSG;
  DWORD n = 0;
  int len = sizeof(rx_addr), on = 1;
  u_long nb = 1;
  if (tx) return;
  if (WSAStartup(MAKEWORD(2, 2), &wd) != 0) abort();
  tx = socket(AF_INET, SOCK_DGRAM, 0);
  rx = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&rx_addr, 0, sizeof(rx_addr));
  rx_addr.sin_family = AF_INET;
  rx_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(rx, (struct sockaddr *)&rx_addr, sizeof(rx_addr)) != 0) abort();
  getsockname(rx, (struct sockaddr *)&rx_addr, &len);
  ioctlsocket(rx, FIONBIO, &nb);
  ioctlsocket(tx, FIONBIO, &nb);
  setsockopt(rx, IPPROTO_IP, IP_PKTINFO, (char *)&on, sizeof(on));
  if (WSAIoctl(rx, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
               &recvmsg_fn, sizeof(recvmsg_fn), &n, NULL, NULL) != 0)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in_t in = {data, size};
  uint8_t flags = take_u8(&in), nbufs = take_u8(&in) % 4;
  char payload[3][64], control[128], name[64];
  WSABUF bufs[3];
  WSAMSG msg;
  DWORD sent = 0, got = 0, i;
  setup();
  memset(&msg, 0, sizeof(msg));
  for (i = 0; i < nbufs; i++) {
    bufs[i].len = take_u8(&in) % 65;
    bufs[i].buf = payload[i];
    take_bytes(&in, payload[i], bufs[i].len);
  }
  msg.lpBuffers = nbufs ? bufs : NULL;
  msg.dwBufferCount = nbufs;
  /* The destination: rx, or arbitrary bytes, or none. */
  if (flags & 1) {
    msg.name = (LPSOCKADDR)&rx_addr;
    msg.namelen = sizeof(rx_addr);
  } else if (flags & 2) {
    msg.namelen = take_u8(&in) % (sizeof(name) + 1);
    take_bytes(&in, name, sizeof(name));
    msg.name = (LPSOCKADDR)name;
  }
  msg.Control.len = take_u8(&in) % (sizeof(control) + 1);
  take_bytes(&in, control, sizeof(control));
  msg.Control.buf = flags & 4 ? NULL : control;
  msg.dwFlags = take_u32(&in);
  WSASendMsg(tx, &msg, take_u32(&in) & 0xff, &sent, NULL, NULL);

  /* Receive with room for less than everything now and then. */
  for (i = 0; i < 4; i++) {
    char rbuf[64], rname[32], rcontrol[96];
    WSABUF rb = {take_u8(&in) % (sizeof(rbuf) + 1), rbuf};
    WSAMSG r;
    memset(&r, 0, sizeof(r));
    r.name = (LPSOCKADDR)rname;
    r.namelen = take_u8(&in) % (sizeof(rname) + 1);
    r.lpBuffers = &rb;
    r.dwBufferCount = 1;
    r.Control.buf = rcontrol;
    r.Control.len = take_u8(&in) % (sizeof(rcontrol) + 1);
    r.dwFlags = take_u8(&in) & (MSG_PEEK | MSG_OOB);
    if (recvmsg_fn(rx, &r, &got, NULL, NULL) != 0) break;
    if (got > rb.len || r.namelen > (INT)sizeof(rname) ||
        r.Control.len > sizeof(rcontrol))
      abort();
  }
  /* Leave nothing queued for the next input. */
  for (;;) {
    char drain[128];
    if (recv(rx, drain, sizeof(drain), 0) == SOCKET_ERROR) break;
  }
  return 0;
}
