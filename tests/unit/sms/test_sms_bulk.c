/*
 * test_sms_bulk.c — the SMS session of a bulk processing task
 * (docs/internals/bulk.md): the deal has no dataset and its params carry
 * bulk_cid; the SMS reads the task's slice from the store, judges every
 * dataset order (registered, assertDatasetDealCompatibility through the
 * chain view, volume ≥ 2^53 - 2, key in the vault) and releases the keys
 * of the compatible ones only, with iExec's token names; refused ones get
 * empty values and a reason. Also: no store configured, a missing or
 * malformed slice, and the app never sees a key.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/order.h"
#include "decc/store.h"
#include "sms_fixture.h"

static const char KEY1[] = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";
static const char KEY2[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/* The chain view's compatibility check, as the test's chain says: an order
 * whose salt starts with 0xRE is "revoked"; anything else compatible. The
 * other callbacks are the memchain's. */
static decc_status compat(void *ctx, const decc_order *o,
                          const uint8_t deal[32], decc_err *err) {
  (void)ctx;
  (void)deal;
  if (o->u.dataset.salt[0] == 0xee)
    return decc_err_set(err, DECC_E_REVERT,
                        "IncompatibleDatasetOrder: Dataset order is revoked "
                        "or fully consumed");
  return DECC_OK;
}

typedef struct bfx {
  fx f;
  decc_blockstore *bs;
  uint8_t domain[32];
  int n_add;
} bfx;

/* Re-creates the fixture's SMS with a store (bs may be NULL) and the
 * compatibility callback. */
static int bfx_sms(bfx *b, int with_store, int with_compat) {
  decc_sms_destroy(b->f.sms);
  b->f.sms = NULL;
  decc_sms_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.vault_dir = b->f.vault_dir;
  cfg.trusted_platforms = &b->f.who[K_PLATFORM];
  cfg.n_trusted = 1;
  decc_sms_memchain_view(&cfg.chain, b->f.mc);
  if (with_compat)
    cfg.chain.dataset_order_compatible = compat;
  cfg.clock = fx_clock;
  cfg.log = fx_log;
  cfg.log_ctx = &b->f;
  cfg.bulk_store = with_store ? b->bs : NULL;
  decc_err err;
  if (decc_sms_create(&b->f.sms, &cfg, &err)) {
    fprintf(stderr, "sms: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static int bfx_init(bfx *b) {
  memset(b, 0, sizeof *b);
  if (fx_init(&b->f))
    return -1;
  char d[600];
  snprintf(d, sizeof d, "%s/bulkstore", decc_test_tmpdir());
  if (decc_blockstore_open(&b->bs, d, NULL))
    return -1;
  decc_address hub;
  memset(hub.b, 0x99, 20);
  decc_poco_domain_separator(b->domain, 31337, &hub);
  /* a bulk deal: no dataset */
  memset(&b->f.d.dataset, 0, sizeof b->f.d.dataset);
  memset(&b->f.d.dataset_owner, 0, sizeof b->f.d.dataset_owner);
  return bfx_sms(b, 1, 1);
}

static void bfx_free(bfx *b) {
  fx_free(&b->f);
  decc_blockstore_close(b->bs);
}

/* Adds text to the store. Out: cid. */
static int add_text(bfx *b, const char *text, char cid[DECC_CID_STR_MAX]) {
  char p[700];
  snprintf(p, sizeof p, "%s/bulk-add-%d.json", decc_test_tmpdir(), b->n_add++);
  FILE *fp = fopen(p, "wb");
  if (!fp)
    return -1;
  fputs(text, fp);
  fclose(fp);
  decc_cid c;
  if (decc_store_add_fd(b->bs, &c, NULL, NULL, -1, p, 1, NULL))
    return -1;
  return decc_cid_to_string(cid, DECC_CID_STR_MAX, &c) == DECC_OK ? 0 : -1;
}

/* A signed bulk dataset order (price 0) as JSON. */
static char *order_json(bfx *b, const decc_address *ds, uint64_t volume,
                        uint8_t salt0) {
  decc_order o;
  if (decc_order_init(&o, DECC_ORDER_DATASET))
    return NULL;
  o.u.dataset.dataset = *ds;
  o.u.dataset.volume = decc_u256_from_u64(volume);
  decc_tag_from_bits(o.u.dataset.tag, 0x09);
  o.u.dataset.apprestrict = b->f.app;
  o.u.dataset.requesterrestrict = b->f.who[K_REQ];
  memset(o.u.dataset.salt, 0x5a, 32);
  o.u.dataset.salt[0] = salt0;
  char *j = NULL;
  if (decc_order_sign(&o, b->f.sk[K_DS_OWNER], b->domain, 0) ||
      decc_order_to_json(&j, &o))
    j = NULL;
  decc_order_clear(&o);
  return j;
}

/* Stores slices (each a JSON text) and a root listing them; sets the
 * deal's params to {"bulk_cid": root}. */
static int set_bulk(bfx *b, const char *const *slices, size_t n) {
  char root[4096] = "[", cid[DECC_CID_STR_MAX];
  for (size_t i = 0; i < n; i++) {
    if (add_text(b, slices[i], cid))
      return -1;
    snprintf(root + strlen(root), sizeof root - strlen(root), "%s\"%s\"",
             i ? "," : "", cid);
  }
  strcat(root, "]");
  if (add_text(b, root, cid))
    return -1;
  char params[512];
  snprintf(params, sizeof params,
           "{\"bulk_cid\":\"%s\",\"iexec_result_storage_provider\":\"ipfs\"}",
           cid);
  return fx_set_deal(&b->f, params);
}

TEST(bulk_session_releases_compatible_keys_and_explains_the_others) {
  bfx b;
  ASSERT_EQ(bfx_init(&b), 0);
  ASSERT_OK(fx_push_web3(&b.f, K_DS_OWNER, &b.f.dataset, KEY1));
  ASSERT_OK(fx_push_web3(&b.f, K_DS_OWNER, &b.f.dataset2, KEY2));
  decc_address unknown;
  memset(unknown.b, 0x77, 20);
  const uint64_t INF = 9007199254740991ull;
  char *o1 = order_json(&b, &b.f.dataset, INF, 0x01);
  char *o2 = order_json(&b, &b.f.dataset2, INF, 0xee); /* revoked */
  char *o3 = order_json(&b, &unknown, INF, 0x02);      /* not registered */
  char *o4 = order_json(&b, &b.f.dataset2, 10, 0x03);  /* not a bulk grant */
  char *o5 = order_json(&b, &b.f.dataset2, INF - 1, 0x04); /* accepted */
  ASSERT(o1 && o2 && o3 && o4 && o5);
  char slice0[8192], slice1[4096];
  snprintf(slice0, sizeof slice0, "[%s,%s,%s,%s,%s]", o1, o2, o3, o4, o5);
  snprintf(slice1, sizeof slice1, "[%s]", o3);
  const char *slices[2] = {slice0, slice1};
  ASSERT_EQ(set_bulk(&b, slices, 2), 0);

  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&b.f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  const char *code = NULL;
  ASSERT_OK(fx_release(&b.f, &e, &code, &doc, NULL));
  /* task index 0 → slice 0: five datasets */
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_BULK_SLICE_SIZE"), "5");
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IS_DATASET_REQUIRED"), "false");
  char sum[67];
  decc_hex_encode(sum, b.f.ds_sum, 32, 1);
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_1_KEY"), KEY1);
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_1_URL"),
                "/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ");
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_1_CHECKSUM"), sum);
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_1_FILENAME"),
                "0x2222222222222222222222222222222222222222");
  ASSERT(fx_env(doc, "pre-compute", "IEXEC_DATASET_1_REFUSED") == NULL);
  /* revoked: nothing released, PoCo's reason */
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_2_KEY"), "");
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_2_URL"), "");
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_2_CHECKSUM"), "");
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_2_FILENAME"),
                "0x2323232323232323232323232323232323232323");
  ASSERT(strstr(fx_env(doc, "pre-compute", "IEXEC_DATASET_2_REFUSED"),
                "revoked or fully consumed"));
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_3_KEY"), "");
  ASSERT(strstr(fx_env(doc, "pre-compute", "IEXEC_DATASET_3_REFUSED"),
                "not a dataset"));
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_4_KEY"), "");
  ASSERT(strstr(fx_env(doc, "pre-compute", "IEXEC_DATASET_4_REFUSED"),
                "volume 10 is invalid for bulk processing"));
  /* 2^53 - 2 is accepted (iexec-sms's BULK_DATASET_VOLUME) */
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_5_KEY"), KEY2);
  /* the app: slice size and file names, never a key */
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_BULK_SLICE_SIZE"), "5");
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_DATASET_1_FILENAME"),
                "0x2222222222222222222222222222222222222222");
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_DATASET_3_FILENAME"),
                "0x7777777777777777777777777777777777777777");
  ASSERT(fx_env(doc, "app", "IEXEC_DATASET_1_KEY") == NULL);
  ASSERT(fx_env(doc, "app", "IEXEC_DATASET_1_URL") == NULL);
  /* logs say what was released / refused, never a key */
  ASSERT(strstr(
      b.f.logs,
      "bulk dataset 1 0x2222222222222222222222222222222222222222 released"));
  ASSERT(strstr(
      b.f.logs,
      "bulk dataset 2 0x2323232323232323232323232323232323232323 refused"));
  ASSERT(strstr(b.f.logs, KEY1) == NULL && strstr(b.f.logs, KEY2) == NULL);
  json_decref(doc);
  free(o1);
  free(o2);
  free(o3);
  free(o4);
  free(o5);
  bfx_free(&b);
}

TEST(bulk_dataset_without_a_key_in_the_sms_is_refused) {
  bfx b;
  ASSERT_EQ(bfx_init(&b), 0);
  char *o1 = order_json(&b, &b.f.dataset, 9007199254740991ull, 0x01);
  ASSERT(o1);
  char slice[4096];
  snprintf(slice, sizeof slice, "[%s]", o1);
  const char *slices[1] = {slice};
  ASSERT_EQ(set_bulk(&b, slices, 1), 0);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&b.f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  ASSERT_OK(fx_release(&b.f, &e, NULL, &doc, NULL));
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_1_KEY"), "");
  ASSERT(
      strstr(fx_env(doc, "pre-compute", "IEXEC_DATASET_1_REFUSED"), "no key"));
  json_decref(doc);
  free(o1);
  bfx_free(&b);
}

TEST(bulk_without_compatibility_check_refuses_every_dataset) {
  bfx b;
  ASSERT_EQ(bfx_init(&b), 0);
  ASSERT_EQ(bfx_sms(&b, 1, 0), 0);
  ASSERT_OK(fx_push_web3(&b.f, K_DS_OWNER, &b.f.dataset, KEY1));
  char *o1 = order_json(&b, &b.f.dataset, 9007199254740991ull, 0x01);
  char slice[4096];
  snprintf(slice, sizeof slice, "[%s]", o1);
  const char *slices[1] = {slice};
  ASSERT_EQ(set_bulk(&b, slices, 1), 0);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&b.f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  ASSERT_OK(fx_release(&b.f, &e, NULL, &doc, NULL));
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_1_KEY"), "");
  ASSERT(strstr(fx_env(doc, "pre-compute", "IEXEC_DATASET_1_REFUSED"),
                "cannot check"));
  json_decref(doc);
  free(o1);
  bfx_free(&b);
}

TEST(bulk_refusals_no_store_missing_slice_malformed_slice) {
  bfx b;
  ASSERT_EQ(bfx_init(&b), 0);
  char *o1 = order_json(&b, &b.f.dataset, 9007199254740991ull, 0x01);
  char slice[4096];
  snprintf(slice, sizeof slice, "[%s]", o1);
  const char *ok[1] = {slice};
  ASSERT_EQ(set_bulk(&b, ok, 1), 0);
  fx_enclave e;
  decc_status st;
  const char *code = NULL;

  /* an SMS without a content store */
  ASSERT_EQ(bfx_sms(&b, 0, 1), 0);
  ASSERT_EQ(fx_prepare(&b.f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(fx_release(&b.f, &e, &code, NULL, NULL), DECC_E_UNSUPPORTED);
  ASSERT_STR_EQ(code, "BULK_NOT_SUPPORTED");

  ASSERT_EQ(bfx_sms(&b, 1, 1), 0);
  /* a slice that is not a list of orders; an empty list; junk */
  const char *bad[] = {"{\"a\":1}", "[]", "[{\"dataset\":\"0x12\"}]",
                       "not json"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    const char *s1[1] = {bad[i]};
    ASSERT_EQ(set_bulk(&b, s1, 1), 0);
    ASSERT_EQ(fx_prepare(&b.f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
    code = NULL;
    ASSERT(fx_release(&b.f, &e, &code, NULL, NULL) != DECC_OK);
    ASSERT_STR_EQ(code, "BULK_SLICE_UNAVAILABLE");
  }
  /* more than 100 orders in a slice */
  {
    size_t cap = 200 * (strlen(o1) + 1) + 8;
    char *big = malloc(cap);
    ASSERT(big);
    strcpy(big, "[");
    for (int i = 0; i < 101; i++) {
      strcat(big, i ? "," : "");
      strcat(big, o1);
    }
    strcat(big, "]");
    const char *s1[1] = {big};
    ASSERT_EQ(set_bulk(&b, s1, 1), 0);
    free(big);
    ASSERT_EQ(fx_prepare(&b.f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
    code = NULL;
    ASSERT(fx_release(&b.f, &e, &code, NULL, NULL) != DECC_OK);
    ASSERT_STR_EQ(code, "BULK_SLICE_UNAVAILABLE");
  }
  /* a root with no slice for task index 0; a CID not in the store */
  ASSERT_EQ(set_bulk(&b, NULL, 0), 0);
  ASSERT_EQ(fx_prepare(&b.f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  code = NULL;
  ASSERT_EQ(fx_release(&b.f, &e, &code, NULL, NULL), DECC_E_INVALID);
  ASSERT_STR_EQ(code, "BULK_SLICE_UNAVAILABLE");
  ASSERT_EQ(fx_set_deal(&b.f,
                        "{\"bulk_cid\":"
                        "\"QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ\"}"),
            0);
  ASSERT_EQ(fx_prepare(&b.f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  code = NULL;
  ASSERT(fx_release(&b.f, &e, &code, NULL, NULL) != DECC_OK);
  ASSERT_STR_EQ(code, "BULK_SLICE_UNAVAILABLE");
  free(o1);
  bfx_free(&b);
}
