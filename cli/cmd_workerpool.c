/*
 * cmd_workerpool.c — `decc workerpool`: deploy a workerpool, show its
 * fields and policy, transfer it, change its policy (changePolicy);
 * publish a workerpool order (dp_publish.c). One subcommand table
 * (cli_dispatch); the chain subcommands live in ledger_assets.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "dp_cli.h"
#include "ledger_assets.h"

static int wp_publish(int argc, char **argv) {
  return cli_dp_publish(argc, argv, 1); /* dp_publish.c */
}
static int wp_asset(int argc, char **argv) {
  return lc_asset_cmd(LC_WORKERPOOL, argc, argv); /* ledger_assets.c */
}

static const cli_sub SUBS[] = {
    {"publish",
     "WORKERPOOL [--price A] [--volume N]: sign and publish an order",
     wp_publish},
    {"deploy", "--description TEXT KEY: create a workerpool", wp_asset},
    {"show", "ADDRESS: the workerpool's on-chain fields", wp_asset},
    {"transfer", "ADDRESS NEW_OWNER KEY: give the workerpool (its NFT) away",
     wp_asset},
    {"policy", "ADDRESS ... KEY: change its stake and reward ratios", wp_asset},
    {NULL, NULL, NULL}};

int cli_cmd_workerpool(int argc, char **argv) {
  /* The overview carries the chain commands' usage lines, which
   * ledger_assets.c prints for app, dataset and workerpool alike. */
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f)
    return cli_fail("out of memory");
  fputs("Workerpools on the chain and their orders; on the chain:\n", f);
  lc_asset_usage(LC_WORKERPOOL, f);
  if (fclose(f) != 0 || !text) {
    free(text);
    return cli_fail("out of memory");
  }
  int rc = cli_dispatch("workerpool", text, SUBS, argc, argv);
  free(text);
  return rc;
}
