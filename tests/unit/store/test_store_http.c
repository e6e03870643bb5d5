/*
 * test_store_http.c — decc's store routes served by a tiny libmicrohttpd
 * server on 127.0.0.1 (port 0), driven by decc's own Kubo RPC client and by
 * raw libcurl requests: add (CIDv0 and CIDv1, several files, empty file),
 * cat with verification, byte ranges, the gateway route, Kubo-style JSON
 * errors (bad CID, missing block, wrong method, no file), the body-size
 * limit, a corrupt block making the client fail instead of returning
 * wrong bytes, and the block/get route the verifying client reads through
 * (also for a CIDv1 relabelling of a CIDv0 DAG).
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "decc/store.h"
#include "store_test_util.h"
#include "test.h"

typedef struct server {
  struct MHD_Daemon *d;
  decc_store_http_cfg cfg;
  char url[64];
  char dir[600];
} server;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls) {
  server *s = cls;
  (void)version;
  if (decc_store_http_route(url))
    return (enum MHD_Result)decc_store_http_handle(
        &s->cfg, c, url, method, upload_data, upload_data_size, con_cls);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  enum MHD_Result ret = MHD_queue_response(c, 404, r);
  MHD_destroy_response(r);
  return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  decc_store_http_completed(con_cls);
}

static int server_start(server *s, const char *name, uint64_t max_add) {
  memset(s, 0, sizeof s[0]);
  snprintf(s->dir, sizeof s->dir, "%s/%s", decc_test_tmpdir(), name);
  if (decc_blockstore_open(&s->cfg.bs, s->dir, NULL))
    return -1;
  s->cfg.max_add_bytes = max_add;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = 0;
  s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                          0, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &sa,
                          MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                          MHD_OPTION_END);
  if (!s->d)
    return -1;
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", (unsigned)info->port);
  return 0;
}

static void server_stop(server *s) {
  MHD_stop_daemon(s->d);
  decc_blockstore_close(s->cfg.bs);
}

typedef struct sink {
  decc_buf b;
} sink;

static decc_status sink_write(void *ud, const uint8_t *p, size_t n,
                              decc_err *err) {
  (void)err;
  return decc_buf_append(&((sink *)ud)->b, p, n);
}

static char *write_prng(uint64_t size, const char *name) {
  static char path[4][700];
  static int k;
  char *p = path[k++ & 3];
  snprintf(p, 700, "%s/%s", decc_test_tmpdir(), name);
  return prng_write_file(p, size) == 0 ? p : NULL;
}

/* Raw request with libcurl. Out: status, body (heap, NUL-terminated). */
static long raw_request(const char *url, const char *method, const char *body,
                        const char *ctype, char **out) {
  CURL *c = curl_easy_init();
  decc_buf b;
  decc_buf_init(&b, 1 << 26);
  struct curl_slist *h = NULL;
  if (ctype) {
    char hv[256];
    snprintf(hv, sizeof hv, "Content-Type: %s", ctype);
    h = curl_slist_append(h, hv);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION,
                   (size_t(*)(char *, size_t, size_t, void *))NULL);
  FILE *mem = NULL;
  char *mbuf = NULL;
  size_t mlen = 0;
  mem = open_memstream(&mbuf, &mlen);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  fclose(mem);
  curl_slist_free_all(h);
  curl_easy_cleanup(c);
  decc_buf_clear(&b);
  *out = mbuf;
  return rc == CURLE_OK ? code : -1;
}

TEST(client_add_cat_roundtrip) {
  server s;
  ASSERT_OK(server_start(&s, "srv1", 0));
  const uint64_t sizes[] = {0, 12, 262145, 3 * 262144 + 5};
  for (size_t i = 0; i < 4; i++)
    for (unsigned v = 0; v <= 1; v++) {
      char *path = write_prng(sizes[i], "up.bin");
      ASSERT(path != NULL);
      decc_kubo_add_opts o = {v, -1, 1, 30};
      decc_cid cid, local;
      uint64_t size = 0, lsize = 0;
      decc_err err;
      decc_err_clear(&err);
      decc_status st = decc_kubo_add_file(s.url, path, &o, &cid, &size, &err);
      if (st)
        fprintf(stderr, "add: %s\n", err.msg);
      ASSERT_OK(st);
      decc_import_opts io;
      decc_import_opts_default(&io, v);
      ASSERT_OK(
          decc_import_fd(&local, &lsize, &io, -1, path, NULL, NULL, NULL));
      ASSERT(decc_cid_equal(&cid, &local));
      ASSERT_EQ(size, lsize);
      ASSERT(decc_blockstore_is_pinned(s.cfg.bs, &cid));
      sink k;
      decc_buf_init(&k.b, 0);
      st = decc_kubo_cat(s.url, &cid, 1, sink_write, &k, 30, &err);
      if (st)
        fprintf(stderr, "cat: %s\n", err.msg);
      ASSERT_OK(st);
      ASSERT_EQ(k.b.len, sizes[i]);
      size_t flen;
      char *want = decc_test_read_file(path, &flen);
      ASSERT(want && flen == k.b.len);
      ASSERT(k.b.len == 0 || memcmp(want, k.b.data, flen) == 0);
      decc_buf_clear(&k.b);
    }
  server_stop(&s);
}

TEST(known_cid_and_json_shape) {
  server s;
  ASSERT_OK(server_start(&s, "srv2", 0));
  char path[700];
  snprintf(path, sizeof path, "%s/hello.txt", decc_test_tmpdir());
  FILE *f = fopen(path, "w");
  fputs("hello world\n", f);
  fclose(f);
  /* Raw multipart upload of two files, as curl -F would send it. */
  CURL *c = curl_easy_init();
  curl_mime *m = curl_mime_init(c);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "file");
  curl_mime_filedata(p, path);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "file");
  curl_mime_data(p, "", 0);
  curl_mime_filename(p, "empty.txt");
  char url[256];
  snprintf(url, sizeof url, "%s/api/v0/add?pin=false", s.url);
  char *mbuf = NULL;
  size_t mlen = 0;
  FILE *mem = open_memstream(&mbuf, &mlen);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_MIMEPOST, m);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
  ASSERT_EQ(curl_easy_perform(c), CURLE_OK);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  fclose(mem);
  curl_mime_free(m);
  curl_easy_cleanup(c);
  ASSERT_EQ(code, 200);
  ASSERT(strstr(mbuf, "{\"Name\":\"hello.txt\",\"Hash\":"
                      "\"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o\","
                      "\"Size\":\"20\"}\n") == mbuf);
  ASSERT(strstr(mbuf, "{\"Name\":\"empty.txt\",\"Hash\":"
                      "\"QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH\","
                      "\"Size\":\"6\"}\n") != NULL);
  free(mbuf);
  decc_cid hello;
  ASSERT_OK(decc_cid_parse(
      &hello, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", NULL));
  ASSERT(!decc_blockstore_is_pinned(s.cfg.bs, &hello));
  /* Gateway and cat with a range; the /ipfs/ prefix in arg is accepted. */
  char *body = NULL;
  snprintf(url, sizeof url,
           "%s/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", s.url);
  ASSERT_EQ(raw_request(url, "GET", NULL, NULL, &body), 200);
  ASSERT_STR_EQ(body, "hello world\n");
  free(body);
  snprintf(
      url, sizeof url,
      "%s/api/v0/cat?arg=/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
      "&offset=6&length=5",
      s.url);
  ASSERT_EQ(raw_request(url, "POST", "", NULL, &body), 200);
  ASSERT_STR_EQ(body, "world");
  free(body);
  /* Errors, Kubo-shaped. */
  snprintf(url, sizeof url, "%s/api/v0/cat?arg=notacid", s.url);
  ASSERT_EQ(raw_request(url, "POST", "", NULL, &body), 400);
  json_t *j = json_loads(body, 0, NULL);
  ASSERT(j != NULL);
  ASSERT_STR_EQ(json_string_value(json_object_get(j, "Type")), "error");
  ASSERT_EQ(json_integer_value(json_object_get(j, "Code")), 1);
  ASSERT(json_string_value(json_object_get(j, "Message")) != NULL);
  json_decref(j);
  free(body);
  snprintf(url, sizeof url,
           "%s/api/v0/cat?arg=QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ",
           s.url);
  ASSERT_EQ(raw_request(url, "POST", "", NULL, &body), 404);
  ASSERT(strstr(body, "QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ") !=
         NULL);
  free(body);
  ASSERT_EQ(raw_request(url, "GET", NULL, NULL, &body), 405);
  free(body);
  snprintf(url, sizeof url, "%s/api/v0/cat", s.url);
  ASSERT_EQ(raw_request(url, "POST", "", NULL, &body), 400);
  free(body);
  snprintf(url, sizeof url, "%s/api/v0/add", s.url);
  ASSERT_EQ(raw_request(url, "POST", "x=1", "application/json", &body), 400);
  free(body);
  snprintf(url, sizeof url, "%s/api/v0/add?cid-version=7", s.url);
  ASSERT_EQ(raw_request(url, "POST", "", NULL, &body), 400);
  free(body);
  server_stop(&s);
}

TEST(body_limit_and_node_errors_reach_the_client) {
  server s;
  ASSERT_OK(server_start(&s, "srv3", 100000));
  char *path = write_prng(200000, "big.bin");
  decc_kubo_add_opts o = {0, -1, 1, 30};
  decc_cid cid;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_kubo_add_file(s.url, path, &o, &cid, NULL, &err),
            DECC_E_NETWORK);
  ASSERT(strstr(err.msg, "413") != NULL);
  ASSERT(strstr(err.msg, "exceeds 100000 bytes") != NULL);
  /* A body without Content-Length (chunked) is cut off at the limit. */
  char url[256], *body = NULL;
  snprintf(url, sizeof url, "%s/api/v0/add", s.url);
  CURL *c = curl_easy_init();
  curl_mime *m = curl_mime_init(c);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "file");
  curl_mime_filedata(p, path);
  struct curl_slist *h = curl_slist_append(NULL, "Transfer-Encoding: chunked");
  size_t blen = 0;
  FILE *mem = open_memstream(&body, &blen);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_MIMEPOST, m);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  fclose(mem);
  free(body);
  curl_slist_free_all(h);
  curl_mime_free(m);
  curl_easy_cleanup(c);
  ASSERT(rc != CURLE_OK || code != 200);
  /* Unreachable node. */
  ASSERT_EQ(
      decc_kubo_add_file("http://127.0.0.1:1", path, &o, &cid, NULL, &err),
      DECC_E_NETWORK);
  server_stop(&s);
}

TEST(corrupt_block_fails_the_client) {
  server s;
  ASSERT_OK(server_start(&s, "srv4", 0));
  char *path = write_prng(3 * 262144, "c.bin");
  decc_kubo_add_opts o = {0, -1, 1, 30};
  decc_cid cid;
  decc_err err;
  ASSERT_OK(decc_kubo_add_file(s.url, path, &o, &cid, NULL, &err));
  /* Damage every leaf on disk: blocks/<xx>/<key>.data, skipping the root. */
  char key[DECC_CID_STR_MAX];
  decc_base32_encode(key, sizeof key, cid.mh, cid.mh_len);
  char cmd[2000];
  snprintf(cmd, sizeof cmd,
           "find '%s/blocks' -name '*.data' ! -name '%s.data' -exec chmod u+w "
           "{} \\; "
           "-exec sh -c 'printf X | dd of=\"$1\" bs=1 seek=50 conv=notrunc "
           "2>/dev/null' _ {} \\;",
           s.dir, key);
  ASSERT_EQ(system(cmd), 0);
  sink k;
  decc_buf_init(&k.b, 0);
  decc_err_clear(&err);
  decc_status st = decc_kubo_cat(s.url, &cid, 1, sink_write, &k, 30, &err);
  ASSERT(st != DECC_OK);
  ASSERT_EQ(k.b.len, 0); /* the server stopped before the bad leaf */
  decc_buf_clear(&k.b);
  server_stop(&s);
}

TEST(block_get_route_and_relabelled_cid) {
  server s;
  ASSERT_OK(server_start(&s, "srv5", 0));
  char *path = write_prng(2 * 262144 + 9, "b.bin");
  decc_kubo_add_opts o = {0, -1, 1, 30};
  decc_cid cid;
  decc_err err;
  ASSERT_OK(decc_kubo_add_file(s.url, path, &o, &cid, NULL, &err));
  char cs[DECC_CID_STR_MAX], url[400], *body = NULL;
  ASSERT_OK(decc_cid_to_string(cs, sizeof cs, &cid));
  /* The raw root block: what the store holds, byte for byte. */
  snprintf(url, sizeof url, "%s/api/v0/block/get?arg=%s", s.url, cs);
  CURL *c = curl_easy_init();
  size_t blen = 0;
  FILE *mem = open_memstream(&body, &blen);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
  ASSERT_EQ(curl_easy_perform(c), CURLE_OK);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  fclose(mem);
  curl_easy_cleanup(c);
  ASSERT_EQ(code, 200);
  uint8_t *want = NULL;
  size_t wn = 0;
  ASSERT_OK(decc_blockstore_get(s.cfg.bs, &cid, &want, &wn, NULL));
  ASSERT(blen == wn && memcmp(body, want, wn) == 0);
  decc_free(want);
  free(body);
  /* Errors: no arg, bad CID, unknown block, wrong method. */
  snprintf(url, sizeof url, "%s/api/v0/block/get", s.url);
  ASSERT_EQ(raw_request(url, "POST", "", NULL, &body), 400);
  free(body);
  snprintf(url, sizeof url, "%s/api/v0/block/get?arg=zzz", s.url);
  ASSERT_EQ(raw_request(url, "POST", "", NULL, &body), 400);
  free(body);
  snprintf(
      url, sizeof url,
      "%s/api/v0/block/get?arg=QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ",
      s.url);
  ASSERT_EQ(raw_request(url, "POST", "", NULL, &body), 404);
  free(body);
  ASSERT_EQ(raw_request(url, "GET", NULL, NULL, &body), 405);
  free(body);
  /* A CIDv1 dag-pb naming the CIDv0 DAG (js-ipfs toV1()) reads the same. */
  decc_cid v1 = cid;
  v1.version = 1;
  sink k;
  decc_buf_init(&k.b, 0);
  decc_err_clear(&err);
  ASSERT_OK(decc_kubo_cat(s.url, &v1, 1, sink_write, &k, 30, &err));
  size_t flen;
  char *file = decc_test_read_file(path, &flen);
  ASSERT(file && flen == k.b.len && memcmp(file, k.b.data, flen) == 0);
  free(file);
  decc_buf_clear(&k.b);
  /* An unreachable node is a network error, nothing written. */
  decc_buf_init(&k.b, 0);
  ASSERT_EQ(
      decc_kubo_cat("http://127.0.0.1:1", &cid, 1, sink_write, &k, 5, &err),
      DECC_E_NETWORK);
  ASSERT_EQ(k.b.len, 0);
  server_stop(&s);
}
