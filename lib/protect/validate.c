/*
 * validate.c — rejects what DataProtector's protectData rejects, with the
 * SDK's exact messages, in the SDK's order.
 *
 * The SDK fails in two stages: ensureDataObjectIsValid (keys, null, arrays,
 * and in 0.5.3 bigints) walks the whole object first; only then does
 * createZipFromObject refuse values it cannot encode (0.5.3: non-safe-
 * integer numbers; 2.x: non-finite numbers, bigints outside its range
 * check). Both walk in JavaScript property order and the first failure
 * wins, so an invalid key late in the object beats an unencodable number
 * early in it. The messages add the key path, which the SDK does not give.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "decc/mem.h"
#include "protect_int.h"

typedef struct vctx {
  decc_pd_format fmt;
  char path[512];
  size_t plen;
  const char *msg;
} vctx;

static int key_ok_chars(const char *k, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)k[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return 0;
  }
  return 1;
}

/* Pushes ".key" (or "key" at the root) on the path; returns the old
 * length to pop back to. Long paths are cut (the message marks it). */
static size_t push(vctx *v, const char *k, size_t n) {
  size_t old = v->plen;
  size_t room = sizeof v->path - 1 - v->plen;
  if (old && room) {
    v->path[v->plen++] = '.';
    room--;
  }
  if (n > room)
    n = room;
  memcpy(v->path + v->plen, k, n);
  v->plen += n;
  v->path[v->plen] = 0;
  return old;
}

static void pop(vctx *v, size_t old) {
  v->plen = old;
  v->path[old] = 0;
}

static int stage1(vctx *v, const decc_pd *obj) {
  for (size_t i = 0; i < obj->u.obj.n; i++) {
    const pd_entry *e = &obj->u.obj.items[i];
    size_t old = push(v, e->key, e->key_len);
    if (e->key_len == 0)
      v->msg = "Unsupported empty key";
    else if (!key_ok_chars(e->key, e->key_len))
      v->msg = "Unsupported special character in key";
    else if (e->node->kind == DECC_PD_NULL)
      v->msg = "Unsupported null data";
    else if (e->node->kind == DECC_PD_ARRAY)
      v->msg = "Unsupported array data";
    else if (e->node->kind == DECC_PD_I128 && v->fmt == DECC_PD_LEGACY)
      v->msg = "Unsupported bigint data";
    else if (e->node->kind == DECC_PD_OBJECT && stage1(v, e->node))
      return 1;
    if (v->msg)
      return 1;
    pop(v, old);
  }
  return 0;
}

/* The SDK's i128 check is `v > 2^127 || v < -2^127`: 2^127 itself passes
 * (and borsh then writes it modulo 2^128); decc keeps that behaviour. */
static int i128_in_sdk_range(const decc_pd *n) {
  int neg, big;
  decc__u128 mag;
  const char *t = (const char *)n->u.bytes.data;
  if (decc__i128_parse(t, n->u.bytes.len, &neg, &mag, &big) != DECC_OK)
    return 0;
  return !big && mag <= ((decc__u128)1 << 127);
}

static int stage2(vctx *v, const decc_pd *obj) {
  for (size_t i = 0; i < obj->u.obj.n; i++) {
    const pd_entry *e = &obj->u.obj.items[i];
    const decc_pd *n = e->node;
    size_t old = push(v, e->key, e->key_len);
    if (n->kind == DECC_PD_OBJECT) {
      if (stage2(v, n))
        return 1;
    } else if (n->kind == DECC_PD_NUMBER && v->fmt == DECC_PD_LEGACY) {
      double d = n->u.num;
      if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740991.0)
        v->msg = "Unsupported non safe integer number";
    } else if (n->kind == DECC_PD_NUMBER) {
      if (!isfinite(n->u.num))
        v->msg = "Unsupported number value: infinity";
    } else if (n->kind == DECC_PD_I128 && !i128_in_sdk_range(n)) {
      v->msg = "Unsupported integer value: out of i128 range";
    }
    if (v->msg)
      return 1;
    pop(v, old);
  }
  return 0;
}

static decc_status report(vctx *v, int stage, decc_pd_problem *problem,
                          decc_err *err) {
  /* The path may hold any bytes: keep the one-line message printable. */
  char shown[200];
  size_t o = 0;
  for (size_t i = 0; i < v->plen && o + 8 < sizeof shown; i++) {
    unsigned char c = (unsigned char)v->path[i];
    if (c < 0x20 || c == 0x7f)
      o += (size_t)snprintf(shown + o, sizeof shown - o, "\\u%04x", c);
    else
      shown[o++] = (char)c;
  }
  int cut = o + 8 >= sizeof shown || v->plen >= sizeof v->path - 1;
  shown[o] = 0;
  if (problem) {
    memset(problem, 0, sizeof *problem);
    snprintf(problem->message, sizeof problem->message, "%s", v->msg);
    size_t pl =
        v->plen < sizeof problem->path - 1 ? v->plen : sizeof problem->path - 4;
    memcpy(problem->path, v->path, pl);
    if (pl < v->plen || cut)
      memcpy(problem->path + pl, "...", 4);
    problem->stage = stage;
  }
  return decc_err_set(err, DECC_E_INVALID, "%s (at \"%s%s\")", v->msg, shown,
                      cut ? "..." : "");
}

/* Stage 1 only: what the schema step needs. */
decc_status decc__pd_validate_data(const decc_pd *root, decc_pd_format fmt,
                                   decc_pd_problem *problem, decc_err *err) {
  if (!root || root->kind != DECC_PD_OBJECT)
    return decc_err_set(err, DECC_E_INVALID, "data must be an object");
  vctx v = {.fmt = fmt};
  if (stage1(&v, root))
    return report(&v, 1, problem, err);
  return DECC_OK;
}

decc_status decc_pd_validate(const decc_pd *root, decc_pd_format fmt,
                             decc_pd_problem *problem, decc_err *err) {
  DECC_ARG_CHECK(root != NULL);
  decc_status st = decc__pd_validate_data(root, fmt, problem, err);
  if (st != DECC_OK)
    return st;
  vctx v = {.fmt = fmt};
  if (stage2(&v, root))
    return report(&v, 2, problem, err);
  return DECC_OK;
}
