/*
 * test_http.c — the HTTP server: routing with path parameters and
 * wildcards, query and header access, collected and streamed bodies, body
 * limits (413), unknown routes (404), wrong methods (405), JSON error
 * escaping, streamed responses, and many sequential requests — driven by
 * libcurl over 127.0.0.1.
 */
#include <curl/curl.h>
#include <microhttpd.h>
#include <stdlib.h>

#include "decc/buf.h"
#include "decc/http.h"
#include "decc/mem.h"
#include "test.h"

static void h_hello(void *ctx, decc_http_request *req,
                    decc_http_response *res) {
  (void)ctx;
  char out[256];
  const char *who = decc_http_req_param(req, "who");
  const char *q = decc_http_req_query(req, "greeting");
  const char *h = decc_http_req_header(req, "x-test");
  snprintf(out, sizeof out, "{\"who\":\"%s\",\"greeting\":\"%s\",\"h\":\"%s\"}",
           who ? who : "", q ? q : "", h ? h : "");
  (void)decc_http_res_json(res, 200, out);
}

static void h_echo(void *ctx, decc_http_request *req, decc_http_response *res) {
  (void)ctx;
  size_t n;
  const uint8_t *b = decc_http_req_body(req, &n);
  (void)decc_http_res_send(res, 201, "application/octet-stream", b, n);
}

static void h_rest(void *ctx, decc_http_request *req, decc_http_response *res) {
  (void)ctx;
  const char *rest = decc_http_req_param(req, "*");
  (void)decc_http_res_send(res, 200, "text/plain", rest, strlen(rest));
}

static void h_fail(void *ctx, decc_http_request *req, decc_http_response *res) {
  (void)ctx;
  (void)req;
  (void)decc_http_res_error(res, 409, "exists: \"quoted\"\nline");
}

typedef struct count_state {
  size_t total;
} count_state;

static decc_status body_count(void *ctx, decc_http_request *req, void **state,
                              const uint8_t *chunk, size_t n, decc_err *err) {
  (void)ctx;
  (void)req;
  (void)chunk;
  if (!*state)
    *state = decc_calloc(1, sizeof(count_state));
  if (!*state)
    return decc_err_set(err, DECC_E_NOMEM, "oom");
  count_state *cs = *state;
  cs->total += n;
  if (cs->total > 3000000)
    return decc_err_set(err, DECC_E_LIMIT, "stream limit reached");
  return DECC_OK;
}

static void body_cleanup(void *ctx, void *state) {
  (void)ctx;
  decc_free(state);
}

static void h_count(void *ctx, decc_http_request *req,
                    decc_http_response *res) {
  (void)ctx;
  count_state *cs = decc_http_req_state(req);
  char out[64];
  snprintf(out, sizeof out, "{\"bytes\":%zu}", cs ? cs->total : (size_t)0);
  (void)decc_http_res_json(res, 200, out);
}

static long gen_read(void *ctx, uint64_t pos, char *buf, size_t max) {
  (void)ctx;
  uint64_t total = 200000;
  if (pos >= total)
    return 0;
  size_t n = (size_t)(total - pos < max ? total - pos : max);
  for (size_t i = 0; i < n; i++)
    buf[i] = (char)('a' + (pos + i) % 26);
  return (long)n;
}

static void h_stream(void *ctx, decc_http_request *req,
                     decc_http_response *res) {
  (void)ctx;
  (void)req;
  (void)decc_http_res_stream(res, 200, "text/plain", -1, gen_read, NULL, NULL);
}

static size_t collect(char *p, size_t sz, size_t n, void *ud) {
  decc_buf *b = ud;
  return decc_buf_append(b, p, sz * n) == DECC_OK ? sz * n : 0;
}

/* One request with an X-Test header and the NULL-terminated header lines
 * extra (may be NULL); the body goes to out and, when hdrs is not NULL, the
 * response headers to hdrs (NUL-terminated). HEAD is sent
 * as curl's NOBODY (a custom "HEAD" would wait for a body that never
 * comes). Returns the status, -1 when the exchange failed. */
static long do_req_full(uint16_t port, const char *method, const char *path,
                        const void *body, size_t len, decc_buf *out,
                        decc_buf *hdrs, const char *const *extra) {
  CURL *c = curl_easy_init();
  char url[512];
  snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
  struct curl_slist *hdr = curl_slist_append(NULL, "X-Test: hdr-value");
  for (size_t i = 0; extra && extra[i]; i++)
    hdr = curl_slist_append(hdr, extra[i]);
  curl_easy_setopt(c, CURLOPT_URL, url);
  if (!strcmp(method, "HEAD"))
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  else
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
  if (hdrs) {
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, hdrs);
  }
  long code = -1;
  if (curl_easy_perform(c) == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(hdr);
  curl_easy_cleanup(c);
  if (hdrs && decc_buf_append(hdrs, "", 1) != DECC_OK)
    code = -1;
  return code;
}

static long do_req(uint16_t port, const char *method, const char *path,
                   const void *body, size_t len, decc_buf *out) {
  return do_req_full(port, method, path, body, len, out, NULL, NULL);
}

static long do_req_h(uint16_t port, const char *method, const char *path,
                     decc_buf *out, decc_buf *hdrs) {
  return do_req_full(port, method, path, NULL, 0, out, hdrs, NULL);
}

TEST(http_server_routes_and_limits) {
  decc_http_server *s;
  decc_http_config cfg = {0};
  cfg.max_body = 1000;
  ASSERT_OK(decc_http_server_create(&s, &cfg));
  ASSERT_OK(decc_http_route(s, "GET", "/hello/{who}", h_hello, NULL));
  ASSERT_OK(decc_http_route(s, "POST", "/echo", h_echo, NULL));
  ASSERT_OK(decc_http_route(s, "GET", "/files/*", h_rest, NULL));
  ASSERT_OK(decc_http_route(s, "PUT", "/fail", h_fail, NULL));
  ASSERT_OK(decc_http_route_stream(s, "POST", "/count", body_count,
                                   body_cleanup, h_count, NULL));
  ASSERT_OK(decc_http_route(s, "GET", "/stream", h_stream, NULL));
  ASSERT_EQ(decc_http_route(s, "GET", "no-slash", h_hello, NULL),
            DECC_E_INVALID);
  ASSERT_OK(decc_http_server_start(s, NULL));
  uint16_t port = decc_http_server_port(s);
  ASSERT(port != 0);

  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_EQ(
      do_req(port, "GET", "/hello/alice?greeting=hi%20there", NULL, 0, &b),
      200);
  ASSERT_STR_EQ(
      (char *)b.data,
      "{\"who\":\"alice\",\"greeting\":\"hi there\",\"h\":\"hdr-value\"}");
  decc_buf_reset(&b);
  ASSERT_EQ(do_req(port, "POST", "/echo", "payload\0x", 9, &b), 201);
  ASSERT_EQ(b.len, 9);
  ASSERT_MEM_EQ(b.data, "payload\0x", 9);
  decc_buf_reset(&b);
  char big[2000];
  memset(big, 'z', sizeof big);
  ASSERT_EQ(do_req(port, "POST", "/echo", big, sizeof big, &b), 413);
  ASSERT(strstr((char *)b.data, "\"ok\":false"));
  decc_buf_reset(&b);
  ASSERT_EQ(do_req(port, "GET", "/files/a/b/c.txt", NULL, 0, &b), 200);
  ASSERT_STR_EQ((char *)b.data, "a/b/c.txt");
  decc_buf_reset(&b);
  ASSERT_EQ(do_req(port, "GET", "/nothing/here", NULL, 0, &b), 404);
  ASSERT_STR_EQ((char *)b.data, "{\"ok\":false,\"error\":\"no such route\"}");
  decc_buf_reset(&b);
  ASSERT_EQ(do_req(port, "DELETE", "/echo", NULL, 0, &b), 405);
  decc_buf_reset(&b);
  ASSERT_EQ(do_req(port, "GET", "/hello", NULL, 0, &b), 404);
  decc_buf_reset(&b);
  ASSERT_EQ(do_req(port, "PUT", "/fail", NULL, 0, &b), 409);
  ASSERT_STR_EQ(
      (char *)b.data,
      "{\"ok\":false,\"error\":\"exists: \\\"quoted\\\"\\u000aline\"}");
  decc_buf_reset(&b);
  /* streamed upload: 2 MB passes, 4 MB hits the handler's own limit */
  size_t n2 = 2000000;
  char *up = malloc(4000000);
  memset(up, 'u', 4000000);
  ASSERT_EQ(do_req(port, "POST", "/count", up, n2, &b), 200);
  ASSERT_STR_EQ((char *)b.data, "{\"bytes\":2000000}");
  decc_buf_reset(&b);
  ASSERT_EQ(do_req(port, "POST", "/count", up, 4000000, &b), 413);
  ASSERT(strstr((char *)b.data, "stream limit reached"));
  free(up);
  decc_buf_reset(&b);
  ASSERT_EQ(do_req(port, "GET", "/stream", NULL, 0, &b), 200);
  ASSERT_EQ(b.len, 200000);
  ASSERT_EQ(b.data[0], 'a');
  ASSERT_EQ(b.data[26], 'a');
  decc_buf_reset(&b);
  for (int i = 0; i < 200; i++) {
    ASSERT_EQ(do_req(port, "GET", "/hello/x", NULL, 0, &b), 200);
    decc_buf_reset(&b);
  }
  decc_buf_clear(&b);
  decc_http_server_destroy(s);
}

/* HEAD answers as GET without the body (RFC 9110 9.3.2) and a 405 names the
 * methods the path has (RFC 9110 15.5.6). */
TEST(http_server_head_and_allow) {
  decc_http_server *s;
  decc_http_config cfg = {0};
  ASSERT_OK(decc_http_server_create(&s, &cfg));
  ASSERT_OK(decc_http_route(s, "GET", "/hello/{who}", h_hello, NULL));
  ASSERT_OK(decc_http_route(s, "POST", "/echo", h_echo, NULL));
  ASSERT_OK(decc_http_route(s, "PUT", "/echo", h_echo, NULL));
  ASSERT_OK(decc_http_route(s, "GET", "/stream", h_stream, NULL));
  /* an explicit HEAD route is preferred to the GET one */
  ASSERT_OK(decc_http_route(s, "GET", "/both", h_fail, NULL));
  ASSERT_OK(decc_http_route(s, "HEAD", "/both", h_echo, NULL));
  ASSERT_OK(decc_http_server_start(s, NULL));
  uint16_t port = decc_http_server_port(s);
  decc_buf b, h;
  decc_buf_init(&b, 0);
  decc_buf_init(&h, 0);

  ASSERT_EQ(do_req_h(port, "GET", "/hello/bob", &b, &h), 200);
  size_t get_len = b.len;
  ASSERT(get_len > 0);
  char want[64];
  snprintf(want, sizeof want, "Content-Length: %zu\r\n", get_len);
  ASSERT(strcasestr((char *)h.data, want));
  decc_buf_reset(&b);
  decc_buf_reset(&h);
  ASSERT_EQ(do_req_h(port, "HEAD", "/hello/bob", &b, &h), 200);
  ASSERT_EQ(b.len, 0);
  ASSERT(strcasestr((char *)h.data, want));
  ASSERT(strcasestr((char *)h.data, "Content-Type: application/json"));
  decc_buf_reset(&h);
  ASSERT_EQ(do_req_h(port, "HEAD", "/stream", &b, &h), 200);
  ASSERT_EQ(b.len, 0);
  decc_buf_reset(&h);
  ASSERT_EQ(do_req_h(port, "HEAD", "/both", &b, &h), 201); /* h_echo */
  ASSERT_EQ(b.len, 0);
  decc_buf_reset(&h);
  ASSERT_EQ(do_req_h(port, "HEAD", "/nothing", &b, &h), 404);
  ASSERT_EQ(b.len, 0);
  decc_buf_reset(&h);

  ASSERT_EQ(do_req_h(port, "DELETE", "/echo", &b, &h), 405);
  ASSERT(strcasestr((char *)h.data, "\r\nAllow: POST, PUT\r\n"));
  ASSERT(strstr((char *)b.data, "method not allowed"));
  decc_buf_reset(&b);
  decc_buf_reset(&h);
  ASSERT_EQ(do_req_h(port, "HEAD", "/echo", &b, &h), 405);
  ASSERT(strcasestr((char *)h.data, "\r\nAllow: POST, PUT\r\n"));
  decc_buf_reset(&h);
  ASSERT_EQ(do_req_h(port, "POST", "/hello/bob", &b, &h), 405);
  ASSERT(strcasestr((char *)h.data, "\r\nAllow: GET, HEAD\r\n"));
  decc_buf_reset(&b);
  decc_buf_reset(&h);
  ASSERT_EQ(do_req_h(port, "POST", "/both", &b, &h), 405);
  ASSERT(strcasestr((char *)h.data, "\r\nAllow: GET, HEAD\r\n"));
  decc_buf_clear(&b);
  decc_buf_clear(&h);
  decc_http_server_destroy(s);
}

/* A raw route (the store's kind): answers itself, with the server's CORS
 * header added by decc_http_raw_cors. */
static int raw_match(void *ctx, const char *url) {
  (void)ctx;
  return !strncmp(url, "/raw/", 5);
}

static int raw_handler(void *ctx, struct MHD_Connection *conn, const char *url,
                       const char *method, const char *upload_data,
                       size_t *upload_data_size, void **con_cls) {
  (void)ctx;
  (void)url;
  (void)method;
  (void)upload_data;
  if (!*con_cls) { /* headers: wait for the (empty) body */
    *con_cls = (void *)1;
    return MHD_YES;
  }
  if (*upload_data_size) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  struct MHD_Response *r =
      MHD_create_response_from_buffer(3, (void *)"raw", MHD_RESPMEM_PERSISTENT);
  decc_http_raw_cors(conn, r);
  int ret = (int)MHD_queue_response(conn, 200, r);
  MHD_destroy_response(r);
  return ret;
}

static void raw_completed(void *ctx, void **con_cls) {
  (void)ctx;
  *con_cls = NULL; /* (a flag, nothing to free) */
}

static int has_header(const decc_buf *h, const char *line) {
  return strcasestr((const char *)h->data, line) != NULL;
}

/* CORS: off by default; "*"; a list of origins (echoed, Vary: Origin);
 * preflights on router and raw routes; OPTIONS without CORS. */
TEST(http_server_cors) {
  static const char *const origins[] = {
      NULL, "*", "https://a.example, http://localhost:3000"};
  for (int mode = 0; mode < 3; mode++) {
    decc_http_server *s;
    decc_http_config cfg = {0};
    cfg.cors_origins = origins[mode];
    ASSERT_OK(decc_http_server_create(&s, &cfg));
    ASSERT_OK(decc_http_route(s, "GET", "/hello/{who}", h_hello, NULL));
    ASSERT_OK(decc_http_route(s, "POST", "/echo", h_echo, NULL));
    ASSERT_OK(
        decc_http_route_raw(s, raw_match, raw_handler, raw_completed, NULL));
    ASSERT_OK(decc_http_server_start(s, NULL));
    uint16_t port = decc_http_server_port(s);
    decc_buf b, h;
    decc_buf_init(&b, 0);
    decc_buf_init(&h, 0);
    const char *const from_a[] = {"Origin: https://a.example", NULL};
    const char *const from_c[] = {"Origin: https://c.example", NULL};
    const char *const preflight[] = {
        "Origin: http://localhost:3000", "Access-Control-Request-Method: POST",
        "Access-Control-Request-Headers: content-type, authorization", NULL};
    const char *const bad_hdrs[] = {
        "Origin: http://localhost:3000", "Access-Control-Request-Method: POST",
        "Access-Control-Request-Headers: a\"b", NULL};

    /* a simple request from an origin */
    ASSERT_EQ(do_req_full(port, "GET", "/hello/x", NULL, 0, &b, &h, from_a),
              200);
    ASSERT_EQ(has_header(&h, "\r\nAccess-Control-Allow-Origin: *\r\n"),
              mode == 1);
    ASSERT_EQ(has_header(&h, "\r\nAccess-Control-Allow-Origin: "
                             "https://a.example\r\n"),
              mode == 2);
    ASSERT_EQ(has_header(&h, "\r\nVary: Origin\r\n"), mode == 2);
    decc_buf_reset(&b);
    decc_buf_reset(&h);
    /* an origin that is not listed, and no origin at all */
    ASSERT_EQ(do_req_full(port, "GET", "/hello/x", NULL, 0, &b, &h, from_c),
              200);
    ASSERT_EQ(has_header(&h, "Access-Control-Allow-Origin"), mode == 1);
    decc_buf_reset(&b);
    decc_buf_reset(&h);
    ASSERT_EQ(do_req_h(port, "GET", "/hello/x", &b, &h), 200);
    ASSERT(!has_header(&h, "Access-Control-Allow-Origin"));
    decc_buf_reset(&b);
    decc_buf_reset(&h);
    /* errors carry it too: a page can read why it failed */
    ASSERT_EQ(do_req_full(port, "GET", "/nothing", NULL, 0, &b, &h, from_a),
              404);
    ASSERT_EQ(has_header(&h, "Access-Control-Allow-Origin"), mode != 0);
    decc_buf_reset(&b);
    decc_buf_reset(&h);

    /* the preflight of a JSON POST */
    ASSERT_EQ(do_req_full(port, "OPTIONS", "/echo", NULL, 0, &b, &h, preflight),
              204);
    ASSERT_EQ(b.len, 0);
    ASSERT(has_header(&h, "\r\nAllow: POST\r\n"));
    ASSERT_EQ(has_header(&h, "\r\nAccess-Control-Allow-Methods: POST\r\n"),
              mode != 0);
    ASSERT_EQ(has_header(&h, "\r\nAccess-Control-Allow-Headers: content-type, "
                             "authorization\r\n"),
              mode != 0);
    ASSERT_EQ(has_header(&h, "\r\nAccess-Control-Max-Age: 600\r\n"), mode != 0);
    ASSERT_EQ(has_header(&h, "\r\nAccess-Control-Allow-Origin: "), mode != 0);
    ASSERT(!has_header(&h, "Access-Control-Allow-Credentials"));
    decc_buf_reset(&b);
    decc_buf_reset(&h);
    /* requested headers that are not header names are not echoed */
    ASSERT_EQ(do_req_full(port, "OPTIONS", "/echo", NULL, 0, &b, &h, bad_hdrs),
              204);
    ASSERT(!has_header(&h, "Access-Control-Allow-Headers"));
    decc_buf_reset(&h);
    /* OPTIONS on a GET path names GET and HEAD; on no path: 404 */
    ASSERT_EQ(do_req_h(port, "OPTIONS", "/hello/x", &b, &h), 204);
    ASSERT(has_header(&h, "\r\nAllow: GET, HEAD\r\n"));
    decc_buf_reset(&h);
    ASSERT_EQ(do_req_h(port, "OPTIONS", "/nothing", &b, &h), 404);
    decc_buf_reset(&b);
    decc_buf_reset(&h);

    /* a raw route: its own answer gets the header; its preflight is the
     * server's */
    ASSERT_EQ(do_req_full(port, "POST", "/raw/x", "", 0, &b, &h, from_a), 200);
    ASSERT_STR_EQ((char *)b.data, "raw");
    ASSERT_EQ(has_header(&h, "Access-Control-Allow-Origin"), mode != 0);
    decc_buf_reset(&b);
    decc_buf_reset(&h);
    ASSERT_EQ(
        do_req_full(port, "OPTIONS", "/raw/x", NULL, 0, &b, &h, preflight),
        204);
    ASSERT(has_header(&h, "\r\nAllow: GET, HEAD, POST\r\n"));
    ASSERT_EQ(has_header(&h, "\r\nAccess-Control-Allow-Methods: GET, HEAD, "
                             "POST\r\n"),
              mode != 0);
    decc_buf_clear(&b);
    decc_buf_clear(&h);
    decc_http_server_destroy(s);
  }
  /* outside a decc server's raw route (another daemon, no request): no-op */
  decc_http_raw_cors(NULL, NULL);
  /* the list's syntax, checked by the server too */
  ASSERT(decc_http_cors_origins_valid(NULL));
  ASSERT(decc_http_cors_origins_valid(""));
  ASSERT(decc_http_cors_origins_valid(" * , https://a.example:8443 "));
  ASSERT(!decc_http_cors_origins_valid("*,"));
  ASSERT(!decc_http_cors_origins_valid("https://a.example/app"));
  decc_http_server *bad;
  decc_http_config bcfg = {0};
  bcfg.cors_origins = "a.example";
  ASSERT_EQ(decc_http_server_create(&bad, &bcfg), DECC_E_INVALID);
}

TEST(http_status_mapping_and_bad_bind) {
  ASSERT_EQ(decc_http_status_for(DECC_E_PARSE), 400);
  ASSERT_EQ(decc_http_status_for(DECC_E_BAD_SIGNATURE), 401);
  ASSERT_EQ(decc_http_status_for(DECC_E_NOT_FOUND), 404);
  ASSERT_EQ(decc_http_status_for(DECC_E_EXISTS), 409);
  ASSERT_EQ(decc_http_status_for(DECC_E_LIMIT), 413);
  ASSERT_EQ(decc_http_status_for(DECC_E_IO), 500);
  decc_http_server *s;
  decc_http_config cfg = {0};
  cfg.bind_address = "not-an-ip";
  ASSERT_OK(decc_http_server_create(&s, &cfg));
  decc_err err;
  ASSERT_EQ(decc_http_server_start(s, &err), DECC_E_INVALID);
  decc_http_server_destroy(s);
}

#include "decc/http_client.h"

TEST(http_client_against_server) {
  decc_http_server *s;
  ASSERT_OK(decc_http_server_create(&s, NULL));
  ASSERT_OK(decc_http_route(s, "GET", "/hello/{who}", h_hello, NULL));
  ASSERT_OK(decc_http_route(s, "POST", "/echo", h_echo, NULL));
  ASSERT_OK(decc_http_server_start(s, NULL));
  char url[256];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/hello/bob?greeting=yo",
           decc_http_server_port(s));
  const char *hdrs[] = {"X-Test: 42", NULL};
  decc_http_reply r;
  ASSERT_OK(decc_http_fetch(&r, "GET", url, hdrs, NULL, 0, 0, 0, NULL));
  ASSERT_EQ(r.status, 200);
  ASSERT_STR_EQ((char *)r.body.data,
                "{\"who\":\"bob\",\"greeting\":\"yo\",\"h\":\"42\"}");
  ASSERT(strstr(r.content_type, "application/json"));
  decc_buf_clear(&r.body);
  snprintf(url, sizeof url, "http://127.0.0.1:%u/echo",
           decc_http_server_port(s));
  ASSERT_EQ(
      decc_http_fetch(&r, "POST", url, NULL, "0123456789", 10, 4, 0, NULL),
      DECC_E_LIMIT);
  decc_buf_clear(&r.body);
  decc_err err;
  ASSERT_EQ(decc_http_fetch(&r, "GET", "ftp://x/y", NULL, NULL, 0, 0, 0, &err),
            DECC_E_INVALID);
  decc_buf_clear(&r.body);
  decc_http_server_destroy(s);
  /* nothing listens there any more */
  ASSERT_EQ(decc_http_fetch(&r, "GET", url, NULL, NULL, 0, 0, 2000, &err),
            DECC_E_NETWORK);
  decc_buf_clear(&r.body);
  char *e = decc_http_escape("a b/c?d=é");
  ASSERT_STR_EQ(e, "a%20b%2Fc%3Fd%3D%C3%A9");
  decc_free(e);
}
