/*
 * ledger_extra.c — the ledger subcommands reached through commands other
 * engineers own: `decc dataset deploy|show|transfer` (ledger_assets.c) and
 * `decc order cancel|presign`: manage*Order with operation CLOSE (1) or
 * SIGN (0), sent by the order's owner (so no operation signature is
 * needed, as PoCo accepts msg.sender == owner).
 */
#include <stdio.h>
#include <string.h>

#include "decc/order.h"
#include "ledger_assets.h"
#include "ledger_cli.h"
#include "ledger_extra.h"

int cli_ledger_dataset(int argc, char **argv) {
  if (argc < 1)
    return -1;
  if (strcmp(argv[0], "deploy") && strcmp(argv[0], "show") &&
      strcmp(argv[0], "transfer"))
    return -1;
  if (cli_wants_help(argc, argv)) {
    printf("usage: decc dataset %s [options]\n\n", argv[0]);
    lc_asset_usage(LC_DATASET, stdout);
    return CLI_OK;
  }
  return lc_asset_cmd(LC_DATASET, argc, argv);
}

static int order_usage(const char *sub, FILE *f) {
  fprintf(f,
          "usage: decc order %s ORDER.json [--type TYPE] KEY\n\n"
          "  %s the order on chain (manage*Order, operation %s), as its "
          "owner.\n"
          "  TYPE: apporder, datasetorder, workerpoolorder, requestorder "
          "(default: guessed\n"
          "  from the order's members).\n"
          "KEY: --keystore FILE [--password-file FILE] | --private-key-file "
          "FILE\n",
          sub, !strcmp(sub, "cancel") ? "cancel (close)" : "presign",
          !strcmp(sub, "cancel") ? "CLOSE" : "SIGN");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

int cli_ledger_order(int argc, char **argv) {
  if (argc < 1 || (strcmp(argv[0], "cancel") && strcmp(argv[0], "presign")))
    return -1;
  int cancel = !strcmp(argv[0], "cancel");
  if (cli_wants_help(argc, argv))
    return order_usage(argv[0], stdout);
  cli_key_opts key = {0};
  const char *file = NULL, *type = NULL;
  for (int i = 1; i < argc; i++) {
    int r = cli_key_opt_parse(&key, argc, argv, &i);
    if (r < 0)
      return CLI_USAGE;
    if (r)
      continue;
    if (!strcmp(argv[i], "--type")) {
      if (i + 1 >= argc)
        return cli_usage_error("--type needs a value");
      type = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1])
      return cli_usage_error("unknown option '%s'", argv[i]);
    else if (!file)
      file = argv[i];
    else
      return cli_usage_error("unexpected argument '%s'", argv[i]);
  }
  if (!file)
    return cli_usage_error("an ORDER.json file is required");
  if (cli_key_resolve(&key) != CLI_OK)
    return CLI_USAGE;
  decc_order o;
  memset(&o, 0, sizeof o);
  int rc = lc_read_order(&o, file, type);
  if (rc != CLI_OK)
    return rc;
  static const char *const SIG[4] = {
      "manageAppOrder((" LC_APPO ",uint8,bytes))",
      "manageDatasetOrder((" LC_APPO ",uint8,bytes))",
      "manageWorkerpoolOrder((" LC_WPO ",uint8,bytes))",
      "manageRequestOrder((" LC_RQO ",uint8,bytes))"};
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_status s = decc_abi_enc_begin_tuple(&e);
  s = s ? s : lc_push_order(&e, &o);
  s = s ? s : decc_abi_enc_push_u64(&e, cancel ? 1 : 0);
  s = s ? s : decc_abi_enc_push_bytes(&e, NULL, 0);
  s = s ? s : decc_abi_enc_end_tuple(&e);
  decc_buf cd;
  if (s != DECC_OK) {
    decc_abi_enc_clear(&e);
    decc_order_clear(&o);
    return cli_fail("cannot encode the order: %s", decc_strerror(s));
  }
  if (lc_calldata(&cd, &e, SIG[o.type]) != CLI_OK) {
    decc_order_clear(&o);
    return CLI_FAIL;
  }
  decc_chain *l;
  if (lc_open(&l) != CLI_OK) {
    decc_buf_clear(&cd);
    decc_order_clear(&o);
    return CLI_FAIL;
  }
  lc_info info;
  decc_err err;
  decc_err_clear(&err);
  if (lc_get_info(l, &info, &err) != DECC_OK)
    rc = cli_fail_err(&err);
  else {
    uint8_t ds[32], h[32];
    decc_poco_domain_separator(ds, info.chain_id, &info.addr.hub);
    decc_order_hash(h, &o, ds);
    json_t *extra = json_object();
    json_object_set_new(extra, "orderHash", lc_json_hex(h, 32));
    json_object_set_new(extra, "operation",
                        json_string(cancel ? "CLOSE" : "SIGN"));
    rc = lc_send(l, &key, &info.addr.hub, &cd, extra, NULL);
    if (rc == CLI_OK && !g_cli.json) {
      char hh[67];
      lc_hex(hh, h, 32);
      printf("order %s %s\n", hh, cancel ? "cancelled" : "presigned");
    }
  }
  decc_chain_destroy(l);
  decc_buf_clear(&cd);
  decc_order_clear(&o);
  return rc;
}
