/*
 * cmd_order.c — `decc order`, all of it, one subcommand table:
 *  - hash|sign|verify: iExec orders in the SDK's JSON shape, hashed and
 *    signed with EIP-712 under the PoCo domain ("iExecODB", "5.0.0", chain
 *    id, hub), byte-compatible with iexec@9;
 *  - cancel|presign: manage*Order with operation CLOSE (1) or SIGN (0) on
 *    the chain, sent by the order's owner (PoCo accepts msg.sender ==
 *    owner, so no operation signature is needed);
 *  - publish|ls|unpublish: a node's market API (docs/api/http.md), as the
 *    iExec SDK does it: fetch a login challenge, sign its EIP-712 typed
 *    data with the wallet key, send `authorization: <hash>_<signature>_
 *    <address>` with the write request. The node URL comes from --node,
 *    then $DECC_NODE_URL, then config.json "market" or "node", then
 *    http://127.0.0.1:8545; the chain id from --chain-id or the node's
 *    /health; the login is signed with the key options, --wallet, or the
 *    wallet of config.json.
 *
 * The hub defaults to the PoCo proxy of the two Arbitrum deployments
 * (iexec-protocol.md §1.4); any other chain needs --hub. Unlike the SDK,
 * `sign` signs the order exactly as given: it does not OR tee+tdx into the
 * tag (SDK 9 does), so what is printed is what was signed.
 */
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
#include "ledger_cli.h"

static const char ORDER_HELP[] =
    "usage: decc order <hash|sign|verify> --type TYPE --chain-id N [--hub "
    "ADDRESS]\n"
    "                  [options] ORDER.json\n\n"
    "  hash     print the EIP-712 order hash (what PoCo uses for consumed "
    "volume,\n"
    "           presignatures and deal ids)\n"
    "  sign     print the order with \"salt\" and \"sign\" added (--salt: "
    "this 32-byte\n"
    "           salt, else the input's, else 32 random bytes; the wallet "
    "options: the key)\n"
    "  verify   check \"sign\" (against --signer, or print the recovered "
    "signer)\n\n"
    "--hub defaults to the PoCo proxy of chain ids 42161 and 421614.\n"
    "ORDER.json is the SDK's shape: numbers as decimal strings, tag as 0x "
    "bytes32\n"
    "or tag names (\"tee,tdx\" or [\"tee\",\"tdx\"]), params as a string; "
    "'-' reads stdin.\n"
    "Unlike the iexec SDK, sign does not OR tee+tdx into the tag: it signs "
    "the\n"
    "order exactly as given.\n"
    "Exit status: 0 ok, 1 bad input or invalid signature, 2 usage error.\n";

/* The overview of `decc order` (cli_dispatch adds the command list). */
static const char ORDER_OVERVIEW[] =
    "Hash, sign and verify iExec orders (EIP-712, SDK-compatible); cancel or\n"
    "presign them on the chain (embedded ledger); publish, list and "
    "unpublish\n"
    "them on a node's market (decc node).\n"
    "TYPE: apporder | datasetorder | workerpoolorder | requestorder.\n";

typedef struct order_opts {
  const char *type_s, *hub_s, *salt_s, *signer_s, *out, *file;
  uint64_t chain; /* --chain-id (required: 0 is not a chain id) */
  cli_key_opts key;
} order_opts;

/* hash, sign and verify share the table; --salt and the key options are
 * sign's, --signer is verify's. Returns CLI_RUN, or the exit code (help
 * printed, or a usage error). */
static int parse_opts(order_opts *o, int argc, char **argv, int is_sign,
                      int is_verify) {
  memset(o, 0, sizeof *o);
  cli_opt opts[] = {
      {"type", 0, CLI_OPT_STR, &o->type_s, "TYPE",
       "apporder | datasetorder | workerpoolorder | requestorder", 0, 0, 0},
      {"chain-id", 0, CLI_OPT_U64, &o->chain, "N",
       "chain id of the EIP-712 domain", 1, INT64_MAX, 0},
      {"hub", 0, CLI_OPT_STR, &o->hub_s, "ADDRESS",
       "PoCo proxy (default for chain ids 42161 and 421614)", 0, 0, 0},
      {"output", 'o', CLI_OPT_STR, &o->out, "FILE",
       "write the output to FILE (atomically)", 0, 0, 0},
      {NULL, 0, CLI_OPT_STR, NULL, NULL, NULL, 0, 0, 0}, /* --salt / --signer */
      {0}};
  if (is_sign)
    opts[4] = (cli_opt){"salt",     0,     CLI_OPT_STR,
                        &o->salt_s, "HEX", "use this 32-byte salt",
                        0,          0,     0};
  else if (is_verify)
    opts[4] = (cli_opt){"signer",
                        0,
                        CLI_OPT_STR,
                        &o->signer_s,
                        "ADDRESS",
                        "the expected signer",
                        0,
                        0,
                        0};
  const char *cmd = is_sign     ? "order sign"
                    : is_verify ? "order verify"
                                : "order hash";
  cli_spec spec = {cmd, ORDER_HELP, opts, is_sign ? &o->key : NULL, 1, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  o->file = np ? argv[1] : NULL;
  if (!o->type_s)
    return cli_cmd_usage(cmd, "--type is required");
  if (!o->chain)
    return cli_cmd_usage(cmd, "--chain-id is required");
  if (!o->file)
    return cli_cmd_usage(cmd, "an ORDER.json file is required ('-' for stdin)");
  return CLI_RUN;
}

/* Known PoCo proxies (iexec-protocol.md §2.1). */
static const char *default_hub(uint64_t chain) {
  if (chain == 42161)
    return "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0";
  if (chain == 421614)
    return "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E";
  return NULL;
}

typedef struct order_ctx {
  decc_order order;
  unsigned present;
  uint64_t chain;
  decc_address hub;
  uint8_t domain[32];
  int loaded;
} order_ctx;

static int load(order_ctx *c, const order_opts *o) {
  memset(c, 0, sizeof *c);
  decc_order_type type;
  if (decc_order_type_parse(&type, o->type_s) != DECC_OK)
    return cli_usage_error("unknown order type '%s' (apporder, datasetorder, "
                           "workerpoolorder, requestorder)",
                           o->type_s);
  c->chain = o->chain;
  const char *hub = o->hub_s ? o->hub_s : default_hub(c->chain);
  if (!hub)
    return cli_usage_error("--hub is required for chain id %llu",
                           (unsigned long long)c->chain);
  decc_err err;
  decc_err_clear(&err);
  if (decc_address_parse(&c->hub, hub, &err) != DECC_OK)
    return cli_fail("--hub: %s", err.msg);
  decc_poco_domain_separator(c->domain, c->chain, &c->hub);
  size_t len = 0;
  char *text = cli_read_file(o->file, DECC_ORDER_JSON_MAX, &len, 0);
  if (!text)
    return CLI_FAIL;
  decc_status st =
      decc_order_parse_json(&c->order, type, text, len, &c->present, &err);
  decc_free(text);
  if (st)
    return cli_fail("%s: %s", o->file,
                    err.msg[0] ? err.msg : decc_strerror(st));
  c->loaded = 1;
  return CLI_OK;
}

static void unload(order_ctx *c) {
  if (c->loaded)
    decc_order_clear(&c->order);
  c->loaded = 0;
}

/* Emits text (with a trailing newline) to -o FILE or stdout. */
static int emit(const order_opts *o, const char *text) {
  if (o->out) {
    size_t n = strlen(text);
    char *buf = decc_malloc(n + 2);
    if (!buf)
      return cli_fail("out of memory");
    memcpy(buf, text, n);
    buf[n] = '\n';
    int rc = cli_write_file_atomic(o->out, buf, n + 1, 0644);
    decc_free(buf);
    return rc;
  }
  if (puts(text) == EOF || fflush(stdout) != 0)
    return cli_fail("cannot write to stdout");
  return CLI_OK;
}

static int emit_json(const order_opts *o, json_t *j) {
  if (!j)
    return cli_fail("out of memory");
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!s)
    return cli_fail("out of memory");
  int rc = emit(o, s);
  free(s);
  return rc;
}

static int cmd_hash(int argc, char **argv) {
  order_opts o;
  int rc = parse_opts(&o, argc, argv, 0, 0);
  if (rc != CLI_RUN)
    return rc;
  order_ctx c;
  if ((rc = load(&c, &o)) != CLI_OK)
    return rc;
  uint8_t sh[32], h[32];
  decc_order_struct_hash(sh, &c.order);
  decc_order_hash(h, &c.order, c.domain);
  char hh[DECC_HEX32_LEN], shh[DECC_HEX32_LEN], dh[DECC_HEX32_LEN],
      hub[DECC_ADDRESS_HEX_LEN];
  decc_hex_encode(hh, h, 32, 1);
  if (g_cli.json) {
    rc = emit_json(
        &o, json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "type",
                      decc_order_type_name(c.order.type), "orderHash", hh,
                      "structHash", decc_hex_encode(shh, sh, 32, 1),
                      "domainSeparator", decc_hex_encode(dh, c.domain, 32, 1),
                      "chainId", (json_int_t)c.chain, "hub",
                      decc_address_to_checksum(hub, &c.hub)));
  } else {
    rc = emit(&o, hh);
  }
  unload(&c);
  return rc;
}

static int cmd_sign(int argc, char **argv) {
  order_opts o;
  int rc = parse_opts(&o, argc, argv, 1, 0);
  if (rc != CLI_RUN)
    return rc;
  if (cli_key_resolve(&o.key) != CLI_OK)
    return CLI_USAGE;
  order_ctx c;
  if ((rc = load(&c, &o)) != CLI_OK)
    return rc;
  int salt_random = !(c.present & DECC_ORDER_HAS_SALT);
  if (o.salt_s) {
    decc_err err;
    decc_err_clear(&err);
    uint8_t *salt =
        c.order.type == DECC_ORDER_APP          ? c.order.u.app.salt
        : c.order.type == DECC_ORDER_DATASET    ? c.order.u.dataset.salt
        : c.order.type == DECC_ORDER_WORKERPOOL ? c.order.u.workerpool.salt
                                                : c.order.u.request.salt;
    if (decc_hex_decode_exact(salt, 32, o.salt_s, "--salt", &err) != DECC_OK) {
      unload(&c);
      return cli_fail("%s", err.msg);
    }
    salt_random = 0;
  }
  uint8_t *sk = NULL;
  if ((rc = cli_key_load(&o.key, &sk)) != CLI_OK) {
    unload(&c);
    return rc;
  }
  decc_address me;
  decc_status st = decc_address_from_privkey(&me, sk);
  if (!st)
    st = decc_order_sign(&c.order, sk, c.domain, salt_random);
  decc_secure_free(sk);
  if (st) {
    unload(&c);
    return cli_fail("signing failed: %s", decc_strerror(st));
  }
  char ms[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(ms, &me);
  if (c.order.type == DECC_ORDER_REQUEST &&
      !decc_address_eq(&me, &c.order.u.request.requester))
    cli_progress("warning: the signer %s is not the order's requester; PoCo "
                 "will refuse this signature",
                 ms);
  char *oj = NULL;
  st = decc_order_to_json(&oj, &c.order);
  if (st) {
    unload(&c);
    return cli_fail("cannot serialize the order: %s", decc_strerror(st));
  }
  json_error_t je;
  json_t *order = json_loads(oj, 0, &je);
  decc_free(oj);
  uint8_t h[32];
  char hh[DECC_HEX32_LEN];
  decc_order_hash(h, &c.order, c.domain);
  decc_hex_encode(hh, h, 32, 1);
  if (!order) {
    rc = cli_fail("out of memory");
  } else if (g_cli.json) {
    rc =
        emit_json(&o, json_pack("{s:s,s:s,s:s,s:o}", "type",
                                decc_order_type_name(c.order.type), "orderHash",
                                hh, "signer", ms, "order", order));
  } else {
    char *pretty = json_dumps(order, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(order);
    rc = pretty ? emit(&o, pretty) : cli_fail("out of memory");
    free(pretty);
    if (rc == CLI_OK && o.out)
      cli_progress("signed %s %s by %s -> %s",
                   decc_order_type_name(c.order.type), hh, ms, o.out);
  }
  unload(&c);
  return rc;
}

static int cmd_verify(int argc, char **argv) {
  order_opts o;
  int rc = parse_opts(&o, argc, argv, 0, 1);
  if (rc != CLI_RUN)
    return rc;
  decc_address expected;
  if (o.signer_s) {
    decc_err err;
    decc_err_clear(&err);
    if (decc_address_parse(&expected, o.signer_s, &err) != DECC_OK)
      return cli_fail("--signer: %s", err.msg);
  }
  order_ctx c;
  if ((rc = load(&c, &o)) != CLI_OK)
    return rc;
  uint8_t h[32];
  char hh[DECC_HEX32_LEN], rs[DECC_ADDRESS_HEX_LEN] = "",
                           es[DECC_ADDRESS_HEX_LEN] = "";
  decc_order_hash(h, &c.order, c.domain);
  decc_hex_encode(hh, h, 32, 1);
  decc_address who;
  const char *why = NULL;
  if (!(c.present & DECC_ORDER_HAS_SIGN))
    why = "the order has no \"sign\"";
  else if (decc_order_recover(&who, &c.order, c.domain) != DECC_OK)
    why = "malformed signature (bad r/s/v, or high-S which PoCo refuses)";
  else {
    decc_address_to_checksum(rs, &who);
    if (o.signer_s && !decc_address_eq(&who, &expected))
      why = "signature does not match --signer";
  }
  if (o.signer_s)
    decc_address_to_checksum(es, &expected);
  unload(&c);
  if (g_cli.json) {
    json_t *j = json_pack("{s:b,s:s}", "valid", why == NULL, "orderHash", hh);
    if (j && rs[0])
      json_object_set_new(j, "signer", json_string(rs));
    if (j && es[0])
      json_object_set_new(j, "expectedSigner", json_string(es));
    if (j && why)
      json_object_set_new(j, "error", json_string(why));
    rc = emit_json(&o, j);
    return rc != CLI_OK ? rc : why ? CLI_FAIL : CLI_OK;
  }
  if (why) {
    if (rs[0])
      return cli_fail("%s: recovered %s, expected %s", why, rs, es);
    return cli_fail("%s", why);
  }
  char line[128];
  snprintf(line, sizeof line, "%s", rs);
  if (o.signer_s)
    snprintf(line, sizeof line, "valid: signed by %s", rs);
  return emit(&o, line);
}

/* ---- cancel, presign: the order on the chain ---- */

static const char CANCEL_HELP[] =
    "usage: decc order cancel ORDER.json [--type TYPE] [wallet]\n\n"
    "Cancels (closes) the order on chain as its owner (manage*Order, "
    "operation\n"
    "CLOSE): it can no longer be matched. TYPE: apporder, datasetorder,\n"
    "workerpoolorder, requestorder (default: guessed from the order's "
    "members).\n";

static const char PRESIGN_HELP[] =
    "usage: decc order presign ORDER.json [--type TYPE] [wallet]\n\n"
    "Presigns the order on chain as its owner (manage*Order, operation "
    "SIGN):\n"
    "it is recorded as signed without a signature. TYPE: apporder,\n"
    "datasetorder, workerpoolorder, requestorder (default: guessed from the\n"
    "order's members).\n";

static int cmd_manage(int argc, char **argv) {
  int cancel = !strcmp(argv[0], "cancel");
  cli_key_opts key = {0};
  const char *type = NULL;
  cli_opt opts[] = {{"type", 0, CLI_OPT_STR, &type, "TYPE",
                     "apporder | datasetorder | workerpoolorder | "
                     "requestorder (default: guessed)",
                     0, 0, 0},
                    {0}};
  cli_spec spec = {cancel ? "order cancel" : "order presign",
                   cancel ? CANCEL_HELP : PRESIGN_HELP,
                   opts,
                   &key,
                   1,
                   NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  const char *file = np ? argv[1] : NULL;
  if (!file)
    return cli_cmd_usage(spec.cmd, "an ORDER.json file is required");
  if (cli_key_resolve(&key) != CLI_OK)
    return CLI_USAGE;
  decc_order o;
  memset(&o, 0, sizeof o);
  int rc = lc_read_order(&o, file, type);
  if (rc != CLI_OK)
    return rc;
  static const char *const SIG[4] = {
      "manageAppOrder((" LC_APPO ",uint8,bytes))",
      "manageDatasetOrder((" LC_APPO ",uint8,bytes))",
      "manageWorkerpoolOrder((" LC_WPO ",uint8,bytes))",
      "manageRequestOrder((" LC_RQO ",uint8,bytes))"};
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_status s = decc_abi_enc_begin_tuple(&e);
  s = s ? s : lc_push_order(&e, &o);
  s = s ? s : decc_abi_enc_push_u64(&e, cancel ? 1 : 0);
  s = s ? s : decc_abi_enc_push_bytes(&e, NULL, 0);
  s = s ? s : decc_abi_enc_end_tuple(&e);
  decc_buf cd;
  if (s != DECC_OK) {
    decc_abi_enc_clear(&e);
    decc_order_clear(&o);
    return cli_fail("cannot encode the order: %s", decc_strerror(s));
  }
  if (lc_calldata(&cd, &e, SIG[o.type]) != CLI_OK) {
    decc_order_clear(&o);
    return CLI_FAIL;
  }
  decc_chain *l;
  if (lc_open(&l) != CLI_OK) {
    decc_buf_clear(&cd);
    decc_order_clear(&o);
    return CLI_FAIL;
  }
  lc_info info;
  decc_err err;
  decc_err_clear(&err);
  if (lc_get_info(l, &info, &err) != DECC_OK)
    rc = cli_fail_err(&err);
  else {
    uint8_t ds[32], h[32];
    decc_poco_domain_separator(ds, info.chain_id, &info.addr.hub);
    decc_order_hash(h, &o, ds);
    json_t *extra = json_object();
    json_object_set_new(extra, "orderHash", lc_json_hex(h, 32));
    json_object_set_new(extra, "operation",
                        json_string(cancel ? "CLOSE" : "SIGN"));
    rc = lc_send(l, &key, &info.addr.hub, &cd, extra, NULL);
    if (rc == CLI_OK && !g_cli.json) {
      char hh[DECC_HEX32_LEN];
      lc_hex(hh, h, 32);
      printf("order %s %s\n", hh, cancel ? "cancelled" : "presigned");
    }
  }
  decc_chain_destroy(l);
  decc_buf_clear(&cd);
  decc_order_clear(&o);
  return rc;
}

/* ---- publish, ls, unpublish: a node's market ---- */

#define REPLY_MAX (64u << 20)

static const char PUBLISH_HELP[] =
    "usage: decc order publish --type TYPE [wallet] [--node URL] [--chain-id "
    "N] ORDER.json\n\n"
    "Publishes a signed order ('decc order sign'; '-' reads stdin) on a "
    "node's\n"
    "market. The wallet signs the market login challenge (default: "
    "config.json\n"
    "\"wallet\"); without a key, publish works only on a node started with\n"
    "market_auth=false. --json prints the node's answer.\n";

static const char LS_HELP[] =
    "usage: decc order ls --type TYPE [--node URL] [--FILTER VALUE ...]\n\n"
    "Lists the orders of a node's market. The filters are the market API's "
    "query\n"
    "names ('any' lifts a restriction filter). --json prints the node's "
    "answer.\n";

static const char UNPUBLISH_HELP[] =
    "usage: decc order unpublish --type TYPE [wallet] (--hash 0x… | --last "
    "ADDRESS |\n"
    "                            --all ADDRESS) [--node URL] [--chain-id N]\n\n"
    "Removes the signer's orders from a node's market: one by hash, the last "
    "one\n"
    "or all of an app, dataset, workerpool or requester. Needs the signer's "
    "key.\n";

static const char *const FILTERS[] = {"app",
                                      "appOwner",
                                      "dataset",
                                      "datasetOwner",
                                      "workerpool",
                                      "workerpoolOwner",
                                      "requester",
                                      "beneficiary",
                                      "category",
                                      "isAppStrict",
                                      "isDatasetStrict",
                                      "isWorkerpoolStrict",
                                      "isRequesterStrict",
                                      "minTag",
                                      "maxTag",
                                      "minVolume",
                                      "minTrust",
                                      "maxTrust",
                                      "bulkOnly",
                                      "pageIndex",
                                      "pageSize",
                                      NULL};

#define N_FILTERS (sizeof FILTERS / sizeof FILTERS[0] - 1)

typedef struct mopts {
  const char *node, *type_s, *file, *hash, *last, *all;
  uint64_t chain;                /* --chain-id, 0: asked from the node */
  const char *filter[N_FILTERS]; /* ls: the value of FILTERS[k] */
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
  if (o->chain) {
    *out = o->chain;
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
  char addr[DECC_ADDRESS_HEX_LEN], url[2048];
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
  char hh[DECC_HEX32_LEN], sh[DECC_SIG_HEX_LEN];
  decc_hex_encode(hh, digest, 32, 1);
  decc_hex_encode(sh, sig, 65, 1);
  snprintf(out, cap, "authorization: %s_%s_%s", hh, sh, addr);
  return CLI_OK;
}

/* Parses publish (sub 'p'), ls ('l') or unpublish ('u') options into *o.
 * Returns CLI_RUN, or the exit code (help printed, or a usage error). */
static int market_parse(mopts *o, int argc, char **argv, int sub) {
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
  /* One table for the three: --node, --type, --chain-id (publish,
   * unpublish), --hash/--last/--all (unpublish), the filters (ls). */
  cli_opt opts[4 + 3 + N_FILTERS + 1];
  memset(opts, 0, sizeof opts);
  size_t n = 0;
  opts[n++] = (cli_opt){"node",
                        0,
                        CLI_OPT_STR,
                        &o->node,
                        "URL",
                        "node base URL (default $DECC_NODE_URL, config.json "
                        "\"market\" or \"node\", else http://127.0.0.1:8545)",
                        0,
                        0,
                        0};
  opts[n++] = (cli_opt){"type",
                        0,
                        CLI_OPT_STR,
                        &o->type_s,
                        "TYPE",
                        "apporder | datasetorder | workerpoolorder | "
                        "requestorder",
                        0,
                        0,
                        0};
  if (sub != 'l')
    opts[n++] = (cli_opt){
        "chain-id", 0,   CLI_OPT_U64,
        &o->chain,  "N", "the market's chain id (default: the node's)",
        1,          0,   0};
  if (sub == 'u') {
    opts[n++] = (cli_opt){"hash",   0,     CLI_OPT_STR,
                          &o->hash, "0x…", "unpublish this order",
                          0,        0,     0};
    opts[n++] = (cli_opt){"last",
                          0,
                          CLI_OPT_STR,
                          &o->last,
                          "ADDRESS",
                          "unpublish the last order of this asset or "
                          "requester",
                          0,
                          0,
                          0};
    opts[n++] = (cli_opt){
        "all",   0,         CLI_OPT_STR,
        &o->all, "ADDRESS", "unpublish every order of this asset or requester",
        0,       0,         0};
  }
  if (sub == 'l')
    for (size_t k = 0; k < N_FILTERS; k++)
      opts[n++] = (cli_opt){FILTERS[k],
                            0,
                            CLI_OPT_STR,
                            &o->filter[k],
                            "VALUE",
                            "a market query filter",
                            0,
                            0,
                            0};
  cli_spec spec = {sub == 'p'   ? "order publish"
                   : sub == 'l' ? "order ls"
                                : "order unpublish",
                   sub == 'p'   ? PUBLISH_HELP
                   : sub == 'l' ? LS_HELP
                                : UNPUBLISH_HELP,
                   opts,
                   &o->key,
                   sub == 'p' ? 1 : 0,
                   NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  o->file = np ? argv[1] : NULL;
  for (size_t k = 0; sub == 'l' && k < N_FILTERS; k++) {
    if (!o->filter[k])
      continue;
    char *esc = decc_http_escape(o->filter[k]);
    if (!esc)
      return cli_fail("out of memory");
    int w = snprintf(o->query + o->qlen, sizeof o->query - o->qlen, "&%s=%s",
                     FILTERS[k], esc);
    decc_free(esc);
    if (w < 0 || (size_t)w >= sizeof o->query - o->qlen)
      return cli_cmd_usage(spec.cmd, "the filters are too long");
    o->qlen += (size_t)w;
  }
  if (!o->type_s)
    return cli_cmd_usage(spec.cmd, "--type is required");
  if (decc_order_type_parse(&o->type, o->type_s) != DECC_OK)
    return cli_cmd_usage(spec.cmd,
                         "unknown order type '%.40s' (apporder, "
                         "datasetorder, workerpoolorder, requestorder)",
                         o->type_s);
  if (sub == 'p' && !o->file)
    return cli_cmd_usage(spec.cmd,
                         "an ORDER.json file is required ('-' for stdin)");
  if (sub == 'u' && (!!o->hash + !!o->last + !!o->all) != 1)
    return cli_cmd_usage(spec.cmd, "give exactly one of --hash, --last, --all");
  return CLI_RUN;
}

static int has_key(const mopts *o) {
  return o->key.keystore || o->key.private_key_file || o->key.wallet;
}

static int cmd_publish(int argc, char **argv) {
  mopts o;
  int rc = market_parse(&o, argc, argv, 'p');
  if (rc != CLI_RUN)
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
  json_t *body = json_is_object(inner) ? json_incref(order)
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

static int cmd_market_ls(int argc, char **argv) {
  mopts o;
  int rc = market_parse(&o, argc, argv, 'l');
  if (rc != CLI_RUN)
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
    const char *price_key = o.type == DECC_ORDER_APP       ? "appprice"
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
  int rc = market_parse(&o, argc, argv, 'u');
  if (rc != CLI_RUN)
    return rc;
  if (!has_key(&o))
    return cli_cmd_usage("order unpublish",
                         "unpublish needs the signer's key (--wallet, "
                         "--keystore or --private-key-file)");
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
                     o.last ? "unpublish_last" : "unpublish_all", keys[o.type],
                     o.last ? o.last : o.all);
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

/* ---- the subcommand table ---- */

static const cli_sub SUBS[] = {
    {"hash", "print the EIP-712 order hash", cmd_hash},
    {"sign", "print the order signed (salt and sign added)", cmd_sign},
    {"verify", "check an order's signature", cmd_verify},
    {"cancel", "cancel (close) the order on chain, as its owner", cmd_manage},
    {"presign", "presign the order on chain, as its owner", cmd_manage},
    {"publish", "publish a signed order on a node's market", cmd_publish},
    {"ls", "list a node's market orders", cmd_market_ls},
    {"unpublish", "remove orders from a node's market", cmd_unpublish},
    {NULL, NULL, NULL}};

int cli_cmd_order(int argc, char **argv) {
  return cli_dispatch("order", ORDER_OVERVIEW, SUBS, argc, argv);
}
