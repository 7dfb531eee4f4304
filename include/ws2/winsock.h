/*
 * winsock.h: on Windows, the Winsock 1.1 API, which conflicts with
 * winsock2.h. ws2 has only Winsock 2, a superset of 1.1 for source
 * purposes, so this header is winsock2.h (plus mswsock.h, which the
 * Windows winsock.h also declares: AcceptEx, TransmitFile, WSARecvEx).
 */
#ifndef WS2_WINSOCK_H
#define WS2_WINSOCK_H

#include "winsock2.h"
#include "mswsock.h"

#endif /* WS2_WINSOCK_H */
