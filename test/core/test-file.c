/*
 * test-file.c: regular files through CreateFileA/W: creation dispositions
 * and their errors, ReadFile/WriteFile at the file pointer, SetFilePointer
 * (Ex), sizes, overlapped reads and writes at OVERLAPPED offsets (event,
 * GetOverlappedResult, completion port, ReadFileEx routine), the end of
 * the file, DeleteFile, bad handles.
 *
 * Files are created in the current directory under names made unique by
 * the process id, and deleted. Overlapped calls on a file may complete at
 * once or go pending on Windows: the tests accept both.
 */
#include "ws2test.h"
#include "core-helpers.h"

#include <stdio.h>

static char name_buf[8][64];

/* A file name of this process, slot i (0..7). */
static const char *tmp_name(int i) {
  snprintf(name_buf[i], sizeof(name_buf[i]), "ws2-test-file-%lu-%d.tmp",
           (unsigned long)GetCurrentProcessId(), i);
  return name_buf[i];
}

static HANDLE open_new(const char *name, DWORD access, DWORD flags) {
  HANDLE h = CreateFileA(name, access, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         NULL, CREATE_ALWAYS, flags, NULL);
  return h;
}

/* Writes n bytes and checks the count. */
static void put(HANDLE h, const void *buf, DWORD n) {
  DWORD done = 0xdead;
  ASSERT_TRUE(WriteFile(h, buf, n, &done, NULL));
  ASSERT_EQ(done, n);
}

/* Waits for an overlapped call that returned `ok` (TRUE, or FALSE with
 * ERROR_IO_PENDING) and returns its byte count. */
static DWORD finish(HANDLE h, BOOL ok, OVERLAPPED *ov) {
  DWORD n = 0;
  if (!ok) ASSERT_EQ(GetLastError(), ERROR_IO_PENDING);
  ASSERT_TRUE(GetOverlappedResult(h, ov, &n, TRUE));
  return n;
}

TEST(create_new_and_open_existing_errors) {
  const char *a = tmp_name(0);
  HANDLE h, h2;
  DeleteFileA(a);
  SetLastError(12345);
  h = CreateFileA(a, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW,
                  FILE_ATTRIBUTE_NORMAL, NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  ASSERT_NE_PTR(h, NULL);
  ASSERT_EQ(GetFileType(h), FILE_TYPE_DISK);
  ASSERT_TRUE(CloseHandle(h));

  ASSERT_FAILS_WITH(CreateFileA(a, GENERIC_WRITE, 0, NULL, CREATE_NEW,
                                FILE_ATTRIBUTE_NORMAL, NULL),
                    INVALID_HANDLE_VALUE, ERROR_FILE_EXISTS);
  h2 = CreateFileA(a, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0,
                   NULL);
  ASSERT_NE_PTR(h2, INVALID_HANDLE_VALUE);
  ASSERT_TRUE(CloseHandle(h2));
  ASSERT_TRUE(DeleteFileA(a));

  ASSERT_FAILS_WITH(CreateFileA(a, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0,
                                NULL),
                    INVALID_HANDLE_VALUE, ERROR_FILE_NOT_FOUND);
  ASSERT_FAILS_WITH(CreateFileA(a, GENERIC_WRITE, 0, NULL, TRUNCATE_EXISTING,
                                0, NULL),
                    INVALID_HANDLE_VALUE, ERROR_FILE_NOT_FOUND);
  ASSERT_FAILS_WITH(CreateFileA("ws2-no-such-dir-xyz/f.tmp", GENERIC_READ, 0,
                                NULL, OPEN_EXISTING, 0, NULL),
                    INVALID_HANDLE_VALUE, ERROR_PATH_NOT_FOUND);
  ASSERT_FAILS_WITH(CreateFileA("ws2-no-such-dir-xyz/f.tmp", GENERIC_WRITE, 0,
                                NULL, CREATE_NEW, 0, NULL),
                    INVALID_HANDLE_VALUE, ERROR_PATH_NOT_FOUND);
  ASSERT_FAILS_WITH(CreateFileA(a, GENERIC_READ, 0, NULL, 0, 0, NULL),
                    INVALID_HANDLE_VALUE, ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(CreateFileA(a, GENERIC_READ, 0, NULL, 6, 0, NULL),
                    INVALID_HANDLE_VALUE, ERROR_INVALID_PARAMETER);
  ASSERT_FAILS_WITH(CreateFileA(a, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0,
                                NULL),
                    INVALID_HANDLE_VALUE, ERROR_FILE_NOT_FOUND);
}

TEST(create_always_and_open_always_report_existing) {
  const char *a = tmp_name(0);
  HANDLE h;
  char buf[16];
  DWORD n;
  DeleteFileA(a);

  /* New: last error 0. */
  SetLastError(12345);
  h = CreateFileA(a, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  ASSERT_EQ(GetLastError(), 0);
  put(h, "0123456789", 10);
  ASSERT_TRUE(CloseHandle(h));

  /* OPEN_ALWAYS on it: ERROR_ALREADY_EXISTS, content kept. */
  SetLastError(12345);
  h = CreateFileA(a, GENERIC_READ, 0, NULL, OPEN_ALWAYS, 0, NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  ASSERT_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
  ASSERT_EQ(GetFileSize(h, NULL), 10);
  ASSERT_TRUE(ReadFile(h, buf, sizeof(buf), &n, NULL));
  ASSERT_EQ(n, 10);
  ASSERT_MEM_EQ(buf, "0123456789", 10);
  ASSERT_TRUE(CloseHandle(h));

  /* CREATE_ALWAYS on it: ERROR_ALREADY_EXISTS, truncated. */
  SetLastError(12345);
  h = CreateFileA(a, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0,
                  NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  ASSERT_EQ(GetLastError(), ERROR_ALREADY_EXISTS);
  ASSERT_EQ(GetFileSize(h, NULL), 0);
  put(h, "abc", 3);
  ASSERT_TRUE(CloseHandle(h));

  /* TRUNCATE_EXISTING empties it. */
  h = CreateFileA(a, GENERIC_WRITE, 0, NULL, TRUNCATE_EXISTING, 0, NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  ASSERT_EQ(GetFileSize(h, NULL), 0);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileA(a));

  /* OPEN_ALWAYS on nothing creates it, last error 0. */
  SetLastError(12345);
  h = CreateFileA(a, GENERIC_READ, 0, NULL, OPEN_ALWAYS, 0, NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  ASSERT_EQ(GetLastError(), 0);
  ASSERT_EQ(GetFileSize(h, NULL), 0);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileA(a));
}

TEST(wide_names) {
  WCHAR w[64];
  const char *a = tmp_name(1);
  HANDLE h;
  int i;
  for (i = 0; a[i]; i++) w[i] = (WCHAR)(unsigned char)a[i];
  w[i] = 0;
  DeleteFileA(a);
  h = CreateFileW(w, GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  put(h, "wide", 4);
  ASSERT_TRUE(CloseHandle(h));
  /* The narrow name names the same file. */
  h = CreateFileA(a, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  ASSERT_EQ(GetFileSize(h, NULL), 4);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileW(w));
  ASSERT_FAILS_WITH(DeleteFileW(w), FALSE, ERROR_FILE_NOT_FOUND);
}

TEST(delete_file_errors) {
  const char *a = tmp_name(2);
  DeleteFileA(a);
  ASSERT_FAILS_WITH(DeleteFileA(a), FALSE, ERROR_FILE_NOT_FOUND);
  ASSERT_FAILS_WITH(DeleteFileA("ws2-no-such-dir-xyz/f.tmp"), FALSE,
                    ERROR_PATH_NOT_FOUND);
}

TEST(directory_is_not_a_file) {
  /* Without FILE_FLAG_BACKUP_SEMANTICS a directory does not open. */
  ASSERT_FAILS_WITH(CreateFileA(".", GENERIC_READ, FILE_SHARE_READ, NULL,
                                OPEN_EXISTING, 0, NULL),
                    INVALID_HANDLE_VALUE, ERROR_ACCESS_DENIED);
}

TEST(sequential_io_moves_the_file_pointer) {
  const char *a = tmp_name(3);
  HANDLE h = open_new(a, GENERIC_READ | GENERIC_WRITE, 0);
  char buf[32];
  DWORD n, high;
  LARGE_INTEGER size;
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  put(h, "hello ", 6);
  put(h, "world", 5);
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_CURRENT), 11);
  high = 77;
  ASSERT_EQ(GetFileSize(h, &high), 11);
  ASSERT_EQ(high, 0);
  ASSERT_TRUE(GetFileSizeEx(h, &size));
  ASSERT_EQ(size.QuadPart, 11);

  /* At the end: TRUE with 0 bytes (a synchronous handle). */
  n = 99;
  ASSERT_TRUE(ReadFile(h, buf, sizeof(buf), &n, NULL));
  ASSERT_EQ(n, 0);

  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_BEGIN), 0);
  ASSERT_TRUE(ReadFile(h, buf, 5, &n, NULL));
  ASSERT_EQ(n, 5);
  ASSERT_MEM_EQ(buf, "hello", 5);
  ASSERT_TRUE(ReadFile(h, buf, sizeof(buf), &n, NULL));
  ASSERT_EQ(n, 6);
  ASSERT_MEM_EQ(buf, " world", 6);
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_CURRENT), 11);

  /* Overwrite in the middle. */
  ASSERT_EQ(SetFilePointer(h, 6, NULL, FILE_BEGIN), 6);
  put(h, "WORLD", 5);
  ASSERT_EQ(SetFilePointer(h, -11, NULL, FILE_END), 0);
  ASSERT_TRUE(ReadFile(h, buf, sizeof(buf), &n, NULL));
  ASSERT_EQ(n, 11);
  ASSERT_MEM_EQ(buf, "hello WORLD", 11);

  /* A zero-length read or write does nothing and succeeds. */
  ASSERT_TRUE(ReadFile(h, buf, 0, &n, NULL));
  ASSERT_EQ(n, 0);
  ASSERT_TRUE(WriteFile(h, buf, 0, &n, NULL));
  ASSERT_EQ(n, 0);
  ASSERT_TRUE(FlushFileBuffers(h));
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileA(a));
}

TEST(set_file_pointer_methods_and_errors) {
  const char *a = tmp_name(4);
  HANDLE h = open_new(a, GENERIC_READ | GENERIC_WRITE, 0);
  LARGE_INTEGER d, pos;
  LONG high;
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  put(h, "0123456789", 10);
  ASSERT_EQ(SetFilePointer(h, 3, NULL, FILE_BEGIN), 3);
  ASSERT_EQ(SetFilePointer(h, 2, NULL, FILE_CURRENT), 5);
  ASSERT_EQ(SetFilePointer(h, -1, NULL, FILE_CURRENT), 4);
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_END), 10);
  ASSERT_EQ(SetFilePointer(h, 5, NULL, FILE_END), 15); /* past the end */
  ASSERT_EQ(GetFileSize(h, NULL), 10);                /* not extended */

  /* Before the start: fails, the pointer stays. */
  SetFilePointer(h, 4, NULL, FILE_BEGIN);
  ASSERT_FAILS_WITH(SetFilePointer(h, -5, NULL, FILE_CURRENT),
                    INVALID_SET_FILE_POINTER, ERROR_NEGATIVE_SEEK);
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_CURRENT), 4);
  ASSERT_FAILS_WITH(SetFilePointer(h, -11, NULL, FILE_END),
                    INVALID_SET_FILE_POINTER, ERROR_NEGATIVE_SEEK);
  ASSERT_FAILS_WITH(SetFilePointer(h, 0, NULL, 3), INVALID_SET_FILE_POINTER,
                    ERROR_INVALID_PARAMETER);

  /* The high half: a 64-bit position. */
  high = 1;
  ASSERT_EQ(SetFilePointer(h, 8, &high, FILE_BEGIN), 8);
  ASSERT_EQ(high, 1);
  high = 0;
  ASSERT_EQ(SetFilePointer(h, 0, &high, FILE_CURRENT), 8);
  ASSERT_EQ(high, 1);
  /* A position whose low half is all ones: NO_ERROR tells it apart. */
  high = 0;
  SetLastError(12345);
  ASSERT_EQ(SetFilePointer(h, -1, &high, FILE_BEGIN) + 0ULL,
            INVALID_SET_FILE_POINTER + 0ULL);
  ASSERT_EQ(GetLastError(), NO_ERROR);
  ASSERT_EQ(high, 0);

  d.QuadPart = 7;
  ASSERT_TRUE(SetFilePointerEx(h, d, &pos, FILE_BEGIN));
  ASSERT_EQ(pos.QuadPart, 7);
  d.QuadPart = -2;
  ASSERT_TRUE(SetFilePointerEx(h, d, &pos, FILE_CURRENT));
  ASSERT_EQ(pos.QuadPart, 5);
  d.QuadPart = -100;
  ASSERT_FAILS_WITH(SetFilePointerEx(h, d, &pos, FILE_CURRENT), FALSE,
                    ERROR_NEGATIVE_SEEK);
  d.QuadPart = 0;
  ASSERT_TRUE(SetFilePointerEx(h, d, NULL, FILE_END));
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_CURRENT), 10);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileA(a));
}

TEST(access_rights_are_enforced) {
  const char *a = tmp_name(5);
  HANDLE h = open_new(a, GENERIC_WRITE, 0), r;
  char buf[4];
  DWORD n;
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  put(h, "data", 4);
  ASSERT_FAILS_WITH(ReadFile(h, buf, 4, &n, NULL), FALSE,
                    ERROR_ACCESS_DENIED);
  r = CreateFileA(a, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                  OPEN_EXISTING, 0, NULL);
  ASSERT_NE_PTR(r, INVALID_HANDLE_VALUE);
  ASSERT_FAILS_WITH(WriteFile(r, "x", 1, &n, NULL), FALSE,
                    ERROR_ACCESS_DENIED);
  ASSERT_TRUE(ReadFile(r, buf, 4, &n, NULL));
  ASSERT_EQ(n, 4);
  ASSERT_FAILS_WITH(FlushFileBuffers(r), FALSE, ERROR_ACCESS_DENIED);
  ASSERT_TRUE(CloseHandle(r));
  ASSERT_TRUE(CloseHandle(h));

  /* No access at all: the handle exists, for its attributes. */
  r = CreateFileA(a, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                  OPEN_EXISTING, 0, NULL);
  ASSERT_NE_PTR(r, INVALID_HANDLE_VALUE);
  ASSERT_EQ(GetFileSize(r, NULL), 4);
  ASSERT_FAILS_WITH(ReadFile(r, buf, 4, &n, NULL), FALSE,
                    ERROR_ACCESS_DENIED);
  ASSERT_TRUE(CloseHandle(r));
  ASSERT_TRUE(DeleteFileA(a));
}

TEST(overlapped_io_at_offsets_with_an_event) {
  const char *a = tmp_name(6);
  HANDLE h = open_new(a, GENERIC_READ | GENERIC_WRITE, FILE_FLAG_OVERLAPPED);
  OVERLAPPED ov;
  char buf[32];
  DWORD n;
  BOOL ok;
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);

  /* Writes land at their offsets, not at a file pointer. */
  ov.Offset = 10;
  ok = WriteFile(h, "tail", 4, NULL, &ov);
  ASSERT_EQ(finish(h, ok, &ov), 4);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
  ASSERT_EQ(ov.Internal, 0);
  ASSERT_EQ(ov.InternalHigh, 4);
  ResetEvent(ov.hEvent);
  ov.Offset = 0;
  ok = WriteFile(h, "head", 4, NULL, &ov);
  ASSERT_EQ(finish(h, ok, &ov), 4);
  ASSERT_EQ(GetFileSize(h, NULL), 14);

  ResetEvent(ov.hEvent);
  ov.Offset = 10;
  ok = ReadFile(h, buf, sizeof(buf), NULL, &ov);
  ASSERT_EQ(finish(h, ok, &ov), 4); /* a short read at the end */
  ASSERT_MEM_EQ(buf, "tail", 4);
  ASSERT_EQ(WaitForSingleObject(ov.hEvent, 0), WAIT_OBJECT_0);
  ov.Offset = 0;
  ok = ReadFile(h, buf, 4, &n, &ov);
  ASSERT_EQ(finish(h, ok, &ov), 4);
  ASSERT_MEM_EQ(buf, "head", 4);
  /* The gap reads as zeros. */
  ov.Offset = 4;
  ok = ReadFile(h, buf, 6, NULL, &ov);
  ASSERT_EQ(finish(h, ok, &ov), 6);
  ASSERT_MEM_EQ(buf, "\0\0\0\0\0\0", 6);

  /* Without an event, GetOverlappedResult waits on the handle. */
  ov.hEvent = NULL;
  ov.Offset = 0;
  ok = ReadFile(h, buf, 4, NULL, &ov);
  ASSERT_EQ(finish(h, ok, &ov), 4);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileA(a));
}

TEST(overlapped_read_at_the_end_fails_with_handle_eof) {
  const char *a = tmp_name(7);
  HANDLE h = open_new(a, GENERIC_READ | GENERIC_WRITE, FILE_FLAG_OVERLAPPED);
  OVERLAPPED ov;
  char buf[8];
  DWORD n = 0;
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
  ASSERT_TRUE(WriteFile(h, "abc", 3, NULL, &ov) ||
              GetLastError() == ERROR_IO_PENDING);
  ASSERT_TRUE(GetOverlappedResult(h, &ov, &n, TRUE));
  for (ov.Offset = 3; ov.Offset <= 100; ov.Offset += 97) {
    if (!ReadFile(h, buf, sizeof(buf), NULL, &ov)) {
      if (GetLastError() == ERROR_IO_PENDING) {
        ASSERT_FAILS_WITH(GetOverlappedResult(h, &ov, &n, TRUE), FALSE,
                          ERROR_HANDLE_EOF);
      } else {
        ASSERT_EQ(GetLastError(), ERROR_HANDLE_EOF);
      }
    } else {
      FAIL("an overlapped read at the end succeeded");
    }
  }
  CloseHandle(ov.hEvent);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileA(a));
}

TEST(overlapped_io_through_a_completion_port) {
  const char *a = tmp_name(0);
  HANDLE h = open_new(a, GENERIC_READ | GENERIC_WRITE, FILE_FLAG_OVERLAPPED);
  HANDLE port;
  OVERLAPPED ov[3], *got;
  char buf[3][8];
  DWORD n;
  ULONG_PTR key;
  int i, seen = 0;
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  port = CreateIoCompletionPort(h, NULL, 42, 0);
  ASSERT_NE_PTR(port, NULL);
  for (i = 0; i < 3; i++) {
    BOOL ok;
    memset(&ov[i], 0, sizeof(ov[i]));
    ov[i].Offset = (DWORD)(i * 8);
    ok = WriteFile(h, "12345678", 8, NULL, &ov[i]);
    if (!ok) ASSERT_EQ(GetLastError(), ERROR_IO_PENDING);
  }
  /* One packet per write, whether it completed at once or not. */
  for (i = 0; i < 3; i++) {
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &got, 5000));
    ASSERT_EQ(key, 42);
    ASSERT_EQ(n, 8);
    ASSERT_TRUE(got >= &ov[0] && got <= &ov[2]);
    seen |= 1 << (got - ov);
  }
  ASSERT_EQ(seen, 7);
  ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &got, 0));
  ASSERT_EQ(GetLastError(), WAIT_TIMEOUT);

  for (i = 0; i < 3; i++) {
    BOOL ok;
    memset(&ov[i], 0, sizeof(ov[i]));
    ov[i].Offset = i ? (DWORD)(16 + i) : 0;
    ok = ReadFile(h, buf[i], 8, NULL, &ov[i]);
    if (!ok) ASSERT_EQ(GetLastError(), ERROR_IO_PENDING);
  }
  for (i = 0; i < 3; i++) {
    ASSERT_TRUE(GetQueuedCompletionStatus(port, &n, &key, &got, 5000));
    ASSERT_EQ(key, 42);
    ASSERT_EQ(n, 8 - (DWORD)(got - ov)); /* the last ones are short */
  }
  ASSERT_MEM_EQ(buf[0], "12345678", 8);
  ASSERT_MEM_EQ(buf[1], "2345678", 7);
  ASSERT_MEM_EQ(buf[2], "345678", 6);

  /* A read at the end fails at once: no packet. */
  memset(&ov[0], 0, sizeof(ov[0]));
  ov[0].Offset = 24;
  if (!ReadFile(h, buf[0], 8, NULL, &ov[0]) &&
      GetLastError() == ERROR_HANDLE_EOF)
    ASSERT_FALSE(GetQueuedCompletionStatus(port, &n, &key, &got, 50));
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(CloseHandle(port));
  ASSERT_TRUE(DeleteFileA(a));
}

static volatile LONG routine_calls;
static DWORD routine_err, routine_bytes;
static OVERLAPPED *routine_ov;

static VOID WINAPI on_done(DWORD err, DWORD bytes, LPOVERLAPPED ov) {
  routine_err = err;
  routine_bytes = bytes;
  routine_ov = ov;
  InterlockedIncrement(&routine_calls);
}

TEST(readfileex_runs_its_routine_in_an_alertable_wait) {
  const char *a = tmp_name(1);
  HANDLE h = open_new(a, GENERIC_READ | GENERIC_WRITE, FILE_FLAG_OVERLAPPED);
  OVERLAPPED ov;
  char buf[16];
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  drain_apcs();
  memset(&ov, 0, sizeof(ov));
  ov.Offset = 2;
  routine_calls = 0;
  ASSERT_TRUE(WriteFileEx(h, "routine", 7, &ov, on_done));
  ASSERT_EQ(read_long(&routine_calls), 0); /* only in an alertable wait */
  ASSERT_EQ(SleepEx(5000, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&routine_calls), 1);
  ASSERT_EQ(routine_err, 0);
  ASSERT_EQ(routine_bytes, 7);
  ASSERT_EQ_PTR(routine_ov, &ov);

  memset(&ov, 0, sizeof(ov));
  ov.Offset = 4;
  ASSERT_TRUE(ReadFileEx(h, buf, sizeof(buf), &ov, on_done));
  ASSERT_EQ(SleepEx(5000, TRUE), WAIT_IO_COMPLETION);
  ASSERT_EQ(read_long(&routine_calls), 2);
  ASSERT_EQ(routine_err, 0);
  ASSERT_EQ(routine_bytes, 5);
  ASSERT_MEM_EQ(buf, "utine", 5);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileA(a));
}

TEST(synchronous_handle_with_an_offset) {
  const char *a = tmp_name(2);
  HANDLE h = open_new(a, GENERIC_READ | GENERIC_WRITE, 0);
  OVERLAPPED ov;
  char buf[8];
  DWORD n = 0;
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  put(h, "abcdefgh", 8);
  memset(&ov, 0, sizeof(ov));
  ov.Offset = 2;
  /* Synchronous: done on return, at the offset, and the pointer follows. */
  ASSERT_TRUE(ReadFile(h, buf, 3, &n, &ov));
  ASSERT_EQ(n, 3);
  ASSERT_MEM_EQ(buf, "cde", 3);
  ASSERT_EQ(ov.InternalHigh, 3);
  ASSERT_EQ(SetFilePointer(h, 0, NULL, FILE_CURRENT), 5);
  ASSERT_TRUE(ReadFile(h, buf, 8, &n, NULL));
  ASSERT_EQ(n, 3);
  ASSERT_MEM_EQ(buf, "fgh", 3);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_TRUE(DeleteFileA(a));
}

TEST(bad_handles) {
  HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
  char buf[4];
  DWORD n;
  LARGE_INTEGER li;
  const char *a = tmp_name(3);
  HANDLE h;
  ASSERT_FAILS_WITH(ReadFile(BOGUS_HANDLE, buf, 4, &n, NULL), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(WriteFile(BOGUS_HANDLE, buf, 4, &n, NULL), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetFileSize(BOGUS_HANDLE, NULL), INVALID_FILE_SIZE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetFileSizeEx(BOGUS_HANDLE, &li), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(SetFilePointer(BOGUS_HANDLE, 0, NULL, FILE_BEGIN),
                    INVALID_SET_FILE_POINTER, ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(FlushFileBuffers(BOGUS_HANDLE), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(GetFileType(BOGUS_HANDLE), FILE_TYPE_UNKNOWN,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(CreateFileA(a, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0,
                                NULL),
                    INVALID_HANDLE_VALUE, ERROR_FILE_NOT_FOUND);
  /* An event is not a file. */
  ASSERT_FALSE(ReadFile(ev, buf, 4, &n, NULL));
  ASSERT_FALSE(GetFileSizeEx(ev, &li));
  ASSERT_TRUE(CloseHandle(ev));

  /* A closed file handle is gone. */
  h = open_new(a, GENERIC_READ | GENERIC_WRITE, 0);
  ASSERT_NE_PTR(h, INVALID_HANDLE_VALUE);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_FAILS_WITH(ReadFile(h, buf, 4, &n, NULL), FALSE,
                    ERROR_INVALID_HANDLE);
  ASSERT_FAILS_WITH(CloseHandle(h), FALSE, ERROR_INVALID_HANDLE);
  ASSERT_TRUE(DeleteFileA(a));
}
