/*
 * cmd_deal.c — `decc deal show DEALID`: the deal record (viewDeal) with
 * its task ids (keccak256(dealid ‖ index) for each index of the deal's
 * bag of tasks).
 */
#include <stdio.h>
#include <string.h>

#include "decc/mem.h"
#include "decc/order.h"
#include "ledger_cli.h"

#define DEAL_T                                                                 \
  "((address,address,uint256),(address,address,uint256),(address,address,"    \
  "uint256),uint256,uint256,bytes32,address,address,address,string,uint256,"   \
  "uint256,uint256,uint256,uint256,address)"

static int deal_usage(FILE *f) {
  fprintf(f, "usage: decc deal show DEALID\n\n"
             "Shows a deal (viewDeal) and the ids of its tasks.\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

static json_t *resource(const decc_abi_value *v) {
  json_t *o = json_object();
  decc_address a;
  decc_u256 p;
  if (decc_abi_get_address(decc_abi_item(v, 0), &a) == DECC_OK)
    json_object_set_new(o, "pointer", lc_json_addr(&a));
  if (decc_abi_get_address(decc_abi_item(v, 1), &a) == DECC_OK)
    json_object_set_new(o, "owner", lc_json_addr(&a));
  if (decc_abi_get_u256(decc_abi_item(v, 2), &p) == DECC_OK)
    json_object_set_new(o, "price", lc_json_u256(&p));
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
  decc_ledger *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  decc_ledger_info info;
  decc_err err;
  decc_err_clear(&err);
  if (decc_ledger_get_info(l, &info, &err) != DECC_OK) {
    decc_ledger_close(l);
    return cli_fail_err(&err);
  }
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf cd, ret;
  if (decc_abi_enc_push_bytes32(&e, id) != DECC_OK) {
    decc_abi_enc_clear(&e);
    decc_ledger_close(l);
    return cli_fail("out of memory");
  }
  if (lc_calldata(&cd, &e, "viewDeal(bytes32)") != CLI_OK) {
    decc_ledger_close(l);
    return CLI_FAIL;
  }
  decc_abi_value *root;
  int rc = lc_view(l, &info.addr.hub, &cd, DEAL_T, &root, &ret);
  decc_buf_clear(&cd);
  decc_ledger_close(l);
  if (rc != CLI_OK)
    return rc;
  const decc_abi_value *d = decc_abi_item(root, 0);
  decc_address app;
  if (decc_abi_get_address(decc_abi_item(decc_abi_item(d, 0), 0), &app) !=
          DECC_OK ||
      decc_address_is_zero(&app)) {
    decc_abi_value_free(root);
    decc_buf_clear(&ret);
    return cli_fail("unknown deal %s", argv[2]);
  }
  json_t *o = json_object();
  json_object_set_new(o, "dealid", lc_json_hex(id, 32));
  json_object_set_new(o, "app", resource(decc_abi_item(d, 0)));
  json_object_set_new(o, "dataset", resource(decc_abi_item(d, 1)));
  json_object_set_new(o, "workerpool", resource(decc_abi_item(d, 2)));
  static const char *const U[] = {"trust", "category"};
  for (int i = 0; i < 2; i++) {
    decc_u256 u;
    if (decc_abi_get_u256(decc_abi_item(d, 3 + (size_t)i), &u) == DECC_OK)
      json_object_set_new(o, U[i], lc_json_u256(&u));
  }
  json_object_set_new(o, "tag", lc_json_hex(decc_abi_item(d, 5)->word, 32));
  static const char *const A[] = {"requester", "beneficiary", "callback"};
  for (int i = 0; i < 3; i++) {
    decc_address a;
    if (decc_abi_get_address(decc_abi_item(d, 6 + (size_t)i), &a) == DECC_OK)
      json_object_set_new(o, A[i], lc_json_addr(&a));
  }
  const decc_abi_value *pv = decc_abi_item(d, 9);
  json_object_set_new(o, "params", json_stringn((const char *)pv->data,
                                                pv->len));
  static const char *const U2[] = {"startTime", "botFirst", "botSize",
                                   "workerStake", "schedulerRewardRatio"};
  uint64_t first = 0, size = 0;
  for (int i = 0; i < 5; i++) {
    decc_u256 u;
    if (decc_abi_get_u256(decc_abi_item(d, 10 + (size_t)i), &u) == DECC_OK)
      json_object_set_new(o, U2[i], lc_json_u256(&u));
  }
  int ok = decc_abi_get_u64(decc_abi_item(d, 11), &first) == DECC_OK &&
           decc_abi_get_u64(decc_abi_item(d, 12), &size) == DECC_OK;
  decc_address sp;
  if (decc_abi_get_address(decc_abi_item(d, 15), &sp) == DECC_OK)
    json_object_set_new(o, "sponsor", lc_json_addr(&sp));
  decc_abi_value_free(root);
  decc_buf_clear(&ret);
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
