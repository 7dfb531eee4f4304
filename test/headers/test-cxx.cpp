// Every ws2 header compiled as C++17 next to the standard library, in
// Windows mode: std::bind and a class with a connect() member must not be
// disturbed by Winsock's bind and connect, and the layouts are Windows'.
#include <functional>
#include <string>
#include <vector>

#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <ws2ipdef.h>
#include <mswsock.h>
#include <mstcpip.h>
#include <ws2spi.h>
#include <afunix.h>
#include <sporder.h>
#include <qos.h>
#include <winsock.h>
#include <wsipv6ok.h>
#include <winuser.h>
#include <guiddef.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <type_traits>
#include <unistd.h>

#include "ws2test.h"

static_assert(sizeof(u_long) == 4, "u_long");
static_assert(sizeof(LONG) == 4, "LONG");
static_assert(sizeof(fd_set) == 520, "fd_set");
static_assert(sizeof(FD_SET) == 520, "FD_SET type");
static_assert(sizeof(timeval) == 8, "timeval");
static_assert(sizeof(sockaddr_in6) == 28, "sockaddr_in6");
static_assert(sizeof(sockaddr_storage) == 128, "sockaddr_storage");
static_assert(sizeof(WSAPROTOCOL_INFOW) == 628, "WSAPROTOCOL_INFOW");
static_assert(sizeof(WSADATA) == 408, "WSADATA");
static_assert(offsetof(WSADATA, lpVendorInfo) == 8, "WSADATA x64 order");
static_assert(sizeof(WSPPROC_TABLE) == 240, "WSPPROC_TABLE");
static_assert(offsetof(WSPPROC_TABLE, lpWSPGetQOSByName) == 15 * 8, "order");
static_assert(sizeof(WSPUPCALLTABLE) == 120, "WSPUPCALLTABLE");
static_assert(sizeof(addrinfo) == 48, "addrinfo");
static_assert(offsetof(addrinfo, ai_canonname) == 24, "ai_canonname first");
static_assert(offsetof(addrinfo, ai_addr) == 32, "then ai_addr");
static_assert(sizeof(hostent) == 32 && offsetof(hostent, h_length) == 18,
              "hostent");
static_assert(sizeof(servent) == 32 && offsetof(servent, s_port) == 24,
              "servent");
static_assert(sizeof(WCHAR) == 2, "WCHAR");
static_assert(AF_INET6 == 23 && SOMAXCONN == 0x7fffffff, "constants");
static_assert(std::is_same<decltype(&select),
                           int (*)(int, fd_set *, fd_set *, fd_set *,
                                   const timeval *)>::value,
              "select is Winsock's");
static_assert(std::is_same<decltype(&bind),
                           int (*)(SOCKET, const sockaddr *, int)>::value,
              "::bind is Winsock's");
static_assert(std::is_same<decltype(&connect),
                           int (*)(SOCKET, const sockaddr *, int)>::value,
              "::connect is Winsock's");
static_assert(std::is_same<WCHAR, char16_t>::value, "WCHAR is char16_t");
// In C++, the port reservation members are named, as in the SDK.
static_assert(offsetof(INET_PORT_RESERVATION_INSTANCE, Token) == 8, "Token");

namespace {

// A class whose members share names with Winsock functions.
class Channel {
 public:
  bool connect(const std::string &where) {
    target_ = where;
    return !where.empty();
  }
  int send(int n) const { return n * 2; }
  int select() const { return 3; }
  void shutdown() { target_.clear(); }
  const std::string &target() const { return target_; }

 private:
  std::string target_;
};

int add(int a, int b) { return a + b; }

}  // namespace

TEST(std_bind_and_members) {
  using namespace std::placeholders;
  auto add5 = std::bind(add, _1, 5);
  ASSERT_EQ(add5(2), 7);
  Channel c;
  ASSERT_TRUE(c.connect("example:80"));
  ASSERT_EQ(c.send(21), 42);
  ASSERT_EQ(c.select(), 3);
  auto bound = std::bind(&Channel::connect, &c, _1);
  ASSERT_TRUE(bound("other:81"));
  ASSERT_TRUE(c.target() == "other:81");
  c.shutdown();
  ASSERT_TRUE(c.target().empty());
}

TEST(guid_operators) {
  const GUID a = WSAID_ACCEPTEX, b = WSAID_ACCEPTEX, c = WSAID_CONNECTEX;
  ASSERT_TRUE(a == b);
  ASSERT_TRUE(a != c);
  ASSERT_TRUE(IsEqualGUID(a, b));
}

TEST(wide_text) {
  const WCHAR *w = WS2_WIDE("hi");
  std::u16string s(w);
  ASSERT_EQ(s.size(), 2u);
}

TEST(fd_set_in_cxx) {
  fd_set s;
  FD_ZERO(&s);
  FD_SET(static_cast<SOCKET>(9), &s);
  ASSERT_EQ(s.fd_count, 1u);
  std::vector<SOCKET> v(s.fd_array, s.fd_array + s.fd_count);
  ASSERT_EQ(v[0], 9u);
}
