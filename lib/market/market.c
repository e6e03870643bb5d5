/*
 * market.c — the orderbook (see decc/market.h).
 *
 * Orders are kept in one SQLite table with the columns the market API
 * filters on pulled out of the order: resource, signer, price, remaining,
 * tag (four 64-bit words so tag filters are bit operations in SQL),
 * category, trust and the restriction fields. Numeric fields are bounded
 * by 2^53-1 exactly as the market API bounds them, so they fit SQLite
 * integers and sort numerically. The order itself is kept as its SDK JSON.
 *
 * Concurrency: writes (publish, unpublish, chain events) go through one
 * read-write connection under m->mu. Reads (list queries, get by hash) run
 * on a pool of read-only connections, one per concurrent caller, opened on
 * demand: the file is in WAL mode, so readers see a consistent snapshot and
 * neither wait for each other nor for the writer. An in-memory book has no
 * file other connections could open, so it is read through the writer.
 *
 * Indexes: every list query starts from an index range on (type, status,
 * category | resource | signer | beneficiary) ordered by price, ts, hash,
 * so a page is read in order without sorting; the remaining filters
 * (restrictions, which are mostly the zero address, tags, volume, trust)
 * are checked on the rows of that range. The count of a filter walks the
 * same range; each reader keeps the counts it computed together with the
 * book's data version (PRAGMA data_version, which changes on every commit
 * of any connection) and reuses one only while the book is unchanged, so a
 * count is never stale and a busy category page costs one index walk per
 * change of the book instead of one per request.
 */
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/encoding.h"
#include "decc/market.h"
#include "decc/mem.h"

enum { ST_OPEN = 0, ST_FILLED = 1, ST_CANCELED = 2, ST_DEAD = 3 };
static const char *const STATUS_NAMES[] = {"open", "filled", "canceled",
                                           "dead"};

#define READERS_MAX 64   /* more concurrent readers than this wait */
#define READER_STMTS 24  /* prepared statements kept per reader */
#define READER_COUNTS 64 /* filter counts kept per reader */

typedef struct stmt_slot {
  char *sql;
  sqlite3_stmt *s;
  uint64_t used;
} stmt_slot;

typedef struct count_slot {
  char *key; /* where clause + bound values; NULL = empty slot */
  size_t key_len;
  int64_t version; /* data_version the count was computed at */
  int64_t count;
  uint64_t used;
} count_slot;

/* One read-only connection with its statement and count caches; used by
 * one thread at a time (taken from the pool). */
typedef struct reader {
  sqlite3 *db;
  int owns_db;      /* 0: the writer connection (in-memory book) */
  int cache_counts; /* data_version only sees other connections' commits */
  uint64_t tick;
  stmt_slot stmts[READER_STMTS];
  count_slot counts[READER_COUNTS];
  struct reader *next;
} reader;

struct decc_market {
  sqlite3 *db;
  pthread_mutex_t mu;
  char *path;          /* NULL: in-memory, read through the writer */
  pthread_mutex_t rmu; /* guards the reader pool */
  pthread_cond_t rcv;
  reader *free_readers;
  int nreaders;      /* opened (free or in use) */
  reader mem_reader; /* in-memory book: the writer, under mu */
  uint64_t chain_id;
  decc_address hub;
  uint8_t domain[32];
  decc_market_world world;
  int64_t seq; /* tie-breaker for orders published in the same millisecond */
};

static const char SCHEMA[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS orders("
    " hash BLOB PRIMARY KEY, type INTEGER NOT NULL, resource BLOB NOT NULL,"
    " signer BLOB NOT NULL, price INTEGER NOT NULL, volume INTEGER NOT NULL,"
    " remaining INTEGER NOT NULL, status INTEGER NOT NULL,"
    " t0 INTEGER NOT NULL, t1 INTEGER NOT NULL, t2 INTEGER NOT NULL,"
    " t3 INTEGER NOT NULL, category INTEGER NOT NULL, trust INTEGER NOT NULL,"
    " r_app BLOB NOT NULL, r_dataset BLOB NOT NULL, r_workerpool BLOB NOT NULL,"
    " r_requester BLOB NOT NULL, beneficiary BLOB NOT NULL,"
    " ts INTEGER NOT NULL, seq INTEGER NOT NULL, order_json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS orders_res ON orders(type, status, resource,"
    " price, ts, hash);"
    "CREATE INDEX IF NOT EXISTS orders_cat ON orders(type, status, category,"
    " price, ts, hash);"
    /* category + resource lookups (workerpool orders of one pool, request
     * orders of one requester): without it SQLite picks orders_cat and
     * walks the whole category. */
    "CREATE INDEX IF NOT EXISTS orders_cat_res ON orders(type, status,"
    " category, resource, price, ts, hash);"
    "CREATE INDEX IF NOT EXISTS orders_signer ON orders(type, signer, status);"
    /* request orders of one beneficiary (given only as a specific address,
     * so selective); the restriction columns get no index: they are the
     * zero address on most rows, and without statistics SQLite could pick
     * such an index over the category or resource range */
    "CREATE INDEX IF NOT EXISTS orders_benef ON orders(type, status,"
    " beneficiary, price, ts, hash);"
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB);"
    /* grant policies' expiries (decc_market_set_expiry, docs/receipts.md) */
    "CREATE TABLE IF NOT EXISTS grant_expiry(hash BLOB PRIMARY KEY,"
    " expires INTEGER NOT NULL);";

static uint64_t now_ms(const decc_market *m) {
  if (m->world.now)
    return m->world.now(m->world.ctx) * 1000u;
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
}

static void iso_time(char out[40], uint64_t ms) {
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char date[32];
  if (strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
    date[0] = 0;
  snprintf(out, 40, "%.24s.%03uZ", date, (unsigned)(ms % 1000));
}

static decc_status db_err(decc_market *m, decc_err *err, const char *what) {
  return decc_err_set(err, DECC_E_IO, "market %s: %s", what,
                      sqlite3_errmsg(m->db));
}

decc_status decc_market_open(decc_market **out, const char *path,
                             uint64_t chain_id, const decc_address *hub,
                             const decc_market_world *world, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(hub != NULL);
  *out = NULL;
  decc_market *m = decc_calloc(1, sizeof *m);
  if (!m)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (sqlite3_open_v2(path, &m->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                          SQLITE_OPEN_FULLMUTEX,
                      NULL) != SQLITE_OK) {
    decc_status st =
        decc_err_set(err, DECC_E_IO, "market %s: %s", path,
                     m->db ? sqlite3_errmsg(m->db) : "cannot open");
    sqlite3_close(m->db);
    decc_free(m);
    return st;
  }
  sqlite3_busy_timeout(m->db, 5000);
  char *emsg = NULL;
  if (sqlite3_exec(m->db, SCHEMA, NULL, NULL, &emsg) != SQLITE_OK) {
    decc_status st =
        decc_err_set(err, DECC_E_IO, "market schema: %s", emsg ? emsg : "?");
    sqlite3_free(emsg);
    sqlite3_close(m->db);
    decc_free(m);
    return st;
  }
  pthread_mutex_init(&m->mu, NULL);
  pthread_mutex_init(&m->rmu, NULL);
  pthread_cond_init(&m->rcv, NULL);
  m->mem_reader.db = m->db;
  if (path[0] && strcmp(path, ":memory:") != 0 &&
      strncmp(path, "file:", 5) != 0) {
    m->path = decc_strdup(path);
    if (!m->path) {
      decc_market_close(m);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
  }
  m->chain_id = chain_id;
  m->hub = *hub;
  decc_poco_domain_separator(m->domain, chain_id, hub);
  if (world)
    m->world = *world;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(m->db, "SELECT COALESCE(MAX(seq),0) FROM orders", -1,
                         &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    m->seq = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  *out = m;
  return DECC_OK;
}

static void reader_clear(reader *r) {
  for (int i = 0; i < READER_STMTS; i++) {
    sqlite3_finalize(r->stmts[i].s);
    decc_free(r->stmts[i].sql);
  }
  for (int i = 0; i < READER_COUNTS; i++)
    decc_free(r->counts[i].key);
  if (r->owns_db)
    sqlite3_close(r->db);
  memset(r, 0, sizeof *r);
}

void decc_market_close(decc_market *m) {
  if (!m)
    return;
  /* callers have returned: every reader is back in the free list */
  while (m->free_readers) {
    reader *r = m->free_readers;
    m->free_readers = r->next;
    reader_clear(r);
    decc_free(r);
  }
  reader_clear(&m->mem_reader);
  sqlite3_close(m->db);
  pthread_mutex_destroy(&m->mu);
  pthread_mutex_destroy(&m->rmu);
  pthread_cond_destroy(&m->rcv);
  decc_free(m->path);
  decc_free(m);
}

/* ---- readers ------------------------------------------------------------- */

/* Takes a reader: a pooled read-only connection, or for an in-memory book
 * the writer with m->mu held. NULL only when a new connection cannot be
 * opened (then the caller reads through the writer too). */
static reader *reader_acquire(decc_market *m) {
  if (!m->path) {
    pthread_mutex_lock(&m->mu);
    return &m->mem_reader;
  }
  pthread_mutex_lock(&m->rmu);
  for (;;) {
    if (m->free_readers) {
      reader *r = m->free_readers;
      m->free_readers = r->next;
      pthread_mutex_unlock(&m->rmu);
      return r;
    }
    if (m->nreaders < READERS_MAX)
      break;
    pthread_cond_wait(&m->rcv, &m->rmu);
  }
  m->nreaders++;
  pthread_mutex_unlock(&m->rmu);
  reader *r = decc_calloc(1, sizeof *r);
  /* NOMUTEX: a reader is used by one thread at a time */
  if (r && sqlite3_open_v2(m->path, &r->db,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                           NULL) == SQLITE_OK) {
    r->owns_db = 1;
    r->cache_counts = 1;
    sqlite3_busy_timeout(r->db, 5000);
    return r;
  }
  if (r) {
    sqlite3_close(r->db);
    decc_free(r);
  }
  pthread_mutex_lock(&m->rmu);
  m->nreaders--;
  pthread_cond_signal(&m->rcv);
  pthread_mutex_unlock(&m->rmu);
  pthread_mutex_lock(&m->mu);
  return &m->mem_reader;
}

static void reader_release(decc_market *m, reader *r) {
  if (r == &m->mem_reader) {
    pthread_mutex_unlock(&m->mu);
    return;
  }
  pthread_mutex_lock(&m->rmu);
  r->next = m->free_readers;
  m->free_readers = r;
  pthread_cond_signal(&m->rcv);
  pthread_mutex_unlock(&m->rmu);
}

/* A prepared statement for sql from r's cache (least recently used one
 * replaced), reset and with its bindings cleared; owned by the cache.
 * NULL on error (sqlite3_errmsg(r->db) says why). */
static sqlite3_stmt *reader_stmt(reader *r, const char *sql) {
  stmt_slot *victim = &r->stmts[0];
  r->tick++;
  for (int i = 0; i < READER_STMTS; i++) {
    stmt_slot *e = &r->stmts[i];
    if (e->sql && strcmp(e->sql, sql) == 0) {
      e->used = r->tick;
      sqlite3_reset(e->s);
      sqlite3_clear_bindings(e->s);
      return e->s;
    }
    if (!e->sql || e->used < victim->used)
      victim = e;
    if (!e->sql)
      break;
  }
  sqlite3_stmt *s = NULL;
  char *copy = decc_strdup(sql);
  if (!copy || sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
                                  NULL) != SQLITE_OK) {
    decc_free(copy);
    sqlite3_finalize(s);
    return NULL;
  }
  sqlite3_finalize(victim->s);
  decc_free(victim->sql);
  victim->sql = copy;
  victim->s = s;
  victim->used = r->tick;
  return s;
}

/* The count cached for key at version, or -1. */
static int64_t count_lookup(reader *r, const char *key, size_t key_len,
                            int64_t version) {
  if (!r->cache_counts)
    return -1;
  for (int i = 0; i < READER_COUNTS; i++) {
    count_slot *c = &r->counts[i];
    if (c->key && c->key_len == key_len && c->version == version &&
        memcmp(c->key, key, key_len) == 0) {
      c->used = ++r->tick;
      return c->count;
    }
  }
  return -1;
}

static void count_store(reader *r, const char *key, size_t key_len,
                        int64_t version, int64_t count) {
  if (!r->cache_counts)
    return;
  count_slot *victim = &r->counts[0];
  for (int i = 0; i < READER_COUNTS; i++) {
    count_slot *c = &r->counts[i];
    if (c->key && c->key_len == key_len && memcmp(c->key, key, key_len) == 0) {
      victim = c; /* same filter, older version: update in place */
      break;
    }
    if (!c->key || c->used < victim->used)
      victim = c;
  }
  if (!victim->key || victim->key_len != key_len ||
      memcmp(victim->key, key, key_len) != 0) {
    char *k = decc_malloc(key_len);
    if (!k)
      return; /* not cached: the next request counts again */
    memcpy(k, key, key_len);
    decc_free(victim->key);
    victim->key = k;
    victim->key_len = key_len;
  }
  victim->version = version;
  victim->count = count;
  victim->used = ++r->tick;
}

void decc_market_filter_init(decc_market_filter *f) {
  DECC_ARG_CHECK_VOID(f != NULL);
  memset(f, 0, sizeof *f);
}

/* ---- field extraction ---------------------------------------------------- */

typedef struct fields {
  const decc_address *resource;
  const decc_u256 *price, *volume, *category, *trust;
  const uint8_t *tag;
  const decc_address *r_app, *r_dataset, *r_workerpool, *r_requester,
      *beneficiary;
} fields;

static const decc_address ZERO_ADDR;
static const decc_u256 ZERO_U256;

static void get_fields(fields *f, const decc_order *o) {
  memset(f, 0, sizeof *f);
  f->category = f->trust = &ZERO_U256;
  f->r_app = f->r_dataset = f->r_workerpool = f->r_requester = f->beneficiary =
      &ZERO_ADDR;
  switch (o->type) {
  case DECC_ORDER_APP:
    f->resource = &o->u.app.app;
    f->price = &o->u.app.appprice;
    f->volume = &o->u.app.volume;
    f->tag = o->u.app.tag;
    f->r_dataset = &o->u.app.datasetrestrict;
    f->r_workerpool = &o->u.app.workerpoolrestrict;
    f->r_requester = &o->u.app.requesterrestrict;
    break;
  case DECC_ORDER_DATASET:
    f->resource = &o->u.dataset.dataset;
    f->price = &o->u.dataset.datasetprice;
    f->volume = &o->u.dataset.volume;
    f->tag = o->u.dataset.tag;
    f->r_app = &o->u.dataset.apprestrict;
    f->r_workerpool = &o->u.dataset.workerpoolrestrict;
    f->r_requester = &o->u.dataset.requesterrestrict;
    break;
  case DECC_ORDER_WORKERPOOL:
    f->resource = &o->u.workerpool.workerpool;
    f->price = &o->u.workerpool.workerpoolprice;
    f->volume = &o->u.workerpool.volume;
    f->tag = o->u.workerpool.tag;
    f->category = &o->u.workerpool.category;
    f->trust = &o->u.workerpool.trust;
    f->r_app = &o->u.workerpool.apprestrict;
    f->r_dataset = &o->u.workerpool.datasetrestrict;
    f->r_requester = &o->u.workerpool.requesterrestrict;
    break;
  case DECC_ORDER_REQUEST:
    /* For request orders app/dataset/workerpool are the requested
     * resources; resource = requester. */
    f->resource = &o->u.request.requester;
    f->price = &o->u.request.workerpoolmaxprice;
    f->volume = &o->u.request.volume;
    f->tag = o->u.request.tag;
    f->category = &o->u.request.category;
    f->trust = &o->u.request.trust;
    f->r_app = &o->u.request.app;
    f->r_dataset = &o->u.request.dataset;
    f->r_workerpool = &o->u.request.workerpool;
    f->beneficiary = &o->u.request.beneficiary;
    break;
  }
}

/* Request orders are sorted by the total price they offer. */
static decc_status request_total_price(const decc_order *o, uint64_t *out) {
  uint64_t a, d, w;
  if (!decc_u256_to_u64(&a, &o->u.request.appmaxprice) ||
      !decc_u256_to_u64(&d, &o->u.request.datasetmaxprice) ||
      !decc_u256_to_u64(&w, &o->u.request.workerpoolmaxprice) ||
      a > DECC_MARKET_MAX_SAFE_INT || d > DECC_MARKET_MAX_SAFE_INT ||
      w > DECC_MARKET_MAX_SAFE_INT)
    return DECC_E_RANGE;
  *out = a + d + w;
  return DECC_OK;
}

static int safe_u64(const decc_u256 *v, uint64_t *out) {
  return decc_u256_to_u64(out, v) && *out <= DECC_MARKET_MAX_SAFE_INT;
}

static int64_t tag_word(const uint8_t tag[32], int i) {
  uint64_t w = 0;
  for (int k = 0; k < 8; k++)
    w = (w << 8) | tag[8 * i + k];
  return (int64_t)w;
}

/* Builds the market's order record JSON from a row. */
static json_t *record_json(const uint8_t hash[32], uint64_t chain_id,
                           const char *order_json, int64_t remaining,
                           int status, int64_t ts, const uint8_t signer[20]) {
  json_error_t je;
  json_t *order = json_loads(order_json, JSON_DECODE_ANY, &je);
  if (!order)
    return NULL;
  char h[DECC_HEX32_LEN], ts_s[40], sg[DECC_ADDRESS_HEX_LEN];
  decc_hex_encode(h, hash, 32, 1);
  iso_time(ts_s, (uint64_t)ts);
  decc_address a;
  memcpy(a.b, signer, 20);
  decc_address_to_checksum(sg, &a);
  return json_pack("{s:s,s:I,s:o,s:I,s:s,s:s,s:s}", "orderHash", h, "chainId",
                   (json_int_t)chain_id, "order", order, "remaining",
                   (json_int_t)remaining, "status",
                   STATUS_NAMES[status < 0 || status > 3 ? 0 : status],
                   "publicationTimestamp", ts_s, "signer", sg);
}

static char *dump_and_free(json_t *j) {
  if (!j)
    return NULL;
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!s)
    return NULL;
  char *d = decc_strdup(s);
  free(s);
  return d;
}

/* ---- publish ------------------------------------------------------------- */

static decc_status publish_locked(decc_market *m, const decc_order *o,
                                  const decc_address *authenticated,
                                  char **published_json, decc_err *err) {
  fields f;
  get_fields(&f, o);
  uint64_t price, volume, category, trust;
  if (o->type == DECC_ORDER_REQUEST) {
    if (request_total_price(o, &price))
      return decc_err_set(err, DECC_E_INVALID,
                          "order prices must not exceed 2^53-1");
  } else if (!safe_u64(f.price, &price))
    return decc_err_set(err, DECC_E_INVALID,
                        "order price must not exceed 2^53-1");
  if (!safe_u64(f.volume, &volume) || !safe_u64(f.category, &category) ||
      !safe_u64(f.trust, &trust))
    return decc_err_set(err, DECC_E_INVALID,
                        "order volume, category and trust must not exceed "
                        "2^53-1");
  if (o->sign_len == 0)
    return decc_err_set(err, DECC_E_BAD_SIGNATURE, "order is not signed");
  uint8_t hash[32];
  decc_order_hash(hash, o, m->domain);
  decc_address signer;
  if (decc_order_recover(&signer, o, m->domain) != DECC_OK)
    return decc_err_set(
        err, DECC_E_BAD_SIGNATURE,
        "invalid order signature for this chain (chainId %" PRIu64 ")",
        m->chain_id);
  decc_address expected;
  if (o->type == DECC_ORDER_REQUEST) {
    expected = o->u.request.requester;
  } else {
    if (!m->world.owner_of)
      return decc_err_set(err, DECC_E_STATE, "market has no chain access");
    decc_status st =
        m->world.owner_of(m->world.ctx, o->type, f.resource, &expected);
    if (st == DECC_E_NOT_FOUND) {
      char a[DECC_ADDRESS_HEX_LEN];
      return decc_err_set(err, DECC_E_NOT_FOUND, "%s %s is not registered",
                          o->type == DECC_ORDER_APP       ? "app"
                          : o->type == DECC_ORDER_DATASET ? "dataset"
                                                          : "workerpool",
                          decc_address_to_checksum(a, f.resource));
    }
    if (st)
      return decc_err_set(err, st, "cannot read the resource owner: %s",
                          decc_strerror(st));
  }
  if (!decc_address_eq(&signer, &expected)) {
    char a[DECC_ADDRESS_HEX_LEN], b[DECC_ADDRESS_HEX_LEN];
    return decc_err_set(err, DECC_E_DENIED,
                        "order signed by %s but the %s is %s",
                        decc_address_to_checksum(a, &signer),
                        o->type == DECC_ORDER_REQUEST ? "requester" : "owner",
                        decc_address_to_checksum(b, &expected));
  }
  if (authenticated && !decc_address_eq(authenticated, &signer))
    return decc_err_set(err, DECC_E_DENIED,
                        "authenticated address is not the order signer");
  decc_u256 consumed = ZERO_U256;
  if (m->world.consumed) {
    decc_status st = m->world.consumed(m->world.ctx, hash, &consumed);
    if (st)
      return decc_err_set(err, st, "cannot read consumed volume: %s",
                          decc_strerror(st));
  }
  uint64_t used = 0;
  if (!decc_u256_to_u64(&used, &consumed) || used >= volume)
    return decc_err_set(err, DECC_E_INVALID,
                        "order has no remaining volume (consumed or canceled)");
  int64_t remaining = (int64_t)(volume - used);

  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(m->db,
                         "SELECT COUNT(*) FROM orders WHERE type=?1 AND "
                         "signer=?2 AND status=0",
                         -1, &s, NULL) != SQLITE_OK)
    return db_err(m, err, "query");
  sqlite3_bind_int(s, 1, (int)o->type);
  sqlite3_bind_blob(s, 2, signer.b, 20, SQLITE_STATIC);
  int64_t open_count =
      sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_finalize(s);
  if (open_count >= DECC_MARKET_MAX_OPEN_PER_SIGNER)
    return decc_err_set(
        err, DECC_E_LIMIT, "too many open %ss for this signer (limit %d)",
        decc_order_type_name(o->type), DECC_MARKET_MAX_OPEN_PER_SIGNER);

  char *order_json = NULL;
  if (decc_order_to_json(&order_json, o) != DECC_OK)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  uint64_t ts = now_ms(m);
  int64_t seq = ++m->seq;
  if (sqlite3_prepare_v2(
          m->db,
          "INSERT INTO orders(hash,type,resource,signer,price,volume,remaining,"
          "status,t0,t1,t2,t3,category,trust,r_app,r_dataset,r_workerpool,"
          "r_requester,beneficiary,ts,seq,order_json) VALUES(?1,?2,?3,?4,?5,"
          "?6,?7,0,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)",
          -1, &s, NULL) != SQLITE_OK) {
    decc_free(order_json);
    return db_err(m, err, "insert");
  }
  sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, (int)o->type);
  sqlite3_bind_blob(s, 3, f.resource->b, 20, SQLITE_STATIC);
  sqlite3_bind_blob(s, 4, signer.b, 20, SQLITE_STATIC);
  sqlite3_bind_int64(s, 5, (int64_t)price);
  sqlite3_bind_int64(s, 6, (int64_t)volume);
  sqlite3_bind_int64(s, 7, remaining);
  for (int i = 0; i < 4; i++)
    sqlite3_bind_int64(s, 8 + i, tag_word(f.tag, i));
  sqlite3_bind_int64(s, 12, (int64_t)category);
  sqlite3_bind_int64(s, 13, (int64_t)trust);
  sqlite3_bind_blob(s, 14, f.r_app->b, 20, SQLITE_STATIC);
  sqlite3_bind_blob(s, 15, f.r_dataset->b, 20, SQLITE_STATIC);
  sqlite3_bind_blob(s, 16, f.r_workerpool->b, 20, SQLITE_STATIC);
  sqlite3_bind_blob(s, 17, f.r_requester->b, 20, SQLITE_STATIC);
  sqlite3_bind_blob(s, 18, f.beneficiary->b, 20, SQLITE_STATIC);
  sqlite3_bind_int64(s, 19, (int64_t)ts);
  sqlite3_bind_int64(s, 20, seq);
  sqlite3_bind_text(s, 21, order_json, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc == SQLITE_CONSTRAINT) {
    decc_free(order_json);
    char h[DECC_HEX32_LEN];
    decc_hex_encode(h, hash, 32, 1);
    return decc_err_set(err, DECC_E_EXISTS, "order %s is already published", h);
  }
  if (rc != SQLITE_DONE) {
    decc_free(order_json);
    return db_err(m, err, "insert");
  }
  if (published_json) {
    *published_json =
        dump_and_free(record_json(hash, m->chain_id, order_json, remaining,
                                  ST_OPEN, (int64_t)ts, signer.b));
    if (!*published_json) {
      decc_free(order_json);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
  }
  decc_free(order_json);
  return DECC_OK;
}

decc_status decc_market_publish(decc_market *m, const decc_order *o,
                                const decc_address *authenticated,
                                char **published_json, decc_err *err) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(o != NULL);
  if (published_json)
    *published_json = NULL;
  pthread_mutex_lock(&m->mu);
  decc_status st = publish_locked(m, o, authenticated, published_json, err);
  pthread_mutex_unlock(&m->mu);
  return st;
}

/* ---- unpublish ----------------------------------------------------------- */

decc_status decc_market_unpublish(decc_market *m, decc_order_type type,
                                  const uint8_t hash32[32],
                                  const decc_address *caller, decc_err *err) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(hash32 != NULL);
  pthread_mutex_lock(&m->mu);
  decc_status st = DECC_OK;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(m->db,
                         "SELECT signer FROM orders WHERE hash=?1 AND type=?2 "
                         "AND status=0",
                         -1, &s, NULL) != SQLITE_OK) {
    st = db_err(m, err, "query");
    goto out;
  }
  sqlite3_bind_blob(s, 1, hash32, 32, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, (int)type);
  if (sqlite3_step(s) != SQLITE_ROW) {
    char h[DECC_HEX32_LEN];
    decc_hex_encode(h, hash32, 32, 1);
    st = decc_err_set(err, DECC_E_NOT_FOUND, "no open %s %s",
                      decc_order_type_name(type), h);
    goto out;
  }
  if (caller && (sqlite3_column_bytes(s, 0) != 20 ||
                 memcmp(sqlite3_column_blob(s, 0), caller->b, 20) != 0)) {
    st = decc_err_set(err, DECC_E_DENIED,
                      "only the order signer can unpublish it");
    goto out;
  }
  sqlite3_finalize(s);
  s = NULL;
  if (sqlite3_prepare_v2(m->db, "DELETE FROM orders WHERE hash=?1", -1, &s,
                         NULL) != SQLITE_OK ||
      (sqlite3_bind_blob(s, 1, hash32, 32, SQLITE_STATIC),
       sqlite3_step(s) != SQLITE_DONE))
    st = db_err(m, err, "delete");
out:
  sqlite3_finalize(s);
  pthread_mutex_unlock(&m->mu);
  return st;
}

decc_status decc_market_unpublish_by(decc_market *m, decc_order_type type,
                                     const decc_address *resource,
                                     const decc_address *caller, int last,
                                     char **hashes_json, decc_err *err) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(resource != NULL);
  DECC_ARG_CHECK(caller != NULL);
  if (hashes_json)
    *hashes_json = NULL;
  pthread_mutex_lock(&m->mu);
  decc_status st = DECC_OK;
  json_t *arr = json_array();
  sqlite3_stmt *s = NULL, *d = NULL;
  const char *sql =
      last ? "SELECT hash FROM orders WHERE type=?1 AND resource=?2 AND "
             "signer=?3 AND status=0 ORDER BY ts DESC, seq DESC LIMIT 1"
           : "SELECT hash FROM orders WHERE type=?1 AND resource=?2 AND "
             "signer=?3 AND status=0";
  if (!arr || sqlite3_prepare_v2(m->db, sql, -1, &s, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(m->db, "DELETE FROM orders WHERE hash=?1", -1, &d,
                         NULL) != SQLITE_OK) {
    st = arr ? db_err(m, err, "query") : decc_err_set(err, DECC_E_NOMEM, "oom");
    goto out;
  }
  sqlite3_bind_int(s, 1, (int)type);
  sqlite3_bind_blob(s, 2, resource->b, 20, SQLITE_STATIC);
  sqlite3_bind_blob(s, 3, caller->b, 20, SQLITE_STATIC);
  /* Collect first, then delete: deleting while stepping the same table is
   * allowed by SQLite but makes the iteration order harder to reason about. */
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (sqlite3_column_bytes(s, 0) != 32)
      continue;
    char h[DECC_HEX32_LEN];
    decc_hex_encode(h, sqlite3_column_blob(s, 0), 32, 1);
    json_array_append_new(arr, json_string(h));
  }
  if (json_array_size(arr) == 0) {
    st = decc_err_set(err, DECC_E_NOT_FOUND, "no open %s to unpublish",
                      decc_order_type_name(type));
    goto out;
  }
  sqlite3_exec(m->db, "BEGIN", NULL, NULL, NULL);
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    uint8_t h[32];
    size_t n = 0;
    if (decc_hex_decode(h, 32, &n, json_string_value(v),
                        strlen(json_string_value(v))) != DECC_OK)
      continue;
    sqlite3_reset(d);
    sqlite3_bind_blob(d, 1, h, 32, SQLITE_TRANSIENT);
    if (sqlite3_step(d) != SQLITE_DONE) {
      sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
      st = db_err(m, err, "delete");
      goto out;
    }
  }
  sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL);
  if (hashes_json) {
    *hashes_json = dump_and_free(arr);
    arr = NULL;
  }
out:
  json_decref(arr);
  sqlite3_finalize(s);
  sqlite3_finalize(d);
  pthread_mutex_unlock(&m->mu);
  return st;
}

/* ---- query --------------------------------------------------------------- */

/* Appends the SQL for one restriction filter on column col. Values are
 * bound in order through the binder list. */
typedef struct binder {
  int kind; /* 0 blob20, 1 int64 */
  uint8_t blob[20];
  int64_t i;
} binder;

typedef struct qbuild {
  decc_buf sql;
  binder b[40];
  int nb;
  decc_status st;
} qbuild;

static void q_add(qbuild *q, const char *s) {
  if (!q->st)
    q->st = decc_buf_append_str(&q->sql, s);
}
static void q_blob(qbuild *q, const decc_address *a) {
  if (q->nb >= 40) {
    q->st = DECC_E_LIMIT;
    return;
  }
  q->b[q->nb].kind = 0;
  memcpy(q->b[q->nb].blob, a->b, 20);
  q->nb++;
  q_add(q, "?");
}
static void q_int(qbuild *q, int64_t v) {
  if (q->nb >= 40) {
    q->st = DECC_E_LIMIT;
    return;
  }
  q->b[q->nb].kind = 1;
  q->b[q->nb].i = v;
  q->nb++;
  q_add(q, "?");
}

static void q_restrict(qbuild *q, const char *col,
                       const decc_market_restrict *r) {
  switch (r->mode) {
  case DECC_MF_ANY:
    return;
  case DECC_MF_OMITTED:
    q_add(q, " AND ");
    q_add(q, col);
    q_add(q, "=");
    q_blob(q, &ZERO_ADDR);
    return;
  case DECC_MF_VALUE:
    q_add(q, " AND ");
    q_add(q, col);
    if (r->strict) {
      q_add(q, "=");
      q_blob(q, &r->addr);
    } else {
      q_add(q, " IN (");
      q_blob(q, &ZERO_ADDR);
      q_add(q, ",");
      q_blob(q, &r->addr);
      q_add(q, ")");
    }
    return;
  }
}

static void q_exact(qbuild *q, const char *col, const decc_market_restrict *r) {
  if (r->mode != DECC_MF_VALUE)
    return;
  q_add(q, " AND ");
  q_add(q, col);
  q_add(q, "=");
  q_blob(q, &r->addr);
}

static decc_status build_where(qbuild *q, decc_order_type type,
                               const decc_market_filter *f, uint64_t now_s,
                               decc_err *err) {
  q_add(q, " WHERE type=");
  q_int(q, (int64_t)type);
  if (!f->include_all_status)
    q_add(q, " AND status=0");
  if (!f->include_all_status && type == DECC_ORDER_DATASET) {
    /* An expired grant is not listed (its order may keep volume). */
    q_add(q, " AND hash NOT IN (SELECT hash FROM grant_expiry WHERE "
             "expires<=");
    q_int(q, (int64_t)(now_s > INT64_MAX ? INT64_MAX : now_s));
    q_add(q, ")");
  }
  switch (type) {
  case DECC_ORDER_APP:
  case DECC_ORDER_DATASET:
    if (!f->has_resource && !f->has_owner)
      return decc_err_set(err, DECC_E_INVALID,
                          type == DECC_ORDER_APP
                              ? "app or appOwner is required"
                              : "dataset or datasetOwner is required");
    break;
  case DECC_ORDER_WORKERPOOL:
  case DECC_ORDER_REQUEST:
    if (!f->has_category)
      return decc_err_set(err, DECC_E_INVALID, "category is required");
    break;
  }
  if (f->has_resource) {
    q_add(q, " AND resource=");
    q_blob(q, &f->resource);
  }
  if (f->has_owner) {
    q_add(q, " AND signer=");
    q_blob(q, &f->owner);
  }
  if (f->has_category) {
    if (f->category > DECC_MARKET_MAX_SAFE_INT)
      return decc_err_set(err, DECC_E_INVALID, "category out of range");
    q_add(q, " AND category=");
    q_int(q, (int64_t)f->category);
  }
  switch (type) {
  case DECC_ORDER_APP:
    q_restrict(q, "r_dataset", &f->dataset);
    q_restrict(q, "r_workerpool", &f->workerpool);
    q_restrict(q, "r_requester", &f->requester);
    break;
  case DECC_ORDER_DATASET:
    q_restrict(q, "r_app", &f->app);
    q_restrict(q, "r_workerpool", &f->workerpool);
    q_restrict(q, "r_requester", &f->requester);
    break;
  case DECC_ORDER_WORKERPOOL:
    q_restrict(q, "r_app", &f->app);
    q_restrict(q, "r_dataset", &f->dataset);
    q_restrict(q, "r_requester", &f->requester);
    break;
  case DECC_ORDER_REQUEST:
    q_exact(q, "r_app", &f->app);
    q_exact(q, "r_dataset", &f->dataset);
    q_restrict(q, "r_workerpool", &f->workerpool);
    if (f->has_beneficiary) {
      q_add(q, " AND beneficiary=");
      q_blob(q, &f->beneficiary);
    }
    break;
  }
  for (int i = 0; i < 4; i++) {
    char col[8];
    snprintf(col, sizeof col, "t%d", i);
    if (f->has_min_tag) {
      int64_t w = tag_word(f->min_tag, i);
      if (w) {
        q_add(q, " AND (");
        q_add(q, col);
        q_add(q, " & ");
        q_int(q, w);
        q_add(q, ")=");
        q_int(q, w);
      }
    }
    if (f->has_max_tag) {
      int64_t w = tag_word(f->max_tag, i);
      q_add(q, " AND (");
      q_add(q, col);
      q_add(q, " & ~");
      q_int(q, w);
      q_add(q, ")=0");
    }
  }
  if (f->min_volume) {
    q_add(q, " AND remaining>=");
    q_int(q, (int64_t)(f->min_volume > DECC_MARKET_MAX_SAFE_INT
                           ? DECC_MARKET_MAX_SAFE_INT
                           : f->min_volume));
  }
  if (f->has_min_trust && type == DECC_ORDER_WORKERPOOL) {
    q_add(q, " AND trust>=");
    q_int(q, (int64_t)(f->min_trust > DECC_MARKET_MAX_SAFE_INT
                           ? DECC_MARKET_MAX_SAFE_INT
                           : f->min_trust));
  }
  if (f->has_max_trust && type == DECC_ORDER_REQUEST) {
    q_add(q, " AND trust<=");
    q_int(q, (int64_t)(f->max_trust > DECC_MARKET_MAX_SAFE_INT
                           ? DECC_MARKET_MAX_SAFE_INT
                           : f->max_trust));
  }
  if (f->bulk_only && type == DECC_ORDER_DATASET) {
    /* bulk access = free dataset order with "infinite" volume */
    q_add(q, " AND price=0 AND volume>=");
    q_int(q, (int64_t)(DECC_MARKET_MAX_SAFE_INT - 1));
  }
  return q->st ? decc_err_set(err, q->st, "query too complex") : DECC_OK;
}

static void bind_all(sqlite3_stmt *s, const qbuild *q) {
  for (int i = 0; i < q->nb; i++) {
    if (q->b[i].kind == 0)
      sqlite3_bind_blob(s, i + 1, q->b[i].blob, 20, SQLITE_TRANSIENT);
    else
      sqlite3_bind_int64(s, i + 1, q->b[i].i);
  }
}

/* Appends one order record exactly as json_dumps(record_json(...),
 * JSON_COMPACT | JSON_PRESERVE_ORDER) writes it, without parsing the
 * stored order: order_json was written by decc_order_to_json with those
 * same flags, so it is already in its dumped form. */
static decc_status append_record(decc_buf *b, const uint8_t hash[32],
                                 uint64_t chain_id, const char *order_json,
                                 int64_t remaining, int status, int64_t ts,
                                 const uint8_t signer[20]) {
  char h[DECC_HEX32_LEN], ts_s[40], sg[DECC_ADDRESS_HEX_LEN];
  decc_hex_encode(h, hash, 32, 1);
  iso_time(ts_s, (uint64_t)ts);
  decc_address a;
  memcpy(a.b, signer, 20);
  decc_address_to_checksum(sg, &a);
  decc_status st = decc_buf_printf(
      b, "{\"orderHash\":\"%s\",\"chainId\":%" PRIu64 ",\"order\":", h,
      chain_id);
  if (!st)
    st = decc_buf_append_str(b, order_json);
  if (!st)
    st = decc_buf_printf(
        b,
        ",\"remaining\":%" PRId64 ",\"status\":\"%s\",\"publicationTimestamp\":"
        "\"%s\",\"signer\":\"%s\"}",
        remaining, STATUS_NAMES[status < 0 || status > 3 ? 0 : status], ts_s,
        sg);
  return st;
}

/* Runs one list query on reader r: the page and the count read in one
 * read transaction (one snapshot), the count taken from r's cache when the
 * book has not changed since it was computed. */
static decc_status query_on(decc_market *m, reader *r, decc_order_type type,
                            const decc_market_filter *f, char **json_out,
                            decc_err *err) {
  uint32_t page_size = f->page_size ? f->page_size : DECC_MARKET_PAGE_DEFAULT;
  if (page_size < DECC_MARKET_PAGE_MIN || page_size > DECC_MARKET_PAGE_MAX)
    return decc_err_set(err, DECC_E_INVALID,
                        "pageSize must be between %d and %d",
                        DECC_MARKET_PAGE_MIN, DECC_MARKET_PAGE_MAX);
  qbuild q;
  memset(&q, 0, sizeof q);
  decc_buf_init(&q.sql, 8192);
  decc_status st = build_where(&q, type, f, now_ms(m) / 1000u, err);
  decc_buf sql, key, out;
  sqlite3_stmt *s = NULL;
  decc_buf_init(&sql, 16384);
  decc_buf_init(&key, 16384);
  decc_buf_init(&out, 0);
  int in_tx = 0;
  if (st)
    goto out;
  /* the count's cache key: the clause and the values bound into it */
  st = decc_buf_append(&key, q.sql.data, q.sql.len + 1);
  for (int i = 0; !st && i < q.nb; i++)
    st = q.b[i].kind == 0 ? decc_buf_append(&key, q.b[i].blob, 20)
                          : decc_buf_append(&key, &q.b[i].i, sizeof q.b[i].i);
  if (st) {
    st = decc_err_set(err, st, "query too complex");
    goto out;
  }
  if (!(s = reader_stmt(r, "BEGIN")) || sqlite3_step(s) != SQLITE_DONE) {
    st =
        decc_err_set(err, DECC_E_IO, "market query: %s", sqlite3_errmsg(r->db));
    goto out;
  }
  in_tx = 1;
  if ((st = decc_buf_printf(&sql,
                            "SELECT hash, order_json, remaining, status, ts, "
                            "signer FROM orders%s ORDER BY price ASC, ts ASC, "
                            "hash ASC LIMIT ? OFFSET ?",
                            (const char *)q.sql.data))) {
    st = decc_err_set(err, st, "query too complex");
    goto out;
  }
  if (!(s = reader_stmt(r, (const char *)sql.data))) {
    st =
        decc_err_set(err, DECC_E_IO, "market query: %s", sqlite3_errmsg(r->db));
    goto out;
  }
  bind_all(s, &q);
  sqlite3_bind_int64(s, q.nb + 1, page_size);
  sqlite3_bind_int64(s, q.nb + 2, (int64_t)f->page_index * page_size);
  st = decc_buf_append_str(&out, "{\"ok\":true,\"orders\":[");
  int rc = SQLITE_DONE, first = 1;
  while (!st && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (sqlite3_column_bytes(s, 0) != 32 || sqlite3_column_bytes(s, 5) != 20)
      continue;
    if (!first)
      st = decc_buf_append_byte(&out, ',');
    first = 0;
    if (!st)
      st = append_record(&out, sqlite3_column_blob(s, 0), m->chain_id,
                         (const char *)sqlite3_column_text(s, 1),
                         sqlite3_column_int64(s, 2), sqlite3_column_int(s, 3),
                         sqlite3_column_int64(s, 4), sqlite3_column_blob(s, 5));
  }
  if (st) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto out;
  }
  if (rc != SQLITE_DONE) {
    st =
        decc_err_set(err, DECC_E_IO, "market query: %s", sqlite3_errmsg(r->db));
    goto out;
  }
  sqlite3_reset(s);
  /* inside the transaction: the version of the snapshot just read */
  int64_t version = -1, count = -1;
  if (r->cache_counts && (s = reader_stmt(r, "PRAGMA data_version")) &&
      sqlite3_step(s) == SQLITE_ROW) {
    version = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    count = count_lookup(r, (const char *)key.data, key.len, version);
  }
  if (count < 0) {
    decc_buf_reset(&sql);
    if ((st = decc_buf_printf(&sql, "SELECT COUNT(*) FROM orders%s",
                              (const char *)q.sql.data))) {
      st = decc_err_set(err, st, "query too complex");
      goto out;
    }
    if (!(s = reader_stmt(r, (const char *)sql.data))) {
      st = decc_err_set(err, DECC_E_IO, "market query: %s",
                        sqlite3_errmsg(r->db));
      goto out;
    }
    bind_all(s, &q);
    if (sqlite3_step(s) != SQLITE_ROW) {
      st = decc_err_set(err, DECC_E_IO, "market query: %s",
                        sqlite3_errmsg(r->db));
      goto out;
    }
    count = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (version >= 0)
      count_store(r, (const char *)key.data, key.len, version, count);
  }
  st = decc_buf_printf(&out, "],\"count\":%" PRId64, count);
  if (!st && (uint64_t)(f->page_index + 1) * page_size < (uint64_t)count)
    st = decc_buf_printf(&out, ",\"nextPage\":%" PRIu32, f->page_index + 1);
  if (!st)
    st = decc_buf_append_byte(&out, '}');
  if (st) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto out;
  }
  *json_out = (char *)decc_buf_steal(&out, NULL);
out:
  if (in_tx) {
    /* a statement left mid-step (error path) would keep the snapshot */
    for (int i = 0; i < READER_STMTS; i++)
      if (r->stmts[i].s)
        sqlite3_reset(r->stmts[i].s);
    if ((s = reader_stmt(r, "COMMIT")))
      (void)sqlite3_step(s);
  }
  decc_buf_clear(&q.sql);
  decc_buf_clear(&sql);
  decc_buf_clear(&key);
  decc_buf_clear(&out);
  return st;
}

decc_status decc_market_query(decc_market *m, decc_order_type type,
                              const decc_market_filter *f, char **json_out,
                              decc_err *err) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(f != NULL);
  DECC_ARG_CHECK(json_out != NULL);
  *json_out = NULL;
  reader *r = reader_acquire(m);
  decc_status st = query_on(m, r, type, f, json_out, err);
  reader_release(m, r);
  return st;
}

static decc_status get_row(decc_market *m, decc_order_type type,
                           const uint8_t hash32[32], char **json_out,
                           decc_order *order, decc_err *err) {
  reader *r = reader_acquire(m);
  decc_status st = DECC_OK;
  sqlite3_stmt *s =
      reader_stmt(r, "SELECT hash, order_json, remaining, status, ts, "
                     "signer FROM orders WHERE hash=?1 AND type=?2");
  if (!s) {
    st =
        decc_err_set(err, DECC_E_IO, "market query: %s", sqlite3_errmsg(r->db));
    goto out;
  }
  sqlite3_bind_blob(s, 1, hash32, 32, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, (int)type);
  if (sqlite3_step(s) != SQLITE_ROW) {
    char h[DECC_HEX32_LEN];
    decc_hex_encode(h, hash32, 32, 1);
    st = decc_err_set(err, DECC_E_NOT_FOUND, "%s %s not found",
                      decc_order_type_name(type), h);
    goto out;
  }
  const char *oj = (const char *)sqlite3_column_text(s, 1);
  if (json_out) {
    *json_out = dump_and_free(
        record_json(hash32, m->chain_id, oj, sqlite3_column_int64(s, 2),
                    sqlite3_column_int(s, 3), sqlite3_column_int64(s, 4),
                    sqlite3_column_blob(s, 5)));
    if (!*json_out)
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  if (order && !st)
    st = decc_order_from_json(order, type, oj, strlen(oj), err);
out:
  if (s)
    sqlite3_reset(s); /* ends the read transaction */
  reader_release(m, r);
  return st;
}

decc_status decc_market_get(decc_market *m, decc_order_type type,
                            const uint8_t hash32[32], char **json_out,
                            decc_err *err) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(hash32 != NULL);
  DECC_ARG_CHECK(json_out != NULL);
  *json_out = NULL;
  return get_row(m, type, hash32, json_out, NULL, err);
}

decc_status decc_market_get_order(decc_market *m, decc_order_type type,
                                  const uint8_t hash32[32], decc_order *out,
                                  decc_err *err) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(hash32 != NULL);
  DECC_ARG_CHECK(out != NULL);
  return get_row(m, type, hash32, NULL, out, err);
}

/* ---- chain events -------------------------------------------------------- */

static int is_zero32(const uint8_t *h) {
  for (int i = 0; i < 32; i++)
    if (h[i])
      return 0;
  return 1;
}

decc_status decc_market_on_matched(decc_market *m, const uint8_t app_hash32[32],
                                   const uint8_t dataset_hash32[32],
                                   const uint8_t workerpool_hash32[32],
                                   const uint8_t request_hash32[32],
                                   const decc_u256 *volume) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(volume != NULL);
  uint64_t v = 0;
  if (!decc_u256_to_u64(&v, volume) || v > DECC_MARKET_MAX_SAFE_INT)
    v = DECC_MARKET_MAX_SAFE_INT;
  const uint8_t *hashes[4] = {app_hash32, dataset_hash32, workerpool_hash32,
                              request_hash32};
  /* With chain access the remaining volume is recomputed from the
   * consumed volume on the chain (volume - consumed): idempotent, so an
   * event seen twice (two watchers on one orderbook, a replay after a
   * restart) cannot count twice. Without it, the event's volume is
   * subtracted. */
  int64_t consumed[4];
  int have[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++) {
    decc_u256 c;
    uint64_t cu;
    if (hashes[i] && !is_zero32(hashes[i]) && m->world.consumed &&
        m->world.consumed(m->world.ctx, hashes[i], &c) == DECC_OK &&
        decc_u256_to_u64(&cu, &c)) {
      consumed[i] = cu > DECC_MARKET_MAX_SAFE_INT
                        ? (int64_t)DECC_MARKET_MAX_SAFE_INT
                        : (int64_t)cu;
      have[i] = 1;
    }
  }
  pthread_mutex_lock(&m->mu);
  decc_status st = DECC_OK;
  sqlite3_stmt *s = NULL, *s2 = NULL;
  if (sqlite3_prepare_v2(m->db,
                         "UPDATE orders SET remaining=MAX(remaining-?1,0),"
                         " status=CASE WHEN remaining-?1<=0 AND status=0 THEN 1"
                         " ELSE status END WHERE hash=?2",
                         -1, &s, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(m->db,
                         "UPDATE orders SET remaining=MAX(volume-?1,0),"
                         " status=CASE WHEN volume-?1<=0 AND status=0 THEN 1"
                         " ELSE status END WHERE hash=?2",
                         -1, &s2, NULL) != SQLITE_OK) {
    st = DECC_E_IO;
    goto out;
  }
  sqlite3_exec(m->db, "BEGIN", NULL, NULL, NULL);
  for (int i = 0; i < 4; i++) {
    if (!hashes[i] || is_zero32(hashes[i]))
      continue;
    sqlite3_stmt *u = have[i] ? s2 : s;
    sqlite3_reset(u);
    sqlite3_bind_int64(u, 1, have[i] ? consumed[i] : (int64_t)v);
    sqlite3_bind_blob(u, 2, hashes[i], 32, SQLITE_TRANSIENT);
    if (sqlite3_step(u) != SQLITE_DONE)
      st = DECC_E_IO;
  }
  sqlite3_exec(m->db, st ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
out:
  sqlite3_finalize(s);
  sqlite3_finalize(s2);
  pthread_mutex_unlock(&m->mu);
  return st;
}

decc_status decc_market_on_closed(decc_market *m, const uint8_t hash32[32]) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(hash32 != NULL);
  pthread_mutex_lock(&m->mu);
  decc_status st = DECC_OK;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(
          m->db, "UPDATE orders SET status=2, remaining=0 WHERE hash=?1", -1,
          &s, NULL) != SQLITE_OK)
    st = DECC_E_IO;
  else {
    sqlite3_bind_blob(s, 1, hash32, 32, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
      st = DECC_E_IO;
  }
  sqlite3_finalize(s);
  pthread_mutex_unlock(&m->mu);
  return st;
}

decc_status decc_market_set_expiry(decc_market *m, const uint8_t hash32[32],
                                   uint64_t expires) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(hash32 != NULL);
  if (!expires || expires > INT64_MAX)
    return DECC_E_INVALID;
  pthread_mutex_lock(&m->mu);
  decc_status st = DECC_OK;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(m->db,
                         "INSERT OR IGNORE INTO grant_expiry(hash, expires) "
                         "VALUES(?1, ?2)",
                         -1, &s, NULL) != SQLITE_OK)
    st = DECC_E_IO;
  else {
    sqlite3_bind_blob(s, 1, hash32, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (int64_t)expires);
    if (sqlite3_step(s) != SQLITE_DONE)
      st = DECC_E_IO;
  }
  sqlite3_finalize(s);
  pthread_mutex_unlock(&m->mu);
  return st;
}

decc_status decc_market_refresh(decc_market *m, size_t *changed) {
  DECC_ARG_CHECK(m != NULL);
  if (changed)
    *changed = 0;
  pthread_mutex_lock(&m->mu);
  decc_status st = DECC_OK;
  sqlite3_stmt *s = NULL, *u = NULL;
  if (sqlite3_prepare_v2(m->db,
                         "SELECT hash, type, resource, signer, volume, "
                         "remaining FROM orders WHERE status=0",
                         -1, &s, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(m->db,
                         "UPDATE orders SET remaining=?1, status=?2 WHERE "
                         "hash=?3",
                         -1, &u, NULL) != SQLITE_OK) {
    st = DECC_E_IO;
    goto out;
  }
  sqlite3_exec(m->db, "BEGIN", NULL, NULL, NULL);
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (sqlite3_column_bytes(s, 0) != 32 || sqlite3_column_bytes(s, 2) != 20 ||
        sqlite3_column_bytes(s, 3) != 20)
      continue;
    const uint8_t *hash = sqlite3_column_blob(s, 0);
    decc_order_type type = (decc_order_type)sqlite3_column_int(s, 1);
    decc_address res, signer;
    memcpy(res.b, sqlite3_column_blob(s, 2), 20);
    memcpy(signer.b, sqlite3_column_blob(s, 3), 20);
    int64_t volume = sqlite3_column_int64(s, 4);
    int64_t remaining = sqlite3_column_int64(s, 5);
    int status = ST_OPEN;
    int64_t new_remaining = remaining;
    if (m->world.consumed) {
      decc_u256 c;
      uint64_t used;
      if (m->world.consumed(m->world.ctx, hash, &c) == DECC_OK &&
          decc_u256_to_u64(&used, &c))
        new_remaining = used >= (uint64_t)volume ? 0 : volume - (int64_t)used;
      if (new_remaining == 0)
        status = ST_FILLED;
    }
    if (status == ST_OPEN && type != DECC_ORDER_REQUEST && m->world.owner_of) {
      decc_address owner;
      decc_status ost = m->world.owner_of(m->world.ctx, type, &res, &owner);
      if (ost == DECC_E_NOT_FOUND ||
          (ost == DECC_OK && !decc_address_eq(&owner, &signer)))
        status = ST_DEAD;
    }
    if (status != ST_OPEN || new_remaining != remaining) {
      sqlite3_reset(u);
      sqlite3_bind_int64(u, 1, new_remaining);
      sqlite3_bind_int(u, 2, status);
      sqlite3_bind_blob(u, 3, hash, 32, SQLITE_TRANSIENT);
      if (sqlite3_step(u) != SQLITE_DONE)
        st = DECC_E_IO;
      else if (changed)
        (*changed)++;
    }
  }
  sqlite3_exec(m->db, st ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
out:
  sqlite3_finalize(s);
  sqlite3_finalize(u);
  pthread_mutex_unlock(&m->mu);
  return st;
}
