/*
 * tee_tdx.c — the Intel TDX backend behind decc_tee_backend (see
 * decc/attest.h): inside a TDX guest, a quote for decc's session claims is
 * a DCAP quote whose report data is decc_dcap_report_data of those claims,
 * obtained through Linux configfs-tsm (lib/dcap/tsm.c). The relying party
 * (the SMS) verifies the quote chain to Intel's root and recomputes the
 * report data from the claims, so nothing here is signed by decc itself:
 * the platform and signature fields stay zero.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/attest.h"
#include "decc/dcap.h"
#include "decc/mem.h"

typedef struct tdx_ctx {
  char *tsm_dir;   /* NULL: DECC_TSM_REPORT_DIR */
  char *tsm_entry; /* existing entry directory, or NULL */
} tdx_ctx;

static decc_status tdx_quote(void *ctx, decc_quote *q, decc_err *err) {
  tdx_ctx *c = ctx;
  /* The backend name is part of the digest the report data carries, so it
   * is set before the report data is computed. */
  memset(q->backend, 0, sizeof q->backend);
  memcpy(q->backend, "tdx", 3);
  memset(&q->platform, 0, sizeof q->platform);
  memset(q->signature, 0, sizeof q->signature);
  q->hw_quote_len = 0;
  uint8_t rd[64];
  decc_dcap_report_data(rd, q);
  uint8_t *blob = NULL;
  size_t n = 0;
  decc_status st =
      c->tsm_entry ? decc_tdx_tsm_quote_entry(&blob, &n, c->tsm_entry, rd, err)
                   : decc_tdx_tsm_quote(&blob, &n, c->tsm_dir, rd, err);
  if (st)
    return st;
  if (n > DECC_QUOTE_HW_MAX) {
    decc_free(blob);
    return decc_err_set(err, DECC_E_LIMIT,
                        "tdx quote: %zu bytes, more than the %u decc carries",
                        n, DECC_QUOTE_HW_MAX);
  }
  memcpy(q->hw_quote, blob, n);
  q->hw_quote_len = (uint32_t)n;
  decc_free(blob);
  return DECC_OK;
}

static decc_status dup_path(char **out, const char *p) {
  *out = NULL;
  if (!p || !*p)
    return DECC_OK;
  if (strlen(p) > 3900)
    return DECC_E_INVALID;
  *out = decc_strdup(p);
  return *out ? DECC_OK : DECC_E_NOMEM;
}

decc_status decc_tee_tdx_create(decc_tee_backend *b, const char *tsm_dir,
                                const char *tsm_entry) {
  DECC_ARG_CHECK(b != NULL);
  memset(b, 0, sizeof *b);
  tdx_ctx *c = decc_calloc(1, sizeof *c);
  if (!c)
    return DECC_E_NOMEM;
  decc_status st = dup_path(&c->tsm_dir, tsm_dir);
  if (!st)
    st = dup_path(&c->tsm_entry, tsm_entry);
  if (st) {
    decc_free(c->tsm_dir);
    decc_free(c->tsm_entry);
    decc_free(c);
    return st;
  }
  b->name = "tdx";
  b->ctx = c;
  b->quote = tdx_quote;
  return DECC_OK;
}

void decc_tee_tdx_destroy(decc_tee_backend *b) {
  if (!b || !b->ctx)
    return;
  tdx_ctx *c = b->ctx;
  decc_free(c->tsm_dir);
  decc_free(c->tsm_entry);
  decc_free(c);
  memset(b, 0, sizeof *b);
}
