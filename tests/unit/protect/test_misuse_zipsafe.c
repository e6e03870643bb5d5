/*
 * test_misuse_zipsafe.c — the entry checks of zipsafe.h's public
 * functions: a NULL archive, output, path, name or directory, or NULL data
 * with a length, is reported to the misuse handler by the function called,
 * which returns its documented failure value (DECC_E_INVALID, NULL or 0)
 * without crashing; the permitted NULLs (no limits, no err, no len,
 * closing NULL) are not reported and still work.
 */
#include <stdio.h>
#include <string.h>

#include "decc/mem.h"
#include "decc/zipsafe.h"
#include "misuse_check.h"

/* One stored entry "a.txt" = "hi" (written by Python's zipfile). */
static const char ZIP[] =
    "\x50\x4b\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x21\x50\xac\x2a\x93\xd8"
    "\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x00\x00\x61\x2e\x74\x78\x74\x68"
    "\x69\x50\x4b\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00\x21\x50\xac"
    "\x2a\x93\xd8\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\xa4\x01\x00\x00\x00\x00\x61\x2e\x74\x78\x74\x50\x4b"
    "\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x33\x00\x00\x00\x25\x00\x00\x00"
    "\x00\x00";

TEST(misuse_zipsafe) {
  MISUSE_BEGIN();
  const size_t zlen = sizeof ZIP - 1;
  decc_zip *z = NULL;
  char path[600], dir[600];
  snprintf(path, sizeof path, "%s/a.zip", decc_test_tmpdir());
  snprintf(dir, sizeof dir, "%s/out", decc_test_tmpdir());
  FILE *f = fopen(path, "wb");
  ASSERT(f != NULL);
  ASSERT_EQ(fwrite(ZIP, 1, zlen, f), zlen);
  ASSERT_EQ(fclose(f), 0);

  EXPECT_MISUSE_VOID(decc_zip_limits_default, NULL);
  decc_zip_limits lim;
  EXPECT_NO_MISUSE(decc_zip_limits_default(&lim));
  ASSERT_EQ(lim.max_entries, DECC_ZIP_DEFAULT_MAX_ENTRIES);

  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_open_mem, NULL, ZIP, zlen, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_open_mem, &z, NULL, zlen, NULL, NULL);
  ASSERT_STR_EQ(g_misuse.what, "data != NULL || len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_open_file, NULL, path, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_open_file, &z, NULL, NULL, NULL);
  ASSERT(z == NULL);
  /* no data with length 0 is permitted: not a zip, but no misuse */
  int before = g_misuse.calls;
  ASSERT_EQ(decc_zip_open_mem(&z, NULL, 0, NULL, NULL), DECC_E_PARSE);
  ASSERT_EQ(g_misuse.calls, before);
  ASSERT(z == NULL);
  /* no limits and no err are permitted */
  EXPECT_OK_NO_MISUSE(decc_zip_open_file(&z, path, NULL, NULL));
  decc_zip_close(z);
  EXPECT_OK_NO_MISUSE(decc_zip_open_mem(&z, ZIP, zlen, &lim, NULL));

  EXPECT_MISUSE(0, decc_zip_count, NULL);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_zip_count(z), 1));
  EXPECT_MISUSE_NULL(decc_zip_entry_at, NULL, 0);
  /* out of range is a documented NULL, not a misuse */
  EXPECT_NO_MISUSE(ASSERT(decc_zip_entry_at(z, 1) == NULL));
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_zip_entry_at(z, 0)->name, "a.txt"));

  size_t idx = 9;
  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_find, NULL, "a.txt", &idx);
  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_find, z, NULL, &idx);
  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_find, z, "a.txt", NULL);
  ASSERT_EQ(idx, 9);
  EXPECT_OK_NO_MISUSE(decc_zip_find(z, "a.txt", &idx));
  ASSERT_EQ(idx, 0);

  uint8_t *data = NULL;
  size_t len = 0;
  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_read, NULL, 0, 0, &data, &len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_read, z, 0, 0, NULL, &len, NULL);
  EXPECT_OK_NO_MISUSE(decc_zip_read(z, 0, 0, &data, &len, NULL));
  ASSERT_EQ(len, 2);
  ASSERT_MEM_EQ(data, "hi", 2);
  decc_free(data);
  /* len is optional */
  EXPECT_OK_NO_MISUSE(decc_zip_read(z, 0, 0, &data, NULL, NULL));
  ASSERT_STR_EQ((const char *)data, "hi");
  decc_free(data);

  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_extract, NULL, dir, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_zip_extract, z, NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_zip_extract(z, dir, NULL));
  char out[700];
  snprintf(out, sizeof out, "%s/a.txt", dir);
  size_t ol = 0;
  char *got = decc_test_read_file(out, &ol);
  ASSERT(got != NULL);
  ASSERT_EQ(ol, 2);

  EXPECT_NO_MISUSE(decc_zip_close(z));
  EXPECT_NO_MISUSE(decc_zip_close(NULL));
}
