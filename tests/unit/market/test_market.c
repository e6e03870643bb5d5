/*
 * test_market.c — the orderbook: publication checks (signature, owner,
 * remaining volume, limits, duplicates), every query filter with the market
 * API's semantics (restriction any / given / omitted, strict flags, tags,
 * volume, trust, bulk, pagination, price ordering), unpublish, and status
 * sync from chain events (filled, canceled, dead).
 */
#include <stdlib.h>

#include <jansson.h>

#include "decc/encoding.h"
#include "decc/market.h"
#include "decc/mem.h"
#include "test.h"

/* A tiny fake chain: owners of resources and consumed volumes. */
typedef struct world {
  decc_address res[8], owner[8];
  int nres;
  uint8_t ch[8][32];
  uint64_t cv[8];
  int nc;
  uint64_t now;
} world;

static decc_status w_owner(void *ctx, decc_order_type t, const decc_address *r,
                           decc_address *o) {
  (void)t;
  world *w = ctx;
  for (int i = 0; i < w->nres; i++)
    if (decc_address_eq(&w->res[i], r)) {
      *o = w->owner[i];
      return DECC_OK;
    }
  return DECC_E_NOT_FOUND;
}

static decc_status w_consumed(void *ctx, const uint8_t h[32], decc_u256 *c) {
  world *w = ctx;
  *c = decc_u256_from_u64(0);
  for (int i = 0; i < w->nc; i++)
    if (!memcmp(w->ch[i], h, 32))
      *c = decc_u256_from_u64(w->cv[i]);
  return DECC_OK;
}

static uint64_t w_now(void *ctx) { return ((world *)ctx)->now++; }

static void key(uint8_t sk[32], int n) {
  memset(sk, 0, 32);
  sk[31] = (uint8_t)n;
}

static decc_address addr_of(int n) {
  uint8_t sk[32];
  key(sk, n);
  decc_address a;
  if (decc_address_from_privkey(&a, sk) != DECC_OK)
    abort();
  return a;
}

static decc_address res_addr(int n) {
  decc_address a;
  memset(a.b, 0, 20);
  a.b[0] = 0xaa;
  a.b[19] = (uint8_t)n;
  return a;
}

typedef struct fixture {
  world w;
  decc_market *m;
  uint8_t domain[32];
  decc_address hub;
} fixture;

static int setup(fixture *f) {
  memset(f, 0, sizeof *f);
  f->w.now = 1700000000;
  memset(f->hub.b, 0x42, 20);
  for (int i = 0; i < 4; i++) {
    f->w.res[i] = res_addr(i + 1);
    f->w.owner[i] = addr_of(i + 1); /* resource i+1 owned by key i+1 */
  }
  f->w.nres = 4;
  decc_market_world mw = {&f->w, w_owner, w_consumed, w_now};
  decc_poco_domain_separator(f->domain, 31337, &f->hub);
  return decc_market_open(&f->m, ":memory:", 31337, &f->hub, &mw, NULL) ==
         DECC_OK;
}

/* A signed dataset order for dataset resource n (owner key n). */
static decc_order dataset_order(fixture *f, int n, uint64_t price,
                                uint64_t volume, const decc_address *app,
                                const decc_address *requester, int salt) {
  decc_order o;
  if (decc_order_init(&o, DECC_ORDER_DATASET) != DECC_OK)
    abort();
  o.u.dataset.dataset = res_addr(n);
  o.u.dataset.datasetprice = decc_u256_from_u64(price);
  o.u.dataset.volume = decc_u256_from_u64(volume);
  decc_tag_from_bits(o.u.dataset.tag, 0x9);
  if (app)
    o.u.dataset.apprestrict = *app;
  if (requester)
    o.u.dataset.requesterrestrict = *requester;
  o.u.dataset.salt[31] = (uint8_t)salt;
  uint8_t sk[32];
  key(sk, n);
  if (decc_order_sign(&o, sk, f->domain, 0) != DECC_OK)
    abort();
  return o;
}

static json_t *query(fixture *f, decc_order_type t,
                     const decc_market_filter *flt) {
  char *js = NULL;
  decc_err err;
  if (decc_market_query(f->m, t, flt, &js, &err) != DECC_OK) {
    fprintf(stderr, "query: %s\n", err.msg);
    return NULL;
  }
  json_t *j = json_loads(js, 0, NULL);
  decc_free(js);
  return j;
}

static int count_of(json_t *j) {
  return (int)json_integer_value(json_object_get(j, "count"));
}

TEST(publish_checks) {
  fixture f;
  ASSERT(setup(&f));
  decc_address app = res_addr(9);
  decc_order o = dataset_order(&f, 1, 5, 3, &app, NULL, 1);
  char *pub = NULL;
  decc_err err;
  ASSERT_OK(decc_market_publish(f.m, &o, NULL, &pub, &err));
  json_t *j = json_loads(pub, 0, NULL);
  ASSERT(j);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "status")), "open");
  ASSERT_EQ(json_integer_value(json_object_get(j, "remaining")), 3);
  ASSERT_EQ(json_integer_value(json_object_get(j, "chainId")), 31337);
  uint8_t h[32];
  char hx[67];
  decc_order_hash(h, &o, f.domain);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "orderHash")),
                decc_hex_encode(hx, h, 32, 1));
  json_decref(j);
  decc_free(pub);
  /* duplicate */
  ASSERT_EQ(decc_market_publish(f.m, &o, NULL, NULL, &err), DECC_E_EXISTS);
  /* signed by someone who is not the owner */
  decc_order bad = dataset_order(&f, 1, 5, 3, &app, NULL, 2);
  uint8_t sk2[32];
  key(sk2, 2);
  ASSERT_OK(decc_order_sign(&bad, sk2, f.domain, 0));
  ASSERT_EQ(decc_market_publish(f.m, &bad, NULL, NULL, &err), DECC_E_DENIED);
  ASSERT(strstr(err.msg, "owner"));
  /* tampered after signing */
  decc_order t = dataset_order(&f, 1, 5, 3, &app, NULL, 3);
  t.u.dataset.datasetprice = decc_u256_from_u64(6);
  ASSERT(decc_market_publish(f.m, &t, NULL, NULL, &err) != DECC_OK);
  /* authenticated address must be the signer */
  decc_order a = dataset_order(&f, 1, 5, 3, &app, NULL, 4);
  decc_address other = addr_of(3);
  ASSERT_EQ(decc_market_publish(f.m, &a, &other, NULL, &err), DECC_E_DENIED);
  /* nothing remaining */
  decc_order c = dataset_order(&f, 1, 5, 2, &app, NULL, 5);
  decc_order_hash(f.w.ch[0], &c, f.domain);
  f.w.cv[0] = 2;
  f.w.nc = 1;
  ASSERT_EQ(decc_market_publish(f.m, &c, NULL, NULL, &err), DECC_E_INVALID);
  /* unsigned */
  decc_order u = dataset_order(&f, 1, 5, 2, &app, NULL, 6);
  u.sign_len = 0;
  ASSERT_EQ(decc_market_publish(f.m, &u, NULL, NULL, &err),
            DECC_E_BAD_SIGNATURE);
  /* unregistered resource */
  decc_order n = dataset_order(&f, 7, 5, 2, &app, NULL, 7);
  ASSERT_EQ(decc_market_publish(f.m, &n, NULL, NULL, &err), DECC_E_NOT_FOUND);
  /* price above 2^53-1 */
  decc_order big = dataset_order(&f, 1, 0, 2, &app, NULL, 8);
  ASSERT_OK(decc_u256_parse(&big.u.dataset.datasetprice, "9007199254740992"));
  uint8_t sk1[32];
  key(sk1, 1);
  ASSERT_OK(decc_order_sign(&big, sk1, f.domain, 0));
  ASSERT_EQ(decc_market_publish(f.m, &big, NULL, NULL, &err), DECC_E_INVALID);
  decc_market_close(f.m);
}

TEST(open_order_limit_per_signer) {
  fixture f;
  ASSERT(setup(&f));
  decc_err err;
  for (int i = 0; i < DECC_MARKET_MAX_OPEN_PER_SIGNER; i++) {
    decc_order o = dataset_order(&f, 1, 1, 1, NULL, NULL, 100 + i);
    ASSERT_OK(decc_market_publish(f.m, &o, NULL, NULL, &err));
  }
  decc_order o = dataset_order(&f, 1, 1, 1, NULL, NULL, 1);
  ASSERT_EQ(decc_market_publish(f.m, &o, NULL, NULL, &err), DECC_E_LIMIT);
  decc_market_close(f.m);
}

TEST(restriction_filter_semantics) {
  fixture f;
  ASSERT(setup(&f));
  decc_address app = res_addr(9), app2 = res_addr(10), user = addr_of(5);
  decc_order o1 = dataset_order(&f, 1, 3, 5, &app, NULL, 1);   /* app only */
  decc_order o2 = dataset_order(&f, 1, 1, 5, NULL, NULL, 2);   /* anyone */
  decc_order o3 = dataset_order(&f, 1, 2, 5, &app2, &user, 3); /* app2+user */
  ASSERT_OK(decc_market_publish(f.m, &o1, NULL, NULL, NULL));
  ASSERT_OK(decc_market_publish(f.m, &o2, NULL, NULL, NULL));
  ASSERT_OK(decc_market_publish(f.m, &o3, NULL, NULL, NULL));
  decc_market_filter flt;
  decc_market_filter_init(&flt);
  /* dataset required */
  char *js = NULL;
  ASSERT_EQ(decc_market_query(f.m, DECC_ORDER_DATASET, &flt, &js, NULL),
            DECC_E_INVALID);
  flt.has_resource = 1;
  flt.resource = res_addr(1);
  /* everything omitted: only orders with every restriction = 0 */
  json_t *j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 1);
  json_decref(j);
  /* app any, requester any: all three, sorted by price */
  flt.app.mode = DECC_MF_ANY;
  flt.requester.mode = DECC_MF_ANY;
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 3);
  json_t *orders = json_object_get(j, "orders");
  const char *p0 = json_string_value(json_object_get(
      json_object_get(json_array_get(orders, 0), "order"), "datasetprice"));
  const char *p2 = json_string_value(json_object_get(
      json_object_get(json_array_get(orders, 2), "order"), "datasetprice"));
  ASSERT_STR_EQ(p0, "1");
  ASSERT_STR_EQ(p2, "3");
  json_decref(j);
  /* app given (not strict): restrict ∈ {0, app} */
  flt.app.mode = DECC_MF_VALUE;
  flt.app.addr = app;
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 2);
  json_decref(j);
  /* strict: exactly app */
  flt.app.strict = 1;
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 1);
  json_decref(j);
  /* app2 + user given, requester omitted → o3 excluded (its requester ≠ 0) */
  flt.app.addr = app2;
  flt.requester.mode = DECC_MF_OMITTED;
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 0);
  json_decref(j);
  flt.requester.mode = DECC_MF_VALUE;
  flt.requester.addr = user;
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 1);
  json_decref(j);
  /* owner filter instead of resource */
  decc_market_filter_init(&flt);
  flt.has_owner = 1;
  flt.owner = addr_of(1);
  flt.app.mode = flt.requester.mode = DECC_MF_ANY;
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 3);
  json_decref(j);
  decc_market_close(f.m);
}

TEST(tag_volume_bulk_and_pagination) {
  fixture f;
  ASSERT(setup(&f));
  for (int i = 0; i < 25; i++) {
    decc_order o = dataset_order(&f, 1, (uint64_t)(25 - i), (uint64_t)(i + 1),
                                 NULL, NULL, i);
    if (i == 0) { /* a tee-only order and a bulk order */
      decc_tag_from_bits(o.u.dataset.tag, 0x1);
      uint8_t sk[32];
      key(sk, 1);
      ASSERT_OK(decc_order_sign(&o, sk, f.domain, 0));
    }
    ASSERT_OK(decc_market_publish(f.m, &o, NULL, NULL, NULL));
  }
  decc_order bulk =
      dataset_order(&f, 1, 0, DECC_MARKET_MAX_SAFE_INT, NULL, NULL, 99);
  ASSERT_OK(decc_market_publish(f.m, &bulk, NULL, NULL, NULL));
  decc_market_filter flt;
  decc_market_filter_init(&flt);
  flt.has_resource = 1;
  flt.resource = res_addr(1);
  json_t *j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 26);
  ASSERT_EQ(json_array_size(json_object_get(j, "orders")), 20);
  ASSERT_EQ(json_integer_value(json_object_get(j, "nextPage")), 1);
  json_decref(j);
  flt.page_index = 1;
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(json_array_size(json_object_get(j, "orders")), 6);
  ASSERT(json_object_get(j, "nextPage") == NULL);
  json_decref(j);
  flt.page_index = 0;
  flt.page_size = 5;
  char *js;
  ASSERT_EQ(decc_market_query(f.m, DECC_ORDER_DATASET, &flt, &js, NULL),
            DECC_E_INVALID);
  flt.page_size = 0;
  /* minTag tee+tdx excludes the tee-only order; maxTag tee excludes the others */
  flt.has_min_tag = 1;
  decc_tag_from_bits(flt.min_tag, 0x9);
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 25);
  json_decref(j);
  flt.has_min_tag = 0;
  flt.has_max_tag = 1;
  decc_tag_from_bits(flt.max_tag, 0x1);
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 1);
  json_decref(j);
  flt.has_max_tag = 0;
  flt.min_volume = 20;
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 7); /* volumes 20..25 and the bulk order */
  json_decref(j);
  flt.min_volume = 0;
  flt.bulk_only = 1;
  j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 1);
  json_decref(j);
  decc_market_close(f.m);
}

TEST(workerpool_and_request_filters) {
  fixture f;
  ASSERT(setup(&f));
  for (int trust = 0; trust < 3; trust++) {
    decc_order o;
    ASSERT_OK(decc_order_init(&o, DECC_ORDER_WORKERPOOL));
    o.u.workerpool.workerpool = res_addr(2);
    o.u.workerpool.workerpoolprice = decc_u256_from_u64(10);
    o.u.workerpool.volume = decc_u256_from_u64(1);
    o.u.workerpool.category = decc_u256_from_u64((uint64_t)trust % 2);
    o.u.workerpool.trust = decc_u256_from_u64((uint64_t)trust);
    o.u.workerpool.salt[0] = (uint8_t)trust;
    uint8_t sk[32];
    key(sk, 2);
    ASSERT_OK(decc_order_sign(&o, sk, f.domain, 0));
    ASSERT_OK(decc_market_publish(f.m, &o, NULL, NULL, NULL));
  }
  decc_market_filter flt;
  decc_market_filter_init(&flt);
  char *js;
  ASSERT_EQ(decc_market_query(f.m, DECC_ORDER_WORKERPOOL, &flt, &js, NULL),
            DECC_E_INVALID); /* category required */
  flt.has_category = 1;
  flt.category = 0;
  json_t *j = query(&f, DECC_ORDER_WORKERPOOL, &flt);
  ASSERT_EQ(count_of(j), 2); /* trust 0 and 2 are category 0 */
  json_decref(j);
  flt.has_min_trust = 1;
  flt.min_trust = 1;
  j = query(&f, DECC_ORDER_WORKERPOOL, &flt);
  ASSERT_EQ(count_of(j), 1);
  json_decref(j);

  /* request orders: requester signs; app exact; workerpool restriction */
  decc_order r;
  ASSERT_OK(decc_order_init(&r, DECC_ORDER_REQUEST));
  r.u.request.app = res_addr(1);
  r.u.request.requester = addr_of(5);
  r.u.request.beneficiary = addr_of(5);
  r.u.request.volume = decc_u256_from_u64(2);
  r.u.request.appmaxprice = decc_u256_from_u64(3);
  r.u.request.workerpoolmaxprice = decc_u256_from_u64(4);
  decc_free(r.u.request.params);
  r.u.request.params = decc_strdup("{\"iexec_args\":\"x\"}");
  uint8_t sk5[32];
  key(sk5, 5);
  ASSERT_OK(decc_order_sign(&r, sk5, f.domain, 0));
  ASSERT_OK(decc_market_publish(f.m, &r, NULL, NULL, NULL));
  decc_order_clear(&r);
  decc_market_filter_init(&flt);
  flt.has_category = 1;
  j = query(&f, DECC_ORDER_REQUEST, &flt);
  ASSERT_EQ(count_of(j), 1);
  json_decref(j);
  flt.app.mode = DECC_MF_VALUE;
  flt.app.addr = res_addr(2);
  j = query(&f, DECC_ORDER_REQUEST, &flt);
  ASSERT_EQ(count_of(j), 0);
  json_decref(j);
  flt.app.addr = res_addr(1);
  flt.has_beneficiary = 1;
  flt.beneficiary = addr_of(5);
  j = query(&f, DECC_ORDER_REQUEST, &flt);
  ASSERT_EQ(count_of(j), 1);
  json_decref(j);
  decc_market_close(f.m);
}

TEST(events_unpublish_and_dead_orders) {
  fixture f;
  ASSERT(setup(&f));
  decc_order o1 = dataset_order(&f, 1, 1, 3, NULL, NULL, 1);
  decc_order o2 = dataset_order(&f, 1, 2, 3, NULL, NULL, 2);
  decc_order o3 = dataset_order(&f, 1, 3, 3, NULL, NULL, 3);
  ASSERT_OK(decc_market_publish(f.m, &o1, NULL, NULL, NULL));
  ASSERT_OK(decc_market_publish(f.m, &o2, NULL, NULL, NULL));
  ASSERT_OK(decc_market_publish(f.m, &o3, NULL, NULL, NULL));
  uint8_t h1[32], h2[32], h3[32], zero[32] = {0};
  decc_order_hash(h1, &o1, f.domain);
  decc_order_hash(h2, &o2, f.domain);
  decc_order_hash(h3, &o3, f.domain);
  decc_u256 two = decc_u256_from_u64(2), one = decc_u256_from_u64(1);
  /* the chain now says 2 of o1's 3 were consumed */
  memcpy(f.w.ch[0], h1, 32);
  f.w.cv[0] = 2;
  f.w.nc = 1;
  ASSERT_OK(decc_market_on_matched(f.m, zero, h1, zero, zero, &two));
  /* the same event seen again (a second watcher) does not count twice */
  ASSERT_OK(decc_market_on_matched(f.m, zero, h1, zero, zero, &two));
  char *js;
  ASSERT_OK(decc_market_get(f.m, DECC_ORDER_DATASET, h1, &js, NULL));
  json_t *j = json_loads(js, 0, NULL);
  decc_free(js);
  ASSERT_EQ(json_integer_value(json_object_get(j, "remaining")), 1);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "status")), "open");
  json_decref(j);
  f.w.cv[0] = 3;
  ASSERT_OK(decc_market_on_matched(f.m, zero, h1, zero, zero, &one));
  ASSERT_OK(decc_market_get(f.m, DECC_ORDER_DATASET, h1, &js, NULL));
  j = json_loads(js, 0, NULL);
  decc_free(js);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "status")), "filled");
  json_decref(j);
  ASSERT_OK(decc_market_on_closed(f.m, h2));
  ASSERT_OK(decc_market_get(f.m, DECC_ORDER_DATASET, h2, &js, NULL));
  j = json_loads(js, 0, NULL);
  decc_free(js);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "status")), "canceled");
  json_decref(j);
  /* the stored order round-trips */
  decc_order back;
  ASSERT_OK(decc_market_get_order(f.m, DECC_ORDER_DATASET, h3, &back, NULL));
  uint8_t hb[32];
  decc_order_hash(hb, &back, f.domain);
  ASSERT_MEM_EQ(hb, h3, 32);
  ASSERT_EQ(back.sign_len, 65);
  decc_order_clear(&back);
  /* transfer of the dataset → the remaining open order is dead */
  f.w.owner[0] = addr_of(4);
  size_t changed = 0;
  ASSERT_OK(decc_market_refresh(f.m, &changed));
  ASSERT_EQ(changed, 1);
  ASSERT_OK(decc_market_get(f.m, DECC_ORDER_DATASET, h3, &js, NULL));
  j = json_loads(js, 0, NULL);
  decc_free(js);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "status")), "dead");
  json_decref(j);
  /* unpublish: only the signer; unknown hash */
  f.w.owner[0] = addr_of(1);
  decc_order o4 = dataset_order(&f, 1, 4, 3, NULL, NULL, 4);
  decc_order o5 = dataset_order(&f, 1, 5, 3, NULL, NULL, 5);
  ASSERT_OK(decc_market_publish(f.m, &o4, NULL, NULL, NULL));
  ASSERT_OK(decc_market_publish(f.m, &o5, NULL, NULL, NULL));
  uint8_t h4[32];
  decc_order_hash(h4, &o4, f.domain);
  decc_address stranger = addr_of(3), owner = addr_of(1);
  ASSERT_EQ(decc_market_unpublish(f.m, DECC_ORDER_DATASET, h4, &stranger, NULL),
            DECC_E_DENIED);
  ASSERT_OK(decc_market_unpublish(f.m, DECC_ORDER_DATASET, h4, &owner, NULL));
  ASSERT_EQ(decc_market_unpublish(f.m, DECC_ORDER_DATASET, h4, &owner, NULL),
            DECC_E_NOT_FOUND);
  decc_address ds = res_addr(1);
  char *hashes = NULL;
  ASSERT_OK(decc_market_unpublish_by(f.m, DECC_ORDER_DATASET, &ds, &owner, 0,
                                     &hashes, NULL));
  j = json_loads(hashes, 0, NULL);
  decc_free(hashes);
  ASSERT_EQ(json_array_size(j), 1);
  json_decref(j);
  ASSERT_EQ(decc_market_unpublish_by(f.m, DECC_ORDER_DATASET, &ds, &owner, 1,
                                     NULL, NULL),
            DECC_E_NOT_FOUND);
  decc_market_close(f.m);
}

TEST(persistence_across_reopen) {
  fixture f;
  ASSERT(setup(&f));
  decc_market_close(f.m);
  char path[600];
  snprintf(path, sizeof path, "%s/market.sqlite", decc_test_tmpdir());
  decc_market_world mw = {&f.w, w_owner, w_consumed, w_now};
  ASSERT_OK(decc_market_open(&f.m, path, 31337, &f.hub, &mw, NULL));
  decc_order o = dataset_order(&f, 1, 1, 3, NULL, NULL, 1);
  ASSERT_OK(decc_market_publish(f.m, &o, NULL, NULL, NULL));
  decc_market_close(f.m);
  ASSERT_OK(decc_market_open(&f.m, path, 31337, &f.hub, &mw, NULL));
  decc_market_filter flt;
  decc_market_filter_init(&flt);
  flt.has_resource = 1;
  flt.resource = res_addr(1);
  json_t *j = query(&f, DECC_ORDER_DATASET, &flt);
  ASSERT_EQ(count_of(j), 1);
  json_decref(j);
  decc_market_close(f.m);
  decc_err err;
  ASSERT_EQ(decc_market_open(&f.m, "/nonexistent-dir/x/market.sqlite", 1,
                             &f.hub, &mw, &err),
            DECC_E_IO);
}
