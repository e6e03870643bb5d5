/*
 * cmd_verify.c — `decc verify BUNDLE`: checks a result provenance bundle
 * offline (no node, no network: decc/provenance.h) and prints every claim
 * with its verdict — PROVEN from the bundle's own signatures and hashes,
 * NOT PROVEN when it rests on something the bundle cannot carry, FAILED
 * when the bundle contradicts itself or the result file. Exit 0 when
 * nothing failed, 1 otherwise (a bundle that does not parse included).
 *
 * Also the writer side of `decc result get TASK --bundle FILE`
 * (cli_prov_write_bundle, called by cmd_result.c), so both ends of the format
 * live in one place.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "decc/provenance.h"
#include "dp_cli.h"

#define RESULT_MAX (512u << 20)
#define MAX_TRUSTED 16

static const char VERIFY_HELP[] =
    "usage: decc verify BUNDLE [--result FILE] [--chain-id N]\n"
    "                   [--trust-platform ADDRESS]... [--json]\n\n"
    "Checks a result provenance bundle (written by 'decc result get TASK\n"
    "--bundle FILE') offline, without a node, and prints what it proves and\n"
    "what it cannot:\n"
    "  PROVEN      follows from signatures and hashes inside the bundle\n"
    "  NOT PROVEN  rests on something the bundle cannot carry (the chain\n"
    "              source's block hashes, a software platform key's custody)\n"
    "  FAILED      the bundle contradicts itself or the result file\n\n"
    "Exit 0 when nothing failed, 1 otherwise. See docs/provenance.md.\n";

static const char *verdict_name(decc_prov_verdict v) {
  return v == DECC_PROV_PROVEN       ? "PROVEN"
         : v == DECC_PROV_NOT_PROVEN ? "NOT PROVEN"
                                     : "FAILED";
}

int cli_cmd_verify(int argc, char **argv) {
  const char *bundle_path = NULL, *result_path = NULL;
  uint64_t chain_id = 0;
  decc_address trusted[MAX_TRUSTED];
  size_t n_trusted = 0;
  const char *trust[MAX_TRUSTED];
  cli_list tl = {trust, 0, MAX_TRUSTED};
  int json = 0;
  cli_opt opts[] = {
      {"result", 0, CLI_OPT_STR, &result_path, "FILE",
       "the decrypted result zip: its deterministic output must hash to the "
       "enclave-signed digest",
       0, 0, 0},
      {"chain-id", 0, CLI_OPT_U64, &chain_id, "N",
       "the chain you expect (refused if another)", 1, 0, 0},
      {"trust-platform", 0, CLI_OPT_LIST, &tl, "ADDRESS",
       "a software platform key you trust (repeatable; a quote from another "
       "platform is refused)",
       0, 0, 0},
      {"json", 0, CLI_OPT_FLAG, &json, NULL, "structured output", 0, 0, 0},
      {0}};
  cli_spec spec = {"verify", VERIFY_HELP, opts, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (json)
    g_cli.json = 1;
  for (; n_trusted < tl.n; n_trusted++)
    if (decc_address_parse(&trusted[n_trusted], trust[n_trusted], NULL))
      return cli_cmd_usage(spec.cmd,
                           "--trust-platform: '%.60s' is not an address",
                           trust[n_trusted]);
  bundle_path = np ? argv[1] : NULL;
  if (!bundle_path)
    return cli_cmd_usage(spec.cmd, "a bundle file is required");

  size_t len = 0;
  char *text = cli_read_file(bundle_path, DECC_PROV_MAX_BYTES, &len, 0);
  if (!text)
    return CLI_FAIL;
  decc_prov_bundle b;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_prov_from_json(&b, text, len, &err);
  decc_free(text);
  if (st)
    return cli_fail("%s: %s", bundle_path, err.msg);

  uint8_t *zip = NULL;
  size_t zip_len = 0;
  if (result_path) {
    zip = (uint8_t *)cli_read_file(result_path, RESULT_MAX, &zip_len, 0);
    if (!zip) {
      decc_prov_bundle_clear(&b);
      return CLI_FAIL;
    }
  }
  decc_prov_verify_opts o;
  memset(&o, 0, sizeof o);
  o.expected_chain_id = chain_id;
  o.result_zip = zip;
  o.result_zip_len = zip_len;
  o.trusted_platforms = trusted;
  o.n_trusted_platforms = n_trusted;
  decc_prov_report *rep = decc_calloc(1, sizeof *rep);
  if (!rep) {
    decc_free(zip);
    decc_prov_bundle_clear(&b);
    return cli_fail("out of memory");
  }
  decc_err_clear(&err);
  st = decc_prov_verify(&b, &o, rep, &err);
  char tid[DECC_HEX32_LEN], did[DECC_HEX32_LEN], w[DECC_ADDRESS_HEX_LEN],
      e[DECC_ADDRESS_HEX_LEN];
  decc_hex_encode(tid, b.task_id, 32, 1);
  decc_hex_encode(did, b.deal_id, 32, 1);
  decc_address_to_checksum(w, &rep->worker);
  decc_address_to_checksum(e, &rep->enclave);
  int rc = st ? CLI_FAIL : CLI_OK;
  if (g_cli.json) {
    json_t *lines = json_array();
    for (size_t i = 0; lines && i < rep->n; i++)
      json_array_append_new(lines,
                            json_pack("{s:s,s:s}", "verdict",
                                      verdict_name(rep->lines[i].verdict),
                                      "text", rep->lines[i].text));
    json_t *j =
        json_pack("{s:b,s:s,s:s,s:I,s:I,s:s,s:s,s:o}", "valid", !st, "taskId",
                  tid, "dealId", did, "taskIndex", (json_int_t)b.task_index,
                  "chainId", (json_int_t)b.chain_id, "worker", w, "enclave", e,
                  "checks", lines ? lines : json_null());
    if (j && st)
      json_object_set_new(j, "error", json_string(err.msg));
    if (cli_print_json(j) != CLI_OK)
      rc = CLI_FAIL;
  } else {
    printf("bundle: task %s\n        task %llu of deal %s, chain %llu\n\n", tid,
           (unsigned long long)b.task_index, did,
           (unsigned long long)b.chain_id);
    for (size_t i = 0; i < rep->n; i++)
      printf("%-10s  %s\n", verdict_name(rep->lines[i].verdict),
             rep->lines[i].text);
    if (!st)
      printf("\nverified: the result digest was signed by enclave key %s for "
             "this task;\nwhat is marked NOT PROVEN above is not covered by "
             "this check.\n",
             e);
  }
  if (st)
    cli_fail("%s: refused: %s", bundle_path, err.msg);
  decc_free(rep);
  decc_free(zip);
  decc_prov_bundle_clear(&b);
  return rc;
}

/* Most bytes of an attestation record: a quote (DECC_QUOTE_HW_MAX bytes,
 * twice that in hex) plus its claims and the binding. */
#define ATTESTATION_MAX (4u * DECC_QUOTE_HW_MAX)

/* Takes {"taskId","quote","binding"} (the record the worker keeps,
 * docs/provenance.md) into b when it names this task. Returns 1 if taken. */
static int take_attestation(decc_prov_bundle *b, const uint8_t task32[32],
                            const char *text, size_t len) {
  json_error_t je;
  json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  json_t *qj = json_object_get(j, "quote");
  const char *bind = json_string_value(json_object_get(j, "binding"));
  char *qs = json_is_object(qj) ? json_dumps(qj, JSON_COMPACT) : NULL;
  decc_quote *q = qs ? decc_calloc(1, sizeof *q) : NULL;
  int ok = q && decc_quote_from_json(q, qs, strlen(qs), NULL) == DECC_OK &&
           !memcmp(q->task_id, task32, 32) &&
           (!bind || decc_hex_decode_exact(b->binding, 65, bind, "binding",
                                           NULL) == DECC_OK);
  free(qs);
  json_decref(j);
  if (!ok) {
    decc_free(q);
    return 0;
  }
  decc_free(b->quote);
  b->quote = q;
  b->has_quote = 1;
  b->has_binding = bind != NULL;
  return 1;
}

/* The attestation of the enclave that ran the task: this data directory's
 * worker's record (<home>/worker/logs/<task>.attestation.json) when it ran
 * the task, else the node's workerpool API (GET {node}/tasks/{id}/
 * attestation; the node of DECC_NODE_URL or config.json's market / node).
 * Nothing here is trusted: decc verify checks every signature. Out: a note
 * saying why there is none (static text or *note_buf). Returns 1 if found. */
static int fetch_attestation(decc_prov_bundle *b, decc_dp *dp,
                             const uint8_t task32[32], char *note, size_t cap) {
  char th[DECC_HEX32_LEN];
  decc_hex_encode(th, task32, 32, 1);
  const char *home = decc_dp_home(dp);
  if (home) {
    size_t n = strlen(home) + 120;
    char *path = decc_malloc(n);
    if (path) {
      snprintf(path, n, "%s/worker/logs/%s.attestation.json", home, th);
      size_t len = 0;
      char *data = access(path, R_OK) == 0
                       ? cli_read_file(path, ATTESTATION_MAX, &len, 0)
                       : NULL;
      int got = data && take_attestation(b, task32, data, len);
      decc_free(data);
      decc_free(path);
      if (got)
        return 1;
    }
  }
  const char *u = getenv("DECC_NODE_URL");
  dp_cli_config cfg;
  memset(&cfg, 0, sizeof cfg);
  if ((!u || !*u) && home && dp_cli_config_load(&cfg, home) == CLI_OK)
    u = cfg.market ? cfg.market : cfg.node;
  int got = 0;
  if (u && *u) {
    size_t n = strlen(u) + 100;
    char *url = decc_malloc(n);
    if (url) {
      size_t ul = strlen(u);
      while (ul && u[ul - 1] == '/')
        ul--;
      snprintf(url, n, "%.*s/tasks/%s/attestation", (int)ul, u, th);
      decc_http_reply r;
      memset(&r, 0, sizeof r);
      decc_status st = decc_http_fetch(&r, "GET", url, NULL, NULL, 0,
                                       ATTESTATION_MAX, 10000, NULL);
      got = st == DECC_OK && r.status == 200 &&
            take_attestation(b, task32, (const char *)r.body.data, r.body.len);
      snprintf(note, cap,
               "neither this data directory's worker nor the node %.*s "
               "(HTTP %ld) holds the quote of the enclave that ran the task",
               (int)ul, u, st == DECC_OK ? (long)r.status : 0L);
      decc_buf_clear(&r.body);
      decc_free(url);
    }
  } else {
    snprintf(note, cap,
             "this data directory's worker did not run the task and no node "
             "is configured to ask for its quote (DECC_NODE_URL)");
  }
  dp_cli_config_clear(&cfg);
  return got;
}

/* `decc result get … --bundle FILE`: collects the bundle from the chain dp
 * uses and writes it atomically. result (the decrypted zip, len bytes) is
 * recorded when whole_zip (not a --path entry). */
int cli_prov_write_bundle(decc_dp *dp, const uint8_t task32[32],
                          const uint8_t *result, size_t len, int whole_zip,
                          const char *path) {
  decc_prov_bundle b;
  if (decc_prov_bundle_init(&b))
    return cli_fail("out of memory");
  decc_err err;
  decc_err_clear(&err);
  decc_chain *c = decc_dp_chain(dp);
  decc_status st =
      decc_prov_collect(&b, c, c ? decc_chain_backend(c) : NULL, task32, &err);
  if (st) {
    decc_prov_bundle_clear(&b);
    return cli_fail("bundle: %s", err.msg);
  }
  b.created = (uint64_t)time(NULL);
  /* Without a quote, say why in the bundle rather than leave the reader
   * guessing. */
  char why[512];
  if (!fetch_attestation(&b, dp, task32, why, sizeof why)) {
    char *note = decc_strdup(why);
    if (note) {
      decc_free(b.attestation_note);
      b.attestation_note = note;
    }
  }
  if (whole_zip && result)
    decc_prov_set_result_file(&b, result, len);
  char *json = NULL;
  st = decc_prov_to_json(&json, &b);
  decc_prov_bundle_clear(&b);
  if (st)
    return cli_fail("out of memory");
  size_t jl = strlen(json);
  json[jl] = 0;
  int rc = CLI_OK;
  {
    /* a trailing newline, as every text file decc writes */
    char *t = decc_malloc(jl + 2);
    if (!t) {
      decc_free(json);
      return cli_fail("out of memory");
    }
    memcpy(t, json, jl);
    t[jl] = '\n';
    rc = cli_write_file_atomic(path, t, jl + 1, 0644);
    decc_free(t);
  }
  decc_free(json);
  return rc;
}
