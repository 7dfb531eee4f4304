/*
 * wsipv6ok.h: on Windows, a header that poisons IPv4-only names when a
 * program defines IPV6STRICT, to find code that is not IPv6-ready. ws2
 * does not implement that check; the header exists so that programs that
 * include it build, and declares nothing of its own.
 */
#ifndef WS2_WSIPV6OK_H
#define WS2_WSIPV6OK_H

#include "winsock2.h"

#endif /* WS2_WSIPV6OK_H */
