/*
 * runtime_app.c — the app phase (iexec-protocol.md §5.4): the app
 * service's environment (in secure memory, wiped after the run) and
 * iexec_args split into argv, the app run in the sandbox under the run's
 * limits, its exit mapped to a cause, its logs kept and bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decc/bundle.h"
#include "decc/cid.h"
#include "decc/dataset.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "decc/result.h"
#include "decc/sandbox.h"
#include "decc/session.h"
#include "decc/store.h"
#include "enclave/enclave_int.h"

#define APP_ENV_MAX 512
#define APP_ARGS_MAX 256

/* ---- app ----------------------------------------------------------------------- */

/* Splits iexec_args like a shell word splitter without expansions:
 * whitespace separates words; '…' and "…" quote (backslash escapes inside
 * double quotes and outside quotes). Out: words in *buf (NUL-separated),
 * pointers in argv (n ≤ max). Returns 0 or -1 (unbalanced quote / too
 * many words / too long). */
static int split_args(const char *s, char *buf, size_t cap, const char **argv,
                      size_t max, size_t *n) {
  size_t w = 0;
  *n = 0;
  while (*s) {
    while (*s == ' ' || *s == '\t' || *s == '\n')
      s++;
    if (!*s)
      break;
    if (*n >= max)
      return -1;
    argv[(*n)++] = buf + w;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
      char q = 0;
      if (*s == '\'' || *s == '"')
        q = *s++;
      while (*s && (q ? *s != q
                      : (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\'' &&
                         *s != '"'))) {
        if (*s == '\\' && q != '\'' && s[1])
          s++;
        if (w + 1 >= cap)
          return -1;
        buf[w++] = *s++;
      }
      if (q) {
        if (*s != q)
          return -1;
        s++;
      }
    }
    if (w + 1 >= cap)
      return -1;
    buf[w++] = 0;
  }
  return 0;
}

/* Keeps at most max bytes of a log file (the head: the first lines tell
 * most) and notes the truncation. */
static void cap_log(const char *path, uint64_t max) {
  struct stat st;
  if (stat(path, &st) == 0 && (uint64_t)st.st_size > max) {
    if (truncate(path, (off_t)max) == 0) {
      int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd >= 0) {
        static const char note[] = "\n[decc: log truncated]\n";
        if (write(fd, note, sizeof note - 1) < 0) {
          /* nothing more to do: the log is best effort */
        }
        close(fd);
      }
    }
  }
}

void decc__enclave_run_app(decc_enclave_outcome *o, const decc_session *s,
                           const decc_bundle_manifest *m, const char *app_dir,
                           const char *in_dir, const char *out_dir,
                           const char *logs_dir,
                           const decc_enclave_limits *lim) {
  /* Environment: the app service's variables, in secure memory. */
  size_t nenv = s->n_app_env;
  if (nenv + 3 > APP_ENV_MAX) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "app environment has %zu variables (at most %d)", nenv,
                       APP_ENV_MAX - 3);
    return;
  }
  char **envp = decc_secure_alloc((nenv + 3) * sizeof *envp);
  size_t ne = 0;
  if (!envp) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "out of memory");
    return;
  }
  memset(envp, 0, (nenv + 3) * sizeof *envp);
  int oom = 0;
  for (size_t i = 0; i < nenv; i++) {
    const char *k = s->app_env[i].name, *val = s->app_env[i].value;
    size_t l = strlen(k) + strlen(val) + 2;
    if (!strcmp(k, "PATH") || strchr(k, '='))
      continue;
    char *kv = decc_secure_alloc(l);
    if (!kv) {
      oom = 1;
      break;
    }
    snprintf(kv, l, "%s=%s", k, val);
    envp[ne++] = kv;
  }
  static const char path_var[] = "PATH=/usr/local/bin:/usr/bin:/bin";
  static const char home_var[] = "HOME=/tmp";
  envp[ne++] = (char *)path_var;
  envp[ne++] = (char *)home_var;
  envp[ne] = NULL;

  /* argv: entrypoint then the words of args */
  const char *argv[APP_ARGS_MAX + 2];
  char *argbuf = NULL, *entry = NULL;
  size_t na = 0;
  const char *args = s->args ? s->args : "";
  size_t cap = strlen(args) + 1;
  argbuf = decc_malloc(cap + 1);
  entry = decc__path_join("/app", m->entrypoint);
  if (oom || !argbuf || !entry) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "out of memory");
  } else if (split_args(args, argbuf, cap + 1, argv + 1, APP_ARGS_MAX, &na)) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "iexec_args: unbalanced quotes or more than %d words",
                       APP_ARGS_MAX);
  } else {
    argv[0] = entry;
    argv[na + 1] = NULL;
    char *lo = decc__path_join(logs_dir, "stdout.txt");
    char *le = decc__path_join(logs_dir, "stderr.txt");
    int fo = lo ? open(lo, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    int fe = le ? open(le, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (fo < 0 || fe < 0) {
      decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "cannot create the logs");
    } else {
      decc_sandbox_opts so;
      decc_sandbox_opts_init(&so);
      so.app_dir = app_dir;
      so.in_dir = in_dir;
      so.out_dir = out_dir;
      so.argv = argv;
      so.envp = (const char *const *)envp;
      so.out_max_bytes = lim->out_max_bytes;
      so.mem_max_bytes = lim->mem_max_bytes;
      so.cpu_seconds = lim->cpu_seconds;
      so.wall_ms = lim->wall_ms;
      so.stdout_fd = fo;
      so.stderr_fd = fe;
      decc_sandbox_result r;
      decc_err err;
      decc_err_clear(&err);
      memset(&r, 0, sizeof r);
      decc_status st = decc_sandbox_run(&so, &r, &err);
      if (st) {
        decc__enclave_fail(o, DECC_CAUSE_SANDBOX_FAILED, "sandbox: %s",
                           err.msg);
      } else {
        switch (r.end) {
        case DECC_SANDBOX_EXITED:
          o->exit_code = r.exit_code;
          if (r.exit_code != 0)
            decc__enclave_fail(o, DECC_CAUSE_APP_EXIT_CODE,
                               "the app exited with code %d", r.exit_code);
          break;
        case DECC_SANDBOX_SIGNALED:
          o->signal = r.signal;
          decc__enclave_fail(o, DECC_CAUSE_APP_SIGNALED,
                             "the app was killed by signal %d%s%s", r.signal,
                             r.detail[0] ? ": " : "", r.detail);
          break;
        case DECC_SANDBOX_TIMEOUT:
          decc__enclave_fail(o, DECC_CAUSE_APP_TIMEOUT,
                             "the app ran past its %u ms limit", lim->wall_ms);
          break;
        case DECC_SANDBOX_OUTPUT_LIMIT:
          decc__enclave_fail(o, DECC_CAUSE_OUTPUT_TOO_LARGE,
                             "the app wrote more than %llu bytes to "
                             "/iexec_out",
                             (unsigned long long)lim->out_max_bytes);
          break;
        default:
          decc__enclave_fail(o, DECC_CAUSE_SANDBOX_FAILED, "sandbox: %s",
                             r.detail);
        }
      }
    }
    if (fo >= 0)
      close(fo);
    if (fe >= 0)
      close(fe);
    if (lo)
      cap_log(lo, lim->log_max_bytes);
    if (le)
      cap_log(le, lim->log_max_bytes);
    decc_free(lo);
    decc_free(le);
  }
  for (size_t i = 0; i + 2 < ne; i++) {
    decc_memzero(envp[i], strlen(envp[i]));
    decc_secure_free(envp[i]);
  }
  decc_secure_free(envp);
  decc_free(argbuf);
  decc_free(entry);
}
