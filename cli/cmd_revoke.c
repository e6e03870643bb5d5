/*
 * cmd_revoke.c — `decc revoke`: closes one granted access (its order hash)
 * or every open one of a protected data (--all) on the chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "dp_cli.h"

static const char REVOKE_HELP[] =
    "usage: decc revoke ORDER_HASH [wallet]\n"
    "       decc revoke PROTECTED_DATA --all [--app APP] [--user ADDRESS]\n\n"
    "Revokes one granted access (its order hash, as 'decc grants' shows) or\n"
    "every open one of PROTECTED_DATA: manageDatasetOrder(CLOSE) on the "
    "chain,\n"
    "one transaction each; the market marks them canceled.\n";

int cli_cmd_revoke(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *app = NULL, *user = NULL;
  int all = 0;
  cli_opt opts[] = {{"all", 0, CLI_OPT_FLAG, &all, NULL,
                     "every open grant of PROTECTED_DATA", 0, 0, 0},
                    {"app", 0, CLI_OPT_STR, &app, "APP",
                     "with --all: only grants to this app", 0, 0, 0},
                    {"user", 0, CLI_OPT_STR, &user, "ADDRESS",
                     "with --all: only grants to this user", 0, 0, 0},
                    {0}};
  cli_spec spec = {"revoke", REVOKE_HELP, opts, &w.key, 1, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  const char *target = np ? argv[1] : NULL;
  if (!target)
    return cli_cmd_usage("revoke",
                         "an order hash or a protected data is required");
  decc_err err;
  decc_err_clear(&err);
  decc_dp *dp;
  if (!all) {
    if (app || user)
      return cli_cmd_usage("revoke", "--app / --user only go with --all");
    uint8_t h[32];
    if (strlen(target) != 66 || dp_cli_hash(h, target, "order hash"))
      return cli_cmd_usage("revoke",
                           "'%s' is not an order hash (use PROTECTED_DATA "
                           "--all to revoke every grant)",
                           target);
    if ((rc = dp_cli_open(&dp, &w, 1)) != CLI_OK)
      return rc;
    decc_dp_access acc;
    decc_status st = decc_dp_get_access(dp, &acc, h, &err);
    uint8_t tx[32];
    if (!st) {
      st = decc_dp_revoke_one_access(dp, &acc.order, tx, &err);
      decc_dp_access_clear(&acc);
    }
    decc_dp_close(dp);
    if (st)
      return cli_fail_err(&err);
    char th[DECC_HEX32_LEN];
    decc_hex_encode(th, tx, 32, 1);
    if (g_cli.json)
      return cli_print_json(
          json_pack("{s:s,s:s}", "revoked", target, "transactionHash", th));
    printf("revoked %s (tx %s)\n", target, th);
    return CLI_OK;
  }
  decc_address data, ap, us;
  if (dp_cli_address(&data, target, "protected data") ||
      (app && dp_cli_address(&ap, app, "--app")) ||
      (user && dp_cli_address(&us, user, "--user")))
    return CLI_USAGE;
  if ((rc = dp_cli_open(&dp, &w, 1)) != CLI_OK)
    return rc;
  size_t n = 0;
  decc_status st =
      decc_dp_revoke_all_access(dp, &data, app ? &ap : NULL, user ? &us : NULL,
                                &n, dp_cli_progress, NULL, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:I}", "revoked", (json_int_t)n));
  printf("revoked %zu granted access%s\n", n, n == 1 ? "" : "es");
  return CLI_OK;
}
