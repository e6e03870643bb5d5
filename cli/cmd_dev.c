/*
 * cmd_dev.c — `decc dev`: a ready local stack in one command, as `anvil` is
 * for Ethereum. In the data directory every other command uses (--home,
 * $DECC_HOME, ~/.decc) it makes sure of:
 *   - the dev chain: the embedded ledger (default dev genesis, chain id
 *     31337 or --chain-id; an existing ledger is reused, its id checked);
 *   - funded dev wallets in the wallet store: alice, bob, pool, worker (dev
 *     accounts 1-4, public keys like anvil's), each with a password file
 *     next to it so that no command asks for a password;
 *   - a workerpool owned by "pool" with a free open order, and a platform
 *     key for the worker's software enclave;
 * then runs a `decc node` with every role — chain JSON-RPC, store, market,
 * SMS (trusting that platform), scheduler and worker — in the foreground
 * until Ctrl-C / SIGTERM, so that `decc protect`, `grant` and `process` in
 * another terminal run tasks at once. The state stays in the data
 * directory: running `decc dev` again resumes with the same wallets,
 * workerpool and data. The set-up steps shared with `decc demo` live in
 * dev_stack.c; the services are the node's (decc/node.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/encoding.h"
#include "decc/keys.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/node.h"
#include "dev_stack.h"
#include "dp_cli.h"

#define DEV_POOL_DESCRIPTION "decc dev workerpool"
#define DEV_POOL_VOLUME 1000000u

static const struct {
  const char *name;
  unsigned index; /* dev account of the genesis */
  const char *role;
} WALLETS[] = {
    {"alice", 1, "data owner (default wallet)"},
    {"bob", 2, "requester, app developer"},
    {"pool", 3, "workerpool owner (scheduler)"},
    {"worker", 4, "worker"},
};
#define N_WALLETS (sizeof WALLETS / sizeof WALLETS[0])

static const char DEV_HELP[] =
    "usage: decc dev [--port N] [--bind ADDR] [--chain-id N] [--log]\n\n"
    "Brings up a ready local stack in the data directory (--home,\n"
    "$DECC_HOME or ~/.decc) and runs it until Ctrl-C, like anvil:\n"
    "  - the dev chain (embedded ledger; chain id 31337 unless --chain-id,\n"
    "    which only applies when the ledger is created);\n"
    "  - dev wallets alice, bob, pool, worker (dev accounts 1-4: 1,000,000\n"
    "    RLC each, 1,000 RLC deposited; their keys are public, never use\n"
    "    them for value) imported into <home>/wallets with password files;\n"
    "    \"alice\" becomes the default wallet when config.json names none;\n"
    "  - a workerpool owned by pool with a free order (category 0);\n"
    "  - a node with every role on http://ADDR:N (127.0.0.1:8545):\n"
    "    Ethereum JSON-RPC, market API, SMS (trusting the worker's\n"
    "    platform key), store (Kubo RPC and /ipfs gateway), scheduler\n"
    "    and worker (the enclave sandbox needs root); browser pages of\n"
    "    any origin may call it (CORS, like anvil).\n"
    "Then, in another terminal: decc protect / grant / process … with\n"
    "--wallet alice|bob. Running decc dev again resumes the same state.\n"
    "--json prints the stack (wallets, workerpool, URL) as one JSON\n"
    "object once it is ready.\n";

/* The ledger: created with chain id `want` (0 = the default genesis) when
 * missing; otherwise its chain id is checked against want. Out: *info. */
static int dev_chain(const char *home, uint64_t want, decc_ledger_info *info) {
  char dir[4200], path[4300];
  snprintf(dir, sizeof dir, "%s/chain", home);
  snprintf(path, sizeof path, "%s/%s", home, DECC_DP_LEDGER_FILE);
  if (cli_mkdir_p(dir) != CLI_OK)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  if (access(path, F_OK) != 0) {
    decc_genesis g;
    if (decc_genesis_default(&g) != DECC_OK)
      return cli_fail("no default genesis");
    if (want)
      g.chain_id = want;
    decc_status st = decc_ledger_init(path, &g, &err);
    decc_genesis_clear(&g);
    if (st && st != DECC_E_EXISTS)
      return cli_fail("creating the dev chain %s: %s", path, err.msg);
  }
  decc_ledger *l = NULL;
  if (decc_ledger_open(&l, path, &err) != DECC_OK ||
      decc_ledger_get_info(l, info, &err) != DECC_OK) {
    decc_ledger_close(l);
    return cli_fail("%s: %s", path, err.msg);
  }
  decc_ledger_close(l);
  if (want && info->chain_id != want)
    return cli_fail("the ledger of %s has chain id %llu, not %llu "
                    "(--chain-id applies to a new ledger: use another --home)",
                    home, (unsigned long long)info->chain_id,
                    (unsigned long long)want);
  return CLI_OK;
}

/* A 0x-hex key file (0600) the node reads; kept when already there. */
static int key_file(const char *path, const uint8_t sk[32]) {
  if (access(path, F_OK) == 0)
    return CLI_OK;
  char hex[DECC_HEX32_LEN];
  decc_hex_encode(hex, sk, 32, 1);
  int rc = cli_write_file_atomic(path, hex, 66, 0600);
  decc_memzero(hex, sizeof hex);
  return rc;
}

/* The platform key of the worker's software enclave: random, made once,
 * so that the SMS trusts the same platform across restarts. */
static int platform_key(const char *path, decc_address *platform) {
  uint8_t *sk = decc_secure_alloc(32);
  if (!sk)
    return cli_fail("out of memory");
  int rc = CLI_OK;
  if (access(path, F_OK) != 0) {
    if (decc_privkey_generate(sk) != DECC_OK)
      rc = cli_fail("no randomness");
    else
      rc = key_file(path, sk);
  } else {
    cli_key_opts k = {NULL, NULL, path, NULL};
    uint8_t *loaded = NULL;
    rc = cli_key_load(&k, &loaded);
    if (rc == CLI_OK) {
      memcpy(sk, loaded, 32);
      decc_secure_free(loaded);
    }
  }
  if (rc == CLI_OK && decc_address_from_privkey(platform, sk) != DECC_OK)
    rc = cli_fail("%s: not a valid key", path);
  decc_secure_free(sk);
  return rc;
}

/* <home>/config.json as a JSON object (an empty one when missing). */
static json_t *config_read(const char *home) {
  char path[4200];
  snprintf(path, sizeof path, "%s/config.json", home);
  if (access(path, F_OK) != 0) {
    json_t *j = json_object();
    if (!j)
      cli_fail("out of memory");
    return j;
  }
  size_t len = 0;
  char *text = cli_read_file(path, 64 * 1024, &len, 0);
  if (!text)
    return NULL;
  json_error_t je;
  json_t *j = json_loadb(text, len, 0, &je);
  decc_free(text);
  if (!json_is_object(j)) {
    json_decref(j);
    cli_fail("%s: not a JSON object (line %d: %s)", path, je.line, je.text);
    return NULL;
  }
  return j;
}

/* Writes j (consumed) as <home>/config.json, atomically. */
static int config_write(const char *home, json_t *j) {
  char path[4200];
  snprintf(path, sizeof path, "%s/config.json", home);
  char *out = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!out)
    return cli_fail("out of memory");
  size_t n = strlen(out);
  out[n] = '\n'; /* dumps leaves room for the NUL, reused for the newline */
  int rc = cli_write_file_atomic(path, out, n + 1, 0600);
  free(out);
  return rc;
}

/* Adds "wallet": name to config.json when it names none (other keys
 * untouched), and refuses a config that sends the commands to services
 * other than this stack's ("node", "chain", "sms", "ipfs" elsewhere;
 * "market" is managed by config_market).
 * Out: *is_default = 1 when name is the configured wallet. */
static int config_prepare(const char *home, const char *name, int *is_default) {
  json_t *j = config_read(home);
  if (!j)
    return CLI_FAIL;
  static const char *const ELSEWHERE[] = {"node", "chain", "sms", "ipfs"};
  for (size_t i = 0; i < sizeof ELSEWHERE / sizeof ELSEWHERE[0]; i++) {
    json_t *v = json_object_get(j, ELSEWHERE[i]);
    if (v &&
        !(json_is_string(v) && !strcmp(json_string_value(v), "embedded"))) {
      json_decref(j);
      return cli_fail("%s/config.json sends commands to \"%s\" elsewhere: "
                      "remove that key, or run decc dev with another --home",
                      home, ELSEWHERE[i]);
    }
  }
  json_t *w = json_object_get(j, "wallet");
  if (w) {
    *is_default = json_is_string(w) && !strcmp(json_string_value(w), name);
    json_decref(j);
    return CLI_OK;
  }
  *is_default = 1;
  json_object_set_new(j, "wallet", json_string(name));
  return config_write(home, j);
}

/* While the stack runs, "market" in config.json is its URL: the node's
 * chain watcher must be the only writer of the orderbook (two writers
 * would subtract a matched volume twice, docs/api/dataprotector.md). On
 * stop (restore = 1) the previous value comes back, or the key goes. The
 * URL written is also kept in <devdir>/market.url until the stop, so that
 * after a crash (SIGKILL) the stale URL is not taken for the user's own. */
static int config_market(const char *home, const char *devdir, const char *url,
                         char *prev, size_t prev_cap, int restore) {
  char mark[4300];
  snprintf(mark, sizeof mark, "%s/market.url", devdir);
  json_t *j = config_read(home);
  if (!j)
    return CLI_FAIL;
  if (!restore) {
    json_t *m = json_object_get(j, "market");
    prev[0] = '\0';
    if (json_is_string(m)) {
      size_t len = 0;
      char *ours =
          access(mark, F_OK) == 0 ? cli_read_file(mark, 1024, &len, 0) : NULL;
      if (!ours || strcmp(ours, json_string_value(m)))
        snprintf(prev, prev_cap, "%s", json_string_value(m));
      decc_free(ours);
    }
    if (cli_write_file_atomic(mark, url, strlen(url), 0600) != CLI_OK) {
      json_decref(j);
      return CLI_FAIL;
    }
    json_object_set_new(j, "market", json_string(url));
  } else if (prev[0])
    json_object_set_new(j, "market", json_string(prev));
  else
    json_object_del(j, "market");
  int rc = config_write(home, j);
  if (rc == CLI_OK && restore)
    unlink(mark);
  return rc;
}

static void node_log(void *ctx, const char *line) {
  (void)ctx;
  if (!g_cli.quiet)
    fprintf(stderr, "decc dev: %s\n", line);
}

typedef struct dev_state {
  decc_address addr[N_WALLETS];
  char rlc[N_WALLETS][96], deposited[N_WALLETS][96];
  int is_default[N_WALLETS];
  decc_address wp, platform;
  int published;
} dev_state;

/* Everything before the node starts. */
static int dev_setup(const char *home, const char *devdir, dev_state *s) {
  decc_err err;
  decc_err_clear(&err);
  uint8_t *sk = decc_secure_alloc(32);
  if (!sk)
    return cli_fail("out of memory");
  int rc = CLI_OK;
  char path[4300];
  for (size_t i = 0; rc == CLI_OK && i < N_WALLETS; i++) {
    if (decc_ledger_dev_key(sk, WALLETS[i].index) != DECC_OK) {
      rc = cli_fail("cannot derive dev account %u", WALLETS[i].index);
      break;
    }
    rc = cli_dev_wallet_save(home, WALLETS[i].name, sk, &s->addr[i]);
    /* The node reads the scheduler's and the worker's keys from files. */
    if (rc == CLI_OK && (!strcmp(WALLETS[i].name, "pool") ||
                         !strcmp(WALLETS[i].name, "worker"))) {
      snprintf(path, sizeof path, "%s/%s.key", devdir, WALLETS[i].name);
      rc = key_file(path, sk);
    }
  }
  snprintf(path, sizeof path, "%s/platform.key", devdir);
  if (rc == CLI_OK)
    rc = platform_key(path, &s->platform);
  int dflt = 0;
  if (rc == CLI_OK)
    rc = config_prepare(home, "alice", &dflt);
  s->is_default[0] = dflt;
  decc_dp *dp = NULL;
  decc_dp_config c;
  memset(&c, 0, sizeof c);
  c.home = home;
  c.no_init = 1;
  if (rc == CLI_OK && decc_dp_open(&dp, &c, &err) != DECC_OK)
    rc = cli_fail("opening %s: %s", home, err.msg);
  if (rc == CLI_OK &&
      (decc_ledger_dev_key(sk, 3) != DECC_OK ||
       decc_dp_set_signer(dp, sk, &err) != DECC_OK ||
       cli_dev_pool_ready(dp, DEV_POOL_DESCRIPTION, 0, DEV_POOL_VOLUME, &s->wp,
                          &s->published, &err) != DECC_OK))
    rc = cli_fail("workerpool: %s", err.msg[0] ? err.msg : "error");
  for (size_t i = 0; rc == CLI_OK && i < N_WALLETS; i++) {
    decc_dp_balance b;
    if (decc_dp_get_balance(dp, &s->addr[i], &b, &err) != DECC_OK) {
      rc = cli_fail("balance of %s: %s", WALLETS[i].name, err.msg);
      break;
    }
    decc_dp_format_rlc(s->rlc[i], &b.wallet);
    decc_dp_format_rlc(s->deposited[i], &b.stake);
  }
  decc_dp_close(dp);
  decc_secure_free(sk);
  return rc;
}

static void print_ready(const char *home, const char *url,
                        const decc_ledger_info *info, const dev_state *s) {
  char a[DECC_ADDRESS_HEX_LEN], b[DECC_ADDRESS_HEX_LEN],
      hub[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(hub, &info->addr.hub);
  if (g_cli.json) {
    json_t *ws = json_array();
    for (size_t i = 0; i < N_WALLETS; i++)
      json_array_append_new(
          ws,
          json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "name", WALLETS[i].name,
                    "address", decc_address_to_checksum(a, &s->addr[i]), "role",
                    WALLETS[i].role, "balance", s->rlc[i], "deposited",
                    s->deposited[i], "default", s->is_default[i]));
    cli_print_json(
        json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:o}", "home", home, "url", url,
                  "chainId", (json_int_t)info->chain_id, "hub", hub,
                  "workerpool", decc_address_to_checksum(a, &s->wp), "platform",
                  decc_address_to_checksum(b, &s->platform), "wallets", ws));
    fflush(stdout);
    return;
  }
  printf("decc dev: local stack ready in %s\n\n", home);
  printf("Chain     %s  (Ethereum JSON-RPC, chain id %llu, hub %s)\n", url,
         (unsigned long long)info->chain_id, hub);
  printf("Market    %s  (iExec market API)\n", url);
  printf("SMS       %s  (trusts platform %s)\n", url,
         decc_address_to_checksum(a, &s->platform));
  printf("Store     %s/api/v0/add, %s/ipfs/CID\n", url, url);
  printf("Workerpool %s  (free order, category 0%s; its scheduler and "
         "worker run here)\n\n",
         decc_address_to_checksum(a, &s->wp),
         s->published ? ", published now" : "");
  printf("Wallets (in %s/wallets; dev keys are public: never hold value "
         "with them)\n",
         home);
  for (size_t i = 0; i < N_WALLETS; i++)
    printf("  %-7s %s  %s, %s deposited  %s%s\n", WALLETS[i].name,
           decc_address_to_checksum(a, &s->addr[i]), s->rlc[i], s->deposited[i],
           WALLETS[i].role,
           i == 0 && !s->is_default[0] ? " (config.json names another "
                                         "default wallet)"
                                       : "");
  const char *env = getenv("DECC_HOME");
  int need_home = g_cli.home || (env && *env);
  printf("\nNext, in another terminal:\n");
  if (need_home)
    printf("  export DECC_HOME=%s\n", home);
  printf("  decc app init hello && decc app deploy hello --wallet bob\n"
         "  decc app publish APP --wallet bob            # a free app order\n"
         "  echo '{\"email\":\"alice@example.com\"}' > rec.json\n"
         "  decc protect rec.json --wallet alice         # -> PD\n"
         "  decc grant PD --app APP --user bob --wallet alice\n"
         "  decc process PD --app APP --wallet bob       # runs here, "
         "prints the result\n"
         "\nCtrl-C stops the stack; its state stays in %s (run decc dev "
         "again to resume).\n",
         home);
  fflush(stdout);
}

int cli_cmd_dev(int argc, char **argv) {
  const char *bind = "127.0.0.1";
  uint64_t chain_id = 0, port_n = 8545;
  int log = 0;
  cli_opt opts[] = {{"port", 0, CLI_OPT_U64, &port_n, "N",
                     "listen port (8545; 0 = any free port)", 0, 65535, 0},
                    {"bind", 0, CLI_OPT_STR, &bind, "ADDR",
                     "listen address (127.0.0.1)", 0, 0, 0},
                    {"chain-id", 0, CLI_OPT_U64, &chain_id, "N",
                     "chain id of a new ledger (31337)", 1, 0xffffffffu, 0},
                    {"log", 0, CLI_OPT_FLAG, &log, NULL,
                     "one line per HTTP request on stderr", 0, 0, 0},
                    {0}};
  cli_spec spec = {"dev", DEV_HELP, opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  char port[8];
  snprintf(port, sizeof port, "%u", (unsigned)port_n);
  /* Signals are blocked before anything starts, so that only this thread
   * receives them (sigwait) and the shutdown stays out of handlers; a
   * Ctrl-C during the set-up stays pending and stops the stack as soon as
   * it is up (a blocked signal is kept even when the parent shell made it
   * ignored, as non-interactive shells do for background jobs). */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  char home[4096], devdir[4200];
  if (dp_cli_home(home, sizeof home) != 0)
    return CLI_FAIL;
  snprintf(devdir, sizeof devdir, "%s/dev", home);
  if (cli_mkdir_p(devdir) != CLI_OK)
    return CLI_FAIL;
  decc_ledger_info info;
  dev_state s;
  memset(&s, 0, sizeof s);
  if (dev_chain(home, chain_id, &info) != CLI_OK ||
      dev_setup(home, devdir, &s) != CLI_OK)
    return CLI_FAIL;
  if (geteuid() != 0)
    fprintf(stderr, "decc dev: warning: not root: the worker's enclave "
                    "sandbox needs root (namespaces, mounts); tasks will "
                    "fail until decc dev runs as root\n");

  decc_node_config cfg;
  decc_node_config_init(&cfg);
  decc_err err;
  decc_err_clear(&err);
  char wp[DECC_ADDRESS_HEX_LEN], plat[DECC_ADDRESS_HEX_LEN], pool_key[4300],
      worker_key[4300], plat_key[4300];
  decc_address_to_checksum(wp, &s.wp);
  decc_address_to_checksum(plat, &s.platform);
  snprintf(pool_key, sizeof pool_key, "%s/pool.key", devdir);
  snprintf(worker_key, sizeof worker_key, "%s/worker.key", devdir);
  snprintf(plat_key, sizeof plat_key, "%s/platform.key", devdir);
  const char *kv[][2] = {
      {"home", home},
      {"bind", bind},
      {"port", port},
      {"roles", "all"},
      {"workerpool", wp},
      {"scheduler_key_file", pool_key},
      {"worker_key_file", worker_key},
      {"platform_key_file", plat_key},
      {"sms_trusted_platforms", plat},
      {"workerpool_poll_ms", "200"},
      {"market_poll_ms", "200"},
      {"log_requests", log ? "true" : "false"},
      /* like anvil: a dApp served from any local origin may call the
       * stack from the browser (the dev keys are public anyway) */
      {"cors_origins", "*"},
      {"enclave_exec", cli_self_exe()},
  };
  int rc = CLI_FAIL;
  decc_node *node = NULL;
  for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
    if (kv[i][1] && /* enclave_exec: NULL when /proc is not mounted */
        decc_node_config_set(&cfg, kv[i][0], kv[i][1], &err) != DECC_OK) {
      rc = cli_usage_error("%s", err.msg);
      goto out;
    }

  if (decc_node_create(&node, &cfg, node_log, NULL, &err) != DECC_OK ||
      decc_node_start(node, &err) != DECC_OK) {
    rc = cli_fail("starting the stack: %s", err.msg);
    goto out;
  }
  char url[300];
  snprintf(url, sizeof url, "http://%s:%u", bind,
           (unsigned)decc_node_port(node));
  char prev_market[1024];
  if (config_market(home, devdir, url, prev_market, sizeof prev_market, 0) !=
      CLI_OK)
    goto out;
  print_ready(home, url, &info, &s);
  int sig = 0;
  while (sigwait(&set, &sig) != 0)
    ;
  if (!g_cli.json)
    fprintf(stderr, "\ndecc dev: %s: stopping the stack…\n",
            sig == SIGTERM ? "SIGTERM" : "Ctrl-C");
  decc_node_destroy(node);
  node = NULL;
  if (config_market(home, devdir, NULL, prev_market, sizeof prev_market, 1) !=
      CLI_OK)
    goto out;
  if (!g_cli.json)
    fprintf(stderr, "decc dev: stopped; state kept in %s\n", home);
  rc = CLI_OK;
out:
  decc_node_destroy(node);
  decc_node_config_clear(&cfg);
  return rc;
}
