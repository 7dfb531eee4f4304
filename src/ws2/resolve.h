/*
 * resolve.h: internals shared by resolve.c (getaddrinfo, getnameinfo,
 * gethostname) and resolve-text.c (the address text conversions): the
 * Windows forms of IPv4 and IPv6 address text.
 *
 * Windows (RtlIpv4/6StringToAddress, RtlIpv6AddressToString) has its own
 * rules, which differ from glibc's in corner cases, so ws2 does not use
 * inet_pton/inet_ntop of the C library for these:
 *
 *  - IPv6 text is lowercase hex without leading zeros; the longest run of
 *    two or more zero groups (the first of equal runs) becomes "::"; the
 *    last 32 bits are written as dotted IPv4 for ::a.b.c.d (when the
 *    seventh group is non-zero), ::ffff:a.b.c.d and ::ffff:0:a.b.c.d
 *    (likewise), and ISATAP addresses (::0:5efe:a.b.c.d, ::200:5efe:...).
 *  - The strict IPv4 form (inet_pton) is four decimal parts of at most
 *    255, without leading zeros. The lenient form (inet_addr,
 *    WSAStringToAddress) is BSD's: one to four parts, each decimal, octal
 *    (leading 0) or hex (0x), the last filling the remaining bytes.
 *  - IPv6 parsing accepts 1-4 hex digits per group, one "::", and a
 *    trailing dotted IPv4 (parts of up to three decimal digits, leading
 *    zeros allowed). Like Windows it rejects a leading "::" followed by
 *    seven groups ("::1:2:3:4:5:6:7"), which RFC 4291 would allow.
 *
 * The parsers stop at the first character that cannot continue the
 * address and report where (*end); a caller decides whether what follows
 * is acceptable. They return 1 when a complete address was read (the
 * output is then written), 0 otherwise (the output is untouched).
 */
#ifndef WS2_WS2_RESOLVE_H
#define WS2_WS2_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

/* Room for any of the strings below, NUL included. */
#define WS2__IP4_TEXT 16
#define WS2__IP6_TEXT 46

/* "a.b.c.d" of 4 bytes in network order; returns the length. */
size_t ws2__ip4_to_text(const uint8_t addr[4], char *buf);
/* The Windows text of 16 bytes (buf of WS2__IP6_TEXT); returns the length. */
size_t ws2__ip6_to_text(const uint8_t addr[16], char *buf);

/* Strict dotted-quad IPv4 (inet_pton). */
int ws2__ip4_parse_strict(const char *s, uint8_t out[4], const char **end);
/* BSD IPv4 (inet_addr); *out is in network byte order. */
int ws2__ip4_parse_bsd(const char *s, uint8_t out[4], const char **end);
/* IPv6 without brackets, scope or port. */
int ws2__ip6_parse(const char *s, uint8_t out[16], const char **end);

#endif /* WS2_WS2_RESOLVE_H */
