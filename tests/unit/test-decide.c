/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The authorization decision over its whole matrix, without a bus:
 * caller (root, owner, other user, owner's setuid/setgid program, owner with
 * another gid) x change (lower soft, lower hard, soft up to hard, hard up,
 * soft above hard, no change). */
#include <glib.h>
#include <string.h>

#include "decide.h"

#define INF RLIM_INFINITY

typedef enum Target { T_OWNED, T_OTHER, T_SETUID, T_SETGID, T_OTHER_GID, T_ROOT } TargetKind;
typedef enum Change { C_LOWER_SOFT, C_LOWER_HARD, C_SOFT_UP, C_HARD_UP, C_SOFT_ABOVE_HARD, C_SAME, C_HARD_TO_INF } ChangeKind;

static const Caller user = { .uid = 1000, .gid = 1000 };
static const Caller root = { .uid = 0, .gid = 0 };

static ProcessIds target_ids(TargetKind t) {
        ProcessIds ids = { 1000, 1000, 1000, 1000, 1000, 1000 };
        switch (t) {
        case T_OWNED: break;
        case T_OTHER: ids = (ProcessIds) { 1001, 1001, 1001, 1001, 1001, 1001 }; break;
        case T_SETUID: ids.euid = 0, ids.suid = 0; break;     /* a setuid-root program the user started */
        case T_SETGID: ids.egid = 5, ids.sgid = 5; break;     /* a setgid program */
        case T_OTHER_GID: ids.gid = ids.egid = ids.sgid = 100; break;
        case T_ROOT: ids = (ProcessIds) {}; break;            /* root's own process */
        }
        return ids;
}

static void change_limits(ChangeKind c, struct rlimit *old, struct rlimit *new) {
        *old = (struct rlimit) { 1024, 4096 };
        switch (c) {
        case C_LOWER_SOFT:      *new = (struct rlimit) { 512, 4096 }; break;
        case C_LOWER_HARD:      *new = (struct rlimit) { 1024, 2048 }; break;
        case C_SOFT_UP:         *new = (struct rlimit) { 4096, 4096 }; break;
        case C_HARD_UP:         *new = (struct rlimit) { 1024, 8192 }; break;
        case C_SOFT_ABOVE_HARD: *new = (struct rlimit) { 8192, 4096 }; break;
        case C_SAME:            *new = *old; break;
        case C_HARD_TO_INF:     *new = (struct rlimit) { 1024, INF }; break;
        }
}

typedef struct Row {
        const Caller *caller;
        TargetKind target;
        ChangeKind change;
        Verdict verdict;
        unsigned actions;
        gboolean privileged;
        RefuseError error;
} Row;

#define MO AUTH_ACTION_MANAGE_OTHER
#define RH AUTH_ACTION_RAISE_HARD

static const Row rows[] = {
        /* root: whatever the kernel allows root, never polkit; what root's
         * own ids allow on its own process, a process with those ids does */
        { &root, T_ROOT, C_LOWER_SOFT,       VERDICT_ALLOW, 0, FALSE, REFUSE_NONE },
        { &root, T_ROOT, C_LOWER_HARD,       VERDICT_ALLOW, 0, FALSE, REFUSE_NONE },
        { &root, T_ROOT, C_SOFT_UP,          VERDICT_ALLOW, 0, FALSE, REFUSE_NONE },
        { &root, T_ROOT, C_HARD_UP,          VERDICT_ALLOW, 0, TRUE, REFUSE_NONE },
        { &root, T_OWNED, C_LOWER_SOFT,      VERDICT_ALLOW, 0, TRUE, REFUSE_NONE },
        { &root, T_OTHER, C_LOWER_HARD,      VERDICT_ALLOW, 0, TRUE, REFUSE_NONE },
        { &root, T_OTHER, C_HARD_UP,         VERDICT_ALLOW, 0, TRUE, REFUSE_NONE },
        { &root, T_SETUID, C_HARD_TO_INF,    VERDICT_ALLOW, 0, TRUE, REFUSE_NONE },
        { &root, T_OWNED, C_SOFT_ABOVE_HARD, VERDICT_REFUSE, 0, FALSE, REFUSE_INVALID_LIMITS },

        /* the owner: lowering and soft-up free, hard-up asks raise-hard-limit */
        { &user, T_OWNED, C_LOWER_SOFT,      VERDICT_ALLOW, 0, FALSE, REFUSE_NONE },
        { &user, T_OWNED, C_LOWER_HARD,      VERDICT_ALLOW, 0, FALSE, REFUSE_NONE },
        { &user, T_OWNED, C_SOFT_UP,         VERDICT_ALLOW, 0, FALSE, REFUSE_NONE },
        { &user, T_OWNED, C_SAME,            VERDICT_ALLOW, 0, FALSE, REFUSE_NONE },
        { &user, T_OWNED, C_HARD_UP,         VERDICT_ASK, RH, TRUE, REFUSE_NONE },
        { &user, T_OWNED, C_HARD_TO_INF,     VERDICT_ASK, RH, TRUE, REFUSE_NONE },
        { &user, T_OWNED, C_SOFT_ABOVE_HARD, VERDICT_REFUSE, 0, FALSE, REFUSE_INVALID_LIMITS },

        /* another user's process, or the owner's setuid/setgid program, or one
         * running with another gid: manage-other for any change */
        { &user, T_OTHER, C_LOWER_SOFT,      VERDICT_ASK, MO, TRUE, REFUSE_NONE },
        { &user, T_OTHER, C_SOFT_UP,         VERDICT_ASK, MO, TRUE, REFUSE_NONE },
        { &user, T_OTHER, C_SAME,            VERDICT_ASK, MO, TRUE, REFUSE_NONE },
        { &user, T_OTHER, C_HARD_UP,         VERDICT_ASK, MO | RH, TRUE, REFUSE_NONE },
        { &user, T_OTHER, C_SOFT_ABOVE_HARD, VERDICT_REFUSE, 0, FALSE, REFUSE_INVALID_LIMITS },
        { &user, T_SETUID, C_LOWER_SOFT,     VERDICT_ASK, MO, TRUE, REFUSE_NONE },
        { &user, T_SETUID, C_HARD_UP,        VERDICT_ASK, MO | RH, TRUE, REFUSE_NONE },
        { &user, T_SETGID, C_LOWER_HARD,     VERDICT_ASK, MO, TRUE, REFUSE_NONE },
        { &user, T_OTHER_GID, C_LOWER_SOFT,  VERDICT_ASK, MO, TRUE, REFUSE_NONE },
};

static void test_change_matrix(void) {
        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
                const Row *r = &rows[i];
                ProcessIds ids = target_ids(r->target);
                struct rlimit old, new;
                change_limits(r->change, &old, &new);

                Decision d = decide_change(r->caller, &ids, &old, &new);
                g_test_message("row %zu: caller uid %u, target %d, change %d -> verdict %d actions %u",
                               i, (unsigned) r->caller->uid, r->target, r->change, d.verdict, d.actions);
                g_assert_cmpint(d.verdict, ==, r->verdict);
                if (d.verdict == VERDICT_REFUSE) {
                        g_assert_cmpint(d.error, ==, r->error);
                        g_assert_nonnull(d.reason);
                        continue;
                }
                g_assert_cmpuint(d.actions, ==, r->actions);
                g_assert_cmpint(d.privileged, ==, r->privileged);
        }
}

/* Every caller/target/change combination: the invariants, whatever the row table says. */
static void test_change_invariants_over_all_combinations(void) {
        const Caller *callers[] = { &root, &user };
        for (size_t c = 0; c < G_N_ELEMENTS(callers); c++)
                for (int t = T_OWNED; t <= T_ROOT; t++)
                        for (int ch = C_LOWER_SOFT; ch <= C_HARD_TO_INF; ch++) {
                                ProcessIds ids = target_ids(t);
                                struct rlimit old, new;
                                change_limits(ch, &old, &new);
                                Decision d = decide_change(callers[c], &ids, &old, &new);

                                if (new.rlim_cur > new.rlim_max) {
                                        g_assert_cmpint(d.verdict, ==, VERDICT_REFUSE);
                                        continue;
                                }
                                /* Privilege is held only for what polkit grants, and
                                 * for what root's own ids do not allow. */
                                if (d.verdict == VERDICT_ALLOW && callers[c]->uid != 0)
                                        g_assert_false(d.privileged);
                                if (callers[c]->uid == 0)
                                        g_assert_cmpint(d.privileged, ==,
                                                        !caller_owns(callers[c], &ids) || new.rlim_max > old.rlim_max);
                                /* A hard raise by a non-root caller always asks raise-hard-limit. */
                                if (callers[c]->uid != 0 && new.rlim_max > old.rlim_max)
                                        g_assert_true(d.verdict == VERDICT_ASK && (d.actions & RH));
                                /* Acting on what the caller does not own always asks manage-other. */
                                if (callers[c]->uid != 0 && t != T_OWNED)
                                        g_assert_true(d.verdict == VERDICT_ASK && (d.actions & MO));
                                if (callers[c]->uid == 0)
                                        g_assert_cmpint(d.verdict, ==, VERDICT_ALLOW);
                        }
}

static void test_caller_owns_is_the_kernels_check(void) {
        ProcessIds ids = target_ids(T_OWNED);
        g_assert_true(caller_owns(&user, &ids));
        ProcessIds each[6];
        for (int i = 0; i < 6; i++) {
                each[i] = ids;
                ((unsigned *) &each[i])[i] = 4242;   /* any one id differing breaks ownership */
                g_assert_false(caller_owns(&user, &each[i]));
        }
        const Caller no_gid = { .uid = 1000, .gid = (gid_t) -1 };
        g_assert_false(caller_owns(&no_gid, &ids));
}

static void test_usage_reads(void) {
        ProcessIds owned = target_ids(T_OWNED), other = target_ids(T_OTHER), setuid = target_ids(T_SETUID);
        g_assert_cmpint(decide_read_usage(&user, &owned, true).verdict, ==, VERDICT_ALLOW);
        g_assert_cmpint(decide_read_usage(&root, &other, true).verdict, ==, VERDICT_ALLOW);
        g_assert_cmpint(decide_read_usage(&root, &other, false).verdict, ==, VERDICT_ALLOW);
        Decision d = decide_read_usage(&user, &other, true);
        g_assert_cmpint(d.verdict, ==, VERDICT_REFUSE);
        g_assert_cmpint(d.error, ==, REFUSE_PERMISSION);
        g_assert_cmpint(decide_read_usage(&user, &setuid, true).verdict, ==, VERDICT_REFUSE);
        /* Owned but not dumpable: the kernel keeps its /proc/PID/io from its owner. */
        d = decide_read_usage(&user, &owned, false);
        g_assert_cmpint(d.verdict, ==, VERDICT_REFUSE);
        g_assert_nonnull(strstr(d.reason, "non-dumpable"));
}

/* After polkit: a change goes on only if what it needs now was granted. */
static void test_decision_covered(void) {
        ProcessIds owned = target_ids(T_OWNED), other = target_ids(T_OTHER);
        const struct rlimit old = { 100, 200 }, lowered = { 100, 150 }, want = { 100, 180 };
        Decision d = decide_change(&user, &owned, &old, &want);
        g_assert_cmpint(d.verdict, ==, VERDICT_ALLOW);
        g_assert_true(decision_covered(&d, 0));
        /* The target lowered its hard limit to 150 meanwhile: 180 is now a raise. */
        d = decide_change(&user, &owned, &lowered, &want);
        g_assert_false(decision_covered(&d, 0));
        g_assert_true(decision_covered(&d, RH));
        d = decide_change(&user, &other, &lowered, &want);
        g_assert_false(decision_covered(&d, MO));
        g_assert_false(decision_covered(&d, RH));
        g_assert_true(decision_covered(&d, MO | RH));
        const struct rlimit bad = { 300, 200 };
        d = decide_change(&user, &owned, &old, &bad);
        g_assert_false(decision_covered(&d, MO | RH));
}

/* A batch: one decision, refused as its first refused limit, asking the
 * union of what its limits need; which limits need each action goes to polkit. */
static void test_batch(void) {
        ProcessIds owned = target_ids(T_OWNED), other = target_ids(T_OTHER);
        const struct rlimit old[3] = { { 100, 200 }, { 100, 200 }, { 100, 200 } };
        const struct rlimit lower_raise[3] = { { 50, 100 }, { 100, 300 }, { 100, 200 } };
        size_t refused = 99;

        Decision d = decide_changes(&user, &owned, old, lower_raise, 3, &refused);
        g_assert_cmpint(d.verdict, ==, VERDICT_ASK);
        g_assert_cmpuint(d.actions, ==, RH);
        g_assert_true(d.privileged);
        g_assert_cmpuint(refused, ==, 99);
        g_assert_cmpuint(limits_needing(&user, &owned, old, lower_raise, 3, RH), ==, 1u << 1);
        g_assert_cmpuint(limits_needing(&user, &owned, old, lower_raise, 3, MO), ==, 0);

        /* Another user's process: manage-other for every limit, once. */
        d = decide_changes(&user, &other, old, lower_raise, 3, NULL);
        g_assert_cmpuint(d.actions, ==, MO | RH);
        g_assert_cmpuint(limits_needing(&user, &other, old, lower_raise, 3, MO), ==, 7);

        /* Lowering only: allowed, done by a process with the caller's ids. */
        d = decide_changes(&user, &owned, old, lower_raise, 1, NULL);
        g_assert_cmpint(d.verdict, ==, VERDICT_ALLOW);
        g_assert_false(d.privileged);

        /* One invalid limit refuses the batch, naming it. */
        const struct rlimit bad_last[3] = { { 50, 100 }, { 100, 200 }, { 300, 200 } };
        d = decide_changes(&user, &owned, old, bad_last, 3, &refused);
        g_assert_cmpint(d.verdict, ==, VERDICT_REFUSE);
        g_assert_cmpint(d.error, ==, REFUSE_INVALID_LIMITS);
        g_assert_cmpuint(refused, ==, 2);

        /* Root: allowed, the daemon acts, no polkit. */
        d = decide_changes(&root, &other, old, lower_raise, 3, NULL);
        g_assert_cmpint(d.verdict, ==, VERDICT_ALLOW);
        g_assert_true(d.privileged);
        g_assert_cmpuint(limits_needing(&root, &other, old, lower_raise, 3, MO | RH), ==, 0);
}

static void test_process_ids_equal(void) {
        ProcessIds a = target_ids(T_OWNED);
        for (int i = 0; i < 6; i++) {
                ProcessIds b = a;
                g_assert_true(process_ids_equal(&a, &b));
                ((unsigned *) &b)[i] = 0;   /* e.g. a setuid-root exec: euid and suid 0 */
                g_assert_false(process_ids_equal(&a, &b));
        }
}

static void test_action_ids(void) {
        g_assert_cmpstr(auth_action_id(AUTH_ACTION_MANAGE_OTHER), ==, "org.example.resource1.manage-other");
        g_assert_cmpstr(auth_action_id(AUTH_ACTION_RAISE_HARD), ==, "org.example.resource1.raise-hard-limit");
}

/* A batch is applied with every lowered hard limit last, the rest in the
 * caller's order: putting back what was set before a refusal then never
 * needs to raise a hard limit. */
static void test_apply_order(void) {
        const struct rlimit old[] = { { 10, 100 }, { 10, 100 }, { 10, 100 }, { 10, 100 }, { 10, 100 } };
        const struct rlimit new[] = {
                { 5, 50 },     /* hard down */
                { 5, 100 },    /* soft down */
                { 100, 100 },  /* soft up */
                { 1, 1 },      /* hard down */
                { 10, 200 },   /* hard up */
        };
        unsigned order[5];
        apply_order(old, new, 5, order);
        const unsigned want[] = { 1, 2, 4, 0, 3 };
        for (unsigned k = 0; k < 5; k++)
                g_assert_cmpuint(order[k], ==, want[k]);

        /* Nothing lowered: the caller's order; only lowered: theirs too. */
        apply_order(old + 1, new + 1, 2, order);
        g_assert_cmpuint(order[0], ==, 0);
        g_assert_cmpuint(order[1], ==, 1);
        const struct rlimit down[] = { { 1, 1 }, { 2, 2 } };
        apply_order(old, down, 2, order);
        g_assert_cmpuint(order[0], ==, 0);
        g_assert_cmpuint(order[1], ==, 1);
}

/* CanSetRlimits: each limit's answer is the first that applies, in the
 * order SetRlimits meets them (beyond the kernel's ceiling, refused by
 * polkit, the service unable, authentication needed, yes); the batch's the
 * strictest of theirs; the action the one whose answer decided. */
static void test_answers(void) {
        const ProcessIds owned = target_ids(T_OWNED), other = target_ids(T_OTHER);
        const ProcessIds service_own = { 999, 999, 999, 999, 999, 999 };
        const ServicePower weak = { .self = { .uid = 999, .gid = 999 }, .cap_sys_resource = false };
        const ServicePower strong = { .self = { .uid = 999, .gid = 999 }, .cap_sys_resource = true };
        const PolkitAnswers granted = {}, challenged = { .challenged = MO | RH }, refused = { .refused = MO | RH };
        const PolkitAnswers mixed = { .challenged = RH, .refused = 0 };
        const struct rlimit old[2] = { { 100, 200 }, { 100, 200 } };
        const struct rlimit lower[2] = { { 50, 100 }, { 50, 100 } };
        const struct rlimit lower_raise[2] = { { 50, 100 }, { 100, 300 } };
        Answer a[2];
        AuthAction act[2];

        g_assert_cmpstr(answer_str(ANSWER_YES), ==, "yes");
        g_assert_cmpstr(answer_str(ANSWER_CHALLENGE), ==, "challenge");
        g_assert_cmpstr(answer_str(ANSWER_NO), ==, "no");
        g_assert_cmpstr(answer_str(ANSWER_SERVICE_CANNOT), ==, "na");
        g_assert_cmpstr(answer_str(ANSWER_BEYOND_KERNEL), ==, "na");

        /* Lowering one's own: yes, no action, whatever the service can. */
        g_assert_cmpint(answer_changes(&user, &owned, old, lower, 2, 0, &granted, &weak, a, act), ==, ANSWER_YES);
        g_assert_cmpint(a[0], ==, ANSWER_YES);
        g_assert_cmpint(act[0], ==, 0);

        /* A hard raise of one's own: the service acts, for the whole batch:
         * with the capability polkit's answer, without it "na" for both
         * limits, unless polkit refuses (then "no" for the raise). */
        g_assert_cmpint(answer_changes(&user, &owned, old, lower_raise, 2, 0, &granted, &strong, a, act), ==,
                        ANSWER_YES);
        g_assert_cmpint(act[1], ==, RH);
        g_assert_cmpint(answer_changes(&user, &owned, old, lower_raise, 2, 0, &challenged, &strong, a, act), ==,
                        ANSWER_CHALLENGE);
        g_assert_cmpint(a[0], ==, ANSWER_YES);
        g_assert_cmpint(a[1], ==, ANSWER_CHALLENGE);
        g_assert_cmpint(answer_changes(&user, &owned, old, lower_raise, 2, 0, &granted, &weak, a, act), ==,
                        ANSWER_SERVICE_CANNOT);
        g_assert_cmpint(a[0], ==, ANSWER_SERVICE_CANNOT);
        g_assert_cmpint(act[0], ==, 0);
        g_assert_cmpint(a[1], ==, ANSWER_SERVICE_CANNOT);
        g_assert_cmpint(act[1], ==, RH);
        g_assert_cmpint(answer_changes(&user, &owned, old, lower_raise, 2, 0, &challenged, &weak, a, act), ==,
                        ANSWER_SERVICE_CANNOT);
        g_assert_cmpint(answer_changes(&user, &owned, old, lower_raise, 2, 0, &refused, &weak, a, act), ==, ANSWER_NO);
        g_assert_cmpint(a[0], ==, ANSWER_SERVICE_CANNOT);
        g_assert_cmpint(a[1], ==, ANSWER_NO);
        g_assert_cmpint(act[1], ==, RH);

        /* Beyond the kernel's ceiling: "na" first, no action, and the batch's. */
        g_assert_cmpint(answer_changes(&user, &owned, old, lower_raise, 2, 1u << 1, &refused, &strong, a, act), ==,
                        ANSWER_BEYOND_KERNEL);
        g_assert_cmpint(a[1], ==, ANSWER_BEYOND_KERNEL);
        g_assert_cmpint(act[1], ==, 0);

        /* Another's process: manage-other decides, the stricter answer
         * wins, the first asked among equals. */
        g_assert_cmpint(answer_changes(&user, &other, old, lower_raise, 2, 0, &mixed, &strong, a, act), ==,
                        ANSWER_CHALLENGE);
        g_assert_cmpint(a[0], ==, ANSWER_YES);
        g_assert_cmpint(act[0], ==, MO);
        g_assert_cmpint(a[1], ==, ANSWER_CHALLENGE);
        g_assert_cmpint(act[1], ==, RH);
        answer_changes(&user, &other, old, lower_raise, 2, 0, &challenged, &strong, a, act);
        g_assert_cmpint(act[1], ==, MO);

        /* Without the capability the service may still lower a limit of a
         * process with its own ids (prlimit(2)'s check), not raise one. */
        g_assert_cmpint(answer_changes(&user, &service_own, old, lower, 2, 0, &granted, &weak, a, act), ==,
                        ANSWER_YES);
        g_assert_cmpint(act[0], ==, MO);
        g_assert_cmpint(answer_changes(&user, &service_own, old, lower_raise, 2, 0, &granted, &weak, a, act), ==,
                        ANSWER_SERVICE_CANNOT);
        g_assert_cmpint(a[0], ==, ANSWER_YES);
        g_assert_cmpint(a[1], ==, ANSWER_SERVICE_CANNOT);

        /* Root: never an action; "na" where the service acts without the
         * capability, except for a batch that changes nothing (not carried
         * out at all). */
        g_assert_cmpint(answer_changes(&root, &other, old, lower, 2, 0, &granted, &weak, a, act), ==,
                        ANSWER_SERVICE_CANNOT);
        g_assert_cmpint(act[0], ==, 0);
        g_assert_cmpint(answer_changes(&root, &other, old, lower, 2, 0, &granted, &strong, a, act), ==, ANSWER_YES);
        g_assert_cmpint(answer_changes(&root, &other, old, old, 2, 0, &granted, &weak, a, act), ==, ANSWER_YES);
        const ProcessIds roots = target_ids(T_ROOT);
        g_assert_cmpint(answer_changes(&root, &roots, old, lower, 2, 0, &granted, &weak, a, act), ==, ANSWER_YES);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/decide/change-matrix", test_change_matrix);
        g_test_add_func("/decide/change-invariants-all-combinations", test_change_invariants_over_all_combinations);
        g_test_add_func("/decide/caller-owns-is-the-kernels-check", test_caller_owns_is_the_kernels_check);
        g_test_add_func("/decide/usage-reads", test_usage_reads);
        g_test_add_func("/decide/action-ids", test_action_ids);
        g_test_add_func("/decide/decision-covered-after-polkit", test_decision_covered);
        g_test_add_func("/decide/process-ids-equal", test_process_ids_equal);
        g_test_add_func("/decide/batch", test_batch);
        g_test_add_func("/decide/apply-order-lowered-hard-limits-last", test_apply_order);
        g_test_add_func("/decide/can-set-answers", test_answers);
        return g_test_run();
}
