/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
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

/* What the acting process reads and writes: in memory shared with it. */
typedef struct ActShared {
        pid_t pid;
        unsigned n;
        int resources[RLIM_NLIMITS];
        struct { uint64_t cur, max; } new[RLIM_NLIMITS], old[RLIM_NLIMITS];   /* struct rlimit64 */
        uid_t uid;
        gid_t gid;
        struct __user_cap_header_struct cap_header;
        struct __user_cap_data_struct cap_data[2];
        unsigned applied;
        int r;
        int done;
} ActShared;

/* The shared area holds ActShared at its start; the acting process's stack
 * grows down from its end. Its function is a leaf that only makes system
 * calls, so this is plenty. */
#define ACT_AREA_SIZE (16u * 1024)

struct Acting {
        ActShared *shared;   /* ACT_AREA_SIZE bytes, mmap'd */
        sd_event_source *child, *deadline;
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

int act_privileged(pid_t pid, int resource, const struct rlimit *new, struct rlimit *ret_old) {
        struct rlimit old;
        if (prlimit(pid, (__rlimit_resource_t) resource, new, &old) < 0)
                return -errno;
        *ret_old = old;
        return 0;
}

void act_privileged_all(const ActRequest *req, ActResult *ret) {
        ActResult res = { .reported = true };
        for (; res.applied < req->n; res.applied++) {
                res.r = act_privileged(req->pid, req->resources[res.applied], &req->new[res.applied],
                                       &res.old[res.applied]);
                if (res.r < 0)
                        break;
        }
        *ret = res;
}

/* The acting process. With CLONE_VM it shares the daemon's memory and the
 * thread-local storage of the thread that cloned it, so it must not touch
 * errno or anything else of libc's: raw system calls only, results into the
 * shared area. Only the real ids change; the effective ones stay root's so
 * that the caller cannot ptrace it (nor read its memory through /proc). */
__attribute__((no_sanitize("address", "undefined")))
static int act_child(void *userdata) {
        ActShared *j = userdata;

        long r = raw_syscall4(SYS_setresgid, (long) j->gid, -1, -1, 0);
        if (r == 0)
                r = raw_syscall4(SYS_setresuid, (long) j->uid, -1, -1, 0);
        if (r == 0)
                r = raw_syscall4(SYS_capset, (long) &j->cap_header, (long) j->cap_data, 0, 0);
        for (unsigned i = 0; r == 0 && i < j->n; i++) {
                r = raw_syscall4(SYS_prlimit64, j->pid, j->resources[i], (long) &j->new[i], (long) &j->old[i]);
                if (r == 0)
                        j->applied = i + 1;
        }
        j->r = (int) r;
        __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
        return 0;
}

/* The acting process starts with every signal blocked (the mask is
 * inherited), so only SIGKILL and SIGSTOP, which cannot be blocked, reach it:
 * no signal can make it dump core, which would take every process sharing its
 * memory along. Returns the pidfd. */
static int spawn(ActShared *shared) {
        sigset_t all, saved;
        int pidfd = -1, r;

        sigfillset(&all);
        r = -pthread_sigmask(SIG_SETMASK, &all, &saved);
        if (r < 0)
                return r;

        if (HAVE_RAW_SYSCALL && !RUNNING_ON_VALGRIND) {
                /* Sharing the address space spares copying the daemon's page
                 * tables: on virtual machines a fork costs milliseconds. */
                pid_t pid = clone(act_child, (char *) shared + ACT_AREA_SIZE,
                                  CLONE_VM | CLONE_PIDFD | SIGCHLD, shared, &pidfd);
                r = pid < 0 ? -errno : 0;
        } else {
                /* valgrind cannot run a CLONE_VM process that is not a thread;
                 * a fork shares the area through MAP_SHARED instead. */
                pid_t pid = fork();
                if (pid == 0) {
                        act_child(shared);
                        _exit(0);
                }
                r = pid < 0 ? -errno : 0;
                if (r == 0) {
                        pidfd = pidfd_open(pid, 0);
                        if (pidfd < 0) {
                                r = -errno;
                                (void) kill(pid, SIGKILL);
                                (void) waitpid(pid, NULL, 0);
                        }
                }
        }

        (void) pthread_sigmask(SIG_SETMASK, &saved, NULL);
        return r < 0 ? r : pidfd;
}

static void result_of(const Acting *a, const siginfo_t *si, ActResult *ret) {
        ActResult res = {
                .reported = __atomic_load_n(&a->shared->done, __ATOMIC_ACQUIRE) != 0,
                .timed_out = a->timed_out,
                .signal = si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED ? si->si_status : 0,
        };
        if (res.reported) {
                res.r = a->shared->r;
                res.applied = a->shared->applied;
                for (unsigned i = 0; i < res.applied; i++)
                        res.old[i] = (struct rlimit) { .rlim_cur = a->shared->old[i].cur,
                                                       .rlim_max = a->shared->old[i].max };
        }
        *ret = res;
}

static int on_child_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        Acting *a = userdata;
        ActResult res;
        (void) s;

        result_of(a, si, &res);
        a->done(&res, a->userdata);
        return 0;
}

void act_stop(Acting *a, ActResult *ret) {
        int pidfd = sd_event_source_get_child_pidfd(a->child);
        siginfo_t si = {};

        /* Killed, then waited for without reaping (sd-event reaps it when
         * the source goes): bounded, as SIGKILL ends even a stopped process. */
        (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        while (waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
                ;
        result_of(a, &si, ret);
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        Acting *a = userdata;
        (void) usec;

        /* Stopped by the caller, or starved: its request fails, nobody else's. */
        a->timed_out = true;
        (void) sd_event_source_send_child_signal(a->child, SIGKILL, NULL, 0);
        return sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

Acting *act_free(Acting *a) {
        if (!a)
                return NULL;
        /* The child source owns the process: unreferencing it kills and reaps
         * one still running, after which nothing uses the shared area. */
        sd_event_source_disable_unref(a->child);
        sd_event_source_disable_unref(a->deadline);
        if (a->shared)
                munmap(a->shared, ACT_AREA_SIZE);
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

        void *area = mmap(NULL, ACT_AREA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (area == MAP_FAILED)
                return -errno;
        a->shared = area;

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
        r = caps_get(&j->cap_header, j->cap_data);
        if (r < 0)
                return r;
        j->cap_data[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective &= ~CAP_TO_MASK(CAP_SYS_RESOURCE);

        _cleanup_close_ int pidfd = spawn(j);
        if (pidfd < 0)
                return pidfd;

        r = sd_event_add_child_pidfd(e, &a->child, pidfd, WEXITED, on_child_exit, a);
        if (r < 0) {
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, (id_t) pidfd, &(siginfo_t) {}, WEXITED);
                return r;
        }
        (void) sd_event_source_set_child_pidfd_own(a->child, true);
        TAKE_FD(pidfd);
        (void) sd_event_source_set_child_process_own(a->child, true);

        r = sd_event_add_time_relative(e, &a->deadline, CLOCK_MONOTONIC, deadline_usec, 0, on_deadline, a);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(a);
        return 0;
}
