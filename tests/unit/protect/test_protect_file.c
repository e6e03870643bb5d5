/*
 * test_protect_file.c — file-backed binary values (decc_pd_add_binary_file,
 * $file with stream_files): the zip streamed from the file is the same,
 * byte for byte, as the zip of the same bytes held in memory, for sizes
 * around the two-thread CRC split; the MIME type comes from the file's
 * head; a file changed after it was added is refused; the CRC-32
 * combination rule matches a straight CRC over random splits.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decc/mem.h"
#include "decc/protect.h"
#include "protect/protect_int.h"
#include "test.h"

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint8_t next_byte(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint8_t)(rng >> 24);
}

static uint8_t *random_bytes(size_t n) {
  uint8_t *p = decc_malloc(n ? n : 1);
  for (size_t i = 0; p && i < n; i++)
    p[i] = next_byte();
  return p;
}

static int write_file(const char *path, const uint8_t *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  int ok = fwrite(p, 1, n, f) == n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static decc_status sink_buf(void *ctx, const void *p, size_t n) {
  return decc_buf_append(ctx, p, n);
}

/* Bit at a time, straight from the definition (reflected 0xEDB88320,
 * inverted in and out): independent of both fast paths. */
static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t n) {
  uint32_t c = ~crc;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++)
      c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

TEST(crc32_fast_paths_match_the_definition) {
  size_t n = 70000;
  uint8_t *p = random_bytes(n);
  ASSERT(p);
  ASSERT_EQ(decc__crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
  size_t lens[] = {0,   1,   15,  16,   17,   255,   256,
                   257, 271, 272, 1000, 4096, 65535, 70000};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
    for (size_t off = 0; off < 3 && off + lens[i] <= n; off++) {
      uint32_t seed = (uint32_t)(i * 2654435761u);
      ASSERT_EQ(decc__crc32(seed, p + off, lens[i]),
                crc_bitwise(seed, p + off, lens[i]));
    }
  decc_free(p);
}

TEST(crc32_combine_matches_straight_crc) {
  size_t n = 100000;
  uint8_t *p = random_bytes(n);
  ASSERT(p);
  uint32_t whole = decc__crc32(0, p, n);
  size_t cuts[] = {0, 1, 7, 4096, 65537, 99999, 100000};
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    size_t k = cuts[i];
    uint32_t a = decc__crc32(0, p, k), b = decc__crc32(0, p + k, n - k);
    ASSERT_EQ(decc__crc32_combine(a, b, n - k), whole);
  }
  decc_free(p);
}

/* The zip of {name: file, s: "x"} from a file-backed value equals the zip
 * of the same object with the bytes in memory, through every serializer. */
static void same_zip(size_t n, decc_pd_format fmt) {
  char path[600];
  snprintf(path, sizeof path, "%s/v-%zu.bin", decc_test_tmpdir(), n);
  uint8_t *p = random_bytes(n);
  ASSERT(p);
  if (n >= 8)
    memcpy(p, "\x89PNG\r\n\x1a\n", 8); /* a sniffable head */
  ASSERT_EQ(write_file(path, p, n), 0);
  decc_pd *mem, *fil, *sub;
  ASSERT_OK(decc_pd_create(&mem));
  ASSERT_OK(decc_pd_create(&fil));
  ASSERT_OK(decc_pd_add_string(mem, "s", "x", 1, NULL));
  ASSERT_OK(decc_pd_add_string(fil, "s", "x", 1, NULL));
  ASSERT_OK(decc_pd_add_object(mem, "dir", &sub, NULL));
  ASSERT_OK(decc_pd_add_binary(sub, "file", p, n, NULL));
  ASSERT_OK(decc_pd_add_object(fil, "dir", &sub, NULL));
  ASSERT_OK(decc_pd_add_binary_file(sub, "file", path, NULL));
  ASSERT(decc_pd_bytes_value(sub, NULL) == NULL);
  char *s1, *s2;
  ASSERT_OK(decc_pd_schema_json(mem, fmt, &s1, NULL, NULL));
  ASSERT_OK(decc_pd_schema_json(fil, fmt, &s2, NULL, NULL));
  ASSERT_STR_EQ(s1, s2);
  if (n >= 8)
    ASSERT(strstr(s2, "image/png"));
  decc_free(s1);
  decc_free(s2);
  decc_buf a, b;
  decc_buf_init(&a, 0);
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_pd_serialize(mem, fmt, &a, NULL));
  ASSERT_OK(decc_pd_serialize_stream(fil, fmt, sink_buf, &b, NULL));
  ASSERT_EQ(a.len, b.len);
  ASSERT(memcmp(a.data, b.data, a.len) == 0);
  decc_buf_reset(&b);
  ASSERT_OK(decc_pd_serialize(fil, fmt, &b, NULL));
  ASSERT_EQ(a.len, b.len);
  ASSERT(memcmp(a.data, b.data, a.len) == 0);
  decc_buf_clear(&a);
  decc_buf_clear(&b);
  decc_pd_destroy(mem);
  decc_pd_destroy(fil);
  decc_free(p);
  unlink(path);
}

TEST(file_backed_zip_is_byte_identical) {
  same_zip(0, DECC_PD_V2);
  same_zip(5, DECC_PD_LEGACY);
  same_zip((1u << 20) + 3, DECC_PD_V2);
  /* At and above the two-thread CRC split (16 MiB), odd sizes. */
  same_zip((16u << 20), DECC_PD_V2);
  same_zip((17u << 20) + 12345, DECC_PD_LEGACY);
}

TEST(file_changed_after_add_is_refused) {
  char path[600];
  snprintf(path, sizeof path, "%s/changing.bin", decc_test_tmpdir());
  ASSERT_EQ(write_file(path, (const uint8_t *)"abcdef", 6), 0);
  decc_pd *root;
  ASSERT_OK(decc_pd_create(&root));
  ASSERT_OK(decc_pd_add_binary_file(root, "f", path, NULL));
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_pd_serialize(root, DECC_PD_V2, &b, NULL));
  /* Same size, new content and modification time. */
  struct timespec later[2] = {{0, UTIME_OMIT}, {time(NULL) + 5, 0}};
  ASSERT_EQ(write_file(path, (const uint8_t *)"ABCDEF", 6), 0);
  ASSERT_EQ(utimensat(AT_FDCWD, path, later, 0), 0);
  decc_buf_reset(&b);
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_pd_serialize(root, DECC_PD_V2, &b, &err), DECC_E_STATE);
  ASSERT(strstr(err.msg, "changed"));
  /* Shrunk. */
  ASSERT_EQ(write_file(path, (const uint8_t *)"ab", 2), 0);
  decc_buf_reset(&b);
  ASSERT_EQ(decc_pd_serialize(root, DECC_PD_V2, &b, NULL), DECC_E_STATE);
  decc_buf_clear(&b);
  decc_pd_destroy(root);
  /* Missing file, directory. */
  ASSERT_OK(decc_pd_create(&root));
  ASSERT_EQ(decc_pd_add_binary_file(root, "f", "/nonexistent/x", NULL),
            DECC_E_IO);
  ASSERT_EQ(decc_pd_add_binary_file(root, "f", decc_test_tmpdir(), NULL),
            DECC_E_IO);
  ASSERT_EQ(decc_pd_count(root), 0);
  decc_pd_destroy(root);
}

/* 4 GiB and more used to be refused here (no zip64); the writer now
 * switches to zip64 (test_zip64.c checks the records), so adding such a
 * file is accepted. Not serialized here: that reads the 4 GiB twice. */
TEST(four_gib_is_accepted_up_front) {
  char path[600];
  snprintf(path, sizeof path, "%s/big.bin", decc_test_tmpdir());
  FILE *f = fopen(path, "wb");
  ASSERT(f);
  fclose(f);
  ASSERT_EQ(truncate(path, (off_t)(4ull << 30)), 0); /* sparse */
  decc_pd *root;
  ASSERT_OK(decc_pd_create(&root));
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc_pd_add_binary_file(root, "f", path, &err));
  ASSERT_EQ(decc_pd_count(root), 1);
  decc_pd_destroy(root);
  unlink(path);
}

TEST(json_stream_files) {
  const char *dir = decc_test_tmpdir();
  char p[600];
  snprintf(p, sizeof p, "%s/j.bin", dir);
  ASSERT_EQ(write_file(p, (const uint8_t *)"GIF89a-data", 11), 0);
  const char *js = "{\"a\":{\"$file\":\"j.bin\"}}";
  decc_pd_json_opts o;
  memset(&o, 0, sizeof o);
  o.base_dir = dir;
  decc_pd *loaded, *streamed;
  ASSERT_OK(decc_pd_parse_json(&loaded, js, strlen(js), &o, NULL));
  o.stream_files = 1;
  ASSERT_OK(decc_pd_parse_json(&streamed, js, strlen(js), &o, NULL));
  ASSERT(decc_pd_bytes_value(decc_pd_lookup(loaded, "a"), NULL) != NULL);
  ASSERT(decc_pd_bytes_value(decc_pd_lookup(streamed, "a"), NULL) == NULL);
  decc_buf a, b;
  decc_buf_init(&a, 0);
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_pd_serialize(loaded, DECC_PD_V2, &a, NULL));
  ASSERT_OK(decc_pd_serialize(streamed, DECC_PD_V2, &b, NULL));
  ASSERT_EQ(a.len, b.len);
  ASSERT(memcmp(a.data, b.data, a.len) == 0);
  decc_buf_clear(&a);
  decc_buf_clear(&b);
  decc_pd_destroy(loaded);
  decc_pd_destroy(streamed);
  /* The size limit still applies. */
  o.max_file_size = 4;
  ASSERT_EQ(decc_pd_parse_json(&streamed, js, strlen(js), &o, NULL),
            DECC_E_LIMIT);
}

/* The 2 GiB default bounds memory: a loaded $file over it is refused with
 * its size and the limit named; a streamed one (decc protect) has no
 * default limit, since it is never in memory and the zip goes zip64. */
TEST(json_big_file_streams_without_default_limit) {
  const char *dir = decc_test_tmpdir();
  char p[600];
  snprintf(p, sizeof p, "%s/big5.bin", dir);
  FILE *f = fopen(p, "wb");
  ASSERT(f);
  fclose(f);
  ASSERT_EQ(truncate(p, (off_t)(5ull << 30)), 0); /* sparse */
  const char *js = "{\"big\":{\"$file\":\"big5.bin\"}}";
  decc_pd_json_opts o;
  memset(&o, 0, sizeof o);
  o.base_dir = dir;
  decc_pd *root = NULL;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_pd_parse_json(&root, js, strlen(js), &o, &err), DECC_E_LIMIT);
  ASSERT(strstr(err.msg, "5368709120 bytes") != NULL);
  ASSERT(strstr(err.msg, "2147483648") != NULL);
  ASSERT(strstr(err.msg, "big") != NULL);
  o.stream_files = 1;
  ASSERT_OK(decc_pd_parse_json(&root, js, strlen(js), &o, &err));
  ASSERT_EQ(decc_pd_count(root), 1);
  decc_pd_destroy(root);
  unlink(p);
}
