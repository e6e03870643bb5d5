/*
 * test_chain_jsonrpc.c — the JSON-RPC chain backend against a tiny fake
 * node (decc/http.h on 127.0.0.1, port 0) whose replies each test scripts
 * per method: results, JSON-RPC errors, reverts with Error(string) data,
 * slow replies (timeouts), malformed bodies, and 0x-quantities beyond 64
 * bits. The fake records the params of every call so the tests check what
 * decc sent (filters, raw transactions, block tags), not only what it read.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/abi.h"
#include "decc/chain.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/http.h"
#include "decc/mem.h"
#include "decc/tx.h"
#include "test.h"

/* ---- the fake node ------------------------------------------------------------ */

enum { R_RESULT, R_ERROR, R_RAW, R_TXHASH };

#define MAX_RULES 24
typedef struct rule {
  char method[48];
  int kind;
  char *text; /* result / error JSON, or the raw body */
  int http;   /* R_RAW: HTTP status */
  unsigned delay_ms;
  int null_first; /* answer `null` this many times first */
  int calls;
  char *last_params; /* JSON text of the last call's params */
} rule;

typedef struct fake {
  pthread_mutex_t mu;
  decc_http_server *srv;
  char url[64];
  rule rules[MAX_RULES];
  size_t n;
  char last_hash[67]; /* hash of the last raw transaction received */
  uint8_t *last_raw;
  size_t last_raw_len;
} fake;

static rule *find_rule(fake *f, const char *m) {
  for (size_t i = 0; i < f->n; i++)
    if (!strcmp(f->rules[i].method, m))
      return &f->rules[i];
  return NULL;
}

/* Adds or replaces the rule for a method. */
static void on(fake *f, const char *m, int kind, const char *text) {
  pthread_mutex_lock(&f->mu);
  rule *r = find_rule(f, m);
  if (!r) {
    r = &f->rules[f->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->method, sizeof r->method, "%s", m);
  }
  free(r->text);
  r->text = text ? strdup(text) : NULL;
  r->kind = kind;
  r->http = 200;
  r->delay_ms = 0;
  r->null_first = 0;
  pthread_mutex_unlock(&f->mu);
}

static int calls(fake *f, const char *m) {
  pthread_mutex_lock(&f->mu);
  rule *r = find_rule(f, m);
  int c = r ? r->calls : 0;
  pthread_mutex_unlock(&f->mu);
  return c;
}

/* The params last sent for m, parsed (json_decref it), or NULL. */
static json_t *params_of(fake *f, const char *m) {
  pthread_mutex_lock(&f->mu);
  rule *r = find_rule(f, m);
  json_t *j = r && r->last_params ? json_loads(r->last_params, 0, NULL) : NULL;
  pthread_mutex_unlock(&f->mu);
  return j;
}

/* Replaces every "$HASH" in t with the last raw transaction's hash. */
static char *expand(fake *f, const char *t) {
  size_t cap = strlen(t) * 2 + 128;
  char *o = malloc(cap), *w = o;
  for (const char *p = t; *p;) {
    if (!strncmp(p, "$HASH", 5)) {
      w += sprintf(w, "%s", f->last_hash);
      p += 5;
    } else {
      *w++ = *p++;
    }
  }
  *w = 0;
  return o;
}

static void h_rpc(void *ctx, decc_http_request *req, decc_http_response *res) {
  fake *f = ctx;
  size_t len;
  const uint8_t *body = decc_http_req_body(req, &len);
  json_t *rq = json_loadb((const char *)body, len, 0, NULL);
  const char *m = json_string_value(json_object_get(rq, "method"));
  json_int_t id = json_integer_value(json_object_get(rq, "id"));
  if (!m || strcmp(json_string_value(json_object_get(rq, "jsonrpc")), "2.0")) {
    json_decref(rq);
    (void)decc_http_res_send(res, 400, "text/plain", "bad request", 11);
    return;
  }
  pthread_mutex_lock(&f->mu);
  rule *r = find_rule(f, m);
  char *out = NULL;
  int http = 200;
  unsigned delay = 0;
  if (!r) {
    out = malloc(200);
    snprintf(out, 200,
             "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":{\"code\":-32601,"
             "\"message\":\"Method not found\"}}",
             (long long)id);
  } else {
    r->calls++;
    free(r->last_params);
    r->last_params = json_dumps(json_object_get(rq, "params"), JSON_COMPACT);
    delay = r->delay_ms;
    if (r->kind == R_TXHASH) {
      const char *hx =
          json_string_value(json_array_get(json_object_get(rq, "params"), 0));
      free(f->last_raw);
      f->last_raw = decc_test_unhex(hx + 2, &f->last_raw_len);
      uint8_t h[32];
      decc_keccak256(h, f->last_raw, f->last_raw_len);
      decc_hex_encode(f->last_hash, h, 32, 1);
    }
    char *txt = r->kind == R_TXHASH ? NULL : expand(f, r->text);
    out = malloc((txt ? strlen(txt) : 0) + 200);
    if (r->null_first > 0) {
      r->null_first--;
      sprintf(out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":null}",
              (long long)id);
    } else if (r->kind == R_TXHASH) {
      sprintf(out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":\"%s\"}",
              (long long)id, f->last_hash);
    } else if (r->kind == R_RESULT) {
      sprintf(out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":%s}",
              (long long)id, txt);
    } else if (r->kind == R_ERROR) {
      sprintf(out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":%s}",
              (long long)id, txt);
    } else {
      strcpy(out, txt);
      http = r->http;
    }
    free(txt);
  }
  pthread_mutex_unlock(&f->mu);
  json_decref(rq);
  if (delay) {
    struct timespec d = {delay / 1000, (long)(delay % 1000) * 1000000L};
    nanosleep(&d, NULL);
  }
  (void)decc_http_res_send(res, http, "application/json", out, strlen(out));
  free(out);
}

static fake *fake_start(void) {
  fake *f = calloc(1, sizeof *f);
  pthread_mutex_init(&f->mu, NULL);
  decc_http_config cfg = {0};
  cfg.threads = 2;
  if (decc_http_server_create(&f->srv, &cfg) != DECC_OK ||
      decc_http_route(f->srv, "POST", "/", h_rpc, f) != DECC_OK ||
      decc_http_server_start(f->srv, NULL) != DECC_OK)
    return NULL;
  snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u/",
           (unsigned)decc_http_server_port(f->srv));
  return f;
}

static void fake_stop(fake *f) {
  if (!f)
    return;
  decc_http_server_destroy(f->srv);
  for (size_t i = 0; i < f->n; i++) {
    free(f->rules[i].text);
    free(f->rules[i].last_params);
  }
  free(f->last_raw);
  pthread_mutex_destroy(&f->mu);
  free(f);
}

static decc_chain_addresses test_addrs(void) {
  decc_chain_addresses a;
  memset(&a, 0, sizeof a);
  for (int i = 0; i < 20; i++) {
    a.hub.b[i] = 0x11;
    a.token.b[i] = 0x22;
  }
  return a;
}

static decc_chain *open_fake(fake *f, const decc_chain_jsonrpc_opts *o) {
  decc_chain *c = NULL;
  decc_chain_addresses a = test_addrs();
  if (decc_chain_open_jsonrpc_ex(&c, f->url, &a, o, NULL) != DECC_OK)
    return NULL;
  return c;
}

static const uint8_t SK[32] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                               0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                               0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                               0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11};

/* Error(string) revert data for reason, as 0x-hex text (free it). */
static char *error_data(const char *reason) {
  decc_abi_enc e;
  decc_buf b;
  uint8_t sel[4];
  decc_abi_selector(sel, "Error(string)");
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&b, 0);
  (void)decc_abi_enc_push_string(&e, reason);
  if (decc_abi_enc_finish_call(&e, sel, &b) != DECC_OK)
    return NULL;
  char *s = malloc(2 * b.len + 3);
  decc_hex_encode(s, b.data, b.len, 1);
  decc_buf_clear(&b);
  decc_abi_enc_clear(&e);
  return s;
}

/* ---- tests -------------------------------------------------------------------- */

TEST(jsonrpc_open_rejects_bad_url) {
  decc_chain *c = NULL;
  decc_chain_addresses a = test_addrs();
  decc_err err;
  ASSERT_EQ(decc_chain_open_jsonrpc(&c, "ftp://x", &a, &err), DECC_E_INVALID);
  ASSERT(c == NULL);
  ASSERT_OK(decc_chain_open_jsonrpc(&c, "http://127.0.0.1:1/", &a, &err));
  ASSERT_STR_EQ(decc_chain_backend(c), "jsonrpc");
  decc_chain_addresses got;
  ASSERT_OK(decc_chain_get_addresses(c, &got, &err));
  ASSERT_MEM_EQ(got.hub.b, a.hub.b, 20);
  ASSERT_MEM_EQ(got.token.b, a.token.b, 20);
  /* Nothing listens on port 1: a network error naming the method. */
  uint64_t v;
  ASSERT_EQ(decc_chain_block_number(c, &v, &err), DECC_E_NETWORK);
  ASSERT(strstr(err.msg, "eth_blockNumber") != NULL);
  decc_chain_destroy(c);
}

TEST(jsonrpc_simple_reads_and_big_quantities) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain *c = open_fake(f, NULL);
  ASSERT(c);
  decc_err err;
  uint64_t v;
  on(f, "eth_chainId", R_RESULT, "\"0x7a69\"");
  ASSERT_OK(decc_chain_id(c, &v, &err));
  ASSERT_EQ(v, 31337);
  ASSERT_OK(decc_chain_id(c, &v, &err));
  ASSERT_EQ(calls(f, "eth_chainId"), 1); /* cached */
  on(f, "eth_blockNumber", R_RESULT, "\"0xffffffffffffffff\"");
  ASSERT_OK(decc_chain_block_number(c, &v, &err));
  ASSERT(v == UINT64_MAX);
  on(f, "eth_blockNumber", R_RESULT, "\"0x0\"");
  ASSERT_OK(decc_chain_block_number(c, &v, &err));
  ASSERT_EQ(v, 0);
  /* 2^64: does not fit, a parse error naming the method. */
  on(f, "eth_blockNumber", R_RESULT, "\"0x10000000000000000\"");
  ASSERT_EQ(decc_chain_block_number(c, &v, &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "eth_blockNumber") != NULL);
  static const char *const bad_q[] = {"\"12\"", "\"0x\"", "\"0xzz\"",
                                      "12",     "null",   "\"-0x1\""};
  for (size_t i = 0; i < sizeof bad_q / sizeof *bad_q; i++) {
    on(f, "eth_blockNumber", R_RESULT, bad_q[i]);
    ASSERT_EQ(decc_chain_block_number(c, &v, &err), DECC_E_PARSE);
  }
  on(f, "eth_getBlockByNumber", R_RESULT,
     "{\"number\":\"0x5\",\"timestamp\":\"0x6553f100\","
     "\"baseFeePerGas\":\"0x3b9aca00\"}");
  ASSERT_OK(decc_chain_block_timestamp(c, &v, &err));
  ASSERT_EQ(v, 0x6553f100);
  json_t *p = params_of(f, "eth_getBlockByNumber");
  ASSERT_STR_EQ(json_string_value(json_array_get(p, 0)), "latest");
  ASSERT(json_is_false(json_array_get(p, 1)));
  json_decref(p);
  on(f, "eth_getTransactionCount", R_RESULT, "\"0x2a\"");
  decc_address a;
  ASSERT_OK(decc_address_from_privkey(&a, SK));
  ASSERT_OK(decc_chain_nonce(c, &a, &v, &err));
  ASSERT_EQ(v, 42);
  p = params_of(f, "eth_getTransactionCount");
  ASSERT_STR_EQ(json_string_value(json_array_get(p, 0)),
                "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a");
  ASSERT_STR_EQ(json_string_value(json_array_get(p, 1)), "pending");
  json_decref(p);
  decc_chain_destroy(c);
  fake_stop(f);
}

TEST(jsonrpc_errors_and_malformed_replies) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain *c = open_fake(f, NULL);
  ASSERT(c);
  decc_err err;
  uint64_t v;
  /* Unknown method on the node. */
  ASSERT_EQ(decc_chain_block_number(c, &v, &err), DECC_E_UNSUPPORTED);
  ASSERT(strstr(err.msg, "eth_blockNumber") && strstr(err.msg, "not found"));
  /* A node error: method, code and message in the error line. */
  on(f, "eth_blockNumber", R_ERROR,
     "{\"code\":-32000,\"message\":\"header not found\\nsecond line\"}");
  ASSERT_EQ(decc_chain_block_number(c, &v, &err), DECC_E_IO);
  ASSERT(strstr(err.msg, "eth_blockNumber: node error -32000: header not "
                         "found?second line") != NULL);
  /* Not JSON / not an object / no result / wrong id / error not object. */
  static const char *const bodies[] = {
      "<html>oops</html>",
      "[1,2]",
      "{\"jsonrpc\":\"2.0\",\"id\":1}",
      "{\"jsonrpc\":\"2.0\",\"id\":999999,\"result\":\"0x1\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"boom\"}",
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":1,\"result\":\"0x1\"}"};
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    on(f, "eth_blockNumber", R_RAW, bodies[i]);
    decc_err_clear(&err);
    ASSERT_EQ(decc_chain_block_number(c, &v, &err), DECC_E_PARSE);
    ASSERT(strstr(err.msg, "eth_blockNumber") != NULL);
  }
  /* HTTP error without a JSON-RPC body. */
  on(f, "eth_blockNumber", R_RAW, "Bad Gateway");
  for (size_t i = 0; i < f->n; i++)
    if (!strcmp(f->rules[i].method, "eth_blockNumber"))
      f->rules[i].http = 502;
  ASSERT_EQ(decc_chain_block_number(c, &v, &err), DECC_E_IO);
  ASSERT(strstr(err.msg, "HTTP 502") != NULL);
  decc_chain_destroy(c);
  fake_stop(f);
}

TEST(jsonrpc_reply_size_limit) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain_jsonrpc_opts o;
  memset(&o, 0, sizeof o);
  o.max_reply = 1024;
  decc_chain *c = open_fake(f, &o);
  ASSERT(c);
  char *big = malloc(4000);
  memset(big, 'a', 3998);
  big[0] = big[3997] = '"';
  big[3998] = 0;
  on(f, "eth_blockNumber", R_RESULT, big);
  free(big);
  uint64_t v;
  decc_err err;
  ASSERT_EQ(decc_chain_block_number(c, &v, &err), DECC_E_LIMIT);
  decc_chain_destroy(c);
  fake_stop(f);
}

TEST(jsonrpc_timeout) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain_jsonrpc_opts o;
  memset(&o, 0, sizeof o);
  o.request_timeout_ms = 200;
  decc_chain *c = open_fake(f, &o);
  ASSERT(c);
  on(f, "eth_blockNumber", R_RESULT, "\"0x1\"");
  f->rules[0].delay_ms = 1000;
  uint64_t v;
  decc_err err;
  ASSERT_EQ(decc_chain_block_number(c, &v, &err), DECC_E_TIMEOUT);
  ASSERT(strstr(err.msg, "eth_blockNumber") && strstr(err.msg, "200 ms"));
  decc_chain_destroy(c);
  fake_stop(f);
}

TEST(jsonrpc_call_and_reverts) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain *c = open_fake(f, NULL);
  ASSERT(c);
  decc_err err;
  decc_address from, to;
  ASSERT_OK(decc_address_from_privkey(&from, SK));
  memset(to.b, 0xab, 20);
  const uint8_t data[4] = {0xc2, 0xfb, 0x26, 0xa6};
  on(f, "eth_call", R_RESULT,
     "\"0x000000000000000000000000000000000000000000000000000000000000002a\"");
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_OK(decc_chain_call(c, &from, &to, data, 4, &out, &err));
  ASSERT_EQ(out.len, 32);
  ASSERT_EQ(out.data[31], 42);
  json_t *p = params_of(f, "eth_call");
  json_t *o = json_array_get(p, 0);
  ASSERT_STR_EQ(json_string_value(json_object_get(o, "from")),
                "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a");
  ASSERT_STR_EQ(json_string_value(json_object_get(o, "to")),
                "0xabababababababababababababababababababab");
  ASSERT_STR_EQ(json_string_value(json_object_get(o, "data")), "0xc2fb26a6");
  ASSERT_STR_EQ(json_string_value(json_array_get(p, 1)), "latest");
  json_decref(p);
  /* from = NULL: no "from" field; empty return data appends nothing. */
  on(f, "eth_call", R_RESULT, "\"0x\"");
  decc_buf_reset(&out);
  ASSERT_OK(decc_chain_call(c, NULL, &to, data, 4, &out, &err));
  ASSERT_EQ(out.len, 0);
  p = params_of(f, "eth_call");
  ASSERT(json_object_get(json_array_get(p, 0), "from") == NULL);
  json_decref(p);
  /* Revert with Error(string) data (anvil / geth style, code 3). */
  char *ed = error_data("iExecV5-matchOrders-0x10");
  char buf[1024];
  snprintf(buf, sizeof buf,
           "{\"code\":3,\"message\":\"execution reverted: "
           "iExecV5-matchOrders-0x10\",\"data\":\"%s\"}",
           ed);
  on(f, "eth_call", R_ERROR, buf);
  ASSERT_EQ(decc_chain_call(c, &from, &to, data, 4, &out, &err), DECC_E_REVERT);
  ASSERT_STR_EQ(err.msg, "eth_call: reverted: iExecV5-matchOrders-0x10");
  /* Nested data object (some providers), code -32000. */
  snprintf(buf, sizeof buf,
           "{\"code\":-32000,\"message\":\"x\",\"data\":{\"data\":\"%s\"}}",
           ed);
  on(f, "eth_call", R_ERROR, buf);
  ASSERT_EQ(decc_chain_call(c, &from, &to, data, 4, &out, &err), DECC_E_REVERT);
  ASSERT(strstr(err.msg, "iExecV5-matchOrders-0x10") != NULL);
  free(ed);
  ed = NULL;
  /* Custom error / panic: the raw data in hex, as the embedded ledger. */
  on(f, "eth_call", R_ERROR,
     "{\"code\":3,\"message\":\"execution reverted\",\"data\":"
     "\"0x4e487b710000000000000000000000000000000000000000000000000000000000"
     "000011\"}");
  ASSERT_EQ(decc_chain_call(c, &from, &to, data, 4, &out, &err), DECC_E_REVERT);
  ASSERT(strstr(err.msg, "0x4e487b71") != NULL);
  /* A reason with a control character stays on one line in err. */
  ed = error_data("line1\nline2");
  snprintf(buf, sizeof buf, "{\"code\":3,\"message\":\"m\",\"data\":\"%s\"}",
           ed);
  free(ed);
  on(f, "eth_call", R_ERROR, buf);
  ASSERT_EQ(decc_chain_call(c, &from, &to, data, 4, &out, &err), DECC_E_REVERT);
  ASSERT_STR_EQ(err.msg, "eth_call: reverted: line1?line2");
  /* Error(string) selector with a truncated body: shown as raw hex. */
  on(f, "eth_call", R_ERROR,
     "{\"code\":3,\"message\":\"m\",\"data\":\"0x08c379a00000\"}");
  ASSERT_EQ(decc_chain_call(c, &from, &to, data, 4, &out, &err), DECC_E_REVERT);
  ASSERT_STR_EQ(err.msg, "eth_call: reverted: 0x08c379a00000");
  /* Revert without data: the node's message is the reason. */
  on(f, "eth_call", R_ERROR,
     "{\"code\":-32000,\"message\":\"execution reverted\"}");
  ASSERT_EQ(decc_chain_call(c, &from, &to, data, 4, &out, &err), DECC_E_REVERT);
  ASSERT_STR_EQ(err.msg, "eth_call: reverted: execution reverted");
  /* Malformed return data. */
  on(f, "eth_call", R_RESULT, "\"0x123\"");
  ASSERT_EQ(decc_chain_call(c, &from, &to, data, 4, &out, &err), DECC_E_PARSE);
  on(f, "eth_call", R_RESULT, "7");
  ASSERT_EQ(decc_chain_call(c, &from, &to, data, 4, &out, &err), DECC_E_PARSE);
  decc_buf_clear(&out);
  decc_chain_destroy(c);
  fake_stop(f);
}

/* A receipt template: $HASH is the last submitted transaction's hash. */
#define RECEIPT_OK                                                             \
  "{\"transactionHash\":\"$HASH\",\"blockNumber\":\"0x10\","                   \
  "\"blockHash\":\"0x" /* 32 bytes of 0xbb */                                  \
  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","        \
  "\"transactionIndex\":\"0x0\","                                              \
  "\"from\":\"0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a\","                   \
  "\"to\":\"0xabababababababababababababababababababab\","                     \
  "\"status\":\"0x%d\",\"gasUsed\":\"0x5208\",\"logs\":%s}"

#define ONE_LOG                                                                \
  "[{\"address\":\"0xabababababababababababababababababababab\","              \
  "\"topics\":[\"0xd811b592ed0899225773e8933d8df64bd0b62761a9d7aad4ed5b22735f" \
  "4610a4\",\"0x00000000000000000000000000000000000000000000000000000000000"   \
  "00001\"],\"data\":\"0x0102\",\"blockNumber\":\"0x10\",\"blockHash\":\"0x"   \
  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","        \
  "\"transactionHash\":\"$HASH\",\"transactionIndex\":\"0x0\","                \
  "\"logIndex\":\"0x3\",\"removed\":false}]"

static void script_send(fake *f, int status, const char *logs) {
  char rc[2048];
  snprintf(rc, sizeof rc, RECEIPT_OK, status, logs);
  on(f, "eth_chainId", R_RESULT, "\"0x7a69\"");
  on(f, "eth_getTransactionCount", R_RESULT, "\"0x7\"");
  on(f, "eth_estimateGas", R_RESULT, "\"0x186a0\""); /* 100,000 */
  /* Base fee above 2^64 wei: fees are 256-bit all the way. */
  on(f, "eth_getBlockByNumber", R_RESULT,
     "{\"number\":\"0xf\",\"timestamp\":\"0x1\","
     "\"baseFeePerGas\":\"0x10000000000000001\"}");
  on(f, "eth_maxPriorityFeePerGas", R_RESULT, "\"0x3b9aca00\"");
  on(f, "eth_sendRawTransaction", R_TXHASH, NULL);
  on(f, "eth_getTransactionReceipt", R_RESULT, rc);
}

TEST(jsonrpc_send_success) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain_jsonrpc_opts o;
  memset(&o, 0, sizeof o);
  o.poll_ms = 10;
  decc_chain *c = open_fake(f, &o);
  ASSERT(c);
  script_send(f, 1, ONE_LOG);
  for (size_t i = 0; i < f->n; i++)
    if (!strcmp(f->rules[i].method, "eth_getTransactionReceipt"))
      f->rules[i].null_first = 2; /* not mined for two polls */
  decc_address to;
  memset(to.b, 0xab, 20);
  const uint8_t data[5] = {1, 2, 3, 4, 5};
  decc_receipt r;
  decc_err err;
  ASSERT_OK(decc_chain_send(c, SK, &to, data, 5, &r, &err));
  ASSERT_EQ(calls(f, "eth_getTransactionReceipt"), 3);
  ASSERT_EQ(calls(f, "eth_call"), 0); /* no replay for a success */
  /* What went on the wire: a type-2 tx with our fields and signature. */
  decc_tx tx;
  decc_tx_init(&tx);
  ASSERT_OK(decc_tx_parse(&tx, f->last_raw, f->last_raw_len, &err));
  ASSERT_EQ(tx.type, DECC_TX_EIP1559);
  ASSERT_EQ(tx.chain_id, 31337);
  ASSERT_EQ(tx.nonce, 7);
  ASSERT_EQ(tx.gas_limit, 120000); /* estimate + 20 % */
  ASSERT(tx.has_to && decc_address_eq(&tx.to, &to));
  ASSERT_EQ(tx.data_len, 5);
  ASSERT_MEM_EQ(tx.data, data, 5);
  char hx[DECC_U256_HEX_LEN];
  ASSERT_STR_EQ(decc_u256_to_hex(hx, &tx.max_priority_fee), "0x3b9aca00");
  /* 2·(2^64+1) + 10^9 */
  ASSERT_STR_EQ(decc_u256_to_hex(hx, &tx.max_fee), "0x2000000003b9aca02");
  decc_address sender;
  ASSERT_OK(decc_tx_recover(&sender, &tx, &err));
  decc_address me;
  ASSERT_OK(decc_address_from_privkey(&me, SK));
  ASSERT(decc_address_eq(&sender, &me));
  decc_tx_clear(&tx);
  /* The receipt, decoded. */
  uint8_t h[32];
  decc_keccak256(h, f->last_raw, f->last_raw_len);
  ASSERT_MEM_EQ(r.tx_hash, h, 32);
  ASSERT_EQ(r.status, 1);
  ASSERT(r.revert_reason == NULL);
  ASSERT_EQ(r.block_number, 16);
  ASSERT_EQ(r.block_hash[0], 0xbb);
  ASSERT_EQ(r.nonce, 7);
  ASSERT(decc_address_eq(&r.from, &me));
  ASSERT(decc_address_eq(&r.to, &to));
  ASSERT_EQ(r.n_logs, 1);
  ASSERT_EQ(r.logs[0].n_topics, 2);
  ASSERT_EQ(r.logs[0].topics[0][0], 0xd8);
  ASSERT_EQ(r.logs[0].topics[1][31], 1);
  ASSERT_EQ(r.logs[0].data_len, 2);
  ASSERT_EQ(r.logs[0].data[1], 2);
  ASSERT_EQ(r.logs[0].log_index, 3);
  ASSERT_MEM_EQ(r.logs[0].tx_hash, h, 32);
  decc_receipt_clear(&r);
  /* The estimate request carried from/to/data. */
  json_t *p = params_of(f, "eth_estimateGas");
  ASSERT_STR_EQ(
      json_string_value(json_object_get(json_array_get(p, 0), "data")),
      "0x0102030405");
  json_decref(p);
  decc_chain_destroy(c);
  fake_stop(f);
}

TEST(jsonrpc_send_reverted_replays_reason) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain_jsonrpc_opts o;
  memset(&o, 0, sizeof o);
  o.poll_ms = 10;
  decc_chain *c = open_fake(f, &o);
  ASSERT(c);
  script_send(f, 0, "[]");
  char *ed = error_data("iExecV5-initialize-0x01");
  char buf[1024];
  snprintf(buf, sizeof buf, "{\"code\":3,\"message\":\"m\",\"data\":\"%s\"}",
           ed);
  free(ed);
  on(f, "eth_call", R_ERROR, buf);
  decc_address to;
  memset(to.b, 0xab, 20);
  const uint8_t data[2] = {9, 9};
  decc_receipt r;
  decc_err err;
  ASSERT_OK(decc_chain_send(c, SK, &to, data, 2, &r, &err));
  ASSERT_EQ(r.status, 0);
  ASSERT_STR_EQ(r.revert_reason, "iExecV5-initialize-0x01");
  ASSERT_EQ(r.n_logs, 0);
  decc_receipt_clear(&r);
  /* The replay ran at the receipt's block with the tx's gas and sender. */
  json_t *p = params_of(f, "eth_call");
  ASSERT_STR_EQ(json_string_value(json_array_get(p, 1)), "0x10");
  json_t *co = json_array_get(p, 0);
  ASSERT_STR_EQ(json_string_value(json_object_get(co, "gas")), "0x1d4c0");
  ASSERT_STR_EQ(json_string_value(json_object_get(co, "from")),
                "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a");
  ASSERT_STR_EQ(json_string_value(json_object_get(co, "data")), "0x0909");
  json_decref(p);
  /* A replay that does not reproduce the revert: reason "". */
  on(f, "eth_call", R_RESULT, "\"0x\"");
  ASSERT_OK(decc_chain_send(c, SK, &to, data, 2, &r, &err));
  ASSERT_EQ(r.status, 0);
  ASSERT_STR_EQ(r.revert_reason, "");
  decc_receipt_clear(&r);
  decc_chain_destroy(c);
  fake_stop(f);
}

TEST(jsonrpc_send_estimate_revert) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain_jsonrpc_opts o;
  memset(&o, 0, sizeof o);
  o.poll_ms = 10;
  decc_chain *c = open_fake(f, &o);
  ASSERT(c);
  script_send(f, 0, "[]");
  char *ed = error_data("iExecV5-matchOrders-0x42");
  char buf[1024];
  snprintf(buf, sizeof buf, "{\"code\":3,\"message\":\"m\",\"data\":\"%s\"}",
           ed);
  free(ed);
  on(f, "eth_estimateGas", R_ERROR, buf);
  on(f, "eth_call", R_ERROR, buf);
  decc_address to;
  memset(to.b, 0xab, 20);
  decc_receipt r;
  decc_err err;
  /* Default: nothing sent, the reason in the error. */
  ASSERT_EQ(decc_chain_send(c, SK, &to, NULL, 0, &r, &err), DECC_E_REVERT);
  ASSERT_STR_EQ(err.msg, "eth_estimateGas: reverted: iExecV5-matchOrders-0x42");
  ASSERT_EQ(calls(f, "eth_sendRawTransaction"), 0);
  decc_chain_destroy(c);
  /* submit_reverting: sent with gas_cap, status-0 receipt. */
  o.submit_reverting = 1;
  o.gas_cap = 3000000;
  c = open_fake(f, &o);
  ASSERT(c);
  ASSERT_OK(decc_chain_send(c, SK, &to, NULL, 0, &r, &err));
  ASSERT_EQ(r.status, 0);
  ASSERT_STR_EQ(r.revert_reason, "iExecV5-matchOrders-0x42");
  decc_receipt_clear(&r);
  decc_tx tx;
  decc_tx_init(&tx);
  ASSERT_OK(decc_tx_parse(&tx, f->last_raw, f->last_raw_len, &err));
  ASSERT_EQ(tx.gas_limit, 3000000);
  decc_tx_clear(&tx);
  decc_chain_destroy(c);
  fake_stop(f);
}

TEST(jsonrpc_send_fee_policies) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain_jsonrpc_opts o;
  memset(&o, 0, sizeof o);
  o.poll_ms = 10;
  decc_chain *c = open_fake(f, &o);
  ASSERT(c);
  decc_address to;
  memset(to.b, 0xab, 20);
  decc_receipt r;
  decc_err err;
  decc_tx tx;
  char hx[DECC_U256_HEX_LEN];
  /* Node without eth_maxPriorityFeePerGas: tip = gasPrice - baseFee. */
  script_send(f, 1, "[]");
  on(f, "eth_getBlockByNumber", R_RESULT,
     "{\"timestamp\":\"0x1\",\"baseFeePerGas\":\"0x64\"}");
  on(f, "eth_maxPriorityFeePerGas", R_ERROR,
     "{\"code\":-32601,\"message\":\"the method does not exist\"}");
  on(f, "eth_gasPrice", R_RESULT, "\"0x96\"");
  ASSERT_OK(decc_chain_send(c, SK, &to, NULL, 0, &r, &err));
  decc_receipt_clear(&r);
  decc_tx_init(&tx);
  ASSERT_OK(decc_tx_parse(&tx, f->last_raw, f->last_raw_len, &err));
  ASSERT_STR_EQ(decc_u256_to_hex(hx, &tx.max_priority_fee), "0x32");
  ASSERT_STR_EQ(decc_u256_to_hex(hx, &tx.max_fee), "0xfa");
  decc_tx_clear(&tx);
  /* Pre-London block (no baseFeePerGas): legacy EIP-155 at gasPrice. */
  on(f, "eth_getBlockByNumber", R_RESULT, "{\"timestamp\":\"0x1\"}");
  ASSERT_OK(decc_chain_send(c, SK, &to, NULL, 0, &r, &err));
  decc_receipt_clear(&r);
  decc_tx_init(&tx);
  ASSERT_OK(decc_tx_parse(&tx, f->last_raw, f->last_raw_len, &err));
  ASSERT_EQ(tx.type, DECC_TX_LEGACY);
  ASSERT_EQ(tx.chain_id, 31337);
  ASSERT_STR_EQ(decc_u256_to_hex(hx, &tx.gas_price), "0x96");
  decc_tx_clear(&tx);
  decc_chain_destroy(c);
  /* Fixed fees: no fee query at all. */
  o.max_fee = decc_u256_from_u64(5000);
  o.max_priority_fee = decc_u256_from_u64(7);
  c = open_fake(f, &o);
  ASSERT(c);
  int gp = calls(f, "eth_gasPrice"), blk = calls(f, "eth_getBlockByNumber");
  ASSERT_OK(decc_chain_send(c, SK, &to, NULL, 0, &r, &err));
  decc_receipt_clear(&r);
  ASSERT_EQ(calls(f, "eth_gasPrice"), gp);
  ASSERT_EQ(calls(f, "eth_getBlockByNumber"), blk);
  decc_tx_init(&tx);
  ASSERT_OK(decc_tx_parse(&tx, f->last_raw, f->last_raw_len, &err));
  ASSERT_STR_EQ(decc_u256_to_hex(hx, &tx.max_fee), "0x1388");
  ASSERT_STR_EQ(decc_u256_to_hex(hx, &tx.max_priority_fee), "0x7");
  decc_tx_clear(&tx);
  decc_chain_destroy(c);
  fake_stop(f);
}

TEST(jsonrpc_send_errors) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain_jsonrpc_opts o;
  memset(&o, 0, sizeof o);
  o.poll_ms = 20;
  o.receipt_timeout_ms = 150;
  decc_chain *c = open_fake(f, &o);
  ASSERT(c);
  decc_address to;
  memset(to.b, 0xab, 20);
  decc_receipt r;
  decc_err err;
  /* Never mined: a timeout naming the transaction. */
  script_send(f, 1, "[]");
  on(f, "eth_getTransactionReceipt", R_RESULT, "null");
  ASSERT_EQ(decc_chain_send(c, SK, &to, NULL, 0, &r, &err), DECC_E_TIMEOUT);
  ASSERT(strstr(err.msg, "no receipt after 150 ms") != NULL);
  ASSERT(calls(f, "eth_getTransactionReceipt") >= 2);
  /* The node refuses the transaction: DECC_E_INVALID with its message. */
  on(f, "eth_sendRawTransaction", R_ERROR,
     "{\"code\":-32003,\"message\":\"nonce too low\"}");
  ASSERT_EQ(decc_chain_send(c, SK, &to, NULL, 0, &r, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "eth_sendRawTransaction") &&
         strstr(err.msg, "nonce too low"));
  /* The node reports another hash than the one we signed. */
  on(f, "eth_sendRawTransaction", R_RESULT,
     "\"0x0000000000000000000000000000000000000000000000000000000000000001\"");
  ASSERT_EQ(decc_chain_send(c, SK, &to, NULL, 0, &r, &err), DECC_E_PARSE);
  /* A bad key never reaches the node. */
  uint8_t zero[32] = {0};
  int before = calls(f, "eth_getTransactionCount");
  ASSERT_EQ(decc_chain_send(c, zero, &to, NULL, 0, &r, &err), DECC_E_INVALID);
  ASSERT_EQ(calls(f, "eth_getTransactionCount"), before);
  decc_chain_destroy(c);
  fake_stop(f);
}

TEST(jsonrpc_send_raw_and_receipt) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain_jsonrpc_opts o;
  memset(&o, 0, sizeof o);
  o.poll_ms = 10;
  decc_chain *c = open_fake(f, &o);
  ASSERT(c);
  script_send(f, 1, ONE_LOG);
  /* A signed type-2 tx for chain 31337, and one for chain 1. */
  decc_buf good, other;
  decc_buf_init(&good, 0);
  decc_buf_init(&other, 0);
  decc_err err;
  for (int k = 0; k < 2; k++) {
    decc_tx tx;
    decc_tx_init(&tx);
    tx.type = DECC_TX_EIP1559;
    tx.chain_id = k ? 1 : 31337;
    tx.nonce = 3;
    tx.gas_limit = 50000;
    tx.max_fee = decc_u256_from_u64(1000);
    tx.has_to = 1;
    memset(tx.to.b, 0xab, 20);
    ASSERT_OK(decc_tx_sign(&tx, SK, &err));
    ASSERT_OK(decc_tx_serialize(k ? &other : &good, &tx, &err));
    decc_tx_clear(&tx);
  }
  const uint8_t garbage[3] = {0xc0, 0x01, 0x02};
  const uint8_t *raws[2] = {good.data, garbage};
  size_t lens[2] = {good.len, sizeof garbage};
  decc_receipt rs[2];
  ASSERT_EQ(decc_chain_send_raw(c, raws, lens, 2, rs, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "transaction 1") != NULL);
  raws[1] = other.data;
  lens[1] = other.len;
  ASSERT_EQ(decc_chain_send_raw(c, raws, lens, 2, rs, &err), DECC_E_INVALID);
  ASSERT_EQ(calls(f, "eth_sendRawTransaction"), 0); /* all or nothing */
  ASSERT_OK(decc_chain_send_raw(c, raws, lens, 1, rs, &err));
  ASSERT_EQ(calls(f, "eth_sendRawTransaction"), 1);
  ASSERT_EQ(rs[0].status, 1);
  ASSERT_EQ(rs[0].nonce, 3);
  ASSERT_EQ(rs[0].n_logs, 1);
  uint8_t h[32];
  decc_keccak256(h, good.data, good.len);
  ASSERT_MEM_EQ(rs[0].tx_hash, h, 32);
  decc_receipt_clear(&rs[0]);
  /* receipt() by hash: fetches the tx for its nonce. */
  char txj[1024];
  snprintf(txj, sizeof txj,
           "{\"hash\":\"$HASH\",\"from\":\"0x19e7e376e7c213b7e7e7e46cc70a5dd0"
           "86daff2a\",\"to\":\"0xabababababababababababababababababababab\","
           "\"nonce\":\"0x3\",\"gas\":\"0xc350\",\"value\":\"0x0\","
           "\"input\":\"0x\"}");
  on(f, "eth_getTransactionByHash", R_RESULT, txj);
  decc_receipt r;
  ASSERT_OK(decc_chain_receipt(c, h, &r, &err));
  ASSERT_EQ(r.nonce, 3);
  ASSERT_EQ(r.status, 1);
  decc_receipt_clear(&r);
  /* Unknown hash: not found. */
  on(f, "eth_getTransactionReceipt", R_RESULT, "null");
  ASSERT_EQ(decc_chain_receipt(c, h, &r, &err), DECC_E_NOT_FOUND);
  /* A receipt for another hash is refused. */
  uint8_t h2[32];
  memset(h2, 0x77, 32);
  char rc[2048];
  snprintf(rc, sizeof rc, RECEIPT_OK, 1, "[]");
  on(f, "eth_getTransactionReceipt", R_RESULT, rc);
  ASSERT_EQ(decc_chain_receipt(c, h2, &r, &err), DECC_E_PARSE);
  /* Malformed receipt fields. */
  on(f, "eth_getTransactionReceipt", R_RESULT,
     "{\"transactionHash\":\"$HASH\",\"blockNumber\":\"0x1\"}");
  ASSERT_EQ(decc_chain_receipt(c, h, &r, &err), DECC_E_PARSE);
  decc_buf_clear(&good);
  decc_buf_clear(&other);
  decc_chain_destroy(c);
  fake_stop(f);
}

#define LOG_AT(blk, idx, removed)                                              \
  "{\"address\":\"0xabababababababababababababababababababab\","               \
  "\"topics\":[],\"data\":\"0x\",\"blockNumber\":\"" blk "\",\"blockHash\":"   \
  "\"0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","    \
  "\"transactionHash\":\"0xcccccccccccccccccccccccccccccccccccccccccccccccccc" \
  "cccccccccccccc\",\"transactionIndex\":\"0x1\",\"logIndex\":\"" idx "\","    \
  "\"removed\":" removed "}"

TEST(jsonrpc_logs_filter_and_decoding) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain *c = open_fake(f, NULL);
  ASSERT(c);
  decc_err err;
  on(f, "eth_getLogs", R_RESULT,
     "[" LOG_AT("0x5", "0x2", "false") "," LOG_AT(
         "0x3", "0x9", "false") "," LOG_AT("0x5", "0x0",
                                           "false") "," LOG_AT("0x4", "0x0",
                                                               "true") "]");
  decc_log_filter fl;
  decc_log_filter_init(&fl);
  decc_address addrs[2];
  memset(addrs[0].b, 0xab, 20);
  memset(addrs[1].b, 0xcd, 20);
  fl.addresses = addrs;
  fl.n_addresses = 2;
  uint8_t t0[2][32], t2[1][32];
  memset(t0, 0x01, sizeof t0);
  t0[1][0] = 0x02;
  memset(t2, 0x03, sizeof t2);
  fl.topic_alts[0] = (const uint8_t(*)[32])t0;
  fl.n_topic_alts[0] = 2;
  fl.topic_alts[2] = (const uint8_t(*)[32])t2;
  fl.n_topic_alts[2] = 1;
  fl.from_block = 3;
  decc_log *logs;
  size_t n;
  ASSERT_OK(decc_chain_get_logs(c, &fl, &logs, &n, &err));
  ASSERT_EQ(n, 3); /* the removed one is dropped */
  ASSERT_EQ(logs[0].block_number, 3);
  ASSERT_EQ(logs[1].block_number, 5);
  ASSERT_EQ(logs[1].log_index, 0);
  ASSERT_EQ(logs[2].log_index, 2);
  ASSERT_EQ(logs[0].tx_index, 1);
  ASSERT_EQ(logs[0].n_topics, 0);
  ASSERT_EQ(logs[0].data_len, 0);
  decc_logs_free(logs, n);
  json_t *p = params_of(f, "eth_getLogs");
  json_t *q = json_array_get(p, 0);
  ASSERT_STR_EQ(json_string_value(json_object_get(q, "fromBlock")), "0x3");
  ASSERT_STR_EQ(json_string_value(json_object_get(q, "toBlock")), "latest");
  json_t *ad = json_object_get(q, "address");
  ASSERT_EQ(json_array_size(ad), 2);
  ASSERT_STR_EQ(json_string_value(json_array_get(ad, 1)),
                "0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd");
  json_t *tp = json_object_get(q, "topics");
  ASSERT_EQ(json_array_size(tp), 3); /* trailing wildcard dropped */
  ASSERT_EQ(json_array_size(json_array_get(tp, 0)), 2);
  ASSERT_STR_EQ(json_string_value(json_array_get(json_array_get(tp, 0), 1)),
                "0x0201010101010101010101010101010101010101010101010101010101"
                "010101");
  ASSERT(json_is_null(json_array_get(tp, 1)));
  ASSERT_EQ(json_array_size(json_array_get(tp, 2)), 1);
  json_decref(p);
  /* Bounded range and no filter at all. */
  decc_log_filter_init(&fl);
  fl.from_block = 0x10;
  fl.to_block = 0xffffffffffULL;
  on(f, "eth_getLogs", R_RESULT, "[]");
  ASSERT_OK(decc_chain_get_logs(c, &fl, &logs, &n, &err));
  ASSERT_EQ(n, 0);
  p = params_of(f, "eth_getLogs");
  q = json_array_get(p, 0);
  ASSERT_STR_EQ(json_string_value(json_object_get(q, "toBlock")),
                "0xffffffffff");
  ASSERT(json_object_get(q, "address") == NULL);
  ASSERT(json_object_get(q, "topics") == NULL);
  json_decref(p);
  /* Limit and bad filters. */
  on(f, "eth_getLogs", R_RESULT,
     "[" LOG_AT("0x5", "0x2", "false") "," LOG_AT("0x3", "0x9", "false") "]");
  fl.limit = 1;
  ASSERT_EQ(decc_chain_get_logs(c, &fl, &logs, &n, &err), DECC_E_LIMIT);
  fl.limit = 0;
  fl.from_block = 9;
  fl.to_block = 8;
  ASSERT_EQ(decc_chain_get_logs(c, &fl, &logs, &n, &err), DECC_E_INVALID);
  decc_log_filter_init(&fl);
  fl.n_addresses = DECC_FILTER_MAX_ALTS + 1;
  fl.addresses = addrs;
  ASSERT_EQ(decc_chain_get_logs(c, &fl, &logs, &n, &err), DECC_E_INVALID);
  /* Malformed logs. */
  decc_log_filter_init(&fl);
  static const char *const badlogs[] = {
      "{}", "[1]", "[{\"address\":\"0xab\",\"topics\":[],\"data\":\"0x\"}]",
      "[" LOG_AT("0x5", "0x100000000", "false") "]",
      "[" LOG_AT("5", "0x1", "false") "]"};
  for (size_t i = 0; i < sizeof badlogs / sizeof *badlogs; i++) {
    on(f, "eth_getLogs", R_RESULT, badlogs[i]);
    ASSERT_EQ(decc_chain_get_logs(c, &fl, &logs, &n, &err), DECC_E_PARSE);
    ASSERT(strstr(err.msg, "eth_getLogs") != NULL);
  }
  decc_chain_destroy(c);
  fake_stop(f);
}

/* The generic watcher (chain.c) works over this backend too. */
static int count_cb(const decc_log *lg, void *user) {
  (void)lg;
  (*(int *)user)++;
  return 0;
}

TEST(jsonrpc_watch_polls_new_logs) {
  fake *f = fake_start();
  ASSERT(f);
  decc_chain *c = open_fake(f, NULL);
  ASSERT(c);
  decc_err err;
  on(f, "eth_blockNumber", R_RESULT, "\"0x4\"");
  decc_log_filter fl;
  decc_log_filter_init(&fl);
  decc_chain_watch *w;
  ASSERT_OK(decc_chain_watch_create(&w, c, &fl, UINT64_MAX, &err));
  on(f, "eth_blockNumber", R_RESULT, "\"0x5\"");
  on(f, "eth_getLogs", R_RESULT, "[" LOG_AT("0x5", "0x0", "false") "]");
  int got = 0;
  size_t d;
  ASSERT_OK(decc_chain_watch_poll(w, count_cb, &got, &d, &err));
  ASSERT_EQ(got, 1);
  json_t *p = params_of(f, "eth_getLogs");
  ASSERT_STR_EQ(
      json_string_value(json_object_get(json_array_get(p, 0), "fromBlock")),
      "0x5");
  json_decref(p);
  decc_chain_watch_destroy(w);
  decc_chain_destroy(c);
  fake_stop(f);
}
