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

/* One stored transaction of a block, copied out of the statement. */
typedef struct vrow {
  uint8_t hash[32];
  int kind;
  decc_address from, to;
  uint64_t nonce;
  uint8_t *data, *raw;
  size_t len, raw_len;
  size_t k; /* LDG_TX_RAW: index among the block's signed txs */
} vrow;

static void vrows_free(vrow *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    decc_free(v[i].data);
    decc_free(v[i].raw);
  }
  decc_free(v);
}

static uint8_t *blob_copy(sqlite3_stmt *st, int col, size_t *len, int *oom) {
  *len = (size_t)sqlite3_column_bytes(st, col);
  const void *p = sqlite3_column_blob(st, col);
  uint8_t *c = decc_malloc(*len ? *len : 1);
  if (!c)
    *oom = 1;
  else if (*len)
    memcpy(c, p, *len);
  return c;
}

/* Hands block `number`'s signed transactions to dst's decoding threads
 * ahead (decc_ledger_prepare_raw), so that they are recovered while the
 * block before them replays. Best effort: when anything fails here they
 * are decoded at their turn, with the same results. */
static void prepare_next(decc_ledger *src, decc_ledger *dst, uint64_t number) {
  sqlite3_stmt *st = ldg_stmt(
      src, "SELECT raw FROM txs WHERE block=?1 AND kind=?2 ORDER BY idx", NULL);
  if (!st)
    return;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)number);
  sqlite3_bind_int(st, 2, LDG_TX_RAW);
  decc_buf all;
  decc_buf_init(&all, 0);
  size_t *ends = NULL, n = 0, cap = 0;
  int ok = 1;
  while (ok && sqlite3_step(st) == SQLITE_ROW) {
    if (n == cap) {
      size_t nc = cap ? 2 * cap : 64;
      size_t *ne = decc_realloc(ends, nc * sizeof *ne);
      if (!ne)
        break;
      ends = ne;
      cap = nc;
    }
    const void *p = sqlite3_column_blob(st, 0);
    size_t len = (size_t)sqlite3_column_bytes(st, 0);
    ok = !len || decc_buf_append(&all, p, len) == DECC_OK;
    ends[n++] = all.len;
  }
  sqlite3_reset(st);
  const uint8_t **rp = ok && n ? decc_calloc(n, sizeof *rp) : NULL;
  size_t *rl = rp ? decc_calloc(n, sizeof *rl) : NULL;
  if (rl) {
    for (size_t i = 0; i < n; i++) {
      size_t start = i ? ends[i - 1] : 0;
      rp[i] = all.data + start;
      rl[i] = ends[i] - start;
    }
    if (decc_ledger_prepare_raw(dst, rp, rl, n, NULL) != DECC_OK) {
      /* out of memory: decoded at its turn instead */
    }
  }
  decc_free(rp);
  decc_free(rl);
  decc_free(ends);
  decc_buf_clear(&all);
}

/* The block's transactions are read first, their signatures (the costly
 * part of a replay) are checked on every core (a decode.c job, each slot
 * waited for when the replay reaches it; the next block's are handed over
 * first, to be recovered while this one replays), and they are replayed
 * in order, each decode result judged where the serial loop judged it:
 * the same first failure, the same messages, the same replayed state. */
static decc_status replay_block(decc_ledger *src, decc_ledger *dst,
                                uint64_t number, uint64_t ts,
                                const uint8_t want_hash[32], uint64_t *txs,
                                decc_err *err) {
  sqlite3_stmt *st = ldg_stmt(src,
                              "SELECT hash, kind, sender, recipient, nonce, "
                              "input, raw FROM txs WHERE block=?1 ORDER BY idx",
                              err);
  if (!st)
    return err ? err->code : DECC_E_IO;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)number);
  vrow *rows = NULL;
  size_t n = 0, cap = 0, n_raw = 0;
  int rc, oom = 0;
  decc_status s = DECC_OK;
  while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == cap) {
      size_t nc = cap ? 2 * cap : 64;
      vrow *nr = decc_realloc(rows, nc * sizeof *nr);
      if (!nr) {
        oom = 1;
        break;
      }
      rows = nr;
      cap = nc;
    }
    vrow *v = &rows[n++];
    memset(v, 0, sizeof *v);
    ldg_col_h32(st, 0, v->hash);
    v->kind = sqlite3_column_int(st, 1);
    ldg_col_addr(st, 2, &v->from);
    ldg_col_addr(st, 3, &v->to);
    v->nonce = (uint64_t)sqlite3_column_int64(st, 4);
    v->data = blob_copy(st, 5, &v->len, &oom);
    v->raw = blob_copy(st, 6, &v->raw_len, &oom);
    if (v->kind == LDG_TX_RAW)
      v->k = n_raw++;
  }
  if (oom)
    s = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  else if (rc != SQLITE_DONE)
    s = ldg_sql_error(src, err, "read txs");
  sqlite3_reset(st);
  ldg_djob *j = NULL;
  const uint8_t **rp = NULL;
  size_t *rl = NULL;
  if (s == DECC_OK && n_raw) {
    rp = decc_calloc(n_raw, sizeof *rp);
    rl = decc_calloc(n_raw, sizeof *rl);
    if (rp && rl) {
      for (size_t i = 0; i < n; i++)
        if (rows[i].kind == LDG_TX_RAW) {
          rp[rows[i].k] = rows[i].raw;
          rl[rows[i].k] = rows[i].raw_len;
        }
      /* the next block's recoveries run while this one replays */
      prepare_next(src, dst, number + 1);
      j = ldg_djob_begin(dst, rp, rl, n_raw);
    }
    if (!j)
      s = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  if (s == DECC_OK && (s = ldg_block_begin(dst, ts, err)) == DECC_OK &&
      dst->blk_number != number) {
    ldg_block_abort(dst);
    s = decc_err_set(err, DECC_E_CORRUPT, "block %llu: numbering gap",
                     (unsigned long long)number);
  } else if (s == DECC_OK) {
    for (size_t i = 0; i < n && s == DECC_OK; i++) {
      const vrow *v = &rows[i];
      uint8_t h2[32];
      uint64_t cur;
      if ((s = ldg_nonce_get(dst, &v->from, &cur, err)) != DECC_OK)
        break;
      decc_receipt r;
      if (v->kind == LDG_TX_RAW) {
        /* The signature is checked again: the stored sender, recipient
         * and hash must be exactly what the raw bytes say, and the input
         * column must be empty (schema 3: the calldata is in raw). */
        const ldg_rawtx *t;
        decc_err de;
        if (ldg_djob_wait(j, v->k, &t, &de) != DECC_OK) {
          s = decc_err_set(err, DECC_E_CORRUPT, "block %llu: stored tx: %s",
                           (unsigned long long)number, de.msg);
          break;
        }
        int same = !memcmp(t->hash, v->hash, 32) &&
                   decc_address_eq(&t->from, &v->from) &&
                   decc_address_eq(&t->to, &v->to) && t->nonce == v->nonce &&
                   cur == v->nonce && v->len == 0;
        if (!same) {
          s = decc_err_set(err, DECC_E_CORRUPT,
                           "block %llu: signed transaction does not match its "
                           "stored fields or nonce",
                           (unsigned long long)number);
          break;
        }
        s = ldg_exec_pre(dst, t, v->kind, v->hash, &v->from, &v->to, cur,
                         t->tx.data, t->tx.data_len, v->raw, v->raw_len, &r,
                         err);
      } else if (v->kind == LDG_TX_CALL) {
        ldg_call_hash(h2, dst->chain_id, &v->from, cur, &v->to, v->data,
                      v->len);
        if (cur != v->nonce || memcmp(h2, v->hash, 32)) {
          s = decc_err_set(err, DECC_E_CORRUPT,
                           "block %llu: transaction hash/nonce mismatch",
                           (unsigned long long)number);
          break;
        }
        s = ldg_tx_execute(dst, v->kind, v->hash, &v->from, &v->to, cur,
                           v->data, v->len, NULL, 0, &r, err);
      } else {
        s = decc_err_set(err, DECC_E_CORRUPT, "block %llu: unknown tx kind %d",
                         (unsigned long long)number, v->kind);
        break;
      }
      decc_receipt_clear(&r);
      (*txs)++;
    }
    uint8_t got[32];
    if (s == DECC_OK)
      s = ldg_block_commit(dst, got, err);
    else
      ldg_block_abort(dst);
    if (s == DECC_OK && memcmp(got, want_hash, 32))
      s = decc_err_set(err, DECC_E_CORRUPT,
                       "block %llu: replayed block hash differs (receipts, "
                       "logs or timestamps changed)",
                       (unsigned long long)number);
  }
  ldg_djob_end(j);
  decc_free(rp);
  decc_free(rl);
  vrows_free(rows, n);
  return s;
}

decc_status decc_ledger_verify(decc_ledger *l,
                               decc_ledger_verify_report *report,
                               decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(report != NULL);
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
