/*
 * test_dataset.c — iExec dataset encryption against vectors made by the
 * iExec SDK (tests/vectors/formats/dataset.json, tools/vectors/gen_formats.mjs):
 * decc decrypts the SDK's ciphertexts, re-encrypts the plaintexts with the
 * same key and IV to the same bytes and checksums; plus streaming splits
 * across the 256 KiB buffers (and the hashing thread), keys, the file API's
 * atomic output, and every bad-input path (wrong key, truncation,
 * tampering, checksum mismatch).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/dataset.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "iexec/iexec_int.h"
#include "test.h"

/* xorshift32, as in gen_formats.mjs. */
static uint8_t *prng(uint32_t seed, size_t n) {
  uint8_t *b = malloc(n ? n : 1);
  uint32_t x = seed;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b[i] = (uint8_t)(x & 0xff);
  }
  return b;
}

static decc_dataset_key *key_from_text(const char *t) {
  decc_dataset_key *k = NULL;
  if (decc_dataset_key_parse(&k, t, strlen(t), NULL) != DECC_OK)
    return NULL;
  return k;
}

static decc_dataset_key *fixed_key(uint8_t fill) {
  uint8_t raw[32];
  memset(raw, fill, sizeof raw);
  decc_dataset_key *k = NULL;
  if (decc_dataset_key_from_bytes(&k, raw, NULL) != DECC_OK)
    return NULL;
  return k;
}

TEST(key_generate_encode_parse) {
  decc_dataset_key *a = NULL, *b = NULL, *c = NULL;
  ASSERT_OK(decc_dataset_key_generate(&a, NULL));
  ASSERT_OK(decc_dataset_key_generate(&c, NULL));
  ASSERT(memcmp(decc_dataset_key_bytes(a), decc_dataset_key_bytes(c), 32) != 0);
  char t[45];
  decc_dataset_key_encode(t, a);
  ASSERT_EQ(strlen(t), 44);
  ASSERT_EQ(t[43], '=');
  char padded[64];
  snprintf(padded, sizeof padded, "  %s\r\n", t);
  ASSERT_OK(decc_dataset_key_parse(&b, padded, strlen(padded), NULL));
  ASSERT_MEM_EQ(decc_dataset_key_bytes(a), decc_dataset_key_bytes(b), 32);
  decc_dataset_key_destroy(b);
  /* unpadded is accepted (the SDK accepts it too: see key_checks) */
  b = NULL;
  ASSERT_OK(decc_dataset_key_parse(&b, t, 43, NULL));
  ASSERT_MEM_EQ(decc_dataset_key_bytes(a), decc_dataset_key_bytes(b), 32);
  decc_dataset_key_destroy(a);
  decc_dataset_key_destroy(b);
  decc_dataset_key_destroy(c);
  decc_dataset_key_destroy(NULL);
}

TEST(key_parse_rejects) {
  decc_err err;
  decc_dataset_key *k = (decc_dataset_key *)1;
  ASSERT_EQ(decc_dataset_key_parse(&k, "", 0, &err), DECC_E_PARSE);
  ASSERT(k == NULL);
  ASSERT_EQ(decc_dataset_key_parse(&k, " \n", 2, &err), DECC_E_PARSE);
  ASSERT_EQ(decc_dataset_key_parse(&k, "AAAA", 4, &err), DECC_E_RANGE);
  ASSERT(strstr(err.msg, "32 bytes") != NULL);
  const char *k31 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
  ASSERT_EQ(decc_dataset_key_parse(&k, k31, strlen(k31), &err), DECC_E_RANGE);
  const char *k33 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  ASSERT_EQ(decc_dataset_key_parse(&k, k33, strlen(k33), &err), DECC_E_RANGE);
  const char *bad = "not base64 at all!!";
  ASSERT_EQ(decc_dataset_key_parse(&k, bad, strlen(bad), &err), DECC_E_PARSE);
  char longk[200];
  memset(longk, 'A', sizeof longk);
  ASSERT_EQ(decc_dataset_key_parse(&k, longk, sizeof longk, &err),
            DECC_E_RANGE);
  ASSERT(k == NULL);
}

TEST(key_checks_agree_with_sdk) {
  json_t *root =
      json_load_file(decc_test_vector_path("formats/dataset.json"), 0, NULL);
  ASSERT(root != NULL);
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(root, "key_checks"), i, v) {
    const char *t = json_string_value(json_object_get(v, "text"));
    int sdk = json_is_true(json_object_get(v, "sdk_accepts"));
    decc_dataset_key *k = NULL;
    int ours = decc_dataset_key_parse(&k, t, strlen(t), NULL) == DECC_OK;
    decc_dataset_key_destroy(k);
    if (ours != sdk) {
      decc_test_fail(__FILE__, __LINE__, "key '%s': sdk %d decc %d", t, sdk,
                     ours);
      json_decref(root);
      return;
    }
  }
  json_decref(root);
}

TEST(sdk_vectors) {
  json_t *root =
      json_load_file(decc_test_vector_path("formats/dataset.json"), 0, NULL);
  ASSERT(root != NULL);
  json_t *arr = json_object_get(root, "datasets");
  ASSERT(json_array_size(arr) >= 8);
  size_t i;
  json_t *v;
  int big = 0;
  json_array_foreach(arr, i, v) {
    size_t size = (size_t)json_integer_value(json_object_get(v, "size"));
    uint32_t seed = (uint32_t)json_integer_value(json_object_get(v, "seed"));
    const char *checksum = json_string_value(json_object_get(v, "checksum"));
    const char *plain_sha =
        json_string_value(json_object_get(v, "plain_sha256"));
    size_t ivn = 0;
    uint8_t *iv =
        decc_test_unhex(json_string_value(json_object_get(v, "iv")), &ivn);
    ASSERT_EQ(ivn, 16);
    decc_dataset_key *k =
        key_from_text(json_string_value(json_object_get(v, "key")));
    ASSERT(k != NULL);
    uint8_t *plain = prng(seed, size);
    char hex[67];
    uint8_t ph[32];
    decc_sha256(ph, plain, size);
    ASSERT_STR_EQ(decc_hex_encode(hex, ph, 32, 1), plain_sha);

    /* Same key + IV → the SDK's exact bytes and checksum. */
    uint8_t *ct = NULL, sum[32];
    size_t ctn = 0;
    ASSERT_OK(decc_dataset_encrypt(&ct, &ctn, sum, k, iv, plain, size, NULL));
    ASSERT_EQ(ctn, decc_dataset_encrypted_size(size));
    ASSERT_STR_EQ(decc_hex_encode(hex, sum, 32, 1), checksum);
    uint8_t ch[32];
    decc_sha256(ch, ct, ctn);
    ASSERT_MEM_EQ(ch, sum, 32);
    json_t *encv = json_object_get(v, "encrypted");
    if (encv) {
      size_t sn = 0;
      uint8_t *sdk_ct = decc_test_unhex(json_string_value(encv), &sn);
      ASSERT_EQ(sn, ctn);
      ASSERT_MEM_EQ(sdk_ct, ct, ctn);
      /* decrypt the SDK's own bytes */
      uint8_t *pt = NULL, dsum[32];
      size_t ptn = 99;
      ASSERT_OK(decc_dataset_decrypt(&pt, &ptn, dsum, k, sdk_ct, sn, NULL));
      ASSERT_EQ(ptn, size);
      ASSERT_MEM_EQ(pt, plain, size);
      ASSERT_EQ(pt[ptn], 0);
      ASSERT_STR_EQ(decc_hex_encode(hex, dsum, 32, 1), checksum);
      decc_free(pt);
    } else {
      big++;
      uint8_t *pt = NULL, dsum[32];
      size_t ptn = 0;
      ASSERT_OK(decc_dataset_decrypt(&pt, &ptn, dsum, k, ct, ctn, NULL));
      ASSERT_EQ(ptn, size);
      ASSERT_MEM_EQ(pt, plain, size);
      ASSERT_STR_EQ(decc_hex_encode(hex, dsum, 32, 1), checksum);
      decc_free(pt);
    }
    decc_free(ct);
    free(plain);
    decc_dataset_key_destroy(k);
  }
  ASSERT(big >= 1);
  json_decref(root);
}

/* A sink that collects output and can be told to fail. */
typedef struct collect {
  uint8_t *data;
  size_t len, cap;
  size_t calls;
  size_t fail_at; /* fail on this call (1-based), 0 = never */
} collect;

static decc_status collect_fn(const uint8_t *d, size_t n, void *u) {
  collect *c = u;
  c->calls++;
  if (c->fail_at && c->calls == c->fail_at)
    return DECC_E_IO;
  if (n > ((size_t)256 << 10) + 32)
    return DECC_E_INTERNAL; /* promised: chunks of at most 256 KiB + 32 */
  if (c->len + n > c->cap) {
    c->cap = (c->len + n) * 2;
    c->data = realloc(c->data, c->cap);
  }
  memcpy(c->data + c->len, d, n);
  c->len += n;
  return DECC_OK;
}

/* Encrypts `plain` fed in pieces of varying size; compares with one shot. */
static int split_roundtrip(size_t size, size_t step0) {
  decc_dataset_key *k = fixed_key(0x42);
  uint8_t iv[16];
  memset(iv, 0x24, 16);
  uint8_t *plain = prng((uint32_t)size + 7, size);
  uint8_t *ref = NULL, refsum[32];
  size_t refn = 0;
  int ok = decc_dataset_encrypt(&ref, &refn, refsum, k, iv, plain, size,
                                NULL) == DECC_OK;
  collect c = {0};
  decc_dataset_stream *s = NULL;
  ok = ok && decc_dataset_stream_create(&s, DECC_DATASET_ENCRYPT, k, iv,
                                        collect_fn, &c, NULL) == DECC_OK;
  size_t off = 0, step = step0;
  while (ok && off < size) {
    size_t n = size - off < step ? size - off : step;
    ok = decc_dataset_stream_update(s, plain + off, n, NULL) == DECC_OK;
    off += n;
    step = step * 3 + 1;
    if (step > 3 * 1024 * 1024)
      step = step0;
  }
  uint8_t sum[32];
  ok = ok && decc_dataset_stream_final(s, sum, NULL) == DECC_OK;
  ok = ok && c.len == refn && memcmp(c.data, ref, refn) == 0 &&
       memcmp(sum, refsum, 32) == 0;
  ok = ok && decc_dataset_stream_bytes_in(s) == size &&
       decc_dataset_stream_bytes_out(s) == refn;
  decc_dataset_stream_destroy(s);
  /* decrypt in pieces too; checksum is of the input */
  collect d = {0};
  s = NULL;
  ok = ok && decc_dataset_stream_create(&s, 0, k, NULL, collect_fn, &d, NULL) ==
                 DECC_OK;
  off = 0;
  step = step0;
  while (ok && off < refn) {
    size_t n = refn - off < step ? refn - off : step;
    ok = decc_dataset_stream_update(s, ref + off, n, NULL) == DECC_OK;
    off += n;
    step = step * 2 + 3;
    if (step > 3 * 1024 * 1024)
      step = step0;
  }
  ok = ok && decc_dataset_stream_final(s, sum, NULL) == DECC_OK;
  ok = ok && d.len == size && (size == 0 || memcmp(d.data, plain, size) == 0) &&
       memcmp(sum, refsum, 32) == 0;
  decc_dataset_stream_destroy(s);
  free(c.data);
  free(d.data);
  decc_free(ref);
  free(plain);
  decc_dataset_key_destroy(k);
  return ok;
}

TEST(streaming_splits) {
  const size_t M = (size_t)1 << 20;
  const size_t K = (size_t)256 << 10; /* the stream's buffer size */
  size_t sizes[] = {0,          1,         15,       16,     17,         100,
                    4095,       4096,      65537,    K - 17, K - 16,     K - 1,
                    K,          K + 1,     K + 15,   K + 16, 8 * K - 16, 8 * K,
                    8 * K + 17, M - 17,    M - 16,   M - 1,  M,          M + 1,
                    M + 16,     2 * M + 5, 5 * M + 3};
  size_t steps[] = {1, 7, 16, 4096, 1000003};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    for (size_t j = 0; j < sizeof steps / sizeof steps[0]; j++) {
      if (steps[j] < 16 && sizes[i] > 70000)
        continue; /* byte-at-a-time over megabytes adds nothing but time */
      if (!split_roundtrip(sizes[i], steps[j])) {
        decc_test_fail(__FILE__, __LINE__, "size %zu step %zu", sizes[i],
                       steps[j]);
        return;
      }
    }
}

TEST(checksum_matches_sha256_of_output_with_hasher_thread) {
  /* 9 MiB: many times the 8 rotating buffers, so the hashing thread has to
   * hand buffers back while the sink is still being fed. */
  size_t n = 9u << 20;
  uint8_t *plain = prng(99, n);
  decc_dataset_key *k = fixed_key(1);
  collect c = {0};
  decc_dataset_stream *s = NULL;
  ASSERT_OK(decc_dataset_stream_create(&s, DECC_DATASET_ENCRYPT, k, NULL,
                                       collect_fn, &c, NULL));
  ASSERT_OK(decc_dataset_stream_update(s, plain, n, NULL));
  uint8_t sum[32], ref[32];
  ASSERT_OK(decc_dataset_stream_final(s, sum, NULL));
  decc_dataset_stream_destroy(s);
  ASSERT_EQ(c.len, decc_dataset_encrypted_size(n));
  ASSERT(c.calls >= 9);
  decc_sha256(ref, c.data, c.len);
  ASSERT_MEM_EQ(sum, ref, 32);
  free(c.data);
  free(plain);
  decc_dataset_key_destroy(k);
}

TEST(random_iv_differs) {
  decc_dataset_key *k = fixed_key(3);
  uint8_t *a = NULL, *b = NULL;
  size_t an = 0, bn = 0;
  ASSERT_OK(decc_dataset_encrypt(&a, &an, NULL, k, NULL, "same", 4, NULL));
  ASSERT_OK(decc_dataset_encrypt(&b, &bn, NULL, k, NULL, "same", 4, NULL));
  ASSERT_EQ(an, 32);
  ASSERT(memcmp(a, b, 16) != 0);
  decc_free(a);
  decc_free(b);
  decc_dataset_key_destroy(k);
}

TEST(stream_misuse_and_sink_failure) {
  decc_dataset_key *k = fixed_key(5);
  decc_dataset_stream *s = NULL;
  collect c = {0};
  uint8_t iv[16] = {0};
  decc_err err;
  ASSERT_EQ(decc_dataset_stream_create(&s, 0, k, iv, collect_fn, &c, &err),
            DECC_E_INVALID);
  ASSERT(s == NULL);
  ASSERT_OK(decc_dataset_stream_create(
      &s, DECC_DATASET_ENCRYPT | DECC_DATASET_NO_CHECKSUM, k, NULL, collect_fn,
      &c, NULL));
  uint8_t sum[32];
  memset(sum, 0xaa, 32);
  ASSERT_OK(decc_dataset_stream_final(s, sum, NULL));
  uint8_t zero[32] = {0};
  ASSERT_MEM_EQ(sum, zero, 32);
  ASSERT_EQ(decc_dataset_stream_update(s, "x", 1, &err), DECC_E_STATE);
  ASSERT_EQ(decc_dataset_stream_final(s, NULL, &err), DECC_E_STATE);
  decc_dataset_stream_destroy(s);
  /* a failing sink stops the stream with its status */
  size_t n = 3u << 20;
  uint8_t *plain = prng(5, n);
  collect f = {0};
  f.fail_at = 2;
  s = NULL;
  ASSERT_OK(decc_dataset_stream_create(&s, DECC_DATASET_ENCRYPT, k, NULL,
                                       collect_fn, &f, NULL));
  ASSERT_EQ(decc_dataset_stream_update(s, plain, n, &err), DECC_E_IO);
  ASSERT(strstr(err.msg, "output") != NULL);
  ASSERT_EQ(decc_dataset_stream_update(s, plain, 1, &err), DECC_E_STATE);
  decc_dataset_stream_destroy(s);
  free(plain);
  free(c.data);
  free(f.data);
  decc_dataset_key_destroy(k);
}

TEST(bad_inputs) {
  decc_dataset_key *k = fixed_key(7), *wrong = fixed_key(8);
  uint8_t iv[16];
  memset(iv, 9, 16);
  uint8_t *plain = prng(11, 1000);
  uint8_t *ct = NULL, *pt = NULL;
  size_t ctn = 0, ptn = 0;
  decc_err err;
  ASSERT_OK(decc_dataset_encrypt(&ct, &ctn, NULL, k, iv, plain, 1000, NULL));
  /* wrong key: with these fixed bytes the padding check catches it */
  ASSERT_EQ(decc_dataset_decrypt(&pt, &ptn, NULL, wrong, ct, ctn, &err),
            DECC_E_BAD_MAC);
  ASSERT(strstr(err.msg, "wrong key") != NULL);
  ASSERT(pt == NULL);
  /* truncated: under one block, IV only, not a multiple of 16 */
  size_t cuts[] = {0, 1, 15, 16, 31, 33, ctn - 1, ctn - 15};
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    decc_status st =
        decc_dataset_decrypt(&pt, &ptn, NULL, k, ct, cuts[i], &err);
    if (st != DECC_E_CORRUPT || !strstr(err.msg, "truncated")) {
      decc_test_fail(__FILE__, __LINE__, "cut %zu: %d %s", cuts[i], st,
                     err.msg);
      return;
    }
  }
  /* dropping a whole block keeps the length valid: padding catches it */
  ASSERT_EQ(decc_dataset_decrypt(&pt, &ptn, NULL, k, ct, ctn - 16, &err),
            DECC_E_BAD_MAC);
  /* tampered last block */
  ct[ctn - 1] ^= 0x5a;
  ASSERT_EQ(decc_dataset_decrypt(&pt, &ptn, NULL, k, ct, ctn, &err),
            DECC_E_BAD_MAC);
  ct[ctn - 1] ^= 0x5a;
  /* tampered IV: CBC garbles only the first block; no error, wrong bytes
   * (documented: no MAC — the on-chain checksum is the integrity check) */
  ct[0] ^= 1;
  uint8_t sum[32], good[32];
  ASSERT_OK(decc_dataset_decrypt(&pt, &ptn, sum, k, ct, ctn, NULL));
  ASSERT(memcmp(pt, plain, 16) != 0);
  ASSERT_MEM_EQ(pt + 16, plain + 16, 1000 - 16);
  ct[0] ^= 1;
  decc_sha256(good, ct, ctn);
  ASSERT(memcmp(sum, good, 32) != 0);
  decc_free(pt);
  decc_free(ct);
  free(plain);
  decc_dataset_key_destroy(k);
  decc_dataset_key_destroy(wrong);
}

static int count_entries(const char *dir) {
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

static void write_file(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(p, 1, n, f);
    fclose(f);
  }
}

TEST(file_api_roundtrip_and_atomicity) {
  const char *dir = decc_test_tmpdir();
  char in[512], enc[512], out[512];
  snprintf(in, sizeof in, "%s/data.bin", dir);
  snprintf(enc, sizeof enc, "%s/data.bin.enc", dir);
  snprintf(out, sizeof out, "%s/data.out", dir);
  size_t n = (3u << 20) + 123;
  uint8_t *plain = prng(21, n);
  write_file(in, plain, n);
  decc_dataset_key *k = fixed_key(0x11), *wrong = fixed_key(0x12);
  uint8_t sum[32], dsum[32];
  decc_err err;
  ASSERT_OK(decc_dataset_encrypt_file(enc, sum, k, in, &err));
  char hex[67], hex2[67];
  ASSERT_OK(decc_dataset_checksum_file(hex, enc, NULL));
  ASSERT_STR_EQ(decc_hex_encode(hex2, sum, 32, 1), hex);
  struct stat sb;
  ASSERT_OK(stat(enc, &sb));
  ASSERT_EQ(sb.st_size, (long long)decc_dataset_encrypted_size(n));
  ASSERT_OK(decc_dataset_decrypt_file(out, dsum, k, enc, sum, &err));
  ASSERT_MEM_EQ(sum, dsum, 32);
  ASSERT_OK(stat(out, &sb));
  ASSERT_EQ(sb.st_mode & 0777, 0600);
  size_t got = 0;
  char *back = decc_test_read_file(out, &got);
  ASSERT(back != NULL);
  ASSERT_EQ(got, n);
  ASSERT_MEM_EQ(back, plain, n);
  ASSERT_EQ(count_entries(dir), 3);
  unlink(out);
  /* wrong key: error naming the input, no output, no temp file */
  ASSERT_EQ(decc_dataset_decrypt_file(out, NULL, wrong, enc, NULL, &err),
            DECC_E_BAD_MAC);
  ASSERT(strstr(err.msg, "data.bin.enc") != NULL);
  ASSERT(access(out, F_OK) != 0);
  ASSERT_EQ(count_entries(dir), 2);
  /* checksum mismatch: refused even though the key is right */
  uint8_t other[32];
  memset(other, 0xee, 32);
  ASSERT_EQ(decc_dataset_decrypt_file(out, NULL, k, enc, other, &err),
            DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "checksum") != NULL);
  ASSERT(access(out, F_OK) != 0);
  /* failure keeps an existing destination untouched */
  write_file(out, "keep", 4);
  ASSERT_EQ(decc_dataset_decrypt_file(out, NULL, wrong, enc, NULL, &err),
            DECC_E_BAD_MAC);
  back = decc_test_read_file(out, &got);
  ASSERT(back != NULL && got == 4 && !memcmp(back, "keep", 4));
  /* truncated file */
  char trunc[512];
  snprintf(trunc, sizeof trunc, "%s/t.enc", dir);
  write_file(trunc, "0123456789abcde", 15);
  unlink(out);
  ASSERT_EQ(decc_dataset_decrypt_file(out, NULL, k, trunc, NULL, &err),
            DECC_E_CORRUPT);
  ASSERT(access(out, F_OK) != 0);
  /* missing input, unwritable output directory */
  ASSERT_EQ(decc_dataset_encrypt_file(out, NULL, k, "/nonexistent/x", &err),
            DECC_E_IO);
  ASSERT(strstr(err.msg, "/nonexistent/x") != NULL);
  ASSERT_EQ(decc_dataset_encrypt_file("/nonexistent/dir/y", NULL, k, in, &err),
            DECC_E_IO);
  ASSERT_EQ(count_entries(dir), 3); /* data.bin, data.bin.enc, t.enc */
  /* in place: input and output are the same path */
  char inplace[512];
  snprintf(inplace, sizeof inplace, "%s/inplace", dir);
  write_file(inplace, plain, 5000);
  ASSERT_OK(decc_dataset_encrypt_file(inplace, NULL, k, inplace, NULL));
  ASSERT_OK(decc_dataset_decrypt_file(inplace, NULL, k, inplace, NULL, NULL));
  back = decc_test_read_file(inplace, &got);
  ASSERT(back && got == 5000 && !memcmp(back, plain, 5000));
  free(plain);
  decc_dataset_key_destroy(k);
  decc_dataset_key_destroy(wrong);
}

TEST(fd_api_pipe) {
  /* Non-seekable input and output: a pipe in, a file out. */
  int p[2];
  ASSERT_OK(pipe(p));
  uint8_t data[3000];
  memset(data, 'z', sizeof data);
  ASSERT_EQ(write(p[1], data, sizeof data), (long long)sizeof data);
  close(p[1]);
  char path[512];
  snprintf(path, sizeof path, "%s/fd.enc", decc_test_tmpdir());
  int out = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT(out >= 0);
  decc_dataset_key *k = fixed_key(0x33);
  uint8_t sum[32];
  ASSERT_OK(decc_dataset_encrypt_fd(out, sum, k, NULL, p[0], NULL));
  close(p[0]);
  ASSERT_EQ(lseek(out, 0, SEEK_SET), 0);
  int p2[2];
  ASSERT_OK(pipe(p2));
  uint8_t dsum[32];
  ASSERT_OK(decc_dataset_decrypt_fd(p2[1], dsum, k, out, NULL));
  close(p2[1]);
  uint8_t back[4000];
  ssize_t r = read(p2[0], back, sizeof back);
  ASSERT_EQ(r, 3000);
  ASSERT_MEM_EQ(back, data, 3000);
  ASSERT_MEM_EQ(sum, dsum, 32);
  close(p2[0]);
  close(out);
  decc_dataset_key_destroy(k);
}

TEST(lenient_base64_matches_node) {
  /* Outputs of Node 20's Buffer.from(s, 'base64') for these inputs. */
  struct {
    const char *in, *hex;
  } cases[] = {{"QUJD", "414243"},        {"QU$JD", "414243"},
               {"QUJ\nD", "414243"},      {"QUJD=QUJD", "414243"},
               {"QUJDR", "414243"},       {"QUJDRA", "41424344"},
               {"QUJDREU", "4142434445"}, {"QU-_", "414fbf"},
               {"QU+/", "414fbf"},        {"Q=UJD", ""},
               {"QUJD===", "414243"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    decc__b64_lenient d;
    decc__b64_lenient_init(&d);
    uint8_t out[32];
    size_t n =
        decc__b64_lenient_update(&d, out, cases[i].in, strlen(cases[i].in));
    n += decc__b64_lenient_final(&d, out + n);
    char hex[70];
    decc_hex_encode(hex, out, n, 0);
    if (strcmp(hex, cases[i].hex)) {
      decc_test_fail(__FILE__, __LINE__, "'%s' -> %s, node %s", cases[i].in,
                     hex, cases[i].hex);
      return;
    }
  }
}
