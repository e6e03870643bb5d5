/*
 * cmd_sms.c — `decc sms`: talk to a secret management service (push
 * dataset keys and secrets with the exact iExec signatures, check what is
 * there) and run one (`serve`, over the embedded ledger).
 *
 * Secret values are read from files (or stdin with "-"), never from argv;
 * the signing key comes from the usual key options (keystore or private
 * key file). `serve` takes the vault passphrase from a file when one is
 * wanted (otherwise a 0600 key file lives in the vault directory).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "decc/chain.h"
#include "decc/encoding.h"
#include "decc/http.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/result.h"
#include "decc/sms.h"

#define VALUE_MAX (DECC_SECRET_MAX + 2)
#define MAX_TRUSTED 64

static int parse_addr(const char *s, const char *what, decc_address *a) {
  decc_err err;
  if (decc_address_parse(a, s, &err) != DECC_OK)
    return cli_usage_error("%s: %s", what, err.msg);
  return CLI_OK;
}

/* Common options of the client subcommands. */
typedef struct client_opts {
  const char *sms;
  cli_key_opts key;
} client_opts;

#define SMS_OPT(dest)                                                          \
  {                                                                            \
    "sms", 0, CLI_OPT_STR, (dest), "URL", "the SMS (default: $DECC_SMS_URL)",  \
        0, 0, 0                                                                \
  }

static const char *sms_url(const client_opts *o) {
  if (o->sms)
    return o->sms;
  const char *e = getenv("DECC_SMS_URL");
  return e && *e ? e : NULL;
}

static int done(const char *what, const char *detail) {
  if (g_cli.json) {
    json_t *j =
        json_pack("{s:b,s:s,s:s}", "ok", 1, "action", what, "target", detail);
    return cli_print_json(j);
  }
  if (!g_cli.quiet)
    printf("%s: %s\n", what, detail);
  return CLI_OK;
}

/* ---- push-dataset-key ------------------------------------------------------ */

static const char PUSH_KEY_HELP[] =
    "usage: decc sms push-dataset-key --sms URL --dataset ADDR --key-file "
    "FILE KEY\n\n"
    "Pushes a dataset key (web3 secret) as the dataset's owner. The key file\n"
    "holds base64 of 32 bytes, as `decc dataset keygen` writes it (\"-\" =\n"
    "stdin). KEY: the wallet options below.\n";

static int cmd_push_dataset_key(int argc, char **argv) {
  client_opts o;
  memset(&o, 0, sizeof o);
  const char *dataset = NULL, *key_file = NULL;
  cli_opt opts[] = {SMS_OPT(&o.sms),
                    {"dataset", 0, CLI_OPT_STR, &dataset, "ADDR",
                     "the dataset the key opens", 0, 0, 0},
                    {"key-file", 0, CLI_OPT_STR, &key_file, "FILE",
                     "the dataset key ('-' stdin)", 0, 0, 0},
                    {0}};
  cli_spec spec = {
      "sms push-dataset-key", PUSH_KEY_HELP, opts, &o.key, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (!dataset || !key_file || !sms_url(&o))
    return cli_cmd_usage(
        spec.cmd,
        "push-dataset-key: --sms URL, --dataset ADDR and --key-file FILE are "
        "required");
  decc_address ds;
  if (parse_addr(dataset, "--dataset", &ds))
    return CLI_USAGE;
  size_t len = 0;
  char *key = cli_read_file(key_file, VALUE_MAX, &len, 1);
  if (!key)
    return CLI_FAIL;
  uint8_t raw[48];
  size_t rn = 0;
  if (decc_base64_decode(raw, sizeof raw, &rn, key, len) != DECC_OK ||
      rn != 32) {
    decc_memzero(raw, sizeof raw);
    decc_secure_free(key);
    return cli_fail("%s: not a dataset key (base64 of 32 bytes, as written by "
                    "`decc dataset keygen`)",
                    key_file);
  }
  decc_memzero(raw, sizeof raw);
  uint8_t *sk = NULL;
  int rc = cli_key_load(&o.key, &sk);
  if (rc) {
    decc_secure_free(key);
    return rc == CLI_USAGE
               ? cli_cmd_usage(spec.cmd,
                               "push-dataset-key: a signing key is required "
                               "(--keystore or --private-key-file)")
               : rc;
  }
  decc_err err;
  decc_err_clear(&err);
  decc_status st =
      decc_sms_client_push_web3(sms_url(&o), &ds, key, len, sk, &err);
  decc_secure_free(key);
  decc_secure_free(sk);
  if (st)
    return cli_fail_err(&err);
  char a[DECC_ADDRESS_HEX_LEN];
  return done("dataset key pushed", decc_address_to_checksum(a, &ds));
}

/* ---- push-secret --------------------------------------------------------- */

static const char PUSH_SECRET_HELP[] =
    "usage: decc sms push-secret web2|requester|app-developer|result-key "
    "--sms URL\n"
    "                            --value-file FILE [--name NAME] [--app ADDR] "
    "[--update]\n"
    "                            KEY\n\n"
    "Pushes a secret: web2 (--name, --update to replace), requester (--name\n"
    "KEY), app-developer (--app ADDR), result-key (an RSA public key file,\n"
    "stored as base64 PEM under iexec-result-encryption-public-key). Values\n"
    "come from files (\"-\" = stdin), never from the command line. KEY: the\n"
    "wallet options below.\n";

static int cmd_push_secret(int argc, char **argv) {
  client_opts o;
  memset(&o, 0, sizeof o);
  const char *name = NULL, *value_file = NULL, *pub_file = NULL, *app = NULL;
  int update = 0;
  cli_opt opts[] = {
      SMS_OPT(&o.sms),
      {"value-file", 0, CLI_OPT_STR, &value_file, "FILE",
       "the secret value ('-' stdin)", 0, 0, 0},
      {"public-key-file", 0, CLI_OPT_STR, &pub_file, "FILE",
       "the same as --value-file (result-key)", 0, 0, 0},
      {"name", 0, CLI_OPT_STR, &name, "NAME",
       "the secret's name (web2, requester)", 0, 0, 0},
      {"app", 0, CLI_OPT_STR, &app, "ADDR", "the app (app-developer)", 0, 0, 0},
      {"update", 0, CLI_OPT_FLAG, &update, NULL,
       "replace an existing web2 secret", 0, 0, 0},
      {0}};
  cli_spec spec = {"sms push-secret", PUSH_SECRET_HELP, opts, &o.key, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (!np)
    return cli_cmd_usage(spec.cmd,
                         "push-secret: which kind? web2 | requester | "
                         "app-developer | result-key");
  if (value_file && pub_file)
    return cli_cmd_usage(spec.cmd,
                         "give --value-file or --public-key-file, not both");
  if (pub_file)
    value_file = pub_file;
  const char *kind = argv[1];
  int web2 = !strcmp(kind, "web2"), req = !strcmp(kind, "requester"),
      dev = !strcmp(kind, "app-developer"), rk = !strcmp(kind, "result-key");
  if (!web2 && !req && !dev && !rk)
    return cli_cmd_usage(spec.cmd,
                         "push-secret: unknown kind '%s' (web2, requester, "
                         "app-developer, result-key)",
                         kind);
  if (!sms_url(&o) || !value_file)
    return cli_cmd_usage(spec.cmd,
                         "push-secret: --sms URL and --value-file FILE are "
                         "required");
  if ((web2 || req) && !name)
    return cli_cmd_usage(spec.cmd, "push-secret %s: --name is required", kind);
  if (req && !decc_sms_requester_key_valid(name))
    return cli_cmd_usage(spec.cmd, "push-secret requester: --name must match "
                                   "^[a-zA-Z0-9-_]{1,64}$");
  if (web2 && !decc_sms_web2_name_valid(name))
    return cli_cmd_usage(spec.cmd,
                         "push-secret web2: --name must be 1..256 printable "
                         "ASCII characters");
  if (update && !web2 && !rk)
    return cli_cmd_usage(spec.cmd, "push-secret: --update exists only for web2 "
                                   "secrets (the others are never updatable)");
  decc_address app_addr;
  if (dev && (!app || parse_addr(app, "--app", &app_addr)))
    return cli_cmd_usage(spec.cmd, "push-secret app-developer: --app ADDR is "
                                   "required");
  size_t len = 0;
  char *value = cli_read_file(value_file, 64 * 1024, &len, 1);
  if (!value)
    return CLI_FAIL;
  if (rk) {
    /* A PEM (or base64 PEM) public key → the SMS form base64(PEM SPKI). */
    decc_rsa_key *key = NULL;
    decc_err err;
    char *b64 = NULL;
    size_t bl = 0;
    decc_status st = decc_rsa_key_parse(&key, value, len, &err);
    decc_secure_free(value);
    value = NULL;
    if (st)
      return cli_fail("%s: %s", value_file, err.msg);
    st = decc_rsa_key_public_b64(&b64, &bl, key, &err);
    decc_rsa_key_destroy(key);
    if (st)
      return cli_fail_err(&err);
    value = decc_secure_alloc(bl + 1);
    if (!value) {
      decc_free(b64);
      return cli_fail("out of memory");
    }
    memcpy(value, b64, bl + 1);
    len = bl;
    decc_free(b64);
    name = DECC_SMS_RESULT_ENCRYPTION_KEY;
  }
  if (len > DECC_SECRET_MAX) {
    decc_secure_free(value);
    return cli_fail("%s: secret of %zu bytes exceeds the SMS limit of %d bytes",
                    value_file, len, DECC_SECRET_MAX);
  }
  uint8_t *sk = NULL;
  int rc = cli_key_load(&o.key, &sk);
  if (rc) {
    decc_secure_free(value);
    return rc == CLI_USAGE
               ? cli_cmd_usage(spec.cmd, "push-secret: a signing key is "
                                         "required (--keystore or "
                                         "--private-key-file)")
               : rc;
  }
  decc_err err;
  decc_err_clear(&err);
  decc_status st;
  char target[128];
  if (dev) {
    st = decc_sms_client_push_app_secret(sms_url(&o), &app_addr, value, len, sk,
                                         &err);
    char a[DECC_ADDRESS_HEX_LEN];
    snprintf(target, sizeof target, "%s",
             decc_address_to_checksum(a, &app_addr));
  } else if (req) {
    st = decc_sms_client_push_requester_secret(sms_url(&o), name, value, len,
                                               sk, &err);
    snprintf(target, sizeof target, "%s", name);
  } else {
    st = decc_sms_client_push_web2(sms_url(&o), name, value, len, update, sk,
                                   &err);
    snprintf(target, sizeof target, "%s", name);
  }
  decc_secure_free(value);
  decc_secure_free(sk);
  if (st)
    return cli_fail_err(&err);
  return done(update ? "secret updated" : "secret pushed", target);
}

/* ---- check ------------------------------------------------------------------ */

static const char CHECK_HELP[] =
    "usage: decc sms check web3|web2|requester|app-developer --sms URL "
    "--address ADDR\n"
    "                      [--name NAME]\n\n"
    "Checks whether a secret exists: prints present or absent; exit 1 when\n"
    "absent. --owner, --app and --dataset are other names of --address.\n";

static int cmd_check(int argc, char **argv) {
  client_opts o;
  memset(&o, 0, sizeof o);
  const char *name = NULL, *addrs[4] = {0};
  cli_opt opts[] = {SMS_OPT(&o.sms),
                    {"address", 0, CLI_OPT_STR, &addrs[0], "ADDR",
                     "the secret's owner, app or dataset", 0, 0, 0},
                    {"owner", 0, CLI_OPT_STR, &addrs[1], "ADDR",
                     "the same as --address", 0, 0, 0},
                    {"app", 0, CLI_OPT_STR, &addrs[2], "ADDR",
                     "the same as --address", 0, 0, 0},
                    {"dataset", 0, CLI_OPT_STR, &addrs[3], "ADDR",
                     "the same as --address", 0, 0, 0},
                    {"name", 0, CLI_OPT_STR, &name, "NAME",
                     "the secret's name (web2, requester)", 0, 0, 0},
                    {0}};
  cli_spec spec = {"sms check", CHECK_HELP, opts, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (!np)
    return cli_cmd_usage(spec.cmd,
                         "check: which kind? web3 | web2 | requester | "
                         "app-developer");
  const char *kind = argv[1], *addr = NULL;
  for (int i = 0; i < 4; i++) {
    if (addrs[i] && addr)
      return cli_cmd_usage(spec.cmd, "give one of --address, --owner, --app, "
                                     "--dataset");
    if (addrs[i])
      addr = addrs[i];
  }
  decc_secret_kind k;
  if (!strcmp(kind, "web3"))
    k = DECC_SECRET_WEB3;
  else if (!strcmp(kind, "web2"))
    k = DECC_SECRET_WEB2;
  else if (!strcmp(kind, "requester"))
    k = DECC_SECRET_REQUESTER;
  else if (!strcmp(kind, "app-developer"))
    k = DECC_SECRET_APP_DEV;
  else
    return cli_cmd_usage(spec.cmd, "check: unknown kind '%s'", kind);
  if (!sms_url(&o) || !addr)
    return cli_cmd_usage(spec.cmd,
                         "check: --sms URL and --address ADDR are required");
  if ((k == DECC_SECRET_WEB2 || k == DECC_SECRET_REQUESTER) && !name)
    return cli_cmd_usage(spec.cmd, "check %s: --name is required", kind);
  decc_address a;
  if (parse_addr(addr, "--address", &a))
    return CLI_USAGE;
  int exists = 0;
  decc_err err;
  decc_err_clear(&err);
  if (decc_sms_client_check(sms_url(&o), k, &a, name, &exists, &err))
    return cli_fail_err(&err);
  if (g_cli.json)
    return cli_print_json(
        json_pack("{s:s,s:b}", "kind", kind, "exists", exists));
  if (!g_cli.quiet)
    printf("%s\n", exists ? "present" : "absent");
  return exists ? CLI_OK : CLI_FAIL;
}

/* ---- serve ----------------------------------------------------------------- */

static volatile sig_atomic_t g_stop;
static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
}

static void serve_log(void *ctx, const char *line) {
  (void)ctx;
  if (!g_cli.quiet)
    fprintf(stderr, "%s\n", line);
}

static const char SERVE_HELP[] =
    "usage: decc sms serve --vault DIR [--ledger FILE [--create-ledger]]\n"
    "                      [--trust-platform ADDR]... [--listen HOST:PORT]\n"
    "                      [--port-file FILE] [--passphrase-file FILE]\n\n"
    "Runs an SMS until SIGINT/SIGTERM, over a ledger file or the chosen chain\n"
    "(--chain). Without --passphrase-file the vault key is a 0600 file in the\n"
    "vault directory.\n";

static int cmd_serve(int argc, char **argv) {
  const char *vault = NULL, *pp_file = NULL, *ledger = NULL, *listen = NULL,
             *port_file = NULL;
  int create = 0;
  decc_address trusted[MAX_TRUSTED];
  const char *trusted_s[MAX_TRUSTED];
  cli_list tl = {trusted_s, 0, MAX_TRUSTED};
  cli_opt opts[] = {
      {"vault", 0, CLI_OPT_STR, &vault, "DIR", "the vault directory", 0, 0, 0},
      {"ledger", 0, CLI_OPT_STR, &ledger, "FILE",
       "an embedded ledger file (default: the chain in use)", 0, 0, 0},
      {"create-ledger", 0, CLI_OPT_FLAG, &create, NULL,
       "create a dev ledger at --ledger when missing", 0, 0, 0},
      {"trust-platform", 0, CLI_OPT_LIST, &tl, "ADDR",
       "release sessions to enclaves signed by ADDR (repeatable)", 0, 0, 0},
      {"listen", 0, CLI_OPT_STR, &listen, "HOST:PORT",
       "the address to listen on (default 127.0.0.1, any port)", 0, 0, 0},
      {"port-file", 0, CLI_OPT_STR, &port_file, "FILE",
       "write the port to FILE once listening", 0, 0, 0},
      {"passphrase-file", 0, CLI_OPT_STR, &pp_file, "FILE",
       "the vault passphrase, first line", 0, 0, 0},
      {0}};
  cli_spec spec = {"sms serve", SERVE_HELP, opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  size_t n_trusted = tl.n;
  for (size_t i = 0; i < n_trusted; i++)
    if (parse_addr(trusted_s[i], "--trust-platform", &trusted[i]))
      return CLI_USAGE;
  if (!vault)
    return cli_cmd_usage(spec.cmd, "serve: --vault DIR is required");
  char host[64] = "127.0.0.1";
  unsigned port = 0;
  if (listen) {
    const char *c = strrchr(listen, ':');
    uint64_t p = 0;
    if (!c || (size_t)(c - listen) >= sizeof host ||
        cli_parse_u64(&p, c + 1) != 0 || p > 65535)
      return cli_cmd_usage(spec.cmd, "serve: --listen HOST:PORT");
    port = (unsigned)p;
    memcpy(host, listen, (size_t)(c - listen));
    host[c - listen] = 0;
  }
  decc_err err;
  decc_err_clear(&err);
  struct stat sb;
  decc_chain *chain = NULL;
  /* Without --ledger the SMS reads the chain every command uses (--chain,
   * DECC_CHAIN, config.json, a deploy profile: an EVM chain too). */
  if (!ledger) {
    if (create)
      return cli_cmd_usage(spec.cmd,
                           "serve: --create-ledger needs --ledger FILE");
    if (cli_chain_open(&chain, 0) != CLI_OK)
      return CLI_FAIL;
  } else if (stat(ledger, &sb) != 0) {
    if (!create)
      return cli_fail("%s: no ledger (use --create-ledger to create a dev "
                      "ledger)",
                      ledger);
    decc_genesis g;
    if (decc_genesis_default(&g) != DECC_OK)
      return cli_fail("out of memory");
    decc_status st = decc_ledger_init(ledger, &g, &err);
    decc_genesis_clear(&g);
    if (st)
      return cli_fail_err(&err);
  }
  if (!chain && decc_chain_open_embedded(&chain, ledger, &err))
    return cli_fail_err(&err);
  decc_sms_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.vault_dir = vault;
  cfg.trusted_platforms = trusted;
  cfg.n_trusted = n_trusted;
  cfg.log = serve_log;
  if (decc_sms_chain_view_over(&cfg.chain, chain, 1, &err)) {
    decc_chain_destroy(chain);
    return cli_fail_err(&err);
  }
  char *pp = NULL;
  if (pp_file) {
    pp = cli_read_password(pp_file, "vault passphrase", 0);
    if (!pp) {
      cfg.chain.destroy(cfg.chain.ctx);
      return CLI_FAIL;
    }
    cfg.passphrase = pp;
    cfg.passphrase_len = strlen(pp);
  }
  decc_sms *sms = NULL;
  decc_status st = decc_sms_create(&sms, &cfg, &err);
  decc_secure_free(pp);
  if (st)
    return cli_fail_err(&err);
  if (!n_trusted)
    fprintf(stderr, "decc: warning: no --trust-platform: no session will be "
                    "released\n");
  decc_http_config hc;
  memset(&hc, 0, sizeof hc);
  hc.bind_address = host;
  hc.port = (uint16_t)port;
  decc_http_server *srv = NULL;
  if (decc_http_server_create(&srv, &hc) || decc_sms_http_mount(sms, srv, "") ||
      decc_http_server_start(srv, &err)) {
    decc_http_server_destroy(srv);
    decc_sms_destroy(sms);
    return err.msg[0] ? cli_fail_err(&err) : cli_fail("cannot start server");
  }
  char url[96];
  snprintf(url, sizeof url, "http://%s:%u", host,
           (unsigned)decc_http_server_port(srv));
  int rc = CLI_OK;
  if (port_file) {
    char line[16];
    int n = snprintf(line, sizeof line, "%u\n",
                     (unsigned)decc_http_server_port(srv));
    rc = cli_write_file_atomic(port_file, line, (size_t)n, 0644);
  }
  if (!rc) {
    if (g_cli.json)
      cli_print_json(json_pack("{s:s}", "url", url));
    else
      printf("SMS listening on %s\n", url);
    fflush(stdout);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (!g_stop)
      pause();
  }
  decc_http_server_destroy(srv);
  decc_sms_destroy(sms);
  return rc;
}

/* ---- dispatch ------------------------------------------------------------- */

/* The overview of `decc sms` (cli_dispatch adds the command list; each
 * subcommand's --help has its usage and options). */
static const char SMS_OVERVIEW[] =
    "Secret management service (iExec SMS API). URL from --sms or "
    "DECC_SMS_URL.\nSecret values come from files (\"-\" = stdin), never "
    "from the command line.\nKEY-OPTIONS: --keystore FILE "
    "[--password-file FILE] | --private-key-file FILE\n";

static const cli_sub SUBS[] = {
    {"push-dataset-key", "a dataset key (web3 secret), as the dataset's owner",
     cmd_push_dataset_key},
    {"push-secret", "a web2, requester, app-developer or result-key secret",
     cmd_push_secret},
    {"check", "whether a secret exists (exit 1 when absent)", cmd_check},
    {"serve", "run an SMS until SIGINT/SIGTERM", cmd_serve},
    {NULL, NULL, NULL}};

int cli_cmd_sms(int argc, char **argv) {
  return cli_dispatch("sms", SMS_OVERVIEW, SUBS, argc, argv);
}
