/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "caller.h"
#include "errors.h"
#include "log.h"
#include "procfs.h"
#include "rlimits.h"
#include "util.h"

const char *limit_str(rlim_t v, char buf[static 24]) {
        if (v == RLIM_INFINITY)
                return "infinity";
        snprintf(buf, 24, "%" PRIu64, (uint64_t) v);
        return buf;
}

int resource_get(const char *name, const Resource1Rlimit **ret, sd_bus_error *error) {
        int r = resource1_rlimit_from_name(name, ret);
        if (r == -EOPNOTSUPP)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_RESOURCE,
                                         "resource '%s' is not available on this platform (Linux)", name);
        if (r < 0)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_RESOURCE,
                                         "invalid resource specified: '%s'", name);
        return 0;
}

int limits_read_proc(pid_t pid, struct rlimit ret[RLIM_NLIMITS]) {
        char path[32], buf[4096];

        snprintf(path, sizeof path, "/proc/%d/limits", (int) pid);
        int r = proc_read_file(AT_FDCWD, path, buf, sizeof buf);
        if (r < 0)
                return r;
        return proc_parse_limits(buf, ret);
}

int limits_read_prlimit(pid_t pid, int resource, struct rlimit ret[RLIM_NLIMITS]) {
        struct rlimit all[RLIM_NLIMITS];
        int first = resource < 0 ? 0 : resource, last = resource < 0 ? RLIM_NLIMITS - 1 : resource;

        for (int i = first; i <= last; i++)
                if (prlimit(pid, (__rlimit_resource_t) i, NULL, &all[i]) < 0) {
                        if (errno == EPERM)
                                return limits_read_proc(pid, ret);
                        return -errno;
                }

        memcpy(ret + first, all + first, (size_t) (last - first + 1) * sizeof all[0]);
        return 0;
}

int limits_read_for_call(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, int resource,
                         struct rlimit ret[RLIM_NLIMITS], pid_t *ret_pid, sd_bus_error *error) {
        _cleanup_(target_done) Target t = TARGET_NULL;
        CallerProcess caller = { .pid = 0 };
        int r;

        /* A pidfd names its process by a pid that has to be checked again
         * after reading; a pid is simply asked about, unless /proc hides
         * processes from some callers: then it is pinned and its ids looked
         * at first (target_get), to tell no more than /proc would. */
        if (pidfd >= 0 || visibility_restricted(&c->visibility)) {
                r = target_get(c, m, pid, pidfd, &t, NULL, error);
                if (r >= 0)
                        r = limits_read_target(&t, ret, error);
                if (r >= 0)
                        *ret_pid = t.pid;
                return r;
        }

        r = caller_check_pid(&c->creds, m, pid, error);
        if (r < 0)
                return r;
        if (pid > INT32_MAX)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_NO_SUCH_PROCESS, "no such process: pid %" PRIu32, pid);
        if (pid == 0) {
                /* The caller's held process, by its number: alive before
                 * and after the read, so the number was its own throughout. */
                r = caller_process(&c->creds, m, &caller, error);
                if (r < 0)
                        return r;
                pid = (uint32_t) caller.pid;
        }

        r = limits_read_prlimit((pid_t) pid, resource, ret);
        if (r >= 0 && caller.pid > 0)
                r = caller_process(&c->creds, m, &caller, error);
        if (r < 0) {
                if (sd_bus_error_is_set(error))
                        return r;
                char what[48];
                snprintf(what, sizeof what, "pid %" PRIu32, pid);
                return error_from_errno(error, r, what);
        }
        *ret_pid = (pid_t) pid;
        return 0;
}

int limits_read_target(const Target *t, struct rlimit ret[RLIM_NLIMITS], sd_bus_error *error) {
        struct rlimit all[RLIM_NLIMITS];
        char what[48];
        snprintf(what, sizeof what, "pid %d", (int) t->pid);

        int r = limits_read_proc(t->pid, all);
        if (r >= 0)
                r = target_check_alive(t);
        if (r < 0)
                return error_from_errno(error, r, what);

        memcpy(ret, all, sizeof all);
        return 0;
}


static int read_nr_open(uint64_t *ret) {
        char buf[32];
        int r = proc_read_file(AT_FDCWD, "/proc/sys/fs/nr_open", buf, sizeof buf);
        if (r < 0)
                return r;
        *ret = strtoull(buf, NULL, 10);
        return 0;
}

/* What can be refused before anyone is asked: Python's ValueErrors. A value
 * the kernel refuses from anyone is refused, or, where beyond is given,
 * marked there instead. */
static int limits_validate(const Resource1Rlimit *res, uint64_t soft, uint64_t hard, bool *beyond,
                           sd_bus_error *error) {
        char a[24], b[24];

        if (soft > hard)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_LIMITS,
                                         "soft limit %s exceeds hard limit %s for %s",
                                         limit_str(soft, a), limit_str(hard, b), res->name);

        /* The kernel refuses this with EPERM, which would read as a lack of
         * privilege; it is a value out of range, whoever asks. */
        uint64_t nr_open;
        if (res->number != RLIMIT_NOFILE || read_nr_open(&nr_open) < 0 || hard <= nr_open)
                return 0;
        if (beyond) {
                *beyond = true;
                return 0;
        }
        return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_LIMITS,
                                 "hard limit %s for NOFILE exceeds the system-imposed limit fs.nr_open=%" PRIu64,
                                 limit_str(hard, a), nr_open);
}

int limits_parse(const ChangeLimit *limits, size_t n, const Resource1Rlimit *ret_resources[],
                 struct rlimit ret_new[], unsigned *ret_beyond, sd_bus_error *error) {
        unsigned beyond = 0;

        if (n == 0)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_LIMITS, "no limits given");
        if (n > RLIM_NLIMITS)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_LIMITS,
                                         "%zu limits given; there are %d resources", n, (int) RLIM_NLIMITS);

        for (size_t i = 0; i < n; i++) {
                const Resource1Rlimit *res;
                int r = resource_get(limits[i].resource, &res, error);
                if (r < 0)
                        return r;
                bool over = false;
                r = limits_validate(res, limits[i].soft, limits[i].hard, ret_beyond ? &over : NULL, error);
                if (r < 0)
                        return r;
                if (over)
                        beyond |= 1u << i;
                for (size_t j = 0; j < i; j++)
                        if (ret_resources[j] == res)
                                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_LIMITS,
                                                         "%s is given twice ('%s' and '%s')", res->name,
                                                         limits[j].resource, limits[i].resource);
                ret_resources[i] = res;
                ret_new[i] = (struct rlimit) { .rlim_cur = limits[i].soft, .rlim_max = limits[i].hard };
        }
        if (ret_beyond)
                *ret_beyond = beyond;
        return 0;
}
