/*
 * test_ledger_vectors.c — the ledger against outside vectors:
 *  * tests/vectors/ledger/ledger.json (tools/vectors/gen_ledger.mjs):
 *    EIP-1559 transactions signed by ethers carrying calldata that ethers
 *    encoded from the @iexec/poco 6.1.0 ABIs (createApp, createDataset,
 *    createWorkerpool, approveAndCall, approve, deposit, withdraw,
 *    matchOrders with ethers-signed orders) execute with ethers' tx hashes
 *    and return the CREATE2 addresses ethers predicted from the artifacts'
 *    proxy code, and the deal id of PoCo's formula; views (predict*,
 *    proxyCodeHash, frozenOf, viewConsumed) return the expected words;
 *  * tests/vectors/orders/orders.json (the iexec SDK): for each chain of
 *    the vectors a ledger with that chain id and hub computes the SDK's
 *    order hashes from its own eip712domain_separator() and its
 *    verifySignature view accepts the SDK signatures (and refuses another
 *    signer).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "decc/encoding.h"
#include "decc/order.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

static json_t *load(const char *rel) {
  size_t n = 0;
  char *text = decc_test_read_file(decc_test_vector_path(rel), &n);
  if (!text)
    return NULL;
  json_t *j = json_loadb(text, n, 0, NULL);
  free(text);
  return j;
}

static const char *jstr(const json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k));
}

static int hex_eq(const uint8_t *p, size_t n, const char *hex) {
  size_t m = 0;
  uint8_t *b = decc_test_unhex(hex, &m);
  int eq = b && m == n && (n == 0 || !memcmp(b, p, n));
  free(b);
  return eq;
}

TEST(ethers_transactions_and_calldata_execute) {
  json_t *v = load("ledger/ledger.json");
  ASSERT(v);
  decc_genesis g;
  ASSERT_OK(decc_genesis_default(&g));
  g.timestamp = 1700000000;
  ASSERT_EQ((uint64_t)json_integer_value(json_object_get(v, "chainId")),
            g.chain_id);
  decc_ledger *l;
  ASSERT_OK(decc_ledger_open_memory(&l, &g, NULL));
  decc_genesis_clear(&g);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  json_t *c = json_object_get(v, "contracts");
  decc_address hub = addr_of(jstr(c, "hub"));
  ASSERT_MEM_EQ(hub.b, info.addr.hub.b, 20);
  json_t *steps = json_object_get(v, "steps");
  ASSERT(json_array_size(steps) >= 8);
  size_t i;
  json_t *s;
  json_array_foreach(steps, i, s) {
    size_t rn = 0;
    uint8_t *raw = decc_test_unhex(jstr(s, "raw"), &rn);
    ASSERT(raw);
    const uint8_t *p = raw;
    decc_receipt r;
    decc_err err;
    decc_status st = decc_ledger_submit_raw(l, &p, &rn, 1, &r, &err);
    if (st != DECC_OK)
      fprintf(stderr, "step %s: %s\n", jstr(s, "what"), err.msg);
    ASSERT_OK(st);
    free(raw);
    if (r.status != 1)
      fprintf(stderr, "step %s reverted: %s\n", jstr(s, "what"),
              r.revert_reason);
    ASSERT_EQ(r.status, 1);
    ASSERT(hex_eq(r.tx_hash, 32, jstr(s, "hash")));
    decc_address sender = addr_of(jstr(s, "sender"));
    ASSERT_MEM_EQ(r.from.b, sender.b, 20);
    ASSERT_EQ(r.nonce,
              (uint64_t)json_integer_value(json_object_get(s, "nonce")));
    ASSERT(hex_eq(r.output, r.output_len, jstr(s, "output")));
    /* the calldata ethers encoded is what the ledger stored: inside the
     * raw form, with no second copy in the input column (schema 3) */
    decc_buf stored;
    decc_buf_init(&stored, 0);
    ASSERT_OK(decc_ledger_tx_raw(l, r.tx_hash, &stored, NULL));
    decc_tx t;
    decc_tx_init(&t);
    ASSERT_OK(decc_tx_parse(&t, stored.data, stored.len, NULL));
    ASSERT(hex_eq(t.data, t.data_len, jstr(s, "data")));
    decc_tx_clear(&t);
    decc_buf_clear(&stored);
    sqlite3_stmt *q;
    int found;
    ASSERT_OK(ldg_query(l, &q, &found,
                        "SELECT length(input) FROM txs WHERE "
                        "hash=?1",
                        NULL, "h", r.tx_hash));
    ASSERT(found);
    ASSERT_EQ(sqlite3_column_int(q, 0), 0);
    sqlite3_reset(q);
    decc_receipt_clear(&r);
  }
  /* the entries sit at the predicted CREATE2 addresses */
  json_t *pr = json_object_get(v, "predicted");
  const char *kinds[3] = {"app", "dataset", "workerpool"};
  for (int k = 0; k < 3; k++) {
    decc_address a = addr_of(jstr(pr, kinds[k]));
    ldg_target t;
    ASSERT_OK(ldg_target_of(l, &a, &t, NULL));
    ASSERT_EQ(t, k == 0   ? LDG_T_APP
                 : k == 1 ? LDG_T_DATASET
                          : LDG_T_WORKERPOOL);
  }
  json_t *views = json_object_get(v, "views");
  ASSERT(json_array_size(views) >= 5);
  json_array_foreach(views, i, s) {
    size_t dn = 0;
    uint8_t *d = decc_test_unhex(jstr(s, "data"), &dn);
    decc_address to = addr_of(jstr(s, "to"));
    decc_buf out;
    decc_buf_init(&out, 0);
    decc_err err;
    decc_status st = decc_ledger_view(l, NULL, &to, d, dn, &out, &err);
    if (st != DECC_OK)
      fprintf(stderr, "view %s: %s\n", jstr(s, "what"), err.msg);
    ASSERT_OK(st);
    if (!hex_eq(out.data, out.len, jstr(s, "output")))
      fprintf(stderr, "view %s differs\n", jstr(s, "what"));
    ASSERT(hex_eq(out.data, out.len, jstr(s, "output")));
    decc_buf_clear(&out);
    free(d);
  }
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, json_array_size(steps));
  decc_ledger_close(l);
  json_decref(v);
}

TEST(sdk_signed_orders_verify_on_the_ledger) {
  json_t *v = load("orders/orders.json");
  ASSERT(v);
  json_t *orders = json_object_get(v, "orders");
  ASSERT(json_array_size(orders) >= 100);
  size_t checked = 0;
  /* one ledger per (chain id, hub) of the vectors */
  for (int pass = 0; pass < 8; pass++) {
    uint64_t chain = 0;
    const char *hubs = NULL;
    size_t i;
    json_t *o;
    int k = 0;
    /* the pass-th distinct domain */
    char seen[8][80];
    int nseen = 0;
    json_array_foreach(orders, i, o) {
      char key[80];
      snprintf(key, sizeof key, "%lld/%s",
               (long long)json_integer_value(json_object_get(o, "chainId")),
               jstr(o, "hub"));
      int dup = 0;
      for (int q = 0; q < nseen; q++)
        dup |= !strcmp(seen[q], key);
      if (dup || nseen >= 8)
        continue;
      snprintf(seen[nseen++], sizeof seen[0], "%s", key);
      if (k++ == pass) {
        chain = (uint64_t)json_integer_value(json_object_get(o, "chainId"));
        hubs = jstr(o, "hub");
      }
    }
    if (!hubs)
      break;
    decc_genesis g;
    ASSERT_OK(decc_genesis_default(&g));
    g.chain_id = chain;
    g.addr.hub = addr_of(hubs);
    decc_ledger *l;
    ASSERT_OK(decc_ledger_open_memory(&l, &g, NULL));
    decc_genesis_clear(&g);
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    decc_buf d = finish_call(&e, "eip712domain_separator()");
    uint8_t sep[32];
    decc_address hub = addr_of(hubs);
    ASSERT_EQ(view_word(l, &hub, &d, sep), 0);
    decc_buf_clear(&d);
    json_array_foreach(orders, i, o) {
      if ((uint64_t)json_integer_value(json_object_get(o, "chainId")) !=
              chain ||
          strcmp(jstr(o, "hub"), hubs))
        continue;
      decc_order_type t;
      ASSERT_OK(decc_order_type_parse(&t, jstr(o, "type")));
      char *text = json_dumps(json_object_get(o, "order"), JSON_COMPACT);
      decc_order ord;
      ASSERT_OK(decc_order_parse_json(&ord, t, text, strlen(text), NULL, NULL));
      free(text);
      uint8_t h[32];
      decc_order_hash(h, &ord, sep);
      ASSERT(hex_eq(h, 32, jstr(o, "orderHash")));
      decc_address signer = addr_of(jstr(o, "signer"));
      for (int wrong = 0; wrong < 2; wrong++) {
        decc_address who = signer;
        if (wrong)
          who.b[0] ^= 1;
        decc_abi_enc_init(&e, 0);
        decc_abi_enc_push_address(&e, &who);
        decc_abi_enc_push_bytes32(&e, h);
        decc_abi_enc_push_bytes(&e, ord.sign, ord.sign_len);
        d = finish_call(&e, "verifySignature(address,bytes32,bytes)");
        uint8_t w[32];
        ASSERT_EQ(view_word(l, &hub, &d, w), 0);
        ASSERT_EQ(w[31], wrong ? 0 : 1);
        decc_buf_clear(&d);
      }
      decc_order_clear(&ord);
      checked++;
    }
    decc_ledger_close(l);
  }
  ASSERT_EQ(checked, json_array_size(orders));
  json_decref(v);
}
