/*
 * rawtx.c — signed Ethereum transactions into the ledger. A raw
 * transaction (legacy EIP-155 or EIP-1559 type 2, decc/tx.h) is parsed
 * strictly, bound to this chain id, its sender recovered (low-S only) and
 * then executed like an impersonated call, except that its hash is
 * keccak256(raw) and the raw bytes are stored so `verify` can check the
 * signature again while replaying.
 *
 * Everything that can be checked without the state (encoding, chain id,
 * signature) is checked for the whole batch on every core, beside the
 * execution of the slots already decoded (decode.c: ldg_djob_begin /
 * ldg_djob_wait), and a batch is either entirely valid or entirely
 * rejected (the open block is rolled back). Nonces are checked inside the block, in batch order,
 * against the committed state.
 */
#include <string.h>

#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/tx.h"
#include "ledger/ledger_int.h"

/* Gas limit written into the transactions decc builds: the embedded chain
 * meters no gas, but a real node would need a limit this large for
 * matchOrders with long params. */
#define LDG_TX_GAS 30000000u

/* Executes decoded tx t (raw bytes raw/len) in the open block after the
 * nonce check. */
static decc_status exec_raw(decc_ledger *l, const ldg_rawtx *t,
                            const uint8_t *raw, size_t len, size_t idx,
                            decc_receipt *out, decc_err *err) {
  uint64_t nonce;
  decc_status s = ldg_nonce_get(l, &t->from, &nonce, err);
  if (s != DECC_OK)
    return s;
  if (nonce != t->nonce) {
    char a[DECC_ADDRESS_HEX_LEN];
    decc_address_to_checksum(a, &t->from);
    return decc_err_set(
        err, DECC_E_INVALID, "transaction %zu: nonce %llu of %s, expected %llu",
        idx, (unsigned long long)t->nonce, a, (unsigned long long)nonce);
  }
  return ldg_exec_pre(l, t, LDG_TX_RAW, t->hash, &t->from, &t->to, nonce,
                      t->tx.data, t->tx.data_len, raw, len, out, err);
}

decc_status ldg_exec_pre(decc_ledger *l, const ldg_rawtx *t, int kind,
                         const uint8_t hash[32], const decc_address *from,
                         const decc_address *to, uint64_t nonce,
                         const uint8_t *data, size_t len, const uint8_t *raw,
                         size_t raw_len, decc_receipt *out, decc_err *err) {
  l->pre = t->pre;
  l->n_pre = t->n_pre;
  decc_status s = ldg_tx_execute(l, kind, hash, from, to, nonce, data, len, raw,
                                 raw_len, out, err);
  l->pre = NULL;
  l->n_pre = 0;
  return s;
}

/* Folds the digests of the batch's receipts out[0..n) into the block's
 * receipt root, in order (ldg_tx_execute left them to this, rc_defer). */
static decc_status fold_digests(decc_ledger *l, const decc_receipt *out,
                                size_t n, decc_err *err) {
  uint8_t(*dg)[32] = n ? decc_malloc(n * 32) : NULL;
  if (n && !dg)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  ldg_receipt_digests(l, out, n, dg);
  for (size_t i = 0; i < n; i++)
    decc_keccak256_update(&l->blk_rcroot, dg[i], 32);
  decc_free(dg);
  return DECC_OK;
}

static void finish(decc_receipt *out, size_t n, const uint8_t bh[32]) {
  for (size_t i = 0; i < n; i++) {
    memcpy(out[i].block_hash, bh, 32);
    for (size_t k = 0; k < out[i].n_logs; k++)
      memcpy(out[i].logs[k].block_hash, bh, 32);
  }
}

decc_status decc_ledger_submit_raw(decc_ledger *l, const uint8_t *const *raw,
                                   const size_t *lens, size_t n,
                                   decc_receipt *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(raw != NULL || n == 0);
  DECC_ARG_CHECK(lens != NULL || n == 0);
  DECC_ARG_CHECK(out != NULL || n == 0);
  if (n > DECC_LEDGER_MAX_BATCH)
    return decc_err_set(err, DECC_E_LIMIT, "ledger: batch of %zu transactions",
                        n);
  if (l->in_block)
    return decc_err_set(err, DECC_E_STATE, "ledger: block already open");
  if (n) /* (out may be NULL for an empty batch: memset(NULL, 0, 0) is UB) */
    memset(out, 0, n * sizeof *out);
  /* Decoding runs beside execution (decode.c); the outcome is the one of
   * decoding everything first: a batch with any bad transaction is
   * rejected with the lowest bad index, and only a fully decodable batch
   * reports a block or execution error. */
  ldg_djob *j = ldg_djob_begin(l, raw, lens, n);
  if (!j)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_err derr;
  size_t bad = n; /* lowest slot that failed to decode */
  size_t i = 0;
  decc_status s = ldg_block_begin(l, 0, err);
  l->rc_defer = 1; /* the receipts' digests: together, below */
  for (; i < n && s == DECC_OK; i++) {
    const ldg_rawtx *t;
    if (ldg_djob_wait(j, i, &t, &derr) != DECC_OK) {
      bad = i;
      break;
    }
    s = exec_raw(l, t, raw[i], lens[i], i, &out[i], err);
  }
  l->rc_defer = 0;
  decc_status ds = DECC_OK;
  if (bad < n) {
    ds = ldg_djob_wait(j, bad, NULL, &derr);
  } else if (s != DECC_OK) { /* slots 0..i-1 decoded: look further */
    for (size_t k = i; k < n; k++)
      if ((ds = ldg_djob_wait(j, k, NULL, &derr)) != DECC_OK) {
        bad = k;
        break;
      }
  }
  ldg_djob_end(j);
  if (bad < n) {
    ldg_block_abort(l); /* a no-op when the block did not open */
    if (err)
      *err = derr;
    decc_err_prefix(err, "transaction %zu", bad);
    s = ds;
  } else {
    uint8_t bh[32];
    if (s == DECC_OK)
      s = fold_digests(l, out, n, err);
    if (s == DECC_OK)
      s = ldg_block_commit(l, bh, err);
    else
      ldg_block_abort(l);
    if (s == DECC_OK)
      finish(out, n, bh);
  }
  decc_memzero(&derr, sizeof derr);
  if (s != DECC_OK)
    for (size_t k = 0; k < n; k++)
      decc_receipt_clear(&out[k]);
  return s;
}

decc_status decc_ledger_tx_build(decc_buf *raw, uint64_t chain_id,
                                 const uint8_t sk32[32], uint64_t nonce,
                                 const decc_address *to, const uint8_t *data,
                                 size_t len, decc_err *err) {
  DECC_ARG_CHECK(raw != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(to != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  decc_tx tx;
  decc_tx_init(&tx);
  tx.type = DECC_TX_EIP1559;
  tx.chain_id = chain_id;
  tx.nonce = nonce;
  tx.gas_limit = LDG_TX_GAS;
  tx.has_to = 1;
  tx.to = *to;
  decc_status s = decc_tx_set_data(&tx, data, len);
  if (s != DECC_OK)
    decc_err_set(err, s, "ledger: calldata of %zu bytes", len);
  else if ((s = decc_tx_sign(&tx, sk32, err)) == DECC_OK)
    s = decc_tx_serialize(raw, &tx, err);
  decc_tx_clear(&tx);
  return s;
}

decc_status decc_ledger_send(decc_ledger *l, const uint8_t sk32[32],
                             const decc_address *to, const uint8_t *data,
                             size_t len, decc_receipt *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(to != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  DECC_ARG_CHECK(out != NULL);
  if (len > DECC_LEDGER_MAX_CALLDATA)
    return decc_err_set(err, DECC_E_LIMIT, "ledger: calldata too large");
  memset(out, 0, sizeof *out);
  decc_address from;
  if (decc_address_from_privkey(&from, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "ledger: invalid private key");
  /* The nonce is read and used under the write lock, so concurrent
   * senders from other processes never collide on it. */
  decc_status s = ldg_block_begin(l, 0, err);
  if (s != DECC_OK)
    return s;
  uint64_t nonce;
  decc_buf raw;
  decc_buf_init(&raw, DECC_TX_MAX_SIZE);
  ldg_rawtx t;
  memset(&t, 0, sizeof t);
  decc_tx_init(&t.tx);
  if ((s = ldg_nonce_get(l, &from, &nonce, err)) == DECC_OK &&
      (s = decc_ledger_tx_build(&raw, l->chain_id, sk32, nonce, to, data, len,
                                err)) == DECC_OK &&
      (s = ldg_raw_decode(l->chain_id, raw.data, raw.len, &t, err)) == DECC_OK)
    s = exec_raw(l, &t, raw.data, raw.len, 0, out, err);
  uint8_t bh[32];
  if (s == DECC_OK)
    s = ldg_block_commit(l, bh, err);
  else
    ldg_block_abort(l);
  if (s == DECC_OK)
    finish(out, 1, bh);
  else
    decc_receipt_clear(out);
  ldg_raw_clear(&t);
  decc_buf_clear(&raw);
  return s;
}
