/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/resource.h>
#include <systemd/sd-bus.h>

#include "context.h"
#include "decide.h"
#include "target.h"
#include "resource1-names.h"

/* What the handlers read from a request, each failure as the reply error. */

/* A resource by any of its names; InvalidResource otherwise. */
int resource_get(const char *name, const Resource1Rlimit **ret, sd_bus_error *error);

/* The target: pid 0 is the caller; pidfd >= 0 names it instead of pid.
 * ret_caller is asked for by decisions only (it also fills ret->ids); a
 * plain read of a named process needs neither the caller nor the target's ids. */
int target_get(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, Target *ret, Caller *ret_caller,
               sd_bus_error *error);

/* All limits of a pinned target, known to be its own: it was still alive
 * after they were read. */
int read_limits_checked(const Target *t, struct rlimit ret[RLIM_NLIMITS], sd_bus_error *error);

typedef struct ChangeLimit {
        const char *resource;   /* as the caller named it */
        uint64_t soft, hard;
} ChangeLimit;

/* What can be refused before anyone is asked, Python's ValueErrors: an
 * unknown resource (InvalidResource), soft above hard, NOFILE above
 * fs.nr_open, a resource given twice, none or too many (InvalidLimits).
 * Fills the n resources and new limits. */
int limits_parse(const ChangeLimit *limits, size_t n, const Resource1Rlimit *ret_resources[],
                 struct rlimit ret_new[], sd_bus_error *error);

/* "infinity" or the number, for messages. */
const char *limit_str(rlim_t v, char buf[static 24]);
