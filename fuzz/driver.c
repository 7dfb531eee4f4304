/*
 * driver.c: main() for fuzz targets outside libFuzzer: runs every file
 * named on the command line, or every file of each directory named, through
 * LLVMFuzzerTestOneInput once. Exit status 0 when all ran (a crash is a
 * crash: the sanitizers or the signal report it).
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long len;
  if (!f) {
    perror(path);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc(len > 0 ? (size_t)len : 1);
  if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
    fclose(f);
    free(buf);
    fprintf(stderr, "%s: cannot read\n", path);
    return 1;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, (size_t)len);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  int i, failed = 0, runs = 0;
  for (i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
      DIR *d = opendir(argv[i]);
      struct dirent *e;
      while (d && (e = readdir(d)) != NULL) {
        char path[4096];
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
        failed |= run_file(path);
        runs++;
      }
      if (d) closedir(d);
    } else {
      failed |= run_file(argv[i]);
      runs++;
    }
  }
  printf("%d inputs replayed\n", runs);
  return failed;
}
