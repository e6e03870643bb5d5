/*
 * cmd_ls.c — `decc ls`: lists protected data (getProtectedData), newest
 * first, filtered by owner, schema and creation time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_time.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "dp_cli.h"

static const char LS_HELP[] =
    "usage: decc ls [--owner ADDRESS | --mine] [--schema JSON] [--since WHEN]\n"
    "               [--page N] [--page-size N] [wallet]\n\n"
    "Lists protected data, newest first (getProtectedData): all of them, "
    "those\n"
    "of --owner (or your wallet with --mine), those whose schema contains the\n"
    "paths and types of --schema (e.g. '{\"email\":\"string\"}'; a list of\n"
    "types means any of them), created at or after --since: a date\n"
    "(2026-12-01, 2026-12-01T10:30, with Z or +02:00; UTC by default), a\n"
    "duration back from now (7d, 12h, 1d12h) or Unix seconds.\n";

int cli_cmd_ls(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_pd_filter f;
  memset(&f, 0, sizeof f);
  const char *owner = NULL;
  int mine = 0;
  int64_t since = 0;
  uint64_t page = 0, page_size = 0;
  cli_opt opts[] = {
      {"owner", 0, CLI_OPT_STR, &owner, "ADDRESS",
       "only the protected data of this owner", 0, 0, 0},
      {"mine", 0, CLI_OPT_FLAG, &mine, NULL, "only yours (the wallet's)", 0, 0,
       0},
      {"schema", 0, CLI_OPT_STR, &f.required_schema, "JSON",
       "only those whose schema contains these paths and types", 0, 0, 0},
      {"since", 0, CLI_OPT_PAST, &since, "WHEN",
       "created at or after WHEN (date, duration or Unix seconds)", 0, 0, 0},
      {"page", 0, CLI_OPT_U64, &page, "N", "page number (from 0)", 0, 1000000,
       0},
      {"page-size", 0, CLI_OPT_U64, &page_size, "N", "protected data per page",
       0, 1000000, 0},
      {0}};
  cli_spec spec = {"ls", LS_HELP, opts, &w.key, 0, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  f.created_after = (uint64_t)since;
  f.page = (uint32_t)page;
  f.page_size = (uint32_t)page_size;
  if (owner && mine)
    return cli_cmd_usage("ls", "give --owner or --mine, not both");
  if (owner && dp_cli_address(&f.owner, owner, "--owner"))
    return CLI_USAGE;
  f.has_owner = owner || mine;
  decc_dp *dp;
  rc = dp_cli_open(&dp, &w, mine);
  if (rc != CLI_OK)
    return rc;
  if (mine)
    if (decc_dp_signer(dp, &f.owner, NULL) != DECC_OK)
      f.has_owner = 0;
  decc_dp_pd_list l;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_get_protected_data(dp, &l, &f, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (g_cli.json) {
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < l.n; i++) {
      char *js = NULL;
      json_error_t je;
      if (decc_dp_protected_to_json(&js, &l.items[i], 0) != DECC_OK ||
          json_array_append_new(arr, json_loads(js, 0, &je))) {
        decc_free(js);
        json_decref(arr);
        arr = NULL;
        break;
      }
      decc_free(js);
    }
    size_t total = l.total;
    decc_dp_pd_list_clear(&l);
    return cli_print_json(arr ? json_pack("{s:I,s:o}", "total",
                                          (json_int_t)total, "protectedData",
                                          arr)
                              : NULL);
  }
  if (l.n == 0)
    cli_progress("no protected data");
  for (size_t i = 0; i < l.n; i++) {
    char a[DECC_ADDRESS_HEX_LEN], o[DECC_ADDRESS_HEX_LEN], when[40];
    const decc_dp_protected *p = &l.items[i];
    printf("%s  owner %s  created %s  name \"%s\"  schema %s\n",
           decc_address_to_checksum(a, &p->address),
           decc_address_to_checksum(o, &p->owner),
           cli_time_format(when, sizeof when, (int64_t)p->creation_timestamp),
           p->name, p->schema);
  }
  decc_dp_pd_list_clear(&l);
  return CLI_OK;
}
