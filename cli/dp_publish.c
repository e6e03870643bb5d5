/*
 * dp_publish.c — `decc app publish`, `decc workerpool publish` and `decc
 * dataset publish`: sign an order for a resource you own and publish it on
 * the configured market (cmd_app.c, cmd_workerpool.c and cmd_dataset.c
 * dispatch here: the three differ only in their restrictions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "dp_cli.h"

static const char APP_PUBLISH_HELP[] =
    "usage: decc app publish APP [--price AMOUNT] [--volume N]\n"
    "         [--dataset-restrict ADDRESS] [--workerpool-restrict ADDRESS]\n"
    "         [--requester-restrict ADDRESS|WALLET] [wallet]\n\n"
    "Signs an app order for APP (you must own it) and publishes it on the\n"
    "configured market (config.json \"market\" or \"node\", else the data\n"
    "directory's): tag TEE (0x…09), price default 0 RLC, volume default\n"
    "1000000, no restriction by default. The order is signed for the chain\n"
    "id and hub of the chain in use (read from it).\n";

static const char WP_PUBLISH_HELP[] =
    "usage: decc workerpool publish WORKERPOOL [--price AMOUNT] [--volume N]\n"
    "         [--category N] [--trust N] [--app-restrict ADDRESS]\n"
    "         [--dataset-restrict ADDRESS] [--requester-restrict "
    "ADDRESS|WALLET]\n"
    "         [wallet]\n\n"
    "Signs a workerpool order for WORKERPOOL (you must own it) and publishes\n"
    "it on the configured market: tag TEE (0x…09), price default 0 RLC,\n"
    "volume default 1, category 0, trust 0, no restriction by default.\n"
    "Signed for the chain id and hub of the chain in use.\n";

static const char DS_PUBLISH_HELP[] =
    "usage: decc dataset publish DATASET [--price AMOUNT] [--volume N]\n"
    "         [--app-restrict ADDRESS] [--workerpool-restrict ADDRESS]\n"
    "         [--requester-restrict ADDRESS|WALLET] [wallet]\n\n"
    "Signs a dataset order for DATASET (a protected data you own) and\n"
    "publishes it on the configured market, as 'iexec dataset publish': tag\n"
    "TEE (0x…09), price default 0 RLC, volume default 1000000, no\n"
    "restriction by default — then ANY TEE app may process the data for\n"
    "anyone: restrict it, or use 'decc grant' (one app, one user, N uses).\n"
    "Signed for the chain id and hub of the chain in use.\n";

int cli_dp_publish(int argc, char **argv, int kind) {
  /* kind: 0 app, 1 workerpool, 2 dataset. */
  const int workerpool = kind == 1, dataset = kind == 2;
  static const char *const NAMES[] = {"app", "workerpool", "dataset"};
  static const char *const CMDS[] = {"app publish", "workerpool publish",
                                     "dataset publish"};
  const char *what = NAMES[kind < 0 || kind > 2 ? 0 : kind];
  const char *cmd = CMDS[kind < 0 || kind > 2 ? 0 : kind];
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_publish_opts po;
  memset(&po, 0, sizeof po);
  po.volume = workerpool ? 1 : 1000000;
  const char *r_app = NULL, *r_ds = NULL, *r_wp = NULL, *r_req = NULL;
  /* Every kind's table, then the entries a kind does not take are cut out
   * (an order never restricts its own resource kind). */
  cli_opt all[] = {
      {"price", 0, CLI_OPT_AMOUNT, &po.price, "AMOUNT",
       "price per use (default 0)", 0, 0, 0},
      {"volume", 0, CLI_OPT_U64, &po.volume, "N", "number of uses", 1, 0, 0},
      {"category", 0, CLI_OPT_U64, &po.category, "N",
       "the category (default 0)", 0, 0, 0},
      {"trust", 0, CLI_OPT_U64, &po.trust, "N", "the trust level (default 0)",
       0, 0, 0},
      {"app-restrict", 0, CLI_OPT_STR, &r_app, "ADDRESS", "only for this app",
       0, 0, 0},
      {"dataset-restrict", 0, CLI_OPT_STR, &r_ds, "ADDRESS",
       "only with this dataset", 0, 0, 0},
      {"workerpool-restrict", 0, CLI_OPT_STR, &r_wp, "ADDRESS",
       "only on this workerpool", 0, 0, 0},
      {"requester-restrict", 0, CLI_OPT_STR, &r_req, "ADDRESS|WALLET",
       "only for this requester", 0, 0, 0},
  };
  cli_opt opts[sizeof all / sizeof all[0] + 1];
  size_t n = 0;
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    const char *nm = all[i].name;
    int skip =
        (!workerpool && (!strcmp(nm, "category") || !strcmp(nm, "trust"))) ||
        (!workerpool && !dataset && !strcmp(nm, "app-restrict")) ||
        (dataset && !strcmp(nm, "dataset-restrict")) ||
        (workerpool && !strcmp(nm, "workerpool-restrict"));
    if (!skip)
      opts[n++] = all[i];
  }
  opts[n] = (cli_opt){0};
  cli_spec spec = {cmd,
                   workerpool ? WP_PUBLISH_HELP
                   : dataset  ? DS_PUBLISH_HELP
                              : APP_PUBLISH_HELP,
                   opts,
                   &w.key,
                   1,
                   DP_CLI_AMOUNT_HELP};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  const char *res = np ? argv[1] : NULL;
  if ((r_app && dp_cli_address(&po.app_restrict, r_app, "--app-restrict")) ||
      (r_ds &&
       dp_cli_address(&po.dataset_restrict, r_ds, "--dataset-restrict")) ||
      (r_wp && dp_cli_address(&po.workerpool_restrict, r_wp,
                              "--workerpool-restrict")) ||
      (r_req &&
       dp_cli_address(&po.requester_restrict, r_req, "--requester-restrict")))
    return CLI_USAGE;
  if (!res)
    return cli_cmd_usage(cmd, "%s publish needs the %s address", what, what);
  decc_address addr;
  if (dp_cli_address(&addr, res, what))
    return CLI_USAGE;
  decc_dp *dp;
  rc = dp_cli_open(&dp, &w, 1);
  if (rc != CLI_OK)
    return rc;
  uint8_t h[32];
  decc_err err;
  decc_err_clear(&err);
  decc_status st =
      workerpool ? decc_dp_publish_workerpoolorder(dp, h, &addr, &po, &err)
      : dataset  ? decc_dp_publish_datasetorder(dp, h, &addr, &po, &err)
                 : decc_dp_publish_apporder(dp, h, &addr, &po, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  char hx[DECC_HEX32_LEN], price[96];
  decc_hex_encode(hx, h, 32, 1);
  decc_dp_format_rlc(price, &po.price);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s,s:s,s:s,s:I}", "orderHash", hx, what,
                                    res, "price", price, "volume",
                                    (json_int_t)po.volume));
  printf("%s order %s published: price %s, volume %llu, tag TEE\n", what, hx,
         price, (unsigned long long)po.volume);
  return CLI_OK;
}
