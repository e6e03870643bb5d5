/*
 * ledger_test_util.h — helpers shared by the ledger tests: dev accounts,
 * an in-memory ledger, calldata building with decc's ABI encoder,
 * one-call submission and view decoding.
 */
#ifndef LEDGER_TEST_UTIL_H
#define LEDGER_TEST_UTIL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/abi.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "test.h"

/* A fresh in-memory ledger on the default genesis at a fixed time (so
 * block hashes repeat from run to run); NULL on failure. */
static inline decc_ledger *mem_ledger(void) {
  decc_genesis g;
  decc_ledger *l = NULL;
  if (decc_genesis_default(&g) != DECC_OK)
    return NULL;
  g.timestamp = 1700000000;
  if (decc_ledger_open_memory(&l, &g, NULL) != DECC_OK)
    l = NULL;
  decc_genesis_clear(&g);
  return l;
}

static inline decc_address dev_addr(unsigned i) {
  uint8_t sk[32];
  decc_address a;
  memset(&a, 0, sizeof a);
  if (decc_ledger_dev_key(sk, i) == DECC_OK &&
      decc_address_from_privkey(&a, sk) == DECC_OK) {
  }
  decc_memzero(sk, sizeof sk);
  return a;
}

static inline decc_address addr_of(const char *hex) {
  decc_address a;
  memset(&a, 0, sizeof a);
  if (decc_address_parse(&a, hex, NULL) != DECC_OK)
    memset(&a, 0xEE, sizeof a);
  return a;
}

/* Runs one call as `from`; returns the receipt status (1/0) or -1 when the
 * submission itself failed. The receipt is cleared unless r is given. */
static inline int ldg_t_call(decc_ledger *l, const decc_address *from,
                             const decc_address *to, const decc_buf *data,
                             decc_receipt *r) {
  decc_ledger_call c = {*from, *to, data->data, data->len};
  decc_receipt tmp;
  decc_receipt *out = r ? r : &tmp;
  decc_err err;
  if (decc_ledger_submit_calls(l, &c, 1, out, &err) != DECC_OK) {
    fprintf(stderr, "submit failed: %s\n", err.msg);
    return -1;
  }
  int st = out->status;
  if (!r)
    decc_receipt_clear(&tmp);
  return st;
}

/* Calldata for sig with the arguments pushed by the caller into e. */
static inline decc_buf finish_call(decc_abi_enc *e, const char *sig) {
  uint8_t sel[4];
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_abi_selector(sel, sig);
  if (decc_abi_enc_finish_call(e, sel, &b) != DECC_OK)
    decc_buf_clear(&b);
  decc_abi_enc_clear(e);
  return b;
}

/* A view returning one 32-byte word (uint/address/bool). Returns the word
 * in out32; 0 on success, -1 on failure/revert. */
static inline int view_word(decc_ledger *l, const decc_address *to,
                            const decc_buf *data, uint8_t out32[32]) {
  decc_buf out;
  decc_buf_init(&out, 0);
  int rc = -1;
  if (decc_ledger_view(l, NULL, to, data->data, data->len, &out, NULL) ==
          DECC_OK &&
      out.len >= 32) {
    memcpy(out32, out.data, 32);
    rc = 0;
  }
  decc_buf_clear(&out);
  return rc;
}

static inline uint64_t word_u64(const uint8_t w[32]) {
  uint64_t v = 0;
  for (int i = 24; i < 32; i++)
    v = v << 8 | w[i];
  return v;
}

/* Pushes an order the way matchOrders / manage*Order take it: the order
 * tuple followed by its signature bytes, as one tuple. */
static inline decc_status ldg_t_push_order(decc_abi_enc *e,
                                           const decc_order *o) {
  return decc_order_abi_push(e, o);
}

#define LDG_T_APPO                                                             \
  "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)"
#define LDG_T_WPO                                                              \
  "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,"  \
  "bytes32,bytes)"
#define LDG_T_RQO                                                              \
  "(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,"  \
  "uint256,uint256,address,address,string,bytes32,bytes)"
#define LDG_T_MATCH_SIG                                                        \
  "matchOrders(" LDG_T_APPO "," LDG_T_APPO "," LDG_T_WPO "," LDG_T_RQO ")"

/* matchOrders calldata for four orders (empty buffer on failure). */
static inline decc_buf ldg_t_match_call(const decc_order *a,
                                        const decc_order *d,
                                        const decc_order *w,
                                        const decc_order *r) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  if (ldg_t_push_order(&e, a) != DECC_OK ||
      ldg_t_push_order(&e, d) != DECC_OK ||
      ldg_t_push_order(&e, w) != DECC_OK ||
      ldg_t_push_order(&e, r) != DECC_OK) {
    decc_abi_enc_clear(&e);
    decc_buf b;
    decc_buf_init(&b, 0);
    return b;
  }
  return finish_call(&e, LDG_T_MATCH_SIG);
}

/* The first column of the first row of sql as an integer; -1 when sql
 * fails or returns no row. */
static inline int64_t ldg_t_q_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* The logs of an older file's one-row-per-log table, read with SQLite:
 * sql selects block, log_index, tx_index, tx hash, address, n_topics,
 * topic0-3 and data, in chain order. Returns a calloc'd array of up to
 * 4,096 logs (free each data with decc_free, then the array), NULL on an
 * SQL error. */
static inline decc_log *ldg_t_row_logs(sqlite3 *db, const char *sql,
                                       size_t *n) {
  sqlite3_stmt *st = NULL;
  *n = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return NULL;
  decc_log *v = (decc_log *)calloc(4096, sizeof *v);
  while (v && *n < 4096 && sqlite3_step(st) == SQLITE_ROW) {
    decc_log *lg = &v[(*n)++];
    lg->block_number = (uint64_t)sqlite3_column_int64(st, 0);
    lg->log_index = (uint32_t)sqlite3_column_int64(st, 1);
    lg->tx_index = (uint32_t)sqlite3_column_int64(st, 2);
    memcpy(lg->tx_hash, sqlite3_column_blob(st, 3), 32);
    memcpy(lg->address.b, sqlite3_column_blob(st, 4), 20);
    lg->n_topics = (size_t)sqlite3_column_int64(st, 5);
    for (size_t t = 0; t < lg->n_topics && t < 4; t++)
      memcpy(lg->topics[t], sqlite3_column_blob(st, 6 + (int)t), 32);
    lg->data_len = (size_t)sqlite3_column_bytes(st, 10);
    if (lg->data_len) {
      lg->data = (uint8_t *)decc_malloc(lg->data_len);
      memcpy(lg->data, sqlite3_column_blob(st, 10), lg->data_len);
    }
  }
  sqlite3_finalize(st);
  return v;
}

/* The offer side of a deal, not signed: an app order for app at appprice,
 * an empty dataset order (no dataset) and a workerpool order for wp at
 * wpprice, both of the given volume. Returns 0, or -1 when an order
 * cannot be initialised. */
static inline int ldg_t_offer_orders(decc_order *ao, decc_order *dso,
                                     decc_order *wo, const decc_address *app,
                                     uint64_t appprice, const decc_address *wp,
                                     uint64_t wpprice, uint64_t volume) {
  if (decc_order_init(ao, DECC_ORDER_APP) != DECC_OK ||
      decc_order_init(dso, DECC_ORDER_DATASET) != DECC_OK ||
      decc_order_init(wo, DECC_ORDER_WORKERPOOL) != DECC_OK)
    return -1;
  ao->u.app.app = *app;
  ao->u.app.appprice = decc_u256_from_u64(appprice);
  ao->u.app.volume = decc_u256_from_u64(volume);
  wo->u.workerpool.workerpool = *wp;
  wo->u.workerpool.workerpoolprice = decc_u256_from_u64(wpprice);
  wo->u.workerpool.volume = decc_u256_from_u64(volume);
  return 0;
}

/* Registers, as `owner` (an impersonated call to the app registry), an
 * app owned by it (DOCKER image "img", checksum 0x01 bytes); *app its
 * address. Returns 0, or -1 when the call failed or reverted. */
static inline int ldg_t_create_app(decc_ledger *l, const decc_ledger_info *info,
                                   const decc_address *owner,
                                   decc_address *app) {
  decc_abi_enc e;
  uint8_t sum[32];
  memset(sum, 1, 32);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, owner);
  decc_abi_enc_push_string(&e, "app");
  decc_abi_enc_push_string(&e, "DOCKER");
  decc_abi_enc_push_bytes(&e, "img", 3);
  decc_abi_enc_push_bytes32(&e, sum);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_buf d =
      finish_call(&e, "createApp(address,string,string,bytes,bytes32,bytes)");
  decc_receipt r;
  int st = ldg_t_call(l, owner, &info->addr.app_registry, &d, &r);
  decc_buf_clear(&d);
  if (st != 1)
    return -1;
  memcpy(app->b, r.output + 12, 20);
  decc_receipt_clear(&r);
  return 0;
}

/* The same for a workerpool ("pool") owned by `owner`. */
static inline int ldg_t_create_workerpool(decc_ledger *l,
                                          const decc_ledger_info *info,
                                          const decc_address *owner,
                                          decc_address *wp) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, owner);
  decc_abi_enc_push_string(&e, "pool");
  decc_buf d = finish_call(&e, "createWorkerpool(address,string)");
  decc_receipt r;
  int st = ldg_t_call(l, owner, &info->addr.workerpool_registry, &d, &r);
  decc_buf_clear(&d);
  if (st != 1)
    return -1;
  memcpy(wp->b, r.output + 12, 20);
  decc_receipt_clear(&r);
  return 0;
}

/* An RLC transfer of `amount` to `to` as an impersonated call from
 * `from`; its calldata goes to *d (the caller clears it after the
 * submit). */
static inline decc_ledger_call
ldg_t_transfer_call(const decc_ledger_info *info, const decc_address *from,
                    const decc_address *to, uint64_t amount, decc_buf *d) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, to);
  decc_abi_enc_push_u64(&e, amount);
  *d = finish_call(&e, "transfer(address,uint256)");
  return (decc_ledger_call){*from, info->addr.token, d->data, d->len};
}

/* One block of n RLC transfers (impersonated calls) from dev account 0
 * to new addresses: `fill` bytes with the block index at byte 0 and the
 * transfer's index at byte 8; amounts 1..n. New balance rows, txs and
 * logs: a few dirty pages per 20 transfers. Returns 0, or -1 when the
 * block failed or a transfer reverted. */
static inline int ldg_t_transfer_block(decc_ledger *l, uint8_t fill,
                                       unsigned blk, unsigned n) {
  decc_ledger_info info;
  if (decc_ledger_get_info(l, &info, NULL) != DECC_OK)
    return -1;
  decc_address a0 = dev_addr(0);
  decc_buf *d = calloc(n ? n : 1, sizeof *d);
  decc_ledger_call *calls = calloc(n ? n : 1, sizeof *calls);
  decc_receipt *r = calloc(n ? n : 1, sizeof *r);
  int rc = d && calls && r ? 0 : -1;
  for (unsigned i = 0; rc == 0 && i < n; i++) {
    decc_address to;
    memset(to.b, fill, 20);
    memcpy(to.b, &blk, sizeof blk);
    memcpy(to.b + 8, &i, sizeof i);
    calls[i] = ldg_t_transfer_call(&info, &a0, &to, 1 + i, &d[i]);
  }
  decc_err err;
  if (rc == 0 && decc_ledger_submit_calls(l, calls, n, r, &err) != DECC_OK) {
    fprintf(stderr, "transfer block failed: %s\n", err.msg);
    rc = -1;
  } else if (rc == 0) {
    for (unsigned i = 0; i < n; i++) {
      if (r[i].status != 1)
        rc = -1;
      decc_receipt_clear(&r[i]);
    }
  }
  for (unsigned i = 0; d && i < n; i++)
    decc_buf_clear(&d[i]);
  free(d);
  free(calls);
  free(r);
  return rc;
}

#endif
