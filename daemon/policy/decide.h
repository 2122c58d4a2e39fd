/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/resource.h>

#include "identity.h"

typedef enum Verdict {
        VERDICT_ALLOW,   /* act now, polkit is not asked */
        VERDICT_ASK,     /* act only if polkit authorizes every action in Decision.actions */
        VERDICT_REFUSE,  /* do nothing; Decision.error/reason say why */
} Verdict;

typedef enum AuthAction {
        AUTH_ACTION_MANAGE_OTHER = 1 << 0,
        AUTH_ACTION_RAISE_HARD   = 1 << 1,
} AuthAction;

typedef enum RefuseError {
        REFUSE_NONE,
        REFUSE_INVALID_LIMITS,
        REFUSE_PERMISSION,
} RefuseError;

typedef struct Decision {
        Verdict verdict;
        unsigned actions;        /* AuthAction bits, for VERDICT_ASK */
        /* Whether the daemon acts itself, with CAP_SYS_RESOURCE, which skips
         * the kernel's ownership check: only for what root's own ids do not
         * allow (another's process, a hard limit raised) and for what polkit
         * authorizes, and then only after the target's ids and limits are
         * found unchanged (and again after acting). Anything else is done by
         * a process with the caller's real ids and without the capability,
         * so that the kernel checks the caller a second time. */
        bool privileged;
        RefuseError error;       /* for VERDICT_REFUSE */
        const char *reason;      /* static text, for VERDICT_REFUSE */
} Decision;

/* The kernel's prlimit(2) permission check, without CAP_SYS_RESOURCE: every
 * uid of the target is the caller's uid and every gid its gid. */
bool caller_owns(const Caller *caller, const ProcessIds *target);

bool process_ids_equal(const ProcessIds *a, const ProcessIds *b);

/* Changing a limit from old to new on target. Pure: no system calls. */
Decision decide_change(const Caller *caller, const ProcessIds *target,
                       const struct rlimit *old, const struct rlimit *new);

/* A change of n limits at once: one decision for the batch, refused as the
 * first refused limit is (its index in ret_refused), else asking every action
 * any limit needs, privileged if any limit is. Pure. */
Decision decide_changes(const Caller *caller, const ProcessIds *target, const struct rlimit old[],
                        const struct rlimit new[], size_t n, size_t *ret_refused);

/* Which of the n limits need "action" (bit i for limit i), for what polkit
 * is told; 0 for root, who needs none. Pure. */
unsigned limits_needing(const Caller *caller, const ProcessIds *target, const struct rlimit old[],
                        const struct rlimit new[], size_t n, AuthAction action);

/* Whether a change may still be carried out (or, once made, stay) now that
 * polkit granted the AuthAction bits "granted": "now" is decide_changes() on
 * the target's ids and limits as they are at this moment, which may ask for
 * more than was granted (its hard limit was lowered meanwhile, so the change
 * raises it). Pure. */
bool decision_covered(const Decision *now, unsigned granted);

/* Reading usage of target: /proc/PID/io needs ptrace-read access, so only
 * root, and the owner of a dumpable process, may (the kernel's rule for
 * /proc/PID/io). Limits are world-readable and need no decision. */
Decision decide_read_usage(const Caller *caller, const ProcessIds *target, bool dumpable);

/* The order a batch's n limits are applied in (ret_order[k]: an index into
 * old[] and new[]): those whose hard limit goes down last, else the caller's
 * order. If the kernel refuses one, those before it are put back, and only a
 * lowered hard limit may need CAP_SYS_RESOURCE to be put back; with them
 * last, no other limit follows one. Pure. */
void apply_order(const struct rlimit old[], const struct rlimit new[], size_t n, unsigned ret_order[]);

const char *auth_action_id(AuthAction action);

/* ---- CanSetRlimits: what a change would meet, nothing done ---- */

/* Of several that apply, the greatest is the answer (answer_changes()):
 * what the change would end in. The kernel's refusal of a value comes
 * before anything else, polkit's no before the service's inability (the
 * change stops there), and that before a challenge (authenticating would
 * not help). */
typedef enum Answer {
        ANSWER_YES,            /* "yes": allowed, nobody asked */
        ANSWER_CHALLENGE,      /* "challenge": allowed once a person authenticates */
        ANSWER_SERVICE_CANNOT, /* "na": allowed, but the service's own prlimit(2) would be refused */
        ANSWER_NO,             /* "no": polkit refuses an action it needs */
        ANSWER_BEYOND_KERNEL,  /* "na": the kernel refuses the value from anyone (fs.nr_open) */
} Answer;

/* The answer's word on the bus. */
const char *answer_str(Answer a);

/* What polkit answered, as AuthAction bits: "authentication needed" and
 * "not authorized"; an action asked and in neither was authorized. */
typedef struct PolkitAnswers {
        unsigned challenged, refused;
} PolkitAnswers;

/* What the kernel lets the service's own prlimit(2) do: its real uid and gid
 * (in a Caller: the kernel checks them as it checks a caller's), and whether
 * it holds CAP_SYS_RESOURCE. */
typedef struct ServicePower {
        Caller self;
        bool cap_sys_resource;
} ServicePower;

/* Whether the kernel would let the service set a limit from old to new on
 * target itself: with CAP_SYS_RESOURCE, anything; without, only what its own
 * ids allow (prlimit(2)'s check: the target's ids all its own, and no hard
 * limit raised). Pure. */
bool service_may(const ServicePower *s, const ProcessIds *target, const struct rlimit *old,
                 const struct rlimit *new);

/* The answers to a change of n limits, decided as decide_changes() decides
 * it (which must not have refused it), polkit having answered "polkit" for
 * the actions it needs: for each limit (ret_answers[i], and in ret_actions[i]
 * the action that decided it, 0 when none did), and for the batch
 * (returned). beyond: bit i when limit i is above what the kernel takes from
 * anyone. A batch is carried out one way (decide_changes()): when the service
 * acts itself, on every limit of it; a batch that changes nothing is not
 * carried out, so the service's power does not matter to it. Pure. */
Answer answer_changes(const Caller *caller, const ProcessIds *target, const struct rlimit old[],
                      const struct rlimit new[], size_t n, unsigned beyond, const PolkitAnswers *polkit,
                      const ServicePower *service, Answer ret_answers[], AuthAction ret_actions[]);
