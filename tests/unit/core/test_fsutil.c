/*
 * test_fsutil.c — core's shared helpers that every layer relies on: strict
 * UTF-8 (counted exhaustively against the code-point ranges of RFC 3629,
 * plus the classic malformed cases) and atomic files (the destination
 * appears whole with its mode, a failed or aborted write leaves nothing).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "test.h"

static int valid(const char *s) {
  return decc__utf8_valid((const uint8_t *)s, strlen(s));
}

TEST(utf8_counts_match_rfc3629) {
  /* Every 2- and 3-byte string: exactly the code points U+0080..U+07FF
   * (1,920) and U+0800..U+FFFF minus the 2,048 surrogates (61,440) are
   * valid, each once, whatever the checker's internals. */
  uint8_t b[4];
  unsigned n2 = 0, n3 = 0;
  for (unsigned x = 0; x < 0x10000; x++) {
    b[0] = (uint8_t)(x >> 8), b[1] = (uint8_t)x;
    if (b[0] >= 0x80 && decc__utf8_valid(b, 2))
      n2++;
  }
  for (unsigned x = 0x800000; x < 0x1000000; x++) {
    b[0] = (uint8_t)(x >> 16), b[1] = (uint8_t)(x >> 8), b[2] = (uint8_t)x;
    if (b[0] >= 0xe0 && decc__utf8_valid(b, 3))
      n3++;
  }
  ASSERT_EQ(n2, 1920u);
  ASSERT_EQ(n3, 61440u);
  /* 4 bytes: with the last two bytes fixed to 0x80, the valid (lead,
   * second) pairs are the 256 prefixes of planes 1..16: F0 90-BF (48),
   * F1-F3 80-BF (3 × 64), F4 80-8F (16). */
  unsigned n4 = 0;
  for (unsigned x = 0; x < 0x10000; x++) {
    b[0] = (uint8_t)(x >> 8), b[1] = (uint8_t)x, b[2] = 0x80, b[3] = 0x80;
    if (b[0] >= 0xf0 && decc__utf8_valid(b, 4))
      n4++;
  }
  ASSERT_EQ(n4, 256u);
}

TEST(utf8_malformed_and_lengths) {
  ASSERT(valid(""));
  ASSERT(valid("plain ascii"));
  ASSERT(valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  ASSERT(!valid("\xc0\xaf"));         /* overlong '/' */
  ASSERT(!valid("\xe0\x80\xaf"));     /* overlong, 3 bytes */
  ASSERT(!valid("\xed\xa0\x80"));     /* U+D800, a surrogate */
  ASSERT(!valid("\xf4\x90\x80\x80")); /* U+110000 */
  ASSERT(!valid("\x80"));             /* lone continuation */
  ASSERT(!valid("\xc3"));             /* truncated */
  ASSERT(!valid("\xe2\x82"));         /* truncated */
  ASSERT(!valid("\xff"));
  const uint8_t euro[] = {0xe2, 0x82, 0xac};
  ASSERT_EQ(decc__utf8_seq_len(euro, 3), 3u);
  ASSERT_EQ(decc__utf8_seq_len(euro, 2), 0u); /* never reads past avail */
  ASSERT_EQ(decc__utf8_seq_len(euro, 0), 0u);
  ASSERT_EQ(decc__utf8_seq_len((const uint8_t *)"A", 1), 1u);
}

static char *tmpdir(void) {
  char tpl[] = "/tmp/decc_fsutil_XXXXXX";
  char *d = mkdtemp(tpl);
  return d ? decc_strdup(d) : NULL;
}

static int entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  if (d)
    closedir(d);
  return n;
}

TEST(atomic_write_replaces_whole_with_mode) {
  char *d = tmpdir();
  ASSERT(d != NULL);
  char *p = decc__path_join(d, "out.bin");
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc__atomic_write(p, "first", 5, 0600u, &err));
  ASSERT_OK(decc__atomic_write(p, "second!", 7, 0640u, &err));
  struct stat sb;
  ASSERT_EQ(stat(p, &sb), 0);
  ASSERT_EQ((unsigned)(sb.st_mode & 0777), 0640u);
  ASSERT_EQ((long)sb.st_size, 7L);
  FILE *f = fopen(p, "rb");
  char buf[16] = {0};
  ASSERT(f && fread(buf, 1, sizeof buf, f) == 7);
  fclose(f);
  ASSERT_STR_EQ(buf, "second!");
  ASSERT_EQ(entries(d), 1); /* no temporary left beside it */

  /* An aborted write leaves the old file and no temporary. */
  decc__atomic_file af;
  ASSERT_OK(decc__atomic_open(&af, p, 0600u, &err));
  ASSERT_OK(decc__write_all(af.fd, "partial", 7));
  decc__atomic_abort(&af);
  ASSERT_EQ(entries(d), 1);
  ASSERT_EQ(stat(p, &sb), 0);
  ASSERT_EQ((long)sb.st_size, 7L);

  /* A destination in a missing directory: a one-line error naming it. */
  char *bad = decc__path_join(d, "missing/out.bin");
  ASSERT(decc__atomic_write(bad, "x", 1, 0600u, &err) == DECC_E_IO);
  ASSERT(strstr(err.msg, "missing/out.bin") != NULL);
  ASSERT(decc__atomic_write("", "x", 1, 0600u, &err) == DECC_E_INVALID);

  decc__rmtree(d);
  decc_free(bad);
  decc_free(p);
  decc_free(d);
}

TEST(mkdir_p_creates_chain_and_refuses_files) {
  char *d = tmpdir();
  ASSERT(d != NULL);
  char *deep = decc__path_join(d, "a/b/c");
  ASSERT_EQ(decc__mkdir_p(deep, 0700), 0);
  ASSERT_EQ(decc__mkdir_p(deep, 0700), 0); /* existing is fine */
  char *file = decc__path_join(d, "a/f");
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc__atomic_write(file, "x", 1, 0600u, &err));
  char *under = decc__path_join(file, "x");
  ASSERT_EQ(decc__mkdir_p(under, 0700), -1);
  decc__rmtree(d);
  struct stat sb;
  ASSERT(stat(d, &sb) != 0);
  decc_free(under);
  decc_free(file);
  decc_free(deep);
  decc_free(d);
}
