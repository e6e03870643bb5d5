/*
 * sandbox_probe.c — a hostile little program run inside the enclave
 * sandbox by test_sandbox.c. Each mode tries one escape or abuse and exits
 * 0 when the sandbox stopped it (and prints what it saw), non-zero when
 * the attack worked. Modes that test limits (spin, sleep, bigout) never
 * return on their own.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static int fails(int rc, const char *what) {
  if (rc >= 0) {
    printf("ATTACK WORKED: %s\n", what);
    return 0;
  }
  printf("blocked %s: %s\n", what, strerror(errno));
  return 1;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "hello";
  if (!strcmp(mode, "hello")) {
    FILE *f = fopen("/iexec_out/result.txt", "w");
    if (!f)
      return 2;
    fprintf(f, "hello from the enclave\n");
    fclose(f);
    mkdir("/iexec_out/sub", 0755);
    f = fopen("/iexec_out/sub/nested.txt", "w");
    if (f) {
      fputs("nested\n", f);
      fclose(f);
    }
    symlink("/etc/passwd", "/iexec_out/link");
    char buf[64] = {0};
    int in = open("/iexec_in/input.txt", O_RDONLY);
    if (in >= 0) {
      ssize_t n = read(in, buf, sizeof buf - 1);
      close(in);
      printf("input=%.*s\n", (int)(n > 0 ? n : 0), buf);
    }
    printf("uid=%d gid=%d pid=%d\n", getuid(), getgid(), getpid());
    printf("env=%s\n", getenv("IEXEC_TASK_ID") ? getenv("IEXEC_TASK_ID") : "");
    return 0;
  }
  if (!strcmp(mode, "status")) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
      if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) ||
          !strncmp(line, "Seccomp:", 8) || !strncmp(line, "Uid", 3))
        fputs(line, stdout);
    if (f)
      fclose(f);
    return 0;
  }
  if (!strcmp(mode, "net")) {
    int ok = fails(socket(AF_INET, SOCK_STREAM, 0), "socket(AF_INET)");
    ok &= fails(socket(AF_INET6, SOCK_DGRAM, 0), "socket(AF_INET6)");
    ok &= fails(socket(AF_NETLINK, SOCK_RAW, 0), "socket(AF_NETLINK)");
    ok &= fails(socket(AF_PACKET, SOCK_RAW, 0), "socket(AF_PACKET)");
    return ok ? 0 : 1;
  }
  if (!strcmp(mode, "fs")) {
    int ok =
        fails(open("/etc/decc-pwned", O_WRONLY | O_CREAT, 0644), "write /etc");
    ok &=
        fails(open("/usr/decc-pwned", O_WRONLY | O_CREAT, 0644), "write /usr");
    ok &= fails(open("/iexec_in/pwned", O_WRONLY | O_CREAT, 0644),
                "write /iexec_in");
    ok &= fails(open("/app/pwned", O_WRONLY | O_CREAT, 0644), "write /app");
    ok &= fails(open("/decc-pwned", O_WRONLY | O_CREAT, 0644), "write /");
    ok &= fails(open("/etc/shadow", O_RDONLY), "read /etc/shadow");
    ok &= fails(open("/root/.bashrc", O_RDONLY), "read /root");
    ok &= fails(open("/work", O_RDONLY), "open /work");
    ok &= fails(open("/home", O_RDONLY), "open /home");
    ok &= fails(open("/sys/kernel", O_RDONLY), "open /sys");
    ok &= fails(open("/proc/1/root/etc/shadow", O_RDONLY),
                "read via /proc/1/root");
    return ok ? 0 : 1;
  }
  if (!strcmp(mode, "priv")) {
    int ok = fails((int)ptrace(PTRACE_TRACEME, 0, NULL, NULL), "ptrace");
    ok &= fails(unshare(CLONE_NEWUSER), "unshare(user)");
    ok &= fails(mount("none", "/tmp", "tmpfs", 0, NULL), "mount");
    ok &= fails(chroot("/tmp"), "chroot");
    ok &= fails(setuid(0), "setuid(0)");
    char buf[8];
    struct iovec l = {buf, sizeof buf}, r = {(void *)0x400000, sizeof buf};
    ok &= fails((int)process_vm_readv(1, &l, 1, &r, 1, 0), "process_vm_readv");
    ok &= fails((int)syscall(SYS_bpf, 0, NULL, 0), "bpf");
    ok &= fails((int)syscall(SYS_init_module, NULL, 0, ""), "init_module");
    ok &= fails(kill(-1, 0) == 0 && getppid() != 0 ? 0 : -1,
                "see host processes");
    return ok ? 0 : 1;
  }
  if (!strcmp(mode, "forkbomb")) {
    int n = 0;
    for (int i = 0; i < 100000; i++) {
      pid_t p = fork();
      if (p < 0) {
        printf("fork refused after %d children: %s\n", n, strerror(errno));
        return 0;
      }
      if (p == 0) {
        pause();
        _exit(0);
      }
      n++;
    }
    printf("ATTACK WORKED: %d processes\n", n);
    return 1;
  }
  if (!strcmp(mode, "alloc")) {
    size_t total = 0;
    for (int i = 0; i < 64; i++) {
      char *p = malloc(64 << 20);
      if (!p) {
        printf("allocation refused after %zu MiB\n", total >> 20);
        return 0;
      }
      memset(p, 1, 64 << 20);
      total += 64 << 20;
    }
    printf("ATTACK WORKED: %zu MiB\n", total >> 20);
    return 1;
  }
  if (!strcmp(mode, "bigout")) {
    int fd = open("/iexec_out/big.bin", O_WRONLY | O_CREAT, 0644);
    char block[65536];
    memset(block, 'x', sizeof block);
    for (;;)
      if (write(fd, block, sizeof block) < 0)
        return 3;
  }
  if (!strcmp(mode, "manyfiles")) {
    char name[64], block[4096];
    memset(block, 'y', sizeof block);
    for (int i = 0;; i++) {
      snprintf(name, sizeof name, "/iexec_out/f%06d", i);
      int fd = open(name, O_WRONLY | O_CREAT, 0644);
      if (fd < 0 || write(fd, block, sizeof block) < 0)
        return 3;
      close(fd);
    }
  }
  if (!strcmp(mode, "hardlinks")) {
    /* one 256 KiB file, linked 100 times: 25 MiB if copied naively */
    int fd = open("/iexec_out/base.bin", O_WRONLY | O_CREAT, 0644);
    char block[65536];
    memset(block, 'h', sizeof block);
    for (int i = 0; i < 4; i++)
      if (write(fd, block, sizeof block) < 0)
        return 3;
    close(fd);
    for (int i = 0; i < 100; i++) {
      char name[64];
      snprintf(name, sizeof name, "/iexec_out/link%03d", i);
      if (link("/iexec_out/base.bin", name) != 0)
        return 4;
    }
    return 0;
  }
  if (!strcmp(mode, "sparse")) {
    /* sparse files cost no tmpfs space but their full size on the host */
    for (int i = 0; i < 100; i++) {
      char name[64];
      snprintf(name, sizeof name, "/iexec_out/sparse%03d", i);
      int fd = open(name, O_WRONLY | O_CREAT, 0644);
      if (fd < 0 || ftruncate(fd, 900 << 10) != 0)
        return 4;
      close(fd);
    }
    return 0;
  }
  if (!strcmp(mode, "uidmap")) {
    FILE *f = fopen("/proc/self/uid_map", "r");
    char line[128];
    if (f && fgets(line, sizeof line, f))
      printf("uid_map %s", line);
    if (f)
      fclose(f);
    return 0;
  }
  if (!strcmp(mode, "spin"))
    for (volatile unsigned long x = 0;; x++)
      ;
  if (!strcmp(mode, "sleep")) {
    sleep(1000);
    return 0;
  }
  if (!strcmp(mode, "exit"))
    return argc > 2 ? atoi(argv[2]) : 0;
  return 99;
}
