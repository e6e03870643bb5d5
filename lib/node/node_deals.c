/*
 * node_deals.c — the market API's deal routes (GET /deals, GET
 * /deals/{dealid}). Deals are the OrdersMatched events of the hub, each
 * completed with viewDeal (a deal does not change once matched). They are
 * kept in an index, <home>/market/deals.db (SQLite, WAL): one row per deal
 * with the filter columns (requester, beneficiary, app, dataset,
 * workerpool, category), its position on the chain (block, log index) and
 * its JSON, an index per filter ordered newest first, and a cursor (the
 * last block indexed). Before answering, a request indexes the blocks
 * after the cursor up to the head (BLOCK_SPAN blocks per logs query, rows
 * and cursor committed together, BEGIN IMMEDIATE so that concurrent
 * requests index a block once); the list and its count are then index
 * range reads, whatever the number of deals. The index is a cache of the
 * chain: deleting the file rebuilds it from block 0. A reorganisation of
 * a remote chain deeper than the indexed head is not undone (PoCo deal ids
 * are unique, so a deal re-mined elsewhere keeps its row).
 */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "node_int.h"

#define BLOCK_SPAN 2000 /* blocks per logs query */
#define LOGS_MAX 10000  /* logs per query; a full answer halves the span */
#define INDEX_VERSION 2 /* bumped when the table changes: rebuilt */

static const char SCHEMA[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS deals("
    " dealid BLOB PRIMARY KEY, block INTEGER NOT NULL, logi INTEGER NOT NULL,"
    " requester BLOB NOT NULL, beneficiary BLOB NOT NULL, app BLOB NOT NULL,"
    " dataset BLOB NOT NULL, workerpool BLOB NOT NULL,"
    " category INTEGER NOT NULL, app_hash BLOB NOT NULL,"
    " dataset_hash BLOB NOT NULL, workerpool_hash BLOB NOT NULL,"
    " request_hash BLOB NOT NULL, json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS deals_pos ON deals(block, logi);"
    "CREATE INDEX IF NOT EXISTS deals_requester ON deals(requester, block, "
    "logi);"
    "CREATE INDEX IF NOT EXISTS deals_beneficiary ON deals(beneficiary, block,"
    " logi);"
    "CREATE INDEX IF NOT EXISTS deals_app ON deals(app, block, logi);"
    "CREATE INDEX IF NOT EXISTS deals_dataset ON deals(dataset, block, logi);"
    "CREATE INDEX IF NOT EXISTS deals_workerpool ON deals(workerpool, block,"
    " logi);"
    "CREATE INDEX IF NOT EXISTS deals_category ON deals(category, block, logi);"
    "CREATE INDEX IF NOT EXISTS deals_app_hash ON deals(app_hash, block, logi);"
    "CREATE INDEX IF NOT EXISTS deals_dataset_hash ON deals(dataset_hash, "
    "block,"
    " logi);"
    "CREATE INDEX IF NOT EXISTS deals_workerpool_hash ON deals(workerpool_hash,"
    " block, logi);"
    "CREATE INDEX IF NOT EXISTS deals_request_hash ON deals(request_hash, "
    "block,"
    " logi);";
static const char DROP[] =
    "DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS deals;";

/* category stored as an integer; a category beyond int64 (not creatable
 * through PoCo's category registry) is stored as -1 and matches no filter */
#define CATEGORY_NONE (-1)

typedef struct deal_filter {
  int has[6];
  int has_hash[4]; /* apporderHash, datasetorderHash, workerpoolorderHash, */
  uint8_t hash[4][32]; /* requestorderHash (the market API's names) */
  decc_address a[6];   /* requester, beneficiary, app, dataset, workerpool, */
  uint64_t category;   /* has[5] */
} deal_filter;

static json_t *num_json(const decc_u256 *u) {
  uint64_t x;
  if (decc_u256_to_u64(&x, u) && x <= 9007199254740991ULL)
    return json_integer((json_int_t)x);
  char d[DECC_U256_DEC_LEN];
  return json_string(decc_u256_to_dec(d, u));
}

static json_t *res_json(const decc_poco_resource *r) {
  return json_pack(
      "{s:o,s:o,s:o}", "pointer", decc__node_json_addr(&r->pointer), "owner",
      decc__node_json_addr(&r->owner), "price", num_json(&r->price));
}

/* Builds the deal JSON from the log and viewDeal (*d, decc_poco_deal_clear
 * by the caller); NULL when the deal cannot be read. */
static json_t *deal_json(decc_node *n, decc_chain *l, const decc_log *log,
                         decc_poco_deal *d, decc_err *err) {
  memset(d, 0, sizeof *d);
  if (log->data_len < 6 * 32) {
    decc_err_set(err, DECC_E_PARSE, "OrdersMatched log too short");
    return NULL;
  }
  if (decc_hub_view_deal(l, log->data, d, err))
    return NULL;
  json_t *j = json_pack(
      "{s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,"
      "s:o,s:o,s:o,s:o,s:I,s:o}",
      "dealid", decc__json_hex(log->data, 32), "chainId",
      (json_int_t)n->chain_id, "app", res_json(&d->app), "dataset",
      res_json(&d->dataset), "workerpool", res_json(&d->workerpool), "appHash",
      decc__json_hex(log->data + 32, 32), "datasetHash",
      decc__json_hex(log->data + 64, 32), "workerpoolHash",
      decc__json_hex(log->data + 96, 32), "requestHash",
      decc__json_hex(log->data + 128, 32), "requester",
      decc__node_json_addr(&d->requester), "beneficiary",
      decc__node_json_addr(&d->beneficiary), "callback",
      decc__node_json_addr(&d->callback), "tag", decc__json_hex(d->tag, 32),
      "params", d->params ? d->params : "", "trust", num_json(&d->trust),
      "category", num_json(&d->category), "startTime", num_json(&d->start_time),
      "botFirst", num_json(&d->bot_first), "botSize", num_json(&d->bot_size),
      "workerStake", num_json(&d->worker_stake), "schedulerRewardRatio",
      num_json(&d->scheduler_reward_ratio), "blockNumber",
      (json_int_t)log->block_number, "transactionHash",
      decc__json_hex(log->tx_hash, 32));
  if (!j)
    decc_err_set(err, DECC_E_NOMEM, "out of memory");
  return j;
}

/* ---- the index ----------------------------------------------------------- */

static int64_t meta_get(sqlite3 *db, const char *k, int64_t dflt) {
  sqlite3_stmt *s = NULL;
  int64_t v = dflt;
  if (sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k=?1", -1, &s, NULL) ==
      SQLITE_OK) {
    sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
      v = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  return v;
}

static int meta_set(sqlite3 *db, const char *k, int64_t v) {
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "INSERT INTO meta(k,v) VALUES(?1,?2) ON "
                              "CONFLICT(k) DO UPDATE SET v=excluded.v",
                              -1, &s, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, v);
    rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(s);
  return rc;
}

static decc_status db_fail(sqlite3 *db, decc_err *err, const char *what) {
  return decc_err_set(err, DECC_E_IO, "deals index %s: %s", what,
                      db ? sqlite3_errmsg(db) : "cannot open");
}

/* An open connection to the index, with the identity of the file it
 * opened: a request reuses an idle connection (opening the file and
 * running SCHEMA was a third of a /deals request's CPU) only while the
 * file at the path is still that file, so that deleting the index still
 * rebuilds it, as the header says. */
typedef struct deals_db {
  sqlite3 *db;
  dev_t dev;
  ino_t ino;
} deals_db;

static void deals_db_close(void *h) {
  deals_db *d = h;
  if (!d)
    return;
  sqlite3_close(d->db);
  decc_free(d);
}

static int index_path(decc_node *n, char *path, size_t cap) {
  return (size_t)snprintf(path, cap, "%s/market/deals.db", n->cfg.home) < cap
             ? 0
             : -1;
}

/* Opens (creating) the index of n. */
static decc_status index_open(decc_node *n, deals_db **out, decc_err *err) {
  *out = NULL;
  char path[4200];
  if (index_path(n, path, sizeof path))
    return decc_err_set(err, DECC_E_LIMIT, "node home path too long");
  deals_db *d = decc_calloc(1, sizeof *d);
  if (!d)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                          SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK) {
    decc_status st = db_fail(db, err, path);
    sqlite3_close(db);
    decc_free(d);
    return st;
  }
  d->db = db;
  sqlite3_busy_timeout(db, 10000);
  struct stat sb;
  if (sqlite3_exec(db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK ||
      (meta_get(db, "version", 0) != INDEX_VERSION &&
       (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ||
        sqlite3_exec(db, DROP, NULL, NULL, NULL) ||
        sqlite3_exec(db, SCHEMA, NULL, NULL, NULL) ||
        meta_set(db, "version", INDEX_VERSION) ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)))) {
    decc_status st = db_fail(db, err, "schema");
    deals_db_close(d);
    return st;
  }
  if (stat(path, &sb) != 0) {
    decc_status st = decc_err_set(err, DECC_E_IO, "deals index %s: %s", path,
                                  strerror(errno));
    deals_db_close(d);
    return st;
  }
  d->dev = sb.st_dev;
  d->ino = sb.st_ino;
  *out = d;
  return DECC_OK;
}

/* An idle connection still open on the file at the index's path, or NULL
 * (a stale one is closed). */
static deals_db *index_take(decc_node *n) {
  deals_db *d = decc__node_idle_take(&n->dealsdb);
  char path[4200];
  struct stat sb;
  if (d && (index_path(n, path, sizeof path) || stat(path, &sb) != 0 ||
            sb.st_dev != d->dev || sb.st_ino != d->ino)) {
    deals_db_close(d);
    d = NULL;
  }
  return d;
}

/* Gives a connection back for the next request; one left inside a
 * transaction (a failed step) is closed instead, which rolls it back. */
static void index_done(decc_node *n, deals_db *d) {
  if (d && !sqlite3_get_autocommit(d->db)) {
    deals_db_close(d);
    return;
  }
  decc__node_idle_put(&n->dealsdb, d);
}

static decc_status insert_deal(sqlite3 *db, sqlite3_stmt *ins, decc_node *n,
                               decc_chain *l, const decc_log *log,
                               decc_err *err) {
  decc_poco_deal d;
  json_t *j = deal_json(n, l, log, &d, err);
  if (!j) {
    decc_poco_deal_clear(&d);
    return err ? err->code : DECC_E_IO;
  }
  char *js = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  uint64_t cat = 0;
  int64_t category = decc_u256_to_u64(&cat, &d.category) && cat <= INT64_MAX
                         ? (int64_t)cat
                         : CATEGORY_NONE;
  decc_status st = DECC_OK;
  if (!js) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto out;
  }
  sqlite3_reset(ins);
  sqlite3_bind_blob(ins, 1, log->data, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int64(ins, 2, (int64_t)log->block_number);
  sqlite3_bind_int64(ins, 3, (int64_t)log->log_index);
  sqlite3_bind_blob(ins, 4, d.requester.b, 20, SQLITE_TRANSIENT);
  sqlite3_bind_blob(ins, 5, d.beneficiary.b, 20, SQLITE_TRANSIENT);
  sqlite3_bind_blob(ins, 6, d.app.pointer.b, 20, SQLITE_TRANSIENT);
  sqlite3_bind_blob(ins, 7, d.dataset.pointer.b, 20, SQLITE_TRANSIENT);
  sqlite3_bind_blob(ins, 8, d.workerpool.pointer.b, 20, SQLITE_TRANSIENT);
  sqlite3_bind_int64(ins, 9, category);
  for (int i = 0; i < 4; i++) /* the orders' hashes, from the log */
    sqlite3_bind_blob(ins, 10 + i, log->data + 32 * (i + 1), 32,
                      SQLITE_TRANSIENT);
  sqlite3_bind_text(ins, 14, js, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(ins) != SQLITE_DONE)
    st = db_fail(db, err, "insert");
out:
  free(js);
  decc_poco_deal_clear(&d);
  return st;
}

/* Indexes the blocks after the cursor up to the chain's head. */
static decc_status index_catch_up(decc_node *n, sqlite3 *db, decc_chain *l,
                                  decc_err *err) {
  uint64_t head = 0;
  decc_status st = decc_chain_block_number(l, &head, err);
  if (st)
    return st;
  /* cheap check first: nothing to do is the common case */
  if (meta_get(db, "cursor", -1) >= (int64_t)head)
    return DECC_OK;
  uint8_t topic[32];
  if ((st = decc_poco_event_topic(topic, DECC_EV_ORDERS_MATCHED)))
    return decc_err_set(err, st, "event topic");
  /* one writer at a time; the others find the cursor moved */
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return db_fail(db, err, "begin");
  int64_t cur = meta_get(db, "cursor", -1);
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  sqlite3_stmt *ins = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT OR IGNORE INTO deals(dealid,block,logi,"
                         "requester,beneficiary,app,dataset,workerpool,"
                         "category,app_hash,dataset_hash,workerpool_hash,"
                         "request_hash,json) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,"
                         "?9,?10,?11,?12,?13,?14)",
                         -1, &ins, NULL) != SQLITE_OK)
    return db_fail(db, err, "insert");
  uint64_t span = BLOCK_SPAN;
  while (!st && cur < (int64_t)head) {
    uint64_t from = (uint64_t)(cur + 1);
    uint64_t to = head - from + 1 > span ? from + span - 1 : head;
    decc_log_filter f;
    decc_log_filter_init(&f);
    f.from_block = from;
    f.to_block = to;
    f.addresses = &n->addr.hub;
    f.n_addresses = 1;
    f.topic_alts[0] = (const uint8_t(*)[32])topic;
    f.n_topic_alts[0] = 1;
    f.limit = LOGS_MAX;
    decc_log *logs = NULL;
    size_t nlogs = 0;
    if ((st = decc_chain_get_logs(l, &f, &logs, &nlogs, err)))
      break;
    if (nlogs >= LOGS_MAX && to > from) {
      /* possibly cut: ask again for fewer blocks */
      decc_logs_free(logs, nlogs);
      span = (to - from + 1) / 2;
      continue;
    }
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
      decc_logs_free(logs, nlogs);
      st = db_fail(db, err, "begin");
      break;
    }
    /* another request may have indexed these blocks meanwhile */
    int64_t now_cur = meta_get(db, "cursor", -1);
    for (size_t k = 0; !st && now_cur < (int64_t)to && k < nlogs; k++)
      st = insert_deal(db, ins, n, l, &logs[k], err);
    if (!st && now_cur < (int64_t)to && meta_set(db, "cursor", (int64_t)to))
      st = db_fail(db, err, "cursor");
    sqlite3_exec(db, st ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
    decc_logs_free(logs, nlogs);
    cur = now_cur > (int64_t)to ? now_cur : (int64_t)to;
    span = BLOCK_SPAN;
  }
  sqlite3_finalize(ins);
  return st;
}

/* Opens the index (or takes an idle connection) and brings it to the
 * head; *d to give back with index_done. */
static decc_status index_ready(decc_node *n, deals_db **d, decc_err *err) {
  decc_status st = DECC_OK;
  if (!(*d = index_take(n)) && (st = index_open(n, d, err)))
    return st;
  decc_chain *l = decc__node_pool_acquire(&n->cpool);
  st = index_catch_up(n, (*d)->db, l, err);
  decc__node_pool_release(&n->cpool, l);
  if (st) {
    deals_db_close(*d);
    *d = NULL;
  }
  return st;
}

static int chain_ok(decc_node *n, decc_http_request *req,
                    decc_http_response *res) {
  const char *c = decc_http_req_query(req, "chainId");
  if (!c)
    return 1;
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(c, &end, 10);
  if (!*c || errno || *end || v != n->chain_id) {
    (void)decc_http_res_error(res, 404, "chainId %.24s is not served here", c);
    return 0;
  }
  return 1;
}

static void h_deals(void *ctx, decc_http_request *req,
                    decc_http_response *res) {
  decc_node *n = ctx;
  if (!chain_ok(n, req, res))
    return;
  deal_filter f;
  memset(&f, 0, sizeof f);
  static const char *names[5] = {"requester", "beneficiary", "app", "dataset",
                                 "workerpool"};
  for (int i = 0; i < 5; i++) {
    const char *v = decc_http_req_query(req, names[i]);
    if (!v)
      continue;
    if (decc_address_parse(&f.a[i], v, NULL) != DECC_OK) {
      (void)decc_http_res_error(res, 400, "%s must be an address", names[i]);
      return;
    }
    f.has[i] = 1;
  }
  static const char *hnames[4] = {"apporderHash", "datasetorderHash",
                                  "workerpoolorderHash", "requestorderHash"};
  for (int i = 0; i < 4; i++) {
    const char *v = decc_http_req_query(req, hnames[i]);
    if (!v)
      continue;
    if (strncmp(v, "0x", 2) ||
        decc_hex_decode_exact(f.hash[i], 32, v, hnames[i], NULL) != DECC_OK) {
      (void)decc_http_res_error(res, 400, "%s must be a 0x-prefixed bytes32",
                                hnames[i]);
      return;
    }
    f.has_hash[i] = 1;
  }
  unsigned long long page = 0, size = 20;
  const char *c = decc_http_req_query(req, "category");
  const char *pi = decc_http_req_query(req, "pageIndex");
  const char *ps = decc_http_req_query(req, "pageSize");
  char *end = NULL;
  if (c) {
    errno = 0;
    f.category = strtoull(c, &end, 10);
    if (!*c || errno || *end) {
      (void)decc_http_res_error(res, 400, "category must be a number");
      return;
    }
    f.has[5] = 1;
  }
  if (pi) {
    errno = 0;
    page = strtoull(pi, &end, 10);
    if (!*pi || errno || *end || page > 1000000) {
      (void)decc_http_res_error(res, 400, "pageIndex must be a number");
      return;
    }
  }
  if (ps) {
    errno = 0;
    size = strtoull(ps, &end, 10);
    if (!*ps || errno || *end || size < DECC_MARKET_PAGE_MIN ||
        size > DECC_MARKET_PAGE_MAX) {
      (void)decc_http_res_error(res, 400, "pageSize must be between %d and %d",
                                DECC_MARKET_PAGE_MIN, DECC_MARKET_PAGE_MAX);
      return;
    }
  }
  decc_err e;
  decc_err_clear(&e);
  deals_db *dd = NULL;
  decc_status st = index_ready(n, &dd, &e);
  sqlite3 *db = dd ? dd->db : NULL;
  if (st) {
    (void)decc_http_res_error(res, 500, "deals: %s", e.msg);
    return;
  }
  /* the filters, each served by its index; newest first */
  static const char *cols[5] = {"requester", "beneficiary", "app", "dataset",
                                "workerpool"};
  static const char *hcols[4] = {"app_hash", "dataset_hash", "workerpool_hash",
                                 "request_hash"};
  char where[768] = "";
  size_t wl = 0;
  for (int i = 0; i < 6; i++)
    if (f.has[i])
      wl += (size_t)snprintf(where + wl, sizeof where - wl, "%s%s=?%d",
                             wl ? " AND " : " WHERE ",
                             i < 5 ? cols[i] : "category", i + 1);
  for (int i = 0; i < 4; i++)
    if (f.has_hash[i])
      wl += (size_t)snprintf(where + wl, sizeof where - wl, "%s%s=?%d",
                             wl ? " AND " : " WHERE ", hcols[i], i + 7);
  char sql_count[900], sql_page[1000];
  snprintf(sql_count, sizeof sql_count, "SELECT COUNT(*) FROM deals%s", where);
  snprintf(sql_page, sizeof sql_page,
           "SELECT json FROM deals%s ORDER BY block DESC, logi DESC LIMIT ?11 "
           "OFFSET ?12",
           where);
  sqlite3_stmt *sc = NULL, *sp = NULL;
  json_t *list = json_array();
  int64_t matched = 0;
  if (sqlite3_prepare_v2(db, sql_count, -1, &sc, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, sql_page, -1, &sp, NULL) != SQLITE_OK || !list) {
    st = db_fail(db, &e, "query");
    goto out;
  }
  sqlite3_stmt *both[2] = {sc, sp};
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 6; i++)
      if (f.has[i]) {
        if (i < 5)
          sqlite3_bind_blob(both[k], i + 1, f.a[i].b, 20, SQLITE_STATIC);
        else
          sqlite3_bind_int64(both[k], i + 1,
                             f.category > INT64_MAX ? CATEGORY_NONE - 1
                                                    : (int64_t)f.category);
      }
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 4; i++)
      if (f.has_hash[i])
        sqlite3_bind_blob(both[k], i + 7, f.hash[i], 32, SQLITE_STATIC);
  sqlite3_bind_int64(sp, 11, (int64_t)size);
  sqlite3_bind_int64(sp, 12, (int64_t)(page * size));
  /* count and page from one snapshot */
  sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
  if (sqlite3_step(sc) == SQLITE_ROW)
    matched = sqlite3_column_int64(sc, 0);
  int rc;
  while ((rc = sqlite3_step(sp)) == SQLITE_ROW) {
    json_t *d = json_loads((const char *)sqlite3_column_text(sp, 0), 0, NULL);
    if (!d || json_array_append_new(list, d)) {
      st = decc_err_set(&e, DECC_E_NOMEM, "out of memory");
      break;
    }
  }
  if (!st && rc != SQLITE_DONE)
    st = db_fail(db, &e, "query");
  sqlite3_reset(sc);
  sqlite3_reset(sp);
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
out:
  sqlite3_finalize(sc);
  sqlite3_finalize(sp);
  index_done(n, dd);
  if (st) {
    json_decref(list);
    (void)decc_http_res_error(res, 500, "deals: %s", e.msg);
    return;
  }
  json_t *j = json_pack("{s:b,s:o,s:I}", "ok", 1, "deals", list, "count",
                        (json_int_t)matched);
  if (j && (page + 1) * size < (uint64_t)matched)
    json_object_set_new(j, "nextPage", json_integer((json_int_t)(page + 1)));
  decc__node_send_json(res, 200, j);
}

static void h_deal(void *ctx, decc_http_request *req, decc_http_response *res) {
  decc_node *n = ctx;
  if (!chain_ok(n, req, res))
    return;
  const char *id = decc_http_req_param(req, "dealid");
  uint8_t h[32];
  if (!id || strncmp(id, "0x", 2) ||
      decc_hex_decode_exact(h, 32, id, "dealid", NULL) != DECC_OK) {
    (void)decc_http_res_error(res, 400, "dealid must be a 0x-prefixed bytes32");
    return;
  }
  decc_err e;
  decc_err_clear(&e);
  deals_db *dd = NULL;
  decc_status st = index_ready(n, &dd, &e);
  sqlite3 *db = dd ? dd->db : NULL;
  json_t *d = NULL;
  sqlite3_stmt *s = NULL;
  if (!st && sqlite3_prepare_v2(db, "SELECT json FROM deals WHERE dealid=?1",
                                -1, &s, NULL) != SQLITE_OK)
    st = db_fail(db, &e, "query");
  if (!st) {
    sqlite3_bind_blob(s, 1, h, 32, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW &&
        !(d = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL)))
      st = decc_err_set(&e, DECC_E_NOMEM, "out of memory");
  }
  sqlite3_finalize(s);
  index_done(n, dd);
  if (st) {
    (void)decc_http_res_error(res, 500, "deals: %s", e.msg);
    return;
  }
  if (!d) {
    (void)decc_http_res_error(res, 404, "deal %s not found", id);
    return;
  }
  json_t *j = json_pack("{s:b}", "ok", 1);
  json_object_update(j, d);
  json_decref(d);
  decc__node_send_json(res, 200, j);
}

decc_status decc__node_deals_mount(decc_node *n, decc_err *err) {
  decc__node_idle_init(&n->dealsdb, deals_db_close);
  decc_status st = decc_http_route(n->http, "GET", "/deals", h_deals, n);
  if (!st)
    st = decc_http_route(n->http, "GET", "/deals/{dealid}", h_deal, n);
  return st ? decc_err_set(err, st, "deal routes: %s", decc_strerror(st))
            : DECC_OK;
}
