/*
 * attest.c — attestation quotes (see decc/attest.h): digest, software
 * platform signing, verification against a trust list, JSON transport,
 * and the sealed boxes that carry secrets to an enclave's ephemeral key.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/attest.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"

static const char QUOTE_DOMAIN[] = "decc-attestation-v1";

void decc_quote_digest(uint8_t out32[32], const decc_quote *q) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(q != NULL);
  decc_keccak256_ctx c;
  decc_keccak256_init(&c);
  decc_keccak256_update(&c, QUOTE_DOMAIN, sizeof QUOTE_DOMAIN - 1);
  uint8_t backend[16];
  memset(backend, 0, sizeof backend);
  memcpy(backend, q->backend, strnlen(q->backend, sizeof q->backend));
  decc_keccak256_update(&c, backend, sizeof backend);
  decc_keccak256_update(&c, q->measurement, 32);
  decc_keccak256_update(&c, q->enclave_pubkey, 32);
  decc_keccak256_update(&c, q->task_id, 32);
  decc_keccak256_update(&c, q->nonce, 32);
  uint8_t ts[8];
  for (int i = 0; i < 8; i++)
    ts[i] = (uint8_t)(q->timestamp >> (56 - 8 * i));
  decc_keccak256_update(&c, ts, 8);
  decc_keccak256_final(&c, out32);
}

decc_status decc_quote_sign(decc_quote *q, const uint8_t platform_sk32[32]) {
  DECC_ARG_CHECK(q != NULL);
  DECC_ARG_CHECK(platform_sk32 != NULL);
  if (!q->backend[0])
    memcpy(q->backend, "software", 9);
  decc_status st = decc_address_from_privkey(&q->platform, platform_sk32);
  if (st)
    return st;
  uint8_t d[32];
  decc_quote_digest(d, q);
  return decc_sign_digest(q->signature, platform_sk32, d);
}

decc_status decc_quote_verify(const decc_quote *q, const decc_address *trusted,
                              size_t n, const uint8_t *expected_nonce32,
                              uint64_t now_s, uint64_t max_age_s,
                              decc_err *err) {
  DECC_ARG_CHECK(q != NULL);
  DECC_ARG_CHECK(trusted != NULL || n == 0);
  uint8_t d[32];
  decc_quote_digest(d, q);
  decc_address signer;
  if (decc_recover_digest(&signer, d, q->signature) != DECC_OK ||
      !decc_address_eq(&signer, &q->platform))
    return decc_err_set(err, DECC_E_BAD_SIGNATURE,
                        "attestation quote signature is invalid (forged or "
                        "tampered quote)");
  int ok = 0;
  for (size_t i = 0; i < n && !ok; i++)
    ok = decc_address_eq(&trusted[i], &q->platform);
  if (!ok) {
    char a[DECC_ADDRESS_HEX_LEN];
    return decc_err_set(err, DECC_E_DENIED,
                        "attestation quote signed by untrusted platform %s",
                        decc_address_to_checksum(a, &q->platform));
  }
  if (expected_nonce32 && !decc_ct_memeq(expected_nonce32, q->nonce, 32))
    return decc_err_set(err, DECC_E_DENIED,
                        "attestation quote nonce does not match (replayed "
                        "quote)");
  /* up to 60 s of clock skew into the future; compare before subtracting
   * so a future timestamp cannot wrap around */
  if (max_age_s && (q->timestamp > now_s + 60 ||
                    (q->timestamp < now_s && now_s - q->timestamp > max_age_s)))
    return decc_err_set(err, DECC_E_DENIED,
                        "attestation quote is stale or from the future");
  return DECC_OK;
}

decc_status decc_quote_to_json(char **json, const decc_quote *q) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(q != NULL);
  char m[DECC_HEX32_LEN], k[DECC_HEX32_LEN], t[DECC_HEX32_LEN],
      nn[DECC_HEX32_LEN], s[DECC_SIG_HEX_LEN], pf[DECC_ADDRESS_HEX_LEN];
  char backend[17];
  snprintf(backend, sizeof backend, "%.*s", (int)sizeof q->backend, q->backend);
  json_t *j = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "backend", backend, "measurement",
      decc_hex_encode(m, q->measurement, 32, 1), "enclavePublicKey",
      decc_hex_encode(k, q->enclave_pubkey, 32, 1), "taskId",
      decc_hex_encode(t, q->task_id, 32, 1), "nonce",
      decc_hex_encode(nn, q->nonce, 32, 1), "timestamp",
      (json_int_t)q->timestamp, "platform",
      decc_address_to_checksum(pf, &q->platform), "signature",
      decc_hex_encode(s, q->signature, 65, 1));
  if (!j)
    return DECC_E_NOMEM;
  if (q->hw_quote_len) {
    if (q->hw_quote_len > DECC_QUOTE_HW_MAX) {
      json_decref(j);
      return DECC_E_INVALID;
    }
    char *hx = decc_malloc(2 * (size_t)q->hw_quote_len + 3);
    if (!hx || json_object_set_new(j, "hwQuote",
                                   json_string(decc_hex_encode(
                                       hx, q->hw_quote, q->hw_quote_len, 1)))) {
      decc_free(hx);
      json_decref(j);
      return DECC_E_NOMEM;
    }
    decc_free(hx);
  }
  char *txt = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!txt)
    return DECC_E_NOMEM;
  *json = decc_strdup(txt);
  free(txt);
  return *json ? DECC_OK : DECC_E_NOMEM;
}

static decc_status hex_field(uint8_t *out, size_t n, json_t *j,
                             const char *name, decc_err *err) {
  const char *s = json_string_value(json_object_get(j, name));
  if (!s)
    return decc_err_set(err, DECC_E_PARSE, "quote: missing \"%s\"", name);
  return decc_hex_decode_exact(out, n, s, name, err) ? DECC_E_PARSE : DECC_OK;
}

decc_status decc_quote_from_json(decc_quote *q, const char *json, size_t len,
                                 decc_err *err) {
  DECC_ARG_CHECK(q != NULL);
  DECC_ARG_CHECK(json != NULL);
  memset(q, 0, sizeof *q);
  json_error_t je;
  json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  decc_status st = decc__quote_from_jobj(q, j, err);
  json_decref(j);
  return st;
}

decc_status decc__quote_from_jobj(decc_quote *q, const struct json_t *jq,
                                  decc_err *err) {
  memset(q, 0, sizeof *q);
  /* jansson's getters take non-const objects; nothing here modifies it */
  json_t *j = (json_t *)(uintptr_t)jq;
  if (!j || !json_is_object(j))
    return decc_err_set(err, DECC_E_PARSE, "quote: not a JSON object");
  decc_status st = DECC_OK;
  const char *backend = json_string_value(json_object_get(j, "backend"));
  json_t *ts = json_object_get(j, "timestamp");
  const char *pf = json_string_value(json_object_get(j, "platform"));
  if (!backend || strlen(backend) >= sizeof q->backend || !*backend)
    st = decc_err_set(err, DECC_E_PARSE, "quote: bad \"backend\"");
  else if (!json_is_integer(ts) || json_integer_value(ts) < 0)
    st = decc_err_set(err, DECC_E_PARSE, "quote: bad \"timestamp\"");
  if (!st) {
    memcpy(q->backend, backend, strlen(backend));
    q->timestamp = (uint64_t)json_integer_value(ts);
    if (!pf || decc_address_parse(&q->platform, pf, err) != DECC_OK)
      st = decc_err_set(err, DECC_E_PARSE, "quote: bad \"platform\"");
  }
  if (!st)
    st = hex_field(q->measurement, 32, j, "measurement", err);
  if (!st)
    st = hex_field(q->enclave_pubkey, 32, j, "enclavePublicKey", err);
  if (!st)
    st = hex_field(q->task_id, 32, j, "taskId", err);
  if (!st)
    st = hex_field(q->nonce, 32, j, "nonce", err);
  if (!st)
    st = hex_field(q->signature, 65, j, "signature", err);
  json_t *hw = json_object_get(j, "hwQuote");
  if (!st && hw) {
    /* bounded: at most DECC_QUOTE_HW_MAX bytes, checked before decoding */
    const char *hs = json_string_value(hw);
    size_t hl = hs ? strlen(hs) : 0, got = 0;
    if (hl >= 2 && hs[0] == '0' && (hs[1] == 'x' || hs[1] == 'X')) {
      hs += 2;
      hl -= 2;
    }
    if (!hs || hl == 0 || hl % 2 || hl / 2 > DECC_QUOTE_HW_MAX ||
        decc_hex_decode(q->hw_quote, sizeof q->hw_quote, &got, hs, hl) ||
        got != hl / 2)
      st = decc_err_set(err, DECC_E_PARSE,
                        "quote: bad \"hwQuote\" (0x-hex, at most %u bytes)",
                        DECC_QUOTE_HW_MAX);
    else
      q->hw_quote_len = (uint32_t)got;
  }
  return st;
}

typedef struct sw_ctx {
  uint8_t *sk; /* secure memory */
} sw_ctx;

static decc_status sw_quote(void *ctx, decc_quote *q, decc_err *err) {
  sw_ctx *c = ctx;
  memset(q->backend, 0, sizeof q->backend);
  memcpy(q->backend, "software", 8);
  decc_status st = decc_quote_sign(q, c->sk);
  if (st)
    return decc_err_set(err, st, "software quote: signing failed");
  return DECC_OK;
}

decc_status decc_tee_software_create(decc_tee_backend *b,
                                     const uint8_t platform_sk32[32]) {
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(platform_sk32 != NULL);
  memset(b, 0, sizeof *b);
  if (decc_privkey_verify(platform_sk32) != DECC_OK)
    return DECC_E_INVALID;
  sw_ctx *c = decc_calloc(1, sizeof *c);
  if (!c)
    return DECC_E_NOMEM;
  c->sk = decc_secure_alloc(32);
  if (!c->sk) {
    decc_free(c);
    return DECC_E_NOMEM;
  }
  memcpy(c->sk, platform_sk32, 32);
  b->name = "software";
  b->ctx = c;
  b->quote = sw_quote;
  return DECC_OK;
}

void decc_tee_software_destroy(decc_tee_backend *b) {
  if (!b || !b->ctx)
    return;
  sw_ctx *c = b->ctx;
  decc_secure_free(c->sk);
  decc_free(c);
  memset(b, 0, sizeof *b);
}

decc_status decc_enclave_keypair(uint8_t pk32[32], uint8_t sk32[32]) {
  DECC_ARG_CHECK(pk32 != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  if (decc_init() != DECC_OK)
    return DECC_E_CRYPTO;
  return crypto_box_keypair(pk32, sk32) == 0 ? DECC_OK : DECC_E_CRYPTO;
}

decc_status decc_seal(uint8_t *out, const uint8_t *msg, size_t n,
                      const uint8_t pk32[32]) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(msg != NULL || n == 0);
  DECC_ARG_CHECK(pk32 != NULL);
  if (decc_init() != DECC_OK)
    return DECC_E_CRYPTO;
  return crypto_box_seal(out, msg, n, pk32) == 0 ? DECC_OK : DECC_E_CRYPTO;
}

decc_status decc_seal_open(uint8_t *out, const uint8_t *box, size_t n,
                           const uint8_t pk32[32], const uint8_t sk32[32]) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(box != NULL);
  DECC_ARG_CHECK(pk32 != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  if (n < DECC_SEAL_OVERHEAD)
    return DECC_E_RANGE;
  if (decc_init() != DECC_OK)
    return DECC_E_CRYPTO;
  return crypto_box_seal_open(out, box, n, pk32, sk32) == 0 ? DECC_OK
                                                            : DECC_E_BAD_MAC;
}
