/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "resource1-names.h"
#include "resource1-util.h"

/* Indexed by RLIMIT_* so number lookup is O(1) and listings come out in the
 * order /proc/PID/limits uses (prlimit(1) sorts its own by name). The one
 * list of resource names: resourcectl's options are made from it, and
 * tests check every other list against it (tests/unit/test-names-agree.c). */
const Resource1Rlimit resource1_rlimits[] = {
        [RLIMIT_CPU]        = { "CPU",        RLIMIT_CPU,        "CPU time",                           "seconds",   RESOURCE1_UNIT_SECONDS,      't' },
        [RLIMIT_FSIZE]      = { "FSIZE",      RLIMIT_FSIZE,      "max file size",                      "bytes",     RESOURCE1_UNIT_BYTES,        'f' },
        [RLIMIT_DATA]       = { "DATA",       RLIMIT_DATA,       "max data size",                      "bytes",     RESOURCE1_UNIT_BYTES,        'd' },
        [RLIMIT_STACK]      = { "STACK",      RLIMIT_STACK,      "max stack size",                     "bytes",     RESOURCE1_UNIT_BYTES,        's' },
        [RLIMIT_CORE]       = { "CORE",       RLIMIT_CORE,       "max core file size",                 "bytes",     RESOURCE1_UNIT_BYTES,        'c' },
        [RLIMIT_RSS]        = { "RSS",        RLIMIT_RSS,        "max resident set size",              "bytes",     RESOURCE1_UNIT_BYTES,        'm' },
        [RLIMIT_NPROC]      = { "NPROC",      RLIMIT_NPROC,      "max number of processes",            "processes", RESOURCE1_UNIT_COUNT,        'u' },
        [RLIMIT_NOFILE]     = { "NOFILE",     RLIMIT_NOFILE,     "max number of open files",           "files",     RESOURCE1_UNIT_COUNT,        'n' },
        [RLIMIT_MEMLOCK]    = { "MEMLOCK",    RLIMIT_MEMLOCK,    "max locked-in-memory address space", "bytes",     RESOURCE1_UNIT_BYTES,        'l' },
        [RLIMIT_AS]         = { "AS",         RLIMIT_AS,         "address space limit",                "bytes",     RESOURCE1_UNIT_BYTES,        'v' },
        [RLIMIT_LOCKS]      = { "LOCKS",      RLIMIT_LOCKS,      "max number of file locks held",      "locks",     RESOURCE1_UNIT_COUNT,        'x' },
        [RLIMIT_SIGPENDING] = { "SIGPENDING", RLIMIT_SIGPENDING, "max number of pending signals",      "signals",   RESOURCE1_UNIT_COUNT,        'i' },
        [RLIMIT_MSGQUEUE]   = { "MSGQUEUE",   RLIMIT_MSGQUEUE,   "max bytes in POSIX mqueues",         "bytes",     RESOURCE1_UNIT_BYTES,        'q' },
        [RLIMIT_NICE]       = { "NICE",       RLIMIT_NICE,       "max nice prio allowed to raise",     NULL,        RESOURCE1_UNIT_NICE,         'e' },
        [RLIMIT_RTPRIO]     = { "RTPRIO",     RLIMIT_RTPRIO,     "max real-time priority",             NULL,        RESOURCE1_UNIT_PRIORITY,     'r' },
        [RLIMIT_RTTIME]     = { "RTTIME",     RLIMIT_RTTIME,     "timeout for real-time tasks",        "microsecs", RESOURCE1_UNIT_MICROSECONDS, 'y' },
};
const size_t resource1_rlimits_count = ELEMENTSOF(resource1_rlimits);

_Static_assert(ELEMENTSOF(resource1_rlimits) == RLIM_NLIMITS, "one entry per Linux resource");

/* Names Python's table has for other platforms: known, but not here. */
static const char *const unavailable[] = { "VMEM", "SBSIZE", "SWAP", "NPTS" };

static const char *strip_prefix(const char *s, const char *prefix) {
        size_t n = strlen(prefix);
        return strncasecmp(s, prefix, n) == 0 ? s + n : s;
}

int resource1_rlimit_from_name(const char *name, const Resource1Rlimit **ret) {
        if (!name)
                return -EINVAL;

        const char *s = strip_prefix(name, "RLIMIT_");

        /* BSD's name for NOFILE, as Python has it. */
        if (strcasecmp(s, "OFILE") == 0)
                s = "NOFILE";

        /* The short upper-case name, as replies and the tools spell it, is
         * found without folding case: most calls name it so. */
        for (size_t i = 0; i < resource1_rlimits_count; i++)
                if (strcmp(s, resource1_rlimits[i].name) == 0) {
                        if (ret)
                                *ret = &resource1_rlimits[i];
                        return 0;
                }
        for (size_t i = 0; i < resource1_rlimits_count; i++)
                if (strcasecmp(s, resource1_rlimits[i].name) == 0) {
                        if (ret)
                                *ret = &resource1_rlimits[i];
                        return 0;
                }

        for (size_t i = 0; i < ELEMENTSOF(unavailable); i++)
                if (strcasecmp(s, unavailable[i]) == 0)
                        return -EOPNOTSUPP;

        return -EINVAL;
}

const Resource1Rlimit *resource1_rlimit_from_number(int number) {
        if (number < 0 || (size_t) number >= resource1_rlimits_count)
                return NULL;
        return &resource1_rlimits[number];
}

static const char *const who_names[] = {
        [RESOURCE1_WHO_SELF]     = "self",
        [RESOURCE1_WHO_CHILDREN] = "children",
        [RESOURCE1_WHO_BOTH]     = "both",
        [RESOURCE1_WHO_THREAD]   = "thread",
};

int resource1_who_from_name(const char *name, Resource1Who *ret) {
        if (!name)
                return -EINVAL;

        const char *s = strip_prefix(name, "RUSAGE_");
        for (size_t i = 0; i < ELEMENTSOF(who_names); i++)
                if (strcasecmp(s, who_names[i]) == 0) {
                        if (ret)
                                *ret = (Resource1Who) i;
                        return 0;
                }

        return -EINVAL;
}

const char *resource1_who_to_name(Resource1Who who) {
        if ((size_t) who >= ELEMENTSOF(who_names))
                return NULL;
        return who_names[who];
}

const Resource1RusageField resource1_rusage_fields[16] = {
        { "ru_utime",    "time in user mode",              "seconds" },
        { "ru_stime",    "time in system mode",            "seconds" },
        { "ru_maxrss",   "maximum resident set size",      "KiB" },
        { "ru_ixrss",    "shared memory size",             "KiB" },
        { "ru_idrss",    "unshared memory size",           "KiB" },
        { "ru_isrss",    "unshared stack size",            "KiB" },
        { "ru_minflt",   "page faults not requiring I/O",  NULL },
        { "ru_majflt",   "page faults requiring I/O",      NULL },
        { "ru_nswap",    "number of swap outs",            NULL },
        { "ru_inblock",  "block input operations",         NULL },
        { "ru_oublock",  "block output operations",        NULL },
        { "ru_msgsnd",   "messages sent",                  NULL },
        { "ru_msgrcv",   "messages received",              NULL },
        { "ru_nsignals", "signals received",               NULL },
        { "ru_nvcsw",    "voluntary context switches",     NULL },
        { "ru_nivcsw",   "involuntary context switches",   NULL },
};
