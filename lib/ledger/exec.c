/*
 * exec.c — the ledger's execution engine: the method table (selectors
 * computed with keccak over the canonical signatures at first use), the
 * dispatcher from (to, selector) to the C implementation of a contract
 * function, nested calls, revert and log recording, and block building:
 * every block is one SQLite transaction (BEGIN IMMEDIATE … COMMIT) and
 * every transaction in it runs inside its own savepoint, so a revert rolls
 * back exactly that call while the sender's nonce still advances.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "ledger/ledger_int.h"

/* ---- method table ----------------------------------------------------------- */

typedef struct ldg_bound {
  ldg_target target;
  uint8_t sel[4];
  decc_abi_type *args;
  ldg_fn fn;
  const char *sig;
} ldg_bound;

#define LDG_MAX_METHODS 256
static ldg_bound g_methods[LDG_MAX_METHODS];
static size_t g_n_methods;
static decc_status g_table_status = DECC_OK;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void bind_table(const ldg_method *t) {
  for (; t && t->sig; t++) {
    if (g_n_methods >= LDG_MAX_METHODS) {
      g_table_status = DECC_E_LIMIT;
      return;
    }
    ldg_bound *b = &g_methods[g_n_methods];
    if (decc_abi_func_parse(&b->args, b->sel, t->sig, NULL) != DECC_OK) {
      g_table_status = DECC_E_INTERNAL;
      return;
    }
    b->target = t->target;
    b->fn = t->fn;
    b->sig = t->sig;
    g_n_methods++;
  }
}

static void build_table(void) {
  bind_table(ldg_token_methods);
  bind_table(ldg_hub_methods);
  bind_table(ldg_poco_methods);
  bind_table(ldg_registry_methods);
  bind_table(ldg_entry_methods);
  bind_table(ldg_dataprotector_methods);
}

static decc_status table_ready(decc_err *err) {
  pthread_once(&g_once, build_table);
  if (g_table_status != DECC_OK)
    return decc_err_set(err, g_table_status, "ledger: method table broken");
  return DECC_OK;
}

/* A registry's methods are shared by the three registries. */
static int target_matches(ldg_target method_t, ldg_target t) {
  if (method_t == t)
    return 1;
  if (method_t == LDG_T_APP_REGISTRY)
    return t == LDG_T_DATASET_REGISTRY || t == LDG_T_WORKERPOOL_REGISTRY;
  return 0;
}

static const ldg_bound *find_method(ldg_target t, const uint8_t sel[4]) {
  /* Specific tables first so a registry-specific function wins over a
   * shared one with the same selector. */
  for (size_t i = 0; i < g_n_methods; i++)
    if (g_methods[i].target == t && !memcmp(g_methods[i].sel, sel, 4))
      return &g_methods[i];
  for (size_t i = 0; i < g_n_methods; i++)
    if (target_matches(g_methods[i].target, t) &&
        !memcmp(g_methods[i].sel, sel, 4))
      return &g_methods[i];
  return NULL;
}

/* ---- helpers ------------------------------------------------------------------ */

/* Event topic0 values, memoised: the contracts emit a handful of event
 * kinds (ERC-20 / ERC-721 Transfer and Approval, PolicyUpdate …), and a
 * keccak of the signature cost ~6.3 k instructions per emitted log, most
 * of an RLC transfer's ~10 k (callgrind, bench_ledger). A fixed table
 * keyed by the signature text (copied, so the caller's string may be
 * anything), shared by every ledger of the process under a mutex; a
 * signature that does not fit or finds the table full is hashed each
 * time, as before. */
#define TOPIC_SLOTS 64
#define TOPIC_SIG_MAX 96
typedef struct topic_memo {
  char sig[TOPIC_SIG_MAX];
  uint8_t topic[32];
} topic_memo;
static topic_memo g_topics[TOPIC_SLOTS];
static pthread_mutex_t g_topics_mu = PTHREAD_MUTEX_INITIALIZER;

void ldg_topic(uint8_t out[32], const char *event_sig) {
  size_t n = strlen(event_sig);
  if (n == 0 || n >= TOPIC_SIG_MAX) {
    decc_keccak256(out, event_sig, n);
    return;
  }
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)event_sig[i]) * 16777619u;
  pthread_mutex_lock(&g_topics_mu);
  for (size_t k = 0; k < TOPIC_SLOTS; k++) {
    topic_memo *m = &g_topics[(h + k) % TOPIC_SLOTS];
    if (!m->sig[0]) {
      /* a free slot: the signature is not in the table yet */
      decc_keccak256(m->topic, event_sig, n);
      memcpy(m->sig, event_sig, n + 1);
    }
    if (!strcmp(m->sig, event_sig)) {
      memcpy(out, m->topic, 32);
      pthread_mutex_unlock(&g_topics_mu);
      return;
    }
  }
  pthread_mutex_unlock(&g_topics_mu);
  decc_keccak256(out, event_sig, n);
}

void ldg_topic_addr(uint8_t out[32], const decc_address *a) {
  memset(out, 0, 12);
  memcpy(out + 12, a->b, 20);
}

void ldg_addr_word(uint8_t out[32], const decc_address *a) {
  ldg_topic_addr(out, a);
}

decc_status ldg_revert(ldg_ctx *c, const char *reason) {
  snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : "");
  c->has_reason = 1;
  decc_buf_reset(&c->revert_data);
  return DECC_E_REVERT;
}

decc_status ldg_revert_empty(ldg_ctx *c) {
  c->reason[0] = 0;
  c->has_reason = 0;
  decc_buf_reset(&c->revert_data);
  return DECC_E_REVERT;
}

decc_status ldg_revert_raw(ldg_ctx *c, const uint8_t *data, size_t len) {
  c->reason[0] = 0;
  c->has_reason = 0;
  decc_buf_reset(&c->revert_data);
  if (decc_buf_append(&c->revert_data, data, len) != DECC_OK)
    decc_buf_reset(&c->revert_data);
  return DECC_E_REVERT;
}

decc_status ldg_revert_panic(ldg_ctx *c, unsigned code) {
  uint8_t d[36];
  memset(d, 0, sizeof d);
  decc_abi_selector(d, "Panic(uint256)");
  d[34] = (uint8_t)(code >> 8);
  d[35] = (uint8_t)code;
  return ldg_revert_raw(c, d, sizeof d);
}

/* Sets *out to the next log of c's vector (not yet counted), zeroed, with
 * emitter and topics set. Returns DECC_OK, DECC_E_INTERNAL (too many
 * topics) or DECC_E_NOMEM. */
static decc_status log_next(ldg_ctx *c, const decc_address *emitter,
                            size_t n_topics, const uint8_t (*topics)[32],
                            decc_log **out) {
  if (n_topics > DECC_LOG_MAX_TOPICS)
    return decc_err_set(c->err, DECC_E_INTERNAL, "ledger: too many topics");
  if (c->logs.n == c->logs.cap) {
    size_t ncap = c->logs.cap ? c->logs.cap * 2 : 8;
    decc_log *nv = decc_realloc(c->logs.v, ncap * sizeof *nv);
    if (!nv)
      return decc_err_set(c->err, DECC_E_NOMEM, "out of memory");
    c->logs.v = nv;
    c->logs.cap = ncap;
  }
  decc_log *lg = *out = &c->logs.v[c->logs.n];
  memset(lg, 0, sizeof *lg);
  lg->address = *emitter;
  lg->n_topics = n_topics;
  for (size_t i = 0; i < n_topics; i++)
    memcpy(lg->topics[i], topics[i], 32);
  return DECC_OK;
}

decc_status ldg_emit(ldg_ctx *c, const decc_address *emitter, size_t n_topics,
                     const uint8_t (*topics)[32], const void *data,
                     size_t len) {
  decc_log *lg = NULL;
  decc_status s = log_next(c, emitter, n_topics, topics, &lg);
  if (s != DECC_OK)
    return s;
  if (len) {
    lg->data = decc_malloc(len);
    if (!lg->data)
      return decc_err_set(c->err, DECC_E_NOMEM, "out of memory");
    memcpy(lg->data, data, len);
    lg->data_len = len;
  }
  c->logs.n++;
  return DECC_OK;
}

decc_status ldg_emit_take(ldg_ctx *c, const decc_address *emitter,
                          size_t n_topics, const uint8_t (*topics)[32],
                          uint8_t **data, size_t len) {
  decc_log *lg = NULL;
  decc_status s = log_next(c, emitter, n_topics, topics, &lg);
  if (s != DECC_OK)
    return s;
  if (len) {
    lg->data = *data;
    lg->data_len = len;
    *data = NULL;
  }
  c->logs.n++;
  return DECC_OK;
}

static void logs_truncate(ldg_logvec *v, size_t n) {
  while (v->n > n)
    decc_log_clear(&v->v[--v->n]);
}

decc_status ldg_target_of(decc_ledger *l, const decc_address *a,
                          ldg_target *out, decc_err *err) {
  const decc_chain_addresses *x = &l->addr;
  if (decc_address_eq(a, &x->token))
    *out = LDG_T_TOKEN;
  else if (decc_address_eq(a, &x->hub))
    *out = LDG_T_HUB;
  else if (decc_address_eq(a, &x->app_registry))
    *out = LDG_T_APP_REGISTRY;
  else if (decc_address_eq(a, &x->dataset_registry))
    *out = LDG_T_DATASET_REGISTRY;
  else if (decc_address_eq(a, &x->workerpool_registry))
    *out = LDG_T_WORKERPOOL_REGISTRY;
  else if (decc_address_eq(a, &x->dataprotector))
    *out = LDG_T_DATAPROTECTOR;
  else {
    int k = -1;
    if (!ldg_bc_kind_get(l, a, &k)) {
      sqlite3_stmt *st;
      int found;
      decc_status s =
          ldg_query(l, &st, &found, "SELECT kind FROM entries WHERE address=?1",
                    err, "a", a);
      if (s != DECC_OK)
        return s;
      k = found ? sqlite3_column_int(st, 0) : -1;
      sqlite3_reset(st);
      ldg_bc_kind_put(l, a, k);
    }
    *out = k < 0              ? LDG_T_NONE
           : k == LDG_APP     ? LDG_T_APP
           : k == LDG_DATASET ? LDG_T_DATASET
                              : LDG_T_WORKERPOOL;
  }
  return DECC_OK;
}

decc_status ldg_dispatch(ldg_ctx *c, const decc_address *from,
                         const decc_address *to, const uint8_t *data,
                         size_t len, decc_buf *ret) {
  decc_status s = table_ready(c->err);
  if (s != DECC_OK)
    return s;
  if (c->depth >= LDG_MAX_DEPTH)
    return ldg_revert_empty(c);
  ldg_target t;
  if ((s = ldg_target_of(c->l, to, &t, c->err)) != DECC_OK)
    return s;
  if (t == LDG_T_NONE)
    return DECC_OK; /* an account without code: the call does nothing */
  if (len < 4) {
    if (t == LDG_T_HUB)
      return ldg_revert(c, "fallback-disabled");
    return ldg_revert_empty(c);
  }
  const ldg_bound *m = find_method(t, data);
  if (!m) {
    if (t == LDG_T_HUB) { /* Diamond: FunctionNotFound(bytes4) */
      uint8_t d[36];
      memset(d, 0, sizeof d);
      decc_abi_selector(d, "FunctionNotFound(bytes4)");
      memcpy(d + 4, data, 4);
      return ldg_revert_raw(c, d, sizeof d);
    }
    return ldg_revert_empty(c);
  }
  decc_abi_value *args = NULL;
  if (decc_abi_decode_type(&args, m->args, data + 4, len - 4, 0, NULL) !=
      DECC_OK)
    return ldg_revert_empty(c); /* solc's decoder reverts without data */
  decc_address saved_sender = c->sender, saved_self = c->self;
  c->sender = *from;
  c->self = *to;
  c->depth++;
  decc_abi_enc enc;
  decc_abi_enc_init(&enc, 0);
  s = m->fn(c, args, &enc);
  c->depth--;
  c->sender = saved_sender;
  c->self = saved_self;
  decc_abi_value_free(args);
  if (s == DECC_OK && ret) {
    s = decc_abi_enc_finish(&enc, ret);
    if (s != DECC_OK)
      decc_err_set(c->err, s, "ledger: cannot encode the return value");
  }
  decc_abi_enc_clear(&enc);
  return s;
}

decc_status ldg_call(ldg_ctx *c, const decc_address *to, const uint8_t *data,
                     size_t len, decc_buf *ret) {
  return ldg_dispatch(c, &c->self, to, data, len, ret);
}

static void ctx_init(ldg_ctx *c, decc_ledger *l, const decc_address *from,
                     decc_err *err) {
  memset(c, 0, sizeof *c);
  c->l = l;
  c->origin = *from;
  c->sender = *from;
  c->err = err;
  decc_buf_init(&c->revert_data, 64 * 1024);
}

static void ctx_clear(ldg_ctx *c) {
  logs_truncate(&c->logs, 0);
  decc_free(c->logs.v);
  decc_buf_clear(&c->revert_data);
}

/* Reason text recorded in a receipt for a revert. */
static char *reason_text(const ldg_ctx *c) {
  if (c->has_reason || !c->revert_data.len)
    return decc_strdup(c->reason);
  size_t n = c->revert_data.len;
  char *s = decc_malloc(2 * n + 3);
  if (s)
    decc_hex_encode(s, c->revert_data.data, n, 1);
  return s;
}

/* ---- blocks ----------------------------------------------------------------- */

decc_status ldg_head(decc_ledger *l, uint64_t *number, uint8_t hash[32],
                     uint64_t *timestamp, decc_err *err) {
  sqlite3_stmt *st;
  int found;
  decc_status s = ldg_query(
      l, &st, &found,
      "SELECT number, hash, timestamp FROM blocks ORDER BY number DESC LIMIT 1",
      err, "");
  if (s != DECC_OK)
    return s;
  if (!found) {
    sqlite3_reset(st);
    return decc_err_set(err, DECC_E_CORRUPT, "ledger: no genesis block");
  }
  if (number)
    *number = (uint64_t)sqlite3_column_int64(st, 0);
  if (hash)
    ldg_col_h32(st, 1, hash);
  if (timestamp)
    *timestamp = (uint64_t)sqlite3_column_int64(st, 2);
  sqlite3_reset(st);
  return DECC_OK;
}

static decc_status clock_now(decc_ledger *l, uint64_t head_ts, uint64_t *out,
                             decc_err *err) {
  int64_t off;
  int found;
  decc_status s = ldg_meta_get_i64(l, "time_offset", &off, &found, err);
  if (s != DECC_OK)
    return s;
  int64_t now = (int64_t)time(NULL) + off;
  uint64_t t = now > 0 ? (uint64_t)now : 0;
  *out = t > head_ts ? t : head_ts;
  return DECC_OK;
}

decc_status ldg_block_begin(decc_ledger *l, uint64_t ts, decc_err *err) {
  if (l->in_block)
    return decc_err_set(err, DECC_E_STATE, "ledger: block already open");
  decc_status s = ldg_exec(l, "BEGIN IMMEDIATE", err, "");
  if (s != DECC_OK)
    return s;
  uint64_t head_ts = 0;
  if ((s = ldg_head(l, &l->blk_number, l->blk_parent, &head_ts, err)) !=
      DECC_OK) {
    ldg_exec_raw(l, "ROLLBACK", NULL);
    return s;
  }
  l->blk_number++;
  if (ts == 0) {
    if ((s = clock_now(l, head_ts, &ts, err)) != DECC_OK) {
      ldg_exec_raw(l, "ROLLBACK", NULL);
      return s;
    }
  }
  l->blk_timestamp = ts;
  ldg_bc_clear(l);
  l->blk_txs = 0;
  l->blk_logs = 0;
  ldg_ov_clear(l); /* (empty: every block ends with a flush or an abort) */
  ldg_logs_clear(l);
  decc_keccak256_init(&l->blk_txroot);
  decc_keccak256_init(&l->blk_rcroot);
  l->in_block = 1;
  return DECC_OK;
}

void ldg_block_abort(decc_ledger *l) {
  if (!l->in_block)
    return;
  sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
  ldg_ov_clear(l);
  ldg_logs_clear(l);
  ldg_bc_clear(l);
  l->in_block = 0;
}

decc_status ldg_block_commit(decc_ledger *l, uint8_t hash_out[32],
                             decc_err *err) {
  uint8_t txroot[32], rcroot[32], hdr[32 + 8 + 8 + 8 + 64], hash[32];
  decc_keccak256_final(&l->blk_txroot, txroot);
  decc_keccak256_final(&l->blk_rcroot, rcroot);
  memcpy(hdr, l->blk_parent, 32);
  ldg_be64(hdr + 32, l->blk_number);
  ldg_be64(hdr + 40, l->blk_timestamp);
  ldg_be64(hdr + 48, l->blk_txs);
  memcpy(hdr + 56, txroot, 32);
  memcpy(hdr + 88, rcroot, 32);
  decc_keccak256(hash, hdr, sizeof hdr);
  /* the block's state rows, in its own transaction, before COMMIT */
  decc_status s = ldg_ov_flush(l, err);
  if (s == DECC_OK)
    s = ldg_logs_flush(l, err);
  if (s == DECC_OK)
    s = ldg_exec(l, "INSERT INTO blocks VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                 err, "ihhiihh", (int64_t)l->blk_number, hash, l->blk_parent,
                 (int64_t)l->blk_timestamp, (int64_t)l->blk_txs, txroot,
                 rcroot);
  if (s == DECC_OK)
    s = ldg_exec(l, "COMMIT", err, "");
  if (s != DECC_OK) {
    ldg_block_abort(l);
    return s;
  }
  ldg_ov_clear(l);
  ldg_bc_clear(l);
  l->in_block = 0;
  if (hash_out)
    memcpy(hash_out, hash, 32);
  return DECC_OK;
}

void ldg_call_hash(uint8_t out[32], uint64_t chain_id, const decc_address *from,
                   uint64_t nonce, const decc_address *to, const uint8_t *data,
                   size_t len) {
  static const char tag[] = "decc.call.v1";
  decc_keccak256_ctx k;
  uint8_t n8[8];
  decc_keccak256_init(&k);
  decc_keccak256_update(&k, tag, sizeof tag - 1);
  ldg_be64(n8, chain_id);
  decc_keccak256_update(&k, n8, 8);
  decc_keccak256_update(&k, from->b, 20);
  ldg_be64(n8, nonce);
  decc_keccak256_update(&k, n8, 8);
  decc_keccak256_update(&k, to->b, 20);
  decc_keccak256_update(&k, data, len);
  decc_keccak256_final(&k, out);
}

static decc_status store_tx(decc_ledger *l, int kind, const decc_receipt *r,
                            const uint8_t *data, size_t len, const uint8_t *raw,
                            size_t raw_len, decc_err *err) {
  /* a signed transaction's calldata is inside its raw form: no second
   * copy (schema 3; verify re-derives it) */
  if (kind == LDG_TX_RAW)
    len = 0;
  decc_status s = ldg_exec(
      l,
      "INSERT INTO txs(hash, block, idx, kind, sender, recipient, nonce, "
      "input, raw, status, reason, output) "
      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
      err, "hiiiaaibbitb", r->tx_hash, (int64_t)r->block_number,
      (int64_t)r->tx_index, (int64_t)kind, &r->from, &r->to, (int64_t)r->nonce,
      data, len, raw, raw_len, (int64_t)r->status, r->revert_reason, r->output,
      r->output_len);
  if (s != DECC_OK)
    return s;
  return ldg_logs_store(l, r->logs, r->n_logs, err);
}

decc_status ldg_tx_execute(decc_ledger *l, int kind, const uint8_t hash[32],
                           const decc_address *from, const decc_address *to,
                           uint64_t nonce, const uint8_t *data, size_t len,
                           const uint8_t *raw, size_t raw_len,
                           decc_receipt *out, decc_err *err) {
  memset(out, 0, sizeof *out);
  if (!l->in_block)
    return decc_err_set(err, DECC_E_STATE, "ledger: no open block");
  decc_status s = ldg_nonce_set(l, from, nonce + 1, err);
  if (s != DECC_OK)
    return s;
  /* the call's writes: overlaid rows with an undo log, any other row
   * inside a savepoint ldg_exec opens at the first such write */
  l->sp_open = 0;
  ldg_ov_tx_begin(l);
  ldg_ctx c;
  ctx_init(&c, l, from, err);
  c.timestamp = l->blk_timestamp;
  c.number = l->blk_number;
  decc_buf ret;
  decc_buf_init(&ret, 16 * 1024 * 1024);
  s = ldg_dispatch(&c, from, to, data, len, &ret);
  int reverted = s == DECC_E_REVERT;
  ldg_ov_tx_end(l, s != DECC_OK);
  if (s != DECC_OK && !reverted) {
    if (l->sp_open) {
      ldg_exec(l, "ROLLBACK TO tx", NULL, "");
      ldg_exec(l, "RELEASE tx", NULL, "");
      ldg_bc_clear(l); /* it may hold rows the call wrote */
    }
    l->sp_open = 0;
    goto done;
  }
  if (reverted) {
    s = l->sp_open ? ldg_exec(l, "ROLLBACK TO tx", err, "") : DECC_OK;
    if (l->sp_open)
      ldg_bc_clear(l); /* it may hold rows the call wrote */
    logs_truncate(&c.logs, 0);
    decc_buf_reset(&ret);
  }
  if (s == DECC_OK && l->sp_open)
    s = ldg_exec(l, "RELEASE tx", err, "");
  l->sp_open = 0;
  if (s != DECC_OK)
    goto done;
  memcpy(out->tx_hash, hash, 32);
  out->block_number = l->blk_number;
  out->tx_index = l->blk_txs;
  out->from = *from;
  out->to = *to;
  out->nonce = nonce;
  out->status = reverted ? 0 : 1;
  if (reverted && !(out->revert_reason = reason_text(&c))) {
    s = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto done;
  }
  out->output = decc_buf_steal(&ret, &out->output_len);
  out->logs = c.logs.v;
  out->n_logs = c.logs.n;
  c.logs.v = NULL;
  c.logs.n = c.logs.cap = 0;
  for (size_t i = 0; i < out->n_logs; i++) {
    decc_log *lg = &out->logs[i];
    lg->block_number = l->blk_number;
    memcpy(lg->tx_hash, hash, 32);
    lg->tx_index = l->blk_txs;
    lg->log_index = l->blk_logs + (uint32_t)i;
  }
  if ((s = store_tx(l, kind, out, data, len, raw, raw_len, err)) != DECC_OK)
    goto done;
  decc_keccak256_update(&l->blk_txroot, hash, 32);
  if (!l->rc_defer) { /* else the batch's digests come at its end */
    uint8_t dg[32];
    ldg_receipt_digest(dg, out);
    decc_keccak256_update(&l->blk_rcroot, dg, 32);
  }
  l->blk_txs++;
  l->blk_logs += (uint32_t)out->n_logs;
done:
  decc_buf_clear(&ret);
  ctx_clear(&c);
  if (s != DECC_OK)
    decc_receipt_clear(out);
  return s;
}

/* ---- public entry points -------------------------------------------------------- */

static void finish_receipts(decc_receipt *out, size_t n,
                            const uint8_t hash[32]) {
  for (size_t i = 0; i < n; i++) {
    memcpy(out[i].block_hash, hash, 32);
    for (size_t k = 0; k < out[i].n_logs; k++)
      memcpy(out[i].logs[k].block_hash, hash, 32);
  }
}

decc_status decc_ledger_submit_calls(decc_ledger *l,
                                     const decc_ledger_call *calls, size_t n,
                                     decc_receipt *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(calls != NULL || n == 0);
  DECC_ARG_CHECK(out != NULL || n == 0);
  if (n > DECC_LEDGER_MAX_BATCH)
    return decc_err_set(err, DECC_E_LIMIT, "ledger: batch of %zu calls", n);
  for (size_t i = 0; i < n; i++)
    if (calls[i].len > DECC_LEDGER_MAX_CALLDATA ||
        (!calls[i].data && calls[i].len))
      return decc_err_set(err, DECC_E_LIMIT, "ledger: call %zu: bad calldata",
                          i);
  decc_status s = table_ready(err);
  if (s != DECC_OK)
    return s;
  if (n) /* (out may be NULL for an empty batch: memset's is nonnull) */
    memset(out, 0, n * sizeof *out);
  if ((s = ldg_block_begin(l, 0, err)) != DECC_OK)
    return s;
  size_t done = 0;
  for (; done < n; done++) {
    const decc_ledger_call *k = &calls[done];
    uint64_t nonce;
    uint8_t hash[32];
    if ((s = ldg_nonce_get(l, &k->from, &nonce, err)) != DECC_OK)
      break;
    ldg_call_hash(hash, l->chain_id, &k->from, nonce, &k->to, k->data, k->len);
    s = ldg_tx_execute(l, LDG_TX_CALL, hash, &k->from, &k->to, nonce, k->data,
                       k->len, NULL, 0, &out[done], err);
    if (s != DECC_OK)
      break;
  }
  uint8_t bh[32];
  if (s == DECC_OK)
    s = ldg_block_commit(l, bh, err);
  else
    ldg_block_abort(l);
  if (s != DECC_OK) {
    for (size_t i = 0; i < n; i++)
      decc_receipt_clear(&out[i]);
    return s;
  }
  finish_receipts(out, n, bh);
  return DECC_OK;
}

decc_status decc_ledger_view(decc_ledger *l, const decc_address *from,
                             const decc_address *to, const uint8_t *data,
                             size_t len, decc_buf *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL); /* (from is optional) */
  DECC_ARG_CHECK(to != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  DECC_ARG_CHECK(out != NULL);
  if (len > DECC_LEDGER_MAX_CALLDATA)
    return decc_err_set(err, DECC_E_LIMIT, "ledger: calldata too large");
  if (l->in_block)
    return decc_err_set(err, DECC_E_STATE, "ledger: view inside a block");
  decc_status s = table_ready(err);
  if (s != DECC_OK)
    return s;
  decc_address zero;
  memset(&zero, 0, sizeof zero);
  if (!from)
    from = &zero;
  if ((s = ldg_exec(l, "BEGIN", err, "")) != DECC_OK)
    return s;
  uint64_t number = 0, head_ts = 0, ts = 0;
  if ((s = ldg_head(l, &number, NULL, &head_ts, err)) != DECC_OK ||
      (s = clock_now(l, head_ts, &ts, err)) != DECC_OK) {
    ldg_exec_raw(l, "ROLLBACK", NULL);
    return s;
  }
  ldg_ctx c;
  ctx_init(&c, l, from, err);
  c.timestamp = ts;
  c.number = number + 1;
  size_t before = out->len;
  s = ldg_dispatch(&c, from, to, data, len, out);
  if (s == DECC_E_REVERT) {
    char *r = reason_text(&c);
    decc_err_set(err, DECC_E_REVERT, "%s", r && *r ? r : "execution reverted");
    decc_free(r);
    out->len = before; /* drop partial output; keep the NUL convention */
    if (out->data)
      out->data[before] = 0;
  }
  ctx_clear(&c);
  ldg_exec_raw(l, "ROLLBACK", NULL);
  return s;
}

decc_status decc_ledger_code(decc_ledger *l, const decc_address *a,
                             decc_buf *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(out != NULL);
  ldg_target t;
  decc_status s = ldg_target_of(l, a, &t, err);
  if (s != DECC_OK || t == LDG_T_NONE)
    return s;
  /* 0xfe = INVALID: present for getCode checks, never executable. */
  static const uint8_t marker = 0xfe;
  if ((s = decc_buf_append(out, &marker, 1)) != DECC_OK)
    return decc_err_set(err, s, "ledger: out of memory");
  return DECC_OK;
}
