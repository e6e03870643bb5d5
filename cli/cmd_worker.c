/*
 * cmd_worker.c — `decc worker run`: a worker on its own, i.e. `decc node
 * --roles worker` with the same configuration keys (file, environment,
 * flags). On another host it points at a main node by URL: chain_url,
 * sms_url, store_url and scheduler_url (the scheduler's signed API, see
 * docs/api/http.md "Scheduler role"). It runs until SIGTERM/SIGINT; its
 * state lives in <home>/worker, so a restart resumes interrupted tasks.
 * A thin wrapper so that there is one code path for the role.
 */
#include "cli.h"
#include "node_cli.h"

static const char WORKER_RUN_HELP[] =
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
    "on the main node. Exit status as decc node.\n";

/* `decc worker run`: the node with the role list fixed. */
static int cmd_run(int argc, char **argv) {
  return cli_node_main("worker run", WORKER_RUN_HELP, "worker", argc, argv);
}

static const cli_sub SUBS[] = {
    {"run", "run a worker until SIGTERM/SIGINT (decc node --roles worker)",
     cmd_run},
    {NULL, NULL, NULL}};

int cli_cmd_worker(int argc, char **argv) {
  return cli_dispatch("worker", NULL, SUBS, argc, argv);
}
