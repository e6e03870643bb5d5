/*
 * match.c — PoCo's deal making (IexecPoco1Facet.sol, IexecPocoCommon.sol,
 * SignatureVerifier.sol, IexecOrderManagementFacet.sol,
 * IexecCategoryManagerFacet.sol): signature and restriction checks,
 * matchOrders with its revert codes in PoCo's order, computeDealVolume,
 * assertDatasetDealCompatibility, manage*Order and createCategory.
 *
 * The order of the checks is part of the protocol: a client that sees
 * "iExecV5-matchOrders-0x21" must see it here for the same inputs, so the
 * code below follows the Solidity statement by statement, including the
 * external calls that revert without a reason (owner() on an address that
 * is not a registry entry).
 */
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/mem.h"
#include "poco/poco_int.h"

int decc__poco_world_ok(const decc_poco_env *env) {
  const decc_poco_world *w = env ? env->world : NULL;
  return w && w->owner_of && w->is_registered && w->is_contract &&
         w->consumed && w->presigned && w->category_count &&
         w->category_timeref && w->workerpool_policy && w->account &&
         w->worker_score;
}

/* ---- signatures -------------------------------------------------------------- */

static decc_status rev_into(decc_poco_revert *rev, decc_poco_revert_kind k,
                            const char *msg) {
  if (rev) {
    memset(rev, 0, sizeof *rev);
    rev->kind = k;
    if (msg)
      strncpy(rev->reason, msg, sizeof rev->reason - 1);
  }
  return DECC_E_REVERT;
}

decc_status decc_poco_verify_signature(const decc_poco_env *env,
                                       const decc_address *account,
                                       const uint8_t hash32[32],
                                       const uint8_t *sig, size_t sig_len,
                                       int *valid, decc_poco_revert *rev) {
  DECC_ARG_CHECK(decc__poco_world_ok(env));
  DECC_ARG_CHECK(account != NULL);
  DECC_ARG_CHECK(hash32 != NULL);
  DECC_ARG_CHECK(sig != NULL || sig_len == 0);
  DECC_ARG_CHECK(valid != NULL);
  *valid = 0;
  int is_contract = 0;
  POCO_TRY(env->world->is_contract(env->world->ctx, account, &is_contract));
  if (is_contract) {
    /* ERC-1271; a reverting or absent isValidSignature means invalid. */
    if (env->world->is_valid_signature && sig_len <= DECC_POCO_MAX_BYTES)
      return env->world->is_valid_signature(env->world->ctx, account, hash32,
                                            sig, sig_len, valid);
    return DECC_OK;
  }
  if (sig_len != 65 && sig_len != 64)
    return rev_into(rev, DECC_POCO_REVERT_ERROR, "invalid-signature-format");
  /* OZ tryRecover: any failure yields address(0), which is then compared
   * like any other address. ecrecover only knows v = 27 / 28. */
  decc_address rec;
  memset(&rec, 0, sizeof rec);
  /* Recovered ahead (the ledger does a block's on every core): the same
   * pure function of the same bytes, so the same answer. */
  const decc_poco_sigcheck *pre =
      env->world->recovered
          ? env->world->recovered(env->world->ctx, hash32, sig, sig_len)
          : NULL;
  if (pre && pre->recovered) {
    rec = pre->signer;
  } else if (sig_len == 64 || sig[64] == 27 || sig[64] == 28) {
    decc_status st = decc_recover_digest_any(&rec, hash32, sig, sig_len);
    if (st == DECC_E_CRYPTO || st == DECC_E_NOMEM)
      return st;
    if (st != DECC_OK)
      memset(&rec, 0, sizeof rec);
  }
  *valid = decc_address_eq(&rec, account);
  return DECC_OK;
}

decc_status decc_poco_verify_signature_or_presignature(
    const decc_poco_env *env, const decc_address *account,
    const uint8_t hash32[32], const uint8_t *sig, size_t sig_len, int *valid,
    decc_poco_revert *rev) {
  DECC_ARG_CHECK(decc__poco_world_ok(env));
  DECC_ARG_CHECK(account != NULL);
  DECC_ARG_CHECK(hash32 != NULL);
  DECC_ARG_CHECK(sig != NULL || sig_len == 0);
  DECC_ARG_CHECK(valid != NULL);
  if (!decc_address_is_zero(account)) {
    decc_address pre;
    memset(&pre, 0, sizeof pre);
    POCO_TRY(env->world->presigned(env->world->ctx, hash32, &pre));
    if (decc_address_eq(&pre, account)) {
      *valid = 1;
      return DECC_OK;
    }
  }
  return decc_poco_verify_signature(env, account, hash32, sig, sig_len, valid,
                                    rev);
}

decc_status decc_poco_is_authorized(const decc_poco_env *env,
                                    const decc_address *restriction,
                                    const decc_address *account,
                                    int *authorized) {
  DECC_ARG_CHECK(decc__poco_world_ok(env));
  DECC_ARG_CHECK(restriction != NULL);
  DECC_ARG_CHECK(account != NULL);
  DECC_ARG_CHECK(authorized != NULL);
  *authorized = 0;
  if (decc_address_is_zero(restriction) ||
      decc_address_eq(restriction, account)) {
    *authorized = 1;
    return DECC_OK;
  }
  int is_contract = 0;
  POCO_TRY(env->world->is_contract(env->world->ctx, restriction, &is_contract));
  if (is_contract && env->world->key_has_purpose) {
    uint8_t key[32];
    decc__poco_word_addr(key, account);
    return env->world->key_has_purpose(env->world->ctx, restriction, key,
                                       DECC_POCO_GROUPMEMBER_PURPOSE,
                                       authorized);
  }
  return DECC_OK;
}

/* Rule-function wrappers: the revert lands in fx. */
static decc_status sig_or_presig(const decc_poco_env *env,
                                 decc_poco_effects *fx,
                                 const decc_address *account,
                                 const uint8_t hash[32], const uint8_t *sig,
                                 size_t sig_len, int *valid) {
  return decc_poco_verify_signature_or_presignature(
      env, account, hash, sig, sig_len, valid, &fx->revert);
}

/* require(_isAccountAuthorizedByRestriction(r, a), code). */
static decc_status require_auth(const decc_poco_env *env, decc_poco_effects *fx,
                                const decc_address *r, const decc_address *a,
                                const char *code) {
  int ok = 0;
  POCO_TRY(decc_poco_is_authorized(env, r, a, &ok));
  return ok ? DECC_OK : decc__poco_revert_msg(fx, code);
}

/* IERC5313(entry).owner(): a call to something that is not an entry
 * reverts without data, which bubbles up. */
static decc_status owner_call(const decc_poco_env *env, decc_poco_effects *fx,
                              const decc_address *entry, decc_address *owner) {
  int has = 0;
  memset(owner, 0, sizeof *owner);
  POCO_TRY(env->world->owner_of(env->world->ctx, entry, &has, owner));
  return has ? DECC_OK : decc__poco_revert_empty(fx);
}

static decc_status registered(const decc_poco_env *env, decc_poco_registry reg,
                              const decc_address *entry, int *yes) {
  *yes = 0;
  return env->world->is_registered(env->world->ctx, reg, entry, yes);
}

static decc_status consumed_of(const decc_poco_env *env, const uint8_t hash[32],
                               decc_u256 *out) {
  *out = decc_u256_from_u64(0);
  return env->world->consumed(env->world->ctx, hash, out);
}

/* ---- volume ---------------------------------------------------------------------- */

/* IexecPocoCommon._computeDealVolume; hashes are the four typed hashes. */
static decc_status deal_volume(const decc_poco_env *env, decc_poco_effects *fx,
                               const decc_u256 vols[4], int has_dataset,
                               const uint8_t hashes[4][32], decc_u256 *out) {
  decc_u256 best, c, rem;
  int first = 1;
  for (int i = 0; i < 4; i++) {
    if (i == 1 && !has_dataset)
      continue; /* type(uint256).max: never the minimum that matters */
    POCO_TRY(consumed_of(env, hashes[i], &c));
    POCO_TRY(decc__poco_sub(fx, &rem, &vols[i], &c));
    if (first || decc_u256_cmp(&rem, &best) < 0)
      best = rem;
    first = 0;
  }
  *out = best;
  return DECC_OK;
}

static int types_ok(const decc_order *app, const decc_order *dataset,
                    const decc_order *workerpool, const decc_order *request) {
  return app && dataset && workerpool && request &&
         app->type == DECC_ORDER_APP && dataset->type == DECC_ORDER_DATASET &&
         workerpool->type == DECC_ORDER_WORKERPOOL &&
         request->type == DECC_ORDER_REQUEST;
}

decc_status decc_poco_compute_deal_volume(
    const decc_poco_env *env, const decc_order *app, const decc_order *dataset,
    const decc_order *workerpool, const decc_order *request,
    decc_poco_effects *fx, decc_err *err) {
  DECC_ARG_CHECK(decc__poco_world_ok(env));
  DECC_ARG_CHECK(app != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  DECC_ARG_CHECK(workerpool != NULL);
  DECC_ARG_CHECK(request != NULL);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  /* (orders of the wrong type stay an ordinary error: they are data) */
  if (!types_ok(app, dataset, workerpool, request))
    return decc_err_set(err, DECC_E_INVALID,
                        "computeDealVolume: orders of the wrong types");
  uint8_t h[4][32];
  decc_order_hash(h[0], app, env->domain_separator);
  decc_order_hash(h[1], dataset, env->domain_separator);
  decc_order_hash(h[2], workerpool, env->domain_separator);
  decc_order_hash(h[3], request, env->domain_separator);
  decc_u256 vols[4] = {app->u.app.volume, dataset->u.dataset.volume,
                       workerpool->u.workerpool.volume,
                       request->u.request.volume};
  int has_dataset = !decc_address_is_zero(&dataset->u.dataset.dataset);
  decc_status st = deal_volume(env, fx, vols, has_dataset,
                               (const uint8_t(*)[32])h, &fx->volume);
  return decc__poco_finish(fx, st, err, "computeDealVolume");
}

/* ---- matchOrders --------------------------------------------------------------------- */

/* decc_order_hash(o) under env's domain. The signature pass (the ledger
 * lists a block's signatures on every core before executing it) has
 * already hashed the call's signed orders; an entry is taken only when its
 * key equals o in type, domain and every member word, so the result is
 * the one computed here, and a stale or foreign entry is never used. */
static void order_hash(const decc_poco_env *env, const decc_order *o,
                       uint8_t out[32]) {
  const decc_poco_world *w = env->world;
  size_t n = 0;
  const decc_poco_sigcheck *l = w->listed ? w->listed(w->ctx, &n) : NULL;
  for (size_t i = 0; l && i < n; i++)
    if (decc__order_key_matches(&l[i].order, o, env->domain_separator)) {
      memcpy(out, l[i].hash, 32);
      return;
    }
  decc_order_hash(out, o, env->domain_separator);
}

static decc_status require_sig(const decc_poco_env *env, decc_poco_effects *fx,
                               const decc_address *signer,
                               const uint8_t hash[32], const decc_order *o,
                               const char *code) {
  int ok = 0;
  POCO_TRY(sig_or_presig(env, fx, signer, hash, o->sign, o->sign_len, &ok));
  return ok ? DECC_OK : decc__poco_revert_msg(fx, code);
}

static decc_status match_body(const decc_poco_env *env, const decc_order *app_o,
                              const decc_order *ds_o, const decc_order *wp_o,
                              const decc_order *rq_o,
                              const decc_address *sender, int sponsor,
                              decc_poco_effects *fx) {
  const decc_apporder *a = &app_o->u.app;
  const decc_datasetorder *d = &ds_o->u.dataset;
  const decc_workerpoolorder *w = &wp_o->u.workerpool;
  const decc_requestorder *r = &rq_o->u.request;

  /* Compatibility of the computation environment and the prices. */
  if (decc_u256_cmp(&r->category, &w->category) != 0)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x00");
  uint64_t ncat = 0;
  POCO_TRY(env->world->category_count(env->world->ctx, &ncat));
  decc_u256 ncat_u = decc_u256_from_u64(ncat);
  if (decc_u256_cmp(&r->category, &ncat_u) >= 0)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x01");
  if (decc_u256_cmp(&r->trust, &w->trust) > 0)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x02");
  if (decc_u256_cmp(&r->appmaxprice, &a->appprice) < 0)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x03");
  if (decc_u256_cmp(&r->datasetmaxprice, &d->datasetprice) < 0)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x04");
  if (decc_u256_cmp(&r->workerpoolmaxprice, &w->workerpoolprice) < 0)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x05");
  uint8_t tag[32];
  uint8_t missing = 0;
  for (int i = 0; i < 32; i++) {
    tag[i] = a->tag[i] | d->tag[i] | r->tag[i];
    missing |= (uint8_t)(tag[i] & (uint8_t)~w->tag[i]);
  }
  if (missing)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x06");
  if (((tag[31] ^ a->tag[31]) & 0x01) != 0)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x07");

  /* Matching and restrictions. */
  if (!decc_address_eq(&r->app, &a->app))
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x10");
  if (!decc_address_eq(&r->dataset, &d->dataset))
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x11");
  POCO_TRY(require_auth(env, fx, &r->workerpool, &w->workerpool,
                        "iExecV5-matchOrders-0x12"));
  POCO_TRY(require_auth(env, fx, &a->datasetrestrict, &d->dataset,
                        "iExecV5-matchOrders-0x13"));
  POCO_TRY(require_auth(env, fx, &a->workerpoolrestrict, &w->workerpool,
                        "iExecV5-matchOrders-0x14"));
  POCO_TRY(require_auth(env, fx, &a->requesterrestrict, &r->requester,
                        "iExecV5-matchOrders-0x15"));
  POCO_TRY(require_auth(env, fx, &d->apprestrict, &a->app,
                        "iExecV5-matchOrders-0x16"));
  POCO_TRY(require_auth(env, fx, &d->workerpoolrestrict, &w->workerpool,
                        "iExecV5-matchOrders-0x17"));
  POCO_TRY(require_auth(env, fx, &d->requesterrestrict, &r->requester,
                        "iExecV5-matchOrders-0x18"));
  POCO_TRY(require_auth(env, fx, &w->apprestrict, &a->app,
                        "iExecV5-matchOrders-0x19"));
  POCO_TRY(require_auth(env, fx, &w->datasetrestrict, &d->dataset,
                        "iExecV5-matchOrders-0x1a"));
  POCO_TRY(require_auth(env, fx, &w->requesterrestrict, &r->requester,
                        "iExecV5-matchOrders-0x1b"));

  /* Authenticity: owner() is called before isRegistered, as in PoCo. */
  int has_dataset = !decc_address_is_zero(&d->dataset);
  uint8_t h[4][32];
  memset(h, 0, sizeof h);
  decc_address app_owner, ds_owner, wp_owner;
  memset(&ds_owner, 0, sizeof ds_owner);
  int yes;

  order_hash(env, app_o, h[0]);
  POCO_TRY(owner_call(env, fx, &a->app, &app_owner));
  POCO_TRY(registered(env, DECC_POCO_REG_APP, &a->app, &yes));
  if (!yes)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x20");
  POCO_TRY(require_sig(env, fx, &app_owner, h[0], app_o,
                       "iExecV5-matchOrders-0x21"));

  if (has_dataset) {
    order_hash(env, ds_o, h[1]);
    POCO_TRY(owner_call(env, fx, &d->dataset, &ds_owner));
    POCO_TRY(registered(env, DECC_POCO_REG_DATASET, &d->dataset, &yes));
    if (!yes)
      return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x30");
    POCO_TRY(require_sig(env, fx, &ds_owner, h[1], ds_o,
                         "iExecV5-matchOrders-0x31"));
  }

  order_hash(env, wp_o, h[2]);
  POCO_TRY(owner_call(env, fx, &w->workerpool, &wp_owner));
  POCO_TRY(registered(env, DECC_POCO_REG_WORKERPOOL, &w->workerpool, &yes));
  if (!yes)
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x40");
  POCO_TRY(
      require_sig(env, fx, &wp_owner, h[2], wp_o, "iExecV5-matchOrders-0x41"));

  order_hash(env, rq_o, h[3]);
  POCO_TRY(require_sig(env, fx, &r->requester, h[3], rq_o,
                       "iExecV5-matchOrders-0x50"));

  /* Availability. */
  decc_u256 vols[4] = {a->volume, d->volume, w->volume, r->volume};
  decc_u256 volume;
  POCO_TRY(deal_volume(env, fx, vols, has_dataset, (const uint8_t(*)[32])h,
                       &volume));
  if (decc_u256_is_zero(&volume))
    return decc__poco_revert_msg(fx, "iExecV5-matchOrders-0x60");

  /* Record the deal. */
  decc_u256 req_consumed;
  POCO_TRY(consumed_of(env, h[3], &req_consumed));
  decc_deal_id(fx->deal_id, h[3], &req_consumed);
  decc_poco_deal *deal = &fx->deal;
  POCO_TRY(decc_poco_deal_init(deal));
  fx->has_deal = 1;
  deal->app.pointer = a->app;
  deal->app.owner = app_owner;
  deal->app.price = a->appprice;
  deal->dataset.owner = ds_owner;
  deal->dataset.pointer = d->dataset;
  deal->dataset.price = has_dataset ? d->datasetprice : decc__poco_u(0);
  deal->workerpool.pointer = w->workerpool;
  deal->workerpool.owner = wp_owner;
  deal->workerpool.price = w->workerpoolprice;
  decc_u256 one = decc__poco_u(1);
  deal->trust = decc_u256_cmp(&r->trust, &one) > 0 ? r->trust : one;
  deal->category = r->category;
  memcpy(deal->tag, tag, 32);
  deal->requester = r->requester;
  deal->beneficiary = r->beneficiary;
  deal->callback = r->callback;
  char *params = decc_strdup(r->params ? r->params : "");
  if (!params)
    return DECC_E_NOMEM;
  decc_free(deal->params);
  deal->params = params;
  deal->start_time = decc__poco_u(env->timestamp);
  deal->bot_first = req_consumed;
  deal->bot_size = volume;
  int found = 0;
  decc_u256 stake_ratio = decc__poco_u(0), sched_ratio = decc__poco_u(0);
  POCO_TRY(env->world->workerpool_policy(env->world->ctx, &w->workerpool,
                                         &found, &stake_ratio, &sched_ratio));
  if (!found)
    return decc__poco_revert_empty(fx);
  decc_u256 hundred = decc__poco_u(100);
  POCO_TRY(decc__poco_mul(fx, &deal->worker_stake, &w->workerpoolprice,
                          &stake_ratio));
  POCO_TRY(
      decc__poco_div(fx, &deal->worker_stake, &deal->worker_stake, &hundred));
  deal->scheduler_reward_ratio = sched_ratio;
  deal->sponsor = sponsor ? *sender : r->requester;
  fx->volume = volume;

  /* Consumed: app, dataset (only when present: PoCo adds 0 otherwise),
   * workerpool, request. */
  for (int i = 0; i < 4; i++) {
    if (i == 1 && !has_dataset)
      continue;
    decc_u256 c, nc;
    POCO_TRY(consumed_of(env, h[i], &c));
    POCO_TRY(decc__poco_add(fx, &nc, &c, &volume));
    POCO_TRY(decc__poco_push_consumed(fx, h[i], &nc));
  }

  /* Locks: the sponsor pays price × volume; the workerpool owner stakes
   * (price × 30 / 100) × volume — division before multiplication. */
  decc_u256 total, stake;
  POCO_TRY(decc__poco_add(fx, &total, &deal->app.price, &deal->dataset.price));
  POCO_TRY(decc__poco_add(fx, &total, &total, &deal->workerpool.price));
  POCO_TRY(decc__poco_mul(fx, &total, &total, &volume));
  POCO_TRY(decc__poco_lock(env, fx, &deal->sponsor, &total));
  decc_u256 ratio = decc__poco_u(DECC_POCO_WORKERPOOL_STAKE_RATIO);
  POCO_TRY(decc__poco_mul(fx, &stake, &deal->workerpool.price, &ratio));
  POCO_TRY(decc__poco_div(fx, &stake, &stake, &hundred));
  POCO_TRY(decc__poco_mul(fx, &stake, &stake, &volume));
  POCO_TRY(decc__poco_lock(env, fx, &deal->workerpool.owner, &stake));

  /* Events. */
  uint8_t topic[1][32];
  uint8_t words[6][32];
  decc__poco_word_addr(topic[0], &deal->workerpool.pointer);
  memcpy(words[0], fx->deal_id, 32);
  POCO_TRY(decc__poco_emit_words(env, fx, DECC_EV_SCHEDULER_NOTICE,
                                 (const uint8_t(*)[32])topic, 1,
                                 (const uint8_t(*)[32])words, 1));
  memcpy(words[1], h[0], 32);
  memcpy(words[2], h[1], 32);
  memcpy(words[3], h[2], 32);
  memcpy(words[4], h[3], 32);
  decc__poco_word_u256(words[5], &volume);
  POCO_TRY(decc__poco_emit_words(env, fx, DECC_EV_ORDERS_MATCHED, NULL, 0,
                                 (const uint8_t(*)[32])words, 6));
  if (sponsor) {
    decc__poco_word_addr(words[1], sender);
    POCO_TRY(decc__poco_emit_words(env, fx, DECC_EV_DEAL_SPONSORED, NULL, 0,
                                   (const uint8_t(*)[32])words, 2));
  }
  return DECC_OK;
}

decc_status
decc_poco_match_orders(const decc_poco_env *env, const decc_order *app,
                       const decc_order *dataset, const decc_order *workerpool,
                       const decc_order *request, const decc_address *sender,
                       int sponsor, decc_poco_effects *fx, decc_err *err) {
  DECC_ARG_CHECK(decc__poco_world_ok(env));
  DECC_ARG_CHECK(app != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  DECC_ARG_CHECK(workerpool != NULL);
  DECC_ARG_CHECK(request != NULL);
  DECC_ARG_CHECK(sender != NULL);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  if (!types_ok(app, dataset, workerpool, request))
    return decc_err_set(err, DECC_E_INVALID,
                        "matchOrders: orders of the wrong types");
  decc_status st =
      match_body(env, app, dataset, workerpool, request, sender, sponsor, fx);
  return decc__poco_finish(fx, st, err, "matchOrders");
}

/* ---- assertDatasetDealCompatibility ---------------------------------------------------- */

static decc_status incompatible(decc_poco_effects *fx, const char *why) {
  memset(&fx->revert, 0, sizeof fx->revert);
  fx->revert.kind = DECC_POCO_REVERT_CUSTOM;
  fx->revert.custom_sig = "IncompatibleDatasetOrder(string)";
  strncpy(fx->revert.reason, why, sizeof fx->revert.reason - 1);
  return DECC_E_REVERT;
}

static decc_status compat_body(const decc_poco_env *env, const decc_order *ds_o,
                               const decc_poco_deal *deal,
                               decc_poco_effects *fx) {
  const decc_datasetorder *d = &ds_o->u.dataset;
  uint8_t h[32];
  decc_order_hash(h, ds_o, env->domain_separator);
  decc_u256 c;
  POCO_TRY(consumed_of(env, h, &c));
  if (decc_u256_cmp(&c, &d->volume) >= 0)
    return incompatible(fx, "Dataset order is revoked or fully consumed");
  decc_address owner;
  POCO_TRY(owner_call(env, fx, &d->dataset, &owner));
  int ok = 0;
  POCO_TRY(sig_or_presig(env, fx, &owner, h, ds_o->sign, ds_o->sign_len, &ok));
  if (!ok)
    return incompatible(fx, "Invalid dataset order signature");
  if (decc_address_is_zero(&deal->requester))
    return incompatible(fx, "Deal not found");
  if (!decc_address_is_zero(&deal->dataset.pointer))
    return incompatible(fx, "Deal already has a dataset");
  POCO_TRY(
      decc_poco_is_authorized(env, &d->apprestrict, &deal->app.pointer, &ok));
  if (!ok)
    return incompatible(fx, "App restriction not satisfied");
  POCO_TRY(decc_poco_is_authorized(env, &d->workerpoolrestrict,
                                   &deal->workerpool.pointer, &ok));
  if (!ok)
    return incompatible(fx, "Workerpool restriction not satisfied");
  POCO_TRY(decc_poco_is_authorized(env, &d->requesterrestrict, &deal->requester,
                                   &ok));
  if (!ok)
    return incompatible(fx, "Requester restriction not satisfied");
  for (int i = 0; i < 32; i++)
    if ((deal->tag[i] & d->tag[i]) != d->tag[i])
      return incompatible(fx, "Tag compatibility not satisfied");
  return DECC_OK;
}

decc_status decc_poco_assert_dataset_deal_compatibility(
    const decc_poco_env *env, const decc_order *dataset,
    const decc_poco_deal *deal, decc_poco_effects *fx, decc_err *err) {
  DECC_ARG_CHECK(decc__poco_world_ok(env));
  DECC_ARG_CHECK(dataset != NULL);
  DECC_ARG_CHECK(deal != NULL);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  if (dataset->type != DECC_ORDER_DATASET)
    return decc_err_set(err, DECC_E_INVALID,
                        "assertDatasetDealCompatibility: not a dataset order");
  decc_status st = compat_body(env, dataset, deal, fx);
  return decc__poco_finish(fx, st, err, "assertDatasetDealCompatibility");
}

/* ---- manage*Order ------------------------------------------------------------------------ */

static const decc_address *order_entry(const decc_order *o) {
  switch (o->type) {
  case DECC_ORDER_APP:
    return &o->u.app.app;
  case DECC_ORDER_DATASET:
    return &o->u.dataset.dataset;
  case DECC_ORDER_WORKERPOOL:
    return &o->u.workerpool.workerpool;
  case DECC_ORDER_REQUEST:
    return &o->u.request.requester;
  }
  return NULL;
}

static const decc_u256 *order_volume(const decc_order *o) {
  switch (o->type) {
  case DECC_ORDER_APP:
    return &o->u.app.volume;
  case DECC_ORDER_DATASET:
    return &o->u.dataset.volume;
  case DECC_ORDER_WORKERPOOL:
    return &o->u.workerpool.volume;
  case DECC_ORDER_REQUEST:
    return &o->u.request.volume;
  }
  return NULL;
}

static decc_status manage_body(const decc_poco_env *env, const decc_order *o,
                               unsigned op, const uint8_t *op_sign,
                               size_t op_sign_len, const decc_address *sender,
                               decc_poco_effects *fx) {
  if (op > DECC_OP_CLOSE)
    return decc__poco_revert_empty(fx); /* enum out of range in the ABI */
  decc_address owner;
  if (o->type == DECC_ORDER_REQUEST)
    owner = o->u.request.requester;
  else
    POCO_TRY(owner_call(env, fx, order_entry(o), &owner));
  if (!decc_address_eq(&owner, sender)) {
    uint8_t oph[32];
    int ok = 0;
    decc_order_operation_hash(oph, o, (decc_order_operation)op,
                              env->domain_separator);
    POCO_TRY(decc_poco_verify_signature(env, &owner, oph, op_sign, op_sign_len,
                                        &ok, &fx->revert));
    if (!ok)
      return decc__poco_revert_msg(fx, "invalid-sender-or-signature");
  }
  uint8_t h[1][32];
  decc_order_hash(h[0], o, env->domain_separator);
  if (op == DECC_OP_SIGN) {
    POCO_TRY(decc__poco_push_presign(fx, h[0], &owner));
    return decc__poco_emit_words(
        env, fx, (decc_poco_event)(DECC_EV_SIGNED_APP_ORDER + (int)o->type),
        NULL, 0, (const uint8_t(*)[32])h, 1);
  }
  POCO_TRY(decc__poco_push_consumed(fx, h[0], order_volume(o)));
  return decc__poco_emit_words(
      env, fx, (decc_poco_event)(DECC_EV_CLOSED_APP_ORDER + (int)o->type), NULL,
      0, (const uint8_t(*)[32])h, 1);
}

decc_status decc_poco_manage_order(const decc_poco_env *env,
                                   const decc_order *order, unsigned op,
                                   const uint8_t *op_sign, size_t op_sign_len,
                                   const decc_address *sender,
                                   decc_poco_effects *fx, decc_err *err) {
  DECC_ARG_CHECK(decc__poco_world_ok(env));
  DECC_ARG_CHECK(order != NULL);
  DECC_ARG_CHECK(op_sign != NULL || op_sign_len == 0);
  DECC_ARG_CHECK(sender != NULL);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  if (!order_entry(order))
    return decc_err_set(err, DECC_E_INVALID, "manageOrder: unknown order type");
  if (op_sign_len > DECC_POCO_MAX_BYTES)
    return decc_err_set(err, DECC_E_LIMIT, "manageOrder: signature too long");
  decc_status st =
      manage_body(env, order, op, op_sign, op_sign_len, sender, fx);
  return decc__poco_finish(fx, st, err, "manageOrder");
}

/* ---- createCategory --------------------------------------------------------------------- */

decc_status decc_poco_create_category(const decc_poco_env *env,
                                      const decc_address *sender,
                                      const decc_address *owner,
                                      uint64_t new_id, const char *name,
                                      const char *description,
                                      const decc_u256 *work_clock_time_ref,
                                      decc_poco_effects *fx, decc_err *err) {
  /* (only env->hub is read: the world is not needed here) */
  DECC_ARG_CHECK(env != NULL);
  DECC_ARG_CHECK(sender != NULL);
  DECC_ARG_CHECK(owner != NULL);
  DECC_ARG_CHECK(name != NULL);
  DECC_ARG_CHECK(description != NULL);
  DECC_ARG_CHECK(work_clock_time_ref != NULL);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  if (strlen(name) > DECC_POCO_MAX_BYTES ||
      strlen(description) > DECC_POCO_MAX_BYTES)
    return decc_err_set(err, DECC_E_LIMIT, "createCategory: text too long");
  decc_status st;
  if (!decc_address_eq(sender, owner)) {
    st = decc__poco_revert_msg(fx, "Ownable: caller is not the owner");
  } else {
    decc_abi_enc e;
    decc_buf data;
    decc_abi_enc_init(&e, 0);
    decc_buf_init(&data, 0);
    (void)decc_abi_enc_push_u64(&e, new_id);
    (void)decc_abi_enc_push_string(&e, name);
    (void)decc_abi_enc_push_string(&e, description);
    (void)decc_abi_enc_push_u256(&e, work_clock_time_ref);
    st = decc_abi_enc_finish(&e, &data);
    decc_abi_enc_clear(&e);
    if (!st)
      st = decc__poco_emit(env, fx, DECC_EV_CREATE_CATEGORY, NULL, 0, data.data,
                           data.len);
    decc_buf_clear(&data);
  }
  return decc__poco_finish(fx, st, err, "createCategory");
}
