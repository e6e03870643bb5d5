/*
 * chain_jsonrpc.c — the Ethereum JSON-RPC backend of decc/chain.h: the same
 * vtable as the embedded ledger, served by any EVM node (anvil, geth, an
 * RPC provider) that runs the real PoCo contracts.
 *
 * Every vtable entry is one or a few JSON-RPC 2.0 calls over HTTP POST
 * (decc/http_client.h); quantities travel as 0x-hex strings, so 256-bit
 * values never go through a JSON number. `send` builds, signs and submits
 * the transaction itself (decc/tx.h): the node never sees a key, and no
 * account has to be unlocked on it. Receipts carry no return data on
 * Ethereum, so a reverted transaction's reason is recovered by replaying
 * the call with eth_call at the receipt's block and decoding Error(string),
 * like ethers does. docs/internals/chain-jsonrpc.md describes the choices
 * (fees, gas margin, what differs from the embedded backend).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/chain.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "decc/tx.h"

#define JR_DEF_REQ_TIMEOUT_MS 30000u
#define JR_DEF_RECEIPT_TIMEOUT_MS 120000u
#define JR_DEF_POLL_MS 200u
#define JR_DEF_GAS_MARGIN_PCT 20u
#define JR_DEF_GAS_CAP 25000000u
#define JR_DEF_MAX_REPLY (32u * 1024u * 1024u)
/* Longest node message quoted in an error (the rest of decc_err is ours). */
#define JR_MSG_QUOTE 160
/* Most transactions one send_raw call takes. */
#define JR_MAX_RAW_BATCH 256

typedef struct jr {
  char *url;
  decc_chain_addresses addrs;
  decc_chain_jsonrpc_opts o;
  uint64_t chain_id;
  int have_chain_id;
  uint64_t next_id;
} jr;

/* ---- JSON-RPC transport ------------------------------------------------------ */

/* Copies a node's message for an error line: printable ASCII only, bounded,
 * so a hostile node cannot inject lines or megabytes into our logs. */
static void quote_msg(char out[JR_MSG_QUOTE + 1], const char *in) {
  size_t j = 0;
  for (size_t i = 0; in && in[i] && j < JR_MSG_QUOTE; i++) {
    unsigned char ch = (unsigned char)in[i];
    out[j++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
  }
  out[j] = 0;
}

/* Finds the revert data in a JSON-RPC error: "data" as a hex string, or
 * nested one level ({"data": {"data": "0x…"}}) as some providers do. */
static const char *error_revert_data(json_t *error) {
  json_t *d = json_object_get(error, "data");
  if (json_is_object(d))
    d = json_object_get(d, "data");
  const char *s = json_string_value(d);
  if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    return s;
  return NULL;
}

/* The reason text decc reports for revert data: the Error(string) message,
 * else the raw data in hex (as the embedded ledger does), "" when empty.
 * Returns a decc_malloc'd string or NULL (out of memory). */
static char *revert_reason_text(const uint8_t *d, size_t n) {
  static const uint8_t ERROR_SEL[4] = {0x08, 0xc3, 0x79, 0xa0};
  if (n >= 4 && memcmp(d, ERROR_SEL, 4) == 0) {
    decc_abi_value *v = NULL;
    char *s = NULL;
    if (decc_abi_decode(&v, "string", d + 4, n - 4, 0, NULL) == DECC_OK &&
        decc_abi_get_string(decc_abi_item(v, 0), &s) == DECC_OK) {
      decc_abi_value_free(v);
      return s;
    }
    decc_abi_value_free(v);
  }
  char *s = decc_malloc(n ? 2 * n + 3 : 1);
  if (!s)
    return NULL;
  if (n)
    decc_hex_encode(s, d, n, 1);
  else
    s[0] = 0;
  return s;
}

/* Performs one call. params is stolen. Out: *result (a new reference, may be
 * JSON null; json_decref it). For an error carrying revert data, *revert /
 * *revert_len receive it (decc_free) when revert is non-NULL.
 * Returns: DECC_OK; DECC_E_REVERT (execution reverted, err has the reason);
 * DECC_E_UNSUPPORTED (method not found); DECC_E_IO (other node error);
 * DECC_E_PARSE (malformed reply); DECC_E_NETWORK / DECC_E_TIMEOUT;
 * DECC_E_LIMIT (reply too large); DECC_E_NOMEM. */
static decc_status rpc_ex(jr *j, const char *method, json_t *params,
                          json_t **result, uint8_t **revert, size_t *revert_len,
                          decc_err *err) {
  *result = NULL;
  if (revert) {
    *revert = NULL;
    *revert_len = 0;
  }
  if (!params)
    return decc_err_set(err, DECC_E_NOMEM, "%s: out of memory", method);
  uint64_t id = ++j->next_id;
  json_t *req = json_pack("{s:s,s:I,s:s,s:o}", "jsonrpc", "2.0", "id",
                          (json_int_t)id, "method", method, "params", params);
  if (!req)
    return decc_err_set(err, DECC_E_NOMEM, "%s: out of memory", method);
  char *body = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  if (!body)
    return decc_err_set(err, DECC_E_NOMEM, "%s: out of memory", method);
  static const char *const headers[] = {"Content-Type: application/json",
                                        "Accept: application/json", NULL};
  decc_http_reply rep;
  decc_err herr;
  decc_err_clear(&herr);
  decc_status s =
      decc_http_fetch(&rep, "POST", j->url, headers, body, strlen(body),
                      j->o.max_reply, (long)j->o.request_timeout_ms, &herr);
  free(body);
  if (s != DECC_OK) {
    decc_buf_clear(&rep.body);
    if (s == DECC_E_TIMEOUT)
      return decc_err_set(err, s, "%s: no reply from the node within %u ms",
                          method, j->o.request_timeout_ms);
    return decc_err_set(err, s, "%s: %s", method, herr.msg);
  }
  json_error_t je;
  json_t *root = rep.body.len
                     ? json_loadb((const char *)rep.body.data, rep.body.len,
                                  JSON_REJECT_DUPLICATES, &je)
                     : NULL;
  decc_buf_clear(&rep.body);
  if (!json_is_object(root)) {
    json_decref(root);
    if (rep.status < 200 || rep.status > 299)
      return decc_err_set(err, DECC_E_IO, "%s: HTTP %ld from the node", method,
                          rep.status);
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: malformed reply (not a JSON-RPC object)", method);
  }
  json_t *jid = json_object_get(root, "id");
  json_t *error = json_object_get(root, "error");
  if (error && !json_is_null(error)) {
    if (!json_is_object(error)) {
      json_decref(root);
      return decc_err_set(err, DECC_E_PARSE, "%s: malformed error object",
                          method);
    }
    json_int_t code = json_integer_value(json_object_get(error, "code"));
    char msg[JR_MSG_QUOTE + 1];
    quote_msg(msg, json_string_value(json_object_get(error, "message")));
    const char *rd = error_revert_data(error);
    int reverted = code == 3 || rd || strstr(msg, "revert") != NULL;
    if (reverted) {
      uint8_t *d = NULL;
      size_t dl = 0;
      if (rd && decc__hex_decode_alloc(rd, &d, &dl) != DECC_OK) {
        decc_free(d);
        d = NULL;
        dl = 0;
      }
      char *reason = revert_reason_text(d, dl);
      if (!reason) {
        decc_free(d);
        json_decref(root);
        return decc_err_set(err, DECC_E_NOMEM, "%s: out of memory", method);
      }
      /* The reason comes from a contract: quoted like a node message. */
      char shown[JR_MSG_QUOTE + 1];
      quote_msg(shown, (d || !msg[0]) ? reason : msg);
      decc_free(reason);
      decc_err_set(err, DECC_E_REVERT, "%s: reverted: %s", method, shown);
      if (revert) {
        *revert = d;
        *revert_len = dl;
      } else {
        decc_free(d);
      }
      json_decref(root);
      return DECC_E_REVERT;
    }
    json_decref(root);
    return decc_err_set(err, code == -32601 ? DECC_E_UNSUPPORTED : DECC_E_IO,
                        "%s: node error %lld: %s", method, (long long)code,
                        msg);
  }
  if (!json_is_integer(jid) || (uint64_t)json_integer_value(jid) != id) {
    json_decref(root);
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: reply id does not match the request", method);
  }
  json_t *res = json_object_get(root, "result");
  if (!res) {
    json_decref(root);
    return decc_err_set(err, DECC_E_PARSE, "%s: reply has no result", method);
  }
  *result = json_incref(res);
  json_decref(root);
  return DECC_OK;
}

static decc_status rpc(jr *j, const char *method, json_t *params,
                       json_t **result, decc_err *err) {
  return rpc_ex(j, method, params, result, NULL, NULL, err);
}

/* ---- value codecs ------------------------------------------------------------- */

static decc_status bad(decc_err *err, const char *method, const char *what) {
  return decc_err_set(err, DECC_E_PARSE, "%s: malformed reply: bad %s", method,
                      what);
}

/* QUANTITY: 0x-hex, no sign; leading zeros tolerated (some nodes send
 * them), at most 64 bits here. */
static int qty_u64(json_t *v, uint64_t *out) {
  const char *s = json_string_value(v);
  if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
    return 0;
  uint64_t r = 0;
  for (const char *p = s + 2; *p; p++) {
    int d = decc__hex_digit(*p);
    if (d < 0)
      return 0;
    if (r >> 60)
      return 0; /* would overflow */
    r = (r << 4) | (uint64_t)d;
  }
  *out = r;
  return 1;
}

static int qty_u256(json_t *v, decc_u256 *out) {
  const char *s = json_string_value(v);
  if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
    return 0;
  return decc_u256_parse(out, s) == DECC_OK;
}

static json_t *j_qty(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%" PRIx64, v);
  return json_string(b);
}

static json_t *j_u256(const decc_u256 *v) {
  char b[DECC_U256_HEX_LEN];
  return json_string(decc_u256_to_hex(b, v));
}

static json_t *j_addr(const decc_address *a) {
  char b[DECC_ADDRESS_HEX_LEN];
  return json_string(decc_address_to_hex(b, a));
}

/* Adds k: v to o, taking v; returns 0 when v is NULL or on OOM. */
static int put(json_t *o, const char *k, json_t *v) {
  return v && json_object_set_new(o, k, v) == 0;
}

/* A call object {from?, to, data, gas?} for eth_call / eth_estimateGas. */
static json_t *call_obj(const decc_address *from, const decc_address *to,
                        const uint8_t *data, size_t len, uint64_t gas) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  int ok = (!from || put(o, "from", j_addr(from))) &&
           (!to || put(o, "to", j_addr(to))) &&
           put(o, "data", decc__json_hex(data, len)) &&
           (!gas || put(o, "gas", j_qty(gas)));
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* ---- logs and receipts ---------------------------------------------------------- */

static decc_status parse_log(json_t *o, decc_log *lg, const char *method,
                             decc_err *err) {
  memset(lg, 0, sizeof *lg);
  if (!json_is_object(o))
    return bad(err, method, "log");
  uint64_t v;
  if (decc__json_hex_exact(lg->address.b, 20, json_object_get(o, "address"),
                           1) != DECC_OK)
    return bad(err, method, "log address");
  json_t *t = json_object_get(o, "topics");
  if (!json_is_array(t) || json_array_size(t) > DECC_LOG_MAX_TOPICS)
    return bad(err, method, "log topics");
  lg->n_topics = json_array_size(t);
  for (size_t i = 0; i < lg->n_topics; i++)
    if (decc__json_hex_exact(lg->topics[i], 32, json_array_get(t, i), 1) !=
        DECC_OK)
      return bad(err, method, "log topic");
  if (!qty_u64(json_object_get(o, "blockNumber"), &lg->block_number))
    return bad(err, method, "log blockNumber");
  if (decc__json_hex_exact(lg->block_hash, 32, json_object_get(o, "blockHash"),
                           1) != DECC_OK ||
      decc__json_hex_exact(lg->tx_hash, 32,
                           json_object_get(o, "transactionHash"), 1) != DECC_OK)
    return bad(err, method, "log hash");
  if (!qty_u64(json_object_get(o, "transactionIndex"), &v) || v > UINT32_MAX)
    return bad(err, method, "log transactionIndex");
  lg->tx_index = (uint32_t)v;
  if (!qty_u64(json_object_get(o, "logIndex"), &v) || v > UINT32_MAX)
    return bad(err, method, "log logIndex");
  lg->log_index = (uint32_t)v;
  decc_status s = decc__hex_decode_alloc(
      json_string_value(json_object_get(o, "data")), &lg->data, &lg->data_len);
  if (s == DECC_E_NOMEM)
    return decc_err_set(err, s, "%s: out of memory", method);
  if (s != DECC_OK)
    return bad(err, method, "log data");
  return DECC_OK;
}

/* Parses an array of logs (removed ones skipped). Out: *out / *n. */
static decc_status parse_logs(json_t *arr, size_t limit, decc_log **out,
                              size_t *n, const char *method, decc_err *err) {
  *out = NULL;
  *n = 0;
  if (!json_is_array(arr))
    return bad(err, method, "logs array");
  size_t cnt = json_array_size(arr);
  if (cnt > limit)
    return decc_err_set(err, DECC_E_LIMIT,
                        "%s: more than %zu logs match; narrow the filter",
                        method, limit);
  if (!cnt)
    return DECC_OK;
  decc_log *v = decc_calloc(cnt, sizeof *v);
  if (!v)
    return decc_err_set(err, DECC_E_NOMEM, "%s: out of memory", method);
  size_t k = 0;
  for (size_t i = 0; i < cnt; i++) {
    json_t *o = json_array_get(arr, i);
    if (json_is_true(json_object_get(o, "removed")))
      continue; /* reorged away: not part of the chain */
    decc_status s = parse_log(o, &v[k], method, err);
    if (s != DECC_OK) {
      decc_logs_free(v, k + 1);
      return s;
    }
    k++;
  }
  if (!k) {
    decc_free(v);
    return DECC_OK;
  }
  *out = v;
  *n = k;
  return DECC_OK;
}

static int log_order(const void *a, const void *b) {
  const decc_log *x = a, *y = b;
  if (x->block_number != y->block_number)
    return x->block_number < y->block_number ? -1 : 1;
  return x->log_index < y->log_index ? -1 : x->log_index > y->log_index;
}

/* What the replay of a reverted transaction needs. */
typedef struct tx_info {
  decc_address from, to;
  int has_to;
  const uint8_t *data;
  size_t len;
  uint64_t gas, nonce;
  decc_u256 value;
} tx_info;

/* Replays a reverted transaction with eth_call at its block to learn the
 * reason. Any failure to reproduce leaves reason "" (the receipt still
 * says status 0; the reason is best-effort, like on every client). */
static decc_status replay_reason(jr *j, const tx_info *t, uint64_t block,
                                 char **reason, decc_err *err) {
  *reason = NULL;
  json_t *o =
      call_obj(&t->from, t->has_to ? &t->to : NULL, t->data, t->len, t->gas);
  if (o && !decc_u256_is_zero(&t->value) &&
      !put(o, "value", j_u256(&t->value))) {
    json_decref(o);
    o = NULL;
  }
  decc_status s = DECC_OK;
  uint8_t *d = NULL;
  size_t dl = 0;
  if (o) {
    json_t *res = NULL;
    decc_err cerr;
    s = rpc_ex(j, "eth_call", json_pack("[o,o]", o, j_qty(block)), &res, &d,
               &dl, &cerr);
    json_decref(res);
    if (s == DECC_E_NOMEM)
      return decc_err_set(err, s, "eth_call: out of memory");
  }
  *reason = s == DECC_E_REVERT ? revert_reason_text(d, dl) : decc_strdup("");
  decc_free(d);
  if (!*reason)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  return DECC_OK;
}

/* Fetches a transaction's details (for receipts asked by hash). Out: *t
 * (t->data points into *holder, a decc_malloc'd buffer). */
static decc_status fetch_tx(jr *j, const uint8_t h[32], tx_info *t,
                            uint8_t **holder, decc_err *err) {
  const char *M = "eth_getTransactionByHash";
  memset(t, 0, sizeof *t);
  *holder = NULL;
  json_t *res;
  decc_status s = rpc(j, M, json_pack("[o]", decc__json_hex(h, 32)), &res, err);
  if (s != DECC_OK)
    return s;
  if (json_is_null(res)) {
    json_decref(res);
    return decc_err_set(err, DECC_E_NOT_FOUND, "%s: unknown transaction", M);
  }
  json_t *to = json_object_get(res, "to");
  t->has_to = to && !json_is_null(to);
  if (!json_is_object(res) ||
      decc__json_hex_exact(t->from.b, 20, json_object_get(res, "from"), 1) !=
          DECC_OK ||
      (t->has_to && decc__json_hex_exact(t->to.b, 20, to, 1) != DECC_OK) ||
      !qty_u64(json_object_get(res, "nonce"), &t->nonce) ||
      !qty_u64(json_object_get(res, "gas"), &t->gas) ||
      !qty_u256(json_object_get(res, "value"), &t->value)) {
    json_decref(res);
    return bad(err, M, "transaction");
  }
  size_t n;
  s = decc__hex_decode_alloc(json_string_value(json_object_get(res, "input")),
                             holder, &n);
  json_decref(res);
  if (s != DECC_OK)
    return s == DECC_E_NOMEM ? decc_err_set(err, s, "%s: out of memory", M)
                             : bad(err, M, "input");
  t->data = *holder;
  t->len = n;
  return DECC_OK;
}

/* One eth_getTransactionReceipt. t (optional) = the transaction when the
 * caller knows it (send); otherwise it is fetched for the nonce and, if
 * reverted, the replay. Returns DECC_E_NOT_FOUND while not mined. */
static decc_status get_receipt(jr *j, const uint8_t h[32], const tx_info *t,
                               decc_receipt *out, decc_err *err) {
  const char *M = "eth_getTransactionReceipt";
  memset(out, 0, sizeof *out);
  json_t *res;
  decc_status s = rpc(j, M, json_pack("[o]", decc__json_hex(h, 32)), &res, err);
  if (s != DECC_OK)
    return s;
  if (json_is_null(res)) {
    json_decref(res);
    return decc_err_set(err, DECC_E_NOT_FOUND, "%s: no receipt (yet)", M);
  }
  uint64_t v = 0, status = 0;
  json_t *to = json_object_get(res, "to");
  if (!json_is_object(res))
    s = bad(err, M, "receipt");
  else if (decc__json_hex_exact(out->tx_hash, 32,
                                json_object_get(res, "transactionHash"),
                                1) != DECC_OK ||
           memcmp(out->tx_hash, h, 32) != 0)
    s = bad(err, M, "transactionHash");
  else if (!qty_u64(json_object_get(res, "blockNumber"), &out->block_number) ||
           decc__json_hex_exact(out->block_hash, 32,
                                json_object_get(res, "blockHash"),
                                1) != DECC_OK)
    s = bad(err, M, "block");
  else if (!qty_u64(json_object_get(res, "transactionIndex"), &v) ||
           v > UINT32_MAX)
    s = bad(err, M, "transactionIndex");
  else if (decc__json_hex_exact(out->from.b, 20, json_object_get(res, "from"),
                                1) != DECC_OK ||
           (to && !json_is_null(to) &&
            decc__json_hex_exact(out->to.b, 20, to, 1) != DECC_OK))
    s = bad(err, M, "from/to");
  else if (!qty_u64(json_object_get(res, "status"), &status) || status > 1)
    s = bad(err, M, "status (pre-Byzantium receipts are not supported)");
  json_t *ca = json_object_get(res, "contractAddress");
  if (s == DECC_OK && status == 1 && ca && !json_is_null(ca)) {
    if (decc__json_hex_exact(out->contract_address.b, 20, ca, 1) != DECC_OK)
      s = bad(err, M, "contractAddress");
    else
      out->has_contract = 1;
  }
  if (s == DECC_OK) {
    out->tx_index = (uint32_t)v;
    out->status = (int)status;
    s = parse_logs(json_object_get(res, "logs"), SIZE_MAX, &out->logs,
                   &out->n_logs, M, err);
  }
  json_decref(res);
  if (s != DECC_OK) {
    decc_receipt_clear(out);
    return s;
  }
  tx_info fetched;
  uint8_t *holder = NULL;
  if (!t) {
    if ((s = fetch_tx(j, h, &fetched, &holder, err)) != DECC_OK) {
      decc_receipt_clear(out);
      return s;
    }
    t = &fetched;
  }
  out->nonce = t->nonce;
  if (out->status == 0) {
    /* Reverted: no logs on Ethereum either; the reason is replayed. */
    s = replay_reason(j, t, out->block_number, &out->revert_reason, err);
  }
  decc_free(holder);
  if (s != DECC_OK)
    decc_receipt_clear(out);
  return s;
}

/* Polls until the receipt exists or the receipt timeout passes. */
static decc_status wait_receipt(jr *j, const uint8_t h[32], const tx_info *t,
                                decc_receipt *out, decc_err *err) {
  uint64_t t0 = decc__mono_ms();
  for (;;) {
    decc_status s = get_receipt(j, h, t, out, err);
    if (s != DECC_E_NOT_FOUND)
      return s;
    if (decc__mono_ms() - t0 >= j->o.receipt_timeout_ms) {
      char hx[DECC_HEX32_LEN];
      return decc_err_set(
          err, DECC_E_TIMEOUT, "transaction %s: no receipt after %u ms",
          decc_hex_encode(hx, h, 32, 1), j->o.receipt_timeout_ms);
    }
    struct timespec d = {(time_t)(j->o.poll_ms / 1000),
                         (long)(j->o.poll_ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
  }
}

/* ---- vtable ---------------------------------------------------------------------- */

static decc_status get_u64(jr *j, const char *method, json_t *params,
                           uint64_t *out, decc_err *err) {
  json_t *res;
  decc_status s = rpc(j, method, params, &res, err);
  if (s != DECC_OK)
    return s;
  if (!qty_u64(res, out))
    s = bad(err, method, "quantity");
  json_decref(res);
  return s;
}

static decc_status r_chain_id(void *self, uint64_t *out, decc_err *err) {
  jr *j = self;
  if (!j->have_chain_id) {
    decc_status s = get_u64(j, "eth_chainId", json_array(), &j->chain_id, err);
    if (s != DECC_OK)
      return s;
    j->have_chain_id = 1;
  }
  *out = j->chain_id;
  return DECC_OK;
}

static decc_status r_addresses(void *self, decc_chain_addresses *out,
                               decc_err *err) {
  *out = ((jr *)self)->addrs;
  return DECC_OK;
}

static decc_status r_block_number(void *self, uint64_t *out, decc_err *err) {
  return get_u64(self, "eth_blockNumber", json_array(), out, err);
}

/* The latest block header as JSON (new reference). */
static decc_status latest_block(jr *j, json_t **blk, decc_err *err) {
  const char *M = "eth_getBlockByNumber";
  decc_status s = rpc(j, M, json_pack("[s,b]", "latest", 0), blk, err);
  if (s == DECC_OK && !json_is_object(*blk)) {
    json_decref(*blk);
    *blk = NULL;
    return bad(err, M, "block");
  }
  return s;
}

static decc_status r_block_timestamp(void *self, uint64_t *out, decc_err *err) {
  json_t *b;
  decc_status s = latest_block(self, &b, err);
  if (s != DECC_OK)
    return s;
  if (!qty_u64(json_object_get(b, "timestamp"), out))
    s = bad(err, "eth_getBlockByNumber", "timestamp");
  json_decref(b);
  return s;
}

static decc_status r_nonce(void *self, const decc_address *a, uint64_t *out,
                           decc_err *err) {
  /* "pending": a transaction already in the pool holds its nonce too. */
  return get_u64(self, "eth_getTransactionCount",
                 json_pack("[o,s]", j_addr(a), "pending"), out, err);
}

/* Calls `method` whose result is 0x DATA and appends the bytes to out
 * (what = the result's name in errors). */
static decc_status rpc_data(jr *j, const char *method, json_t *params,
                            const char *what, decc_buf *out, decc_err *err) {
  json_t *res;
  decc_status s = rpc(j, method, params, &res, err);
  if (s != DECC_OK)
    return s;
  uint8_t *d;
  size_t n;
  s = decc__hex_decode_alloc(json_string_value(res), &d, &n);
  json_decref(res);
  if (s == DECC_E_NOMEM)
    return decc_err_set(err, s, "%s: out of memory", method);
  if (s != DECC_OK)
    return bad(err, method, what);
  s = n ? decc_buf_append(out, d, n) : DECC_OK;
  decc_free(d);
  if (s != DECC_OK)
    return decc_err_set(err, s, "%s: %s does not fit", method, what);
  return DECC_OK;
}

static decc_status r_call(void *self, const decc_address *from,
                          const decc_address *to, const uint8_t *data,
                          size_t len, decc_buf *out, decc_err *err) {
  json_t *o = call_obj(from, to, data, len, 0);
  return rpc_data(self, "eth_call", o ? json_pack("[o,s]", o, "latest") : NULL,
                  "return data", out, err);
}

/* Fee fields for a new transaction (see the doc for the policy). Sets
 * tx->type and its fee fields. */
static decc_status fill_fees(jr *j, decc_tx *tx, decc_err *err) {
  if (!decc_u256_is_zero(&j->o.max_fee)) {
    tx->type = DECC_TX_EIP1559;
    tx->max_fee = j->o.max_fee;
    tx->max_priority_fee = j->o.max_priority_fee;
    return DECC_OK;
  }
  json_t *blk;
  decc_status s = latest_block(j, &blk, err);
  if (s != DECC_OK)
    return s;
  decc_u256 base;
  int has_base = qty_u256(json_object_get(blk, "baseFeePerGas"), &base);
  json_decref(blk);
  json_t *res;
  if (!has_base) { /* pre-London chain: legacy EIP-155 transaction */
    if ((s = rpc(j, "eth_gasPrice", json_array(), &res, err)) != DECC_OK)
      return s;
    int ok = qty_u256(res, &tx->gas_price);
    json_decref(res);
    if (!ok)
      return bad(err, "eth_gasPrice", "quantity");
    tx->type = DECC_TX_LEGACY;
    return DECC_OK;
  }
  decc_u256 tip;
  s = rpc(j, "eth_maxPriorityFeePerGas", json_array(), &res, err);
  if (s == DECC_E_UNSUPPORTED) { /* old node: take the tip from gasPrice */
    decc_u256 gp;
    if ((s = rpc(j, "eth_gasPrice", json_array(), &res, err)) != DECC_OK)
      return s;
    int ok = qty_u256(res, &gp);
    json_decref(res);
    if (!ok)
      return bad(err, "eth_gasPrice", "quantity");
    if (decc_u256_cmp(&gp, &base) <= 0 ||
        decc_u256_sub(&tip, &gp, &base) != DECC_OK)
      tip = decc_u256_from_u64(0);
  } else if (s != DECC_OK) {
    return s;
  } else {
    int ok = qty_u256(res, &tip);
    json_decref(res);
    if (!ok)
      return bad(err, "eth_maxPriorityFeePerGas", "quantity");
  }
  /* maxFee = 2·baseFee + tip survives six full blocks of base-fee rises. */
  decc_u256 two = decc_u256_from_u64(2), mf;
  if (decc_u256_mul(&mf, &base, &two) != DECC_OK ||
      decc_u256_add(&mf, &mf, &tip) != DECC_OK)
    return decc_err_set(err, DECC_E_RANGE, "fees: base fee out of range");
  tx->type = DECC_TX_EIP1559;
  tx->max_fee = mf;
  tx->max_priority_fee = tip;
  return DECC_OK;
}

/* Submits raw bytes. Out: the hash the node reports, checked against ours. */
static decc_status submit_raw(jr *j, const uint8_t *raw, size_t len,
                              const uint8_t expect[32], decc_err *err) {
  const char *M = "eth_sendRawTransaction";
  json_t *res;
  decc_status s =
      rpc(j, M, json_pack("[o]", decc__json_hex(raw, len)), &res, err);
  if (s == DECC_E_IO || s == DECC_E_REVERT)
    s = err ? (err->code = DECC_E_INVALID) : DECC_E_INVALID;
  if (s != DECC_OK)
    return s;
  uint8_t h[32];
  int ok = decc__json_hex_exact(h, 32, res, 1) == DECC_OK;
  json_decref(res);
  if (!ok)
    return bad(err, M, "transaction hash");
  if (memcmp(h, expect, 32) != 0)
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: the node reports another transaction hash", M);
  return DECC_OK;
}

static decc_status r_send(void *self, const uint8_t sk32[32],
                          const decc_address *to, const uint8_t *data,
                          size_t len, decc_receipt *out, decc_err *err) {
  jr *j = self;
  memset(out, 0, sizeof *out);
  tx_info t;
  memset(&t, 0, sizeof t);
  if (decc_address_from_privkey(&t.from, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "chain: invalid private key");
  if (to) {
    t.to = *to;
    t.has_to = 1;
  }
  t.data = data;
  t.len = len;
  uint64_t cid;
  decc_status s;
  if ((s = r_chain_id(j, &cid, err)) != DECC_OK ||
      (s = r_nonce(j, &t.from, &t.nonce, err)) != DECC_OK)
    return s;
  /* Gas: the node's estimate plus a margin (estimates run against the
   * latest state, which may move before inclusion), capped. */
  json_t *o = call_obj(&t.from, to, data, len, 0);
  uint64_t est = 0;
  /* A creation's estimate covers the init code's execution and the code
   * deposit; the same margin applies. */
  s = get_u64(j, "eth_estimateGas", o ? json_pack("[o]", o) : NULL, &est, err);
  if (s == DECC_E_REVERT && j->o.submit_reverting) {
    est = j->o.gas_cap;
  } else if (s != DECC_OK) {
    return s; /* DECC_E_REVERT: nothing sent, no nonce consumed */
  } else {
    uint64_t margin = est / 100 * j->o.gas_margin_pct +
                      (est % 100) * j->o.gas_margin_pct / 100;
    est = est > UINT64_MAX - margin ? UINT64_MAX : est + margin;
    if (est > j->o.gas_cap)
      est = j->o.gas_cap;
  }
  t.gas = est;
  decc_tx tx;
  decc_tx_init(&tx);
  tx.chain_id = cid;
  tx.nonce = t.nonce;
  tx.gas_limit = t.gas;
  tx.has_to = t.has_to;
  tx.to = t.to;
  decc_buf raw;
  decc_buf_init(&raw, DECC_TX_MAX_SIZE);
  uint8_t h[32];
  if ((s = fill_fees(j, &tx, err)) != DECC_OK ||
      (s = decc_tx_set_data(&tx, data, len)) != DECC_OK ||
      (s = decc_tx_sign(&tx, sk32, err)) != DECC_OK ||
      (s = decc_tx_serialize(&raw, &tx, err)) != DECC_OK) {
    if (err && err->code == DECC_OK)
      decc_err_set(err, s, "chain: cannot build the transaction");
    decc_tx_clear(&tx);
    decc_buf_clear(&raw);
    return s;
  }
  decc_tx_clear(&tx);
  decc_keccak256(h, raw.data, raw.len);
  s = submit_raw(j, raw.data, raw.len, h, err);
  decc_buf_clear(&raw);
  if (s != DECC_OK)
    return s;
  return wait_receipt(j, h, &t, out, err);
}

static decc_status r_send_raw(void *self, const uint8_t *const *raw,
                              const size_t *lens, size_t n, decc_receipt *out,
                              decc_err *err) {
  jr *j = self;
  if (n > JR_MAX_RAW_BATCH)
    return decc_err_set(err, DECC_E_LIMIT,
                        "send_raw: more than %d transactions",
                        JR_MAX_RAW_BATCH);
  for (size_t i = 0; i < n; i++)
    memset(&out[i], 0, sizeof out[i]);
  if (!n)
    return DECC_OK;
  uint64_t cid;
  decc_status s = r_chain_id(j, &cid, err);
  if (s != DECC_OK)
    return s;
  tx_info *ti = decc_calloc(n, sizeof *ti);
  decc_tx *txs = decc_calloc(n, sizeof *txs);
  uint8_t(*hs)[32] = decc_calloc(n, 32);
  if (!ti || !txs || !hs) {
    decc_free(ti);
    decc_free(txs);
    decc_free(hs);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++)
    decc_tx_init(&txs[i]);
  /* Everything is checked before anything is sent, so a bad transaction
   * in the batch leaves the chain untouched. */
  size_t i = 0;
  for (; i < n && s == DECC_OK; i++) {
    decc_tx *tx = &txs[i];
    if ((s = decc_tx_parse(tx, raw[i], lens[i], err)) != DECC_OK ||
        (s = decc_tx_check_chain(tx, cid, err)) != DECC_OK ||
        (s = decc_tx_recover(&ti[i].from, tx, err)) != DECC_OK) {
      if (s == DECC_E_PARSE || s == DECC_E_DENIED || s == DECC_E_UNSUPPORTED)
        s = DECC_E_INVALID;
      decc_err_prefix(err, "transaction %zu", i);
      if (err)
        err->code = s;
      break;
    }
    decc_keccak256(hs[i], raw[i], lens[i]);
    ti[i].to = tx->to;
    ti[i].has_to = tx->has_to;
    ti[i].data = tx->data;
    ti[i].len = tx->data_len;
    ti[i].gas = tx->gas_limit;
    ti[i].nonce = tx->nonce;
    ti[i].value = tx->value;
  }
  for (i = 0; i < n && s == DECC_OK; i++)
    if ((s = submit_raw(j, raw[i], lens[i], hs[i], err)) != DECC_OK)
      decc_err_prefix(err, "transaction %zu", i);
  for (i = 0; i < n && s == DECC_OK; i++)
    s = wait_receipt(j, hs[i], &ti[i], &out[i], err);
  if (s != DECC_OK)
    for (size_t k = 0; k < n; k++)
      decc_receipt_clear(&out[k]);
  for (i = 0; i < n; i++)
    decc_tx_clear(&txs[i]);
  decc_free(ti);
  decc_free(txs);
  decc_free(hs);
  return s;
}

static decc_status r_receipt(void *self, const uint8_t h[32], decc_receipt *out,
                             decc_err *err) {
  return get_receipt(self, h, NULL, out, err);
}

static decc_status r_logs(void *self, const decc_log_filter *f, decc_log **out,
                          size_t *n, decc_err *err) {
  jr *j = self;
  *out = NULL;
  *n = 0;
  if (f->n_addresses > DECC_FILTER_MAX_ALTS ||
      (f->n_addresses && !f->addresses))
    return decc_err_set(err, DECC_E_INVALID, "logs: bad address list");
  if (f->to_block != UINT64_MAX && f->from_block > f->to_block)
    return decc_err_set(err, DECC_E_INVALID, "logs: fromBlock > toBlock");
  json_t *o = json_object();
  int ok = o && put(o, "fromBlock", j_qty(f->from_block)) &&
           put(o, "toBlock",
               f->to_block == UINT64_MAX ? json_string("latest")
                                         : j_qty(f->to_block));
  if (ok && f->n_addresses) {
    json_t *a = json_array();
    ok = put(o, "address", a);
    for (size_t i = 0; ok && i < f->n_addresses; i++)
      ok = json_array_append_new(a, j_addr(&f->addresses[i])) == 0;
  }
  /* Trailing wildcard positions are dropped; inner ones become null. */
  int last = -1;
  for (int t = 0; t < DECC_LOG_MAX_TOPICS; t++) {
    if (f->n_topic_alts[t] > DECC_FILTER_MAX_ALTS ||
        (f->n_topic_alts[t] && !f->topic_alts[t])) {
      json_decref(o);
      return decc_err_set(err, DECC_E_INVALID, "logs: bad topic list %d", t);
    }
    if (f->n_topic_alts[t])
      last = t;
  }
  if (ok && last >= 0) {
    json_t *tp = json_array();
    ok = put(o, "topics", tp);
    for (int t = 0; ok && t <= last; t++) {
      if (!f->n_topic_alts[t]) {
        ok = json_array_append_new(tp, json_null()) == 0;
        continue;
      }
      json_t *alts = json_array();
      ok = json_array_append_new(tp, alts) == 0 && alts;
      for (size_t k = 0; ok && k < f->n_topic_alts[t]; k++)
        ok = json_array_append_new(
                 alts, decc__json_hex(f->topic_alts[t][k], 32)) == 0;
    }
  }
  if (!ok) {
    json_decref(o);
    return decc_err_set(err, DECC_E_NOMEM, "logs: out of memory");
  }
  json_t *res;
  decc_status s = rpc(j, "eth_getLogs", json_pack("[o]", o), &res, err);
  if (s != DECC_OK)
    return s;
  s = parse_logs(res, f->limit ? f->limit : 10000, out, n, "eth_getLogs", err);
  json_decref(res);
  if (s == DECC_OK && *n > 1)
    qsort(*out, *n, sizeof **out, log_order);
  return s;
}

static decc_status r_code(void *self, const decc_address *a, decc_buf *out,
                          decc_err *err) {
  return rpc_data(self, "eth_getCode", json_pack("[o,s]", j_addr(a), "latest"),
                  "code", out, err);
}

static decc_status r_increase_time(void *self, uint64_t seconds,
                                   decc_err *err) {
  json_t *res;
  decc_status s = rpc(self, "evm_increaseTime",
                      json_pack("[o]", j_qty(seconds)), &res, err);
  if (s != DECC_OK)
    return s;
  json_decref(res);
  /* The new time applies from the next block: mine one so that views see
   * it, as the embedded ledger's views do at once. */
  if ((s = rpc(self, "evm_mine", json_array(), &res, err)) != DECC_OK)
    return s;
  json_decref(res);
  return DECC_OK;
}

static void r_destroy(void *self) {
  jr *j = self;
  if (!j)
    return;
  decc_free(j->url);
  decc_free(j);
}

/* eth_getRawTransactionByHash (geth, anvil, reth). */
static decc_status r_tx_raw(void *self, const uint8_t h[32], decc_buf *out,
                            decc_err *err) {
  const char *M = "eth_getRawTransactionByHash";
  json_t *res;
  decc_status s =
      rpc(self, M, json_pack("[o]", decc__json_hex(h, 32)), &res, err);
  if (s != DECC_OK)
    return s;
  if (json_is_null(res)) {
    json_decref(res);
    return decc_err_set(err, DECC_E_NOT_FOUND, "%s: unknown transaction", M);
  }
  uint8_t *raw = NULL;
  size_t n = 0;
  s = decc__hex_decode_alloc(json_string_value(res), &raw, &n);
  json_decref(res);
  if (s != DECC_OK)
    return s == DECC_E_NOMEM ? decc_err_set(err, s, "%s: out of memory", M)
                             : bad(err, M, "raw transaction");
  if (!n)
    s = decc_err_set(err, DECC_E_NOT_FOUND, "%s: unknown transaction", M);
  else if ((s = decc_buf_append(out, raw, n)))
    s = decc_err_set(err, s, "out of memory");
  decc_free(raw);
  return s;
}

static const decc_chain_vtable JSONRPC = {
    "jsonrpc", r_chain_id, r_addresses,     r_block_number, r_block_timestamp,
    r_nonce,   r_send,     r_send_raw,      r_call,         r_receipt,
    r_logs,    r_code,     r_increase_time, r_destroy,      r_tx_raw};

decc_status decc_chain_open_jsonrpc_ex(decc_chain **out, const char *url,
                                       const decc_chain_addresses *addrs,
                                       const decc_chain_jsonrpc_opts *opts,
                                       decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(url != NULL);
  DECC_ARG_CHECK(addrs != NULL);
  *out = NULL;
  if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
    return decc_err_set(err, DECC_E_INVALID,
                        "chain: JSON-RPC URL must be http:// or https://");
  jr *j = decc_calloc(1, sizeof *j);
  if (!j || !(j->url = decc_strdup(url))) {
    decc_free(j);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  j->addrs = *addrs;
  if (opts)
    j->o = *opts;
  if (!j->o.request_timeout_ms)
    j->o.request_timeout_ms = JR_DEF_REQ_TIMEOUT_MS;
  if (!j->o.receipt_timeout_ms)
    j->o.receipt_timeout_ms = JR_DEF_RECEIPT_TIMEOUT_MS;
  if (!j->o.poll_ms)
    j->o.poll_ms = JR_DEF_POLL_MS;
  if (!j->o.gas_margin_pct)
    j->o.gas_margin_pct = JR_DEF_GAS_MARGIN_PCT;
  if (!j->o.gas_cap)
    j->o.gas_cap = JR_DEF_GAS_CAP;
  if (!j->o.max_reply)
    j->o.max_reply = JR_DEF_MAX_REPLY;
  decc_status s = decc_chain_create(out, &JSONRPC, j);
  if (s != DECC_OK)
    return decc_err_set(err, s, "out of memory");
  return DECC_OK;
}

decc_status decc_chain_open_jsonrpc(decc_chain **out, const char *url,
                                    const decc_chain_addresses *addrs,
                                    decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(url != NULL);
  DECC_ARG_CHECK(addrs != NULL);
  return decc_chain_open_jsonrpc_ex(out, url, addrs, NULL, err);
}
