/*
 * decc/sandbox.h — runs one program in decc's software enclave sandbox.
 *
 * The program runs as an unprivileged host user of its own (a uid no other
 * process uses; "nobody", 65534, inside its user namespace) with no
 * capabilities, in new user, mount, pid, ipc, uts and network namespaces
 * (no network interface but a down loopback), on a minimal read-only root:
 * the host's /usr (read-only, so scripts can use system interpreters),
 * /app (the app bundle, read-only), /iexec_in (read-only), /iexec_out
 * (writable, size-limited tmpfs whose regular files are copied to the host
 * output directory after the run), /tmp (small tmpfs), /proc of its own pid
 * namespace and /dev/{null,zero,random,urandom}. A seccomp allow-list
 * (unlisted syscalls fail with EPERM; ptrace, mount, namespaces, bpf,
 * keyrings, module loading … are not listed; sockets only AF_UNIX),
 * Landlock (where the kernel has it) and rlimits (CPU time, address
 * space, processes, file size, open files, no core dumps) apply, plus a
 * wall-clock limit enforced by the supervisor.
 *
 * Needs root (CAP_SYS_ADMIN) to mount the output tmpfs; the sandboxed
 * program itself never has privileges. Not a hardware TEE: the host's root
 * can read the enclave's memory (see docs/internals/enclave.md).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_SANDBOX_H
#define DECC_SANDBOX_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct decc_sandbox_opts {
  const char *app_dir;     /* host dir mounted read-only at /app (required) */
  const char *in_dir;      /* host dir mounted read-only at /iexec_in (opt.) */
  const char *out_dir;     /* host dir receiving /iexec_out (required, must
                             exist; existing files are left alone) */
  const char *const *argv; /* program and arguments, argv[0] resolved inside
                             the sandbox (e.g. "/app/run.sh"); required */
  const char *const *envp; /* environment (NULL = empty) */
  const char *cwd;         /* working directory inside, default "/app" */
  uint64_t out_max_bytes;  /* /iexec_out size limit, default 64 MiB */
  uint64_t tmp_max_bytes;  /* /tmp size limit, default 64 MiB */
  uint64_t mem_max_bytes;  /* RLIMIT_AS, default 1 GiB */
  uint32_t cpu_seconds;    /* RLIMIT_CPU, default 60 */
  uint32_t wall_ms;        /* wall-clock limit, default 60000 */
  uint32_t max_procs;      /* processes of the sandbox user, default 64 */
  uint32_t max_files;      /* RLIMIT_NOFILE, default 256 */
  int stdout_fd;           /* where the program's stdout goes (-1: /dev/null) */
  int stderr_fd;           /* where its stderr goes (-1: /dev/null) */
} decc_sandbox_opts;

/* How the program ended. */
typedef enum decc_sandbox_end {
  DECC_SANDBOX_EXITED = 0,       /* exit_code is valid */
  DECC_SANDBOX_SIGNALED = 1,     /* killed by signal `signal` (e.g. SIGXCPU) */
  DECC_SANDBOX_TIMEOUT = 2,      /* wall-clock limit reached, killed */
  DECC_SANDBOX_OUTPUT_LIMIT = 3, /* /iexec_out exceeded its limit */
  DECC_SANDBOX_SETUP_FAILED = 4  /* the sandbox could not be built */
} decc_sandbox_end;

typedef struct decc_sandbox_result {
  decc_sandbox_end end;
  int exit_code;
  int signal;
  uint64_t out_bytes; /* bytes copied to out_dir */
  uint32_t out_files; /* regular files copied */
  double wall_seconds;
  int landlock_abi; /* Landlock ABI applied (0: kernel without Landlock;
                           the other layers still apply) */
  char detail[160]; /* why setup failed / which limit, one line */
} decc_sandbox_result;

/* Fills opts with the defaults (callers then set the required fields). */
DECC_API void decc_sandbox_opts_init(decc_sandbox_opts *opts);

/* Runs the program to completion in the sandbox.
 * Returns: DECC_OK when the sandbox ran (whatever the program did: see
 * res->end / exit_code); DECC_E_INVALID (missing required option);
 * DECC_E_DENIED (not root: cannot mount); DECC_E_IO (a host directory is
 * unusable); DECC_E_INTERNAL (fork/namespace failure; err says which). */
DECC_API decc_status decc_sandbox_run(const decc_sandbox_opts *opts,
                                      decc_sandbox_result *res,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Returns: the Landlock ABI version the kernel offers (0 = none). */
DECC_API int decc_sandbox_landlock_abi(void);

#ifdef __cplusplus
}
#endif
#endif /* DECC_SANDBOX_H */
