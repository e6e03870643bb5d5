/*
 * replay_main.c — runs a libFuzzer target over files without libFuzzer, so
 * every normal (and sanitizer) build replays the seed corpus as a test.
 * Usage: fuzz_x FILE_OR_DIR...  Exit 0 when every input was processed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return 1;
  }
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  size_t r;
  while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap)
      buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, n);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  int files = 0, errors = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "missing corpus %s\n", argv[i]);
      errors++;
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      DIR *d = opendir(argv[i]);
      struct dirent *e;
      while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
          continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
        errors += run_file(p);
        files++;
      }
      if (d)
        closedir(d);
    } else {
      errors += run_file(argv[i]);
      files++;
    }
  }
  /* Also exercise a few synthetic edge inputs every time. */
  static const uint8_t edge[] = {0x00, 0xff, 0x80, 0xc0, 0xf8, 0xb8};
  for (size_t k = 0; k <= sizeof edge; k++)
    LLVMFuzzerTestOneInput(edge, k);
  printf("replayed %d inputs\n%d passed, %d failed\n", files, files - errors,
         errors);
  return errors ? 1 : 0;
}
