/*
 * cmd_receipts.c — `decc receipts`: a data owner's per-use receipts
 * (decc/receipts.h, docs/receipts.md) and the grant policies behind
 * `decc grant --expires/--purpose`.
 *
 *   decc receipts DATA [--verify] [--signer ADDR] [wallet]
 *   decc receipts policy sign --dataset DATA --order HASH [--expires DATE]
 *                             [--purpose TEXT] [wallet]
 *   decc receipts policy push FILE [wallet]
 *   decc receipts policy show HASH
 *
 * The receipts come from the SMS of the data directory (embedded) or from
 * the node configured in config.json ("sms" or "node"), which answers only
 * the dataset's owner (a signed, timestamped challenge). Either way the
 * CLI verifies what it got itself: the node is not trusted with the
 * verdict.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "cli_time.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/hub.h"
#include "decc/market.h"
#include "decc/mem.h"
#include "decc/receipts.h"
#include "decc/sms.h"
#include "decc/sms_auth.h"
#include "dp_cli.h"
#include "receipts_cli.h"

static const char HELP[] =
    "usage: decc receipts DATA [--verify] [--signer ADDRESS] [--log FILE]\n"
    "                      [wallet]\n"
    "       decc receipts policy sign --dataset DATA --order HASH\n"
    "                      [--expires DATE] [--purpose TEXT] [wallet]\n"
    "       decc receipts policy push FILE [wallet]\n"
    "       decc receipts policy show ORDER_HASH\n\n"
    "Lists the receipts of a protected data: one per release of its key by\n"
    "the SMS and one per completed task, each signed by the SMS and linked to\n"
    "the one before (docs/receipts.md). With a node configured (config.json\n"
    "\"sms\" or \"node\") they are asked as the data's owner (the wallet signs "
    "a\n"
    "challenge). --verify checks the hash chain, every signature (against\n"
    "--signer, else the SMS's published key) and each receipt against the\n"
    "chain's deals and tasks; any problem is listed and the exit status is 1.\n"
    "--log FILE reads a log file (a copy the owner keeps) instead of the "
    "SMS.\n\n"
    "policy sign prints a grant policy signed by the wallet (expiry, purpose,\n"
    "bound to the dataset order HASH); policy push presents one to the SMS,\n"
    "which accepts only the dataset owner's, never an expired one and never\n"
    "a second one for the same order. `decc grant --expires --purpose` does\n"
    "both. DATE: 2027-01-31, 2027-01-31T12:00Z, or a duration such as 30d.\n";

/* ---- where the SMS is ------------------------------------------------------- */

/* The remote SMS base URL from config.json ("sms", else "node"), or NULL
 * (embedded); with market != NULL also the remote market's ("market", else
 * "node"). Out: *url, *market (decc_free). Returns CLI_OK or CLI_FAIL. */
static int service_urls(char **url, char **market) {
  *url = NULL;
  if (market)
    *market = NULL;
  char home[4096];
  if (dp_cli_home(home, sizeof home) != 0)
    return CLI_FAIL;
  dp_cli_config cfg;
  if (dp_cli_config_load(&cfg, home) != CLI_OK)
    return CLI_FAIL;
  const char *u = cfg.sms ? cfg.sms : cfg.node;
  const char *mu = cfg.market ? cfg.market : cfg.node;
  if ((u && !(*url = decc_strdup(u))) ||
      (market && mu && !(*market = decc_strdup(mu)))) {
    dp_cli_config_clear(&cfg);
    return cli_fail("out of memory");
  }
  dp_cli_config_clear(&cfg);
  return CLI_OK;
}

static int sms_base(char **url) { return service_urls(url, NULL); }

/* POSTs a policy to a node's /receipts/policies. Returns CLI_OK or
 * CLI_FAIL (printed with the node's reason). */
static int post_policy(const char *base, const decc_grant_policy *p) {
  decc_err err;
  decc_err_clear(&err);
  char *js = NULL, url[2200];
  if (decc_grant_policy_to_json(&js, p))
    return cli_fail("out of memory");
  snprintf(url, sizeof url, "%s/receipts/policies", base);
  static const char *const hdr[] = {"Content-Type: application/json", NULL};
  decc_http_reply rep;
  decc_status st =
      decc_http_fetch(&rep, "POST", url, hdr, js, strlen(js), 65536, 0, &err);
  decc_free(js);
  if (st) {
    decc_buf_clear(&rep.body);
    return cli_fail("grant policy: %s", err.msg);
  }
  int rc = CLI_OK;
  if (rep.status != 200) {
    json_error_t je;
    json_t *o = json_loads((const char *)rep.body.data, 0, &je);
    const char *m = o ? json_string_value(json_object_get(o, "error")) : NULL;
    rc = cli_fail("grant policy refused by %s (HTTP %ld): %s", base, rep.status,
                  m ? m : "no reason given");
    json_decref(o);
  }
  decc_buf_clear(&rep.body);
  return rc;
}

/* The embedded SMS's receipt store (dp must have an in-process SMS). */
static int open_store(decc_dp *dp, decc_rcpt_store **st) {
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/sms", decc_dp_home(dp));
  decc_err err;
  decc_err_clear(&err);
  if (decc_rcpt_store_open(st, dir, decc_sms_vault(decc_dp_sms(dp)), &err))
    return cli_fail("receipts: %s", err.msg);
  return CLI_OK;
}

static uint64_t chain_now(decc_chain *c) {
  uint64_t t = 0, now = (uint64_t)time(NULL);
  if (c && decc_chain_block_timestamp(c, &t, NULL) == DECC_OK && t > now)
    return t;
  return now;
}

/* ---- policies ----------------------------------------------------------------- */

int cli_receipts_push_policy(decc_dp *dp, const decc_grant_policy *p) {
  decc_err err;
  decc_err_clear(&err);
  char *base = NULL, *market = NULL;
  int rc = service_urls(&base, &market);
  if (rc != CLI_OK)
    return rc;
  if (base) {
    /* The node's SMS stores it (and tells its market, if it runs one). */
    rc = post_policy(base, p);
  } else if (!decc_dp_sms(dp)) {
    rc = cli_fail("grant policy: no SMS (configure \"sms\" or \"node\")");
  } else {
    decc_address owner;
    decc_chain *c = decc_dp_chain(dp);
    decc_rcpt_store *st = NULL;
    if (decc_hub_owner_of(c, &p->dataset, &owner, &err))
      rc = cli_fail("grant policy: %s", err.msg);
    else if (decc_grant_policy_verify(p, &owner, &err))
      rc = cli_fail("grant policy refused: %s", err.msg);
    else if ((rc = open_store(dp, &st)) == CLI_OK) {
      if (decc_grant_policy_store(decc_rcpt_store_policy_dir(st), p,
                                  chain_now(c), &err))
        rc = cli_fail("grant policy refused: %s", err.msg);
      decc_rcpt_store_close(st);
    }
  }
  /* The market that lists the grant learns its expiry. */
  if (rc == CLI_OK && p->expires) {
    decc_market *m = decc_dp_market(dp);
    if (m) {
      if (decc_market_set_expiry(m, p->order_hash, p->expires))
        rc = cli_fail("grant policy: the market could not record the expiry");
    } else if (market && (!base || strcmp(market, base))) {
      rc = post_policy(market, p);
    }
  }
  decc_free(base);
  decc_free(market);
  return rc;
}

int cli_receipts_grant_policy(decc_dp *dp, const dp_cli_opts *w,
                              const decc_address *dataset,
                              const uint8_t order_hash[32], uint64_t expires,
                              const char *purpose) {
  decc_grant_policy p;
  memset(&p, 0, sizeof p);
  p.dataset = *dataset;
  memcpy(p.order_hash, order_hash, 32);
  p.expires = expires;
  p.purpose_len = purpose ? strlen(purpose) : 0;
  if (p.purpose_len > DECC_RCPT_PURPOSE_MAX)
    return cli_fail("--purpose: at most %d bytes", DECC_RCPT_PURPOSE_MAX);
  if (purpose)
    memcpy(p.purpose, purpose, p.purpose_len);
  cli_key_opts k = w->key;
  if (w->wallet)
    k.wallet = w->wallet;
  uint8_t *sk = NULL;
  int rc = cli_key_load(&k, &sk);
  if (rc != CLI_OK)
    return rc;
  decc_status st = decc_grant_policy_sign(&p, sk);
  decc_secure_free(sk);
  if (st)
    return cli_fail("--purpose must be printable UTF-8 (no control "
                    "characters)");
  return cli_receipts_push_policy(dp, &p);
}

int cli_receipts_policy_of(decc_dp *dp, const uint8_t order_hash[32],
                           decc_grant_policy *p) {
  memset(p, 0, sizeof p[0]);
  char *base = NULL;
  if (sms_base(&base) != CLI_OK)
    return -1;
  decc_err err;
  decc_err_clear(&err);
  if (base) {
    char url[2200], h[DECC_HEX32_LEN];
    snprintf(url, sizeof url, "%s/receipts/policies/%s", base,
             decc_hex_encode(h, order_hash, 32, 1));
    decc_free(base);
    decc_http_reply rep;
    decc_status st =
        decc_http_fetch(&rep, "GET", url, NULL, NULL, 0, 65536, 0, &err);
    int found = !st && rep.status == 200 &&
                decc_grant_policy_from_json(p, (const char *)rep.body.data,
                                            rep.body.len, &err) == DECC_OK;
    decc_buf_clear(&rep.body);
    return found ? 1 : 0;
  }
  if (!decc_dp_sms(dp))
    return 0;
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/sms/policies", decc_dp_home(dp));
  return decc_grant_policy_load(dir, order_hash, p, &err) == DECC_OK;
}

static const char POLICY_SIGN_HELP[] =
    "usage: decc receipts policy sign --dataset DATA --order HASH\n"
    "                      [--expires DATE] [--purpose TEXT] [wallet]\n\n"
    "Prints a grant policy signed by the wallet: expiry and purpose, bound "
    "to\n"
    "the dataset order HASH. DATE: 2027-01-31, 2027-01-31T12:00Z, or a\n"
    "duration such as 30d. `decc grant --expires --purpose` signs and pushes\n"
    "in one step.\n";

static int policy_sign(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *dataset = NULL, *order = NULL, *purpose = NULL;
  int64_t expires = 0;
  cli_opt opts[] = {{"dataset", 0, CLI_OPT_STR, &dataset, "DATA",
                     "the protected data", 0, 0, 0},
                    {"order", 0, CLI_OPT_STR, &order, "HASH",
                     "the dataset order (the grant) the policy is bound to", 0,
                     0, 0},
                    {"expires", 0, CLI_OPT_FUTURE, &expires, "DATE",
                     "when the grant stops releasing the key", 0, 0, 0},
                    {"purpose", 0, CLI_OPT_STR, &purpose, "TEXT",
                     "the purpose the app sees (DECC_GRANT_PURPOSE)", 0, 0, 0},
                    {0}};
  cli_spec spec = {
      "receipts policy sign", POLICY_SIGN_HELP, opts, &w.key, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  w.wallet = w.key.wallet;
  decc_grant_policy p;
  memset(&p, 0, sizeof p);
  if (!dataset || !order)
    return cli_cmd_usage(spec.cmd, "policy sign needs --dataset and --order");
  if (dp_cli_address(&p.dataset, dataset, "--dataset") ||
      dp_cli_hash(p.order_hash, order, "--order"))
    return CLI_USAGE;
  if (opts[2].seen)
    p.expires = (uint64_t)expires;
  if (purpose) {
    p.purpose_len = strlen(purpose);
    if (p.purpose_len > DECC_RCPT_PURPOSE_MAX)
      return cli_cmd_usage(spec.cmd, "--purpose: at most %d bytes",
                           DECC_RCPT_PURPOSE_MAX);
    memcpy(p.purpose, purpose, p.purpose_len);
  }
  cli_key_opts k = w.key;
  uint8_t *sk = NULL;
  int rc = cli_key_load(&k, &sk);
  if (rc != CLI_OK)
    return rc;
  decc_status st = decc_grant_policy_sign(&p, sk);
  decc_secure_free(sk);
  if (st)
    return cli_fail("--purpose must be printable UTF-8");
  char *js = NULL;
  if (decc_grant_policy_to_json(&js, &p))
    return cli_fail("out of memory");
  puts(js);
  decc_free(js);
  return CLI_OK;
}

static const char POLICY_PUSH_HELP[] =
    "usage: decc receipts policy push FILE [wallet]\n\n"
    "Presents a signed grant policy (policy sign's output) to the SMS, which\n"
    "accepts only the dataset owner's, never an expired one and never a\n"
    "second one for the same order.\n";

static int policy_push(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  cli_spec spec = {
      "receipts policy push", POLICY_PUSH_HELP, NULL, &w.key, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  w.wallet = w.key.wallet;
  const char *arg = np ? argv[1] : NULL;
  if (!arg)
    return cli_cmd_usage(spec.cmd, "policy push FILE");
  decc_err err;
  decc_err_clear(&err);
  size_t n = 0;
  char *text = cli_read_file(arg, 8192, &n, 0);
  if (!text)
    return CLI_FAIL;
  decc_grant_policy p;
  decc_status st = decc_grant_policy_from_json(&p, text, n, &err);
  decc_free(text);
  if (st)
    return cli_fail("%s: %s", arg, err.msg);
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, 0);
  if (rc != CLI_OK)
    return rc;
  rc = cli_receipts_push_policy(dp, &p);
  decc_dp_close(dp);
  if (rc == CLI_OK)
    cli_progress("grant policy accepted");
  return rc;
}

static const char POLICY_SHOW_HELP[] =
    "usage: decc receipts policy show ORDER_HASH\n\n"
    "Prints the grant policy the SMS holds for the dataset order "
    "ORDER_HASH.\n";

static int policy_show(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  cli_spec spec = {
      "receipts policy show", POLICY_SHOW_HELP, NULL, &w.key, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  w.wallet = w.key.wallet;
  const char *arg = np ? argv[1] : NULL;
  uint8_t h[32];
  if (!arg)
    return cli_cmd_usage(spec.cmd, "policy show needs the ORDER_HASH");
  if (dp_cli_hash(h, arg, "ORDER_HASH"))
    return CLI_USAGE;
  decc_dp *dp;
  int rc = dp_cli_open(&dp, &w, 0);
  if (rc != CLI_OK)
    return rc;
  decc_grant_policy p;
  int found = cli_receipts_policy_of(dp, h, &p);
  decc_dp_close(dp);
  if (found <= 0)
    return cli_fail("no policy for grant %s (no expiry, no purpose)", arg);
  char *js = NULL;
  if (decc_grant_policy_to_json(&js, &p))
    return cli_fail("out of memory");
  puts(js);
  decc_free(js);
  return CLI_OK;
}

static const cli_sub POLICY_SUBS[] = {
    {"sign", "print a grant policy signed by the wallet", policy_sign},
    {"push", "present a signed grant policy to the SMS", policy_push},
    {"show", "the grant policy of a dataset order", policy_show},
    {NULL, NULL, NULL}};

/* ---- receipts ----------------------------------------------------------------- */

/* Receipts from a node: the owner's signed challenge, raw records. */
static int fetch_remote(const char *base, const dp_cli_opts *w,
                        const decc_address *ds, decc_rcpt_list *l,
                        decc_address *signer) {
  cli_key_opts k = w->key;
  if (w->wallet)
    k.wallet = w->wallet;
  uint8_t *sk = NULL;
  int rc = cli_key_load(&k, &sk);
  if (rc != CLI_OK)
    return rc;
  uint64_t ts = (uint64_t)time(NULL);
  uint8_t ch[32], sig[65];
  decc_rcpt_read_challenge(ch, ds, ts);
  decc_status st = decc_sms_sign_challenge(sig, sk, ch);
  decc_secure_free(sk);
  if (st)
    return cli_fail("cannot sign the receipts challenge");
  char url[2300], a[DECC_ADDRESS_HEX_LEN], hdr[160], sh[DECC_SIG_HEX_LEN];
  snprintf(url, sizeof url, "%s/receipts/%s?timestamp=%llu", base,
           decc_address_to_hex(a, ds), (unsigned long long)ts);
  snprintf(hdr, sizeof hdr, "Authorization: %s",
           decc_hex_encode(sh, sig, 65, 1));
  const char *hdrs[] = {hdr, NULL};
  decc_http_reply rep;
  decc_err err;
  decc_err_clear(&err);
  st = decc_http_fetch(&rep, "GET", url, hdrs, NULL, 0, (size_t)1 << 30, 0,
                       &err);
  if (st) {
    decc_buf_clear(&rep.body);
    return cli_fail("receipts: %s", err.msg);
  }
  json_error_t je;
  json_t *o = json_loadb((const char *)rep.body.data, rep.body.len, 0, &je);
  long status = rep.status;
  decc_buf_clear(&rep.body);
  if (status != 200) {
    const char *m = o ? json_string_value(json_object_get(o, "error")) : NULL;
    rc = cli_fail("receipts refused by the node (HTTP %ld): %s", status,
                  m ? m : "no reason given");
    json_decref(o);
    return rc;
  }
  json_t *recs = o ? json_object_get(o, "records") : NULL;
  const char *sg = o ? json_string_value(json_object_get(o, "signer")) : NULL;
  if (!json_is_array(recs) || !sg ||
      decc_address_parse(signer, sg, NULL) != DECC_OK) {
    json_decref(o);
    return cli_fail("receipts: the node's answer is malformed");
  }
  memset(l, 0, sizeof *l);
  size_t n = json_array_size(recs);
  l->items = n ? decc_calloc(n, sizeof *l->items) : NULL;
  if (n && !l->items) {
    json_decref(o);
    return cli_fail("out of memory");
  }
  l->torn_bytes = (uint64_t)json_integer_value(json_object_get(o, "tornBytes"));
  l->bad_frames = (uint64_t)json_integer_value(json_object_get(o, "badFrames"));
  for (size_t i = 0; i < n; i++) {
    const char *hx = json_string_value(json_array_get(recs, i));
    uint8_t rec[DECC_RCPT_MAX_LEN];
    size_t rl = 0;
    if (!hx || decc_hex_decode(rec, sizeof rec, &rl, hx, strlen(hx)) ||
        decc_rcpt_decode(&l->items[l->n], rec, rl, &err)) {
      l->bad_frames++;
      continue;
    }
    l->n++;
  }
  json_decref(o);
  return CLI_OK;
}

static int read_signer_file(decc_dp *dp, decc_address *out) {
  char path[4200];
  snprintf(path, sizeof path, "%s/sms/receipts/signer", decc_dp_home(dp));
  FILE *f = fopen(path, "r");
  char line[64] = {0};
  int ok = f && fgets(line, sizeof line, f) != NULL;
  if (f)
    fclose(f);
  line[strcspn(line, "\r\n")] = 0;
  return ok && decc_address_parse(out, line, NULL) == DECC_OK ? 0 : -1;
}

static void print_receipt(const decc_rcpt *r) {
  char t[40], tk[DECC_HEX32_LEN], ap[DECC_ADDRESS_HEX_LEN],
      rq[DECC_ADDRESS_HEX_LEN], d[DECC_HEX32_LEN];
  decc_u256 price;
  char pr[DECC_U256_DEC_LEN];
  decc_u256_from_be(&price, r->price);
  printf("#%llu %-11s %s task %s app %s requester %s price %s",
         (unsigned long long)r->seq, decc_rcpt_kind_name(r->kind),
         cli_time_format(t, sizeof t, (int64_t)r->time),
         decc_hex_encode(tk, r->task_id, 32, 1),
         decc_address_to_checksum(ap, &r->app),
         decc_address_to_checksum(rq, &r->requester),
         decc_u256_to_dec(pr, &price));
  if (r->kind == DECC_RCPT_RESULT)
    printf(" result %s", decc_hex_encode(d, r->result_digest, 32, 1));
  if (r->purpose_len)
    printf(" purpose \"%s\"", r->purpose);
  putchar('\n');
}

int cli_cmd_receipts(int argc, char **argv) {
  /* "policy" is a subcommand group; anything else is the receipts of DATA. */
  if (argc >= 2 && !strcmp(argv[1], "policy"))
    return cli_dispatch("receipts policy",
                        "Grant policies: expiry and purpose of a grant, "
                        "signed by the data owner.\n",
                        POLICY_SUBS, argc - 1, argv + 1);
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *signer_s = NULL, *log_file = NULL;
  int verify = 0;
  cli_opt opts[] = {
      {"verify", 0, CLI_OPT_FLAG, &verify, NULL,
       "check the hash chain, every signature and each receipt against the "
       "chain",
       0, 0, 0},
      {"signer", 0, CLI_OPT_STR, &signer_s, "ADDRESS",
       "the expected signer of the receipts (default: the SMS's published "
       "key)",
       0, 0, 0},
      {"log", 0, CLI_OPT_STR, &log_file, "FILE",
       "read a receipt log file instead of asking the SMS", 0, 0, 0},
      {0}};
  cli_spec spec = {"receipts", HELP, opts, &w.key, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  w.wallet = w.key.wallet;
  const char *data = np ? argv[1] : NULL;
  if (!data)
    return cli_cmd_usage(spec.cmd, "give the protected data's address");
  decc_address ds, signer;
  int have_signer = 0;
  if (dp_cli_address(&ds, data, "protected data") ||
      (signer_s && dp_cli_address(&signer, signer_s, "--signer")))
    return CLI_USAGE;
  have_signer = signer_s != NULL;
  char *base = NULL;
  int rc = sms_base(&base);
  if (rc != CLI_OK)
    return rc;
  decc_dp *dp;
  if ((rc = dp_cli_open(&dp, &w, 0)) != CLI_OK) {
    decc_free(base);
    return rc;
  }
  decc_err err;
  decc_err_clear(&err);
  decc_rcpt_list l;
  memset(&l, 0, sizeof l);
  decc_address published;
  int have_published = 0;
  /* An address the dataset registry does not know has no receipts to
   * show: a typo, or another chain's protected data, must not read as
   * "never used". (A --log file is read as given.) */
  decc_chain *ch = decc_dp_chain(dp);
  decc_chain_addresses addrs;
  int registered = 1;
  if (!log_file && ch &&
      (decc_chain_get_addresses(ch, &addrs, &err) ||
       decc_hub_is_registered(ch, &addrs.dataset_registry, &ds, &registered,
                              &err))) {
    decc_free(base);
    decc_dp_close(dp);
    return cli_fail("receipts: %s", err.msg);
  }
  if (!registered) {
    char dh[DECC_ADDRESS_HEX_LEN];
    decc_free(base);
    decc_dp_close(dp);
    return cli_fail("no protected data %s on this chain (check the address)",
                    decc_address_to_checksum(dh, &ds));
  }
  struct stat lsb;
  if (log_file) {
    /* The library reads a missing log as "no receipt yet" (the SMS's own
     * directory before the first release); a file named on the command
     * line must exist, or a typo would verify as an empty log. */
    if (stat(log_file, &lsb) != 0)
      rc = cli_fail("--log %s: %s (give the path of a receipt log file)",
                    log_file, strerror(errno));
    else if (decc_rcpt_log_read(&l, log_file, 0, &err))
      rc = cli_fail("%s", err.msg);
    else if (!base && decc_dp_sms(dp))
      have_published = read_signer_file(dp, &published) == 0;
  } else if (base) {
    rc = fetch_remote(base, &w, &ds, &l, &published);
    have_published = rc == CLI_OK;
  } else if (!decc_dp_sms(dp)) {
    rc = cli_fail("no SMS: configure \"sms\" or \"node\" in config.json");
  } else {
    decc_rcpt_store *st = NULL;
    if ((rc = open_store(dp, &st)) == CLI_OK) {
      char *path = NULL;
      /* RESULT receipts of the tasks completed since the last look. */
      if (decc_rcpt_sync_results(st, decc_dp_chain(dp), &ds, NULL, &err))
        rc = cli_fail("receipts: %s", err.msg);
      else if (decc_rcpt_log_path(&path, decc_rcpt_store_dir(st), &ds))
        rc = cli_fail("out of memory");
      else if (decc_rcpt_log_read(&l, path, 0, &err))
        rc = cli_fail("receipts: %s", err.msg);
      decc_free(path);
      decc_rcpt_store_close(st);
      have_published = read_signer_file(dp, &published) == 0;
    }
  }
  decc_free(base);
  if (rc != CLI_OK) {
    decc_dp_close(dp);
    decc_rcpt_list_clear(&l);
    return rc;
  }
  /* The key receipts must be signed with: --signer, else the SMS's own. */
  if (!have_signer && have_published) {
    signer = published;
    have_signer = 1;
  }
  decc_rcpt_report rep;
  memset(&rep, 0, sizeof rep);
  if (verify) {
    if (decc_rcpt_verify_log(&rep, &l, &ds, have_signer ? &signer : NULL,
                             &err) ||
        decc_rcpt_verify_chain(&rep, &l, decc_dp_chain(dp), &err) ||
        decc_rcpt_verify_coverage(&rep, &l, &ds, decc_dp_chain(dp), &err)) {
      decc_dp_close(dp);
      decc_rcpt_list_clear(&l);
      decc_rcpt_report_clear(&rep);
      return cli_fail("receipts --verify: %s", err.msg);
    }
  }
  decc_dp_close(dp);
  int bad = verify && rep.n > 0;
  if (g_cli.json) {
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < l.n; i++) {
      char *rj = NULL;
      json_error_t je;
      if (decc_rcpt_to_json(&rj, &l.items[i]) ||
          json_array_append_new(arr, json_loads(rj, 0, &je))) {
        json_decref(arr);
        arr = NULL;
      }
      decc_free(rj);
    }
    char a[DECC_ADDRESS_HEX_LEN], s[DECC_ADDRESS_HEX_LEN];
    json_t *o =
        arr ? json_pack("{s:s,s:s?,s:o}", "dataset",
                        decc_address_to_checksum(a, &ds), "signer",
                        have_signer ? decc_address_to_checksum(s, &signer)
                                    : NULL,
                        "receipts", arr)
            : NULL;
    if (o && verify) {
      char *rj = NULL;
      json_error_t je;
      if (decc_rcpt_report_to_json(&rj, &rep) == DECC_OK)
        json_object_set_new(o, "verify", json_loads(rj, 0, &je));
      decc_free(rj);
    }
    rc = cli_print_json(o);
  } else {
    char a[DECC_ADDRESS_HEX_LEN], s[DECC_ADDRESS_HEX_LEN];
    printf("receipts of %s (SMS signer %s): %zu\n",
           decc_address_to_checksum(a, &ds),
           have_signer ? decc_address_to_checksum(s, &signer) : "unknown", l.n);
    for (size_t i = 0; i < l.n; i++)
      print_receipt(&l.items[i]);
    if (verify && !bad)
      printf("verified: %zu receipt(s), hash chain and signatures intact, "
             "%zu matched against the chain's deals and tasks\n",
             rep.checked, rep.chain_checked);
  }
  if (l.torn_bytes)
    fprintf(stderr,
            "decc: warning: the log ends with %llu bytes of an append "
            "interrupted by a crash (never acknowledged; the SMS drops them "
            "at its next append)\n",
            (unsigned long long)l.torn_bytes);
  if (bad) {
    for (size_t i = 0; i < rep.n; i++) {
      if (rep.issues[i].seq == UINT64_MAX)
        fprintf(stderr, "decc: receipts: %s: %s\n", rep.issues[i].code,
                rep.issues[i].msg);
      else
        fprintf(stderr, "decc: receipt #%llu: %s: %s\n",
                (unsigned long long)rep.issues[i].seq, rep.issues[i].code,
                rep.issues[i].msg);
    }
    fprintf(stderr, "decc: receipts of %s do NOT verify (%zu problem(s))\n",
            data, rep.n);
    rc = CLI_FAIL;
  }
  decc_rcpt_report_clear(&rep);
  decc_rcpt_list_clear(&l);
  return rc;
}
