/*
 * sms_int.h — helpers shared by the SMS files (sms.c, sms_http.c,
 * sms_client.c); not part of the public API.
 */
#ifndef DECC_SMS_INT_H
#define DECC_SMS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "decc/common.h"

/* Writes the lowercase 0x-hex of 32 bytes into out[67]. */
char *decc__sms_hex32(char out[67], const uint8_t b[32]);

/* ---- bulk processing (sms_bulk.c) ---- */

#include "decc/order.h"
#include "decc/sms.h"

/* Most dataset orders in one bulk slice (the iexec SDK's
 * MAX_DATASET_PER_TASK). */
#define DECC_SMS_BULK_SLICE_MAX 100

/* One dataset order of a bulk slice and the SMS's verdict on it. */
typedef struct decc__sms_bulk_item {
  decc_order order; /* DECC_ORDER_DATASET */
  int ok;           /* 1: compatible with the deal: its key may go out */
  char reason[200]; /* why not (addresses and PoCo reasons, no secret) */
} decc__sms_bulk_item;

/* Reads slice slice_index of the bulk root bulk_cid from bs (else the Kubo
 * RPC at api_url) and parses its dataset orders (ok = 0 until checked).
 * Out: *items (decc__sms_bulk_free), *n ≥ 1. Returns: DECC_OK;
 * DECC_E_PARSE / DECC_E_INVALID / DECC_E_LIMIT (malformed or oversized
 * root or slice, no such slice: err says which); the store's errors. */
decc_status decc__sms_bulk_load(struct decc_blockstore *bs,
                                const char *api_url, const char *bulk_cid,
                                uint64_t slice_index,
                                decc__sms_bulk_item **items, size_t *n,
                                decc_err *err);
void decc__sms_bulk_free(decc__sms_bulk_item *items, size_t n);
/* Judges one item against the deal (iexec-sms's order: the dataset is
 * registered, assertDatasetDealCompatibility, volume ≥ 2^53 - 2): sets
 * it->ok, or it->reason. */
void decc__sms_bulk_check(const decc_sms_chain_view *cv,
                          decc__sms_bulk_item *it, const uint8_t deal[32]);

#endif
