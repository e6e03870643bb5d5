/*
 * fuzz_http_request.c — libFuzzer target for the node's HTTP request path:
 * the input is sent as raw bytes (request line, headers, body) to an
 * in-process `decc node` (fuzz_node.h) on a fresh connection (a
 * socketpair handed to the server, which this thread drives). It
 * reaches MHD's parser, the connection guard, route matching (literal,
 * {param} and wildcard segments, method mismatch), query and header
 * reading, body limits and every handler of the chain and market roles.
 * A head that does not end is ended (CRLF CRLF appended).
 * Invariants (abort on violation): the answer, when there is one, is an
 * HTTP response with a status in 100..599; a response with status 200..599
 * from one of our routes has a body that is JSON when it says
 * application/json, except that the answer to HEAD has no body at all
 * (whatever follows its head is the next response); the node answers
 * /health after every input (it is still serving).
 */
#include <jansson.h>

#include "fuzz.h"
#include "fuzz_node.h"

#define FUZZ_INPUT_MAX 65536

static char resp[1 << 20];

static char req[FUZZ_INPUT_MAX + 8];

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  if (size > FUZZ_INPUT_MAX)
    return 0;
  /* The head always ends: MHD keeps a connection whose headers never end
   * until the header deadline even after the client's EOF, which would
   * make every such input cost seconds and test nothing more. */
  memcpy(req, data, size);
  size_t n = size;
  if (!memmem(data, size, "\r\n\r\n", 4)) {
    memcpy(req + n, "\r\n\r\n", 4);
    n += 4;
  }
  /* a server that waits for more input is not a finding (its deadlines
   * close such connections): the exchange ends when the server rests */
  int st = fn_exchange_wait(req, n, resp, sizeof resp, 0);
  size_t used = strlen(resp);
  char *head_end = st > 0 ? strstr(resp, "\r\n\r\n") : NULL;
  /* a truncated read (response larger than the buffer) is not checked */
  if (head_end && used < sizeof resp - 1) {
    *head_end = 0; /* the first response's headers only */
    int is_json =
        strcasestr(resp, "\r\nContent-Type: application/json") != NULL;
    *head_end = '\r';
    const char *b = fn_body(resp);
    /* The first request is HEAD when empty lines (CRLF or LF) and "HEAD "
     * start the input; MHD answers a request line it cannot parse with its
     * own HTML page, which the is_json test leaves out. */
    size_t lead = 0;
    while (lead < n &&
           (req[lead] == '\n' ||
            (req[lead] == '\r' && lead + 1 < n && req[lead + 1] == '\n')))
      lead += req[lead] == '\r' ? 2 : 1;
    int head = n - lead > 5 && !memcmp(req + lead, "HEAD ", 5);
    int no_body = b && (!*b || !strncmp(b, "HTTP/1.", 7));
    if (is_json && b && head && !no_body) {
      fprintf(stderr, "status %d: a HEAD answer has a body: %.200s\n", st, b);
      abort();
    }
    /* an empty body is a HEAD answer when HEAD starts the input at all */
    if (is_json && b && !head &&
        !(no_body && memmem(req, n < 16 ? n : 16, "HEAD ", 5))) {
      json_error_t je;
      json_t *j = json_loads(b, JSON_DECODE_ANY, &je);
      if (!j) {
        fprintf(stderr, "status %d: body is not JSON: %.200s\n", st, b);
        abort();
      }
      json_decref(j);
    }
  }
  static const char health[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  /* the status says which failure: -1 a local socket error, 0 no answer */
  int hs = fn_exchange(health, sizeof health - 1, resp, sizeof resp);
  if (hs != 200) {
    fprintf(stderr, "the node no longer answers /health (status %d): %.300s\n",
            hs, resp);
    abort();
  }
  return 0;
}
