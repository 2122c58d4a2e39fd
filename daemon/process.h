/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "decide.h"

/* A process the daemon reads or acts on. The pidfd pins its identity: the
 * pid in "pid" is known to name this process for as long as
 * target_check_alive() says it still exists (a pid is not reused before its
 * process is reaped). */
typedef struct Target {
        pid_t pid;
        int pidfd;
        ProcessIds ids;
} Target;

#define TARGET_NULL ((Target) { .pid = 0, .pidfd = -1 })

/* -ESRCH when there is no such process. */
int target_open_pid(pid_t pid, Target *ret);
/* fd is borrowed (the message owns it); a duplicate is kept.
 * -EBADF when fd is not a pidfd, -ESRCH when its process has exited. */
int target_open_pidfd(int fd, Target *ret);
/* 0 while the process (or its zombie) exists, -ESRCH after it is reaped. */
int target_check_alive(const Target *t);
void target_done(Target *t);

/* All limits at once from /proc/PID/limits: one open serves GetRlimit,
 * Prlimit and ListRlimits alike, and it is world-readable, as the
 * information is. */
int proc_read_limits(pid_t pid, struct rlimit ret[RLIM_NLIMITS]);

/* The fields of /proc/PATH/status that the daemon uses. */
typedef struct ProcStatus {
        pid_t tgid;
        ProcessIds ids;
        uint64_t vm_hwm_kib;
        uint64_t nvcsw, nivcsw;
} ProcStatus;

/* path: "/proc/PID" or "/proc/PID/task/TID" */
int proc_read_status(const char *path, ProcStatus *ret);

/* Reads a small /proc file whole, NUL-terminated. */
int proc_read_file(const char *path, char *buf, size_t size);
