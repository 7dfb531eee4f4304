/*
 * xlate/addr.h: socket addresses between their Windows and Linux forms.
 *
 * src/xlate holds the translations between Windows and Linux values that
 * both the Winsock layer (src/ws2) and the base provider need; it depends
 * on nothing but the headers. The layouts of sockaddr_in (16 bytes) and
 * sockaddr_in6 (28) are the same on both systems; the family numbers are
 * not (AF_INET6 is 23 on Windows, 10 on Linux), and Windows' AF_UNIX
 * sockaddr_un is 110 bytes (108-byte path).
 */
#ifndef WS2_XLATE_ADDR_H
#define WS2_XLATE_ADDR_H

#include <winsock2.h>

#include <sys/socket.h>

/*
 * A Windows sockaddr of wsalen bytes to Linux form. Returns 0, or
 * WSAEFAULT (NULL, or wsalen shorter than the family's structure) or
 * WSAEAFNOSUPPORT (a family ws2 does not carry).
 */
int ws2__addr_to_linux(const struct WS_sockaddr *wsa, int wsalen,
                       struct sockaddr_storage *out, socklen_t *outlen);

/*
 * A Linux sockaddr to Windows form in out, whose size is *outlen. On
 * success *outlen is the Windows length. Returns 0, or WSAEFAULT when out
 * is too small (with *outlen left as given), or WSAEAFNOSUPPORT.
 */
int ws2__addr_from_linux(const struct sockaddr *sa, socklen_t salen,
                         struct WS_sockaddr *out, int *outlen);

/* Address family numbers: Windows ↔ Linux (-1 when there is none). */
int ws2__af_to_linux(int af);
int ws2__af_from_linux(int af);

#endif /* WS2_XLATE_ADDR_H */
