/*
 * logs.c — how the ledger stores and finds event logs (schema 2): the log
 * rows, the block's set of log keys written at block close, the SQL of a
 * log query, and the migration of a schema-1 file.
 *
 * Why this layout: schema 1 stored each log in 5 B-trees (the logs table
 * and indexes on address, topic0, topic1 and tx hash), ~17 k instructions
 * per insert, the largest part of storing a transaction. Schema 2 keeps
 * one row per log, keyed (block, tx_index, log_index) — appended in key
 * order, and a transaction's logs are one key range, so the tx-hash index
 * is gone (a receipt already knows its block and index) — and replaces
 * the three lookup indexes by `log_keys(kind, key, block)`: one row per
 * distinct (address | topic0 | topic1, block). A block's logs mostly share
 * a few addresses (the hub) and event kinds, so that is a few rows per
 * block instead of three per log; they are collected in memory while the
 * block runs and written in key order just before its COMMIT. A query
 * with an address, topic0 or topic1 filter finds its blocks there (index
 * searches), then reads only those blocks' logs by primary key and applies
 * the exact filter: the same rows, in the same order, as before. Schema 2
 * also drops the txs(sender, nonce) index, which no query read.
 */
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

decc_status ldg_logs_store(decc_ledger *l, const decc_log *logs, size_t n,
                           decc_err *err) {
  if (!n)
    return DECC_OK;
  if (!l->lk && !(l->lk = decc_calloc(1, sizeof *l->lk)))
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const decc_log *lg = &logs[i];
    const uint8_t *t[4] = {NULL, NULL, NULL, NULL};
    size_t tl[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < lg->n_topics && k < 4; k++) {
      t[k] = lg->topics[k];
      tl[k] = 32;
    }
    decc_status s = ldg_exec(
        l,
        "INSERT INTO logs(block, tx_index, log_index, address, n_topics, "
        "topic0, topic1, topic2, topic3, data) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
        err, "iiiaibbbbb", (int64_t)lg->block_number, (int64_t)lg->tx_index,
        (int64_t)lg->log_index, &lg->address, (int64_t)lg->n_topics, t[0],
        tl[0], t[1], tl[1], t[2], tl[2], t[3], tl[3], lg->data, lg->data_len);
    if (s != DECC_OK)
      return s;
    if (!lk_add(l->lk, LDG_LK_ADDRESS, lg->address.b) ||
        (lg->n_topics > 0 && !lk_add(l->lk, LDG_LK_TOPIC0, lg->topics[0])) ||
        (lg->n_topics > 1 && !lk_add(l->lk, LDG_LK_TOPIC1, lg->topics[1])))
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  return DECC_OK;
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
  /* parameters: ?1 from, ?2 to, then the addresses, then each topic
   * position's alternatives in order (the binding in decc_ledger_logs) */
  int p_addr = 3, p_topic[DECC_LOG_MAX_TOPICS];
  int param = p_addr + (int)f->n_addresses;
  for (int t = 0; t < DECC_LOG_MAX_TOPICS; t++) {
    p_topic[t] = param;
    param += (int)f->n_topic_alts[t];
  }
  int keyed = f->n_addresses || f->n_topic_alts[0] || f->n_topic_alts[1];
  decc_status s = decc_buf_append_str(
      sql, "SELECT l.block, l.log_index, l.tx_index, t.hash, l.address, "
           "l.n_topics, l.topic0, l.topic1, l.topic2, l.topic3, l.data, "
           "b.hash FROM logs l JOIN blocks b ON b.number=l.block "
           "JOIN txs t ON t.block=l.block AND t.idx=l.tx_index WHERE ");
  /* With keys, the blocks come from log_keys: the unary + keeps the
   * planner from walking the whole block range of logs instead. */
  if (s == DECC_OK)
    s = decc_buf_append_str(sql, keyed ? "+l.block >= ?1 AND +l.block <= ?2"
                                       : "l.block >= ?1 AND l.block <= ?2");
  if (s == DECC_OK && f->n_addresses)
    s = key_clause(sql, LDG_LK_ADDRESS, f->n_addresses, p_addr);
  if (s == DECC_OK && f->n_topic_alts[0])
    s = key_clause(sql, LDG_LK_TOPIC0, f->n_topic_alts[0], p_topic[0]);
  if (s == DECC_OK && f->n_topic_alts[1])
    s = key_clause(sql, LDG_LK_TOPIC1, f->n_topic_alts[1], p_topic[1]);
  /* the exact filter on the rows of those blocks */
  if (s == DECC_OK && f->n_addresses) {
    s = decc_buf_append_str(sql, " AND l.address IN (");
    for (size_t i = 0; s == DECC_OK && i < f->n_addresses; i++)
      s = decc_buf_printf(sql, "%s?%d", i ? "," : "", p_addr + (int)i);
    if (s == DECC_OK)
      s = decc_buf_append_str(sql, ")");
  }
  for (int t = 0; s == DECC_OK && t < DECC_LOG_MAX_TOPICS; t++) {
    if (!f->n_topic_alts[t])
      continue;
    s = decc_buf_printf(sql, " AND l.n_topics > %d AND l.topic%d IN (", t, t);
    for (size_t i = 0; s == DECC_OK && i < f->n_topic_alts[t]; i++)
      s = decc_buf_printf(sql, "%s?%d", i ? "," : "", p_topic[t] + (int)i);
    if (s == DECC_OK)
      s = decc_buf_append_str(sql, ")");
  }
  if (s == DECC_OK)
    s = decc_buf_append_str(sql, " ORDER BY l.block, l.tx_index, l.log_index");
  return s;
}

/* Schema 1 → 2, inside the caller's write transaction: the log rows
 * copied into the new table (minus tx_hash, which must equal the hash of
 * the transaction at (block, tx_index): checked first), the old table and
 * its four indexes dropped, log_keys built from the rows, and the unused
 * txs_sender index dropped. upgrade.c sets the version. */
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
  return ldg_exec_raw(
      l,
      "ALTER TABLE logs RENAME TO logs_v1;" LDG_LOGS_SCHEMA
      "INSERT INTO logs(block, tx_index, log_index, address, n_topics,"
      " topic0, topic1, topic2, topic3, data) SELECT block, tx_index,"
      " log_index, address, n_topics, topic0, topic1, topic2, topic3, data"
      " FROM logs_v1 ORDER BY block, tx_index, log_index;"
      "DROP TABLE logs_v1;"
      /* an index no query reads, one more B-tree insert per transaction */
      "DROP INDEX IF EXISTS txs_sender;"
      "INSERT OR IGNORE INTO log_keys SELECT 0, address, block FROM logs;"
      "INSERT OR IGNORE INTO log_keys SELECT 1, topic0, block FROM logs"
      " WHERE n_topics > 0;"
      "INSERT OR IGNORE INTO log_keys SELECT 2, topic1, block FROM logs"
      " WHERE n_topics > 1;",
      err);
}
