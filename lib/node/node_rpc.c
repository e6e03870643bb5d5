/*
 * node_rpc.c — the chain role's Ethereum JSON-RPC endpoint (POST / and
 * POST /rpc) over the embedded ledger: what the ledger supports, in the
 * shapes Ethereum clients (ethers, viem, curl scripts) expect.
 *
 * JSON-RPC 2.0: single requests and batches (bounded by rpc_max_batch),
 * notifications (no id) get no entry, errors use the standard codes
 * (-32700 parse, -32600 invalid request, -32601 unknown method, -32602 bad
 * params, -32000 server error, 3 execution reverted with the ABI-encoded
 * Error(string) as data). A body that is not JSON, or not a request or a
 * batch, is answered with HTTP 400 and the JSON-RPC error.
 *
 * The embedded ledger charges no gas and moves no native coin: gas fields
 * are 0 (RLC is the ERC-20 at the token address), and eth_getBalance is
 * the native coin the genesis gave the account (funded dev accounts:
 * 10,000 ether by default, decc_ledger_native_balance), constant. Blocks carry the ledger's hash, parent, timestamp and
 * transaction hashes; full transaction objects are not kept (only their
 * receipts), so eth_getBlockByNumber(…, true) returns the fields a receipt
 * knows.
 *
 * Transactions sent back to back (docs/api/http.md, "Nonces"): a
 * transaction is mined inside eth_sendRawTransaction, and ethers v6 answers
 * an identical eth_getTransactionCount from a 250 ms cache, so a client
 * that sends its next transaction within 250 ms of asking for the previous
 * one's nonce reuses that nonce. The answer to eth_sendRawTransaction is
 * therefore held until NONCE_CACHE_MS after this node last answered a
 * count for the sender that this very transaction made stale; nonce errors
 * are geth's (-32000 "nonce too low" / "nonce too high").
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/tx.h"
#include "node_int.h"

#define RPC_ERR_PARSE -32700
#define RPC_ERR_REQUEST -32600
#define RPC_ERR_METHOD -32601
#define RPC_ERR_PARAMS -32602
#define RPC_ERR_SERVER -32000

typedef struct rpc_err {
  int code;
  char msg[DECC_ERR_LEN];
  json_t *data;
} rpc_err;

static json_t *fail(rpc_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static json_t *fail(rpc_err *e, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  e->code = code;
  return NULL;
}

/* ---- parameter parsing ---------------------------------------------------- */

static int parse_qty(const char *s, uint64_t *out) {
  if (!s || strncmp(s, "0x", 2) || !s[2] || strlen(s) > 18)
    return 0;
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s + 2, &end, 16);
  if (errno || *end)
    return 0;
  *out = v;
  return 1;
}

/* Block tag → number; latest for latest/pending/safe/finalized. */
static int parse_block(decc_ledger *l, json_t *v, uint64_t *out, rpc_err *e) {
  decc_ledger_block b;
  if (!v || json_is_null(v) ||
      (json_is_string(v) && (!strcmp(json_string_value(v), "latest") ||
                             !strcmp(json_string_value(v), "pending") ||
                             !strcmp(json_string_value(v), "safe") ||
                             !strcmp(json_string_value(v), "finalized")))) {
    decc_err de;
    if (decc_ledger_block_get(l, UINT64_MAX, &b, &de) != DECC_OK) {
      fail(e, RPC_ERR_SERVER, "%s", de.msg);
      return 0;
    }
    *out = b.number;
    return 1;
  }
  if (json_is_string(v) && !strcmp(json_string_value(v), "earliest")) {
    *out = 0;
    return 1;
  }
  if (json_is_string(v) && parse_qty(json_string_value(v), out))
    return 1;
  fail(e, RPC_ERR_PARAMS, "invalid block number or tag");
  return 0;
}

static int parse_addr(json_t *v, decc_address *a) {
  return json_is_string(v) &&
         decc_address_parse(a, json_string_value(v), NULL) == DECC_OK;
}

static int parse_hash(json_t *v, uint8_t h[32]) {
  return json_is_string(v) && !strncmp(json_string_value(v), "0x", 2) &&
         decc_hex_decode_exact(h, 32, json_string_value(v), "hash", NULL) ==
             DECC_OK;
}

/* 0x-hex data of any length into a heap buffer (NULL + *len 0 when empty). */
static int parse_data(json_t *v, uint8_t **out, size_t *len, size_t max) {
  *out = NULL;
  *len = 0;
  if (!json_is_string(v))
    return 0;
  const char *s = json_string_value(v);
  size_t n = strlen(s);
  if (n < 2 || strncmp(s, "0x", 2) || (n - 2) % 2 || (n - 2) / 2 > max)
    return 0;
  if (n == 2)
    return 1;
  *out = decc_malloc((n - 2) / 2);
  if (!*out)
    return 0;
  if (decc_hex_decode(*out, (n - 2) / 2, len, s, n) != DECC_OK) {
    DECC_FREE(*out);
    return 0;
  }
  return 1;
}

/* ---- object builders ------------------------------------------------------ */

static void bloom_add(uint8_t bloom[256], const uint8_t *p, size_t n) {
  uint8_t h[32];
  decc_keccak256(h, p, n);
  for (int i = 0; i < 6; i += 2) {
    unsigned bit = ((unsigned)h[i] << 8 | h[i + 1]) & 2047u;
    bloom[255 - bit / 8] |= (uint8_t)(1u << (bit % 8));
  }
}

static json_t *log_json(const decc_log *l) {
  json_t *topics = json_array();
  for (size_t i = 0; i < l->n_topics; i++)
    json_array_append_new(topics, decc__json_hex(l->topics[i], 32));
  return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "address",
                   decc__node_json_addr(&l->address), "topics", topics, "data",
                   decc__json_hex(l->data, l->data_len), "blockNumber",
                   decc__node_json_qty(l->block_number), "blockHash",
                   decc__json_hex(l->block_hash, 32), "transactionHash",
                   decc__json_hex(l->tx_hash, 32), "transactionIndex",
                   decc__node_json_qty(l->tx_index), "logIndex",
                   decc__node_json_qty(l->log_index), "removed", 0);
}

static json_t *receipt_json(const decc_receipt *r) {
  uint8_t bloom[256];
  memset(bloom, 0, sizeof bloom);
  json_t *logs = json_array();
  for (size_t i = 0; i < r->n_logs; i++) {
    json_array_append_new(logs, log_json(&r->logs[i]));
    bloom_add(bloom, r->logs[i].address.b, 20);
    for (size_t t = 0; t < r->logs[i].n_topics; t++)
      bloom_add(bloom, r->logs[i].topics[t], 32);
  }
  json_t *j = json_pack(
      "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:n,s:o,s:o,s:o,s:s}",
      "transactionHash", decc__json_hex(r->tx_hash, 32), "transactionIndex",
      decc__node_json_qty(r->tx_index), "blockHash",
      decc__json_hex(r->block_hash, 32), "blockNumber",
      decc__node_json_qty(r->block_number), "from",
      decc__node_json_addr(&r->from), "to", decc__node_json_addr(&r->to),
      "cumulativeGasUsed", decc__node_json_qty(0), "gasUsed",
      decc__node_json_qty(0), "effectiveGasPrice", decc__node_json_qty(0),
      "logs", logs, "contractAddress", "logsBloom",
      decc__json_hex(bloom, sizeof bloom), "status",
      decc__node_json_qty(r->status ? 1 : 0), "nonce",
      decc__node_json_qty(r->nonce), "type", "0x0");
  if (j && r->revert_reason)
    json_object_set_new(j, "revertReason", json_string(r->revert_reason));
  return j;
}

/* Error(string) ABI encoding of a revert reason (eth_call error data). */
static json_t *revert_data(const char *reason) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 1 << 16);
  decc_buf out;
  decc_buf_init(&out, 1 << 17);
  uint8_t sel[4];
  decc_abi_selector(sel, "Error(string)");
  json_t *j = NULL;
  if (decc_abi_enc_push_string(&e, reason) == DECC_OK &&
      decc_abi_enc_finish_call(&e, sel, &out) == DECC_OK)
    j = decc__json_hex(out.data, out.len);
  decc_abi_enc_clear(&e);
  decc_buf_clear(&out);
  return j ? j : json_null();
}

/* ---- methods --------------------------------------------------------------- */

/* ---- nonce answers (file comment) ----------------------------------------- */

/* ethers v6 AbstractProvider's default cacheTimeout is 250 ms; 60 ms more
 * covers timer lateness and the client's own processing. */
#define NONCE_CACHE_MS 310
#define NONCE_SLOTS 256

typedef struct nonce_seen {
  decc_address addr;
  uint64_t nonce; /* the count answered */
  int64_t at_ms;  /* when (monotonic) */
} nonce_seen;

/* Process-wide and bounded: a collision only loses a delay (the slot holds
 * the latest sender hashed there), never correctness of the ledger. */
static nonce_seen g_seen[NONCE_SLOTS];
static pthread_mutex_t g_seen_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned seen_slot(const decc_address *a) {
  return ((unsigned)a->b[18] << 8 | a->b[19]) % NONCE_SLOTS;
}

static void seen_record(const decc_address *a, uint64_t nonce) {
  pthread_mutex_lock(&g_seen_mu);
  nonce_seen *s = &g_seen[seen_slot(a)];
  s->addr = *a;
  s->nonce = nonce;
  s->at_ms = (int64_t)decc__mono_ms();
  pthread_mutex_unlock(&g_seen_mu);
}

/* Milliseconds to hold the answer to a mined transaction of sender a with
 * nonce n: until the cache entry of a count answer equal to n expires. */
static int64_t seen_hold_ms(const decc_address *a, uint64_t n) {
  int64_t hold = 0;
  pthread_mutex_lock(&g_seen_mu);
  nonce_seen *s = &g_seen[seen_slot(a)];
  if (s->at_ms && decc_address_eq(&s->addr, a) && s->nonce == n)
    hold = s->at_ms + NONCE_CACHE_MS - (int64_t)decc__mono_ms();
  pthread_mutex_unlock(&g_seen_mu);
  return hold > 0 ? (hold > NONCE_CACHE_MS ? NONCE_CACHE_MS : hold) : 0;
}

typedef struct rpc_ctx {
  decc_node *n;
  decc_ledger *l;
} rpc_ctx;

static json_t *m_block_number(rpc_ctx *c, json_t *p, rpc_err *e) {
  (void)p;
  uint64_t b;
  if (!parse_block(c->l, NULL, &b, e))
    return NULL;
  return decc__node_json_qty(b);
}

static json_t *m_get_balance(rpc_ctx *c, json_t *p, rpc_err *e) {
  decc_address a;
  uint64_t b;
  if (!parse_addr(json_array_get(p, 0), &a))
    return fail(e, RPC_ERR_PARAMS, "params[0] must be an address");
  if (!parse_block(c->l, json_array_get(p, 1), &b, e))
    return NULL;
  /* The genesis allocation, constant (file comment). */
  decc_u256 v;
  decc_err de;
  decc_err_clear(&de);
  if (decc_ledger_native_balance(c->l, &a, &v, &de) != DECC_OK)
    return fail(e, RPC_ERR_SERVER, "%s", de.msg);
  char hx[DECC_HEX32_LEN];
  return json_string(decc_u256_to_hex(hx, &v));
}

static json_t *m_get_tx_count(rpc_ctx *c, json_t *p, rpc_err *e) {
  decc_address a;
  uint64_t b, nonce;
  if (!parse_addr(json_array_get(p, 0), &a))
    return fail(e, RPC_ERR_PARAMS, "params[0] must be an address");
  if (!parse_block(c->l, json_array_get(p, 1), &b, e))
    return NULL;
  decc_err de;
  if (decc_ledger_nonce(c->l, &a, &nonce, &de) != DECC_OK)
    return fail(e, RPC_ERR_SERVER, "%s", de.msg);
  seen_record(&a, nonce);
  return decc__node_json_qty(nonce);
}

/* Contracts run natively in the ledger: each has the one-byte code 0xfe
 * (decc_ledger_code), so presence checks (decc's own, the SDKs') work. */
static json_t *m_get_code(rpc_ctx *c, json_t *p, rpc_err *e) {
  decc_address a;
  uint64_t b;
  if (!parse_addr(json_array_get(p, 0), &a))
    return fail(e, RPC_ERR_PARAMS, "params[0] must be an address");
  if (!parse_block(c->l, json_array_get(p, 1), &b, e))
    return NULL;
  decc_buf code;
  decc_buf_init(&code, 0);
  decc_err de;
  decc_err_clear(&de);
  if (decc_ledger_code(c->l, &a, &code, &de) != DECC_OK) {
    decc_buf_clear(&code);
    return fail(e, RPC_ERR_SERVER, "%s", de.msg);
  }
  json_t *r = decc__json_hex(code.data, code.len);
  decc_buf_clear(&code);
  return r;
}

/* Sender and nonce of a raw transaction, or 0 when it does not parse (the
 * ledger then reports why). */
static int raw_sender(const uint8_t *raw, size_t len, decc_address *from,
                      uint64_t *nonce) {
  decc_tx tx;
  decc_tx_init(&tx);
  decc_err de;
  int ok = decc_tx_parse(&tx, raw, len, &de) == DECC_OK &&
           decc_tx_recover(from, &tx, &de) == DECC_OK;
  *nonce = tx.nonce;
  decc_tx_clear(&tx);
  return ok;
}

/* geth's wording, which ethers classifies (NONCE_EXPIRED for "too low"). */
static int nonce_error(rpc_ctx *c, const decc_address *from, uint64_t n,
                       rpc_err *e) {
  uint64_t next;
  decc_err de;
  if (decc_ledger_nonce(c->l, from, &next, &de) != DECC_OK || next == n)
    return 0;
  fail(e, RPC_ERR_SERVER, "nonce too %s: next nonce %llu, tx nonce %llu",
       n < next ? "low" : "high", (unsigned long long)next,
       (unsigned long long)n);
  return 1;
}

static json_t *m_send_raw(rpc_ctx *c, json_t *p, rpc_err *e) {
  uint8_t *raw = NULL;
  size_t len = 0;
  if (!parse_data(json_array_get(p, 0), &raw, &len, 4u << 20) || !raw)
    return fail(e, RPC_ERR_PARAMS,
                "params[0] must be the signed transaction "
                "as 0x hex");
  /* The ledger recovers the sender itself; the node recovers it again
   * (about 45 us) only to word a refusal as geth does, so a transaction
   * that goes through pays for one recovery. */
  const uint8_t *rp = raw;
  size_t rlen = len;
  decc_receipt r;
  memset(&r, 0, sizeof r);
  decc_err de;
  decc_err_clear(&de);
  decc_status st = decc_ledger_submit_raw(c->l, &rp, &rlen, 1, &r, &de);
  if (st) {
    decc_address from;
    uint64_t n = 0;
    int nonce_refused = st == DECC_E_INVALID &&
                        raw_sender(raw, len, &from, &n) &&
                        nonce_error(c, &from, n, e);
    decc_free(raw);
    if (nonce_refused)
      return NULL;
    int code = (st == DECC_E_INVALID || st == DECC_E_BAD_SIGNATURE ||
                st == DECC_E_PARSE)
                   ? RPC_ERR_PARAMS
                   : RPC_ERR_SERVER;
    return fail(e, code, "%s", de.msg[0] ? de.msg : decc_strerror(st));
  }
  decc_free(raw);
  decc_address from = r.from;
  uint64_t n = r.nonce;
  json_t *j = decc__json_hex(r.tx_hash, 32);
  /* The orderbook learns of what this transaction did (a grant revoked, an
   * order consumed by a match) before its hash is returned, instead of at
   * the watcher's next poll: an SDK that lists orders right after waiting
   * for the receipt sees the new state. */
  if (r.status == 1 && r.n_logs && c->n->market) {
    decc_err me;
    decc_err_clear(&me);
    if (decc_node_market_sync(c->n, NULL, &me) != DECC_OK)
      decc__node_logf(c->n, "market sync after a transaction: %s", me.msg);
  }
  decc_receipt_clear(&r);
  int64_t hold = seen_hold_ms(&from, n);
  if (hold > 0) {
    struct timespec ts = {.tv_sec = hold / 1000,
                          .tv_nsec = (long)(hold % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
      ;
  }
  return j;
}

static json_t *m_call(rpc_ctx *c, json_t *p, rpc_err *e) {
  json_t *tx = json_array_get(p, 0);
  uint64_t b;
  if (!json_is_object(tx))
    return fail(e, RPC_ERR_PARAMS, "params[0] must be a call object");
  if (!parse_block(c->l, json_array_get(p, 1), &b, e))
    return NULL;
  decc_address to, from;
  int has_from = 0;
  if (!parse_addr(json_object_get(tx, "to"), &to))
    return fail(e, RPC_ERR_PARAMS, "call.to must be an address");
  if (json_object_get(tx, "from")) {
    if (!parse_addr(json_object_get(tx, "from"), &from))
      return fail(e, RPC_ERR_PARAMS, "call.from must be an address");
    has_from = 1;
  }
  json_t *dv = json_object_get(tx, "input");
  if (!dv)
    dv = json_object_get(tx, "data");
  uint8_t *data = NULL;
  size_t len = 0;
  if (dv && !parse_data(dv, &data, &len, DECC_LEDGER_MAX_CALLDATA))
    return fail(e, RPC_ERR_PARAMS, "call.data must be 0x hex");
  decc_buf out;
  decc_buf_init(&out, 16u << 20);
  decc_err de;
  decc_err_clear(&de);
  decc_status st = decc_ledger_view(c->l, has_from ? &from : NULL, &to, data,
                                    len, &out, &de);
  decc_free(data);
  json_t *j = NULL;
  if (st == DECC_E_REVERT) {
    e->data = revert_data(de.msg);
    fail(e, 3, "execution reverted%s%s", de.msg[0] ? ": " : "", de.msg);
  } else if (st) {
    fail(e, RPC_ERR_SERVER, "%s", de.msg[0] ? de.msg : decc_strerror(st));
  } else {
    j = decc__json_hex(out.data, out.len);
  }
  decc_buf_clear(&out);
  return j;
}

static json_t *m_receipt(rpc_ctx *c, json_t *p, rpc_err *e) {
  uint8_t h[32];
  if (!parse_hash(json_array_get(p, 0), h))
    return fail(e, RPC_ERR_PARAMS, "params[0] must be a transaction hash");
  decc_receipt r;
  memset(&r, 0, sizeof r);
  decc_err de;
  decc_status st = decc_ledger_receipt(c->l, h, &r, &de);
  if (st == DECC_E_NOT_FOUND)
    return json_null();
  if (st)
    return fail(e, RPC_ERR_SERVER, "%s", de.msg);
  json_t *j = receipt_json(&r);
  decc_receipt_clear(&r);
  return j;
}

/* eth_getRawTransactionByHash (geth's): the signed raw transaction, which
 * provenance bundles carry (docs/provenance.md); null when unknown. */
static json_t *m_get_raw_tx(rpc_ctx *c, json_t *p, rpc_err *e) {
  uint8_t h[32];
  if (!parse_hash(json_array_get(p, 0), h))
    return fail(e, RPC_ERR_PARAMS, "params[0] must be a transaction hash");
  decc_buf raw;
  decc_buf_init(&raw, 0);
  decc_err de;
  decc_err_clear(&de);
  decc_status st = decc_ledger_tx_raw(c->l, h, &raw, &de);
  if (st == DECC_E_NOT_FOUND) {
    decc_buf_clear(&raw);
    return json_null();
  }
  if (st) {
    decc_buf_clear(&raw);
    return fail(e, RPC_ERR_SERVER, "%s", de.msg);
  }
  json_t *r = decc__json_hex(raw.data, raw.len);
  decc_buf_clear(&raw);
  return r;
}

static json_t *m_get_logs(rpc_ctx *c, json_t *p, rpc_err *e) {
  json_t *fo = json_array_get(p, 0);
  if (!json_is_object(fo))
    return fail(e, RPC_ERR_PARAMS, "params[0] must be a filter object");
  decc_log_filter f;
  decc_log_filter_init(&f);
  decc_address addrs[DECC_FILTER_MAX_ALTS];
  uint8_t topics[DECC_LOG_MAX_TOPICS][DECC_FILTER_MAX_ALTS][32];
  json_t *bh = json_object_get(fo, "blockHash");
  if (bh)
    return fail(e, RPC_ERR_PARAMS,
                "blockHash filters are not supported: use "
                "fromBlock/toBlock");
  uint64_t head;
  if (!parse_block(c->l, NULL, &head, e))
    return NULL;
  json_t *fb = json_object_get(fo, "fromBlock"),
         *tb = json_object_get(fo, "toBlock");
  if (!parse_block(c->l, fb, &f.from_block, e) ||
      !parse_block(c->l, tb, &f.to_block, e))
    return NULL;
  if (!fb)
    f.from_block = head;
  json_t *av = json_object_get(fo, "address");
  if (av && !json_is_null(av)) {
    if (json_is_string(av)) {
      if (!parse_addr(av, &addrs[0]))
        return fail(e, RPC_ERR_PARAMS, "address must be an address");
      f.n_addresses = 1;
    } else if (json_is_array(av) &&
               json_array_size(av) <= DECC_FILTER_MAX_ALTS) {
      for (size_t i = 0; i < json_array_size(av); i++)
        if (!parse_addr(json_array_get(av, i), &addrs[i]))
          return fail(e, RPC_ERR_PARAMS, "address[%zu] must be an address", i);
      f.n_addresses = json_array_size(av);
    } else
      return fail(e, RPC_ERR_PARAMS,
                  "address must be an address or an array "
                  "of at most %d",
                  DECC_FILTER_MAX_ALTS);
    f.addresses = addrs;
  }
  json_t *tv = json_object_get(fo, "topics");
  if (tv && !json_is_null(tv)) {
    if (!json_is_array(tv) || json_array_size(tv) > DECC_LOG_MAX_TOPICS)
      return fail(e, RPC_ERR_PARAMS, "topics must be an array of at most 4");
    for (size_t i = 0; i < json_array_size(tv); i++) {
      json_t *t = json_array_get(tv, i);
      if (json_is_null(t))
        continue;
      if (json_is_string(t)) {
        if (!parse_hash(t, topics[i][0]))
          return fail(e, RPC_ERR_PARAMS, "topics[%zu] must be a bytes32", i);
        f.n_topic_alts[i] = 1;
      } else if (json_is_array(t) &&
                 json_array_size(t) <= DECC_FILTER_MAX_ALTS) {
        for (size_t k = 0; k < json_array_size(t); k++)
          if (!parse_hash(json_array_get(t, k), topics[i][k]))
            return fail(e, RPC_ERR_PARAMS, "topics[%zu][%zu] must be a bytes32",
                        i, k);
        f.n_topic_alts[i] = json_array_size(t);
      } else
        return fail(e, RPC_ERR_PARAMS, "topics[%zu]: bad value", i);
      f.topic_alts[i] = (const uint8_t(*)[32])topics[i];
    }
  }
  f.limit = 10000;
  decc_log *logs = NULL;
  size_t n = 0;
  decc_err de;
  decc_err_clear(&de);
  decc_status st = decc_ledger_logs(c->l, &f, &logs, &n, &de);
  if (st)
    return fail(e, st == DECC_E_INVALID ? RPC_ERR_PARAMS : RPC_ERR_SERVER, "%s",
                de.msg);
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++)
    json_array_append_new(arr, log_json(&logs[i]));
  decc_logs_free(logs, n);
  return arr;
}

static json_t *m_get_block(rpc_ctx *c, json_t *p, rpc_err *e) {
  uint64_t num;
  if (!json_is_string(json_array_get(p, 0)))
    return fail(e, RPC_ERR_PARAMS, "params[0] must be a block number or tag");
  if (!parse_block(c->l, json_array_get(p, 0), &num, e))
    return NULL;
  int full = json_is_true(json_array_get(p, 1));
  decc_ledger_block b;
  decc_err de;
  decc_err_clear(&de);
  decc_status st = decc_ledger_block_get(c->l, num, &b, &de);
  if (st == DECC_E_NOT_FOUND)
    return json_null();
  if (st)
    return fail(e, RPC_ERR_SERVER, "%s", de.msg);
  uint8_t *hashes = NULL;
  size_t nh = 0;
  st = decc_ledger_block_txs(c->l, num, &hashes, &nh, &de);
  if (st)
    return fail(e, RPC_ERR_SERVER, "%s", de.msg);
  json_t *txs = json_array();
  for (size_t i = 0; txs && i < nh; i++) {
    if (!full) {
      json_array_append_new(txs, decc__json_hex(hashes + 32 * i, 32));
      continue;
    }
    decc_receipt r;
    memset(&r, 0, sizeof r);
    if (decc_ledger_receipt(c->l, hashes + 32 * i, &r, &de) != DECC_OK) {
      json_array_append_new(txs, decc__json_hex(hashes + 32 * i, 32));
      continue;
    }
    json_array_append_new(
        txs, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "hash",
                       decc__json_hex(r.tx_hash, 32), "blockHash",
                       decc__json_hex(r.block_hash, 32), "blockNumber",
                       decc__node_json_qty(r.block_number), "transactionIndex",
                       decc__node_json_qty(r.tx_index), "from",
                       decc__node_json_addr(&r.from), "to",
                       decc__node_json_addr(&r.to), "nonce",
                       decc__node_json_qty(r.nonce), "value",
                       decc__node_json_qty(0), "gas", decc__node_json_qty(0),
                       "gasPrice", decc__node_json_qty(0)));
    decc_receipt_clear(&r);
  }
  decc_free(hashes);
  static const uint8_t zero[256];
  uint8_t nonce8[8] = {0};
  return json_pack(
      "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
      "s:[]}",
      "number", decc__node_json_qty(b.number), "hash",
      decc__json_hex(b.hash, 32), "parentHash", decc__json_hex(b.parent, 32),
      "timestamp", decc__node_json_qty(b.timestamp), "transactions", txs,
      "transactionsRoot", decc__json_hex(b.tx_root, 32), "receiptsRoot",
      decc__json_hex(b.receipt_root, 32), "stateRoot", decc__json_hex(zero, 32),
      "sha3Uncles", decc__json_hex(zero, 32), "logsBloom",
      decc__json_hex(zero, sizeof zero), "miner", decc__json_hex(zero, 20),
      "difficulty", decc__node_json_qty(0), "gasLimit", decc__node_json_qty(0),
      "gasUsed", decc__node_json_qty(0), "extraData", decc__json_hex(zero, 0),
      "nonce", decc__json_hex(nonce8, 8), "size", decc__node_json_qty(0),
      "uncles");
}

static json_t *m_chain_id(rpc_ctx *c, json_t *p, rpc_err *e) {
  (void)p;
  (void)e;
  return decc__node_json_qty(c->n->chain_id);
}

static json_t *m_net_version(rpc_ctx *c, json_t *p, rpc_err *e) {
  (void)p;
  (void)e;
  char b[24];
  snprintf(b, sizeof b, "%llu", (unsigned long long)c->n->chain_id);
  return json_string(b);
}

static json_t *m_client_version(rpc_ctx *c, json_t *p, rpc_err *e) {
  (void)c;
  (void)p;
  (void)e;
  char b[64];
  snprintf(b, sizeof b, "decc/%s/embedded-ledger", decc_version());
  return json_string(b);
}

static json_t *m_zero(rpc_ctx *c, json_t *p, rpc_err *e) {
  (void)c;
  (void)p;
  (void)e;
  return decc__node_json_qty(0);
}

/* eth_estimateGas: the embedded ledger meters no gas, so the estimate is a
 * fixed budget; the call is still executed (as eth_call) so that a call
 * that would revert is reported here, with its reason, as nodes do. */
static json_t *m_estimate_gas(rpc_ctx *c, json_t *p, rpc_err *e) {
  json_t *r = m_call(c, p, e);
  if (!r)
    return NULL;
  json_decref(r);
  return json_string("0xf4240"); /* 1,000,000 */
}

typedef json_t *(*rpc_fn)(rpc_ctx *c, json_t *params, rpc_err *e);
static const struct {
  const char *name;
  rpc_fn fn;
  int needs_ledger;
} METHODS[] = {
    {"eth_chainId", m_chain_id, 0},
    {"net_version", m_net_version, 0},
    {"web3_clientVersion", m_client_version, 0},
    {"eth_blockNumber", m_block_number, 1},
    {"eth_getBalance", m_get_balance, 1},
    {"eth_getTransactionCount", m_get_tx_count, 1},
    {"eth_getCode", m_get_code, 1},
    {"eth_sendRawTransaction", m_send_raw, 1},
    {"eth_call", m_call, 1},
    {"eth_estimateGas", m_estimate_gas, 1},
    {"eth_getTransactionReceipt", m_receipt, 1},
    {"eth_getRawTransactionByHash", m_get_raw_tx, 1},
    {"eth_getLogs", m_get_logs, 1},
    {"eth_getBlockByNumber", m_get_block, 1},
    {"eth_gasPrice", m_zero, 0},
    {"eth_maxPriorityFeePerGas", m_zero, 0},
};

static json_t *error_obj(json_t *id, int code, const char *msg, json_t *data) {
  json_t *err = json_pack("{s:i,s:s}", "code", code, "message", msg);
  if (err && data)
    json_object_set_new(err, "data", data);
  else
    json_decref(data);
  return json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id",
                   id ? id : json_null(), "error", err);
}

/* Answers one request object; NULL for a notification. */
static json_t *handle_one(decc_node *n, json_t *req) {
  if (!json_is_object(req))
    return error_obj(NULL, RPC_ERR_REQUEST,
                     "invalid request: expected an object", NULL);
  json_t *id = json_object_get(req, "id");
  const char *ver = json_string_value(json_object_get(req, "jsonrpc"));
  const char *method = json_string_value(json_object_get(req, "method"));
  json_t *params = json_object_get(req, "params");
  if (id && !json_is_string(id) && !json_is_integer(id) && !json_is_null(id))
    return error_obj(NULL, RPC_ERR_REQUEST, "invalid request: bad id", NULL);
  if (!ver || strcmp(ver, "2.0") || !method)
    return error_obj(id, RPC_ERR_REQUEST,
                     "invalid request: jsonrpc \"2.0\" and method are required",
                     NULL);
  if (params && !json_is_array(params))
    return error_obj(id, RPC_ERR_PARAMS, "params must be an array", NULL);
  json_t *empty = NULL;
  if (!params)
    params = empty = json_array();
  size_t k;
  for (k = 0; k < sizeof METHODS / sizeof METHODS[0]; k++)
    if (!strcmp(METHODS[k].name, method))
      break;
  json_t *out = NULL;
  if (k == sizeof METHODS / sizeof METHODS[0]) {
    char msg[160];
    snprintf(msg, sizeof msg,
             "the method %.64s does not exist/is not available", method);
    out = error_obj(id, RPC_ERR_METHOD, msg, NULL);
  } else {
    rpc_ctx c = {n, NULL};
    rpc_err e;
    memset(&e, 0, sizeof e);
    if (METHODS[k].needs_ledger)
      c.l = decc__node_pool_acquire(&n->pool);
    json_t *result = METHODS[k].fn(&c, params, &e);
    if (c.l)
      decc__node_pool_release(&n->pool, c.l);
    if (e.code) {
      json_decref(result);
      out = error_obj(id, e.code, e.msg, e.data);
    } else if (!result) {
      out = error_obj(id, RPC_ERR_SERVER, "out of memory", NULL);
    } else {
      out = json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id",
                      id ? id : json_null(), "result", result);
    }
  }
  json_decref(empty);
  if (!id) { /* notification: no answer */
    json_decref(out);
    return NULL;
  }
  return out;
}

static void h_rpc(void *ctx, decc_http_request *req, decc_http_response *res) {
  decc_node *n = ctx;
  size_t len = 0;
  const uint8_t *body = decc_http_req_body(req, &len);
  json_error_t je;
  json_t *in = json_loadb((const char *)body, len, JSON_DECODE_ANY, &je);
  if (!in) {
    char msg[200];
    snprintf(msg, sizeof msg, "parse error: line %d col %d: %s", je.line,
             je.column, je.text);
    decc__node_send_json(res, 400, error_obj(NULL, RPC_ERR_PARSE, msg, NULL));
    return;
  }
  if (json_is_array(in)) {
    size_t nreq = json_array_size(in);
    if (nreq == 0 || nreq > n->cfg.rpc_max_batch) {
      json_decref(in);
      char msg[96];
      snprintf(msg, sizeof msg,
               "invalid request: a batch holds 1 to %u requests",
               n->cfg.rpc_max_batch);
      decc__node_send_json(res, 400,
                           error_obj(NULL, RPC_ERR_REQUEST, msg, NULL));
      return;
    }
    json_t *outs = json_array();
    for (size_t i = 0; outs && i < nreq; i++) {
      json_t *o = handle_one(n, json_array_get(in, i));
      if (o)
        json_array_append_new(outs, o);
    }
    json_decref(in);
    if (outs && json_array_size(outs) == 0) {
      json_decref(outs);
      (void)decc_http_res_send(res, 204, NULL, "", 0);
      return;
    }
    decc__node_send_json(res, 200, outs);
    return;
  }
  if (!json_is_object(in)) {
    json_decref(in);
    decc__node_send_json(res, 400,
                         error_obj(NULL, RPC_ERR_REQUEST,
                                   "invalid request: expected an object or a "
                                   "batch array",
                                   NULL));
    return;
  }
  json_t *o = handle_one(n, in);
  json_decref(in);
  if (!o) {
    (void)decc_http_res_send(res, 204, NULL, "", 0);
    return;
  }
  decc__node_send_json(res, 200, o);
}

decc_status decc__node_rpc_mount(decc_node *n, decc_err *err) {
  decc_status st = decc_http_route(n->http, "POST", "/", h_rpc, n);
  if (!st)
    st = decc_http_route(n->http, "POST", "/rpc", h_rpc, n);
  return st ? decc_err_set(err, st, "rpc routes: %s", decc_strerror(st))
            : DECC_OK;
}
