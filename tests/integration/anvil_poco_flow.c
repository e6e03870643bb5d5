/*
 * anvil_poco_flow.c — drives the same iExec sequence through two decc
 * chain backends, anvil running the real PoCo 6.1.0 contracts (JSON-RPC
 * backend) and decc's embedded ledger configured with anvil's addresses,
 * and checks they agree: CREATE2 addresses of the app, dataset and
 * workerpool, the EIP-712 domain, the deal and task ids, viewDeal /
 * viewTask, RLC and escrow balances, and the revert of a duplicate
 * creation. Every calldata is built with decc's ABI encoder and every
 * order signed with decc (decc/order.h); nothing comes from ethers.
 *
 * Then to the end of a TEE task's life (a deal of volume 2, tag "tee",
 * trust 1): task 0's contributeAndFinalize by a worker, authorised by the
 * scheduler and signed by an enclave challenge key exactly as decc's
 * enclave runtime signs (lib/enclave/runtime.c: personal_sign of
 * H(resultHash ‖ resultSeal), result digest from
 * decc_enclave_result_digest), after the same call with a forged enclave
 * signature was refused; the logs, the task, the contribution and every
 * escrow account compared between the chains and checked against PoCo's
 * payment rule to the nRLC. Task 1 then misses its deadline: claim is
 * refused before it, the clock jumps (evm_increaseTime + evm_mine on
 * anvil, decc_ledger_time_increase on the embedded ledger), claim succeeds
 * and the requester's refund and the pool's seized stake are checked.
 *
 * Built and run by tests/integration/test_anvil_poco.sh against the shared
 * library (public API only):
 *   anvil_poco_flow <rpc-url> <hub> <appRegistry> <datasetRegistry>
 *                   <workerpoolRegistry> <rlc> <workdir>
 * Prints one "ok"/"FAIL" line per check and exits 0 only if all pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/abi.h"
#include "decc/chain.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/http_client.h"
#include "decc/keys.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/poco.h"
#include "decc/tx.h"

/* anvil's default dev accounts 0..4 and 6 (keys of a public mnemonic;
 * account 5 is kept for the send_raw check below). */
#define N_KEYS 6
static const char *const DEV_KEYS[N_KEYS] = {
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"};
enum {
  OWNER = 0,
  APP_OWNER = 1,
  DATASET_OWNER = 2,
  SCHEDULER = 3,
  REQUESTER = 4,
  WORKER = 5
};

/* Prices (nRLC) and amounts. Category 0 (XS): timeref 300 s, final
 * deadline 10 × 300 s after the deal's start. */
#define APP_PRICE 10000ull
#define DS_PRICE 20000ull
#define WP_PRICE 30000ull
#define TASK_PRICE (APP_PRICE + DS_PRICE + WP_PRICE)
#define POOL_STAKE (WP_PRICE * DECC_POCO_WORKERPOOL_STAKE_RATIO / 100)
#define VOLUME 2
#define FUNDING 1000000ull
#define DEPOSIT 500000ull
#define FINAL_DEADLINE_S (DECC_POCO_FINAL_DEADLINE_RATIO * 300)

static uint8_t g_sk[N_KEYS][32];
static decc_address g_addr[N_KEYS];
/* The enclave challenge key (the SMS makes one per TEE task and hands it
 * to the enclave; one fresh key here, the same on both chains) and a key
 * that is not it (forged enclave signature). */
static uint8_t g_enclave_sk[32], g_forger_sk[32];
static decc_address g_enclave;
static const char *g_workdir;
static decc_chain_addresses g_pc;
static int g_fail, g_ok;

static void check(int cond, const char *what) {
  printf("%s - %s\n", cond ? "ok" : "FAIL", what);
  if (cond)
    g_ok++;
  else
    g_fail++;
}

#define TRY(expr)                                                              \
  do {                                                                         \
    decc_status st_ = (expr);                                                  \
    if (st_ != DECC_OK) {                                                      \
      fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__, #expr,       \
              decc_status_name(st_), err.msg);                                 \
      return st_;                                                              \
    }                                                                          \
  } while (0)

/* What one run of the flow produced on one chain. */
typedef struct outcome {
  decc_address predicted[3], created[3]; /* app, dataset, workerpool */
  uint8_t domain[32];
  uint8_t deal_id[32], task_id[32];
  decc_buf deal, task; /* viewDeal / viewTask return data */
  decc_buf balances;   /* RLC balanceOf ×4 ‖ viewAccount ×2 */
  int dup_status;      /* duplicate createApp: receipt status */
  char dup_reason[DECC_ERR_LEN];
  size_t matched_logs; /* OrdersMatched logs found by eth_getLogs */
  /* viewAccount of PARTIES after initialize, after contributeAndFinalize,
   * after claim; 64 bytes (stake, locked) per party. */
  decc_buf acc[3];
  decc_buf hub_rlc;       /* RLC balanceOf(hub) at the end */
  int forged_refused;     /* forged enclave signature: reverted */
  int forged_task_active; /* … and the task stayed ACTIVE */
  decc_buf fin_logs;      /* contributeAndFinalize receipt logs */
  decc_buf task_done;     /* viewTask(task 0) after it */
  decc_buf contribution;  /* viewContribution(task 0, worker) */
  uint64_t ratio;         /* deal.schedulerRewardRatio */
  uint8_t task1_id[32];
  int early_claim_refused; /* claim before the final deadline */
  decc_buf claim_logs;     /* claim receipt logs */
  decc_buf task_failed;    /* viewTask(task 1) after claim */
} outcome;

/* Advances a chain's clock by `seconds` (time travel). */
typedef decc_status (*time_travel_fn)(void *ctx, int64_t seconds,
                                      decc_err *err);

/* The escrow accounts the payments touch, in snapshot order. */
enum { P_APP, P_DS, P_POOL, P_REQ, P_WORKER, P_KITTY, N_PARTIES };

static void outcome_init(outcome *o) {
  memset(o, 0, sizeof *o);
  decc_buf *b[] = {&o->deal,         &o->task,       &o->balances,
                   &o->acc[0],       &o->acc[1],     &o->acc[2],
                   &o->hub_rlc,      &o->fin_logs,   &o->task_done,
                   &o->contribution, &o->claim_logs, &o->task_failed};
  for (size_t i = 0; i < sizeof b / sizeof *b; i++)
    decc_buf_init(b[i], 0);
}

static void outcome_clear(outcome *o) {
  decc_buf *b[] = {&o->deal,         &o->task,       &o->balances,
                   &o->acc[0],       &o->acc[1],     &o->acc[2],
                   &o->hub_rlc,      &o->fin_logs,   &o->task_done,
                   &o->contribution, &o->claim_logs, &o->task_failed};
  for (size_t i = 0; i < sizeof b / sizeof *b; i++)
    decc_buf_clear(b[i]);
}

static void calldata(decc_abi_enc *e, const char *sig, decc_buf *out,
                     decc_status *st) {
  uint8_t sel[4];
  decc_abi_selector(sel, sig);
  decc_buf_reset(out);
  *st = decc_abi_enc_finish_call(e, sel, out);
}

/* Sends and requires success. */
static decc_status send_ok(decc_chain *c, int who, const decc_address *to,
                           const decc_buf *data, decc_receipt *r,
                           const char *what) {
  decc_err err;
  decc_status s =
      decc_chain_send(c, g_sk[who], to, data->data, data->len, r, &err);
  if (s != DECC_OK) {
    fprintf(stderr, "%s: %s: %s\n", decc_chain_backend(c), what, err.msg);
    return s;
  }
  if (r->status != 1) {
    fprintf(stderr, "%s: %s reverted: %s\n", decc_chain_backend(c), what,
            r->revert_reason ? r->revert_reason : "");
    decc_receipt_clear(r);
    return DECC_E_REVERT;
  }
  return DECC_OK;
}

/* The entry address minted by a registry in a receipt (ERC-721 Transfer,
 * tokenId = address). */
static int minted(const decc_receipt *r, const decc_address *registry,
                  decc_address *out) {
  uint8_t t0[32];
  decc_abi_event_topic(t0, "Transfer(address,address,uint256)");
  for (size_t i = 0; i < r->n_logs; i++) {
    const decc_log *lg = &r->logs[i];
    if (decc_address_eq(&lg->address, registry) && lg->n_topics == 4 &&
        !memcmp(lg->topics[0], t0, 32)) {
      memcpy(out->b, lg->topics[3] + 12, 20);
      return 1;
    }
  }
  return 0;
}

static void u(decc_u256 *v, uint64_t x) { *v = decc_u256_from_u64(x); }

static void push_order(decc_abi_enc *e, const decc_order *o) {
  if (decc_order_abi_push(e, o) != DECC_OK) {
    /* the encoder error is sticky: finish reports it */
  }
}

#define ORDER_APP                                                              \
  "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)"
#define ORDER_DATASET ORDER_APP
#define ORDER_WP                                                               \
  "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,"  \
  "bytes32,bytes)"
#define ORDER_REQ                                                              \
  "(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,"  \
  "uint256,uint256,address,address,string,bytes32,bytes)"

static decc_status app_args(decc_abi_enc *e) {
  static const uint8_t checksum[32] = {0x11, 0x22, 0x33};
  const char *image = "docker.io/decc/integration-app:1.0.0";
  decc_abi_enc_push_address(e, &g_addr[APP_OWNER]);
  decc_abi_enc_push_string(e, "decc-integration-app");
  decc_abi_enc_push_string(e, "DOCKER");
  decc_abi_enc_push_bytes(e, image, strlen(image));
  decc_abi_enc_push_bytes32(e, checksum);
  return decc_abi_enc_push_bytes(e, NULL, 0);
}

static decc_status run_flow_tee(decc_chain *c, outcome *o, time_travel_fn tt,
                                void *tt_ctx);

static decc_status run_flow(decc_chain *c, outcome *o, time_travel_fn tt,
                            void *tt_ctx) {
  decc_err err;
  decc_abi_enc e;
  decc_buf cd;
  decc_receipt r;
  decc_status s = DECC_OK;
  decc_err_clear(&err);
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&cd, 0);
  memset(&r, 0, sizeof r);

  /* 1. RLC to the requester and the scheduler, then deposits through
   *    approveAndCall (the SDK's path). */
  for (int who = SCHEDULER; who <= REQUESTER; who++) {
    decc_abi_enc_push_address(&e, &g_addr[who]);
    decc_abi_enc_push_u64(&e, FUNDING);
    calldata(&e, "transfer(address,uint256)", &cd, &s);
    TRY(s);
    TRY(send_ok(c, OWNER, &g_pc.token, &cd, &r, "RLC.transfer"));
    decc_receipt_clear(&r);
    decc_abi_enc_push_address(&e, &g_pc.hub);
    decc_abi_enc_push_u64(&e, DEPOSIT);
    decc_abi_enc_push_bytes(&e, NULL, 0);
    calldata(&e, "approveAndCall(address,uint256,bytes)", &cd, &s);
    TRY(s);
    TRY(send_ok(c, who, &g_pc.token, &cd, &r, "RLC.approveAndCall"));
    decc_receipt_clear(&r);
  }

  /* 2. App, dataset, workerpool: predict, create, read the minted id. */
  static const uint8_t dchecksum[32] = {0xd5, 0xd5};
  const char *dmaddr = "/ipfs/QmUFqDP1CmnLZQVjcs9cvUKXPyMTUnwTNcsDk2GSXUrwDA";
  for (int k = 0; k < 3; k++) {
    const decc_address *reg = k == 0   ? &g_pc.app_registry
                              : k == 1 ? &g_pc.dataset_registry
                                       : &g_pc.workerpool_registry;
    for (int pass = 0; pass < 2; pass++) { /* 0 = predict, 1 = create */
      if (k == 0) {
        TRY(app_args(&e));
      } else if (k == 1) {
        decc_abi_enc_push_address(&e, &g_addr[DATASET_OWNER]);
        decc_abi_enc_push_string(&e, "decc-integration-dataset");
        decc_abi_enc_push_bytes(&e, dmaddr, strlen(dmaddr));
        decc_abi_enc_push_bytes32(&e, dchecksum);
      } else {
        decc_abi_enc_push_address(&e, &g_addr[SCHEDULER]);
        decc_abi_enc_push_string(&e, "decc-integration-pool");
      }
      static const char *const sigs[3][2] = {
          {"predictApp(address,string,string,bytes,bytes32,bytes)",
           "createApp(address,string,string,bytes,bytes32,bytes)"},
          {"predictDataset(address,string,bytes,bytes32)",
           "createDataset(address,string,bytes,bytes32)"},
          {"predictWorkerpool(address,string)",
           "createWorkerpool(address,string)"}};
      calldata(&e, sigs[k][pass], &cd, &s);
      TRY(s);
      if (pass == 0) {
        decc_buf ret;
        decc_buf_init(&ret, 0);
        TRY(decc_chain_call(c, NULL, reg, cd.data, cd.len, &ret, &err));
        if (ret.len != 32) {
          decc_buf_clear(&ret);
          return DECC_E_PARSE;
        }
        memcpy(o->predicted[k].b, ret.data + 12, 20);
        decc_buf_clear(&ret);
      } else {
        int who = k == 0 ? APP_OWNER : k == 1 ? DATASET_OWNER : SCHEDULER;
        TRY(send_ok(c, who, reg, &cd, &r, sigs[k][1]));
        int found = minted(&r, reg, &o->created[k]);
        decc_receipt_clear(&r);
        if (!found)
          return DECC_E_NOT_FOUND;
      }
    }
  }

  /* 3. The same createApp again must revert (same CREATE2 address). */
  TRY(app_args(&e));
  calldata(&e, "createApp(address,string,string,bytes,bytes32,bytes)", &cd, &s);
  TRY(s);
  s = decc_chain_send(c, g_sk[APP_OWNER], &g_pc.app_registry, cd.data, cd.len,
                      &r, &err);
  if (s == DECC_OK) {
    o->dup_status = r.status;
    snprintf(o->dup_reason, sizeof o->dup_reason, "%s",
             r.revert_reason ? r.revert_reason : "");
    decc_receipt_clear(&r);
  } else if (s == DECC_E_REVERT) { /* JSON-RPC default: caught by estimate */
    o->dup_status = 0;
    const char *p = strstr(err.msg, "reverted: ");
    snprintf(o->dup_reason, sizeof o->dup_reason, "%s", p ? p + 10 : err.msg);
  } else {
    TRY(s);
  }

  /* 4. EIP-712 domain as the hub computes it. */
  uint8_t sel[4];
  decc_buf ret;
  decc_buf_init(&ret, 0);
  decc_abi_selector(sel, "eip712domain_separator()");
  TRY(decc_chain_call(c, NULL, &g_pc.hub, sel, 4, &ret, &err));
  if (ret.len != 32)
    return DECC_E_PARSE;
  memcpy(o->domain, ret.data, 32);
  decc_buf_reset(&ret);

  /* 5. Four orders signed by decc with the hub's domain, tagged "tee"
   *    (app, workerpool, request), volume 2; matchOrders. */
  uint8_t tee[32];
  TRY(decc_tag_parse(tee, "tee", &err));
  decc_order ao, dso, wo, ro;
  TRY(decc_order_init(&ao, DECC_ORDER_APP));
  TRY(decc_order_init(&dso, DECC_ORDER_DATASET));
  TRY(decc_order_init(&wo, DECC_ORDER_WORKERPOOL));
  TRY(decc_order_init(&ro, DECC_ORDER_REQUEST));
  ao.u.app.app = o->created[0];
  u(&ao.u.app.appprice, APP_PRICE);
  u(&ao.u.app.volume, VOLUME);
  memcpy(ao.u.app.tag, tee, 32);
  memset(ao.u.app.salt, 0xa1, 32);
  dso.u.dataset.dataset = o->created[1];
  u(&dso.u.dataset.datasetprice, DS_PRICE);
  u(&dso.u.dataset.volume, VOLUME);
  memset(dso.u.dataset.salt, 0xa2, 32);
  wo.u.workerpool.workerpool = o->created[2];
  u(&wo.u.workerpool.workerpoolprice, WP_PRICE);
  u(&wo.u.workerpool.volume, VOLUME);
  memcpy(wo.u.workerpool.tag, tee, 32);
  memset(wo.u.workerpool.salt, 0xa3, 32);
  decc_requestorder *q = &ro.u.request;
  q->app = o->created[0];
  u(&q->appmaxprice, APP_PRICE);
  q->dataset = o->created[1];
  u(&q->datasetmaxprice, DS_PRICE);
  q->workerpool = o->created[2];
  u(&q->workerpoolmaxprice, WP_PRICE);
  q->requester = g_addr[REQUESTER];
  q->beneficiary = g_addr[REQUESTER];
  memcpy(q->tag, tee, 32);
  u(&q->volume, VOLUME);
  decc_free(q->params);
  q->params = decc_strdup("{\"iexec_args\":\"hello anvil\"}");
  memset(q->salt, 0xa4, 32);
  if (!q->params)
    return DECC_E_NOMEM;
  TRY(decc_order_sign(&ao, g_sk[APP_OWNER], o->domain, 0));
  TRY(decc_order_sign(&dso, g_sk[DATASET_OWNER], o->domain, 0));
  TRY(decc_order_sign(&wo, g_sk[SCHEDULER], o->domain, 0));
  TRY(decc_order_sign(&ro, g_sk[REQUESTER], o->domain, 0));
  push_order(&e, &ao);
  push_order(&e, &dso);
  push_order(&e, &wo);
  push_order(&e, &ro);
  calldata(&e,
           "matchOrders(" ORDER_APP "," ORDER_DATASET "," ORDER_WP "," ORDER_REQ
           ")",
           &cd, &s);
  TRY(s);
  uint8_t req_hash[32];
  decc_order_hash(req_hash, &ro, o->domain);
  decc_order_clear(&ao);
  decc_order_clear(&dso);
  decc_order_clear(&wo);
  decc_order_clear(&ro);
  TRY(send_ok(c, REQUESTER, &g_pc.hub, &cd, &r, "matchOrders"));
  uint8_t t_matched[32], t_init[32];
  decc_abi_event_topic(
      t_matched,
      "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)");
  decc_abi_event_topic(t_init, "TaskInitialize(bytes32,address)");
  int got = 0;
  for (size_t i = 0; i < r.n_logs; i++)
    if (!memcmp(r.logs[i].topics[0], t_matched, 32) &&
        r.logs[i].data_len >= 32) {
      memcpy(o->deal_id, r.logs[i].data, 32);
      got = 1;
    }
  decc_receipt_clear(&r);
  if (!got)
    return DECC_E_NOT_FOUND;
  uint8_t expect[32];
  decc_u256 zero = decc_u256_from_u64(0);
  decc_deal_id(expect, req_hash, &zero);
  check(!memcmp(expect, o->deal_id, 32),
        "deal id from OrdersMatched = decc_deal_id(request hash, 0)");

  /* 6. The scheduler initializes task 0. */
  decc_abi_enc_push_bytes32(&e, o->deal_id);
  decc_abi_enc_push_u64(&e, 0);
  calldata(&e, "initialize(bytes32,uint256)", &cd, &s);
  TRY(s);
  TRY(send_ok(c, SCHEDULER, &g_pc.hub, &cd, &r, "initialize"));
  got = 0;
  for (size_t i = 0; i < r.n_logs; i++) {
    const decc_log *lg = &r.logs[i];
    if (lg->n_topics && !memcmp(lg->topics[0], t_init, 32)) {
      memcpy(o->task_id, lg->n_topics >= 2 ? lg->topics[1] : lg->data, 32);
      got = lg->n_topics >= 2 || lg->data_len >= 32;
    }
  }
  decc_receipt_clear(&r);
  if (!got)
    return DECC_E_NOT_FOUND;

  /* 7. Views and balances. */
  decc_abi_enc_push_bytes32(&e, o->deal_id);
  calldata(&e, "viewDeal(bytes32)", &cd, &s);
  TRY(s);
  TRY(decc_chain_call(c, NULL, &g_pc.hub, cd.data, cd.len, &o->deal, &err));
  decc_abi_enc_push_bytes32(&e, o->task_id);
  calldata(&e, "viewTask(bytes32)", &cd, &s);
  TRY(s);
  TRY(decc_chain_call(c, NULL, &g_pc.hub, cd.data, cd.len, &o->task, &err));
  const int holders[4] = {OWNER, SCHEDULER, REQUESTER, -1};
  for (int i = 0; i < 4; i++) {
    decc_abi_enc_push_address(&e,
                              holders[i] < 0 ? &g_pc.hub : &g_addr[holders[i]]);
    calldata(&e, "balanceOf(address)", &cd, &s);
    TRY(s);
    TRY(decc_chain_call(c, NULL, &g_pc.token, cd.data, cd.len, &o->balances,
                        &err));
  }
  for (int who = SCHEDULER; who <= REQUESTER; who++) {
    decc_abi_enc_push_address(&e, &g_addr[who]);
    calldata(&e, "viewAccount(address)", &cd, &s);
    TRY(s);
    TRY(decc_chain_call(c, NULL, &g_pc.hub, cd.data, cd.len, &o->balances,
                        &err));
  }

  /* 8. The match is visible through a log query as well. */
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &g_pc.hub;
  f.n_addresses = 1;
  f.topic_alts[0] = (const uint8_t(*)[32])t_matched;
  f.n_topic_alts[0] = 1;
  decc_log *logs;
  size_t n;
  TRY(decc_chain_get_logs(c, &f, &logs, &n, &err));
  o->matched_logs = 0;
  for (size_t i = 0; i < n; i++)
    if (logs[i].data_len >= 32 && !memcmp(logs[i].data, o->deal_id, 32))
      o->matched_logs++;
  decc_logs_free(logs, n);
  decc_buf_clear(&ret);
  decc_buf_clear(&cd);
  decc_abi_enc_clear(&e);
  return run_flow_tee(c, o, tt, tt_ctx);
}

/* Compares two decoded values, skipping top-level items listed in skip. */
static int same_value(const decc_abi_value *a, const decc_abi_value *b) {
  if (a->kind != b->kind || a->count != b->count || a->len != b->len)
    return 0;
  if (a->word && (!b->word || memcmp(a->word, b->word, 32)))
    return 0;
  if (a->len && memcmp(a->data, b->data, a->len))
    return 0;
  for (size_t i = 0; i < a->count; i++)
    if (!same_value(&a->items[i], &b->items[i]))
      return 0;
  return 1;
}

static uint64_t item_u64(const decc_abi_value *v, size_t i) {
  uint64_t x = 0;
  if (decc_abi_get_u64(decc_abi_item(v, i), &x) != DECC_OK)
    return UINT64_MAX;
  return x;
}

#define DEAL_T                                                                 \
  "((address,address,uint256),(address,address,uint256),(address,address,"     \
  "uint256),uint256,uint256,bytes32,address,address,address,string,uint256,"   \
  "uint256,uint256,uint256,uint256,address)"
#define TASK_T                                                                 \
  "(uint8,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32,uint256,"    \
  "uint256,address[],bytes32,bytes,uint256,bytes)"

/* ---- the TEE task to its end, and a claimed task ---------------------- */

/* Appends each log as address ‖ n_topics ‖ topics ‖ u32 data_len ‖ data:
 * equal bytes = equal logs (emitter, topics, data, order). */
static decc_status logs_append(decc_buf *out, const decc_log *lg, size_t n) {
  decc_status s = DECC_OK;
  for (size_t i = 0; i < n && !s; i++) {
    uint8_t hdr[4] = {(uint8_t)(lg[i].data_len >> 24),
                      (uint8_t)(lg[i].data_len >> 16),
                      (uint8_t)(lg[i].data_len >> 8), (uint8_t)lg[i].data_len};
    s = decc_buf_append(out, lg[i].address.b, 20);
    if (!s)
      s = decc_buf_append_byte(out, (uint8_t)lg[i].n_topics);
    if (!s)
      s = decc_buf_append(out, lg[i].topics, 32 * lg[i].n_topics);
    if (!s)
      s = decc_buf_append(out, hdr, 4);
    if (!s && lg[i].data_len)
      s = decc_buf_append(out, lg[i].data, lg[i].data_len);
  }
  return s;
}

/* Sends a call that must revert. Returns 1 when it reverted (refused by
 * gas estimation on JSON-RPC, or mined with status 0 on the embedded
 * ledger), 0 when it went through, -1 on any other error. */
static int send_reverts(decc_chain *c, int who, const decc_buf *cd,
                        const char *what) {
  decc_receipt r;
  decc_err err;
  memset(&r, 0, sizeof r);
  decc_err_clear(&err);
  decc_status s =
      decc_chain_send(c, g_sk[who], &g_pc.hub, cd->data, cd->len, &r, &err);
  if (s == DECC_E_REVERT)
    return 1;
  if (s != DECC_OK) {
    fprintf(stderr, "%s: %s: %s\n", decc_chain_backend(c), what, err.msg);
    return -1;
  }
  int rev = r.status == 0;
  decc_receipt_clear(&r);
  return rev;
}

/* eth_call of a one-argument hub view (bytes32 [, address]) into out. */
static decc_status hub_view(decc_chain *c, const char *sig,
                            const uint8_t id32[32], const decc_address *a,
                            decc_buf *out, decc_err *err) {
  decc_abi_enc e;
  decc_buf cd;
  decc_status s;
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&cd, 0);
  if (id32)
    decc_abi_enc_push_bytes32(&e, id32);
  if (a)
    decc_abi_enc_push_address(&e, a);
  calldata(&e, sig, &cd, &s);
  if (!s)
    s = decc_chain_call(c, NULL, &g_pc.hub, cd.data, cd.len, out, err);
  decc_buf_clear(&cd);
  decc_abi_enc_clear(&e);
  return s;
}

/* Status field of viewTask (first word), or -1. */
static int task_status(decc_chain *c, const uint8_t task32[32]) {
  decc_buf b;
  decc_err err;
  decc_buf_init(&b, 0);
  int st = -1;
  /* viewTask returns a dynamic tuple: offset word, then the status. */
  if (hub_view(c, "viewTask(bytes32)", task32, NULL, &b, &err) == DECC_OK &&
      b.len >= 64)
    st = b.data[63];
  decc_buf_clear(&b);
  return st;
}

/* viewAccount (stake, locked) of every party, appended to out. */
static decc_status snapshot(decc_chain *c, decc_buf *out, decc_err *err) {
  decc_address kitty;
  decc_poco_kitty_address(&kitty);
  const decc_address *who[N_PARTIES] = {
      &g_addr[APP_OWNER], &g_addr[DATASET_OWNER], &g_addr[SCHEDULER],
      &g_addr[REQUESTER], &g_addr[WORKER],        &kitty};
  for (int i = 0; i < N_PARTIES; i++) {
    size_t before = out->len;
    decc_status s = hub_view(c, "viewAccount(address)", NULL, who[i], out, err);
    if (s)
      return s;
    if (out->len - before != 64)
      return decc_err_set(err, DECC_E_PARSE, "viewAccount: %zu bytes",
                          out->len - before);
  }
  return DECC_OK;
}

/* One word of a snapshot as u64 (UINT64_MAX if it does not fit). */
static uint64_t acc(const decc_buf *b, int party, int locked) {
  size_t off = (size_t)party * 64 + (locked ? 32 : 0);
  if (b->len < off + 32)
    return UINT64_MAX;
  for (size_t i = 0; i < 24; i++)
    if (b->data[off + i])
      return UINT64_MAX;
  uint64_t v = 0;
  for (size_t i = 24; i < 32; i++)
    v = v << 8 | b->data[off + i];
  return v;
}

static decc_status run_flow_tee(decc_chain *c, outcome *o, time_travel_fn tt,
                                void *tt_ctx) {
  decc_err err;
  decc_abi_enc e;
  decc_buf cd;
  decc_receipt r;
  decc_status s = DECC_OK;
  decc_err_clear(&err);
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&cd, 0);
  memset(&r, 0, sizeof r);

  /* 9. Escrow after initialize; the deal's scheduler reward ratio. */
  TRY(snapshot(c, &o->acc[0], &err));
  decc_abi_value *dv = NULL;
  TRY(decc_abi_decode(&dv, DEAL_T, o->deal.data, o->deal.len, 0, &err));
  o->ratio = item_u64(decc_abi_item(dv, 0), 14);
  decc_abi_value_free(dv);

  /* 10. Task 0: the enclave's result, digest as decc's enclave computes
   *     it, signatures as decc's enclave runtime and scheduler make them. */
  char path[4300];
  snprintf(path, sizeof path, "%s/result-%s.txt", g_workdir,
           decc_chain_backend(c));
  FILE *f = fopen(path, "wb");
  if (!f || fputs("hello anvil, from the enclave\n", f) < 0 || fclose(f)) {
    fprintf(stderr, "cannot write %s\n", path);
    return DECC_E_IO;
  }
  uint8_t digest[32], rh[32], rs[32], msg[32], esig[65], forged[65], auth[65];
  TRY(decc_enclave_result_digest(digest, path, &err));
  const char *results =
      "{ \"storage\": \"ipfs\", \"location\": "
      "\"/ipfs/QmUFqDP1CmnLZQVjcs9cvUKXPyMTUnwTNcsDk2GSXUrwDA\" }";
  decc_poco_result_hash(rh, o->task_id, digest);
  decc_poco_result_seal(rs, &g_addr[WORKER], o->task_id, digest);
  decc_poco_enclave_message(msg, rh, rs);
  TRY(decc_eip191_sign(esig, g_enclave_sk, msg, 32));
  TRY(decc_eip191_sign(forged, g_forger_sk, msg, 32));
  decc_poco_authorization_message(msg, &g_addr[WORKER], o->task_id, &g_enclave);
  TRY(decc_eip191_sign(auth, g_sk[SCHEDULER], msg, 32));
  for (int pass = 0; pass < 2; pass++) { /* 0: forged enclave signature */
    decc_abi_enc_push_bytes32(&e, o->task_id);
    decc_abi_enc_push_bytes32(&e, digest);
    decc_abi_enc_push_bytes(&e, results, strlen(results));
    decc_abi_enc_push_bytes(&e, NULL, 0);
    decc_abi_enc_push_address(&e, &g_enclave);
    decc_abi_enc_push_bytes(&e, pass ? esig : forged, 65);
    decc_abi_enc_push_bytes(&e, auth, 65);
    calldata(&e,
             "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,"
             "bytes)",
             &cd, &s);
    TRY(s);
    if (pass == 0) {
      int rv = send_reverts(c, WORKER, &cd, "forged contributeAndFinalize");
      if (rv < 0)
        return DECC_E_IO;
      o->forged_refused = rv == 1;
      o->forged_task_active = task_status(c, o->task_id) == DECC_TASK_ACTIVE;
    } else {
      TRY(send_ok(c, WORKER, &g_pc.hub, &cd, &r, "contributeAndFinalize"));
      s = logs_append(&o->fin_logs, r.logs, r.n_logs);
      decc_receipt_clear(&r);
      TRY(s);
    }
  }
  TRY(hub_view(c, "viewTask(bytes32)", o->task_id, NULL, &o->task_done, &err));
  TRY(hub_view(c, "viewContribution(bytes32,address)", o->task_id,
               &g_addr[WORKER], &o->contribution, &err));
  TRY(snapshot(c, &o->acc[1], &err));

  /* 11. Task 1 misses its deadline: initialize, claim refused, time
   *     travel past the final deadline, claim. */
  uint8_t t_init[32];
  decc_abi_event_topic(t_init, "TaskInitialize(bytes32,address)");
  decc_abi_enc_push_bytes32(&e, o->deal_id);
  decc_abi_enc_push_u64(&e, 1);
  calldata(&e, "initialize(bytes32,uint256)", &cd, &s);
  TRY(s);
  TRY(send_ok(c, SCHEDULER, &g_pc.hub, &cd, &r, "initialize(deal, 1)"));
  int got = 0;
  for (size_t i = 0; i < r.n_logs; i++)
    if (r.logs[i].n_topics >= 2 && !memcmp(r.logs[i].topics[0], t_init, 32)) {
      memcpy(o->task1_id, r.logs[i].topics[1], 32);
      got = 1;
    }
  decc_receipt_clear(&r);
  if (!got)
    return DECC_E_NOT_FOUND;
  decc_abi_enc_push_bytes32(&e, o->task1_id);
  calldata(&e, "claim(bytes32)", &cd, &s);
  TRY(s);
  int rv = send_reverts(c, REQUESTER, &cd, "early claim");
  if (rv < 0)
    return DECC_E_IO;
  o->early_claim_refused = rv == 1;
  TRY(tt(tt_ctx, FINAL_DEADLINE_S + 1, &err));
  TRY(send_ok(c, REQUESTER, &g_pc.hub, &cd, &r, "claim"));
  s = logs_append(&o->claim_logs, r.logs, r.n_logs);
  decc_receipt_clear(&r);
  TRY(s);
  TRY(hub_view(c, "viewTask(bytes32)", o->task1_id, NULL, &o->task_failed,
               &err));
  TRY(snapshot(c, &o->acc[2], &err));
  decc_abi_enc_push_address(&e, &g_pc.hub);
  calldata(&e, "balanceOf(address)", &cd, &s);
  TRY(s);
  TRY(decc_chain_call(c, NULL, &g_pc.token, cd.data, cd.len, &o->hub_rlc,
                      &err));
  decc_buf_clear(&cd);
  decc_abi_enc_clear(&e);
  return DECC_OK;
}

/* Two viewTask answers equal in every field but the three deadlines
 * (contribution, reveal, final: each chain's clock — contributeAndFinalize
 * sets the reveal deadline from the block time), with status `want`. */
static int same_task(const decc_buf *x, const decc_buf *y, uint64_t want) {
  decc_abi_value *t[2] = {0};
  decc_err err;
  int same =
      decc_abi_decode(&t[0], TASK_T, x->data, x->len, 0, &err) == DECC_OK &&
      decc_abi_decode(&t[1], TASK_T, y->data, y->len, 0, &err) == DECC_OK;
  if (same) {
    const decc_abi_value *a = decc_abi_item(t[0], 0),
                         *b = decc_abi_item(t[1], 0);
    same = a->count == 15 && b->count == 15 && item_u64(a, 0) == want;
    for (size_t i = 0; same && i < 15; i++)
      if (i < 4 || i > 6)
        same = same_value(&a->items[i], &b->items[i]);
  }
  decc_abi_value_free(t[0]);
  decc_abi_value_free(t[1]);
  return same;
}

/* PoCo's payment rules on one chain's snapshots, to the nRLC:
 * contributeAndFinalize (distributeRewardsFast: app and dataset owners
 * paid their price, the worker the pool price × (100 − ratio) %, the pool
 * owner the rest, its stake for the task unlocked, the requester's lock
 * spent) and claim (failedWork: the requester refunded, the pool's stake
 * for the task seized and frozen in the kitty). */
static void check_payments(const outcome *o, const char *name) {
  const decc_buf *a0 = &o->acc[0], *a1 = &o->acc[1], *a2 = &o->acc[2];
  uint64_t wpay = WP_PRICE * (100 - o->ratio) / 100;
  char line[200];
#define PAY(cond, ...)                                                         \
  do {                                                                         \
    snprintf(line, sizeof line, __VA_ARGS__);                                  \
    check(cond, line);                                                         \
  } while (0)
  PAY(o->ratio <= 100 && acc(a0, P_REQ, 1) == VOLUME * TASK_PRICE &&
          acc(a0, P_POOL, 1) == VOLUME * POOL_STAKE,
      "%s: after matchOrders, requester locked %llu and pool stake %llu "
      "nRLC",
      name, VOLUME * TASK_PRICE, VOLUME * POOL_STAKE);
  PAY(acc(a1, P_APP, 0) == acc(a0, P_APP, 0) + APP_PRICE &&
          acc(a1, P_DS, 0) == acc(a0, P_DS, 0) + DS_PRICE,
      "%s: app owner +%llu, dataset owner +%llu nRLC", name, APP_PRICE,
      DS_PRICE);
  PAY(acc(a1, P_WORKER, 0) == acc(a0, P_WORKER, 0) + wpay &&
          acc(a1, P_WORKER, 1) == 0,
      "%s: worker +%llu nRLC (ratio %llu %%), no stake", name,
      (unsigned long long)wpay, (unsigned long long)o->ratio);
  PAY(acc(a1, P_POOL, 0) ==
              acc(a0, P_POOL, 0) + POOL_STAKE + (WP_PRICE - wpay) &&
          acc(a1, P_POOL, 1) == acc(a0, P_POOL, 1) - POOL_STAKE,
      "%s: pool owner +%llu nRLC reward, its %llu stake unlocked", name,
      (unsigned long long)(WP_PRICE - wpay), POOL_STAKE);
  PAY(acc(a1, P_REQ, 0) == acc(a0, P_REQ, 0) &&
          acc(a1, P_REQ, 1) == acc(a0, P_REQ, 1) - TASK_PRICE,
      "%s: requester's lock for task 0 (%llu nRLC) spent", name, TASK_PRICE);
  PAY(acc(a2, P_REQ, 0) == acc(a1, P_REQ, 0) + TASK_PRICE &&
          acc(a2, P_REQ, 1) == 0,
      "%s: claim refunds the requester %llu nRLC", name, TASK_PRICE);
  PAY(acc(a2, P_POOL, 0) == acc(a1, P_POOL, 0) && acc(a2, P_POOL, 1) == 0 &&
          acc(a2, P_KITTY, 1) == acc(a1, P_KITTY, 1) + POOL_STAKE,
      "%s: claim seizes the pool's %llu nRLC stake into the kitty", name,
      POOL_STAKE);
#undef PAY
}

/* Advances anvil's clock: evm_increaseTime then evm_mine (a new block
 * carries the new time). ctx: the RPC URL. */
static decc_status anvil_rpc(const char *url, const char *method,
                             const char *params, decc_err *err) {
  char body[256];
  snprintf(body, sizeof body,
           "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}",
           method, params);
  const char *const headers[] = {"Content-Type: application/json", NULL};
  decc_http_reply rep;
  decc_status s = decc_http_fetch(&rep, "POST", url, headers, body,
                                  strlen(body), 65536, 10000, err);
  if (!s && (rep.status != 200 || !rep.body.data ||
             !strstr((const char *)rep.body.data, "\"result\"")))
    s = decc_err_set(err, DECC_E_IO, "%s at %s: HTTP %ld: %.120s", method, url,
                     rep.status,
                     rep.body.data ? (const char *)rep.body.data : "");
  decc_buf_clear(&rep.body);
  return s;
}

static decc_status anvil_time_travel(void *ctx, int64_t seconds,
                                     decc_err *err) {
  char p[32];
  snprintf(p, sizeof p, "[%lld]", (long long)seconds);
  decc_status s = anvil_rpc(ctx, "evm_increaseTime", p, err);
  return s ? s : anvil_rpc(ctx, "evm_mine", "[]", err);
}

/* The embedded ledger's evm_increaseTime. ctx: the ledger path. */
static decc_status ledger_time_travel(void *ctx, int64_t seconds,
                                      decc_err *err) {
  decc_ledger *l = NULL;
  decc_status s = decc_ledger_open(&l, ctx, err);
  if (!s)
    s = decc_ledger_time_increase(l, seconds, NULL, err);
  decc_ledger_close(l);
  return s;
}

static void compare_views(const outcome *x, const outcome *y) {
  decc_abi_value *d[2] = {0}, *t[2] = {0};
  const outcome *o[2] = {x, y};
  decc_err err;
  for (int i = 0; i < 2; i++) {
    if (decc_abi_decode(&d[i], DEAL_T, o[i]->deal.data, o[i]->deal.len, 0,
                        &err) != DECC_OK ||
        decc_abi_decode(&t[i], TASK_T, o[i]->task.data, o[i]->task.len, 0,
                        &err) != DECC_OK) {
      check(0, "viewDeal / viewTask decode");
      fprintf(stderr, "decode: %s\n", err.msg);
      goto done;
    }
  }
  const decc_abi_value *da = decc_abi_item(d[0], 0),
                       *db = decc_abi_item(d[1], 0);
  const decc_abi_value *ta = decc_abi_item(t[0], 0),
                       *tb = decc_abi_item(t[1], 0);
  /* Deal: every field but startTime (10), which is each chain's clock. */
  int same = da->count == 16 && db->count == 16;
  for (size_t i = 0; same && i < 16; i++)
    if (i != 10)
      same = same_value(&da->items[i], &db->items[i]);
  check(same, "viewDeal equal (all fields but startTime)");
  /* Task: every field but the two deadlines, whose offsets from the
   * deal's start must be equal instead. */
  same = ta->count == 15 && tb->count == 15;
  for (size_t i = 0; same && i < 15; i++)
    if (i != 4 && i != 6)
      same = same_value(&ta->items[i], &tb->items[i]);
  check(same, "viewTask equal (all fields but deadlines)");
  uint64_t sa = item_u64(da, 10), sb = item_u64(db, 10);
  check(item_u64(ta, 4) - sa == item_u64(tb, 4) - sb &&
            item_u64(ta, 6) - sa == item_u64(tb, 6) - sb,
        "task deadlines relative to the deal start equal");
  check(item_u64(ta, 0) == 1, "task status ACTIVE");
done:
  for (int i = 0; i < 2; i++) {
    decc_abi_value_free(d[i]);
    decc_abi_value_free(t[i]);
  }
}

static int parse_addr(decc_address *a, const char *s) {
  return decc_address_parse(a, s, NULL) == DECC_OK;
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr,
            "usage: %s <rpc-url> <hub> <appRegistry> "
            "<datasetRegistry> <workerpoolRegistry> <rlc> <workdir>\n",
            argv[0]);
    return 2;
  }
  memset(&g_pc, 0, sizeof g_pc);
  if (!parse_addr(&g_pc.hub, argv[2]) ||
      !parse_addr(&g_pc.app_registry, argv[3]) ||
      !parse_addr(&g_pc.dataset_registry, argv[4]) ||
      !parse_addr(&g_pc.workerpool_registry, argv[5]) ||
      !parse_addr(&g_pc.token, argv[6])) {
    fprintf(stderr, "bad address argument\n");
    return 2;
  }
  decc_err err;
  for (int i = 0; i < N_KEYS; i++)
    if (decc_hex_decode_exact(g_sk[i], 32, DEV_KEYS[i], "key", &err) !=
            DECC_OK ||
        decc_address_from_privkey(&g_addr[i], g_sk[i]) != DECC_OK)
      return 1;
  if (decc_privkey_generate(g_enclave_sk) != DECC_OK ||
      decc_privkey_generate(g_forger_sk) != DECC_OK ||
      decc_address_from_privkey(&g_enclave, g_enclave_sk) != DECC_OK)
    return 1;
  g_workdir = argv[7];

  /* anvil through the JSON-RPC backend (anvil mines each tx at once). */
  decc_chain *rpc = NULL;
  decc_chain_jsonrpc_opts opts;
  memset(&opts, 0, sizeof opts);
  opts.poll_ms = 20;
  opts.receipt_timeout_ms = 30000;
  if (decc_chain_open_jsonrpc_ex(&rpc, argv[1], &g_pc, &opts, &err) !=
      DECC_OK) {
    fprintf(stderr, "open jsonrpc: %s\n", err.msg);
    return 1;
  }
  uint64_t cid = 0;
  if (decc_chain_id(rpc, &cid, &err) != DECC_OK) {
    fprintf(stderr, "chain id: %s\n", err.msg);
    return 1;
  }
  /* The embedded ledger at anvil's addresses, with the owner holding the
   * same RLC supply as on anvil. */
  uint8_t sel[4];
  decc_abi_enc e;
  decc_buf cd, ret;
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&cd, 0);
  decc_buf_init(&ret, 0);
  decc_abi_enc_push_address(&e, &g_addr[OWNER]);
  decc_abi_selector(sel, "balanceOf(address)");
  decc_u256 supply;
  if (decc_abi_enc_finish_call(&e, sel, &cd) != DECC_OK ||
      decc_chain_call(rpc, NULL, &g_pc.token, cd.data, cd.len, &ret, &err) !=
          DECC_OK ||
      ret.len != 32) {
    fprintf(stderr, "RLC balance: %s\n", err.msg);
    return 1;
  }
  decc_u256_from_be(&supply, ret.data);
  decc_genesis g;
  if (decc_genesis_default(&g) != DECC_OK)
    return 1;
  g.chain_id = cid;
  g.addr.hub = g_pc.hub;
  g.addr.app_registry = g_pc.app_registry;
  g.addr.dataset_registry = g_pc.dataset_registry;
  g.addr.workerpool_registry = g_pc.workerpool_registry;
  g.addr.token = g_pc.token;
  g.owner = g_addr[OWNER];
  g.dev_accounts = 0;
  decc_free(g.accounts);
  g.accounts = decc_calloc(1, sizeof *g.accounts);
  if (!g.accounts)
    return 1;
  g.n_accounts = 1;
  g.accounts[0].address = g_addr[OWNER];
  g.accounts[0].rlc = supply;
  char path[4096];
  snprintf(path, sizeof path, "%s/ledger.db", argv[7]);
  decc_chain *emb = NULL;
  if (decc_ledger_init(path, &g, &err) != DECC_OK ||
      decc_chain_open_embedded(&emb, path, &err) != DECC_OK) {
    fprintf(stderr, "embedded ledger: %s\n", err.msg);
    return 1;
  }
  decc_genesis_clear(&g);

  outcome oe, oa;
  outcome_init(&oe);
  outcome_init(&oa);
  printf("# embedded ledger\n");
  check(run_flow(emb, &oe, ledger_time_travel, path) == DECC_OK,
        "embedded: flow ran to the end");
  printf("# anvil (JSON-RPC backend)\n");
  check(run_flow(rpc, &oa, anvil_time_travel, argv[1]) == DECC_OK,
        "anvil: flow ran to the end");
  printf("# comparison\n");
  const char *what[3] = {"app", "dataset", "workerpool"};
  char line[128];
  for (int k = 0; k < 3; k++) {
    char h[43];
    snprintf(line, sizeof line,
             "%s CREATE2 address %s: anvil = embedded "
             "prediction",
             what[k], decc_address_to_checksum(h, &oa.created[k]));
    check(decc_address_eq(&oa.created[k], &oe.predicted[k]), line);
    snprintf(line, sizeof line,
             "%s: embedded created = its prediction = "
             "anvil's prediction",
             what[k]);
    check(decc_address_eq(&oe.created[k], &oe.predicted[k]) &&
              decc_address_eq(&oa.predicted[k], &oe.predicted[k]),
          line);
  }
  uint8_t dom[32];
  decc_poco_domain_separator(dom, cid, &g_pc.hub);
  check(!memcmp(oa.domain, dom, 32) && !memcmp(oe.domain, dom, 32),
        "EIP-712 domain separator: anvil hub = embedded hub = decc");
  check(!memcmp(oa.deal_id, oe.deal_id, 32), "deal id equal");
  uint8_t tid[32];
  decc_u256 idx0 = decc_u256_from_u64(0);
  decc_task_id(tid, oa.deal_id, &idx0);
  check(!memcmp(oa.task_id, oe.task_id, 32) && !memcmp(oa.task_id, tid, 32),
        "task id equal (and = decc_task_id(deal, 0))");
  compare_views(&oe, &oa);
  check(oe.balances.len == 4 * 32 + 2 * 64 &&
            oa.balances.len == oe.balances.len &&
            !memcmp(oa.balances.data, oe.balances.data, oe.balances.len),
        "RLC balances (owner, scheduler, requester, hub) and escrow "
        "accounts equal");
  check(oa.dup_status == 0 && oe.dup_status == 0,
        "duplicate createApp reverts on both");
  printf("#   revert reason: anvil \"%s\" / embedded \"%s\"\n", oa.dup_reason,
         oe.dup_reason);
  check(strcmp(oa.dup_reason, oe.dup_reason) == 0,
        "duplicate createApp: same revert reason");
  check(oa.matched_logs == 1 && oe.matched_logs == 1,
        "eth_getLogs finds the OrdersMatched log");
  printf("# TEE task 0: contributeAndFinalize with decc's enclave signature\n");
  check(oa.forged_refused && oe.forged_refused && oa.forged_task_active &&
            oe.forged_task_active,
        "forged enclave signature: contributeAndFinalize refused on both, "
        "task still ACTIVE");
  check(oa.fin_logs.len > 0 && oa.fin_logs.len == oe.fin_logs.len &&
            !memcmp(oa.fin_logs.data, oe.fin_logs.data, oa.fin_logs.len),
        "contributeAndFinalize accepted by both: identical logs (emitters, "
        "topics, data, order)");
  check(same_task(&oa.task_done, &oe.task_done, DECC_TASK_COMPLETED),
        "task 0 COMPLETED on both, viewTask equal (all but deadlines)");
  check(oa.contribution.len > 0 && oa.contribution.len == oe.contribution.len &&
            !memcmp(oa.contribution.data, oe.contribution.data,
                    oa.contribution.len),
        "viewContribution(task 0, worker) equal (enclave challenge, hash, "
        "seal)");
  for (int k = 0; k < 3; k++) {
    static const char *const when[3] = {
        "after initialize", "after contributeAndFinalize", "after claim"};
    snprintf(line, sizeof line,
             "escrow of app/dataset/pool owners, requester, worker, kitty "
             "%s: anvil = embedded to the nRLC",
             when[k]);
    check(oa.acc[k].len == 64 * N_PARTIES && oa.acc[k].len == oe.acc[k].len &&
              !memcmp(oa.acc[k].data, oe.acc[k].data, oa.acc[k].len),
          line);
  }
  check_payments(&oe, "embedded");
  check_payments(&oa, "anvil");
  printf("# task 1: deadline missed, anvil's time travel, claim\n");
  uint8_t tid1[32];
  decc_u256 idx1 = decc_u256_from_u64(1);
  decc_task_id(tid1, oa.deal_id, &idx1);
  check(!memcmp(oa.task1_id, tid1, 32) && !memcmp(oe.task1_id, tid1, 32),
        "task 1 id equal (and = decc_task_id(deal, 1))");
  check(oa.early_claim_refused && oe.early_claim_refused,
        "claim before the final deadline refused on both");
  check(oa.claim_logs.len > 0 && oa.claim_logs.len == oe.claim_logs.len &&
            !memcmp(oa.claim_logs.data, oe.claim_logs.data, oa.claim_logs.len),
        "claim after the deadline accepted by both: identical logs");
  check(same_task(&oa.task_failed, &oe.task_failed, DECC_TASK_FAILED),
        "task 1 FAILED on both, viewTask equal (all but deadlines)");
  check(oa.hub_rlc.len == 32 && oe.hub_rlc.len == 32 &&
            !memcmp(oa.hub_rlc.data, oe.hub_rlc.data, 32),
        "RLC held by the hub equal at the end");
  /* A reverted transaction actually mined on anvil (submit_reverting):
   * status 0, nonce consumed, reason recovered by replaying the call. */
  decc_chain *rpc2 = NULL;
  opts.submit_reverting = 1;
  opts.gas_cap = 2000000;
  decc_abi_enc_push_address(&e, &g_addr[APP_OWNER]);
  decc_abi_enc_push_string(&e, "decc-integration-app");
  decc_abi_enc_push_string(&e, "DOCKER");
  decc_abi_enc_push_bytes(&e, "docker.io/decc/integration-app:1.0.0", 36);
  static const uint8_t cks[32] = {0x11, 0x22, 0x33};
  decc_abi_enc_push_bytes32(&e, cks);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_abi_selector(sel,
                    "createApp(address,string,string,bytes,bytes32,bytes)");
  decc_buf_reset(&cd);
  uint64_t n0 = 0, n1 = 0;
  decc_receipt rr;
  memset(&rr, 0, sizeof rr);
  int mined_ok =
      decc_abi_enc_finish_call(&e, sel, &cd) == DECC_OK &&
      decc_chain_open_jsonrpc_ex(&rpc2, argv[1], &g_pc, &opts, &err) ==
          DECC_OK &&
      decc_chain_nonce(rpc2, &g_addr[APP_OWNER], &n0, &err) == DECC_OK &&
      decc_chain_send(rpc2, g_sk[APP_OWNER], &g_pc.app_registry, cd.data,
                      cd.len, &rr, &err) == DECC_OK &&
      decc_chain_nonce(rpc2, &g_addr[APP_OWNER], &n1, &err) == DECC_OK;
  if (!mined_ok)
    fprintf(stderr, "mined revert: %s\n", err.msg);
  check(mined_ok && rr.status == 0 && rr.revert_reason &&
            !strcmp(rr.revert_reason, oe.dup_reason) && n1 == n0 + 1 &&
            rr.nonce == n0 && rr.n_logs == 0,
        "mined reverted tx on anvil: status 0, nonce used, reason replayed");
  if (rr.revert_reason)
    printf("#   replayed reason: \"%s\"\n", rr.revert_reason);
  /* The receipt fetched again by hash decodes the same. */
  decc_receipt rb;
  memset(&rb, 0, sizeof rb);
  check(mined_ok &&
            decc_chain_receipt(rpc2, rr.tx_hash, &rb, &err) == DECC_OK &&
            rb.status == 0 && rb.nonce == rr.nonce &&
            rb.block_number == rr.block_number &&
            !memcmp(rb.block_hash, rr.block_hash, 32) && rb.revert_reason &&
            !strcmp(rb.revert_reason, rr.revert_reason),
        "receipt by hash = receipt from send");
  decc_receipt_clear(&rb);
  decc_receipt_clear(&rr);
  decc_chain_destroy(rpc2);
  /* One raw transaction signed by decc (a fresh account, nonce 0 on both
   * chains: anvil's account 5) submitted to both with send_raw: same hash,
   * both succeed, identical Approval log. */
  {
    static const char *const K5 =
        "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
    uint8_t sk5[32];
    decc_address a5;
    decc_tx tx;
    decc_buf raw;
    decc_receipt ra, re;
    memset(&ra, 0, sizeof ra);
    memset(&re, 0, sizeof re);
    decc_buf_init(&raw, 0);
    decc_tx_init(&tx);
    decc_abi_enc_push_address(&e, &g_pc.hub);
    decc_abi_enc_push_u64(&e, 7);
    decc_abi_selector(sel, "approve(address,uint256)");
    decc_buf_reset(&cd);
    tx.type = DECC_TX_EIP1559;
    tx.chain_id = cid;
    tx.nonce = 0;
    tx.gas_limit = 100000;
    tx.max_fee = decc_u256_from_u64(10000000000ull);
    tx.max_priority_fee = decc_u256_from_u64(1000000000ull);
    tx.has_to = 1;
    tx.to = g_pc.token;
    int ok = decc_hex_decode_exact(sk5, 32, K5, "key", &err) == DECC_OK &&
             decc_address_from_privkey(&a5, sk5) == DECC_OK &&
             decc_abi_enc_finish_call(&e, sel, &cd) == DECC_OK &&
             decc_tx_set_data(&tx, cd.data, cd.len) == DECC_OK &&
             decc_tx_sign(&tx, sk5, &err) == DECC_OK &&
             decc_tx_serialize(&raw, &tx, &err) == DECC_OK;
    const uint8_t *rp = raw.data;
    size_t rl = raw.len;
    int sent =
        ok && decc_chain_send_raw(rpc, &rp, &rl, 1, &ra, &err) == DECC_OK;
    if (!sent)
      fprintf(stderr, "send_raw anvil: %s\n", err.msg);
    int sent_e =
        ok && decc_chain_send_raw(emb, &rp, &rl, 1, &re, &err) == DECC_OK;
    if (!sent_e)
      fprintf(stderr, "send_raw embedded: %s\n", err.msg);
    check(sent && sent_e && !memcmp(ra.tx_hash, re.tx_hash, 32) &&
              ra.status == 1 && re.status == 1 &&
              decc_address_eq(&ra.from, &a5) && decc_address_eq(&re.from, &a5),
          "send_raw: same decc-signed bytes accepted by both, same hash");
    int same_log =
        sent && sent_e && ra.n_logs == 1 && re.n_logs == 1 &&
        decc_address_eq(&ra.logs[0].address, &re.logs[0].address) &&
        ra.logs[0].n_topics == re.logs[0].n_topics &&
        !memcmp(ra.logs[0].topics, re.logs[0].topics,
                sizeof ra.logs[0].topics) &&
        ra.logs[0].data_len == re.logs[0].data_len &&
        !memcmp(ra.logs[0].data, re.logs[0].data, ra.logs[0].data_len);
    check(same_log, "send_raw: identical Approval log on both");
    decc_receipt_clear(&ra);
    decc_receipt_clear(&re);
    decc_tx_clear(&tx);
    decc_buf_clear(&raw);
    decc_memzero(sk5, sizeof sk5);
  }
  uint64_t ts = 0, head = 0;
  int64_t later = (int64_t)time(NULL) + FINAL_DEADLINE_S;
  check(decc_chain_block_timestamp(rpc, &ts, &err) == DECC_OK &&
            decc_chain_block_number(rpc, &head, &err) == DECC_OK && head > 20 &&
            (int64_t)ts > later - 600 && (int64_t)ts < later + 600,
        "anvil head block number, timestamp = now + the time travelled");
  printf("%d passed, %d failed\n", g_ok, g_fail);
  outcome_clear(&oe);
  outcome_clear(&oa);
  decc_memzero(g_enclave_sk, 32);
  decc_memzero(g_forger_sk, 32);
  decc_buf_clear(&cd);
  decc_buf_clear(&ret);
  decc_abi_enc_clear(&e);
  decc_chain_destroy(emb);
  decc_chain_destroy(rpc);
  return g_fail ? 1 : 0;
}
