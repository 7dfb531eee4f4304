/*
 * test-filter.c: the filter layer (plugins/filter) loaded from a catalog
 * of the test's own.
 *
 * Each case makes a catalog in a temporary directory (WS2_CATALOG), puts
 * ws2-filter from WS2_PLUGIN_DIR over TCP and UDP on IPv4 and IPv6 with
 * WSCInstallProviderAndChains (its chains first), points the filter at a
 * rule file in the same directory (WS2_FILTER_CONFIG), and starts Winsock.
 * Rules are changed by writing a new file and renaming it over the old
 * one; WS2_FILTER_RELOAD_MS=0 makes the filter look at the file on every
 * call it decides (the reload case sets a real interval).
 *
 * What is checked: each kind of rule (address, IPv4 and IPv6 prefixes,
 * port, port range, protocol, direction, program), that the first rule
 * that matches decides, the default policy, that a denied connect,
 * ConnectEx, bind, sendto, WSASendMsg and accept fail with WSAEACCES and
 * write one log line naming the rule and its file:line, that allowed
 * calls work and carry data, the reload after the file changes (bounded
 * wait), a malformed file (fail closed, each error logged with file:line,
 * usable again once fixed), and a missing file (nothing denied).
 */
#include "ws2io.h"
#include "ws2plugins.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char rules_file[300];

/* Replaces the rule file (a new file renamed over the old one, as an
 * editor or a configuration tool does). */
static void write_rules(const char *fmt, ...) {
  char tmp[320];
  va_list ap;
  FILE *f;
  snprintf(tmp, sizeof(tmp), "%s.new", rules_file);
  ASSERT_NE_PTR(f = fopen(tmp, "w"), NULL);
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  ASSERT_EQ(fclose(f), 0);
  ASSERT_EQ(rename(tmp, rules_file), 0);
}

/* A fresh catalog with the filter, a rule file with `rules`, and Winsock
 * started on them. */
static void start(const char *rules) {
  static const DWORD over[] = {T_TCP4, T_UDP4, T_TCP6, T_UDP6};
  DWORD chains[4];
  t_fresh_catalog();
  snprintf(rules_file, sizeof(rules_file), "%s/filter.conf", t_catalog_dir);
  setenv("WS2_FILTER_CONFIG", rules_file, 1);
  setenv("WS2_FILTER_RELOAD_MS", "0", 1);
  if (rules) write_rules("%s", rules);
  /* ws2-filter over TCP and UDP, IPv4 and IPv6, its chains first. */
  t_install_plugin("filter", XP1_IFS_HANDLES, over, 4, chains);
  t_startup();
}

static void finish(void) {
  t_cleanup();
  t_remove_catalog();
}

/* stderr captured into a file between capture_begin and capture_end. */
static int capture_fd = -1, saved_stderr = -1;

static void capture_begin(void) {
  char tmpl[] = "/tmp/ws2-test-filter-log-XXXXXX";
  capture_fd = mkstemp(tmpl);
  ASSERT_TRUE(capture_fd >= 0);
  unlink(tmpl);
  saved_stderr = dup(2);
  fflush(stderr);
  dup2(capture_fd, 2);
}

static void capture_end(char *log, size_t size) {
  ssize_t n;
  fflush(stderr);
  dup2(saved_stderr, 2);
  close(saved_stderr);
  n = pread(capture_fd, log, size - 1, 0);
  log[n > 0 ? n : 0] = '\0';
  close(capture_fd);
  fputs(log, stderr); /* still in the test's output */
}

#define ASSERT_LOGGED(log, text)                               \
  do {                                                         \
    if (!strstr((log), (text))) FAIL("not in the log: " text); \
  } while (0)

/* A listening TCP socket on loopback (af AF_INET or AF_INET6); its port
 * in *port. */
static SOCKET listener(int af, unsigned short *port) {
  SOCKADDR_STORAGE a;
  int len = sizeof(a);
  SOCKET l = socket(af, SOCK_STREAM, IPPROTO_TCP);
  ASSERT_NE(l, INVALID_SOCKET);
  memset(&a, 0, sizeof(a));
  if (af == AF_INET) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&a;
    s4->sin_family = AF_INET;
    s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(*s4);
  } else {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a;
    s6->sin6_family = AF_INET6;
    s6->sin6_addr = in6addr_loopback;
    len = sizeof(*s6);
  }
  if (bind(l, (struct sockaddr *)&a, len) != 0 && af == AF_INET6) {
    closesocket(l);
    SKIP("no IPv6 loopback here");
  }
  ASSERT_EQ(listen(l, SOMAXCONN), 0);
  len = sizeof(a);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)&a, &len), 0);
  *port = ntohs(((struct sockaddr_in *)&a)->sin_port); /* same offset */
  return l;
}

/* Loopback address of family af, port port. */
static int loopback(int af, unsigned short port, SOCKADDR_STORAGE *a) {
  memset(a, 0, sizeof(*a));
  if (af == AF_INET) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)a;
    s4->sin_family = AF_INET;
    s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s4->sin_port = htons(port);
    return sizeof(*s4);
  } else {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)a;
    s6->sin6_family = AF_INET6;
    s6->sin6_addr = in6addr_loopback;
    s6->sin6_port = htons(port);
    return sizeof(*s6);
  }
}

/* Connects to loopback:port of family af through the filter: 0 when the
 * connection was made (and accepted on l), else the error. */
static int try_connect(int af, unsigned short port, SOCKET l) {
  SOCKADDR_STORAGE a;
  int len = loopback(af, port, &a), r, err = 0;
  SOCKET c = socket(af, SOCK_STREAM, IPPROTO_TCP), acc;
  ASSERT_NE(c, INVALID_SOCKET);
  r = connect(c, (struct sockaddr *)&a, len);
  if (r != 0) err = WSAGetLastError();
  if (r == 0) {
    acc = accept(l, NULL, NULL);
    ASSERT_NE(acc, INVALID_SOCKET);
    ASSERT_EQ(closesocket(acc), 0);
  }
  ASSERT_EQ(closesocket(c), 0);
  return err;
}

TEST(allowed_connect_carries_data) {
  unsigned short port;
  SOCKET l, c, a;
  SOCKADDR_STORAGE addr;
  char buf[32], log[4096];
  int len;
  start(
      "# nothing here concerns this connection\n"
      "deny out tcp port 1\n"
      "default allow\n");
  l = listener(AF_INET, &port);
  len = loopback(AF_INET, port, &addr);
  capture_begin();
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(c, INVALID_SOCKET);
  ASSERT_EQ(connect(c, (struct sockaddr *)&addr, len), 0);
  a = accept(l, NULL, NULL);
  ASSERT_NE(a, INVALID_SOCKET);
  ASSERT_EQ(send(c, "through the filter", 18, 0), 18);
  ASSERT_EQ(recv(a, buf, 18, MSG_WAITALL), 18);
  ASSERT_MEM_EQ(buf, "through the filter", 18);
  ASSERT_EQ(send(a, "back", 4, 0), 4);
  ASSERT_EQ(recv(c, buf, 4, MSG_WAITALL), 4);
  capture_end(log, sizeof(log));
  ASSERT_TRUE(strstr(log, "denied") == NULL);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

TEST(address_rules_v4_and_v6) {
  unsigned short p4, p6;
  SOCKET l4, l6;
  char log[4096], want[700];
  start(NULL);
  l4 = listener(AF_INET, &p4);
  l6 = listener(AF_INET6, &p6);
  write_rules("deny out addr 127.0.0.1\n");
  capture_begin();
  ASSERT_EQ(try_connect(AF_INET, p4, l4), WSAEACCES);
  ASSERT_EQ(try_connect(AF_INET6, p6, l6), 0);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want),
           "denied connect tcp 127.0.0.1:%u by rule \"deny out addr "
           "127.0.0.1\" (%s:1)",
           p4, rules_file);
  if (!strstr(log, want)) FAIL(want);
  write_rules("# IPv6 now\n\ndeny out addr ::1   # the loopback\n");
  capture_begin();
  ASSERT_EQ(try_connect(AF_INET, p4, l4), 0);
  ASSERT_EQ(try_connect(AF_INET6, p6, l6), WSAEACCES);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want),
           "denied connect tcp [::1]:%u by rule \"deny out addr ::1\" (%s:3)",
           p6, rules_file);
  if (!strstr(log, want)) FAIL(want);
  ASSERT_EQ(closesocket(l4), 0);
  ASSERT_EQ(closesocket(l6), 0);
  finish();
}

TEST(prefix_rules_v4_and_v6) {
  unsigned short p4, p6;
  SOCKET l4, l6;
  start(NULL);
  l4 = listener(AF_INET, &p4);
  l6 = listener(AF_INET6, &p6);
  write_rules("deny out addr 10.0.0.0/8\ndeny out addr fe80::/10\n");
  ASSERT_EQ(try_connect(AF_INET, p4, l4), 0);
  ASSERT_EQ(try_connect(AF_INET6, p6, l6), 0);
  write_rules("deny out addr 127.0.0.0/8\n");
  ASSERT_EQ(try_connect(AF_INET, p4, l4), WSAEACCES);
  ASSERT_EQ(try_connect(AF_INET6, p6, l6), 0);
  /* Prefixes that do not end on a byte: 126.0.0.0/7 holds 127.0.0.1,
   * 127.0.0.2/31 does not. */
  write_rules("deny out addr 127.0.0.2/31\n");
  ASSERT_EQ(try_connect(AF_INET, p4, l4), 0);
  write_rules("deny out addr 126.0.0.0/7\n");
  ASSERT_EQ(try_connect(AF_INET, p4, l4), WSAEACCES);
  write_rules("deny out addr ::/127\n");
  ASSERT_EQ(try_connect(AF_INET6, p6, l6), WSAEACCES);
  ASSERT_EQ(try_connect(AF_INET, p4, l4), 0);
  write_rules("deny out addr ::2/127\n");
  ASSERT_EQ(try_connect(AF_INET6, p6, l6), 0);
  write_rules("deny out addr 0:0:0:0:0:0:0:0/0\n");
  ASSERT_EQ(try_connect(AF_INET6, p6, l6), WSAEACCES);
  ASSERT_EQ(try_connect(AF_INET, p4, l4), 0);
  ASSERT_EQ(closesocket(l4), 0);
  ASSERT_EQ(closesocket(l6), 0);
  finish();
}

TEST(port_and_port_range_rules) {
  unsigned short p;
  SOCKET l;
  start(NULL);
  l = listener(AF_INET, &p);
  write_rules("deny out tcp port %u\n", p);
  ASSERT_EQ(try_connect(AF_INET, p, l), WSAEACCES);
  write_rules("deny out tcp port %u\n", p == 65535 ? 1 : p + 1);
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  write_rules("deny out port %u-%u\n", p - 1, p + 1 > 65535 ? 65535 : p + 1);
  ASSERT_EQ(try_connect(AF_INET, p, l), WSAEACCES);
  write_rules("deny out port %u-%u\n", p + 1 > 65535 ? 1 : p + 1,
              p + 10 > 65535 ? 1 : p + 10);
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  write_rules("deny out port 1-%u\n", p - 1);
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  write_rules("deny out port %u-65535\n", p);
  ASSERT_EQ(try_connect(AF_INET, p, l), WSAEACCES);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

/* A UDP socket bound to 127.0.0.1 and an ephemeral port (*port). */
static SOCKET udp_receiver(unsigned short *port) {
  SOCKADDR_STORAGE a;
  int len = loopback(AF_INET, 0, &a);
  SOCKET u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  ASSERT_NE(u, INVALID_SOCKET);
  ASSERT_EQ(bind(u, (struct sockaddr *)&a, len), 0);
  len = sizeof(a);
  ASSERT_EQ(getsockname(u, (struct sockaddr *)&a, &len), 0);
  *port = ntohs(((struct sockaddr_in *)&a)->sin_port);
  return u;
}

/* sendto loopback:port: 0 or the error. */
static int try_sendto(SOCKET u, unsigned short port, const char *what) {
  SOCKADDR_STORAGE a;
  int len = loopback(AF_INET, port, &a);
  int n = (int)strlen(what);
  if (sendto(u, what, n, 0, (struct sockaddr *)&a, len) == n) return 0;
  return WSAGetLastError();
}

TEST(protocol_rules) {
  unsigned short p, pu;
  SOCKET l, u, r;
  char buf[16];
  start(NULL);
  l = listener(AF_INET, &p);
  r = udp_receiver(&pu);
  u = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_NE(u, INVALID_SOCKET);
  write_rules("deny udp\n");
  ASSERT_EQ(try_sendto(u, pu, "x"), WSAEACCES);
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  write_rules("deny tcp\n");
  ASSERT_EQ(try_sendto(u, pu, "udp ok"), 0);
  ASSERT_EQ(recv(r, buf, sizeof(buf), 0), 6);
  ASSERT_MEM_EQ(buf, "udp ok", 6);
  ASSERT_EQ(try_connect(AF_INET, p, l), WSAEACCES);
  ASSERT_EQ(closesocket(u), 0);
  ASSERT_EQ(closesocket(r), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

/* Directions: out (connect, sendto), in (accept: the peer's address and
 * the local port), bind (the local address and port). */
TEST(direction_rules_and_denied_accept) {
  unsigned short p;
  SOCKET l, c, u;
  SOCKADDR_STORAGE addr;
  char log[4096], want[700], buf[4];
  int len, r;
  start(NULL);
  l = listener(AF_INET, &p);
  write_rules("deny in tcp port %u\n", p);
  /* The connect (out) is allowed, the accept (in) of it is not. */
  capture_begin();
  len = loopback(AF_INET, p, &addr);
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_NE(c, INVALID_SOCKET);
  ASSERT_EQ(connect(c, (struct sockaddr *)&addr, len), 0);
  ASSERT_FAILS_WITH(accept(l, NULL, NULL), INVALID_SOCKET, WSAEACCES);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want),
           "denied accept tcp from 127.0.0.1 on port %u by rule \"deny in "
           "tcp port %u\" (%s:1)",
           p, p, rules_file);
  if (!strstr(log, want)) FAIL(want);
  /* The refused connection was reset. */
  r = recv(c, buf, sizeof(buf), 0);
  ASSERT_TRUE(r == 0 ||
              (r == SOCKET_ERROR && WSAGetLastError() == WSAECONNRESET));
  ASSERT_EQ(closesocket(c), 0);
  /* The next connection is another accept's business. */
  write_rules("deny in tcp addr 127.0.0.2\n");
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  /* An out rule does not concern accept, an in rule not connect. */
  write_rules("deny out tcp port %u\n", p == 65535 ? 1 : p + 1);
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  write_rules("deny in tcp\n");
  c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(c, (struct sockaddr *)&addr, len), 0);
  ASSERT_FAILS_WITH(accept(l, NULL, NULL), INVALID_SOCKET, WSAEACCES);
  ASSERT_EQ(closesocket(c), 0);
  /* bind: the local address. */
  write_rules("deny bind udp addr 127.0.0.1\n");
  capture_begin();
  u = socket(AF_INET, SOCK_DGRAM, 0);
  len = loopback(AF_INET, 0, &addr);
  ASSERT_FAILS_WITH(bind(u, (struct sockaddr *)&addr, len), SOCKET_ERROR,
                    WSAEACCES);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want),
           "denied bind udp 127.0.0.1:0 by rule \"deny bind udp addr "
           "127.0.0.1\" (%s:1)",
           rules_file);
  if (!strstr(log, want)) FAIL(want);
  ASSERT_EQ(closesocket(u), 0);
  /* ...and no other direction: the connect is allowed. */
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

TEST(program_rules) {
  unsigned short p;
  SOCKET l;
  char exe[512], log[4096];
  const char *base;
  ssize_t n;
  n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  ASSERT_TRUE(n > 0);
  exe[n] = '\0';
  base = strrchr(exe, '/') + 1;
  start(NULL);
  l = listener(AF_INET, &p);
  write_rules("deny out program \"%s\"\n", exe);
  capture_begin();
  ASSERT_EQ(try_connect(AF_INET, p, l), WSAEACCES);
  capture_end(log, sizeof(log));
  ASSERT_LOGGED(log, "by rule \"deny out program \"");
  write_rules("deny out program %s\n", base);
  ASSERT_EQ(try_connect(AF_INET, p, l), WSAEACCES);
  write_rules(
      "deny out program /usr/bin/%s-not-this-one\n"
      "deny out program %sx\n"
      "deny out program /nonexistent/%s\n",
      base, base, base);
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

TEST(first_matching_rule_wins) {
  unsigned short p, q;
  SOCKET lp, lq;
  char log[4096], want[700];
  start(NULL);
  lp = listener(AF_INET, &p);
  lq = listener(AF_INET, &q);
  write_rules("allow out tcp port %u\ndeny out tcp\nallow out\n", p);
  capture_begin();
  ASSERT_EQ(try_connect(AF_INET, p, lp), 0);
  ASSERT_EQ(try_connect(AF_INET, q, lq), WSAEACCES);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want), "by rule \"deny out tcp\" (%s:2)", rules_file);
  if (!strstr(log, want)) FAIL(want);
  /* The same rules the other way round. */
  write_rules("deny out tcp\nallow out tcp port %u\n", p);
  ASSERT_EQ(try_connect(AF_INET, p, lp), WSAEACCES);
  ASSERT_EQ(closesocket(lp), 0);
  ASSERT_EQ(closesocket(lq), 0);
  finish();
}

TEST(default_policy) {
  unsigned short p, q;
  SOCKET lp, lq;
  char log[4096], want[700];
  start(NULL);
  lp = listener(AF_INET, &p);
  lq = listener(AF_INET, &q);
  write_rules("default deny\nallow out tcp port %u\nallow in\nallow bind\n", p);
  capture_begin();
  ASSERT_EQ(try_connect(AF_INET, p, lp), 0);
  ASSERT_EQ(try_connect(AF_INET, q, lq), WSAEACCES);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want),
           "denied connect tcp 127.0.0.1:%u by the default policy \"default "
           "deny\" (%s:1)",
           q, rules_file);
  if (!strstr(log, want)) FAIL(want);
  /* The default line may be anywhere; allow is the default without one. */
  write_rules("deny out tcp port %u\ndefault allow\n", p);
  ASSERT_EQ(try_connect(AF_INET, q, lq), 0);
  write_rules("deny out tcp port %u\n", p);
  ASSERT_EQ(try_connect(AF_INET, q, lq), 0);
  ASSERT_EQ(closesocket(lp), 0);
  ASSERT_EQ(closesocket(lq), 0);
  finish();
}

TEST(denied_sendto_and_wsasendmsg) {
  unsigned short p, q;
  SOCKET u, rp, rq;
  SOCKADDR_STORAGE a;
  GUID id = WSAID_WSASENDMSG;
  LPFN_WSASENDMSG sendmsg_fn = NULL;
  WSAMSG msg;
  WSABUF b;
  DWORD n = 0, sent = 0;
  char log[4096], want[700], buf[16];
  start(NULL);
  rp = udp_receiver(&p);
  rq = udp_receiver(&q);
  write_rules("deny out udp port %u\n", p);
  u = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_NE(u, INVALID_SOCKET);
  capture_begin();
  ASSERT_EQ(try_sendto(u, p, "no"), WSAEACCES);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want),
           "denied sendto udp 127.0.0.1:%u by rule \"deny out udp port %u\" "
           "(%s:1)",
           p, p, rules_file);
  if (!strstr(log, want)) FAIL(want);
  ASSERT_EQ(try_sendto(u, q, "yes"), 0);
  ASSERT_EQ(recv(rq, buf, sizeof(buf), 0), 3);
  /* WSASendMsg with a destination, through the pointer the socket's
   * provider hands out, and the exported WSASendMsg. */
  ASSERT_EQ(WSAIoctl(u, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                     &sendmsg_fn, sizeof(sendmsg_fn), &n, NULL, NULL),
            0);
  memset(&msg, 0, sizeof(msg));
  msg.name = (struct sockaddr *)&a;
  msg.namelen = loopback(AF_INET, p, &a);
  b.buf = "msg";
  b.len = 3;
  msg.lpBuffers = &b;
  msg.dwBufferCount = 1;
  capture_begin();
  ASSERT_FAILS_WITH(sendmsg_fn(u, &msg, 0, &sent, NULL, NULL), SOCKET_ERROR,
                    WSAEACCES);
  ASSERT_FAILS_WITH(WSASendMsg(u, &msg, 0, &sent, NULL, NULL), SOCKET_ERROR,
                    WSAEACCES);
  capture_end(log, sizeof(log));
  ASSERT_LOGGED(log, "denied WSASendMsg udp 127.0.0.1:");
  msg.namelen = loopback(AF_INET, q, &a);
  ASSERT_EQ(WSASendMsg(u, &msg, 0, &sent, NULL, NULL), 0);
  ASSERT_EQ(sent, 3);
  ASSERT_EQ(recv(rq, buf, sizeof(buf), 0), 3);
  ASSERT_MEM_EQ(buf, "msg", 3);
  /* A connected UDP socket: its connect is the "out". */
  ASSERT_FAILS_WITH(connect(u, (struct sockaddr *)&a, loopback(AF_INET, p, &a)),
                    SOCKET_ERROR, WSAEACCES);
  ASSERT_EQ(closesocket(u), 0);
  ASSERT_EQ(closesocket(rp), 0);
  ASSERT_EQ(closesocket(rq), 0);
  finish();
}

TEST(denied_connectex) {
  unsigned short p;
  SOCKET l, c, acc;
  SOCKADDR_STORAGE a, any;
  GUID id = WSAID_CONNECTEX;
  LPFN_CONNECTEX connectex = NULL;
  WSAOVERLAPPED ov;
  DWORD n = 0, flags = 0;
  char log[4096], want[700];
  int len;
  start(NULL);
  l = listener(AF_INET, &p);
  write_rules("deny out tcp port %u\n", p);
  c = WSASocketW(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(c, INVALID_SOCKET);
  ASSERT_EQ(WSAIoctl(c, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof(id),
                     &connectex, sizeof(connectex), &n, NULL, NULL),
            0);
  len = loopback(AF_INET, 0, &any);
  ASSERT_EQ(bind(c, (struct sockaddr *)&any, len), 0);
  len = loopback(AF_INET, p, &a);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  capture_begin();
  ASSERT_FAILS_WITH(connectex(c, (struct sockaddr *)&a, len, NULL, 0, &n, &ov),
                    FALSE, WSAEACCES);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want),
           "denied ConnectEx tcp 127.0.0.1:%u by rule \"deny out tcp port "
           "%u\" (%s:1)",
           p, p, rules_file);
  if (!strstr(log, want)) FAIL(want);
  /* Allowed, the same call connects. */
  write_rules("deny out tcp port 1\n");
  if (!connectex(c, (struct sockaddr *)&a, len, "hi", 2, &n, &ov))
    ASSERT_EQ(WSAGetLastError(), ERROR_IO_PENDING);
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &n, TRUE, &flags));
  ASSERT_EQ(n, 2);
  acc = accept(l, NULL, NULL);
  ASSERT_NE(acc, INVALID_SOCKET);
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  ASSERT_EQ(closesocket(acc), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

/* The file is looked at again at most every WS2_FILTER_RELOAD_MS: a
 * change is in force within that time (the wait here is bounded). */
TEST(rules_read_again_when_the_file_changes) {
  unsigned short p;
  SOCKET l;
  DWORD t0, waited;
  char log[4096];
  int i, r = 0;
  FILE *f;
  start("deny out tcp port 1\n");
  setenv("WS2_FILTER_RELOAD_MS", "100", 1);
  /* The interval is read at the first WSPStartup: start again. */
  t_cleanup();
  t_startup();
  l = listener(AF_INET, &p);
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  capture_begin();
  write_rules("deny out tcp port %u\n", p);
  t0 = GetTickCount();
  for (i = 0; i < 200 && (r = try_connect(AF_INET, p, l)) == 0; i++) Sleep(10);
  waited = GetTickCount() - t0;
  capture_end(log, sizeof(log));
  ASSERT_EQ(r, WSAEACCES);
  ASSERT_TRUE(waited < 1000);
  ASSERT_LOGGED(log, "read again: 1 rule\n");
  /* Edited in place (same file, other contents). */
  ASSERT_NE_PTR(f = fopen(rules_file, "w"), NULL);
  fprintf(f, "deny out tcp port 2  # no longer %u\n", p);
  ASSERT_EQ(fclose(f), 0);
  for (i = 0; i < 200 && (r = try_connect(AF_INET, p, l)) != 0; i++) Sleep(10);
  ASSERT_EQ(r, 0);
  fprintf(stderr, "# a rule change took effect after %lu ms\n",
          (unsigned long)waited);
  ASSERT_EQ(closesocket(l), 0);
  setenv("WS2_FILTER_RELOAD_MS", "0", 1);
  finish();
}

/* A file with an error is not used: every decision denies (fail closed)
 * until it is fixed; each error is logged with its file:line. */
TEST(malformed_file_fails_closed) {
  unsigned short p;
  SOCKET l;
  char log[8192], want[700];
  start("deny out tcp port 1\n");
  l = listener(AF_INET, &p);
  capture_begin();
  write_rules(
      "# rules\n"
      "deny out tcp port 99999\n"
      "allow out tcp\n"
      "deny sideways\n"
      "deny out addr 1.2.3\n"
      "deny out addr 10.0.0.0/33\n"
      "permit everything\n"
      "default maybe\n"
      "deny out port 9-8\n");
  ASSERT_EQ(try_connect(AF_INET, p, l), WSAEACCES);
  capture_end(log, sizeof(log));
  snprintf(want, sizeof(want), "%s:2: bad port \"99999\"", rules_file);
  if (!strstr(log, want)) FAIL(want);
  snprintf(want, sizeof(want), "%s:4: unknown word \"sideways\"", rules_file);
  if (!strstr(log, want)) FAIL(want);
  snprintf(want, sizeof(want), "%s:5: bad address \"1.2.3\"", rules_file);
  if (!strstr(log, want)) FAIL(want);
  snprintf(want, sizeof(want), "%s:6: bad prefix length \"10.0.0.0/33\"",
           rules_file);
  if (!strstr(log, want)) FAIL(want);
  snprintf(want, sizeof(want), "%s:7: a line starts with", rules_file);
  if (!strstr(log, want)) FAIL(want);
  snprintf(want, sizeof(want), "%s:8: default needs allow or deny", rules_file);
  if (!strstr(log, want)) FAIL(want);
  snprintf(want, sizeof(want), "%s:9: port range ends before it starts",
           rules_file);
  if (!strstr(log, want)) FAIL(want);
  snprintf(want, sizeof(want),
           "denied connect tcp 127.0.0.1:%u by the unusable rule file (%s:2: "
           "bad port \"99999\")",
           p, rules_file);
  if (!strstr(log, want)) FAIL(want);
  ASSERT_LOGGED(log,
                "is not used: every connect, bind, sendto and accept is "
                "denied until it is fixed");
  /* Fixed: in force again. */
  write_rules("deny out tcp port 1\n");
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

TEST(missing_file_denies_nothing) {
  unsigned short p;
  SOCKET l;
  char log[4096];
  capture_begin();
  start(NULL); /* no rule file */
  l = listener(AF_INET, &p);
  ASSERT_EQ(try_connect(AF_INET, p, l), 0);
  capture_end(log, sizeof(log));
  ASSERT_LOGGED(log, "no such rule file; nothing is denied");
  ASSERT_EQ(closesocket(l), 0);
  finish();
}
