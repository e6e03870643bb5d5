/*
 * cmd_util.c — `decc util`: keccak256, checksum-address (more utilities are
 * added by the layers that own them).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/mem.h"

static int util_usage(FILE *f) {
  fprintf(f, "usage: decc util <command>\n\n"
             "  keccak256 (--hex HEX | --text STR | --file PATH)\n"
             "  checksum-address ADDRESS\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

static int util_keccak(int argc, char **argv) {
  if (argc != 3)
    return cli_usage_error("keccak256 needs exactly one of --hex, --text, --file");
  uint8_t h[32];
  if (!strcmp(argv[1], "--text")) {
    decc_keccak256(h, argv[2], strlen(argv[2]));
  } else if (!strcmp(argv[1], "--hex")) {
    size_t n = strlen(argv[2]);
    uint8_t *b = decc_malloc(n / 2 + 1);
    if (!b)
      return cli_fail("out of memory");
    size_t got = 0;
    if (decc_hex_decode(b, n / 2 + 1, &got, argv[2], n) != DECC_OK) {
      decc_free(b);
      return cli_fail("--hex: not valid hex (even number of 0-9a-f digits)");
    }
    decc_keccak256(h, b, got);
    decc_free(b);
  } else if (!strcmp(argv[1], "--file")) {
    FILE *f = fopen(argv[2], "rb");
    if (!f)
      return cli_fail("%s: cannot open", argv[2]);
    decc_keccak256_ctx c;
    decc_keccak256_init(&c);
    uint8_t buf[65536];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0)
      decc_keccak256_update(&c, buf, r);
    int bad = ferror(f);
    fclose(f);
    if (bad)
      return cli_fail("%s: read error", argv[2]);
    decc_keccak256_final(&c, h);
  } else {
    return cli_usage_error("unknown keccak256 input '%s'", argv[1]);
  }
  char hex[67];
  decc_hex_encode(hex, h, 32, 1);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s}", "hash", hex));
  puts(hex);
  return CLI_OK;
}

static int util_checksum(int argc, char **argv) {
  if (argc != 2)
    return cli_usage_error("checksum-address needs one address");
  decc_address a;
  decc_err err;
  decc_err_clear(&err);
  if (decc_address_parse(&a, argv[1], &err) != DECC_OK)
    return cli_fail_err(&err);
  char out[43];
  decc_address_to_checksum(out, &a);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s}", "address", out));
  puts(out);
  return CLI_OK;
}

int cli_cmd_util(int argc, char **argv) {
  if (argc < 2)
    return util_usage(stderr);
  const char *sub = argv[1];
  if (!strcmp(sub, "-h") || !strcmp(sub, "--help"))
    return util_usage(stdout);
  if (!strcmp(sub, "keccak256"))
    return cli_wants_help(argc - 1, argv + 1) ? util_usage(stdout)
                                              : util_keccak(argc - 1, argv + 1);
  if (!strcmp(sub, "checksum-address"))
    return cli_wants_help(argc - 1, argv + 1)
               ? util_usage(stdout)
               : util_checksum(argc - 1, argv + 1);
  return cli_usage_error("unknown util command '%s'", sub);
}
