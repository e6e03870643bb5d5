/*
 * fuzz_zip_reader.c — libFuzzer target for the untrusted-zip paths: open an
 * in-memory archive with zipsafe (tight limits), read every file entry,
 * read protected-data values the way an iApp would, and extract into a
 * fresh temporary directory, which must afterwards contain nothing outside
 * it (checked by removing it: only what the extractor made is there).
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/mem.h"
#include "decc/protect.h"
#include "decc/zipsafe.h"
#include "fuzz.h"

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  decc_zip_limits lim;
  decc_zip_limits_default(&lim);
  /* Small limits: an input of a few KiB can declare (and deflate to)
   * megabytes, and allocating, zeroing and inflating those was most of the
   * CPU time (perf: ASan's Allocate and memset); the limit checks are
   * reached with fewer bytes, so nothing is lost. */
  lim.max_entries = 256;
  lim.max_entry_size = 64u << 10;
  lim.max_total_size = 256u << 10;
  decc_zip *z;
  if (decc_zip_open_mem(&z, data, size, &lim, NULL) != DECC_OK)
    return 0;
  for (size_t i = 0; i < decc_zip_count(z); i++) {
    const decc_zip_entry *e = decc_zip_entry_at(z, i);
    size_t idx;
    if (decc_zip_find(z, e->name, &idx) != DECC_OK || idx != i)
      abort(); /* every listed entry must be found again */
    if (e->is_dir)
      continue;
    uint8_t *out;
    size_t len;
    if (decc_zip_read(z, i, 0, &out, &len, NULL) == DECC_OK) {
      if (len != e->size)
        abort();
      decc_free(out);
    }
  }
  /* On tmpfs when there is one: on a disk, the directories made and
   * removed for every input kept the process waiting on the filesystem
   * about half of the time. */
  static const char *base;
  if (!base) {
    struct stat st;
    base =
        stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
  }
  char dir[64];
  snprintf(dir, sizeof dir, "%s/fuzz_zip_XXXXXX", base);
  if (mkdtemp(dir)) {
    char target[96];
    snprintf(target, sizeof target, "%s/t", dir);
    if (decc_zip_extract(z, target, NULL) != DECC_OK) {
      /* refused or failed: it must have cleaned up (checked by nftw) */
    }
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  }
  decc_zip_close(z);

  static const char *const types[] = {"bool",   "f64",     "i128", "string",
                                      "number", "boolean", "x"};
  for (int m = 0; m < 3; m++) {
    decc_pd_reader *r;
    if (decc_pd_reader_open_mem(&r, data, size, (decc_pd_mode)m, &lim, NULL) !=
        DECC_OK)
      break;
    decc_zip *zz;
    if (decc_zip_open_mem(&zz, data, size, &lim, NULL) == DECC_OK) {
      for (size_t i = 0; i < decc_zip_count(zz) && i < 8; i++) {
        char path[1100];
        snprintf(path, sizeof path, "%s", decc_zip_entry_at(zz, i)->name);
        for (char *p = path; *p; p++)
          if (*p == '/')
            *p = '.';
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
          decc_pd_value v;
          if (decc_pd_get(r, path, types[t], &v, NULL) == DECC_OK)
            decc_pd_value_clear(&v);
        }
      }
      decc_zip_close(zz);
    }
    decc_pd_reader_close(r);
  }
  return 0;
}
