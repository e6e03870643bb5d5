/*
 * test_graphql.c — the GraphQL subset parser (lib/node/graphql.c): the
 * DataProtector SDK's protectedDatas query and the PoCo deals query parse
 * with variables substituted, aliases and enums; literals (strings with
 * escapes, numbers, lists, input objects, defaults) become JSON; everything
 * outside the subset or over a bound is refused with a reason.
 */
#include <string.h>

#include "node/graphql.h"
#include "test.h"

static const char *DP_QUERY =
    "query ($start: Int!, $range: Int!, $where: ProtectedData_filter) {\n"
    "  protectedDatas(where: $where skip: $start first: $range\n"
    "    orderBy: creationTimestamp orderDirection: desc) {\n"
    "    id name owner { id } schema { id } creationTimestamp multiaddr\n"
    "  }\n}\n";

static int parse(gql_doc *d, const char *q, const char *vars, char *msg) {
  json_error_t je;
  json_t *v = vars ? json_loads(vars, 0, &je) : NULL;
  int rc = gql_parse(d, q, strlen(q), v, msg, 256);
  json_decref(v);
  return rc;
}

TEST(dataprotector_query) {
  gql_doc d;
  char msg[256];
  ASSERT_EQ(parse(&d, DP_QUERY,
                  "{\"start\":20,\"range\":10,\"where\":{\"and\":[{\"owner\":"
                  "\"0xab\"}]}}",
                  msg),
            0);
  ASSERT_EQ(d.n_fields, 1u);
  gql_field *f = &d.fields[0];
  ASSERT_STR_EQ(f->name, "protectedDatas");
  ASSERT_EQ(json_integer_value(json_object_get(f->args, "skip")), 20);
  ASSERT_EQ(json_integer_value(json_object_get(f->args, "first")), 10);
  ASSERT_STR_EQ(json_string_value(json_object_get(f->args, "orderBy")),
                "creationTimestamp");
  ASSERT_STR_EQ(json_string_value(json_object_get(f->args, "orderDirection")),
                "desc");
  json_t *w = json_object_get(f->args, "where");
  ASSERT_STR_EQ(json_string_value(json_object_get(
                    json_array_get(json_object_get(w, "and"), 0), "owner")),
                "0xab");
  ASSERT_EQ(f->n_sub, 6u);
  ASSERT_STR_EQ(f->sub[2].name, "owner");
  ASSERT_EQ(f->sub[2].n_sub, 1u);
  ASSERT_STR_EQ(f->sub[2].sub[0].name, "id");
  gql_doc_clear(&d);
  /* $where is nullable: absent → null. */
  ASSERT_EQ(parse(&d, DP_QUERY, "{\"start\":0,\"range\":10}", msg), 0);
  ASSERT(json_is_null(json_object_get(d.fields[0].args, "where")));
  gql_doc_clear(&d);
  /* $start is not. */
  ASSERT_EQ(parse(&d, DP_QUERY, "{\"range\":10}", msg), -1);
  ASSERT(strstr(msg, "$start") != NULL);
}

TEST(aliases_literals_defaults) {
  gql_doc d;
  char msg[256];
  ASSERT_EQ(parse(&d,
                  "query Q($a: [String!]! = [\"x\"], $n: Int = 3) {\n"
                  "  deals(where: {requestorder: \"0x\\u00e9\\n\"}, first: $n,"
                  " l: [1, -2.5e1, true, null, ENUM], a: $a) # comment\n"
                  "  { tasks { taskId: id } } }",
                  NULL, msg),
            0);
  gql_field *f = &d.fields[0];
  ASSERT_STR_EQ(json_string_value(json_object_get(
                    json_object_get(f->args, "where"), "requestorder")),
                "0x\xc3\xa9\n");
  ASSERT_EQ(json_integer_value(json_object_get(f->args, "first")), 3);
  json_t *l = json_object_get(f->args, "l");
  ASSERT_EQ(json_array_size(l), 5u);
  ASSERT(json_real_value(json_array_get(l, 1)) == -25.0);
  ASSERT_STR_EQ(json_string_value(json_array_get(l, 4)), "ENUM");
  ASSERT_STR_EQ(
      json_string_value(json_array_get(json_object_get(f->args, "a"), 0)), "x");
  ASSERT_STR_EQ(f->sub[0].sub[0].alias, "taskId");
  ASSERT_STR_EQ(f->sub[0].sub[0].name, "id");
  gql_doc_clear(&d);
}

TEST(refusals) {
  static const struct {
    const char *q, *why;
  } bad[] = {
      {"mutation { a }", "mutation"},
      {"subscription { a }", "subscription"},
      {"{ a ...F }", "fragments"},
      {"fragment F on X { a }", "fragments"},
      {"{ a @skip(if: true) }", "directives"},
      {"{ a } { b }", "one operation"},
      {"{ a(x: $v) }", "not declared"},
      {"{ a(x: 1, x: 2) }", "twice"},
      {"{ a(x: 012) }", "leading zero"},
      {"{ a(x: 99999999999999999999) }", "range"},
      {"{ a(x: 1.5e999) }", "float out of range"},
      {"{ a(x: \"no end) }", "unterminated"},
      {"{ a(x: \"\"\"b\"\"\") }", "block strings"},
      {"{ a(x: \"\\ud800\") }", "surrogate"},
      {"{ }", "empty selection"},
      {"{ a(x: {b: 1, b: 2}) }", "twice"},
      {"", "empty query"},
      {"{ a { b { c { d { e { f { g { h { i { j { k { l { m } } } } } } } } } "
       "} } } }",
       "deeper"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    gql_doc d;
    char msg[256];
    msg[0] = 0;
    ASSERT_EQ(parse(&d, bad[i].q, NULL, msg), -1);
    if (!strstr(msg, bad[i].why)) {
      fprintf(stderr, "query %zu: '%s' does not say '%s'\n", i, msg,
              bad[i].why);
      ASSERT(0);
    }
  }
  /* Over the size bound, whatever the content. */
  char *big = malloc(GQL_MAX_QUERY + 2);
  memset(big, ' ', GQL_MAX_QUERY + 1);
  big[GQL_MAX_QUERY + 1] = 0;
  gql_doc d;
  char msg[256];
  ASSERT_EQ(parse(&d, big, NULL, msg), -1);
  ASSERT(strstr(msg, "longer") != NULL);
  free(big);
  /* Too many fields. */
  char q[4000] = "{";
  for (int i = 0; i < GQL_MAX_FIELDS + 1; i++)
    strcat(q, " a");
  strcat(q, " }");
  ASSERT_EQ(parse(&d, q, NULL, msg), -1);
  ASSERT(strstr(msg, "fields") != NULL);
}
