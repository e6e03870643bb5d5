/*
 * cli_opts.h — the one option parser of the `decc` command (cli_opts.c).
 * A command describes its options in a table (long name, short name, kind,
 * destination, value name, help line); cli_parse walks argv once, stores
 * every value where the table says, checks numbers, amounts and dates the
 * same way for every command, and prints the same one-line errors:
 *   decc: unknown option '--x' for 'decc grant' (see decc grant --help)
 *   decc: --volume needs a number (see decc app publish --help)
 * It accepts --opt value, --opt=value, -o value, "--" (everything after it
 * is an argument) and "-" as an argument (stdin). -h/--help prints the
 * command's help: its text, then an options section generated from the
 * table (so the man page and the completion scripts, which read --help,
 * list exactly the options the parser accepts).
 *
 * Usage:
 *   const char *app = NULL; uint64_t uses = 1;
 *   cli_opt opts[] = {
 *       {"app", 0, CLI_OPT_STR, &app, "APP", "the app allowed", 0, 0},
 *       {"uses", 0, CLI_OPT_U64, &uses, "N", "uses (default 1)", 1, 0},
 *       {0}};
 *   cli_spec s = {"grant", GRANT_HELP, opts, &w.key, 1, NULL};
 *   int np, rc = cli_parse(&s, argc, argv, &np);
 *   if (rc != CLI_RUN) return rc;      (help printed, or a usage error)
 *   argv[1] .. argv[np] are the arguments.
 */
#ifndef DECC_CLI_OPTS_H
#define DECC_CLI_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* cli_parse's "go on and run the command" (every exit code is >= 0). */
#define CLI_RUN (-1)

typedef enum cli_opt_kind {
  CLI_OPT_FLAG,   /* no value; dest int *: set to 1 */
  CLI_OPT_STR,    /* dest const char **: the value (points into argv) */
  CLI_OPT_U64,    /* dest uint64_t *: a decimal whole number in [min, max] */
  CLI_OPT_AMOUNT, /* dest decc_u256 *: an RLC amount (lc_parse_amount) */
  CLI_OPT_FUTURE, /* dest int64_t *: a date or duration ahead of now */
  CLI_OPT_PAST,   /* dest int64_t *: a date or duration back from now */
  CLI_OPT_LIST,   /* dest cli_list *: every value of a repeatable option */
} cli_opt_kind;

/* The values of a repeatable option, in command-line order, held in an
 * array the command owns (v, cap); more than cap values is a usage error. */
typedef struct cli_list {
  const char **v;
  size_t n, cap;
} cli_list;

/* One option. Options other than CLI_OPT_LIST may be given once: a second
 * time is a usage error (a typo that silently overrode the first value
 * would go unnoticed). */
typedef struct cli_opt {
  const char *name; /* long name without "--"; NULL ends the table */
  char short_name;  /* -x, or 0 */
  cli_opt_kind kind;
  void *dest;        /* see cli_opt_kind */
  const char *arg;   /* the value's name in the help (NULL: flags) */
  const char *help;  /* one line */
  uint64_t min, max; /* CLI_OPT_U64 bounds (max 0: no upper bound) */
  int seen;          /* out: how many times it was given */
} cli_opt;

struct cli_key_opts;

/* A command (or subcommand) for the parser. */
typedef struct cli_spec {
  const char *cmd;          /* "grant", "task wait": named in the errors */
  const char *help;         /* usage and description, printed before the
                        * generated options section */
  cli_opt *opts;            /* the table (may be NULL) */
  struct cli_key_opts *key; /* non-NULL: the wallet options --wallet,
                             * --keystore, --password-file,
                             * --private-key-file fill it */
  int max_args;             /* arguments accepted (-1: any number) */
  const char *footer;       /* printed after the options (e.g. the AMOUNT
                        * syntax), or NULL */
} cli_spec;

/* Parses argv[1..argc-1] (argv[0] is the command name) by the table.
 * Arguments (non-options) are moved, in order, to argv[1..*nargs].
 * Returns CLI_RUN when the command should run; otherwise the exit code:
 * CLI_OK after printing the help (-h/--help), CLI_USAGE after printing one
 * error line (unknown option, missing or bad value, repeated option, too
 * many arguments). */
int cli_parse(cli_spec *s, int argc, char **argv, int *nargs);

/* Prints the help of s (its text, then the options of its table) on f. */
void cli_print_help(const cli_spec *s, FILE *f);

/* Parses a decimal whole number (no sign, no spaces) into *out.
 * Returns 0, or -1 when s is not one or overflows 64 bits (nothing
 * printed). The CLI's only number parser. */
int cli_parse_u64(uint64_t *out, const char *s);

/* A usage error about option or argument `what` of command `cmd`:
 * prints "decc: <message> (see decc <cmd> --help)". Returns CLI_USAGE. */
int cli_cmd_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One subcommand of a command with subcommands ("decc worker run"). */
typedef struct cli_sub {
  const char *name;
  const char *summary;              /* one line in the command's overview */
  int (*fn)(int argc, char **argv); /* argv[0] is the subcommand name */
} cli_sub;

/* Dispatches argv[1] to the subcommand of that name in subs (ended by a
 * NULL name), which gets argv[1..]. No subcommand prints the overview
 * ("usage: decc <cmd> <command> [options]", the optional text, then one
 * line per subcommand) on stderr and returns CLI_USAGE; -h, --help or
 * "help" prints it on stdout and returns CLI_OK; an unknown name is a
 * usage error (CLI_USAGE, one line). Otherwise returns the subcommand's
 * exit code. */
int cli_dispatch(const char *cmd, const char *text, const cli_sub *subs,
                 int argc, char **argv);

#endif
