/*
 * schema.c — the DataProtector schema of a data object, as the text
 * JSON.stringify(extractDataSchema(data)) produces (the string the SDK puts
 * on chain with createDatasetWithSchema, so it must match byte for byte).
 */
#include <string.h>

#include "decc/mem.h"
#include "protect_int.h"

static const char *leaf_type(const decc_pd *n, decc_pd_format fmt) {
  int v2 = fmt == DECC_PD_V2;
  switch (n->kind) {
  case DECC_PD_BOOL:
    return v2 ? "bool" : "boolean";
  case DECC_PD_NUMBER:
    return v2 ? "f64" : "number";
  case DECC_PD_I128:
    return "i128";
  case DECC_PD_STRING:
    return "string";
  case DECC_PD_BINARY:
    return decc_pd_sniff_mime(n->u.bytes.data, n->u.bytes.len);
  default:
    return NULL;
  }
}

static decc_status emit(decc_buf *b, const decc_pd *obj, decc_pd_format fmt) {
  decc_status st = decc_buf_append_byte(b, '{');
  for (size_t i = 0; st == DECC_OK && i < obj->u.obj.n; i++) {
    const pd_entry *e = &obj->u.obj.items[i];
    if (i)
      st = decc_buf_append_byte(b, ',');
    if (st == DECC_OK)
      st = decc__json_quote(b, (const uint8_t *)e->key, e->key_len);
    if (st == DECC_OK)
      st = decc_buf_append_byte(b, ':');
    if (st != DECC_OK)
      break;
    if (e->node->kind == DECC_PD_OBJECT) {
      st = emit(b, e->node, fmt);
    } else {
      const char *t = leaf_type(e->node, fmt);
      if (!t)
        return DECC_E_INVALID; /* unreachable after validation */
      st = decc__json_quote(b, (const uint8_t *)t, strlen(t));
    }
  }
  if (st == DECC_OK)
    st = decc_buf_append_byte(b, '}');
  return st;
}

decc_status decc_pd_schema_json(const decc_pd *root, decc_pd_format fmt,
                                char **json, size_t *len, decc_err *err) {
  DECC_ARG_CHECK(root != NULL);
  DECC_ARG_CHECK(json != NULL);
  *json = NULL;
  decc_status st = decc__pd_validate_data(root, fmt, NULL, err);
  if (st != DECC_OK)
    return st;
  decc_buf b;
  decc_buf_init(&b, 64u << 20);
  st = emit(&b, root, fmt);
  if (st != DECC_OK) {
    decc_buf_clear(&b);
    return decc_err_set(err, st, "schema: %s", decc_strerror(st));
  }
  size_t n = b.len;
  *json = (char *)decc_buf_steal(&b, NULL);
  if (len)
    *len = n;
  return DECC_OK;
}
