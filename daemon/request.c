/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "request.h"
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

int target_get(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, Target *ret, Caller *ret_caller,
               sd_bus_error *error) {
        bool decide = ret_caller != NULL;
        Caller caller = { .uid = UID_INVALID, .gid = GID_INVALID };
        int r;

        if (pidfd < 0) {
                r = caller_check_pid(&c->creds, m, pid, error);
                if (r < 0)
                        return r;
        }
        if (decide || (pid == 0 && pidfd < 0)) {
                r = caller_get(&c->creds, m, decide ? CALLER_GID : 0, &caller, error);
                if (r < 0)
                        return r;
        }

        if (pidfd >= 0) {
                r = target_open_pidfd(pidfd, decide, ret);
                if (r == -EBADF)
                        return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED,
                                                 "the descriptor passed is not a pidfd: %s", strerror(EBADF));
                if (r < 0)
                        return error_from_errno(error, r, "the pidfd's process");
        } else {
                pid_t p = pid == 0 ? caller.pid : (pid_t) pid;
                if (pid > INT32_MAX)
                        return sd_bus_error_setf(error, RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                                 "no such process: pid %" PRIu32, pid);
                r = target_open_pid(p, decide, ret);
                if (r < 0) {
                        char what[48];
                        snprintf(what, sizeof what, "pid %d", (int) p);
                        return error_from_errno(error, r, what);
                }
        }

        if (ret_caller)
                *ret_caller = caller;
        return 0;
}

int read_limits_checked(const Target *t, struct rlimit ret[RLIM_NLIMITS], sd_bus_error *error) {
        struct rlimit all[RLIM_NLIMITS];
        char what[48];
        snprintf(what, sizeof what, "pid %d", (int) t->pid);

        int r = proc_read_limits(t->pid, all);
        if (r >= 0)
                r = target_check_alive(t);
        if (r < 0)
                return error_from_errno(error, r, what);

        memcpy(ret, all, sizeof all);
        return 0;
}

