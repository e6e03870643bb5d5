/*
 * test_misuse_sms.c — the entry checks of sms.h's public functions: a NULL
 * handle or required pointer (or a NULL value with a length) is reported to
 * the misuse handler by the function called, which returns DECC_E_INVALID
 * (NULL for decc_sms_vault, at once when void) without crashing; the
 * documented NULLs (no code, no expiry, an absent Authorization header, no
 * name for a web3 check, an empty sealed buffer, NULL to the destroy and
 * clear functions) are not reported and give their documented answers.
 */
#include <string.h>

#include "misuse_check.h"
#include "sms_fixture.h"

/* Counts the destroy calls of a chain view decc_sms_create was given. */
static int g_view_destroyed;
static void count_destroy(void *ctx) {
  (void)ctx;
  g_view_destroyed++;
}

TEST(misuse_sms) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  MISUSE_BEGIN();
  decc_address a = {{1}}, enclave;
  uint8_t sum[32] = {0}, id[32] = {2}, nonce[32], sk[32] = {5};
  uint8_t *sealed = NULL;
  size_t sealed_len = 0, len = 0;
  char sid[DECC_SMS_SESSION_ID_LEN + 1], *json = NULL;
  decc_sms_deal deal;
  memset(&deal, 0, sizeof deal);
  decc_sms_task task;
  memset(&task, 0, sizeof task);
  decc_sms_session_request rq;
  memset(&rq, 0, sizeof rq);
  decc_sms_chain_view view;

  /* chain views */
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_chain_view_over, NULL, NULL, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_chain_view_over, &view, NULL, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_create, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_owner, NULL, &a, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_owner, f.mc, NULL, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_owner, f.mc, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_asset, NULL, &a, sum,
                NULL, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_asset, f.mc, NULL, sum,
                NULL, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_asset, f.mc, &a, NULL,
                NULL, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_asset, f.mc, &a, sum,
                NULL, 3);
  ASSERT_STR_EQ(g_misuse.what, "multiaddr != NULL || len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_deal, NULL, id, &deal);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_deal, f.mc, NULL, &deal);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_deal, f.mc, id, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_task, NULL, id, &task);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_task, f.mc, NULL, &task);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_memchain_set_task, f.mc, id, NULL);
  EXPECT_MISUSE_VOID(decc_sms_memchain_set_now, NULL, 5);
  EXPECT_MISUSE_VOID(decc_sms_memchain_view, NULL, f.mc);
  EXPECT_MISUSE_VOID(decc_sms_memchain_view, &view, NULL);

  /* the service: create still destroys the view it was given */
  decc_sms_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.vault_dir = f.vault_dir;
  decc_sms_memchain_view(&cfg.chain, f.mc);
  cfg.chain.destroy = count_destroy;
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_create, NULL, &cfg, NULL);
  ASSERT_EQ(g_view_destroyed, 1);
  decc_sms *s2 = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_create, &s2, NULL, NULL);
  ASSERT(s2 == NULL);
  EXPECT_MISUSE_NULL(decc_sms_vault, NULL);

  /* secrets */
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_web3, NULL, &a, "v", 1, "0x",
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_web3, f.sms, NULL, "v", 1, "0x",
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_web3, f.sms, &a, NULL, 1, "0x",
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_web2, NULL, &a, "n", "v", 1, 0,
                "0x", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_web2, f.sms, NULL, "n", "v", 1, 0,
                "0x", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_web2, f.sms, &a, "n", NULL, 1, 0,
                "0x", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_app_secret, NULL, &a, "v", 1,
                "0x", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_app_secret, f.sms, NULL, "v", 1,
                "0x", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_app_secret, f.sms, &a, NULL, 1,
                "0x", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_requester_secret, NULL, &a, "k",
                "v", 1, "0x", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_requester_secret, f.sms, NULL,
                "k", "v", 1, "0x", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_push_requester_secret, f.sms, &a, "k",
                NULL, 1, "0x", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_secret_exists, NULL, DECC_SECRET_WEB3,
                &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_secret_exists, f.sms, DECC_SECRET_WEB3,
                NULL, NULL, NULL);

  /* TEE */
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_enclave_challenge, NULL, f.task, "0x",
                &enclave, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_enclave_challenge, f.sms, NULL, "0x",
                &enclave, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_enclave_challenge, f.sms, f.task, "0x",
                NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_attestation_nonce, NULL, f.task, nonce,
                NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_attestation_nonce, f.sms, NULL, nonce,
                NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_attestation_nonce, f.sms, f.task, NULL,
                NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_session_request_parse, NULL, "{}", 2,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_session_request_parse, &rq, NULL, 2,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_session_request_to_json, NULL, &rq);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_session_request_to_json, &json, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_authorize_worker, NULL, sk, id, id, 0,
                &a, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_authorize_worker, &rq, NULL, id, id, 0,
                &a, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_authorize_worker, &rq, sk, NULL, id, 0,
                &a, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_authorize_worker, &rq, sk, id, NULL, 0,
                &a, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_authorize_worker, &rq, sk, id, id, 0,
                NULL, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_authorize_worker, &rq, sk, id, id, 0,
                &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_release_session, NULL, &rq, "0x", sid,
                &sealed, &sealed_len, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_release_session, f.sms, NULL, "0x",
                sid, &sealed, &sealed_len, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_release_session, f.sms, &rq, "0x",
                NULL, &sealed, &sealed_len, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_release_session, f.sms, &rq, "0x", sid,
                NULL, &sealed_len, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_release_session, f.sms, &rq, "0x", sid,
                &sealed, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_session_open, NULL, &len, sum, 32, sum,
                sum);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_session_open, &json, NULL, sum, 32,
                sum, sum);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_session_open, &json, &len, NULL, 32,
                sum, sum);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_session_open, &json, &len, sum, 32,
                NULL, sum);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_session_open, &json, &len, sum, 32,
                sum, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_http_mount, NULL, NULL, "");
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_http_mount, f.sms, NULL, "");

  /* the URL client: refused before anything is sent */
  const char *url = "http://127.0.0.1:1";
  int ex = 0;
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_web3, NULL, &a, "v", 1, sk,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_web3, url, NULL, "v", 1,
                sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_web3, url, &a, NULL, 1, sk,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_web3, url, &a, "v", 1,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_web2, NULL, "n", "v", 1, 0,
                sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_web2, url, "n", NULL, 1, 0,
                sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_web2, url, "n", "v", 1, 0,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_app_secret, NULL, &a, "v",
                1, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_app_secret, url, NULL, "v",
                1, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_app_secret, url, &a, NULL,
                1, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_app_secret, url, &a, "v",
                1, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_requester_secret, NULL,
                "k", "v", 1, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_requester_secret, url, "k",
                NULL, 1, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_push_requester_secret, url, "k",
                "v", 1, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_check, NULL, DECC_SECRET_WEB3,
                &a, NULL, &ex, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_check, url, DECC_SECRET_WEB3,
                NULL, NULL, &ex, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_check, url, DECC_SECRET_WEB3,
                &a, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_enclave_challenge, NULL, id, sk,
                &enclave, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_enclave_challenge, url, NULL,
                sk, &enclave, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_enclave_challenge, url, id,
                NULL, &enclave, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_enclave_challenge, url, id, sk,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_nonce, NULL, id, nonce, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_nonce, url, NULL, nonce, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_nonce, url, id, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_session, NULL, &rq, sk, sid,
                &sealed, &sealed_len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_session, url, NULL, sk, sid,
                &sealed, &sealed_len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_session, url, &rq, NULL, sid,
                &sealed, &sealed_len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_session, url, &rq, sk, NULL,
                &sealed, &sealed_len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_session, url, &rq, sk, sid,
                NULL, &sealed_len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_session, url, &rq, sk, sid,
                &sealed, NULL, NULL);

  /* Permitted NULLs give their documented answers, unreported. */
  int before = g_misuse.calls;
  const char *code = "unset";
  ASSERT_EQ(decc_sms_push_web3(f.sms, &f.dataset, "key", 3, NULL, &code, NULL),
            DECC_E_PARSE); /* absent Authorization header: 401 */
  ASSERT(code != NULL);
  ASSERT_EQ(decc_sms_push_web2(f.sms, &a, NULL, "v", 1, 0, NULL, NULL, NULL),
            DECC_E_INVALID); /* no name: an invalid name */
  ASSERT_EQ(
      decc_sms_secret_exists(f.sms, DECC_SECRET_WEB3, &f.dataset, NULL, NULL),
      DECC_E_NOT_FOUND);
  ASSERT_EQ(decc_sms_requester_key_valid(NULL), 0);
  ASSERT_EQ(decc_sms_web2_name_valid(NULL), 0);
  ASSERT_EQ(decc_sms_session_open(&json, &len, NULL, 0, sum, sum),
            DECC_E_RANGE);
  ASSERT_EQ(g_misuse.calls, before);
  EXPECT_OK_NO_MISUSE(fx_push_web3(&f, K_DS_OWNER, &f.dataset, "key"));
  EXPECT_OK_NO_MISUSE(
      decc_sms_secret_exists(f.sms, DECC_SECRET_WEB3, &f.dataset, NULL, NULL));
  EXPECT_OK_NO_MISUSE(
      decc_sms_memchain_set_asset(f.mc, &a, sum, NULL, 0)); /* no multiaddr */
  uint8_t h[32];
  decc_sms_authorization_hash(h, NULL, f.task, NULL);
  EXPECT_OK_NO_MISUSE(decc_sms_enclave_challenge(
      f.sms, f.task, fx_sig(&f, K_POOL, h), &enclave, NULL, NULL));
  EXPECT_OK_NO_MISUSE(
      decc_sms_attestation_nonce(f.sms, f.task, nonce, NULL, NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_sms_authorize_worker(
      &rq, f.sk[K_POOL], f.task, f.deal, 0, &f.who[K_WORKER], &enclave));
  EXPECT_OK_NO_MISUSE(decc_sms_session_request_to_json(&json, &rq));
  ASSERT(strstr(json, "\"chainTaskId\"") != NULL);
  decc_free(json);
  /* Empty text is not misuse: it is not a JSON object. */
  decc_sms_session_request back;
  EXPECT_NO_MISUSE(ASSERT_EQ(
      decc_sms_session_request_parse(&back, NULL, 0, NULL), DECC_E_PARSE));
  ASSERT(decc_sms_vault(f.sms) != NULL);
  EXPECT_NO_MISUSE(decc_sms_deal_clear(NULL));
  EXPECT_NO_MISUSE(decc_sms_asset_clear(NULL));
  EXPECT_NO_MISUSE(decc_sms_memchain_destroy(NULL));
  EXPECT_NO_MISUSE(decc_sms_destroy(NULL));
  fx_free(&f);
}
