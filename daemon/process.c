/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>

#include "proc-parse.h"
#include "process.h"
#include "util.h"

int proc_read_file(int dirfd, const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        size_t n = 0;
        while (n < size - 1) {
                ssize_t k = read(fd, buf + n, size - 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        /* A process that exits while being read gives ESRCH. */
                        return -errno;
                }
                n += (size_t) k;
                /* procfs fills the buffer as far as it can: a short read is
                 * the end, and saves the read that would return 0. */
                if (k == 0 || n < size - 1)
                        break;
        }
        if (n == size - 1)
                return -EFBIG;

        buf[n] = '\0';
        return (int) n;
}

/* /proc/PID/status grows with the process's supplementary groups (up to
 * NGROUPS_MAX, about 700 KiB): read it whole, on the stack for the usual few
 * KiB and on the heap beyond that, up to a bound no real file reaches. */
#define PROC_STATUS_MAX (4u << 20)

int proc_read_status(int dirfd, const char *path, ProcStatus *ret) {
        char fn[64], buf[4096];

        snprintf(fn, sizeof fn, "%s/status", path);
        int r = proc_read_file(dirfd, fn, buf, sizeof buf);
        if (r >= 0)
                return proc_parse_status(buf, ret);
        if (r != -EFBIG)
                return r;

        for (size_t size = 4 * sizeof buf; size <= PROC_STATUS_MAX; size *= 4) {
                _cleanup_free_ char *big = malloc(size);
                if (!big)
                        return -ENOMEM;
                r = proc_read_file(dirfd, fn, big, size);
                if (r >= 0)
                        return proc_parse_status(big, ret);
                if (r != -EFBIG)
                        return r;
        }
        return -EFBIG;
}

static int target_fill(Target *t) {
        /* Read through the directory fd: it is the pinned process's status,
         * or an error once that process is gone. */
        int r = proc_read_status(t->procfd, ".", &t->status);
        if (r < 0)
                return r;

        t->ids = t->status.ids;
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

int target_open_pid(pid_t pid, bool need_ids, Target *ret) {
        ProcStatus s;
        int r;

        if (pid <= 0)
                return -ESRCH;

        _cleanup_close_ int fd = open_proc_dir(pid);
        if (fd < 0)
                return fd;

        r = proc_read_status(fd, ".", &s);
        if (r < 0)
                return r;
        /* A thread that is not its process's leader: prlimit(2) takes thread
         * ids too, and limits belong to the whole process. */
        if (s.tgid != pid) {
                Target t;
                r = target_open_pid(s.tgid, need_ids, &t);
                if (r < 0)
                        return r;
                t.tid = pid;
                *ret = t;
                return 0;
        }

        Target t = { .pid = pid, .tid = pid, .procfd = fd, .status = s };
        if (need_ids)
                t.ids = s.ids;
        t.procfd = TAKE_FD(fd);
        *ret = t;
        return 0;
}

/* PIDFD_THREAD is O_EXCL among a pidfd's file flags. */
#define PIDFD_THREAD_FLAG 0200

static int pidfd_pid(int fd, pid_t *ret, bool *ret_thread) {
        char path[64], buf[2048];

        /* fdinfo names the pid in our own namespace, whatever namespace the
         * sender lives in; only pidfds have a "Pid:" line there, and it says
         * -1 once the process is gone. "flags:" is octal. */
        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
        int r = proc_read_file(AT_FDCWD, path, buf, sizeof buf);
        if (r < 0)
                return r == -ESRCH ? -EBADF : r;

        const char *p = strstr(buf, "\nPid:"), *f = strstr(buf, "flags:");
        if (!p)
                return -EBADF;
        long pid = strtol(p + 5, NULL, 10);
        if (pid <= 0)
                return -ESRCH;
        *ret = (pid_t) pid;
        if (ret_thread)
                *ret_thread = f && (strtoul(f + 6, NULL, 8) & PIDFD_THREAD_FLAG);
        return 0;
}

int target_open_pidfd(int fd, bool need_ids, Target *ret) {
        pid_t pid, tgid, again;
        bool thread;
        ProcStatus s;

        int r = pidfd_pid(fd, &pid, &thread);
        if (r < 0)
                return r;

        _cleanup_close_ int dir = open_proc_dir(pid);
        if (dir < 0)
                return dir;

        /* A process's pidfd names its leader. A thread's (PIDFD_THREAD) may
         * name another thread: limits, ownership and the reports are then
         * the process's, as for a thread id given to Prlimit. The process's
         * pid stays taken while one of its threads lives, so its directory,
         * opened before the thread is found alive below, is its own. */
        tgid = pid;
        bool have_status = false;
        if (thread || need_ids) {
                r = proc_read_status(dir, ".", &s);
                if (r < 0)
                        return r;
                tgid = s.tgid;
                have_status = tgid == pid;
        }
        if (tgid != pid) {
                closep(&dir);
                dir = open_proc_dir(tgid);
                if (dir < 0)
                        return dir;
        }

        /* The pidfd's task still had the pid after /proc/PID was opened,
         * so that directory is its own: the pid cannot have been reused.
         * Signal 0 asks the kernel directly (EPERM, without CAP_KILL, still
         * means alive; ENOSYS under valgrind leaves fdinfo to tell). */
        if (pidfd_send_signal(fd, 0, NULL, 0) < 0 && errno == ESRCH)
                return -ESRCH;
        r = pidfd_pid(fd, &again, NULL);
        if (r < 0)
                return r;
        if (again != pid)
                return -ESRCH;

        Target t = { .pid = tgid, .tid = pid, .procfd = dir };
        if (need_ids && have_status) {
                /* Read through the pinned directory already: the process's own. */
                t.status = s;
                t.ids = s.ids;
        } else if (need_ids) {
                r = target_fill(&t);
                if (r < 0)
                        return r;
        }

        t.procfd = TAKE_FD(dir);
        *ret = t;
        return 0;
}

int target_read_ids(const Target *t, ProcessIds *ret) {
        ProcStatus s;

        int r = proc_read_status(t->procfd, ".", &s);
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
         * when it was looked up, so ask a file in it. */
        if (fstatat(t->procfd, "io", &st, 0) < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        return st.st_uid == t->ids.euid && st.st_gid == t->ids.egid;
}

int target_check_alive(const Target *t) {
        /* A reaped process's /proc directory stays open but empty. */
        if (faccessat(t->procfd, "stat", F_OK, 0) < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        return 0;
}

void target_done(Target *t) {
        closep(&t->procfd);
        *t = TARGET_NULL;
}

int proc_read_limits(pid_t pid, struct rlimit ret[RLIM_NLIMITS]) {
        char path[32], buf[4096];

        snprintf(path, sizeof path, "/proc/%d/limits", (int) pid);
        int r = proc_read_file(AT_FDCWD, path, buf, sizeof buf);
        if (r < 0)
                return r;
        return proc_parse_limits(buf, ret);
}

int read_limits(pid_t pid, int resource, struct rlimit ret[RLIM_NLIMITS]) {
        struct rlimit all[RLIM_NLIMITS];
        int first = resource < 0 ? 0 : resource, last = resource < 0 ? RLIM_NLIMITS - 1 : resource;

        for (int i = first; i <= last; i++)
                if (prlimit(pid, (__rlimit_resource_t) i, NULL, &all[i]) < 0) {
                        if (errno == EPERM)
                                return proc_read_limits(pid, ret);
                        return -errno;
                }

        memcpy(ret + first, all + first, (size_t) (last - first + 1) * sizeof all[0]);
        return 0;
}
