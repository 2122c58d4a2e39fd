/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/resource.h>
#include <systemd/sd-bus.h>

#include "context.h"
#include "target.h"
#include "resource1-names.h"

/* Limits: names, values from callers (parsed and validated, as Python's
 * ValueErrors), and a process's limits, read from the kernel by prlimit(2)
 * or from its /proc/PID/limits. */

/* A resource by any of its names; InvalidResource otherwise. */
int resource_get(const char *name, const Resource1Rlimit **ret, sd_bus_error *error);

/* The limits of the process a call names, pid (0: the caller) or the
 * pidfd's process: one resource, or all when resource is -1; the pid they
 * are of in ret_pid. A pid is read by limits_read_prlimit(); a pidfd's
 * process, and any process while /proc hides processes from some callers,
 * is held first (target_get) and read by limits_read_target(). Errors as the
 * reply error. */
int limits_read_for_call(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, int resource,
                         struct rlimit ret[RLIM_NLIMITS], pid_t *ret_pid, sd_bus_error *error);

/* The limits of pid by prlimit(2) (one resource, or all when resource is
 * -1), falling back to limits_read_proc() where the kernel does not let the
 * daemon ask (without CAP_SYS_RESOURCE, another uid's process). Asking by pid
 * is as safe as opening /proc/PID/limits by pid, and costs one system call. */
int limits_read_prlimit(pid_t pid, int resource, struct rlimit ret[RLIM_NLIMITS]);

/* All limits of a held target, from its /proc/PID/limits, known to be its
 * own: it was still alive after they were read. */
int limits_read_target(const Target *t, struct rlimit ret[RLIM_NLIMITS], sd_bus_error *error);

/* All limits at once from /proc/PID/limits, which is world-readable, as the
 * information is. The open file stays bound to the process that had pid when
 * it was opened (reading fails with ESRCH once that one is gone, even if the
 * pid is reused), so a plain read needs no pidfd. */
int limits_read_proc(pid_t pid, struct rlimit ret[RLIM_NLIMITS]);

typedef struct ChangeLimit {
        const char *resource;   /* as the caller named it */
        uint64_t soft, hard;
} ChangeLimit;

/* What can be refused before anyone is asked, Python's ValueErrors: an
 * unknown resource (InvalidResource), soft above hard, NOFILE above
 * fs.nr_open, a resource given twice, none or too many (InvalidLimits).
 * Fills the n resources and new limits. With ret_beyond, a value the kernel
 * refuses from anyone (NOFILE above fs.nr_open) is not refused but marked
 * there, bit i for limit i: CanSetRlimits answers "na" for it. */
int limits_parse(const ChangeLimit *limits, size_t n, const Resource1Rlimit *ret_resources[],
                 struct rlimit ret_new[], unsigned *ret_beyond, sd_bus_error *error);

/* "infinity" or the number, for messages. */
const char *limit_str(rlim_t v, char buf[static 24]);
