/*
 * cli_time.h — the one date/duration parser and formatter of the `decc`
 * command line. Every option that takes a point in time (`ls --since`,
 * `grant --expires`, …) goes through cli_time_parse, and every time shown to
 * a person goes through cli_time_format, so the same text is accepted
 * everywhere and the same form is printed everywhere.
 *
 * Accepted input (at most CLI_TIME_TEXT_MAX bytes):
 *   - a date: 2026-12-01, 2026-12-01T10:30, 2026-12-01 10:30:15 (a 'T' or one
 *     space between date and time), optionally followed by Z, UTC or a
 *     numeric offset +02:00 / -0500; without a zone the time is UTC (the
 *     zone every decc output uses);
 *   - a duration relative to `now`: one or more NUMBER UNIT with units
 *     s, m (minutes), h, d, w — e.g. 7d, 90m, 1d12h — optionally signed:
 *     "+7d" is in the future, "-7d" in the past; without a sign the caller's
 *     direction applies (CLI_TIME_PAST for --since, CLI_TIME_FUTURE for
 *     --expires); "7d ago" is in the past too;
 *   - "now";
 *   - a Unix time in seconds (digits only), kept for scripts.
 * JSON outputs keep Unix seconds (SDK-shaped); only text output is formatted.
 */
#ifndef DECC_CLI_TIME_H
#define DECC_CLI_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Longest accepted text (bounded outside input). */
#define CLI_TIME_TEXT_MAX 64
/* Latest accepted time: 9999-12-31 23:59:59 UTC. */
#define CLI_TIME_MAX 253402300799LL

/* Direction of an unsigned duration. */
#define CLI_TIME_PAST (-1)
#define CLI_TIME_FUTURE 1

/* Parses `text` (rules above) into Unix seconds.
 *   flag: the option name used in the error message (e.g. "--since").
 *   now:  the reference time of durations (time(NULL), or the chain's time).
 *   dir:  CLI_TIME_PAST or CLI_TIME_FUTURE, for unsigned durations.
 * Out: *out in [0, CLI_TIME_MAX]. Returns CLI_OK (0), or CLI_USAGE after
 * printing one line naming the flag, the text and the accepted forms. */
int cli_time_parse(const char *flag, const char *text, int64_t now, int dir,
                   int64_t *out);

/* Same rules, no printing: returns 0 on success, -1 with a one-line reason
 * in why (NUL-terminated, truncated to why_cap) otherwise. */
int cli_time_parse_quiet(const char *text, int64_t now, int dir, int64_t *out,
                         char *why, size_t why_cap);

/* Parses a duration alone ("30s", "5m", "1h30m", "7d", "2w", or plain
 * seconds) into seconds. Returns CLI_OK or CLI_USAGE (printed, naming flag).*/
int cli_duration_parse(const char *flag, const char *text, uint64_t *secs);

/* "2026-12-06 07:18:24 UTC" of a Unix time; "-" for 0 or out of range.
 * Writes at most cap bytes (32 is always enough). Returns out. */
char *cli_time_format(char *out, size_t cap, int64_t t);

/* "3 min ago", "in 2 h", "just now" of t relative to now (rounded down to
 * the largest unit among s, min, h, d). Returns out. */
char *cli_time_ago(char *out, size_t cap, int64_t t, int64_t now);

/* "5d 3h", "2h 10min", "45s" of a duration in seconds. Returns out. */
char *cli_duration_format(char *out, size_t cap, uint64_t secs);

#endif
