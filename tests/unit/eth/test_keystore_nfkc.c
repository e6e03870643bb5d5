/*
 * test_keystore_nfkc.c — keystore passwords normalised with Unicode NFKC as
 * ethers does (lib/eth/keystore.c). Vectors from
 * tools/vectors/gen_keystore_nfkc.mjs (ethers 6): a keystore ethers wrote
 * under a password with compatibility characters opens with the password as
 * typed and with every equivalent spelling, and not with a different one; a
 * keystore whose KDF got the raw bytes (ethers given bytes, or geth) opens
 * with those bytes; decc's own files are written under the NFKC form; a
 * password that is not UTF-8 is used as bytes.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "decc/keys.h"
#include "decc/keystore.h"
#include "decc/mem.h"
#include "test.h"

static char *read_vector(const char *name, size_t *len) {
  char rel[256];
  snprintf(rel, sizeof rel, "keystore/%s", name);
  return decc_test_read_file(decc_test_vector_path(rel), len);
}

/* 0x-hex UTF-8 → NUL-terminated bytes in buf. */
static const char *unhex(char *buf, size_t cap, json_t *v) {
  const char *h = json_string_value(v);
  size_t n = 0;
  if (!h ||
      decc_hex_decode((uint8_t *)buf, cap - 1, &n, h, strlen(h)) != DECC_OK)
    return NULL;
  buf[n] = 0;
  return buf;
}

static decc_status open_with(const char *ks, size_t klen, const char *pw,
                             uint8_t sk[32]) {
  return decc_keystore_decrypt(sk, NULL, ks, klen, pw, strlen(pw), NULL);
}

TEST(ethers_nfkc_vector) {
  size_t len = 0;
  char *idx = read_vector("ethers_nfkc_index.json", &len);
  ASSERT(idx);
  json_t *root = json_loadb(idx, len, 0, NULL);
  ASSERT(root);
  size_t klen = 0;
  char *ks =
      read_vector(json_string_value(json_object_get(root, "file")), &klen);
  ASSERT(ks);
  uint8_t want[32], sk[32];
  ASSERT_OK(decc_hex_decode_exact(
      want, 32, json_string_value(json_object_get(root, "private_key")), "key",
      NULL));
  char pw[256];
  /* As typed (not NFKC: the ligature, circled one, fullwidth A …). */
  ASSERT(unhex(pw, sizeof pw, json_object_get(root, "password_utf8")));
  char nfkc[256];
  ASSERT(unhex(nfkc, sizeof nfkc, json_object_get(root, "nfkc_utf8")));
  ASSERT(strcmp(pw, nfkc) != 0);
  memset(sk, 0, sizeof sk);
  ASSERT_OK(open_with(ks, klen, pw, sk));
  ASSERT_MEM_EQ(sk, want, 32);
  /* Every equivalent spelling (NFC, NFD, NFKC, NFKD). */
  json_t *eq = json_object_get(root, "equivalent_passwords_utf8");
  ASSERT_EQ(json_array_size(eq), 4);
  size_t i;
  json_t *v;
  json_array_foreach(eq, i, v) {
    ASSERT(unhex(pw, sizeof pw, v));
    memset(sk, 0, sizeof sk);
    ASSERT_OK(open_with(ks, klen, pw, sk));
    ASSERT_MEM_EQ(sk, want, 32);
  }
  /* A password that is not equivalent is refused. */
  ASSERT(unhex(pw, sizeof pw, json_object_get(root, "wrong_password_utf8")));
  ASSERT_EQ(open_with(ks, klen, pw, sk), DECC_E_BAD_MAC);

  /* The raw-bytes file (geth's way): the exact bytes open it, the NFKC
   * form does not (it is another password for that file). */
  char *raw = read_vector(
      json_string_value(json_object_get(root, "raw_bytes_file")), &klen);
  ASSERT(raw);
  ASSERT_OK(decc_hex_decode_exact(
      want, 32,
      json_string_value(json_object_get(root, "raw_bytes_private_key")), "key",
      NULL));
  ASSERT(unhex(pw, sizeof pw, json_object_get(root, "password_utf8")));
  memset(sk, 0, sizeof sk);
  ASSERT_OK(open_with(raw, klen, pw, sk));
  ASSERT_MEM_EQ(sk, want, 32);
  ASSERT_EQ(open_with(raw, klen, nfkc, sk), DECC_E_BAD_MAC);
  json_decref(root);
}

TEST(decc_writes_the_nfkc_form) {
  uint8_t sk[32], out[32];
  memset(sk, 0x42, sizeof sk);
  decc_keystore_params p = {.kdf = DECC_KDF_PBKDF2, .pbkdf2_c = 16};
  /* "ﬁ" (U+FB01) + "Å" as the Angstrom sign (U+212B). */
  const char *typed = "\xef\xac\x81-\xe2\x84\xab";
  const char *nfkc = "fi-\xc3\x85";
  const char *nfd = "fi-A\xcc\x8a";
  char *json = NULL;
  ASSERT_OK(decc_keystore_encrypt(&json, sk, typed, strlen(typed), &p, NULL));
  ASSERT(json);
  const char *forms[3] = {typed, nfkc, nfd};
  for (int i = 0; i < 3; i++) {
    memset(out, 0, sizeof out);
    ASSERT_OK(open_with(json, strlen(json), forms[i], out));
    ASSERT_MEM_EQ(out, sk, 32);
  }
  ASSERT_EQ(open_with(json, strlen(json), "fi-A", out), DECC_E_BAD_MAC);
  decc_free(json);
}

TEST(non_utf8_password_is_bytes) {
  uint8_t sk[32], out[32];
  memset(sk, 0x24, sizeof sk);
  decc_keystore_params p = {.kdf = DECC_KDF_PBKDF2, .pbkdf2_c = 16};
  const char pw[] = "\xff\xfe-\xc3"; /* not UTF-8 */
  char *json = NULL;
  ASSERT_OK(decc_keystore_encrypt(&json, sk, pw, sizeof pw - 1, &p, NULL));
  memset(out, 0, sizeof out);
  ASSERT_OK(decc_keystore_decrypt(out, NULL, json, strlen(json), pw,
                                  sizeof pw - 1, NULL));
  ASSERT_MEM_EQ(out, sk, 32);
  ASSERT_EQ(decc_keystore_decrypt(out, NULL, json, strlen(json), pw, 2, NULL),
            DECC_E_BAD_MAC);
  decc_free(json);
}
