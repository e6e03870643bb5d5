/*
 * worker_fixture.h — helpers shared by the enclave runtime and worker
 * tests: a test iApp bundle (a shell script whose behaviour is chosen by
 * its first argument), files in and out of a blockstore, result
 * decryption and zip entry reading.
 */
#ifndef WORKER_FIXTURE_H
#define WORKER_FIXTURE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/bundle.h"
#include "decc/cid.h"
#include "decc/mem.h"
#include "decc/result.h"
#include "decc/store.h"
#include "decc/zipsafe.h"

/* The test app. Modes (first argument): ok (default), fail (exit 3),
 * big (3 MB of output), noise (5000 random bytes in the result),
 * nocomputed, callback (computed.json with callback-data). */
static const char FIX_APP[] =
    "#!/bin/sh\n"
    "set -eu\n"
    "out=\"$IEXEC_OUT\"\n"
    "mode=\"${1:-ok}\"\n"
    "case \"$mode\" in\n"
    "  fail) echo 'failing on purpose' >&2; exit 3;;\n"
    "  big) head -c 3000000 /dev/zero > \"$out/big.bin\";;\n"
    "  noise) head -c 5000 /dev/urandom > \"$out/noise.bin\";;\n"
    "  nocomputed) echo hi > \"$out/x\"; exit 0;;\n"
    "  callback) printf '{\"callback-data\":\"0x%s\"}' "
    "0000000000000000000000000000000000000000000000000000000000000007 > "
    "\"$out/computed.json\"; exit 0;;\n"
    "esac\n"
    "f=\"$IEXEC_IN/${IEXEC_DATASET_FILENAME:-none}\"\n"
    "{\n"
    "  if [ -f \"$f\" ]; then printf 'data=%s\\n' \"$(cat \"$f\")\"; else echo "
    "data=none; fi\n"
    "  printf 'secret=%s\\n' \"${IEXEC_REQUESTER_SECRET_1:-}\"\n"
    "  printf 'dev=%s\\n' \"${IEXEC_APP_DEVELOPER_SECRET:-}\"\n"
    "  printf 'args=%s\\n' \"$*\"\n"
    "} > \"$out/result.txt\"\n"
    "printf '{\"deterministic-output-path\":\"/iexec_out/result.txt\"}' > "
    "\"$out/computed.json\"\n"
    "echo \"app done: $mode\"\n";

static inline __attribute__((unused)) void
fix_write(const char *dir, const char *name, const char *text, int mode) {
  char p[1200];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  chmod(p, (mode_t)mode);
}

/* Packs the test app (variant changes one comment line, so the bundle and
 * its measurement differ). Out: bundle bytes in *b, measurement. */
static inline __attribute__((unused)) int
fix_bundle(decc_buf *b, uint8_t m32[32], const char *tmp, const char *name,
           int variant) {
  char dir[900];
  snprintf(dir, sizeof dir, "%s/%s", tmp, name);
  if (mkdir(dir, 0755) != 0)
    return -1;
  fix_write(
      dir, "decc-app.json",
      "{\"name\":\"fixture\",\"version\":\"1\",\"entrypoint\":\"run.sh\"}",
      0644);
  char *app = decc_malloc(sizeof FIX_APP + 32);
  snprintf(app, sizeof FIX_APP + 32, "%s# variant %d\n", FIX_APP, variant);
  fix_write(dir, "run.sh", app, 0755);
  decc_free(app);
  decc_buf_init(b, 0);
  return decc_bundle_pack(b, m32, dir, NULL) == DECC_OK ? 0 : -1;
}

/* Adds bytes to the store. Out: cid text. */
static inline __attribute__((unused)) int fix_add(decc_blockstore *bs,
                                                  const char *tmp,
                                                  const void *data, size_t n,
                                                  char cid[160]) {
  char p[900];
  snprintf(p, sizeof p, "%s/add-%d.bin", tmp, rand());
  FILE *f = fopen(p, "wb");
  if (!f || fwrite(data, 1, n, f) != n) {
    if (f)
      fclose(f);
    return -1;
  }
  fclose(f);
  int fd = open(p, O_RDONLY);
  decc_cid c;
  decc_status st = decc_store_add_fd(bs, &c, NULL, NULL, fd, p, 1, NULL);
  close(fd);
  unlink(p);
  if (st)
    return -1;
  return decc_cid_to_string(cid, 160, &c) == DECC_OK ? 0 : -1;
}

static inline __attribute__((unused)) decc_status
fix_buf_sink(void *ud, const uint8_t *p, size_t n, decc_err *err) {
  (void)err;
  return decc_buf_append(ud, p, n);
}

/* Reads a CID (text, with or without "/ipfs/") from the store into b. */
static inline __attribute__((unused)) int
fix_cat(decc_blockstore *bs, const char *cid, decc_buf *b) {
  if (!strncmp(cid, "/ipfs/", 6))
    cid += 6;
  decc_cid c;
  decc_buf_init(b, 0);
  if (decc_cid_parse(&c, cid, NULL))
    return -1;
  return decc_store_cat(bs, &c, 0, UINT64_MAX, fix_buf_sink, b, NULL) == DECC_OK
             ? 0
             : -1;
}

/* One entry of a zip in memory (heap, NUL-terminated) or NULL. */
static inline __attribute__((unused)) char *
fix_zip_entry(const uint8_t *zip, size_t n, const char *name) {
  decc_zip *z = NULL;
  size_t ix, len;
  uint8_t *out = NULL;
  if (decc_zip_open_mem(&z, zip, n, NULL, NULL))
    return NULL;
  if (decc_zip_find(z, name, &ix) || decc_zip_read(z, ix, 0, &out, &len, NULL))
    out = NULL;
  decc_zip_close(z);
  return (char *)out;
}

#endif
