/*
 * test_market_readers.c — the orderbook's concurrent readers: a file-backed
 * book answers list queries on pooled read-only connections with the same
 * bytes as an in-memory book (read through the writer) and as jansson's
 * own dump of the response; cached counts follow every change of the book
 * (publish, unpublish, chain events); threads querying while another
 * publishes always see a page and a count taken from one snapshot.
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
  *c = decc_u256_from_u64(w->has_filled && !memcmp(h, w->filled, 32) ? 5 : 0);
  return DECC_OK;
}

static uint64_t w_now(void *ctx) {
  world *w = ctx;
  pthread_mutex_lock(&w->mu);
  uint64_t t = w->now++;
  pthread_mutex_unlock(&w->mu);
  return t;
}

static const uint8_t SK[32] = {[31] = 7};

static decc_address dataset_addr(void) {
  decc_address a;
  memset(a.b, 0xd5, 20);
  return a;
}

/* A signed dataset order of price `salt % 7`, volume 5. */
static decc_order order_n(const uint8_t domain[32], int salt) {
  decc_order o;
  if (decc_order_init(&o, DECC_ORDER_DATASET) != DECC_OK)
    abort();
  o.u.dataset.dataset = dataset_addr();
  o.u.dataset.datasetprice = decc_u256_from_u64((uint64_t)(salt % 7));
  o.u.dataset.volume = decc_u256_from_u64(5);
  o.u.dataset.salt[30] = (uint8_t)(salt >> 8);
  o.u.dataset.salt[31] = (uint8_t)salt;
  if (decc_order_sign(&o, SK, domain, 0) != DECC_OK)
    abort();
  return o;
}

static void filter(decc_market_filter *f, uint32_t page_size) {
  decc_market_filter_init(f);
  f->has_resource = 1;
  f->resource = dataset_addr();
  f->page_size = page_size;
}

/* count of a query, or -1 */
static long count_of(decc_market *m, const decc_market_filter *f) {
  char *js = NULL;
  if (decc_market_query(m, DECC_ORDER_DATASET, f, &js, NULL) != DECC_OK)
    return -1;
  json_t *j = json_loads(js, 0, NULL);
  decc_free(js);
  long c = j ? (long)json_integer_value(json_object_get(j, "count")) : -1;
  json_decref(j);
  return c;
}

typedef struct books {
  world wf, wm;
  decc_market *file, *mem;
  decc_address hub;
  uint8_t domain[32];
} books;

static int open_books(books *b, const char *name) {
  memset(b, 0, sizeof *b);
  memset(b->hub.b, 0x42, 20);
  decc_poco_domain_separator(b->domain, 31337, &b->hub);
  decc_address owner;
  if (decc_address_from_privkey(&owner, SK) != DECC_OK)
    return 0;
  world *ws[2] = {&b->wf, &b->wm};
  for (int i = 0; i < 2; i++) {
    ws[i]->owner = owner;
    ws[i]->now = 1700000000;
    pthread_mutex_init(&ws[i]->mu, NULL);
  }
  char path[600];
  snprintf(path, sizeof path, "%s/%s.sqlite", decc_test_tmpdir(), name);
  decc_market_world mf = {&b->wf, w_owner, w_consumed, w_now};
  decc_market_world mm = {&b->wm, w_owner, w_consumed, w_now};
  return decc_market_open(&b->file, path, 31337, &b->hub, &mf, NULL) ==
             DECC_OK &&
         decc_market_open(&b->mem, ":memory:", 31337, &b->hub, &mm, NULL) ==
             DECC_OK;
}

static void close_books(books *b) {
  decc_market_close(b->file);
  decc_market_close(b->mem);
  pthread_mutex_destroy(&b->wf.mu);
  pthread_mutex_destroy(&b->wm.mu);
}

TEST(file_book_reads_like_the_writer_and_counts_follow_changes) {
  books b;
  ASSERT(open_books(&b, "readers1"));
  uint8_t first_hash[32];
  for (int i = 0; i < 30; i++) {
    decc_order o = order_n(b.domain, i);
    if (i == 0)
      decc_order_hash(first_hash, &o, b.domain);
    ASSERT_OK(decc_market_publish(b.file, &o, NULL, NULL, NULL));
    ASSERT_OK(decc_market_publish(b.mem, &o, NULL, NULL, NULL));
    decc_order_clear(&o);
  }
  decc_market_filter f;
  for (uint32_t page = 0; page < 3; page++) {
    filter(&f, 10);
    f.page_index = page;
    char *a = NULL, *c = NULL;
    ASSERT_OK(decc_market_query(b.file, DECC_ORDER_DATASET, &f, &a, NULL));
    ASSERT_OK(decc_market_query(b.mem, DECC_ORDER_DATASET, &f, &c, NULL));
    ASSERT_STR_EQ(a, c);
    /* the response is what jansson itself would write */
    json_t *j = json_loads(a, 0, NULL);
    ASSERT(j != NULL);
    ASSERT_EQ(json_array_size(json_object_get(j, "orders")), 10);
    char *re = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    ASSERT_STR_EQ(re, a);
    free(re);
    json_decref(j);
    decc_free(a);
    decc_free(c);
  }
  filter(&f, 10);
  ASSERT_EQ(count_of(b.file, &f), 30);
  ASSERT_EQ(count_of(b.file, &f), 30); /* from the reader's cache */
  decc_order o = order_n(b.domain, 100);
  ASSERT_OK(decc_market_publish(b.file, &o, NULL, NULL, NULL));
  decc_order_clear(&o);
  ASSERT_EQ(count_of(b.file, &f), 31);
  ASSERT_OK(decc_market_unpublish(b.file, DECC_ORDER_DATASET, first_hash, NULL,
                                  NULL));
  ASSERT_EQ(count_of(b.file, &f), 30);
  /* a chain event fills an order: it leaves the open orders */
  o = order_n(b.domain, 1);
  decc_order_hash(b.wf.filled, &o, b.domain);
  decc_order_clear(&o);
  b.wf.has_filled = 1;
  decc_u256 v = decc_u256_from_u64(5);
  ASSERT_OK(decc_market_on_matched(b.file, b.wf.filled, NULL, NULL, NULL, &v));
  ASSERT_EQ(count_of(b.file, &f), 29);
  /* a change made through another connection to the same file (another
   * process, here a second handle) is seen too */
  char path[600];
  snprintf(path, sizeof path, "%s/readers1.sqlite", decc_test_tmpdir());
  decc_market_world mw = {&b.wf, w_owner, w_consumed, w_now};
  decc_market *other = NULL;
  ASSERT_OK(decc_market_open(&other, path, 31337, &b.hub, &mw, NULL));
  o = order_n(b.domain, 101);
  ASSERT_OK(decc_market_publish(other, &o, NULL, NULL, NULL));
  decc_order_clear(&o);
  decc_market_close(other);
  ASSERT_EQ(count_of(b.file, &f), 30);
  /* get by hash goes through a reader as well */
  char *rec = NULL;
  ASSERT_EQ(decc_market_get(b.file, DECC_ORDER_DATASET, first_hash, &rec, NULL),
            DECC_E_NOT_FOUND);
  ASSERT_OK(
      decc_market_get(b.file, DECC_ORDER_DATASET, b.wf.filled, &rec, NULL));
  ASSERT(strstr(rec, "\"status\":\"filled\"") != NULL);
  decc_free(rec);
  close_books(&b);
}

typedef struct reader_arg {
  decc_market *m;
  int rounds;
  int errors;    /* failed queries */
  int torn;      /* count != orders on the page (page holds them all) */
  int backwards; /* count went down while only publications happen */
} reader_arg;

static void *reader_main(void *p) {
  reader_arg *a = p;
  decc_market_filter f;
  filter(&f, 1000);
  long last = 0;
  for (int i = 0; i < a->rounds; i++) {
    char *js = NULL;
    if (decc_market_query(a->m, DECC_ORDER_DATASET, &f, &js, NULL) != DECC_OK) {
      a->errors++;
      continue;
    }
    json_t *j = json_loads(js, 0, NULL);
    decc_free(js);
    long c = j ? (long)json_integer_value(json_object_get(j, "count")) : -1;
    size_t n = j ? json_array_size(json_object_get(j, "orders")) : 0;
    json_decref(j);
    if (c < 0)
      a->errors++;
    else if ((size_t)c != n)
      a->torn++;
    if (c < last)
      a->backwards++;
    last = c;
  }
  return NULL;
}

TEST(readers_and_a_writer_at_once) {
  books b;
  ASSERT(open_books(&b, "readers2"));
  enum { NT = 6 };
  pthread_t th[NT];
  reader_arg args[NT];
  for (int i = 0; i < NT; i++) {
    args[i] = (reader_arg){b.file, 150, 0, 0, 0};
    ASSERT_EQ(pthread_create(&th[i], NULL, reader_main, &args[i]), 0);
  }
  for (int i = 0; i < 45; i++) {
    decc_order o = order_n(b.domain, 200 + i);
    ASSERT_OK(decc_market_publish(b.file, &o, NULL, NULL, NULL));
    decc_order_clear(&o);
  }
  for (int i = 0; i < NT; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < NT; i++) {
    ASSERT_EQ(args[i].errors, 0);
    ASSERT_EQ(args[i].torn, 0);
    ASSERT_EQ(args[i].backwards, 0);
  }
  decc_market_filter f;
  filter(&f, 10);
  ASSERT_EQ(count_of(b.file, &f), 45);
  close_books(&b);
}
