/*
 * genesis.c — the ledger's genesis: defaults (dev chain on Arbitrum One's
 * contract addresses), the genesis JSON format (parse + canonical form
 * stored in the ledger for replay), deterministic dev keys, and writing
 * the initial state and block 0.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "ledger/ledger_int.h"

static const struct {
  const char *name;
  uint64_t time_ref;
} DEFAULT_CATEGORIES[] = {
    {"XS", 300}, {"S", 1200}, {"M", 3600}, {"L", 10800}, {"XL", 36000}};

/* Arbitrum One deployment (@iexec/poco 6.1.0 deployments/arbitrum, and
 * DataProtector core from the dataprotector-sdk config). */
static const char *const ADDR_HUB =
    "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0";
static const char *const ADDR_APPREG =
    "0x9950D94fb074182ee93ff79A50Cd698C4983281F";
static const char *const ADDR_DSREG =
    "0x07Cc4E1EA30dD02796795876509A3BfC5053128D";
static const char *const ADDR_WPREG =
    "0xe3c13bb4A5068601c6A08041Cb50887B07B5F398";
static const char *const ADDR_RLC =
    "0xe649e6a1F2afc63ca268C2363691ceCAF75CF47C";
static const char *const ADDR_DP = "0xF08f91F7646FDb95a4E24977b8Db91318252A667";

static void parse_const(decc_address *a, const char *s) {
  if (decc_address_parse(a, s, NULL) != DECC_OK)
    memset(a, 0, sizeof *a); /* unreachable: constants above are valid */
}

/* DECC_GENESIS_DEV_NATIVE_ETH ether in wei. */
static decc_u256 dev_native_default(void) {
  decc_u256 v = decc_u256_from_u64(DECC_GENESIS_DEV_NATIVE_ETH), r;
  decc_u256 wei = decc_u256_from_u64(1000000000000000000ull);
  if (decc_u256_mul(&r, &v, &wei) != DECC_OK) /* 10^22 fits: unreachable */
    r = v;
  return r;
}

decc_status decc_genesis_default(decc_genesis *g) {
  DECC_ARG_CHECK(g != NULL);
  memset(g, 0, sizeof *g);
  g->chain_id = DECC_LEDGER_DEFAULT_CHAIN_ID;
  parse_const(&g->addr.hub, ADDR_HUB);
  parse_const(&g->addr.app_registry, ADDR_APPREG);
  parse_const(&g->addr.dataset_registry, ADDR_DSREG);
  parse_const(&g->addr.workerpool_registry, ADDR_WPREG);
  parse_const(&g->addr.token, ADDR_RLC);
  parse_const(&g->addr.dataprotector, ADDR_DP);
  g->dev_accounts = 10;
  g->dev_rlc = decc_u256_from_u64(1000000ull * 1000000000ull);
  g->dev_stake = decc_u256_from_u64(1000ull * 1000000000ull);
  g->dev_native = dev_native_default();
  for (size_t i = 0; i < 5; i++) {
    snprintf(g->categories[i].name, sizeof g->categories[i].name, "%s",
             DEFAULT_CATEGORIES[i].name);
    snprintf(g->categories[i].description, sizeof g->categories[i].description,
             "{}");
    g->categories[i].time_ref = DEFAULT_CATEGORIES[i].time_ref;
  }
  g->n_categories = 5;
  /* owner: dev account 0's address, so admin calls work in dev mode */
  uint8_t sk[32];
  decc_status s = decc_ledger_dev_key(sk, 0);
  if (s == DECC_OK)
    s = decc_address_from_privkey(&g->owner, sk);
  decc_memzero(sk, sizeof sk);
  return s;
}

/* Arbitrum Sepolia addresses the official SDKs default to (iexec 9.0.1
 * common/utils/config.js: hub; @iexec/dataprotector 2.0.0-beta.27
 * config/config.js: DataProtector core and default workerpool), and the
 * DataProtector SDK's Arbitrum One default workerpool. */
static const char *const SEPOLIA_HUB =
    "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E";
static const char *const SEPOLIA_DP =
    "0x168eaf6c33a77e3cad9db892452f51a5d91df621";
static const char *const SEPOLIA_WP =
    "0xB967057a21dc6A66A29721d96b8Aa7454B7c383F";
static const char *const MAINNET_WP =
    "0x2C06263943180Cc024dAFfeEe15612DB6e5fD248";
/* Dev account that owns a profile's workerpool (decc's dev convention:
 * 1 data owner, 2 requester, 3 pool operator, 4 worker). */
#define PROFILE_POOL_OWNER 3u

static decc_status add_profile_pool(decc_genesis *g, const char *addr,
                                    decc_err *err) {
  uint8_t sk[32];
  decc_genesis_workerpool *w = &g->workerpools[g->n_workerpools];
  parse_const(&w->address, addr);
  decc_status s = decc_ledger_dev_key(sk, PROFILE_POOL_OWNER);
  if (s == DECC_OK)
    s = decc_address_from_privkey(&w->owner, sk);
  decc_memzero(sk, sizeof sk);
  if (s != DECC_OK)
    return decc_err_set(err, s, "genesis: cannot derive dev account %u",
                        PROFILE_POOL_OWNER);
  snprintf(w->description, sizeof w->description,
           "decc dev workerpool (SDK default address)");
  g->n_workerpools++;
  return DECC_OK;
}

decc_status decc_genesis_profile(decc_genesis *g, const char *name,
                                 int allow_mainnet, decc_err *err) {
  DECC_ARG_CHECK(g != NULL);
  DECC_ARG_CHECK(name != NULL);
  decc_status s = decc_genesis_default(g);
  if (s != DECC_OK)
    return decc_err_set(err, s, "genesis: cannot derive dev keys");
  if (!strcmp(name, "dev"))
    return DECC_OK;
  if (!strcmp(name, "arbitrum-sepolia")) {
    g->chain_id = 421614;
    parse_const(&g->addr.hub, SEPOLIA_HUB);
    parse_const(&g->addr.dataprotector, SEPOLIA_DP);
    return add_profile_pool(g, SEPOLIA_WP, err);
  }
  if (!strcmp(name, "arbitrum-mainnet")) {
    if (!allow_mainnet)
      return decc_err_set(err, DECC_E_INVALID,
                          "profile arbitrum-mainnet gives the local chain "
                          "Arbitrum One's chain id 42161: what is signed for "
                          "it is valid on mainnet; use arbitrum-sepolia, or "
                          "force it explicitly");
    g->chain_id = 42161;
    return add_profile_pool(g, MAINNET_WP, err);
  }
  return decc_err_set(err, DECC_E_INVALID,
                      "unknown profile '%s' (dev, arbitrum-sepolia, "
                      "arbitrum-mainnet)",
                      name);
}

void decc_genesis_clear(decc_genesis *g) {
  if (!g)
    return;
  decc_free(g->accounts);
  memset(g, 0, sizeof *g);
}

decc_status decc_ledger_dev_key(uint8_t sk32[32], unsigned i) {
  DECC_ARG_CHECK(sk32 != NULL);
  char msg[64];
  int n = snprintf(msg, sizeof msg, "decc dev account %u", i);
  decc_keccak256(sk32, msg, (size_t)n);
  if (decc_privkey_verify(sk32) != DECC_OK) {
    decc_memzero(sk32, 32);
    return DECC_E_CRYPTO;
  }
  return DECC_OK;
}

/* ---- JSON ------------------------------------------------------------------- */

static decc_status j_addr(json_t *o, const char *key, decc_address *out,
                          decc_err *err) {
  json_t *v = json_object_get(o, key);
  if (!v)
    return DECC_OK;
  if (!json_is_string(v))
    return decc_err_set(err, DECC_E_PARSE, "genesis: %s must be a string", key);
  decc_status s = decc_address_parse(out, json_string_value(v), err);
  return s != DECC_OK ? decc_err_prefix(err, "genesis: %s", key) : DECC_OK;
}

static decc_status j_amount(json_t *o, const char *key, decc_u256 *out,
                            decc_err *err) {
  json_t *v = json_object_get(o, key);
  if (!v)
    return DECC_OK;
  if (json_is_integer(v) && json_integer_value(v) >= 0) {
    *out = decc_u256_from_u64((uint64_t)json_integer_value(v));
    return DECC_OK;
  }
  if (!json_is_string(v) ||
      decc_u256_parse(out, json_string_value(v)) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE,
                        "genesis: %s must be a decimal amount string", key);
  return DECC_OK;
}

static decc_status j_u64(json_t *o, const char *key, uint64_t *out,
                         decc_err *err) {
  json_t *v = json_object_get(o, key);
  if (!v)
    return DECC_OK;
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return decc_err_set(err, DECC_E_PARSE,
                        "genesis: %s must be a non-negative integer", key);
  *out = (uint64_t)json_integer_value(v);
  return DECC_OK;
}

decc_status decc_genesis_from_json(decc_genesis *g, const char *json,
                                   size_t len, decc_err *err) {
  DECC_ARG_CHECK(g != NULL);
  DECC_ARG_CHECK(json != NULL || len == 0);
  /* (an empty document — e.g. an empty blob read back from a damaged
   * ledger, which may come as NULL — is a parse error, not misuse) */
  if (!json)
    json = "";
  if (len > DECC_GENESIS_MAX_BYTES)
    return decc_err_set(err, DECC_E_LIMIT, "genesis: file too large");
  decc_status s = decc_genesis_default(g);
  if (s != DECC_OK)
    return decc_err_set(err, s, "genesis: cannot derive dev keys");
  json_error_t je;
  json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  if (!root || !json_is_object(root)) {
    json_decref(root);
    return decc_err_set(err, DECC_E_PARSE, "genesis: line %d: %s", je.line,
                        root ? "not an object" : je.text);
  }
  json_t *x;
  if ((s = j_u64(root, "chainId", &g->chain_id, err)) != DECC_OK ||
      (s = j_u64(root, "timestamp", &g->timestamp, err)) != DECC_OK ||
      (s = j_addr(root, "owner", &g->owner, err)) != DECC_OK)
    goto out;
  if (g->chain_id == 0 || g->chain_id > (uint64_t)INT64_MAX ||
      g->timestamp > (uint64_t)INT64_MAX / 2) {
    s = decc_err_set(err, DECC_E_RANGE, "genesis: chainId/timestamp range");
    goto out;
  }
  if ((x = json_object_get(root, "contracts"))) {
    if ((s = j_addr(x, "hub", &g->addr.hub, err)) != DECC_OK ||
        (s = j_addr(x, "appRegistry", &g->addr.app_registry, err)) != DECC_OK ||
        (s = j_addr(x, "datasetRegistry", &g->addr.dataset_registry, err)) !=
            DECC_OK ||
        (s = j_addr(x, "workerpoolRegistry", &g->addr.workerpool_registry,
                    err)) != DECC_OK ||
        (s = j_addr(x, "token", &g->addr.token, err)) != DECC_OK ||
        (s = j_addr(x, "dataProtector", &g->addr.dataprotector, err)) !=
            DECC_OK)
      goto out;
  }
  if ((x = json_object_get(root, "devAccounts"))) {
    uint64_t n = g->dev_accounts;
    if ((s = j_u64(x, "count", &n, err)) != DECC_OK ||
        (s = j_amount(x, "rlc", &g->dev_rlc, err)) != DECC_OK ||
        (s = j_amount(x, "stake", &g->dev_stake, err)) != DECC_OK ||
        (s = j_amount(x, "native", &g->dev_native, err)) != DECC_OK)
      goto out;
    if (n > DECC_GENESIS_MAX_ACCOUNTS) {
      s = decc_err_set(err, DECC_E_LIMIT, "genesis: too many dev accounts");
      goto out;
    }
    g->dev_accounts = (unsigned)n;
  }
  if ((x = json_object_get(root, "accounts"))) {
    size_t n = json_array_size(x);
    if (!json_is_array(x) || n > DECC_GENESIS_MAX_ACCOUNTS) {
      s = decc_err_set(err, DECC_E_LIMIT,
                       "genesis: accounts must be an array of at most %d",
                       DECC_GENESIS_MAX_ACCOUNTS);
      goto out;
    }
    g->accounts = decc_calloc(n ? n : 1, sizeof *g->accounts);
    if (!g->accounts) {
      s = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      goto out;
    }
    for (size_t i = 0; i < n; i++) {
      json_t *a = json_array_get(x, i);
      decc_genesis_account *ga = &g->accounts[i];
      if (!json_is_object(a) || !json_object_get(a, "address")) {
        s = decc_err_set(err, DECC_E_PARSE, "genesis: accounts[%zu]", i);
        goto out;
      }
      if ((s = j_addr(a, "address", &ga->address, err)) != DECC_OK ||
          (s = j_amount(a, "rlc", &ga->rlc, err)) != DECC_OK ||
          (s = j_amount(a, "stake", &ga->stake, err)) != DECC_OK ||
          (s = j_amount(a, "native", &ga->native, err)) != DECC_OK)
        goto out;
      g->n_accounts++;
    }
  }
  if ((x = json_object_get(root, "categories"))) {
    size_t n = json_array_size(x);
    if (!json_is_array(x) || n > DECC_GENESIS_MAX_CATEGORIES) {
      s = decc_err_set(err, DECC_E_LIMIT, "genesis: bad categories");
      goto out;
    }
    g->n_categories = 0;
    for (size_t i = 0; i < n; i++) {
      json_t *cj = json_array_get(x, i);
      json_t *nm = json_object_get(cj, "name"),
             *ds = json_object_get(cj, "description");
      decc_genesis_category *gc = &g->categories[i];
      if (!json_is_string(nm) ||
          strlen(json_string_value(nm)) >= sizeof gc->name ||
          (ds && (!json_is_string(ds) ||
                  strlen(json_string_value(ds)) >= sizeof gc->description))) {
        s = decc_err_set(err, DECC_E_PARSE, "genesis: categories[%zu]", i);
        goto out;
      }
      snprintf(gc->name, sizeof gc->name, "%s", json_string_value(nm));
      snprintf(gc->description, sizeof gc->description, "%s",
               ds ? json_string_value(ds) : "{}");
      if ((s = j_u64(cj, "workClockTimeRef", &gc->time_ref, err)) != DECC_OK)
        goto out;
      if (gc->time_ref == 0 || gc->time_ref > (uint64_t)INT64_MAX / 16) {
        s = decc_err_set(err, DECC_E_RANGE,
                         "genesis: categories[%zu].workClockTimeRef", i);
        goto out;
      }
      g->n_categories++;
    }
  }
  if ((x = json_object_get(root, "workerpools"))) {
    size_t n = json_array_size(x);
    if (!json_is_array(x) || n > DECC_GENESIS_MAX_WORKERPOOLS) {
      s = decc_err_set(err, DECC_E_LIMIT,
                       "genesis: workerpools must be an array of at most %d",
                       DECC_GENESIS_MAX_WORKERPOOLS);
      goto out;
    }
    for (size_t i = 0; i < n; i++) {
      json_t *w = json_array_get(x, i), *ds;
      decc_genesis_workerpool *gw = &g->workerpools[i];
      if (!json_is_object(w) || !json_object_get(w, "address") ||
          !json_object_get(w, "owner") ||
          ((ds = json_object_get(w, "description")) &&
           (!json_is_string(ds) ||
            strlen(json_string_value(ds)) >= sizeof gw->description))) {
        s = decc_err_set(err, DECC_E_PARSE,
                         "genesis: workerpools[%zu] needs address, owner and "
                         "a description under %zu bytes",
                         i, sizeof gw->description);
        goto out;
      }
      if ((s = j_addr(w, "address", &gw->address, err)) != DECC_OK ||
          (s = j_addr(w, "owner", &gw->owner, err)) != DECC_OK)
        goto out;
      snprintf(gw->description, sizeof gw->description, "%s",
               ds ? json_string_value(ds) : "");
      g->n_workerpools++;
    }
  }
  s = DECC_OK;
out:
  json_decref(root);
  if (s != DECC_OK)
    decc_genesis_clear(g);
  return s;
}

static json_t *j_hexaddr(const decc_address *a) {
  char h[DECC_ADDRESS_HEX_LEN];
  return json_string(decc_address_to_checksum(h, a));
}

static json_t *j_dec(const decc_u256 *v) {
  char d[DECC_U256_DEC_LEN];
  return json_string(decc_u256_to_dec(d, v));
}

decc_status decc_genesis_to_json(char **out, const decc_genesis *g) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(g != NULL);
  *out = NULL;
  json_t *root = json_object(), *c = json_object(), *dev = json_object(),
         *acc = json_array(), *cats = json_array();
  if (!root || !c || !dev || !acc || !cats)
    goto oom;
  json_object_set_new(root, "chainId", json_integer((json_int_t)g->chain_id));
  json_object_set_new(root, "timestamp",
                      json_integer((json_int_t)g->timestamp));
  json_object_set_new(root, "owner", j_hexaddr(&g->owner));
  json_object_set_new(c, "hub", j_hexaddr(&g->addr.hub));
  json_object_set_new(c, "appRegistry", j_hexaddr(&g->addr.app_registry));
  json_object_set_new(c, "datasetRegistry",
                      j_hexaddr(&g->addr.dataset_registry));
  json_object_set_new(c, "workerpoolRegistry",
                      j_hexaddr(&g->addr.workerpool_registry));
  json_object_set_new(c, "token", j_hexaddr(&g->addr.token));
  json_object_set_new(c, "dataProtector", j_hexaddr(&g->addr.dataprotector));
  json_object_set_new(root, "contracts", c);
  c = NULL;
  json_object_set_new(dev, "count", json_integer(g->dev_accounts));
  json_object_set_new(dev, "rlc", j_dec(&g->dev_rlc));
  json_object_set_new(dev, "stake", j_dec(&g->dev_stake));
  /* "native" only when not the default: ledgers made before it existed
   * re-serialise their genesis byte for byte (verify replays it). */
  decc_u256 dn = dev_native_default();
  if (decc_u256_cmp(&g->dev_native, &dn) != 0)
    json_object_set_new(dev, "native", j_dec(&g->dev_native));
  json_object_set_new(root, "devAccounts", dev);
  dev = NULL;
  for (size_t i = 0; i < g->n_accounts; i++) {
    json_t *a = json_object();
    if (!a)
      goto oom;
    json_object_set_new(a, "address", j_hexaddr(&g->accounts[i].address));
    json_object_set_new(a, "rlc", j_dec(&g->accounts[i].rlc));
    json_object_set_new(a, "stake", j_dec(&g->accounts[i].stake));
    if (!decc_u256_is_zero(&g->accounts[i].native))
      json_object_set_new(a, "native", j_dec(&g->accounts[i].native));
    json_array_append_new(acc, a);
  }
  json_object_set_new(root, "accounts", acc);
  acc = NULL;
  for (size_t i = 0; i < g->n_categories; i++) {
    json_t *k = json_object();
    if (!k)
      goto oom;
    json_object_set_new(k, "name", json_string(g->categories[i].name));
    json_object_set_new(k, "description",
                        json_string(g->categories[i].description));
    json_object_set_new(k, "workClockTimeRef",
                        json_integer((json_int_t)g->categories[i].time_ref));
    json_array_append_new(cats, k);
  }
  json_object_set_new(root, "categories", cats);
  cats = NULL;
  /* Only when present: genesis documents (and block 0 hashes) of ledgers
   * without fixed workerpools keep their exact bytes. */
  if (g->n_workerpools) {
    json_t *wps = json_array();
    if (!wps)
      goto oom;
    json_object_set_new(root, "workerpools", wps);
    for (size_t i = 0; i < g->n_workerpools; i++) {
      json_t *w = json_object();
      if (!w)
        goto oom;
      json_object_set_new(w, "address", j_hexaddr(&g->workerpools[i].address));
      json_object_set_new(w, "owner", j_hexaddr(&g->workerpools[i].owner));
      json_object_set_new(w, "description",
                          json_string(g->workerpools[i].description));
      json_array_append_new(wps, w);
    }
  }
  char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (!s)
    return DECC_E_NOMEM;
  *out = decc_strdup(s);
  free(s);
  return *out ? DECC_OK : DECC_E_NOMEM;
oom:
  json_decref(root);
  json_decref(c);
  json_decref(dev);
  json_decref(acc);
  json_decref(cats);
  return DECC_E_NOMEM;
}

/* ---- applying ----------------------------------------------------------------- */

static decc_status credit(decc_ledger *l, const decc_address *a,
                          const decc_u256 *rlc, const decc_u256 *stake,
                          decc_u256 *rlc_supply, decc_u256 *hub_supply,
                          decc_err *err) {
  decc_u256 v, f;
  decc_status s;
  if (decc_u256_add(rlc_supply, rlc_supply, rlc) != DECC_OK ||
      decc_u256_add(rlc_supply, rlc_supply, stake) != DECC_OK ||
      decc_u256_add(hub_supply, hub_supply, stake) != DECC_OK)
    return decc_err_set(err, DECC_E_RANGE, "genesis: supply overflow");
  if (!decc_u256_is_zero(rlc)) {
    if ((s = ldg_rlc_balance(l, a, &v, err)) != DECC_OK)
      return s;
    if (decc_u256_add(&v, &v, rlc) != DECC_OK)
      return decc_err_set(err, DECC_E_RANGE, "genesis: balance overflow");
    if ((s = ldg_rlc_set_balance(l, a, &v, err)) != DECC_OK)
      return s;
  }
  if (!decc_u256_is_zero(stake)) {
    if ((s = ldg_escrow_get(l, a, &v, &f, err)) != DECC_OK)
      return s;
    if (decc_u256_add(&v, &v, stake) != DECC_OK)
      return decc_err_set(err, DECC_E_RANGE, "genesis: stake overflow");
    if ((s = ldg_escrow_set(l, a, &v, &f, err)) != DECC_OK)
      return s;
  }
  return DECC_OK;
}

decc_status ldg_apply_genesis(decc_ledger *l, const decc_genesis *g,
                              decc_err *err) {
  if (g->chain_id == 0 || g->chain_id > (uint64_t)INT64_MAX)
    return decc_err_set(err, DECC_E_INVALID, "genesis: bad chain id");
  if (g->n_categories == 0)
    return decc_err_set(err, DECC_E_INVALID, "genesis: no category");
  const decc_address *sys[6] = {&g->addr.hub,
                                &g->addr.app_registry,
                                &g->addr.dataset_registry,
                                &g->addr.workerpool_registry,
                                &g->addr.token,
                                &g->addr.dataprotector};
  for (int i = 0; i < 6; i++) {
    if (decc_address_is_zero(sys[i]))
      return decc_err_set(err, DECC_E_INVALID,
                          "genesis: zero contract address");
    for (int k = 0; k < i; k++)
      if (decc_address_eq(sys[i], sys[k]))
        return decc_err_set(err, DECC_E_INVALID,
                            "genesis: two contracts share an address");
  }
  /* The stored genesis carries the actual time so replays match. */
  uint64_t ts = g->timestamp ? g->timestamp : (uint64_t)time(NULL);
  decc_genesis fixed = *g;
  fixed.timestamp = ts;
  char *json = NULL;
  decc_status s = decc_genesis_to_json(&json, &fixed);
  if (s != DECC_OK)
    return decc_err_set(err, s, "out of memory");
  if ((s = ldg_meta_set_i64(l, "schema", LDG_SCHEMA_VERSION, err)) != DECC_OK ||
      (s = ldg_meta_set_i64(l, "chain_id", (int64_t)g->chain_id, err)) !=
          DECC_OK ||
      (s = ldg_meta_set_i64(l, "time_offset", 0, err)) != DECC_OK ||
      (s = ldg_meta_set_blob(l, "genesis", json, strlen(json), err)) !=
          DECC_OK ||
      (s = ldg_meta_set_i64(l, "genesis_timestamp", (int64_t)ts, err)) !=
          DECC_OK ||
      (s = ldg_meta_set_blob(l, "hub", g->addr.hub.b, 20, err)) != DECC_OK ||
      (s = ldg_meta_set_blob(l, "app_registry", g->addr.app_registry.b, 20,
                             err)) != DECC_OK ||
      (s = ldg_meta_set_blob(l, "dataset_registry", g->addr.dataset_registry.b,
                             20, err)) != DECC_OK ||
      (s = ldg_meta_set_blob(l, "workerpool_registry",
                             g->addr.workerpool_registry.b, 20, err)) !=
          DECC_OK ||
      (s = ldg_meta_set_blob(l, "token", g->addr.token.b, 20, err)) !=
          DECC_OK ||
      (s = ldg_meta_set_blob(l, "dataprotector", g->addr.dataprotector.b, 20,
                             err)) != DECC_OK ||
      (s = ldg_meta_set_blob(l, "owner", g->owner.b, 20, err)) != DECC_OK)
    goto out;
  decc_u256 rlc_supply = decc_u256_from_u64(0), hub_supply = rlc_supply;
  for (unsigned i = 0; i < g->dev_accounts; i++) {
    uint8_t sk[32];
    decc_address a;
    s = decc_ledger_dev_key(sk, i);
    if (s == DECC_OK)
      s = decc_address_from_privkey(&a, sk);
    decc_memzero(sk, sizeof sk);
    if (s != DECC_OK) {
      s = decc_err_set(err, s, "genesis: dev key %u", i);
      goto out;
    }
    if ((s = credit(l, &a, &g->dev_rlc, &g->dev_stake, &rlc_supply, &hub_supply,
                    err)) != DECC_OK)
      goto out;
  }
  for (size_t i = 0; i < g->n_accounts; i++)
    if ((s = credit(l, &g->accounts[i].address, &g->accounts[i].rlc,
                    &g->accounts[i].stake, &rlc_supply, &hub_supply, err)) !=
        DECC_OK)
      goto out;
  /* The hub holds the RLC backing every stake. */
  if ((s = ldg_rlc_set_balance(l, &g->addr.hub, &hub_supply, err)) != DECC_OK ||
      (s = ldg_kv_set(l, "rlc.supply", &rlc_supply, err)) != DECC_OK ||
      (s = ldg_kv_set(l, "hub.supply", &hub_supply, err)) != DECC_OK)
    goto out;
  for (size_t i = 0; i < g->n_categories; i++)
    if ((s = ldg_category_add(l, g->categories[i].name,
                              g->categories[i].description,
                              g->categories[i].time_ref, NULL, err)) != DECC_OK)
      goto out;
  for (size_t i = 0; i < g->n_workerpools; i++) {
    const decc_genesis_workerpool *w = &g->workerpools[i];
    int clash = decc_address_is_zero(&w->address);
    for (int k = 0; k < 6; k++)
      clash |= decc_address_eq(&w->address, sys[k]);
    ldg_entry prev;
    int found = 0;
    if (!clash &&
        (s = ldg_entry_get(l, &w->address, &prev, &found, err)) != DECC_OK)
      goto out;
    if (found)
      ldg_entry_clear(&prev);
    if (clash || found) {
      s = decc_err_set(err, DECC_E_INVALID,
                       "genesis: workerpools[%zu]: address zero or already "
                       "used",
                       i);
      goto out;
    }
    /* Ratios as WorkerpoolRegistry.createWorkerpool sets them. */
    ldg_entry e = {.kind = LDG_WORKERPOOL,
                   .address = w->address,
                   .owner = w->owner,
                   .name = (char *)w->description,
                   .worker_stake_ratio = 30,
                   .scheduler_reward_ratio = 1};
    if ((s = ldg_entry_insert(l, &e, err)) != DECC_OK)
      goto out;
  }
  /* Block 0: parent 0, tx root = keccak256(genesis JSON). */
  uint8_t zero[32], txroot[32], rcroot[32], hdr[120], hash[32];
  memset(zero, 0, 32);
  decc_keccak256(txroot, json, strlen(json));
  decc_keccak256(rcroot, "", 0);
  memcpy(hdr, zero, 32);
  for (int i = 0; i < 8; i++) {
    hdr[32 + i] = 0;
    hdr[40 + i] = (uint8_t)(ts >> (56 - 8 * i));
    hdr[48 + i] = 0;
  }
  memcpy(hdr + 56, txroot, 32);
  memcpy(hdr + 88, rcroot, 32);
  decc_keccak256(hash, hdr, sizeof hdr);
  s = ldg_exec(l, "INSERT INTO blocks VALUES(0, ?1, ?2, ?3, 0, ?4, ?5)", err,
               "hhihh", hash, zero, (int64_t)ts, txroot, rcroot);
out:
  decc_free(json);
  return s;
}
