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
 *
 * Since session 8 complete requests share one kept-alive connection read
 * by its framing: the tests below check that it is kept (same local port
 * through the alarms), that a request MHD 0.9.75 leaves unanswered on a
 * kept-alive connection (more query arguments than its memory pool holds)
 * is seen as such, its connection dropped and the next request answered,
 * and the chunked framing on its own.
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

/* The local port of the kept-alive connection, or 0 when there is none. */
static unsigned ka_port(void) {
  struct sockaddr_in me;
  socklen_t l = sizeof me;
  if (fn_ka < 0 || getsockname(fn_ka, (struct sockaddr *)&me, &l) != 0)
    return 0;
  return ntohs(me.sin_port);
}

TEST(keep_alive_reused_through_alarms) {
  static const char h[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  fn_start();
  ASSERT_EQ(fn_exchange(h, sizeof h - 1, resp, sizeof resp), 200);
  unsigned port = ka_port();
  ASSERT(port != 0);
  alarm_start();
  int bad = 0;
  for (int i = 0; i < EXCHANGES; i++)
    if (!health_ok(fn_exchange(h, sizeof h - 1, resp, sizeof resp)))
      bad++;
  alarm_stop();
  printf("  %d kept-alive /health exchanges, %d alarms taken\n", EXCHANGES,
         (int)alarms);
  ASSERT_EQ(bad, 0);
  ASSERT_EQ(ka_port(), port); /* never reconnected */
}

TEST(unanswered_kept_alive_request_dropped) {
  static const char h[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  fn_start();
  ASSERT_EQ(fn_exchange(h, sizeof h - 1, resp, sizeof resp), 200);
  /* a request line with 2,000 empty query arguments: more than MHD's
   * 32 KiB connection pool holds (the fuzz input that stalled) */
  static char q[4096];
  size_t n = (size_t)snprintf(q, sizeof q, "GET /datasetorders?d000");
  for (int i = 0; i < 2000; i++)
    q[n++] = '&';
  n += (size_t)snprintf(q + n, sizeof q - n, " HTTP/1.1\r\nHost: x\r\n\r\n");
  unsigned stuck0 = fn_ka_stuck;
  int st = fn_exchange(q, n, resp, sizeof resp);
  printf("  status %d, seen unanswered %u\n", st, fn_ka_stuck - stuck0);
  /* either MHD answers (431/414: a newer MHD) or the client saw the
   * server at rest without an answer and dropped the connection; without
   * /proc to tell (fn_nmhd 0) it waited out its 10 s bound instead */
  if (st == 0 && fn_nmhd == 0) {
    printf("  no MHD thread state in /proc: the 10 s bound was taken\n");
    ASSERT(fn_ka < 0);
  } else if (st == 0) {
    ASSERT_EQ(fn_ka_stuck - stuck0, 1u);
    ASSERT(fn_ka < 0);
  } else {
    ASSERT(st >= 400 && st < 500);
  }
  ASSERT(health_ok(fn_exchange(h, sizeof h - 1, resp, sizeof resp)));
}

TEST(chunked_framing) {
  static const char body[] = "5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\n\r\n";
  size_t len = sizeof body - 1;
  ASSERT_EQ(fn_chunked_end(body, len, 0), len);
  for (size_t cut = 0; cut < len; cut++)
    ASSERT_EQ(fn_chunked_end(body, cut, 0), (size_t)0); /* needs more */
  static const char trailer[] = "0\r\nX-T: 1\r\n\r\nnext";
  ASSERT_EQ(fn_chunked_end(trailer, sizeof trailer - 1, 0),
            sizeof trailer - 1 - 4);
  static const char junk[] = "zz\r\n";
  ASSERT_EQ(fn_chunked_end(junk, sizeof junk - 1, 0), (size_t)-1);
}
