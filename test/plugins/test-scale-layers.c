/*
 * test-scale-layers.c: 10,000 concurrent TCP connections echoing through
 * an IOCP server (test/harness/ws2scale.h) with the non-IFS reference
 * layer (plugins/nonifs-reference) in the chain, on each engine: every
 * request completes once through the layer's substitute OVERLAPPEDs and
 * WPUCompleteOverlappedRequest. The client process uses the same catalog.
 */
#include "ws2plugins.h"
#include "ws2scale.h"

TEST(scale_client) { t_scale_client_case(); }

TEST(ten_thousand_connections_through_a_non_ifs_layer) {
  static const DWORD tcp4[] = {T_TCP4};
  DWORD chain[1];
  t_fresh_catalog();
  t_install_plugin("nonifs-reference", 0, tcp4, 1, chain);
  t_scale_run(chain[0]);
  t_remove_catalog();
}
