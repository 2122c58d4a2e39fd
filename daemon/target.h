/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "decide.h"
#include "proc-parse.h"

/* A process the daemon reads or acts on, held, never only numbered: its
 * pidfd and its open /proc/PID directory each hold the process's struct pid
 * (the directory also where pidfd_open(2) fails: valgrind). The pid in "pid"
 * is known to name this process for as long as target_check_alive() says it
 * still exists (a pid is not reused before its process is reaped); once that
 * says it is gone, nothing is done by its number. */
typedef struct Target {
        pid_t pid;
        pid_t tid;           /* the task it was named by: a thread's id, or pid */
        int procfd;
        int pidfd;           /* the process's; -1 where the kernel gives none */
        ProcessIds ids;
} Target;

#define TARGET_NULL ((Target) { .pid = 0, .tid = 0, .procfd = -1, .pidfd = -1 })

/* -ESRCH when there is no such process. need_ids: fill ret->ids (for
 * decisions). The ids come from the pidfd (PIDFD_GET_INFO, Linux 6.13) and
 * before that kernel from /proc/PID/status. */
int target_open_pid(pid_t pid, bool need_ids, Target *ret);
/* fd is borrowed (the message owns it); the target holds a copy. A thread's
 * pidfd names its process. -EBADF when fd is not a pidfd, told in constant
 * time before anything is read from it; -ESRCH when its task has exited. */
int target_open_pidfd(int fd, bool need_ids, Target *ret);
/* The ids the process runs as now, read through the pin (-ESRCH once it is
 * gone): what a decision rests on, checked again before and after acting. */
int target_read_ids(const Target *t, ProcessIds *ret);
/* 1 when the process is dumpable, as its ids in t->ids (filled by opening
 * with need_ids) say, 0 when not, or a negative errno. */
int target_is_dumpable(const Target *t);
/* 0 while the process (or its zombie) exists, -ESRCH after it is reaped. */
int target_check_alive(const Target *t);
/* prlimit(2) by the daemon itself, with its privileges, on the held target
 * only: found alive right before and right after, else -ESRCH. 0 or a
 * negative errno; ret_old set on success. */
int target_prlimit(const Target *t, int resource, const struct rlimit *new, struct rlimit *ret_old);
void target_done(Target *t);

/* All limits at once from /proc/PID/limits: one open serves GetRlimit,
 * Prlimit and ListRlimits alike, and it is world-readable, as the
 * information is. The open file stays bound to the process that had pid when
 * it was opened (reading fails with ESRCH once that one is gone, even if the
 * pid is reused), so a plain read needs no pidfd. */
int proc_read_limits(pid_t pid, struct rlimit ret[RLIM_NLIMITS]);

/* The limits of pid by prlimit(2) (one resource, or all when resource is
 * -1), falling back to /proc/PID/limits where the kernel does not let the
 * daemon ask (without CAP_SYS_RESOURCE, another uid's process). Asking by pid
 * is as safe as opening /proc/PID/limits by pid, and costs one system call. */
int read_limits(pid_t pid, int resource, struct rlimit ret[RLIM_NLIMITS]);

/* path: "/proc/PID" or "/proc/PID/task/TID", relative to dirfd (AT_FDCWD, or
 * a pinned /proc/PID with path ".") */
int proc_read_status(int dirfd, const char *path, ProcStatus *ret);

/* Reads a small /proc file whole, NUL-terminated; path relative to dirfd. */
int proc_read_file(int dirfd, const char *path, char *buf, size_t size);
