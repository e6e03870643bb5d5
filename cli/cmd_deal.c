/*
 * cmd_deal.c — `decc deal show DEALID`: the deal record (viewDeal) with
 * its task ids (keccak256(dealid ‖ index) for each index of the deal's
 * bag of tasks); `decc deal ls` / `decc task ls`: the deals and tasks a
 * requester made, found from the hub's OrdersMatched events (the event
 * does not name the requester: each deal is read with viewDeal and kept
 * when its requester is the one asked for).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli_time.h"
#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/worker.h"
#include "dp_cli.h"
#include "ledger_cli.h"

static const char SHOW_HELP[] = "usage: decc deal show DEALID\n\n"
                                "A deal (viewDeal) and the ids of its tasks.\n";

static const char LS_HELP_DEAL[] =
    "usage: decc deal ls [--user ADDRESS|WALLET] [--since WHEN] [--from-block "
    "N]\n"
    "                    [wallet]\n\n"
    "The deals requested by --user (default: your wallet), oldest first.\n"
    "--since: started at or after a date (2026-12-01, 2026-12-01T10:30Z) or "
    "a\n"
    "duration back from now (7d, 12h).\n";

/* The overview of `decc deal` (cli_dispatch adds the command list). */
static const char DEAL_OVERVIEW[] =
    "Deals on the hub. ls --since: started at or after a date (2026-12-01,\n"
    "2026-12-01T10:30Z) or a duration back from now (7d, 12h).\n";

#define EV_ORDERS_MATCHED                                                      \
  "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)"
/* Most deals read by one ls (each is one viewDeal). */
#define LS_MAX_DEALS 10000

static const char *const TASK_STATUS[] = {"UNSET", "ACTIVE", "REVEALING",
                                          "COMPLETED", "FAILED"};

static const char LS_HELP_TASK[] =
    "usage: decc task ls [--user ADDRESS|WALLET] [--since WHEN] [--from-block "
    "N]\n"
    "                    [wallet]\n\n"
    "The tasks of the deals requested by --user (default: your wallet),\n"
    "oldest first: task id, status, deal, app, dataset and, when a worker of\n"
    "this data directory recorded it, why the task failed. --since: deals\n"
    "started at or after a date (2026-12-01, 2026-12-01T10:30Z) or a duration\n"
    "back from now (7d, 12h).\n";

int cli_deal_ls(int argc, char **argv, int tasks) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *user = NULL;
  uint64_t from = 0;
  int64_t since = 0; /* --since: deals started at or after */
  cli_opt opts[] = {
      {"user", 0, CLI_OPT_STR, &user, "ADDRESS|WALLET",
       "the requester (default: your wallet)", 0, 0, 0},
      {"since", 0, CLI_OPT_PAST, &since, "WHEN",
       "deals started at or after a date or a duration back from now", 0, 0, 0},
      {"from-block", 0, CLI_OPT_U64, &from, "N",
       "search the hub's events from block N", 0, 0, 0},
      {0}};
  cli_spec spec = {tasks ? "task ls" : "deal ls",
                   tasks ? LS_HELP_TASK : LS_HELP_DEAL,
                   opts,
                   &w.key,
                   0,
                   NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  w.wallet = w.key.wallet;
  decc_address me;
  if (user ? dp_cli_ref_address(&me, user, "--user") : dp_cli_me(&me, &w))
    return CLI_FAIL;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  lc_info info;
  decc_err err;
  decc_err_clear(&err);
  if (lc_get_info(l, &info, &err) != DECC_OK) {
    decc_chain_destroy(l);
    return cli_fail_err(&err);
  }
  uint8_t t0[32];
  decc_abi_event_topic(t0, EV_ORDERS_MATCHED);
  const uint8_t(*tp)[32] = (const uint8_t(*)[32])t0;
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.from_block = from;
  f.addresses = &info.addr.hub;
  f.n_addresses = 1;
  f.topic_alts[0] = tp;
  f.n_topic_alts[0] = 1;
  f.limit = LS_MAX_DEALS;
  decc_log *logs = NULL;
  size_t n = 0;
  if (decc_chain_get_logs(l, &f, &logs, &n, &err) != DECC_OK) {
    decc_chain_destroy(l);
    return cli_fail_err(&err);
  }
  char home[4096];
  if (dp_cli_home(home, sizeof home) != 0)
    home[0] = 0;
  json_t *arr = json_array();
  int rc = CLI_OK;
  for (size_t i = 0; i < n && rc == CLI_OK; i++) {
    if (logs[i].data_len < 32)
      continue;
    const uint8_t *id = logs[i].data; /* dealid: first word of the data */
    decc_poco_deal d;
    if (decc_hub_view_deal(l, id, &d, &err) != DECC_OK) {
      rc = cli_fail_err(&err);
      break;
    }
    if (!decc_address_eq(&d.requester, &me)) {
      decc_poco_deal_clear(&d);
      continue;
    }
    uint64_t first = 0, size = 0, start = 0;
    (void)decc_u256_to_u64(&start, &d.start_time);
    int ok = decc_u256_to_u64(&first, &d.bot_first) &&
             decc_u256_to_u64(&size, &d.bot_size) && size <= LS_MAX_DEALS;
    char when[40];
    if (since && start < (uint64_t)since) {
      decc_poco_deal_clear(&d);
      continue;
    }
    cli_time_format(when, sizeof when, (int64_t)start);
    decc_u256 price = d.app.price, t;
    char rlc[96];
    if (decc_u256_add(&t, &price, &d.dataset.price) ||
        decc_u256_add(&price, &t, &d.workerpool.price))
      snprintf(rlc, sizeof rlc, "(overflow)");
    else
      lc_fmt_rlc(rlc, sizeof rlc, &price);
    if (!tasks) {
      json_t *o = json_object();
      json_object_set_new(o, "dealid", lc_json_hex(id, 32));
      json_object_set_new(o, "app", lc_json_addr(&d.app.pointer));
      json_object_set_new(o, "dataset", lc_json_addr(&d.dataset.pointer));
      json_object_set_new(o, "workerpool", lc_json_addr(&d.workerpool.pointer));
      json_object_set_new(o, "price", json_string(rlc));
      json_object_set_new(o, "startTime", json_string(when));
      json_object_set_new(o, "tasks", json_integer((json_int_t)size));
      json_object_set_new(o, "block",
                          json_integer((json_int_t)logs[i].block_number));
      json_array_append_new(arr, o);
    }
    for (uint64_t k = first; tasks && ok && k < first + size; k++) {
      uint8_t tid[32];
      decc_u256 idx = decc_u256_from_u64(k);
      decc_task_id(tid, id, &idx);
      decc_poco_task tk;
      if (decc_hub_view_task(l, tid, &tk, &err) != DECC_OK) {
        rc = cli_fail_err(&err);
        break;
      }
      unsigned st = tk.status < 5 ? tk.status : 0;
      decc_poco_task_clear(&tk);
      json_t *o = json_object();
      json_object_set_new(o, "taskid", lc_json_hex(tid, 32));
      json_object_set_new(o, "status", json_string(TASK_STATUS[st]));
      json_object_set_new(o, "dealid", lc_json_hex(id, 32));
      json_object_set_new(o, "app", lc_json_addr(&d.app.pointer));
      json_object_set_new(o, "dataset", lc_json_addr(&d.dataset.pointer));
      json_object_set_new(o, "startTime", json_string(when));
      char *cause = NULL;
      if (st != DECC_TASK_COMPLETED && home[0] &&
          decc_worker_failure_cause(home, tid, &cause, NULL) == DECC_OK &&
          cause)
        json_object_set_new(o, "failureCause", json_string(cause));
      decc_free(cause);
      json_array_append_new(arr, o);
    }
    decc_poco_deal_clear(&d);
  }
  decc_logs_free(logs, n);
  decc_chain_destroy(l);
  if (rc != CLI_OK) {
    json_decref(arr);
    return rc;
  }
  if (g_cli.json)
    return cli_print_json(arr);
  size_t i;
  json_t *o;
  if (!json_array_size(arr)) {
    char a[DECC_ADDRESS_HEX_LEN];
    lc_hex(a, me.b, 20);
    printf("no %s requested by %s\n", tasks ? "task" : "deal", a);
  }
  json_array_foreach(arr, i, o) {
    if (tasks) {
      const char *c = json_string_value(json_object_get(o, "failureCause"));
      printf("%s  %-9s  %s  app %s%s%s\n",
             json_string_value(json_object_get(o, "taskid")),
             json_string_value(json_object_get(o, "status")),
             json_string_value(json_object_get(o, "startTime")),
             json_string_value(json_object_get(o, "app")), c ? "  " : "",
             c ? c : "");
    } else
      printf("%s  %s  app %s  dataset %s  %s  %lld task(s)\n",
             json_string_value(json_object_get(o, "dealid")),
             json_string_value(json_object_get(o, "startTime")),
             json_string_value(json_object_get(o, "app")),
             json_string_value(json_object_get(o, "dataset")),
             json_string_value(json_object_get(o, "price")),
             (long long)json_integer_value(json_object_get(o, "tasks")));
  }
  json_decref(arr);
  return CLI_OK;
}

static json_t *resource(const decc_poco_resource *r) {
  json_t *o = json_object();
  json_object_set_new(o, "pointer", lc_json_addr(&r->pointer));
  json_object_set_new(o, "owner", lc_json_addr(&r->owner));
  json_object_set_new(o, "price", lc_json_u256(&r->price));
  return o;
}

static void print_json_text(json_t *j, int indent) {
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) {
    if (json_is_object(v)) {
      printf("%*s%s:\n", indent, "", k);
      print_json_text(v, indent + 2);
    } else if (json_is_array(v)) {
      printf("%*s%s: %zu\n", indent, "", k, json_array_size(v));
      size_t i;
      json_t *x;
      json_array_foreach(v, i, x)
          printf("%*s  %s\n", indent, "", json_string_value(x));
    } else if (json_is_string(v))
      printf("%*s%-22s %s\n", indent, "", k, json_string_value(v));
    else if (json_is_integer(v))
      printf("%*s%-22s %lld\n", indent, "", k,
             (long long)json_integer_value(v));
  }
}

static int deal_show(int argc, char **argv) {
  cli_spec spec = {"deal show", SHOW_HELP, NULL, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (np != 1)
    return cli_cmd_usage(spec.cmd, "deal show needs a DEALID");
  uint8_t id[32];
  if (lc_parse_h32(id, argv[1], "deal id") != CLI_OK)
    return CLI_USAGE;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  decc_poco_deal d;
  decc_err err;
  decc_err_clear(&err);
  decc_status s = decc_hub_view_deal(l, id, &d, &err);
  decc_chain_destroy(l);
  if (s == DECC_E_NOT_FOUND)
    return cli_fail("unknown deal %s", argv[1]);
  if (s != DECC_OK)
    return cli_fail_err(&err);
  json_t *o = json_object();
  json_object_set_new(o, "dealid", lc_json_hex(id, 32));
  json_object_set_new(o, "app", resource(&d.app));
  json_object_set_new(o, "dataset", resource(&d.dataset));
  json_object_set_new(o, "workerpool", resource(&d.workerpool));
  json_object_set_new(o, "trust", lc_json_u256(&d.trust));
  json_object_set_new(o, "category", lc_json_u256(&d.category));
  json_object_set_new(o, "tag", lc_json_hex(d.tag, 32));
  json_object_set_new(o, "requester", lc_json_addr(&d.requester));
  json_object_set_new(o, "beneficiary", lc_json_addr(&d.beneficiary));
  json_object_set_new(o, "callback", lc_json_addr(&d.callback));
  json_object_set_new(o, "params", json_string(d.params ? d.params : ""));
  json_object_set_new(o, "startTime", lc_json_u256(&d.start_time));
  json_object_set_new(o, "botFirst", lc_json_u256(&d.bot_first));
  json_object_set_new(o, "botSize", lc_json_u256(&d.bot_size));
  json_object_set_new(o, "workerStake", lc_json_u256(&d.worker_stake));
  json_object_set_new(o, "schedulerRewardRatio",
                      lc_json_u256(&d.scheduler_reward_ratio));
  json_object_set_new(o, "sponsor", lc_json_addr(&d.sponsor));
  uint64_t first = 0, size = 0;
  int ok = decc_u256_to_u64(&first, &d.bot_first) &&
           decc_u256_to_u64(&size, &d.bot_size);
  decc_poco_deal_clear(&d);
  if (ok && size <= 10000) { /* list the task ids of reasonable bags */
    json_t *t = json_array();
    for (uint64_t i = first; i < first + size; i++) {
      uint8_t tid[32];
      decc_u256 idx = decc_u256_from_u64(i);
      decc_task_id(tid, id, &idx);
      json_array_append_new(t, lc_json_hex(tid, 32));
    }
    json_object_set_new(o, "tasks", t);
  }
  if (g_cli.json)
    return cli_print_json(o);
  print_json_text(o, 0);
  json_decref(o);
  return CLI_OK;
}

static int deal_ls(int argc, char **argv) { return cli_deal_ls(argc, argv, 0); }

static const cli_sub SUBS[] = {
    {"show", "DEALID: a deal (viewDeal) and the ids of its tasks", deal_show},
    {"ls", "the deals requested by --user (default: your wallet)", deal_ls},
    {NULL, NULL, NULL}};

int cli_cmd_deal(int argc, char **argv) {
  return cli_dispatch("deal", DEAL_OVERVIEW, SUBS, argc, argv);
}
