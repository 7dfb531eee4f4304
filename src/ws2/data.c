/* data.c: the data ws2_32 exports. */
#include "ws2/ws2.h"

#include <ws2tcpip.h>

const struct WS_in6_addr WS_in6addr_any = {{{0}}};
const struct WS_in6_addr WS_in6addr_loopback = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}};
