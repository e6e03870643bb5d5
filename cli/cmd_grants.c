/*
 * cmd_grants.c — `decc grants`: lists granted accesses (open dataset
 * orders) of a protected data or of an owner, with their policies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/mem.h"
#include "dp_cli.h"
#include "receipts_cli.h"

static const char GRANTS_HELP[] =
    "usage: decc grants [PROTECTED_DATA] [--owner ADDRESS] [--app APP]\n"
    "                   [--user ADDRESS [--strict]] [--all] [--bulk]\n"
    "                   [--page N] [--page-size N] [wallet]\n\n"
    "Lists granted accesses (open dataset orders) of PROTECTED_DATA, or of\n"
    "every protected data of --owner (default: your wallet). --user lists the\n"
    "grants usable by that user (with --strict: only those naming it);\n"
    "--all also shows filled, canceled and dead ones; --bulk only those that\n"
    "allow bulk processing (the SDK's bulkOnly).\n";

int cli_cmd_grants(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_access_filter f;
  memset(&f, 0, sizeof f);
  const char *owner = NULL, *app = NULL, *user = NULL;
  uint64_t page = 0, page_size = 0;
  cli_opt opts[] = {
      {"owner", 0, CLI_OPT_STR, &owner, "ADDRESS",
       "every protected data of this owner", 0, 0, 0},
      {"app", 0, CLI_OPT_STR, &app, "APP", "only grants to this app", 0, 0, 0},
      {"user", 0, CLI_OPT_STR, &user, "ADDRESS",
       "only grants usable by this user", 0, 0, 0},
      {"strict", 0, CLI_OPT_FLAG, &f.user_strict, NULL,
       "with --user: only grants naming it", 0, 0, 0},
      {"all", 0, CLI_OPT_FLAG, &f.include_closed, NULL,
       "also filled, canceled and dead grants", 0, 0, 0},
      {"bulk", 0, CLI_OPT_FLAG, &f.bulk_only, NULL,
       "only grants allowing bulk processing", 0, 0, 0},
      {"page", 0, CLI_OPT_U64, &page, "N", "page number (from 0)", 0, 100000,
       0},
      {"page-size", 0, CLI_OPT_U64, &page_size, "N", "grants per page", 0,
       100000, 0},
      {0}};
  cli_spec spec = {"grants", GRANTS_HELP, opts, &w.key, 1, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  const char *data = np ? argv[1] : NULL;
  f.page = (uint32_t)page;
  f.page_size = (uint32_t)page_size;
  if ((data && dp_cli_address(&f.protected_data, data, "protected data")) ||
      (owner && dp_cli_address(&f.owner, owner, "--owner")) ||
      (app && dp_cli_address(&f.app, app, "--app")) ||
      (user && dp_cli_address(&f.user, user, "--user")))
    return CLI_USAGE;
  f.has_protected_data = data != NULL;
  f.has_owner = owner != NULL;
  f.has_app = app != NULL;
  f.has_user = user != NULL;
  decc_dp *dp;
  rc = dp_cli_open(&dp, &w, !data && !owner);
  if (rc != CLI_OK)
    return rc;
  if (!data && !owner) {
    f.has_owner = 1;
    if (decc_dp_signer(dp, &f.owner, NULL) != DECC_OK)
      f.has_owner = 0;
  }
  decc_dp_access_list l;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_get_granted_access(dp, &l, &f, &err);
  decc_grant_policy *pols = !st && l.n ? decc_calloc(l.n, sizeof *pols) : NULL;
  for (size_t i = 0; pols && i < l.n; i++)
    if (cli_receipts_policy_of(dp, l.items[i].hash, &pols[i]) <= 0)
      memset(&pols[i], 0, sizeof pols[i]);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (g_cli.json) {
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < l.n; i++) {
      char *js = NULL;
      json_error_t je;
      json_t *it = NULL;
      if (decc_dp_access_to_json(&js, &l.items[i]) == DECC_OK &&
          (it = json_loads(js, 0, &je)) && pols &&
          (pols[i].expires || pols[i].purpose_len)) {
        json_object_set_new(it, "expires",
                            json_integer((json_int_t)pols[i].expires));
        json_object_set_new(it, "purpose", json_string(pols[i].purpose));
      }
      if (!it || json_array_append_new(arr, it) != 0) {
        decc_free(js);
        json_decref(arr);
        arr = NULL;
        break;
      }
      decc_free(js);
    }
    size_t count = l.count;
    decc_dp_access_list_clear(&l);
    decc_free(pols);
    return cli_print_json(arr ? json_pack("{s:I,s:o}", "count",
                                          (json_int_t)count, "grantedAccess",
                                          arr)
                              : NULL);
  }
  if (l.n == 0)
    cli_progress("no granted access");
  for (size_t i = 0; i < l.n; i++) {
    dp_cli_print_access(&l.items[i], pols ? &pols[i] : NULL);
  }
  decc_free(pols);
  decc_dp_access_list_clear(&l);
  return CLI_OK;
}
