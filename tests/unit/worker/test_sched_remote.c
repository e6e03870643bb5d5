/*
 * test_sched_remote.c — the remote scheduler protocol's pure parts
 * (worker.h): the signed request digest (every field changes it, the
 * worker's personal_sign recovers to the worker), assignment and report
 * JSON round trips, and the parser's refusals (missing fields, wrong
 * lengths, oversized strings, unknown kinds and causes). The HTTP side
 * (replay, allow list, a full task) is tests/cli/test_node_remote_worker.sh.
 */
#include <string.h>

#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/worker.h"
#include "test.h"

static void fill(uint8_t *b, size_t n, uint8_t seed) {
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)(seed + 7 * i);
}

TEST(digest_binds_every_field) {
  decc_address w, w2;
  fill(w.b, 20, 1);
  fill(w2.b, 20, 2);
  uint8_t base[32], d[32];
  decc_scheduler_request_digest(base, "POST", "/scheduler/replicates/available",
                                &w, 1000, "{}", 2);
  decc_scheduler_request_digest(d, "POST", "/scheduler/replicates/available",
                                &w, 1000, "{}", 2);
  ASSERT_MEM_EQ(base, d, 32);
  decc_scheduler_request_digest(d, "GET", "/scheduler/replicates/available", &w,
                                1000, "{}", 2);
  ASSERT(memcmp(base, d, 32) != 0);
  decc_scheduler_request_digest(d, "POST", "/scheduler/replicates/x/status", &w,
                                1000, "{}", 2);
  ASSERT(memcmp(base, d, 32) != 0);
  decc_scheduler_request_digest(d, "POST", "/scheduler/replicates/available",
                                &w2, 1000, "{}", 2);
  ASSERT(memcmp(base, d, 32) != 0);
  decc_scheduler_request_digest(d, "POST", "/scheduler/replicates/available",
                                &w, 1001, "{}", 2);
  ASSERT(memcmp(base, d, 32) != 0);
  decc_scheduler_request_digest(d, "POST", "/scheduler/replicates/available",
                                &w, 1000, "{ }", 3);
  ASSERT(memcmp(base, d, 32) != 0);
  /* The documented layout, assembled independently. */
  uint8_t msg[256], bh[32];
  size_t n = 0;
  static const char TAG[] = "DECC-SCHEDULER-V1";
  memcpy(msg + n, TAG, sizeof TAG - 1);
  n += sizeof TAG - 1;
  msg[n++] = 0;
  memcpy(msg + n, "POST", 4);
  n += 4;
  msg[n++] = 0;
  const char *path = "/scheduler/replicates/available";
  memcpy(msg + n, path, strlen(path));
  n += strlen(path);
  msg[n++] = 0;
  memcpy(msg + n, w.b, 20);
  n += 20;
  for (int i = 0; i < 8; i++)
    msg[n++] = (uint8_t)((uint64_t)1000 >> (56 - 8 * i));
  decc_keccak256(bh, "{}", 2);
  memcpy(msg + n, bh, 32);
  n += 32;
  decc_keccak256(d, msg, n);
  ASSERT_MEM_EQ(base, d, 32);
}

TEST(signature_recovers_the_worker) {
  uint8_t sk[32], dg[32], sig[65];
  fill(sk, 32, 9);
  ASSERT_OK(decc_privkey_verify(sk));
  decc_address me, got;
  ASSERT_OK(decc_address_from_privkey(&me, sk));
  decc_scheduler_request_digest(dg, "POST", DECC_SCHED_PATH_AVAILABLE, &me,
                                123456789, "", 0);
  ASSERT_OK(decc_eip191_sign(sig, sk, dg, 32));
  ASSERT_OK(decc_eip191_recover(&got, dg, 32, sig));
  ASSERT(decc_address_eq(&me, &got));
  dg[0] ^= 1;
  ASSERT_OK(decc_eip191_recover(&got, dg, 32, sig));
  ASSERT(!decc_address_eq(&me, &got));
}

TEST(assignment_round_trip) {
  decc_task_assignment a, b;
  memset(&a, 0, sizeof a);
  fill(a.task_id, 32, 3);
  fill(a.deal_id, 32, 4);
  fill(a.worker.b, 20, 5);
  fill(a.enclave_challenge.b, 20, 6);
  fill(a.authorization, 65, 7);
  a.index = 41;
  a.tee = 1;
  char *json = NULL;
  ASSERT_OK(decc_assignment_to_json(&json, &a));
  ASSERT(strstr(json, "\"enclaveChallenge\"") != NULL);
  ASSERT(strstr(json, "\"signature\":\"0x") != NULL);
  ASSERT_OK(decc_assignment_from_json(&b, json, strlen(json), NULL));
  ASSERT_MEM_EQ(&a, &b, sizeof a);
  decc_free(json);
  /* A standard task: zero challenge, tee false. */
  memset(a.enclave_challenge.b, 0, 20);
  a.tee = 0;
  ASSERT_OK(decc_assignment_to_json(&json, &a));
  ASSERT_OK(decc_assignment_from_json(&b, json, strlen(json), NULL));
  ASSERT_MEM_EQ(&a, &b, sizeof a);
  decc_free(json);
}

TEST(assignment_refusals) {
  decc_task_assignment a;
  decc_err e;
  const char *bad[] = {
      "[]",
      "{}",
      "not json",
      "{\"worker\":\"0x01\",\"taskid\":\"0x00\"}",
      /* signature one byte short */
      "{\"worker\":\"0x0000000000000000000000000000000000000001\",\"taskid\":"
      "\"0x0000000000000000000000000000000000000000000000000000000000000001\","
      "\"enclaveChallenge\":\"0x0000000000000000000000000000000000000000\","
      "\"signature\":\"0x"
      "0000000000000000000000000000000000000000000000000000"
      "000000000000000000000000000000000000000000000000000000000000000000000000"
      "00\",\"dealid\":"
      "\"0x0000000000000000000000000000000000000000000000000000000000000001\","
      "\"index\":0,\"tee\":false}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    decc_err_clear(&e);
    ASSERT(decc_assignment_from_json(&a, bad[i], strlen(bad[i]), &e) ==
           DECC_E_PARSE);
    ASSERT(e.msg[0] != 0);
  }
}

TEST(report_round_trip_and_limits) {
  decc_worker_report r, q;
  memset(&r, 0, sizeof r);
  r.kind = DECC_REPORT_FAILED;
  r.cause = DECC_CAUSE_APP_EXIT_CODE;
  r.exit_code = -3;
  snprintf(r.detail, sizeof r.detail, "app exited with \"3\"\n");
  snprintf(r.results, sizeof r.results, "{ \"storage\": \"ipfs\" }");
  fill(r.callback, 40, 8);
  r.callback_len = 40;
  char *json = NULL;
  ASSERT_OK(decc_report_to_json(&json, &r));
  ASSERT(strstr(json, "\"kind\":\"FAILED\"") != NULL);
  ASSERT_OK(decc_report_from_json(&q, json, strlen(json), NULL));
  ASSERT_MEM_EQ(&r, &q, sizeof r);
  decc_free(json);

  const char *k = "{\"kind\":\"COMPLETED\"}";
  ASSERT_OK(decc_report_from_json(&q, k, strlen(k), NULL));
  ASSERT_EQ(q.kind, DECC_REPORT_COMPLETED);
  ASSERT_EQ(q.callback_len, 0);

  const char *bad_kind = "{\"kind\":\"DONE\"}";
  ASSERT_EQ(decc_report_from_json(&q, bad_kind, strlen(bad_kind), NULL),
            DECC_E_PARSE);
  const char *bad_cause = "{\"kind\":\"FAILED\",\"cause\":\"NOPE\"}";
  ASSERT_EQ(decc_report_from_json(&q, bad_cause, strlen(bad_cause), NULL),
            DECC_E_PARSE);
  const char *bad_exit = "{\"kind\":\"FAILED\",\"exitCode\":\"1\"}";
  ASSERT_EQ(decc_report_from_json(&q, bad_exit, strlen(bad_exit), NULL),
            DECC_E_PARSE);

  /* detail of 300 bytes: over the 255-byte field. */
  char big[400];
  char pad[301];
  memset(pad, 'a', 300);
  pad[300] = 0;
  snprintf(big, sizeof big, "{\"kind\":\"FAILED\",\"detail\":\"%s\"}", pad);
  ASSERT_EQ(decc_report_from_json(&q, big, strlen(big), NULL), DECC_E_LIMIT);

  /* A callback over the limit. */
  size_t cbn = 2 * (DECC_ENCLAVE_CALLBACK_MAX + 1);
  char *cb = decc_malloc(cbn + 64);
  ASSERT(cb != NULL);
  int m = snprintf(cb, 64, "{\"kind\":\"REVEALED\",\"callback\":\"0x");
  memset(cb + m, '1', cbn);
  memcpy(cb + m + cbn, "\"}", 3);
  ASSERT_EQ(decc_report_from_json(&q, cb, strlen(cb), NULL), DECC_E_LIMIT);
  decc_free(cb);

  /* Encoding refuses an invalid kind. */
  memset(&r, 0, sizeof r);
  ASSERT_EQ(decc_report_to_json(&json, &r), DECC_E_INVALID);
}
