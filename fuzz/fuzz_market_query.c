/*
 * fuzz_market_query.c — libFuzzer target for the market API's list query
 * parameters (lib/node/node_market.c read_filter, lib/market/market.c
 * build_where): the first input byte picks the order type route
 * (/apporders, /datasetorders, /workerpoolorders, /requestorders), the
 * rest is its query string, percent-encoded where a byte is not allowed in
 * a URL (so '&', '=' and ',' stay structure), sent to an in-process
 * `decc node` (fuzz_node.h). Invariants (abort on violation): the answer is
 * 200 with {"ok":true,"orders":[…],"count":n} and n >= the page length,
 * or 400/404 with {"ok":false,"error":"…"}; never a 5xx.
 */
#include <jansson.h>

#include "fuzz.h"
#include "fuzz_node.h"

#define FUZZ_INPUT_MAX 8192

static char req[3 * FUZZ_INPUT_MAX + 512];
static char resp[1 << 20];

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  if (size < 1 || size > FUZZ_INPUT_MAX)
    return 0;
  static const char *const paths[4] = {"/apporders", "/datasetorders",
                                       "/workerpoolorders", "/requestorders"};
  size_t n = (size_t)snprintf(req, sizeof req, "GET %s?", paths[data[0] & 3]);
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 1; i < size; i++) {
    unsigned char c = data[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || strchr("-._~&=,", c) != NULL) {
      if (c == 0) /* strchr finds the terminator */
        goto enc;
      req[n++] = (char)c;
      continue;
    }
  enc:
    req[n++] = '%';
    req[n++] = hex[c >> 4];
    req[n++] = hex[c & 15];
  }
  n +=
      (size_t)snprintf(req + n, sizeof req - n, " HTTP/1.1\r\nHost: x\r\n\r\n");
  int st = fn_exchange(req, n, resp, sizeof resp);
  if (st <= 0)
    return 0;
  const char *b = fn_body(resp);
  json_error_t je;
  json_t *j = b ? json_loads(b, 0, &je) : NULL;
  int ok = j && json_is_object(j);
  if (ok && st == 200)
    ok = json_is_true(json_object_get(j, "ok")) &&
         json_is_array(json_object_get(j, "orders")) &&
         json_is_integer(json_object_get(j, "count")) &&
         json_integer_value(json_object_get(j, "count")) >=
             (json_int_t)json_array_size(json_object_get(j, "orders"));
  else if (ok)
    ok = (st == 400 || st == 404 || st == 414 || st == 431) &&
         json_is_false(json_object_get(j, "ok")) &&
         json_is_string(json_object_get(j, "error"));
  if (!ok && !(st == 414 || st == 431 || st == 413)) {
    fprintf(stderr, "unexpected answer %d: %.300s\n", st, b ? b : resp);
    abort();
  }
  json_decref(j);
  return 0;
}
