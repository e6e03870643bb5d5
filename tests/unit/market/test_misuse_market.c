/*
 * test_misuse_market.c — the entry checks of market.h's and
 * market_client.h's public functions: a NULL handle or required pointer
 * (or, for the client, an order type outside the four) is reported to the
 * misuse handler by the function called, which returns its documented
 * failure value (DECC_E_INVALID, "" or 0) without crashing, without
 * touching its outputs and without reaching the backend; the documented
 * NULLs (no world, no authenticated address or caller, no outputs, no err,
 * NULL hashes of a match, NULL handles to close) are not reported and
 * still work on a real in-memory orderbook.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/market.h"
#include "decc/market_client.h"
#include "decc/mem.h"
#include "misuse_check.h"

/* The chain as the orderbook sees it: dataset 0xaa…01 owned by key 1. */
static decc_address g_res;
static decc_address g_owner;
static uint64_t g_consumed; /* what viewConsumed answers for any order */

static decc_status w_owner(void *ctx, decc_order_type t, const decc_address *r,
                           decc_address *o) {
  (void)ctx, (void)t;
  if (!decc_address_eq(r, &g_res))
    return DECC_E_NOT_FOUND;
  *o = g_owner;
  return DECC_OK;
}

static decc_status w_consumed(void *ctx, const uint8_t h[32], decc_u256 *c) {
  (void)ctx, (void)h;
  *c = decc_u256_from_u64(g_consumed);
  return DECC_OK;
}

TEST(misuse_market) {
  MISUSE_BEGIN();
  uint8_t sk[32] = {0};
  sk[31] = 1;
  ASSERT_OK(decc_address_from_privkey(&g_owner, sk));
  memset(g_res.b, 0, 20);
  g_res.b[0] = 0xaa;
  g_res.b[19] = 1;
  decc_address hub;
  memset(hub.b, 0x42, 20);
  decc_market_world mw = {NULL, w_owner, w_consumed, NULL};

  decc_market_filter flt;
  EXPECT_MISUSE_VOID(decc_market_filter_init, NULL);
  memset(&flt, 0x5a, sizeof flt);
  EXPECT_NO_MISUSE(decc_market_filter_init(&flt));
  ASSERT_EQ(flt.page_size, 0);

  decc_market *m = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_open, NULL, ":memory:", 31337, &hub,
                &mw, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_open, &m, NULL, 31337, &hub, &mw,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_open, &m, ":memory:", 31337, NULL,
                &mw, NULL);
  ASSERT(m == NULL);
  /* no world is permitted (no chain knowledge) */
  EXPECT_OK_NO_MISUSE(
      decc_market_open(&m, ":memory:", 31337, &hub, NULL, NULL));
  EXPECT_NO_MISUSE(decc_market_close(m));
  EXPECT_NO_MISUSE(decc_market_close(NULL));
  m = NULL;
  EXPECT_OK_NO_MISUSE(decc_market_open(&m, ":memory:", 31337, &hub, &mw, NULL));

  uint8_t domain[32];
  decc_poco_domain_separator(domain, 31337, &hub);
  decc_order o;
  ASSERT_OK(decc_order_init(&o, DECC_ORDER_DATASET));
  o.u.dataset.dataset = g_res;
  o.u.dataset.volume = decc_u256_from_u64(5);
  ASSERT_OK(decc_order_sign(&o, sk, domain, 0));
  uint8_t h[32];
  decc_order_hash(h, &o, domain);

  char *const SENTINEL = (char *)"untouched";
  char *js = SENTINEL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_publish, NULL, &o, NULL, &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_publish, m, NULL, NULL, &js, NULL);
  ASSERT(js == SENTINEL);
  /* no authenticated address, no output, no err: permitted */
  EXPECT_OK_NO_MISUSE(decc_market_publish(m, &o, NULL, NULL, NULL));

  EXPECT_MISUSE(DECC_E_INVALID, decc_market_get, NULL, DECC_ORDER_DATASET, h,
                &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_get, m, DECC_ORDER_DATASET, NULL,
                &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_get, m, DECC_ORDER_DATASET, h, NULL,
                NULL);
  ASSERT(js == SENTINEL);
  js = NULL;
  EXPECT_OK_NO_MISUSE(decc_market_get(m, DECC_ORDER_DATASET, h, &js, NULL));
  ASSERT(js != NULL && strstr(js, "\"remaining\":5") != NULL);
  decc_free(js);

  decc_order back;
  memset(&back, 0, sizeof back);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_get_order, NULL, DECC_ORDER_DATASET,
                h, &back, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_get_order, m, DECC_ORDER_DATASET,
                NULL, &back, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_get_order, m, DECC_ORDER_DATASET, h,
                NULL, NULL);
  EXPECT_OK_NO_MISUSE(
      decc_market_get_order(m, DECC_ORDER_DATASET, h, &back, NULL));
  ASSERT(decc_address_eq(&back.u.dataset.dataset, &g_res));

  decc_market_filter_init(&flt);
  flt.has_resource = 1;
  flt.resource = g_res;
  js = SENTINEL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_query, NULL, DECC_ORDER_DATASET,
                &flt, &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_query, m, DECC_ORDER_DATASET, NULL,
                &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_query, m, DECC_ORDER_DATASET, &flt,
                NULL, NULL);
  ASSERT(js == SENTINEL);
  js = NULL;
  EXPECT_OK_NO_MISUSE(
      decc_market_query(m, DECC_ORDER_DATASET, &flt, &js, NULL));
  ASSERT(js != NULL && strstr(js, "\"count\":1") != NULL);
  decc_free(js);

  /* a match: the hashes may be NULL, the volume may not */
  decc_u256 two = decc_u256_from_u64(2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_on_matched, NULL, NULL, h, NULL,
                NULL, &two);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_on_matched, m, NULL, h, NULL, NULL,
                NULL);
  g_consumed = 2;
  EXPECT_OK_NO_MISUSE(decc_market_on_matched(m, NULL, h, NULL, NULL, &two));
  js = NULL;
  ASSERT_OK(decc_market_get(m, DECC_ORDER_DATASET, h, &js, NULL));
  ASSERT(strstr(js, "\"remaining\":3") != NULL);
  decc_free(js);

  size_t changed = 99;
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_refresh, NULL, &changed);
  ASSERT_EQ(changed, 99);
  EXPECT_OK_NO_MISUSE(decc_market_refresh(m, NULL));
  EXPECT_OK_NO_MISUSE(decc_market_refresh(m, &changed));

  EXPECT_MISUSE(DECC_E_INVALID, decc_market_set_expiry, NULL, h, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_set_expiry, m, NULL, 10);
  /* expires 0 is a refused value, not a misuse */
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_market_set_expiry(m, h, 0), DECC_E_INVALID));
  EXPECT_OK_NO_MISUSE(decc_market_set_expiry(m, h, 4000000000u));

  EXPECT_MISUSE(DECC_E_INVALID, decc_market_unpublish, NULL, DECC_ORDER_DATASET,
                h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_unpublish, m, DECC_ORDER_DATASET,
                NULL, NULL, NULL);
  js = SENTINEL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_unpublish_by, NULL,
                DECC_ORDER_DATASET, &g_res, &g_owner, 0, &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_unpublish_by, m, DECC_ORDER_DATASET,
                NULL, &g_owner, 0, &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_unpublish_by, m, DECC_ORDER_DATASET,
                &g_res, NULL, 0, &js, NULL);
  ASSERT(js == SENTINEL);
  /* the refused calls left the order in place: no caller means anyone */
  EXPECT_OK_NO_MISUSE(
      decc_market_unpublish(m, DECC_ORDER_DATASET, h, NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_market_publish(m, &o, &g_owner, NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_market_unpublish_by(m, DECC_ORDER_DATASET, &g_res,
                                               &g_owner, 1, NULL, NULL));

  EXPECT_MISUSE(DECC_E_INVALID, decc_market_on_closed, NULL, h);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_on_closed, m, NULL);
  EXPECT_OK_NO_MISUSE(decc_market_on_closed(m, h));
  decc_market_close(m);
}

/* ---- market_client.h: a recording backend ------------------------------- */

typedef struct {
  int calls;
  int destroyed;
} rec;

static decc_status r_publish(void *self, const decc_order *o,
                             const uint8_t sk32[32], char **pj, decc_err *err) {
  (void)o, (void)sk32, (void)err;
  ((rec *)self)->calls++;
  if (pj)
    *pj = NULL;
  return DECC_OK;
}
static decc_status r_query(void *self, decc_order_type t,
                           const decc_market_filter *f, char **json,
                           decc_err *err) {
  (void)t, (void)f, (void)err;
  ((rec *)self)->calls++;
  *json = NULL;
  return DECC_OK;
}
static decc_status r_get(void *self, decc_order_type t, const uint8_t h[32],
                         char **json, decc_err *err) {
  (void)t, (void)h, (void)err;
  ((rec *)self)->calls++;
  *json = NULL;
  return DECC_OK;
}
static decc_status r_refresh(void *self, decc_err *err) {
  (void)err;
  ((rec *)self)->calls++;
  return DECC_OK;
}
static decc_status r_closed(void *self, const uint8_t h[32], decc_err *err) {
  (void)h, (void)err;
  ((rec *)self)->calls++;
  return DECC_OK;
}
static void r_destroy(void *self) { ((rec *)self)->destroyed++; }

static const decc_market_client_vtable REC_VT = {
    "rec",     DECC_MARKET_CLIENT_ALL_STATUS,
    r_publish, r_query,
    r_get,     r_refresh,
    r_closed,  r_destroy};

TEST(misuse_market_client) {
  MISUSE_BEGIN();
  decc_market_world w;
  decc_market_chain_world src;
  memset(&src, 0, sizeof src);
  EXPECT_MISUSE_VOID(decc_market_world_over_chain, NULL, &src);
  memset(&w, 0, sizeof w);
  EXPECT_MISUSE_VOID(decc_market_world_over_chain, &w, NULL);
  ASSERT(w.owner_of == NULL);
  EXPECT_NO_MISUSE(decc_market_world_over_chain(&w, &src));
  ASSERT(w.ctx == &src && w.owner_of != NULL && w.consumed != NULL);

  /* create takes self even when refused */
  rec r = {0, 0};
  decc_market_client *c = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_create, NULL, &REC_VT, &r);
  ASSERT_EQ(r.destroyed, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_create, &c, NULL, &r);
  ASSERT(c == NULL);
  r.destroyed = 0;
  EXPECT_OK_NO_MISUSE(decc_market_client_create(&c, &REC_VT, &r));

  decc_market_client *o2 = (decc_market_client *)&r;
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_open_http, NULL,
                "http://127.0.0.1:1", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_open_http, &o2, NULL, 1,
                NULL);
  ASSERT(o2 == (decc_market_client *)&r);
  /* a bad URL is outside input: refused, not a misuse */
  EXPECT_NO_MISUSE(ASSERT_EQ(
      decc_market_client_open_http(&o2, "file:///x", 1, NULL), DECC_E_INVALID));
  ASSERT(o2 == NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_open_local, NULL,
                (decc_market *)&r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_open_local, &o2, NULL, NULL);

  int before = g_misuse.calls;
  ASSERT_STR_EQ(decc_market_client_backend(NULL), "");
  ASSERT_EQ(g_misuse.calls, before + 1);
  ASSERT_STR_EQ(g_misuse.func, "decc_market_client_backend");
  EXPECT_MISUSE(0, decc_market_client_caps, NULL);
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_market_client_backend(c), "rec"));
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_market_client_caps(c), DECC_MARKET_CLIENT_ALL_STATUS));

  decc_order ord;
  ASSERT_OK(decc_order_init(&ord, DECC_ORDER_APP));
  uint8_t sk[32] = {0}, h[32] = {0};
  sk[31] = 1;
  char *const SENTINEL = (char *)"untouched";
  char *js = SENTINEL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_publish, NULL, &ord, sk, &js,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_publish, c, NULL, sk, &js,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_publish, c, &ord, NULL, &js,
                NULL);

  decc_market_filter flt;
  decc_market_filter_init(&flt);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_query, NULL, DECC_ORDER_APP,
                &flt, &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_query, c, (decc_order_type)7,
                &flt, &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_query, c, DECC_ORDER_APP,
                NULL, &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_query, c, DECC_ORDER_APP,
                &flt, NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_get, NULL, DECC_ORDER_APP, h,
                &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_get, c, (decc_order_type)-1,
                h, &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_get, c, DECC_ORDER_APP, NULL,
                &js, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_get, c, DECC_ORDER_APP, h,
                NULL, NULL);
  ASSERT(js == SENTINEL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_refresh, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_closed, NULL, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_market_client_closed, c, NULL, NULL);
  /* none of the refused calls reached the backend */
  ASSERT_EQ(r.calls, 0);

  /* the permitted NULLs: no published_json, no err */
  EXPECT_OK_NO_MISUSE(decc_market_client_publish(c, &ord, sk, NULL, NULL));
  EXPECT_OK_NO_MISUSE(
      decc_market_client_query(c, DECC_ORDER_REQUEST, &flt, &js, NULL));
  EXPECT_OK_NO_MISUSE(decc_market_client_get(c, DECC_ORDER_APP, h, &js, NULL));
  EXPECT_OK_NO_MISUSE(decc_market_client_refresh(c, NULL));
  EXPECT_OK_NO_MISUSE(decc_market_client_closed(c, h, NULL));
  ASSERT_EQ(r.calls, 5);

  EXPECT_NO_MISUSE(decc_market_client_destroy(c));
  ASSERT_EQ(r.destroyed, 1);
  EXPECT_NO_MISUSE(decc_market_client_destroy(NULL));

  /* the local backend over a real orderbook */
  decc_address hub;
  memset(hub.b, 0x42, 20);
  decc_market *m = NULL;
  ASSERT_OK(decc_market_open(&m, ":memory:", 1, &hub, NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_market_client_open_local(&c, m, NULL));
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_market_client_backend(c), "local"));
  EXPECT_OK_NO_MISUSE(decc_market_client_refresh(c, NULL));
  decc_market_client_destroy(c);
  decc_market_close(m);
}
