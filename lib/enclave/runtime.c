/*
 * runtime.c — runs one task from its decrypted session: the measured app
 * bundle, pre-compute (dataset fetch, checksum, decryption; input files),
 * the app in the sandbox with the session's app environment, and
 * post-compute (computed.json, result digest, zip, encryption, upload,
 * enclave signature). Every failure becomes a cause in the outcome, never
 * a secret in a message. The session's secrets are copied only into
 * secure memory (the sandbox environment) and wiped after use; in the
 * attested path (launch.c) this whole file runs inside the forked enclave
 * process, whose JSON allocations are wiped too.
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

/* computed.json is small by nature. */
#define COMPUTED_MAX 65536
/* Most environment entries given to the app. */
#define APP_ENV_MAX 512
/* Most argv entries from iexec_args. */
#define APP_ARGS_MAX 256

/* ---- causes ---------------------------------------------------------------- */

#define CAUSE_NAME(name, value, text)                                          \
  case DECC_CAUSE_##name:                                                      \
    return #name;
#define CAUSE_TEXT(name, value, text)                                          \
  case DECC_CAUSE_##name:                                                      \
    return text;

const char *decc_task_cause_name(decc_task_cause c) {
  switch (c) { DECC_TASK_CAUSE_MAP(CAUSE_NAME) }
  return "UNKNOWN";
}

const char *decc_task_cause_text(decc_task_cause c) {
  switch (c) { DECC_TASK_CAUSE_MAP(CAUSE_TEXT) }
  return "unknown cause";
}

decc_status decc_task_cause_parse(decc_task_cause *c, const char *name) {
#define CAUSE_PARSE(n, value, text)                                            \
  if (!strcmp(name, #n)) {                                                     \
    *c = DECC_CAUSE_##n;                                                       \
    return DECC_OK;                                                            \
  }
  if (name) {
    DECC_TASK_CAUSE_MAP(CAUSE_PARSE)
  }
#undef CAUSE_PARSE
  return DECC_E_NOT_FOUND;
}

void decc_enclave_limits_init(decc_enclave_limits *l) {
  memset(l, 0, sizeof *l);
  l->wall_ms = 60000;
  l->cpu_seconds = 60;
  l->mem_max_bytes = 1ull << 30;
  l->out_max_bytes = 64ull << 20;
  l->result_max_bytes = 64ull << 20;
  l->dataset_max_bytes = 1ull << 30;
  l->input_max_bytes = 256ull << 20;
  l->bundle_max_bytes = 256ull << 20;
  l->log_max_bytes = 64u << 10;
  l->max_input_files = 64;
  l->fetch_timeout_s = 120;
}

void decc__enclave_fail(decc_enclave_outcome *o, decc_task_cause c,
                        const char *fmt, ...) {
  if (o->cause != DECC_CAUSE_NONE)
    return; /* the first cause is the one that counts */
  o->cause = c;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(o->detail, sizeof o->detail, fmt, ap);
  va_end(ap);
  for (char *p = o->detail; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
}

double decc__enclave_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- files ---------------------------------------------------------------- */

static int rm_cb(const char *p, const struct stat *sb, int flag,
                 struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(p);
  return 0;
}

void decc__enclave_rmtree(const char *path) {
  nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

char *decc__enclave_path(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = decc_malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", a, b);
  return p;
}

/* ---- fetching ---------------------------------------------------------------- */

typedef struct sink {
  int fd;
  decc_buf *buf;
  uint64_t n, max;
} sink;

static decc_status sink_write(void *ud, const uint8_t *p, size_t n,
                              decc_err *err) {
  sink *s = ud;
  if (s->n + n > s->max)
    return decc_err_set(err, DECC_E_LIMIT, "content larger than %llu bytes",
                        (unsigned long long)s->max);
  s->n += n;
  if (s->buf)
    return decc_buf_append(s->buf, p, n);
  while (n) {
    ssize_t w = write(s->fd, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return decc_err_set(err, DECC_E_IO, "write failed: %s", strerror(errno));
    }
    p += w;
    n -= (size_t)w;
  }
  return DECC_OK;
}

/* Parses "/ipfs/<cid>", "/p2p/<cid>" or "ipfs://<cid>". Returns 1 if url
 * names store content. */
static int ipfs_cid(decc_cid *cid, const char *url) {
  const char *c = NULL;
  if (!strncmp(url, "/ipfs/", 6))
    c = url + 6;
  else if (!strncmp(url, "/p2p/", 5))
    c = url + 5;
  else if (!strncmp(url, "ipfs://", 7))
    c = url + 7;
  if (!c)
    return 0;
  char tmp[DECC_CID_STR_MAX];
  size_t n = strcspn(c, "/?#");
  if (n == 0 || n >= sizeof tmp)
    return 0;
  memcpy(tmp, c, n);
  tmp[n] = 0;
  return decc_cid_parse(cid, tmp, NULL) == DECC_OK;
}

decc_status decc__enclave_fetch(const decc_enclave_store *store,
                                const char *url, int fd, decc_buf *buf,
                                uint64_t max, long timeout_s, decc_err *err) {
  sink s = {fd, buf, 0, max};
  decc_cid cid;
  if (ipfs_cid(&cid, url)) {
    if (store && store->bs)
      return decc_store_cat(store->bs, &cid, 0, UINT64_MAX, sink_write, &s,
                            err);
    if (store && store->ipfs_api_url)
      return decc_kubo_cat(store->ipfs_api_url, &cid, 1, sink_write, &s,
                           timeout_s, err);
    return decc_err_set(err, DECC_E_INVALID, "no content store configured");
  }
  if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "unsupported URL scheme (only /ipfs/ and http(s))");
  decc_http_reply r;
  decc_status st = decc_http_fetch(&r, "GET", url, NULL, NULL, 0,
                                   (size_t)(max < SIZE_MAX / 2 ? max : 0),
                                   timeout_s * 1000, err);
  if (!st && (r.status < 200 || r.status > 299))
    st = decc_err_set(err, DECC_E_NETWORK, "HTTP %ld", r.status);
  if (!st)
    st = sink_write(&s, r.body.data, r.body.len, err);
  decc_buf_clear(&r.body);
  return st;
}

decc_status decc__enclave_upload(const decc_enclave_store *store,
                                 const char *path, char *cid_out, size_t cap,
                                 decc_err *err) {
  decc_cid cid;
  decc_status st;
  if (store && store->bs) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return decc_err_set(err, DECC_E_IO, "cannot open the result archive");
    st = decc_store_add_fd(store->bs, &cid, NULL, NULL, fd, path, 1, err);
    close(fd);
  } else if (store && store->ipfs_api_url) {
    decc_kubo_add_opts o = {0, -1, 1, 300};
    st = decc_kubo_add_file(store->ipfs_api_url, path, &o, &cid, NULL, err);
  } else {
    return decc_err_set(err, DECC_E_INVALID, "no content store configured");
  }
  if (st)
    return st;
  return decc_cid_to_string(cid_out, cap, &cid);
}

/* A file name the session may give (dataset filename): one path
 * component, printable, not "." or "..". */
static int safe_name(const char *n) {
  size_t l = n ? strlen(n) : 0;
  if (l == 0 || l > 255 || !strcmp(n, ".") || !strcmp(n, ".."))
    return 0;
  for (size_t i = 0; i < l; i++)
    if (n[i] == '/' || (unsigned char)n[i] < 0x21 || n[i] == 0x7f)
      return 0;
  return 1;
}

/* ---- pre-compute ------------------------------------------------------------ */

/* Fetches one dataset (url), checks its SHA-256 against sum (0x-hex),
 * decrypts it with key (base64) into in_dir/name (read-only). Failures go
 * to o; label names the dataset in the detail ("dataset" or "bulk dataset
 * 2 (0x…)"). */
static void fetch_dataset(decc_enclave_outcome *o, const char *label,
                          const char *url, const char *sum, const char *key,
                          const char *name, const char *in_dir,
                          const decc_enclave_store *store,
                          const decc_enclave_limits *lim) {
  decc_err err;
  decc_err_clear(&err);
  uint8_t want[32];
  if (!url || !*url || !sum || !key || !safe_name(name) ||
      decc_hex_decode_exact(want, 32, sum, "checksum", NULL)) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "pre-compute: %s URL, checksum, key or filename "
                       "missing or malformed",
                       label);
    return;
  }
  char *enc = decc__enclave_path(in_dir, ".dataset.enc");
  char *plain = decc__enclave_path(in_dir, name);
  decc_dataset_key *k = NULL;
  int fd = enc ? open(enc, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
               : -1;
  if (fd < 0 || !plain) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                       "pre-compute: cannot create the %s file", label);
  } else {
    decc_status st = decc__enclave_fetch(store, url, fd, NULL,
                                         lim->dataset_max_bytes,
                                         lim->fetch_timeout_s, &err);
    if (close(fd) != 0 && !st)
      st = DECC_E_IO;
    fd = -1;
    uint8_t got[32];
    if (st) {
      decc__enclave_fail(o, DECC_CAUSE_DATASET_FETCH_FAILED,
                         "pre-compute: fetching the %s %s: %s", label, url,
                         err.msg);
    } else if (decc_sha256_file(got, enc, &err)) {
      decc__enclave_fail(o, DECC_CAUSE_DATASET_FETCH_FAILED,
                         "pre-compute: reading the %s: %s", label, err.msg);
    } else if (!decc_ct_memeq(got, want, 32)) {
      char gh[67];
      decc__enclave_fail(o, DECC_CAUSE_DATASET_CHECKSUM_MISMATCH,
                         "pre-compute: %s checksum %s differs from "
                         "the on-chain %s",
                         label, decc_hex_encode(gh, got, 32, 1), sum);
    } else if (decc_dataset_key_parse(&k, key, strlen(key), NULL)) {
      decc__enclave_fail(o, DECC_CAUSE_DATASET_DECRYPTION_FAILED,
                         "pre-compute: the %s key is not a base64 "
                         "32-byte key",
                         label);
    } else if ((st = decc_dataset_decrypt_file(plain, NULL, k, enc, want,
                                               &err))) {
      decc__enclave_fail(o, DECC_CAUSE_DATASET_DECRYPTION_FAILED,
                         "pre-compute: %s decryption failed (%s)", label,
                         decc_status_name(st));
    } else if (chmod(plain, 0444) != 0) {
      decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                         "pre-compute: cannot make the %s readable", label);
    }
  }
  decc_dataset_key_destroy(k);
  if (enc)
    unlink(enc);
  decc_free(enc);
  decc_free(plain);
}

/* Bulk processing (iExec's pre-compute with IEXEC_BULK_SLICE_SIZE = N):
 * datasets 1..N from IEXEC_DATASET_<i>_URL / _CHECKSUM / _KEY / _FILENAME,
 * each fetched, checked and decrypted into in_dir/<filename>. As iExec's
 * pre-compute, every dataset is tried even after a failure and the task
 * fails if any did; the detail lists the failed ones, with the SMS's
 * reason for those it refused (IEXEC_DATASET_<i>_REFUSED, decc's). */
static void pre_compute_bulk(decc_enclave_outcome *o, const decc_session *s,
                             const char *in_dir,
                             const decc_enclave_store *store,
                             const decc_enclave_limits *lim) {
  if (!s->bulk) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "pre-compute: " DECC_ENV_BULK_SLICE_SIZE " is not a "
                       "number of datasets in 0..%d",
                       DECC_ENCLAVE_BULK_MAX);
    return;
  }
  unsigned long n = (unsigned long)s->n_bulk;
  decc_task_cause first = DECC_CAUSE_NONE;
  char detail[sizeof o->detail];
  size_t failed = 0, used = 0;
  detail[0] = 0;
  for (unsigned long i = 1; i <= n; i++) {
    const decc_session_dataset *d = &s->bulk_datasets[i - 1];
    char label[80];
    const char *name = d->filename;
    snprintf(label, sizeof label, "bulk dataset %lu (%.42s)", i,
             name ? name : "?");
    decc_enclave_outcome one;
    memset(&one, 0, sizeof one);
    const char *refused = d->refused, *url = d->url, *key = d->key;
    if (refused || !url || !*url || !key || !*key)
      decc__enclave_fail(&one, DECC_CAUSE_BULK_DATASET_REFUSED,
                         "%s: no key released by the SMS: %s", label,
                         refused ? refused : "no reason given");
    else
      fetch_dataset(&one, label, url, d->checksum, key, name, in_dir, store,
                    lim);
    if (one.cause == DECC_CAUSE_NONE)
      continue;
    if (!failed++)
      first = one.cause;
    /* The detail has room for a few items: "#i 0xADDR: why", why = the
     * SMS's reason for a refusal (PoCo's text), else the cause name. */
    const char *why = decc_task_cause_name(one.cause);
    if (one.cause == DECC_CAUSE_BULK_DATASET_REFUSED && refused) {
      why = refused;
      if (!strncmp(why, "IncompatibleDatasetOrder: ", 26))
        why += 26;
    }
    int w = snprintf(detail + used, sizeof detail - used, "%s#%lu %.42s: %s",
                     used ? "; " : "", i, name ? name : "?", why);
    if (w > 0)
      used = used + (size_t)w < sizeof detail ? used + (size_t)w
                                              : sizeof detail - 1;
  }
  if (failed)
    decc__enclave_fail(o, first, "pre-compute: %zu of %lu bulk datasets "
                                 "failed: %s",
                       failed, n, detail);
}

static void pre_compute(decc_enclave_outcome *o, const decc_session *s,
                        const char *in_dir, const decc_enclave_store *store,
                        const decc_enclave_limits *lim) {
  if (s->has_dataset) {
    fetch_dataset(o, "dataset", s->dataset.url, s->dataset.checksum,
                  s->dataset.key, s->dataset.filename, in_dir, store, lim);
    if (o->cause)
      return;
  }
  if (s->bulk_size) {
    pre_compute_bulk(o, s, in_dir, store, lim);
    if (o->cause)
      return;
  }
  decc_err err;
  decc_err_clear(&err);
  const char *ns = s->input_files_number;
  unsigned long n = ns ? strtoul(ns, NULL, 10) : 0;
  if (n > lim->max_input_files) {
    decc__enclave_fail(o, DECC_CAUSE_INPUT_FILE_FETCH_FAILED,
                       "pre-compute: %lu input files (at most %u)", n,
                       lim->max_input_files);
    return;
  }
  for (unsigned long i = 1; i <= n && !o->cause; i++) {
    char k[DECC_SESSION_ENV_NAME_MAX], h[67];
    decc_session_env_name(k, DECC_ENV_INPUT_FILE_URL_, i, NULL);
    const char *url = i <= s->n_input_files ? s->input_files[i - 1] : NULL;
    if (!url || !*url) {
      decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                         "pre-compute: %s missing", k);
      return;
    }
    uint8_t d[32];
    decc_sha256(d, url, strlen(url));
    decc_hex_encode(h, d, 32, 1);
    char *path = decc__enclave_path(in_dir, h);
    char *tmp = decc__enclave_path(in_dir, ".input.tmp");
    int fd = (path && tmp)
                 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                 : -1;
    if (fd < 0) {
      decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                         "pre-compute: cannot create an input file");
    } else {
      decc_status st = decc__enclave_fetch(store, url, fd, NULL,
                                           lim->input_max_bytes,
                                           lim->fetch_timeout_s, &err);
      if (close(fd) != 0 && !st)
        st = DECC_E_IO;
      if (st)
        decc__enclave_fail(o, DECC_CAUSE_INPUT_FILE_FETCH_FAILED,
                           "pre-compute: input file %lu: %s", i, err.msg);
      else if (fchmodat(AT_FDCWD, tmp, 0444, 0) != 0 || rename(tmp, path))
        decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                           "pre-compute: cannot store input file %lu", i);
    }
    if (tmp)
      unlink(tmp);
    decc_free(path);
    decc_free(tmp);
  }
}

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
      while (*s && (q ? *s != q : (*s != ' ' && *s != '\t' && *s != '\n' &&
                                  *s != '\'' && *s != '"'))) {
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

static void run_app(decc_enclave_outcome *o, const decc_session *s,
                    const decc_bundle_manifest *m, const char *app_dir,
                    const char *in_dir, const char *out_dir,
                    const char *logs_dir, const decc_enclave_limits *lim) {
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
  entry = decc__enclave_path("/app", m->entrypoint);
  if (oom || !argbuf || !entry) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "out of memory");
  } else if (split_args(args, argbuf, cap + 1, argv + 1, APP_ARGS_MAX, &na)) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "iexec_args: unbalanced quotes or more than %d words",
                       APP_ARGS_MAX);
  } else {
    argv[0] = entry;
    argv[na + 1] = NULL;
    char *lo = decc__enclave_path(logs_dir, "stdout.txt");
    char *le = decc__enclave_path(logs_dir, "stderr.txt");
    int fo = lo ? open(lo, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
                : -1;
    int fe = le ? open(le, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
                : -1;
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

/* ---- post-compute -------------------------------------------------------------- */

/* Maps the container path /iexec_out[/rest] to out_dir[/rest]; refuses
 * "..", "." components and paths outside /iexec_out. */
static char *map_output_path(const char *p, const char *out_dir) {
  static const char root[] = "/iexec_out";
  if (strncmp(p, root, sizeof root - 1))
    return NULL;
  const char *rest = p + sizeof root - 1;
  if (*rest && *rest != '/')
    return NULL;
  for (const char *c = rest; *c;) {
    while (*c == '/')
      c++;
    size_t n = strcspn(c, "/");
    if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
      return NULL;
    c += n;
  }
  size_t l = strlen(out_dir) + strlen(rest) + 1;
  char *r = decc_malloc(l);
  if (r)
    snprintf(r, l, "%s%s", out_dir, rest);
  return r;
}

static void post_compute(decc_enclave_outcome *o, const decc_session *s,
                         const char *work_dir, const char *out_dir,
                         const decc_enclave_store *store,
                         const decc_enclave_limits *lim) {
  decc_err err;
  decc_err_clear(&err);
  uint8_t task[32];
  decc_address worker;
  const char *tid = s->task_id;
  const char *wa = s->worker;
  if (!tid || decc_hex_decode_exact(task, 32, tid, "task id", NULL) || !wa ||
      decc_address_parse(&worker, wa, NULL)) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "post-compute: " DECC_ENV_TASK_ID " or "
                       DECC_ENV_SIGN_WORKER_ADDRESS " missing or malformed");
    return;
  }

  /* computed.json */
  char *cpath = decc__enclave_path(out_dir, "computed.json");
  struct stat cst;
  json_t *computed = NULL;
  if (!cpath || lstat(cpath, &cst) != 0 || !S_ISREG(cst.st_mode)) {
    decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                       "the app wrote no /iexec_out/computed.json");
  } else if (cst.st_size > COMPUTED_MAX) {
    decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                       "computed.json is larger than %d bytes", COMPUTED_MAX);
  } else {
    json_error_t je;
    computed = json_load_file(cpath, 0, &je);
    if (!json_is_object(computed))
      decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                         "computed.json is not a JSON object (line %d)",
                         je.line);
  }
  decc_free(cpath);
  if (o->cause) {
    json_decref(computed);
    return;
  }

  int callback = s->callback;
  if (callback) {
    json_t *cd = json_object_get(computed, "callback-data");
    const char *hex = json_is_string(cd) ? json_string_value(cd) : NULL;
    size_t n = 0;
    if (!hex || !*hex ||
        decc_hex_decode(o->callback, sizeof o->callback, &n, hex,
                        strlen(hex))) {
      decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                         "callback task: computed.json has no valid hex "
                         "callback-data (at most %d bytes)",
                         DECC_ENCLAVE_CALLBACK_MAX);
    } else {
      o->callback_len = n;
      o->has_callback = 1;
      decc_keccak256(o->result_digest, o->callback, n);
    }
  } else {
    json_t *dp = json_object_get(computed, "deterministic-output-path");
    const char *p = json_is_string(dp) ? json_string_value(dp) : NULL;
    char *host = p ? map_output_path(p, out_dir) : NULL;
    decc_status st;
    if (!host) {
      decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                         "computed.json: deterministic-output-path missing "
                         "or not under /iexec_out");
    } else if ((st = decc_enclave_result_digest(o->result_digest, host,
                                                &err))) {
      decc__enclave_fail(o, DECC_CAUSE_RESULT_DIGEST_FAILED, "result digest: %s",
                         err.msg);
    }
    decc_free(host);
  }
  json_decref(computed);
  if (o->cause)
    return;

  if (!callback) {
    const char *prov = s->provider;
    char *zip = decc__enclave_path(work_dir, "iexec_out.zip");
    char *enc = decc__enclave_path(work_dir, "result.zip");
    const char *upload = zip;
    struct stat zs;
    decc_status st;
    if (!zip || !enc) {
      decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "out of memory");
    } else if (prov && *prov && strcmp(prov, "ipfs")) {
      decc__enclave_fail(o, DECC_CAUSE_RESULT_UPLOAD_FAILED,
                         "result storage provider \"%s\" is not supported "
                         "(ipfs only)",
                         prov);
    } else if ((st = decc_enclave_zip_dir(zip, out_dir, lim->result_max_bytes,
                                          &err))) {
      decc__enclave_fail(o,
                         st == DECC_E_LIMIT ? DECC_CAUSE_RESULT_TOO_LARGE
                                            : DECC_CAUSE_INTERNAL,
                         "result zip: %s", err.msg);
    } else if (s->encrypt) {
      const char *pk = s->encryption_key;
      decc_rsa_key *key = NULL;
      if (!pk || !*pk || decc_rsa_key_parse(&key, pk, strlen(pk), NULL)) {
        decc__enclave_fail(o, DECC_CAUSE_RESULT_ENCRYPTION_FAILED,
                           "the beneficiary's result key is missing or not "
                           "an RSA public key");
      } else if ((st = decc_result_encrypt_file(enc, key, zip, &err))) {
        decc__enclave_fail(o, DECC_CAUSE_RESULT_ENCRYPTION_FAILED,
                           "result encryption: %s", err.msg);
      } else {
        upload = enc;
      }
      decc_rsa_key_destroy(key);
    }
    if (!o->cause) {
      if (stat(upload, &zs) != 0) {
        decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                           "the result archive vanished");
      } else if ((uint64_t)zs.st_size > lim->result_max_bytes) {
        decc__enclave_fail(o, DECC_CAUSE_RESULT_TOO_LARGE,
                           "result archive of %llu bytes exceeds the %llu "
                           "byte limit",
                           (unsigned long long)zs.st_size,
                           (unsigned long long)lim->result_max_bytes);
      } else if ((st = decc__enclave_upload(store, upload, o->result_cid,
                                            sizeof o->result_cid, &err))) {
        decc__enclave_fail(o, DECC_CAUSE_RESULT_UPLOAD_FAILED,
                           "result upload: %s", err.msg);
      } else {
        o->result_bytes = (uint64_t)zs.st_size;
        /* iExec's exact text (ResultService#buildResultLink), spaces
         * included. */
        snprintf(o->results, sizeof o->results,
                 "{ \"storage\": \"ipfs\", \"location\": \"/ipfs/%s\" }",
                 o->result_cid);
      }
    }
    if (zip)
      unlink(zip);
    if (enc)
      unlink(enc);
    decc_free(zip);
    decc_free(enc);
    if (o->cause)
      return;
  }

  decc_poco_result_hash(o->result_hash, task, o->result_digest);
  decc_poco_result_seal(o->result_seal, &worker, task, o->result_digest);
  const char *skhex = s->enclave_key;
  if (skhex && *skhex) {
    uint8_t *sk = decc_secure_alloc(32);
    uint8_t msg[32];
    if (!sk) {
      decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "out of memory");
      return;
    }
    if (decc_hex_decode_exact(sk, 32, skhex, "key", NULL) ||
        decc_address_from_privkey(&o->enclave_challenge, sk)) {
      decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                         "post-compute: the enclave challenge key is "
                         "malformed");
    } else {
      decc_poco_enclave_message(msg, o->result_hash, o->result_seal);
      if (decc_eip191_sign(o->enclave_sign, sk, msg, 32))
        decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                           "post-compute: signing failed");
      else
        o->has_enclave_sign = 1;
    }
    decc_memzero(sk, 32);
    decc_secure_free(sk);
  }
}

/* ---- the run ------------------------------------------------------------------- */

decc_status decc_enclave_run_session(decc_enclave_outcome *out,
                                     const char *session_text, size_t len,
                                     const uint8_t *bundle, size_t bundle_len,
                                     const char *work_dir,
                                     const decc_enclave_store *store,
                                     const decc_enclave_limits *limits,
                                     decc_err *err) {
  if (!out)
    return decc_err_set(err, DECC_E_INVALID, "enclave: no outcome");
  memset(out, 0, sizeof *out);
  if (!session_text || !bundle || !work_dir || !store)
    return decc_err_set(err, DECC_E_INVALID,
                        "enclave: session, bundle, work_dir and store are "
                        "required");
  decc_enclave_limits lim;
  if (limits)
    lim = *limits;
  else
    decc_enclave_limits_init(&lim);

  char *app_dir = decc__enclave_path(work_dir, "app");
  char *in_dir = decc__enclave_path(work_dir, "in");
  char *out_dir = decc__enclave_path(work_dir, "out");
  char *logs_dir = decc__enclave_path(work_dir, "logs");
  if (!app_dir || !in_dir || !out_dir || !logs_dir) {
    decc_free(app_dir);
    decc_free(in_dir);
    decc_free(out_dir);
    decc_free(logs_dir);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  decc_status rc = DECC_OK;
  if (chmod(work_dir, 0711) != 0 || mkdir(app_dir, 0755) != 0 ||
      mkdir(in_dir, 0755) != 0 || mkdir(out_dir, 0755) != 0 ||
      (mkdir(logs_dir, 0700) != 0 && errno != EEXIST)) {
    rc = decc_err_set(err, DECC_E_IO,
                      "enclave: work directory %s is not usable (%s)",
                      work_dir, strerror(errno));
    goto done;
  }

  decc_session s;
  decc_err e2;
  decc_err_clear(&e2);
  double t0 = decc__enclave_now_ms();
  if (decc_session_parse(&s, session_text, len, &e2)) {
    decc__enclave_fail(out, DECC_CAUSE_SESSION_INVALID, "%s", e2.msg);
  } else {
    /* measured launch: the bundle that runs is the one the SMS checked */
    decc_sha256(out->measurement, bundle, bundle_len);
    const char *fps = s.app_fingerprint ? s.app_fingerprint : "";
    uint8_t want[32];
    decc_bundle_manifest m;
    if (*fps && (decc_hex_decode_exact(want, 32, fps, "fingerprint", NULL) ||
                 !decc_ct_memeq(want, out->measurement, 32))) {
      decc__enclave_fail(out, DECC_CAUSE_APP_MEASUREMENT_MISMATCH,
                         "the app bundle's SHA-256 differs from the app "
                         "fingerprint %s",
                         fps);
    } else if (decc_bundle_unpack(bundle, bundle_len, out->measurement,
                                  app_dir, &m, &e2)) {
      decc__enclave_fail(out, DECC_CAUSE_APP_BUNDLE_INVALID, "app bundle: %s",
                         e2.msg);
    } else {
      if (s.has_pre)
        pre_compute(out, &s, in_dir, store, &lim);
      double t1 = decc__enclave_now_ms();
      out->pre_ms = t1 - t0;
      if (!out->cause)
        run_app(out, &s, &m, app_dir, in_dir, out_dir, logs_dir, &lim);
      double t2 = decc__enclave_now_ms();
      out->app_ms = t2 - t1;
      if (!out->cause)
        post_compute(out, &s, work_dir, out_dir, store, &lim);
      out->post_ms = decc__enclave_now_ms() - t2;
    }
  }
  decc_session_clear(&s);

done:
  /* the decrypted dataset and the app's files do not outlive the run */
  decc__enclave_rmtree(in_dir);
  decc__enclave_rmtree(out_dir);
  decc__enclave_rmtree(app_dir);
  decc_free(app_dir);
  decc_free(in_dir);
  decc_free(out_dir);
  decc_free(logs_dir);
  return rc;
}

/* ---- standard tasks --------------------------------------------------------------- */

decc_status decc_enclave_standard_session(char **json, size_t *len,
                                          const decc_enclave_standard *t,
                                          decc_err *err) {
  *json = NULL;
  if (len)
    *len = 0;
  const char *params = t->params ? t->params : "";
  decc_deal_params p;
  decc_err e2;
  decc_status st = decc_deal_params_parse(&p, params, strlen(params), 0, 0,
                                          &e2);
  if (st)
    return decc_err_set(err, st == DECC_E_NOMEM ? st : DECC_E_PARSE, "%s",
                        e2.msg);
  if (p.encrypt || p.n_secrets) {
    decc_deal_params_clear(&p);
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "result encryption and secrets need a TEE task");
  }
  /* What the worker knows from the chain; no secret, no enclave key, no
   * result encryption; results go to the worker's store (ipfs). */
  char th[67], dh[67], cks[67], wa[43], ti[24], bsz[24], bfi[24];
  static const uint8_t zero[32];
  int callback = !decc_address_is_zero(&t->callback);
  snprintf(ti, sizeof ti, "%llu", (unsigned long long)t->task_index);
  snprintf(bsz, sizeof bsz, "%llu", (unsigned long long)t->bot_size);
  snprintf(bfi, sizeof bfi, "%llu", (unsigned long long)t->bot_first);
  decc_session s;
  memset(&s, 0, sizeof s);
  s.name = decc_hex_encode(th, t->task_id, 32, 1);
  s.task_id = th;
  s.deal_id = decc_hex_encode(dh, t->deal_id, 32, 1);
  s.task_index = ti;
  s.bot_size = bsz;
  s.bot_first = bfi;
  s.worker = decc_address_to_checksum(wa, &t->worker);
  s.input_files = p.input_files;
  s.n_input_files = p.n_input_files;
  s.app_fingerprint = memcmp(t->app_checksum, zero, 32)
                          ? decc_hex_encode(cks, t->app_checksum, 32, 1)
                          : "";
  s.args = p.args;
  s.dataset_address = DECC_SESSION_ZERO_ADDRESS;
  s.callback = callback;
  s.provider = callback ? "" : DECC_PARAM_PROVIDER_DEFAULT;
  decc_buf b;
  decc_buf_init(&b, 0);
  st = decc_session_write(&b, &s, NULL);
  decc_deal_params_clear(&p);
  if (st) {
    decc_buf_clear(&b);
    return decc_err_set(err, st, "the session could not be written (%s)",
                        decc_strerror(st));
  }
  *json = decc_strndup((const char *)b.data, b.len);
  if (*json && len)
    *len = b.len;
  decc_buf_clear(&b);
  return *json ? DECC_OK : decc_err_set(err, DECC_E_NOMEM, "out of memory");
}
