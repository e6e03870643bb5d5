/*
 * sms_bulk_receipts.h — per-use receipts for the datasets of a bulk task
 * (sms_bulk_receipts.c), called by decc_sms_release_session.
 */
#ifndef DECC_SMS_BULK_RECEIPTS_H
#define DECC_SMS_BULK_RECEIPTS_H

#include "decc/receipts.h"
#include "decc/sms.h"
#include "sms/sms_int.h"

/* Appends one KEY_RELEASE receipt to the log of each dataset of the slice
 * whose key the session carries (items[i].ok), before the sealed session
 * leaves: no receipt, no key. r, deal and app are the session's; wall_now
 * and chain_now the SMS's clocks; log (may be NULL) gets the store's
 * notices. Returns: DECC_OK; the store's errors (err names the dataset):
 * the caller then refuses the session. */
decc_status decc__sms_bulk_receipts(
    decc_rcpt_store *rs, const decc_sms_chain_view *cv,
    const decc_sms_session_request *r, const decc_sms_deal *deal,
    const decc_sms_asset *app, uint64_t wall_now, uint64_t chain_now,
    const decc__sms_bulk_item *items, size_t n,
    void (*log)(void *ctx, const char *line), void *log_ctx, decc_err *err);

#endif
