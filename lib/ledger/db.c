/*
 * db.c — the ledger's SQLite layer: opening a file (WAL, synchronous=FULL,
 * busy timeout), the schema, a cache of prepared statements keyed by the
 * address of their SQL literal, a small printf-like binder and the meta
 * table that holds the configuration.
 *
 * Why synchronous=FULL: in WAL mode NORMAL only syncs the WAL at
 * checkpoints, so a power loss may drop the last committed blocks even
 * though their receipts were already returned. The ledger acknowledges a
 * transaction only after COMMIT, and FULL makes that COMMIT an fsync of
 * the WAL; batching many transactions per block keeps the cost at one
 * fsync per block.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decc/mem.h"
#include "decc/order.h"
#include "ledger/ledger_int.h"

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT "
    "ROWID;"
    "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value BLOB NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS blocks(number INTEGER PRIMARY KEY,"
    " hash BLOB NOT NULL UNIQUE, parent BLOB NOT NULL,"
    " timestamp INTEGER NOT NULL, tx_count INTEGER NOT NULL,"
    " tx_root BLOB NOT NULL, receipt_root BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS txs(hash BLOB PRIMARY KEY, block INTEGER NOT "
    "NULL,"
    " idx INTEGER NOT NULL, kind INTEGER NOT NULL, sender BLOB NOT NULL,"
    " recipient BLOB NOT NULL, nonce INTEGER NOT NULL, input BLOB NOT NULL,"
    " raw BLOB, status INTEGER NOT NULL, reason TEXT, output BLOB NOT NULL,"
    " UNIQUE(block, idx)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS txs_sender ON txs(sender, nonce);"
    "CREATE TABLE IF NOT EXISTS logs(block INTEGER NOT NULL,"
    " log_index INTEGER NOT NULL, tx_index INTEGER NOT NULL,"
    " tx_hash BLOB NOT NULL, address BLOB NOT NULL, n_topics INTEGER NOT NULL,"
    " topic0 BLOB, topic1 BLOB, topic2 BLOB, topic3 BLOB, data BLOB NOT NULL,"
    " PRIMARY KEY(block, log_index)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS logs_address ON logs(address, block);"
    "CREATE INDEX IF NOT EXISTS logs_topic0 ON logs(topic0, block);"
    "CREATE INDEX IF NOT EXISTS logs_topic1 ON logs(topic1, block);"
    "CREATE INDEX IF NOT EXISTS logs_tx ON logs(tx_hash);"
    /* state */
    "CREATE TABLE IF NOT EXISTS accounts(address BLOB PRIMARY KEY,"
    " nonce INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS rlc_balances(address BLOB PRIMARY KEY,"
    " amount BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS rlc_allowances(owner BLOB, spender BLOB,"
    " amount BLOB NOT NULL, PRIMARY KEY(owner, spender)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS escrow(address BLOB PRIMARY KEY,"
    " balance BLOB NOT NULL, frozen BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS hub_allowances(owner BLOB, spender BLOB,"
    " amount BLOB NOT NULL, PRIMARY KEY(owner, spender)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS entries(address BLOB PRIMARY KEY,"
    " kind INTEGER NOT NULL, owner BLOB NOT NULL, global_index INTEGER NOT "
    "NULL,"
    " owner_index INTEGER NOT NULL, name TEXT NOT NULL, app_type TEXT,"
    " multiaddr BLOB, checksum BLOB, mrenclave BLOB,"
    " worker_stake_ratio INTEGER, scheduler_reward_ratio INTEGER)"
    " WITHOUT ROWID;"
    "CREATE UNIQUE INDEX IF NOT EXISTS entries_global ON entries(kind, "
    "global_index);"
    "CREATE UNIQUE INDEX IF NOT EXISTS entries_owner ON entries(kind, owner,"
    " owner_index);"
    "CREATE TABLE IF NOT EXISTS nft_approvals(token BLOB PRIMARY KEY,"
    " approved BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS nft_operators(kind INTEGER, owner BLOB,"
    " operator BLOB, PRIMARY KEY(kind, owner, operator)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS orders(hash BLOB PRIMARY KEY, consumed BLOB,"
    " presigned BLOB) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS categories(idx INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, description TEXT NOT NULL, time_ref INTEGER NOT "
    "NULL);"
    "CREATE TABLE IF NOT EXISTS scores(worker BLOB PRIMARY KEY,"
    " score BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS deals(id BLOB PRIMARY KEY, record BLOB NOT "
    "NULL,"
    " app BLOB, dataset BLOB, workerpool BLOB, requester BLOB,"
    " block INTEGER) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS tasks(id BLOB PRIMARY KEY, deal BLOB NOT NULL,"
    " status INTEGER NOT NULL, record BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS tasks_deal ON tasks(deal);";

/* State tables in state-hash order with a total ORDER BY. Deals and tasks
 * are serialized records; contributions, consensus groups live inside the
 * task record. */
const char *const ldg_state_tables[][2] = {
    {"accounts", "address"},
    {"rlc_balances", "address"},
    {"rlc_allowances", "owner, spender"},
    {"escrow", "address"},
    {"hub_allowances", "owner, spender"},
    {"kv", "key"},
    {"entries", "address"},
    {"nft_approvals", "token"},
    {"nft_operators", "kind, owner, operator"},
    {"orders", "hash"},
    {"categories", "idx"},
    {"scores", "worker"},
    {"deals", "id"},
    {"tasks", "id"},
    {NULL, NULL}};

decc_status ldg_sql_error(decc_ledger *l, decc_err *err, const char *what) {
  int code = sqlite3_extended_errcode(l->db);
  decc_status st = DECC_E_IO;
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
    st = DECC_E_TIMEOUT;
  else if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB)
    st = DECC_E_CORRUPT;
  else if ((code & 0xff) == SQLITE_NOMEM)
    st = DECC_E_NOMEM;
  return decc_err_set(err, st, "ledger: %s: %s", what, sqlite3_errmsg(l->db));
}

static size_t slot_of(const char *sql) {
  uintptr_t p = (uintptr_t)sql;
  p ^= p >> 17;
  p *= 0x9E3779B97F4A7C15ull;
  return (size_t)(p >> 7) & (LDG_STMT_SLOTS - 1);
}

sqlite3_stmt *ldg_stmt(decc_ledger *l, const char *sql, decc_err *err) {
  size_t i = slot_of(sql);
  for (size_t probe = 0; probe < LDG_STMT_SLOTS; probe++) {
    ldg_stmt_slot *s = &l->stmts[(i + probe) & (LDG_STMT_SLOTS - 1)];
    if (s->sql == sql) {
      sqlite3_reset(s->st);
      sqlite3_clear_bindings(s->st);
      return s->st;
    }
    if (!s->sql) {
      sqlite3_stmt *st = NULL;
      if (sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                             NULL) != SQLITE_OK) {
        ldg_sql_error(l, err, "prepare");
        return NULL;
      }
      s->sql = sql;
      s->st = st;
      return st;
    }
  }
  decc_err_set(err, DECC_E_INTERNAL, "ledger: statement cache full");
  return NULL;
}

decc_status ldg_bindv(decc_ledger *l, sqlite3_stmt *st, const char *fmt,
                      va_list ap, decc_err *err) {
  int idx = 1, rc = SQLITE_OK;
  for (const char *f = fmt; f && *f && rc == SQLITE_OK; f++, idx++) {
    switch (*f) {
    case 'a': {
      const decc_address *a = va_arg(ap, const decc_address *);
      rc = sqlite3_bind_blob(st, idx, a->b, 20, SQLITE_TRANSIENT);
      break;
    }
    case 'h': {
      const uint8_t *h = va_arg(ap, const uint8_t *);
      rc = sqlite3_bind_blob(st, idx, h, 32, SQLITE_TRANSIENT);
      break;
    }
    case 'u': {
      const decc_u256 *u = va_arg(ap, const decc_u256 *);
      uint8_t be[32];
      decc_u256_to_be(be, u);
      rc = sqlite3_bind_blob(st, idx, be, 32, SQLITE_TRANSIENT);
      break;
    }
    case 'b': {
      const void *p = va_arg(ap, const void *);
      size_t n = va_arg(ap, size_t);
      if (n > (size_t)0x7fffffff)
        return decc_err_set(err, DECC_E_LIMIT, "ledger: value too large");
      rc = sqlite3_bind_blob(st, idx, n ? p : "", (int)n, SQLITE_TRANSIENT);
      break;
    }
    case 't': {
      const char *s = va_arg(ap, const char *);
      rc = s ? sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT)
             : sqlite3_bind_null(st, idx);
      break;
    }
    case 'i':
      rc = sqlite3_bind_int64(st, idx, (sqlite3_int64)va_arg(ap, int64_t));
      break;
    case 'n':
      rc = sqlite3_bind_null(st, idx);
      break;
    default:
      return decc_err_set(err, DECC_E_INTERNAL, "ledger: bad bind format");
    }
  }
  if (rc != SQLITE_OK)
    return ldg_sql_error(l, err, "bind");
  return DECC_OK;
}

decc_status ldg_exec(decc_ledger *l, const char *sql, decc_err *err,
                     const char *fmt, ...) {
  sqlite3_stmt *st = ldg_stmt(l, sql, err);
  if (!st)
    return err ? err->code : DECC_E_IO;
  va_list ap;
  va_start(ap, fmt);
  decc_status s = ldg_bindv(l, st, fmt, ap, err);
  va_end(ap);
  if (s != DECC_OK)
    return s;
  int rc = sqlite3_step(st);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    s = ldg_sql_error(l, err, "write");
    sqlite3_reset(st);
    return s;
  }
  sqlite3_reset(st);
  return DECC_OK;
}

decc_status ldg_query(decc_ledger *l, sqlite3_stmt **out, int *found,
                      const char *sql, decc_err *err, const char *fmt, ...) {
  *found = 0;
  *out = NULL;
  sqlite3_stmt *st = ldg_stmt(l, sql, err);
  if (!st)
    return err ? err->code : DECC_E_IO;
  va_list ap;
  va_start(ap, fmt);
  decc_status s = ldg_bindv(l, st, fmt, ap, err);
  va_end(ap);
  if (s != DECC_OK)
    return s;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *found = 1;
  else if (rc != SQLITE_DONE) {
    s = ldg_sql_error(l, err, "read");
    sqlite3_reset(st);
    return s;
  }
  *out = st;
  return DECC_OK;
}

decc_status ldg_exec_raw(decc_ledger *l, const char *sql, decc_err *err) {
  char *msg = NULL;
  if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    decc_status s = ldg_sql_error(l, err, "exec");
    sqlite3_free(msg);
    return s;
  }
  return DECC_OK;
}

void ldg_col_addr(sqlite3_stmt *st, int i, decc_address *out) {
  memset(out, 0, sizeof *out);
  const void *p = sqlite3_column_blob(st, i);
  if (p && sqlite3_column_bytes(st, i) == 20)
    memcpy(out->b, p, 20);
}

void ldg_col_u256(sqlite3_stmt *st, int i, decc_u256 *out) {
  const void *p = sqlite3_column_blob(st, i);
  if (p && sqlite3_column_bytes(st, i) == 32)
    decc_u256_from_be(out, p);
  else
    *out = decc_u256_from_u64(0);
}

void ldg_col_h32(sqlite3_stmt *st, int i, uint8_t out[32]) {
  const void *p = sqlite3_column_blob(st, i);
  if (p && sqlite3_column_bytes(st, i) == 32)
    memcpy(out, p, 32);
  else
    memset(out, 0, 32);
}

decc_status ldg_col_blob(sqlite3_stmt *st, int i, uint8_t **out, size_t *n) {
  const void *p = sqlite3_column_blob(st, i);
  int len = sqlite3_column_bytes(st, i);
  *out = NULL;
  *n = 0;
  if (!p || len <= 0)
    return DECC_OK;
  *out = decc_malloc((size_t)len);
  if (!*out)
    return DECC_E_NOMEM;
  memcpy(*out, p, (size_t)len);
  *n = (size_t)len;
  return DECC_OK;
}

decc_status ldg_col_text(sqlite3_stmt *st, int i, char **out) {
  const unsigned char *p = sqlite3_column_text(st, i);
  int len = sqlite3_column_bytes(st, i);
  *out = decc_strndup(p ? (const char *)p : "", p ? (size_t)len : 0);
  return *out ? DECC_OK : DECC_E_NOMEM;
}

decc_status ldg_meta_get_i64(decc_ledger *l, const char *key, int64_t *out,
                             int *found, decc_err *err) {
  sqlite3_stmt *st;
  decc_status s = ldg_query(
      l, &st, found, "SELECT value FROM meta WHERE key=?1", err, "t", key);
  if (s != DECC_OK)
    return s;
  *out = *found ? (int64_t)sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return DECC_OK;
}

decc_status ldg_meta_set_i64(decc_ledger *l, const char *key, int64_t v,
                             decc_err *err) {
  return ldg_exec(l, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
                  err, "ti", key, v);
}

decc_status ldg_meta_get_blob(decc_ledger *l, const char *key, uint8_t **out,
                              size_t *n, decc_err *err) {
  sqlite3_stmt *st;
  int found;
  decc_status s = ldg_query(
      l, &st, &found, "SELECT value FROM meta WHERE key=?1", err, "t", key);
  if (s != DECC_OK)
    return s;
  if (!found) {
    sqlite3_reset(st);
    return decc_err_set(err, DECC_E_CORRUPT, "ledger: missing meta '%s'", key);
  }
  s = ldg_col_blob(st, 0, out, n);
  sqlite3_reset(st);
  return s;
}

decc_status ldg_meta_set_blob(decc_ledger *l, const char *key, const void *v,
                              size_t n, decc_err *err) {
  return ldg_exec(l, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
                  err, "tb", key, v, n);
}

static decc_status meta_addr(decc_ledger *l, const char *key, decc_address *a,
                             decc_err *err) {
  uint8_t *p = NULL;
  size_t n = 0;
  decc_status s = ldg_meta_get_blob(l, key, &p, &n, err);
  if (s != DECC_OK)
    return s;
  if (n != 20) {
    decc_free(p);
    return decc_err_set(err, DECC_E_CORRUPT, "ledger: bad meta '%s'", key);
  }
  memcpy(a->b, p, 20);
  decc_free(p);
  return DECC_OK;
}

decc_status ldg_load_config(decc_ledger *l, decc_err *err) {
  int64_t v;
  int found;
  decc_status s = ldg_meta_get_i64(l, "schema", &v, &found, err);
  if (s != DECC_OK)
    return s;
  if (!found)
    return decc_err_set(err, DECC_E_NOT_FOUND, "ledger: not initialised");
  if (v != LDG_SCHEMA_VERSION)
    return decc_err_set(err, DECC_E_CORRUPT,
                        "ledger: schema version %lld, expected %d",
                        (long long)v, LDG_SCHEMA_VERSION);
  if ((s = ldg_meta_get_i64(l, "chain_id", &v, &found, err)) != DECC_OK)
    return s;
  if (!found || v <= 0)
    return decc_err_set(err, DECC_E_CORRUPT, "ledger: missing chain id");
  l->chain_id = (uint64_t)v;
  if ((s = meta_addr(l, "hub", &l->addr.hub, err)) != DECC_OK ||
      (s = meta_addr(l, "app_registry", &l->addr.app_registry, err)) !=
          DECC_OK ||
      (s = meta_addr(l, "dataset_registry", &l->addr.dataset_registry, err)) !=
          DECC_OK ||
      (s = meta_addr(l, "workerpool_registry", &l->addr.workerpool_registry,
                     err)) != DECC_OK ||
      (s = meta_addr(l, "token", &l->addr.token, err)) != DECC_OK ||
      (s = meta_addr(l, "dataprotector", &l->addr.dataprotector, err)) !=
          DECC_OK ||
      (s = meta_addr(l, "owner", &l->owner, err)) != DECC_OK)
    return s;
  decc_poco_domain_separator(l->domain_sep, l->chain_id, &l->addr.hub);
  return DECC_OK;
}

static decc_status configure(decc_ledger *l, int memory, decc_err *err) {
  sqlite3_extended_result_codes(l->db, 1);
  if (sqlite3_busy_timeout(l->db, LDG_BUSY_TIMEOUT_MS) != SQLITE_OK)
    return ldg_sql_error(l, err, "busy timeout");
  if (memory)
    return ldg_exec_raw(l, "PRAGMA journal_mode=MEMORY;", err);
  /* journal_mode=WAL needs a lock once; retry on BUSY is done by SQLite's
   * busy handler. */
  decc_status s = ldg_exec_raw(l, "PRAGMA journal_mode=WAL;", err);
  if (s != DECC_OK)
    return s;
  return ldg_exec_raw(l,
                      "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;"
                      "PRAGMA wal_autocheckpoint=4000;"
                      /* keys are hashes, so inserts land on random pages:
                       * a 32 MiB page cache keeps the hot B-tree levels
                       * in memory instead of re-reading them each block */
                      "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;",
                      err);
}

decc_status ldg_open_db(decc_ledger **out, const char *path, int create,
                        decc_err *err) {
  *out = NULL;
  int memory = path == NULL;
  if (!memory && !create && access(path, F_OK) != 0)
    return decc_err_set(err, DECC_E_NOT_FOUND, "ledger: no ledger at %s", path);
  decc_ledger *l = decc_calloc(1, sizeof *l);
  if (!l)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  l->memory = memory;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create || memory)
    flags |= SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(memory ? ":memory:" : path, &l->db, flags, NULL) !=
      SQLITE_OK) {
    decc_status s = decc_err_set(err, DECC_E_IO, "ledger: cannot open %s: %s",
                                 memory ? ":memory:" : path,
                                 l->db ? sqlite3_errmsg(l->db) : "no memory");
    decc_ledger_close(l);
    return s;
  }
  decc_status s = configure(l, memory, err);
  if (s == DECC_OK && (create || memory))
    s = ldg_exec_raw(l, SCHEMA, err);
  if (s != DECC_OK) {
    decc_ledger_close(l);
    return s;
  }
  *out = l;
  return DECC_OK;
}

void decc_ledger_close(decc_ledger *l) {
  if (!l)
    return;
  for (size_t i = 0; i < LDG_STMT_SLOTS; i++)
    if (l->stmts[i].st)
      sqlite3_finalize(l->stmts[i].st);
  if (l->in_block)
    sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
  if (l->db)
    sqlite3_close(l->db);
  decc_free(l);
}

decc_status decc_ledger_open(decc_ledger **out, const char *path,
                             decc_err *err) {
  if (!out || !path)
    return decc_err_set(err, DECC_E_INVALID, "ledger: NULL argument");
  decc_ledger *l;
  decc_status s = ldg_open_db(&l, path, 0, err);
  if (s != DECC_OK)
    return s;
  sqlite3_stmt *probe = NULL;
  if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM meta LIMIT 1", -1, &probe,
                         NULL) != SQLITE_OK) {
    s = decc_err_set(err, DECC_E_CORRUPT, "ledger: %s is not a decc ledger",
                     path);
    decc_ledger_close(l);
    return s;
  }
  sqlite3_finalize(probe);
  if ((s = ldg_load_config(l, err)) != DECC_OK) {
    if (s == DECC_E_NOT_FOUND)
      decc_err_set(err, DECC_E_NOT_FOUND, "ledger: %s is not initialised",
                   path);
    decc_ledger_close(l);
    return s;
  }
  *out = l;
  return DECC_OK;
}

static decc_status init_into(decc_ledger *l, const decc_genesis *g,
                             decc_err *err) {
  decc_status s = ldg_exec_raw(l, "BEGIN IMMEDIATE", err);
  if (s != DECC_OK)
    return s;
  int64_t v;
  int found;
  if ((s = ldg_meta_get_i64(l, "schema", &v, &found, err)) != DECC_OK)
    goto fail;
  if (found) {
    s = decc_err_set(err, DECC_E_EXISTS, "ledger: already initialised");
    goto fail;
  }
  if ((s = ldg_apply_genesis(l, g, err)) != DECC_OK)
    goto fail;
  if ((s = ldg_exec_raw(l, "COMMIT", err)) != DECC_OK)
    goto fail;
  return ldg_load_config(l, err);
fail:
  sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
  return s;
}

decc_status decc_ledger_init(const char *path, const decc_genesis *g,
                             decc_err *err) {
  if (!path || !g)
    return decc_err_set(err, DECC_E_INVALID, "ledger: NULL argument");
  decc_ledger *l;
  decc_status s = ldg_open_db(&l, path, 1, err);
  if (s != DECC_OK)
    return s;
  s = init_into(l, g, err);
  if (s == DECC_E_EXISTS)
    decc_err_set(err, DECC_E_EXISTS, "ledger: %s already holds a ledger", path);
  decc_ledger_close(l);
  return s;
}

decc_status decc_ledger_open_memory(decc_ledger **out, const decc_genesis *g,
                                    decc_err *err) {
  if (!out || !g)
    return decc_err_set(err, DECC_E_INVALID, "ledger: NULL argument");
  decc_ledger *l;
  decc_status s = ldg_open_db(&l, NULL, 1, err);
  if (s != DECC_OK)
    return s;
  if ((s = init_into(l, g, err)) != DECC_OK) {
    decc_ledger_close(l);
    return s;
  }
  *out = l;
  return DECC_OK;
}
