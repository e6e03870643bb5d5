/*
 * dp_cmds.c — the DataProtector commands: `decc protect`, `grant`,
 * `grants`, `revoke`, `ls`, `transfer`, `process`, `account`, and the
 * `task logs` / `result get` handlers that cmd_task.c / cmd_result.c
 * dispatch to. Each is a thin layer over decc/dataprotector.h: parse the
 * options, open the data directory with the default wallet, call the SDK,
 * print text (or --json on stdout); progress goes to stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dp_cli.h"
#include "ledger_cli.h"
#include "receipts_cli.h"
#include "cli_time.h"
#include <time.h>
#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/poco.h"

#define WALLET_HELP                                                            \
  "wallet: --wallet NAME|ADDRESS|FILE, --keystore FILE [--password-file "      \
  "FILE],\n"                                                                   \
  "        --private-key-file FILE; default: \"wallet\" in <home>/config.json,"\
  "\n        else the only wallet in <home>/wallets\n"

#define AMOUNT_HELP                                                            \
  "AMOUNT: RLC with a decimal point or the unit (0.5, \"2 RLC\"), or nRLC as\n" \
  "        a whole number (\"500000000\", \"5 nRLC\").\n"

static int help_or(FILE *f, const char *text) {
  fputs(text, f);
  return f == stdout ? CLI_OK : CLI_USAGE;
}

/* Consumes a wallet option or reports an unknown one. Returns 1 when
 * consumed, 0 when argv[*i] is not an option, or an exit code + 10. */
static int common_opt(dp_cli_opts *o, int argc, char **argv, int *i) {
  int k = dp_cli_opt(o, argc, argv, i);
  if (k < 0)
    return 10 + CLI_USAGE;
  return k;
}

static const char *need_val(int argc, char **argv, int *i) {
  if (*i + 1 >= argc) {
    cli_usage_error("%s needs a value", argv[*i]);
    return NULL;
  }
  return argv[++*i];
}

static int parse_u64(uint64_t *out, const char *s, const char *what) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (!*s || *end || errno || s[0] == '-')
    return cli_usage_error("%s: '%s' is not a whole number", what, s), -1;
  *out = v;
  return 0;
}

/* Amounts: the syntax every command shares (lc_parse_amount). */
static int parse_amount(decc_u256 *out, const char *s, const char *what) {
  return lc_parse_amount(out, s, what) == CLI_OK ? 0 : -1;
}

/* ---- protect ----------------------------------------------------------------- */

static const char PROTECT_HELP[] =
    "usage: decc protect [DATA.json | --file PATH [--key NAME]] [--name NAME]\n"
    "                    [--format v2|legacy] [--key-out FILE] [wallet]\n\n"
    "Protects a data object: schema, zip, AES key, encryption, upload, on-chain\n"
    "protected data (DataProtector createDatasetWithSchema), key pushed to the\n"
    "SMS. DATA.json is a JSON object (\"-\" = stdin; {\"$file\": \"rel/path\"}\n"
    "embeds a file next to it, {\"$base64\": …} binary, {\"$i128\": \"…\"} big\n"
    "integers); --file protects one file as binary under key \"file\" (or\n"
    "--key NAME). --key-out writes the dataset key (base64) to FILE (0600).\n"
    "Prints the address; --json prints the SDK's result object.\n\n" WALLET_HELP;

static int cmd_protect(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *data_path = NULL, *file = NULL, *key = "file", *name = NULL,
             *key_out = NULL, *fmt = "v2";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
      return help_or(stdout, PROTECT_HELP);
    const char **slot = !strcmp(a, "--file")      ? &file
                        : !strcmp(a, "--key")     ? &key
                        : !strcmp(a, "--name")    ? &name
                        : !strcmp(a, "--key-out") ? &key_out
                        : !strcmp(a, "--format")  ? &fmt
                                                  : NULL;
    if (slot) {
      if (!(*slot = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (a[0] == '-' && a[1])
      return cli_usage_error("unknown option '%s'", a);
    else if (!data_path)
      data_path = a;
    else
      return cli_usage_error("unexpected argument '%s'", a);
  }
  if (!!data_path == !!file)
    return cli_usage_error("give either DATA.json or --file PATH");
  decc_pd_format format;
  if (decc_pd_format_parse(&format, fmt) != DECC_OK)
    return cli_usage_error("--format must be v2 or legacy");
  decc_err err;
  decc_err_clear(&err);
  decc_pd *pd = NULL;
  if (data_path) {
    size_t len = 0;
    char *text = cli_read_file(data_path, 64u << 20, &len, 0);
    if (!text)
      return CLI_FAIL;
    char base[4096];
    snprintf(base, sizeof base, "%s", strcmp(data_path, "-") ? data_path : "./x");
    char *sl = strrchr(base, '/');
    if (sl)
      *sl = 0;
    else
      strcpy(base, ".");
    decc_pd_json_opts jo;
    memset(&jo, 0, sizeof jo);
    jo.base_dir = base;
    jo.stream_files = 1; /* $file values are streamed, not loaded */
    decc_status st = decc_pd_parse_json(&pd, text, len, &jo, &err);
    decc_memzero(text, len);
    decc_free(text);
    if (st)
      return cli_fail("%s: %s", data_path, err.msg);
  } else {
    /* File-backed: streamed at protect time, never held in memory. */
    if (decc_pd_create(&pd) != DECC_OK ||
        decc_pd_add_binary_file(pd, key, file, &err) != DECC_OK) {
      decc_pd_destroy(pd);
      return cli_fail("%s", err.msg[0] ? err.msg : "out of memory");
    }
  }
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, 1);
  if (rc != CLI_OK) {
    decc_pd_destroy(pd);
    return rc;
  }
  decc_dp_protect_opts o;
  memset(&o, 0, sizeof o);
  o.data = pd;
  o.format = format;
  o.name = name;
  o.want_key = key_out != NULL;
  o.progress = dp_cli_progress;
  decc_dp_protected p;
  decc_status st = decc_dp_protect(dp, &p, &o, &err);
  decc_pd_destroy(pd);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (key_out) {
    char line[46];
    memcpy(line, p.encryption_key, 44);
    line[44] = '\n';
    rc = cli_write_file_atomic(key_out, line, 45, 0600);
    decc_memzero(line, sizeof line);
    if (rc != CLI_OK) {
      decc_dp_protected_clear(&p);
      return rc;
    }
  }
  if (g_cli.json) {
    char *js = NULL;
    if (decc_dp_protected_to_json(&js, &p, 0) != DECC_OK) {
      decc_dp_protected_clear(&p);
      return cli_fail("out of memory");
    }
    puts(js);
    decc_free(js);
  } else {
    char a[43], h[67];
    printf("protected data %s\n", decc_address_to_checksum(a, &p.address));
    printf("  name      %s\n  schema    %s\n  multiaddr %s\n  tx        %s\n",
           p.name, p.schema, p.multiaddr, decc_hex_encode(h, p.tx_hash, 32, 1));
  }
  decc_dp_protected_clear(&p);
  return CLI_OK;
}

/* ---- grant / grants / revoke -------------------------------------------------------- */

static const char GRANT_HELP[] =
    "usage: decc grant PROTECTED_DATA --app APP (--user ADDRESS | --any-user)\n"
    "                  [--price AMOUNT] [--uses N | --bulk] [--expires DATE]\n"
    "                  [--purpose TEXT] [wallet]\n\n"
    "Grants APP the right to process PROTECTED_DATA for one user (or anyone),\n"
    "N times (default 1) at AMOUNT per use (default 0): a signed dataset\n"
    "order published on the market. The app must be a TEE app. A second\n"
    "grant for the same data, app and user is refused.\n"
    "--expires DATE (2027-01-31, 2027-01-31T12:00Z, or 30d) and --purpose TEXT\n"
    "add a policy you sign, bound to the order: the SMS refuses the key after\n"
    "DATE even with uses left, the market stops listing it, and the app gets\n"
    "TEXT as DECC_GRANT_PURPOSE; both are written in every receipt\n"
    "(decc receipts, docs/receipts.md).\n"
    "--bulk (the SDK's allowBulk) lets the user process this data together\n"
    "with other protected data in one task ('decc process DATA1 DATA2 …'):\n"
    "the grant is free and unlimited (volume 2^53 - 1), as bulk requires;\n"
    "revoke it to stop further use.\n"
    AMOUNT_HELP "\n" WALLET_HELP;

/* The policy of the access being printed (cmd_grants), or NULL. */
static const decc_grant_policy *g_policy;

static int print_access(const decc_dp_access *a) {
  if (g_cli.json) {
    char *js = NULL;
    if (decc_dp_access_to_json(&js, a) != DECC_OK)
      return cli_fail("out of memory");
    puts(js);
    decc_free(js);
    return CLI_OK;
  }
  char h[67], ap[43], us[43], pr[96];
  const decc_datasetorder *d = &a->order.u.dataset;
  char vol[DECC_U256_DEC_LEN];
  printf("%s  app %s  user %s  price %s  uses %llu/%s  %s\n",
         decc_hex_encode(h, a->hash, 32, 1),
         decc_address_to_checksum(ap, &d->apprestrict),
         decc_address_is_zero(&d->requesterrestrict)
             ? "any"
             : decc_address_to_checksum(us, &d->requesterrestrict),
         decc_dp_format_rlc(pr, &d->datasetprice),
         (unsigned long long)a->remaining, decc_u256_to_dec(vol, &d->volume),
         a->status);
  if (g_policy && (g_policy->expires || g_policy->purpose_len)) {
    char t[40];
    printf("    expires %s%s  purpose \"%s\"\n",
           g_policy->expires ? cli_time_format(t, sizeof t,
                                               (int64_t)g_policy->expires)
                             : "never",
           g_policy->expires && g_policy->expires <= (uint64_t)time(NULL)
               ? " (expired)"
               : "",
           g_policy->purpose);
  }
  return CLI_OK;
}

static int cmd_grant(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_grant_opts g;
  memset(&g, 0, sizeof g);
  const char *data = NULL, *app = NULL, *user = NULL, *purpose = NULL;
  uint64_t expires = 0;
  int any = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
      return help_or(stdout, GRANT_HELP);
    if (!strcmp(a, "--any-user"))
      any = 1;
    else if (!strcmp(a, "--bulk"))
      g.allow_bulk = 1;
    else if (!strcmp(a, "--app")) {
      if (!(app = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (!strcmp(a, "--user")) {
      if (!(user = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (!strcmp(a, "--price")) {
      if (!(v = need_val(argc, argv, &i)) ||
          parse_amount(&g.price_per_access, v, "--price"))
        return CLI_USAGE;
    } else if (!strcmp(a, "--uses")) {
      if (!(v = need_val(argc, argv, &i)) ||
          parse_u64(&g.number_of_access, v, "--uses"))
        return CLI_USAGE;
      if (g.number_of_access == 0)
        return cli_usage_error("--uses must be at least 1");
    } else if (!strcmp(a, "--expires")) {
      int64_t t;
      if (!(v = need_val(argc, argv, &i)) ||
          cli_time_parse("--expires", v, (int64_t)time(NULL), CLI_TIME_FUTURE,
                         &t) != CLI_OK)
        return CLI_USAGE;
      if (t <= (int64_t)time(NULL))
        return cli_usage_error("--expires %s is not in the future", v);
      expires = (uint64_t)t;
    } else if (!strcmp(a, "--purpose")) {
      if (!(purpose = need_val(argc, argv, &i)))
        return CLI_USAGE;
      if (strlen(purpose) > DECC_RCPT_PURPOSE_MAX)
        return cli_usage_error("--purpose: at most %d bytes",
                               DECC_RCPT_PURPOSE_MAX);
    } else if (a[0] == '-')
      return cli_usage_error("unknown option '%s'", a);
    else if (!data)
      data = a;
    else
      return cli_usage_error("unexpected argument '%s'", a);
  }
  if (!data || !app)
    return cli_usage_error("PROTECTED_DATA and --app are required");
  if (!!user == any)
    return cli_usage_error("give --user ADDRESS or --any-user");
  if (dp_cli_address(&g.protected_data, data, "protected data") ||
      dp_cli_address(&g.authorized_app, app, "--app") ||
      (user && dp_cli_address(&g.authorized_user, user, "--user")))
    return CLI_USAGE;
  g.any_user = any;
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, 1);
  if (rc != CLI_OK)
    return rc;
  decc_dp_access acc;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_grant_access(dp, &acc, &g, &err);
  if (!st && (expires || purpose) &&
      cli_receipts_grant_policy(dp, &w, &g.protected_data, acc.hash, expires,
                                purpose) != CLI_OK) {
    /* No grant may stay open without the policy its owner asked for. */
    decc_err e2;
    if (decc_dp_revoke_one_access(dp, &acc.order, NULL, &e2) == DECC_OK)
      cli_progress("the grant was revoked again (its policy was refused)");
    else
      cli_fail("the grant %s is OPEN without its policy: revoke it (%s)",
               "just made", e2.msg);
    decc_dp_access_clear(&acc);
    decc_dp_close(dp);
    return CLI_FAIL;
  }
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (!g_cli.json)
    printf("granted: ");
  rc = print_access(&acc);
  decc_dp_access_clear(&acc);
  return rc;
}

static const char GRANTS_HELP[] =
    "usage: decc grants [PROTECTED_DATA] [--owner ADDRESS] [--app APP]\n"
    "                   [--user ADDRESS [--strict]] [--all] [--bulk]\n"
    "                   [--page N] [--page-size N] [wallet]\n\n"
    "Lists granted accesses (open dataset orders) of PROTECTED_DATA, or of\n"
    "every protected data of --owner (default: your wallet). --user lists the\n"
    "grants usable by that user (with --strict: only those naming it);\n"
    "--all also shows filled, canceled and dead ones; --bulk only those that\n"
    "allow bulk processing (the SDK's bulkOnly).\n\n" WALLET_HELP;

static int cmd_grants(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_access_filter f;
  memset(&f, 0, sizeof f);
  const char *data = NULL, *owner = NULL, *app = NULL, *user = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    uint64_t n;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
      return help_or(stdout, GRANTS_HELP);
    if (!strcmp(a, "--strict"))
      f.user_strict = 1;
    else if (!strcmp(a, "--all"))
      f.include_closed = 1;
    else if (!strcmp(a, "--bulk"))
      f.bulk_only = 1;
    else if (!strcmp(a, "--owner")) {
      if (!(owner = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (!strcmp(a, "--app")) {
      if (!(app = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (!strcmp(a, "--user")) {
      if (!(user = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (!strcmp(a, "--page") || !strcmp(a, "--page-size")) {
      if (!(v = need_val(argc, argv, &i)) || parse_u64(&n, v, a) ||
          n > 100000)
        return CLI_USAGE;
      if (!strcmp(a, "--page"))
        f.page = (uint32_t)n;
      else
        f.page_size = (uint32_t)n;
    } else if (a[0] == '-')
      return cli_usage_error("unknown option '%s'", a);
    else if (!data)
      data = a;
    else
      return cli_usage_error("unexpected argument '%s'", a);
  }
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
  int rc = dp_cli_open(&dp, &w, !data && !owner);
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
  decc_grant_policy *pols =
      !st && l.n ? decc_calloc(l.n, sizeof *pols) : NULL;
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
    return cli_print_json(
        arr ? json_pack("{s:I,s:o}", "count", (json_int_t)count,
                        "grantedAccess", arr)
            : NULL);
  }
  if (l.n == 0)
    cli_progress("no granted access");
  for (size_t i = 0; i < l.n; i++) {
    g_policy = pols ? &pols[i] : NULL;
    print_access(&l.items[i]);
  }
  g_policy = NULL;
  decc_free(pols);
  decc_dp_access_list_clear(&l);
  return CLI_OK;
}

static const char REVOKE_HELP[] =
    "usage: decc revoke ORDER_HASH [wallet]\n"
    "       decc revoke PROTECTED_DATA --all [--app APP] [--user ADDRESS]\n\n"
    "Revokes one granted access (its order hash, as 'decc grants' shows) or\n"
    "every open one of PROTECTED_DATA: manageDatasetOrder(CLOSE) on the chain,\n"
    "one transaction each; the market marks them canceled.\n\n" WALLET_HELP;

static int cmd_revoke(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *target = NULL, *app = NULL, *user = NULL;
  int all = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
      return help_or(stdout, REVOKE_HELP);
    if (!strcmp(a, "--all"))
      all = 1;
    else if (!strcmp(a, "--app")) {
      if (!(app = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (!strcmp(a, "--user")) {
      if (!(user = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (a[0] == '-')
      return cli_usage_error("unknown option '%s'", a);
    else if (!target)
      target = a;
    else
      return cli_usage_error("unexpected argument '%s'", a);
  }
  if (!target)
    return cli_usage_error("an order hash or a protected data is required");
  decc_err err;
  decc_err_clear(&err);
  decc_dp *dp;
  int rc;
  if (!all) {
    if (app || user)
      return cli_usage_error("--app / --user only go with --all");
    uint8_t h[32];
    if (strlen(target) != 66 || dp_cli_hash(h, target, "order hash"))
      return cli_usage_error("'%s' is not an order hash (use PROTECTED_DATA "
                             "--all to revoke every grant)",
                             target);
    if ((rc = dp_cli_open(&dp, &w, 1)) != CLI_OK)
      return rc;
    decc_dp_access acc;
    decc_status st = decc_dp_get_access(dp, &acc, h, &err);
    uint8_t tx[32];
    if (!st) {
      st = decc_dp_revoke_one_access(dp, &acc.order, tx, &err);
      decc_dp_access_clear(&acc);
    }
    decc_dp_close(dp);
    if (st)
      return cli_fail_err(&err);
    char th[67];
    decc_hex_encode(th, tx, 32, 1);
    if (g_cli.json)
      return cli_print_json(json_pack("{s:s,s:s}", "revoked", target,
                                      "transactionHash", th));
    printf("revoked %s (tx %s)\n", target, th);
    return CLI_OK;
  }
  decc_address data, ap, us;
  if (dp_cli_address(&data, target, "protected data") ||
      (app && dp_cli_address(&ap, app, "--app")) ||
      (user && dp_cli_address(&us, user, "--user")))
    return CLI_USAGE;
  if ((rc = dp_cli_open(&dp, &w, 1)) != CLI_OK)
    return rc;
  size_t n = 0;
  decc_status st = decc_dp_revoke_all_access(dp, &data, app ? &ap : NULL,
                                             user ? &us : NULL, &n,
                                             dp_cli_progress, NULL, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:I}", "revoked", (json_int_t)n));
  printf("revoked %zu granted access%s\n", n, n == 1 ? "" : "es");
  return CLI_OK;
}

/* ---- ls / transfer ------------------------------------------------------------------ */

static const char LS_HELP[] =
    "usage: decc ls [--owner ADDRESS | --mine] [--schema JSON] [--since WHEN]\n"
    "               [--page N] [--page-size N] [wallet]\n\n"
    "Lists protected data, newest first (getProtectedData): all of them, those\n"
    "of --owner (or your wallet with --mine), those whose schema contains the\n"
    "paths and types of --schema (e.g. '{\"email\":\"string\"}'; a list of\n"
    "types means any of them), created at or after --since: a date\n"
    "(2026-12-01, 2026-12-01T10:30, with Z or +02:00; UTC by default), a\n"
    "duration back from now (7d, 12h, 1d12h) or Unix seconds.\n\n" WALLET_HELP;

static int cmd_ls(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_pd_filter f;
  memset(&f, 0, sizeof f);
  const char *owner = NULL;
  int mine = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    uint64_t n;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
      return help_or(stdout, LS_HELP);
    if (!strcmp(a, "--mine"))
      mine = 1;
    else if (!strcmp(a, "--owner")) {
      if (!(owner = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (!strcmp(a, "--schema")) {
      if (!(f.required_schema = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (!strcmp(a, "--since")) {
      int64_t t;
      if (!(v = need_val(argc, argv, &i)) ||
          cli_time_parse(a, v, (int64_t)time(NULL), CLI_TIME_PAST, &t))
        return CLI_USAGE;
      f.created_after = (uint64_t)t;
    } else if (!strcmp(a, "--page") || !strcmp(a, "--page-size")) {
      if (!(v = need_val(argc, argv, &i)) || parse_u64(&n, v, a))
        return CLI_USAGE;
      if (n > 1000000)
        return cli_usage_error("%s too large", a);
      else if (!strcmp(a, "--page"))
        f.page = (uint32_t)n;
      else
        f.page_size = (uint32_t)n;
    } else
      return cli_usage_error("unknown argument '%s'", a);
  }
  if (owner && mine)
    return cli_usage_error("give --owner or --mine, not both");
  if (owner && dp_cli_address(&f.owner, owner, "--owner"))
    return CLI_USAGE;
  f.has_owner = owner || mine;
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, mine);
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
    char a[43], o[43], when[40];
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

static const char TRANSFER_HELP[] =
    "usage: decc transfer PROTECTED_DATA NEW_OWNER [wallet]\n\n"
    "Transfers the ownership of a protected data (DatasetRegistry\n"
    "safeTransferFrom). Grants signed by the previous owner stop working.\n\n"
    WALLET_HELP;

static int cmd_transfer(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *pos[2] = {NULL, NULL};
  int np = 0;
  for (int i = 1; i < argc; i++) {
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
      return help_or(stdout, TRANSFER_HELP);
    if (argv[i][0] == '-')
      return cli_usage_error("unknown option '%s'", argv[i]);
    if (np == 2)
      return cli_usage_error("unexpected argument '%s'", argv[i]);
    pos[np++] = argv[i];
  }
  decc_address data, to;
  if (np != 2)
    return cli_usage_error("PROTECTED_DATA and NEW_OWNER are required");
  if (dp_cli_address(&data, pos[0], "protected data") ||
      dp_cli_address(&to, pos[1], "new owner"))
    return CLI_USAGE;
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, 1);
  if (rc != CLI_OK)
    return rc;
  uint8_t tx[32];
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_transfer_ownership(dp, &data, &to, tx, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  char a[43], b[43], h[67];
  decc_hex_encode(h, tx, 32, 1);
  if (g_cli.json)
    return cli_print_json(json_pack(
        "{s:s,s:s,s:s}", "address", decc_address_to_hex(a, &data), "to",
        decc_address_to_hex(b, &to), "txHash", h));
  printf("transferred %s to %s (tx %s)\n", decc_address_to_checksum(a, &data),
         decc_address_to_checksum(b, &to), h);
  return CLI_OK;
}

/* ---- process ---------------------------------------------------------------------------- */

static const char PROCESS_HELP[] =
    "usage: decc process PROTECTED_DATA... --app APP [--workerpool ADDRESS]\n"
    "         [--bulk] [--bulk-file FILE] [--per-task N]\n"
    "         [--data-max-price A] [--app-max-price A] [--workerpool-max-price A]\n"
    "         [--args TEXT] [--input-file URL]... [--secret-file FILE]...\n"
    "         [--no-encrypt] [--result-key FILE] [--path ENTRY] [-o FILE]\n"
    "         [--no-wait] [--timeout SECONDS] [--category N] [wallet]\n\n"
    "Runs APP on PROTECTED_DATA: picks the app, dataset (grant) and workerpool\n"
    "orders within the max prices (default 0), pushes each --secret-file\n"
    "as a requester secret (app index 1, 2, … in order), encrypts the result\n"
    "with your RSA key (<home>/results/<address>_key, generated once) unless\n"
    "--no-encrypt, matches the orders, waits for the task, downloads and\n"
    "decrypts the result. Writes the result zip to -o (default TASKID.zip),\n"
    "or with --path the entry ENTRY of it (to stdout without -o). The task\n"
    "runs on the workerpool's node; the wait ends when the task completes,\n"
    "as soon as a worker of this data directory records why it failed (the\n"
    "cause and the app's stderr are printed, exit 1), or after --timeout\n"
    "seconds (default 300). Ctrl-C or a timeout leave the task running:\n"
    "'decc task wait TASK' resumes the wait and fetches the result.\n\n"
    "Bulk processing (PoCo 6.1, the SDK's prepareBulkRequest /\n"
    "processBulkRequest): with several PROTECTED_DATA, --bulk-file FILE (one\n"
    "address per line, '#' comments) or --bulk, each task processes up to\n"
    "--per-task N items (default and maximum 100); each item needs a grant\n"
    "made with 'decc grant … --bulk' to APP for you — one without, or a\n"
    "revoked one, is refused before anything is paid, naming the item. The\n"
    "app finds IEXEC_BULK_SLICE_SIZE and, for i = 1.., the decrypted item\n"
    "$IEXEC_IN/$IEXEC_DATASET_<i>_FILENAME. Results: TASKID.zip per task in\n"
    "the current directory, or in directory -o DIR; with --path ENTRY and no\n"
    "-o, each task's entry goes to stdout in task order. --data-max-price\n"
    "does not apply (bulk grants are free).\n"
    AMOUNT_HELP "\n" WALLET_HELP;

static const char RUN_HELP[] =
    "usage: decc run APP [--workerpool ADDRESS] [--app-max-price A]\n"
    "         [--workerpool-max-price A] [--args TEXT] [--input-file URL]...\n"
    "         [--secret-file FILE]... [--no-encrypt] [--result-key FILE]\n"
    "         [--path ENTRY] [-o FILE] [--no-wait] [--timeout SECONDS]\n"
    "         [--category N] [wallet]\n\n"
    "Runs APP without protected data, as the iExec CLI's 'iexec app run':\n"
    "picks the app and workerpool orders within the max prices (default 0),\n"
    "matches them with your request (args, input files, requester secrets),\n"
    "waits for the task and writes the decrypted result zip to -o (default\n"
    "TASKID.zip), or its entry ENTRY with --path. Everything else is as\n"
    "'decc process' (see its --help): failure causes, Ctrl-C, 'decc task\n"
    "wait' to resume.\n"
    AMOUNT_HELP "\n" WALLET_HELP;

/* What `decc process` collected for bulk processing. */
typedef struct bulk_cli {
  const char *args[256]; /* positional PROTECTED_DATA */
  size_t n_args;
  const char *file;      /* --bulk-file */
  int forced;            /* --bulk */
  uint32_t per_task;     /* --per-task (0 = 100) */
  int data_max_given;
} bulk_cli;

/* Reads --bulk-file: one address per line, blank lines and '#' comments
 * ignored. Appends to *list (decc_free). */
static int read_bulk_file(const char *path, decc_address **list, size_t *n) {
  size_t len = 0;
  char *text = cli_read_file(path, 1u << 20, &len, 0);
  if (!text)
    return CLI_FAIL;
  int rc = CLI_OK;
  size_t lineno = 0;
  for (char *p = text, *nl; p && *p && rc == CLI_OK; p = nl) {
    nl = strchr(p, '\n');
    if (nl)
      *nl++ = 0;
    lineno++;
    char *h = strchr(p, '#');
    if (h)
      *h = 0;
    while (*p == ' ' || *p == '\t' || *p == '\r')
      p++;
    size_t l = strlen(p);
    while (l && (p[l - 1] == ' ' || p[l - 1] == '\t' || p[l - 1] == '\r'))
      p[--l] = 0;
    if (!l)
      continue;
    if (*n == DECC_DP_BULK_ITEMS_MAX) {
      rc = cli_usage_error("%s: more than %d protected data", path,
                           DECC_DP_BULK_ITEMS_MAX);
      break;
    }
    decc_address *g = decc_realloc(*list, (*n + 1) * sizeof **list);
    if (!g) {
      rc = cli_fail("out of memory");
      break;
    }
    *list = g;
    decc_err e2;
    if (decc_address_parse(&(*list)[*n], p, &e2) != DECC_OK)
      rc = cli_usage_error("%s line %zu: '%.60s' is not an address (%s)",
                           path, lineno, p, e2.msg);
    else
      ++*n;
  }
  decc_free(text);
  return rc;
}

/* `decc process` over several protected data (docs/internals/bulk.md). */
static int process_bulk(dp_cli_opts *w, const decc_dp_process_opts *po,
                        const bulk_cli *b, const char *app, const char *pool,
                        const char *out, const char *const *inputs, size_t ni,
                        const char *const *sfiles, size_t ns) {
  if (b->data_max_given)
    return cli_usage_error("--data-max-price does not apply to bulk "
                           "processing: bulk grants are free");
  if (po->category)
    return cli_usage_error("bulk requests use category 0 (the SDK's)");
  decc_dp_bulk_opts o;
  memset(&o, 0, sizeof o);
  decc_address *items = NULL;
  size_t n = 0;
  int rc = CLI_OK;
  if (b->n_args) {
    items = decc_calloc(b->n_args, sizeof *items);
    if (!items)
      return cli_fail("out of memory");
  }
  for (size_t i = 0; i < b->n_args; i++)
    if (dp_cli_address(&items[n++], b->args[i], "protected data")) {
      decc_free(items);
      return CLI_USAGE;
    }
  if (b->file && (rc = read_bulk_file(b->file, &items, &n)) != CLI_OK) {
    decc_free(items);
    return rc;
  }
  if (!n) {
    decc_free(items);
    return cli_usage_error("no PROTECTED_DATA to process");
  }
  if (dp_cli_address(&o.app, app, "--app") ||
      (pool && dp_cli_address(&o.workerpool, pool, "--workerpool"))) {
    decc_free(items);
    return CLI_USAGE;
  }
  o.protected_data = items;
  o.n_protected_data = n;
  o.has_workerpool = pool != NULL;
  o.app_max_price = po->app_max_price;
  o.workerpool_max_price = po->workerpool_max_price;
  o.max_per_task = b->per_task;
  o.args = po->args;
  o.input_files = inputs;
  o.n_input_files = ni;
  o.no_encrypt_result = po->no_encrypt_result;
  o.result_key_path = po->result_key_path;
  o.path = po->path;
  o.no_wait = po->no_wait;
  o.timeout_s = po->timeout_s ? po->timeout_s : 300;
  o.progress = dp_cli_process_progress;
  char *secrets[DECC_DP_MAX_SECRETS];
  for (size_t i = 0; i < ns; i++) {
    size_t len;
    if (!(secrets[i] = cli_read_file(sfiles[i], 4096, &len, 1))) {
      for (size_t j = 0; j < i; j++)
        decc_secure_free(secrets[j]);
      decc_free(items);
      return CLI_FAIL;
    }
  }
  o.secrets = (const char *const *)secrets;
  o.n_secrets = ns;
  if (out && !o.path) {
    struct stat sb;
    if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
      rc = cli_usage_error("bulk processing writes one result per task: -o "
                           "must be an existing directory");
      goto done;
    }
  }
  decc_dp *dp = NULL;
  if ((rc = dp_cli_open(&dp, w, 1)) == CLI_OK) {
    decc_dp_bulk_result r;
    decc_err err;
    decc_err_clear(&err);
    decc_status st = decc_dp_process_bulk(dp, &r, &o, &err);
    dp_cli_resume_hint(NULL);
    json_t *arr = g_cli.json ? json_array() : NULL;
    for (size_t i = 0; i < r.n_tasks; i++) {
      const decc_dp_bulk_task *t = &r.tasks[i];
      char tid[67], did[67], dest[4200];
      decc_hex_encode(tid, t->task_id, 32, 1);
      decc_hex_encode(did, t->deal_id, 32, 1);
      const char *file = NULL;
      if (t->result) {
        if (o.path && !out) {
          if (!g_cli.json)
            fwrite(t->result, 1, t->result_len, stdout);
        } else {
          snprintf(dest, sizeof dest, "%s%s%s%s", out ? out : "",
                   out ? "/" : "", tid, o.path ? "" : ".zip");
          if (o.path)
            snprintf(dest, sizeof dest, "%s/%s-%s", out, tid, o.path);
          if (cli_write_file_atomic(dest, t->result, t->result_len, 0600) ==
              CLI_OK)
            file = dest;
          else
            rc = CLI_FAIL;
        }
      }
      const char *status = t->result ? "COMPLETED"
                           : o.no_wait ? "ACTIVE"
                                       : decc_dp_task_status_name(t->status);
      if (arr)
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:I,s:s,s:s?,s:s?}", "dealId", did,
                           "taskId", tid, "bulkIndex",
                           (json_int_t)t->bulk_index, "status", status,
                           "result", file, "cause", t->failure_cause));
      else if (file)
        printf("task %s (slice %llu) COMPLETED, result written to %s\n", tid,
               (unsigned long long)t->bulk_index, file);
      else if (!t->result && !o.path)
        printf("task %s (slice %llu) %s%s%s\n", tid,
               (unsigned long long)t->bulk_index, status,
               t->failure_cause ? ": " : "",
               t->failure_cause ? t->failure_cause : "");
    }
    if (arr)
      cli_print_json(json_pack("{s:o}", "tasks", arr));
    if (st) {
      const char *tail = NULL;
      for (size_t i = 0; i < r.n_tasks && !tail; i++)
        tail = r.tasks[i].stderr_tail;
      rc = dp_cli_task_failed(&err, tail);
    }
    decc_dp_bulk_result_clear(&r);
  }
  decc_dp_close(dp);
done:
  for (size_t i = 0; i < ns; i++)
    decc_secure_free(secrets[i]);
  decc_free(items);
  return rc;
}

static int cmd_process(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_process_opts o;
  memset(&o, 0, sizeof o);
  const char *data = NULL, *app = NULL, *pool = NULL, *out = NULL;
  const char *inputs[DECC_DP_MAX_INPUT_FILES], *sfiles[DECC_DP_MAX_SECRETS];
  size_t ni = 0, ns = 0;
  /* bulk: every positional PROTECTED_DATA, --bulk, --bulk-file */
  bulk_cli b;
  memset(&b, 0, sizeof b);
  /* `decc run APP`: the same request without protected data. */
  const int run = !strcmp(argv[0], "run");
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    uint64_t n;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
      return help_or(stdout, run ? RUN_HELP : PROCESS_HELP);
    if (run && (!strcmp(a, "--bulk") || !strcmp(a, "--bulk-file") ||
                !strcmp(a, "--per-task") || !strcmp(a, "--data-max-price") ||
                !strcmp(a, "--app")))
      return cli_usage_error("decc run APP takes no %s (no protected data; "
                             "see decc process)",
                             a);
    if (run && a[0] != '-') {
      if (app)
        return cli_usage_error("decc run takes one APP");
      app = a;
      continue;
    }
    if (!strcmp(a, "--no-encrypt"))
      o.no_encrypt_result = 1;
    else if (!strcmp(a, "--no-wait"))
      o.no_wait = 1;
    else if (!strcmp(a, "--secret") || !strncmp(a, "--secret=", 9))
      return cli_usage_error("secrets are never read from the command line: "
                             "use --secret-file FILE");
    else if (!strcmp(a, "--bulk"))
      b.forced = 1;
    else if (a[0] != '-') {
      if (b.n_args == sizeof b.args / sizeof *b.args)
        return cli_usage_error("too many PROTECTED_DATA arguments: use "
                               "--bulk-file FILE");
      b.args[b.n_args++] = a;
      data = b.args[0];
      continue;
    } else if (i + 1 >= argc)
      return cli_usage_error("%s needs a value (or is unknown)", a);
    else if (!strcmp(a, "--app"))
      app = argv[++i];
    else if (!strcmp(a, "--workerpool"))
      pool = argv[++i];
    else if (!strcmp(a, "--bulk-file"))
      b.file = argv[++i];
    else if (!strcmp(a, "--per-task")) {
      if (parse_u64(&n, argv[++i], a))
        return CLI_USAGE;
      if (n < 1 || n > DECC_DP_BULK_PER_TASK_MAX)
        return cli_usage_error("--per-task must be 1..%d",
                               DECC_DP_BULK_PER_TASK_MAX);
      b.per_task = (uint32_t)n;
    } else if (!strcmp(a, "--data-max-price")) {
      if (parse_amount(&o.data_max_price, argv[++i], a))
        return CLI_USAGE;
      b.data_max_given = 1;
    } else if (!strcmp(a, "--app-max-price")) {
      if (parse_amount(&o.app_max_price, argv[++i], a))
        return CLI_USAGE;
    } else if (!strcmp(a, "--workerpool-max-price")) {
      if (parse_amount(&o.workerpool_max_price, argv[++i], a))
        return CLI_USAGE;
    } else if (!strcmp(a, "--args"))
      o.args = argv[++i];
    else if (!strcmp(a, "--input-file")) {
      if (ni == DECC_DP_MAX_INPUT_FILES)
        return cli_usage_error("too many --input-file");
      inputs[ni++] = argv[++i];
    } else if (!strcmp(a, "--secret-file")) {
      if (ns == DECC_DP_MAX_SECRETS)
        return cli_usage_error("too many --secret-file");
      sfiles[ns++] = argv[++i];
    } else if (!strcmp(a, "--result-key"))
      o.result_key_path = argv[++i];
    else if (!strcmp(a, "--path"))
      o.path = argv[++i];
    else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
      out = argv[++i];
    else if (!strcmp(a, "--timeout") || !strcmp(a, "--category")) {
      if (parse_u64(&n, argv[++i], a))
        return CLI_USAGE;
      if (!strcmp(a, "--category"))
        o.category = n;
      else if (n > 30 * 86400)
        return cli_usage_error("--timeout too large");
      else
        o.timeout_s = (unsigned)n;
    } else
      return cli_usage_error("unknown option '%s'", a);
  }
  if (b.n_args > 1 || b.forced || b.file) {
    if (!app)
      return cli_usage_error("--app is required");
    return process_bulk(&w, &o, &b, app, pool, out, inputs, ni, sfiles, ns);
  }
  if (b.per_task)
    return cli_usage_error("--per-task applies to bulk processing (several "
                           "PROTECTED_DATA, --bulk or --bulk-file)");
  if (run && !app)
    return cli_usage_error("APP is required (the app address)");
  if (!run && (!data || !app))
    return cli_usage_error("PROTECTED_DATA and --app are required");
  if ((!run && dp_cli_address(&o.protected_data, data, "protected data")) ||
      dp_cli_address(&o.app, app, "--app") ||
      (pool && dp_cli_address(&o.workerpool, pool, "--workerpool")))
    return CLI_USAGE;
  o.has_workerpool = pool != NULL;
  /* Without --timeout the CLI waits 5 minutes, not until the task's final
   * deadline (up to 10 × the category time): the result can be fetched
   * later with `decc result get`. */
  if (!o.timeout_s)
    o.timeout_s = 300;
  o.input_files = inputs;
  o.n_input_files = ni;
  char *secrets[DECC_DP_MAX_SECRETS];
  int rc = CLI_OK;
  for (size_t i = 0; i < ns; i++) {
    size_t len;
    if (!(secrets[i] = cli_read_file(sfiles[i], 4096, &len, 1))) {
      for (size_t j = 0; j < i; j++)
        decc_secure_free(secrets[j]);
      return CLI_FAIL;
    }
  }
  o.secrets = (const char *const *)secrets;
  o.n_secrets = ns;
  o.progress = dp_cli_process_progress;
  decc_dp *dp = NULL;
  if ((rc = dp_cli_open(&dp, &w, 1)) == CLI_OK) {
    decc_dp_process_result r;
    decc_err err;
    decc_err_clear(&err);
    decc_status st = decc_dp_process(dp, &r, &o, &err);
    dp_cli_resume_hint(NULL);
    char tid[67], did[67], named[80];
    decc_hex_encode(tid, r.task_id, 32, 1);
    decc_hex_encode(did, r.deal_id, 32, 1);
    snprintf(named, sizeof named, "%s.zip", tid);
    if (st) {
      rc = dp_cli_task_failed(&err, r.stderr_tail);
      if (g_cli.json && r.failure_cause)
        cli_print_json(json_pack("{s:s,s:s,s:s,s:s,s:s?}", "dealId", did,
                                 "taskId", tid, "status", "FAILED", "cause",
                                 r.failure_cause, "stderr", r.stderr_tail));
    } else if (!o.no_wait && r.result) {
      const char *dest = out ? out : (o.path ? NULL : named);
      if (dest)
        rc = cli_write_file_atomic(dest, r.result, r.result_len, 0600);
      else if (!g_cli.json)
        fwrite(r.result, 1, r.result_len, stdout);
      if (rc == CLI_OK && g_cli.json)
        rc = cli_print_json(json_pack("{s:s,s:s,s:s,s:s?}", "dealId", did,
                                      "taskId", tid, "status", "COMPLETED",
                                      "result", dest));
      else if (rc == CLI_OK && dest)
        printf("task %s COMPLETED, result written to %s\n", tid, dest);
    } else if (g_cli.json)
      rc = cli_print_json(
          json_pack("{s:s,s:s}", "dealId", did, "taskId", tid));
    else
      printf("deal %s\ntask %s\n", did, tid);
    decc_dp_process_result_clear(&r);
  }
  decc_dp_close(dp);
  for (size_t i = 0; i < ns; i++)
    decc_secure_free(secrets[i]);
  return rc;
}

/* ---- task logs / result get --------------------------------------------------------- */

int cli_dp_task_logs(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *task = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      puts("usage: decc task logs TASK_ID\n\nPrints the on-chain timeline of "
           "a task (initialize, contributions,\nconsensus, reveal, finalize, "
           "claim) with block numbers and times,\nthen its status.");
      return CLI_OK;
    }
    if (argv[i][0] == '-')
      return cli_usage_error("unknown option '%s'", argv[i]);
    if (task)
      return cli_usage_error("unexpected argument '%s'", argv[i]);
    task = argv[i];
  }
  uint8_t t[32];
  if (!task)
    return cli_usage_error("a task id is required");
  if (dp_cli_hash(t, task, "task id"))
    return CLI_USAGE;
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, 0);
  if (rc != CLI_OK)
    return rc;
  char *text = NULL;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_task_logs(dp, &text, t, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (g_cli.json)
    rc = cli_print_json(json_pack("{s:s,s:s}", "taskId", task, "logs", text));
  else
    fputs(text, stdout);
  decc_free(text);
  return rc;
}

static const char WAIT_HELP[] =
    "usage: decc task wait TASK_ID [--timeout SECONDS] [-o FILE] [--key FILE]\n"
    "         [--path ENTRY] [--no-download] [wallet]\n\n"
    "Waits for a task (one started by 'decc process', or any other): ends\n"
    "when it completes, then downloads and decrypts its result like 'decc\n"
    "result get' (-o default TASK_ID.zip); ends at once with the cause and the\n"
    "app's stderr when a worker of this data directory recorded why it\n"
    "failed (exit 1); gives up after --timeout seconds (default: the task's\n"
    "final deadline).\n\n" WALLET_HELP;

int cli_dp_task_wait(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *task = NULL, *out = NULL, *key = NULL, *path = NULL;
  int no_download = 0;
  decc_dp_wait_opts wo;
  memset(&wo, 0, sizeof wo);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
      return help_or(stdout, WAIT_HELP);
    if (!strcmp(a, "--no-download")) {
      no_download = 1;
      continue;
    }
    if (!strcmp(a, "--timeout")) {
      const char *v = need_val(argc, argv, &i);
      uint64_t n;
      if (!v || parse_u64(&n, v, a))
        return CLI_USAGE;
      if (n > 30 * 86400)
        return cli_usage_error("--timeout too large");
      wo.timeout_s = (unsigned)n;
      continue;
    }
    const char **slot = !strcmp(a, "-o")       ? &out
                        : !strcmp(a, "--key")  ? &key
                        : !strcmp(a, "--path") ? &path
                                               : NULL;
    if (slot) {
      if (!(*slot = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (a[0] == '-')
      return cli_usage_error("unknown option '%s'", a);
    else if (!task)
      task = a;
    else
      return cli_usage_error("unexpected argument '%s'", a);
  }
  uint8_t t[32];
  if (!task)
    return cli_usage_error("a task id is required");
  if (dp_cli_hash(t, task, "task id"))
    return CLI_USAGE;
  char tid[67];
  decc_hex_encode(tid, t, 32, 1);
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, !no_download && key == NULL);
  if (rc != CLI_OK)
    return rc;
  wo.progress = dp_cli_progress;
  dp_cli_resume_hint(tid);
  decc_dp_task_end end;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_wait_task(dp, t, &wo, &end, &err);
  dp_cli_resume_hint(NULL);
  if (st) {
    decc_dp_close(dp);
    rc = dp_cli_task_failed(&err, end.stderr_tail);
    if (g_cli.json && end.cause)
      cli_print_json(json_pack("{s:s,s:s,s:s,s:s?}", "taskId", tid, "status",
                               "FAILED", "cause", end.cause, "stderr",
                               end.stderr_tail));
    decc_dp_task_end_clear(&end);
    return rc;
  }
  decc_dp_task_end_clear(&end);
  if (no_download) {
    decc_dp_close(dp);
    if (g_cli.json)
      return cli_print_json(
          json_pack("{s:s,s:s}", "taskId", tid, "status", "COMPLETED"));
    printf("task %s COMPLETED\n", tid);
    return CLI_OK;
  }
  uint8_t *res = NULL;
  size_t len = 0;
  st = decc_dp_fetch_result(dp, &res, &len, t, key, path, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  char named[80];
  snprintf(named, sizeof named, "%s.zip", tid);
  const char *dest = out ? out : (path ? NULL : named);
  if (dest)
    rc = cli_write_file_atomic(dest, res, len, 0600);
  else
    fwrite(res, 1, len, stdout);
  decc_free(res);
  if (rc == CLI_OK && dest) {
    if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s,s:s,s:s,s:I}", "taskId", tid,
                                    "status", "COMPLETED", "result", dest,
                                    "size", (json_int_t)len));
    else
      printf("task %s COMPLETED, result written to %s (%zu bytes)\n", tid,
             dest, len);
  }
  return rc;
}

int cli_dp_result_get(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *task = NULL, *out = NULL, *key = NULL, *path = NULL,
             *bundle = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs("usage: decc result get TASK_ID [-o FILE] [--key FILE] "
            "[--path ENTRY] [--bundle FILE] [wallet]\n\n"
            "Downloads the result of a completed task, decrypts it with your "
            "result\nkey (default <home>/results/<address>_key) when the deal "
            "asked for\nencryption, and writes the zip to -o (default "
            "TASK_ID.zip) or its entry\nENTRY (to stdout without -o).\n"
            "--bundle FILE also writes the task's provenance bundle (deal, "
            "task, app\nand dataset checksums, the enclave-signed "
            "contribution, chain events\nwith block hashes): check it "
            "offline with 'decc verify FILE'.\n\n"
            WALLET_HELP,
            stdout);
      return CLI_OK;
    }
    const char **slot = !strcmp(a, "-o")       ? &out
                        : !strcmp(a, "--key")  ? &key
                        : !strcmp(a, "--path") ? &path
                        : !strcmp(a, "--bundle") ? &bundle
                                                 : NULL;
    if (slot) {
      if (!(*slot = need_val(argc, argv, &i)))
        return CLI_USAGE;
    } else if (a[0] == '-')
      return cli_usage_error("unknown option '%s'", a);
    else if (!task)
      task = a;
    else
      return cli_usage_error("unexpected argument '%s'", a);
  }
  uint8_t t[32];
  if (!task)
    return cli_usage_error("a task id is required");
  if (dp_cli_hash(t, task, "task id"))
    return CLI_USAGE;
  decc_dp *dp;
  /* The default key path names the requester: a wallet is needed unless
   * --key is given. */
  int rc = dp_cli_open(&dp, &w, key == NULL);
  if (rc != CLI_OK)
    return rc;
  uint8_t *res = NULL;
  size_t len = 0;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_fetch_result(dp, &res, &len, t, key, path, &err);
  if (!st && bundle && /* cmd_verify.c */
      cli_prov_write_bundle(dp, t, res, len, path == NULL, bundle)) {
    decc_dp_close(dp);
    decc_free(res);
    return CLI_FAIL;
  }
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  char named[80];
  decc_hex_encode(named, t, 32, 1);
  strcat(named, ".zip");
  const char *dest = out ? out : (path ? NULL : named);
  if (dest)
    rc = cli_write_file_atomic(dest, res, len, 0600);
  else
    fwrite(res, 1, len, stdout);
  decc_free(res);
  if (rc == CLI_OK && dest) {
    if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s,s:s,s:I}", "taskId", task, "output",
                                    dest, "size", (json_int_t)len));
    else
      printf("result of task %s written to %s (%zu bytes)\n", task, dest, len);
  }
  return rc;
}

/* ---- app / workerpool publish --------------------------------------------------------- */

static const char APP_PUBLISH_HELP[] =
    "usage: decc app publish APP [--price AMOUNT] [--volume N]\n"
    "         [--dataset-restrict ADDRESS] [--workerpool-restrict ADDRESS]\n"
    "         [--requester-restrict ADDRESS|WALLET] [wallet]\n\n"
    "Signs an app order for APP (you must own it) and publishes it on the\n"
    "configured market (config.json \"market\" or \"node\", else the data\n"
    "directory's): tag TEE (0x…09), price default 0 RLC, volume default\n"
    "1000000, no restriction by default. The order is signed for the chain\n"
    "id and hub of the chain in use (read from it).\n" AMOUNT_HELP "\n" WALLET_HELP;

static const char WP_PUBLISH_HELP[] =
    "usage: decc workerpool publish WORKERPOOL [--price AMOUNT] [--volume N]\n"
    "         [--category N] [--trust N] [--app-restrict ADDRESS]\n"
    "         [--dataset-restrict ADDRESS] [--requester-restrict ADDRESS|WALLET]\n"
    "         [wallet]\n\n"
    "Signs a workerpool order for WORKERPOOL (you must own it) and publishes\n"
    "it on the configured market: tag TEE (0x…09), price default 0 RLC,\n"
    "volume default 1, category 0, trust 0, no restriction by default.\n"
    "Signed for the chain id and hub of the chain in use.\n"
    AMOUNT_HELP "\n" WALLET_HELP;

static const char DS_PUBLISH_HELP[] =
    "usage: decc dataset publish DATASET [--price AMOUNT] [--volume N]\n"
    "         [--app-restrict ADDRESS] [--workerpool-restrict ADDRESS]\n"
    "         [--requester-restrict ADDRESS|WALLET] [wallet]\n\n"
    "Signs a dataset order for DATASET (a protected data you own) and\n"
    "publishes it on the configured market, as 'iexec dataset publish': tag\n"
    "TEE (0x…09), price default 0 RLC, volume default 1000000, no\n"
    "restriction by default — then ANY TEE app may process the data for\n"
    "anyone: restrict it, or use 'decc grant' (one app, one user, N uses).\n"
    "Signed for the chain id and hub of the chain in use.\n"
    AMOUNT_HELP "\n" WALLET_HELP;

int cli_dp_publish(int argc, char **argv, int kind) {
  /* kind: 0 app, 1 workerpool, 2 dataset. */
  const int workerpool = kind == 1, dataset = kind == 2;
  static const char *const NAMES[] = {"app", "workerpool", "dataset"};
  const char *what = NAMES[kind < 0 || kind > 2 ? 0 : kind];
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  decc_dp_publish_opts po;
  memset(&po, 0, sizeof po);
  po.volume = workerpool ? 1 : 1000000;
  const char *res = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int k = common_opt(&w, argc, argv, &i);
    if (k >= 10)
      return k - 10;
    if (k)
      continue;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
      return help_or(stdout, workerpool ? WP_PUBLISH_HELP
                             : dataset  ? DS_PUBLISH_HELP
                                        : APP_PUBLISH_HELP);
    if (a[0] != '-') {
      if (res)
        return cli_usage_error("unexpected argument '%s'", a);
      res = a;
      continue;
    }
    const char *v = need_val(argc, argv, &i);
    if (!v)
      return CLI_USAGE;
    decc_address *r =
        !strcmp(a, "--dataset-restrict") && !dataset ? &po.dataset_restrict
        : !strcmp(a, "--requester-restrict")         ? &po.requester_restrict
        : !strcmp(a, "--workerpool-restrict") && !workerpool
            ? &po.workerpool_restrict
        : !strcmp(a, "--app-restrict") && (workerpool || dataset)
            ? &po.app_restrict
            : NULL;
    if (r) {
      if (dp_cli_address(r, v, a))
        return CLI_USAGE;
    } else if (!strcmp(a, "--price")) {
      if (parse_amount(&po.price, v, a))
        return CLI_USAGE;
    } else if (!strcmp(a, "--volume") ||
               (workerpool &&
                (!strcmp(a, "--category") || !strcmp(a, "--trust")))) {
      uint64_t n;
      if (parse_u64(&n, v, a))
        return CLI_USAGE;
      if (!strcmp(a, "--volume")) {
        if (!n)
          return cli_usage_error("--volume must be at least 1");
        po.volume = n;
      } else if (!strcmp(a, "--category"))
        po.category = n;
      else
        po.trust = n;
    } else
      return cli_usage_error("unknown option '%s'", a);
  }
  if (!res)
    return cli_usage_error("%s publish needs the %s address", what, what);
  decc_address addr;
  if (dp_cli_address(&addr, res, what))
    return CLI_USAGE;
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, 1);
  if (rc != CLI_OK)
    return rc;
  uint8_t h[32];
  decc_err err;
  decc_err_clear(&err);
  decc_status st =
      workerpool ? decc_dp_publish_workerpoolorder(dp, h, &addr, &po, &err)
      : dataset  ? decc_dp_publish_datasetorder(dp, h, &addr, &po, &err)
                 : decc_dp_publish_apporder(dp, h, &addr, &po, &err);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  char hx[67], price[96];
  decc_hex_encode(hx, h, 32, 1);
  decc_dp_format_rlc(price, &po.price);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s,s:s,s:s,s:I}", "orderHash", hx,
                                    what, res, "price", price, "volume",
                                    (json_int_t)po.volume));
  printf("%s order %s published: price %s, volume %llu, tag TEE\n", what, hx,
         price, (unsigned long long)po.volume);
  return CLI_OK;
}

/* ---- entry points ---------------------------------------------------------------------------- */

int cli_cmd_protect(int argc, char **argv) { return cmd_protect(argc, argv); }
int cli_cmd_grant(int argc, char **argv) { return cmd_grant(argc, argv); }
int cli_cmd_grants(int argc, char **argv) { return cmd_grants(argc, argv); }
int cli_cmd_revoke(int argc, char **argv) { return cmd_revoke(argc, argv); }
int cli_cmd_ls(int argc, char **argv) { return cmd_ls(argc, argv); }
int cli_cmd_transfer(int argc, char **argv) { return cmd_transfer(argc, argv); }
int cli_cmd_process(int argc, char **argv) { return cmd_process(argc, argv); }
int cli_cmd_run(int argc, char **argv) { return cmd_process(argc, argv); }
