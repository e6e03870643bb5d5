/*
 * test_market_pagecache.c — the orderbook's page cache (market.c) is exact:
 * a file-backed book, whose list answers are cached, answers byte for byte
 * like an in-memory book (never cached) fed the same orders, after every
 * kind of change (publish, unpublish, a fill from a chain event, a publish
 * through another connection to the same file), for several pages, for
 * every status, and after more distinct queries than the cache keeps;
 * threads querying while another publishes never see the book go back.
 */
#include <pthread.h>
#include <stdlib.h>

#include <jansson.h>

#include "decc/market.h"
#include "decc/mem.h"
#include "test.h"

typedef struct world {
  decc_address owner;
  uint64_t now;
  pthread_mutex_t mu;
  uint8_t filled[32]; /* the one order reported consumed, when set */
  int has_filled;
} world;

static decc_status w_owner(void *ctx, decc_order_type t, const decc_address *r,
                           decc_address *o) {
  (void)t;
  (void)r;
  *o = ((world *)ctx)->owner;
  return DECC_OK;
}

static decc_status w_consumed(void *ctx, const uint8_t h[32], decc_u256 *c) {
  world *w = ctx;
  *c = decc_u256_from_u64(w->has_filled && !memcmp(h, w->filled, 32) ? 3 : 0);
  return DECC_OK;
}

/* Both books get the same publication times: one tick per publish. */
static uint64_t w_now(void *ctx) {
  world *w = ctx;
  pthread_mutex_lock(&w->mu);
  uint64_t t = w->now;
  pthread_mutex_unlock(&w->mu);
  return t;
}

static const uint8_t SK[32] = {[31] = 9};

static decc_address pool_addr(int k) {
  decc_address a;
  memset(a.b, 0xb5, 20);
  a.b[19] = (uint8_t)k;
  return a;
}

/* A signed workerpool order of pool salt % 4, category salt % 3, price
 * salt * 37 % 11, volume 3. */
static decc_order order_n(const uint8_t domain[32], int salt) {
  decc_order o;
  if (decc_order_init(&o, DECC_ORDER_WORKERPOOL) != DECC_OK)
    abort();
  o.u.workerpool.workerpool = pool_addr(salt % 4);
  o.u.workerpool.workerpoolprice =
      decc_u256_from_u64((uint64_t)(salt * 37 % 11));
  o.u.workerpool.volume = decc_u256_from_u64(3);
  o.u.workerpool.category = decc_u256_from_u64((uint64_t)(salt % 3));
  o.u.workerpool.salt[30] = (uint8_t)(salt >> 8);
  o.u.workerpool.salt[31] = (uint8_t)salt;
  if (decc_order_sign(&o, SK, domain, 0) != DECC_OK)
    abort();
  return o;
}

typedef struct books {
  world w;
  decc_market *file, *mem;
  decc_address hub;
  uint8_t domain[32];
  char path[600];
} books;

static int open_books(books *b, const char *name) {
  memset(b, 0, sizeof *b);
  memset(b->hub.b, 0x42, 20);
  decc_poco_domain_separator(b->domain, 31337, &b->hub);
  if (decc_address_from_privkey(&b->w.owner, SK) != DECC_OK)
    return 0;
  b->w.now = 1700000000;
  pthread_mutex_init(&b->w.mu, NULL);
  snprintf(b->path, sizeof b->path, "%s/%s.sqlite", decc_test_tmpdir(), name);
  decc_market_world mw = {&b->w, w_owner, w_consumed, w_now};
  return decc_market_open(&b->file, b->path, 31337, &b->hub, &mw, NULL) ==
             DECC_OK &&
         decc_market_open(&b->mem, ":memory:", 31337, &b->hub, &mw, NULL) ==
             DECC_OK;
}

static void close_books(books *b) {
  decc_market_close(b->file);
  decc_market_close(b->mem);
  pthread_mutex_destroy(&b->w.mu);
}

/* Publishes order `salt` into both books (or into `via` and the in-memory
 * book), one second after the previous one. */
static int publish(books *b, decc_market *via, int salt) {
  pthread_mutex_lock(&b->w.mu);
  b->w.now++;
  pthread_mutex_unlock(&b->w.mu);
  decc_order o = order_n(b->domain, salt);
  int ok = decc_market_publish(via ? via : b->file, &o, NULL, NULL, NULL) ==
               DECC_OK &&
           decc_market_publish(b->mem, &o, NULL, NULL, NULL) == DECC_OK;
  decc_order_clear(&o);
  return ok;
}

/* The filters the checks go through: a category page (2 pages), one pool
 * in a category, every status. */
static void filters(decc_market_filter f[4]) {
  for (int i = 0; i < 4; i++) {
    decc_market_filter_init(&f[i]);
    f[i].app.mode = f[i].dataset.mode = f[i].requester.mode = DECC_MF_ANY;
    f[i].has_category = 1;
    f[i].category = 1;
    f[i].page_size = 10;
  }
  f[1].page_index = 1;
  f[2].has_resource = 1;
  f[2].resource = pool_addr(1);
  f[3].include_all_status = 1;
}

/* Every filter answers the same bytes from the file book (asked twice:
 * computed, then from the cache) as from the in-memory book. Returns the
 * number of mismatches. */
static int same_answers(books *b) {
  decc_market_filter f[4];
  filters(f);
  int bad = 0;
  for (int i = 0; i < 4; i++)
    for (int rep = 0; rep < 2; rep++) {
      char *a = NULL, *c = NULL;
      if (decc_market_query(b->file, DECC_ORDER_WORKERPOOL, &f[i], &a, NULL) !=
              DECC_OK ||
          decc_market_query(b->mem, DECC_ORDER_WORKERPOOL, &f[i], &c, NULL) !=
              DECC_OK ||
          strcmp(a, c) != 0) {
        printf("  filter %d, query %d: file %s\n  memory %s\n", i, rep,
               a ? a : "(error)", c ? c : "(error)");
        bad++;
      }
      decc_free(a);
      decc_free(c);
    }
  return bad;
}

static long count_of(decc_market *m, const decc_market_filter *f,
                     size_t *listed) {
  char *js = NULL;
  if (decc_market_query(m, DECC_ORDER_WORKERPOOL, f, &js, NULL) != DECC_OK)
    return -1;
  json_t *j = json_loads(js, 0, NULL);
  decc_free(js);
  long c = j ? (long)json_integer_value(json_object_get(j, "count")) : -1;
  if (listed)
    *listed = json_array_size(json_object_get(j, "orders"));
  json_decref(j);
  return c;
}

TEST(cached_answers_follow_every_change_of_the_book) {
  books b;
  ASSERT(open_books(&b, "pagecache1"));
  for (int i = 0; i < 40; i++)
    ASSERT(publish(&b, NULL, i));
  ASSERT_EQ(same_answers(&b), 0);
  decc_market_filter f[4];
  filters(f);
  long before = count_of(b.file, &f[0], NULL);
  ASSERT(before > 10); /* two pages */

  /* publish through this handle: in the category (salt 1 % 3 == 1) */
  ASSERT(publish(&b, NULL, 100));
  ASSERT_EQ(count_of(b.file, &f[0], NULL), before + 1);
  ASSERT_EQ(same_answers(&b), 0);

  /* unpublish */
  uint8_t h[32];
  decc_order o = order_n(b.domain, 100);
  decc_order_hash(h, &o, b.domain);
  decc_order_clear(&o);
  ASSERT_OK(
      decc_market_unpublish(b.file, DECC_ORDER_WORKERPOOL, h, NULL, NULL));
  ASSERT_OK(decc_market_unpublish(b.mem, DECC_ORDER_WORKERPOOL, h, NULL, NULL));
  ASSERT_EQ(count_of(b.file, &f[0], NULL), before);
  ASSERT_EQ(same_answers(&b), 0);

  /* a chain event consumes part of an order's volume */
  o = order_n(b.domain, 4);
  decc_order_hash(b.w.filled, &o, b.domain);
  decc_order_clear(&o);
  b.w.has_filled = 1;
  decc_u256 v = decc_u256_from_u64(2);
  ASSERT_OK(decc_market_on_matched(b.file, b.w.filled, NULL, NULL, NULL, &v));
  ASSERT_OK(decc_market_on_matched(b.mem, b.w.filled, NULL, NULL, NULL, &v));
  ASSERT_EQ(same_answers(&b), 0);

  /* a publish through another connection to the same file (another
   * process, here a second handle): the cache sees the commit too */
  long mid = count_of(b.file, &f[0], NULL);
  decc_market_world mw = {&b.w, w_owner, w_consumed, w_now};
  decc_market *other = NULL;
  ASSERT_OK(decc_market_open(&other, b.path, 31337, &b.hub, &mw, NULL));
  ASSERT(publish(&b, other, 103)); /* 103 % 3 == 1: in the category */
  decc_market_close(other);
  ASSERT_EQ(count_of(b.file, &f[0], NULL), mid + 1);
  ASSERT_EQ(same_answers(&b), 0);
  close_books(&b);
}

TEST(more_distinct_queries_than_the_cache_keeps_stay_exact) {
  books b;
  ASSERT(open_books(&b, "pagecache2"));
  for (int i = 0; i < 45; i++)
    ASSERT(publish(&b, NULL, i));
  /* 3 categories x 20 page sizes x 2 pages = 120 keys, twice over (the
   * second round evicts and recomputes), a publish half way */
  for (int round = 0; round < 2; round++) {
    for (int cat = 0; cat < 3; cat++)
      for (uint32_t ps = DECC_MARKET_PAGE_MIN; ps < DECC_MARKET_PAGE_MIN + 20;
           ps++)
        for (uint32_t pi = 0; pi < 2; pi++) {
          decc_market_filter f;
          decc_market_filter_init(&f);
          f.app.mode = f.dataset.mode = f.requester.mode = DECC_MF_ANY;
          f.has_category = 1;
          f.category = (uint64_t)cat;
          f.page_size = ps;
          f.page_index = pi;
          char *a = NULL, *c = NULL;
          ASSERT_OK(
              decc_market_query(b.file, DECC_ORDER_WORKERPOOL, &f, &a, NULL));
          ASSERT_OK(
              decc_market_query(b.mem, DECC_ORDER_WORKERPOOL, &f, &c, NULL));
          ASSERT_STR_EQ(a, c);
          decc_free(a);
          decc_free(c);
        }
    ASSERT(publish(&b, NULL, 1000 + round));
  }
  close_books(&b);
}

typedef struct qarg {
  decc_market *m;
  int done; /* set by the writer (atomic) */
  int bad;
  long last;
} qarg;

static void *querier(void *p) {
  qarg *a = p;
  decc_market_filter f[4];
  filters(f);
  f[0].page_size = 100; /* every open order of the category on one page */
  while (!__atomic_load_n(&a->done, __ATOMIC_ACQUIRE)) {
    size_t listed = 0;
    long c = count_of(a->m, &f[0], &listed);
    /* one snapshot (count = rows listed), and never older than an answer
     * this thread already saw */
    if (c < 0 || (size_t)c != listed || c < a->last)
      a->bad++;
    a->last = c;
  }
  return NULL;
}

TEST(concurrent_readers_never_see_the_book_go_back) {
  books b;
  ASSERT(open_books(&b, "pagecache3"));
  for (int i = 0; i < 6; i++)
    ASSERT(publish(&b, NULL, 3 * i + 1));
  enum { NT = 4 };
  qarg args[NT];
  pthread_t th[NT];
  for (int i = 0; i < NT; i++) {
    memset(&args[i], 0, sizeof args[i]);
    args[i].m = b.file;
    ASSERT_EQ(pthread_create(&th[i], NULL, querier, &args[i]), 0);
  }
  for (int i = 0; i < 40; i++)
    ASSERT(publish(&b, NULL, 3 * (i + 10) + 1)); /* category 1 */
  for (int i = 0; i < NT; i++)
    __atomic_store_n(&args[i].done, 1, __ATOMIC_RELEASE);
  int bad = 0;
  for (int i = 0; i < NT; i++) {
    pthread_join(th[i], NULL);
    bad += args[i].bad;
  }
  ASSERT_EQ(bad, 0);
  decc_market_filter f[4];
  filters(f);
  ASSERT_EQ(count_of(b.file, &f[0], NULL), 46);
  f[0].page_size = 100; /* the threads' query: its cached answer is current */
  size_t listed = 0;
  ASSERT_EQ(count_of(b.file, &f[0], &listed), 46);
  ASSERT_EQ(listed, 46);
  ASSERT_EQ(same_answers(&b), 0);
  close_books(&b);
}
