/*
 * keystore.c — Ethereum V3 keystores (Web3 Secret Storage definition), the
 * encrypted key files geth, ethers and foundry read and write.
 *
 * Format: {"address","crypto"|"Crypto":{"cipher":"aes-128-ctr",
 * "cipherparams":{"iv"},"ciphertext","kdf":"scrypt"|"pbkdf2","kdfparams",
 * "mac"},"id","version":3}. The KDF turns the password into a 32-byte key dk;
 * dk[0:16] is the AES-128-CTR key, and mac = keccak256(dk[16:32] ‖ ct).
 *
 * scrypt goes through libsodium because OpenSSL 3.0 refuses the spec's own
 * r=1, N=2^18 vector (it enforces N < 2^(16·r)); pbkdf2-hmac-sha256 and
 * AES-128-CTR go through OpenSSL. The whole file is parsed and checked before
 * any KDF runs, and the KDF cost is bounded, so a hostile file costs at most
 * about 1 GiB and a few seconds. The MAC is compared in constant time before
 * anything is decrypted; derived keys are wiped on every path.
 *
 * Passwords are normalised with Unicode NFKC before the KDF, as ethers does
 * (getPassword: toUtf8Bytes(password, "NFKC")), through ICU's normalizer
 * (libicu, the same Unicode data family Node.js uses): a keystore ethers
 * wrote opens with any equivalent spelling of its password, and one decc
 * writes opens in ethers. geth does not normalise, so decryption falls back
 * to the raw bytes when the NFKC form differs and does not match: files
 * written by geth (or by decc before it normalised) with such a password
 * still open. A password that is not valid UTF-8 is used as raw bytes.
 * The normalised copy lives in secure memory and is wiped.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/keystore.h"
#include "decc/mem.h"
#include "eth/keystore_int.h"

const decc_keystore_limits decc__keystore_default_limits = {
    .scrypt_max_n = UINT64_C(1) << 20,
    .scrypt_max_nr = UINT64_C(1) << 23, /* 128·N·r ≤ 1 GiB */
    .scrypt_max_nrp = UINT64_C(1) << 24,
    .pbkdf2_max_c = UINT32_C(1) << 24,
};

/* Defaults of geth's "standard" scrypt and of the spec's pbkdf2 example. */
#define DEFAULT_SCRYPT_N 262144u
#define DEFAULT_SCRYPT_R 8u
#define DEFAULT_SCRYPT_P 1u
#define DEFAULT_PBKDF2_C 262144u

#define KS_DKLEN 32
#define KS_IVLEN 16
#define KS_KEYLEN 32
#define KS_SALT_MAX 1024 /* bytes; geth and ethers write 32 */
#define KS_SALT_DEFAULT 32

/* Everything a keystore says, decoded, before any KDF runs. */
typedef struct ks_parsed {
  decc_kdf kdf;
  uint64_t n;
  uint32_t r, p, c;
  uint8_t salt[KS_SALT_MAX];
  size_t salt_len;
  uint8_t iv[KS_IVLEN];
  uint8_t ct[KS_KEYLEN];
  uint8_t mac[32];
  int has_addr;
  decc_address addr;
} ks_parsed;

/* ---- parameter checks (shared by encrypt and decrypt) ------------------- */

static decc_status check_scrypt(uint64_t n, uint64_t r, uint64_t p,
                                const decc_keystore_limits *lim,
                                decc_err *err) {
  if (n < 2 || (n & (n - 1)) != 0)
    return decc_err_set(err, DECC_E_INVALID,
                        "keystore: scrypt n must be a power of two >= 2");
  if (r < 1 || p < 1)
    return decc_err_set(err, DECC_E_INVALID,
                        "keystore: scrypt r and p must be >= 1");
  if (n > lim->scrypt_max_n)
    return decc_err_set(
        err, DECC_E_LIMIT, "keystore: scrypt n=%llu exceeds the limit %llu",
        (unsigned long long)n, (unsigned long long)lim->scrypt_max_n);
  /* n ≤ max_n (≤ 2^31 for any sane limit) and r < 2^32: n·r fits. */
  if (r > UINT32_MAX || p > UINT32_MAX || n * r > lim->scrypt_max_nr)
    return decc_err_set(err, DECC_E_LIMIT,
                        "keystore: scrypt memory n*r exceeds the limit %llu",
                        (unsigned long long)lim->scrypt_max_nr);
  if (p > lim->scrypt_max_nrp / (n * r))
    return decc_err_set(err, DECC_E_LIMIT,
                        "keystore: scrypt work n*r*p exceeds the limit %llu",
                        (unsigned long long)lim->scrypt_max_nrp);
  return DECC_OK;
}

static decc_status check_pbkdf2(uint64_t c, const decc_keystore_limits *lim,
                                decc_err *err) {
  if (c < 1)
    return decc_err_set(err, DECC_E_INVALID, "keystore: pbkdf2 c must be >= 1");
  if (c > lim->pbkdf2_max_c)
    return decc_err_set(
        err, DECC_E_LIMIT, "keystore: pbkdf2 c=%llu exceeds the limit %lu",
        (unsigned long long)c, (unsigned long)lim->pbkdf2_max_c);
  return DECC_OK;
}

/* In a file, a parameter the spec forbids (n not a power of two, r = 0)
 * is malformed input rather than a bad argument. */
static decc_status invalid_as_parse(decc_status st, decc_err *err) {
  if (st != DECC_E_INVALID)
    return st;
  if (err)
    err->code = DECC_E_PARSE;
  return DECC_E_PARSE;
}

/* ---- KDF, MAC, cipher --------------------------------------------------- */

static decc_status derive(uint8_t dk[KS_DKLEN], const ks_parsed *k,
                          const char *pw, size_t pw_len, decc_err *err) {
  if (k->kdf == DECC_KDF_SCRYPT) {
    if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)pw, pw_len,
                                              k->salt, k->salt_len, k->n, k->r,
                                              k->p, dk, KS_DKLEN) != 0) {
      decc_memzero(dk, KS_DKLEN);
      return decc_err_set(err, DECC_E_NOMEM,
                          "keystore: scrypt failed (out of memory?)");
    }
    return DECC_OK;
  }
  if (PKCS5_PBKDF2_HMAC(pw, (int)pw_len, k->salt, (int)k->salt_len, (int)k->c,
                        EVP_sha256(), KS_DKLEN, dk) != 1) {
    decc_memzero(dk, KS_DKLEN);
    return decc_err_set(err, DECC_E_CRYPTO, "keystore: pbkdf2 failed");
  }
  return DECC_OK;
}

static void compute_mac(uint8_t out[32], const uint8_t dk[KS_DKLEN],
                        const uint8_t ct[KS_KEYLEN]) {
  decc_keccak256_ctx c;
  decc_keccak256_init(&c);
  decc_keccak256_update(&c, dk + 16, 16);
  decc_keccak256_update(&c, ct, KS_KEYLEN);
  decc_keccak256_final(&c, out); /* wipes the context */
}

/* AES-128-CTR is its own inverse; out may not alias in. */
static decc_status aes128ctr(uint8_t out[KS_KEYLEN], const uint8_t key16[16],
                             const uint8_t iv[KS_IVLEN],
                             const uint8_t in[KS_KEYLEN], decc_err *err) {
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  if (!c)
    return decc_err_set(err, DECC_E_NOMEM, "keystore: out of memory");
  int len1 = 0, len2 = 0;
  int ok = EVP_EncryptInit_ex2(c, EVP_aes_128_ctr(), key16, iv, NULL) == 1 &&
           EVP_EncryptUpdate(c, out, &len1, in, KS_KEYLEN) == 1 &&
           EVP_EncryptFinal_ex(c, out + len1, &len2) == 1 &&
           len1 + len2 == KS_KEYLEN;
  EVP_CIPHER_CTX_free(c); /* clears the key schedule */
  if (!ok) {
    decc_memzero(out, KS_KEYLEN);
    return decc_err_set(err, DECC_E_CRYPTO, "keystore: aes-128-ctr failed");
  }
  return DECC_OK;
}

/* ---- JSON parsing ------------------------------------------------------- */

/* Decodes a hex string field of exactly `want` bytes (want = 0: any length
 * from 1 to cap, returned in *got). A "0x" prefix is tolerated. */
static decc_status get_hex(uint8_t *out, size_t cap, size_t want, size_t *got,
                           json_t *obj, const char *key, const char *where,
                           decc_err *err) {
  json_t *v = json_object_get(obj, key);
  if (!v)
    return decc_err_set(err, DECC_E_PARSE, "keystore: missing %s%s", where,
                        key);
  if (!json_is_string(v))
    return decc_err_set(err, DECC_E_PARSE, "keystore: %s%s must be a string",
                        where, key);
  const char *s = json_string_value(v);
  size_t slen = json_string_length(v);
  size_t n = 0;
  decc_status st = decc_hex_decode(out, cap, &n, s, slen);
  if (st == DECC_E_RANGE || (st == DECC_OK && want && n != want) ||
      (st == DECC_OK && n == 0))
    return decc_err_set(
        err, DECC_E_PARSE, "keystore: %s%s has the wrong length (%zu bytes%s)",
        where, key, want ? want : cap, want ? " expected" : " max");
  if (st != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE, "keystore: %s%s is not hex", where,
                        key);
  if (got)
    *got = n;
  return DECC_OK;
}

/* Reads a non-negative JSON integer field. */
static decc_status get_uint(uint64_t *out, json_t *obj, const char *key,
                            const char *where, decc_err *err) {
  json_t *v = json_object_get(obj, key);
  if (!v)
    return decc_err_set(err, DECC_E_PARSE, "keystore: missing %s%s", where,
                        key);
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return decc_err_set(err, DECC_E_PARSE,
                        "keystore: %s%s must be a non-negative integer", where,
                        key);
  *out = (uint64_t)json_integer_value(v);
  return DECC_OK;
}

/* Returns the "crypto" object, accepting "Crypto" (ethers and old geth
 * write it capitalised); both at once is ambiguous and refused. */
static json_t *get_crypto(json_t *root, decc_err *err) {
  json_t *lo = json_object_get(root, "crypto");
  json_t *up = json_object_get(root, "Crypto");
  if (lo && up) {
    decc_err_set(err, DECC_E_PARSE,
                 "keystore: both \"crypto\" and \"Crypto\" are present");
    return NULL;
  }
  json_t *c = lo ? lo : up;
  if (!c || !json_is_object(c)) {
    decc_err_set(err, DECC_E_PARSE, "keystore: missing crypto object");
    return NULL;
  }
  return c;
}

static decc_status parse_address_field(ks_parsed *k, json_t *root,
                                       decc_err *err) {
  json_t *a = json_object_get(root, "address");
  if (!a || json_is_null(a))
    return DECC_OK;
  size_t n = 0;
  decc_status st =
      get_hex(k->addr.b, sizeof k->addr.b, 20, &n, root, "address", "", err);
  if (st)
    return st;
  k->has_addr = 1;
  return DECC_OK;
}

static decc_status parse_root(json_t **root_out, const char *json, size_t len,
                              decc_err *err) {
  *root_out = NULL;
  if (!json)
    return decc_err_set(err, DECC_E_INVALID, "keystore: no JSON given");
  if (len > DECC_KEYSTORE_MAX_JSON)
    return decc_err_set(err, DECC_E_LIMIT,
                        "keystore: JSON is %zu bytes (limit %u)", len,
                        DECC_KEYSTORE_MAX_JSON);
  json_error_t je;
  json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  if (!root)
    return decc_err_set(err, DECC_E_PARSE,
                        "keystore: not valid JSON (line %d col %d: %s)",
                        je.line, je.column, je.text);
  if (!json_is_object(root)) {
    json_decref(root);
    return decc_err_set(err, DECC_E_PARSE,
                        "keystore: top level must be an object");
  }
  *root_out = root;
  return DECC_OK;
}

static decc_status parse_keystore(ks_parsed *k, json_t *root,
                                  const decc_keystore_limits *lim,
                                  decc_err *err) {
  memset(k, 0, sizeof *k);
  json_t *ver = json_object_get(root, "version");
  if (!ver)
    return decc_err_set(err, DECC_E_PARSE, "keystore: missing version");
  if (!json_is_integer(ver))
    return decc_err_set(err, DECC_E_PARSE,
                        "keystore: version must be the integer 3");
  if (json_integer_value(ver) != 3)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "keystore: version %lld is not supported (only 3)",
                        (long long)json_integer_value(ver));
  json_t *id = json_object_get(root, "id");
  if (id && !json_is_string(id))
    return decc_err_set(err, DECC_E_PARSE, "keystore: id must be a string");
  decc_status st = parse_address_field(k, root, err);
  if (st)
    return st;

  json_t *c = get_crypto(root, err);
  if (!c)
    return DECC_E_PARSE;
  json_t *cipher = json_object_get(c, "cipher");
  if (!json_is_string(cipher))
    return decc_err_set(err, DECC_E_PARSE,
                        "keystore: crypto.cipher must be a string");
  if (strcmp(json_string_value(cipher), "aes-128-ctr") != 0)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "keystore: cipher is not aes-128-ctr");
  json_t *cp = json_object_get(c, "cipherparams");
  if (!json_is_object(cp))
    return decc_err_set(err, DECC_E_PARSE,
                        "keystore: crypto.cipherparams must be an object");
  if ((st = get_hex(k->iv, sizeof k->iv, KS_IVLEN, NULL, cp, "iv",
                    "crypto.cipherparams.", err)) ||
      (st = get_hex(k->ct, sizeof k->ct, KS_KEYLEN, NULL, c, "ciphertext",
                    "crypto.", err)) ||
      (st = get_hex(k->mac, sizeof k->mac, 32, NULL, c, "mac", "crypto.", err)))
    return st;

  json_t *kdf = json_object_get(c, "kdf");
  if (!json_is_string(kdf))
    return decc_err_set(err, DECC_E_PARSE,
                        "keystore: crypto.kdf must be a string");
  const char *kname = json_string_value(kdf);
  if (!strcmp(kname, "scrypt"))
    k->kdf = DECC_KDF_SCRYPT;
  else if (!strcmp(kname, "pbkdf2"))
    k->kdf = DECC_KDF_PBKDF2;
  else
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "keystore: kdf \"%.32s\" is not supported (scrypt, "
                        "pbkdf2)",
                        kname);
  json_t *kp = json_object_get(c, "kdfparams");
  if (!json_is_object(kp))
    return decc_err_set(err, DECC_E_PARSE,
                        "keystore: crypto.kdfparams must be an object");
  uint64_t dklen = 0;
  if ((st = get_uint(&dklen, kp, "dklen", "crypto.kdfparams.", err)))
    return st;
  if (dklen != KS_DKLEN)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "keystore: kdfparams.dklen must be 32");
  if ((st = get_hex(k->salt, sizeof k->salt, 0, &k->salt_len, kp, "salt",
                    "crypto.kdfparams.", err)))
    return st;
  if (k->kdf == DECC_KDF_SCRYPT) {
    uint64_t n = 0, r = 0, p = 0;
    if ((st = get_uint(&n, kp, "n", "crypto.kdfparams.", err)) ||
        (st = get_uint(&r, kp, "r", "crypto.kdfparams.", err)) ||
        (st = get_uint(&p, kp, "p", "crypto.kdfparams.", err)))
      return st;
    if ((st = check_scrypt(n, r, p, lim, err)))
      return invalid_as_parse(st, err);
    k->n = n;
    k->r = (uint32_t)r;
    k->p = (uint32_t)p;
  } else {
    json_t *prf = json_object_get(kp, "prf");
    if (!json_is_string(prf))
      return decc_err_set(err, DECC_E_PARSE,
                          "keystore: crypto.kdfparams.prf must be a string");
    if (strcmp(json_string_value(prf), "hmac-sha256") != 0)
      return decc_err_set(err, DECC_E_UNSUPPORTED,
                          "keystore: pbkdf2 prf is not hmac-sha256");
    uint64_t cnt = 0;
    if ((st = get_uint(&cnt, kp, "c", "crypto.kdfparams.", err)))
      return st;
    if ((st = check_pbkdf2(cnt, lim, err)))
      return invalid_as_parse(st, err);
    k->c = (uint32_t)cnt;
  }
  return DECC_OK;
}

/* ---- password normalisation (NFKC, as ethers) ---------------------------- */

/* Most UTF-16 units NFKC makes of one unit (U+FDFA gives 18). */
#define NFKC_MAX_EXPANSION 18

/* NFKC of a UTF-8 password. Out: *out = NULL when the bytes are to be used
 * as they are (ASCII, which NFKC never changes, or not valid UTF-8), else
 * the normalised UTF-8 in secure memory (decc_secure_free) and *out_len.
 * Returns DECC_OK, DECC_E_NOMEM, DECC_E_CRYPTO (ICU failed). */
static decc_status nfkc_password(const char *pw, size_t n, char **out,
                                 size_t *out_len, decc_err *err) {
  *out = NULL;
  *out_len = 0;
  size_t i = 0;
  while (i < n && (unsigned char)pw[i] < 0x80)
    i++;
  if (i == n)
    return DECC_OK;
  UErrorCode ue = U_ZERO_ERROR;
  const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&ue);
  if (U_FAILURE(ue) || !nfkc)
    return decc_err_set(err, DECC_E_CRYPTO,
                        "keystore: Unicode normaliser unavailable (%s)",
                        u_errorName(ue));
  /* n ≤ DECC_KEYSTORE_MAX_PASSWORD, so every size below fits an int32. */
  int32_t cap16 = (int32_t)n + 1, len16 = 0;
  int32_t capn = (int32_t)n * NFKC_MAX_EXPANSION + 16, lenn = 0;
  size_t cap8 = (size_t)capn * 3 + 1;
  UChar *u16 = decc_secure_alloc((size_t)cap16 * sizeof(UChar));
  UChar *un = decc_secure_alloc((size_t)capn * sizeof(UChar));
  char *u8 = decc_secure_alloc(cap8);
  decc_status st = DECC_OK;
  if (!u16 || !un || !u8) {
    st = decc_err_set(err, DECC_E_NOMEM, "keystore: out of memory");
    goto done;
  }
  u_strFromUTF8(u16, cap16, &len16, pw, (int32_t)n, &ue);
  if (U_FAILURE(ue)) /* not UTF-8: raw bytes, as geth */
    goto done;
  lenn = unorm2_normalize(nfkc, u16, len16, un, capn, &ue);
  int32_t len8 = 0;
  if (U_SUCCESS(ue))
    u_strToUTF8(u8, (int32_t)cap8, &len8, un, lenn, &ue);
  if (U_FAILURE(ue)) {
    st = decc_err_set(err, DECC_E_CRYPTO,
                      "keystore: password normalisation failed (%s)",
                      u_errorName(ue));
    goto done;
  }
  *out = u8;
  *out_len = (size_t)len8;
  u8 = NULL;
done:
  decc_secure_free(u16);
  decc_secure_free(un);
  decc_secure_free(u8);
  return st;
}

/* ---- public API --------------------------------------------------------- */

decc_status decc__keystore_decrypt_limited(uint8_t sk32[32], decc_address *addr,
                                           const char *json, size_t json_len,
                                           const char *password, size_t pw_len,
                                           const decc_keystore_limits *lim,
                                           decc_err *err) {
  if (!sk32 || (!password && pw_len))
    return decc_err_set(err, DECC_E_INVALID, "keystore: bad arguments");
  if (pw_len > DECC_KEYSTORE_MAX_PASSWORD)
    return decc_err_set(err, DECC_E_LIMIT,
                        "keystore: password longer than %u bytes",
                        DECC_KEYSTORE_MAX_PASSWORD);
  if (decc_init() != DECC_OK)
    return decc_err_set(err, DECC_E_CRYPTO, "keystore: crypto init failed");
  if (!password)
    password = "";
  if (!lim)
    lim = &decc__keystore_default_limits;
  char *norm = NULL; /* NFKC of the password (secure memory) */
  size_t norm_len = 0;

  json_t *root = NULL;
  decc_status st = parse_root(&root, json, json_len, err);
  if (st)
    return st;
  ks_parsed *k = decc_malloc(sizeof *k);
  if (!k) {
    json_decref(root);
    return decc_err_set(err, DECC_E_NOMEM, "keystore: out of memory");
  }
  st = parse_keystore(k, root, lim, err);
  json_decref(root);
  if (st) {
    decc_free(k);
    return st;
  }

  uint8_t dk[KS_DKLEN], mac[32], sk[KS_KEYLEN];
  st = nfkc_password(password, pw_len, &norm, &norm_len, err);
  if (st)
    goto out;
  /* ethers' spelling first; the raw bytes (geth's) when they differ. */
  st = norm ? derive(dk, k, norm, norm_len, err)
            : derive(dk, k, password, pw_len, err);
  if (st)
    goto out;
  compute_mac(mac, dk, k->ct);
  if (!decc_ct_memeq(mac, k->mac, 32) && norm &&
      (norm_len != pw_len || memcmp(norm, password, pw_len))) {
    if ((st = derive(dk, k, password, pw_len, err)))
      goto out;
    compute_mac(mac, dk, k->ct);
  }
  if (!decc_ct_memeq(mac, k->mac, 32)) {
    st = decc_err_set(err, DECC_E_BAD_MAC,
                      "keystore: wrong password (MAC mismatch)");
    goto out;
  }
  if ((st = aes128ctr(sk, dk, k->iv, k->ct, err)))
    goto out;
  decc_address derived;
  if (decc_address_from_privkey(&derived, sk) != DECC_OK) {
    st = decc_err_set(err, DECC_E_CORRUPT,
                      "keystore: decrypted key is not a valid secp256k1 key");
    goto out;
  }
  if (k->has_addr && !decc_address_eq(&derived, &k->addr)) {
    st = decc_err_set(err, DECC_E_CORRUPT,
                      "keystore: the address field does not match the key");
    goto out;
  }
  memcpy(sk32, sk, KS_KEYLEN);
  if (addr)
    *addr = derived;
out:
  decc_memzero(dk, sizeof dk);
  decc_memzero(sk, sizeof sk);
  decc_memzero(mac, sizeof mac);
  decc_secure_free(norm);
  decc_free(k);
  return st;
}

decc_status decc_keystore_decrypt(uint8_t sk32[32], decc_address *addr,
                                  const char *json, size_t json_len,
                                  const char *password, size_t pw_len,
                                  decc_err *err) {
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(password != NULL || pw_len == 0);
  return decc__keystore_decrypt_limited(sk32, addr, json, json_len, password,
                                        pw_len, NULL, err);
}

decc_status decc_keystore_address(decc_address *addr, const char *json,
                                  size_t json_len, decc_err *err) {
  DECC_ARG_CHECK(addr != NULL);
  DECC_ARG_CHECK(json != NULL);
  json_t *root = NULL;
  decc_status st = parse_root(&root, json, json_len, err);
  if (st)
    return st;
  ks_parsed *k = decc_malloc(sizeof *k);
  if (!k) {
    json_decref(root);
    return decc_err_set(err, DECC_E_NOMEM, "keystore: out of memory");
  }
  memset(k, 0, sizeof *k);
  st = parse_address_field(k, root, err);
  json_decref(root);
  if (st == DECC_OK && !k->has_addr)
    st = decc_err_set(err, DECC_E_NOT_FOUND, "keystore: no address field");
  if (st == DECC_OK)
    *addr = k->addr;
  decc_free(k);
  return st;
}

/* Formats 16 random bytes as an RFC 4122 version-4 UUID. */
static void uuid_v4(char out[37], uint8_t b[16]) {
  b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
  b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
  char hex[33];
  decc_hex_encode(hex, b, 16, 0);
  snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
           hex + 16, hex + 20);
}

decc_status decc_keystore_encrypt(char **json_out, const uint8_t sk32[32],
                                  const char *password, size_t pw_len,
                                  const decc_keystore_params *params,
                                  decc_err *err) {
  DECC_ARG_CHECK(json_out != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(password != NULL || pw_len == 0);
  *json_out = NULL;
  if (pw_len > DECC_KEYSTORE_MAX_PASSWORD)
    return decc_err_set(err, DECC_E_INVALID,
                        "keystore: password longer than %u bytes",
                        DECC_KEYSTORE_MAX_PASSWORD);
  if (decc_init() != DECC_OK)
    return decc_err_set(err, DECC_E_CRYPTO, "keystore: crypto init failed");
  if (!password)
    password = "";
  decc_address address;
  if (decc_address_from_privkey(&address, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID,
                        "keystore: not a valid secp256k1 private key");

  ks_parsed *k = decc_malloc(sizeof *k);
  if (!k)
    return decc_err_set(err, DECC_E_NOMEM, "keystore: out of memory");
  memset(k, 0, sizeof *k);
  const decc_keystore_limits *lim = &decc__keystore_default_limits;
  decc_status st = DECC_OK;
  char *norm = NULL; /* NFKC of the password (secure memory) */
  size_t norm_len = 0;
  k->kdf = params ? params->kdf : DECC_KDF_SCRYPT;
  if (k->kdf == DECC_KDF_SCRYPT) {
    k->n = params && params->scrypt_n ? params->scrypt_n : DEFAULT_SCRYPT_N;
    k->r = params && params->scrypt_r ? params->scrypt_r : DEFAULT_SCRYPT_R;
    k->p = params && params->scrypt_p ? params->scrypt_p : DEFAULT_SCRYPT_P;
    st = check_scrypt(k->n, k->r, k->p, lim, err);
  } else if (k->kdf == DECC_KDF_PBKDF2) {
    k->c = params && params->pbkdf2_c ? params->pbkdf2_c : DEFAULT_PBKDF2_C;
    st = check_pbkdf2(k->c, lim, err);
  } else {
    st = decc_err_set(err, DECC_E_INVALID, "keystore: unknown kdf %d",
                      (int)k->kdf);
  }
  /* A keystore decc writes must be one decc (and geth/ethers) reads back. */
  if (st == DECC_E_LIMIT && err)
    err->code = DECC_E_INVALID;
  if (st) {
    decc_free(k);
    return DECC_E_INVALID;
  }

  uint8_t rnd[16], dk[KS_DKLEN], mac[32];
  char *text = NULL;
  json_t *root = NULL;
  k->salt_len = KS_SALT_DEFAULT;
  if (decc_random_bytes(k->salt, k->salt_len) != DECC_OK ||
      decc_random_bytes(k->iv, sizeof k->iv) != DECC_OK ||
      decc_random_bytes(rnd, sizeof rnd) != DECC_OK) {
    st = decc_err_set(err, DECC_E_CRYPTO, "keystore: no randomness");
    goto out;
  }
  /* The NFKC form, as ethers encrypts (so ethers opens the file). */
  if ((st = nfkc_password(password, pw_len, &norm, &norm_len, err)))
    goto out;
  if ((st = norm ? derive(dk, k, norm, norm_len, err)
                 : derive(dk, k, password, pw_len, err)))
    goto out;
  if ((st = aes128ctr(k->ct, dk, k->iv, sk32, err)))
    goto out;
  compute_mac(mac, dk, k->ct);

  char addr_hex[41], ct_hex[2 * KS_KEYLEN + 1], iv_hex[2 * KS_IVLEN + 1],
      salt_hex[2 * KS_SALT_DEFAULT + 1], mac_hex[65], id[37];
  decc_hex_encode(addr_hex, address.b, 20, 0);
  decc_hex_encode(ct_hex, k->ct, KS_KEYLEN, 0);
  decc_hex_encode(iv_hex, k->iv, KS_IVLEN, 0);
  decc_hex_encode(salt_hex, k->salt, k->salt_len, 0);
  decc_hex_encode(mac_hex, mac, 32, 0);
  uuid_v4(id, rnd);
  json_t *kp =
      k->kdf == DECC_KDF_SCRYPT
          ? json_pack("{s:i, s:I, s:i, s:i, s:s}", "dklen", KS_DKLEN, "n",
                      (json_int_t)k->n, "p", (int)k->p, "r", (int)k->r, "salt",
                      salt_hex)
          : json_pack("{s:I, s:i, s:s, s:s}", "c", (json_int_t)k->c, "dklen",
                      KS_DKLEN, "prf", "hmac-sha256", "salt", salt_hex);
  /* Field order as geth writes it; "address" is lowercase without 0x. */
  root = json_pack("{s:s, s:{s:s, s:s, s:{s:s}, s:s, s:o, s:s}, s:s, s:i}",
                   "address", addr_hex, "crypto", "cipher", "aes-128-ctr",
                   "ciphertext", ct_hex, "cipherparams", "iv", iv_hex, "kdf",
                   k->kdf == DECC_KDF_SCRYPT ? "scrypt" : "pbkdf2", "kdfparams",
                   kp, "mac", mac_hex, "id", id, "version", 3);
  if (root)
    text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!text || !(*json_out = decc_strdup(text))) {
    st = decc_err_set(err, DECC_E_NOMEM, "keystore: out of memory");
    goto out;
  }
out:
  free(text); /* jansson's allocator is libc's: no secret in it anyway */
  json_decref(root);
  decc_memzero(dk, sizeof dk);
  decc_memzero(mac, sizeof mac);
  decc_memzero(rnd, sizeof rnd);
  decc_secure_free(norm);
  decc_free(k);
  return st;
}
