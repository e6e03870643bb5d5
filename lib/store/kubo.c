/*
 * kubo.c — client for a real IPFS node's Kubo RPC API over libcurl (also
 * works against decc's own routes): add a file (multipart upload streamed
 * from disk) and cat a CID. A verified cat fetches the DAG block by block
 * (/api/v0/block/get) through the exporter, which re-hashes every block
 * before any of its bytes reach the caller: the node is not trusted.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "store_int.h"

#define RESP_MAX (1u << 20)

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static int g_curl_ok;
static void curl_once(void) {
  g_curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static decc_status curl_start(CURL **out, decc_err *err) {
  /* curl_global_init is not thread-safe: run it exactly once */
  pthread_once(&g_curl_once, curl_once);
  if (!g_curl_ok)
    return decc_err_set(err, DECC_E_NETWORK, "libcurl: cannot initialise");
  *out = curl_easy_init();
  if (!*out)
    return decc_err_set(err, DECC_E_NOMEM, "libcurl: out of memory");
  return DECC_OK;
}

static size_t collect(char *p, size_t sz, size_t nm, void *ud) {
  decc_buf *b = ud;
  size_t n = sz * nm;
  return decc_buf_append(b, p, n) == DECC_OK ? n : 0;
}

/* Extracts Kubo's {"Message": …} from an error body (or the raw text). */
static decc_status node_error(decc_err *err, long code, const decc_buf *body,
                              const char *what) {
  const char *msg = NULL;
  json_t *j = body->len
                  ? json_loadb((const char *)body->data, body->len, 0, NULL)
                  : NULL;
  if (j)
    msg = json_string_value(json_object_get(j, "Message"));
  decc_status st = decc_err_set(
      err, DECC_E_NETWORK, "%s: node answered HTTP %ld: %.160s", what, code,
      msg         ? msg
      : body->len ? (const char *)body->data
                  : "(no body)");
  json_decref(j);
  return st;
}

static char *make_url(const char *api, const char *path_and_query) {
  size_t la = strlen(api);
  while (la > 0 && api[la - 1] == '/')
    la--;
  size_t lp = strlen(path_and_query);
  char *u = decc_malloc(la + lp + 1);
  if (u) {
    memcpy(u, api, la);
    memcpy(u + la, path_and_query, lp + 1);
  }
  return u;
}

decc_status decc_kubo_add_file(const char *api_url, const char *path,
                               const decc_kubo_add_opts *opts, decc_cid *cid,
                               uint64_t *size, decc_err *err) {
  DECC_ARG_CHECK(api_url != NULL);
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(cid != NULL);
  decc_kubo_add_opts o = {0, -1, 1, 0};
  if (opts)
    o = *opts;
  if (o.cid_version > 1)
    return decc_err_set(err, DECC_E_INVALID, "add: CID version must be 0 or 1");
  FILE *probe = fopen(path, "rb");
  if (!probe)
    return decc_err_set(err, DECC_E_IO, "%s: cannot open", path);
  fclose(probe);
  char q[160];
  snprintf(
      q, sizeof q,
      "/api/v0/add?cid-version=%u&pin=%s&progress=false&stream-channels=true%s",
      o.cid_version, o.pin ? "true" : "false",
      o.raw_leaves < 0 ? ""
      : o.raw_leaves   ? "&raw-leaves=true"
                       : "&raw-leaves=false");
  char *url = make_url(api_url, q);
  if (!url)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  CURL *c;
  decc_status st = curl_start(&c, err);
  if (st) {
    decc_free(url);
    return st;
  }
  decc_buf body;
  decc_buf_init(&body, RESP_MAX);
  char ebuf[CURL_ERROR_SIZE] = "";
  curl_mime *mime = curl_mime_init(c);
  curl_mimepart *part = mime ? curl_mime_addpart(mime) : NULL;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (!part || curl_mime_name(part, "file") != CURLE_OK ||
      curl_mime_filedata(part, path) != CURLE_OK ||
      curl_mime_filename(part, base) != CURLE_OK ||
      curl_mime_type(part, "application/octet-stream") != CURLE_OK) {
    st = decc_err_set(err, DECC_E_NOMEM, "add: cannot build the request");
    goto out;
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  if (o.timeout_s > 0)
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o.timeout_s);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && code != 200)) {
    st = decc_err_set(err, DECC_E_NETWORK, "add: %s: %s", api_url,
                      ebuf[0] ? ebuf : curl_easy_strerror(rc));
    goto out;
  }
  if (code != 200) {
    st = node_error(err, code, &body, "add");
    goto out;
  }
  /* One JSON object per line; the file's entry is the last one. */
  const char *text = body.len ? (const char *)body.data : "";
  size_t end = body.len;
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r'))
    end--;
  size_t start = end;
  while (start > 0 && text[start - 1] != '\n')
    start--;
  json_t *j = json_loadb(text + start, end - start, 0, NULL);
  const char *hash = json_string_value(json_object_get(j, "Hash"));
  json_t *js = json_object_get(j, "Size");
  if (!hash) {
    st = decc_err_set(err, DECC_E_PARSE, "add: unexpected answer: %.120s",
                      text + start);
  } else {
    st = decc_cid_parse(cid, hash, err);
    if (!st && size) {
      *size = 0;
      if (json_is_integer(js))
        *size = (uint64_t)json_integer_value(js);
      else if (json_is_string(js))
        *size = strtoull(json_string_value(js), NULL, 10);
    }
  }
  json_decref(j);
out:
  curl_mime_free(mime);
  curl_easy_cleanup(c);
  decc_buf_clear(&body);
  decc_free(url);
  return st;
}

/* ---- cat, unverified (verify = 0): /api/v0/cat streamed as received ---- */

typedef struct cat_ctx {
  CURL *c;
  long code;
  decc_buf errbody;
  decc_write_fn write_fn;
  void *ud;
  decc_status st;
  decc_err *err;
} cat_ctx;

static size_t cat_write(char *p, size_t sz, size_t nm, void *ud) {
  cat_ctx *x = ud;
  size_t n = sz * nm;
  if (!x->code)
    curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &x->code);
  if (x->code != 200) {
    /* Keep a bounded piece of the error body for the message. */
    size_t room = 4096 > x->errbody.len ? 4096 - x->errbody.len : 0;
    if (decc_buf_append(&x->errbody, p, n < room ? n : room))
      return 0;
    return n;
  }
  if ((x->st = x->write_fn(x->ud, (const uint8_t *)p, n, x->err)) != DECC_OK)
    return 0;
  return n;
}

static decc_status cat_unverified(const char *api_url, const char *cs,
                                  decc_write_fn write_fn, void *ud,
                                  long timeout_s, decc_err *err) {
  char q[DECC_CID_STR_MAX + 32];
  snprintf(q, sizeof q, "/api/v0/cat?arg=%s", cs);
  char *url = make_url(api_url, q);
  if (!url)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  cat_ctx x;
  memset(&x, 0, sizeof x);
  x.write_fn = write_fn;
  x.ud = ud;
  x.err = err;
  decc_buf_init(&x.errbody, 8192);
  decc_status st = curl_start(&x.c, err);
  if (st) {
    decc_free(url);
    return st;
  }
  char ebuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(x.c, CURLOPT_URL, url);
  curl_easy_setopt(x.c, CURLOPT_POST, 1L);
  curl_easy_setopt(x.c, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(x.c, CURLOPT_POSTFIELDSIZE, 0L);
  curl_easy_setopt(x.c, CURLOPT_WRITEFUNCTION, cat_write);
  curl_easy_setopt(x.c, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(x.c, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt(x.c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(x.c, CURLOPT_CONNECTTIMEOUT, 30L);
  if (timeout_s > 0)
    curl_easy_setopt(x.c, CURLOPT_TIMEOUT, timeout_s);
  CURLcode rc = curl_easy_perform(x.c);
  long code = 0;
  curl_easy_getinfo(x.c, CURLINFO_RESPONSE_CODE, &code);
  if (x.st)
    st = x.st; /* the writer's error, already in err */
  else if (rc != CURLE_OK)
    st = decc_err_set(err, DECC_E_NETWORK, "cat %s: %s", cs,
                      ebuf[0] ? ebuf : curl_easy_strerror(rc));
  else if (code != 200)
    st = node_error(err, code, &x.errbody, "cat");
  decc_buf_clear(&x.errbody);
  curl_easy_cleanup(x.c);
  decc_free(url);
  return st;
}

/* ---- cat, verified: block by block through the exporter ------------------
 *
 * The node is not trusted: each block is fetched with /api/v0/block/get and
 * handed to the same exporter that reads the local store, which re-hashes it
 * against the CID that named it (the root's from the caller, the others
 * from links of already verified parents) and checks the sizes parents
 * promise. Only bytes of verified blocks reach write_fn, so a lying node
 * can cut the output short (and the call fails) but never put a byte in it
 * that is not the CID's. This also accepts any chunking or layout, unlike a
 * re-import, which only recognised the default importer profiles. */

typedef struct block_fetch {
  CURL *c;
  const char *api_url;
  long timeout_s;
  struct timespec deadline; /* valid when timeout_s > 0 */
  decc_buf body;
} block_fetch;

static size_t block_collect(char *p, size_t sz, size_t nm, void *ud) {
  decc_buf *b = ud;
  size_t n = sz * nm;
  /* Past the cap the transfer is aborted (CURLE_WRITE_ERROR). */
  return decc_buf_append(b, p, n) == DECC_OK ? n : 0;
}

/* Milliseconds left before the overall deadline (<= 0: expired). */
static long ms_left(const block_fetch *f) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long)(f->deadline.tv_sec - now.tv_sec) * 1000 +
         (f->deadline.tv_nsec - now.tv_nsec) / 1000000;
}

/* A decc_block_get_fn fetching one block from the node (not verified here:
 * the exporter verifies every block it is given). */
static decc_status kubo_block_get(void *ud, const decc_cid *cid,
                                  uint8_t **block, size_t *n, decc_err *err) {
  block_fetch *f = ud;
  *block = NULL;
  *n = 0;
  char cs[DECC_CID_STR_MAX];
  if (decc_cid_to_string(cs, sizeof cs, cid))
    return decc_err_set(err, DECC_E_INVALID, "cat: invalid CID in the DAG");
  char q[DECC_CID_STR_MAX + 32];
  snprintf(q, sizeof q, "/api/v0/block/get?arg=%s", cs);
  char *url = make_url(f->api_url, q);
  if (!url)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (f->timeout_s > 0) {
    long left = ms_left(f);
    if (left <= 0) {
      decc_free(url);
      return decc_err_set(err, DECC_E_NETWORK,
                          "cat: timed out after %ld s (block %s)", f->timeout_s,
                          cs);
    }
    curl_easy_setopt(f->c, CURLOPT_TIMEOUT_MS, left);
  }
  decc_buf_reset(&f->body);
  char ebuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(f->c, CURLOPT_URL, url);
  curl_easy_setopt(f->c, CURLOPT_ERRORBUFFER, ebuf);
  CURLcode rc = curl_easy_perform(f->c);
  long code = 0;
  curl_easy_getinfo(f->c, CURLINFO_RESPONSE_CODE, &code);
  decc_free(url);
  decc_status st = DECC_OK;
  if (rc == CURLE_WRITE_ERROR && code == 200)
    st = decc_err_set(err, DECC_E_CORRUPT,
                      "cat: the node sent more than %u bytes for block %s",
                      DECC_STORE_MAX_BLOCK, cs);
  else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && code != 200))
    st = decc_err_set(err, DECC_E_NETWORK, "cat: block %s: %s", cs,
                      ebuf[0] ? ebuf : curl_easy_strerror(rc));
  else if (code != 200) {
    /* Error bodies are short; keep the first part for the message. */
    if (f->body.len > 4096) {
      f->body.len = 4096;
      f->body.data[4096] = 0;
    }
    st = node_error(err, code, &f->body, "cat: block/get");
  }
  if (st)
    return st;
  *block = decc_buf_steal(&f->body, n);
  return DECC_OK;
}

decc_status decc_kubo_cat(const char *api_url, const decc_cid *cid, int verify,
                          decc_write_fn write_fn, void *ud, long timeout_s,
                          decc_err *err) {
  DECC_ARG_CHECK(api_url != NULL);
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(write_fn != NULL);
  char cs[DECC_CID_STR_MAX];
  if (decc_cid_to_string(cs, sizeof cs, cid))
    return decc_err_set(err, DECC_E_INVALID, "cat: invalid CID");
  if (!verify)
    return cat_unverified(api_url, cs, write_fn, ud, timeout_s, err);
  block_fetch f;
  memset(&f, 0, sizeof f);
  f.api_url = api_url;
  f.timeout_s = timeout_s;
  if (timeout_s > 0) {
    clock_gettime(CLOCK_MONOTONIC, &f.deadline);
    f.deadline.tv_sec += timeout_s;
  }
  /* One block at most, plus room to notice an oversize answer. */
  decc_buf_init(&f.body, DECC_STORE_MAX_BLOCK);
  decc_status st = curl_start(&f.c, err);
  if (st)
    return st;
  /* One handle for every block: the connection is kept alive. */
  curl_easy_setopt(f.c, CURLOPT_POST, 1L);
  curl_easy_setopt(f.c, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(f.c, CURLOPT_POSTFIELDSIZE, 0L);
  curl_easy_setopt(f.c, CURLOPT_WRITEFUNCTION, block_collect);
  curl_easy_setopt(f.c, CURLOPT_WRITEDATA, &f.body);
  curl_easy_setopt(f.c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(f.c, CURLOPT_CONNECTTIMEOUT, 30L);
  decc_exporter *ex = NULL;
  uint8_t *buf = NULL;
  st = decc_exporter_create(&ex, kubo_block_get, &f, cid, 0, UINT64_MAX, err);
  if (!st && !(buf = decc_malloc(1 << 16)))
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  while (!st) {
    size_t got = 0;
    st = decc_exporter_read(ex, buf, 1 << 16, &got, err);
    if (st || got == 0)
      break;
    st = write_fn(ud, buf, got, err);
  }
  decc_free(buf);
  decc_exporter_destroy(ex);
  decc_buf_clear(&f.body);
  curl_easy_cleanup(f.c);
  return st;
}
