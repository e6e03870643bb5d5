/*
 * ledger_cli.h — plumbing shared by the commands that talk to the chain
 * (chain, account, app/dataset/workerpool deploy|show|transfer, order
 * cancel|presign, match, deal, task): opening the chain the user chose
 * (embedded ledger or an EVM chain, cli_chain.c), amount / address / hash
 * arguments, views, and sending a signed transaction then printing its hash
 * and decoded events (text or --json).
 */
#ifndef DECC_CLI_LEDGER_CLI_H
#define DECC_CLI_LEDGER_CLI_H

#include <jansson.h>

#include "cli.h"
#include "decc/abi.h"
#include "decc/ledger.h"

/* <home>/chain (home = --home, $DECC_HOME or ~/.decc). Returns CLI_OK or
 * CLI_FAIL (printed). */
int lc_chain_dir(char *out, size_t cap);
/* <home>/chain/ledger.sqlite. */
int lc_ledger_path(char *out, size_t cap);
/* Opens the chain chosen by --chain / $DECC_CHAIN / config.json / profile
 * (cli_chain_open; prints a hint to run 'decc chain init' when the embedded
 * ledger is absent). Destroy with decc_chain_destroy. */
int lc_open(decc_chain **c);

/* Opens the embedded ledger itself, for the commands that read its own
 * storage (chain block, verify, info, time): refuses with one line when the
 * chosen chain is an EVM chain (what = the command, for the message). */
int lc_open_ledger(decc_ledger **l, const char *what);

/* Chain id and PoCo addresses of an open chain. */
typedef struct lc_info {
  uint64_t chain_id;
  decc_chain_addresses addr;
} lc_info;
/* Returns DECC_OK or the chain's error (err filled). */
decc_status lc_get_info(decc_chain *c, lc_info *out, decc_err *err);

/* Amount, the one syntax of every command: "1000" or "1000 nRLC" (nRLC),
 * "1.5 RLC", "1.5RLC" or "1.5" (a decimal point means RLC; 9 decimals);
 * units in any case. Returns CLI_OK or CLI_USAGE (printed, naming `what`). */
int lc_parse_amount(decc_u256 *out, const char *s, const char *what);
/* "1.5 RLC" text of an nRLC amount (trailing zeros trimmed). */
void lc_fmt_rlc(char *out, size_t cap, const decc_u256 *v);
/* 0x address (or a wallet name in <home>/wallets, standing for its
 * address) / 0x bytes32 arguments. Return CLI_OK or CLI_USAGE. */
int lc_parse_address(decc_address *out, const char *s, const char *what);
int lc_parse_h32(uint8_t out[32], const char *s, const char *what);
/* Unsigned decimal (or 0x hex) integer. Returns CLI_OK or CLI_USAGE. */
int lc_parse_u64(uint64_t *out, const char *s, const char *what);

/* Finishes calldata for sig from the arguments pushed into e (cleared).
 * Returns CLI_OK or CLI_FAIL. */
int lc_calldata(decc_buf *out, decc_abi_enc *e, const char *sig);
/* eth_call of calldata on `to`, decoding the return data as the type list
 * rtypes ("uint256,address"; a struct is one parenthesised item). Out: *v (decc_abi_value_free) borrowing *ret
 * (decc_buf_clear after). Returns CLI_OK or CLI_FAIL (printed; a revert
 * quotes its reason). */
int lc_view(decc_chain *l, const decc_address *to, const decc_buf *calldata,
            const char *rtypes, decc_abi_value **v, decc_buf *ret);

/* Loads the key, signs and submits one transaction, prints the result
 * (tx hash, block, status, events; --json: one object, with `extra`'s
 * members merged in — extra is consumed, may be NULL). Out: *r (optional;
 * clear it) for callers that read the output. Returns CLI_OK (status 1),
 * CLI_FAIL (reverted: reason printed; or not submitted), CLI_USAGE (no key). */
int lc_send(decc_chain *l, const cli_key_opts *key, const decc_address *to,
            const decc_buf *calldata, json_t *extra, decc_receipt *r);
/* Same with a key already loaded (sk: 32 bytes, the caller wipes it). */
int lc_send_sk(decc_chain *l, const uint8_t *sk, const decc_address *to,
               const decc_buf *calldata, json_t *extra, decc_receipt *r);
/* Loads the key (cli_key_load) and its address. *sk: decc_secure_free. */
int lc_key_load(const cli_key_opts *key, uint8_t **sk, decc_address *a);
/* Prints a stored receipt the same way (chain tx). */
int lc_print_receipt(const decc_receipt *r, json_t *extra);
/* A decoded log as JSON {address, event, args, block, tx, logIndex}. */
json_t *lc_log_json(const decc_log *lg);
/* One text line per log: "  Name {args} @address". */
void lc_print_log_text(const decc_log *lg);

/* Pushes an order as matchOrders / manage*Order take it (tuple with sign). */
struct decc_order;
decc_status lc_push_order(decc_abi_enc *e, const struct decc_order *o);
/* Reads an order file: type from --type or guessed from its members.
 * Returns CLI_OK / CLI_FAIL / CLI_USAGE (printed). */
int lc_read_order(struct decc_order *o, const char *path,
                  const char *type_name);
/* The matchOrders order tuple types (for calldata signatures). */
#define LC_APPO                                                                \
  "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)"
#define LC_WPO                                                                 \
  "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,"  \
  "bytes32,bytes)"
#define LC_RQO                                                                 \
  "(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,"  \
  "uint256,uint256,address,address,string,bytes32,bytes)"

/* Hex helpers for JSON / text output. */
json_t *lc_json_hex(const uint8_t *p, size_t n);
json_t *lc_json_addr(const decc_address *a);
json_t *lc_json_u256(const decc_u256 *v);
void lc_hex(char *out, const uint8_t *p, size_t n); /* out: 2n+3 bytes */

#endif
