/*
 * cmd_data.c — `decc data`: DataProtector protected data on the command
 * line: validate / schema / serialize a JSON data object exactly as the SDK
 * would, read a value back from a protected-data zip as an iApp would, and
 * list / extract zips with the safe extractor.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/protect.h"
#include "decc/zipsafe.h"

#define MAX_JSON_INPUT (256u << 20)

/* The overview of `decc data` (cli_dispatch adds the command list). */
static const char DATA_OVERVIEW[] =
    "DataProtector protected data: a JSON data object as the SDK serializes "
    "it,\nand the zips it makes.\n"
    "IN.json is a JSON object (\"-\" = stdin). Binary values are\n"
    "{\"$file\": \"relative/path\"} (relative to IN.json's directory) or\n"
    "{\"$base64\": \"...\"}; v2 big integers are {\"$i128\": \"-123\"}.\n"
    "--format defaults to v2 (DataProtector 2.x); legacy is 0.5.3.\n"
    "get: T is bool, f64, i128, string, number, boolean, or anything\n"
    "else for the raw bytes (default); dots in PATH separate keys.\n"
    "Global --json gives structured output.\n";

typedef struct in_args {
  decc_pd_format fmt;
  const char *in;
  const char *out;
} in_args;

static const char IN_FOOTER[] =
    "IN.json is a JSON object (\"-\" = stdin). Binary values are\n"
    "{\"$file\": \"relative/path\"} (relative to IN.json's directory) or\n"
    "{\"$base64\": \"...\"}; v2 big integers are {\"$i128\": \"-123\"}.\n";

/* Parses [--format F] IN [-o OUT] for subcommand sub (allow_out: whether
 * -o is accepted). Returns CLI_RUN, or the exit code (help printed, or a
 * usage error). */
static int parse_in_args(int argc, char **argv, const char *sub,
                         const char *help, int allow_out, in_args *a) {
  a->fmt = DECC_PD_V2;
  a->in = a->out = NULL;
  const char *fmt = NULL;
  cli_opt opts[] = {{"format", 0, CLI_OPT_STR, &fmt, "legacy|v2",
                     "v2 (DataProtector 2.x, the default) or legacy (0.5.3)", 0,
                     0, 0},
                    {NULL, 0, CLI_OPT_STR, NULL, NULL, NULL, 0, 0, 0}, /* -o */
                    {0}};
  if (allow_out)
    opts[1] = (cli_opt){"output", 'o',       CLI_OPT_STR,
                        &a->out,  "OUT.zip", "write the zip to OUT.zip",
                        0,        0,         0};
  char cmd[32];
  snprintf(cmd, sizeof cmd, "data %s", sub);
  cli_spec spec = {cmd, help, opts, NULL, 1, IN_FOOTER};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  if (fmt && decc_pd_format_parse(&a->fmt, fmt) != DECC_OK)
    return cli_cmd_usage(spec.cmd, "unknown format '%s' (legacy or v2)", fmt);
  a->in = np ? argv[1] : NULL;
  if (!a->in)
    return cli_cmd_usage(spec.cmd, "missing input JSON file");
  return CLI_RUN;
}

/* Loads IN.json into a tree. Returns CLI_OK or prints and fails. */
static int load_tree(const char *in, decc_pd **root) {
  size_t len = 0;
  char *text = cli_read_file(in, MAX_JSON_INPUT, &len, 0);
  if (!text)
    return CLI_FAIL;
  char *dcopy = decc_strdup(strcmp(in, "-") ? in : "./-");
  if (!dcopy) {
    decc_free(text);
    return cli_fail("out of memory");
  }
  decc_pd_json_opts o = {.base_dir = dirname(dcopy)};
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_pd_parse_json(root, text, len, &o, &err);
  decc_free(dcopy);
  decc_free(text);
  if (st != DECC_OK)
    return cli_fail_err(&err);
  return CLI_OK;
}

static int data_validate(int argc, char **argv) {
  in_args a;
  int rc = parse_in_args(argc, argv, "validate",
                         "usage: decc data validate [--format legacy|v2] "
                         "IN.json\n\n"
                         "Checks that IN.json can be protected in that "
                         "format.\n",
                         0, &a);
  if (rc != CLI_RUN)
    return rc;
  decc_pd *root;
  if ((rc = load_tree(a.in, &root)) != CLI_OK)
    return rc;
  decc_pd_problem pb;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_pd_validate(root, a.fmt, &pb, &err);
  decc_pd_destroy(root);
  if (g_cli.json) {
    json_t *j = st == DECC_OK
                    ? json_pack("{s:b,s:s}", "valid", 1, "format",
                                decc_pd_format_name(a.fmt))
                    : json_pack("{s:b,s:s,s:s,s:s,s:s}", "valid", 0, "format",
                                decc_pd_format_name(a.fmt), "error", pb.message,
                                "path", pb.path, "stage",
                                pb.stage == 1 ? "validate" : "serialize");
    rc = cli_print_json(j);
    return st == DECC_OK ? rc : CLI_FAIL;
  }
  if (st != DECC_OK)
    return cli_fail_err(&err);
  if (!g_cli.quiet)
    printf("valid (%s)\n", decc_pd_format_name(a.fmt));
  return CLI_OK;
}

static int data_schema(int argc, char **argv) {
  in_args a;
  int rc = parse_in_args(argc, argv, "schema",
                         "usage: decc data schema [--format legacy|v2] "
                         "IN.json\n\n"
                         "Prints the schema of IN.json (what the "
                         "DataProtector records).\n",
                         0, &a);
  if (rc != CLI_RUN)
    return rc;
  decc_pd *root;
  if ((rc = load_tree(a.in, &root)) != CLI_OK)
    return rc;
  char *schema;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_pd_schema_json(root, a.fmt, &schema, NULL, &err);
  decc_pd_destroy(root);
  if (st != DECC_OK)
    return cli_fail_err(&err);
  if (g_cli.json) {
    json_t *parsed = json_loads(schema, 0, NULL);
    rc = cli_print_json(json_pack("{s:s,s:o,s:s}", "format",
                                  decc_pd_format_name(a.fmt), "schema", parsed,
                                  "schema_text", schema));
  } else {
    puts(schema);
  }
  decc_free(schema);
  return rc;
}

static int data_serialize(int argc, char **argv) {
  in_args a;
  int rc = parse_in_args(argc, argv, "serialize",
                         "usage: decc data serialize [--format legacy|v2] "
                         "IN.json [-o OUT.zip]\n\n"
                         "Writes the protected-data zip of IN.json (to "
                         "stdout unless -o; never to a\nterminal).\n",
                         1, &a);
  if (rc != CLI_RUN)
    return rc;
  if (!a.out && isatty(STDOUT_FILENO))
    return cli_usage_error("give -o OUT.zip (refusing to write a zip to a "
                           "terminal)");
  decc_pd *root;
  if ((rc = load_tree(a.in, &root)) != CLI_OK)
    return rc;
  decc_err err;
  decc_err_clear(&err);
  char *schema = NULL;
  decc_status st = decc_pd_schema_json(root, a.fmt, &schema, NULL, &err);
  size_t size = 0;
  if (st == DECC_OK && a.out) {
    st = decc_pd_serialize_file(root, a.fmt, a.out, &err);
    if (st == DECC_OK) {
      FILE *f = fopen(a.out, "rb");
      if (f && fseek(f, 0, SEEK_END) == 0)
        size = (size_t)ftell(f);
      if (f)
        fclose(f);
    }
  } else if (st == DECC_OK) {
    decc_buf b;
    decc_buf_init(&b, 0);
    st = decc_pd_serialize(root, a.fmt, &b, &err);
    if (st == DECC_OK && b.len &&
        (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0))
      st = decc_err_set(&err, DECC_E_IO, "writing the zip to stdout failed");
    size = b.len;
    decc_buf_clear(&b);
  }
  decc_pd_destroy(root);
  if (st != DECC_OK) {
    decc_free(schema);
    return cli_fail_err(&err);
  }
  if (a.out && g_cli.json) {
    rc = cli_print_json(json_pack("{s:s,s:s,s:I,s:s}", "path", a.out, "format",
                                  decc_pd_format_name(a.fmt), "size",
                                  (json_int_t)size, "schema", schema));
  } else if (a.out) {
    cli_progress("wrote %s (%zu bytes, %s format)", a.out, size,
                 decc_pd_format_name(a.fmt));
  }
  decc_free(schema);
  return rc;
}

static json_t *value_json(const decc_pd_value *v) {
  char num[41];
  switch (v->type) {
  case DECC_PD_V_BOOL:
    return json_boolean(v->boolean);
  case DECC_PD_V_NUMBER:
    return json_string(decc_js_number_to_string(num, v->number));
  case DECC_PD_V_I128:
    return json_string(decc_i128_to_dec(num, &v->i128));
  case DECC_PD_V_STRING:
    return json_stringn((const char *)v->data, v->len);
  case DECC_PD_V_BYTES: {
    char *b64 = decc_malloc(decc_base64_encoded_len(v->len) + 1);
    if (!b64)
      return NULL;
    json_t *j =
        json_pack("{s:s}", "base64", decc_base64_encode(b64, v->data, v->len));
    decc_free(b64);
    return j;
  }
  }
  return NULL;
}

static const char GET_HELP[] =
    "usage: decc data get ZIP PATH [--type T] [--mode "
    "optimistic|borsh|legacy]\n\n"
    "Prints one value of a protected-data zip; dots in PATH separate keys.\n"
    "T is bool, f64, i128, string, number, boolean, or anything else for "
    "the\n"
    "raw bytes (default).\n";

static int data_get(int argc, char **argv) {
  const char *type = "application/octet-stream", *mode_s = NULL;
  decc_pd_mode mode = DECC_PD_MODE_OPTIMISTIC;
  cli_opt opts[] = {
      {"type", 0, CLI_OPT_STR, &type, "T", "how to read the value", 0, 0, 0},
      {"mode", 0, CLI_OPT_STR, &mode_s, "optimistic|borsh|legacy",
       "the zip's encoding (default optimistic: guess)", 0, 0, 0},
      {0}};
  cli_spec spec = {"data get", GET_HELP, opts, NULL, 2, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (mode_s && decc_pd_mode_parse(&mode, mode_s) != DECC_OK)
    return cli_cmd_usage(spec.cmd, "--mode is optimistic, borsh or legacy");
  const char *zip = np > 0 ? argv[1] : NULL, *path = np > 1 ? argv[2] : NULL;
  if (!zip || !path)
    return cli_cmd_usage(spec.cmd, "get needs ZIP and PATH");
  decc_err err;
  decc_err_clear(&err);
  decc_pd_reader *r;
  if (decc_pd_reader_open(&r, zip, mode, NULL, &err) != DECC_OK)
    return cli_fail_err(&err);
  decc_pd_value v;
  decc_status st = decc_pd_get(r, path, type, &v, &err);
  decc_pd_reader_close(r);
  if (st != DECC_OK)
    return cli_fail_err(&err);
  int rc = CLI_OK;
  if (g_cli.json) {
    static const char *const names[] = {"",     "bool",   "number",
                                        "i128", "string", "bytes"};
    rc = cli_print_json(json_pack("{s:s,s:s,s:s,s:o}", "path", path, "type",
                                  type, "kind", names[v.type], "value",
                                  value_json(&v)));
  } else {
    char num[41];
    switch (v.type) {
    case DECC_PD_V_BOOL:
      puts(v.boolean ? "true" : "false");
      break;
    case DECC_PD_V_NUMBER:
      puts(decc_js_number_to_string(num, v.number));
      break;
    case DECC_PD_V_I128:
      puts(decc_i128_to_dec(num, &v.i128));
      break;
    case DECC_PD_V_STRING:
    case DECC_PD_V_BYTES:
      if ((v.len && fwrite(v.data, 1, v.len, stdout) != v.len) ||
          (v.type == DECC_PD_V_STRING && putchar('\n') == EOF) ||
          fflush(stdout) != 0)
        rc = cli_fail("writing to stdout failed");
      break;
    }
  }
  decc_pd_value_clear(&v);
  return rc;
}

static int data_list(int argc, char **argv) {
  cli_spec spec = {
      "data list", "usage: decc data list ZIP\n\nThe entries of a zip.\n",
      NULL,        NULL,
      1,           NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (np != 1)
    return cli_cmd_usage(spec.cmd, "list needs one ZIP");
  decc_err err;
  decc_err_clear(&err);
  decc_zip *z;
  if (decc_zip_open_file(&z, argv[1], NULL, &err) != DECC_OK)
    return cli_fail_err(&err);
  json_t *arr = g_cli.json ? json_array() : NULL;
  for (size_t i = 0; i < decc_zip_count(z); i++) {
    const decc_zip_entry *e = decc_zip_entry_at(z, i);
    if (arr)
      json_array_append_new(
          arr, json_pack("{s:s,s:b,s:I,s:I,s:i}", "name", e->name, "dir",
                         e->is_dir, "size", (json_int_t)e->size, "compressed",
                         (json_int_t)e->comp_size, "method", e->method));
    else
      printf("%12llu  %s\n", (unsigned long long)e->size, e->name);
  }
  decc_zip_close(z);
  return arr ? cli_print_json(json_pack("{s:o}", "entries", arr)) : CLI_OK;
}

static int data_extract(int argc, char **argv) {
  const char *dir = NULL;
  cli_opt opts[] = {{"output", 'o', CLI_OPT_STR, &dir, "DIR",
                     "the directory to extract into", 0, 0, 0},
                    {0}};
  cli_spec spec = {"data extract",
                   "usage: decc data extract ZIP -o DIR\n\n"
                   "Extracts a zip (refusing unsafe paths).\n",
                   opts,
                   NULL,
                   1,
                   NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  const char *zip = np ? argv[1] : NULL;
  if (!zip || !dir)
    return cli_cmd_usage(spec.cmd, "extract needs ZIP and -o DIR");
  decc_err err;
  decc_err_clear(&err);
  decc_zip *z;
  if (decc_zip_open_file(&z, zip, NULL, &err) != DECC_OK)
    return cli_fail_err(&err);
  size_t n = decc_zip_count(z);
  decc_status st = decc_zip_extract(z, dir, &err);
  decc_zip_close(z);
  if (st != DECC_OK)
    return cli_fail_err(&err);
  if (g_cli.json)
    return cli_print_json(
        json_pack("{s:s,s:I}", "directory", dir, "entries", (json_int_t)n));
  cli_progress("extracted %zu entries into %s", n, dir);
  return CLI_OK;
}

static const cli_sub SUBS[] = {
    {"validate", "[--format legacy|v2] IN.json", data_validate},
    {"schema", "[--format legacy|v2] IN.json", data_schema},
    {"serialize", "[--format legacy|v2] IN.json [-o OUT.zip]", data_serialize},
    {"get", "ZIP PATH [--type T] [--mode optimistic|borsh|legacy]", data_get},
    {"list", "ZIP", data_list},
    {"extract", "ZIP -o DIR", data_extract},
    {NULL, NULL, NULL}};

int cli_cmd_data(int argc, char **argv) {
  return cli_dispatch("data", DATA_OVERVIEW, SUBS, argc, argv);
}
