/*
 * db.c — the ledger's SQLite file: opening it (WAL, synchronous=FULL,
 * busy timeout, checkpoints on their own thread: ckpt.c), the schema,
 * loading the configuration from the meta table and initialising a new
 * ledger from its genesis (genesis.c). The SQL helpers every file uses
 * (statement cache, binder, meta table) are in sql.c.
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
    /* transactions (schema 1 also indexed txs(sender, nonce); no query
     * used it) and logs */
    LDG_TXS_SCHEMA LDG_LOGS_SCHEMA
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
    /* deals and tasks */
    LDG_RECORDS_SCHEMA;

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
    return decc_err_set(
        err, DECC_E_CORRUPT, "ledger: schema version %lld, expected %d (%s)",
        (long long)v, LDG_SCHEMA_VERSION,
        v > LDG_SCHEMA_VERSION
            ? "a newer decc wrote this file: open it with that version"
            : "not a ledger file this decc can read or upgrade");
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
                      /* checkpoints run on their own thread (ckpt.c) */
                      "PRAGMA wal_autocheckpoint=0;"
                      /* 8 MiB: room for every B-tree's inner levels and
                       * a few blocks' leaves (the hash and id indexes take
                       * inserts on random pages). A larger cache was
                       * slower: while it fills, each new page is a fresh
                       * allocation and page faults (32 MiB never filled
                       * in a 1,200-cycle bench_ledger run: ~10 % more
                       * CPU per cycle); pages it no longer holds come
                       * back from the OS's page cache */
                      "PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY;",
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
  decc_buf_init(&l->logbody, 0);
  l->sc = ldg_sigcache_new(); /* NULL: every signature is recovered */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create || memory)
    flags |= SQLITE_OPEN_CREATE;
  /* a file ledger's WAL frames are written once per transaction
   * (walbuf.c) */
  if (sqlite3_open_v2(memory ? ":memory:" : path, &l->db, flags,
                      memory ? NULL : ldg_walbuf_vfs()) != SQLITE_OK) {
    decc_status s = decc_err_set(err, DECC_E_IO, "ledger: cannot open %s: %s",
                                 memory ? ":memory:" : path,
                                 l->db ? sqlite3_errmsg(l->db) : "no memory");
    decc_ledger_close(l);
    return s;
  }
  decc_status s = configure(l, memory, err);
  if (s == DECC_OK && !memory)
    s = ldg_ckpt_start(l, path, err);
  if (s == DECC_OK && (create || memory)) {
    /* one transaction: the tables appear together, with one sync instead
     * of one per statement (~25 on a new file) */
    if ((s = ldg_exec_raw(l, "BEGIN IMMEDIATE", err)) == DECC_OK &&
        (s = ldg_exec_raw(l, SCHEMA, err)) == DECC_OK)
      s = ldg_exec_raw(l, "COMMIT", err);
    if (s != DECC_OK)
      ldg_exec_raw(l, "ROLLBACK", NULL);
  }
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
  ldg_ckpt_stop(l);
  ldg_pool_free(l);
  for (size_t i = 0; i < LDG_STMT_SLOTS; i++)
    if (l->stmts[i].st)
      sqlite3_finalize(l->stmts[i].st);
  for (size_t i = 0; i < LDG_LOGQ_SLOTS; i++) {
    sqlite3_finalize(l->logq[i].st);
    decc_free(l->logq[i].sql);
  }
  if (l->in_block)
    sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
  ldg_ov_free(l);
  ldg_logs_free(l);
  ldg_rc_free(l);
  ldg_bc_free(l);
  ldg_sigcache_free(l->sc);
  ldg_rcd_free(l);
  if (l->db)
    sqlite3_close(l->db);
  decc_free(l);
}

decc_status decc_ledger_open(decc_ledger **out, const char *path,
                             decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(path != NULL);
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
  if ((s = ldg_schema_upgrade(l, err)) != DECC_OK ||
      (s = ldg_load_config(l, err)) != DECC_OK) {
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
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(g != NULL);
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
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(g != NULL);
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
