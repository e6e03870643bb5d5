/*
 * fuzz_sms_session.c — libFuzzer target for the SMS session request JSON
 * (POST /tee/sessions body), the session format module (decc/session.h)
 * the document is written and read with, and the deal params reader. An
 * accepted request must serialize and parse back to the same struct (a
 * round-trip failure traps); it is then offered to an SMS on an empty
 * in-memory chain, which must refuse it with a reason (nothing is ever
 * released without a valid signature chain). A session document the
 * enclave's reader accepts must come out of the writer as a document the
 * reader accepts again; deal params the reader accepts stay in bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "decc/session.h"
#include "decc/sms.h"
#include "fuzz.h"

static decc_sms *g_sms;
static decc_sms_memchain *g_mc;
static char g_dir[64];

static void cleanup(void) {
  decc_sms_destroy(g_sms);
  decc_sms_memchain_destroy(g_mc);
  if (g_dir[0]) {
    char p[128];
    static const char *const files[] = {"secrets.sqlite", "secrets.sqlite-wal",
                                        "secrets.sqlite-shm", "vault.key",
                                        "vault.salt"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
      snprintf(p, sizeof p, "%s/%s", g_dir, files[i]);
      unlink(p);
    }
    rmdir(g_dir);
  }
}

static decc_sms *sms(void) {
  if (g_sms)
    return g_sms;
  snprintf(g_dir, sizeof g_dir, "/tmp/decc-fuzz-sms-XXXXXX");
  if (!mkdtemp(g_dir) || decc_sms_memchain_create(&g_mc) != DECC_OK)
    abort();
  decc_sms_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.vault_dir = g_dir;
  decc_sms_memchain_view(&cfg.chain, g_mc);
  if (decc_sms_create(&g_sms, &cfg, NULL) != DECC_OK)
    abort();
  atexit(cleanup);
  return g_sms;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  decc_sms_session_request r, back;
  decc_err err;
  if (decc_sms_session_request_parse(&r, (const char *)data, size, &err) ==
      DECC_OK) {
    char *json = NULL;
    if (decc_sms_session_request_to_json(&json, &r) != DECC_OK)
      __builtin_trap();
    if (decc_sms_session_request_parse(&back, json, strlen(json), &err) !=
            DECC_OK ||
        memcmp(&back, &r, sizeof r) != 0)
      __builtin_trap();
    decc_free(json);
    char sid[DECC_SMS_SESSION_ID_LEN + 1];
    uint8_t *box = NULL;
    size_t bl = 0;
    const char *code = NULL;
    if (decc_sms_release_session(sms(), &r, "0x00", sid, &box, &bl, &code,
                                 &err) == DECC_OK ||
        box || !code)
      __builtin_trap();
  }
  /* A string accepted as UTF-8 must come out as a JSON string jansson
   * would accept: quoted, no raw control characters. */
  if (decc_session_text_ok((const char *)data, size)) {
    decc_buf b;
    decc_buf_init(&b, 0);
    if (decc_session_json_str(&b, (const char *)data, size) != DECC_OK)
      __builtin_trap();
    if (b.len < 2 || b.data[0] != '"' || b.data[b.len - 1] != '"')
      __builtin_trap();
    for (size_t i = 0; i < b.len; i++)
      if (b.data[i] < 0x20)
        __builtin_trap();
    decc_buf_clear(&b);
  }
  decc_session sess, again;
  if (decc_session_parse(&sess, (const char *)data, size, &err) == DECC_OK) {
    decc_buf b;
    decc_buf_init(&b, 0);
    if (decc_session_write(&b, &sess, NULL) != DECC_OK ||
        decc_session_parse(&again, (const char *)b.data, b.len, &err) !=
            DECC_OK)
      __builtin_trap();
    if (again.n_input_files != sess.n_input_files ||
        again.n_secrets != sess.n_secrets || again.bulk != sess.bulk ||
        again.n_bulk != sess.n_bulk)
      __builtin_trap();
    decc_session_clear(&again);
    decc_buf_clear(&b);
    decc_session_clear(&sess);
  }
  decc_deal_params dp;
  if (decc_deal_params_parse(&dp, (const char *)data, size, 65536, 64, &err) ==
      DECC_OK) {
    if (!dp.args || !dp.provider || dp.n_input_files > 64 ||
        dp.n_secrets > DECC_SESSION_SECRETS_MAX)
      __builtin_trap();
    decc_deal_params_clear(&dp);
  }
  return 0;
}
