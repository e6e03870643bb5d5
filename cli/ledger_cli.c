/*
 * ledger_cli.c — shared plumbing of the ledger commands (see
 * ledger_cli.h): the data directory, opening the ledger, argument parsing
 * (RLC amounts with units, addresses, hashes), views, and the one place
 * where a transaction is signed, submitted and reported, so every write
 * command prints the same thing: the tx hash, its block, its status (with
 * PoCo's revert reason) and its decoded events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "dp_cli.h"
#include "ledger_cli.h"

int lc_chain_dir(char *out, size_t cap) {
  const char *home = g_cli.home;
  int n;
  if (home && *home)
    n = snprintf(out, cap, "%s/chain", home);
  else {
    const char *h = getenv("HOME");
    if (!h || !*h)
      return cli_fail("no data directory: set --home, DECC_HOME or HOME");
    n = snprintf(out, cap, "%s/.decc/chain", h);
  }
  if (n < 0 || (size_t)n >= cap)
    return cli_fail("data directory path too long");
  return CLI_OK;
}

int lc_ledger_path(char *out, size_t cap) {
  char dir[4096];
  if (lc_chain_dir(dir, sizeof dir) != CLI_OK)
    return CLI_FAIL;
  int n = snprintf(out, cap, "%s/ledger.sqlite", dir);
  if (n < 0 || (size_t)n >= cap)
    return cli_fail("ledger path too long");
  return CLI_OK;
}

int lc_open(decc_chain **c) { return cli_chain_open(c, 0); }

int lc_open_ledger(decc_ledger **l, const char *what) {
  cli_chain_target t;
  int rc = cli_chain_target_resolve(&t);
  if (rc != CLI_OK)
    return rc;
  if (!t.embedded)
    return cli_fail("'%s' reads the embedded ledger's own storage; the chosen "
                    "chain is %s (an EVM chain): use --chain embedded, or "
                    "that chain's explorer",
                    what, t.label);
  char path[4200];
  if (lc_ledger_path(path, sizeof path) != CLI_OK)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  decc_status s = decc_ledger_open(l, path, &err);
  if (s == DECC_E_NOT_FOUND)
    return cli_fail("no ledger at %s (run 'decc chain init')", path);
  if (s != DECC_OK)
    return cli_fail("%s: %s", path, err.msg[0] ? err.msg : decc_strerror(s));
  return CLI_OK;
}

decc_status lc_get_info(decc_chain *c, lc_info *out, decc_err *err) {
  decc_status s = decc_chain_id(c, &out->chain_id, err);
  if (s == DECC_OK)
    s = decc_chain_get_addresses(c, &out->addr, err);
  return s;
}

/* ---- arguments ------------------------------------------------------------ */

int lc_parse_amount(decc_u256 *out, const char *s, const char *what) {
  /* One syntax for every command (decc_dp_parse_rlc): "1.5 RLC", "1.5RLC"
   * or "1.5" (a decimal point means RLC), "200 nRLC" or a bare whole
   * number (nRLC); the unit in any case. */
  char buf[128];
  size_t n = strlen(s);
  while (*s == ' ')
    s++, n--;
  if (n == 0 || n >= sizeof buf)
    return cli_usage_error("%s: '%s' is not an amount (e.g. \"1.5 RLC\" or "
                           "1.5, \"200 nRLC\" or 200)",
                           what, s);
  memcpy(buf, s, n + 1);
  while (n && buf[n - 1] == ' ')
    buf[--n] = 0;
  if (n >= 4 && !strcasecmp(buf + n - 4, "nrlc"))
    memcpy(buf + n - 4, "nRLC", 4);
  else if (n >= 3 && !strcasecmp(buf + n - 3, "rlc"))
    memcpy(buf + n - 3, "RLC", 3);
  decc_err err;
  decc_err_clear(&err);
  if (buf[0] == '-' || decc_dp_parse_rlc(out, buf, &err) != DECC_OK)
    return cli_usage_error("%s: '%s' is not an amount (e.g. \"1.5 RLC\" or "
                           "1.5 for RLC, \"200 nRLC\" or 200 for nRLC; at "
                           "most 9 decimals)",
                           what, s);
  return CLI_OK;
}

void lc_fmt_rlc(char *out, size_t cap, const decc_u256 *v) {
  char d[DECC_U256_DEC_LEN];
  decc_u256_to_dec(d, v);
  size_t n = strlen(d);
  char ip[DECC_U256_DEC_LEN], fp[16];
  if (n > 9) {
    memcpy(ip, d, n - 9);
    ip[n - 9] = 0;
    memcpy(fp, d + n - 9, 10);
  } else {
    snprintf(ip, sizeof ip, "0");
    memset(fp, '0', 9 - n);
    memcpy(fp + 9 - n, d, n + 1);
  }
  size_t f = 9;
  while (f > 0 && fp[f - 1] == '0')
    fp[--f] = 0;
  if (f)
    snprintf(out, cap, "%s.%s RLC", ip, fp);
  else
    snprintf(out, cap, "%s RLC", ip);
}

int lc_parse_address(decc_address *out, const char *s, const char *what) {
  /* A wallet name (in <home>/wallets) stands for its address. */
  if (*s && strncmp(s, "0x", 2) && strncmp(s, "0X", 2) && !strchr(s, '/') &&
      strlen(s) < 200)
    return dp_cli_ref_address(out, s, what) == 0 ? CLI_OK : CLI_USAGE;
  decc_err err;
  decc_err_clear(&err);
  if (decc_address_parse(out, s, &err) != DECC_OK)
    return cli_usage_error("%s: %s", what, err.msg);
  return CLI_OK;
}

int lc_parse_h32(uint8_t out[32], const char *s, const char *what) {
  decc_err err;
  decc_err_clear(&err);
  if (decc_hex_decode_exact(out, 32, s, what, &err) != DECC_OK)
    return cli_usage_error("%s", err.msg);
  return CLI_OK;
}

int lc_parse_u64(uint64_t *out, const char *s, const char *what) {
  decc_u256 v;
  if (!*s || *s == '-' || *s == '+' || decc_u256_parse(&v, s) != DECC_OK ||
      !decc_u256_to_u64(out, &v))
    return cli_usage_error("%s: '%s' is not a non-negative integer", what, s);
  return CLI_OK;
}

/* ---- output ------------------------------------------------------------- */

void lc_hex(char *out, const uint8_t *p, size_t n) {
  decc_hex_encode(out, p, n, 1);
}

json_t *lc_json_hex(const uint8_t *p, size_t n) {
  char *t = decc_malloc(2 * n + 3);
  if (!t)
    return NULL;
  decc_hex_encode(t, p, n, 1);
  json_t *j = json_string(t);
  decc_free(t);
  return j;
}

json_t *lc_json_addr(const decc_address *a) {
  char h[DECC_ADDRESS_HEX_LEN];
  return json_string(decc_address_to_checksum(h, a));
}

json_t *lc_json_u256(const decc_u256 *v) {
  char d[DECC_U256_DEC_LEN];
  return json_string(decc_u256_to_dec(d, v));
}

json_t *lc_log_json(const decc_log *lg) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  const char *name = NULL;
  char *args = NULL;
  json_object_set_new(o, "address", lc_json_addr(&lg->address));
  if (decc_ledger_decode_log(lg, &name, &args, NULL) == DECC_OK) {
    json_object_set_new(o, "event", json_string(name));
    json_t *a = json_loads(args, 0, NULL);
    json_object_set_new(o, "args", a ? a : json_null());
    decc_free(args);
  } else {
    json_t *t = json_array();
    for (size_t i = 0; i < lg->n_topics; i++)
      json_array_append_new(t, lc_json_hex(lg->topics[i], 32));
    json_object_set_new(o, "topics", t);
    json_object_set_new(o, "data", lc_json_hex(lg->data, lg->data_len));
  }
  json_object_set_new(o, "blockNumber",
                      json_integer((json_int_t)lg->block_number));
  json_object_set_new(o, "transactionHash", lc_json_hex(lg->tx_hash, 32));
  json_object_set_new(o, "logIndex", json_integer(lg->log_index));
  return o;
}

void lc_print_log_text(const decc_log *lg) {
  const char *name = NULL;
  char *args = NULL;
  char a[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(a, &lg->address);
  if (decc_ledger_decode_log(lg, &name, &args, NULL) == DECC_OK) {
    printf("  %s %s @%s\n", name, args, a);
    decc_free(args);
    return;
  }
  char t[DECC_HEX32_LEN];
  printf("  (unknown event) @%s topic0 %s\n", a,
         lg->n_topics ? (lc_hex(t, lg->topics[0], 32), t) : "-");
}

static json_t *receipt_json(const decc_receipt *r) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  json_object_set_new(o, "transactionHash", lc_json_hex(r->tx_hash, 32));
  json_object_set_new(o, "blockNumber",
                      json_integer((json_int_t)r->block_number));
  json_object_set_new(o, "blockHash", lc_json_hex(r->block_hash, 32));
  json_object_set_new(o, "transactionIndex", json_integer(r->tx_index));
  json_object_set_new(o, "from", lc_json_addr(&r->from));
  json_object_set_new(o, "to", lc_json_addr(&r->to));
  json_object_set_new(o, "nonce", json_integer((json_int_t)r->nonce));
  json_object_set_new(o, "status", json_integer(r->status));
  if (!r->status)
    json_object_set_new(o, "revertReason",
                        json_string(r->revert_reason ? r->revert_reason : ""));
  else
    json_object_set_new(o, "output", lc_json_hex(r->output, r->output_len));
  json_t *ev = json_array();
  for (size_t i = 0; i < r->n_logs; i++)
    json_array_append_new(ev, lc_log_json(&r->logs[i]));
  json_object_set_new(o, "events", ev);
  return o;
}

int lc_print_receipt(const decc_receipt *r, json_t *extra) {
  if (g_cli.json) {
    json_t *o = receipt_json(r);
    if (o && extra)
      json_object_update(o, extra);
    json_decref(extra);
    int rc = cli_print_json(o);
    if (rc != CLI_OK)
      return rc;
  } else {
    char h[DECC_HEX32_LEN];
    lc_hex(h, r->tx_hash, 32);
    printf("tx %s\n", h);
    printf("block %llu, %s\n", (unsigned long long)r->block_number,
           r->status ? "success" : "reverted");
    if (r->n_logs) {
      printf("events:\n");
      for (size_t i = 0; i < r->n_logs; i++)
        lc_print_log_text(&r->logs[i]);
    }
    json_decref(extra);
  }
  if (!r->status)
    return cli_fail("transaction reverted: %s",
                    r->revert_reason && *r->revert_reason ? r->revert_reason
                                                          : "(no reason)");
  return CLI_OK;
}

/* ---- calls ---------------------------------------------------------------- */

int lc_calldata(decc_buf *out, decc_abi_enc *e, const char *sig) {
  uint8_t sel[4];
  decc_buf_init(out, 0);
  decc_abi_selector(sel, sig);
  decc_status s = decc_abi_enc_finish_call(e, sel, out);
  decc_abi_enc_clear(e);
  if (s != DECC_OK) {
    decc_buf_clear(out);
    return cli_fail("cannot encode %s: %s", sig, decc_strerror(s));
  }
  return CLI_OK;
}

int lc_view(decc_chain *l, const decc_address *to, const decc_buf *calldata,
            const char *rtypes, decc_abi_value **v, decc_buf *ret) {
  decc_err err;
  decc_err_clear(&err);
  *v = NULL;
  decc_buf_init(ret, 0);
  decc_status s =
      decc_chain_call(l, NULL, to, calldata->data, calldata->len, ret, &err);
  if (s == DECC_E_REVERT)
    return cli_fail("call reverted: %s", err.msg);
  if (s != DECC_OK)
    return cli_fail_err(&err);
  if (decc_abi_decode(v, rtypes, ret->data, ret->len, 0, &err) != DECC_OK) {
    decc_buf_clear(ret);
    return cli_fail("unexpected return data: %s", err.msg);
  }
  return CLI_OK;
}

int lc_send_sk(decc_chain *l, const uint8_t *sk, const decc_address *to,
               const decc_buf *calldata, json_t *extra, decc_receipt *rout) {
  decc_receipt r;
  decc_err err;
  decc_err_clear(&err);
  decc_status s =
      decc_chain_send(l, sk, to, calldata->data, calldata->len, &r, &err);
  if (s != DECC_OK) {
    json_decref(extra);
    return cli_fail("transaction not submitted: %s",
                    err.msg[0] ? err.msg : decc_strerror(s));
  }
  int rc = lc_print_receipt(&r, extra);
  if (rout)
    *rout = r;
  else
    decc_receipt_clear(&r);
  return rc;
}

int lc_send(decc_chain *l, const cli_key_opts *key, const decc_address *to,
            const decc_buf *calldata, json_t *extra, decc_receipt *rout) {
  uint8_t *sk = NULL;
  int rc = cli_key_load(key, &sk);
  if (rc != CLI_OK) {
    json_decref(extra);
    return rc;
  }
  rc = lc_send_sk(l, sk, to, calldata, extra, rout);
  decc_secure_free(sk);
  return rc;
}

int lc_key_load(const cli_key_opts *key, uint8_t **sk, decc_address *a) {
  int rc = cli_key_load(key, sk);
  if (rc != CLI_OK)
    return rc;
  if (decc_address_from_privkey(a, *sk) != DECC_OK) {
    decc_secure_free(*sk);
    *sk = NULL;
    return cli_fail("invalid private key");
  }
  return CLI_OK;
}

/* ---- orders --------------------------------------------------------------- */

decc_status lc_push_order(decc_abi_enc *e, const decc_order *o) {
  return decc_order_abi_push(e, o);
}

static int guess_type(decc_order_type *t, const char *json, size_t len) {
  json_t *j = json_loadb(json, len, 0, NULL);
  if (!j || !json_is_object(j)) {
    json_decref(j);
    return -1;
  }
  int rc = 0;
  if (json_object_get(j, "requester"))
    *t = DECC_ORDER_REQUEST;
  else if (json_object_get(j, "workerpoolprice"))
    *t = DECC_ORDER_WORKERPOOL;
  else if (json_object_get(j, "datasetprice"))
    *t = DECC_ORDER_DATASET;
  else if (json_object_get(j, "appprice"))
    *t = DECC_ORDER_APP;
  else
    rc = -1;
  json_decref(j);
  return rc;
}

int lc_read_order(decc_order *o, const char *path, const char *type_name) {
  size_t len = 0;
  char *json = cli_read_file(path, DECC_ORDER_JSON_MAX, &len, 0);
  if (!json)
    return CLI_FAIL;
  decc_order_type t;
  if (type_name) {
    if (decc_order_type_parse(&t, type_name) != DECC_OK) {
      decc_free(json);
      return cli_usage_error("unknown order type '%s' (apporder, "
                             "datasetorder, workerpoolorder, requestorder)",
                             type_name);
    }
  } else if (guess_type(&t, json, len) != 0) {
    decc_free(json);
    return cli_fail("%s: not an order (no app/dataset/workerpool price or "
                    "requester member)",
                    path);
  }
  decc_err err;
  decc_err_clear(&err);
  decc_status s = decc_order_parse_json(o, t, json, len, NULL, &err);
  decc_free(json);
  if (s != DECC_OK)
    return cli_fail("%s: %s", path, err.msg[0] ? err.msg : decc_strerror(s));
  return CLI_OK;
}
