/*
 * event.c: event objects and the generic handle functions (CloseHandle,
 * DuplicateHandle, Get/SetHandleInformation).
 */
#include "core/alloc.h"
#include "core/sync.h"
#include "core/thread.h"

#include <errno.h>

typedef struct event {
  ws2__obj_t obj;
  ws2__sync_t sync;
} event_t;

static void event_destroy(ws2__obj_t *obj) {
  event_t *e = ws2__container_of(obj, event_t, obj);
  ws2__sync_destroy(&e->sync);
  ws2__free(e);
}

const ws2__objtype_t ws2__event_type = {"event", 0, NULL, event_destroy};

static HANDLE event_create(LPSECURITY_ATTRIBUTES sa, BOOL manual,
                           BOOL initial) {
  event_t *e = ws2__malloc(sizeof(*e));
  HANDLE h;
  if (!e) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  ws2__obj_init(&e->obj, &ws2__event_type, &e->sync);
  ws2__sync_init(&e->sync, manual, initial);
  if (ws2__handle_new(&e->obj, &h) != 0) {
    ws2__obj_unref(&e->obj);
    SetLastError(ERROR_NO_SYSTEM_RESOURCES);
    return NULL;
  }
  ws2__obj_unref(&e->obj); /* the handle table holds it now */
  if (sa && sa->bInheritHandle)
    ws2__handle_set_flags(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  SetLastError(ERROR_SUCCESS);
  return h;
}

/* Named events would be shared between processes on Windows. ws2 has no
 * object namespace: a name is refused rather than silently ignored. */
static int name_given(const void *name) {
  if (!name) return 0;
  SetLastError(ERROR_NOT_SUPPORTED);
  return 1;
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes,
                           BOOL bManualReset, BOOL bInitialState,
                           LPCSTR lpName) {
  if (name_given(lpName)) return NULL;
  return event_create(lpEventAttributes, bManualReset, bInitialState);
}

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes,
                           BOOL bManualReset, BOOL bInitialState,
                           LPCWSTR lpName) {
  if (name_given(lpName)) return NULL;
  return event_create(lpEventAttributes, bManualReset, bInitialState);
}

HANDLE WINAPI CreateEventExA(LPSECURITY_ATTRIBUTES lpEventAttributes,
                             LPCSTR lpName, DWORD dwFlags,
                             DWORD dwDesiredAccess) {
  if (dwFlags & ~(DWORD)(CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET)) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  if (name_given(lpName)) return NULL;
  return event_create(lpEventAttributes,
                      !!(dwFlags & CREATE_EVENT_MANUAL_RESET),
                      !!(dwFlags & CREATE_EVENT_INITIAL_SET));
}

HANDLE WINAPI CreateEventExW(LPSECURITY_ATTRIBUTES lpEventAttributes,
                             LPCWSTR lpName, DWORD dwFlags,
                             DWORD dwDesiredAccess) {
  if (name_given(lpName)) return NULL;
  return CreateEventExA(lpEventAttributes, NULL, dwFlags, dwDesiredAccess);
}

static event_t *event_get(HANDLE h) {
  ws2__obj_t *obj = ws2__handle_get(h, &ws2__event_type);
  if (!obj) {
    SetLastError(ERROR_INVALID_HANDLE);
    return NULL;
  }
  return ws2__container_of(obj, event_t, obj);
}

int ws2__event_set_handle(HANDLE h) {
  ws2__obj_t *obj = ws2__handle_get(h, &ws2__event_type);
  if (!obj) return -EBADF;
  ws2__sync_set(obj->sync);
  ws2__obj_unref(obj);
  return 0;
}

BOOL WINAPI SetEvent(HANDLE hEvent) {
  event_t *e = event_get(hEvent);
  if (!e) return FALSE;
  ws2__sync_set(&e->sync);
  ws2__obj_unref(&e->obj);
  return TRUE;
}

BOOL WINAPI ResetEvent(HANDLE hEvent) {
  event_t *e = event_get(hEvent);
  if (!e) return FALSE;
  ws2__sync_reset(&e->sync);
  ws2__obj_unref(&e->obj);
  return TRUE;
}

BOOL WINAPI CloseHandle(HANDLE hObject) {
  int r;
  /* Closing a pseudo-handle (GetCurrentProcess(), which is also
   * INVALID_HANDLE_VALUE, or GetCurrentThread()) does nothing and
   * succeeds on Windows. */
  if (hObject == WS2_CURRENT_PROCESS_HANDLE ||
      hObject == WS2_CURRENT_THREAD_HANDLE)
    return TRUE;
  r = ws2__handle_close(hObject);
  if (r == 0) return TRUE;
  SetLastError(ERROR_INVALID_HANDLE);
  return FALSE;
}

BOOL WINAPI DuplicateHandle(HANDLE hSourceProcessHandle, HANDLE hSourceHandle,
                            HANDLE hTargetProcessHandle,
                            LPHANDLE lpTargetHandle, DWORD dwDesiredAccess,
                            BOOL bInheritHandle, DWORD dwOptions) {
  ws2__obj_t *obj;
  HANDLE h;

  /* Only this process exists for ws2's objects. */
  if (hSourceProcessHandle != WS2_CURRENT_PROCESS_HANDLE ||
      hTargetProcessHandle != WS2_CURRENT_PROCESS_HANDLE) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  if (!(obj = ws2__handle_get(hSourceHandle, NULL))) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  if (!lpTargetHandle) {
    /* Windows allows a NULL target only to close the source. */
    if (dwOptions & DUPLICATE_CLOSE_SOURCE) ws2__handle_close(hSourceHandle);
    ws2__obj_unref(obj);
    return TRUE;
  }
  if (ws2__handle_new(obj, &h) != 0) {
    ws2__obj_unref(obj);
    SetLastError(ERROR_NO_SYSTEM_RESOURCES);
    return FALSE;
  }
  if (bInheritHandle) ws2__handle_set_flags(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  if (dwOptions & DUPLICATE_CLOSE_SOURCE) ws2__handle_close(hSourceHandle);
  ws2__obj_unref(obj);
  *lpTargetHandle = h;
  return TRUE;
}

BOOL WINAPI GetHandleInformation(HANDLE hObject, LPDWORD lpdwFlags) {
  if (!lpdwFlags) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  if (ws2__handle_get_flags(hObject, lpdwFlags) != 0) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  return TRUE;
}

BOOL WINAPI SetHandleInformation(HANDLE hObject, DWORD dwMask, DWORD dwFlags) {
  if (ws2__handle_set_flags(hObject, dwMask, dwFlags) != 0) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  return TRUE;
}
