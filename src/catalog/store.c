/*
 * store.c: the catalog file. Reading (no lock: a reader sees one whole
 * file), and changing it: under flock(2) of "<file>.lock", re-read, edit,
 * then replace atomically: "<file>.tmp" written and fsync'd, renamed over
 * the file, the directory fsync'd. A writer killed at any step leaves the
 * old file or the new one, each whole and with a valid checksum; a stale
 * "<file>.tmp" is overwritten by the next writer (only the lock holder
 * writes it).
 */
#include "catalog/internal.h"

#include "core/alloc.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void (*ws2__catalog_write_hook)(int step);

static void step(int n) {
  void (*hook)(int) =
      __atomic_load_n(&ws2__catalog_write_hook, __ATOMIC_ACQUIRE);
  if (hook) hook(n);
}

void ws2__catalog_log_to(void (*sink)(int level, const char *message)) {
  ws2__log_sink = sink;
}

const char *ws2__catalog_file(void) {
  const char *f = getenv("WS2_CATALOG");
  return f && *f ? f : WS2__CATALOG_DEFAULT_FILE;
}

/* "<file><suffix>", or NULL without memory. */
static char *sibling(const char *file, const char *suffix) {
  size_t a = strlen(file), b = strlen(suffix);
  char *s = ws2__malloc(a + b + 1);
  if (s) {
    memcpy(s, file, a);
    memcpy(s + a, suffix, b + 1);
  }
  return s;
}

/* The file's directory, or NULL without memory. */
static char *dir_of(const char *file) {
  const char *slash = strrchr(file, '/');
  size_t n = !slash ? 1 : slash == file ? 1 : (size_t)(slash - file);
  char *d = ws2__malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, slash ? file : ".", n);
  d[n] = 0;
  return d;
}

/*
 * Reads the whole file. 0 with *text (NUL-terminated) and *len; ENOENT
 * when there is no file; another errno when it cannot be read. ws2 never
 * writes the file in place (it renames a new one over it), so what is
 * read is one version of it.
 */
static int read_file(const char *file, char **text, size_t *len) {
  struct stat sb;
  char *buf = NULL, *grown;
  size_t got = 0, cap;
  int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY), err = 0;
  if (fd < 0) return errno;
  if (fstat(fd, &sb) != 0) {
    err = errno;
    goto out;
  }
  if (!S_ISREG(sb.st_mode)) {
    err = S_ISDIR(sb.st_mode) ? EISDIR : EINVAL;
    goto out;
  }
  cap = (size_t)sb.st_size + 1;
  for (;;) {
    ssize_t n;
    if (got + 1 >= cap || !buf) {
      if (buf) cap *= 2;
      if (cap > WS2__CATALOG_MAX_BYTES + 2) cap = WS2__CATALOG_MAX_BYTES + 2;
      if (!(grown = ws2__realloc(buf, cap))) {
        err = ENOMEM;
        goto out;
      }
      buf = grown;
    }
    if (got > WS2__CATALOG_MAX_BYTES) {
      err = EFBIG;
      goto out;
    }
    n = read(fd, buf + got, cap - 1 - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      goto out;
    }
    got += (size_t)n;
  }
  buf[got] = 0;
  *text = buf;
  *len = got;
  buf = NULL;
out:
  ws2__free(buf);
  close(fd);
  return err;
}

/* One error line per unusable file per process: the same damage is not
 * reported at every WSC* call. */
static pthread_mutex_t logged_lock = PTHREAD_MUTEX_INITIALIZER;
static char logged_key[512];

static void log_unusable(const char *file, const ws2__cat_status_t *st) {
  char key[512];
  snprintf(key, sizeof(key), "%s|%d|%s", file, st->code, st->message);
  pthread_mutex_lock(&logged_lock);
  if (strcmp(key, logged_key) == 0) {
    pthread_mutex_unlock(&logged_lock);
    return;
  }
  snprintf(logged_key, sizeof(logged_key), "%s", key);
  pthread_mutex_unlock(&logged_lock);
  if (st->code == WS2__CAT_EFORMAT && st->line)
    ws2__log(WS2__LOG_ERROR,
             "the protocol catalog %s is unusable (line %d: %s); using the "
             "built-in default catalog. `ws2ctl check` shows the problem, "
             "`ws2ctl reset` restores the default (keeping %s.bak)",
             file, st->line, st->message, file);
  else
    ws2__log(WS2__LOG_ERROR,
             "the protocol catalog %s is unusable (%s); using the built-in "
             "default catalog. `ws2ctl check` shows the problem, `ws2ctl "
             "reset` restores the default (keeping %s.bak)",
             file, st->message, file);
}

/*
 * Reads and checks the file. 0 with *out (FROM_FILE or FROM_DEFAULT), -1
 * with *st set when the file is unusable, or WSA_NOT_ENOUGH_MEMORY.
 */
static int load_strict(const char *file, ws2__catalog_t **out,
                       ws2__cat_status_t *st) {
  char *text = NULL;
  size_t len = 0;
  int err, r;
  memset(st, 0, sizeof(*st));
  *out = NULL;
  err = read_file(file, &text, &len);
  if (err == ENOENT) {
    if (!(*out = ws2__catalog_default())) return WSA_NOT_ENOUGH_MEMORY;
  } else if (err == ENOMEM) {
    return WSA_NOT_ENOUGH_MEMORY;
  } else if (err) {
    st->code = WS2__CAT_EREAD;
    st->sys_errno = err;
    snprintf(st->message, sizeof(st->message), "cannot read it: %s",
             err == EFBIG ? "too large to be a catalog" : strerror(err));
    return -1;
  } else {
    r = ws2__catalog_parse(text, len, out, st);
    ws2__free(text);
    if (r) return r;
  }
  if (ws2__catalog_set_file(*out, file)) {
    ws2__catalog_release(*out);
    *out = NULL;
    return WSA_NOT_ENOUGH_MEMORY;
  }
  return 0;
}

int ws2__catalog_load(const char *file, int log, ws2__catalog_t **out) {
  ws2__cat_status_t st;
  int r;
  if (!file) file = ws2__catalog_file();
  r = load_strict(file, out, &st);
  if (r != -1) return r;
  if (log) log_unusable(file, &st);
  if (!(*out = ws2__catalog_default())) return WSA_NOT_ENOUGH_MEMORY;
  (*out)->origin = WS2__CAT_FROM_FALLBACK;
  (*out)->status = st;
  if (ws2__catalog_set_file(*out, file)) {
    ws2__catalog_release(*out);
    *out = NULL;
    return WSA_NOT_ENOUGH_MEMORY;
  }
  return 0;
}

/* ---- Writing. ---- */

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void log_write_error(const char *file, const char *what, int err) {
  ws2__log(WS2__LOG_ERROR, "cannot change the protocol catalog %s: %s: %s%s",
           file, what, strerror(err),
           err == EACCES || err == EPERM || err == EROFS
               ? " (changing the catalog needs write access to its "
                 "directory: run as root, or set WS2_CATALOG)"
               : "");
}

/* Takes the writers' lock: the lock file's descriptor, or -errno. Waits
 * up to 10 s for another writer. */
static int lock_catalog(const char *file) {
  char *lock = sibling(file, ".lock"), *dir;
  struct timespec pause = {0, 1000000};
  int fd, waited_ms = 0, err;
  if (!lock) return -ENOMEM;
  fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
  err = fd < 0 ? errno : 0;
  if (err == ENOENT && (dir = dir_of(file)) != NULL) {
    /* The catalog's directory (/etc/ws2) is made by its first writer. */
    if (mkdir(dir, 0755) == 0 || errno == EEXIST) {
      fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
      err = fd < 0 ? errno : 0;
    } else {
      err = errno;
    }
    ws2__free(dir);
  }
  ws2__free(lock);
  if (fd < 0) return -err;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK || waited_ms >= 10000) {
      err = errno == EWOULDBLOCK ? EINPROGRESS : errno;
      close(fd);
      return -err;
    }
    nanosleep(&pause, NULL);
    waited_ms += (int)(pause.tv_nsec / 1000000);
    if (pause.tv_nsec < 20000000) pause.tv_nsec *= 2;
  }
  return fd;
}

/*
 * Writes text over the file, atomically (the lock held). 0 or an errno,
 * with `what` saying which step failed.
 */
static int replace_file(const char *file, const char *text, size_t len,
                        const char **what) {
  char *tmp = sibling(file, ".tmp"), *dir = dir_of(file);
  struct stat sb;
  mode_t mode = 0644;
  int fd = -1, dfd, err = 0;
  if (!tmp || !dir) {
    err = ENOMEM;
    *what = "no memory";
    goto out;
  }
  /* The new file keeps the old one's permissions. */
  if (stat(file, &sb) == 0) mode = sb.st_mode & 07777;
  unlink(tmp); /* a killed writer's leftover: never followed if a link */
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0) {
    err = errno;
    *what = "creating the temporary file";
    goto out;
  }
  step(WS2__CAT_STEP_TEMP_OPEN);
  if (fchmod(fd, mode) != 0) {
    err = errno;
    *what = "setting its permissions";
    goto out;
  }
  if ((err = write_all(fd, text, len / 2)) != 0) {
    *what = "writing the temporary file";
    goto out;
  }
  step(WS2__CAT_STEP_TEMP_HALF);
  if ((err = write_all(fd, text + len / 2, len - len / 2)) != 0) {
    *what = "writing the temporary file";
    goto out;
  }
  step(WS2__CAT_STEP_TEMP_FULL);
  if (fsync(fd) != 0) {
    err = errno;
    *what = "syncing the temporary file";
    goto out;
  }
  step(WS2__CAT_STEP_TEMP_SYNCED);
  if (close(fd) != 0) {
    fd = -1;
    err = errno;
    *what = "closing the temporary file";
    goto out;
  }
  fd = -1;
  if (rename(tmp, file) != 0) {
    err = errno;
    *what = "renaming the temporary file over the catalog";
    goto out;
  }
  step(WS2__CAT_STEP_RENAMED);
  /* The rename is durable once the directory is. */
  dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    if (fsync(dfd) != 0 && errno != EINVAL)
      ws2__log(WS2__LOG_WARN, "syncing the directory %s: %s", dir,
               strerror(errno));
    close(dfd);
  }
  step(WS2__CAT_STEP_DIR_SYNCED);
out:
  if (fd >= 0) close(fd);
  if (err && tmp) unlink(tmp);
  ws2__free(tmp);
  ws2__free(dir);
  return err;
}

/* The WSA error for a failed write. */
static int write_error(int err) {
  return err == ENOMEM        ? WSA_NOT_ENOUGH_MEMORY
         : err == EINPROGRESS ? WSAEINPROGRESS
                              : WSANO_RECOVERY;
}

/* Under the lock: the current catalog (strict), edited, written. */
static int modify_locked(const char *file, ws2__cat_edit_fn edit, void *arg,
                         int reset, int *backed_up) {
  ws2__catalog_t *cur = NULL, *next = NULL;
  ws2__cat_status_t st;
  const char *what = "";
  char *text = NULL;
  size_t len = 0;
  int r, err;

  r = load_strict(file, &cur, &st);
  step(WS2__CAT_STEP_READ);
  if (r == -1 && !reset) {
    log_unusable(file, &st);
    ws2__log(WS2__LOG_ERROR,
             "not changing the protocol catalog %s: it is unusable; repair "
             "it first (`ws2ctl reset`)",
             file);
    return WSANO_RECOVERY;
  }
  if (r > 0) return r;
  if (reset) {
    uint32_t serial = cur ? cur->serial : 0;
    char *bak;
    if (!(next = ws2__catalog_default())) {
      r = WSA_NOT_ENOUGH_MEMORY;
      goto out;
    }
    next->serial = serial;
    /* Keep what was there (whatever state it is in) as "<file>.bak", a
     * second name of the same file: the catalog itself is replaced
     * atomically below, as for any other change. */
    if (!(bak = sibling(file, ".bak"))) {
      r = WSA_NOT_ENOUGH_MEMORY;
      goto out;
    }
    if (access(file, F_OK) != 0) {
      /* No file to keep: an older backup stays as it is. */
      err = errno == ENOENT ? 0 : errno;
    } else if (unlink(bak) != 0 && errno != ENOENT) {
      err = errno;
    } else if (link(file, bak) == 0) {
      err = 0;
      if (backed_up) *backed_up = 1;
    } else {
      err = errno == ENOENT ? 0 : errno;
    }
    ws2__free(bak);
    if (err) {
      log_write_error(file, "keeping a backup", err);
      r = write_error(err);
      goto out;
    }
  } else {
    if (!(next = ws2__catalog_clone(cur))) {
      r = WSA_NOT_ENOUGH_MEMORY;
      goto out;
    }
    if ((r = edit(next, arg)) != 0) goto out;
  }
  next->serial++;
  next->origin = WS2__CAT_FROM_FILE;
  if (!(text = ws2__catalog_format(next, &len))) {
    r = WSA_NOT_ENOUGH_MEMORY;
    goto out;
  }
  if ((err = replace_file(file, text, len, &what)) != 0) {
    log_write_error(file, what, err);
    r = write_error(err);
    goto out;
  }
  r = 0;
out:
  ws2__free(text);
  ws2__catalog_release(cur);
  ws2__catalog_release(next);
  return r;
}

static int modify(const char *file, ws2__cat_edit_fn edit, void *arg, int reset,
                  int *backed_up) {
  int fd, r;
  if (!file) file = ws2__catalog_file();
  if ((fd = lock_catalog(file)) < 0) {
    if (fd != -EINPROGRESS) log_write_error(file, "taking its lock", -fd);
    return write_error(-fd);
  }
  step(WS2__CAT_STEP_LOCKED);
  r = modify_locked(file, edit, arg, reset, backed_up);
  close(fd); /* releases the lock */
  step(WS2__CAT_STEP_UNLOCKED);
  return r;
}

int ws2__catalog_modify(const char *file, ws2__cat_edit_fn edit, void *arg) {
  return modify(file, edit, arg, 0, NULL);
}

int ws2__catalog_reset(const char *file, int *backed_up) {
  if (backed_up) *backed_up = 0;
  return modify(file, NULL, NULL, 1, backed_up);
}
