/*
 * test-monitor.c: the monitor layer (plugins/monitor) and its tool ws2mon.
 *
 * Each case makes a catalog of its own in a temporary directory, puts the
 * monitor from WS2_PLUGIN_DIR over the base entries (TCP and UDP, IPv4 and
 * IPv6) with WSCInstallProviderAndChains, points WS2_MONITOR_DIR into the
 * same directory, starts Winsock, does some I/O, and reads the counters
 * the way a user does: it runs the built ws2mon ($WS2_PLUGIN_DIR/ws2mon)
 * on its own process id and parses its --json output.
 *
 * What is checked: the counters match the bytes and operations the test
 * performed (TCP echo, UDP, overlapped requests, a completion port with
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), latency of a blocking call, the
 * limits (a pending request's bytes, WriteFile), the file appearing and
 * disappearing with Winsock, stale files removed, and ws2mon's text,
 * --all and --watch output.
 */
#include "ws2io.h"
#include "ws2plugins.h"

/* The file format (for the stale-file case). */
#include "../../plugins/monitor/ws2mon-shm.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { TCP4 = T_TCP4, UDP4 = T_UDP4, TCP6 = T_TCP6, UDP6 = T_UDP6 };

static char mon_dir[300];

/* ---- Catalog and start-up ------------------------------------------------ */

/* The monitor's chains over TCP4, UDP4, TCP6, UDP6 (in that order). */
static DWORD monitor_chains[4];

/* A fresh, empty catalog, and WS2_MONITOR_DIR beside it. */
static void fresh_catalog_and_mon_dir(void) {
  t_fresh_catalog();
  snprintf(mon_dir, sizeof(mon_dir), "%s/mon", t_catalog_dir);
  setenv("WS2_MONITOR_DIR", mon_dir, 1);
}

/* A fresh catalog with the monitor over TCP and UDP of both families,
 * and WS2_MONITOR_DIR beside it (Winsock not started yet). */
static void prepare(void) {
  static const DWORD over[] = {TCP4, UDP4, TCP6, UDP6};
  fresh_catalog_and_mon_dir();
  t_install_plugin("monitor", XP1_IFS_HANDLES, over, 4, monitor_chains);
}

/* prepare(), and Winsock started on it. */
static void start(void) {
  prepare();
  t_startup();
}

static void finish(void) {
  t_cleanup();
  t_remove_catalog();
}

/* ---- ws2mon ---------------------------------------------------------- */

/* Runs ws2mon with `args` (and --dir); its output (malloc'd), its exit
 * status in *status. */
static char *ws2mon(const char *args, int *status) {
  const char *d = getenv("WS2_PLUGIN_DIR");
  char cmd[1024];
  size_t n = 0, cap = 1 << 16;
  char *out = malloc(cap);
  FILE *p;
  int st;
  ASSERT_NE_PTR(out, NULL);
  snprintf(cmd, sizeof(cmd), "'%s/ws2mon' --dir '%s' %s", d ? d : ".", mon_dir,
           args);
  ASSERT_NE_PTR(p = popen(cmd, "r"), NULL);
  for (;;) {
    size_t got;
    if (n + 1 >= cap) {
      char *bigger = realloc(out, cap *= 2);
      ASSERT_NE_PTR(bigger, NULL);
      out = bigger;
    }
    if ((got = fread(out + n, 1, cap - n - 1, p)) == 0) break;
    n += got;
  }
  out[n] = '\0';
  st = pclose(p);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

/* ws2mon --json on this process (which must be listed). */
static char *my_json(const char *extra) {
  char args[128];
  int status = -1;
  char *out;
  snprintf(args, sizeof(args), "--json --pid %ld %s", (long)getpid(),
           extra ? extra : "");
  out = ws2mon(args, &status);
  if (status != 0) fprintf(stderr, "# ws2mon: %s\n", out);
  ASSERT_EQ(status, 0);
  return out;
}

/* ---- A small JSON reader: enough for ws2mon's output -------------------- */

/* The end of the object or array that starts at p ('{' or '['). */
static const char *json_end(const char *p) {
  int depth = 0, in_string = 0;
  for (; *p; p++) {
    if (in_string) {
      if (*p == '\\' && p[1])
        p++;
      else if (*p == '"')
        in_string = 0;
    } else if (*p == '"') {
      in_string = 1;
    } else if (*p == '{' || *p == '[') {
      depth++;
    } else if (*p == '}' || *p == ']') {
      if (--depth == 0) return p + 1;
    }
  }
  return p;
}

/* A copy of the object that begins with `prefix` in doc (NULL if none). */
static char *json_object(const char *doc, const char *prefix) {
  const char *b = strstr(doc, prefix), *e;
  char *copy;
  if (!b) return NULL;
  e = json_end(b);
  copy = malloc((size_t)(e - b) + 1);
  ASSERT_NE_PTR(copy, NULL);
  memcpy(copy, b, (size_t)(e - b));
  copy[e - b] = '\0';
  return copy;
}

/* The socket object of s in doc, or NULL. */
static char *json_socket(const char *doc, SOCKET s) {
  char prefix[64];
  snprintf(prefix, sizeof(prefix), "{\"socket\":%llu,", (unsigned long long)s);
  return json_object(doc, prefix);
}

/* A number: obj's field `field` inside its member `kind` ("send",
 * "recv", ...; NULL: obj's own field). Fails when it is missing. */
static unsigned long long json_num(const char *obj, const char *kind,
                                   const char *field) {
  char key[64];
  const char *p = obj, *end = obj + strlen(obj);
  if (kind) {
    snprintf(key, sizeof(key), "\"%s\":{", kind);
    ASSERT_NE_PTR(p = strstr(obj, key), NULL);
    p += strlen(key) - 1;
    end = json_end(p);
  }
  snprintf(key, sizeof(key), "\"%s\":", field);
  p = strstr(p, key);
  if (!p || p >= end) FAIL(key);
  return strtoull(p + strlen(key), NULL, 10);
}

/* A string field of obj (its contents, into out). */
static void json_str(const char *obj, const char *field, char *out,
                     size_t size) {
  char key[64];
  const char *p, *q;
  snprintf(key, sizeof(key), "\"%s\":\"", field);
  ASSERT_NE_PTR(p = strstr(obj, key), NULL);
  p += strlen(key);
  ASSERT_NE_PTR(q = strchr(p, '"'), NULL);
  snprintf(out, size, "%.*s", (int)(q - p), p);
}

/* This process's object in ws2mon's output. */
static char *my_process(const char *doc) {
  char prefix[64];
  char *p;
  snprintf(prefix, sizeof(prefix), "{\"pid\":%ld,", (long)getpid());
  ASSERT_NE_PTR(p = json_object(doc, prefix), NULL);
  return p;
}

/* ---- Sockets ---------------------------------------------------------- */

static int loopback(int af, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof(*ss));
  if (af == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*a);
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr.s6_addr[15] = 1;
    return sizeof(*a);
  }
}

static SOCKET bound(int af, int type, struct sockaddr_storage *ss, int *len) {
  SOCKET s = WSASocketW(af, type, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(s, INVALID_SOCKET);
  *len = loopback(af, ss);
  ASSERT_EQ(bind(s, (struct sockaddr *)ss, *len), 0);
  ASSERT_EQ(getsockname(s, (struct sockaddr *)ss, len), 0);
  return s;
}

/* A connected TCP pair of family af through the monitor; the listener
 * stays open (in *l) for its accept counter. */
static void tcp_pair(int af, SOCKET *l, SOCKET *c, SOCKET *a) {
  struct sockaddr_storage la;
  int llen;
  *l = bound(af, SOCK_STREAM, &la, &llen);
  ASSERT_EQ(listen(*l, 8), 0);
  *c = WSASocketW(af, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED);
  ASSERT_NE(*c, INVALID_SOCKET);
  ASSERT_EQ(connect(*c, (struct sockaddr *)&la, llen), 0);
  *a = accept(*l, NULL, NULL);
  ASSERT_NE(*a, INVALID_SOCKET);
}

/* ---- Cases ------------------------------------------------------------ */

/*
 * A TCP echo of ten messages of 100 to 1000 bytes: both sockets count
 * ten sends and ten receives of 5500 bytes, each timed; the client one
 * connect, the listener one accept; the addresses are the pair's.
 */
static void tcp_echo(int af) {
  SOCKET l, c, a;
  char buf[1000], *doc, *cs, *as, *ls, *proc, text[64], want[64];
  struct sockaddr_storage ss;
  int i, len = sizeof(ss);
  memset(buf, 'x', sizeof(buf));
  tcp_pair(af, &l, &c, &a);
  ASSERT_NE(t_entry_of(c), af == AF_INET ? TCP4 : TCP6);
  for (i = 1; i <= 10; i++) {
    ASSERT_EQ(send(c, buf, i * 100, 0), i * 100);
    ASSERT_EQ(recv(a, buf, i * 100, MSG_WAITALL), i * 100);
    ASSERT_EQ(send(a, buf, i * 100, 0), i * 100);
    ASSERT_EQ(recv(c, buf, i * 100, MSG_WAITALL), i * 100);
  }
  doc = my_json(NULL);
  ASSERT_NE_PTR(cs = json_socket(doc, c), NULL);
  ASSERT_NE_PTR(as = json_socket(doc, a), NULL);
  ASSERT_NE_PTR(ls = json_socket(doc, l), NULL);
  ASSERT_EQ(json_num(cs, "send", "calls"), 10);
  ASSERT_EQ(json_num(cs, "send", "bytes"), 5500);
  ASSERT_EQ(json_num(cs, "send", "timed"), 10);
  ASSERT_EQ(json_num(cs, "recv", "calls"), 10);
  ASSERT_EQ(json_num(cs, "recv", "bytes"), 5500);
  ASSERT_EQ(json_num(cs, "recv", "pending"), 0);
  ASSERT_EQ(json_num(cs, "connect", "calls"), 1);
  ASSERT_EQ(json_num(cs, "connect", "errors"), 0);
  ASSERT_EQ(json_num(as, "send", "bytes"), 5500);
  ASSERT_EQ(json_num(as, "recv", "bytes"), 5500);
  ASSERT_EQ(json_num(as, "recv", "calls"), 10);
  ASSERT_EQ(json_num(ls, "accept", "calls"), 1);
  ASSERT_TRUE(json_num(cs, "recv", "latency_ns_max") > 0);
  ASSERT_TRUE(json_num(cs, "recv", "latency_ns_max") >=
              json_num(cs, "recv", "latency_ns_avg"));
  /* The addresses: the client's peer is the listener's address, and the
   * accepted socket's peer is the client's. */
  json_str(cs, "proto", text, sizeof(text));
  ASSERT_EQ(strcmp(text, af == AF_INET ? "tcp" : "tcp6"), 0);
  ASSERT_EQ(getsockname(l, (struct sockaddr *)&ss, &len), 0);
  if (af == AF_INET)
    snprintf(want, sizeof(want), "127.0.0.1:%u",
             ntohs(((struct sockaddr_in *)&ss)->sin_port));
  else
    snprintf(want, sizeof(want), "[::1]:%u",
             ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
  json_str(cs, "peer", text, sizeof(text));
  ASSERT_EQ(strcmp(text, want), 0);
  json_str(ls, "local", text, sizeof(text));
  ASSERT_EQ(strcmp(text, want), 0);
  json_str(cs, "local", want, sizeof(want));
  json_str(as, "peer", text, sizeof(text));
  ASSERT_EQ(strcmp(text, want), 0);
  /* The process's totals hold them all. */
  proc = my_process(doc);
  ASSERT_TRUE(json_num(proc, "send", "bytes") >= 11000);
  ASSERT_TRUE(json_num(proc, NULL, "sockets_open") >= 3);
  free(proc);
  free(cs);
  free(as);
  free(ls);
  free(doc);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
}

TEST(tcp_echo_counted_ipv4) {
  start();
  tcp_echo(AF_INET);
  finish();
}

TEST(tcp_echo_counted_ipv6) {
  start();
  tcp_echo(AF_INET6);
  finish();
}

/* Five datagrams each way: sendto and recvfrom counted, the peer is the
 * other socket. */
TEST(udp_counted) {
  struct sockaddr_storage ua, va;
  int ulen, vlen, i;
  SOCKET u, v;
  char buf[64], *doc, *us, *vs, text[64], want[64];
  start();
  u = bound(AF_INET, SOCK_DGRAM, &ua, &ulen);
  v = bound(AF_INET, SOCK_DGRAM, &va, &vlen);
  ASSERT_NE(t_entry_of(u), UDP4);
  memset(buf, 'u', sizeof(buf));
  for (i = 0; i < 5; i++) {
    ASSERT_EQ(sendto(u, buf, 50, 0, (struct sockaddr *)&va, vlen), 50);
    ASSERT_EQ(recvfrom(v, buf, sizeof(buf), 0, NULL, NULL), 50);
    ASSERT_EQ(sendto(v, buf, 20, 0, (struct sockaddr *)&ua, ulen), 20);
    ASSERT_EQ(recv(u, buf, sizeof(buf), 0), 20);
  }
  doc = my_json(NULL);
  ASSERT_NE_PTR(us = json_socket(doc, u), NULL);
  ASSERT_NE_PTR(vs = json_socket(doc, v), NULL);
  ASSERT_EQ(json_num(us, "send", "calls"), 5);
  ASSERT_EQ(json_num(us, "send", "bytes"), 250);
  ASSERT_EQ(json_num(us, "recv", "calls"), 5);
  ASSERT_EQ(json_num(us, "recv", "bytes"), 100);
  ASSERT_EQ(json_num(vs, "recv", "bytes"), 250);
  ASSERT_EQ(json_num(vs, "send", "bytes"), 100);
  json_str(us, "proto", text, sizeof(text));
  ASSERT_EQ(strcmp(text, "udp"), 0);
  snprintf(want, sizeof(want), "127.0.0.1:%u",
           ntohs(((struct sockaddr_in *)&va)->sin_port));
  json_str(us, "peer", text, sizeof(text));
  ASSERT_EQ(strcmp(text, want), 0);
  json_str(vs, "local", text, sizeof(text));
  ASSERT_EQ(strcmp(text, want), 0);
  free(us);
  free(vs);
  free(doc);
  ASSERT_EQ(closesocket(u), 0);
  ASSERT_EQ(closesocket(v), 0);
  finish();
}

/*
 * Overlapped requests: one that completes at once is counted with its
 * bytes, even without a byte count pointer; one that pends is counted as
 * pending, and its bytes never (they come through the event, past the
 * layer: the README's limit); a non-blocking receive with nothing to read
 * is a "would block".
 */
TEST(overlapped_and_nonblocking) {
  SOCKET l, c, a;
  WSAOVERLAPPED ov;
  WSABUF b;
  DWORD got = 0, flags = 0;
  u_long on = 1;
  char buf[64], *doc, *cs, *as;
  start();
  tcp_pair(AF_INET, &l, &c, &a);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = WSACreateEvent();
  /* At once, no byte count pointer. */
  b.buf = "overlapped";
  b.len = 10;
  ASSERT_EQ(WSASend(c, &b, 1, NULL, 0, &ov, NULL), 0);
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
  ASSERT_EQ(got, 10);
  ASSERT_EQ(recv(a, buf, 10, MSG_WAITALL), 10);
  /* Pending, completed through the event. */
  ASSERT_TRUE(WSAResetEvent(ov.hEvent));
  b.buf = buf;
  b.len = sizeof(buf);
  flags = 0;
  ASSERT_EQ(WSARecv(c, &b, 1, NULL, &flags, &ov, NULL), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
  ASSERT_EQ(send(a, "seven..", 7, 0), 7);
  ASSERT_TRUE(WSAGetOverlappedResult(c, &ov, &got, TRUE, &flags));
  ASSERT_EQ(got, 7);
  /* Non-blocking, nothing there. */
  ASSERT_EQ(ioctlsocket(a, FIONBIO, &on), 0);
  ASSERT_EQ(recv(a, buf, sizeof(buf), 0), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEWOULDBLOCK);
  doc = my_json(NULL);
  ASSERT_NE_PTR(cs = json_socket(doc, c), NULL);
  ASSERT_NE_PTR(as = json_socket(doc, a), NULL);
  ASSERT_EQ(json_num(cs, "send", "calls"), 1);
  ASSERT_EQ(json_num(cs, "send", "bytes"), 10);
  ASSERT_EQ(json_num(cs, "recv", "calls"), 1);
  ASSERT_EQ(json_num(cs, "recv", "pending"), 1);
  ASSERT_EQ(json_num(cs, "recv", "bytes"), 0);
  ASSERT_EQ(json_num(cs, "recv", "timed"), 0);
  ASSERT_EQ(json_num(as, "recv", "calls"), 2);
  ASSERT_EQ(json_num(as, "recv", "bytes"), 10);
  ASSERT_EQ(json_num(as, "recv", "wouldblock"), 1);
  ASSERT_EQ(json_num(as, "recv", "timed"), 1);
  free(cs);
  free(as);
  free(doc);
  ASSERT_TRUE(WSACloseEvent(ov.hEvent));
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

/* A blocking receive's latency is the time it waited for the data. */
static SOCKET late_sender;
static DWORD WINAPI send_late(LPVOID arg) {
  (void)arg;
  Sleep(100);
  return send(late_sender, "late", 4, 0) == 4 ? 0 : 1;
}

TEST(blocking_call_latency) {
  SOCKET l, c, a;
  HANDLE t;
  char buf[8], *doc, *cs;
  unsigned long long max;
  start();
  tcp_pair(AF_INET, &l, &c, &a);
  late_sender = a;
  ASSERT_NE_PTR(t = CreateThread(NULL, 0, send_late, NULL, 0, NULL), NULL);
  ASSERT_EQ(recv(c, buf, 4, MSG_WAITALL), 4);
  ASSERT_JOINED(t, 5000);
  doc = my_json(NULL);
  ASSERT_NE_PTR(cs = json_socket(doc, c), NULL);
  max = json_num(cs, "recv", "latency_ns_max");
  ASSERT_TRUE(max >= 80000000ull);  /* waited about 100 ms */
  ASSERT_TRUE(max < 5000000000ull); /* and not more than the join */
  ASSERT_EQ(json_num(cs, "recv", "latency_ns_total"), max);
  free(cs);
  free(doc);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

/* WriteFile and ReadFile on a monitored socket move the data without the
 * layer (an IFS layer's limit): the counters do not change. */
TEST(readfile_writefile_not_counted) {
  SOCKET l, c, a;
  DWORD n = 0;
  char buf[16], *doc, *cs, *as;
  start();
  tcp_pair(AF_INET, &l, &c, &a);
  ASSERT_TRUE(WriteFile((HANDLE)c, "unseen", 6, &n, NULL));
  ASSERT_EQ(n, 6);
  ASSERT_TRUE(ReadFile((HANDLE)a, buf, 6, &n, NULL));
  ASSERT_EQ(n, 6);
  ASSERT_MEM_EQ(buf, "unseen", 6);
  doc = my_json(NULL);
  ASSERT_NE_PTR(cs = json_socket(doc, c), NULL);
  ASSERT_NE_PTR(as = json_socket(doc, a), NULL);
  ASSERT_EQ(json_num(cs, "send", "calls"), 0);
  ASSERT_EQ(json_num(as, "recv", "calls"), 0);
  free(cs);
  free(as);
  free(doc);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

/*
 * A completion port with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on the
 * monitor's sockets works as without it (the handles are the base
 * provider's): a pending request gives one packet with the application's
 * key and OVERLAPPED, one done at once none. Every request is counted:
 * the ones done at once with their bytes, the pending ones as pending.
 */
TEST(iocp_skip_on_success) {
  SOCKET l, c, a;
  HANDLE port;
  WSAOVERLAPPED ov[8];
  WSABUF b;
  DWORD got = 0, flags = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  char buf[64], *doc, *cs;
  unsigned long long pending = 0, at_once = 0, bytes_at_once = 0;
  int i;
  start();
  tcp_pair(AF_INET, &l, &c, &a);
  ASSERT_NE_PTR(port = CreateIoCompletionPort((HANDLE)c, NULL, 9, 0), NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  b.buf = buf;
  b.len = sizeof(buf);
  for (i = 0; i < 8; i++) {
    memset(&ov[i], 0, sizeof(ov[i]));
    flags = 0;
    /* Odd rounds: the data is sent first (usually done at once). */
    if (i % 2) ASSERT_EQ(send(a, "abcd", 4, 0), 4);
    if (WSARecv(c, &b, 1, &got, &flags, &ov[i], NULL) == 0) {
      ASSERT_EQ(got, 4);
      at_once++;
      bytes_at_once += got;
    } else {
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
      pending++;
      if (i % 2 == 0) ASSERT_EQ(send(a, "abcd", 4, 0), 4);
      ASSERT_TRUE(GetQueuedCompletionStatus(port, &got, &key, &done, 5000));
      ASSERT_EQ(key, 9);
      ASSERT_EQ_PTR(done, &ov[i]);
      ASSERT_EQ(got, 4);
    }
    ASSERT_FALSE(GetQueuedCompletionStatus(port, &got, &key, &done, 0));
  }
  ASSERT_TRUE(pending >= 4); /* the even rounds at least */
  doc = my_json(NULL);
  ASSERT_NE_PTR(cs = json_socket(doc, c), NULL);
  ASSERT_EQ(json_num(cs, "recv", "calls"), 8);
  ASSERT_EQ(json_num(cs, "recv", "pending"), pending);
  ASSERT_EQ(json_num(cs, "recv", "timed"), at_once);
  ASSERT_EQ(json_num(cs, "recv", "bytes"), bytes_at_once);
  free(cs);
  free(doc);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_TRUE(CloseHandle(port));
  finish();
}

/* The file <WS2_MONITOR_DIR>/<pid> exists while Winsock is started (the
 * layer is loaded), is a valid one, and goes at the last WSACleanup;
 * ws2mon then no longer finds the process (exit status 2). */
TEST(file_appears_and_disappears) {
  char path[400], args[64], *out;
  struct stat st;
  int status = -1;
  start();
  snprintf(path, sizeof(path), "%s/%ld", mon_dir, (long)getpid());
  ASSERT_EQ(stat(path, &st), 0);
  ASSERT_TRUE(S_ISREG(st.st_mode));
  ASSERT_EQ((long long)st.st_size, (long long)sizeof(ws2mon_file_t));
  ASSERT_EQ(st.st_mode & 0777, 0600);
  free(my_json(NULL));
  t_cleanup();
  ASSERT_NE(stat(path, &st), 0);
  snprintf(args, sizeof(args), "--json --pid %ld", (long)getpid());
  out = ws2mon(args, &status);
  ASSERT_EQ(status, 2);
  ASSERT_TRUE(strstr(out, "\"processes\":[]") != NULL);
  free(out);
  /* finish() without its WSACleanup: start again to balance it. */
  t_startup();
  ASSERT_EQ(stat(path, &st), 0);
  finish();
  ASSERT_NE(stat(path, &st), 0);
}

/* A process id that is no process's any more. */
static pid_t dead_pid(void) {
  char *argv[] = {"true", NULL};
  pid_t pid;
  int st;
  ASSERT_EQ(posix_spawnp(&pid, "true", NULL, NULL, argv, environ), 0);
  ASSERT_EQ(waitpid(pid, &st, 0), pid);
  return pid;
}

/* A copy of this process's file under another name, with pid and start
 * time changed. */
static void fake_file(const char *name, long pid, uint64_t ticks) {
  char from[400], to[400];
  ws2mon_file_t *f;
  FILE *in, *out;
  snprintf(from, sizeof(from), "%s/%ld", mon_dir, (long)getpid());
  snprintf(to, sizeof(to), "%s/%s", mon_dir, name);
  ASSERT_NE_PTR(f = malloc(sizeof(*f)), NULL);
  ASSERT_NE_PTR(in = fopen(from, "rb"), NULL);
  ASSERT_EQ(fread(f, sizeof(*f), 1, in), 1);
  fclose(in);
  f->pid = pid;
  if (ticks) f->start_ticks = ticks;
  ASSERT_NE_PTR(out = fopen(to, "wb"), NULL);
  ASSERT_EQ(fwrite(f, sizeof(*f), 1, out), 1);
  fclose(out);
  free(f);
}

/*
 * Files of processes that are gone (a crash leaves one) are stale: so is
 * one whose process id now belongs to another process (its start time
 * differs). ws2mon lists neither and removes both; a live process's file
 * and files that are not process files stay.
 */
TEST(stale_files_removed) {
  char name[32], path[400], *out;
  struct stat st;
  int status = -1;
  pid_t dead;
  long other = (long)getppid();
  start();
  dead = dead_pid();
  snprintf(name, sizeof(name), "%ld", (long)dead);
  fake_file(name, (long)dead, 0);
  snprintf(name, sizeof(name), "%ld", other);
  fake_file(name, other, 1); /* started at tick 1: not that process */
  fake_file("notes.txt", 1, 0);
  out = ws2mon("--json", &status);
  ASSERT_EQ(status, 0);
  snprintf(name, sizeof(name), "{\"pid\":%ld,", (long)getpid());
  ASSERT_TRUE(strstr(out, name) != NULL);
  snprintf(name, sizeof(name), "{\"pid\":%ld,", (long)dead);
  ASSERT_TRUE(strstr(out, name) == NULL);
  snprintf(name, sizeof(name), "{\"pid\":%ld,", other);
  ASSERT_TRUE(strstr(out, name) == NULL);
  free(out);
  snprintf(path, sizeof(path), "%s/%ld", mon_dir, (long)dead);
  ASSERT_NE(stat(path, &st), 0);
  snprintf(path, sizeof(path), "%s/%ld", mon_dir, other);
  ASSERT_NE(stat(path, &st), 0);
  snprintf(path, sizeof(path), "%s/notes.txt", mon_dir);
  ASSERT_EQ(stat(path, &st), 0);
  snprintf(path, sizeof(path), "%s/%ld", mon_dir, (long)getpid());
  ASSERT_EQ(stat(path, &st), 0);
  finish();
}

/* The text output names the process and lists its socket with its
 * addresses; a closed socket shows with --all only. */
TEST(ws2mon_text_totals_and_all) {
  SOCKET l, c, a;
  char args[64], want[64], *out, *doc, *cs, local[64];
  int status = -1;
  start();
  tcp_pair(AF_INET, &l, &c, &a);
  ASSERT_EQ(send(c, "hello", 5, 0), 5);
  snprintf(args, sizeof(args), "--pid %ld", (long)getpid());
  out = ws2mon(args, &status);
  ASSERT_EQ(status, 0);
  snprintf(want, sizeof(want), "PID %ld  test-monitor", (long)getpid());
  if (!strstr(out, want)) FAIL(out);
  doc = my_json(NULL);
  ASSERT_NE_PTR(cs = json_socket(doc, c), NULL);
  json_str(cs, "local", local, sizeof(local));
  if (!strstr(out, local)) FAIL(out);
  free(cs);
  free(doc);
  free(out);
  /* --totals: the process's lines, no socket table (the socket's local
   * address no longer appears); in JSON, no socket. */
  snprintf(args, sizeof(args), "--totals --pid %ld", (long)getpid());
  out = ws2mon(args, &status);
  ASSERT_EQ(status, 0);
  snprintf(want, sizeof(want), "PID %ld  test-monitor", (long)getpid());
  if (!strstr(out, want) || !strstr(out, "sent 5B in 1 sends") ||
      strstr(out, local) || strstr(out, "SOCKET"))
    FAIL(out);
  free(out);
  doc = my_json("--totals");
  ASSERT_TRUE(json_socket(doc, c) == NULL);
  free(doc);
  /* Closed: gone from the default listing, there with --all. */
  ASSERT_EQ(closesocket(c), 0);
  doc = my_json(NULL);
  ASSERT_TRUE(json_socket(doc, c) == NULL);
  free(doc);
  doc = my_json("--all");
  ASSERT_NE_PTR(cs = json_socket(doc, c), NULL);
  json_str(cs, "state", want, sizeof(want));
  ASSERT_EQ(strcmp(want, "closed"), 0);
  ASSERT_EQ(json_num(cs, "send", "bytes"), 5);
  ASSERT_TRUE(json_num(cs, NULL, "closed_ns") >=
              json_num(cs, NULL, "opened_ns"));
  free(cs);
  free(doc);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

/* --watch refreshes every second: --count 2 gives two documents. */
TEST(ws2mon_watch) {
  char args[64], *out, *p;
  int status = -1, docs = 0;
  start();
  snprintf(args, sizeof(args), "--json --watch --count 2 --pid %ld",
           (long)getpid());
  out = ws2mon(args, &status);
  ASSERT_EQ(status, 0);
  for (p = out; (p = strstr(p, "{\"directory\":")) != NULL; p++) docs++;
  ASSERT_EQ(docs, 2);
  free(out);
  finish();
}

/*
 * Stacking: ifs-passthrough over the monitor over the base provider (all
 * IFS). The socket is of the top chain; the handle is the base
 * provider's, passed up by each layer in turn; both layers see the calls
 * they replace: the monitor counts the data, ifs-passthrough the
 * connection (its counters through its getsockopt option).
 */
TEST(stacks_under_ifs_passthrough) {
  ifspt_stats_t ifspt;
  DWORD top[1];
  SOCKET l, c, a, u;
  WSAPROTOCOL_INFOW w;
  int len = sizeof(w);
  char buf[100], *doc, *cs;
  prepare();
  t_install_plugin("ifs-passthrough", XP1_IFS_HANDLES, monitor_chains, 1, top);
  t_startup();
  tcp_pair(AF_INET, &l, &c, &a);
  ASSERT_EQ(getsockopt(c, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len), 0);
  ASSERT_EQ(w.dwCatalogEntryId, top[0]);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 3);
  ASSERT_EQ(w.ProtocolChain.ChainEntries[2], TCP4);
  ASSERT_EQ(t_entry_of(a), top[0]);
  memset(buf, 's', sizeof(buf));
  ASSERT_EQ(send(c, buf, 100, 0), 100);
  ASSERT_EQ(recv(a, buf, 100, MSG_WAITALL), 100);
  /* A UDP socket: the monitor's own chain (ws2 loads the monitor for
   * it, the same module ifs-passthrough loaded below itself). */
  u = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_NE(u, INVALID_SOCKET);
  ASSERT_EQ(t_entry_of(u), monitor_chains[1]);
  doc = my_json(NULL);
  ASSERT_NE_PTR(cs = json_socket(doc, c), NULL);
  ASSERT_EQ(json_num(cs, "send", "bytes"), 100);
  ASSERT_EQ(json_num(cs, "connect", "calls"), 1);
  free(cs);
  ASSERT_NE_PTR(cs = json_socket(doc, u), NULL);
  free(cs);
  free(doc);
  len = sizeof(ifspt);
  ASSERT_EQ(getsockopt(c, IFSPT_SOL, IFSPT_SO_STATS, (char *)&ifspt, &len), 0);
  ASSERT_EQ(ifspt.connects, 1);
  ASSERT_EQ(ifspt.accepts, 1);
  ASSERT_EQ(closesocket(u), 0);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  finish();
}

/*
 * plugins/nonifs-reference over the monitor over the base provider: the
 * order that works (an IFS layer below the non-IFS one, as Windows'
 * installer puts it). The application's handle is the non-IFS layer's;
 * the monitor counts what that layer asks of it, on the socket below:
 * here an echo through a completion port with skip-on-success, where
 * every byte is accounted for by the monitor (at once) or pending.
 */
TEST(nonifs_reference_over_monitor) {
  DWORD top[1], got = 0;
  SOCKET l, c, a;
  HANDLE port;
  WSAOVERLAPPED ov;
  WSABUF b;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  WSAPROTOCOL_INFOW w;
  int len = sizeof(w), i;
  char buf[64], *doc, *proc;
  unsigned long long sent, pending;
  prepare();
  t_install_plugin("nonifs-reference", 0, monitor_chains, 1, top);
  t_startup();
  tcp_pair(AF_INET, &l, &c, &a);
  ASSERT_EQ(getsockopt(c, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&w, &len), 0);
  ASSERT_EQ(w.dwCatalogEntryId, top[0]);
  ASSERT_EQ(w.ProtocolChain.ChainLen, 3);
  ASSERT_FALSE(w.dwServiceFlags1 & XP1_IFS_HANDLES);
  ASSERT_NE_PTR(port = CreateIoCompletionPort((HANDLE)c, NULL, 5, 0), NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  memset(buf, 'n', sizeof(buf));
  for (i = 0; i < 10; i++) {
    memset(&ov, 0, sizeof(ov));
    b.buf = buf;
    b.len = 64;
    if (WSASend(c, &b, 1, &got, 0, &ov, NULL) != 0) {
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
      ASSERT_TRUE(GetQueuedCompletionStatus(port, &got, &key, &done, 5000));
      ASSERT_EQ_PTR(done, &ov);
    }
    ASSERT_EQ(got, 64);
    ASSERT_EQ(recv(a, buf, 64, MSG_WAITALL), 64);
  }
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &got, &key, &done, 0));
  doc = my_json(NULL);
  proc = my_process(doc);
  /* The monitor saw the layer's sends (at once, or pending) and the
   * accepted socket's receives, all on the sockets below. */
  sent = json_num(proc, "send", "bytes");
  pending = json_num(proc, "send", "pending");
  ASSERT_EQ(json_num(proc, "send", "calls"), 10);
  ASSERT_EQ(sent + 64 * pending, 640);
  ASSERT_EQ(json_num(proc, "recv", "bytes"), 640);
  ASSERT_EQ(json_num(proc, "connect", "calls"), 1);
  free(proc);
  free(doc);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_TRUE(CloseHandle(port));
  finish();
}

/*
 * The other order, the monitor over a non-IFS layer. On Windows an IFS
 * layer cannot stand there: passing the non-IFS layer's handle up with
 * WPUModifyIFSHandle takes it away from that layer, whose completions
 * then reach nobody. ws2 keeps the handle non-IFS under the IFS layer
 * (docs/LAYERS.md): the monitor sees the calls (it is the top of the
 * chain), and what the non-IFS layer completes arrives, each request
 * exactly once, here through a completion port with skip-on-success.
 */
TEST(over_a_non_ifs_layer) {
  static const DWORD tcp4[] = {TCP4};
  DWORD nonifs[1], mon[1], got = 0, flags = 0;
  SOCKET l, c, a;
  HANDLE port;
  WSAOVERLAPPED ov;
  WSABUF b;
  ULONG_PTR key = 0;
  LPOVERLAPPED done = NULL;
  char buf[64], *doc, *cs;
  int i, pended = 0;
  fresh_catalog_and_mon_dir();
  t_install_plugin("nonifs-reference", 0, tcp4, 1, nonifs);
  t_install_plugin("monitor", XP1_IFS_HANDLES, nonifs, 1, mon);
  t_startup();
  tcp_pair(AF_INET, &l, &c, &a);
  ASSERT_EQ(t_entry_of(c), mon[0]);
  ASSERT_EQ(t_entry_of(a), mon[0]);
  ASSERT_NE_PTR(port = CreateIoCompletionPort((HANDLE)c, NULL, 5, 0), NULL);
  ASSERT_TRUE(SetFileCompletionNotificationModes(
      (HANDLE)c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS));
  for (i = 0; i < 10; i++) {
    /* A receive, pending until the peer sends (the non-IFS layer
     * completes it later, from its own thread), or done at once. */
    memset(&ov, 0, sizeof(ov));
    b.buf = buf;
    b.len = 16;
    flags = 0;
    if (WSARecv(c, &b, 1, &got, &flags, &ov, NULL) != 0) {
      ASSERT_EQ(WSAGetLastError(), WSA_IO_PENDING);
      ASSERT_EQ(send(a, "0123456789abcdef", 16, 0), 16);
      ASSERT_TRUE(GetQueuedCompletionStatus(port, &got, &key, &done, 5000));
      ASSERT_EQ_PTR(done, &ov);
      pended++;
    } else {
      ASSERT_EQ(send(a, "0123456789abcdef", 16, 0), 16);
      ASSERT_EQ(recv(c, buf, 16, MSG_WAITALL), 16);
    }
    ASSERT_EQ(got, 16);
    ASSERT_EQ(memcmp(buf, "0123456789abcdef", 16), 0);
  }
  ASSERT_TRUE(pended > 0);
  /* Nothing twice. */
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &got, &key, &done, 50));
  ASSERT_EQ_PTR(done, NULL);
  /* The monitor, on top, saw the client's calls. */
  doc = my_json(NULL);
  ASSERT_NE_PTR(cs = json_socket(doc, c), NULL);
  ASSERT_EQ(json_num(cs, "recv", "calls"), 10);
  ASSERT_EQ(json_num(cs, "connect", "calls"), 1);
  free(cs);
  free(doc);
  ASSERT_EQ(closesocket(a), 0);
  ASSERT_EQ(closesocket(c), 0);
  ASSERT_EQ(closesocket(l), 0);
  ASSERT_TRUE(CloseHandle(port));
  finish();
}
