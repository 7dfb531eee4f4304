/*
 * builtin.c: the base provider's catalog entries (builtin.h), the
 * WSAPROTOCOL_INFOW records of the embedded default catalog, which
 * WSAEnumProtocols lists and SO_PROTOCOL_INFO returns.
 *
 * The values are those of the MSAFD entries of Windows 10 (Microsoft's
 * WSAPROTOCOL_INFO documentation and what WSAEnumProtocols reports there):
 * catalog ids from 1001, version 2, big-endian network byte order, no
 * security scheme, one-entry (base) protocol chains, and every entry with
 * XP1_IFS_HANDLES, since the base provider's handles are IFS handles.
 *
 * The order, and so the catalog ids, is the one the base provider's
 * WSPSocket assigns: TCP/IP, UDP/IP, RAW/IP, TCP/IPv6, UDP/IPv6, RAW/IPv6,
 * AF_UNIX stream.
 */
#include "catalog/builtin.h"

/* MSAFD's ProviderId, {E70F1AA0-AB8B-11CF-8CA3-00805F48A192}: the TCP/IP
 * entries of every Windows catalog carry it. */
#define MSAFD_TCPIP_GUID                             \
  {                                                  \
    0xE70F1AA0, 0xAB8B, 0x11CF, {                    \
      0x8C, 0xA3, 0x00, 0x80, 0x5F, 0x48, 0xA1, 0x92 \
    }                                                \
  }

/* Windows 10's AF_UNIX entry comes from another provider record; this is
 * the ProviderId it is listed with ({A00943D9-9C2E-4633-9B59-0057A3160994}),
 * as far as ws2 knows. Nothing in Winsock depends on its value. */
#define AFUNIX_GUID                                  \
  {                                                  \
    0xA00943D9, 0x9C2E, 0x4633, {                    \
      0x9B, 0x59, 0x00, 0x57, 0xA3, 0x16, 0x09, 0x94 \
    }                                                \
  }

#define XP1_TCP                                                          \
  (XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER | XP1_GRACEFUL_CLOSE | \
   XP1_EXPEDITED_DATA | XP1_IFS_HANDLES) /* 0x20066 */
#define XP1_UDP                                                        \
  (XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED | XP1_SUPPORT_BROADCAST | \
   XP1_SUPPORT_MULTIPOINT | XP1_IFS_HANDLES) /* 0x20609 */
#define XP1_UNIX                                                         \
  (XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER | XP1_GRACEFUL_CLOSE | \
   XP1_IFS_HANDLES) /* 0x20026 */

/* dwMessageSize: 0 for streams; for datagrams the largest payload with
 * the largest IPv4 header (65535 - 60 - 8) or the IPv6 payload less the
 * UDP header (65535 - 8), the values Windows lists. */
#define MSG_IPV4 65467
#define MSG_IPV6 65527

#define ENTRY(flags1, guid, id, af, maxsa, minsa, type, proto, maxoff,  \
              msgsize, name)                                            \
  {                                                                     \
    flags1, 0, 0, 0, PFL_MATCHES_PROTOCOL_ZERO, guid, id,               \
        {BASE_PROTOCOL, {0}}, 2, af, maxsa, minsa, type, proto, maxoff, \
        BIGENDIAN, SECURITY_PROTOCOL_NONE, msgsize, 0, WS2_WIDE(name)   \
  }

static const WSAPROTOCOL_INFOW entries[] = {
    ENTRY(XP1_TCP, MSAFD_TCPIP_GUID, 1001, WS_AF_INET, 16, 16, WS_SOCK_STREAM,
          WS_IPPROTO_TCP, 0, 0, "MSAFD Tcpip [TCP/IP]"),
    ENTRY(XP1_UDP, MSAFD_TCPIP_GUID, 1002, WS_AF_INET, 16, 16, WS_SOCK_DGRAM,
          WS_IPPROTO_UDP, 0, MSG_IPV4, "MSAFD Tcpip [UDP/IP]"),
    ENTRY(XP1_UDP, MSAFD_TCPIP_GUID, 1003, WS_AF_INET, 16, 16, WS_SOCK_RAW, 0,
          255, MSG_IPV4, "MSAFD Tcpip [RAW/IP]"),
    ENTRY(XP1_TCP, MSAFD_TCPIP_GUID, 1004, WS_AF_INET6, 28, 28, WS_SOCK_STREAM,
          WS_IPPROTO_TCP, 0, 0, "MSAFD Tcpip [TCP/IPv6]"),
    ENTRY(XP1_UDP, MSAFD_TCPIP_GUID, 1005, WS_AF_INET6, 28, 28, WS_SOCK_DGRAM,
          WS_IPPROTO_UDP, 0, MSG_IPV6, "MSAFD Tcpip [UDP/IPv6]"),
    ENTRY(XP1_UDP, MSAFD_TCPIP_GUID, 1006, WS_AF_INET6, 28, 28, WS_SOCK_RAW, 0,
          255, MSG_IPV6, "MSAFD Tcpip [RAW/IPv6]"),
    /* sockaddr_un: 110 bytes; the family alone names an unbound socket. */
    ENTRY(XP1_UNIX, AFUNIX_GUID, 1007, WS_AF_UNIX, 110, 2, WS_SOCK_STREAM, 0, 0,
          0, "AF_UNIX"),
};

int ws2__catalog_builtin(const WSAPROTOCOL_INFOW **out) {
  if (out) *out = entries;
  return (int)(sizeof(entries) / sizeof(entries[0]));
}
