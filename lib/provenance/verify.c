/*
 * verify.c — offline verification of a provenance bundle
 * (decc_prov_verify) and the result digest of a result zip
 * (decc_prov_zip_result_digest).
 *
 * Every line of the report is one claim with its verdict: PROVEN when it
 * follows from signatures and hashes inside the bundle alone, NOT_PROVEN
 * when it rests on something the bundle cannot carry (the chain source's
 * word on block hashes, a software platform key's custody, Intel's
 * collateral), FAILED when the bundle contradicts itself. The order of the
 * checks follows the chain of trust: the transaction that carries the
 * enclave's signature (sender and chain id from its own signature), the
 * signature over the result digest, the workerpool's authorization of
 * that enclave key, the events that tie the transaction to the task and
 * the deal, the platform's quote, and last the result file itself.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/dcap.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/provenance.h"
#include "decc/tx.h"
#include "decc/zipsafe.h"

#define SIG_FAST                                                               \
  "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes)"
#define SIG_CLASSIC "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)"
/* Largest result entry hashed from a zip. */
#define ZIP_ENTRY_MAX (256u << 20)

typedef struct vctx {
  decc_prov_report *rep;
  decc_err *err;
  decc_status first; /* first failure */
} vctx;

static void line(vctx *v, decc_prov_verdict verdict, decc_status st,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void line(vctx *v, decc_prov_verdict verdict, decc_status st,
                 const char *fmt, ...) {
  char text[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (verdict == DECC_PROV_FAILED) {
    v->rep->n_failed++;
    if (!v->first)
      v->first = decc_err_set(v->err, st, "%s", text);
  }
  if (v->rep->n < DECC_PROV_MAX_LINES) {
    decc_prov_line *l = &v->rep->lines[v->rep->n++];
    l->verdict = verdict;
    snprintf(l->text, sizeof l->text, "%s", text);
  }
}

static const char *hx(char *buf, const uint8_t *p, size_t n) {
  return decc_hex_encode(buf, p, n, 1);
}

static const char *ad(char *buf, const decc_address *a) {
  return decc_address_to_checksum(buf, a);
}

static void task_id_of(uint8_t out[32], const uint8_t deal[32], uint64_t idx) {
  uint8_t m[64];
  memcpy(m, deal, 32);
  decc_u256 i = decc_u256_from_u64(idx);
  decc_u256_to_be(m + 32, &i);
  decc_keccak256(out, m, 64);
}

static const decc_prov_event *find_event(const decc_prov_bundle *b,
                                         decc_poco_event ev, size_t from) {
  uint8_t t[32];
  if (decc_poco_event_topic(t, ev))
    return NULL;
  for (size_t i = from; i < b->n_events; i++)
    if (b->events[i].log.n_topics && !memcmp(b->events[i].log.topics[0], t, 32))
      return &b->events[i];
  return NULL;
}

static int before(const decc_log *a, const decc_log *b) {
  return a->block_number != b->block_number ? a->block_number < b->block_number
                                            : a->log_index < b->log_index;
}

/* ---- the contribution transactions ------------------------------------------ */

typedef struct contrib {
  int ok; /* enclave signature verified */
  decc_address worker, enclave, authorizer;
} contrib;

static void check_tx(vctx *v, const decc_prov_bundle *b, size_t i,
                     contrib *out) {
  char h1[DECC_HEX32_LEN], h2[DECC_HEX32_LEN], a1[DECC_ADDRESS_HEX_LEN],
      a2[DECC_ADDRESS_HEX_LEN];
  decc_tx tx;
  decc_tx_init(&tx);
  decc_err e2;
  decc_err_clear(&e2);
  uint8_t hash[32];
  decc_address sender;
  decc_abi_value *args = NULL;
  if (decc_tx_parse(&tx, b->txs[i], b->tx_lens[i], &e2) ||
      decc_tx_hash(hash, &tx, &e2) || decc_tx_recover(&sender, &tx, &e2)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "contribution transaction %zu is not a valid signed transaction: %s",
         i, e2.msg);
    goto done;
  }
  if (decc_tx_check_chain(&tx, b->chain_id, &e2)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "contribution transaction %zu was signed for chain %llu, not the "
         "bundle's chain %llu (a bundle from another chain?)",
         i, (unsigned long long)tx.chain_id, (unsigned long long)b->chain_id);
    goto done;
  }
  line(v, DECC_PROV_PROVEN, 0,
       "contribution transaction %s was signed by %s for chain %llu",
       hx(h1, hash, 32), ad(a1, &sender), (unsigned long long)tx.chain_id);
  if (!tx.has_to || !decc_address_eq(&tx.to, &b->hub)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "contribution transaction %zu is not addressed to the hub %s", i,
         ad(a1, &b->hub));
    goto done;
  }
  /* the chain's TaskContribute for this very transaction */
  const decc_prov_event *ce = NULL;
  for (size_t k = 0; !ce; k++) {
    const decc_prov_event *e = find_event(b, DECC_EV_TASK_CONTRIBUTE, k);
    if (!e)
      break;
    k = (size_t)(e - b->events);
    if (!memcmp(e->log.tx_hash, hash, 32))
      ce = e;
  }
  if (!ce) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "no TaskContribute event names transaction %s (tampered "
         "transaction or events)",
         hx(h1, hash, 32));
    goto done;
  }
  decc_address ev_worker;
  memset(&ev_worker, 0, sizeof ev_worker);
  if (ce->log.n_topics == 3)
    memcpy(ev_worker.b, ce->log.topics[2] + 12, 20);
  if (ce->log.n_topics != 3 || memcmp(ce->log.topics[1], b->task_id, 32) ||
      !decc_address_eq(&ev_worker, &sender) || ce->log.data_len != 32) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the TaskContribute event of transaction %s does not name this task "
         "and its sender",
         hx(h1, hash, 32));
    goto done;
  }
  int fast = 1;
  if (decc_abi_decode_call(&args, SIG_FAST, tx.data, tx.data_len, 0, NULL)) {
    fast = 0;
    if (decc_abi_decode_call(&args, SIG_CLASSIC, tx.data, tx.data_len, 0,
                             &e2)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "transaction %s is neither contributeAndFinalize nor contribute",
           hx(h1, hash, 32));
      goto done;
    }
  }
  uint8_t tid[32], rh[32], rs[32];
  decc_address enclave;
  const uint8_t *esig = NULL, *asig = NULL;
  size_t esig_len = 0, asig_len = 0;
  decc_poco_result_hash(rh, b->task_id, b->result_digest);
  decc_poco_result_seal(rs, &sender, b->task_id, b->result_digest);
  if (fast) {
    uint8_t digest[32];
    const uint8_t *res, *cb;
    size_t res_len, cb_len;
    if (decc_abi_get_bytes32(decc_abi_item(args, 0), tid) ||
        decc_abi_get_bytes32(decc_abi_item(args, 1), digest) ||
        decc_abi_get_bytes(decc_abi_item(args, 2), &res, &res_len) ||
        decc_abi_get_bytes(decc_abi_item(args, 3), &cb, &cb_len) ||
        decc_abi_get_address(decc_abi_item(args, 4), &enclave) ||
        decc_abi_get_bytes(decc_abi_item(args, 5), &esig, &esig_len) ||
        decc_abi_get_bytes(decc_abi_item(args, 6), &asig, &asig_len)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "transaction %s: malformed contributeAndFinalize arguments",
           hx(h1, hash, 32));
      goto done;
    }
    if (memcmp(digest, b->result_digest, 32)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "the result digest the worker submitted (%s) is not the bundle's "
           "task result digest %s (swapped result)",
           hx(h1, digest, 32), hx(h2, b->result_digest, 32));
      goto done;
    }
    if (res_len != b->results_len ||
        (res_len && memcmp(res, b->results, res_len)) ||
        cb_len != b->results_callback_len ||
        (cb_len && memcmp(cb, b->results_callback, cb_len))) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "the results the worker submitted differ from the bundle's task "
           "results (swapped result link)");
      goto done;
    }
  } else {
    uint8_t arh[32], ars[32];
    if (decc_abi_get_bytes32(decc_abi_item(args, 0), tid) ||
        decc_abi_get_bytes32(decc_abi_item(args, 1), arh) ||
        decc_abi_get_bytes32(decc_abi_item(args, 2), ars) ||
        decc_abi_get_address(decc_abi_item(args, 3), &enclave) ||
        decc_abi_get_bytes(decc_abi_item(args, 4), &esig, &esig_len) ||
        decc_abi_get_bytes(decc_abi_item(args, 5), &asig, &asig_len)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "transaction %s: malformed contribute arguments", hx(h1, hash, 32));
      goto done;
    }
    if (memcmp(arh, rh, 32) || memcmp(ars, rs, 32)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "the contribution's result hash and seal do not match the "
           "bundle's result digest %s (swapped result)",
           hx(h1, b->result_digest, 32));
      goto done;
    }
  }
  if (memcmp(tid, b->task_id, 32)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "transaction %s contributes to task %s, not to the bundle's task",
         hx(h1, hash, 32), hx(h2, tid, 32));
    goto done;
  }
  if (memcmp(ce->log.data, rh, 32)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the TaskContribute event's result hash differs from H(task id ‖ "
         "result digest)");
    goto done;
  }
  out->worker = sender;
  if (decc_address_is_zero(&enclave)) {
    line(v, DECC_PROV_NOT_PROVEN, 0,
         "worker %s contributed without an enclave: the result is vouched "
         "for by the worker alone",
         ad(a1, &sender));
    goto done;
  }
  uint8_t msg[32];
  decc_address signer;
  decc_poco_enclave_message(msg, rh, rs);
  if (esig_len != 65 || decc_eip191_recover(&signer, msg, 32, esig) ||
      !decc_address_eq(&signer, &enclave)) {
    line(v, DECC_PROV_FAILED, DECC_E_BAD_SIGNATURE,
         "the enclave signature does not recover to the enclave challenge "
         "%s (tampered signature)",
         ad(a1, &enclave));
    goto done;
  }
  out->enclave = enclave;
  out->ok = 1;
  line(v, DECC_PROV_PROVEN, 0,
       "enclave key %s signed result digest %s for this task and worker %s",
       ad(a1, &enclave), hx(h1, b->result_digest, 32), ad(a2, &sender));
  decc_poco_authorization_message(msg, &sender, b->task_id, &enclave);
  if (asig_len != 65 || decc_eip191_recover(&out->authorizer, msg, 32, asig)) {
    line(v, DECC_PROV_FAILED, DECC_E_BAD_SIGNATURE,
         "the workerpool authorization of transaction %s is not a valid "
         "signature",
         hx(h1, hash, 32));
    goto done;
  }
  if (decc_address_eq(&out->authorizer, &b->deal.workerpool.owner))
    line(v, DECC_PROV_PROVEN, 0,
         "the workerpool owner %s authorized worker %s with that enclave key",
         ad(a1, &out->authorizer), ad(a2, &sender));
  else
    line(v, DECC_PROV_NOT_PROVEN, 0,
         "the enclave key was authorized by %s, not by the deal's workerpool "
         "owner (PoCo accepts a teebroker's authorization)",
         ad(a1, &out->authorizer));
done:
  decc_abi_value_free(args);
  decc_tx_clear(&tx);
}

/* ---- events ---------------------------------------------------------------------- */

static void check_events(vctx *v, const decc_prov_bundle *b) {
  char h1[DECC_HEX32_LEN], a1[DECC_ADDRESS_HEX_LEN];
  size_t failed0 = v->rep->n_failed;
  for (size_t i = 0; i < b->n_events; i++) {
    const decc_prov_event *e = &b->events[i];
    decc_poco_event ev = e->log.n_topics
                             ? decc_poco_event_from_topic(e->log.topics[0])
                             : DECC_EV_COUNT;
    const char *sig = decc_poco_event_signature(ev);
    size_t nl = sig ? strcspn(sig, "(") : 0;
    if (!sig || strlen(e->name) != nl || strncmp(e->name, sig, nl)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "event %zu (\"%s\") is not the PoCo event its topic names", i,
           e->name);
      return;
    }
    if (!decc_address_eq(&e->log.address, &b->hub)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "event %zu (%s) was not emitted by the hub %s", i, e->name,
           ad(a1, &b->hub));
      return;
    }
    if (ev >= DECC_EV_TASK_INITIALIZE && ev <= DECC_EV_TASK_CLAIMED &&
        (e->log.n_topics < 2 || memcmp(e->log.topics[1], b->task_id, 32))) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "event %zu (%s) is about another task", i, e->name);
      return;
    }
    for (size_t k = 0; k < i; k++)
      if (b->events[k].log.block_number == e->log.block_number &&
          memcmp(b->events[k].log.block_hash, e->log.block_hash, 32)) {
        line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
             "events %zu and %zu give block %llu two different hashes", k, i,
             (unsigned long long)e->log.block_number);
        return;
      }
    if (i && !before(&b->events[i - 1].log, &e->log)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "events %zu and %zu are not in chain order", i - 1, i);
      return;
    }
  }
  const decc_prov_event *om = NULL;
  for (size_t k = 0;; k++) {
    const decc_prov_event *e = find_event(b, DECC_EV_ORDERS_MATCHED, k);
    if (!e)
      break;
    k = (size_t)(e - b->events);
    if (e->log.data_len >= 32 && !memcmp(e->log.data, b->deal_id, 32))
      om = e;
  }
  const decc_prov_event *ti = find_event(b, DECC_EV_TASK_INITIALIZE, 0);
  const decc_prov_event *tf = find_event(b, DECC_EV_TASK_FINALIZE, 0);
  if (!om) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the bundle has no OrdersMatched event for deal %s",
         hx(h1, b->deal_id, 32));
    return;
  }
  if (!ti || !tf) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the bundle lacks the task's %s event",
         !ti ? "TaskInitialize" : "TaskFinalize");
    return;
  }
  if (!before(&om->log, &ti->log) || !before(&ti->log, &tf->log)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the deal and task events are out of order");
    return;
  }
  decc_abi_value *fv = NULL;
  const uint8_t *res = NULL;
  size_t res_len = 0;
  if (decc_abi_decode(&fv, "bytes", tf->log.data, tf->log.data_len, 0, NULL) ||
      decc_abi_get_bytes(decc_abi_item(fv, 0), &res, &res_len) ||
      res_len != b->results_len ||
      (res_len && memcmp(res, b->results, res_len))) {
    decc_abi_value_free(fv);
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the chain's TaskFinalize carries other results than the bundle's "
         "task (swapped result)");
    return;
  }
  decc_abi_value_free(fv);
  if (v->rep->n_failed == failed0)
    line(v, DECC_PROV_PROVEN, 0,
         "%zu events are consistent: deal matched in block %llu, task "
         "initialized in block %llu, finalized in block %llu with these "
         "results",
         b->n_events, (unsigned long long)om->log.block_number,
         (unsigned long long)ti->log.block_number,
         (unsigned long long)tf->log.block_number);
  line(v, DECC_PROV_NOT_PROVEN, 0,
       "that these events are on the chain you trust: block %llu's hash %s "
       "is the chain source's word (\"%s\"); compare it with a node you "
       "trust (decc chain block %llu)",
       (unsigned long long)tf->log.block_number, hx(h1, tf->log.block_hash, 32),
       b->chain_source, (unsigned long long)tf->log.block_number);
}

/* ---- attestation ------------------------------------------------------------------ */

/* The result key's binding signature over the quote's claims: it ties the
 * quote to the very key that signed the result, so a quote of another run
 * or another enclave cannot be passed off as this result's. */
static void check_binding(vctx *v, const decc_prov_bundle *b) {
  char a1[DECC_ADDRESS_HEX_LEN];
  if (!b->has_binding) {
    line(v, DECC_PROV_NOT_PROVEN, 0,
         "that this quote is the one of the enclave that signed the result: "
         "the bundle carries no binding signature from the result key");
    return;
  }
  uint8_t msg[32];
  decc_address signer;
  decc_enclave_quote_binding_message(msg, b->quote);
  if (decc_eip191_recover(&signer, msg, 32, b->binding)) {
    line(v, DECC_PROV_FAILED, DECC_E_BAD_SIGNATURE,
         "the quote's binding signature does not recover (tampered quote or "
         "binding)");
    return;
  }
  if (decc_address_is_zero(&v->rep->enclave) ||
      !decc_address_eq(&signer, &v->rep->enclave)) {
    line(v, DECC_PROV_FAILED, DECC_E_BAD_SIGNATURE,
         "the quote is bound to key %s, not to the enclave key that signed "
         "the result (tampered or swapped quote)",
         ad(a1, &signer));
    return;
  }
  line(v, DECC_PROV_PROVEN, 0,
       "enclave key %s, which signed the result, signed this quote's claims "
       "(its X25519 public key, nonce and time): the key that signed the "
       "result was delivered to the quoted enclave",
       ad(a1, &signer));
}

static void check_quote(vctx *v, const decc_prov_bundle *b,
                        const decc_prov_verify_opts *o) {
  char a1[DECC_ADDRESS_HEX_LEN];
  if (!b->has_quote || !b->quote) {
    line(v, DECC_PROV_NOT_PROVEN, 0,
         "platform attestation: the bundle carries no quote (%s)",
         *b->attestation_note ? b->attestation_note : "none recorded");
    return;
  }
  const decc_quote *q = b->quote;
  if (memcmp(q->task_id, b->task_id, 32)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the quote was made for another task");
    return;
  }
  if (memcmp(q->measurement, b->app_checksum, 32)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the quote's measurement is not the app's checksum");
    return;
  }
  if (q->hw_quote_len) {
    decc_dcap_quote dq;
    decc_err e2;
    decc_err_clear(&e2);
    if (decc_dcap_quote_parse(&dq, q->hw_quote, q->hw_quote_len, &e2)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "the hardware quote does not parse: %s", e2.msg);
      return;
    }
    uint8_t want[64];
    decc_dcap_report_data(want, q);
    const uint8_t *rd =
        dq.body == DECC_DCAP_BODY_SGX ? dq.sgx.report_data : dq.td.report_data;
    if (memcmp(rd, want, 64)) {
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "the hardware quote's report data does not bind the claimed app "
           "measurement and task");
      return;
    }
    line(v, DECC_PROV_PROVEN, 0,
         "the %s quote's report data binds the app measurement (= app "
         "checksum) and this task",
         q->backend);
    check_binding(v, b);
    line(v, DECC_PROV_NOT_PROVEN, 0,
         "the hardware quote's signature chain to Intel's root and its TCB "
         "status are not checked offline (decc attest with collateral does)");
    return;
  }
  uint8_t d[32];
  decc_address signer;
  decc_quote_digest(d, q);
  if (decc_recover_digest(&signer, d, q->signature) ||
      !decc_address_eq(&signer, &q->platform)) {
    line(v, DECC_PROV_FAILED, DECC_E_BAD_SIGNATURE,
         "the quote's signature does not recover to its platform key");
    return;
  }
  v->rep->platform = signer;
  line(v, DECC_PROV_PROVEN, 0,
       "platform key %s quoted an enclave running the app checksum for this "
       "task",
       ad(a1, &signer));
  int trusted = 0;
  for (size_t i = 0; i < o->n_trusted_platforms; i++)
    trusted |= decc_address_eq(&o->trusted_platforms[i], &signer);
  if (o->n_trusted_platforms && !trusted)
    line(v, DECC_PROV_FAILED, DECC_E_DENIED,
         "platform key %s is not one of the platforms you trust",
         ad(a1, &signer));
  check_binding(v, b);
  line(v, DECC_PROV_NOT_PROVEN, 0,
       "a %s quote is signed by a key on the worker host: it is not "
       "hardware protection (whoever holds the key can sign any quote)",
       q->backend);
}

/* ---- result ---------------------------------------------------------------------- */

static void check_result(vctx *v, const decc_prov_bundle *b,
                         const decc_prov_verify_opts *o) {
  char h1[DECC_HEX32_LEN], h2[DECC_HEX32_LEN];
  if (b->results_callback_len) {
    uint8_t k[32];
    decc_keccak256(k, b->results_callback, b->results_callback_len);
    if (memcmp(k, b->result_digest, 32))
      line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
           "the callback data does not hash to the result digest");
    else
      line(v, DECC_PROV_PROVEN, 0,
           "the callback data (%zu bytes) hashes to the signed result digest",
           b->results_callback_len);
  }
  if (!o->result_zip) {
    if (!b->results_callback_len)
      line(v, DECC_PROV_NOT_PROVEN, 0,
           "no result file given: pass --result FILE (the decrypted result "
           "zip) to check it against the signed digest");
    return;
  }
  uint8_t d[32];
  decc_err e2;
  decc_err_clear(&e2);
  if (decc_prov_zip_result_digest(d, o->result_zip, o->result_zip_len, &e2)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the result file's digest cannot be computed: %s", e2.msg);
    return;
  }
  if (memcmp(d, b->result_digest, 32)) {
    line(v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the result file's deterministic output hashes to %s, not to the "
         "signed result digest %s (swapped result)",
         hx(h1, d, 32), hx(h2, b->result_digest, 32));
    return;
  }
  line(v, DECC_PROV_PROVEN, 0,
       "the result file's deterministic output hashes to the signed result "
       "digest");
  if (b->has_result_file) {
    uint8_t s[32];
    decc_sha256(s, o->result_zip, o->result_zip_len);
    if (memcmp(s, b->result_file_sha256, 32) ||
        b->result_file_size != o->result_zip_len)
      line(v, DECC_PROV_NOT_PROVEN, 0,
           "the result file is not byte for byte the one the bundle was "
           "written with (its deterministic output is the same)");
  }
}

/* ---- entry point ------------------------------------------------------------------ */

decc_status decc_prov_verify(const decc_prov_bundle *b,
                             const decc_prov_verify_opts *opts,
                             decc_prov_report *rep, decc_err *err) {
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(rep != NULL);
  decc_prov_verify_opts none;
  memset(&none, 0, sizeof none);
  const decc_prov_verify_opts *o = opts ? opts : &none;
  memset(rep, 0, sizeof *rep);
  vctx v = {rep, err, DECC_OK};
  char h1[DECC_HEX32_LEN], h2[DECC_HEX32_LEN];

  if (o->expected_chain_id && o->expected_chain_id != b->chain_id)
    line(&v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the bundle is from chain %llu, not the chain %llu you expect",
         (unsigned long long)b->chain_id,
         (unsigned long long)o->expected_chain_id);
  if (b->task_status != DECC_TASK_COMPLETED)
    line(&v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the bundle's task is not COMPLETED");
  uint8_t tid[32];
  task_id_of(tid, b->deal_id, b->task_index);
  if (memcmp(tid, b->task_id, 32))
    line(&v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "task id %s is not task %llu of deal %s", hx(h1, b->task_id, 32),
         (unsigned long long)b->task_index, hx(h2, b->deal_id, 32));
  else
    line(&v, DECC_PROV_PROVEN, 0, "task %s is task %llu of deal %s",
         hx(h1, b->task_id, 32), (unsigned long long)b->task_index,
         hx(h2, b->deal_id, 32));
  if (!(b->deal.tag[31] & 1))
    line(&v, DECC_PROV_NOT_PROVEN, 0,
         "the deal is not a TEE deal (tag bit 0 unset): no enclave vouches "
         "for its result");

  if (!b->n_txs)
    line(&v, DECC_PROV_FAILED, DECC_E_CORRUPT,
         "the bundle carries no contribution transaction");
  int signed_ok = 0;
  for (size_t i = 0; i < b->n_txs; i++) {
    contrib c;
    memset(&c, 0, sizeof c);
    check_tx(&v, b, i, &c);
    if (c.ok && !signed_ok) {
      signed_ok = 1;
      rep->worker = c.worker;
      rep->enclave = c.enclave;
      rep->authorizer = c.authorizer;
    }
  }
  check_events(&v, b);
  if (!o->expected_chain_id)
    line(&v, DECC_PROV_NOT_PROVEN, 0,
         "chain id %llu is the bundle's: pass --chain-id to pin the chain you "
         "expect",
         (unsigned long long)b->chain_id);
  line(&v, DECC_PROV_NOT_PROVEN, 0,
       "the deal's fields, the app checksum %s and the dataset's checksum "
       "and multiaddr are the registries' answers at bundle time (the chain "
       "source's word)",
       hx(h1, b->app_checksum, 32));
  check_quote(&v, b, o);
  check_result(&v, b, o);
  return v.first;
}

/* ---- result digest of a zip ----------------------------------------------------- */

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

decc_status decc_prov_zip_result_digest(uint8_t out32[32], const uint8_t *zip,
                                        size_t len, decc_err *err) {
  DECC_ARG_CHECK(out32 != NULL);
  DECC_ARG_CHECK(zip != NULL);
  decc_zip *z = NULL;
  decc_err e2;
  decc_err_clear(&e2);
  decc_status st = decc_zip_open_mem(&z, zip, len, NULL, &e2);
  if (st)
    return decc_err_set(err, st == DECC_E_NOMEM ? st : DECC_E_PARSE,
                        "result file: not a readable zip (%s): give the "
                        "decrypted result",
                        e2.msg);
  size_t idx;
  uint8_t *cj = NULL, *data = NULL;
  size_t cjl = 0, dl = 0;
  json_t *root = NULL;
  const char **names = NULL;
  char *rel = NULL;
  if (decc_zip_find(z, "computed.json", &idx) ||
      decc_zip_read(z, idx, 65536, &cj, &cjl, NULL)) {
    st = decc_err_set(err, DECC_E_PARSE,
                      "result file: no readable computed.json (an encrypted "
                      "archive? give the decrypted result)");
    goto done;
  }
  root = json_loadb((const char *)cj, cjl, 0, NULL);
  const char *p =
      json_string_value(json_object_get(root, "deterministic-output-path"));
  if (!p || strncmp(p, "/iexec_out", 10) || (p[10] && p[10] != '/')) {
    st = decc_err_set(err, DECC_E_PARSE,
                      "result file: computed.json has no "
                      "deterministic-output-path under /iexec_out");
    goto done;
  }
  p += 10;
  while (*p == '/')
    p++;
  if (!(rel = decc_strdup(p))) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto done;
  }
  for (size_t n = strlen(rel); n && rel[n - 1] == '/'; n--)
    rel[n - 1] = 0;
  if (*rel && decc_zip_find(z, rel, &idx) == DECC_OK) {
    if ((st = decc_zip_read(z, idx, ZIP_ENTRY_MAX, &data, &dl, err)))
      goto done;
    if (!dl) {
      st = decc_err_set(err, DECC_E_INVALID,
                        "result file: the deterministic output is empty");
      goto done;
    }
    decc_sha256(out32, data, dl);
    goto done;
  }
  /* a directory: its direct file children, in byte order of their names */
  size_t rl = strlen(rel), n = 0, count = decc_zip_count(z), seen = 0;
  if (!(names = decc_calloc(count ? count : 1, sizeof *names))) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < count; i++) {
    const decc_zip_entry *e = decc_zip_entry_at(z, i);
    const char *nm = e->name;
    if (rl) {
      if (strncmp(nm, rel, rl) || nm[rl] != '/')
        continue;
      nm += rl + 1;
    }
    seen++;
    if (!*nm || strchr(nm, '/') || e->is_dir)
      continue; /* a sub-directory's content contributes nothing */
    names[n++] = e->name;
  }
  if (!seen) {
    st = decc_err_set(err, DECC_E_NOT_FOUND,
                      "result file: the deterministic output /iexec_out/%s is "
                      "not in the zip",
                      rel);
    goto done;
  }
  qsort(names, n, sizeof *names, name_cmp);
  decc_keccak256_ctx k;
  decc_keccak256_init(&k);
  for (size_t i = 0; i < n && !st; i++) {
    uint8_t h[32];
    if (decc_zip_find(z, names[i], &idx) ||
        (st = decc_zip_read(z, idx, ZIP_ENTRY_MAX, &data, &dl, err)))
      break;
    decc_sha256(h, data, dl);
    DECC_FREE(data);
    decc_keccak256_update(&k, h, 32);
  }
  if (!st)
    decc_keccak256_final(&k, out32);
done:
  json_decref(root);
  decc_free(names);
  decc_free(rel);
  decc_free(cj);
  decc_free(data);
  decc_zip_close(z);
  return st;
}
