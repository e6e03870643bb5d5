/*
 * test_sms.c — the SMS core on the in-memory chain view: who may write
 * which secret (iExec's challenges, the §1.9 vector), enclave challenges,
 * attestation nonces, the session a TEE task receives, and every attack
 * of the issue as its own test (wrong measurement, forged / untrusted /
 * replayed quotes, task not ACTIVE, worker not authorised, another user's
 * requester secret, a dataset not in the deal, oversized secrets), plus
 * "no secret in logs".
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "decc/result.h"
#include "sms_fixture.h"

static const char DS_KEY[] = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";

TEST(web3_vector_signature_is_accepted_for_the_dataset_owner) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  /* §1.9: key 0x11…11 → 0x19E7E376…; it owns dataset 0x2222…22 */
  char a[43];
  ASSERT_STR_EQ(decc_address_to_checksum(a, &f.who[K_DS_OWNER]),
                "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A");
  const char *sig =
      "0xbe0fe3093ef7b1996d7b247e379328a66affaa541a6cdddf15c88acf8d388b6e"
      "0e7b8554189db21a7f49b05fc2767f28dce2ae0c7992b376cad55c2ab636d1cd1c";
  ASSERT_EQ(
      decc_sms_secret_exists(f.sms, DECC_SECRET_WEB3, &f.dataset, NULL, NULL),
      DECC_E_NOT_FOUND);
  const char *code = "x";
  ASSERT_OK(decc_sms_push_web3(f.sms, &f.dataset, DS_KEY, strlen(DS_KEY), sig,
                               &code, NULL));
  ASSERT(code == NULL);
  ASSERT_OK(
      decc_sms_secret_exists(f.sms, DECC_SECRET_WEB3, &f.dataset, NULL, NULL));
  /* never updatable */
  decc_err err;
  ASSERT_EQ(decc_sms_push_web3(f.sms, &f.dataset, DS_KEY, strlen(DS_KEY), sig,
                               &code, &err),
            DECC_E_EXISTS);
  ASSERT_STR_EQ(code, "SECRET_ALREADY_EXISTS");
  ASSERT_EQ(decc_sms_http_status(DECC_E_EXISTS, 'w'), 409);
  fx_free(&f);
}

TEST(attack_non_owner_pushing_a_dataset_key) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  const char *code = NULL;
  decc_err err;
  uint8_t ch[32];
  decc_sms_web3_challenge(ch, &f.dataset, DS_KEY, strlen(DS_KEY));
  ASSERT_EQ(decc_sms_push_web3(f.sms, &f.dataset, DS_KEY, strlen(DS_KEY),
                               fx_sig(&f, K_OTHER, ch), &code, &err),
            DECC_E_BAD_SIGNATURE);
  ASSERT_STR_EQ(code, "INVALID_SIGNATURE");
  ASSERT_EQ(decc_sms_http_status(DECC_E_BAD_SIGNATURE, 'w'), 401);
  /* a signature over another value does not carry over */
  decc_sms_web3_challenge(ch, &f.dataset, "other", 5);
  ASSERT_EQ(decc_sms_push_web3(f.sms, &f.dataset, DS_KEY, strlen(DS_KEY),
                               fx_sig(&f, K_DS_OWNER, ch), &code, &err),
            DECC_E_BAD_SIGNATURE);
  /* an address with no owner on chain */
  decc_address nobody;
  memset(nobody.b, 0x77, 20);
  decc_sms_web3_challenge(ch, &nobody, DS_KEY, strlen(DS_KEY));
  ASSERT_EQ(decc_sms_push_web3(f.sms, &nobody, DS_KEY, strlen(DS_KEY),
                               fx_sig(&f, K_DS_OWNER, ch), &code, &err),
            DECC_E_DENIED);
  ASSERT_STR_EQ(code, "NO_OWNER_ON_CHAIN");
  /* malformed headers */
  ASSERT_EQ(decc_sms_push_web3(f.sms, &f.dataset, DS_KEY, strlen(DS_KEY), NULL,
                               &code, &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_sms_push_web3(f.sms, &f.dataset, DS_KEY, strlen(DS_KEY),
                               "0xzz", &code, &err),
            DECC_E_PARSE);
  ASSERT_STR_EQ(code, "MISSING_OR_MALFORMED_AUTHORIZATION");
  ASSERT_EQ(
      decc_sms_secret_exists(f.sms, DECC_SECRET_WEB3, &f.dataset, NULL, NULL),
      DECC_E_NOT_FOUND);
  /* the owner changes on chain: the new owner may push, the old may not */
  ASSERT_OK(decc_sms_memchain_set_owner(f.mc, &f.dataset, &f.who[K_OTHER]));
  ASSERT_EQ(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY),
            DECC_E_BAD_SIGNATURE);
  ASSERT_OK(fx_push_web3(&f, K_OTHER, &f.dataset, DS_KEY));
  fx_free(&f);
}

TEST(web2_secrets_case_insensitive_update_and_status) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web2(&f, K_REQ, "My-Token", "v1", 0));
  ASSERT_OK(decc_sms_secret_exists(f.sms, DECC_SECRET_WEB2, &f.who[K_REQ],
                                   "my-token", NULL));
  ASSERT_OK(decc_sms_secret_exists(f.sms, DECC_SECRET_WEB2, &f.who[K_REQ],
                                   "MY-TOKEN", NULL));
  ASSERT_EQ(fx_push_web2(&f, K_REQ, "my-token", "v2", 0), DECC_E_EXISTS);
  ASSERT_OK(fx_push_web2(&f, K_REQ, "MY-token", "v2", 1));
  uint8_t *v = NULL;
  size_t n = 0;
  ASSERT_OK(decc_vault_get(decc_sms_vault(f.sms), DECC_SECRET_WEB2,
                           &f.who[K_REQ], "my-token", &v, &n, NULL));
  ASSERT_EQ(n, 2);
  ASSERT_MEM_EQ(v, "v2", 2);
  decc_secure_free(v);
  ASSERT_EQ(fx_push_web2(&f, K_REQ, "absent", "v", 1), DECC_E_NOT_FOUND);
  ASSERT_EQ(decc_sms_http_status(DECC_E_NOT_FOUND, 'u'), 404);
  /* another key cannot write under the requester's address */
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, &f.who[K_REQ], "x", 1, "v", 1);
  ASSERT_EQ(decc_sms_push_web2(f.sms, &f.who[K_REQ], "x", "v", 1, 0,
                               fx_sig(&f, K_OTHER, ch), NULL, NULL),
            DECC_E_BAD_SIGNATURE);
  ASSERT_EQ(
      decc_sms_secret_exists(f.sms, DECC_SECRET_WEB2, &f.who[K_REQ], "", NULL),
      DECC_E_INVALID);
  fx_free(&f);
}

TEST(result_encryption_key_must_be_base64_of_an_rsa_public_pem) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  decc_rsa_key *k = NULL;
  ASSERT_OK(decc_rsa_keygen(&k, 2048, NULL));
  char *b64 = NULL, *pem = NULL;
  size_t bl = 0, pl = 0;
  ASSERT_OK(decc_rsa_key_public_b64(&b64, &bl, k, NULL));
  ASSERT_OK(decc_rsa_key_public_pem(&pem, &pl, k, NULL));
  /* raw PEM (not base64) and garbage are refused, with a reason */
  const char *code = NULL;
  decc_err err;
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, &f.who[K_REQ], DECC_SMS_RESULT_ENCRYPTION_KEY, 34,
                          pem, pl);
  ASSERT_EQ(decc_sms_push_web2(f.sms, &f.who[K_REQ],
                               DECC_SMS_RESULT_ENCRYPTION_KEY, pem, pl, 0,
                               fx_sig(&f, K_REQ, ch), &code, &err),
            DECC_E_INVALID);
  ASSERT_STR_EQ(code, "INVALID_RESULT_ENCRYPTION_KEY");
  ASSERT_EQ(
      fx_push_web2(&f, K_REQ, DECC_SMS_RESULT_ENCRYPTION_KEY, "bm9wZQ==", 0),
      DECC_E_INVALID);
  /* the reserved name matches case-insensitively */
  ASSERT_EQ(fx_push_web2(&f, K_REQ, "IEXEC-RESULT-ENCRYPTION-PUBLIC-KEY",
                         "bm9wZQ==", 0),
            DECC_E_INVALID);
  ASSERT_OK(fx_push_web2(&f, K_REQ, DECC_SMS_RESULT_ENCRYPTION_KEY, b64, 0));
  decc_free(b64);
  decc_free(pem);
  decc_rsa_key_destroy(k);
  fx_free(&f);
}

TEST(app_and_requester_secrets_and_size_limit) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_EQ(fx_push_app(&f, K_OTHER, "dev"), DECC_E_BAD_SIGNATURE);
  ASSERT_OK(fx_push_app(&f, K_APP_OWNER, "dev"));
  ASSERT_EQ(fx_push_app(&f, K_APP_OWNER, "dev2"), DECC_E_EXISTS);
  ASSERT_OK(
      decc_sms_secret_exists(f.sms, DECC_SECRET_APP_DEV, &f.app, NULL, NULL));
  const char *code = NULL;
  decc_err err;
  ASSERT_EQ(decc_sms_push_requester_secret(f.sms, &f.who[K_REQ], "bad key", "v",
                                           1, "0x", &code, &err),
            DECC_E_INVALID);
  ASSERT_EQ(decc_sms_http_status(DECC_E_INVALID, 'w'), 400);
  char long_key[66];
  memset(long_key, 'a', 65);
  long_key[65] = 0;
  ASSERT_EQ(fx_push_req(&f, K_REQ, long_key, "v"), DECC_E_INVALID);
  ASSERT_OK(fx_push_req(&f, K_REQ, long_key + 1, "v")); /* 64 chars */
  ASSERT_OK(fx_push_req(&f, K_REQ, "A-b_9", "v"));
  /* 4096 bytes ok, 4097 refused with 413 */
  char *big = malloc(4098);
  memset(big, 'x', 4097);
  big[4097] = 0;
  ASSERT_EQ(fx_push_req(&f, K_REQ, "big", big), DECC_E_LIMIT);
  ASSERT_EQ(decc_sms_http_status(DECC_E_LIMIT, 'w'), 413);
  big[4096] = 0;
  ASSERT_OK(fx_push_req(&f, K_REQ, "big", big));
  free(big);
  /* not UTF-8 */
  ASSERT_EQ(fx_push_req(&f, K_REQ, "bin", "\xff\xfe"), DECC_E_INVALID);
  fx_free(&f);
}

TEST(enclave_challenge_get_or_create_and_refusals) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  uint8_t h[32];
  decc_sms_authorization_hash(h, NULL, f.task, NULL);
  decc_address e1, e2;
  const char *code = NULL;
  decc_err err;
  ASSERT_OK(decc_sms_enclave_challenge(f.sms, f.task, fx_sig(&f, K_POOL, h),
                                       &e1, &code, &err));
  ASSERT_OK(decc_sms_enclave_challenge(f.sms, f.task, fx_sig(&f, K_POOL, h),
                                       &e2, &code, &err));
  ASSERT(decc_address_eq(&e1, &e2));
  /* not the pool owner */
  ASSERT_EQ(decc_sms_enclave_challenge(f.sms, f.task, fx_sig(&f, K_OTHER, h),
                                       &e2, &code, &err),
            DECC_E_BAD_SIGNATURE);
  ASSERT_STR_EQ(code, "EXECUTION_NOT_AUTHORIZED_INVALID_SIGNATURE");
  /* unknown task: 404 */
  uint8_t other[32];
  memset(other, 0x99, 32);
  ASSERT_EQ(decc_sms_enclave_challenge(f.sms, other, fx_sig(&f, K_POOL, h), &e2,
                                       &code, &err),
            DECC_E_NOT_FOUND);
  ASSERT_EQ(decc_sms_http_status(DECC_E_NOT_FOUND, 'c'), 404);
  /* tags: 0 (standard), 0xb (tee+scone+tdx: no framework), 0x3 (SCONE, not
   * served here) */
  static const uint8_t tags[] = {0x00, 0x0b, 0x03, 0x01};
  for (size_t i = 0; i < sizeof tags; i++) {
    f.d.tag[31] = tags[i];
    ASSERT_EQ(fx_set_deal(&f, FX_PARAMS), 0);
    ASSERT_EQ(decc_sms_enclave_challenge(f.sms, f.task, fx_sig(&f, K_POOL, h),
                                         &e2, &code, &err),
              DECC_E_DENIED);
    ASSERT_STR_EQ(code, "EXECUTION_NOT_AUTHORIZED_NO_MATCH_ONCHAIN_TYPE");
  }
  f.d.tag[31] = 0x09;
  f.d.tag[30] = 0x01; /* gpu bit does not matter */
  ASSERT_EQ(fx_set_deal(&f, FX_PARAMS), 0);
  ASSERT_OK(decc_sms_enclave_challenge(f.sms, f.task, fx_sig(&f, K_POOL, h),
                                       &e2, &code, &err));
  /* task COMPLETED: refused */
  ASSERT_EQ(fx_set_task_status(&f, DECC_SMS_TASK_COMPLETED), 0);
  ASSERT_EQ(decc_sms_enclave_challenge(f.sms, f.task, fx_sig(&f, K_POOL, h),
                                       &e2, &code, &err),
            DECC_E_DENIED);
  ASSERT_STR_EQ(code, "EXECUTION_NOT_AUTHORIZED_TASK_NOT_ACTIVE");
  ASSERT(strstr(err.msg, "COMPLETED") != NULL);
  /* after the final deadline: refused, and the key is deleted when read */
  ASSERT_EQ(fx_set_task_status(&f, DECC_SMS_TASK_ACTIVE), 0);
  decc_sms_memchain_set_now(f.mc, f.t.final_deadline);
  ASSERT_EQ(decc_sms_enclave_challenge(f.sms, f.task, fx_sig(&f, K_POOL, h),
                                       &e2, &code, &err),
            DECC_E_DENIED);
  ASSERT_STR_EQ(code, "EXECUTION_NOT_AUTHORIZED_TASK_FINAL_DEADLINE_REACHED");
  fx_free(&f);
}

TEST(session_happy_path_has_exactly_the_deal_secrets) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  ASSERT_OK(fx_push_req(&f, K_REQ, "my-token", "requester-secret-value"));
  ASSERT_OK(fx_push_app(&f, K_APP_OWNER, "app-dev-secret-value"));
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  char *plain = NULL;
  const char *code = NULL;
  ASSERT_OK(fx_release(&f, &e, &code, &doc, &plain));
  char th[67], w[43], ca[43], sum[67];
  decc_hex_encode(th, f.task, 32, 1);
  /* session id: 10 alphanumerics + "0000" + task id */
  const char *name = json_string_value(json_object_get(doc, "name"));
  ASSERT(name && strlen(name) == DECC_SMS_SESSION_ID_LEN);
  ASSERT(!strncmp(name + 10, "0000", 4) && !strcmp(name + 14, th));
  /* pre-compute */
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_KEY"), DS_KEY);
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_URL"),
                "/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ");
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_CHECKSUM"),
                decc_hex_encode(sum, f.ds_sum, 32, 1));
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_FILENAME"),
                "0x2222222222222222222222222222222222222222");
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IS_DATASET_REQUIRED"), "true");
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_INPUT_FILE_URL_1"),
                "https://x/y");
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_TASK_ID"), th);
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "SIGN_WORKER_ADDRESS"),
                decc_address_to_checksum(w, &f.who[K_WORKER]));
  /* the challenge key released is the one whose address the scheduler got */
  const char *skh =
      fx_env(doc, "post-compute", "SIGN_TEE_CHALLENGE_PRIVATE_KEY");
  ASSERT(skh != NULL);
  uint8_t csk[32];
  decc_address ck;
  ASSERT_OK(decc_hex_decode_exact(csk, 32, skh, "k", NULL));
  ASSERT_OK(decc_address_from_privkey(&ck, csk));
  ASSERT(decc_address_eq(&ck, &e.challenge));
  decc_address_to_checksum(ca, &ck);
  /* app: secrets, no signing key */
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_REQUESTER_SECRET_1"),
                "requester-secret-value");
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_APP_DEVELOPER_SECRET"),
                "app-dev-secret-value");
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_APP_DEVELOPER_SECRET_1"),
                "app-dev-secret-value");
  ASSERT(fx_env(doc, "app", "SIGN_TEE_CHALLENGE_PRIVATE_KEY") == NULL);
  ASSERT(fx_env(doc, "app", "IEXEC_DATASET_KEY") == NULL);
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_IN"), "/iexec_in");
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_OUT"), "/iexec_out");
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_BOT_SIZE"), "1");
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_INPUT_FILES_NUMBER"), "1");
  uint8_t uh[32];
  decc_sha256(uh, "https://x/y", 11);
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_INPUT_FILE_NAME_1"),
                decc_hex_encode(sum, uh, 32, 1));
  json_t *app = json_array_get(json_object_get(doc, "services"), 1);
  ASSERT_STR_EQ(json_string_value(json_object_get(app, "fingerprint")),
                decc_hex_encode(sum, f.app_sum, 32, 1));
  ASSERT_STR_EQ(json_string_value(json_object_get(app, "args")), "a b");
  ASSERT_STR_EQ(json_string_value(json_object_get(app, "image_name")),
                "registry/app:1");
  /* post-compute */
  ASSERT_STR_EQ(fx_env(doc, "post-compute", "RESULT_ENCRYPTION"), "false");
  ASSERT_STR_EQ(fx_env(doc, "post-compute", "RESULT_STORAGE_PROVIDER"), "ipfs");
  ASSERT_STR_EQ(fx_env(doc, "post-compute", "RESULT_STORAGE_CALLBACK"),
                "false");
  /* logs: the release is logged, no secret value is */
  ASSERT(strstr(f.logs, "released session") != NULL);
  ASSERT(strstr(f.logs, DS_KEY) == NULL);
  ASSERT(strstr(f.logs, "requester-secret-value") == NULL);
  ASSERT(strstr(f.logs, skh + 2) == NULL);
  json_decref(doc);
  decc_secure_free(plain);
  decc_memzero(csk, 32);
  fx_free(&f);
}

TEST(session_is_sealed_to_the_quoted_enclave_key) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  uint8_t *box = NULL, pk2[32], sk2[32];
  size_t bl = 0;
  ASSERT_OK(decc_sms_release_session(f.sms, &e.req, e.worker_auth, sid, &box,
                                     &bl, NULL, NULL));
  /* the worker relays ciphertext: no secret in it, and another key fails */
  ASSERT(memmem(box, bl, DS_KEY, strlen(DS_KEY)) == NULL);
  ASSERT_OK(decc_enclave_keypair(pk2, sk2));
  char *txt = NULL;
  size_t n = 0;
  ASSERT_EQ(decc_sms_session_open(&txt, &n, box, bl, pk2, sk2), DECC_E_BAD_MAC);
  box[bl / 2] ^= 1;
  ASSERT_EQ(decc_sms_session_open(&txt, &n, box, bl, e.pk, e.sk),
            DECC_E_BAD_MAC);
  decc_free(box);
  fx_free(&f);
}

TEST(attack_app_measurement_differs_from_the_deal_app_checksum) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  e.req.quote.measurement[0] ^= 0xff; /* another bundle, honestly quoted */
  ASSERT_EQ(fx_resign_quote(&f, &e, K_PLATFORM), 0);
  const char *code = NULL;
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_MEASUREMENT_MISMATCH");
  ASSERT(strstr(f.logs, "ATTESTATION_MEASUREMENT_MISMATCH") != NULL);
  fx_free(&f);
}

TEST(attack_forged_quote) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  /* the worker swaps in its own enclave key after the platform signed */
  uint8_t sk2[32];
  ASSERT_OK(decc_enclave_keypair(e.req.quote.enclave_pubkey, sk2));
  const char *code = NULL;
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_BAD_SIGNATURE);
  ASSERT_STR_EQ(code, "ATTESTATION_BAD_SIGNATURE");
  fx_free(&f);
}

TEST(attack_quote_from_an_untrusted_platform) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_OTHER, K_POOL, K_WORKER, &st), 0);
  const char *code = NULL;
  decc_err err;
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  uint8_t *box = NULL;
  size_t bl = 0;
  ASSERT_EQ(decc_sms_release_session(f.sms, &e.req, e.worker_auth, sid, &box,
                                     &bl, &code, &err),
            DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_UNTRUSTED_PLATFORM");
  ASSERT(strstr(err.msg, "untrusted platform") != NULL);
  ASSERT(box == NULL && bl == 0);
  fx_free(&f);
}

TEST(attack_replayed_stale_or_foreign_nonce) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  const char *code = NULL;
  ASSERT_OK(fx_release(&f, &e, &code, NULL, NULL));
  /* the same quote again: single-use nonce */
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_NONCE_UNKNOWN");
  /* a nonce never issued */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  memset(e.req.quote.nonce, 0x42, 32);
  ASSERT_EQ(fx_resign_quote(&f, &e, K_PLATFORM), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_NONCE_UNKNOWN");
  /* an expired nonce (clock past the 120 s lifetime, quote fresh) */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  g_fx_clock += 121;
  e.req.quote.timestamp = g_fx_clock;
  ASSERT_EQ(fx_resign_quote(&f, &e, K_PLATFORM), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_NONCE_EXPIRED");
  /* a stale quote timestamp */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  e.req.quote.timestamp = g_fx_clock - 1000;
  ASSERT_EQ(fx_resign_quote(&f, &e, K_PLATFORM), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_STALE_QUOTE");
  /* a quote made for another task */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  e.req.quote.task_id[0] ^= 1;
  ASSERT_EQ(fx_resign_quote(&f, &e, K_PLATFORM), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_TASK_MISMATCH");
  /* a nonce issued for another (active) task of the deal */
  uint8_t buf[64], task2[32];
  memcpy(buf, f.deal, 32);
  memset(buf + 32, 0, 32);
  buf[63] = 1;
  decc_keccak256(task2, buf, 64);
  decc_sms_task t2 = f.t;
  t2.index = 1;
  ASSERT_OK(decc_sms_memchain_set_task(f.mc, task2, &t2));
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_OK(decc_sms_attestation_nonce(f.sms, task2, e.req.quote.nonce, NULL,
                                       NULL, NULL));
  ASSERT_EQ(fx_resign_quote(&f, &e, K_PLATFORM), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_NONCE_UNKNOWN");
  /* a nonce whose lifetime was extended (its expiry is MAC'd) */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  e.req.quote.nonce[6] ^= 1;
  ASSERT_EQ(fx_resign_quote(&f, &e, K_PLATFORM), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_NONCE_UNKNOWN");
  /* a nonce of another SMS process (its own random key) */
  fx other;
  uint64_t clock_now = g_fx_clock;
  ASSERT_EQ(fx_init(&other), 0);
  g_fx_clock = clock_now; /* fx_init reset the shared test clock */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_OK(decc_sms_attestation_nonce(other.sms, f.task, e.req.quote.nonce,
                                       NULL, NULL, NULL));
  ASSERT_EQ(fx_resign_quote(&f, &e, K_PLATFORM), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_NONCE_UNKNOWN");
  fx_free(&other);
  fx_free(&f);
}

TEST(attack_outsider_nonce_flood_does_not_stop_the_worker) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  /* Task ids are public and nonces need no signature: an outsider asks for
   * far more than the old per-task table held (16) — every one is issued,
   * and none of them takes anything from the worker. */
  const char *code = NULL;
  uint8_t n[32], first[32];
  for (int i = 0; i < 5000; i++) {
    ASSERT_OK(decc_sms_attestation_nonce(f.sms, f.task, n, NULL, &code, NULL));
    if (i == 0)
      memcpy(first, n, 32);
  }
  ASSERT(memcmp(first, n, 32) != 0);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  ASSERT_OK(fx_release(&f, &e, &code, &doc, NULL));
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_KEY"), DS_KEY);
  json_decref(doc);
  fx_free(&f);
}

TEST(sessions_per_task_are_bounded_within_the_nonce_lifetime) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  fx_enclave e;
  decc_status st;
  const char *code = NULL;
  /* the authorized, attested worker itself: 16 sessions, then refused */
  for (int i = 0; i < 16; i++) {
    ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
    ASSERT_OK(fx_release(&f, &e, &code, NULL, NULL));
  }
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "TOO_MANY_SESSIONS");
  /* once the used nonces expire, sessions are released again */
  g_fx_clock += 121;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_OK(fx_release(&f, &e, &code, NULL, NULL));
  fx_free(&f);
}

/* The used nonces' index is rebuilt when the earliest expires: a nonce that
 * outlives the purge is still refused when replayed, and the task's count
 * restarts from the nonces that are left. */
TEST(replay_guard_survives_the_purge_of_expired_nonces) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  fx_enclave a, b;
  decc_status st;
  const char *code = NULL;
  ASSERT_EQ(fx_prepare(&f, &a, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_OK(fx_release(&f, &a, &code, NULL, NULL));
  g_fx_clock += 60;
  ASSERT_EQ(fx_prepare(&f, &b, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_OK(fx_release(&f, &b, &code, NULL, NULL));
  /* a's nonce expires (120 s), b's has 59 s left: the next release purges */
  g_fx_clock += 61;
  fx_enclave c;
  ASSERT_EQ(fx_prepare(&f, &c, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_OK(fx_release(&f, &c, &code, NULL, NULL));
  ASSERT_EQ(fx_release(&f, &b, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_NONCE_UNKNOWN");
  ASSERT_EQ(fx_release(&f, &c, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_NONCE_UNKNOWN");
  /* b and c are left: 14 more sessions within the lifetime, then refused */
  for (int i = 0; i < 14; i++) {
    ASSERT_EQ(fx_prepare(&f, &c, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
    ASSERT_OK(fx_release(&f, &c, &code, NULL, NULL));
  }
  ASSERT_EQ(fx_prepare(&f, &c, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(fx_release(&f, &c, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "TOO_MANY_SESSIONS");
  fx_free(&f);
}

TEST(attack_session_for_a_task_not_active_or_completed) {
  static const unsigned states[] = {
      DECC_SMS_TASK_COMPLETED, DECC_SMS_TASK_REVEALING, DECC_SMS_TASK_FAILED};
  for (size_t i = 0; i < 3; i++) {
    fx f;
    ASSERT_EQ(fx_init(&f), 0);
    ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
    fx_enclave e;
    decc_status st;
    ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
    ASSERT_EQ(fx_set_task_status(&f, states[i]), 0);
    const char *code = NULL;
    ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
    ASSERT_STR_EQ(code, "EXECUTION_NOT_AUTHORIZED_TASK_NOT_ACTIVE");
    fx_free(&f);
  }
  /* a task that does not exist: 404 */
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(fx_set_task_status(&f, DECC_SMS_TASK_UNSET), 0);
  const char *code = NULL;
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_NOT_FOUND);
  ASSERT_EQ(decc_sms_http_status(DECC_E_NOT_FOUND, 's'), 404);
  fx_free(&f);
}

TEST(attack_worker_not_authorized_by_the_pool_owner) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  fx_enclave e;
  decc_status st;
  const char *code = NULL;
  /* authorization signed by someone else than the pool owner */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_OTHER, K_WORKER, &st), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_BAD_SIGNATURE);
  ASSERT_STR_EQ(code, "EXECUTION_NOT_AUTHORIZED_INVALID_SIGNATURE");
  /* a valid authorization for worker A used by worker B */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_OTHER, &st), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_BAD_SIGNATURE);
  ASSERT_STR_EQ(code, "INVALID_WORKER_SIGNATURE");
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  e.req.worker = f.who[K_OTHER];
  uint8_t h[32];
  decc_sms_authorization_hash(h, &f.who[K_OTHER], f.task, &e.challenge);
  snprintf(e.worker_auth, sizeof e.worker_auth, "%s", fx_sig(&f, K_OTHER, h));
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_BAD_SIGNATURE);
  ASSERT_STR_EQ(code, "EXECUTION_NOT_AUTHORIZED_INVALID_SIGNATURE");
  /* an enclave challenge that is not the SMS's key, duly signed */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  decc_address fake = f.who[K_OTHER];
  ASSERT_OK(decc_sms_authorize_worker(&e.req, f.sk[K_POOL], f.task, f.deal, 0,
                                      &f.who[K_WORKER], &fake));
  decc_sms_authorization_hash(h, &f.who[K_WORKER], f.task, &fake);
  snprintf(e.worker_auth, sizeof e.worker_auth, "%s", fx_sig(&f, K_WORKER, h));
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ENCLAVE_CHALLENGE_MISMATCH");
  /* wrong deal id / index */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  e.req.task_index = 1;
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "EXECUTION_NOT_AUTHORIZED_INVALID_AUTHORIZATION");
  fx_free(&f);
}

TEST(attack_requester_secret_of_another_user_is_not_released) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  /* the victim (K_OTHER) holds "victim-key"; the requester names it, and
   * also its own "my-token" */
  ASSERT_OK(fx_push_req(&f, K_OTHER, "victim-key", "VICTIM-SECRET"));
  ASSERT_OK(fx_push_req(&f, K_OTHER, "my-token", "VICTIM-SECRET-2"));
  ASSERT_OK(fx_push_req(&f, K_REQ, "my-token", "mine"));
  ASSERT_EQ(fx_set_deal(&f, "{\"iexec_secrets\":{\"1\":\"my-token\",\"2\":"
                            "\"victim-key\"}}"),
            0);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  char *plain = NULL;
  ASSERT_OK(fx_release(&f, &e, NULL, &doc, &plain));
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_REQUESTER_SECRET_1"), "mine");
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_REQUESTER_SECRET_2"), "");
  ASSERT(strstr(plain, "VICTIM-SECRET") == NULL);
  json_decref(doc);
  decc_secure_free(plain);
  /* malformed indexes are refused */
  ASSERT_EQ(fx_set_deal(&f, "{\"iexec_secrets\":{\"0\":\"my-token\"}}"), 0);
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  const char *code = NULL;
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_INVALID);
  ASSERT_STR_EQ(code, "INVALID_DEAL_PARAMS");
  fx_free(&f);
}

TEST(attack_dataset_not_in_the_deal_is_never_released) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset2, "OTHER-DATASET-KEY"));
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  char *plain = NULL;
  ASSERT_OK(fx_release(&f, &e, NULL, &doc, &plain));
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_KEY"), DS_KEY);
  ASSERT(strstr(plain, "OTHER-DATASET-KEY") == NULL);
  json_decref(doc);
  decc_secure_free(plain);
  /* a deal without dataset and inputs: no pre-compute, no key at all */
  memset(&f.d.dataset, 0, sizeof f.d.dataset);
  ASSERT_EQ(fx_set_deal(&f, "{\"iexec_args\":\"x\"}"), 0);
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_OK(fx_release(&f, &e, NULL, &doc, &plain));
  ASSERT(strstr(plain, "pre-compute") == NULL);
  ASSERT(strstr(plain, DS_KEY) == NULL);
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_DATASET_ADDRESS"),
                "0x0000000000000000000000000000000000000000");
  json_decref(doc);
  decc_secure_free(plain);
  /* the deal's dataset without a key in the SMS: refused, not released
   * empty */
  f.d.dataset = f.dataset;
  memset(f.d.dataset.b, 0x24, 20);
  uint8_t sum[32] = {1};
  ASSERT_OK(decc_sms_memchain_set_asset(f.mc, &f.d.dataset, sum, NULL, 0));
  ASSERT_EQ(fx_set_deal(&f, ""), 0);
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  const char *code = NULL;
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_NOT_FOUND);
  ASSERT_STR_EQ(code, "PRE_COMPUTE_GET_DATASET_SECRET_FAILED");
  fx_free(&f);
}

TEST(result_encryption_key_goes_to_post_compute_only_when_asked) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  memset(&f.d.dataset, 0, sizeof f.d.dataset);
  ASSERT_EQ(fx_set_deal(&f, "{\"iexec_result_encryption\":true}"), 0);
  fx_enclave e;
  decc_status st;
  const char *code = NULL;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_NOT_FOUND);
  ASSERT_STR_EQ(code,
                "POST_COMPUTE_GET_ENCRYPTION_TOKENS_FAILED_EMPTY_BENEFICIARY_"
                "KEY");
  decc_rsa_key *k = NULL;
  char *b64 = NULL;
  size_t bl = 0;
  ASSERT_OK(decc_rsa_keygen(&k, 2048, NULL));
  ASSERT_OK(decc_rsa_key_public_b64(&b64, &bl, k, NULL));
  ASSERT_OK(fx_push_web2(&f, K_REQ, DECC_SMS_RESULT_ENCRYPTION_KEY, b64, 0));
  ASSERT_OK(fx_push_web2(&f, K_WORKER, DECC_SMS_RESULT_IPFS_TOKEN, "jwt", 0));
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  ASSERT_OK(fx_release(&f, &e, &code, &doc, NULL));
  ASSERT_STR_EQ(fx_env(doc, "post-compute", "RESULT_ENCRYPTION"), "true");
  ASSERT_STR_EQ(fx_env(doc, "post-compute", "RESULT_ENCRYPTION_PUBLIC_KEY"),
                b64);
  ASSERT_STR_EQ(fx_env(doc, "post-compute", "RESULT_STORAGE_TOKEN"), "jwt");
  ASSERT(fx_env(doc, "app", "RESULT_ENCRYPTION_PUBLIC_KEY") == NULL);
  json_decref(doc);
  /* bulk is refused with a reason */
  ASSERT_EQ(fx_set_deal(&f, "{\"bulk_cid\":\"bafy\"}"), 0);
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_UNSUPPORTED);
  ASSERT_STR_EQ(code, "BULK_NOT_SUPPORTED");
  decc_free(b64);
  decc_rsa_key_destroy(k);
  fx_free(&f);
}

/* Returns 1 if needle occurs in any regular file under dir. */
static int found_in_dir(const char *dir, const void *needle, size_t nl) {
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  struct dirent *de;
  int found = 0;
  while (!found && (de = readdir(d))) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
    struct stat sb;
    if (stat(p, &sb) || !S_ISREG(sb.st_mode))
      continue;
    FILE *fp = fopen(p, "rb");
    if (!fp)
      continue;
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t n = fread(buf, 1, (size_t)sb.st_size, fp);
    fclose(fp);
    found = memmem(buf, n, needle, nl) != NULL;
    free(buf);
  }
  closedir(d);
  return found;
}

TEST(secrets_and_enclave_keys_are_sealed_at_rest) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  ASSERT_OK(fx_push_web3(&f, K_DS_OWNER, &f.dataset, DS_KEY));
  ASSERT_OK(fx_push_req(&f, K_REQ, "my-token", "requester-secret-value"));
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  ASSERT_OK(fx_release(&f, &e, NULL, &doc, NULL));
  const char *skh =
      fx_env(doc, "post-compute", "SIGN_TEE_CHALLENGE_PRIVATE_KEY");
  uint8_t sk[32];
  ASSERT(skh != NULL);
  ASSERT_OK(decc_hex_decode_exact(sk, 32, skh, "k", NULL));
  decc_sms_destroy(f.sms);
  f.sms = NULL;
  const char *dir = f.vault_dir;
  ASSERT(!found_in_dir(dir, DS_KEY, strlen(DS_KEY)));
  ASSERT(!found_in_dir(dir, "requester-secret-value", 22));
  ASSERT(!found_in_dir(dir, sk, 32));
  ASSERT(!found_in_dir(dir, skh + 2, 64));
  decc_memzero(sk, 32);
  json_decref(doc);
  decc_sms_memchain_destroy(f.mc);
}

TEST(session_request_json_round_trip_and_strict_parse) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  char *json = NULL;
  ASSERT_OK(decc_sms_session_request_to_json(&json, &e.req));
  decc_sms_session_request back;
  decc_err err;
  ASSERT_OK(decc_sms_session_request_parse(&back, json, strlen(json), &err));
  ASSERT_MEM_EQ(&back, &e.req, sizeof back);
  decc_free(json);
  static const char *bad[] = {
      "",
      "[]",
      "{\"chainTaskId\":\"0x12\"}",
      ("{\"chainTaskId\":\"0x0000000000000000000000000000000000000000000000000"
       "000000000000000\",\"dealId\":1}"),
      "{\"chainTaskId\":1,\"chainTaskId\":2}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ASSERT_EQ(
        decc_sms_session_request_parse(&back, bad[i], strlen(bad[i]), &err),
        DECC_E_PARSE);
  fx_free(&f);
}
