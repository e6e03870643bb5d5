/*
 * test_importer.c — the UnixFS importer against ipfs-unixfs-importer's
 * output (tests/vectors/store/unixfs.json, tools/vectors/gen_store.mjs):
 * root CIDs and cumulative sizes for CIDv0 and CIDv1 raw leaves over
 * PRNG files from 0 bytes to 50 MiB (chunk and 174-link boundaries), every
 * node (CID, block size, links, Tsize) for the small and boundary files,
 * and Debian's ipfs_cid as a second oracle for CIDv0 when installed.
 */
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "decc/store.h"
#include "store_test_util.h"
#include "test.h"

typedef struct seen_node {
  char cid[DECC_CID_STR_MAX];
  size_t size;
  size_t nlinks;
  char (*links)[DECC_CID_STR_MAX];
  uint64_t *tsizes;
} seen_node;

typedef struct collector {
  seen_node *nodes;
  size_t n, cap;
  int keep; /* record nodes (full listings only) */
  uint64_t blocks;
} collector;

static decc_status collect_put(void *ud, const decc_cid *cid,
                               const uint8_t *block, size_t n, decc_err *err) {
  collector *c = ud;
  c->blocks++;
  /* The importer's CID must be the hash of the bytes it hands out. */
  decc_cid check;
  if (decc_cid_of_block(&check, cid->version, cid->codec, block, n) ||
      !decc_cid_equal(&check, cid))
    return decc_err_set(err, DECC_E_INTERNAL, "put: CID does not match block");
  if (!c->keep)
    return DECC_OK;
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 64;
    c->nodes = realloc(c->nodes, c->cap * sizeof *c->nodes);
  }
  seen_node *s = &c->nodes[c->n++];
  memset(s, 0, sizeof *s);
  decc_cid_to_string(s->cid, sizeof s->cid, cid);
  s->size = n;
  if (cid->codec == DECC_CODEC_DAG_PB) {
    decc_dagpb_node node;
    decc_status st = decc_dagpb_decode(&node, block, n, 0, err);
    if (st)
      return st;
    s->nlinks = node.nlinks;
    s->links = calloc(node.nlinks + 1, sizeof *s->links);
    s->tsizes = calloc(node.nlinks + 1, sizeof *s->tsizes);
    for (size_t i = 0; i < node.nlinks; i++) {
      decc_cid lc;
      if (decc_cid_decode(&lc, NULL, node.links[i].hash, node.links[i].hash_len,
                          err) == DECC_OK)
        decc_cid_to_string(s->links[i], DECC_CID_STR_MAX, &lc);
      s->tsizes[i] = node.links[i].tsize;
    }
    decc_dagpb_node_clear(&node);
  }
  return DECC_OK;
}

static void collector_free(collector *c) {
  for (size_t i = 0; i < c->n; i++) {
    free(c->nodes[i].links);
    free(c->nodes[i].tsizes);
  }
  free(c->nodes);
  memset(c, 0, sizeof *c);
}

static json_t *load_vectors(void) {
  json_error_t je;
  json_t *v =
      json_load_file(decc_test_vector_path("store/unixfs.json"), 0, &je);
  if (!v)
    fprintf(stderr, "vectors: %s\n", je.text);
  return v;
}

/* Imports the PRNG file of `size` bytes, fed in uneven pieces. */
static decc_status import_prng(uint64_t size, unsigned version, collector *c,
                               decc_cid *root, uint64_t *cum) {
  decc_import_opts o;
  decc_import_opts_default(&o, version);
  decc_importer *imp;
  decc_err err;
  decc_status st = decc_importer_create(&imp, &o, collect_put, c, &err);
  if (st)
    return st;
  prng_stream s;
  prng_init(&s, size);
  static uint8_t buf[300000];
  uint64_t left = size;
  size_t piece = 1;
  while (left && !st) {
    size_t n = piece < left ? piece : (size_t)left;
    prng_fill(&s, buf, n);
    st = decc_importer_update(imp, buf, n, &err);
    left -= n;
    piece = piece * 7 + 13; /* cross chunk borders at odd offsets */
    if (piece > sizeof buf)
      piece = piece % sizeof buf + 1;
  }
  uint64_t fsz = 0;
  if (!st)
    st = decc_importer_final(imp, root, cum, &fsz, &err);
  if (!st && fsz != size)
    st = DECC_E_INTERNAL;
  if (st)
    fprintf(stderr, "import %llu: %s\n", (unsigned long long)size, err.msg);
  decc_importer_destroy(imp);
  return st;
}

TEST(hello_world_known_answers) {
  const char *text = "hello world\n";
  decc_cid root;
  uint64_t cum = 0;
  char s[DECC_CID_STR_MAX];
  decc_importer *imp;
  ASSERT_OK(decc_importer_create(&imp, NULL, NULL, NULL, NULL));
  ASSERT_OK(decc_importer_update(imp, text, 12, NULL));
  ASSERT_OK(decc_importer_final(imp, &root, &cum, NULL, NULL));
  decc_importer_destroy(imp);
  ASSERT_OK(decc_cid_to_string(s, sizeof s, &root));
  ASSERT_STR_EQ(s, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
  ASSERT_EQ(cum, 20);
  decc_import_opts o;
  decc_import_opts_default(&o, 1);
  ASSERT_OK(decc_importer_create(&imp, &o, NULL, NULL, NULL));
  ASSERT_OK(decc_importer_update(imp, text, 12, NULL));
  ASSERT_OK(decc_importer_final(imp, &root, &cum, NULL, NULL));
  decc_importer_destroy(imp);
  ASSERT_OK(decc_cid_to_string(s, sizeof s, &root));
  ASSERT_STR_EQ(s,
                "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
  ASSERT_EQ(cum, 12);
}

static void check_files(int big) {
  json_t *v = load_vectors();
  ASSERT(v != NULL);
  json_t *files = json_object_get(v, "files");
  ASSERT(json_array_size(files) >= 10);
  size_t i;
  json_t *f;
  int checked = 0;
  json_array_foreach(files, i, f) {
    uint64_t size = (uint64_t)json_integer_value(json_object_get(f, "size"));
    int is_big = size > 175ull * DECC_STORE_CHUNK_SIZE;
    if (is_big != big)
      continue;
    for (unsigned ver = 0; ver <= 1; ver++) {
      json_t *pv = json_object_get(f, ver ? "v1" : "v0");
      const char *want = json_string_value(json_object_get(pv, "root"));
      json_t *nodes = json_object_get(pv, "nodes");
      int full = !strcmp(json_string_value(json_object_get(pv, "dag_listing")),
                         "full");
      collector c = {.keep = 1};
      c.keep = full || is_big;
      /* Big files: keep only the root's record (the last block put). */
      decc_cid root;
      uint64_t cum = 0;
      if (is_big)
        c.keep = 0;
      ASSERT_OK(import_prng(size, ver, &c, &root, &cum));
      char s[DECC_CID_STR_MAX];
      ASSERT_OK(decc_cid_to_string(s, sizeof s, &root));
      if (strcmp(s, want)) {
        fprintf(stderr, "size %llu v%u\n", (unsigned long long)size, ver);
        collector_free(&c);
        ASSERT_STR_EQ(s, want);
      }
      ASSERT_EQ(cum,
                json_integer_value(json_object_get(pv, "cumulative_size")));
      if (full) {
        ASSERT_EQ(c.n, json_array_size(nodes));
        size_t k;
        json_t *jn;
        json_array_foreach(nodes, k, jn) {
          const char *jc = json_string_value(json_object_get(jn, "cid"));
          seen_node *sn = NULL;
          for (size_t q = 0; q < c.n && !sn; q++)
            if (!strcmp(c.nodes[q].cid, jc))
              sn = &c.nodes[q];
          if (!sn)
            collector_free(&c);
          ASSERT(sn != NULL);
          ASSERT_EQ(sn->size, json_integer_value(json_object_get(jn, "size")));
          json_t *jl = json_object_get(jn, "links");
          ASSERT_EQ(sn->nlinks, json_array_size(jl));
          for (size_t q = 0; q < sn->nlinks; q++) {
            json_t *l = json_array_get(jl, q);
            ASSERT_STR_EQ(sn->links[q],
                          json_string_value(json_object_get(l, "cid")));
            ASSERT_EQ(sn->tsizes[q],
                      json_integer_value(json_object_get(l, "tsize")));
          }
        }
      }
      collector_free(&c);
      checked++;
    }
  }
  ASSERT(checked >= (big ? 2 : 18));
  json_decref(v);
}

TEST(vectors_small_and_boundaries) { check_files(0); }

TEST(vectors_50mib) {
  if (getenv("DECC_SANITIZED")) {
    fprintf(stderr, "    (50 MiB case skipped under sanitizers: the 45 MiB "
                    "boundary files already cover the 2-level DAG)\n");
    return;
  }
  check_files(1);
}

TEST(options_rejected) {
  decc_importer *imp;
  decc_import_opts o;
  decc_err err;
  decc_import_opts_default(&o, 0);
  o.raw_leaves = 1;
  ASSERT_EQ(decc_importer_create(&imp, &o, NULL, NULL, &err), DECC_E_INVALID);
  decc_import_opts_default(&o, 2);
  ASSERT_EQ(decc_importer_create(&imp, &o, NULL, NULL, &err), DECC_E_INVALID);
  decc_import_opts_default(&o, 1);
  o.max_links = 1;
  ASSERT_EQ(decc_importer_create(&imp, &o, NULL, NULL, &err), DECC_E_INVALID);
  /* After final, updates are refused. */
  decc_cid root;
  ASSERT_OK(decc_importer_create(&imp, NULL, NULL, NULL, &err));
  ASSERT_OK(decc_importer_final(imp, &root, NULL, NULL, &err));
  ASSERT_EQ(decc_importer_update(imp, "x", 1, &err), DECC_E_STATE);
  decc_importer_destroy(imp);
}

/* Debian's ipfs_cid computes CIDv0 independently (go-ipfs code). */
TEST(ipfs_cid_agrees_on_v0) {
  if (access("/usr/bin/ipfs_cid", X_OK) != 0) {
    fprintf(stderr, "    SKIP: /usr/bin/ipfs_cid not installed\n");
    return;
  }
  const uint64_t sizes[] = {0,      12345,           262144,
                            262145, 3 * 262144 + 77, 174ull * 262144 + 1};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    char path[600];
    snprintf(path, sizeof path, "%s/f%zu", decc_test_tmpdir(), i);
    ASSERT_OK(prng_write_file(path, sizes[i]));
    decc_cid root;
    ASSERT_OK(decc_import_fd(&root, NULL, NULL, -1, path, NULL, NULL, NULL));
    char mine[DECC_CID_STR_MAX];
    ASSERT_OK(decc_cid_to_string(mine, sizeof mine, &root));
    char cmd[700];
    snprintf(cmd, sizeof cmd, "/usr/bin/ipfs_cid '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    ASSERT(p != NULL);
    char out[1024] = {0};
    size_t r = fread(out, 1, sizeof out - 1, p);
    pclose(p);
    out[r] = 0;
    json_t *j = json_loads(out, 0, NULL);
    ASSERT(j != NULL);
    const char *theirs = json_string_value(json_object_get(j, "CIDv0"));
    if (!theirs || strcmp(theirs, mine))
      fprintf(stderr, "size %llu\n", (unsigned long long)sizes[i]);
    ASSERT_STR_EQ(mine, theirs);
    json_decref(j);
    unlink(path);
  }
}
