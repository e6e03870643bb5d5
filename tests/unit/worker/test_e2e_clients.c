/*
 * test_e2e_clients.c — the confidential task of test_e2e with the
 * scheduler and the worker reaching the SMS through one decc_sms_client
 * (decc/sms_client.h, the config's sms_client field) of the "http"
 * backend, over the same SMS served on 127.0.0.1: enclave challenge,
 * attestation nonce and session all cross HTTP, and the requester decrypts
 * a result that holds the dataset and the requester secret. Needs root
 * (sandbox).
 */
#include "decc/http.h"
#include "decc/sms_client.h"
#include "e2e_world.h"
#include "test.h"

typedef struct served {
  decc_http_server *http;
  decc_sms_client *c;
} served;

/* Serves t->sms on loopback and opens an http client on it; replaces the
 * world's scheduler by one using that client. */
static int serve_and_reschedule(e2e *t, served *s) {
  decc_http_config hc;
  memset(&hc, 0, sizeof hc);
  hc.threads = 2;
  char url[64];
  decc_err err;
  if (decc_http_server_create(&s->http, &hc) ||
      decc_sms_http_mount(t->sms, s->http, "") ||
      decc_http_server_start(s->http, NULL))
    return -1;
  snprintf(url, sizeof url, "http://127.0.0.1:%u",
           (unsigned)decc_http_server_port(s->http));
  if (decc_sms_client_open_http(&s->c, url, &err))
    return -1;
  decc_scheduler_destroy(t->sched);
  t->sched = NULL;
  decc_scheduler_config scfg;
  memset(&scfg, 0, sizeof scfg);
  scfg.chain = t->c_sched;
  scfg.pool_sk32 = t->sk[K_POOL];
  scfg.workerpool = t->pool;
  scfg.sms_client = s->c;
  char d[800];
  snprintf(d, sizeof d, "%s/scheduler-http.sqlite", t->tmp);
  scfg.state_path = d;
  scfg.log = logline;
  if (decc_scheduler_create(&t->sched, &scfg, &err)) {
    fprintf(stderr, "    scheduler: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static int http_worker(e2e *t, served *s, int k, decc_worker **out) {
  decc_worker_config w;
  memset(&w, 0, sizeof w);
  w.chain = k == K_W1 ? t->c_w1 : t->c_w2;
  w.worker_sk32 = t->sk[k];
  w.scheduler = t->sched;
  w.sms_client = s->c;
  w.store.bs = t->bs;
  w.backend = &t->be;
  char d[800];
  snprintf(d, sizeof d, "%s/worker-http%d", t->tmp, k);
  w.dir = d;
  w.log = logline;
  decc_err err;
  if (decc_worker_create(out, &w, &err)) {
    fprintf(stderr, "    worker: %s\n", err.msg);
    return -1;
  }
  return 0;
}

TEST(confidential_task_with_the_sms_over_http) {
  NEED_ROOT();
  e2e t;
  served s;
  memset(&s, 0, sizeof s);
  ASSERT_EQ(setup(&t, decc_test_tmpdir()), 0);
  ASSERT_EQ(serve_and_reschedule(&t, &s), 0);
  ASSERT_STR_EQ(decc_sms_client_backend(s.c), "http");
  ASSERT_EQ(http_worker(&t, &s, K_W1, &t.w1), 0);
  uint8_t deal[32], task[32];
  ASSERT_EQ(match(&t, 1, 0,
                  "{\"iexec_args\":\"over http\",\"iexec_secrets\":{\"1\":"
                  "\"my-secret\"},\"iexec_result_encryption\":true,"
                  "\"iexec_result_storage_provider\":\"ipfs\"}",
                  deal, task),
            0);
  decc_worker *ws[1] = {t.w1};
  ASSERT_EQ(drive(&t, task, ws, 1, 6), DECC_TASK_COMPLETED);
  decc_poco_task tk;
  ASSERT_EQ(task_status(&t, task, &tk), DECC_TASK_COMPLETED);
  json_t *res = json_loadb((const char *)tk.results, tk.results_len, 0, NULL);
  ASSERT(res);
  const char *loc = json_string_value(json_object_get(res, "location"));
  ASSERT(loc && !strncmp(loc, "/ipfs/", 6));
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
  ASSERT(strstr(out, "args=over http\n"));
  free(out);
  decc_free(zip);
  decc_buf_clear(&arch);
  json_decref(res);
  decc_poco_task_clear(&tk);
  /* the server serves t.sms: stop it before the world goes */
  decc_http_server_destroy(s.http);
  teardown(&t);
  decc_sms_client_destroy(s.c);
}
