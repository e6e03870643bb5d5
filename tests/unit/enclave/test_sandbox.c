/*
 * test_sandbox.c — the enclave sandbox against a hostile program
 * (tests/helpers/sandbox_probe.c): identity and capabilities, read-only
 * inputs, output copy-out (regular files only), network sockets, writes
 * outside /iexec_out, host files, ptrace / namespaces / mount / bpf,
 * fork bombs, memory, CPU and wall-clock limits, output size limits.
 * Needs root (as CI runs); prints a notice and skips otherwise.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/sandbox.h"
#include "test.h"

typedef struct env {
  char app[600], in[600], out[600], log[600];
  int log_fd;
} env;

static int make_env(env *e) {
  const char *t = decc_test_tmpdir();
  snprintf(e->app, sizeof e->app, "%s/app", t);
  snprintf(e->in, sizeof e->in, "%s/in", t);
  snprintf(e->out, sizeof e->out, "%s/out", t);
  snprintf(e->log, sizeof e->log, "%s/stdout.txt", t);
  if (mkdir(e->app, 0755) || mkdir(e->in, 0755) || mkdir(e->out, 0755))
    return 0;
  chmod(t, 0755);
  char cmd[1400];
  snprintf(cmd, sizeof cmd,
           "cp %s/sandbox_probe %s/probe && chmod 755 %s/probe",
           DECC_HELPERS_DIR, e->app, e->app);
  if (system(cmd) != 0)
    return 0;
  snprintf(cmd, sizeof cmd, "printf 'secret input' > %s/input.txt", e->in);
  if (system(cmd) != 0)
    return 0;
  e->log_fd = open(e->log, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  return e->log_fd >= 0;
}

static int run(env *e, const char *mode, decc_sandbox_opts *o,
               decc_sandbox_result *r) {
  const char *argv[] = {"/app/probe", mode, NULL};
  const char *envp[] = {"IEXEC_TASK_ID=0xabc", "PATH=/usr/bin:/bin", NULL};
  o->app_dir = e->app;
  o->in_dir = e->in;
  o->out_dir = e->out;
  o->argv = argv;
  o->envp = envp;
  o->stdout_fd = e->log_fd;
  o->stderr_fd = e->log_fd;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_sandbox_run(o, r, &err);
  if (st)
    fprintf(stderr, "    sandbox_run: %s\n", err.msg);
  return st == DECC_OK;
}

static char *log_text(env *e) { return decc_test_read_file(e->log, NULL); }

TEST(sandbox_runs_app_and_copies_results) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  decc_sandbox_result r;
  ASSERT(run(&e, "hello", &o, &r));
  char *log = log_text(&e);
  ASSERT_EQ(r.end, DECC_SANDBOX_EXITED);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT(strstr(log, "input=secret input"));
  ASSERT(strstr(log, "uid=65534 gid=65534 pid=1"));
  ASSERT(strstr(log, "env=0xabc"));
  char path[700];
  snprintf(path, sizeof path, "%s/result.txt", e.out);
  char *res = decc_test_read_file(path, NULL);
  ASSERT_STR_EQ(res, "hello from the enclave\n");
  snprintf(path, sizeof path, "%s/sub/nested.txt", e.out);
  ASSERT_STR_EQ(decc_test_read_file(path, NULL), "nested\n");
  struct stat st;
  snprintf(path, sizeof path, "%s/link", e.out);
  ASSERT(lstat(path, &st) != 0); /* symlinks are not results */
  ASSERT_EQ(r.out_files, 2);
  ASSERT_EQ(r.out_bytes, 30);
}

TEST(sandbox_has_no_privileges) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  decc_sandbox_result r;
  ASSERT(run(&e, "status", &o, &r));
  char *log = log_text(&e);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT(strstr(log, "CapEff:\t0000000000000000"));
  ASSERT(strstr(log, "CapPrm:\t0000000000000000"));
  ASSERT(strstr(log, "CapBnd:\t0000000000000000"));
  ASSERT(strstr(log, "NoNewPrivs:\t1"));
  ASSERT(strstr(log, "Seccomp:\t2"));
  ASSERT(strstr(log, "Uid:\t65534"));
}

TEST(sandbox_blocks_network) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  decc_sandbox_result r;
  ASSERT(run(&e, "net", &o, &r));
  char *log = log_text(&e);
  if (r.exit_code != 0)
    fprintf(stderr, "%s", log);
  ASSERT_EQ(r.end, DECC_SANDBOX_EXITED);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT(!strstr(log, "ATTACK WORKED"));
}

TEST(sandbox_blocks_filesystem_escapes) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  decc_sandbox_result r;
  ASSERT(run(&e, "fs", &o, &r));
  char *log = log_text(&e);
  if (r.exit_code != 0)
    fprintf(stderr, "%s", log);
  ASSERT_EQ(r.exit_code, 0);
  struct stat st;
  ASSERT(stat("/etc/decc-pwned", &st) != 0);
  ASSERT(stat("/usr/decc-pwned", &st) != 0);
  char path[700];
  snprintf(path, sizeof path, "%s/pwned", e.in);
  ASSERT(stat(path, &st) != 0);
}

TEST(sandbox_blocks_privileged_operations) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  decc_sandbox_result r;
  ASSERT(run(&e, "priv", &o, &r));
  char *log = log_text(&e);
  if (r.exit_code != 0)
    fprintf(stderr, "%s", log);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT(!strstr(log, "ATTACK WORKED"));
}

TEST(sandbox_limits_processes) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  o.max_procs = 16;
  o.wall_ms = 20000;
  decc_sandbox_result r;
  ASSERT(run(&e, "forkbomb", &o, &r));
  char *log = log_text(&e);
  if (r.exit_code != 0)
    fprintf(stderr, "%s", log);
  ASSERT_EQ(r.end, DECC_SANDBOX_EXITED);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT(strstr(log, "fork refused"));
}

TEST(sandbox_limits_memory) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  o.mem_max_bytes = 256ull << 20;
  decc_sandbox_result r;
  ASSERT(run(&e, "alloc", &o, &r));
  char *log = log_text(&e);
  ASSERT_EQ(r.exit_code, 0);
  ASSERT(strstr(log, "allocation refused"));
}

TEST(sandbox_limits_time) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  o.wall_ms = 300;
  decc_sandbox_result r;
  ASSERT(run(&e, "sleep", &o, &r));
  ASSERT_EQ(r.end, DECC_SANDBOX_TIMEOUT);
  ASSERT(r.wall_seconds < 5.0);
  decc_sandbox_opts_init(&o);
  o.cpu_seconds = 1;
  /* The CPU limit must end the spin, not the clock: on a loaded machine one
   * second of CPU can take many seconds of wall time, so the wall limit is
   * far away (the spin still ends after ~1 s on an idle machine). */
  o.wall_ms = 120000;
  ASSERT(run(&e, "spin", &o, &r));
  ASSERT_EQ(r.end, DECC_SANDBOX_SIGNALED);
  ASSERT(r.signal == SIGXCPU || r.signal == SIGKILL);
}

TEST(sandbox_limits_output) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  o.out_max_bytes = 1 << 20;
  decc_sandbox_result r;
  ASSERT(run(&e, "bigout", &o, &r));
  ASSERT_EQ(r.end, DECC_SANDBOX_OUTPUT_LIMIT);
  ASSERT_EQ(r.out_files, 0);
  ASSERT(run(&e, "manyfiles", &o, &r));
  ASSERT_EQ(r.end, DECC_SANDBOX_OUTPUT_LIMIT);
}

TEST(sandbox_output_limit_survives_hardlinks_and_sparse_files) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  o.out_max_bytes = 2 << 20;
  decc_sandbox_result r;
  ASSERT(run(&e, "hardlinks", &o, &r));
  ASSERT_EQ(r.end, DECC_SANDBOX_OUTPUT_LIMIT);
  ASSERT(r.out_bytes <= o.out_max_bytes);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "rm -rf %s/*", e.out);
  ASSERT_OK(system(cmd));
  ASSERT(run(&e, "sparse", &o, &r));
  ASSERT_EQ(r.end, DECC_SANDBOX_OUTPUT_LIMIT);
  ASSERT(r.out_bytes <= o.out_max_bytes);
  snprintf(cmd, sizeof cmd,
           "[ $(du -sk --apparent-size %s | cut -f1) -le 2100 ]", e.out);
  ASSERT_OK(system(cmd));
}

TEST(sandbox_runs_under_a_host_uid_of_its_own) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  decc_sandbox_result r;
  ASSERT(run(&e, "uidmap", &o, &r));
  char *log = log_text(&e);
  unsigned inner = 0, host = 0, count = 0;
  const char *p = strstr(log, "uid_map");
  ASSERT(p != NULL);
  ASSERT_EQ(sscanf(p, "uid_map %u %u %u", &inner, &host, &count), 3);
  ASSERT_EQ(inner, 65534);
  ASSERT(host != 65534 && host != 0);
  ASSERT(host >= 1610612736u);
  ASSERT_EQ(count, 1);
  /* results on the host are private */
  ASSERT(run(&e, "hello", &o, &r));
  struct stat st;
  char path[700];
  snprintf(path, sizeof path, "%s/result.txt", e.out);
  ASSERT_OK(stat(path, &st));
  ASSERT_EQ(st.st_mode & 0777, 0600);
}

TEST(sandbox_reports_exit_codes_and_bad_programs) {
  NEED_ROOT();
  env e;
  ASSERT(make_env(&e));
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  decc_sandbox_result r;
  const char *argv[] = {"/app/probe", "exit", "7", NULL};
  o.app_dir = e.app;
  o.out_dir = e.out;
  o.argv = argv;
  ASSERT_OK(decc_sandbox_run(&o, &r, NULL));
  ASSERT_EQ(r.end, DECC_SANDBOX_EXITED);
  ASSERT_EQ(r.exit_code, 7);
  const char *missing[] = {"/app/nope", NULL};
  o.argv = missing;
  o.stderr_fd = e.log_fd;
  ASSERT_OK(decc_sandbox_run(&o, &r, NULL));
  ASSERT_EQ(r.exit_code, 127);
  ASSERT(strstr(log_text(&e), "cannot execute /app/nope"));
  const char *relative[] = {"probe", NULL};
  o.argv = relative;
  decc_err err;
  ASSERT_EQ(decc_sandbox_run(&o, &r, &err), DECC_E_INVALID);
  o.argv = argv;
  o.app_dir = "/nonexistent/app";
  ASSERT_EQ(decc_sandbox_run(&o, &r, &err), DECC_E_IO);
  ASSERT(strstr(err.msg, "/nonexistent/app"));
}
