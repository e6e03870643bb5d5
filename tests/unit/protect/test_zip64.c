/*
 * test_zip64.c — zip64 in the protected-data zip writer (serialize.c).
 *
 * The records are checked two ways. At the 32-bit edges (0xFFFFFFFE /
 * 0xFFFFFFFF sizes and offsets, 0xFFFE / 0xFFFF entries) the header
 * builders are called directly and their bytes read back field by field
 * against the APPNOTE layout, since a real 4 GiB archive has no place in
 * a fast suite. Then whole archives: one written with the tests-only
 * switch decc__pd_zip64_force (every entry and the end records in zip64
 * form) is opened by decc's own reader (zipsafe, which cross-checks
 * libzip), by python3's zipfile, by Info-ZIP's `unzip -t` and by JSZip
 * (the SDK's library), and must hold exactly the names and bytes of the
 * same object written normally; and 65535 entries (no switch) must switch
 * to the zip64 end records by themselves while 65534 stay classic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decc/mem.h"
#include "decc/protect.h"
#include "decc/zipsafe.h"
#include "protect/protect_int.h"
#include "test.h"

static uint32_t rd16(const uint8_t *p) { return (uint32_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) {
  return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}
static uint64_t rd64(const uint8_t *p) {
  return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* ---- header builders at the edges -------------------------------------- */

TEST(local_header_below_the_limit_is_jszips) {
  decc__zip_hdr h;
  decc__zip_local_header(&h, 0x12345678, 0xFFFFFFFEull, 5, 0xFFFFFFFEull, 0);
  ASSERT_EQ(h.fixed_len, 30);
  ASSERT_EQ(h.extra_len, 0);
  ASSERT_EQ(rd32(h.fixed), 0x04034b50);
  ASSERT_EQ(rd16(h.fixed + 4), 10); /* version needed 1.0, as JSZip */
  ASSERT_EQ(rd32(h.fixed + 14), 0x12345678);
  ASSERT_EQ(rd32(h.fixed + 18), 0xFFFFFFFEu);
  ASSERT_EQ(rd32(h.fixed + 22), 0xFFFFFFFEu);
  ASSERT_EQ(rd16(h.fixed + 26), 5);
  ASSERT_EQ(rd16(h.fixed + 28), 0);
}

TEST(local_header_at_the_size_limit_carries_both_sizes) {
  decc__zip_hdr h;
  decc__zip_local_header(&h, 7, 0xFFFFFFFFull, 3, 100, 0);
  ASSERT_EQ(rd16(h.fixed + 4), 45);
  ASSERT_EQ(rd32(h.fixed + 18), 0xFFFFFFFFu);
  ASSERT_EQ(rd32(h.fixed + 22), 0xFFFFFFFFu);
  ASSERT_EQ(rd16(h.fixed + 28), 20);
  ASSERT_EQ(h.extra_len, 20);
  ASSERT_EQ(rd16(h.extra), 0x0001);
  ASSERT_EQ(rd16(h.extra + 2), 16);
  ASSERT_EQ(rd64(h.extra + 4), 0xFFFFFFFFull);  /* original */
  ASSERT_EQ(rd64(h.extra + 12), 0xFFFFFFFFull); /* compressed */
  decc__zip_local_header(&h, 7, 10ull << 30, 3, 100, 0);
  ASSERT_EQ(rd64(h.extra + 4), 10ull << 30);
}

TEST(local_header_far_away_has_no_extra) {
  /* The local header holds no offset: only "version needed" changes. */
  decc__zip_hdr h;
  decc__zip_local_header(&h, 7, 9, 3, 0xFFFFFFFFull, 0);
  ASSERT_EQ(rd16(h.fixed + 4), 45);
  ASSERT_EQ(rd32(h.fixed + 18), 9);
  ASSERT_EQ(h.extra_len, 0);
  ASSERT_EQ(rd16(h.fixed + 28), 0);
}

TEST(central_header_below_the_limit_is_jszips) {
  decc__zip_hdr h;
  decc__zip_central_header(&h, 1, 0xCAFEBABE, 0xFFFFFFFEull, 4, 0xFFFFFFFEull,
                           0);
  ASSERT_EQ(h.fixed_len, 46);
  ASSERT_EQ(h.extra_len, 0);
  ASSERT_EQ(rd32(h.fixed), 0x02014b50);
  ASSERT_EQ(rd16(h.fixed + 4), 0x0014); /* made by 2.0, MS-DOS */
  ASSERT_EQ(rd16(h.fixed + 6), 10);
  ASSERT_EQ(rd32(h.fixed + 16), 0xCAFEBABE);
  ASSERT_EQ(rd32(h.fixed + 20), 0xFFFFFFFEu);
  ASSERT_EQ(rd32(h.fixed + 24), 0xFFFFFFFEu);
  ASSERT_EQ(rd16(h.fixed + 28), 4);
  ASSERT_EQ(rd16(h.fixed + 30), 0);
  ASSERT_EQ(rd32(h.fixed + 38), 0x10); /* DOS directory attribute */
  ASSERT_EQ(rd32(h.fixed + 42), 0xFFFFFFFEu);
}

TEST(central_header_extra_holds_only_what_overflowed) {
  decc__zip_hdr h;
  /* size only */
  decc__zip_central_header(&h, 0, 1, 0xFFFFFFFFull, 2, 500, 0);
  ASSERT_EQ(rd16(h.fixed + 6), 45);
  ASSERT_EQ(rd32(h.fixed + 20), 0xFFFFFFFFu);
  ASSERT_EQ(rd32(h.fixed + 42), 500);
  ASSERT_EQ(rd16(h.fixed + 30), 20);
  ASSERT_EQ(h.extra_len, 20);
  ASSERT_EQ(rd16(h.extra + 2), 16);
  ASSERT_EQ(rd64(h.extra + 4), 0xFFFFFFFFull);
  ASSERT_EQ(rd64(h.extra + 12), 0xFFFFFFFFull);
  /* offset only */
  decc__zip_central_header(&h, 0, 1, 77, 2, 0xFFFFFFFFull, 0);
  ASSERT_EQ(rd16(h.fixed + 6), 45);
  ASSERT_EQ(rd32(h.fixed + 20), 77);
  ASSERT_EQ(rd32(h.fixed + 24), 77);
  ASSERT_EQ(rd32(h.fixed + 42), 0xFFFFFFFFu);
  ASSERT_EQ(h.extra_len, 12);
  ASSERT_EQ(rd16(h.extra + 2), 8);
  ASSERT_EQ(rd64(h.extra + 4), 0xFFFFFFFFull);
  /* both, in APPNOTE order: original, compressed, offset */
  decc__zip_central_header(&h, 0, 1, 5ull << 32, 2, (6ull << 32) + 1, 0);
  ASSERT_EQ(h.extra_len, 28);
  ASSERT_EQ(rd16(h.extra + 2), 24);
  ASSERT_EQ(rd64(h.extra + 4), 5ull << 32);
  ASSERT_EQ(rd64(h.extra + 12), 5ull << 32);
  ASSERT_EQ(rd64(h.extra + 20), (6ull << 32) + 1);
  ASSERT_EQ(rd16(h.fixed + 30), 28);
}

TEST(end_records_switch_at_each_limit) {
  uint8_t b[DECC__ZIP_END_MAX];
  /* everything just below: the classic record alone */
  ASSERT_EQ(decc__zip_end_records(b, 0xFFFE, 0xFFFFFFFEull, 0, 0), 22);
  ASSERT_EQ(rd32(b), 0x06054b50);
  ASSERT_EQ(rd16(b + 10), 0xFFFE);
  ASSERT_EQ(rd32(b + 12), 0xFFFFFFFEu);
  ASSERT_EQ(decc__zip_end_records(b, 3, 100, 0xFFFFFFFEull, 0), 22);
  ASSERT_EQ(rd32(b + 16), 0xFFFFFFFEu);
  /* 65535 entries: zip64, only the count saturated in the classic one */
  ASSERT_EQ(decc__zip_end_records(b, 0xFFFF, 1000, 2000, 0), 98);
  ASSERT_EQ(rd32(b), 0x06064b50);
  ASSERT_EQ(rd64(b + 4), 44);
  ASSERT_EQ(rd16(b + 12), 45);
  ASSERT_EQ(rd16(b + 14), 45);
  ASSERT_EQ(rd32(b + 16), 0);
  ASSERT_EQ(rd32(b + 20), 0);
  ASSERT_EQ(rd64(b + 24), 0xFFFF);
  ASSERT_EQ(rd64(b + 32), 0xFFFF);
  ASSERT_EQ(rd64(b + 40), 1000);
  ASSERT_EQ(rd64(b + 48), 2000);
  ASSERT_EQ(rd32(b + 56), 0x07064b50);
  ASSERT_EQ(rd32(b + 60), 0);
  ASSERT_EQ(rd64(b + 64), 3000); /* the zip64 record follows the CD */
  ASSERT_EQ(rd32(b + 72), 1);
  const uint8_t *e = b + 76;
  ASSERT_EQ(rd32(e), 0x06054b50);
  ASSERT_EQ(rd16(e + 8), 0xFFFF);
  ASSERT_EQ(rd16(e + 10), 0xFFFF);
  ASSERT_EQ(rd32(e + 12), 1000);
  ASSERT_EQ(rd32(e + 16), 2000);
  ASSERT_EQ(rd16(e + 20), 0);
  /* a directory starting at 0xFFFFFFFF */
  ASSERT_EQ(decc__zip_end_records(b, 2, 92, 0xFFFFFFFFull, 0), 98);
  ASSERT_EQ(rd64(b + 48), 0xFFFFFFFFull);
  ASSERT_EQ(rd64(b + 64), 0xFFFFFFFFull + 92);
  ASSERT_EQ(rd16(b + 76 + 10), 2);
  ASSERT_EQ(rd32(b + 76 + 16), 0xFFFFFFFFu);
  /* forced: every classic field saturated */
  ASSERT_EQ(decc__zip_end_records(b, 2, 92, 40, 1), 98);
  ASSERT_EQ(rd16(b + 76 + 10), 0xFFFF);
  ASSERT_EQ(rd32(b + 76 + 12), 0xFFFFFFFFu);
  ASSERT_EQ(rd32(b + 76 + 16), 0xFFFFFFFFu);
}

/* ---- whole archives ------------------------------------------------------ */

/* An object with every kind of entry: a directory, a string, a bool, an
 * in-memory binary and a file-backed binary (the streamed path). */
static decc_pd *sample(const char *dir) {
  char path[600];
  snprintf(path, sizeof path, "%s/value.bin", dir);
  FILE *f = fopen(path, "wb");
  if (!f)
    return NULL;
  for (int i = 0; i < 300000; i++)
    fputc((i * 131) & 0xFF, f);
  fclose(f);
  decc_pd *root = NULL, *nested = NULL;
  static const uint8_t bin[] = {0x89, 'P', 'N', 'G', 0, 1, 2};
  if (decc_pd_create(&root) != DECC_OK ||
      decc_pd_add_string(root, "email", "a@b.c", 5, NULL) != DECC_OK ||
      decc_pd_add_object(root, "nested", &nested, NULL) != DECC_OK ||
      decc_pd_add_bool(nested, "ok", 1, NULL) != DECC_OK ||
      decc_pd_add_binary(nested, "raw", bin, sizeof bin, NULL) != DECC_OK ||
      decc_pd_add_binary_file(root, "file", path, NULL) != DECC_OK) {
    decc_pd_destroy(root);
    return NULL;
  }
  return root;
}

static int write_all(const char *path, const decc_buf *b) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  int ok = fwrite(b->data, 1, b->len, f) == b->len;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static int has_sig(const decc_buf *b, uint32_t sig) {
  for (size_t i = 0; i + 4 <= b->len; i++)
    if (rd32(b->data + i) == sig)
      return 1;
  return 0;
}

/* Writes the sample both ways: classic into *plain, forced zip64 into
 * *forced and to dir/forced.zip. */
static int both_ways(const char *dir, decc_buf *plain, decc_buf *forced,
                     char *zpath, size_t zcap) {
  decc_pd *root = sample(dir);
  if (!root)
    return -1;
  decc_buf_init(plain, 0);
  decc_buf_init(forced, 0);
  int rc = decc_pd_serialize(root, DECC_PD_V2, plain, NULL) == DECC_OK ? 0 : -1;
  decc__pd_zip64_force(1);
  if (!rc && decc_pd_serialize(root, DECC_PD_V2, forced, NULL) != DECC_OK)
    rc = -1;
  decc__pd_zip64_force(0);
  decc_pd_destroy(root);
  snprintf(zpath, zcap, "%s/forced.zip", dir);
  return rc ? rc : write_all(zpath, forced);
}

TEST(forced_zip64_round_trips_through_zipsafe) {
  const char *dir = decc_test_tmpdir();
  decc_buf plain, forced;
  char zpath[700];
  ASSERT_EQ(both_ways(dir, &plain, &forced, zpath, sizeof zpath), 0);
  ASSERT(!has_sig(&plain, 0x06064b50));
  ASSERT(has_sig(&forced, 0x06064b50));
  ASSERT(has_sig(&forced, 0x07064b50));
  /* Each of the 5 entries grows by its extras (20 local + 28 central),
   * plus the zip64 end record and locator. */
  ASSERT_EQ(forced.len, plain.len + 5 * (20 + 28) + 56 + 20);
  decc_zip *a, *b;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc_zip_open_mem(&a, plain.data, plain.len, NULL, &err));
  ASSERT_OK(decc_zip_open_file(&b, zpath, NULL, &err));
  ASSERT_EQ(decc_zip_count(a), 5);
  ASSERT_EQ(decc_zip_count(b), 5);
  for (size_t i = 0; i < 5; i++) {
    const decc_zip_entry *x = decc_zip_entry_at(a, i),
                         *y = decc_zip_entry_at(b, i);
    ASSERT_STR_EQ(x->name, y->name);
    ASSERT_EQ(x->size, y->size);
    ASSERT_EQ(x->crc32, y->crc32);
    ASSERT_EQ(x->is_dir, y->is_dir);
    if (x->is_dir)
      continue;
    uint8_t *p, *q;
    size_t pl, ql;
    ASSERT_OK(decc_zip_read(a, i, 0, &p, &pl, &err));
    ASSERT_OK(decc_zip_read(b, i, 0, &q, &ql, &err));
    ASSERT_EQ(pl, ql);
    ASSERT(memcmp(p, q, pl) == 0);
    decc_free(p);
    decc_free(q);
  }
  ASSERT_EQ(decc_zip_entry_at(b, 4)->size, 300000);
  decc_zip_close(a);
  decc_zip_close(b);
  /* The switch is off again: the next archive is the classic one. */
  decc_pd *root = sample(dir);
  ASSERT(root);
  decc_buf again;
  decc_buf_init(&again, 0);
  ASSERT_OK(decc_pd_serialize(root, DECC_PD_V2, &again, NULL));
  ASSERT_EQ(again.len, plain.len);
  ASSERT(memcmp(again.data, plain.data, plain.len) == 0);
  decc_buf_clear(&again);
  decc_pd_destroy(root);
  decc_buf_clear(&plain);
  decc_buf_clear(&forced);
}

/* Runs cmd; its stdout (up to cap - 1 bytes) into out. Returns the exit
 * status, or -1. */
static int run_cmd(const char *cmd, char *out, size_t cap) {
  FILE *p = popen(cmd, "r");
  if (!p)
    return -1;
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = 0;
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* "name size crc32" per file entry of the classic archive, in order: what
 * an independent reader must find in the forced one. */
static void expected_listing(const decc_buf *plain, char *out, size_t cap) {
  decc_zip *z;
  out[0] = 0;
  if (decc_zip_open_mem(&z, plain->data, plain->len, NULL, NULL) != DECC_OK)
    return;
  size_t o = 0;
  for (size_t i = 0; i < decc_zip_count(z); i++) {
    const decc_zip_entry *e = decc_zip_entry_at(z, i);
    uint8_t *p = NULL;
    size_t n = 0;
    if (!e->is_dir && decc_zip_read(z, i, 0, &p, &n, NULL) != DECC_OK)
      break;
    o += (size_t)snprintf(out + o, cap - o, "%s %zu %u\n", e->name, n,
                          e->is_dir ? 0u : decc__crc32(0, p, n));
    decc_free(p);
  }
  decc_zip_close(z);
}

static int have(const char *tool) {
  char cmd[200], out[8];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
  return run_cmd(cmd, out, sizeof out) == 0;
}

TEST(forced_zip64_reads_in_python_zipfile) {
  if (!have("python3")) {
    decc_test_skip("python3 is needed to read the zip independently");
    return;
  }
  const char *dir = decc_test_tmpdir();
  decc_buf plain, forced;
  char zpath[700];
  ASSERT_EQ(both_ways(dir, &plain, &forced, zpath, sizeof zpath), 0);
  /* zipfile checks every CRC (testzip) and takes sizes and offsets from
   * the zip64 fields; extract_version shows it saw 4.5 entries. */
  char cmd[1600], out[4096], want[4096];
  snprintf(cmd, sizeof cmd,
           "python3 -c 'import sys, zipfile, zlib\n"
           "z = zipfile.ZipFile(sys.argv[1])\n"
           "assert z.testzip() is None\n"
           "for i in z.infolist():\n"
           "    d = z.read(i)\n"
           "    assert i.extract_version == 45, i.extract_version\n"
           "    print(i.filename, len(d), zlib.crc32(d))\n"
           "' '%s'",
           zpath);
  ASSERT_EQ(run_cmd(cmd, out, sizeof out), 0);
  expected_listing(&plain, want, sizeof want);
  ASSERT(want[0]);
  ASSERT_STR_EQ(out, want);
  decc_buf_clear(&plain);
  decc_buf_clear(&forced);
}

TEST(forced_zip64_tests_clean_in_unzip) {
  if (!have("unzip")) {
    decc_test_skip("Info-ZIP unzip is needed to read the zip independently");
    return;
  }
  const char *dir = decc_test_tmpdir();
  decc_buf plain, forced;
  char zpath[700];
  ASSERT_EQ(both_ways(dir, &plain, &forced, zpath, sizeof zpath), 0);
  char cmd[900], out[4096];
  snprintf(cmd, sizeof cmd, "unzip -t '%s' 2>&1", zpath);
  ASSERT_EQ(run_cmd(cmd, out, sizeof out), 0);
  ASSERT(strstr(out, "No errors detected"));
  /* and the bytes unzip extracts are the value's */
  snprintf(cmd, sizeof cmd, "unzip -p '%s' nested/raw | od -An -tx1", zpath);
  ASSERT_EQ(run_cmd(cmd, out, sizeof out), 0);
  ASSERT(strstr(out, "89 50 4e 47 00 01 02"));
  decc_buf_clear(&plain);
  decc_buf_clear(&forced);
}

/* JSZip is what the SDK and the dataprotector deserializer read with; it
 * comes with the SDK engine (tools/engines/install.sh sdk). */
TEST(forced_zip64_reads_in_jszip) {
  const char *eng = getenv("DECC_ENGINES_DIR");
  const char *cache = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  char mods[600];
  if (eng && *eng)
    snprintf(mods, sizeof mods, "%s/sdk/node_modules", eng);
  else if (cache && *cache)
    snprintf(mods, sizeof mods, "%s/decc-engines/sdk/node_modules", cache);
  else
    snprintf(mods, sizeof mods, "%s/.cache/decc-engines/sdk/node_modules",
             home ? home : "");
  char probe[700];
  snprintf(probe, sizeof probe, "%s/jszip/package.json", mods);
  if (!have("node") || access(probe, R_OK) != 0) {
    decc_test_skip("JSZip (SDK engine: tools/engines/install.sh sdk) and "
                   "node are needed");
    return;
  }
  const char *dir = decc_test_tmpdir();
  decc_buf plain, forced;
  char zpath[700];
  ASSERT_EQ(both_ways(dir, &plain, &forced, zpath, sizeof zpath), 0);
  char cmd[2400], out[4096], want[4096];
  snprintf(cmd, sizeof cmd,
           "NODE_PATH='%s' node -e '"
           "const JSZip = require(\"jszip\");"
           "const zlib = require(\"zlib\");"
           "(async () => {"
           "  const z = await JSZip.loadAsync("
           "    require(\"fs\").readFileSync(process.argv[1]),"
           "    {checkCRC32: true});"
           "  let s = \"\";"
           "  for (const f of Object.values(z.files)) {"
           "    const d = f.dir ? Buffer.alloc(0)"
           "                    : await f.async(\"nodebuffer\");"
           "    s += f.name + \" \" + d.length + \" \" +"
           "         (f.dir ? 0 : zlib.crc32(d)) + \"\\n\";"
           "  }"
           "  process.stdout.write(s);"
           "})().catch(e => { console.error(e.message); process.exit(1); });"
           "' '%s'",
           mods, zpath);
  /* node's zlib.crc32 needs node >= 20.15 (the engines' node is newer). */
  int rc = run_cmd(cmd, out, sizeof out);
  if (rc != 0) {
    decc_test_fail(__FILE__, __LINE__, "JSZip could not read %s (exit %d)",
                   zpath, rc);
    return;
  }
  expected_listing(&plain, want, sizeof want);
  ASSERT_STR_EQ(out, want);
  decc_buf_clear(&plain);
  decc_buf_clear(&forced);
}

/* 65535 entries need the zip64 end records without any switch (the
 * classic count 0xFFFF means "see zip64" to every reader); 65534 do not.
 * 255 directories of 256 values + the 255 directory entries = 65535. */
static decc_pd *many(int dirs, int in_last) {
  decc_pd *root;
  if (decc_pd_create(&root) != DECC_OK)
    return NULL;
  char k[16];
  for (int d = 0; d < dirs; d++) {
    decc_pd *sub;
    snprintf(k, sizeof k, "d%03d", d);
    if (decc_pd_add_object(root, k, &sub, NULL) != DECC_OK)
      goto fail;
    int n = d == dirs - 1 ? in_last : 256;
    for (int i = 0; i < n; i++) {
      snprintf(k, sizeof k, "k%03d", i);
      if (decc_pd_add_bool(sub, k, i & 1, NULL) != DECC_OK)
        goto fail;
    }
  }
  return root;
fail:
  decc_pd_destroy(root);
  return NULL;
}

TEST(sixty_five_thousand_entries_switch_by_themselves) {
  decc_zip_limits lim;
  decc_zip_limits_default(&lim);
  lim.max_entries = 70000;
  for (int n = 65534; n <= 65535; n++) {
    /* 255 directories + 254 * 256 + (255 or 256) values */
    decc_pd *root = many(255, n - 255 - 254 * 256);
    ASSERT(root);
    decc_buf b;
    decc_buf_init(&b, 0);
    ASSERT_OK(decc_pd_serialize(root, DECC_PD_V2, &b, NULL));
    decc_pd_destroy(root);
    const uint8_t *eocd = b.data + b.len - 22;
    const uint8_t *loc = b.data + b.len - 42;
    ASSERT_EQ(rd32(eocd), 0x06054b50);
    if (n == 65534) {
      ASSERT_EQ(rd16(eocd + 10), 65534);
      ASSERT(rd32(loc) != 0x07064b50);
    } else {
      ASSERT_EQ(rd16(eocd + 10), 0xFFFF);
      ASSERT_EQ(rd32(loc), 0x07064b50);
      const uint8_t *z64 = b.data + rd64(loc + 8);
      ASSERT_EQ(rd32(z64), 0x06064b50);
      ASSERT_EQ(rd64(z64 + 32), 65535);
      ASSERT_EQ(rd64(z64 + 48), rd32(eocd + 16)); /* CD offset, classic */
    }
    /* the entries themselves stay classic: nothing else overflowed */
    ASSERT_EQ(rd16(b.data + 4), 10);
    if (n == 65535) { /* decc's reader follows the zip64 end records */
      decc_zip *z;
      decc_err err;
      decc_err_clear(&err);
      ASSERT_OK(decc_zip_open_mem(&z, b.data, b.len, &lim, &err));
      ASSERT_EQ(decc_zip_count(z), (size_t)n);
      decc_zip_close(z);
    }
    decc_buf_clear(&b);
  }
}
