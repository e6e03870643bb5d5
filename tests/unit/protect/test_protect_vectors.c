/*
 * test_protect_vectors.c — decc against the DataProtector SDK's own output
 * (tests/vectors/protect/objects.json, mime.json, written by
 * tools/vectors/gen_protect.mjs with @iexec/dataprotector 0.5.3 and
 * 2.0.0-beta.27): same validation errors (message + key path), same schema
 * text, byte-identical zips, same MIME sniffing.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/protect.h"
#include "decc/zipsafe.h"
#include "test.h"

static json_t *load(const char *rel) {
  json_error_t je;
  json_t *j = json_load_file(decc_test_vector_path(rel), 0, &je);
  if (!j)
    fprintf(stderr, "%s: %s\n", rel, je.text);
  return j;
}

static uint8_t *b64dec(const char *s, size_t *len) {
  size_t n = strlen(s);
  uint8_t *out = malloc(n + 4);
  if (decc_base64_decode(out, n + 4, len, s, n) != DECC_OK) {
    free(out);
    return NULL;
  }
  return out;
}

TEST(objects_match_the_sdk) {
  json_t *v = load("protect/objects.json");
  ASSERT(v);
  json_t *cases = json_object_get(v, "cases");
  ASSERT(json_array_size(cases) >= 20);
  size_t i, checked = 0, errors = 0;
  json_t *c;
  json_array_foreach(cases, i, c) {
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *input = json_string_value(json_object_get(c, "input_json"));
    for (int f = 0; f < 2; f++) {
      decc_pd_format fmt = f ? DECC_PD_V2 : DECC_PD_LEGACY;
      json_t *want = json_object_get(c, f ? "v2" : "legacy");
      decc_pd *root = NULL;
      decc_err err;
      decc_err_clear(&err);
      ASSERT_OK(decc_pd_parse_json(&root, input, strlen(input), NULL, &err));
      const char *werr = json_string_value(json_object_get(want, "error"));
      if (werr) {
        const char *wpath = json_string_value(json_object_get(want, "path"));
        decc_pd_problem pb;
        decc_status st = decc_pd_validate(root, fmt, &pb, &err);
        if (st != DECC_E_INVALID || strcmp(pb.message, werr) ||
            strcmp(pb.path, wpath)) {
          decc_test_fail(__FILE__, __LINE__, "%s/%s: got %d '%s' at '%s'", name,
                         decc_pd_format_name(fmt), st, pb.message, pb.path);
          decc_pd_destroy(root);
          return;
        }
        char full[400];
        snprintf(full, sizeof full, "%s (at \"%s\")", werr, wpath);
        ASSERT_STR_EQ(err.msg, full);
        /* The stage matters: the schema step only runs stage 1. */
        const char *stage = json_string_value(json_object_get(want, "stage"));
        ASSERT_EQ(pb.stage, !strcmp(stage, "validate") ? 1 : 2);
        decc_buf b;
        decc_buf_init(&b, 0);
        ASSERT_EQ(decc_pd_serialize(root, fmt, &b, NULL), DECC_E_INVALID);
        ASSERT_EQ(b.len, 0);
        decc_pd_destroy(root);
        errors++;
        continue;
      }
      char *schema = NULL;
      ASSERT_OK(decc_pd_schema_json(root, fmt, &schema, NULL, &err));
      if (strcmp(schema, json_string_value(json_object_get(want, "schema")))) {
        decc_test_fail(__FILE__, __LINE__, "%s/%s schema: %s", name,
                       decc_pd_format_name(fmt), schema);
        return;
      }
      decc_free(schema);
      decc_buf b;
      decc_buf_init(&b, 0);
      ASSERT_OK(decc_pd_serialize(root, fmt, &b, &err));
      size_t zl;
      uint8_t *zip =
          b64dec(json_string_value(json_object_get(want, "zip_b64")), &zl);
      ASSERT(zip);
      if (zl != b.len || memcmp(zip, b.data, zl)) {
        decc_test_fail(__FILE__, __LINE__, "%s/%s: zip differs (%zu vs %zu)",
                       name, decc_pd_format_name(fmt), b.len, zl);
        return;
      }
      /* The entry list, read back with zipsafe from the SDK's zip. */
      decc_zip *z;
      ASSERT_OK(decc_zip_open_mem(&z, zip, zl, NULL, &err));
      json_t *entries = json_object_get(want, "entries");
      ASSERT_EQ(decc_zip_count(z), json_array_size(entries));
      size_t k;
      json_t *e;
      json_array_foreach(entries, k, e) {
        const decc_zip_entry *ze = decc_zip_entry_at(z, k);
        ASSERT_STR_EQ(ze->name, json_string_value(json_object_get(e, "name")));
        ASSERT_EQ(ze->is_dir, json_is_true(json_object_get(e, "dir")));
        ASSERT_EQ(ze->method, 0);
        if (ze->is_dir)
          continue;
        uint8_t *data;
        size_t dl;
        ASSERT_OK(decc_zip_read(z, k, 0, &data, &dl, &err));
        char *hex = malloc(dl * 2 + 1);
        decc_hex_encode(hex, data, dl, 0);
        ASSERT_STR_EQ(hex, json_string_value(json_object_get(e, "hex")));
        free(hex);
        decc_free(data);
      }
      decc_zip_close(z);
      free(zip);
      decc_buf_clear(&b);
      decc_pd_destroy(root);
      checked++;
    }
  }
  ASSERT(checked >= 25);
  ASSERT(errors >= 20);
  json_decref(v);
}

TEST(mime_matches_magic_bytes_js) {
  json_t *v = load("protect/mime.json");
  ASSERT(v);
  json_t *cases = json_object_get(v, "cases");
  ASSERT(json_array_size(cases) > 500);
  size_t i, supported = 0;
  json_t *c;
  json_array_foreach(cases, i, c) {
    size_t n;
    uint8_t *b =
        decc_test_unhex(json_string_value(json_object_get(c, "hex")), &n);
    const char *want = json_string_value(json_object_get(c, "mime"));
    const char *got = decc_pd_sniff_mime(b, n);
    if (strcmp(got, want)) {
      decc_test_fail(__FILE__, __LINE__, "case %zu (%s): %s != %s", i,
                     json_string_value(json_object_get(c, "hex")), got, want);
      return;
    }
    supported += strcmp(want, "application/octet-stream") != 0;
  }
  ASSERT(supported > 50); /* the vectors exercise real matches */
  json_decref(v);
}
