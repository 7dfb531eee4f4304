/*
 * log.h: ws2's diagnostics, on stderr: "ws2[pid]: level: message".
 * WS2_LOG_LEVEL=error|warn|info|debug (default warn) sets what is shown.
 */
#ifndef WS2_CORE_LOG_H
#define WS2_CORE_LOG_H

enum { WS2__LOG_ERROR, WS2__LOG_WARN, WS2__LOG_INFO, WS2__LOG_DEBUG };

void ws2__log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Where messages go instead of stderr (NULL: stderr): the level and the
 * message without the "ws2[pid]: level: " prefix. For a tool that prints
 * them its own way (ws2ctl, through ws2__catalog_log_to). */
extern void (*_Atomic ws2__log_sink)(int level, const char *message);

#endif /* WS2_CORE_LOG_H */
