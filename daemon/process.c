/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>

#include "process.h"
#include "util.h"

int proc_read_file(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
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

static int parse_ids(const char *line, unsigned *a, unsigned *b, unsigned *c) {
        return sscanf(line, "%u %u %u", a, b, c) == 3 ? 0 : -EBADMSG;
}

int proc_read_status(const char *path, ProcStatus *ret) {
        char fn[64], buf[4096];
        ProcStatus s = { .tgid = -1 };
        bool have_uid = false, have_gid = false;

        snprintf(fn, sizeof fn, "%s/status", path);
        int r = proc_read_file(fn, buf, sizeof buf);
        if (r < 0)
                return r;

        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';

                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                const char *v = colon + 1;
                unsigned a, b, c;

                if (strcmp(line, "Tgid") == 0)
                        s.tgid = (pid_t) strtol(v, NULL, 10);
                else if (strcmp(line, "Uid") == 0) {
                        if (parse_ids(v, &a, &b, &c) < 0)
                                return -EBADMSG;
                        s.ids.uid = a, s.ids.euid = b, s.ids.suid = c;
                        have_uid = true;
                } else if (strcmp(line, "Gid") == 0) {
                        if (parse_ids(v, &a, &b, &c) < 0)
                                return -EBADMSG;
                        s.ids.gid = a, s.ids.egid = b, s.ids.sgid = c;
                        have_gid = true;
                } else if (strcmp(line, "VmHWM") == 0)
                        s.vm_hwm_kib = strtoull(v, NULL, 10);
                else if (strcmp(line, "voluntary_ctxt_switches") == 0)
                        s.nvcsw = strtoull(v, NULL, 10);
                else if (strcmp(line, "nonvoluntary_ctxt_switches") == 0)
                        s.nivcsw = strtoull(v, NULL, 10);
                else if (strcmp(line, "Threads") == 0)
                        s.threads = (unsigned) strtoul(v, NULL, 10);
        }

        if (!have_uid || !have_gid || s.tgid <= 0)
                return -EBADMSG;

        *ret = s;
        return 0;
}

static int target_fill(Target *t) {
        char path[32];
        ProcStatus s;

        snprintf(path, sizeof path, "/proc/%d", (int) t->pid);
        int r = proc_read_status(path, &s);
        if (r < 0)
                return r;

        /* What was read belongs to the pidfd's process only if it still
         * exists now: then the pid cannot have been reused in between. */
        r = target_check_alive(t);
        if (r < 0)
                return r;

        t->ids = s.ids;
        return 0;
}

int target_open_pid(pid_t pid, bool need_ids, Target *ret) {
        if (pid <= 0)
                return -ESRCH;

        _cleanup_close_ int fd = pidfd_open(pid, 0);
        if (fd < 0 && (errno == EINVAL || errno == ENOENT)) {
                /* A thread that is not its process's leader (EINVAL; ENOENT on
                 * newer kernels): prlimit(2) takes thread ids too, and limits
                 * belong to the whole process. */
                char path[32];
                ProcStatus s;
                snprintf(path, sizeof path, "/proc/%d", (int) pid);
                int r = proc_read_status(path, &s);
                if (r < 0)
                        return r;
                if (s.tgid == pid)
                        return -ESRCH;
                return target_open_pid(s.tgid, need_ids, ret);
        }
        if (fd < 0)
                return -errno;

        Target t = { .pid = pid, .pidfd = fd };
        int r = need_ids ? target_fill(&t) : 0;
        if (r < 0)
                return r;

        t.pidfd = TAKE_FD(fd);
        *ret = t;
        return 0;
}

int target_open_pidfd(int fd, bool need_ids, Target *ret) {
        char path[64], buf[2048];

        /* fdinfo names the pid in our own namespace, whatever namespace the
         * sender lives in; only pidfds have a "Pid:" line there. */
        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
        int r = proc_read_file(path, buf, sizeof buf);
        if (r < 0)
                return r == -ESRCH ? -EBADF : r;

        const char *p = strstr(buf, "\nPid:");
        if (!p)
                return -EBADF;
        long pid = strtol(p + 5, NULL, 10);
        if (pid <= 0)
                return -ESRCH;

        _cleanup_close_ int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return -errno;

        Target t = { .pid = (pid_t) pid, .pidfd = copy };
        r = need_ids ? target_fill(&t) : target_check_alive(&t);
        if (r < 0)
                return r;

        t.pidfd = TAKE_FD(copy);
        *ret = t;
        return 0;
}

int target_check_alive(const Target *t) {
        if (pidfd_send_signal(t->pidfd, 0, NULL, 0) < 0)
                return errno == ESRCH ? -ESRCH : -errno;
        return 0;
}

void target_done(Target *t) {
        closep(&t->pidfd);
        *t = TARGET_NULL;
}

/* /proc/PID/limits prints "%-25s %-20s %-20s %-10s" per line, one line per
 * resource in RLIMIT_* order after a header line. */
#define LIMITS_SOFT_COLUMN 26
#define LIMITS_HARD_COLUMN 47

static int parse_limit_value(const char *s, rlim_t *ret) {
        if (strncmp(s, "unlimited", 9) == 0) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || end == s || (*end != ' ' && *end != '\0'))
                return -EBADMSG;
        *ret = (rlim_t) v;
        return 0;
}

int proc_read_limits(pid_t pid, struct rlimit ret[RLIM_NLIMITS]) {
        char path[32], buf[4096];
        struct rlimit l[RLIM_NLIMITS];

        snprintf(path, sizeof path, "/proc/%d/limits", (int) pid);
        int r = proc_read_file(path, buf, sizeof buf);
        if (r < 0)
                return r;

        char *line = strchr(buf, '\n');   /* skip the header */
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                if (!line)
                        return -EBADMSG;
                line++;
                char *next = strchr(line, '\n');
                if (!next || next - line < LIMITS_HARD_COLUMN)
                        return -EBADMSG;
                *next = '\0';
                if (parse_limit_value(line + LIMITS_SOFT_COLUMN, &l[i].rlim_cur) < 0 ||
                    parse_limit_value(line + LIMITS_HARD_COLUMN, &l[i].rlim_max) < 0)
                        return -EBADMSG;
                line = next;
        }

        memcpy(ret, l, sizeof l);
        return 0;
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
