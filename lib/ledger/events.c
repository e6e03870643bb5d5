/*
 * events.c — decc_ledger_decode_log: names and decodes the logs the
 * emulated contracts emit (PoCo hub, RLC token, registries, entries,
 * DataProtector) for the CLI and tools. Each event is described once by
 * its Solidity declaration with parameter names and `indexed` markers; the
 * canonical signature (topic0) is derived from it. Indexed parameters come
 * from topics 1–3 (all of them static types here), the others from the
 * ABI-encoded data. ERC-20 and ERC-721 share Transfer / Approval topic0s
 * and differ by the number of topics, so both declarations are listed and
 * the one whose indexed count matches wins.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "ledger/ledger_int.h"

static const char *const EVENT_DECLS[] = {
    "Transfer(address indexed from,address indexed to,uint256 value)",
    "Transfer(address indexed from,address indexed to,uint256 indexed "
    "tokenId)",
    "Approval(address indexed owner,address indexed spender,uint256 value)",
    "Approval(address indexed owner,address indexed approved,uint256 indexed "
    "tokenId)",
    "ApprovalForAll(address indexed owner,address indexed operator,bool "
    "approved)",
    "Lock(address owner,uint256 amount)",
    "Unlock(address owner,uint256 amount)",
    "Reward(address user,uint256 amount,bytes32 ref)",
    "Seize(address user,uint256 amount,bytes32 ref)",
    "SchedulerNotice(address indexed workerpool,bytes32 dealid)",
    "OrdersMatched(bytes32 dealid,bytes32 appHash,bytes32 datasetHash,"
    "bytes32 workerpoolHash,bytes32 requestHash,uint256 volume)",
    "DealSponsored(bytes32 dealId,address sponsor)",
    "TaskInitialize(bytes32 indexed taskid,address indexed workerpool)",
    "TaskContribute(bytes32 indexed taskid,address indexed worker,bytes32 "
    "hash)",
    "TaskConsensus(bytes32 indexed taskid,bytes32 consensus)",
    "TaskReveal(bytes32 indexed taskid,address indexed worker,bytes32 digest)",
    "TaskReopen(bytes32 indexed taskid)",
    "TaskFinalize(bytes32 indexed taskid,bytes results)",
    "TaskClaimed(bytes32 indexed taskid)",
    "AccurateContribution(address indexed worker,bytes32 indexed taskid)",
    "FaultyContribution(address indexed worker,bytes32 indexed taskid)",
    "SignedAppOrder(bytes32 appHash)",
    "SignedDatasetOrder(bytes32 datasetHash)",
    "SignedWorkerpoolOrder(bytes32 workerpoolHash)",
    "SignedRequestOrder(bytes32 requestHash)",
    "ClosedAppOrder(bytes32 appHash)",
    "ClosedDatasetOrder(bytes32 datasetHash)",
    "ClosedWorkerpoolOrder(bytes32 workerpoolHash)",
    "ClosedRequestOrder(bytes32 requestHash)",
    "CreateCategory(uint256 catid,string name,string description,uint256 "
    "workClockTimeRef)",
    "PolicyUpdate(uint256 oldWorkerStakeRatioPolicy,uint256 "
    "newWorkerStakeRatioPolicy,uint256 oldSchedulerRewardRatioPolicy,uint256 "
    "newSchedulerRewardRatioPolicy)",
    "DatasetSchema(address indexed dataset,string schema)",
    "OwnershipTransferred(address indexed previousOwner,address indexed "
    "newOwner)",
};
#define N_EVENTS (sizeof EVENT_DECLS / sizeof EVENT_DECLS[0])
#define MAX_PARAMS 8

typedef struct ev_param {
  char type[16];
  char name[48];
  int indexed;
} ev_param;

typedef struct ev_desc {
  char name[32];
  uint8_t topic0[32];
  ev_param p[MAX_PARAMS];
  size_t n;
  size_t n_indexed;
  char data_types[160]; /* "t1,t2,…": type list of the non-indexed params */
} ev_desc;

static ev_desc g_ev[N_EVENTS];
static int g_ev_ok;
static pthread_once_t g_ev_once = PTHREAD_ONCE_INIT;

/* Parses one declaration; returns 0 on success. */
static int parse_decl(ev_desc *d, const char *decl) {
  const char *lp = strchr(decl, '(');
  if (!lp || (size_t)(lp - decl) >= sizeof d->name)
    return -1;
  memcpy(d->name, decl, (size_t)(lp - decl));
  char canon[256];
  int cn = snprintf(canon, sizeof canon, "%s(", d->name);
  size_t dn = 0;
  d->data_types[0] = 0;
  const char *p = lp + 1;
  while (*p && *p != ')') {
    if (d->n >= MAX_PARAMS)
      return -1;
    ev_param *q = &d->p[d->n];
    char tok[3][48];
    int nt = 0;
    while (*p && *p != ',' && *p != ')') {
      while (*p == ' ')
        p++;
      size_t k = 0;
      while (*p && *p != ' ' && *p != ',' && *p != ')') {
        if (k + 1 >= sizeof tok[0] || nt >= 3)
          return -1;
        tok[nt][k++] = *p++;
      }
      tok[nt][k] = 0;
      if (k)
        nt++;
    }
    if (nt < 2 || strlen(tok[0]) >= sizeof q->type)
      return -1;
    memcpy(q->type, tok[0], strlen(tok[0]) + 1); /* length checked above */
    q->indexed = nt == 3 && !strcmp(tok[1], "indexed");
    snprintf(q->name, sizeof q->name, "%s", tok[nt - 1]);
    cn += snprintf(canon + cn, sizeof canon - (size_t)cn, "%s%s",
                   d->n ? "," : "", q->type);
    if (q->indexed)
      d->n_indexed++;
    else
      dn += (size_t)snprintf(d->data_types + dn, sizeof d->data_types - dn,
                             "%s%s", dn ? "," : "", q->type);
    d->n++;
    if (*p == ',')
      p++;
  }
  snprintf(canon + cn, sizeof canon - (size_t)cn, ")");
  decc_keccak256(d->topic0, canon, strlen(canon));
  return 0;
}

static void build(void) {
  for (size_t i = 0; i < N_EVENTS; i++)
    if (parse_decl(&g_ev[i], EVENT_DECLS[i]) != 0)
      return;
  g_ev_ok = 1;
}

/* Appends v as JSON to b: addresses checksummed, uint decimal strings,
 * bytes/bytes32 lowercase hex, strings escaped, bools. */
static decc_status put_json_string(decc_buf *b, const uint8_t *s, size_t n) {
  decc_status st = decc_buf_append_byte(b, '"');
  for (size_t i = 0; i < n && st == DECC_OK; i++) {
    uint8_t c = s[i];
    if (c == '"' || c == '\\')
      st = decc_buf_printf(b, "\\%c", c);
    else if (c < 0x20 || c == 0x7f)
      st = decc_buf_printf(b, "\\u%04x", c);
    else
      st = decc_buf_append_byte(b, c);
  }
  if (st == DECC_OK)
    st = decc_buf_append_byte(b, '"');
  return st;
}

static decc_status put_hex(decc_buf *b, const uint8_t *p, size_t n) {
  char *tmp = decc_malloc(2 * n + 5);
  if (!tmp)
    return DECC_E_NOMEM;
  tmp[0] = '"';
  decc_hex_encode(tmp + 1, p, n, 1);
  size_t k = 2 * n + 3;
  tmp[k] = '"';
  decc_status st = decc_buf_append(b, tmp, k + 1);
  decc_free(tmp);
  return st;
}

static decc_status put_word(decc_buf *b, const char *type,
                            const uint8_t w[32]) {
  if (!strcmp(type, "address")) {
    decc_address a;
    char h[DECC_ADDRESS_HEX_LEN];
    memcpy(a.b, w + 12, 20);
    return decc_buf_printf(b, "\"%s\"", decc_address_to_checksum(h, &a));
  }
  if (!strcmp(type, "bool"))
    return decc_buf_append_str(b, w[31] ? "true" : "false");
  if (!strncmp(type, "uint", 4)) {
    decc_u256 v;
    char d[DECC_U256_DEC_LEN];
    decc_u256_from_be(&v, w);
    return decc_buf_printf(b, "\"%s\"", decc_u256_to_dec(d, &v));
  }
  return put_hex(b, w, 32);
}

decc_status decc_ledger_decode_log(const decc_log *log, const char **name,
                                   char **json, decc_err *err) {
  DECC_ARG_CHECK(log != NULL);
  DECC_ARG_CHECK(name != NULL);
  DECC_ARG_CHECK(json != NULL);
  *name = NULL;
  *json = NULL;
  pthread_once(&g_ev_once, build);
  if (!g_ev_ok)
    return decc_err_set(err, DECC_E_INTERNAL, "ledger: event table broken");
  if (log->n_topics == 0)
    return decc_err_set(err, DECC_E_NOT_FOUND, "anonymous log");
  const ev_desc *d = NULL;
  int topic_match = 0;
  for (size_t i = 0; i < N_EVENTS; i++)
    if (!memcmp(g_ev[i].topic0, log->topics[0], 32)) {
      topic_match = 1;
      if (g_ev[i].n_indexed + 1 == log->n_topics) {
        d = &g_ev[i];
        break;
      }
    }
  if (!d)
    return topic_match
               ? decc_err_set(err, DECC_E_PARSE,
                              "log: known event with %zu topics", log->n_topics)
               : decc_err_set(err, DECC_E_NOT_FOUND, "unknown event");
  decc_abi_value *v = NULL;
  decc_status s = DECC_OK;
  if (d->n > d->n_indexed)
    s = decc_abi_decode(&v, d->data_types, log->data, log->data_len, 0, err);
  else if (log->data_len)
    s = decc_err_set(err, DECC_E_PARSE, "unexpected data");
  if (s != DECC_OK) {
    decc_err_prefix(err, "log %s", d->name);
    return s == DECC_E_NOMEM ? s : DECC_E_PARSE;
  }
  decc_buf b;
  decc_buf_init(&b, 0);
  s = decc_buf_append_byte(&b, '{');
  size_t ti = 1, di = 0;
  for (size_t i = 0; i < d->n && s == DECC_OK; i++) {
    const ev_param *q = &d->p[i];
    s = decc_buf_printf(&b, "%s\"%s\":", i ? "," : "", q->name);
    if (s != DECC_OK)
      break;
    if (q->indexed) {
      s = put_word(&b, q->type, log->topics[ti++]);
      continue;
    }
    const decc_abi_value *x = decc_abi_item(v, di++);
    if (!x) {
      s = DECC_E_PARSE;
      break;
    }
    if (!strcmp(q->type, "string"))
      s = put_json_string(&b, x->data, x->len);
    else if (!strcmp(q->type, "bytes"))
      s = put_hex(&b, x->data, x->len);
    else if (x->word)
      s = put_word(&b, q->type, x->word);
    else
      s = DECC_E_PARSE;
  }
  if (s == DECC_OK)
    s = decc_buf_append_byte(&b, '}');
  decc_abi_value_free(v);
  if (s != DECC_OK) {
    decc_buf_clear(&b);
    return decc_err_set(err, s, "log %s: cannot format", d->name);
  }
  *json = (char *)decc_buf_steal(&b, NULL);
  *name = d->name;
  return DECC_OK;
}
