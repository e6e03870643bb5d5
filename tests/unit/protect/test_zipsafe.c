/*
 * test_zipsafe.c — the safe zip extractor against hostile archives built
 * here byte by byte: zip-slip names, absolute paths, symlink / device
 * entries, backslashes and NULs, lying sizes, zip bombs (declared and
 * actual), too many entries, duplicates, pre-existing symlinks in the
 * target. Each refused archive must leave nothing outside the target and
 * nothing half-extracted inside it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/mem.h"
#include "decc/zipsafe.h"
#include "protect/protect_int.h"
#include "test.h"

/* ---- a tiny zip builder (stored or pre-compressed entries) -------------- */

typedef struct zent {
  const char *name;
  size_t name_len; /* 0 = strlen(name) */
  const void *data;
  size_t len;    /* bytes stored */
  uint32_t mode; /* unix mode (with type bits) or 0 */
  int method;    /* 0 stored, 8 = data is raw deflate */
  int64_t usize; /* declared uncompressed size (-1 = len) */
  uint32_t crc;  /* used when method 8 */
} zent;

typedef struct zb {
  uint8_t *p;
  size_t n, cap;
} zb;

static void put(zb *b, const void *d, size_t n) {
  if (!n)
    return;
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
  }
  memcpy(b->p + b->n, d, n);
  b->n += n;
}
static void p16(zb *b, uint32_t v) {
  uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  put(b, x, 2);
}
static void p32(zb *b, uint32_t v) {
  p16(b, v & 0xFFFF);
  p16(b, v >> 16);
}

static uint8_t *build(const zent *e, size_t n, size_t *out_len) {
  zb b = {0}, cd = {0};
  for (size_t i = 0; i < n; i++) {
    size_t nl = e[i].name_len ? e[i].name_len : strlen(e[i].name);
    uint32_t crc =
        e[i].method == 8 ? e[i].crc : decc__crc32(0, e[i].data, e[i].len);
    uint32_t us = e[i].usize >= 0 ? (uint32_t)e[i].usize : (uint32_t)e[i].len;
    uint32_t off = (uint32_t)b.n;
    p32(&b, 0x04034b50);
    p16(&b, 20);
    p16(&b, 0);
    p16(&b, (uint32_t)e[i].method);
    p16(&b, 0);
    p16(&b, 0x21);
    p32(&b, crc);
    p32(&b, (uint32_t)e[i].len);
    p32(&b, us);
    p16(&b, (uint32_t)nl);
    p16(&b, 0);
    put(&b, e[i].name, nl);
    if (e[i].len)
      put(&b, e[i].data, e[i].len);
    p32(&cd, 0x02014b50);
    p16(&cd, 0x031E);
    p16(&cd, 20);
    p16(&cd, 0);
    p16(&cd, (uint32_t)e[i].method);
    p16(&cd, 0);
    p16(&cd, 0x21);
    p32(&cd, crc);
    p32(&cd, (uint32_t)e[i].len);
    p32(&cd, us);
    p16(&cd, (uint32_t)nl);
    p16(&cd, 0);
    p16(&cd, 0);
    p16(&cd, 0);
    p16(&cd, 0);
    p32(&cd, e[i].mode << 16);
    p32(&cd, off);
    put(&cd, e[i].name, nl);
  }
  uint32_t cdoff = (uint32_t)b.n;
  put(&b, cd.p, cd.n);
  p32(&b, 0x06054b50);
  p16(&b, 0);
  p16(&b, 0);
  p16(&b, (uint32_t)n);
  p16(&b, (uint32_t)n);
  p32(&b, (uint32_t)cd.n);
  p32(&b, cdoff);
  p16(&b, 0);
  free(cd.p);
  *out_len = b.n;
  return b.p;
}

/* Number of entries in a directory (excluding . and ..), -1 if missing. */
static int count_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d)
    return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  closedir(d);
  return n;
}

/* Builds the archive, expects open (or, if open_ok, extraction) to fail
 * with `want`, and checks that the sandbox holds only an empty target. */
static int refused(const zent *e, size_t n, const decc_zip_limits *lim,
                   int open_ok, decc_status want) {
  char sandbox[600], target[700];
  snprintf(sandbox, sizeof sandbox, "%s/sb%d", decc_test_tmpdir(), rand());
  if (mkdir(sandbox, 0755) != 0)
    return 0;
  snprintf(target, sizeof target, "%s/out", sandbox);
  size_t len;
  uint8_t *zip = build(e, n, &len);
  decc_zip *z = NULL;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_zip_open_mem(&z, zip, len, lim, &err);
  int ok;
  if (!open_ok) {
    ok = st == want;
    if (!ok)
      fprintf(stderr, "open gave %d (%s), want %d\n", st, err.msg, want);
  } else {
    ok = st == DECC_OK;
    if (!ok)
      fprintf(stderr, "open failed: %s\n", err.msg);
    if (ok) {
      st = decc_zip_extract(z, target, &err);
      ok = st == want;
      if (!ok)
        fprintf(stderr, "extract gave %d (%s), want %d\n", st, err.msg, want);
    }
  }
  decc_zip_close(z);
  free(zip);
  /* Nothing outside: the sandbox holds at most the (removed) target, plus
   * whatever the test itself put there. */
  return ok && count_dir(target) <= 0;
}

static const char hello[] = "hello";

TEST(zip_slip_names_refused) {
  const char *bad[] = {"../x",  "a/../../x", "/tmp/decc_zipsafe_abs_x",
                       "..\\x", "a\\b",      "./x",
                       "a//b",  "..",        "a/./b",
                       ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    zent e[2] = {{.name = "ok", .data = hello, .len = 5, .usize = -1},
                 {.name = bad[i], .data = hello, .len = 5, .usize = -1}};
    if (!refused(e, 2, NULL, 0, bad[i][0] ? DECC_E_DENIED : DECC_E_PARSE)) {
      decc_test_fail(__FILE__, __LINE__, "name '%s' not refused", bad[i]);
      return;
    }
  }
  struct stat sb;
  ASSERT(stat("/tmp/decc_zipsafe_abs_x", &sb) != 0);
  /* a NUL byte inside a name (libzip would show it as a space) */
  zent nul[1] = {
      {.name = "a\0b", .name_len = 3, .data = hello, .len = 5, .usize = -1}};
  ASSERT(refused(nul, 1, NULL, 0, DECC_E_DENIED));
}

TEST(special_entries_refused) {
  const uint32_t modes[] = {0120777, 0020644, 0060644, 0010644, 0140755};
  for (size_t i = 0; i < 5; i++) {
    zent e[2] = {{.name = "lnk",
                  .data = "/etc",
                  .len = 4,
                  .mode = modes[i],
                  .usize = -1},
                 {.name = "lnk/evil", .data = hello, .len = 5, .usize = -1}};
    ASSERT(refused(e, 2, NULL, 0, DECC_E_DENIED));
  }
  /* a directory mode on a file name and the reverse */
  zent d1[1] = {{.name = "notadir", .mode = 0040755, .usize = -1}};
  ASSERT(refused(d1, 1, NULL, 0, DECC_E_DENIED));
  zent d2[1] = {
      {.name = "dir/", .data = hello, .len = 5, .mode = 0100644, .usize = -1}};
  ASSERT(refused(d2, 1, NULL, 0, DECC_E_DENIED));
  zent dup[2] = {{.name = "a", .data = hello, .len = 5, .usize = -1},
                 {.name = "a/", .usize = -1}};
  ASSERT(refused(dup, 2, NULL, 0, DECC_E_DENIED));
}

TEST(limits_on_declared_sizes_and_counts) {
  decc_zip_limits lim;
  decc_zip_limits_default(&lim);
  lim.max_entry_size = 1000;
  zent big[1] = {{.name = "big", .data = hello, .len = 5, .usize = 1u << 30}};
  ASSERT(refused(big, 1, &lim, 0, DECC_E_LIMIT));
  /* default limit: 1 GiB per entry; this one declares 3.9 GiB */
  zent huge[1] = {
      {.name = "huge", .data = hello, .len = 5, .usize = 0xF0000000}};
  ASSERT(refused(huge, 1, NULL, 0, DECC_E_LIMIT));
  /* total */
  decc_zip_limits_default(&lim);
  lim.max_total_size = 12;
  zent three[3] = {{.name = "a", .data = hello, .len = 5, .usize = -1},
                   {.name = "b", .data = hello, .len = 5, .usize = -1},
                   {.name = "c", .data = hello, .len = 5, .usize = -1}};
  ASSERT(refused(three, 3, &lim, 0, DECC_E_LIMIT));
  /* entry count: the default (10000) plus one */
  size_t n = DECC_ZIP_DEFAULT_MAX_ENTRIES + 1;
  zent *many = calloc(n, sizeof *many);
  char(*names)[16] = calloc(n, 16);
  for (size_t i = 0; i < n; i++) {
    snprintf(names[i], 16, "f%zu", i);
    many[i].name = names[i];
    many[i].usize = -1;
  }
  ASSERT(refused(many, n, NULL, 0, DECC_E_LIMIT));
  {
    size_t zl;
    uint8_t *zip = build(many, n - 1, &zl); /* exactly the limit: opens */
    decc_zip *z;
    ASSERT_OK(decc_zip_open_mem(&z, zip, zl, NULL, NULL));
    ASSERT_EQ(decc_zip_count(z), n - 1);
    decc_zip_close(z);
    free(zip);
  }
  decc_zip_limits_default(&lim);
  lim.max_entries = 10;
  ASSERT(refused(many, 11, &lim, 0, DECC_E_LIMIT));
  free(many);
  free(names);
  /* depth and name length */
  decc_zip_limits_default(&lim);
  lim.max_depth = 3;
  zent deep[1] = {{.name = "a/b/c/d", .data = hello, .len = 5, .usize = -1}};
  ASSERT(refused(deep, 1, &lim, 0, DECC_E_LIMIT));
}

/* A deflate stream of 1 MiB of zeros (raw deflate, made with zlib level
 * 9): the classic bomb, declared here as a 1000-byte entry. */
static uint8_t *zeros_deflate(size_t *len, uint32_t *crc) {
  /* Fixed-Huffman blocks: one literal 0 then length-258/distance-1
   * matches. Built bit by bit so the test needs no zlib. */
  zb b = {0};
  uint32_t acc = 0;
  int nb = 0;
#define BITS(v, n)                                                             \
  do {                                                                         \
    acc |= (uint32_t)(v) << nb;                                                \
    nb += (n);                                                                 \
    while (nb >= 8) {                                                          \
      uint8_t byte = (uint8_t)acc;                                             \
      put(&b, &byte, 1);                                                       \
      acc >>= 8;                                                               \
      nb -= 8;                                                                 \
    }                                                                          \
  } while (0)
  /* reversed Huffman code helper */
#define CODE(c, n)                                                             \
  do {                                                                         \
    uint32_t r = 0;                                                            \
    for (int q = 0; q < (n); q++)                                              \
      r |= (((c) >> q) & 1u) << ((n)-1 - q);                                   \
    BITS(r, n);                                                                \
  } while (0)
  BITS(1, 1);        /* final block */
  BITS(1, 2);        /* fixed Huffman */
  CODE(0x30 + 0, 8); /* literal 0 */
  size_t produced = 1, total = 1u << 20;
  while (total - produced >= 258) {
    CODE(0xC5, 8); /* length code 285 = 258 (codes 280-287: 8 bits from 0xC0) */
    CODE(0, 5);    /* distance code 0 = 1 */
    produced += 258;
  }
  while (produced < total) {
    CODE(0x30 + 0, 8);
    produced++;
  }
  CODE(0, 7); /* end of block (256) */
  BITS(0, 7); /* flush */
#undef BITS
#undef CODE
  uint8_t *z = calloc(1, 1u << 20);
  *crc = decc__crc32(0, z, 1u << 20);
  free(z);
  *len = b.n;
  return b.p;
}

TEST(zip_bomb_actual_size_refused) {
  size_t dl;
  uint32_t crc;
  uint8_t *def = zeros_deflate(&dl, &crc);
  ASSERT(dl < 8192);
  /* honest header: opens, reads 1 MiB; with a 64 KiB read limit: refused */
  zent honest[1] = {{.name = "zeros",
                     .data = def,
                     .len = dl,
                     .method = 8,
                     .usize = 1 << 20,
                     .crc = crc}};
  size_t zl;
  uint8_t *zip = build(honest, 1, &zl);
  decc_zip *z;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc_zip_open_mem(&z, zip, zl, NULL, &err));
  uint8_t *out;
  size_t ol;
  ASSERT_OK(decc_zip_read(z, 0, 0, &out, &ol, &err));
  ASSERT_EQ(ol, 1 << 20);
  decc_free(out);
  ASSERT_EQ(decc_zip_read(z, 0, 65536, &out, &ol, &err), DECC_E_LIMIT);
  decc_zip_close(z);
  free(zip);
  /* lying header: declares 1000 bytes, inflates to 1 MiB */
  zent liar[1] = {{.name = "zeros",
                   .data = def,
                   .len = dl,
                   .method = 8,
                   .usize = 1000,
                   .crc = crc}};
  zip = build(liar, 1, &zl);
  ASSERT_OK(decc_zip_open_mem(&z, zip, zl, NULL, &err));
  ASSERT_EQ(decc_zip_read(z, 0, 0, &out, &ol, &err), DECC_E_CORRUPT);
  decc_zip_close(z);
  free(zip);
  ASSERT(refused(liar, 1, NULL, 1, DECC_E_CORRUPT));
  /* stored entry whose data does not match its CRC */
  zent badcrc[2] = {{.name = "a", .data = hello, .len = 5, .usize = -1},
                    {.name = "b",
                     .data = hello,
                     .len = 5,
                     .method = 8,
                     .usize = 5,
                     .crc = 1}};
  ASSERT(refused(badcrc, 2, NULL, 1, DECC_E_CORRUPT));
  free(def);
}

TEST(extract_and_cleanup) {
  char target[600];
  snprintf(target, sizeof target, "%s/x", decc_test_tmpdir());
  zent e[4] = {
      {.name = "dir/", .mode = 0040755, .usize = -1},
      {.name = "dir/sub/file.txt", .data = hello, .len = 5, .usize = -1},
      {.name = "run.sh",
       .data = "#!/bin/sh\n",
       .len = 10,
       .mode = 0100755,
       .usize = -1},
      {.name = "empty", .usize = -1}};
  size_t zl;
  uint8_t *zip = build(e, 4, &zl);
  decc_zip *z;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc_zip_open_mem(&z, zip, zl, NULL, &err));
  ASSERT_EQ(decc_zip_count(z), 4);
  size_t idx;
  ASSERT_OK(decc_zip_find(z, "dir/sub/file.txt", &idx));
  ASSERT_EQ(idx, 1);
  ASSERT_EQ(decc_zip_find(z, "dir", &idx), DECC_E_NOT_FOUND);
  ASSERT_OK(decc_zip_extract(z, target, &err));
  char p[700];
  snprintf(p, sizeof p, "%s/dir/sub/file.txt", target);
  char *got = decc_test_read_file(p, NULL);
  ASSERT_STR_EQ(got, "hello"); /* owned by the harness */
  struct stat sb;
  snprintf(p, sizeof p, "%s/run.sh", target);
  ASSERT_OK(stat(p, &sb));
  ASSERT(sb.st_mode & 0100);
  /* Second extraction into the same place: nothing is overwritten, and the
   * failed attempt removes only what it created (nothing). */
  ASSERT_EQ(decc_zip_extract(z, target, &err), DECC_E_EXISTS);
  snprintf(p, sizeof p, "%s/dir/sub/file.txt", target);
  ASSERT_OK(stat(p, &sb));
  decc_zip_close(z);
  free(zip);

  /* A pre-existing symlink in the target is never followed. */
  char t2[600], outside[600], lnk[700];
  snprintf(t2, sizeof t2, "%s/t2", decc_test_tmpdir());
  snprintf(outside, sizeof outside, "%s/outside", decc_test_tmpdir());
  ASSERT_OK(mkdir(t2, 0755));
  ASSERT_OK(mkdir(outside, 0755));
  snprintf(lnk, sizeof lnk, "%s/lnk", t2);
  ASSERT_OK(symlink(outside, lnk));
  zent s[3] = {{.name = "first", .data = hello, .len = 5, .usize = -1},
               {.name = "newdir/f", .data = hello, .len = 5, .usize = -1},
               {.name = "lnk/evil", .data = hello, .len = 5, .usize = -1}};
  zip = build(s, 3, &zl);
  ASSERT_OK(decc_zip_open_mem(&z, zip, zl, NULL, &err));
  ASSERT_EQ(decc_zip_extract(z, t2, &err), DECC_E_EXISTS);
  ASSERT_EQ(count_dir(outside), 0);
  ASSERT_EQ(count_dir(t2), 1); /* only the symlink: first, newdir removed */
  decc_zip_close(z);
  free(zip);
}

TEST(garbage_is_refused) {
  decc_zip *z;
  const uint8_t junk[] = "PK\x05\x06 this is not a zip";
  ASSERT(decc_zip_open_mem(&z, junk, sizeof junk, NULL, NULL) != DECC_OK);
  ASSERT(decc_zip_open_mem(&z, junk, 3, NULL, NULL) == DECC_E_PARSE);
  ASSERT(decc_zip_open_file(&z, "/nonexistent/x.zip", NULL, NULL) == DECC_E_IO);
  /* an empty archive is fine */
  size_t zl;
  uint8_t *zip = build(NULL, 0, &zl);
  ASSERT_OK(decc_zip_open_mem(&z, zip, zl, NULL, NULL));
  ASSERT_EQ(decc_zip_count(z), 0);
  decc_zip_close(z);
  free(zip);
}
