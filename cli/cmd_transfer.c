/*
 * cmd_transfer.c — `decc transfer`: transfers the ownership of a protected
 * data (DatasetRegistry safeTransferFrom).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "dp_cli.h"

static const char TRANSFER_HELP[] =
    "usage: decc transfer PROTECTED_DATA NEW_OWNER [wallet]\n\n"
    "Transfers the ownership of a protected data (DatasetRegistry\n"
    "safeTransferFrom). Grants signed by the previous owner stop working.\n";

int cli_cmd_transfer(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  cli_spec spec = {"transfer", TRANSFER_HELP, NULL, &w.key, 2, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  const char *pos[2] = {np > 0 ? argv[1] : NULL, np > 1 ? argv[2] : NULL};
  decc_address data, to;
  if (np != 2)
    return cli_cmd_usage("transfer",
                         "PROTECTED_DATA and NEW_OWNER are required");
  if (dp_cli_address(&data, pos[0], "protected data") ||
      dp_cli_address(&to, pos[1], "new owner"))
    return CLI_USAGE;
  decc_dp *dp;
  rc = dp_cli_open(&dp, &w, 1);
  if (rc != CLI_OK)
    return rc;
  uint8_t tx[32];
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_transfer_ownership(dp, &data, &to, tx, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  char a[DECC_ADDRESS_HEX_LEN], b[DECC_ADDRESS_HEX_LEN], h[DECC_HEX32_LEN];
  decc_hex_encode(h, tx, 32, 1);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s,s:s,s:s}", "address",
                                    decc_address_to_hex(a, &data), "to",
                                    decc_address_to_hex(b, &to), "txHash", h));
  printf("transferred %s to %s (tx %s)\n", decc_address_to_checksum(a, &data),
         decc_address_to_checksum(b, &to), h);
  return CLI_OK;
}
