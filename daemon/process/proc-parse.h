/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "identity.h"

/* The fields of /proc/PATH/status that the daemon uses. */
typedef struct ProcStatus {
        pid_t tgid;
        ProcessIds ids;
        uint64_t vm_hwm_kib;
        uint64_t nvcsw, nivcsw;
        unsigned threads;
} ProcStatus;

/* Each takes a NUL-terminated buffer (which the first two may change) and
 * returns 0 or -EBADMSG; ret is written only on success. */
int proc_parse_status(char *buf, ProcStatus *ret);
int proc_parse_limits(char *buf, struct rlimit ret[RLIM_NLIMITS]);
int proc_parse_stat(const char *buf, unsigned long long ret[18]);
/* Field 22 of /proc/.../stat, starttime: clock ticks since boot at the fork. */
int proc_parse_starttime(const char *buf, unsigned long long *ret);
int proc_parse_io(const char *buf, uint64_t *ret_read, uint64_t *ret_write);
