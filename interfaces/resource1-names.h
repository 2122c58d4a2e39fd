/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one table of resource names, descriptions and units, and of getrusage()
 * "who" names, shared by resource1d, libresource1 and resourcectl. */

#include <stddef.h>

/* The bus's own names (bus name, object and error names) come with the
 * table: whoever reads a name off the bus answers with one of them. */
#include "resource1-bus.h"

typedef enum Resource1Unit {
        RESOURCE1_UNIT_COUNT,        /* a plain number of things */
        RESOURCE1_UNIT_BYTES,
        RESOURCE1_UNIT_SECONDS,
        RESOURCE1_UNIT_MICROSECONDS,
        RESOURCE1_UNIT_NICE,         /* a ceiling for the nice level: 20 - rlim_cur */
        RESOURCE1_UNIT_PRIORITY,     /* a real-time priority */
} Resource1Unit;

typedef struct Resource1Rlimit {
        const char *name;          /* short upper-case name: "NOFILE" */
        int number;                /* Linux RLIMIT_* value, -1 where Linux lacks it */
        const char *description;   /* as prlimit(1) words it */
        const char *units;         /* as prlimit(1) prints them, NULL where it prints none */
        Resource1Unit unit;
        char option;               /* prlimit(1)'s short option: 'n' for -n, --nofile */
} Resource1Rlimit;

/* Supported resources in RLIMIT_* number order; [i].number == i. */
extern const Resource1Rlimit resource1_rlimits[];
extern const size_t resource1_rlimits_count;

/* Accepts "NOFILE", "nofile", "RLIMIT_NOFILE", "OFILE".
 * Returns 0, -EINVAL for a name that no platform has, or -EOPNOTSUPP for one
 * Python knows but Linux lacks (VMEM, SBSIZE, SWAP, NPTS). */
int resource1_rlimit_from_name(const char *name, const Resource1Rlimit **ret);

/* NULL when the number is not a resource of this host. */
const Resource1Rlimit *resource1_rlimit_from_number(int number);

typedef enum Resource1Who {
        RESOURCE1_WHO_SELF,
        RESOURCE1_WHO_CHILDREN,
        RESOURCE1_WHO_BOTH,
        RESOURCE1_WHO_THREAD,
} Resource1Who;

/* Accepts "self", "children", "both", "thread", with or without "RUSAGE_",
 * in any case. Returns 0 or -EINVAL. */
int resource1_who_from_name(const char *name, Resource1Who *ret);
const char *resource1_who_to_name(Resource1Who who);

/* The 16 fields of Python's struct_rusage, in its order, with the seed's
 * descriptions and the unit each is counted in. */
typedef struct Resource1RusageField {
        const char *name;          /* "ru_utime" */
        const char *description;   /* "time in user mode" */
        const char *unit;          /* "seconds", "KiB", or NULL for a plain count */
} Resource1RusageField;

extern const Resource1RusageField resource1_rusage_fields[16];
