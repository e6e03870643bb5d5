/*
 * cmd_deal.c — `decc deal show DEALID`: the deal record (viewDeal) with
 * its task ids (keccak256(dealid ‖ index) for each index of the deal's
 * bag of tasks).
 */
#include <stdio.h>
#include <string.h>

#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "ledger_cli.h"

static int deal_usage(FILE *f) {
  fprintf(f, "usage: decc deal show DEALID\n\n"
             "Shows a deal (viewDeal) and the ids of its tasks.\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
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
      json_array_foreach(v, i, x) printf("%*s  %s\n", indent, "",
                                         json_string_value(x));
    } else if (json_is_string(v))
      printf("%*s%-22s %s\n", indent, "", k, json_string_value(v));
    else if (json_is_integer(v))
      printf("%*s%-22s %lld\n", indent, "", k,
             (long long)json_integer_value(v));
  }
}

int cli_cmd_deal(int argc, char **argv) {
  if (argc < 2)
    return deal_usage(stderr);
  if (cli_wants_help(argc, argv))
    return deal_usage(stdout);
  if (strcmp(argv[1], "show"))
    return cli_usage_error("unknown deal command '%s'", argv[1]);
  if (argc != 3)
    return cli_usage_error("deal show needs a DEALID");
  uint8_t id[32];
  if (lc_parse_h32(id, argv[2], "deal id") != CLI_OK)
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
    return cli_fail("unknown deal %s", argv[2]);
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
