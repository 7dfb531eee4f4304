/*
 * transmit.c: TransmitFile and TransmitPackets, the base provider's
 * extension functions for sending files and memory over a connected
 * stream socket (SIO_GET_EXTENSION_FUNCTION_POINTER with
 * WSAID_TRANSMITFILE / WSAID_TRANSMITPACKETS).
 *
 * Both become one send-side request over a list of segments (memory, or
 * a range of a file from CreateFile, src/core/file.h): TransmitFile's
 * head, file and tail; TransmitPackets' elements. The attempt function
 * sends from the current segment on, memory with send(2) and files with
 * sendfile(2) on the non-blocking socket, and stops when the socket is
 * full; the request then waits in the socket's send queue like any send
 * (ops.h) and goes on when the engine reports the socket writable. When
 * everything is sent, TF_DISCONNECT / TP_DISCONNECT shuts the sending
 * side down, and with TF_REUSE_SOCKET the socket gets a fresh Linux socket
 * and can be given to AcceptEx or ConnectEx again (as DisconnectEx does).
 *
 * Without an OVERLAPPED the call blocks until all of it is sent (SO_SNDTIMEO
 * bounds each wait), whatever the socket's blocking mode. With one, it
 * completes through the core's completion rule: TRUE when done at once,
 * else FALSE with ERROR_IO_PENDING. The byte count is every byte sent:
 * head + file + tail, or the sum of the elements.
 *
 * Files: TransmitFile starts at OVERLAPPED.Offset/OffsetHigh when
 * overlapped, else at the file pointer, which then moves past what was
 * sent; nNumberOfBytesToWrite 0 sends to the end of the file, and a file
 * shorter than asked is sent to its end. A TransmitPackets file element
 * with nFileOffset -1 starts at the file pointer and moves it likewise;
 * cLength 0 sends to the end. nNumberOfBytesPerSend / nSendSize and the
 * TF_USE_* / TF_WRITE_BEHIND hints are accepted and ignored.
 */
#include <mswsock.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "provider/base/engine.h"
#include "provider/base/ops.h"
#include "xlate/addr.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#define STATUS_PIPE_DISCONNECTED_ ((NTSTATUS)0xC00000B0)

#define TF_FLAGS_OK                                                           \
  (TF_DISCONNECT | TF_REUSE_SOCKET | TF_WRITE_BEHIND | TF_USE_SYSTEM_THREAD | \
   TF_USE_KERNEL_APC)

/* The most one send or sendfile call is asked for. */
#define CHUNK ((size_t)1 << 30)
#define TO_END UINT64_MAX

static const GUID id_transmitfile = WSAID_TRANSMITFILE;
static const GUID id_transmitpackets = WSAID_TRANSMITPACKETS;

enum { SEG_MEM, SEG_FILE };

typedef struct seg {
  int kind;
  const char *buf; /* SEG_MEM: the next byte */
  HANDLE file;     /* SEG_FILE: looked up at each attempt */
  int64_t off;     /* SEG_FILE: the next offset; -1: the file pointer */
  int advance;     /* SEG_FILE: move the file pointer past what is sent */
  uint64_t left;   /* bytes still to send (TO_END: to the end) */
} seg_t;

/*
 * The request's own state. It lives in op->x->state, which the request
 * machinery frees with the request (whichever way it ends: done, failed,
 * cancelled in the queue, aborted by closesocket), so nothing here may
 * need releasing: files are named by their handle and looked up at each
 * attempt. An application closing the file before the request completes
 * (which Windows forbids) makes it fail with WSAEINVAL.
 */
typedef struct transmit {
  size_t nseg, cur;
  DWORD flags;    /* TF_* */
  int overlapped; /* the attempt runs under the socket's lock */
  seg_t segs[];
} transmit_t;

/* After the last byte: TF_DISCONNECT, and TF_REUSE_SOCKET's fresh socket.
 * s->lock is held. Returns 0 or an errno. */
static int tx_disconnect(ws2__bsock_t *s, DWORD flags) {
  int fd;
  if (!(flags & TF_DISCONNECT)) return 0;
  if (shutdown(s->fd, SHUT_WR) != 0 && errno != ENOTCONN) return errno;
  s->flags |= WS2__BS_SHUT_WR;
  if (!(flags & TF_REUSE_SOCKET)) return 0;
  fd = socket(ws2__af_to_linux(s->af),
              SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return errno;
  if (dup3(fd, s->fd, O_CLOEXEC) < 0) {
    int err = errno;
    close(fd);
    return err;
  }
  close(fd);
  if (s->engine->ops->fd_changed(s->engine, s) != 0) return ENOMEM;
  s->flags &= ~(uint32_t)(WS2__BS_BOUND | WS2__BS_CONNECTED | WS2__BS_SHUT_RD |
                          WS2__BS_SHUT_WR);
  s->connect_tick = 0;
  s->rd_ready = s->wr_ready = 1; /* a new socket: nothing known */
  s->rd_marks = 0;
  return 0;
}

static int tx_fail(ws2__bop_t *op, int err) {
  if (err == EPIPE && (ws2__bop_sock(op)->flags & WS2__BS_SHUT_WR))
    op->status = STATUS_PIPE_DISCONNECTED_; /* WSAESHUTDOWN */
  else
    op->status = ws2__errno_to_ntstatus(err == EPIPE ? ECONNRESET : err);
  return 1;
}

/* Ends a segment: the file pointer follows when asked to. */
static void seg_done(seg_t *g, ws2__file_t *f) {
  if (g->kind == SEG_FILE && g->advance && g->off >= 0 && f)
    ws2__file_seek(f, g->off);
  g->left = 0;
}

/* Sends from the current segment on: 1 when done (or failed), 0 when the
 * socket is full. */
static int attempt_transmit(ws2__bop_t *op) {
  transmit_t *t = (transmit_t *)op->x->state;
  ws2__bsock_t *s = ws2__bop_sock(op);

  /* OVERLAPPED.Offset is the file offset here, not a place for result
   * flags: leave it as the application set it (it may add the count to
   * it for the next call). */
  if (t->overlapped) op->req.record_flags = 0;
  while (t->cur < t->nseg) {
    seg_t *g = &t->segs[t->cur];
    size_t len = g->left > CHUNK ? CHUNK : (size_t)g->left;
    ws2__file_t *f = NULL;
    ssize_t n;
    int err = 0;
    if (g->left == 0) {
      t->cur++;
      continue;
    }
    if (g->kind == SEG_MEM) {
      n = send(s->fd, g->buf, len, MSG_NOSIGNAL);
      if (n < 0) err = errno;
    } else {
      off_t off;
      if (!(f = ws2__file_get(g->file))) {
        op->status = (NTSTATUS)WS2_NTSTATUS_FROM_WIN32(WSAEINVAL);
        return 1;
      }
      if (g->off < 0) g->off = ws2__file_tell(f);
      off = (off_t)g->off;
      n = sendfile(s->fd, ws2__file_fd(f), &off, len);
      if (n < 0) err = errno;
      if (n == 0) { /* the end of the file */
        seg_done(g, f);
        ws2__file_unref(f);
        t->cur++;
        continue;
      }
    }
    if (n < 0) {
      if (err == EINTR || err == EAGAIN || err == EWOULDBLOCK) {
        if (f) ws2__file_unref(f);
        if (err == EINTR) continue;
        return 0;
      }
      seg_done(g, f);
      if (f) ws2__file_unref(f);
      return tx_fail(op, err);
    }
    op->bytes += (uint32_t)n;
    if (g->kind == SEG_MEM)
      g->buf += n;
    else
      g->off += n;
    if (g->left != TO_END) g->left -= (uint64_t)n;
    if (g->left == 0) {
      seg_done(g, f);
      t->cur++;
    }
    if (f) ws2__file_unref(f);
  }
  if (t->overlapped) {
    int err = tx_disconnect(s, t->flags);
    if (err) return tx_fail(op, err);
  }
  return 1;
}

/* Runs a prepared request: 0 (done), WSA_IO_PENDING, or a WSA error. op
 * belongs to the request machinery afterwards (overlapped) or is freed. */
static int tx_run(ws2__bop_t *op, LPOVERLAPPED ovl) {
  transmit_t *t = (transmit_t *)op->x->state;
  ws2__bsock_t *s = ws2__bop_sock(op);
  int r = 0;

  op->x->attempt = attempt_transmit;
  if (ovl) {
    DWORD bytes = 0, flags = 0;
    t->overlapped = 1;
    return ws2__bop_submit(op, ovl, NULL, &bytes, &flags);
  }
  /* Synchronous: block until all of it is sent, whatever the socket's
   * blocking mode. */
  while (!attempt_transmit(op)) {
    if ((r = ws2__bsock_wait(
             s, POLLOUT, __atomic_load_n(&s->sndtimeo, __ATOMIC_RELAXED))) != 0)
      break;
  }
  if (r && t->cur < t->nseg) {
    /* Interrupted: the file pointer still follows what was sent. */
    seg_t *g = &t->segs[t->cur];
    ws2__file_t *f = g->kind == SEG_FILE ? ws2__file_get(g->file) : NULL;
    seg_done(g, f);
    if (f) ws2__file_unref(f);
  }
  if (!r && op->status) r = ws2__ntstatus_to_wsa(op->status);
  if (!r) {
    int err;
    pthread_mutex_lock(&s->lock);
    err = tx_disconnect(s, t->flags);
    pthread_mutex_unlock(&s->lock);
    if (err) r = ws2__errno_to_wsa(err);
  }
  ws2__bop_fini(op);
  ws2__free(op);
  return r;
}

/* A send-side request on s with room for nseg segments, or NULL. */
static ws2__bop_t *tx_alloc(ws2__bsock_t *s, size_t nseg) {
  ws2__bop_t *op = ws2__bop_alloc();
  transmit_t *t;
  if (!op) return NULL;
  if (ws2__bop_init(op, s, NULL, 0, 0, 1) != 0 ||
      !(t = ws2__calloc(1, sizeof(*t) + nseg * sizeof(seg_t)))) {
    ws2__bop_fini(op);
    ws2__free(op);
    return NULL;
  }
  op->x->state = t; /* freed with the request */
  return op;
}

/* A file handle the request may read: 0, WSAEINVAL or WSAEACCES. */
static int check_file(HANDLE h) {
  ws2__file_t *f = ws2__file_get(h);
  int err = 0;
  if (!f) return WSAEINVAL;
  if (!ws2__file_readable(f)) err = WSAEACCES;
  ws2__file_unref(f);
  return err;
}

/* The checks the two share: a connected stream socket and valid flags. */
static int check_socket(ws2__bsock_t *s, DWORD flags) {
  if (flags & ~(DWORD)TF_FLAGS_OK) return WSAEINVAL;
  if ((flags & TF_REUSE_SOCKET) && !(flags & TF_DISCONNECT)) return WSAEINVAL;
  if (s->type != WS_SOCK_STREAM) return WSAENOTCONN;
  if (!(s->flags & WS2__BS_CONNECTED)) return WSAENOTCONN;
  if (s->flags & WS2__BS_SHUT_WR) return WSAESHUTDOWN;
  return 0;
}

/* The usual ending of an extension function: TRUE, or FALSE with the
 * last error (ERROR_IO_PENDING when it went pending). */
static BOOL tx_result(ws2__bsock_t *s, int err) {
  ws2__bsock_unref(s);
  if (!err) return TRUE;
  WSASetLastError(err == WSA_IO_PENDING ? ERROR_IO_PENDING : err);
  return FALSE;
}

static BOOL PASCAL bsp_transmitfile(SOCKET hSocket, HANDLE hFile,
                                    DWORD nNumberOfBytesToWrite,
                                    DWORD nNumberOfBytesPerSend,
                                    LPOVERLAPPED lpOverlapped,
                                    LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers,
                                    DWORD dwReserved) {
  ws2__bsock_t *s = ws2__bsock_get(hSocket);
  LPTRANSMIT_FILE_BUFFERS tb = lpTransmitBuffers;
  ws2__bop_t *op;
  transmit_t *t;
  int err;
  size_t n = 0;

  (void)nNumberOfBytesPerSend;
  if (!s) {
    WSASetLastError(WSAENOTSOCK);
    return FALSE;
  }
  if ((err = check_socket(s, dwReserved)) != 0) return tx_result(s, err);
  if (tb && ((!tb->Head && tb->HeadLength) || (!tb->Tail && tb->TailLength)))
    return tx_result(s, WSAEFAULT);
  if (hFile && (err = check_file(hFile)) != 0) return tx_result(s, err);
  if (!(op = tx_alloc(s, 3))) return tx_result(s, WSAENOBUFS);
  t = (transmit_t *)op->x->state;
  if (tb && tb->HeadLength) {
    t->segs[n].kind = SEG_MEM;
    t->segs[n].buf = tb->Head;
    t->segs[n++].left = tb->HeadLength;
  }
  if (hFile) {
    seg_t *g = &t->segs[n++];
    g->kind = SEG_FILE;
    g->file = hFile;
    g->left = nNumberOfBytesToWrite ? nNumberOfBytesToWrite : TO_END;
    if (lpOverlapped) {
      g->off = (int64_t)(((uint64_t)lpOverlapped->OffsetHigh << 32) |
                         lpOverlapped->Offset);
    } else {
      g->off = -1;
      g->advance = 1;
    }
  }
  if (tb && tb->TailLength) {
    t->segs[n].kind = SEG_MEM;
    t->segs[n].buf = tb->Tail;
    t->segs[n++].left = tb->TailLength;
  }
  t->nseg = n;
  t->flags = dwReserved;
  return tx_result(s, tx_run(op, lpOverlapped));
}

static BOOL PASCAL bsp_transmitpackets(SOCKET hSocket,
                                       LPTRANSMIT_PACKETS_ELEMENT lpPacketArray,
                                       DWORD nElementCount, DWORD nSendSize,
                                       LPOVERLAPPED lpOverlapped,
                                       DWORD dwFlags) {
  ws2__bsock_t *s = ws2__bsock_get(hSocket);
  ws2__bop_t *op;
  transmit_t *t;
  DWORD i;
  int err = 0;

  (void)nSendSize;
  if (!s) {
    WSASetLastError(WSAENOTSOCK);
    return FALSE;
  }
  if ((err = check_socket(s, dwFlags)) != 0) return tx_result(s, err);
  if (nElementCount && !lpPacketArray) return tx_result(s, WSAEFAULT);
  for (i = 0; i < nElementCount; i++) {
    const TRANSMIT_PACKETS_ELEMENT *e = &lpPacketArray[i];
    DWORD kind = e->dwElFlags & (TP_ELEMENT_MEMORY | TP_ELEMENT_FILE);
    if ((e->dwElFlags &
         ~(DWORD)(TP_ELEMENT_MEMORY | TP_ELEMENT_FILE | TP_ELEMENT_EOP)) ||
        (kind != TP_ELEMENT_MEMORY && kind != TP_ELEMENT_FILE))
      return tx_result(s, WSAEINVAL);
    if (kind == TP_ELEMENT_MEMORY && !e->pBuffer && e->cLength)
      return tx_result(s, WSAEFAULT);
    if (kind == TP_ELEMENT_FILE) {
      if (e->nFileOffset.QuadPart < -1) return tx_result(s, WSAEINVAL);
      if ((err = check_file(e->hFile)) != 0) return tx_result(s, err);
    }
  }
  if (!(op = tx_alloc(s, nElementCount))) return tx_result(s, WSAENOBUFS);
  t = (transmit_t *)op->x->state;
  t->nseg = nElementCount;
  for (i = 0; i < nElementCount; i++) {
    const TRANSMIT_PACKETS_ELEMENT *e = &lpPacketArray[i];
    seg_t *g = &t->segs[i];
    if (e->dwElFlags & TP_ELEMENT_MEMORY) {
      g->kind = SEG_MEM;
      g->buf = e->pBuffer;
      g->left = e->cLength;
    } else {
      g->kind = SEG_FILE;
      g->file = e->hFile;
      g->left = e->cLength ? e->cLength : TO_END;
      g->off = e->nFileOffset.QuadPart; /* -1: the file pointer, moved */
      g->advance = g->off < 0;
    }
  }
  t->flags = dwFlags;
  return tx_result(s, tx_run(op, lpOverlapped));
}

void *ws2__bsp_transmit_extension(const GUID *id) {
  if (!memcmp(id, &id_transmitfile, sizeof(GUID)))
    return (void *)bsp_transmitfile;
  if (!memcmp(id, &id_transmitpackets, sizeof(GUID)))
    return (void *)bsp_transmitpackets;
  return NULL;
}
