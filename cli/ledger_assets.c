/*
 * ledger_assets.c — deploy / show / transfer of the three PoCo asset kinds
 * (apps, datasets, workerpools: ERC-721 entries of their registries) and
 * workerpool policy changes, shared by `decc app`, `decc dataset` and
 * `decc workerpool`. Everything goes through the same calldata a client
 * of the real registries sends (createApp, createDataset,
 * createWorkerpool, transferFrom, changePolicy) and reads the entries'
 * public views (owner(), m_appName(), …).
 *
 * Multiaddr: "/ipfs/<cid>" or "/p2p/<cid>" is stored as the binary
 * multiaddr iExec uses; anything else (a docker image, a URL) as its UTF-8
 * bytes, as the SDK does. An app deployed with --bundle must point at it:
 * /ipfs/<cid> present in the configured store, or an http(s) URL.
 *
 * `decc app deploy DIR` (or --bundle FILE without --multiaddr) does it in
 * one step: pack DIR, upload the bundle to the configured store and
 * register it (decc_dp_app_deploy).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "decc/bundle.h"
#include "decc/cid.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/store.h"
#include "dp_cli.h"
#include "ledger_assets.h"
#include "ledger_cli.h"

static const char *const KIND_NAME[3] = {"app", "dataset", "workerpool"};

static const decc_address *registry_of(const lc_info *i, int kind) {
  return kind == LC_APP       ? &i->addr.app_registry
         : kind == LC_DATASET ? &i->addr.dataset_registry
                              : &i->addr.workerpool_registry;
}

typedef struct asset_opts {
  cli_key_opts key;
  const char *name, *multiaddr, *checksum, *bundle, *type, *mrenclave, *owner,
      *wsr, *srr;
  const char *pos[2];
  int npos;
} asset_opts;

/* The options of every asset subcommand (the shared parser); each
 * subcommand then checks the ones it needs. argv[0] is the subcommand.
 * Returns CLI_RUN, or the exit code (help printed, or a usage error). */
static int parse_opts(asset_opts *o, int kind, int argc, char **argv,
                      int maxpos) {
  memset(o, 0, sizeof *o);
  cli_opt opts[] = {{"name", 0, CLI_OPT_STR, &o->name, "NAME",
                     "the name (apps, datasets)", 0, 0, 0},
                    {"description", 0, CLI_OPT_STR, &o->name, "TEXT",
                     "the description (workerpools)", 0, 0, 0},
                    {"multiaddr", 0, CLI_OPT_STR, &o->multiaddr, "M",
                     "where the app or dataset lives", 0, 0, 0},
                    {"checksum", 0, CLI_OPT_STR, &o->checksum, "0x…",
                     "its checksum (an app's: the bundle measurement)", 0, 0,
                     0},
                    {"bundle", 0, CLI_OPT_STR, &o->bundle, "FILE",
                     "an app bundle (decc app build)", 0, 0, 0},
                    {"type", 0, CLI_OPT_STR, &o->type, "TYPE",
                     "the app type (default DOCKER)", 0, 0, 0},
                    {"mrenclave", 0, CLI_OPT_STR, &o->mrenclave, "TEXT",
                     "the app's TEE measurement field", 0, 0, 0},
                    {"owner", 0, CLI_OPT_STR, &o->owner, "ADDRESS",
                     "the owner (default: the key's)", 0, 0, 0},
                    {"worker-stake-ratio", 0, CLI_OPT_STR, &o->wsr, "N",
                     "policy: the workers' stake ratio (%)", 0, 0, 0},
                    {"scheduler-reward-ratio", 0, CLI_OPT_STR, &o->srr, "N",
                     "policy: the scheduler's reward ratio (%)", 0, 0, 0},
                    {0}};
  char cmd[48];
  snprintf(cmd, sizeof cmd, "%s %s", KIND_NAME[kind], argv[0]);
  char help[160];
  snprintf(help, sizeof help,
           "usage: decc %s [options] (see 'decc %s --help')\n", cmd,
           KIND_NAME[kind]);
  cli_spec spec = {cmd, help, opts, &o->key, maxpos, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  for (int i = 0; rc == CLI_RUN && i < np && i < 2; i++)
    o->pos[o->npos++] = argv[1 + i];
  return rc;
}

static int need_key(const asset_opts *o) {
  cli_key_opts k = o->key;
  if (cli_key_resolve(&k) != CLI_OK)
    return CLI_USAGE;
  return CLI_OK;
}

/* Multiaddr bytes of the option text. Out: buf (cap 256). */
static int multiaddr_bytes(uint8_t *out, size_t *len, const char *s) {
  if (!strncmp(s, "/ipfs/", 6) || !strncmp(s, "/p2p/", 5)) {
    decc_err err;
    decc_err_clear(&err);
    if (decc_multiaddr_from_string(out, 256, len, s, &err) != DECC_OK)
      return cli_usage_error("--multiaddr: %s", err.msg);
    return CLI_OK;
  }
  size_t n = strlen(s);
  if (n > 256)
    return cli_usage_error("--multiaddr: longer than 256 bytes");
  memcpy(out, s, n);
  *len = n;
  return CLI_OK;
}

static int open_info(decc_chain **l, lc_info *info) {
  if (lc_open(l) != CLI_OK)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  if (lc_get_info(*l, info, &err) != DECC_OK) {
    decc_chain_destroy(*l);
    return cli_fail_err(&err);
  }
  return CLI_OK;
}

/* Aborts a Kubo cat after its first bytes: the content exists. */
static decc_status first_bytes(void *ud, const uint8_t *p, size_t n,
                               decc_err *err) {
  (void)p;
  (void)n;
  *(int *)ud = 1;
  return decc_err_set(err, DECC_E_LIMIT, "enough");
}

/* Whether the store the commands use (the data directory's blockstore, or
 * the Kubo node of config.json "ipfs"/"node") holds cid. Returns CLI_OK
 * (present), or an exit code after printing why not. */
static int check_in_store(const char *maddr_text) {
  const char *c = maddr_text + (maddr_text[1] == 'i' ? 6 : 5);
  decc_cid cid;
  decc_err err;
  decc_err_clear(&err);
  if (decc_cid_parse(&cid, c, &err) != DECC_OK)
    return cli_usage_error("--multiaddr: %s", err.msg);
  dp_cli_opts none;
  memset(&none, 0, sizeof none);
  decc_dp *dp = NULL;
  int rc = dp_cli_open(&dp, &none, 0);
  if (rc != CLI_OK)
    return rc;
  decc_blockstore *bs = decc_dp_blockstore(dp);
  int found = 0;
  if (bs)
    found = decc_blockstore_has(bs, &cid);
  else {
    char home[4096];
    dp_cli_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (dp_cli_home(home, sizeof home) == 0 &&
        dp_cli_config_load(&cfg, home) == CLI_OK) {
      const char *url = cfg.ipfs ? cfg.ipfs : cfg.node;
      if (url)
        (void)decc_kubo_cat(url, &cid, 0, first_bytes, &found, 10, &err);
    }
    dp_cli_config_clear(&cfg);
  }
  decc_dp_close(dp);
  if (!found)
    return cli_fail("--multiaddr %s: that content is not in the store the "
                    "workers fetch from: add the bundle first (decc store "
                    "add BUNDLE.tar), or deploy in one step with 'decc app "
                    "deploy DIR'",
                    maddr_text);
  return CLI_OK;
}

/* `decc app deploy DIR|--bundle FILE`: pack, store and register. */
static int deploy_bundle(const asset_opts *o) {
  const char *src = o->npos ? o->pos[0] : o->bundle;
  if (o->multiaddr || o->checksum || o->mrenclave || o->type)
    return cli_usage_error("deploy %s: decc stores the bundle and writes "
                           "--multiaddr, --checksum, --mrenclave and --type "
                           "itself; drop them",
                           src);
  struct stat sb;
  if (stat(src, &sb) != 0)
    return cli_fail("%s: no such directory or bundle", src);
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_err err;
  decc_err_clear(&err);
  uint8_t m[32];
  if (S_ISDIR(sb.st_mode)) {
    if (decc_bundle_pack(&b, m, src, &err) != DECC_OK) {
      decc_buf_clear(&b);
      return cli_fail("%s: %s", src, err.msg);
    }
  } else {
    size_t len = 0;
    char *data = cli_read_file(src, 256u << 20, &len, 0);
    if (!data)
      return CLI_FAIL;
    decc_status st = decc_buf_append(&b, data, len);
    decc_free(data);
    if (st) {
      decc_buf_clear(&b);
      return cli_fail("out of memory");
    }
  }
  /* The name: --name, else the directory's (or file's) base name. */
  char name[256];
  if (o->name)
    snprintf(name, sizeof name, "%s", o->name);
  else {
    size_t n = strlen(src);
    while (n > 1 && src[n - 1] == '/')
      n--;
    size_t st = n;
    while (st && src[st - 1] != '/')
      st--;
    snprintf(name, sizeof name, "%.*s", (int)(n - st), src + st);
    char *dot = strrchr(name, '.');
    if (dot && !S_ISDIR(sb.st_mode))
      *dot = 0;
  }
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  w.key = o->key;
  w.wallet = o->key.wallet;
  decc_dp *dp = NULL;
  int rc = dp_cli_open(&dp, &w, 1);
  if (rc != CLI_OK) {
    decc_buf_clear(&b);
    return rc;
  }
  decc_dp_app a;
  memset(&a, 0, sizeof a);
  decc_status st = decc_dp_app_deploy(dp, &a, name, b.data, b.len, &err);
  decc_dp_close(dp);
  decc_buf_clear(&b);
  if (st)
    return cli_fail_err(&err);
  char h[DECC_ADDRESS_HEX_LEN], sum[DECC_HEX32_LEN], tx[DECC_HEX32_LEN];
  decc_address_to_checksum(h, &a.address);
  decc_hex_encode(sum, a.checksum, 32, 1);
  decc_hex_encode(tx, a.tx_hash, 32, 1);
  if (g_cli.json)
    rc = cli_print_json(json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "app", h, "name",
                                  name, "multiaddr",
                                  a.multiaddr ? a.multiaddr : "", "checksum",
                                  sum, "txHash", tx, "created", a.created));
  else
    printf("app %s %s: %s, checksum %s\n", h,
           a.created ? "deployed" : "already deployed (same bundle and name)",
           a.multiaddr ? a.multiaddr : "", sum);
  decc_dp_app_clear(&a);
  return rc;
}

static int cmd_deploy(int kind, int argc, char **argv) {
  asset_opts o;
  int rc = parse_opts(&o, kind, argc, argv, kind == LC_APP ? 1 : 0);
  if (rc != CLI_RUN)
    return rc;
  if (kind == LC_APP && (o.npos == 1 || (o.bundle && !o.multiaddr))) {
    if (o.npos == 1 && o.bundle)
      return cli_usage_error("give DIR or --bundle FILE, not both");
    return deploy_bundle(&o);
  }
  if (!o.name)
    return cli_usage_error(kind == LC_WORKERPOOL ? "--description is required"
                                                 : "--name is required");
  uint8_t maddr[256], sum[32];
  size_t mlen = 0;
  memset(sum, 0, sizeof sum);
  if (kind != LC_WORKERPOOL) {
    if (!o.multiaddr)
      return cli_usage_error("--multiaddr is required");
    if ((rc = multiaddr_bytes(maddr, &mlen, o.multiaddr)) != CLI_OK)
      return rc;
    if (o.checksum && o.bundle)
      return cli_usage_error("give --checksum or --bundle, not both");
    if (o.checksum) {
      if (lc_parse_h32(sum, o.checksum, "--checksum") != CLI_OK)
        return CLI_USAGE;
    } else if (o.bundle) {
      if (kind != LC_APP)
        return cli_usage_error("--bundle is for apps");
      decc_err err;
      decc_err_clear(&err);
      /* the bundle archive is canonical: its SHA-256 is the measurement */
      if (decc_sha256_file(sum, o.bundle, &err) != DECC_OK)
        return cli_fail("%s: %s", o.bundle, err.msg);
      /* Workers fetch the bundle from the multiaddr: refuse one they
       * cannot fetch now rather than fail every task later. */
      if (!strncmp(o.multiaddr, "/ipfs/", 6) ||
          !strncmp(o.multiaddr, "/p2p/", 5)) {
        if ((rc = check_in_store(o.multiaddr)) != CLI_OK)
          return rc;
      } else if (strncmp(o.multiaddr, "http://", 7) &&
                 strncmp(o.multiaddr, "https://", 8))
        return cli_usage_error("--multiaddr '%s': a bundle lives at "
                               "/ipfs/CID (decc store add BUNDLE.tar) or an "
                               "http(s) URL; or deploy in one step with "
                               "'decc app deploy DIR'",
                               o.multiaddr);
    } else
      return cli_usage_error(kind == LC_APP
                                 ? "--checksum 0x… or --bundle FILE is required"
                                 : "--checksum is required");
  }
  if ((rc = need_key(&o)) != CLI_OK)
    return rc;
  uint8_t *sk = NULL;
  decc_address me, owner;
  if ((rc = lc_key_load(&o.key, &sk, &me)) != CLI_OK)
    return rc;
  owner = me;
  if (o.owner && lc_parse_address(&owner, o.owner, "--owner") != CLI_OK) {
    decc_secure_free(sk);
    return CLI_USAGE;
  }
  decc_chain *l;
  lc_info info;
  if (open_info(&l, &info) != CLI_OK) {
    decc_secure_free(sk);
    return CLI_FAIL;
  }
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_status s = decc_abi_enc_push_address(&e, &owner);
  s = s ? s : decc_abi_enc_push_string(&e, o.name);
  const char *sig;
  if (kind == LC_APP) {
    s = s ? s : decc_abi_enc_push_string(&e, o.type ? o.type : "DOCKER");
    s = s ? s : decc_abi_enc_push_bytes(&e, maddr, mlen);
    s = s ? s : decc_abi_enc_push_bytes32(&e, sum);
    s = s ? s
          : decc_abi_enc_push_bytes(&e, o.mrenclave,
                                    o.mrenclave ? strlen(o.mrenclave) : 0);
    sig = "createApp(address,string,string,bytes,bytes32,bytes)";
  } else if (kind == LC_DATASET) {
    s = s ? s : decc_abi_enc_push_bytes(&e, maddr, mlen);
    s = s ? s : decc_abi_enc_push_bytes32(&e, sum);
    sig = "createDataset(address,string,bytes,bytes32)";
  } else
    sig = "createWorkerpool(address,string)";
  decc_buf cd;
  if (s != DECC_OK) {
    decc_abi_enc_clear(&e);
    rc = cli_fail("cannot encode the call: %s", decc_strerror(s));
  } else
    rc = lc_calldata(&cd, &e, sig);
  if (rc == CLI_OK) {
    decc_receipt r;
    memset(&r, 0, sizeof r);
    /* The new entry's address: predict* with the same arguments (the
     * registries' CREATE2 formula), shown with the receipt. */
    decc_buf pred;
    decc_err err;
    decc_err_clear(&err);
    decc_buf_init(&pred, 0);
    json_t *extra = json_object();
    decc_address addr;
    memset(&addr, 0, sizeof addr);
    char psig[96];
    snprintf(psig, sizeof psig, "predict%s", sig + 6);
    uint8_t sel[4];
    decc_abi_selector(sel, psig);
    if (decc_buf_append(&pred, sel, 4) == DECC_OK &&
        decc_buf_append(&pred, cd.data + 4, cd.len - 4) == DECC_OK) {
      decc_buf out;
      decc_buf_init(&out, 0);
      if (decc_chain_call(l, NULL, registry_of(&info, kind), pred.data,
                          pred.len, &out, &err) == DECC_OK &&
          out.len == 32)
        memcpy(addr.b, out.data + 12, 20);
      decc_buf_clear(&out);
    }
    decc_buf_clear(&pred);
    json_object_set_new(extra, KIND_NAME[kind], lc_json_addr(&addr));
    rc = lc_send_sk(l, sk, registry_of(&info, kind), &cd, extra, &r);
    if (rc == CLI_OK && !g_cli.json) {
      char h[DECC_ADDRESS_HEX_LEN];
      printf("%s %s\n", KIND_NAME[kind], decc_address_to_checksum(h, &addr));
    }
    decc_receipt_clear(&r);
    decc_buf_clear(&cd);
  }
  decc_secure_free(sk);
  decc_chain_destroy(l);
  return rc;
}

/* The entry's fields as `show` prints them. */
static json_t *entry_json(const decc_hub_entry *e) {
  json_t *j = json_object();
  json_object_set_new(j, "address", lc_json_addr(&e->address));
  json_object_set_new(j, "owner", lc_json_addr(&e->owner));
  if (e->kind == DECC_HUB_WORKERPOOL) {
    json_object_set_new(j, "description", json_string(e->name ? e->name : ""));
    json_object_set_new(j, "workerStakeRatioPolicy",
                        lc_json_u256(&e->worker_stake_ratio));
    json_object_set_new(j, "schedulerRewardRatioPolicy",
                        lc_json_u256(&e->scheduler_reward_ratio));
    return j;
  }
  json_object_set_new(j, "name", json_string(e->name ? e->name : ""));
  if (e->kind == DECC_HUB_APP)
    json_object_set_new(j, "type", json_string(e->type ? e->type : ""));
  char *t = NULL;
  json_t *m = NULL;
  if (decc_multiaddr_to_string(&t, e->multiaddr, e->multiaddr_len, NULL) ==
      DECC_OK)
    m = json_string(t);
  decc_free(t);
  if (!m) /* not a binary multiaddr (e.g. a URL as UTF-8): show it as is */
    m = json_stringn((const char *)e->multiaddr, e->multiaddr_len);
  json_object_set_new(j, "multiaddr",
                      m ? m : lc_json_hex(e->multiaddr, e->multiaddr_len));
  json_object_set_new(j, "checksum", lc_json_hex(e->checksum, 32));
  if (e->kind == DECC_HUB_APP) {
    json_t *r = json_stringn((const char *)e->mrenclave, e->mrenclave_len);
    json_object_set_new(j, "mrenclave",
                        r ? r : lc_json_hex(e->mrenclave, e->mrenclave_len));
  }
  return j;
}

static const decc_hub_entry_kind HUB_KIND[3] = {DECC_HUB_APP, DECC_HUB_DATASET,
                                                DECC_HUB_WORKERPOOL};

/* Reads a registry entry of `kind` (one line printed on failure). */
static int read_entry(decc_chain *l, int kind, const decc_address *a,
                      decc_hub_entry *e) {
  decc_err err;
  decc_err_clear(&err);
  if (decc_hub_entry_read(l, HUB_KIND[kind], a, e, &err) != DECC_OK)
    return cli_fail_err(&err);
  return CLI_OK;
}

static int cmd_show(int kind, int argc, char **argv) {
  asset_opts o;
  int rc = parse_opts(&o, kind, argc, argv, 1);
  if (rc != CLI_RUN)
    return rc;
  if (o.npos != 1)
    return cli_usage_error("show needs the %s ADDRESS", KIND_NAME[kind]);
  decc_address a;
  if (lc_parse_address(&a, o.pos[0], KIND_NAME[kind]) != CLI_OK)
    return CLI_USAGE;
  decc_chain *l;
  if (lc_open(&l) != CLI_OK)
    return CLI_FAIL;
  decc_hub_entry e;
  rc = read_entry(l, kind, &a, &e);
  decc_chain_destroy(l);
  if (rc != CLI_OK)
    return rc;
  json_t *j = entry_json(&e);
  decc_hub_entry_clear(&e);
  if (g_cli.json)
    return cli_print_json(j);
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) printf("%-27s %s\n", k, json_string_value(v));
  json_decref(j);
  return CLI_OK;
}

static int cmd_transfer(int kind, int argc, char **argv) {
  asset_opts o;
  int rc = parse_opts(&o, kind, argc, argv, 2);
  if (rc != CLI_RUN)
    return rc;
  if (o.npos != 2)
    return cli_usage_error("transfer needs the %s ADDRESS and the new owner",
                           KIND_NAME[kind]);
  decc_address a, to;
  if (lc_parse_address(&a, o.pos[0], KIND_NAME[kind]) != CLI_OK ||
      lc_parse_address(&to, o.pos[1], "new owner") != CLI_OK)
    return CLI_USAGE;
  if ((rc = need_key(&o)) != CLI_OK)
    return rc;
  uint8_t *sk;
  decc_address me;
  if ((rc = lc_key_load(&o.key, &sk, &me)) != CLI_OK)
    return rc;
  decc_chain *l;
  lc_info info;
  if (open_info(&l, &info) != CLI_OK) {
    decc_secure_free(sk);
    return CLI_FAIL;
  }
  /* ERC-721 token id = uint256(uint160(entry address)) */
  uint8_t id[32];
  memset(id, 0, 12);
  memcpy(id + 12, a.b, 20);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_status s = decc_abi_enc_push_address(&e, &me);
  s = s ? s : decc_abi_enc_push_address(&e, &to);
  s = s ? s : decc_abi_enc_push_word(&e, id);
  decc_buf cd;
  if (s != DECC_OK) {
    decc_abi_enc_clear(&e);
    rc = cli_fail("out of memory");
  } else
    rc = lc_calldata(&cd, &e, "safeTransferFrom(address,address,uint256)");
  if (rc == CLI_OK) {
    rc = lc_send_sk(l, sk, registry_of(&info, kind), &cd, NULL, NULL);
    decc_buf_clear(&cd);
  }
  decc_secure_free(sk);
  decc_chain_destroy(l);
  return rc;
}

static int cmd_policy(int argc, char **argv) {
  asset_opts o;
  int rc = parse_opts(&o, LC_WORKERPOOL, argc, argv, 1);
  if (rc != CLI_RUN)
    return rc;
  if (o.npos != 1)
    return cli_usage_error("policy needs the workerpool ADDRESS");
  if (!o.wsr && !o.srr)
    return cli_usage_error("give --worker-stake-ratio N and/or "
                           "--scheduler-reward-ratio N");
  decc_address a;
  uint64_t wsr = 0, srr = 0;
  if (lc_parse_address(&a, o.pos[0], "workerpool") != CLI_OK ||
      (o.wsr && lc_parse_u64(&wsr, o.wsr, "--worker-stake-ratio") != CLI_OK) ||
      (o.srr &&
       lc_parse_u64(&srr, o.srr, "--scheduler-reward-ratio") != CLI_OK))
    return CLI_USAGE;
  if (o.srr && srr > 100)
    return cli_usage_error("--scheduler-reward-ratio: %llu is above 100",
                           (unsigned long long)srr);
  if ((rc = need_key(&o)) != CLI_OK)
    return rc;
  decc_chain *l;
  lc_info info;
  if (open_info(&l, &info) != CLI_OK)
    return CLI_FAIL;
  /* the value not given stays as it is */
  decc_hub_entry cur;
  rc = read_entry(l, LC_WORKERPOOL, &a, &cur);
  if (rc == CLI_OK && !o.wsr &&
      !decc_u256_to_u64(&wsr, &cur.worker_stake_ratio))
    rc = cli_fail("current worker stake ratio out of range");
  if (rc == CLI_OK && !o.srr &&
      !decc_u256_to_u64(&srr, &cur.scheduler_reward_ratio))
    rc = cli_fail("current scheduler reward ratio out of range");
  if (rc == CLI_OK)
    decc_hub_entry_clear(&cur);
  decc_buf cd;
  if (rc == CLI_OK) {
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    decc_status s = decc_abi_enc_push_u64(&e, wsr);
    s = s ? s : decc_abi_enc_push_u64(&e, srr);
    if (s != DECC_OK) {
      decc_abi_enc_clear(&e);
      rc = cli_fail("out of memory");
    } else
      rc = lc_calldata(&cd, &e, "changePolicy(uint256,uint256)");
  }
  if (rc == CLI_OK) {
    rc = lc_send(l, &o.key, &a, &cd, NULL, NULL);
    decc_buf_clear(&cd);
  }
  decc_chain_destroy(l);
  return rc;
}

int lc_asset_cmd(int kind, int argc, char **argv) {
  if (argc < 1)
    return -1;
  if (!strcmp(argv[0], "deploy"))
    return cmd_deploy(kind, argc, argv);
  if (!strcmp(argv[0], "show"))
    return cmd_show(kind, argc, argv);
  if (!strcmp(argv[0], "transfer"))
    return cmd_transfer(kind, argc, argv);
  if (kind == LC_WORKERPOOL && !strcmp(argv[0], "policy"))
    return cmd_policy(argc, argv);
  return -1;
}

void lc_asset_usage(int kind, FILE *f) {
  if (kind == LC_WORKERPOOL)
    fprintf(f, "  deploy --description TEXT KEY        create a workerpool\n");
  else if (kind == LC_APP)
    fprintf(f, "  deploy DIR|--bundle FILE [--name NAME] [KEY]   pack, store "
               "and register in one step\n"
               "  deploy --name NAME --multiaddr M (--checksum 0x… | --bundle "
               "FILE)\n"
               "         [--type DOCKER] [--mrenclave TEXT] [--owner A] KEY\n"
               "                                       register the app "
               "(checksum = bundle measurement)\n");
  else
    fprintf(f, "  deploy --name NAME --multiaddr M --checksum 0x… [--owner A] "
               "KEY\n"
               "                                       register the dataset\n");
  fprintf(f,
          "  show ADDRESS                         the %s's on-chain fields\n"
          "  transfer ADDRESS NEW_OWNER KEY       give the %s (its NFT) "
          "away\n",
          KIND_NAME[kind], KIND_NAME[kind]);
  if (kind == LC_WORKERPOOL)
    fprintf(f, "  policy ADDRESS [--worker-stake-ratio N] "
               "[--scheduler-reward-ratio N] KEY\n");
  fprintf(f, "KEY: --keystore FILE [--password-file FILE] | "
             "--private-key-file FILE\n");
}
