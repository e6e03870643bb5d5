/*
 * cmd_scheduler.c — `decc scheduler run`: the workerpool scheduler on its
 * own, i.e. `decc node --roles scheduler` with the same configuration keys
 * (file, environment, flags). It watches the chain (chain_url) for its
 * workerpool's deals, initializes tasks, gets enclave challenges from the
 * SMS (sms_url), serves workers on other hosts through its signed HTTP API
 * (docs/api/http.md "Scheduler role"), finalizes and claims. State lives in
 * <home>/scheduler, so a restart resumes. A thin wrapper so that there is
 * one code path for the role.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "decc/mem.h"

static int scheduler_usage(FILE *f) {
  fprintf(
      f,
      "usage: decc scheduler run [--config FILE] [--port-file FILE] [--KEY "
      "VALUE ...]\n\n"
      "Runs a workerpool scheduler until SIGTERM/SIGINT: `decc node --roles\n"
      "scheduler` with the same configuration keys (see decc node --help), "
      "e.g.\n"
      "  decc scheduler run --home DIR --port 8600 --chain-url URL --sms-url "
      "URL \\\n"
      "    --workerpool 0x… --scheduler-key-file FILE [--scheduler-workers "
      "0x…,0x…]\n"
      "Workers reach it with decc worker run --scheduler-url "
      "http://HOST:8600.\n"
      "Exit status as decc node.\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

int cli_cmd_scheduler(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
      !strcmp(argv[1], "help"))
    return scheduler_usage(argc < 2 ? stderr : stdout);
  if (strcmp(argv[1], "run"))
    return cli_usage_error(
        "unknown scheduler command '%s' (try: decc scheduler run)", argv[1]);
  if (cli_wants_help(argc, argv))
    return scheduler_usage(stdout);
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], "--roles"))
      return cli_usage_error("--roles is fixed to scheduler here; use decc "
                             "node for other roles");
  char **nargv = decc_calloc((size_t)argc + 2, sizeof *nargv);
  if (!nargv)
    return cli_fail("out of memory");
  int k = 0;
  nargv[k++] = "node";
  nargv[k++] = "--roles";
  nargv[k++] = "scheduler";
  for (int i = 2; i < argc; i++)
    nargv[k++] = argv[i];
  nargv[k] = NULL;
  int rc = cli_cmd_node(k, nargv);
  decc_free(nargv);
  return rc;
}
