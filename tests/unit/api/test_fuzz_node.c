/*
 * test_fuzz_node.c — the loopback client of the node fuzz targets
 * (fuzz/fuzz_node.h) under libFuzzer's alarm. libFuzzer's -timeout arms a
 * SIGALRM interval timer whose handler has no SA_RESTART, delivered to the
 * main thread, where the client runs: its connect, send, recv and polls
 * fail with EINTR. The client took an interrupted connect for a refused
 * connection and an interrupted wait for the answer's arrival (it then
 * shut the request down early, and MHD drops the answer of a request
 * whose end of input it reads first): fuzz_http_request's "/health no
 * longer answers" of the long runs (1 in 107,523 and 1 in 287,024 inputs
 * at an alarm every 6 s), which no replay reproduced.
 * Here the alarm comes every 200 us, so most exchanges are interrupted
 * somewhere: every /health must still be answered 200, alone and after the
 * pipelined input the long run stopped on (its seed in the corpus). The
 * figures printed (alarms taken) are information; the assertion is the
 * answers. Loopback only, a few hundred exchanges.
 */
#include <signal.h>
#include <sys/time.h>

#include "../../../fuzz/fuzz_node.h"
#include "test.h"

#define EXCHANGES 300
#define ALARM_US 200

static volatile sig_atomic_t alarms;

static void on_alarm(int sig) {
  (void)sig;
  alarms++;
}

/* libFuzzer's way: a handler without SA_RESTART and an interval timer. */
static void alarm_start(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  ASSERT(sigaction(SIGALRM, &sa, NULL) == 0);
  struct itimerval it = {{0, ALARM_US}, {0, ALARM_US}};
  ASSERT(setitimer(ITIMER_REAL, &it, NULL) == 0);
}

static void alarm_stop(void) {
  struct itimerval it;
  memset(&it, 0, sizeof it);
  (void)setitimer(ITIMER_REAL, &it, NULL);
}

static const char health[] = "GET /health HTTP/1.1\r\nHost: x\r\n"
                             "Connection: close\r\n\r\n";

static char resp[1 << 16];

/* 1 when resp holds /health's answer: 200 and {"ok":true,...}. */
static int health_ok(int st) {
  const char *b = st == 200 ? fn_body(resp) : NULL;
  return b && strstr(b, "\"ok\":true") != NULL;
}

TEST(health_answered_through_alarms) {
  fn_start(); /* before the timer: the node's start is not under test */
  alarm_start();
  int bad = 0, first = 200;
  for (int i = 0; i < EXCHANGES; i++) {
    int st = fn_exchange(health, sizeof health - 1, resp, sizeof resp);
    if (!health_ok(st) && !bad++)
      first = st;
  }
  alarm_stop();
  printf("  %d /health exchanges, %d alarms taken\n", EXCHANGES, (int)alarms);
  ASSERT(alarms > 0);
  if (bad)
    printf("  %d not answered 200 (first: %d)\n", bad, first);
  ASSERT_EQ(bad, 0);
}

TEST(health_after_pipelined_deals_through_alarms) {
  size_t len = 0;
  char *in = decc_test_read_file(DECC_SOURCE_DIR
                                 "/fuzz/corpus/fuzz_http_request/"
                                 "health-unanswered-after-pipelined-deals",
                                 &len);
  ASSERT(in != NULL);
  fn_start();
  alarm_start();
  int bad = 0, first = 200;
  for (int i = 0; i < EXCHANGES; i++) {
    /* the input's own answer is not checked (as in fuzz_http_request) */
    (void)fn_exchange_wait(in, len, resp, sizeof resp, 300);
    int st = fn_exchange(health, sizeof health - 1, resp, sizeof resp);
    if (!health_ok(st) && !bad++)
      first = st;
  }
  alarm_stop();
  printf("  %d inputs then /health, %d alarms taken\n", EXCHANGES, (int)alarms);
  ASSERT(alarms > 0);
  if (bad)
    printf("  %d /health not answered 200 (first: %d)\n", bad, first);
  ASSERT_EQ(bad, 0);
  free(in);
}
