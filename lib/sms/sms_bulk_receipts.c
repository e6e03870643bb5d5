/*
 * sms_bulk_receipts.c — receipts for bulk processing (docs/receipts.md):
 * a bulk deal names no dataset (PoCo 6.1: the datasets come from the
 * task's slice of bulk_cid, docs/internals/bulk.md), so the release hook of
 * single-dataset tasks never fires for them. Here every dataset whose key
 * a bulk session carries gets its own KEY_RELEASE receipt in its own log,
 * with its owner, checksum and the order's price, so each owner sees the
 * use of her data like any other.
 *
 * What differs from a single-dataset receipt: the grant is not named (the
 * dataset order was never matched on chain, and the SMS has no hub address
 * to hash it with), so no grant policy (expiry, purpose) applies — bulk
 * grants carry none (decc grant --bulk).
 */
#include <string.h>

#include "decc/mem.h"
#include "decc/u256.h"
#include "sms/sms_bulk_receipts.h"

decc_status decc__sms_bulk_receipts(
    decc_rcpt_store *rs, const decc_sms_chain_view *cv,
    const decc_sms_session_request *r, const decc_sms_deal *deal,
    const decc_sms_asset *app, uint64_t wall_now, uint64_t chain_now,
    const decc__sms_bulk_item *items, size_t n,
    void (*log)(void *ctx, const char *line), void *log_ctx, decc_err *err) {
  if (!rs)
    return DECC_OK; /* an SMS without a receipt store records nothing */
  uint64_t chain_id = 0;
  if (cv->deal_grant) {
    uint8_t price[32], orders[4][32];
    decc_err e2;
    decc_status st =
        cv->deal_grant(cv->ctx, r->deal_id, price, orders, &chain_id, &e2);
    if (st)
      return decc_err_set(err, st, "reading the bulk deal: %s", e2.msg);
  }
  for (size_t i = 0; i < n; i++) {
    if (!items[i].ok)
      continue;
    const decc_address *ds = &items[i].order.u.dataset.dataset;
    char dh[DECC_ADDRESS_HEX_LEN];
    decc_address owner;
    decc_sms_asset a;
    memset(&a, 0, sizeof a);
    decc_err e2;
    decc_status st = cv->owner_of(cv->ctx, ds, &owner, &e2);
    if (!st)
      st = cv->dataset(cv->ctx, ds, &a, &e2);
    if (st) {
      decc_sms_asset_clear(&a);
      return decc_err_set(err, st, "bulk dataset %s: %s",
                          decc_address_to_checksum(dh, ds), e2.msg);
    }
    uint8_t price[32];
    decc_u256_to_be(price, &items[i].order.u.dataset.datasetprice);
    decc_rcpt_release rel;
    memset(&rel, 0, sizeof rel);
    rel.wall_now = wall_now;
    rel.chain_now = chain_now;
    rel.chain_id = chain_id;
    rel.task_id = r->task_id;
    rel.deal_id = r->deal_id;
    rel.task_index = r->task_index;
    rel.dataset = ds;
    rel.dataset_owner = &owner;
    rel.app = &deal->app;
    rel.requester = &deal->requester;
    rel.beneficiary = &deal->beneficiary;
    rel.workerpool = &deal->workerpool;
    rel.worker = &r->worker;
    rel.enclave = &r->enclave_challenge;
    rel.app_checksum = app->checksum;
    rel.dataset_checksum = a.checksum;
    rel.price32 = price;
    rel.grant32 = NULL;
    decc_grant_policy none;
    memset(&none, 0, sizeof none);
    st = decc_rcpt_release_record(rs, &rel, &none, log, log_ctx, &e2);
    decc_sms_asset_clear(&a);
    if (st)
      return decc_err_set(err, st, "bulk dataset %s: %s",
                          decc_address_to_checksum(dh, ds), e2.msg);
  }
  return DECC_OK;
}
