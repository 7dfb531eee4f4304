/*
 * The base provider's view of the kernel's addresses and routes
 * (src/provider/base/netwatch.c): SIO_ADDRESS_LIST_QUERY's list and its
 * size rules, SIO_ROUTING_INTERFACE_QUERY, SIO_GET_INTERFACE_LIST,
 * SIO_GET_BROADCAST_ADDRESS, and the change notifications behind
 * SIO_ADDRESS_LIST_CHANGE / SIO_ROUTING_INTERFACE_CHANGE.
 *
 * The queries are checked first in this machine's network namespace
 * (only what every Linux machine has: lo, 127.0.0.1, ::1 when IPv6 is
 * on). Exact contents and real changes are checked in a namespace of our
 * own: change_notifications starts this program again as a child that
 * unshares its network namespace (root, or CAP_SYS_ADMIN, needed; skipped
 * otherwise) and makes changes there with rtnetlink, so no tool is needed
 * and the machine's own network is never touched.
 */
#define WS2_USE_PREFIX
#include <winsock2.h>
#include <ws2tcpip.h>

#include "provider/base/netwatch.h"

#include <net/if.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ws2test.h"

extern char **environ;

#define CHILD_ENV "WS2_TEST_NETWATCH_CHILD"
#define WAIT_MS 5000 /* the longest a notification may take */

/* ---- helpers --------------------------------------------------------- */

/* SIO_ADDRESS_LIST_QUERY into a fresh buffer of exactly the size needed. */
static SOCKET_ADDRESS_LIST *addr_list(int af, DWORD *size) {
  DWORD need = 0, need2 = 0;
  void *buf;
  int r;
  ASSERT_EQ(ws2__net_address_list(af, NULL, 0, &need), WSAEFAULT);
  ASSERT_GE(need, (DWORD)offsetof(SOCKET_ADDRESS_LIST, Address));
  buf = malloc(need);
  ASSERT_NE_PTR(buf, NULL);
  r = ws2__net_address_list(af, buf, need, &need2);
  if (r != 0 || need2 != need) {
    free(buf);
    WS2TEST_FAIL_("address list: %d, %lu then %lu bytes", r,
                  (unsigned long)need, (unsigned long)need2);
  }
  *size = need;
  return buf;
}

static int has_v4(const SOCKET_ADDRESS_LIST *l, const char *text) {
  struct WS_in_addr want;
  int i;
  ASSERT_EQ(inet_pton(AF_INET, text, &want), 1);
  for (i = 0; i < l->iAddressCount; i++) {
    const struct WS_sockaddr_in *sin = (const void *)l->Address[i].lpSockaddr;
    if (memcmp(&sin->sin_addr, &want, 4) == 0) return i + 1;
  }
  return 0;
}

static int has_v6(const SOCKET_ADDRESS_LIST *l, const char *text) {
  struct in6_addr want;
  int i;
  ASSERT_EQ(inet_pton(AF_INET6, text, &want), 1);
  for (i = 0; i < l->iAddressCount; i++) {
    const struct WS_sockaddr_in6 *s6 = (const void *)l->Address[i].lpSockaddr;
    if (memcmp(&s6->sin6_addr, &want, 16) == 0) return i + 1;
  }
  return 0;
}

/* Every SOCKET_ADDRESS of l (size bytes) points inside it at a sockaddr
 * of family af, port 0, and the sizes add up. */
static void check_list(const SOCKET_ADDRESS_LIST *l, DWORD size, int af) {
  const char *base = (const char *)l, *end = base + size;
  int salen = af == WS_AF_INET ? 16 : 28, i;
  ASSERT_GE(l->iAddressCount, 0);
  ASSERT_EQ(size, 8 + (DWORD)l->iAddressCount * (16 + (DWORD)salen));
  for (i = 0; i < l->iAddressCount; i++) {
    const char *sa = (const char *)l->Address[i].lpSockaddr;
    ADDRESS_FAMILY fam;
    USHORT port;
    ASSERT_EQ(l->Address[i].iSockaddrLength, salen);
    ASSERT_TRUE(sa >= base + 8 + 16 * l->iAddressCount);
    ASSERT_TRUE(sa + salen <= end);
    memcpy(&fam, sa, 2);
    memcpy(&port, sa + 2, 2);
    ASSERT_EQ(fam, af);
    ASSERT_EQ(port, 0);
  }
}

/* Whether this kernel has ::1 on lo (IPv6 enabled). */
static int have_ipv6_loopback(void) {
  char line[256];
  int found = 0;
  FILE *f = fopen("/proc/net/if_inet6", "r");
  if (!f) return 0;
  while (fgets(line, sizeof(line), f))
    if (strncmp(line, "00000000000000000000000000000001", 32) == 0) found = 1;
  fclose(f);
  return found;
}

static struct WS_sockaddr_in sin4(const char *text, USHORT port) {
  struct WS_sockaddr_in s;
  memset(&s, 0, sizeof(s));
  s.sin_family = WS_AF_INET;
  s.sin_port = htons(port);
  ASSERT_EQ(inet_pton(AF_INET, text, &s.sin_addr), 1);
  return s;
}

static struct WS_sockaddr_in6 sin6(const char *text) {
  struct WS_sockaddr_in6 s;
  memset(&s, 0, sizeof(s));
  s.sin6_family = WS_AF_INET6;
  ASSERT_EQ(inet_pton(AF_INET6, text, &s.sin6_addr), 1);
  return s;
}

/* SIO_ROUTING_INTERFACE_QUERY for dst; the answer's text in out. */
static int route_to(const void *dst, int len, char *out, size_t outsz) {
  struct WS_sockaddr_storage local;
  int locallen = sizeof(local), r;
  DWORD need = 0;
  ADDRESS_FAMILY fam;
  memset(&local, 0xAA, sizeof(local));
  r = ws2__net_route_query(dst, len, (struct WS_sockaddr *)&local, &locallen,
                           &need);
  if (r) return r;
  memcpy(&fam, &local, 2);
  if (fam == WS_AF_INET) {
    ASSERT_EQ(locallen, 16);
    ASSERT_EQ(need, 16);
    ASSERT_EQ(((struct WS_sockaddr_in *)&local)->sin_port, 0);
    inet_ntop(AF_INET, &((struct WS_sockaddr_in *)&local)->sin_addr, out,
              (socklen_t)outsz);
  } else {
    ASSERT_EQ(fam, WS_AF_INET6);
    ASSERT_EQ(locallen, 28);
    ASSERT_EQ(need, 28);
    ASSERT_EQ(((struct WS_sockaddr_in6 *)&local)->sin6_port, 0);
    inet_ntop(AF_INET6, &((struct WS_sockaddr_in6 *)&local)->sin6_addr, out,
              (socklen_t)outsz);
  }
  return 0;
}

/* The INTERFACE_INFO whose address is `text`, or NULL. */
static const INTERFACE_INFO *find_if(const INTERFACE_INFO *v, int n,
                                     const char *text) {
  struct WS_in_addr want;
  int i;
  ASSERT_EQ(inet_pton(AF_INET, text, &want), 1);
  for (i = 0; i < n; i++)
    if (memcmp(&v[i].iiAddress.AddressIn.sin_addr, &want, 4) == 0) return &v[i];
  return NULL;
}

static INTERFACE_INFO *if_list(int *count) {
  DWORD need = 0, need2 = 0;
  INTERFACE_INFO *v;
  int r;
  r = ws2__net_interface_list(NULL, 0, &need);
  if (need == 0) {
    ASSERT_EQ(r, 0);
    *count = 0;
    return NULL;
  }
  ASSERT_EQ(r, WSAEFAULT);
  ASSERT_EQ(need % sizeof(INTERFACE_INFO), 0);
  v = malloc(need);
  ASSERT_NE_PTR(v, NULL);
  r = ws2__net_interface_list(v, need, &need2);
  if (r != 0 || need2 != need) {
    free(v);
    WS2TEST_FAIL_("interface list: %d", r);
  }
  *count = (int)(need / sizeof(INTERFACE_INFO));
  return v;
}

static int sin_is(const struct WS_sockaddr_in *s, const char *text) {
  struct WS_in_addr want;
  ASSERT_EQ(inet_pton(AF_INET, text, &want), 1);
  return s->sin_family == WS_AF_INET && s->sin_port == 0 &&
         memcmp(&s->sin_addr, &want, 4) == 0;
}

/* ---- SIO_ADDRESS_LIST_QUERY ------------------------------------------ */

TEST(address_list_ipv4) {
  DWORD size, need = 0;
  SOCKET_ADDRESS_LIST *l = addr_list(WS_AF_INET, &size);
  unsigned char *buf;
  DWORD i;
  check_list(l, size, WS_AF_INET);
  ASSERT_TRUE(has_v4(l, "127.0.0.1"));
  free(l);

  /* One byte short: WSAEFAULT, the size, and nothing written. */
  buf = malloc(size);
  ASSERT_NE_PTR(buf, NULL);
  memset(buf, 0xAA, size);
  ASSERT_EQ(ws2__net_address_list(WS_AF_INET, buf, size - 1, &need), WSAEFAULT);
  ASSERT_EQ(need, size);
  for (i = 0; i < size; i++) ASSERT_EQ(buf[i], 0xAA);
  /* Smaller than the header: WSAEINVAL and 0, as Windows. */
  need = 77;
  ASSERT_EQ(ws2__net_address_list(WS_AF_INET, buf, 4, &need), WSAEINVAL);
  ASSERT_EQ(need, 0);
  ASSERT_EQ(buf[0], 0xAA);
  /* The header alone is not enough for a list with 127.0.0.1 in it. */
  ASSERT_EQ(ws2__net_address_list(WS_AF_INET, buf, 8, &need), WSAEFAULT);
  ASSERT_EQ(need, size);
  free(buf);
}

TEST(address_list_ipv6) {
  DWORD size;
  SOCKET_ADDRESS_LIST *l;
  int i;
  if (!have_ipv6_loopback()) SKIP("no ::1 on lo (IPv6 off)");
  l = addr_list(WS_AF_INET6, &size);
  check_list(l, size, WS_AF_INET6);
  ASSERT_TRUE(has_v6(l, "::1"));
  /* Link-local addresses carry their interface. */
  for (i = 0; i < l->iAddressCount; i++) {
    const struct WS_sockaddr_in6 *s6 = (const void *)l->Address[i].lpSockaddr;
    const unsigned char *a = (const unsigned char *)&s6->sin6_addr;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ASSERT_NE(s6->sin6_scope_id, 0);
  }
  free(l);
}

TEST(address_list_arguments) {
  char buf[256];
  DWORD need = 5;
  ASSERT_EQ(ws2__net_address_list(0, buf, sizeof(buf), &need), WSAEINVAL);
  ASSERT_EQ(need, 0);
  ASSERT_EQ(ws2__net_address_list(WS_AF_UNIX, buf, sizeof(buf), &need),
            WSAEINVAL);
  ASSERT_EQ(ws2__net_address_list(WS_AF_INET, buf, sizeof(buf), NULL),
            WSAEFAULT);
}

/* ---- SIO_ROUTING_INTERFACE_QUERY ------------------------------------- */

TEST(route_query_loopback) {
  struct WS_sockaddr_in d4 = sin4("127.0.0.1", 80);
  char text[64];
  ASSERT_EQ(route_to(&d4, sizeof(d4), text, sizeof(text)), 0);
  ASSERT_EQ(strcmp(text, "127.0.0.1"), 0);
  d4 = sin4("127.0.0.2", 0);
  ASSERT_EQ(route_to(&d4, sizeof(d4), text, sizeof(text)), 0);
  ASSERT_EQ(strcmp(text, "127.0.0.1"), 0);
  if (have_ipv6_loopback()) {
    struct WS_sockaddr_in6 d6 = sin6("::1");
    ASSERT_EQ(route_to(&d6, sizeof(d6), text, sizeof(text)), 0);
    ASSERT_EQ(strcmp(text, "::1"), 0);
  }
  {
    /* A dual-stack socket's IPv4 destination: routed as IPv4, mapped. */
    struct WS_sockaddr_in6 m = sin6("::ffff:127.0.0.1");
    ASSERT_EQ(route_to(&m, sizeof(m), text, sizeof(text)), 0);
    ASSERT_EQ(strcmp(text, "::ffff:127.0.0.1"), 0);
  }
}

TEST(route_query_arguments) {
  struct WS_sockaddr_in d4 = sin4("127.0.0.1", 0), out;
  struct WS_sockaddr_in6 d6 = sin6("::1");
  struct WS_sockaddr_storage big;
  int len = 15;
  DWORD need = 0;
  ADDRESS_FAMILY unix_family = WS_AF_UNIX;

  /* Output too small: WSAEFAULT, the size needed, nothing written. */
  memset(&out, 0xAA, sizeof(out));
  ASSERT_EQ(ws2__net_route_query((struct WS_sockaddr *)&d4, sizeof(d4),
                                 (struct WS_sockaddr *)&out, &len, &need),
            WSAEFAULT);
  ASSERT_EQ(need, 16);
  ASSERT_EQ(len, 15);
  ASSERT_EQ(((unsigned char *)&out)[0], 0xAA);
  len = sizeof(big);
  ASSERT_EQ(ws2__net_route_query((struct WS_sockaddr *)&d6, sizeof(d6), NULL,
                                 &len, &need),
            WSAEFAULT);
  ASSERT_EQ(need, 28);
  ASSERT_EQ(ws2__net_route_query((struct WS_sockaddr *)&d4, sizeof(d4),
                                 (struct WS_sockaddr *)&big, NULL, &need),
            WSAEFAULT);
  /* The destination too short for its family, or missing. */
  len = sizeof(big);
  ASSERT_EQ(ws2__net_route_query((struct WS_sockaddr *)&d4, 8,
                                 (struct WS_sockaddr *)&big, &len, &need),
            WSAEFAULT);
  ASSERT_EQ(ws2__net_route_query((struct WS_sockaddr *)&d6, 16,
                                 (struct WS_sockaddr *)&big, &len, &need),
            WSAEFAULT);
  ASSERT_EQ(
      ws2__net_route_query(NULL, 16, (struct WS_sockaddr *)&big, &len, &need),
      WSAEFAULT);
  ASSERT_EQ(ws2__net_route_query((struct WS_sockaddr *)&d4, 1,
                                 (struct WS_sockaddr *)&big, &len, &need),
            WSAEFAULT);
  /* A family without routes. */
  memset(&big, 0, sizeof(big));
  memcpy(&big, &unix_family, sizeof(unix_family));
  ASSERT_EQ(ws2__net_route_query((struct WS_sockaddr *)&big, sizeof(big),
                                 (struct WS_sockaddr *)&out, &len, &need),
            WSAEINVAL);
  ASSERT_EQ(ws2__net_route_query((struct WS_sockaddr *)&d4, sizeof(d4),
                                 (struct WS_sockaddr *)&out, &len, NULL),
            WSAEFAULT);
}

/* ---- SIO_GET_INTERFACE_LIST, SIO_GET_BROADCAST_ADDRESS ---------------- */

TEST(interface_list) {
  int n;
  INTERFACE_INFO *v = if_list(&n);
  const INTERFACE_INFO *lo;
  DWORD need = 0;
  ASSERT_EQ(sizeof(INTERFACE_INFO), 76);
  ASSERT_GE(n, 1);
  lo = find_if(v, n, "127.0.0.1");
  ASSERT_NE_PTR(lo, NULL);
  ASSERT_EQ(lo->iiFlags & (WS_IFF_UP | WS_IFF_LOOPBACK),
            WS_IFF_UP | WS_IFF_LOOPBACK);
  ASSERT_TRUE(sin_is(&lo->iiAddress.AddressIn, "127.0.0.1"));
  ASSERT_TRUE(sin_is(&lo->iiNetmask.AddressIn, "255.0.0.0"));
  /* One entry short: WSAEFAULT with the size; nothing written. */
  memset(v, 0xAA, sizeof(*v));
  ASSERT_EQ(ws2__net_interface_list(v, (DWORD)(n - 1) * sizeof(*v) + 75, &need),
            WSAEFAULT);
  ASSERT_EQ(need, (DWORD)n * sizeof(*v));
  ASSERT_EQ(((unsigned char *)v)[0], 0xAA);
  ASSERT_EQ(ws2__net_interface_list(v, sizeof(*v) * (DWORD)n, NULL), WSAEFAULT);
  free(v);
}

TEST(broadcast_address) {
  struct WS_sockaddr_storage out;
  int len = sizeof(out);
  DWORD need = 0;
  ASSERT_EQ(ws2__net_broadcast_address(WS_AF_INET, (struct WS_sockaddr *)&out,
                                       &len, &need),
            0);
  ASSERT_EQ(len, 16);
  ASSERT_EQ(need, 16);
  ASSERT_TRUE(sin_is((struct WS_sockaddr_in *)&out, "255.255.255.255"));
  len = 15;
  ASSERT_EQ(ws2__net_broadcast_address(WS_AF_INET, (struct WS_sockaddr *)&out,
                                       &len, &need),
            WSAEFAULT);
  ASSERT_EQ(need, 16);
  len = sizeof(out);
  ASSERT_EQ(ws2__net_broadcast_address(WS_AF_INET6, (struct WS_sockaddr *)&out,
                                       &len, &need),
            WSAEINVAL);
}

/* ---- watchers -------------------------------------------------------- */

static pthread_mutex_t plock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pcond = PTHREAD_COND_INITIALIZER;

/* A watcher that counts its calls and returns `keep`. */
typedef struct probe {
  ws2__net_watch_t w;
  int keep;
  int calls;
} probe_t;

static int probe_cb(ws2__net_watch_t *w, void *ctx) {
  probe_t *p = ctx;
  int keep;
  if (w != &p->w) abort(); /* not an ASSERT: this is the listener's thread */
  pthread_mutex_lock(&plock);
  p->calls++;
  keep = p->keep;
  pthread_cond_broadcast(&pcond);
  pthread_mutex_unlock(&plock);
  return keep;
}

static void arm(probe_t *p, int kind, int af, int keep) {
  pthread_mutex_lock(&plock);
  p->keep = keep;
  pthread_mutex_unlock(&plock);
  ASSERT_EQ(ws2__net_watch(&p->w, kind, af, probe_cb, p), 0);
}

static int calls(probe_t *p) {
  int n;
  pthread_mutex_lock(&plock);
  n = p->calls;
  pthread_mutex_unlock(&plock);
  return n;
}

static void deadline(struct timespec *ts, int ms) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

/* Waits up to ms for p to have been called n times; whether it was. */
static int wait_calls(probe_t *p, int n, int ms) {
  struct timespec ts;
  int ok;
  deadline(&ts, ms);
  pthread_mutex_lock(&plock);
  while (p->calls < n)
    if (pthread_cond_timedwait(&pcond, &plock, &ts) == ETIMEDOUT) break;
  ok = p->calls >= n;
  pthread_mutex_unlock(&plock);
  return ok;
}

#define WAIT_CALLED(p, n)                                              \
  do {                                                                 \
    if (!wait_calls((p), (n), WAIT_MS))                                \
      WS2TEST_FAIL_("%s: %d calls after %d ms, want %d", #p, calls(p), \
                    WAIT_MS, (n));                                     \
  } while (0)

static int never(ws2__net_watch_t *w, void *ctx) { return 0; }

TEST(watch_arguments) {
  static ws2__net_watch_t w;
  ASSERT_EQ(ws2__net_watch(NULL, WS2__NET_ADDR, 0, never, NULL), WSAEINVAL);
  ASSERT_EQ(ws2__net_watch(&w, 0, 0, never, NULL), WSAEINVAL);
  ASSERT_EQ(ws2__net_watch(&w, 4, 0, never, NULL), WSAEINVAL);
  ASSERT_EQ(ws2__net_watch(&w, WS2__NET_ADDR, WS_AF_UNIX, never, NULL),
            WSAEINVAL);
  ASSERT_EQ(ws2__net_watch(&w, WS2__NET_ADDR, 0, NULL, NULL), WSAEINVAL);
  /* Never armed: a no-op. */
  ws2__net_unwatch(&w);
  ws2__net_unwatch(NULL);
  /* Armed (this starts the listener here), disarmed twice, re-armed. */
  ASSERT_EQ(ws2__net_watch(&w, WS2__NET_ADDR | WS2__NET_ROUTE, 0, never, NULL),
            0);
  ws2__net_unwatch(&w);
  ws2__net_unwatch(&w);
  ASSERT_EQ(ws2__net_watch(&w, WS2__NET_ROUTE, WS_AF_INET6, never, NULL), 0);
  /* Armed already. */
  ASSERT_EQ(ws2__net_watch(&w, WS2__NET_ROUTE, 0, never, NULL), WSAEINVAL);
  ws2__net_unwatch(&w);
}

/* A child made by fork inherits no armed watcher and no listener: its
 * copy of an armed watcher is disarmed, and arming starts a listener of
 * its own. */
TEST(fork_child_starts_afresh) {
  static ws2__net_watch_t w;
  pid_t pid;
  int st;
  ASSERT_EQ(ws2__net_watch(&w, WS2__NET_ROUTE, 0, never, NULL), 0);
  pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (w.node.next != NULL) _exit(2);
    ws2__net_unwatch(&w);
#ifndef __SANITIZE_THREAD__ /* TSan lets no thread start after fork */
    if (ws2__net_watch(&w, WS2__NET_ADDR, 0, never, NULL) != 0) _exit(3);
    ws2__net_unwatch(&w);
#endif
    _exit(0);
  }
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  ASSERT_TRUE(WIFEXITED(st));
  ASSERT_EQ(WEXITSTATUS(st), 0);
  ASSERT_NE_PTR(w.node.next, NULL); /* the parent's is still armed */
  ws2__net_unwatch(&w);
}

/* ---- the child: a network namespace of its own ------------------------ */

/* rtnetlink requests, answered with an acknowledgement. */
typedef struct nlreq {
  struct nlmsghdr h;
  char body[1024];
} nlreq_t;

static void nl_begin(nlreq_t *r, int type, int flags, const void *hdr,
                     size_t len) {
  memset(r, 0, sizeof(*r));
  r->h.nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
  r->h.nlmsg_type = (uint16_t)type;
  r->h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
  memcpy(NLMSG_DATA(&r->h), hdr, len);
}

static struct rtattr *nl_attr(nlreq_t *r, int type, const void *data,
                              size_t len) {
  struct rtattr *a =
      (struct rtattr *)((char *)&r->h + NLMSG_ALIGN(r->h.nlmsg_len));
  ASSERT_LE(NLMSG_ALIGN(r->h.nlmsg_len) + RTA_SPACE(len), sizeof(*r));
  a->rta_type = (unsigned short)type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  r->h.nlmsg_len = (uint32_t)(NLMSG_ALIGN(r->h.nlmsg_len) + RTA_SPACE(len));
  return a;
}

/* Sends r; the kernel's answer (0 or -errno). */
static int nl_do(nlreq_t *r) {
  static uint32_t seq;
  struct sockaddr_nl sa;
  char buf[8192];
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  int err = -EIO;
  ASSERT_GE(fd, 0);
  memset(&sa, 0, sizeof(sa));
  sa.nl_family = AF_NETLINK;
  r->h.nlmsg_seq = ++seq;
  ASSERT_EQ(
      sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)),
      (ssize_t)r->h.nlmsg_len);
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    struct nlmsghdr *h;
    size_t left;
    if (n < 0 && errno == EINTR) continue;
    ASSERT_GT(n, 0);
    left = (size_t)n;
    for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq == r->h.nlmsg_seq && h->nlmsg_type == NLMSG_ERROR) {
        err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
        close(fd);
        return err;
      }
    }
  }
}

static void link_up(int index) {
  nlreq_t r;
  struct ifinfomsg ifi;
  memset(&ifi, 0, sizeof(ifi));
  ifi.ifi_index = index;
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  nl_begin(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
  ASSERT_EQ(nl_do(&r), 0);
}

/* Adds text/plen to interface index (IPv6: without DAD). */
static void addr_add(int index, const char *text, int plen, const char *brd) {
  nlreq_t r;
  struct ifaddrmsg ifa;
  unsigned char a[16], b[4];
  int v6 = strchr(text, ':') != NULL;
  memset(&ifa, 0, sizeof(ifa));
  ifa.ifa_family = v6 ? AF_INET6 : AF_INET;
  ifa.ifa_prefixlen = (unsigned char)plen;
  ifa.ifa_index = (unsigned)index;
  ASSERT_EQ(inet_pton(ifa.ifa_family, text, a), 1);
  nl_begin(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
  nl_attr(&r, IFA_LOCAL, a, v6 ? 16 : 4);
  nl_attr(&r, IFA_ADDRESS, a, v6 ? 16 : 4);
  if (brd) {
    ASSERT_EQ(inet_pton(AF_INET, brd, b), 1);
    nl_attr(&r, IFA_BROADCAST, b, 4);
  }
  if (v6) {
    uint32_t flags = IFA_F_NODAD;
    nl_attr(&r, IFA_FLAGS, &flags, sizeof(flags));
  }
  ASSERT_EQ(nl_do(&r), 0);
}

/* Adds the route text/plen through interface index. */
static void route_add(int index, const char *text, int plen) {
  nlreq_t r;
  struct rtmsg rtm;
  unsigned char a[16];
  uint32_t oif = (uint32_t)index;
  int v6 = strchr(text, ':') != NULL;
  memset(&rtm, 0, sizeof(rtm));
  rtm.rtm_family = v6 ? AF_INET6 : AF_INET;
  rtm.rtm_dst_len = (unsigned char)plen;
  rtm.rtm_table = RT_TABLE_MAIN;
  rtm.rtm_protocol = RTPROT_STATIC;
  rtm.rtm_scope = v6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  rtm.rtm_type = RTN_UNICAST;
  ASSERT_EQ(inet_pton(rtm.rtm_family, text, a), 1);
  nl_begin(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
  nl_attr(&r, RTA_DST, a, v6 ? 16 : 4);
  nl_attr(&r, RTA_OIF, &oif, sizeof(oif));
  ASSERT_EQ(nl_do(&r), 0);
}

/* Creates a veth pair, one end named name. 0 or -errno. */
static int veth_add(const char *name) {
  nlreq_t r;
  struct ifinfomsg ifi;
  struct rtattr *info;
  memset(&ifi, 0, sizeof(ifi));
  nl_begin(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
  nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
  info = nl_attr(&r, IFLA_LINKINFO, NULL, 0);
  nl_attr(&r, IFLA_INFO_KIND, "veth", 5);
  info->rta_len = (unsigned short)((char *)&r.h + r.h.nlmsg_len - (char *)info);
  return nl_do(&r);
}

static int read_int(const char *path) {
  char buf[32];
  int fd = open(path, O_RDONLY | O_CLOEXEC), v = -1;
  ssize_t n;
  if (fd < 0) return -1;
  n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n > 0) {
    buf[n] = '\0';
    v = atoi(buf);
  }
  return v;
}

/* Polls (bounded) until the address list of af has text. */
static int wait_listed(int af, const char *text) {
  int i;
  for (i = 0; i < WAIT_MS / 10; i++) {
    DWORD size;
    SOCKET_ADDRESS_LIST *l = addr_list(af, &size);
    int found = af == WS_AF_INET ? has_v4(l, text) : has_v6(l, text);
    free(l);
    if (found) return 1;
    Sleep(10);
  }
  return 0;
}

/* A watcher whose callback blocks until released (unwatch_waits). */
static struct {
  ws2__net_watch_t w;
  int entered, release, finished;
  int unwatched, finished_at_unwatch;
} slow;

static int slow_cb(ws2__net_watch_t *w, void *ctx) {
  struct timespec ts;
  deadline(&ts, 10000);
  pthread_mutex_lock(&plock);
  slow.entered = 1;
  pthread_cond_broadcast(&pcond);
  while (!slow.release)
    if (pthread_cond_timedwait(&pcond, &plock, &ts) == ETIMEDOUT) break;
  slow.finished = 1;
  pthread_mutex_unlock(&plock);
  return 1; /* keep: only the unwatch may disarm it */
}

static void *slow_unwatcher(void *arg) {
  ws2__net_unwatch(&slow.w);
  pthread_mutex_lock(&plock);
  slow.finished_at_unwatch = slow.finished;
  slow.unwatched = 1;
  pthread_cond_broadcast(&pcond);
  pthread_mutex_unlock(&plock);
  return arg;
}

/* A watcher that disarms itself from its callback, then asks to stay. */
static probe_t selfish;
static int selfish_cb(ws2__net_watch_t *w, void *ctx) {
  ws2__net_unwatch(w);
  probe_cb(w, ctx);
  return 1;
}

TEST(netns_scenario) {
  static probe_t gone, a4, a6, r6, any, r4, sentinel, up4;
  DWORD size;
  SOCKET_ADDRESS_LIST *l;
  INTERFACE_INFO *v;
  const INTERFACE_INFO *e;
  int n, v6, veth;
  char text[64];
  pthread_t t;

  if (!getenv(CHILD_ENV))
    SKIP("the child of change_notifications; runs only there");
  if (unshare(CLONE_NEWNET) != 0) {
    fprintf(stderr, "# unshare(CLONE_NEWNET): %s\n", strerror(errno));
    SKIP("no network namespace of our own (unshare refused)");
  }

  /* A new namespace: lo, down, without addresses. */
  l = addr_list(WS_AF_INET, &size);
  ASSERT_EQ(l->iAddressCount, 0);
  ASSERT_EQ(size, 8);
  free(l);
  v = if_list(&n);
  ASSERT_EQ(n, 0);
  free(v);

  link_up(1); /* lo is always index 1 */
  v6 = read_int("/proc/sys/net/ipv6/conf/lo/disable_ipv6") == 0;
  /* ::1 is listed once the kernel has finished with it; from then on the
   * lo changes have all been reported, before any watcher exists. */
  if (v6) ASSERT_TRUE(wait_listed(WS_AF_INET6, "::1"));

  /* Exactly lo's addresses. */
  l = addr_list(WS_AF_INET, &size);
  check_list(l, size, WS_AF_INET);
  ASSERT_EQ(l->iAddressCount, 1);
  ASSERT_TRUE(has_v4(l, "127.0.0.1"));
  free(l);
  if (v6) {
    l = addr_list(WS_AF_INET6, &size);
    check_list(l, size, WS_AF_INET6);
    ASSERT_EQ(l->iAddressCount, 1);
    ASSERT_TRUE(has_v6(l, "::1"));
    free(l);
  }
  v = if_list(&n);
  ASSERT_EQ(n, 1);
  ASSERT_EQ(v[0].iiFlags, WS_IFF_UP | WS_IFF_LOOPBACK);
  ASSERT_TRUE(sin_is(&v[0].iiAddress.AddressIn, "127.0.0.1"));
  ASSERT_TRUE(sin_is(&v[0].iiNetmask.AddressIn, "255.0.0.0"));
  free(v);

  /* Routes: lo only, so anywhere else is unreachable. */
  {
    struct WS_sockaddr_in d = sin4("203.0.113.1", 0);
    ASSERT_EQ(route_to(&d, sizeof(d), text, sizeof(text)), WSAENETUNREACH);
    d = sin4("127.0.0.1", 0);
    ASSERT_EQ(route_to(&d, sizeof(d), text, sizeof(text)), 0);
    ASSERT_EQ(strcmp(text, "127.0.0.1"), 0);
  }
  if (v6) {
    struct WS_sockaddr_in6 d = sin6("2001:db8::1");
    ASSERT_EQ(route_to(&d, sizeof(d), text, sizeof(text)), WSAENETUNREACH);
  }

  /* A route. In list order: ADDR v4, ADDR v6, ROUTE v6, ROUTE any (kept
   * armed), then ROUTE v4; the callbacks of one change run in that order,
   * so when ROUTE v4 has run, the others have been looked at. `gone` is
   * disarmed before anything changes and must never run. */
  arm(&gone, WS2__NET_ADDR | WS2__NET_ROUTE, 0, 0);
  arm(&a4, WS2__NET_ADDR, WS_AF_INET, 0);
  arm(&a6, WS2__NET_ADDR, WS_AF_INET6, 0);
  arm(&r6, WS2__NET_ROUTE, WS_AF_INET6, 0);
  arm(&any, WS2__NET_ROUTE, 0, 1);
  ws2__net_unwatch(&gone.w);
  arm(&r4, WS2__NET_ROUTE, WS_AF_INET, 0);
  route_add(1, "198.51.100.0", 24);
  WAIT_CALLED(&r4, 1);
  ASSERT_EQ(calls(&any), 1);
  ASSERT_EQ(calls(&a4), 0);
  ASSERT_EQ(calls(&a6), 0);
  ASSERT_EQ(calls(&r6), 0);
  {
    /* A route through lo, whose only address (127.0.0.1) is of host
     * scope: the kernel has no source address for it. */
    struct WS_sockaddr_in d = sin4("198.51.100.9", 0);
    ASSERT_EQ(route_to(&d, sizeof(d), text, sizeof(text)), WSAENETUNREACH);
  }

  /* An address: an address change and a route change (of IPv4 only). */
  arm(&r4, WS2__NET_ROUTE, WS_AF_INET, 0);
  addr_add(1, "198.51.100.7", 32, NULL);
  WAIT_CALLED(&a4, 1);
  WAIT_CALLED(&r4, 2);
  ASSERT_EQ(calls(&a6), 0);
  ASSERT_EQ(calls(&r6), 0);
  ASSERT_GE(calls(&any), 2);
  l = addr_list(WS_AF_INET, &size);
  ASSERT_EQ(l->iAddressCount, 2);
  ASSERT_TRUE(has_v4(l, "198.51.100.7"));
  ASSERT_TRUE(has_v4(l, "127.0.0.1"));
  free(l);
  {
    /* Now the route has a source, and a local address is its own. */
    struct WS_sockaddr_in d = sin4("198.51.100.9", 0);
    ASSERT_EQ(route_to(&d, sizeof(d), text, sizeof(text)), 0);
    ASSERT_EQ(strcmp(text, "198.51.100.7"), 0);
    d = sin4("198.51.100.7", 0);
    ASSERT_EQ(route_to(&d, sizeof(d), text, sizeof(text)), 0);
    ASSERT_EQ(strcmp(text, "198.51.100.7"), 0);
  }

  if (v6) {
    /* The same for IPv6: a route (ROUTE v6 runs after ADDR v6), then an
     * address. */
    route_add(1, "2001:db8:1::", 64);
    WAIT_CALLED(&r6, 1);
    ASSERT_EQ(calls(&a6), 0);
    arm(&r6, WS2__NET_ROUTE, WS_AF_INET6, 0);
    addr_add(1, "2001:db8::7", 128, NULL);
    WAIT_CALLED(&a6, 1);
    WAIT_CALLED(&r6, 2);
    l = addr_list(WS_AF_INET6, &size);
    ASSERT_EQ(l->iAddressCount, 2);
    ASSERT_TRUE(has_v6(l, "2001:db8::7"));
    free(l);
    {
      struct WS_sockaddr_in6 d = sin6("2001:db8:1::5");
      ASSERT_EQ(route_to(&d, sizeof(d), text, sizeof(text)), 0);
      ASSERT_EQ(strcmp(text, "2001:db8::7"), 0);
    }
  }

  /* ws2__net_unwatch of a watcher whose callback is running waits for the
   * callback to return. */
  memset(&slow, 0, sizeof(slow));
  ASSERT_EQ(ws2__net_watch(&slow.w, WS2__NET_ROUTE, WS_AF_INET, slow_cb, NULL),
            0);
  route_add(1, "198.51.101.0", 24);
  pthread_mutex_lock(&plock);
  {
    struct timespec ts;
    deadline(&ts, WAIT_MS);
    while (!slow.entered)
      if (pthread_cond_timedwait(&pcond, &plock, &ts) == ETIMEDOUT) break;
    n = slow.entered;
  }
  pthread_mutex_unlock(&plock);
  ASSERT_TRUE(n);
  ASSERT_EQ(pthread_create(&t, NULL, slow_unwatcher, NULL), 0);
  Sleep(50); /* give the unwatch a chance to return early, if it would */
  pthread_mutex_lock(&plock);
  ASSERT_EQ(slow.unwatched, 0);
  slow.release = 1;
  pthread_cond_broadcast(&pcond);
  pthread_mutex_unlock(&plock);
  ASSERT_EQ(pthread_join(t, NULL), 0);
  ASSERT_EQ(slow.finished_at_unwatch, 1);

  /* A callback that unwatches its own watcher stays disarmed although it
   * returns non-zero. The sentinel, armed after it, shows the next change
   * has been dispatched. */
  ASSERT_EQ(ws2__net_watch(&selfish.w, WS2__NET_ROUTE, WS_AF_INET, selfish_cb,
                           &selfish),
            0);
  arm(&sentinel, WS2__NET_ROUTE, WS_AF_INET, 0);
  route_add(1, "198.51.102.0", 24);
  WAIT_CALLED(&sentinel, 1);
  ASSERT_EQ(calls(&selfish), 1);
  arm(&sentinel, WS2__NET_ROUTE, WS_AF_INET, 0);
  route_add(1, "198.51.103.0", 24);
  WAIT_CALLED(&sentinel, 2);
  ASSERT_EQ(calls(&selfish), 1);

  /* An interface with an address, down, then up: its address is listed
   * only once it is up, and going up is an address change. */
  veth = veth_add("ws2t0");
  if (veth != 0) {
    fprintf(stderr, "# veth: %s; interface up/down not checked\n",
            strerror(-veth));
  } else {
    int index = (int)if_nametoindex("ws2t0");
    ASSERT_GT(index, 1);
    addr_add(index, "192.0.2.77", 24, "192.0.2.255");
    l = addr_list(WS_AF_INET, &size);
    ASSERT_FALSE(has_v4(l, "192.0.2.77"));
    free(l);
    v = if_list(&n);
    e = find_if(v, n, "192.0.2.77");
    ASSERT_NE_PTR(e, NULL);
    ASSERT_EQ(e->iiFlags, WS_IFF_BROADCAST | WS_IFF_MULTICAST);
    ASSERT_TRUE(sin_is(&e->iiNetmask.AddressIn, "255.255.255.0"));
    ASSERT_TRUE(sin_is(&e->iiBroadcastAddress.AddressIn, "192.0.2.255"));
    free(v);
    arm(&up4, WS2__NET_ADDR, WS_AF_INET, 0);
    link_up(index);
    WAIT_CALLED(&up4, 1);
    /* Listed now, and before the loopback addresses. */
    l = addr_list(WS_AF_INET, &size);
    ASSERT_EQ(l->iAddressCount, 3);
    ASSERT_EQ(has_v4(l, "192.0.2.77"), 1);
    ASSERT_GT(has_v4(l, "127.0.0.1"), 1);
    free(l);
    v = if_list(&n);
    ASSERT_EQ(n, 3);
    ASSERT_TRUE(sin_is(&v[0].iiAddress.AddressIn, "192.0.2.77"));
    ASSERT_EQ(v[0].iiFlags, WS_IFF_UP | WS_IFF_BROADCAST | WS_IFF_MULTICAST);
    free(v);
  }

  ASSERT_EQ(calls(&gone), 0);
  ws2__net_unwatch(&a4.w);
  ws2__net_unwatch(&a6.w);
  ws2__net_unwatch(&r6.w);
  ws2__net_unwatch(&any.w);
  ws2__net_unwatch(&r4.w);
  ws2__net_unwatch(&sentinel.w);
  ws2__net_unwatch(&selfish.w);
  ws2__net_unwatch(&up4.w);
}

/* The exit status of the child, waited for up to ms; -1 if running. */
static int child_status(pid_t pid, DWORD ms) {
  ULONGLONG end = GetTickCount64() + ms;
  int st;
  for (;;) {
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (w < 0) return 255;
    if (GetTickCount64() >= end) return -1;
    Sleep(10);
  }
}

/* Runs one case of this program in a child (CHILD_ENV set; WS2_ENGINE
 * as given, NULL: the default), which makes a network namespace of its
 * own; fails, or skips when the child could not have one. */
static void run_child(const char *name, const char *engine) {
  char exe[4096], env[64], eng[64], **envp;
  char *argv[3];
  posix_spawn_file_actions_t fa;
  ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  size_t ne = 0, i, k = 0;
  pid_t pid;
  int r, st;

  if (len <= 0) FAIL("readlink /proc/self/exe");
  exe[len] = '\0';
  while (environ[ne]) ne++;
  envp = calloc(ne + 3, sizeof(*envp));
  ASSERT_NE_PTR(envp, NULL);
  for (i = 0; i < ne; i++)
    if (!engine || strncmp(environ[i], "WS2_ENGINE=", 11) != 0)
      envp[k++] = environ[i];
  snprintf(env, sizeof(env), "%s=1", CHILD_ENV);
  envp[k++] = env;
  if (engine) {
    snprintf(eng, sizeof(eng), "WS2_ENGINE=%s", engine);
    envp[k++] = eng;
  }
  argv[0] = exe;
  argv[1] = (char *)name;
  argv[2] = NULL;
  posix_spawn_file_actions_init(&fa);
  /* Its TAP lines would mix with ours; its diagnostics go to stderr. */
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  r = posix_spawn(&pid, exe, &fa, NULL, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  free(envp);
  if (r != 0) WS2TEST_FAIL_("posix_spawn: %d", r);
  st = child_status(pid, 45000);
  if (st < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    FAIL("the child did not finish in 45 s");
  }
  if (st == 77)
    SKIP("no network namespace of our own (see the child's reason)");
  ASSERT_EQ(st, 0);
}

TEST(change_notifications) {
  if (getenv(CHILD_ENV)) SKIP("the child runs netns_scenario only");
  run_child("netns_scenario", NULL);
}

/* ---- the change ioctls, end to end, in a namespace of their own ------- */

/*
 * SIO_ADDRESS_LIST_CHANGE and SIO_ROUTING_INTERFACE_CHANGE through
 * WSAIoctl: overlapped with an event and through a completion port, as
 * FD_ADDRESS_LIST_CHANGE / FD_ROUTING_INTERFACE_CHANGE network events
 * after WSAEWOULDBLOCK on a non-blocking socket, and blocking; each
 * completes when lo comes up (127.0.0.1 appears) or an address is added.
 */
static DWORD WINAPI blocking_change(LPVOID arg) {
  SOCKET s = (SOCKET)arg;
  DWORD ret = 0;
  return WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &ret, NULL,
                  NULL) == 0
             ? 0
             : (DWORD)WSAGetLastError();
}

TEST(ioctl_scenario) {
  WSADATA wd;
  SOCKET u, nb;
  WSAOVERLAPPED ov_addr, ov_route;
  WSAEVENT ev;
  WSANETWORKEVENTS ne;
  HANDLE port, t;
  DWORD ret, n, flags, code;
  ULONG_PTR key;
  LPOVERLAPPED got;
  struct WS_sockaddr_in any;

  if (!getenv(CHILD_ENV)) SKIP("runs in the children of ioctl_changes");
  if (unshare(CLONE_NEWNET) != 0) {
    fprintf(stderr, "# unshare(CLONE_NEWNET): %s\n", strerror(errno));
    SKIP("no network namespace of our own (unshare refused)");
  }
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wd), 0);
  u = WSASocketW(WS_AF_INET, WS_SOCK_DGRAM, WS_IPPROTO_UDP, NULL, 0,
                 WSA_FLAG_OVERLAPPED);
  ASSERT_NE(u, INVALID_SOCKET);
  memset(&any, 0, sizeof(any));
  any.sin_family = WS_AF_INET;
  /* Overlapped, with an event. */
  memset(&ov_addr, 0, sizeof(ov_addr));
  ov_addr.hEvent = WSACreateEvent();
  ASSERT_EQ(WSAIoctl(u, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &ret,
                     &ov_addr, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  /* Overlapped, through a port. */
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ASSERT_EQ_PTR(CreateIoCompletionPort((HANDLE)u, port, 5, 0), port);
  memset(&ov_route, 0, sizeof(ov_route));
  ASSERT_EQ(WSAIoctl(u, SIO_ROUTING_INTERFACE_CHANGE, &any, sizeof(any), NULL,
                     0, &ret, &ov_route, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  /* Network events on a non-blocking socket. */
  nb = WS_socket(WS_AF_INET, WS_SOCK_DGRAM, WS_IPPROTO_UDP);
  ev = WSACreateEvent();
  ASSERT_EQ(WSAEventSelect(
                nb, ev, FD_ADDRESS_LIST_CHANGE | FD_ROUTING_INTERFACE_CHANGE),
            0);
  ASSERT_EQ(
      WSAIoctl(nb, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &ret, NULL, NULL),
      SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
  ASSERT_EQ(WSAIoctl(nb, SIO_ROUTING_INTERFACE_CHANGE, &any, sizeof(any), NULL,
                     0, &ret, NULL, NULL),
            SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
  ASSERT_EQ(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);

  link_up(1); /* lo up: 127.0.0.1 appears, with its routes */

  ASSERT_EQ(WaitForSingleObject(ov_addr.hEvent, WAIT_MS), WAIT_OBJECT_0);
  ASSERT_TRUE(WSAGetOverlappedResult(u, &ov_addr, &n, FALSE, &flags));
  ASSERT_EQ(n, 0);
  /* Both requests are the port's socket's: both packets come (the one
   * with an event too, as Windows posts it). */
  {
    int seen_route = 0, seen_addr = 0, i;
    for (i = 0; i < 2; i++) {
      ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &got, WAIT_MS));
      ASSERT_EQ(key, 5);
      seen_route |= got == &ov_route;
      seen_addr |= got == &ov_addr;
    }
    ASSERT_TRUE(seen_route && seen_addr);
  }
  ASSERT_EQ(WaitForSingleObject(ev, WAIT_MS), WAIT_OBJECT_0);
  {
    ULONGLONG end = GetTickCount64() + WAIT_MS;
    LONG seen = 0;
    while (seen != (FD_ADDRESS_LIST_CHANGE | FD_ROUTING_INTERFACE_CHANGE) &&
           GetTickCount64() < end) {
      ASSERT_EQ(WSAEnumNetworkEvents(nb, ev, &ne), 0);
      seen |= ne.lNetworkEvents;
      if (seen != (FD_ADDRESS_LIST_CHANGE | FD_ROUTING_INTERFACE_CHANGE))
        WaitForSingleObject(ev, 100);
    }
    ASSERT_EQ(seen, FD_ADDRESS_LIST_CHANGE | FD_ROUTING_INTERFACE_CHANGE);
  }
  /* The query sees what changed. */
  {
    char buf[512];
    SOCKET_ADDRESS_LIST *l = (SOCKET_ADDRESS_LIST *)buf;
    ASSERT_EQ(WSAIoctl(u, SIO_ADDRESS_LIST_QUERY, NULL, 0, buf, sizeof(buf),
                       &ret, NULL, NULL),
              0);
    ASSERT_TRUE(has_v4(l, "127.0.0.1"));
  }
  /* Blocking: returns once an address is added. */
  t = CreateThread(NULL, 0, blocking_change, (LPVOID)u, 0, NULL);
  Sleep(100); /* let it start waiting (a change before is also fine) */
  addr_add(1, "10.9.9.9", 32, NULL);
  ASSERT_EQ(WaitForSingleObject(t, WAIT_MS), WAIT_OBJECT_0);
  ASSERT_TRUE(GetExitCodeThread(t, &code));
  ASSERT_EQ(code, 0);
  CloseHandle(t);
  closesocket(nb);
  closesocket(u);
  CloseHandle(port);
  WSACloseEvent(ev);
  WSACloseEvent(ov_addr.hEvent);
  ASSERT_EQ(WSACleanup(), 0);
}

TEST(ioctl_changes_epoll) {
  if (getenv(CHILD_ENV)) SKIP("the child runs ioctl_scenario only");
  run_child("ioctl_scenario", "epoll");
}

TEST(ioctl_changes_io_uring) {
  if (getenv(CHILD_ENV)) SKIP("the child runs ioctl_scenario only");
  run_child("ioctl_scenario", "io_uring");
}
