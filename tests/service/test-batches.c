/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SetRlimits and SetRlimitsPidfd: the kernel refusing the last limit restores
 * the others; each polkit action asked once per batch with its "resources"
 * details; the example rule granting a NOFILE-only batch and not two hard
 * raises; duplicates and other invalid batches refused whole before polkit is
 * asked; the old limits in order and one RlimitChanged per limit. */
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fixture.h"

/* ---- SetRlimits: several limits at once ---- */

typedef struct Limits { guint64 soft[RLIM_NLIMITS], hard[RLIM_NLIMITS]; } Limits;

static void all_kernel_limits(pid_t pid, Limits *ret) {
        for (int i = 0; i < RLIM_NLIMITS; i++)
                kernel_limits(pid, i, &ret->soft[i], &ret->hard[i]);
}

/* Every limit of pid is as it was. */
static void assert_limits_unchanged(const Limits *before, const Limits *now) {
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                if (before->soft[i] != now->soft[i] || before->hard[i] != now->hard[i])
                        g_error("%s changed: %" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
                                ":%" G_GUINT64_FORMAT, resource1_rlimit_from_number(i)->name, before->soft[i],
                                before->hard[i], now->soft[i], now->hard[i]);
        }
}

/* The caller's own limits, as rcall --all-limits printed them just before
 * its call and after it. (Not the test's own: a sanitizer's runtime in rcall
 * changes some, e.g. AddressSanitizer lowers CORE's soft limit to 0.) */
static void result_limits(const Result *r, Limits *ret_before, Limits *ret_after) {
        g_assert_true(r->has_all);
        memcpy(ret_before->soft, r->before_soft, sizeof ret_before->soft);
        memcpy(ret_before->hard, r->before_hard, sizeof ret_before->hard);
        memcpy(ret_after->soft, r->all_soft, sizeof ret_after->soft);
        memcpy(ret_after->hard, r->all_hard, sizeof ret_after->hard);
}

/* A "(u a(stt))" argument: pid and "('NAME', soft, hard), ..." */
static char *batch_args(pid_t pid, const char *limits) {
        return g_strdup_printf("(uint32 %d, [%s])", (int) pid, limits);
}

static GVariant *set_rlimits(pid_t pid, const char *limits, GError **error) {
        g_autoptr(GError) parse_error = NULL;
        g_autofree char *text = batch_args(pid, limits);
        GVariant *params = g_variant_parse(G_VARIANT_TYPE("(ua(stt))"), text, NULL, NULL, &parse_error);
        g_assert_no_error(parse_error);
        return call("SetRlimits", params, error);
}

static const char *detail(const Check *c, const char *key) {
        return g_hash_table_lookup(c->details, key);
}

/* A batch's details for an action: "resources" and NAME.soft/NAME.hard for
 * each resource that needs it, and the single-change keys only when exactly
 * one does. pid 0: the caller's own process, whose pid the test does not know. */
static void assert_batch_details(const Check *c, const char *action, pid_t pid, const char *resources,
                                 const char *const *soft_hard) {
        g_autofree char *p = g_strdup_printf("%d", (int) pid);
        g_assert_cmpstr(c->action, ==, action);
        g_assert_cmpstr(c->subject_kind, ==, "system-bus-name");
        if (pid > 0)
                g_assert_cmpstr(detail(c, "pid"), ==, p);
        else
                g_assert_nonnull(detail(c, "pid"));
        g_assert_cmpstr(detail(c, "resources"), ==, resources);
        g_auto(GStrv) names = g_strsplit(resources, " ", -1);
        guint n = g_strv_length(names);
        for (guint i = 0; i < n; i++) {
                g_autofree char *ks = g_strdup_printf("%s.soft", names[i]);
                g_autofree char *kh = g_strdup_printf("%s.hard", names[i]);
                g_assert_cmpstr(detail(c, ks), ==, soft_hard[2 * i]);
                g_assert_cmpstr(detail(c, kh), ==, soft_hard[2 * i + 1]);
        }
        if (n == 1) {
                g_assert_cmpstr(detail(c, "resource"), ==, names[0]);
                g_assert_cmpstr(detail(c, "soft"), ==, soft_hard[0]);
                g_assert_cmpstr(detail(c, "hard"), ==, soft_hard[1]);
        } else {
                g_assert_null(detail(c, "resource"));
                g_assert_null(detail(c, "soft"));
                g_assert_null(detail(c, "hard"));
        }
        for (guint i = 0; i < RLIM_NLIMITS; i++) {   /* nothing about resources outside the list */
                const char *name = resource1_rlimit_from_number((int) i)->name;
                g_autofree char *ks = g_strdup_printf("%s.soft", name);
                if (!g_strv_contains((const char *const *) names, name))
                        g_assert_null(detail(c, ks));
        }
}

/* (a) all or nothing: the kernel refuses the last limit of a batch, and the
 * ones set before it are put back. */
static void test_set_rlimits_refused_last_restores_all(void) {
        checks_reset();
        changed_reset();
        g_autoptr(GError) error = NULL;

        /* root on its own child: root's batch is the daemon's own act; CORE and
         * FSIZE (soft limits lowered) are set, then the NOFILE hard raise is
         * refused by the kernel without CAP_SYS_RESOURCE. */
        const char *child_limits[] = { "--core=4096:8192", "--fsize=100000:200000", "--nofile=400:800", NULL };
        pid_t child = sleeper_with(&U_ROOT, child_limits);
        Limits before, after;
        all_kernel_limits(child, &before);
        g_assert_cmpuint(before.soft[RLIMIT_CORE], ==, 4096);
        g_autoptr(GVariant) r = set_rlimits(child, "('CORE', 1024, 8192), ('FSIZE', 50000, 200000), "
                                            "('NOFILE', 400, 801)", &error);
        all_kernel_limits(child, &after);
        if (can_raise) {
                g_assert_no_error(error);
                g_assert_cmpuint(after.hard[RLIMIT_NOFILE], ==, 801);
                g_assert_cmpuint(changed_reset(), ==, 3);
                g_test_message("the service holds CAP_SYS_RESOURCE: root's batch succeeded, so the kernel's "
                               "refusal of its last limit was not exercised");
        } else {
                g_test_message("root's batch: %s", error->message);
                assert_error(error, LACKS_CAP, "the kernel refused NOFILE");
                g_assert_nonnull(strstr(error->message, "setting CORE to 1024:8192, FSIZE to 50000:200000, "
                                                        "NOFILE to 400:801 of pid"));
                g_assert_nonnull(strstr(error->message, "the limits set were restored"));
                assert_limits_unchanged(&before, &after);
                g_assert_cmpuint(changed_reset(), ==, 0);
        }
        g_assert_cmpuint(checks_reset(), ==, 0);
        g_clear_error(&error);

        /* A lowered hard limit could only be put back with CAP_SYS_RESOURCE:
         * the daemon applies those last, so a refusal after one cannot happen.
         * Given first here, CORE's hard limit lowered stays as it was when the
         * NOFILE raise is refused. */
        if (!can_raise) {
                g_autoptr(GVariant) r2 = set_rlimits(child, "('CORE', 1024, 4096), ('NOFILE', 400, 801)", &error);
                all_kernel_limits(child, &after);
                g_test_message("root's batch, hard limit lowered first: %s", error->message);
                assert_error(error, LACKS_CAP, "the kernel refused NOFILE");
                g_assert_nonnull(strstr(error->message, "nothing was set"));
                assert_limits_unchanged(&before, &after);
                g_assert_cmpuint(changed_reset(), ==, 0);
                g_clear_error(&error);
        }

        /* an unprivileged caller on its own process: lower FSIZE, raise NOFILE's
         * hard limit; polkit says yes to "daemon" (once, for NOFILE alone), and
         * here the kernel refuses, so nothing of the batch stays */
        g_auto(Result) res = {};
        const char *limits[] = { "--fsize=100000:200000", "--nofile=400:800", NULL };
        const char *opts[] = { "--all-limits", NULL };
        rcall_as_with(&U_YES, limits, opts, "SetRlimits", "(ua(stt))",
                      "(uint32 0, [('FSIZE', 50000, 200000), ('NOFILE', 400, 900)])", &res);
        g_test_message("daemon's batch: %s %s", res.ok ? "OK" : res.err_name, res.ok ? res.reply : res.err_msg);
        Limits start, own;
        result_limits(&res, &start, &own);
        g_assert_cmpuint(start.soft[RLIMIT_FSIZE], ==, 100000);
        g_assert_cmpuint(start.hard[RLIMIT_NOFILE], ==, 800);
        if (can_raise) {
                g_assert_true(res.ok);
                g_assert_cmpuint(own.soft[RLIMIT_FSIZE], ==, 50000);
                g_assert_cmpuint(own.hard[RLIMIT_NOFILE], ==, 900);
                g_assert_cmpuint(changed_reset(), ==, 2);
        } else {
                assert_result_error(&res, LACKS_CAP, "the kernel refused");
                g_assert_null(strstr(res.err_msg, "polkit refused"));
                g_assert_true(strstr(res.err_msg, "refused FSIZE") || strstr(res.err_msg, "refused NOFILE"));
                assert_limits_unchanged(&start, &own);
                g_assert_cmpuint(changed_reset(), ==, 0);
        }
        g_autoptr(GPtrArray) asked = checks_take();
        g_assert_cmpuint(asked->len, ==, 1);
        assert_batch_details(asked->pdata[0], "org.example.resource1.raise-hard-limit", 0, "NOFILE",
                             (const char *[]) { "400", "900" });
        sleepers_kill();
}

/* (b) a batch for another user's process asks each action once, for all
 * the limits that need it. */
static void test_set_rlimits_asks_each_action_once(void) {
        const char *start[] = { "--core=4096:8192", "--fsize=100000:200000", "--nofile=400:800", NULL };
        pid_t target = sleeper_with(&U_GAMES, start);
        Limits before, after;
        all_kernel_limits(target, &before);
        checks_reset();
        changed_reset();

        /* three limits, one hard limit going up: manage-other once for the
         * three, raise-hard-limit once for NOFILE */
        g_autofree char *three = batch_args(target, "('CORE', 1024, 8192), ('FSIZE', 50000, 100000), "
                                                    "('NOFILE', 400, 900)");
        g_auto(Result) res = {};
        rcall_as(&U_YES, NULL, NULL, "SetRlimits", "(ua(stt))", three, &res);
        g_test_message("daemon, three limits of games' process: %s %s", res.ok ? "OK" : res.err_name,
                       res.ok ? res.reply : res.err_msg);
        if (can_raise)
                g_assert_true(res.ok);
        else {
                /* polkit said yes to both; the kernel refuses root without CAP_SYS_RESOURCE */
                assert_result_error(&res, LACKS_CAP, "the kernel refused");
                g_assert_null(strstr(res.err_msg, "polkit"));
                all_kernel_limits(target, &after);
                assert_limits_unchanged(&before, &after);
                g_assert_cmpuint(changed_reset(), ==, 0);
        }
        g_autoptr(GPtrArray) asked = checks_take();
        g_assert_cmpuint(asked->len, ==, 2);
        assert_batch_details(asked->pdata[0], "org.example.resource1.manage-other", target, "CORE FSIZE NOFILE",
                             (const char *[]) { "1024", "8192", "50000", "100000", "400", "900" });
        assert_batch_details(asked->pdata[1], "org.example.resource1.raise-hard-limit", target, "NOFILE",
                             (const char *[]) { "400", "900" });
        changed_reset();
        all_kernel_limits(target, &before);

        /* no hard limit going up: manage-other alone, once */
        g_autofree char *two = batch_args(target, "('CORE', 1024, 8192), ('NOFILE', 300, 700)");
        g_auto(Result) res2 = {};
        rcall_as(&U_YES, NULL, NULL, "SetRlimits", "(ua(stt))", two, &res2);
        if (!can_raise)
                assert_result_error(&res2, LACKS_CAP, "the kernel refused");
        g_autoptr(GPtrArray) asked2 = checks_take();
        g_assert_cmpuint(asked2->len, ==, 1);
        assert_batch_details(asked2->pdata[0], "org.example.resource1.manage-other", target, "CORE NOFILE",
                             (const char *[]) { "1024", "8192", "300", "700" });

        /* a refusal of the first action ends the batch: one check, nothing changed */
        g_auto(Result) res3 = {};
        rcall_as(&U_NO, NULL, NULL, "SetRlimits", "(ua(stt))", three, &res3);
        assert_result_error(&res3, ERR_PREFIX "PermissionDenied", "polkit refused org.example.resource1.manage-other");
        g_assert_nonnull(strstr(res3.err_msg, "setting CORE to 1024:8192, FSIZE to 50000:100000, NOFILE to 400:900"));
        g_autoptr(GPtrArray) asked3 = checks_take();
        g_assert_cmpuint(asked3->len, ==, 1);
        g_assert_cmpstr(((Check *) asked3->pdata[0])->action, ==, "org.example.resource1.manage-other");
        if (!can_raise) {
                all_kernel_limits(target, &after);
                assert_limits_unchanged(&before, &after);
        }

        /* root: no polkit at all */
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = set_rlimits(target, "('CORE', 1024, 8192), ('NOFILE', 300, 700)", &error);
        if (!can_raise)
                assert_error(error, LACKS_CAP, "the kernel refused");
        g_assert_cmpuint(checks_reset(), ==, 0);
        changed_reset();
        sleepers_kill();
}

/* (c) the shipped example rule decides a batch in which NOFILE alone needs
 * raise-hard-limit, and matches nothing when two hard limits go up. */
static void test_set_rlimits_example_rule(void) {
        checks_reset();
        changed_reset();
        const char *limits[] = { "--fsize=100000:200000", "--nofile=400:800", NULL };
        const char *opts[] = { "--all-limits", NULL };
        Limits start, own;

        const char *granted[] = {
                "(uint32 0, [('NOFILE', 400, 1048576)])",                               /* NOFILE only */
                "(uint32 0, [('FSIZE', 50000, 200000), ('NOFILE', 400, 1048576)])",     /* FSIZE needs no action */
        };
        for (size_t i = 0; i < G_N_ELEMENTS(granted); i++) {
                g_auto(Result) res = {};
                rcall_as_with(&U_GAMES, limits, opts, "SetRlimits", "(ua(stt))", granted[i], &res);
                g_test_message("games %s: %s %s", granted[i], res.ok ? "OK" : res.err_name,
                               res.ok ? res.reply : res.err_msg);
                result_limits(&res, &start, &own);
                if (can_raise) {
                        g_assert_true(res.ok);
                        g_assert_cmpuint(own.hard[RLIMIT_NOFILE], ==, 1048576);
                } else {
                        /* the rule said yes: the refusal is the kernel's, not polkit's */
                        assert_result_error(&res, LACKS_CAP, "the kernel refused");
                        g_assert_nonnull(strstr(res.err_msg, "lacks CAP_SYS_RESOURCE"));
                        g_assert_null(strstr(res.err_msg, "polkit"));
                        assert_limits_unchanged(&start, &own);
                }
                g_autoptr(GPtrArray) asked = checks_take();
                g_assert_cmpuint(asked->len, ==, 1);
                assert_batch_details(asked->pdata[0], "org.example.resource1.raise-hard-limit", 0, "NOFILE",
                                     (const char *[]) { "400", "1048576" });
                changed_reset();
        }

        /* two hard limits up: no "resource" key for the rule to match, so the
         * action's default decides (auth_admin: a challenge, no agent) */
        guint64 ms = start.soft[RLIMIT_MSGQUEUE], mh = start.hard[RLIMIT_MSGQUEUE];
        g_assert_cmpuint(mh, <, INF);
        g_autofree char *args = g_strdup_printf("(uint32 0, [('NOFILE', 400, 900), ('MSGQUEUE', %" G_GUINT64_FORMAT
                                                ", %" G_GUINT64_FORMAT ")])", ms, mh + 1);
        g_auto(Result) res = {};
        rcall_as_with(&U_GAMES, limits, opts, "SetRlimits", "(ua(stt))", args, &res);
        assert_result_error(&res, IAR, "raise-hard-limit");
        result_limits(&res, &start, &own);
        assert_limits_unchanged(&start, &own);
        g_autoptr(GPtrArray) asked = checks_take();
        g_assert_cmpuint(asked->len, ==, 1);
        g_autofree char *mss = g_strdup_printf("%" G_GUINT64_FORMAT, ms);
        g_autofree char *mhs = g_strdup_printf("%" G_GUINT64_FORMAT, mh + 1);
        assert_batch_details(asked->pdata[0], "org.example.resource1.raise-hard-limit", 0, "NOFILE MSGQUEUE",
                             (const char *[]) { "400", "900", mss, mhs });
        g_assert_cmpuint(changed_reset(), ==, 0);
}

/* (d) a batch that is not valid is refused whole, before anyone is asked. */
static void test_set_rlimits_invalid(void) {
        pid_t child = sleeper_as(&U_ROOT);
        Limits before, after;
        all_kernel_limits(child, &before);
        checks_reset();
        changed_reset();

        const struct { const char *limits, *error, *fragment; } rows[] = {
                { "('NOFILE', 100, 200), ('CORE', 0, 0), ('nofile', 50, 60)", ERR_PREFIX "InvalidLimits",
                  "NOFILE is given twice ('NOFILE' and 'nofile')" },
                { "('OFILE', 100, 200), ('RLIMIT_NOFILE', 50, 60)", ERR_PREFIX "InvalidLimits", "NOFILE is given twice" },
                { "", ERR_PREFIX "InvalidLimits", "no limits given" },
                { "('NOFILE', 100, 200), ('CORE', 10, 5)", ERR_PREFIX "InvalidLimits",
                  "soft limit 10 exceeds hard limit 5 for CORE" },
                { "('NOFILE', 100, 200), ('BOGUS', 1, 1)", ERR_PREFIX "InvalidResource", "'BOGUS'" },
                { "('CORE', 0, 0), ('NOFILE', 10, 18446744073709551615)", ERR_PREFIX "InvalidLimits", "fs.nr_open" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) r = set_rlimits(child, rows[i].limits, &error);
                assert_error(error, rows[i].error, rows[i].fragment);
        }

        /* more entries than there are resources */
        GString *many = g_string_new(NULL);
        for (int i = 0; i <= RLIM_NLIMITS; i++)
                g_string_append_printf(many, "%s('CORE', 0, 0)", i ? ", " : "");
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = set_rlimits(child, many->str, &error);
        assert_error(error, ERR_PREFIX "InvalidLimits", "17 limits given");
        g_string_free(many, TRUE);

        /* an unprivileged caller whose batch would need polkit: refused before it is asked */
        g_auto(Result) res = {};
        rcall_as(&U_YES, "400:800", NULL, "SetRlimits", "(ua(stt))",
                 "(uint32 0, [('NOFILE', 400, 900), ('nofile', 400, 901)])", &res);
        assert_result_error(&res, ERR_PREFIX "InvalidLimits", "NOFILE is given twice");

        all_kernel_limits(child, &after);
        assert_limits_unchanged(&before, &after);
        g_assert_cmpuint(checks_reset(), ==, 0);
        g_assert_cmpuint(changed_reset(), ==, 0);
        sleepers_kill();
}

static GVariant *call_with_fd(const char *method, GVariant *params, int fd, GError **error) {
        g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
        g_assert_cmpint(g_unix_fd_list_append(fds, fd, NULL), ==, 0);
        return g_dbus_connection_call_with_unix_fd_list_sync(bus, destination_of(method), PATH, IFACE, method, params,
                                                             NULL, G_DBUS_CALL_FLAGS_NONE, -1, fds, NULL, NULL,
                                                             error);
}

/* (e) a batch carried out: the old limits in the order given, one
 * RlimitChanged per limit, each with the limits it replaced; the same by
 * pidfd. */
static void test_set_rlimits_signals_once_per_limit(void) {
        const char *start[] = { "--core=4096:8192", "--nofile=400:800", "--stack=8388608:16777216", NULL };
        pid_t child = sleeper_with(&U_ROOT, start);
        g_autoptr(GError) error = NULL;
        guint64 s, h;
        checks_reset();
        changed_reset();

        g_autoptr(GVariant) r = set_rlimits(child, "('NOFILE', 100, 200), ('core', 0, 4096)", &error);
        g_assert_no_error(error);
        g_autofree char *text = g_variant_print(r, FALSE);
        g_assert_cmpstr(text, ==, "([('NOFILE', 400, 800), ('CORE', 4096, 8192)],)");
        kernel_limits(child, RLIMIT_NOFILE, &s, &h);
        g_assert_cmpuint(s, ==, 100);
        g_assert_cmpuint(h, ==, 200);
        kernel_limits(child, RLIMIT_CORE, &s, &h);
        g_assert_cmpuint(s, ==, 0);
        g_assert_cmpuint(h, ==, 4096);
        sync_bus();
        g_assert_cmpuint(changed->len, ==, 2);
        assert_changed(0, child, "NOFILE", 400, 800, 100, 200, 0);
        assert_changed(1, child, "CORE", 4096, 8192, 0, 4096, 0);
        changed_reset();

        /* by pidfd */
        int pidfd = pidfd_open(child, 0);
        g_assert_cmpint(pidfd, >=, 0);
        g_autoptr(GVariant) rp = call_with_fd("SetRlimitsPidfd",
                                              g_variant_new_parsed("(@h 0, [('STACK', @t 4194304, @t 8388608), "
                                                                   "('NOFILE', @t 50, @t 100)])"), pidfd, &error);
        g_assert_no_error(error);
        g_autofree char *textp = g_variant_print(rp, FALSE);
        g_assert_cmpstr(textp, ==, "([('STACK', 8388608, 16777216), ('NOFILE', 100, 200)],)");
        sync_bus();
        g_assert_cmpuint(changed->len, ==, 2);
        assert_changed(0, child, "STACK", 8388608, 16777216, 4194304, 8388608, 0);
        assert_changed(1, child, "NOFILE", 100, 200, 50, 100, 0);
        changed_reset();

        /* by pidfd, root's batch with a hard raise last: the service's own act,
         * which the kernel refuses without CAP_SYS_RESOURCE */
        g_autoptr(GError) lacks = NULL;
        g_autoptr(GVariant) rl = call_with_fd("SetRlimitsPidfd",
                                              g_variant_new_parsed("(@h 0, [('STACK', @t 4194304, @t 8388608), "
                                                                   "('NOFILE', @t 50, @t 101)])"), pidfd, &lacks);
        if (can_raise) {
                g_assert_no_error(lacks);
                changed_reset();
        } else {
                assert_error(lacks, LACKS_CAP, "the kernel refused NOFILE (the service lacks CAP_SYS_RESOURCE); "
                             "the limits set were restored");
                kernel_limits(child, RLIMIT_NOFILE, &s, &h);
                g_assert_cmpuint(h, ==, 100);
                g_assert_cmpuint(changed_reset(), ==, 0);
        }
        close(pidfd);

        /* an unprivileged caller lowering two of its own limits: no polkit, its own act */
        g_auto(Result) res = {};
        const char *limits[] = { "--fsize=100000:200000", "--nofile=400:800", NULL };
        const char *opts[] = { "--all-limits", NULL };
        rcall_as_with(&U_NOBODY, limits, opts, "SetRlimits", "(ua(stt))",
                      "(uint32 0, [('FSIZE', 50000, 200000), ('NOFILE', 300, 700)])", &res);
        g_assert_true(res.ok);
        g_assert_cmpstr(res.reply, ==, "([('FSIZE', uint64 100000, uint64 200000), ('NOFILE', 400, 800)],)");
        g_assert_cmpuint(res.all_soft[RLIMIT_FSIZE], ==, 50000);
        g_assert_cmpuint(res.all_soft[RLIMIT_NOFILE], ==, 300);
        g_assert_cmpuint(res.all_hard[RLIMIT_NOFILE], ==, 700);
        sync_bus();
        g_assert_cmpuint(changed->len, ==, 2);
        assert_changed(0, 0, "FSIZE", 100000, 200000, 50000, 200000, U_NOBODY.uid);
        assert_changed(1, 0, "NOFILE", 400, 800, 300, 700, U_NOBODY.uid);
        g_assert_cmpuint(g_array_index(changed, Changed, 0).pid, ==, g_array_index(changed, Changed, 1).pid);
        changed_reset();
        g_assert_cmpuint(checks_reset(), ==, 0);
        sleepers_kill();
}

/* (f) a batch where some limits are set to what the process has: one
 * RlimitChanged for each limit that changed, none for the others, and none at
 * all for a batch of nothing but such limits; by root and by a caller on its
 * own process (its own act). */
static void test_set_rlimits_signals_only_what_changed(void) {
        const char *start[] = { "--core=4096:8192", "--nofile=400:800", "--fsize=100000:200000", NULL };
        pid_t child = sleeper_with(&U_ROOT, start);
        g_autoptr(GError) error = NULL;
        checks_reset();
        changed_reset();

        g_autoptr(GVariant) r = set_rlimits(child, "('NOFILE', 400, 800), ('CORE', 0, 4096), ('FSIZE', 100000, 200000)",
                                            &error);
        g_assert_no_error(error);
        g_autofree char *text = g_variant_print(r, FALSE);
        g_assert_cmpstr(text, ==, "([('NOFILE', 400, 800), ('CORE', 4096, 8192), ('FSIZE', 100000, 200000)],)");
        sync_bus();
        g_assert_cmpuint(changed->len, ==, 1);
        assert_changed(0, child, "CORE", 4096, 8192, 0, 4096, 0);
        changed_reset();

        g_autoptr(GVariant) r2 = set_rlimits(child, "('CORE', 0, 4096), ('NOFILE', 400, 800)", &error);
        g_assert_no_error(error);
        g_autofree char *text2 = g_variant_print(r2, FALSE);
        g_assert_cmpstr(text2, ==, "([('CORE', 0, 4096), ('NOFILE', 400, 800)],)");
        g_assert_cmpuint(changed_reset(), ==, 0);

        const char *limits[] = { "--fsize=100000:200000", "--nofile=400:800", NULL };
        const char *opts[] = { "--all-limits", NULL };
        g_auto(Result) res = {};
        rcall_as_with(&U_NOBODY, limits, opts, "SetRlimits", "(ua(stt))",
                      "(uint32 0, [('FSIZE', 100000, 200000), ('NOFILE', 300, 700)])", &res);
        g_assert_true(res.ok);
        g_assert_cmpstr(res.reply, ==, "([('FSIZE', uint64 100000, uint64 200000), ('NOFILE', 400, 800)],)");
        g_assert_cmpuint(res.all_soft[RLIMIT_NOFILE], ==, 300);
        sync_bus();
        g_assert_cmpuint(changed->len, ==, 1);
        assert_changed(0, 0, "NOFILE", 400, 800, 300, 700, U_NOBODY.uid);
        changed_reset();

        g_auto(Result) same = {};
        rcall_as_with(&U_NOBODY, limits, opts, "SetRlimits", "(ua(stt))",
                      "(uint32 0, [('FSIZE', 100000, 200000), ('NOFILE', 400, 800)])", &same);
        g_assert_true(same.ok);
        g_assert_cmpuint(changed_reset(), ==, 0);
        g_assert_cmpuint(checks_reset(), ==, 0);
        sleepers_kill();
}

int main(int argc, char *argv[]) {
        fixture_init(&argc, &argv);

        g_test_add_func("/service/set-rlimits-refused-last-restores-all", test_set_rlimits_refused_last_restores_all);
        g_test_add_func("/service/set-rlimits-asks-each-action-once", test_set_rlimits_asks_each_action_once);
        g_test_add_func("/service/set-rlimits-example-rule", test_set_rlimits_example_rule);
        g_test_add_func("/service/set-rlimits-invalid", test_set_rlimits_invalid);
        g_test_add_func("/service/set-rlimits-signals-once-per-limit", test_set_rlimits_signals_once_per_limit);
        g_test_add_func("/service/set-rlimits-signals-only-what-changed", test_set_rlimits_signals_only_what_changed);
        return g_test_run();
}
