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
 * execution of the slots already decoded (job_start / job_wait), and a
 * batch is either entirely valid or entirely rejected (the open block is
 * rolled back). Nonces are checked inside the block, in batch order,
 * against the committed state.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/tx.h"
#include "ledger/ledger_int.h"

/* Gas limit written into the transactions decc builds: the embedded chain
 * meters no gas, but a real node would need a limit this large for
 * matchOrders with long params. */
#define LDG_TX_GAS 30000000u

decc_status ldg_raw_decode(uint64_t chain_id, const uint8_t *raw, size_t len,
                           ldg_rawtx *out, decc_err *err) {
  memset(out, 0, sizeof *out);
  decc_tx_init(&out->tx);
  if (!raw || len == 0)
    return decc_err_set(err, DECC_E_INVALID, "empty transaction");
  if (len > DECC_TX_MAX_SIZE)
    return decc_err_set(err, DECC_E_LIMIT, "transaction of %zu bytes", len);
  decc_err e2;
  decc_err_clear(&e2);
  decc_status s = decc_tx_parse(&out->tx, raw, len, &e2);
  if (s == DECC_E_NOMEM)
    return decc_err_set(err, s, "out of memory");
  if (s != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "%s",
                        e2.msg[0] ? e2.msg : "malformed transaction");
  if (decc_tx_check_chain(&out->tx, chain_id, &e2) != DECC_OK) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, DECC_E_INVALID, "%s", e2.msg);
  }
  if ((s = decc_tx_recover(&out->from, &out->tx, &e2)) != DECC_OK) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, s == DECC_E_NOMEM ? s : DECC_E_BAD_SIGNATURE, "%s",
                        e2.msg);
  }
  if (!out->tx.has_to) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, DECC_E_INVALID,
                        "contract creation is not supported (no EVM)");
  }
  if (!decc_u256_is_zero(&out->tx.value)) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, DECC_E_INVALID,
                        "the chain has no native currency: value must be 0");
  }
  if (out->tx.data_len > DECC_LEDGER_MAX_CALLDATA) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, DECC_E_LIMIT, "calldata of %zu bytes",
                        out->tx.data_len);
  }
  out->to = out->tx.to;
  out->nonce = out->tx.nonce;
  decc_keccak256(out->hash, raw, len);
  return DECC_OK;
}

void ldg_raw_clear(ldg_rawtx *t) {
  decc_tx_clear(&t->tx);
  decc_free(t->pre);
  t->pre = NULL;
  t->n_pre = 0;
}

/* ---- parallel decoding ---------------------------------------------------
 * Recovering a sender (secp256k1) is most of what decoding costs and each
 * transaction's is independent of the others', so a batch is decoded on up
 * to LDG_DECODE_THREADS threads (one per online core), each taking the
 * next undecoded index. Every result lands in its own slot and the batch
 * is judged in index order, exactly as the serial loop did: the first
 * failing index is the one reported, whatever order the threads finished
 * in, so results, errors and the block built from them do not depend on
 * scheduling (docs/internals/performance.md). The same threads recover
 * the signatures PoCo calls will check during execution (the orders of
 * matchOrders, the authorization of contributeAndFinalize), so the serial
 * execution of the block finds them done.
 *
 * Decoding and execution overlap (a pipeline): the submitting thread
 * executes transaction i as soon as slot i is decoded while the other
 * threads decode the slots after it, and when slot i is not ready yet it
 * decodes the next unclaimed slot itself instead of waiting. Execution is
 * serial and slots are consumed in index order, so the block is the one a
 * decode-everything-first run builds; only the wall time changes (the
 * recoveries of a block no longer precede its execution, they run beside
 * it on the other cores). */

#define LDG_DECODE_THREADS 8
#define LDG_DECODE_MIN 8 /* smaller batches: threads cost more than they save */

typedef struct decode_job {
  const decc_ledger *l; /* its hub and EIP-712 domain (read only) */
  uint64_t chain_id;
  const uint8_t *const *raw;
  const size_t *lens;
  size_t n;
  ldg_rawtx *tx;
  decc_status *st;
  decc_err *errs;
  /* under mu: the next unclaimed slot, which slots are done */
  pthread_mutex_t mu;
  pthread_cond_t cv; /* broadcast when a slot is done */
  size_t next;
  unsigned char *done;
  pthread_t th[LDG_DECODE_THREADS];
  size_t started;
} decode_job;

/* Decodes raw into t and, for a call to the hub, recovers the signatures
 * the call will verify (PoCo's matchOrders, contributeAndFinalize): they
 * are pure functions of the transaction's bytes, so computing them here,
 * on any thread, gives what execution would compute in order. */
static decc_status decode_one(const decode_job *j, size_t i) {
  ldg_rawtx *t = &j->tx[i];
  decc_status st =
      ldg_raw_decode(j->chain_id, j->raw[i], j->lens[i], t, &j->errs[i]);
  if (st != DECC_OK || !j->l || !decc_address_eq(&t->to, &j->l->addr.hub))
    return st;
  decc_poco_sigcheck pre[LDG_PRESIG_MAX];
  size_t n = decc_poco_call_signatures(pre, LDG_PRESIG_MAX, j->l->domain_sep,
                                       &t->from, t->tx.data, t->tx.data_len);
  /* out of memory: no entries, and execution recovers and hashes them
   * itself (the same results, computed later) */
  if (n == 0 || !(t->pre = decc_malloc(n * sizeof *t->pre)))
    return st;
  for (size_t k = 0; k < n; k++) {
    decc_poco_sigcheck_recover(&pre[k]);
    t->pre[k] = pre[k];
  }
  t->n_pre = n;
  return st;
}

/* Decodes claimed slot i, then publishes it under mu (the slot's bytes
 * are written before the unlock, so a reader that sees done[i] under mu
 * sees them). Called and returns with mu unlocked. */
static void run_slot(decode_job *j, size_t i) {
  decc_err_clear(&j->errs[i]);
  decc_status s = decode_one(j, i);
  pthread_mutex_lock(&j->mu);
  j->st[i] = s;
  j->done[i] = 1;
  pthread_cond_broadcast(&j->cv);
  pthread_mutex_unlock(&j->mu);
}

static void *decode_worker(void *arg) {
  decode_job *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->mu);
    size_t i = j->next < j->n ? j->next++ : j->n;
    pthread_mutex_unlock(&j->mu);
    if (i >= j->n)
      break;
    run_slot(j, i);
  }
  return NULL;
}

/* Prepares j for raw[0..n) into tx/st/errs (each tx[i] initialized, to be
 * cleared with ldg_raw_clear) and starts the helper threads: one per
 * online core but this one, none for a small batch or one core (then
 * this thread decodes every slot in job_wait). done: n bytes, zeroed. */
static void job_start(decode_job *j, const decc_ledger *l,
                      const uint8_t *const *raw, const size_t *lens, size_t n,
                      ldg_rawtx *tx, decc_status *st, decc_err *errs,
                      unsigned char *done) {
  for (size_t i = 0; i < n; i++) {
    memset(&tx[i], 0, sizeof tx[i]);
    decc_tx_init(&tx[i].tx);
  }
  *j = (decode_job){.l = l,
                    .chain_id = l->chain_id,
                    .raw = raw,
                    .lens = lens,
                    .n = n,
                    .tx = tx,
                    .st = st,
                    .errs = errs,
                    .mu = PTHREAD_MUTEX_INITIALIZER,
                    .cv = PTHREAD_COND_INITIALIZER,
                    .done = done};
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  size_t nth = cores > 1 ? (size_t)cores : 1;
  if (nth > LDG_DECODE_THREADS)
    nth = LDG_DECODE_THREADS;
  if (nth > n / (LDG_DECODE_MIN / 2))
    nth = n / (LDG_DECODE_MIN / 2);
  if (n < LDG_DECODE_MIN)
    nth = 1;
  for (size_t k = 1; k < nth; k++, j->started++)
    if (pthread_create(&j->th[j->started], NULL, decode_worker, j) != 0)
      break;
}

/* Waits until slot i is decoded, decoding unclaimed slots (the next in
 * order) meanwhile; returns its status. Slots must be waited for in
 * increasing order. */
static decc_status job_wait(decode_job *j, size_t i) {
  pthread_mutex_lock(&j->mu);
  while (!j->done[i]) {
    if (j->next < j->n) {
      size_t k = j->next++;
      pthread_mutex_unlock(&j->mu);
      run_slot(j, k);
      pthread_mutex_lock(&j->mu);
    } else {
      pthread_cond_wait(&j->cv, &j->mu);
    }
  }
  decc_status s = j->st[i];
  pthread_mutex_unlock(&j->mu);
  return s;
}

/* Stops claiming (slots not yet claimed stay initialized and undecoded),
 * joins the helper threads and releases the job's locks. */
static void job_stop(decode_job *j) {
  pthread_mutex_lock(&j->mu);
  j->next = j->n;
  pthread_mutex_unlock(&j->mu);
  for (size_t k = 0; k < j->started; k++)
    pthread_join(j->th[k], NULL);
  pthread_cond_destroy(&j->cv);
  pthread_mutex_destroy(&j->mu);
}

void ldg_raw_decode_many(const decc_ledger *l, const uint8_t *const *raw,
                         const size_t *lens, size_t n, ldg_rawtx *tx,
                         decc_status *st, decc_err *errs) {
  unsigned char *done = n ? decc_calloc(n, 1) : NULL;
  if (n && !done) {
    /* no room to track slots: the same results, on this thread only */
    decode_job j = {.l = l,
                    .chain_id = l->chain_id,
                    .raw = raw,
                    .lens = lens,
                    .n = n,
                    .tx = tx,
                    .st = st,
                    .errs = errs};
    for (size_t i = 0; i < n; i++) {
      memset(&tx[i], 0, sizeof tx[i]);
      decc_tx_init(&tx[i].tx);
      decc_err_clear(&errs[i]);
      st[i] = decode_one(&j, i);
    }
    return;
  }
  decode_job j;
  job_start(&j, l, raw, lens, n, tx, st, errs, done);
  for (size_t i = 0; i < n; i++)
    (void)job_wait(&j, i);
  job_stop(&j);
  decc_free(done);
}

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

static void finish(decc_receipt *out, size_t n, const uint8_t bh[32]) {
  for (size_t i = 0; i < n; i++) {
    memcpy(out[i].block_hash, bh, 32);
    for (size_t k = 0; k < out[i].n_logs; k++)
      memcpy(out[i].logs[k].block_hash, bh, 32);
  }
}

/* Reports decode failure i of the job as the batch's error, prefixed with
 * "transaction <index>" as the decode-first loop did. */
static decc_status decode_error(const decode_job *j, size_t i, decc_err *err) {
  if (err)
    *err = j->errs[i];
  decc_err_prefix(err, "transaction %zu", i);
  return j->st[i];
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
  ldg_rawtx *tx = n ? decc_calloc(n, sizeof *tx) : NULL;
  decc_status *st = n ? decc_calloc(n, sizeof *st) : NULL;
  decc_err *errs = n ? decc_calloc(n, sizeof *errs) : NULL;
  unsigned char *done = n ? decc_calloc(n, 1) : NULL;
  if (n && (!tx || !st || !errs || !done)) {
    decc_free(tx);
    decc_free(st);
    decc_free(errs);
    decc_free(done);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  if (n) /* (out may be NULL for an empty batch: memset(NULL, 0, 0) is UB) */
    memset(out, 0, n * sizeof *out);
  /* Decoding runs beside execution (job_start); the outcome is the one of
   * decoding everything first: a batch with any bad transaction is
   * rejected with the lowest bad index, and only a fully decodable batch
   * reports a block or execution error. */
  decode_job j;
  job_start(&j, l, raw, lens, n, tx, st, errs, done);
  size_t bad = n; /* lowest slot that failed to decode */
  size_t i = 0;
  decc_status s = ldg_block_begin(l, 0, err);
  for (; i < n && s == DECC_OK; i++) {
    if (job_wait(&j, i) != DECC_OK) {
      bad = i;
      break;
    }
    s = exec_raw(l, &tx[i], raw[i], lens[i], i, &out[i], err);
  }
  if (bad == n && s != DECC_OK) /* slots 0..i-1 decoded: look further */
    for (size_t k = i; k < n; k++)
      if (job_wait(&j, k) != DECC_OK) {
        bad = k;
        break;
      }
  job_stop(&j);
  if (bad < n) {
    ldg_block_abort(l); /* a no-op when the block did not open */
    s = decode_error(&j, bad, err);
  } else {
    uint8_t bh[32];
    if (s == DECC_OK)
      s = ldg_block_commit(l, bh, err);
    else
      ldg_block_abort(l);
    if (s == DECC_OK)
      finish(out, n, bh);
  }
  if (s != DECC_OK)
    for (size_t k = 0; k < n; k++)
      decc_receipt_clear(&out[k]);
  for (size_t k = 0; k < n; k++)
    ldg_raw_clear(&tx[k]);
  decc_free(tx);
  decc_free(st);
  if (errs)
    decc_memzero(errs, n * sizeof *errs);
  decc_free(errs);
  decc_free(done);
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
