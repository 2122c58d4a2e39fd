/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "resource1-names.h"

/* Python's struct_rusage: two times in seconds and 14 integers, in the order
 * of resource1_rusage_fields[]. */
typedef struct Usage {
        double utime, stime;
        int64_t counters[14];   /* resource1_rusage_fields[2..15] */
} Usage;

enum {
        USAGE_MAXRSS, USAGE_IXRSS, USAGE_IDRSS, USAGE_ISRSS, USAGE_MINFLT, USAGE_MAJFLT,
        USAGE_NSWAP, USAGE_INBLOCK, USAGE_OUBLOCK, USAGE_MSGSND, USAGE_MSGRCV,
        USAGE_NSIGNALS, USAGE_NVCSW, USAGE_NIVCSW,
};

/* Usage of process pid (tid: the thread, for RESOURCE1_WHO_THREAD). For the
 * daemon's own process getrusage(2) answers; for others /proc does, as the
 * interface XML documents field by field. */
int usage_get(pid_t pid, pid_t tid, Resource1Who who, Usage *ret);
