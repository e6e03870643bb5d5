/*
 * dp_apps.c — app and workerpool management for the DataProtector SDK:
 * deploy an iApp bundle (store upload + AppRegistry.createApp with the
 * bundle measurement as checksum and a TDX MREnclave), read an app entry,
 * create a workerpool, and publish app / workerpool orders.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "dataprotector/dp_int.h"
#include "decc/bundle.h"
#include "decc/cid.h"
#include "decc/encoding.h"
#include "decc/hash.h"

#define APP_TYPE "DECC_BUNDLE"
#define MRENCLAVE_VERSION "decc-software-1"

void decc_dp_app_clear(decc_dp_app *a) {
  if (!a)
    return;
  decc_free(a->name);
  decc_free(a->multiaddr);
  decc_free(a->mrenclave);
  memset(a, 0, sizeof *a);
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

/* Unpacks the bundle into a scratch directory to check it is canonical and
 * read its manifest; the directory is removed again. */
static decc_status bundle_manifest(decc_dp *dp, decc_bundle_manifest *m,
                                   const uint8_t *bundle, size_t len,
                                   const uint8_t meas[32], decc_err *err) {
  char *tmp = NULL;
  decc_status st = decc__dp_tmpfile(dp, &tmp, err);
  if (st)
    return st;
  unlink(tmp); /* reuse the unique name for a directory */
  if (mkdir(tmp, 0700) != 0) {
    st = decc_err_set(err, DECC_E_IO, "%s: cannot create", tmp);
    decc_free(tmp);
    return st;
  }
  st = decc_bundle_unpack(bundle, len, meas, tmp, m, err);
  nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  decc_free(tmp);
  if (st)
    return decc_err_prefix(err, "not a valid app bundle");
  return DECC_OK;
}

static decc_status encode_app_args(decc_abi_enc *e, const decc_address *owner,
                                   const char *name, const uint8_t *ma,
                                   size_t malen, const uint8_t cs[32],
                                   const char *mre) {
  decc_abi_enc_push_address(e, owner);
  decc_abi_enc_push_string(e, name);
  decc_abi_enc_push_string(e, APP_TYPE);
  decc_abi_enc_push_bytes(e, ma, malen);
  decc_abi_enc_push_bytes32(e, cs);
  return decc_abi_enc_push_bytes(e, mre, strlen(mre));
}

decc_status decc_dp_app_deploy(decc_dp *dp, decc_dp_app *out, const char *name,
                               const uint8_t *bundle, size_t len,
                               decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(bundle != NULL || len == 0);
  memset(out, 0, sizeof *out);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  if (!name || !*name || strlen(name) > DECC_DP_NAME_MAX)
    return decc_err_set(err, DECC_E_INVALID, "app name must have 1..%d bytes",
                        DECC_DP_NAME_MAX);
  uint8_t meas[32];
  decc_sha256(meas, bundle, len);
  decc_bundle_manifest m;
  if ((st = bundle_manifest(dp, &m, bundle, len, meas, err)))
    return st;
  /* Upload the bundle (the worker fetches it by its multiaddr). */
  char *tmp = NULL;
  decc_cid cid;
  char cidtext[DECC_CID_STR_MAX], ma[DECC_CID_STR_MAX + 8];
  uint8_t mab[128];
  size_t malen = 0;
  if ((st = decc__dp_tmpfile(dp, &tmp, err)))
    return st;
  FILE *f = fopen(tmp, "wb");
  if (!f || fwrite(bundle, 1, len, f) != len || fclose(f) != 0) {
    if (f)
      fclose(f);
    unlink(tmp);
    decc_free(tmp);
    return decc_err_set(err, DECC_E_IO, "cannot write the bundle to %s",
                        dp->home);
  }
  st = decc__dp_store_add(dp, tmp, &cid, err);
  unlink(tmp);
  decc_free(tmp);
  if (st)
    return decc_err_prefix(err, "uploading the app bundle");
  if ((st = decc_cid_to_string(cidtext, sizeof cidtext, &cid)))
    return decc_err_set(err, st, "bad CID");
  snprintf(ma, sizeof ma, "/ipfs/%s", cidtext);
  if ((st = decc_multiaddr_from_string(mab, sizeof mab, &malen, ma, err)))
    return st;
  char fp[DECC_HEX32_LEN];
  decc_hex_encode(fp, meas, 32, 1);
  json_t *mj = json_pack("{s:s,s:s,s:s,s:s}", "framework", DECC_SMS_FRAMEWORK,
                         "version", MRENCLAVE_VERSION, "entrypoint",
                         m.entrypoint, "fingerprint", fp);
  char *mre = mj ? json_dumps(mj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(mj);
  if (!mre)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  out->name = decc_strdup(name);
  out->multiaddr = decc_strdup(ma);
  out->mrenclave = decc_strdup(mre);
  memcpy(out->checksum, meas, 32);
  out->owner = dp->me;
  if (!out->name || !out->multiaddr || !out->mrenclave) {
    free(mre);
    decc_dp_app_clear(out);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  /* predictApp gives the CREATE2 address: an existing one is reused. */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  encode_app_args(&e, &dp->me, name, mab, malen, meas, mre);
  uint8_t sel[4];
  decc_abi_selector(sel, "predictApp(address,string,string,bytes,bytes32,"
                         "bytes)");
  decc_buf cd, res;
  decc_buf_init(&cd, 0);
  decc_buf_init(&res, 4096);
  st = decc_abi_enc_finish_call(&e, sel, &cd);
  if (!st)
    st = decc__dp_view(dp, &dp->addr.app_registry, &cd, &res, err);
  decc_abi_value *v = NULL;
  if (!st && (st = decc_abi_decode(&v, "address", res.data, res.len, 0, err)) ==
                 DECC_OK)
    st = decc_abi_get_address(decc_abi_item(v, 0), &out->address);
  decc_abi_value_free(v);
  decc_buf_clear(&cd);
  decc_buf_clear(&res);
  int reg = 0;
  if (!st)
    st = decc_hub_is_registered(dp->chain, &dp->addr.app_registry,
                                &out->address, &reg, err);
  decc_abi_enc_clear(&e);
  if (!st && !reg) {
    decc_abi_enc_init(&e, 0);
    encode_app_args(&e, &dp->me, name, mab, malen, meas, mre);
    st = decc__dp_send_abi(dp, &dp->addr.app_registry,
                           "createApp(address,string,string,bytes,bytes32,"
                           "bytes)",
                           &e, "createApp", out->tx_hash, err);
    out->created = 1;
  }
  decc_abi_enc_clear(&e);
  free(mre);
  if (st)
    decc_dp_app_clear(out);
  return st;
}

static decc_status view_string(decc_dp *dp, const decc_address *to,
                               const char *sig, char **out, decc_err *err) {
  decc_buf raw;
  decc_abi_value *v;
  decc_status st =
      decc__dp_view_simple(dp, to, sig, NULL, "string", &raw, &v, err);
  if (st)
    return st;
  if (decc_abi_get_string(decc_abi_item(v, 0), out) != DECC_OK)
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", sig);
  decc_abi_value_free(v);
  decc_buf_clear(&raw);
  return st;
}

decc_status decc_dp_app_show(decc_dp *dp, decc_dp_app *out,
                             const decc_address *app, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(app != NULL);
  memset(out, 0, sizeof *out);
  int reg = 0;
  char a[DECC_ADDRESS_HEX_LEN];
  decc_status st =
      decc_hub_is_registered(dp->chain, &dp->addr.app_registry, app, &reg, err);
  if (st)
    return st;
  if (!reg)
    return decc_err_set(err, DECC_E_NOT_FOUND, "%s is not a registered app",
                        decc__dp_addr(a, app));
  out->address = *app;
  uint8_t *b = NULL;
  size_t n = 0;
  decc_buf raw;
  decc_abi_value *v;
  if ((st = decc_hub_owner_of(dp->chain, app, &out->owner, err)) ||
      (st = view_string(dp, app, "m_appName()", &out->name, err)) ||
      (st = decc__dp_view_bytes(dp, app, "m_appMREnclave()", &b, &n, err)))
    goto fail;
  out->mrenclave = (char *)b;
  b = NULL;
  if ((st = decc__dp_view_bytes(dp, app, "m_appMultiaddr()", &b, &n, err)))
    goto fail;
  if (decc_multiaddr_to_string(&out->multiaddr, b, n, NULL) != DECC_OK)
    out->multiaddr = decc_strndup((const char *)b, n);
  decc_free(b);
  if (!out->multiaddr) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto fail;
  }
  if ((st = decc__dp_view_simple(dp, app, "m_appChecksum()", NULL, "bytes32",
                                 &raw, &v, err)))
    goto fail;
  st = decc_abi_get_bytes32(decc_abi_item(v, 0), out->checksum);
  decc_abi_value_free(v);
  decc_buf_clear(&raw);
  if (!st)
    return DECC_OK;
fail:
  decc_dp_app_clear(out);
  return st;
}

decc_status decc_dp_workerpool_create(decc_dp *dp, decc_address *out,
                                      const char *description, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  if (!description || strlen(description) > DECC_DP_NAME_MAX)
    return decc_err_set(err, DECC_E_INVALID,
                        "workerpool description must have at most %d bytes",
                        DECC_DP_NAME_MAX);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &dp->me);
  decc_abi_enc_push_string(&e, description);
  uint8_t sel[4];
  decc_abi_selector(sel, "predictWorkerpool(address,string)");
  decc_buf cd, res;
  decc_buf_init(&cd, 0);
  decc_buf_init(&res, 4096);
  st = decc_abi_enc_finish_call(&e, sel, &cd);
  if (!st)
    st = decc__dp_view(dp, &dp->addr.workerpool_registry, &cd, &res, err);
  decc_abi_value *v = NULL;
  if (!st && !(st = decc_abi_decode(&v, "address", res.data, res.len, 0, err)))
    st = decc_abi_get_address(decc_abi_item(v, 0), out);
  decc_abi_value_free(v);
  decc_buf_clear(&cd);
  decc_buf_clear(&res);
  int reg = 0;
  if (!st)
    st = decc_hub_is_registered(dp->chain, &dp->addr.workerpool_registry, out,
                                &reg, err);
  decc_abi_enc_clear(&e);
  if (!st && !reg) {
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_address(&e, &dp->me);
    decc_abi_enc_push_string(&e, description);
    st = decc__dp_send_abi(dp, &dp->addr.workerpool_registry,
                           "createWorkerpool(address,string)", &e,
                           "createWorkerpool", NULL, err);
  }
  decc_abi_enc_clear(&e);
  return st;
}

decc_status decc_dp_publish_apporder(decc_dp *dp, uint8_t *hash32,
                                     const decc_address *app,
                                     const decc_dp_publish_opts *p,
                                     decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(app != NULL);
  DECC_ARG_CHECK(p != NULL);
  decc_order o;
  decc_status st = decc_order_init(&o, DECC_ORDER_APP);
  if (st)
    return decc_err_set(err, st, "out of memory");
  decc_apporder *a = &o.u.app;
  a->app = *app;
  a->appprice = p->price;
  a->volume = decc_u256_from_u64(p->volume ? p->volume : 1);
  decc_tag_from_bits(a->tag, DECC_DP_TAG_BITS);
  a->datasetrestrict = p->dataset_restrict;
  a->workerpoolrestrict = p->workerpool_restrict;
  a->requesterrestrict = p->requester_restrict;
  st = decc__dp_publish(dp, &o, hash32, err);
  decc_order_clear(&o);
  return st;
}

decc_status decc_dp_publish_datasetorder(decc_dp *dp, uint8_t *hash32,
                                         const decc_address *dataset,
                                         const decc_dp_publish_opts *p,
                                         decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  DECC_ARG_CHECK(p != NULL);
  decc_order o;
  decc_status st = decc_order_init(&o, DECC_ORDER_DATASET);
  if (st)
    return decc_err_set(err, st, "out of memory");
  decc_datasetorder *d = &o.u.dataset;
  d->dataset = *dataset;
  d->datasetprice = p->price;
  d->volume = decc_u256_from_u64(p->volume ? p->volume : 1);
  decc_tag_from_bits(d->tag, DECC_DP_TAG_BITS);
  d->apprestrict = p->app_restrict;
  d->workerpoolrestrict = p->workerpool_restrict;
  d->requesterrestrict = p->requester_restrict;
  st = decc__dp_publish(dp, &o, hash32, err);
  decc_order_clear(&o);
  return st;
}

decc_status decc_dp_publish_workerpoolorder(decc_dp *dp, uint8_t *hash32,
                                            const decc_address *workerpool,
                                            const decc_dp_publish_opts *p,
                                            decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(workerpool != NULL);
  DECC_ARG_CHECK(p != NULL);
  decc_order o;
  decc_status st = decc_order_init(&o, DECC_ORDER_WORKERPOOL);
  if (st)
    return decc_err_set(err, st, "out of memory");
  decc_workerpoolorder *w = &o.u.workerpool;
  w->workerpool = *workerpool;
  w->workerpoolprice = p->price;
  w->volume = decc_u256_from_u64(p->volume ? p->volume : 1);
  decc_tag_from_bits(w->tag, DECC_DP_TAG_BITS);
  w->category = decc_u256_from_u64(p->category);
  w->trust = decc_u256_from_u64(p->trust);
  w->apprestrict = p->app_restrict;
  w->datasetrestrict = p->dataset_restrict;
  w->requesterrestrict = p->requester_restrict;
  st = decc__dp_publish(dp, &o, hash32, err);
  decc_order_clear(&o);
  return st;
}
