/*
 * cmd_task.c — `decc task`: show a task (viewTask, with its status name,
 * deadlines, contributors and results), initialize a task of a deal, and
 * claim a task whose final deadline has passed (refunds the requester,
 * seizes the scheduler's stake into the kitty).
 *
 * Failure cause: when the scheduler or worker of this data directory
 * recorded why a task failed, `show` prints it (decc_worker_failure_cause).
 */
#include <stdio.h>
#include <string.h>

#include "decc/mem.h"
#include "decc/order.h"
#include "decc/worker.h"
#include "dp_cli.h"
#include "ledger_cli.h"


#define VIEWTASK_T                                                             \
  "(uint8,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32,uint256,"    \
  "uint256,address[],bytes32,bytes,uint256,bytes)"

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
          "KEY: --keystore FILE [--password-file FILE] | --private-key-file "
          "FILE\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

static int hub_of(decc_ledger *l, decc_address *hub) {
  decc_ledger_info info;
  decc_err err;
  decc_err_clear(&err);
  if (decc_ledger_get_info(l, &info, &err) != DECC_OK)
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
  decc_ledger *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  decc_address hub;
  if (hub_of(l, &hub) != CLI_OK) {
    decc_ledger_close(l);
    return CLI_FAIL;
  }
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf cd, ret;
  if (decc_abi_enc_push_bytes32(&e, id) != DECC_OK) {
    decc_abi_enc_clear(&e);
    decc_ledger_close(l);
    return cli_fail("out of memory");
  }
  if (lc_calldata(&cd, &e, "viewTask(bytes32)") != CLI_OK) {
    decc_ledger_close(l);
    return CLI_FAIL;
  }
  decc_abi_value *root;
  int rc = lc_view(l, &hub, &cd, VIEWTASK_T, &root, &ret);
  decc_buf_clear(&cd);
  decc_ledger_close(l);
  if (rc != CLI_OK)
    return rc;
  const decc_abi_value *t = decc_abi_item(root, 0);
  uint64_t st = 0;
  if (decc_abi_get_u64(decc_abi_item(t, 0), &st) != DECC_OK || st > 4) {
    decc_abi_value_free(root);
    decc_buf_clear(&ret);
    return cli_fail("viewTask: unexpected status");
  }
  if (st == 0) {
    decc_abi_value_free(root);
    decc_buf_clear(&ret);
    return cli_fail("unknown task %s (not initialized)", argv[1]);
  }
  json_t *o = json_object();
  json_object_set_new(o, "taskid", lc_json_hex(id, 32));
  json_object_set_new(o, "status", json_string(STATUS[st]));
  json_object_set_new(o, "dealid", lc_json_hex(decc_abi_item(t, 1)->word, 32));
  static const char *const U[] = {"idx", "timeref", "contributionDeadline",
                                  "revealDeadline", "finalDeadline"};
  for (size_t i = 0; i < 5; i++) {
    decc_u256 u;
    if (decc_abi_get_u256(decc_abi_item(t, 2 + i), &u) == DECC_OK)
      json_object_set_new(o, U[i], lc_json_u256(&u));
  }
  json_object_set_new(o, "consensusValue",
                      lc_json_hex(decc_abi_item(t, 7)->word, 32));
  decc_u256 u;
  if (decc_abi_get_u256(decc_abi_item(t, 8), &u) == DECC_OK)
    json_object_set_new(o, "revealCounter", lc_json_u256(&u));
  if (decc_abi_get_u256(decc_abi_item(t, 9), &u) == DECC_OK)
    json_object_set_new(o, "winnerCounter", lc_json_u256(&u));
  json_t *cs = json_array();
  const decc_abi_value *ca = decc_abi_item(t, 10);
  for (size_t i = 0; ca && i < ca->count; i++) {
    decc_address a;
    if (decc_abi_get_address(decc_abi_item(ca, i), &a) == DECC_OK)
      json_array_append_new(cs, lc_json_addr(&a));
  }
  json_object_set_new(o, "contributors", cs);
  json_object_set_new(o, "resultDigest",
                      lc_json_hex(decc_abi_item(t, 11)->word, 32));
  const decc_abi_value *res = decc_abi_item(t, 12);
  json_t *rj = json_stringn((const char *)res->data, res->len);
  json_object_set_new(o, "results", rj ? rj : lc_json_hex(res->data, res->len));
  if (decc_abi_get_u256(decc_abi_item(t, 13), &u) == DECC_OK)
    json_object_set_new(o, "resultsTimestamp", lc_json_u256(&u));
  const decc_abi_value *cb = decc_abi_item(t, 14);
  json_object_set_new(o, "resultsCallback", lc_json_hex(cb->data, cb->len));
  decc_abi_value_free(root);
  decc_buf_clear(&ret);
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
  if (!key.keystore && !key.private_key_file)
    return cli_usage_error("a signing key is required: --keystore FILE "
                           "[--password-file FILE] or --private-key-file "
                           "FILE");
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
  decc_ledger *l;
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
  decc_ledger_close(l);
  return rc;
}

int cli_cmd_task(int argc, char **argv) {
  if (argc < 2)
    return task_usage(stderr);
  const char *sub = argv[1];
  if (!strcmp(sub, "logs")) /* has its own --help */
    return cli_dp_task_logs(argc - 1, argv + 1);
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
