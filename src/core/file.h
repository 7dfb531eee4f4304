/*
 * file.h: regular files as core I/O objects (CreateFileA/W, file.c).
 *
 * A file handle is a ws2__io_t with a Linux descriptor behind it, so
 * ReadFile/WriteFile (its fops), CreateIoCompletionPort, GetOverlappedResult
 * and CloseHandle work on it as on a socket. The provider sends files with
 * TransmitFile/TransmitPackets through the accessors below.
 */
#ifndef WS2_CORE_FILE_H
#define WS2_CORE_FILE_H

#include "core/io.h"

#include <stdint.h>

typedef struct ws2__file ws2__file_t;

/* The file h names, referenced (ws2__file_unref), or NULL when h is not a
 * file handle. The descriptor stays open until the last reference goes. */
ws2__file_t *ws2__file_get(HANDLE h);
void ws2__file_unref(ws2__file_t *f);

/* The Linux descriptor (a regular file; blocking). */
int ws2__file_fd(const ws2__file_t *f);
/* Opened with read access (GENERIC_READ or GENERIC_ALL). */
int ws2__file_readable(const ws2__file_t *f);
/* The file pointer (what SetFilePointer sets), and setting it. */
int64_t ws2__file_tell(ws2__file_t *f);
void ws2__file_seek(ws2__file_t *f, int64_t pos);

#endif /* WS2_CORE_FILE_H */
