/*
 * test_bundle.c — canonical iApp bundles: scaffolding, manifest checks,
 * deterministic packing (same bytes whatever the mtimes or the order the
 * directory lists in), strict unpacking (measurement first, canonical
 * headers, order, names), and refusal of symlinks, traversal and tampering.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/buf.h"
#include "decc/bundle.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "test.h"

static void path_of(char *out, size_t n, const char *a, const char *b) {
  if (snprintf(out, n, "%s/%s", a, b) >= (int)n)
    abort(); /* test paths are short; a truncated path would be a bug */
}

static void write_text(const char *dir, const char *name, const char *text,
                       int mode) {
  char p[1024];
  path_of(p, sizeof p, dir, name);
  FILE *f = fopen(p, "w");
  fputs(text, f);
  fclose(f);
  chmod(p, (mode_t)mode);
}

TEST(scaffold_pack_unpack_roundtrip) {
  const char *t = decc_test_tmpdir();
  char app[600], dst[600];
  path_of(app, sizeof app, t, "app");
  path_of(dst, sizeof dst, t, "dst");
  decc_err err;
  ASSERT_OK(decc_bundle_scaffold(app, "sh", "my-app", &err));
  ASSERT_EQ(decc_bundle_scaffold(app, "sh", NULL, &err), DECC_E_EXISTS);
  char sub[700];
  path_of(sub, sizeof sub, app, "lib");
  ASSERT_OK(mkdir(sub, 0700));
  write_text(sub, "data.txt", "some data\n", 0600);
  /* a path longer than 100 bytes exercises the ustar prefix field */
  char deep[1024];
  snprintf(deep, sizeof deep, "%s/%s", sub,
           "a-very-long-directory-name-to-go-beyond-one-hundred-characters-"
           "in-the-tar-name-field");
  ASSERT_OK(mkdir(deep, 0755));
  write_text(deep, "file-with-a-long-name-too.txt", "deep\n", 0644);
  decc_bundle_manifest m;
  ASSERT_OK(decc_bundle_manifest_read(&m, app, &err));
  ASSERT_STR_EQ(m.name, "my-app");
  ASSERT_STR_EQ(m.entrypoint, "run.sh");
  decc_buf b1, b2;
  decc_buf_init(&b1, 0);
  decc_buf_init(&b2, 0);
  uint8_t m1[32], m2[32];
  ASSERT_OK(decc_bundle_pack(&b1, m1, app, &err));
  ASSERT_EQ(b1.len % 512, 0);
  /* mtimes and permissions other than the exec bit do not matter */
  char cmd[4096];
  snprintf(
      cmd, sizeof cmd,
      "touch -d '2001-01-01' %s/run.sh %s/data.txt && chmod 644 %s/data.txt",
      app, sub, sub);
  ASSERT_OK(system(cmd));
  ASSERT_OK(decc_bundle_pack(&b2, m2, app, &err));
  ASSERT_EQ(b1.len, b2.len);
  ASSERT_MEM_EQ(b1.data, b2.data, b1.len);
  ASSERT_MEM_EQ(m1, m2, 32);
  uint8_t h[32];
  decc_sha256(h, b1.data, b1.len);
  ASSERT_MEM_EQ(h, m1, 32);
  /* tar can read it */
  char tarf[700];
  path_of(tarf, sizeof tarf, t, "b.tar");
  FILE *f = fopen(tarf, "wb");
  fwrite(b1.data, 1, b1.len, f);
  fclose(f);
  snprintf(cmd, sizeof cmd,
           "tar -tf %s | grep -q 'file-with-a-long-name-too.txt'", tarf);
  ASSERT_OK(system(cmd));
  ASSERT_OK(mkdir(dst, 0755));
  ASSERT_OK(decc_bundle_unpack(b1.data, b1.len, m1, dst, &m, &err));
  ASSERT_STR_EQ(m.name, "my-app");
  char p[1200];
  snprintf(p, sizeof p, "%s/lib/data.txt", dst);
  ASSERT_STR_EQ(decc_test_read_file(p, NULL), "some data\n");
  struct stat st;
  snprintf(p, sizeof p, "%s/run.sh", dst);
  ASSERT_OK(stat(p, &st));
  ASSERT_EQ(st.st_mode & 0777, 0755);
  /* re-packing the unpacked tree gives the same measurement */
  decc_buf b3;
  decc_buf_init(&b3, 0);
  uint8_t m3[32];
  ASSERT_OK(decc_bundle_pack(&b3, m3, dst, &err));
  ASSERT_MEM_EQ(m3, m1, 32);
  decc_buf_clear(&b1);
  decc_buf_clear(&b2);
  decc_buf_clear(&b3);
}

TEST(unpack_refuses_wrong_measurement_and_tampering) {
  const char *t = decc_test_tmpdir();
  char app[600], dst[600];
  path_of(app, sizeof app, t, "app");
  path_of(dst, sizeof dst, t, "dst");
  decc_err err;
  ASSERT_OK(decc_bundle_scaffold(app, "sh", NULL, &err));
  decc_buf b;
  decc_buf_init(&b, 0);
  uint8_t m[32];
  ASSERT_OK(decc_bundle_pack(&b, m, app, &err));
  ASSERT_OK(mkdir(dst, 0755));
  uint8_t wrong[32];
  memcpy(wrong, m, 32);
  wrong[0] ^= 1;
  ASSERT_EQ(decc_bundle_unpack(b.data, b.len, wrong, dst, NULL, &err),
            DECC_E_BAD_MAC);
  char p[700];
  path_of(p, sizeof p, dst, "run.sh");
  struct stat st;
  ASSERT(stat(p, &st) != 0); /* nothing written */
  /* flip a byte of file content: measurement catches it */
  b.data[512 + 10] ^= 0x20;
  ASSERT_EQ(decc_bundle_unpack(b.data, b.len, m, dst, NULL, &err),
            DECC_E_BAD_MAC);
  /* without an expected measurement, a non-canonical header is refused */
  b.data[512 + 10] ^= 0x20;
  uint8_t *c = malloc(b.len);
  memcpy(c, b.data, b.len);
  c[136] = '1'; /* mtime of the first entry */
  ASSERT_EQ(decc_bundle_unpack(c, b.len, NULL, dst, NULL, &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "canonical"));
  /* truncated */
  ASSERT_EQ(decc_bundle_unpack(b.data, b.len - 512, NULL, dst, NULL, &err),
            DECC_E_PARSE);
  /* trailing garbage */
  decc_buf_append(&b, "x", 1) == DECC_OK ? (void)0 : abort();
  ASSERT_EQ(decc_bundle_unpack(b.data, b.len, NULL, dst, NULL, &err),
            DECC_E_PARSE);
  free(c);
  decc_buf_clear(&b);
}

/* Builds a one-entry archive with the given name as a valid ustar header
 * (correct checksum), to try traversal names. */
static size_t evil_archive(uint8_t *out, const char *name) {
  memset(out, 0, 512 * 4);
  memcpy(out, name, strlen(name));
  memcpy(out + 100, "0000644", 8);
  memcpy(out + 108, "0000000", 8);
  memcpy(out + 116, "0000000", 8);
  memcpy(out + 124, "00000000004", 12);
  memcpy(out + 136, "00000000000", 12);
  out[156] = '0';
  memcpy(out + 257, "ustar", 6);
  memcpy(out + 263, "00", 2);
  memset(out + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < 512; i++)
    sum += out[i];
  snprintf((char *)out + 148, 8, "%06o", sum);
  out[155] = ' ';
  memcpy(out + 512, "evil", 4);
  return 512 * 4;
}

TEST(unpack_refuses_traversal_names) {
  const char *t = decc_test_tmpdir();
  char dst[600];
  path_of(dst, sizeof dst, t, "dst");
  ASSERT_OK(mkdir(dst, 0755));
  const char *names[] = {"../evil", "/tmp/evil", "a/../../evil", "a\\b",
                         "./x",     "a//b",      "bad\001name"};
  uint8_t buf[2048];
  decc_err err;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    size_t n = evil_archive(buf, names[i]);
    ASSERT_EQ(decc_bundle_unpack(buf, n, NULL, dst, NULL, &err), DECC_E_PARSE);
  }
  /* a well-formed name is accepted by the same builder (the test is fair) */
  size_t n = evil_archive(buf, "fine.txt");
  ASSERT_OK(decc_bundle_unpack(buf, n, NULL, dst, NULL, &err));
  struct stat st;
  ASSERT(stat("/tmp/evil", &st) != 0);
  char p[700];
  path_of(p, sizeof p, t, "evil");
  ASSERT(stat(p, &st) != 0);
}

TEST(pack_refuses_symlinks_and_bad_manifests) {
  const char *t = decc_test_tmpdir();
  char app[600];
  path_of(app, sizeof app, t, "app");
  decc_err err;
  decc_buf b;
  decc_buf_init(&b, 0);
  uint8_t m[32];
  ASSERT_OK(mkdir(app, 0755));
  ASSERT_EQ(decc_bundle_pack(&b, m, app, &err), DECC_E_NOT_FOUND);
  write_text(app, "decc-app.json", "{\"name\":\"x\",\"version\":\"1\"}", 0644);
  ASSERT_EQ(decc_bundle_pack(&b, m, app, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "entrypoint"));
  write_text(app, "decc-app.json",
             "{\"name\":\"x\",\"version\":\"1\",\"entrypoint\":\"../x\"}",
             0644);
  ASSERT_EQ(decc_bundle_pack(&b, m, app, &err), DECC_E_INVALID);
  write_text(app, "decc-app.json",
             "{\"name\":\"x\",\"version\":\"1\",\"entrypoint\":\"run\"}", 0644);
  write_text(app, "run", "#!/bin/sh\n", 0644);
  ASSERT_EQ(decc_bundle_pack(&b, m, app, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "executable"));
  char p[700];
  path_of(p, sizeof p, app, "run");
  chmod(p, 0755);
  ASSERT_OK(decc_bundle_pack(&b, m, app, &err));
  path_of(p, sizeof p, app, "link");
  ASSERT_OK(symlink("/etc/passwd", p));
  decc_buf_reset(&b);
  ASSERT_EQ(decc_bundle_pack(&b, m, app, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "link"));
  write_text(app, "decc-app.json", "{not json", 0644);
  ASSERT_EQ(decc_bundle_pack(&b, m, app, &err), DECC_E_PARSE);
  ASSERT_EQ(decc_bundle_scaffold(app, "cobol", NULL, &err), DECC_E_INVALID);
  decc_buf_clear(&b);
}

TEST(c_scaffold_builds_and_packs) {
  const char *t = decc_test_tmpdir();
  char app[600];
  path_of(app, sizeof app, t, "capp");
  decc_err err;
  ASSERT_OK(decc_bundle_scaffold(app, "c", "c-app", &err));
  char cmd[800];
  snprintf(cmd, sizeof cmd, "make -s -C %s >/dev/null 2>&1", app);
  ASSERT_OK(system(cmd));
  decc_buf b;
  decc_buf_init(&b, 0);
  uint8_t m[32];
  ASSERT_OK(decc_bundle_pack(&b, m, app, &err));
  decc_buf_clear(&b);
}
