/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Who asks and who a process runs as: what a decision (decide.h) weighs, and
 * what the caller's and the target's code fill in (caller.h, target.h). */

/* Who a process runs as: real, effective and saved ids, as /proc/PID/status
 * lists them. */
typedef struct ProcessIds {
        uid_t uid, euid, suid;
        gid_t gid, egid, sgid;
} ProcessIds;

/* The caller as the bus reports it (uid) and the user database completes it
 * (primary gid). */
typedef struct Caller {
        uid_t uid;
        gid_t gid;
        /* The process that connected, as the bus saw it: what a pid-0 call
         * names (then pinned and decided on by its own ids, like any
         * target), and the log's. No decision rests on this number. */
        pid_t pid;
        uid_t account;      /* what budgets are charged to (account.h); filled with CALLER_GID */
        bool other_pidns;   /* filled only when asked for (CALLER_PIDNS) */
        /* The Flatpak app behind the caller's bus proxy (sandbox.h), or "":
         * polkit's detail "flatpak_app". No decision here rests on it. */
        char flatpak_app[256];
} Caller;
