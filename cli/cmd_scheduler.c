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
#include "cli.h"
#include "node_cli.h"

static const char SCHEDULER_RUN_HELP[] =
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
    "Exit status as decc node.\n";

/* `decc scheduler run`: the node with the role list fixed. */
static int cmd_run(int argc, char **argv) {
  return cli_node_main("scheduler run", SCHEDULER_RUN_HELP, "scheduler", argc,
                       argv);
}

static const cli_sub SUBS[] = {{"run",
                                "run a workerpool scheduler until "
                                "SIGTERM/SIGINT (decc node --roles scheduler)",
                                cmd_run},
                               {NULL, NULL, NULL}};

int cli_cmd_scheduler(int argc, char **argv) {
  return cli_dispatch("scheduler", NULL, SUBS, argc, argv);
}
