/*
 * test_e2e.c — the confidential-compute chain end to end on the embedded
 * ledger, store and an in-process SMS: a dataset encrypted and stored,
 * its key pushed to the SMS, a TEE app registered with its bundle's
 * measurement, orders signed and matched, then the scheduler (SchedulerNotice
 * → initialize → enclave challenge → authorization) and the worker
 * (attested enclave → SMS session → pre-compute → app in the sandbox →
 * encrypted result → contributeAndFinalize); the requester decrypts the
 * result and every payment is checked to the nRLC. Also: a failing app
 * whose task is claimed at the deadline with its cause recorded and the
 * requester refunded; a standard trust-3 task on two workers (contribute,
 * consensus, reveal, finalize) with a worker restart in between; a worker
 * the pool owner did not authorize (SMS and chain refuse); a scheduler
 * key that does not own the pool. Needs root (sandbox).
 */
#include "e2e_world.h"
#include "test.h"

TEST(confidential_task_end_to_end_with_payments) {
  NEED_ROOT();
  e2e t;
  ASSERT_EQ(setup(&t, decc_test_tmpdir()), 0);
  ASSERT_EQ(make_worker(&t, K_W1, &t.w1), 0);
  uint64_t s0[K_N];
  for (int i = 0; i < K_N; i++)
    s0[i] = stake(&t, i);
  uint8_t deal[32], task[32];
  ASSERT_EQ(match(&t, 1, 0,
                  "{\"iexec_args\":\"ok e2e\",\"iexec_secrets\":{\"1\":"
                  "\"my-secret\"},\"iexec_result_encryption\":true,"
                  "\"iexec_result_storage_provider\":\"ipfs\"}",
                  deal, task),
            0);
  ASSERT_EQ(stake(&t, K_REQ), s0[K_REQ] - APP_PRICE - DS_PRICE - WP_PRICE);
  decc_worker *ws[1] = {t.w1};
  ASSERT_EQ(drive(&t, task, ws, 1, 6), DECC_TASK_COMPLETED);

  /* the result on chain, in the store, decrypted by the requester */
  decc_poco_task tk;
  ASSERT_EQ(task_status(&t, task, &tk), DECC_TASK_COMPLETED);
  json_t *res = json_loadb((const char *)tk.results, tk.results_len, 0, NULL);
  ASSERT(res);
  ASSERT_STR_EQ(json_string_value(json_object_get(res, "storage")), "ipfs");
  const char *loc = json_string_value(json_object_get(res, "location"));
  ASSERT(loc && !strncmp(loc, "/ipfs/", 6));
  ASSERT(strstr((const char *)tk.results, "{ \"storage\": \"ipfs\", "));
  decc_buf arch;
  ASSERT_EQ(fix_cat(t.bs, loc, &arch), 0);
  uint8_t *zip = NULL;
  size_t zn = 0;
  ASSERT_OK(
      decc_result_decrypt(&zip, &zn, NULL, t.rsa, arch.data, arch.len, NULL));
  char *out = fix_zip_entry(zip, zn, "result.txt");
  ASSERT(out);
  ASSERT(strstr(out, "data=alice's data\n"));
  ASSERT(strstr(out, "secret=requester-secret\n"));
  ASSERT(strstr(out, "args=ok e2e\n"));
  uint8_t dg[32];
  decc_sha256(dg, out, strlen(out));
  ASSERT_MEM_EQ(tk.result_digest, dg, 32);
  free(out);
  decc_free(zip);
  decc_buf_clear(&arch);
  json_decref(res);
  decc_poco_task_clear(&tk);

  /* payments to the nRLC: app and dataset owners paid, worker gets the
   * pool price × (100 − schedulerRewardRatio) %, the pool owner the rest */
  decc_poco_deal d;
  ASSERT_OK(decc_hub_view_deal(t.c_test, deal, &d, NULL));
  uint64_t ratio = 0;
  ASSERT(decc_u256_to_u64(&ratio, &d.scheduler_reward_ratio));
  decc_poco_deal_clear(&d);
  uint64_t wpay = WP_PRICE * (100 - ratio) / 100;
  ASSERT_EQ(stake(&t, K_APP), s0[K_APP] + APP_PRICE);
  ASSERT_EQ(stake(&t, K_DS), s0[K_DS] + DS_PRICE);
  ASSERT_EQ(stake(&t, K_W1), s0[K_W1] + wpay);
  ASSERT_EQ(stake(&t, K_POOL), s0[K_POOL] + (WP_PRICE - wpay));
  ASSERT_EQ(stake(&t, K_REQ), s0[K_REQ] - APP_PRICE - DS_PRICE - WP_PRICE);

  /* the logs: requester only */
  uint8_t msg[32], sig[65];
  char *logs = NULL;
  decc_worker_logs_message(msg, task);
  ASSERT_OK(decc_eip191_sign(sig, t.sk[K_REQ], msg, 32));
  ASSERT_OK(decc_worker_task_logs(t.w1, task, sig, &logs, NULL));
  ASSERT(strstr(logs, "app done: ok"));
  ASSERT(strstr(logs, "\"cause\":\"NONE\""));
  decc_free(logs);
  ASSERT_OK(decc_eip191_sign(sig, t.sk[K_W1], msg, 32));
  ASSERT_EQ(decc_worker_task_logs(t.w1, task, sig, &logs, NULL), DECC_E_DENIED);
  teardown(&t);
}

TEST(failed_task_is_claimed_with_its_cause) {
  NEED_ROOT();
  e2e t;
  ASSERT_EQ(setup(&t, decc_test_tmpdir()), 0);
  ASSERT_EQ(make_worker(&t, K_W1, &t.w1), 0);
  uint64_t req0 = stake(&t, K_REQ);
  uint8_t deal[32], task[32];
  ASSERT_EQ(match(&t, 1, 0, "{\"iexec_args\":\"fail\"}", deal, task), 0);
  decc_worker *ws[1] = {t.w1};
  ASSERT_EQ(drive(&t, task, ws, 1, 3), DECC_TASK_ACTIVE);
  char sp[800], wp[800];
  snprintf(sp, sizeof sp, "%s/scheduler.sqlite", t.tmp);
  snprintf(wp, sizeof wp, "%s/worker%d/state.sqlite", t.tmp, K_W1);
  decc_task_failure f;
  ASSERT_OK(decc_task_failure_read(wp, task, &f, NULL));
  ASSERT_EQ(f.cause, DECC_CAUSE_APP_EXIT_CODE);
  ASSERT_EQ(f.exit_code, 3);
  /* past the final deadline (10 × 300 s): the scheduler claims */
  ASSERT_OK(decc_ledger_time_increase(t.l, 3100, NULL, NULL));
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &t.who[K_REQ]);
  ASSERT_EQ(call(&t, K_REQ, &t.addr.token, &e, "balanceOf(address)", NULL), 0);
  ASSERT_EQ(drive(&t, task, ws, 1, 2), DECC_TASK_FAILED);
  ASSERT_EQ(stake(&t, K_REQ), req0);
  ASSERT_OK(decc_task_failure_read(sp, task, &f, NULL));
  ASSERT_EQ(f.cause, DECC_CAUSE_APP_EXIT_CODE);
  ASSERT(strstr(f.detail, "claimed"));
  ASSERT(decc_address_eq(&f.worker, &t.who[K_W1]));
  size_t open = 9, ended = 9;
  decc_scheduler_counts(t.sched, &open, &ended);
  ASSERT_EQ(open, 0);
  ASSERT_EQ(ended, 1);
  teardown(&t);
}

TEST(standard_task_replicated_with_consensus_and_restart) {
  NEED_ROOT();
  e2e t;
  ASSERT_EQ(setup(&t, decc_test_tmpdir()), 0);
  ASSERT_EQ(make_worker(&t, K_W1, &t.w1), 0);
  ASSERT_EQ(make_worker(&t, K_W2, &t.w2), 0);
  uint64_t w10 = stake(&t, K_W1), w20 = stake(&t, K_W2);
  uint8_t deal[32], task[32];
  ASSERT_EQ(match(&t, 0, 3, "{\"iexec_args\":\"ok std\"}", deal, task), 0);
  decc_err err;
  ASSERT_OK(decc_scheduler_step(t.sched, NULL, &err)); /* initialize */
  ASSERT_OK(decc_worker_step(t.w1, NULL, &err));       /* contribute */
  ASSERT_EQ(task_status(&t, task, NULL), DECC_TASK_ACTIVE);
  /* worker 1 restarts from its state directory */
  decc_worker_destroy(t.w1);
  t.w1 = NULL;
  ASSERT_EQ(make_worker(&t, K_W1, &t.w1), 0);
  ASSERT_OK(decc_worker_step(t.w2, NULL, &err)); /* contribute → consensus */
  ASSERT_EQ(task_status(&t, task, NULL), DECC_TASK_REVEALING);
  decc_worker *ws[2] = {t.w1, t.w2};
  ASSERT_EQ(drive(&t, task, ws, 2, 4), DECC_TASK_COMPLETED);
  decc_poco_task tk;
  ASSERT_EQ(task_status(&t, task, &tk), DECC_TASK_COMPLETED);
  ASSERT_EQ(tk.n_contributions, 2);
  ASSERT(strstr((const char *)tk.results, "/ipfs/"));
  decc_poco_task_clear(&tk);
  /* both proved: each got half the workers' share, stakes back */
  uint64_t s1 = stake(&t, K_W1), s2 = stake(&t, K_W2);
  ASSERT(s1 > w10);
  ASSERT_EQ(s1 - w10, s2 - w20);
  teardown(&t);
}

TEST(unauthorized_worker_is_refused_by_sms_and_chain) {
  NEED_ROOT();
  e2e t;
  ASSERT_EQ(setup(&t, decc_test_tmpdir()), 0);
  uint8_t deal[32], task[32];
  ASSERT_EQ(match(&t, 1, 0, "{\"iexec_args\":\"ok\"}", deal, task), 0);
  decc_err err;
  ASSERT_OK(decc_scheduler_step(t.sched, NULL, &err));
  ASSERT_OK(decc_scheduler_step(t.sched, NULL, &err)); /* challenge */
  /* a scheduler with a key that does not own the pool is refused */
  decc_scheduler_config sc;
  memset(&sc, 0, sizeof sc);
  sc.chain = t.c_test;
  sc.pool_sk32 = t.sk[K_ROGUE];
  sc.workerpool = t.pool;
  char p[800];
  snprintf(p, sizeof p, "%s/rogue.sqlite", t.tmp);
  sc.state_path = p;
  decc_scheduler *rogue = NULL;
  ASSERT_EQ(decc_scheduler_create(&rogue, &sc, &err), DECC_E_DENIED);
  /* the real assignment, then one forged by another key */
  decc_task_assignment a;
  ASSERT_OK(decc_scheduler_assign(t.sched, &t.who[K_W2], &a, &err));
  ASSERT(a.tee);
  uint8_t msg[32];
  decc_poco_authorization_message(msg, &t.who[K_W2], task,
                                  &a.enclave_challenge);
  ASSERT_OK(decc_eip191_sign(a.authorization, t.sk[K_ROGUE], msg, 32));
  /* SMS: the session is refused */
  decc_sms_session_request r;
  memset(&r, 0, sizeof r);
  memcpy(r.task_id, task, 32);
  memcpy(r.deal_id, deal, 32);
  r.worker = t.who[K_W2];
  r.enclave_challenge = a.enclave_challenge;
  memcpy(r.pool_signature, a.authorization, 65);
  uint8_t nonce[32], pk[32], esk[32], wsig[65];
  ASSERT_OK(decc_sms_attestation_nonce(t.sms, task, nonce, NULL, NULL, &err));
  ASSERT_OK(decc_enclave_keypair(pk, esk));
  memcpy(r.quote.measurement, t.measurement, 32);
  memcpy(r.quote.enclave_pubkey, pk, 32);
  memcpy(r.quote.task_id, task, 32);
  memcpy(r.quote.nonce, nonce, 32);
  r.quote.timestamp = (uint64_t)time(NULL);
  ASSERT_OK(t.be.quote(t.be.ctx, &r.quote, &err));
  ASSERT_OK(decc_eip191_sign(wsig, t.sk[K_W2], msg, 32));
  char hex[133], sid[DECC_SMS_SESSION_ID_LEN + 1];
  decc_hex_encode(hex, wsig, 65, 1);
  uint8_t *sealed = NULL;
  size_t sl = 0;
  const char *code = NULL;
  decc_status st =
      decc_sms_release_session(t.sms, &r, hex, sid, &sealed, &sl, &code, &err);
  ASSERT(st != DECC_OK);
  ASSERT(sealed == NULL);
  printf("    SMS refused: %s (%s)\n", code ? code : "?", err.msg);
  /* chain: a contribution with that authorization reverts */
  decc_abi_enc e;
  uint8_t digest[32];
  memset(digest, 7, 32);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, task);
  decc_abi_enc_push_bytes32(&e, digest);
  decc_abi_enc_push_bytes(&e, "x", 1);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_abi_enc_push_address(&e, &a.enclave_challenge);
  decc_abi_enc_push_bytes(&e, wsig, 65);
  decc_abi_enc_push_bytes(&e, a.authorization, 65);
  ASSERT(call(&t, K_W2, &t.addr.hub, &e,
              "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,"
              "bytes,bytes)",
              NULL) != 0);
  ASSERT_EQ(task_status(&t, task, NULL), DECC_TASK_ACTIVE);
  decc_memzero(esk, 32);
  teardown(&t);
}
