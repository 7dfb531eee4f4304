/*
 * file.c: regular files: CreateFileA/W, ReadFile/WriteFile on them (the
 * fops of core/io.h), GetFileSize(Ex), SetFilePointer(Ex),
 * FlushFileBuffers, DeleteFileA/W and GetFileType.
 *
 * A file handle is a core I/O object over a Linux descriptor of a regular
 * file. What ws2 does differently from Windows, by design:
 *  - lpFileName is a Linux path (UTF-8; CreateFileW/DeleteFileW convert
 *    from UTF-16): no drive letters, no backslash translation, no "\\?\".
 *  - Only regular files open. A directory fails with ERROR_ACCESS_DENIED
 *    (what Windows says without FILE_FLAG_BACKUP_SEMANTICS; with it,
 *    ws2 has no directory handles and says ERROR_NOT_SUPPORTED); devices,
 *    FIFOs and sockets fail with ERROR_NOT_SUPPORTED.
 *  - dwShareMode is accepted and not enforced: Linux has no mandatory
 *    sharing, so a second open or a DeleteFile of an open file succeeds.
 *  - lpSecurityAttributes and hTemplateFile are ignored; a new file gets
 *    0666 & ~umask, or 0444 & ~umask with FILE_ATTRIBUTE_READONLY.
 *    FILE_FLAG_WRITE_THROUGH is O_DSYNC; FILE_FLAG_DELETE_ON_CLOSE unlinks
 *    the path when the last handle closes; the other flags and
 *    attributes are accepted and ignored.
 *  - Overlapped I/O on a file completes at once (pread/pwrite, files are
 *    not slow devices here): ReadFile/WriteFile return TRUE and the
 *    completion is reported through the core's completion rule as an
 *    immediate success (event, ReadFileEx routine, port packet unless
 *    FILE_SKIP_COMPLETION_PORT_ON_SUCCESS). A read at or past the end of
 *    the file fails at once with ERROR_HANDLE_EOF (OVERLAPPED.Internal
 *    then holds NTSTATUS_FROM_WIN32(ERROR_HANDLE_EOF), which reads back as
 *    ERROR_HANDLE_EOF; Windows stores STATUS_END_OF_FILE) and, as any
 *    call that fails at once, notifies nothing.
 */
#include "core/file.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/nls.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ACCESS_READ (GENERIC_READ | GENERIC_ALL | 0x0001 /* FILE_READ_DATA */)
#define ACCESS_WRITE                                            \
  (GENERIC_WRITE | GENERIC_ALL | 0x0002 /* FILE_WRITE_DATA */ | \
   0x0004 /* FILE_APPEND_DATA */)

/* The largest transfer one read/write system call makes. */
#define IO_CHUNK 0x7ffff000u

struct ws2__file {
  ws2__io_t io; /* first: the file is a core I/O object */
  int fd;
  int readable, writable;
  int overlapped;    /* FILE_FLAG_OVERLAPPED */
  char *delete_path; /* FILE_FLAG_DELETE_ON_CLOSE: unlinked at close */
};

static void file_close(ws2__obj_t *obj) {
  ws2__file_t *f = ws2__container_of(obj, ws2__file_t, io.obj);
  /* Requests complete at once, so none is in flight; cancel anyway in
   * case that ever changes. */
  ws2__io_cancel(&f->io, NULL, NULL);
  if (f->delete_path) unlink(f->delete_path);
}

static void file_destroy(ws2__obj_t *obj) {
  ws2__file_t *f = ws2__container_of(obj, ws2__file_t, io.obj);
  if (f->fd >= 0) close(f->fd);
  ws2__free(f->delete_path);
  ws2__io_fini(&f->io);
  ws2__free(f);
}

static const ws2__objtype_t file_type = {"file", WS2__OBJ_IO, file_close,
                                         file_destroy};
static const ws2__io_fops_t file_fops;

/* ---- Errors. */

/* Win32 error for a failed file system call on `path` (NULL: none). */
static DWORD file_error(int err, const char *path) {
  switch (err) {
    case ENOENT:
      if (path) {
        /* ERROR_FILE_NOT_FOUND when the directory exists, else
         * ERROR_PATH_NOT_FOUND, as Windows tells the two apart. */
        const char *slash = strrchr(path, '/');
        struct stat st;
        char *dir;
        int ok;
        if (!slash || slash == path) return ERROR_FILE_NOT_FOUND;
        if (!(dir = ws2__malloc((size_t)(slash - path) + 1)))
          return ERROR_NOT_ENOUGH_MEMORY;
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = 0;
        ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
        ws2__free(dir);
        return ok ? ERROR_FILE_NOT_FOUND : ERROR_PATH_NOT_FOUND;
      }
      return ERROR_FILE_NOT_FOUND;
    case ENOTDIR:
      return ERROR_PATH_NOT_FOUND;
    case EEXIST:
      return ERROR_FILE_EXISTS;
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
      return ERROR_ACCESS_DENIED;
    case ETXTBSY:
      return ERROR_SHARING_VIOLATION;
    case ENAMETOOLONG:
      return ERROR_FILENAME_EXCED_RANGE;
    case ELOOP:
      return 1921; /* ERROR_CANT_RESOLVE_FILENAME */
    case EMFILE:
    case ENFILE:
      return ERROR_TOO_MANY_OPEN_FILES;
    case ENOSPC:
    case EDQUOT:
      return ERROR_DISK_FULL;
    case EFBIG:
      return ERROR_FILE_TOO_LARGE;
    case ENOMEM:
      return ERROR_NOT_ENOUGH_MEMORY;
    case EBADF:
      return ERROR_INVALID_HANDLE;
    case EINVAL:
      return ERROR_INVALID_PARAMETER;
    case EIO:
      return ERROR_IO_DEVICE;
    default:
      return ERROR_GEN_FAILURE;
  }
}

/* ---- Creation. */

static HANDLE file_open(const char *path, DWORD access, DWORD disposition,
                        DWORD flags) {
  int rd = (access & ACCESS_READ) != 0, wr = (access & ACCESS_WRITE) != 0;
  int base = (wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY) | O_CLOEXEC | O_NOCTTY |
             O_NONBLOCK; /* non-blocking: a FIFO must not hang */
  mode_t mode = (flags & FILE_ATTRIBUTE_READONLY) ? 0444 : 0666;
  DWORD last = ERROR_SUCCESS;
  ws2__file_t *f;
  struct stat st;
  HANDLE h;
  int fd = -1, fl;

  if (!path) {
    SetLastError(ERROR_PATH_NOT_FOUND);
    return INVALID_HANDLE_VALUE;
  }
  if (!*path) {
    SetLastError(ERROR_PATH_NOT_FOUND);
    return INVALID_HANDLE_VALUE;
  }
  if (flags & FILE_FLAG_WRITE_THROUGH) base |= O_DSYNC;
  switch (disposition) {
    case CREATE_NEW:
      fd = open(path, base | O_CREAT | O_EXCL, mode);
      break;
    case OPEN_EXISTING:
      fd = open(path, base);
      break;
    case TRUNCATE_EXISTING:
      if (!wr) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
      }
      fd = open(path, base);
      break;
    case CREATE_ALWAYS:
    case OPEN_ALWAYS:
      /* Create it, or open what is there: the last error says which. A
       * file deleted between the two opens is created on the next turn. */
      for (;;) {
        fd = open(path, base | O_CREAT | O_EXCL, mode);
        if (fd >= 0 || errno != EEXIST) break;
        fd = open(path, base);
        if (fd >= 0) {
          last = ERROR_ALREADY_EXISTS;
          break;
        }
        if (errno != ENOENT) break;
      }
      break;
    default:
      SetLastError(ERROR_INVALID_PARAMETER);
      return INVALID_HANDLE_VALUE;
  }
  if (fd < 0) {
    SetLastError(file_error(errno, path));
    return INVALID_HANDLE_VALUE;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int dir = S_ISDIR(st.st_mode);
    close(fd);
    SetLastError(dir && !(flags & FILE_FLAG_BACKUP_SEMANTICS)
                     ? ERROR_ACCESS_DENIED
                     : ERROR_NOT_SUPPORTED);
    return INVALID_HANDLE_VALUE;
  }
  /* Truncate only what was checked to be a regular file. */
  if ((disposition == TRUNCATE_EXISTING ||
       (disposition == CREATE_ALWAYS && last == ERROR_ALREADY_EXISTS)) &&
      ftruncate(fd, 0) != 0) {
    int err = errno;
    close(fd);
    SetLastError(file_error(err, NULL));
    return INVALID_HANDLE_VALUE;
  }
  fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);

  if (!(f = ws2__calloc(1, sizeof(*f)))) {
    close(fd);
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return INVALID_HANDLE_VALUE;
  }
  ws2__io_init(&f->io, &file_type);
  f->fd = fd;
  f->readable = rd;
  f->writable = wr;
  f->overlapped = (flags & FILE_FLAG_OVERLAPPED) != 0;
  if (flags & FILE_FLAG_DELETE_ON_CLOSE) {
    size_t n = strlen(path) + 1;
    if ((f->delete_path = ws2__malloc(n)) != NULL)
      memcpy(f->delete_path, path, n);
  }
  f->io.fops = &file_fops;
  if (ws2__handle_new(&f->io.obj, &h) != 0) {
    ws2__free(f->delete_path);
    f->delete_path = NULL;
    ws2__obj_unref(&f->io.obj);
    SetLastError(ERROR_TOO_MANY_OPEN_FILES);
    return INVALID_HANDLE_VALUE;
  }
  ws2__obj_unref(&f->io.obj); /* the handle table keeps its own */
  SetLastError(last);
  return h;
}

/* A wide path as UTF-8 (allocated), or NULL with the last error set. */
static char *path_from_wide(LPCWSTR w) {
  size_t len, need = 0;
  char *s;
  if (!w) {
    SetLastError(ERROR_PATH_NOT_FOUND);
    return NULL;
  }
  len = ws2__wcslen(w);
  if (ws2__utf16_to_utf8(w, len, NULL, 0, WS2__UTF_STRICT, &need, NULL) !=
      WS2__UTF_OK) {
    SetLastError(ERROR_INVALID_NAME);
    return NULL;
  }
  if (!(s = ws2__malloc(need + 1))) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  if (ws2__utf16_to_utf8(w, len, s, need, WS2__UTF_STRICT, &need, NULL) !=
      WS2__UTF_OK) {
    ws2__free(s);
    SetLastError(ERROR_INVALID_NAME);
    return NULL;
  }
  s[need] = 0;
  return s;
}

HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess,
                          DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                          DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile) {
  (void)dwShareMode;
  (void)lpSecurityAttributes;
  (void)hTemplateFile;
  return file_open(lpFileName, dwDesiredAccess, dwCreationDisposition,
                   dwFlagsAndAttributes);
}

HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess,
                          DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes,
                          DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile) {
  char *path = path_from_wide(lpFileName);
  HANDLE h;
  (void)dwShareMode;
  (void)lpSecurityAttributes;
  (void)hTemplateFile;
  if (!path) return INVALID_HANDLE_VALUE;
  h = file_open(path, dwDesiredAccess, dwCreationDisposition,
                dwFlagsAndAttributes);
  ws2__free(path);
  return h;
}

static BOOL delete_path(const char *path) {
  struct stat st;
  if (!path || !*path) {
    SetLastError(ERROR_PATH_NOT_FOUND);
    return FALSE;
  }
  /* Directories are RemoveDirectory's (Windows: ERROR_ACCESS_DENIED). */
  if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    SetLastError(ERROR_ACCESS_DENIED);
    return FALSE;
  }
  if (unlink(path) != 0) {
    SetLastError(file_error(errno, path));
    return FALSE;
  }
  return TRUE;
}

BOOL WINAPI DeleteFileA(LPCSTR lpFileName) { return delete_path(lpFileName); }

BOOL WINAPI DeleteFileW(LPCWSTR lpFileName) {
  char *path = path_from_wide(lpFileName);
  BOOL r;
  if (!path) return FALSE;
  r = delete_path(path);
  ws2__free(path);
  return r;
}

/* ---- The provider's accessors. */

ws2__file_t *ws2__file_get(HANDLE h) {
  ws2__obj_t *obj = ws2__handle_get(h, &file_type);
  return obj ? ws2__container_of(obj, ws2__file_t, io.obj) : NULL;
}

void ws2__file_unref(ws2__file_t *f) { ws2__obj_unref(&f->io.obj); }
int ws2__file_fd(const ws2__file_t *f) { return f->fd; }
int ws2__file_readable(const ws2__file_t *f) { return f->readable; }

int64_t ws2__file_tell(ws2__file_t *f) {
  off_t pos = lseek(f->fd, 0, SEEK_CUR);
  return pos < 0 ? 0 : (int64_t)pos;
}

void ws2__file_seek(ws2__file_t *f, int64_t pos) {
  lseek(f->fd, (off_t)pos, SEEK_SET);
}

/* ---- ReadFile / WriteFile. */

/* Reads or writes len bytes at `off` (-1: at the file pointer). Returns 0
 * (with *done) or an errno. A short count is the end of the file. */
static int transfer(ws2__file_t *f, int wr, char *buf, DWORD len, int64_t off,
                    DWORD *done) {
  DWORD total = 0;
  while (total < len) {
    size_t n = len - total > IO_CHUNK ? IO_CHUNK : len - total;
    ssize_t r;
    if (off < 0)
      r = wr ? write(f->fd, buf + total, n) : read(f->fd, buf + total, n);
    else
      r = wr ? pwrite(f->fd, buf + total, n, (off_t)(off + total))
             : pread(f->fd, buf + total, n, (off_t)(off + total));
    if (r < 0) {
      if (errno == EINTR) continue;
      if (total > 0) break; /* report what was done */
      return errno;
    }
    if (r == 0) break; /* end of file (reads) */
    total += (DWORD)r;
  }
  *done = total;
  return 0;
}

/* A completed request: it only needs freeing. */
typedef struct file_req {
  ws2__req_t req;
} file_req_t;

static void file_req_free(ws2__req_t *req) {
  ws2__free(ws2__container_of(req, file_req_t, req));
}
static const ws2__req_ops_t file_req_ops = {NULL, file_req_free, 0};

static DWORD file_rw(ws2__io_t *io, int write, void *buf, DWORD len,
                     LPDWORD done, LPOVERLAPPED ovl,
                     LPOVERLAPPED_COMPLETION_ROUTINE routine) {
  ws2__file_t *f = ws2__container_of(io, ws2__file_t, io);
  file_req_t *r;
  int64_t off;
  DWORD n = 0;
  int err;

  if (write ? !f->writable : !f->readable) return ERROR_ACCESS_DENIED;
  if (len > 0 && !buf) return ERROR_NOACCESS;
  if (!ovl) {
    /* An overlapped handle has no file pointer to read at. */
    if (f->overlapped) return ERROR_INVALID_PARAMETER;
    if ((err = transfer(f, write, buf, len, -1, &n)) != 0)
      return file_error(err, NULL);
    *done = n; /* at the end of the file: TRUE with 0 bytes */
    return 0;
  }

  off = (int64_t)(((uint64_t)ovl->OffsetHigh << 32) | ovl->Offset);
  if (write && ovl->Offset == 0xFFFFFFFF && ovl->OffsetHigh == 0xFFFFFFFF) {
    /* Both halves all ones: write at the end of the file. */
    struct stat st;
    if (fstat(f->fd, &st) != 0) return file_error(errno, NULL);
    off = (int64_t)st.st_size;
  }
  if (off < 0) return ERROR_INVALID_PARAMETER;
  if (!(r = ws2__malloc(sizeof(*r)))) return ERROR_NOT_ENOUGH_MEMORY;
  if (ws2__req_init(&r->req, io, ovl, WS2__ROUTINE_FILE, (void *)routine,
                    &file_req_ops)) {
    ws2__free(r);
    return ERROR_NOT_ENOUGH_MEMORY;
  }
  err = transfer(f, write, buf, len, off, &n);
  if (!err && !write && n == 0 && len > 0) {
    /* At or past the end: fails at once, nothing notified. */
    ws2__req_discard(&r->req,
                     (NTSTATUS)WS2_NTSTATUS_FROM_WIN32(ERROR_HANDLE_EOF));
    return ERROR_HANDLE_EOF;
  }
  if (err) {
    DWORD e = file_error(err, NULL);
    ws2__req_discard(&r->req, (NTSTATUS)WS2_NTSTATUS_FROM_WIN32(e));
    return e;
  }
  /* A synchronous handle moves its pointer past what it transferred. */
  if (!f->overlapped) lseek(f->fd, (off_t)(off + n), SEEK_SET);
  *done = n;
  ws2__req_complete(&r->req, 0, n, 0, 1);
  return 0;
}

static const ws2__io_fops_t file_fops = {file_rw};

/* ---- Sizes, the file pointer, flushing, types. */

/* The file h names (referenced) or NULL with ERROR_INVALID_HANDLE. */
static ws2__file_t *file_arg(HANDLE h) {
  ws2__file_t *f = ws2__file_get(h);
  if (!f) SetLastError(ERROR_INVALID_HANDLE);
  return f;
}

static int file_size(ws2__file_t *f, int64_t *size) {
  struct stat st;
  if (fstat(f->fd, &st) != 0) {
    SetLastError(file_error(errno, NULL));
    return 0;
  }
  *size = (int64_t)st.st_size;
  return 1;
}

BOOL WINAPI GetFileSizeEx(HANDLE hFile, PLARGE_INTEGER lpFileSize) {
  ws2__file_t *f = file_arg(hFile);
  int64_t size;
  int ok;
  if (!f) return FALSE;
  ok = file_size(f, &size);
  ws2__file_unref(f);
  if (!ok) return FALSE;
  if (!lpFileSize) {
    SetLastError(ERROR_NOACCESS);
    return FALSE;
  }
  lpFileSize->QuadPart = size;
  return TRUE;
}

DWORD WINAPI GetFileSize(HANDLE hFile, LPDWORD lpFileSizeHigh) {
  ws2__file_t *f = file_arg(hFile);
  int64_t size;
  int ok;
  if (!f) return INVALID_FILE_SIZE;
  ok = file_size(f, &size);
  ws2__file_unref(f);
  if (!ok) return INVALID_FILE_SIZE;
  if (lpFileSizeHigh) *lpFileSizeHigh = (DWORD)((uint64_t)size >> 32);
  /* A size whose low half is INVALID_FILE_SIZE: NO_ERROR tells it apart. */
  if ((DWORD)size == INVALID_FILE_SIZE) SetLastError(NO_ERROR);
  return (DWORD)size;
}

/* Moves the pointer: 0 and *pos, or a Win32 error. */
static DWORD file_move(HANDLE h, int64_t dist, DWORD method, int64_t *pos) {
  ws2__file_t *f = ws2__file_get(h);
  int64_t base, size;
  DWORD err = 0;
  if (!f) return ERROR_INVALID_HANDLE;
  switch (method) {
    case FILE_BEGIN:
      base = 0;
      break;
    case FILE_CURRENT:
      base = ws2__file_tell(f);
      break;
    case FILE_END:
      if (!file_size(f, &size)) {
        ws2__file_unref(f);
        return GetLastError();
      }
      base = size;
      break;
    default:
      ws2__file_unref(f);
      return ERROR_INVALID_PARAMETER;
  }
  if ((dist < 0 && base + dist < 0) || (dist > 0 && base > INT64_MAX - dist)) {
    err = dist < 0 ? ERROR_NEGATIVE_SEEK : ERROR_INVALID_PARAMETER;
  } else if (lseek(f->fd, (off_t)(base + dist), SEEK_SET) < 0) {
    err = file_error(errno, NULL);
  } else {
    *pos = base + dist;
  }
  ws2__file_unref(f);
  return err;
}

DWORD WINAPI SetFilePointer(HANDLE hFile, LONG lDistanceToMove,
                            PLONG lpDistanceToMoveHigh, DWORD dwMoveMethod) {
  int64_t dist, pos = 0;
  DWORD err;
  if (lpDistanceToMoveHigh)
    dist = (int64_t)(((uint64_t)(uint32_t)*lpDistanceToMoveHigh << 32) |
                     (uint32_t)lDistanceToMove);
  else
    dist = lDistanceToMove; /* sign-extended */
  err = file_move(hFile, dist, dwMoveMethod, &pos);
  if (!err && !lpDistanceToMoveHigh && pos > 0xFFFFFFFELL) {
    /* The new position does not fit the one 32-bit result. */
    err = ERROR_INVALID_PARAMETER;
  }
  if (err) {
    SetLastError(err);
    return INVALID_SET_FILE_POINTER;
  }
  if (lpDistanceToMoveHigh) *lpDistanceToMoveHigh = (LONG)(pos >> 32);
  /* A position whose low half is INVALID_SET_FILE_POINTER: NO_ERROR. */
  if ((DWORD)pos == INVALID_SET_FILE_POINTER) SetLastError(NO_ERROR);
  return (DWORD)pos;
}

BOOL WINAPI SetFilePointerEx(HANDLE hFile, LARGE_INTEGER liDistanceToMove,
                             PLARGE_INTEGER lpNewFilePointer,
                             DWORD dwMoveMethod) {
  int64_t pos = 0;
  DWORD err = file_move(hFile, liDistanceToMove.QuadPart, dwMoveMethod, &pos);
  if (err) {
    SetLastError(err);
    return FALSE;
  }
  if (lpNewFilePointer) lpNewFilePointer->QuadPart = pos;
  return TRUE;
}

BOOL WINAPI FlushFileBuffers(HANDLE hFile) {
  ws2__file_t *f = file_arg(hFile);
  DWORD err = 0;
  if (!f) return FALSE;
  if (!f->writable)
    err = ERROR_ACCESS_DENIED;
  else if (fsync(f->fd) != 0)
    err = file_error(errno, NULL);
  ws2__file_unref(f);
  if (err) {
    SetLastError(err);
    return FALSE;
  }
  return TRUE;
}

/* Files are disks; every other I/O handle ws2 has is a socket, which
 * Windows reports as a pipe. */
DWORD WINAPI GetFileType(HANDLE hFile) {
  ws2__obj_t *obj = ws2__handle_get(hFile, NULL);
  DWORD type = FILE_TYPE_UNKNOWN;
  if (!obj) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FILE_TYPE_UNKNOWN;
  }
  if (obj->type == &file_type)
    type = FILE_TYPE_DISK;
  else if (obj->type->flags & WS2__OBJ_IO)
    type = FILE_TYPE_PIPE;
  ws2__obj_unref(obj);
  SetLastError(NO_ERROR);
  return type;
}
