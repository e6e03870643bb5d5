/*
 * ledger_extra.c — `decc dataset deploy|show|transfer`: the ledger asset
 * subcommands (ledger_assets.c) that cmd_dataset.c dispatches here for the
 * subcommands it does not know.
 */
#include <string.h>

#include "ledger_assets.h"
#include "ledger_cli.h"
#include "ledger_extra.h"

int cli_ledger_dataset(int argc, char **argv) {
  if (argc < 1)
    return -1;
  if (strcmp(argv[0], "deploy") && strcmp(argv[0], "show") &&
      strcmp(argv[0], "transfer"))
    return -1;
  /* --help: the subcommand's own parser (ledger_assets.c parse_opts) */
  return lc_asset_cmd(LC_DATASET, argc, argv);
}
