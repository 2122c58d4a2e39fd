/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stop-acting: the two halves of the security-userns suite's look at the
 * acting process (tests/security/test-security-userns.sh).
 *
 *   stop-acting stop DAEMON_PID      (as root)
 *
 * Seizes the daemon's main thread with ptrace(2), following its next fork
 * (the process that acts for a caller: a clone(2) with SIGCHLD, or a fork,
 * both reported as one; its threads are not followed), and lets the daemon
 * go at once.
 * Walks the new process from system call to system call up to the return of
 * its first prlimit64(2), and leaves it there stopped (SIGSTOP, as the caller
 * may send it) and no longer traced: exactly between the first and second
 * limit of a batch, where a caller's own SIGSTOP lands only by chance.
 * Prints "READY" once the daemon is seized, then "ACTING <pid> <system calls
 * it made>" (exit 0), or "FAILED <why>" (exit 1).
 *
 *   stop-acting access PID           (as the unprivileged caller)
 *
 * What the caller could do to the memory of process PID, which may be the
 * daemon's own: ptrace(PTRACE_ATTACH), open /proc/PID/mem,
 * process_vm_readv(2), pidfd_getfd(2) of its descriptor 0, list /proc/PID/fd.
 * Prints "ACCESS ptrace=... mem=... vm_readv=... getfd=... fd_dir=..." with
 * "ok" or the errno's name for each; exit 0 when every one was refused with
 * EPERM or EACCES, 1 otherwise. (An attach that succeeds is undone at once.) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what) {
        printf("FAILED %s: %s\n", what, strerror(errno));
        return 1;
}

static const char *syscall_name(long nr) {
        switch (nr) {
        case SYS_getpid: return "getpid";
        case SYS_setgroups: return "setgroups";
        case SYS_setresgid: return "setresgid";
        case SYS_setresuid: return "setresuid";
        case SYS_prctl: return "prctl";
        case SYS_capset: return "capset";
        case SYS_capget: return "capget";
        case SYS_getresuid: return "getresuid";
        case SYS_getresgid: return "getresgid";
        case SYS_setfsuid: return "setfsuid";
        case SYS_setfsgid: return "setfsgid";
        case SYS_getgroups: return "getgroups";
        case SYS_prlimit64: return "prlimit64";
        default: return NULL;
        }
}

static int stop(pid_t daemon) {
        if (ptrace(PTRACE_SEIZE, daemon, 0, PTRACE_O_TRACEFORK | PTRACE_O_TRACESYSGOOD) < 0)
                return fail("PTRACE_SEIZE of the daemon");
        printf("READY\n");
        alarm(30);

        pid_t child = 0;
        bool daemon_traced = true, at_prlimit = false;
        long entered = -1;
        char seen[2048] = "";
        size_t len = 0;
        for (;;) {
                int st;
                pid_t p = waitpid(-1, &st, __WALL);
                if (p < 0)
                        return fail("waitpid");
                if (p == daemon) {
                        if (!WIFSTOPPED(st)) {
                                errno = ESRCH;
                                return fail("the daemon");
                        }
                        int event = st >> 16;
                        if (event == PTRACE_EVENT_FORK) {
                                unsigned long msg = 0;
                                if (ptrace(PTRACE_GETEVENTMSG, daemon, 0, &msg) < 0)
                                        return fail("PTRACE_GETEVENTMSG");
                                child = (pid_t) msg;
                                if (ptrace(PTRACE_DETACH, daemon, 0, 0) < 0)
                                        return fail("PTRACE_DETACH of the daemon");
                                daemon_traced = false;
                                continue;
                        }
                        /* a signal for the daemon: passed on */
                        int sig = event == 0 && WSTOPSIG(st) != SIGTRAP ? WSTOPSIG(st) : 0;
                        if (ptrace(PTRACE_CONT, daemon, 0, sig) < 0)
                                return fail("PTRACE_CONT of the daemon");
                        continue;
                }
                if (p != child) {
                        /* seen before its parent's event: it is the one */
                        if (child == 0 && daemon_traced)
                                child = p;
                        else
                                continue;
                }
                if (!WIFSTOPPED(st)) {
                        printf("FAILED the acting process %d ended before its first prlimit64 (seen: %s)\n",
                               (int) child, seen);
                        return 1;
                }
                if (at_prlimit && WSTOPSIG(st) == SIGSTOP) {
                        /* Its SIGSTOP, before it runs a single instruction
                         * more: detached with the signal, it stops for good. */
                        if (ptrace(PTRACE_DETACH, child, 0, SIGSTOP) < 0)
                                return fail("PTRACE_DETACH of the acting process");
                        break;
                }
                if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
                        struct __ptrace_syscall_info info;
                        if (ptrace(PTRACE_GET_SYSCALL_INFO, child, sizeof info, &info) < 0)
                                return fail("PTRACE_GET_SYSCALL_INFO");
                        if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
                                entered = (long) info.entry.nr;
                                const char *name = syscall_name(entered);
                                char num[24];
                                if (!name)
                                        snprintf(num, sizeof num, "#%ld", entered), name = num;
                                if (len < sizeof seen - 32)
                                        len += (size_t) snprintf(seen + len, sizeof seen - len, "%s%s",
                                                                 len ? " " : "", name);
                        } else if (info.op == PTRACE_SYSCALL_INFO_EXIT && entered == SYS_prlimit64) {
                                if (len < sizeof seen - 32)
                                        len += (size_t) snprintf(seen + len, sizeof seen - len, "=%lld",
                                                                 (long long) info.exit.rval);
                                at_prlimit = true;
                                if (kill(child, SIGSTOP) < 0)
                                        return fail("kill(SIGSTOP)");
                                if (ptrace(PTRACE_CONT, child, 0, 0) < 0)
                                        return fail("PTRACE_CONT of the acting process");
                                continue;
                        }
                }
                /* Its first stop (seized: PTRACE_EVENT_STOP) or a system
                 * call's: on to the next one. A signal stop is passed on. */
                int sig = (st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP && WSTOPSIG(st) != (SIGTRAP | 0x80) &&
                          WSTOPSIG(st) != SIGSTOP ? WSTOPSIG(st) : 0;
                if (ptrace(PTRACE_SYSCALL, child, 0, sig) < 0)
                        return fail("PTRACE_SYSCALL");
        }

        /* Stopped, and no longer traced? */
        char path[64], line[256], state = '?';
        snprintf(path, sizeof path, "/proc/%d/status", (int) child);
        for (int i = 0; i < 200 && state != 'T'; i++) {
                FILE *f = fopen(path, "re");
                if (f) {
                        while (fgets(line, sizeof line, f))
                                if (sscanf(line, "State: %c", &state) == 1)
                                        break;
                        fclose(f);
                }
                if (state != 'T')
                        usleep(5000);
        }
        if (state != 'T') {
                printf("FAILED the acting process %d is in state %c, not stopped (seen: %s)\n", (int) child, state,
                       seen);
                return 1;
        }
        printf("ACTING %d %s\n", (int) child, seen);
        return 0;
}

static const char *verdict(int r) {
        return r >= 0 ? "ok" : strerrorname_np(-r) ? strerrorname_np(-r) : "?";
}

static int access_of(pid_t pid) {
        int r_ptrace, r_mem, r_vm, r_getfd, r_dir;
        char path[64];

        if (ptrace(PTRACE_ATTACH, pid, 0, 0) == 0) {
                r_ptrace = 0;
                (void) waitpid(pid, NULL, __WALL);
                (void) ptrace(PTRACE_DETACH, pid, 0, 0);
        } else
                r_ptrace = -errno;

        snprintf(path, sizeof path, "/proc/%d/mem", (int) pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        r_mem = fd < 0 ? -errno : 0;
        if (fd >= 0)
                close(fd);

        /* Refused: EPERM. Allowed: the address, below mmap_min_addr, is looked
         * at: EFAULT. */
        char buf[8];
        struct iovec local = { buf, sizeof buf }, remote = { (void *) 0x1000, sizeof buf };
        r_vm = process_vm_readv(pid, &local, 1, &remote, 1, 0) < 0 ? -errno : 0;

        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                r_getfd = -errno;
        else {
                int got = (int) syscall(SYS_pidfd_getfd, pidfd, 0, 0);
                r_getfd = got < 0 ? -errno : 0;
                if (got >= 0)
                        close(got);
                close(pidfd);
        }

        snprintf(path, sizeof path, "/proc/%d/fd", (int) pid);
        DIR *d = opendir(path);
        r_dir = d ? 0 : -errno;
        if (d)
                closedir(d);

        printf("ACCESS ptrace=%s mem=%s vm_readv=%s getfd=%s fd_dir=%s\n", verdict(r_ptrace), verdict(r_mem),
               verdict(r_vm), verdict(r_getfd), verdict(r_dir));
        int all[] = { r_ptrace, r_mem, r_vm, r_getfd, r_dir };
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
                if (all[i] != -EPERM && all[i] != -EACCES)
                        return 1;
        return 0;
}

int main(int argc, char *argv[]) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc == 3 && strcmp(argv[1], "stop") == 0 && atoi(argv[2]) > 1)
                return stop((pid_t) atoi(argv[2]));
        if (argc == 3 && strcmp(argv[1], "access") == 0 && atoi(argv[2]) > 1)
                return access_of((pid_t) atoi(argv[2]));
        fprintf(stderr, "usage: stop-acting stop DAEMON_PID | access PID\n");
        return 2;
}
