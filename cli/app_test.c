/*
 * app_test.c — `decc app test DIR`: runs an iApp locally the way a worker
 * runs a task, with no chain, SMS or workerpool: the bundle is packed from
 * DIR (its measurement is the session's fingerprint), mock protected data
 * (a JSON file protected here, or a ready protected-data zip) is encrypted
 * with a fresh dataset key into a scratch blockstore, and the session a
 * worker would receive (pre-compute, app, post-compute; decc_enclave_
 * standard_session plus the dataset and requester secrets) runs in the
 * worker's sandbox with its default limits (decc_enclave_run_session).
 * Prints the app's stdout / stderr, the computed.json check and the files
 * of the result archive; a failing app gets its cause and exit code and a
 * non-zero exit. Everything lives in a scratch directory removed at the
 * end (-o DIR keeps the result files).
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_session.h"
#include "cli.h"
#include "decc/bundle.h"
#include "decc/cid.h"
#include "decc/dataset.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/protect.h"
#include "decc/store.h"
#include "decc/zipsafe.h"
#include "dp_cli.h"

#define MAX_SECRETS 16
#define DATA_MAX (64u << 20)
#define LOG_SHOW_MAX (64u << 10)

static const char HELP[] =
    "usage: decc app test DIR [--protected-data DATA.json|DATA.zip]\n"
    "         [--format v2|legacy] [--args TEXT] [--secret-file FILE]...\n"
    "         [-o DIR]\n\n"
    "Runs the iApp in DIR as a worker runs a task — same sandbox, limits\n"
    "(60 s, 1 GiB …), environment, pre-compute and post-compute — with mock\n"
    "protected data: DATA.json is protected here (--format, default v2, the\n"
    "borsh one) or DATA.zip is used as is; it is encrypted with a fresh key,\n"
    "fetched and decrypted by pre-compute like a real dataset. Each\n"
    "--secret-file is a requester secret (IEXEC_REQUESTER_SECRET_1, 2, …).\n"
    "Prints the app's stdout and stderr, the computed.json check and the\n"
    "result files (-o DIR extracts them). Exit 0 when the task would\n"
    "succeed, 1 with the cause (APP_EXIT_CODE, COMPUTED_FILE_INVALID,\n"
    "APP_TIMEOUT …) otherwise. The sandbox needs root.\n";

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *f) {
  (void)sb;
  (void)flag;
  (void)f;
  remove(p);
  return 0;
}

typedef struct membuf {
  decc_buf b;
} membuf;

static decc_status to_buf(const uint8_t *p, size_t n, void *user) {
  return decc_buf_append(&((membuf *)user)->b, p, n);
}

static decc_status cat_buf(void *ud, const uint8_t *p, size_t n,
                           decc_err *err) {
  decc_status st = decc_buf_append(&((membuf *)ud)->b, p, n);
  return st ? decc_err_set(err, st, "result larger than allowed") : DECC_OK;
}

/* The protected data bytes: a zip used as is, or JSON protected in fmt. */
static int load_data(decc_buf *out, const char *path, decc_pd_format fmt) {
  size_t len = 0;
  char *text = cli_read_file(path, DATA_MAX, &len, 0);
  if (!text)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  int rc = CLI_OK;
  if (len >= 4 && !memcmp(text, "PK\x03\x04", 4)) {
    if (decc_buf_append(out, text, len))
      rc = cli_fail("out of memory");
  } else {
    decc_pd *pd = NULL;
    if (decc_pd_parse_json(&pd, text, len, NULL, &err) != DECC_OK ||
        decc_pd_serialize(pd, fmt, out, &err) != DECC_OK)
      rc = cli_fail("%s: %s", path, err.msg);
    decc_pd_destroy(pd);
  }
  decc_free(text);
  return rc;
}

/* Encrypts data with a fresh key into the blockstore. Out: url
 * ("/ipfs/CID"), checksum (0x sha256 of the ciphertext), key45 (base64). */
static int put_dataset(decc_blockstore *bs, const char *scratch,
                       const decc_buf *data, char *url, size_t url_cap,
                       char checksum[DECC_HEX32_LEN], char key45[45]) {
  decc_err err;
  decc_err_clear(&err);
  decc_dataset_key *k = NULL;
  decc_dataset_stream *s = NULL;
  membuf enc;
  decc_buf_init(&enc.b, DATA_MAX + 64);
  uint8_t sum[32];
  int rc = CLI_FAIL;
  if (decc_dataset_key_generate(&k, &err) ||
      decc_dataset_stream_create(&s, DECC_DATASET_ENCRYPT, k, NULL, to_buf,
                                 &enc, &err) ||
      decc_dataset_stream_update(s, data->data, data->len, &err) ||
      decc_dataset_stream_final(s, sum, &err)) {
    cli_fail("encrypting the protected data: %s", err.msg);
    goto done;
  }
  decc_dataset_key_encode(key45, k);
  decc_sha256(sum, enc.b.data, enc.b.len);
  decc_hex_encode(checksum, sum, 32, 1);
  char path[4200];
  snprintf(path, sizeof path, "%s/dataset.enc", scratch);
  if (cli_write_file_atomic(path, enc.b.data, enc.b.len, 0600) != CLI_OK)
    goto done;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  decc_cid cid;
  char cs[DECC_CID_STR_MAX];
  decc_status st =
      fd < 0 ? DECC_E_IO
             : decc_store_add_fd(bs, &cid, NULL, NULL, fd, path, 1, &err);
  if (fd >= 0)
    close(fd);
  if (st || decc_cid_to_string(cs, sizeof cs, &cid)) {
    cli_fail("storing the protected data: %s", err.msg);
    goto done;
  }
  snprintf(url, url_cap, "/ipfs/%s", cs);
  rc = CLI_OK;
done:
  decc_dataset_stream_destroy(s);
  decc_dataset_key_destroy(k);
  decc_buf_clear(&enc.b);
  return rc;
}

static void print_log(const char *work, const char *name, const char *title) {
  char path[4200];
  snprintf(path, sizeof path, "%s/logs/%s", work, name);
  FILE *f = fopen(path, "rb");
  if (!f)
    return;
  char buf[4096];
  size_t n, total = 0;
  int any = 0;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0 && total < LOG_SHOW_MAX) {
    if (!any) {
      printf("---- %s\n", title);
      any = 1;
    }
    fwrite(buf, 1, n, stdout);
    total += n;
    if (n && buf[n - 1] != '\n' && feof(f))
      putchar('\n');
  }
  fclose(f);
}

int cli_app_test(int argc, char **argv) {
  const char *dir = NULL, *data_path = NULL, *args = NULL, *out_dir = NULL;
  const char *sfiles[MAX_SECRETS];
  size_t ns = 0;
  decc_pd_format fmt;
  if (decc_pd_format_parse(&fmt, "v2") != DECC_OK)
    return cli_fail("no v2 format");
  const char *fmt_s = NULL, *secret = NULL;
  cli_list sl = {sfiles, 0, MAX_SECRETS};
  cli_opt opts[] = {
      {"protected-data", 0, CLI_OPT_STR, &data_path, "DATA.json|DATA.zip",
       "mock protected data: a JSON object protected here, or a ready "
       "protected-data zip",
       0, 0, 0},
      {"format", 0, CLI_OPT_STR, &fmt_s, "v2|legacy",
       "how DATA.json is serialized (default v2, the borsh one)", 0, 0, 0},
      {"args", 0, CLI_OPT_STR, &args, "TEXT", "the task's iexec_args", 0, 0, 0},
      {"secret-file", 0, CLI_OPT_LIST, &sl, "FILE",
       "a requester secret (repeatable: IEXEC_REQUESTER_SECRET_1, 2, …)", 0, 0,
       0},
      {"output", 'o', CLI_OPT_STR, &out_dir, "DIR",
       "extract the result files into DIR", 0, 0, 0},
      /* Named so that it is refused with the reason, never taken. */
      {"secret", 0, CLI_OPT_STR, &secret, "-",
       "refused: secrets are never read from the command line", 0, 0, 0},
      {0}};
  cli_spec spec = {"app test", HELP, opts, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  dir = np ? argv[1] : NULL;
  ns = sl.n;
  if (secret)
    return cli_cmd_usage(spec.cmd, "secrets are never read from the command "
                                   "line: use --secret-file FILE");
  /* v2 is the borsh encoding (docs/api/protect.md) */
  if (fmt_s && decc_pd_format_parse(
                   &fmt, !strcmp(fmt_s, "borsh") ? "v2" : fmt_s) != DECC_OK)
    return cli_cmd_usage(spec.cmd,
                         "--format: v2 (borsh) or legacy, not "
                         "'%.40s'",
                         fmt_s);
  if (!dir)
    return cli_cmd_usage(spec.cmd, "app test needs the app's DIR");
  if (geteuid() != 0)
    return cli_fail("app test runs the app in the worker's sandbox, which "
                    "needs root: run it as root (e.g. sudo decc app test %s)",
                    dir);

  decc_err err;
  decc_err_clear(&err);
  int rc = CLI_FAIL;
  char scratch[] = "/tmp/decc-app-test.XXXXXX";
  if (!mkdtemp(scratch))
    return cli_fail("cannot create a scratch directory in /tmp");
  char work[4200], store_dir[4200];
  snprintf(work, sizeof work, "%s/work", scratch);
  snprintf(store_dir, sizeof store_dir, "%s/store", scratch);
  decc_buf bundle, data;
  decc_buf_init(&bundle, 0);
  decc_buf_init(&data, DATA_MAX);
  decc_blockstore *bs = NULL;
  decc_buf sess; /* the session: holds the dataset key and the secrets */
  decc_buf_init_secret(&sess, 0);
  json_t *params = NULL;
  char *secrets[MAX_SECRETS] = {0};
  membuf res;
  decc_buf_init(&res.b, 0);
  uint8_t meas[32];

  if (mkdir(work, 0700) != 0) {
    cli_fail("cannot create %s", work);
    goto done;
  }
  if (decc_bundle_pack(&bundle, meas, dir, &err) != DECC_OK) {
    cli_fail("%s: %s", dir, err.msg);
    goto done;
  }
  if (decc_blockstore_open(&bs, store_dir, &err) != DECC_OK) {
    cli_fail("scratch store: %s", err.msg);
    goto done;
  }
  /* The session a worker gets for this task, built as for a standard
   * task, then given the dataset and the secrets a TEE session adds. */
  decc_enclave_standard t;
  memset(&t, 0, sizeof t);
  if (decc_random_bytes(t.task_id, 32) || decc_random_bytes(t.deal_id, 32)) {
    cli_fail("no randomness");
    goto done;
  }
  t.bot_size = 1;
  memcpy(t.app_checksum, meas, 32);
  params = json_pack("{s:s}", DECC_PARAM_ARGS, args ? args : "");
  char *p = params ? json_dumps(params, JSON_COMPACT) : NULL;
  if (!p) {
    cli_fail("out of memory");
    goto done;
  }
  t.params = p;
  char url[DECC_CID_STR_MAX + 8], sum[DECC_HEX32_LEN], key45[45];
  /* A mock dataset address names the file, as the worker does. */
  decc_session_dataset ds = {
      url, sum, key45, 0, "0x00000000000000000000000000000000000da7a0", NULL};
  if (data_path) {
    if (load_data(&data, data_path, fmt) != CLI_OK ||
        put_dataset(bs, scratch, &data, url, sizeof url, sum, key45) !=
            CLI_OK) {
      free(p);
      goto done;
    }
    ds.key_len = strlen(key45);
  }
  decc_session_secret sec[MAX_SECRETS];
  char idx[MAX_SECRETS][24]; /* decimal i + 1 */
  for (size_t i = 0; i < ns; i++) {
    size_t len;
    if (!(secrets[i] = cli_read_file(sfiles[i], 4096, &len, 1))) {
      free(p);
      decc_memzero(key45, sizeof key45);
      goto done;
    }
    snprintf(idx[i], sizeof idx[i], "%zu", i + 1);
    sec[i] = (decc_session_secret){idx[i], secrets[i], len};
  }
  rc = cli_local_session(&sess, &t, data_path ? &ds : NULL, sec, ns);
  free(p);
  decc_memzero(key45, sizeof key45);
  if (rc != CLI_OK)
    goto done;
  rc = CLI_FAIL;

  decc_enclave_store store = {bs, NULL};
  decc_enclave_limits lim;
  decc_enclave_limits_init(&lim);
  decc_enclave_outcome o;
  if (!g_cli.quiet)
    fprintf(stderr, "  .. running %s (measurement 0x%s…) in the sandbox\n", dir,
            decc_hex_encode((char[DECC_HEX32_LEN]){0}, meas, 8, 0));
  if (decc_enclave_run_session(&o, (const char *)sess.data, sess.len,
                               bundle.data, bundle.len, work, &store, &lim,
                               &err) != DECC_OK) {
    cli_fail("running the app: %s", err.msg);
    goto done;
  }
  print_log(work, "stdout.txt", "app stdout");
  print_log(work, "stderr.txt", "app stderr");
  printf("---- outcome\n");
  printf("pre-compute  %.0f ms, app %.0f ms, post-compute %.0f ms\n", o.pre_ms,
         o.app_ms, o.post_ms);
  if (o.cause == DECC_CAUSE_COMPUTED_FILE_INVALID)
    printf("computed.json INVALID: %s\n", o.detail);
  else if (o.cause == DECC_CAUSE_NONE || o.post_ms > 0)
    printf("computed.json ok\n");
  if (o.cause != DECC_CAUSE_NONE) {
    if (o.exit_code)
      cli_fail("the app failed: %s: %s (exit code %d)",
               decc_task_cause_name(o.cause),
               o.detail[0] ? o.detail : decc_task_cause_text(o.cause),
               o.exit_code);
    else
      cli_fail("the app failed: %s: %s", decc_task_cause_name(o.cause),
               o.detail[0] ? o.detail : decc_task_cause_text(o.cause));
    goto done;
  }
  char dg[DECC_HEX32_LEN];
  decc_hex_encode(dg, o.result_digest, 32, 1);
  printf("result digest %s\n", dg);
  /* The result archive post-compute uploaded to the scratch store. */
  decc_cid rcid;
  decc_zip *z = NULL;
  if (!o.result_cid[0] ||
      decc_cid_parse(&rcid, o.result_cid, &err) != DECC_OK ||
      decc_store_cat(bs, &rcid, 0, UINT64_MAX, cat_buf, &res, &err) !=
          DECC_OK ||
      decc_zip_open_mem(&z, res.b.data, res.b.len, NULL, &err) != DECC_OK) {
    cli_fail("reading the result archive: %s", err.msg);
    goto done;
  }
  printf("result files (%zu, %llu bytes zipped):\n", decc_zip_count(z),
         (unsigned long long)res.b.len);
  for (size_t i = 0; i < decc_zip_count(z); i++) {
    const decc_zip_entry *e = decc_zip_entry_at(z, i);
    printf("  %-40s %llu bytes\n", e->name, (unsigned long long)e->size);
  }
  rc = CLI_OK;
  if (out_dir) {
    if (mkdir(out_dir, 0700) != 0 && access(out_dir, W_OK) != 0)
      rc = cli_fail("-o %s: cannot create it", out_dir);
    else if (decc_zip_extract(z, out_dir, &err) != DECC_OK)
      rc = cli_fail("-o %s: %s", out_dir, err.msg);
    else
      printf("extracted into %s\n", out_dir);
  }
  decc_zip_close(z);
done:
  for (size_t i = 0; i < ns; i++)
    if (secrets[i])
      decc_secure_free(secrets[i]);
  decc_buf_clear(&sess); /* a secret buffer: wiped */
  json_decref(params);
  decc_buf_clear(&bundle);
  decc_buf_clear(&data);
  decc_buf_clear(&res.b);
  decc_blockstore_close(bs);
  nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}
