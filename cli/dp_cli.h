/*
 * dp_cli.h — shared plumbing of the DataProtector commands (dp_cli.c):
 * the CLI config file, the data directory, the default wallet, opening the
 * SDK context and printing step progress, and the helpers several
 * DataProtector commands share.
 *
 * Config file <home>/config.json (all keys optional; unknown keys are an
 * error so that a typo does not go unnoticed):
 *   {
 *     "wallet": "alice",              wallet name in <home>/wallets, an
 *                                     address, or a keystore file path
 *     "passwordFile": "/path/pw",     password of that wallet (else a
 *                                     no-echo prompt)
 *     "node": "http://host:port",     a decc node: its chain (JSON-RPC),
 *                                     market, SMS and store (Kubo RPC)
 *                                     routes replace the data directory's
 *     "chain": URL|PROFILE|"embedded", one service elsewhere (overrides
 *     "sms": URL, "market": URL,       "node" for it); the chain as
 *     "ipfs": URL                      --chain takes it (cli_chain.c)
 *     "hub": ADDRESS,                 PoCo addresses on that chain
 *     "dataprotector": ADDRESS
 *   }
 */
#ifndef DECC_CLI_DP_H
#define DECC_CLI_DP_H

#include <stddef.h>

#include "cli.h"
#include "decc/dataprotector.h"

typedef struct dp_cli_config {
  char *wallet;
  char *password_file;
  char *node;
  char *ipfs;
  char *chain;
  char *sms;
  char *market;
  char *hub;
  char *dataprotector;
} dp_cli_config;

/* Options every DataProtector command accepts: the key options of
 * cli_key_opts plus --wallet NAME. */
typedef struct dp_cli_opts {
  cli_key_opts key;
  const char *wallet;
} dp_cli_opts;

/* Writes the data directory (--home, $DECC_HOME or ~/.decc) into out.
 * Returns 0 or -1 after printing an error. */
int dp_cli_home(char *out, size_t cap);

/* Reads <home>/config.json (missing file = empty config). Returns CLI_OK
 * or CLI_FAIL after printing an error. Free with dp_cli_config_clear. */
int dp_cli_config_load(dp_cli_config *c, const char *home);
void dp_cli_config_clear(dp_cli_config *c);

/* Opens the SDK context on the data directory; when need_signer, unlocks
 * the wallet (options, then the config's wallet, then the only wallet in
 * <home>/wallets) and sets it as signer. Returns CLI_OK, or an exit code
 * after printing an error. */
int dp_cli_open(decc_dp **dp, const dp_cli_opts *o, int need_signer);

/* Progress callback printing "  <title> …" / "  <title> done" on stderr
 * (unless --quiet or --json). user = a prefix string or NULL. */
void dp_cli_progress(void *user, const char *title, int done,
                     const char *detail);

/* The amount syntax, for the help of commands taking RLC amounts. */
#define DP_CLI_AMOUNT_HELP                                                     \
  "AMOUNT: RLC with a decimal point or the unit (0.5, \"2 RLC\"), or nRLC "    \
  "as\n"                                                                       \
  "        a whole number (\"500000000\", \"5 nRLC\").\n"

struct decc_grant_policy;
/* Prints one granted access: a line (hash, app, user, price, uses,
 * status) plus its policy when pol is non-NULL and sets one, or the SDK's
 * JSON with --json. Returns CLI_OK or CLI_FAIL (out of memory, printed). */
int dp_cli_print_access(const decc_dp_access *a,
                        const struct decc_grant_policy *pol);

/* Parses an address argument; prints "decc: <what>: …" on error.
 * Returns 0 or -1. */
int dp_cli_address(decc_address *out, const char *s, const char *what);
/* Parses a 0x bytes32 (order hash, task id). Returns 0 or -1. */
int dp_cli_hash(uint8_t out[32], const char *s, const char *what);

/* The address of a wallet reference, without unlocking it: a 0x address,
 * a wallet name or address in <home>/wallets, or a keystore path. Prints
 * "decc: <what>: …" on error. Returns 0 or -1. */
int dp_cli_ref_address(decc_address *out, const char *ref, const char *what);
/* The address of the wallet the options (else config.json's "wallet", else
 * the only wallet) designate, without a password. Returns 0 or -1 (printed). */
int dp_cli_me(decc_address *out, const dp_cli_opts *o);

/* Installs a SIGINT handler printing "interrupted; task … keeps running:
 * resume with 'decc task wait TASK'" and exiting 130 (task_hex: 0x + 64
 * hex); NULL restores the default. */
void dp_cli_resume_hint(const char *task_hex);
/* dp_cli_progress that also installs the resume hint when CONSUME_TASK
 * starts (its detail is the task id). */
void dp_cli_process_progress(void *user, const char *title, int done,
                             const char *detail);
/* Prints a task failure (err) then the app's stderr tail (may be NULL) on
 * stderr. Returns CLI_FAIL. */
int dp_cli_task_failed(const decc_err *err, const char *stderr_tail);

/* `decc process` (run 0) or `decc run` (run 1): argv[0] is the command
 * name (cmd_process.c). Exit codes as every command. */
int cli_process_request(int argc, char **argv, int run);
/* `decc deal ls` (tasks 0) / `decc task ls` (tasks 1); argv[0] is "ls". */
int cli_deal_ls(int argc, char **argv, int tasks);
/* `decc app publish APP` (kind 0) / `decc workerpool publish WP` (kind 1)
 * / `decc dataset publish DATASET` (kind 2); argv[0] is "publish". */
int cli_dp_publish(int argc, char **argv, int kind);
/* `decc app test DIR` (app_test.c; argv[0] is "test"). */
int cli_app_test(int argc, char **argv);
/* `decc task replay TASKID` (cmd_task_replay.c; argv[0] is "replay"). */
int cli_task_replay(int argc, char **argv);
/* `decc result get … --bundle FILE` (cmd_verify.c): collects the task's
 * provenance bundle from dp's chain and writes it atomically to path; the
 * result (decrypted zip, len bytes) is recorded when whole_zip.
 * Returns CLI_OK or CLI_FAIL (printed). */
int cli_prov_write_bundle(decc_dp *dp, const uint8_t task32[32],
                          const uint8_t *result, size_t len, int whole_zip,
                          const char *path);

#endif
