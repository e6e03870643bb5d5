/*
 * pd_json.c — builds a protected-data object from the JSON the `decc data`
 * commands take, with JavaScript semantics where the SDK's behaviour
 * depends on them.
 *
 * Numbers are parsed the way JSON.parse does (every literal to the nearest
 * double: "1.0" and "1" are the same, "-0" keeps its sign, huge integers
 * round), which jansson does with JSON_DECODE_INT_AS_REAL. Key order comes
 * from the text and is then put in JS property order by the tree. Binary
 * values and big integers, which JSON cannot express, are one-key objects
 * ({"$base64"}, {"$file"}, {"$i128"}); "$" is not allowed in data keys, so
 * these never clash with real data.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "protect_int.h"

typedef struct jctx {
  const decc_pd_json_opts *o;
  char *base_real; /* realpath of base_dir, lazily */
  uint64_t max_file, max_binary, binary_total;
  uint32_t max_depth;
  char path[256];
  size_t plen;
  decc_err *err;
} jctx;

static size_t push(jctx *c, const char *k, size_t n) {
  size_t old = c->plen;
  size_t room = sizeof c->path - 1 - c->plen;
  if (old && room) {
    c->path[c->plen++] = '.';
    room--;
  }
  if (n > room)
    n = room;
  memcpy(c->path + c->plen, k, n);
  c->plen += n;
  c->path[c->plen] = 0;
  return old;
}

static decc_status fail(jctx *c, decc_status st, const char *what) {
  return decc_err_set(c->err, st, "%s (at \"%s\")", what, c->path);
}

/* Reads a $file: relative to base_dir, no absolute path, no ".." component,
 * and the resolved file must still be inside base_dir (symlinks). */
/* Reads a $file value into *data, or, with opts->stream_files, makes the
 * file-backed node *fnode instead (nothing read but its head). */
static decc_status read_file_value(jctx *c, const char *rel, size_t rlen,
                                   uint8_t **data, size_t *len,
                                   decc_pd **fnode) {
  if (!c->o || !c->o->base_dir)
    return fail(c, DECC_E_DENIED, "$file is not allowed here");
  if (rlen == 0 || memchr(rel, 0, rlen))
    return fail(c, DECC_E_PARSE, "$file needs a relative path");
  if (rel[0] == '/')
    return fail(c, DECC_E_DENIED, "$file must be a relative path");
  for (size_t i = 0; i < rlen;) {
    size_t j = i;
    while (j < rlen && rel[j] != '/')
      j++;
    if (j - i == 2 && rel[i] == '.' && rel[i + 1] == '.')
      return fail(c, DECC_E_DENIED, "$file may not contain \"..\"");
    i = j + 1;
  }
  if (!c->base_real) {
    c->base_real = realpath(c->o->base_dir, NULL);
    if (!c->base_real)
      return fail(c, DECC_E_IO, "$file: base directory not found");
  }
  size_t bl = strlen(c->base_real);
  char *joined = decc_malloc(bl + rlen + 2);
  if (!joined)
    return fail(c, DECC_E_NOMEM, "out of memory");
  snprintf(joined, bl + rlen + 2, "%s/%.*s", c->base_real, (int)rlen, rel);
  char *real = realpath(joined, NULL);
  decc_free(joined);
  if (!real)
    return decc_err_set(c->err, DECC_E_IO, "$file %.*s: %s (at \"%s\")",
                        (int)(rlen > 100 ? 100 : rlen), rel, strerror(errno),
                        c->path);
  int inside = (bl == 1 && c->base_real[0] == '/') ||
               (!strncmp(real, c->base_real, bl) && real[bl] == '/');
  if (!inside) {
    free(real);
    return fail(c, DECC_E_DENIED, "$file leads outside its directory");
  }
  int fd = open(real, O_RDONLY | O_CLOEXEC);
  struct stat stbuf;
  if (fd < 0 || fstat(fd, &stbuf) != 0 || !S_ISREG(stbuf.st_mode)) {
    if (fd >= 0)
      close(fd);
    free(real);
    return fail(c, DECC_E_IO, "$file is not a readable regular file");
  }
  uint64_t size = (uint64_t)stbuf.st_size;
  if (size > c->max_file || size > c->max_binary - c->binary_total) {
    close(fd);
    free(real);
    uint64_t lim = c->max_file < c->max_binary - c->binary_total
                       ? c->max_file
                       : c->max_binary - c->binary_total;
    return decc_err_set(c->err, DECC_E_LIMIT,
                        "$file too large: %llu bytes, over the %llu bytes "
                        "left (at \"%s\"; stream it, as decc protect does)",
                        (unsigned long long)size, (unsigned long long)lim,
                        c->path);
  }
  if (c->o->stream_files) {
    close(fd);
    decc_status st = decc__pd_node_file(fnode, real, c->err);
    free(real);
    if (st != DECC_OK) {
      decc_err_prefix(c->err, "$file at \"%s\"", c->path);
      return st;
    }
    c->binary_total += size;
    return DECC_OK;
  }
  free(real);
  uint8_t *buf = decc_malloc((size_t)size + 1);
  if (!buf) {
    close(fd);
    return fail(c, DECC_E_NOMEM, "out of memory");
  }
  size_t got = 0;
  while (got < size) {
    ssize_t k = read(fd, buf + got, (size_t)size - got);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      break;
    got += (size_t)k;
  }
  close(fd);
  if (got != size) {
    decc_free(buf);
    return fail(c, DECC_E_IO, "$file changed or could not be read");
  }
  c->binary_total += size;
  *data = buf;
  *len = got;
  return DECC_OK;
}

static decc_status convert_object(jctx *c, decc_pd *obj, json_t *j,
                                  uint32_t depth);

/* A one-key {"$base64"|"$file"|"$i128": "..."} object, or not special
 * (*node stays NULL and DECC_OK is returned). */
static decc_status special(jctx *c, json_t *j, decc_pd **node) {
  *node = NULL;
  if (json_object_size(j) != 1)
    return DECC_OK;
  void *it = json_object_iter(j);
  const char *k = json_object_iter_key(it);
  size_t klen = json_object_iter_key_len(it);
  json_t *v = json_object_iter_value(it);
  int b64 = klen == 7 && !memcmp(k, "$base64", 7);
  int file = klen == 5 && !memcmp(k, "$file", 5);
  int i128 = klen == 5 && !memcmp(k, "$i128", 5);
  if (!b64 && !file && !i128)
    return DECC_OK;
  if (!json_is_string(v))
    return fail(c, DECC_E_PARSE,
                "a $base64/$file/$i128 value must be a string");
  const char *s = json_string_value(v);
  size_t sl = json_string_length(v);
  decc_status st = DECC_OK;
  if (i128) {
    *node = decc__pd_node_i128(s, sl, &st);
    if (st == DECC_E_PARSE)
      return fail(c, st, "$i128 must be a decimal integer");
    return st == DECC_OK ? DECC_OK : fail(c, st, "out of memory");
  }
  uint8_t *data = NULL;
  size_t len = 0;
  if (b64) {
    size_t cap = sl / 4 * 3 + 3;
    if (cap > c->max_binary - c->binary_total)
      return fail(c, DECC_E_LIMIT, "$base64 value too large");
    data = decc_malloc(cap + 1);
    if (!data)
      return fail(c, DECC_E_NOMEM, "out of memory");
    if (decc_base64_decode(data, cap, &len, s, sl) != DECC_OK) {
      decc_free(data);
      return fail(c, DECC_E_PARSE, "$base64 is not valid base64");
    }
    c->binary_total += len;
  } else if ((st = read_file_value(c, s, sl, &data, &len, node)) != DECC_OK) {
    return st;
  } else if (*node) {
    return DECC_OK; /* file-backed */
  }
  *node = decc__pd_node_new(DECC_PD_BINARY);
  if (!*node) {
    decc_free(data);
    return fail(c, DECC_E_NOMEM, "out of memory");
  }
  data[len] = 0;
  (*node)->u.bytes.data = data;
  (*node)->u.bytes.len = len;
  return DECC_OK;
}

static decc_status convert_value(jctx *c, json_t *v, uint32_t depth,
                                 decc_pd **out) {
  decc_status st = DECC_OK;
  *out = NULL;
  switch (json_typeof(v)) {
  case JSON_TRUE:
  case JSON_FALSE:
    if ((*out = decc__pd_node_new(DECC_PD_BOOL)))
      (*out)->u.b = json_is_true(v);
    break;
  case JSON_REAL:
    if ((*out = decc__pd_node_new(DECC_PD_NUMBER)))
      (*out)->u.num = json_real_value(v);
    break;
  case JSON_INTEGER: /* not produced with JSON_DECODE_INT_AS_REAL */
    if ((*out = decc__pd_node_new(DECC_PD_NUMBER)))
      (*out)->u.num = (double)json_integer_value(v);
    break;
  case JSON_STRING:
    *out = decc__pd_node_bytes(DECC_PD_STRING, json_string_value(v),
                               json_string_length(v));
    break;
  case JSON_NULL:
    *out = decc__pd_node_new(DECC_PD_NULL);
    break;
  case JSON_ARRAY:
    *out = decc__pd_node_new(DECC_PD_ARRAY);
    break;
  case JSON_OBJECT:
    if ((st = special(c, v, out)) != DECC_OK || *out)
      return st;
    if (depth >= c->max_depth)
      return fail(c, DECC_E_LIMIT, "objects nested too deeply");
    if (!(*out = decc__pd_node_new(DECC_PD_OBJECT)))
      break;
    st = convert_object(c, *out, v, depth + 1);
    if (st != DECC_OK) {
      decc__pd_node_free(*out);
      *out = NULL;
    }
    return st;
  }
  return *out ? DECC_OK : fail(c, DECC_E_NOMEM, "out of memory");
}

static decc_status convert_object(jctx *c, decc_pd *obj, json_t *j,
                                  uint32_t depth) {
  const char *k;
  size_t kl;
  json_t *v;
  void *tmp;
  json_object_keylen_foreach_safe(j, tmp, k, kl, v) {
    size_t old = push(c, k, kl);
    decc_pd *node;
    decc_status st = convert_value(c, v, depth, &node);
    if (st != DECC_OK)
      return st;
    /* jansson already refused duplicate keys. */
    st = decc__pd_insert(obj, k, kl, node, 0, c->err);
    if (st != DECC_OK)
      return st;
    c->plen = old;
    c->path[old] = 0;
  }
  return DECC_OK;
}

decc_status decc_pd_parse_json(decc_pd **out, const char *json, size_t len,
                               const decc_pd_json_opts *opts, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(json != NULL || len == 0);
  *out = NULL;
  json_error_t je;
  const size_t flags = JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL |
                       JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES;
  json_t *j = json_loadb(json, len, flags, &je);
  if (!j)
    return decc_err_set(err, DECC_E_PARSE, "JSON: %s (line %d, column %d)",
                        je.text, je.line, je.column);
  decc_status st;
  if (json_is_null(j)) {
    st = decc_err_set(err, DECC_E_INVALID, "Unsupported null data");
  } else if (json_is_array(j)) {
    st = decc_err_set(err, DECC_E_INVALID, "Unsupported array data");
  } else if (!json_is_object(j)) {
    st = decc_err_set(err, DECC_E_PARSE, "data must be a JSON object");
  } else {
    jctx c = {.o = opts, .err = err};
    /* The 2 / 4 GiB defaults bound memory. Streamed $file values are never
     * held in memory and the zip switches to zip64 past 4 GiB, so with
     * stream_files only limits the caller sets apply. */
    int streamed = opts && opts->stream_files;
    c.max_file = opts && opts->max_file_size ? opts->max_file_size
                 : streamed                  ? UINT64_MAX
                                             : 2ull << 30;
    c.max_binary = opts && opts->max_binary ? opts->max_binary
                   : streamed               ? UINT64_MAX
                                            : 4ull << 30;
    c.max_depth = opts && opts->max_depth ? opts->max_depth : 64;
    decc_pd *root = decc__pd_node_new(DECC_PD_OBJECT);
    st = root ? convert_object(&c, root, j, 1)
              : decc_err_set(err, DECC_E_NOMEM, "out of memory");
    free(c.base_real);
    if (st == DECC_OK)
      *out = root;
    else
      decc__pd_node_free(root);
  }
  json_decref(j);
  return st;
}
