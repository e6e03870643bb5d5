/*
 * cmd_order.c — `decc order hash|sign|verify`: iExec orders in the SDK's
 * JSON shape, hashed and signed with EIP-712 under the PoCo domain
 * ("iExecODB", "5.0.0", chain id, hub), byte-compatible with iexec@9.
 *
 * The hub defaults to the PoCo proxy of the two Arbitrum deployments
 * (iexec-protocol.md §1.4); any other chain needs --hub. Unlike the SDK,
 * `sign` signs the order exactly as given: it does not OR tee+tdx into the
 * tag (SDK 9 does), so what is printed is what was signed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "market_cmds.h"
#include "ledger_extra.h"
#include "decc/encoding.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/order.h"

static int order_usage(FILE *f) {
  fprintf(f,
          "usage: decc order <hash|sign|verify> --type TYPE --chain-id N [--hub ADDRESS]\n"
          "                  [options] ORDER.json\n\n"
          "  hash     print the EIP-712 order hash (what PoCo uses for consumed volume,\n"
          "           presignatures and deal ids)\n"
          "  sign     print the order with \"salt\" and \"sign\" added\n"
          "  verify   check \"sign\" (against --signer, or print the recovered signer)\n\n"
          "on the chain (embedded ledger):\n"
          "  cancel   manage<X>Order(CLOSE): the order can no longer be matched\n"
          "  presign  manage<X>Order(SIGN): record the order as signed on-chain\n"
          "on a node's market (decc node):\n"
          "  publish | ls | unpublish   (see 'decc order publish --help')\n\n"
          "options:\n"
          "  --type TYPE          apporder | datasetorder | workerpoolorder | requestorder\n"
          "  --chain-id N         chain id of the EIP-712 domain\n"
          "  --hub ADDRESS        PoCo proxy (verifyingContract); default for chain ids\n"
          "                       42161 and 421614\n"
          "  --salt HEX           (sign) use this 32-byte salt; otherwise the input's salt,\n"
          "                       or 32 random bytes when the input has none\n"
          "  --keystore FILE [--password-file FILE] | --private-key-file FILE\n"
          "                       (sign) the signing key\n"
          "  --signer ADDRESS     (verify) expected signer\n"
          "  -o FILE              write the output to FILE (atomically) instead of stdout\n"
          "  --json               structured output\n\n"
          "ORDER.json is the SDK's shape: numbers as decimal strings, tag as 0x bytes32\n"
          "or tag names (\"tee,tdx\" or [\"tee\",\"tdx\"]), params as a string; '-' reads stdin.\n"
          "Unlike the iexec SDK, sign does not OR tee+tdx into the tag: it signs the\n"
          "order exactly as given.\n"
          "Exit status: 0 ok, 1 bad input or invalid signature, 2 usage error.\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

typedef struct order_opts {
  const char *type_s, *chain_s, *hub_s, *salt_s, *signer_s, *out, *file;
  cli_key_opts key;
} order_opts;

static int parse_opts(order_opts *o, int argc, char **argv, int is_sign,
                      int is_verify) {
  memset(o, 0, sizeof *o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **slot = NULL;
    if (!strcmp(a, "--type"))
      slot = &o->type_s;
    else if (!strcmp(a, "--chain-id"))
      slot = &o->chain_s;
    else if (!strcmp(a, "--hub"))
      slot = &o->hub_s;
    else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
      slot = &o->out;
    else if (is_sign && !strcmp(a, "--salt"))
      slot = &o->salt_s;
    else if (is_verify && !strcmp(a, "--signer"))
      slot = &o->signer_s;
    if (slot) {
      if (i + 1 >= argc)
        return cli_usage_error("%s needs a value", a);
      *slot = argv[++i];
      continue;
    }
    if (is_sign) {
      int r = cli_key_opt_parse(&o->key, argc, argv, &i);
      if (r < 0)
        return CLI_USAGE;
      if (r > 0)
        continue;
    }
    if (!strcmp(a, "--")) {
      if (i + 1 < argc && !o->file)
        o->file = argv[++i];
      if (i + 1 < argc)
        return cli_usage_error("unexpected argument '%s'", argv[i + 1]);
      break;
    }
    if (a[0] == '-' && a[1] != 0)
      return cli_usage_error("unknown option '%s'", a);
    if (o->file)
      return cli_usage_error("unexpected argument '%s' (one order file)", a);
    o->file = a;
  }
  if (!o->type_s)
    return cli_usage_error("--type is required");
  if (!o->chain_s)
    return cli_usage_error("--chain-id is required");
  if (!o->file)
    return cli_usage_error("an ORDER.json file is required ('-' for stdin)");
  return CLI_OK;
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
  char *end = NULL;
  if (o->chain_s[0] < '0' || o->chain_s[0] > '9')
    return cli_usage_error("--chain-id: '%s' is not a number", o->chain_s);
  errno = 0;
  unsigned long long ch = strtoull(o->chain_s, &end, 10);
  if (*end || errno || ch == 0 || ch > (unsigned long long)INT64_MAX)
    return cli_usage_error("--chain-id: '%s' is not a positive number below "
                           "2^63",
                           o->chain_s);
  c->chain = ch;
  const char *hub = o->hub_s ? o->hub_s : default_hub(c->chain);
  if (!hub)
    return cli_usage_error("--hub is required for chain id %llu", ch);
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
    return cli_fail("%s: %s", o->file, err.msg[0] ? err.msg : decc_strerror(st));
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
  if (rc)
    return rc;
  order_ctx c;
  if ((rc = load(&c, &o)) != CLI_OK)
    return rc;
  uint8_t sh[32], h[32];
  decc_order_struct_hash(sh, &c.order);
  decc_order_hash(h, &c.order, c.domain);
  char hh[67], shh[67], dh[67], hub[43];
  decc_hex_encode(hh, h, 32, 1);
  if (g_cli.json) {
    rc = emit_json(&o, json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "type",
                                 decc_order_type_name(c.order.type), "orderHash",
                                 hh, "structHash", decc_hex_encode(shh, sh, 32, 1),
                                 "domainSeparator",
                                 decc_hex_encode(dh, c.domain, 32, 1), "chainId",
                                 (json_int_t)c.chain, "hub",
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
  if (rc)
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
    uint8_t *salt = c.order.type == DECC_ORDER_APP          ? c.order.u.app.salt
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
  char ms[43];
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
  char hh[67];
  decc_order_hash(h, &c.order, c.domain);
  decc_hex_encode(hh, h, 32, 1);
  if (!order) {
    rc = cli_fail("out of memory");
  } else if (g_cli.json) {
    rc = emit_json(&o, json_pack("{s:s,s:s,s:s,s:o}", "type",
                                 decc_order_type_name(c.order.type), "orderHash",
                                 hh, "signer", ms, "order", order));
  } else {
    char *pretty = json_dumps(order, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(order);
    rc = pretty ? emit(&o, pretty) : cli_fail("out of memory");
    free(pretty);
    if (rc == CLI_OK && o.out)
      cli_progress("signed %s %s by %s -> %s", decc_order_type_name(c.order.type),
                   hh, ms, o.out);
  }
  unload(&c);
  return rc;
}

static int cmd_verify(int argc, char **argv) {
  order_opts o;
  int rc = parse_opts(&o, argc, argv, 0, 1);
  if (rc)
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
  char hh[67], rs[43] = "", es[43] = "";
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

int cli_cmd_order(int argc, char **argv) {
  if (argc < 2)
    return order_usage(stderr);
  const char *sub = argv[1];
  if (!strcmp(sub, "-h") || !strcmp(sub, "--help"))
    return order_usage(stdout);
  /* publish, ls, unpublish talk to a node's market (cli/market_cmds.c) */
  if (cli_market_order_has(sub))
    return cli_market_order(argc - 1, argv + 1);
  if (cli_wants_help(argc - 1, argv + 1))
    return order_usage(stdout);
  if (!strcmp(sub, "hash"))
    return cmd_hash(argc - 1, argv + 1);
  if (!strcmp(sub, "sign"))
    return cmd_sign(argc - 1, argv + 1);
  if (!strcmp(sub, "verify"))
    return cmd_verify(argc - 1, argv + 1);
  int lrc = cli_ledger_order(argc - 1, argv + 1); /* cancel, presign */
  if (lrc >= 0)
    return lrc;
  return cli_usage_error("unknown order command '%s' (hash, sign, verify, "
                         "cancel, presign, publish, ls, unpublish)",
                         sub);
}
