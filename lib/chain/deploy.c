/*
 * deploy.c — decc_poco_deploy: PoCo 6.1.0 + categories + decc's
 * DataProtector onto an EVM chain, from the @iexec/poco npm artifacts, and
 * decc_poco_deployment_check (decc/deploy.h, docs/internals/deploy.md).
 *
 * The npm package ships bytecode and ABIs but no deployment code; the
 * steps here are decc's own (they replaced an earlier ethers script):
 * Diamond plumbing from deployments/arbitrumSepolia (the
 * artifacts lack it), PoCo facets from artifacts/ with the order library
 * linked at their linkReferences, one diamondCut per facet with the
 * selectors not routed yet (facets share a few functions; the first facet
 * to declare one keeps it, as the JavaScript deployer did).
 *
 * Every artifact is read and checked before the first transaction, so bad
 * input (wrong folder, other PoCo version, malformed JSON) sends nothing.
 * Selectors are computed from the artifacts' ABI JSON (canonical
 * signatures, tuple components expanded recursively) rather than from a
 * list written here, so they follow the artifacts exactly.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/deploy_int.h"
#include "core/internal.h"
#include "decc/abi.h"
#include "decc/deploy.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/poco.h"

#define DEPLOYMENTS "deployments/arbitrumSepolia/"
#define LIB_ORDERS "IexecLibOrders_v5"
/* Deepest tuple nesting accepted in an artifact's ABI (PoCo's is 2). */
#define ABI_MAX_NEST 16
/* Longest canonical signature accepted (matchOrders' is ~1 KiB). */
#define SIG_MAX 8192

/* PoCo facets deployed on Arbitrum (token escrow, no Boost): the hub's
 * functions, in the order their selectors are routed. */
static const char *const FACETS[] = {"IexecAccessorsABILegacyFacet",
                                     "IexecCategoryManagerFacet",
                                     "IexecConfigurationFacet",
                                     "IexecConfigurationExtraFacet",
                                     "IexecERC20Facet",
                                     "IexecEscrowTokenFacet",
                                     "IexecOrderManagementFacet",
                                     "IexecPoco1Facet",
                                     "IexecPoco2Facet",
                                     "IexecPocoAccessorsFacet",
                                     "IexecRelayFacet"};
#define N_FACETS (sizeof FACETS / sizeof FACETS[0])

/* Diamond plumbing (deployments/): the first three are the base cuts. */
static const char *const PLUMBING[] = {"DiamondCutFacet", "DiamondLoupeFacet",
                                       "OwnershipFacet", "DiamondInit"};
#define N_PLUMBING 4
#define N_BASE_CUTS 3

static const struct {
  const char *name, *rel;
} REGISTRIES[] = {
    {"AppRegistry", "registries/apps/AppRegistry.sol"},
    {"DatasetRegistry", "registries/datasets/DatasetRegistry.sol"},
    {"WorkerpoolRegistry", "registries/workerpools/WorkerpoolRegistry.sol"}};
#define N_REGISTRIES 3

/* A contract ready to deploy: its creation code (library linked) and the
 * selectors of its ABI's functions. */
typedef struct art {
  const char *name;
  decc_buf code;
  uint32_t *sels; /* big-endian 4-byte selectors as integers */
  size_t n_sels;
} art;

typedef struct dep {
  decc_chain *c;
  const uint8_t *sk;
  const decc_poco_deploy_opts *o;
  decc_err *err;
  decc_address owner;
  uint32_t *routed; /* selectors the hub routes so far */
  size_t n_routed, cap_routed;
} dep;

/* ---- files ----------------------------------------------------------------- */

/* Reads path (at most DECC_DEPLOY_MAX_ARTIFACT bytes) as JSON. */
static decc_status load_json(const char *path, json_t **out, decc_err *err) {
  *out = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return decc_err_set(err, errno == ENOENT ? DECC_E_NOT_FOUND : DECC_E_IO,
                        "%s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return decc_err_set(err, DECC_E_IO, "%s: not a regular file", path);
  }
  if (st.st_size > (off_t)DECC_DEPLOY_MAX_ARTIFACT) {
    close(fd);
    return decc_err_set(err, DECC_E_LIMIT, "%s: larger than %u bytes", path,
                        DECC_DEPLOY_MAX_ARTIFACT);
  }
  size_t n = (size_t)st.st_size, got = 0;
  char *text = decc_malloc(n + 1);
  if (!text) {
    close(fd);
    return decc_err_set(err, DECC_E_NOMEM, "%s: out of memory", path);
  }
  while (got < n) {
    ssize_t r = read(fd, text + got, n - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  if (got != n) {
    decc_free(text);
    return decc_err_set(err, DECC_E_IO, "%s: short read", path);
  }
  json_error_t je;
  *out = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
  decc_free(text);
  if (!json_is_object(*out)) {
    json_decref(*out);
    *out = NULL;
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: not a JSON object (line %d: %s)", path, je.line,
                        je.text);
  }
  return DECC_OK;
}

/* <artifacts_dir>/<rel>, or a DECC_E_LIMIT error. */
static decc_status join(char *out, size_t cap, const char *dir, const char *rel,
                        decc_err *err) {
  int n = snprintf(out, cap, "%s/%s", dir, rel);
  if (n < 0 || (size_t)n >= cap)
    return decc_err_set(err, DECC_E_LIMIT, "artifacts: path too long");
  return DECC_OK;
}

/* ---- selectors --------------------------------------------------------------- */

/* Appends the canonical type of one ABI parameter: tuples become
 * "(components)" followed by their array suffix ("tuple[]" → "(…)[]"). */
static decc_status canon_param(decc_buf *b, const json_t *p, int depth) {
  const char *t = json_string_value(json_object_get(p, "type"));
  if (!t || !*t || depth > ABI_MAX_NEST)
    return DECC_E_PARSE;
  if (strncmp(t, "tuple", 5) != 0)
    return decc_buf_append_str(b, t);
  const json_t *comps = json_object_get(p, "components");
  if (!json_is_array(comps))
    return DECC_E_PARSE;
  decc_status s = decc_buf_append_byte(b, '(');
  for (size_t i = 0; s == DECC_OK && i < json_array_size(comps); i++) {
    if (i)
      s = decc_buf_append_byte(b, ',');
    if (s == DECC_OK)
      s = canon_param(b, json_array_get(comps, i), depth + 1);
  }
  if (s == DECC_OK)
    s = decc_buf_append_byte(b, ')');
  if (s == DECC_OK)
    s = decc_buf_append_str(b, t + 5); /* "", "[]", "[2]", "[][3]" … */
  return s;
}

/* The canonical signature "name(types)" of an ABI function entry, as a
 * NUL-terminated string in b. */
static decc_status canon_sig(decc_buf *b, const json_t *f) {
  const char *name = json_string_value(json_object_get(f, "name"));
  const json_t *in = json_object_get(f, "inputs");
  if (!name || !*name || (in && !json_is_array(in)))
    return DECC_E_PARSE;
  decc_status s = decc_buf_append_str(b, name);
  if (s == DECC_OK)
    s = decc_buf_append_byte(b, '(');
  for (size_t i = 0; s == DECC_OK && i < json_array_size(in); i++) {
    if (i)
      s = decc_buf_append_byte(b, ',');
    if (s == DECC_OK)
      s = canon_param(b, json_array_get(in, i), 0);
  }
  if (s == DECC_OK)
    s = decc_buf_append_byte(b, ')');
  if (s == DECC_OK)
    s = decc_buf_append_byte(b, 0);
  return s;
}

static uint32_t sel_u32(const uint8_t s[4]) {
  return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 |
         s[3];
}

static uint32_t sig_sel(const char *sig) {
  uint8_t s[4];
  decc_abi_selector(s, sig);
  return sel_u32(s);
}

/* Fills a->sels with the selectors of every function of abi. */
static decc_status abi_selectors(art *a, const json_t *abi, const char *file,
                                 decc_err *err) {
  if (!json_is_array(abi))
    return decc_err_set(err, DECC_E_PARSE, "%s: no \"abi\" array", file);
  size_t n = json_array_size(abi);
  a->sels = n ? decc_malloc(n * sizeof *a->sels) : NULL;
  if (n && !a->sels)
    return decc_err_set(err, DECC_E_NOMEM, "%s: out of memory", file);
  decc_buf sig;
  decc_buf_init(&sig, SIG_MAX);
  decc_status s = DECC_OK;
  for (size_t i = 0; i < n && s == DECC_OK; i++) {
    const json_t *f = json_array_get(abi, i);
    const char *type = json_string_value(json_object_get(f, "type"));
    if (!type || strcmp(type, "function") != 0)
      continue;
    decc_buf_reset(&sig);
    if ((s = canon_sig(&sig, f)) != DECC_OK)
      s = decc_err_set(err, s == DECC_E_NOMEM ? s : DECC_E_PARSE,
                       "%s: ABI entry %zu: malformed function", file, i);
    else
      a->sels[a->n_sels++] = sig_sel((const char *)sig.data);
  }
  decc_buf_clear(&sig);
  return s;
}

/* ---- bytecode ------------------------------------------------------------------ */

/* Creation code of an artifact ("bytecode": "0x…") into a->code, with the
 * order library's address written at every linkReferences position. lib
 * NULL: the code must need no library. */
static decc_status load_code(art *a, const json_t *j, const decc_address *lib,
                             const char *file, decc_err *err) {
  const char *hex = json_string_value(json_object_get(j, "bytecode"));
  if (!hex || strncmp(hex, "0x", 2) != 0 || strlen(hex) < 4)
    return decc_err_set(err, DECC_E_PARSE, "%s: no \"bytecode\" hex string",
                        file);
  hex += 2;
  size_t hl = strlen(hex);
  if (hl % 2 || hl / 2 > DECC_DEPLOY_MAX_ARTIFACT)
    return decc_err_set(err, DECC_E_PARSE, "%s: odd-length bytecode", file);
  char *h = decc_malloc(hl + 1);
  if (!h)
    return decc_err_set(err, DECC_E_NOMEM, "%s: out of memory", file);
  memcpy(h, hex, hl + 1);
  decc_status s = DECC_OK;
  const json_t *refs = json_object_get(j, "linkReferences");
  const char *src;
  json_t *byname;
  json_object_foreach((json_t *)refs, src, byname) {
    const char *lname;
    json_t *list;
    json_object_foreach(byname, lname, list) {
      if (!lib || strcmp(lname, LIB_ORDERS) != 0) {
        s = decc_err_set(err, DECC_E_UNSUPPORTED,
                         "%s: links library %s:%s, which decc does not deploy",
                         file, src, lname);
        goto done;
      }
      char addr[41];
      decc_hex_encode(addr, lib->b, 20, 0);
      for (size_t k = 0; k < json_array_size(list); k++) {
        const json_t *r = json_array_get(list, k);
        json_int_t st = json_integer_value(json_object_get(r, "start"));
        json_int_t ln = json_integer_value(json_object_get(r, "length"));
        /* In bounds, and pointing at a placeholder "__$<34 hex>$__" (or
         * at an address already written by an earlier reference). */
        if (ln != 20 || st < 0 || hl / 2 < 20 || (size_t)st > hl / 2 - 20 ||
            (memcmp(h + 2 * st, "__$", 3) != 0 &&
             memcmp(h + 2 * st, addr, 40) != 0) ||
            (memcmp(h + 2 * st, "__$", 3) == 0 &&
             memcmp(h + 2 * st + 37, "$__", 3) != 0)) {
          s = decc_err_set(err, DECC_E_PARSE,
                           "%s: link reference %zu of %s is not a "
                           "placeholder in the bytecode",
                           file, k, lname);
          goto done;
        }
        memcpy(h + 2 * (size_t)st, addr, 40);
      }
    }
  }
  decc_buf_init(&a->code, 0);
  uint8_t *p;
  size_t got = 0;
  if ((s = decc_buf_extend(&a->code, hl / 2, &p)) != DECC_OK)
    s = decc_err_set(err, s, "%s: out of memory", file);
  else if (decc_hex_decode(p, hl / 2, &got, h, hl) != DECC_OK || got != hl / 2)
    /* An unlinked placeholder (__$…$__) is not hex. */
    s = decc_err_set(err, DECC_E_PARSE,
                     "%s: bytecode is not hex (an unlinked library?)", file);
done:
  decc_free(h);
  return s;
}

static void art_clear(art *a) {
  decc_buf_clear(&a->code);
  decc_free(a->sels);
  memset(a, 0, sizeof *a);
}

/* Loads <dir>/<rel> into a (code linked to lib when given, selectors when
 * want_sels). */
static decc_status load_art(art *a, const char *name, const char *dir,
                            const char *rel, const decc_address *lib,
                            int want_sels, decc_err *err) {
  char path[4096];
  json_t *j = NULL;
  memset(a, 0, sizeof *a);
  a->name = name;
  decc_buf_init(&a->code, 0);
  decc_status s = join(path, sizeof path, dir, rel, err);
  if (s == DECC_OK)
    s = load_json(path, &j, err);
  if (s == DECC_OK)
    s = load_code(a, j, lib, path, err);
  if (s == DECC_OK && want_sels)
    s = abi_selectors(a, json_object_get(j, "abi"), path, err);
  json_decref(j);
  return s;
}

/* ---- transactions ------------------------------------------------------------ */

static decc_status route_add(dep *d, uint32_t sel) {
  if (d->n_routed == d->cap_routed) {
    size_t nc = d->cap_routed ? 2 * d->cap_routed : 256;
    uint32_t *p = decc_malloc(nc * sizeof *p);
    if (!p)
      return decc_err_set(d->err, DECC_E_NOMEM, "out of memory");
    if (d->n_routed)
      memcpy(p, d->routed, d->n_routed * sizeof *p);
    decc_free(d->routed);
    d->routed = p;
    d->cap_routed = nc;
  }
  d->routed[d->n_routed++] = sel;
  return DECC_OK;
}

static int routed(const dep *d, uint32_t sel) {
  for (size_t i = 0; i < d->n_routed; i++)
    if (d->routed[i] == sel)
      return 1;
  return 0;
}

/* Sends one transaction (to NULL: a creation) and checks it succeeded.
 * Out: *created (creations, optional). Errors are "<step> <what>: …". */
static decc_status tx(dep *d, const char *step, const char *what,
                      const decc_address *to, const uint8_t *data, size_t len,
                      decc_address *created) {
  decc_receipt r;
  memset(&r, 0, sizeof r);
  decc_status s = decc_chain_send(d->c, d->sk, to, data, len, &r, d->err);
  if (s != DECC_OK) {
    decc_err_prefix(d->err, "%s %s", step, what);
    return s;
  }
  if (r.status != 1)
    s = decc_err_set(d->err, DECC_E_REVERT, "%s %s: reverted%s%s", step, what,
                     r.revert_reason && *r.revert_reason ? ": " : "",
                     r.revert_reason ? r.revert_reason : "");
  else if (!to && !r.has_contract)
    s = decc_err_set(d->err, DECC_E_UNSUPPORTED,
                     "%s %s: the receipt names no created contract", step,
                     what);
  if (s == DECC_OK) {
    if (created)
      *created = r.contract_address;
    if (d->o->progress)
      d->o->progress(d->o->user, step, what, &r);
  }
  decc_receipt_clear(&r);
  return s;
}

/* Deploys code ‖ args. */
static decc_status create(dep *d, const char *what, const decc_buf *code,
                          const decc_buf *args, decc_address *out) {
  decc_buf init;
  decc_buf_init(&init, 0);
  decc_status s = decc_buf_append(&init, code->data, code->len);
  if (s == DECC_OK && args && args->len)
    s = decc_buf_append(&init, args->data, args->len);
  if (s != DECC_OK)
    s = decc_err_set(d->err, s, "deploy %s: out of memory", what);
  else
    s = tx(d, "deploy", what, NULL, init.data, init.len, out);
  decc_buf_clear(&init);
  return s;
}

/* Finishes e as calldata of sig and sends it to `to`. When must_route, the
 * hub must route sig (else the call would hit the diamond's fallback). */
static decc_status call(dep *d, const char *step, const char *what,
                        const decc_address *to, const char *sig,
                        decc_abi_enc *e, int must_route) {
  uint8_t sel[4];
  decc_abi_selector(sel, sig);
  if (must_route && !routed(d, sel_u32(sel))) {
    decc_abi_enc_clear(e);
    return decc_err_set(d->err, DECC_E_UNSUPPORTED,
                        "%s %s: no facet of the artifacts routes %s", step,
                        what, sig);
  }
  decc_buf cd;
  decc_buf_init(&cd, 0);
  decc_status s = decc_abi_enc_finish_call(e, sel, &cd);
  decc_abi_enc_clear(e);
  if (s != DECC_OK)
    s = decc_err_set(d->err, s, "%s %s: cannot encode %s", step, what, sig);
  else
    s = tx(d, step, what, to, cd.data, cd.len, NULL);
  decc_buf_clear(&cd);
  return s;
}

/* One FacetCut (address, Add = 0, bytes4[] selectors) into e. */
static void push_cut(decc_abi_enc *e, const decc_address *facet,
                     const uint32_t *sels, size_t n) {
  decc_abi_enc_begin_tuple(e);
  decc_abi_enc_push_address(e, facet);
  decc_abi_enc_push_u64(e, 0);
  decc_abi_enc_begin_array(e);
  for (size_t i = 0; i < n; i++) {
    uint8_t b[4] = {(uint8_t)(sels[i] >> 24), (uint8_t)(sels[i] >> 16),
                    (uint8_t)(sels[i] >> 8), (uint8_t)sels[i]};
    decc_abi_enc_push_bytesn(e, b, 4);
  }
  decc_abi_enc_end_array(e);
  decc_abi_enc_end_tuple(e);
}

/* The selectors of a not routed yet, routed from now on. Out: *out
 * (decc_free), *n. */
static decc_status take_unrouted(dep *d, const art *a, uint32_t **out,
                                 size_t *n) {
  *n = 0;
  *out = a->n_sels ? decc_malloc(a->n_sels * sizeof **out) : NULL;
  if (a->n_sels && !*out)
    return decc_err_set(d->err, DECC_E_NOMEM, "out of memory");
  for (size_t i = 0; i < a->n_sels; i++) {
    if (routed(d, a->sels[i]))
      continue;
    decc_status s = route_add(d, a->sels[i]);
    if (s != DECC_OK)
      return s;
    (*out)[(*n)++] = a->sels[i];
  }
  return DECC_OK;
}

/* ---- views -------------------------------------------------------------------- */

/* Calls a no-argument view returning one word. */
static decc_status view_word(decc_chain *c, const decc_address *to,
                             const char *sig, uint8_t w[32], decc_err *err) {
  uint8_t sel[4];
  decc_abi_selector(sel, sig);
  decc_buf ret;
  decc_buf_init(&ret, 1u << 16);
  decc_status s = decc_chain_call(c, NULL, to, sel, 4, &ret, err);
  if (s == DECC_OK && ret.len < 32)
    s = decc_err_set(err, DECC_E_NOT_FOUND, "%s: empty answer", sig);
  if (s == DECC_OK)
    memcpy(w, ret.data, 32);
  decc_buf_clear(&ret);
  return s;
}

static decc_status expect_address(decc_chain *c, const char *cname,
                                  const decc_address *at, const char *sig,
                                  const decc_address *want, decc_err *err) {
  uint8_t w[32];
  char a1[DECC_ADDRESS_HEX_LEN], a2[DECC_ADDRESS_HEX_LEN];
  decc_address got;
  decc_status s = view_word(c, at, sig, w, err);
  if (s != DECC_OK)
    return decc_err_prefix(err, "%s %s", cname,
                           decc_address_to_checksum(a1, at));
  memcpy(got.b, w + 12, 20);
  static const uint8_t zero12[12];
  if (memcmp(w, zero12, 12) != 0 || !decc_address_eq(&got, want))
    return decc_err_set(
        err, DECC_E_NOT_FOUND, "%s %s: %s answers %s, expected %s", cname,
        decc_address_to_checksum(a1, at), sig,
        decc_address_to_checksum(a2, &got), decc_address_to_checksum(a1, want));
  return DECC_OK;
}

decc_status decc_poco_deployment_check(decc_chain *c,
                                       const decc_chain_addresses *a,
                                       decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(a != NULL);
  const struct {
    const char *name;
    const decc_address *at;
  } has_code[] = {{"hub", &a->hub},
                  {"AppRegistry", &a->app_registry},
                  {"DatasetRegistry", &a->dataset_registry},
                  {"WorkerpoolRegistry", &a->workerpool_registry},
                  {"token", &a->token},
                  {"DataProtector", &a->dataprotector}};
  decc_status s = DECC_OK;
  for (size_t i = 0; s == DECC_OK && i < sizeof has_code / sizeof *has_code;
       i++) {
    char hex[DECC_ADDRESS_HEX_LEN];
    decc_buf code;
    decc_buf_init(&code, 0);
    s = decc_chain_code(c, has_code[i].at, &code, err);
    if (s != DECC_OK)
      decc_err_prefix(err, "%s %s", has_code[i].name,
                      decc_address_to_checksum(hex, has_code[i].at));
    else if (code.len == 0)
      s = decc_err_set(err, DECC_E_NOT_FOUND, "%s %s: no code on this chain",
                       has_code[i].name,
                       decc_address_to_checksum(hex, has_code[i].at));
    decc_buf_clear(&code);
  }
  if (s == DECC_OK)
    s = expect_address(c, "hub", &a->hub, "appregistry()", &a->app_registry,
                       err);
  if (s == DECC_OK)
    s = expect_address(c, "hub", &a->hub, "datasetregistry()",
                       &a->dataset_registry, err);
  if (s == DECC_OK)
    s = expect_address(c, "hub", &a->hub, "workerpoolregistry()",
                       &a->workerpool_registry, err);
  if (s == DECC_OK)
    s = expect_address(c, "hub", &a->hub, "token()", &a->token, err);
  if (s == DECC_OK)
    s = expect_address(c, "DataProtector", &a->dataprotector,
                       "DATASET_REGISTRY()", &a->dataset_registry, err);
  return s;
}

void decc_dataprotector_builtin(const char **hex, const char **compiler,
                                const char **source_sha256) {
  if (hex)
    *hex = decc__dataprotector_hex;
  if (compiler)
    *compiler = decc__dataprotector_compiler;
  if (source_sha256)
    *source_sha256 = decc__dataprotector_source_sha256;
}

/* ---- the deployment ---------------------------------------------------------- */

/* Every contract of a deployment, loaded before anything is sent. */
typedef struct plan {
  art rlc, lib, plumbing[N_PLUMBING], diamond, facets[N_FACETS],
      regs[N_REGISTRIES], dp;
} plan;

static void plan_clear(plan *p) {
  art_clear(&p->rlc);
  art_clear(&p->lib);
  art_clear(&p->diamond);
  art_clear(&p->dp);
  for (size_t i = 0; i < N_PLUMBING; i++)
    art_clear(&p->plumbing[i]);
  for (size_t i = 0; i < N_FACETS; i++)
    art_clear(&p->facets[i]);
  for (size_t i = 0; i < N_REGISTRIES; i++)
    art_clear(&p->regs[i]);
}

/* Checks package.json says @iexec/poco DECC_POCO_DEPLOY_VERSION. */
static decc_status check_package(const char *dir, decc_err *err) {
  char path[4096];
  json_t *j = NULL;
  decc_status s = join(path, sizeof path, dir, "package.json", err);
  if (s == DECC_OK && (s = load_json(path, &j, err)) != DECC_OK)
    return s == DECC_E_NOT_FOUND
               ? decc_err_set(err, s,
                              "%s: no package.json: not the @iexec/poco "
                              "package (tools/engines/install.sh chain puts "
                              "it in $DECC_ENGINES_DIR/chain/poco)",
                              dir)
               : s;
  if (s != DECC_OK)
    return s;
  const char *name = json_string_value(json_object_get(j, "name"));
  const char *ver = json_string_value(json_object_get(j, "version"));
  if (!name || strcmp(name, "@iexec/poco") != 0 || !ver ||
      strcmp(ver, DECC_POCO_DEPLOY_VERSION) != 0)
    s = decc_err_set(err, DECC_E_UNSUPPORTED,
                     "%s: %s %s, decc deploys @iexec/poco %s", dir,
                     name ? name : "(no name)", ver ? ver : "(no version)",
                     DECC_POCO_DEPLOY_VERSION);
  json_decref(j);
  return s;
}

/* Placeholder library address used while checking that every artifact
 * links (the real one is known only once the library is deployed). */
static const decc_address PROBE_LIB = {
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
     0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11}};

static decc_status load_facet(art *a, size_t i, const char *dir,
                              const decc_address *lib, decc_err *err) {
  char rel[256];
  snprintf(rel, sizeof rel, "artifacts/contracts/facets/%s.sol/%s.json",
           FACETS[i], FACETS[i]);
  art_clear(a);
  return load_art(a, FACETS[i], dir, rel, lib, 1, err);
}

static decc_status load_plan(plan *p, const decc_poco_deploy_opts *o,
                             decc_err *err) {
  const char *dir = o->artifacts_dir;
  char rel[256];
  decc_status s = check_package(dir, err);
  if (s == DECC_OK)
    s = load_art(&p->rlc, "RLC", dir, DEPLOYMENTS "RLC.json", NULL, 0, err);
  if (s == DECC_OK)
    s = load_art(&p->lib, LIB_ORDERS, dir,
                 "artifacts/contracts/libs/" LIB_ORDERS ".sol/" LIB_ORDERS
                 ".json",
                 NULL, 0, err);
  for (size_t i = 0; s == DECC_OK && i < N_PLUMBING; i++) {
    snprintf(rel, sizeof rel, DEPLOYMENTS "%s.json", PLUMBING[i]);
    s = load_art(&p->plumbing[i], PLUMBING[i], dir, rel, NULL, 1, err);
  }
  if (s == DECC_OK)
    s = load_art(&p->diamond, "Diamond", dir,
                 "artifacts/contracts/Diamond.sol/Diamond.json", NULL, 0, err);
  for (size_t i = 0; s == DECC_OK && i < N_FACETS; i++)
    s = load_facet(&p->facets[i], i, dir, &PROBE_LIB, err);
  for (size_t i = 0; s == DECC_OK && i < N_REGISTRIES; i++) {
    snprintf(rel, sizeof rel, "artifacts/contracts/%s/%s.json",
             REGISTRIES[i].rel, REGISTRIES[i].name);
    s = load_art(&p->regs[i], REGISTRIES[i].name, dir, rel, NULL, 0, err);
  }
  if (s != DECC_OK)
    return s;
  /* DataProtector: a given artifact, or the one compiled in. */
  p->dp.name = "DataProtector";
  decc_buf_init(&p->dp.code, 0);
  if (o->dataprotector_artifact) {
    json_t *j = NULL;
    s = load_json(o->dataprotector_artifact, &j, err);
    if (s == DECC_OK)
      s = load_code(&p->dp, j, NULL, o->dataprotector_artifact, err);
    json_decref(j);
  } else {
    json_t *j = json_pack("{ss}", "bytecode", decc__dataprotector_hex);
    s = j ? load_code(&p->dp, j, NULL, "built-in DataProtector", err)
          : decc_err_set(err, DECC_E_NOMEM, "out of memory");
    json_decref(j);
  }
  return s;
}

static decc_status run(dep *d, plan *p, decc_chain_addresses *res) {
  decc_status s;
  decc_address lib, plumb[N_PLUMBING], hub, regs[N_REGISTRIES];
  decc_abi_enc e;
  decc_buf args;
  decc_buf_init(&args, 0);

  /* RLC: its constructor mints the whole supply to the deployer. */
  if ((s = create(d, "RLC", &p->rlc.code, NULL, &res->token)) ||
      (s = create(d, LIB_ORDERS, &p->lib.code, NULL, &lib)))
    goto out;
  for (size_t i = 0; i < N_PLUMBING; i++)
    if ((s = create(d, PLUMBING[i], &p->plumbing[i].code, NULL, &plumb[i])))
      goto out;

  /* Diamond(FacetCut[] base cuts, DiamondArgs(owner, init, init())). */
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_begin_array(&e);
  for (size_t i = 0; i < N_BASE_CUTS; i++) {
    uint32_t *sels;
    size_t n;
    if ((s = take_unrouted(d, &p->plumbing[i], &sels, &n))) {
      decc_abi_enc_clear(&e);
      goto out;
    }
    push_cut(&e, &plumb[i], sels, n);
    decc_free(sels);
  }
  decc_abi_enc_end_array(&e);
  uint8_t init_sel[4];
  decc_abi_selector(init_sel, "init()");
  decc_abi_enc_begin_tuple(&e);
  decc_abi_enc_push_address(&e, &d->owner);
  decc_abi_enc_push_address(&e, &plumb[N_PLUMBING - 1]);
  decc_abi_enc_push_bytes(&e, init_sel, 4);
  decc_abi_enc_end_tuple(&e);
  s = decc_abi_enc_finish(&e, &args);
  decc_abi_enc_clear(&e);
  if (s) {
    s = decc_err_set(d->err, s, "deploy Diamond: cannot encode the cuts");
    goto out;
  }
  if ((s = create(d, "Diamond", &p->diamond.code, &args, &hub)))
    goto out;
  res->hub = hub;

  /* Facets, library linked; one cut each for its new selectors. */
  for (size_t i = 0; i < N_FACETS; i++) {
    decc_address fa;
    if ((s = load_facet(&p->facets[i], i, d->o->artifacts_dir, &lib, d->err)) ||
        (s = create(d, FACETS[i], &p->facets[i].code, NULL, &fa)))
      goto out;
    uint32_t *sels;
    size_t n;
    if ((s = take_unrouted(d, &p->facets[i], &sels, &n)))
      goto out;
    if (n) {
      decc_abi_enc_init(&e, 0);
      decc_abi_enc_begin_array(&e);
      push_cut(&e, &fa, sels, n);
      decc_abi_enc_end_array(&e);
      decc_address zero;
      memset(&zero, 0, sizeof zero);
      decc_abi_enc_push_address(&e, &zero);
      decc_abi_enc_push_bytes(&e, NULL, 0);
      s = call(d, "diamondCut", FACETS[i], &hub,
               "diamondCut((address,uint8,bytes4[])[],address,bytes)", &e, 0);
    }
    decc_free(sels);
    if (s)
      goto out;
  }

  /* Registries, each initialize(no previous registry). */
  for (size_t i = 0; i < N_REGISTRIES; i++) {
    decc_address zero;
    memset(&zero, 0, sizeof zero);
    if ((s = create(d, REGISTRIES[i].name, &p->regs[i].code, NULL, &regs[i])))
      goto out;
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_address(&e, &zero);
    if ((s = call(d, "initialize", REGISTRIES[i].name, &regs[i],
                  "initialize(address)", &e, 0)))
      goto out;
  }
  res->app_registry = regs[0];
  res->dataset_registry = regs[1];
  res->workerpool_registry = regs[2];

  /* configure(token, name, symbol, decimals, registries, no v3 hub). */
  {
    decc_address zero;
    memset(&zero, 0, sizeof zero);
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_address(&e, &res->token);
    decc_abi_enc_push_string(&e, "Staked RLC");
    decc_abi_enc_push_string(&e, "SRLC");
    decc_abi_enc_push_u64(&e, 9);
    for (size_t i = 0; i < N_REGISTRIES; i++)
      decc_abi_enc_push_address(&e, &regs[i]);
    decc_abi_enc_push_address(&e, &zero);
    if ((s = call(d, "configure", "hub", &hub,
                  "configure(address,string,string,uint8,address,address,"
                  "address,address)",
                  &e, 1)))
      goto out;
  }

  size_t ncat = 0;
  const decc_poco_category *cats = decc_poco_genesis_categories(&ncat);
  for (size_t i = 0; i < ncat; i++) {
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_string(&e, cats[i].name);
    decc_abi_enc_push_string(&e, cats[i].description);
    decc_abi_enc_push_u64(&e, cats[i].work_clock_time_ref);
    if ((s = call(d, "createCategory", cats[i].name, &hub,
                  "createCategory(string,string,uint256)", &e, 1)))
      goto out;
  }

  /* DataProtector(DatasetRegistry). */
  decc_buf_reset(&args);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &res->dataset_registry);
  s = decc_abi_enc_finish(&e, &args);
  decc_abi_enc_clear(&e);
  if (s)
    s = decc_err_set(d->err, s, "deploy DataProtector: cannot encode");
  else
    s = create(d, "DataProtector", &p->dp.code, &args, &res->dataprotector);
  if (s)
    goto out;

  /* What was deployed answers as a deployment. */
  if ((s = decc_poco_deployment_check(d->c, res, d->err))) {
    decc_err_prefix(d->err, "check after deployment");
    goto out;
  }
  uint8_t w[32];
  uint64_t count = 0;
  decc_u256 v;
  if ((s = view_word(d->c, &hub, "countCategory()", w, d->err))) {
    decc_err_prefix(d->err, "check after deployment");
    goto out;
  }
  decc_u256_from_be(&v, w);
  if (!decc_u256_to_u64(&count, &v) || count != ncat)
    s = decc_err_set(d->err, DECC_E_STATE,
                     "check after deployment: hub counts %llu categories, "
                     "expected %zu",
                     (unsigned long long)count, ncat);
out:
  decc_buf_clear(&args);
  return s;
}

decc_status decc_poco_deploy(decc_chain *c, const uint8_t sk32[32],
                             const decc_poco_deploy_opts *o,
                             decc_chain_addresses *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(out != NULL);
  if (!o->artifacts_dir || !*o->artifacts_dir)
    return decc_err_set(err, DECC_E_INVALID,
                        "deploy: no @iexec/poco artifacts directory given");
  dep d;
  memset(&d, 0, sizeof d);
  d.c = c;
  d.sk = sk32;
  d.o = o;
  d.err = err;
  if (decc_address_from_privkey(&d.owner, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "deploy: invalid private key");
  plan p;
  memset(&p, 0, sizeof p);
  decc_status s = load_plan(&p, o, err);
  if (s == DECC_OK) {
    decc_chain_addresses res;
    memset(&res, 0, sizeof res);
    s = run(&d, &p, &res);
    if (s == DECC_OK)
      *out = res;
  }
  plan_clear(&p);
  decc_free(d.routed);
  return s;
}
