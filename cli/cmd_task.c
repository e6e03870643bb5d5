/*
 * cmd_task.c — `decc task`: show a task (viewTask, with its status name,
 * deadlines, contributors and results), initialize a task of a deal, and
 * claim a task whose final deadline has passed (refunds the requester,
 * seizes the scheduler's stake into the kitty).
 *
 * `wait` and `ls` live with the DataProtector commands (dp_cmds.c,
 * cmd_deal.c). Failure cause: when the scheduler or worker of this data directory
 * recorded why a task failed, `show` prints it (decc_worker_failure_cause).
 */
#include <stdio.h>
#include <string.h>

#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/worker.h"
#include "dp_cli.h"
#include "ledger_cli.h"


static const char *const STATUS[] = {"UNSET", "ACTIVE", "REVEALING",
                                     "COMPLETED", "FAILED"};

static int task_usage(FILE *f) {
  fprintf(f,
          "usage: decc task <command> [options]\n\n"
          "  show TASKID                  status, deadlines, contributions, "
          "results\n"
          "  initialize DEALID INDEX KEY  start task INDEX of a deal "
          "(scheduler)\n"
          "  claim TASKID KEY             refund a task past its final "
          "deadline\n"
          "  logs TASKID                  the task's timeline (requester view)\n"
          "  wait TASKID                  wait for it, fetch its result, or say "
          "why it failed\n"
          "  ls                           the tasks you requested\n"
          "KEY: --keystore FILE [--password-file FILE] | --private-key-file "
          "FILE\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

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
  if (argc != 2)
    return cli_usage_error("task show needs a TASKID");
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
  json_t *rj = json_stringn((const char *)(t.results ? t.results
                                                     : (const uint8_t *)""),
                            t.results_len);
  json_object_set_new(o, "results",
                      rj ? rj : lc_json_hex(t.results, t.results_len));
  json_object_set_new(o, "resultsTimestamp", lc_json_u256(&t.results_timestamp));
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
    } else
      printf("%-22s %s\n", k, json_string_value(v));
  }
  json_decref(o);
  return CLI_OK;
}

static int cmd_write(int argc, char **argv, int init) {
  cli_key_opts key = {0};
  const char *pos[2];
  int np = 0;
  for (int i = 1; i < argc; i++) {
    int r = cli_key_opt_parse(&key, argc, argv, &i);
    if (r < 0)
      return CLI_USAGE;
    if (r)
      continue;
    if (argv[i][0] == '-' && argv[i][1])
      return cli_usage_error("unknown option '%s'", argv[i]);
    if (np >= (init ? 2 : 1))
      return cli_usage_error("unexpected argument '%s'", argv[i]);
    pos[np++] = argv[i];
  }
  if (np != (init ? 2 : 1))
    return cli_usage_error(init ? "task initialize needs DEALID and INDEX"
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
  int rc = hub_of(l, &hub);
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
      char h[67];
      lc_hex(h, tid, 32);
      printf("task %s %s\n", h, init ? "initialized" : "claimed");
    }
  }
  decc_buf_clear(&cd);
  decc_chain_destroy(l);
  return rc;
}

int cli_cmd_task(int argc, char **argv) {
  if (argc < 2)
    return task_usage(stderr);
  const char *sub = argv[1];
  if (!strcmp(sub, "logs")) /* these have their own --help */
    return cli_dp_task_logs(argc - 1, argv + 1);
  if (!strcmp(sub, "wait"))
    return cli_dp_task_wait(argc - 1, argv + 1);
  if (!strcmp(sub, "ls"))
    return cli_deal_ls(argc - 1, argv + 1, 1);
  if (!strcmp(sub, "-h") || !strcmp(sub, "--help") ||
      cli_wants_help(argc - 1, argv + 1))
    return task_usage(stdout);
  if (!strcmp(sub, "show"))
    return cmd_show(argc - 1, argv + 1);
  if (!strcmp(sub, "initialize"))
    return cmd_write(argc - 1, argv + 1, 1);
  if (!strcmp(sub, "claim"))
    return cmd_write(argc - 1, argv + 1, 0);
  if (!strcmp(sub, "logs"))
    return cli_dp_task_logs(argc - 1, argv + 1);
  return cli_usage_error("unknown task command '%s'", sub);
}
