/*
 * port.h: I/O completion ports.
 *
 * A port is a FIFO of completion packets and a LIFO stack of waiting
 * threads. Posting a packet hands it straight to the most recent waiter
 * (one CAS on the waiter's wake word, then one futex wake) when the port's
 * concurrency allows, else queues it. A thread that dequeues from a port
 * is associated with it and counted as running until it waits again;
 * while it blocks in any other ws2 wait (Sleep, WaitFor*, ...) its slot is
 * given back, so another waiter may be released, as on Windows.
 *
 * Packets are intrusive: an I/O request embeds its own packet, so
 * completing overlapped I/O never allocates. Only PostQueuedCompletionStatus
 * allocates one.
 */
#ifndef WS2_CORE_PORT_H
#define WS2_CORE_PORT_H

#include "core/thread.h"

typedef struct ws2__packet {
  ws2__node_t node;
  ULONG_PTR key;
  LPOVERLAPPED ovl;
  uint32_t status; /* NTSTATUS (OVERLAPPED_ENTRY.Internal, zero-extended) */
  DWORD bytes;
  /* Frees the packet (and what embeds it) once dequeued or discarded. */
  void (*release)(struct ws2__packet *p);
} ws2__packet_t;

typedef struct ws2__port ws2__port_t;
extern const ws2__objtype_t ws2__port_type;

/* A new port (one reference, no handle); concurrency 0 = processors. */
int ws2__port_new(DWORD concurrency, ws2__port_t **out);
ws2__obj_t *ws2__port_obj(ws2__port_t *port);
ws2__port_t *ws2__port_from_obj(ws2__obj_t *obj);

/* Queues p (or hands it to a waiter). A closed port discards it. */
void ws2__port_post(ws2__port_t *port, ws2__packet_t *p);

/* Around an engine poll round (thread.c): the packets the calling thread
 * posts in between reach their port at the end, together. */
void ws2__port_batch_begin(int callbacks);
void ws2__port_batch_end(void);
/* After a round begun with callbacks, and once the poll role is free:
 * gives the packets kept for a port's callback to it. */
void ws2__port_run_callbacks(void);

/* Hooks for thread.c: blocking elsewhere, waking up, exiting. */
void ws2__port_thread_block(ws2__thread_t *self);
void ws2__port_thread_unblock(ws2__thread_t *self);
void ws2__port_thread_exit(ws2__thread_t *self);

#endif /* WS2_CORE_PORT_H */
