/*
 * logs.c — how the ledger stores and finds event logs: a transaction's
 * logs as one row, the block's set of log keys written at block close,
 * the SQL of a log query and the reading and filtering of its rows, and
 * the packing of the older one-row-per-log tables.
 *
 * Why this layout: schema 1 stored each log in 5 B-trees (the logs table
 * and indexes on address, topic0, topic1 and tx hash). Schema 2 kept one
 * row per log, keyed (block, tx_index, log_index), and replaced the three
 * lookup indexes by `log_keys(kind, key, block)`: one row per distinct
 * (address | topic0 | topic1, block), collected in memory while the block
 * runs and written in key order just before its COMMIT (a block's logs
 * mostly share a few addresses and event kinds). Schema 3 stores a
 * transaction's logs as one row keyed (block, tx_index): a task life
 * cycle emits 20 logs in 3 transactions, and each row insert (statement,
 * bindings, record, B-tree) cost about as much as its bytes, so 20
 * inserts become 3. A query finds its candidate blocks in log_keys as
 * before (index searches), reads those blocks' rows by primary key, and
 * applies the exact filter here, in C, to each decoded log: the same logs
 * in the same order (block, log index).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

/* One distinct key of the open block: kind (LDG_LK_*) and its value
 * (addresses 20 bytes, zero-padded to 32; topics 32). */
typedef struct lk_ent {
  uint8_t kind;
  uint8_t v[32];
} lk_ent;

struct ldg_logkeys {
  lk_ent *v;
  size_t n, cap;
  uint32_t *slot; /* open addressing: index + 1 into v, 0 = empty */
  size_t nslot;   /* a power of two, kept above 2 n */
};

static size_t key_len(int kind) { return kind == LDG_LK_ADDRESS ? 20 : 32; }

static uint64_t lk_hash(int kind, const uint8_t *v) {
  uint64_t mix = kind == LDG_LK_ADDRESS ? 1u : kind == LDG_LK_TOPIC0 ? 2u : 3u;
  /* the last 8 bytes: keccak topics are random, and addresses (also as
   * topic words, zero-padded in front) end with random bytes too */
  uint64_t h;
  memcpy(&h, v + key_len(kind) - 8, 8);
  h ^= mix * 0x9E3779B97F4A7C15ull;
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 29);
}

static int lk_rehash(struct ldg_logkeys *k, size_t nslot) {
  uint32_t *s = decc_calloc(nslot, sizeof *s);
  if (!s)
    return 0;
  for (size_t i = 0; i < k->n; i++) {
    size_t j = (size_t)lk_hash(k->v[i].kind, k->v[i].v) & (nslot - 1);
    while (s[j])
      j = (j + 1) & (nslot - 1);
    s[j] = (uint32_t)(i + 1);
  }
  decc_free(k->slot);
  k->slot = s;
  k->nslot = nslot;
  return 1;
}

/* Adds (kind, v) to the block's set unless present. Returns 0 on OOM. */
static int lk_add(struct ldg_logkeys *k, int kind, const uint8_t *v) {
  if (2 * (k->n + 1) > k->nslot && !lk_rehash(k, k->nslot ? 2 * k->nslot : 64))
    return 0;
  size_t len = key_len(kind);
  size_t j = (size_t)lk_hash(kind, v) & (k->nslot - 1);
  for (; k->slot[j]; j = (j + 1) & (k->nslot - 1)) {
    const lk_ent *e = &k->v[k->slot[j] - 1];
    if (e->kind == kind && !memcmp(e->v, v, len))
      return 1;
  }
  if (k->n == k->cap) {
    size_t nc = k->cap ? 2 * k->cap : 64;
    lk_ent *nv = decc_realloc(k->v, nc * sizeof *nv);
    if (!nv)
      return 0;
    k->v = nv;
    k->cap = nc;
  }
  lk_ent *e = &k->v[k->n];
  memset(e, 0, sizeof *e);
  e->kind = (uint8_t)kind;
  memcpy(e->v, v, len);
  k->slot[j] = (uint32_t)++k->n;
  return 1;
}

/* Appends one log in the body format (ledger_int.h, LDG_LOGS_SCHEMA). */
static decc_status log_encode(decc_buf *b, const decc_log *lg) {
  uint8_t nt = (uint8_t)(lg->n_topics < 4 ? lg->n_topics : 4), len[4];
  if (lg->data_len > UINT32_MAX)
    return DECC_E_LIMIT;
  len[0] = (uint8_t)(lg->data_len >> 24);
  len[1] = (uint8_t)(lg->data_len >> 16);
  len[2] = (uint8_t)(lg->data_len >> 8);
  len[3] = (uint8_t)lg->data_len;
  decc_status s;
  if ((s = decc_buf_append(b, lg->address.b, 20)) != DECC_OK ||
      (s = decc_buf_append_byte(b, nt)) != DECC_OK)
    return s;
  for (size_t t = 0; t < nt; t++)
    if ((s = decc_buf_append(b, lg->topics[t], 32)) != DECC_OK)
      return s;
  if ((s = decc_buf_append(b, len, 4)) != DECC_OK)
    return s;
  return lg->data_len ? decc_buf_append(b, lg->data, lg->data_len) : DECC_OK;
}

decc_status ldg_logs_encode(decc_buf *b, const decc_log *logs, size_t n) {
  decc_status s = DECC_OK;
  for (size_t i = 0; s == DECC_OK && i < n; i++)
    s = log_encode(b, &logs[i]);
  return s;
}

static decc_status row_insert(decc_ledger *l, uint64_t block, uint32_t tx,
                              uint32_t first, size_t n, const decc_buf *body,
                              decc_err *err) {
  return ldg_exec(l,
                  "INSERT INTO logs(block, tx_index, first, n, body) "
                  "VALUES(?1,?2,?3,?4,?5)",
                  err, "iiiib", (int64_t)block, (int64_t)tx, (int64_t)first,
                  (int64_t)n, body->data, body->len);
}

decc_status ldg_logs_store(decc_ledger *l, const decc_log *logs, size_t n,
                           decc_err *err) {
  if (!n)
    return DECC_OK;
  if (!l->lk && !(l->lk = decc_calloc(1, sizeof *l->lk)))
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_buf *b = &l->logbody;
  decc_buf_reset(b);
  for (size_t i = 0; i < n; i++) {
    const decc_log *lg = &logs[i];
    decc_status s = log_encode(b, lg);
    if (s != DECC_OK)
      return decc_err_set(err, s, "ledger: cannot store a log (%s)",
                          s == DECC_E_NOMEM ? "out of memory" : "too large");
    if (!lk_add(l->lk, LDG_LK_ADDRESS, lg->address.b) ||
        (lg->n_topics > 0 && !lk_add(l->lk, LDG_LK_TOPIC0, lg->topics[0])) ||
        (lg->n_topics > 1 && !lk_add(l->lk, LDG_LK_TOPIC1, lg->topics[1])))
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  return row_insert(l, logs[0].block_number, logs[0].tx_index,
                    logs[0].log_index, n, b, err);
}

decc_status ldg_logs_decode(const uint8_t *body, size_t len, size_t n,
                            decc_log *out) {
  size_t off = 0, i = 0;
  for (; i < n; i++) {
    decc_log *lg = &out[i];
    lg->data = NULL;
    lg->data_len = 0;
    if (len - off < 21 || body[off + 20] > DECC_LOG_MAX_TOPICS)
      goto bad;
    memcpy(lg->address.b, body + off, 20);
    lg->n_topics = body[off + 20];
    off += 21;
    if (len - off < 32 * lg->n_topics + 4)
      goto bad;
    for (size_t t = 0; t < lg->n_topics; t++, off += 32)
      memcpy(lg->topics[t], body + off, 32);
    size_t dl = (size_t)body[off] << 24 | (size_t)body[off + 1] << 16 |
                (size_t)body[off + 2] << 8 | body[off + 3];
    off += 4;
    if (len - off < dl)
      goto bad;
    if (dl) {
      if (!(lg->data = decc_malloc(dl))) {
        for (size_t k = 0; k < i; k++)
          DECC_FREE(out[k].data);
        return DECC_E_NOMEM;
      }
      memcpy(lg->data, body + off, dl);
      lg->data_len = dl;
      off += dl;
    }
  }
  if (off == len)
    return DECC_OK;
bad:
  for (size_t k = 0; k < i && k < n; k++)
    DECC_FREE(out[k].data);
  return DECC_E_CORRUPT;
}

/* eth_getLogs' address and topic rule (the block range is in the SQL). */
static int log_matches(const decc_log_filter *f, const decc_log *lg) {
  if (f->n_addresses) {
    size_t i = 0;
    while (i < f->n_addresses &&
           !decc_address_eq(&f->addresses[i], &lg->address))
      i++;
    if (i == f->n_addresses)
      return 0;
  }
  for (size_t t = 0; t < DECC_LOG_MAX_TOPICS; t++) {
    if (!f->n_topic_alts[t])
      continue;
    if (lg->n_topics <= t)
      return 0;
    size_t i = 0;
    while (i < f->n_topic_alts[t] &&
           memcmp(f->topic_alts[t][i], lg->topics[t], 32))
      i++;
    if (i == f->n_topic_alts[t])
      return 0;
  }
  return 1;
}

decc_status ldg_logs_read(decc_ledger *l, sqlite3_stmt *st,
                          const decc_log_filter *f, size_t limit,
                          decc_log **logs, size_t *n, decc_err *err) {
  size_t cap = 0;
  decc_log tmp[32], *row = tmp;
  size_t row_cap = 32;
  decc_status s = DECC_OK;
  int rc;
  *logs = NULL;
  *n = 0;
  while (s == DECC_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t blk = sqlite3_column_int64(st, 0), tx = sqlite3_column_int64(st, 1),
            first = sqlite3_column_int64(st, 2),
            cnt = sqlite3_column_int64(st, 3);
    const uint8_t *body = sqlite3_column_blob(st, 4);
    size_t len = (size_t)sqlite3_column_bytes(st, 4);
    uint8_t tx_hash[32], block_hash[32]; /* the row's, shared by its logs */
    ldg_col_h32(st, 5, tx_hash);
    ldg_col_h32(st, 6, block_hash);
    if (cnt <= 0 || cnt > 1 << 20 || blk < 0 || tx < 0 || first < 0) {
      s = decc_err_set(err, DECC_E_CORRUPT,
                       "ledger: block %lld: a bad log row (restore the file "
                       "from a backup)",
                       (long long)blk);
      break;
    }
    if ((size_t)cnt > row_cap) {
      decc_log *nr = decc_calloc((size_t)cnt, sizeof *nr);
      if (!nr) {
        s = decc_err_set(err, DECC_E_NOMEM, "out of memory");
        break;
      }
      if (row != tmp)
        decc_free(row);
      row = nr;
      row_cap = (size_t)cnt;
    }
    decc_status d = ldg_logs_decode(body ? body : (const uint8_t *)"", len,
                                    (size_t)cnt, row);
    if (d != DECC_OK) {
      s = d == DECC_E_NOMEM
              ? decc_err_set(err, d, "out of memory")
              : decc_err_set(err, d,
                             "ledger: block %lld: a log row that does not "
                             "decode (restore the file from a backup)",
                             (long long)blk);
      break;
    }
    for (size_t i = 0; i < (size_t)cnt; i++) {
      decc_log *lg = &row[i];
      if ((f && !log_matches(f, lg)) || s != DECC_OK) {
        DECC_FREE(lg->data);
        continue;
      }
      if (*n >= limit) {
        s = decc_err_set(err, DECC_E_LIMIT,
                         "more than %zu logs match; narrow the filter", limit);
        DECC_FREE(lg->data);
        continue;
      }
      if (*n == cap) {
        size_t nc = cap ? cap * 2 : 16;
        decc_log *nv = decc_realloc(*logs, nc * sizeof *nv);
        if (!nv) {
          s = decc_err_set(err, DECC_E_NOMEM, "out of memory");
          DECC_FREE(lg->data);
          continue;
        }
        *logs = nv;
        cap = nc;
      }
      decc_log *o = &(*logs)[(*n)++];
      *o = *lg; /* takes its data */
      lg->data = NULL;
      o->block_number = (uint64_t)blk;
      o->tx_index = (uint32_t)tx;
      o->log_index = (uint32_t)first + (uint32_t)i;
      memcpy(o->tx_hash, tx_hash, 32);
      memcpy(o->block_hash, block_hash, 32);
    }
  }
  if (row != tmp)
    decc_free(row);
  if (s == DECC_OK && rc != SQLITE_DONE)
    s = ldg_sql_error(l, err, "read logs");
  return s;
}

static int lk_cmp(const void *a, const void *b) {
  const lk_ent *x = a, *y = b;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return memcmp(x->v, y->v, 32); /* (the zero padding sorts equally) */
}

decc_status ldg_logs_flush(decc_ledger *l, decc_err *err) {
  struct ldg_logkeys *k = l->lk;
  if (!k || !k->n)
    return DECC_OK;
  /* key order: each insert lands next to the last one's page */
  qsort(k->v, k->n, sizeof *k->v, lk_cmp);
  for (size_t i = 0; i < k->n; i++) {
    decc_status s =
        ldg_exec(l, "INSERT INTO log_keys(kind, key, block) VALUES(?1, ?2, ?3)",
                 err, "ibi", (int64_t)k->v[i].kind, k->v[i].v,
                 key_len(k->v[i].kind), (int64_t)l->blk_number);
    if (s != DECC_OK)
      return s;
  }
  ldg_logs_clear(l);
  return DECC_OK;
}

void ldg_logs_clear(decc_ledger *l) {
  struct ldg_logkeys *k = l->lk;
  if (!k)
    return;
  if (k->n) {
    k->n = 0;
    memset(k->slot, 0, k->nslot * sizeof *k->slot);
  }
}

void ldg_logs_free(decc_ledger *l) {
  decc_buf_clear(&l->logbody);
  if (!l->lk)
    return;
  decc_free(l->lk->v);
  decc_free(l->lk->slot);
  DECC_FREE(l->lk);
}

/* " AND l.block IN (SELECT block FROM log_keys WHERE kind=K AND key IN
 * (?p, …) AND block BETWEEN ?1 AND ?2)" for n parameters from *param. */
static decc_status key_clause(decc_buf *sql, int kind, size_t n, int param) {
  decc_status s = decc_buf_printf(
      sql,
      " AND l.block IN (SELECT block FROM log_keys WHERE kind=%d AND key IN (",
      kind);
  for (size_t i = 0; s == DECC_OK && i < n; i++)
    s = decc_buf_printf(sql, "%s?%d", i ? "," : "", param + (int)i);
  if (s == DECC_OK)
    s = decc_buf_append_str(sql, ") AND block >= ?1 AND block <= ?2)");
  return s;
}

decc_status ldg_logs_sql(const decc_log_filter *f, decc_buf *sql) {
  /* parameters: ?1 from, ?2 to, then the addresses, then the topic0 and
   * topic1 alternatives (the binding in decc_ledger_logs); the exact
   * filter, topic2 and topic3 included, is applied to the decoded logs */
  int p_addr = 3, p_t0 = p_addr + (int)f->n_addresses,
      p_t1 = p_t0 + (int)f->n_topic_alts[0];
  int keyed = f->n_addresses || f->n_topic_alts[0] || f->n_topic_alts[1];
  decc_status s = decc_buf_append_str(
      sql, "SELECT l.block, l.tx_index, l.first, l.n, l.body, t.hash, b.hash "
           "FROM logs l JOIN blocks b ON b.number=l.block "
           "JOIN txs t ON t.block=l.block AND t.idx=l.tx_index WHERE ");
  /* With keys, the blocks come from log_keys: the unary + keeps the
   * planner from walking the whole block range of logs instead. */
  if (s == DECC_OK)
    s = decc_buf_append_str(sql, keyed ? "+l.block >= ?1 AND +l.block <= ?2"
                                       : "l.block >= ?1 AND l.block <= ?2");
  if (s == DECC_OK && f->n_addresses)
    s = key_clause(sql, LDG_LK_ADDRESS, f->n_addresses, p_addr);
  if (s == DECC_OK && f->n_topic_alts[0])
    s = key_clause(sql, LDG_LK_TOPIC0, f->n_topic_alts[0], p_t0);
  if (s == DECC_OK && f->n_topic_alts[1])
    s = key_clause(sql, LDG_LK_TOPIC1, f->n_topic_alts[1], p_t1);
  if (s == DECC_OK)
    s = decc_buf_append_str(sql, " ORDER BY l.block, l.tx_index");
  return s;
}

/* Schema 1 → 3 for the logs, inside the caller's write transaction: each
 * log's tx_hash must equal the hash of the transaction at its (block,
 * tx_index) (checked first); log_keys is built from the rows, the rows
 * are packed into the schema-3 table, the old table (and its four
 * indexes) and the unused txs_sender index are dropped. upgrade.c does
 * the rest and sets the version. */
decc_status ldg_logs_migrate_v1(decc_ledger *l, decc_err *err) {
  sqlite3_stmt *st;
  int found;
  decc_status s =
      ldg_query(l, &st, &found,
                "SELECT count(*) FROM logs l LEFT JOIN txs t ON "
                "t.block=l.block AND t.idx=l.tx_index WHERE t.hash IS NOT "
                "l.tx_hash",
                err, "");
  if (s != DECC_OK)
    return s;
  int64_t bad = found ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if (bad)
    return decc_err_set(err, DECC_E_CORRUPT,
                        "ledger: schema-1 file: %lld logs name a transaction "
                        "that is not at their block and index; restore the "
                        "file from a backup",
                        (long long)bad);
  decc_status s2 = ldg_exec_raw(
      l,
      "ALTER TABLE logs RENAME TO logs_v1;"
      /* an index no query reads, one more B-tree insert per transaction */
      "DROP INDEX IF EXISTS txs_sender;"
      "CREATE TABLE IF NOT EXISTS log_keys(kind INTEGER NOT NULL,"
      " key BLOB NOT NULL, block INTEGER NOT NULL,"
      " PRIMARY KEY(kind, key, block)) WITHOUT ROWID;"
      "INSERT OR IGNORE INTO log_keys SELECT 0, address, block FROM logs_v1;"
      "INSERT OR IGNORE INTO log_keys SELECT 1, topic0, block FROM logs_v1"
      " WHERE n_topics > 0;"
      "INSERT OR IGNORE INTO log_keys SELECT 2, topic1, block FROM logs_v1"
      " WHERE n_topics > 1;" LDG_LOGS_SCHEMA,
      err);
  if (s2 == DECC_OK)
    s2 = ldg_logs_pack(l, "logs_v1", err);
  if (s2 == DECC_OK)
    s2 = ldg_exec_raw(l, "DROP TABLE logs_v1;", err);
  return s2;
}

decc_status ldg_logs_pack(decc_ledger *l, const char *old, decc_err *err) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT block, tx_index, log_index, address, n_topics, topic0, "
           "topic1, topic2, topic3, data FROM %s ORDER BY block, tx_index, "
           "log_index",
           old);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
    return ldg_sql_error(l, err, "pack logs");
  decc_buf *b = &l->logbody;
  decc_buf_reset(b);
  int64_t cur_blk = -1, cur_tx = -1, first = 0, cnt = 0;
  decc_status s = DECC_OK;
  int rc;
  while (s == DECC_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t blk = sqlite3_column_int64(st, 0), tx = sqlite3_column_int64(st, 1);
    if (cnt && (blk != cur_blk || tx != cur_tx)) {
      s = row_insert(l, (uint64_t)cur_blk, (uint32_t)cur_tx, (uint32_t)first,
                     (size_t)cnt, b, err);
      decc_buf_reset(b);
      cnt = 0;
    }
    if (s != DECC_OK)
      break;
    if (!cnt) {
      cur_blk = blk;
      cur_tx = tx;
      first = sqlite3_column_int64(st, 2);
    }
    decc_log lg;
    memset(&lg, 0, sizeof lg);
    ldg_col_addr(st, 3, &lg.address);
    int64_t nt = sqlite3_column_int64(st, 4);
    lg.n_topics = nt < 0 ? 0 : nt > 4 ? 4 : (size_t)nt;
    for (size_t t = 0; t < lg.n_topics; t++)
      ldg_col_h32(st, 5 + (int)t, lg.topics[t]);
    lg.data = (uint8_t *)sqlite3_column_blob(st, 9);
    lg.data_len = (size_t)sqlite3_column_bytes(st, 9);
    if ((s = log_encode(b, &lg)) != DECC_OK)
      s = decc_err_set(err, s, "out of memory");
    cnt++;
  }
  if (s == DECC_OK && rc != SQLITE_DONE)
    s = ldg_sql_error(l, err, "pack logs");
  if (s == DECC_OK && cnt)
    s = row_insert(l, (uint64_t)cur_blk, (uint32_t)cur_tx, (uint32_t)first,
                   (size_t)cnt, b, err);
  sqlite3_finalize(st);
  decc_buf_reset(b);
  return s;
}
