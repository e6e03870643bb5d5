/*
 * cmd_task_replay.c — `decc task replay TASK --key-file FILE`: an audit by
 * the data owner. Re-runs a finished task on her own machine, with her own
 * dataset key, in the sandbox `decc app test` uses (the worker's, with its
 * default limits), and checks that the replay's result digest is the one
 * the chain holds for the task (and that the enclave signed: see
 * `decc verify`). When it differs it says why as far as it can tell:
 *   - the app changed (its bundle no longer has the on-chain checksum),
 *   - the dataset changed (its encrypted file no longer has its checksum),
 *   - the app is nondeterministic (two replays give two digests),
 *   - or a stable, different digest: the task used inputs a replay cannot
 *     have (the requester's secrets, or input files no longer served), or
 *     the result was not produced from this data by this app.
 * Nothing is sent anywhere: the chain is only read, the run is local.
 */
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_session.h"
#include "cli.h"
#include "decc/cid.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/store.h"
#include "dp_cli.h"

#define BUNDLE_MAX (512ull << 20)
#define DATASET_MAX (1ull << 30)

static const char HELP[] =
    "usage: decc task replay TASK_ID --key-file FILE [wallet]\n\n"
    "Re-runs a finished task on this machine with the dataset key in FILE\n"
    "(the base64 key 'decc protect --key-out' wrote), in the worker's\n"
    "sandbox (as 'decc app test'), and checks that the result digest is the\n"
    "one the chain holds for the task. The app bundle and the encrypted\n"
    "dataset are read from this data directory's store and checked against\n"
    "their on-chain checksums first. A mismatch is explained: app changed,\n"
    "dataset changed, nondeterministic app (a second replay differs), or\n"
    "inputs the replay cannot have (the requester's secrets or input files).\n"
    "Needs root (the sandbox). Exit 0 when the digest matches, 1 otherwise.\n";

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *f) {
  (void)sb;
  (void)flag;
  (void)f;
  return remove(p) != 0;
}

/* A multiaddr as stored on chain, as a URL the enclave fetches: the binary
 * form DataProtector v2 stores becomes "/ipfs/<CID>" (as the worker does),
 * text is kept. */
static char *text_of(const uint8_t *b, size_t n) {
  char *url = NULL;
  if (decc_multiaddr_to_string(&url, b, n, NULL) == DECC_OK)
    return url;
  char *s = decc_malloc(n + 1);
  if (!s)
    return NULL;
  memcpy(s, b, n);
  s[n] = 0;
  for (size_t i = 0; i < n; i++)
    if (b[i] < 0x20 || b[i] > 0x7e) {
      decc_free(s);
      return NULL;
    }
  return s;
}

/* The deal's params without what only a TEE session provides (result
 * encryption, requester secrets): those do not change the deterministic
 * output's digest, which is computed before encryption. *had_secrets /
 * *had_inputs say whether the task had inputs a replay lacks. */
static char *replay_params(const char *params, int *had_secrets,
                           int *had_inputs) {
  *had_secrets = *had_inputs = 0;
  json_t *j = json_loads(params ? params : "", 0, NULL);
  if (!json_is_object(j)) {
    json_decref(j);
    return decc_strdup(params ? params : "");
  }
  json_t *sec = json_object_get(j, "iexec_secrets");
  *had_secrets = json_is_object(sec) && json_object_size(sec) > 0;
  json_t *in = json_object_get(j, "iexec_input_files");
  *had_inputs = json_is_array(in) && json_array_size(in) > 0;
  json_object_del(j, "iexec_secrets");
  json_object_del(j, "iexec_result_encryption");
  json_object_del(j, "iexec_result_storage_provider");
  json_object_del(j, "iexec_result_storage_proxy");
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  char *out = s ? decc_strdup(s) : NULL;
  free(s);
  return out;
}

typedef struct replay_in {
  decc_enclave_standard t;
  const char *dataset_url;
  char dataset_sum[DECC_HEX32_LEN];
  char dataset_addr[DECC_ADDRESS_HEX_LEN];
  const char *key45;
  const uint8_t *bundle;
  size_t bundle_len;
  decc_blockstore *bs;
} replay_in;

/* One sandboxed run in a fresh scratch directory. Out: digest.
 * Returns CLI_OK, or CLI_FAIL with the cause printed. */
static int run_once(const replay_in *in, uint8_t digest[32], int n) {
  char scratch[] = "/tmp/decc-replay.XXXXXX";
  if (!mkdtemp(scratch))
    return cli_fail("cannot create a scratch directory in /tmp");
  char work[64];
  snprintf(work, sizeof work, "%s/work", scratch);
  int rc = CLI_FAIL;
  decc_buf sess; /* holds the dataset key */
  decc_buf_init_secret(&sess, 0);
  decc_err err;
  decc_err_clear(&err);
  if (mkdir(work, 0700) != 0) {
    cli_fail("cannot create %s", work);
    goto done;
  }
  decc_session_dataset ds = {in->dataset_url,   in->dataset_sum,  in->key45,
                             strlen(in->key45), in->dataset_addr, NULL};
  if (cli_local_session(&sess, &in->t, &ds, NULL, 0) != CLI_OK)
    goto done;
  decc_enclave_store store = {in->bs, NULL};
  decc_enclave_limits lim;
  decc_enclave_limits_init(&lim);
  decc_enclave_outcome o;
  cli_progress("  .. replay %d: running the app in the sandbox", n);
  if (decc_enclave_run_session(&o, (const char *)sess.data, sess.len,
                               in->bundle, in->bundle_len, work, &store, &lim,
                               &err)) {
    cli_fail("running the app: %s", err.msg);
    goto done;
  }
  if (o.cause != DECC_CAUSE_NONE) {
    cli_fail("the replay failed: %s: %s", decc_task_cause_name(o.cause),
             o.detail[0] ? o.detail : decc_task_cause_text(o.cause));
    goto done;
  }
  memcpy(digest, o.result_digest, 32);
  rc = CLI_OK;
done:
  decc_buf_clear(&sess); /* a secret buffer: wiped */
  nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}

int cli_task_replay(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *key_file = NULL;
  cli_opt opts[] = {{"key-file", 0, CLI_OPT_STR, &key_file, "FILE",
                     "the dataset key (base64, as 'decc protect --key-out' "
                     "wrote it)",
                     0, 0, 0},
                    {0}};
  cli_spec spec = {"task replay", HELP, opts, &w.key, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  w.wallet = w.key.wallet;
  const char *task = np ? argv[1] : NULL;
  uint8_t tid[32];
  if (!task)
    return cli_cmd_usage(spec.cmd, "a task id is required");
  if (dp_cli_hash(tid, task, "task id"))
    return CLI_USAGE;
  if (!key_file)
    return cli_fail("missing key: replay needs the dataset key — pass "
                    "--key-file FILE (the key 'decc protect --key-out FILE' "
                    "wrote; only the data owner has it)");
  if (geteuid() != 0)
    return cli_fail("replay runs the app in the worker's sandbox, which "
                    "needs root: run it as root (e.g. sudo decc task replay)");
  size_t kl = 0;
  char *key = cli_read_file(key_file, 256, &kl, 1);
  if (!key)
    return CLI_FAIL;
  if (kl != 44) {
    decc_secure_free(key);
    return cli_fail("%s: not a dataset key (44 base64 characters expected)",
                    key_file);
  }

  decc_dp *dp = NULL;
  int rc = dp_cli_open(&dp, &w, 0);
  if (rc != CLI_OK) {
    decc_secure_free(key);
    return rc;
  }
  rc = CLI_FAIL;
  decc_chain *c = decc_dp_chain(dp);
  decc_blockstore *bs = decc_dp_blockstore(dp);
  decc_err err;
  decc_err_clear(&err);
  decc_poco_task t;
  decc_poco_deal d;
  int have_task = 0, have_deal = 0;
  decc_hub_entry app, ds;
  memset(&app, 0, sizeof app);
  memset(&ds, 0, sizeof ds);
  decc_buf bundle, enc;
  decc_buf_init(&bundle, BUNDLE_MAX);
  decc_buf_init(&enc, DATASET_MAX);
  char *app_url = NULL, *ds_url = NULL, *params = NULL;
  char h1[DECC_HEX32_LEN], h2[DECC_HEX32_LEN];
  if (decc_hub_view_task(c, tid, &t, &err)) {
    cli_fail_err(&err);
    goto done;
  }
  have_task = 1;
  if (t.status != DECC_TASK_COMPLETED) {
    cli_fail("task %s is not COMPLETED (status %u): there is no result "
             "digest to compare with",
             task, (unsigned)t.status);
    goto done;
  }
  if (decc_hub_view_deal(c, t.deal_id, &d, &err)) {
    cli_fail_err(&err);
    goto done;
  }
  have_deal = 1;
  if (decc_address_is_zero(&d.dataset.pointer)) {
    cli_fail("task %s used no dataset: nothing of yours to replay", task);
    goto done;
  }
  if (decc_hub_entry_read(c, DECC_HUB_APP, &d.app.pointer, &app, &err) ||
      decc_hub_entry_read(c, DECC_HUB_DATASET, &d.dataset.pointer, &ds, &err)) {
    cli_fail_err(&err);
    goto done;
  }
  if (!bs) {
    cli_fail("this data directory stores its files on a remote IPFS node: "
             "replay reads the app and the dataset from the local store");
    goto done;
  }
  if (!(app_url = text_of(app.multiaddr, app.multiaddr_len)) ||
      !(ds_url = text_of(ds.multiaddr, ds.multiaddr_len))) {
    cli_fail("the app's or dataset's multiaddr is not text");
    goto done;
  }
  decc_enclave_store store = {bs, NULL};
  /* the app as it is now: changed if its bundle lost the checksum */
  if (decc_enclave_fetch(&store, app_url, &bundle, BUNDLE_MAX, 60, &err)) {
    cli_fail("app changed or gone: its bundle %s cannot be read here: %s",
             app_url, err.msg);
    goto done;
  }
  uint8_t sum[32];
  decc_sha256(sum, bundle.data, bundle.len);
  if (memcmp(sum, app.checksum, 32)) {
    cli_fail("app changed: the bundle at %s has SHA-256 %s, not the app's "
             "on-chain checksum %s",
             app_url, decc_hex_encode(h1, sum, 32, 1),
             decc_hex_encode(h2, app.checksum, 32, 1));
    goto done;
  }
  /* the dataset as it is now (pre-compute checks it again, with the key) */
  if (decc_enclave_fetch(&store, ds_url, &enc, DATASET_MAX, 60, &err)) {
    cli_fail("the encrypted dataset %s cannot be read here: %s", ds_url,
             err.msg);
    goto done;
  }
  int had_secrets = 0, had_inputs = 0;
  if (!(params = replay_params(d.params, &had_secrets, &had_inputs))) {
    cli_fail("out of memory");
    goto done;
  }
  replay_in in;
  memset(&in, 0, sizeof in);
  memcpy(in.t.task_id, tid, 32);
  memcpy(in.t.deal_id, t.deal_id, 32);
  if (!decc_u256_to_u64(&in.t.task_index, &t.idx) ||
      !decc_u256_to_u64(&in.t.bot_first, &d.bot_first) ||
      !decc_u256_to_u64(&in.t.bot_size, &d.bot_size)) {
    cli_fail("task index out of range");
    goto done;
  }
  in.t.callback = d.callback;
  in.t.params = params;
  memcpy(in.t.app_checksum, app.checksum, 32);
  in.dataset_url = ds_url;
  decc_hex_encode(in.dataset_sum, ds.checksum, 32, 1);
  decc_address_to_checksum(in.dataset_addr, &d.dataset.pointer);
  in.key45 = key;
  in.bundle = bundle.data;
  in.bundle_len = bundle.len;
  in.bs = bs;
  uint8_t got[32];
  if (run_once(&in, got, 1) != CLI_OK)
    goto done;
  decc_hex_encode(h1, got, 32, 1);
  decc_hex_encode(h2, t.result_digest, 32, 1);
  if (!memcmp(got, t.result_digest, 32)) {
    if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s,s:b,s:s}", "taskId", task, "match", 1,
                                    "resultDigest", h1));
    else {
      printf("replay of task %s: result digest %s\n", task, h1);
      printf("matches the digest on chain: this app (checksum %s) computed "
             "this result from your data.\n",
             decc_hex_encode(h2, app.checksum, 32, 1));
      rc = CLI_OK;
    }
    goto done;
  }
  /* a mismatch: a second run tells a nondeterministic app from a stable
   * difference */
  uint8_t again[32];
  if (run_once(&in, again, 2) != CLI_OK)
    goto done;
  if (memcmp(again, got, 32))
    cli_fail("nondeterministic app: two replays gave %s and %s (the chain "
             "has %s): its deterministic output changes from run to run, so "
             "a replay cannot confirm the result",
             h1, decc_hex_encode((char[DECC_HEX32_LEN]){0}, again, 32, 1), h2);
  else
    cli_fail("result digest differs: the replay gives %s every time, the "
             "chain has %s%s%s",
             h1, h2,
             had_secrets ? "; the task used the requester's secrets, which "
                           "a replay does not have"
                         : "",
             had_inputs ? "; the task fetched input files, which may have "
                          "changed"
                        : (!had_secrets ? ": the result was not produced "
                                          "from this data by this app as it "
                                          "is now"
                                        : ""));
done:
  decc_secure_free(key);
  decc_free(app_url);
  decc_free(ds_url);
  decc_free(params);
  decc_buf_clear(&bundle);
  decc_buf_clear(&enc);
  decc_hub_entry_clear(&app);
  decc_hub_entry_clear(&ds);
  if (have_task)
    decc_poco_task_clear(&t);
  if (have_deal)
    decc_poco_deal_clear(&d);
  decc_dp_close(dp);
  return rc;
}
