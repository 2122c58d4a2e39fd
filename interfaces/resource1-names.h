/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one table of resource names, descriptions and units, and of getrusage()
 * "who" names, shared by resource1d, libresource1 and resourcectl. */

#include <stddef.h>

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

/* The bus's error names, and their errno values (sd-bus error map form lives
 * in resource1-errors.c). */
#define RESOURCE1_ERROR_INVALID_RESOURCE  "org.example.Resource1.Error.InvalidResource"
#define RESOURCE1_ERROR_INVALID_LIMITS    "org.example.Resource1.Error.InvalidLimits"
#define RESOURCE1_ERROR_INVALID_WHO       "org.example.Resource1.Error.InvalidWho"
#define RESOURCE1_ERROR_NO_SUCH_PROCESS   "org.example.Resource1.Error.NoSuchProcess"
#define RESOURCE1_ERROR_PERMISSION_DENIED "org.example.Resource1.Error.PermissionDenied"
#define RESOURCE1_ERROR_FAILED            "org.example.Resource1.Error.Failed"
#define RESOURCE1_ERROR_LIMITS_EXCEEDED   "org.example.Resource1.Error.LimitsExceeded"
#define RESOURCE1_ERROR_OTHER_PID_NAMESPACE "org.example.Resource1.Error.OtherPidNamespace"
