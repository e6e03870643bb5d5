/*
 * graphql.h — a small strict GraphQL parser for the subset of queries the
 * iExec SDKs send to their subgraphs (node_graphql.c serves them): one
 * anonymous or named `query` operation with variable definitions, fields
 * with aliases, arguments and selection sets. Argument values (literals,
 * lists, input objects, enums, variables) are turned into jansson values
 * with the request's variables substituted, so the executor only sees JSON.
 * Everything else — fragments, directives, mutations, subscriptions, block
 * strings, several operations — is refused with a message the endpoint
 * returns as a GraphQL error.
 *
 * Bounded work: the query text (GQL_MAX_QUERY bytes), nesting depth
 * (GQL_MAX_DEPTH, selections and values together), the number of fields
 * (GQL_MAX_FIELDS) and of list / object items (GQL_MAX_ITEMS) are capped,
 * and parsing is a single pass without backtracking.
 */
#ifndef DECC_NODE_GRAPHQL_H
#define DECC_NODE_GRAPHQL_H

#include <jansson.h>
#include <stddef.h>

#define GQL_MAX_QUERY (32 * 1024)
#define GQL_MAX_DEPTH 12
#define GQL_MAX_FIELDS 256
#define GQL_MAX_ITEMS 1000
#define GQL_MAX_STRING 4096

typedef struct gql_field {
  char *alias; /* response key: the alias, else the name */
  char *name;
  json_t *args;          /* object of argument name → value (never NULL) */
  struct gql_field *sub; /* selection set, n_sub fields; NULL for leaves */
  size_t n_sub;
} gql_field;

typedef struct gql_doc {
  gql_field *fields; /* top-level selection set */
  size_t n_fields;
} gql_doc;

/* Parses query (len bytes, need not be NUL-terminated) with variables (a
 * JSON object or NULL). Out: *doc (gql_doc_clear) on success. Returns 0, or
 * -1 with a one-line reason in msg (cap bytes). */
int gql_parse(gql_doc *doc, const char *query, size_t len, json_t *variables,
              char *msg, size_t cap);
void gql_doc_clear(gql_doc *doc);

#endif
