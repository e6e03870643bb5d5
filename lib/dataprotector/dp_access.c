/*
 * dp_access.c — grantAccess, getGrantedAccess, revokeOneAccess and
 * revokeAllAccess (iexec-protocol.md §3.3, recipe §9 B): a grant is a
 * signed dataset order published on the market; a revocation is the
 * on-chain manageDatasetOrder(CLOSE), after which the market marks the
 * order canceled.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "dataprotector/dp_int.h"
#include "decc/encoding.h"

void decc_dp_access_clear(decc_dp_access *a) {
  if (!a)
    return;
  decc_order_clear(&a->order);
  memset(a, 0, sizeof *a);
}

void decc_dp_access_list_clear(decc_dp_access_list *l) {
  if (!l)
    return;
  for (size_t i = 0; i < l->n; i++)
    decc_dp_access_clear(&l->items[i]);
  decc_free(l->items);
  memset(l, 0, sizeof *l);
}

static void lower_strings(json_t *o) {
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    if (json_is_string(v)) {
      char *s = strdup(json_string_value(v));
      if (!s)
        continue;
      for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
      json_string_set(v, s);
      free(s);
    }
  }
}

decc_status decc_dp_access_to_json(char **json, const decc_dp_access *a) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(a != NULL);
  char *oj = NULL;
  decc_status st = decc_order_to_json(&oj, &a->order);
  if (st)
    return st;
  json_error_t je;
  json_t *o = json_loads(oj, 0, &je);
  decc_free(oj);
  if (!o)
    return DECC_E_NOMEM;
  lower_strings(o);
  char h[DECC_HEX32_LEN];
  if (json_object_set_new(o, "remainingAccess",
                          json_integer((json_int_t)a->remaining)) ||
      json_object_set_new(o, "orderHash",
                          json_string(decc_hex_encode(h, a->hash, 32, 1))) ||
      json_object_set_new(o, "status", json_string(a->status))) {
    json_decref(o);
    return DECC_E_NOMEM;
  }
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (!s)
    return DECC_E_NOMEM;
  *json = decc_strdup(s);
  free(s);
  return *json ? DECC_OK : DECC_E_NOMEM;
}

/* ---- TEE app rule ------------------------------------------------------------- */

decc_status decc_dp_check_tee_app(decc_dp *dp, const decc_address *app,
                                  decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(app != NULL);
  char a[DECC_ADDRESS_HEX_LEN];
  int reg = 0;
  decc_status st =
      decc_hub_is_registered(dp->chain, &dp->addr.app_registry, app, &reg, err);
  if (st)
    return st;
  if (!reg)
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "%s is not a registered app: deploy it first "
                        "(decc app deploy)",
                        decc__dp_addr(a, app));
  /* A TEE app here is one the enclave can measure: a non-zero checksum
   * (the bundle's SHA-256, attested by the enclave and checked by the SMS)
   * and either no MREnclave (iExec SDK 9's TDX apps carry none) or an
   * MREnclave declaring the TDX framework whose fingerprint is that
   * checksum. SGX (SCONE/GRAMINE) MREnclaves are refused: no decc SMS
   * serves those frameworks. */
  decc_buf raw;
  decc_abi_value *v;
  uint8_t cs[32];
  if ((st = decc__dp_view_simple(dp, app, "m_appChecksum()", NULL, "bytes32",
                                 &raw, &v, err)))
    return st;
  st = decc_abi_get_bytes32(decc_abi_item(v, 0), cs);
  decc_abi_value_free(v);
  decc_buf_clear(&raw);
  static const uint8_t zero[32];
  if (st || !memcmp(cs, zero, 32))
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "app %s is not a TEE app: it has no checksum (the "
                        "measurement of its bundle, which the enclave "
                        "attests); redeploy it from a bundle (decc app "
                        "build, decc app deploy --bundle)",
                        decc__dp_addr(a, app));
  uint8_t *mre = NULL;
  size_t n = 0;
  if ((st = decc__dp_view_bytes(dp, app, "m_appMREnclave()", &mre, &n, err)))
    return st;
  if (n == 0) {
    decc_free(mre);
    return DECC_OK;
  }
  json_error_t je;
  json_t *j = json_loadb((const char *)mre, n, 0, &je);
  decc_free(mre);
  const char *fw = json_string_value(json_object_get(j, "framework"));
  const char *fp = json_string_value(json_object_get(j, "fingerprint"));
  if (!json_is_object(j) || !fw || strcasecmp(fw, DECC_SMS_FRAMEWORK) != 0) {
    json_decref(j);
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "app %s is not a TEE app for decc: its MREnclave "
                        "declares another framework than %s, so no decc SMS "
                        "will release a dataset key to it",
                        decc__dp_addr(a, app), DECC_SMS_FRAMEWORK);
  }
  char want[DECC_HEX32_LEN];
  decc_hex_encode(want, cs, 32, 1);
  int ok = fp && (!strcasecmp(fp, want) || !strcasecmp(fp, want + 2));
  json_decref(j);
  if (!ok)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "app %s is not a TEE app: its MREnclave fingerprint "
                        "is not its checksum (the measurement the enclave "
                        "attests); redeploy it with a matching MREnclave",
                        decc__dp_addr(a, app));
  return DECC_OK;
}

/* ---- grantAccess ------------------------------------------------------------------ */

/* Checks that data is a dataset owned by the signer. */
static decc_status check_owner(decc_dp *dp, const decc_address *data,
                               decc_err *err) {
  char a[DECC_ADDRESS_HEX_LEN], b[DECC_ADDRESS_HEX_LEN],
      c[DECC_ADDRESS_HEX_LEN];
  int reg = 0;
  decc_status st = decc_hub_is_registered(dp->chain, &dp->addr.dataset_registry,
                                          data, &reg, err);
  if (st)
    return st;
  if (!reg)
    return decc_err_set(err, DECC_E_NOT_FOUND, "%s is not a protected data",
                        decc__dp_addr(a, data));
  decc_address owner;
  if ((st = decc_hub_owner_of(dp->chain, data, &owner, err)))
    return st;
  if (!decc_address_eq(&owner, &dp->me))
    return decc_err_set(err, DECC_E_DENIED,
                        "protected data %s is owned by %s, not by your wallet "
                        "%s",
                        decc__dp_addr(a, data), decc__dp_addr(b, &owner),
                        decc__dp_addr(c, &dp->me));
  return DECC_OK;
}

decc_status decc_dp_grant_access(decc_dp *dp, decc_dp_access *out,
                                 const decc_dp_grant_opts *o, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(o != NULL);
  memset(out, 0, sizeof *out);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  if (decc_address_is_zero(&o->authorized_app))
    return decc_err_set(err, DECC_E_INVALID,
                        "an authorized app is required (the zero address "
                        "would let any app read the data)");
  /* allowBulk (SDK): price 0 and DATASET_INFINITE_VOLUME, so that one
   * grant serves every bulk task (the SMS requires both). */
  if (o->allow_bulk && !decc_u256_is_zero(&o->price_per_access))
    return decc_err_set(err, DECC_E_INVALID,
                        "a grant that allows bulk processing must be free: "
                        "drop the price per access");
  if (o->allow_bulk && o->number_of_access &&
      o->number_of_access != DECC_DP_BULK_VOLUME)
    return decc_err_set(err, DECC_E_INVALID,
                        "a grant that allows bulk processing has an "
                        "unlimited number of accesses (%llu): drop the "
                        "number of accesses",
                        (unsigned long long)DECC_DP_BULK_VOLUME);
  if ((st = check_owner(dp, &o->protected_data, err)) ||
      (st = decc_dp_check_tee_app(dp, &o->authorized_app, err)) ||
      (st = decc_dp_sync_market(dp, err)))
    return st;
  uint64_t volume = o->allow_bulk         ? DECC_DP_BULK_VOLUME
                    : o->number_of_access ? o->number_of_access
                                          : 1;
  /* Refuse a duplicate grant for (data, app, user), as the SDK does. */
  decc_market_filter f;
  decc_market_filter_init(&f);
  f.has_resource = 1;
  f.resource = o->protected_data;
  f.app.mode = DECC_MF_VALUE;
  f.app.addr = o->authorized_app;
  f.app.strict = 1;
  f.workerpool.mode = DECC_MF_ANY;
  if (o->any_user)
    f.requester.mode = DECC_MF_OMITTED;
  else {
    f.requester.mode = DECC_MF_VALUE;
    f.requester.addr = o->authorized_user;
    f.requester.strict = 1;
  }
  decc__dp_rec *recs = NULL;
  size_t n = 0;
  if ((st = decc__dp_query(dp, DECC_ORDER_DATASET, &f, &recs, &n, NULL, err)))
    return st;
  if (n > 0) {
    char h[DECC_HEX32_LEN], a[DECC_ADDRESS_HEX_LEN];
    decc_hex_encode(h, recs[0].hash, 32, 1);
    decc__dp_recs_free(recs, n);
    return decc_err_set(err, DECC_E_EXISTS,
                        "an access to this protected data is already granted "
                        "to app %s for %s (order %s): revoke it first",
                        decc__dp_addr(a, &o->authorized_app),
                        o->any_user ? "any user" : "this user", h);
  }
  decc__dp_recs_free(recs, n);

  if ((st = decc_order_init(&out->order, DECC_ORDER_DATASET)))
    return decc_err_set(err, st, "out of memory");
  decc_datasetorder *d = &out->order.u.dataset;
  d->dataset = o->protected_data;
  d->datasetprice = o->price_per_access;
  d->volume = decc_u256_from_u64(volume);
  decc_tag_from_bits(d->tag, DECC_DP_TAG_BITS);
  d->apprestrict = o->authorized_app;
  if (!o->any_user)
    d->requesterrestrict = o->authorized_user;
  if ((st = decc__dp_publish(dp, &out->order, out->hash, err))) {
    decc_dp_access_clear(out);
    return decc_err_prefix(err, "grantAccess");
  }
  out->remaining = volume;
  snprintf(out->status, sizeof out->status, "open");
  return DECC_OK;
}

/* ---- getGrantedAccess --------------------------------------------------------------- */

decc_status decc_dp_get_granted_access(decc_dp *dp, decc_dp_access_list *out,
                                       const decc_dp_access_filter *a,
                                       decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(a != NULL);
  memset(out, 0, sizeof *out);
  if (!a->has_protected_data && !a->has_owner)
    return decc_err_set(err, DECC_E_INVALID,
                        "getGrantedAccess: a protected data or an owner is "
                        "required");
  decc_status st = decc_dp_sync_market(dp, err);
  if (st)
    return st;
  decc_market_filter f;
  decc_market_filter_init(&f);
  if (a->has_protected_data) {
    f.has_resource = 1;
    f.resource = a->protected_data;
  } else {
    f.has_owner = 1;
    f.owner = a->owner;
  }
  if (a->has_app) {
    f.app.mode = DECC_MF_VALUE;
    f.app.addr = a->app;
    f.app.strict = 1;
  } else
    f.app.mode = DECC_MF_ANY;
  if (a->has_user) {
    f.requester.mode = DECC_MF_VALUE;
    f.requester.addr = a->user;
    f.requester.strict = a->user_strict;
  } else
    f.requester.mode = DECC_MF_ANY;
  f.workerpool.mode = DECC_MF_ANY;
  f.include_all_status = a->include_closed;
  f.bulk_only = a->bulk_only;
  f.page_index = a->page;
  f.page_size = a->page_size;
  decc__dp_rec *recs = NULL;
  size_t n = 0, count = 0;
  if ((st = decc__dp_query(dp, DECC_ORDER_DATASET, &f, &recs, &n, &count, err)))
    return st;
  if (n) {
    out->items = decc_calloc(n, sizeof *out->items);
    if (!out->items) {
      decc__dp_recs_free(recs, n);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
  }
  for (size_t i = 0; i < n; i++) {
    out->items[i].order = recs[i].order; /* moved */
    memcpy(out->items[i].hash, recs[i].hash, 32);
    out->items[i].remaining = recs[i].remaining;
    memcpy(out->items[i].status, recs[i].status, sizeof recs[i].status);
  }
  decc_free(recs);
  out->n = n;
  out->count = count;
  return DECC_OK;
}

/* ---- revoke --------------------------------------------------------------------------- */

decc_status decc_dp_revoke_one_access(decc_dp *dp, const decc_order *order,
                                      uint8_t *tx_hash32, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(order != NULL);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  if (order->type != DECC_ORDER_DATASET)
    return decc_err_set(err, DECC_E_INVALID,
                        "revokeOneAccess: a dataset order is required");
  const decc_datasetorder *d = &order->u.dataset;
  if ((st = check_owner(dp, &d->dataset, err)))
    return st;
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_begin_tuple(&e);
  decc_abi_enc_begin_tuple(&e);
  decc_abi_enc_push_address(&e, &d->dataset);
  decc_abi_enc_push_u256(&e, &d->datasetprice);
  decc_abi_enc_push_u256(&e, &d->volume);
  decc_abi_enc_push_bytes32(&e, d->tag);
  decc_abi_enc_push_address(&e, &d->apprestrict);
  decc_abi_enc_push_address(&e, &d->workerpoolrestrict);
  decc_abi_enc_push_address(&e, &d->requesterrestrict);
  decc_abi_enc_push_bytes32(&e, d->salt);
  decc_abi_enc_push_bytes(&e, order->sign, order->sign_len);
  decc_abi_enc_end_tuple(&e);
  decc_abi_enc_push_u64(&e, DECC_OP_CLOSE);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_abi_enc_end_tuple(&e);
  if ((st = decc__dp_send_abi(
           dp, &dp->addr.hub,
           "manageDatasetOrder(((address,uint256,uint256,bytes32,address,"
           "address,address,bytes32,bytes),uint8,bytes))",
           &e, "revokeOneAccess (manageDatasetOrder)", tx_hash32, err)))
    return st;
  uint8_t h[32];
  decc_order_hash(h, order, dp->domain);
  return decc__dp_market_closed(dp, h, err);
}

decc_status decc_dp_revoke_all_access(decc_dp *dp,
                                      const decc_address *protected_data,
                                      const decc_address *app,
                                      const decc_address *user, size_t *revoked,
                                      decc_dp_progress_fn progress, void *pu,
                                      decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(protected_data != NULL);
  if (revoked)
    *revoked = 0;
  decc__dp_progress(progress, pu, "RETRIEVE_ALL_GRANTED_ACCESS", 0, NULL);
  decc_dp_access_filter f;
  memset(&f, 0, sizeof f);
  f.has_protected_data = 1;
  f.protected_data = *protected_data;
  if (app) {
    f.has_app = 1;
    f.app = *app;
  }
  if (user) {
    f.has_user = 1;
    f.user = *user;
    f.user_strict = 1;
  }
  f.page_size = 1000;
  /* Collect every page first: revoking while paging would shift pages. */
  decc_order *all = NULL;
  size_t n = 0;
  decc_status st = DECC_OK;
  for (uint32_t page = 0; !st; page++) {
    decc_dp_access_list l;
    f.page = page;
    if ((st = decc_dp_get_granted_access(dp, &l, &f, err)))
      break;
    if (n + l.n > DECC_DP_MAX_GRANTS) {
      decc_dp_access_list_clear(&l);
      st = decc_err_set(err, DECC_E_LIMIT, "more than %d grants to revoke",
                        DECC_DP_MAX_GRANTS);
      break;
    }
    decc_order *na = l.n ? decc_realloc(all, (n + l.n) * sizeof *all) : all;
    if (l.n && !na) {
      decc_dp_access_list_clear(&l);
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      break;
    }
    all = na;
    for (size_t i = 0; i < l.n; i++) {
      all[n++] = l.items[i].order;
      memset(&l.items[i].order, 0, sizeof l.items[i].order);
    }
    size_t got = l.n;
    decc_dp_access_list_clear(&l);
    if (got < f.page_size)
      break;
  }
  if (!st) {
    char cnt[32];
    snprintf(cnt, sizeof cnt, "%zu", n);
    decc__dp_progress(progress, pu, "RETRIEVE_ALL_GRANTED_ACCESS", 1, cnt);
  }
  size_t done = 0;
  for (size_t i = 0; i < n && !st; i++) {
    uint8_t h[32];
    char hx[DECC_HEX32_LEN];
    decc_order_hash(h, &all[i], dp->domain);
    decc_hex_encode(hx, h, 32, 1);
    decc__dp_progress(progress, pu, "REVOKE_ONE_ACCESS", 0, hx);
    if ((st = decc_dp_revoke_one_access(dp, &all[i], NULL, err))) {
      decc_err_prefix(err, "revoked %zu of %zu grants, then", done, n);
      break;
    }
    done++;
    decc__dp_progress(progress, pu, "REVOKE_ONE_ACCESS", 1, hx);
  }
  for (size_t i = 0; i < n; i++)
    decc_order_clear(&all[i]);
  decc_free(all);
  if (revoked)
    *revoked = done;
  return st;
}
