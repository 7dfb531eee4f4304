/*
 * fuzz-catalog: the catalog file parser (src/catalog/format.c).
 *
 * Properties: parsing any bytes either fails with a reason or gives a
 * catalog; a catalog formats back to text that parses again, and formats
 * to the same text (the format is canonical). Nothing leaks.
 */
#include "catalog/catalog.h"
#include "core/alloc.h"

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

/*
 * A mutated file rarely keeps a valid checksum, and the parser rejects it
 * before reading anything else. So an input whose last byte is even gets
 * its checksum line recomputed (the bytes before a final "crc32 " line,
 * or all of them, then a correct line), which lets the fuzzer reach
 * everything past the check; an odd last byte leaves the input as it is,
 * to exercise the check itself.
 */
static char *with_checksum(const uint8_t *data, size_t size, size_t *len) {
  size_t body = size, i;
  char *text = malloc(size + 32);
  if (!text) return NULL;
  /* The last line that starts with "crc32 ", and all after it, go. */
  for (i = size; i-- > 0;)
    if ((i == 0 || data[i - 1] == '\n') && size - i >= 6 &&
        memcmp(data + i, "crc32 ", 6) == 0) {
      body = i;
      break;
    }
  memcpy(text, data, body);
  *len =
      body + (size_t)snprintf(text + body, 32, "crc32 %08lx\n",
                              (unsigned long)ws2__catalog_crc32(0, data, body));
  return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ws2__catalog_t *cat = NULL, *again = NULL;
  ws2__cat_status_t st;
  char *text, *text2, *input;
  size_t len, len2, ilen = size;
  int r;
  memset(&st, 0, sizeof(st));
  if (size && !(data[size - 1] & 1)) {
    if (!(input = with_checksum(data, size - 1, &ilen))) return 0;
  } else {
    input = (char *)data;
  }
  r = ws2__catalog_parse(input, ilen, &cat, &st);
  if (input != (const char *)data) free(input);
  if (r != 0) return 0;
  text = ws2__catalog_format(cat, &len);
  if (!text) abort();
  if (ws2__catalog_parse(text, len, &again, &st) != 0) {
    fprintf(stderr, "formatted catalog does not parse: %s\n", st.message);
    abort();
  }
  text2 = ws2__catalog_format(again, &len2);
  if (!text2 || len2 != len || memcmp(text, text2, len) != 0) {
    fprintf(stderr, "formatting is not stable\n");
    abort();
  }
  ws2__free(text);
  ws2__free(text2);
  ws2__catalog_release(cat);
  ws2__catalog_release(again);
  return 0;
}
