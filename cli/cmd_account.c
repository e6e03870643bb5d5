/*
 * cmd_account.c — `decc account`: RLC held in the wallet and staked in
 * PoCo's escrow. balance (wallet RLC, stake, locked, nonce), deposit (one
 * RLC approveAndCall into the hub, as the SDK does), withdraw (hub
 * withdraw) and transfer (RLC token transfer). Amounts are nRLC, or RLC
 * with a unit: "1.5 RLC".
 */
#include <stdio.h>
#include <string.h>

#include "decc/mem.h"
#include "dp_cli.h"
#include "ledger_cli.h"

/* The overview of `decc account` (cli_dispatch adds the command list). */
static const char ACCOUNT_OVERVIEW[] =
    "RLC held in the wallet and staked in PoCo's escrow.\n"
    "AMOUNT: nRLC (\"1000\", \"1000 nRLC\") or RLC (\"1.5 RLC\").\n"
    "KEY: --keystore FILE [--password-file FILE] | --private-key-file FILE\n"
    "     | --wallet NAME|ADDRESS|FILE\n";

static const char BALANCE_HELP[] =
    "usage: decc account balance [ADDRESS] [KEY]\n\n"
    "Wallet RLC, RLC staked in PoCo's escrow and locked, and the nonce of\n"
    "ADDRESS (default: the key's, or the default wallet's).\n";
static const char DEPOSIT_HELP[] =
    "usage: decc account deposit AMOUNT KEY\n\n"
    "Stakes AMOUNT in PoCo (one RLC approveAndCall into the hub, as the SDK\n"
    "does).\n";
static const char WITHDRAW_HELP[] =
    "usage: decc account withdraw AMOUNT KEY\n\n"
    "Takes AMOUNT of staked RLC back to the wallet (hub withdraw).\n";
static const char TRANSFER_HELP[] =
    "usage: decc account transfer TO AMOUNT KEY\n\n"
    "Sends AMOUNT RLC from the wallet to TO (RLC token transfer).\n";
#define AMOUNT_SYNTAX                                                          \
  "AMOUNT: nRLC (\"1000\", \"1000 nRLC\") or RLC (\"1.5 RLC\").\n"

/* The shared parser with the key options and up to max arguments (then
 * argv[1..*npos]). Returns CLI_RUN or an exit code. */
static int parse(const char *cmd, const char *help, int argc, char **argv,
                 cli_key_opts *key, int max, int *npos) {
  cli_spec spec = {cmd, help, NULL, key, max, AMOUNT_SYNTAX};
  return cli_parse(&spec, argc, argv, npos);
}

static int key_address(const cli_key_opts *key, decc_address *a) {
  uint8_t *sk = NULL;
  int rc = cli_key_load(key, &sk);
  if (rc != CLI_OK)
    return rc;
  decc_status s = decc_address_from_privkey(a, sk);
  decc_secure_free(sk);
  return s == DECC_OK ? CLI_OK : cli_fail("invalid private key");
}

static int view_u256(decc_chain *l, const decc_address *to, const char *sig,
                     const decc_address *arg, decc_u256 *out) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf cd, ret;
  if (decc_abi_enc_push_address(&e, arg) != DECC_OK) {
    decc_abi_enc_clear(&e);
    return cli_fail("out of memory");
  }
  if (lc_calldata(&cd, &e, sig) != CLI_OK)
    return CLI_FAIL;
  decc_abi_value *v;
  int rc = lc_view(l, to, &cd, "uint256", &v, &ret);
  decc_buf_clear(&cd);
  if (rc != CLI_OK)
    return rc;
  if (decc_abi_get_u256(decc_abi_item(v, 0), out) != DECC_OK)
    rc = cli_fail("%s: unexpected return value", sig);
  decc_abi_value_free(v);
  decc_buf_clear(&ret);
  return rc;
}

static int cmd_balance(int argc, char **argv) {
  cli_key_opts key = {0};
  int np;
  int rc = parse("account balance", BALANCE_HELP, argc, argv, &key, 1, &np);
  if (rc != CLI_RUN)
    return rc;
  const char *const *pos = (const char *const *)argv + 1;
  decc_address a;
  if (np == 1)
    rc = lc_parse_address(&a, pos[0], "address");
  else if (key.keystore || key.private_key_file)
    rc = key_address(&key, &a);
  else {
    /* --wallet NAME, else the default wallet: its address needs no
     * password. */
    dp_cli_opts d;
    memset(&d, 0, sizeof d);
    d.key = key;
    d.wallet = key.wallet;
    rc = dp_cli_me(&a, &d) == 0 ? CLI_OK : CLI_USAGE;
  }
  if (rc != CLI_OK)
    return rc;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  lc_info info;
  decc_u256 wallet, stake, locked;
  uint64_t nonce = 0;
  decc_err err;
  decc_err_clear(&err);
  if (lc_get_info(l, &info, &err) != DECC_OK ||
      decc_chain_nonce(l, &a, &nonce, &err) != DECC_OK) {
    decc_chain_destroy(l);
    return cli_fail_err(&err);
  }
  rc = view_u256(l, &info.addr.token, "balanceOf(address)", &a, &wallet);
  if (rc == CLI_OK)
    rc = view_u256(l, &info.addr.hub, "balanceOf(address)", &a, &stake);
  if (rc == CLI_OK)
    rc = view_u256(l, &info.addr.hub, "frozenOf(address)", &a, &locked);
  decc_chain_destroy(l);
  if (rc != CLI_OK)
    return rc;
  if (g_cli.json) {
    json_t *o = json_object();
    json_object_set_new(o, "address", lc_json_addr(&a));
    json_object_set_new(o, "wallet", lc_json_u256(&wallet));
    json_object_set_new(o, "stake", lc_json_u256(&stake));
    json_object_set_new(o, "locked", lc_json_u256(&locked));
    json_object_set_new(o, "nonce", json_integer((json_int_t)nonce));
    return cli_print_json(o);
  }
  char h[DECC_ADDRESS_HEX_LEN], w[80], s[80], k[80];
  lc_fmt_rlc(w, sizeof w, &wallet);
  lc_fmt_rlc(s, sizeof s, &stake);
  lc_fmt_rlc(k, sizeof k, &locked);
  printf("address %s\nwallet  %s\nstake   %s\nlocked  %s\nnonce   %llu\n",
         decc_address_to_checksum(h, &a), w, s, k, (unsigned long long)nonce);
  return CLI_OK;
}

static int send_amount(int argc, char **argv, int with_to) {
  cli_key_opts key = {0};
  int np;
  const int deposit = !strcmp(argv[0], "deposit");
  const char *cmd = with_to   ? "account transfer"
                    : deposit ? "account deposit"
                              : "account withdraw";
  int rc = parse(cmd,
                 with_to   ? TRANSFER_HELP
                 : deposit ? DEPOSIT_HELP
                           : WITHDRAW_HELP,
                 argc, argv, &key, with_to ? 2 : 1, &np);
  if (rc != CLI_RUN)
    return rc;
  const char *const *pos = (const char *const *)argv + 1;
  if (np != (with_to ? 2 : 1))
    return cli_cmd_usage(
        cmd, with_to ? "transfer needs TO and AMOUNT" : "%s needs an AMOUNT",
        argv[0]);
  decc_address to;
  decc_u256 amount;
  if (with_to && lc_parse_address(&to, pos[0], "recipient") != CLI_OK)
    return CLI_USAGE;
  if (lc_parse_amount(&amount, pos[with_to ? 1 : 0], "amount") != CLI_OK)
    return CLI_USAGE;
  if (cli_key_resolve(&key) != CLI_OK)
    return CLI_USAGE;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  lc_info info;
  decc_err err;
  decc_err_clear(&err);
  if (lc_get_info(l, &info, &err) != DECC_OK) {
    decc_chain_destroy(l);
    return cli_fail_err(&err);
  }
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf cd;
  const decc_address *target;
  const char *sig;
  decc_status s;
  if (!strcmp(argv[0], "deposit")) {
    target = &info.addr.token;
    sig = "approveAndCall(address,uint256,bytes)";
    s = decc_abi_enc_push_address(&e, &info.addr.hub);
    s = s ? s : decc_abi_enc_push_u256(&e, &amount);
    s = s ? s : decc_abi_enc_push_bytes(&e, NULL, 0);
  } else if (!strcmp(argv[0], "withdraw")) {
    target = &info.addr.hub;
    sig = "withdraw(uint256)";
    s = decc_abi_enc_push_u256(&e, &amount);
  } else {
    target = &info.addr.token;
    sig = "transfer(address,uint256)";
    s = decc_abi_enc_push_address(&e, &to);
    s = s ? s : decc_abi_enc_push_u256(&e, &amount);
  }
  if (s != DECC_OK) {
    decc_abi_enc_clear(&e);
    decc_chain_destroy(l);
    return cli_fail("out of memory");
  }
  if (lc_calldata(&cd, &e, sig) != CLI_OK) {
    decc_chain_destroy(l);
    return CLI_FAIL;
  }
  json_t *extra = json_object();
  json_object_set_new(extra, "amount", lc_json_u256(&amount));
  rc = lc_send(l, &key, target, &cd, extra, NULL);
  decc_buf_clear(&cd);
  decc_chain_destroy(l);
  return rc;
}

static int send_stake(int argc, char **argv) {
  return send_amount(argc, argv, 0); /* deposit or withdraw: argv[0] */
}
static int send_transfer(int argc, char **argv) {
  return send_amount(argc, argv, 1);
}

static const cli_sub SUBS[] = {
    {"balance", "[ADDRESS]: wallet RLC, staked and locked RLC, nonce",
     cmd_balance},
    {"deposit", "AMOUNT KEY: stake RLC in PoCo (approveAndCall)", send_stake},
    {"withdraw", "AMOUNT KEY: take staked RLC back to the wallet", send_stake},
    {"transfer", "TO AMOUNT KEY: send RLC from the wallet", send_transfer},
    {NULL, NULL, NULL}};

int cli_cmd_account(int argc, char **argv) {
  return cli_dispatch("account", ACCOUNT_OVERVIEW, SUBS, argc, argv);
}
