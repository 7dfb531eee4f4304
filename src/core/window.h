/*
 * window.h: message-only windows and per-thread message queues
 * (window.c), as the rest of ws2 sees them.
 *
 * A window is a core object named by a handle value (its HWND); it belongs
 * to the thread that created it and lives until DestroyWindow or the exit
 * of that thread. Each thread that uses a message function gets a queue,
 * which is freed when the thread exits. WSAAsyncSelect posts its
 * notifications with ws2__window_post, from any thread (an engine thread
 * included), without touching the caller's last error.
 */
#ifndef WS2_CORE_WINDOW_H
#define WS2_CORE_WINDOW_H

#include <windows.h>

struct ws2__thread;

/*
 * Posts a message to hwnd's queue as PostMessage does. Returns 0, -EBADF
 * (hwnd names no window, or its thread has exited), -EAGAIN (the queue
 * holds its limit of 10000 posted messages) or -ENOMEM.
 */
int ws2__window_post(HWND hwnd, UINT msg, WPARAM wParam, LPARAM lParam);

/* 1 if hwnd names a live window, else 0. */
int ws2__window_valid(HWND hwnd);

/*
 * The calling thread t is exiting (thread_retire): its windows are
 * destroyed without any message, the threads waiting in SendMessage on
 * them are released with a result of 0, and its queue is freed.
 */
void ws2__msgq_thread_exit(struct ws2__thread *t);

#endif /* WS2_CORE_WINDOW_H */
