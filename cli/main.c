/*
 * main.c — `decc` entry point: global options, then dispatch to the
 * subcommand named in argv (git-style).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decc/common.h"

cli_globals g_cli;

static const struct {
  const char *name;
  const char *summary;
  cli_cmd_fn fn;
} COMMANDS[] = {
#define CLI_X(name, summary) {#name, summary, cli_cmd_##name},
#include "commands.def"
#undef CLI_X
};

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: decc [--json] [-q] [--home DIR] [--chain embedded|URL|PROFILE]\n"
      "            [--hub ADDRESS] [--dataprotector ADDRESS] <command> "
      "[<args>]\n\n"
      "decc — decentralized confidential computing, iExec-compatible.\n\n"
      "commands:\n");
  for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
    fprintf(f, "  %-12s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
  fprintf(f,
          "\nglobal options:\n"
          "  --json       structured output on stdout\n"
          "  -q, --quiet  no progress messages\n"
          "  --home DIR   data directory (default $DECC_HOME or ~/.decc)\n"
          "  --chain X    the chain: embedded (default), a JSON-RPC URL, or a\n"
          "               profile saved by 'decc chain deploy' ($DECC_CHAIN)\n"
          "  --hub A      PoCo hub address on that chain ($DECC_HUB)\n"
          "  --dataprotector A  DataProtector address ($DECC_DATAPROTECTOR)\n"
          "  --version    print the version\n\n"
          "Run 'decc <command> --help' for a command's options.\n");
}

int main(int argc, char **argv) {
  int i = 1;
  g_cli.home = getenv("DECC_HOME");
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "--json"))
      g_cli.json = 1;
    else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
      g_cli.quiet = 1;
    else if (!strcmp(argv[i], "--home")) {
      if (i + 1 >= argc)
        return cli_usage_error("--home needs a directory");
      g_cli.home = argv[++i];
    } else if (!strcmp(argv[i], "--chain") || !strcmp(argv[i], "--hub") ||
               !strcmp(argv[i], "--dataprotector")) {
      if (i + 1 >= argc)
        return cli_usage_error("%s needs a value", argv[i]);
      const char **slot = argv[i][2] == 'c'   ? &g_cli.chain
                          : argv[i][2] == 'h' ? &g_cli.hub
                                              : &g_cli.dataprotector;
      *slot = argv[++i];
    } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(stdout);
      return CLI_OK;
    } else if (!strcmp(argv[i], "--version")) {
      printf("decc %s\n", decc_version());
      return CLI_OK;
    } else
      return cli_usage_error("unknown option '%s'", argv[i]);
  }
  if (i >= argc) {
    usage(stderr);
    return CLI_USAGE;
  }
  if (decc_init() != DECC_OK)
    return cli_fail("cannot initialise the crypto backends");
  /* Global flags may also follow the command name (decc util --json …):
   * strip them so subcommands only see their own options. */
  int sub_argc = 0;
  char **sub_argv = calloc((size_t)(argc - i) + 1, sizeof(char *));
  if (!sub_argv)
    return cli_fail("out of memory");
  for (int k = i; k < argc; k++) {
    if (!strcmp(argv[k], "--")) {
      for (; k < argc; k++)
        sub_argv[sub_argc++] = argv[k];
      break;
    }
    /* --chain / --hub / --dataprotector after the command too, except for
     * the commands that take options of those names themselves (order
     * hash/sign/verify --hub; node, worker, scheduler configuration keys). */
    int own = !strcmp(argv[i], "order") || !strcmp(argv[i], "node") ||
              !strcmp(argv[i], "worker") || !strcmp(argv[i], "scheduler");
    int chain_flag =
        k > i && k + 1 < argc && !own &&
        (!strcmp(argv[k], "--chain") || !strcmp(argv[k], "--dataprotector") ||
         !strcmp(argv[k], "--hub"));
    if (chain_flag) {
      const char **slot = argv[k][2] == 'c'   ? &g_cli.chain
                          : argv[k][2] == 'h' ? &g_cli.hub
                                              : &g_cli.dataprotector;
      *slot = argv[++k];
    } else if (k > i && !strcmp(argv[k], "--json"))
      g_cli.json = 1;
    else if (k > i && (!strcmp(argv[k], "-q") || !strcmp(argv[k], "--quiet")))
      g_cli.quiet = 1;
    else
      sub_argv[sub_argc++] = argv[k];
  }
  int rc = -1;
  for (size_t c = 0; c < sizeof COMMANDS / sizeof COMMANDS[0]; c++)
    if (!strcmp(COMMANDS[c].name, sub_argv[0])) {
      rc = COMMANDS[c].fn(sub_argc, sub_argv);
      break;
    }
  if (rc < 0)
    rc = cli_usage_error("unknown command '%s'", sub_argv[0]);
  free(sub_argv);
  return rc;
}
