/*
 * sandbox.c — decc's software enclave sandbox (see decc/sandbox.h).
 *
 * Process layout:
 *   caller ──fork──▶ supervisor (host root, own private mount namespace)
 *                     mounts the size-limited /iexec_out tmpfs and builds
 *                     the read-only root (binds of /usr, the app, inputs,
 *                     /dev nodes), then
 *                     ──fork──▶ creator: drops to a host uid/gid of its own
 *                               (DECC_SANDBOX_ID_BASE + supervisor pid, so
 *                               no other process shares it), then
 *                               unshare(user, mount, pid, net, ipc, uts)
 *                               and maps 65534 (inside) ↔ that id
 *                               ──fork──▶ init (pid 1 of the new pid ns):
 *                                         pivot_root, /proc, rlimits,
 *                                         Landlock, capability drop,
 *                                         seccomp, execve(program)
 *                     waits with the wall-clock limit (pidfd + poll),
 *                     copies regular files from the tmpfs to out_dir,
 *                     reports a decc_sandbox_result over a pipe.
 *
 * The supervisor and its children only use syscalls and stack memory:
 * the caller may be multi-threaded (the node), and after fork() only
 * async-signal-safe work is reliable. Everything that allocates (the
 * seccomp program, paths) is prepared before the first fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "decc/sandbox.h"

/* The app is uid/gid 65534 ("nobody") inside its user namespace. On the
 * host it runs under an id used by no other process: a base far above
 * regular and system ids plus the supervisor's pid (unique while the run
 * lasts). A shared id such as nobody would let any other process running as
 * nobody read the app's memory and environment (ptrace access checks are
 * uid-based), and would share RLIMIT_NPROC between runs. */
#define SANDBOX_INNER_ID 65534
#define DECC_SANDBOX_ID_BASE 1610612736u
#define MAX_BPF_INSNS 4096
#define MAX_OUT_FILES 10000
#define MAX_OUT_DEPTH 16

/* Landlock ABI constants, defined here because Debian 12's uapi headers
 * stop at ABI 2 while the kernels decc runs on offer more. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)     /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND_TCP (1ULL << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

struct ll_ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};
struct ll_path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

/* Everything the forked processes need, prepared before forking. */
typedef struct plan {
  const decc_sandbox_opts *o;
  char base[64];  /* host temp dir holding root/ and out/ */
  char root[96];  /* base/root: the sandbox's root (tmpfs) */
  char outfs[96]; /* base/out: the /iexec_out tmpfs */
  struct sock_filter bpf[MAX_BPF_INSNS];
  unsigned short bpf_len;
  int landlock_abi;
  int result_fd;    /* supervisor → caller */
  unsigned host_id; /* host uid and gid of this run (set by the supervisor) */
  int out_dirfd;    /* host output directory, opened O_DIRECTORY */
} plan;

/* ThreadSanitizer's fork() starts the runtime's background thread in the
 * child of a single-threaded process, and unshare(CLONE_NEWUSER) refuses a
 * multi-threaded caller (EINVAL): under TSan every sandbox run failed with
 * "unshare namespaces: Invalid argument". A TSan build therefore forks the
 * sandbox's processes with the raw system call, which TSan does not see;
 * their code only makes system calls (no allocation, so no runtime lock
 * that another thread held at the fork) and ends in _exit or execve, so
 * the runtime's view of the child does not matter. Other builds use
 * fork(). */
#if defined(__SANITIZE_THREAD__)
#define SANDBOX_RAW_FORK 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SANDBOX_RAW_FORK 1
#endif
#endif

static pid_t sandbox_fork(void) {
#ifdef SANDBOX_RAW_FORK
  return (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
#else
  return fork();
#endif
}

void decc_sandbox_opts_init(decc_sandbox_opts *o) {
  DECC_ARG_CHECK_VOID(o != NULL);
  memset(o, 0, sizeof *o);
  o->cwd = "/app";
  o->out_max_bytes = 64ull << 20;
  o->tmp_max_bytes = 64ull << 20;
  o->mem_max_bytes = 1ull << 30;
  o->cpu_seconds = 60;
  o->wall_ms = 60000;
  o->max_procs = 64;
  o->max_files = 256;
  o->stdout_fd = -1;
  o->stderr_fd = -1;
}

int decc_sandbox_landlock_abi(void) {
  long v =
      syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
  return v < 0 ? 0 : (int)v;
}

/* ---- seccomp allow-list ---------------------------------------------------- */

/* Syscalls a program may use: enough for shells, interpreters and typical
 * compiled apps; nothing that reconfigures the kernel, other processes or
 * namespaces. */
static const char *const ALLOWED[] = {
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "open",
    "openat",
    "openat2",
    "close",
    "close_range",
    "creat",
    "lseek",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "statfs",
    "fstatfs",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents",
    "getdents64",
    "getcwd",
    "chdir",
    "fchdir",
    "mkdir",
    "mkdirat",
    "rmdir",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "chmod",
    "fchmod",
    "fchmodat",
    "truncate",
    "ftruncate",
    "fallocate",
    "fsync",
    "fdatasync",
    "sync_file_range",
    "utime",
    "utimes",
    "utimensat",
    "futimesat",
    "umask",
    "fcntl",
    "flock",
    "dup",
    "dup2",
    "dup3",
    "pipe",
    "pipe2",
    "sendfile",
    "copy_file_range",
    "splice",
    "tee",
    "fadvise64",
    "ioctl",
    "mmap",
    "munmap",
    "mprotect",
    "mremap",
    "msync",
    "madvise",
    "mincore",
    "brk",
    "mlock",
    "munlock",
    "memfd_create",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigpending",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "sigaltstack",
    "kill",
    "tgkill",
    "tkill",
    "pause",
    "nanosleep",
    "clock_nanosleep",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "getitimer",
    "setitimer",
    "alarm",
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_getoverrun",
    "timer_delete",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    "eventfd",
    "eventfd2",
    "signalfd",
    "signalfd4",
    "select",
    "pselect6",
    "poll",
    "ppoll",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "fork",
    "vfork",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "wait4",
    "waitid",
    "getpid",
    "getppid",
    "gettid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "getpgrp",
    "getpgid",
    "setpgid",
    "getsid",
    "setsid",
    "uname",
    "sysinfo",
    "times",
    "getrusage",
    "getrlimit",
    "setrlimit",
    "prlimit64",
    "getpriority",
    "setpriority",
    "sched_yield",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getparam",
    "sched_getscheduler",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "futex",
    "set_robust_list",
    "get_robust_list",
    "set_tid_address",
    "rseq",
    "arch_prctl",
    "prctl",
    "getrandom",
    "membarrier",
    "restart_syscall",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    "shutdown",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
    "pidfd_open",
    "capget",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "getcpu",
    "inotify_init1",
    "inotify_add_watch",
    "inotify_rm_watch",
    "io_uring_setup" /* removed below on purpose: see build_seccomp */,
};

/* The compiled program is the same for every run: build it once. */
static pthread_mutex_t g_bpf_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sock_filter g_bpf[MAX_BPF_INSNS];
static unsigned short g_bpf_len;

static decc_status compile_seccomp(plan *p, decc_err *err);

static decc_status build_seccomp(plan *p, decc_err *err) {
  pthread_mutex_lock(&g_bpf_mu);
  decc_status rc = DECC_OK;
  if (!g_bpf_len) {
    rc = compile_seccomp(p, err);
    if (rc == DECC_OK) {
      memcpy(g_bpf, p->bpf, sizeof(struct sock_filter) * p->bpf_len);
      g_bpf_len = p->bpf_len;
    }
  } else {
    memcpy(p->bpf, g_bpf, sizeof(struct sock_filter) * g_bpf_len);
    p->bpf_len = g_bpf_len;
  }
  pthread_mutex_unlock(&g_bpf_mu);
  return rc;
}

static decc_status compile_seccomp(plan *p, decc_err *err) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (!ctx)
    return decc_err_set(err, DECC_E_NOMEM, "seccomp: cannot allocate");
  int rc = 0;
  for (size_t i = 0; i < sizeof ALLOWED / sizeof ALLOWED[0] && rc == 0; i++) {
    if (!strcmp(ALLOWED[i], "io_uring_setup"))
      continue; /* io_uring bypasses seccomp for the ops it submits */
    int nr = seccomp_syscall_resolve_name(ALLOWED[i]);
    if (nr == __NR_SCMP_ERROR)
      continue; /* not on this architecture */
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
  }
  /* clone without namespace flags (threads and fork); clone3 cannot be
   * filtered on its flags (they are behind a pointer), so it answers
   * ENOSYS and libc falls back to clone. */
  const uint64_t ns_flags = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID |
                            CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
                            CLONE_NEWCGROUP | 0x80 /* CLONE_NEWTIME */;
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags, 0));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  /* sockets: local (AF_UNIX) only; the network namespace has no route out
   * anyway, this makes the refusal explicit and immediate. */
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
                          SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                          SCMP_A0(SCMP_CMP_NE, AF_UNIX, 0));
  if (rc != 0) {
    seccomp_release(ctx);
    return decc_err_set(err, DECC_E_INTERNAL, "seccomp: rule error %d", rc);
  }
  int fd = memfd_create("decc-seccomp", MFD_CLOEXEC);
  if (fd < 0) {
    seccomp_release(ctx);
    return decc_err_set(err, DECC_E_INTERNAL, "seccomp: memfd: %s",
                        strerror(errno));
  }
  rc = seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  if (rc != 0) {
    close(fd);
    return decc_err_set(err, DECC_E_INTERNAL, "seccomp: export failed");
  }
  off_t len = lseek(fd, 0, SEEK_END);
  if (len <= 0 || len % (off_t)sizeof(struct sock_filter) ||
      len > (off_t)sizeof p->bpf) {
    close(fd);
    return decc_err_set(err, DECC_E_INTERNAL, "seccomp: program size %ld",
                        (long)len);
  }
  ssize_t r = pread(fd, p->bpf, (size_t)len, 0);
  close(fd);
  if (r != len)
    return decc_err_set(err, DECC_E_INTERNAL, "seccomp: read back failed");
  p->bpf_len = (unsigned short)(len / (off_t)sizeof(struct sock_filter));
  return DECC_OK;
}

/* ---- helpers usable after fork (no allocation) ---------------------------- */

typedef struct report {
  decc_sandbox_result r;
} report;

static void fail_report(int fd, const char *what, int e) {
  report rep;
  memset(&rep, 0, sizeof rep);
  rep.r.end = DECC_SANDBOX_SETUP_FAILED;
  snprintf(rep.r.detail, sizeof rep.r.detail, "%s: %s", what,
           e ? strerror(e) : "failed");
  if (write(fd, &rep, sizeof rep) < 0) { /* caller sees a short read */
  }
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t n = strlen(text);
  ssize_t w = write(fd, text, n);
  int e = errno;
  close(fd);
  errno = e;
  return w == (ssize_t)n ? 0 : -1;
}

static int path_join(char *out, size_t cap, const char *a, const char *b) {
  int n = snprintf(out, cap, "%s%s", a, b);
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Bind-mounts src on dst read-only (or rw), keeping the flags the kernel
 * requires us to keep (locked nosuid/nodev/noexec of the source). */
static int bind_mount(const char *src, const char *dst, int ro) {
  if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) != 0)
    return -1;
  struct statvfs sv;
  unsigned long keep = 0;
  if (statvfs(dst, &sv) == 0) {
    if (sv.f_flag & ST_NOEXEC)
      keep |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
      keep |= MS_NOATIME;
  }
  unsigned long fl = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | keep;
  if (ro)
    fl |= MS_RDONLY;
  return mount(NULL, dst, NULL, fl, NULL);
}

static int touch(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    return -1;
  close(fd);
  return 0;
}

/* Builds <root>: tmpfs skeleton, binds, then remounts it read-only. */
static int build_root(const plan *p, const char **what) {
  char opt[96], path[256];
  const decc_sandbox_opts *o = p->o;
  *what = "mount root tmpfs";
  if (mount("tmpfs", p->root, "tmpfs", MS_NOSUID | MS_NODEV,
            "size=1m,mode=0755") != 0)
    return -1;
  static const char *const dirs[] = {"/usr",       "/app",     "/iexec_in",
                                     "/iexec_out", "/tmp",     "/proc",
                                     "/dev",       "/oldroot", "/etc"};
  *what = "create root directories";
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
    if (path_join(path, sizeof path, p->root, dirs[i]) ||
        mkdir(path, 0755) != 0)
      return -1;
  /* Debian's merged /usr: /bin, /lib, /lib64 and /sbin point into /usr. */
  static const char *const links[][2] = {{"usr/bin", "/bin"},
                                         {"usr/sbin", "/sbin"},
                                         {"usr/lib", "/lib"},
                                         {"usr/lib64", "/lib64"}};
  *what = "create root symlinks";
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    if (path_join(path, sizeof path, p->root, links[i][1]) ||
        symlink(links[i][0], path) != 0)
      return -1;
  }
  /* A passwd/group naming the sandbox user keeps tools like `id` quiet. */
  *what = "create /etc files";
  if (path_join(path, sizeof path, p->root, "/etc/passwd"))
    return -1;
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  static const char pw[] = "nobody:x:65534:65534:enclave:/app:/bin/sh\n";
  ssize_t w = write(fd, pw, sizeof pw - 1);
  close(fd);
  if (w != (ssize_t)(sizeof pw - 1))
    return -1;
  if (path_join(path, sizeof path, p->root, "/etc/group"))
    return -1;
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  static const char gr[] = "nogroup:x:65534:\n";
  w = write(fd, gr, sizeof gr - 1);
  close(fd);
  if (w != (ssize_t)(sizeof gr - 1))
    return -1;
  static const char *const devs[] = {"null", "zero", "random", "urandom"};
  *what = "bind /dev nodes";
  for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
    char src[64];
    snprintf(src, sizeof src, "/dev/%s", devs[i]);
    if (snprintf(path, sizeof path, "%s/dev/%s", p->root, devs[i]) >=
            (int)sizeof path ||
        touch(path) != 0 || mount(src, path, NULL, MS_BIND, NULL) != 0 ||
        mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC,
              NULL) != 0)
      return -1;
  }
  *what = "bind /usr";
  if (path_join(path, sizeof path, p->root, "/usr") ||
      bind_mount("/usr", path, 1) != 0)
    return -1;
  *what = "bind /app";
  if (path_join(path, sizeof path, p->root, "/app") ||
      bind_mount(o->app_dir, path, 1) != 0)
    return -1;
  if (o->in_dir) {
    *what = "bind /iexec_in";
    if (path_join(path, sizeof path, p->root, "/iexec_in") ||
        bind_mount(o->in_dir, path, 1) != 0)
      return -1;
  }
  *what = "bind /iexec_out";
  if (path_join(path, sizeof path, p->root, "/iexec_out") ||
      bind_mount(p->outfs, path, 0) != 0)
    return -1;
  *what = "mount /tmp";
  snprintf(opt, sizeof opt, "size=%llu,nr_inodes=16384,mode=1777",
           (unsigned long long)o->tmp_max_bytes);
  if (path_join(path, sizeof path, p->root, "/tmp") ||
      mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opt) != 0)
    return -1;
  *what = "remount root read-only";
  if (mount(NULL, p->root, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
            "size=1m,mode=0755") != 0)
    return -1;
  return 0;
}

static int landlock_apply(int abi, const char **what) {
  if (abi <= 0)
    return 0;
  uint64_t fs_all = LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE |
                    LL_FS_READ_DIR | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE |
                    LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR | LL_FS_MAKE_REG |
                    LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK |
                    LL_FS_MAKE_SYM;
  if (abi >= 2)
    fs_all |= LL_FS_REFER;
  if (abi >= 3)
    fs_all |= LL_FS_TRUNCATE;
  if (abi >= 5)
    fs_all |= LL_FS_IOCTL_DEV;
  struct ll_ruleset_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.handled_access_fs = fs_all;
  size_t attr_size = 8;
  if (abi >= 4) {
    /* no TCP bind or connect at all */
    attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
    attr_size = 16;
  }
  *what = "landlock ruleset";
  int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
  if (rs < 0)
    return -1;
  const uint64_t rx = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
  const uint64_t rw_tree = (fs_all & ~(LL_FS_EXECUTE | LL_FS_MAKE_CHAR |
                                       LL_FS_MAKE_BLOCK | LL_FS_IOCTL_DEV));
  struct {
    const char *path;
    uint64_t access;
  } rules[] = {
      {"/usr", rx},
      {"/app", rx},
      {"/etc", LL_FS_READ_FILE | LL_FS_READ_DIR},
      {"/iexec_in", LL_FS_READ_FILE | LL_FS_READ_DIR},
      {"/iexec_out", rw_tree},
      {"/tmp", rw_tree},
      {"/proc", LL_FS_READ_FILE | LL_FS_READ_DIR},
      {"/dev", LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_READ_DIR |
                   (abi >= 5 ? LL_FS_IOCTL_DEV : 0) |
                   (abi >= 3 ? LL_FS_TRUNCATE : 0)},
  };
  *what = "landlock rules";
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
    int fd = open(rules[i].path, O_PATH | O_CLOEXEC);
    if (fd < 0)
      continue;
    struct ll_path_beneath_attr pb;
    pb.allowed_access = rules[i].access & fs_all;
    pb.parent_fd = fd;
    long rc = syscall(SYS_landlock_add_rule, rs, LL_RULE_PATH_BENEATH, &pb, 0);
    close(fd);
    if (rc != 0) {
      close(rs);
      return -1;
    }
  }
  /* Directories at the root itself (/, for ls /) stay readable through the
   * read-only mount; Landlock handles the rest. */
  *what = "landlock restrict";
  long rc = syscall(SYS_landlock_restrict_self, rs, 0);
  close(rs);
  return rc == 0 ? 0 : -1;
}

struct cap_header {
  uint32_t version;
  int pid;
};
struct cap_data {
  uint32_t effective, permitted, inheritable;
};

static int drop_capabilities(void) {
  for (int cap = 0; cap <= 63; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      return -1;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
      errno != EINVAL)
    return -1;
  struct cap_header h = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
  struct cap_data d[2];
  memset(d, 0, sizeof d);
  return (int)syscall(SYS_capset, &h, d);
}

/* pid 1 of the sandbox: finish the environment and exec the program. */
static void run_init(const plan *p, int report_fd) {
  const decc_sandbox_opts *o = p->o;
  const char *what = "prctl";
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    goto fail;
  what = "sethostname";
  if (sethostname("enclave", 7) != 0)
    goto fail;
  /* Mounts made by the supervisor are locked in this user namespace and
   * pivot_root refuses a locked new root: re-bind the root onto itself so
   * its top mount belongs to this namespace (its flags, read-only
   * included, stay locked). */
  what = "bind root";
  if (mount(p->root, p->root, NULL, MS_BIND | MS_REC, NULL) != 0)
    goto fail;
  what = "chdir root";
  if (chdir(p->root) != 0)
    goto fail;
  what = "pivot_root";
  if (syscall(SYS_pivot_root, ".", "oldroot") != 0)
    goto fail;
  what = "chdir /";
  if (chdir("/") != 0)
    goto fail;
  what = "mount /proc";
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) !=
      0)
    goto fail;
  what = "detach old root";
  if (umount2("/oldroot", MNT_DETACH) != 0)
    goto fail;
  /* stdio: stdin from /dev/null, stdout/stderr where the caller asked */
  what = "stdio";
  int devnull = open("/dev/null", O_RDWR);
  if (devnull < 0)
    goto fail;
  if (dup2(devnull, 0) < 0 ||
      dup2(o->stdout_fd >= 0 ? o->stdout_fd : devnull, 1) < 0 ||
      dup2(o->stderr_fd >= 0 ? o->stderr_fd : devnull, 2) < 0)
    goto fail;
  what = "chdir cwd";
  if (chdir(o->cwd ? o->cwd : "/app") != 0)
    goto fail;
  struct rlimit rl;
  what = "rlimits";
  rl.rlim_cur = rl.rlim_max = o->mem_max_bytes;
  if (setrlimit(RLIMIT_AS, &rl) != 0)
    goto fail;
  rl.rlim_cur = o->cpu_seconds;
  rl.rlim_max = o->cpu_seconds + 1; /* SIGXCPU first, then SIGKILL */
  if (setrlimit(RLIMIT_CPU, &rl) != 0)
    goto fail;
  rl.rlim_cur = rl.rlim_max = o->max_procs;
  if (setrlimit(RLIMIT_NPROC, &rl) != 0)
    goto fail;
  rl.rlim_cur = rl.rlim_max = o->out_max_bytes;
  if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
    goto fail;
  rl.rlim_cur = rl.rlim_max = o->max_files;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
    goto fail;
  rl.rlim_cur = rl.rlim_max = 0;
  if (setrlimit(RLIMIT_CORE, &rl) != 0 || setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
    goto fail;
  what = "no_new_privs";
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    goto fail;
  if (landlock_apply(p->landlock_abi, &what) != 0)
    goto fail;
  what = "drop capabilities";
  if (drop_capabilities() != 0)
    goto fail;
  /* No descriptor of the caller may leak into the app (0-2 are set above;
   * the setup pipe is already close-on-exec). */
  what = "close inherited descriptors";
  if (syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) != 0)
    goto fail;
  what = "seccomp";
  struct sock_fprog prog = {p->bpf_len, (struct sock_filter *)p->bpf};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
    goto fail;
  /* The setup pipe is close-on-exec: its EOF tells the supervisor the
   * program started. */
  execve(o->argv[0], (char *const *)o->argv,
         (char *const *)(o->envp ? o->envp : (const char *const[]){NULL}));
  {
    /* exec failed: this is the app's failure (missing entrypoint), so it
     * is reported like a program exit code 127 with a message on stderr */
    char msg[256];
    int n = snprintf(msg, sizeof msg, "enclave: cannot execute %s: %s\n",
                     o->argv[0], strerror(errno));
    if (n > 0 && write(2, msg, (size_t)n) < 0) { /* nothing else to do */
    }
    _exit(127);
  }
fail:
  fail_report(report_fd, what, errno);
  _exit(126);
}

/* The namespace creator: unprivileged host user, new namespaces, forks
 * pid 1 and relays its wait status over status_fd. */
static void run_creator(const plan *p, int report_fd, int status_fd) {
  const char *what = "prctl";
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    goto fail;
  what = "drop to the run's host uid";
  if (setgroups(0, NULL) != 0 ||
      setresgid(p->host_id, p->host_id, p->host_id) != 0 ||
      setresuid(p->host_id, p->host_id, p->host_id) != 0)
    goto fail;
  what = "unshare namespaces";
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
              CLONE_NEWIPC | CLONE_NEWUTS) != 0)
    goto fail;
  /* dumpable is reset by setuid; the /proc/self map files need it */
  what = "set dumpable";
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
    goto fail;
  what = "user namespace maps";
  char map[48];
  snprintf(map, sizeof map, "%u %u 1\n", SANDBOX_INNER_ID, p->host_id);
  if (write_file("/proc/self/setgroups", "deny") != 0 ||
      write_file("/proc/self/uid_map", map) != 0 ||
      write_file("/proc/self/gid_map", map) != 0)
    goto fail;
  what = "fork init";
  pid_t init = sandbox_fork();
  if (init < 0)
    goto fail;
  if (init == 0) {
    close(status_fd);
    run_init(p, report_fd);
  }
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  int st = 0;
  while (waitpid(init, &st, 0) < 0 && errno == EINTR)
    ;
  if (write(status_fd, &st, sizeof st) < 0) { /* supervisor sees EOF */
  }
  _exit(0);
fail:
  fail_report(report_fd, what, errno);
  _exit(126);
}

/* Copies regular files (recursively) from the tmpfs to the output dir,
 * never following links. Returns 0 or -1 (errno set). */
/* Totals and bounds of one copy-out. The tmpfs bounds what the app could
 * write, but hard links and sparse files would multiply it on the host:
 * every byte and every entry copied is counted against the limits here. */
typedef struct copy_budget {
  uint64_t bytes, max_bytes;
  uint32_t files, entries, max_entries;
  int exceeded; /* set (errno EFBIG) when a limit stopped the copy */
} copy_budget;

static int copy_tree(int src_dir, int dst_dir, int depth, copy_budget *b) {
  if (depth > MAX_OUT_DEPTH) {
    errno = ELOOP;
    return -1;
  }
  int fd = dup(src_dir);
  if (fd < 0)
    return -1;
  /* getdents64 directly: opendir/readdir allocate */
  char buf[4096];
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0)
      break;
    for (long off = 0; off < n;) {
      struct {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[];
      } *d = (void *)(buf + off);
      off += d->reclen;
      if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
        continue;
      struct stat st;
      if (fstatat(src_dir, d->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;
      if (++b->entries > b->max_entries) {
        b->exceeded = 1;
        close(fd);
        errno = EFBIG;
        return -1;
      }
      if (S_ISDIR(st.st_mode)) {
        int sd = openat(src_dir, d->name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sd < 0)
          continue;
        if (mkdirat(dst_dir, d->name, 0700) != 0 && errno != EEXIST) {
          close(sd);
          close(fd);
          return -1;
        }
        int dd = openat(dst_dir, d->name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dd < 0) {
          close(sd);
          close(fd);
          return -1;
        }
        int rc = copy_tree(sd, dd, depth + 1, b);
        close(sd);
        close(dd);
        if (rc != 0) {
          close(fd);
          return -1;
        }
        continue;
      }
      if (!S_ISREG(st.st_mode))
        continue; /* symlinks, fifos, sockets are not results */
      if (st.st_nlink > 1 || (uint64_t)st.st_size > b->max_bytes - b->bytes) {
        /* a hard link would copy the same data twice; a file (sparse or
         * not) past the budget would overflow the output limit */
        b->exceeded = 1;
        close(fd);
        errno = EFBIG;
        return -1;
      }
      int in = openat(src_dir, d->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (in < 0)
        continue;
      /* results may be plaintext before post-compute encrypts them: keep
       * them private to the host's root */
      int out =
          openat(dst_dir, d->name,
                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (out < 0) {
        close(in);
        close(fd);
        return -1;
      }
      char cb[65536];
      ssize_t r;
      while ((r = read(in, cb, sizeof cb)) > 0) {
        if ((uint64_t)r > b->max_bytes - b->bytes) {
          b->exceeded = 1; /* the file grew after fstatat */
          close(in);
          close(out);
          close(fd);
          errno = EFBIG;
          return -1;
        }
        for (ssize_t w = 0; w < r;) {
          ssize_t k = write(out, cb + w, (size_t)(r - w));
          if (k < 0) {
            close(in);
            close(out);
            close(fd);
            return -1;
          }
          w += k;
        }
        b->bytes += (uint64_t)r;
      }
      close(in);
      if (close(out) != 0 || r < 0) {
        close(fd);
        return -1;
      }
      b->files++;
    }
  }
  close(fd);
  return 0;
}

/* The supervisor: runs as host root in a private mount namespace. */
static void run_supervisor(plan *p) {
  const decc_sandbox_opts *o = p->o;
  int rfd = p->result_fd;
  const char *what = "unshare mount namespace";
  uint64_t t0 = decc__mono_ms();
  if (unshare(CLONE_NEWNS) != 0)
    goto fail;
  what = "make mounts private";
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    goto fail;
  char opt[96];
  p->host_id = DECC_SANDBOX_ID_BASE + (unsigned)getpid();
  /* nr_inodes bounds files and directories, not just bytes */
  snprintf(opt, sizeof opt, "size=%llu,nr_inodes=%u,mode=0700,uid=%u,gid=%u",
           (unsigned long long)o->out_max_bytes, MAX_OUT_FILES + 64, p->host_id,
           p->host_id);
  what = "mount /iexec_out tmpfs";
  if (mount("tmpfs", p->outfs, "tmpfs", MS_NOSUID | MS_NODEV, opt) != 0)
    goto fail;
  if (build_root(p, &what) != 0)
    goto fail;
  int sp[2], setup[2];
  what = "pipe";
  if (pipe2(sp, O_CLOEXEC) != 0 || pipe2(setup, O_CLOEXEC) != 0)
    goto fail;
  what = "fork";
  pid_t creator = sandbox_fork();
  if (creator < 0)
    goto fail;
  if (creator == 0) {
    close(sp[0]);
    close(setup[0]);
    close(rfd);
    run_creator(p, setup[1], sp[1]);
  }
  close(sp[1]);
  close(setup[1]);
  report rep;
  memset(&rep, 0, sizeof rep);
  int pfd = (int)syscall(SYS_pidfd_open, creator, 0);
  int timed_out = 0;
  if (pfd >= 0) {
    struct pollfd pf = {pfd, POLLIN, 0};
    int wall = o->wall_ms > (uint32_t)INT32_MAX ? INT32_MAX : (int)o->wall_ms;
    int left = wall;
    for (;;) {
      int rc = poll(&pf, 1, left);
      if (rc > 0)
        break;
      if (rc == 0) {
        timed_out = 1;
        kill(creator, SIGKILL); /* pid 1 dies by PDEATHSIG, then the ns */
        break;
      }
      if (errno != EINTR)
        break;
      uint64_t spent = decc__mono_ms() - t0;
      left = spent >= (uint64_t)wall ? 0 : wall - (int)spent;
    }
    close(pfd);
  }
  int cst = 0;
  while (waitpid(creator, &cst, 0) < 0 && errno == EINTR)
    ;
  int st = 0;
  ssize_t got = read(sp[0], &st, sizeof st);
  close(sp[0]);
  rep.r.wall_seconds = (double)(decc__mono_ms() - t0) / 1000.0;
  rep.r.landlock_abi = p->landlock_abi;
  /* A setup failure report (from the creator or from pid 1 before exec)
   * wins over everything else. Both writers have exited by now. */
  report fail_rep;
  ssize_t fr = read(setup[0], &fail_rep, sizeof fail_rep);
  close(setup[0]);
  if (fr == (ssize_t)sizeof fail_rep && !timed_out) {
    fail_rep.r.wall_seconds = rep.r.wall_seconds;
    if (write(rfd, &fail_rep, sizeof fail_rep) < 0) { /* short read */
    }
    _exit(0);
  }
  if (timed_out) {
    rep.r.end = DECC_SANDBOX_TIMEOUT;
    snprintf(rep.r.detail, sizeof rep.r.detail,
             "wall-clock limit of %u ms reached", o->wall_ms);
  } else if (got != (ssize_t)sizeof st) {
    rep.r.end = DECC_SANDBOX_SETUP_FAILED;
    snprintf(rep.r.detail, sizeof rep.r.detail,
             "the enclave ended without a status");
  } else if (WIFEXITED(st)) {
    rep.r.end = DECC_SANDBOX_EXITED;
    rep.r.exit_code = WEXITSTATUS(st);
  } else if (WIFSIGNALED(st)) {
    rep.r.end = DECC_SANDBOX_SIGNALED;
    rep.r.signal = WTERMSIG(st);
    if (rep.r.signal == SIGXFSZ) {
      rep.r.end = DECC_SANDBOX_OUTPUT_LIMIT;
      snprintf(rep.r.detail, sizeof rep.r.detail,
               "output file larger than %llu bytes",
               (unsigned long long)o->out_max_bytes);
    } else if (rep.r.signal == SIGXCPU ||
               (rep.r.signal == SIGKILL && o->cpu_seconds)) {
      snprintf(rep.r.detail, sizeof rep.r.detail,
               "killed by signal %d (CPU limit %u s or forced stop)",
               rep.r.signal, o->cpu_seconds);
    }
  }
  /* A full output tmpfs means the app hit the output limit. */
  struct statvfs sv;
  if (rep.r.end != DECC_SANDBOX_TIMEOUT && statvfs(p->outfs, &sv) == 0 &&
      sv.f_bavail == 0) {
    rep.r.end = DECC_SANDBOX_OUTPUT_LIMIT;
    snprintf(rep.r.detail, sizeof rep.r.detail,
             "/iexec_out exceeded its limit of %llu bytes",
             (unsigned long long)o->out_max_bytes);
  }
  if (rep.r.end != DECC_SANDBOX_OUTPUT_LIMIT) {
    copy_budget b = {0, o->out_max_bytes, 0, 0, MAX_OUT_FILES, 0};
    int src = open(p->outfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = src < 0 ? -1 : copy_tree(src, p->out_dirfd, 0, &b);
    int e = errno;
    if (src >= 0)
      close(src);
    rep.r.out_bytes = b.bytes;
    rep.r.out_files = b.files;
    if (rc != 0 && b.exceeded) {
      rep.r.end = DECC_SANDBOX_OUTPUT_LIMIT;
      snprintf(rep.r.detail, sizeof rep.r.detail,
               "/iexec_out exceeds %llu bytes or %u entries once copied "
               "(hard links are not allowed)",
               (unsigned long long)o->out_max_bytes, MAX_OUT_FILES);
    } else if (rc != 0) {
      rep.r.end = DECC_SANDBOX_SETUP_FAILED;
      snprintf(rep.r.detail, sizeof rep.r.detail,
               "copying /iexec_out to the output directory: %s", strerror(e));
    }
  }
  if (write(rfd, &rep, sizeof rep) < 0) { /* caller sees a short read */
  }
  _exit(0);
fail:
  fail_report(rfd, what, errno);
  _exit(0);
}

decc_status decc_sandbox_run(const decc_sandbox_opts *o,
                             decc_sandbox_result *res, decc_err *err) {
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(res != NULL);
  memset(res, 0, sizeof *res);
  if (!o->app_dir || !o->out_dir || !o->argv || !o->argv[0])
    return decc_err_set(err, DECC_E_INVALID,
                        "sandbox: app_dir, out_dir and argv are required");
  if (o->argv[0][0] != '/')
    return decc_err_set(err, DECC_E_INVALID,
                        "sandbox: the program path must be absolute inside "
                        "the sandbox (got '%.80s')",
                        o->argv[0]);
  if (geteuid() != 0)
    return decc_err_set(err, DECC_E_DENIED,
                        "sandbox: must run as root to build the enclave "
                        "(the program itself runs unprivileged)");
  struct stat st;
  if (stat(o->app_dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return decc_err_set(err, DECC_E_IO, "sandbox: app directory %s missing",
                        o->app_dir);
  if (o->in_dir && (stat(o->in_dir, &st) != 0 || !S_ISDIR(st.st_mode)))
    return decc_err_set(err, DECC_E_IO, "sandbox: input directory %s missing",
                        o->in_dir);
  plan *p = decc_calloc(1, sizeof *p);
  if (!p)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  p->o = o;
  p->out_dirfd = open(o->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (p->out_dirfd < 0) {
    decc_status s =
        decc_err_set(err, DECC_E_IO, "sandbox: output directory %s: %s",
                     o->out_dir, strerror(errno));
    decc_free(p);
    return s;
  }
  decc_status rc = build_seccomp(p, err);
  if (rc) {
    close(p->out_dirfd);
    decc_free(p);
    return rc;
  }
  p->landlock_abi = decc_sandbox_landlock_abi();
  const char *tmp = getenv("TMPDIR");
  if (!tmp || strlen(tmp) > 24 || tmp[0] != '/')
    tmp = "/tmp";
  snprintf(p->base, sizeof p->base, "%s/decc-enclave-XXXXXX", tmp);
  if (!mkdtemp(p->base)) {
    rc = decc_err_set(err, DECC_E_IO, "sandbox: mkdtemp in %s: %s", tmp,
                      strerror(errno));
    close(p->out_dirfd);
    decc_free(p);
    return rc;
  }
  /* the sandbox user must be able to traverse to its root */
  if (chmod(p->base, 0711) != 0) {
    rc = decc_err_set(err, DECC_E_IO, "sandbox: chmod %s: %s", p->base,
                      strerror(errno));
    rmdir(p->base);
    close(p->out_dirfd);
    decc_free(p);
    return rc;
  }
  snprintf(p->root, sizeof p->root, "%s/root", p->base);
  snprintf(p->outfs, sizeof p->outfs, "%s/out", p->base);
  if (mkdir(p->root, 0755) != 0 || mkdir(p->outfs, 0700) != 0) {
    rc = decc_err_set(err, DECC_E_IO, "sandbox: %s: %s", p->base,
                      strerror(errno));
    goto cleanup;
  }
  int rp[2];
  if (pipe2(rp, O_CLOEXEC) != 0) {
    rc = decc_err_set(err, DECC_E_INTERNAL, "sandbox: pipe: %s",
                      strerror(errno));
    goto cleanup;
  }
  p->result_fd = rp[1];
  pid_t parent = getpid();
  pid_t sup = sandbox_fork();
  if (sup < 0) {
    close(rp[0]);
    close(rp[1]);
    rc = decc_err_set(err, DECC_E_INTERNAL, "sandbox: fork: %s",
                      strerror(errno));
    goto cleanup;
  }
  if (sup == 0) {
    close(rp[0]);
    /* Dies with the process that runs the sandbox (the enclave), and so
     * does everything below it (each level has PDEATHSIG): nothing keeps
     * running or writing to out_dir after its owner is gone. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)
      _exit(4);
    run_supervisor(p);
    _exit(0);
  }
  close(rp[1]);
  report rep;
  size_t got = 0;
  while (got < sizeof rep) {
    ssize_t r = read(rp[0], (char *)&rep + got, sizeof rep - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  close(rp[0]);
  int sst;
  while (waitpid(sup, &sst, 0) < 0 && errno == EINTR)
    ;
  if (got != sizeof rep) {
    rc = decc_err_set(err, DECC_E_INTERNAL,
                      "sandbox: supervisor ended without a report");
    goto cleanup;
  }
  *res = rep.r;
  if (res->end == DECC_SANDBOX_SETUP_FAILED)
    rc = decc_err_set(err, DECC_E_INTERNAL, "sandbox setup failed: %s",
                      res->detail);
  else
    rc = DECC_OK;
cleanup:
  rmdir(p->root);
  rmdir(p->outfs);
  rmdir(p->base);
  close(p->out_dirfd);
  decc_free(p);
  return rc;
}
