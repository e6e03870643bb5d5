/*
 * node_cli.h — the one command-line front of the node (cmd_node.c), shared
 * by `decc node`, `decc worker run` and `decc scheduler run` so that the
 * three parse the same configuration keys the same way and a role run on
 * its own is exactly `decc node --roles <role>`.
 */
#ifndef DECC_CLI_NODE_CLI_H
#define DECC_CLI_NODE_CLI_H

/* Runs the node in the foreground until SIGTERM/SIGINT. cmd names the
 * command in errors and help ("node", "worker run"); help is its help text
 * (the generated options section follows it); roles, when not NULL, is the
 * fixed role list (--roles is then a usage error). argv[0] is the command
 * name; every option is a configuration key (--max-body, --chain-url …)
 * or --config / --port-file / --print-config. Returns 0 after a clean
 * shutdown (or --print-config / --help), 1 on a startup failure, 2 on a
 * usage error (printed). */
int cli_node_main(const char *cmd, const char *help, const char *roles,
                  int argc, char **argv);

#endif
