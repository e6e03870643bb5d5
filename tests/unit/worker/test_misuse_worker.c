/*
 * test_misuse_worker.c — the entry checks of worker.h's public functions:
 * a NULL required pointer, or a body set without its bytes, is reported to
 * the misuse handler by the function called, which returns its documented
 * failure value (DECC_E_INVALID, NULL, or at once for a void function)
 * without crashing; the permitted NULLs (err, the no-op destroys, an empty
 * body, the default home) are not reported and still work, and a
 * configuration that lacks a field stays an ordinary error.
 */
#include <string.h>

#include "decc/mem.h"
#include "decc/worker.h"
#include "misuse_check.h"

TEST(misuse_worker_services) {
  MISUSE_BEGIN();
  uint8_t task[32] = {1}, sig[65] = {0}, out[32] = {0};
  decc_task_failure f;
  char *s = (char *)"untouched";
  decc_address who;
  memset(&who, 7, sizeof who);
  decc_task_assignment a;
  decc_worker_report r;
  memset(&r, 0, sizeof r);
  size_t open = 5, ended = 5;
  decc_err e;

  EXPECT_MISUSE(DECC_E_INVALID, decc_task_failure_read, NULL, task, &f, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_task_failure_read, "/x", NULL, &f, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_task_failure_read, "/x", task, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_worker_failure_cause, "/x", NULL, &s,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_worker_failure_cause, "/x", task, NULL,
                NULL);
  ASSERT_STR_EQ(s, "untouched");

  decc_scheduler_config sc;
  memset(&sc, 0, sizeof sc);
  decc_scheduler *sched = (decc_scheduler *)&sc;
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_create, NULL, &sc, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_create, &sched, NULL, NULL);
  ASSERT(sched == (decc_scheduler *)&sc);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_step, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_assign, NULL, &who, &a, NULL);
  /* (a fake, never dereferenced: the other argument is checked first) */
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_assign, sched, NULL, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_assign, sched, &who, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_report, NULL, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_report, sched, NULL, NULL);
  EXPECT_MISUSE_VOID(decc_scheduler_counts, NULL, &open, &ended);
  ASSERT_EQ(open, 5);
  ASSERT_EQ(ended, 5);

  decc_worker_config wc;
  memset(&wc, 0, sizeof wc);
  decc_worker *w = (decc_worker *)&wc;
  EXPECT_MISUSE(DECC_E_INVALID, decc_worker_create, NULL, &wc, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_worker_create, &w, NULL, NULL);
  ASSERT(w == (decc_worker *)&wc);
  EXPECT_MISUSE_NULL(decc_worker_address, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_worker_step, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_worker_task_logs, NULL, task, sig, &s,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_worker_task_logs, w, NULL, sig, &s, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_worker_task_logs, w, task, NULL, &s, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_worker_task_logs, w, task, sig, NULL,
                NULL);
  ASSERT_STR_EQ(s, "untouched");
  EXPECT_MISUSE_VOID(decc_worker_logs_message, NULL, task);
  EXPECT_MISUSE_VOID(decc_worker_logs_message, out, NULL);
  ASSERT_EQ(out[0], 0);

  /* Permitted: the no-op destroys; a configuration without its fields is
   * an ordinary error (err set), not misuse; the digest without err. */
  EXPECT_NO_MISUSE(decc_scheduler_destroy(NULL));
  EXPECT_NO_MISUSE(decc_worker_destroy(NULL));
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_scheduler_create(&sched, &sc, &e), DECC_E_INVALID));
  ASSERT(sched == NULL);
  ASSERT(strstr(e.msg, "required") != NULL);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_worker_create(&w, &wc, &e), DECC_E_INVALID));
  ASSERT(w == NULL);
  ASSERT(strstr(e.msg, "required") != NULL);
  EXPECT_NO_MISUSE(decc_worker_logs_message(out, task));
  uint8_t zero[32] = {0};
  ASSERT(memcmp(out, zero, 32) != 0);
}

TEST(misuse_worker_protocol) {
  MISUSE_BEGIN();
  uint8_t d[32] = {0}, d2[32], sk[32] = {1};
  decc_address who;
  memset(&who, 7, sizeof who);
  decc_task_assignment a;
  memset(&a, 0, sizeof a);
  a.worker = who;
  a.index = 3;
  decc_worker_report r;
  memset(&r, 0, sizeof r);
  r.kind = DECC_REPORT_FAILED;
  snprintf(r.detail, sizeof r.detail, "why");
  char *json = (char *)"untouched";

  EXPECT_MISUSE_VOID(decc_scheduler_request_digest, NULL, "POST", "/p", &who, 1,
                     "{}", 2);
  EXPECT_MISUSE_VOID(decc_scheduler_request_digest, d, NULL, "/p", &who, 1,
                     "{}", 2);
  EXPECT_MISUSE_VOID(decc_scheduler_request_digest, d, "POST", NULL, &who, 1,
                     "{}", 2);
  EXPECT_MISUSE_VOID(decc_scheduler_request_digest, d, "POST", "/p", NULL, 1,
                     "{}", 2);
  EXPECT_MISUSE_VOID(decc_scheduler_request_digest, d, "POST", "/p", &who, 1,
                     NULL, 2);
  uint8_t zero[32] = {0};
  ASSERT_MEM_EQ(d, zero, 32); /* nothing written by the refused calls */
  EXPECT_MISUSE(DECC_E_INVALID, decc_assignment_to_json, NULL, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_assignment_to_json, &json, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_assignment_from_json, NULL, "{}", 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_assignment_from_json, &a, NULL, 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_report_to_json, NULL, &r);
  EXPECT_MISUSE(DECC_E_INVALID, decc_report_to_json, &json, NULL);
  ASSERT_STR_EQ(json, "untouched");
  EXPECT_MISUSE(DECC_E_INVALID, decc_report_from_json, NULL, "{}", 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_report_from_json, &r, NULL, 2, NULL);
  ASSERT_STR_EQ(r.detail, "why");
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_remote_assign, NULL, sk, &a,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_remote_assign,
                "http://127.0.0.1:1", NULL, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_remote_assign,
                "http://127.0.0.1:1", sk, NULL, NULL);
  ASSERT_EQ(a.index, 3);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_remote_report, NULL, sk, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_remote_report,
                "http://127.0.0.1:1", NULL, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_scheduler_remote_report,
                "http://127.0.0.1:1", sk, NULL, NULL);

  /* Permitted: an empty body without bytes hashes as the empty body; a
   * NULL err; the JSON forms round-trip. */
  EXPECT_NO_MISUSE(
      decc_scheduler_request_digest(d, "POST", "/p", &who, 1, NULL, 0));
  EXPECT_NO_MISUSE(
      decc_scheduler_request_digest(d2, "POST", "/p", &who, 1, "", 0));
  ASSERT_MEM_EQ(d, d2, 32);
  ASSERT(memcmp(d, zero, 32) != 0);
  EXPECT_OK_NO_MISUSE(decc_assignment_to_json(&json, &a));
  decc_task_assignment back;
  EXPECT_OK_NO_MISUSE(
      decc_assignment_from_json(&back, json, strlen(json), NULL));
  ASSERT_EQ(back.index, 3);
  ASSERT(decc_address_eq(&back.worker, &who));
  decc_free(json);
  EXPECT_OK_NO_MISUSE(decc_report_to_json(&json, &r));
  decc_worker_report rb;
  EXPECT_OK_NO_MISUSE(decc_report_from_json(&rb, json, strlen(json), NULL));
  ASSERT_EQ(rb.kind, DECC_REPORT_FAILED);
  ASSERT_STR_EQ(rb.detail, "why");
  decc_free(json);
}
