/*
 * http.c — the store's HTTP routes, as served by decc's node on
 * libmicrohttpd: Kubo RPC /api/v0/add (multipart upload streamed into the
 * importer, one JSON line per file like Kubo), /api/v0/cat (file streamed
 * out of the exporter), /api/v0/block/get (one raw block, what a verifying
 * client fetches) and the gateway route GET /ipfs/<cid>. Errors use
 * Kubo's JSON shape {"Message","Code","Type":"error"}.
 *
 * Request bodies are parsed incrementally with MHD's post processor, so an
 * upload is never held in memory; the body size is capped
 * (max_add_bytes) and the request fails with 413 past it.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/buf.h"
#include "decc/http.h"
#include "decc/mem.h"
#include "store_int.h"

#define KIND_ADD 1
#define NAME_MAX_LEN 255
#define OUT_MAX (4u * 1024 * 1024) /* JSON lines of one add response */

typedef struct add_req {
  int kind;
  const decc_store_http_cfg *cfg;
  struct MHD_PostProcessor *pp;
  decc_import_opts opts;
  int pin;
  decc_importer *imp; /* current file, NULL between files */
  char name[NAME_MAX_LEN + 1];
  uint64_t body;
  int files;
  decc_buf out;
  unsigned http_status; /* 0 = fine so far */
  decc_err err;
} add_req;

/* Queues r on c with the CORS header the node's server allows (a browser
 * page may read the answer), then drops this reference to r. */
static int queue_answer(struct MHD_Connection *c, unsigned status,
                        struct MHD_Response *r) {
  decc_http_raw_cors(c, r);
  int ret = (int)MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

/* Kubo's error codes: 0 normal, 1 client, 3 not found. The handlers return
   MHD_YES / MHD_NO as int (decc_store_http_handle's contract in store.h, which
   does not expose MHD's enum): hence the explicit (int) conversions. */
static int send_error(struct MHD_Connection *c, unsigned status,
                      const char *msg) {
  int code = status == 404 ? 3 : (status >= 400 && status < 500) ? 1 : 0;
  json_t *j =
      json_pack("{s:s,s:i,s:s}", "Message", msg, "Code", code, "Type", "error");
  char *body = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(j);
  size_t len = body ? strlen(body) : 0;
  struct MHD_Response *r = MHD_create_response_from_buffer(
      len, body ? body : (char *)"",
      body ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
  free(body);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "application/json");
  return queue_answer(c, status, r);
}

static unsigned status_for(decc_status st) {
  switch (st) {
  case DECC_E_NOT_FOUND:
    return 404;
  case DECC_E_PARSE:
  case DECC_E_INVALID:
  case DECC_E_RANGE:
  case DECC_E_UNSUPPORTED:
    return 400;
  case DECC_E_LIMIT:
    return 413;
  default:
    return 500;
  }
}

int decc_store_http_route(const char *url) {
  DECC_ARG_CHECK_RET(url != NULL, 0);
  return (!strcmp(url, "/api/v0/add") || !strcmp(url, "/api/v0/cat") ||
          !strcmp(url, "/api/v0/block/get") || !strncmp(url, "/ipfs/", 6));
}

void decc_store_http_completed(void **con_cls) {
  DECC_ARG_CHECK_VOID(con_cls != NULL);
  add_req *r = *con_cls;
  if (!r)
    return;
  if (r->pp)
    MHD_destroy_post_processor(r->pp);
  decc_importer_destroy(r->imp);
  decc_buf_clear(&r->out);
  decc_free(r);
  *con_cls = NULL;
}

/* Parses a boolean query argument ("true"/"false"/"1"/"0"). */
static int arg_bool(struct MHD_Connection *c, const char *key, int dflt,
                    int *ok) {
  const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
  if (!v)
    return dflt;
  if (!strcmp(v, "true") || !strcmp(v, "1") || !*v)
    return 1;
  if (!strcmp(v, "false") || !strcmp(v, "0"))
    return 0;
  *ok = 0;
  return dflt;
}

/* Closes the file being imported and appends its JSON line. */
static void finish_file(add_req *r) {
  if (!r->imp)
    return;
  decc_cid root;
  uint64_t cum = 0;
  decc_status st = decc_importer_final(r->imp, &root, &cum, NULL, &r->err);
  decc_importer_destroy(r->imp);
  r->imp = NULL;
  if (!st && r->pin)
    st = decc__pin_record(r->cfg->bs, &root, &r->err);
  if (!st && !r->pin)
    st = decc_blockstore_sync(r->cfg->bs, &r->err);
  char cs[DECC_CID_STR_MAX], size[24];
  if (!st)
    st = decc_cid_to_string(cs, sizeof cs, &root);
  if (st) {
    r->http_status = status_for(st);
    return;
  }
  snprintf(size, sizeof size, "%llu", (unsigned long long)cum);
  json_t *j =
      json_pack("{s:s,s:s,s:s}", "Name", r->name, "Hash", cs, "Size", size);
  char *line = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(j);
  if (!line || decc_buf_append_str(&r->out, line) ||
      decc_buf_append_byte(&r->out, '\n')) {
    r->http_status = 500;
    decc_err_set(&r->err, DECC_E_NOMEM, "add: response too large");
  }
  free(line);
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *filename,
                               const char *content_type,
                               const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size) {
  add_req *r = cls;
  (void)kind;
  (void)content_type;
  (void)transfer_encoding;
  if (r->http_status)
    return MHD_NO;
  if (!filename && (!key || strcmp(key, "file")))
    return MHD_YES; /* an ordinary form field: not a file */
  if (off == 0) {
    /* A new file part begins. */
    finish_file(r);
    if (r->http_status)
      return MHD_NO;
    decc_status st = decc_importer_create(
        &r->imp, &r->opts, decc_blockstore_put_trusted, r->cfg->bs, &r->err);
    if (st) {
      r->http_status = status_for(st);
      return MHD_NO;
    }
    r->files++;
    const char *nm = filename ? filename : "";
    const char *slash = strrchr(nm, '/');
    snprintf(r->name, sizeof r->name, "%s", slash ? slash + 1 : nm);
  }
  if (size && decc_importer_update(r->imp, data, size, &r->err)) {
    r->http_status = status_for(r->err.code);
    return MHD_NO;
  }
  return MHD_YES;
}

static int start_add(const decc_store_http_cfg *cfg, struct MHD_Connection *c,
                     void **con_cls) {
  if (cfg->read_only)
    return send_error(c, 403, "add: this node is read-only");
  int ok = 1;
  unsigned ver = 0;
  const char *v =
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cid-version");
  if (v && !strcmp(v, "1"))
    ver = 1;
  else if (v && strcmp(v, "0"))
    return send_error(c, 400, "add: cid-version must be 0 or 1");
  const char *hash =
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "hash");
  if (hash && strcmp(hash, "sha2-256"))
    return send_error(c, 400, "add: only hash=sha2-256 is supported");
  const char *chunker =
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "chunker");
  if (chunker && strcmp(chunker, "size-262144"))
    return send_error(c, 400, "add: only chunker=size-262144 is supported");
  /* Refuse an announced oversize body before reading any of it. */
  uint64_t max = cfg->max_add_bytes ? cfg->max_add_bytes : (uint64_t)1 << 30;
  const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl && strtoull(cl, NULL, 10) > max) {
    char m[96];
    snprintf(m, sizeof m, "add: request body exceeds %llu bytes",
             (unsigned long long)max);
    return send_error(c, 413, m);
  }
  add_req *r = decc_calloc(1, sizeof *r);
  if (!r)
    return MHD_NO;
  r->kind = KIND_ADD;
  r->cfg = cfg;
  decc_import_opts_default(&r->opts, ver);
  r->opts.raw_leaves = arg_bool(c, "raw-leaves", ver == 1, &ok);
  r->pin = arg_bool(c, "pin", 1, &ok);
  decc_buf_init(&r->out, OUT_MAX);
  decc_err_clear(&r->err);
  *con_cls = r;
  if (!ok)
    return send_error(c, 400, "add: boolean arguments take true or false");
  if (ver == 0 && r->opts.raw_leaves)
    return send_error(c, 400, "add: raw-leaves needs cid-version=1");
  r->pp = MHD_create_post_processor(c, 64 * 1024, on_part, r);
  if (!r->pp)
    return send_error(c, 400,
                      "add: expected a multipart/form-data request body");
  return MHD_YES;
}

static int continue_add(struct MHD_Connection *c, add_req *r,
                        const char *upload_data, size_t *upload_data_size) {
  uint64_t max =
      r->cfg->max_add_bytes ? r->cfg->max_add_bytes : (uint64_t)1 << 30;
  if (*upload_data_size) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    r->body += n;
    if (r->body > max)
      return MHD_NO; /* unannounced (chunked) oversize body: drop it */
    if (MHD_post_process(r->pp, upload_data, n) != MHD_YES) {
      if (r->http_status)
        return send_error(c, r->http_status,
                          r->err.msg[0] ? r->err.msg : "add failed");
      return send_error(c, 400, "add: malformed multipart body");
    }
    return MHD_YES;
  }
  /* End of the body: close the last file and answer. */
  finish_file(r);
  if (r->http_status)
    return send_error(c, r->http_status,
                      r->err.msg[0] ? r->err.msg : "add failed");
  if (r->files == 0)
    return send_error(c, 400, "add: no file in the request");
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      r->out.len, r->out.data, MHD_RESPMEM_MUST_COPY);
  if (!resp)
    return MHD_NO;
  MHD_add_response_header(resp, "Content-Type", "application/json");
  MHD_add_response_header(resp, "X-Chunked-Output", "1");
  return queue_answer(c, MHD_HTTP_OK, resp);
}

static ssize_t cat_reader(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  size_t got = 0;
  if (decc_exporter_read(cls, (uint8_t *)buf, max, &got, NULL))
    return MHD_CONTENT_READER_END_WITH_ERROR;
  return got ? (ssize_t)got : MHD_CONTENT_READER_END_OF_STREAM;
}

static void cat_free(void *cls) { decc_exporter_destroy(cls); }

static int parse_u64(const char *s, uint64_t *v) {
  if (!s || !*s)
    return 0;
  char *end;
  unsigned long long x = strtoull(s, &end, 10);
  if (*end || s[0] == '-')
    return -1;
  *v = x;
  return 0;
}

static int serve_file(const decc_store_http_cfg *cfg, struct MHD_Connection *c,
                      const char *cidtext, int gateway) {
  decc_cid cid;
  decc_err err;
  decc_err_clear(&err);
  if (decc_cid_parse(&cid, cidtext, &err))
    return send_error(c, 400, err.msg);
  uint64_t off = 0, len = UINT64_MAX;
  if (!gateway && (parse_u64(MHD_lookup_connection_value(
                                 c, MHD_GET_ARGUMENT_KIND, "offset"),
                             &off) ||
                   parse_u64(MHD_lookup_connection_value(
                                 c, MHD_GET_ARGUMENT_KIND, "length"),
                             &len)))
    return send_error(c, 400, "cat: offset and length are byte counts");
  decc_exporter *ex;
  decc_status st = decc_exporter_create(&ex, decc__blockstore_get_unverified,
                                        cfg->bs, &cid, off, len, &err);
  if (st)
    return send_error(c, status_for(st), err.msg);
  uint64_t size = decc_exporter_file_size(ex) - off;
  if (len < size)
    size = len;
  struct MHD_Response *r = MHD_create_response_from_callback(
      size, 64 * 1024, cat_reader, ex, cat_free);
  if (!r) {
    decc_exporter_destroy(ex);
    return MHD_NO;
  }
  char cs[DECC_CID_STR_MAX];
  if (decc_cid_to_string(cs, sizeof cs, &cid) == DECC_OK) {
    char etag[DECC_CID_STR_MAX + 4];
    snprintf(etag, sizeof etag, "\"%s\"", cs);
    MHD_add_response_header(r, "Etag", etag);
    if (gateway) {
      char path[DECC_CID_STR_MAX + 8];
      snprintf(path, sizeof path, "/ipfs/%s", cs);
      MHD_add_response_header(r, "X-Ipfs-Path", path);
      MHD_add_response_header(r, "Cache-Control",
                              "public, max-age=29030400, immutable");
    }
  }
  MHD_add_response_header(r, "Content-Type",
                          gateway ? "application/octet-stream" : "text/plain");
  return queue_answer(c, MHD_HTTP_OK, r);
}

/* One block as stored (Kubo's block/get): verified against its CID on the
 * way out, so this node never serves a block its disk damaged. */
static int serve_block(const decc_store_http_cfg *cfg, struct MHD_Connection *c,
                       const char *cidtext) {
  decc_cid cid;
  decc_err err;
  decc_err_clear(&err);
  if (decc_cid_parse(&cid, cidtext, &err))
    return send_error(c, 400, err.msg);
  uint8_t *block = NULL;
  size_t n = 0;
  decc_status st = decc_blockstore_get(cfg->bs, &cid, &block, &n, &err);
  if (st)
    return send_error(c, status_for(st), err.msg);
  struct MHD_Response *r = MHD_create_response_from_buffer(
      n, block ? block : (uint8_t *)"", MHD_RESPMEM_MUST_COPY);
  decc_free(block);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "application/octet-stream");
  return queue_answer(c, MHD_HTTP_OK, r);
}

int decc_store_http_handle(const decc_store_http_cfg *cfg,
                           struct MHD_Connection *c, const char *url,
                           const char *method, const char *upload_data,
                           size_t *upload_data_size, void **con_cls) {
  DECC_ARG_CHECK_RET(cfg != NULL, (int)MHD_NO);
  DECC_ARG_CHECK_RET(c != NULL, (int)MHD_NO);
  DECC_ARG_CHECK_RET(url != NULL, (int)MHD_NO);
  DECC_ARG_CHECK_RET(method != NULL, (int)MHD_NO);
  DECC_ARG_CHECK_RET(upload_data_size != NULL, (int)MHD_NO);
  DECC_ARG_CHECK_RET(con_cls != NULL, (int)MHD_NO);
  if (*con_cls) {
    add_req *r = *con_cls;
    if (r->kind == KIND_ADD)
      return continue_add(c, r, upload_data, upload_data_size);
    return MHD_NO;
  }
  if (!strncmp(url, "/ipfs/", 6)) {
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
      return send_error(c, 405, "gateway: only GET and HEAD are allowed");
    const char *id = url + 6;
    size_t n = strcspn(id, "/");
    if (id[n] && id[n + 1])
      return send_error(c, 400,
                        "gateway: paths inside a CID are not supported "
                        "(files only)");
    char text[2 * DECC_CID_STR_MAX];
    if (n == 0 || n >= sizeof text)
      return send_error(c, 400, "gateway: expected /ipfs/<cid>");
    memcpy(text, id, n);
    text[n] = 0;
    return serve_file(cfg, c, text, 1);
  }
  /* Kubo's RPC API only accepts POST. */
  if (strcmp(method, "POST")) {
    char m[96];
    snprintf(m, sizeof m, "method %.16s not allowed on the RPC API (use POST)",
             method);
    return send_error(c, 405, m);
  }
  if (!strcmp(url, "/api/v0/add"))
    return start_add(cfg, c, con_cls);
  if (!strcmp(url, "/api/v0/block/get")) {
    if (*upload_data_size)
      *upload_data_size = 0;
    const char *arg =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "arg");
    if (!arg)
      return send_error(c, 400, "argument \"cid\" is required");
    if (!strncmp(arg, "/ipfs/", 6))
      arg += 6;
    return serve_block(cfg, c, arg);
  }
  if (!strcmp(url, "/api/v0/cat")) {
    /* A body is not expected; any is ignored. */
    if (*upload_data_size) {
      *upload_data_size = 0;
    }
    const char *arg =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "arg");
    if (!arg)
      return send_error(c, 400, "argument \"ipfs-path\" is required");
    if (!strncmp(arg, "/ipfs/", 6))
      arg += 6;
    return serve_file(cfg, c, arg, 0);
  }
  return send_error(c, 404, "404 page not found");
}
