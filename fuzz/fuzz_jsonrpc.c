/*
 * fuzz_jsonrpc.c — libFuzzer target for the node's Ethereum JSON-RPC
 * endpoint (lib/node/node_rpc.c): the input is the body of POST / sent to
 * an in-process `decc node` with the chain role (fuzz_node.h, embedded
 * ledger). It reaches the JSON-RPC request parsing (single requests and
 * batches, ids, params of every method: quantities, block tags, addresses,
 * hashes, data, log filters, raw transactions). Invariants (abort on
 * violation): a 200 answer is JSON-RPC 2.0 — an object with "jsonrpc":"2.0"
 * and exactly one of result / error, or a non-empty array of such
 * objects; 204 (only notifications) has no body; any other status carries
 * a JSON error body; never a 5xx.
 */
#include <jansson.h>

#include "fuzz.h"
#include "fuzz_node.h"

#define FUZZ_INPUT_MAX 65536

static char req[FUZZ_INPUT_MAX + 256];
static char resp[1 << 22];

static void check_reply(const json_t *r) {
  if (!json_is_object(r) || !json_is_string(json_object_get(r, "jsonrpc")) ||
      strcmp(json_string_value(json_object_get(r, "jsonrpc")), "2.0") != 0 ||
      (json_object_get(r, "result") != NULL) ==
          (json_object_get(r, "error") != NULL)) {
    char *s = json_dumps(r, JSON_COMPACT);
    fprintf(stderr, "not a JSON-RPC reply: %.300s\n", s ? s : "?");
    abort();
  }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  if (size > FUZZ_INPUT_MAX)
    return 0;
  int h = snprintf(req, sizeof req,
                   "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   "application/json\r\nContent-Length: %zu\r\n\r\n",
                   size);
  memcpy(req + h, data, size);
  int st = fn_exchange(req, (size_t)h + size, resp, sizeof resp);
  if (st <= 0)
    return 0; /* closed without an answer (e.g. a local socket error) */
  if (st >= 500) {
    fprintf(stderr, "JSON-RPC answered %d: %.300s\n", st, resp);
    abort();
  }
  size_t used = strlen(resp);
  const char *b = fn_body(resp);
  if (st == 204) {
    /* notifications only (no id): JSON-RPC sends no reply */
    if (b && *b) {
      fprintf(stderr, "204 with a body: %.300s\n", b);
      abort();
    }
    return 0;
  }
  if (!b || used >= sizeof resp - 1)
    return 0;
  json_error_t je;
  json_t *j = json_loads(b, JSON_DECODE_ANY, &je);
  if (!j) {
    fprintf(stderr, "status %d: body is not JSON: %.300s\n", st, b);
    abort();
  }
  if (st == 200) {
    if (json_is_array(j)) {
      if (json_array_size(j) == 0)
        abort();
      size_t i;
      json_t *r;
      json_array_foreach(j, i, r) check_reply(r);
    } else {
      check_reply(j);
    }
  }
  json_decref(j);
  return 0;
}
