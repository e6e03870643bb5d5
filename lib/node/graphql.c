/*
 * graphql.c — the strict GraphQL subset parser of graphql.h: a lexer over
 * the query text (GraphQL spec §2: punctuators, names, int / float,
 * strings with escapes, comments, commas as whitespace) and a recursive
 * descent parser whose depth is bounded by GQL_MAX_DEPTH. Argument values
 * become jansson values; variables are substituted from the request's
 * variables and must be declared by the operation.
 */
#include "graphql.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/mem.h"

typedef struct P {
  const char *begin, *s, *end;
  json_t *vars;     /* request variables (may be NULL) */
  json_t *declared; /* name → non-null flag (JSON true) */
  size_t fields;
  char *msg;
  size_t cap;
  int failed;
} P;

static int perr(P *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int perr(P *p, const char *fmt, ...) {
  if (!p->failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, p->cap, fmt, ap);
    va_end(ap);
    p->failed = 1;
  }
  return -1;
}

/* Skips whitespace, commas, BOM and comments. */
static void skip(P *p) {
  while (p->s < p->end) {
    unsigned char c = (unsigned char)*p->s;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',')
      p->s++;
    else if (c == '#') {
      while (p->s < p->end && *p->s != '\n' && *p->s != '\r')
        p->s++;
    } else if (c == 0xEF && p->end - p->s >= 3 &&
               (unsigned char)p->s[1] == 0xBB && (unsigned char)p->s[2] == 0xBF)
      p->s += 3;
    else
      break;
  }
}

static int peek(P *p, char c) {
  skip(p);
  return p->s < p->end && *p->s == c;
}

static int expect(P *p, char c) {
  if (!peek(p, c))
    return perr(p, "expected '%c' at offset %zu", c, (size_t)(p->s - p->begin));
  p->s++;
  return 0;
}

static int is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

/* A Name, copied into buf (names are short: 128 bytes max). */
static int name(P *p, char *buf, size_t cap) {
  skip(p);
  if (p->s >= p->end || !is_name_start(*p->s))
    return perr(p, "expected a name");
  size_t n = 0;
  while (p->s < p->end && is_name_char(*p->s)) {
    if (n + 1 >= cap)
      return perr(p, "name longer than %zu bytes", cap - 1);
    buf[n++] = *p->s++;
  }
  buf[n] = 0;
  return 0;
}

static size_t put_utf8(char *o, unsigned cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | cp >> 6);
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | cp >> 12);
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | cp >> 18);
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

static int hex4(P *p, unsigned *out) {
  if (p->end - p->s < 4)
    return perr(p, "bad \\u escape");
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    int h = decc__hex_digit(p->s[i]);
    if (h < 0)
      return perr(p, "bad \\u escape");
    v = v << 4 | (unsigned)h;
  }
  p->s += 4;
  *out = v;
  return 0;
}

/* A "string" (the opening quote is at p->s); block strings are refused. */
static json_t *string_value(P *p) {
  if (p->end - p->s >= 3 && !strncmp(p->s, "\"\"\"", 3)) {
    perr(p, "block strings are not supported");
    return NULL;
  }
  p->s++;
  char *buf = decc_malloc(GQL_MAX_STRING + 4);
  if (!buf) {
    perr(p, "out of memory");
    return NULL;
  }
  size_t n = 0;
  for (;;) {
    if (p->s >= p->end || *p->s == '\n' || *p->s == '\r') {
      perr(p, "unterminated string");
      break;
    }
    if (n >= GQL_MAX_STRING) {
      perr(p, "string longer than %d bytes", GQL_MAX_STRING);
      break;
    }
    unsigned char c = (unsigned char)*p->s++;
    if (c == '"') {
      buf[n] = 0;
      json_t *j = json_stringn(buf, n); /* NULL when not UTF-8 */
      if (!j)
        perr(p, "string is not valid UTF-8");
      decc_free(buf);
      return j;
    }
    if (c < 0x20 && c != '\t') {
      perr(p, "control character in string");
      break;
    }
    if (c != '\\') {
      buf[n++] = (char)c;
      continue;
    }
    if (p->s >= p->end) {
      perr(p, "unterminated string");
      break;
    }
    char e = *p->s++;
    const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
    const char *k = strchr(from, e);
    if (e && k) {
      buf[n++] = to[k - from];
      continue;
    }
    if (e != 'u') {
      perr(p, "bad escape \\%c", e);
      break;
    }
    /* zero only for gcc -O3 (CMAKE_BUILD_TYPE=Release), which does not see
     * that hex4 sets its output whenever it returns 0 */
    unsigned cp = 0;
    if (hex4(p, &cp))
      break;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      unsigned lo = 0;
      if (p->end - p->s < 2 || p->s[0] != '\\' || p->s[1] != 'u') {
        perr(p, "lone surrogate in string");
        break;
      }
      p->s += 2;
      if (hex4(p, &lo))
        break;
      if (lo < 0xDC00 || lo > 0xDFFF) {
        perr(p, "bad surrogate pair in string");
        break;
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      perr(p, "lone surrogate in string");
      break;
    }
    if (cp == 0) {
      perr(p, "NUL in string");
      break;
    }
    n += put_utf8(buf + n, cp);
  }
  decc_free(buf);
  return NULL;
}

/* IntValue / FloatValue (spec §2.9.1-2): no leading zeros, no trailing
 * name characters. Integers must fit int64; floats become reals. */
static json_t *number_value(P *p) {
  const char *b = p->s;
  int is_float = 0;
  if (p->s < p->end && *p->s == '-')
    p->s++;
  if (p->s >= p->end || *p->s < '0' || *p->s > '9') {
    perr(p, "bad number");
    return NULL;
  }
  if (*p->s == '0' && p->s + 1 < p->end && p->s[1] >= '0' && p->s[1] <= '9') {
    perr(p, "number with a leading zero");
    return NULL;
  }
  while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
    p->s++;
  if (p->s < p->end && *p->s == '.') {
    is_float = 1;
    p->s++;
    if (p->s >= p->end || *p->s < '0' || *p->s > '9') {
      perr(p, "bad number");
      return NULL;
    }
    while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
      p->s++;
  }
  if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
    is_float = 1;
    p->s++;
    if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
      p->s++;
    if (p->s >= p->end || *p->s < '0' || *p->s > '9') {
      perr(p, "bad number");
      return NULL;
    }
    while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
      p->s++;
  }
  if (p->s < p->end && (is_name_start(*p->s) || *p->s == '.')) {
    perr(p, "bad number");
    return NULL;
  }
  size_t n = (size_t)(p->s - b);
  if (n > 40) {
    perr(p, "number too long");
    return NULL;
  }
  char tmp[48];
  memcpy(tmp, b, n);
  tmp[n] = 0;
  if (is_float) {
    json_t *r = json_real(strtod(tmp, NULL)); /* NULL for inf / nan */
    if (!r)
      perr(p, "float out of range");
    return r;
  }
  char *e = NULL;
  errno = 0;
  long long v = strtoll(tmp, &e, 10);
  if (errno || *e) {
    perr(p, "integer out of range");
    return NULL;
  }
  return json_integer((json_int_t)v);
}

static json_t *value(P *p, int depth, int is_const);

static json_t *variable(P *p, int is_const) {
  char nm[129];
  p->s++; /* '$' */
  if (is_const) {
    perr(p, "variables are not allowed in default values");
    return NULL;
  }
  if (p->s >= p->end || !is_name_start(*p->s)) {
    perr(p, "expected a variable name");
    return NULL;
  }
  if (name(p, nm, sizeof nm))
    return NULL;
  json_t *decl = json_object_get(p->declared, nm);
  if (!decl) {
    perr(p, "variable $%s is not declared", nm);
    return NULL;
  }
  json_t *v = p->vars ? json_object_get(p->vars, nm) : NULL;
  if (!v || json_is_null(v)) {
    if (json_is_true(decl)) {
      perr(p, "variable $%s of a non-null type has no value", nm);
      return NULL;
    }
    return json_null();
  }
  return json_incref(v);
}

static json_t *value(P *p, int depth, int is_const) {
  if (depth > GQL_MAX_DEPTH) {
    perr(p, "nesting deeper than %d", GQL_MAX_DEPTH);
    return NULL;
  }
  skip(p);
  if (p->s >= p->end) {
    perr(p, "expected a value");
    return NULL;
  }
  char c = *p->s;
  if (c == '$')
    return variable(p, is_const);
  if (c == '"')
    return string_value(p);
  if (c == '-' || (c >= '0' && c <= '9'))
    return number_value(p);
  if (c == '[') {
    p->s++;
    json_t *a = json_array();
    while (a && !peek(p, ']')) {
      if (json_array_size(a) >= GQL_MAX_ITEMS) {
        perr(p, "list longer than %d items", GQL_MAX_ITEMS);
        break;
      }
      json_t *v = value(p, depth + 1, is_const);
      if (!v || json_array_append_new(a, v)) {
        perr(p, "bad list");
        break;
      }
    }
    if (p->failed || !a || expect(p, ']')) {
      json_decref(a);
      perr(p, "out of memory");
      return NULL;
    }
    return a;
  }
  if (c == '{') {
    p->s++;
    json_t *o = json_object();
    while (o && !peek(p, '}')) {
      char k[129];
      if (json_object_size(o) >= GQL_MAX_ITEMS) {
        perr(p, "object with more than %d fields", GQL_MAX_ITEMS);
        break;
      }
      if (name(p, k, sizeof k) || expect(p, ':'))
        break;
      if (json_object_get(o, k)) {
        perr(p, "input field '%s' given twice", k);
        break;
      }
      json_t *v = value(p, depth + 1, is_const);
      if (!v || json_object_set_new(o, k, v)) {
        perr(p, "bad object");
        break;
      }
    }
    if (p->failed || !o || expect(p, '}')) {
      json_decref(o);
      perr(p, "out of memory");
      return NULL;
    }
    return o;
  }
  if (is_name_start(c)) {
    char nm[129];
    if (name(p, nm, sizeof nm))
      return NULL;
    if (!strcmp(nm, "true"))
      return json_true();
    if (!strcmp(nm, "false"))
      return json_false();
    if (!strcmp(nm, "null"))
      return json_null();
    return json_string(nm); /* an enum value */
  }
  perr(p, "unexpected character '%c'", c);
  return NULL;
}

static void field_clear(gql_field *f) {
  decc_free(f->alias);
  decc_free(f->name);
  json_decref(f->args);
  for (size_t i = 0; i < f->n_sub; i++)
    field_clear(&f->sub[i]);
  decc_free(f->sub);
  memset(f, 0, sizeof *f);
}

static int selection_set(P *p, gql_field **out, size_t *n_out, int depth);

static int field(P *p, gql_field *f, int depth) {
  char a[129], b[129];
  if (name(p, a, sizeof a))
    return -1;
  const char *nm = a;
  if (peek(p, ':')) {
    p->s++;
    if (name(p, b, sizeof b))
      return -1;
    nm = b;
  }
  if (++p->fields > GQL_MAX_FIELDS)
    return perr(p, "more than %d fields", GQL_MAX_FIELDS);
  f->alias = decc_strdup(a);
  f->name = decc_strdup(nm);
  f->args = json_object();
  if (!f->alias || !f->name || !f->args)
    return perr(p, "out of memory");
  if (peek(p, '(')) {
    p->s++;
    if (peek(p, ')'))
      return perr(p, "empty argument list");
    while (!peek(p, ')')) {
      char k[129];
      if (name(p, k, sizeof k) || expect(p, ':'))
        return -1;
      if (json_object_get(f->args, k))
        return perr(p, "argument '%s' given twice", k);
      json_t *v = value(p, depth + 1, 0);
      if (!v)
        return -1;
      if (json_object_set_new(f->args, k, v))
        return perr(p, "out of memory");
    }
    p->s++;
  }
  if (peek(p, '@'))
    return perr(p, "directives are not supported");
  if (peek(p, '{'))
    return selection_set(p, &f->sub, &f->n_sub, depth + 1);
  return 0;
}

static int selection_set(P *p, gql_field **out, size_t *n_out, int depth) {
  if (depth > GQL_MAX_DEPTH)
    return perr(p, "nesting deeper than %d", GQL_MAX_DEPTH);
  if (expect(p, '{'))
    return -1;
  size_t cap = 0;
  if (peek(p, '}'))
    return perr(p, "empty selection set");
  while (!peek(p, '}')) {
    if (p->s >= p->end)
      return perr(p, "unterminated selection set");
    if (*p->s == '.')
      return perr(p, "fragments are not supported");
    if (*n_out == cap) {
      size_t nc = cap ? cap * 2 : 8;
      gql_field *g = decc_realloc(*out, nc * sizeof *g);
      if (!g)
        return perr(p, "out of memory");
      memset(g + cap, 0, (nc - cap) * sizeof *g);
      *out = g;
      cap = nc;
    }
    if (field(p, &(*out)[(*n_out)++], depth))
      return -1;
  }
  p->s++;
  return 0;
}

/* ($name: Type = default, ...): records which variables exist and whether
 * their type is non-null; types are syntax-checked only. */
static int var_defs(P *p) {
  p->s++; /* '(' */
  if (peek(p, ')'))
    return perr(p, "empty variable definitions");
  while (!peek(p, ')')) {
    char nm[129], t[129];
    if (expect(p, '$') || name(p, nm, sizeof nm) || expect(p, ':'))
      return -1;
    if (json_object_get(p->declared, nm))
      return perr(p, "variable $%s declared twice", nm);
    int lists = 0, nonnull = 0;
    while (peek(p, '[')) {
      if (++lists > 4)
        return perr(p, "variable type nested too deep");
      p->s++;
    }
    if (name(p, t, sizeof t))
      return -1;
    for (int i = 0; i <= lists; i++) {
      if (peek(p, '!')) {
        p->s++;
        if (i == lists)
          nonnull = 1;
      }
      if (i < lists && expect(p, ']'))
        return -1;
    }
    if (lists == 0 && peek(p, '!')) {
      p->s++;
      nonnull = 1;
    }
    if (peek(p, '=')) {
      p->s++;
      json_t *d = value(p, 1, 1);
      if (!d)
        return -1;
      /* A default stands in for an absent variable. */
      if (p->vars && !json_object_get(p->vars, nm))
        json_object_set(p->vars, nm, d);
      json_decref(d);
      nonnull = 0;
    }
    if (peek(p, '@'))
      return perr(p, "directives are not supported");
    if (json_object_set_new(p->declared, nm,
                            nonnull ? json_true() : json_false()))
      return perr(p, "out of memory");
  }
  p->s++;
  return 0;
}

int gql_parse(gql_doc *doc, const char *query, size_t len, json_t *variables,
              char *msg, size_t cap) {
  memset(doc, 0, sizeof *doc);
  if (cap)
    msg[0] = 0;
  P p = {
      .begin = query, .s = query, .end = query + len, .msg = msg, .cap = cap};
  if (!query || len == 0)
    return perr(&p, "empty query");
  if (len > GQL_MAX_QUERY)
    return perr(&p, "query longer than %d bytes", GQL_MAX_QUERY);
  if (memchr(query, 0, len))
    return perr(&p, "NUL byte in query");
  if (variables && !json_is_object(variables))
    return perr(&p, "variables must be an object");
  /* Own copy: defaults are added to it. */
  p.vars = variables ? json_deep_copy(variables) : json_object();
  p.declared = json_object();
  int rc = -1;
  if (!p.vars || !p.declared) {
    perr(&p, "out of memory");
    goto out;
  }
  skip(&p);
  if (p.s < p.end && is_name_start(*p.s)) {
    char kw[129], opname[129];
    if (name(&p, kw, sizeof kw))
      goto out;
    if (!strcmp(kw, "mutation") || !strcmp(kw, "subscription")) {
      perr(&p, "%s operations are not supported", kw);
      goto out;
    }
    if (!strcmp(kw, "fragment")) {
      perr(&p, "fragments are not supported");
      goto out;
    }
    if (strcmp(kw, "query")) {
      perr(&p, "expected 'query' or '{'");
      goto out;
    }
    skip(&p);
    if (p.s < p.end && is_name_start(*p.s) && name(&p, opname, sizeof opname))
      goto out;
    if (peek(&p, '(') && var_defs(&p))
      goto out;
    if (peek(&p, '@')) {
      perr(&p, "directives are not supported");
      goto out;
    }
  }
  if (selection_set(&p, &doc->fields, &doc->n_fields, 1))
    goto out;
  skip(&p);
  if (p.s != p.end) {
    perr(&p, "only one operation per document is supported");
    goto out;
  }
  rc = 0;
out:
  json_decref(p.vars);
  json_decref(p.declared);
  if (rc) {
    /* Every failure path names itself; this only guards the contract. */
    if (cap && !msg[0])
      snprintf(msg, cap, "invalid query");
    gql_doc_clear(doc);
  }
  return rc;
}

void gql_doc_clear(gql_doc *doc) {
  if (!doc)
    return;
  for (size_t i = 0; i < doc->n_fields; i++)
    field_clear(&doc->fields[i]);
  decc_free(doc->fields);
  memset(doc, 0, sizeof *doc);
}
