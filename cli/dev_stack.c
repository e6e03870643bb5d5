/*
 * dev_stack.c — the set-up steps `decc demo` and `decc dev` share (see
 * dev_stack.h): saving a wallet with its password file, and making sure a
 * workerpool exists with an open order in the data directory's market.
 */
#include "dev_stack.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "decc/encoding.h"
#include "decc/keys.h"
#include "decc/keystore.h"
#include "decc/market.h"
#include "decc/mem.h"

int cli_dev_wallet_save(const char *home, const char *name,
                        const uint8_t sk[32], decc_address *addr) {
  decc_err err;
  decc_err_clear(&err);
  decc_address a;
  if (decc_address_from_privkey(&a, sk) != DECC_OK)
    return cli_fail("wallet %s: not a valid secp256k1 key", name);
  if (addr)
    *addr = a;
  char dir[4096], path[4200], pwpath[4200], pw[33];
  snprintf(dir, sizeof dir, "%s/wallets", home);
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    return cli_fail("%s: %s", dir, strerror(errno));
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  snprintf(pwpath, sizeof pwpath, "%s/%s.password", dir, name);
  if (access(path, F_OK) == 0) {
    /* Already there (a previous run): keep it when it is the same key. */
    size_t len = 0;
    char *json = cli_read_file(path, 64 * 1024, &len, 0);
    if (!json)
      return CLI_FAIL;
    decc_address have;
    decc_status st = decc_keystore_address(&have, json, len, &err);
    decc_free(json);
    if (st == DECC_OK && !memcmp(have.b, a.b, sizeof a.b) &&
        access(pwpath, R_OK) == 0)
      return CLI_OK;
    char x[DECC_ADDRESS_HEX_LEN];
    return cli_fail("%s exists and is not the wallet of %s (with its "
                    "password file %s): move it away or use another --home",
                    path, decc_address_to_checksum(x, &a), pwpath);
  }
  uint8_t r[16];
  if (decc_random_bytes(r, sizeof r) != DECC_OK)
    return cli_fail("no randomness");
  decc_hex_encode(pw, r, 16, 0);
  decc_memzero(r, sizeof r);
  decc_keystore_params kp = {DECC_KDF_SCRYPT, 1u << 14, 8, 1, 0};
  char *json = NULL;
  if (decc_keystore_encrypt(&json, sk, pw, strlen(pw), &kp, &err) != DECC_OK) {
    decc_memzero(pw, sizeof pw);
    return cli_fail("wallet %s: %s", name, err.msg);
  }
  /* The password first: a keystore never exists without it. */
  int rc = cli_write_file_atomic(pwpath, pw, strlen(pw), 0600);
  decc_memzero(pw, sizeof pw);
  if (rc == CLI_OK)
    rc = cli_write_file_atomic(path, json, strlen(json), 0600);
  decc_free(json);
  return rc;
}

/* 1 when the market lists an open order of workerpool wp, 0 if not, -1 on
 * error. */
static int pool_has_order(decc_dp *dp, const decc_address *wp, decc_err *err) {
  decc_market *m = decc_dp_market(dp);
  if (!m)
    return 0; /* a remote market: publish, an extra order is harmless */
  if (decc_dp_sync_market(dp, err) != DECC_OK)
    return -1;
  decc_market_filter f;
  decc_market_filter_init(&f);
  f.has_resource = 1;
  f.resource = *wp;
  f.has_category = 1;
  f.category = 0;
  f.app.mode = f.dataset.mode = f.requester.mode = DECC_MF_ANY;
  char *js = NULL;
  if (decc_market_query(m, DECC_ORDER_WORKERPOOL, &f, &js, err) != DECC_OK)
    return -1;
  json_error_t je;
  json_t *j = json_loads(js, 0, &je);
  decc_free(js);
  json_int_t n = json_integer_value(json_object_get(j, "count"));
  json_decref(j);
  return n > 0;
}

decc_status cli_dev_pool_ready(decc_dp *dp, const char *description,
                               uint64_t price, uint64_t volume,
                               decc_address *wp, int *published,
                               decc_err *err) {
  *published = 0;
  decc_status st = decc_dp_workerpool_create(dp, wp, description, err);
  if (st)
    return st;
  int has = pool_has_order(dp, wp, err);
  if (has < 0)
    return err->code ? err->code : DECC_E_IO;
  if (has)
    return DECC_OK;
  decc_dp_publish_opts po;
  memset(&po, 0, sizeof po);
  po.price = decc_u256_from_u64(price);
  po.volume = volume;
  st = decc_dp_publish_workerpoolorder(dp, NULL, wp, &po, err);
  if (!st)
    *published = 1;
  return st;
}
