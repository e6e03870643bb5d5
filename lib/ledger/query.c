/*
 * query.c — read side of the ledger: chain info, blocks, receipts, log
 * queries (block range, addresses, topic alternatives), nonces and
 * balances, the time-travel control and the state hash. Reads run in a
 * deferred read transaction so they see one committed snapshot while a
 * writer (maybe another process) commits.
 */
#include <stdio.h>
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

/* A read snapshot; nothing to do inside an open transaction (a block
 * being built, or verify's snapshot). *started tells rd_end to close it. */
static decc_status rd_begin_x(decc_ledger *l, int *started, decc_err *err) {
  *started = 0;
  if (l->in_block || !sqlite3_get_autocommit(l->db))
    return DECC_OK;
  decc_status s = ldg_exec(l, "BEGIN", err, "");
  *started = s == DECC_OK;
  return s;
}
static void rd_end_x(decc_ledger *l, int started) {
  if (started)
    ldg_exec(l, "COMMIT", NULL, "");
}
#define rd_begin(l, err) rd_begin_x(l, &rd_started, err)
#define rd_end(l) rd_end_x(l, rd_started)

decc_status decc_ledger_get_info(decc_ledger *l, decc_ledger_info *out,
                                 decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(out != NULL);
  memset(out, 0, sizeof *out);
  out->chain_id = l->chain_id;
  out->addr = l->addr;
  out->owner = l->owner;
  int rd_started;
  decc_status s = rd_begin(l, err);
  if (s != DECC_OK)
    return s;
  int found;
  sqlite3_stmt *st;
  if ((s = ldg_head(l, &out->head_number, out->head_hash, &out->head_timestamp,
                    err)) == DECC_OK &&
      (s = ldg_meta_get_i64(l, "time_offset", &out->time_offset, &found,
                            err)) == DECC_OK &&
      (s = ldg_query(l, &st, &found, "SELECT count(*) FROM txs", err, "")) ==
          DECC_OK) {
    out->tx_count = found ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
  }
  rd_end(l);
  return s;
}

decc_status decc_ledger_nonce(decc_ledger *l, const decc_address *a,
                              uint64_t *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(out != NULL);
  return ldg_nonce_get(l, a, out, err);
}

decc_status decc_ledger_rlc_balance(decc_ledger *l, const decc_address *a,
                                    decc_u256 *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(out != NULL);
  return ldg_rlc_balance(l, a, out, err);
}

decc_status decc_ledger_escrow(decc_ledger *l, const decc_address *a,
                               decc_u256 *stake, decc_u256 *locked,
                               decc_err *err) {
  /* (stake and locked are optional) */
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(a != NULL);
  return ldg_escrow_get(l, a, stake, locked, err);
}

decc_status decc_ledger_block_get(decc_ledger *l, uint64_t number,
                                  decc_ledger_block *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(out != NULL);
  sqlite3_stmt *st;
  int found;
  decc_status s;
  if (number == UINT64_MAX)
    s = ldg_query(l, &st, &found,
                  "SELECT number, hash, parent, timestamp, tx_count, tx_root, "
                  "receipt_root FROM blocks ORDER BY number DESC LIMIT 1",
                  err, "");
  else if (number > (uint64_t)INT64_MAX)
    return decc_err_set(err, DECC_E_NOT_FOUND, "no block %llu",
                        (unsigned long long)number);
  else
    s = ldg_query(l, &st, &found,
                  "SELECT number, hash, parent, timestamp, tx_count, tx_root, "
                  "receipt_root FROM blocks WHERE number=?1",
                  err, "i", (int64_t)number);
  if (s != DECC_OK)
    return s;
  if (!found) {
    sqlite3_reset(st);
    return decc_err_set(err, DECC_E_NOT_FOUND, "no block %llu",
                        (unsigned long long)number);
  }
  out->number = (uint64_t)sqlite3_column_int64(st, 0);
  ldg_col_h32(st, 1, out->hash);
  ldg_col_h32(st, 2, out->parent);
  out->timestamp = (uint64_t)sqlite3_column_int64(st, 3);
  out->tx_count = (uint32_t)sqlite3_column_int64(st, 4);
  ldg_col_h32(st, 5, out->tx_root);
  ldg_col_h32(st, 6, out->receipt_root);
  sqlite3_reset(st);
  return DECC_OK;
}

decc_status decc_ledger_block_txs(decc_ledger *l, uint64_t number,
                                  uint8_t **hashes, size_t *n, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(hashes != NULL);
  DECC_ARG_CHECK(n != NULL);
  *hashes = NULL;
  *n = 0;
  sqlite3_stmt *st =
      ldg_stmt(l, "SELECT hash FROM txs WHERE block=?1 ORDER BY idx", err);
  if (!st)
    return err ? err->code : DECC_E_IO;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)number);
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (*n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      uint8_t *nh = decc_realloc(*hashes, nc * 32);
      if (!nh) {
        sqlite3_reset(st);
        DECC_FREE(*hashes);
        *n = 0;
        return decc_err_set(err, DECC_E_NOMEM, "out of memory");
      }
      *hashes = nh;
      cap = nc;
    }
    ldg_col_h32(st, 0, *hashes + 32 * *n);
    (*n)++;
  }
  decc_status s = rc == SQLITE_DONE ? DECC_OK : ldg_sql_error(l, err, "read");
  sqlite3_reset(st);
  if (s != DECC_OK) {
    DECC_FREE(*hashes);
    *n = 0;
  }
  return s;
}

decc_status ldg_read_receipt(decc_ledger *l, const uint8_t hash[32],
                             decc_receipt *out, int *found, decc_err *err) {
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st;
  decc_status s = ldg_query(
      l, &st, found,
      "SELECT t.block, b.hash, t.idx, t.sender, t.recipient, t.nonce, "
      "t.status, t.reason, t.output FROM txs t JOIN blocks b ON "
      "b.number=t.block WHERE " LDG_TX_BY_HASH,
      err, "h", hash);
  if (s != DECC_OK || !*found) {
    if (st)
      sqlite3_reset(st);
    return s;
  }
  memcpy(out->tx_hash, hash, 32);
  out->block_number = (uint64_t)sqlite3_column_int64(st, 0);
  ldg_col_h32(st, 1, out->block_hash);
  out->tx_index = (uint32_t)sqlite3_column_int64(st, 2);
  ldg_col_addr(st, 3, &out->from);
  ldg_col_addr(st, 4, &out->to);
  out->nonce = (uint64_t)sqlite3_column_int64(st, 5);
  out->status = sqlite3_column_int(st, 6);
  if (sqlite3_column_type(st, 7) != SQLITE_NULL)
    s = ldg_col_text(st, 7, &out->revert_reason);
  if (s == DECC_OK)
    s = ldg_col_blob(st, 8, &out->output, &out->output_len);
  sqlite3_reset(st);
  if (s != DECC_OK) {
    decc_receipt_clear(out);
    return decc_err_set(err, s, "out of memory");
  }
  /* the transaction's logs: one row */
  st = ldg_stmt(l,
                "SELECT l.block, l.tx_index, l.first, l.n, l.body, ?3, "
                "b.hash FROM logs l JOIN blocks b ON b.number=l.block "
                "WHERE l.block=?1 AND l.tx_index=?2",
                err);
  if (!st) {
    decc_receipt_clear(out);
    return err ? err->code : DECC_E_IO;
  }
  sqlite3_bind_int64(st, 1, (sqlite3_int64)out->block_number);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)out->tx_index);
  sqlite3_bind_blob(st, 3, hash, 32, SQLITE_TRANSIENT);
  s = ldg_logs_read(l, st, NULL, SIZE_MAX, &out->logs, &out->n_logs, err);
  sqlite3_reset(st);
  if (s != DECC_OK)
    decc_receipt_clear(out);
  return s;
}

decc_status decc_ledger_receipt(decc_ledger *l, const uint8_t tx_hash32[32],
                                decc_receipt *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(tx_hash32 != NULL);
  DECC_ARG_CHECK(out != NULL);
  int found;
  int rd_started;
  decc_status s = rd_begin(l, err);
  if (s != DECC_OK)
    return s;
  s = ldg_read_receipt(l, tx_hash32, out, &found, err);
  rd_end(l);
  if (s == DECC_OK && !found)
    return decc_err_set(err, DECC_E_NOT_FOUND, "unknown transaction");
  return s;
}

/* The signed raw form of a stored transaction (what a provenance bundle
 * needs: the enclave's signature is a call argument PoCo never emits in an
 * event, and the raw form binds it to the sender and the chain id). */
decc_status decc_ledger_tx_raw(decc_ledger *l, const uint8_t tx_hash32[32],
                               decc_buf *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(tx_hash32 != NULL);
  DECC_ARG_CHECK(out != NULL);
  int rd_started;
  decc_status s = rd_begin(l, err);
  if (s != DECC_OK)
    return s;
  sqlite3_stmt *st =
      ldg_stmt(l, "SELECT raw FROM txs t WHERE " LDG_TX_BY_HASH, err);
  if (!st) {
    rd_end(l);
    return err ? err->code : DECC_E_IO;
  }
  sqlite3_bind_blob(st, 1, tx_hash32, 32, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const void *b = sqlite3_column_blob(st, 0);
    int n = sqlite3_column_bytes(st, 0);
    if (!b || n <= 0)
      s = decc_err_set(err, DECC_E_NOT_FOUND,
                       "the transaction has no signed form (a call the "
                       "ledger made itself)");
    else if ((s = decc_buf_append(out, b, (size_t)n)))
      s = decc_err_set(err, s, "out of memory");
  } else if (rc == SQLITE_DONE) {
    s = decc_err_set(err, DECC_E_NOT_FOUND, "unknown transaction");
  } else {
    s = ldg_sql_error(l, err, "read");
  }
  sqlite3_reset(st);
  rd_end(l);
  return s;
}

/* *out: the prepared statement of the log query sql, from the handle's
 * cache (ldg_logq) or prepared into its least recently used slot. The
 * statement stays the cache's: the caller resets it and clears its
 * bindings after use. Errors: DECC_E_NOMEM, a prepare failure. */
static decc_status logq_get(decc_ledger *l, const char *sql, sqlite3_stmt **out,
                            decc_err *err) {
  ldg_logq *victim = &l->logq[0];
  for (size_t i = 0; i < LDG_LOGQ_SLOTS; i++) {
    ldg_logq *q = &l->logq[i];
    if (q->sql && strcmp(q->sql, sql) == 0) {
      q->used = ++l->logq_tick;
      *out = q->st;
      return DECC_OK;
    }
    if (!q->sql) {
      if (victim->sql) /* a free slot before any used one */
        victim = q;
    } else if (victim->sql && q->used < victim->used) {
      victim = q;
    }
  }
  char *copy = decc_strdup(sql);
  if (!copy)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                         NULL) != SQLITE_OK) {
    decc_free(copy);
    return ldg_sql_error(l, err, "prepare logs query");
  }
  sqlite3_finalize(victim->st);
  decc_free(victim->sql);
  victim->sql = copy;
  victim->st = st;
  victim->used = ++l->logq_tick;
  *out = st;
  return DECC_OK;
}

decc_status decc_ledger_logs(decc_ledger *l, const decc_log_filter *f,
                             decc_log **logs, size_t *n, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(f != NULL);
  DECC_ARG_CHECK(logs != NULL);
  DECC_ARG_CHECK(n != NULL);
  *logs = NULL;
  *n = 0;
  if (f->n_addresses > DECC_FILTER_MAX_ALTS ||
      (f->n_addresses && !f->addresses))
    return decc_err_set(err, DECC_E_INVALID, "filter: bad address list");
  for (int t = 0; t < DECC_LOG_MAX_TOPICS; t++)
    if (f->n_topic_alts[t] > DECC_FILTER_MAX_ALTS ||
        (f->n_topic_alts[t] && !f->topic_alts[t]))
      return decc_err_set(err, DECC_E_INVALID, "filter: bad topic list");
  if (f->from_block > f->to_block)
    return DECC_OK;
  decc_buf sql;
  decc_buf_init(&sql, 8192);
  decc_status s = ldg_logs_sql(f, &sql);
  if (s != DECC_OK) {
    decc_buf_clear(&sql);
    return decc_err_set(err, s, "filter: too complex");
  }
  sqlite3_stmt *st = NULL;
  s = logq_get(l, (const char *)sql.data, &st, err);
  decc_buf_clear(&sql);
  if (s != DECC_OK)
    return s;
  uint64_t to =
      f->to_block > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : f->to_block;
  uint64_t from =
      f->from_block > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : f->from_block;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
  int param = 3; /* (the order ldg_logs_sql numbers them in) */
  for (size_t i = 0; i < f->n_addresses; i++)
    sqlite3_bind_blob(st, param++, f->addresses[i].b, 20, SQLITE_STATIC);
  for (int t = 0; t < 2; t++) /* topic2 and 3 are matched in C only */
    for (size_t i = 0; i < f->n_topic_alts[t]; i++)
      sqlite3_bind_blob(st, param++, f->topic_alts[t][i], 32, SQLITE_STATIC);
  int rd_started;
  if ((s = rd_begin(l, err)) == DECC_OK) {
    s = ldg_logs_read(l, st, f, f->limit ? f->limit : 10000, logs, n, err);
    rd_end(l);
  }
  /* kept for the next query of this shape; the bindings point into f */
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (s != DECC_OK) {
    decc_logs_free(*logs, *n);
    *logs = NULL;
    *n = 0;
  }
  return s;
}

decc_status decc_ledger_time_increase(decc_ledger *l, int64_t seconds,
                                      int64_t *offset, decc_err *err) {
  DECC_ARG_CHECK(l != NULL); /* (offset is optional) */
  if (seconds < -((int64_t)1 << 40) || seconds > ((int64_t)1 << 40))
    return decc_err_set(err, DECC_E_RANGE, "time offset out of range");
  decc_status s = ldg_exec(l, "BEGIN IMMEDIATE", err, "");
  if (s != DECC_OK)
    return s;
  int64_t cur;
  int found;
  if ((s = ldg_meta_get_i64(l, "time_offset", &cur, &found, err)) == DECC_OK) {
    cur += seconds;
    s = ldg_meta_set_i64(l, "time_offset", cur, err);
  }
  if (s == DECC_OK)
    s = ldg_exec(l, "COMMIT", err, "");
  if (s != DECC_OK) {
    ldg_exec_raw(l, "ROLLBACK", NULL);
    return s;
  }
  if (offset)
    *offset = cur;
  return DECC_OK;
}

/* The ORDER BY of state table t. Deals and tasks of files made since
 * session 15 have no index on the whole id, only on its first 8 bytes
 * (ledger_int.h): ordering by (prefix, id) is the same order, as ids are
 * 32-byte blobs compared byte by byte, and lets SQLite walk that index
 * and sort only ids that share a prefix, instead of sorting the whole
 * table (records included) in memory. */
static const char *state_order(decc_ledger *l, size_t t) {
  const char *name = ldg_state_tables[t][0];
  if (strcmp(name, "deals") && strcmp(name, "tasks"))
    return ldg_state_tables[t][1];
  char sql[120];
  snprintf(sql, sizeof sql,
           "SELECT 1 FROM sqlite_schema WHERE type='index' AND name='%s_id8'",
           name);
  sqlite3_stmt *st = NULL;
  int has = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return has ? "substr(id, 1, 8), id" : ldg_state_tables[t][1];
}

/* Feeds every row of every state table into the hash: table name, then
 * for each column a type byte, a length and the bytes. */
decc_status decc_ledger_state_hash(decc_ledger *l, uint8_t out32[32],
                                   decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(out32 != NULL);
  decc_keccak256_ctx k;
  decc_keccak256_init(&k);
  int rd_started;
  decc_status s = rd_begin(l, err);
  if (s != DECC_OK)
    return s;
  for (size_t t = 0; s == DECC_OK && ldg_state_tables[t][0]; t++) {
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY %s",
             ldg_state_tables[t][0], state_order(l, t));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
      s = ldg_sql_error(l, err, "state hash");
      break;
    }
    decc_keccak256_update(&k, ldg_state_tables[t][0],
                          strlen(ldg_state_tables[t][0]) + 1);
    int rc, ncol = sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      for (int c = 0; c < ncol; c++) {
        uint8_t hdr[9];
        int type = sqlite3_column_type(st, c);
        const void *p = NULL;
        uint64_t n = 0;
        uint8_t ibuf[8];
        if (type == SQLITE_INTEGER) {
          uint64_t v = (uint64_t)sqlite3_column_int64(st, c);
          for (int i = 0; i < 8; i++)
            ibuf[i] = (uint8_t)(v >> (56 - 8 * i));
          p = ibuf;
          n = 8;
        } else if (type == SQLITE_TEXT) {
          p = sqlite3_column_text(st, c);
          n = (uint64_t)sqlite3_column_bytes(st, c);
        } else if (type == SQLITE_BLOB) {
          p = sqlite3_column_blob(st, c);
          n = (uint64_t)sqlite3_column_bytes(st, c);
        } else if (type == SQLITE_FLOAT) {
          type = SQLITE_NULL; /* never stored by the ledger */
        }
        hdr[0] = (uint8_t)type;
        for (int i = 0; i < 8; i++)
          hdr[1 + i] = (uint8_t)(n >> (56 - 8 * i));
        decc_keccak256_update(&k, hdr, sizeof hdr);
        if (n)
          decc_keccak256_update(&k, p, (size_t)n);
      }
    }
    if (rc != SQLITE_DONE)
      s = ldg_sql_error(l, err, "state hash");
    sqlite3_finalize(st);
  }
  rd_end(l);
  decc_keccak256_final(&k, out32);
  return s;
}
