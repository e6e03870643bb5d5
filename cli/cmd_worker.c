/*
 * cmd_worker.c — `decc worker run`: a worker on its own, i.e. `decc node
 * --roles worker` with the same configuration keys (file, environment,
 * flags). On another host it points at a main node by URL: chain_url,
 * sms_url, store_url and scheduler_url (the scheduler's signed API, see
 * docs/api/http.md "Scheduler role"). It runs until SIGTERM/SIGINT; its
 * state lives in <home>/worker, so a restart resumes interrupted tasks.
 * A thin wrapper so that there is one code path for the role.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "decc/mem.h"

static int worker_usage(FILE *f) {
  fprintf(
      f,
      "usage: decc worker run [--config FILE] [--port-file FILE] [--KEY VALUE "
      "...]\n\n"
      "Runs a worker until SIGTERM/SIGINT: `decc node --roles worker` with "
      "the\n"
      "same configuration keys (see decc node --help). A worker on another "
      "host:\n"
      "  decc worker run --home DIR --port 0 --chain-url URL --sms-url URL \\\n"
      "    --store-url URL --scheduler-url URL --worker-key-file FILE \\\n"
      "    --platform-key-file FILE\n"
      "where URL is the main node (decc node --roles chain,store,market,sms,\n"
      "scheduler). The pool owner may restrict workers with scheduler_workers\n"
      "on the main node. Exit status as decc node.\n");
  return f == stdout ? CLI_OK : CLI_USAGE;
}

/* argv[1] must be "run"; the rest is
 * handed to `decc node` after the forced role list. */
static int run_as_node(int argc, char **argv, const char *roles) {
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], "--roles"))
      return cli_usage_error("--roles is fixed to %s here; use decc node for "
                             "other roles",
                             roles);
  char **nargv = decc_calloc((size_t)argc + 2, sizeof *nargv);
  if (!nargv)
    return cli_fail("out of memory");
  int k = 0;
  nargv[k++] = "node";
  nargv[k++] = "--roles";
  nargv[k++] = (char *)roles;
  for (int i = 2; i < argc; i++)
    nargv[k++] = argv[i];
  nargv[k] = NULL;
  int rc = cli_cmd_node(k, nargv);
  decc_free(nargv);
  return rc;
}

int cli_cmd_worker(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
      !strcmp(argv[1], "help"))
    return worker_usage(argc < 2 ? stderr : stdout);
  if (strcmp(argv[1], "run"))
    return cli_usage_error("unknown worker command '%s' (try: decc worker run)",
                           argv[1]);
  if (cli_wants_help(argc, argv))
    return worker_usage(stdout);
  return run_as_node(argc, argv, "worker");
}
