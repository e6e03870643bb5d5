/*
 * verify.c — `decc chain verify`: rebuild the chain from its stored
 * genesis in a fresh in-memory ledger by re-executing every stored
 * transaction with its block's recorded timestamp, and check that each
 * transaction hash, each block hash (which covers every receipt and log)
 * and finally the state hash come out identical. Reads the source in one
 * snapshot so a concurrent writer does not disturb the check.
 */
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

static decc_status replay_block(decc_ledger *src, decc_ledger *dst,
                                uint64_t number, uint64_t ts,
                                const uint8_t want_hash[32], uint64_t *txs,
                                decc_err *err) {
  decc_status s = ldg_block_begin(dst, ts, err);
  if (s != DECC_OK)
    return s;
  if (dst->blk_number != number) {
    ldg_block_abort(dst);
    return decc_err_set(err, DECC_E_CORRUPT, "block %llu: numbering gap",
                        (unsigned long long)number);
  }
  sqlite3_stmt *st = ldg_stmt(src,
                              "SELECT hash, kind, sender, recipient, nonce, "
                              "input, raw FROM txs WHERE block=?1 ORDER BY idx",
                              err);
  if (!st) {
    ldg_block_abort(dst);
    return err ? err->code : DECC_E_IO;
  }
  sqlite3_bind_int64(st, 1, (sqlite3_int64)number);
  int rc = SQLITE_DONE;
  while (s == DECC_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    uint8_t hash[32], h2[32];
    decc_address from, to;
    ldg_col_h32(st, 0, hash);
    int kind = sqlite3_column_int(st, 1);
    ldg_col_addr(st, 2, &from);
    ldg_col_addr(st, 3, &to);
    uint64_t nonce = (uint64_t)sqlite3_column_int64(st, 4), cur;
    const uint8_t *data = sqlite3_column_blob(st, 5);
    size_t len = (size_t)sqlite3_column_bytes(st, 5);
    const uint8_t *raw = sqlite3_column_blob(st, 6);
    size_t raw_len = (size_t)sqlite3_column_bytes(st, 6);
    if ((s = ldg_nonce_get(dst, &from, &cur, err)) != DECC_OK)
      break;
    decc_receipt r;
    if (kind == LDG_TX_RAW) {
      /* The signature is checked again: the stored sender, recipient,
       * input and hash must be exactly what the raw bytes say. */
      ldg_rawtx t;
      decc_err e2;
      decc_err_clear(&e2);
      if (ldg_raw_decode(dst->chain_id, raw, raw_len, &t, &e2) != DECC_OK) {
        ldg_raw_clear(&t);
        s = decc_err_set(err, DECC_E_CORRUPT, "block %llu: stored tx: %s",
                         (unsigned long long)number, e2.msg);
        break;
      }
      int same = !memcmp(t.hash, hash, 32) &&
                 decc_address_eq(&t.from, &from) &&
                 decc_address_eq(&t.to, &to) && t.nonce == nonce &&
                 cur == nonce && t.tx.data_len == len &&
                 (len == 0 || !memcmp(t.tx.data, data, len));
      if (!same) {
        ldg_raw_clear(&t);
        s = decc_err_set(err, DECC_E_CORRUPT,
                         "block %llu: signed transaction does not match its "
                         "stored fields or nonce",
                         (unsigned long long)number);
        break;
      }
      s = ldg_tx_execute(dst, kind, hash, &from, &to, cur, t.tx.data,
                         t.tx.data_len, raw, raw_len, &r, err);
      ldg_raw_clear(&t);
    } else if (kind == LDG_TX_CALL) {
      ldg_call_hash(h2, dst->chain_id, &from, cur, &to, data, len);
      if (cur != nonce || memcmp(h2, hash, 32)) {
        s = decc_err_set(err, DECC_E_CORRUPT,
                         "block %llu: transaction hash/nonce mismatch",
                         (unsigned long long)number);
        break;
      }
      s = ldg_tx_execute(dst, kind, hash, &from, &to, cur, data, len, NULL, 0,
                         &r, err);
    } else {
      s = decc_err_set(err, DECC_E_CORRUPT, "block %llu: unknown tx kind %d",
                       (unsigned long long)number, kind);
      break;
    }
    decc_receipt_clear(&r);
    (*txs)++;
  }
  if (s == DECC_OK && rc != SQLITE_DONE)
    s = ldg_sql_error(src, err, "read txs");
  sqlite3_reset(st);
  uint8_t got[32];
  if (s == DECC_OK)
    s = ldg_block_commit(dst, got, err);
  else
    ldg_block_abort(dst);
  if (s == DECC_OK && memcmp(got, want_hash, 32))
    s = decc_err_set(err, DECC_E_CORRUPT,
                     "block %llu: replayed block hash differs (receipts, logs "
                     "or timestamps changed)",
                     (unsigned long long)number);
  return s;
}

decc_status decc_ledger_verify(decc_ledger *l,
                               decc_ledger_verify_report *report,
                               decc_err *err) {
  if (!l || !report)
    return decc_err_set(err, DECC_E_INVALID, "ledger: NULL argument");
  memset(report, 0, sizeof *report);
  report->first_bad_block = UINT64_MAX;
  if (l->in_block)
    return decc_err_set(err, DECC_E_STATE, "ledger: block open");
  decc_status s = ldg_exec(l, "BEGIN", err, "");
  if (s != DECC_OK)
    return s;
  uint8_t *gj = NULL;
  size_t gn = 0;
  decc_genesis g;
  memset(&g, 0, sizeof g);
  decc_ledger *m = NULL;
  if ((s = ldg_meta_get_blob(l, "genesis", &gj, &gn, err)) != DECC_OK)
    goto out;
  if ((s = decc_genesis_from_json(&g, (const char *)gj, gn, err)) != DECC_OK) {
    decc_err_prefix(err, "stored genesis");
    s = DECC_E_CORRUPT;
    goto out;
  }
  if ((s = decc_ledger_open_memory(&m, &g, err)) != DECC_OK)
    goto out;
  /* every block, genesis included */
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(l->db,
                         "SELECT number, hash, timestamp FROM blocks ORDER BY "
                         "number",
                         -1, &st, NULL) != SQLITE_OK) {
    s = ldg_sql_error(l, err, "read blocks");
    goto out;
  }
  int rc;
  uint64_t expect = 0;
  while (s == DECC_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    uint64_t number = (uint64_t)sqlite3_column_int64(st, 0);
    uint8_t hash[32];
    ldg_col_h32(st, 1, hash);
    uint64_t ts = (uint64_t)sqlite3_column_int64(st, 2);
    if (number != expect) {
      report->first_bad_block = expect;
      s = decc_err_set(err, DECC_E_CORRUPT, "block %llu is missing",
                       (unsigned long long)expect);
      break;
    }
    expect++;
    if (number == 0) {
      uint8_t h0[32];
      if ((s = ldg_head(m, NULL, h0, NULL, err)) != DECC_OK)
        break;
      if (memcmp(h0, hash, 32)) {
        report->first_bad_block = 0;
        s = decc_err_set(err, DECC_E_CORRUPT, "genesis block hash differs");
      }
      continue;
    }
    s = replay_block(l, m, number, ts, hash, &report->txs, err);
    if (s == DECC_E_CORRUPT)
      report->first_bad_block = number;
    else if (s == DECC_OK)
      report->blocks++;
  }
  if (s == DECC_OK && rc != SQLITE_DONE)
    s = ldg_sql_error(l, err, "read blocks");
  sqlite3_finalize(st);
  if (s != DECC_OK)
    goto out;
  if ((s = decc_ledger_state_hash(l, report->state_hash, err)) != DECC_OK ||
      (s = decc_ledger_state_hash(m, report->replay_hash, err)) != DECC_OK)
    goto out;
  if (memcmp(report->state_hash, report->replay_hash, 32))
    s = decc_err_set(err, DECC_E_CORRUPT,
                     "replayed state differs from the stored state");
out:
  ldg_exec(l, "COMMIT", NULL, "");
  decc_ledger_close(m);
  decc_genesis_clear(&g);
  decc_free(gj);
  return s;
}
