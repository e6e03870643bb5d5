/*
 * cmd_chain.c — `decc chain`: the chain itself. init (genesis, dev
 * accounts printed with their keys only under --dev, like anvil), info,
 * block, tx (receipt with decoded events), logs (eth_getLogs-style filter),
 * verify (replay from genesis) and time (read the chain clock or move it
 * forward for deadline tests, like evm_increaseTime). info, tx, logs and
 * time also work on an EVM chain (--chain URL|PROFILE); block and verify
 * read the embedded ledger's own storage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "ledger_cli.h"

/* The overview of `decc chain` (cli_dispatch adds the command list). */
static const char CHAIN_OVERVIEW[] =
    "The chain: the embedded ledger in <home>/chain, or an EVM chain\n"
    "(--chain URL|PROFILE) for info, tx, logs and time.\n";

static const char INIT_HELP[] =
    "usage: decc chain init [--genesis FILE | --profile dev|arbitrum-sepolia] "
    "[--dev]\n\n"
    "Creates the embedded ledger in <home>/chain. --dev prints the funded dev\n"
    "accounts and their keys (public: never use them for value);\n"
    "arbitrum-mainnet (42161) needs --force-mainnet-chain-id.\n";

static int cmd_init(int argc, char **argv) {
  const char *genesis_file = NULL, *profile = NULL;
  int dev = 0, force_mainnet = 0;
  cli_opt opts[] = {
      {"genesis", 0, CLI_OPT_STR, &genesis_file, "FILE",
       "the genesis JSON to start from", 0, 0, 0},
      {"profile", 0, CLI_OPT_STR, &profile, "NAME",
       "a built-in genesis: dev, arbitrum-sepolia, arbitrum-mainnet", 0, 0, 0},
      {"force-mainnet-chain-id", 0, CLI_OPT_FLAG, &force_mainnet, NULL,
       "allow the mainnet chain id 42161", 0, 0, 0},
      {"dev", 0, CLI_OPT_FLAG, &dev, NULL,
       "print the dev accounts and their keys", 0, 0, 0},
      {0}};
  cli_spec spec = {"chain init", INIT_HELP, opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (genesis_file && profile)
    return cli_cmd_usage(spec.cmd,
                         "chain init: --genesis and --profile exclude each "
                         "other");
  decc_genesis g;
  decc_err err;
  decc_err_clear(&err);
  if (genesis_file) {
    size_t len = 0;
    char *text = cli_read_file(genesis_file, DECC_GENESIS_MAX_BYTES, &len, 0);
    if (!text)
      return CLI_FAIL;
    decc_status s = decc_genesis_from_json(&g, text, len, &err);
    decc_free(text);
    if (s != DECC_OK)
      return cli_fail("%s: %s", genesis_file, err.msg);
  } else if (profile) {
    if (decc_genesis_profile(&g, profile, force_mainnet, &err) != DECC_OK)
      return cli_fail("chain init: %s", err.msg);
  } else if (decc_genesis_default(&g) != DECC_OK)
    return cli_fail("cannot build the default genesis");
  char dir[4096], path[4200];
  int rc = lc_chain_dir(dir, sizeof dir);
  if (rc == CLI_OK)
    rc = cli_mkdir_p(dir);
  if (rc == CLI_OK)
    rc = lc_ledger_path(path, sizeof path);
  if (rc != CLI_OK) {
    decc_genesis_clear(&g);
    return rc;
  }
  decc_status s = decc_ledger_init(path, &g, &err);
  if (s == DECC_E_EXISTS) {
    decc_genesis_clear(&g);
    return cli_fail("a ledger already exists at %s", path);
  }
  if (s != DECC_OK) {
    decc_genesis_clear(&g);
    return cli_fail("%s: %s", path, err.msg[0] ? err.msg : decc_strerror(s));
  }
  json_t *out = json_object();
  json_t *accts = json_array();
  char rlc[64], stake[64];
  lc_fmt_rlc(rlc, sizeof rlc, &g.dev_rlc);
  lc_fmt_rlc(stake, sizeof stake, &g.dev_stake);
  if (!g_cli.json) {
    printf("ledger %s\nchain id %llu\n", path, (unsigned long long)g.chain_id);
    if (dev && g.dev_accounts)
      printf("\ndev accounts (%s each, %s deposited) — these keys are public: "
             "never use them for value\n",
             rlc, stake);
  }
  for (unsigned i = 0; dev && i < g.dev_accounts; i++) {
    uint8_t sk[32];
    decc_address a;
    if (decc_ledger_dev_key(sk, i) != DECC_OK ||
        decc_address_from_privkey(&a, sk) != DECC_OK) {
      decc_memzero(sk, sizeof sk);
      json_decref(out);
      json_decref(accts);
      decc_genesis_clear(&g);
      return cli_fail("cannot derive dev account %u", i);
    }
    char ah[DECC_ADDRESS_HEX_LEN], kh[DECC_HEX32_LEN];
    decc_address_to_checksum(ah, &a);
    decc_hex_encode(kh, sk, 32, 1);
    decc_memzero(sk, sizeof sk);
    if (g_cli.json) {
      json_t *o = json_object();
      json_object_set_new(o, "address", json_string(ah));
      json_object_set_new(o, "privateKey", json_string(kh));
      json_array_append_new(accts, o);
    } else
      printf("(%u) %s  %s\n", i, ah, kh);
    decc_memzero(kh, sizeof kh);
  }
  if (!g_cli.json && !dev && g.dev_accounts)
    printf("%u dev accounts funded (run with --dev to print their keys)\n",
           g.dev_accounts);
  unsigned n_dev = g.dev_accounts;
  uint64_t chain_id = g.chain_id;
  decc_genesis_clear(&g);
  if (!g_cli.json) {
    json_decref(out);
    json_decref(accts);
    return CLI_OK;
  }
  json_object_set_new(out, "ledger", json_string(path));
  json_object_set_new(out, "chainId", json_integer((json_int_t)chain_id));
  json_object_set_new(out, "devAccounts", json_integer(n_dev));
  if (dev)
    json_object_set_new(out, "accounts", accts);
  else
    json_decref(accts);
  return cli_print_json(out);
}

static void put_addr(json_t *o, const char *k, const decc_address *a) {
  json_object_set_new(o, k, lc_json_addr(a));
}

/* `chain info` on an EVM chain: what decc_hub_open_remote checked and read. */
static int remote_info(const cli_chain_target *t) {
  decc_chain *c;
  if (cli_chain_open_target(&c, t, 0) != CLI_OK)
    return CLI_FAIL;
  lc_info i;
  uint64_t head = 0, ts = 0;
  decc_err err;
  decc_err_clear(&err);
  if (lc_get_info(c, &i, &err) != DECC_OK ||
      decc_chain_block_number(c, &head, &err) != DECC_OK ||
      decc_chain_block_timestamp(c, &ts, &err) != DECC_OK) {
    decc_chain_destroy(c);
    return cli_fail_err(&err);
  }
  decc_buf code;
  decc_buf_init(&code, 0);
  int has_dp =
      decc_chain_code(c, &i.addr.dataprotector, &code, &err) == DECC_OK &&
      code.len > 0;
  decc_buf_clear(&code);
  decc_chain_destroy(c);
  if (g_cli.json) {
    json_t *o = json_object(), *k = json_object();
    json_object_set_new(o, "chain", json_string(t->label));
    json_object_set_new(o, "rpc", json_string(t->url));
    json_object_set_new(o, "chainId", json_integer((json_int_t)i.chain_id));
    put_addr(k, "hub", &i.addr.hub);
    put_addr(k, "appRegistry", &i.addr.app_registry);
    put_addr(k, "datasetRegistry", &i.addr.dataset_registry);
    put_addr(k, "workerpoolRegistry", &i.addr.workerpool_registry);
    put_addr(k, "token", &i.addr.token);
    if (has_dp)
      put_addr(k, "dataProtector", &i.addr.dataprotector);
    json_object_set_new(o, "contracts", k);
    json_object_set_new(o, "headNumber", json_integer((json_int_t)head));
    json_object_set_new(o, "headTimestamp", json_integer((json_int_t)ts));
    return cli_print_json(o);
  }
  char a[DECC_ADDRESS_HEX_LEN];
  printf("chain               %s\n", t->label);
  printf("rpc                 %s\n", t->url);
  printf("chain id            %llu\n", (unsigned long long)i.chain_id);
  printf("hub                 %s\n", decc_address_to_checksum(a, &i.addr.hub));
  printf("app registry        %s\n",
         decc_address_to_checksum(a, &i.addr.app_registry));
  printf("dataset registry    %s\n",
         decc_address_to_checksum(a, &i.addr.dataset_registry));
  printf("workerpool registry %s\n",
         decc_address_to_checksum(a, &i.addr.workerpool_registry));
  printf("RLC token           %s\n",
         decc_address_to_checksum(a, &i.addr.token));
  printf("DataProtector       %s%s\n",
         decc_address_to_checksum(a, &i.addr.dataprotector),
         has_dp ? "" : " (no code: protect/ls unavailable)");
  printf("head block          %llu\n", (unsigned long long)head);
  printf("head timestamp      %llu\n", (unsigned long long)ts);
  return CLI_OK;
}

static int cmd_info(int argc, char **argv) {
  cli_spec spec = {
      .cmd = "chain info",
      .help = "usage: decc chain info\n\n"
              "Chain id, contracts and head block of the chain in use.\n"};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  cli_chain_target t;
  int rc = cli_chain_target_resolve(&t);
  if (rc != CLI_OK)
    return rc;
  if (!t.embedded)
    return remote_info(&t);
  decc_ledger *l;
  if (lc_open_ledger(&l, "decc chain info") != CLI_OK)
    return CLI_FAIL;
  decc_ledger_info i;
  decc_err err;
  decc_err_clear(&err);
  decc_status s = decc_ledger_get_info(l, &i, &err);
  decc_ledger_close(l);
  if (s != DECC_OK)
    return cli_fail_err(&err);
  char path[4200];
  if (lc_ledger_path(path, sizeof path) != CLI_OK)
    return CLI_FAIL;
  char hh[DECC_HEX32_LEN];
  lc_hex(hh, i.head_hash, 32);
  if (g_cli.json) {
    json_t *o = json_object(), *c = json_object();
    json_object_set_new(o, "ledger", json_string(path));
    json_object_set_new(o, "chainId", json_integer((json_int_t)i.chain_id));
    put_addr(c, "hub", &i.addr.hub);
    put_addr(c, "appRegistry", &i.addr.app_registry);
    put_addr(c, "datasetRegistry", &i.addr.dataset_registry);
    put_addr(c, "workerpoolRegistry", &i.addr.workerpool_registry);
    put_addr(c, "token", &i.addr.token);
    put_addr(c, "dataProtector", &i.addr.dataprotector);
    json_object_set_new(o, "contracts", c);
    put_addr(o, "owner", &i.owner);
    json_object_set_new(o, "headNumber",
                        json_integer((json_int_t)i.head_number));
    json_object_set_new(o, "headHash", json_string(hh));
    json_object_set_new(o, "headTimestamp",
                        json_integer((json_int_t)i.head_timestamp));
    json_object_set_new(o, "timeOffset", json_integer(i.time_offset));
    json_object_set_new(o, "transactions",
                        json_integer((json_int_t)i.tx_count));
    return cli_print_json(o);
  }
  char a[DECC_ADDRESS_HEX_LEN];
  printf("ledger              %s\n", path);
  printf("chain id            %llu\n", (unsigned long long)i.chain_id);
  printf("hub                 %s\n", decc_address_to_checksum(a, &i.addr.hub));
  printf("app registry        %s\n",
         decc_address_to_checksum(a, &i.addr.app_registry));
  printf("dataset registry    %s\n",
         decc_address_to_checksum(a, &i.addr.dataset_registry));
  printf("workerpool registry %s\n",
         decc_address_to_checksum(a, &i.addr.workerpool_registry));
  printf("RLC token           %s\n",
         decc_address_to_checksum(a, &i.addr.token));
  printf("DataProtector       %s\n",
         decc_address_to_checksum(a, &i.addr.dataprotector));
  printf("owner               %s\n", decc_address_to_checksum(a, &i.owner));
  printf("head block          %llu %s\n", (unsigned long long)i.head_number,
         hh);
  printf("head timestamp      %llu\n", (unsigned long long)i.head_timestamp);
  printf("time offset         %+lld s\n", (long long)i.time_offset);
  printf("transactions        %llu\n", (unsigned long long)i.tx_count);
  return CLI_OK;
}

static int cmd_block(int argc, char **argv) {
  cli_spec spec = {"chain block",
                   "usage: decc chain block [N|latest]\n\n"
                   "A block of the embedded ledger and its transactions "
                   "(default: latest).\n",
                   NULL,
                   NULL,
                   1,
                   NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  uint64_t n = UINT64_MAX;
  const char *which = np ? argv[1] : "latest";
  if (strcmp(which, "latest") && cli_parse_u64(&n, which) != 0)
    return cli_cmd_usage(spec.cmd,
                         "block number: '%.40s' is not a "
                         "non-negative integer",
                         which);
  decc_ledger *l;
  if (lc_open_ledger(&l, "decc chain block") != CLI_OK)
    return CLI_FAIL;
  decc_ledger_block b;
  decc_err err;
  decc_err_clear(&err);
  uint8_t *hashes = NULL;
  size_t nh = 0;
  decc_status s = decc_ledger_block_get(l, n, &b, &err);
  if (s == DECC_OK)
    s = decc_ledger_block_txs(l, b.number, &hashes, &nh, &err);
  decc_ledger_close(l);
  if (s == DECC_E_NOT_FOUND)
    return cli_fail("no block %s", which);
  if (s != DECC_OK)
    return cli_fail_err(&err);
  char h[DECC_HEX32_LEN], p[DECC_HEX32_LEN], tr[DECC_HEX32_LEN],
      rr[DECC_HEX32_LEN];
  lc_hex(h, b.hash, 32);
  lc_hex(p, b.parent, 32);
  lc_hex(tr, b.tx_root, 32);
  lc_hex(rr, b.receipt_root, 32);
  int rc = CLI_OK;
  if (g_cli.json) {
    json_t *o = json_object(), *t = json_array();
    json_object_set_new(o, "number", json_integer((json_int_t)b.number));
    json_object_set_new(o, "hash", json_string(h));
    json_object_set_new(o, "parentHash", json_string(p));
    json_object_set_new(o, "timestamp", json_integer((json_int_t)b.timestamp));
    json_object_set_new(o, "txRoot", json_string(tr));
    json_object_set_new(o, "receiptRoot", json_string(rr));
    for (size_t i = 0; i < nh; i++)
      json_array_append_new(t, lc_json_hex(hashes + 32 * i, 32));
    json_object_set_new(o, "transactions", t);
    rc = cli_print_json(o);
  } else {
    printf("block %llu\nhash %s\nparent %s\ntimestamp %llu\ntx root %s\n"
           "receipt root %s\ntransactions %zu\n",
           (unsigned long long)b.number, h, p, (unsigned long long)b.timestamp,
           tr, rr, nh);
    for (size_t i = 0; i < nh; i++) {
      lc_hex(h, hashes + 32 * i, 32);
      printf("  %s\n", h);
    }
  }
  decc_free(hashes);
  return rc;
}

static int cmd_tx(int argc, char **argv) {
  cli_spec spec = {"chain tx",
                   "usage: decc chain tx HASH\n\n"
                   "A transaction's receipt and its decoded events.\n",
                   NULL,
                   NULL,
                   1,
                   NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (!np)
    return cli_cmd_usage(spec.cmd, "chain tx needs a transaction hash");
  uint8_t h[32];
  if (lc_parse_h32(h, argv[1], "transaction hash") != CLI_OK)
    return CLI_USAGE;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  decc_receipt r;
  decc_err err;
  decc_err_clear(&err);
  decc_status s = decc_chain_receipt(l, h, &r, &err);
  decc_chain_destroy(l);
  if (s == DECC_E_NOT_FOUND)
    return cli_fail("unknown transaction %s", argv[1]);
  if (s != DECC_OK)
    return cli_fail_err(&err);
  if (!g_cli.json) {
    char a[DECC_ADDRESS_HEX_LEN];
    printf("from %s nonce %llu\n", decc_address_to_checksum(a, &r.from),
           (unsigned long long)r.nonce);
    printf("to %s\n", decc_address_to_checksum(a, &r.to));
  }
  int rc = lc_print_receipt(&r, NULL);
  decc_receipt_clear(&r);
  return rc;
}

#define MAX_FILTER_ADDRS 16

static const char LOGS_HELP[] =
    "usage: decc chain logs [--from N] [--to N] [--address A]... [--topic "
    "T]...\n\n"
    "Events (an eth_getLogs filter): topics match position 0, 1, ... in "
    "order,\n"
    "'-' for any.\n";

static int cmd_logs(int argc, char **argv) {
  decc_log_filter f;
  decc_log_filter_init(&f);
  decc_address addrs[MAX_FILTER_ADDRS];
  uint8_t topics[DECC_LOG_MAX_TOPICS][32];
  const char *addr_s[MAX_FILTER_ADDRS], *topic_s[DECC_LOG_MAX_TOPICS];
  cli_list al = {addr_s, 0, MAX_FILTER_ADDRS};
  cli_list tl = {topic_s, 0, DECC_LOG_MAX_TOPICS};
  const char *to = NULL;
  cli_opt opts[] = {
      {"from", 0, CLI_OPT_U64, &f.from_block, "N", "first block", 0, 0, 0},
      {"to", 0, CLI_OPT_STR, &to, "N|latest", "last block (default latest)", 0,
       0, 0},
      {"address", 0, CLI_OPT_LIST, &al, "A",
       "events of this contract (repeatable: any of them)", 0, 0, 0},
      {"topic", 0, CLI_OPT_LIST, &tl, "T",
       "topic 0, 1, ... in order ('-' for any)", 0, 0, 0},
      {0}};
  cli_spec spec = {"chain logs", LOGS_HELP, opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (to && strcmp(to, "latest") && cli_parse_u64(&f.to_block, to) != 0)
    return cli_cmd_usage(spec.cmd,
                         "--to needs a number or latest, not "
                         "'%.40s'",
                         to);
  size_t n_addr = al.n, n_topic = tl.n;
  for (size_t i = 0; i < n_addr; i++)
    if (lc_parse_address(&addrs[i], addr_s[i], "--address") != CLI_OK)
      return CLI_USAGE;
  for (size_t i = 0; i < n_topic; i++) {
    if (!strcmp(topic_s[i], "-"))
      continue; /* any value at this position */
    if (lc_parse_h32(topics[i], topic_s[i], "--topic") != CLI_OK)
      return CLI_USAGE;
    f.topic_alts[i] = (const uint8_t(*)[32])topics[i];
    f.n_topic_alts[i] = 1;
  }
  f.addresses = addrs;
  f.n_addresses = n_addr;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  decc_log *logs = NULL;
  size_t n = 0;
  decc_err err;
  decc_err_clear(&err);
  decc_status s = decc_chain_get_logs(l, &f, &logs, &n, &err);
  decc_chain_destroy(l);
  if (s != DECC_OK)
    return cli_fail_err(&err);
  int rc = CLI_OK;
  if (g_cli.json) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(arr, lc_log_json(&logs[i]));
    rc = cli_print_json(arr);
  } else {
    uint64_t last = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
      if (logs[i].block_number != last) {
        printf("block %llu\n", (unsigned long long)logs[i].block_number);
        last = logs[i].block_number;
      }
      lc_print_log_text(&logs[i]);
    }
    if (!n)
      cli_progress("no matching events");
  }
  decc_logs_free(logs, n);
  return rc;
}

static int cmd_verify(int argc, char **argv) {
  cli_spec spec = {.cmd = "chain verify",
                   .help =
                       "usage: decc chain verify\n\n"
                       "Replays every transaction of the embedded ledger from "
                       "genesis.\n"};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  decc_ledger *l;
  if (lc_open_ledger(&l, "decc chain verify") != CLI_OK)
    return CLI_FAIL;
  decc_ledger_verify_report rep;
  decc_err err;
  decc_err_clear(&err);
  cli_progress("replaying the ledger from genesis…");
  decc_status s = decc_ledger_verify(l, &rep, &err);
  decc_ledger_close(l);
  char sh[DECC_HEX32_LEN], rh[DECC_HEX32_LEN];
  lc_hex(sh, rep.state_hash, 32);
  lc_hex(rh, rep.replay_hash, 32);
  if (g_cli.json) {
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_boolean(s == DECC_OK));
    json_object_set_new(o, "blocks", json_integer((json_int_t)rep.blocks));
    json_object_set_new(o, "transactions", json_integer((json_int_t)rep.txs));
    json_object_set_new(o, "stateHash", json_string(sh));
    json_object_set_new(o, "replayHash", json_string(rh));
    if (rep.first_bad_block != UINT64_MAX)
      json_object_set_new(o, "firstBadBlock",
                          json_integer((json_int_t)rep.first_bad_block));
    if (s != DECC_OK)
      json_object_set_new(o, "error", json_string(err.msg));
    int rc = cli_print_json(o);
    if (rc != CLI_OK)
      return rc;
  } else if (s == DECC_OK)
    printf("ok: %llu blocks, %llu transactions replayed\nstate hash %s\n",
           (unsigned long long)rep.blocks, (unsigned long long)rep.txs, sh);
  if (s != DECC_OK)
    return cli_fail("verify failed: %s",
                    err.msg[0] ? err.msg : decc_strerror(s));
  return CLI_OK;
}

/* `chain time [+S]` on an EVM dev chain (anvil): evm_increaseTime. */
static int remote_time(const cli_chain_target *t, uint64_t add) {
  decc_chain *c;
  if (cli_chain_open_target(&c, t, 0) != CLI_OK)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  uint64_t ts = 0;
  decc_status s = add ? decc_chain_increase_time(c, add, &err) : DECC_OK;
  if (s == DECC_OK)
    s = decc_chain_block_timestamp(c, &ts, &err);
  decc_chain_destroy(c);
  if (s != DECC_OK)
    return cli_fail_err(&err);
  if (g_cli.json) {
    json_t *o = json_object();
    json_object_set_new(o, "headTimestamp", json_integer((json_int_t)ts));
    return cli_print_json(o);
  }
  printf("head timestamp %llu\n", (unsigned long long)ts);
  return CLI_OK;
}

static int cmd_time(int argc, char **argv) {
  cli_spec spec = {"chain time",
                   "usage: decc chain time [+SECONDS]\n\n"
                   "The chain time; +SECONDS moves it forward (time only "
                   "moves forward;\n"
                   "on an EVM dev chain: evm_increaseTime).\n",
                   NULL,
                   NULL,
                   1,
                   NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  int64_t add = 0;
  if (np) {
    const char *v = argv[1];
    if (*v != '+')
      return cli_cmd_usage(spec.cmd,
                           "time: '%s': give +SECONDS (time only moves "
                           "forward)",
                           v);
    uint64_t n;
    if (cli_parse_u64(&n, v + 1) != 0)
      return cli_cmd_usage(spec.cmd,
                           "time: '%.40s' is not a non-negative "
                           "integer",
                           v + 1);
    if (n > (uint64_t)100 * 365 * 86400)
      return cli_cmd_usage(spec.cmd, "time: +%llu s is more than a century",
                           (unsigned long long)n);
    add = (int64_t)n;
  }
  cli_chain_target t;
  int rc = cli_chain_target_resolve(&t);
  if (rc != CLI_OK)
    return rc;
  if (!t.embedded)
    return remote_time(&t, (uint64_t)add);
  decc_ledger *l;
  if (lc_open_ledger(&l, "decc chain time") != CLI_OK)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  int64_t off = 0;
  decc_ledger_info i;
  decc_status s = add ? decc_ledger_time_increase(l, add, &off, &err) : DECC_OK;
  if (s == DECC_OK)
    s = decc_ledger_get_info(l, &i, &err);
  if (s == DECC_OK)
    off = i.time_offset;
  decc_ledger_close(l);
  if (s != DECC_OK)
    return cli_fail_err(&err);
  int64_t now = (int64_t)time(NULL) + off;
  if (g_cli.json) {
    json_t *o = json_object();
    json_object_set_new(o, "now", json_integer(now));
    json_object_set_new(o, "offset", json_integer(off));
    json_object_set_new(o, "headTimestamp",
                        json_integer((json_int_t)i.head_timestamp));
    return cli_print_json(o);
  }
  printf("chain time %lld (offset %+lld s, head block %llu at %llu)\n",
         (long long)now, (long long)off, (unsigned long long)i.head_number,
         (unsigned long long)i.head_timestamp);
  return CLI_OK;
}

int cli_cmd_chain_deploy(int argc, char **argv);

static const cli_sub SUBS[] = {
    {"init", "create the ledger in <home>/chain (--dev: dev accounts)",
     cmd_init},
    {"info", "chain id, contracts, head block", cmd_info},
    {"block", "[N|latest]: a block and its transactions", cmd_block},
    {"tx", "HASH: a transaction's receipt and events", cmd_tx},
    {"logs", "events by block range, address and topics", cmd_logs},
    {"verify", "replay every transaction from genesis", cmd_verify},
    {"time", "[+SECONDS]: chain time; +N moves it forward", cmd_time},
    {"deploy", "--rpc URL KEY: PoCo + DataProtector on an EVM chain",
     cli_cmd_chain_deploy},
    {NULL, NULL, NULL}};

int cli_cmd_chain(int argc, char **argv) {
  return cli_dispatch("chain", CHAIN_OVERVIEW, SUBS, argc, argv);
}
