/*
 * ledger_assets.h — deploy / show / transfer (and workerpool policy) of
 * apps, datasets and workerpools on the ledger (see ledger_assets.c).
 */
#ifndef DECC_CLI_LEDGER_ASSETS_H
#define DECC_CLI_LEDGER_ASSETS_H

#include <stdio.h>

enum { LC_APP = 0, LC_DATASET = 1, LC_WORKERPOOL = 2 };

/* argv[0] is the subcommand. Returns a CLI exit code, or -1 when the
 * subcommand is not one of deploy, show, transfer (policy: workerpools). */
int lc_asset_cmd(int kind, int argc, char **argv);
/* Usage lines of those subcommands. */
void lc_asset_usage(int kind, FILE *f);

#endif
