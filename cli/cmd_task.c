/*
 * cmd_task.c — `decc task`: show a task (viewTask, with its status name,
 * deadlines, contributors and results), initialize a task of a deal, and
 * claim a task whose final deadline has passed (refunds the requester,
 * seizes the scheduler's stake into the kitty).
 *
 * `wait` waits for a task and fetches its result (decc_dp_wait_task);
 * `ls` lives with `decc deal ls` (cmd_deal.c). Failure cause: when the scheduler or worker of this data directory
 * recorded why a task failed, `show` prints it (decc_worker_failure_cause).
 *
 * `logs` shows the app's stdout / stderr to the task's requester: from the
 * worker of this data directory when it ran the task (the wallet must be
 * the deal's requester), else from the workerpool API of the node that
 * serves the task's workerpool, found like the iexec SDK does it (compass
 * route GET /{chainId}/workerpools/{address} on the node, then
 * GET /tasks/logs/challenge, EIP-712 signature, GET /tasks/{id}/logs with
 * Authorization: <hash>_<signature>_<address>; docs/api/http.md). The node
 * checks the signer against the requester on chain. `logs --timeline` is
 * the task's on-chain events (task_timeline).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli_time.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/hub.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/worker.h"
#include "dp_cli.h"
#include "ledger_cli.h"

static const char *const STATUS[] = {"UNSET", "ACTIVE", "REVEALING",
                                     "COMPLETED", "FAILED"};

/* The overview of `decc task` (cli_dispatch adds the command list). */
static const char TASK_OVERVIEW[] =
    "Shows, initializes, claims, waits for and replays tasks; their logs.\n";

static int hub_of(decc_chain *l, decc_address *hub) {
  lc_info info;
  decc_err err;
  decc_err_clear(&err);
  if (lc_get_info(l, &info, &err) != DECC_OK)
    return cli_fail_err(&err);
  *hub = info.addr.hub;
  return CLI_OK;
}

static int cmd_show(int argc, char **argv) {
  int np;
  cli_spec spec = {"task show",
                   "usage: decc task show TASKID\n\n"
                   "The task's status, deadlines, contributions and results "
                   "(viewTask),\nand why it failed when a worker of this data "
                   "directory recorded it.\n",
                   NULL,
                   NULL,
                   1,
                   NULL};
  int rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  if (np != 1)
    return cli_cmd_usage("task show", "task show needs a TASKID");
  uint8_t id[32];
  if (lc_parse_h32(id, argv[1], "task id") != CLI_OK)
    return CLI_USAGE;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  decc_poco_task t;
  decc_err err;
  decc_err_clear(&err);
  decc_status s = decc_hub_view_task(l, id, &t, &err);
  decc_chain_destroy(l);
  if (s != DECC_OK)
    return cli_fail_err(&err);
  if (t.status == DECC_TASK_UNSET) {
    decc_poco_task_clear(&t);
    return cli_fail("unknown task %s (not initialized)", argv[1]);
  }
  json_t *o = json_object();
  json_object_set_new(o, "taskid", lc_json_hex(id, 32));
  json_object_set_new(o, "status", json_string(STATUS[t.status]));
  json_object_set_new(o, "dealid", lc_json_hex(t.deal_id, 32));
  json_object_set_new(o, "idx", lc_json_u256(&t.idx));
  json_object_set_new(o, "timeref", lc_json_u256(&t.timeref));
  json_object_set_new(o, "contributionDeadline",
                      lc_json_u256(&t.contribution_deadline));
  json_object_set_new(o, "revealDeadline", lc_json_u256(&t.reveal_deadline));
  json_object_set_new(o, "finalDeadline", lc_json_u256(&t.final_deadline));
  json_object_set_new(o, "consensusValue", lc_json_hex(t.consensus_value, 32));
  json_object_set_new(o, "revealCounter", lc_json_u256(&t.reveal_counter));
  json_object_set_new(o, "winnerCounter", lc_json_u256(&t.winner_counter));
  json_t *cs = json_array();
  for (size_t i = 0; i < t.n_contributions; i++)
    json_array_append_new(cs, lc_json_addr(&t.contributions[i].worker));
  json_object_set_new(o, "contributors", cs);
  json_object_set_new(o, "resultDigest", lc_json_hex(t.result_digest, 32));
  json_t *rj =
      json_stringn((const char *)(t.results ? t.results : (const uint8_t *)""),
                   t.results_len);
  json_object_set_new(o, "results",
                      rj ? rj : lc_json_hex(t.results, t.results_len));
  json_object_set_new(o, "resultsTimestamp",
                      lc_json_u256(&t.results_timestamp));
  json_object_set_new(o, "resultsCallback",
                      lc_json_hex(t.results_callback, t.results_callback_len));
  decc_poco_task_clear(&t);
  /* the local worker's record of why the task failed, when it has one */
  {
    char *cause = NULL;
    if (decc_worker_failure_cause(g_cli.home, id, &cause, NULL) == DECC_OK &&
        cause)
      json_object_set_new(o, "failureCause", json_string(cause));
    decc_free(cause);
  }
  if (g_cli.json)
    return cli_print_json(o);
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    if (json_is_array(v)) {
      printf("%-22s %zu\n", k, json_array_size(v));
      size_t i;
      json_t *x;
      json_array_foreach(v, i, x) printf("  %s\n", json_string_value(x));
    } else if (!strcmp(k, "contributionDeadline") ||
               !strcmp(k, "revealDeadline") || !strcmp(k, "finalDeadline") ||
               !strcmp(k, "resultsTimestamp")) {
      /* Times as dates, and how far they are (JSON keeps the numbers). */
      const char *tv = json_string_value(v);
      char *end = NULL;
      long long n = tv ? strtoll(tv, &end, 10) : 0;
      char when[40], rel[40];
      if (tv && end && !*end && n > 0)
        printf("%-22s %s (%s)\n", k, cli_time_format(when, sizeof when, n),
               cli_time_ago(rel, sizeof rel, n, (int64_t)time(NULL)));
      else
        printf("%-22s %s\n", k, tv && strcmp(tv, "0") ? tv : "-");
    } else
      printf("%-22s %s\n", k, json_string_value(v));
  }
  json_decref(o);
  return CLI_OK;
}

static int cmd_write(int argc, char **argv, int init) {
  cli_key_opts key = {0};
  const char *cmd = init ? "task initialize" : "task claim";
  cli_spec spec = {cmd,
                   init ? "usage: decc task initialize DEALID INDEX KEY\n\n"
                          "Starts task INDEX of a deal (the scheduler's "
                          "initialize).\n"
                        : "usage: decc task claim TASKID KEY\n\n"
                          "Claims a task past its final deadline: refunds "
                          "the requester,\nseizes the scheduler's stake into "
                          "the kitty.\n",
                   NULL,
                   &key,
                   init ? 2 : 1,
                   NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  const char *const *pos = (const char *const *)argv + 1;
  if (np != (init ? 2 : 1))
    return cli_cmd_usage(cmd, init ? "task initialize needs DEALID and INDEX"
                                   : "task claim needs a TASKID");
  uint8_t id[32];
  uint64_t idx = 0;
  if (lc_parse_h32(id, pos[0], init ? "deal id" : "task id") != CLI_OK ||
      (init && lc_parse_u64(&idx, pos[1], "index") != CLI_OK))
    return CLI_USAGE;
  if (cli_key_resolve(&key) != CLI_OK)
    return CLI_USAGE;
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_status s = decc_abi_enc_push_bytes32(&e, id);
  if (init)
    s = s ? s : decc_abi_enc_push_u64(&e, idx);
  decc_buf cd;
  if (s != DECC_OK) {
    decc_abi_enc_clear(&e);
    return cli_fail("out of memory");
  }
  if (lc_calldata(&cd, &e,
                  init ? "initialize(bytes32,uint256)" : "claim(bytes32)") !=
      CLI_OK)
    return CLI_FAIL;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK) {
    decc_buf_clear(&cd);
    return CLI_FAIL;
  }
  decc_address hub;
  rc = hub_of(l, &hub);
  if (rc == CLI_OK) {
    json_t *extra = json_object();
    uint8_t tid[32];
    if (init) {
      decc_u256 i = decc_u256_from_u64(idx);
      decc_task_id(tid, id, &i);
    } else
      memcpy(tid, id, 32);
    json_object_set_new(extra, "taskid", lc_json_hex(tid, 32));
    rc = lc_send(l, &key, &hub, &cd, extra, NULL);
    if (rc == CLI_OK && !g_cli.json) {
      char h[DECC_HEX32_LEN];
      lc_hex(h, tid, 32);
      printf("task %s %s\n", h, init ? "initialized" : "claimed");
    }
  }
  decc_buf_clear(&cd);
  decc_chain_destroy(l);
  return rc;
}

/* ---- logs ------------------------------------------------------------------ */

/* ---- logs --timeline, wait ---- */

/* `decc task logs TASK --timeline`: the task's on-chain events. */
static int task_timeline(const char *task) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  uint8_t t[32];
  if (dp_cli_hash(t, task, "task id"))
    return CLI_USAGE;
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, 0);
  if (rc != CLI_OK)
    return rc;
  char *text = NULL;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_task_logs(dp, &text, t, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (g_cli.json)
    rc = cli_print_json(json_pack("{s:s,s:s}", "taskId", task, "logs", text));
  else
    fputs(text, stdout);
  decc_free(text);
  return rc;
}

static const char WAIT_HELP[] =
    "usage: decc task wait TASK_ID [--timeout SECONDS] [-o FILE] [--key FILE]\n"
    "         [--path ENTRY] [--no-download] [wallet]\n\n"
    "Waits for a task (one started by 'decc process', or any other): ends\n"
    "when it completes, then downloads and decrypts its result like 'decc\n"
    "result get' (-o default TASK_ID.zip); ends at once with the cause and "
    "the\n"
    "app's stderr when a worker of this data directory recorded why it\n"
    "failed (exit 1); gives up after --timeout seconds (default: the task's\n"
    "final deadline).\n";

static int task_wait(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *out = NULL, *key = NULL, *path = NULL;
  int no_download = 0;
  uint64_t timeout = 0;
  decc_dp_wait_opts wo;
  memset(&wo, 0, sizeof wo);
  cli_opt opts[] = {
      {"timeout", 0, CLI_OPT_U64, &timeout, "SECONDS",
       "give up after SECONDS (default: the task's final deadline)", 0,
       30 * 86400, 0},
      {"output", 'o', CLI_OPT_STR, &out, "FILE",
       "where to write the result (default TASK_ID.zip)", 0, 0, 0},
      {"key", 0, CLI_OPT_STR, &key, "FILE",
       "the result key (default <home>/results/<address>_key)", 0, 0, 0},
      {"path", 0, CLI_OPT_STR, &path, "ENTRY",
       "write only this entry of the result zip", 0, 0, 0},
      {"no-download", 0, CLI_OPT_FLAG, &no_download, NULL,
       "only wait, do not fetch the result", 0, 0, 0},
      {0}};
  cli_spec spec = {"task wait", WAIT_HELP, opts, &w.key, 1, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  wo.timeout_s = (unsigned)timeout;
  const char *task = np ? argv[1] : NULL;
  uint8_t t[32];
  if (!task)
    return cli_cmd_usage("task wait", "a task id is required");
  if (dp_cli_hash(t, task, "task id"))
    return CLI_USAGE;
  char tid[DECC_HEX32_LEN];
  decc_hex_encode(tid, t, 32, 1);
  decc_dp *dp;
  rc = dp_cli_open(&dp, &w, !no_download && key == NULL);
  if (rc != CLI_OK)
    return rc;
  wo.progress = dp_cli_progress;
  dp_cli_resume_hint(tid);
  decc_dp_task_end end;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_wait_task(dp, t, &wo, &end, &err);
  dp_cli_resume_hint(NULL);
  if (st) {
    decc_dp_close(dp);
    rc = dp_cli_task_failed(&err, end.stderr_tail);
    if (g_cli.json && end.cause)
      cli_print_json(json_pack("{s:s,s:s,s:s,s:s?}", "taskId", tid, "status",
                               "FAILED", "cause", end.cause, "stderr",
                               end.stderr_tail));
    decc_dp_task_end_clear(&end);
    return rc;
  }
  decc_dp_task_end_clear(&end);
  if (no_download) {
    decc_dp_close(dp);
    if (g_cli.json)
      return cli_print_json(
          json_pack("{s:s,s:s}", "taskId", tid, "status", "COMPLETED"));
    printf("task %s COMPLETED\n", tid);
    return CLI_OK;
  }
  uint8_t *res = NULL;
  size_t len = 0;
  st = decc_dp_fetch_result(dp, &res, &len, t, key, path, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  char named[80];
  snprintf(named, sizeof named, "%s.zip", tid);
  const char *dest = out ? out : (path ? NULL : named);
  if (dest)
    rc = cli_write_file_atomic(dest, res, len, 0600);
  else
    fwrite(res, 1, len, stdout);
  decc_free(res);
  if (rc == CLI_OK && dest) {
    if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s,s:s,s:s,s:I}", "taskId", tid,
                                    "status", "COMPLETED", "result", dest,
                                    "size", (json_int_t)len));
    else
      printf("task %s COMPLETED, result written to %s (%zu bytes)\n", tid, dest,
             len);
  }
  return rc;
}

static const char LOGS_HELP[] =
    "usage: decc task logs TASKID [--node URL] [KEY] [--timeline]\n\n"
    "Prints the app's stdout and stderr as the worker kept them (each stream\n"
    "capped by the worker, 64 KiB by default), for the task's requester only:\n"
    "  - from the worker of this data directory when it ran the task;\n"
    "  - else from the workerpool API of the node serving the task's\n"
    "    workerpool, found through the node's compass route (or the node\n"
    "    itself, e.g. a worker-only node), with a signed challenge (the node\n"
    "    checks the signer is the deal's requester).\n"
    "--json prints {taskId, worker, exitCode, cause, stdout, stderr, "
    "source}.\n"
    "KEY: the requester's wallet (default: config.json \"wallet\").\n";

#define LOGS_REPLY_MAX (8u << 20)

/* The node URL: --node, $DECC_NODE_URL, config.json "market" then "node",
 * else the local default; without a trailing slash. */
static void logs_node(char *out, size_t cap, const char *flag) {
  const char *u = flag;
  dp_cli_config cfg;
  int have_cfg = 0;
  if (!u || !*u)
    u = getenv("DECC_NODE_URL");
  if (!u || !*u) {
    char home[4096];
    if (dp_cli_home(home, sizeof home) == 0 &&
        dp_cli_config_load(&cfg, home) == CLI_OK) {
      have_cfg = 1;
      u = cfg.market ? cfg.market : cfg.node;
    }
  }
  snprintf(out, cap, "%s", u && *u ? u : "http://127.0.0.1:8545");
  if (have_cfg)
    dp_cli_config_clear(&cfg);
  size_t n = strlen(out);
  while (n && out[n - 1] == '/')
    out[--n] = 0;
}

/* GETs url (optional extra header) and parses a JSON answer. A non-200
 * answer becomes a one-line error with the node's message. Returns the
 * JSON (caller decrefs) or NULL after printing the error. */
static json_t *logs_get_ex(const char *url, const char *header, long *status,
                           int quiet_404) {
  const char *h[2] = {header, NULL};
  decc_http_reply r;
  decc_err err;
  decc_err_clear(&err);
  if (decc_http_fetch(&r, "GET", url, header ? h : NULL, NULL, 0,
                      LOGS_REPLY_MAX, 30000, &err) != DECC_OK) {
    decc_buf_clear(&r.body);
    cli_fail("%s: %s", url, err.msg);
    return NULL;
  }
  *status = r.status;
  json_error_t je;
  json_t *j = json_loadb((const char *)r.body.data, r.body.len, 0, &je);
  decc_buf_clear(&r.body);
  if (r.status != 200) {
    const char *m = json_string_value(json_object_get(j, "error"));
    if (!(quiet_404 && r.status == 404))
      cli_fail("%s answered %ld: %s", url, r.status,
               m ? m : "(no error message)");
    json_decref(j);
    return NULL;
  }
  if (!json_is_object(j)) {
    json_decref(j);
    cli_fail("%s: the answer is not a JSON object", url);
    return NULL;
  }
  return j;
}

static json_t *logs_get(const char *url, const char *header, long *status) {
  return logs_get_ex(url, header, status, 0);
}

/* Fetches the logs over HTTP. Out: *out = one entry of computeLogsList
 * plus "source". */
static int logs_remote(const char *node, uint64_t chain_id,
                       const decc_address *pool, const uint8_t tid[32],
                       const uint8_t *sk, json_t **out) {
  char url[2400], ph[DECC_ADDRESS_HEX_LEN], th[DECC_HEX32_LEN], api[1024];
  decc_address_to_checksum(ph, pool);
  decc_hex_encode(th, tid, 32, 1);
  long status = 0;
  snprintf(url, sizeof url, "%s/%llu/workerpools/%s", node,
           (unsigned long long)chain_id, ph);
  json_t *j = logs_get_ex(url, NULL, &status, 1);
  if (!j && status != 404)
    return CLI_FAIL;
  if (j) {
    const char *a = json_string_value(json_object_get(j, "apiUrl"));
    if (!a || strncmp(a, "http", 4) || strlen(a) >= sizeof api) {
      json_decref(j);
      return cli_fail("%s: no apiUrl for workerpool %s", url, ph);
    }
    snprintf(api, sizeof api, "%s", a);
    json_decref(j);
  } else {
    /* The node does not serve the workerpool (or has no compass route: a
     * worker-only node): ask the node itself, whose worker may have run
     * the task. */
    snprintf(api, sizeof api, "%s", node);
  }
  size_t n = strlen(api);
  while (n && api[n - 1] == '/')
    api[--n] = 0;
  decc_address me;
  if (decc_address_from_privkey(&me, sk) != DECC_OK)
    return cli_fail("invalid private key");
  char mh[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(mh, &me);
  snprintf(url, sizeof url, "%s/tasks/logs/challenge?chainId=%llu&address=%s",
           api, (unsigned long long)chain_id, mh);
  if (!(j = logs_get(url, NULL, &status)))
    return CLI_FAIL;
  json_t *typed = json_object_get(j, "data");
  char *text = json_dumps(json_is_object(typed) ? typed : j, JSON_COMPACT);
  json_decref(j);
  if (!text)
    return cli_fail("out of memory");
  uint8_t sig[65], digest[32];
  decc_err err;
  decc_err_clear(&err);
  decc_status st =
      decc_eip712_sign_json(sig, digest, sk, text, strlen(text), &err);
  free(text);
  if (st)
    return cli_fail("%s: cannot sign the challenge: %s", url, err.msg);
  char hh[DECC_HEX32_LEN], sh[DECC_SIG_HEX_LEN], auth[300];
  decc_hex_encode(hh, digest, 32, 1);
  decc_hex_encode(sh, sig, 65, 1);
  snprintf(auth, sizeof auth, "Authorization: %s_%s_%s", hh, sh, mh);
  snprintf(url, sizeof url, "%s/tasks/%s/logs", api, th);
  if (!(j = logs_get(url, auth, &status)))
    return CLI_FAIL;
  json_t *e = json_array_get(json_object_get(j, "computeLogsList"), 0);
  if (!json_is_object(e)) {
    json_decref(j);
    return cli_fail("%s: no logs in the answer", url);
  }
  *out = json_deep_copy(e);
  json_decref(j);
  if (!*out)
    return cli_fail("out of memory");
  json_object_set_new(*out, "source", json_string(api));
  return CLI_OK;
}

/* The record of this data directory's worker, or NULL when it has none. */
static json_t *logs_local(const uint8_t tid[32]) {
  char home[4096], th[DECC_HEX32_LEN], path[4300];
  if (dp_cli_home(home, sizeof home))
    return NULL;
  decc_hex_encode(th, tid, 32, 1);
  snprintf(path, sizeof path, "%s/worker/logs/%s.json", home, th);
  struct stat sb;
  if (stat(path, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > (8 << 20))
    return NULL;
  json_error_t je;
  json_t *j = json_load_file(path, 0, &je);
  if (!json_is_object(j)) {
    json_decref(j);
    return NULL;
  }
  json_t *o = json_pack("{s:O?,s:O?,s:O?,s:O?,s:s}", "stdout",
                        json_object_get(j, "stdout"), "stderr",
                        json_object_get(j, "stderr"), "exitCode",
                        json_object_get(j, "exitCode"), "cause",
                        json_object_get(j, "cause"), "source", path);
  json_decref(j);
  return o;
}

static void print_stream(const char *name, json_t *v) {
  const char *s = json_string_value(v);
  size_t n = s ? json_string_length(v) : 0;
  printf("== %s%s\n", name, n ? "" : " (empty)");
  if (n) {
    fwrite(s, 1, n, stdout);
    if (s[n - 1] != '\n')
      putchar('\n');
  }
}

static int cmd_logs(int argc, char **argv) {
  cli_key_opts key = {0};
  const char *task = NULL, *node_flag = NULL;
  int timeline = 0;
  cli_opt opts[] = {
      {"node", 0, CLI_OPT_STR, &node_flag, "URL",
       "the node to ask (default $DECC_NODE_URL, config.json \"market\" or "
       "\"node\", else http://127.0.0.1:8545)",
       0, 0, 0},
      {"timeline", 0, CLI_OPT_FLAG, &timeline, NULL,
       "instead: the task's on-chain events (initialize, contributions, "
       "consensus, reveal, finalize, claim) with block numbers and times, "
       "then its status",
       0, 0, 0},
      {0}};
  cli_spec spec = {"task logs", LOGS_HELP, opts, &key, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  task = np ? argv[1] : NULL;
  if (!task)
    return cli_cmd_usage("task logs", "task logs needs a TASKID");
  if (timeline) {
    if (key.keystore || key.private_key_file || key.wallet || node_flag)
      return cli_cmd_usage("task logs", "--timeline reads the chain: it takes "
                                        "no key or --node");
    return task_timeline(task);
  }
  uint8_t tid[32];
  if (lc_parse_h32(tid, task, "task id") != CLI_OK)
    return CLI_USAGE;
  /* The task, its deal (requester, workerpool) and the chain id. */
  decc_chain *c;
  if (lc_open(&c) != CLI_OK)
    return CLI_FAIL;
  decc_poco_task t;
  decc_poco_deal d;
  lc_info info;
  decc_err err;
  decc_err_clear(&err);
  decc_poco_task_init(&t);
  decc_status st = decc_poco_deal_init(&d);
  if (!st)
    st = decc_hub_view_task(c, tid, &t, &err);
  if (!st && t.status == DECC_TASK_UNSET) {
    decc_chain_destroy(c);
    decc_poco_task_clear(&t);
    decc_poco_deal_clear(&d);
    return cli_fail("unknown task %s (not initialized yet, or not on this "
                    "chain)",
                    task);
  }
  if (!st) {
    decc_poco_deal_clear(&d);
    st = decc_hub_view_deal(c, t.deal_id, &d, &err);
  }
  if (!st)
    st = lc_get_info(c, &info, &err);
  decc_chain_destroy(c);
  decc_poco_task_clear(&t);
  if (st) {
    decc_poco_deal_clear(&d);
    return cli_fail_err(&err);
  }
  decc_address requester = d.requester, pool = d.workerpool.pointer;
  decc_poco_deal_clear(&d);
  uint8_t *sk = NULL;
  int rc = cli_key_load(&key, &sk);
  if (rc != CLI_OK)
    return rc;
  decc_address me;
  if (decc_address_from_privkey(&me, sk) != DECC_OK) {
    decc_secure_free(sk);
    return cli_fail("invalid private key");
  }
  json_t *o = logs_local(tid);
  if (o) {
    /* This data directory's worker ran it: same rule as the node's. */
    if (!decc_address_eq(&me, &requester)) {
      char rh[DECC_ADDRESS_HEX_LEN], mh[DECC_ADDRESS_HEX_LEN];
      json_decref(o);
      decc_secure_free(sk);
      return cli_fail("the logs of task %s are readable by its requester %s "
                      "only (your wallet is %s)",
                      task, decc_address_to_checksum(rh, &requester),
                      decc_address_to_checksum(mh, &me));
    }
    json_object_set_new(o, "walletAddress",
                        json_string("of this data directory"));
  } else {
    char node[1024];
    logs_node(node, sizeof node, node_flag);
    rc = logs_remote(node, info.chain_id, &pool, tid, sk, &o);
  }
  decc_secure_free(sk);
  if (rc != CLI_OK)
    return rc;
  if (g_cli.json) {
    json_t *w = json_object_get(o, "walletAddress");
    json_t *j = json_pack(
        "{s:s,s:O,s:O?,s:O?,s:O,s:O,s:O}", "taskId", task, "worker", w,
        "exitCode", json_object_get(o, "exitCode"), "cause",
        json_object_get(o, "cause"), "stdout", json_object_get(o, "stdout"),
        "stderr", json_object_get(o, "stderr"), "source",
        json_object_get(o, "source"));
    json_decref(o);
    return j ? cli_print_json(j) : cli_fail("out of memory");
  }
  json_t *code = json_object_get(o, "exitCode");
  const char *cause = json_string_value(json_object_get(o, "cause"));
  printf("task %s, worker %s, exit code %s%lld%s%s (from %s)\n", task,
         json_string_value(json_object_get(o, "walletAddress")),
         json_is_integer(code) ? "" : "?",
         json_is_integer(code) ? (long long)json_integer_value(code) : 0LL,
         cause && strcmp(cause, "NONE") ? ", " : "",
         cause && strcmp(cause, "NONE") ? cause : "",
         json_string_value(json_object_get(o, "source")));
  print_stream("stdout", json_object_get(o, "stdout"));
  print_stream("stderr", json_object_get(o, "stderr"));
  json_decref(o);
  return CLI_OK;
}

static int cmd_initialize(int argc, char **argv) {
  return cmd_write(argc, argv, 1);
}
static int cmd_claim(int argc, char **argv) { return cmd_write(argc, argv, 0); }
static int cmd_ls(int argc, char **argv) { return cli_deal_ls(argc, argv, 1); }

/* The subcommands; each parses its own options and prints its own --help. */
static const cli_sub SUBS[] = {
    {"show", "TASKID: status, deadlines, contributions, results", cmd_show},
    {"initialize", "DEALID INDEX KEY: start task INDEX of a deal (scheduler)",
     cmd_initialize},
    {"claim", "TASKID KEY: refund a task past its final deadline", cmd_claim},
    {"logs",
     "TASKID [--timeline]: the app's stdout/stderr (requester only), or the "
     "task's on-chain events",
     cmd_logs},
    {"wait", "TASKID: wait for it, fetch its result, or say why it failed",
     task_wait},
    {"ls", "the tasks you requested", cmd_ls},
    {"replay",
     "TASKID --key-file F: re-run it with your dataset key, check "
     "its digest",
     cli_task_replay}, /* cmd_task_replay.c */
    {NULL, NULL, NULL}};

int cli_cmd_task(int argc, char **argv) {
  return cli_dispatch("task", TASK_OVERVIEW, SUBS, argc, argv);
}
