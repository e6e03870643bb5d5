/*
 * reader.c — reads values back from a protected-data zip the way
 * @iexec/dataprotector-deserializer 0.1.1 (getValue) does, so an iApp
 * written against decc sees what a JavaScript iApp sees.
 *
 * Deserializer behaviour reproduced here (iexec-protocol.md §3.6):
 *   - the path's dots become "/"; a missing entry or a directory is
 *     "Failed to load path P";
 *   - borsh decoding uses only the leading bytes (trailing bytes are
 *     ignored), a bool is "first byte > 0";
 *   - borsh strings go through borsh-js's own lenient UTF-8 decoder (it
 *     reads missing continuation bytes as 0 and produces surrogates), which
 *     fails only on code points above U+10FFFF; the result is returned as
 *     the UTF-8 of that JavaScript string (lone surrogates → U+FFFD, as
 *     Buffer.from would encode it);
 *   - legacy strings use Node's UTF-8 decoder (invalid sequences → U+FFFD,
 *     maximal-subpart rule);
 *   - "number" is Number(text), never an error.
 * The deserializer loads the zip with JSZip, which accepts anything; decc
 * opens it with the zipsafe rules (see zipsafe.h) instead.
 */
#include <string.h>

#include "decc/mem.h"
#include "decc/zipsafe.h"
#include "protect_int.h"

struct decc_pd_reader {
  decc_zip *z;
  decc_pd_mode mode;
};

const char *decc_pd_mode_name(decc_pd_mode m) {
  return m == DECC_PD_MODE_BORSH    ? "borsh"
         : m == DECC_PD_MODE_LEGACY ? "legacy"
                                    : "optimistic";
}

decc_status decc_pd_mode_parse(decc_pd_mode *out, const char *name) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(name != NULL);
  if (!strcmp(name, "optimistic"))
    *out = DECC_PD_MODE_OPTIMISTIC;
  else if (!strcmp(name, "borsh"))
    *out = DECC_PD_MODE_BORSH;
  else if (!strcmp(name, "legacy"))
    *out = DECC_PD_MODE_LEGACY;
  else
    return DECC_E_INVALID;
  return DECC_OK;
}

static decc_status wrap(decc_pd_reader **out, decc_zip *z, decc_pd_mode mode,
                        decc_err *err) {
  *out = decc_calloc(1, sizeof **out);
  if (!*out) {
    decc_zip_close(z);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  (*out)->z = z;
  (*out)->mode = mode;
  return DECC_OK;
}

decc_status decc_pd_reader_open(decc_pd_reader **out, const char *zip_path,
                                decc_pd_mode mode, const decc_zip_limits *lim,
                                decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(zip_path != NULL);
  *out = NULL;
  decc_zip *z;
  decc_status st = decc_zip_open_file(&z, zip_path, lim, err);
  return st == DECC_OK ? wrap(out, z, mode, err) : st;
}

decc_status decc_pd_reader_open_mem(decc_pd_reader **out, const void *zip,
                                    size_t len, decc_pd_mode mode,
                                    const decc_zip_limits *lim, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(zip != NULL || len == 0);
  *out = NULL;
  decc_zip *z;
  decc_status st = decc_zip_open_mem(&z, zip, len, lim, err);
  return st == DECC_OK ? wrap(out, z, mode, err) : st;
}

void decc_pd_reader_close(decc_pd_reader *r) {
  if (!r)
    return;
  decc_zip_close(r->z);
  decc_free(r);
}

void decc_pd_value_clear(decc_pd_value *v) {
  if (!v)
    return;
  decc_free(v->data);
  memset(v, 0, sizeof *v);
}

/* ---- text decoding ------------------------------------------------------ */

typedef struct obuf {
  uint8_t *p;
  size_t n, cap;
} obuf;

static int ob_put(obuf *o, const uint8_t *s, size_t n) {
  if (o->n + n + 1 > o->cap) {
    size_t nc = (o->n + n + 1) * 2;
    uint8_t *np = decc_realloc(o->p, nc);
    if (!np)
      return 0;
    o->p = np;
    o->cap = nc;
  }
  memcpy(o->p + o->n, s, n);
  o->n += n;
  o->p[o->n] = 0;
  return 1;
}

static int ob_cp(obuf *o, uint32_t cp) {
  uint8_t b[4];
  size_t n;
  if (cp < 0x80) {
    b[0] = (uint8_t)cp;
    n = 1;
  } else if (cp < 0x800) {
    b[0] = (uint8_t)(0xC0 | cp >> 6);
    b[1] = (uint8_t)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = (uint8_t)(0xE0 | cp >> 12);
    b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (uint8_t)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    b[0] = (uint8_t)(0xF0 | cp >> 18);
    b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (uint8_t)(0x80 | (cp & 0x3F));
    n = 4;
  }
  return ob_put(o, b, n);
}

/* Node's Buffer#toString('utf8'): WHATWG UTF-8 decode with U+FFFD for each
 * maximal invalid subpart. Output is valid UTF-8. */
static int utf8_lossy(obuf *o, const uint8_t *s, size_t n) {
  size_t i = 0;
  if (!ob_put(o, (const uint8_t *)"", 0))
    return 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      if (!ob_put(o, &c, 1))
        return 0;
      i++;
      continue;
    }
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
      need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0)
        lo = 0xA0;
      if (c == 0xED)
        hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0)
        lo = 0x90;
      if (c == 0xF4)
        hi = 0x8F;
    } else {
      if (!ob_cp(o, 0xFFFD))
        return 0;
      i++;
      continue;
    }
    size_t k = 1;
    for (; k <= need; k++) {
      if (i + k >= n || s[i + k] < lo || s[i + k] > hi)
        break;
      lo = 0x80;
      hi = 0xBF;
    }
    if (k <= need) {
      if (!ob_cp(o, 0xFFFD))
        return 0;
      i += k;
      continue;
    }
    if (!ob_put(o, s + i, need + 1))
      return 0;
    i += need + 1;
  }
  return 1;
}

/* borsh-js 2.0 string: u32 length, then its lenient decoder; then the
 * JavaScript string (UTF-16) encoded back to UTF-8. Returns 1 ok, 0 on a
 * decoding failure, -1 on OOM. */
static int borsh_string(obuf *o, const uint8_t *s, size_t n) {
  if (n < 4)
    return 0;
  uint32_t len = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 |
                 (uint32_t)s[3] << 24;
  if (len > n - 4)
    return 0;
  const uint8_t *b = s + 4;
  uint16_t *units = decc_malloc(((size_t)len * 2 + 1) * sizeof *units);
  if (!units)
    return -1;
  size_t nu = 0;
#define AT(j) ((j) < len ? b[(j)] : 0)
  for (size_t i = 0; i < len; ++i) {
    uint32_t byte = b[i], cp;
    if (byte < 0x80) {
      cp = byte;
    } else if (byte < 0xE0) {
      cp = (byte & 0x1F) << 6 | (AT(i + 1) & 0x3F);
      i += 1;
    } else if (byte < 0xF0) {
      cp = (byte & 0x0F) << 12 | (uint32_t)(AT(i + 1) & 0x3F) << 6 |
           (AT(i + 2) & 0x3F);
      i += 2;
    } else {
      cp = (byte & 0x07) << 18 | (uint32_t)(AT(i + 1) & 0x3F) << 12 |
           (uint32_t)(AT(i + 2) & 0x3F) << 6 | (AT(i + 3) & 0x3F);
      i += 3;
    }
#undef AT
    if (cp > 0x10FFFF) { /* String.fromCodePoint throws RangeError */
      decc_free(units);
      return 0;
    }
    if (cp >= 0x10000) {
      units[nu++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
      units[nu++] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      units[nu++] = (uint16_t)cp;
    }
  }
  int ok = ob_put(o, (const uint8_t *)"", 0);
  for (size_t i = 0; ok && i < nu; i++) {
    uint32_t u = units[i];
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < nu && units[i + 1] >= 0xDC00 &&
        units[i + 1] <= 0xDFFF) {
      ok = ob_cp(o, 0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00));
      i++;
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      ok = ob_cp(o, 0xFFFD);
    } else {
      ok = ob_cp(o, u);
    }
  }
  decc_free(units);
  return ok ? 1 : -1;
}

/* ---- getValue ------------------------------------------------------------ */

decc_status decc_pd_get(decc_pd_reader *r, const char *path, const char *type,
                        decc_pd_value *out, decc_err *err) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(type != NULL);
  DECC_ARG_CHECK(out != NULL);
  memset(out, 0, sizeof *out);
  const char *mode = decc_pd_mode_name(r->mode);
  char *name = decc_strdup(path);
  if (!name)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  for (char *p = name; *p; p++)
    if (*p == '.')
      *p = '/';
  size_t idx;
  decc_status st = decc_zip_find(r->z, name, &idx);
  decc_free(name);
  if (st != DECC_OK || decc_zip_entry_at(r->z, idx)->is_dir)
    return decc_err_set(err, DECC_E_NOT_FOUND, "Failed to load path %s", path);
  uint8_t *data;
  size_t len;
  if ((st = decc_zip_read(r->z, idx, 0, &data, &len, err)) != DECC_OK)
    return st;
  int borsh_only =
      !strcmp(type, "bool") || !strcmp(type, "i128") || !strcmp(type, "f64");
  int legacy_only = !strcmp(type, "number") || !strcmp(type, "boolean");
  if ((borsh_only && r->mode == DECC_PD_MODE_LEGACY) ||
      (legacy_only && r->mode == DECC_PD_MODE_BORSH)) {
    decc_free(data);
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "Unsupported schema \"%s\" in \"%s\" mode", type, mode);
  }
  int bad = 0;
  if (!strcmp(type, "bool") || !strcmp(type, "boolean")) {
    out->type = DECC_PD_V_BOOL;
    bad = len < 1;
    out->boolean = !bad && data[0] > 0;
  } else if (!strcmp(type, "f64")) {
    out->type = DECC_PD_V_NUMBER;
    bad = len < 8;
    if (!bad) {
      uint64_t bits = 0;
      for (int i = 7; i >= 0; i--)
        bits = bits << 8 | data[i];
      memcpy(&out->number, &bits, 8);
    }
  } else if (!strcmp(type, "i128")) {
    out->type = DECC_PD_V_I128;
    bad = len < 16;
    if (!bad)
      memcpy(out->i128.le, data, 16);
  } else if (!strcmp(type, "number")) {
    obuf o = {0};
    if (!utf8_lossy(&o, data, len)) {
      decc_free(o.p);
      decc_free(data);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    out->type = DECC_PD_V_NUMBER;
    out->number = decc_js_string_to_number((const char *)o.p, o.n);
    decc_free(o.p);
  } else if (!strcmp(type, "string")) {
    obuf o = {0};
    int ok = 0;
    if (r->mode != DECC_PD_MODE_LEGACY) {
      ok = borsh_string(&o, data, len);
      if (ok == 0 && r->mode == DECC_PD_MODE_OPTIMISTIC) {
        o.n = 0;
        ok = utf8_lossy(&o, data, len) ? 1 : -1;
      }
    } else {
      ok = utf8_lossy(&o, data, len) ? 1 : -1;
    }
    if (ok < 0) {
      decc_free(o.p);
      decc_free(data);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    bad = ok == 0;
    out->type = DECC_PD_V_STRING;
    if (!bad) {
      out->data = o.p;
      out->len = o.n;
    } else {
      decc_free(o.p);
    }
  } else {
    out->type = DECC_PD_V_BYTES;
    out->data = data;
    out->len = len;
    return DECC_OK;
  }
  decc_free(data);
  if (bad) {
    decc_pd_value_clear(out);
    return decc_err_set(err, DECC_E_PARSE,
                        "Failed to deserialize \"%s\" as \"%s\" in \"%s\" mode",
                        path, type, mode);
  }
  return DECC_OK;
}

decc_status decc_pd_get_bool(decc_pd_reader *r, const char *path, int *out,
                             decc_err *err) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_pd_value v;
  decc_status st = decc_pd_get(
      r, path, r->mode == DECC_PD_MODE_LEGACY ? "boolean" : "bool", &v, err);
  if (st == DECC_OK)
    *out = v.boolean;
  decc_pd_value_clear(&v);
  return st;
}

decc_status decc_pd_get_f64(decc_pd_reader *r, const char *path, double *out,
                            decc_err *err) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_pd_value v;
  decc_status st = decc_pd_get(
      r, path, r->mode == DECC_PD_MODE_LEGACY ? "number" : "f64", &v, err);
  if (st == DECC_OK)
    *out = v.number;
  decc_pd_value_clear(&v);
  return st;
}

decc_status decc_pd_get_i128(decc_pd_reader *r, const char *path,
                             decc_i128 *out, decc_err *err) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_pd_value v;
  decc_status st = decc_pd_get(r, path, "i128", &v, err);
  if (st == DECC_OK)
    *out = v.i128;
  decc_pd_value_clear(&v);
  return st;
}

decc_status decc_pd_get_string(decc_pd_reader *r, const char *path, char **out,
                               size_t *len, decc_err *err) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_pd_value v;
  *out = NULL;
  decc_status st = decc_pd_get(r, path, "string", &v, err);
  if (st == DECC_OK) {
    *out = (char *)v.data;
    if (len)
      *len = v.len;
    v.data = NULL;
  }
  decc_pd_value_clear(&v);
  return st;
}

decc_status decc_pd_get_bytes(decc_pd_reader *r, const char *path,
                              uint8_t **out, size_t *len, decc_err *err) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_pd_value v;
  *out = NULL;
  /* Any type name outside the deserializer's list means "raw bytes". */
  decc_status st = decc_pd_get(r, path, "application/octet-stream", &v, err);
  if (st == DECC_OK) {
    *out = v.data;
    if (len)
      *len = v.len;
    v.data = NULL;
  }
  decc_pd_value_clear(&v);
  return st;
}
