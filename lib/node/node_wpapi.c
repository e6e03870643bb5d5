/*
 * node_wpapi.c — what iExec's compass and workerpool API (iexec-core)
 * answer to the iexec SDK (9.x, dist/esm/common/execution/debug.js), so
 * that `task.fetchOffchainInfo` and `task.fetchLogs` work against a node:
 *
 *   GET /{chainId}/workerpools/{address}   compass: {"apiUrl": <this node>}
 *                                          for a workerpool this node's
 *                                          scheduler serves, 404 otherwise
 *   GET /tasks/{taskid}                    the task's off-chain view
 *                                          (currentStatus, dateStatusList,
 *                                          replicates), built from the hub's
 *                                          task events and the local
 *                                          worker's record; public
 *   GET /tasks/logs/challenge?address=A    EIP-712 Challenge(string) typed
 *                                          data under {name:"iExec Core",
 *                                          version:"1", chainId}
 *   GET /tasks/{taskid}/logs               Authorization: <typedDataHash>_
 *                                          <signature>_<address>; the app's
 *                                          stdout / stderr kept by the local
 *                                          worker, for the task's requester
 *                                          (deal.requester on chain) only
 *   GET /tasks/{taskid}/attestation        the platform's quote of the
 *                                          enclave that ran the task, with
 *                                          the result key's binding
 *                                          signature (decc/enclave.h
 *                                          attestation_path); public: it
 *                                          holds no secret, and a result
 *                                          provenance bundle carries it
 *
 * Why a separate EIP-712 domain from the market's login ("iExec Gateway"):
 * a login signature must not open the logs and vice versa. A challenge is
 * random, tied to the address that asked for it, used once and expires
 * after challenge_ttl seconds; the outstanding ones are bounded. The
 * signature is checked in C (secp256k1 recovery over the typed-data
 * digest), then the recovered address against the requester of the deal
 * the task belongs to, read from the chain the node uses.
 *
 * The SDK resolves every endpoint with `new URL(endpoint, apiUrl)` and the
 * endpoints are absolute paths, so the workerpool API must sit at the root
 * of the host compass names: apiUrl is this node's own base URL, as the
 * client reached it (its Host header; https when a reverse proxy says
 * X-Forwarded-Proto: https).
 *
 * Logs are those of the worker of this node (<home>/worker/logs/<task>.json,
 * written by lib/worker with each stream capped at the enclave's
 * log_max_bytes); a task run by a worker on another host has its logs
 * there, and this node answers 404 saying so.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "decc/attest.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/hub.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "decc/worker.h"
#include "node_int.h"

#define WP_CHALLENGES_MAX 4096
#define WP_CHALLENGES_PER_ADDR 8
#define WP_LOG_FILE_MAX (8u << 20) /* the worker's file; far above its caps */
#define WP_STREAM_MAX (1u << 20)   /* each stream in an answer */
#define WP_EVENTS_MAX 512          /* task events read per request */
#define WP_DOMAIN_NAME "iExec Core"
#define WP_DOMAIN_VERSION "1"

typedef struct wp_challenge {
  decc_address addr;
  uint8_t digest[32];
  uint64_t expires;
} wp_challenge;

struct node_wpapi {
  decc_node *n;
  int has_sched, has_worker;
  decc_address sched_addr;  /* the scheduler key's address */
  decc_address worker_addr; /* the local worker's address */
  pthread_mutex_t mu;
  wp_challenge *ch; /* WP_CHALLENGES_MAX, allocated on first use */
  size_t n_ch;
};

/* ---- keys ------------------------------------------------------------------ */

/* The address of the 0x-hex private key in `path`; the key is read into
 * secure memory and wiped. */
static decc_status key_file_address(const char *what, const char *path,
                                    decc_address *out, decc_err *err) {
  if (!path)
    return decc_err_set(err, DECC_E_INVALID, "%s is required", what);
  FILE *f = fopen(path, "rb");
  if (!f)
    return decc_err_set(err, DECC_E_IO, "%s %s: %s", what, path,
                        strerror(errno));
  char *text = decc_secure_alloc(256);
  uint8_t *sk = decc_secure_alloc(32);
  decc_status st = DECC_OK;
  if (!text || !sk) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  } else {
    size_t len = fread(text, 1, 255, f);
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
                   text[len - 1] == ' '))
      len--;
    text[len] = 0;
    if (decc_hex_decode_exact(sk, 32, text, what, NULL) != DECC_OK ||
        decc_address_from_privkey(out, sk) != DECC_OK)
      st = decc_err_set(err, DECC_E_INVALID,
                        "%s %s: expected a 0x-hex 32-byte private key", what,
                        path);
  }
  fclose(f);
  decc_secure_free(text);
  decc_secure_free(sk);
  return st;
}

/* ---- challenges -------------------------------------------------------------- */

static void ch_purge(node_wpapi *w, uint64_t now) {
  size_t j = 0;
  for (size_t i = 0; i < w->n_ch; i++)
    if (w->ch[i].expires > now)
      w->ch[j++] = w->ch[i];
  w->n_ch = j;
}

static decc_status ch_add(node_wpapi *w, const decc_address *a,
                          const uint8_t digest[32]) {
  uint64_t now = (uint64_t)time(NULL);
  decc_status st = DECC_OK;
  pthread_mutex_lock(&w->mu);
  if (!w->ch && !(w->ch = decc_calloc(WP_CHALLENGES_MAX, sizeof *w->ch)))
    st = DECC_E_NOMEM;
  if (!st) {
    ch_purge(w, now);
    /* A client asking again and again keeps its newest few. */
    size_t per = 0, oldest = SIZE_MAX;
    for (size_t i = 0; i < w->n_ch; i++)
      if (decc_address_eq(&w->ch[i].addr, a)) {
        per++;
        if (oldest == SIZE_MAX || w->ch[i].expires < w->ch[oldest].expires)
          oldest = i;
      }
    if (per >= WP_CHALLENGES_PER_ADDR)
      w->ch[oldest] = w->ch[--w->n_ch];
    if (w->n_ch >= WP_CHALLENGES_MAX) {
      st = DECC_E_LIMIT;
    } else {
      w->ch[w->n_ch].addr = *a;
      memcpy(w->ch[w->n_ch].digest, digest, 32);
      w->ch[w->n_ch].expires = now + w->n->cfg.challenge_ttl_s;
      w->n_ch++;
    }
  }
  pthread_mutex_unlock(&w->mu);
  return st;
}

/* Consumes the challenge (addr, digest). Returns 1 when it was there. */
static int ch_take(node_wpapi *w, const decc_address *a,
                   const uint8_t digest[32]) {
  int found = 0;
  pthread_mutex_lock(&w->mu);
  if (w->ch) {
    ch_purge(w, (uint64_t)time(NULL));
    for (size_t i = 0; i < w->n_ch; i++)
      if (decc_address_eq(&w->ch[i].addr, a) &&
          decc_ct_memeq(w->ch[i].digest, digest, 32)) {
        w->ch[i] = w->ch[--w->n_ch];
        found = 1;
        break;
      }
  }
  pthread_mutex_unlock(&w->mu);
  return found;
}

/* The typed data of a challenge (what the SDK signs). Steals nothing. */
static json_t *challenge_typed(uint64_t chain_id, const char *challenge) {
  return json_pack("{s:{s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}],s:[{s:s,s:s}]},"
                   "s:{s:s,s:s,s:I},s:s,s:{s:s}}",
                   "types", "EIP712Domain", "name", "name", "type", "string",
                   "name", "version", "type", "string", "name", "chainId",
                   "type", "uint256", "Challenge", "name", "challenge", "type",
                   "string", "domain", "name", WP_DOMAIN_NAME, "version",
                   WP_DOMAIN_VERSION, "chainId", (json_int_t)chain_id,
                   "primaryType", "Challenge", "message", "challenge",
                   challenge);
}

/* Checks `Authorization: <hash>_<signature>_<address>`: the signature
 * recovers to the address over the hash, and the hash is an outstanding
 * challenge of that address (consumed). Out: *who. Answers the error itself
 * and returns non-zero otherwise. */
static int authenticate(node_wpapi *w, decc_http_request *req,
                        decc_http_response *res, decc_address *who) {
  const char *hdr = decc_http_req_header(req, "Authorization");
  if (!hdr || !*hdr) {
    (void)decc_http_res_error(res, 401,
                              "authorization required: GET "
                              "/tasks/logs/challenge?address=<you>, sign its "
                              "typed data, send Authorization: "
                              "<hash>_<signature>_<address>");
    return 1;
  }
  char parts[3][140];
  const char *p = hdr;
  for (int i = 0; i < 3; i++) {
    size_t k = strcspn(p, "_");
    if (k >= sizeof parts[i] || (i < 2 && p[k] != '_') || (i == 2 && p[k])) {
      (void)decc_http_res_error(res, 401,
                                "authorization: expected "
                                "<hash>_<signature>_<address>");
      return 1;
    }
    memcpy(parts[i], p, k);
    parts[i][k] = 0;
    p += k + (i < 2);
  }
  uint8_t digest[32], sig[65];
  decc_address rec;
  if (decc_hex_decode_exact(digest, 32, parts[0], "hash", NULL) != DECC_OK ||
      decc_hex_decode_exact(sig, 65, parts[1], "signature", NULL) != DECC_OK ||
      decc_address_parse(who, parts[2], NULL) != DECC_OK) {
    (void)decc_http_res_error(res, 401,
                              "authorization: malformed hash, signature or "
                              "address");
    return 1;
  }
  if (decc_recover_digest(&rec, digest, sig) != DECC_OK ||
      !decc_address_eq(&rec, who)) {
    (void)decc_http_res_error(res, 401,
                              "authorization: the signature does not match "
                              "the address");
    return 1;
  }
  if (!ch_take(w, who, digest)) {
    (void)decc_http_res_error(res, 401,
                              "authorization: unknown, expired or already "
                              "used challenge (GET /tasks/logs/challenge "
                              "again)");
    return 1;
  }
  return 0;
}

/* ---- chain ----------------------------------------------------------------- */

/* Timestamp of block `num`: the local ledger's block, or eth_getBlockByNumber
 * on chain_url. Returns 0 on success. */
static int block_time(decc_node *n, uint64_t num, uint64_t *ts) {
  if (!n->remote_chain && n->ledger_path) {
    decc_ledger *l = decc__node_pool_acquire(&n->pool);
    decc_ledger_block b;
    int rc = l && decc_ledger_block_get(l, num, &b, NULL) == DECC_OK ? 0 : -1;
    if (!rc)
      *ts = b.timestamp;
    if (l)
      decc__node_pool_release(&n->pool, l);
    return rc;
  }
  if (!n->cfg.chain_url)
    return -1;
  char body[160];
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\","
           "\"params\":[\"0x%" PRIx64 "\",false]}",
           num);
  const char *hdr[2] = {"Content-Type: application/json", NULL};
  decc_http_reply r;
  if (decc_http_fetch(&r, "POST", n->cfg.chain_url, hdr, body, strlen(body),
                      1 << 20, 10000, NULL) != DECC_OK) {
    decc_buf_clear(&r.body);
    return -1;
  }
  json_error_t je;
  json_t *j = r.status == 200
                  ? json_loadb((const char *)r.body.data, r.body.len, 0, &je)
                  : NULL;
  decc_buf_clear(&r.body);
  const char *t = json_string_value(
      json_object_get(json_object_get(j, "result"), "timestamp"));
  int rc = -1;
  if (t && !strncmp(t, "0x", 2) && strlen(t) > 2 && strlen(t) <= 18) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(t + 2, &end, 16);
    if (!errno && !*end) {
      *ts = v;
      rc = 0;
    }
  }
  json_decref(j);
  return rc;
}

/* ISO 8601 UTC with milliseconds, as iexec-core's dates. */
static json_t *iso_date(uint64_t unix_s) {
  time_t t = (time_t)unix_s;
  struct tm tm;
  char b[40];
  if (!gmtime_r(&t, &tm) ||
      !strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S.000Z", &tm))
    return json_null();
  return json_string(b);
}

/* Is `pool` served by this node's scheduler? (the configured workerpool,
 * or, with none configured, any workerpool its key owns). */
static int serves(node_wpapi *w, decc_chain *c, const decc_address *pool) {
  if (!w->has_sched)
    return 0;
  if (w->n->cfg.workerpool) {
    decc_address cfg;
    return decc_address_parse(&cfg, w->n->cfg.workerpool, NULL) == DECC_OK &&
           decc_address_eq(&cfg, pool);
  }
  decc_address owner;
  return decc_hub_owner_of(c, pool, &owner, NULL) == DECC_OK &&
         decc_address_eq(&owner, &w->sched_addr);
}

/* Reads the task and its deal. Answers the error itself (404 unknown task,
 * 502 chain) and returns non-zero on failure. */
static int task_and_deal(decc_chain *c, const uint8_t tid[32],
                         decc_poco_task *t, decc_poco_deal *d,
                         decc_http_response *res) {
  decc_err err;
  decc_err_clear(&err);
  decc_poco_task_init(t);
  if (decc_poco_deal_init(d) != DECC_OK) {
    (void)decc_http_res_error(res, 500, "out of memory");
    return 1;
  }
  if (decc_hub_view_task(c, tid, t, &err) != DECC_OK) {
    (void)decc_http_res_error(res, 502, "reading the task: %s", err.msg);
    return 1;
  }
  if (t->status == DECC_TASK_UNSET) {
    (void)decc_http_res_error(res, 404,
                              "unknown task (not initialized yet, or no such "
                              "task on chain)");
    return 1;
  }
  decc_poco_deal_clear(d);
  if (decc_hub_view_deal(c, t->deal_id, d, &err) != DECC_OK) {
    (void)decc_http_res_error(res, 502, "reading the deal: %s", err.msg);
    return 1;
  }
  return 0;
}

/* The local worker's record of the task (<home>/worker/logs/<task>.json),
 * or NULL. */
static json_t *local_record(node_wpapi *w, const uint8_t tid[32]) {
  if (!w->has_worker)
    return NULL;
  char th[DECC_HEX32_LEN];
  decc_hex_encode(th, tid, 32, 1);
  size_t len = strlen(w->n->cfg.home) + 100;
  char *path = decc_malloc(len);
  if (!path)
    return NULL;
  snprintf(path, len, "%s/worker/logs/%s.json", w->n->cfg.home, th);
  struct stat sb;
  json_error_t je;
  json_t *j = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
                      (uint64_t)sb.st_size <= WP_LOG_FILE_MAX
                  ? json_load_file(path, 0, &je)
                  : NULL;
  decc_free(path);
  if (j && !json_is_object(j)) {
    json_decref(j);
    j = NULL;
  }
  return j;
}

/* One stream of the record, its last WP_STREAM_MAX bytes (cut at a UTF-8
 * boundary). */
static json_t *stream(json_t *rec, const char *key) {
  json_t *s = json_object_get(rec, key);
  if (!json_is_string(s))
    return json_string("");
  const char *v = json_string_value(s);
  size_t len = json_string_length(s);
  if (len <= WP_STREAM_MAX)
    return json_stringn(v, len);
  size_t off = len - WP_STREAM_MAX;
  while (off < len && ((unsigned char)v[off] & 0xc0) == 0x80)
    off++;
  return json_stringn(v + off, len - off);
}

/* ---- routes ---------------------------------------------------------------- */

static int parse_task(decc_http_request *req, decc_http_response *res,
                      uint8_t tid[32]) {
  const char *s = decc_http_req_param(req, "taskid");
  if (!s || decc_hex_decode_exact(tid, 32, s, "task id", NULL) != DECC_OK) {
    (void)decc_http_res_error(res, 400,
                              "the task id must be 0x + 64 hex digits");
    return 1;
  }
  return 0;
}

/* The base URL the client reached this node with. */
static int self_url(decc_http_request *req, char *out, size_t cap) {
  const char *host = decc_http_req_header(req, "Host");
  if (!host || !*host || strlen(host) > 255)
    return -1;
  for (const char *p = host; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || strchr(".-:[]_", *p)))
      return -1;
  const char *proto = decc_http_req_header(req, "X-Forwarded-Proto");
  int https = proto && !strcmp(proto, "https");
  snprintf(out, cap, "%s://%s", https ? "https" : "http", host);
  return 0;
}

static void h_compass(void *ctx, decc_http_request *req,
                      decc_http_response *res) {
  node_wpapi *w = ctx;
  const char *cs = decc_http_req_param(req, "chainId");
  const char *as = decc_http_req_param(req, "address");
  char *end = NULL;
  errno = 0;
  unsigned long long chain = cs ? strtoull(cs, &end, 10) : 0;
  if (!cs || !*cs || errno || *end) {
    (void)decc_http_res_error(res, 400, "the chain id must be a number");
    return;
  }
  if (chain != w->n->chain_id) {
    (void)decc_http_res_error(res, 404,
                              "chain %llu is not served here (this node "
                              "serves chain %llu)",
                              chain, (unsigned long long)w->n->chain_id);
    return;
  }
  decc_address pool;
  if (!as || decc_address_parse(&pool, as, NULL) != DECC_OK) {
    (void)decc_http_res_error(res, 400,
                              "the workerpool must be an Ethereum address");
    return;
  }
  decc_chain *c = decc__node_pool_acquire(&w->n->cpool);
  int ok = c && serves(w, c, &pool);
  if (c)
    decc__node_pool_release(&w->n->cpool, c);
  if (!ok) {
    (void)decc_http_res_error(res, 404,
                              "workerpool %s is not served by this node's "
                              "scheduler",
                              as);
    return;
  }
  char url[300];
  if (self_url(req, url, sizeof url)) {
    (void)decc_http_res_error(res, 400, "a valid Host header is required");
    return;
  }
  char a[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(a, &pool);
  decc__node_send_json(res, 200,
                       json_pack("{s:s,s:I,s:s}", "address", a, "chainId",
                                 (json_int_t)w->n->chain_id, "apiUrl", url));
}

static void h_challenge(void *ctx, decc_http_request *req,
                        decc_http_response *res) {
  node_wpapi *w = ctx;
  const char *as = decc_http_req_query(req, "address");
  decc_address a;
  if (!as || decc_address_parse(&a, as, NULL) != DECC_OK) {
    (void)decc_http_res_error(res, 400,
                              "address (query) must be an Ethereum address");
    return;
  }
  const char *cs = decc_http_req_query(req, "chainId");
  if (cs) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(cs, &end, 10);
    if (!*cs || errno || *end || v != w->n->chain_id) {
      (void)decc_http_res_error(res, 404,
                                "chainId %s is not served here (this node "
                                "serves chain %llu)",
                                cs, (unsigned long long)w->n->chain_id);
      return;
    }
  }
  uint8_t rnd[24];
  if (decc_random_bytes(rnd, sizeof rnd) != DECC_OK) {
    (void)decc_http_res_error(res, 500, "no randomness");
    return;
  }
  char challenge[2 * sizeof rnd + 1];
  decc_hex_encode(challenge, rnd, sizeof rnd, 0);
  json_t *typed = challenge_typed(w->n->chain_id, challenge);
  char *text = typed ? json_dumps(typed, JSON_COMPACT) : NULL;
  uint8_t digest[32];
  decc_status st =
      text ? decc_eip712_hash_json(digest, NULL, text, strlen(text), NULL)
           : DECC_E_NOMEM;
  free(text);
  if (!st)
    st = ch_add(w, &a, digest);
  if (st) {
    json_decref(typed);
    (void)decc_http_res_error(res, st == DECC_E_LIMIT ? 503 : 500,
                              st == DECC_E_LIMIT
                                  ? "too many outstanding challenges, retry "
                                    "later"
                                  : "cannot make a challenge");
    return;
  }
  decc__node_send_json(res, 200, typed);
}

static void h_logs(void *ctx, decc_http_request *req, decc_http_response *res) {
  node_wpapi *w = ctx;
  uint8_t tid[32];
  if (parse_task(req, res, tid))
    return;
  decc_address who;
  if (authenticate(w, req, res, &who))
    return;
  decc_chain *c = decc__node_pool_acquire(&w->n->cpool);
  if (!c) {
    (void)decc_http_res_error(res, 503, "no chain access");
    return;
  }
  decc_poco_task t;
  decc_poco_deal d;
  int bad = task_and_deal(c, tid, &t, &d, res);
  decc__node_pool_release(&w->n->cpool, c);
  int requester = !bad && decc_address_eq(&who, &d.requester);
  char req_hex[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(req_hex, &d.requester);
  decc_poco_task_clear(&t);
  decc_poco_deal_clear(&d);
  if (bad)
    return;
  if (!requester) {
    (void)decc_http_res_error(res, 403,
                              "the logs of a task are readable by its "
                              "requester only (%s)",
                              req_hex);
    return;
  }
  json_t *rec = local_record(w, tid);
  if (!rec) {
    (void)decc_http_res_error(res, 404,
                              w->has_worker
                                  ? "no logs for this task here: this node's "
                                    "worker has not run it (yet), or a "
                                    "worker on another host did"
                                  : "no logs here: this node runs no worker "
                                    "(the logs stay with the worker that ran "
                                    "the task)");
    return;
  }
  char th[DECC_HEX32_LEN], wa[DECC_ADDRESS_HEX_LEN];
  decc_hex_encode(th, tid, 32, 1);
  decc_address_to_checksum(wa, &w->worker_addr);
  json_t *entry = json_pack(
      "{s:s,s:o,s:o,s:O?,s:O?}", "walletAddress", wa, "stdout",
      stream(rec, "stdout"), "stderr", stream(rec, "stderr"), "exitCode",
      json_object_get(rec, "exitCode"), "cause", json_object_get(rec, "cause"));
  json_decref(rec);
  decc__node_send_json(res, 200,
                       entry ? json_pack("{s:s,s:[o]}", "chainTaskId", th,
                                         "computeLogsList", entry)
                             : NULL);
}

/* The attestation the local worker kept for the task
 * (<home>/worker/logs/<task>.attestation.json): served as stored, once it
 * parses as an object naming this task. The verifier (decc verify) checks
 * every signature in it; the node vouches for nothing. */
static void h_attestation(void *ctx, decc_http_request *req,
                          decc_http_response *res) {
  node_wpapi *w = ctx;
  uint8_t tid[32];
  if (parse_task(req, res, tid))
    return;
  char th[DECC_HEX32_LEN];
  decc_hex_encode(th, tid, 32, 1);
  json_t *j = NULL;
  if (w->has_worker) {
    size_t len = strlen(w->n->cfg.home) + 120;
    char *path = decc_malloc(len);
    if (!path) {
      (void)decc_http_res_error(res, 500, "out of memory");
      return;
    }
    snprintf(path, len, "%s/worker/logs/%s.attestation.json", w->n->cfg.home,
             th);
    struct stat sb;
    json_error_t je;
    /* a quote is at most DECC_QUOTE_HW_MAX bytes, 2x in hex, plus claims */
    j = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
                sb.st_size <= (off_t)(4 * DECC_QUOTE_HW_MAX)
            ? json_load_file(path, JSON_REJECT_DUPLICATES, &je)
            : NULL;
    decc_free(path);
    const char *t = json_string_value(json_object_get(j, "taskId"));
    if (!json_is_object(j) || !t || strcasecmp(t, th)) {
      json_decref(j);
      j = NULL;
    }
  }
  if (!j) {
    (void)decc_http_res_error(res, 404,
                              w->has_worker
                                  ? "no attestation for this task here: this "
                                    "node's worker has not run it as a TEE "
                                    "task, or a worker on another host did"
                                  : "no attestation here: this node runs no "
                                    "worker (the quote stays with the worker "
                                    "that ran the task)");
    return;
  }
  decc__node_send_json(res, 200, j);
}

/* Appends {status, date, chainReceipt} to list. */
static void add_status(json_t *list, const char *status, uint64_t ts,
                       const decc_log *lg) {
  json_t *e = json_pack("{s:s,s:o}", "status", status, "date", iso_date(ts));
  if (!e)
    return;
  if (lg)
    json_object_set_new(e, "chainReceipt",
                        json_pack("{s:I,s:o}", "blockNumber",
                                  (json_int_t)lg->block_number, "txHash",
                                  decc__json_hex(lg->tx_hash, 32)));
  json_array_append_new(list, e);
}

/* The replicate of worker `a` in reps (created on first use). */
static json_t *replicate(json_t *reps, const char *th, const decc_address *a) {
  char ah[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(ah, a);
  size_t i;
  json_t *r;
  json_array_foreach(reps, i, r) {
    if (!strcmp(json_string_value(json_object_get(r, "walletAddress")), ah))
      return r;
  }
  r = json_pack("{s:s,s:s,s:s,s:[]}", "chainTaskId", th, "walletAddress", ah,
                "currentStatus", "CREATED", "statusUpdateList");
  if (r)
    json_array_append_new(reps, r);
  return r;
}

static void rep_status(json_t *r, const char *status, uint64_t ts,
                       const decc_log *lg) {
  if (!r)
    return;
  add_status(json_object_get(r, "statusUpdateList"), status, ts, lg);
  json_object_set_new(r, "currentStatus", json_string(status));
}

static void h_task(void *ctx, decc_http_request *req, decc_http_response *res) {
  node_wpapi *w = ctx;
  uint8_t tid[32];
  if (parse_task(req, res, tid))
    return;
  decc_chain *c = decc__node_pool_acquire(&w->n->cpool);
  if (!c) {
    (void)decc_http_res_error(res, 503, "no chain access");
    return;
  }
  decc_poco_task t;
  decc_poco_deal d;
  if (task_and_deal(c, tid, &t, &d, res)) {
    decc__node_pool_release(&w->n->cpool, c);
    decc_poco_task_clear(&t);
    decc_poco_deal_clear(&d);
    return;
  }
  /* The hub's events of this task, oldest first. */
  static const decc_poco_event EV[] = {
      DECC_EV_TASK_INITIALIZE, DECC_EV_TASK_CONTRIBUTE, DECC_EV_TASK_CONSENSUS,
      DECC_EV_TASK_REVEAL,     DECC_EV_TASK_REOPEN,     DECC_EV_TASK_FINALIZE,
      DECC_EV_TASK_CLAIMED};
  uint8_t topics[7][32];
  for (size_t i = 0; i < 7; i++)
    if (decc_poco_event_topic(topics[i], EV[i]) != DECC_OK)
      memset(topics[i], 0, 32);
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &w->n->addr.hub;
  f.n_addresses = 1;
  f.topic_alts[0] = (const uint8_t(*)[32])topics;
  f.n_topic_alts[0] = 7;
  f.topic_alts[1] = (const uint8_t(*)[32])tid;
  f.n_topic_alts[1] = 1;
  f.limit = WP_EVENTS_MAX;
  decc_log *logs = NULL;
  size_t nl = 0;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_chain_get_logs(c, &f, &logs, &nl, &err);
  decc__node_pool_release(&w->n->cpool, c);
  if (st) {
    decc_poco_task_clear(&t);
    decc_poco_deal_clear(&d);
    (void)decc_http_res_error(res, 502, "reading the task's events: %s",
                              err.msg);
    return;
  }
  int pool_ok = 1;
  if (w->has_sched) {
    decc_chain *c2 = decc__node_pool_acquire(&w->n->cpool);
    pool_ok = c2 && serves(w, c2, &d.workerpool.pointer);
    if (c2)
      decc__node_pool_release(&w->n->cpool, c2);
  } else {
    pool_ok = 0;
  }
  char th[DECC_HEX32_LEN], dh[DECC_HEX32_LEN];
  decc_hex_encode(th, tid, 32, 1);
  decc_hex_encode(dh, t.deal_id, 32, 1);
  json_t *dates = json_array(), *reps = json_array();
  int contributed = 0, revealed = 0;
  uint64_t last_ts = 0;
  for (size_t i = 0; i < nl; i++) {
    const decc_log *lg = &logs[i];
    decc_poco_event ev = decc_poco_event_from_topic(lg->topics[0]);
    uint64_t ts = 0;
    if (block_time(w->n, lg->block_number, &ts))
      ts = 0;
    last_ts = ts;
    decc_address who;
    memset(&who, 0, sizeof who);
    if (lg->n_topics >= 3)
      memcpy(who.b, lg->topics[2] + 12, 20);
    switch (ev) {
    case DECC_EV_TASK_INITIALIZE:
      add_status(dates, "INITIALIZED", ts, lg);
      break;
    case DECC_EV_TASK_CONTRIBUTE:
      if (!contributed++)
        add_status(dates, "RUNNING", ts, lg);
      if (lg->n_topics >= 3)
        rep_status(replicate(reps, th, &who), "CONTRIBUTED", ts, lg);
      break;
    case DECC_EV_TASK_CONSENSUS:
      add_status(dates, "CONSENSUS_REACHED", ts, lg);
      break;
    case DECC_EV_TASK_REVEAL:
      if (!revealed++)
        add_status(dates, "AT_LEAST_ONE_REVEALED", ts, lg);
      if (lg->n_topics >= 3)
        rep_status(replicate(reps, th, &who), "REVEALED", ts, lg);
      break;
    case DECC_EV_TASK_REOPEN:
      add_status(dates, "REOPENED", ts, lg);
      break;
    case DECC_EV_TASK_FINALIZE: {
      add_status(dates, "FINALIZED", ts, lg);
      add_status(dates, "COMPLETED", ts, lg);
      size_t k;
      json_t *r;
      json_array_foreach(reps, k, r) {
        if (!strcmp(json_string_value(json_object_get(r, "currentStatus")),
                    "REVEALED"))
          rep_status(r, "COMPLETED", ts, lg);
      }
      break;
    }
    case DECC_EV_TASK_CLAIMED:
      add_status(dates, "FINAL_DEADLINE_REACHED", ts, lg);
      add_status(dates, "FAILED", ts, lg);
      break;
    default:
      break;
    }
  }
  decc_logs_free(logs, nl);
  /* The local worker's record: its exit code, and its failure when the
   * chain has not seen a contribution from it. */
  json_t *rec = local_record(w, tid);
  if (rec) {
    json_t *r = replicate(reps, th, &w->worker_addr);
    json_t *code = json_object_get(rec, "exitCode");
    if (r && json_is_integer(code))
      json_object_set(r, "appExitCode", code);
    const char *cause = json_string_value(json_object_get(rec, "cause"));
    if (r && cause && strcmp(cause, "NONE")) {
      json_object_set_new(r, "failureCause", json_string(cause));
      const char *detail = json_string_value(json_object_get(rec, "detail"));
      if (detail)
        json_object_set_new(r, "failureDetail", json_string(detail));
      if (!strcmp(json_string_value(json_object_get(r, "currentStatus")),
                  "CREATED"))
        rep_status(r, "FAILED", last_ts ? last_ts : (uint64_t)time(NULL), NULL);
    }
    json_decref(rec);
  }
  const char *current = "RECEIVED";
  size_t nd = json_array_size(dates);
  if (nd)
    current = json_string_value(
        json_object_get(json_array_get(dates, nd - 1), "status"));
  uint64_t fd = 0, idx = 0;
  (void)decc_u256_to_u64(&fd, &t.final_deadline);
  (void)decc_u256_to_u64(&idx, &t.idx);
  json_t *o =
      json_pack("{s:s,s:s,s:I,s:o,s:o,s:s,s:o,s:o,s:b}", "chainTaskId", th,
                "chainDealId", dh, "taskIndex", (json_int_t)idx, "requester",
                decc__node_json_addr(&d.requester), "workerpool",
                decc__node_json_addr(&d.workerpool.pointer), "currentStatus",
                current, "finalDeadline", iso_date(fd), "dateStatusList", dates,
                "servedByThisNode", pool_ok);
  if (o) {
    json_object_set_new(o, "replicates", reps);
    if (t.results_len)
      json_object_set_new(o, "resultLink",
                          json_stringn((const char *)t.results, t.results_len));
  } else {
    json_decref(reps);
  }
  decc_poco_task_clear(&t);
  decc_poco_deal_clear(&d);
  decc__node_send_json(res, 200, o);
}

/* ---- lifecycle ------------------------------------------------------------- */

decc_status decc__node_wpapi_mount(decc_node *n, decc_err *err) {
  int has_sched = (n->cfg.roles & DECC_NODE_ROLE_SCHEDULER) != 0;
  int has_worker = (n->cfg.roles & DECC_NODE_ROLE_WORKER) != 0;
  if (!has_sched && !has_worker)
    return DECC_OK;
  if (!n->cpool.n)
    return decc_err_set(err, DECC_E_INVALID,
                        "the workerpool API reads the chain: enable the chain "
                        "role or set chain_url");
  node_wpapi *w = decc_calloc(1, sizeof *w);
  if (!w)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  w->n = n;
  pthread_mutex_init(&w->mu, NULL);
  n->wpapi = w;
  decc_status st = DECC_OK;
  if (has_sched) {
    st = key_file_address("scheduler_key_file", n->cfg.scheduler_key_file,
                          &w->sched_addr, err);
    w->has_sched = !st;
  }
  if (!st && has_worker) {
    st = key_file_address("worker_key_file", n->cfg.worker_key_file,
                          &w->worker_addr, err);
    w->has_worker = !st;
  }
  if (st)
    return st;
  if (has_sched)
    st = decc_http_route(n->http, "GET", "/{chainId}/workerpools/{address}",
                         h_compass, w);
  /* The literal challenge path before the {taskid} pattern. */
  if (!st)
    st = decc_http_route(n->http, "GET", "/tasks/logs/challenge", h_challenge,
                         w);
  if (!st)
    st = decc_http_route(n->http, "GET", "/tasks/{taskid}/logs", h_logs, w);
  if (!st)
    st = decc_http_route(n->http, "GET", "/tasks/{taskid}/attestation",
                         h_attestation, w);
  if (!st)
    st = decc_http_route(n->http, "GET", "/tasks/{taskid}", h_task, w);
  return st ? decc_err_set(err, st, "workerpool API routes: %s",
                           decc_strerror(st))
            : DECC_OK;
}

void decc__node_wpapi_free(decc_node *n) {
  node_wpapi *w = n->wpapi;
  if (!w)
    return;
  pthread_mutex_destroy(&w->mu);
  decc_free(w->ch);
  decc_free(w);
  n->wpapi = NULL;
}
