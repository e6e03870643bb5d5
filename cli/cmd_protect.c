/*
 * cmd_protect.c — `decc protect`: protects a data object (schema, zip, AES
 * key, encryption, upload, on-chain protected data, key pushed to the SMS)
 * through decc_dp_protect, and prints its address (or the SDK's JSON).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "dp_cli.h"

static const char PROTECT_HELP[] =
    "usage: decc protect [DATA.json | --file PATH [--key NAME]] [--name NAME]\n"
    "                    [--format v2|legacy] [--key-out FILE] [wallet]\n\n"
    "Protects a data object: schema, zip, AES key, encryption, upload, "
    "on-chain\n"
    "protected data (DataProtector createDatasetWithSchema), key pushed to "
    "the\n"
    "SMS. DATA.json is a JSON object (\"-\" = stdin; {\"$file\": "
    "\"rel/path\"}\n"
    "embeds a file next to it, {\"$base64\": …} binary, {\"$i128\": \"…\"} "
    "big\n"
    "integers); --file protects one file as binary under key \"file\" (or\n"
    "--key NAME). --key-out writes the dataset key (base64) to FILE (0600).\n"
    "Prints the address; --json prints the SDK's result object.\n";

int cli_cmd_protect(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *file = NULL, *key = "file", *name = NULL, *key_out = NULL,
             *fmt = "v2";
  cli_opt opts[] = {{"file", 0, CLI_OPT_STR, &file, "PATH",
                     "protect one file (binary)", 0, 0, 0},
                    {"key", 0, CLI_OPT_STR, &key, "NAME",
                     "its key in the data object (default \"file\")", 0, 0, 0},
                    {"name", 0, CLI_OPT_STR, &name, "NAME",
                     "the protected data's name", 0, 0, 0},
                    {"format", 0, CLI_OPT_STR, &fmt, "v2|legacy",
                     "the serialization (default v2)", 0, 0, 0},
                    {"key-out", 0, CLI_OPT_STR, &key_out, "FILE",
                     "write the dataset key (base64) to FILE (0600)", 0, 0, 0},
                    {0}};
  cli_spec spec = {"protect", PROTECT_HELP, opts, &w.key, 1, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  const char *data_path = np ? argv[1] : NULL;
  if (!!data_path == !!file)
    return cli_cmd_usage("protect", "give either DATA.json or --file PATH");
  decc_pd_format format;
  if (decc_pd_format_parse(&format, fmt) != DECC_OK)
    return cli_cmd_usage("protect", "--format must be v2 or legacy");
  decc_err err;
  decc_err_clear(&err);
  decc_pd *pd = NULL;
  if (data_path) {
    size_t len = 0;
    char *text = cli_read_file(data_path, 64u << 20, &len, 0);
    if (!text)
      return CLI_FAIL;
    char base[4096];
    snprintf(base, sizeof base, "%s",
             strcmp(data_path, "-") ? data_path : "./x");
    char *sl = strrchr(base, '/');
    if (sl)
      *sl = 0;
    else
      strcpy(base, ".");
    decc_pd_json_opts jo;
    memset(&jo, 0, sizeof jo);
    jo.base_dir = base;
    jo.stream_files = 1; /* $file values are streamed, not loaded */
    decc_status st = decc_pd_parse_json(&pd, text, len, &jo, &err);
    decc_memzero(text, len);
    decc_free(text);
    if (st)
      return cli_fail("%s: %s", data_path, err.msg);
  } else {
    /* File-backed: streamed at protect time, never held in memory. */
    if (decc_pd_create(&pd) != DECC_OK ||
        decc_pd_add_binary_file(pd, key, file, &err) != DECC_OK) {
      decc_pd_destroy(pd);
      return cli_fail("%s", err.msg[0] ? err.msg : "out of memory");
    }
  }
  decc_dp *dp;
  rc = dp_cli_open(&dp, &w, 1);
  if (rc != CLI_OK) {
    decc_pd_destroy(pd);
    return rc;
  }
  decc_dp_protect_opts o;
  memset(&o, 0, sizeof o);
  o.data = pd;
  o.format = format;
  o.name = name;
  o.want_key = key_out != NULL;
  o.progress = dp_cli_progress;
  decc_dp_protected p;
  decc_status st = decc_dp_protect(dp, &p, &o, &err);
  decc_pd_destroy(pd);
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  if (key_out) {
    char line[46];
    memcpy(line, p.encryption_key, 44);
    line[44] = '\n';
    rc = cli_write_file_atomic(key_out, line, 45, 0600);
    decc_memzero(line, sizeof line);
    if (rc != CLI_OK) {
      decc_dp_protected_clear(&p);
      return rc;
    }
  }
  if (g_cli.json) {
    char *js = NULL;
    if (decc_dp_protected_to_json(&js, &p, 0) != DECC_OK) {
      decc_dp_protected_clear(&p);
      return cli_fail("out of memory");
    }
    puts(js);
    decc_free(js);
  } else {
    char a[DECC_ADDRESS_HEX_LEN], h[DECC_HEX32_LEN];
    printf("protected data %s\n", decc_address_to_checksum(a, &p.address));
    printf("  name      %s\n  schema    %s\n  multiaddr %s\n  tx        %s\n",
           p.name, p.schema, p.multiaddr, decc_hex_encode(h, p.tx_hash, 32, 1));
  }
  decc_dp_protected_clear(&p);
  return CLI_OK;
}
