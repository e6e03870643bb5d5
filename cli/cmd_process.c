/*
 * cmd_process.c — `decc process` (and `decc run`, the same request without
 * protected data; cmd_run.c): picks the orders, pushes requester secrets,
 * matches, waits for the task and writes the decrypted result; several
 * protected data make a bulk request (docs/internals/bulk.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "dp_cli.h"

static const char PROCESS_HELP[] =
    "usage: decc process PROTECTED_DATA... --app APP [--workerpool ADDRESS]\n"
    "         [--bulk] [--bulk-file FILE] [--per-task N]\n"
    "         [--data-max-price A] [--app-max-price A] [--workerpool-max-price "
    "A]\n"
    "         [--args TEXT] [--input-file URL]... [--secret-file FILE]...\n"
    "         [--no-encrypt] [--result-key FILE] [--path ENTRY] [-o FILE]\n"
    "         [--no-wait] [--timeout SECONDS] [--category N] [wallet]\n\n"
    "Runs APP on PROTECTED_DATA: picks the app, dataset (grant) and "
    "workerpool\n"
    "orders within the max prices (default 0), pushes each --secret-file\n"
    "as a requester secret (app index 1, 2, … in order), encrypts the result\n"
    "with your RSA key (<home>/results/<address>_key, generated once) unless\n"
    "--no-encrypt, matches the orders, waits for the task, downloads and\n"
    "decrypts the result. Writes the result zip to -o (default TASKID.zip),\n"
    "or with --path the entry ENTRY of it (to stdout without -o). The task\n"
    "runs on the workerpool's node; the wait ends when the task completes,\n"
    "as soon as a worker of this data directory records why it failed (the\n"
    "cause and the app's stderr are printed, exit 1), or after --timeout\n"
    "seconds (default 300). Ctrl-C or a timeout leave the task running:\n"
    "'decc task wait TASK' resumes the wait and fetches the result.\n\n"
    "Bulk processing (PoCo 6.1, the SDK's prepareBulkRequest /\n"
    "processBulkRequest): with several PROTECTED_DATA, --bulk-file FILE (one\n"
    "address per line, '#' comments) or --bulk, each task processes up to\n"
    "--per-task N items (default and maximum 100); each item needs a grant\n"
    "made with 'decc grant … --bulk' to APP for you — one without, or a\n"
    "revoked one, is refused before anything is paid, naming the item. The\n"
    "app finds IEXEC_BULK_SLICE_SIZE and, for i = 1.., the decrypted item\n"
    "$IEXEC_IN/$IEXEC_DATASET_<i>_FILENAME. Results: TASKID.zip per task in\n"
    "the current directory, or in directory -o DIR; with --path ENTRY and no\n"
    "-o, each task's entry goes to stdout in task order. --data-max-price\n"
    "does not apply (bulk grants are free).\n";

static const char RUN_HELP[] =
    "usage: decc run APP [--workerpool ADDRESS] [--app-max-price A]\n"
    "         [--workerpool-max-price A] [--args TEXT] [--input-file URL]...\n"
    "         [--secret-file FILE]... [--no-encrypt] [--result-key FILE]\n"
    "         [--path ENTRY] [-o FILE] [--no-wait] [--timeout SECONDS]\n"
    "         [--category N] [wallet]\n\n"
    "Runs APP without protected data, as the iExec CLI's 'iexec app run':\n"
    "picks the app and workerpool orders within the max prices (default 0),\n"
    "matches them with your request (args, input files, requester secrets),\n"
    "waits for the task and writes the decrypted result zip to -o (default\n"
    "TASKID.zip), or its entry ENTRY with --path. Everything else is as\n"
    "'decc process' (see its --help): failure causes, Ctrl-C, 'decc task\n"
    "wait' to resume.\n";

/* What `decc process` collected for bulk processing. */
typedef struct bulk_cli {
  const char *args[256]; /* positional PROTECTED_DATA */
  size_t n_args;
  const char *file;  /* --bulk-file */
  int forced;        /* --bulk */
  uint32_t per_task; /* --per-task (0 = 100) */
  int data_max_given;
} bulk_cli;

/* Reads --bulk-file: one address per line, blank lines and '#' comments
 * ignored. Appends to *list (decc_free). */
static int read_bulk_file(const char *path, decc_address **list, size_t *n) {
  size_t len = 0;
  char *text = cli_read_file(path, 1u << 20, &len, 0);
  if (!text)
    return CLI_FAIL;
  int rc = CLI_OK;
  size_t lineno = 0;
  for (char *p = text, *nl; p && *p && rc == CLI_OK; p = nl) {
    nl = strchr(p, '\n');
    if (nl)
      *nl++ = 0;
    lineno++;
    char *h = strchr(p, '#');
    if (h)
      *h = 0;
    while (*p == ' ' || *p == '\t' || *p == '\r')
      p++;
    size_t l = strlen(p);
    while (l && (p[l - 1] == ' ' || p[l - 1] == '\t' || p[l - 1] == '\r'))
      p[--l] = 0;
    if (!l)
      continue;
    if (*n == DECC_DP_BULK_ITEMS_MAX) {
      rc = cli_cmd_usage("process", "%s: more than %d protected data", path,
                         DECC_DP_BULK_ITEMS_MAX);
      break;
    }
    decc_address *g = decc_realloc(*list, (*n + 1) * sizeof **list);
    if (!g) {
      rc = cli_fail("out of memory");
      break;
    }
    *list = g;
    decc_err e2;
    if (decc_address_parse(&(*list)[*n], p, &e2) != DECC_OK)
      rc = cli_cmd_usage("process",
                         "%s line %zu: '%.60s' is not an address (%s)", path,
                         lineno, p, e2.msg);
    else
      ++*n;
  }
  decc_free(text);
  return rc;
}

/* `decc process` over several protected data (docs/internals/bulk.md). */
static int process_bulk(dp_cli_opts *w, const decc_dp_process_opts *po,
                        const bulk_cli *b, const char *app, const char *pool,
                        const char *out, const char *const *inputs, size_t ni,
                        const char *const *sfiles, size_t ns) {
  if (b->data_max_given)
    return cli_cmd_usage("process", "--data-max-price does not apply to bulk "
                                    "processing: bulk grants are free");
  if (po->category)
    return cli_cmd_usage("process", "bulk requests use category 0 (the SDK's)");
  decc_dp_bulk_opts o;
  memset(&o, 0, sizeof o);
  decc_address *items = NULL;
  size_t n = 0;
  int rc = CLI_OK;
  if (b->n_args) {
    items = decc_calloc(b->n_args, sizeof *items);
    if (!items)
      return cli_fail("out of memory");
  }
  for (size_t i = 0; i < b->n_args; i++)
    if (dp_cli_address(&items[n++], b->args[i], "protected data")) {
      decc_free(items);
      return CLI_USAGE;
    }
  if (b->file && (rc = read_bulk_file(b->file, &items, &n)) != CLI_OK) {
    decc_free(items);
    return rc;
  }
  if (!n) {
    decc_free(items);
    return cli_cmd_usage("process", "no PROTECTED_DATA to process");
  }
  if (dp_cli_address(&o.app, app, "--app") ||
      (pool && dp_cli_address(&o.workerpool, pool, "--workerpool"))) {
    decc_free(items);
    return CLI_USAGE;
  }
  o.protected_data = items;
  o.n_protected_data = n;
  o.has_workerpool = pool != NULL;
  o.app_max_price = po->app_max_price;
  o.workerpool_max_price = po->workerpool_max_price;
  o.max_per_task = b->per_task;
  o.args = po->args;
  o.input_files = inputs;
  o.n_input_files = ni;
  o.no_encrypt_result = po->no_encrypt_result;
  o.result_key_path = po->result_key_path;
  o.path = po->path;
  o.no_wait = po->no_wait;
  o.timeout_s = po->timeout_s ? po->timeout_s : 300;
  o.progress = dp_cli_process_progress;
  char *secrets[DECC_DP_MAX_SECRETS];
  for (size_t i = 0; i < ns; i++) {
    size_t len;
    if (!(secrets[i] = cli_read_file(sfiles[i], 4096, &len, 1))) {
      for (size_t j = 0; j < i; j++)
        decc_secure_free(secrets[j]);
      decc_free(items);
      return CLI_FAIL;
    }
  }
  o.secrets = (const char *const *)secrets;
  o.n_secrets = ns;
  if (out && !o.path) {
    struct stat sb;
    if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
      rc = cli_cmd_usage("process",
                         "bulk processing writes one result per task: -o "
                         "must be an existing directory");
      goto done;
    }
  }
  decc_dp *dp = NULL;
  if ((rc = dp_cli_open(&dp, w, 1)) == CLI_OK) {
    decc_dp_bulk_result r;
    decc_err err;
    decc_err_clear(&err);
    decc_status st = decc_dp_process_bulk(dp, &r, &o, &err);
    dp_cli_resume_hint(NULL);
    json_t *arr = g_cli.json ? json_array() : NULL;
    for (size_t i = 0; i < r.n_tasks; i++) {
      const decc_dp_bulk_task *t = &r.tasks[i];
      char tid[DECC_HEX32_LEN], did[DECC_HEX32_LEN], dest[4200];
      decc_hex_encode(tid, t->task_id, 32, 1);
      decc_hex_encode(did, t->deal_id, 32, 1);
      const char *file = NULL;
      if (t->result) {
        if (o.path && !out) {
          if (!g_cli.json)
            fwrite(t->result, 1, t->result_len, stdout);
        } else {
          snprintf(dest, sizeof dest, "%s%s%s%s", out ? out : "",
                   out ? "/" : "", tid, o.path ? "" : ".zip");
          if (o.path)
            snprintf(dest, sizeof dest, "%s/%s-%s", out, tid, o.path);
          if (cli_write_file_atomic(dest, t->result, t->result_len, 0600) ==
              CLI_OK)
            file = dest;
          else
            rc = CLI_FAIL;
        }
      }
      const char *status = t->result   ? "COMPLETED"
                           : o.no_wait ? "ACTIVE"
                                       : decc_dp_task_status_name(t->status);
      if (arr)
        json_array_append_new(
            arr,
            json_pack("{s:s,s:s,s:I,s:s,s:s?,s:s?}", "dealId", did, "taskId",
                      tid, "bulkIndex", (json_int_t)t->bulk_index, "status",
                      status, "result", file, "cause", t->failure_cause));
      else if (file)
        printf("task %s (slice %llu) COMPLETED, result written to %s\n", tid,
               (unsigned long long)t->bulk_index, file);
      else if (!t->result && !o.path)
        printf("task %s (slice %llu) %s%s%s\n", tid,
               (unsigned long long)t->bulk_index, status,
               t->failure_cause ? ": " : "",
               t->failure_cause ? t->failure_cause : "");
    }
    if (arr)
      cli_print_json(json_pack("{s:o}", "tasks", arr));
    if (st) {
      const char *tail = NULL;
      for (size_t i = 0; i < r.n_tasks && !tail; i++)
        tail = r.tasks[i].stderr_tail;
      rc = dp_cli_task_failed(&err, tail);
    }
    decc_dp_bulk_result_clear(&r);
  }
  decc_dp_close(dp);
done:
  for (size_t i = 0; i < ns; i++)
    decc_secure_free(secrets[i]);
  decc_free(items);
  return rc;
}

/* `decc process` (run 0) and `decc run` (run 1, cmd_run.c): the same
 * request, run having no protected data and so none of the bulk and
 * data options. */
int cli_process_request(int argc, char **argv, int run) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_process_opts o;
  memset(&o, 0, sizeof o);
  const char *data = NULL, *app = NULL, *pool = NULL, *out = NULL;
  const char *inputs[DECC_DP_MAX_INPUT_FILES], *sfiles[DECC_DP_MAX_SECRETS];
  cli_list in_l = {inputs, 0, DECC_DP_MAX_INPUT_FILES};
  cli_list sf_l = {sfiles, 0, DECC_DP_MAX_SECRETS};
  uint64_t timeout = 0, per_task = 0;
  /* bulk: every positional PROTECTED_DATA, --bulk, --bulk-file */
  bulk_cli b;
  memset(&b, 0, sizeof b);
  const char *cmd = run ? "run" : "process";
  for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
    if (!strcmp(argv[i], "--secret") || !strncmp(argv[i], "--secret=", 9))
      return cli_cmd_usage(cmd, "secrets are never read from the command "
                                "line: use --secret-file FILE");
  cli_opt opts[] = {
      {"workerpool", 0, CLI_OPT_STR, &pool, "ADDRESS",
       "the workerpool (default: the cheapest order)", 0, 0, 0},
      {"app-max-price", 0, CLI_OPT_AMOUNT, &o.app_max_price, "AMOUNT",
       "the most you pay the app (default 0)", 0, 0, 0},
      {"workerpool-max-price", 0, CLI_OPT_AMOUNT, &o.workerpool_max_price,
       "AMOUNT", "the most you pay the workerpool (default 0)", 0, 0, 0},
      {"args", 0, CLI_OPT_STR, &o.args, "TEXT", "the app's arguments", 0, 0, 0},
      {"input-file", 0, CLI_OPT_LIST, &in_l, "URL",
       "an input file URL (repeatable)", 0, 0, 0},
      {"secret-file", 0, CLI_OPT_LIST, &sf_l, "FILE",
       "a requester secret, app index 1, 2, … in order (repeatable)", 0, 0, 0},
      {"no-encrypt", 0, CLI_OPT_FLAG, &o.no_encrypt_result, NULL,
       "plain result (default: encrypted with your RSA key)", 0, 0, 0},
      {"result-key", 0, CLI_OPT_STR, &o.result_key_path, "FILE",
       "the result key (default <home>/results/<address>_key)", 0, 0, 0},
      {"path", 0, CLI_OPT_STR, &o.path, "ENTRY",
       "write only this entry of the result zip", 0, 0, 0},
      {"output", 'o', CLI_OPT_STR, &out, "FILE",
       "where to write the result (default TASKID.zip)", 0, 0, 0},
      {"no-wait", 0, CLI_OPT_FLAG, &o.no_wait, NULL,
       "return once the orders are matched", 0, 0, 0},
      {"timeout", 0, CLI_OPT_U64, &timeout, "SECONDS",
       "give up waiting after SECONDS (default 300)", 0, 30 * 86400, 0},
      {"category", 0, CLI_OPT_U64, &o.category, "N",
       "the task's category (default 0)", 0, 0, 0},
      /* process only (run cuts the table here) */
      {"app", 0, CLI_OPT_STR, &app, "APP", "the app to run (required)", 0, 0,
       0},
      {"bulk", 0, CLI_OPT_FLAG, &b.forced, NULL,
       "bulk request even for one PROTECTED_DATA", 0, 0, 0},
      {"bulk-file", 0, CLI_OPT_STR, &b.file, "FILE",
       "protected data to process, one address per line", 0, 0, 0},
      {"per-task", 0, CLI_OPT_U64, &per_task, "N",
       "bulk items per task (default and maximum 100)", 1,
       DECC_DP_BULK_PER_TASK_MAX, 0},
      {"data-max-price", 0, CLI_OPT_AMOUNT, &o.data_max_price, "AMOUNT",
       "the most you pay per protected data (default 0)", 0, 0, 0},
      {0}};
  if (run)
    opts[13] = (cli_opt){0};
  cli_spec spec = {cmd,
                   run ? RUN_HELP : PROCESS_HELP,
                   opts,
                   &w.key,
                   run ? 1 : (int)(sizeof b.args / sizeof *b.args),
                   DP_CLI_AMOUNT_HELP};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  if (run)
    app = np ? argv[1] : NULL;
  else {
    for (int i = 0; i < np; i++)
      b.args[b.n_args++] = argv[1 + i];
    data = np ? argv[1] : NULL;
    b.data_max_given = opts[17].seen;
  }
  b.per_task = (uint32_t)per_task;
  o.timeout_s = (unsigned)timeout;
  size_t ni = in_l.n, ns = sf_l.n;
  if (b.n_args > 1 || b.forced || b.file) {
    if (!app)
      return cli_cmd_usage(cmd, "--app is required");
    return process_bulk(&w, &o, &b, app, pool, out, inputs, ni, sfiles, ns);
  }
  if (b.per_task)
    return cli_cmd_usage(cmd, "--per-task applies to bulk processing (several "
                              "PROTECTED_DATA, --bulk or --bulk-file)");
  if (run && !app)
    return cli_cmd_usage(cmd, "APP is required (the app address)");
  if (!run && (!data || !app))
    return cli_cmd_usage(cmd, "PROTECTED_DATA and --app are required");
  if ((!run && dp_cli_address(&o.protected_data, data, "protected data")) ||
      dp_cli_address(&o.app, app, "--app") ||
      (pool && dp_cli_address(&o.workerpool, pool, "--workerpool")))
    return CLI_USAGE;
  o.has_workerpool = pool != NULL;
  /* Without --timeout the CLI waits 5 minutes, not until the task's final
   * deadline (up to 10 × the category time): the result can be fetched
   * later with `decc result get`. */
  if (!o.timeout_s)
    o.timeout_s = 300;
  o.input_files = inputs;
  o.n_input_files = ni;
  char *secrets[DECC_DP_MAX_SECRETS];
  rc = CLI_OK;
  for (size_t i = 0; i < ns; i++) {
    size_t len;
    if (!(secrets[i] = cli_read_file(sfiles[i], 4096, &len, 1))) {
      for (size_t j = 0; j < i; j++)
        decc_secure_free(secrets[j]);
      return CLI_FAIL;
    }
  }
  o.secrets = (const char *const *)secrets;
  o.n_secrets = ns;
  o.progress = dp_cli_process_progress;
  decc_dp *dp = NULL;
  if ((rc = dp_cli_open(&dp, &w, 1)) == CLI_OK) {
    decc_dp_process_result r;
    decc_err err;
    decc_err_clear(&err);
    decc_status st = decc_dp_process(dp, &r, &o, &err);
    dp_cli_resume_hint(NULL);
    char tid[DECC_HEX32_LEN], did[DECC_HEX32_LEN], named[80];
    decc_hex_encode(tid, r.task_id, 32, 1);
    decc_hex_encode(did, r.deal_id, 32, 1);
    snprintf(named, sizeof named, "%s.zip", tid);
    if (st) {
      rc = dp_cli_task_failed(&err, r.stderr_tail);
      if (g_cli.json && r.failure_cause)
        cli_print_json(json_pack("{s:s,s:s,s:s,s:s,s:s?}", "dealId", did,
                                 "taskId", tid, "status", "FAILED", "cause",
                                 r.failure_cause, "stderr", r.stderr_tail));
    } else if (!o.no_wait && r.result) {
      const char *dest = out ? out : (o.path ? NULL : named);
      if (dest)
        rc = cli_write_file_atomic(dest, r.result, r.result_len, 0600);
      else if (!g_cli.json)
        fwrite(r.result, 1, r.result_len, stdout);
      if (rc == CLI_OK && g_cli.json)
        rc = cli_print_json(json_pack("{s:s,s:s,s:s,s:s?}", "dealId", did,
                                      "taskId", tid, "status", "COMPLETED",
                                      "result", dest));
      else if (rc == CLI_OK && dest)
        printf("task %s COMPLETED, result written to %s\n", tid, dest);
    } else if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s,s:s}", "dealId", did, "taskId", tid));
    else
      printf("deal %s\ntask %s\n", did, tid);
    decc_dp_process_result_clear(&r);
  }
  decc_dp_close(dp);
  for (size_t i = 0; i < ns; i++)
    decc_secure_free(secrets[i]);
  return rc;
}

int cli_cmd_process(int argc, char **argv) {
  return cli_process_request(argc, argv, 0);
}
