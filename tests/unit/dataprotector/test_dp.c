/*
 * test_dp.c — the DataProtector SDK over the embedded default: protectData
 * (both formats, steps, on-chain record, SMS key), getProtectedData
 * (owner, schema filter, pagination), grantAccess (owner, TEE app rule,
 * duplicates), getGrantedAccess, revokeOneAccess / revokeAllAccess,
 * transferOwnership, and processProtectedData up to the deal (order
 * selection, refusals with their reasons, balance check, secrets, result
 * key) — the task execution itself belongs to the worker services.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/abi.h"
#include "decc/bundle.h"
#include "decc/dataprotector.h"
#include "decc/encoding.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "decc/result.h"
#include "decc/vault.h"
#include "test.h"

typedef struct fx {
  decc_dp *dp;
  uint8_t sk[4][32]; /* dev accounts 1..4: alice, bob, pool, mallory */
  decc_address a[4];
  char home[512];
} fx;

static int fx_open(fx *f) {
  memset(f, 0, sizeof *f);
  snprintf(f->home, sizeof f->home, "%s/home", decc_test_tmpdir());
  decc_dp_config c;
  memset(&c, 0, sizeof c);
  c.home = f->home;
  decc_err err;
  decc_err_clear(&err);
  if (decc_dp_open(&f->dp, &c, &err) != DECC_OK) {
    fprintf(stderr, "open: %s\n", err.msg);
    return -1;
  }
  for (int i = 0; i < 4; i++)
    if (decc_ledger_dev_key(f->sk[i], (unsigned)i + 1) != DECC_OK ||
        decc_address_from_privkey(&f->a[i], f->sk[i]) != DECC_OK)
      return -1;
  return 0;
}

static void as(fx *f, int who) {
  if (decc_dp_set_signer(f->dp, f->sk[who], NULL) != DECC_OK)
    abort();
}

typedef struct steps {
  char seen[32][40];
  int n;
} steps;

static void on_step(void *u, const char *title, int done, const char *d) {
  (void)d;
  steps *s = u;
  if (done && s->n < 32)
    snprintf(s->seen[s->n++], sizeof s->seen[0], "%s", title);
}

static decc_status protect_record(fx *f, decc_dp_protected *out,
                                  decc_pd_format fmt, const char *name,
                                  steps *s) {
  decc_pd *pd;
  if (decc_pd_create(&pd) != DECC_OK)
    return DECC_E_NOMEM;
  decc_err err;
  decc_err_clear(&err);
  const char *email = "alice@example.com";
  if (decc_pd_add_string(pd, "email", email, strlen(email), NULL) ||
      decc_pd_add_number(pd, "score", 42, NULL)) {
    decc_pd_destroy(pd);
    return DECC_E_INVALID;
  }
  decc_dp_protect_opts o;
  memset(&o, 0, sizeof o);
  o.data = pd;
  o.format = fmt;
  o.name = name;
  o.want_key = 1;
  o.want_zip = 1;
  o.progress = s ? on_step : NULL;
  o.user = s;
  decc_status st = decc_dp_protect(f->dp, out, &o, &err);
  if (st)
    fprintf(stderr, "protect: %s\n", err.msg);
  decc_pd_destroy(pd);
  return st;
}

/* Deploys a scaffolded sample app named `name` as the current signer. */
static decc_status deploy_app(fx *f, decc_address *app, const char *name) {
  char dir[600];
  snprintf(dir, sizeof dir, "%s/app-%s", decc_test_tmpdir(), name);
  decc_err err;
  decc_err_clear(&err);
  decc_buf b;
  decc_buf_init(&b, 0);
  uint8_t meas[32];
  decc_status st = DECC_OK;
  if (access(dir, F_OK) != 0) /* scaffold once; later calls reuse it */
    st = decc_bundle_scaffold(dir, "sh", name, &err);
  if (!st)
    st = decc_bundle_pack(&b, meas, dir, &err);
  decc_dp_app a;
  if (!st)
    st = decc_dp_app_deploy(f->dp, &a, name, b.data, b.len, &err);
  if (!st) {
    *app = a.address;
    if (memcmp(a.checksum, meas, 32))
      st = DECC_E_CORRUPT;
    decc_dp_app_clear(&a);
  }
  if (st)
    fprintf(stderr, "deploy: %s\n", err.msg);
  decc_buf_clear(&b);
  return st;
}

TEST(protect_both_formats_and_record_on_chain) {
  fx f;
  ASSERT_OK(fx_open(&f));
  as(&f, 0);
  steps s = {0};
  decc_dp_protected p;
  ASSERT_OK(protect_record(&f, &p, DECC_PD_V2, "my record", &s));
  /* Every SDK step, in order. */
  static const char *want[] = {"EXTRACT_DATA_SCHEMA",   "CREATE_ZIP_FILE",
                               "CREATE_ENCRYPTION_KEY", "ENCRYPT_FILE",
                               "UPLOAD_ENCRYPTED_FILE", "DEPLOY_PROTECTED_DATA",
                               "PUSH_SECRET_TO_SMS"};
  ASSERT_EQ(s.n, 7);
  for (int i = 0; i < 7; i++)
    ASSERT_STR_EQ(s.seen[i], want[i]);
  ASSERT_STR_EQ(p.schema, "{\"email\":\"string\",\"score\":\"f64\"}");
  ASSERT(decc_address_eq(&p.owner, &f.a[0]));
  ASSERT(!strncmp(p.multiaddr, "/p2p/Qm", 7));
  ASSERT(p.has_key && strlen(p.encryption_key) == 44);
  ASSERT(p.zip && p.zip_len > 0);
  ASSERT(p.creation_timestamp > 1600000000u);
  /* The key is in the SMS vault, under the dataset address. */
  ASSERT(decc_vault_has(decc_sms_vault(decc_dp_sms(f.dp)), DECC_SECRET_WEB3,
                        &p.address, NULL));
  /* getProtectedData finds it with the same fields. */
  decc_dp_pd_list l;
  decc_dp_pd_filter pf;
  memset(&pf, 0, sizeof pf);
  pf.has_address = 1;
  pf.address = p.address;
  ASSERT_OK(decc_dp_get_protected_data(f.dp, &l, &pf, NULL));
  ASSERT_EQ(l.n, 1);
  ASSERT_STR_EQ(l.items[0].name, "my record");
  ASSERT_STR_EQ(l.items[0].schema, p.schema);
  ASSERT_MEM_EQ(l.items[0].checksum, p.checksum, 32);
  ASSERT_MEM_EQ(l.items[0].tx_hash, p.tx_hash, 32);
  ASSERT_EQ(l.items[0].creation_timestamp, p.creation_timestamp);
  ASSERT(decc_address_eq(&l.items[0].owner, &f.a[0]));
  ASSERT(!strncmp(l.items[0].multiaddr, "/ipfs/Qm", 8));
  ASSERT_STR_EQ(l.items[0].multiaddr + 6, p.multiaddr + 5);
  decc_dp_pd_list_clear(&l);

  decc_dp_protected q;
  ASSERT_OK(protect_record(&f, &q, DECC_PD_LEGACY, NULL, NULL));
  ASSERT_STR_EQ(q.schema, "{\"email\":\"string\",\"score\":\"number\"}");
  ASSERT(!strncmp(q.multiaddr, "/ipfs/Qm", 8));
  ASSERT(!decc_address_eq(&p.address, &q.address));
  char *js = NULL;
  ASSERT_OK(decc_dp_protected_to_json(&js, &q, 0));
  ASSERT(strstr(js, "\"creationTimestamp\":") && !strstr(js, "encryptionKey"));
  decc_free(js);
  decc_dp_protected_clear(&p);
  decc_dp_protected_clear(&q);
  decc_dp_close(f.dp);
}

TEST(protect_rejects_invalid_data_and_needs_signer) {
  fx f;
  ASSERT_OK(fx_open(&f));
  decc_pd *pd;
  ASSERT_OK(decc_pd_create(&pd));
  ASSERT_OK(decc_pd_add_number(pd, "bad key!", 1, NULL));
  decc_dp_protect_opts o;
  memset(&o, 0, sizeof o);
  o.data = pd;
  decc_dp_protected p;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_dp_protect(f.dp, &p, &o, &err), DECC_E_STATE);
  as(&f, 0);
  ASSERT_EQ(decc_dp_protect(f.dp, &p, &o, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "bad key!"));
  decc_pd_destroy(pd);
  decc_dp_close(f.dp);
}

TEST(get_protected_data_filters_and_pages) {
  fx f;
  ASSERT_OK(fx_open(&f));
  decc_dp_protected p[3];
  as(&f, 0);
  ASSERT_OK(protect_record(&f, &p[0], DECC_PD_V2, "a0", NULL));
  ASSERT_OK(protect_record(&f, &p[1], DECC_PD_LEGACY, "a1", NULL));
  as(&f, 1);
  ASSERT_OK(protect_record(&f, &p[2], DECC_PD_V2, "b0", NULL));
  decc_dp_pd_list l;
  decc_dp_pd_filter pf;
  memset(&pf, 0, sizeof pf);
  ASSERT_OK(decc_dp_get_protected_data(f.dp, &l, &pf, NULL));
  ASSERT_EQ(l.n, 3);
  ASSERT_STR_EQ(l.items[0].name, "b0"); /* newest first */
  ASSERT_STR_EQ(l.items[2].name, "a0");
  decc_dp_pd_list_clear(&l);
  pf.has_owner = 1;
  pf.owner = f.a[0];
  ASSERT_OK(decc_dp_get_protected_data(f.dp, &l, &pf, NULL));
  ASSERT_EQ(l.n, 2);
  decc_dp_pd_list_clear(&l);
  /* Schema filter: legacy "number" and v2 "f64" match each other. */
  pf.required_schema = "{\"score\":\"number\"}";
  ASSERT_OK(decc_dp_get_protected_data(f.dp, &l, &pf, NULL));
  ASSERT_EQ(l.n, 2);
  decc_dp_pd_list_clear(&l);
  pf.required_schema = "{\"email\":[\"bool\",\"string\"],\"x\":\"string\"}";
  ASSERT_OK(decc_dp_get_protected_data(f.dp, &l, &pf, NULL));
  ASSERT_EQ(l.n, 0);
  decc_dp_pd_list_clear(&l);
  pf.required_schema = "[1]";
  ASSERT_EQ(decc_dp_get_protected_data(f.dp, &l, &pf, NULL), DECC_E_PARSE);
  /* Pagination keeps the total. */
  memset(&pf, 0, sizeof pf);
  pf.page_size = 2;
  pf.page = 1;
  ASSERT_OK(decc_dp_get_protected_data(f.dp, &l, &pf, NULL));
  ASSERT_EQ(l.n, 1);
  ASSERT_EQ(l.total, 3);
  ASSERT_STR_EQ(l.items[0].name, "a0");
  decc_dp_pd_list_clear(&l);
  pf.created_after = p[2].creation_timestamp + 100000;
  pf.page = 0;
  ASSERT_OK(decc_dp_get_protected_data(f.dp, &l, &pf, NULL));
  ASSERT_EQ(l.n, 0);
  decc_dp_pd_list_clear(&l);
  for (int i = 0; i < 3; i++)
    decc_dp_protected_clear(&p[i]);
  decc_dp_close(f.dp);
}

TEST(grant_rules_list_revoke_transfer) {
  fx f;
  ASSERT_OK(fx_open(&f));
  decc_address app, app2;
  as(&f, 1); /* bob deploys the app */
  ASSERT_OK(deploy_app(&f, &app, "hello"));
  ASSERT_OK(decc_dp_check_tee_app(f.dp, &app, NULL));
  /* Same bundle and name again: the existing app is returned. */
  ASSERT_OK(deploy_app(&f, &app2, "hello"));
  ASSERT(decc_address_eq(&app, &app2));
  as(&f, 0);
  decc_dp_protected p;
  ASSERT_OK(protect_record(&f, &p, DECC_PD_V2, "rec", NULL));
  decc_dp_grant_opts g;
  memset(&g, 0, sizeof g);
  g.protected_data = p.address;
  g.authorized_app = app;
  g.authorized_user = f.a[1];
  g.price_per_access = decc_u256_from_u64(2000000000u);
  g.number_of_access = 3;
  decc_dp_access acc;
  decc_err err;
  decc_err_clear(&err);
  /* Not the owner. */
  as(&f, 3);
  ASSERT_EQ(decc_dp_grant_access(f.dp, &acc, &g, &err), DECC_E_DENIED);
  /* Not a registered app / not a TEE app. */
  as(&f, 0);
  g.authorized_app = f.a[2];
  ASSERT_EQ(decc_dp_grant_access(f.dp, &acc, &g, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, "not a registered app"));
  g.authorized_app = app;
  ASSERT_OK(decc_dp_grant_access(f.dp, &acc, &g, &err));
  ASSERT_EQ(acc.remaining, 3);
  char *js;
  ASSERT_OK(decc_dp_access_to_json(&js, &acc));
  ASSERT(strstr(js, "\"remainingAccess\":3"));
  ASSERT(strstr(js, "\"volume\":\"3\""));
  ASSERT(strstr(js, "\"datasetprice\":\"2000000000\""));
  decc_free(js);
  /* A duplicate is refused with the fix. */
  decc_dp_access dup;
  ASSERT_EQ(decc_dp_grant_access(f.dp, &dup, &g, &err), DECC_E_EXISTS);
  ASSERT(strstr(err.msg, "revoke it first"));
  /* Another user is fine. */
  g.authorized_user = f.a[3];
  g.number_of_access = 1;
  decc_dp_access acc2;
  ASSERT_OK(decc_dp_grant_access(f.dp, &acc2, &g, &err));

  decc_dp_access_list l;
  decc_dp_access_filter af;
  memset(&af, 0, sizeof af);
  af.has_protected_data = 1;
  af.protected_data = p.address;
  ASSERT_OK(decc_dp_get_granted_access(f.dp, &l, &af, NULL));
  ASSERT_EQ(l.n, 2);
  decc_dp_access_list_clear(&l);
  af.has_user = 1;
  af.user = f.a[1];
  af.user_strict = 1;
  ASSERT_OK(decc_dp_get_granted_access(f.dp, &l, &af, NULL));
  ASSERT_EQ(l.n, 1);
  ASSERT_MEM_EQ(l.items[0].hash, acc.hash, 32);
  decc_dp_access_list_clear(&l);

  /* revokeOne by someone else is refused; by the owner it closes. */
  as(&f, 3);
  ASSERT_EQ(decc_dp_revoke_one_access(f.dp, &acc.order, NULL, &err),
            DECC_E_DENIED);
  as(&f, 0);
  ASSERT_OK(decc_dp_revoke_one_access(f.dp, &acc.order, NULL, &err));
  ASSERT_OK(decc_dp_get_granted_access(f.dp, &l, &af, NULL));
  ASSERT_EQ(l.n, 0);
  decc_dp_access_list_clear(&l);
  af.include_closed = 1;
  ASSERT_OK(decc_dp_get_granted_access(f.dp, &l, &af, NULL));
  ASSERT_EQ(l.n, 1);
  ASSERT_STR_EQ(l.items[0].status, "canceled");
  decc_dp_access_list_clear(&l);
  /* After the revocation a new grant for bob is accepted again. */
  g.authorized_user = f.a[1];
  decc_dp_access acc3;
  ASSERT_OK(decc_dp_grant_access(f.dp, &acc3, &g, &err));

  /* revokeAll closes the rest, with progress. */
  steps s = {0};
  size_t n = 0;
  ASSERT_OK(decc_dp_revoke_all_access(f.dp, &p.address, NULL, NULL, &n, on_step,
                                      &s, &err));
  ASSERT_EQ(n, 2);
  ASSERT_EQ(s.n, 3);
  ASSERT_STR_EQ(s.seen[0], "RETRIEVE_ALL_GRANTED_ACCESS");
  ASSERT_STR_EQ(s.seen[2], "REVOKE_ONE_ACCESS");

  /* Transfer: only the owner; then the new owner holds it. */
  uint8_t tx[32];
  as(&f, 3);
  ASSERT_EQ(decc_dp_transfer_ownership(f.dp, &p.address, &f.a[2], tx, &err),
            DECC_E_DENIED);
  as(&f, 0);
  ASSERT_OK(decc_dp_grant_access(f.dp, &acc2, &g, &err)); /* will die */
  ASSERT_OK(decc_dp_transfer_ownership(f.dp, &p.address, &f.a[2], tx, &err));
  decc_dp_pd_list pl;
  decc_dp_pd_filter pf;
  memset(&pf, 0, sizeof pf);
  pf.has_owner = 1;
  pf.owner = f.a[2];
  ASSERT_OK(decc_dp_get_protected_data(f.dp, &pl, &pf, NULL));
  ASSERT_EQ(pl.n, 1);
  ASSERT(decc_address_eq(&pl.items[0].owner, &f.a[2]));
  decc_dp_pd_list_clear(&pl);
  memset(&af, 0, sizeof af);
  af.has_protected_data = 1;
  af.protected_data = p.address;
  ASSERT_OK(decc_dp_get_granted_access(f.dp, &l, &af, NULL));
  ASSERT_EQ(l.n, 0); /* the old owner's grant is dead */
  decc_dp_access_list_clear(&l);
  decc_dp_access_clear(&acc);
  decc_dp_access_clear(&acc2);
  decc_dp_access_clear(&acc3);
  decc_dp_protected_clear(&p);
  decc_dp_close(f.dp);
}

TEST(process_selects_orders_and_explains_refusals) {
  fx f;
  ASSERT_OK(fx_open(&f));
  decc_err err;
  decc_err_clear(&err);
  decc_address app, other, pool;
  as(&f, 1);
  ASSERT_OK(deploy_app(&f, &app, "hello"));
  ASSERT_OK(deploy_app(&f, &other, "other"));
  decc_dp_publish_opts po;
  memset(&po, 0, sizeof po);
  po.price = decc_u256_from_u64(1000000000u);
  po.volume = 100;
  ASSERT_OK(decc_dp_publish_apporder(f.dp, NULL, &app, &po, &err));
  ASSERT_OK(decc_dp_publish_apporder(f.dp, NULL, &other, &po, &err));
  as(&f, 2);
  ASSERT_OK(decc_dp_workerpool_create(f.dp, &pool, "pool", &err));
  po.price = decc_u256_from_u64(500000000u);
  ASSERT_OK(decc_dp_publish_workerpoolorder(f.dp, NULL, &pool, &po, &err));
  as(&f, 0);
  decc_dp_protected p;
  ASSERT_OK(protect_record(&f, &p, DECC_PD_V2, "rec", NULL));
  decc_dp_grant_opts g;
  memset(&g, 0, sizeof g);
  g.protected_data = p.address;
  g.authorized_app = app;
  g.authorized_user = f.a[1];
  g.price_per_access = decc_u256_from_u64(2000000000u);
  g.number_of_access = 3;
  decc_dp_access acc;
  ASSERT_OK(decc_dp_grant_access(f.dp, &acc, &g, &err));

  as(&f, 1);
  decc_dp_process_opts o;
  memset(&o, 0, sizeof o);
  o.protected_data = p.address;
  o.app = app;
  o.no_wait = 1;
  o.no_encrypt_result = 1;
  decc_dp_process_result r;
  /* Max prices default to 0: each refusal names the price to raise. */
  ASSERT_EQ(decc_dp_process(f.dp, &r, &o, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, "app max price"));
  o.app_max_price = decc_u256_from_u64(1000000000u);
  ASSERT_EQ(decc_dp_process(f.dp, &r, &o, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, "data max price"));
  o.data_max_price = decc_u256_from_u64(2000000000u);
  ASSERT_EQ(decc_dp_process(f.dp, &r, &o, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, "workerpool max price"));
  o.workerpool_max_price = decc_u256_from_u64(500000000u);
  /* Another app: not granted. */
  o.app = other;
  ASSERT_EQ(decc_dp_process(f.dp, &r, &o, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, "access not granted or exhausted"));
  o.app = app;
  /* Mallory was not granted either. */
  as(&f, 3);
  ASSERT_EQ(decc_dp_process(f.dp, &r, &o, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, "access not granted"));
  as(&f, 1);
  decc_dp_balance before, after;
  ASSERT_OK(decc_dp_get_balance(f.dp, &f.a[1], &before, NULL));
  const char *sec[] = {"s3cr3t"};
  o.secrets = sec;
  o.n_secrets = 1;
  o.args = "hello world";
  ASSERT_OK(decc_dp_process(f.dp, &r, &o, &err));
  ASSERT_EQ(decc_u256_cmp(&r.total_price, &(decc_u256){{3500000000u, 0, 0, 0}}),
            0);
  ASSERT_OK(decc_dp_get_balance(f.dp, &f.a[1], &after, NULL));
  decc_u256 d;
  ASSERT_OK(decc_u256_sub(&d, &before.stake, &after.stake));
  ASSERT_EQ(decc_u256_cmp(&d, &r.total_price), 0);
  ASSERT_OK(decc_u256_sub(&d, &after.locked, &before.locked));
  ASSERT_EQ(decc_u256_cmp(&d, &r.total_price), 0);
  /* The grant has one use less; the deal's params carry the secret map. */
  decc_dp_access_list l;
  decc_dp_access_filter af;
  memset(&af, 0, sizeof af);
  af.has_protected_data = 1;
  af.protected_data = p.address;
  ASSERT_OK(decc_dp_get_granted_access(f.dp, &l, &af, NULL));
  ASSERT_EQ(l.n, 1);
  ASSERT_EQ(l.items[0].remaining, 2);
  decc_dp_access_list_clear(&l);
  /* The task id follows PoCo's formula from the deal. */
  uint8_t tid[32];
  decc_u256 zero = decc_u256_from_u64(0);
  decc_task_id(tid, r.deal_id, &zero);
  ASSERT_MEM_EQ(tid, r.task_id, 32);
  /* Not completed: fetching the result says so. */
  uint8_t *res = NULL;
  size_t rl = 0;
  ASSERT_EQ(decc_dp_fetch_result(f.dp, &res, &rl, r.task_id, NULL, NULL, &err),
            DECC_E_STATE);
  /* Waiting with no workerpool service anywhere: a timeout naming why. */
  {
    decc_dp_process_opts w = o;
    decc_dp_process_result r2;
    w.no_wait = 0;
    w.timeout_s = 1;
    w.poll_ms = 100;
    ASSERT_EQ(decc_dp_process(f.dp, &r2, &w, &err), DECC_E_TIMEOUT);
    ASSERT(strstr(err.msg, "no scheduler"));
    ASSERT(r2.result == NULL);
    decc_dp_process_result_clear(&r2);
  }
  /* Task logs: unknown before initialize, then the on-chain timeline. */
  char *logs = NULL;
  ASSERT_EQ(decc_dp_task_logs(f.dp, &logs, r.task_id, &err), DECC_E_NOT_FOUND);
  {
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_bytes32(&e, r.deal_id);
    decc_abi_enc_push_u64(&e, 0);
    uint8_t sel[4];
    decc_abi_selector(sel, "initialize(bytes32,uint256)");
    decc_buf cd;
    decc_buf_init(&cd, 0);
    ASSERT_OK(decc_abi_enc_finish_call(&e, sel, &cd));
    decc_abi_enc_clear(&e);
    decc_chain_addresses ad;
    ASSERT_OK(decc_chain_get_addresses(decc_dp_chain(f.dp), &ad, NULL));
    decc_receipt rc;
    ASSERT_OK(decc_chain_send(decc_dp_chain(f.dp), f.sk[2], &ad.hub, cd.data,
                              cd.len, &rc, NULL));
    ASSERT_EQ(rc.status, 1);
    decc_receipt_clear(&rc);
    decc_buf_clear(&cd);
  }
  ASSERT_OK(decc_dp_task_logs(f.dp, &logs, r.task_id, &err));
  ASSERT(strstr(logs, "TaskInitialize"));
  ASSERT(strstr(logs, "status ACTIVE"));
  decc_free(logs);
  decc_dp_process_result_clear(&r);

  /* Insufficient balance: Mallory has 1000 RLC deposited: withdraw it. */
  as(&f, 3);
  decc_dp_balance mb;
  ASSERT_OK(decc_dp_get_balance(f.dp, &f.a[3], &mb, NULL));
  ASSERT_OK(decc_dp_withdraw(f.dp, &mb.stake, &err));
  as(&f, 0);
  g.authorized_user = f.a[3];
  decc_dp_access acc2;
  ASSERT_OK(decc_dp_grant_access(f.dp, &acc2, &g, &err));
  as(&f, 3);
  ASSERT_EQ(decc_dp_process(f.dp, &r, &o, &err), DECC_E_RANGE);
  ASSERT(strstr(err.msg, "insufficient balance"));
  ASSERT(strstr(err.msg, "missing 3.5 RLC"));
  decc_u256 amount = decc_u256_from_u64(5000000000u);
  ASSERT_OK(decc_dp_deposit(f.dp, &amount, &err));

  /* After a revocation, the next attempt is refused. */
  as(&f, 0);
  ASSERT_OK(decc_dp_revoke_all_access(f.dp, &p.address, NULL, NULL, NULL, NULL,
                                      NULL, &err));
  as(&f, 1);
  ASSERT_EQ(decc_dp_process(f.dp, &r, &o, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, "access not granted or exhausted"));
  decc_dp_access_clear(&acc);
  decc_dp_access_clear(&acc2);
  decc_dp_protected_clear(&p);
  decc_dp_close(f.dp);
}

TEST(rlc_amounts) {
  decc_u256 v;
  char b[96];
  ASSERT_OK(decc_dp_parse_rlc(&v, "1.5", NULL));
  ASSERT_STR_EQ(decc_dp_format_rlc(b, &v), "1.5 RLC");
  ASSERT_OK(decc_dp_parse_rlc(&v, "2 RLC", NULL));
  ASSERT_STR_EQ(decc_dp_format_rlc(b, &v), "2 RLC");
  ASSERT_OK(decc_dp_parse_rlc(&v, "7 nRLC", NULL));
  ASSERT_STR_EQ(decc_dp_format_rlc(b, &v), "0.000000007 RLC");
  ASSERT_OK(decc_dp_parse_rlc(&v, "0", NULL));
  ASSERT_STR_EQ(decc_dp_format_rlc(b, &v), "0 RLC");
  ASSERT_EQ(decc_dp_parse_rlc(&v, "1.0000000001", NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_dp_parse_rlc(&v, "abc", NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_dp_parse_rlc(&v, "0x10", NULL), DECC_E_PARSE);
}

TEST(result_key_generated_once_then_reused) {
  fx f;
  ASSERT_OK(fx_open(&f));
  as(&f, 1);
  struct decc_rsa_key *k = NULL;
  int created = 0;
  decc_err err;
  decc_err_clear(&err);
  char path[700];
  snprintf(path, sizeof path, "%s/k/key", decc_test_tmpdir());
  ASSERT_EQ(decc_dp_result_key(f.dp, &k, &created, path, 0, &err),
            DECC_E_NOT_FOUND);
  ASSERT_OK(decc_dp_result_key(f.dp, &k, &created, path, 1, &err));
  ASSERT_EQ(created, 1);
  decc_rsa_key_destroy(k);
  ASSERT_OK(decc_dp_result_key(f.dp, &k, &created, path, 1, &err));
  ASSERT_EQ(created, 0);
  decc_rsa_key_destroy(k);
  decc_dp_close(f.dp);
}
