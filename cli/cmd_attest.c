/*
 * cmd_attest.c — `decc attest verify`: verifies an Intel TDX or SGX DCAP
 * quote against its collateral (from a file, or from a PCCS through the
 * cache <home>/pccs-cache) and prints every check with its outcome, the
 * TCB status with its advisories, and the measured values (MRTD, RTMRs,
 * report data / MRENCLAVE, MRSIGNER) an operator's policy decides on.
 * Exit 0 when the quote verified (whatever its TCB status, which is
 * printed), 1 when a check failed. With --policy FILE (and --report-data
 * HEX, the 64 bytes the quote must carry) the relying party's policy is
 * applied too (decc_dcap_policy: statuses, advisories, trusted images).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "decc/dcap.h"
#include "decc/encoding.h"
#include "decc/mem.h"

static const char VERIFY_HELP[] =
    "usage: decc attest verify QUOTE [--collateral FILE | --pccs URL "
    "[--offline]] [--now TIME]\n"
    "                          [--policy FILE [--report-data HEX]]\n\n"
    "Verifies an Intel DCAP quote (TDX v4/v5, SGX v3; raw binary file, '-' "
    "for stdin)\nup to the pinned Intel SGX Root CA.\n";

static char *home_dir(void) {
  const char *home = g_cli.home;
  char def[4096];
  if (!home) {
    const char *h = getenv("HOME");
    if (!h)
      return NULL;
    if ((size_t)snprintf(def, sizeof def, "%s/.decc", h) >= sizeof def)
      return NULL;
    home = def;
  }
  if (mkdir(home, 0700) != 0 && errno != EEXIST)
    return NULL;
  size_t n = strlen(home) + 16;
  char *p = decc_malloc(n);
  if (p)
    snprintf(p, n, "%s/pccs-cache", home);
  return p;
}

static const char *body_name(decc_dcap_body b) {
  return b == DECC_DCAP_BODY_SGX    ? "SGX enclave report"
         : b == DECC_DCAP_BODY_TD10 ? "TD report 1.0"
                                    : "TD report 1.5";
}

static void iso(char out[32], int64_t t) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (gmtime_r(&tt, &tm))
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
  else
    snprintf(out, 32, "%lld", (long long)t);
}

/* Measured values as (name, hex) pairs. */
static json_t *measurements(const decc_dcap_quote *q) {
  json_t *m = json_object();
  char h[129];
  if (!m)
    return NULL;
  if (q->body == DECC_DCAP_BODY_SGX) {
    decc_hex_encode(h, q->sgx.mrenclave, 32, 0);
    json_object_set_new(m, "mrenclave", json_string(h));
    decc_hex_encode(h, q->sgx.mrsigner, 32, 0);
    json_object_set_new(m, "mrsigner", json_string(h));
    json_object_set_new(m, "isvprodid", json_integer(q->sgx.isvprodid));
    json_object_set_new(m, "isvsvn", json_integer(q->sgx.isvsvn));
    decc_hex_encode(h, q->sgx.attributes, 16, 0);
    json_object_set_new(m, "attributes", json_string(h));
    decc_hex_encode(h, q->sgx.report_data, 64, 0);
    json_object_set_new(m, "report_data", json_string(h));
  } else {
    decc_hex_encode(h, q->td.mrtd, 48, 0);
    json_object_set_new(m, "mrtd", json_string(h));
    for (int i = 0; i < 4; i++) {
      char k[8];
      snprintf(k, sizeof k, "rtmr%d", i);
      decc_hex_encode(h, q->td.rtmr[i], 48, 0);
      json_object_set_new(m, k, json_string(h));
    }
    decc_hex_encode(h, q->td.mrconfigid, 48, 0);
    json_object_set_new(m, "mrconfigid", json_string(h));
    decc_hex_encode(h, q->td.mrowner, 48, 0);
    json_object_set_new(m, "mrowner", json_string(h));
    decc_hex_encode(h, q->td.mrownerconfig, 48, 0);
    json_object_set_new(m, "mrownerconfig", json_string(h));
    decc_hex_encode(h, q->td.mrseam, 48, 0);
    json_object_set_new(m, "mrseam", json_string(h));
    decc_hex_encode(h, q->td.td_attributes, 8, 0);
    json_object_set_new(m, "td_attributes", json_string(h));
    decc_hex_encode(h, q->td.xfam, 8, 0);
    json_object_set_new(m, "xfam", json_string(h));
    decc_hex_encode(h, q->td.tee_tcb_svn, 16, 0);
    json_object_set_new(m, "tee_tcb_svn", json_string(h));
    decc_hex_encode(h, q->td.report_data, 64, 0);
    json_object_set_new(m, "report_data", json_string(h));
  }
  return m;
}

static int attest_verify(int argc, char **argv) {
  const char *quote_path = NULL, *coll_path = NULL, *pccs = NULL, *now_s = NULL;
  const char *policy_path = NULL, *rd_hex = NULL;
  int offline = 0;
  cli_opt opts[] = {
      {"collateral", 0, CLI_OPT_STR, &coll_path, "FILE",
       "collateral JSON (pck_crl, root_ca_crl, tcb_info, qe_identity, their "
       "signatures and issuer chains)",
       0, 0, 0},
      {"pccs", 0, CLI_OPT_STR, &pccs, "URL",
       "fetch collateral from Intel's PCS or a PCCS; answers are cached in "
       "<home>/pccs-cache and reused while current",
       0, 0, 0},
      {"offline", 0, CLI_OPT_FLAG, &offline, NULL,
       "with --pccs: use the cache only", 0, 0, 0},
      {"now", 0, CLI_OPT_STR, &now_s, "TIME",
       "verify as of TIME (ISO-8601 UTC or Unix seconds; default: now)", 0, 0,
       0},
      {"policy", 0, CLI_OPT_STR, &policy_path, "FILE",
       "also apply a policy (accepted statuses and advisories, trusted "
       "MRTD/RTMRs or enclaves; see docs/internals/dcap.md)",
       0, 0, 0},
      {"report-data", 0, CLI_OPT_STR, &rd_hex, "HEX",
       "the 64 bytes the quote must carry (default: not checked)", 0, 0, 0},
      {"json", 0, CLI_OPT_FLAG, &g_cli.json, NULL, "structured output", 0, 0,
       0},
      {0}};
  cli_spec spec = {"attest verify", VERIFY_HELP, opts, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  quote_path = np ? argv[1] : NULL;
  if (!quote_path)
    return cli_cmd_usage(spec.cmd, "verify needs a QUOTE file");
  if (!!coll_path + !!pccs != 1)
    return cli_cmd_usage(spec.cmd,
                         "give exactly one of --collateral FILE or --pccs URL");
  if (offline && !pccs)
    return cli_cmd_usage(spec.cmd, "--offline goes with --pccs");
  if (rd_hex && !policy_path)
    return cli_cmd_usage(spec.cmd, "--report-data goes with --policy");
  uint8_t rd[64];
  decc_err herr;
  if (rd_hex && decc_hex_decode_exact(rd, 64, rd_hex, "--report-data", &herr))
    return cli_cmd_usage(spec.cmd, "%s", herr.msg);
  int64_t now = (int64_t)time(NULL);
  if (now_s && decc_dcap_parse_time(&now, now_s) != DECC_OK)
    return cli_cmd_usage(spec.cmd,
                         "--now: '%.60s' is not an ISO-8601 UTC time or Unix "
                         "seconds",
                         now_s);

  size_t qlen = 0, clen = 0;
  char *quote = cli_read_file(quote_path, DECC_DCAP_QUOTE_MAX, &qlen, 0);
  if (!quote)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  char *coll = NULL, *cache = NULL;
  int from_cache = 0, rc = CLI_FAIL;
  decc_dcap_collateral *c = NULL;
  decc_dcap_verifier *v = NULL;
  decc_dcap_policy *pol = NULL;
  if (policy_path) {
    size_t pl;
    char *pj = cli_read_file(policy_path, 1u << 20, &pl, 0);
    if (!pj)
      goto out;
    decc_status ps = decc_dcap_policy_parse(&pol, pj, pl, &err);
    decc_free(pj);
    if (ps) {
      rc = cli_fail_err(&err);
      goto out;
    }
  }
  if (coll_path) {
    coll = cli_read_file(coll_path, DECC_DCAP_COLLATERAL_MAX, &clen, 0);
    if (!coll)
      goto out;
  } else {
    cache = home_dir();
    if (!cache) {
      cli_fail("no usable home directory for the PCCS cache: use --home or "
               "set DECC_HOME");
      goto out;
    }
    cli_progress("collateral: %s (cache %s)", offline ? "cache only" : pccs,
                 cache);
    char *j = NULL;
    if (decc_dcap_pccs_get(&j, &from_cache, offline ? NULL : pccs, cache,
                           offline, (const uint8_t *)quote, qlen, now,
                           &err) != DECC_OK) {
      rc = cli_fail_err(&err);
      goto out;
    }
    clen = strlen(j);
    coll = j;
  }
  if (decc_dcap_collateral_parse(&c, coll, clen, &err) != DECC_OK ||
      decc_dcap_verifier_create(&v, NULL, 0, &err) != DECC_OK) {
    rc = cli_fail_err(&err);
    goto out;
  }
  decc_dcap_result r;
  decc_status st =
      decc_dcap_verify(v, &r, (const uint8_t *)quote, qlen, c, now, &err);
  const char *code = st ? decc_dcap_refusal_code(st, &r) : NULL;
  decc_status vst = st; /* verification alone */
  if (!st && pol) {
    /* Without --report-data the quote's own is used: the policy then
     * judges the TCB and the image only. */
    const uint8_t *own = r.quote.body == DECC_DCAP_BODY_SGX
                             ? r.quote.sgx.report_data
                             : r.quote.td.report_data;
    st = decc_dcap_policy_check(pol, &r, rd_hex ? rd : own, &code, &err);
  }
  int64_t issued, next;
  decc_dcap_collateral_window(c, &issued, &next);
  char now_iso[32], is_iso[32], nx_iso[32];
  iso(now_iso, now);
  iso(is_iso, issued);
  iso(nx_iso, next);
  const decc_dcap_quote *q = &r.quote;
  int parsed = (r.checks & DECC_DCAP_CHECK_QUOTE_PARSE) != 0;
  int tdx = q->tee_type == DECC_DCAP_TEE_TDX;

  if (g_cli.json) {
    json_t *o = json_object(), *checks = json_array(), *adv = json_array();
    for (unsigned i = 0; i < DECC_DCAP_CHECK_COUNT; i++) {
      const char *name;
      const char *text = decc_dcap_check_text(i, &name);
      if (!tdx && (1u << i) == DECC_DCAP_CHECK_TDX_MODULE)
        continue;
      const char *res = (r.checks & (1u << i)) ? "ok"
                        : (r.failed_check && !strcmp(r.failed_check, name))
                            ? "failed"
                            : "not reached";
      json_array_append_new(checks, json_pack("{s:s,s:s,s:s}", "check", name,
                                              "what", text, "result", res));
    }
    for (size_t i = 0; i < r.n_advisories; i++)
      json_array_append_new(adv, json_string(r.advisories[i]));
    json_object_set_new(o, "verified", json_boolean(st == DECC_OK));
    if (pol)
      json_object_set_new(o, "policy",
                          json_string(vst  ? "not reached"
                                      : st ? "refused"
                                           : "accepted"));
    if (st != DECC_OK) {
      json_object_set_new(o, "error", json_string(err.msg));
      json_object_set_new(o, "error_code", json_string(decc_status_name(st)));
      json_object_set_new(o, "refusal", json_string(code));
    }
    json_object_set_new(o, "now", json_string(now_iso));
    json_object_set_new(o, "collateral_source",
                        json_string(coll_path    ? "file"
                                    : from_cache ? "pccs-cache"
                                                 : "pccs"));
    json_object_set_new(o, "collateral_valid_from", json_string(is_iso));
    json_object_set_new(o, "collateral_next_update", json_string(nx_iso));
    if (parsed) {
      json_object_set_new(o, "tee", json_string(tdx ? "TDX" : "SGX"));
      json_object_set_new(o, "quote_version", json_integer(q->version));
      json_object_set_new(o, "report", json_string(body_name(q->body)));
    }
    json_object_set_new(o, "checks", checks);
    json_object_set_new(o, "status",
                        json_string(decc_dcap_tcb_status_name(r.status)));
    json_object_set_new(
        o, "platform_status",
        json_string(decc_dcap_tcb_status_name(r.platform_status)));
    json_object_set_new(o, "qe_status",
                        json_string(decc_dcap_tcb_status_name(r.qe_status)));
    if (tdx)
      json_object_set_new(
          o, "tdx_module_status",
          json_string(decc_dcap_tcb_status_name(r.module_status)));
    json_object_set_new(o, "advisory_ids", adv);
    if (r.checks & DECC_DCAP_CHECK_PCK_CHAIN) {
      char h[33];
      decc_hex_encode(h, r.fmspc, 6, 0);
      for (char *p = h; *p; p++)
        if (*p >= 'a' && *p <= 'f')
          *p = (char)(*p - 32);
      json_object_set_new(o, "fmspc", json_string(h));
      json_object_set_new(
          o, "pck_ca",
          json_string(r.pck_ca_platform ? "platform" : "processor"));
      json_object_set_new(o, "pck_pcesvn", json_integer(r.pck_pcesvn));
      decc_hex_encode(h, r.pck_cpusvn, 16, 0);
      json_object_set_new(o, "pck_cpusvn", json_string(h));
    }
    if (r.tcb_date[0])
      json_object_set_new(o, "tcb_date", json_string(r.tcb_date));
    if (parsed)
      json_object_set_new(o, "measurements", measurements(q));
    cli_print_json(o);
  } else {
    if (parsed)
      printf("quote       %s, version %u, %s, %zu bytes\n", tdx ? "TDX" : "SGX",
             (unsigned)q->version, body_name(q->body), qlen);
    printf("collateral  %s, valid %s .. %s\n",
           coll_path    ? coll_path
           : from_cache ? "PCCS (cached)"
                        : "PCCS",
           is_iso, nx_iso);
    printf("time        %s\n\nchecks\n", now_iso);
    for (unsigned i = 0; i < DECC_DCAP_CHECK_COUNT; i++) {
      const char *name;
      const char *text = decc_dcap_check_text(i, &name);
      if (!tdx && (1u << i) == DECC_DCAP_CHECK_TDX_MODULE)
        continue;
      const char *res = (r.checks & (1u << i)) ? "ok"
                        : (r.failed_check && !strcmp(r.failed_check, name))
                            ? "FAILED"
                            : "-";
      printf("  %-6s %s\n", res, text);
    }
    printf("\n");
    if (st == DECC_OK)
      printf("result      verified: %s", decc_dcap_tcb_status_name(r.status));
    else
      printf("result      REFUSED (%s): %s", code, err.msg);
    if (pol)
      printf("\npolicy      %s", vst  ? "not reached"
                                 : st ? "refused"
                                      : "accepted");
    printf("\n");
    if (r.platform_status)
      printf("tcb         platform %s, QE %s%s%s, level of %s\n",
             decc_dcap_tcb_status_name(r.platform_status),
             decc_dcap_tcb_status_name(r.qe_status), tdx ? ", TDX module " : "",
             tdx ? decc_dcap_tcb_status_name(r.module_status) : "", r.tcb_date);
    printf("advisories  ");
    for (size_t i = 0; i < r.n_advisories; i++)
      printf("%s%s", i ? " " : "", r.advisories[i]);
    printf("%s\n", r.n_advisories ? "" : "none");
    if (r.checks & DECC_DCAP_CHECK_PCK_CHAIN)
      printf("fmspc       %02X%02X%02X%02X%02X%02X (PCK %s CA, PCESVN %u)\n",
             r.fmspc[0], r.fmspc[1], r.fmspc[2], r.fmspc[3], r.fmspc[4],
             r.fmspc[5], r.pck_ca_platform ? "Platform" : "Processor",
             (unsigned)r.pck_pcesvn);
    if (parsed) {
      json_t *m = measurements(q);
      const char *k;
      json_t *val;
      json_object_foreach(m, k, val) {
        if (json_is_string(val))
          printf("%-13s %s\n", k, json_string_value(val));
        else
          printf("%-13s %lld\n", k, (long long)json_integer_value(val));
      }
      json_decref(m);
    }
  }
  rc = st == DECC_OK ? CLI_OK : CLI_FAIL;
out:
  decc_dcap_policy_destroy(pol);
  decc_dcap_verifier_destroy(v);
  decc_dcap_collateral_destroy(c);
  decc_free(coll);
  decc_free(cache);
  decc_free(quote);
  return rc;
}

/* `decc attest` has one subcommand: its help is verify's, generated from
 * the table (so the man page lists the options too). */
static const cli_sub SUBS[] = {
    {"verify", "QUOTE (--collateral FILE | --pccs URL): verify a DCAP quote",
     attest_verify},
    {NULL, NULL, NULL}};

int cli_cmd_attest(int argc, char **argv) {
  return cli_dispatch("attest",
                      "Intel TDX and SGX DCAP quotes, verified up to the "
                      "pinned Intel SGX Root CA.\n",
                      SUBS, argc, argv);
}
