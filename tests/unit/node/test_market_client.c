/*
 * test_market_client.c — the market client interface
 * (decc/market_client.h): one scenario (publish, duplicate, not the owner,
 * a forged signature, queries with and without their required filter,
 * get by hash, an unknown hash, refresh) run through the "local" backend
 * over an orderbook of this process and through the "http" backend over a
 * decc node's market API on 127.0.0.1 (with login), both reading the same
 * embedded ledger through the shared world adapter. Each step's status and
 * result go to a trace; the traces must be equal, and the local one is
 * also checked against the answers the market must give.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/abi.h"
#include "decc/chain.h"
#include "decc/dataprotector.h"
#include "decc/encoding.h"
#include "decc/ledger.h"
#include "decc/market_client.h"
#include "decc/mem.h"
#include "decc/node.h"
#include "decc/order.h"
#include "decc/sms_client.h"
#include "test.h"

typedef struct fx {
  char home[700];
  decc_node *n;
  decc_ledger *l;
  decc_ledger_info info;
  uint8_t sk[3][32];
  decc_address who[3];
  decc_address app;
  uint8_t domain[32];
  char base[64];
  /* the in-process orderbook over the same ledger */
  decc_chain *chain;
  decc_market_chain_world world;
  decc_market *market;
} fx;

/* createApp as who[0] through a second ledger handle; 0 on success. */
static int create_app(fx *f) {
  uint8_t sum[32], sel[4];
  memset(sum, 7, 32);
  decc_abi_enc a;
  decc_abi_enc_init(&a, 0);
  (void)decc_abi_enc_push_address(&a, &f->who[0]);
  (void)decc_abi_enc_push_string(&a, "app");
  (void)decc_abi_enc_push_string(&a, "DOCKER");
  (void)decc_abi_enc_push_bytes(&a, "img", 3);
  (void)decc_abi_enc_push_bytes32(&a, sum);
  (void)decc_abi_enc_push_bytes(&a, NULL, 0);
  decc_buf d;
  decc_buf_init(&d, 0);
  decc_abi_selector(sel,
                    "createApp(address,string,string,bytes,bytes32,bytes)");
  decc_status st = decc_abi_enc_finish_call(&a, sel, &d);
  decc_abi_enc_clear(&a);
  if (st) {
    decc_buf_clear(&d);
    return -1;
  }
  decc_ledger_call c = {f->who[0], f->info.addr.app_registry, d.data, d.len};
  decc_receipt r;
  int rc = -1;
  if (decc_ledger_submit_calls(f->l, &c, 1, &r, NULL) == DECC_OK) {
    if (r.status == 1 && r.output_len >= 32) {
      memcpy(f->app.b, r.output + 12, 20);
      rc = 0;
    }
    decc_receipt_clear(&r);
  }
  decc_buf_clear(&d);
  return rc;
}

static int fx_open(fx *f) {
  memset(f, 0, sizeof *f);
  snprintf(f->home, sizeof f->home, "%s/node", decc_test_tmpdir());
  decc_node_config cfg;
  decc_node_config_init(&cfg);
  decc_err e;
  int rc = -1;
  if (decc_node_config_set(&cfg, "home", f->home, &e) ||
      decc_node_config_set(&cfg, "port", "0", &e) ||
      decc_node_config_set(&cfg, "roles", "chain,market", &e) ||
      decc_node_config_set(&cfg, "market_poll_ms", "20", &e) ||
      decc_node_config_set(&cfg, "market_refresh_s", "0", &e) ||
      decc_node_config_set(&cfg, "market_auth", "true", &e))
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
  for (unsigned i = 0; i < 3; i++)
    if (decc_ledger_dev_key(f->sk[i], i + 1) ||
        decc_address_from_privkey(&f->who[i], f->sk[i]))
      goto out;
  if (create_app(f))
    goto out;
  decc_market_world w;
  if (decc_chain_open_embedded(&f->chain, path, &e))
    goto out;
  f->world.chain = f->chain;
  decc_market_world_over_chain(&w, &f->world);
  if (decc_market_open(&f->market, ":memory:", f->info.chain_id,
                       &f->info.addr.hub, &w, &e))
    goto out;
  rc = 0;
out:
  if (rc)
    fprintf(stderr, "fixture: %s\n", e.msg);
  decc_node_config_clear(&cfg);
  return rc;
}

static void fx_close(fx *f) {
  decc_market_close(f->market);
  decc_chain_destroy(f->chain);
  decc_node_destroy(f->n);
  decc_ledger_close(f->l);
}

typedef struct trace {
  char text[16384];
  size_t len;
} trace;

static void step(trace *t, const char *name, decc_status st,
                 const char *extra) {
  int n =
      snprintf(t->text + t->len, sizeof t->text - t->len, "%s: %s%s%s\n", name,
               decc_status_name(st), extra ? " " : "", extra ? extra : "");
  if (n > 0 && (size_t)n < sizeof t->text - t->len)
    t->len += (size_t)n;
}

static int app_order(fx *f, decc_order *o, uint64_t price, int signer) {
  if (decc_order_init(o, DECC_ORDER_APP) != DECC_OK)
    return -1;
  o->u.app.app = f->app;
  o->u.app.appprice = decc_u256_from_u64(price);
  o->u.app.volume = decc_u256_from_u64(10);
  return decc_order_sign(o, f->sk[signer], f->domain, 1) == DECC_OK ? 0 : -1;
}

/* What a record says that both backends must agree on (the publication
 * time is the server's clock). */
static void describe(json_t *rec, char *out, size_t cap) {
  char *order =
      json_dumps(json_object_get(rec, "order"), JSON_COMPACT | JSON_SORT_KEYS);
  const char *h = json_string_value(json_object_get(rec, "orderHash"));
  const char *s = json_string_value(json_object_get(rec, "status"));
  const char *g = json_string_value(json_object_get(rec, "signer"));
  snprintf(out, cap, "[%.10s remaining=%lld status=%s signer=%.8s order=%s]",
           h ? h : "-",
           (long long)json_integer_value(json_object_get(rec, "remaining")),
           s ? s : "-", g ? g : "-", order ? order : "-");
  free(order);
}

/* The orders of the scenario: signed once (the salt is random), sent to
 * both backends. */
typedef struct scen_orders {
  decc_order o1, o2, bad, forged;
} scen_orders;

static int make_orders(fx *f, scen_orders *o) {
  if (app_order(f, &o->o1, 5, 0) || app_order(f, &o->o2, 3, 0) ||
      app_order(f, &o->bad, 4, 1) || app_order(f, &o->forged, 6, 0))
    return -1;
  o->forged.sign[64] = 5; /* no such recovery id: a malformed signature */
  return 0;
}

static void scenario(fx *f, decc_market_client *c, const scen_orders *os,
                     trace *t) {
  decc_err err;
  decc_status st;
  char x[8192], *js = NULL;
  const decc_order *o1 = &os->o1, *o2 = &os->o2, *bad = &os->bad,
                   *forged = &os->forged;

  st = decc_market_client_publish(c, o1, f->sk[0], &js, &err);
  json_t *p = js ? json_loads(js, 0, NULL) : NULL;
  x[0] = 0;
  if (p)
    describe(p, x, sizeof x);
  json_decref(p);
  decc_free(js);
  js = NULL;
  step(t, "publish", st, x);
  step(t, "publish again",
       decc_market_client_publish(c, o1, f->sk[0], NULL, &err), NULL);
  step(t, "publish second",
       decc_market_client_publish(c, o2, f->sk[0], NULL, &err), NULL);
  step(t, "publish not owner",
       decc_market_client_publish(c, bad, f->sk[1], NULL, &err), NULL);
  step(t, "publish forged",
       decc_market_client_publish(c, forged, f->sk[0], NULL, &err), NULL);

  decc_market_filter flt;
  decc_market_filter_init(&flt);
  flt.has_resource = 1;
  flt.resource = f->app;
  st = decc_market_client_query(c, DECC_ORDER_APP, &flt, &js, &err);
  x[0] = 0;
  if (!st) {
    json_t *j = json_loads(js, 0, NULL);
    json_t *orders = json_object_get(j, "orders");
    size_t n = (size_t)snprintf(
        x, sizeof x, "count=%lld",
        (long long)json_integer_value(json_object_get(j, "count")));
    for (size_t i = 0; i < json_array_size(orders) && n < sizeof x; i++)
      describe(json_array_get(orders, i), x + n, sizeof x - n), n = strlen(x);
    json_decref(j);
  }
  decc_free(js);
  js = NULL;
  step(t, "query", st, x);

  decc_market_filter none;
  decc_market_filter_init(&none);
  step(t, "query without app",
       decc_market_client_query(c, DECC_ORDER_APP, &none, &js, &err), NULL);
  decc_free(js);
  js = NULL;
  flt.include_all_status = 1;
  st = decc_market_client_query(c, DECC_ORDER_APP, &flt, &js, &err);
  decc_free(js);
  js = NULL;
  /* the one documented difference, told by a capability: listing
   * closed orders works exactly when the backend says it does */
  int all = (decc_market_client_caps(c) & DECC_MARKET_CLIENT_ALL_STATUS) != 0;
  step(t, "query all status", DECC_OK,
       (all ? st == DECC_OK : st == DECC_E_UNSUPPORTED) ? "as its caps say"
                                                        : "against its caps");

  uint8_t h[32];
  decc_order_hash(h, o1, f->domain);
  st = decc_market_client_get(c, DECC_ORDER_APP, h, &js, &err);
  x[0] = 0;
  if (!st) {
    json_t *j = json_loads(js, 0, NULL);
    describe(j, x, sizeof x);
    if (json_object_get(j, "ok"))
      strcat(x, " (envelope)");
    json_decref(j);
  }
  decc_free(js);
  js = NULL;
  step(t, "get", st, x);
  memset(h, 0xab, 32);
  step(t, "get unknown",
       decc_market_client_get(c, DECC_ORDER_APP, h, &js, &err), NULL);
  decc_free(js);
  js = NULL;
  step(t, "refresh", decc_market_client_refresh(c, &err), NULL);
}

TEST(both_backends_give_the_same_answers) {
  fx f;
  ASSERT_OK(fx_open(&f));
  decc_market_client *local = NULL, *http = NULL;
  decc_err err;
  ASSERT_OK(decc_market_client_open_local(&local, f.market, &err));
  ASSERT_OK(decc_market_client_open_http(&http, f.base, f.info.chain_id, &err));
  ASSERT_STR_EQ(decc_market_client_backend(local), "local");
  ASSERT_STR_EQ(decc_market_client_backend(http), "http");
  trace tl, th;
  memset(&tl, 0, sizeof tl);
  memset(&th, 0, sizeof th);
  scen_orders os;
  ASSERT_OK(make_orders(&f, &os));
  scenario(&f, local, &os, &tl);
  scenario(&f, http, &os, &th);
  if (strcmp(tl.text, th.text) || getenv("TRACE"))
    fprintf(stderr, "local:\n%s\nhttp:\n%s\n", tl.text, th.text);
  ASSERT_STR_EQ(tl.text, th.text);
  /* the answers themselves */
  ASSERT(strstr(tl.text, "publish: OK [0x") != NULL);
  ASSERT(strstr(tl.text, " remaining=10 status=open ") != NULL);
  ASSERT(strstr(tl.text, "publish again: E_EXISTS\n") != NULL);
  ASSERT(strstr(tl.text, "publish second: OK\n") != NULL);
  ASSERT(strstr(tl.text, "publish not owner: E_DENIED\n") != NULL);
  ASSERT(strstr(tl.text, "publish forged: E_INVALID\n") != NULL);
  ASSERT(strstr(tl.text, "query: OK count=2[") != NULL);
  ASSERT(strstr(tl.text, "query without app: E_INVALID\n") != NULL);
  ASSERT(strstr(tl.text, "query all status: OK as its caps say\n") != NULL);
  ASSERT(decc_market_client_caps(local) & DECC_MARKET_CLIENT_ALL_STATUS);
  ASSERT(!(decc_market_client_caps(http) & DECC_MARKET_CLIENT_ALL_STATUS));
  ASSERT(strstr(tl.text, "get: OK [0x") != NULL);
  ASSERT(strstr(tl.text, "(envelope)") == NULL);
  ASSERT(strstr(tl.text, "get unknown: E_NOT_FOUND\n") != NULL);
  ASSERT(strstr(tl.text, "refresh: OK\n") != NULL);
  /* sorted by price: the 3 RLC order first */
  const char *q = strstr(tl.text, "query: OK");
  const char *p3 = strstr(q, "\"appprice\":\"3\""),
             *p5 = strstr(q, "\"appprice\":\"5\"");
  ASSERT(p3 && p5 && p3 < p5);
  decc_order_clear(&os.o1);
  decc_order_clear(&os.o2);
  decc_order_clear(&os.bad);
  decc_order_clear(&os.forged);
  decc_market_client_destroy(local);
  decc_market_client_destroy(http);
  fx_close(&f);
}

TEST(misuse_and_bad_urls_are_errors) {
  decc_market_client *c = NULL;
  decc_err err;
  decc_market_filter flt;
  decc_market_filter_init(&flt);
  char *js = NULL;
  ASSERT_EQ(decc_market_client_query(NULL, DECC_ORDER_APP, &flt, &js, &err),
            DECC_E_INVALID);
  ASSERT_EQ(decc_market_client_open_http(&c, "file:///x", 1, &err),
            DECC_E_INVALID);
  ASSERT(c == NULL);
  ASSERT_EQ(decc_market_client_open_local(&c, NULL, &err), DECC_E_INVALID);
  ASSERT_OK(decc_market_client_open_http(&c, "http://127.0.0.1:1/", 1, &err));
  flt.has_resource = 1;
  decc_status st = decc_market_client_query(c, DECC_ORDER_APP, &flt, &js, &err);
  ASSERT(st == DECC_E_NETWORK || st == DECC_E_TIMEOUT);
  ASSERT(js == NULL);
  decc_market_client_destroy(c);
  decc_market_client_destroy(NULL);
}

/* The SDK holds one client per service and picks the backend once: local
 * over its data directory, http when given a node; a grant published
 * through the SDK on the node is read back through the node's market. */
TEST(dataprotector_picks_the_backend_once) {
  fx f;
  ASSERT_OK(fx_open(&f));
  decc_err err;
  char home[800];
  decc_dp_config c;
  memset(&c, 0, sizeof c);
  snprintf(home, sizeof home, "%s/local", decc_test_tmpdir());
  c.home = home;
  decc_dp *dp = NULL;
  ASSERT_OK(decc_dp_open(&dp, &c, &err));
  ASSERT_STR_EQ(decc_market_client_backend(decc_dp_market_client(dp)), "local");
  ASSERT_STR_EQ(decc_sms_client_backend(decc_dp_sms_client(dp)), "local");
  decc_dp_close(dp);
  snprintf(home, sizeof home, "%s/remote", decc_test_tmpdir());
  c.home = home;
  c.node_url = f.base;
  ASSERT_OK(decc_dp_open(&dp, &c, &err));
  ASSERT_STR_EQ(decc_market_client_backend(decc_dp_market_client(dp)), "http");
  ASSERT_STR_EQ(decc_sms_client_backend(decc_dp_sms_client(dp)), "http");
  ASSERT(decc_dp_market(dp) == NULL && decc_dp_sms(dp) == NULL);
  /* an app order of who[0] through the SDK's client, read by hash */
  decc_order o;
  ASSERT_OK(app_order(&f, &o, 2, 0));
  ASSERT_OK(decc_market_client_publish(decc_dp_market_client(dp), &o, f.sk[0],
                                       NULL, &err));
  uint8_t h[32];
  decc_order_hash(h, &o, f.domain);
  char *js = NULL;
  ASSERT_OK(decc_market_client_get(decc_dp_market_client(dp), DECC_ORDER_APP, h,
                                   &js, &err));
  ASSERT(strstr(js, "\"status\":\"open\"") != NULL);
  decc_free(js);
  decc_order_clear(&o);
  decc_dp_close(dp);
  fx_close(&f);
}
