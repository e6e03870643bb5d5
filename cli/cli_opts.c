/*
 * cli_opts.c — the one option parser of the `decc` command (cli_opts.h):
 * walks argv once against a command's option table, stores values, checks
 * numbers, amounts and dates, reports every mistake in the same words, and
 * generates the options part of the command's --help from the same table,
 * so the help, the man page and the completion scripts cannot drift from
 * what the parser accepts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_time.h"
#include "ledger_cli.h"

int cli_parse_u64(uint64_t *out, const char *s) {
  /* strtoull accepts a sign and leading spaces: a number here is digits
   * only, so "-1" is refused instead of wrapping to 2^64 - 1. */
  if (!s || *s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || errno)
    return -1;
  *out = (uint64_t)v;
  return 0;
}

int cli_cmd_usage(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fputs("decc: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  /* cmd "" is `decc` itself (its global options, main.c). */
  fprintf(stderr, " (see decc%s%s --help)\n", *cmd ? " " : "", cmd);
  return CLI_USAGE;
}

/* The wallet options every signing command shares (cli_key_opts). */
static const struct {
  const char *name, *arg, *help;
  size_t off;
} KEY_OPTS[] = {
    {"wallet", "NAME|ADDRESS|FILE",
     "the signing wallet: a name or address in <home>/wallets, or a keystore "
     "file (default: \"wallet\" in <home>/config.json, else the only wallet)",
     offsetof(cli_key_opts, wallet)},
    {"keystore", "FILE", "a V3 keystore file to sign with",
     offsetof(cli_key_opts, keystore)},
    {"password-file", "FILE",
     "its password, first line (default: config.json's \"passwordFile\", "
     "else a no-echo prompt)",
     offsetof(cli_key_opts, password_file)},
    {"private-key-file", "FILE", "a 0x-hex private key file to sign with",
     offsetof(cli_key_opts, private_key_file)},
};
#define N_KEY_OPTS (sizeof KEY_OPTS / sizeof KEY_OPTS[0])

static void help_line(FILE *f, char sn, const char *name, const char *arg,
                      const char *help) {
  char left[64];
  if (sn)
    snprintf(left, sizeof left, "-%c, --%s%s%s", sn, name, arg ? " " : "",
             arg ? arg : "");
  else
    snprintf(left, sizeof left, "--%s%s%s", name, arg ? " " : "",
             arg ? arg : "");
  /* The help column starts at 29 and wraps at 79 (man page, terminal). */
  const char *h = help ? help : "";
  if (strlen(left) < 26)
    fprintf(f, "  %-26s ", left);
  else
    fprintf(f, "  %s\n  %-26s ", left, "");
  for (;;) {
    size_t n = strlen(h);
    if (n <= 50) {
      fprintf(f, "%s\n", h);
      return;
    }
    size_t cut = 50;
    while (cut > 0 && h[cut] != ' ')
      cut--;
    if (cut == 0) /* one long word: keep it whole */
      for (cut = 50; h[cut] && h[cut] != ' ';)
        cut++;
    fprintf(f, "%.*s\n  %-26s ", (int)cut, h, "");
    h += cut;
    while (*h == ' ')
      h++;
    if (!*h) {
      fputc('\n', f);
      return;
    }
  }
}

void cli_print_help(const cli_spec *s, FILE *f) {
  if (s->help)
    fputs(s->help, f);
  if (s->help && s->help[0] && s->help[strlen(s->help) - 1] != '\n')
    fputc('\n', f);
  fputs("\noptions:\n", f);
  for (const cli_opt *o = s->opts; o && o->name; o++)
    help_line(f, o->short_name, o->name,
              o->kind == CLI_OPT_FLAG ? NULL : o->arg, o->help);
  if (s->key)
    for (size_t i = 0; i < N_KEY_OPTS; i++)
      help_line(f, 0, KEY_OPTS[i].name, KEY_OPTS[i].arg, KEY_OPTS[i].help);
  help_line(f, 'h', "help", NULL, "this help");
  if (s->footer)
    fprintf(f, "\n%s", s->footer);
}

/* Stores value v of option o (named `flag` in errors). Returns CLI_RUN or
 * CLI_USAGE (printed). */
static int store(cli_spec *s, cli_opt *o, const char *flag, const char *v) {
  switch (o->kind) {
  case CLI_OPT_FLAG:
    *(int *)o->dest = 1;
    return CLI_RUN;
  case CLI_OPT_STR:
    *(const char **)o->dest = v;
    return CLI_RUN;
  case CLI_OPT_LIST: {
    cli_list *l = o->dest;
    if (l->n == l->cap)
      return cli_cmd_usage(s->cmd, "%s: at most %zu values", flag, l->cap);
    l->v[l->n++] = v;
    return CLI_RUN;
  }
  case CLI_OPT_U64: {
    uint64_t n;
    if (cli_parse_u64(&n, v))
      return cli_cmd_usage(s->cmd, "%s needs a number, not '%.40s'", flag, v);
    if (n < o->min || (o->max && n > o->max)) {
      if (o->max)
        return cli_cmd_usage(s->cmd, "%s must be %llu..%llu", flag,
                             (unsigned long long)o->min,
                             (unsigned long long)o->max);
      return cli_cmd_usage(s->cmd, "%s must be at least %llu", flag,
                           (unsigned long long)o->min);
    }
    *(uint64_t *)o->dest = n;
    return CLI_RUN;
  }
  case CLI_OPT_AMOUNT:
    return lc_parse_amount(o->dest, v, flag) == CLI_OK ? CLI_RUN : CLI_USAGE;
  case CLI_OPT_FUTURE:
  case CLI_OPT_PAST: {
    int64_t now = (int64_t)time(NULL), t;
    int dir = o->kind == CLI_OPT_FUTURE ? CLI_TIME_FUTURE : CLI_TIME_PAST;
    if (cli_time_parse(flag, v, now, dir, &t) != CLI_OK)
      return CLI_USAGE;
    if (o->kind == CLI_OPT_FUTURE && t <= now)
      return cli_cmd_usage(s->cmd, "%s %.40s is not in the future", flag, v);
    *(int64_t *)o->dest = t;
    return CLI_RUN;
  }
  }
  return cli_cmd_usage(s->cmd, "%s: unsupported option kind", flag);
}

int cli_parse(cli_spec *s, int argc, char **argv, int *nargs) {
  int np = 0, rest = 0;
  int key_seen[N_KEY_OPTS] = {0};
  *nargs = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (rest || a[0] != '-' || !a[1]) {
      /* An argument ("-" is stdin). Arguments are compacted in place: the
       * write index never passes the read index. */
      if (s->max_args >= 0 && np >= s->max_args) {
        if (s->max_args == 0)
          return cli_cmd_usage(s->cmd, "'decc %s' takes no argument ('%.60s')",
                               s->cmd, a);
        return cli_cmd_usage(s->cmd, "unexpected argument '%.60s'", a);
      }
      argv[1 + np++] = argv[i];
      continue;
    }
    if (!strcmp(a, "--")) {
      rest = 1;
      continue;
    }
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      cli_print_help(s, stdout);
      return CLI_OK;
    }
    /* Split --name=value; -x takes its value from the next word. */
    char name[64];
    const char *inline_val = NULL;
    cli_opt *o = NULL;
    int key = -1;
    if (a[1] == '-') {
      const char *eq = strchr(a + 2, '=');
      size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
      if (len == 0 || len >= sizeof name)
        return cli_cmd_usage(s->cmd, "unknown option '%.60s' for 'decc%s%s'", a,
                             *s->cmd ? " " : "", s->cmd);
      memcpy(name, a + 2, len);
      name[len] = 0;
      inline_val = eq ? eq + 1 : NULL;
      for (cli_opt *p = s->opts; p && p->name && !o; p++)
        if (!strcmp(p->name, name))
          o = p;
      for (size_t k = 0; !o && s->key && k < N_KEY_OPTS; k++)
        if (!strcmp(KEY_OPTS[k].name, name))
          key = (int)k;
    } else if (!a[2]) {
      for (cli_opt *p = s->opts; p && p->name && !o; p++)
        if (p->short_name && p->short_name == a[1])
          o = p;
    }
    if (!o && key < 0)
      return cli_cmd_usage(s->cmd, "unknown option '%.60s' for 'decc%s%s'", a,
                           *s->cmd ? " " : "", s->cmd);
    const char *flag = argv[i];
    char flagbuf[72];
    if (inline_val) {
      snprintf(flagbuf, sizeof flagbuf, "--%s", name);
      flag = flagbuf;
    }
    int takes_value = key >= 0 || o->kind != CLI_OPT_FLAG;
    if (!takes_value && inline_val)
      return cli_cmd_usage(s->cmd, "%s takes no value", flag);
    const char *v = inline_val;
    if (takes_value && !v) {
      if (i + 1 >= argc) {
        if (o && o->kind == CLI_OPT_U64)
          return cli_cmd_usage(s->cmd, "%s needs a number", flag);
        return cli_cmd_usage(s->cmd, "%s needs a value (%s)", flag,
                             o ? (o->arg ? o->arg : "a value")
                               : KEY_OPTS[key].arg);
      }
      v = argv[++i];
    }
    int *seen = key >= 0 ? &key_seen[key] : &o->seen;
    if (*seen && (key >= 0 || o->kind != CLI_OPT_LIST))
      return cli_cmd_usage(s->cmd, "%s given twice", flag);
    ++*seen;
    if (key >= 0) {
      /* off is offsetof() of a const char * member: aligned for one. */
      void *slot = (char *)s->key + KEY_OPTS[key].off;
      *(const char **)slot = v;
      continue;
    }
    int rc = store(s, o, flag, v);
    if (rc != CLI_RUN)
      return rc;
  }
  *nargs = np;
  return CLI_RUN;
}

static void sub_overview(const char *cmd, const char *text, const cli_sub *subs,
                         FILE *f) {
  fprintf(f, "usage: decc %s <command> [options]\n", cmd);
  if (text)
    fprintf(f, "\n%s", text);
  fputs("\ncommands:\n", f);
  for (const cli_sub *c = subs; c->name; c++)
    fprintf(f, "  %-12s %s\n", c->name, c->summary ? c->summary : "");
  fprintf(f, "\nRun 'decc %s <command> --help' for its options.\n", cmd);
}

int cli_dispatch(const char *cmd, const char *text, const cli_sub *subs,
                 int argc, char **argv) {
  if (argc < 2) {
    sub_overview(cmd, text, subs, stderr);
    return CLI_USAGE;
  }
  const char *a = argv[1];
  if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help")) {
    sub_overview(cmd, text, subs, stdout);
    return CLI_OK;
  }
  for (const cli_sub *c = subs; c->name; c++)
    if (!strcmp(c->name, a))
      return c->fn(argc - 1, argv + 1);
  return cli_cmd_usage(cmd, "unknown %s command '%.60s'", cmd, a);
}
