/*
 * test_bulk_precompute.c — pre-compute of a bulk processing task
 * (docs/internals/bulk.md): with IEXEC_BULK_SLICE_SIZE = N in the
 * pre-compute environment, datasets 1..N are fetched from the store,
 * checked against their checksum and decrypted with their own key into
 * IEXEC_IN/<IEXEC_DATASET_<i>_FILENAME>; the app (in the sandbox) reads
 * them through IEXEC_BULK_SLICE_SIZE and IEXEC_DATASET_<i>_FILENAME. A
 * dataset the SMS refused, a tampered one and a malformed slice size make
 * the task fail with a cause naming every failed item. Needs root
 * (sandbox).
 */
#include <jansson.h>

#include "../worker/worker_fixture.h"
#include "decc/dataset.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "test.h"

/* The app: one line per dataset of the slice, "i:<file name>:<content>". */
static const char BULK_APP[] =
    "#!/bin/sh\n"
    "set -eu\n"
    "n=\"${IEXEC_BULK_SLICE_SIZE:-0}\"\n"
    "i=1\n"
    ": > \"$IEXEC_OUT/result.txt\"\n"
    "while [ \"$i\" -le \"$n\" ]; do\n"
    "  eval f=\\$IEXEC_DATASET_${i}_FILENAME\n"
    "  printf '%s:%s:%s\\n' \"$i\" \"$f\" \"$(cat \"$IEXEC_IN/$f\")\" >> "
    "\"$IEXEC_OUT/result.txt\"\n"
    "  i=$((i + 1))\n"
    "done\n"
    "printf '{\"deterministic-output-path\":\"/iexec_out/result.txt\"}' > "
    "\"$IEXEC_OUT/computed.json\"\n";

enum { N = 3 };

typedef struct world {
  char tmp[600];
  decc_blockstore *bs;
  decc_buf bundle;
  uint8_t measurement[32];
  char cid[N][160];
  char sum[N][67];
  char key[N][45];
  char name[N][43];
  int runs;
} world;

static const char *const PLAIN[N] = {"alice's record", "bob's record",
                                     "carol's record"};

static int setup(world *w) {
  memset(w, 0, sizeof *w);
  snprintf(w->tmp, sizeof w->tmp, "%s", decc_test_tmpdir());
  char d[700];
  snprintf(d, sizeof d, "%s/store", w->tmp);
  if (decc_blockstore_open(&w->bs, d, NULL))
    return -1;
  snprintf(d, sizeof d, "%s/app", w->tmp);
  if (mkdir(d, 0755) != 0)
    return -1;
  fix_write(d, "decc-app.json",
            "{\"name\":\"bulk\",\"version\":\"1\",\"entrypoint\":\"run.sh\"}",
            0644);
  fix_write(d, "run.sh", BULK_APP, 0755);
  decc_buf_init(&w->bundle, 0);
  if (decc_bundle_pack(&w->bundle, w->measurement, d, NULL))
    return -1;
  for (int i = 0; i < N; i++) {
    decc_dataset_key *k = NULL;
    uint8_t *enc = NULL, s[32];
    size_t n = 0;
    if (decc_dataset_key_generate(&k, NULL) ||
        decc_dataset_encrypt(&enc, &n, s, k, NULL, PLAIN[i], strlen(PLAIN[i]),
                             NULL) ||
        fix_add(w->bs, w->tmp, enc, n, w->cid[i]))
      return -1;
    decc_dataset_key_encode(w->key[i], k);
    decc_dataset_key_destroy(k);
    decc_free(enc);
    decc_hex_encode(w->sum[i], s, 32, 1);
    decc_address a;
    memset(a.b, 0x31 + i, 20);
    decc_address_to_hex(w->name[i], &a);
  }
  return 0;
}

static void teardown(world *w) {
  decc_blockstore_close(w->bs);
  decc_buf_clear(&w->bundle);
}

/* A bulk session as the SMS writes it; refused (1-based index, 0 = none)
 * gets the SMS's empty values and reason; bad_sum (1-based) a wrong
 * checksum; size overrides IEXEC_BULK_SLICE_SIZE when non-NULL. */
static char *session(world *w, int refused, int bad_sum, const char *size) {
  char th[67], sk[67], k[64], url[200], wa[43];
  uint8_t t[32], s[32];
  memset(t, 0xab, 32);
  memset(s, 0x42, 32);
  decc_hex_encode(th, t, 32, 1);
  decc_hex_encode(sk, s, 32, 1);
  decc_address wk;
  memset(wk.b, 0x24, 20);
  decc_address_to_checksum(wa, &wk);
  json_t *pre =
      json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "IEXEC_TASK_ID", th,
                "SIGN_WORKER_ADDRESS", wa, "SIGN_TEE_CHALLENGE_PRIVATE_KEY", sk,
                "IS_DATASET_REQUIRED", "false", "IEXEC_INPUT_FILES_NUMBER", "0",
                "IEXEC_BULK_SLICE_SIZE", size ? size : "3");
  json_t *app =
      json_pack("{s:s,s:s,s:s,s:s,s:s}", "IEXEC_TASK_ID", th, "IEXEC_IN",
                "/iexec_in", "IEXEC_OUT", "/iexec_out",
                "IEXEC_INPUT_FILES_NUMBER", "0", "IEXEC_BULK_SLICE_SIZE", "3");
  for (int i = 0; i < N; i++) {
    int off = refused == i + 1;
    snprintf(url, sizeof url, "/p2p/%s", w->cid[i]);
    snprintf(k, sizeof k, "IEXEC_DATASET_%d_URL", i + 1);
    json_object_set_new(pre, k, json_string(off ? "" : url));
    snprintf(k, sizeof k, "IEXEC_DATASET_%d_CHECKSUM", i + 1);
    json_object_set_new(
        pre, k,
        json_string(off ? ""
                    : bad_sum == i + 1
                        ? "0x00000000000000000000000000000000000000000000"
                          "00000000000000000000"
                        : w->sum[i]));
    snprintf(k, sizeof k, "IEXEC_DATASET_%d_KEY", i + 1);
    json_object_set_new(pre, k, json_string(off ? "" : w->key[i]));
    snprintf(k, sizeof k, "IEXEC_DATASET_%d_FILENAME", i + 1);
    json_object_set_new(pre, k, json_string(w->name[i]));
    json_object_set_new(app, k, json_string(w->name[i]));
    if (off) {
      snprintf(k, sizeof k, "IEXEC_DATASET_%d_REFUSED", i + 1);
      json_object_set_new(
          pre, k,
          json_string("IncompatibleDatasetOrder: Dataset order is revoked or "
                      "fully consumed"));
    }
  }
  char fp[67];
  decc_hex_encode(fp, w->measurement, 32, 1);
  json_t *root = json_pack(
      "{s:s,s:s,s:[{s:s,s:o},{s:s,s:s,s:s,s:o},{s:s,s:{s:s,s:s,s:s,s:s,s:s,"
      "s:s,s:s}}]}",
      "name", "session", "version", "0.1.0", "services", "name", "pre-compute",
      "environment", pre, "name", "app", "fingerprint", fp, "args", "",
      "environment", app, "name", "post-compute", "environment",
      "IEXEC_TASK_ID", th, "SIGN_WORKER_ADDRESS", wa,
      "SIGN_TEE_CHALLENGE_PRIVATE_KEY", sk, "RESULT_ENCRYPTION", "false",
      "RESULT_ENCRYPTION_PUBLIC_KEY", "", "RESULT_STORAGE_CALLBACK", "false",
      "RESULT_STORAGE_PROVIDER", "ipfs");
  char *txt = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  return txt;
}

static decc_status run(world *w, const char *s, decc_enclave_outcome *o) {
  char work[700];
  snprintf(work, sizeof work, "%s/work%d", w->tmp, w->runs++);
  if (mkdir(work, 0700) != 0)
    return DECC_E_IO;
  decc_enclave_store st = {w->bs, NULL};
  decc_err err;
  decc_err_clear(&err);
  decc_status rc = decc_enclave_run_session(
      o, s, strlen(s), w->bundle.data, w->bundle.len, work, &st, NULL, &err);
  if (rc)
    fprintf(stderr, "    run_session: %s\n", err.msg);
  if (o->cause)
    printf("    cause %s: %s\n", decc_task_cause_name(o->cause), o->detail);
  return rc;
}

TEST(bulk_slice_every_dataset_decrypted_for_the_app) {
  NEED_ROOT();
  world w;
  ASSERT_EQ(setup(&w), 0);
  char *s = session(&w, 0, 0, NULL);
  decc_enclave_outcome o;
  ASSERT_OK(run(&w, s, &o));
  ASSERT_EQ(o.cause, DECC_CAUSE_NONE);
  decc_buf arch;
  const char *loc = strstr(o.results, "/ipfs/");
  ASSERT(loc != NULL);
  ASSERT_EQ(fix_cat(w.bs, o.result_cid, &arch), 0);
  char *res = fix_zip_entry(arch.data, arch.len, "result.txt");
  ASSERT(res != NULL);
  char want[600];
  snprintf(want, sizeof want, "1:%s:%s\n2:%s:%s\n3:%s:%s\n", w.name[0],
           PLAIN[0], w.name[1], PLAIN[1], w.name[2], PLAIN[2]);
  ASSERT_STR_EQ(res, want);
  free(res);
  decc_buf_clear(&arch);
  free(s);
  teardown(&w);
}

TEST(bulk_refused_and_tampered_datasets_fail_the_task_naming_each) {
  NEED_ROOT();
  world w;
  ASSERT_EQ(setup(&w), 0);
  char *s = session(&w, 2, 3, NULL);
  decc_enclave_outcome o;
  ASSERT_OK(run(&w, s, &o));
  /* the first failure's cause; the detail names both failed items */
  ASSERT_EQ(o.cause, DECC_CAUSE_BULK_DATASET_REFUSED);
  ASSERT(strstr(o.detail, "2 of 3 bulk datasets failed"));
  char want[160];
  snprintf(want, sizeof want,
           "#2 %s: Dataset order is revoked or fully consumed", w.name[1]);
  ASSERT(strstr(o.detail, want));
  snprintf(want, sizeof want, "#3 %s: DATASET_CHECKSUM_MISMATCH", w.name[2]);
  ASSERT(strstr(o.detail, want));
  ASSERT(strstr(o.detail, "#1 ") == NULL);
  free(s);
  /* only a tampered one: its own cause */
  s = session(&w, 0, 1, NULL);
  ASSERT_OK(run(&w, s, &o));
  ASSERT_EQ(o.cause, DECC_CAUSE_DATASET_CHECKSUM_MISMATCH);
  ASSERT(strstr(o.detail, "1 of 3 bulk datasets failed"));
  free(s);
  teardown(&w);
}

TEST(bulk_slice_size_must_be_a_bounded_number) {
  NEED_ROOT();
  world w;
  ASSERT_EQ(setup(&w), 0);
  const char *bad[] = {"", "x", "3x", "-1", "101", "99999999999999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char *s = session(&w, 0, 0, bad[i]);
    decc_enclave_outcome o;
    ASSERT_OK(run(&w, s, &o));
    ASSERT_EQ(o.cause, DECC_CAUSE_SESSION_INVALID);
    ASSERT(strstr(o.detail, "IEXEC_BULK_SLICE_SIZE"));
    free(s);
  }
  teardown(&w);
}
