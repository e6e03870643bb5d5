/*
 * dp_process.c — processProtectedData (iexec-protocol.md §3.5 v2, recipe
 * §9 C): choose the orders, check the balance, push requester secrets and
 * the result encryption key, sign the request order, matchOrders, wait for
 * the task (calling the in-process runner each round; it ends as soon as
 * a scheduler or worker of this data directory records why the task
 * failed, with that cause and the app's stderr), then download,
 * decrypt and extract the result. Also the result key, result fetching and
 * the task's on-chain timeline.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "dataprotector/dp_int.h"
#include "decc/cid.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/poco.h"
#include "decc/result.h"
#include "decc/worker.h"
#include "decc/zipsafe.h"

#define EV_ORDERS_MATCHED                                                      \
  "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)"
/* Largest result archive downloaded (the SDK's limit plus the zip frame). */
#define RESULT_MAX (DECC_RESULT_MAX_PAYLOAD + (1u << 20))

void decc_dp_process_result_clear(decc_dp_process_result *r) {
  if (!r)
    return;
  decc_free(r->result);
  decc_free(r->results_json);
  decc_free(r->failure_cause);
  decc_free(r->stderr_tail);
  memset(r, 0, sizeof *r);
}

const char *decc_dp_task_status_name(unsigned s) {
  static const char *N[] = {"UNSET", "ACTIVE", "REVEALING", "COMPLETED",
                            "FAILED"};
  return s < 5 ? N[s] : "UNKNOWN";
}

/* ---- result key ------------------------------------------------------------------ */

static decc_status default_key_path(decc_dp *dp, char *out, size_t cap,
                                    decc_err *err) {
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  char a[DECC_ADDRESS_HEX_LEN];
  decc_address_to_hex(a, &dp->me);
  int k = snprintf(out, cap, "%s/%s/%s_key", dp->home, DECC_DP_RESULTS_DIR, a);
  if (k < 0 || (size_t)k >= cap)
    return decc_err_set(err, DECC_E_INVALID, "home path too long");
  return DECC_OK;
}

decc_status decc_dp_result_key(decc_dp *dp, decc_rsa_key **key, int *created,
                               const char *path, int create, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(key != NULL);
  char def[4096];
  decc_status st;
  *key = NULL;
  if (created)
    *created = 0;
  if (!path) {
    if ((st = default_key_path(dp, def, sizeof def, err)))
      return st;
    path = def;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    enum { MAXPEM = 16384 };
    char *pem = decc_secure_alloc(MAXPEM + 1);
    if (!pem) {
      close(fd);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    size_t n = 0;
    ssize_t r;
    while (n < MAXPEM && (r = read(fd, pem + n, MAXPEM - n)) != 0) {
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        break;
      n += (size_t)r;
    }
    close(fd);
    st = decc_rsa_key_parse(key, pem, n, err);
    decc_secure_free(pem);
    if (st)
      return decc_err_prefix(err, "result key %s", path);
    if (!decc_rsa_key_is_private(*key)) {
      decc_rsa_key_destroy(*key);
      *key = NULL;
      return decc_err_set(err, DECC_E_INVALID,
                          "result key %s holds no private key", path);
    }
    return DECC_OK;
  }
  if (!create)
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "no result key at %s (the key that decrypts your "
                        "results)",
                        path);
  /* Generate: RSA-4096 as the SDK, PKCS#8 private (0600) + SPKI public. */
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *sl = strrchr(dir, '/');
  if (sl) {
    *sl = 0;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
      return decc_err_set(err, DECC_E_IO, "%s: cannot create: %s", dir,
                          strerror(errno));
  }
  if ((st = decc_rsa_keygen(key, DECC_RSA_DEFAULT_BITS, err)))
    return st;
  char *priv = NULL, *pub = NULL;
  size_t plen = 0, ulen = 0;
  if (!(st = decc_rsa_key_private_pem(&priv, &plen, *key, err)))
    st = decc__atomic_write(path, priv, plen, 0600u, err);
  if (priv)
    decc_secure_free(priv);
  if (!st && !(st = decc_rsa_key_public_pem(&pub, &ulen, *key, err))) {
    char pp[4200];
    snprintf(pp, sizeof pp, "%s.pub", path);
    st = decc__atomic_write(pp, pub, ulen, 0644u, err);
  }
  decc_free(pub);
  if (st) {
    decc_rsa_key_destroy(*key);
    *key = NULL;
    return st;
  }
  if (created)
    *created = 1;
  return DECC_OK;
}

/* ---- order selection -------------------------------------------------------------- */

static void restrict_value(decc_market_restrict *r, const decc_address *a) {
  r->mode = DECC_MF_VALUE;
  r->addr = *a;
  r->strict = 0;
}

/* Volume of an order (the field sits in a different struct per type). */
static decc_u256 order_volume(const decc_order *o) {
  switch (o->type) {
  case DECC_ORDER_APP:
    return o->u.app.volume;
  case DECC_ORDER_DATASET:
    return o->u.dataset.volume;
  case DECC_ORDER_WORKERPOOL:
    return o->u.workerpool.volume;
  default:
    return o->u.request.volume;
  }
}

/* 1 when the chain still has volume left for the order. A market fed by a
 * chain watcher may lag a block or two behind; matching an exhausted order
 * would only revert. */
static int has_volume(decc_dp *dp, const decc_order *o) {
  uint8_t h[32];
  decc_u256 used, vol = order_volume(o);
  decc_order_hash(h, o, dp->domain);
  if (decc_hub_view_consumed(dp->chain, h, &used, NULL) != DECC_OK)
    return 1; /* let matchOrders decide */
  return decc_u256_cmp(&used, &vol) < 0;
}

/* Picks the first record with price ≤ max and volume left on chain;
 * *cheapest gets the lowest price seen (for the message when none fits). */
static int pick(decc_dp *dp, const decc__dp_rec *r, size_t n,
                const decc_u256 *max, decc_u256 (*price)(const decc_order *),
                decc_u256 *cheapest, size_t *live) {
  *live = 0;
  for (size_t i = 0; i < n; i++) {
    if (!has_volume(dp, &r[i].order))
      continue;
    decc_u256 p = price(&r[i].order);
    if (*live == 0 || decc_u256_cmp(&p, cheapest) < 0)
      *cheapest = p;
    ++*live;
    if (decc_u256_cmp(&p, max) <= 0)
      return (int)i;
  }
  return -1;
}

static decc_u256 app_price(const decc_order *o) { return o->u.app.appprice; }
static decc_u256 ds_price(const decc_order *o) {
  return o->u.dataset.datasetprice;
}
static decc_u256 wp_price(const decc_order *o) {
  return o->u.workerpool.workerpoolprice;
}

static decc_status choose_orders(decc_dp *dp, const decc_dp_process_opts *o,
                                 decc_order *app, decc_order *ds,
                                 decc_order *wp, decc_err *err) {
  char a[DECC_ADDRESS_HEX_LEN], b[DECC_ADDRESS_HEX_LEN], p1[96], p2[96];
  decc_market_filter f;
  decc__dp_rec *r = NULL;
  size_t n = 0, live = 0;
  decc_u256 cheapest = decc_u256_from_u64(0);
  decc_status st;
  int k;

  /* App order. */
  decc_market_filter_init(&f);
  f.has_resource = 1;
  f.resource = o->app;
  restrict_value(&f.dataset, &o->protected_data);
  if (o->has_workerpool)
    restrict_value(&f.workerpool, &o->workerpool);
  else
    f.workerpool.mode = DECC_MF_ANY;
  restrict_value(&f.requester, &dp->me);
  f.has_min_tag = 1;
  decc_tag_from_bits(f.min_tag, 0x1);
  f.page_size = DECC_MARKET_PAGE_MAX;
  if ((st = decc__dp_query(dp, DECC_ORDER_APP, &f, &r, &n, NULL, err)))
    return st;
  k = pick(dp, r, n, &o->app_max_price, app_price, &cheapest, &live);
  if (k < 0) {
    decc__dp_recs_free(r, n);
    if (live)
      return decc_err_set(err, DECC_E_NOT_FOUND,
                          "no app order of %s within your app max price %s "
                          "(cheapest: %s): raise it with --app-max-price (the "
                          "SDK's appMaxPrice), e.g. --app-max-price '%s'",
                          decc__dp_addr(a, &o->app),
                          decc_dp_format_rlc(p1, &o->app_max_price),
                          decc_dp_format_rlc(p2, &cheapest), p2);
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "no app order for app %s usable by you: the app owner "
                        "must publish one",
                        decc__dp_addr(a, &o->app));
  }
  if ((st = decc_order_copy(app, &r[k].order))) {
    decc__dp_recs_free(r, n);
    return decc_err_set(err, st, "out of memory");
  }
  decc__dp_recs_free(r, n);

  /* Dataset order: the grant. None for a run without protected data
   * (`decc run`, the iExec CLI's app run): ds stays the empty order, which
   * matchOrders takes as "no dataset". */
  if (decc_address_is_zero(&o->protected_data)) {
    if ((st = decc_order_init(ds, DECC_ORDER_DATASET)))
      return decc_err_set(err, st, "out of memory");
    goto workerpool;
  }
  decc_market_filter_init(&f);
  f.has_resource = 1;
  f.resource = o->protected_data;
  restrict_value(&f.app, &o->app);
  if (o->has_workerpool)
    restrict_value(&f.workerpool, &o->workerpool);
  else
    f.workerpool.mode = DECC_MF_ANY;
  restrict_value(&f.requester, &dp->me);
  f.page_size = DECC_MARKET_PAGE_MAX;
  if ((st = decc__dp_query(dp, DECC_ORDER_DATASET, &f, &r, &n, NULL, err)))
    return st;
  k = pick(dp, r, n, &o->data_max_price, ds_price, &cheapest, &live);
  if (k < 0) {
    decc__dp_recs_free(r, n);
    if (live)
      return decc_err_set(err, DECC_E_NOT_FOUND,
                          "the access to protected data %s costs %s, above "
                          "your data max price %s: raise it with "
                          "--data-max-price (the SDK's dataMaxPrice), e.g. "
                          "--data-max-price '%s'",
                          decc__dp_addr(a, &o->protected_data),
                          decc_dp_format_rlc(p2, &cheapest),
                          decc_dp_format_rlc(p1, &o->data_max_price), p2);
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "no dataset order lets app %s process protected data "
                        "%s for you: access not granted or exhausted; ask the "
                        "owner to grant it (decc grant)",
                        decc__dp_addr(a, &o->app),
                        decc__dp_addr(b, &o->protected_data));
  }
  if ((st = decc_order_copy(ds, &r[k].order))) {
    decc__dp_recs_free(r, n);
    return decc_err_set(err, st, "out of memory");
  }
  decc__dp_recs_free(r, n);

workerpool:
  /* Workerpool order: the cheapest that fits (the list is price-sorted). */
  decc_market_filter_init(&f);
  f.has_category = 1;
  f.category = o->category;
  if (o->has_workerpool) {
    f.has_resource = 1;
    f.resource = o->workerpool;
  }
  restrict_value(&f.app, &o->app);
  restrict_value(&f.dataset, &o->protected_data);
  restrict_value(&f.requester, &dp->me);
  f.has_min_tag = 1;
  memcpy(f.min_tag, app->u.app.tag, 32);
  for (int i = 0; i < 32; i++)
    f.min_tag[i] |= ds->u.dataset.tag[i];
  f.page_size = DECC_MARKET_PAGE_MAX;
  if ((st = decc__dp_query(dp, DECC_ORDER_WORKERPOOL, &f, &r, &n, NULL, err)))
    return st;
  k = pick(dp, r, n, &o->workerpool_max_price, wp_price, &cheapest, &live);
  if (k < 0) {
    decc__dp_recs_free(r, n);
    if (live)
      return decc_err_set(err, DECC_E_NOT_FOUND,
                          "no workerpool order within your workerpool max "
                          "price %s (cheapest: %s): raise it with "
                          "--workerpool-max-price (the SDK's "
                          "workerpoolMaxPrice), e.g. --workerpool-max-price "
                          "'%s'",
                          decc_dp_format_rlc(p1, &o->workerpool_max_price),
                          decc_dp_format_rlc(p2, &cheapest), p2);
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "no TEE workerpool order in category %llu for this "
                        "app and data: no workerpool offers to run it now",
                        (unsigned long long)o->category);
  }
  st = decc_order_copy(wp, &r[k].order);
  decc__dp_recs_free(r, n);
  return st ? decc_err_set(err, st, "out of memory") : DECC_OK;
}

/* ---- matchOrders ------------------------------------------------------------------ */

static decc_status match(decc_dp *dp, const decc_order *app,
                         const decc_order *ds, const decc_order *wp,
                         const decc_order *rq, decc_dp_process_result *out,
                         decc_err *err) {
  decc_buf cd;
  decc_buf_init(&cd, 0);
  decc_status st = decc_match_orders_calldata(&cd, app, ds, wp, rq, 0);
  if (st) {
    decc_buf_clear(&cd);
    return decc_err_set(err, st, "matchOrders: cannot encode");
  }
  decc_receipt rc;
  st = decc__dp_send(dp, &dp->addr.hub, &cd, &rc, "matchOrders", err);
  decc_buf_clear(&cd);
  if (st)
    return st;
  memcpy(out->tx_hash, rc.tx_hash, 32);
  uint8_t t0[32];
  decc_abi_event_topic(t0, EV_ORDERS_MATCHED);
  int found = 0;
  for (size_t i = 0; i < rc.n_logs && !found; i++) {
    const decc_log *l = &rc.logs[i];
    if (l->n_topics >= 1 && !memcmp(l->topics[0], t0, 32) &&
        l->data_len >= 6 * 32) {
      memcpy(out->deal_id, l->data, 32);
      st = decc__dp_market_matched(dp, l->data, err);
      found = 1;
    }
  }
  decc_receipt_clear(&rc);
  if (!found && !st)
    st = decc_err_set(err, DECC_E_PARSE,
                      "matchOrders: no OrdersMatched event in the receipt");
  if (!st) {
    decc_u256 zero = decc_u256_from_u64(0);
    decc_task_id(out->task_id, out->deal_id, &zero);
  }
  return st;
}

/* ---- result ------------------------------------------------------------------------- */

static decc_status extract_entry(uint8_t **out, size_t *len, const uint8_t *zip,
                                 size_t n, const char *path, decc_err *err) {
  decc_zip *z = NULL;
  decc_status st = decc_zip_open_mem(&z, zip, n, NULL, err);
  if (st)
    return decc_err_prefix(err, "result archive");
  size_t idx;
  if (decc_zip_find(z, path, &idx) != DECC_OK) {
    decc_zip_close(z);
    return decc_err_set(err, DECC_E_NOT_FOUND, "the result has no entry '%s'",
                        path);
  }
  st = decc_zip_read(z, idx, 0, out, len, err);
  decc_zip_close(z);
  return st;
}

decc_status decc_dp_fetch_result(decc_dp *dp, uint8_t **out, size_t *len,
                                 const uint8_t task_id32[32],
                                 const char *key_path, const char *path,
                                 decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(len != NULL);
  DECC_ARG_CHECK(task_id32 != NULL);
  *out = NULL;
  *len = 0;
  unsigned status = 0;
  uint8_t deal[32];
  char *results = NULL, h[DECC_HEX32_LEN];
  decc_hex_encode(h, task_id32, 32, 1);
  decc_status st =
      decc__dp_view_task(dp, task_id32, &status, deal, NULL, &results, err);
  if (st)
    return st;
  if (status != DECC_TASK_COMPLETED) {
    decc_free(results);
    return decc_err_set(err, DECC_E_STATE, "task %s is %s, not COMPLETED", h,
                        decc_dp_task_status_name(status));
  }
  json_error_t je;
  json_t *rj = json_loads(results, 0, &je);
  decc_free(results);
  const char *storage = json_string_value(json_object_get(rj, "storage"));
  const char *loc = json_string_value(json_object_get(rj, "location"));
  if (!storage || strcmp(storage, "ipfs") != 0 || !loc ||
      strncmp(loc, "/ipfs/", 6) != 0) {
    json_decref(rj);
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "task %s: results are not stored on IPFS", h);
  }
  decc_cid cid;
  st = decc_cid_parse(&cid, loc + 6, err);
  json_decref(rj);
  if (st)
    return st;
  decc_buf arch;
  if ((st = decc__dp_store_get(dp, &cid, RESULT_MAX, &arch, err)))
    return decc_err_prefix(err, "downloading the result of task %s", h);
  char *params = NULL;
  if ((st = decc__dp_view_deal_params(dp, deal, &params, err))) {
    decc_buf_clear(&arch);
    return st;
  }
  json_t *pj = json_loads(params, 0, &je);
  decc_free(params);
  int encrypted = json_is_true(json_object_get(pj, "iexec_result_encryption"));
  json_decref(pj);
  uint8_t *zip = NULL;
  size_t zlen = 0;
  if (encrypted) {
    decc_rsa_key *k = NULL;
    if ((st = decc_dp_result_key(dp, &k, NULL, key_path, 0, err))) {
      decc_buf_clear(&arch);
      return st;
    }
    st = decc_result_decrypt(&zip, &zlen, NULL, k, arch.data, arch.len, err);
    decc_rsa_key_destroy(k);
    decc_buf_clear(&arch);
    if (st)
      return decc_err_prefix(err, "decrypting the result of task %s", h);
  } else {
    zip = decc_buf_steal(&arch, &zlen);
    if (!zip)
      return decc_err_set(err, DECC_E_CORRUPT, "task %s: empty result", h);
  }
  if (!path) {
    *out = zip;
    *len = zlen;
    return DECC_OK;
  }
  st = extract_entry(out, len, zip, zlen, path, err);
  decc_free(zip);
  return st;
}

/* ---- processProtectedData ------------------------------------------------------------- */

static void sleep_ms(unsigned ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static decc_status build_params(char **out, const decc_dp_process_opts *o,
                                json_t *secrets, decc_err *err) {
  json_t *p = json_object();
  int bad = !p;
  if (!bad && secrets && json_object_size(secrets))
    bad |= json_object_set(p, "iexec_secrets", secrets);
  bad |= !p || json_object_set_new(p, "iexec_result_storage_provider",
                                   json_string("ipfs"));
  if (!o->no_encrypt_result)
    bad |= json_object_set_new(p, "iexec_result_encryption", json_true());
  if (o->n_input_files) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < o->n_input_files; i++)
      bad |= json_array_append_new(a, json_string(o->input_files[i]));
    bad |= !a || json_object_set_new(p, "iexec_input_files", a);
  }
  if (o->args)
    bad |= json_object_set_new(p, "iexec_args", json_string(o->args));
  char *s = bad ? NULL : json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(p);
  if (!s)
    return decc_err_set(err, DECC_E_NOMEM, "cannot build the request params");
  *out = decc_strdup(s);
  free(s);
  if (!*out)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (strlen(*out) > DECC_PARAMS_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "request params above %d bytes",
                        DECC_PARAMS_MAX);
  return DECC_OK;
}

void decc_dp_task_end_clear(decc_dp_task_end *e) {
  if (!e)
    return;
  decc_free(e->cause);
  decc_free(e->stderr_tail);
  memset(e, 0, sizeof *e);
}

/* The scheduler / worker state files of a data directory, as
 * decc_worker_failure_cause reads them. */
static const char *const FAILURE_STATES[] = {
    "scheduler/state.sqlite", "scheduler.sqlite", "worker/state.sqlite"};

/* SMS refusals that no retry can change: the grant's owner-signed policy
 * expired or does not verify (docs/receipts.md). Other refusals (a session
 * raced, a nonce expired) are retried by the scheduler. */
static int sms_refusal_is_final(const char *detail) {
  return strstr(detail, "GRANT_EXPIRED") != NULL ||
         strstr(detail, "GRANT_POLICY_INVALID") != NULL;
}

/* A failure recorded here that ends the task for good: 1 and *text (heap)
 * when found. SMS_REFUSED is retried by the scheduler, so it does not,
 * unless the refusal is final (sms_refusal_is_final). */
static int recorded_failure(decc_dp *dp, const uint8_t task[32], char **text) {
  *text = NULL;
  for (size_t i = 0; i < sizeof FAILURE_STATES / sizeof FAILURE_STATES[0];
       i++) {
    size_t n = strlen(dp->home) + strlen(FAILURE_STATES[i]) + 2;
    char *path = decc_malloc(n);
    if (!path)
      return 0;
    snprintf(path, n, "%s/%s", dp->home, FAILURE_STATES[i]);
    decc_task_failure f;
    int found =
        access(path, R_OK) == 0 &&
        decc_task_failure_read(path, task, &f, NULL) == DECC_OK &&
        f.cause != DECC_CAUSE_NONE &&
        (f.cause != DECC_CAUSE_SMS_REFUSED || sms_refusal_is_final(f.detail));
    decc_free(path);
    if (!found)
      continue;
    char line[512];
    if (f.exit_code)
      snprintf(line, sizeof line, "%s: %s (exit code %d)",
               decc_task_cause_name(f.cause),
               f.detail[0] ? f.detail : decc_task_cause_text(f.cause),
               f.exit_code);
    else
      snprintf(line, sizeof line, "%s: %s", decc_task_cause_name(f.cause),
               f.detail[0] ? f.detail : decc_task_cause_text(f.cause));
    *text = decc_strdup(line);
    return *text != NULL;
  }
  return 0;
}

/* The failure the workerpool's node recorded for the task, for a requester
 * whose data directory does not hold the worker's state: the node's
 * workerpool API (GET {node}/tasks/{id}, docs/api/http.md) puts the worker's
 * cause and detail on its replicate (failureCause, failureDetail). Polled at
 * most once a second (*next_ms); 1 and *text (heap) when the task failed for
 * good, 0 otherwise (no node, unreachable, nothing recorded, or a retryable
 * SMS refusal). */
static int remote_failure(decc_dp *dp, const char *task_hex, uint64_t *next_ms,
                          char **text) {
  *text = NULL;
  if (!dp->node_url || decc__mono_ms() < *next_ms)
    return 0;
  *next_ms = decc__mono_ms() + 1000;
  size_t n = strlen(dp->node_url) + strlen(task_hex) + 16;
  char *url = decc_malloc(n);
  if (!url)
    return 0;
  snprintf(url, n, "%s/tasks/%s", dp->node_url, task_hex);
  decc_http_reply r;
  decc_status st =
      decc_http_fetch(&r, "GET", url, NULL, NULL, 0, 1u << 20, 5000, NULL);
  decc_free(url);
  json_t *j = st == DECC_OK && r.status == 200
                  ? json_loadb((const char *)r.body.data, r.body.len, 0, NULL)
                  : NULL;
  decc_buf_clear(&r.body);
  json_t *reps = json_object_get(j, "replicates");
  for (size_t i = 0; i < json_array_size(reps) && !*text; i++) {
    json_t *rep = json_array_get(reps, i);
    const char *cause = json_string_value(json_object_get(rep, "failureCause"));
    const char *detail =
        json_string_value(json_object_get(rep, "failureDetail"));
    if (!cause || !strcmp(cause, "NONE"))
      continue;
    if (!strcmp(cause, "SMS_REFUSED") &&
        !(detail && sms_refusal_is_final(detail)))
      continue; /* the scheduler retries it */
    /* the same text as recorded_failure's, exit code included: which of
     * the two sources a requester reads first depends on timing */
    json_t *code = json_object_get(rep, "appExitCode");
    long long ec = json_is_integer(code) ? json_integer_value(code) : 0;
    size_t m = strlen(cause) + (detail ? strlen(detail) : 0) + 48;
    *text = decc_malloc(m);
    if (*text && ec)
      snprintf(*text, m, "%s: %s (exit code %lld)", cause, detail ? detail : "",
               ec);
    else if (*text)
      snprintf(*text, m, "%s: %s", cause, detail ? detail : "");
  }
  json_decref(j);
  return *text != NULL;
}

/* Most bytes of the app's stderr quoted when a task fails. */
#define STDERR_TAIL_MAX 2048
#define STDERR_TAIL_LINES 20

/* The last lines of the app's stderr from the worker's logs of this data
 * directory (<home>/worker/logs/<task>.json, written by the worker), or
 * NULL when they are not readable here. */
static char *stderr_tail(decc_dp *dp, const char *task_hex) {
  size_t n = strlen(dp->home) + 100;
  char *path = decc_malloc(n);
  if (!path)
    return NULL;
  snprintf(path, n, "%s/worker/logs/%s.json", dp->home, task_hex);
  json_error_t je;
  /* The worker bounds each stream (64 KiB by default); refuse a file far
   * above that rather than reading it whole. */
  struct stat sb;
  json_t *j = stat(path, &sb) == 0 && sb.st_size < (8 << 20)
                  ? json_load_file(path, 0, &je)
                  : NULL;
  decc_free(path);
  const char *se = json_string_value(json_object_get(j, "stderr"));
  char *out = NULL;
  if (se) {
    size_t len = strlen(se);
    while (len && (se[len - 1] == '\n' || se[len - 1] == '\r'))
      len--;
    size_t start = len > STDERR_TAIL_MAX ? len - STDERR_TAIL_MAX : 0;
    int lines = 0;
    for (size_t k = len; k > start; k--)
      if (se[k - 1] == '\n' && ++lines == STDERR_TAIL_LINES) {
        start = k;
        break;
      }
    if (len > start)
      out = decc_strndup(se + start, len - start);
  }
  json_decref(j);
  return out;
}

decc_status decc_dp_wait_task(decc_dp *dp, const uint8_t task_id32[32],
                              const decc_dp_wait_opts *o, decc_dp_task_end *end,
                              decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(task_id32 != NULL);
  DECC_ARG_CHECK(end != NULL);
  memset(end, 0, sizeof *end);
  char h[DECC_HEX32_LEN];
  decc_hex_encode(h, task_id32, 32, 1);
  uint64_t start = decc__mono_ms();
  unsigned poll = o && o->poll_ms ? o->poll_ms : 200;
  decc_dp_progress_fn progress = o ? o->progress : NULL;
  void *user = o ? o->user : NULL;
  unsigned last = 99;
  uint64_t deadline = 0;
  uint64_t remote_next_ms = 0;
  decc__dp_progress(progress, user, "CONSUME_TASK", 0, h);
  for (;;) {
    decc_status st;
    if (dp->runner && (st = dp->runner(dp->runner_user, err)))
      return decc_err_prefix(err, "workerpool services");
    unsigned status = 0;
    uint8_t deal[32];
    if ((st = decc__dp_view_task(dp, task_id32, &status, deal, &deadline, NULL,
                                 err)))
      return st;
    if (status != last) {
      decc__dp_progress(progress, user, "CONSUME_TASK", 0,
                        decc_dp_task_status_name(status));
      last = status;
    }
    end->status = status;
    if (status == DECC_TASK_COMPLETED) {
      decc__dp_progress(progress, user, "CONSUME_TASK", 1, "COMPLETED");
      return DECC_OK;
    }
    if (status == DECC_TASK_FAILED ||
        recorded_failure(dp, task_id32, &end->cause) ||
        remote_failure(dp, h, &remote_next_ms, &end->cause)) {
      if (!end->cause)
        recorded_failure(dp, task_id32, &end->cause);
      end->stderr_tail = stderr_tail(dp, h);
      if (end->cause)
        return decc_err_set(err, DECC_E_STATE, "task %s failed: %s", h,
                            end->cause);
      return decc_err_set(err, DECC_E_STATE,
                          "task %s FAILED (claimed after its deadline: the "
                          "requester was refunded)",
                          h);
    }
    uint64_t elapsed = decc__mono_ms() - start;
    uint64_t chain_now = 0;
    int past =
        deadline &&
        decc_chain_block_timestamp(dp->chain, &chain_now, NULL) == DECC_OK &&
        chain_now > deadline;
    if ((o && o->timeout_s && elapsed >= (uint64_t)o->timeout_s * 1000u) ||
        past)
      return decc_err_set(
          err, DECC_E_TIMEOUT, "task %s is still %s after %llu s: %s", h,
          decc_dp_task_status_name(status),
          (unsigned long long)(elapsed / 1000),
          status == DECC_TASK_UNSET
              ? "no scheduler of the workerpool initialized it (is a decc "
                "node with the scheduler and worker roles running for it?); "
                "wait again with decc task wait TASK"
              : "the workerpool's worker did not finish it yet; wait again "
                "with decc task wait TASK");
    sleep_ms(poll);
  }
}

static decc_status wait_task(decc_dp *dp, const decc_dp_process_opts *o,
                             decc_dp_process_result *out, decc_err *err) {
  decc_dp_wait_opts w = {o->timeout_s, o->poll_ms, o->progress, o->user};
  decc_dp_task_end end;
  decc_status st = decc_dp_wait_task(dp, out->task_id, &w, &end, err);
  out->task_status = end.status;
  out->failure_cause = end.cause;
  out->stderr_tail = end.stderr_tail;
  return st;
}

decc_status decc_dp_process(decc_dp *dp, decc_dp_process_result *out,
                            const decc_dp_process_opts *o, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(o != NULL);
  memset(out, 0, sizeof *out);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  if (o->n_secrets > DECC_DP_MAX_SECRETS ||
      o->n_input_files > DECC_DP_MAX_INPUT_FILES)
    return decc_err_set(err, DECC_E_LIMIT,
                        "at most %d secrets and %d input files",
                        DECC_DP_MAX_SECRETS, DECC_DP_MAX_INPUT_FILES);
  for (size_t i = 0; i < o->n_input_files; i++)
    if (strncmp(o->input_files[i], "http://", 7) != 0 &&
        strncmp(o->input_files[i], "https://", 8) != 0)
      return decc_err_set(err, DECC_E_INVALID,
                          "input file '%s' is not an http(s) URL",
                          o->input_files[i]);
  decc_order app, ds, wp, rq;
  memset(&app, 0, sizeof app);
  memset(&ds, 0, sizeof ds);
  memset(&wp, 0, sizeof wp);
  memset(&rq, 0, sizeof rq);
  json_t *secrets = NULL;
  decc_rsa_key *rkey = NULL;
  char *b64 = NULL;

  decc__dp_progress(o->progress, o->user, "FETCH_ORDERS", 0, NULL);
  if ((st = decc_dp_check_tee_app(dp, &o->app, err)) ||
      (st = decc_dp_sync_market(dp, err)) ||
      (st = choose_orders(dp, o, &app, &ds, &wp, err)))
    goto done;
  decc__dp_progress(o->progress, o->user, "FETCH_ORDERS", 1, NULL);

  /* Balance: the requester's PoCo account pays the three prices. */
  {
    decc_u256 t;
    if (decc_u256_add(&t, &app.u.app.appprice, &ds.u.dataset.datasetprice) ||
        decc_u256_add(&out->total_price, &t,
                      &wp.u.workerpool.workerpoolprice)) {
      st = decc_err_set(err, DECC_E_RANGE, "prices overflow");
      goto done;
    }
    decc_dp_balance b;
    if ((st = decc_dp_get_balance(dp, &dp->me, &b, err)))
      goto done;
    if (decc_u256_cmp(&b.stake, &out->total_price) < 0) {
      decc_u256 miss;
      char have[96], need[96], m[96];
      if (decc_u256_sub(&miss, &out->total_price, &b.stake))
        miss = out->total_price;
      st = decc_err_set(err, DECC_E_RANGE,
                        "insufficient balance: %s deposited, %s needed "
                        "(missing %s): deposit RLC to your account first",
                        decc_dp_format_rlc(have, &b.stake),
                        decc_dp_format_rlc(need, &out->total_price),
                        decc_dp_format_rlc(m, &miss));
      goto done;
    }
  }

  /* The workerpool owner stakes part of its price (PoCo locks
   * workerpoolprice × WORKERPOOL_STAKE_RATIO / 100 from its account). */
  {
    decc_u256 ratio = decc_u256_from_u64(DECC_POCO_WORKERPOOL_STAKE_RATIO),
              hundred = decc_u256_from_u64(100), stake;
    decc_address owner;
    decc_dp_balance b;
    if (decc_u256_muldiv(&stake, &wp.u.workerpool.workerpoolprice, &ratio,
                         &hundred) != DECC_OK) {
      st = decc_err_set(err, DECC_E_RANGE, "workerpool price overflow");
      goto done;
    }
    if ((st = decc_hub_owner_of(dp->chain, &wp.u.workerpool.workerpool, &owner,
                                err)) ||
        (st = decc_dp_get_balance(dp, &owner, &b, err)))
      goto done;
    if (decc_u256_cmp(&b.stake, &stake) < 0) {
      char a[DECC_ADDRESS_HEX_LEN], x[96], y[96];
      st = decc_err_set(err, DECC_E_RANGE,
                        "workerpool %s cannot take the task: its owner has "
                        "%s deposited and must stake %s (%d%% of its price); "
                        "the operator must deposit RLC",
                        decc__dp_addr(a, &wp.u.workerpool.workerpool),
                        decc_dp_format_rlc(x, &b.stake),
                        decc_dp_format_rlc(y, &stake),
                        DECC_POCO_WORKERPOOL_STAKE_RATIO);
      goto done;
    }
  }

  /* Requester secrets under random names (the SDK's scheme). */
  if (o->n_secrets) {
    decc__dp_progress(o->progress, o->user, "PUSH_REQUESTER_SECRET", 0, NULL);
    secrets = json_object();
    if (!secrets) {
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      goto done;
    }
    for (size_t i = 0; i < o->n_secrets; i++) {
      uint8_t rnd[16];
      char name[35], idx[24];
      if ((st = decc_random_bytes(rnd, sizeof rnd))) {
        decc_err_set(err, st, "no randomness");
        goto done;
      }
      decc_hex_encode(name, rnd, 16, 1);
      snprintf(idx, sizeof idx, "%zu", i + 1);
      if ((st = decc__dp_sms_push_requester(dp, name, o->secrets[i],
                                            strlen(o->secrets[i]), err)))
        goto done;
      if (json_object_set_new(secrets, idx, json_string(name))) {
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
        goto done;
      }
    }
    decc__dp_progress(o->progress, o->user, "PUSH_REQUESTER_SECRET", 1, NULL);
  }

  if (!o->no_encrypt_result) {
    int created = 0;
    decc__dp_progress(o->progress, o->user, "GENERATE_ENCRYPTION_KEY", 0, NULL);
    if ((st = decc_dp_result_key(dp, &rkey, &created, o->result_key_path, 1,
                                 err)))
      goto done;
    decc__dp_progress(o->progress, o->user, "GENERATE_ENCRYPTION_KEY", 1,
                      created ? "generated" : "reused");
    decc__dp_progress(o->progress, o->user, "PUSH_ENCRYPTION_KEY", 0, NULL);
    size_t blen = 0;
    if ((st = decc_rsa_key_public_b64(&b64, &blen, rkey, err)) ||
        (st = decc__dp_sms_push_web2(dp, DECC_SMS_RESULT_ENCRYPTION_KEY, b64,
                                     blen, err)))
      goto done;
    decc__dp_progress(o->progress, o->user, "PUSH_ENCRYPTION_KEY", 1, NULL);
  }

  decc__dp_progress(o->progress, o->user, "REQUEST_TO_PROCESS_PROTECTED_DATA",
                    0, NULL);
  if ((st = decc_order_init(&rq, DECC_ORDER_REQUEST))) {
    decc_err_set(err, st, "out of memory");
    goto done;
  }
  {
    decc_requestorder *q = &rq.u.request;
    q->app = o->app;
    q->appmaxprice = app.u.app.appprice;
    q->dataset = o->protected_data;
    q->datasetmaxprice = ds.u.dataset.datasetprice;
    q->workerpool = wp.u.workerpool.workerpool;
    q->workerpoolmaxprice = wp.u.workerpool.workerpoolprice;
    q->requester = dp->me;
    q->volume = decc_u256_from_u64(1);
    decc_tag_from_bits(q->tag, DECC_DP_TAG_BITS);
    q->category = wp.u.workerpool.category;
    q->trust = decc_u256_from_u64(0);
    q->beneficiary = dp->me;
    decc_free(q->params);
    q->params = NULL;
    if ((st = build_params(&q->params, o, secrets, err)))
      goto done;
  }
  if ((st = decc_order_sign(&rq, dp->sk, dp->domain, 1))) {
    decc_err_set(err, st, "cannot sign the request order");
    goto done;
  }
  if ((st = match(dp, &app, &ds, &wp, &rq, out, err)))
    goto done;
  {
    char h[DECC_HEX32_LEN];
    decc_hex_encode(h, out->deal_id, 32, 1);
    decc__dp_progress(o->progress, o->user, "REQUEST_TO_PROCESS_PROTECTED_DATA",
                      1, h);
  }
  if (o->no_wait)
    goto done;
  if ((st = wait_task(dp, o, out, err)))
    goto done;
  {
    unsigned s;
    uint8_t deal[32];
    if ((st = decc__dp_view_task(dp, out->task_id, &s, deal, NULL,
                                 &out->results_json, err)))
      goto done;
  }
  decc__dp_progress(o->progress, o->user, "CONSUME_RESULT_DOWNLOAD", 0, NULL);
  /* fetch_result downloads and decrypts in one go; report both steps. */
  st = decc_dp_fetch_result(dp, &out->result, &out->result_len, out->task_id,
                            o->result_key_path, o->path, err);
  if (!st) {
    decc__dp_progress(o->progress, o->user, "CONSUME_RESULT_DOWNLOAD", 1, NULL);
    if (!o->no_encrypt_result) {
      decc__dp_progress(o->progress, o->user, "CONSUME_RESULT_DECRYPT", 0,
                        NULL);
      decc__dp_progress(o->progress, o->user, "CONSUME_RESULT_DECRYPT", 1,
                        NULL);
    }
  }
done:
  json_decref(secrets);
  decc_free(b64);
  decc_rsa_key_destroy(rkey);
  decc_order_clear(&app);
  decc_order_clear(&ds);
  decc_order_clear(&wp);
  decc_order_clear(&rq);
  if (st) {
    /* Keep the ids of a deal that was made: the caller can follow it. */
    decc_free(out->result);
    out->result = NULL;
    out->result_len = 0;
  }
  return st;
}

/* ---- task logs ------------------------------------------------------------------------- */

decc_status decc_dp_task_logs(decc_dp *dp, char **text,
                              const uint8_t task_id32[32], decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(text != NULL);
  DECC_ARG_CHECK(task_id32 != NULL);
  *text = NULL;
  unsigned status = 0;
  uint8_t deal[32];
  uint64_t fd = 0;
  char h[DECC_HEX32_LEN];
  decc_hex_encode(h, task_id32, 32, 1);
  decc_status st =
      decc__dp_view_task(dp, task_id32, &status, deal, &fd, NULL, err);
  if (st)
    return st;
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &dp->addr.hub;
  f.n_addresses = 1;
  const uint8_t(*tid)[32] = (const uint8_t(*)[32])task_id32;
  f.topic_alts[1] = tid;
  f.n_topic_alts[1] = 1;
  decc_log *logs = NULL;
  size_t n = 0;
  if ((st = decc_chain_get_logs(dp->chain, &f, &logs, &n, err)))
    return st;
  decc_buf b;
  decc_buf_init(&b, 1u << 20);
  if (status == DECC_TASK_UNSET && n == 0) {
    decc_logs_free(logs, n);
    decc_buf_clear(&b);
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "task %s: unknown (not initialized yet, or no such "
                        "task)",
                        h);
  }
  for (size_t i = 0; i < n && !st; i++) {
    const char *name = NULL;
    char *json = NULL;
    uint64_t ts = 0;
    if (decc__dp_block_time(dp, logs[i].block_number, &ts, NULL) != DECC_OK)
      ts = 0;
    if (decc_ledger_decode_log(&logs[i], &name, &json, NULL) != DECC_OK)
      continue;
    st = decc_buf_printf(&b, "block %llu  t=%llu  %s %s\n",
                         (unsigned long long)logs[i].block_number,
                         (unsigned long long)ts, name, json);
    decc_free(json);
  }
  decc_logs_free(logs, n);
  if (!st)
    st = decc_buf_printf(&b, "status %s, final deadline %llu\n",
                         decc_dp_task_status_name(status),
                         (unsigned long long)fd);
  if (st) {
    decc_buf_clear(&b);
    return decc_err_set(err, st, "out of memory");
  }
  *text = (char *)decc_buf_steal(&b, NULL);
  return *text ? DECC_OK : decc_err_set(err, DECC_E_NOMEM, "out of memory");
}

/* ---- bulk processing ---------------------------------------------------------------------- */
/*
 * prepareBulkRequest / processBulkRequest (@iexec/dataprotector beta.21+,
 * iexec SDK 8.22+ prepareDatasetBulk; docs/internals/bulk.md): one request
 * order without a dataset whose params name a bulk root on IPFS; each
 * task's slice lists the signed bulk grants (dataset orders) the SMS
 * checks against the deal before releasing their keys.
 */

void decc_dp_bulk_request_clear(decc_dp_bulk_request *r) {
  if (!r)
    return;
  decc_order_clear(&r->order);
  memset(r, 0, sizeof *r);
}

void decc_dp_bulk_result_clear(decc_dp_bulk_result *r) {
  if (!r)
    return;
  for (size_t i = 0; i < r->n_tasks; i++) {
    decc_free(r->tasks[i].result);
    decc_free(r->tasks[i].failure_cause);
    decc_free(r->tasks[i].stderr_tail);
  }
  decc_free(r->tasks);
  memset(r, 0, sizeof *r);
}

/* iexec-sms's least bulk volume (2^53 - 2). */
#define BULK_MIN_VOLUME (DECC_DP_BULK_VOLUME - 1)

static int is_bulk_grant(const decc_order *o) {
  decc_u256 min = decc_u256_from_u64(BULK_MIN_VOLUME);
  return decc_u256_is_zero(&o->u.dataset.datasetprice) &&
         decc_u256_cmp(&o->u.dataset.volume, &min) >= 0;
}

/* The grant of one item usable for bulk by (app, signer, workerpool), or
 * an error saying why there is none. Out: *grant (decc_order_clear). */
static decc_status bulk_grant(decc_dp *dp, const decc_dp_bulk_opts *o,
                              const decc_address *data, decc_order *grant,
                              decc_err *err) {
  char a[DECC_ADDRESS_HEX_LEN], b[DECC_ADDRESS_HEX_LEN], h[DECC_HEX32_LEN],
      p1[96];
  decc_market_filter f;
  decc__dp_rec *r = NULL;
  size_t n = 0;
  decc_status st;
  decc_market_filter_init(&f);
  f.has_resource = 1;
  f.resource = *data;
  restrict_value(&f.app, &o->app);
  restrict_value(&f.requester, &dp->me);
  if (o->has_workerpool)
    restrict_value(&f.workerpool, &o->workerpool);
  else
    f.workerpool.mode = DECC_MF_ANY;
  /* A local market also lists closed orders, which tells a revoked grant
   * from none; the market API (remote) lists open orders only. */
  int all_status =
      (decc_market_client_caps(dp->mc) & DECC_MARKET_CLIENT_ALL_STATUS) != 0;
  f.include_all_status = all_status;
  f.page_size = DECC_MARKET_PAGE_MAX;
  if ((st = decc__dp_query(dp, DECC_ORDER_DATASET, &f, &r, &n, NULL, err)))
    return st;
  int k = -1, revoked = -1, not_bulk = -1;
  for (size_t i = 0; i < n && k < 0; i++) {
    const decc_order *d = &r[i].order;
    /* a workerpool restriction would make the SMS refuse the order for
     * another workerpool: only take it when the request names that one */
    int wp_ok =
        decc_address_is_zero(&d->u.dataset.workerpoolrestrict) ||
        (o->has_workerpool &&
         decc_address_eq(&d->u.dataset.workerpoolrestrict, &o->workerpool));
    int open = !strcmp(r[i].status, "open") && has_volume(dp, d);
    if (!is_bulk_grant(d)) {
      if (open && not_bulk < 0)
        not_bulk = (int)i;
    } else if (!open) {
      if (revoked < 0)
        revoked = (int)i;
    } else if (wp_ok) {
      k = (int)i;
    }
  }
  if (k >= 0) {
    st = decc_order_copy(grant, &r[k].order);
    decc__dp_recs_free(r, n);
    return st ? decc_err_set(err, st, "out of memory") : DECC_OK;
  }
  decc__dp_addr(a, data);
  decc__dp_addr(b, &o->app);
  if (not_bulk >= 0) {
    const decc_order *d = &r[not_bulk].order;
    char vol[DECC_U256_DEC_LEN];
    decc_u256_to_dec(vol, &d->u.dataset.volume);
    st = decc_err_set(err, DECC_E_NOT_FOUND,
                      "protected data %s: its grant to app %s does not allow "
                      "bulk processing (price %s, %s accesses): the owner "
                      "must grant it with allowBulk (decc grant %s %s --user "
                      "YOU --bulk)",
                      a, b, decc_dp_format_rlc(p1, &d->u.dataset.datasetprice),
                      vol, a, b);
  } else if (revoked >= 0) {
    decc_hex_encode(h, r[revoked].hash, 32, 1);
    /* Listed as open but consumed on chain: bulk deals never consume a
     * dataset order, so only the owner's CLOSE (revoke) did. */
    st = decc_err_set(err, DECC_E_NOT_FOUND,
                      "protected data %s: its bulk grant to app %s (order "
                      "%.18s…) was revoked by the owner: ask the owner to "
                      "grant it again",
                      a, b, h);
  } else if (!all_status) {
    st = decc_err_set(err, DECC_E_NOT_FOUND,
                      "protected data %s: no open bulk grant lets app %s "
                      "process it for you%s (the market does not list "
                      "revoked or exhausted grants): ask the owner to grant "
                      "it with allowBulk (decc grant %s %s --user YOU --bulk)",
                      a, b, n ? " on this workerpool" : "", a, b);
  } else {
    st = decc_err_set(err, DECC_E_NOT_FOUND,
                      "protected data %s: no grant lets app %s process it "
                      "for you%s: ask the owner to grant it with allowBulk "
                      "(decc grant %s %s --user YOU --bulk)",
                      a, b, n ? " on this workerpool" : "", a, b);
  }
  decc__dp_recs_free(r, n);
  return st;
}

/* Writes text to a temporary file and adds it to the store. */
static decc_status store_text(decc_dp *dp, const char *text, char *cid_out,
                              size_t cap, decc_err *err) {
  char *path = NULL;
  decc_status st = decc__dp_tmpfile(dp, &path, err);
  if (st)
    return st;
  st = decc__atomic_write(path, text, strlen(text), 0600u, err);
  decc_cid cid;
  if (!st)
    st = decc__dp_store_add(dp, path, &cid, err);
  if (!st)
    st = decc_cid_to_string(cid_out, cap, &cid);
  unlink(path);
  decc_free(path);
  return st;
}

static decc_status bulk_params(char **out, const decc_dp_bulk_opts *o,
                               const char *bulk_cid, json_t *secrets,
                               decc_err *err) {
  json_t *p = json_object();
  int bad = !p;
  bad |= !p || json_object_set_new(p, "bulk_cid", json_string(bulk_cid));
  if (!bad && secrets && json_object_size(secrets))
    bad |= json_object_set(p, "iexec_secrets", secrets);
  bad |= !p || json_object_set_new(p, "iexec_result_storage_provider",
                                   json_string("ipfs"));
  if (!o->no_encrypt_result)
    bad |= !p || json_object_set_new(p, "iexec_result_encryption", json_true());
  if (o->n_input_files) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < o->n_input_files; i++)
      bad |= json_array_append_new(a, json_string(o->input_files[i]));
    bad |= !a || !p || json_object_set_new(p, "iexec_input_files", a);
  }
  if (o->args)
    bad |= !p || json_object_set_new(p, "iexec_args", json_string(o->args));
  char *s = bad ? NULL : json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(p);
  if (!s)
    return decc_err_set(err, DECC_E_NOMEM, "cannot build the request params");
  *out = decc_strdup(s);
  free(s);
  if (!*out)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (strlen(*out) > DECC_PARAMS_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "request params above %d bytes",
                        DECC_PARAMS_MAX);
  return DECC_OK;
}

/* Requester secrets under random names (the SDK's scheme). */
static decc_status push_secrets(decc_dp *dp, const char *const *v, size_t n,
                                json_t **out, decc_dp_progress_fn progress,
                                void *user, decc_err *err) {
  *out = NULL;
  if (!n)
    return DECC_OK;
  decc__dp_progress(progress, user, "PUSH_REQUESTER_SECRET", 0, NULL);
  json_t *secrets = json_object();
  if (!secrets)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    uint8_t rnd[16];
    char name[35], idx[24];
    decc_status st = decc_random_bytes(rnd, sizeof rnd);
    if (st) {
      json_decref(secrets);
      return decc_err_set(err, st, "no randomness");
    }
    decc_hex_encode(name, rnd, 16, 1);
    snprintf(idx, sizeof idx, "%zu", i + 1);
    if ((st = decc__dp_sms_push_requester(dp, name, v[i], strlen(v[i]), err))) {
      json_decref(secrets);
      return st;
    }
    if (json_object_set_new(secrets, idx, json_string(name))) {
      json_decref(secrets);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
  }
  decc__dp_progress(progress, user, "PUSH_REQUESTER_SECRET", 1, NULL);
  *out = secrets;
  return DECC_OK;
}

decc_status decc_dp_prepare_bulk(decc_dp *dp, decc_dp_bulk_request *out,
                                 const decc_dp_bulk_opts *o, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(o != NULL);
  memset(out, 0, sizeof *out);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  size_t n = o->n_protected_data;
  size_t per = o->max_per_task ? o->max_per_task : DECC_DP_BULK_PER_TASK_MAX;
  if (!n || !o->protected_data)
    return decc_err_set(err, DECC_E_INVALID,
                        "bulk processing needs at least one protected data");
  if (n > DECC_DP_BULK_ITEMS_MAX || per > DECC_DP_BULK_PER_TASK_MAX)
    return decc_err_set(err, DECC_E_LIMIT,
                        "at most %d protected data per bulk request and %d "
                        "per task",
                        DECC_DP_BULK_ITEMS_MAX, DECC_DP_BULK_PER_TASK_MAX);
  if (o->n_secrets > DECC_DP_MAX_SECRETS ||
      o->n_input_files > DECC_DP_MAX_INPUT_FILES)
    return decc_err_set(err, DECC_E_LIMIT,
                        "at most %d secrets and %d input files",
                        DECC_DP_MAX_SECRETS, DECC_DP_MAX_INPUT_FILES);
  for (size_t i = 0; i < o->n_input_files; i++)
    if (strncmp(o->input_files[i], "http://", 7) != 0 &&
        strncmp(o->input_files[i], "https://", 8) != 0)
      return decc_err_set(err, DECC_E_INVALID,
                          "input file '%s' is not an http(s) URL",
                          o->input_files[i]);
  /* The same item twice would be decrypted twice into the same file. */
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n && j < i + DECC_DP_BULK_ITEMS_MAX; j++)
      if (decc_address_eq(&o->protected_data[i], &o->protected_data[j])) {
        char a[DECC_ADDRESS_HEX_LEN];
        return decc_err_set(err, DECC_E_INVALID,
                            "protected data %s is listed twice",
                            decc__dp_addr(a, &o->protected_data[i]));
      }
  json_t *secrets = NULL;
  decc_rsa_key *rkey = NULL;
  char *b64 = NULL, *slice = NULL;
  json_t *root = json_array(), *arr = NULL;
  decc_order g;
  memset(&g, 0, sizeof g);
  if (!root)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");

  decc__dp_progress(o->progress, o->user, "FETCH_ORDERS", 0, NULL);
  if ((st = decc_dp_check_tee_app(dp, &o->app, err)) ||
      (st = decc_dp_sync_market(dp, err)))
    goto done;
  /* Every grant first: a refusal costs nothing. */
  json_t *orders = json_array();
  if (!orders) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    char *j = NULL;
    json_error_t je;
    if ((st = bulk_grant(dp, o, &o->protected_data[i], &g, err)) ||
        (st = decc_order_to_json(&j, &g))) {
      if (st == DECC_E_NOMEM)
        decc_err_set(err, st, "out of memory");
      json_decref(orders);
      goto done;
    }
    json_t *oj = json_loads(j, 0, &je);
    decc_free(j);
    decc_order_clear(&g);
    if (!oj || json_array_append_new(orders, oj)) {
      json_decref(orders);
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      goto done;
    }
  }
  decc__dp_progress(o->progress, o->user, "FETCH_ORDERS", 1, NULL);

  if ((st = push_secrets(dp, o->secrets, o->n_secrets, &secrets, o->progress,
                         o->user, err))) {
    json_decref(orders);
    goto done;
  }
  if (!o->no_encrypt_result) {
    int created = 0;
    size_t blen = 0;
    decc__dp_progress(o->progress, o->user, "GENERATE_ENCRYPTION_KEY", 0, NULL);
    if ((st = decc_dp_result_key(dp, &rkey, &created, o->result_key_path, 1,
                                 err))) {
      json_decref(orders);
      goto done;
    }
    decc__dp_progress(o->progress, o->user, "GENERATE_ENCRYPTION_KEY", 1,
                      created ? "generated" : "reused");
    decc__dp_progress(o->progress, o->user, "PUSH_ENCRYPTION_KEY", 0, NULL);
    if ((st = decc_rsa_key_public_b64(&b64, &blen, rkey, err)) ||
        (st = decc__dp_sms_push_web2(dp, DECC_SMS_RESULT_ENCRYPTION_KEY, b64,
                                     blen, err))) {
      json_decref(orders);
      goto done;
    }
    decc__dp_progress(o->progress, o->user, "PUSH_ENCRYPTION_KEY", 1, NULL);
  }

  /* prepareDatasetBulk: slices of `per` orders, then the root. */
  decc__dp_progress(o->progress, o->user, "PREPARE_PROTECTED_DATA_BULK", 0,
                    NULL);
  for (size_t i = 0; i < n && !st; i += per) {
    char cid[DECC_CID_STR_MAX];
    arr = json_array();
    int full = arr != NULL;
    for (size_t j = i; full && j < n && j < i + per; j++)
      full = !json_array_append(arr, json_array_get(orders, j));
    slice = full ? json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(arr);
    arr = NULL;
    if (!slice)
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    else if (!(st = store_text(dp, slice, cid, sizeof cid, err)) &&
             json_array_append_new(root, json_string(cid)))
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    free(slice);
    slice = NULL;
  }
  json_decref(orders);
  if (st)
    goto done;
  out->n_slices = json_array_size(root);
  out->n_items = n;
  slice = json_dumps(root, JSON_COMPACT);
  if (!slice) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto done;
  }
  if ((st = store_text(dp, slice, out->bulk_cid, sizeof out->bulk_cid, err)))
    goto done;
  decc__dp_progress(o->progress, o->user, "PREPARE_PROTECTED_DATA_BULK", 1,
                    out->bulk_cid);

  decc__dp_progress(o->progress, o->user, "CREATE_BULK_REQUEST", 0, NULL);
  if ((st = decc_order_init(&out->order, DECC_ORDER_REQUEST))) {
    decc_err_set(err, st, "out of memory");
    goto done;
  }
  {
    decc_requestorder *q = &out->order.u.request;
    q->app = o->app;
    q->appmaxprice = o->app_max_price;
    q->datasetmaxprice = decc_u256_from_u64(0);
    if (o->has_workerpool)
      q->workerpool = o->workerpool;
    q->workerpoolmaxprice = o->workerpool_max_price;
    q->requester = dp->me;
    q->beneficiary = dp->me;
    q->volume = decc_u256_from_u64(out->n_slices);
    decc_tag_from_bits(q->tag, DECC_DP_TAG_BITS);
    q->category = decc_u256_from_u64(0);
    q->trust = decc_u256_from_u64(0);
    decc_free(q->params);
    q->params = NULL;
    if ((st = bulk_params(&q->params, o, out->bulk_cid, secrets, err)))
      goto done;
  }
  if ((st = decc_order_sign(&out->order, dp->sk, dp->domain, 1))) {
    decc_err_set(err, st, "cannot sign the request order");
    goto done;
  }
  decc_order_hash(out->hash, &out->order, dp->domain);
  {
    char h[DECC_HEX32_LEN];
    decc_hex_encode(h, out->hash, 32, 1);
    decc__dp_progress(o->progress, o->user, "CREATE_BULK_REQUEST", 1, h);
  }
done:
  free(slice);
  json_decref(root);
  json_decref(secrets);
  decc_free(b64);
  decc_rsa_key_destroy(rkey);
  decc_order_clear(&g);
  if (st)
    decc_dp_bulk_request_clear(out);
  return st;
}

/* The first app order ≤ max and the cheapest workerpool order ≤ max for a
 * request without a dataset. */
static decc_status bulk_orders(decc_dp *dp, const decc_requestorder *q,
                               decc_order *app, decc_order *wp, decc_err *err) {
  char a[DECC_ADDRESS_HEX_LEN], p1[96], p2[96];
  decc_market_filter f;
  decc__dp_rec *r = NULL;
  size_t n = 0, live = 0;
  decc_u256 cheapest = decc_u256_from_u64(0);
  decc_address zero;
  memset(&zero, 0, sizeof zero);
  decc_status st;
  int has_wp = !decc_address_is_zero(&q->workerpool);

  decc_market_filter_init(&f);
  f.has_resource = 1;
  f.resource = q->app;
  restrict_value(&f.dataset, &zero);
  if (has_wp)
    restrict_value(&f.workerpool, &q->workerpool);
  else
    f.workerpool.mode = DECC_MF_ANY;
  restrict_value(&f.requester, &dp->me);
  f.has_min_tag = 1;
  decc_tag_from_bits(f.min_tag, 0x1);
  f.page_size = DECC_MARKET_PAGE_MAX;
  if ((st = decc__dp_query(dp, DECC_ORDER_APP, &f, &r, &n, NULL, err)))
    return st;
  int k = pick(dp, r, n, &q->appmaxprice, app_price, &cheapest, &live);
  if (k < 0) {
    decc__dp_recs_free(r, n);
    if (live)
      return decc_err_set(err, DECC_E_NOT_FOUND,
                          "no app order of %s within the app max price %s "
                          "(cheapest: %s): raise it with --app-max-price",
                          decc__dp_addr(a, &q->app),
                          decc_dp_format_rlc(p1, &q->appmaxprice),
                          decc_dp_format_rlc(p2, &cheapest));
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "no app order for app %s usable by you without a "
                        "dataset: the app owner must publish one",
                        decc__dp_addr(a, &q->app));
  }
  st = decc_order_copy(app, &r[k].order);
  decc__dp_recs_free(r, n);
  if (st)
    return decc_err_set(err, st, "out of memory");

  decc_market_filter_init(&f);
  f.has_category = 1;
  f.category = 0;
  if (has_wp) {
    f.has_resource = 1;
    f.resource = q->workerpool;
  }
  restrict_value(&f.app, &q->app);
  restrict_value(&f.dataset, &zero);
  restrict_value(&f.requester, &dp->me);
  f.has_min_tag = 1;
  for (int i = 0; i < 32; i++)
    f.min_tag[i] = app->u.app.tag[i] | q->tag[i];
  f.page_size = DECC_MARKET_PAGE_MAX;
  if ((st = decc__dp_query(dp, DECC_ORDER_WORKERPOOL, &f, &r, &n, NULL, err)))
    return st;
  k = pick(dp, r, n, &q->workerpoolmaxprice, wp_price, &cheapest, &live);
  if (k < 0) {
    decc__dp_recs_free(r, n);
    if (live)
      return decc_err_set(err, DECC_E_NOT_FOUND,
                          "no workerpool order within the workerpool max "
                          "price %s (cheapest: %s): raise it with "
                          "--workerpool-max-price",
                          decc_dp_format_rlc(p1, &q->workerpoolmaxprice),
                          decc_dp_format_rlc(p2, &cheapest));
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "no TEE workerpool order in category 0 for this app: "
                        "no workerpool offers to run it now");
  }
  st = decc_order_copy(wp, &r[k].order);
  decc__dp_recs_free(r, n);
  return st ? decc_err_set(err, st, "out of memory") : DECC_OK;
}

static decc_status consumed_of(decc_dp *dp, const uint8_t h[32], uint64_t *out,
                               decc_err *err) {
  decc_u256 used;
  decc_status st = decc_hub_view_consumed(dp->chain, h, &used, err);
  if (!st && !decc_u256_to_u64(out, &used))
    st = decc_err_set(err, DECC_E_RANGE, "viewConsumed: out of range");
  return st;
}

decc_status decc_dp_process_bulk_request(decc_dp *dp, decc_dp_bulk_result *out,
                                         const decc_dp_bulk_request *req,
                                         const decc_dp_bulk_opts *o,
                                         decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(req != NULL);
  DECC_ARG_CHECK(o != NULL);
  memset(out, 0, sizeof *out);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  const decc_requestorder *q = &req->order.u.request;
  uint64_t volume = 0, used = 0;
  if (req->order.type != DECC_ORDER_REQUEST ||
      !decc_u256_to_u64(&volume, &q->volume) || volume == 0 ||
      volume > DECC_DP_BULK_ITEMS_MAX)
    return decc_err_set(err, DECC_E_INVALID,
                        "not a bulk request order (volume 1..%d)",
                        DECC_DP_BULK_ITEMS_MAX);
  out->tasks = decc_calloc((size_t)volume, sizeof *out->tasks);
  if (!out->tasks)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_order app, ds, wp;
  memset(&app, 0, sizeof app);
  memset(&wp, 0, sizeof wp);
  if ((st = decc_order_init(&ds, DECC_ORDER_DATASET))) /* empty: no dataset */
    return decc_err_set(err, st, "out of memory");

  decc__dp_progress(o->progress, o->user, "FETCH_ORDERS", 0, NULL);
  if ((st = decc_dp_sync_market(dp, err)))
    goto done;
  decc__dp_progress(o->progress, o->user, "FETCH_ORDERS", 1, NULL);
  /* Each round matches what the chosen workerpool order has left; stop
   * when the request is consumed (bounded: one deal per slice at most). */
  decc__dp_progress(o->progress, o->user, "CREATE_BULK_TASKS", 0, NULL);
  for (uint64_t round = 0; round <= volume; round++) {
    if ((st = consumed_of(dp, req->hash, &used, err)))
      goto done;
    if (used >= volume)
      break;
    decc_order_clear(&app);
    decc_order_clear(&wp);
    if ((st = bulk_orders(dp, q, &app, &wp, err)))
      goto done;
    /* Balance: (app + workerpool price) per remaining task; PoCo takes the
     * order prices. */
    {
      decc_u256 per, left = decc_u256_from_u64(volume - used), total;
      decc_dp_balance b;
      if (decc_u256_add(&per, &app.u.app.appprice,
                        &wp.u.workerpool.workerpoolprice) ||
          decc_u256_mul(&total, &per, &left)) {
        st = decc_err_set(err, DECC_E_RANGE, "prices overflow");
        goto done;
      }
      if ((st = decc_dp_get_balance(dp, &dp->me, &b, err)))
        goto done;
      if (decc_u256_cmp(&b.stake, &total) < 0) {
        char have[96], need[96];
        st = decc_err_set(err, DECC_E_RANGE,
                          "insufficient balance: %s deposited, %s needed for "
                          "%llu task(s): deposit RLC to your account first",
                          decc_dp_format_rlc(have, &b.stake),
                          decc_dp_format_rlc(need, &total),
                          (unsigned long long)(volume - used));
        goto done;
      }
    }
    decc_dp_process_result m;
    memset(&m, 0, sizeof m);
    decc__dp_progress(o->progress, o->user, "REQUEST_TO_PROCESS_BULK_DATA", 0,
                      NULL);
    if ((st = match(dp, &app, &ds, &wp, &req->order, &m, err)))
      goto done;
    uint64_t after = used;
    if ((st = consumed_of(dp, req->hash, &after, err)))
      goto done;
    if (after <= used) {
      st = decc_err_set(err, DECC_E_STATE,
                        "matchOrders made a deal without consuming the "
                        "bulk request");
      goto done;
    }
    for (uint64_t i = used; i < after && i < volume; i++) {
      decc_dp_bulk_task *t = &out->tasks[out->n_tasks++];
      decc_u256 idx = decc_u256_from_u64(i);
      memcpy(t->deal_id, m.deal_id, 32);
      decc_task_id(t->task_id, m.deal_id, &idx);
      t->bulk_index = i;
    }
    out->n_deals++;
    char h[DECC_HEX32_LEN];
    decc_hex_encode(h, m.deal_id, 32, 1);
    decc__dp_progress(o->progress, o->user, "REQUEST_TO_PROCESS_BULK_DATA", 1,
                      h);
  }
  if (used < volume && out->n_tasks < volume) {
    st = decc_err_set(err, DECC_E_STATE,
                      "the bulk request still has %llu task(s) unmatched",
                      (unsigned long long)(volume - out->n_tasks));
    goto done;
  }
  decc__dp_progress(o->progress, o->user, "CREATE_BULK_TASKS", 1, NULL);
  if (o->no_wait)
    goto done;
  /* Wait for every task; a failed one does not stop the others. */
  decc_status first = DECC_OK;
  char why[DECC_ERR_LEN + 128] = "";
  for (size_t i = 0; i < out->n_tasks; i++) {
    decc_dp_bulk_task *t = &out->tasks[i];
    char th[DECC_HEX32_LEN];
    decc_hex_encode(th, t->task_id, 32, 1);
    decc__dp_progress(o->progress, o->user, "PROCESS_BULK_SLICE", 0, th);
    decc_dp_wait_opts w = {o->timeout_s, o->poll_ms, o->progress, o->user};
    decc_dp_task_end end;
    decc_err e2;
    decc_err_clear(&e2);
    decc_status s2 = decc_dp_wait_task(dp, t->task_id, &w, &end, &e2);
    t->status = end.status;
    t->failure_cause = end.cause;
    t->stderr_tail = end.stderr_tail;
    if (!s2)
      s2 = decc_dp_fetch_result(dp, &t->result, &t->result_len, t->task_id,
                                o->result_key_path, o->path, &e2);
    if (s2 && !first) {
      first = s2;
      snprintf(why, sizeof why, "bulk task %llu (%s): %s",
               (unsigned long long)t->bulk_index, th, e2.msg);
    }
    decc__dp_progress(o->progress, o->user, "PROCESS_BULK_SLICE", 1, th);
  }
  if (first)
    st = decc_err_set(err, first, "%s", why);
done:
  decc_order_clear(&app);
  decc_order_clear(&ds);
  decc_order_clear(&wp);
  return st;
}

decc_status decc_dp_process_bulk(decc_dp *dp, decc_dp_bulk_result *out,
                                 const decc_dp_bulk_opts *o, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(o != NULL);
  memset(out, 0, sizeof *out);
  decc_dp_bulk_request req;
  decc_status st = decc_dp_prepare_bulk(dp, &req, o, err);
  if (!st)
    st = decc_dp_process_bulk_request(dp, out, &req, o, err);
  decc_dp_bulk_request_clear(&req);
  return st;
}
