/*
 * test-soak.c: the soak (issue 7) through the base provider, on the
 * engine CTest chose (WS2_ENGINE).
 *
 * test/harness/ws2soak.h does the work: worker threads, completion ports
 * (one closed half-way), loopback TCP over IPv4 and IPv6 and UDP, every
 * notification kind, cancels, closes during I/O, threads that exit with
 * completion routines pending, every request accounted for exactly once
 * and every byte checked. This file adds what only ws2 can be asked:
 * every socket is the base provider's own (SO_PROTOCOL_INFOW), and no
 * file descriptor is left open once Winsock is cleaned up (ASan builds
 * check memory at exit). WS2_SOAK_SECONDS sets the duration (default 3),
 * WS2_SOAK_SEED replays a run's choices.
 */
/* ws2-wine: skip (asks ws2 itself: ws2_engine_name, /proc/self/fd) */
#include "ws2io.h"
#include "ws2soak.h"

#include <stdio.h>
#include <string.h>

static const char *base_socket(void *ctx, SOCKET s, int af, int type) {
  WSAPROTOCOL_INFOW w;
  int len = (int)sizeof(w);
  (void)ctx;
  if (getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len) != 0)
    return "getsockopt(SO_PROTOCOL_INFOW) failed";
  if (w.ProtocolChain.ChainLen != BASE_PROTOCOL)
    return "not a socket of the base provider";
  if (w.iAddressFamily != af || w.iSocketType != type)
    return "SO_PROTOCOL_INFOW names another family or type";
  return NULL;
}

TEST(soak_base_provider) {
  soak_config_t cfg;
  char name[64];
  int before;
  /* A first start-up and clean-up: what ws2 keeps for the process (its
   * engine) exists before the count. */
  t_startup();
  t_cleanup();
  before = t_open_fds();
  ASSERT_GT(before, 0);
  t_startup();
  snprintf(name, sizeof(name), "base/%s", ws2_engine_name());
  memset(&cfg, 0, sizeof(cfg));
  cfg.name = name;
  cfg.check_socket = base_socket;
  ASSERT_EQ(soak_run(&cfg, NULL), 0);
  t_cleanup();
  t_assert_open_fds(before);
}
