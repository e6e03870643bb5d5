/*
 * decc/poco.h — PoCo's on-chain rules (iExec PoCo 6.1.0) as pure functions.
 *
 * This is the rule book of the embedded ledger: matchOrders and its helper
 * views, order management (presign / close), the task state machine
 * (initialize, contribute, reveal, reopen, finalize, contributeAndFinalize,
 * claim), the escrow (lock / unlock / seize / reward, the kitty) and the
 * events, with PoCo's order of checks, revert reasons, rounding and logs.
 *
 * Model. A rule function never touches storage. It reads what it needs
 * through a decc_poco_world (a table of read-only callbacks over the
 * current state, supplied by the caller) and the records passed in (deal,
 * task), and returns every change in a decc_poco_effects: the new deal /
 * task records, consumed / presigned / score writes, the escrow moves, the
 * final value of every account those moves touched, and the logs in
 * emission order. The caller applies all of it, or — when the call reverts
 * — none of it. Calling the same function on the same state always gives
 * the same answer.
 *
 * Return convention of the rule functions:
 *   DECC_OK       the transaction succeeds; *fx holds its effects.
 *   DECC_E_REVERT the transaction reverts; fx->revert says how (a reason
 *                 string exactly as PoCo's require, an empty revert, or a
 *                 Solidity panic code) and every other field of *fx is
 *                 empty. err (if given) carries the same text.
 *   other         a world callback failed (its status is passed through),
 *                 DECC_E_NOMEM, DECC_E_INVALID (a NULL required argument,
 *                 reported as misuse — see below — or orders of the wrong
 *                 type) or DECC_E_LIMIT (an input above the limits below).
 *
 * Several PoCo calls in one transaction (initializeArray, claimArray, …):
 * call the rule function once per item and make the effects of one item
 * visible to the world before the next (e.g. a SQLite savepoint per
 * transaction); a revert in any item reverts the whole transaction.
 *
 * Divergences from the EVM, all unreachable with sane state: an account
 * credit that would overflow 2^256 (Solidity does it unchecked) is a
 * panic 0x11 here; a task may have at most DECC_POCO_MAX_CONTRIBUTORS
 * contributors (PoCo has no bound; the scheduler's authorization
 * signatures bound it in practice); gas is not modelled, so the callback
 * of finalize is returned to the caller (target, gas, calldata) instead of
 * being executed — in PoCo its failure never reverts the finalize either.
 *
 * Thread-safety: no global state; distinct effects objects may be used
 * from different threads.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL for missing"; a data pointer may be
 * NULL when its length is 0; err is always optional). An env is required
 * and, except for decc_poco_create_category (which reads only env->hub),
 * so is env->world with every callback not marked optional. A NULL one is
 * reported to the misuse handler (decc_set_misuse_handler, common.h) and
 * the function returns DECC_E_INVALID (0 from decc_poco_call_signatures,
 * DECC_EV_COUNT from decc_poco_event_from_topic; a void function returns
 * at once) without touching anything — a rule function leaves *fx as it
 * was and err unset. The init / clear functions take NULL as a no-op;
 * decc_poco_task_contribution, decc_poco_task_group and
 * decc_poco_accounts_find treat a NULL task or table as empty;
 * decc_poco_revert_text takes a NULL revert as "no revert". What the
 * arguments hold (orders of the wrong type, an event out of range, a
 * revert of kind NONE, calldata that does not decode, an oversized input)
 * is not misuse: those keep the ordinary returns documented below.
 */
#ifndef DECC_POCO_H
#define DECC_POCO_H

#include "buf.h"
#include "common.h"
#include "keys.h"
#include "order.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- constants (FacetBase.v8.sol, Workerpool.sol, configure()) ---------- */

#define DECC_POCO_CONTRIBUTION_DEADLINE_RATIO 7
#define DECC_POCO_REVEAL_DEADLINE_RATIO 2
#define DECC_POCO_FINAL_DEADLINE_RATIO 10
#define DECC_POCO_WORKERPOOL_STAKE_RATIO 30
#define DECC_POCO_KITTY_RATIO 10
#define DECC_POCO_KITTY_MIN 1000000000ULL /* 1 RLC in nRLC */
#define DECC_POCO_GROUPMEMBER_PURPOSE 4
/* Defaults of a new workerpool's policy (Workerpool.sol initialize). */
#define DECC_POCO_DEFAULT_WORKER_STAKE_RATIO 30
#define DECC_POCO_DEFAULT_SCHEDULER_REWARD_RATIO 1
/* m_callbackgas set by configure() in 6.1.0. */
#define DECC_POCO_DEFAULT_CALLBACK_GAS 100000
/* decc's bound on task.contributors (see the file comment). */
#define DECC_POCO_MAX_CONTRIBUTORS 1024
/* Largest results / resultsCallback / params / signature argument, bytes. */
#define DECC_POCO_MAX_BYTES (4u * 1024u * 1024u)

/* KITTY_ADDRESS = 0x99c2268479b93fDe36232351229815DF80837e23: the account
 * that holds the stakes seized from workerpools that failed a task. */
DECC_API void decc_poco_kitty_address(decc_address *out);

/* ---- reverts ------------------------------------------------------------- */

typedef enum decc_poco_revert_kind {
  DECC_POCO_REVERT_NONE = 0,  /* no revert */
  DECC_POCO_REVERT_EMPTY = 1, /* require(cond) without message, failed call */
  DECC_POCO_REVERT_ERROR = 2, /* Error(string): reason holds the string */
  DECC_POCO_REVERT_PANIC = 3, /* Panic(uint256): panic holds the code */
  DECC_POCO_REVERT_CUSTOM = 4 /* custom error with one string argument:
                                 custom_sig names it, reason is the arg */
} decc_poco_revert_kind;

/* Solidity panic codes PoCo can hit. */
#define DECC_POCO_PANIC_OVERFLOW 0x11 /* checked arithmetic */
#define DECC_POCO_PANIC_DIV_ZERO 0x12
#define DECC_POCO_PANIC_OUT_OF_BOUNDS 0x32 /* array index */

typedef struct decc_poco_revert {
  decc_poco_revert_kind kind;
  uint8_t panic;          /* PANIC: the code */
  const char *custom_sig; /* CUSTOM: static text, e.g.
                             "IncompatibleDatasetOrder(string)" */
  char reason[128];       /* ERROR / CUSTOM: the string, NUL-terminated */
} decc_poco_revert;

/* Writes the revert data an EVM node would return: nothing for EMPTY,
 * 0x08c379a0 ‖ abi(string) for ERROR, 0x4e487b71 ‖ u256(code) for PANIC,
 * selector(custom_sig) ‖ abi(string) for CUSTOM. Appends to out.
 * Returns: DECC_OK, DECC_E_INVALID (kind NONE), DECC_E_NOMEM/E_LIMIT. */
DECC_API decc_status decc_poco_revert_data(
    decc_buf *out, const decc_poco_revert *r) DECC_WARN_UNUSED;
/* One-line text of a revert ("iExecV5-matchOrders-0x21", "revert",
 * "panic 0x11", "IncompatibleDatasetOrder: Deal not found"). Static or in
 * r; never NULL. r may be NULL ("no revert"). */
DECC_API const char *decc_poco_revert_text(const decc_poco_revert *r);

/* ---- records (IexecLibCore_v5) -------------------------------------------- */

typedef struct decc_poco_resource {
  decc_address pointer;
  decc_address owner;
  decc_u256 price;
} decc_poco_resource;

/* A deal, field for field as viewDeal returns it (§2.4). A missing deal is
 * the all-zero deal (decc_poco_deal_init). */
typedef struct decc_poco_deal {
  decc_poco_resource app, dataset, workerpool;
  decc_u256 trust;
  decc_u256 category;
  uint8_t tag[32];
  decc_address requester;
  decc_address beneficiary;
  decc_address callback;
  char *params; /* owned, NUL-terminated; never NULL after init */
  decc_u256 start_time;
  decc_u256 bot_first;
  decc_u256 bot_size;
  decc_u256 worker_stake;
  decc_u256 scheduler_reward_ratio;
  decc_address sponsor;
} decc_poco_deal;

/* Zeroes d and sets params to "". Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_poco_deal_init(decc_poco_deal *d) DECC_WARN_UNUSED;
/* Frees params; safe on a zeroed struct; leaves d zeroed. */
DECC_API void decc_poco_deal_clear(decc_poco_deal *d);
/* Deep copy into an uninitialised dst. Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_poco_deal_copy(
    decc_poco_deal *dst, const decc_poco_deal *src) DECC_WARN_UNUSED;

typedef enum decc_poco_task_status {
  DECC_TASK_UNSET = 0,
  DECC_TASK_ACTIVE = 1,
  DECC_TASK_REVEALING = 2,
  DECC_TASK_COMPLETED = 3,
  DECC_TASK_FAILED = 4
} decc_poco_task_status;

typedef enum decc_poco_contribution_status {
  DECC_CONTRIB_UNSET = 0,
  DECC_CONTRIB_CONTRIBUTED = 1,
  DECC_CONTRIB_PROVED = 2,
  DECC_CONTRIB_REJECTED = 3
} decc_poco_contribution_status;

/* m_contributions[taskid][worker] (viewContribution), plus the worker. */
typedef struct decc_poco_contribution {
  decc_address worker;
  decc_poco_contribution_status status;
  uint8_t result_hash[32];
  uint8_t result_seal[32];
  decc_address enclave_challenge;
  decc_u256 weight;
} decc_poco_contribution;

/* One entry of m_consensus[taskid].group (resultHash → weight sum). */
typedef struct decc_poco_group {
  uint8_t hash[32];
  decc_u256 value;
} decc_poco_group;

/* A task as viewTask returns it, plus the state PoCo keeps beside it:
 * every contribution (in contributor order: contributions[i].worker is
 * contributors[i] of viewTask — PoCo records a contribution exactly when it
 * pushes a contributor) and the consensus (m_consensus: total and the
 * group map; entries of value 0 may be dropped). A missing task is the
 * all-zero task (status UNSET). All arrays are owned. */
typedef struct decc_poco_task {
  decc_poco_task_status status;
  uint8_t deal_id[32];
  decc_u256 idx;
  decc_u256 timeref;
  decc_u256 contribution_deadline;
  decc_u256 reveal_deadline;
  decc_u256 final_deadline;
  uint8_t consensus_value[32];
  decc_u256 reveal_counter;
  decc_u256 winner_counter;
  decc_poco_contribution *contributions;
  size_t n_contributions;
  uint8_t result_digest[32];
  uint8_t *results;
  size_t results_len;
  decc_u256 results_timestamp; /* never written by PoCo 6.1.0: stays 0 */
  uint8_t *results_callback;
  size_t results_callback_len;
  decc_u256 consensus_total;
  decc_poco_group *groups;
  size_t n_groups;
} decc_poco_task;

/* Zeroes t (an UNSET task). */
DECC_API void decc_poco_task_init(decc_poco_task *t);
/* Frees the arrays; leaves t zeroed. */
DECC_API void decc_poco_task_clear(decc_poco_task *t);
/* Deep copy into an uninitialised dst. Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_poco_task_copy(
    decc_poco_task *dst, const decc_poco_task *src) DECC_WARN_UNUSED;
/* Returns: the contribution of worker, or NULL (status UNSET). Borrowed. */
DECC_API const decc_poco_contribution *
decc_poco_task_contribution(const decc_poco_task *t,
                            const decc_address *worker);
/* Returns: m_consensus[taskid].group[hash] (zero when absent). */
DECC_API decc_u256 decc_poco_task_group(const decc_poco_task *t,
                                        const uint8_t hash32[32]);

/* A category (viewCategory). */
typedef struct decc_poco_category {
  const char *name;
  const char *description;
  uint64_t work_clock_time_ref; /* seconds */
} decc_poco_category;

/* The five categories PoCo deployments create at genesis, in id order:
 * XS 300 s, S 1200 s, M 3600 s, L 10800 s, XL 36000 s, each with
 * description "{}" (PoCo config/config.json, JSON.stringify'd by the
 * deploy script). Returns: a static array; *count (count optional) = 5. */
DECC_API const decc_poco_category *decc_poco_genesis_categories(size_t *count);

/* ---- accounts and escrow (IexecEscrow.v8.sol) ------------------------------ */

/* One escrow account: free balance (m_balances) and locked part
 * (m_frozens). The hub's own balance holds everything locked. */
typedef struct decc_poco_account {
  decc_address addr;
  decc_u256 balance;
  decc_u256 frozen;
} decc_poco_account;

/* An in-memory account table (absent address = zero balance, zero frozen).
 * Caller-allocated; init/clear. */
typedef struct decc_poco_accounts {
  decc_poco_account *v; /* read-only for users */
  size_t n;             /* read-only */
  size_t cap;           /* private */
} decc_poco_accounts;

DECC_API void decc_poco_accounts_init(decc_poco_accounts *t);
DECC_API void decc_poco_accounts_clear(decc_poco_accounts *t);
/* Returns: the entry of addr or NULL. Borrowed until the next change. */
DECC_API const decc_poco_account *
decc_poco_accounts_find(const decc_poco_accounts *t, const decc_address *addr);
/* Creates or overwrites the entry of addr.
 * Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_poco_accounts_set(
    decc_poco_accounts *t, const decc_address *addr, const decc_u256 *balance,
    const decc_u256 *frozen) DECC_WARN_UNUSED;
/* Sum over all entries of balance (and of frozen when frozen_sum is
 * non-NULL). Returns: DECC_OK or DECC_E_RANGE (sum ≥ 2^256). */
DECC_API decc_status
decc_poco_accounts_total(const decc_poco_accounts *t, decc_u256 *balance_sum,
                         decc_u256 *frozen_sum) DECC_WARN_UNUSED;

typedef enum decc_poco_move_kind {
  /* balance[a] → balance[hub], frozen[a] += v. Reverts "IexecEscrow:
   * Transfer amount exceeds balance" / "... from empty address". */
  DECC_POCO_LOCK = 1,
  /* balance[hub] → balance[a], frozen[a] -= v (panic 0x11 if below). */
  DECC_POCO_UNLOCK = 2,
  /* frozen[a] -= v; the value stays in the hub (panic 0x11 if below). */
  DECC_POCO_SEIZE = 3,
  /* balance[hub] → balance[a]. */
  DECC_POCO_REWARD = 4,
  /* frozen[a] += v with no transfer: failedWork's shortcut for the kitty
   * (a reward immediately locked again). */
  DECC_POCO_FREEZE = 5
} decc_poco_move_kind;

typedef struct decc_poco_move {
  decc_poco_move_kind kind;
  decc_address account;
  decc_u256 amount;
  uint8_t ref[32]; /* REWARD/SEIZE reference (the task id); zero otherwise */
} decc_poco_move;

/* Applies moves in order to t, with hub as the contract's own account,
 * exactly as IexecEscrow (checks, then updates, one move at a time).
 * Atomic: on a revert t is left unchanged and *rev (optional) says why.
 * Returns: DECC_OK; DECC_E_REVERT; DECC_E_NOMEM. */
DECC_API decc_status decc_poco_escrow_apply(decc_poco_accounts *t,
                                            const decc_address *hub,
                                            const decc_poco_move *moves,
                                            size_t n, decc_poco_revert *rev,
                                            decc_err *err) DECC_WARN_UNUSED;

/* ---- logs ---------------------------------------------------------------- */

/* An EVM log: emitter, 0–4 topics, ABI-encoded data (owned). */
typedef struct decc_poco_log {
  decc_address address;
  uint8_t topics[4][32];
  size_t n_topics;
  uint8_t *data;
  size_t data_len;
} decc_poco_log;

/* Canonical signatures of every event the rules emit, e.g.
 * "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)".
 * Topic 0 = keccak256 of the text (decc_abi_event_topic). */
typedef enum decc_poco_event {
  DECC_EV_TRANSFER = 0, /* Transfer(address indexed,address indexed,uint256) */
  DECC_EV_LOCK,         /* Lock(address,uint256) */
  DECC_EV_UNLOCK,       /* Unlock(address,uint256) */
  DECC_EV_REWARD,       /* Reward(address,uint256,bytes32) */
  DECC_EV_SEIZE,        /* Seize(address,uint256,bytes32) */
  DECC_EV_SCHEDULER_NOTICE, /* SchedulerNotice(address indexed,bytes32) */
  DECC_EV_ORDERS_MATCHED,
  DECC_EV_DEAL_SPONSORED,  /* DealSponsored(bytes32,address) */
  DECC_EV_TASK_INITIALIZE, /* (bytes32 indexed, address indexed) */
  DECC_EV_TASK_CONTRIBUTE, /* (bytes32 indexed, address indexed, bytes32) */
  DECC_EV_TASK_CONSENSUS,  /* (bytes32 indexed, bytes32) */
  DECC_EV_TASK_REVEAL,     /* (bytes32 indexed, address indexed, bytes32) */
  DECC_EV_TASK_REOPEN,     /* (bytes32 indexed) */
  DECC_EV_TASK_FINALIZE,   /* (bytes32 indexed, bytes) */
  DECC_EV_TASK_CLAIMED,    /* (bytes32 indexed) */
  DECC_EV_ACCURATE_CONTRIBUTION, /* (address indexed, bytes32 indexed) */
  DECC_EV_FAULTY_CONTRIBUTION,   /* (address indexed, bytes32 indexed) */
  DECC_EV_SIGNED_APP_ORDER, /* Signed*Order(bytes32), Closed*Order(bytes32) */
  DECC_EV_SIGNED_DATASET_ORDER,
  DECC_EV_SIGNED_WORKERPOOL_ORDER,
  DECC_EV_SIGNED_REQUEST_ORDER,
  DECC_EV_CLOSED_APP_ORDER,
  DECC_EV_CLOSED_DATASET_ORDER,
  DECC_EV_CLOSED_WORKERPOOL_ORDER,
  DECC_EV_CLOSED_REQUEST_ORDER,
  DECC_EV_CREATE_CATEGORY, /* CreateCategory(uint256,string,string,uint256) */
  DECC_EV_COUNT
} decc_poco_event;

/* Returns: the canonical signature text of ev, or NULL if out of range
 * (not misuse). */
DECC_API const char *decc_poco_event_signature(decc_poco_event ev);
/* topic0 of ev (keccak256 of its signature). Returns: DECC_OK or
 * DECC_E_INVALID. */
DECC_API decc_status decc_poco_event_topic(uint8_t out32[32],
                                           decc_poco_event ev) DECC_WARN_UNUSED;
/* Returns: the event whose topic0 is topic32, or DECC_EV_COUNT. */
DECC_API decc_poco_event decc_poco_event_from_topic(const uint8_t topic32[32]);

/* ---- the world (read-only view of PoCo state) ------------------------------ */

typedef enum decc_poco_registry {
  DECC_POCO_REG_APP = 0,
  DECC_POCO_REG_DATASET = 1,
  DECC_POCO_REG_WORKERPOOL = 2
} decc_poco_registry;

/* A signature a PoCo call will check with decc_poco_verify_signature,
 * found in its calldata before it runs (decc_poco_call_signatures) so that
 * it can be recovered ahead, e.g. for a whole block on every core. */
/* Request params up to this many bytes are kept in an order key as text,
 * so that matching it costs a comparison; longer ones are rehashed. */
#define DECC_POCO_KEY_PARAMS_MAX 256

/* What an order's EIP-712 hash was computed from (private: filled by
 * decc_poco_call_signatures, read by decc_poco_match_orders). The hash is
 * a function of exactly the type, the domain separator and the member
 * words, so an order equal to the key in all three has that hash. */
typedef struct decc_poco_order_key {
  int set; /* 0: the sigcheck's hash is not an order's */
  decc_order_type type;
  uint8_t domain[32];
  uint8_t enc[32 * 15]; /* the member words, as EIP-712 encodes them */
  size_t params_len;    /* request params length; SIZE_MAX: not kept */
  char params[DECC_POCO_KEY_PARAMS_MAX];
} decc_poco_order_key;

typedef struct decc_poco_sigcheck {
  uint8_t hash[32]; /* the digest verify_signature is given */
  uint8_t sig[65];
  size_t sig_len;      /* 64 or 65 */
  int recovered;       /* 1: signer is what verify_signature would recover */
  decc_address signer; /* zero when recovery fails (OZ tryRecover) */
  /* set for matchOrders' orders: the order hash is reused for an order
   * equal to this key (decc_poco_match_orders) instead of recomputed */
  decc_poco_order_key order;
} decc_poco_sigcheck;

/* Read-only callbacks over the current state. Every callback returns
 * DECC_OK or an error status that aborts the rule function (passed
 * through). Callbacks marked optional may be NULL. */
typedef struct decc_poco_world {
  void *ctx;
  /* IERC5313(entry).owner(): *has_owner = 1 and *owner when entry is a
   * contract answering owner() (a registry entry); *has_owner = 0 when
   * that call would revert (no code, no such function). */
  decc_status (*owner_of)(void *ctx, const decc_address *entry, int *has_owner,
                          decc_address *owner);
  /* registry.isRegistered(entry). */
  decc_status (*is_registered)(void *ctx, decc_poco_registry reg,
                               const decc_address *entry, int *registered);
  /* account.code.length > 0. */
  decc_status (*is_contract)(void *ctx, const decc_address *account,
                             int *is_contract);
  /* Optional. IERC734(identity).keyHasPurpose(key, purpose) for a contract
   * identity: *result = 1 only when the call succeeds and returns true
   * (a revert counts as false). NULL = always false. */
  decc_status (*key_has_purpose)(void *ctx, const decc_address *identity,
                                 const uint8_t key32[32], uint64_t purpose,
                                 int *result);
  /* Optional. IERC1271(account).isValidSignature(hash, sig) returned its
   * selector. NULL = contracts never sign (decc's contracts do not). */
  decc_status (*is_valid_signature)(void *ctx, const decc_address *account,
                                    const uint8_t hash32[32],
                                    const uint8_t *sig, size_t sig_len,
                                    int *valid);
  /* m_consumed[hash] (zero when never written). */
  decc_status (*consumed)(void *ctx, const uint8_t hash32[32], decc_u256 *out);
  /* m_presigned[hash] (zero address when none). */
  decc_status (*presigned)(void *ctx, const uint8_t hash32[32],
                           decc_address *out);
  /* m_categories.length. */
  decc_status (*category_count)(void *ctx, uint64_t *count);
  /* m_categories[idx].workClockTimeRef; *found = 0 when idx ≥ length. */
  decc_status (*category_timeref)(void *ctx, const decc_u256 *idx, int *found,
                                  decc_u256 *timeref);
  /* IWorkerpool(wp).m_workerStakeRatioPolicy() and
   * m_schedulerRewardRatioPolicy(); *found = 0 when those calls revert. */
  decc_status (*workerpool_policy)(void *ctx, const decc_address *wp,
                                   int *found, decc_u256 *worker_stake_ratio,
                                   decc_u256 *scheduler_reward_ratio);
  /* m_balances[a], m_frozens[a] (zero for unknown accounts). */
  decc_status (*account)(void *ctx, const decc_address *a, decc_u256 *balance,
                         decc_u256 *frozen);
  /* m_workerScores[worker]. */
  decc_status (*worker_score)(void *ctx, const decc_address *worker,
                              decc_u256 *score);
  /* Optional. The signature (hash32, sig, sig_len) recovered ahead of the
   * call (decc_poco_sigcheck_recover), or NULL to recover it here. The
   * entry must be for exactly these bytes; its result is used as is, so
   * the outcome is the one a recovery here gives (a pure function). */
  const decc_poco_sigcheck *(*recovered)(void *ctx, const uint8_t hash32[32],
                                         const uint8_t *sig, size_t sig_len);
  /* Optional. The signatures listed ahead for the current call by
   * decc_poco_call_signatures (*n of them; NULL/0 for none). matchOrders
   * takes an order's hash from an entry whose key equals that order in
   * type, domain and every member, and computes it otherwise: an entry
   * whose key differs is never used. */
  const decc_poco_sigcheck *(*listed)(void *ctx, size_t *n);
} decc_poco_world;

/* Per-transaction environment. */
typedef struct decc_poco_env {
  const decc_poco_world *world;
  decc_address hub;             /* address(this): PoCo proxy, log emitter */
  uint8_t domain_separator[32]; /* m_eip712DomainSeparator */
  decc_address teebroker;       /* m_teebroker (zero = unset, the default) */
  uint64_t callback_gas;        /* m_callbackgas */
  uint64_t timestamp;           /* block.timestamp */
} decc_poco_env;

/* ---- effects ---------------------------------------------------------------- */

typedef struct decc_poco_consumed {
  uint8_t hash[32];
  decc_u256 value; /* new absolute value of m_consumed[hash] */
} decc_poco_consumed;

typedef struct decc_poco_presign {
  uint8_t hash[32];
  decc_address signer; /* new m_presigned[hash] */
} decc_poco_presign;

typedef struct decc_poco_score {
  decc_address worker;
  decc_u256 score; /* new m_workerScores[worker] */
} decc_poco_score;

/* Everything one successful call changes (all arrays owned; counts 0 and
 * pointers NULL when unused). Caller-allocated; init/clear. */
typedef struct decc_poco_effects {
  decc_poco_revert revert; /* kind NONE unless the call reverted */
  /* matchOrders: the new deal m_deals[deal_id]. */
  int has_deal;
  uint8_t deal_id[32];
  decc_poco_deal deal;
  /* task functions: the new m_tasks[task_id] (+ contributions, consensus). */
  int has_task;
  uint8_t task_id[32];
  decc_poco_task task;
  /* matchOrders / computeDealVolume: the deal volume. */
  decc_u256 volume;
  decc_poco_consumed *consumed;
  size_t n_consumed;
  decc_poco_presign *presigned;
  size_t n_presigned;
  decc_poco_score *scores;
  size_t n_scores;
  /* Escrow moves in execution order (for audit / replay), and the final
   * (balance, frozen) of every account they touched, hub included: a
   * caller may either replay the moves or store these values. */
  decc_poco_move *moves;
  size_t n_moves;
  decc_poco_accounts accounts;
  /* Logs in emission order, all emitted by env->hub. */
  decc_poco_log *logs;
  size_t n_logs;
  /* finalize / contributeAndFinalize with a callback: the call PoCo makes
   * (target.call{gas}(calldata)); its failure does not revert. */
  int has_callback;
  decc_address callback;
  uint64_t callback_gas;
  uint8_t *callback_data;
  size_t callback_data_len;
} decc_poco_effects;

/* Empties fx. NULL is a no-op. */
DECC_API void decc_poco_effects_init(decc_poco_effects *fx);
/* Frees everything and re-initialises fx. NULL is a no-op. */
DECC_API void decc_poco_effects_clear(decc_poco_effects *fx);

/* ---- signatures (SignatureVerifier.sol) ----------------------------------- */

/* _verifySignature(account, hash, sig): a contract account answers via
 * world->is_valid_signature; an EOA needs a 65-byte (v ∈ {27,28}) or
 * 64-byte (EIP-2098) low-S ECDSA signature recovering to account (a failed
 * recovery yields address 0, compared like any address, as OZ tryRecover).
 * Out: *valid. Returns: DECC_OK; DECC_E_REVERT with *rev (rev optional) =
 * "invalid-signature-format" for any other length on an EOA; world errors. */
DECC_API decc_status decc_poco_verify_signature(
    const decc_poco_env *env, const decc_address *account,
    const uint8_t hash32[32], const uint8_t *sig, size_t sig_len, int *valid,
    decc_poco_revert *rev) DECC_WARN_UNUSED;
/* The EOA signatures the hub call `calldata` (selector included) sent by
 * `sender` will verify when it runs: for matchOrders and
 * sponsorMatchOrders the four orders' EIP-712 hashes (under domain32) and
 * signatures; for contributeAndFinalize and contribute the authorization
 * digest (worker = sender) and its signature. Only 64- and 65-byte
 * signatures are listed; calldata that does not decode lists nothing (the
 * call will revert before any check). Fills out[0..cap) with hash, sig and
 * sig_len (recovered = 0) and, for an order, the key its hash was computed
 * from (order.set = 1). Returns: how many were filled. */
DECC_API size_t decc_poco_call_signatures(decc_poco_sigcheck *out, size_t cap,
                                          const uint8_t domain32[32],
                                          const decc_address *sender,
                                          const uint8_t *calldata, size_t len);
/* Recovers c's signer as decc_poco_verify_signature does for an EOA (a
 * failed recovery or a v other than 27/28 gives the zero address) and
 * sets c->recovered; leaves it 0 on an internal failure (out of memory),
 * so that the call recovers it itself. */
DECC_API void decc_poco_sigcheck_recover(decc_poco_sigcheck *c);
/* _verifySignatureOrPresignature: account ≠ 0 and m_presigned[hash] ==
 * account, else decc_poco_verify_signature. Same returns. */
DECC_API decc_status decc_poco_verify_signature_or_presignature(
    const decc_poco_env *env, const decc_address *account,
    const uint8_t hash32[32], const uint8_t *sig, size_t sig_len, int *valid,
    decc_poco_revert *rev) DECC_WARN_UNUSED;
/* _isAccountAuthorizedByRestriction(restriction, account): zero
 * restriction, equality, or an ERC-734 identity contract where
 * keyHasPurpose(bytes32(account), GROUPMEMBER_PURPOSE) is true.
 * Out: *authorized. Returns: DECC_OK or a world error. */
DECC_API decc_status decc_poco_is_authorized(const decc_poco_env *env,
                                             const decc_address *restriction,
                                             const decc_address *account,
                                             int *authorized) DECC_WARN_UNUSED;

/* ---- matchOrders (IexecPoco1Facet.sol) --------------------------------------- */

/* matchOrders / sponsorMatchOrders. app, dataset, workerpool, request are
 * orders of the matching types (no dataset = an all-zero dataset order);
 * each order's sign/sign_len is its `sign` bytes: sign_len other than 64
 * or 65 is a malformed signature (a decoder meeting a longer `sign` may
 * pass its true length — bytes past 65 are never read). sponsor = 0: the
 * requester pays (matchOrders); sponsor = 1: sender pays
 * (sponsorMatchOrders, adds DealSponsored).
 * On success fx has the deal (deal_id, deal), volume, the consumed writes
 * (app, dataset if any, workerpool, request), the two locks and the logs
 * Transfer, Lock, Transfer, Lock, SchedulerNotice, OrdersMatched
 * [, DealSponsored]. Reverts with "iExecV5-matchOrders-0xNN" as PoCo, or
 * "invalid-signature-format", the escrow reasons, an empty revert (owner()
 * or policy call on a non-entry) or a panic (overflow).
 * Returns: see the file comment; DECC_E_INVALID for orders of wrong type. */
DECC_API decc_status decc_poco_match_orders(
    const decc_poco_env *env, const decc_order *app, const decc_order *dataset,
    const decc_order *workerpool, const decc_order *request,
    const decc_address *sender, int sponsor, decc_poco_effects *fx,
    decc_err *err) DECC_WARN_UNUSED;

/* computeDealVolume(...) view: min over orders of volume − consumed
 * (dataset ignored when its address is zero). Out: fx->volume only.
 * Returns: DECC_OK; DECC_E_REVERT (panic 0x11 when consumed > volume). */
DECC_API decc_status decc_poco_compute_deal_volume(
    const decc_poco_env *env, const decc_order *app, const decc_order *dataset,
    const decc_order *workerpool, const decc_order *request,
    decc_poco_effects *fx, decc_err *err) DECC_WARN_UNUSED;

/* assertDatasetDealCompatibility(datasetorder, dealid) view. deal is the
 * stored deal (all-zero when missing). Reverts with the custom error
 * IncompatibleDatasetOrder(reason) as PoCo ("Dataset order is revoked or
 * fully consumed", "Invalid dataset order signature", "Deal not found",
 * "Deal already has a dataset", "App restriction not satisfied",
 * "Workerpool restriction not satisfied", "Requester restriction not
 * satisfied", "Tag compatibility not satisfied"). fx is only used for the
 * revert. Returns: DECC_OK when compatible; see the file comment. */
DECC_API decc_status decc_poco_assert_dataset_deal_compatibility(
    const decc_poco_env *env, const decc_order *dataset,
    const decc_poco_deal *deal, decc_poco_effects *fx,
    decc_err *err) DECC_WARN_UNUSED;

/* manage<X>Order({order, operation, sign}) (IexecOrderManagementFacet).
 * Authorised when sender is the owner (owner() of the app / dataset /
 * workerpool, the requester of a request order) or op_sign is the owner's
 * EIP-712 signature of the operation (decc_order_operation_hash); reverts
 * "invalid-sender-or-signature" otherwise ("invalid-signature-format" for
 * a malformed op_sign when the sender is not the owner). SIGN writes
 * m_presigned[orderHash] = owner and emits Signed<X>Order; CLOSE writes
 * m_consumed[orderHash] = order.volume and emits Closed<X>Order. An op
 * value other than 0/1 reverts (empty), as the ABI decoder does.
 * Returns: see the file comment. */
DECC_API decc_status decc_poco_manage_order(
    const decc_poco_env *env, const decc_order *order, unsigned op,
    const uint8_t *op_sign, size_t op_sign_len, const decc_address *sender,
    decc_poco_effects *fx, decc_err *err) DECC_WARN_UNUSED;

/* createCategory(name, description, workClockTimeRef): reverts
 * "Ownable: caller is not the owner" unless sender == owner (the PoCo
 * proxy's owner); emits CreateCategory(new_id, …). The caller appends the
 * category (new_id = current count). Returns: see the file comment. */
DECC_API decc_status decc_poco_create_category(
    const decc_poco_env *env, const decc_address *sender,
    const decc_address *owner, uint64_t new_id, const char *name,
    const char *description, const decc_u256 *work_clock_time_ref,
    decc_poco_effects *fx, decc_err *err) DECC_WARN_UNUSED;

/* ---- tasks (IexecPoco2Facet.sol) ----------------------------------------------- */

/* Every task function takes the stored records (deal = m_deals[task's
 * dealid], task = m_tasks[taskid]; the all-zero record when missing, or
 * NULL for "missing") and returns the full new task in fx->task. All
 * failed requires revert EMPTY as in PoCo (their require()s carry no
 * message); signature checks may revert "invalid-signature-format"; the
 * escrow may revert with its reasons. */

/* initialize(dealid, idx): botFirst ≤ idx < botFirst + botSize, task
 * UNSET (current = m_tasks[H(dealid ‖ idx)], NULL if absent); sets ACTIVE,
 * timeref from the deal's category, deadlines startTime + 7/10 × timeref,
 * consensus total 1; emits TaskInitialize. fx->task_id = the task id. */
DECC_API decc_status decc_poco_initialize(const decc_poco_env *env,
                                          const uint8_t deal_id32[32],
                                          const decc_poco_deal *deal,
                                          const decc_u256 *idx,
                                          const decc_poco_task *current,
                                          decc_poco_effects *fx,
                                          decc_err *err) DECC_WARN_UNUSED;

/* contribute(taskid, resultHash, resultSeal, enclaveChallenge,
 * enclaveSign, authorizationSign) by sender. Locks deal.workerStake,
 * updates the consensus (score policy), may reach consensus (REVEALING).
 * Logs: Transfer, Lock, TaskContribute [, TaskConsensus]. */
DECC_API decc_status decc_poco_contribute(
    const decc_poco_env *env, const uint8_t task_id32[32],
    const decc_poco_deal *deal, const decc_poco_task *task,
    const decc_address *sender, const uint8_t result_hash32[32],
    const uint8_t result_seal32[32], const decc_address *enclave_challenge,
    const uint8_t *enclave_sign, size_t enclave_sign_len,
    const uint8_t *authorization_sign, size_t authorization_sign_len,
    decc_poco_effects *fx, decc_err *err) DECC_WARN_UNUSED;

/* reveal(taskid, resultDigest) by sender: PROVED, revealCounter++. */
DECC_API decc_status decc_poco_reveal(const decc_poco_env *env,
                                      const uint8_t task_id32[32],
                                      const decc_poco_task *task,
                                      const decc_address *sender,
                                      const uint8_t result_digest32[32],
                                      decc_poco_effects *fx,
                                      decc_err *err) DECC_WARN_UNUSED;

/* reopen(taskid) by the scheduler (deal.workerpool.owner). */
DECC_API decc_status decc_poco_reopen(const decc_poco_env *env,
                                      const uint8_t task_id32[32],
                                      const decc_poco_deal *deal,
                                      const decc_poco_task *task,
                                      const decc_address *sender,
                                      decc_poco_effects *fx,
                                      decc_err *err) DECC_WARN_UNUSED;

/* finalize(taskid, results, resultsCallback) by the scheduler: COMPLETED,
 * successWork + distributeRewards (score updates in fx->scores), logs,
 * callback in fx->has_callback/callback_data. */
DECC_API decc_status decc_poco_finalize(
    const decc_poco_env *env, const uint8_t task_id32[32],
    const decc_poco_deal *deal, const decc_poco_task *task,
    const decc_address *sender, const uint8_t *results, size_t results_len,
    const uint8_t *results_callback, size_t results_callback_len,
    decc_poco_effects *fx, decc_err *err) DECC_WARN_UNUSED;

/* contributeAndFinalize(taskid, resultDigest, results, resultsCallback,
 * enclaveChallenge, enclaveSign, authorizationSign) by sender (trust 1
 * deals): COMPLETED in one call, no worker stake, distributeRewardsFast. */
DECC_API decc_status decc_poco_contribute_and_finalize(
    const decc_poco_env *env, const uint8_t task_id32[32],
    const decc_poco_deal *deal, const decc_poco_task *task,
    const decc_address *sender, const uint8_t result_digest32[32],
    const uint8_t *results, size_t results_len, const uint8_t *results_callback,
    size_t results_callback_len, const decc_address *enclave_challenge,
    const uint8_t *enclave_sign, size_t enclave_sign_len,
    const uint8_t *authorization_sign, size_t authorization_sign_len,
    decc_poco_effects *fx, decc_err *err) DECC_WARN_UNUSED;

/* claim(taskid) by anyone: ACTIVE/REVEALING past finalDeadline → FAILED,
 * failedWork (refund, workerpool stake to the kitty), stakes unlocked. */
DECC_API decc_status decc_poco_claim(const decc_poco_env *env,
                                     const uint8_t task_id32[32],
                                     const decc_poco_deal *deal,
                                     const decc_poco_task *task,
                                     decc_poco_effects *fx,
                                     decc_err *err) DECC_WARN_UNUSED;

/* ---- contribution helpers (what workers compute) ------------------------------ */

/* resultHash = keccak256(taskid ‖ resultDigest). */
DECC_API void decc_poco_result_hash(uint8_t out32[32],
                                    const uint8_t task_id32[32],
                                    const uint8_t result_digest32[32]);
/* resultSeal = keccak256(worker ‖ taskid ‖ resultDigest). */
DECC_API void decc_poco_result_seal(uint8_t out32[32],
                                    const decc_address *worker,
                                    const uint8_t task_id32[32],
                                    const uint8_t result_digest32[32]);
/* The digest the scheduler (or teebroker) personal_signs to authorise a
 * worker: keccak256(worker ‖ taskid ‖ enclaveChallenge) — sign it with
 * decc_eip191_sign(sig, sk, digest, 32). */
DECC_API void
decc_poco_authorization_message(uint8_t out32[32], const decc_address *worker,
                                const uint8_t task_id32[32],
                                const decc_address *enclave_challenge);
/* The digest the enclave personal_signs: keccak256(resultHash ‖
 * resultSeal). */
DECC_API void decc_poco_enclave_message(uint8_t out32[32],
                                        const uint8_t result_hash32[32],
                                        const uint8_t result_seal32[32]);

/* ---- view encodings ---------------------------------------------------------------- */

/* ABI types of the structs the hub's views return (IexecLibCore_v5.Deal,
 * .Task, .Contribution; PoCo 6.1.0 IexecPocoAccessorsFacet), each the
 * single return value of viewDeal / viewTask / viewContribution. The one
 * definition every encoder and decoder in decc uses. */
#define DECC_POCO_DEAL_ABI_TYPE                                                \
  "((address,address,uint256),(address,address,uint256),(address,address,"     \
  "uint256),uint256,uint256,bytes32,address,address,address,string,uint256,"   \
  "uint256,uint256,uint256,uint256,address)"
#define DECC_POCO_TASK_ABI_TYPE                                                \
  "(uint8,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32,uint256,"    \
  "uint256,address[],bytes32,bytes,uint256,bytes)"
#define DECC_POCO_CONTRIBUTION_ABI_TYPE                                        \
  "(uint8,bytes32,bytes32,address,uint256)"

/* ABI return data of viewDeal(dealid), viewTask(taskid),
 * viewContribution(taskid, worker) and viewCategory(idx) (each a single
 * struct return). Appends to out. Returns: DECC_OK or DECC_E_NOMEM /
 * DECC_E_LIMIT. */
DECC_API decc_status decc_poco_deal_abi(decc_buf *out, const decc_poco_deal *d)
    DECC_WARN_UNUSED;
DECC_API decc_status decc_poco_task_abi(decc_buf *out, const decc_poco_task *t)
    DECC_WARN_UNUSED;
DECC_API decc_status decc_poco_contribution_abi(
    decc_buf *out, const decc_poco_contribution *c) DECC_WARN_UNUSED;
DECC_API decc_status
decc_poco_category_abi(decc_buf *out, const char *name, const char *description,
                       const decc_u256 *work_clock_time_ref) DECC_WARN_UNUSED;

/* Decoders of the same return data (the inverse of the *_abi encoders).
 * deal: d is initialised by the call (decc_poco_deal_clear it); task: t is
 * initialised by the call (decc_poco_task_clear; contributions carry only
 * the worker address, as viewTask returns); contribution: out->worker is
 * left untouched (viewContribution does not return it).
 * Returns: DECC_OK; DECC_E_PARSE (malformed data, err names the view);
 * DECC_E_NOMEM. A deal whose app is the zero address (no such deal) and a
 * task with status UNSET decode fine: callers decide. */
DECC_API decc_status decc_poco_deal_from_abi(decc_poco_deal *d,
                                             const uint8_t *data, size_t len,
                                             decc_err *err) DECC_WARN_UNUSED;
DECC_API decc_status decc_poco_task_from_abi(decc_poco_task *t,
                                             const uint8_t *data, size_t len,
                                             decc_err *err) DECC_WARN_UNUSED;
DECC_API decc_status decc_poco_contribution_from_abi(
    decc_poco_contribution *out, const uint8_t *data, size_t len,
    decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_POCO_H */
