/*
 * sms_session.c — the session side of the SMS: session requests
 * (WorkerpoolAuthorization + quote JSON, parse / serialize / sign), the
 * session document written through decc/session.h with exactly the
 * secrets the deal entitles (read from the vault into one per-thread
 * secure arena, wiped after each release), and opening a sealed session
 * in the enclave.
 */
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/cid.h"
#include "decc/dcap.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/receipts.h"
#include "decc/result.h"
#include "decc/session.h"
#include "decc/sms.h"
#include "decc/sms_auth.h"
#include "sms/sms_int.h"

/* ---- session requests ------------------------------------------------------ */

static decc_status hex_member(uint8_t *out, size_t n, json_t *o,
                              const char *name, decc_err *err) {
  const char *v = json_string_value(json_object_get(o, name));
  if (!v)
    return decc_err_set(err, DECC_E_PARSE, "session request: missing \"%s\"",
                        name);
  if (decc_hex_decode_exact(out, n, v, name, NULL) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE,
                        "session request: \"%s\" must be 0x + %zu hex digits",
                        name, n * 2);
  return DECC_OK;
}

static decc_status addr_member(decc_address *out, json_t *o, const char *name,
                               decc_err *err) {
  const char *v = json_string_value(json_object_get(o, name));
  if (!v || decc_address_parse(out, v, NULL) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE,
                        "session request: \"%s\" must be an address", name);
  return DECC_OK;
}

decc_status decc_sms_session_request_parse(decc_sms_session_request *r,
                                           const char *json, size_t len,
                                           decc_err *err) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(json != NULL || len == 0);
  memset(r, 0, sizeof *r);
  if (len > DECC_SMS_SESSION_REQUEST_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "session request too large");
  json_error_t je;
  json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  if (!j || !json_is_object(j)) {
    json_decref(j);
    return decc_err_set(err, DECC_E_PARSE,
                        "session request: not a JSON object");
  }
  decc_status st = hex_member(r->task_id, 32, j, "chainTaskId", err);
  if (!st)
    st = hex_member(r->deal_id, 32, j, "dealId", err);
  if (!st) {
    json_t *ti = json_object_get(j, "taskIndex");
    const char *tis = json_string_value(ti);
    if (json_is_integer(ti) && json_integer_value(ti) >= 0)
      r->task_index = (uint64_t)json_integer_value(ti);
    else if (tis && *tis && strlen(tis) <= 19 &&
             strspn(tis, "0123456789") == strlen(tis))
      r->task_index = strtoull(tis, NULL, 10);
    else
      st = decc_err_set(err, DECC_E_PARSE,
                        "session request: \"taskIndex\" must be a "
                        "non-negative integer");
  }
  if (!st)
    st = addr_member(&r->worker, j, "workerWallet", err);
  if (!st)
    st = addr_member(&r->enclave_challenge, j, "enclaveChallenge", err);
  if (!st) {
    json_t *sig = json_object_get(j, "signature");
    if (!json_is_object(sig))
      st = decc_err_set(err, DECC_E_PARSE,
                        "session request: \"signature\" must be "
                        "{\"value\":\"0x…\"}");
    else
      st = hex_member(r->pool_signature, 65, sig, "value", err);
  }
  if (!st) {
    json_t *q = json_object_get(j, "quote");
    if (!json_is_object(q))
      st = decc_err_set(err, DECC_E_PARSE,
                        "session request: missing attestation \"quote\"");
    else if ((st = decc__quote_from_jobj(&r->quote, q, err)))
      decc_err_prefix(err, "session request");
  }
  json_decref(j);
  if (st)
    memset(r, 0, sizeof *r);
  return st;
}

decc_status
decc_sms_session_request_to_json(char **json,
                                 const decc_sms_session_request *r) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(r != NULL);
  *json = NULL;
  char *q = NULL;
  if (decc_quote_to_json(&q, &r->quote) != DECC_OK)
    return DECC_E_NOMEM;
  char t[DECC_HEX32_LEN], d[DECC_HEX32_LEN], w[DECC_ADDRESS_HEX_LEN],
      e[DECC_ADDRESS_HEX_LEN], sg[DECC_SIG_HEX_LEN];
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_status st = decc_buf_printf(
      &b,
      "{\"chainTaskId\":\"%s\",\"dealId\":\"%s\",\"taskIndex\":%llu,"
      "\"workerWallet\":\"%s\",\"enclaveChallenge\":\"%s\","
      "\"signature\":{\"value\":\"%s\"},\"quote\":%s}",
      decc_hex_encode(t, r->task_id, 32, 1),
      decc_hex_encode(d, r->deal_id, 32, 1), (unsigned long long)r->task_index,
      decc_address_to_checksum(w, &r->worker),
      decc_address_to_checksum(e, &r->enclave_challenge),
      decc_hex_encode(sg, r->pool_signature, 65, 1), q);
  decc_free(q);
  if (st) {
    decc_buf_clear(&b);
    return DECC_E_NOMEM;
  }
  *json = (char *)decc_buf_steal(&b, NULL);
  return *json ? DECC_OK : DECC_E_NOMEM;
}

decc_status decc_sms_authorize_worker(
    decc_sms_session_request *r, const uint8_t pool_sk32[32],
    const uint8_t taskid32[32], const uint8_t dealid32[32], uint64_t index,
    const decc_address *worker, const decc_address *enclave) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(pool_sk32 != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(dealid32 != NULL);
  DECC_ARG_CHECK(worker != NULL);
  DECC_ARG_CHECK(enclave != NULL);
  memcpy(r->task_id, taskid32, 32);
  memcpy(r->deal_id, dealid32, 32);
  r->task_index = index;
  r->worker = *worker;
  r->enclave_challenge = *enclave;
  uint8_t h[32];
  decc_sms_authorization_hash(h, worker, taskid32, enclave);
  return decc_sms_sign_challenge(r->pool_signature, pool_sk32, h);
}

/* ---- session document (written by decc/session.h) -------------------------- */

/* Secrets read for one session land in one secure arena of fixed slots
 * (one guarded allocation per release instead of one per secret). */
enum {
  SLOT_DATASET,
  SLOT_ENC,
  SLOT_APP,
  SLOT_TOKEN,
  SLOT_PROXY,
  SLOT_REQ,
  N_SLOTS
};
#define SLOT_SIZE (DECC_SECRET_MAX + 1)
#define ARENA_SIZE ((size_t)N_SLOTS * SLOT_SIZE)

/* The arena is kept by the thread that released a session for its next
 * one: a guarded, locked allocation costs several system calls (mmap,
 * mprotect, mlock, then munmap with a TLB shootdown on every core), about
 * a third of a release, while wiping its 24 KiB costs a microsecond. It is
 * wiped before it is kept, and freed (wiped again) when the thread exits.
 * So no secret outlives its release, as before, and the memory stays
 * locked and guarded. */
static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;
static int arena_key_ok;

static void arena_free(void *p) { decc_secure_free(p); }

static void arena_key_init(void) {
  arena_key_ok = pthread_key_create(&arena_key, arena_free) == 0;
}

uint8_t *decc__sms_arena_take(void) {
  pthread_once(&arena_once, arena_key_init);
  uint8_t *a = arena_key_ok ? pthread_getspecific(arena_key) : NULL;
  if (a && pthread_setspecific(arena_key, NULL) == 0)
    return a;
  return decc_secure_alloc(ARENA_SIZE);
}

void decc__sms_arena_give(uint8_t *a) {
  if (!a)
    return;
  decc_memzero(a, ARENA_SIZE); /* every secret read for the session */
  if (!arena_key_ok || pthread_getspecific(arena_key) ||
      pthread_setspecific(arena_key, a) != 0)
    decc_secure_free(a);
}

/* A secret value read into its slot, or NULL (absent); *st = vault error. */
static const uint8_t *vault_value(decc_sms *s, uint8_t *arena, int slot,
                                  decc_secret_kind kind,
                                  const decc_address *owner, const char *name,
                                  size_t *len, decc_status *st) {
  uint8_t *dst = arena + (size_t)slot * SLOT_SIZE;
  *st = decc_vault_get_into(s->vault, kind, owner, name, dst, SLOT_SIZE, len,
                            NULL);
  if (*st == DECC_E_NOT_FOUND) {
    *st = DECC_OK;
    return NULL;
  }
  return *st ? NULL : dst;
}

/* Renders a registry multiaddr: binary multiaddr → "/ipfs/Qm…", else the
 * bytes as text (an URL). Out: heap string. */
static decc_status multiaddr_text(char **out, const uint8_t *m, size_t n) {
  *out = NULL;
  if (n && decc_multiaddr_to_string(out, m, n, NULL) == DECC_OK)
    return DECC_OK;
  for (size_t i = 0; i < n; i++)
    if (m[i] < 0x21 || m[i] > 0x7e)
      return DECC_E_PARSE;
  *out = decc_strndup(n ? (const char *)m : "", n);
  return *out ? DECC_OK : DECC_E_NOMEM;
}

/* What the writer's just-in-time callbacks need: bulk dataset keys and
 * requester secrets are read one at a time into their slot, copied into
 * the (secret) document and wiped before the next. */
typedef struct fill_ctx {
  decc_sms *s;
  const decc__sms_session_ctx *c;
  const decc_deal_params *p;
  const char *th;
  const char **code;
  decc_err *err;
  const char *what;
  int refused; /* a callback refused the session (err and code are set) */
  /* the bulk item being written */
  char *url;
  decc_sms_asset a;
  char cks[DECC_HEX32_LEN], fa[DECC_ADDRESS_HEX_LEN];
  size_t klen;
  int has_key;
  /* the requester secret being written */
  size_t vlen;
  int has_value;
} fill_ctx;

/* Bulk dataset i (iexec-sms getPreComputeTokens): an order the SMS judged
 * compatible gets its URL, checksum and key, unless its registry entry or
 * its key is missing; a refused one only its file name and decc's reason. */
static decc_status fill_bulk(void *ctx, size_t i, decc_session_dataset *d) {
  fill_ctx *f = ctx;
  decc_sms *s = f->s;
  decc__sms_bulk_item *it = &f->c->bulk[i];
  const decc_address *ds = &it->order.u.dataset.dataset;
  decc_address_to_hex(f->fa, ds);
  f->url = NULL;
  memset(&f->a, 0, sizeof f->a);
  f->has_key = 0;
  f->klen = 0;
  const uint8_t *k = NULL;
  decc_status vs = DECC_OK;
  decc_err e2;
  if (it->ok) {
    if (s->chain.dataset(s->chain.ctx, ds, &f->a, &e2) ||
        multiaddr_text(&f->url, f->a.multiaddr, f->a.multiaddr_len)) {
      it->ok = 0;
      snprintf(it->reason, sizeof it->reason,
               "its registry entry could not be read");
    }
  }
  if (it->ok) {
    k = vault_value(s, f->c->arena, SLOT_DATASET, DECC_SECRET_WEB3, ds, NULL,
                    &f->klen, &vs);
    if (vs) {
      decc_free(f->url);
      f->url = NULL;
      decc_sms_asset_clear(&f->a);
      f->refused = 1;
      return decc__sms_refuse(
          s, f->code, "SECRET_READ_FAILED", vs, f->err, f->what,
          "the vault could not read the key of bulk dataset %s", f->fa);
    }
    if (!k) {
      it->ok = 0;
      snprintf(it->reason, sizeof it->reason, "no key for it in this SMS");
    }
  }
  f->has_key = k != NULL;
  d->url = f->url;
  d->checksum = decc_hex_encode(f->cks, f->a.checksum, 32, 1);
  d->key = (const char *)k;
  d->key_len = k ? f->klen : 0;
  d->refused = it->ok ? NULL : it->reason;
  return DECC_OK;
}

/* Requester secret i: only the deal requester's own secrets are
 * reachable: the lookup is keyed by deal.requester, whatever name the
 * params give; a missing one is given empty. */
static decc_status fill_secret(void *ctx, size_t i, decc_session_secret *sec) {
  fill_ctx *f = ctx;
  decc_sms *s = f->s;
  const char *name = f->p->secrets[i].name;
  const uint8_t *v = NULL;
  decc_status vs = DECC_OK;
  f->vlen = 0;
  if (decc_sms_requester_key_valid(name))
    v = vault_value(s, f->c->arena, SLOT_REQ, DECC_SECRET_REQUESTER,
                    &f->c->deal->requester, name, &f->vlen, &vs);
  if (vs) {
    f->refused = 1;
    return decc__sms_refuse(s, f->code, "SECRET_READ_FAILED", vs, f->err,
                            f->what,
                            "the vault could not read a requester secret");
  }
  f->has_value = v != NULL;
  sec->value = (const char *)v;
  sec->len = v ? f->vlen : 0;
  if (!v)
    decc__sms_log(s,
                  "sms: task %s: requester secret \"%s\" (index %s) not found "
                  "for the requester; given empty",
                  f->th, name, sec->index);
  return DECC_OK;
}

static void fill_done(void *ctx, char kind, size_t i) {
  fill_ctx *f = ctx;
  if (kind == 's') {
    if (f->has_value)
      decc_memzero(f->c->arena + (size_t)SLOT_REQ * SLOT_SIZE, f->vlen);
    return;
  }
  const decc__sms_bulk_item *it = &f->c->bulk[i];
  if (f->has_key)
    decc_memzero(f->c->arena + (size_t)SLOT_DATASET * SLOT_SIZE, f->klen);
  decc__sms_log(f->s, "sms: task %s: bulk dataset %zu %s %s%s%s", f->th, i + 1,
                f->fa, it->ok ? "released" : "refused", it->ok ? "" : ": ",
                it->ok ? "" : it->reason);
  decc_free(f->url);
  f->url = NULL;
  decc_sms_asset_clear(&f->a);
}

/* Reads what the deal entitles the enclave to (dataset key, result
 * encryption key, app developer secret, result storage token and proxy)
 * and has decc_session_write put it in the document. */
decc_status decc__sms_build_session(decc_sms *s, const decc__sms_session_ctx *c,
                                    const decc_deal_params *p, decc_buf *b,
                                    const char **code, decc_err *err,
                                    const char *what) {
  const decc_sms_deal *d = c->deal;
  char th[DECC_HEX32_LEN], dh[DECC_HEX32_LEN], dsa[DECC_ADDRESS_HEX_LEN],
      cks[DECC_HEX32_LEN], acks[DECC_HEX32_LEN], wa[DECC_ADDRESS_HEX_LEN],
      sk[DECC_HEX32_LEN];
  char ti[24], bsz[24], bfi[24];
  decc_hex_encode(th, c->r->task_id, 32, 1);
  decc_hex_encode(dh, c->r->deal_id, 32, 1);
  decc_address_to_hex(dsa, &d->dataset); /* lowercase, as web3j prints it */
  int has_dataset = !decc_address_is_zero(&d->dataset);
  decc_status st = DECC_OK, vs = DECC_OK;
  decc_err e2;
  const uint8_t *dkey = NULL, *enc = NULL, *appsec = NULL, *token = NULL,
                *pxy = NULL;
  size_t dkey_len = 0, enc_len = 0, appsec_len = 0, token_len = 0, pxy_len = 0;
  char *ds_url = NULL, *app_image = NULL;
  char(*fa)[DECC_ADDRESS_HEX_LEN] = NULL;
  decc_session_dataset *bulk = NULL;
  decc_session_secret *secrets = NULL;
  decc_sms_asset ds;
  memset(&ds, 0, sizeof ds);

  if (has_dataset) {
    if ((st = s->chain.dataset(s->chain.ctx, &d->dataset, &ds, &e2))) {
      st = decc__sms_refuse(s, code, "PRE_COMPUTE_GET_DATASET_FAILED", st, err,
                            what, "reading the deal's dataset: %s", e2.msg);
      goto out;
    }
    if (multiaddr_text(&ds_url, ds.multiaddr, ds.multiaddr_len)) {
      st = decc__sms_refuse(s, code, "PRE_COMPUTE_GET_DATASET_FAILED",
                            DECC_E_PARSE, err, what,
                            "the dataset's multiaddr is not readable");
      goto out;
    }
    dkey = vault_value(s, c->arena, SLOT_DATASET, DECC_SECRET_WEB3, &d->dataset,
                       NULL, &dkey_len, &vs);
    if (!vs && !dkey) {
      st = decc__sms_refuse(
          s, code, "PRE_COMPUTE_GET_DATASET_SECRET_FAILED", DECC_E_NOT_FOUND,
          err, what, "no key for the deal's dataset %s in this SMS", dsa);
      goto out;
    }
  }
  if (!vs && p->encrypt) {
    enc = vault_value(s, c->arena, SLOT_ENC, DECC_SECRET_WEB2, &d->beneficiary,
                      DECC_SMS_RESULT_ENCRYPTION_KEY, &enc_len, &vs);
    if (!vs && !enc) {
      st = decc__sms_refuse(
          s, code,
          "POST_COMPUTE_GET_ENCRYPTION_TOKENS_FAILED_EMPTY_"
          "BENEFICIARY_KEY",
          DECC_E_NOT_FOUND, err, what,
          "result encryption asked but the beneficiary has no %s",
          DECC_SMS_RESULT_ENCRYPTION_KEY);
      goto out;
    }
  }
  if (!vs)
    appsec = vault_value(s, c->arena, SLOT_APP, DECC_SECRET_APP_DEV, &d->app,
                         DECC_SMS_APP_SECRET_INDEX, &appsec_len, &vs);
  if (vs) {
    st = decc__sms_refuse(s, code, "SECRET_READ_FAILED", vs, err, what,
                          "the vault could not read a secret");
    goto out;
  }
  /* result storage (post-compute): none for a callback */
  int callback = !decc_address_is_zero(&d->callback);
  if (!callback) {
    if (!strcmp(p->provider, "dropbox"))
      token =
          vault_value(s, c->arena, SLOT_TOKEN, DECC_SECRET_WEB2, &d->requester,
                      DECC_SMS_RESULT_DROPBOX_TOKEN, &token_len, &vs);
    else {
      token =
          vault_value(s, c->arena, SLOT_TOKEN, DECC_SECRET_WEB2, &c->r->worker,
                      DECC_SMS_RESULT_IPFS_TOKEN, &token_len, &vs);
      if (!vs && !token)
        token = vault_value(s, c->arena, SLOT_TOKEN, DECC_SECRET_WEB2,
                            &d->requester, DECC_SMS_RESULT_IPFS_TOKEN,
                            &token_len, &vs);
    }
    if (!vs && !(p->proxy && *p->proxy))
      pxy = vault_value(s, c->arena, SLOT_PROXY, DECC_SECRET_WEB2,
                        &d->workerpool_owner, DECC_SMS_RESULT_PROXY_URL,
                        &pxy_len, &vs);
    if (vs) {
      st = decc__sms_refuse(s, code, "SECRET_READ_FAILED", vs, err, what,
                            "the vault could not read a result storage secret");
      goto out;
    }
  }
  if (multiaddr_text(&app_image, c->app->multiaddr, c->app->multiaddr_len))
    app_image = NULL; /* not printable: leave the image name empty */
  if (c->n_bulk) {
    fa = decc_calloc(c->n_bulk, sizeof *fa);
    bulk = decc_calloc(c->n_bulk, sizeof *bulk);
  }
  if (p->n_secrets)
    secrets = decc_calloc(p->n_secrets, sizeof *secrets);
  if ((c->n_bulk && (!fa || !bulk)) || (p->n_secrets && !secrets)) {
    st = decc__sms_refuse(s, code, "SECURE_SESSION_GENERATION_FAILED",
                          DECC_E_NOMEM, err, what, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < c->n_bulk; i++)
    bulk[i].filename =
        decc_address_to_hex(fa[i], &c->bulk[i].order.u.dataset.dataset);
  for (size_t i = 0; i < p->n_secrets; i++)
    secrets[i].index = p->secrets[i].index;

  snprintf(ti, sizeof ti, "%llu", (unsigned long long)c->r->task_index);
  snprintf(bsz, sizeof bsz, "%llu", (unsigned long long)d->bot_size);
  snprintf(bfi, sizeof bfi, "%llu", (unsigned long long)d->bot_first);
  decc_session ss;
  memset(&ss, 0, sizeof ss);
  ss.name = c->session_id;
  ss.task_id = th;
  ss.deal_id = dh;
  ss.task_index = ti;
  ss.bot_size = bsz;
  ss.bot_first = bfi;
  ss.worker = decc_address_to_checksum(wa, &c->r->worker);
  ss.enclave_key = decc_hex_encode(sk, c->enclave_sk, 32, 1);
  ss.has_dataset = has_dataset;
  if (has_dataset) {
    ss.dataset.url = ds_url;
    ss.dataset.checksum = decc_hex_encode(cks, ds.checksum, 32, 1);
    ss.dataset.key = (const char *)dkey;
    ss.dataset.key_len = dkey_len;
    ss.dataset.filename = dsa;
  }
  ss.bulk = p->bulk_cid != NULL;
  ss.bulk_datasets = bulk;
  ss.n_bulk = c->n_bulk;
  ss.input_files = p->input_files;
  ss.n_input_files = p->n_input_files;
  ss.app_image = app_image;
  ss.app_fingerprint = decc_hex_encode(acks, c->app->checksum, 32, 1);
  ss.args = p->args;
  ss.dataset_address = dsa;
  ss.purpose = c->purpose;
  ss.secrets = secrets;
  ss.n_secrets = p->n_secrets;
  ss.app_secret = (const char *)appsec;
  ss.app_secret_len = appsec_len;
  ss.encrypt = p->encrypt;
  ss.encryption_key = (const char *)enc;
  ss.encryption_key_len = enc ? enc_len : 0;
  ss.callback = callback;
  ss.provider = callback ? "" : p->provider;
  if (callback) {
    ss.proxy = "";
  } else if (p->proxy && *p->proxy) {
    ss.proxy = p->proxy;
    ss.proxy_len = strlen(p->proxy);
  } else {
    ss.proxy = (const char *)pxy;
    ss.proxy_len = pxy ? pxy_len : 0;
  }
  ss.token = (const char *)token;
  ss.token_len = token ? token_len : 0;
  fill_ctx fc;
  memset(&fc, 0, sizeof fc);
  fc.s = s;
  fc.c = c;
  fc.p = p;
  fc.th = th;
  fc.code = code;
  fc.err = err;
  fc.what = what;
  decc_session_source src = {&fc, fill_bulk, fill_secret, fill_done};
  st = decc_session_write(b, &ss, &src);
  decc_memzero(sk, sizeof sk);
  if (st && !fc.refused)
    st = decc__sms_refuse(s, code, "SECURE_SESSION_GENERATION_FAILED", st, err,
                          what, "session document could not be built (%s)",
                          decc_strerror(st));
out:
  decc_free(ds_url);
  decc_free(app_image);
  decc_free(fa);
  decc_free(bulk);
  decc_free(secrets);
  decc_sms_asset_clear(&ds);
  return st;
}

decc_status decc_sms_session_open(char **json, size_t *len,
                                  const uint8_t *sealed, size_t n,
                                  const uint8_t pk32[32],
                                  const uint8_t sk32[32]) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(len != NULL);
  DECC_ARG_CHECK(sealed != NULL || n == 0);
  DECC_ARG_CHECK(pk32 != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  *json = NULL;
  *len = 0;
  if (n < DECC_SEAL_OVERHEAD || n - DECC_SEAL_OVERHEAD > DECC_SMS_SESSION_MAX)
    return DECC_E_RANGE;
  size_t m = n - DECC_SEAL_OVERHEAD;
  char *out = decc_secure_alloc(m + 1);
  if (!out)
    return DECC_E_NOMEM;
  decc_status st = decc_seal_open((uint8_t *)out, sealed, n, pk32, sk32);
  if (st) {
    decc_secure_free(out);
    return st;
  }
  out[m] = 0;
  *json = out;
  *len = m;
  return DECC_OK;
}
