/*
 * The errno / NTSTATUS / Win32 / Winsock table (src/core/error.h): every
 * row is consistent with itself and with the other rows, every errno a
 * socket call can produce has the Winsock error Windows gives, and the
 * pairs the rest of ws2 relies on are spot-checked by value.
 */
#include <winsock2.h>

#include "core/error.h"
#include "ws2test.h"

#include <errno.h>

struct row {
  const char *name;
  uint32_t status;
  uint32_t win32;
  int wsa;
  int err;
};

static const struct row rows[] = {
#define X(name, st, w32, wsa, e) {#name, st, w32, wsa, e},
    WS2_STATUS_MAP(X)
#undef X
};
#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

static const struct row *first_with_status(uint32_t st) {
  int i;
  for (i = 0; i < NROWS; i++)
    if (rows[i].status == st) return &rows[i];
  return NULL;
}

TEST(every_errno_row_round_trips_through_its_ntstatus) {
  int i;
  for (i = 0; i < NROWS; i++) {
    const struct row *r = &rows[i];
    NTSTATUS st;
    if (r->err == 0) continue;
    st = ws2__errno_to_ntstatus(r->err);
    if ((uint32_t)st != r->status)
      WS2TEST_FAIL_("%s: errno %d gives 0x%08x", r->name, r->err,
                    (unsigned)st);
    /* errno -> NTSTATUS -> WSA is errno -> WSA, and Win32 likewise. */
    ASSERT_EQ(ws2__ntstatus_to_wsa(st), ws2__errno_to_wsa(r->err));
    ASSERT_EQ(ws2__errno_to_wsa(r->err), r->wsa);
    ASSERT_EQ(ws2__ntstatus_to_win32(st), r->win32);
    ASSERT_EQ(ws2__errno_to_win32(r->err), r->win32);
    /* Every errno row is a failure. */
    ASSERT_FALSE(WS2_NT_SUCCESS(st));
  }
}

TEST(each_errno_has_one_row) {
  int i, j;
  for (i = 0; i < NROWS; i++)
    for (j = i + 1; j < NROWS; j++)
      if (rows[i].err && rows[i].err == rows[j].err)
        WS2TEST_FAIL_("errno %d in %s and %s", rows[i].err, rows[i].name,
                      rows[j].name);
}

TEST(rows_sharing_an_ntstatus_agree) {
  int i;
  for (i = 0; i < NROWS; i++) {
    const struct row *f = first_with_status(rows[i].status);
    if (f->win32 != rows[i].win32 || f->wsa != rows[i].wsa)
      WS2TEST_FAIL_("%s and %s disagree", f->name, rows[i].name);
    ASSERT_EQ(ws2__ntstatus_to_win32((NTSTATUS)rows[i].status), f->win32);
    ASSERT_EQ(ws2__ntstatus_to_wsa((NTSTATUS)rows[i].status), f->wsa);
    ASSERT_TRUE(strcmp(ws2__ntstatus_name((NTSTATUS)rows[i].status),
                       f->name) == 0);
  }
}

/* NTSTATUS_FROM_WIN32 rows: the Win32 error is the code they carry, and
 * the code is the Winsock error itself. */
TEST(from_win32_rows_carry_their_code) {
  int i, n = 0;
  for (i = 0; i < NROWS; i++) {
    if ((rows[i].status & 0xFFFF0000u) != 0xC0070000u) continue;
    n++;
    ASSERT_EQ(rows[i].win32, rows[i].status & 0xFFFFu);
    ASSERT_EQ(rows[i].wsa, (int)(rows[i].status & 0xFFFFu));
  }
  ASSERT_GT(n, 0);
  /* Not in the table: decoded all the same, as RtlNtStatusToDosError. */
  ASSERT_EQ(ws2__ntstatus_to_win32((NTSTATUS)0xC0072733u), WSAEWOULDBLOCK);
  ASSERT_EQ(ws2__ntstatus_to_wsa((NTSTATUS)0xC0072733u), WSAEWOULDBLOCK);
  ASSERT_EQ(ws2__ntstatus_to_win32((NTSTATUS)0xC0070005u),
            ERROR_ACCESS_DENIED);
  /* ... but a non-Winsock code is not a Winsock error. */
  ASSERT_EQ(ws2__ntstatus_to_wsa((NTSTATUS)0xC0070005u), WSAEINVAL);
}

/* Only STATUS_SUCCESS and STATUS_PENDING are success values. */
TEST(failure_rows_are_failures) {
  int i;
  for (i = 0; i < NROWS; i++) {
    if (rows[i].status == 0 || rows[i].status == 0x103) {
      ASSERT_TRUE(WS2_NT_SUCCESS((NTSTATUS)rows[i].status));
      continue;
    }
    if (WS2_NT_SUCCESS((NTSTATUS)rows[i].status))
      WS2TEST_FAIL_("%s is a success value", rows[i].name);
    ASSERT_NE(rows[i].win32, 0);
    ASSERT_NE(rows[i].wsa, 0);
  }
}

/* Every errno a socket call can produce, and the Winsock error Windows
 * reports for the same condition. */
static const struct {
  int err;
  int wsa;
} socket_errnos[] = {
    {EINTR, WSAEINTR},
    {EBADF, WSAENOTSOCK},
    {EACCES, WSAEACCES},
    {EPERM, WSAEACCES},
    {EFAULT, WSAEFAULT},
    {EINVAL, WSAEINVAL},
    {EMFILE, WSAEMFILE},
    {ENFILE, WSAEMFILE},
    {EAGAIN, WSAEWOULDBLOCK},
    {EWOULDBLOCK, WSAEWOULDBLOCK},
    {EINPROGRESS, WSAEWOULDBLOCK},
    {EALREADY, WSAEALREADY},
    {ENOTSOCK, WSAENOTSOCK},
    {EDESTADDRREQ, WSAEDESTADDRREQ},
    {EMSGSIZE, WSAEMSGSIZE},
    {EPROTOTYPE, WSAEPROTOTYPE},
    {ENOPROTOOPT, WSAENOPROTOOPT},
    {EPROTONOSUPPORT, WSAEPROTONOSUPPORT},
    {ESOCKTNOSUPPORT, WSAESOCKTNOSUPPORT},
    {EOPNOTSUPP, WSAEOPNOTSUPP},
    {ENOTSUP, WSAEOPNOTSUPP},
    {EPFNOSUPPORT, WSAEPFNOSUPPORT},
    {EAFNOSUPPORT, WSAEAFNOSUPPORT},
    {EADDRINUSE, WSAEADDRINUSE},
    {EADDRNOTAVAIL, WSAEADDRNOTAVAIL},
    {ENETDOWN, WSAENETDOWN},
    {ENETUNREACH, WSAENETUNREACH},
    {ENETRESET, WSAENETRESET},
    {ECONNABORTED, WSAECONNABORTED},
    {ECONNRESET, WSAECONNRESET},
    {ENOBUFS, WSAENOBUFS},
    {ENOMEM, WSAENOBUFS},
    {EISCONN, WSAEISCONN},
    {ENOTCONN, WSAENOTCONN},
    {ESHUTDOWN, WSAESHUTDOWN},
    {EPIPE, WSAESHUTDOWN},
    {ETIMEDOUT, WSAETIMEDOUT},
    {ECONNREFUSED, WSAECONNREFUSED},
    {ELOOP, WSAELOOP},
    {ENAMETOOLONG, WSAENAMETOOLONG},
    {EHOSTDOWN, WSAEHOSTDOWN},
    {EHOSTUNREACH, WSAEHOSTUNREACH},
    {ENOTEMPTY, WSAENOTEMPTY},
    {EUSERS, WSAEUSERS},
    {EDQUOT, WSAEDQUOT},
    {ESTALE, WSAESTALE},
    {EREMOTE, WSAEREMOTE},
    {ECANCELED, WSA_OPERATION_ABORTED},
};

TEST(socket_errnos_give_the_windows_winsock_error) {
  size_t i;
  for (i = 0; i < sizeof(socket_errnos) / sizeof(socket_errnos[0]); i++) {
    int got = ws2__errno_to_wsa(socket_errnos[i].err);
    if (got != socket_errnos[i].wsa)
      WS2TEST_FAIL_("errno %d: WSA %d, want %d", socket_errnos[i].err, got,
                    socket_errnos[i].wsa);
    /* A real row, not the fallback. */
    ASSERT_NE((uint32_t)ws2__errno_to_ntstatus(socket_errnos[i].err),
              0xC0000001u);
    ASSERT_EQ(ws2__ntstatus_to_wsa(
                  ws2__errno_to_ntstatus(socket_errnos[i].err)),
              socket_errnos[i].wsa);
  }
}

/* The NTSTATUS / GetLastError / WSAGetLastError triples Windows gives. */
TEST(windows_pairs) {
  static const struct {
    uint32_t status;
    DWORD win32;
    int wsa;
  } pairs[] = {
      {0xC0000120, ERROR_OPERATION_ABORTED, WSA_OPERATION_ABORTED},
      {0xC000020D, ERROR_NETNAME_DELETED, WSAECONNRESET},
      {0x80000005, ERROR_MORE_DATA, WSAEMSGSIZE},
      {0xC0000236, ERROR_CONNECTION_REFUSED, WSAECONNREFUSED},
      {0xC00000B5, ERROR_SEM_TIMEOUT, WSAETIMEDOUT},
      {0xC0000241, ERROR_CONNECTION_ABORTED, WSAECONNABORTED},
      {0xC000023C, ERROR_NETWORK_UNREACHABLE, WSAENETUNREACH},
      {0xC000023D, ERROR_HOST_UNREACHABLE, WSAEHOSTUNREACH},
      {0xC000023F, ERROR_PORT_UNREACHABLE, WSAECONNRESET},
      {0xC000023B, ERROR_CONNECTION_ACTIVE, WSAEISCONN},
      {0xC0000140, ERROR_UNEXP_NET_ERR, WSAENOTCONN},
      {0xC0000237, ERROR_GRACEFUL_DISCONNECT, WSAEDISCON},
      {0xC000013B, ERROR_NETNAME_DELETED, WSAECONNABORTED},
      {0xC000013C, ERROR_NETNAME_DELETED, WSAECONNRESET},
      {0xC000020C, ERROR_NETNAME_DELETED, WSAENETRESET},
      {0xC0000043, ERROR_SHARING_VIOLATION, WSAEADDRINUSE},
      {0xC000020A, ERROR_DUP_NAME, WSAEADDRINUSE},
      {0xC0000238, ERROR_ADDRESS_ALREADY_ASSOCIATED, WSAEINVAL},
      {0xC0000207, ERROR_INVALID_NETNAME, WSAEADDRNOTAVAIL},
      {0xC000009A, ERROR_NO_SYSTEM_RESOURCES, WSAENOBUFS},
      {0xC00000A3, ERROR_NOT_READY, WSAEWOULDBLOCK},
      {0xC00000D8, 554 /* ERROR_CANT_WAIT */, WSAEWOULDBLOCK},
      {0xC00000B0, ERROR_PIPE_NOT_CONNECTED, WSAESHUTDOWN},
      {0xC0000005, ERROR_NOACCESS, WSAEFAULT},
      {0xC0000023, ERROR_INSUFFICIENT_BUFFER, WSAEFAULT},
      {0xC0000008, ERROR_INVALID_HANDLE, WSAENOTSOCK},
      {0xC0000022, ERROR_ACCESS_DENIED, WSAEACCES},
      {0xC000000D, ERROR_INVALID_PARAMETER, WSAEINVAL},
      {0xC0000350, ERROR_HOST_DOWN, WSAEHOSTDOWN},
      {0xC0000106, ERROR_FILENAME_EXCED_RANGE, WSAENAMETOOLONG},
      {0x00000103, ERROR_IO_PENDING, WSA_IO_PENDING},
      {0x00000000, ERROR_SUCCESS, 0},
  };
  size_t i;
  for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
    DWORD w = ws2__ntstatus_to_win32((NTSTATUS)pairs[i].status);
    int s = ws2__ntstatus_to_wsa((NTSTATUS)pairs[i].status);
    if (w != pairs[i].win32 || s != pairs[i].wsa)
      WS2TEST_FAIL_("0x%08x: %lu / %d, want %lu / %d",
                    (unsigned)pairs[i].status, (unsigned long)w, s,
                    (unsigned long)pairs[i].win32, pairs[i].wsa);
  }
  ASSERT_TRUE(strcmp(ws2__ntstatus_name((NTSTATUS)0xC0000120),
                     "STATUS_CANCELLED") == 0);
  ASSERT_TRUE(strcmp(ws2__ntstatus_name((NTSTATUS)0xC000020D),
                     "STATUS_CONNECTION_RESET") == 0);
}

TEST(errno_side_spot_checks) {
  /* A connect in progress is WSAEWOULDBLOCK, never WSA_IO_PENDING. */
  ASSERT_EQ(ws2__errno_to_wsa(EINPROGRESS), WSAEWOULDBLOCK);
  ASSERT_EQ_U((uint32_t)ws2__errno_to_ntstatus(EAGAIN), 0xC00000A3);
  ASSERT_EQ_U((uint32_t)ws2__errno_to_ntstatus(ECANCELED), 0xC0000120);
  ASSERT_EQ(ws2__errno_to_win32(ECANCELED), ERROR_OPERATION_ABORTED);
  ASSERT_EQ_U((uint32_t)ws2__errno_to_ntstatus(ECONNRESET), 0xC000020D);
  ASSERT_EQ(ws2__errno_to_win32(ECONNRESET), ERROR_NETNAME_DELETED);
  ASSERT_EQ(ws2__errno_to_win32(ETIMEDOUT), ERROR_SEM_TIMEOUT);
  ASSERT_EQ(ws2__errno_to_win32(ECONNREFUSED), ERROR_CONNECTION_REFUSED);
  ASSERT_EQ(ws2__errno_to_win32(EINTR), WSAEINTR);
  ASSERT_EQ(ws2__errno_to_wsa(0), 0);
  ASSERT_EQ_U((uint32_t)ws2__errno_to_ntstatus(0), 0);
}

TEST(unknown_values_fall_back) {
  ASSERT_EQ(ws2__ntstatus_to_win32((NTSTATUS)0xC0FFEE00u),
            ERROR_MR_MID_NOT_FOUND);
  ASSERT_EQ(ws2__ntstatus_to_wsa((NTSTATUS)0xC0FFEE00u), WSAEINVAL);
  ASSERT_TRUE(strcmp(ws2__ntstatus_name((NTSTATUS)0xC0FFEE00u),
                     "STATUS_?") == 0);
  ASSERT_EQ_U((uint32_t)ws2__errno_to_ntstatus(EXDEV), 0xC0000001);
  ASSERT_EQ(ws2__errno_to_wsa(EXDEV), WSAEINVAL);
  ASSERT_EQ(ws2__errno_to_win32(EXDEV), ERROR_GEN_FAILURE);
}
