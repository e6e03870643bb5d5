/*
 * cmd_demo.c — `decc demo`: the whole DataProtector story, end to end, in
 * a fresh temporary data directory with nothing to install. Bob creates a
 * wallet, builds and deploys the sample iApp and publishes its app order;
 * a workerpool publishes its order; Alice protects a record (an email
 * address and a number) and grants Bob's app to Bob for 3 uses at a
 * price; Bob processes it — the scheduler, the worker and the software
 * enclave run in this process — and reads the decrypted result; another
 * app is refused; Alice revokes and Bob is refused again; balances before
 * and after are printed and checked against PoCo's payment split.
 *
 * Every step prints one line. A step whose service is missing from this
 * build (the workerpool services, lib/worker) says so and the story goes
 * on without it: nothing is faked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decc/abi.h"
#include "decc/bundle.h"
#include "decc/encoding.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/worker.h"
#include "dev_stack.h"
#include "dp_cli.h"

#define NRLC 1000000000ull
#define APP_PRICE (1 * NRLC)
#define DATA_PRICE (2 * NRLC)
#define POOL_PRICE (NRLC / 2)
#define USES 3

static int g_step;
static struct timespec g_t0;

static double elapsed(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - g_t0.tv_sec) +
         (double)(t.tv_nsec - g_t0.tv_nsec) / 1e9;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  va_list ap;
  printf("[%2d] %5.2fs  ", ++g_step, elapsed());
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

static const char *rlc(char out[96], uint64_t nrlc) {
  decc_u256 v = decc_u256_from_u64(nrlc);
  return decc_dp_format_rlc(out, &v);
}

static const char *srlc(char out[100], int64_t d) {
  char b[96];
  decc_u256 v = decc_u256_from_u64((uint64_t)(d < 0 ? -d : d));
  snprintf(out, 100, "%s%s",
           d < 0   ? "-"
           : d > 0 ? "+"
                   : "",
           decc_dp_format_rlc(b, &v));
  return out;
}

typedef struct actor {
  const char *name;
  uint8_t sk[32];
  decc_address addr;
  uint64_t before, after; /* wallet + account + locked, nRLC */
} actor;

static int fail_at(const char *what, const decc_err *err) {
  printf("     FAILED: %s: %s\n", what, err->msg[0] ? err->msg : "error");
  return CLI_FAIL;
}

/* A wallet for an actor: a fresh key saved in <home>/wallets/<name>.json
 * with its password file next to it (dev_stack.c), since nobody types it. */
static int make_wallet(actor *a, const char *home) {
  if (decc_privkey_generate(a->sk) != DECC_OK)
    return cli_fail("key generation failed (no randomness)");
  return cli_dev_wallet_save(home, a->name, a->sk, &a->addr);
}

static int total_of(decc_dp *dp, actor *a, uint64_t *out) {
  decc_dp_balance b;
  decc_err err;
  decc_err_clear(&err);
  uint64_t w, s, l;
  if (decc_dp_get_balance(dp, &a->addr, &b, &err) != DECC_OK)
    return fail_at("balance", &err);
  if (!decc_u256_to_u64(&w, &b.wallet) || !decc_u256_to_u64(&s, &b.stake) ||
      !decc_u256_to_u64(&l, &b.locked))
    return cli_fail("balance too large for the demo");
  *out = w + s + l;
  return CLI_OK;
}

static void print_balances(decc_dp *dp, actor *acts, size_t n,
                           const char *when) {
  char line[1024];
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    decc_dp_balance b;
    char x[96], y[96];
    if (decc_dp_get_balance(dp, &acts[i].addr, &b, NULL) != DECC_OK)
      continue;
    decc_u256 free_plus_locked;
    if (decc_u256_add(&free_plus_locked, &b.stake, &b.locked) != DECC_OK)
      continue;
    off += (size_t)snprintf(line + off, sizeof line - off,
                            "%s%s %s + %s in account", i ? "; " : "",
                            acts[i].name, decc_dp_format_rlc(x, &b.wallet),
                            decc_dp_format_rlc(y, &free_plus_locked));
    if (off >= sizeof line)
      break;
  }
  say("balances %s: %s", when, line);
}

/* ---- the in-process workerpool ---------------------------------------------- */

typedef struct pool_rt {
  decc_chain *sched_chain, *worker_chain;
  decc_scheduler *sched;
  decc_worker *worker;
  decc_tee_backend backend;
  int have_backend;
} pool_rt;

static decc_status run_pool(void *u, decc_err *err) {
  pool_rt *p = u;
  decc_status st = decc_scheduler_step(p->sched, NULL, err);
  if (!st)
    st = decc_worker_step(p->worker, NULL, err);
  if (!st)
    st = decc_scheduler_step(p->sched, NULL, err);
  return st;
}

static void pool_stop(pool_rt *p) {
  if (p->worker)
    decc_worker_destroy(p->worker);
  if (p->sched)
    decc_scheduler_destroy(p->sched);
  if (p->have_backend)
    decc_tee_software_destroy(&p->backend);
  decc_chain_destroy(p->sched_chain);
  decc_chain_destroy(p->worker_chain);
  memset(p, 0, sizeof *p);
}

/* Starts the scheduler and the worker of the pool in this process.
 * Returns DECC_OK, DECC_E_UNSUPPORTED when the services are not in this
 * build (err says so), or their error. */
static decc_status pool_start(pool_rt *p, decc_dp *dp, const char *home,
                              const uint8_t pool_sk[32],
                              const decc_address *pool,
                              const uint8_t worker_sk[32],
                              const uint8_t platform_sk[32], decc_err *err) {
  memset(p, 0, sizeof *p);
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", home, DECC_DP_LEDGER_FILE);
  decc_status st;
  if ((st = decc_chain_open_embedded(&p->sched_chain, path, err)) ||
      (st = decc_chain_open_embedded(&p->worker_chain, path, err)) ||
      (st = decc_tee_software_create(&p->backend, platform_sk))) {
    pool_stop(p);
    return st;
  }
  p->have_backend = 1;
  decc_scheduler_config sc;
  memset(&sc, 0, sizeof sc);
  char sstate[4200], wdir[4200];
  snprintf(sstate, sizeof sstate, "%s/scheduler.sqlite", home);
  snprintf(wdir, sizeof wdir, "%s/worker", home);
  sc.chain = p->sched_chain;
  sc.pool_sk32 = pool_sk;
  sc.workerpool = *pool;
  sc.sms = decc_dp_sms(dp);
  sc.state_path = sstate;
  if ((st = decc_scheduler_create(&p->sched, &sc, err))) {
    pool_stop(p);
    return st;
  }
  decc_worker_config wc;
  memset(&wc, 0, sizeof wc);
  wc.chain = p->worker_chain;
  wc.worker_sk32 = worker_sk;
  wc.scheduler = p->sched;
  wc.sms = decc_dp_sms(dp);
  wc.store.bs = decc_dp_blockstore(dp);
  wc.backend = &p->backend;
  wc.dir = wdir;
  wc.enclave_exec = cli_self_exe();
  if ((st = decc_worker_create(&p->worker, &wc, err))) {
    pool_stop(p);
    return st;
  }
  return DECC_OK;
}

/* m_schedulerRewardRatioPolicy() of the workerpool (PoCo's split). */
static int scheduler_ratio(decc_dp *dp, const decc_address *pool,
                           uint64_t *ratio) {
  uint8_t cd[4];
  decc_abi_selector(cd, "m_schedulerRewardRatioPolicy()");
  decc_buf out;
  decc_buf_init(&out, 4096);
  decc_status st =
      decc_chain_call(decc_dp_chain(dp), NULL, pool, cd, 4, &out, NULL);
  decc_abi_value *v = NULL;
  if (!st)
    st = decc_abi_decode(&v, "uint256", out.data, out.len, 0, NULL);
  if (!st)
    st = decc_abi_get_u64(decc_abi_item(v, 0), ratio);
  decc_abi_value_free(v);
  decc_buf_clear(&out);
  return st == DECC_OK ? 0 : -1;
}

/* ---- the story ---------------------------------------------------------------------- */

static decc_status deploy(decc_dp *dp, const char *home, const char *name,
                          const char *lang, decc_dp_app *app, decc_err *err) {
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/apps/%s", home, name);
  char parent[4200];
  snprintf(parent, sizeof parent, "%s/apps", home);
  if (mkdir(parent, 0700) != 0 && errno != EEXIST)
    return decc_err_set(err, DECC_E_IO, "%s: %s", parent, strerror(errno));
  decc_buf b;
  decc_buf_init(&b, DECC_BUNDLE_MAX_BYTES);
  uint8_t meas[32];
  decc_status st = decc_bundle_scaffold(dir, lang, name, err);
  if (!st && !strcmp(lang, "c")) {
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "make -s -C '%s' >/dev/null 2>&1", dir);
    if (system(cmd) != 0)
      st = decc_err_set(err, DECC_E_IO, "building the C sample app failed");
  }
  if (!st)
    st = decc_bundle_pack(&b, meas, dir, err);
  if (!st)
    st = decc_dp_app_deploy(dp, app, name, b.data, b.len, err);
  decc_buf_clear(&b);
  return st;
}

static int run_demo(const char *home, const char *lang) {
  decc_err err;
  decc_err_clear(&err);
  char a1[DECC_ADDRESS_HEX_LEN], a2[DECC_ADDRESS_HEX_LEN], h[DECC_HEX32_LEN],
      p1[100], p2[100], p3[100];
  actor bob = {"bob", {0}, {{0}}, 0, 0}, alice = {"alice", {0}, {{0}}, 0, 0},
        pool = {"pool-owner", {0}, {{0}}, 0, 0},
        worker = {"worker", {0}, {{0}}, 0, 0};
  uint8_t faucet[32], platform_sk[32];
  int rc = CLI_FAIL;
  decc_dp *dp = NULL;
  pool_rt rt;
  memset(&rt, 0, sizeof rt);
  int pool_running = 0;
  decc_dp_protected pd;
  memset(&pd, 0, sizeof pd);
  decc_dp_app app, other;
  memset(&app, 0, sizeof app);
  memset(&other, 0, sizeof other);

  say("fresh data directory %s (ledger, store, SMS vault, market)", home);
  /* The enclave's platform key: the SMS of this data directory trusts it. */
  decc_address platform;
  if (decc_privkey_generate(platform_sk) != DECC_OK ||
      decc_address_from_privkey(&platform, platform_sk) != DECC_OK)
    return cli_fail("no randomness");
  decc_dp_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.home = home;
  cfg.trusted_platforms = &platform;
  cfg.n_trusted = 1;
  if (decc_dp_open(&dp, &cfg, &err) != DECC_OK)
    return fail_at("opening the data directory", &err);

  if (make_wallet(&bob, home) != CLI_OK ||
      make_wallet(&alice, home) != CLI_OK ||
      make_wallet(&pool, home) != CLI_OK ||
      make_wallet(&worker, home) != CLI_OK)
    goto out;
  say("Bob creates a wallet %s; Alice %s; a workerpool operator and its "
      "worker get theirs",
      decc_address_to_checksum(a1, &bob.addr),
      decc_address_to_checksum(a2, &alice.addr));

  /* Dev account 0 of the dev genesis acts as the faucet. */
  decc_u256 fifty = decc_u256_from_u64(50 * NRLC),
            twenty = decc_u256_from_u64(20 * NRLC),
            five = decc_u256_from_u64(5 * NRLC);
  if (decc_ledger_dev_key(faucet, 0) != DECC_OK ||
      decc_dp_set_signer(dp, faucet, &err) ||
      decc_dp_transfer_rlc(dp, &bob.addr, &fifty, &err) ||
      decc_dp_transfer_rlc(dp, &pool.addr, &five, &err) ||
      decc_dp_set_signer(dp, bob.sk, &err) ||
      decc_dp_deposit(dp, &twenty, &err) ||
      decc_dp_set_signer(dp, pool.sk, &err) ||
      decc_dp_deposit(dp, &five, &err)) {
    fail_at("funding Bob and the operator", &err);
    goto out;
  }
  decc_memzero(faucet, sizeof faucet);
  say("the dev faucet sends Bob 50 RLC and the operator 5 RLC; Bob deposits "
      "20 RLC to pay for tasks, the operator 5 RLC for its task stakes");
  actor *acts[4] = {&alice, &bob, &pool, &worker};
  actor list[4];
  for (int i = 0; i < 4; i++)
    if (total_of(dp, acts[i], &acts[i]->before) != CLI_OK)
      goto out;
  for (int i = 0; i < 4; i++)
    list[i] = *acts[i];
  print_balances(dp, list, 4, "before");

  if (decc_dp_set_signer(dp, bob.sk, &err) != DECC_OK ||
      deploy(dp, home, "hello-decc", lang, &app, &err) != DECC_OK) {
    fail_at("deploying the sample iApp", &err);
    goto out;
  }
  say("Bob builds the sample iApp (%s) and deploys it: app %s, measurement "
      "%s",
      lang, decc_address_to_checksum(a1, &app.address),
      decc_hex_encode(h, app.checksum, 32, 1));
  decc_dp_publish_opts po;
  memset(&po, 0, sizeof po);
  po.price = decc_u256_from_u64(APP_PRICE);
  po.volume = 1000;
  uint8_t oh[32];
  if (decc_dp_publish_apporder(dp, oh, &app.address, &po, &err)) {
    fail_at("publishing the app order", &err);
    goto out;
  }
  say("Bob publishes an app order: %s per run, TEE (tag tee+tdx), order %s",
      rlc(p1, APP_PRICE), decc_hex_encode(h, oh, 32, 1));

  decc_address wp;
  int published = 0;
  if (decc_dp_set_signer(dp, pool.sk, &err) ||
      cli_dev_pool_ready(dp, "decc demo workerpool", POOL_PRICE, 1000, &wp,
                         &published, &err)) {
    fail_at("creating the workerpool and publishing its order", &err);
    goto out;
  }
  say("the operator creates workerpool %s and publishes its order: %s per "
      "task, category 0",
      decc_address_to_checksum(a1, &wp), rlc(p1, POOL_PRICE));

  /* Alice's record: an email address and a number. */
  decc_pd *rec = NULL;
  const char *email = "alice@example.com";
  if (decc_pd_create(&rec) ||
      decc_pd_add_string(rec, "email", email, strlen(email), &err) ||
      decc_pd_add_number(rec, "score", 742, &err)) {
    decc_pd_destroy(rec);
    fail_at("building Alice's record", &err);
    goto out;
  }
  decc_dp_protect_opts pro;
  memset(&pro, 0, sizeof pro);
  pro.data = rec;
  pro.format = DECC_PD_V2;
  pro.name = "alice-contact";
  decc_status st = decc_dp_set_signer(dp, alice.sk, &err);
  if (!st)
    st = decc_dp_protect(dp, &pd, &pro, &err);
  decc_pd_destroy(rec);
  if (st) {
    fail_at("protecting Alice's record", &err);
    goto out;
  }
  say("Alice protects {email, score}: protected data %s, schema %s, stored "
      "encrypted at %s, key pushed to the SMS",
      decc_address_to_checksum(a1, &pd.address), pd.schema, pd.multiaddr);

  decc_dp_grant_opts g;
  memset(&g, 0, sizeof g);
  g.protected_data = pd.address;
  g.authorized_app = app.address;
  g.authorized_user = bob.addr;
  g.price_per_access = decc_u256_from_u64(DATA_PRICE);
  g.number_of_access = USES;
  decc_dp_access acc;
  if (decc_dp_grant_access(dp, &acc, &g, &err)) {
    fail_at("granting access", &err);
    goto out;
  }
  say("Alice grants app %s to Bob: %d uses at %s each (order %s)",
      decc_address_to_checksum(a1, &app.address), USES, rlc(p1, DATA_PRICE),
      decc_hex_encode(h, acc.hash, 32, 1));
  decc_dp_access_clear(&acc);

  /* The workerpool's services, in this process. */
  decc_err perr;
  decc_err_clear(&perr);
  if (geteuid() != 0)
    decc_err_set(&perr, DECC_E_DENIED,
                 "the enclave sandbox needs root (namespaces, mounts): run "
                 "the demo as root");
  else if (pool_start(&rt, dp, home, pool.sk, &wp, worker.sk, platform_sk,
                      &perr) == DECC_OK) {
    pool_running = 1;
  }
  decc_memzero(platform_sk, sizeof platform_sk);
  if (pool_running)
    say("the workerpool's scheduler and worker start in this process "
        "(software enclave, platform key trusted by the SMS)");
  else
    say("NOT AVAILABLE: running tasks — %s", perr.msg);

  decc_dp_process_opts o;
  memset(&o, 0, sizeof o);
  o.protected_data = pd.address;
  o.app = app.address;
  o.app_max_price = decc_u256_from_u64(APP_PRICE);
  o.data_max_price = decc_u256_from_u64(DATA_PRICE);
  o.workerpool_max_price = decc_u256_from_u64(POOL_PRICE);
  o.args = "demo";
  o.path = "result.json";
  o.timeout_s = 120;
  o.poll_ms = 50;
  o.no_wait = !pool_running;
  decc_dp_set_runner(dp, pool_running ? run_pool : NULL, &rt);
  decc_dp_process_result r;
  if (decc_dp_set_signer(dp, bob.sk, &err) ||
      decc_dp_process(dp, &r, &o, &err)) {
    say("Bob processes the data with the app: FAILED: %s", err.msg);
    if (pool_running)
      goto out;
    decc_dp_process_result_clear(&r);
  } else if (pool_running) {
    char text[512];
    size_t n = r.result_len < sizeof text - 1 ? r.result_len : sizeof text - 1;
    memcpy(text, r.result, n);
    text[n] = 0;
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
      text[--n] = 0;
    say("Bob processes it: task %s COMPLETED; decrypted result.json = %s",
        decc_hex_encode(h, r.task_id, 32, 1), text);
    decc_dp_process_result_clear(&r);
  } else {
    say("Bob processes it: deal %s matched on-chain, task %s created; its "
        "execution is NOT AVAILABLE in this build (see above)",
        decc_hex_encode(h, r.deal_id, 32, 1),
        decc_hex_encode(p3, r.task_id, 32, 1));
    decc_dp_process_result_clear(&r);
  }

  /* Another app, deployed and offered the same way, is not granted. */
  if (deploy(dp, home, "other-app", "sh", &other, &err) ||
      decc_dp_publish_apporder(
          dp, NULL, &other.address,
          &(decc_dp_publish_opts){.price = decc_u256_from_u64(APP_PRICE),
                                  .volume = 10},
          &err)) {
    fail_at("deploying another app", &err);
    goto out;
  }
  o.app = other.address;
  o.no_wait = 1;
  if (decc_dp_process(dp, &r, &o, &err) == DECC_OK) {
    say("UNEXPECTED: another app was allowed to process Alice's data");
    decc_dp_process_result_clear(&r);
    goto out;
  }
  say("Bob tries app %s instead: refused — %s",
      decc_address_to_checksum(a1, &other.address), err.msg);

  size_t nrev = 0;
  if (decc_dp_set_signer(dp, alice.sk, &err) ||
      decc_dp_revoke_all_access(dp, &pd.address, NULL, NULL, &nrev, NULL, NULL,
                                &err)) {
    fail_at("revoking", &err);
    goto out;
  }
  say("Alice revokes her grant (%zu order closed on-chain: "
      "manageDatasetOrder CLOSE)",
      nrev);
  o.app = app.address;
  if (decc_dp_set_signer(dp, bob.sk, &err) ||
      decc_dp_process(dp, &r, &o, &err) == DECC_OK) {
    say("UNEXPECTED: Bob could still process Alice's data after the "
        "revocation");
    decc_dp_process_result_clear(&r);
    goto out;
  }
  say("Bob tries again with the granted app: refused — %s", err.msg);

  for (int i = 0; i < 4; i++)
    if (total_of(dp, acts[i], &acts[i]->after) != CLI_OK)
      goto out;
  for (int i = 0; i < 4; i++)
    list[i] = *acts[i];
  print_balances(dp, list, 4, "after");

  /* The books: who gained what, and does it add up to the nRLC? */
  int64_t d[4], sum = 0;
  for (int i = 0; i < 4; i++) {
    d[i] = (int64_t)acts[i]->after - (int64_t)acts[i]->before;
    sum += d[i];
  }
  char s0[100], s1[100], s2[100], s3[100];
  uint64_t ratio = 0;
  if (pool_running && scheduler_ratio(dp, &wp, &ratio) == 0) {
    uint64_t worker_part = POOL_PRICE * (100 - ratio) / 100;
    uint64_t sched_part = POOL_PRICE - worker_part;
    int ok = d[0] == (int64_t)DATA_PRICE &&
             d[1] == -(int64_t)(DATA_PRICE + POOL_PRICE) &&
             d[2] == (int64_t)sched_part && d[3] == (int64_t)worker_part &&
             sum == 0;
    say("the books: Alice %s (data), Bob %s (paid %s, got %s back as app "
        "owner), scheduler %s (%llu%%), worker %s — total %s: %s",
        srlc(s0, d[0]), srlc(s1, d[1]),
        rlc(p1, APP_PRICE + DATA_PRICE + POOL_PRICE), rlc(p2, APP_PRICE),
        srlc(s2, d[2]), (unsigned long long)ratio, srlc(s3, d[3]),
        srlc(p3, sum), ok ? "adds up to the nRLC" : "DOES NOT ADD UP");
    if (!ok)
      goto out;
  } else {
    decc_dp_balance bb;
    if (decc_dp_get_balance(dp, &bob.addr, &bb, &err)) {
      fail_at("balance", &err);
      goto out;
    }
    char lk[96];
    say("the books: totals unchanged (Alice %s, Bob %s, total %s); Bob's %s "
        "stays locked in the deal until a worker completes the task or its "
        "deadline refunds him",
        srlc(s0, d[0]), srlc(s1, d[1]), srlc(s2, sum),
        decc_dp_format_rlc(lk, &bb.locked));
    if (sum != 0 || d[0] != 0 || d[1] != 0)
      goto out;
  }
  rc = pool_running ? CLI_OK : CLI_FAIL;
  if (!pool_running)
    say("demo INCOMPLETE: every step ran except the task execution (%s)",
        perr.msg);
  else
    say("demo complete");
out:
  decc_dp_set_runner(dp, NULL, NULL);
  if (pool_running)
    pool_stop(&rt);
  decc_dp_protected_clear(&pd);
  decc_dp_app_clear(&app);
  decc_dp_app_clear(&other);
  decc_dp_close(dp);
  decc_memzero(bob.sk, 32);
  decc_memzero(alice.sk, 32);
  decc_memzero(pool.sk, 32);
  decc_memzero(worker.sk, 32);
  decc_memzero(platform_sk, sizeof platform_sk);
  return rc;
}

static int rm_rf(const char *dir) {
  char cmd[4200];
  if (!dir || !*dir || strchr(dir, '\''))
    return -1;
  snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static const char DEMO_HELP[] =
    "usage: decc demo [--keep] [--dir DIR] [--lang sh|c]\n\n"
    "Runs the whole DataProtector story in a fresh temporary data\n"
    "directory: wallets, the sample iApp, app and workerpool orders,\n"
    "Alice protects a record and grants Bob's app to Bob (3 uses),\n"
    "Bob processes it and reads the decrypted result, another app is\n"
    "refused, Alice revokes, Bob is refused, balances add up.\n"
    "The enclave sandbox needs root. --dir uses DIR (must not exist);\n"
    "--keep leaves the data directory for inspection.\n";

int cli_cmd_demo(int argc, char **argv) {
  const char *keep_dir = NULL, *lang = "sh";
  int keep = 0;
  cli_opt opts[] = {
      {"keep", 0, CLI_OPT_FLAG, &keep, NULL,
       "keep the data directory for inspection", 0, 0, 0},
      {"dir", 0, CLI_OPT_STR, &keep_dir, "DIR",
       "use DIR as the data directory (must not exist; implies --keep)", 0, 0,
       0},
      {"lang", 0, CLI_OPT_STR, &lang, "sh|c",
       "the sample iApp's language (default sh)", 0, 0, 0},
      {0}};
  cli_spec spec = {"demo", DEMO_HELP, opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (strcmp(lang, "sh") && strcmp(lang, "c"))
    return cli_cmd_usage("demo", "--lang must be sh or c");
  clock_gettime(CLOCK_MONOTONIC, &g_t0);
  char home[4096];
  if (keep_dir) {
    if (mkdir(keep_dir, 0700) != 0)
      return cli_fail("%s: %s (give a directory that does not exist)", keep_dir,
                      strerror(errno));
    snprintf(home, sizeof home, "%s", keep_dir);
    keep = 1;
  } else {
    const char *t = getenv("TMPDIR");
    snprintf(home, sizeof home, "%s/decc-demo.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(home))
      return cli_fail("cannot create a temporary directory: %s",
                      strerror(errno));
  }
  int rc = run_demo(home, lang);
  if (keep)
    printf("data directory kept: %s\n", home);
  else if (rm_rf(home) != 0)
    fprintf(stderr, "decc: could not remove %s\n", home);
  return rc;
}
