/*
 * test-scale.c: 10,000 concurrent TCP connections echoing through an IOCP
 * server on the base provider (test/harness/ws2scale.h), on each engine.
 */
/* ws2-wine: skip (Linux calls: posix_spawn, setrlimit, mallinfo) */
#include "ws2scale.h"

TEST(scale_client) { t_scale_client_case(); }

TEST(ten_thousand_connections_echo) { t_scale_run(0); }
