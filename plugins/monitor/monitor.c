/*
 * monitor: a layered service provider that counts, per socket and per
 * process, the bytes sent and received, the operations and how long they
 * took, and publishes the counters for the `ws2mon` tool to show live.
 *
 * The design, and why (plugins/monitor/README.md says the same for users):
 *
 * The monitor is an IFS layer, like ifs-passthrough: the provider below
 * makes each socket, and the layer passes that same handle up to the
 * application with WPUModifyIFSHandle under its own chain's catalog id,
 * so that ws2 sends the Winsock calls on it to the layer. Unlike
 * ifs-passthrough it also replaces the data entries of the procedure
 * table, WSPSend, WSPSendTo, WSPRecv and WSPRecvFrom, with wrappers that
 * time the lower provider's call and count what it returned. Each wrapper
 * passes the application's own arguments down (its OVERLAPPED, its
 * completion routine), as the WPUModifyIFSHandle reference requires of a
 * layer that shares its handles with the provider below.
 *
 * What follows from that, on purpose:
 *
 *  - Everything that completes in the call is seen exactly: a blocking
 *    call (its latency is the time it blocked), a non-blocking one, and an
 *    overlapped request that completed at once (its bytes are known when
 *    the call returns; when the application passes no byte count pointer,
 *    which it may with an OVERLAPPED, the wrapper passes one of its own).
 *
 *  - An overlapped request that returns WSA_IO_PENDING is counted as
 *    pending, and that is all the layer ever learns of it: it completes
 *    through the application's event, completion port or completion
 *    routine, filled in by the lower provider on the application's own
 *    OVERLAPPED. An IFS layer cannot put itself into that path. Its bytes
 *    and its latency are not counted.
 *
 *  - ReadFile and WriteFile on the socket are I/O on the lower provider's
 *    handle: they never reach the layer. WSPIoctl is passed through
 *    untouched, so the extension functions (AcceptEx, ConnectEx,
 *    TransmitFile, WSARecvMsg, WSASendMsg, ...) are the lower provider's
 *    and are not counted either.
 *
 * A non-IFS design (its own handles from WPUCreateSocketHandle, a
 * substitute OVERLAPPED for every request, completions forwarded with
 * WPUCompleteOverlappedRequest) would see every completion, at the price
 * of implementing the whole SPI; plugins/nonifs-reference is that layer.
 *
 * Publishing: each process keeps its counters in a file mapped shared,
 * <dir>/<pid> (ws2mon-shm.h has the layout and the directory), created at
 * its first WSAStartup and removed at its last WSACleanup (or at exit).
 * On Windows the counters stay in the process's memory (publishing is
 * not written for Windows).
 *
 * Everything else is the lower provider's own entry point.
 */
#include <winsock2.h>
#include <ws2spi.h>
#include <mswsock.h>

#include <ws2ext/lsp.h>

#include "ws2mon-shm.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define MON_EXPORT __declspec(dllexport)
#else
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define MON_EXPORT __attribute__((visibility("default")))
#endif

/* The layer's provider GUID (give it to `ws2ctl install --guid`). */
static const GUID monitor_guid = {
    0x83a7a3f7,
    0x26e0,
    0x49ed,
    {0xbf, 0xc7, 0x2f, 0x34, 0x96, 0xfc, 0x62, 0xcf}};

static ws2lsp_t lsp = WS2LSP_INITIALIZER;
static ws2lsp_lower_t
    *lower; /* the one provider below (ws2lsp_check_ifs_chains) */

/* ---- Clocks ------------------------------------------------------------ */

/* A monotonic clock for latencies, in nanoseconds. */
static uint64_t now_ns(void) {
#ifdef _WIN32
  static LARGE_INTEGER freq;
  LARGE_INTEGER t;
  if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
  QueryPerformanceCounter(&t);
  return (uint64_t)((double)t.QuadPart * 1e9 / (double)freq.QuadPart);
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

/* The wall clock, in nanoseconds since 1970 (for "opened at"). */
static uint64_t wall_ns(void) {
#ifdef _WIN32
  FILETIME ft;
  uint64_t t;
  GetSystemTimeAsFileTime(&ft);
  t = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
  return (t - 116444736000000000ull) * 100u; /* 100 ns since 1601 */
#else
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

/* ---- The published file ------------------------------------------------ */

/* The counters (mapped from the file, or private memory when it cannot
 * be published), from the first WSPStartup to the last WSPCleanup. */
static ws2mon_file_t *file;
static ws2lsp_lock_t slots_lock = WS2LSP_LOCK_INIT;
static int next_slot; /* where the search for a free slot starts */

/* Relaxed atomic updates: the process's threads add concurrently, and a
 * reader in another process loads the same fields. */
static void add64(uint64_t *p, uint64_t n) {
  if (n) __atomic_fetch_add(p, n, __ATOMIC_RELAXED);
}

static void max64(uint64_t *p, uint64_t v) {
  uint64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);
  while (v > cur && !__atomic_compare_exchange_n(
                        p, &cur, v, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
}

#ifndef _WIN32
static char file_path[512];
static pid_t file_owner; /* the process that created the file */
static size_t file_size = sizeof(ws2mon_file_t);

/* The directory files are published in: $WS2_MONITOR_DIR, else
 * $XDG_RUNTIME_DIR/ws2-monitor, else /tmp/ws2-monitor-<uid>; made if
 * missing (mode 0700), and used only if it is a real directory of this
 * user (not a symbolic link another user left in /tmp). */
static int monitor_dir(char *out, size_t size) {
  const char *d = getenv("WS2_MONITOR_DIR");
  struct stat st;
  if (d && *d)
    snprintf(out, size, "%s", d);
  else if ((d = getenv("XDG_RUNTIME_DIR")) && *d)
    snprintf(out, size, "%s/ws2-monitor", d);
  else
    snprintf(out, size, "/tmp/ws2-monitor-%u", (unsigned)getuid());
  if (mkdir(out, 0700) != 0 && errno != EEXIST) return -1;
  if (lstat(out, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
    return -1;
  return 0;
}

/* This process's start time (field 22 of /proc/self/stat) and name. */
static void identify(ws2mon_file_t *f) {
  char buf[1024], *p;
  size_t n;
  FILE *in = fopen("/proc/self/stat", "r");
  if (in) {
    n = fread(buf, 1, sizeof(buf) - 1, in);
    buf[n] = '\0';
    fclose(in);
    /* After the name in parentheses (which may hold anything), field 3
     * on: the start time is the 20th field from there. */
    if ((p = strrchr(buf, ')')) != NULL) {
      int field = 2;
      for (; *p && field < 22; p++)
        if (*p == ' ') field++;
      if (field == 22) f->start_ticks = strtoull(p, NULL, 10);
    }
  }
  if ((in = fopen("/proc/self/cmdline", "r")) != NULL) {
    n = fread(buf, 1, sizeof(buf) - 1, in);
    buf[n] = '\0';
    fclose(in);
    p = strrchr(buf, '/');
    p = p ? p + 1 : buf;
    n = strlen(p);
    if (n >= sizeof(f->program)) n = sizeof(f->program) - 1;
    memcpy(f->program, p, n);
    f->program[n] = '\0';
  }
}

/* In a child made by fork: the mapping is still the parent's file. The
 * child goes on counting in a private copy (it publishes nothing), so
 * that it neither adds to its parent's counters nor removes its file. */
static void after_fork_in_child(void) {
  void *copy;
  if (!file || file_owner == 0) return;
  if ((copy = malloc(file_size)) != NULL) {
    memcpy(copy, file, file_size);
    if (mmap(file, file_size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED)
      memcpy(file, copy, file_size);
    free(copy);
  }
  file_owner = 0;
}

/* Removes the file when the process exits without its last WSACleanup
 * (ws2 does not unload layers at exit). */
__attribute__((destructor)) static void at_exit_or_unload(void) {
  if (file && file_owner == getpid()) unlink(file_path);
}

static ws2mon_file_t *publish(void) {
  static int atfork_done;
  char dir[448];
  ws2mon_file_t *f;
  int fd;
  if (monitor_dir(dir, sizeof(dir)) != 0) return NULL;
  snprintf(file_path, sizeof(file_path), "%s/%ld", dir, (long)getpid());
  fd = open(file_path, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
            0600);
  if (fd < 0) return NULL;
  if (ftruncate(fd, (off_t)file_size) != 0 ||
      (f = (ws2mon_file_t *)mmap(NULL, file_size, PROT_READ | PROT_WRITE,
                                 MAP_SHARED, fd, 0)) == MAP_FAILED) {
    close(fd);
    unlink(file_path);
    return NULL;
  }
  close(fd); /* the mapping keeps the file */
  file_owner = getpid();
  if (!atfork_done) {
    pthread_atfork(NULL, NULL, after_fork_in_child);
    atfork_done = 1;
  }
  identify(f);
  f->pid = getpid();
  return f;
}

static void unpublish(ws2mon_file_t *f) {
  if (file_owner == getpid()) {
    unlink(file_path);
    munmap(f, file_size);
  } else {
    munmap(f, file_size); /* a child's private copy */
  }
  file_owner = 0;
}
#else
/* Windows: the same counters, in the process's memory only (not
 * published: ws2mon is a Linux tool). */
static ws2mon_file_t *publish(void) { return NULL; }
static void unpublish(ws2mon_file_t *f) { (void)f; }
#endif

/* Makes the counters (at the first WSPStartup): published if possible,
 * else private. NULL without memory. */
static ws2mon_file_t *counters_open(int *published) {
  ws2mon_file_t *f = publish();
  *published = f != NULL;
  if (!f) {
    f = (ws2mon_file_t *)calloc(1, sizeof(*f));
    if (!f) return NULL;
#ifdef _WIN32
    f->pid = (int64_t)GetCurrentProcessId();
#endif
  }
  f->version = WS2MON_VERSION;
  f->header_size = (uint32_t)offsetof(ws2mon_file_t, slot);
  f->slot_size = (uint32_t)sizeof(ws2mon_slot_t);
  f->nslots = WS2MON_SLOTS;
  f->started_ns = wall_ns();
  /* The magic last: a reader takes the file as valid once it is there. */
  __atomic_store_n(&f->magic, WS2MON_MAGIC, __ATOMIC_RELEASE);
  return f;
}

static void counters_close(ws2mon_file_t *f, int published) {
  if (published)
    unpublish(f);
  else
    free(f);
}

static int published;

/* ---- Per socket ---------------------------------------------------------- */

/*
 * What the layer keeps for each socket: its chain (WSPAccept passes an
 * accepted socket up under the listening socket's chain) and its slot in
 * the file (NULL when every slot was taken: the socket then counts in the
 * process's totals only).
 *
 * A call may still be running on a socket that another thread closes (a
 * blocking recv woken by closesocket is the common case), so a closed
 * socket's record is not freed: it waits in a queue and is reused only
 * after RETIRED_KEPT others have been closed since. Records are freed at
 * the last WSPCleanup.
 */
typedef struct msock {
  const WSAPROTOCOL_INFOW *chain;
  ws2mon_slot_t *slot;
  int local_known; /* the slot has the local address */
  struct msock *next;
} msock_t;

#define RETIRED_KEPT 1024

static ws2lsp_map_t socks = WS2LSP_MAP_INITIALIZER;
static ws2lsp_lock_t pool_lock = WS2LSP_LOCK_INIT;
static msock_t *retired_head, *retired_tail; /* oldest first */
static int retired;
typedef struct record_block {
  struct record_block *next;
  msock_t m;
} record_block_t;
static record_block_t *blocks;

static msock_t *record_new(void) {
  msock_t *m = NULL;
  record_block_t *b;
  ws2lsp_lock(&pool_lock);
  if (retired > RETIRED_KEPT) {
    m = retired_head;
    retired_head = m->next;
    retired--;
  }
  ws2lsp_unlock(&pool_lock);
  if (m) return m;
  if (!(b = (record_block_t *)calloc(1, sizeof(*b)))) return NULL;
  ws2lsp_lock(&pool_lock);
  b->next = blocks;
  blocks = b;
  ws2lsp_unlock(&pool_lock);
  return &b->m;
}

static void record_retire(msock_t *m) {
  ws2lsp_lock(&pool_lock);
  m->next = NULL;
  if (retired_tail && retired)
    retired_tail->next = m;
  else
    retired_head = m;
  retired_tail = m;
  retired++;
  ws2lsp_unlock(&pool_lock);
}

static void records_free(void) {
  record_block_t *b, *next;
  ws2lsp_lock(&pool_lock);
  for (b = blocks; b; b = next) {
    next = b->next;
    free(b);
  }
  blocks = NULL;
  retired_head = retired_tail = NULL;
  retired = 0;
  ws2lsp_unlock(&pool_lock);
}

static msock_t *sock_of(SOCKET s) {
  return (msock_t *)ws2lsp_map_get(&socks, s, 0);
}

/* An address from a Winsock sockaddr (read by its documented layout:
 * family, then the port in network order; IPv4's address at 4, IPv6's at
 * 8 and its scope at 24). */
static void take_addr(ws2mon_addr_t *out, const struct sockaddr *sa, int len) {
  const unsigned char *b = (const unsigned char *)sa;
  ws2mon_addr_t a;
  memset(&a, 0, sizeof(a));
  if (!sa || len < 8) return;
  a.port = (uint16_t)((b[2] << 8) | b[3]);
  if (sa->sa_family == AF_INET) {
    a.family = AF_INET;
    memcpy(a.addr, b + 4, 4);
  } else if (sa->sa_family == AF_INET6 && len >= 24) {
    a.family = AF_INET6;
    memcpy(a.addr, b + 8, 16);
    if (len >= 28) memcpy(&a.scope_id, b + 24, 4);
  } else {
    return;
  }
  *out = a;
}

/* The socket's local address, from the lower provider (once known). */
static void learn_local(SOCKET s, msock_t *m) {
  char buf[128];
  int len = sizeof(buf), e;
  if (!m || !m->slot || m->local_known) return;
  if (lower->procs.lpWSPGetSockName(s, (struct sockaddr *)buf, &len, &e) == 0) {
    take_addr(&m->slot->local, (const struct sockaddr *)buf, len);
    m->local_known = m->slot->local.family != 0 && m->slot->local.port != 0;
  }
}

/* A slot for a new socket: a free one, else the one closed longest ago
 * (searching on from the last one taken spreads reuse evenly); NULL when
 * all are open. */
static ws2mon_slot_t *slot_take(SOCKET s, int af, int type, int protocol) {
  ws2mon_slot_t *slot = NULL;
  int i;
  ws2lsp_lock(&slots_lock);
  for (i = 0; i < WS2MON_SLOTS && !slot; i++) {
    ws2mon_slot_t *c = &file->slot[(next_slot + i) % WS2MON_SLOTS];
    if (__atomic_load_n(&c->state, __ATOMIC_RELAXED) != WS2MON_OPEN) {
      slot = c;
      next_slot = (next_slot + i + 1) % WS2MON_SLOTS;
    }
  }
  if (slot) {
    /* Hidden from readers while it is rewritten. */
    __atomic_store_n(&slot->state, WS2MON_FREE, __ATOMIC_RELEASE);
    memset(&slot->socket, 0, sizeof(*slot) - sizeof(slot->state));
    slot->socket = (uint64_t)s;
    slot->af = af;
    slot->type = type;
    slot->protocol = protocol;
    slot->opened_ns = wall_ns();
    __atomic_store_n(&slot->state, WS2MON_OPEN, __ATOMIC_RELEASE);
  }
  ws2lsp_unlock(&slots_lock);
  return slot;
}

/*
 * Socket s, just made by the provider below, handed to the application as
 * a socket of chain `top` (WPUModifyIFSHandle with the chain's catalog
 * id: ws2 now calls this layer for it), with a record and a slot. On
 * failure the lower socket is closed: the application never got it.
 */
static SOCKET pass_up(const WSAPROTOCOL_INFOW *top, SOCKET s, LPINT err) {
  SOCKET up = lsp.up.lpWPUModifyIFSHandle(top->dwCatalogEntryId, s, err);
  msock_t *m = up != INVALID_SOCKET ? record_new() : NULL;
  if (!m || ws2lsp_map_put(&socks, up, m) != 0) {
    int e;
    if (m) record_retire(m);
    lower->procs.lpWSPCloseSocket(s, &e);
    if (up != INVALID_SOCKET) *err = WSAENOBUFS;
    return INVALID_SOCKET;
  }
  m->chain = top;
  m->local_known = 0;
  m->slot =
      slot_take(up, top->iAddressFamily, top->iSocketType, top->iProtocol);
  add64(&file->sockets_opened, 1);
  if (!m->slot) add64(&file->sockets_untracked, 1);
  return up;
}

/* ---- Counting ------------------------------------------------------------ */

/*
 * One call of kind `kind` on socket m returned r (and *err when r is not
 * 0), moving `bytes` when it completed at once, after `ns` nanoseconds.
 * Counted in the socket's slot and in the process's totals.
 */
/* The byte count of a call that returned r: read only when it completed
 * at once (r == 0). A call that failed or went pending wrote none, and the
 * variable may already belong to someone else: a layer above may have
 * passed a count inside its own request, which its worker can free as
 * soon as the request completes, before this call returns. */
static DWORD done_bytes(int r, const DWORD *count) {
  return r == 0 && count ? *count : 0;
}

static void account(msock_t *m, int kind, int r, int err, DWORD bytes,
                    uint64_t ns) {
  ws2mon_op_t *ops[2];
  int i, n = 0;
  ops[n++] = &file->total.op[kind];
  if (m && m->slot) ops[n++] = &m->slot->c.op[kind];
  for (i = 0; i < n; i++) {
    ws2mon_op_t *o = ops[i];
    add64(&o->calls, 1);
    if (r != 0 && err == WSA_IO_PENDING) {
      add64(&o->pending, 1); /* its result goes past the layer */
      continue;
    }
    if (r != 0 && err == WSAEWOULDBLOCK) {
      add64(&o->wouldblock, 1);
      continue;
    }
    if (r != 0) add64(&o->errors, 1);
    /* A truncated datagram (WSAEMSGSIZE) still delivered its bytes. */
    if (r == 0 || err == WSAEMSGSIZE) add64(&o->bytes, bytes);
    add64(&o->timed, 1);
    add64(&o->ns_total, ns);
    max64(&o->ns_max, ns);
  }
}

/* ---- The data path --------------------------------------------------- */

/*
 * Each wrapper calls the lower provider with the application's own
 * arguments and times the call. One substitution: an overlapped call may
 * pass no byte count pointer (Windows recommends it with an OVERLAPPED);
 * the wrapper then passes its own, which the lower provider fills only
 * when the request completes at once, to learn those bytes. A call
 * without an OVERLAPPED gets the application's pointer as it is, so a
 * missing one still fails as it should (WSAEFAULT).
 */
static int WSPAPI mon_send(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                           DWORD flags, LPWSAOVERLAPPED ovl,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                           LPWSATHREADID tid, LPINT err) {
  msock_t *m = sock_of(s);
  DWORD mine = 0;
  LPDWORD count = sent || !ovl ? sent : &mine;
  uint64_t t0 = now_ns();
  int r = lower->procs.lpWSPSend(s, bufs, n, count, flags, ovl, cr, tid, err);
  account(m, WS2MON_SEND, r, r ? *err : 0, done_bytes(r, count), now_ns() - t0);
  if (r == 0) learn_local(s, m);
  return r;
}

static int WSPAPI mon_sendto(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent,
                             DWORD flags, const struct sockaddr *to, int tolen,
                             LPWSAOVERLAPPED ovl,
                             LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                             LPWSATHREADID tid, LPINT err) {
  msock_t *m = sock_of(s);
  DWORD mine = 0;
  LPDWORD count = sent || !ovl ? sent : &mine;
  uint64_t t0 = now_ns();
  int r = lower->procs.lpWSPSendTo(s, bufs, n, count, flags, to, tolen, ovl, cr,
                                   tid, err);
  account(m, WS2MON_SEND, r, r ? *err : 0, done_bytes(r, count), now_ns() - t0);
  if (r == 0) {
    /* A datagram socket's peer is where it last sent to. */
    if (m && m->slot && to) take_addr(&m->slot->peer, to, tolen);
    learn_local(s, m); /* the first sendto binds it */
  }
  return r;
}

static int WSPAPI mon_recv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD got,
                           LPDWORD flags, LPWSAOVERLAPPED ovl,
                           LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                           LPWSATHREADID tid, LPINT err) {
  msock_t *m = sock_of(s);
  DWORD mine = 0;
  LPDWORD count = got || !ovl ? got : &mine;
  uint64_t t0 = now_ns();
  int r = lower->procs.lpWSPRecv(s, bufs, n, count, flags, ovl, cr, tid, err);
  account(m, WS2MON_RECV, r, r ? *err : 0, done_bytes(r, count), now_ns() - t0);
  return r;
}

static int WSPAPI mon_recvfrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD got,
                               LPDWORD flags, struct sockaddr *from,
                               LPINT fromlen, LPWSAOVERLAPPED ovl,
                               LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
                               LPWSATHREADID tid, LPINT err) {
  msock_t *m = sock_of(s);
  DWORD mine = 0;
  LPDWORD count = got || !ovl ? got : &mine;
  uint64_t t0 = now_ns();
  int r = lower->procs.lpWSPRecvFrom(s, bufs, n, count, flags, from, fromlen,
                                     ovl, cr, tid, err);
  account(m, WS2MON_RECV, r, r ? *err : 0, done_bytes(r, count), now_ns() - t0);
  /* The sender of a datagram received at once (an overlapped one's
   * address is filled in at completion: not known here). */
  if (r == 0 && !ovl && m && m->slot && from && fromlen)
    take_addr(&m->slot->peer, from, *fromlen);
  return r;
}

/* ---- Sockets and connections --------------------------------------------- */

static SOCKET WSPAPI mon_socket(int af, int type, int protocol,
                                LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags,
                                LPINT err) {
  const WSAPROTOCOL_INFOW *top;
  LPWSAPROTOCOL_INFOW low_info;
  SOCKET s;
  /* ws2 gives the chain entry it chose; the layer keeps its own copy's
   * address, which lives as long as the layer is started. */
  if (!info || !(top = ws2lsp_entry(&lsp, info->dwCatalogEntryId))) {
    *err = WSAEINVAL;
    return INVALID_SOCKET;
  }
  /* The chain itself to a layer below, the base entry to a base
   * provider (base providers never see chains). */
  if (!ws2lsp_lower(&lsp, top, &low_info, err)) return INVALID_SOCKET;
  s = lower->procs.lpWSPSocket(af, type, protocol, low_info, g, flags, err);
  return s == INVALID_SOCKET ? s : pass_up(top, s, err);
}

static SOCKET WSPAPI mon_accept(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                                LPCONDITIONPROC cond, DWORD_PTR ctx,
                                LPINT err) {
  msock_t *m = sock_of(s), *am;
  char peer[128];
  int plen = sizeof(peer), e;
  uint64_t t0;
  SOCKET a;
  if (!m) {
    *err = WSAENOTSOCK;
    return INVALID_SOCKET;
  }
  t0 = now_ns();
  a = lower->procs.lpWSPAccept(s, addr, addrlen, cond, ctx, err);
  account(m, WS2MON_ACCEPT, a == INVALID_SOCKET, a == INVALID_SOCKET ? *err : 0,
          0, now_ns() - t0);
  if (a == INVALID_SOCKET) return a;
  learn_local(s, m);
  if ((a = pass_up(m->chain, a, err)) == INVALID_SOCKET) return a;
  if ((am = sock_of(a)) != NULL && am->slot) {
    if (lower->procs.lpWSPGetPeerName(a, (struct sockaddr *)peer, &plen, &e) ==
        0)
      take_addr(&am->slot->peer, (const struct sockaddr *)peer, plen);
    learn_local(a, am);
  }
  return a;
}

/* A new socket from WSPJoinLeaf (a multipoint leaf) is passed up too. */
static SOCKET WSPAPI mon_joinleaf(SOCKET s, const struct sockaddr *name,
                                  int namelen, LPWSABUF caller, LPWSABUF callee,
                                  LPQOS sqos, LPQOS gqos, DWORD flags,
                                  LPINT err) {
  msock_t *m = sock_of(s);
  SOCKET j;
  if (!m) {
    *err = WSAENOTSOCK;
    return INVALID_SOCKET;
  }
  j = lower->procs.lpWSPJoinLeaf(s, name, namelen, caller, callee, sqos, gqos,
                                 flags, err);
  if (j == INVALID_SOCKET || j == s) return j;
  return pass_up(m->chain, j, err);
}

static int WSPAPI mon_connect(SOCKET s, const struct sockaddr *name,
                              int namelen, LPWSABUF caller, LPWSABUF callee,
                              LPQOS sqos, LPQOS gqos, LPINT err) {
  msock_t *m = sock_of(s);
  uint64_t t0 = now_ns();
  int r = lower->procs.lpWSPConnect(s, name, namelen, caller, callee, sqos,
                                    gqos, err);
  account(m, WS2MON_CONNECT, r, r ? *err : 0, 0, now_ns() - t0);
  if ((r == 0 || *err == WSAEWOULDBLOCK) && m && m->slot) {
    take_addr(&m->slot->peer, name, namelen);
    learn_local(s, m);
  }
  return r;
}

/* bind: only to learn the local address. */
static int WSPAPI mon_bind(SOCKET s, const struct sockaddr *name, int namelen,
                           LPINT err) {
  int r = lower->procs.lpWSPBind(s, name, namelen, err);
  if (r == 0) learn_local(s, sock_of(s));
  return r;
}

static int WSPAPI mon_closesocket(SOCKET s, LPINT err) {
  /* Forgotten before the lower provider closes it: the handle value may
   * be reused by a new socket of another thread at once. */
  msock_t *m = (msock_t *)ws2lsp_map_get(&socks, s, 1);
  int r = lower->procs.lpWSPCloseSocket(s, err);
  if (r != 0) {
    if (m) ws2lsp_map_put(&socks, s, m); /* still open */
    return r;
  }
  add64(&file->sockets_closed, 1);
  if (m) {
    if (m->slot) {
      m->slot->closed_ns = wall_ns();
      __atomic_store_n(&m->slot->state, WS2MON_CLOSED, __ATOMIC_RELEASE);
    }
    record_retire(m);
  }
  return r;
}

/* ---- Start and clean up ------------------------------------------------ */

static int WSPAPI mon_cleanup(LPINT err) {
  int r = ws2lsp_cleanup(&lsp, err);
  if (r == 0 && lsp.starts == 0) {
    /* The last one: the providers below are cleaned up and unloaded;
     * the file goes (ws2mon no longer lists the process). */
    ws2lsp_map_clear(&socks);
    records_free();
    counters_close(file, published);
    file = NULL;
    lower = NULL;
  }
  return r;
}

MON_EXPORT int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                                 LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                 WSPUPCALLTABLE UpcallTable,
                                 LPWSPPROC_TABLE lpProcTable) {
  ws2lsp_lower_t *low;
  int r, err = 0, first;
  if (!lpProcTable || !lpProtocolInfo) return WSAEINVAL;
  if ((r = ws2lsp_startup(&lsp, &monitor_guid, wVersionRequested, lpWSPData,
                          UpcallTable, "ws2 monitor layer")) != 0)
    return r;
  first = lsp.starts == 1;
  if ((r = ws2lsp_check_ifs_chains(&lsp)) != 0 ||
      !(low = ws2lsp_lower(&lsp, lpProtocolInfo, NULL, &err))) {
    ws2lsp_cleanup(&lsp, &err);
    return r ? r : WSAEPROVIDERFAILEDINIT;
  }
  if (first && !(file = counters_open(&published))) {
    ws2lsp_cleanup(&lsp, &err);
    return WSAENOBUFS;
  }
  if (lower != low) lower = low; /* the same from the second start on */
  /* The lower provider's table with the counted entries replaced. */
  *lpProcTable = low->procs;
  lpProcTable->lpWSPSocket = mon_socket;
  lpProcTable->lpWSPAccept = mon_accept;
  lpProcTable->lpWSPJoinLeaf = mon_joinleaf;
  lpProcTable->lpWSPConnect = mon_connect;
  lpProcTable->lpWSPBind = mon_bind;
  lpProcTable->lpWSPCloseSocket = mon_closesocket;
  lpProcTable->lpWSPSend = mon_send;
  lpProcTable->lpWSPSendTo = mon_sendto;
  lpProcTable->lpWSPRecv = mon_recv;
  lpProcTable->lpWSPRecvFrom = mon_recvfrom;
  lpProcTable->lpWSPCleanup = mon_cleanup;
  return 0;
}
