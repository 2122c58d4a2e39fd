/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "target.h"

/* Carrying out prlimit(2) for one or more limits of one process, in order,
 * stopping at the first the kernel refuses.
 *
 * What the caller could do itself (lowering a limit of its own process, a
 * soft limit up to the hard one) is done by a short-lived process with every
 * id of the caller's (real, effective, saved and filesystem uid and gid, no
 * supplementary groups) and no capability in any set, so that the kernel
 * checks the caller a second time, atomically with the change, and that
 * whatever process the number names by then (a pid can be reused while the
 * caller holds this one stopped), it can do there only what the caller
 * could do alone. It is not dumpable, so the caller cannot reach its memory
 * (which may be the daemon's: see act.c). It is a
 * process of its own, not a thread of the daemon: a caller may signal a task
 * whose real uid is its own, and stopping or killing this one only fails the
 * caller's own request. All other signals are blocked in it from its first
 * instruction, and the event loop reaps it through its pidfd, killing it
 * when it overruns its deadline; the daemon waits for it synchronously only
 * after killing it (act_stop(), act_free()), which SIGKILL bounds.
 *
 * What the acting process did with the caller's ids, the kernel allowed the
 * caller: it needs no repair with the daemon's privileges, and gets none. A
 * batch it cannot finish it puts back itself, with the same ids.
 *
 * What polkit authorized, and what root asks, the daemon does itself with
 * its capabilities (act_privileged_all), on the held target only; the
 * caller of that re-verifies the target around it, since the kernel's
 * ownership check does not apply. */

typedef struct ActRequest {
        pid_t pid;
        unsigned n;
        int resources[RLIM_NLIMITS];
        struct rlimit new[RLIM_NLIMITS];
        uid_t uid;           /* the caller's: every id of the acting process */
        gid_t gid;
        /* Instead of limits: abort FUSE connection fuse_connection (writes
         * to /sys/fs/fuse/connections/N/abort, which only the connection's
         * owner may: gates-fuse.c). The result's r says how it went. */
        bool fuse_abort;
        unsigned fuse_connection;
        /* With fuse_abort, >= 0: an O_PATH descriptor of a file of that
         * connection (closing one never calls into FUSE), and the abort is
         * made only if the connection refuses the daemon's own ids: a
         * statx(2) of it asking for the type, before the process takes uid
         * and gid (fs/fuse/dir.c's fuse_allow_current_process(), checked
         * before any request; with AT_STATX_DONT_SYNC none is sent when
         * allowed either). A connection mounted without allow_other, or
         * with it in a user namespace other than the initial one, answers
         * so: its files can have been opened only by processes with exactly
         * the owner's ids, or of that namespace. r is -EPERM when the
         * connection admits the daemon's ids (allow_other in the initial
         * namespace), -EXDEV when the file is not of that connection. */
        int fuse_file;
} ActRequest;

typedef struct ActResult {
        bool reported;       /* false: the process died before it said how it went */
        bool not_caller;     /* reported, but it could not take the caller's ids alone (r says
                              * why): nothing was done */
        bool timed_out;      /* killed by the daemon at its deadline */
        int signal;          /* what killed it, if something did */
        /* If reported: the first "applied" limits were set, their previous
         * values in old[]; r is 0 when all were, else the kernel's negative
         * errno for limit number "applied", and restored says whether those
         * set before it were put back. */
        unsigned applied;
        int r;
        bool restored;
        struct rlimit old[RLIM_NLIMITS];
} ActResult;

typedef struct Acting Acting;
typedef void (*act_done_t)(const ActResult *result, void *userdata);

/* Decides, once, whether acting processes share the daemon's memory or are
 * forks (see act.c); true for the former. Called at start, before any thread
 * exists, as it forks; act_as_caller() calls it if nothing did. */
bool act_setup(void);

/* Starts the acting process; "done" is called from the event loop once it has
 * exited. */
int act_as_caller(sd_event *e, const ActRequest *req, uint64_t deadline_usec, act_done_t done,
                  void *userdata, Acting **ret);
/* Forgets an acting process; one still running is killed and reaped first
 * (bounded: SIGKILL), so "done" is not called. */
Acting *act_free(Acting *a);

/* At shutdown: kills the acting process, waits for it (without the loop) and
 * says how it went; "done" is not called. Then act_free() it. */
void act_stop(Acting *a, ActResult *ret);

/* prlimit(2) by the daemon itself on the held target t (target_prlimit) for
 * req's limits in order, stopping at the first refused and putting back those
 * set before it, with the result in the shape the acting process reports. */
void act_privileged_all(const Target *t, const ActRequest *req, ActResult *ret);

/* Whether this thread holds CAP_SYS_RESOURCE in its effective set. */
bool have_cap_sys_resource(void);
