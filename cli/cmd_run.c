/*
 * cmd_run.c — `decc run APP`: runs an app without protected data, as the
 * iExec CLI's `iexec app run`. The request is `decc process`'s without the
 * dataset (cmd_process.c builds and waits for both), so the options, the
 * failure causes and the resume hint stay the same for the two commands.
 */
#include "dp_cli.h"

int cli_cmd_run(int argc, char **argv) {
  return cli_process_request(argc, argv, 1);
}
