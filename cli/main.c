/*
 * main.c — `decc` entry point: global options, then dispatch to the
 * subcommand named in argv (git-style).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "decc/common.h"
#include "decc/enclave.h"

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

/* The global options, in this order (GOPT_* index the table). */
enum {
  GOPT_JSON,
  GOPT_QUIET,
  GOPT_HOME,
  GOPT_CHAIN,
  GOPT_HUB,
  GOPT_DATAPROTECTOR,
  GOPT_VERSION,
  GOPT_N
};

/* Commands that have options named --chain, --hub or --dataprotector of
 * their own (order hash/sign/verify --hub; the node's configuration keys):
 * after their name these are left to them. */
static const char *const OWN_CHAIN_OPTS[] = {"order", "node", "worker",
                                             "scheduler"};

static int owns_chain_opts(const char *cmd) {
  for (size_t i = 0; i < sizeof OWN_CHAIN_OPTS / sizeof OWN_CHAIN_OPTS[0]; i++)
    if (!strcmp(OWN_CHAIN_OPTS[i], cmd))
      return 1;
  return 0;
}

/* The index in opts of the option word a ("--home", "-q"; not the
 * "--name=value" form), or -1. */
static int gopt_find(const cli_opt *opts, const char *a) {
  for (int k = 0; opts[k].name; k++)
    if ((a[0] == '-' && a[1] == '-' && !strcmp(a + 2, opts[k].name)) ||
        (opts[k].short_name && a[0] == '-' && a[1] == opts[k].short_name &&
         !a[2]))
      return k;
  return -1;
}

/* The index of the command name: the first word that is neither a global
 * option nor the value of one. Unknown options are skipped here and
 * reported by cli_parse. */
static int command_index(const cli_opt *opts, int argc, char **argv) {
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || !a[1])
      break;
    if (!strcmp(a, "--")) /* cli_parse takes the rest as arguments */
      return i + 1 < argc ? i + 1 : argc;
    int k = gopt_find(opts, a);
    if (k >= 0 && opts[k].kind != CLI_OPT_FLAG)
      i++;
  }
  return i < argc ? i : argc;
}

/* The help of `decc`: usage, then the command list from commands.def
 * (scripts/gen_man.sh and the completion scripts read it: a "commands:"
 * line, one "  name  summary" line each, a blank line). */
static int build_help(char *out, size_t cap) {
  size_t n = 0;
  int w = snprintf(
      out, cap,
      "usage: decc [--json] [-q] [--home DIR] [--chain embedded|URL|PROFILE]\n"
      "            [--hub ADDRESS] [--dataprotector ADDRESS] <command> "
      "[<args>]\n\n"
      "decc — decentralized confidential computing, iExec-compatible.\n\n"
      "commands:\n");
  if (w < 0 || (size_t)w >= cap)
    return -1;
  n = (size_t)w;
  for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
    w = snprintf(out + n, cap - n, "  %-12s %s\n", COMMANDS[i].name,
                 COMMANDS[i].summary);
    if (w < 0 || (size_t)w >= cap - n)
      return -1;
    n += (size_t)w;
  }
  w = snprintf(out + n, cap - n,
               "\nRun 'decc <command> --help' for a command's options. --json "
               "and -q may\nalso follow the command name; so may --chain, "
               "--hub and --dataprotector,\nexcept after order, node, worker "
               "and scheduler (options of their own).\n");
  return w < 0 || (size_t)w >= cap - n ? -1 : 0;
}

int main(int argc, char **argv) {
  /* An enclave started by this binary's worker (decc_enclave_launch's
   * exec_path): nothing else runs in this process. */
  if (argc == 2 && strcmp(argv[1], DECC_ENCLAVE_CHILD_ARG) == 0) {
    struct stat st;
    if (fstat(3, &st) != 0 || !S_ISSOCK(st.st_mode)) {
      fprintf(stderr,
              "decc: %s is started by a worker with its channel on "
              "fd 3, not by hand\n",
              DECC_ENCLAVE_CHILD_ARG);
      return CLI_USAGE;
    }
    return decc_enclave_child_main(3);
  }
  g_cli.home = getenv("DECC_HOME");
  int version = 0;
  cli_opt opts[GOPT_N + 1] = {
      [GOPT_JSON] = {"json", 0, CLI_OPT_FLAG, &g_cli.json, NULL,
                     "structured output on stdout", 0, 0, 0},
      [GOPT_QUIET] = {"quiet", 'q', CLI_OPT_FLAG, &g_cli.quiet, NULL,
                      "no progress messages", 0, 0, 0},
      [GOPT_HOME] = {"home", 0, CLI_OPT_STR, &g_cli.home, "DIR",
                     "data directory (default $DECC_HOME or ~/.decc)", 0, 0, 0},
      [GOPT_CHAIN] = {"chain", 0, CLI_OPT_STR, &g_cli.chain,
                      "embedded|URL|PROFILE",
                      "the chain: embedded (default), a JSON-RPC URL, or a "
                      "profile saved by 'decc chain deploy' ($DECC_CHAIN)",
                      0, 0, 0},
      [GOPT_HUB] = {"hub", 0, CLI_OPT_STR, &g_cli.hub, "ADDRESS",
                    "PoCo hub address on that chain ($DECC_HUB)", 0, 0, 0},
      [GOPT_DATAPROTECTOR] = {"dataprotector", 0, CLI_OPT_STR,
                              &g_cli.dataprotector, "ADDRESS",
                              "DataProtector address ($DECC_DATAPROTECTOR)", 0,
                              0, 0},
      [GOPT_VERSION] = {"version", 0, CLI_OPT_FLAG, &version, NULL,
                        "print the version", 0, 0, 0},
      [GOPT_N] = {0}};
  static char help[8192];
  if (build_help(help, sizeof help) != 0)
    return cli_fail("the command list does not fit the help buffer");
  cli_spec spec = {"", help, opts, NULL, 0, NULL};
  int i = command_index(opts, argc, argv), np;
  int rc = cli_parse(&spec, i, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  if (version) {
    printf("decc %s\n", decc_version());
    return CLI_OK;
  }
  if (i >= argc) {
    cli_print_help(&spec, stderr);
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
  int own = owns_chain_opts(argv[i]);
  for (int k = i; k < argc; k++) {
    if (!strcmp(argv[k], "--")) {
      for (; k < argc; k++)
        sub_argv[sub_argc++] = argv[k];
      break;
    }
    int g = k > i ? gopt_find(opts, argv[k]) : -1;
    if (g == GOPT_JSON || g == GOPT_QUIET)
      *(int *)opts[g].dest = 1;
    else if ((g == GOPT_CHAIN || g == GOPT_HUB || g == GOPT_DATAPROTECTOR) &&
             !own && k + 1 < argc)
      *(const char **)opts[g].dest = argv[++k];
    else
      sub_argv[sub_argc++] = argv[k];
  }
  rc = -1;
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
