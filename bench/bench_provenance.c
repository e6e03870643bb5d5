/*
 * bench_provenance.c — `decc verify` cost: parsing a provenance bundle
 * and verifying it offline (transaction parse, hash and sender recovery,
 * ABI decode, enclave and workerpool signature recoveries, software quote,
 * events, and the result zip's digest), as bundles/s and µs per bundle,
 * next to the reference measured in the same run: one raw personal_sign
 * recovery (decc_eip191_recover). A bundle needs four recoveries, so a
 * ratio near 4 means the rest of the work is noise next to the crypto.
 *
 * The bundle is built with real keys (tests/unit/provenance/prov_fixture.h)
 * in a scratch directory. Every timed loop checks its result. Iterations
 * scale with DECC_BENCH_SCALE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tests/unit/provenance/prov_fixture.h"
#include "bench_util.h"
#include "decc/keys.h"

static void die(const char *what) {
  fprintf(stderr, "bench_provenance: %s\n", what);
  exit(1);
}

int main(void) {
  bench_peak_rss_at_exit();
  char tmp[] = "/tmp/bench_provenance.XXXXXX";
  if (!mkdtemp(tmp))
    die("mkdtemp");
  fixture f;
  if (setup_in(&f, tmp))
    die("cannot build the bundle");
  char *json = NULL;
  if (decc_prov_to_json(&json, &f.b))
    die("to_json");
  size_t jl = strlen(json);
  decc_prov_verify_opts o;
  memset(&o, 0, sizeof o);
  o.result_zip = f.zip;
  o.result_zip_len = f.zip_len;
  o.expected_chain_id = CHAIN;
  decc_prov_report *rep = decc_calloc(1, sizeof *rep);
  if (!rep)
    die("oom");
  int n = (int)(2000 * bench_scale());
  if (n < 10)
    n = 10;

  /* reference: one personal_sign recovery over a 32-byte message */
  uint8_t msg[32], sig[65];
  memset(msg, 0x5a, 32);
  if (decc_eip191_sign(sig, f.enclave_sk, msg, 32))
    die("sign");
  double t0 = bench_now();
  for (int i = 0; i < n; i++) {
    decc_address a;
    msg[0] = (uint8_t)i; /* a fresh digest each time, same signature: the
                            recovered address changes, the cost does not */
    if (decc_eip191_recover(&a, msg, 32, sig) && i == 0)
      die("recover");
  }
  double t_rec = (bench_now() - t0) / n;

  /* parse only */
  t0 = bench_now();
  for (int i = 0; i < n; i++) {
    decc_prov_bundle b;
    if (decc_prov_from_json(&b, json, jl, NULL))
      die("parse");
    decc_prov_bundle_clear(&b);
  }
  double t_parse = (bench_now() - t0) / n;

  /* what `decc verify BUNDLE --result ZIP` does after reading the files */
  t0 = bench_now();
  for (int i = 0; i < n; i++) {
    decc_prov_bundle b;
    if (decc_prov_from_json(&b, json, jl, NULL) ||
        decc_prov_verify(&b, &o, rep, NULL) || rep->n_failed)
      die("verify failed");
    decc_prov_bundle_clear(&b);
  }
  double t_ver = (bench_now() - t0) / n;

  printf("bundle: %zu bytes of JSON, %zu events, 1 transaction, software "
         "quote, %zu-byte result zip\n",
         jl, f.b.n_events, f.zip_len);
  bench_report("reference personal_sign recover/s", 1.0 / t_rec, "ops/s");
  bench_report("bundle parse/s", 1.0 / t_parse, "bundles/s");
  bench_report("bundle parse+verify/s", 1.0 / t_ver, "bundles/s");
  printf("verify: %.1f us per bundle = %.2f x one signature recovery "
         "(%.1f us)\n",
         t_ver * 1e6, t_ver / t_rec, t_rec * 1e6);
  decc_free(rep);
  decc_free(json);
  fixture_clear(&f);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  if (system(cmd) != 0)
    fprintf(stderr, "bench_provenance: could not remove %s\n", tmp);
  return 0;
}
