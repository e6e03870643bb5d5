/*
 * test_store_writer.c — store add with its background block writer: a
 * multi-block add gives the same root as the import alone and every block
 * is readable at once; a block write that fails (every shard directory
 * name taken by a plain file, so no block can be created even as root)
 * fails the add with the write's error and records no pin.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/store.h"
#include "store_test_util.h"
#include "test.h"

static int counted;
static decc_status count_pin(void *ud, const decc_cid *cid, decc_err *err) {
  (void)ud;
  (void)cid;
  (void)err;
  counted++;
  return DECC_OK;
}

TEST(add_matches_import_and_reads_back) {
  char dir[600], in[600];
  snprintf(dir, sizeof dir, "%s/s1", decc_test_tmpdir());
  snprintf(in, sizeof in, "%s/in1", decc_test_tmpdir());
  uint64_t size = 3 * 262144 + 1234; /* four leaves and a parent */
  ASSERT_EQ(prng_write_file(in, size), 0);
  decc_cid want, got;
  ASSERT_OK(decc_import_fd(&want, NULL, NULL, -1, in, NULL, NULL, NULL));
  decc_blockstore *bs;
  ASSERT_OK(decc_blockstore_open(&bs, dir, NULL));
  ASSERT_OK(decc_store_add_fd(bs, &got, NULL, NULL, -1, in, 1, NULL));
  ASSERT(decc_cid_equal(&want, &got));
  ASSERT(decc_blockstore_is_pinned(bs, &got));
  decc_store_stat_info si;
  ASSERT_OK(decc_store_stat(bs, &got, &si, NULL));
  ASSERT_EQ(si.file_size, size);
  ASSERT_EQ(si.nlinks, 4);
  /* The whole DAG is present and intact (pin walks and re-hashes it). */
  ASSERT_OK(decc_blockstore_pin(bs, &got, NULL));
  decc_blockstore_close(bs);
  unlink(in);
}

TEST(failed_block_write_fails_the_add) {
  char dir[600], in[600], p[700];
  snprintf(dir, sizeof dir, "%s/s2", decc_test_tmpdir());
  snprintf(in, sizeof in, "%s/in2", decc_test_tmpdir());
  ASSERT_EQ(prng_write_file(in, 2 * 262144 + 7), 0);
  decc_blockstore *bs;
  ASSERT_OK(decc_blockstore_open(&bs, dir, NULL));
  const char *b32 = "abcdefghijklmnopqrstuvwxyz234567";
  for (int i = 0; i < 32; i++)
    for (int j = 0; j < 32; j++) {
      snprintf(p, sizeof p, "%s/blocks/%c%c", dir, b32[i], b32[j]);
      int fd = open(p, O_WRONLY | O_CREAT, 0644);
      ASSERT(fd >= 0);
      close(fd);
    }
  decc_cid c;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_store_add_fd(bs, &c, NULL, NULL, -1, in, 1, &err), DECC_E_IO);
  ASSERT(strstr(err.msg, "store"));
  counted = 0;
  ASSERT_OK(decc_blockstore_pins(bs, count_pin, NULL, NULL));
  ASSERT_EQ(counted, 0);
  decc_blockstore_close(bs);
  unlink(in);
}
