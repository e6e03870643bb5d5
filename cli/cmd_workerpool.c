/*
 * cmd_workerpool.c — `decc workerpool`: deploy a workerpool, show its
 * fields and policy, transfer it, change its policy (changePolicy);
 * publish a workerpool order (dp_publish.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dp_cli.h"
#include "ledger_assets.h"

static int wp_usage(FILE *f) {
  fprintf(f,
          "usage: decc workerpool <command> [options]\n\n"
          "  publish WORKERPOOL [--price A] [--volume N]  sign and publish a "
          "workerpool order\n");
  lc_asset_usage(LC_WORKERPOOL, f);
  return f == stdout ? CLI_OK : CLI_USAGE;
}

int cli_cmd_workerpool(int argc, char **argv) {
  if (argc < 2)
    return wp_usage(stderr);
  if (!strcmp(argv[1], "publish")) /* has its own --help */
    return cli_dp_publish(argc - 1, argv + 1, 1);
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      cli_wants_help(argc - 1, argv + 1))
    return wp_usage(stdout);
  int rc = lc_asset_cmd(LC_WORKERPOOL, argc - 1, argv + 1);
  if (rc >= 0)
    return rc;
  return cli_usage_error("unknown workerpool command '%s'", argv[1]);
}
