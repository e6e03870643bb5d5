/*
 * rsa.c — the beneficiary RSA key pair used for iExec result encryption
 * (iexec-protocol.md §6): generation, PEM / base64-PEM import and export,
 * and RSA PKCS#1 v1.5 encryption of the per-result AES key. A thin layer
 * over OpenSSL 3 (EVP_PKEY, OSSL_DECODER); private PEM text only ever
 * passes through OpenSSL's secure-memory BIO and decc_secure_alloc.
 */
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/result.h"

enum { MIN_BITS = 1024, MAX_BITS = 16384, MAX_TEXT = 64 * 1024 };

struct decc_rsa_key {
  EVP_PKEY *pk;
  int priv;
};

static decc_status wrap(decc_rsa_key **out, EVP_PKEY *pk, int priv,
                        decc_err *err) {
  decc_rsa_key *k = decc_calloc(1, sizeof *k);
  if (!k) {
    EVP_PKEY_free(pk);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  k->pk = pk;
  k->priv = priv;
  *out = k;
  return DECC_OK;
}

decc_status decc_rsa_keygen(decc_rsa_key **out, unsigned bits, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  *out = NULL;
  if (bits == 0)
    bits = DECC_RSA_DEFAULT_BITS;
  if (bits < 2048 || bits > MAX_BITS || bits % 8)
    return decc_err_set(err, DECC_E_INVALID,
                        "RSA key size must be 2048..16384 bits (multiple of "
                        "8), not %u",
                        bits);
  EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
  if (!pk) {
    ERR_clear_error();
    return decc_err_set(err, DECC_E_CRYPTO, "RSA key generation failed");
  }
  return wrap(out, pk, 1, err);
}

static int no_passphrase(char *buf, int size, int rwflag, void *u) {
  (void)buf;
  (void)size;
  (void)rwflag;
  (void)u;
  return -1; /* never prompt on the terminal */
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *find_str(const char *hay, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; m <= n && i <= n - m; i++)
    if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
      return hay + i;
  return NULL;
}

static decc_status parse_pem(decc_rsa_key **out, const char *pem, size_t len,
                             decc_err *err) {
  const char *begin = find_str(pem, len, "-----BEGIN ");
  if (!begin)
    return decc_err_set(err, DECC_E_PARSE, "not a PEM key (no BEGIN line)");
  size_t rest = len - (size_t)(begin - pem);
  if (find_str(begin, rest, "ENCRYPTED"))
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "encrypted PEM private keys are not supported; "
                        "export the key without a passphrase");
  int priv;
  if (!strncmp(begin, "-----BEGIN PRIVATE KEY-----", 27) ||
      !strncmp(begin, "-----BEGIN RSA PRIVATE KEY-----", 31))
    priv = 1;
  else if (!strncmp(begin, "-----BEGIN PUBLIC KEY-----", 26) ||
           !strncmp(begin, "-----BEGIN RSA PUBLIC KEY-----", 30))
    priv = 0;
  else
    return decc_err_set(err, DECC_E_PARSE,
                        "unsupported PEM block (expected PUBLIC KEY, RSA "
                        "PUBLIC KEY, PRIVATE KEY or RSA PRIVATE KEY)");
  EVP_PKEY *pk = NULL;
  OSSL_DECODER_CTX *dctx = OSSL_DECODER_CTX_new_for_pkey(
      &pk, "PEM", NULL, "RSA", priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
      NULL, NULL);
  if (!dctx)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  OSSL_DECODER_CTX_set_pem_password_cb(dctx, no_passphrase, NULL);
  const unsigned char *p = (const unsigned char *)begin;
  size_t plen = rest;
  int ok = OSSL_DECODER_from_data(dctx, &p, &plen);
  OSSL_DECODER_CTX_free(dctx);
  ERR_clear_error();
  if (!ok || !pk) {
    EVP_PKEY_free(pk);
    return decc_err_set(err, DECC_E_PARSE, "not a valid RSA %s key PEM",
                        priv ? "private" : "public");
  }
  int bits = EVP_PKEY_get_bits(pk);
  if (bits < MIN_BITS || bits > MAX_BITS) {
    EVP_PKEY_free(pk);
    return decc_err_set(err, DECC_E_RANGE,
                        "RSA key of %d bits is outside 1024..16384", bits);
  }
  return wrap(out, pk, priv, err);
}

decc_status decc_rsa_key_parse(decc_rsa_key **out, const char *text, size_t len,
                               decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(text != NULL || len == 0);
  *out = NULL;
  while (len > 0 && is_space(text[0])) {
    text++;
    len--;
  }
  while (len > 0 && is_space(text[len - 1]))
    len--;
  if (len == 0)
    return decc_err_set(err, DECC_E_PARSE, "empty RSA key");
  if (len > MAX_TEXT)
    return decc_err_set(err, DECC_E_PARSE, "RSA key text too large (%zu bytes)",
                        len);
  if (find_str(text, len, "-----BEGIN "))
    return parse_pem(out, text, len, err);
  /* The SMS form: base64(PEM). The decoded text may be a private key, so it
   * goes to secure memory. */
  size_t cap = len / 4 * 3 + 3, n = 0;
  char *pem = decc_secure_alloc(cap + 1);
  if (!pem)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = decc_base64_decode((uint8_t *)pem, cap, &n, text, len);
  if (st) {
    decc_secure_free(pem);
    return decc_err_set(err, DECC_E_PARSE,
                        "RSA key is neither PEM nor base64 of a PEM");
  }
  st = parse_pem(out, pem, n, err);
  decc_secure_free(pem);
  if (st == DECC_E_PARSE)
    decc_err_prefix(err, "base64 key");
  return st;
}

int decc_rsa_key_is_private(const decc_rsa_key *key) {
  DECC_ARG_CHECK_RET(key != NULL, 0);
  return key->priv;
}

unsigned decc_rsa_key_bits(const decc_rsa_key *key) {
  DECC_ARG_CHECK_RET(key != NULL, 0);
  return (unsigned)EVP_PKEY_get_bits(key->pk);
}

/* Copies a memory BIO's content to a fresh NUL-terminated buffer. */
static decc_status bio_take(char **out, size_t *len, BIO *bio, int secure,
                            decc_err *err) {
  char *p = NULL;
  long n = BIO_get_mem_data(bio, &p);
  if (n <= 0 || !p)
    return decc_err_set(err, DECC_E_CRYPTO, "PEM serialization failed");
  char *b =
      secure ? decc_secure_alloc((size_t)n + 1) : decc_malloc((size_t)n + 1);
  if (!b)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  memcpy(b, p, (size_t)n);
  b[n] = 0;
  *out = b;
  if (len)
    *len = (size_t)n;
  return DECC_OK;
}

decc_status decc_rsa_key_public_pem(char **pem, size_t *len,
                                    const decc_rsa_key *key, decc_err *err) {
  DECC_ARG_CHECK(pem != NULL);
  DECC_ARG_CHECK(key != NULL);
  *pem = NULL;
  BIO *bio = BIO_new(BIO_s_mem());
  if (!bio)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st;
  if (PEM_write_bio_PUBKEY(bio, key->pk) != 1) {
    ERR_clear_error();
    st = decc_err_set(err, DECC_E_CRYPTO, "cannot write the public key PEM");
  } else {
    st = bio_take(pem, len, bio, 0, err);
  }
  BIO_free(bio);
  return st;
}

decc_status decc_rsa_key_public_b64(char **b64, size_t *len,
                                    const decc_rsa_key *key, decc_err *err) {
  DECC_ARG_CHECK(b64 != NULL);
  DECC_ARG_CHECK(key != NULL);
  *b64 = NULL;
  char *pem = NULL;
  size_t n = 0;
  decc_status st = decc_rsa_key_public_pem(&pem, &n, key, err);
  if (st)
    return st;
  size_t elen = decc_base64_encoded_len(n);
  char *b = decc_malloc(elen + 1);
  if (!b) {
    decc_free(pem);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  decc_base64_encode(b, (const uint8_t *)pem, n);
  decc_free(pem);
  *b64 = b;
  if (len)
    *len = elen;
  return DECC_OK;
}

decc_status decc_rsa_key_private_pem(char **pem, size_t *len,
                                     const decc_rsa_key *key, decc_err *err) {
  DECC_ARG_CHECK(pem != NULL);
  DECC_ARG_CHECK(key != NULL);
  *pem = NULL;
  if (!key->priv)
    return decc_err_set(err, DECC_E_INVALID,
                        "this RSA key has no private half");
  /* The secure-memory BIO wipes its buffer when freed. */
  BIO *bio = BIO_new(BIO_s_secmem());
  if (!bio)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st;
  if (PEM_write_bio_PKCS8PrivateKey(bio, key->pk, NULL, NULL, 0, NULL, NULL) !=
      1) {
    ERR_clear_error();
    st = decc_err_set(err, DECC_E_CRYPTO, "cannot write the private key PEM");
  } else {
    st = bio_take(pem, len, bio, 1, err);
  }
  BIO_free(bio);
  return st;
}

decc_status decc_rsa_encrypt_pkcs1(uint8_t *out, size_t out_cap,
                                   size_t *out_len, const decc_rsa_key *key,
                                   const void *in, size_t n, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(out_len != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  size_t k = (size_t)EVP_PKEY_get_size(key->pk);
  if (n + 11 > k)
    return decc_err_set(err, DECC_E_RANGE,
                        "RSA-%zu PKCS#1 v1.5 encrypts at most %zu bytes", k * 8,
                        k - 11);
  if (out_cap < k)
    return decc_err_set(err, DECC_E_RANGE, "RSA output buffer too small");
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pk, NULL);
  if (!ctx)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  size_t olen = out_cap;
  int ok = EVP_PKEY_encrypt_init(ctx) == 1 &&
           EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
           EVP_PKEY_encrypt(ctx, out, &olen, in, n) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) {
    ERR_clear_error();
    return decc_err_set(err, DECC_E_CRYPTO, "RSA encryption failed");
  }
  *out_len = olen;
  return DECC_OK;
}

decc_status decc_rsa_decrypt_pkcs1(uint8_t *out, size_t out_cap,
                                   size_t *out_len, const decc_rsa_key *key,
                                   const void *in, size_t n, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(out_len != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  *out_len = 0;
  if (!key->priv)
    return decc_err_set(err, DECC_E_INVALID,
                        "RSA decryption needs the private key");
  size_t k = (size_t)EVP_PKEY_get_size(key->pk);
  /* Like node-forge (the SDK), the ciphertext must be exactly k bytes. */
  if (n != k)
    return decc_err_set(err, DECC_E_BAD_MAC,
                        "RSA ciphertext is %zu bytes, the key needs %zu", n, k);
  uint8_t *tmp = decc_secure_alloc(k);
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pk, NULL);
  if (!tmp || !ctx) {
    decc_secure_free(tmp);
    EVP_PKEY_CTX_free(ctx);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t olen = k;
  int ok = EVP_PKEY_decrypt_init(ctx) == 1 &&
           EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  if (ok) {
    /* OpenSSL >= 3.2 would otherwise return a random "plaintext" for a
     * bad ciphertext (implicit rejection); 3.0 ignores the unknown
     * parameter. */
    unsigned int zero = 0;
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_uint("implicit-rejection", &zero),
        OSSL_PARAM_construct_end()};
    (void)EVP_PKEY_CTX_set_params(ctx, params);
    ok = EVP_PKEY_decrypt(ctx, tmp, &olen, in, n) == 1;
  }
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  decc_status st = DECC_OK;
  if (!ok)
    st = decc_err_set(err, DECC_E_BAD_MAC,
                      "RSA decryption failed: wrong private key or corrupted "
                      "key entry");
  else if (olen > out_cap)
    st = decc_err_set(err, DECC_E_RANGE, "RSA plaintext larger than expected");
  else {
    memcpy(out, tmp, olen);
    *out_len = olen;
  }
  decc_secure_free(tmp);
  return st;
}

void decc_rsa_key_destroy(decc_rsa_key *key) {
  if (!key)
    return;
  EVP_PKEY_free(key->pk);
  decc_free(key);
}
