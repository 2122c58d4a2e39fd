/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "act.h"
#include "raw-syscall.h"
#include "util.h"

#if HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* PR_GET_DUMPABLE's values (the kernel's SUID_DUMP_*). */
enum { DUMP_DISABLE = 0, DUMP_USER = 1, DUMP_ROOT = 2 };

/* What the acting process reads and writes: in memory shared with it. */
typedef struct ActShared {
        pid_t pid;
        unsigned n;
        int resources[RLIM_NLIMITS];
        struct { uint64_t cur, max; } new[RLIM_NLIMITS], old[RLIM_NLIMITS];   /* struct rlimit64 */
        uid_t uid;
        gid_t gid;
        char fuse_abort[64]; /* instead of limits: the FUSE connection's abort file to write "1" to */
        int fuse_file;       /* ... if >= 0, only once this file shows the connection private (act.h) */
        unsigned fuse_connection;
        struct statx stx;
        pid_t daemon;        /* the daemon's pid: the thread group the ids must never change in */
        struct __user_cap_header_struct cap_header;
        struct __user_cap_data_struct cap_none[2];   /* all zero: no capability in any set */
        int dumpable;        /* PR_GET_DUMPABLE once the effective ids changed (fs.suid_dumpable) */
        bool as_caller;      /* every id the caller's, no capability, not dumpable: checked */
        unsigned applied;
        int r;
        bool restored;       /* after a refusal: every limit set before it put back */
        int done;
} ActShared;

/* The shared area holds ActShared at its start; the acting process's stack
 * grows down from its end. Its function is a leaf that only makes system
 * calls, so this is plenty. */
#define ACT_AREA_SIZE (16u * 1024)

struct Acting {
        ActShared *shared;   /* ACT_AREA_SIZE bytes */
        bool shared_mapped;  /* mmap'd MAP_SHARED, for a fork; else allocated */
        int pidfd;           /* the process's pidfd, or (no pidfd_open(2)) a pipe's read end */
        bool is_pidfd;
        pid_t pid;           /* the child's; its number stays ours until it is reaped */
        bool reaped;
        sd_event_source *io, *deadline;
        bool timed_out;
        act_done_t done;
        void *userdata;
};

static int caps_get(struct __user_cap_header_struct *h, struct __user_cap_data_struct data[2]) {
        *h = (struct __user_cap_header_struct) { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        return syscall(SYS_capget, h, data) < 0 ? -errno : 0;
}

bool have_cap_sys_resource(void) {
        struct __user_cap_header_struct h;
        struct __user_cap_data_struct data[2];
        if (caps_get(&h, data) < 0)
                return false;
        return data[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective & CAP_TO_MASK(CAP_SYS_RESOURCE);
}

void act_privileged_all(const Target *t, const ActRequest *req, ActResult *ret) {
        ActResult res = { .reported = true, .restored = true };
        for (; res.applied < req->n; res.applied++) {
                res.r = target_prlimit(t, req->resources[res.applied], &req->new[res.applied],
                                       &res.old[res.applied]);
                if (res.r < 0)
                        break;
        }
        /* Put back on the held process only: target_prlimit() refuses one
         * that is gone. */
        for (unsigned i = res.applied; res.r < 0 && i-- > 0;) {
                struct rlimit ignored;
                if (target_prlimit(t, req->resources[i], &res.old[i], &ignored) < 0)
                        res.restored = false;
        }
        *ret = res;
}

/* The acting process. With CLONE_VM it shares the daemon's memory and the
 * thread-local storage of the thread that cloned it, so it must not touch
 * errno or anything else of libc's: raw system calls only, results into the
 * shared area or its own stack (which is in that area).
 *
 * It takes every id of the caller's (real, effective, saved, filesystem; no
 * supplementary groups) and holds no capability in any set, so that each
 * prlimit(2) it makes is checked as the caller's own: an effective uid of 0
 * would keep the power of the owner of every user namespace root made (all
 * containers', all PrivateUsers= services'), which has every capability in
 * it, whatever the capability sets say; and a daemon run as a user of its own
 * with ambient capabilities keeps them across setresuid(2), so they are
 * cleared here rather than left to the kernel.
 *
 * The caller may then do to it what it may do to any process of its own,
 * but for reading or writing its memory (ptrace(2), process_vm_*, /proc/PID/mem
 * and the like): that memory is the daemon's, and the kernel refuses those
 * to a process that is not dumpable. The kernel resets the flag to
 * fs.suid_dumpable whenever the effective or filesystem ids change, and
 * only 1 there (SUID_DUMP_USER) would let the caller in. So the effective
 * ids change first, alone, while the real and saved uid are still the
 * daemon's (without CAP_SYS_PTRACE one may trace only a process whose
 * real, effective and saved uids are all one's own); the flag is made 0 if
 * it is 1 then; and only then do the real and saved uid follow, which
 * changes neither the effective ids nor the capabilities but by dropping
 * some, so the kernel leaves the flag as it is. At no instant does a
 * process with the caller's every id have the flag at 1. (2, SUID_DUMP_ROOT,
 * refuses as 0 does, and is left, so that the daemon, whose flag this is
 * too when the memory is shared, still dumps core where systemd-coredump
 * asked for that.) */
__attribute__((no_sanitize("address", "undefined")))
static bool is_caller(const ActShared *j) {
        uid_t u[3];
        gid_t g[3];
        struct __user_cap_header_struct h;
        struct __user_cap_data_struct caps[2];

        h.version = _LINUX_CAPABILITY_VERSION_3;
        h.pid = 0;
        if (raw_syscall4(SYS_getresuid, (long) &u[0], (long) &u[1], (long) &u[2], 0) != 0 ||
            raw_syscall4(SYS_getresgid, (long) &g[0], (long) &g[1], (long) &g[2], 0) != 0 ||
            raw_syscall4(SYS_capget, (long) &h, (long) caps, 0, 0) != 0)
                return false;
        for (unsigned i = 0; i < 3; i++)
                if (u[i] != j->uid || g[i] != j->gid)
                        return false;
        /* setfsuid(2) and setfsgid(2) with an invalid id change nothing and
         * return the current one. */
        if (raw_syscall4(SYS_setfsuid, -1, 0, 0, 0) != (long) j->uid ||
            raw_syscall4(SYS_setfsgid, -1, 0, 0, 0) != (long) j->gid ||
            raw_syscall4(SYS_getgroups, 0, 0, 0, 0) != 0)
                return false;
        /* The ambient set is always within the permitted one. */
        for (unsigned i = 0; i < 2; i++)
                if (caps[i].effective != 0 || caps[i].permitted != 0 || caps[i].inheritable != 0)
                        return false;
        return raw_syscall5(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0) != DUMP_USER;
}

__attribute__((no_sanitize("address", "undefined")))
static long become_caller(ActShared *j) {
        long r = raw_syscall4(SYS_setgroups, 0, 0, 0, 0);
        if (r == 0)
                r = raw_syscall4(SYS_setresgid, (long) j->gid, (long) j->gid, (long) j->gid, 0);
        if (r == 0)
                r = raw_syscall4(SYS_setresuid, -1, (long) j->uid, -1, 0);
        if (r == 0) {
                j->dumpable = (int) raw_syscall5(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
                if (j->dumpable == DUMP_USER)
                        r = raw_syscall5(SYS_prctl, PR_SET_DUMPABLE, DUMP_DISABLE, 0, 0, 0);
        }
        if (r == 0)
                r = raw_syscall4(SYS_setresuid, (long) j->uid, (long) j->uid, (long) j->uid, 0);
        if (r == 0)
                r = raw_syscall5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        if (r == 0)
                r = raw_syscall4(SYS_capset, (long) &j->cap_header, (long) j->cap_none, 0, 0);
        if (r == 0 && !is_caller(j))
                r = -EPERM;
        j->as_caller = r == 0;
        return r;
}

/* The FUSE file's type and device from the kernel's cache (AT_STATX_DONT_SYNC:
 * no request to the server). Asked for its type, the connection's access
 * check applies (fs/fuse/dir.c, fuse_getattr(): -EACCES where
 * fuse_allow_current_process() refuses); asked for nothing (mask 0), it
 * answers anyone the device. */
__attribute__((no_sanitize("address", "undefined")))
static long fuse_statx(ActShared *j, unsigned mask) {
        return raw_syscall5(SYS_statx, j->fuse_file, (long) "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, mask,
                            (long) &j->stx);
}

__attribute__((no_sanitize("address", "undefined")))
static int act_child(void *userdata) {
        ActShared *j = userdata;

        /* The caller may signal a task with its real uid: that task must be
         * in a thread group of its own, never the daemon's. getpid(2) is the
         * thread group's id. */
        long r = raw_syscall4(SYS_getpid, 0, 0, 0, 0) == j->daemon ? -EDEADLK : 0;
        /* The connection refuses this process, with the daemon's ids (not
         * the owner's; no CAP_SYS_ADMIN) in the initial user namespace:
         * fuse_allow_current_process() admits, with allow_other, only
         * processes of the user namespace the connection was mounted in
         * (current_in_userns()), else only those whose real, effective and
         * saved ids are all the owner's (fuse_permissible_uidgid()). So it
         * is private to its owner, or an allow_other mount made in a user
         * namespace other than the initial one (its owner's, or one it made
         * from): either way only the owner's processes, or those of that
         * namespace, could have opened the file. An allow_other mount of
         * the initial namespace (user_allow_other, an administrator's
         * choice) admits this process, and is not aborted here. */
        if (r == 0 && j->fuse_abort[0] && j->fuse_file >= 0)
                r = fuse_statx(j, STATX_TYPE) == -EACCES ? 0 : -EPERM;
        if (r == 0)
                r = become_caller(j);
        /* And the file is of the connection to abort. */
        if (r == 0 && j->fuse_abort[0] && j->fuse_file >= 0) {
                r = fuse_statx(j, 0) == 0 ? 0 : -EPERM;
                if (r == 0 && (j->stx.stx_dev_major >= (1u << 12) || j->stx.stx_dev_minor >= (1u << 20) ||
                               (j->stx.stx_dev_major << 20 | j->stx.stx_dev_minor) != j->fuse_connection))
                        r = -EXDEV;
        }
        /* fusectl's abort file is its connection owner's alone (mode 0200):
         * the kernel lets only that uid write it, here as everywhere. */
        if (r == 0 && j->fuse_abort[0]) {
                long fd = raw_syscall4(SYS_openat, AT_FDCWD, (long) j->fuse_abort,
                                       O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0);
                r = fd;
                if (fd >= 0) {
                        r = raw_syscall4(SYS_write, fd, (long) "1", 1, 0);
                        r = r == 1 ? 0 : r < 0 ? r : -EIO;
                        (void) raw_syscall4(SYS_close, fd, 0, 0, 0);
                }
        }
        for (unsigned i = 0; r == 0 && i < j->n; i++) {
                r = raw_syscall4(SYS_prlimit64, j->pid, j->resources[i], (long) &j->new[i], (long) &j->old[i]);
                if (r == 0)
                        j->applied = i + 1;
        }
        /* A batch is all or nothing: what was set before the refusal is put
         * back here, with the same ids, so the kernel checks that too and no
         * privilege is ever used to repair what the caller's ids did. */
        bool restored = true;
        for (unsigned i = j->applied; r != 0 && i-- > 0;)
                if (raw_syscall4(SYS_prlimit64, j->pid, j->resources[i], (long) &j->old[i], 0) != 0)
                        restored = false;
        j->restored = restored;
        j->r = (int) r;
        __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
        return 0;
}

/* A process of its own: memory and the descriptor table are shared (the
 * process then holds no references of its own to the daemon's files), but
 * never the thread group, whose every task the caller could then signal. */
#define ACT_CLONE_FLAGS (CLONE_VM | CLONE_FILES | CLONE_PIDFD | SIGCHLD)
_Static_assert((ACT_CLONE_FLAGS & (CLONE_THREAD | CLONE_SIGHAND)) == 0,
               "the acting process must not join the daemon's thread group");

/* Whether the acting process shares the daemon's memory: -1 until
 * act_setup() has looked. */
static int share_memory = -1;

/* What an acting process's id change does to the dumpable flag, seen in a
 * fork that makes it (to ids that are not the daemon's, acting on nothing):
 * false when it leaves the flag at SUID_DUMP_USER (fs.suid_dumpable = 1), or
 * the change fails. The acting process makes it 0 at once then, before any
 * other uid is the caller's, so a tracer is refused either way; but for
 * that instant /proc/PID is owned by the caller, which may then list the
 * descriptor numbers of the daemon's table (CLONE_FILES). A fork shares
 * neither. /proc/sys is not read: the unit may mount /proc with
 * subset=pid. */
static bool probe_id_change(void) {
        ActShared *j = mmap(NULL, sizeof *j, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (j == MAP_FAILED)
                return false;
        *j = (ActShared) {
                .uid = geteuid() == 65534 ? 65533 : 65534,
                .gid = getegid() == 65534 ? 65533 : 65534,
                .daemon = getpid(),
                .cap_header = { .version = _LINUX_CAPABILITY_VERSION_3 },
                .dumpable = -1,
        };

        bool ok = false;
        pid_t pid = fork();
        if (pid == 0) {
                act_child(j);
                _exit(0);
        }
        if (pid > 0) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                ok = __atomic_load_n(&j->done, __ATOMIC_ACQUIRE) && j->as_caller && j->dumpable != DUMP_USER;
        }
        munmap(j, sizeof *j);
        return ok;
}

/* Sharing the address space spares copying the daemon's page tables (on
 * virtual machines a fork costs milliseconds), and the area is then plain
 * memory. valgrind cannot run a CLONE_VM process that is not a thread, nor
 * can the raw system calls be made everywhere: there a fork shares the area
 * through MAP_SHARED instead, as it does where the id change would leave
 * the process dumpable for an instant (probe_id_change). */
bool act_setup(void) {
        if (share_memory < 0)
                share_memory = HAVE_RAW_SYSCALL && !RUNNING_ON_VALGRIND && probe_id_change();
        return share_memory;
}

/* The acting process starts with every signal blocked (the mask is
 * inherited), so only SIGKILL and SIGSTOP, which cannot be blocked, reach it:
 * no signal can make it dump core, which would take every process sharing its
 * memory along. Fills in the watch: its pidfd, or where pidfd_open(2) is
 * missing (valgrind) the read end of a pipe whose only write end the child
 * holds, which says hang-up when it exits. */
static int spawn(Acting *a) {
        ActShared *shared = a->shared;
        sigset_t all, saved;
        int pidfd = -1, r;

        sigfillset(&all);
        r = -pthread_sigmask(SIG_SETMASK, &all, &saved);
        if (r < 0)
                return r;

        if (!a->shared_mapped) {
                pid_t pid = clone(act_child, (char *) shared + ACT_AREA_SIZE, ACT_CLONE_FLAGS, shared, &pidfd);
                r = pid < 0 ? -errno : 0;
                a->pid = pid;
                a->is_pidfd = true;
        } else {
                int pipefd[2] = { -1, -1 };
                pid_t pid = -1;
                r = pipe2(pipefd, O_CLOEXEC) < 0 ? -errno : 0;
                if (r == 0) {
                        pid = fork();
                        if (pid == 0) {
                                close(pipefd[0]);
                                act_child(shared);
                                _exit(0);
                        }
                        if (pid < 0)
                                r = -errno;
                }
                if (r == 0) {
                        pipefd[1] = safe_close(pipefd[1]);
                        a->pid = pid;
                        pidfd = pidfd_open(pid, 0);
                        if (pidfd >= 0)
                                a->is_pidfd = true;
                        else
                                pidfd = TAKE_FD(pipefd[0]);
                }
                closep(&pipefd[0]);
                closep(&pipefd[1]);
        }

        (void) pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (r < 0)
                return r;
        a->pidfd = pidfd;
        return 0;
}

static void result_of(const Acting *a, const siginfo_t *si, ActResult *ret) {
        /* The flag was 1 after the id change: fs.suid_dumpable became 1
         * since act_setup() looked. From now on a fork, as it would have
         * chosen. */
        if (a->shared->dumpable == DUMP_USER)
                share_memory = false;

        ActResult res = {
                .reported = __atomic_load_n(&a->shared->done, __ATOMIC_ACQUIRE) != 0,
                .timed_out = a->timed_out,
                .signal = si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED ? si->si_status : 0,
        };
        if (res.reported) {
                res.not_caller = !a->shared->as_caller;
                res.r = a->shared->r;
                res.restored = a->shared->restored;
                res.applied = a->shared->applied;
                for (unsigned i = 0; i < res.applied; i++)
                        res.old[i] = (struct rlimit) { .rlim_cur = a->shared->old[i].cur,
                                                       .rlim_max = a->shared->old[i].max };
        }
        *ret = res;
}

/* Reaps the acting process: 1 when it has exited (waiting for it if
 * "block"), 0 while it runs. */
static int reap(Acting *a, bool block, siginfo_t *ret) {
        siginfo_t si = {};

        if (a->reaped)
                return 1;
        for (;;) {
                idtype_t type = a->is_pidfd ? P_PIDFD : P_PID;
                id_t id = a->is_pidfd ? (id_t) a->pidfd : (id_t) a->pid;
                if (waitid(type, id, &si, WEXITED | (block ? 0 : WNOHANG)) >= 0)
                        break;
                if (errno != EINTR)
                        return 1;   /* ECHILD: nothing left to wait for */
        }
        if (si.si_pid == 0)
                return 0;
        a->reaped = true;
        if (ret)
                *ret = si;
        return 1;
}

/* The pidfd leaves the event loop before it is closed: epoll forgets a
 * descriptor only when every reference to its file is gone, and another
 * acting process (a fork, under valgrind) may hold a copy, so closing
 * first would leave an event for a freed source behind. */
static void pidfd_done(Acting *a) {
        a->io = sd_event_source_disable_unref(a->io);
        a->pidfd = safe_close(a->pidfd);
}

/* The pidfd becomes readable when the process exits. */
static int on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Acting *a = userdata;
        siginfo_t si = {};
        ActResult res;
        (void) s, (void) fd, (void) revents;

        if (reap(a, false, &si) == 0)
                return 0;
        pidfd_done(a);
        result_of(a, &si, &res);
        a->done(&res, a->userdata);
        return 0;
}

/* SIGKILL through the pidfd, or by number where there is none: the number is
 * the daemon's own unreaped child's, which nobody else can have. */
static void act_kill(Acting *a) {
        if (a->is_pidfd)
                (void) pidfd_send_signal(a->pidfd, SIGKILL, NULL, 0);
        else
                (void) kill(a->pid, SIGKILL);
}

/* Killed, then waited for: bounded, as SIGKILL ends even a stopped process. */
static void kill_and_reap(Acting *a, siginfo_t *ret) {
        if (a->pidfd < 0)
                return;
        if (!a->reaped)
                act_kill(a);
        (void) reap(a, true, ret);
}

void act_stop(Acting *a, ActResult *ret) {
        siginfo_t si = {};
        kill_and_reap(a, &si);
        result_of(a, &si, ret);
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        Acting *a = userdata;
        (void) usec;

        /* Stopped by the caller, or starved: its request fails, nobody else's.
         * The pidfd then says it exited. */
        a->timed_out = true;
        if (a->pidfd >= 0 && !a->reaped)
                act_kill(a);
        return sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

Acting *act_free(Acting *a) {
        if (!a)
                return NULL;
        /* Nothing may use the shared area once it is freed. */
        kill_and_reap(a, NULL);
        pidfd_done(a);
        sd_event_source_disable_unref(a->deadline);
        if (a->shared_mapped)
                munmap(a->shared, ACT_AREA_SIZE);
        else
                free(a->shared);
        free(a);
        return NULL;
}

static void act_freep(Acting **a) {
        act_free(*a);
}

int act_as_caller(sd_event *e, const ActRequest *req, uint64_t deadline_usec, act_done_t done,
                  void *userdata, Acting **ret) {
        _cleanup_(act_freep) Acting *a = calloc(1, sizeof *a);
        int r;

        if (!a)
                return -ENOMEM;
        a->done = done;
        a->userdata = userdata;
        a->pidfd = -1;

        if (act_setup()) {
                a->shared = aligned_alloc(64, ACT_AREA_SIZE);
                if (!a->shared)
                        return -ENOMEM;
                memset(a->shared, 0, sizeof *a->shared);
        } else {
                void *area = mmap(NULL, ACT_AREA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
                if (area == MAP_FAILED)
                        return -errno;
                a->shared = area;
                a->shared_mapped = true;
        }

        ActShared *j = a->shared;
        j->pid = req->pid;
        j->n = req->n;
        for (unsigned i = 0; i < req->n; i++) {
                j->resources[i] = req->resources[i];
                j->new[i].cur = req->new[i].rlim_cur;
                j->new[i].max = req->new[i].rlim_max;
        }
        j->uid = req->uid;
        j->gid = req->gid;
        j->fuse_file = -1;
        if (req->fuse_abort) {
                j->n = 0;
                j->fuse_file = req->fuse_file;
                j->fuse_connection = req->fuse_connection;
                snprintf(j->fuse_abort, sizeof j->fuse_abort, "/sys/fs/fuse/connections/%u/abort",
                         req->fuse_connection);
        }
        j->daemon = getpid();
        j->cap_header = (struct __user_cap_header_struct) { .version = _LINUX_CAPABILITY_VERSION_3 };

        r = spawn(a);
        if (r < 0)
                return r;

        /* A pidfd becomes readable, a pipe hangs up, when the process exits. */
        r = sd_event_add_io(e, &a->io, a->pidfd, EPOLLIN, on_pidfd, a);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(e, &a->deadline, CLOCK_MONOTONIC, deadline_usec, 0, on_deadline, a);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(a);
        return 0;
}
