/*
 * ws2mon-shm.h: the file a process using the monitor layer publishes its
 * counters in, and ws2mon reads (plugins/monitor/README.md).
 *
 * One file per process, named by its process id, in the monitor's
 * directory ($WS2_MONITOR_DIR, else $XDG_RUNTIME_DIR/ws2-monitor, else
 * /tmp/ws2-monitor-<uid>). The process maps it shared and updates the
 * counters in place with relaxed atomic additions; a reader maps it
 * read-only and loads each field atomically, so it sees every counter
 * current to within a few operations (the fields of one socket are not a
 * consistent snapshot of one instant, which does not matter for a
 * monitor).
 *
 * Everything is a fixed-width little-endian integer, laid out with no
 * padding the compiler could choose differently: the header's size is a
 * multiple of 8 and so is a slot's.
 */
#ifndef WS2MON_SHM_H
#define WS2MON_SHM_H

#include <stdint.h>

#define WS2MON_MAGIC 0x314e4f4d32535721ull /* "!WS2MON1" */
#define WS2MON_VERSION 1
#define WS2MON_SLOTS 1024 /* sockets shown one by one (per process) */

/* The kinds of operation counted. */
enum {
  WS2MON_SEND,    /* WSPSend, WSPSendTo */
  WS2MON_RECV,    /* WSPRecv, WSPRecvFrom */
  WS2MON_CONNECT, /* WSPConnect */
  WS2MON_ACCEPT,  /* WSPAccept */
  WS2MON_KINDS
};

/* One kind of operation. "At once" means the call itself returned the
 * result (a blocking call, a non-blocking one, or an overlapped one that
 * completed immediately); the monitor cannot see the result of an
 * overlapped request that returned WSA_IO_PENDING. */
typedef struct ws2mon_op {
  uint64_t calls;      /* calls made */
  uint64_t bytes;      /* bytes of those that completed at once */
  uint64_t pending;    /* overlapped requests that returned WSA_IO_PENDING */
  uint64_t wouldblock; /* WSAEWOULDBLOCK (a non-blocking call) */
  uint64_t errors;     /* any other failure */
  uint64_t timed;      /* calls that returned a result: the latency's count */
  uint64_t ns_total;   /* their total time in the call, in nanoseconds */
  uint64_t ns_max;     /* the longest */
} ws2mon_op_t;

typedef struct ws2mon_counters {
  ws2mon_op_t op[WS2MON_KINDS];
} ws2mon_counters_t;

/* An address as Winsock has it: family AF_INET (2) or AF_INET6 (23),
 * port in host order, 4 or 16 bytes of address in network order; family
 * 0 when unknown. */
typedef struct ws2mon_addr {
  uint16_t family;
  uint16_t port;
  uint32_t scope_id;
  uint8_t addr[16];
} ws2mon_addr_t;

enum { WS2MON_FREE = 0, WS2MON_OPEN = 1, WS2MON_CLOSED = 2 };

typedef struct ws2mon_slot {
  uint64_t state;  /* WS2MON_FREE, _OPEN or _CLOSED (kept until reused) */
  uint64_t socket; /* the SOCKET value the application has */
  int32_t af, type, protocol, reserved;
  uint64_t opened_ns, closed_ns; /* wall-clock time (ns since 1970) */
  ws2mon_addr_t local, peer;
  ws2mon_counters_t c;
} ws2mon_slot_t;

typedef struct ws2mon_file {
  uint64_t magic; /* WS2MON_MAGIC, written last */
  uint32_t version, header_size, slot_size, nslots;
  int64_t pid;
  /* Field 22 of /proc/<pid>/stat (clock ticks after boot): a file whose
   * process id is now another process's is stale too. */
  uint64_t start_ticks;
  uint64_t started_ns; /* when the monitor started in it (wall clock) */
  char program[64];    /* the program's name, NUL-terminated */
  uint64_t sockets_opened, sockets_closed;
  uint64_t sockets_untracked; /* opened while every slot was open */
  ws2mon_counters_t total;    /* every socket, closed ones included */
  ws2mon_slot_t slot[WS2MON_SLOTS];
} ws2mon_file_t;

#endif /* WS2MON_SHM_H */
