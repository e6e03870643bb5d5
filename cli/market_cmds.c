/*
 * market_cmds.c — `decc order publish|ls|unpublish` against a node's market
 * API (docs/api/http.md), doing what the iExec SDK does: fetch a login
 * challenge, sign its EIP-712 typed data with the wallet key, send
 * `authorization: <hash>_<signature>_<address>` with the write request.
 *
 * The node URL comes from --node, then $DECC_NODE_URL, then config.json
 * "market" or "node", then http://127.0.0.1:8545; the chain id from
 * --chain-id or the node's /health. The login is signed with the key
 * options, --wallet, or the wallet of config.json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "dp_cli.h"
#include "market_cmds.h"

#define REPLY_MAX (64u << 20)

static int usage(FILE *f) {
  fprintf(f,
          "usage: decc order publish --type TYPE [KEY] [--node URL] [--chain-id N] ORDER.json\n"
          "       decc order ls --type TYPE [--node URL] [--FILTER VALUE ...]\n"
          "       decc order unpublish --type TYPE KEY (--hash 0x… | --last ADDRESS |\n"
          "                            --all ADDRESS) [--node URL] [--chain-id N]\n\n"
          "  --type TYPE   apporder | datasetorder | workerpoolorder | requestorder\n"
          "  --node URL    node base URL (default $DECC_NODE_URL, config.json \"market\" or\n"
          "                \"node\", else http://127.0.0.1:8545)\n"
          "  KEY           --keystore FILE [--password-file FILE] | --private-key-file FILE\n"
          "                | --wallet NAME (default: config.json \"wallet\");\n"
          "                signs the market login challenge (publish works without a key\n"
          "                only on a node started with market_auth=false)\n"
          "  ORDER.json    a signed order ('decc order sign'); '-' reads stdin\n\n"
          "ls filters are the market API's query names, e.g. --app, --appOwner, --dataset,\n"
          "--datasetOwner, --workerpool, --workerpoolOwner, --requester, --beneficiary,\n"
          "--category, --isAppStrict, --isDatasetStrict, --isWorkerpoolStrict,\n"
          "--isRequesterStrict, --minTag, --maxTag, --minVolume, --minTrust, --maxTrust,\n"
          "--bulkOnly, --pageIndex, --pageSize ('any' lifts a restriction filter).\n"
          "--json prints the node's answer.\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

static const char *const FILTERS[] = {
    "app",         "appOwner",         "dataset",          "datasetOwner",
    "workerpool",  "workerpoolOwner",  "requester",        "beneficiary",
    "category",    "isAppStrict",      "isDatasetStrict",  "isWorkerpoolStrict",
    "isRequesterStrict", "minTag",     "maxTag",           "minVolume",
    "minTrust",    "maxTrust",         "bulkOnly",         "pageIndex",
    "pageSize",    NULL};

int cli_market_order_has(const char *name) {
  return name && (!strcmp(name, "publish") || !strcmp(name, "ls") ||
                  !strcmp(name, "unpublish"));
}

typedef struct mopts {
  const char *node, *type_s, *chain_s, *file, *hash, *last, *all;
  decc_order_type type;
  cli_key_opts key;
  char query[4096];
  size_t qlen;
} mopts;

/* Trims a trailing slash from the node URL into out. */
static void base_url(char *out, size_t cap, const char *node) {
  snprintf(out, cap, "%s", node);
  size_t n = strlen(out);
  while (n > 0 && out[n - 1] == '/')
    out[--n] = 0;
}

static int fetch(decc_http_reply *r, const char *method, const char *url,
                 const char *const *headers, const char *body) {
  decc_err err;
  decc_err_clear(&err);
  if (decc_http_fetch(r, method, url, headers, body, body ? strlen(body) : 0,
                      REPLY_MAX, 30000, &err) != DECC_OK) {
    decc_buf_clear(&r->body);
    cli_fail("%s: %s", url, err.msg);
    return -1;
  }
  return 0;
}

/* Reports a non-2xx answer with the node's error text. */
static int node_error(decc_http_reply *r) {
  json_error_t je;
  json_t *j = json_loadb((const char *)r->body.data, r->body.len, 0, &je);
  const char *msg = j ? json_string_value(json_object_get(j, "error")) : NULL;
  int rc = cli_fail("node answered %ld: %s", r->status,
                    msg ? msg : "(no error message)");
  json_decref(j);
  return rc;
}

static int chain_id(const mopts *o, const char *base, uint64_t *out) {
  if (o->chain_s) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(o->chain_s, &end, 10);
    if (!*o->chain_s || errno || *end || v == 0)
      return cli_usage_error("--chain-id: '%s' is not a positive number",
                             o->chain_s);
    *out = v;
    return CLI_OK;
  }
  char url[2048];
  snprintf(url, sizeof url, "%s/health", base);
  decc_http_reply r;
  if (fetch(&r, "GET", url, NULL, NULL))
    return CLI_FAIL;
  json_error_t je;
  json_t *j = json_loadb((const char *)r.body.data, r.body.len, 0, &je);
  json_t *c = j ? json_object_get(j, "chainId") : NULL;
  int rc = CLI_OK;
  if (r.status != 200 || !json_is_integer(c))
    rc = cli_fail("%s: no chainId (is the chain role on? use --chain-id)", url);
  else
    *out = (uint64_t)json_integer_value(c);
  json_decref(j);
  decc_buf_clear(&r.body);
  return rc;
}

/* GET /challenge, sign it; out = the authorization header line. */
static int authorize(const char *base, uint64_t chain, const uint8_t *sk,
                     char *out, size_t cap) {
  decc_address me;
  if (decc_address_from_privkey(&me, sk) != DECC_OK)
    return cli_fail("invalid private key");
  char addr[43], url[2048];
  decc_address_to_checksum(addr, &me);
  snprintf(url, sizeof url, "%s/challenge?chainId=%llu&address=%s", base,
           (unsigned long long)chain, addr);
  decc_http_reply r;
  if (fetch(&r, "GET", url, NULL, NULL))
    return CLI_FAIL;
  if (r.status != 200) {
    int rc = node_error(&r);
    decc_buf_clear(&r.body);
    return rc;
  }
  json_error_t je;
  json_t *j = json_loadb((const char *)r.body.data, r.body.len, 0, &je);
  decc_buf_clear(&r.body);
  json_t *data = j ? json_object_get(j, "data") : NULL;
  char *typed = data ? json_dumps(data, JSON_COMPACT) : NULL;
  json_decref(j);
  if (!typed)
    return cli_fail("%s: unexpected challenge answer", url);
  uint8_t sig[65], digest[32];
  decc_err err;
  decc_err_clear(&err);
  decc_status st =
      decc_eip712_sign_json(sig, digest, sk, typed, strlen(typed), &err);
  free(typed);
  if (st)
    return cli_fail_err(&err);
  char hh[67], sh[133];
  decc_hex_encode(hh, digest, 32, 1);
  decc_hex_encode(sh, sig, 65, 1);
  snprintf(out, cap, "authorization: %s_%s_%s", hh, sh, addr);
  return CLI_OK;
}

static int parse(mopts *o, int argc, char **argv, int sub) {
  memset(o, 0, sizeof o[0]);
  /* The market: --node, $DECC_NODE_URL, config.json "market" then "node"
   * (as every other command reads them), else the local default. The
   * config's wallet signs the login when no key option is given. */
  static char cfg_node[2048], cfg_wallet[512];
  o->node = getenv("DECC_NODE_URL");
  {
    char home[4096];
    dp_cli_config cfg;
    if (dp_cli_home(home, sizeof home) == 0 &&
        dp_cli_config_load(&cfg, home) == CLI_OK) {
      const char *m = cfg.market ? cfg.market : cfg.node;
      if ((!o->node || !*o->node) && m) {
        snprintf(cfg_node, sizeof cfg_node, "%s", m);
        o->node = cfg_node;
      }
      if (cfg.wallet) {
        snprintf(cfg_wallet, sizeof cfg_wallet, "%s", cfg.wallet);
        o->key.wallet = cfg_wallet;
      }
      dp_cli_config_clear(&cfg);
    }
  }
  if (!o->node || !*o->node)
    o->node = "http://127.0.0.1:8545";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int kr = cli_key_opt_parse(&o->key, argc, argv, &i);
    if (kr < 0)
      return CLI_USAGE;
    if (kr > 0)
      continue;
    const char **slot = NULL;
    if (!strcmp(a, "--node"))
      slot = &o->node;
    else if (!strcmp(a, "--type"))
      slot = &o->type_s;
    else if (!strcmp(a, "--chain-id"))
      slot = &o->chain_s;
    else if (sub == 'u' && !strcmp(a, "--hash"))
      slot = &o->hash;
    else if (sub == 'u' && !strcmp(a, "--last"))
      slot = &o->last;
    else if (sub == 'u' && !strcmp(a, "--all"))
      slot = &o->all;
    if (slot) {
      if (i + 1 >= argc)
        return cli_usage_error("%s needs a value", a);
      *slot = argv[++i];
      continue;
    }
    if (sub == 'l' && !strncmp(a, "--", 2)) {
      int k;
      for (k = 0; FILTERS[k]; k++)
        if (!strcmp(FILTERS[k], a + 2))
          break;
      if (!FILTERS[k])
        return cli_usage_error("unknown filter '%s'", a);
      if (i + 1 >= argc)
        return cli_usage_error("%s needs a value", a);
      char *esc = decc_http_escape(argv[++i]);
      if (!esc)
        return cli_fail("out of memory");
      int n = snprintf(o->query + o->qlen, sizeof o->query - o->qlen, "&%s=%s",
                       FILTERS[k], esc);
      decc_free(esc);
      if (n < 0 || (size_t)n >= sizeof o->query - o->qlen)
        return cli_usage_error("too many filters");
      o->qlen += (size_t)n;
      continue;
    }
    if (sub == 'p' && !o->file && (a[0] != '-' || !strcmp(a, "-"))) {
      o->file = a;
      continue;
    }
    return cli_usage_error("unknown option '%s'", a);
  }
  if (!o->type_s)
    return cli_usage_error("--type is required");
  if (decc_order_type_parse(&o->type, o->type_s) != DECC_OK)
    return cli_usage_error("unknown order type '%s' (apporder, datasetorder, "
                           "workerpoolorder, requestorder)",
                           o->type_s);
  if (sub == 'p' && !o->file)
    return cli_usage_error("an ORDER.json file is required ('-' for stdin)");
  if (sub == 'u' && (!!o->hash + !!o->last + !!o->all) != 1)
    return cli_usage_error("give exactly one of --hash, --last, --all");
  return CLI_OK;
}

static int has_key(const mopts *o) {
  return o->key.keystore || o->key.private_key_file || o->key.wallet;
}

static int cmd_publish(int argc, char **argv) {
  mopts o;
  int rc = parse(&o, argc, argv, 'p');
  if (rc)
    return rc;
  size_t len = 0;
  char *text = cli_read_file(o.file, DECC_ORDER_JSON_MAX, &len, 0);
  if (!text)
    return CLI_FAIL;
  json_error_t je;
  json_t *order = json_loadb(text, len, 0, &je);
  decc_free(text);
  if (!order || !json_is_object(order)) {
    json_decref(order);
    return cli_fail("%s: not a JSON order object", o.file);
  }
  /* Accept both a bare order and the {"order": …} body. */
  json_t *inner = json_object_get(order, "order");
  json_t *body = json_is_object(inner)
                     ? json_incref(order)
                     : json_pack("{s:O}", "order", order);
  json_decref(order);
  char *bs = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  if (!bs)
    return cli_fail("out of memory");
  char base[1024], url[2048], auth[512];
  base_url(base, sizeof base, o.node);
  uint64_t chain = 0;
  if ((rc = chain_id(&o, base, &chain)) != CLI_OK) {
    free(bs);
    return rc;
  }
  const char *headers[3] = {"Content-Type: application/json", NULL, NULL};
  if (has_key(&o)) {
    uint8_t *sk = NULL;
    if ((rc = cli_key_load(&o.key, &sk)) != CLI_OK) {
      free(bs);
      return rc;
    }
    rc = authorize(base, chain, sk, auth, sizeof auth);
    decc_secure_free(sk);
    if (rc) {
      free(bs);
      return rc;
    }
    headers[1] = auth;
  }
  snprintf(url, sizeof url, "%s/%ss?chainId=%llu", base,
           decc_order_type_name(o.type), (unsigned long long)chain);
  decc_http_reply r;
  if (fetch(&r, "POST", url, headers, bs)) {
    free(bs);
    return CLI_FAIL;
  }
  free(bs);
  if (r.status / 100 != 2) {
    rc = node_error(&r);
    decc_buf_clear(&r.body);
    return rc;
  }
  json_t *j = json_loadb((const char *)r.body.data, r.body.len, 0, &je);
  decc_buf_clear(&r.body);
  json_t *pub = j ? json_object_get(j, "published") : NULL;
  if (!pub) {
    json_decref(j);
    return cli_fail("unexpected answer from the node");
  }
  if (g_cli.json)
    return cli_print_json(j);
  printf("published %s %s (remaining %lld)\n", decc_order_type_name(o.type),
         json_string_value(json_object_get(pub, "orderHash")),
         (long long)json_integer_value(json_object_get(pub, "remaining")));
  json_decref(j);
  return CLI_OK;
}

static int cmd_ls(int argc, char **argv) {
  mopts o;
  int rc = parse(&o, argc, argv, 'l');
  if (rc)
    return rc;
  char base[1024], url[6144];
  base_url(base, sizeof base, o.node);
  snprintf(url, sizeof url, "%s/%ss?%s", base, decc_order_type_name(o.type),
           o.qlen ? o.query + 1 : "");
  decc_http_reply r;
  if (fetch(&r, "GET", url, NULL, NULL))
    return CLI_FAIL;
  if (r.status != 200) {
    rc = node_error(&r);
    decc_buf_clear(&r.body);
    return rc;
  }
  json_error_t je;
  json_t *j = json_loadb((const char *)r.body.data, r.body.len, 0, &je);
  decc_buf_clear(&r.body);
  if (!j)
    return cli_fail("unexpected answer from the node");
  if (g_cli.json)
    return cli_print_json(j);
  size_t i;
  json_t *rec;
  json_array_foreach(json_object_get(j, "orders"), i, rec) {
    json_t *ord = json_object_get(rec, "order");
    const char *price_key = o.type == DECC_ORDER_APP ? "appprice"
                            : o.type == DECC_ORDER_DATASET ? "datasetprice"
                            : o.type == DECC_ORDER_WORKERPOOL
                                ? "workerpoolprice"
                                : "workerpoolmaxprice";
    json_t *p = json_object_get(ord, price_key);
    printf("%s  price %s  remaining %lld  %s\n",
           json_string_value(json_object_get(rec, "orderHash")),
           json_is_string(p) ? json_string_value(p) : "?",
           (long long)json_integer_value(json_object_get(rec, "remaining")),
           json_string_value(json_object_get(rec, "status")));
  }
  printf("%lld order(s)%s\n",
         (long long)json_integer_value(json_object_get(j, "count")),
         json_object_get(j, "nextPage") ? " (more: --pageIndex)" : "");
  json_decref(j);
  return CLI_OK;
}

static int cmd_unpublish(int argc, char **argv) {
  mopts o;
  int rc = parse(&o, argc, argv, 'u');
  if (rc)
    return rc;
  if (!has_key(&o))
    return cli_usage_error("unpublish needs the signer's key (--keystore or "
                           "--private-key-file)");
  char base[1024], url[2048], auth[512];
  base_url(base, sizeof base, o.node);
  uint64_t chain = 0;
  if ((rc = chain_id(&o, base, &chain)) != CLI_OK)
    return rc;
  json_t *body;
  if (o.hash) {
    body = json_pack("{s:s,s:s}", "target", "unpublish_orderHash", "orderHash",
                     o.hash);
  } else {
    static const char *keys[4] = {"app", "dataset", "workerpool", "requester"};
    body = json_pack("{s:s,s:s}", "target",
                     o.last ? "unpublish_last" : "unpublish_all",
                     keys[o.type], o.last ? o.last : o.all);
  }
  char *bs = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  if (!bs)
    return cli_fail("out of memory");
  uint8_t *sk = NULL;
  if ((rc = cli_key_load(&o.key, &sk)) != CLI_OK) {
    free(bs);
    return rc;
  }
  rc = authorize(base, chain, sk, auth, sizeof auth);
  decc_secure_free(sk);
  if (rc) {
    free(bs);
    return rc;
  }
  const char *headers[3] = {"Content-Type: application/json", auth, NULL};
  snprintf(url, sizeof url, "%s/%ss?chainId=%llu", base,
           decc_order_type_name(o.type), (unsigned long long)chain);
  decc_http_reply r;
  if (fetch(&r, "PUT", url, headers, bs)) {
    free(bs);
    return CLI_FAIL;
  }
  free(bs);
  if (r.status != 200) {
    rc = node_error(&r);
    decc_buf_clear(&r.body);
    return rc;
  }
  json_error_t je;
  json_t *j = json_loadb((const char *)r.body.data, r.body.len, 0, &je);
  decc_buf_clear(&r.body);
  if (!j)
    return cli_fail("unexpected answer from the node");
  if (g_cli.json)
    return cli_print_json(j);
  size_t i;
  json_t *h;
  json_array_foreach(json_object_get(j, "unpublished"), i, h)
      printf("unpublished %s\n", json_string_value(h));
  json_decref(j);
  return CLI_OK;
}

int cli_market_order(int argc, char **argv) {
  if (argc < 1)
    return usage(stderr);
  if (cli_wants_help(argc, argv))
    return usage(stdout);
  if (!strcmp(argv[0], "publish"))
    return cmd_publish(argc, argv);
  if (!strcmp(argv[0], "ls"))
    return cmd_ls(argc, argv);
  if (!strcmp(argv[0], "unpublish"))
    return cmd_unpublish(argc, argv);
  return cli_usage_error("unknown order command '%s'", argv[0]);
}
