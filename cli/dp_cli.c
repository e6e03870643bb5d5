/*
 * dp_cli.c — what every DataProtector command shares: the data directory,
 * the CLI config file (default wallet, node URL), unlocking the default
 * wallet, opening the SDK context, and step progress on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_time.h"
#include "decc/encoding.h"
#include "decc/keys.h"
#include "decc/keystore.h"
#include "decc/mem.h"
#include "decc/receipts.h"
#include "dp_cli.h"

#define CONFIG_MAX (64u * 1024u)

int dp_cli_home(char *out, size_t cap) {
  const char *home = g_cli.home;
  int n;
  if (!home)
    home = getenv("DECC_HOME");
  if (home && *home)
    n = snprintf(out, cap, "%s", home);
  else {
    const char *h = getenv("HOME");
    if (!h || !*h) {
      cli_fail("no data directory: set --home, $DECC_HOME or $HOME");
      return -1;
    }
    n = snprintf(out, cap, "%s/.decc", h);
  }
  if (n < 0 || (size_t)n >= cap) {
    cli_fail("data directory path too long");
    return -1;
  }
  return 0;
}

void dp_cli_config_clear(dp_cli_config *c) {
  decc_free(c->wallet);
  decc_free(c->password_file);
  decc_free(c->node);
  decc_free(c->ipfs);
  decc_free(c->chain);
  decc_free(c->sms);
  decc_free(c->market);
  decc_free(c->hub);
  decc_free(c->dataprotector);
  memset(c, 0, sizeof *c);
}

int dp_cli_config_load(dp_cli_config *c, const char *home) {
  memset(c, 0, sizeof *c);
  char path[4200];
  snprintf(path, sizeof path, "%s/config.json", home);
  if (access(path, F_OK) != 0)
    return CLI_OK;
  size_t len = 0;
  char *text = cli_read_file(path, CONFIG_MAX, &len, 0);
  if (!text)
    return CLI_FAIL;
  json_error_t je;
  json_t *j = json_loadb(text, len, 0, &je);
  decc_free(text);
  if (!json_is_object(j)) {
    json_decref(j);
    return cli_fail("%s: not a JSON object (line %d: %s)", path, je.line,
                    je.text);
  }
  static const struct {
    const char *key;
    size_t off;
  } KEYS[] = {{"wallet", offsetof(dp_cli_config, wallet)},
              {"passwordFile", offsetof(dp_cli_config, password_file)},
              {"node", offsetof(dp_cli_config, node)},
              {"ipfs", offsetof(dp_cli_config, ipfs)},
              {"chain", offsetof(dp_cli_config, chain)},
              {"sms", offsetof(dp_cli_config, sms)},
              {"market", offsetof(dp_cli_config, market)},
              {"hub", offsetof(dp_cli_config, hub)},
              {"dataprotector", offsetof(dp_cli_config, dataprotector)}};
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) {
    size_t i;
    for (i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
      if (!strcmp(k, KEYS[i].key))
        break;
    if (i == sizeof KEYS / sizeof KEYS[0] || !json_is_string(v)) {
      cli_fail("%s: %s '%s' (known keys: wallet, passwordFile, node, chain, "
               "hub, dataprotector, sms, market, ipfs; string values)",
               path,
               i == sizeof KEYS / sizeof KEYS[0] ? "unknown key"
                                                 : "bad value of",
               k);
      json_decref(j); /* k belongs to j */
      dp_cli_config_clear(c);
      return CLI_FAIL;
    }
    /* off is offsetof() of a char * member: aligned for one. */
    void *at = (char *)c + KEYS[i].off;
    char **slot = at;
    if (!(*slot = decc_strdup(json_string_value(v)))) {
      json_decref(j);
      dp_cli_config_clear(c);
      return cli_fail("out of memory");
    }
  }
  json_decref(j);
  return CLI_OK;
}

/* Resolves a wallet reference to a keystore path: a file path, a name or an
 * address in <home>/wallets. */
static int wallet_path(char *out, size_t cap, const char *home,
                       const char *ref) {
  if (strchr(ref, '/')) {
    snprintf(out, cap, "%s", ref);
    return access(out, R_OK) == 0
               ? 0
               : (cli_fail("wallet %s: %s", ref, strerror(errno)), -1);
  }
  char lower[256];
  size_t n = strlen(ref);
  if (n >= sizeof lower) {
    cli_fail("wallet name too long");
    return -1;
  }
  for (size_t i = 0; i <= n; i++)
    lower[i] =
        (char)((ref[i] >= 'A' && ref[i] <= 'F' && n == 42) ? ref[i] - 'A' + 'a'
                                                           : ref[i]);
  int has_ext = n > 5 && !strcmp(ref + n - 5, ".json");
  int w = snprintf(out, cap, "%s/wallets/%s%s", home, lower,
                   has_ext ? "" : ".json");
  if (w > 0 && (size_t)w < cap && access(out, R_OK) == 0)
    return 0;
  cli_fail("no wallet '%s' in %s/wallets (create one with 'decc wallet "
           "create --name %s')",
           ref, home, ref);
  return -1;
}

/* The only *.json in <home>/wallets, if exactly one. */
static int only_wallet(char *out, size_t cap, const char *home) {
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/wallets", home);
  DIR *d = opendir(dir);
  int count = 0;
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      size_t n = strlen(e->d_name);
      if (n > 5 && !strcmp(e->d_name + n - 5, ".json")) {
        int w = snprintf(out, cap, "%s/%s", dir, e->d_name);
        if (w < 0 || (size_t)w >= cap)
          continue;
        count++;
      }
    }
    closedir(d);
  }
  if (count == 1)
    return 0;
  if (count == 0)
    cli_fail("no wallet: create one (decc wallet create --name NAME), or "
             "give --wallet / --keystore / --private-key-file");
  else
    cli_fail("several wallets in %s: choose one with --wallet NAME or "
             "\"wallet\" in %s/config.json",
             dir, home);
  return -1;
}

int cli_key_resolve(cli_key_opts *o) {
  static char ks[4200], pw[4200];
  if (o->keystore || o->private_key_file)
    return CLI_OK;
  char home[4096];
  if (dp_cli_home(home, sizeof home) != 0)
    return CLI_FAIL;
  dp_cli_config cfg;
  if (dp_cli_config_load(&cfg, home) != CLI_OK)
    return CLI_FAIL;
  const char *ref = o->wallet ? o->wallet : cfg.wallet;
  int r = ref ? wallet_path(ks, sizeof ks, home, ref)
              : only_wallet(ks, sizeof ks, home);
  if (r == 0) {
    o->keystore = ks;
    /* A wallet saved by `decc dev` / `decc demo` has its password file
     * next to it (NAME.password, dev_stack.c); it is more specific than
     * the config's passwordFile. */
    size_t kl = strlen(ks);
    if (!o->password_file && kl > 5 && kl + 4 < sizeof pw) {
      snprintf(pw, sizeof pw, "%.*s.password", (int)(kl - 5), ks);
      if (access(pw, R_OK) == 0)
        o->password_file = pw;
    }
    if (!o->password_file && cfg.password_file) {
      snprintf(pw, sizeof pw, "%s", cfg.password_file);
      o->password_file = pw;
    }
  }
  dp_cli_config_clear(&cfg);
  return r == 0 ? CLI_OK : CLI_FAIL;
}

int dp_cli_open(decc_dp **dp, const dp_cli_opts *o, int need_signer) {
  *dp = NULL;
  char home[4096];
  if (dp_cli_home(home, sizeof home) != 0)
    return CLI_FAIL;
  dp_cli_config cfg;
  if (dp_cli_config_load(&cfg, home) != CLI_OK)
    return CLI_FAIL;
  uint8_t *sk = NULL;
  int rc = CLI_OK;
  if (need_signer) {
    cli_key_opts k = o->key;
    if (o->wallet)
      k.wallet = o->wallet;
    if ((rc = cli_key_load(&k, &sk)) != CLI_OK) {
      dp_cli_config_clear(&cfg);
      return rc;
    }
  }
  cli_chain_target t;
  if ((rc = cli_chain_target_resolve(&t)) != CLI_OK) {
    if (sk)
      decc_secure_free(sk);
    dp_cli_config_clear(&cfg);
    return rc;
  }
  decc_chain_addresses addrs;
  memset(&addrs, 0, sizeof addrs);
  addrs.hub = t.hub;
  addrs.dataprotector = t.dataprotector;
  decc_dp_config c;
  memset(&c, 0, sizeof c);
  c.home = home;
  c.node_url = cfg.node;
  c.ipfs_api_url = cfg.ipfs;
  c.sms_url = cfg.sms;
  c.market_url = cfg.market;
  /* The chain is the one every command uses (cli_chain.c). */
  c.chain_url = t.embedded ? NULL : t.url;
  c.addresses = t.embedded ? NULL : &addrs;
  c.expect_chain_id = t.chain_id;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_open(dp, &c, &err);
  if (!st && sk)
    st = decc_dp_set_signer(*dp, sk, &err);
  if (sk)
    decc_secure_free(sk);
  dp_cli_config_clear(&cfg);
  if (st) {
    decc_dp_close(*dp);
    *dp = NULL;
    return cli_fail_err(&err);
  }
  return CLI_OK;
}

void dp_cli_progress(void *user, const char *title, int done,
                     const char *detail) {
  (void)user;
  if (g_cli.quiet || g_cli.json)
    return;
  /* Steps are reported when they end; a step that is still running only
   * when it has news (a task status change). */
  if (!done && !(detail && *detail))
    return;
  fprintf(stderr, "  %s %-34s%s%s\n", done ? "ok" : "..", title,
          detail && *detail ? " " : "", detail ? detail : "");
}

int dp_cli_address(decc_address *out, const char *s, const char *what) {
  /* A wallet name stands for its address wherever an address is asked. */
  if (strncmp(s, "0x", 2) && strncmp(s, "0X", 2) && !strchr(s, '/') && *s &&
      strlen(s) < 200)
    return dp_cli_ref_address(out, s, what);
  decc_err err;
  decc_err_clear(&err);
  if (decc_address_parse(out, s, &err) != DECC_OK) {
    cli_fail("%s: %s", what, err.msg);
    return -1;
  }
  return 0;
}

int dp_cli_hash(uint8_t out[32], const char *s, const char *what) {
  decc_err err;
  decc_err_clear(&err);
  if (decc_hex_decode_exact(out, 32, s, what, &err) != DECC_OK) {
    cli_fail("%s", err.msg);
    return -1;
  }
  return 0;
}

/* ---- the wallet's address, without unlocking it ------------------------------ */

int dp_cli_ref_address(decc_address *out, const char *ref, const char *what) {
  decc_err err;
  decc_err_clear(&err);
  if (!strncmp(ref, "0x", 2) || !strncmp(ref, "0X", 2)) {
    if (decc_address_parse(out, ref, &err) != DECC_OK)
      return cli_fail("%s: %s", what, err.msg), -1;
    return 0;
  }
  char home[4096], ks[4200];
  if (dp_cli_home(home, sizeof home) != 0 ||
      wallet_path(ks, sizeof ks, home, ref) != 0)
    return -1;
  size_t len = 0;
  char *json = cli_read_file(ks, 64 * 1024, &len, 0);
  if (!json)
    return -1;
  decc_status st = decc_keystore_address(out, json, len, &err);
  decc_free(json);
  if (st)
    return cli_fail("%s: wallet %s: %s", what, ks, err.msg), -1;
  return 0;
}

int dp_cli_me(decc_address *out, const dp_cli_opts *o) {
  if (o->key.private_key_file) {
    cli_key_opts k = o->key;
    uint8_t *sk = NULL;
    if (cli_key_load(&k, &sk) != CLI_OK)
      return -1;
    decc_status st = decc_address_from_privkey(out, sk);
    decc_secure_free(sk);
    return st ? (cli_fail("cannot derive the address of the key"), -1) : 0;
  }
  if (o->key.keystore)
    return dp_cli_ref_address(out, o->key.keystore, "--keystore");
  char home[4096], ks[4200];
  if (dp_cli_home(home, sizeof home) != 0)
    return -1;
  if (o->wallet)
    return dp_cli_ref_address(out, o->wallet, "--wallet");
  dp_cli_config cfg;
  if (dp_cli_config_load(&cfg, home) != CLI_OK)
    return -1;
  int r = cfg.wallet ? dp_cli_ref_address(out, cfg.wallet, "config wallet")
          : only_wallet(ks, sizeof ks, home) == 0
              ? dp_cli_ref_address(out, ks, "wallet")
              : -1;
  dp_cli_config_clear(&cfg);
  return r;
}

/* ---- Ctrl-C while waiting for a task ----------------------------------------- */

/* The hint is formatted before the handler is installed: the handler only
 * calls write(2) and _exit(2), which are async-signal-safe. */
static char g_resume[256];
static size_t g_resume_len;

static void on_sigint(int sig) {
  (void)sig;
  ssize_t w = write(STDERR_FILENO, g_resume, g_resume_len);
  (void)w;
  _exit(130);
}

void dp_cli_resume_hint(const char *task_hex) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  if (!task_hex) {
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    return;
  }
  int n = snprintf(g_resume, sizeof g_resume,
                   "\ndecc: interrupted; task %s keeps running on the "
                   "workerpool: resume with 'decc task wait %s'\n",
                   task_hex, task_hex);
  g_resume_len = n > 0 && (size_t)n < sizeof g_resume ? (size_t)n : 0;
  sa.sa_handler = on_sigint;
  sigaction(SIGINT, &sa, NULL);
}

void dp_cli_process_progress(void *user, const char *title, int done,
                             const char *detail) {
  /* CONSUME_TASK starts with the task id: from then on Ctrl-C says how to
   * resume instead of losing the task. */
  if (!done && !strcmp(title, "CONSUME_TASK") && detail &&
      !strncmp(detail, "0x", 2) && strlen(detail) == 66)
    dp_cli_resume_hint(detail);
  dp_cli_progress(user, title, done, detail);
}

int dp_cli_task_failed(const decc_err *err, const char *stderr_tail) {
  int rc = cli_fail_err(err);
  if (stderr_tail && *stderr_tail && !g_cli.json) {
    fputs("decc: the app's stderr (last lines):\n", stderr);
    for (const char *p = stderr_tail; *p;) {
      const char *nl = strchr(p, '\n');
      size_t n = nl ? (size_t)(nl - p) : strlen(p);
      fprintf(stderr, "  | %.*s\n", (int)n, p);
      p += n + (nl != NULL);
    }
  }
  return rc;
}

int dp_cli_print_access(const decc_dp_access *a,
                        const struct decc_grant_policy *pol) {
  if (g_cli.json) {
    char *js = NULL;
    if (decc_dp_access_to_json(&js, a) != DECC_OK)
      return cli_fail("out of memory");
    puts(js);
    decc_free(js);
    return CLI_OK;
  }
  char h[DECC_HEX32_LEN], ap[DECC_ADDRESS_HEX_LEN], us[DECC_ADDRESS_HEX_LEN],
      pr[96];
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
  if (pol && (pol->expires || pol->purpose_len)) {
    char t[40];
    printf("    expires %s%s  purpose \"%s\"\n",
           pol->expires ? cli_time_format(t, sizeof t, (int64_t)pol->expires)
                        : "never",
           pol->expires && pol->expires <= (uint64_t)time(NULL) ? " (expired)"
                                                                : "",
           pol->purpose);
  }
  return CLI_OK;
}
