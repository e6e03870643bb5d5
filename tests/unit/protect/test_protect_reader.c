/*
 * test_protect_reader.c — decc's reader against the SDK deserializer
 * (@iexec/dataprotector-deserializer 0.1.1): for every zip in
 * tests/vectors/protect/deserializer.json (SDK-made zips of both formats
 * and a zip of tricky byte strings) and deserializer_decc.json (decc-made
 * zips the deserializer read), each (mode, path, type) read must give the
 * same value or the same error text.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/protect.h"
#include "test.h"

static int check_file(const char *rel, size_t *nreads) {
  json_error_t je;
  json_t *v = json_load_file(decc_test_vector_path(rel), 0, &je);
  if (!v) {
    decc_test_fail(__FILE__, __LINE__, "%s: %s", rel, je.text);
    return 0;
  }
  size_t i;
  json_t *zj;
  json_array_foreach(json_object_get(v, "zips"), i, zj) {
    const char *b64 = json_string_value(json_object_get(zj, "zip_b64"));
    size_t cap = strlen(b64), zl;
    uint8_t *zip = malloc(cap + 4);
    if (decc_base64_decode(zip, cap + 4, &zl, b64, cap) != DECC_OK) {
      decc_test_fail(__FILE__, __LINE__, "bad base64");
      return 0;
    }
    decc_pd_reader *r[3];
    decc_err err;
    for (int m = 0; m < 3; m++) {
      decc_err_clear(&err);
      if (decc_pd_reader_open_mem(&r[m], zip, zl, (decc_pd_mode)m, NULL,
                                  &err) != DECC_OK) {
        decc_test_fail(__FILE__, __LINE__, "open: %s", err.msg);
        return 0;
      }
    }
    size_t k;
    json_t *rd;
    json_array_foreach(json_object_get(zj, "reads"), k, rd) {
      const char *mode = json_string_value(json_object_get(rd, "mode"));
      const char *path = json_string_value(json_object_get(rd, "path"));
      const char *type = json_string_value(json_object_get(rd, "type"));
      decc_pd_mode md;
      if (decc_pd_mode_parse(&md, mode) != DECC_OK)
        return 0;
      decc_pd_value val;
      decc_err_clear(&err);
      decc_status st = decc_pd_get(r[md], path, type, &val, &err);
      const char *case_name = json_string_value(json_object_get(zj, "case"));
      json_t *werr = json_object_get(rd, "error");
      char got[DECC_ERR_LEN + 64] = "";
      if (st != DECC_OK) {
        snprintf(got, sizeof got, "error:%s", err.msg);
      } else {
        char num[41];
        switch (val.type) {
        case DECC_PD_V_BOOL:
          snprintf(got, sizeof got, "bool:%s", val.boolean ? "true" : "false");
          break;
        case DECC_PD_V_NUMBER:
          /* The vectors write -0 as "-0" (String() would drop the sign). */
          snprintf(got, sizeof got, "number:%s%s",
                   val.number == 0 && signbit(val.number) ? "-" : "",
                   decc_js_number_to_string(num, val.number));
          break;
        case DECC_PD_V_I128:
          snprintf(got, sizeof got, "i128:%s",
                   decc_i128_to_dec(num, &val.i128));
          break;
        case DECC_PD_V_STRING:
        case DECC_PD_V_BYTES: {
          char *hex = malloc(val.len * 2 + 1);
          decc_hex_encode(hex, val.data, val.len, 0);
          snprintf(got, sizeof got, "%s:%.500s",
                   val.type == DECC_PD_V_STRING ? "string" : "bytes", hex);
          free(hex);
          break;
        }
        }
        decc_pd_value_clear(&val);
      }
      char want[600];
      if (werr) {
        snprintf(want, sizeof want, "error:%s", json_string_value(werr));
      } else {
        static const char *const kinds[] = {"bool", "number", "i128", "string",
                                            "bytes"};
        for (int q = 0; q < 5; q++) {
          json_t *x = json_object_get(rd, kinds[q]);
          if (!x)
            continue;
          if (json_is_boolean(x))
            snprintf(want, sizeof want, "bool:%s",
                     json_is_true(x) ? "true" : "false");
          else
            snprintf(want, sizeof want, "%s:%.500s", kinds[q],
                     json_string_value(x));
        }
      }
      if (strcmp(got, want)) {
        decc_test_fail(__FILE__, __LINE__, "%s %s %s %s: got %s want %s",
                       case_name, mode, path, type, got, want);
        return 0;
      }
      (*nreads)++;
    }
    for (int m = 0; m < 3; m++)
      decc_pd_reader_close(r[m]);
    free(zip);
  }
  json_decref(v);
  return 1;
}

TEST(reader_matches_the_deserializer) {
  size_t n = 0;
  ASSERT(check_file("protect/deserializer.json", &n));
  ASSERT(n > 1000);
}

TEST(deserializer_reads_decc_zips) {
  size_t n = 0;
  ASSERT(check_file("protect/deserializer_decc.json", &n));
  ASSERT(n > 50);
}

TEST(typed_shortcuts) {
  decc_pd *root;
  ASSERT_OK(decc_pd_create(&root));
  decc_pd *sub;
  ASSERT_OK(decc_pd_add_object(root, "a", &sub, NULL));
  ASSERT_OK(decc_pd_add_bool(sub, "t", 1, NULL));
  ASSERT_OK(decc_pd_add_number(root, "x", -2.5, NULL));
  ASSERT_OK(decc_pd_add_i128(root, "big",
                             "-170141183460469231731687303715884105728", NULL));
  ASSERT_OK(decc_pd_add_string(root, "s", "h\xc3\xa9", 3, NULL));
  ASSERT_OK(decc_pd_add_binary(root, "b", "\x00\x01", 2, NULL));
  decc_buf zip;
  decc_buf_init(&zip, 0);
  ASSERT_OK(decc_pd_serialize(root, DECC_PD_V2, &zip, NULL));
  decc_pd_reader *r;
  ASSERT_OK(decc_pd_reader_open_mem(&r, zip.data, zip.len, DECC_PD_MODE_BORSH,
                                    NULL, NULL));
  int b = 0;
  ASSERT_OK(decc_pd_get_bool(r, "a.t", &b, NULL));
  ASSERT_EQ(b, 1);
  double d = 0;
  ASSERT_OK(decc_pd_get_f64(r, "x", &d, NULL));
  ASSERT(d == -2.5);
  decc_i128 big;
  char dec[41];
  ASSERT_OK(decc_pd_get_i128(r, "big", &big, NULL));
  ASSERT_STR_EQ(decc_i128_to_dec(dec, &big),
                "-170141183460469231731687303715884105728");
  char *s;
  size_t sl;
  ASSERT_OK(decc_pd_get_string(r, "s", &s, &sl, NULL));
  ASSERT_EQ(sl, 3);
  ASSERT_STR_EQ(s, "h\xc3\xa9");
  decc_free(s);
  uint8_t *raw;
  size_t rl;
  ASSERT_OK(decc_pd_get_bytes(r, "b", &raw, &rl, NULL));
  ASSERT_EQ(rl, 2);
  ASSERT(raw[0] == 0 && raw[1] == 1);
  decc_free(raw);
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_pd_get_bytes(r, "a", &raw, &rl, &err), DECC_E_NOT_FOUND);
  ASSERT_STR_EQ(err.msg, "Failed to load path a");
  decc_pd_reader_close(r);
  decc_buf_clear(&zip);
  decc_pd_destroy(root);
}
