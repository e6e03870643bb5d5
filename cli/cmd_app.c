/*
 * cmd_app.c — `decc app`: iApp development (init, build) and, through the
 * ledger commands (ledger_assets.c), deployment, inspection and transfer
 * of apps on the chain; publish (an app order, dp_publish.c); test (run it
 * locally in the worker's sandbox, app_test.c).
 */
#include <stdio.h>
#include <string.h>

#include "app_bundle.h"
#include "cli.h"
#include "dp_cli.h"
#include "ledger_assets.h"

static int app_usage(FILE *f) {
  fprintf(
      f,
      "usage: decc app <command> [options]\n\n"
      "  init [--lang sh|c|python] [--name NAME] DIR  scaffold a sample iApp\n"
      "  build DIR [-o BUNDLE.tar]             pack DIR, print its "
      "measurement\n"
      "  test DIR [--protected-data F] [--args T]  run it in the worker's "
      "sandbox\n"
      "  publish APP [--price A] [--volume N]  sign and publish an app "
      "order\n");
  lc_asset_usage(LC_APP, f);
  fprintf(f, "\nRun 'decc app <command> --help' for details.\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

int cli_cmd_app(int argc, char **argv) {
  if (argc < 2)
    return app_usage(stderr);
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
    return app_usage(stdout);
  const char *sub = argv[1];
  if (!strcmp(sub, "publish")) /* these have their own --help */
    return cli_dp_publish(argc - 1, argv + 1, 0);
  if (!strcmp(sub, "test"))
    return cli_app_test(argc - 1, argv + 1);
  if (!strcmp(sub, "deploy") || !strcmp(sub, "show") ||
      !strcmp(sub, "transfer")) {
    if (cli_wants_help(argc - 1, argv + 1))
      return app_usage(stdout);
    return lc_asset_cmd(LC_APP, argc - 1, argv + 1);
  }
  int rc = cli_app_bundle(argc - 1, argv + 1);
  if (rc >= 0)
    return rc;
  return cli_usage_error("unknown app command '%s'", argv[1]);
}
