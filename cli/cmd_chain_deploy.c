/*
 * cmd_chain_deploy.c — `decc chain deploy`: puts PoCo 6.1.0, the standard
 * categories and decc's DataProtector on an EVM chain reached over JSON-RPC
 * (decc_poco_deploy), prints the addresses and saves them as the profile
 * <home>/chains/<name>.json that `--chain <name>` selects
 * (docs/internals/deploy.md has the format and the re-run rule).
 *
 * Re-running is safe: when a profile of the same chain id exists and its
 * contracts answer as a deployment on the chain (decc_poco_deployment_check:
 * code everywhere, hub views agree), the command prints "found" and sends
 * nothing; --force deploys a new set. The key comes from a file or a
 * keystore, never from argv.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "decc/deploy.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "dp_cli.h"

#define PROFILE_MAX (64u * 1024u)
/* Bounds of one deployment transaction / request (every step is bounded). */
#define RECEIPT_TIMEOUT_MS 120000u
#define REQUEST_TIMEOUT_MS 30000u

int cli_cmd_chain_deploy(int argc, char **argv);

static const char DEPLOY_HELP[] =
    "usage: decc chain deploy --rpc URL KEY [--name PROFILE] [--artifacts "
    "DIR]\n"
    "                         [--dataprotector-artifact FILE] [--force] "
    "[--json]\n\n"
    "Deploys PoCo 6.1.0 (from the @iexec/poco artifacts), the five standard\n"
    "categories and decc's DataProtector, then saves the addresses as\n"
    "<home>/chains/PROFILE.json (default PROFILE: chain-<chainId>). A chain\n"
    "whose profile already points at a live deployment is reported as found\n"
    "and nothing is sent (--force deploys again).\n"
    "KEY: the wallet options below (the deployer pays every transaction and\n"
    "owns the hub and the registries).\n";

/* ---- balance (eth_getBalance: the chain interface has no balance view) --- */

static int get_balance(const char *url, const decc_address *a, decc_u256 *out) {
  char hex[DECC_ADDRESS_HEX_LEN], body[160];
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\","
           "\"params\":[\"%s\",\"latest\"]}",
           decc_address_to_hex(hex, a));
  static const char *const headers[] = {"Content-Type: application/json", NULL};
  decc_http_reply rep;
  decc_err err;
  decc_err_clear(&err);
  decc_status s =
      decc_http_fetch(&rep, "POST", url, headers, body, strlen(body), 1u << 16,
                      REQUEST_TIMEOUT_MS, &err);
  int ok = 0;
  if (s == DECC_OK && rep.status == 200) {
    json_error_t je;
    json_t *j = json_loadb((const char *)rep.body.data, rep.body.len, 0, &je);
    const char *r = json_string_value(json_object_get(j, "result"));
    ok = r && decc_u256_parse(out, r) == DECC_OK;
    json_decref(j);
  }
  decc_buf_clear(&rep.body);
  return ok ? 0 : -1;
}

/* "1.5 ETH (1500000000000000000 wei)": native units, 18 decimals. */
static void fmt_balance(char *out, size_t cap, const decc_u256 *wei) {
  char dec[DECC_U256_DEC_LEN], eth[DECC_U256_DEC_LEN + 24];
  decc_u256_to_dec(dec, wei);
  size_t n = strlen(dec), k = 0;
  if (n > 18) {
    memcpy(eth, dec, n - 18);
    k = n - 18;
  } else
    eth[k++] = '0';
  eth[k++] = '.';
  for (size_t z = n; z < 18; z++)
    eth[k++] = '0';
  memcpy(eth + k, n > 18 ? dec + n - 18 : dec, n > 18 ? 18 : n);
  k += n > 18 ? 18 : n;
  while (eth[k - 1] == '0')
    k--;
  if (eth[k - 1] == '.')
    k--;
  eth[k] = 0;
  snprintf(out, cap, "%s ETH (%s wei)", eth, dec);
}

/* ---- profiles ------------------------------------------------------------- */

typedef struct profile {
  char name[256];
  char rpc[1024];
  uint64_t chain_id;
  decc_chain_addresses a;
  decc_address deployer;
  uint64_t block;
} profile;

static json_t *profile_json(const profile *p) {
  char h[6][DECC_ADDRESS_HEX_LEN], dep[DECC_ADDRESS_HEX_LEN];
  return json_pack(
      "{ss ss sI ss ss ss ss ss ss ss sI}", "name", p->name, "rpc", p->rpc,
      "chainId", (json_int_t)p->chain_id, "hub",
      decc_address_to_checksum(h[0], &p->a.hub), "appRegistry",
      decc_address_to_checksum(h[1], &p->a.app_registry), "datasetRegistry",
      decc_address_to_checksum(h[2], &p->a.dataset_registry),
      "workerpoolRegistry",
      decc_address_to_checksum(h[3], &p->a.workerpool_registry), "token",
      decc_address_to_checksum(h[4], &p->a.token), "dataprotector",
      decc_address_to_checksum(h[5], &p->a.dataprotector), "deployer",
      decc_address_to_checksum(dep, &p->deployer), "block",
      (json_int_t)p->block);
}

/* Reads a complete profile (every address present); 0 or -1 (silently:
 * an unusable profile just means "not found"). */
static int profile_read(profile *p, const char *path) {
  memset(p, 0, sizeof *p);
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  char *text = decc_malloc(PROFILE_MAX + 1);
  size_t n = text ? fread(text, 1, PROFILE_MAX + 1, f) : 0;
  fclose(f);
  if (!text || n > PROFILE_MAX) {
    decc_free(text);
    return -1;
  }
  json_error_t je;
  json_t *j = json_loadb(text, n, 0, &je);
  decc_free(text);
  const char *keys[] = {
      "hub",   "appRegistry",   "datasetRegistry", "workerpoolRegistry",
      "token", "dataprotector", "deployer"};
  decc_address *dst[] = {&p->a.hub,
                         &p->a.app_registry,
                         &p->a.dataset_registry,
                         &p->a.workerpool_registry,
                         &p->a.token,
                         &p->a.dataprotector,
                         &p->deployer};
  const char *name = json_string_value(json_object_get(j, "name"));
  const char *rpc = json_string_value(json_object_get(j, "rpc"));
  json_t *id = json_object_get(j, "chainId");
  json_t *blk = json_object_get(j, "block");
  int rc = json_is_object(j) && name && rpc && json_is_integer(id) &&
                   json_integer_value(id) > 0 && json_is_integer(blk) &&
                   json_integer_value(blk) >= 0 &&
                   strlen(name) < sizeof p->name && strlen(rpc) < sizeof p->rpc
               ? 0
               : -1;
  for (size_t i = 0; rc == 0 && i < sizeof keys / sizeof *keys; i++) {
    const char *s = json_string_value(json_object_get(j, keys[i]));
    if (!s || decc_address_parse(dst[i], s, NULL) != DECC_OK)
      rc = -1;
  }
  if (rc == 0) {
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->rpc, sizeof p->rpc, "%s", rpc);
    p->chain_id = (uint64_t)json_integer_value(id);
    p->block = (uint64_t)json_integer_value(blk);
  }
  json_decref(j);
  return rc;
}

static int profile_write(const profile *p, const char *home) {
  char dir[4200], path[4200];
  if (cli_profile_path(path, sizeof path, home, p->name) != CLI_OK)
    return CLI_FAIL;
  snprintf(dir, sizeof dir, "%s/chains", home);
  if (mkdir(home, 0700) != 0 && errno != EEXIST)
    return cli_fail("%s: %s", home, strerror(errno));
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    return cli_fail("%s: %s", dir, strerror(errno));
  json_t *j = profile_json(p);
  char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(j);
  if (!text)
    return cli_fail("out of memory");
  size_t n = strlen(text);
  char *withnl = decc_malloc(n + 2);
  int rc = CLI_FAIL;
  if (withnl) {
    memcpy(withnl, text, n);
    withnl[n] = '\n';
    rc = cli_write_file_atomic(path, withnl, n + 1, 0644);
    decc_free(withnl);
  } else
    cli_fail("out of memory");
  free(text);
  return rc;
}

/* Looks for a live deployment of chain_id among the profiles: the one
 * named `name` first, then every other profile in <home>/chains. Prints why a
 * profile of this chain was not reused. Returns 1 (found, *out filled), 0. */
static int find_existing(decc_chain *c, const char *home, const char *name,
                         uint64_t chain_id, profile *out) {
  char path[4200], dir[4200];
  int n_names = 0;
  char(*names)[256] = NULL;
  if (cli_profile_path(path, sizeof path, home, name) == CLI_OK) {
    names = decc_malloc(sizeof *names);
    if (names)
      snprintf(names[n_names++], sizeof *names, "%s", name);
  }
  snprintf(dir, sizeof dir, "%s/chains", home);
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && names && (e = readdir(d)) != NULL && n_names < 1024) {
    size_t l = strlen(e->d_name);
    if (l < 6 || l - 5 >= sizeof *names || strcmp(e->d_name + l - 5, ".json"))
      continue;
    char nm[256];
    snprintf(nm, sizeof nm, "%.*s", (int)(l - 5), e->d_name);
    if (!strcmp(nm, name))
      continue;
    void *grown = decc_malloc((size_t)(n_names + 1) * sizeof *names);
    if (!grown)
      break;
    memcpy(grown, names, (size_t)n_names * sizeof *names);
    decc_free(names);
    names = grown;
    snprintf(names[n_names++], sizeof *names, "%s", nm);
  }
  if (d)
    closedir(d);
  int found = 0;
  for (int i = 0; i < n_names && !found; i++) {
    profile p;
    snprintf(path, sizeof path, "%s/chains/%s.json", home, names[i]);
    if (profile_read(&p, path) != 0 || p.chain_id != chain_id)
      continue;
    decc_err err;
    decc_err_clear(&err);
    if (decc_poco_deployment_check(c, &p.a, &err) == DECC_OK) {
      *out = p;
      found = 1;
    } else if (!g_cli.quiet)
      /* Also under --json (stderr): the user should know why a profile
       * they may rely on is being replaced by a new deployment. */
      fprintf(stderr, "decc: profile %s: %s; not reused\n", names[i], err.msg);
  }
  decc_free(names);
  return found;
}

/* ---- output ---------------------------------------------------------------- */

static int print_result(const profile *p, const char *path, int found) {
  if (g_cli.json) {
    json_t *j = profile_json(p);
    if (j) {
      json_object_set_new(j, "found", json_boolean(found));
      json_object_set_new(j, "profile", json_string(path));
    }
    return cli_print_json(j);
  }
  char h[DECC_ADDRESS_HEX_LEN];
  printf("%s PoCo 6.1.0 on chain %llu (%s)\n", found ? "found" : "deployed",
         (unsigned long long)p->chain_id, p->rpc);
  printf("hub                 %s\n", decc_address_to_checksum(h, &p->a.hub));
  printf("appRegistry         %s\n",
         decc_address_to_checksum(h, &p->a.app_registry));
  printf("datasetRegistry     %s\n",
         decc_address_to_checksum(h, &p->a.dataset_registry));
  printf("workerpoolRegistry  %s\n",
         decc_address_to_checksum(h, &p->a.workerpool_registry));
  printf("token               %s\n", decc_address_to_checksum(h, &p->a.token));
  printf("dataprotector       %s\n",
         decc_address_to_checksum(h, &p->a.dataprotector));
  printf("deployer            %s\n", decc_address_to_checksum(h, &p->deployer));
  printf("block               %llu\n", (unsigned long long)p->block);
  printf("profile             %s (use: decc --chain %s …)\n", path, p->name);
  return CLI_OK;
}

/* Progress: a header before the first transaction (not earlier, so input
 * errors found before anything is sent stay one line), then one line per
 * transaction. */
typedef struct progress_ctx {
  int started;
  const char *artifacts;
  const profile *p;
} progress_ctx;

static void on_progress(void *user, const char *step, const char *what,
                        const decc_receipt *r) {
  progress_ctx *pc = user;
  char a[DECC_ADDRESS_HEX_LEN];
  if (!pc->started) {
    pc->started = 1;
    cli_progress("deploying PoCo %s from %s as %s on chain %llu",
                 DECC_POCO_DEPLOY_VERSION, pc->artifacts,
                 decc_address_to_checksum(a, &pc->p->deployer),
                 (unsigned long long)pc->p->chain_id);
  }
  if (!strcmp(step, "deploy"))
    cli_progress("deployed %s at %s (block %llu)", what,
                 decc_address_to_checksum(a, &r->contract_address),
                 (unsigned long long)r->block_number);
  else
    cli_progress("%s %s (block %llu)", step, what,
                 (unsigned long long)r->block_number);
}

/* ---- the command ------------------------------------------------------------ */

/* $DECC_ENGINES_DIR/chain/poco, default ${XDG_CACHE_HOME:-~/.cache}/
 * decc-engines/chain/poco (where tools/engines/install.sh puts it). */
static int default_artifacts(char *out, size_t cap) {
  const char *eng = getenv("DECC_ENGINES_DIR");
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *h = getenv("HOME");
  int n;
  if (eng && *eng)
    n = snprintf(out, cap, "%s/chain/poco", eng);
  else if (xdg && *xdg)
    n = snprintf(out, cap, "%s/decc-engines/chain/poco", xdg);
  else if (h && *h)
    n = snprintf(out, cap, "%s/.cache/decc-engines/chain/poco", h);
  else
    return cli_fail("no --artifacts and no DECC_ENGINES_DIR, XDG_CACHE_HOME "
                    "or HOME to find the @iexec/poco artifacts");
  if (n < 0 || (size_t)n >= cap)
    return cli_fail("artifacts path too long");
  return CLI_OK;
}

int cli_cmd_chain_deploy(int argc, char **argv) {
  const char *rpc = NULL, *name = NULL, *artifacts = NULL, *dp_art = NULL;
  int force = 0;
  cli_key_opts key;
  memset(&key, 0, sizeof key);
  cli_opt opts[] = {
      {"rpc", 0, CLI_OPT_STR, &rpc, "URL", "http(s):// JSON-RPC endpoint", 0, 0,
       0},
      {"name", 0, CLI_OPT_STR, &name, "PROFILE",
       "the profile name (default chain-<chainId>)", 0, 0, 0},
      {"artifacts", 0, CLI_OPT_STR, &artifacts, "DIR",
       "the @iexec/poco 6.1.0 package (default $DECC_ENGINES_DIR/chain/poco, "
       "installed by tools/engines/install.sh chain)",
       0, 0, 0},
      {"dataprotector-artifact", 0, CLI_OPT_STR, &dp_art, "FILE",
       "a DataProtector artifact to deploy (default: the one built into decc)",
       0, 0, 0},
      {"force", 0, CLI_OPT_FLAG, &force, NULL,
       "deploy again even when the profile's deployment is live", 0, 0, 0},
      {"json", 0, CLI_OPT_FLAG, &g_cli.json, NULL, "structured output", 0, 0,
       0},
      {0}};
  cli_spec spec = {"chain deploy", DEPLOY_HELP, opts, &key, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (!rpc)
    return cli_cmd_usage(spec.cmd, "chain deploy: --rpc URL is required");
  if (strncmp(rpc, "http://", 7) && strncmp(rpc, "https://", 8))
    return cli_cmd_usage(
        spec.cmd, "chain deploy: --rpc '%s' is not an http(s):// URL", rpc);
  if (strlen(rpc) >= sizeof(((profile *)0)->rpc))
    return cli_cmd_usage(spec.cmd, "chain deploy: --rpc URL too long");
  char home[4096], path[4200], art_dir[4096];
  if (dp_cli_home(home, sizeof home) != 0)
    return CLI_FAIL;
  if (name && !*name)
    return cli_cmd_usage(spec.cmd, "chain deploy: --name is empty");
  if (name && cli_profile_path(path, sizeof path, home, name) != CLI_OK)
    return CLI_USAGE;
  if (!artifacts) {
    if (default_artifacts(art_dir, sizeof art_dir) != CLI_OK)
      return CLI_FAIL;
    artifacts = art_dir;
  }
  uint8_t *sk = NULL;
  int rc = cli_key_load(&key, &sk);
  if (rc != CLI_OK)
    return rc;

  decc_err err;
  decc_err_clear(&err);
  decc_chain *c = NULL;
  decc_chain_addresses none;
  memset(&none, 0, sizeof none);
  decc_chain_jsonrpc_opts jo;
  memset(&jo, 0, sizeof jo);
  jo.request_timeout_ms = REQUEST_TIMEOUT_MS;
  jo.receipt_timeout_ms = RECEIPT_TIMEOUT_MS;
  jo.poll_ms = 50;
  profile p;
  memset(&p, 0, sizeof p);
  if (decc_chain_open_jsonrpc_ex(&c, rpc, &none, &jo, &err) != DECC_OK) {
    rc = cli_fail("%s: %s", rpc, err.msg);
    goto out;
  }
  if (decc_chain_id(c, &p.chain_id, &err) != DECC_OK) {
    rc = cli_fail("cannot reach the chain at %s: %s", rpc, err.msg);
    goto out;
  }
  if (!name) {
    snprintf(p.name, sizeof p.name, "chain-%llu",
             (unsigned long long)p.chain_id);
    name = p.name;
  } else
    snprintf(p.name, sizeof p.name, "%s", name);
  snprintf(p.rpc, sizeof p.rpc, "%s", rpc);
  if ((rc = cli_profile_path(path, sizeof path, home, p.name)) != CLI_OK)
    goto out;
  if (decc_address_from_privkey(&p.deployer, sk) != DECC_OK) {
    rc = cli_fail("invalid private key");
    goto out;
  }

  if (!force) {
    profile old;
    if (find_existing(c, home, p.name, p.chain_id, &old)) {
      /* Keep the found deployment under the requested name, reached
       * through this URL (the one that answered). */
      int rewrite = strcmp(old.name, p.name) || strcmp(old.rpc, p.rpc);
      snprintf(old.name, sizeof old.name, "%s", p.name);
      snprintf(old.rpc, sizeof old.rpc, "%s", p.rpc);
      if (rewrite && (rc = profile_write(&old, home)) != CLI_OK)
        goto out;
      rc = print_result(&old, path, 1);
      goto out;
    }
  }

  decc_u256 bal;
  char hex[DECC_ADDRESS_HEX_LEN], fb[160];
  if (get_balance(rpc, &p.deployer, &bal) == 0 && decc_u256_is_zero(&bal)) {
    fmt_balance(fb, sizeof fb, &bal);
    rc = cli_fail("deployer %s has %s on chain %llu (%s): fund it to pay "
                  "for the deployment",
                  decc_address_to_checksum(hex, &p.deployer), fb,
                  (unsigned long long)p.chain_id, rpc);
    goto out;
  }
  uint64_t head = 0;
  if (decc_chain_block_number(c, &head, &err) != DECC_OK) {
    rc = cli_fail("cannot reach the chain at %s: %s", rpc, err.msg);
    goto out;
  }
  /* Nothing of this deployment exists before the next block. */
  p.block = head + 1;
  progress_ctx pc = {0, artifacts, &p};
  decc_poco_deploy_opts o;
  memset(&o, 0, sizeof o);
  o.artifacts_dir = artifacts;
  o.dataprotector_artifact = dp_art;
  o.progress = on_progress;
  o.user = &pc;
  decc_status s = decc_poco_deploy(c, sk, &o, &p.a, &err);
  if (s != DECC_OK) {
    if (strcasestr(err.msg, "insufficient funds") &&
        get_balance(rpc, &p.deployer, &bal) == 0) {
      fmt_balance(fb, sizeof fb, &bal);
      rc = cli_fail("deployer %s has %s on chain %llu, not enough: %s",
                    decc_address_to_checksum(hex, &p.deployer), fb,
                    (unsigned long long)p.chain_id, err.msg);
    } else
      rc = cli_fail("%s", err.msg[0] ? err.msg : decc_strerror(s));
    goto out;
  }
  if ((rc = profile_write(&p, home)) != CLI_OK)
    goto out;
  rc = print_result(&p, path, 0);
out:
  decc_chain_destroy(c);
  decc_secure_free(sk);
  return rc;
}
