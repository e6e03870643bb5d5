/*
 * cmd_grant.c — `decc grant`: grants an app (and a user, or anyone) access
 * to a protected data — a signed dataset order on the market — with an
 * optional signed policy (expiry, purpose) bound to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_cli.h"
#include "receipts_cli.h"

static const char GRANT_HELP[] =
    "usage: decc grant PROTECTED_DATA --app APP (--user ADDRESS | --any-user)\n"
    "                  [--price AMOUNT] [--uses N | --bulk] [--expires DATE]\n"
    "                  [--purpose TEXT] [wallet]\n\n"
    "Grants APP the right to process PROTECTED_DATA for one user (or anyone),\n"
    "N times (default 1) at AMOUNT per use (default 0): a signed dataset\n"
    "order published on the market. The app must be a TEE app. A second\n"
    "grant for the same data, app and user is refused.\n"
    "--expires DATE (2027-01-31, 2027-01-31T12:00Z, or 30d) and --purpose "
    "TEXT\n"
    "add a policy you sign, bound to the order: the SMS refuses the key after\n"
    "DATE even with uses left, the market stops listing it, and the app gets\n"
    "TEXT as DECC_GRANT_PURPOSE; both are written in every receipt\n"
    "(decc receipts, docs/receipts.md).\n"
    "--bulk (the SDK's allowBulk) lets the user process this data together\n"
    "with other protected data in one task ('decc process DATA1 DATA2 …'):\n"
    "the grant is free and unlimited (volume 2^53 - 1), as bulk requires;\n"
    "revoke it to stop further use.\n";

int cli_cmd_grant(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_grant_opts g;
  memset(&g, 0, sizeof g);
  const char *app = NULL, *user = NULL, *purpose = NULL;
  int64_t expires_at = 0;
  int any = 0;
  cli_opt opts[] = {{"app", 0, CLI_OPT_STR, &app, "APP",
                     "the app allowed to process the data", 0, 0, 0},
                    {"user", 0, CLI_OPT_STR, &user, "ADDRESS",
                     "the user allowed to request it", 0, 0, 0},
                    {"any-user", 0, CLI_OPT_FLAG, &any, NULL,
                     "any user may request it", 0, 0, 0},
                    {"price", 0, CLI_OPT_AMOUNT, &g.price_per_access, "AMOUNT",
                     "price per use (default 0)", 0, 0, 0},
                    {"uses", 0, CLI_OPT_U64, &g.number_of_access, "N",
                     "number of uses (default 1)", 1, 0, 0},
                    {"bulk", 0, CLI_OPT_FLAG, &g.allow_bulk, NULL,
                     "allow bulk processing (free, unlimited)", 0, 0, 0},
                    {"expires", 0, CLI_OPT_FUTURE, &expires_at, "DATE",
                     "the key is refused after DATE (signed policy)", 0, 0, 0},
                    {"purpose", 0, CLI_OPT_STR, &purpose, "TEXT",
                     "the purpose the app gets (signed policy)", 0, 0, 0},
                    {0}};
  cli_spec spec = {"grant", GRANT_HELP, opts, &w.key, 1, DP_CLI_AMOUNT_HELP};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  const char *data = np ? argv[1] : NULL;
  uint64_t expires = (uint64_t)expires_at;
  if (purpose && strlen(purpose) > DECC_RCPT_PURPOSE_MAX)
    return cli_cmd_usage("grant", "--purpose: at most %d bytes",
                         DECC_RCPT_PURPOSE_MAX);
  if (!data || !app)
    return cli_cmd_usage("grant", "PROTECTED_DATA and --app are required");
  if (!!user == any)
    return cli_cmd_usage("grant", "give --user ADDRESS or --any-user");
  if (dp_cli_address(&g.protected_data, data, "protected data") ||
      dp_cli_address(&g.authorized_app, app, "--app") ||
      (user && dp_cli_address(&g.authorized_user, user, "--user")))
    return CLI_USAGE;
  g.any_user = any;
  decc_dp *dp;
  rc = dp_cli_open(&dp, &w, 1);
  if (rc != CLI_OK)
    return rc;
  decc_dp_access acc;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_grant_access(dp, &acc, &g, &err);
  if (!st && (expires || purpose) &&
      cli_receipts_grant_policy(dp, &w, &g.protected_data, acc.hash, expires,
                                purpose) != CLI_OK) {
    /* No grant may stay open without the policy its owner asked for. */
    decc_err e2;
    if (decc_dp_revoke_one_access(dp, &acc.order, NULL, &e2) == DECC_OK)
      cli_progress("the grant was revoked again (its policy was refused)");
    else
      cli_fail("the grant %s is OPEN without its policy: revoke it (%s)",
               "just made", e2.msg);
    decc_dp_access_clear(&acc);
    decc_dp_close(dp);
    return CLI_FAIL;
  }
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (!g_cli.json)
    printf("granted: ");
  rc = dp_cli_print_access(&acc, NULL);
  decc_dp_access_clear(&acc);
  return rc;
}
