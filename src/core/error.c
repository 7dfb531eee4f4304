#include "core/error.h"

#include <errno.h>
#include <stddef.h>

struct status_row {
  const char *name;
  uint32_t status;
  uint32_t win32;
  int wsa;
  int err;
};

static const struct status_row status_rows[] = {
#define X(name, st, w32, wsa, e) {#name, st, w32, wsa, e},
    WS2_STATUS_MAP(X)
#undef X
};

#define NROWS (sizeof(status_rows) / sizeof(status_rows[0]))

static const struct status_row *by_status(NTSTATUS st) {
  size_t i;
  for (i = 0; i < NROWS; i++)
    if (status_rows[i].status == (uint32_t)st) return &status_rows[i];
  return NULL;
}

static const struct status_row *by_errno(int err) {
  size_t i;
  if (err == 0) return &status_rows[0];
  for (i = 0; i < NROWS; i++)
    if (status_rows[i].err == err) return &status_rows[i];
  return NULL;
}

/* An NTSTATUS_FROM_WIN32 value (FACILITY_NTWIN32, error or warning). */
static int is_from_win32(NTSTATUS st) {
  uint32_t u = (uint32_t)st;
  return (u & 0x3FFF0000u) == 0x00070000u && (u & 0x80000000u);
}

DWORD ws2__ntstatus_to_win32(NTSTATUS st) {
  const struct status_row *r = by_status(st);
  if (r) return r->win32;
  if (is_from_win32(st)) return (uint32_t)st & 0xFFFFu;
  return 317 /* ERROR_MR_MID_NOT_FOUND */;
}

int ws2__ntstatus_to_wsa(NTSTATUS st) {
  const struct status_row *r = by_status(st);
  uint32_t code;
  if (r) return r->wsa;
  code = (uint32_t)st & 0xFFFFu;
  if (is_from_win32(st) && code >= 10000 && code < 12000) return (int)code;
  return 10022 /* WSAEINVAL */;
}

NTSTATUS ws2__wsa_to_ntstatus(int wsa) {
  size_t i;
  if (wsa == 0) return 0;
  for (i = 0; i < NROWS; i++)
    if (status_rows[i].wsa == wsa) return (NTSTATUS)status_rows[i].status;
  return (NTSTATUS)WS2_NTSTATUS_FROM_WIN32((uint32_t)wsa);
}

NTSTATUS ws2__errno_to_ntstatus(int err) {
  const struct status_row *r;
  if (err == EWOULDBLOCK) err = EAGAIN;
  r = by_errno(err);
  return (NTSTATUS)(r ? r->status : 0xC0000001u);
}

int ws2__errno_to_wsa(int err) {
  const struct status_row *r;
  if (err == EWOULDBLOCK) err = EAGAIN;
  r = by_errno(err);
  return r ? r->wsa : 10022;
}

DWORD ws2__errno_to_win32(int err) {
  return ws2__ntstatus_to_win32(ws2__errno_to_ntstatus(err));
}

const char *ws2__ntstatus_name(NTSTATUS st) {
  const struct status_row *r = by_status(st);
  return r ? r->name : "STATUS_?";
}
