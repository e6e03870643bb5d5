/*
 * session_write.c — the one writer of the enclave session document
 * (decc/session.h, docs/internals/session.md): member order, which
 * variables each service gets and how strings are escaped. The SMS's
 * sessions must stay byte-for-byte what they were, so the JSON is written
 * by hand in a fixed order instead of through a JSON library whose output
 * (escapes, key order) is not ours to fix.
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/session.h"

int decc_session_text_ok(const char *s, size_t n) {
  DECC_ARG_CHECK_RET(s != NULL || n == 0, 0);
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned c = p[i];
    size_t k;
    uint32_t cp;
    if (c == 0)
      return 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      k = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      k = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      k = 3;
      cp = c & 0x07;
    } else {
      return 0;
    }
    if (k >= n - i)
      return 0;
    for (size_t j = 1; j <= k; j++) {
      if (i + j >= n || (p[i + j] & 0xc0) != 0x80)
        return 0;
      cp = cp << 6 | (p[i + j] & 0x3f);
    }
    /* overlong forms, surrogates, beyond U+10FFFF */
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
        (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    i += k + 1;
  }
  return 1;
}

decc_status decc_session_json_str(decc_buf *b, const char *s, size_t n) {
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(s != NULL || n == 0);
  static const char hx[] = "0123456789abcdef";
  decc_status st = decc_buf_append_byte(b, '"');
  /* Runs of characters that need no escape (nearly all of a session: hex
   * keys, URLs, base64) are copied in one append; one call per byte was a
   * visible share of a release's CPU. */
  size_t run = 0;
  for (size_t i = 0; i < n && !st; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c != '"' && c != '\\' && c >= 0x20)
      continue;
    if (i > run)
      st = decc_buf_append(b, s + run, i - run);
    run = i + 1;
    if (st)
      break;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      st = decc_buf_append(b, e, 2);
    } else {
      char e[6] = {'\\', 'u', '0', '0', hx[c >> 4], hx[c & 15]};
      st = decc_buf_append(b, e, 6);
    }
  }
  if (!st && n > run)
    st = decc_buf_append(b, s + run, n - run);
  if (!st)
    st = decc_buf_append_byte(b, '"');
  return st;
}

char *decc_session_env_name(char out[DECC_SESSION_ENV_NAME_MAX],
                            const char *stem, uint64_t i, const char *suffix) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  DECC_ARG_CHECK_RET(stem != NULL, NULL);
  int n = snprintf(out, DECC_SESSION_ENV_NAME_MAX, "%s%llu%s", stem,
                   (unsigned long long)i, suffix ? suffix : "");
  if (n < 0 || n >= DECC_SESSION_ENV_NAME_MAX)
    out[0] = 0;
  return out;
}

/* ---- the writer ------------------------------------------------------------ */

/* Writes "name":"value" members of one object; the first error sticks, so
 * the code below reads as the document it writes. */
typedef struct wr {
  decc_buf *b;
  int first;
  decc_status st;
} wr;

static void raw(wr *w, const char *s) {
  if (!w->st)
    w->st = decc_buf_append_str(w->b, s);
}

static void str(wr *w, const char *v, size_t n) {
  if (!w->st)
    w->st = decc_session_json_str(w->b, v ? v : "", v ? n : 0);
}

static void obj_begin(wr *w) {
  w->first = 1;
  raw(w, "{");
}

static void obj_end(wr *w) { raw(w, "}"); }

static void addn(wr *w, const char *key, const char *v, size_t n) {
  if (!w->first)
    raw(w, ",");
  w->first = 0;
  str(w, key, strlen(key));
  raw(w, ":");
  str(w, v, n);
}

static void add(wr *w, const char *key, const char *v) {
  addn(w, key, v, v ? strlen(v) : 0);
}

static void addu(wr *w, const char *key, uint64_t v) {
  char t[24];
  snprintf(t, sizeof t, "%llu", (unsigned long long)v);
  add(w, key, t);
}

static void add_indexed(wr *w, const char *stem, uint64_t i, const char *suffix,
                        const char *v, size_t n) {
  char k[DECC_SESSION_ENV_NAME_MAX];
  addn(w, decc_session_env_name(k, stem, i, suffix), v, n);
}

/* A service header up to its environment object: name, image_name,
 * fingerprint (and args for the app). */
static void service_begin(wr *w, const char *name, const char *image,
                          const char *fingerprint, const char *args) {
  raw(w, "{\"name\":");
  str(w, name, strlen(name));
  raw(w, ",\"image_name\":");
  str(w, image, image ? strlen(image) : 0);
  raw(w, ",\"fingerprint\":");
  str(w, fingerprint, fingerprint ? strlen(fingerprint) : 0);
  if (args) {
    raw(w, ",\"args\":");
    str(w, args, strlen(args));
  }
  raw(w, ",\"environment\":");
}

/* Sign tokens (§4.5): pre-compute and post-compute both get them. */
static void sign_tokens(wr *w, const decc_session *s) {
  add(w, DECC_ENV_TASK_ID, s->task_id);
  add(w, DECC_ENV_SIGN_WORKER_ADDRESS, s->worker);
  add(w, DECC_ENV_SIGN_TEE_CHALLENGE_PRIVATE_KEY, s->enclave_key);
}

static void bulk_tokens(wr *w, const decc_session *s,
                        const decc_session_source *src) {
  addu(w, DECC_ENV_BULK_SLICE_SIZE, s->n_bulk);
  for (size_t i = 0; i < s->n_bulk && !w->st; i++) {
    decc_session_dataset d = s->bulk_datasets[i];
    if (src && src->bulk && (w->st = src->bulk(src->ctx, i, &d)))
      return;
    /* A refused dataset keeps its file name only: nothing of it may be
     * fetched. */
    int ok = d.refused == NULL;
    add_indexed(w, DECC_ENV_BULK_DATASET_, i + 1, DECC_ENV_BULK_URL,
                ok ? d.url : "", ok && d.url ? strlen(d.url) : 0);
    add_indexed(w, DECC_ENV_BULK_DATASET_, i + 1, DECC_ENV_BULK_CHECKSUM,
                ok ? d.checksum : "",
                ok && d.checksum ? strlen(d.checksum) : 0);
    add_indexed(w, DECC_ENV_BULK_DATASET_, i + 1, DECC_ENV_BULK_KEY,
                ok ? d.key : "", ok ? d.key_len : 0);
    add_indexed(w, DECC_ENV_BULK_DATASET_, i + 1, DECC_ENV_BULK_FILENAME,
                d.filename, d.filename ? strlen(d.filename) : 0);
    if (!ok)
      add_indexed(w, DECC_ENV_BULK_DATASET_, i + 1, DECC_ENV_BULK_REFUSED,
                  d.refused, strlen(d.refused));
    if (src && src->done && src->bulk)
      src->done(src->ctx, 'b', i);
  }
}

static void pre_compute(wr *w, const decc_session *s,
                        const decc_session_source *src) {
  service_begin(w, DECC_SESSION_PRE, "", "", NULL);
  obj_begin(w);
  sign_tokens(w, s);
  add(w, DECC_ENV_PRE_COMPUTE_OUT, DECC_SESSION_IN_DIR);
  add(w, DECC_ENV_IS_DATASET_REQUIRED, s->has_dataset ? "true" : "false");
  if (s->has_dataset) {
    addn(w, DECC_ENV_DATASET_KEY, s->dataset.key, s->dataset.key_len);
    add(w, DECC_ENV_DATASET_URL, s->dataset.url);
    add(w, DECC_ENV_DATASET_CHECKSUM, s->dataset.checksum);
    add(w, DECC_ENV_DATASET_FILENAME, s->dataset.filename);
  }
  if (s->bulk)
    bulk_tokens(w, s, src);
  add(w, DECC_ENV_DEAL_ID, s->deal_id);
  add(w, DECC_ENV_TASK_INDEX, s->task_index);
  addu(w, DECC_ENV_INPUT_FILES_NUMBER, s->n_input_files);
  if (s->n_input_files)
    add(w, DECC_ENV_INPUT_FILES_FOLDER, DECC_SESSION_IN_DIR);
  for (size_t i = 0; i < s->n_input_files; i++) {
    const char *u = s->input_files[i];
    add_indexed(w, DECC_ENV_INPUT_FILE_URL_, i + 1, NULL, u, u ? strlen(u) : 0);
  }
  obj_end(w);
  raw(w, "},");
}

static void app(wr *w, const decc_session *s, const decc_session_source *src) {
  service_begin(w, DECC_SESSION_APP, s->app_image, s->app_fingerprint,
                s->args ? s->args : "");
  obj_begin(w);
  add(w, DECC_ENV_DEAL_ID, s->deal_id);
  add(w, DECC_ENV_TASK_INDEX, s->task_index);
  add(w, DECC_ENV_TASK_ID, s->task_id);
  add(w, DECC_ENV_IN, DECC_SESSION_IN_DIR);
  add(w, DECC_ENV_OUT, DECC_SESSION_OUT_DIR);
  add(w, DECC_ENV_BOT_SIZE, s->bot_size);
  add(w, DECC_ENV_BOT_FIRST_INDEX, s->bot_first);
  add(w, DECC_ENV_BOT_TASK_INDEX, s->task_index);
  add(w, DECC_ENV_DATASET_ADDRESS, s->dataset_address);
  add(w, DECC_ENV_DATASET_FILENAME, s->dataset_address);
  if (s->purpose && *s->purpose)
    add(w, DECC_ENV_GRANT_PURPOSE, s->purpose);
  if (s->bulk) {
    /* The app sees the slice size and every file name (iexec-sms
     * getAppTokens), refused ones included: their file is absent. */
    addu(w, DECC_ENV_BULK_SLICE_SIZE, s->n_bulk);
    for (size_t i = 0; i < s->n_bulk; i++) {
      const char *f = s->bulk_datasets[i].filename;
      add_indexed(w, DECC_ENV_BULK_DATASET_, i + 1, DECC_ENV_BULK_FILENAME, f,
                  f ? strlen(f) : 0);
    }
  }
  addu(w, DECC_ENV_INPUT_FILES_NUMBER, s->n_input_files);
  add(w, DECC_ENV_INPUT_FILES_FOLDER, DECC_SESSION_IN_DIR);
  for (size_t i = 0; i < s->n_input_files; i++) {
    /* §4.5: the file name is "0x" + sha256hex(url). */
    const char *u = s->input_files[i] ? s->input_files[i] : "";
    uint8_t h[32];
    char hex[DECC_HEX32_LEN];
    decc_sha256(h, u, strlen(u));
    add_indexed(w, DECC_ENV_INPUT_FILE_NAME_, i + 1, NULL,
                decc_hex_encode(hex, h, 32, 1), 66);
  }
  for (size_t i = 0; i < s->n_secrets && !w->st; i++) {
    decc_session_secret sec = s->secrets[i];
    if (src && src->secret && (w->st = src->secret(src->ctx, i, &sec)))
      return;
    char k[DECC_SESSION_ENV_NAME_MAX];
    int n = snprintf(k, sizeof k, "%s%s", DECC_ENV_REQUESTER_SECRET_,
                     sec.index ? sec.index : "");
    if (n < 0 || (size_t)n >= sizeof k) {
      w->st = DECC_E_INVALID;
      return;
    }
    addn(w, k, sec.value, sec.value ? sec.len : 0);
    if (src && src->done && src->secret)
      src->done(src->ctx, 's', i);
  }
  if (s->app_secret) {
    addn(w, DECC_ENV_APP_DEVELOPER_SECRET, s->app_secret, s->app_secret_len);
    addn(w, DECC_ENV_APP_DEVELOPER_SECRET_1, s->app_secret, s->app_secret_len);
  }
  obj_end(w);
  raw(w, "},");
}

static void post_compute(wr *w, const decc_session *s) {
  service_begin(w, DECC_SESSION_POST, "", "", NULL);
  obj_begin(w);
  sign_tokens(w, s);
  add(w, DECC_ENV_RESULT_ENCRYPTION, s->encrypt ? "true" : "false");
  addn(w, DECC_ENV_RESULT_ENCRYPTION_PUBLIC_KEY, s->encryption_key,
       s->encryption_key_len);
  add(w, DECC_ENV_RESULT_STORAGE_CALLBACK, s->callback ? "true" : "false");
  add(w, DECC_ENV_RESULT_STORAGE_PROVIDER, s->provider);
  addn(w, DECC_ENV_RESULT_STORAGE_PROXY, s->proxy, s->proxy_len);
  addn(w, DECC_ENV_RESULT_STORAGE_TOKEN, s->token, s->token_len);
  obj_end(w);
  raw(w, "}");
}

decc_status decc_session_write(decc_buf *out, const decc_session *s,
                               const decc_session_source *src) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(s->n_bulk == 0 || s->bulk_datasets != NULL);
  DECC_ARG_CHECK(s->n_secrets == 0 || s->secrets != NULL);
  DECC_ARG_CHECK(s->n_input_files == 0 || s->input_files != NULL);
  wr w = {out, 1, DECC_OK};
  raw(&w, "{\"name\":");
  str(&w, s->name, s->name ? strlen(s->name) : 0);
  raw(&w, ",\"version\":\"" DECC_SESSION_VERSION "\",\"services\":[");
  /* pre-compute only when there is something to fetch (§4.5) */
  if (s->has_dataset || s->n_input_files || s->bulk)
    pre_compute(&w, s, src);
  if (!w.st)
    app(&w, s, src);
  if (!w.st)
    post_compute(&w, s);
  raw(&w, "]}");
  return w.st;
}
