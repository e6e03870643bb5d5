/*
 * cli.h — shared plumbing of the `decc` command: the subcommand table,
 * option parsing helpers, output (text or --json), error reporting and
 * secret input (files or a no-echo prompt, never argv).
 *
 * Exit codes: 0 success, 1 failure (bad input, verification failure, I/O),
 * 2 usage error. Errors are one line on stderr: "decc: <message>".
 */
#ifndef DECC_CLI_H
#define DECC_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_opts.h"
#include "decc/chain.h"
#include "decc/common.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* A subcommand handler: argv[0] is the subcommand name. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Global options parsed before the subcommand. */
typedef struct cli_globals {
  int json;                  /* --json: structured output on stdout */
  int quiet;                 /* -q: no progress on stderr */
  const char *home;          /* --home DIR / DECC_HOME: data directory */
  const char *chain;         /* --chain embedded|URL|PROFILE (cli_chain.c) */
  const char *hub;           /* --hub ADDRESS */
  const char *dataprotector; /* --dataprotector ADDRESS */
} cli_globals;
extern cli_globals g_cli;

/* Prints "decc: <fmt>" on stderr. Returns CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "decc: <fmt>" plus a hint to use --help. Returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the error context (err->msg or the status text). Returns CLI_FAIL. */
int cli_fail_err(const decc_err *err);
/* Progress line on stderr unless --quiet or --json. */
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a JSON value (compact, newline-terminated) on stdout and
 * decrefs it. Returns CLI_OK, or CLI_FAIL if j is NULL (OOM). */
int cli_print_json(json_t *j);

/* Reads a whole file (at most max bytes) into a NUL-terminated heap buffer
 * (free with decc_free). When secret != 0 the buffer is allocated with
 * decc_secure_alloc and must be released with decc_secure_free; a trailing
 * newline is stripped for secret files. Returns NULL after printing an
 * error. "-" reads stdin. */
char *cli_read_file(const char *path, size_t max, size_t *len, int secret);

/* The absolute path of the running decc binary (/proc/self/exe), which a
 * worker started here runs each enclave as (decc_enclave_launch's
 * exec_path). Returns a static string, or NULL when it cannot be read
 * (the worker then forks without exec). */
const char *cli_self_exe(void);

/* Reads a password: from the file if path != NULL (first line), else from
 * the terminal without echo (prompt on stderr; twice when confirm != 0).
 * Returns secure memory (decc_secure_free) or NULL after printing an error. */
char *cli_read_password(const char *path, const char *prompt, int confirm);

/* Writes data to path atomically: temporary file in the same directory,
 * fsync, rename. mode is the file mode (e.g. 0600 for key material).
 * Returns CLI_OK or CLI_FAIL after printing an error (no file left). */
int cli_write_file_atomic(const char *path, const void *data, size_t len,
                          unsigned mode);

/* Creates directory path and its missing parents, mode 0700 (decc_mkdir_p).
 * Returns CLI_OK or CLI_FAIL after printing which directory and why. */
int cli_mkdir_p(const char *path);

/* The signing key given on the command line: either
 *   --keystore FILE --password-file FILE   (V3 keystore; no-echo prompt when
 *                                           --password-file is absent), or
 *   --private-key-file FILE                (0x-hex private key).
 * cli_key_opts collects the option values (cli_parse fills it: cli_spec.key);
 * cli_key_load unlocks the key into secure memory. */
typedef struct cli_key_opts {
  const char *keystore;
  const char *password_file;
  const char *private_key_file;
  const char *wallet; /* --wallet NAME|ADDRESS|FILE (cli_key_resolve) */
} cli_key_opts;

/* Fills o->keystore when neither --keystore nor --private-key-file was
 * given: --wallet (a name or address in <home>/wallets, or a file), else
 * "wallet" of <home>/config.json, else the only wallet in <home>/wallets;
 * o->password_file defaults to config.json's "passwordFile" (dp_cli.c).
 * The path lives in a static buffer (one key per command). Returns CLI_OK
 * or CLI_FAIL (printed: which wallet is missing and how to create one). */
int cli_key_resolve(cli_key_opts *o);
/* Loads the key (cli_key_resolve first when no file was given). Out: *sk32
 * points to 32 bytes of secure memory that the caller releases with
 * decc_secure_free. Returns CLI_OK, CLI_USAGE on conflicting options,
 * CLI_FAIL on no wallet, a bad file or a wrong password (commands that
 * want "no key" to be a usage error call cli_key_resolve first). */
int cli_key_load(const cli_key_opts *o, uint8_t **sk32);

/* ---- which chain (cli_chain.c; the rules are in its file comment) -------- */

/* The chain a command talks to, once flags, environment, config.json and
 * profiles are taken into account. */
typedef struct cli_chain_target {
  int embedded;      /* 1: <home>/chain/ledger.sqlite */
  char url[1024];    /* JSON-RPC URL (remote) */
  char label[256];   /* what the user named: profile, URL, embedded */
  uint64_t chain_id; /* a profile's chain id (checked), else 0 */
  int has_hub, has_dataprotector;
  decc_address hub, dataprotector;
} cli_chain_target;

/* Resolves the target. Returns CLI_OK or an exit code (error printed). */
int cli_chain_target_resolve(cli_chain_target *t);
/* Opens the target: the embedded ledger, or the remote chain checked by
 * decc_hub_open_remote (chain id, hub code, registries from the hub; the
 * DataProtector's code too when need_dataprotector). Out: *out (destroy).
 * Returns CLI_OK or CLI_FAIL (one line printed). */
int cli_chain_open_target(decc_chain **out, const cli_chain_target *t,
                          int need_dataprotector);
/* Both in one. */
int cli_chain_open(decc_chain **out, int need_dataprotector);
/* <home>/chains/<name>.json, with the name checked (letters, digits, - _ .).
 * Returns CLI_OK or an exit code (error printed). */
int cli_profile_path(char *out, size_t cap, const char *home, const char *name);

/* Subcommand entry points (one file each: cli/cmd_<name>.c). */
#define CLI_X(name, summary) int cli_cmd_##name(int argc, char **argv);
#include "commands.def"
#undef CLI_X

#endif
