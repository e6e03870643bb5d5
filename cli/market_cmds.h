/*
 * market_cmds.h — `decc order publish|ls|unpublish`: the orderbook of a
 * running `decc node` (its market API) from the command line.
 */
#ifndef DECC_CLI_MARKET_CMDS_H
#define DECC_CLI_MARKET_CMDS_H

/* Runs one market subcommand; argv[0] is "publish", "ls" or "unpublish"
 * (the word after `decc order`). Returns a CLI exit code (0 ok, 1 failure,
 * 2 usage). */
int cli_market_order(int argc, char **argv);

/* Returns 1 when name is one of the subcommands cli_market_order runs. */
int cli_market_order_has(const char *name);

#endif
