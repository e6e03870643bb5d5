/*
 * test_session.c — the session format module (decc/session.h): a full
 * session (dataset, bulk slice with a refused dataset, input files,
 * requester and app secrets, grant purpose, encryption, storage) written
 * and read back field by field; the names the app gets checked against
 * the protocol reference (docs/iexec-protocol.md §4.3, §4.5, read at run
 * time, and docs/receipts.md for decc's one addition); the just-in-time
 * callbacks; the reader's refusals; and the deal params rules (§1.7).
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/session.h"
#include "test.h"

#define TH "0x1111111111111111111111111111111111111111111111111111111111111111"
#define DH "0x2222222222222222222222222222222222222222222222222222222222222222"
#define DS "0x00000000000000000000000000000000000da7a0"
#define SK "0x3333333333333333333333333333333333333333333333333333333333333333"

static const char *const inputs[] = {"https://example.org/a.txt",
                                     "https://example.org/b \"q\".bin"};

/* A session with every part present. bulk and secrets are caller arrays. */
static void full(decc_session *s, decc_session_dataset bulk[3],
                 decc_session_secret sec[2]) {
  memset(s, 0, sizeof *s);
  s->name = "abcdefghij0000" TH;
  s->task_id = TH;
  s->deal_id = DH;
  s->task_index = "2";
  s->bot_size = "3";
  s->bot_first = "0";
  s->worker = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A";
  s->enclave_key = SK;
  s->has_dataset = 1;
  s->dataset =
      (decc_session_dataset){"/ipfs/QmDataset", "0xabc", "a2V5", 4, DS, NULL};
  s->bulk = 1;
  bulk[0] = (decc_session_dataset){"/ipfs/Qm1",
                                   "0x01",
                                   "azE=",
                                   4,
                                   "0x00000000000000000000000000000000000000b1",
                                   NULL};
  bulk[1] = (decc_session_dataset){"/ipfs/Qm2",
                                   "0x02",
                                   "azI=",
                                   4,
                                   "0x00000000000000000000000000000000000000b2",
                                   "no key for it in this SMS"};
  bulk[2] = (decc_session_dataset){"https://h/3",
                                   "0x03",
                                   "azM=",
                                   4,
                                   "0x00000000000000000000000000000000000000b3",
                                   NULL};
  s->bulk_datasets = bulk;
  s->n_bulk = 3;
  s->input_files = (const char **)inputs;
  s->n_input_files = 2;
  s->app_image = "/ipfs/QmApp";
  s->app_fingerprint = "0x"
                       "44444444444444444444444444444444"
                       "44444444444444444444444444444444";
  s->args = "a \"b c\"\n\\d";
  s->dataset_address = DS;
  s->purpose = "research";
  sec[0] = (decc_session_secret){"1", "one", 3};
  sec[1] = (decc_session_secret){"2", "", 0};
  s->secrets = sec;
  s->n_secrets = 2;
  s->app_secret = "dev";
  s->app_secret_len = 3;
  s->encrypt = 1;
  s->encryption_key = "UEVN";
  s->encryption_key_len = 4;
  s->provider = "ipfs";
  s->proxy = "https://proxy";
  s->proxy_len = 13;
  s->token = "jwt";
  s->token_len = 3;
}

/* NULL compares as "" (a field the reader left unset). A function, not
   (b) ? (b) : "": a literal b would be tested for truth. */
static const char *or_empty(const char *s) { return s ? s : ""; }
#define STR_EQ(a, b) ASSERT_STR_EQ(or_empty(a), or_empty(b))

static void same_dataset(const decc_session_dataset *a,
                         const decc_session_dataset *b) {
  int ok = a->refused == NULL;
  STR_EQ(b->url, ok ? a->url : "");
  STR_EQ(b->checksum, ok ? a->checksum : "");
  STR_EQ(b->key, ok ? a->key : "");
  ASSERT_EQ(b->key_len, ok ? a->key_len : 0);
  STR_EQ(b->filename, a->filename);
  ASSERT_EQ(b->refused == NULL, a->refused == NULL);
  if (a->refused)
    STR_EQ(b->refused, a->refused);
}

TEST(full_session_round_trips) {
  decc_session s, r;
  decc_session_dataset bulk[3];
  decc_session_secret sec[2];
  full(&s, bulk, sec);
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_session_write(&b, &s, NULL));
  ASSERT_OK(decc_session_parse(&r, (const char *)b.data, b.len, NULL));
  STR_EQ(r.name, s.name);
  STR_EQ(r.task_id, s.task_id);
  STR_EQ(r.deal_id, s.deal_id);
  STR_EQ(r.task_index, s.task_index);
  STR_EQ(r.bot_size, s.bot_size);
  STR_EQ(r.bot_first, s.bot_first);
  STR_EQ(r.worker, s.worker);
  STR_EQ(r.enclave_key, s.enclave_key);
  ASSERT_EQ(r.has_pre, 1);
  ASSERT_EQ(r.has_dataset, 1);
  same_dataset(&s.dataset, &r.dataset);
  ASSERT_EQ(r.bulk, 1);
  STR_EQ(r.bulk_size, "3");
  ASSERT_EQ(r.n_bulk, 3);
  for (size_t i = 0; i < 3; i++)
    same_dataset(&bulk[i], &r.bulk_datasets[i]);
  ASSERT_EQ(r.n_input_files, 2);
  STR_EQ(r.input_files[0], inputs[0]);
  STR_EQ(r.input_files[1], inputs[1]);
  STR_EQ(r.input_files_number, "2");
  STR_EQ(r.app_image, s.app_image);
  STR_EQ(r.app_fingerprint, s.app_fingerprint);
  STR_EQ(r.args, s.args);
  STR_EQ(r.dataset_address, DS);
  STR_EQ(r.purpose, "research");
  ASSERT_EQ(r.n_secrets, 2);
  for (size_t i = 0; i < 2; i++) {
    STR_EQ(r.secrets[i].index, sec[i].index);
    STR_EQ(r.secrets[i].value, sec[i].value);
    ASSERT_EQ(r.secrets[i].len, sec[i].len);
  }
  STR_EQ(r.app_secret, "dev");
  ASSERT_EQ(r.app_secret_len, 3);
  ASSERT_EQ(r.encrypt, 1);
  STR_EQ(r.encryption_key, "UEVN");
  ASSERT_EQ(r.callback, 0);
  STR_EQ(r.provider, "ipfs");
  STR_EQ(r.proxy, "https://proxy");
  STR_EQ(r.token, "jwt");
  ASSERT_EQ(r.token_len, 3);
  /* the input file names the app gets: "0x" + sha256hex(url) (§4.5) */
  int found = 0;
  for (size_t i = 0; i < r.n_app_env; i++)
    if (!strcmp(r.app_env[i].name, DECC_ENV_INPUT_FILE_NAME_ "2")) {
      uint8_t h[32];
      char hex[67];
      decc_sha256(h, inputs[1], strlen(inputs[1]));
      STR_EQ(r.app_env[i].value, decc_hex_encode(hex, h, 32, 1));
      found = 1;
    }
  ASSERT(found);
  /* writing what was read gives the same bytes */
  decc_buf b2;
  decc_buf_init(&b2, 0);
  ASSERT_OK(decc_session_write(&b2, &r, NULL));
  ASSERT_EQ(b2.len, b.len);
  ASSERT_MEM_EQ(b2.data, b.data, b.len);
  /* and jansson reads the document as JSON with the escapes undone */
  json_error_t je;
  json_t *doc = json_loadb((const char *)b.data, b.len, 0, &je);
  ASSERT(doc != NULL);
  json_t *app = json_array_get(json_object_get(doc, "services"), 1);
  STR_EQ(json_string_value(json_object_get(app, "args")), s.args);
  json_decref(doc);
  decc_buf_clear(&b2);
  decc_buf_clear(&b);
  decc_session_clear(&r);
}

/* The text of a section of docs/iexec-protocol.md: from the line starting
 * with `from` to the next line starting with `to`. */
static char *doc_part(const char *doc, const char *from, const char *to) {
  const char *a = strstr(doc, from);
  if (!a)
    return NULL;
  const char *z = strstr(a + strlen(from), to);
  size_t n = z ? (size_t)(z - a) : strlen(a);
  char *p = malloc(n + 1);
  memcpy(p, a, n);
  p[n] = 0;
  return p;
}

/* A name as the protocol reference writes it: indexes become "i" for
 * input files and "<i>" / "<index>" for bulk datasets and secrets. */
static void spec_form(char *out, size_t cap, const char *name) {
  const char *stems[] = {DECC_ENV_INPUT_FILE_NAME_, DECC_ENV_REQUESTER_SECRET_,
                         DECC_ENV_BULK_DATASET_};
  const char *forms[] = {"i", "<index>", "<i>"};
  for (int k = 0; k < 3; k++) {
    size_t l = strlen(stems[k]);
    if (!strncmp(name, stems[k], l) && isdigit((unsigned char)name[l])) {
      const char *rest = name + l;
      while (isdigit((unsigned char)*rest))
        rest++;
      snprintf(out, cap, "%s%s%s", stems[k], forms[k], rest);
      return;
    }
  }
  snprintf(out, cap, "%s", name);
}

TEST(app_environment_names_are_the_protocols) {
  decc_session s, r;
  decc_session_dataset bulk[3];
  decc_session_secret sec[2];
  full(&s, bulk, sec);
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_session_write(&b, &s, NULL));
  ASSERT_OK(decc_session_parse(&r, (const char *)b.data, b.len, NULL));
  size_t n = 0;
  char *doc = decc_test_read_file(
      decc_test_vector_path("../../docs/iexec-protocol.md"), &n);
  char *receipts =
      decc_test_read_file(decc_test_vector_path("../../docs/receipts.md"), &n);
  ASSERT(doc && receipts);
  char *app = doc_part(doc, "App (`\"app\"`)", "Post-compute (");
  char *secrets = doc_part(doc, "### 4.3 Secret types", "### 4.4");
  ASSERT(app && secrets);
  /* every variable the app gets is named by §4.5's app list, §4.3's
   * secrets, or (decc) docs/receipts.md */
  ASSERT(r.n_app_env >= 20);
  for (size_t i = 0; i < r.n_app_env; i++) {
    char form[96], tick[100];
    spec_form(form, sizeof form, r.app_env[i].name);
    snprintf(tick, sizeof tick, "`%s", form);
    int named =
        strstr(app, tick) || strstr(secrets, tick) ||
        (!strcmp(form, DECC_ENV_GRANT_PURPOSE) && strstr(receipts, form));
    if (!named)
      decc_test_fail(__FILE__, __LINE__, "%s is not in the protocol reference",
                     r.app_env[i].name);
  }
  /* and every name of §4.5's app list is given (values with '=' are
   * fixed: check those too) */
  for (const char *p = strchr(app, '`'); p; p = strchr(p + 1, '`')) {
    const char *e = strchr(p + 1, '`');
    if (!e)
      break;
    char tok[96];
    size_t l = (size_t)(e - p - 1);
    if (l < sizeof tok && !strncmp(p + 1, "IEXEC_", 6)) {
      memcpy(tok, p + 1, l);
      tok[l] = 0;
      tok[strcspn(tok, " ")] = 0; /* "NAME_i = rule": the name */
      char *eq = strchr(tok, '=');
      if (eq)
        *eq = 0;
      int given = 0;
      for (size_t i = 0; i < r.n_app_env && !given; i++) {
        char form[96];
        spec_form(form, sizeof form, r.app_env[i].name);
        given =
            !strcmp(form, tok) && (!eq || !strcmp(r.app_env[i].value, eq + 1));
      }
      if (!given)
        decc_test_fail(__FILE__, __LINE__,
                       "%s (§4.5) is not in the app environment as written",
                       tok);
    }
    p = e;
  }
  free(app);
  free(secrets);
  decc_buf_clear(&b);
  decc_session_clear(&r);
}

/* Just-in-time values: each filled before it is written, done after. */
typedef struct jit {
  int filled_b[3], filled_s[2], done_b[3], done_s[2];
  int fail_at;
} jit;

static decc_status jit_bulk(void *ctx, size_t i, decc_session_dataset *d) {
  jit *j = ctx;
  j->filled_b[i]++;
  if (j->done_b[i])
    return DECC_E_INTERNAL;
  d->key = "TATE";
  d->key_len = 4;
  return (int)i == j->fail_at ? DECC_E_IO : DECC_OK;
}

static decc_status jit_secret(void *ctx, size_t i, decc_session_secret *s) {
  jit *j = ctx;
  j->filled_s[i]++;
  s->value = "late";
  s->len = 4;
  return DECC_OK;
}

static void jit_done(void *ctx, char kind, size_t i) {
  jit *j = ctx;
  if (kind == 'b')
    j->done_b[i]++;
  else
    j->done_s[i]++;
}

TEST(values_filled_just_in_time) {
  decc_session s, r;
  decc_session_dataset bulk[3];
  decc_session_secret sec[2];
  full(&s, bulk, sec);
  jit j;
  memset(&j, 0, sizeof j);
  j.fail_at = -1;
  decc_session_source src = {&j, jit_bulk, jit_secret, jit_done};
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_session_write(&b, &s, &src));
  for (int i = 0; i < 3; i++)
    ASSERT(j.filled_b[i] == 1 && j.done_b[i] == 1);
  for (int i = 0; i < 2; i++)
    ASSERT(j.filled_s[i] == 1 && j.done_s[i] == 1);
  ASSERT_OK(decc_session_parse(&r, (const char *)b.data, b.len, NULL));
  STR_EQ(r.bulk_datasets[0].key, "TATE");
  STR_EQ(r.bulk_datasets[1].key, ""); /* refused: no key written */
  STR_EQ(r.secrets[1].value, "late");
  decc_session_clear(&r);
  /* a callback's error stops the writer with that error */
  memset(&j, 0, sizeof j);
  j.fail_at = 1;
  decc_buf_reset(&b);
  ASSERT_EQ(decc_session_write(&b, &s, &src), DECC_E_IO);
  ASSERT_EQ(j.done_b[1], 0);
  decc_buf_clear(&b);
  /* the writer's limit is the buffer's */
  decc_buf small;
  decc_buf_init(&small, 64);
  ASSERT_EQ(decc_session_write(&small, &s, NULL), DECC_E_LIMIT);
  decc_buf_clear(&small);
}

TEST(minimal_session_has_no_pre_compute) {
  decc_session s, r;
  memset(&s, 0, sizeof s);
  s.name = TH;
  s.task_id = TH;
  s.worker = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A";
  s.dataset_address = DECC_SESSION_ZERO_ADDRESS;
  s.callback = 1;
  s.provider = "";
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_session_write(&b, &s, NULL));
  ASSERT(strstr((const char *)b.data, DECC_SESSION_PRE) == NULL);
  ASSERT_OK(decc_session_parse(&r, (const char *)b.data, b.len, NULL));
  ASSERT_EQ(r.has_pre, 0);
  ASSERT_EQ(r.callback, 1);
  STR_EQ(r.enclave_key, "");
  STR_EQ(r.input_files_number, NULL);
  decc_session_clear(&r);
  decc_buf_clear(&b);
  /* arrays announced but missing */
  s.n_secrets = 1;
  ASSERT_EQ(decc_session_write(&b, &s, NULL), DECC_E_INVALID);
}

TEST(reader_refuses_malformed_documents) {
  static const char *const bad[] = {
      "",
      "[]",
      "{\"services\":[{\"name\":\"app\",\"environment\":{}}]}",
      "{\"services\":[{\"name\":\"app\",\"environment\":{}},"
      "{\"name\":\"post-compute\",\"environment\":[]}]}",
      "{\"services\":[{\"name\":\"app\",\"environment\":{\"A\":1}},"
      "{\"name\":\"post-compute\",\"environment\":{}}]}",
      "{\"services\":[{\"name\":\"pre-compute\"},{\"name\":\"app\","
      "\"environment\":{}},{\"name\":\"post-compute\",\"environment\":{}}]}",
      "{\"services\":[{\"name\":\"app\",\"environment\":{\"A\":\"1\",\"A\":"
      "\"2\"}},{\"name\":\"post-compute\",\"environment\":{}}]}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    decc_session r;
    decc_err err;
    ASSERT_EQ(decc_session_parse(&r, bad[i], strlen(bad[i]), &err),
              DECC_E_PARSE);
    ASSERT(r.doc_ == NULL && r.app_env == NULL);
  }
  /* a bulk size that is not a count in range keeps its text, no items */
  const char *doc =
      "{\"services\":[{\"name\":\"pre-compute\",\"environment\":{"
      "\"IEXEC_BULK_SLICE_SIZE\":\"101\"}},{\"name\":\"app\",\"environment\":"
      "{\"X\":\"y\"}},{\"name\":\"post-compute\",\"environment\":{}}]}";
  decc_session r;
  ASSERT_OK(decc_session_parse(&r, doc, strlen(doc), NULL));
  ASSERT_EQ(r.bulk, 0);
  STR_EQ(r.bulk_size, "101");
  ASSERT_EQ(r.n_app_env, 1); /* unknown variables reach the app as given */
  STR_EQ(r.app_env[0].name, "X");
  decc_session_clear(&r);
}

TEST(deal_params_rules) {
  decc_deal_params p;
  decc_err err;
  /* not a JSON object: all args (§1.7) */
  const char *plain = "--flag \"x y\"";
  ASSERT_OK(decc_deal_params_parse(&p, plain, strlen(plain), 0, 0, NULL));
  STR_EQ(p.args, plain);
  STR_EQ(p.provider, DECC_PARAM_PROVIDER_DEFAULT);
  ASSERT(p.bulk_cid == NULL && !p.encrypt);
  decc_deal_params_clear(&p);
  const char *full_p =
      "{\"iexec_secrets\":{\"1\":\"a\",\"12\":\"b\"},"
      "\"iexec_result_storage_provider\":\"dropbox\","
      "\"iexec_result_encryption\":\"TRUE\",\"iexec_input_files\":"
      "[\"https://x/y\"],\"iexec_args\":\"a b\","
      "\"iexec_result_storage_proxy\":\"https://p\",\"bulk_cid\":\"Qm\"}";
  ASSERT_OK(decc_deal_params_parse(&p, full_p, strlen(full_p), 4096, 4, &err));
  STR_EQ(p.args, "a b");
  ASSERT_EQ(p.n_input_files, 1);
  STR_EQ(p.input_files[0], "https://x/y");
  ASSERT_EQ(p.n_secrets, 2);
  STR_EQ(p.secrets[1].index, "12");
  STR_EQ(p.secrets[1].name, "b");
  ASSERT_EQ(p.encrypt, 1);
  STR_EQ(p.provider, "dropbox");
  STR_EQ(p.proxy, "https://p");
  STR_EQ(p.bulk_cid, "Qm");
  decc_deal_params_clear(&p);
  ASSERT_EQ(decc_deal_params_parse(&p, full_p, strlen(full_p), 16, 0, &err),
            DECC_E_LIMIT);
  static const char *const bad[] = {
      "{\"iexec_input_files\":\"https://x\"}",
      "{\"iexec_input_files\":[1]}",
      "{\"iexec_input_files\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}",
      "{\"iexec_secrets\":{\"0\":\"a\"}}",
      "{\"iexec_secrets\":{\"01\":\"a\"}}",
      "{\"iexec_secrets\":{\"1\":2}}",
      "{\"iexec_secrets\":[\"a\"]}",
      "{\"iexec_result_encryption\":1}",
      "\xff\xfe",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ASSERT_EQ(decc_deal_params_parse(&p, bad[i], strlen(bad[i]), 0, 4, &err),
              DECC_E_INVALID);
    ASSERT(p.doc_ == NULL && p.secrets == NULL && p.input_files == NULL);
  }
  /* null members are absent ones; an empty provider is the default */
  const char *nulls = "{\"iexec_input_files\":null,\"iexec_secrets\":null,"
                      "\"iexec_result_encryption\":null,"
                      "\"iexec_result_storage_provider\":\"\"}";
  ASSERT_OK(decc_deal_params_parse(&p, nulls, strlen(nulls), 0, 0, NULL));
  ASSERT(p.n_input_files == 0 && p.n_secrets == 0 && !p.encrypt);
  STR_EQ(p.provider, "ipfs");
  decc_deal_params_clear(&p);
}

TEST(env_names) {
  char k[DECC_SESSION_ENV_NAME_MAX];
  STR_EQ(decc_session_env_name(k, DECC_ENV_BULK_DATASET_, 12,
                               DECC_ENV_BULK_CHECKSUM),
         "IEXEC_DATASET_12_CHECKSUM");
  STR_EQ(decc_session_env_name(k, DECC_ENV_INPUT_FILE_URL_, 3, NULL),
         "IEXEC_INPUT_FILE_URL_3");
  STR_EQ(decc_session_env_name(k, "A_VERY_LONG_STEM_THAT_DOES_NOT_FIT_HERE_",
                               18446744073709551615ull, "_SUFFIX"),
         "");
}

/* The string escaper copies runs of plain characters at once: the exact
 * escapes of the cases it handles, then random strings (every byte value
 * and lengths across run boundaries) decoded back by jansson. */
TEST(json_str_escapes) {
  decc_buf b;
  decc_buf_init(&b, 0);
  static const char odd[] = "a\"b\\c\x01\x1f\n\x7f\xc3\xa9";
  ASSERT_OK(decc_session_json_str(&b, odd, sizeof odd - 1));
  STR_EQ((const char *)b.data,
         "\"a\\\"b\\\\c\\u0001\\u001f\\u000a\x7f\xc3\xa9\"");
  decc_buf_reset(&b);
  ASSERT_OK(decc_session_json_str(&b, "", 0));
  STR_EQ((const char *)b.data, "\"\"");
  srand(7);
  for (int round = 0; round < 2000; round++) {
    char s[64];
    size_t n = (size_t)(rand() % 64);
    for (size_t i = 0; i < n; i++) {
      int r = rand() % 8;
      /* mostly plain ASCII, with escapes mixed in; no NUL or non-ASCII so
       * that jansson reads it back as the same string */
      int c = r == 0   ? '"'
              : r == 1 ? '\\'
              : r == 2 ? 1 + rand() % 31
                       : 0x20 + rand() % 0x5f;
      s[i] = (char)c;
    }
    decc_buf_reset(&b);
    ASSERT_OK(decc_session_json_str(&b, s, n));
    json_error_t je;
    json_t *v = json_loadb((const char *)b.data, b.len, JSON_DECODE_ANY, &je);
    ASSERT(v != NULL && json_is_string(v));
    ASSERT(json_string_length(v) == n);
    ASSERT(memcmp(json_string_value(v), s, n) == 0);
    json_decref(v);
  }
  decc_buf_clear(&b);
}
