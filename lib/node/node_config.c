/*
 * node_config.c — the node's configuration: one table of keys shared by
 * the JSON file, the environment and the command line, so the three
 * sources accept exactly the same names and values and validate them in
 * one place. Precedence is the caller's order of application.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "decc/http.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/node.h"
#include "node_int.h"

#define CONFIG_FILE_MAX (64u * 1024)

typedef enum { K_STR, K_U16, K_UINT, K_SIZE, K_U64, K_BOOL, K_ROLES } kind;

typedef struct key_def {
  const char *name;
  kind k;
  size_t off;
  uint64_t min, max;
} key_def;

#define OFF(f) offsetof(decc_node_config, f)
static const key_def KEYS[] = {
    {"home", K_STR, OFF(home), 0, 0},
    {"bind", K_STR, OFF(bind), 0, 0},
    {"port", K_U16, OFF(port), 0, 65535},
    {"roles", K_ROLES, OFF(roles), 0, 0},
    {"threads", K_UINT, OFF(threads), 1, 64},
    {"max_connections", K_UINT, OFF(max_connections), 1, 100000},
    {"timeout", K_UINT, OFF(timeout_s), 1, 3600},
    {"max_body", K_SIZE, OFF(max_body), 1024, 64u << 20},
    {"max_header_bytes", K_SIZE, OFF(max_header_bytes), 4096, 1u << 20},
    {"max_upload", K_U64, OFF(max_upload), 1024, UINT64_C(1) << 40},
    {"rpc_max_batch", K_UINT, OFF(rpc_max_batch), 1, 10000},
    {"chain_url", K_STR, OFF(chain_url), 0, 0},
    {"sms_url", K_STR, OFF(sms_url), 0, 0},
    {"store_url", K_STR, OFF(store_url), 0, 0},
    {"scheduler_url", K_STR, OFF(scheduler_url), 0, 0},
    {"genesis", K_STR, OFF(genesis), 0, 0},
    {"hub", K_STR, OFF(hub), 0, 0},
    {"market_poll_ms", K_UINT, OFF(market_poll_ms), 10, 600000},
    {"market_refresh_s", K_UINT, OFF(market_refresh_s), 0, 86400 * 7},
    {"market_auth", K_BOOL, OFF(market_auth), 0, 1},
    {"challenge_ttl", K_UINT, OFF(challenge_ttl_s), 1, 86400},
    {"sms_passphrase_file", K_STR, OFF(sms_passphrase_file), 0, 0},
    {"sms_trusted_platforms", K_STR, OFF(sms_trusted_platforms), 0, 0},
    {"log_requests", K_BOOL, OFF(log_requests), 0, 1},
    {"log_json", K_BOOL, OFF(log_json), 0, 1},
    {"cors_origins", K_STR, OFF(cors_origins), 0, 0},
    {"workerpool", K_STR, OFF(workerpool), 0, 0},
    {"scheduler_key_file", K_STR, OFF(scheduler_key_file), 0, 0},
    {"worker_key_file", K_STR, OFF(worker_key_file), 0, 0},
    {"platform_key_file", K_STR, OFF(platform_key_file), 0, 0},
    {"workerpool_poll_ms", K_UINT, OFF(workerpool_poll_ms), 10, 600000},
    {"scheduler_workers", K_STR, OFF(scheduler_workers), 0, 0},
    {"tee_backend", K_STR, OFF(tee_backend), 0, 0},
    {"tsm_dir", K_STR, OFF(tsm_dir), 0, 0},
    {"tsm_entry", K_STR, OFF(tsm_entry), 0, 0},
    {"enclave_exec", K_STR, OFF(enclave_exec), 0, 0},
    {"sms_dcap_policy_file", K_STR, OFF(sms_dcap_policy_file), 0, 0},
    {"sms_dcap_collateral_file", K_STR, OFF(sms_dcap_collateral_file), 0, 0},
    {"sms_dcap_pccs_url", K_STR, OFF(sms_dcap_pccs_url), 0, 0},
    {"malloc_arenas", K_UINT, OFF(malloc_arenas), 0, 64},
    {"malloc_trim_kib", K_UINT, OFF(malloc_trim_kib), 0, 1u << 30},
};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

static const struct {
  const char *name;
  unsigned bit;
} ROLE_NAMES[] = {
    {"chain", DECC_NODE_ROLE_CHAIN},         {"store", DECC_NODE_ROLE_STORE},
    {"market", DECC_NODE_ROLE_MARKET},       {"sms", DECC_NODE_ROLE_SMS},
    {"scheduler", DECC_NODE_ROLE_SCHEDULER}, {"worker", DECC_NODE_ROLE_WORKER}};

void decc_node_config_init(decc_node_config *c) {
  DECC_ARG_CHECK_VOID(c != NULL);
  memset(c, 0, sizeof *c);
  c->port = DECC_NODE_DEFAULT_PORT;
  c->roles = DECC_NODE_DEFAULT_ROLES;
  c->threads = 8; /* handlers wait (fdatasync, disk, held replies) */
  c->max_connections = 256;
  c->timeout_s = 30;
  c->max_body = 1u << 20;
  c->max_header_bytes = 32u * 1024;
  c->max_upload = UINT64_C(1) << 30;
  c->rpc_max_batch = 100;
  c->market_poll_ms = 500;
  c->market_refresh_s = 60;
  c->market_auth = 1;
  c->challenge_ttl_s = 600;
  c->log_requests = 1;
  c->workerpool_poll_ms = 500;
  c->malloc_arenas = 4;
  c->malloc_trim_kib = 1024;
}

void decc_node_config_clear(decc_node_config *c) {
  DECC_ARG_CHECK_VOID(c != NULL);
  for (size_t i = 0; i < NKEYS; i++)
    if (KEYS[i].k == K_STR) {
      void *slot = (char *)c + KEYS[i].off; /* a char * member's offsetof */
      decc_free(*(char **)slot);
    }
  decc_node_config_init(c);
}

decc_status decc__node_config_copy(decc_node_config *dst,
                                   const decc_node_config *src) {
  *dst = *src;
  decc_status st = DECC_OK;
  for (size_t i = 0; i < NKEYS; i++)
    if (KEYS[i].k == K_STR) {
      void *slot = (char *)dst + KEYS[i].off; /* a char * member's offsetof */
      char **str = slot;
      if (*str && !(*str = decc_strdup(*str)))
        st = DECC_E_NOMEM;
    }
  return st;
}

const char *decc_node_config_key(size_t i) {
  return i < NKEYS ? KEYS[i].name : NULL;
}

decc_status decc_node_roles_parse(unsigned *mask, const char *s,
                                  decc_err *err) {
  DECC_ARG_CHECK(mask != NULL);
  DECC_ARG_CHECK(s != NULL);
  unsigned m = 0;
  const char *p = s;
  while (*p) {
    while (*p == ',' || *p == ' ')
      p++;
    if (!*p)
      break;
    size_t n = strcspn(p, ", ");
    if (n == 3 && !strncasecmp(p, "all", 3))
      m |= DECC_NODE_ROLE_ALL;
    else if (n == 4 && !strncasecmp(p, "none", 4))
      ;
    else {
      size_t k;
      for (k = 0; k < sizeof ROLE_NAMES / sizeof ROLE_NAMES[0]; k++)
        if (strlen(ROLE_NAMES[k].name) == n &&
            !strncasecmp(p, ROLE_NAMES[k].name, n))
          break;
      if (k == sizeof ROLE_NAMES / sizeof ROLE_NAMES[0])
        return decc_err_set(err, DECC_E_INVALID,
                            "roles: unknown role '%.*s' (chain, store, market, "
                            "sms, scheduler, worker, all, none)",
                            (int)(n > 32 ? 32 : n), p);
      m |= ROLE_NAMES[k].bit;
    }
    p += n;
  }
  *mask = m;
  return DECC_OK;
}

static decc_status parse_uint(uint64_t *out, const char *v, const key_def *k,
                              decc_err *err) {
  if (!*v || !isdigit((unsigned char)*v))
    goto bad;
  errno = 0;
  char *end = NULL;
  unsigned long long x = strtoull(v, &end, 10);
  if (errno || *end)
    goto bad;
  if (x < k->min || x > k->max)
    return decc_err_set(err, DECC_E_INVALID,
                        "%s: %llu is out of range (%llu..%llu)", k->name, x,
                        (unsigned long long)k->min, (unsigned long long)k->max);
  *out = x;
  return DECC_OK;
bad:
  return decc_err_set(err, DECC_E_INVALID, "%s: '%.40s' is not a number",
                      k->name, v);
}

decc_status decc_node_config_set(decc_node_config *c, const char *key,
                                 const char *value, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(value != NULL);
  const key_def *k = NULL;
  for (size_t i = 0; i < NKEYS; i++)
    if (!strcmp(KEYS[i].name, key))
      k = &KEYS[i];
  if (!k)
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "unknown configuration key '%.64s'", key);
  void *slot = (char *)c + k->off;
  uint64_t u = 0;
  decc_status st;
  switch (k->k) {
  case K_STR: {
    if (strlen(value) > 4096)
      return decc_err_set(err, DECC_E_INVALID, "%s: value too long", k->name);
    char *d = NULL;
    if (*value) {
      d = decc_strdup(value);
      if (!d)
        return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    if (!strcmp(k->name, "chain_url") || !strcmp(k->name, "sms_url") ||
        !strcmp(k->name, "store_url") || !strcmp(k->name, "scheduler_url")) {
      if (d && strncmp(d, "http://", 7) && strncmp(d, "https://", 8)) {
        decc_free(d);
        return decc_err_set(err, DECC_E_INVALID,
                            "%s: expected an http:// or https:// URL", k->name);
      }
    }
    if (d && !strcmp(k->name, "tee_backend") && strcmp(d, "software") &&
        strcmp(d, "tdx")) {
      decc_free(d);
      return decc_err_set(err, DECC_E_INVALID,
                          "tee_backend: expected software or tdx");
    }
    if (d && !strcmp(k->name, "cors_origins") &&
        !decc_http_cors_origins_valid(d)) {
      decc_free(d);
      return decc_err_set(err, DECC_E_INVALID,
                          "cors_origins: expected * or a comma-separated "
                          "list of origins such as https://app.example or "
                          "http://localhost:3000 (scheme://host[:port], no "
                          "path)");
    }
    if (d && (!strcmp(k->name, "hub") || !strcmp(k->name, "workerpool"))) {
      decc_address a;
      if (decc_address_parse(&a, d, NULL) != DECC_OK) {
        decc_free(d);
        return decc_err_set(err, DECC_E_INVALID, "%s: expected an address",
                            k->name);
      }
    }
    decc_free(*(char **)slot);
    *(char **)slot = d;
    return DECC_OK;
  }
  case K_BOOL:
    if (!strcasecmp(value, "true") || !strcmp(value, "1") ||
        !strcasecmp(value, "yes") || !strcasecmp(value, "on"))
      *(int *)slot = 1;
    else if (!strcasecmp(value, "false") || !strcmp(value, "0") ||
             !strcasecmp(value, "no") || !strcasecmp(value, "off"))
      *(int *)slot = 0;
    else
      return decc_err_set(err, DECC_E_INVALID,
                          "%s: '%.40s' is not a boolean (true/false)", k->name,
                          value);
    return DECC_OK;
  case K_ROLES:
    return decc_node_roles_parse((unsigned *)slot, value, err);
  case K_U16:
  case K_UINT:
  case K_SIZE:
  case K_U64:
    st = parse_uint(&u, value, k, err);
    if (st)
      return st;
    if (k->k == K_U16)
      *(uint16_t *)slot = (uint16_t)u;
    else if (k->k == K_UINT)
      *(unsigned *)slot = (unsigned)u;
    else if (k->k == K_SIZE)
      *(size_t *)slot = (size_t)u;
    else
      *(uint64_t *)slot = u;
    return DECC_OK;
  }
  return DECC_E_INVALID;
}

decc_status decc_node_config_load_json(decc_node_config *c, const char *json,
                                       size_t len, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(json != NULL);
  if (len > CONFIG_FILE_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "config: larger than %u bytes",
                        CONFIG_FILE_MAX);
  json_error_t je;
  json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  if (!root)
    return decc_err_set(err, DECC_E_PARSE, "config: line %d col %d: %s",
                        je.line, je.column, je.text);
  if (!json_is_object(root)) {
    json_decref(root);
    return decc_err_set(err, DECC_E_PARSE, "config: expected a JSON object");
  }
  decc_status st = DECC_OK;
  const char *key;
  json_t *v;
  json_object_foreach(root, key, v) {
    char text[4200];
    if (json_is_string(v)) {
      snprintf(text, sizeof text, "%s", json_string_value(v));
      if (strlen(json_string_value(v)) >= sizeof text) {
        st = decc_err_set(err, DECC_E_INVALID, "config: %s: value too long",
                          key);
        break;
      }
    } else if (json_is_integer(v)) {
      if (json_integer_value(v) < 0) {
        st = decc_err_set(err, DECC_E_INVALID, "config: %s: negative value",
                          key);
        break;
      }
      snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
    } else if (json_is_boolean(v)) {
      snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
    } else if (json_is_array(v) && !strcmp(key, "roles")) {
      size_t i, off = 0;
      json_t *e;
      text[0] = 0;
      json_array_foreach(v, i, e) {
        if (!json_is_string(e) ||
            off + strlen(json_string_value(e)) + 2 >= 256) {
          st = decc_err_set(err, DECC_E_INVALID,
                            "config: roles: expected an array of role names");
          break;
        }
        off += (size_t)snprintf(text + off, sizeof text - off, "%s%s",
                                i ? "," : "", json_string_value(e));
      }
      if (st)
        break;
    } else {
      st = decc_err_set(err, DECC_E_INVALID,
                        "config: %.64s: expected a string, number or boolean",
                        key);
      break;
    }
    st = decc_node_config_set(c, key, text, err);
    if (st) {
      decc_err_prefix(err, "config");
      break;
    }
  }
  json_decref(root);
  return st;
}

decc_status decc_node_config_load_file(decc_node_config *c, const char *path,
                                       decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(path != NULL);
  FILE *f = fopen(path, "rb");
  if (!f)
    return decc_err_set(err, DECC_E_IO, "config %s: %s", path, strerror(errno));
  char *buf = decc_malloc(CONFIG_FILE_MAX + 1);
  if (!buf) {
    fclose(f);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t n = fread(buf, 1, CONFIG_FILE_MAX + 1, f);
  int bad = ferror(f);
  fclose(f);
  decc_status st;
  if (bad)
    st = decc_err_set(err, DECC_E_IO, "config %s: read error", path);
  else if (n > CONFIG_FILE_MAX)
    st = decc_err_set(err, DECC_E_LIMIT, "config %s: larger than %u bytes",
                      path, CONFIG_FILE_MAX);
  else
    st = decc_node_config_load_json(c, buf, n, err);
  decc_free(buf);
  return st;
}

decc_status decc_node_config_load_env(decc_node_config *c, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  const char *home = getenv("DECC_HOME");
  if (home && *home) {
    decc_status st = decc_node_config_set(c, "home", home, err);
    if (st)
      return st;
  }
  for (size_t i = 0; i < NKEYS; i++) {
    char var[64] = "DECC_NODE_";
    size_t o = strlen(var);
    for (const char *p = KEYS[i].name; *p && o + 1 < sizeof var; p++)
      var[o++] = (char)toupper((unsigned char)*p);
    var[o] = 0;
    const char *v = getenv(var);
    if (!v)
      continue;
    decc_status st = decc_node_config_set(c, KEYS[i].name, v, err);
    if (st) {
      decc_err_prefix(err, "%s", var);
      return st;
    }
  }
  return DECC_OK;
}

decc_status decc_node_config_to_json(char **out, const decc_node_config *c) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(c != NULL);
  *out = NULL;
  json_t *o = json_object();
  json_t *roles = json_array();
  if (!o || !roles) {
    json_decref(o);
    json_decref(roles);
    return DECC_E_NOMEM;
  }
  for (size_t i = 0; i < sizeof ROLE_NAMES / sizeof ROLE_NAMES[0]; i++)
    if (c->roles & ROLE_NAMES[i].bit)
      json_array_append_new(roles, json_string(ROLE_NAMES[i].name));
  for (size_t i = 0; i < NKEYS; i++) {
    const key_def *k = &KEYS[i];
    const void *slot = (const char *)c + k->off;
    json_t *v = NULL;
    switch (k->k) {
    case K_STR:
      v = *(char *const *)slot ? json_string(*(char *const *)slot)
                               : json_null();
      break;
    case K_U16:
      v = json_integer(*(const uint16_t *)slot);
      break;
    case K_UINT:
      v = json_integer(*(const unsigned *)slot);
      break;
    case K_SIZE:
      v = json_integer((json_int_t) * (const size_t *)slot);
      break;
    case K_U64:
      v = json_integer((json_int_t) * (const uint64_t *)slot);
      break;
    case K_BOOL:
      v = json_boolean(*(const int *)slot);
      break;
    case K_ROLES:
      v = json_incref(roles);
      break;
    }
    json_object_set_new(o, k->name, v);
  }
  json_decref(roles);
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (!s)
    return DECC_E_NOMEM;
  *out = decc_strdup(s);
  free(s);
  return *out ? DECC_OK : DECC_E_NOMEM;
}
