/*
 * cmd_app.c — `decc app`: iApp development (init, build) and, through the
 * ledger commands (ledger_assets.c), deployment, inspection and transfer
 * of apps on the chain; publish (an app order, dp_publish.c); test (run it
 * locally in the worker's sandbox, app_test.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "app_bundle.h"
#include "cli.h"
#include "dp_cli.h"
#include "ledger_assets.h"

static int app_publish(int argc, char **argv) {
  return cli_dp_publish(argc, argv, 0); /* dp_publish.c */
}
static int app_asset(int argc, char **argv) {
  return lc_asset_cmd(LC_APP, argc, argv); /* ledger_assets.c */
}

static const cli_sub SUBS[] = {
    {"init", "[--lang sh|c|python] [--name NAME] DIR: scaffold a sample iApp",
     cli_app_init},
    {"build", "DIR [-o BUNDLE.tar]: pack DIR, print its measurement",
     cli_app_build},
    {"test",
     "DIR [--protected-data F] [--args T]: run it in the worker's "
     "sandbox",
     cli_app_test},
    {"publish", "APP [--price A] [--volume N]: sign and publish an app order",
     app_publish},
    {"deploy", "DIR|--bundle FILE: register the app on the chain", app_asset},
    {"show", "ADDRESS: the app's on-chain fields", app_asset},
    {"transfer", "ADDRESS NEW_OWNER KEY: give the app (its NFT) away",
     app_asset},
    {NULL, NULL, NULL}};

int cli_cmd_app(int argc, char **argv) {
  /* The overview carries the chain commands' usage lines, which
   * ledger_assets.c prints for app, dataset and workerpool alike. */
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f)
    return cli_fail("out of memory");
  fputs("iApp development, deployment and orders; on the chain:\n", f);
  lc_asset_usage(LC_APP, f);
  if (fclose(f) != 0 || !text) {
    free(text);
    return cli_fail("out of memory");
  }
  int rc = cli_dispatch("app", text, SUBS, argc, argv);
  free(text);
  return rc;
}
