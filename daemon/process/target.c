/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "caller.h"
#include "errors.h"
#include "proc-parse.h"
#include "procfs.h"
#include "pidfd-kind.h"
#include "target.h"
#include "util.h"

/* PIDFD_GET_INFO (Linux 6.13) tells a pidfd's pid, thread group and ids in
 * one ioctl: nothing is read from /proc, so nothing waits on the process's
 * locks or grows with its groups. Declared here, as the headers of older
 * systems lack it; the kernel takes any size from its first version on. */
typedef struct PidfdInfo {
        uint64_t mask, cgroupid;
        uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        int32_t spare;
} PidfdInfo;
#define RESOURCE1_PIDFD_GET_INFO _IOWR(0xFF, 11, PidfdInfo)
#define RESOURCE1_PIDFD_INFO_PID   (UINT64_C(1) << 0)
#define RESOURCE1_PIDFD_INFO_CREDS (UINT64_C(1) << 1)

/* 0, -ESRCH once the process is reaped, -EOPNOTSUPP where the kernel cannot
 * tell. fd must be known to be a pidfd: an ioctl on another kind of file goes
 * to its driver or filesystem, which may take as long as its owner likes. */
static int pidfd_info(int fd, pid_t *ret_pid, pid_t *ret_tgid, ProcessIds *ret_ids) {
        PidfdInfo info = { .mask = RESOURCE1_PIDFD_INFO_PID | RESOURCE1_PIDFD_INFO_CREDS };

        if (ioctl(fd, RESOURCE1_PIDFD_GET_INFO, &info) < 0)
                return errno == ESRCH ? -ESRCH : -EOPNOTSUPP;
        if (!(info.mask & RESOURCE1_PIDFD_INFO_CREDS) || info.pid == 0)
                return info.pid == 0 ? -ESRCH : -EOPNOTSUPP;
        if (ret_pid)
                *ret_pid = (pid_t) info.pid;
        if (ret_tgid)
                *ret_tgid = (pid_t) info.tgid;
        if (ret_ids)
                *ret_ids = (ProcessIds) { .uid = info.ruid, .euid = info.euid, .suid = info.suid,
                                          .gid = info.rgid, .egid = info.egid, .sgid = info.sgid };
        return 0;
}

static int open_proc_dir(pid_t pid) {
        char path[32];
        snprintf(path, sizeof path, "/proc/%d", (int) pid);
        int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        return fd;
}

/* The pinned target, its ids (need_ids) and its thread group, from what pins
 * it: the pidfd's PIDFD_GET_INFO, or (older kernels, valgrind) the process's
 * status read through its /proc directory. tid is the task named, pidfd (or
 * -1) its pidfd, which this takes over. */
static int target_pin_task(pid_t tid, int pidfd, bool need_ids, Target *ret) {
        _cleanup_close_ int dir = -1, fd = pidfd;
        ProcessIds ids = {};
        pid_t tgid = tid;
        int r;

        dir = open_proc_dir(tid);
        if (dir < 0)
                return dir;

        r = fd >= 0 ? pidfd_info(fd, NULL, &tgid, &ids) : -EOPNOTSUPP;
        if (r == -EOPNOTSUPP) {
                ProcStatus s;
                r = proc_read_status(dir, ".", &s);
                if (r >= 0) {
                        tgid = s.tgid;
                        ids = s.ids;
                }
        }
        if (r < 0)
                return r;

        /* A thread that is not its process's leader: limits, ownership and
         * the reports are the process's, which is then held by its own pidfd
         * and directory. Its number stays taken while one of its threads
         * lives, so what is opened by that number now is the process's own
         * once the thread is found alive after it. */
        if (tgid != tid) {
                Target thread = { .pid = tid, .tid = tid, .procfd = TAKE_FD(dir), .pidfd = TAKE_FD(fd) };
                int pfd = pidfd_open_task(tgid);
                dir = open_proc_dir(tgid);
                r = pfd == -ESRCH ? pfd : dir < 0 ? dir : target_check_alive(&thread);
                target_done(&thread);
                fd = pfd < 0 ? -1 : pfd;
                if (r < 0)
                        return r;
        }

        *ret = (Target) { .pid = tgid, .tid = tid, .procfd = TAKE_FD(dir), .pidfd = TAKE_FD(fd) };
        if (need_ids)
                ret->ids = ids;
        return 0;
}

int target_pin_pid(pid_t pid, bool need_ids, Target *ret) {
        if (pid <= 0)
                return -ESRCH;

        int fd = pidfd_open_task(pid);
        if (fd == -ESRCH)
                return fd;
        return target_pin_task(pid, fd < 0 ? -1 : fd, need_ids, ret);
}

int target_pin_pidfd(int fd, bool need_ids, Target *ret) {
        pid_t pid;
        int r;

        r = fd_is_pidfd(fd);
        if (r < 0)
                return r;
        if (r == 0)
                return -EBADF;

        r = pidfd_get_pid(fd, &pid);
        if (r < 0)
                return r;

        /* The daemon's own pidfd of that task, never a copy of the caller's:
         * the last close of a file the caller had may wait (on an epoll set
         * of the caller's that watches it), and a copy would make the
         * daemon's close the last one. */
        int own = pidfd_open_task(pid);
        if (own == -ESRCH)
                return own;
        Target t;
        r = target_pin_task(pid, own < 0 ? -1 : own, need_ids, &t);
        if (r < 0)
                return r;

        /* The pidfd's task still had the pid after its own pidfd and
         * /proc/PID were opened, so both are of it: the pid cannot have been
         * reused. */
        pid_t again = 0;
        r = pidfd_get_pid(fd, &again);
        if (r >= 0 && again != pid)
                r = -ESRCH;
        if (r < 0) {
                target_done(&t);
                return r;
        }
        *ret = t;
        return 0;
}

int target_pin_caller(const CallerProcess *p, bool need_ids, Target *ret) {
        _cleanup_(target_done) Target t = { .pid = p->pid, .tid = p->pid, .procfd = -1, .pidfd = -1 };
        int r;

        t.procfd = fcntl(p->procfd, F_DUPFD_CLOEXEC, 3);
        if (t.procfd < 0)
                return -errno;
        if (p->pidfd >= 0) {
                t.pidfd = fcntl(p->pidfd, F_DUPFD_CLOEXEC, 3);
                if (t.pidfd < 0)
                        return -errno;
        }
        if (need_ids) {
                r = target_read_ids(&t, &t.ids);
                if (r < 0)
                        return r;
        }
        r = target_check_alive(&t);
        if (r < 0)
                return r;
        *ret = t;
        t = TARGET_NULL;
        return 0;
}

int target_read_ids(const Target *t, ProcessIds *ret) {
        ProcStatus s;

        int r = t->pidfd >= 0 ? pidfd_info(t->pidfd, NULL, NULL, ret) : -EOPNOTSUPP;
        if (r != -EOPNOTSUPP)
                return r;
        r = proc_read_status(t->procfd, ".", &s);
        if (r < 0)
                return r;
        *ret = s.ids;
        return 0;
}

int target_is_dumpable(const Target *t) {
        struct stat st;

        /* procfs gives a process's files its effective ids only while it is
         * dumpable (SUID_DUMP_USER) and root's otherwise: the same test
         * the kernel makes before it lets anyone without CAP_SYS_PTRACE
         * read /proc/PID/io. The directory itself keeps the owner it had
         * when it was looked up, so ask a file in it. The stat is answered
         * from the task under a spinlock, without reading the file. */
        if (fstatat(t->procfd, "io", &st, 0) < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        return st.st_uid == t->ids.euid && st.st_gid == t->ids.egid;
}

int target_check_alive(const Target *t) {
        /* Until its process is reaped, a pidfd can be signalled (EPERM
         * without CAP_KILL still says it exists); a reaped process's /proc
         * directory stays open but empty. */
        if (t->pidfd >= 0) {
                if (pidfd_send_signal(t->pidfd, 0, NULL, 0) >= 0 || errno == EPERM)
                        return 0;
                if (errno == ESRCH)
                        return -ESRCH;
        }
        if (t->procfd < 0)
                return -ESRCH;
        /* AT_EACCESS: with the daemon's own credentials. Without it the
         * check is made with its real uid and, that not being root, no
         * capability, so that hidepid= hides every process CAP_SYS_PTRACE
         * lets it see, and a live one reads as gone. */
        if (faccessat(t->procfd, "stat", F_OK, AT_EACCESS) < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        return 0;
}

int target_prlimit(const Target *t, int resource, const struct rlimit *new, struct rlimit *ret_old) {
        struct rlimit old;

        /* prlimit(2) takes a number. The number is the target's from the
         * check before until the check after (it is not given to anyone else
         * before the process is reaped), and no task of the daemon is made
         * in between: every task the daemon starts is started from this
         * thread. A target gone by the check after may have lost its number
         * in that instant: it is reported gone and nothing more is done by
         * number. */
        int r = target_check_alive(t);
        if (r < 0)
                return r;
        if (prlimit(t->pid, (__rlimit_resource_t) resource, new, &old) < 0)
                return -errno;
        r = target_check_alive(t);
        if (r < 0)
                return r;
        *ret_old = old;
        return 0;
}

void target_done(Target *t) {
        closep(&t->procfd);
        closep(&t->pidfd);
        *t = TARGET_NULL;
}


/* What /proc would show the caller of t (visibility.h): 0, or the error a
 * process that does not exist gets (hidepid=invisible), or a refusal that
 * names nothing of it (hidepid=noaccess). */
static int target_check_visible(Context *c, sd_bus_message *m, const Caller *caller, const Target *t,
                                const char *what, sd_bus_error *error) {
        /* Not even the caller's own pid 0 is exempt: the number the bus
         * gave is of the process that connected, which may be gone and its
         * number another's; a process of the caller's sees itself anyway. */
        if (!visibility_restricted(&c->visibility) || caller->uid == 0)
                return 0;

        int dumpable = target_is_dumpable(t);
        if (dumpable < 0)
                return error_from_errno(error, dumpable, what);
        int in_gid = caller_in_group(&c->creds, m, c->visibility.gid);
        int r = visibility_check(&c->visibility, caller, &t->ids, dumpable > 0, in_gid > 0);
        if (r < 0)
                return error_from_errno(error, r, what);
        return 0;
}

int target_get(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, Target *ret, Caller *ret_caller,
               sd_bus_error *error) {
        _cleanup_(target_done) Target t = TARGET_NULL;
        bool restricted = visibility_restricted(&c->visibility);
        bool decide = ret_caller != NULL || restricted;
        Caller caller = { .uid = UID_INVALID, .gid = GID_INVALID };
        char what[48];
        int r;

        if (pidfd < 0) {
                r = caller_check_pid(&c->creds, m, pid, error);
                if (r < 0)
                        return r;
        }
        if (decide) {
                r = caller_get(&c->creds, m, CALLER_GID, &caller, error);
                if (r < 0)
                        return r;
        }

        if (pidfd >= 0) {
                snprintf(what, sizeof what, "the pidfd's process");
                r = target_pin_pidfd(pidfd, decide, &t);
                if (r == -EBADF)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "the descriptor passed is not a pidfd (pidfd_open(2))");
                if (r < 0)
                        return error_from_errno(error, r, what);
        } else if (pid == 0) {
                /* The process that opened the connection, as held since the
                 * caller was first seen: never whatever has its number now. */
                CallerProcess p;
                r = caller_process(&c->creds, m, &p, error);
                if (r < 0)
                        return r;
                snprintf(what, sizeof what, "pid %d", (int) p.pid);
                r = target_pin_caller(&p, decide, &t);
                if (r == -ESRCH && caller_process(&c->creds, m, &p, error) < 0)
                        return -ESRCH;   /* gone meanwhile: the error says so */
                if (r < 0)
                        return error_from_errno(error, r, what);
        } else {
                if (pid > INT32_MAX)
                        return sd_bus_error_setf(error, RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                                 "no such process: pid %" PRIu32, pid);
                snprintf(what, sizeof what, "pid %" PRIu32, pid);
                r = target_pin_pid((pid_t) pid, decide, &t);
                if (r < 0)
                        return error_from_errno(error, r, what);
        }

        r = target_check_visible(c, m, &caller, &t, what, error);
        if (r < 0)
                return r;

        *ret = t;
        t = TARGET_NULL;
        if (ret_caller)
                *ret_caller = caller;
        return 0;
}

