/*
 * sql.c — the ledger's SQL helpers, shared by every file of lib/ledger: the
 * cache of prepared statements keyed by the address of their SQL literal,
 * a small printf-like binder, the exec/query wrappers, column readers and
 * the meta table accessors.
 *
 * Why a file of its own: db.c (opening, schema, init), genesis.c and
 * state.c all build on these helpers; kept apart from db.c they form the
 * bottom of the ledger's file graph, so calls go one way (db.c → genesis.c
 * → state.c → sql.c) instead of in a circle through db.c.
 */
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

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

/* The cached statement of sql, reset; its bindings cleared when clear is
 * set (ldg_exec binds every parameter itself and skips that). */
static sqlite3_stmt *stmt_get(decc_ledger *l, const char *sql, int clear,
                              decc_err *err) {
  size_t i = slot_of(sql);
  for (size_t probe = 0; probe < LDG_STMT_SLOTS; probe++) {
    ldg_stmt_slot *s = &l->stmts[(i + probe) & (LDG_STMT_SLOTS - 1)];
    if (s->sql == sql) {
      sqlite3_reset(s->st);
      if (clear)
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

sqlite3_stmt *ldg_stmt(decc_ledger *l, const char *sql, decc_err *err) {
  return stmt_get(l, sql, 1, err);
}

/* ldg_bindv with the destructor of caller-owned blobs and texts: ldg_exec
 * passes SQLITE_STATIC (no copy: it steps and resets before returning,
 * while the caller's memory is alive, and rebinds every parameter on its
 * next use), everything else SQLITE_TRANSIENT (SQLite copies, as a
 * query's rows may be stepped after the arguments are gone). 'u' is
 * converted into a local buffer and always copied. Out: *n_bound. */
static decc_status bindv_with(decc_ledger *l, sqlite3_stmt *st, const char *fmt,
                              va_list ap, sqlite3_destructor_type keep,
                              int *n_bound, decc_err *err) {
  int idx = 1, rc = SQLITE_OK;
  for (const char *f = fmt; f && *f && rc == SQLITE_OK; f++, idx++) {
    switch (*f) {
    case 'a': {
      const decc_address *a = va_arg(ap, const decc_address *);
      rc = sqlite3_bind_blob(st, idx, a->b, 20, keep);
      break;
    }
    case 'h': {
      const uint8_t *h = va_arg(ap, const uint8_t *);
      rc = sqlite3_bind_blob(st, idx, h, 32, keep);
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
      rc = sqlite3_bind_blob(st, idx, n ? p : "", (int)n, keep);
      break;
    }
    case 't': {
      const char *s = va_arg(ap, const char *);
      rc = s ? sqlite3_bind_text(st, idx, s, -1, keep)
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
  *n_bound = idx - 1;
  return DECC_OK;
}

decc_status ldg_bindv(decc_ledger *l, sqlite3_stmt *st, const char *fmt,
                      va_list ap, decc_err *err) {
  int n;
  return bindv_with(l, st, fmt, ap, SQLITE_TRANSIENT, &n, err);
}

/* Opens the running transaction's savepoint before its call's first
 * direct SQL write. Why lazily: most calls only write rows the block's
 * overlay holds (overlay.c), and a savepoint makes SQLite copy every page
 * the call then modifies into its statement journal. ldg_tx_execute rolls
 * back to it (when open) on a revert and releases it. */
static decc_status open_savepoint(decc_ledger *l, decc_err *err) {
  sqlite3_stmt *st = stmt_get(l, "SAVEPOINT tx", 0, err);
  if (!st)
    return err ? err->code : DECC_E_IO;
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return ldg_sql_error(l, err, "savepoint");
  l->sp_open = 1;
  return DECC_OK;
}

decc_status ldg_exec(decc_ledger *l, const char *sql, decc_err *err,
                     const char *fmt, ...) {
  if (l->tx_active && !l->sp_open) {
    decc_status s0 = open_savepoint(l, err);
    if (s0 != DECC_OK)
      return s0;
  }
  /* a call writing a row directly: the block's row cache (blkcache.c)
   * may hold it, and empties itself when this count moves */
  if (l->tx_active)
    l->call_writes++;
  sqlite3_stmt *st = stmt_get(l, sql, 0, err);
  if (!st)
    return err ? err->code : DECC_E_IO;
  va_list ap;
  va_start(ap, fmt);
  int n = 0;
  decc_status s = bindv_with(l, st, fmt, ap, SQLITE_STATIC, &n, err);
  va_end(ap);
  /* parameters fmt leaves out are NULL, as after clearing the bindings
   * (and no pointer from an earlier call stays bound) */
  for (int k = n + 1; s == DECC_OK && k <= sqlite3_bind_parameter_count(st);
       k++)
    if (sqlite3_bind_null(st, k) != SQLITE_OK)
      s = ldg_sql_error(l, err, "bind");
  if (s != DECC_OK) {
    sqlite3_clear_bindings(st); /* drop the pointers bound so far */
    return s;
  }
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
