/*
 * node_graphql.c — the subgraph endpoint of the market role:
 * POST /subgraphs/dataprotector (and /subgraphs/poco, whose `deals` are
 * node_poco_subgraph.c's) answers the GraphQL
 * queries the DataProtector SDK sends (`protectedDatas` with where / skip /
 * first / orderBy / orderDirection; docs/api/http.md "Subgraphs") in the
 * DataProtector subgraph's entity shapes.
 *
 * Backing store: an index of chain events kept by the node in
 * <home>/index/subgraph.sqlite. A thread follows the chain the node reads
 * (the embedded ledger or chain_url) with eth_getLogs-style queries from
 * the last indexed block: DataProtector's DatasetSchema(dataset, schema)
 * creates a ProtectedData (name and multiaddr read from the dataset entry,
 * creation time = the block's timestamp), the dataset registry's ERC-721
 * Transfer moves its owner. Rows and the cursor are committed in one SQLite
 * transaction per batch (WAL, synchronous=FULL), so after kill -9 the index
 * is exactly as of a batch boundary and the thread catches up from there.
 *
 * Queries are strict: only the entity, arguments, filters and fields below
 * exist; anything else is a GraphQL error ({"errors":[{"message"}]}, HTTP
 * 200 as graph-node does), with bounded work (graphql.h limits, first ≤
 * 1000, skip ≤ 100000, filters translated to SQL with bound parameters).
 */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "graphql.h"
#include "node_int.h"

#define GQ_MAX_FIRST 1000
#define GQ_MAX_SKIP 100000
#define GQ_BLOCK_SPAN 2000 /* blocks per indexing batch */
#define GQ_MAX_SQL 16384
#define GQ_MAX_PARAMS 512

struct node_graphql {
  decc_node *n;
  char *db_path;
  pthread_t thread;
  int running;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;
};

/* ---- index database ------------------------------------------------------- */

static const char *SCHEMA_SQL =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS protected_data("
    " id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL,"
    " multiaddr TEXT NOT NULL, json_schema TEXT NOT NULL,"
    " creation_ts INTEGER NOT NULL, block INTEGER NOT NULL, tx TEXT NOT NULL,"
    " log_index INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS pd_owner ON protected_data(owner, creation_ts);"
    "CREATE INDEX IF NOT EXISTS pd_ts ON protected_data(creation_ts);"
    "CREATE TABLE IF NOT EXISTS pd_schema(pd TEXT NOT NULL, item TEXT NOT NULL,"
    " PRIMARY KEY(pd, item)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS pd_schema_item ON pd_schema(item, pd);";

/* Bumped when the tables change: an index of another version is dropped and
 * rebuilt from the chain (it is only a cache of chain events). */
#define GQ_INDEX_VERSION 2
static const char *DROP_SQL = "DROP TABLE IF EXISTS meta;"
                              "DROP TABLE IF EXISTS protected_data;"
                              "DROP TABLE IF EXISTS pd_schema;";

static int64_t meta_get(sqlite3 *db, const char *k, int64_t dflt);
static int meta_set(sqlite3 *db, const char *k, int64_t v);

static int db_open(const char *path, int readonly, sqlite3 **out) {
  *out = NULL;
  int flags = readonly ? SQLITE_OPEN_READONLY
                       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path, out, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    sqlite3_close(*out);
    *out = NULL;
    return -1;
  }
  sqlite3_busy_timeout(*out, 5000);
  if (!readonly && (sqlite3_exec(*out, "PRAGMA synchronous=FULL", 0, 0, 0) ||
                    sqlite3_exec(*out, SCHEMA_SQL, 0, 0, 0))) {
    sqlite3_close(*out);
    *out = NULL;
    return -1;
  }
  if (!readonly && meta_get(*out, "version", 0) != GQ_INDEX_VERSION &&
      (sqlite3_exec(*out, "BEGIN IMMEDIATE", 0, 0, 0) ||
       sqlite3_exec(*out, DROP_SQL, 0, 0, 0) ||
       sqlite3_exec(*out, SCHEMA_SQL, 0, 0, 0) ||
       meta_set(*out, "version", GQ_INDEX_VERSION) ||
       sqlite3_exec(*out, "COMMIT", 0, 0, 0))) {
    sqlite3_close(*out);
    *out = NULL;
    return -1;
  }
  return 0;
}

static int64_t meta_get(sqlite3 *db, const char *k, int64_t dflt) {
  sqlite3_stmt *st;
  int64_t v = dflt;
  if (sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k=?1", -1, &st, 0))
    return dflt;
  sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static int meta_set(sqlite3 *db, const char *k, int64_t v) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta VALUES(?1,?2)", -1,
                         &st, 0))
    return -1;
  sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, v);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

/* ---- reading the chain ----------------------------------------------------- */

static void addr_hex(char out[DECC_ADDRESS_HEX_LEN], const decc_address *a) {
  decc_hex_encode(out, a->b, 20, 1); /* lowercase, as the subgraph's ids */
}

/* A view returning one dynamic `string` / `bytes`: appended to out. */
static int view_dyn(decc_chain *c, const decc_address *to, const char *sig,
                    decc_buf *out) {
  uint8_t sel[4];
  decc_abi_selector(sel, sig);
  decc_buf r;
  decc_buf_init(&r, 0);
  decc_err e;
  int rc = -1;
  if (decc_chain_call(c, NULL, to, sel, 4, &r, &e) == DECC_OK && r.len >= 64) {
    uint64_t off = 0, len = 0;
    for (int i = 24; i < 32; i++) {
      off = off << 8 | r.data[i];
      len = len << 8 | r.data[32 + i];
    }
    int hi = 0;
    for (int i = 0; i < 24; i++)
      hi |= r.data[i] | r.data[32 + i];
    if (!hi && off == 32 && len <= r.len - 64 &&
        decc_buf_append(out, r.data + 64, (size_t)len) == DECC_OK)
      rc = 0;
  }
  decc_buf_clear(&r);
  return rc;
}

static int view_owner(decc_chain *c, const decc_address *to,
                      decc_address *owner) {
  uint8_t sel[4];
  decc_abi_selector(sel, "owner()");
  decc_buf r;
  decc_buf_init(&r, 0);
  decc_err e;
  int rc = -1;
  if (decc_chain_call(c, NULL, to, sel, 4, &r, &e) == DECC_OK && r.len >= 32) {
    memcpy(owner->b, r.data + 12, 20);
    rc = 0;
  }
  decc_buf_clear(&r);
  return rc;
}

/* Timestamp of block `num`: the local ledger's block, or eth_getBlockByNumber
 * on chain_url. */
static int block_time(decc_node *n, uint64_t num, uint64_t *ts) {
  if (!n->remote_chain && n->ledger_path) {
    decc_ledger *l = decc__node_pool_acquire(&n->pool);
    decc_ledger_block b;
    decc_err e;
    int rc = l && decc_ledger_block_get(l, num, &b, &e) == DECC_OK ? 0 : -1;
    if (!rc)
      *ts = b.timestamp;
    if (l)
      decc__node_pool_release(&n->pool, l);
    return rc;
  }
  if (!n->cfg.chain_url)
    return -1;
  char body[160];
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\","
           "\"params\":[\"0x%" PRIx64 "\",false]}",
           num);
  const char *hdr[2] = {"Content-Type: application/json", NULL};
  decc_http_reply r;
  decc_err e;
  if (decc_http_fetch(&r, "POST", n->cfg.chain_url, hdr, body, strlen(body),
                      1 << 20, 10000, &e) != DECC_OK)
    return -1;
  json_error_t je;
  json_t *j = r.status == 200
                  ? json_loadb((const char *)r.body.data, r.body.len, 0, &je)
                  : NULL;
  decc_buf_clear(&r.body);
  const char *t = json_string_value(
      json_object_get(json_object_get(j, "result"), "timestamp"));
  int rc = -1;
  if (t && !strncmp(t, "0x", 2) && strlen(t) <= 18) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(t + 2, &end, 16);
    if (!errno && !*end) {
      *ts = v;
      rc = 0;
    }
  }
  json_decref(j);
  return rc;
}

/* The subgraph's SchemaEntry ids: "<dot path>:<type>" for each leaf of the
 * schema JSON (nested objects extend the path). */
static int schema_items(json_t *o, const char *prefix, sqlite3_stmt *ins,
                        const char *pd, int depth) {
  if (depth > 16)
    return 0;
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    char path[512];
    if (snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k) >=
        (int)sizeof path)
      continue;
    if (json_is_object(v)) {
      if (schema_items(v, path, ins, pd, depth + 1))
        return -1;
    } else if (json_is_string(v)) {
      char item[1024];
      if (snprintf(item, sizeof item, "%s:%s", path, json_string_value(v)) >=
          (int)sizeof item)
        continue;
      sqlite3_reset(ins);
      sqlite3_bind_text(ins, 1, pd, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 2, item, -1, SQLITE_TRANSIENT);
      if (sqlite3_step(ins) != SQLITE_DONE)
        return -1;
    }
  }
  return 0;
}

static int on_schema(decc_node *n, decc_chain *c, sqlite3 *db,
                     const decc_log *lg) {
  if (lg->n_topics < 2 || lg->data_len < 64)
    return 0; /* not the event we asked for: ignore */
  decc_address ds;
  memcpy(ds.b, lg->topics[1] + 12, 20);
  /* data = ABI (string schema) */
  uint64_t off = 0, len = 0;
  for (int i = 24; i < 32; i++) {
    off = off << 8 | lg->data[i];
    len = len << 8 | lg->data[32 + i];
  }
  if (off != 32 || len > lg->data_len - 64)
    return 0;
  char *schema = decc_strndup((const char *)lg->data + 64, (size_t)len);
  decc_buf name, ma;
  decc_buf_init(&name, 0);
  decc_buf_init(&ma, 0);
  decc_address owner;
  uint64_t ts = 0;
  int rc = -1;
  if (!schema || view_dyn(c, &ds, "m_datasetName()", &name) ||
      view_dyn(c, &ds, "m_datasetMultiaddr()", &ma) ||
      view_owner(c, &ds, &owner) || block_time(n, lg->block_number, &ts))
    goto out;
  char id[DECC_ADDRESS_HEX_LEN], ow[DECC_ADDRESS_HEX_LEN], txh[DECC_HEX32_LEN];
  addr_hex(id, &ds);
  addr_hex(ow, &owner);
  decc_hex_encode(txh, lg->tx_hash, 32, 1);
  char *mahex = decc_malloc(2 * ma.len + 3);
  if (!mahex)
    goto out;
  decc_hex_encode(mahex, ma.data, ma.len, 1);
  sqlite3_stmt *st = NULL, *ins = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT OR REPLACE INTO protected_data VALUES"
                         "(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                         -1, &st, 0) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO pd_schema VALUES(?1,?2)",
                         -1, &ins, 0) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ow, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, (const char *)name.data, (int)name.len,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 4, mahex, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, schema, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (int64_t)ts);
    sqlite3_bind_int64(st, 7, (int64_t)lg->block_number);
    sqlite3_bind_text(st, 8, txh, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, lg->log_index);
    if (sqlite3_step(st) == SQLITE_DONE) {
      json_error_t je;
      json_t *sj = json_loads(schema, JSON_REJECT_DUPLICATES, &je);
      rc = json_is_object(sj) ? schema_items(sj, "", ins, id, 0) : 0;
      json_decref(sj);
    }
  }
  sqlite3_finalize(st);
  sqlite3_finalize(ins);
  decc_free(mahex);
out:
  decc_free(schema);
  decc_buf_clear(&name);
  decc_buf_clear(&ma);
  return rc;
}

static int on_transfer(sqlite3 *db, const decc_log *lg) {
  if (lg->n_topics < 4)
    return 0;
  decc_address to, ds;
  memcpy(to.b, lg->topics[2] + 12, 20);
  memcpy(ds.b, lg->topics[3] + 12, 20);
  char id[DECC_ADDRESS_HEX_LEN], ow[DECC_ADDRESS_HEX_LEN];
  addr_hex(id, &ds);
  addr_hex(ow, &to);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "UPDATE protected_data SET owner=?2 WHERE id=?1",
                         -1, &st, 0))
    return -1;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, ow, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

/* One indexing round: every block after the cursor up to the head, in
 * batches committed with the cursor. Returns 0, -1 on a failure (retried
 * next round: nothing of the failed batch was committed). */
static int index_round(node_graphql *g, decc_chain *c, sqlite3 *db) {
  decc_node *n = g->n;
  uint64_t head;
  decc_err e;
  if (decc_chain_block_number(c, &head, &e) != DECC_OK)
    return -1;
  int64_t cur = meta_get(db, "cursor", -1);
  uint8_t t_schema[32], t_transfer[32];
  decc_abi_event_topic(t_schema, "DatasetSchema(address,string)");
  decc_abi_event_topic(t_transfer, "Transfer(address,address,uint256)");
  /* eth_getLogs answers are capped (10,000 logs on decc, less elsewhere):
   * a refused range is halved down to one block. */
  uint64_t span = GQ_BLOCK_SPAN;
  while ((int64_t)head > cur) {
    pthread_mutex_lock(&g->mu);
    int stop = g->stop;
    pthread_mutex_unlock(&g->mu);
    if (stop)
      return 0;
    uint64_t from = (uint64_t)(cur + 1), to = head;
    if (to - from >= span)
      to = from + span - 1;
    decc_address addrs[2] = {n->addr.dataprotector, n->addr.dataset_registry};
    uint8_t topics0[2][32];
    memcpy(topics0[0], t_schema, 32);
    memcpy(topics0[1], t_transfer, 32);
    decc_log_filter f;
    decc_log_filter_init(&f);
    f.from_block = from;
    f.to_block = to;
    f.addresses = addrs;
    f.n_addresses = 2;
    f.topic_alts[0] = (const uint8_t(*)[32])topics0;
    f.n_topic_alts[0] = 2;
    decc_log *logs = NULL;
    size_t nl = 0;
    if (decc_chain_get_logs(c, &f, &logs, &nl, &e) != DECC_OK) {
      if (span == 1)
        return -1;
      span /= 2;
      continue;
    }
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0) ? -1 : 0;
    for (size_t i = 0; !rc && i < nl; i++) {
      const decc_log *lg = &logs[i];
      if (!lg->n_topics)
        continue;
      if (decc_address_eq(&lg->address, &n->addr.dataprotector) &&
          !memcmp(lg->topics[0], t_schema, 32))
        rc = on_schema(n, c, db, lg);
      else if (decc_address_eq(&lg->address, &n->addr.dataset_registry) &&
               !memcmp(lg->topics[0], t_transfer, 32))
        rc = on_transfer(db, lg);
    }
    decc_logs_free(logs, nl);
    if (!rc)
      rc = meta_set(db, "cursor", (int64_t)to);
    if (rc || sqlite3_exec(db, "COMMIT", 0, 0, 0)) {
      sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
      return -1;
    }
    cur = (int64_t)to;
  }
  return 0;
}

static void *indexer(void *arg) {
  node_graphql *g = arg;
  decc_node *n = g->n;
  decc_chain *c = NULL;
  sqlite3 *db = NULL;
  decc_err e;
  unsigned period = n->cfg.market_poll_ms ? n->cfg.market_poll_ms : 500;
  int warned = 0;
  for (;;) {
    if (!db && db_open(g->db_path, 0, &db) && !warned++)
      decc__node_logf(n, "subgraph index: cannot open %s", g->db_path);
    if (db && !c && decc__node_chain_open(n, &c, &e) != DECC_OK) {
      c = NULL;
      if (!warned++)
        decc__node_logf(n, "subgraph index: %s", e.msg);
    }
    if (db && c && index_round(g, c, db) != 0 && !warned++)
      decc__node_logf(n, "subgraph index: a round failed; retrying");
    pthread_mutex_lock(&g->mu);
    if (!g->stop) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_nsec += (long)(period % 1000) * 1000000L;
      ts.tv_sec += period / 1000 + ts.tv_nsec / 1000000000L;
      ts.tv_nsec %= 1000000000L;
      pthread_cond_timedwait(&g->cv, &g->mu, &ts);
    }
    int stop = g->stop;
    pthread_mutex_unlock(&g->mu);
    if (stop)
      break;
  }
  decc_chain_destroy(c);
  sqlite3_close(db);
  return NULL;
}

/* ---- query execution ------------------------------------------------------- */

typedef struct q {
  char sql[GQ_MAX_SQL];
  size_t len;
  const char *params[GQ_MAX_PARAMS];
  int64_t iparams[GQ_MAX_PARAMS];
  int is_int[GQ_MAX_PARAMS];
  int np;
  char err[256];
  sqlite3_stmt *schema_st; /* prepared once per query, reused per row */
} q;

static int qerr(q *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int qerr(q *x, const char *fmt, ...) {
  if (!x->err[0]) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, sizeof x->err, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static int put(q *x, const char *s) {
  size_t l = strlen(s);
  if (x->len + l + 1 > sizeof x->sql)
    return qerr(x, "filter too large");
  memcpy(x->sql + x->len, s, l + 1);
  x->len += l;
  return 0;
}

static int param_s(q *x, const char *v) {
  if (x->np >= GQ_MAX_PARAMS)
    return qerr(x, "filter too large");
  x->params[x->np] = v;
  x->is_int[x->np++] = 0;
  return put(x, "?");
}

static int param_i(q *x, int64_t v) {
  if (x->np >= GQ_MAX_PARAMS)
    return qerr(x, "filter too large");
  x->iparams[x->np] = v;
  x->is_int[x->np++] = 1;
  return put(x, "?");
}

/* Bytes / ID values compare lowercase (the index stores lowercase hex). */
static const char *lower_hex(json_t *v, q *x, const char *key) {
  const char *s = json_string_value(v);
  if (!s || strncmp(s, "0x", 2) || strlen(s) > 1024) {
    qerr(x, "%s: expected a 0x-hex string", key);
    return NULL;
  }
  for (const char *p = s + 2; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
          (*p >= 'A' && *p <= 'F'))) {
      qerr(x, "%s: expected a 0x-hex string", key);
      return NULL;
    }
  /* json strings are immutable for us: lowercase in place is safe since
   * the value belongs to the parsed document. */
  for (char *p = (char *)s; *p; p++)
    if (*p >= 'A' && *p <= 'F')
      *p = (char)(*p - 'A' + 'a');
  return s;
}

static int bigint(json_t *v, int64_t *out, q *x, const char *key) {
  if (json_is_integer(v)) {
    *out = json_integer_value(v);
    return 0;
  }
  const char *s = json_string_value(v);
  char *end;
  if (s && *s) {
    errno = 0;
    long long r = strtoll(s, &end, 10);
    if (!errno && !*end) {
      *out = r;
      return 0;
    }
  }
  return qerr(x, "%s: expected a BigInt", key);
}

static int filter(q *x, json_t *w, int depth);

static int filter_list(q *x, json_t *a, const char *op, int depth,
                       const char *key) {
  if (!json_is_array(a) || json_array_size(a) == 0)
    return qerr(x, "%s: expected a non-empty list of filters", key);
  if (put(x, "("))
    return -1;
  for (size_t i = 0; i < json_array_size(a); i++) {
    if ((i && put(x, op)) || filter(x, json_array_get(a, i), depth + 1))
      return -1;
  }
  return put(x, ")");
}

/* ProtectedData_filter → SQL condition. */
static int filter(q *x, json_t *w, int depth) {
  if (depth > GQL_MAX_DEPTH)
    return qerr(x, "filter nested too deep");
  if (!json_is_object(w))
    return qerr(x, "where: expected a ProtectedData_filter object");
  if (json_object_size(w) == 0)
    return put(x, "1");
  const char *k;
  json_t *v;
  int first = 1;
  if (put(x, "("))
    return -1;
  json_object_foreach(w, k, v) {
    if (!first && put(x, " AND "))
      return -1;
    first = 0;
    int64_t iv = 0;
    const char *s;
    if (!strcmp(k, "and") || !strcmp(k, "or")) {
      if (filter_list(x, v, k[0] == 'a' ? " AND " : " OR ", depth, k))
        return -1;
    } else if (!strcmp(k, "id") || !strcmp(k, "owner") ||
               !strcmp(k, "id_not") || !strcmp(k, "owner_not")) {
      int neg = strstr(k, "_not") != NULL;
      if (!(s = lower_hex(v, x, k)) ||
          put(x, k[0] == 'i' ? (neg ? "id<>" : "id=")
                             : (neg ? "owner<>" : "owner=")) ||
          param_s(x, s))
        return -1;
    } else if (!strcmp(k, "id_in") || !strcmp(k, "owner_in")) {
      size_t na = json_array_size(v);
      if (!json_is_array(v) || na > GQ_MAX_FIRST)
        return qerr(x, "%s: expected a list", k);
      if (put(x, k[0] == 'i' ? "id IN (" : "owner IN ("))
        return -1;
      if (na == 0 && put(x, "NULL"))
        return -1;
      for (size_t i = 0; i < na; i++)
        if ((i && put(x, ",")) ||
            !(s = lower_hex(json_array_get(v, i), x, k)) || param_s(x, s))
          return -1;
      if (put(x, ")"))
        return -1;
    } else if (!strncmp(k, "creationTimestamp", 17)) {
      static const char *const ops[][2] = {{"", "="},    {"_not", "<>"},
                                           {"_gt", ">"}, {"_gte", ">="},
                                           {"_lt", "<"}, {"_lte", "<="}};
      const char *sfx = k + 17, *op = NULL;
      for (size_t i = 0; i < 6; i++)
        if (!strcmp(sfx, ops[i][0]))
          op = ops[i][1];
      if (!op)
        return qerr(x, "ProtectedData_filter has no field '%s'", k);
      if (bigint(v, &iv, x, k) || put(x, "creation_ts") || put(x, op) ||
          param_i(x, iv))
        return -1;
    } else if (!strcmp(k, "name") || !strcmp(k, "name_not")) {
      if (!json_is_string(v))
        return qerr(x, "%s: expected a string", k);
      if (put(x, k[4] ? "name<>" : "name=") || param_s(x, json_string_value(v)))
        return -1;
    } else if (!strcmp(k, "transactionHash") ||
               !strcmp(k, "transactionHash_not")) {
      if (!(s = lower_hex(v, x, k)) || put(x, k[15] ? "tx<>" : "tx=") ||
          param_s(x, s))
        return -1;
    } else if (!strcmp(k, "schema_contains")) {
      size_t na = json_array_size(v);
      if (!json_is_array(v) || na > 64)
        return qerr(x, "schema_contains: expected a list of at most 64 ids");
      if (na == 0 && put(x, "1"))
        return -1;
      for (size_t i = 0; i < na; i++) {
        json_t *it = json_array_get(v, i);
        if (!json_is_string(it))
          return qerr(x, "schema_contains: expected strings");
        if ((i && put(x, " AND ")) ||
            put(x, "id IN (SELECT pd FROM pd_schema WHERE item=") ||
            param_s(x, json_string_value(it)) || put(x, ")"))
          return -1;
      }
    } else {
      return qerr(x, "ProtectedData_filter has no field '%s'", k);
    }
  }
  return put(x, ")");
}

/* Selection of a ProtectedData → JSON object from the row. Columns: id,
 * owner, name, multiaddr, json_schema, creation_ts, block, tx. */
static json_t *pd_object(sqlite3 *db, sqlite3_stmt *row, const gql_field *sel,
                         size_t n_sel, q *x) {
  json_t *o = json_object();
  const char *id = (const char *)sqlite3_column_text(row, 0);
  for (size_t i = 0; o && i < n_sel; i++) {
    const gql_field *f = &sel[i];
    const char *nm = f->name;
    json_t *v = NULL;
    int leaf = 1;
    if (json_object_size(f->args)) {
      qerr(x, "field '%s' takes no arguments here", nm);
      goto bad;
    }
    if (!strcmp(nm, "id"))
      v = json_string(id);
    else if (!strcmp(nm, "name"))
      v = json_string((const char *)sqlite3_column_text(row, 2));
    else if (!strcmp(nm, "multiaddr"))
      v = json_string((const char *)sqlite3_column_text(row, 3));
    else if (!strcmp(nm, "jsonSchema"))
      v = json_string((const char *)sqlite3_column_text(row, 4));
    else if (!strcmp(nm, "creationTimestamp") || !strcmp(nm, "blockNumber")) {
      char b[24];
      snprintf(b, sizeof b, "%lld",
               (long long)sqlite3_column_int64(row, nm[0] == 'c' ? 5 : 6));
      v = json_string(b);
    } else if (!strcmp(nm, "transactionHash"))
      v = json_string((const char *)sqlite3_column_text(row, 7));
    else if (!strcmp(nm, "__typename"))
      v = json_string("ProtectedData");
    else if (!strcmp(nm, "owner")) {
      leaf = 0;
      if (!f->n_sub) {
        qerr(x, "field 'owner' of type 'Account' needs a selection");
        goto bad;
      }
      v = json_object();
      for (size_t k = 0; v && k < f->n_sub; k++) {
        if (strcmp(f->sub[k].name, "id")) {
          qerr(x, "type 'Account' has no field '%s'", f->sub[k].name);
          json_decref(v);
          goto bad;
        }
        json_object_set_new(
            v, f->sub[k].alias,
            json_string((const char *)sqlite3_column_text(row, 1)));
      }
    } else if (!strcmp(nm, "schema")) {
      leaf = 0;
      if (!f->n_sub) {
        qerr(x, "field 'schema' of type '[SchemaEntry!]' needs a selection");
        goto bad;
      }
      v = json_array();
      if (!x->schema_st &&
          sqlite3_prepare_v2(db,
                             "SELECT item FROM pd_schema WHERE pd=?1 ORDER BY "
                             "item LIMIT 1000",
                             -1, &x->schema_st, 0)) {
        qerr(x, "index unavailable");
        json_decref(v);
        goto bad;
      }
      sqlite3_stmt *st = x->schema_st;
      sqlite3_reset(st);
      sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
      while (v && sqlite3_step(st) == SQLITE_ROW) {
        const char *item = (const char *)sqlite3_column_text(st, 0);
        const char *colon = strrchr(item, ':');
        json_t *e = json_object();
        for (size_t k = 0; e && k < f->n_sub; k++) {
          const char *sn = f->sub[k].name;
          json_t *sv;
          if (!strcmp(sn, "id"))
            sv = json_string(item);
          else if (!strcmp(sn, "path"))
            sv = json_stringn(item,
                              colon ? (size_t)(colon - item) : strlen(item));
          else if (!strcmp(sn, "type"))
            sv = json_string(colon ? colon + 1 : "");
          else {
            qerr(x, "type 'SchemaEntry' has no field '%s'", sn);
            json_decref(e);
            e = NULL;
            break;
          }
          json_object_set_new(e, f->sub[k].alias, sv);
        }
        if (!e) {
          json_decref(v);
          v = NULL;
          break;
        }
        json_array_append_new(v, e);
      }
      sqlite3_reset(st);
      if (!v)
        goto bad;
    } else {
      qerr(x, "type 'ProtectedData' has no field '%s'", nm);
      goto bad;
    }
    if (leaf && f->n_sub) {
      qerr(x, "field '%s' is a scalar: no selection allowed", nm);
      json_decref(v);
      goto bad;
    }
    json_object_set_new(o, f->alias, v ? v : json_null());
  }
  return o;
bad:
  json_decref(o);
  return NULL;
}

static json_t *protected_datas(sqlite3 *db, const gql_field *f, q *x) {
  const char *k;
  json_t *v;
  int64_t first = 100, skip = 0;
  const char *order = "creation_ts", *dir = "ASC";
  json_t *where = NULL;
  json_object_foreach(f->args, k, v) {
    if (!strcmp(k, "first")) {
      if (!json_is_integer(v) || json_integer_value(v) < 0 ||
          json_integer_value(v) > GQ_MAX_FIRST) {
        qerr(x, "first: must be between 0 and %d", GQ_MAX_FIRST);
        return NULL;
      }
      first = json_integer_value(v);
    } else if (!strcmp(k, "skip")) {
      if (!json_is_integer(v) || json_integer_value(v) < 0 ||
          json_integer_value(v) > GQ_MAX_SKIP) {
        qerr(x, "skip: must be between 0 and %d", GQ_MAX_SKIP);
        return NULL;
      }
      skip = json_integer_value(v);
    } else if (!strcmp(k, "orderBy")) {
      const char *s = json_string_value(v);
      if (s && !strcmp(s, "creationTimestamp"))
        order = "creation_ts";
      else if (s && !strcmp(s, "id"))
        order = "id";
      else if (s && !strcmp(s, "name"))
        order = "name";
      else if (!json_is_null(v)) {
        qerr(x, "orderBy: ProtectedData_orderBy has no value '%s'",
             s ? s : "(not an enum)");
        return NULL;
      }
    } else if (!strcmp(k, "orderDirection")) {
      const char *s = json_string_value(v);
      if (s && !strcmp(s, "desc"))
        dir = "DESC";
      else if (s && !strcmp(s, "asc"))
        dir = "ASC";
      else if (!json_is_null(v)) {
        qerr(x, "orderDirection: must be asc or desc");
        return NULL;
      }
    } else if (!strcmp(k, "where")) {
      where = json_is_null(v) ? NULL : v;
    } else if (!strcmp(k, "block") || !strcmp(k, "subgraphError")) {
      qerr(x, "argument '%s' is not supported", k);
      return NULL;
    } else {
      qerr(x, "field 'protectedDatas' has no argument '%s'", k);
      return NULL;
    }
  }
  if (!f->n_sub) {
    qerr(x, "field 'protectedDatas' needs a selection");
    return NULL;
  }
  if (put(x, "SELECT id, owner, name, multiaddr, json_schema, creation_ts, "
             "block, tx FROM protected_data WHERE ") ||
      (where ? filter(x, where, 1) : put(x, "1")))
    return NULL;
  char tail[200];
  /* Ties (several items created in the same second) follow the chain's
   * order — "newest first" means the latest block and log — and the chain
   * position is unique, so pages never overlap. */
  snprintf(tail, sizeof tail,
           " ORDER BY %s %s, block %s, log_index %s, id %s LIMIT %lld OFFSET "
           "%lld",
           order, dir, dir, dir, dir, (long long)first, (long long)skip);
  if (put(x, tail))
    return NULL;
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, x->sql, -1, &st, 0)) {
    qerr(x, "index unavailable");
    return NULL;
  }
  for (int i = 0; i < x->np; i++) {
    if (x->is_int[i])
      sqlite3_bind_int64(st, i + 1, x->iparams[i]);
    else
      sqlite3_bind_text(st, i + 1, x->params[i], -1, SQLITE_STATIC);
  }
  json_t *arr = json_array();
  int rc;
  while (arr && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *o = pd_object(db, st, f->sub, f->n_sub, x);
    if (!o) {
      json_decref(arr);
      arr = NULL;
      break;
    }
    json_array_append_new(arr, o);
  }
  if (arr && rc != SQLITE_DONE) {
    qerr(x, "index read failed");
    json_decref(arr);
    arr = NULL;
  }
  sqlite3_finalize(st);
  return arr;
}

/* Answers reflect the chain as of the request: when the index is behind the
 * head, the indexer is woken and the query waits for it (at most
 * GQ_CATCHUP_MS; then it answers from what is indexed). */
#define GQ_CATCHUP_MS 3000
static void catch_up(node_graphql *g, sqlite3 *db) {
  decc_chain *c = decc__node_pool_acquire(&g->n->cpool);
  uint64_t head;
  decc_err e;
  int ok = c && decc_chain_block_number(c, &head, &e) == DECC_OK;
  if (c)
    decc__node_pool_release(&g->n->cpool, c);
  for (int waited = 0; ok && waited < GQ_CATCHUP_MS; waited += 10) {
    if (meta_get(db, "cursor", -1) >= (int64_t)head)
      return;
    pthread_mutex_lock(&g->mu);
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
  }
}

static void send_errors(decc_http_response *res, int status, const char *msg) {
  json_t *e = json_pack("{s:[{s:s}]}", "errors", "message", msg);
  decc__node_send_json(res, status, e);
}

/* POST /subgraphs/dataprotector and /subgraphs/poco: body
 * {"query", "variables"?, "operationName"?}. */
static void h_graphql(void *ctx, decc_http_request *req,
                      decc_http_response *res) {
  node_graphql *g = ctx;
  size_t blen = 0;
  const uint8_t *body = decc_http_req_body(req, &blen);
  json_error_t je;
  json_t *j = body ? json_loadb((const char *)body, blen, 0, &je) : NULL;
  json_t *qv = json_object_get(j, "query"),
         *vars = json_object_get(j, "variables");
  if (!json_is_object(j) || !json_is_string(qv) ||
      (vars && !json_is_null(vars) && !json_is_object(vars))) {
    json_decref(j);
    send_errors(res, 400,
                "the body must be {\"query\": string, \"variables\"?: object}");
    return;
  }
  gql_doc doc;
  char msg[256];
  if (gql_parse(&doc, json_string_value(qv), json_string_length(qv),
                json_is_object(vars) ? vars : NULL, msg, sizeof msg)) {
    json_decref(j);
    send_errors(res, 200, msg);
    return;
  }
  json_decref(j);
  int is_poco = strstr(decc_http_req_path(req), "/poco") != NULL;
  sqlite3 *db = NULL;
  q *x = decc_calloc(1, sizeof *x);
  json_t *data = json_object();
  if (!x || !data || db_open(g->db_path, 1, &db)) {
    send_errors(res, 503, "the subgraph index is not available yet");
    goto out;
  }
  catch_up(g, db);
  for (size_t i = 0; i < doc.n_fields; i++) {
    const gql_field *f = &doc.fields[i];
    json_t *v = NULL;
    if (!is_poco && !strcmp(f->name, "protectedDatas")) {
      sqlite3_finalize(x->schema_st);
      memset(x, 0, sizeof *x);
      v = protected_datas(db, f, x);
    } else if (is_poco && !strcmp(f->name, "deals")) {
      v = decc__node_poco_deals(g->n, f, x->err, sizeof x->err);
    } else if (!strcmp(f->name, "__typename") && !f->n_sub) {
      v = json_string("Query");
    } else {
      snprintf(x->err, sizeof x->err, "type 'Query' has no field '%s'%s",
               f->name, is_poco ? " (decc's PoCo subgraph serves deals)" : "");
    }
    if (!v) {
      send_errors(res, 200, x->err[0] ? x->err : "query failed");
      goto out;
    }
    json_object_set_new(data, f->alias, v);
  }
  decc__node_send_json(res, 200, json_pack("{s:o}", "data", data));
  data = NULL;
out:
  json_decref(data);
  if (x)
    sqlite3_finalize(x->schema_st);
  sqlite3_close(db);
  decc_free(x);
  gql_doc_clear(&doc);
}

/* ---- lifecycle ------------------------------------------------------------- */

decc_status decc__node_graphql_mount(decc_node *n, decc_err *err) {
  node_graphql *g = decc_calloc(1, sizeof *g);
  size_t l = strlen(n->cfg.home) + 64;
  if (!g || !(g->db_path = decc_malloc(l))) {
    decc_free(g);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  g->n = n;
  pthread_mutex_init(&g->mu, NULL);
  pthread_cond_init(&g->cv, NULL);
  n->graphql = g;
  snprintf(g->db_path, l, "%s/index", n->cfg.home);
  if (mkdir(g->db_path, 0700) && errno != EEXIST)
    return decc_err_set(err, DECC_E_IO, "%s: %s", g->db_path, strerror(errno));
  snprintf(g->db_path, l, "%s/index/subgraph.sqlite", n->cfg.home);
  sqlite3 *db;
  if (db_open(g->db_path, 0, &db))
    return decc_err_set(err, DECC_E_IO,
                        "%s: cannot open the subgraph index (delete it to "
                        "rebuild it from the chain)",
                        g->db_path);
  sqlite3_close(db);
  decc_status st;
  if ((st = decc_http_route(n->http, "POST", "/subgraphs/dataprotector",
                            h_graphql, g)) ||
      (st = decc_http_route(n->http, "POST", "/subgraphs/poco", h_graphql, g)))
    return decc_err_set(err, st, "subgraph routes");
  return DECC_OK;
}

decc_status decc__node_graphql_start(decc_node *n, decc_err *err) {
  node_graphql *g = n->graphql;
  if (!g || g->running)
    return DECC_OK;
  if (pthread_create(&g->thread, NULL, indexer, g))
    return decc_err_set(err, DECC_E_NOMEM, "cannot start the subgraph indexer");
  g->running = 1;
  return DECC_OK;
}

void decc__node_graphql_close(decc_node *n) {
  node_graphql *g = n->graphql;
  if (!g)
    return;
  if (g->running) {
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
  }
  pthread_mutex_destroy(&g->mu);
  pthread_cond_destroy(&g->cv);
  decc_free(g->db_path);
  decc_free(g);
  n->graphql = NULL;
}
