/*
 * rcpt_chain.c — receipts against the chain (decc/receipts.h): the order
 * hashes of a deal (the hub's OrdersMatched event), the cross-check of a
 * log against deals and tasks, and the RESULT receipts the store appends
 * once a task it served is completed.
 *
 * Every read goes through decc/hub.h and decc_chain, so the same code
 * checks a log against the embedded ledger or a remote EVM chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "decc/receipts.h"
#include "decc/vault.h"
#include "receipts/rcpt_int.h"

/* Logs asked per window when scanning for a deal's OrdersMatched event. */
#define SCAN_WINDOW 50000u

decc_status decc_rcpt_deal_orders(decc_chain *chain, const uint8_t dealid32[32],
                                  uint8_t hashes[4][32], decc_err *err) {
  DECC_ARG_CHECK(chain != NULL);
  DECC_ARG_CHECK(dealid32 != NULL);
  DECC_ARG_CHECK(hashes != NULL);
  decc_chain_addresses ad;
  uint8_t topic[32];
  uint64_t head = 0;
  decc_status st;
  if ((st = decc_chain_get_addresses(chain, &ad, err)) ||
      (st = decc_chain_block_number(chain, &head, err)))
    return st;
  if ((st = decc_poco_event_topic(topic, DECC_EV_ORDERS_MATCHED)))
    return decc_err_set(err, st, "OrdersMatched topic");
  /* Newest windows first: receipts are mostly about recent deals. */
  uint64_t hi = head;
  for (;;) {
    uint64_t lo = hi >= SCAN_WINDOW ? hi - SCAN_WINDOW + 1 : 0;
    decc_log_filter f;
    decc_log_filter_init(&f);
    f.from_block = lo;
    f.to_block = hi;
    f.addresses = &ad.hub;
    f.n_addresses = 1;
    /* The filter takes const rows; C17 has no implicit conversion from
       uint8_t (*)[32] to const uint8_t (*)[32] (C2X adds it). */
    const uint8_t(*alts)[32] = (const uint8_t(*)[32]) & topic;
    f.topic_alts[0] = alts;
    f.n_topic_alts[0] = 1;
    f.limit = 100000;
    decc_log *logs = NULL;
    size_t n = 0;
    if ((st = decc_chain_get_logs(chain, &f, &logs, &n, err)))
      return st;
    int found = 0;
    for (size_t i = n; i-- > 0 && !found;) {
      if (logs[i].data_len >= 6 * 32 && !memcmp(logs[i].data, dealid32, 32)) {
        for (int k = 0; k < 4; k++)
          memcpy(hashes[k], logs[i].data + 32 * (k + 1), 32);
        found = 1;
      }
    }
    decc_logs_free(logs, n);
    if (found)
      return DECC_OK;
    if (lo == 0)
      break;
    hi = lo - 1;
  }
  char h[DECC_HEX32_LEN];
  return decc_err_set(err, DECC_E_NOT_FOUND,
                      "no OrdersMatched event for deal %s on this chain",
                      decc_hex_encode(h, dealid32, 32, 1));
}

static void task_id_of(uint8_t out[32], const uint8_t deal[32], uint64_t idx) {
  uint8_t b[64];
  memcpy(b, deal, 32);
  memset(b + 32, 0, 24);
  decc__rcpt_put64(b + 56, idx);
  decc_keccak256(out, b, 64);
}

static int zero32(const uint8_t p[32]) {
  uint8_t acc = 0;
  for (int i = 0; i < 32; i++)
    acc |= p[i];
  return acc == 0;
}

decc_status decc_rcpt_verify_chain(decc_rcpt_report *rep,
                                   const decc_rcpt_list *l, decc_chain *chain,
                                   decc_err *err) {
  DECC_ARG_CHECK(rep != NULL);
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(chain != NULL);
  uint64_t chain_id = 0;
  decc_status st = decc_chain_id(chain, &chain_id, err);
  if (st)
    return st;
#define ISSUE(...)                                                             \
  do {                                                                         \
    if (decc__rcpt_issue(rep, __VA_ARGS__))                                    \
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");                 \
  } while (0)
  uint8_t orders[4][32], orders_deal[32];
  decc_status orders_st = DECC_OK;
  decc_err oerr;
  int have_orders = 0;
  decc_err_clear(&oerr);
  for (size_t i = 0; i < l->n; i++) {
    const decc_rcpt *r = &l->items[i];
    unsigned long long seq = (unsigned long long)r->seq;
    char h[DECC_HEX32_LEN];
    if (r->chain_id != chain_id) {
      ISSUE(r->seq, "CHAIN_ID",
            "receipt %llu is for chain %llu, this chain is %llu", seq,
            (unsigned long long)r->chain_id, (unsigned long long)chain_id);
      continue;
    }
    decc_poco_deal d;
    decc_err e2;
    st = decc_hub_view_deal(chain, r->deal_id, &d, &e2);
    if (st == DECC_E_NOT_FOUND) {
      ISSUE(r->seq, "NO_DEAL",
            "receipt %llu: deal %s does not exist on chain (a key release "
            "without a deal)",
            seq, decc_hex_encode(h, r->deal_id, 32, 1));
      continue;
    }
    if (st)
      return decc_err_set(err, st, "%s", e2.msg);
    uint8_t price[32];
    decc_u256_to_be(price, &d.dataset.price);
    /* A bulk deal (PoCo 6.1) names no dataset: its datasets come from the
     * task's slice of bulk_cid, and their receipts name no grant (the
     * order was never matched on chain; sms_bulk_receipts.c). */
    int bulk = decc_address_is_zero(&d.dataset.pointer) && d.params &&
               strstr(d.params, "\"bulk_cid\"") && zero32(r->grant);
    const char *bad =
        !bulk && !decc_address_eq(&d.dataset.pointer, &r->dataset) ? "dataset"
        : !decc_address_eq(&d.app.pointer, &r->app)                ? "app"
        : !decc_address_eq(&d.requester, &r->requester)            ? "requester"
        : !decc_address_eq(&d.beneficiary, &r->beneficiary) ? "beneficiary"
        : !decc_address_eq(&d.workerpool.pointer, &r->workerpool) ? "workerpool"
        : memcmp(price, r->price, 32) ? "dataset price"
                                      : NULL;
    uint64_t first = 0, size = 0;
    decc_u256_to_u64(&first, &d.bot_first);
    decc_u256_to_u64(&size, &d.bot_size);
    decc_poco_deal_clear(&d);
    if (bad) {
      ISSUE(r->seq, "DEAL_MISMATCH",
            "receipt %llu: the deal's %s differs from the receipt's", seq, bad);
      continue;
    }
    uint8_t tid[32];
    task_id_of(tid, r->deal_id, r->task_index);
    if (r->task_index < first || r->task_index >= first + size ||
        memcmp(tid, r->task_id, 32)) {
      ISSUE(r->seq, "TASK_MISMATCH",
            "receipt %llu: task %s is not task %llu of the deal", seq,
            decc_hex_encode(h, r->task_id, 32, 1),
            (unsigned long long)r->task_index);
      continue;
    }
    /* receipts of one deal come together: scan the logs once per deal */
    if (bulk) {
      /* nothing on chain names the slice's orders: no grant to check */
    } else if (!have_orders || memcmp(orders_deal, r->deal_id, 32)) {
      orders_st = decc_rcpt_deal_orders(chain, r->deal_id, orders, &oerr);
      memcpy(orders_deal, r->deal_id, 32);
      have_orders = 1;
    }
    st = bulk ? DECC_OK : orders_st;
    if (!bulk &&
        (st == DECC_E_NOT_FOUND || (!st && memcmp(orders[1], r->grant, 32)))) {
      ISSUE(r->seq, "NO_GRANT",
            "receipt %llu: the deal was not made with the grant (dataset "
            "order) the receipt names",
            seq);
      continue;
    }
    if (st)
      return decc_err_set(err, st, "%s", oerr.msg);
    uint8_t ck[32];
    uint8_t *ma = NULL;
    size_t ml = 0;
    st = decc_hub_asset_read(chain, DECC_HUB_APP, &r->app, ck, &ma, &ml, &e2);
    decc_free(ma);
    if (st || memcmp(ck, r->app_checksum, 32)) {
      ISSUE(r->seq, "APP_MISMATCH",
            "receipt %llu: the app's on-chain checksum is not the "
            "measurement the receipt records",
            seq);
      continue;
    }
    if (r->kind == DECC_RCPT_RESULT) {
      decc_poco_task t;
      if ((st = decc_hub_view_task(chain, r->task_id, &t, &e2)))
        return decc_err_set(err, st, "%s", e2.msg);
      int ok = t.status == DECC_TASK_COMPLETED &&
               !memcmp(t.result_digest, r->result_digest, 32);
      decc_poco_task_clear(&t);
      decc_poco_contribution c;
      if (ok &&
          !decc_hub_view_contribution(chain, r->task_id, &r->worker, &c, &e2))
        ok = !memcmp(c.result_hash, r->result_hash, 32) &&
             !memcmp(c.result_seal, r->result_seal, 32) &&
             decc_address_eq(&c.enclave_challenge, &r->enclave);
      else
        ok = 0;
      if (!ok) {
        ISSUE(r->seq, "RESULT_MISMATCH",
              "receipt %llu: the task is not completed on chain with this "
              "result digest, contribution and enclave",
              seq);
        continue;
      }
    }
    rep->chain_checked++;
  }
  return DECC_OK;
#undef ISSUE
}

decc_status decc_rcpt_verify_coverage(decc_rcpt_report *rep,
                                      const decc_rcpt_list *l,
                                      const decc_address *dataset,
                                      decc_chain *chain, decc_err *err) {
  DECC_ARG_CHECK(rep != NULL);
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  DECC_ARG_CHECK(chain != NULL);
  decc_chain_addresses ad;
  uint8_t topic[32];
  decc_status st;
  if ((st = decc_chain_get_addresses(chain, &ad, err)))
    return st;
  if ((st = decc_poco_event_topic(topic, DECC_EV_ORDERS_MATCHED)))
    return decc_err_set(err, st, "OrdersMatched topic");
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &ad.hub;
  f.n_addresses = 1;
  /* const rows for the filter (see decc_rcpt_deal_orders). */
  const uint8_t(*alts)[32] = (const uint8_t(*)[32]) & topic;
  f.topic_alts[0] = alts;
  f.n_topic_alts[0] = 1;
  f.limit = 10000;
  decc_log *logs = NULL;
  size_t n = 0;
  if ((st = decc_chain_get_logs(chain, &f, &logs, &n, err)))
    return st;
  for (size_t i = 0; i < n && !st; i++) {
    if (logs[i].data_len < 6 * 32)
      continue;
    const uint8_t *deal = logs[i].data;
    decc_poco_deal d;
    decc_err e2;
    if (decc_hub_view_deal(chain, deal, &d, &e2)) {
      decc_poco_deal_clear(&d);
      continue;
    }
    int ours = decc_address_eq(&d.dataset.pointer, dataset);
    uint64_t first = 0, size = 0;
    decc_u256_to_u64(&first, &d.bot_first);
    decc_u256_to_u64(&size, &d.bot_size);
    decc_poco_deal_clear(&d);
    if (!ours)
      continue;
    for (uint64_t k = first; k < first + size && k < first + 10000 && !st;
         k++) {
      uint8_t tid[32];
      task_id_of(tid, deal, k);
      decc_poco_task t;
      if (decc_hub_view_task(chain, tid, &t, &e2))
        continue;
      int done = t.status == DECC_TASK_COMPLETED;
      decc_poco_task_clear(&t);
      if (!done)
        continue;
      int found = 0;
      for (size_t j = 0; j < l->n && !found; j++)
        found = l->items[j].kind == DECC_RCPT_KEY_RELEASE &&
                !memcmp(l->items[j].task_id, tid, 32);
      if (!found) {
        char h[DECC_HEX32_LEN];
        if (decc__rcpt_issue(rep, UINT64_MAX, "MISSING_RECEIPT",
                             "task %s of a deal of this dataset is COMPLETED "
                             "on chain but the log has no key release for it "
                             "(receipts removed, or a task served by another "
                             "SMS holding the key)",
                             decc_hex_encode(h, tid, 32, 1)))
          st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      }
    }
  }
  decc_logs_free(logs, n);
  return st;
}

/* ---- RESULT receipts -------------------------------------------------------------- */

/* The enclave's signature of its result: the enclave signs with the task's
 * enclave challenge key, which this SMS generated and keeps sealed in its
 * vault (kind ENCLAVE, owner = the key's address, name = the task id in
 * 0x hex, value = key ‖ u64be(expiry): sms.c's record). secp256k1 signing
 * is deterministic (RFC 6979), so signing H(resultHash ‖ resultSeal) again
 * yields the enclave's very signature; anyone checks it recovers to the
 * contribution's enclaveChallenge. Zero when the key is gone. */
static void enclave_signature(decc_vault *v, const uint8_t task[32],
                              const decc_address *enclave, const uint8_t rh[32],
                              const uint8_t rs[32], uint8_t sig[65]) {
  memset(sig, 0, 65);
  char th[DECC_HEX32_LEN];
  decc_hex_encode(th, task, 32, 1);
  decc_address who;
  if (!v || decc_vault_find_owner(v, DECC_SECRET_ENCLAVE, th, &who, NULL) ||
      !decc_address_eq(&who, enclave))
    return;
  uint8_t *rec = decc_secure_alloc(64);
  size_t n = 0;
  if (!rec)
    return;
  if (!decc_vault_get_into(v, DECC_SECRET_ENCLAVE, &who, th, rec, 64, &n,
                           NULL) &&
      n == 40) {
    uint8_t msg[32];
    decc_poco_enclave_message(msg, rh, rs);
    if (decc_eip191_sign(sig, rec, msg, 32))
      memset(sig, 0, 65);
  }
  decc_secure_free(rec);
}

static int cmp32(const void *a, const void *b) { return memcmp(a, b, 32); }

decc_status decc_rcpt_sync_results(decc_rcpt_store *s, decc_chain *chain,
                                   const decc_address *dataset, size_t *added,
                                   decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(chain != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  if (added)
    *added = 0;
  char *path = NULL;
  if (decc_rcpt_log_path(&path, decc_rcpt_store_dir(s), dataset))
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_rcpt_list l;
  decc_status st = decc_rcpt_log_read(&l, path, 0, err);
  decc_free(path);
  if (st)
    return st;
  uint64_t now = 0;
  uint8_t(*seen)[32] = NULL;
  if ((st = decc_chain_block_timestamp(chain, &now, err)))
    goto out;
  /* Tasks already handled: those with a RESULT receipt, plus each task's
   * first release (a second release of a task adds no second result). */
  seen = l.n ? decc_malloc(l.n * 32) : NULL;
  size_t n_seen = 0;
  if (l.n && !seen) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < l.n; i++)
    if (l.items[i].kind == DECC_RCPT_RESULT)
      memcpy(seen[n_seen++], l.items[i].task_id, 32);
  if (n_seen) /* an empty log has no array: qsort(NULL, …) is undefined */
    qsort(seen, n_seen, 32, cmp32);
  size_t n_done = n_seen;
  for (size_t i = 0; i < l.n; i++) {
    const decc_rcpt *r = &l.items[i];
    if (r->kind != DECC_RCPT_KEY_RELEASE)
      continue;
    if (bsearch(r->task_id, seen, n_done, 32, cmp32))
      continue;
    int dup = 0;
    for (size_t k = n_done; k < n_seen && !dup; k++)
      dup = !memcmp(seen[k], r->task_id, 32);
    if (dup)
      continue;
    memcpy(seen[n_seen++], r->task_id, 32);
    decc_poco_task t;
    decc_err e2;
    if ((st = decc_hub_view_task(chain, r->task_id, &t, &e2))) {
      st = decc_err_set(err, st, "%s", e2.msg);
      goto out;
    }
    if (t.status != DECC_TASK_COMPLETED) {
      decc_poco_task_clear(&t);
      continue;
    }
    /* The contribution that won: the task's contributor with an enclave
     * (TEE tasks have one contribution, by the worker that finalized). */
    decc_rcpt res = *r;
    res.kind = DECC_RCPT_RESULT;
    res.time = 0;
    memcpy(res.result_digest, t.result_digest, 32);
    int have = 0;
    for (size_t k = 0; k < t.n_contributions && !have; k++) {
      decc_poco_contribution c;
      if (decc_hub_view_contribution(chain, r->task_id,
                                     &t.contributions[k].worker, &c, &e2))
        continue;
      if (decc_address_is_zero(&c.enclave_challenge))
        continue;
      res.worker = c.worker;
      res.enclave = c.enclave_challenge;
      memcpy(res.result_hash, c.result_hash, 32);
      memcpy(res.result_seal, c.result_seal, 32);
      have = 1;
    }
    decc_poco_task_clear(&t);
    if (!have)
      continue;
    enclave_signature(decc__rcpt_store_vault(s), r->task_id, &res.enclave,
                      res.result_hash, res.result_seal, res.enclave_sig);
    res.time = (uint64_t)time(NULL);
    res.chain_time = now;
    if ((st = decc_rcpt_store_append(s, &res, NULL, NULL, err)))
      goto out;
    if (added)
      (*added)++;
  }
out:
  decc_free(seen);
  decc_rcpt_list_clear(&l);
  return st;
}
