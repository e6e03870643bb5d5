/*
 * fuzz_graphql.c — libFuzzer target for the GraphQL subset parser
 * (lib/node/graphql.c). Input: the query text; the variables are a fixed
 * object like the DataProtector SDK's. Invariants (abort on violation): a
 * rejection always has a message; an accepted document has at least one
 * field, no deeper than GQL_MAX_DEPTH, at most GQL_MAX_FIELDS fields, each
 * with a name and an argument object.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node/graphql.h"

static size_t walk(const gql_field *f, size_t n, int depth) {
  if (depth > GQL_MAX_DEPTH)
    abort();
  size_t count = n;
  for (size_t i = 0; i < n; i++) {
    if (!f[i].name || !f[i].alias || !json_is_object(f[i].args))
      abort();
    if (f[i].sub)
      count += walk(f[i].sub, f[i].n_sub, depth + 1);
  }
  return count;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  json_error_t je;
  json_t *vars = json_loads(
      "{\"start\":0,\"range\":10,\"where\":{\"and\":[{\"owner\":\"0xab\"},"
      "{\"creationTimestamp_gte\":1}]},\"requiredSchemas\":[\"email:string\"]}",
      0, &je);
  gql_doc doc;
  char msg[256];
  if (gql_parse(&doc, (const char *)data, size, vars, msg, sizeof msg) == 0) {
    if (doc.n_fields == 0 || walk(doc.fields, doc.n_fields, 1) > GQL_MAX_FIELDS)
      abort();
    gql_doc_clear(&doc);
  } else if (!msg[0]) {
    abort();
  }
  json_decref(vars);
  return 0;
}
