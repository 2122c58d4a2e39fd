/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>

#include "decide.h"

bool caller_owns(const Caller *caller, const ProcessIds *t) {
        return t->uid == caller->uid && t->euid == caller->uid && t->suid == caller->uid &&
               t->gid == caller->gid && t->egid == caller->gid && t->sgid == caller->gid;
}

static Decision refuse(RefuseError error, const char *reason) {
        return (Decision) { .verdict = VERDICT_REFUSE, .error = error, .reason = reason };
}

Decision decide_change(const Caller *caller, const ProcessIds *target,
                       const struct rlimit *old, const struct rlimit *new) {

        if (new->rlim_cur > new->rlim_max)
                return refuse(REFUSE_INVALID_LIMITS, "soft limit exceeds hard limit");

        /* Root gets exactly what the kernel gives root; the kernel decides. */
        if (caller->uid == 0)
                return (Decision) { .verdict = VERDICT_ALLOW, .privileged = true };

        unsigned actions = 0;
        if (!caller_owns(caller, target))
                actions |= AUTH_ACTION_MANAGE_OTHER;
        if (new->rlim_max > old->rlim_max)
                actions |= AUTH_ACTION_RAISE_HARD;

        if (actions == 0)
                return (Decision) { .verdict = VERDICT_ALLOW, .privileged = false };

        return (Decision) { .verdict = VERDICT_ASK, .actions = actions, .privileged = true };
}

Decision decide_read_usage(const Caller *caller, const ProcessIds *target) {
        if (caller->uid == 0 || caller_owns(caller, target))
                return (Decision) { .verdict = VERDICT_ALLOW };

        return refuse(REFUSE_PERMISSION,
                      "the usage of a process the caller does not own is private, as /proc/PID/io is");
}

const char *auth_action_id(AuthAction action) {
        switch (action) {
        case AUTH_ACTION_MANAGE_OTHER:
                return "org.example.resource1.manage-other";
        case AUTH_ACTION_RAISE_HARD:
                return "org.example.resource1.raise-hard-limit";
        }
        return NULL;
}
