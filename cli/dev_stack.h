/*
 * dev_stack.h — what `decc demo` and `decc dev` share to set up a local
 * stack in a data directory (dev_stack.c): wallets saved with a password
 * file next to them (so that nobody types a password for keys that are
 * public or throw-away), and the workerpool with its open order.
 */
#ifndef DECC_CLI_DEV_STACK_H
#define DECC_CLI_DEV_STACK_H

#include <stdint.h>

#include "decc/dataprotector.h"

/* Saves sk as the wallet NAME of home: <home>/wallets/NAME.json (V3
 * keystore, scrypt N=2^14 so that unlocking stays fast) and
 * <home>/wallets/NAME.password (random password, 0600), which the key
 * options read when no --password-file is given (cli_key_resolve). An
 * existing NAME.json of the same address is kept (returns CLI_OK); one of
 * another address is an error (printed: nothing is overwritten). Out:
 * *addr (optional) = the address. Returns CLI_OK or CLI_FAIL (printed). */
int cli_dev_wallet_save(const char *home, const char *name,
                        const uint8_t sk[32], decc_address *addr);

/* `decc wallet create --name NAME [--password-file F]` without its output
 * (cmd_wallet.c): a new random key in <home>/wallets/NAME.json under a
 * password read from password_file or the no-echo prompt (asked twice).
 * An existing NAME.json is an error. Out: *addr and path (cap bytes).
 * Returns CLI_OK, CLI_USAGE (bad name) or CLI_FAIL (printed). */
int cli_wallet_new(const char *name, const char *password_file,
                   decc_address *addr, char *path, size_t cap);

/* The workerpool "description" owned by the dp's signer (created when
 * missing, decc_dp_workerpool_create) and, when the market has no open
 * order of it, a workerpool order at price nRLC with volume (category 0,
 * trust 0, no restriction). Out: *wp; *published = 1 when an order was
 * published now. Returns DECC_OK or the error (err). */
decc_status cli_dev_pool_ready(decc_dp *dp, const char *description,
                               uint64_t price, uint64_t volume,
                               decc_address *wp, int *published, decc_err *err);

#endif
