/*
 * filter.c: ws2-filter, a layered service provider that allows or denies
 * connect, bind, sendto and accept by rules read from a file (README.md
 * has the format; rules.c reads and matches it).
 *
 * Why IFS. The filter decides on calls that set up traffic, and never
 * touches data. An IFS layer (one that passes the lower provider's own
 * socket handles up with WPUModifyIFSHandle) can hand ws2 the lower
 * provider's entry points for everything it does not look at, so sends,
 * receives, overlapped requests, completion ports, ReadFile and WriteFile
 * cost nothing extra and behave exactly as the base provider makes them
 * behave. The price, written in the README: whatever does not go through
 * this layer's table cannot be filtered (data calls, AcceptEx's completion).
 *
 * What it replaces in the lower provider's table, and why:
 *   WSPSocket, WSPAccept   to pass each new socket up (WPUModifyIFSHandle
 *                          under the chain's catalog id, so that ws2
 *                          dispatches its calls here) and remember which
 *                          chain it is of; WSPAccept also filters the peer.
 *   WSPConnect, WSPBind    filtered before the lower provider sees them.
 *   WSPSendTo              filtered when the socket is UDP and the call
 *                          names a destination.
 *   WSPIoctl               to hand out the layer's own ConnectEx and
 *                          WSASendMsg (SIO_GET_EXTENSION_FUNCTION_POINTER):
 *                          they filter, then call the lower provider's.
 *   WSPCloseSocket         to forget the socket.
 *   WSPCleanup             to balance WSPStartup (and unload what is below).
 * Everything else is the lower provider's entry, unchanged.
 */
#include <winsock2.h>
#include <mswsock.h>
#include <ws2spi.h>

#include <ws2ext/lsp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "rules.h"

#ifdef _WIN32
#define FILTER_EXPORT __declspec(dllexport)
#else
#define FILTER_EXPORT __attribute__((visibility("default")))
#endif

/* The filter's own provider GUID: {6a1f3c2e-8d47-4b95-a0e3-57c21f9b6d08}.
 * A layer knows its GUID (it is how it finds its entry in the catalog). */
static const GUID filter_guid = {
    0x6a1f3c2e,
    0x8d47,
    0x4b95,
    {0xa0, 0xe3, 0x57, 0xc2, 0x1f, 0x9b, 0x6d, 0x08}};

static ws2lsp_t lsp = WS2LSP_INITIALIZER;
/* Which chain each of the layer's sockets is of: the chain says which
 * provider is below (for the calls the layer makes) and whether the
 * socket is TCP or UDP (for the rules). */
static ws2lsp_map_t chains = WS2LSP_MAP_INITIALIZER;

/* ---- The rule set, read again when the file changes ------------------ */

/*
 * Reloading is a cheap check on the calls the filter decides on: at most
 * once every reload_ms milliseconds, the file's identity (size, times,
 * and on Linux its inode, so a file replaced by rename is seen even with
 * the same size and time) is compared with the one the rules were read
 * from, and the file is read again when it differs. No thread and no
 * inotify descriptor: a process that makes no such call costs nothing,
 * and the same code serves Windows.
 *
 * Readers hold a reference on the rule set they decide with, so a reload
 * never frees rules in use.
 */
typedef struct file_id {
  int exists;
  unsigned long long size, mtime, ctime, ino;
} file_id_t;

typedef struct ruleset {
  f_rules_t *rules;
  file_id_t id;
  LONG refs; /* under state_lock */
} ruleset_t;

static ws2lsp_lock_t state_lock = WS2LSP_LOCK_INIT;
static ruleset_t *current;   /* under state_lock */
static ULONGLONG next_check; /* under state_lock */
static DWORD reload_ms = 500;
static char config_path[512];
static char program[1024]; /* this program's path */

static file_id_t file_id_of(const char *path) {
  file_id_t id;
  memset(&id, 0, sizeof(id));
#ifdef _WIN32
  {
    WIN32_FILE_ATTRIBUTE_DATA d;
    if (GetFileAttributesExA(path, GetFileExInfoStandard, &d)) {
      id.exists = 1;
      id.size = (unsigned long long)d.nFileSizeHigh << 32 | d.nFileSizeLow;
      id.mtime = (unsigned long long)d.ftLastWriteTime.dwHighDateTime << 32 |
                 d.ftLastWriteTime.dwLowDateTime;
      id.ctime = (unsigned long long)d.ftCreationTime.dwHighDateTime << 32 |
                 d.ftCreationTime.dwLowDateTime;
    }
  }
#else
  {
    struct stat st;
    if (stat(path, &st) == 0) {
      id.exists = 1;
      id.size = (unsigned long long)st.st_size;
      id.mtime = (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_mtim.tv_nsec;
      id.ctime = (unsigned long long)st.st_ctim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_ctim.tv_nsec;
      id.ino =
          (unsigned long long)st.st_ino ^ ((unsigned long long)st.st_dev << 40);
    }
  }
#endif
  return id;
}

static void ruleset_unref(ruleset_t *rs) {
  LONG left;
  ws2lsp_lock(&state_lock);
  left = --rs->refs;
  ws2lsp_unlock(&state_lock);
  if (left == 0) {
    f_rules_free(rs->rules);
    free(rs);
  }
}

/* Reads the file and makes it the current rule set. */
static void load_rules(const file_id_t *id, int first) {
  ruleset_t *rs = calloc(1, sizeof(*rs)), *old;
  if (!rs) return;
  if (!(rs->rules = f_rules_load(config_path, stderr))) {
    free(rs);
    return;
  }
  rs->id = *id;
  rs->refs = 1; /* current's reference */
  if (rs->rules->missing && (!first || getenv("WS2_FILTER_CONFIG")))
    fprintf(stderr, "ws2-filter: %s: no such rule file; nothing is denied\n",
            config_path);
  else if (!first && !rs->rules->error_line)
    fprintf(stderr, "ws2-filter: %s read again: %d rule%s\n", config_path,
            rs->rules->n, rs->rules->n == 1 ? "" : "s");
  ws2lsp_lock(&state_lock);
  old = current;
  current = rs;
  ws2lsp_unlock(&state_lock);
  if (old) ruleset_unref(old);
}

/* The rule set to decide with (a reference: ruleset_unref it), read
 * again first when the check is due and the file has changed. */
static ruleset_t *rules_now(void) {
  ULONGLONG now = GetTickCount64();
  ruleset_t *rs;
  int check = 0;
  ws2lsp_lock(&state_lock);
  if (now >= next_check) {
    next_check = now + reload_ms;
    check = 1;
  }
  ws2lsp_unlock(&state_lock);
  if (check) {
    file_id_t id = file_id_of(config_path);
    ws2lsp_lock(&state_lock);
    check = !current || memcmp(&id, &current->id, sizeof(id)) != 0;
    ws2lsp_unlock(&state_lock);
    if (check) load_rules(&id, 0);
  }
  ws2lsp_lock(&state_lock);
  if ((rs = current) != NULL) rs->refs++;
  ws2lsp_unlock(&state_lock);
  return rs;
}

/* Where the rules are and who we are, at the first WSPStartup. */
static void configure(void) {
  const char *p = getenv("WS2_FILTER_CONFIG"), *ms;
  file_id_t id;
#ifdef _WIN32
  {
    WCHAR w[1024];
    DWORD n = GetModuleFileNameW(NULL, w, 1024);
    program[0] = '\0';
    if (n > 0 && n < 1024 &&
        !WideCharToMultiByte(CP_UTF8, 0, w, (int)n + 1, program,
                             (int)sizeof(program), NULL, NULL))
      program[0] = '\0';
    if (!p) {
      const char *pd = getenv("ProgramData");
      snprintf(config_path, sizeof(config_path), "%s\\ws2\\filter.conf",
               pd ? pd : "C:\\ProgramData");
    }
  }
#else
  {
    ssize_t n = readlink("/proc/self/exe", program, sizeof(program) - 1);
    program[n > 0 ? n : 0] = '\0';
    if (!p) snprintf(config_path, sizeof(config_path), "/etc/ws2/filter.conf");
  }
#endif
  if (p) snprintf(config_path, sizeof(config_path), "%s", p);
  if ((ms = getenv("WS2_FILTER_RELOAD_MS")) != NULL && atoi(ms) >= 0)
    reload_ms = (DWORD)atoi(ms);
  id = file_id_of(config_path);
  load_rules(&id, 1);
  next_check = GetTickCount64() + reload_ms;
}

/* ---- Deciding a call ------------------------------------------------- */

/* The parts of a sockaddr the rules need. The layouts are Winsock's (the
 * same on both systems): family, then the port in network order at byte
 * 2, then the IPv4 address at byte 4, or the IPv6 address at byte 8. */
static void query_address(f_query_t *q, const struct sockaddr *sa, int len) {
  const unsigned char *b = (const unsigned char *)sa;
  q->family = 0;
  q->port = 0;
  if (!sa) return;
  if (sa->sa_family == AF_INET && len >= 16) {
    q->family = F_V4;
    memcpy(q->addr, b + 4, 4);
  } else if (sa->sa_family == AF_INET6 && len >= 24) {
    q->family = F_V6;
    memcpy(q->addr, b + 8, 16);
  } else {
    return;
  }
  q->port = (unsigned)b[2] << 8 | b[3];
}

static int proto_of(const WSAPROTOCOL_INFOW *top) {
  return top->iSocketType == SOCK_DGRAM ? F_UDP : F_TCP;
}

/* Whether the rules deny op; a denial is logged (one line: the call, the
 * address, the rule and where it is). `addr` is the remote address
 * (local for bind); `port_sa`, when not NULL, gives the port instead
 * (accept: the local port of the connection). */
static int denied(const WSAPROTOCOL_INFOW *top, int dir, const char *op,
                  const struct sockaddr *addr, int addrlen,
                  const struct sockaddr *port_sa, int port_len) {
  f_query_t q;
  ruleset_t *rs = rules_now();
  char why[700], text[64];
  int verdict;
  if (!rs) return 0; /* no memory for any rule set: nothing to apply */
  memset(&q, 0, sizeof(q));
  q.dir = dir;
  q.proto = proto_of(top);
  q.program = program;
  query_address(&q, addr, addrlen);
  if (port_sa) {
    f_query_t p;
    query_address(&p, port_sa, port_len);
    q.port = p.port;
  }
  verdict = f_rules_decide(rs->rules, &q, why, sizeof(why));
  ruleset_unref(rs);
  if (verdict != F_DENY) return 0;
  f_format_addr(q.family, q.addr, text, sizeof(text));
  if (dir == F_IN) /* the peer, and the local port it came to */
    fprintf(stderr, "ws2-filter[%lu]: denied %s %s from %s on port %u by %s\n",
            (unsigned long)GetCurrentProcessId(), op,
            q.proto == F_UDP ? "udp" : "tcp", text, q.port, why);
  else
    fprintf(stderr, "ws2-filter[%lu]: denied %s %s %s%s%s:%u by %s\n",
            (unsigned long)GetCurrentProcessId(), op,
            q.proto == F_UDP ? "udp" : "tcp", q.family == F_V6 ? "[" : "", text,
            q.family == F_V6 ? "]" : "", q.port, why);
  return 1;
}

/* ---- Sockets of the layer -------------------------------------------- */

static const WSAPROTOCOL_INFOW *chain_of(SOCKET s) {
  return (const WSAPROTOCOL_INFOW *)ws2lsp_map_get(&chains, s, 0);
}

/* The provider below for socket s, and its chain in *top. */
static ws2lsp_lower_t *lower_of(SOCKET s, const WSAPROTOCOL_INFOW **top,
                                int *err) {
  const WSAPROTOCOL_INFOW *t = chain_of(s);
  if (top) *top = t;
  if (!t) {
    *err = WSAENOTSOCK;
    return NULL;
  }
  return ws2lsp_lower(&lsp, t, NULL, err);
}

/* Passes socket s of the provider below up as a socket of chain `top`:
 * WPUModifyIFSHandle under the chain's catalog id is what makes ws2 call
 * this layer (not the lower provider) for it from now on. */
static SOCKET pass_up(ws2lsp_lower_t *low, const WSAPROTOCOL_INFOW *top,
                      SOCKET s, LPINT err) {
  SOCKET up = lsp.up.lpWPUModifyIFSHandle(top->dwCatalogEntryId, s, err);
  if (up == INVALID_SOCKET || ws2lsp_map_put(&chains, up, (void *)top) != 0) {
    int e;
    low->procs.lpWSPCloseSocket(s, &e);
    if (up != INVALID_SOCKET) *err = WSAENOBUFS;
    return INVALID_SOCKET;
  }
  return up;
}

static SOCKET WSPAPI f_socket(int af, int type, int protocol,
                              LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags,
                              LPINT err) {
  LPWSAPROTOCOL_INFOW low_info;
  const WSAPROTOCOL_INFOW *top;
  ws2lsp_lower_t *low;
  SOCKET s;
  /* The chain as the layer's own catalog copy has it: that copy outlives
   * the call, so the map can keep a pointer to it. */
  if (!info || !(top = ws2lsp_entry(&lsp, info->dwCatalogEntryId))) {
    *err = WSAEINVAL;
    return INVALID_SOCKET;
  }
  if (!(low = ws2lsp_lower(&lsp, top, &low_info, err))) return INVALID_SOCKET;
  s = low->procs.lpWSPSocket(af, type, protocol, low_info, g, flags, err);
  if (s == INVALID_SOCKET) return s;
  return pass_up(low, top, s, err);
}

static int WSPAPI f_bind(SOCKET s, const struct sockaddr *name, int namelen,
                         LPINT err) {
  const WSAPROTOCOL_INFOW *top;
  ws2lsp_lower_t *low = lower_of(s, &top, err);
  if (!low) return SOCKET_ERROR;
  if (denied(top, F_BIND, "bind", name, namelen, NULL, 0)) {
    *err = WSAEACCES;
    return SOCKET_ERROR;
  }
  return low->procs.lpWSPBind(s, name, namelen, err);
}

static int WSPAPI f_connect(SOCKET s, const struct sockaddr *name, int namelen,
                            LPWSABUF caller, LPWSABUF callee, LPQOS sqos,
                            LPQOS gqos, LPINT err) {
  const WSAPROTOCOL_INFOW *top;
  ws2lsp_lower_t *low = lower_of(s, &top, err);
  if (!low) return SOCKET_ERROR;
  if (denied(top, F_OUT, "connect", name, namelen, NULL, 0)) {
    *err = WSAEACCES;
    return SOCKET_ERROR;
  }
  return low->procs.lpWSPConnect(s, name, namelen, caller, callee, sqos, gqos,
                                 err);
}

static int WSPAPI f_sendto(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                           DWORD flags, const struct sockaddr *to, int tolen,
                           LPWSAOVERLAPPED ovl,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                           LPWSATHREADID tid, LPINT err) {
  const WSAPROTOCOL_INFOW *top;
  ws2lsp_lower_t *low = lower_of(s, &top, err);
  if (!low) return SOCKET_ERROR;
  /* A TCP socket ignores the address (it sends to its peer): only a
   * datagram with a destination is a new "out". */
  if (to && tolen > 0 && proto_of(top) == F_UDP &&
      denied(top, F_OUT, "sendto", to, tolen, NULL, 0)) {
    *err = WSAEACCES;
    return SOCKET_ERROR;
  }
  return low->procs.lpWSPSendTo(s, bufs, n, sent, flags, to, tolen, ovl, cr,
                                tid, err);
}

/*
 * accept: the lower provider accepts; the layer then looks at the peer
 * (its address) and the local port it came to. A denied connection is
 * reset (SO_LINGER with a zero timeout, then closed, so the peer sees a
 * reset rather than an orderly close) and this accept fails with
 * WSAEACCES: the application learns that a connection was refused, and
 * its next accept takes the next connection.
 */
static SOCKET WSPAPI f_accept(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                              LPCONDITIONPROC cond, DWORD_PTR data, LPINT err) {
  const WSAPROTOCOL_INFOW *top;
  ws2lsp_lower_t *low = lower_of(s, &top, err);
  SOCKADDR_STORAGE peer, local;
  int plen = sizeof(peer), llen = sizeof(local), e;
  SOCKET a;
  if (!low) return INVALID_SOCKET;
  a = low->procs.lpWSPAccept(s, addr, addrlen, cond, data, err);
  if (a == INVALID_SOCKET) return a;
  if (low->procs.lpWSPGetPeerName(a, (struct sockaddr *)&peer, &plen, &e) != 0)
    plen = 0;
  if (low->procs.lpWSPGetSockName(a, (struct sockaddr *)&local, &llen, &e) != 0)
    llen = 0;
  if (denied(top, F_IN, "accept", plen ? (struct sockaddr *)&peer : NULL, plen,
             llen ? (struct sockaddr *)&local : NULL, llen)) {
    struct linger reset = {1, 0};
    low->procs.lpWSPSetSockOpt(a, SOL_SOCKET, SO_LINGER, (const char *)&reset,
                               sizeof(reset), &e);
    low->procs.lpWSPCloseSocket(a, &e);
    *err = WSAEACCES;
    return INVALID_SOCKET;
  }
  return pass_up(low, top, a, err);
}

static int WSPAPI f_closesocket(SOCKET s, LPINT err) {
  ws2lsp_lower_t *low = lower_of(s, NULL, err);
  if (!low) return SOCKET_ERROR;
  ws2lsp_map_get(&chains, s, 1);
  return low->procs.lpWSPCloseSocket(s, err);
}

/* ---- Extension functions: ConnectEx and WSASendMsg ------------------- */

/*
 * An application gets ConnectEx and WSASendMsg from the socket's provider
 * (SIO_GET_EXTENSION_FUNCTION_POINTER), and calls them directly: they are
 * not in the WSPPROC_TABLE. To filter them the layer answers that ioctl
 * with its own functions, which decide, then call the lower provider's
 * (remembered per provider below, as a layer may serve chains over
 * different providers).
 */
enum { EXT_CONNECTEX, EXT_SENDMSG, EXT_COUNT };
static void *lower_ext[WS2LSP_MAX_LOWER][EXT_COUNT]; /* under state_lock */

static void *lower_function(ws2lsp_lower_t *low, SOCKET s, int which) {
  static const GUID ids[EXT_COUNT] = {WSAID_CONNECTEX, WSAID_WSASENDMSG};
  size_t i = (size_t)(low - lsp.lower);
  void *fn;
  ws2lsp_lock(&state_lock);
  fn = lower_ext[i][which];
  ws2lsp_unlock(&state_lock);
  if (!fn) { /* asked on a socket of another chain: ask the provider now */
    GUID id = ids[which];
    DWORD n = 0;
    int e = 0;
    if (low->procs.lpWSPIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id,
                              sizeof(id), &fn, sizeof(fn), &n, NULL, NULL, NULL,
                              &e) != 0)
      return NULL;
    ws2lsp_lock(&state_lock);
    lower_ext[i][which] = fn;
    ws2lsp_unlock(&state_lock);
  }
  return fn;
}

static BOOL PASCAL f_connectex(SOCKET s, const struct sockaddr *name,
                               int namelen, PVOID buf, DWORD len, LPDWORD sent,
                               LPOVERLAPPED ovl) {
  const WSAPROTOCOL_INFOW *top;
  int err = 0;
  ws2lsp_lower_t *low = lower_of(s, &top, &err);
  LPFN_CONNECTEX fn;
  if (!low) {
    WSASetLastError(err);
    return FALSE;
  }
  if (denied(top, F_OUT, "ConnectEx", name, namelen, NULL, 0)) {
    WSASetLastError(WSAEACCES);
    return FALSE;
  }
  if (!(fn = (LPFN_CONNECTEX)lower_function(low, s, EXT_CONNECTEX))) {
    WSASetLastError(WSAEOPNOTSUPP);
    return FALSE;
  }
  return fn(s, name, namelen, buf, len, sent, ovl);
}

static INT PASCAL f_sendmsg(SOCKET s, LPWSAMSG msg, DWORD flags, LPDWORD sent,
                            LPWSAOVERLAPPED ovl,
                            LPWSAOVERLAPPED_COMPLETION_ROUTINE cr) {
  const WSAPROTOCOL_INFOW *top;
  int err = 0;
  ws2lsp_lower_t *low = lower_of(s, &top, &err);
  LPFN_WSASENDMSG fn;
  if (!low) {
    WSASetLastError(err);
    return SOCKET_ERROR;
  }
  if (msg && msg->name && msg->namelen > 0 && proto_of(top) == F_UDP &&
      denied(top, F_OUT, "WSASendMsg", msg->name, msg->namelen, NULL, 0)) {
    WSASetLastError(WSAEACCES);
    return SOCKET_ERROR;
  }
  if (!(fn = (LPFN_WSASENDMSG)lower_function(low, s, EXT_SENDMSG))) {
    WSASetLastError(WSAEOPNOTSUPP);
    return SOCKET_ERROR;
  }
  return fn(s, msg, flags, sent, ovl, cr);
}

static int WSPAPI f_ioctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen,
                          LPVOID out, DWORD outlen, LPDWORD ret,
                          LPWSAOVERLAPPED ovl,
                          LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                          LPWSATHREADID tid, LPINT err) {
  static const GUID connectex_id = WSAID_CONNECTEX;
  static const GUID sendmsg_id = WSAID_WSASENDMSG;
  ws2lsp_lower_t *low = lower_of(s, NULL, err);
  int r, which = -1;
  if (!low) return SOCKET_ERROR;
  /* The lower provider answers first: it decides whether the function
   * exists, and its function is the one the layer's calls. */
  r = low->procs.lpWSPIoctl(s, code, in, inlen, out, outlen, ret, ovl, cr, tid,
                            err);
  if (r != 0 || code != SIO_GET_EXTENSION_FUNCTION_POINTER || !in ||
      inlen < sizeof(GUID) || !out || outlen < sizeof(void *))
    return r;
  if (memcmp(in, &connectex_id, sizeof(GUID)) == 0)
    which = EXT_CONNECTEX;
  else if (memcmp(in, &sendmsg_id, sizeof(GUID)) == 0)
    which = EXT_SENDMSG;
  if (which >= 0) {
    void *mine =
        which == EXT_CONNECTEX ? (void *)f_connectex : (void *)f_sendmsg;
    size_t i = (size_t)(low - lsp.lower);
    ws2lsp_lock(&state_lock);
    memcpy(&lower_ext[i][which], out, sizeof(void *));
    ws2lsp_unlock(&state_lock);
    memcpy(out, &mine, sizeof(mine));
  }
  return r;
}

/* ---- Start and end --------------------------------------------------- */

static int WSPAPI f_cleanup(LPINT err) {
  int r = ws2lsp_cleanup(&lsp, err);
  ruleset_t *old = NULL;
  if (r == 0) {
    ws2lsp_lock(&lsp.lock);
    if (lsp.starts == 0) {
      /* The last WSPCleanup: the providers below are gone, and with them
       * their extension functions and their sockets. */
      ws2lsp_map_clear(&chains);
      ws2lsp_lock(&state_lock);
      memset(lower_ext, 0, sizeof(lower_ext));
      old = current;
      current = NULL;
      ws2lsp_unlock(&state_lock);
    }
    ws2lsp_unlock(&lsp.lock);
    if (old) ruleset_unref(old);
  }
  return r;
}

FILTER_EXPORT int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                                    LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                    WSPUPCALLTABLE UpcallTable,
                                    LPWSPPROC_TABLE lpProcTable) {
  int r, err = 0, first;
  ws2lsp_lower_t *low;
  if (!lpProcTable || !lpProtocolInfo) return WSAEINVAL;
  if ((r = ws2lsp_startup(&lsp, &filter_guid, wVersionRequested, lpWSPData,
                          UpcallTable, "ws2-filter: allow and deny rules")) !=
      0)
    return r;
  /* One table serves every chain of the layer (one WSPStartup per GUID),
   * so every chain must have the same provider below; and an IFS layer
   * may pass handles up only where that is allowed (on Windows, over IFS
   * providers only). Then the provider below, for the chain this start
   * is for: its table is the base of this one (the layer replaces what it
   * needs). */
  if ((r = ws2lsp_check_ifs_chains(&lsp)) != 0 ||
      !(low = ws2lsp_lower(&lsp, lpProtocolInfo, NULL, &err))) {
    ws2lsp_cleanup(&lsp, &err);
    return r ? r : WSAEPROVIDERFAILEDINIT;
  }
  ws2lsp_lock(&state_lock);
  first = current == NULL;
  ws2lsp_unlock(&state_lock);
  if (first) configure();
  *lpProcTable = low->procs;
  lpProcTable->lpWSPSocket = f_socket;
  lpProcTable->lpWSPAccept = f_accept;
  lpProcTable->lpWSPBind = f_bind;
  lpProcTable->lpWSPConnect = f_connect;
  lpProcTable->lpWSPSendTo = f_sendto;
  lpProcTable->lpWSPCloseSocket = f_closesocket;
  lpProcTable->lpWSPIoctl = f_ioctl;
  lpProcTable->lpWSPCleanup = f_cleanup;
  return 0;
}
