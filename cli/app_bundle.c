/*
 * app_bundle.c — `decc app init` and `decc app build`: scaffold a sample
 * iApp (shell or C) and pack an app directory into its canonical bundle,
 * printing the measurement that becomes the on-chain app checksum.
 * Wired into `decc app` by cmd_app.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app_bundle.h"
#include "cli.h"
#include "decc/bundle.h"
#include "decc/encoding.h"
#include "decc/mem.h"

static const char INIT_HELP[] =
    "usage: decc app init [--lang sh|c|python] [--name NAME] DIR\n\n"
    "Creates a sample iApp in DIR: a manifest (decc-app.json) and a\n"
    "program that reads the protected data from $IEXEC_IN and writes\n"
    "result.json + computed.json to $IEXEC_OUT. python: app.py and\n"
    "decc_protected.py, decc's reader of protected data (both formats;\n"
    "the worker's python3 runs it). Try it with 'decc app test DIR'.\n";

static const char BUILD_HELP[] =
    "usage: decc app build DIR [-o BUNDLE.tar]\n\n"
    "Packs DIR into the canonical bundle (runs `make` first when DIR\n"
    "has a Makefile) and prints its measurement, the app checksum to\n"
    "record on-chain. Default output: DIR.tar next to DIR.\n";

int cli_app_init(int argc, char **argv) {
  const char *lang = "sh", *name = NULL;
  cli_opt opts[] = {
      {"lang", 0, CLI_OPT_STR, &lang, "sh|c|python",
       "the sample's language (default sh; py is python)", 0, 0, 0},
      {"name", 0, CLI_OPT_STR, &name, "NAME",
       "the app's name in decc-app.json (default: DIR's name)", 0, 0, 0},
      {0}};
  cli_spec spec = {"app init", INIT_HELP, opts, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  const char *dir = np ? argv[1] : NULL;
  if (!dir)
    return cli_cmd_usage(spec.cmd, "app init needs the app's DIR");
  decc_err err;
  decc_err_clear(&err);
  if (!strcmp(lang, "python") || !strcmp(lang, "py")) {
    lang = "python";
    if (cli_app_scaffold_python(dir, name, &err) != DECC_OK)
      return cli_fail_err(&err);
  } else if (strcmp(lang, "sh") && strcmp(lang, "c"))
    return cli_cmd_usage(
        spec.cmd, "unknown app language '%.40s' (use sh, c or python)", lang);
  else if (decc_bundle_scaffold(dir, lang, name, &err) != DECC_OK)
    return cli_fail_err(&err);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s,s:s}", "dir", dir, "lang", lang));
  printf("created a %s iApp in %s\n", lang, dir);
  printf("next: decc app test %s (runs it in the worker's sandbox), then "
         "decc app deploy %s\n",
         dir, dir);
  return CLI_OK;
}

int cli_app_build(int argc, char **argv) {
  const char *out = NULL;
  cli_opt opts[] = {{"output", 'o', CLI_OPT_STR, &out, "BUNDLE.tar",
                     "where to write the bundle (default DIR.tar next to DIR)",
                     0, 0, 0},
                    {0}};
  cli_spec spec = {"app build", BUILD_HELP, opts, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  const char *dir = np ? argv[1] : NULL;
  if (!dir)
    return cli_cmd_usage(spec.cmd, "app build needs the app's DIR");
  char mk[4096];
  snprintf(mk, sizeof mk, "%s/Makefile", dir);
  struct stat st;
  if (stat(mk, &st) == 0) {
    cli_progress("running make in %s", dir);
    pid_t p = fork();
    if (p < 0)
      return cli_fail("fork: cannot run make");
    if (p == 0) {
      /* make's output goes to stderr so stdout stays machine-readable */
      if (dup2(2, 1) < 0)
        _exit(127);
      execlp("make", "make", "-s", "-C", dir, (char *)NULL);
      _exit(127);
    }
    int ws = 0;
    if (waitpid(p, &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
      return cli_fail("make failed in %s", dir);
  }
  decc_buf b;
  decc_buf_init(&b, DECC_BUNDLE_MAX_BYTES + (16u << 20));
  uint8_t m[32];
  decc_err err;
  decc_err_clear(&err);
  if (decc_bundle_pack(&b, m, dir, &err) != DECC_OK) {
    decc_buf_clear(&b);
    return cli_fail_err(&err);
  }
  char def[4096];
  if (!out) {
    size_t l = strlen(dir);
    while (l > 1 && dir[l - 1] == '/')
      l--;
    snprintf(def, sizeof def, "%.*s.tar", (int)l, dir);
    out = def;
  }
  int rc = cli_write_file_atomic(out, b.data, b.len, 0644);
  size_t len = b.len;
  decc_buf_clear(&b);
  if (rc)
    return rc;
  char hex[DECC_HEX32_LEN];
  decc_hex_encode(hex, m, 32, 1);
  decc_bundle_manifest man;
  if (decc_bundle_manifest_read(&man, dir, &err) != DECC_OK)
    return cli_fail_err(&err);
  if (g_cli.json)
    return cli_print_json(json_pack(
        "{s:s,s:s,s:s,s:s,s:I}", "bundle", out, "measurement", hex, "name",
        man.name, "entrypoint", man.entrypoint, "size", (json_int_t)len));
  printf("bundle      %s (%zu bytes)\n", out, len);
  printf("app         %s %s (entrypoint %s)\n", man.name, man.version,
         man.entrypoint);
  printf("measurement %s\n", hex);
  return CLI_OK;
}
