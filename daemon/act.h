/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

/* One prlimit(2) carried out as the caller: on a thread of its own whose real
 * uid and gid are the caller's (so the kernel's prlimit permission check sees
 * the caller) and which holds CAP_SYS_RESOURCE only when "privileged" (root,
 * or polkit said yes). The kernel so checks its own rules a second time. */
typedef struct Act {
        pid_t pid;
        int resource;
        struct rlimit new;
        uid_t uid;          /* UID_INVALID: keep the daemon's own ids (a root caller) */
        gid_t gid;
        bool privileged;
} Act;

/* Returns 0 and the limits in force before, or the kernel's negative errno. */
int act_prlimit(const Act *act, struct rlimit *ret_old);

/* Whether this thread holds CAP_SYS_RESOURCE in its effective set. */
bool have_cap_sys_resource(void);
