/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>

#include "decide.h"

bool caller_owns(const Caller *caller, const ProcessIds *t) {
        return t->uid == caller->uid && t->euid == caller->uid && t->suid == caller->uid &&
               t->gid == caller->gid && t->egid == caller->gid && t->sgid == caller->gid;
}

bool process_ids_equal(const ProcessIds *a, const ProcessIds *b) {
        return a->uid == b->uid && a->euid == b->euid && a->suid == b->suid &&
               a->gid == b->gid && a->egid == b->egid && a->sgid == b->sgid;
}

static Decision refuse(RefuseError error, const char *reason) {
        return (Decision) { .verdict = VERDICT_REFUSE, .error = error, .reason = reason };
}

Decision decide_change(const Caller *caller, const ProcessIds *target,
                       const struct rlimit *old, const struct rlimit *new) {

        if (new->rlim_cur > new->rlim_max)
                return refuse(REFUSE_INVALID_LIMITS, "soft limit exceeds hard limit");

        /* Root gets exactly what the kernel gives root; the kernel decides.
         * What root's own ids allow (lowering, or a soft limit up to the
         * hard one, of a process of root's) a process with those ids makes,
         * as for any owner: the daemon is not root, and without
         * CAP_SYS_RESOURCE its own call would be refused. */
        if (caller->uid == 0)
                return (Decision) { .verdict = VERDICT_ALLOW,
                                    .privileged = !caller_owns(caller, target) || new->rlim_max > old->rlim_max };

        unsigned actions = 0;
        if (!caller_owns(caller, target))
                actions |= AUTH_ACTION_MANAGE_OTHER;
        if (new->rlim_max > old->rlim_max)
                actions |= AUTH_ACTION_RAISE_HARD;

        if (actions == 0)
                return (Decision) { .verdict = VERDICT_ALLOW, .privileged = false };

        return (Decision) { .verdict = VERDICT_ASK, .actions = actions, .privileged = true };
}

Decision decide_changes(const Caller *caller, const ProcessIds *target, const struct rlimit old[],
                        const struct rlimit new[], size_t n, size_t *ret_refused) {
        Decision all = { .verdict = VERDICT_ALLOW };

        for (size_t i = 0; i < n; i++) {
                Decision d = decide_change(caller, target, &old[i], &new[i]);
                if (d.verdict == VERDICT_REFUSE) {
                        if (ret_refused)
                                *ret_refused = i;
                        return d;
                }
                all.actions |= d.actions;
                all.privileged = all.privileged || d.privileged;
        }
        if (all.actions != 0)
                all.verdict = VERDICT_ASK;
        return all;
}

unsigned limits_needing(const Caller *caller, const ProcessIds *target, const struct rlimit old[],
                        const struct rlimit new[], size_t n, AuthAction action) {
        unsigned mask = 0;
        for (size_t i = 0; i < n && i < sizeof mask * 8; i++)
                if (decide_change(caller, target, &old[i], &new[i]).actions & action)
                        mask |= 1u << i;
        return mask;
}

bool decision_covered(const Decision *now, unsigned granted) {
        switch (now->verdict) {
        case VERDICT_ALLOW:
                return true;
        case VERDICT_ASK:
                return (now->actions & ~granted) == 0;
        case VERDICT_REFUSE:
                break;
        }
        return false;
}

Decision decide_read_usage(const Caller *caller, const ProcessIds *target, bool dumpable) {
        if (caller->uid == 0)
                return (Decision) { .verdict = VERDICT_ALLOW };
        if (!caller_owns(caller, target))
                return refuse(REFUSE_PERMISSION,
                              "the usage of a process the caller does not own is private, as /proc/PID/io is");
        if (!dumpable)
                return refuse(REFUSE_PERMISSION,
                              "the process made itself non-dumpable, which makes its /proc/PID/io private to root");
        return (Decision) { .verdict = VERDICT_ALLOW };
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

void apply_order(const struct rlimit old[], const struct rlimit new[], size_t n, unsigned ret_order[]) {
        unsigned k = 0;

        for (unsigned pass = 0; pass < 2; pass++)
                for (unsigned i = 0; i < n; i++) {
                        bool lowers_hard = new[i].rlim_max < old[i].rlim_max;
                        if (lowers_hard == (pass == 1))
                                ret_order[k++] = i;
                }
}

const char *answer_str(Answer a) {
        switch (a) {
        case ANSWER_YES:
                return "yes";
        case ANSWER_CHALLENGE:
                return "challenge";
        case ANSWER_NO:
                return "no";
        case ANSWER_SERVICE_CANNOT:
        case ANSWER_BEYOND_KERNEL:
                return "na";
        }
        return "no";
}

bool service_may(const ServicePower *s, const ProcessIds *target, const struct rlimit *old,
                 const struct rlimit *new) {
        if (s->cap_sys_resource)
                return true;
        return caller_owns(&s->self, target) && new->rlim_max <= old->rlim_max;
}

/* One limit's answer: its actions' strictest, first asked among equals.
 * by_service: the service carries out the batch itself (one limit of it
 * needs that, and it changes something), this limit with the rest. */
static Answer answer_change(const Caller *caller, const ProcessIds *target, const struct rlimit *old,
                            const struct rlimit *new, bool beyond, bool by_service, const PolkitAnswers *polkit,
                            const ServicePower *service, AuthAction *ret_action) {
        Decision d = decide_change(caller, target, old, new);
        Answer a = ANSWER_YES;
        AuthAction decided = 0;

        if (beyond) {
                *ret_action = 0;
                return ANSWER_BEYOND_KERNEL;
        }
        /* Lowest bit first: the order polkit_ask_next() asks them in. */
        for (unsigned bit = 1; bit <= AUTH_ACTION_RAISE_HARD; bit <<= 1) {
                if (!(d.actions & bit))
                        continue;
                Answer mine = polkit->refused & bit ? ANSWER_NO :
                              polkit->challenged & bit ? ANSWER_CHALLENGE : ANSWER_YES;
                if (!decided || mine > a) {
                        a = mine;
                        decided = (AuthAction) bit;
                }
        }
        if (a != ANSWER_NO && by_service && !service_may(service, target, old, new))
                a = ANSWER_SERVICE_CANNOT;
        *ret_action = decided;
        return a;
}

Answer answer_changes(const Caller *caller, const ProcessIds *target, const struct rlimit old[],
                      const struct rlimit new[], size_t n, unsigned beyond, const PolkitAnswers *polkit,
                      const ServicePower *service, Answer ret_answers[], AuthAction ret_actions[]) {
        Answer all = ANSWER_YES;
        bool acts = false;

        for (size_t i = 0; i < n; i++)
                acts = acts || old[i].rlim_cur != new[i].rlim_cur || old[i].rlim_max != new[i].rlim_max;
        /* A batch is carried out one way: by the service itself when any of
         * its limits needs that (decide_changes()), every limit with it. */
        bool by_service = acts && decide_changes(caller, target, old, new, n, NULL).privileged;
        for (size_t i = 0; i < n; i++) {
                ret_answers[i] = answer_change(caller, target, &old[i], &new[i], i < sizeof beyond * 8 &&
                                               (beyond & (1u << i)), by_service, polkit, service,
                                               &ret_actions[i]);
                if (ret_answers[i] > all)
                        all = ret_answers[i];
        }
        return all;
}
