/*
 * test_cli_time.c — the CLI's date and duration parser/formatter
 * (cli/cli_time.c, compiled into this test): every accepted form, the
 * refusals (impossible dates, bad units, out of range) and round trips of
 * the formatter against the parser over a range of times.
 */
#include <stdarg.h>
#include <time.h>

#include "test.h"

#include "../../../cli/cli_time.c"

/* cli_time_parse reports through cli_usage_error (cli_common.c, not linked
 * here): keep the last message so the tests can check it names the flag. */
static char last_msg[512];
int cli_usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_msg, sizeof last_msg, fmt, ap);
  va_end(ap);
  return CLI_USAGE;
}

static const int64_t NOW = 1796083200; /* 2026-12-01 00:00:00 UTC */

static int64_t P(const char *s, int dir) {
  int64_t t = -12345;
  char why[128];
  if (cli_time_parse_quiet(s, NOW, dir, &t, why, sizeof why))
    return -1;
  return t;
}

TEST(dates) {
  ASSERT_EQ(P("2026-12-01", CLI_TIME_PAST), NOW);
  ASSERT_EQ(P("1970-01-01", CLI_TIME_PAST), 0);
  ASSERT_EQ(P("2026-12-01T10:30", 1), NOW + 10 * 3600 + 30 * 60);
  ASSERT_EQ(P("2026-12-01 10:30:15", 1), NOW + 37815);
  ASSERT_EQ(P("2026-12-01T10:30:15Z", 1), NOW + 37815);
  ASSERT_EQ(P("2026-12-01 10:30:15 UTC", 1), NOW + 37815);
  ASSERT_EQ(P("2026-12-01T10:30:15+02:00", 1), NOW + 37815 - 7200);
  ASSERT_EQ(P("2026-12-01T10:30:15-0500", 1), NOW + 37815 + 18000);
  ASSERT_EQ(P("2024-02-29", 1), 1709164800);
  ASSERT_EQ(P("2000-02-29", 1), 951782400);
  ASSERT_EQ(P("9999-12-31T23:59:59Z", 1), CLI_TIME_MAX);
}

TEST(bad_dates) {
  ASSERT_EQ(P("2026-02-29", 1), -1); /* not a leap year */
  ASSERT_EQ(P("1900-02-29", 1), -1);
  ASSERT_EQ(P("2026-13-01", 1), -1);
  ASSERT_EQ(P("2026-04-31", 1), -1);
  ASSERT_EQ(P("2026-12-01T24:00", 1), -1);
  ASSERT_EQ(P("2026-12-01T10", 1), -1);
  ASSERT_EQ(P("2026-12-01junk", 1), -1);
  ASSERT_EQ(P("2026-1-01", 1), -1);
  ASSERT_EQ(P("1969-12-31", 1), -1);
  ASSERT_EQ(P("", 1), -1);
  ASSERT_EQ(P("yesterday", 1), -1);
  char long_text[100];
  memset(long_text, '1', sizeof long_text - 1);
  long_text[sizeof long_text - 1] = '\0';
  ASSERT_EQ(P(long_text, 1), -1);
}

TEST(durations_and_unix) {
  ASSERT_EQ(P("7d", CLI_TIME_PAST), NOW - 7 * 86400);
  ASSERT_EQ(P("7d", CLI_TIME_FUTURE), NOW + 7 * 86400);
  ASSERT_EQ(P("+7d", CLI_TIME_PAST), NOW + 7 * 86400);
  ASSERT_EQ(P("-12h", CLI_TIME_FUTURE), NOW - 12 * 3600);
  ASSERT_EQ(P("7d ago", CLI_TIME_FUTURE), NOW - 7 * 86400);
  ASSERT_EQ(P("1d12h30m5s", 1), NOW + 86400 + 43200 + 1800 + 5);
  ASSERT_EQ(P("2w", 1), NOW + 14 * 86400);
  ASSERT_EQ(P("now", 1), NOW);
  ASSERT_EQ(P("1700000000", 1), 1700000000);
  ASSERT_EQ(P("0", 1), 0);
  ASSERT_EQ(P("7", 1), 7); /* digits alone: Unix seconds */
  ASSERT_EQ(P("7x", 1), -1);
  ASSERT_EQ(P("d", 1), -1);
  ASSERT_EQ(P("5d3", 1), -1);
  ASSERT_EQ(P("+7d ago", 1), -1);
  ASSERT_EQ(P("100000w", CLI_TIME_PAST), -1); /* before 1970 */
  ASSERT_EQ(P("999999999999w", 1), -1);
  ASSERT_EQ(P("9999999999999", 1), -1);
}

TEST(printed_error_names_the_flag) {
  int64_t t;
  last_msg[0] = '\0';
  ASSERT_EQ(cli_time_parse("--since", "2026-02-30", NOW, -1, &t), CLI_USAGE);
  ASSERT(strstr(last_msg, "--since '2026-02-30'") != NULL);
  ASSERT(strstr(last_msg, "no such day") != NULL);
  ASSERT_EQ(cli_time_parse("--since", "3d", NOW, -1, &t), CLI_OK);
  ASSERT_EQ(t, NOW - 3 * 86400);
  uint64_t s = 0;
  ASSERT_EQ(cli_duration_parse("--timeout", "1h30m", &s), CLI_OK);
  ASSERT_EQ(s, 5400);
  ASSERT_EQ(cli_duration_parse("--timeout", "90", &s), CLI_OK);
  ASSERT_EQ(s, 90);
  ASSERT_EQ(cli_duration_parse("--timeout", "1y", &s), CLI_USAGE);
  ASSERT(strstr(last_msg, "--timeout '1y'") != NULL);
}

TEST(format_round_trip) {
  char buf[40];
  ASSERT_STR_EQ(cli_time_format(buf, sizeof buf, NOW + 37815),
                "2026-12-01 10:30:15 UTC");
  ASSERT_STR_EQ(cli_time_format(buf, sizeof buf, 0), "-");
  ASSERT_STR_EQ(cli_time_format(buf, sizeof buf, 951782400),
                "2000-02-29 00:00:00 UTC");
  /* Every printed form parses back to the same second (the printed form
   * is accepted as input), across leap years and century boundaries. */
  for (int64_t t = 1; t < 8000000000LL; t += 7777777 + (t % 86400)) {
    int64_t back = -1;
    cli_time_format(buf, sizeof buf, t);
    ASSERT_EQ(cli_time_parse_quiet(buf, 0, 1, &back, NULL, 0), 0);
    ASSERT_EQ(back, t);
    /* and agrees with the C library's gmtime */
    time_t tt = (time_t)t;
    struct tm tm;
    char ref[40];
    gmtime_r(&tt, &tm);
    strftime(ref, sizeof ref, "%Y-%m-%d %H:%M:%S UTC", &tm);
    ASSERT_STR_EQ(buf, ref);
  }
  ASSERT_STR_EQ(cli_time_ago(buf, sizeof buf, NOW - 180, NOW), "3 min ago");
  ASSERT_STR_EQ(cli_time_ago(buf, sizeof buf, NOW + 7300, NOW), "in 2 h");
  ASSERT_STR_EQ(cli_time_ago(buf, sizeof buf, NOW, NOW), "just now");
  ASSERT_STR_EQ(cli_duration_format(buf, sizeof buf, 5 * 86400 + 3 * 3600),
                "5d 3h");
  ASSERT_STR_EQ(cli_duration_format(buf, sizeof buf, 7800), "2h 10min");
  ASSERT_STR_EQ(cli_duration_format(buf, sizeof buf, 45), "45s");
}
