/*
 * cmd_match.c — `decc match`: submit matchOrders with four signed order
 * files (app, dataset or "-" for none, workerpool, request). Prints the
 * transaction, its events, the deal id and the deal's task ids; a refused
 * match prints PoCo's reason (iExecV5-matchOrders-0xNN).
 */
#include <stdio.h>
#include <string.h>

#include "decc/mem.h"
#include "decc/order.h"
#include "ledger_cli.h"

static const char MATCH_HELP[] =
    "usage: decc match APP.json DATASET.json|- WORKERPOOL.json REQUEST.json "
    "[KEY]\n\n"
    "Matches four signed (or presigned) orders on the chain (matchOrders); "
    "the\n"
    "requester pays. DATASET '-' or 'none': no dataset.\n";

int cli_cmd_match(int argc, char **argv) {
  cli_key_opts key = {0};
  cli_spec spec = {"match", MATCH_HELP, NULL, &key, 4, NULL};
  int nf, prc = cli_parse(&spec, argc, argv, &nf);
  if (prc != CLI_RUN)
    return prc;
  if (nf != 4)
    return cli_cmd_usage(spec.cmd, "match needs four order files: APP "
                                   "DATASET|- WORKERPOOL REQUEST");
  /* cli_parse moved the four files to argv[1..4]. */
  char **files = argv + 1;
  if (cli_key_resolve(&key) != CLI_OK)
    return CLI_USAGE;
  static const char *const TYPES[4] = {"apporder", "datasetorder",
                                       "workerpoolorder", "requestorder"};
  decc_order o[4];
  memset(o, 0, sizeof o);
  int rc = CLI_OK;
  for (int i = 0; i < 4 && rc == CLI_OK; i++) {
    if (i == 1 && (!strcmp(files[i], "-") || !strcmp(files[i], "none"))) {
      if (decc_order_init(&o[1], DECC_ORDER_DATASET) != DECC_OK)
        rc = cli_fail("out of memory");
      continue;
    }
    rc = lc_read_order(&o[i], files[i], TYPES[i]);
  }
  decc_buf cd;
  if (rc == CLI_OK) {
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    decc_status s = DECC_OK;
    for (int i = 0; i < 4 && s == DECC_OK; i++)
      s = lc_push_order(&e, &o[i]);
    if (s != DECC_OK) {
      decc_abi_enc_clear(&e);
      rc = cli_fail("cannot encode the orders: %s", decc_strerror(s));
    } else
      rc = lc_calldata(&cd, &e,
                       "matchOrders(" LC_APPO "," LC_APPO "," LC_WPO "," LC_RQO
                       ")");
  }
  for (int i = 0; i < 4; i++)
    decc_order_clear(&o[i]);
  if (rc != CLI_OK)
    return rc;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK) {
    decc_buf_clear(&cd);
    return CLI_FAIL;
  }
  lc_info info;
  decc_err err;
  decc_err_clear(&err);
  decc_receipt r;
  memset(&r, 0, sizeof r);
  if (lc_get_info(l, &info, &err) != DECC_OK)
    rc = cli_fail_err(&err);
  else {
    /* the deal id is the call's output; in JSON it is added after the
     * receipt is known, so print the receipt ourselves */
    uint8_t *sk;
    decc_address me;
    rc = lc_key_load(&key, &sk, &me);
    if (rc == CLI_OK) {
      decc_status s =
          decc_chain_send(l, sk, &info.addr.hub, cd.data, cd.len, &r, &err);
      decc_secure_free(sk);
      if (s != DECC_OK)
        rc = cli_fail("transaction not submitted: %s",
                      err.msg[0] ? err.msg : decc_strerror(s));
      else {
        json_t *extra = json_object();
        if (r.status && r.output_len == 32)
          json_object_set_new(extra, "dealid", lc_json_hex(r.output, 32));
        rc = lc_print_receipt(&r, extra);
        if (rc == CLI_OK && !g_cli.json && r.output_len == 32) {
          char h[DECC_HEX32_LEN];
          lc_hex(h, r.output, 32);
          printf("deal %s\n", h);
        }
      }
    }
  }
  decc_receipt_clear(&r);
  decc_buf_clear(&cd);
  decc_chain_destroy(l);
  return rc;
}
