/*
 * tx.c — legacy (EIP-155) and EIP-1559 transactions: signing payloads,
 * signing, serialization, strict parsing and sender recovery (see
 * decc/tx.h for the wire formats).
 *
 * Parsing validates the whole RLP tree first (canonical headers), then each
 * field as a canonical integer or fixed-size string; nothing is accepted
 * that an Ethereum node would reject at decoding, so a parsed tx
 * re-serializes to the same bytes.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/rlp.h"
#include "decc/tx.h"

/* secp256k1 group order n and n/2 (big-endian), for EIP-2 checks. */
static const uint8_t CURVE_N[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
    0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const uint8_t CURVE_HALF_N[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
    0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

/* Largest chain id whose legacy v = id·2 + 35 + yParity fits in 64 bits
 * (the parser reads v as a u64, so every v it accepts passes: for v =
 * 2^64 - 1 the id is 2^63 - 18 with yParity 0, which yParity 1 would
 * overflow). */
#define MAX_LEGACY_CHAIN(parity) ((UINT64_MAX - 35 - (uint64_t)(parity)) / 2)

void decc_tx_init(decc_tx *tx) {
  DECC_ARG_CHECK_VOID(tx != NULL);
  memset(tx, 0, sizeof *tx);
}

static void free_access(decc_tx *tx) {
  for (size_t i = 0; i < tx->access_len; i++)
    decc_free(tx->access_list[i].keys);
  decc_free(tx->access_list);
  tx->access_list = NULL;
  tx->access_len = 0;
}

void decc_tx_clear(decc_tx *tx) {
  DECC_ARG_CHECK_VOID(tx != NULL);
  decc_free(tx->data);
  free_access(tx);
  decc_tx_init(tx);
}

decc_status decc_tx_set_data(decc_tx *tx, const void *p, size_t n) {
  DECC_ARG_CHECK(tx != NULL);
  DECC_ARG_CHECK(p != NULL || n == 0);
  if (n > DECC_TX_MAX_SIZE)
    return DECC_E_LIMIT;
  uint8_t *copy = NULL;
  if (n) {
    copy = decc_malloc(n);
    if (!copy)
      return DECC_E_NOMEM;
    memcpy(copy, p, n);
  }
  decc_free(tx->data);
  tx->data = copy;
  tx->data_len = n;
  return DECC_OK;
}

decc_status decc_tx_add_access(decc_tx *tx, const decc_address *addr,
                               const uint8_t (*keys)[32], size_t nkeys) {
  DECC_ARG_CHECK(tx != NULL);
  DECC_ARG_CHECK(addr != NULL);
  DECC_ARG_CHECK(keys != NULL || nkeys == 0);
  if (nkeys > DECC_TX_MAX_SIZE / 32)
    return DECC_E_LIMIT;
  decc_tx_access *nl =
      decc_realloc(tx->access_list, (tx->access_len + 1) * sizeof *nl);
  if (!nl)
    return DECC_E_NOMEM;
  tx->access_list = nl;
  decc_tx_access *a = &nl[tx->access_len];
  a->address = *addr;
  a->keys = NULL;
  a->nkeys = 0;
  if (nkeys) {
    a->keys = decc_malloc(nkeys * 32);
    if (!a->keys)
      return DECC_E_NOMEM;
    memcpy(a->keys, keys, nkeys * 32);
    a->nkeys = nkeys;
  }
  tx->access_len++;
  return DECC_OK;
}

/* ---- encoding --------------------------------------------------------------- */

/* Pushes a 32-byte big-endian value as a minimal integer. */
static decc_status push_be32(decc_rlp_enc *e, const uint8_t b[32]) {
  size_t z = 0;
  while (z < 32 && b[z] == 0)
    z++;
  return decc_rlp_enc_push_bytes(e, b + z, 32 - z);
}

enum { FOR_SIGNING, FOR_WIRE };

/* Writes the signing payload or the raw tx (type byte included) to out. */
static decc_status encode_tx(decc_buf *out, const decc_tx *tx, int mode,
                             decc_err *err) {
  if (tx->type != DECC_TX_LEGACY && tx->type != DECC_TX_EIP1559)
    return decc_err_set(err, DECC_E_INVALID, "tx: unknown type %d", tx->type);
  if (mode == FOR_WIRE && !tx->is_signed)
    return decc_err_set(err, DECC_E_STATE, "tx: not signed");
  if (tx->y_parity > 1)
    return decc_err_set(err, DECC_E_INVALID, "tx: yParity must be 0 or 1");
  if (tx->type == DECC_TX_LEGACY &&
      tx->chain_id > MAX_LEGACY_CHAIN(tx->y_parity))
    return decc_err_set(err, DECC_E_INVALID,
                        "tx: chain id too large for a legacy transaction");
  decc_rlp_enc e;
  decc_rlp_enc_init(&e, DECC_TX_MAX_SIZE);
  /* One allocation for the whole encoding: growing from the buffer's
   * default doubled it six times for a typical PoCo call (~2 KB), and the
   * ledger's decoding threads encode every transaction's signing payload.
   * Fixed fields take at most 9 headers + 4×32 + 3×8 + 20 + the list
   * headers; an under-estimate only means the buffer grows as before. */
  size_t est = tx->data_len + 256;
  for (size_t i = 0; i < tx->access_len && est < DECC_TX_MAX_SIZE; i++)
    est += 32 + 33 * tx->access_list[i].nkeys;
  /* best effort: a failure shows again, sticky, at the pushes below */
  decc_status reserved =
      decc_buf_reserve(&e.buf, est < DECC_TX_MAX_SIZE ? est : DECC_TX_MAX_SIZE);
  (void)reserved;
  decc_status st = decc_rlp_enc_begin_list(&e);
  if (tx->type == DECC_TX_EIP1559) {
    decc_rlp_enc_push_u64(&e, tx->chain_id);
    decc_rlp_enc_push_u64(&e, tx->nonce);
    decc_rlp_enc_push_u256(&e, &tx->max_priority_fee);
    decc_rlp_enc_push_u256(&e, &tx->max_fee);
  } else {
    decc_rlp_enc_push_u64(&e, tx->nonce);
    decc_rlp_enc_push_u256(&e, &tx->gas_price);
  }
  decc_rlp_enc_push_u64(&e, tx->gas_limit);
  decc_rlp_enc_push_bytes(&e, tx->to.b, tx->has_to ? 20 : 0);
  decc_rlp_enc_push_u256(&e, &tx->value);
  decc_rlp_enc_push_bytes(&e, tx->data, tx->data_len);
  if (tx->type == DECC_TX_EIP1559) {
    decc_rlp_enc_begin_list(&e);
    for (size_t i = 0; i < tx->access_len; i++) {
      const decc_tx_access *a = &tx->access_list[i];
      decc_rlp_enc_begin_list(&e);
      decc_rlp_enc_push_bytes(&e, a->address.b, 20);
      decc_rlp_enc_begin_list(&e);
      for (size_t k = 0; k < a->nkeys; k++)
        decc_rlp_enc_push_bytes(&e, a->keys[k], 32);
      decc_rlp_enc_end_list(&e);
      decc_rlp_enc_end_list(&e);
    }
    decc_rlp_enc_end_list(&e);
    if (mode == FOR_WIRE) {
      decc_rlp_enc_push_u64(&e, tx->y_parity);
      push_be32(&e, tx->r);
      push_be32(&e, tx->s);
    }
  } else if (mode == FOR_WIRE) {
    uint64_t v = tx->chain_id ? tx->chain_id * 2 + 35 + tx->y_parity
                              : 27u + tx->y_parity;
    decc_rlp_enc_push_u64(&e, v);
    push_be32(&e, tx->r);
    push_be32(&e, tx->s);
  } else if (tx->chain_id) {
    /* SPEC: EIP-155 — chainId, 0, 0 appended to the signed fields */
    decc_rlp_enc_push_u64(&e, tx->chain_id);
    decc_rlp_enc_push_u64(&e, 0);
    decc_rlp_enc_push_u64(&e, 0);
  }
  /* Errors are sticky in the encoder (decc/rlp.h): the final end_list
   * reports the first failing push, so the pushes above need no check. */
  decc_status st2 = decc_rlp_enc_end_list(&e);
  if (!st)
    st = st2;
  /* Straight into out, whose length and bytes are given back on failure
   * (the type byte may have been appended before the encoding failed). */
  size_t was = out->len;
  if (!st)
    st = decc_buf_reserve(out, e.buf.len + 1);
  if (!st && tx->type == DECC_TX_EIP1559)
    st = decc_buf_append_byte(out, DECC_TX_EIP1559);
  if (!st)
    st = decc_rlp_enc_finish(&e, out);
  if (st && out->data) {
    out->len = was;
    out->data[was] = 0;
  }
  decc_rlp_enc_clear(&e);
  if (st)
    return decc_err_set(err, st, "tx: encoding failed: %s", decc_strerror(st));
  return DECC_OK;
}

decc_status decc_tx_signing_payload(decc_buf *out, const decc_tx *tx,
                                    decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(tx != NULL);
  return encode_tx(out, tx, FOR_SIGNING, err);
}

decc_status decc_tx_signing_hash(uint8_t out32[32], const decc_tx *tx,
                                 decc_err *err) {
  DECC_ARG_CHECK(out32 != NULL);
  DECC_ARG_CHECK(tx != NULL);
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_status st = encode_tx(&b, tx, FOR_SIGNING, err);
  if (!st)
    decc_keccak256(out32, b.data, b.len);
  decc_buf_clear(&b);
  return st;
}

decc_status decc_tx_sign(decc_tx *tx, const uint8_t sk32[32], decc_err *err) {
  DECC_ARG_CHECK(tx != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  uint8_t h[32], sig[65];
  decc_status st = decc_tx_signing_hash(h, tx, err);
  if (st)
    return st;
  st = decc_sign_digest(sig, sk32, h);
  if (st)
    return decc_err_set(err, st, "tx: signing failed: %s", decc_strerror(st));
  memcpy(tx->r, sig, 32);
  memcpy(tx->s, sig + 32, 32);
  tx->y_parity = (uint8_t)(sig[64] - 27);
  tx->is_signed = 1;
  return DECC_OK;
}

decc_status decc_tx_serialize(decc_buf *out, const decc_tx *tx, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(tx != NULL);
  return encode_tx(out, tx, FOR_WIRE, err);
}

decc_status decc_tx_hash(uint8_t out32[32], const decc_tx *tx, decc_err *err) {
  DECC_ARG_CHECK(out32 != NULL);
  DECC_ARG_CHECK(tx != NULL);
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_status st = encode_tx(&b, tx, FOR_WIRE, err);
  if (!st)
    decc_keccak256(out32, b.data, b.len);
  decc_buf_clear(&b);
  return st;
}

/* ---- parsing ---------------------------------------------------------------- */

static decc_status ferr(decc_err *err, const char *field, const char *what) {
  return decc_err_set(err, DECC_E_PARSE, "tx: %s: %s", field, what);
}

static decc_status get_u64(uint64_t *out, const decc_rlp_item *it,
                           const char *field, decc_err *err) {
  decc_status st = decc_rlp_item_get_u64(it, out);
  if (st == DECC_E_INVALID)
    return ferr(err, field, "expected an integer, got a list");
  if (st == DECC_E_RANGE)
    return ferr(err, field, "does not fit in 64 bits");
  if (st)
    return ferr(err, field, "integer with a leading zero");
  return DECC_OK;
}

static decc_status get_u256(decc_u256 *out, const decc_rlp_item *it,
                            const char *field, decc_err *err) {
  decc_status st = decc_rlp_item_get_u256(it, out);
  if (st == DECC_E_INVALID)
    return ferr(err, field, "expected an integer, got a list");
  if (st == DECC_E_RANGE)
    return ferr(err, field, "longer than 32 bytes");
  if (st)
    return ferr(err, field, "integer with a leading zero");
  return DECC_OK;
}

/* r or s: canonical integer in [1, limit] where limit is n-1 or n/2. */
static decc_status get_sig_scalar(uint8_t out[32], const decc_rlp_item *it,
                                  const char *field, int is_s, decc_err *err) {
  decc_u256 v;
  decc_status st = get_u256(&v, it, field, err);
  if (st)
    return st;
  decc_u256_to_be(out, &v);
  if (decc_u256_is_zero(&v))
    return ferr(err, field, "zero");
  if (is_s ? memcmp(out, CURVE_HALF_N, 32) > 0 : memcmp(out, CURVE_N, 32) >= 0)
    return ferr(err, field,
                is_s ? "high-S signature (EIP-2)"
                     : "not below the curve order");
  return DECC_OK;
}

static decc_status get_to(decc_tx *tx, const decc_rlp_item *it, decc_err *err) {
  if (it->is_list)
    return ferr(err, "to", "expected a string, got a list");
  if (it->len == 0) {
    tx->has_to = 0;
    return DECC_OK;
  }
  if (it->len != 20)
    return ferr(err, "to", "not 20 bytes");
  tx->has_to = 1;
  memcpy(tx->to.b, it->data, 20);
  return DECC_OK;
}

static decc_status get_data(decc_tx *tx, const decc_rlp_item *it,
                            decc_err *err) {
  if (it->is_list)
    return ferr(err, "data", "expected a string, got a list");
  decc_status st = decc_tx_set_data(tx, it->data, it->len);
  return st ? decc_err_set(err, st, "tx: data: %s", decc_strerror(st)) : 0;
}

static decc_status get_access_list(decc_tx *tx, const decc_rlp_item *it,
                                   decc_err *err) {
  decc_rlp_iter outer;
  if (decc_rlp_iter_init(&outer, it))
    return ferr(err, "accessList", "expected a list");
  for (;;) {
    decc_rlp_item entry, parts[2], key;
    size_t n;
    decc_status st = decc_rlp_iter_next(&outer, &entry, err);
    if (st == DECC_E_NOT_FOUND)
      return DECC_OK;
    if (st)
      return st;
    if (!entry.is_list || decc_rlp_list_items(parts, 2, &n, &entry, NULL) ||
        n != 2)
      return ferr(err, "accessList", "entry is not [address, keys]");
    if (parts[0].is_list || parts[0].len != 20)
      return ferr(err, "accessList", "address is not 20 bytes");
    decc_rlp_iter ki;
    if (decc_rlp_iter_init(&ki, &parts[1]))
      return ferr(err, "accessList", "storage keys are not a list");
    /* Count the keys first so they land in one allocation. */
    size_t nkeys = 0;
    decc_rlp_iter count_it = ki;
    while ((st = decc_rlp_iter_next(&count_it, &key, err)) == DECC_OK) {
      if (key.is_list || key.len != 32)
        return ferr(err, "accessList", "storage key is not 32 bytes");
      nkeys++;
    }
    if (st != DECC_E_NOT_FOUND)
      return st;
    decc_address a;
    memcpy(a.b, parts[0].data, 20);
    st = decc_tx_add_access(tx, &a, NULL, 0);
    if (st)
      return decc_err_set(err, st, "tx: accessList: %s", decc_strerror(st));
    decc_tx_access *dst = &tx->access_list[tx->access_len - 1];
    if (nkeys) {
      dst->keys = decc_malloc(nkeys * 32);
      if (!dst->keys)
        return decc_err_set(err, DECC_E_NOMEM, "tx: out of memory");
      for (size_t k = 0; k < nkeys; k++) {
        if (decc_rlp_iter_next(&ki, &key, NULL))
          return decc_err_set(err, DECC_E_INTERNAL, "tx: access list walk");
        memcpy(dst->keys[k], key.data, 32);
      }
      dst->nkeys = nkeys;
    }
  }
}

static decc_status parse_fields(decc_tx *tx, const uint8_t *raw, size_t len,
                                decc_err *err) {
  if (len == 0)
    return decc_err_set(err, DECC_E_PARSE, "tx: empty input");
  if (len > DECC_TX_MAX_SIZE)
    return decc_err_set(err, DECC_E_LIMIT, "tx: larger than %u bytes",
                        DECC_TX_MAX_SIZE);
  const uint8_t *body = raw;
  size_t body_len = len;
  if (raw[0] >= 0xc0) {
    tx->type = DECC_TX_LEGACY;
  } else if (raw[0] == DECC_TX_EIP1559) {
    tx->type = DECC_TX_EIP1559;
    body++;
    body_len--;
  } else if (raw[0] <= 0x7f) {
    /* SPEC: EIP-2718 — first byte 0x00..0x7f is the type */
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "tx: transaction type %u not supported", raw[0]);
  } else {
    return decc_err_set(err, DECC_E_PARSE,
                        "tx: not a transaction (byte 0x%02x)", raw[0]);
  }
  decc_rlp_item top, f[12];
  size_t n;
  decc_status st = decc_rlp_decode(&top, body, body_len, err);
  if (st)
    return st;
  if (!top.is_list)
    return decc_err_set(err, DECC_E_PARSE, "tx: payload is not a list");
  st = decc_rlp_list_items(f, 12, &n, &top, err);
  if (st == DECC_E_LIMIT)
    return decc_err_set(err, DECC_E_PARSE, "tx: too many fields");
  if (st)
    return st;
  if (tx->type == DECC_TX_LEGACY) {
    if (n != 9)
      return decc_err_set(err, DECC_E_PARSE,
                          "tx: legacy tx has %zu fields, expected 9", n);
    uint64_t v;
    if ((st = get_u64(&tx->nonce, &f[0], "nonce", err)) ||
        (st = get_u256(&tx->gas_price, &f[1], "gasPrice", err)) ||
        (st = get_u64(&tx->gas_limit, &f[2], "gas", err)) ||
        (st = get_to(tx, &f[3], err)) ||
        (st = get_u256(&tx->value, &f[4], "value", err)) ||
        (st = get_data(tx, &f[5], err)) ||
        (st = get_u64(&v, &f[6], "v", err)) ||
        (st = get_sig_scalar(tx->r, &f[7], "r", 0, err)) ||
        (st = get_sig_scalar(tx->s, &f[8], "s", 1, err)))
      return st;
    if (v == 27 || v == 28) {
      tx->chain_id = 0;
      tx->y_parity = (uint8_t)(v - 27);
    } else if (v >= 37) {
      /* SPEC: EIP-155 — v = chainId * 2 + 35 + yParity */
      tx->chain_id = (v - 35) / 2;
      tx->y_parity = (uint8_t)((v - 35) & 1);
    } else {
      return ferr(err, "v", "not 27, 28 or an EIP-155 value");
    }
  } else {
    if (n != 12)
      return decc_err_set(err, DECC_E_PARSE,
                          "tx: type 2 tx has %zu fields, expected 12", n);
    uint64_t parity;
    if ((st = get_u64(&tx->chain_id, &f[0], "chainId", err)) ||
        (st = get_u64(&tx->nonce, &f[1], "nonce", err)) ||
        (st = get_u256(&tx->max_priority_fee, &f[2], "maxPriorityFeePerGas",
                       err)) ||
        (st = get_u256(&tx->max_fee, &f[3], "maxFeePerGas", err)) ||
        (st = get_u64(&tx->gas_limit, &f[4], "gas", err)) ||
        (st = get_to(tx, &f[5], err)) ||
        (st = get_u256(&tx->value, &f[6], "value", err)) ||
        (st = get_data(tx, &f[7], err)) ||
        (st = get_access_list(tx, &f[8], err)) ||
        (st = get_u64(&parity, &f[9], "yParity", err)) ||
        (st = get_sig_scalar(tx->r, &f[10], "r", 0, err)) ||
        (st = get_sig_scalar(tx->s, &f[11], "s", 1, err)))
      return st;
    if (parity > 1)
      return ferr(err, "yParity", "not 0 or 1");
    tx->y_parity = (uint8_t)parity;
  }
  tx->is_signed = 1;
  return DECC_OK;
}

decc_status decc_tx_parse(decc_tx *tx, const uint8_t *raw, size_t len,
                          decc_err *err) {
  DECC_ARG_CHECK(tx != NULL);
  DECC_ARG_CHECK(raw != NULL || len == 0);
  decc_tx_clear(tx);
  decc_status st = parse_fields(tx, raw, len, err);
  if (st)
    decc_tx_clear(tx);
  return st;
}

decc_status decc_tx_recover(decc_address *from, const decc_tx *tx,
                            decc_err *err) {
  DECC_ARG_CHECK(from != NULL);
  DECC_ARG_CHECK(tx != NULL);
  if (!tx->is_signed)
    return decc_err_set(err, DECC_E_STATE, "tx: not signed");
  uint8_t h[32];
  decc_status st = decc_tx_signing_hash(h, tx, err);
  if (st)
    return st;
  return decc_tx_recover_hash(from, tx, h, err);
}

decc_status decc_tx_recover_hash(decc_address *from, const decc_tx *tx,
                                 const uint8_t sighash[32], decc_err *err) {
  DECC_ARG_CHECK(from != NULL);
  DECC_ARG_CHECK(tx != NULL);
  DECC_ARG_CHECK(sighash != NULL);
  if (!tx->is_signed)
    return decc_err_set(err, DECC_E_STATE, "tx: not signed");
  uint8_t sig[65];
  memcpy(sig, tx->r, 32);
  memcpy(sig + 32, tx->s, 32);
  sig[64] = (uint8_t)(27 + tx->y_parity);
  if (decc_recover_digest(from, sighash, sig) != DECC_OK)
    return decc_err_set(err, DECC_E_BAD_SIGNATURE,
                        "tx: signature does not recover a sender");
  return DECC_OK;
}

decc_status decc_tx_check_chain(const decc_tx *tx, uint64_t chain_id,
                                decc_err *err) {
  DECC_ARG_CHECK(tx != NULL);
  if (tx->type == DECC_TX_LEGACY && tx->chain_id == 0)
    return decc_err_set(err, DECC_E_DENIED,
                        "tx: no EIP-155 chain id (replayable on any chain)");
  if (tx->chain_id != chain_id)
    return decc_err_set(err, DECC_E_DENIED, "tx: chain id %llu, expected %llu",
                        (unsigned long long)tx->chain_id,
                        (unsigned long long)chain_id);
  return DECC_OK;
}
