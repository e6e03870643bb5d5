/*
 * cmd_util.c — `decc util`: small protocol calculators that need no key
 * and no network: keccak256, EIP-55 checksums, PoCo deal and task ids,
 * the binary multiaddr iExec stores for a dataset, tag bitmaps, and the
 * EIP-712 digest of a typed-data document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decc/cid.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/order.h"

/* The overview of `decc util` (cli_dispatch adds the command list). */
static const char UTIL_OVERVIEW[] =
    "Hashes and encodings of the iExec protocol, offline.\n"
    "Numbers are decimal or 0x hex. --json gives structured output.\n";

/* Parses a subcommand without options (only -h) taking exactly n_args
 * arguments; `need` is the error when they are not all there. Returns
 * CLI_RUN, or the exit code (help printed, or a usage error). */
static int args_only(const char *cmd, const char *help, int n_args,
                     const char *need, int argc, char **argv) {
  cli_spec spec = {cmd, help, NULL, NULL, n_args, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  return np == n_args ? CLI_RUN : cli_cmd_usage(spec.cmd, "%s", need);
}

static const char KECCAK_HELP[] =
    "usage: decc util keccak256 (--hex HEX | --text STR | --file PATH)\n\n"
    "Prints keccak256 of the bytes.\n";

static int util_keccak(int argc, char **argv) {
  const char *hex_s = NULL, *text = NULL, *file = NULL;
  cli_opt opts[] = {
      {"hex", 0, CLI_OPT_STR, &hex_s, "HEX", "these bytes", 0, 0, 0},
      {"text", 0, CLI_OPT_STR, &text, "STR", "this text (UTF-8)", 0, 0, 0},
      {"file", 0, CLI_OPT_STR, &file, "PATH", "the bytes of PATH", 0, 0, 0},
      {0}};
  cli_spec spec = {"util keccak256", KECCAK_HELP, opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (!!hex_s + !!text + !!file != 1)
    return cli_cmd_usage(
        spec.cmd, "keccak256 needs exactly one of --hex, --text, --file");
  uint8_t h[32];
  if (text) {
    decc_keccak256(h, text, strlen(text));
  } else if (hex_s) {
    size_t n = strlen(hex_s);
    uint8_t *b = decc_malloc(n / 2 + 1);
    if (!b)
      return cli_fail("out of memory");
    size_t got = 0;
    if (decc_hex_decode(b, n / 2 + 1, &got, hex_s, n) != DECC_OK) {
      decc_free(b);
      return cli_fail("--hex: not valid hex (even number of 0-9a-f digits)");
    }
    decc_keccak256(h, b, got);
    decc_free(b);
  } else {
    FILE *f = fopen(file, "rb");
    if (!f)
      return cli_fail("%s: cannot open", file);
    decc_keccak256_ctx c;
    decc_keccak256_init(&c);
    uint8_t buf[65536];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0)
      decc_keccak256_update(&c, buf, r);
    int bad = ferror(f);
    fclose(f);
    if (bad)
      return cli_fail("%s: read error", file);
    decc_keccak256_final(&c, h);
  }
  char hex[DECC_HEX32_LEN];
  decc_hex_encode(hex, h, 32, 1);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s}", "hash", hex));
  puts(hex);
  return CLI_OK;
}

static int util_checksum(int argc, char **argv) {
  int rc = args_only("util checksum-address",
                     "usage: decc util checksum-address ADDRESS\n\n"
                     "Prints the EIP-55 checksummed address (exit 1 when "
                     "ADDRESS is mixed-case\nwith a wrong checksum).\n",
                     1, "checksum-address needs one address", argc, argv);
  if (rc != CLI_RUN)
    return rc;
  decc_address a;
  decc_err err;
  decc_err_clear(&err);
  if (decc_address_parse(&a, argv[1], &err) != DECC_OK)
    return cli_fail_err(&err);
  char out[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(out, &a);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s}", "address", out));
  puts(out);
  return CLI_OK;
}

/* bytes32 from "0x" + 64 hex digits. */
static int parse_b32(uint8_t out[32], const char *s, const char *what) {
  decc_err err;
  decc_err_clear(&err);
  if (decc_hex_decode_exact(out, 32, s, what, &err) != DECC_OK)
    return cli_fail("%s", err.msg);
  return CLI_OK;
}

static int parse_uint(decc_u256 *v, const char *s, const char *what) {
  decc_status st = decc_u256_parse(v, s);
  if (st == DECC_E_RANGE)
    return cli_fail("%s: '%.80s' is not below 2^256", what, s);
  if (st)
    return cli_fail("%s: '%.80s' is not a non-negative integer (decimal or 0x "
                    "hex)",
                    what, s);
  return CLI_OK;
}

/* deal-id / task-id: keccak256(bytes32 ‖ uint256). */
static int util_id(int argc, char **argv, int deal) {
  int rc =
      deal
          ? args_only("util deal-id",
                      "usage: decc util deal-id REQUESTORDER_HASH CONSUMED\n\n"
                      "keccak256(hash ‖ uint256 consumed): the id of the "
                      "deal. Numbers are\ndecimal or 0x hex.\n",
                      2, "deal-id needs REQUESTORDER_HASH CONSUMED", argc, argv)
          : args_only("util task-id",
                      "usage: decc util task-id DEAL_ID INDEX\n\n"
                      "keccak256(dealid ‖ uint256 index): the id of the "
                      "task. Numbers are\ndecimal or 0x hex.\n",
                      2, "task-id needs DEAL_ID INDEX", argc, argv);
  if (rc != CLI_RUN)
    return rc;
  uint8_t in[32], out[32];
  decc_u256 n;
  rc = parse_b32(in, argv[1], deal ? "REQUESTORDER_HASH" : "DEAL_ID");
  if (!rc)
    rc = parse_uint(&n, argv[2], deal ? "CONSUMED" : "INDEX");
  if (rc)
    return rc;
  if (deal)
    decc_deal_id(out, in, &n);
  else
    decc_task_id(out, in, &n);
  char hex[DECC_HEX32_LEN];
  decc_hex_encode(hex, out, 32, 1);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s}", deal ? "dealid" : "taskid", hex));
  puts(hex);
  return CLI_OK;
}

static int util_multiaddr(int argc, char **argv) {
  static const char need[] =
      "multiaddr needs 'encode /ipfs/<cid>' or 'decode 0xHEX'";
  int prc = args_only("util multiaddr",
                      "usage: decc util multiaddr encode /ipfs/<cid>\n"
                      "       decc util multiaddr decode 0xHEX\n\n"
                      "The binary multiaddr iExec stores for a dataset, as "
                      "0x hex, and back\nto /ipfs/<CIDv0>.\n",
                      2, need, argc, argv);
  if (prc != CLI_RUN)
    return prc;
  if (strcmp(argv[1], "encode") && strcmp(argv[1], "decode"))
    return cli_usage_error("%s", need);
  decc_err err;
  decc_err_clear(&err);
  if (!strcmp(argv[1], "encode")) {
    uint8_t bin[256];
    size_t n = 0;
    if (decc_multiaddr_from_string(bin, sizeof bin, &n, argv[2], &err) !=
        DECC_OK)
      return cli_fail_err(&err);
    char hex[2 * sizeof bin + 3];
    decc_hex_encode(hex, bin, n, 1);
    if (g_cli.json)
      return cli_print_json(
          json_pack("{s:s,s:s}", "multiaddr", argv[2], "hex", hex));
    puts(hex);
    return CLI_OK;
  }
  size_t sl = strlen(argv[2]);
  if (sl > 2048)
    return cli_fail("multiaddr: input too long");
  uint8_t bin[1024];
  size_t n = 0;
  if (decc_hex_decode(bin, sizeof bin, &n, argv[2], sl) != DECC_OK)
    return cli_fail(
        "multiaddr: '%.80s' is not hex (0x + an even number of digits)",
        argv[2]);
  char *s = NULL;
  if (decc_multiaddr_to_string(&s, bin, n, &err) != DECC_OK)
    return cli_fail_err(&err);
  int rc;
  if (g_cli.json) {
    char hex[2 * sizeof bin + 3];
    rc = cli_print_json(json_pack("{s:s,s:s}", "multiaddr", s, "hex",
                                  decc_hex_encode(hex, bin, n, 1)));
  } else {
    puts(s);
    rc = CLI_OK;
  }
  decc_free(s);
  return rc;
}

static int util_tag(int argc, char **argv) {
  static const char need[] = "tag needs 'encode NAMES' or 'decode 0xHEX'";
  int prc = args_only("util tag",
                      "usage: decc util tag encode NAMES|0xHEX\n"
                      "       decc util tag decode 0xHEX\n\n"
                      "Tag bitmaps: names (e.g. tee,tdx) to the bytes32 tag "
                      "and back.\n",
                      2, need, argc, argv);
  if (prc != CLI_RUN)
    return prc;
  if (strcmp(argv[1], "encode") && strcmp(argv[1], "decode"))
    return cli_usage_error("%s", need);
  decc_err err;
  decc_err_clear(&err);
  uint8_t tag[32];
  int decode = !strcmp(argv[1], "decode");
  if (decode && strncmp(argv[2], "0x", 2) && strncmp(argv[2], "0X", 2))
    return cli_fail("tag decode: '%.80s' is not 0x hex", argv[2]);
  if (decc_tag_parse(tag, argv[2], &err) != DECC_OK)
    return cli_fail_err(&err);
  char hex[DECC_HEX32_LEN], names[128];
  decc_hex_encode(hex, tag, 32, 1);
  if (decc_tag_to_names(names, sizeof names, tag, &err) != DECC_OK) {
    if (decode)
      return cli_fail_err(&err);
    names[0] = 0; /* hex input with unnamed bits: encode still works */
  }
  if (g_cli.json) {
    json_t *list = json_array();
    char *save = NULL;
    for (char *t = strtok_r(names, ",", &save); list && t;
         t = strtok_r(NULL, ",", &save))
      json_array_append_new(list, json_string(t));
    return cli_print_json(json_pack("{s:s,s:o}", "tag", hex, "names", list));
  }
  puts(decode ? names : hex);
  return CLI_OK;
}

static int util_typed_data(int argc, char **argv) {
  int prc = args_only("util typed-data-hash",
                      "usage: decc util typed-data-hash FILE\n\n"
                      "The EIP-712 digest of eth_signTypedData_v4 JSON ('-' "
                      "reads stdin).\n",
                      1, "typed-data-hash needs one FILE", argc, argv);
  if (prc != CLI_RUN)
    return prc;
  size_t len = 0;
  char *text = cli_read_file(argv[1], DECC_EIP712_JSON_MAX, &len, 0);
  if (!text)
    return CLI_FAIL;
  uint8_t d[32], ds[32], sh[32];
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_eip712_hash_json_parts(d, ds, sh, text, len, &err);
  decc_free(text);
  if (st)
    return cli_fail("%s: %s", argv[1],
                    err.msg[0] ? err.msg : decc_strerror(st));
  char dh[DECC_HEX32_LEN], dsh[DECC_HEX32_LEN], shh[DECC_HEX32_LEN];
  decc_hex_encode(dh, d, 32, 1);
  if (g_cli.json)
    return cli_print_json(
        json_pack("{s:s,s:s,s:s}", "digest", dh, "domainSeparator",
                  decc_hex_encode(dsh, ds, 32, 1), "structHash",
                  decc_hex_encode(shh, sh, 32, 1)));
  puts(dh);
  return CLI_OK;
}

static int util_deal_id(int argc, char **argv) {
  return util_id(argc, argv, 1);
}
static int util_task_id(int argc, char **argv) {
  return util_id(argc, argv, 0);
}

static const cli_sub SUBS[] = {
    {"keccak256", "(--hex HEX | --text STR | --file PATH)", util_keccak},
    {"checksum-address", "ADDRESS: the EIP-55 spelling", util_checksum},
    {"deal-id", "REQUESTORDER_HASH CONSUMED: keccak256(hash ‖ consumed)",
     util_deal_id},
    {"task-id", "DEAL_ID INDEX: keccak256(dealid ‖ uint256 index)",
     util_task_id},
    {"multiaddr", "encode /ipfs/<cid> | decode 0xHEX: binary multiaddr",
     util_multiaddr},
    {"tag", "encode NAMES|0xHEX | decode 0xHEX: tee,tdx <-> bytes32", util_tag},
    {"typed-data-hash", "FILE: EIP-712 digest of eth_signTypedData_v4 JSON",
     util_typed_data},
    {NULL, NULL, NULL}};

int cli_cmd_util(int argc, char **argv) {
  return cli_dispatch("util", UTIL_OVERVIEW, SUBS, argc, argv);
}
