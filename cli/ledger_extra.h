/*
 * ledger_extra.h — ledger subcommands that live under commands owned by
 * other files: `decc dataset deploy|show|transfer` (cmd_dataset.c)
 * dispatches here for the subcommands it does not know.
 */
#ifndef DECC_CLI_LEDGER_EXTRA_H
#define DECC_CLI_LEDGER_EXTRA_H

/* argv[0] is the subcommand. Return a CLI exit code, or -1 when the
 * subcommand is not a ledger one (the caller then reports it unknown). */
int cli_ledger_dataset(int argc, char **argv);

#endif
