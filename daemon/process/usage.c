/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc-parse.h"
#include "procfs.h"
#include "usage.h"
#include "util.h"

static void usage_from_rusage(const struct rusage *ru, Usage *u) {
        *u = (Usage) {
                .utime = (double) ru->ru_utime.tv_sec + (double) ru->ru_utime.tv_usec / 1e6,
                .stime = (double) ru->ru_stime.tv_sec + (double) ru->ru_stime.tv_usec / 1e6,
                .counters = {
                        ru->ru_maxrss, ru->ru_ixrss, ru->ru_idrss, ru->ru_isrss, ru->ru_minflt,
                        ru->ru_majflt, ru->ru_nswap, ru->ru_inblock, ru->ru_oublock, ru->ru_msgsnd,
                        ru->ru_msgrcv, ru->ru_nsignals, ru->ru_nvcsw, ru->ru_nivcsw,
                },
        };
}

/* RUSAGE_BOTH as Linux computes it inside the kernel: sums, but the larger maxrss. */
static void usage_add(Usage *a, const Usage *b) {
        a->utime += b->utime;
        a->stime += b->stime;
        for (size_t i = 0; i < ELEMENTSOF(a->counters); i++)
                if (i == USAGE_MAXRSS)
                        a->counters[i] = a->counters[i] > b->counters[i] ? a->counters[i] : b->counters[i];
                else
                        a->counters[i] += b->counters[i];
}

static int usage_of_daemon(Resource1Who who, Usage *ret) {
        struct rusage ru;
        Usage u;

        if (who == RESOURCE1_WHO_BOTH) {
                Usage c;
                int r = usage_of_daemon(RESOURCE1_WHO_SELF, &u);
                if (r < 0)
                        return r;
                r = usage_of_daemon(RESOURCE1_WHO_CHILDREN, &c);
                if (r < 0)
                        return r;
                usage_add(&u, &c);
                *ret = u;
                return 0;
        }

        int w = who == RESOURCE1_WHO_CHILDREN ? RUSAGE_CHILDREN :
                who == RESOURCE1_WHO_THREAD   ? RUSAGE_THREAD : RUSAGE_SELF;
        if (getrusage(w, &ru) < 0)
                return -errno;

        usage_from_rusage(&ru, &u);
        *ret = u;
        return 0;
}

static int read_stat(const char *dir, unsigned long long f[18]) {
        char path[96], buf[1024];

        snprintf(path, sizeof path, "%s/stat", dir);
        int r = proc_read_file(AT_FDCWD, path, buf, sizeof buf);
        if (r < 0)
                return r;
        return proc_parse_stat(buf, f);
}

/* /proc/PID/io is its owner's alone (mode 0400; root's when the process is
 * not dumpable), and the unit runs the daemon as a user of its own without
 * CAP_DAC_READ_SEARCH, which would let it read every file. So when it may
 * not open the file it reads it with the owner's filesystem uid, on this
 * thread only (setfsuid(2) is per thread), through the CAP_SETUID the
 * acting process needs anyway; reading it still takes ptrace access to the
 * process, which the decision was made on (decide_read_usage). */
static int read_io_as_owner(const char *path, char *buf, size_t size) {
        struct stat st;
        if (stat(path, &st) < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        uid_t was = (uid_t) setfsuid(st.st_uid);
        /* setfsuid() always returns the previous value: asking again with an
         * invalid uid tells whether the change was made. */
        if ((uid_t) setfsuid((uid_t) -1) != st.st_uid) {
                (void) setfsuid(was);
                return -EACCES;
        }
        int r = proc_read_file(AT_FDCWD, path, buf, size);
        (void) setfsuid(was);
        return r;
}

static int read_io(const char *dir, uint64_t *ret_read, uint64_t *ret_write) {
        char path[96], buf[512];

        snprintf(path, sizeof path, "%s/io", dir);
        int r = proc_read_file(AT_FDCWD, path, buf, sizeof buf);
        if (r == -EACCES)
                r = read_io_as_owner(path, buf, sizeof buf);
        if (r < 0)
                return r;
        return proc_parse_io(buf, ret_read, ret_write);
}

/* /proc/PID/status counts context switches of the main thread only;
 * getrusage(RUSAGE_SELF) counts every thread, so add them up. */
static int sum_task_switches(pid_t pid, uint64_t *ret_nvcsw, uint64_t *ret_nivcsw) {
        char path[64];
        uint64_t v = 0, iv = 0;

        snprintf(path, sizeof path, "/proc/%d/task", (int) pid);
        DIR *d = opendir(path);
        if (!d)
                return errno == ENOENT ? -ESRCH : -errno;

        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char task[352];
                ProcStatus s;
                snprintf(task, sizeof task, "%s/%s", path, de->d_name);
                /* A thread that exits while we list them just drops out. */
                if (proc_read_status(AT_FDCWD, task, &s) < 0)
                        continue;
                v += s.nvcsw;
                iv += s.nivcsw;
        }
        closedir(d);

        *ret_nvcsw = v;
        *ret_nivcsw = iv;
        return 0;
}

static int usage_from_proc(pid_t pid, pid_t tid, Resource1Who who, Usage *ret) {
        char dir[64];
        unsigned long long f[18];
        ProcStatus status;
        uint64_t rd = 0, wr = 0;
        double tick = (double) sysconf(_SC_CLK_TCK);
        Usage u = {};
        int r;

        if (who == RESOURCE1_WHO_THREAD)
                snprintf(dir, sizeof dir, "/proc/%d/task/%d", (int) pid, (int) tid);
        else
                snprintf(dir, sizeof dir, "/proc/%d", (int) pid);

        r = read_stat(dir, f);
        if (r < 0)
                return r;

        if (who == RESOURCE1_WHO_CHILDREN) {
                u.utime = (double) f[16] / tick;
                u.stime = (double) f[17] / tick;
                u.counters[USAGE_MINFLT] = (int64_t) f[11];
                u.counters[USAGE_MAJFLT] = (int64_t) f[13];
                *ret = u;
                return 0;
        }

        u.utime = (double) f[14] / tick;
        u.stime = (double) f[15] / tick;
        u.counters[USAGE_MINFLT] = (int64_t) f[10];
        u.counters[USAGE_MAJFLT] = (int64_t) f[12];

        r = proc_read_status(AT_FDCWD, dir, &status);
        if (r < 0)
                return r;

        /* One high-water mark per address space: a thread's is its process's. */
        u.counters[USAGE_MAXRSS] = (int64_t) status.vm_hwm_kib;
        if (who == RESOURCE1_WHO_THREAD) {
                char pdir[32];
                ProcStatus ps;
                snprintf(pdir, sizeof pdir, "/proc/%d", (int) pid);
                if (proc_read_status(AT_FDCWD, pdir, &ps) >= 0)
                        u.counters[USAGE_MAXRSS] = (int64_t) ps.vm_hwm_kib;
                u.counters[USAGE_NVCSW] = (int64_t) status.nvcsw;
                u.counters[USAGE_NIVCSW] = (int64_t) status.nivcsw;
        } else if (status.threads == 1) {
                /* One thread: its own counts are the process's (save listing /proc/PID/task). */
                u.counters[USAGE_NVCSW] = (int64_t) status.nvcsw;
                u.counters[USAGE_NIVCSW] = (int64_t) status.nivcsw;
        } else {
                uint64_t v = 0, iv = 0;
                r = sum_task_switches(pid, &v, &iv);
                if (r < 0)
                        return r;
                u.counters[USAGE_NVCSW] = (int64_t) v;
                u.counters[USAGE_NIVCSW] = (int64_t) iv;
        }

        /* getrusage counts blocks of 512 bytes, as the kernel's task_io_get_inblock(). */
        r = read_io(dir, &rd, &wr);
        if (r < 0)
                return r;
        u.counters[USAGE_INBLOCK] = (int64_t) (rd >> 9);
        u.counters[USAGE_OUBLOCK] = (int64_t) (wr >> 9);

        *ret = u;
        return 0;
}

int usage_get(pid_t pid, pid_t tid, Resource1Who who, Usage *ret) {
        Usage u;
        int r;

        if (pid == getpid() && (who != RESOURCE1_WHO_THREAD || tid == pid))
                return usage_of_daemon(who, ret);

        if (who == RESOURCE1_WHO_BOTH) {
                Usage c;
                r = usage_from_proc(pid, tid, RESOURCE1_WHO_SELF, &u);
                if (r < 0)
                        return r;
                r = usage_from_proc(pid, tid, RESOURCE1_WHO_CHILDREN, &c);
                if (r < 0)
                        return r;
                usage_add(&u, &c);
        } else {
                r = usage_from_proc(pid, tid, who, &u);
                if (r < 0)
                        return r;
        }

        *ret = u;
        return 0;
}
