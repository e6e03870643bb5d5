/*
 * session_read.c — the one reader of the enclave session document
 * (decc/session.h). It checks the document's shape (services, environment
 * objects of strings) and maps each variable to its field; it does not
 * judge values: a phase that cannot work without one (pre-compute without
 * a dataset URL, post-compute without a task id) says so itself, with the
 * cause that names the phase. The app's environment is kept verbatim and
 * in order, so the app sees exactly what the session gives it.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "decc/session.h"

static json_t *find_service(json_t *root, const char *name) {
  json_t *svcs = json_object_get(root, "services");
  if (!json_is_array(svcs))
    return NULL;
  for (size_t i = 0; i < json_array_size(svcs); i++) {
    json_t *s = json_array_get(svcs, i);
    json_t *n = json_object_get(s, "name");
    if (json_is_string(n) && !strcmp(json_string_value(n), name))
      return s;
  }
  return NULL;
}

static const char *get(json_t *o, const char *key) {
  json_t *v = o ? json_object_get(o, key) : NULL;
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *get_indexed(json_t *o, const char *stem, uint64_t i,
                               const char *suffix) {
  char k[DECC_SESSION_ENV_NAME_MAX];
  return get(o, decc_session_env_name(k, stem, i, suffix));
}

static size_t len_of(const char *s) { return s ? strlen(s) : 0; }

static int is_true(const char *v) { return v && !strcasecmp(v, "true"); }

void decc_session_clear(decc_session *s) {
  if (!s)
    return;
  decc_free(s->bulk_datasets);
  decc_free((void *)s->input_files);
  decc_free(s->secrets);
  decc_free(s->app_env);
  json_decref(s->doc_);
  memset(s, 0, sizeof *s);
}

static decc_status fail(decc_session *s, decc_err *err, decc_status st,
                        const char *msg) {
  decc_session_clear(s);
  return decc_err_set(err, st, "%s", msg);
}

/* pre-compute: the deal's dataset, the bulk slice, the input file URLs. */
static decc_status read_pre(decc_session *s, json_t *e) {
  s->has_pre = 1;
  s->has_dataset = is_true(get(e, DECC_ENV_IS_DATASET_REQUIRED));
  s->dataset.url = get(e, DECC_ENV_DATASET_URL);
  s->dataset.checksum = get(e, DECC_ENV_DATASET_CHECKSUM);
  s->dataset.key = get(e, DECC_ENV_DATASET_KEY);
  s->dataset.key_len = len_of(s->dataset.key);
  s->dataset.filename = get(e, DECC_ENV_DATASET_FILENAME);
  if (!s->task_id)
    s->task_id = get(e, DECC_ENV_TASK_ID);
  s->bulk_size = get(e, DECC_ENV_BULK_SLICE_SIZE);
  if (s->bulk_size) {
    char *end = NULL;
    unsigned long n = strtoul(s->bulk_size, &end, 10);
    if (*s->bulk_size && !*end && n <= DECC_SESSION_BULK_MAX) {
      s->bulk = 1;
      s->n_bulk = n;
      s->bulk_datasets = n ? decc_calloc(n, sizeof *s->bulk_datasets) : NULL;
      if (n && !s->bulk_datasets)
        return DECC_E_NOMEM;
      for (size_t i = 0; i < n; i++) {
        decc_session_dataset *d = &s->bulk_datasets[i];
        d->url =
            get_indexed(e, DECC_ENV_BULK_DATASET_, i + 1, DECC_ENV_BULK_URL);
        d->checksum = get_indexed(e, DECC_ENV_BULK_DATASET_, i + 1,
                                  DECC_ENV_BULK_CHECKSUM);
        d->key =
            get_indexed(e, DECC_ENV_BULK_DATASET_, i + 1, DECC_ENV_BULK_KEY);
        d->key_len = len_of(d->key);
        d->filename = get_indexed(e, DECC_ENV_BULK_DATASET_, i + 1,
                                  DECC_ENV_BULK_FILENAME);
        d->refused = get_indexed(e, DECC_ENV_BULK_DATASET_, i + 1,
                                 DECC_ENV_BULK_REFUSED);
      }
    }
  }
  s->input_files_number = get(e, DECC_ENV_INPUT_FILES_NUMBER);
  /* The URLs present from 1 on (at most one per variable, so the count
   * is bounded by the document). */
  size_t n = 0, cap = json_object_size(e);
  while (n < cap && get_indexed(e, DECC_ENV_INPUT_FILE_URL_, n + 1, NULL))
    n++;
  if (n) {
    s->input_files = decc_calloc(n, sizeof *s->input_files);
    if (!s->input_files)
      return DECC_E_NOMEM;
    for (size_t i = 0; i < n; i++)
      s->input_files[i] = get_indexed(e, DECC_ENV_INPUT_FILE_URL_, i + 1, NULL);
    s->n_input_files = n;
  }
  return DECC_OK;
}

/* app: the service's header, the environment verbatim, and the fields it
 * carries (ids, bag of tasks, dataset address, secrets). */
static decc_status read_app(decc_session *s, json_t *svc, json_t *e) {
  s->app_image = get(svc, "image_name");
  s->app_fingerprint = get(svc, "fingerprint");
  s->args = get(svc, "args");
  s->deal_id = get(e, DECC_ENV_DEAL_ID);
  s->task_index = get(e, DECC_ENV_TASK_INDEX);
  s->bot_size = get(e, DECC_ENV_BOT_SIZE);
  s->bot_first = get(e, DECC_ENV_BOT_FIRST_INDEX);
  s->dataset_address = get(e, DECC_ENV_DATASET_ADDRESS);
  s->purpose = get(e, DECC_ENV_GRANT_PURPOSE);
  s->app_secret = get(e, DECC_ENV_APP_DEVELOPER_SECRET);
  s->app_secret_len = len_of(s->app_secret);
  size_t n = json_object_size(e);
  s->app_env = n ? decc_calloc(n, sizeof *s->app_env) : NULL;
  s->secrets = n ? decc_calloc(n, sizeof *s->secrets) : NULL;
  if (n && (!s->app_env || !s->secrets))
    return DECC_E_NOMEM;
  static const char pfx[] = DECC_ENV_REQUESTER_SECRET_;
  const char *k;
  json_t *v;
  json_object_foreach(e, k, v) {
    decc_session_var *var = &s->app_env[s->n_app_env++];
    var->name = k;
    var->value = json_string_value(v);
    /* A secret's index must fit a name the writer can build again. */
    size_t il = strlen(k) - (sizeof pfx - 1);
    if (!strncmp(k, pfx, sizeof pfx - 1) && il &&
        il < DECC_SESSION_ENV_NAME_MAX - (sizeof pfx - 1)) {
      decc_session_secret *sec = &s->secrets[s->n_secrets++];
      sec->index = k + sizeof pfx - 1;
      sec->value = var->value;
      sec->len = len_of(var->value);
    }
  }
  return DECC_OK;
}

static void read_post(decc_session *s, json_t *e) {
  s->task_id = get(e, DECC_ENV_TASK_ID);
  s->worker = get(e, DECC_ENV_SIGN_WORKER_ADDRESS);
  s->enclave_key = get(e, DECC_ENV_SIGN_TEE_CHALLENGE_PRIVATE_KEY);
  s->encrypt = is_true(get(e, DECC_ENV_RESULT_ENCRYPTION));
  s->encryption_key = get(e, DECC_ENV_RESULT_ENCRYPTION_PUBLIC_KEY);
  s->encryption_key_len = len_of(s->encryption_key);
  s->callback = is_true(get(e, DECC_ENV_RESULT_STORAGE_CALLBACK));
  s->provider = get(e, DECC_ENV_RESULT_STORAGE_PROVIDER);
  s->proxy = get(e, DECC_ENV_RESULT_STORAGE_PROXY);
  s->proxy_len = len_of(s->proxy);
  s->token = get(e, DECC_ENV_RESULT_STORAGE_TOKEN);
  s->token_len = len_of(s->token);
}

decc_status decc_session_parse(decc_session *s, const char *text, size_t len,
                               decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(text != NULL || len == 0);
  memset(s, 0, sizeof *s);
  if (!text)
    return decc_err_set(err, DECC_E_PARSE, "session is not a JSON object");
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  s->doc_ = root;
  if (!root || !json_is_object(root))
    return fail(s, err, DECC_E_PARSE, "session is not a JSON object");
  json_t *pre = find_service(root, DECC_SESSION_PRE);
  json_t *app = find_service(root, DECC_SESSION_APP);
  json_t *post = find_service(root, DECC_SESSION_POST);
  if (!app || !post)
    return fail(s, err, DECC_E_PARSE,
                "session lacks the app or post-compute service");
  json_t *envs[3] = {pre ? json_object_get(pre, "environment") : NULL,
                     json_object_get(app, "environment"),
                     json_object_get(post, "environment")};
  if ((pre && !json_is_object(envs[0])) || !json_is_object(envs[1]) ||
      !json_is_object(envs[2]))
    return fail(s, err, DECC_E_PARSE,
                "a session service has no environment object");
  for (int i = 0; i < 3; i++) {
    const char *k;
    json_t *v;
    if (!envs[i])
      continue;
    json_object_foreach(envs[i], k, v) {
      if (!json_is_string(v)) {
        /* k lives in the document: name it before the document goes */
        decc_status st =
            decc_err_set(err, DECC_E_PARSE,
                         "session environment value of %s is not a string", k);
        decc_session_clear(s);
        return st;
      }
    }
  }
  s->name = get(root, "name");
  read_post(s, envs[2]);
  if ((pre && read_pre(s, envs[0])) || read_app(s, app, envs[1]))
    return fail(s, err, DECC_E_NOMEM, "out of memory");
  if (!s->task_id)
    s->task_id = get(envs[1], DECC_ENV_TASK_ID);
  return DECC_OK;
}
