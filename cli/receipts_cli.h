/*
 * receipts_cli.h — what `decc grant` / `decc grants` (cmd_grant.c, cmd_grants.c) use of
 * cmd_receipts.c: signing and presenting a grant policy (expiry, purpose)
 * and reading one back for display.
 */
#ifndef DECC_CLI_RECEIPTS_H
#define DECC_CLI_RECEIPTS_H

#include <stdint.h>

#include "decc/receipts.h"
#include "dp_cli.h"

/* Presents a signed policy to the SMS: the configured node's
 * POST /receipts/policies, or the data directory's SMS and market.
 * Returns CLI_OK or CLI_FAIL (printed: why the SMS refused it). */
int cli_receipts_push_policy(decc_dp *dp, const decc_grant_policy *p);

/* Signs the policy {dataset, order_hash, expires (0 = none), purpose
 * (NULL = none)} with the options' wallet and presents it.
 * Returns CLI_OK or an exit code (printed). */
int cli_receipts_grant_policy(decc_dp *dp, const dp_cli_opts *w,
                              const decc_address *dataset,
                              const uint8_t order_hash[32], uint64_t expires,
                              const char *purpose);

/* The policy of a grant, if it has one. Returns 1 found, 0 none, -1 on a
 * configuration error (printed). */
int cli_receipts_policy_of(decc_dp *dp, const uint8_t order_hash[32],
                           decc_grant_policy *p);

#endif
