/*
 * test_protect_api.c — the protect C API beyond the SDK vectors: tree
 * building and JavaScript property order, JSON input rules ($file
 * confinement, $base64, $i128, duplicates), JavaScript number text both
 * ways, atomic serialization to a file, and OOM-free error paths.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/mem.h"
#include "decc/protect.h"
#include "test.h"

TEST(js_property_order) {
  decc_pd *root;
  ASSERT_OK(decc_pd_create(&root));
  const char *keys[] = {"b",   "10",         "2",          "a",
                        "007", "4294967295", "4294967294", "0"};
  for (int i = 0; i < 8; i++)
    ASSERT_OK(decc_pd_add_bool(root, keys[i], 1, NULL));
  const char *want[] = {"0", "2", "10",  "4294967294",
                        "b", "a", "007", "4294967295"};
  ASSERT_EQ(decc_pd_count(root), 8);
  for (size_t i = 0; i < 8; i++) {
    const char *k;
    ASSERT(decc_pd_entry(root, i, &k, NULL));
    ASSERT_STR_EQ(k, want[i]);
  }
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_pd_add_number(root, "a", 1, &err), DECC_E_EXISTS);
  ASSERT_EQ(decc_pd_add_string(root, "bad", "\xff", 1, NULL), DECC_E_INVALID);
  ASSERT_EQ(decc_pd_add_i128(root, "i", "12a", NULL), DECC_E_PARSE);
  ASSERT_OK(decc_pd_add_i128(root, "i", "-000", NULL));
  ASSERT_STR_EQ(decc_pd_i128_text(decc_pd_lookup(root, "i")), "0");
  ASSERT_OK(decc_pd_add_i128(root, "j", "-0042", NULL));
  ASSERT_STR_EQ(decc_pd_i128_text(decc_pd_lookup(root, "j")), "-42");
  decc_pd_destroy(root);
}

TEST(json_input_rules) {
  const char *dir = decc_test_tmpdir();
  char p[600];
  snprintf(p, sizeof p, "%s/in", dir);
  ASSERT_OK(mkdir(p, 0755));
  snprintf(p, sizeof p, "%s/in/v.bin", dir);
  FILE *f = fopen(p, "wb");
  ASSERT(f);
  fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
  fclose(f);
  snprintf(p, sizeof p, "%s/secret", dir);
  f = fopen(p, "wb");
  ASSERT(f);
  fputs("x", f);
  fclose(f);
  char in[600], lnk[700];
  snprintf(in, sizeof in, "%s/in", dir);
  snprintf(lnk, sizeof lnk, "%s/in/lnk", dir);
  ASSERT_OK(symlink(p, lnk));
  decc_pd_json_opts o = {.base_dir = in};
  decc_pd *root;
  decc_err err;
  decc_err_clear(&err);
  const char *ok = "{\"f\":{\"$file\":\"v.bin\"},\"b\":{\"$base64\":\"AAE=\"},"
                   "\"n\":{\"$i128\":\"5\"},\"x\":-0,\"y\":1e3}";
  ASSERT_OK(decc_pd_parse_json(&root, ok, strlen(ok), &o, &err));
  size_t len;
  const uint8_t *v = decc_pd_bytes_value(decc_pd_lookup(root, "f"), &len);
  ASSERT(v && len == 8);
  char *schema;
  ASSERT_OK(decc_pd_schema_json(root, DECC_PD_V2, &schema, NULL, &err));
  ASSERT_STR_EQ(schema, "{\"f\":\"image/png\",\"b\":\"application/octet-"
                        "stream\",\"n\":\"i128\",\"x\":\"f64\",\"y\":\"f64\"}");
  decc_free(schema);
  double x = decc_pd_number_value(decc_pd_lookup(root, "x"));
  ASSERT(x == 0 && signbit(x));
  decc_pd_destroy(root);

  static const struct {
    const char *json;
    decc_status st;
  } bad[] = {
      {"{\"f\":{\"$file\":\"../secret\"}}", DECC_E_DENIED},
      {"{\"f\":{\"$file\":\"a/../../secret\"}}", DECC_E_DENIED},
      {"{\"f\":{\"$file\":\"/etc/passwd\"}}", DECC_E_DENIED},
      {"{\"f\":{\"$file\":\"lnk\"}}", DECC_E_DENIED},
      {"{\"f\":{\"$file\":\"missing\"}}", DECC_E_IO},
      {"{\"f\":{\"$base64\":\"@@\"}}", DECC_E_PARSE},
      {"{\"f\":{\"$i128\":\"1.5\"}}", DECC_E_PARSE},
      {"{\"f\":{\"$i128\":7}}", DECC_E_PARSE},
      {"{\"a\":1,\"a\":2}", DECC_E_PARSE},
      {"[1]", DECC_E_INVALID},
      {"null", DECC_E_INVALID},
      {"\"s\"", DECC_E_PARSE},
      {"{\"a\":", DECC_E_PARSE},
      {"{\"a\":1e400}", DECC_E_PARSE},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    decc_err_clear(&err);
    decc_status st =
        decc_pd_parse_json(&root, bad[i].json, strlen(bad[i].json), &o, &err);
    if (st != bad[i].st) {
      decc_test_fail(__FILE__, __LINE__, "%s: %d (%s)", bad[i].json, st,
                     err.msg);
      return;
    }
    ASSERT(root == NULL);
  }
  /* without base_dir, $file is refused */
  const char *fj = "{\"f\":{\"$file\":\"v.bin\"}}";
  ASSERT_EQ(decc_pd_parse_json(&root, fj, strlen(fj), NULL, NULL),
            DECC_E_DENIED);
  /* limits */
  decc_pd_json_opts small = {.base_dir = in, .max_file_size = 4};
  ASSERT_EQ(decc_pd_parse_json(&root, fj, strlen(fj), &small, NULL),
            DECC_E_LIMIT);
  decc_pd_json_opts shallow = {.max_depth = 2};
  const char *deep = "{\"a\":{\"b\":{\"c\":1}}}";
  ASSERT_EQ(decc_pd_parse_json(&root, deep, strlen(deep), &shallow, NULL),
            DECC_E_LIMIT);
}

TEST(js_number_text) {
  static const struct {
    double d;
    const char *s;
  } t[] = {{0.1, "0.1"},
           {-2.5, "-2.5"},
           {1e21, "1e+21"},
           {1e20, "100000000000000000000"},
           {1e-7, "1e-7"},
           {1.5e-6, "0.0000015"},
           {5e-324, "5e-324"},
           {1.7976931348623157e308, "1.7976931348623157e+308"},
           {123456789.125, "123456789.125"},
           {1.0 / 3, "0.3333333333333333"},
           {-0.0, "0"},
           {9007199254740993.0, "9007199254740992"}};
  char buf[32];
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    ASSERT_STR_EQ(decc_js_number_to_string(buf, t[i].d), t[i].s);
  ASSERT_STR_EQ(decc_js_number_to_string(buf, NAN), "NaN");
  ASSERT_STR_EQ(decc_js_number_to_string(buf, -INFINITY), "-Infinity");
  ASSERT(decc_js_string_to_number(" 0x1F ", 6) == 31);
  ASSERT(decc_js_string_to_number("0b101", 5) == 5);
  ASSERT(decc_js_string_to_number("", 0) == 0);
  ASSERT(decc_js_string_to_number("1e3", 3) == 1000);
  ASSERT(isnan(decc_js_string_to_number("1_0", 3)));
  ASSERT(isnan(decc_js_string_to_number("inf", 3)));
  ASSERT(decc_js_string_to_number("-Infinity", 9) == -INFINITY);
  /* 2^64 + 1 in hex rounds once, to 2^64 */
  ASSERT(decc_js_string_to_number("0x10000000000000001", 19) ==
         18446744073709551616.0);
}

TEST(serialize_file_is_atomic) {
  const char *dir = decc_test_tmpdir();
  char out[600];
  snprintf(out, sizeof out, "%s/pd.zip", dir);
  decc_pd *root;
  ASSERT_OK(decc_pd_create(&root));
  ASSERT_OK(decc_pd_add_string(root, "s", "v", 1, NULL));
  ASSERT_OK(decc_pd_serialize_file(root, DECC_PD_V2, out, NULL));
  struct stat sb;
  ASSERT_OK(stat(out, &sb));
  off_t good = sb.st_size;
  ASSERT_OK(decc_pd_add_number(root, "bad key", 1, NULL));
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_pd_serialize_file(root, DECC_PD_V2, out, &err),
            DECC_E_INVALID);
  ASSERT_OK(stat(out, &sb));
  ASSERT_EQ(sb.st_size, good);
  char missing[700];
  snprintf(missing, sizeof missing, "%s/nodir/pd.zip", dir);
  decc_pd *ok;
  ASSERT_OK(decc_pd_create(&ok));
  ASSERT_EQ(decc_pd_serialize_file(ok, DECC_PD_V2, missing, NULL), DECC_E_IO);
  decc_pd_destroy(ok);
  decc_pd_destroy(root);
}

TEST(validation_sdk_edges) {
  decc_pd *root;
  ASSERT_OK(decc_pd_create(&root));
  ASSERT_OK(decc_pd_add_number(root, "inf", INFINITY, NULL));
  decc_pd_problem pb;
  ASSERT_EQ(decc_pd_validate(root, DECC_PD_V2, &pb, NULL), DECC_E_INVALID);
  ASSERT_STR_EQ(pb.message, "Unsupported number value: infinity");
  ASSERT_EQ(pb.stage, 2);
  ASSERT_EQ(decc_pd_validate(root, DECC_PD_LEGACY, &pb, NULL), DECC_E_INVALID);
  ASSERT_STR_EQ(pb.message, "Unsupported non safe integer number");
  decc_pd_destroy(root);
  /* 2^127 passes the SDK's check and is written modulo 2^128 */
  ASSERT_OK(decc_pd_create(&root));
  ASSERT_OK(decc_pd_add_i128(root, "w",
                             "170141183460469231731687303715884105728", NULL));
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_pd_serialize(root, DECC_PD_V2, &b, NULL));
  decc_pd_reader *r;
  ASSERT_OK(decc_pd_reader_open_mem(&r, b.data, b.len, DECC_PD_MODE_BORSH, NULL,
                                    NULL));
  decc_i128 v;
  char dec[41];
  ASSERT_OK(decc_pd_get_i128(r, "w", &v, NULL));
  ASSERT_STR_EQ(decc_i128_to_dec(dec, &v),
                "-170141183460469231731687303715884105728");
  decc_pd_reader_close(r);
  decc_buf_clear(&b);
  decc_pd_destroy(root);
  /* long key paths are cut, not overflowed */
  ASSERT_OK(decc_pd_create(&root));
  decc_pd *cur = root;
  for (int i = 0; i < 40; i++)
    ASSERT_OK(decc_pd_add_object(cur, "abcdefghij", &cur, NULL));
  ASSERT_OK(decc_pd_add_bool(cur, "bad!", 1, NULL));
  ASSERT_EQ(decc_pd_validate(root, DECC_PD_V2, &pb, NULL), DECC_E_INVALID);
  ASSERT_EQ(strlen(pb.path), sizeof pb.path - 1);
  ASSERT(!strcmp(pb.path + sizeof pb.path - 4, "..."));
  decc_pd_destroy(root);
}
