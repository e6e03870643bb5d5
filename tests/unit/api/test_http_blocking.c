/*
 * test_http_blocking.c — blocking routes (decc_http_route_blocking): a
 * handler that waits holds no other connection: it runs on the server's
 * handler pool with its connection suspended, or on its connection's own
 * polling thread when that thread serves nobody else (the acceptor then
 * gives it no new connection, and one thread always stays free); answers
 * (status, body, headers, errors) are those of an inline route, on
 * keep-alive connections and under concurrent load; a blocking route
 * cannot be added once the server listens.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "decc/buf.h"
#include "decc/http.h"
#include "decc/mem.h"
#include "test.h"

/* ---- a handler that waits for another request ------------------------------ */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_entered, g_fast_served;

/* A handler's wait: counts itself in *entered, then waits (at most secs)
 * until *flag is set; returns the flag. Under g_mu. */
static int enter_and_wait(int *entered, const int *flag, int secs) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += secs;
  pthread_mutex_lock(&g_mu);
  (*entered)++;
  pthread_cond_broadcast(&g_cv);
  while (!*flag)
    if (pthread_cond_timedwait(&g_cv, &g_mu, &ts))
      break;
  int set = *flag;
  pthread_mutex_unlock(&g_mu);
  return set;
}

/* Waits (at most 5 s) until /fast has been served: only possible when this
 * wait does not hold the server's single polling thread. */
static void h_wait(void *ctx, decc_http_request *req, decc_http_response *res) {
  (void)ctx;
  (void)req;
  if (enter_and_wait(&g_entered, &g_fast_served, 5))
    (void)decc_http_res_json(res, 200, "{\"released\":true}");
  else
    (void)decc_http_res_error(res, 504, "held: /fast was not served");
}

/* Waits (at most 10 s) until *count, under g_mu, reaches n; returns it. */
static int wait_count(const int *count, int n) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += 10;
  pthread_mutex_lock(&g_mu);
  while (*count < n)
    if (pthread_cond_timedwait(&g_cv, &g_mu, &ts))
      break;
  int got = *count;
  pthread_mutex_unlock(&g_mu);
  return got;
}

static void h_fast(void *ctx, decc_http_request *req, decc_http_response *res) {
  (void)ctx;
  (void)req;
  pthread_mutex_lock(&g_mu);
  g_fast_served = 1;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
  (void)decc_http_res_json(res, 200, "{\"fast\":true}");
}

/* Echoes the body with a header naming the query's id, or fails as asked. */
static void h_echo(void *ctx, decc_http_request *req, decc_http_response *res) {
  (void)ctx;
  const char *id = decc_http_req_query(req, "id");
  if (id && !strcmp(id, "fail")) {
    (void)decc_http_res_error(res, 409, "refused \"%s\"", id);
    return;
  }
  size_t n;
  const uint8_t *b = decc_http_req_body(req, &n);
  if (decc_http_res_send(res, 201, "application/octet-stream", b, n) ||
      (id && decc_http_res_header(res, "X-Id", id)))
    (void)decc_http_res_error(res, 500, "out of memory");
}

/* ---- client ----------------------------------------------------------------- */

typedef struct reply {
  long code;
  decc_buf body;
  char xid[64];
} reply;

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
  return decc_buf_append(ud, p, sz * n) == DECC_OK ? sz * n : 0;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud) {
  reply *r = ud;
  size_t len = sz * n;
  if (len > 6 && !strncasecmp(p, "X-Id: ", 6)) {
    size_t v = len - 6;
    while (v && (p[6 + v - 1] == '\r' || p[6 + v - 1] == '\n'))
      v--;
    snprintf(r->xid, sizeof r->xid, "%.*s", (int)v, p + 6);
  }
  return len;
}

/* One request on handle c (kept alive between calls); r->body is reset. */
static int do_req(CURL *c, const char *url, const char *body, long timeout_ms,
                  reply *r) {
  decc_buf_clear(&r->body);
  r->xid[0] = 0;
  r->code = 0;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  if (body)
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  else
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  if (curl_easy_perform(c) != CURLE_OK)
    return -1;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
  return 0;
}

/* GET /fast on a fresh connection within timeout_ms; returns the status,
 * or -1 when there was no answer. */
static long get_fast(uint16_t port, long timeout_ms) {
  char url[96];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/fast", (unsigned)port);
  reply f;
  memset(&f, 0, sizeof f);
  decc_buf_init(&f.body, 1 << 16);
  CURL *c = curl_easy_init();
  long code = c && do_req(c, url, NULL, timeout_ms, &f) == 0 ? f.code : -1;
  curl_easy_cleanup(c);
  decc_buf_clear(&f.body);
  return code;
}

typedef struct waiter {
  char url[96];
  reply r;
  int rc;
} waiter;

static void *wait_main(void *arg) {
  waiter *w = arg;
  CURL *c = curl_easy_init();
  w->rc = c ? do_req(c, w->url, "x", 10000, &w->r) : -1;
  curl_easy_cleanup(c);
  return NULL;
}

TEST(blocking_handler_holds_no_other_connection) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  /* one MHD polling thread: an inline wait would hold every connection */
  decc_http_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.threads = 1;
  decc_http_server *s = NULL;
  ASSERT_OK(decc_http_server_create(&s, &cfg));
  ASSERT_OK(decc_http_route_blocking(s, "POST", "/wait", h_wait, NULL, 64));
  ASSERT_OK(decc_http_route(s, "GET", "/fast", h_fast, NULL));
  ASSERT_OK(decc_http_server_start(s, NULL));
  waiter w;
  memset(&w, 0, sizeof w);
  decc_buf_init(&w.r.body, 1 << 16);
  snprintf(w.url, sizeof w.url, "http://127.0.0.1:%u/wait",
           (unsigned)decc_http_server_port(s));
  pthread_t th;
  ASSERT_EQ(pthread_create(&th, NULL, wait_main, &w), 0);
  /* until /wait's handler runs (bounded) */
  int entered = wait_count(&g_entered, 1);
  long fast = get_fast(decc_http_server_port(s), 3000);
  pthread_join(th, NULL);
  decc_http_server_destroy(s);
  ASSERT(entered);
  ASSERT_EQ(fast, 200);
  ASSERT_EQ(w.rc, 0);
  ASSERT_EQ(w.r.code, 200);
  ASSERT_STR_EQ((const char *)w.r.body.data, "{\"released\":true}");
  decc_buf_clear(&w.r.body);
}

/* ---- answers as inline, keep-alive and concurrent ------------------------- */

typedef struct loader {
  uint16_t port;
  int idx, n, bad;
} loader;

static void *load_main(void *arg) {
  loader *l = arg;
  CURL *c = curl_easy_init();
  reply r;
  memset(&r, 0, sizeof r);
  decc_buf_init(&r.body, 1 << 16);
  for (int i = 0; i < l->n && c; i++) {
    char url[128], id[32], body[64];
    snprintf(id, sizeof id, "%d-%d", l->idx, i);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/echo?id=%s",
             (unsigned)l->port, id);
    snprintf(body, sizeof body, "body of %s", id);
    if (do_req(c, url, body, 10000, &r) || r.code != 201 || strcmp(r.xid, id) ||
        r.body.len != strlen(body) || memcmp(r.body.data, body, r.body.len))
      l->bad++;
  }
  if (!c)
    l->bad = l->n;
  decc_buf_clear(&r.body);
  curl_easy_cleanup(c);
  return NULL;
}

/* k keep-alive connections sending n requests each at once; returns the
 * number of wrong answers. */
static int run_loaders(uint16_t port, int k, int n) {
  loader l[8];
  pthread_t th[8];
  int started = 0, bad = 0;
  for (int i = 0; i < k && i < 8; i++) {
    l[i] = (loader){port, i, n, 0};
    if (pthread_create(&th[i], NULL, load_main, &l[i]) != 0)
      return k * n;
    started++;
  }
  for (int i = 0; i < started; i++) {
    pthread_join(th[i], NULL);
    bad += l[i].bad;
  }
  return bad;
}

TEST(blocking_route_answers_as_inline) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  decc_http_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.threads = 3;
  decc_http_server *s = NULL;
  ASSERT_OK(decc_http_server_create(&s, &cfg));
  ASSERT_OK(decc_http_route_blocking(s, "POST", "/echo", h_echo, NULL, 100));
  ASSERT_OK(decc_http_server_start(s, NULL));
  /* suspend/resume is fixed when the daemon starts */
  ASSERT_EQ(decc_http_route_blocking(s, "POST", "/late", h_echo, NULL, 100),
            DECC_E_INVALID);
  uint16_t port = decc_http_server_port(s);

  CURL *c = curl_easy_init();
  reply r;
  memset(&r, 0, sizeof r);
  decc_buf_init(&r.body, 1 << 16);
  char url[128];
  /* an error answer, then the body limit (413 before the handler), then a
   * route's 404 and 405 — on one kept-alive connection */
  snprintf(url, sizeof url, "http://127.0.0.1:%u/echo?id=fail", port);
  ASSERT_EQ(do_req(c, url, "x", 10000, &r), 0);
  ASSERT_EQ(r.code, 409);
  ASSERT(strstr((const char *)r.body.data, "refused \\\"fail\\\"") != NULL);
  char big[200];
  memset(big, 'b', sizeof big - 1);
  big[sizeof big - 1] = 0;
  snprintf(url, sizeof url, "http://127.0.0.1:%u/echo?id=big", port);
  ASSERT_EQ(do_req(c, url, big, 10000, &r), 0);
  ASSERT_EQ(r.code, 413);
  snprintf(url, sizeof url, "http://127.0.0.1:%u/echo", port);
  ASSERT_EQ(do_req(c, url, NULL, 10000, &r), 0);
  ASSERT_EQ(r.code, 405);
  long connects = -1;
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
  ASSERT_EQ(connects, 0); /* the last request reused the connection */
  curl_easy_cleanup(c);
  decc_buf_clear(&r.body);

  /* 6 keep-alive connections × 40 requests at once: each answer is its own */
  int bad = run_loaders(port, 6, 40);
  decc_http_stats st;
  decc_http_server_stats(s, &st);
  decc_http_server_destroy(s);
  ASSERT_EQ(bad, 0);
  /* one connection per client plus the first one */
  ASSERT_EQ(st.accepted, 7);
}

/* ---- where blocking handlers run --------------------------------------------- */

static int g_gate_in, g_gate_open;

/* Holds until the test opens the gate (at most 10 s). */
static void h_gate(void *ctx, decc_http_request *req, decc_http_response *res) {
  (void)ctx;
  (void)req;
  if (enter_and_wait(&g_gate_in, &g_gate_open, 10))
    (void)decc_http_res_json(res, 200, "{\"through\":true}");
  else
    (void)decc_http_res_error(res, 504, "the gate stayed closed");
}

TEST(lone_connections_run_inline_and_one_thread_stays_free) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  decc_http_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.threads = 3;
  decc_http_server *s = NULL;
  ASSERT_OK(decc_http_server_create(&s, &cfg));
  ASSERT_OK(decc_http_route_blocking(s, "POST", "/echo", h_echo, NULL, 100));
  ASSERT_OK(decc_http_route_blocking(s, "POST", "/gate", h_gate, NULL, 100));
  ASSERT_OK(decc_http_route(s, "GET", "/fast", h_fast, NULL));
  ASSERT_OK(decc_http_server_start(s, NULL));
  uint16_t port = decc_http_server_port(s);

  /* Two keep-alive connections at once, fewer than the threads: the
   * acceptor gives each its own thread, and every request runs there. */
  ASSERT_EQ(run_loaders(port, 2, 25), 0);
  decc_http_stats st;
  decc_http_server_stats(s, &st);
  ASSERT_EQ(st.blocking_inline, 50);
  ASSERT_EQ(st.blocking_pooled, 0);
  /* both connections closed (a thread still counting one is not free) */
  for (int i = 0; i < 2000 && st.open; i++) {
    usleep(5000);
    decc_http_server_stats(s, &st);
  }
  ASSERT_EQ(st.open, 0);

  /* Three connections held at the gate one after the other: the first two
   * wait on their own threads; the third thread must stay free for new
   * connections, so the third waits on the pool; and a fourth connection,
   * which the acceptor can only give to that free thread, is served while
   * all three are held. Had the acceptor given it to a holding thread, or
   * the third run where it was, /fast would not be answered. */
  waiter w[3];
  pthread_t th[3];
  for (int i = 0; i < 3; i++) {
    memset(&w[i], 0, sizeof w[i]);
    decc_buf_init(&w[i].r.body, 1 << 16);
    snprintf(w[i].url, sizeof w[i].url, "http://127.0.0.1:%u/gate",
             (unsigned)port);
    ASSERT_EQ(pthread_create(&th[i], NULL, wait_main, &w[i]), 0);
    ASSERT_EQ(wait_count(&g_gate_in, i + 1), i + 1);
  }
  long fast = get_fast(port, 5000);
  pthread_mutex_lock(&g_mu);
  g_gate_open = 1;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mu);
  for (int i = 0; i < 3; i++)
    pthread_join(th[i], NULL);
  decc_http_server_stats(s, &st);
  decc_http_server_destroy(s);
  ASSERT_EQ(fast, 200);
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(w[i].rc, 0);
    ASSERT_EQ(w[i].r.code, 200);
    decc_buf_clear(&w[i].r.body);
  }
  ASSERT_EQ(st.blocking_inline, 50 + 2);
  ASSERT_EQ(st.blocking_pooled, 1);
}
