/*
 * cli_chain.c — which chain a `decc` command talks to, decided the same way
 * for every command (docs/chains.md):
 *
 *   chain:  --chain X > $DECC_CHAIN > "chain" in <home>/config.json >
 *           "node" in config.json > the embedded ledger
 *           X = "embedded", an http(s):// JSON-RPC URL, or the name of a
 *           profile <home>/chains/<name>.json (written by `decc chain
 *           deploy`: URL, chain id and every PoCo address)
 *   hub:    --hub > $DECC_HUB > "hub" in config.json > the profile's >
 *           decc's default dev genesis hub (what a `decc node` runs)
 *   DataProtector: --dataprotector > $DECC_DATAPROTECTOR > "dataprotector"
 *           in config.json > the profile's > the default genesis one
 *
 * A remote chain is opened through decc_hub_open_remote: its chain id is
 * asked (an unreachable URL is an error naming it), a profile's chain id
 * must match, the hub must have code, and the registries and token are read
 * from the hub. Nothing is ever sent to an address without code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "decc/hub.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "dp_cli.h"

#define PROFILE_MAX (64u * 1024u)

static int parse_addr(decc_address *out, const char *s, const char *what) {
  decc_err err;
  decc_err_clear(&err);
  if (decc_address_parse(out, s, &err) != DECC_OK)
    return cli_usage_error("%s: %s", what, err.msg);
  return CLI_OK;
}

static int is_url(const char *s) {
  return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

int cli_profile_path(char *out, size_t cap, const char *home,
                     const char *name) {
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.') ||
        (p == name && *p == '.'))
      return cli_usage_error("chain profile name '%s': use letters, digits, "
                             "'-', '_' and '.' only",
                             name);
  int n = snprintf(out, cap, "%s/chains/%s.json", home, name);
  if (n < 0 || (size_t)n >= cap)
    return cli_fail("chain profile path too long");
  return CLI_OK;
}

/* Reads a profile written by `decc chain deploy` into t. */
static int load_profile(cli_chain_target *t, const char *home,
                        const char *name) {
  char path[4200];
  if (cli_profile_path(path, sizeof path, home, name) != CLI_OK)
    return CLI_USAGE;
  if (access(path, F_OK) != 0)
    return cli_fail("unknown chain '%s': not 'embedded', not an http(s):// "
                    "URL, and no profile %s (create one with 'decc chain "
                    "deploy --rpc URL --name %s')",
                    name, path, name);
  size_t len = 0;
  char *text = cli_read_file(path, PROFILE_MAX, &len, 0);
  if (!text)
    return CLI_FAIL;
  json_error_t je;
  json_t *j = json_loadb(text, len, 0, &je);
  decc_free(text);
  const char *rpc = json_string_value(json_object_get(j, "rpc"));
  const char *hub = json_string_value(json_object_get(j, "hub"));
  const char *dp = json_string_value(json_object_get(j, "dataprotector"));
  json_t *id = json_object_get(j, "chainId");
  int rc = CLI_OK;
  if (!json_is_object(j) || !rpc || !is_url(rpc) || !hub ||
      !json_is_integer(id) || json_integer_value(id) <= 0)
    rc = cli_fail("%s: not a chain profile (needs \"rpc\" URL, \"chainId\" "
                  "and \"hub\"; write it with 'decc chain deploy')",
                  path);
  else if (strlen(rpc) >= sizeof t->url)
    rc = cli_fail("%s: rpc URL too long", path);
  if (rc == CLI_OK) {
    snprintf(t->url, sizeof t->url, "%s", rpc);
    t->chain_id = (uint64_t)json_integer_value(id);
    decc_err err;
    decc_err_clear(&err);
    if (decc_address_parse(&t->hub, hub, &err) != DECC_OK ||
        (dp && decc_address_parse(&t->dataprotector, dp, &err) != DECC_OK))
      rc = cli_fail("%s: %s", path, err.msg);
    t->has_hub = 1;
    t->has_dataprotector = dp != NULL;
  }
  json_decref(j);
  return rc;
}

int cli_chain_target_resolve(cli_chain_target *t) {
  memset(t, 0, sizeof *t);
  char home[4096];
  if (dp_cli_home(home, sizeof home) != 0)
    return CLI_FAIL;
  dp_cli_config cfg;
  if (dp_cli_config_load(&cfg, home) != CLI_OK)
    return CLI_FAIL;
  const char *spec = g_cli.chain;
  const char *from = "--chain";
  if (!spec) {
    const char *e = getenv("DECC_CHAIN");
    if (e && *e) {
      spec = e;
      from = "DECC_CHAIN";
    }
  }
  if (!spec && cfg.chain) {
    spec = cfg.chain;
    from = "config.json \"chain\"";
  }
  if (!spec && cfg.node) {
    spec = cfg.node;
    from = "config.json \"node\"";
  }
  int rc = CLI_OK;
  if (!spec || !strcmp(spec, "embedded")) {
    t->embedded = 1;
    snprintf(t->label, sizeof t->label, "embedded");
  } else if (is_url(spec)) {
    if (strlen(spec) >= sizeof t->url)
      rc = cli_usage_error("%s: URL too long", from);
    else {
      snprintf(t->url, sizeof t->url, "%s", spec);
      snprintf(t->label, sizeof t->label, "%.255s", spec);
    }
  } else {
    rc = load_profile(t, home, spec);
    snprintf(t->label, sizeof t->label, "%.255s", spec);
  }
  if (rc == CLI_OK && t->embedded && (g_cli.hub || g_cli.dataprotector))
    rc = cli_usage_error("--hub and --dataprotector apply to an EVM chain "
                         "(--chain URL|PROFILE); the embedded ledger's "
                         "addresses are those of its genesis");
  /* Explicit addresses override the profile's and the defaults. */
  const char *hub = g_cli.hub;
  if (!hub && (hub = getenv("DECC_HUB")) && !*hub)
    hub = NULL;
  if (!hub)
    hub = cfg.hub;
  const char *dp = g_cli.dataprotector;
  if (!dp && (dp = getenv("DECC_DATAPROTECTOR")) && !*dp)
    dp = NULL;
  if (!dp)
    dp = cfg.dataprotector;
  if (rc == CLI_OK && hub) {
    rc = parse_addr(&t->hub, hub, "hub");
    t->has_hub = 1;
  }
  if (rc == CLI_OK && dp) {
    rc = parse_addr(&t->dataprotector, dp, "dataprotector");
    t->has_dataprotector = 1;
  }
  if (rc == CLI_OK && !t->embedded && (!t->has_hub || !t->has_dataprotector)) {
    /* A bare URL: decc's default dev genesis, which is what `decc node`
     * serves; any other chain is refused at open time when no hub code is
     * found there. */
    decc_genesis g;
    if (decc_genesis_default(&g) != DECC_OK)
      rc = cli_fail("out of memory");
    else {
      if (!t->has_hub)
        t->hub = g.addr.hub;
      if (!t->has_dataprotector)
        t->dataprotector = g.addr.dataprotector;
      t->has_hub = t->has_dataprotector = 1;
      decc_genesis_clear(&g);
    }
  }
  dp_cli_config_clear(&cfg);
  return rc;
}

int cli_chain_open_target(decc_chain **out, const cli_chain_target *t,
                          int need_dataprotector) {
  *out = NULL;
  decc_err err;
  decc_err_clear(&err);
  if (t->embedded) {
    char home[4096], path[4200];
    if (dp_cli_home(home, sizeof home) != 0)
      return CLI_FAIL;
    int n = snprintf(path, sizeof path, "%s/%s", home, DECC_DP_LEDGER_FILE);
    if (n < 0 || (size_t)n >= sizeof path)
      return cli_fail("data directory path too long");
    decc_status s = decc_chain_open_embedded(out, path, &err);
    if (s == DECC_E_NOT_FOUND)
      return cli_fail("no ledger at %s (run 'decc chain init', or choose "
                      "another chain with --chain URL|PROFILE)",
                      path);
    if (s != DECC_OK)
      return cli_fail("%s: %s", path, err.msg[0] ? err.msg : decc_strerror(s));
    if (need_dataprotector) {
      decc_chain_addresses a;
      if (decc_chain_get_addresses(*out, &a, &err) != DECC_OK ||
          decc_hub_require_code(*out, &a.dataprotector, "DataProtector",
                                &err) != DECC_OK) {
        decc_chain_destroy(*out);
        *out = NULL;
        return cli_fail_err(&err);
      }
    }
    return CLI_OK;
  }
  decc_hub_remote r;
  memset(&r, 0, sizeof r);
  r.url = t->url;
  r.hub = t->hub;
  r.has_dataprotector = t->has_dataprotector;
  r.dataprotector = t->dataprotector;
  r.require_dataprotector = need_dataprotector;
  r.expect_chain_id = t->chain_id;
  if (decc_hub_open_remote(out, &r, &err) != DECC_OK)
    return cli_fail_err(&err);
  return CLI_OK;
}

int cli_chain_open(decc_chain **out, int need_dataprotector) {
  cli_chain_target t;
  int rc = cli_chain_target_resolve(&t);
  if (rc != CLI_OK)
    return rc;
  return cli_chain_open_target(out, &t, need_dataprotector);
}
