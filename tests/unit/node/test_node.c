/*
 * test_node.c — `decc node` in-process: configuration precedence, the
 * market API over HTTP (login challenges, publish checks, every filter,
 * pagination, unpublish, status sync with OrdersMatched / Closed*Order and
 * ownership transfers), deals, and the Ethereum JSON-RPC endpoint
 * (including signed raw transactions). Resources are created on the
 * node's ledger file through a second ledger handle, as another process
 * would.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/abi.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/ledger.h"
#include "decc/market.h"
#include "decc/mem.h"
#include "decc/node.h"
#include "decc/order.h"
#include "decc/tx.h"
#include "test.h"

typedef struct fx {
  char home[700];
  decc_node *n;
  decc_ledger *l;
  decc_ledger_info info;
  uint8_t sk[5][32];
  decc_address who[5];
  decc_address app, dataset, wp;
  uint8_t domain[32];
  char base[64];
} fx;

static int g_fx_count;

static decc_buf calldata(decc_abi_enc *e, const char *sig) {
  uint8_t sel[4];
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_abi_selector(sel, sig);
  if (decc_abi_enc_finish_call(e, sel, &b) != DECC_OK)
    decc_buf_clear(&b);
  decc_abi_enc_clear(e);
  return b;
}

/* Runs one call on the ledger as `from`; returns the receipt status, -1 on
 * a submission failure. Output (20-byte address results) into ret. */
static int call_as(fx *f, const decc_address *from, const decc_address *to,
                   decc_buf *d, decc_address *ret) {
  decc_ledger_call c = {*from, *to, d->data, d->len};
  decc_receipt r;
  decc_err e;
  int st = -1;
  if (decc_ledger_submit_calls(f->l, &c, 1, &r, &e) == DECC_OK) {
    st = r.status;
    if (ret && r.output_len >= 32)
      memcpy(ret->b, r.output + 12, 20);
    decc_receipt_clear(&r);
  } else {
    fprintf(stderr, "submit: %s\n", e.msg);
  }
  decc_buf_clear(d);
  return st;
}

static void fx_close(fx *f) {
  decc_node_destroy(f->n);
  decc_ledger_close(f->l);
  memset(f, 0, sizeof *f);
}

static int fx_open(fx *f, int auth) {
  memset(f, 0, sizeof *f);
  snprintf(f->home, sizeof f->home, "%s/node%d", decc_test_tmpdir(),
           ++g_fx_count);
  decc_node_config cfg;
  decc_node_config_init(&cfg);
  decc_err e;
  int rc = -1;
  if (decc_node_config_set(&cfg, "home", f->home, &e) ||
      decc_node_config_set(&cfg, "port", "0", &e) ||
      decc_node_config_set(&cfg, "roles", "chain,store,market", &e) ||
      decc_node_config_set(&cfg, "market_poll_ms", "20", &e) ||
      decc_node_config_set(&cfg, "market_refresh_s", "0", &e) ||
      decc_node_config_set(&cfg, "max_body", "65536", &e) ||
      decc_node_config_set(&cfg, "market_auth", auth ? "true" : "false", &e))
    goto out;
  if (decc_node_create(&f->n, &cfg, NULL, NULL, &e) ||
      decc_node_start(f->n, &e)) {
    fprintf(stderr, "node: %s\n", e.msg);
    goto out;
  }
  snprintf(f->base, sizeof f->base, "http://127.0.0.1:%u",
           (unsigned)decc_node_port(f->n));
  char path[800];
  snprintf(path, sizeof path, "%s/chain/ledger.sqlite", f->home);
  if (decc_ledger_open(&f->l, path, &e) ||
      decc_ledger_get_info(f->l, &f->info, &e))
    goto out;
  decc_poco_domain_separator(f->domain, f->info.chain_id, &f->info.addr.hub);
  for (unsigned i = 0; i < 5; i++)
    if (decc_ledger_dev_key(f->sk[i], i + 1) ||
        decc_address_from_privkey(&f->who[i], f->sk[i]))
      goto out;
  uint8_t sum[32];
  memset(sum, 7, 32);
  decc_abi_enc a;
  decc_abi_enc_init(&a, 0);
  (void)decc_abi_enc_push_address(&a, &f->who[0]);
  (void)decc_abi_enc_push_string(&a, "app");
  (void)decc_abi_enc_push_string(&a, "DOCKER");
  (void)decc_abi_enc_push_bytes(&a, "img", 3);
  (void)decc_abi_enc_push_bytes32(&a, sum);
  (void)decc_abi_enc_push_bytes(&a, NULL, 0);
  decc_buf d =
      calldata(&a, "createApp(address,string,string,bytes,bytes32,bytes)");
  if (call_as(f, &f->who[0], &f->info.addr.app_registry, &d, &f->app) != 1)
    goto out;
  decc_abi_enc_init(&a, 0);
  (void)decc_abi_enc_push_address(&a, &f->who[1]);
  (void)decc_abi_enc_push_string(&a, "data");
  (void)decc_abi_enc_push_bytes(&a, "ma", 2);
  (void)decc_abi_enc_push_bytes32(&a, sum);
  d = calldata(&a, "createDataset(address,string,bytes,bytes32)");
  if (call_as(f, &f->who[1], &f->info.addr.dataset_registry, &d, &f->dataset) !=
      1)
    goto out;
  decc_abi_enc_init(&a, 0);
  (void)decc_abi_enc_push_address(&a, &f->who[2]);
  (void)decc_abi_enc_push_string(&a, "pool");
  d = calldata(&a, "createWorkerpool(address,string)");
  if (call_as(f, &f->who[2], &f->info.addr.workerpool_registry, &d, &f->wp) !=
      1)
    goto out;
  rc = 0;
out:
  decc_node_config_clear(&cfg);
  return rc;
}

/* One HTTP exchange; returns the status (0 on transport failure) and the
 * parsed JSON body in *out (optional). */
static long http(fx *f, const char *method, const char *path, const char *auth,
                 const char *body, json_t **out) {
  char url[4096];
  snprintf(url, sizeof url, "%s%s", f->base, path);
  const char *headers[3] = {"Content-Type: application/json", auth, NULL};
  decc_http_reply r;
  decc_err e;
  long st = 0;
  if (decc_http_fetch(&r, method, url, headers, body, body ? strlen(body) : 0,
                      0, 10000, &e) == DECC_OK)
    st = r.status;
  if (out) {
    json_error_t je;
    *out = r.body.len
               ? json_loadb((const char *)r.body.data, r.body.len, 0, &je)
               : NULL;
  }
  decc_buf_clear(&r.body);
  return st;
}

/* GET /challenge for key i and sign it: "authorization: <h>_<s>_<a>". */
static int login(fx *f, int i, char *out, size_t cap) {
  char addr[43], path[256];
  decc_address_to_checksum(addr, &f->who[i]);
  snprintf(path, sizeof path, "/challenge?chainId=%llu&address=%s",
           (unsigned long long)f->info.chain_id, addr);
  json_t *j = NULL;
  if (http(f, "GET", path, NULL, NULL, &j) != 200 || !j) {
    json_decref(j);
    return -1;
  }
  char *typed = json_dumps(json_object_get(j, "data"), JSON_COMPACT);
  json_decref(j);
  uint8_t sig[65], dg[32];
  int rc = typed && decc_eip712_sign_json(sig, dg, f->sk[i], typed,
                                          strlen(typed), NULL) == DECC_OK
               ? 0
               : -1;
  free(typed);
  char hh[67], sh[133];
  snprintf(out, cap, "authorization: %s_%s_%s", decc_hex_encode(hh, dg, 32, 1),
           decc_hex_encode(sh, sig, 65, 1), addr);
  return rc;
}

static char *body_of(const decc_order *o) {
  char *oj = NULL;
  if (decc_order_to_json(&oj, o) != DECC_OK)
    return NULL;
  size_t n = strlen(oj) + 16;
  char *b = decc_malloc(n);
  if (b)
    snprintf(b, n, "{\"order\":%s}", oj);
  decc_free(oj);
  return b;
}

/* Publishes o (signed by key i, logged in as key `as`). Returns status. */
static long publish(fx *f, const decc_order *o, int as, json_t **out) {
  char auth[512], path[64];
  if (as >= 0 && login(f, as, auth, sizeof auth))
    return -1;
  snprintf(path, sizeof path, "/%ss?chainId=%llu",
           decc_order_type_name(o->type), (unsigned long long)f->info.chain_id);
  char *b = body_of(o);
  long st = http(f, "POST", path, as >= 0 ? auth : NULL, b, out);
  decc_free(b);
  return st;
}

static void app_order(fx *f, decc_order *o, uint64_t price, uint64_t volume,
                      uint64_t tagbits, const decc_address *ds_r,
                      const decc_address *rq_r) {
  if (decc_order_init(o, DECC_ORDER_APP) != DECC_OK)
    return;
  o->u.app.app = f->app;
  o->u.app.appprice = decc_u256_from_u64(price);
  o->u.app.volume = decc_u256_from_u64(volume);
  decc_tag_from_bits(o->u.app.tag, tagbits);
  if (ds_r)
    o->u.app.datasetrestrict = *ds_r;
  if (rq_r)
    o->u.app.requesterrestrict = *rq_r;
  if (decc_order_sign(o, f->sk[0], f->domain, 1) != DECC_OK)
    o->sign_len = 0;
}

static long count_of(fx *f, const char *path) {
  json_t *j = NULL;
  long st = http(f, "GET", path, NULL, NULL, &j);
  long c = st == 200 && j
               ? (long)json_integer_value(json_object_get(j, "count"))
               : -1000 - st;
  json_decref(j);
  return c;
}

TEST(config_sources_and_precedence) {
  decc_node_config c;
  decc_node_config_init(&c);
  decc_err e;
  ASSERT_EQ(c.port, DECC_NODE_DEFAULT_PORT);
  const char *js = "{\"port\":1234,\"roles\":[\"chain\",\"store\"],"
                   "\"bind\":\"0.0.0.0\",\"market_auth\":false}";
  ASSERT_OK(decc_node_config_load_json(&c, js, strlen(js), &e));
  ASSERT_EQ(c.port, 1234);
  ASSERT_EQ(c.roles, DECC_NODE_ROLE_CHAIN | DECC_NODE_ROLE_STORE);
  ASSERT_STR_EQ(c.bind, "0.0.0.0");
  ASSERT_EQ(c.market_auth, 0);
  setenv("DECC_NODE_PORT", "2345", 1);
  setenv("DECC_NODE_ROLES", "market,sms", 1);
  ASSERT_OK(decc_node_config_load_env(&c, &e));
  unsetenv("DECC_NODE_PORT");
  unsetenv("DECC_NODE_ROLES");
  ASSERT_EQ(c.port, 2345); /* env over file */
  ASSERT_EQ(c.roles, DECC_NODE_ROLE_MARKET | DECC_NODE_ROLE_SMS);
  ASSERT_OK(decc_node_config_set(&c, "port", "0", &e)); /* flag over env */
  ASSERT_EQ(c.port, 0);
  ASSERT_EQ(decc_node_config_set(&c, "nope", "1", &e), DECC_E_NOT_FOUND);
  ASSERT_EQ(decc_node_config_set(&c, "port", "70000", &e), DECC_E_INVALID);
  ASSERT_EQ(decc_node_config_set(&c, "port", "12x", &e), DECC_E_INVALID);
  ASSERT_EQ(decc_node_config_set(&c, "roles", "chain,foo", &e), DECC_E_INVALID);
  ASSERT_EQ(decc_node_config_set(&c, "market_auth", "maybe", &e),
            DECC_E_INVALID);
  ASSERT_EQ(decc_node_config_set(&c, "chain_url", "ftp://x", &e),
            DECC_E_INVALID);
  ASSERT_OK(decc_node_config_set(&c, "chain_url", "http://10.0.0.1:8545", &e));
  /* cors_origins: "*" or scheme://host[:port] entries, nothing else */
  ASSERT_OK(decc_node_config_set(&c, "cors_origins", "*", &e));
  ASSERT_OK(decc_node_config_set(
      &c, "cors_origins", "https://app.example, http://localhost:3000", &e));
  ASSERT_OK(decc_node_config_set(&c, "cors_origins", "http://[::1]:5173", &e));
  static const char *const bad_origins[] = {"app.example",
                                            "https://app.example/path",
                                            "https://",
                                            "https://a b.example",
                                            "ftp://x",
                                            "*,",
                                            "https://a.example,,*"};
  for (size_t i = 0; i < sizeof bad_origins / sizeof *bad_origins; i++) {
    ASSERT_EQ(decc_node_config_set(&c, "cors_origins", bad_origins[i], &e),
              DECC_E_INVALID);
    ASSERT(strstr(e.msg, "cors_origins") != NULL);
  }
  ASSERT_STR_EQ(c.cors_origins, "http://[::1]:5173"); /* the last valid one */
  const char *bad = "{\"port\":\"x\"}";
  ASSERT_EQ(decc_node_config_load_json(&c, bad, strlen(bad), &e),
            DECC_E_INVALID);
  ASSERT_EQ(decc_node_config_load_json(&c, "[1]", 3, &e), DECC_E_PARSE);
  ASSERT_EQ(decc_node_config_load_json(&c, "{", 1, &e), DECC_E_PARSE);
  char *j = NULL;
  ASSERT_OK(decc_node_config_to_json(&j, &c));
  ASSERT(strstr(j, "\"roles\":[\"market\",\"sms\"]") != NULL);
  ASSERT(strstr(j, "\"chain_url\":\"http://10.0.0.1:8545\"") != NULL);
  decc_free(j);
  decc_node_config_clear(&c);
  /* a node without home, and roles this build lacks, are refused */
  decc_node_config_init(&c);
  decc_node *n = NULL;
  ASSERT_EQ(decc_node_create(&n, &c, NULL, NULL, &e), DECC_E_INVALID);
  ASSERT_OK(decc_node_config_set(&c, "home", decc_test_tmpdir(), &e));
  ASSERT_OK(decc_node_config_set(&c, "roles", "market", &e));
  ASSERT_EQ(decc_node_create(&n, &c, NULL, NULL, &e), DECC_E_INVALID);
  ASSERT(strstr(e.msg, "chain_url") != NULL);
  ASSERT_OK(decc_node_config_set(&c, "roles", "chain,worker", &e));
  ASSERT_EQ(decc_node_create(&n, &c, NULL, NULL, &e), DECC_E_INVALID);
  ASSERT(strstr(e.msg, "scheduler") != NULL);
  ASSERT_EQ(decc_node_config_set(&c, "hub", "0x12", &e), DECC_E_INVALID);
  decc_node_config_clear(&c);
}

TEST(market_publish_checks_and_errors) {
  fx f;
  ASSERT_OK(fx_open(&f, 1));
  decc_order o;
  app_order(&f, &o, 5, 10, 0, NULL, NULL);
  json_t *j = NULL;
  /* no authorization header */
  ASSERT_EQ(publish(&f, &o, -1, NULL), 401);
  ASSERT_EQ(publish(&f, &o, 0, &j), 201);
  ASSERT(json_is_true(json_object_get(j, "ok")));
  json_t *pub = json_object_get(j, "published");
  ASSERT_STR_EQ(json_string_value(json_object_get(pub, "status")), "open");
  ASSERT_EQ(json_integer_value(json_object_get(pub, "remaining")), 10);
  uint8_t h[32];
  char hx[67];
  decc_order_hash(h, &o, f.domain);
  decc_hex_encode(hx, h, 32, 1);
  ASSERT_STR_EQ(json_string_value(json_object_get(pub, "orderHash")), hx);
  json_decref(j);
  /* already published */
  ASSERT_EQ(publish(&f, &o, 0, NULL), 409);
  /* a challenge is single-use */
  char auth[512];
  ASSERT_OK(login(&f, 0, auth, sizeof auth));
  decc_order o2;
  app_order(&f, &o2, 6, 10, 0, NULL, NULL);
  char *b = body_of(&o2);
  char path[64];
  snprintf(path, sizeof path, "/apporders?chainId=%llu",
           (unsigned long long)f.info.chain_id);
  ASSERT_EQ(http(&f, "POST", path, auth, b, NULL), 201);
  decc_order_clear(&o2);
  app_order(&f, &o2, 7, 10, 0, NULL, NULL);
  decc_free(b);
  b = body_of(&o2);
  ASSERT_EQ(http(&f, "POST", path, auth, b, NULL), 401);
  /* a forged authorization (signature of another key) */
  char forged[512];
  ASSERT_OK(login(&f, 1, forged, sizeof forged));
  char a0[43];
  decc_address_to_checksum(a0, &f.who[0]);
  memcpy(forged + strlen(forged) - 42, a0, 42); /* claim to be who[0] */
  ASSERT_EQ(http(&f, "POST", path, forged, b, NULL), 401);
  ASSERT_EQ(http(&f, "POST", path, "authorization: garbage", b, NULL), 401);
  decc_free(b);
  /* logged in as someone else than the signer */
  ASSERT_EQ(publish(&f, &o2, 1, &j), 403);
  json_decref(j);
  /* signed by a non-owner */
  decc_order o3;
  app_order(&f, &o3, 8, 10, 0, NULL, NULL);
  ASSERT_OK(decc_order_sign(&o3, f.sk[1], f.domain, 1));
  ASSERT_EQ(publish(&f, &o3, 1, &j), 403);
  ASSERT(strstr(json_string_value(json_object_get(j, "error")), "owner") !=
         NULL);
  json_decref(j);
  /* bad signature: field changed after signing */
  o3.u.app.appprice = decc_u256_from_u64(9);
  ASSERT_OK(decc_order_sign(&o3, f.sk[0], f.domain, 0));
  o3.u.app.appprice = decc_u256_from_u64(10);
  ASSERT_EQ(publish(&f, &o3, 0, &j), 403); /* recovers to another signer */
  json_decref(j);
  o3.sign[5] ^= 0xff;
  o3.sign[64] = 99; /* invalid v */
  ASSERT_EQ(publish(&f, &o3, 0, &j), 400);
  json_decref(j);
  /* unregistered app */
  decc_order o4;
  app_order(&f, &o4, 1, 1, 0, NULL, NULL);
  memset(o4.u.app.app.b, 0x42, 20);
  ASSERT_OK(decc_order_sign(&o4, f.sk[0], f.domain, 1));
  ASSERT_EQ(publish(&f, &o4, 0, &j), 400);
  ASSERT(
      strstr(json_string_value(json_object_get(j, "error")), "not registered"));
  json_decref(j);
  /* volume 0: nothing remaining */
  decc_order o5;
  app_order(&f, &o5, 1, 0, 0, NULL, NULL);
  ASSERT_EQ(publish(&f, &o5, 0, NULL), 400);
  /* malformed bodies, unknown routes, wrong chain, oversized body */
  ASSERT_OK(login(&f, 0, auth, sizeof auth));
  ASSERT_EQ(http(&f, "POST", path, auth, "{not json", &j), 400);
  ASSERT(json_is_false(json_object_get(j, "ok")));
  json_decref(j);
  ASSERT_OK(login(&f, 0, auth, sizeof auth));
  ASSERT_EQ(http(&f, "POST", path, auth, "{\"order\":{\"app\":1}}", NULL), 400);
  ASSERT_OK(login(&f, 0, auth, sizeof auth));
  ASSERT_EQ(http(&f, "POST", path, auth, "[]", NULL), 400);
  ASSERT_EQ(http(&f, "GET", "/nope", NULL, NULL, &j), 404);
  ASSERT(json_is_false(json_object_get(j, "ok")));
  json_decref(j);
  ASSERT_EQ(http(&f, "DELETE", "/apporders", NULL, NULL, NULL), 405);
  ASSERT_EQ(
      http(
          &f, "GET",
          "/apporders?chainId=1&app=0x0000000000000000000000000000000000000001",
          NULL, NULL, NULL),
      404);
  ASSERT_EQ(http(&f, "GET", "/apporders?chainId=abc", NULL, NULL, NULL), 400);
  ASSERT_EQ(http(&f, "GET", "/challenge?chainId=31337&address=0x12", NULL, NULL,
                 NULL),
            400);
  char *big = decc_malloc(70000);
  memset(big, ' ', 69999);
  big[0] = '{';
  big[69998] = '}';
  big[69999] = 0;
  ASSERT_EQ(http(&f, "POST", "/rpc", NULL, big, NULL), 413);
  decc_free(big);
  /* GET by hash, and unknown hash */
  char gp[160];
  snprintf(gp, sizeof gp, "/apporders/%s", hx);
  ASSERT_EQ(http(&f, "GET", gp, NULL, NULL, &j), 200);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "orderHash")), hx);
  ASSERT(json_is_true(json_object_get(j, "ok")));
  json_decref(j);
  gp[strlen(gp) - 1] = gp[strlen(gp) - 1] == '0' ? '1' : '0';
  ASSERT_EQ(http(&f, "GET", gp, NULL, NULL, NULL), 404);
  ASSERT_EQ(http(&f, "GET", "/apporders/0x1234", NULL, NULL, NULL), 400);
  decc_order_clear(&o);
  decc_order_clear(&o2);
  decc_order_clear(&o3);
  decc_order_clear(&o4);
  decc_order_clear(&o5);
  fx_close(&f);
}

TEST(market_filters_sort_and_pages) {
  fx f;
  ASSERT_OK(fx_open(&f, 0));
  char app[43], ds[43], wp[43], rq[43], other[43], q[512];
  decc_address_to_hex(app, &f.app);
  decc_address_to_hex(ds, &f.dataset);
  decc_address_to_hex(wp, &f.wp);
  decc_address_to_hex(rq, &f.who[3]);
  decc_address other_a;
  memset(other_a.b, 0x33, 20);
  decc_address_to_hex(other, &other_a);
  /* 12 plain orders (prices 20..9 so sorting is visible), 1 restricted to
   * the dataset, 1 restricted to another requester, 1 tee (bit 0), 1 with
   * tee+tdx (bits 0 and 3) and volume 100 */
  decc_order o;
  for (int i = 0; i < 12; i++) {
    app_order(&f, &o, (uint64_t)(20 - i), 1, 0, NULL, NULL);
    ASSERT_EQ(publish(&f, &o, -1, NULL), 201);
    decc_order_clear(&o);
  }
  app_order(&f, &o, 1, 5, 0, &f.dataset, NULL);
  ASSERT_EQ(publish(&f, &o, -1, NULL), 201);
  decc_order_clear(&o);
  app_order(&f, &o, 2, 5, 0, NULL, &other_a);
  ASSERT_EQ(publish(&f, &o, -1, NULL), 201);
  decc_order_clear(&o);
  app_order(&f, &o, 3, 5, 0x1, NULL, NULL);
  ASSERT_EQ(publish(&f, &o, -1, NULL), 201);
  decc_order_clear(&o);
  app_order(&f, &o, 4, 100, 0x9, NULL, NULL);
  ASSERT_EQ(publish(&f, &o, -1, NULL), 201);
  decc_order_clear(&o);

  /* app or appOwner is required */
  ASSERT_EQ(http(&f, "GET", "/apporders", NULL, NULL, NULL), 400);
  /* omitted restriction filters: only unrestricted orders (12 + 2 tagged) */
  snprintf(q, sizeof q, "/apporders?app=%s", app);
  ASSERT_EQ(count_of(&f, q), 14);
  char owner[43];
  decc_address_to_hex(owner, &f.who[0]);
  snprintf(q, sizeof q, "/apporders?appOwner=%s", owner);
  ASSERT_EQ(count_of(&f, q), 14);
  snprintf(q, sizeof q, "/apporders?app=%s&dataset=any&requester=any", app);
  ASSERT_EQ(count_of(&f, q), 16);
  snprintf(q, sizeof q, "/apporders?app=%s&dataset=%s", app, ds);
  ASSERT_EQ(count_of(&f, q), 15);
  snprintf(q, sizeof q, "/apporders?app=%s&dataset=%s&isDatasetStrict=true",
           app, ds);
  ASSERT_EQ(count_of(&f, q), 1);
  snprintf(q, sizeof q, "/apporders?app=%s&requester=%s", app, other);
  ASSERT_EQ(count_of(&f, q), 15);
  snprintf(q, sizeof q, "/apporders?app=%s&requester=%s", app, rq);
  ASSERT_EQ(count_of(&f, q), 14);
  snprintf(q, sizeof q, "/apporders?app=%s&dataset=0xnot", app);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, NULL), 400);
  snprintf(q, sizeof q, "/apporders?app=%s&isDatasetStrict=maybe", app);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, NULL), 400);
  /* tags: minTag = required bits, maxTag = allowed bits */
  snprintf(q, sizeof q, "/apporders?app=%s&minTag=tee", app);
  ASSERT_EQ(count_of(&f, q), 2);
  snprintf(q, sizeof q,
           "/apporders?app=%s&minTag="
           "0x0000000000000000000000000000000000000000000000000000000000000009",
           app);
  ASSERT_EQ(count_of(&f, q), 1);
  snprintf(q, sizeof q, "/apporders?app=%s&maxTag=tee", app);
  ASSERT_EQ(count_of(&f, q), 13);
  snprintf(q, sizeof q,
           "/apporders?app=%s&maxTag="
           "0x0000000000000000000000000000000000000000000000000000000000000000",
           app);
  ASSERT_EQ(count_of(&f, q), 12);
  snprintf(q, sizeof q, "/apporders?app=%s&minTag=nonsense", app);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, NULL), 400);
  /* minVolume on remaining volume */
  snprintf(q, sizeof q, "/apporders?app=%s&minVolume=5", app);
  ASSERT_EQ(count_of(&f, q), 2);
  snprintf(q, sizeof q, "/apporders?app=%s&minVolume=50", app);
  ASSERT_EQ(count_of(&f, q), 1);
  snprintf(q, sizeof q, "/apporders?app=%s&minVolume=-1", app);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, NULL), 400);
  /* price ascending, pagination */
  json_t *j = NULL;
  snprintf(q, sizeof q, "/apporders?app=%s&pageSize=10", app);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, &j), 200);
  json_t *orders = json_object_get(j, "orders");
  ASSERT_EQ(json_array_size(orders), 10);
  ASSERT_EQ(json_integer_value(json_object_get(j, "count")), 14);
  ASSERT_EQ(json_integer_value(json_object_get(j, "nextPage")), 1);
  long prev = -1;
  for (size_t i = 0; i < 10; i++) {
    const char *p = json_string_value(json_object_get(
        json_object_get(json_array_get(orders, i), "order"), "appprice"));
    ASSERT(p != NULL);
    ASSERT(atol(p) >= prev);
    prev = atol(p);
  }
  ASSERT_STR_EQ(
      json_string_value(json_object_get(
          json_object_get(json_array_get(orders, 0), "order"), "appprice")),
      "3");
  json_decref(j);
  snprintf(q, sizeof q, "/apporders?app=%s&pageSize=10&pageIndex=1", app);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, &j), 200);
  ASSERT_EQ(json_array_size(json_object_get(j, "orders")), 4);
  ASSERT(json_object_get(j, "nextPage") == NULL);
  json_decref(j);
  snprintf(q, sizeof q, "/apporders?app=%s&pageSize=5", app);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, NULL), 400);
  snprintf(q, sizeof q, "/apporders?app=%s&pageSize=1001", app);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, NULL), 400);

  /* dataset orders: bulkOnly, app restriction */
  ASSERT_OK(decc_order_init(&o, DECC_ORDER_DATASET));
  o.u.dataset.dataset = f.dataset;
  o.u.dataset.volume = decc_u256_from_u64(DECC_MARKET_MAX_SAFE_INT);
  ASSERT_OK(decc_order_sign(&o, f.sk[1], f.domain, 1));
  ASSERT_EQ(publish(&f, &o, -1, NULL), 201);
  decc_order_clear(&o);
  ASSERT_OK(decc_order_init(&o, DECC_ORDER_DATASET));
  o.u.dataset.dataset = f.dataset;
  o.u.dataset.volume = decc_u256_from_u64(3);
  o.u.dataset.datasetprice = decc_u256_from_u64(7);
  o.u.dataset.apprestrict = f.app;
  ASSERT_OK(decc_order_sign(&o, f.sk[1], f.domain, 1));
  ASSERT_EQ(publish(&f, &o, -1, NULL), 201);
  decc_order_clear(&o);
  ASSERT_EQ(http(&f, "GET", "/datasetorders", NULL, NULL, NULL), 400);
  snprintf(q, sizeof q, "/datasetorders?dataset=%s", ds);
  ASSERT_EQ(count_of(&f, q), 1);
  snprintf(q, sizeof q, "/datasetorders?dataset=%s&app=%s", ds, app);
  ASSERT_EQ(count_of(&f, q), 2);
  snprintf(q, sizeof q, "/datasetorders?dataset=%s&app=%s&isAppStrict=true", ds,
           app);
  ASSERT_EQ(count_of(&f, q), 1);
  snprintf(q, sizeof q, "/datasetorders?dataset=%s&app=any&bulkOnly=true", ds);
  ASSERT_EQ(count_of(&f, q), 1);

  /* workerpool orders: category required, minTrust */
  for (int i = 0; i < 3; i++) {
    ASSERT_OK(decc_order_init(&o, DECC_ORDER_WORKERPOOL));
    o.u.workerpool.workerpool = f.wp;
    o.u.workerpool.volume = decc_u256_from_u64(1);
    o.u.workerpool.category = decc_u256_from_u64(i == 2 ? 1 : 0);
    o.u.workerpool.trust = decc_u256_from_u64(i == 1 ? 5 : 0);
    ASSERT_OK(decc_order_sign(&o, f.sk[2], f.domain, 1));
    ASSERT_EQ(publish(&f, &o, -1, NULL), 201);
    decc_order_clear(&o);
  }
  ASSERT_EQ(http(&f, "GET", "/workerpoolorders", NULL, NULL, NULL), 400);
  ASSERT_EQ(count_of(&f, "/workerpoolorders?category=0"), 2);
  ASSERT_EQ(count_of(&f, "/workerpoolorders?category=1"), 1);
  ASSERT_EQ(count_of(&f, "/workerpoolorders?category=0&minTrust=3"), 1);
  snprintf(q, sizeof q, "/workerpoolorders?category=0&workerpool=%s", wp);
  ASSERT_EQ(count_of(&f, q), 2);
  snprintf(q, sizeof q, "/workerpoolorders?category=0&workerpool=%s", other);
  ASSERT_EQ(count_of(&f, q), 0);
  decc_address_to_hex(owner, &f.who[2]);
  snprintf(q, sizeof q, "/workerpoolorders?category=0&workerpoolOwner=%s",
           owner);
  ASSERT_EQ(count_of(&f, q), 2);

  /* request orders: maxTrust, beneficiary, workerpool strict */
  for (int i = 0; i < 3; i++) {
    ASSERT_OK(decc_order_init(&o, DECC_ORDER_REQUEST));
    o.u.request.app = f.app;
    o.u.request.requester = f.who[3];
    o.u.request.beneficiary = i == 0 ? f.who[4] : f.who[3];
    o.u.request.volume = decc_u256_from_u64(1);
    o.u.request.trust = decc_u256_from_u64(i == 1 ? 10 : 1);
    o.u.request.workerpoolmaxprice = decc_u256_from_u64((uint64_t)i);
    if (i == 2)
      o.u.request.workerpool = f.wp;
    ASSERT_OK(decc_order_sign(&o, f.sk[3], f.domain, 1));
    ASSERT_EQ(publish(&f, &o, -1, NULL), 201);
    decc_order_clear(&o);
  }
  ASSERT_EQ(count_of(&f, "/requestorders?category=0"), 2);
  ASSERT_EQ(count_of(&f, "/requestorders?category=0&workerpool=any"), 3);
  snprintf(q, sizeof q, "/requestorders?category=0&workerpool=%s", wp);
  ASSERT_EQ(count_of(&f, q), 3);
  snprintf(q, sizeof q,
           "/requestorders?category=0&workerpool=%s&isWorkerpoolStrict=true",
           wp);
  ASSERT_EQ(count_of(&f, q), 1);
  ASSERT_EQ(count_of(&f, "/requestorders?category=0&maxTrust=5"), 1);
  snprintf(q, sizeof q, "/requestorders?category=0&requester=%s&workerpool=any",
           rq);
  ASSERT_EQ(count_of(&f, q), 3);
  char ben[43];
  decc_address_to_hex(ben, &f.who[4]);
  snprintf(q, sizeof q, "/requestorders?category=0&beneficiary=%s", ben);
  ASSERT_EQ(count_of(&f, q), 1);
  snprintf(q, sizeof q, "/requestorders?category=0&app=%s&workerpool=any", app);
  ASSERT_EQ(count_of(&f, q), 3);
  snprintf(q, sizeof q, "/requestorders?category=0&app=%s&workerpool=any",
           other);
  ASSERT_EQ(count_of(&f, q), 0);
  /* a request order whose requester is not the signer */
  ASSERT_OK(decc_order_init(&o, DECC_ORDER_REQUEST));
  o.u.request.app = f.app;
  o.u.request.requester = f.who[4];
  o.u.request.volume = decc_u256_from_u64(1);
  ASSERT_OK(decc_order_sign(&o, f.sk[3], f.domain, 1));
  ASSERT_EQ(publish(&f, &o, -1, NULL), 403);
  decc_order_clear(&o);
  fx_close(&f);
}

TEST(market_unpublish) {
  fx f;
  ASSERT_OK(fx_open(&f, 1));
  decc_order o[3];
  char hx[3][67];
  for (int i = 0; i < 3; i++) {
    app_order(&f, &o[i], 1 + (uint64_t)i, 1, 0, NULL, NULL);
    ASSERT_EQ(publish(&f, &o[i], 0, NULL), 201);
    uint8_t h[32];
    decc_order_hash(h, &o[i], f.domain);
    decc_hex_encode(hx[i], h, 32, 1);
  }
  char app[43], q[256], body[512], auth[512];
  decc_address_to_hex(app, &f.app);
  snprintf(q, sizeof q, "/apporders?app=%s", app);
  ASSERT_EQ(count_of(&f, q), 3);
  /* by hash, as somebody else: refused */
  snprintf(body, sizeof body,
           "{\"target\":\"unpublish_orderHash\",\"orderHash\":\"%s\"}", hx[0]);
  ASSERT_OK(login(&f, 1, auth, sizeof auth));
  ASSERT_EQ(http(&f, "PUT", "/apporders?chainId=31337", auth, body, NULL), 403);
  ASSERT_EQ(http(&f, "PUT", "/apporders?chainId=31337", NULL, body, NULL), 401);
  ASSERT_OK(login(&f, 0, auth, sizeof auth));
  json_t *j = NULL;
  ASSERT_EQ(http(&f, "PUT", "/apporders?chainId=31337", auth, body, &j), 200);
  ASSERT_STR_EQ(
      json_string_value(json_array_get(json_object_get(j, "unpublished"), 0)),
      hx[0]);
  json_decref(j);
  ASSERT_OK(login(&f, 0, auth, sizeof auth));
  ASSERT_EQ(http(&f, "PUT", "/apporders?chainId=31337", auth, body, NULL), 404);
  /* last, then all */
  snprintf(body, sizeof body, "{\"target\":\"unpublish_last\",\"app\":\"%s\"}",
           app);
  ASSERT_OK(login(&f, 0, auth, sizeof auth));
  ASSERT_EQ(http(&f, "PUT", "/apporders?chainId=31337", auth, body, &j), 200);
  ASSERT_STR_EQ(
      json_string_value(json_array_get(json_object_get(j, "unpublished"), 0)),
      hx[2]);
  json_decref(j);
  ASSERT_EQ(count_of(&f, q), 1);
  snprintf(body, sizeof body, "{\"target\":\"unpublish_all\",\"app\":\"%s\"}",
           app);
  ASSERT_OK(login(&f, 0, auth, sizeof auth));
  ASSERT_EQ(http(&f, "PUT", "/apporders?chainId=31337", auth, body, NULL), 200);
  ASSERT_EQ(count_of(&f, q), 0);
  ASSERT_OK(login(&f, 0, auth, sizeof auth));
  ASSERT_EQ(http(&f, "PUT", "/apporders?chainId=31337", auth,
                 "{\"target\":\"unpublish_everything\"}", NULL),
            400);
  for (int i = 0; i < 3; i++)
    decc_order_clear(&o[i]);
  fx_close(&f);
}

static void push_order(decc_abi_enc *e, const decc_order *o) {
  if (decc_order_abi_push(e, o) != DECC_OK) {
    /* the encoder error is sticky: finish reports it */
  }
}

static const char *status_of(fx *f, const char *type, const decc_order *o,
                             long *remaining) {
  static char st[32];
  uint8_t h[32];
  char hx[67], p[160];
  decc_order_hash(h, o, f->domain);
  snprintf(p, sizeof p, "/%s/%s", type, decc_hex_encode(hx, h, 32, 1));
  json_t *j = NULL;
  st[0] = 0;
  if (http(f, "GET", p, NULL, NULL, &j) == 200 && j) {
    snprintf(st, sizeof st, "%s",
             json_string_value(json_object_get(j, "status")));
    if (remaining)
      *remaining = (long)json_integer_value(json_object_get(j, "remaining"));
  }
  json_decref(j);
  return st;
}

TEST(market_status_follows_chain_events_and_deals) {
  fx f;
  ASSERT_OK(fx_open(&f, 0));
  decc_order app, ds, wp, rq, none, app2;
  app_order(&f, &app, 0, 2, 0, NULL, NULL);
  app_order(&f, &app2, 3, 5, 0, NULL, NULL);
  ASSERT_OK(decc_order_init(&none, DECC_ORDER_DATASET));
  ASSERT_OK(decc_order_init(&wp, DECC_ORDER_WORKERPOOL));
  wp.u.workerpool.workerpool = f.wp;
  wp.u.workerpool.volume = decc_u256_from_u64(1);
  ASSERT_OK(decc_order_sign(&wp, f.sk[2], f.domain, 1));
  ASSERT_OK(decc_order_init(&rq, DECC_ORDER_REQUEST));
  rq.u.request.app = f.app;
  rq.u.request.requester = f.who[3];
  rq.u.request.beneficiary = f.who[3];
  rq.u.request.volume = decc_u256_from_u64(1);
  ASSERT_OK(decc_order_sign(&rq, f.sk[3], f.domain, 1));
  ASSERT_OK(decc_order_init(&ds, DECC_ORDER_DATASET));
  ds.u.dataset.dataset = f.dataset;
  ds.u.dataset.volume = decc_u256_from_u64(4);
  ASSERT_OK(decc_order_sign(&ds, f.sk[1], f.domain, 1));
  ASSERT_EQ(publish(&f, &app, -1, NULL), 201);
  ASSERT_EQ(publish(&f, &app2, -1, NULL), 201);
  ASSERT_EQ(publish(&f, &wp, -1, NULL), 201);
  ASSERT_EQ(publish(&f, &rq, -1, NULL), 201);
  ASSERT_EQ(publish(&f, &ds, -1, NULL), 201);
  long rem = 0;
  ASSERT_STR_EQ(status_of(&f, "apporders", &app, &rem), "open");
  ASSERT_EQ(rem, 2);

  /* matchOrders (volume 1) → app order remaining 1, workerpool and
   * request orders filled */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  push_order(&e, &app);
  push_order(&e, &none);
  push_order(&e, &wp);
  push_order(&e, &rq);
  decc_buf d = calldata(
      &e,
      "matchOrders((address,uint256,uint256,bytes32,address,address,address,"
      "bytes32,bytes),(address,uint256,uint256,bytes32,address,address,"
      "address,bytes32,bytes),(address,uint256,uint256,bytes32,uint256,"
      "uint256,address,address,address,bytes32,bytes),(address,uint256,"
      "address,uint256,address,uint256,address,uint256,bytes32,uint256,"
      "uint256,address,address,string,bytes32,bytes))");
  ASSERT_EQ(call_as(&f, &f.who[3], &f.info.addr.hub, &d, NULL), 1);
  size_t applied = 0;
  ASSERT_OK(decc_node_market_sync(f.n, &applied, NULL));
  /* the watcher thread may have applied it first */
  for (int i = 0;
       i < 100 &&
       strcmp(status_of(&f, "workerpoolorders", &wp, NULL), "filled");
       i++)
    usleep(20000);
  ASSERT_STR_EQ(status_of(&f, "workerpoolorders", &wp, NULL), "filled");
  ASSERT_STR_EQ(status_of(&f, "requestorders", &rq, &rem), "filled");
  ASSERT_EQ(rem, 0);
  ASSERT_STR_EQ(status_of(&f, "apporders", &app, &rem), "open");
  ASSERT_EQ(rem, 1);
  ASSERT_EQ(count_of(&f, "/workerpoolorders?category=0"), 0);

  /* the deal is listed */
  json_t *j = NULL;
  char q[256], rqa[43];
  decc_address_to_hex(rqa, &f.who[3]);
  snprintf(q, sizeof q, "/deals?chainId=31337&requester=%s", rqa);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, &j), 200);
  ASSERT_EQ(json_integer_value(json_object_get(j, "count")), 1);
  json_t *deal = json_array_get(json_object_get(j, "deals"), 0);
  const char *dealid = json_string_value(json_object_get(deal, "dealid"));
  ASSERT(dealid != NULL);
  uint8_t rh[32], did[32];
  decc_order_hash(rh, &rq, f.domain);
  decc_u256 zero = decc_u256_from_u64(0);
  decc_deal_id(did, rh, &zero);
  char dhx[67];
  ASSERT_STR_EQ(dealid, decc_hex_encode(dhx, did, 32, 1));
  char app_hex[43];
  decc_address_to_hex(app_hex, &f.app);
  ASSERT_STR_EQ(json_string_value(
                    json_object_get(json_object_get(deal, "app"), "pointer")),
                app_hex);
  snprintf(q, sizeof q, "/deals/%s", dhx);
  json_decref(j);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, &j), 200);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "dealid")), dhx);
  json_decref(j);
  snprintf(q, sizeof q, "/deals?chainId=31337&requester=%s", app_hex);
  ASSERT_EQ(count_of(&f, q), 0);
  dhx[10] = dhx[10] == 'a' ? 'b' : 'a';
  snprintf(q, sizeof q, "/deals/%s", dhx);
  ASSERT_EQ(http(&f, "GET", q, NULL, NULL, NULL), 404);

  /* the index is a cache: deleted while the node runs, the next request
   * builds a new file (not an idle connection's unlinked one) and finds
   * the deal again */
  char idx[800];
  struct stat sb;
  const char *sfx[3] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    snprintf(idx, sizeof idx, "%s/market/deals.db%s", f.home, sfx[i]);
    (void)unlink(idx);
  }
  snprintf(idx, sizeof idx, "%s/market/deals.db", f.home);
  ASSERT(stat(idx, &sb) != 0);
  snprintf(q, sizeof q, "/deals?chainId=31337&requester=%s", rqa);
  ASSERT_EQ(count_of(&f, q), 1);
  ASSERT(stat(idx, &sb) == 0);

  /* manageAppOrder(CLOSE) by the owner → canceled */
  uint8_t opsig[65];
  ASSERT_OK(decc_order_operation_sign(opsig, &app2, DECC_OP_CLOSE, f.sk[0],
                                      f.domain));
  decc_abi_enc_init(&e, 0);
  (void)decc_abi_enc_begin_tuple(&e);
  push_order(&e, &app2);
  (void)decc_abi_enc_push_u64(&e, DECC_OP_CLOSE);
  (void)decc_abi_enc_push_bytes(&e, opsig, 65);
  (void)decc_abi_enc_end_tuple(&e);
  d = calldata(&e, "manageAppOrder(((address,uint256,uint256,bytes32,address,"
                   "address,address,bytes32,bytes),uint8,bytes))");
  ASSERT_EQ(call_as(&f, &f.who[0], &f.info.addr.hub, &d, NULL), 1);
  ASSERT_OK(decc_node_market_sync(f.n, NULL, NULL));
  for (int i = 0;
       i < 100 && strcmp(status_of(&f, "apporders", &app2, NULL), "canceled");
       i++)
    usleep(20000);
  ASSERT_STR_EQ(status_of(&f, "apporders", &app2, NULL), "canceled");

  fx_close(&f);
  decc_order_clear(&app);
  decc_order_clear(&app2);
  decc_order_clear(&ds);
  decc_order_clear(&wp);
  decc_order_clear(&rq);
  decc_order_clear(&none);
}

TEST(market_refresh_marks_transferred_dataset_dead) {
  fx f;
  ASSERT_OK(fx_open(&f, 0));
  decc_order ds;
  ASSERT_OK(decc_order_init(&ds, DECC_ORDER_DATASET));
  ds.u.dataset.dataset = f.dataset;
  ds.u.dataset.volume = decc_u256_from_u64(4);
  ASSERT_OK(decc_order_sign(&ds, f.sk[1], f.domain, 1));
  ASSERT_EQ(publish(&f, &ds, -1, NULL), 201);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  (void)decc_abi_enc_push_address(&e, &f.who[1]);
  (void)decc_abi_enc_push_address(&e, &f.who[4]);
  uint8_t tok[32];
  memset(tok, 0, 12);
  memcpy(tok + 12, f.dataset.b, 20);
  decc_u256 tid;
  decc_u256_from_be(&tid, tok);
  (void)decc_abi_enc_push_u256(&e, &tid);
  decc_buf d = calldata(&e, "transferFrom(address,address,uint256)");
  ASSERT_EQ(call_as(&f, &f.who[1], &f.info.addr.dataset_registry, &d, NULL), 1);
  ASSERT_STR_EQ(status_of(&f, "datasetorders", &ds, NULL), "open");
  char home[700];
  uint8_t domain[32];
  decc_address dataset = f.dataset;
  memcpy(domain, f.domain, 32);
  snprintf(home, sizeof home, "%s", f.home);
  fx_close(&f);
  /* a node restarted with the refresh on catches up at start */
  decc_node_config cfg;
  decc_node_config_init(&cfg);
  ASSERT_OK(decc_node_config_set(&cfg, "home", home, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "port", "0", NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "roles", "chain,market", NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "market_refresh_s", "3600", NULL));
  decc_node *n = NULL;
  ASSERT_OK(decc_node_create(&n, &cfg, NULL, NULL, NULL));
  ASSERT_OK(decc_node_start(n, NULL));
  ASSERT_OK(decc_node_market_sync(n, NULL, NULL));
  fx g;
  memset(&g, 0, sizeof g);
  snprintf(g.base, sizeof g.base, "http://127.0.0.1:%u",
           (unsigned)decc_node_port(n));
  memcpy(g.domain, domain, 32);
  ASSERT_STR_EQ(status_of(&g, "datasetorders", &ds, NULL), "dead");
  char dsa[43], q[160];
  decc_address_to_hex(dsa, &dataset);
  snprintf(q, sizeof q, "/datasetorders?dataset=%s", dsa);
  ASSERT_EQ(count_of(&g, q), 0);
  decc_node_destroy(n);
  decc_node_config_clear(&cfg);
  decc_order_clear(&ds);
}

/* ---- JSON-RPC ------------------------------------------------------------ */

static json_t *rpc(fx *f, const char *body, long *status) {
  json_t *j = NULL;
  long st = http(f, "POST", "/", NULL, body, &j);
  if (status)
    *status = st;
  return j;
}

TEST(rpc_methods_batches_and_errors) {
  fx f;
  ASSERT_OK(fx_open(&f, 0));
  long st;
  json_t *j =
      rpc(&f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}", &st);
  ASSERT_EQ(st, 200);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "result")), "0x7a69");
  json_decref(j);
  j = rpc(&f,
          "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"net_version\","
          "\"params\":[]}",
          &st);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "result")), "31337");
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "id")), "a");
  json_decref(j);
  j = rpc(&f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\"}",
          &st);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "result")), "0x3");
  json_decref(j);
  char body[1024], a[43];
  decc_address_to_hex(a, &f.who[0]);
  snprintf(
      body, sizeof body,
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getTransactionCount\","
      "\"params\":[\"%s\",\"latest\"]}",
      a);
  j = rpc(&f, body, &st);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "result")), "0x1");
  json_decref(j);
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\","
           "\"params\":[\"%s\",\"latest\"]}",
           a);
  j = rpc(&f, body, &st);
  /* a dev account: the genesis' native coin, 10,000 ether = 10^22 wei */
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "result")),
                "0x21e19e0c9bab2400000");
  json_decref(j);
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\","
           "\"params\":[\"0x000000000000000000000000000000000000dead\","
           "\"latest\"]}");
  j = rpc(&f, body, &st);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "result")), "0x0");
  json_decref(j);
  /* eth_call owner() on the app → who[0] */
  char app[43];
  decc_address_to_hex(app, &f.app);
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\","
           "\"params\":[{\"to\":\"%s\",\"data\":\"0x8da5cb5b\"},\"latest\"]}",
           app);
  j = rpc(&f, body, &st);
  const char *res = json_string_value(json_object_get(j, "result"));
  ASSERT(res && strlen(res) == 66);
  ASSERT_STR_EQ(res + 26, a + 2);
  json_decref(j);
  /* a reverting call: code 3 with Error(string) data */
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\","
           "\"params\":[{\"to\":\"%s\",\"data\":\"0xdeadbeef\"}]}",
           app);
  j = rpc(&f, body, &st);
  json_t *err = json_object_get(j, "error");
  ASSERT(err != NULL);
  ASSERT_EQ(json_integer_value(json_object_get(err, "code")), 3);
  json_decref(j);
  /* logs of the app registry (one Transfer mint) and the block */
  char reg[43];
  decc_address_to_hex(reg, &f.info.addr.app_registry);
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getLogs\","
           "\"params\":[{\"fromBlock\":\"0x0\",\"toBlock\":\"latest\","
           "\"address\":\"%s\"}]}",
           reg);
  j = rpc(&f, body, &st);
  json_t *logs = json_object_get(j, "result");
  ASSERT_EQ(json_array_size(logs), 1);
  const char *txh = json_string_value(
      json_object_get(json_array_get(logs, 0), "transactionHash"));
  ASSERT(txh != NULL);
  snprintf(
      body, sizeof body,
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getTransactionReceipt\","
      "\"params\":[\"%s\"]}",
      txh);
  json_decref(rpc(&f, "{}", NULL));
  json_t *r = rpc(&f, body, &st);
  json_t *rr = json_object_get(r, "result");
  ASSERT_STR_EQ(json_string_value(json_object_get(rr, "status")), "0x1");
  ASSERT_STR_EQ(json_string_value(json_object_get(rr, "from")), a);
  ASSERT_EQ(json_array_size(json_object_get(rr, "logs")), 1);
  ASSERT_STR_EQ(json_string_value(json_object_get(rr, "blockNumber")), "0x1");
  json_decref(r);
  json_decref(j);
  /* an unknown tx → null */
  j = rpc(
      &f,
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getTransactionReceipt\","
      "\"params\":["
      "\"0x1111111111111111111111111111111111111111111111111111111111111111\"]"
      "}",
      &st);
  ASSERT(json_is_null(json_object_get(j, "result")));
  json_decref(j);
  j = rpc(&f,
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\","
          "\"params\":[\"0x1\",false]}",
          &st);
  ASSERT_EQ(json_array_size(
                json_object_get(json_object_get(j, "result"), "transactions")),
            1);
  json_decref(j);
  j = rpc(&f,
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\","
          "\"params\":[\"0x99\",false]}",
          &st);
  ASSERT(json_is_null(json_object_get(j, "result")));
  json_decref(j);
  /* batch with a notification and an unknown method */
  j = rpc(&f,
          "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"},"
          "{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\"},"
          "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_mine\"},5]",
          &st);
  ASSERT_EQ(st, 200);
  ASSERT_EQ(json_array_size(j), 3);
  ASSERT_EQ(json_integer_value(json_object_get(
                json_object_get(json_array_get(j, 1), "error"), "code")),
            -32601);
  ASSERT_EQ(json_integer_value(json_object_get(
                json_object_get(json_array_get(j, 2), "error"), "code")),
            -32600);
  json_decref(j);
  /* parse error, empty batch, bad params */
  j = rpc(&f, "{\"jsonrpc\":", &st);
  ASSERT_EQ(st, 400);
  ASSERT_EQ(
      json_integer_value(json_object_get(json_object_get(j, "error"), "code")),
      -32700);
  json_decref(j);
  j = rpc(&f, "[]", &st);
  ASSERT_EQ(st, 400);
  json_decref(j);
  j = rpc(&f,
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\","
          "\"params\":[\"0x12\"]}",
          &st);
  ASSERT_EQ(
      json_integer_value(json_object_get(json_object_get(j, "error"), "code")),
      -32602);
  json_decref(j);
  j = rpc(&f, "{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\"}", &st);
  ASSERT_EQ(st, 204);
  json_decref(j);

  /* a signed raw transaction: createWorkerpool by who[4] */
  decc_tx tx;
  decc_tx_init(&tx);
  tx.type = DECC_TX_EIP1559;
  tx.chain_id = f.info.chain_id;
  tx.nonce = 0;
  tx.gas_limit = 1000000;
  tx.has_to = 1;
  tx.to = f.info.addr.workerpool_registry;
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  (void)decc_abi_enc_push_address(&e, &f.who[4]);
  (void)decc_abi_enc_push_string(&e, "pool2");
  decc_buf d = calldata(&e, "createWorkerpool(address,string)");
  ASSERT_OK(decc_tx_set_data(&tx, d.data, d.len));
  decc_buf_clear(&d);
  ASSERT_OK(decc_tx_sign(&tx, f.sk[4], NULL));
  decc_buf raw;
  decc_buf_init(&raw, 0);
  ASSERT_OK(decc_tx_serialize(&raw, &tx, NULL));
  uint8_t th[32];
  ASSERT_OK(decc_tx_hash(th, &tx, NULL));
  decc_tx_clear(&tx);
  char *rawhex = decc_malloc(2 * raw.len + 3);
  decc_hex_encode(rawhex, raw.data, raw.len, 1);
  decc_buf_clear(&raw);
  char *b2 = decc_malloc(strlen(rawhex) + 128);
  sprintf(b2,
          "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_sendRawTransaction\","
          "\"params\":[\"%s\"]}",
          rawhex);
  j = rpc(&f, b2, &st);
  char thx[67];
  decc_hex_encode(thx, th, 32, 1);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "result")), thx);
  json_decref(j);
  /* replaying it is refused (nonce) */
  j = rpc(&f, b2, &st);
  ASSERT(json_object_get(j, "error") != NULL);
  json_decref(j);
  decc_free(b2);
  decc_free(rawhex);
  snprintf(
      body, sizeof body,
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getTransactionReceipt\","
      "\"params\":[\"%s\"]}",
      thx);
  j = rpc(&f, body, &st);
  ASSERT_STR_EQ(json_string_value(
                    json_object_get(json_object_get(j, "result"), "status")),
                "0x1");
  json_decref(j);
  /* health */
  ASSERT_EQ(http(&f, "GET", "/health", NULL, NULL, &j), 200);
  ASSERT(json_is_true(json_object_get(json_object_get(j, "roles"), "chain")));
  ASSERT_EQ(json_integer_value(json_object_get(j, "blockNumber")), 4);
  json_decref(j);
  fx_close(&f);
}

/* A market node on another "host" reading the chain of a main node through
 * its JSON-RPC endpoint (decc_chain_open_jsonrpc against node_rpc.c). */
TEST(market_node_over_remote_chain) {
  fx f;
  ASSERT_OK(fx_open(&f, 0)); /* the main node: chain, store, market */
  char home[800], rpc_url[96];
  snprintf(home, sizeof home, "%s-remote", f.home);
  snprintf(rpc_url, sizeof rpc_url, "%s/rpc", f.base);
  decc_node_config cfg;
  decc_node_config_init(&cfg);
  ASSERT_OK(decc_node_config_set(&cfg, "home", home, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "port", "0", NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "roles", "market", NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "chain_url", rpc_url, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "market_auth", "false", NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "market_poll_ms", "20", NULL));
  decc_node *m = NULL;
  decc_err e;
  ASSERT_OK(decc_node_create(&m, &cfg, NULL, NULL, &e));
  ASSERT_OK(decc_node_start(m, &e));
  fx r = f; /* same keys and resources, other base URL */
  r.n = NULL;
  r.l = NULL;
  snprintf(r.base, sizeof r.base, "http://127.0.0.1:%u",
           (unsigned)decc_node_port(m));
  json_t *j = NULL;
  ASSERT_EQ(http(&r, "GET", "/health", NULL, NULL, &j), 200);
  ASSERT_EQ(json_integer_value(json_object_get(j, "chainId")), 31337);
  ASSERT_EQ(json_integer_value(json_object_get(j, "blockNumber")), 3);
  ASSERT(json_is_false(json_object_get(json_object_get(j, "roles"), "chain")));
  json_decref(j);
  ASSERT_EQ(count_of(&r, "/categories"), 5);
  /* owner checks go through the remote chain */
  decc_order wp, rq, app, none, bad;
  ASSERT_OK(decc_order_init(&wp, DECC_ORDER_WORKERPOOL));
  wp.u.workerpool.workerpool = f.wp;
  wp.u.workerpool.volume = decc_u256_from_u64(1);
  ASSERT_OK(decc_order_sign(&wp, f.sk[2], f.domain, 1));
  ASSERT_EQ(publish(&r, &wp, -1, NULL), 201);
  ASSERT_OK(decc_order_init(&bad, DECC_ORDER_WORKERPOOL));
  bad.u.workerpool.workerpool = f.wp;
  bad.u.workerpool.volume = decc_u256_from_u64(1);
  ASSERT_OK(decc_order_sign(&bad, f.sk[1], f.domain, 1));
  ASSERT_EQ(publish(&r, &bad, -1, NULL), 403);
  app_order(&f, &app, 0, 1, 0, NULL, NULL);
  ASSERT_OK(decc_order_init(&none, DECC_ORDER_DATASET));
  ASSERT_OK(decc_order_init(&rq, DECC_ORDER_REQUEST));
  rq.u.request.app = f.app;
  rq.u.request.requester = f.who[3];
  rq.u.request.beneficiary = f.who[3];
  rq.u.request.volume = decc_u256_from_u64(1);
  ASSERT_OK(decc_order_sign(&rq, f.sk[3], f.domain, 1));
  ASSERT_EQ(count_of(&r, "/workerpoolorders?category=0"), 1);
  /* the match happens on the main node's ledger; the remote watcher sees it */
  decc_abi_enc enc;
  decc_abi_enc_init(&enc, 0);
  push_order(&enc, &app);
  push_order(&enc, &none);
  push_order(&enc, &wp);
  push_order(&enc, &rq);
  decc_buf d = calldata(
      &enc,
      "matchOrders((address,uint256,uint256,bytes32,address,address,address,"
      "bytes32,bytes),(address,uint256,uint256,bytes32,address,address,"
      "address,bytes32,bytes),(address,uint256,uint256,bytes32,uint256,"
      "uint256,address,address,address,bytes32,bytes),(address,uint256,"
      "address,uint256,address,uint256,address,uint256,bytes32,uint256,"
      "uint256,address,address,string,bytes32,bytes))");
  ASSERT_EQ(call_as(&f, &f.who[3], &f.info.addr.hub, &d, NULL), 1);
  ASSERT_OK(decc_node_market_sync(m, NULL, &e));
  for (int i = 0;
       i < 100 &&
       strcmp(status_of(&r, "workerpoolorders", &wp, NULL), "filled");
       i++)
    usleep(20000);
  ASSERT_STR_EQ(status_of(&r, "workerpoolorders", &wp, NULL), "filled");
  ASSERT_EQ(count_of(&r, "/workerpoolorders?category=0"), 0);
  ASSERT_EQ(count_of(&r, "/deals?chainId=31337"), 1);
  decc_node_destroy(m);
  decc_node_config_clear(&cfg);
  decc_order_clear(&wp);
  decc_order_clear(&bad);
  decc_order_clear(&rq);
  decc_order_clear(&app);
  decc_order_clear(&none);
  fx_close(&f);
}

static int g_round_errors, g_log_lines;
static void count_log(void *ctx, const char *line) {
  (void)ctx;
  g_log_lines++;
  if (strstr(line, "workerpool round:")) {
    g_round_errors++;
    fprintf(stderr, "    log: %s\n", line);
  }
}

static int write_key(const char *path, const uint8_t sk[32]) {
  char hx[67];
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "%s\n", decc_hex_encode(hx, sk, 32, 1));
  return fclose(f);
}

/* A workerpool node on another "host": SMS, scheduler and worker roles,
 * reading the main node's chain through chain_url and its store through
 * store_url. */
TEST(workerpool_node_over_remote_services) {
  fx f;
  ASSERT_OK(fx_open(&f, 0));
  char home[800], kp[900], kw[900], kt[900], url[96];
  snprintf(home, sizeof home, "%s-pool", f.home);
  snprintf(kp, sizeof kp, "%s-pool.key", f.home);
  snprintf(kw, sizeof kw, "%s-worker.key", f.home);
  snprintf(kt, sizeof kt, "%s-platform.key", f.home);
  uint8_t plat[32];
  decc_address plat_a;
  ASSERT_OK(decc_privkey_generate(plat));
  ASSERT_OK(decc_address_from_privkey(&plat_a, plat));
  ASSERT_OK(write_key(kp, f.sk[2])); /* owner of f.wp */
  ASSERT_OK(write_key(kw, f.sk[4]));
  ASSERT_OK(write_key(kt, plat));
  decc_memzero(plat, sizeof plat);
  char wp[43], pa[43];
  decc_address_to_hex(wp, &f.wp);
  decc_address_to_hex(pa, &plat_a);
  decc_node_config cfg;
  decc_node_config_init(&cfg);
  snprintf(url, sizeof url, "%s/rpc", f.base);
  ASSERT_OK(decc_node_config_set(&cfg, "home", home, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "port", "0", NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "roles", "sms,scheduler,worker", NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "chain_url", url, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "store_url", f.base, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "workerpool", wp, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "scheduler_key_file", kp, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "worker_key_file", kw, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "platform_key_file", kt, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "sms_trusted_platforms", pa, NULL));
  ASSERT_OK(decc_node_config_set(&cfg, "workerpool_poll_ms", "20", NULL));
  decc_node *p = NULL;
  decc_err e;
  /* the scheduler refuses a key that does not own the workerpool */
  ASSERT_OK(decc_node_config_set(&cfg, "scheduler_key_file", kw, NULL));
  ASSERT(decc_node_create(&p, &cfg, NULL, NULL, &e) != DECC_OK);
  ASSERT_OK(decc_node_config_set(&cfg, "scheduler_key_file", kp, NULL));
  ASSERT_OK(decc_node_create(&p, &cfg, count_log, NULL, &e));
  ASSERT_OK(decc_node_start(p, &e));
  fx r;
  memset(&r, 0, sizeof r);
  snprintf(r.base, sizeof r.base, "http://127.0.0.1:%u",
           (unsigned)decc_node_port(p));
  json_t *j = NULL;
  ASSERT_EQ(http(&r, "GET", "/health", NULL, NULL, &j), 200);
  ASSERT(json_is_true(json_object_get(json_object_get(j, "roles"), "worker")));
  ASSERT(
      json_is_true(json_object_get(json_object_get(j, "roles"), "scheduler")));
  ASSERT_STR_EQ(
      json_string_value(json_object_get(json_object_get(j, "remote"), "chain")),
      url);
  json_decref(j);
  ASSERT_EQ(http(&r, "GET", "/tee/framework", NULL, NULL, NULL), 200);
  usleep(100000); /* a few rounds against the remote chain */
  decc_node_destroy(p);
  ASSERT(g_log_lines > 0);
  ASSERT_EQ(g_round_errors, 0);
  decc_node_config_clear(&cfg);
  fx_close(&f);
}
