/*
 * test_provenance.c — provenance bundles (decc/provenance.h) built from
 * scratch with real keys and signatures: a worker's signed
 * contributeAndFinalize carrying an enclave signature and a workerpool
 * authorization, the hub events naming that transaction, a software quote
 * and a result zip made by the enclave's own zipper. A consistent bundle
 * verifies (also after a JSON round trip); each kind of bad input of issue
 * 15 is refused with its reason: a swapped result (file, digest, results
 * link), a bundle from another chain, a tampered signature or transaction,
 * a quote for another task, truncated, garbage or oversized JSON.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "decc/abi.h"
#include "decc/enclave.h"
#include "decc/hash.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/provenance.h"
#include "decc/tx.h"
#include "test.h"

#include "prov_fixture.h"

static int setup(fixture *f) { return setup_in(f, decc_test_tmpdir()); }

static uint8_t *make_zip_t(const char *text, size_t *len) {
  return make_zip(decc_test_tmpdir(), text, len);
}

static decc_status verify(fixture *f, decc_prov_report *rep, decc_err *err) {
  decc_prov_verify_opts o;
  memset(&o, 0, sizeof o);
  o.result_zip = f->zip;
  o.result_zip_len = f->zip_len;
  o.expected_chain_id = CHAIN;
  return decc_prov_verify(&f->b, &o, rep, err);
}

static int has_line(const decc_prov_report *r, decc_prov_verdict v,
                    const char *needle) {
  for (size_t i = 0; i < r->n; i++)
    if (r->lines[i].verdict == v && strstr(r->lines[i].text, needle))
      return 1;
  return 0;
}

TEST(bundle_consistent_verifies_and_says_what_it_cannot_prove) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  decc_prov_report rep;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(verify(&f, &rep, &err));
  ASSERT_EQ(rep.n_failed, 0);
  ASSERT(decc_address_eq(&rep.worker, &f.worker));
  ASSERT(decc_address_eq(&rep.enclave, &f.enclave));
  ASSERT(decc_address_eq(&rep.authorizer, &f.pool));
  ASSERT(decc_address_eq(&rep.platform, &f.platform));
  ASSERT(has_line(&rep, DECC_PROV_PROVEN, "signed result digest"));
  ASSERT(has_line(&rep, DECC_PROV_PROVEN, "hashes to the signed result"));
  ASSERT(has_line(&rep, DECC_PROV_NOT_PROVEN, "not hardware protection"));
  ASSERT(has_line(&rep, DECC_PROV_NOT_PROVEN, "chain source's word"));
  ASSERT(has_line(&rep, DECC_PROV_PROVEN, "signed this quote's claims"));
  fixture_clear(&f);
}

TEST(bundle_quote_binding_checked) {
  fixture f;
  decc_prov_report rep;
  decc_err err;
  decc_err_clear(&err);
  /* bound by another key than the one that signed the result: a quote of
   * another run passed off as this result's */
  ASSERT_EQ(setup(&f), 0);
  uint8_t other[32], bm[32];
  memset(other, 0x44, 32);
  decc_enclave_quote_binding_message(bm, f.b.quote);
  ASSERT_OK(decc_eip191_sign(f.b.binding, other, bm, 32));
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_BAD_SIGNATURE);
  ASSERT(strstr(err.msg, "not to the enclave key that signed the result"));
  fixture_clear(&f);
  /* a quote re-signed by the platform with other claims: the binding no
   * longer matches */
  ASSERT_EQ(setup(&f), 0);
  f.b.quote->nonce[0] ^= 1;
  ASSERT_OK(decc_quote_sign(f.b.quote, f.platform_sk));
  ASSERT(verify(&f, &rep, &err) != DECC_OK);
  ASSERT_EQ(rep.n_failed, 1);
  fixture_clear(&f);
  /* no binding: not proven, not failed */
  ASSERT_EQ(setup(&f), 0);
  f.b.has_binding = 0;
  ASSERT_OK(verify(&f, &rep, &err));
  ASSERT(has_line(&rep, DECC_PROV_NOT_PROVEN, "no binding signature"));
  /* a binding without a quote does not parse */
  char *j = NULL;
  f.b.has_binding = 1;
  ASSERT_OK(decc_prov_to_json(&j, &f.b));
  json_t *root = json_loads(j, 0, NULL);
  decc_free(j);
  ASSERT(root != NULL);
  ASSERT_EQ(json_object_set_new(json_object_get(root, "attestation"), "quote",
                                json_null()),
            0);
  char *t = json_dumps(root, JSON_PRESERVE_ORDER);
  json_decref(root);
  ASSERT(t != NULL);
  decc_prov_bundle c;
  ASSERT_EQ(decc_prov_from_json(&c, t, strlen(t), &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "attestation.binding"));
  free(t);
  fixture_clear(&f);
}

TEST(bundle_json_round_trip) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  char *j1 = NULL, *j2 = NULL;
  ASSERT_OK(decc_prov_to_json(&j1, &f.b));
  decc_prov_bundle c;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc_prov_from_json(&c, j1, strlen(j1), &err));
  ASSERT_OK(decc_prov_to_json(&j2, &c));
  ASSERT_STR_EQ(j1, j2);
  decc_prov_bundle_clear(&f.b);
  f.b = c;
  decc_prov_report rep;
  ASSERT_OK(verify(&f, &rep, &err));
  decc_free(j1);
  decc_free(j2);
  fixture_clear(&f);
}

TEST(bundle_swapped_result_file_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  size_t n;
  uint8_t *other = make_zip_t("43\n", &n);
  ASSERT(other);
  free(f.zip);
  f.zip = other;
  f.zip_len = n;
  decc_prov_report rep;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "swapped result"));
  fixture_clear(&f);
}

TEST(bundle_swapped_digest_or_results_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  decc_prov_report rep;
  decc_err err;
  f.b.result_digest[0] ^= 1;
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "swapped result"));
  f.b.result_digest[0] ^= 1;
  f.b.results[5] ^= 1;
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "swapped result"));
  fixture_clear(&f);
}

TEST(bundle_from_another_chain_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  decc_prov_report rep;
  decc_err err;
  /* the bundle claims another chain: the transaction's own chain id says no */
  f.b.chain_id = 1;
  decc_prov_verify_opts o;
  memset(&o, 0, sizeof o);
  ASSERT_EQ(decc_prov_verify(&f.b, &o, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "another chain"));
  /* the reader expects another chain than the bundle's */
  f.b.chain_id = CHAIN;
  o.expected_chain_id = 1;
  ASSERT_EQ(decc_prov_verify(&f.b, &o, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "not the chain 1 you expect"));
  fixture_clear(&f);
}

TEST(bundle_tampered_signature_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  decc_prov_report rep;
  decc_err err;
  /* an enclave signature by another key, in a transaction the events name */
  uint8_t other[32], txh[32];
  memset(other, 0x55, 32);
  decc_free(f.b.txs[0]);
  make_tx(&f, other, f.digest, &f.b.txs[0], &f.b.tx_lens[0], txh);
  for (size_t i = 0; i < f.b.n_events; i++)
    if (!strcmp(f.b.events[i].name, "TaskContribute") ||
        !strcmp(f.b.events[i].name, "TaskFinalize"))
      memcpy(f.b.events[i].log.tx_hash, txh, 32);
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_BAD_SIGNATURE);
  ASSERT(strstr(err.msg, "tampered signature"));
  fixture_clear(&f);
  /* a byte of the signed transaction flipped (its signature area) */
  ASSERT_EQ(setup(&f), 0);
  f.b.txs[0][f.b.tx_lens[0] - 5] ^= 0x40;
  ASSERT(verify(&f, &rep, &err) != DECC_OK);
  fixture_clear(&f);
  /* a tampered quote */
  ASSERT_EQ(setup(&f), 0);
  f.b.quote->signature[10] ^= 1;
  ASSERT(verify(&f, &rep, &err) != DECC_OK);
  fixture_clear(&f);
}

TEST(bundle_quote_for_another_task_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  f.b.quote->task_id[0] ^= 1;
  ASSERT_OK(decc_quote_sign(f.b.quote, f.platform_sk));
  decc_prov_report rep;
  decc_err err;
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "another task"));
  fixture_clear(&f);
}

TEST(bundle_missing_event_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  /* drop TaskFinalize */
  decc_log_clear(&f.b.events[3].log);
  f.b.n_events = 3;
  decc_prov_report rep;
  decc_err err;
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "TaskFinalize"));
  fixture_clear(&f);
}

TEST(bundle_bad_json_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  char *j = NULL;
  ASSERT_OK(decc_prov_to_json(&j, &f.b));
  decc_prov_bundle c;
  decc_err err;
  /* truncated */
  ASSERT_EQ(decc_prov_from_json(&c, j, strlen(j) / 2, &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "not JSON"));
  /* garbage */
  ASSERT_EQ(decc_prov_from_json(&c, "\x01\x02garbage", 9, &err), DECC_E_PARSE);
  /* another format */
  char *p = strstr(j, "decc-provenance/1");
  ASSERT(p);
  p[16] = '9';
  ASSERT_EQ(decc_prov_from_json(&c, j, strlen(j), &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "format"));
  p[16] = '1';
  /* an unknown field */
  p = strstr(j, "\"created\"");
  ASSERT(p);
  memcpy(p, "\"cheated\"", 9);
  ASSERT_EQ(decc_prov_from_json(&c, j, strlen(j), &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "cheated"));
  /* too large */
  ASSERT_EQ(decc_prov_from_json(&c, j, DECC_PROV_MAX_BYTES + 1, &err),
            DECC_E_LIMIT);
  decc_free(j);
  fixture_clear(&f);
}

TEST(zip_result_digest_directory_rule) {
  /* deterministic output = the whole /iexec_out: keccak of the direct file
   * children's sha256 in name order (computed.json included) */
  const char *t = decc_test_tmpdir();
  char dir[512], path[600], zip[600];
  snprintf(dir, sizeof dir, "%s/dirout", t);
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/b.txt", dir);
  write_file(path, "bee");
  snprintf(path, sizeof path, "%s/a.txt", dir);
  write_file(path, "ay");
  snprintf(path, sizeof path, "%s/computed.json", dir);
  write_file(path, "{\"deterministic-output-path\":\"/iexec_out/\"}");
  snprintf(path, sizeof path, "%s/sub", dir);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/sub/c.txt", dir);
  write_file(path, "sea");
  snprintf(zip, sizeof zip, "%s.zip", dir);
  ASSERT_OK(decc_enclave_zip_dir(zip, dir, 1 << 20, NULL));
  uint8_t want[32], got[32];
  /* the enclave's own rule on the directory itself */
  ASSERT_OK(decc_enclave_result_digest(want, dir, NULL));
  size_t n;
  uint8_t *z = (uint8_t *)decc_test_read_file(zip, &n);
  decc_err err;
  ASSERT_OK(decc_prov_zip_result_digest(got, z, n, &err));
  ASSERT(!memcmp(want, got, 32));
  /* not a zip */
  ASSERT_EQ(
      decc_prov_zip_result_digest(got, (const uint8_t *)"PK nope", 7, &err),
      DECC_E_PARSE);
}
