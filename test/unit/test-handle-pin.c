/*
 * The handle table's pins (src/core/object.h, ws2__handle_pin): a pinned
 * object outlives the close of its handle until the unpin, exactly once;
 * a pin of a closed, foreign or wrongly typed handle fails and holds
 * nothing; pins race a close from other threads without a leak or a
 * second destroy.
 */
#include "ws2test.h"

#include "core/alloc.h"
#include "core/object.h"

#include <pthread.h>
#include <stdatomic.h>

static _Atomic int closes, destroys;

static void counted_close(ws2__obj_t *obj) {
  (void)obj;
  atomic_fetch_add(&closes, 1);
}

static void counted_destroy(ws2__obj_t *obj) {
  atomic_fetch_add(&destroys, 1);
  ws2__free(obj);
}

static const ws2__objtype_t counted_type = {"counted", 0, counted_close,
                                            counted_destroy};
static const ws2__objtype_t other_type = {"other", 0, counted_close,
                                          counted_destroy};

/* A new object of `counted_type` whose only reference is its handle's. */
static HANDLE counted_new(void) {
  ws2__obj_t *obj = ws2__calloc(1, sizeof(*obj));
  HANDLE h = NULL;
  ASSERT_NE_PTR(obj, NULL);
  ws2__obj_init(obj, &counted_type, NULL);
  ASSERT_EQ(ws2__handle_new(obj, &h), 0);
  ws2__obj_unref(obj);
  atomic_store(&closes, 0);
  atomic_store(&destroys, 0);
  return h;
}

TEST(pin_outlives_close_until_unpin) {
  HANDLE h = counted_new();
  ws2__obj_t *obj = ws2__handle_pin(h, &counted_type);
  ASSERT_NE_PTR(obj, NULL);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_EQ(atomic_load(&closes), 1);   /* the close hook ran at once */
  ASSERT_EQ(atomic_load(&destroys), 0); /* the pin still holds it */
  ASSERT_EQ_PTR(obj->type, &counted_type);
  ASSERT_EQ_PTR(ws2__handle_pin(h, NULL), NULL); /* closed: no new pin */
  ws2__handle_unpin(h);
  ASSERT_EQ(atomic_load(&destroys), 1);
}

TEST(pin_and_unpin_leave_the_handle_as_it_was) {
  HANDLE h = counted_new();
  for (int i = 0; i < 1000; i++) {
    ASSERT_NE_PTR(ws2__handle_pin(h, NULL), NULL);
    ws2__handle_unpin(h);
  }
  ASSERT_EQ(atomic_load(&destroys), 0);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_EQ(atomic_load(&destroys), 1);
}

TEST(pin_of_wrong_type_fails_and_holds_nothing) {
  HANDLE h = counted_new();
  ASSERT_EQ_PTR(ws2__handle_pin(h, &other_type), NULL);
  ASSERT_TRUE(CloseHandle(h));
  ASSERT_EQ(atomic_load(&destroys), 1); /* no pin left behind */
}

TEST(pin_of_foreign_values_fails) {
  ASSERT_EQ_PTR(ws2__handle_pin(NULL, NULL), NULL);
  ASSERT_EQ_PTR(ws2__handle_pin((HANDLE)(ULONG_PTR)0x7ffff000, NULL), NULL);
  ASSERT_EQ_PTR(ws2__handle_pin((HANDLE)(ULONG_PTR)6, NULL), NULL);
  ASSERT_EQ_PTR(ws2__handle_pin(GetCurrentThread(), NULL), NULL);
}

/* Threads pin and unpin while the main thread closes the handle: every
 * pin either fails or sees the live object, and it is destroyed once,
 * after the last unpin. */
#define PINNERS 4
static HANDLE race_handle;
static _Atomic int race_stop, race_bad;

static void *pinner(void *arg) {
  (void)arg;
  for (int i = 0; i < 200000 && !atomic_load(&race_stop); i++) {
    ws2__obj_t *obj = ws2__handle_pin(race_handle, &counted_type);
    if (!obj) break; /* closed */
    if (obj->type != &counted_type || atomic_load(&destroys) != 0)
      atomic_fetch_add(&race_bad, 1);
    ws2__handle_unpin(race_handle);
  }
  return NULL;
}

TEST(pins_race_a_close) {
  pthread_t t[PINNERS];
  for (int round = 0; round < 20; round++) {
    race_handle = counted_new();
    atomic_store(&race_stop, 0);
    for (int i = 0; i < PINNERS; i++)
      ASSERT_EQ(pthread_create(&t[i], NULL, pinner, NULL), 0);
    Sleep(1);
    ASSERT_TRUE(CloseHandle(race_handle));
    atomic_store(&race_stop, 1);
    for (int i = 0; i < PINNERS; i++) pthread_join(t[i], NULL);
    ASSERT_EQ(atomic_load(&destroys), 1);
    ASSERT_EQ(atomic_load(&closes), 1);
  }
  ASSERT_EQ(atomic_load(&race_bad), 0);
}
