/*
 * cmd_node.c — `decc node`: runs the node (decc/node.h) in the foreground
 * until SIGTERM or SIGINT, then shuts down cleanly (in-flight requests
 * finish, the watcher stops, every service is closed).
 *
 * Configuration precedence: flags > environment (DECC_NODE_<KEY>,
 * DECC_HOME) > --config FILE > defaults. The signals are blocked before
 * the node starts its threads so that only this thread receives them
 * (sigwait), which keeps the shutdown path out of signal handlers.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "cli.h"
#include "decc/mem.h"
#include "decc/node.h"
#include "node_cli.h"

static const char NODE_HELP[] =
    "usage: decc node [--config FILE] [--port-file FILE] [--print-config]\n"
    "                 [--KEY VALUE ...]\n\n"
    "Runs decc's services over HTTP until SIGTERM/SIGINT.\n\n"
    "configuration keys (flag --key-name, underscores accepted too; env\n"
    "DECC_NODE_KEY_NAME; file \"key_name\"):\n"
    "  home               data directory (also --home / DECC_HOME; default "
    "~/.decc)\n"
    "  bind, port         listen address (127.0.0.1) and port (8545; 0 = any "
    "free)\n"
    "  roles              comma list of "
    "chain,store,market,sms,scheduler,worker,\n"
    "                     all, none (default chain,store,market,sms)\n"
    "  threads, max_connections, timeout, max_body, max_header_bytes, "
    "max_upload,\n"
    "  rpc_max_batch      server limits\n"
    "  chain_url, sms_url, store_url, scheduler_url   remote services "
    "(URLs);\n"
    "                     decc --chain URL|PROFILE node … sets chain_url and "
    "hub\n"
    "  genesis, hub       genesis JSON used when the ledger is created; PoCo "
    "hub\n"
    "                     of chain_url (default: a decc node's)\n"
    "  workerpool, scheduler_key_file, worker_key_file, platform_key_file,\n"
    "  workerpool_poll_ms scheduler / worker roles (keys are 0x-hex files)\n"
    "  scheduler_workers  worker addresses the scheduler API serves (all)\n"
    "  market_poll_ms, market_refresh_s, market_auth, challenge_ttl\n"
    "  sms_passphrase_file, sms_trusted_platforms\n"
    "  tee_backend, tsm_dir, tsm_entry   worker TEE: software (default) or "
    "tdx\n"
    "  sms_dcap_policy_file, sms_dcap_collateral_file, sms_dcap_pccs_url\n"
    "                     the SMS's policy for TDX quotes and its "
    "collateral\n"
    "  cors_origins       origins whose browser pages may call the node: "
    "*, or a\n"
    "                     comma list of scheme://host[:port] (none)\n"
    "  log_requests       one line per request on stderr (true)\n"
    "  log_json           the log as one JSON object per line (false):\n"
    "                     {\"ts\",\"msg\"}, request lines also method, "
    "path,\n"
    "                     status, ms, peer (--log-json true)\n"
    "Metrics: GET /metrics (Prometheus text format, docs/operations.md).\n\n"
    "Precedence: flags > environment > config file > defaults.\n"
    "Routes: docs/api/http.md. Exit status: 0 after a clean shutdown, 1 on "
    "a\n"
    "startup failure, 2 on a usage error.\n";

static int g_log_json; /* log_json: set once before the node starts */

/* One JSON log object: {"ts","msg"} and, for the HTTP server's request
 * lines ("GET /path 200 0.3ms 127.0.0.1"), method, path, status, ms, peer
 * as fields so that a log pipeline need not parse the message. */
static void log_json_line(const char *ts, const char *line) {
  json_t *j = json_pack("{s:s,s:s}", "ts", ts, "msg", line);
  if (!j)
    return;
  char method[16], path[400], peer[80];
  int status = 0;
  double ms = 0;
  int used = 0;
  if (sscanf(line, "%15[A-Z] %399s %d %lfms %79s%n", method, path, &status, &ms,
             peer, &used) == 5 &&
      line[used] == 0 && path[0] == '/') {
    json_object_set_new(j, "method", json_string(method));
    json_object_set_new(j, "path", json_string(path));
    json_object_set_new(j, "status", json_integer(status));
    json_object_set_new(j, "ms", json_real(ms));
    json_object_set_new(j, "peer", json_string(peer));
  }
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (s)
    fprintf(stderr, "%s\n", s);
  free(s);
}

static void log_line(void *ctx, const char *line) {
  (void)ctx;
  if (g_cli.quiet)
    return;
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct tm tm;
  time_t t = tv.tv_sec;
  gmtime_r(&t, &tm);
  char ts[32], tsm[64];
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(tsm, sizeof tsm, "%s.%03ldZ", ts, (long)(tv.tv_usec / 1000));
  if (g_log_json)
    log_json_line(tsm, line);
  else
    fprintf(stderr, "%s decc-node: %s\n", tsm, line);
}

/* Room for a configuration key's name (the longest is 24 bytes). */
#define NODE_KEY_MAX 48

/* The option table of the node: --config, --port-file, --print-config,
 * then one string option per configuration key, spelled with dashes
 * (max_body → --max-body), its value in vals[i] for key i. The key list is
 * the node's (decc_node_config_key), so a new key is a new flag. */
typedef struct node_opts {
  cli_opt *opts;
  const char **vals;
  char (*names)[NODE_KEY_MAX];
  char (*helps)[NODE_KEY_MAX + 32];
  size_t n_keys;
} node_opts;

static void node_opts_free(node_opts *t) {
  decc_free(t->opts);
  decc_free(t->vals);
  decc_free(t->names);
  decc_free(t->helps);
}

#define NODE_FIXED_OPTS 3

static int node_opts_build(node_opts *t, const char **config_file,
                           const char **port_file, int *print_config) {
  memset(t, 0, sizeof *t);
  while (decc_node_config_key(t->n_keys))
    t->n_keys++;
  size_t n = t->n_keys;
  t->opts = decc_calloc(n + NODE_FIXED_OPTS + 1, sizeof *t->opts);
  t->vals = decc_calloc(n ? n : 1, sizeof *t->vals);
  t->names = decc_calloc(n ? n : 1, sizeof *t->names);
  t->helps = decc_calloc(n ? n : 1, sizeof *t->helps);
  if (!t->opts || !t->vals || !t->names || !t->helps) {
    node_opts_free(t);
    return cli_fail("out of memory");
  }
  cli_opt fixed[NODE_FIXED_OPTS] = {
      {"config", 0, CLI_OPT_STR, config_file, "FILE",
       "JSON object of configuration keys", 0, 0, 0},
      {"port-file", 0, CLI_OPT_STR, port_file, "FILE",
       "once listening, write the bound port (decimal and a newline) to "
       "FILE, atomically",
       0, 0, 0},
      {"print-config", 0, CLI_OPT_FLAG, print_config, NULL,
       "print the effective configuration as JSON and exit", 0, 0, 0},
  };
  memcpy(t->opts, fixed, sizeof fixed);
  for (size_t i = 0; i < n; i++) {
    const char *key = decc_node_config_key(i);
    size_t len = strlen(key);
    if (len >= NODE_KEY_MAX) { /* never with the node's keys */
      node_opts_free(t);
      return cli_fail("configuration key %.40s… too long", key);
    }
    for (size_t k = 0; k <= len; k++)
      t->names[i][k] = key[k] == '_' ? '-' : key[k];
    snprintf(t->helps[i], sizeof t->helps[i], "configuration key %s", key);
    cli_opt *o = &t->opts[NODE_FIXED_OPTS + i];
    o->name = t->names[i];
    o->kind = CLI_OPT_STR;
    o->dest = &t->vals[i];
    o->arg = "VALUE";
    o->help = t->helps[i];
  }
  return CLI_OK;
}

/* The keys may also be spelled as in the file and the environment, with
 * underscores (--scheduler_key_file): the option words of argv are
 * rewritten in place to the table's dashes. Values are left alone: the
 * word after an option that takes one is skipped, as cli_parse does. */
static void dash_keys(const cli_opt *opts, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (a[0] != '-' || a[1] != '-')
      continue;
    if (!a[2]) /* "--": the rest are arguments */
      return;
    char *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
    for (size_t k = 0; k < len; k++)
      if (a[2 + k] == '_')
        a[2 + k] = '-';
    for (const cli_opt *o = opts; o->name && !eq; o++)
      if (strlen(o->name) == len && !memcmp(o->name, a + 2, len)) {
        i += o->kind != CLI_OPT_FLAG; /* its value */
        break;
      }
  }
}

int cli_node_main(const char *cmd, const char *help, const char *roles,
                  int argc, char **argv) {
  const char *config_file = NULL, *port_file = NULL;
  int print_config = 0;
  node_opts nt;
  int rc = node_opts_build(&nt, &config_file, &port_file, &print_config);
  if (rc != CLI_OK)
    return rc;
  cli_spec spec = {cmd, help, nt.opts, NULL, 0, NULL};
  int np;
  dash_keys(nt.opts, argc, argv);
  rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN) {
    node_opts_free(&nt);
    return rc;
  }
  if (roles)
    for (size_t i = 0; i < nt.n_keys; i++)
      if (nt.vals[i] && !strcmp(decc_node_config_key(i), "roles")) {
        node_opts_free(&nt);
        return cli_cmd_usage(cmd,
                             "--roles is fixed to %s here; use decc node for "
                             "other roles",
                             roles);
      }
  decc_node_config cfg;
  decc_node_config_init(&cfg);
  decc_err err;
  decc_err_clear(&err);
  rc = CLI_FAIL;
  decc_node *node = NULL;
  if (config_file && decc_node_config_load_file(&cfg, config_file, &err)) {
    rc = cli_fail_err(&err);
    goto out;
  }
  if (decc_node_config_load_env(&cfg, &err)) {
    rc = cli_fail_err(&err);
    goto out;
  }
  if (g_cli.home && decc_node_config_set(&cfg, "home", g_cli.home, &err)) {
    rc = cli_fail_err(&err);
    goto out;
  }
  /* `decc --chain URL|PROFILE node …`: the chain every command uses
   * (cli_chain.c) becomes chain_url and hub; the node's own flags below
   * still override it. */
  if (g_cli.chain) {
    cli_chain_target t;
    if ((rc = cli_chain_target_resolve(&t)) != CLI_OK)
      goto out;
    rc = CLI_FAIL;
    if (!t.embedded) {
      char hub[DECC_ADDRESS_HEX_LEN];
      decc_address_to_checksum(hub, &t.hub);
      if (decc_node_config_set(&cfg, "chain_url", t.url, &err) ||
          decc_node_config_set(&cfg, "hub", hub, &err)) {
        rc = cli_fail_err(&err);
        goto out;
      }
    }
  }
  /* The flags last: they override the file, the environment and the
   * global --chain. A fixed role list (worker, scheduler) is set here. */
  if (roles && decc_node_config_set(&cfg, "roles", roles, &err)) {
    rc = cli_fail_err(&err);
    goto out;
  }
  for (size_t i = 0; i < nt.n_keys; i++) {
    if (!nt.vals[i])
      continue;
    if (decc_node_config_set(&cfg, decc_node_config_key(i), nt.vals[i], &err)) {
      rc = cli_cmd_usage(cmd, "%s", err.msg);
      goto out;
    }
  }
  if (!cfg.home) {
    const char *h = getenv("HOME");
    char def[4096];
    if (!h || snprintf(def, sizeof def, "%s/.decc", h) >= (int)sizeof def) {
      rc = cli_fail("no data directory: use --home or set DECC_HOME");
      goto out;
    }
    if (decc_node_config_set(&cfg, "home", def, &err)) {
      rc = cli_fail_err(&err);
      goto out;
    }
  }
  const char *self = cli_self_exe();
  if (!cfg.enclave_exec && self &&
      decc_node_config_set(&cfg, "enclave_exec", self, &err)) {
    rc = cli_fail_err(&err);
    goto out;
  }
  if (print_config) {
    char *j = NULL;
    if (decc_node_config_to_json(&j, &cfg) != DECC_OK) {
      rc = cli_fail("out of memory");
      goto out;
    }
    printf("%s\n", j);
    decc_free(j);
    rc = CLI_OK;
    goto out;
  }

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  g_log_json = cfg.log_json;
  if (decc_node_create(&node, &cfg, log_line, NULL, &err) != DECC_OK ||
      decc_node_start(node, &err) != DECC_OK) {
    rc = cli_fail_err(&err);
    goto out;
  }
  unsigned port = decc_node_port(node);
  const char *bind = cfg.bind ? cfg.bind : "127.0.0.1";
  if (port_file) {
    char text[16];
    int n = snprintf(text, sizeof text, "%u\n", port);
    if (cli_write_file_atomic(port_file, text, (size_t)n, 0644) != CLI_OK)
      goto out;
  }
  if (g_cli.json) {
    char url[128];
    snprintf(url, sizeof url, "http://%s:%u", bind, port);
    cli_print_json(json_pack("{s:s,s:i,s:s}", "listening", url, "port",
                             (int)port, "home", cfg.home));
  } else
    printf("decc node listening on http://%s:%u (home %s)\n", bind, port,
           cfg.home);
  fflush(stdout);

  int sig = 0;
  for (;;) {
    if (sigwait(&set, &sig) == 0)
      break;
  }
  log_line(NULL,
           sig == SIGTERM ? "SIGTERM: shutting down" : "SIGINT: shutting down");
  decc_node_destroy(node);
  node = NULL;
  log_line(NULL, "stopped");
  rc = CLI_OK;
out:
  decc_node_destroy(node);
  decc_node_config_clear(&cfg);
  node_opts_free(&nt);
  return rc;
}

int cli_cmd_node(int argc, char **argv) {
  return cli_node_main("node", NODE_HELP, NULL, argc, argv);
}
