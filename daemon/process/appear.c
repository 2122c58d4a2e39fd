/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "appear.h"
#include "util.h"

static int parse_decimal(const char *s, size_t len, uint64_t *ret) {
        uint64_t v = 0;

        if (len == 0 || len > 19 || (len > 1 && s[0] == '0'))
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        *ret = v;
        return 0;
}

int appear_parse_name(const char *name, uint64_t *ret_major, uint64_t *ret_minor) {
        uint64_t major, minor;

        if (!name || name[0] != ':')
                return -EINVAL;
        const char *dot = strchr(name + 1, '.');
        if (!dot || parse_decimal(name + 1, (size_t) (dot - name - 1), &major) < 0 ||
            parse_decimal(dot + 1, strlen(dot + 1), &minor) < 0)
                return -EINVAL;
        *ret_major = major;
        *ret_minor = minor;
        return 0;
}

int appear_log_init(AppearLog *log) {
        char buf[32];

        *log = (AppearLog) { .last_pid_fd = -1, .pid_window = 1024 };
        log->runs = calloc(APPEAR_RUNS_MAX, sizeof *log->runs);
        if (!log->runs)
                return -ENOMEM;
        /* The counter of the daemon's pid namespace, the bus's (whose
         * numbers it reports). Without it a process that started in the
         * very clock tick its connection appeared in cannot be told from one
         * that started just after: pid 0 is then refused for it. */
        log->last_pid_fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
        /* Pids wrap at pid_max back to 300: a window of half the cycle at
         * most, so that a wrap is never taken for "just before". No more
         * than 1024 pids are given out within one 10 ms tick. */
        int fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);
        ssize_t k = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        closep(&fd);
        if (k > 0) {
                buf[k] = '\0';
                long long max = strtoll(buf, NULL, 10);
                if (max > 300 && (max - 300) / 2 < log->pid_window)
                        log->pid_window = (max - 300) / 2;
        }
        return 0;
}

void appear_log_done(AppearLog *log) {
        free(log->runs);
        closep(&log->last_pid_fd);
        *log = (AppearLog) { .last_pid_fd = -1 };
}

int64_t appear_log_read_last_pid(const AppearLog *log) {
        char buf[24];

        if (log->last_pid_fd < 0)
                return -1;
        ssize_t k = pread(log->last_pid_fd, buf, sizeof buf - 1, 0);
        if (k <= 0)
                return -1;
        buf[k] = '\0';
        char *end;
        long long v = strtoll(buf, &end, 10);
        return end == buf || v < 0 ? -1 : (int64_t) v;
}

static AppearRun *run_at(const AppearLog *log, unsigned i) {
        return &log->runs[(log->start + i) % APPEAR_RUNS_MAX];
}

/* Drops the runs whose every connection went away, keeping the order; false
 * when there were none. */
static bool drop_gone_runs(AppearLog *log) {
        unsigned kept = 0;

        for (unsigned i = 0; i < log->n; i++) {
                AppearRun *r = run_at(log, i);
                if (r->gone <= r->last - r->first)
                        *run_at(log, kept++) = *r;
        }
        bool dropped = kept < log->n;
        log->n = kept;
        return dropped;
}

void appear_log_add(AppearLog *log, uint64_t major, uint64_t minor, uint64_t usec, int64_t last_pid) {
        if (!log->runs || major > UINT32_MAX)
                return;
        if (log->n > 0) {
                AppearRun *r = run_at(log, log->n - 1);
                if (major < r->major || (major == r->major && minor <= r->last))
                        return;
                if (major == r->major && minor == r->last + 1 && usec - r->usec < APPEAR_RUN_USEC) {
                        r->last = minor;
                        return;
                }
        }
        if (log->n == APPEAR_RUNS_MAX && !drop_gone_runs(log)) {
                log->start = (log->start + 1) % APPEAR_RUNS_MAX;
                log->n--;
        }
        *run_at(log, log->n++) = (AppearRun) {
                .major = (uint32_t) major, .first = minor, .last = minor, .usec = usec,
                .last_pid = last_pid < 0 || last_pid > INT32_MAX ? -1 : (int32_t) last_pid,
        };
}

/* The run that holds major.minor, or NULL. */
static AppearRun *run_of(const AppearLog *log, uint64_t major, uint64_t minor) {
        /* The runs are in increasing order: the last whose first name is
         * not above this one. */
        unsigned lo = 0, hi = log->n;
        while (lo < hi) {
                unsigned mid = lo + (hi - lo) / 2;
                const AppearRun *r = run_at(log, mid);
                if (r->major < major || (r->major == major && r->first <= minor))
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo == 0)
                return NULL;
        AppearRun *r = run_at(log, lo - 1);
        return r->major == major && minor <= r->last ? r : NULL;
}

void appear_log_gone(AppearLog *log, uint64_t major, uint64_t minor) {
        AppearRun *r = log->runs ? run_of(log, major, minor) : NULL;
        if (r && r->gone <= r->last - r->first)
                r->gone++;
}

int appear_log_find(const AppearLog *log, const char *name, AppearBound *ret) {
        uint64_t major, minor;

        if (appear_parse_name(name, &major, &minor) < 0)
                return -ENOENT;
        const AppearRun *r = run_of(log, major, minor);
        if (!r)
                return -ENOENT;
        *ret = (AppearBound) { .usec = r->usec, .last_pid = r->last_pid };
        return 0;
}

bool appear_started_by(uint64_t start_ticks, uint64_t ticks_per_sec, pid_t pid, int64_t pid_window,
                       const AppearBound *b) {
        if (ticks_per_sec == 0 || ticks_per_sec > 1000000000)
                return false;
        /* starttime is the fork's boot-time clock truncated to whole ticks
         * (the kernel's nsec_to_clock_t), so a tick before the bound's is
         * before it, and one after it after. */
        uint64_t ns_per_tick = 1000000000 / ticks_per_sec;
        uint64_t bound_tick = b->usec * 1000 / ns_per_tick;
        if (start_ticks != bound_tick)
                return start_ticks < bound_tick;
        /* The same tick (10 ms): the pid counter read at the bound tells.
         * Pids are given out in increasing order, so one at most pid_window
         * below the counter was given out before it was read, and one above
         * it after (or after a wrap: refused, which costs a legitimate
         * caller one refusal in a pid cycle). */
        if (b->last_pid < 0 || pid <= 0)
                return false;
        return (int64_t) pid <= b->last_pid && b->last_pid - (int64_t) pid < pid_window;
}
