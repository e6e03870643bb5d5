/*
 * test_result.c — result encryption: RSA key handling, the encrypted result
 * archive against archives the iExec SDK's decryptResult opens
 * (tests/vectors/formats/result.json: current, legacy and mixed formats,
 * plus the failures the SDK reports), decc-built archives checked entry by
 * entry, and damaged archives built here with libzip (tampered, truncated,
 * oversized, duplicated, misplaced entries, bad CRC).
 */
#include <dirent.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "decc/dataset.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/result.h"
#include "test.h"

static json_t *vectors(void) {
  static json_t *root;
  if (!root)
    root =
        json_load_file(decc_test_vector_path("formats/result.json"), 0, NULL);
  return root;
}

static const char *vstr(const char *name) {
  return json_string_value(json_object_get(vectors(), name));
}

static decc_rsa_key *vkey(const char *name) {
  const char *t = vstr(name);
  decc_rsa_key *k = NULL;
  if (!t || decc_rsa_key_parse(&k, t, strlen(t), NULL) != DECC_OK)
    return NULL;
  return k;
}

static uint8_t *b64dec(const char *t, size_t *n) {
  size_t len = strlen(t), cap = len / 4 * 3 + 3;
  uint8_t *b = malloc(cap + 1);
  if (decc_base64_decode(b, cap, n, t, len) != DECC_OK) {
    free(b);
    return NULL;
  }
  return b;
}

static uint8_t *inner_zip(size_t *n) {
  return b64dec(vstr("iexec_out_zip"), n);
}

TEST(rsa_vector_keys) {
  decc_rsa_key *priv = vkey("private_key_pem"), *pub = vkey("public_key_pem"),
               *pubb = vkey("public_key_sms_b64");
  ASSERT(priv && pub && pubb);
  ASSERT_EQ(decc_rsa_key_is_private(priv), 1);
  ASSERT_EQ(decc_rsa_key_is_private(pub), 0);
  ASSERT_EQ(decc_rsa_key_is_private(pubb), 0);
  ASSERT_EQ(decc_rsa_key_bits(priv), 4096);
  char *pem = NULL, *b64 = NULL;
  size_t n = 0;
  /* OpenSSL's SPKI PEM is byte-identical to Node's (the SDK CLI's) */
  ASSERT_OK(decc_rsa_key_public_pem(&pem, &n, priv, NULL));
  ASSERT_STR_EQ(pem, vstr("public_key_pem"));
  ASSERT_EQ(n, strlen(pem));
  decc_free(pem);
  ASSERT_OK(decc_rsa_key_public_pem(&pem, NULL, pubb, NULL));
  ASSERT_STR_EQ(pem, vstr("public_key_pem"));
  decc_free(pem);
  ASSERT_OK(decc_rsa_key_public_b64(&b64, &n, pub, NULL));
  ASSERT_STR_EQ(b64, vstr("public_key_sms_b64"));
  decc_free(b64);
  /* private PEM round trip (PKCS#8) */
  char *ppem = NULL;
  ASSERT_OK(decc_rsa_key_private_pem(&ppem, &n, priv, NULL));
  ASSERT(strncmp(ppem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
  decc_rsa_key *again = NULL;
  ASSERT_OK(decc_rsa_key_parse(&again, ppem, n, NULL));
  ASSERT_EQ(decc_rsa_key_is_private(again), 1);
  decc_secure_free(ppem);
  decc_err err;
  ASSERT_EQ(decc_rsa_key_private_pem(&ppem, &n, pub, &err), DECC_E_INVALID);
  decc_rsa_key_destroy(again);
  decc_rsa_key_destroy(priv);
  decc_rsa_key_destroy(pub);
  decc_rsa_key_destroy(pubb);
  decc_rsa_key_destroy(NULL);
}

/* PEM of a key in another form, written with OpenSSL directly. */
static char *openssl_pem(EVP_PKEY *pk, int traditional_private) {
  BIO *b = BIO_new(BIO_s_mem());
  int ok;
  if (traditional_private)
    ok = PEM_write_bio_PrivateKey_traditional(b, pk, NULL, NULL, 0, NULL, NULL);
  else
    ok = PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
  char *p = NULL;
  long n = BIO_get_mem_data(b, &p);
  char *s = ok && n > 0 ? strndup(p, (size_t)n) : NULL;
  BIO_free(b);
  return s;
}

TEST(rsa_parse_forms_and_rejects) {
  decc_err err;
  decc_rsa_key *k = NULL;
  ASSERT_EQ(decc_rsa_key_parse(&k, "", 0, &err), DECC_E_PARSE);
  ASSERT_EQ(decc_rsa_key_parse(&k, "hello", 5, &err), DECC_E_PARSE);
  const char *enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END "
                    "ENCRYPTED PRIVATE KEY-----\n";
  ASSERT_EQ(decc_rsa_key_parse(&k, enc, strlen(enc), &err), DECC_E_UNSUPPORTED);
  const char *cert =
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  ASSERT_EQ(decc_rsa_key_parse(&k, cert, strlen(cert), &err), DECC_E_PARSE);
  const char *broken =
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  ASSERT_EQ(decc_rsa_key_parse(&k, broken, strlen(broken), &err), DECC_E_PARSE);
  ASSERT(k == NULL);
  /* an EC key is not an RSA key */
  EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  ASSERT(ec != NULL);
  char *ecpem = openssl_pem(ec, 0);
  EVP_PKEY_free(ec);
  ASSERT(ecpem != NULL);
  ASSERT_EQ(decc_rsa_key_parse(&k, ecpem, strlen(ecpem), &err), DECC_E_PARSE);
  free(ecpem);
  /* PKCS#1 "RSA PRIVATE KEY" is accepted, and is the same key */
  const char *pk8 = vstr("private_key_pem");
  BIO *b = BIO_new_mem_buf(pk8, -1);
  EVP_PKEY *pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
  BIO_free(b);
  ASSERT(pk != NULL);
  char *trad = openssl_pem(pk, 1);
  EVP_PKEY_free(pk);
  ASSERT(trad && strstr(trad, "BEGIN RSA PRIVATE KEY"));
  ASSERT_OK(decc_rsa_key_parse(&k, trad, strlen(trad), NULL));
  free(trad);
  char *pem = NULL;
  ASSERT_OK(decc_rsa_key_public_pem(&pem, NULL, k, NULL));
  ASSERT_STR_EQ(pem, vstr("public_key_pem"));
  decc_free(pem);
  decc_rsa_key_destroy(k);
  /* base64 of something that is not a PEM */
  ASSERT_EQ(decc_rsa_key_parse(&k, "aGVsbG8gd29ybGQ=", 16, &err), DECC_E_PARSE);
}

TEST(rsa_keygen_and_pkcs1) {
  decc_err err;
  decc_rsa_key *k = NULL;
  ASSERT_EQ(decc_rsa_keygen(&k, 1024, &err), DECC_E_INVALID);
  ASSERT_EQ(decc_rsa_keygen(&k, 2049, &err), DECC_E_INVALID);
  ASSERT_OK(decc_rsa_keygen(&k, 2048, NULL));
  ASSERT_EQ(decc_rsa_key_bits(k), 2048);
  uint8_t msg[32], ct[512], pt[512];
  memset(msg, 0x5c, sizeof msg);
  size_t ctn = 0, ptn = 0;
  ASSERT_OK(decc_rsa_encrypt_pkcs1(ct, sizeof ct, &ctn, k, msg, 32, NULL));
  ASSERT_EQ(ctn, 256);
  ASSERT_OK(decc_rsa_decrypt_pkcs1(pt, sizeof pt, &ptn, k, ct, ctn, NULL));
  ASSERT_EQ(ptn, 32);
  ASSERT_MEM_EQ(pt, msg, 32);
  /* randomised padding: two encryptions differ */
  uint8_t ct2[512];
  size_t ct2n = 0;
  ASSERT_OK(decc_rsa_encrypt_pkcs1(ct2, sizeof ct2, &ct2n, k, msg, 32, NULL));
  ASSERT(memcmp(ct, ct2, ctn) != 0);
  ASSERT_EQ(decc_rsa_encrypt_pkcs1(ct2, sizeof ct2, &ct2n, k, ct, 246, &err),
            DECC_E_RANGE);
  ASSERT_EQ(decc_rsa_decrypt_pkcs1(pt, sizeof pt, &ptn, k, ct, ctn - 1, &err),
            DECC_E_BAD_MAC);
  ct[100] ^= 1;
  ASSERT_EQ(decc_rsa_decrypt_pkcs1(pt, sizeof pt, &ptn, k, ct, ctn, &err),
            DECC_E_BAD_MAC);
  /* the other key cannot open it */
  decc_rsa_key *v = vkey("private_key_pem");
  ASSERT(v != NULL);
  ASSERT_EQ(decc_rsa_decrypt_pkcs1(pt, sizeof pt, &ptn, v, ct2, ct2n, &err),
            DECC_E_BAD_MAC);
  decc_rsa_key *pub = vkey("public_key_pem");
  ASSERT_EQ(decc_rsa_decrypt_pkcs1(pt, sizeof pt, &ptn, pub, ct2, ct2n, &err),
            DECC_E_INVALID);
  decc_rsa_key_destroy(pub);
  decc_rsa_key_destroy(v);
  decc_rsa_key_destroy(k);
}

TEST(sdk_archives_decrypt) {
  decc_rsa_key *priv = vkey("private_key_pem");
  ASSERT(priv != NULL);
  size_t in_n = 0;
  uint8_t *inner = inner_zip(&in_n);
  ASSERT(inner && in_n > 100);
  json_t *arr = json_object_get(vectors(), "archives");
  ASSERT(json_array_size(arr) >= 6);
  size_t i;
  json_t *v;
  int seen_legacy = 0;
  json_array_foreach(arr, i, v) {
    const char *name = json_string_value(json_object_get(v, "name"));
    size_t an = 0;
    uint8_t *a = b64dec(json_string_value(json_object_get(v, "archive")), &an);
    ASSERT(a != NULL);
    uint8_t *out = NULL;
    size_t on = 0;
    decc_result_info info;
    decc_err err;
    decc_status st = decc_result_decrypt(&out, &on, &info, priv, a, an, &err);
    if (st) {
      decc_test_fail(__FILE__, __LINE__, "%s: %s", name, err.msg);
      return;
    }
    int empty = !strcmp(name, "empty_payload");
    ASSERT_EQ(on, empty ? 0 : in_n);
    if (!empty)
      ASSERT_MEM_EQ(out, inner, in_n);
    ASSERT_EQ(info.output_size, on);
    int want_b64 = !strncmp(name, "legacy", 6) || !strcmp(name, "b64_rsa_cbc");
    unsigned want_bits =
        (!strncmp(name, "legacy", 6) || !strcmp(name, "raw_rsa_ecb")) ? 128
                                                                      : 256;
    if (info.legacy_key_b64 != want_b64 || info.aes_bits != want_bits) {
      decc_test_fail(__FILE__, __LINE__, "%s: legacy %d bits %u", name,
                     info.legacy_key_b64, info.aes_bits);
      return;
    }
    seen_legacy += want_bits == 128;
    decc_free(out);
    free(a);
  }
  ASSERT(seen_legacy >= 2);
  free(inner);
  decc_rsa_key_destroy(priv);
}

TEST(sdk_failures_fail) {
  decc_rsa_key *priv = vkey("private_key_pem");
  ASSERT(priv != NULL);
  struct {
    const char *name;
    decc_status st;
  } want[] = {{"missing_key_entry", DECC_E_NOT_FOUND},
              {"missing_payload_entry", DECC_E_NOT_FOUND},
              {"wrong_rsa_key", DECC_E_BAD_MAC},
              {"oversized_key_entry", DECC_E_LIMIT},
              {"bad_key_length", DECC_E_CORRUPT},
              {"not_a_zip", DECC_E_PARSE}};
  json_t *arr = json_object_get(vectors(), "failures");
  ASSERT_EQ(json_array_size(arr), sizeof want / sizeof want[0]);
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    const char *name = json_string_value(json_object_get(v, "name"));
    size_t an = 0;
    uint8_t *a = b64dec(json_string_value(json_object_get(v, "archive")), &an);
    ASSERT(a != NULL);
    decc_status expect = DECC_E_INTERNAL;
    for (size_t j = 0; j < sizeof want / sizeof want[0]; j++)
      if (!strcmp(want[j].name, name))
        expect = want[j].st;
    uint8_t *out = (uint8_t *)1;
    size_t on = 1;
    decc_err err;
    decc_status st = decc_result_decrypt(&out, &on, NULL, priv, a, an, &err);
    if (st != expect || out != NULL || on != 0 || !err.msg[0] ||
        strchr(err.msg, '\n')) {
      decc_test_fail(__FILE__, __LINE__, "%s: got %d (%s), want %d", name, st,
                     err.msg, expect);
      return;
    }
    free(a);
  }
  decc_rsa_key_destroy(priv);
}

/* Builds a zip in memory from (name, data, len) triples. */
typedef struct zentry {
  const char *name;
  const void *data;
  size_t len;
} zentry;

static uint8_t *build_zip(const zentry *e, size_t n, int deflate,
                          size_t *out_len) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *dst = zip_source_buffer_create(NULL, 0, 0, &ze);
  zip_t *za = zip_open_from_source(dst, ZIP_TRUNCATE, &ze);
  zip_source_keep(dst);
  for (size_t i = 0; i < n; i++) {
    zip_source_t *s = zip_source_buffer(za, e[i].data, e[i].len, 0);
    zip_int64_t ix = zip_file_add(za, e[i].name, s, 0);
    zip_set_file_compression(za, (zip_uint64_t)ix,
                             deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  zip_close(za);
  zip_stat_t st;
  zip_source_stat(dst, &st);
  uint8_t *b = malloc(st.size);
  zip_source_open(dst);
  zip_source_read(dst, b, st.size);
  zip_source_close(dst);
  zip_source_free(dst);
  zip_error_fini(&ze);
  *out_len = st.size;
  return b;
}

static decc_status try_decrypt(const decc_rsa_key *priv, const uint8_t *a,
                               size_t an, decc_err *err) {
  uint8_t *out = NULL;
  size_t on = 0;
  decc_status st = decc_result_decrypt(&out, &on, NULL, priv, a, an, err);
  decc_free(out);
  return st;
}

TEST(encrypt_builds_the_post_compute_layout) {
  decc_rsa_key *pub = vkey("public_key_pem"), *priv = vkey("private_key_pem");
  ASSERT(pub && priv);
  size_t in_n = 0;
  uint8_t *inner = inner_zip(&in_n);
  uint8_t *a = NULL;
  size_t an = 0;
  ASSERT_OK(decc_result_encrypt(&a, &an, pub, inner, in_n, NULL));
  /* exactly two root entries, sizes as the format says */
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(a, an, 0, &ze);
  zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
  ASSERT(za != NULL);
  ASSERT_EQ(zip_get_num_entries(za, 0), 2);
  zip_stat_t ks, ps;
  ASSERT_OK(zip_stat(za, "aes-key.rsa", ZIP_FL_ENC_RAW, &ks));
  ASSERT_OK(zip_stat(za, "iexec_out.zip.aes", ZIP_FL_ENC_RAW, &ps));
  ASSERT_EQ(ks.size, 512);
  ASSERT_EQ(ps.size, decc_dataset_encrypted_size(in_n));
  uint8_t rsa[512];
  zip_file_t *zf = zip_fopen(za, "aes-key.rsa", 0);
  ASSERT_EQ(zip_fread(zf, rsa, 512), 512);
  zip_fclose(zf);
  uint8_t *payload = malloc(ps.size);
  zf = zip_fopen(za, "iexec_out.zip.aes", 0);
  ASSERT_EQ(zip_fread(zf, payload, ps.size), (long long)ps.size);
  zip_fclose(zf);
  zip_discard(za);
  zip_error_fini(&ze);
  /* the RSA plaintext is the raw 32-byte AES key, which opens the payload */
  uint8_t aes[64];
  size_t aesn = 0;
  ASSERT_OK(
      decc_rsa_decrypt_pkcs1(aes, sizeof aes, &aesn, priv, rsa, 512, NULL));
  ASSERT_EQ(aesn, 32);
  decc_dataset_key *dk = NULL;
  ASSERT_OK(decc_dataset_key_from_bytes(&dk, aes, NULL));
  uint8_t *pt = NULL;
  size_t ptn = 0;
  ASSERT_OK(decc_dataset_decrypt(&pt, &ptn, NULL, dk, payload, ps.size, NULL));
  ASSERT_EQ(ptn, in_n);
  ASSERT_MEM_EQ(pt, inner, in_n);
  decc_free(pt);
  decc_dataset_key_destroy(dk);
  /* and the library opens it too; a second encryption uses a new key */
  uint8_t *out = NULL, *a2 = NULL;
  size_t on = 0, a2n = 0;
  ASSERT_OK(decc_result_decrypt(&out, &on, NULL, priv, a, an, NULL));
  ASSERT_EQ(on, in_n);
  ASSERT_MEM_EQ(out, inner, in_n);
  decc_free(out);
  ASSERT_OK(decc_result_encrypt(&a2, &a2n, pub, inner, in_n, NULL));
  ASSERT(an != a2n || memcmp(a, a2, an) != 0);
  /* empty input */
  decc_free(a2);
  ASSERT_OK(decc_result_encrypt(&a2, &a2n, pub, "", 0, NULL));
  ASSERT_OK(decc_result_decrypt(&out, &on, NULL, priv, a2, a2n, NULL));
  ASSERT_EQ(on, 0);
  decc_free(out);
  decc_free(a2);
  decc_free(a);
  free(payload);
  free(inner);
  decc_rsa_key_destroy(pub);
  decc_rsa_key_destroy(priv);
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

TEST(file_roundtrip_streaming_and_atomicity) {
  decc_rsa_key *pub = vkey("public_key_pem"), *priv = vkey("private_key_pem");
  ASSERT(pub && priv);
  const char *dir = decc_test_tmpdir();
  char in[512], arc[512], out[512];
  snprintf(in, sizeof in, "%s/iexec_out.zip", dir);
  snprintf(arc, sizeof arc, "%s/archive.zip", dir);
  snprintf(out, sizeof out, "%s/results.zip", dir);
  size_t n = (3u << 20) + 77; /* several 1 MiB chunks on both sides */
  uint8_t *data = malloc(n);
  uint32_t x = 77;
  for (size_t i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    data[i] = (uint8_t)(x >> 24);
  }
  write_file(in, data, n);
  decc_err err;
  ASSERT_OK(decc_result_encrypt_file(arc, pub, in, &err));
  decc_result_info info;
  ASSERT_OK(decc_result_decrypt_file(out, &info, priv, arc, &err));
  ASSERT_EQ(info.aes_bits, 256);
  ASSERT_EQ(info.legacy_key_b64, 0);
  ASSERT_EQ(info.payload_size, decc_dataset_encrypted_size(n));
  ASSERT_EQ(info.output_size, n);
  struct stat sb;
  ASSERT_OK(stat(out, &sb));
  ASSERT_EQ(sb.st_mode & 0777, 0600);
  size_t got = 0;
  char *back = decc_test_read_file(out, &got);
  ASSERT(back && got == n && !memcmp(back, data, n));
  ASSERT_EQ(count_entries(dir), 3);
  unlink(out);
  /* wrong private key: error, nothing written */
  decc_rsa_key *other = NULL;
  ASSERT_OK(decc_rsa_keygen(&other, 2048, NULL));
  ASSERT_EQ(decc_result_decrypt_file(out, NULL, other, arc, &err),
            DECC_E_BAD_MAC);
  ASSERT(strstr(err.msg, "archive.zip") && strstr(err.msg, "private key"));
  ASSERT_EQ(count_entries(dir), 2);
  /* a public key cannot decrypt */
  ASSERT_EQ(decc_result_decrypt_file(out, NULL, pub, arc, &err),
            DECC_E_INVALID);
  /* a failing encryption leaves nothing either */
  ASSERT_EQ(decc_result_encrypt_file(out, pub, "/nonexistent/in.zip", &err),
            DECC_E_IO);
  ASSERT_EQ(
      decc_result_decrypt_file(out, NULL, priv, "/nonexistent/a.zip", &err),
      DECC_E_IO);
  ASSERT_EQ(decc_result_decrypt_file(out, NULL, priv, in, &err), DECC_E_PARSE);
  ASSERT_EQ(count_entries(dir), 2);
  /* an existing destination survives a failure */
  write_file(out, "keep", 4);
  ASSERT_EQ(decc_result_decrypt_file(out, NULL, other, arc, &err),
            DECC_E_BAD_MAC);
  back = decc_test_read_file(out, &got);
  ASSERT(back && got == 4 && !memcmp(back, "keep", 4));
  decc_rsa_key_destroy(other);
  free(data);
  decc_rsa_key_destroy(pub);
  decc_rsa_key_destroy(priv);
}

/* Sets the declared uncompressed size of entry `name` in both its local
 * and central headers. */
static void patch_size(uint8_t *z, size_t n, const char *name, uint32_t size) {
  size_t nl = strlen(name);
  for (size_t i = 0; i + 46 + nl <= n; i++) {
    if (!memcmp(z + i, "PK\3\4", 4) && z[i + 26] == nl &&
        !memcmp(z + i + 30, name, nl))
      memcpy(z + i + 22, &size, 4); /* little-endian host */
    if (!memcmp(z + i, "PK\1\2", 4) && z[i + 28] == nl &&
        !memcmp(z + i + 46, name, nl))
      memcpy(z + i + 24, &size, 4);
  }
}

/* Renames (same length) every occurrence of an entry name. */
static void patch_name(uint8_t *z, size_t n, const char *from, const char *to) {
  size_t nl = strlen(from);
  for (size_t i = 0; i + nl <= n; i++)
    if (!memcmp(z + i, from, nl))
      memcpy(z + i, to, nl);
}

TEST(damaged_archives) {
  decc_rsa_key *pub = vkey("public_key_pem"), *priv = vkey("private_key_pem");
  ASSERT(pub && priv);
  uint8_t aes[32], iv[16];
  memset(aes, 0x61, 32);
  memset(iv, 0x62, 16);
  decc_dataset_key *dk = NULL;
  ASSERT_OK(decc_dataset_key_from_bytes(&dk, aes, NULL));
  const char *msg =
      "the plain iexec_out.zip would be here, a few blocks long..";
  uint8_t *ct = NULL;
  size_t ctn = 0;
  ASSERT_OK(
      decc_dataset_encrypt(&ct, &ctn, NULL, dk, iv, msg, strlen(msg), NULL));
  uint8_t rsa[512];
  size_t rsan = 0;
  ASSERT_OK(decc_rsa_encrypt_pkcs1(rsa, sizeof rsa, &rsan, pub, aes, 32, NULL));
  decc_err err;
  size_t zn = 0;
  uint8_t *z;
  /* baseline: this hand-built archive is fine (stored and deflated) */
  for (int defl = 0; defl < 2; defl++) {
    zentry ok[] = {{"aes-key.rsa", rsa, rsan}, {"iexec_out.zip.aes", ct, ctn}};
    z = build_zip(ok, 2, defl, &zn);
    uint8_t *out = NULL;
    size_t on = 0;
    ASSERT_OK(decc_result_decrypt(&out, &on, NULL, priv, z, zn, NULL));
    ASSERT_EQ(on, strlen(msg));
    ASSERT_MEM_EQ(out, msg, on);
    decc_free(out);
    free(z);
  }
  /* tampered last ciphertext block (zip CRC recomputed): bad padding */
  ct[ctn - 3] ^= 0x40;
  {
    zentry e[] = {{"aes-key.rsa", rsa, rsan}, {"iexec_out.zip.aes", ct, ctn}};
    z = build_zip(e, 2, 0, &zn);
    ASSERT_EQ(try_decrypt(priv, z, zn, &err), DECC_E_BAD_MAC);
    ASSERT(strstr(err.msg, "padding"));
    free(z);
  }
  ct[ctn - 3] ^= 0x40;
  /* truncated payloads */
  size_t cuts[] = {0, 10, 16, 31, ctn - 1};
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    zentry e[] = {{"aes-key.rsa", rsa, rsan},
                  {"iexec_out.zip.aes", ct, cuts[i]}};
    z = build_zip(e, 2, 0, &zn);
    decc_status st = try_decrypt(priv, z, zn, &err);
    free(z);
    if (st != DECC_E_CORRUPT || !strstr(err.msg, "truncated")) {
      decc_test_fail(__FILE__, __LINE__, "cut %zu: %d %s", cuts[i], st,
                     err.msg);
      return;
    }
  }
  /* the archive bytes damaged under the zip CRC */
  {
    zentry e[] = {{"aes-key.rsa", rsa, rsan}, {"iexec_out.zip.aes", ct, ctn}};
    z = build_zip(e, 2, 0, &zn);
    uint8_t *p = NULL;
    for (size_t i = 0; i + ctn <= zn; i++)
      if (!memcmp(z + i, ct, ctn))
        p = z + i;
    ASSERT(p != NULL);
    p[ctn / 2] ^= 1;
    ASSERT_EQ(try_decrypt(priv, z, zn, &err), DECC_E_CORRUPT);
    free(z);
  }
  /* entries under a folder do not count */
  {
    zentry e[] = {{"x/aes-key.rsa", rsa, rsan},
                  {"x/iexec_out.zip.aes", ct, ctn}};
    z = build_zip(e, 2, 0, &zn);
    ASSERT_EQ(try_decrypt(priv, z, zn, &err), DECC_E_NOT_FOUND);
    ASSERT(strstr(err.msg, "aes-key.rsa"));
    free(z);
  }
  /* key entry over 1000 bytes */
  {
    uint8_t big[1001];
    memset(big, 'A', sizeof big);
    zentry e[] = {{"aes-key.rsa", big, sizeof big},
                  {"iexec_out.zip.aes", ct, ctn}};
    z = build_zip(e, 2, 1, &zn);
    ASSERT_EQ(try_decrypt(priv, z, zn, &err), DECC_E_LIMIT);
    ASSERT(strstr(err.msg, "too large"));
    free(z);
  }
  /* payload declaring more than 1,000,000,000 bytes (refused from the
   * header, before any data is read) */
  {
    zentry e[] = {{"aes-key.rsa", rsa, rsan}, {"iexec_out.zip.aes", ct, ctn}};
    z = build_zip(e, 2, 1, &zn);
    patch_size(z, zn, "iexec_out.zip.aes", 1000000016u);
    decc_status st = try_decrypt(priv, z, zn, &err);
    ASSERT_EQ(st, DECC_E_LIMIT);
    ASSERT(strstr(err.msg, "iexec_out.zip.aes is too large"));
    free(z);
  }
  /* two entries with the same name (libzip refuses the archive itself;
   * decrypt_archive would too, should a reader ever let one through) */
  {
    zentry e[] = {{"aes-key.rsa", rsa, rsan},
                  {"aes-key.rsb", rsa, rsan},
                  {"iexec_out.zip.aes", ct, ctn}};
    z = build_zip(e, 3, 0, &zn);
    patch_name(z, zn, "aes-key.rsb", "aes-key.rsa");
    decc_status st = try_decrypt(priv, z, zn, &err);
    ASSERT_EQ(st, DECC_E_PARSE);
    free(z);
  }
  /* legacy payload tampered: base64 still decodes, ECB padding does not */
  {
    uint8_t k16[16];
    memset(k16, 0x33, 16);
    char k16b64[25];
    decc_base64_encode(k16b64, k16, 16);
    uint8_t lrsa[512];
    size_t lrsan = 0;
    ASSERT_OK(decc_rsa_encrypt_pkcs1(lrsa, sizeof lrsa, &lrsan, pub, k16b64, 24,
                                     NULL));
    char lkey[700];
    decc_base64_encode(lkey, lrsa, lrsan);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t ect[128];
    int l1 = 0, l2 = 0;
    EVP_EncryptInit_ex2(c, EVP_aes_128_ecb(), k16, NULL, NULL);
    EVP_EncryptUpdate(c, ect, &l1, (const uint8_t *)msg, (int)strlen(msg));
    EVP_EncryptFinal_ex(c, ect + l1, &l2);
    EVP_CIPHER_CTX_free(c);
    char eb64[200];
    decc_base64_encode(eb64, ect, (size_t)(l1 + l2));
    zentry e[] = {{"aes-key.rsa", lkey, strlen(lkey)},
                  {"iexec_out.zip.aes", eb64, strlen(eb64)}};
    z = build_zip(e, 2, 1, &zn);
    uint8_t *out = NULL;
    size_t on = 0;
    decc_result_info info;
    ASSERT_OK(decc_result_decrypt(&out, &on, &info, priv, z, zn, NULL));
    ASSERT(on == strlen(msg) && !memcmp(out, msg, on));
    ASSERT(info.legacy_key_b64 == 1 && info.aes_bits == 128);
    decc_free(out);
    free(z);
    /* flip a symbol of the last base64 group (changes the last block) */
    size_t el = strlen(eb64);
    eb64[el - 4] = eb64[el - 4] == 'A' ? 'B' : 'A';
    zentry t[] = {{"aes-key.rsa", lkey, strlen(lkey)},
                  {"iexec_out.zip.aes", eb64, el}};
    z = build_zip(t, 2, 1, &zn);
    ASSERT_EQ(try_decrypt(priv, z, zn, &err), DECC_E_BAD_MAC);
    free(z);
    /* cut to a length that is not a whole number of blocks */
    zentry u[] = {{"aes-key.rsa", lkey, strlen(lkey)},
                  {"iexec_out.zip.aes", eb64, 20}};
    z = build_zip(u, 2, 1, &zn);
    ASSERT_EQ(try_decrypt(priv, z, zn, &err), DECC_E_CORRUPT);
    free(z);
  }
  decc_free(ct);
  decc_dataset_key_destroy(dk);
  decc_rsa_key_destroy(pub);
  decc_rsa_key_destroy(priv);
}
