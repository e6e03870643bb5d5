/*
 * cmd_init.c — `decc init`: sets up the data directory a user works in, as
 * `iexec init` sets up an iExec project: the directory layout (and the
 * embedded ledger when the chain is the local one), config.json naming the
 * default wallet (and the chain with --chain), and a new wallet when there
 * is none yet (its password from --password-file or a no-echo prompt, like
 * `iexec init`'s wallet creation). It never overwrites: an existing wallet
 * or config key is kept and reported. `decc dev` is the one-command local
 * stack; `decc init` is for a user's own identity (e.g. before pointing
 * --chain at a remote chain).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/keys.h"
#include "decc/mem.h"
#include "dev_stack.h"
#include "dp_cli.h"

static const char INIT_HELP[] =
    "usage: decc init [--wallet NAME] [--password-file FILE] "
    "[--skip-wallet]\n\n"
    "Sets up the data directory (--home, $DECC_HOME or ~/.decc), as "
    "iexec init\n"
    "does for a project:\n"
    "  - its layout, and the embedded ledger when the chain in use is "
    "the\n"
    "    local one (decc --chain URL|PROFILE init records that chain "
    "in\n"
    "    config.json instead);\n"
    "  - a wallet NAME (default \"main\") when <home>/wallets has none: "
    "a new\n"
    "    random key, its password from --password-file or asked twice "
    "without\n"
    "    echo (--skip-wallet: none);\n"
    "  - config.json: \"wallet\" (the default wallet of every command) "
    "and\n"
    "    \"chain\", only where they are not set yet.\n"
    "Nothing existing is overwritten. Then: decc wallet show; decc dev "
    "for a\n"
    "local stack with funded dev wallets.\n";

/* Names of the wallets in <home>/wallets (first one in *first, count). */
static size_t count_wallets(const char *home, char *first, size_t cap) {
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/wallets", home);
  size_t n = 0;
  first[0] = '\0';
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json"))
      continue;
    if (!n || strcmp(e->d_name, first) < 0)
      snprintf(first, cap, "%.*s", (int)(len - 5), e->d_name);
    n++;
  }
  closedir(d);
  return n;
}

int cli_cmd_init(int argc, char **argv) {
  const char *name = NULL, *pwfile = NULL, *password = NULL;
  int skip = 0;
  cli_opt opts[] = {
      {"wallet", 0, CLI_OPT_STR, &name, "NAME",
       "the wallet to create when there is none (default main)", 0, 0, 0},
      {"password-file", 0, CLI_OPT_STR, &pwfile, "FILE",
       "its password, first line (default: asked twice without echo)", 0, 0, 0},
      {"skip-wallet", 0, CLI_OPT_FLAG, &skip, NULL, "create no wallet", 0, 0,
       0},
      /* Named so that it is refused with the reason, never taken. */
      {"password", 0, CLI_OPT_STR, &password, "-",
       "refused: passwords are never taken from the command line", 0, 0, 0},
      {0}};
  cli_spec spec = {"init", INIT_HELP, opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (password)
    return cli_cmd_usage("init",
                         "--password: passwords are never taken from the "
                         "command line; use --password-file FILE (or the "
                         "no-echo prompt)");
  if (skip && (name || pwfile))
    return cli_cmd_usage("init", "--skip-wallet excludes --wallet and "
                                 "--password-file");
  char home[4096];
  if (dp_cli_home(home, sizeof home) != 0)
    return CLI_FAIL;
  if (mkdir(home, 0700) != 0 && errno != EEXIST)
    return cli_fail("%s: %s", home, strerror(errno));

  /* The chain: recorded when given, the embedded one created when local. */
  cli_chain_target t;
  int rc = cli_chain_target_resolve(&t);
  if (rc != CLI_OK)
    return rc;
  json_t *cfg = NULL;
  char path[4200];
  snprintf(path, sizeof path, "%s/config.json", home);
  if (access(path, F_OK) == 0) {
    size_t len = 0;
    char *text = cli_read_file(path, 64 * 1024, &len, 0);
    if (!text)
      return CLI_FAIL;
    json_error_t je;
    cfg = json_loadb(text, len, 0, &je);
    decc_free(text);
    if (!json_is_object(cfg)) {
      json_decref(cfg);
      return cli_fail("%s: not a JSON object (line %d: %s): fix or remove it",
                      path, je.line, je.text);
    }
  } else if (!(cfg = json_object()))
    return cli_fail("out of memory");
  int changed = 0;
  const char *chain_cfg = json_string_value(json_object_get(cfg, "chain"));
  if (g_cli.chain && !chain_cfg) {
    json_object_set_new(cfg, "chain", json_string(g_cli.chain));
    changed = 1;
  }

  /* The wallet. */
  char first[256], wpath[4200] = "";
  decc_address addr;
  int have_addr = 0, created = 0;
  size_t n = count_wallets(home, first, sizeof first);
  const char *cfg_wallet = json_string_value(json_object_get(cfg, "wallet"));
  const char *wallet = NULL;
  /* --wallet NAME: that wallet (created when missing); without it "main"
   * when there is no wallet at all. */
  const char *target = skip ? NULL : name ? name : n == 0 ? "main" : NULL;
  if (target) {
    char p[4200];
    snprintf(p, sizeof p, "%s/wallets/%s.json", home, target);
    if (access(p, F_OK) != 0) {
      if ((rc = cli_wallet_new(target, pwfile, &addr, wpath, sizeof wpath)) !=
          CLI_OK) {
        json_decref(cfg);
        return rc;
      }
      created = 1;
      have_addr = !cfg_wallet || !strcmp(cfg_wallet, target);
    }
    wallet = target;
  } else if (n == 1)
    wallet = first;
  static char wname[256];
  if (wallet && !cfg_wallet) {
    snprintf(wname, sizeof wname, "%s", wallet);
    json_object_set_new(cfg, "wallet", json_string(wname));
    changed = 1;
  }
  const char *dflt = cfg_wallet ? cfg_wallet : wallet;
  if (cfg_wallet && target && strcmp(cfg_wallet, target))
    cli_progress("config.json keeps \"%s\" as the default wallet (use "
                 "--wallet %s per command, or edit %s)",
                 cfg_wallet, target, path);
  if (dflt && !have_addr &&
      dp_cli_ref_address(&addr, dflt, "default wallet") == 0)
    have_addr = 1;
  char dflt_copy[256];
  snprintf(dflt_copy, sizeof dflt_copy, "%s", dflt ? dflt : "");

  if (changed) {
    char *out = json_dumps(cfg, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!out) {
      json_decref(cfg);
      return cli_fail("out of memory");
    }
    size_t len = strlen(out);
    out[len] = '\n'; /* the NUL's room holds the newline */
    rc = cli_write_file_atomic(path, out, len + 1, 0600);
    free(out);
    if (rc != CLI_OK) {
      json_decref(cfg);
      return rc;
    }
  }
  json_decref(cfg);

  /* The layout and, for the local chain, the ledger: opening the data
   * directory creates them. */
  decc_dp *dp = NULL;
  dp_cli_opts none;
  memset(&none, 0, sizeof none);
  if ((rc = dp_cli_open(&dp, &none, 0)) != CLI_OK)
    return rc;
  uint64_t chain_id = 0;
  decc_err err;
  decc_err_clear(&err);
  if (decc_chain_id(decc_dp_chain(dp), &chain_id, &err) != DECC_OK) {
    decc_dp_close(dp);
    return cli_fail("chain: %s", err.msg);
  }
  decc_dp_close(dp);

  char a[DECC_ADDRESS_HEX_LEN] = "";
  if (have_addr)
    decc_address_to_checksum(a, &addr);
  if (g_cli.json)
    return cli_print_json(json_pack(
        "{s:s,s:s,s:I,s:s?,s:s?,s:b,s:s?,s:b}", "home", home, "chain",
        t.embedded ? "embedded" : t.label, "chainId", (json_int_t)chain_id,
        "wallet", dflt_copy[0] ? dflt_copy : NULL, "address", a[0] ? a : NULL,
        "walletCreated", created, "keystore", created ? wpath : NULL,
        "configChanged", changed));
  printf("data directory  %s\n", home);
  printf("chain           %s (chain id %llu)\n",
         t.embedded ? "embedded ledger" : t.label,
         (unsigned long long)chain_id);
  if (dflt_copy[0])
    printf("default wallet  %s %s%s\n", dflt_copy, a,
           created && target && !strcmp(dflt_copy, target) ? "  (created now)"
                                                           : "");
  else
    printf("default wallet  none (%s)\n",
           n > 1 ? "several wallets: set one with decc init --wallet NAME"
                 : "create one with decc init or decc wallet create");
  if (created)
    printf("keystore        %s (new; keep its password: it cannot be "
           "recovered)\n",
           wpath);
  printf("config          %s%s\n", path, changed ? " (updated)" : "");
  printf("\nNext: decc wallet show; decc dev for a local stack with funded "
         "dev wallets;\n      decc protect DATA.json to protect data.\n");
  return CLI_OK;
}
