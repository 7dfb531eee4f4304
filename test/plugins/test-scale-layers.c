/*
 * test-scale-layers.c: 10,000 concurrent TCP connections echoing through
 * an IOCP server (test/harness/ws2scale.h) with the non-IFS reference
 * layer (plugins/nonifs-reference) in the chain, on each engine: every
 * request completes once through the layer's substitute OVERLAPPEDs and
 * WPUCompleteOverlappedRequest. The client process uses the same catalog.
 */
#include "ws2layers.h"
#include "ws2scale.h"

static const GUID nonifs_guid = {
    0x3c1e9a57,
    0x6b2d,
    0x4f08,
    {0x9a, 0x41, 0xd2, 0x7e, 0x0c, 0x58, 0xb3, 0x16}};

TEST(scale_client) { t_scale_client_case(); }

TEST(ten_thousand_connections_through_a_non_ifs_layer) {
  static const DWORD tcp4[] = {T_TCP4};
  DWORD chain[1];
  char path[512];
  t_fresh_catalog();
  t_plugin_path("nonifs-reference", path, sizeof(path));
  t_install_layer(&nonifs_guid, path, "nonifs-reference", 0, tcp4, 1, chain);
  t_scale_run(chain[0]);
  t_remove_catalog();
}
