/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* When connections appeared on the bus, as far as this instance of the
 * daemon saw: what pid 0 is checked against where the bus does not pin the
 * caller's process (caller-pin.c).
 *
 * The bus gives every connection a unique name ":MAJOR.MINOR" when it says
 * Hello, in increasing order (dbus-daemon and dbus-broker alike), and
 * announces it with NameOwnerChanged, which the daemon receives in that
 * order. So consecutive names seen less than APPEAR_RUN_USEC after the first
 * of them are one record, a run, whose bound is when its first was seen (no
 * later name can make it later), and a name the daemon never saw (before it
 * watched, or lost) is in no run. The ring is bounded (any user can make
 * connections as fast as the bus lets it), but only connections still there
 * hold their runs: the bus's NameOwnerChanged for a unique name going away
 * is counted in its run, and a full ring first drops the runs whose every
 * connection is gone. So one user's flood of short connections cannot push
 * another's live connection out; only more live connections than
 * APPEAR_RUNS_MAX (far above what a bus lets connect at once: dbus-daemon's
 * system bus, 2048) replace the oldest runs, whose connections then count as
 * not seen. Names dispatched back to back under a flood share runs. */

#define APPEAR_RUNS_MAX 8192
/* How soon after a run's first name the next ones must be seen to join it:
 * far less than a process takes from its start to its connection's Hello,
 * so that the run's first moment is a bound for every name in it too. */
#define APPEAR_RUN_USEC 100

typedef struct AppearRun {
        uint64_t first, last;    /* :major.first to :major.last, every one seen */
        uint64_t usec;           /* CLOCK_BOOTTIME when the first was seen */
        uint64_t gone;           /* how many of them the bus said went away */
        int32_t last_pid;        /* the pid counter (ns_last_pid) read then; -1: unknown */
        uint32_t major;
} AppearRun;

typedef struct AppearBound {
        uint64_t usec;
        int64_t last_pid;
} AppearBound;

typedef struct AppearLog {
        AppearRun *runs;         /* APPEAR_RUNS_MAX, a ring */
        unsigned start, n;
        int last_pid_fd;         /* /proc/sys/kernel/ns_last_pid, or -1 */
        int64_t pid_window;      /* how far below the counter a pid is still "just given out" */
} AppearLog;

/* ":MAJOR.MINOR" (decimal, no sign, no leading zeros but "0"); -EINVAL
 * for any other name. */
int appear_parse_name(const char *name, uint64_t *ret_major, uint64_t *ret_minor);

/* Sets up the ring and opens the pid counter; the log holds nothing yet. */
int appear_log_init(AppearLog *log);
void appear_log_done(AppearLog *log);
/* Records that name major.minor was seen at usec with the counter at
 * last_pid (read then). A name not above the last one recorded is ignored
 * (the bus gives them out in order; an out-of-order one is taken for not
 * seen). */
void appear_log_add(AppearLog *log, uint64_t major, uint64_t minor, uint64_t usec, int64_t last_pid);
/* Records that name major.minor went away; a name never recorded is let be.
 * Counted per run, not per name: only the bus's own signals may come here
 * (the bus says so once per name). */
void appear_log_gone(AppearLog *log, uint64_t major, uint64_t minor);
/* The bound of the unique name: 0, or -ENOENT when this instance did not
 * see it appear (before it watched, replaced by a flood, or not a unique
 * name of that form). */
int appear_log_find(const AppearLog *log, const char *name, AppearBound *ret);
/* The pid counter now, -1 when it cannot be read. */
int64_t appear_log_read_last_pid(const AppearLog *log);

/* Whether a process that started at start_ticks (/proc/PID/stat's
 * starttime: the boot-time clock at its fork, in whole clock ticks of
 * 1/ticks_per_sec s) with number pid had started by bound b. Conservative:
 * false where it cannot be told. */
bool appear_started_by(uint64_t start_ticks, uint64_t ticks_per_sec, pid_t pid, int64_t pid_window,
                       const AppearBound *b);
