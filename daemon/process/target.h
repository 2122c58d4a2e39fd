/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "context.h"
#include "identity.h"

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

/* Pins the process that has number pid now (a thread's number: its
 * process). -ESRCH when there is no such process. need_ids: fill ret->ids
 * (for decisions). The ids come from the pidfd (PIDFD_GET_INFO, Linux 6.13)
 * and before that kernel from /proc/PID/status. */
int target_pin_pid(pid_t pid, bool need_ids, Target *ret);
/* Pins the process of a pidfd a caller passed: fd is borrowed (the message
 * owns it); the target holds a copy. A thread's pidfd names its process.
 * -EBADF when fd is not a pidfd, told in constant time before anything is
 * read from it; -ESRCH when its task has exited. */
int target_pin_pidfd(int fd, bool need_ids, Target *ret);
/* Pins the caller's held process (caller_process()) once more: its pidfd and
 * /proc directory duplicated, found alive after (-ESRCH otherwise). */
int target_pin_caller(const CallerProcess *p, bool need_ids, Target *ret);
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

/* The target: pid 0 is the caller; pidfd >= 0 names it instead of pid.
 * ret_caller is asked for by decisions only (it also fills ret->ids); a
 * plain read of a named process needs neither the caller nor the target's ids. */
int target_get(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, Target *ret, Caller *ret_caller,
               sd_bus_error *error);
