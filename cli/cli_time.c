/*
 * cli_time.c — dates and durations as people write and read them (rules in
 * cli_time.h). Conversion between calendar dates and Unix seconds uses the
 * proleptic Gregorian day count directly (days_from_civil / civil_from_days)
 * rather than timegm/gmtime, so that parsing and printing do not depend on
 * the process's TZ or on the range of time_t, and every field is checked
 * (2026-02-30 is refused, not normalised to March 2).
 */
#include "cli_time.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char FORMS[] =
    "use a date (2026-12-01, 2026-12-01T10:30, 2026-12-01 10:30:00Z, "
    "+02:00 offsets), a duration (7d, 12h, 90m, 1d12h, +7d, -7d, 7d ago), "
    "'now' or Unix seconds";

/* Days since 1970-01-01 of a proleptic Gregorian date (valid date assumed). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m) {
  static const unsigned D[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : D[m - 1];
}

/* Reads exactly n digits at *p. Returns 0 and advances, or -1. */
static int digits(const char **p, int n, unsigned *v) {
  unsigned x = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9')
      return -1;
    x = x * 10 + (unsigned)(c - '0');
  }
  *p += n;
  *v = x;
  return 0;
}

static int fail(char *why, size_t cap, const char *msg) {
  if (why && cap)
    snprintf(why, cap, "%s", msg);
  return -1;
}

/* YYYY-MM-DD[(T| )HH:MM[:SS]][Z|UTC|(+|-)HH[:]MM]. Returns 1 parsed, 0 not
 * a date (try other forms), -1 a malformed date (why set). */
static int parse_date(const char *s, int64_t *out, char *why, size_t cap) {
  const char *p = s;
  unsigned y, mo, d, h = 0, mi = 0, se = 0;
  if (digits(&p, 4, &y) || *p != '-')
    return 0;
  p++;
  if (digits(&p, 2, &mo) || *p != '-' || (p++, digits(&p, 2, &d)))
    return fail(why, cap, "a date is YYYY-MM-DD");
  if (mo < 1 || mo > 12)
    return fail(why, cap, "month out of range (01-12)");
  if (d < 1 || d > month_days(y, mo))
    return fail(why, cap, "no such day in that month");
  if (*p == 'T' || *p == 't' || (*p == ' ' && p[1] >= '0' && p[1] <= '9')) {
    p++;
    if (digits(&p, 2, &h) || *p != ':' || (p++, digits(&p, 2, &mi)))
      return fail(why, cap, "a time of day is HH:MM or HH:MM:SS");
    if (*p == ':') {
      p++;
      if (digits(&p, 2, &se))
        return fail(why, cap, "seconds are two digits");
    }
    if (h > 23 || mi > 59 || se > 59)
      return fail(why, cap, "time of day out of range");
  }
  int64_t off = 0;
  if (*p == ' ' && (p[1] == 'U' || p[1] == 'u' || p[1] == '+' || p[1] == '-'))
    p++;
  if (!strcmp(p, "Z") || !strcmp(p, "z") || !strcmp(p, "UTC") ||
      !strcmp(p, "utc"))
    p += strlen(p);
  else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1;
    unsigned oh, om;
    p++;
    if (digits(&p, 2, &oh))
      return fail(why, cap, "a zone offset is +HH:MM");
    if (*p == ':')
      p++;
    if (digits(&p, 2, &om) || oh > 23 || om > 59)
      return fail(why, cap, "a zone offset is +HH:MM");
    off = sign * (int64_t)(oh * 3600 + om * 60);
  }
  if (*p)
    return fail(why, cap, "unexpected text after the date");
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
  if (t < 0 || t > CLI_TIME_MAX)
    return fail(why, cap, "date out of range (1970 to 9999)");
  *out = t;
  return 1;
}

/* NUMBER UNIT [NUMBER UNIT]… (units s m h d w). Returns 0, or -1 (why). */
static int parse_units(const char *p, uint64_t *secs, char *why, size_t cap) {
  uint64_t total = 0;
  int parts = 0;
  while (*p) {
    uint64_t n = 0;
    int nd = 0;
    while (*p >= '0' && *p <= '9') {
      if (++nd > 12)
        return fail(why, cap, "duration too long");
      n = n * 10 + (uint64_t)(*p++ - '0');
    }
    if (!nd)
      return fail(why, cap, "a duration is NUMBER followed by s, m, h, d or w");
    uint64_t unit;
    switch (*p) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 604800;
      break;
    case '\0':
      if (parts == 0)
        return fail(why, cap, "missing unit");
      return fail(why, cap, "each number needs a unit (s, m, h, d, w)");
    default:
      return fail(why, cap, "unknown duration unit (use s, m, h, d or w)");
    }
    p++;
    total += n * unit; /* n < 10^12, unit <= 604800: no overflow */
    if (total > (uint64_t)CLI_TIME_MAX)
      return fail(why, cap, "duration too long");
    parts++;
  }
  if (!parts)
    return fail(why, cap, "empty duration");
  *secs = total;
  return 0;
}

int cli_time_parse_quiet(const char *text, int64_t now, int dir, int64_t *out,
                         char *why, size_t why_cap) {
  if (why && why_cap)
    why[0] = '\0';
  if (!text || !*text)
    return fail(why, why_cap, "empty time");
  size_t len = strnlen(text, CLI_TIME_TEXT_MAX + 1);
  if (len > CLI_TIME_TEXT_MAX)
    return fail(why, why_cap, "too long");
  if (!strcmp(text, "now")) {
    if (now < 0 || now > CLI_TIME_MAX)
      return fail(why, why_cap, "the current time is out of range");
    *out = now;
    return 0;
  }
  int r = parse_date(text, out, why, why_cap);
  if (r)
    return r > 0 ? 0 : -1;
  /* All digits: Unix seconds. */
  if (strspn(text, "0123456789") == len) {
    if (len > 12)
      return fail(why, why_cap, "Unix time out of range");
    int64_t t = 0;
    for (size_t i = 0; i < len; i++)
      t = t * 10 + (text[i] - '0');
    if (t > CLI_TIME_MAX)
      return fail(why, why_cap, "Unix time out of range");
    *out = t;
    return 0;
  }
  /* Duration, optionally signed or followed by " ago". */
  char buf[CLI_TIME_TEXT_MAX + 1];
  memcpy(buf, text, len + 1);
  int sign = dir < 0 ? -1 : 1;
  char *p = buf;
  if (*p == '+' || *p == '-') {
    sign = *p == '-' ? -1 : 1;
    p++;
  }
  size_t pl = strlen(p);
  if (pl > 4 && !strcmp(p + pl - 4, " ago")) {
    if (p != buf)
      return fail(why, why_cap, "give a sign or 'ago', not both");
    p[pl - 4] = '\0';
    sign = -1;
  }
  uint64_t secs;
  if (parse_units(p, &secs, why, why_cap))
    return -1;
  int64_t t = now + sign * (int64_t)secs;
  if (t < 0 || t > CLI_TIME_MAX)
    return fail(why, why_cap, "the resulting time is out of range");
  *out = t;
  return 0;
}

int cli_time_parse(const char *flag, const char *text, int64_t now, int dir,
                   int64_t *out) {
  char why[128];
  if (!cli_time_parse_quiet(text, now, dir, out, why, sizeof why))
    return CLI_OK;
  /* The text is the user's own option value, bounded for the message. */
  return cli_usage_error("%s '%.*s': %s; %s", flag, CLI_TIME_TEXT_MAX,
                         text ? text : "", why, FORMS);
}

int cli_duration_parse(const char *flag, const char *text, uint64_t *secs) {
  char why[128];
  size_t len = text ? strnlen(text, CLI_TIME_TEXT_MAX + 1) : 0;
  if (!len)
    snprintf(why, sizeof why, "empty duration");
  else if (len > CLI_TIME_TEXT_MAX)
    snprintf(why, sizeof why, "too long");
  else if (strspn(text, "0123456789") == len) {
    if (len > 12)
      snprintf(why, sizeof why, "duration too long");
    else {
      uint64_t n = 0;
      for (size_t i = 0; i < len; i++)
        n = n * 10 + (uint64_t)(text[i] - '0');
      *secs = n;
      return CLI_OK;
    }
  } else if (!parse_units(text, secs, why, sizeof why))
    return CLI_OK;
  return cli_usage_error("%s '%.*s': %s; use seconds or e.g. 30s, 5m, 1h30m, "
                         "7d, 2w",
                         flag, CLI_TIME_TEXT_MAX, text ? text : "", why);
}

char *cli_time_format(char *out, size_t cap, int64_t t) {
  if (t <= 0 || t > CLI_TIME_MAX) {
    snprintf(out, cap, "-");
    return out;
  }
  int64_t days = t / 86400, rem = t % 86400, y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, cap, "%04lld-%02u-%02u %02u:%02u:%02u UTC", (long long)y, m, d,
           (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
           (unsigned)(rem % 60));
  return out;
}

static void span(char *out, size_t cap, uint64_t s) {
  if (s < 60)
    snprintf(out, cap, "%llu s", (unsigned long long)s);
  else if (s < 3600)
    snprintf(out, cap, "%llu min", (unsigned long long)(s / 60));
  else if (s < 86400)
    snprintf(out, cap, "%llu h", (unsigned long long)(s / 3600));
  else
    snprintf(out, cap, "%llu d", (unsigned long long)(s / 86400));
}

char *cli_time_ago(char *out, size_t cap, int64_t t, int64_t now) {
  char s[32];
  if (t == now) {
    snprintf(out, cap, "just now");
  } else if (t < now) {
    span(s, sizeof s, (uint64_t)(now - t));
    snprintf(out, cap, "%s ago", s);
  } else {
    span(s, sizeof s, (uint64_t)(t - now));
    snprintf(out, cap, "in %s", s);
  }
  return out;
}

char *cli_duration_format(char *out, size_t cap, uint64_t secs) {
  unsigned long long d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60,
                     s = secs % 60;
  if (d && h)
    snprintf(out, cap, "%llud %lluh", d, h);
  else if (d)
    snprintf(out, cap, "%llud", d);
  else if (h && m)
    snprintf(out, cap, "%lluh %llumin", h, m);
  else if (h)
    snprintf(out, cap, "%lluh", h);
  else if (m && s)
    snprintf(out, cap, "%llumin %llus", m, s);
  else if (m)
    snprintf(out, cap, "%llumin", m);
  else
    snprintf(out, cap, "%llus", s);
  return out;
}
