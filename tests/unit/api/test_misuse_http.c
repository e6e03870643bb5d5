/*
 * test_misuse_http.c — the entry checks of http.h's and http_client.h's
 * public functions: a NULL required pointer, or a body set without its
 * bytes, is reported to the misuse handler by the function called, which
 * returns its documented failure value (DECC_E_INVALID, NULL or 0) without
 * crashing; the permitted NULLs (a NULL config, ctx, cleanup, len,
 * content type, headers, err; the no-op destroy; a NULL url answered as a
 * bad URL) are not reported and still work. The request and response
 * checks run inside a handler of a server on 127.0.0.1, where real
 * request and response objects exist.
 */
#include <string.h>

#include "decc/http.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "misuse_check.h"

/* The handler runs on a server thread, where ASSERT cannot fail the test:
 * it records the first line whose expectation failed, checked after the
 * request by the test itself (the client blocks meanwhile, so the reports
 * come one at a time). */
static int g_bad_line;

#define H_MISUSE(expr, fname)                                                  \
  do {                                                                         \
    int before_ = g_misuse.calls;                                              \
    if (!(expr) || g_misuse.calls != before_ + 1 ||                            \
        strcmp(g_misuse.func, fname)) {                                        \
      if (!g_bad_line)                                                         \
        g_bad_line = __LINE__;                                                 \
    }                                                                          \
  } while (0)

#define H_OK(expr)                                                             \
  do {                                                                         \
    int before_ = g_misuse.calls;                                              \
    if (!(expr) || g_misuse.calls != before_) {                                \
      if (!g_bad_line)                                                         \
        g_bad_line = __LINE__;                                                 \
    }                                                                          \
  } while (0)

static long no_read(void *ctx, uint64_t pos, char *buf, size_t max) {
  (void)ctx, (void)pos, (void)buf, (void)max;
  return 0;
}

static int g_freed;
static void count_free(void *ctx) {
  (void)ctx;
  g_freed++;
}

static void h_misuse(void *ctx, decc_http_request *req,
                     decc_http_response *res) {
  (void)ctx;
  H_MISUSE(decc_http_req_method(NULL) == NULL, "decc_http_req_method");
  H_MISUSE(decc_http_req_path(NULL) == NULL, "decc_http_req_path");
  H_MISUSE(decc_http_req_query(NULL, "a") == NULL, "decc_http_req_query");
  H_MISUSE(decc_http_req_query(req, NULL) == NULL, "decc_http_req_query");
  H_MISUSE(decc_http_req_header(NULL, "x") == NULL, "decc_http_req_header");
  H_MISUSE(decc_http_req_header(req, NULL) == NULL, "decc_http_req_header");
  H_MISUSE(decc_http_req_param(NULL, "id") == NULL, "decc_http_req_param");
  H_MISUSE(decc_http_req_param(req, NULL) == NULL, "decc_http_req_param");
  H_MISUSE(decc_http_req_body(NULL, NULL) == NULL, "decc_http_req_body");
  H_MISUSE(decc_http_req_state(NULL) == NULL, "decc_http_req_state");
  H_MISUSE(decc_http_req_peer(NULL) == NULL, "decc_http_req_peer");
  H_MISUSE(decc_http_res_send(NULL, 200, NULL, "x", 1) == DECC_E_INVALID,
           "decc_http_res_send");
  H_MISUSE(decc_http_res_send(res, 200, NULL, NULL, 1) == DECC_E_INVALID,
           "decc_http_res_send");
  /* send_owned frees the body it was given even when refused (ASan would
   * see the leak otherwise) */
  H_MISUSE(decc_http_res_send_owned(NULL, 200, NULL, decc_malloc(4), 4) ==
               DECC_E_INVALID,
           "decc_http_res_send_owned");
  H_MISUSE(decc_http_res_send_owned(res, 200, NULL, NULL, 4) == DECC_E_INVALID,
           "decc_http_res_send_owned");
  H_MISUSE(decc_http_res_json(NULL, 200, "{}") == DECC_E_INVALID,
           "decc_http_res_json");
  H_MISUSE(decc_http_res_json(res, 200, NULL) == DECC_E_INVALID,
           "decc_http_res_json");
  H_MISUSE(decc_http_res_error(NULL, 400, "bad") == DECC_E_INVALID,
           "decc_http_res_error");
  H_MISUSE(decc_http_res_error(res, 400, NULL) == DECC_E_INVALID,
           "decc_http_res_error");
  H_MISUSE(decc_http_res_stream(NULL, 200, NULL, -1, no_read, NULL,
                                count_free) == DECC_E_INVALID,
           "decc_http_res_stream");
  H_MISUSE(decc_http_res_stream(res, 200, NULL, -1, NULL, NULL, count_free) ==
               DECC_E_INVALID,
           "decc_http_res_stream");
  if (g_freed != 2 && !g_bad_line) /* the ctx handed over, both times */
    g_bad_line = __LINE__;
  H_MISUSE(decc_http_res_header(NULL, "X-A", "1") == DECC_E_INVALID,
           "decc_http_res_header");
  H_MISUSE(decc_http_res_header(res, NULL, "1") == DECC_E_INVALID,
           "decc_http_res_header");
  H_MISUSE(decc_http_res_header(res, "X-A", NULL) == DECC_E_INVALID,
           "decc_http_res_header");

  /* Permitted: a NULL len, a NULL content type, an empty body without
   * bytes; then the real answer, which the client checks. */
  size_t n = 99;
  H_OK(decc_http_req_body(req, NULL) != NULL);
  H_OK(decc_http_req_body(req, &n) != NULL && n == 0);
  H_OK(strcmp(decc_http_req_method(req), "GET") == 0);
  H_OK(strcmp(decc_http_req_path(req), "/m/7") == 0);
  H_OK(strcmp(decc_http_req_param(req, "id"), "7") == 0);
  H_OK(strcmp(decc_http_req_query(req, "a"), "1") == 0);
  H_OK(decc_http_req_peer(req) != NULL);
  H_OK(decc_http_res_send(res, 204, NULL, NULL, 0) == DECC_OK);
  H_OK(decc_http_res_header(res, "X-Seen", "yes") == DECC_OK);
  H_OK(decc_http_res_json(res, 200, "{\"ok\":true}") == DECC_OK);
}

static void h_plain(void *ctx, decc_http_request *req,
                    decc_http_response *res) {
  (void)ctx, (void)req;
  (void)decc_http_res_json(res, 200, "{}");
}

static decc_status body_sink(void *ctx, decc_http_request *req, void **state,
                             const uint8_t *chunk, size_t n, decc_err *err) {
  (void)ctx, (void)req, (void)state, (void)chunk, (void)n, (void)err;
  return DECC_OK;
}

static int raw_match(void *ctx, const char *url) {
  (void)ctx, (void)url;
  return 0;
}
static int raw_handler(void *ctx, struct MHD_Connection *conn, const char *url,
                       const char *method, const char *upload_data,
                       size_t *upload_data_size, void **con_cls) {
  (void)ctx, (void)conn, (void)url, (void)method, (void)upload_data;
  (void)upload_data_size, (void)con_cls;
  return 0;
}
static void raw_completed(void *ctx, void **con_cls) {
  (void)ctx, (void)con_cls;
}

TEST(misuse_http_server) {
  MISUSE_BEGIN();
  decc_http_server *s = NULL;
  decc_http_stats st;
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_server_create, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route, NULL, "GET", "/a", h_plain,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_limit, NULL, "GET", "/a",
                h_plain, NULL, 10);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_stream, NULL, "PUT", "/a",
                body_sink, NULL, h_plain, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_blocking, NULL, "GET", "/a",
                h_plain, NULL, 10);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_raw, NULL, raw_match,
                raw_handler, raw_completed, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_server_start, NULL, NULL);
  EXPECT_MISUSE(0, decc_http_server_port, NULL);
  EXPECT_MISUSE_VOID(decc_http_server_stats, NULL, NULL);

  /* Permitted: a NULL config (defaults), stats of no server (zeros), the
   * no-op destroy. */
  EXPECT_OK_NO_MISUSE(decc_http_server_create(&s, NULL));
  memset(&st, 0xff, sizeof st);
  EXPECT_NO_MISUSE(decc_http_server_stats(NULL, &st));
  ASSERT_EQ(st.open, 0);
  ASSERT_EQ(st.accepted, 0);
  EXPECT_NO_MISUSE(decc_http_server_destroy(NULL));

  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route, s, NULL, "/a", h_plain, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route, s, "GET", NULL, h_plain, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route, s, "GET", "/a", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_limit, s, NULL, "/a", h_plain,
                NULL, 10);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_limit, s, "GET", NULL, h_plain,
                NULL, 10);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_limit, s, "GET", "/a", NULL,
                NULL, 10);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_blocking, s, NULL, "/a",
                h_plain, NULL, 10);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_blocking, s, "GET", NULL,
                h_plain, NULL, 10);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_blocking, s, "GET", "/a", NULL,
                NULL, 10);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_stream, s, NULL, "/a",
                body_sink, NULL, h_plain, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_stream, s, "PUT", NULL,
                body_sink, NULL, h_plain, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_stream, s, "PUT", "/a", NULL,
                NULL, h_plain, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_stream, s, "PUT", "/a",
                body_sink, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_raw, s, NULL, raw_handler,
                raw_completed, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_raw, s, raw_match, NULL,
                raw_completed, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_route_raw, s, raw_match, raw_handler,
                NULL, NULL);
  /* A bad pattern is still an ordinary error, not misuse. */
  EXPECT_NO_MISUSE(ASSERT_EQ(
      decc_http_route(s, "GET", "no-slash", h_plain, NULL), DECC_E_INVALID));

  /* Permitted: a NULL ctx and a NULL cleanup; a port of 0 before start. */
  EXPECT_OK_NO_MISUSE(decc_http_route(s, "GET", "/m/{id}", h_misuse, NULL));
  EXPECT_OK_NO_MISUSE(
      decc_http_route_stream(s, "PUT", "/up", body_sink, NULL, h_plain, NULL));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_http_server_port(s), 0));
  EXPECT_NO_MISUSE(decc_http_server_stats(s, &st));
  EXPECT_OK_NO_MISUSE(decc_http_server_start(s, NULL));
  uint16_t port = decc_http_server_port(s);
  ASSERT(port != 0);

  char url[96];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/m/7?a=1", (unsigned)port);
  decc_http_reply r;
  decc_err e;
  int before = g_misuse.calls;
  decc_status fst = decc_http_fetch(&r, "GET", url, NULL, NULL, 0, 0, 0, &e);
  decc_http_server_destroy(s);
  ASSERT_OK(fst);
  ASSERT_EQ(r.status, 200);
  ASSERT_STR_EQ((const char *)r.body.data, "{\"ok\":true}");
  decc_buf_clear(&r.body);
  ASSERT_EQ(g_bad_line, 0);
  ASSERT_EQ(g_freed, 2);
  /* 24 reports in the handler, none elsewhere during the request */
  ASSERT_EQ(g_misuse.calls, before + 24);
}

TEST(misuse_http_client) {
  MISUSE_BEGIN();
  decc_http_reply r;
  decc_err e;
  char *hv = (char *)"untouched";
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_fetch, NULL, "GET",
                "http://127.0.0.1:1/", NULL, NULL, 0, 0, 0, NULL);
  /* reply is initialised before the remaining checks: clearing it is safe */
  memset(&r, 0x5a, sizeof r);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_fetch, &r, NULL,
                "http://127.0.0.1:1/", NULL, NULL, 0, 0, 0, NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(r.body.len, 0);
  decc_buf_clear(&r.body);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_fetch, &r, "POST",
                "http://127.0.0.1:1/", NULL, NULL, 3, 0, 0, NULL);
  decc_buf_clear(&r.body);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_get_with_header, NULL,
                "http://127.0.0.1:1/", "X-A", &hv, 0, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_http_get_with_header, &r,
                "http://127.0.0.1:1/", "X-A", NULL, 0, 0, NULL);
  decc_buf_clear(&r.body);
  ASSERT_STR_EQ(hv, "untouched");
  EXPECT_MISUSE_NULL(decc_http_escape, NULL);

  /* Permitted: a NULL url is a bad URL (err set, no report), as is a
   * non-http scheme; a NULL err; escaping works. */
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_http_fetch(&r, "GET", NULL, NULL, NULL, 0, 0, 0, &e),
                DECC_E_INVALID));
  ASSERT(strstr(e.msg, "not an http(s) URL") != NULL);
  decc_buf_clear(&r.body);
  EXPECT_NO_MISUSE(ASSERT_EQ(
      decc_http_get_with_header(&r, "ftp://x/", "X-A", &hv, 0, 0, NULL),
      DECC_E_INVALID));
  ASSERT(hv == NULL);
  decc_buf_clear(&r.body);
  hv = (char *)"untouched";
  EXPECT_NO_MISUSE(ASSERT_EQ(
      decc_http_get_with_header(&r, "ftp://x/", NULL, &hv, 0, 0, NULL),
      DECC_E_INVALID));
  ASSERT(hv == NULL); /* no header asked for: none returned */
  decc_buf_clear(&r.body);
  char *esc = NULL;
  EXPECT_NO_MISUSE(esc = decc_http_escape("a b/c"));
  ASSERT_STR_EQ(esc, "a%20b%2Fc");
  decc_free(esc);
}
