/*
 * fuzz_keystore.c — libFuzzer target for the V3 keystore parser
 * (lib/eth/keystore.c): any input must be refused cleanly or open to a key
 * whose address agrees with the file. KDF costs are capped far below the
 * production limits (N ≤ 1024, N·r·p ≤ 2^14, c ≤ 1024) so each input runs in
 * about a millisecond; the parser and checks are the same code.
 * Seeds: fuzz/corpus/fuzz_keystore/ (password "testpassword").
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decc/keys.h"
#include "decc/keystore.h"
#include "decc/mem.h"
#include "eth/keystore_int.h"
#include "fuzz.h"

static const decc_keystore_limits FUZZ_LIMITS = {
    .scrypt_max_n = 1024,
    .scrypt_max_nr = 8192,
    .scrypt_max_nrp = 16384,
    .pbkdf2_max_c = 1024,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char pw[] = "testpassword";
  const char *json = (const char *)data;
  uint8_t sk[32];
  decc_address addr, field;
  decc_err err;
  decc_status st = decc__keystore_decrypt_limited(
      sk, &addr, json, size, pw, sizeof pw - 1, &FUZZ_LIMITS, &err);
  decc_status fst = decc_keystore_address(&field, json, size, NULL);
  if (st == DECC_OK) {
    decc_address again;
    if (decc_address_from_privkey(&again, sk) != DECC_OK ||
        !decc_address_eq(&again, &addr))
      abort(); /* returned a key that does not match its own address */
    if (fst == DECC_OK && !decc_address_eq(&field, &addr))
      abort(); /* the address field was not enforced */
    /* What opens must survive a round trip through the writer. */
    decc_keystore_params p = {
        .kdf = DECC_KDF_SCRYPT, .scrypt_n = 2, .scrypt_r = 1};
    char *out = NULL;
    uint8_t back[32];
    if (decc_keystore_encrypt(&out, sk, pw, sizeof pw - 1, &p, NULL) !=
            DECC_OK ||
        decc__keystore_decrypt_limited(back, NULL, out, strlen(out), pw,
                                       sizeof pw - 1, &FUZZ_LIMITS,
                                       NULL) != DECC_OK ||
        memcmp(back, sk, 32) != 0)
      abort();
    decc_free(out);
    decc_memzero(back, sizeof back);
  } else if (err.code != st || !err.msg[0]) {
    abort(); /* every refusal must say why */
  }
  decc_memzero(sk, sizeof sk);
  return 0;
}
