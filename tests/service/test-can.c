/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CanSetRlimits and CanSetRlimitsPidfd: what SetRlimits would meet, asked of
 * the real daemon and the real polkitd, for root, a user a rule allows
 * (daemon), one it refuses (bin), one it asks to authenticate (sys), nobody
 * (the actions' defaults, and tests/can-set.rules' no for a process of
 * mail's); each answer then checked against what SetRlimits really does;
 * nothing changed, no RlimitChanged, no audit line; polkit asked without
 * interaction, each action once, all of them; through the gate; from
 * another pid namespace; counted against the bound of changes in progress,
 * not against the rate of changes. Without CAP_SYS_RESOURCE (as here), "na"
 * is the answer wherever the service would have to act itself on a process
 * that is not its own user's. */
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

#define MO "org.example.resource1.manage-other"
#define RH "org.example.resource1.raise-hard-limit"

static const User U_MAIL = { "mail", 8, 8 };   /* can-set.rules: nobody may not change its processes */

typedef struct Limits { guint64 soft[RLIM_NLIMITS], hard[RLIM_NLIMITS]; } Limits;

static void limits_of(pid_t pid, Limits *ret) {
        for (int i = 0; i < RLIM_NLIMITS; i++)
                kernel_limits(pid, i, &ret->soft[i], &ret->hard[i]);
}

static void assert_same_limits(const Limits *a, const Limits *b) {
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (a->soft[i] != b->soft[i] || a->hard[i] != b->hard[i])
                        g_error("%s changed: %" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT ":%"
                                G_GUINT64_FORMAT, resource1_rlimit_from_number(i)->name, a->soft[i], a->hard[i],
                                b->soft[i], b->hard[i]);
}

/* The caller's own limits before and after its call (rcall --all-limits). */
static void assert_caller_unchanged(const Result *r) {
        g_assert_true(r->has_all);
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                g_assert_cmpuint(r->before_soft[i], ==, r->all_soft[i]);
                g_assert_cmpuint(r->before_hard[i], ==, r->all_hard[i]);
        }
}

/* The daemon's log, from an offset: no audit line of a change in it. */
static gsize log_size(void) {
        g_autofree char *path = g_build_filename(g_getenv("RESOURCE1_FIXTURE"), "resource1d.log", NULL);
        g_autofree char *text = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(path, &text, &len, NULL));
        return len;
}

static void assert_no_audit_line_since(gsize offset) {
        g_autofree char *path = g_build_filename(g_getenv("RESOURCE1_FIXTURE"), "resource1d.log", NULL);
        g_autofree char *text = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(path, &text, &len, NULL));
        g_assert_cmpuint(len, >=, offset);
        g_autoptr(GRegex) audit = g_regex_new("uid \\d+ \\(pid \\d+\\) set ", 0, 0, NULL);
        if (g_regex_match(audit, text + offset, 0, NULL))
                g_error("an audit line of a change after a dry run: %s", text + offset);
}

static char *batch_args(const char *first, pid_t pid, const char *limits) {
        return first ? g_strdup_printf("(%s, [%s])", first, limits) : g_strdup_printf("(uint32 %d, [%s])", (int) pid,
                                                                                           limits);
}

/* CanSetRlimits as root, on the fixture's connection. */
static GVariant *can_root(pid_t pid, const char *limits, GError **error) {
        g_autofree char *text = batch_args(NULL, pid, limits);
        g_autoptr(GError) parse_error = NULL;
        GVariant *params = g_variant_parse(G_VARIANT_TYPE("(ua(stt))"), text, NULL, NULL, &parse_error);
        g_assert_no_error(parse_error);
        return call("CanSetRlimits", params, error);
}

/* rcall's "OK (...)" of a CanSetRlimits*, as the reply. */
static GVariant *reply_of(const Result *res) {
        if (!res->ok)
                g_error("CanSetRlimits failed: %s %s", res->err_name, res->err_msg);
        g_autoptr(GError) error = NULL;
        GVariant *v = g_variant_parse(G_VARIANT_TYPE("(sa(sss))"), res->reply, NULL, NULL, &error);
        g_assert_no_error(error);
        return v;
}

/* The batch's answer, and per limit "NAME", "answer", "action" in order. */
static void assert_answers(GVariant *reply, const char *answer, const char *const *per_limit) {
        g_autofree char *text = g_variant_print(reply, FALSE);
        g_test_message("answers: %s", text);
        const char *got;
        g_autoptr(GVariantIter) it = NULL;
        g_variant_get(reply, "(&sa(sss))", &got, &it);
        if (g_strcmp0(got, answer) != 0)
                g_error("the batch's answer is '%s', not '%s': %s", got, answer, text);
        const char *name, *a, *action;
        guint i = 0;
        while (g_variant_iter_next(it, "(&s&s&s)", &name, &a, &action)) {
                g_assert_nonnull(per_limit[3 * i]);
                if (g_strcmp0(name, per_limit[3 * i]) || g_strcmp0(a, per_limit[3 * i + 1]) ||
                    g_strcmp0(action, per_limit[3 * i + 2]))
                        g_error("limit %u is (%s, %s, '%s'), not (%s, %s, '%s')", i, name, a, action, per_limit[3 * i],
                                per_limit[3 * i + 1], per_limit[3 * i + 2]);
                i++;
        }
        g_assert_null(per_limit[3 * i]);
}

/* ---- root ---- */

/* Root: never polkit; "yes" for a lowering of its own process (carried out
 * by a process with root's ids), "na" for a hard raise when the service
 * lacks CAP_SYS_RESOURCE, and for every limit of a batch with one. Each
 * answer is then what SetRlimits meets. */
static void test_root_yes_for_a_lowering_na_for_a_hard_raise(void) {
        const char *start[] = { "--nofile=400:800", "--core=4096:8192", NULL };
        pid_t t = sleeper_with(&U_ROOT, start);
        const char *na_or_yes = can_raise ? "yes" : "na";
        Limits before, after;
        limits_of(t, &before);
        checks_reset();
        changed_reset();
        gsize off = log_size();
        g_autoptr(GError) error = NULL;

        g_autoptr(GVariant) lower = can_root(t, "('NOFILE', 300, 700)", &error);
        g_assert_no_error(error);
        assert_answers(lower, "yes", (const char *[]) { "NOFILE", "yes", "", NULL });
        g_autoptr(GVariant) raise = can_root(t, "('NOFILE', 400, 801)", &error);
        g_assert_no_error(error);
        assert_answers(raise, na_or_yes, (const char *[]) { "NOFILE", na_or_yes, "", NULL });
        g_autoptr(GVariant) both = can_root(t, "('CORE', 0, 0), ('NOFILE', 400, 801)", &error);
        g_assert_no_error(error);
        assert_answers(both, na_or_yes, (const char *[]) { "CORE", na_or_yes, "", "NOFILE", na_or_yes, "", NULL });

        limits_of(t, &after);
        assert_same_limits(&before, &after);
        g_assert_cmpuint(changed_reset(), ==, 0);
        g_assert_cmpuint(checks_reset(), ==, 0);
        assert_no_audit_line_since(off);

        /* What SetRlimits meets: the lowering is made, the raise refused
         * for want of the capability. */
        g_autoptr(GVariant) made = call("SetRlimits", g_variant_new_parsed("(%u, [('NOFILE', uint64 300, uint64 700)])",
                                                                           (guint32) t), &error);
        g_assert_no_error(error);
        g_assert_cmpuint(nofile_hard_of(t), ==, 700);
        g_autoptr(GVariant) refused = call("SetRlimits", g_variant_new_parsed("(%u, [('NOFILE', uint64 300, uint64 701)])",
                                                                              (guint32) t), &error);
        if (can_raise)
                g_assert_no_error(error);
        else
                assert_error(error, LACKS_CAP, "the kernel refused");
        changed_reset();
        sleepers_kill();
}

/* ---- unprivileged callers ---- */

/* nobody: "yes" for lowering its own process, asking nobody; a hard raise
 * of its own needs authentication (auth_admin, no agent), asked without
 * interaction though the call allows it ("na" where the service cannot
 * raise it anyway); a lowering of a process of the service's own user (the
 * one the service may change without the capability) is a real
 * "challenge"; a process of mail's, which a rule keeps from nobody, "no". */
static void test_nobody_yes_challenge_no(void) {
        const char *start[] = { "--nofile=400:800", NULL };
        const char *opts[] = { "--all-limits", "--interactive", NULL };
        pid_t service = sleeper_with(&U_SERVICE, start), mail = sleeper_with(&U_MAIL, start);
        Limits service_before, mail_before, now;
        limits_of(service, &service_before);
        limits_of(mail, &mail_before);
        checks_reset();
        changed_reset();
        gsize off = log_size();

        g_auto(Result) own_lower = {};
        rcall_as_with(&U_NOBODY, start, opts, "CanSetRlimits", "(ua(stt))", "(uint32 0, [('NOFILE', 300, 700)])",
                      &own_lower);
        g_autoptr(GVariant) a = reply_of(&own_lower);
        assert_answers(a, "yes", (const char *[]) { "NOFILE", "yes", "", NULL });
        assert_caller_unchanged(&own_lower);
        g_assert_cmpuint(checks_reset(), ==, 0);

        g_auto(Result) own_raise = {};
        rcall_as_with(&U_NOBODY, start, opts, "CanSetRlimits", "(ua(stt))", "(uint32 0, [('NOFILE', 400, 900)])",
                      &own_raise);
        g_autoptr(GVariant) b = reply_of(&own_raise);
        const char *challenge_or_na = can_raise ? "challenge" : "na";
        assert_answers(b, challenge_or_na, (const char *[]) { "NOFILE", challenge_or_na, RH, NULL });
        assert_caller_unchanged(&own_raise);
        __attribute__((cleanup(check_freep))) Check *asked = only_check();
        g_assert_cmpstr(asked->action, ==, RH);
        g_assert_cmpuint(asked->flags, ==, 0);   /* no interaction, though the call allowed it */
        g_assert_cmpstr(g_hash_table_lookup(asked->details, "NOFILE.hard"), ==, "900");

        g_autofree char *service_args = batch_args(NULL, service, "('NOFILE', 300, 700)");
        g_auto(Result) other = {};
        rcall_as_with(&U_NOBODY, NULL, opts, "CanSetRlimits", "(ua(stt))", service_args, &other);
        g_autoptr(GVariant) c = reply_of(&other);
        assert_answers(c, "challenge", (const char *[]) { "NOFILE", "challenge", MO, NULL });
        __attribute__((cleanup(check_freep))) Check *asked_other = only_check();
        g_assert_cmpstr(asked_other->action, ==, MO);
        g_assert_cmpuint(asked_other->flags, ==, 0);

        g_autofree char *mail_args = batch_args(NULL, mail, "('NOFILE', 300, 700)");
        g_auto(Result) refused = {};
        rcall_as_with(&U_NOBODY, NULL, opts, "CanSetRlimits", "(ua(stt))", mail_args, &refused);
        g_autoptr(GVariant) d = reply_of(&refused);
        assert_answers(d, "no", (const char *[]) { "NOFILE", "no", MO, NULL });
        g_assert_cmpuint(checks_reset(), ==, 1);

        limits_of(service, &now);
        assert_same_limits(&service_before, &now);
        limits_of(mail, &now);
        assert_same_limits(&mail_before, &now);
        g_assert_cmpuint(changed_reset(), ==, 0);
        assert_no_audit_line_since(off);

        /* What SetRlimits meets, without interaction: the challenge and the no. */
        g_auto(Result) set_other = {}, set_mail = {};
        rcall_as(&U_NOBODY, NULL, NULL, "SetRlimits", "(ua(stt))", service_args, &set_other);
        assert_result_error(&set_other, IAR, "did not allow interactive authorization");
        rcall_as(&U_NOBODY, NULL, NULL, "SetRlimits", "(ua(stt))", mail_args, &set_mail);
        assert_result_error(&set_mail, ERR_PREFIX "PermissionDenied", "polkit refused " MO);
        checks_reset();
        sleepers_kill();
}

/* daemon, whom a rule allows everything: "yes" where the service can carry
 * it out, and "na", not "yes", where polkit allows but the kernel would
 * refuse the service (a hard raise, any change of another user's process,
 * without CAP_SYS_RESOURCE): SetRlimits then fails with
 * ServiceLacksCapability. A lowering of the service's own user's process is
 * "yes", and SetRlimits makes it. */
static void test_rule_allowed_yes_or_na_as_setrlimits_meets_it(void) {
        const char *start[] = { "--nofile=400:800", NULL };
        const char *opts[] = { "--all-limits", NULL };
        const char *na_or_yes = can_raise ? "yes" : "na";
        pid_t service = sleeper_with(&U_SERVICE, start), other = sleeper_with(&U_NOBODY, start);
        checks_reset();
        changed_reset();

        g_auto(Result) raise = {};
        rcall_as_with(&U_YES, start, opts, "CanSetRlimits", "(ua(stt))", "(uint32 0, [('NOFILE', 400, 900)])", &raise);
        g_autoptr(GVariant) a = reply_of(&raise);
        assert_answers(a, na_or_yes, (const char *[]) { "NOFILE", na_or_yes, RH, NULL });
        assert_caller_unchanged(&raise);
        g_auto(Result) set_raise = {};
        rcall_as_with(&U_YES, start, opts, "SetRlimits", "(ua(stt))", "(uint32 0, [('NOFILE', 400, 900)])",
                      &set_raise);
        if (can_raise)
                g_assert_true(set_raise.ok);
        else
                assert_result_error(&set_raise, LACKS_CAP, "the service lacks CAP_SYS_RESOURCE");

        g_autofree char *other_args = batch_args(NULL, other, "('NOFILE', 300, 700)");
        g_auto(Result) lower_other = {}, set_other = {};
        rcall_as(&U_YES, NULL, NULL, "CanSetRlimits", "(ua(stt))", other_args, &lower_other);
        g_autoptr(GVariant) b = reply_of(&lower_other);
        assert_answers(b, na_or_yes, (const char *[]) { "NOFILE", na_or_yes, MO, NULL });
        g_assert_cmpuint(nofile_hard_of(other), ==, 800);
        rcall_as(&U_YES, NULL, NULL, "SetRlimits", "(ua(stt))", other_args, &set_other);
        if (can_raise)
                g_assert_true(set_other.ok);
        else
                assert_result_error(&set_other, LACKS_CAP, "the service lacks CAP_SYS_RESOURCE");

        g_autofree char *service_args = batch_args(NULL, service, "('NOFILE', 300, 700)");
        g_auto(Result) lower_service = {}, set_service = {};
        rcall_as(&U_YES, NULL, NULL, "CanSetRlimits", "(ua(stt))", service_args, &lower_service);
        g_autoptr(GVariant) c = reply_of(&lower_service);
        assert_answers(c, "yes", (const char *[]) { "NOFILE", "yes", MO, NULL });
        g_assert_cmpuint(nofile_hard_of(service), ==, 800);
        g_assert_cmpuint(changed_reset(), ==, can_raise ? 2 : 0);   /* SetRlimits' alone */
        rcall_as(&U_YES, NULL, NULL, "SetRlimits", "(ua(stt))", service_args, &set_service);
        g_assert_true(set_service.ok);
        g_assert_cmpuint(nofile_hard_of(service), ==, 700);
        g_assert_cmpuint(changed_reset(), ==, 1);
        checks_reset();
        sleepers_kill();
}

/* A batch's answer is the strictest of its limits', in the order SetRlimits
 * meets them; every action the batch needs is asked, once, even after one
 * was refused; a limit above fs.nr_open is "na" before anything else. */
static void test_batch_gives_the_strictest_answer(void) {
        const char *start[] = { "--nofile=400:800", "--core=4096:8192", "--memlock=65536:65536", NULL };
        pid_t service = sleeper_with(&U_SERVICE, start);
        const char *na_or_yes = can_raise ? "yes" : "na", *na_or_challenge = can_raise ? "challenge" : "na";
        Limits before, now;
        limits_of(service, &before);
        checks_reset();
        changed_reset();
        gsize off = log_size();

        /* bin (refused by a rule), its own process: CORE lowered alone
         * needs nothing, but the batch is the service's to carry out for
         * MEMLOCK's raise, which polkit refuses: "no". */
        g_auto(Result) own = {};
        const char *batch = "(uint32 0, [('CORE', 0, 0), ('MEMLOCK', 65536, 131072)])";
        rcall_as_with(&U_NO, start, (const char *[]) { "--all-limits", NULL }, "CanSetRlimits", "(ua(stt))", batch,
                      &own);
        g_autoptr(GVariant) a = reply_of(&own);
        assert_answers(a, "no", (const char *[]) { "CORE", na_or_yes, "", "MEMLOCK", "no", RH, NULL });
        assert_caller_unchanged(&own);
        g_assert_cmpuint(checks_reset(), ==, 1);
        g_auto(Result) set_own = {};
        rcall_as_with(&U_NO, start, NULL, "SetRlimits", "(ua(stt))", batch, &set_own);
        assert_result_error(&set_own, ERR_PREFIX "PermissionDenied", "polkit refused " RH);
        checks_reset();

        /* The same with NOFILE above fs.nr_open: "na" first, as SetRlimits
         * refuses the value before polkit is asked. */
        g_autofree char *nr_open = NULL;
        g_assert_true(g_file_get_contents("/proc/sys/fs/nr_open", &nr_open, NULL, NULL));
        guint64 beyond = g_ascii_strtoull(nr_open, NULL, 10) + 1;
        g_autofree char *with_beyond = g_strdup_printf("(uint32 0, [('CORE', 0, 0), ('MEMLOCK', 65536, 131072), "
                                                       "('NOFILE', 400, %" G_GUINT64_FORMAT ")])", beyond);
        g_auto(Result) over = {}, set_over = {};
        rcall_as_with(&U_NO, start, NULL, "CanSetRlimits", "(ua(stt))", with_beyond, &over);
        g_autoptr(GVariant) b = reply_of(&over);
        assert_answers(b, "na", (const char *[]) { "CORE", na_or_yes, "", "MEMLOCK", "no", RH, "NOFILE", "na", "",
                                                   NULL });
        rcall_as_with(&U_NO, start, NULL, "SetRlimits", "(ua(stt))", with_beyond, &set_over);
        assert_result_error(&set_over, ERR_PREFIX "InvalidLimits", "fs.nr_open");
        checks_reset();

        /* bin on the service user's process: manage-other refused, and
         * raise-hard-limit asked all the same (a change stops at the
         * first); the first asked decides among equal answers. */
        g_autofree char *other = batch_args(NULL, service, "('CORE', 0, 0), ('NOFILE', 400, 900)");
        g_auto(Result) refused = {};
        rcall_as(&U_NO, NULL, NULL, "CanSetRlimits", "(ua(stt))", other, &refused);
        g_autoptr(GVariant) c = reply_of(&refused);
        assert_answers(c, "no", (const char *[]) { "CORE", "no", MO, "NOFILE", "no", MO, NULL });
        g_autoptr(GPtrArray) asked = checks_take();
        g_assert_cmpuint(asked->len, ==, 2);
        g_assert_cmpstr(((Check *) asked->pdata[0])->action, ==, MO);
        g_assert_cmpstr(((Check *) asked->pdata[1])->action, ==, RH);

        /* sys (authentication needed for everything) on the same: CORE a
         * challenge the service could carry out, NOFILE's raise one it
         * could not without the capability. */
        g_auto(Result) mixed = {};
        rcall_as(&U_CHALLENGE, NULL, NULL, "CanSetRlimits", "(ua(stt))", other, &mixed);
        g_autoptr(GVariant) d = reply_of(&mixed);
        assert_answers(d, na_or_challenge, (const char *[]) { "CORE", "challenge", MO, "NOFILE", na_or_challenge, MO,
                                                              NULL });
        g_assert_cmpuint(checks_reset(), ==, 2);

        limits_of(service, &now);
        assert_same_limits(&before, &now);
        g_assert_cmpuint(changed_reset(), ==, 0);
        assert_no_audit_line_since(off);
        sleepers_kill();
}

/* Invalid batches are refused as SetRlimits refuses them. */
static void test_invalid_batches_refused_as_setrlimits(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r1 = can_root(0, "('NOFILE', 300, 200)", &error);
        assert_error(error, ERR_PREFIX "InvalidLimits", "soft limit 300 exceeds hard limit 200 for NOFILE");
        g_clear_error(&error);
        g_autoptr(GVariant) r2 = can_root(0, "('NOFILE', 1, 2), ('nofile', 1, 2)", &error);
        assert_error(error, ERR_PREFIX "InvalidLimits", "NOFILE is given twice ('NOFILE' and 'nofile')");
        g_clear_error(&error);
        g_autoptr(GVariant) r3 = can_root(0, "('NOFLIE', 1, 2)", &error);
        assert_error(error, ERR_PREFIX "InvalidResource", "NOFLIE");
        g_clear_error(&error);
        g_autoptr(GVariant) r4 = call("CanSetRlimits", g_variant_new_parsed("(uint32 0, @a(stt) [])"), &error);
        assert_error(error, ERR_PREFIX "InvalidLimits", "no limits given");
}

/* ---- how the target is named ---- */

/* CanSetRlimitsPidfd, through the gate (the bus policy lets its one pidfd
 * through): the same answers, about the pidfd's process. */
static void test_pidfd_through_the_gate(void) {
        const char *start[] = { "--nofile=400:800", NULL };
        pid_t own = sleeper_with(&U_NOBODY, start), service = sleeper_with(&U_SERVICE, start);
        g_autofree char *own_fd = g_strdup_printf("--pidfd-of=%d", (int) own);
        g_autofree char *service_fd = g_strdup_printf("--pidfd-of=%d", (int) service);
        checks_reset();
        changed_reset();

        g_auto(Result) lower = {}, raise = {}, other = {};
        rcall_as(&U_NOBODY, NULL, (const char *[]) { own_fd, NULL }, "CanSetRlimitsPidfd", "(ha(stt))",
                 "(handle 0, [('NOFILE', 300, 700)])", &lower);
        g_autoptr(GVariant) a = reply_of(&lower);
        assert_answers(a, "yes", (const char *[]) { "NOFILE", "yes", "", NULL });
        rcall_as(&U_NOBODY, NULL, (const char *[]) { own_fd, NULL }, "CanSetRlimitsPidfd", "(ha(stt))",
                 "(handle 0, [('NOFILE', 400, 900)])", &raise);
        g_autoptr(GVariant) b = reply_of(&raise);
        const char *challenge_or_na = can_raise ? "challenge" : "na";
        assert_answers(b, challenge_or_na, (const char *[]) { "NOFILE", challenge_or_na, RH, NULL });
        __attribute__((cleanup(check_freep))) Check *asked = only_check();
        g_autofree char *pid = g_strdup_printf("%d", (int) own);
        g_assert_cmpstr(g_hash_table_lookup(asked->details, "pid"), ==, pid);
        g_assert_cmpuint(asked->flags, ==, 0);
        rcall_as(&U_NOBODY, NULL, (const char *[]) { service_fd, NULL }, "CanSetRlimitsPidfd", "(ha(stt))",
                 "(handle 0, [('NOFILE', 300, 700)])", &other);
        g_autoptr(GVariant) c = reply_of(&other);
        assert_answers(c, "challenge", (const char *[]) { "NOFILE", "challenge", MO, NULL });
        g_assert_cmpuint(checks_reset(), ==, 1);
        g_assert_cmpuint(nofile_hard_of(own), ==, 800);
        g_assert_cmpuint(nofile_hard_of(service), ==, 800);
        g_assert_cmpuint(changed_reset(), ==, 0);
        sleepers_kill();
}

/* From another pid namespace (unshare --pid), a pid number means another
 * process: OtherPidNamespace, as for SetRlimits; pid 0 is the caller. */
static void test_other_pid_namespace(void) {
        pid_t t = sleeper_as(&U_ROOT);
        g_autofree char *rcall = g_build_filename(g_getenv("RESOURCE1_FIXTURE"), "rcall", NULL);
        g_autofree char *by_number = batch_args(NULL, t, "('NOFILE', 300, 700)");
        const char *argv_number[] = { "unshare", "--pid", "--fork", "--", rcall, "CanSetRlimits", "(ua(stt))",
                                      by_number, NULL };
        const char *argv_self[] = { "unshare", "--pid", "--fork", "--", rcall, "CanSetRlimits", "(ua(stt))",
                                    "(uint32 0, [('CORE', 0, 0)])", NULL };
        g_autofree char *out_number = NULL, *out_self = NULL;
        g_autoptr(GError) error = NULL;
        int status;

        g_assert_true(g_spawn_sync(NULL, (char **) argv_number, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out_number,
                                   NULL, &status, &error));
        g_assert_no_error(error);
        g_test_message("pid %d from another pid namespace: %s", (int) t, out_number);
        g_assert_true(g_str_has_prefix(out_number, "ERR " ERR_PREFIX "OtherPidNamespace "));
        g_assert_true(g_spawn_sync(NULL, (char **) argv_self, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out_self, NULL,
                                   &status, &error));
        g_assert_no_error(error);
        g_test_message("pid 0 from another pid namespace: %s", out_self);
        g_assert_true(g_str_has_prefix(out_self, "OK ('yes', [('CORE', 'yes', '')])"));
        sleepers_kill();
}

/* ---- bounds ---- */

static pid_t polkitd_pid(void) {
        g_autofree char *s = NULL;
        g_assert_true(g_file_get_contents(g_getenv("POLKITD_PID_FILE"), &s, NULL, NULL));
        return atoi(s);
}

/* While polkit is asked, a dry run counts as a change in progress: 16 of
 * one uid's (--max-pending-per-uid's default) fill the bound, and the 17th,
 * or a change, gets LimitsExceeded. */
static void test_pending_dry_runs_count_against_the_bound_of_changes(void) {
        pid_t polkitd = polkitd_pid();
        const guint limit = 16;
        GPid callers[16];
        int outs[16];
        checks_reset();
        g_assert_cmpint(kill(polkitd, SIGSTOP), ==, 0);

        for (guint i = 0; i < limit; i++)
                callers[i] = rcall_async(&U_YES, "400:800", "CanSetRlimits", "(ua(stt))",
                                         "(uint32 0, [('NOFILE', 400, 900)])", &outs[i]);
        wait_for_checks(limit);

        g_auto(Result) over = {}, change = {};
        rcall_as(&U_YES, "400:800", NULL, "CanSetRlimits", "(ua(stt))", "(uint32 0, [('NOFILE', 400, 900)])", &over);
        assert_result_error(&over, ERR_PREFIX "LimitsExceeded", "16 changes are in progress already (for this uid, "
                                                                "at most 16)");
        rcall_as(&U_YES, "400:800", NULL, "SetRlimit", "(stt)", "('NOFILE', 400, 900)", &change);
        assert_result_error(&change, ERR_PREFIX "LimitsExceeded", "for this uid, at most 16");

        g_assert_cmpint(kill(polkitd, SIGCONT), ==, 0);
        for (guint i = 0; i < limit; i++) {
                char buf[1024] = "";
                g_assert_cmpint(waitpid(callers[i], NULL, 0), ==, callers[i]);
                g_assert_cmpint(read(outs[i], buf, sizeof buf - 1), >, 0);
                close(outs[i]);
                g_assert_true(g_str_has_prefix(buf, can_raise ? "OK ('yes', [('NOFILE', 'yes', '" RH "')])" :
                                                                "OK ('na', [('NOFILE', 'na', '" RH "')])"));
                g_assert_nonnull(strstr(buf, "LIMIT 400 800"));   /* nothing changed */
        }
        checks_reset();
        changed_reset();
}

/* Nothing is carried out, so nothing is taken from the rate of changes (64
 * limits at once, then 4 a second, per account): 96 limits' dry runs in a
 * row are all answered, and a real change after them is carried out. */
static void test_dry_runs_take_nothing_from_the_rate_of_changes(void) {
        pid_t t = sleeper_as(&U_NOBODY);
        Limits before, now;
        limits_of(t, &before);
        g_autoptr(GString) all = g_string_new(NULL);
        g_autoptr(GString) want = g_string_new(NULL);
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                const char *name = resource1_rlimit_from_number(i)->name;
                g_string_append_printf(all, "%s('%s', 0, %" G_GUINT64_FORMAT ")", i ? ", " : "", name, before.hard[i]);
                g_string_append_printf(want, "%s('%s', 'yes', '')", i ? ", " : "", name);
        }
        g_autofree char *args = batch_args(NULL, t, all->str);
        g_autofree char *answer = g_strdup_printf("OK ('yes', [%s])", want->str);
        changed_reset();

        for (int k = 0; k < 6; k++) {
                g_auto(Result) res = {};
                rcall_as(&U_NOBODY, NULL, NULL, "CanSetRlimits", "(ua(stt))", args, &res);
                if (!res.ok)
                        g_error("dry run %d of 16 limits: %s %s", k, res.err_name, res.err_msg);
                g_assert_cmpstr(res.reply, ==, answer + 3);
        }
        limits_of(t, &now);
        assert_same_limits(&before, &now);
        g_assert_cmpuint(changed_reset(), ==, 0);

        g_autofree char *core = batch_args(NULL, t, "('CORE', 0, 0)");
        g_auto(Result) set = {};
        rcall_as(&U_NOBODY, NULL, NULL, "SetRlimits", "(ua(stt))", core, &set);
        if (!set.ok)
                g_error("the change after the dry runs: %s %s", set.err_name, set.err_msg);
        guint64 s, h;
        kernel_limits(t, RLIMIT_CORE, &s, &h);
        g_assert_cmpuint(h, ==, 0);
        g_assert_cmpuint(changed_reset(), ==, before.hard[RLIMIT_CORE] != 0 || before.soft[RLIMIT_CORE] != 0);
        sleepers_kill();
}

int main(int argc, char *argv[]) {
        fixture_init(&argc, &argv);

        g_test_add_func("/can/root-yes-for-a-lowering-na-for-a-hard-raise",
                        test_root_yes_for_a_lowering_na_for_a_hard_raise);
        g_test_add_func("/can/nobody-yes-challenge-no", test_nobody_yes_challenge_no);
        g_test_add_func("/can/rule-allowed-yes-or-na-as-setrlimits-meets-it",
                        test_rule_allowed_yes_or_na_as_setrlimits_meets_it);
        g_test_add_func("/can/batch-gives-the-strictest-answer", test_batch_gives_the_strictest_answer);
        g_test_add_func("/can/invalid-batches-refused-as-setrlimits", test_invalid_batches_refused_as_setrlimits);
        g_test_add_func("/can/pidfd-through-the-gate", test_pidfd_through_the_gate);
        g_test_add_func("/can/other-pid-namespace", test_other_pid_namespace);
        g_test_add_func("/can/pending-dry-runs-count-against-the-bound-of-changes",
                        test_pending_dry_runs_count_against_the_bound_of_changes);
        g_test_add_func("/can/dry-runs-take-nothing-from-the-rate-of-changes",
                        test_dry_runs_take_nothing_from_the_rate_of_changes);
        return g_test_run();
}
