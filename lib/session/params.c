/*
 * params.c — the one reader of a deal's params string (decc/session.h,
 * docs/iexec-protocol.md §1.7): iExec's DealParams rules (a string that is
 * not a JSON object is all iexec_args) with decc's bounds, shared by the
 * SMS (TEE sessions) and the worker (standard sessions) so that the same
 * params mean the same task to both.
 */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "decc/session.h"

void decc_deal_params_clear(decc_deal_params *p) {
  if (!p)
    return;
  decc_free((void *)p->input_files);
  decc_free(p->secrets);
  json_decref(p->doc_);
  memset(p, 0, sizeof *p);
}

/* The app-side index of an iexec_secrets entry: "1", "2", … (§1.7). */
static int secret_index_ok(const char *k) {
  size_t n = strlen(k);
  return n >= 1 && n <= 4 && k[0] >= '1' && k[0] <= '9' &&
         strspn(k, "0123456789") == n;
}

static decc_status bad(decc_deal_params *p, decc_err *err, const char *what) {
  decc_deal_params_clear(p);
  return decc_err_set(err, DECC_E_INVALID, "deal params: %s", what);
}

decc_status decc_deal_params_parse(decc_deal_params *p, const char *text,
                                   size_t len, size_t max_bytes,
                                   size_t max_input_files, decc_err *err) {
  DECC_ARG_CHECK(p != NULL);
  DECC_ARG_CHECK(text != NULL || len == 0);
  memset(p, 0, sizeof *p);
  p->args = "";
  p->provider = DECC_PARAM_PROVIDER_DEFAULT;
  if (!text)
    text = "";
  if (max_bytes && len > max_bytes)
    return decc_err_set(err, DECC_E_LIMIT, "deal params exceed %zu bytes",
                        max_bytes);
  json_error_t je;
  json_t *root = len ? json_loadb(text, len, 0, &je) : NULL;
  if (!root || !json_is_object(root)) {
    /* Not a JSON object: the whole string is the args (DealParams). */
    json_decref(root);
    if (!decc_session_text_ok(text, len))
      return decc_err_set(err, DECC_E_INVALID, "deal params are not UTF-8");
    p->args = text;
    return DECC_OK;
  }
  p->doc_ = root;
  json_t *v;
  if ((v = json_object_get(root, DECC_PARAM_ARGS)) && json_is_string(v))
    p->args = json_string_value(v);
  if ((v = json_object_get(root, DECC_PARAM_INPUT_FILES)) && !json_is_null(v)) {
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (!json_is_array(v) || (max_input_files && n > max_input_files))
      return bad(p, err,
                 DECC_PARAM_INPUT_FILES " is not an array of at most "
                                        "the accepted number of URLs");
    p->input_files = n ? decc_calloc(n, sizeof *p->input_files) : NULL;
    if (n && !p->input_files) {
      decc_deal_params_clear(p);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
      json_t *u = json_array_get(v, i);
      if (!json_is_string(u))
        return bad(p, err, DECC_PARAM_INPUT_FILES " holds a non-string");
      p->input_files[i] = json_string_value(u);
    }
    p->n_input_files = n;
  }
  if ((v = json_object_get(root, DECC_PARAM_SECRETS)) && !json_is_null(v)) {
    size_t n = json_is_object(v) ? json_object_size(v) : 0;
    if (!json_is_object(v) || n > DECC_SESSION_SECRETS_MAX)
      return bad(p, err,
                 DECC_PARAM_SECRETS " is not an object of at most 64 "
                                    "entries");
    p->secrets = n ? decc_calloc(n, sizeof *p->secrets) : NULL;
    if (n && !p->secrets) {
      decc_deal_params_clear(p);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    const char *idx;
    json_t *nm;
    json_object_foreach(v, idx, nm) {
      if (!secret_index_ok(idx) || !json_is_string(nm))
        return bad(p, err,
                   DECC_PARAM_SECRETS " must map positive indexes to names");
      p->secrets[p->n_secrets].index = idx;
      p->secrets[p->n_secrets++].name = json_string_value(nm);
    }
  }
  if ((v = json_object_get(root, DECC_PARAM_RESULT_ENCRYPTION))) {
    if (json_is_boolean(v))
      p->encrypt = json_is_true(v);
    else if (json_is_string(v))
      p->encrypt = !strcasecmp(json_string_value(v), "true");
    else if (!json_is_null(v))
      return bad(p, err, DECC_PARAM_RESULT_ENCRYPTION " is not a boolean");
  }
  if ((v = json_object_get(root, DECC_PARAM_STORAGE_PROVIDER)) &&
      json_is_string(v) && json_string_length(v))
    p->provider = json_string_value(v);
  if ((v = json_object_get(root, DECC_PARAM_STORAGE_PROXY)) &&
      json_is_string(v))
    p->proxy = json_string_value(v);
  if ((v = json_object_get(root, DECC_PARAM_BULK_CID)) && json_is_string(v) &&
      json_string_length(v))
    p->bulk_cid = json_string_value(v);
  return DECC_OK;
}
