/*
 * test_misuse_protect.c — the entry checks of protect.h's public
 * functions: a NULL tree, node, key, reader, path, output or callback, or
 * NULL data with a length, is reported to the misuse handler by the
 * function called, which returns its documented failure value
 * (DECC_E_INVALID, NULL, 0 or NaN) without crashing and without touching
 * its outputs (decc_pd_add_binary_owned still frees what it was given);
 * the permitted NULLs (err, problem, child, key/len outputs, opts, lim,
 * empty data, a sink's ctx, the NULL-tolerant destroy/close/clear) are not
 * reported, and the tree, its zip and the reader still work after the
 * refused calls.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "decc/protect.h"
#include "misuse_check.h"

static decc_status count_sink(void *ctx, const void *p, size_t n) {
  (void)p;
  if (ctx)
    *(size_t *)ctx += n;
  return DECC_OK;
}

TEST(misuse_pd_tree) {
  MISUSE_BEGIN();
  decc_pd_format fmt = DECC_PD_LEGACY;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_format_parse, NULL, "v2");
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_format_parse, &fmt, NULL);
  ASSERT_EQ(fmt, DECC_PD_LEGACY);
  /* an unknown name is outside input: refused, not a misuse */
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_pd_format_parse(&fmt, "v3"), DECC_E_INVALID));
  EXPECT_OK_NO_MISUSE(decc_pd_format_parse(&fmt, "v2"));
  ASSERT_EQ(fmt, DECC_PD_V2);

  decc_pd *root = NULL, *child = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_create, NULL);
  EXPECT_OK_NO_MISUSE(decc_pd_create(&root));

  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_bool, NULL, "b", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_bool, root, NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_number, NULL, "n", 1.5, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_number, root, NULL, 1.5, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_i128, NULL, "i", "7", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_i128, root, NULL, "7", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_i128, root, "i", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_string, NULL, "s", "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_string, root, NULL, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_string, root, "s", NULL, 1, NULL);
  ASSERT_STR_EQ(g_misuse.what, "s != NULL || len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_binary, NULL, "d", "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_binary, root, NULL, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_binary, root, "d", NULL, 1, NULL);
  /* the owned data is freed even when refused (LeakSanitizer sees it) */
  void *owned = decc_malloc(4);
  ASSERT(owned != NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_binary_owned, NULL, "o", owned, 4,
                NULL);
  owned = decc_malloc(4);
  ASSERT(owned != NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_binary_owned, root, NULL, owned, 4,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_binary_owned, root, "o", NULL, 4,
                NULL);
  char path[600];
  snprintf(path, sizeof path, "%s/value.bin", decc_test_tmpdir());
  FILE *f = fopen(path, "wb");
  ASSERT(f != NULL);
  ASSERT_EQ(fwrite("\x89PNG\r\n\x1a\n", 1, 8, f), 8);
  ASSERT_EQ(fclose(f), 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_binary_file, NULL, "f", path, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_binary_file, root, NULL, path,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_binary_file, root, "f", NULL, NULL);
  /* an empty path is outside input: refused, not a misuse */
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_pd_add_binary_file(root, "f", "", NULL), DECC_E_INVALID));
  child = (decc_pd *)root;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_object, NULL, "o", &child, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_add_object, root, NULL, &child, NULL);
  ASSERT(child == root);
  /* nothing was added by the refused calls */
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_pd_count(root), 0));

  /* the permitted NULLs: err, child, empty data */
  EXPECT_OK_NO_MISUSE(decc_pd_add_bool(root, "b", 1, NULL));
  EXPECT_OK_NO_MISUSE(decc_pd_add_number(root, "n", 1.5, NULL));
  EXPECT_OK_NO_MISUSE(decc_pd_add_i128(root, "i", "-7", NULL));
  EXPECT_OK_NO_MISUSE(decc_pd_add_string(root, "s", NULL, 0, NULL));
  EXPECT_OK_NO_MISUSE(decc_pd_add_binary(root, "d", NULL, 0, NULL));
  EXPECT_OK_NO_MISUSE(decc_pd_add_binary_owned(root, "o", NULL, 0, NULL));
  EXPECT_OK_NO_MISUSE(decc_pd_add_binary_file(root, "f", path, NULL));
  EXPECT_OK_NO_MISUSE(decc_pd_add_object(root, "obj", NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_pd_add_object(root, "obj2", &child, NULL));
  EXPECT_OK_NO_MISUSE(decc_pd_add_string(child, "in", "x", 1, NULL));

  /* inspection */
  EXPECT_MISUSE(0, decc_pd_kind_of, NULL);
  EXPECT_MISUSE(0, decc_pd_count, NULL);
  const char *k = "untouched";
  size_t kl = 99;
  EXPECT_MISUSE_NULL(decc_pd_entry, NULL, 0, &k, &kl);
  ASSERT_STR_EQ(k, "untouched");
  ASSERT_EQ(kl, 99);
  EXPECT_MISUSE_NULL(decc_pd_lookup, NULL, "b");
  EXPECT_MISUSE_NULL(decc_pd_lookup, root, NULL);
  EXPECT_MISUSE(0, decc_pd_bool_value, NULL);
  int before = g_misuse.calls;
  ASSERT(decc_pd_number_value(NULL) == 0.0);
  ASSERT_EQ(g_misuse.calls, before + 1);
  ASSERT_STR_EQ(g_misuse.func, "decc_pd_number_value");
  size_t len = 77;
  EXPECT_MISUSE_NULL(decc_pd_bytes_value, NULL, &len);
  ASSERT_EQ(len, 77);
  EXPECT_MISUSE_NULL(decc_pd_i128_text, NULL);

  EXPECT_NO_MISUSE(ASSERT_EQ(decc_pd_kind_of(root), DECC_PD_OBJECT));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_pd_count(root), 9));
  /* key and key_len are optional; out of range is NULL, not misuse */
  EXPECT_NO_MISUSE(ASSERT(decc_pd_entry(root, 0, NULL, NULL) != NULL));
  EXPECT_NO_MISUSE(ASSERT(decc_pd_entry(root, 9, &k, &kl) == NULL));
  EXPECT_NO_MISUSE(ASSERT(decc_pd_lookup(root, "missing") == NULL));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_pd_bool_value(decc_pd_lookup(root, "b")), 1));
  EXPECT_NO_MISUSE(
      ASSERT(decc_pd_number_value(decc_pd_lookup(root, "n")) == 1.5));
  EXPECT_NO_MISUSE(
      ASSERT_STR_EQ(decc_pd_i128_text(decc_pd_lookup(root, "i")), "-7"));
  /* len is optional; another kind gives NULL / 0, not misuse */
  EXPECT_NO_MISUSE(
      ASSERT(decc_pd_bytes_value(decc_pd_lookup(root, "s"), NULL) != NULL));
  EXPECT_NO_MISUSE(
      ASSERT(decc_pd_bytes_value(decc_pd_lookup(root, "b"), &len) == NULL));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_pd_bool_value(decc_pd_lookup(root, "n")), 0));

  char dec[41];
  decc_i128 v;
  memset(v.le, 0xff, sizeof v.le);
  EXPECT_MISUSE_NULL(decc_i128_to_dec, NULL, &v);
  EXPECT_MISUSE_NULL(decc_i128_to_dec, dec, NULL);
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_i128_to_dec(dec, &v), "-1"));

  /* validation, schema */
  decc_pd_problem prob;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_validate, NULL, DECC_PD_V2, &prob,
                NULL);
  EXPECT_OK_NO_MISUSE(decc_pd_validate(root, DECC_PD_V2, NULL, NULL));
  char *js = (char *)"untouched";
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_schema_json, NULL, DECC_PD_V2, &js,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_schema_json, root, DECC_PD_V2, NULL,
                NULL, NULL);
  ASSERT_STR_EQ(js, "untouched");
  EXPECT_OK_NO_MISUSE(decc_pd_schema_json(root, DECC_PD_V2, &js, NULL, NULL));
  ASSERT(strstr(js, "\"f\":\"image/png\"") != NULL);
  decc_free(js);

  /* serialization: the three ways give the same archive */
  decc_buf b;
  decc_buf_init(&b, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_serialize, NULL, DECC_PD_V2, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_serialize, root, DECC_PD_V2, NULL,
                NULL);
  ASSERT_EQ(b.len, 0);
  EXPECT_OK_NO_MISUSE(decc_pd_serialize(root, DECC_PD_V2, &b, NULL));
  ASSERT(b.len > 0);
  size_t streamed = 0;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_serialize_stream, NULL, DECC_PD_V2,
                count_sink, &streamed, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_serialize_stream, root, DECC_PD_V2,
                NULL, &streamed, NULL);
  ASSERT_EQ(streamed, 0);
  /* ctx is the caller's: NULL passes through */
  EXPECT_OK_NO_MISUSE(
      decc_pd_serialize_stream(root, DECC_PD_V2, count_sink, NULL, NULL));
  EXPECT_OK_NO_MISUSE(
      decc_pd_serialize_stream(root, DECC_PD_V2, count_sink, &streamed, NULL));
  ASSERT_EQ(streamed, b.len);
  char zpath[600];
  snprintf(zpath, sizeof zpath, "%s/pd.zip", decc_test_tmpdir());
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_serialize_file, NULL, DECC_PD_V2, zpath,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_serialize_file, root, DECC_PD_V2, NULL,
                NULL);
  FILE *none = fopen(zpath, "rb");
  ASSERT(none == NULL);
  EXPECT_OK_NO_MISUSE(decc_pd_serialize_file(root, DECC_PD_V2, zpath, NULL));
  size_t zl = 0;
  char *zf = decc_test_read_file(zpath, &zl);
  ASSERT(zf != NULL);
  ASSERT_EQ(zl, b.len);
  ASSERT_MEM_EQ(zf, b.data, zl);
  free(zf);

  /* MIME sniffing: empty data may be NULL */
  EXPECT_MISUSE_NULL(decc_pd_sniff_mime, NULL, 4);
  EXPECT_NO_MISUSE(
      ASSERT_STR_EQ(decc_pd_sniff_mime(NULL, 0), "application/octet-stream"));
  EXPECT_NO_MISUSE(
      ASSERT_STR_EQ(decc_pd_sniff_mime((const uint8_t *)"\x89PNG\r\n\x1a\n", 8),
                    "image/png"));

  decc_buf_clear(&b);
  EXPECT_NO_MISUSE(decc_pd_destroy(root));
  EXPECT_NO_MISUSE(decc_pd_destroy(NULL));
}

TEST(misuse_pd_json) {
  MISUSE_BEGIN();
  static const char J[] = "{\"a\":true,\"b\":{\"c\":\"x\"}}";
  decc_pd *root = (decc_pd *)J;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_parse_json, NULL, J, sizeof J - 1, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_parse_json, &root, NULL, 5, NULL, NULL);
  ASSERT(root == (decc_pd *)J);
  /* no text with length 0 is permitted: not JSON, but no misuse */
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_pd_parse_json(&root, NULL, 0, NULL, NULL), DECC_E_PARSE));
  ASSERT(root == NULL);
  /* opts and err are optional */
  EXPECT_OK_NO_MISUSE(decc_pd_parse_json(&root, J, sizeof J - 1, NULL, NULL));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_pd_count(root), 2));
  decc_pd_destroy(root);
}

TEST(misuse_pd_reader) {
  MISUSE_BEGIN();
  decc_pd *root = NULL;
  ASSERT_OK(decc_pd_create(&root));
  ASSERT_OK(decc_pd_add_bool(root, "b", 1, NULL));
  ASSERT_OK(decc_pd_add_number(root, "n", 2.5, NULL));
  ASSERT_OK(decc_pd_add_i128(root, "i", "-3", NULL));
  ASSERT_OK(decc_pd_add_string(root, "s", "hey", 3, NULL));
  ASSERT_OK(decc_pd_add_binary(root, "d", "\x01\x02", 2, NULL));
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_pd_serialize(root, DECC_PD_V2, &b, NULL));
  decc_pd_destroy(root);
  char zpath[600];
  snprintf(zpath, sizeof zpath, "%s/r.zip", decc_test_tmpdir());
  FILE *f = fopen(zpath, "wb");
  ASSERT(f != NULL);
  ASSERT_EQ(fwrite(b.data, 1, b.len, f), b.len);
  ASSERT_EQ(fclose(f), 0);

  decc_pd_mode mode = DECC_PD_MODE_LEGACY;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_mode_parse, NULL, "borsh");
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_mode_parse, &mode, NULL);
  ASSERT_EQ(mode, DECC_PD_MODE_LEGACY);
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_pd_mode_parse(&mode, "json"), DECC_E_INVALID));
  EXPECT_OK_NO_MISUSE(decc_pd_mode_parse(&mode, "borsh"));
  ASSERT_EQ(mode, DECC_PD_MODE_BORSH);

  decc_pd_reader *r = (decc_pd_reader *)&b;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_reader_open, NULL, zpath, mode, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_reader_open, &r, NULL, mode, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_reader_open_mem, NULL, b.data, b.len,
                mode, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_reader_open_mem, &r, NULL, b.len, mode,
                NULL, NULL);
  ASSERT(r == (decc_pd_reader *)&b);
  /* an empty archive may be NULL: not a zip, but no misuse */
  EXPECT_NO_MISUSE(ASSERT(
      decc_pd_reader_open_mem(&r, NULL, 0, mode, NULL, NULL) != DECC_OK));
  ASSERT(r == NULL);
  /* lim and err are optional */
  EXPECT_OK_NO_MISUSE(decc_pd_reader_open(&r, zpath, mode, NULL, NULL));
  decc_pd_reader_close(r);
  EXPECT_OK_NO_MISUSE(
      decc_pd_reader_open_mem(&r, b.data, b.len, mode, NULL, NULL));

  decc_pd_value val;
  memset(&val, 0x5a, sizeof val);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get, NULL, "s", "string", &val, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get, r, NULL, "string", &val, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get, r, "s", NULL, &val, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get, r, "s", "string", NULL, NULL);
  ASSERT_EQ(val.len, 0x5a5a5a5a5a5a5a5aull);
  EXPECT_OK_NO_MISUSE(decc_pd_get(r, "s", "string", &val, NULL));
  ASSERT_EQ(val.len, 3);
  ASSERT_MEM_EQ(val.data, "hey", 3);
  EXPECT_NO_MISUSE(decc_pd_value_clear(&val));
  ASSERT(val.data == NULL);
  EXPECT_NO_MISUSE(decc_pd_value_clear(NULL));

  int bv = 7;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_bool, NULL, "b", &bv, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_bool, r, NULL, &bv, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_bool, r, "b", NULL, NULL);
  ASSERT_EQ(bv, 7);
  EXPECT_OK_NO_MISUSE(decc_pd_get_bool(r, "b", &bv, NULL));
  ASSERT_EQ(bv, 1);

  double dv = 9.0;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_f64, NULL, "n", &dv, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_f64, r, NULL, &dv, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_f64, r, "n", NULL, NULL);
  ASSERT(dv == 9.0);
  EXPECT_OK_NO_MISUSE(decc_pd_get_f64(r, "n", &dv, NULL));
  ASSERT(dv == 2.5);

  decc_i128 iv;
  memset(iv.le, 0, sizeof iv.le);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_i128, NULL, "i", &iv, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_i128, r, NULL, &iv, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_i128, r, "i", NULL, NULL);
  ASSERT_EQ(iv.le[0], 0);
  EXPECT_OK_NO_MISUSE(decc_pd_get_i128(r, "i", &iv, NULL));
  char dec[41];
  ASSERT_STR_EQ(decc_i128_to_dec(dec, &iv), "-3");

  char *sv = (char *)"untouched";
  size_t sl = 42;
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_string, NULL, "s", &sv, &sl, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_string, r, NULL, &sv, &sl, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_string, r, "s", NULL, &sl, NULL);
  ASSERT_STR_EQ(sv, "untouched");
  ASSERT_EQ(sl, 42);
  /* len is optional */
  EXPECT_OK_NO_MISUSE(decc_pd_get_string(r, "s", &sv, NULL, NULL));
  ASSERT_STR_EQ(sv, "hey");
  decc_free(sv);

  uint8_t *bytes = (uint8_t *)"untouched";
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_bytes, NULL, "d", &bytes, &sl,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_bytes, r, NULL, &bytes, &sl, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_pd_get_bytes, r, "d", NULL, &sl, NULL);
  ASSERT_STR_EQ((const char *)bytes, "untouched");
  EXPECT_OK_NO_MISUSE(decc_pd_get_bytes(r, "d", &bytes, &sl, NULL));
  ASSERT_EQ(sl, 2);
  ASSERT_MEM_EQ(bytes, "\x01\x02", 2);
  decc_free(bytes);
  EXPECT_OK_NO_MISUSE(decc_pd_get_bytes(r, "d", &bytes, NULL, NULL));
  decc_free(bytes);

  EXPECT_NO_MISUSE(decc_pd_reader_close(r));
  EXPECT_NO_MISUSE(decc_pd_reader_close(NULL));
  decc_buf_clear(&b);
}

TEST(misuse_js_number) {
  MISUSE_BEGIN();
  char out[32];
  EXPECT_MISUSE_NULL(decc_js_number_to_string, NULL, 0.1);
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_js_number_to_string(out, 0.1), "0.1"));
  int before = g_misuse.calls;
  ASSERT(isnan(decc_js_string_to_number(NULL, 3)));
  ASSERT_EQ(g_misuse.calls, before + 1);
  ASSERT_STR_EQ(g_misuse.func, "decc_js_string_to_number");
  /* no text with length 0 is "": 0 */
  EXPECT_NO_MISUSE(ASSERT(decc_js_string_to_number(NULL, 0) == 0.0));
  EXPECT_NO_MISUSE(ASSERT(decc_js_string_to_number(" 0x10 ", 6) == 16.0));
}
