/*
 * fuzz.h: what every fuzz target shares (fuzz/README.md).
 *
 * A target defines LLVMFuzzerTestOneInput. Built with clang and
 * -fsanitize=fuzzer (`make fuzz`), libFuzzer drives it; in every other
 * build driver.c's main() replays files (the seed corpus and the
 * regressions) through it, so each crash ever found stays a test.
 */
#ifndef WS2_FUZZ_H
#define WS2_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A cursor over the input: each take_* consumes bytes (0 when spent). */
typedef struct fuzz_in {
  const uint8_t *p;
  size_t n;
} fuzz_in_t;

static inline uint32_t take_u32(fuzz_in_t *in) {
  uint32_t v = 0;
  size_t k = in->n < 4 ? in->n : 4;
  memcpy(&v, in->p, k);
  in->p += k;
  in->n -= k;
  return v;
}

static inline uint8_t take_u8(fuzz_in_t *in) {
  uint8_t v = in->n ? in->p[0] : 0;
  if (in->n) {
    in->p++;
    in->n--;
  }
  return v;
}

/* Up to max bytes into buf (NUL-terminated when room): the length taken. */
static inline size_t take_bytes(fuzz_in_t *in, void *buf, size_t max) {
  size_t k = in->n < max ? in->n : max;
  memcpy(buf, in->p, k);
  in->p += k;
  in->n -= k;
  return k;
}

/* A NUL-terminated string of at most max - 1 bytes: up to the next NUL
 * in the input (consumed), or the rest. */
static inline void take_str(fuzz_in_t *in, char *buf, size_t max) {
  size_t k = 0;
  while (in->n && k + 1 < max) {
    char c = (char)*in->p++;
    in->n--;
    if (c == '\0') break;
    buf[k++] = c;
  }
  buf[k] = '\0';
}

#endif /* WS2_FUZZ_H */
