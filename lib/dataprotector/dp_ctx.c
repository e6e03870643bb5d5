/*
 * dp_ctx.c — the DataProtector SDK context (decc/dataprotector.h): opens
 * the embedded default (ledger, blockstore, SMS, market in one data
 * directory), holds the signing key, and provides the chain, market, store
 * and SMS helpers the workflows share, plus balances and RLC amounts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "dataprotector/dp_int.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/sms_auth.h"

void decc__dp_progress(decc_dp_progress_fn fn, void *user, const char *title,
                       int done, const char *detail) {
  if (fn)
    fn(user, title, done, detail);
}

const char *decc__dp_addr(char out[DECC_ADDRESS_HEX_LEN],
                          const decc_address *a) {
  return decc_address_to_checksum(out, a);
}

decc_status decc__dp_need_dataprotector(decc_dp *dp, decc_err *err) {
  if (dp->dataprotector_checked)
    return DECC_OK;
  decc_status st = decc_hub_require_code(dp->chain, &dp->addr.dataprotector,
                                         "DataProtector", err);
  if (!st)
    dp->dataprotector_checked = 1;
  return st;
}

decc_status decc__dp_need_signer(const decc_dp *dp, decc_err *err) {
  if (!dp->sk)
    return decc_err_set(err, DECC_E_STATE,
                        "no wallet: a signing key is required for this "
                        "operation");
  return DECC_OK;
}

/* mkdir -p for the directory part of a path under home. */
static decc_status mkdirs(const char *path, decc_err *err) {
  char buf[4096];
  size_t n = strlen(path);
  if (n >= sizeof buf)
    return decc_err_set(err, DECC_E_INVALID, "%s: path too long", path);
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] == '/' || buf[i] == 0) {
      char c = buf[i];
      buf[i] = 0;
      if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return decc_err_set(err, DECC_E_IO, "%s: cannot create: %s", buf,
                            strerror(errno));
      buf[i] = c;
    }
  }
  return DECC_OK;
}

static decc_status join(char *out, size_t cap, const char *home,
                        const char *rel, decc_err *err) {
  int k = snprintf(out, cap, "%s/%s", home, rel);
  if (k < 0 || (size_t)k >= cap)
    return decc_err_set(err, DECC_E_INVALID, "%s: path too long", home);
  return DECC_OK;
}

/* ---- open / close ----------------------------------------------------------- */

decc_status decc_dp_open(decc_dp **out, const decc_dp_config *cfg,
                         decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(cfg != NULL);
  if (!cfg->home || !*cfg->home)
    return decc_err_set(err, DECC_E_INVALID,
                        "dataprotector: a data directory is required");
  *out = NULL;
  decc_status st = decc_init();
  if (st)
    return decc_err_set(err, st, "cannot initialise the crypto backends");
  decc_dp *dp = decc_calloc(1, sizeof *dp);
  if (!dp || !(dp->home = decc_strdup(cfg->home))) {
    decc_free(dp);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  const char *chain_url = cfg->chain_url ? cfg->chain_url : cfg->node_url;
  const char *sms_url = cfg->sms_url ? cfg->sms_url : cfg->node_url;
  const char *market_url = cfg->market_url ? cfg->market_url : cfg->node_url;
  const char *ipfs_url = cfg->ipfs_api_url ? cfg->ipfs_api_url : cfg->node_url;
  char path[4096];
  if ((chain_url && !(dp->chain_url = decc_strdup(chain_url))) ||
      (market_url && !(dp->node_url = decc_strdup(market_url)))) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto fail;
  }
  if (chain_url) {
    decc_chain_addresses addrs;
    if (cfg->addresses)
      addrs = *cfg->addresses;
    else {
      decc_genesis g;
      if ((st = decc_genesis_default(&g)))
        goto fail;
      addrs = g.addr;
      decc_genesis_clear(&g);
    }
    /* Checked open: chain id, hub code, registries and token read from
     * the hub (decc/hub.h). The DataProtector's code is checked by the
     * calls that use it (decc__dp_need_dataprotector). */
    decc_hub_remote r;
    memset(&r, 0, sizeof r);
    r.url = chain_url;
    r.hub = addrs.hub;
    r.has_dataprotector = 1;
    r.dataprotector = addrs.dataprotector;
    r.expect_chain_id = cfg->expect_chain_id;
    if ((st = decc_hub_open_remote(&dp->chain, &r, err)))
      goto fail;
    if ((st = decc_chain_get_addresses(dp->chain, &dp->addr, err)) ||
        (st = decc_chain_id(dp->chain, &dp->chain_id, err))) {
      decc_err_prefix(err, "chain %s", chain_url);
      goto fail;
    }
    decc_poco_domain_separator(dp->domain, dp->chain_id, &dp->addr.hub);
    goto chain_done;
  }
  if ((st = join(path, sizeof path, dp->home, DECC_DP_LEDGER_FILE, err)))
    goto fail;
  {
    char dir[4096];
    memcpy(dir, path, strlen(path) + 1);
    *strrchr(dir, '/') = 0;
    if ((st = mkdirs(dir, err)))
      goto fail;
  }
  if (access(path, F_OK) != 0) {
    if (cfg->no_init) {
      st = decc_err_set(err, DECC_E_NOT_FOUND,
                        "%s: no ledger in this data directory", path);
      goto fail;
    }
    decc_genesis g;
    if ((st = decc_genesis_default(&g)))
      goto fail;
    st = decc_ledger_init(path, &g, err);
    decc_genesis_clear(&g);
    /* Another process may have created it between access() and init. */
    if (st == DECC_E_EXISTS)
      st = DECC_OK;
    if (st)
      goto fail;
  }
  if ((st = decc_chain_open_embedded(&dp->chain, path, err)) ||
      (st = decc_ledger_open(&dp->ledger, path, err)) ||
      (st = decc_chain_get_addresses(dp->chain, &dp->addr, err)) ||
      (st = decc_chain_id(dp->chain, &dp->chain_id, err)))
    goto fail;
  decc_poco_domain_separator(dp->domain, dp->chain_id, &dp->addr.hub);
chain_done:
  if (ipfs_url) {
    if (!(dp->ipfs_api_url = decc_strdup(ipfs_url))) {
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      goto fail;
    }
  } else {
    if ((st = join(path, sizeof path, dp->home, DECC_DP_STORE_DIR, err)) ||
        (st = mkdirs(path, err)) ||
        (st = decc_blockstore_open(&dp->bs, path, err)))
      goto fail;
  }

  if (sms_url) {
    if ((st = decc_sms_client_open_http(&dp->smsc, sms_url, err)))
      goto fail;
    goto sms_done;
  }
  if ((st = join(path, sizeof path, dp->home, DECC_DP_SMS_DIR, err)) ||
      (st = mkdirs(path, err)))
    goto fail;
  {
    decc_sms_config sc;
    memset(&sc, 0, sizeof sc);
    sc.vault_dir = path;
    sc.trusted_platforms = cfg->trusted_platforms;
    sc.n_trusted = cfg->n_trusted;
    /* bulk_cid slices are read where protectData / processBulk wrote them */
    sc.bulk_store = dp->bs;
    sc.bulk_ipfs_api_url = dp->ipfs_api_url;
    if ((st = decc_sms_chain_view_over(&sc.chain, dp->chain, 0, err)))
      goto fail;
    if ((st = decc_sms_create(&dp->sms, &sc, err))) {
      decc_err_prefix(err, "SMS vault %s", path);
      goto fail;
    }
    if ((st = decc_sms_client_open_local(&dp->smsc, dp->sms, err)))
      goto fail;
  }

sms_done:
  if (market_url) {
    if ((st = decc_market_client_open_http(&dp->mc, market_url, dp->chain_id,
                                           err)))
      goto fail;
    goto market_done;
  }
  if ((st = join(path, sizeof path, dp->home, DECC_DP_MARKET_FILE, err)))
    goto fail;
  {
    char dir[4096];
    memcpy(dir, path, strlen(path) + 1);
    *strrchr(dir, '/') = 0;
    if ((st = mkdirs(dir, err)))
      goto fail;
  }
  {
    /* the dp's chain handle is used by one thread at a time: no pool */
    decc_market_world w;
    dp->mworld.chain = dp->chain;
    decc_market_world_over_chain(&w, &dp->mworld);
    if ((st = decc_market_open(&dp->market, path, dp->chain_id, &dp->addr.hub,
                               &w, err)) ||
        (st = decc_market_client_open_local(&dp->mc, dp->market, err)))
      goto fail;
  }
market_done:
  *out = dp;
  return DECC_OK;
fail:
  decc_dp_close(dp);
  return st;
}

void decc_dp_close(decc_dp *dp) {
  if (!dp)
    return;
  decc_market_client_destroy(dp->mc);
  decc_market_close(dp->market);
  decc_sms_client_destroy(dp->smsc);
  decc_sms_destroy(dp->sms);
  decc_blockstore_close(dp->bs);
  decc_ledger_close(dp->ledger);
  decc_chain_destroy(dp->chain);
  if (dp->sk)
    decc_secure_free(dp->sk);
  decc_free(dp->ipfs_api_url);
  decc_free(dp->node_url);
  decc_free(dp->chain_url);
  decc_free(dp->home);
  decc_free(dp);
}

decc_status decc_dp_set_signer(decc_dp *dp, const uint8_t sk32[32],
                               decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  decc_address a;
  if (decc_address_from_privkey(&a, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  if (!dp->sk && !(dp->sk = decc_secure_alloc(32)))
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  memcpy(dp->sk, sk32, 32);
  dp->me = a;
  return DECC_OK;
}

decc_status decc_dp_signer(const decc_dp *dp, decc_address *addr,
                           decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(addr != NULL);
  decc_status st = decc__dp_need_signer(dp, err);
  if (!st)
    *addr = dp->me;
  return st;
}

void decc_dp_set_runner(decc_dp *dp, decc_dp_runner_fn fn, void *user) {
  DECC_ARG_CHECK_VOID(dp != NULL);
  dp->runner = fn;
  dp->runner_user = user;
}

decc_chain *decc_dp_chain(decc_dp *dp) {
  DECC_ARG_CHECK_RET(dp != NULL, NULL);
  return dp->chain;
}
decc_market *decc_dp_market(decc_dp *dp) {
  DECC_ARG_CHECK_RET(dp != NULL, NULL);
  return dp->market;
}
decc_sms *decc_dp_sms(decc_dp *dp) {
  DECC_ARG_CHECK_RET(dp != NULL, NULL);
  return dp->sms;
}
decc_sms_client *decc_dp_sms_client(decc_dp *dp) {
  DECC_ARG_CHECK_RET(dp != NULL, NULL);
  return dp->smsc;
}
decc_market_client *decc_dp_market_client(decc_dp *dp) {
  DECC_ARG_CHECK_RET(dp != NULL, NULL);
  return dp->mc;
}
decc_blockstore *decc_dp_blockstore(decc_dp *dp) {
  DECC_ARG_CHECK_RET(dp != NULL, NULL);
  return dp->bs;
}
const char *decc_dp_home(const decc_dp *dp) {
  DECC_ARG_CHECK_RET(dp != NULL, NULL);
  return dp->home;
}

/* ---- chain helpers ------------------------------------------------------------ */

decc_status decc__dp_send(decc_dp *dp, const decc_address *to,
                          const decc_buf *calldata, decc_receipt *rc,
                          const char *what, decc_err *err) {
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  memset(rc, 0, sizeof *rc);
  st = decc_chain_send(dp->chain, dp->sk, to, calldata->data, calldata->len, rc,
                       err);
  if (st)
    return decc_err_prefix(err, "%s", what);
  if (rc->status != 1) {
    st =
        decc_err_set(err, DECC_E_REVERT, "%s reverted: %s", what,
                     rc->revert_reason && *rc->revert_reason ? rc->revert_reason
                                                             : "(no reason)");
    decc_receipt_clear(rc);
    return st;
  }
  return DECC_OK;
}

decc_status decc__dp_view(decc_dp *dp, const decc_address *to,
                          const decc_buf *calldata, decc_buf *out,
                          decc_err *err) {
  return decc_chain_call(dp->chain, dp->sk ? &dp->me : NULL, to, calldata->data,
                         calldata->len, out, err);
}

decc_status decc__dp_view_simple(decc_dp *dp, const decc_address *to,
                                 const char *sig, const uint8_t *arg32,
                                 const char *rtype, decc_buf *raw,
                                 decc_abi_value **root, decc_err *err) {
  uint8_t data[36];
  size_t n = 4;
  decc_abi_selector(data, sig);
  if (arg32) {
    memcpy(data + 4, arg32, 32);
    n = 36;
  }
  decc_buf cd = {data, n, n, n, 0};
  decc_buf_init(raw, 8u << 20);
  *root = NULL;
  decc_status st = decc__dp_view(dp, to, &cd, raw, err);
  if (st == DECC_OK && raw->len == 0)
    st = decc_err_set(err, DECC_E_NOT_FOUND, "%s: empty answer", sig);
  if (st == DECC_OK)
    st = decc_abi_decode(root, rtype, raw->data, raw->len, 0, err);
  if (st) {
    decc_buf_clear(raw);
    *root = NULL;
  }
  return st;
}

decc_status decc__dp_view_address(decc_dp *dp, const decc_address *to,
                                  const char *sig, const uint8_t *arg32,
                                  decc_address *out, decc_err *err) {
  decc_buf raw;
  decc_abi_value *v;
  decc_status st =
      decc__dp_view_simple(dp, to, sig, arg32, "address", &raw, &v, err);
  if (st)
    return st;
  if (decc_abi_get_address(decc_abi_item(v, 0), out) != DECC_OK)
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", sig);
  decc_abi_value_free(v);
  decc_buf_clear(&raw);
  return st;
}

decc_status decc__dp_view_u256(decc_dp *dp, const decc_address *to,
                               const char *sig, const uint8_t *arg32,
                               decc_u256 *out, decc_err *err) {
  decc_buf raw;
  decc_abi_value *v;
  decc_status st =
      decc__dp_view_simple(dp, to, sig, arg32, "uint256", &raw, &v, err);
  if (st)
    return st;
  if (decc_abi_get_u256(decc_abi_item(v, 0), out) != DECC_OK)
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", sig);
  decc_abi_value_free(v);
  decc_buf_clear(&raw);
  return st;
}

decc_status decc__dp_view_bytes(decc_dp *dp, const decc_address *to,
                                const char *sig, uint8_t **out, size_t *len,
                                decc_err *err) {
  decc_buf raw;
  decc_abi_value *v;
  decc_status st =
      decc__dp_view_simple(dp, to, sig, NULL, "bytes", &raw, &v, err);
  if (st)
    return st;
  const uint8_t *p;
  size_t n;
  if (decc_abi_get_bytes(decc_abi_item(v, 0), &p, &n) != DECC_OK)
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", sig);
  else if (!(*out = decc_malloc(n + 1)))
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  else {
    if (n)
      memcpy(*out, p, n);
    (*out)[n] = 0;
    *len = n;
  }
  decc_abi_value_free(v);
  decc_buf_clear(&raw);
  return st;
}

decc_status decc__dp_view_task(decc_dp *dp, const uint8_t taskid[32],
                               unsigned *status, uint8_t deal_id[32],
                               uint64_t *final_deadline, char **results,
                               decc_err *err) {
  decc_poco_task t;
  decc_status st = decc_hub_view_task(dp->chain, taskid, &t, err);
  if (st)
    return st;
  uint64_t fd = 0;
  if (!decc_u256_to_u64(&fd, &t.final_deadline))
    st = decc_err_set(err, DECC_E_PARSE, "viewTask: deadline out of range");
  if (!st && results &&
      !(*results = decc_strndup(t.results ? (const char *)t.results : "",
                                t.results_len)))
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (!st) {
    *status = (unsigned)t.status;
    memcpy(deal_id, t.deal_id, 32);
    if (final_deadline)
      *final_deadline = fd;
  }
  decc_poco_task_clear(&t);
  return st;
}

decc_status decc__dp_view_deal_params(decc_dp *dp, const uint8_t dealid[32],
                                      char **params, decc_err *err) {
  decc_poco_deal d;
  decc_status st = decc_hub_view_deal(dp->chain, dealid, &d, err);
  if (!st) {
    *params = d.params; /* taken over */
    d.params = NULL;
  }
  decc_poco_deal_clear(&d);
  return st;
}

decc_status decc__dp_block_time(decc_dp *dp, uint64_t number, uint64_t *ts,
                                decc_err *err) {
  if (dp->ledger) {
    decc_ledger_block b;
    decc_status st = decc_ledger_block_get(dp->ledger, number, &b, err);
    if (!st)
      *ts = b.timestamp;
    return st;
  }
  /* decc_chain has no block-by-number view: ask the JSON-RPC node. */
  char body[160];
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
           "\"eth_getBlockByNumber\",\"params\":[\"0x%llx\",false]}",
           (unsigned long long)number);
  const char *h[] = {"Content-Type: application/json", NULL};
  decc_http_reply r;
  decc_status st = decc_http_fetch(&r, "POST", dp->chain_url, h, body,
                                   strlen(body), 1u << 20, 30000, err);
  if (st) {
    decc_buf_clear(&r.body);
    return decc_err_prefix(err, "eth_getBlockByNumber");
  }
  json_error_t je;
  json_t *j = json_loadb((const char *)r.body.data, r.body.len, 0, &je);
  decc_buf_clear(&r.body);
  const char *t = json_string_value(
      json_object_get(json_object_get(j, "result"), "timestamp"));
  char *end = NULL;
  unsigned long long v = t ? strtoull(t, &end, 16) : 0;
  int ok = t && !strncmp(t, "0x", 2) && end && !*end;
  json_decref(j);
  if (!ok)
    return decc_err_set(err, DECC_E_PARSE,
                        "eth_getBlockByNumber(%llu): no timestamp",
                        (unsigned long long)number);
  *ts = v;
  return DECC_OK;
}

/* ---- store helpers ----------------------------------------------------------------- */

decc_status decc__dp_store_add(decc_dp *dp, const char *path, decc_cid *cid,
                               decc_err *err) {
  if (dp->ipfs_api_url) {
    decc_kubo_add_opts o = {0, -1, 1, 0};
    return decc_kubo_add_file(dp->ipfs_api_url, path, &o, cid, NULL, err);
  }
  decc_import_opts o;
  decc_import_opts_default(&o, 0);
  return decc_store_add_fd(dp->bs, cid, NULL, &o, -1, path, 1, err);
}

typedef struct getbuf {
  decc_buf *b;
} getbuf;

static decc_status get_write(void *ud, const uint8_t *p, size_t n,
                             decc_err *err) {
  getbuf *g = ud;
  decc_status st = decc_buf_append(g->b, p, n);
  if (st)
    return decc_err_set(err, st, "result too large");
  return DECC_OK;
}

decc_status decc__dp_store_get(decc_dp *dp, const decc_cid *cid, size_t max,
                               decc_buf *out, decc_err *err) {
  decc_buf_init(out, max);
  getbuf g = {out};
  decc_status st;
  if (dp->ipfs_api_url)
    st = decc_kubo_cat(dp->ipfs_api_url, cid, 1, get_write, &g, 300, err);
  else
    st = decc_store_cat(dp->bs, cid, 0, UINT64_MAX, get_write, &g, err);
  if (st)
    decc_buf_clear(out);
  return st;
}

decc_status decc__dp_tmpfile(decc_dp *dp, char **path, decc_err *err) {
  char dir[4096];
  decc_status st = join(dir, sizeof dir, dp->home, DECC_DP_TMP_DIR, err);
  if (st || (st = mkdirs(dir, err)))
    return st;
  size_t n = strlen(dir) + 32;
  char *p = decc_malloc(n);
  if (!p)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  snprintf(p, n, "%s/dp.XXXXXX", dir);
  int fd = mkstemp(p);
  if (fd < 0) {
    st = decc_err_set(err, DECC_E_IO, "%s: %s", dir, strerror(errno));
    decc_free(p);
    return st;
  }
  close(fd);
  *path = p;
  return DECC_OK;
}

/* ---- SMS helpers ---------------------------------------------------------------------- */

/* The SMS client (decc/sms_client.h) signs the iExec challenges and says
 * why a push was refused, whichever backend is behind it. */
static decc_status sms_result(decc_status st, const char *what, decc_err *err) {
  if (!st)
    return DECC_OK;
  return decc_err_prefix(err, "SMS refused the %s", what);
}

decc_status decc__dp_sms_push_web3(decc_dp *dp, const decc_address *dataset,
                                   const char *value, size_t len,
                                   decc_err *err) {
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  return sms_result(
      decc_smsc_push_web3(dp->smsc, dataset, value, len, dp->sk, err),
      "dataset key", err);
}

decc_status decc__dp_sms_push_web2(decc_dp *dp, const char *name,
                                   const char *value, size_t len,
                                   decc_err *err) {
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  /* set or replace: the SMS creates with POST and replaces with PUT */
  int exists = 0;
  if ((st = decc_smsc_secret_exists(dp->smsc, DECC_SECRET_WEB2, &dp->me, name,
                                    &exists, err)))
    return sms_result(st, name, err);
  return sms_result(
      decc_smsc_push_web2(dp->smsc, name, value, len, exists, dp->sk, err),
      name, err);
}

decc_status decc__dp_sms_push_requester(decc_dp *dp, const char *key,
                                        const char *value, size_t len,
                                        decc_err *err) {
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  return sms_result(
      decc_smsc_push_requester_secret(dp->smsc, key, value, len, dp->sk, err),
      "requester secret", err);
}

/* ---- balances ------------------------------------------------------------------------------ */

decc_status decc_dp_get_balance(decc_dp *dp, const decc_address *who,
                                decc_dp_balance *out, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(who != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_hub_account a;
  decc_status st = decc_hub_account_of(dp->chain, who, &a, err);
  if (st)
    return decc_err_prefix(err, "balance");
  out->wallet = a.wallet;
  out->stake = a.stake;
  out->locked = a.locked;
  return DECC_OK;
}

static decc_status send_abi(decc_dp *dp, const decc_address *to,
                            const char *sig, decc_abi_enc *e, const char *what,
                            uint8_t *txh, decc_err *err) {
  uint8_t sel[4];
  decc_abi_selector(sel, sig);
  decc_buf cd;
  decc_buf_init(&cd, 0);
  decc_status st = decc_abi_enc_finish_call(e, sel, &cd);
  decc_abi_enc_clear(e);
  if (st) {
    decc_buf_clear(&cd);
    return decc_err_set(err, st, "%s: cannot encode the call", what);
  }
  decc_receipt rc;
  st = decc__dp_send(dp, to, &cd, &rc, what, err);
  decc_buf_clear(&cd);
  if (!st) {
    if (txh)
      memcpy(txh, rc.tx_hash, 32);
    decc_receipt_clear(&rc);
  }
  return st;
}

decc_status decc__dp_send_abi(decc_dp *dp, const decc_address *to,
                              const char *sig, decc_abi_enc *e,
                              const char *what, uint8_t *txh, decc_err *err) {
  return send_abi(dp, to, sig, e, what, txh, err);
}

decc_status decc_dp_deposit(decc_dp *dp, const decc_u256 *amount,
                            decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(amount != NULL);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  decc_dp_balance b;
  if ((st = decc_dp_get_balance(dp, &dp->me, &b, err)))
    return st;
  if (decc_u256_cmp(&b.wallet, amount) < 0) {
    decc_u256 miss;
    char have[96], need[96], m[96];
    if (decc_u256_sub(&miss, amount, &b.wallet) != DECC_OK)
      return decc_err_set(err, DECC_E_INTERNAL, "arithmetic error");
    return decc_err_set(err, DECC_E_RANGE,
                        "cannot deposit %s: the wallet holds %s (missing %s); "
                        "get RLC first",
                        decc_dp_format_rlc(need, amount),
                        decc_dp_format_rlc(have, &b.wallet),
                        decc_dp_format_rlc(m, &miss));
  }
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &dp->addr.hub);
  decc_abi_enc_push_u256(&e, amount);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  return send_abi(dp, &dp->addr.token, "approveAndCall(address,uint256,bytes)",
                  &e, "deposit", NULL, err);
}

decc_status decc_dp_withdraw(decc_dp *dp, const decc_u256 *amount,
                             decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(amount != NULL);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_u256(&e, amount);
  return send_abi(dp, &dp->addr.hub, "withdraw(uint256)", &e, "withdraw", NULL,
                  err);
}

decc_status decc_dp_transfer_rlc(decc_dp *dp, const decc_address *to,
                                 const decc_u256 *amount, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(to != NULL);
  DECC_ARG_CHECK(amount != NULL);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, to);
  decc_abi_enc_push_u256(&e, amount);
  return send_abi(dp, &dp->addr.token, "transfer(address,uint256)", &e,
                  "RLC transfer", NULL, err);
}

char *decc_dp_format_rlc(char out[96], const decc_u256 *nrlc) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  DECC_ARG_CHECK_RET(nrlc != NULL, NULL);
  char dec[DECC_U256_DEC_LEN];
  decc_u256_to_dec(dec, nrlc);
  size_t n = strlen(dec);
  char ip[DECC_U256_DEC_LEN + 1], fp[10];
  if (n > 9) {
    memcpy(ip, dec, n - 9);
    ip[n - 9] = 0;
    memcpy(fp, dec + n - 9, 10);
  } else {
    strcpy(ip, "0");
    memset(fp, '0', 9 - n);
    memcpy(fp + 9 - n, dec, n + 1);
  }
  size_t f = strlen(fp);
  while (f > 0 && fp[f - 1] == '0')
    fp[--f] = 0;
  if (f)
    snprintf(out, 96, "%s.%s RLC", ip, fp);
  else
    snprintf(out, 96, "%s RLC", ip);
  return out;
}

decc_status decc_dp_parse_rlc(decc_u256 *out, const char *text, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  char buf[128];
  size_t n = text ? strlen(text) : 0;
  if (n == 0 || n >= sizeof buf)
    return decc_err_set(err, DECC_E_PARSE, "bad amount '%s'", text ? text : "");
  memcpy(buf, text, n + 1);
  while (n && buf[n - 1] == ' ')
    buf[--n] = 0;
  int nrlc = 0, rlc = 0;
  if (n > 4 && !strcmp(buf + n - 4, "nRLC")) {
    nrlc = 1;
    buf[n -= 4] = 0;
  } else if (n > 3 && !strcmp(buf + n - 3, "RLC")) {
    rlc = 1;
    buf[n -= 3] = 0;
  }
  while (n && buf[n - 1] == ' ')
    buf[--n] = 0;
  char *dot = strchr(buf, '.');
  if (!dot && !rlc) { /* bare integer or "N nRLC": nRLC */
    decc_status st = decc_u256_parse(out, buf);
    if (st || (buf[0] == '0' && buf[1] == 'x'))
      return decc_err_set(err, st ? st : DECC_E_PARSE, "bad amount '%s'", text);
    return DECC_OK;
  }
  if (nrlc)
    return decc_err_set(err, DECC_E_PARSE, "bad amount '%s': nRLC are whole",
                        text);
  /* RLC with up to 9 decimals. */
  char digits[160];
  size_t ilen = dot ? (size_t)(dot - buf) : n;
  const char *frac = dot ? dot + 1 : "";
  size_t flen = strlen(frac);
  if (ilen == 0 || flen > 9 || ilen + 9 >= sizeof digits)
    return decc_err_set(err, DECC_E_PARSE,
                        "bad amount '%s' (at most 9 decimals)", text);
  memcpy(digits, buf, ilen);
  memcpy(digits + ilen, frac, flen);
  memset(digits + ilen + flen, '0', 9 - flen);
  digits[ilen + 9] = 0;
  for (size_t i = 0; digits[i]; i++)
    if (digits[i] < '0' || digits[i] > '9')
      return decc_err_set(err, DECC_E_PARSE, "bad amount '%s'", text);
  decc_status st = decc_u256_parse(out, digits);
  if (st)
    return decc_err_set(err, st, "bad amount '%s'", text);
  return DECC_OK;
}
