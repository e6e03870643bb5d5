/*
 * bench_eth.c — throughput of the Ethereum encoding layer on a realistic
 * payload: matchOrders calldata (4 order tuples, a JSON params string, 65-
 * byte signatures) ABI-encoded and decoded, the EIP-1559 tx carrying it
 * RLP-encoded and decoded, and tx sign / parse+recover.
 *
 * Each figure is printed with a ratio against a reference measured in the
 * same run: keccak-256 over the same bytes for the codecs (how many hashes
 * of the payload one encode/decode costs), and the bare secp256k1
 * sign/recover of a digest for the tx operations (the overhead of the
 * transaction layer). Every timed loop checks its result.
 * Iterations scale with DECC_BENCH_SCALE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "decc/abi.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/rlp.h"
#include "decc/tx.h"

#define MATCH_SIG                                                              \
  "matchOrders((address,uint256,uint256,bytes32,address,address,address,"      \
  "bytes32,bytes),(address,uint256,uint256,bytes32,address,address,address,"   \
  "bytes32,bytes),(address,uint256,uint256,bytes32,uint256,uint256,address,"   \
  "address,address,bytes32,bytes),(address,uint256,address,uint256,address,"   \
  "uint256,address,uint256,bytes32,uint256,uint256,address,address,string,"    \
  "bytes32,bytes))"

#define PARAMS                                                                 \
  "{\"iexec_args\":\"--in data.csv --out result.json\",\"iexec_result_"        \
  "storage_provider\":\"ipfs\",\"iexec_input_files\":[\"https://example.com/"  \
  "a.csv\"]}"

static void die(const char *what) {
  fprintf(stderr, "bench_eth: %s\n", what);
  exit(1);
}

static void addr_of(decc_address *a, uint8_t seed) {
  for (int i = 0; i < 20; i++)
    a->b[i] = (uint8_t)(seed * 7 + i);
}

/* Encodes the matchOrders calldata from fixed field values. */
static decc_status encode_match(decc_abi_enc *e, const uint8_t sel[4],
                                decc_buf *out) {
  decc_address app, wp, req, zero = {{0}};
  addr_of(&app, 1);
  addr_of(&wp, 2);
  addr_of(&req, 3);
  uint8_t tag[32] = {0}, salt[32], sig[65];
  tag[31] = 3;
  memset(salt, 0x5a, sizeof salt);
  memset(sig, 0x1b, sizeof sig);
  decc_u256 price = decc_u256_from_u64(1000000000), vol = decc_u256_from_u64(1);
  /* apporder */
  decc_abi_enc_begin_tuple(e);
  decc_abi_enc_push_address(e, &app);
  decc_abi_enc_push_u256(e, &price);
  decc_abi_enc_push_u256(e, &vol);
  decc_abi_enc_push_bytes32(e, tag);
  for (int i = 0; i < 3; i++)
    decc_abi_enc_push_address(e, &zero);
  decc_abi_enc_push_bytes32(e, salt);
  decc_abi_enc_push_bytes(e, sig, sizeof sig);
  decc_abi_enc_end_tuple(e);
  /* datasetorder: all zero, empty sign */
  decc_abi_enc_begin_tuple(e);
  decc_abi_enc_push_address(e, &zero);
  decc_abi_enc_push_u64(e, 0);
  decc_abi_enc_push_u64(e, 0);
  decc_abi_enc_push_bytes32(e, (const uint8_t[32]){0});
  for (int i = 0; i < 3; i++)
    decc_abi_enc_push_address(e, &zero);
  decc_abi_enc_push_bytes32(e, (const uint8_t[32]){0});
  decc_abi_enc_push_bytes(e, NULL, 0);
  decc_abi_enc_end_tuple(e);
  /* workerpoolorder */
  decc_abi_enc_begin_tuple(e);
  decc_abi_enc_push_address(e, &wp);
  decc_abi_enc_push_u256(e, &price);
  decc_abi_enc_push_u64(e, 100);
  decc_abi_enc_push_bytes32(e, tag);
  decc_abi_enc_push_u64(e, 0);
  decc_abi_enc_push_u64(e, 0);
  for (int i = 0; i < 3; i++)
    decc_abi_enc_push_address(e, &zero);
  decc_abi_enc_push_bytes32(e, salt);
  decc_abi_enc_push_bytes(e, sig, sizeof sig);
  decc_abi_enc_end_tuple(e);
  /* requestorder */
  decc_abi_enc_begin_tuple(e);
  decc_abi_enc_push_address(e, &app);
  decc_abi_enc_push_u256(e, &price);
  decc_abi_enc_push_address(e, &zero);
  decc_abi_enc_push_u64(e, 0);
  decc_abi_enc_push_address(e, &wp);
  decc_abi_enc_push_u256(e, &price);
  decc_abi_enc_push_address(e, &req);
  decc_abi_enc_push_u256(e, &vol);
  decc_abi_enc_push_bytes32(e, tag);
  decc_abi_enc_push_u64(e, 0);
  decc_abi_enc_push_u64(e, 0);
  decc_abi_enc_push_address(e, &req);
  decc_abi_enc_push_address(e, &zero);
  decc_abi_enc_push_string(e, PARAMS);
  decc_abi_enc_push_bytes32(e, salt);
  decc_abi_enc_push_bytes(e, sig, sizeof sig);
  decc_abi_enc_end_tuple(e);
  return decc_abi_enc_finish_call(e, sel, out);
}

static double g_sink;

/* Keccak reference: ops/s hashing n bytes. */
static double keccak_rate(const uint8_t *p, size_t n, long iters) {
  uint8_t h[32];
  double t0 = bench_now();
  for (long i = 0; i < iters; i++) {
    decc_keccak256(h, p, n);
    g_sink += h[0];
  }
  return (double)iters / (bench_now() - t0);
}

static void report_ratio(const char *name, double rate, double ref,
                         const char *refname) {
  char line[160];
  snprintf(line, sizeof line, "%s (%.2fx %s)", name, rate / ref, refname);
  bench_report(line, rate, "ops/s");
}

int main(void) {
  double scale = bench_scale();
  long iters = (long)(20000 * scale), sig_iters = (long)(2000 * scale);
  if (iters < 10)
    iters = 10;
  if (sig_iters < 10)
    sig_iters = 10;

  /* ---- ABI ---- */
  decc_abi_type *args = NULL;
  uint8_t sel[4];
  if (decc_abi_func_parse(&args, sel, MATCH_SIG, NULL))
    die("func_parse");
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf cd;
  decc_buf_init(&cd, 0);
  if (encode_match(&e, sel, &cd))
    die("encode");
  printf("matchOrders calldata: %zu bytes\n", cd.len);
  double kref = keccak_rate(cd.data, cd.len, iters);
  bench_report("reference: keccak256(calldata)", kref, "ops/s");

  decc_buf out;
  decc_buf_init(&out, 0);
  double t0 = bench_now();
  for (long i = 0; i < iters; i++) {
    decc_buf_reset(&out);
    if (encode_match(&e, sel, &out) || out.len != cd.len)
      die("encode loop");
  }
  double enc_rate = (double)iters / (bench_now() - t0);
  if (memcmp(out.data, cd.data, cd.len))
    die("encode mismatch");
  report_ratio("abi encode matchOrders", enc_rate, kref, "keccak");

  t0 = bench_now();
  for (long i = 0; i < iters; i++) {
    decc_abi_value *v = NULL;
    if (decc_abi_decode_type(&v, args, cd.data + 4, cd.len - 4, 0, NULL))
      die("decode loop");
    uint64_t vol = 0;
    if (decc_abi_get_u64(decc_abi_item(decc_abi_item(v, 2), 2), &vol) ||
        vol != 100)
      die("decoded value");
    decc_abi_value_free(v);
  }
  double dec_rate = (double)iters / (bench_now() - t0);
  report_ratio("abi decode matchOrders (parsed type)", dec_rate, kref,
               "keccak");

  t0 = bench_now();
  for (long i = 0; i < iters / 4; i++) {
    decc_abi_value *v = NULL;
    if (decc_abi_decode_call(&v, MATCH_SIG, cd.data, cd.len, DECC_ABI_CANONICAL,
                             NULL))
      die("decode_call loop");
    decc_abi_value_free(v);
  }
  double call_rate = (double)(iters / 4) / (bench_now() - t0);
  report_ratio("abi decode_call matchOrders (sig+canonical)", call_rate, kref,
               "keccak");

  /* ---- tx / RLP ---- */
  uint8_t sk[32];
  memset(sk, 0x11, sizeof sk);
  decc_address me;
  if (decc_address_from_privkey(&me, sk))
    die("key");
  decc_tx tx;
  decc_tx_init(&tx);
  tx.type = DECC_TX_EIP1559;
  tx.chain_id = 42161;
  tx.nonce = 7;
  tx.max_priority_fee = decc_u256_from_u64(1000000000);
  tx.max_fee = decc_u256_from_u64(100000000000ull);
  tx.gas_limit = 500000;
  tx.has_to = 1;
  addr_of(&tx.to, 9);
  if (decc_tx_set_data(&tx, cd.data, cd.len) || decc_tx_sign(&tx, sk, NULL))
    die("tx setup");
  decc_buf raw;
  decc_buf_init(&raw, 0);
  if (decc_tx_serialize(&raw, &tx, NULL))
    die("serialize");
  printf("type-2 tx with matchOrders: %zu bytes\n", raw.len);

  uint8_t h[32];
  t0 = bench_now();
  for (long i = 0; i < iters; i++) {
    if (decc_tx_signing_hash(h, &tx, NULL))
      die("rlp encode loop");
    g_sink += h[0];
  }
  double rlp_enc = (double)iters / (bench_now() - t0);
  double kraw = keccak_rate(raw.data, raw.len, iters);
  report_ratio("rlp encode+keccak tx signing payload", rlp_enc, kraw,
               "keccak(raw)");

  t0 = bench_now();
  for (long i = 0; i < iters; i++) {
    decc_rlp_item top, f[12];
    size_t n;
    if (decc_rlp_decode(&top, raw.data + 1, raw.len - 1, NULL) ||
        decc_rlp_list_items(f, 12, &n, &top, NULL) || n != 12 ||
        f[7].len != cd.len)
      die("rlp decode loop");
  }
  double rlp_dec = (double)iters / (bench_now() - t0);
  report_ratio("rlp decode tx (validate + split)", rlp_dec, kraw,
               "keccak(raw)");

  /* signing: reference = bare digest signing */
  uint8_t sig[65];
  t0 = bench_now();
  for (long i = 0; i < sig_iters; i++) {
    h[0] = (uint8_t)i;
    if (decc_sign_digest(sig, sk, h))
      die("sign ref");
  }
  double sign_ref = (double)sig_iters / (bench_now() - t0);
  bench_report("reference: secp256k1 sign digest", sign_ref, "ops/s");
  t0 = bench_now();
  for (long i = 0; i < sig_iters; i++) {
    tx.nonce = (uint64_t)i;
    decc_buf_reset(&raw);
    if (decc_tx_sign(&tx, sk, NULL) || decc_tx_serialize(&raw, &tx, NULL))
      die("tx sign loop");
  }
  double sign_rate = (double)sig_iters / (bench_now() - t0);
  report_ratio("tx sign+serialize (matchOrders tx)", sign_rate, sign_ref,
               "bare sign");

  decc_address from;
  memcpy(sig, tx.r, 32);
  memcpy(sig + 32, tx.s, 32);
  sig[64] = (uint8_t)(27 + tx.y_parity);
  if (decc_tx_signing_hash(h, &tx, NULL))
    die("hash");
  t0 = bench_now();
  for (long i = 0; i < sig_iters; i++) {
    if (decc_recover_digest(&from, h, sig))
      die("recover ref");
  }
  double rec_ref = (double)sig_iters / (bench_now() - t0);
  bench_report("reference: secp256k1 recover digest", rec_ref, "ops/s");
  t0 = bench_now();
  for (long i = 0; i < sig_iters; i++) {
    decc_tx p;
    decc_tx_init(&p);
    if (decc_tx_parse(&p, raw.data, raw.len, NULL) ||
        decc_tx_recover(&from, &p, NULL) || !decc_address_eq(&from, &me))
      die("parse+recover loop");
    decc_tx_clear(&p);
  }
  double parse_rate = (double)sig_iters / (bench_now() - t0);
  report_ratio("tx parse+recover (matchOrders tx)", parse_rate, rec_ref,
               "bare recover");
  printf("peak RSS: %ld KiB\n", bench_peak_rss_kib());

  decc_tx_clear(&tx);
  decc_buf_clear(&raw);
  decc_buf_clear(&out);
  decc_buf_clear(&cd);
  decc_abi_enc_clear(&e);
  decc_abi_type_free(args);
  return g_sink < 0;
}
