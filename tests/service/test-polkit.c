/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The permission matrix, counting what polkitd is asked: the owner raising
 * its own hard limit (polkit yes / no / challenge / defaults, with and without
 * the interactive flag), another user's process (manage-other, then
 * raise-hard-limit; the first refusal ends the chain), the shipped example
 * rule, and a setuid program the caller started, which is not its own. */
#include <gio/gio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

/* The owner raises its own hard limit: polkit yes / no / challenge / defaults,
 * with and without interactive authorization. */
static void test_hard_raise_matrix(void) {
        checks_reset();
        changed_reset();
        const struct { const User *u; const char *error; const char *fragment; } rows[] = {
                { &U_YES, NULL, NULL },
                { &U_NO, ERR_PREFIX "PermissionDenied", "polkit refused org.example.resource1.raise-hard-limit" },
                { &U_CHALLENGE, IAR, "raise-hard-limit" },
                { &U_NOBODY, IAR, "raise-hard-limit" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
                for (int interactive = 0; interactive <= 1; interactive++) {
                        g_auto(Result) res = {};
                        const char *opts[] = { "--limit", "NOFILE", interactive ? "--interactive" : NULL, NULL };
                        rcall_as(rows[i].u, "400:800", opts, "SetRlimit", "(stt)", "('NOFILE', 400, 900)", &res);
                        g_test_message("%s interactive=%d: %s %s", rows[i].u->name, interactive,
                                       res.ok ? "OK" : res.err_name, res.ok ? "" : res.err_msg);

                        if (!rows[i].error) {
                                /* polkit said yes; then only the kernel can say no */
                                if (can_raise) {
                                        g_assert_true(res.ok);
                                        g_assert_cmpuint(res.limit_hard, ==, 900);
                                } else {
                                        assert_result_error(&res, LACKS_CAP, "kernel refused");
                                        g_assert_cmpuint(res.limit_hard, ==, 800);
                                        g_test_message("success path not exercised: no CAP_SYS_RESOURCE here; "
                                                       "polkit's yes followed by the kernel's refusal was checked");
                                }
                        } else {
                                assert_result_error(&res, rows[i].error, rows[i].fragment);
                                /* the same challenge from polkit: the message says what was missing */
                                if (g_str_equal(rows[i].error, IAR))
                                        g_assert_nonnull(strstr(res.err_msg, interactive ?
                                                "raise-hard-limit needs authentication, but no authentication "
                                                "agent answered" :
                                                "raise-hard-limit needs authentication, but the call did not "
                                                "allow interactive authorization"));
                                g_assert_cmpuint(res.limit_soft, ==, 400);
                                g_assert_cmpuint(res.limit_hard, ==, 800);
                        }

                        __attribute__((cleanup(check_freep))) Check *ck = only_check();
                        g_assert_cmpstr(ck->action, ==, "org.example.resource1.raise-hard-limit");
                        g_assert_cmpstr(ck->subject_kind, ==, "system-bus-name");
                        g_assert_cmpuint(ck->flags, ==, (guint) interactive);
                        g_assert_cmpstr(g_hash_table_lookup(ck->details, "resource"), ==, "NOFILE");
                        g_assert_cmpstr(g_hash_table_lookup(ck->details, "soft"), ==, "400");
                        g_assert_cmpstr(g_hash_table_lookup(ck->details, "hard"), ==, "900");
                        g_assert_nonnull(g_hash_table_lookup(ck->details, "pid"));
                        g_assert_cmpuint(changed_reset(), ==, (!rows[i].error && can_raise) ? 1 : 0);
                }
}

/* Changing another user's process: manage-other, and raise-hard-limit too
 * when the hard limit goes up. */
static void test_other_user_matrix(void) {
        pid_t target = sleeper_as(&U_GAMES);
        checks_reset();
        changed_reset();
        guint64 ks0, kh0;
        kernel_limits(target, RLIMIT_NOFILE, &ks0, &kh0);
        g_autofree char *lower = g_strdup_printf("(uint32 %d, 'NOFILE', true, 10, %" G_GUINT64_FORMAT ")",
                                                 (int) target, kh0);
        g_autofree char *raise = g_strdup_printf("(uint32 %d, 'NOFILE', true, 10, %" G_GUINT64_FORMAT ")",
                                                 (int) target, kh0 + 1);

        const struct { const User *u; const char *error; const char *fragment; guint n_checks; } rows[] = {
                /* root: no polkit; here the kernel refuses root without CAP_SYS_RESOURCE */
                { &U_ROOT, LACKS_CAP, "kernel refused", 0 },
                { &U_YES, LACKS_CAP, "kernel refused", 1 },
                { &U_NO, ERR_PREFIX "PermissionDenied", "polkit refused org.example.resource1.manage-other", 1 },
                { &U_CHALLENGE, IAR, "manage-other", 1 },
                { &U_NOBODY, IAR, "manage-other", 1 },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
                g_auto(Result) res = {};
                rcall_as(rows[i].u, NULL, NULL, "Prlimit", "(usbtt)", lower, &res);
                g_test_message("%s lowers games' NOFILE: %s %s", rows[i].u->name, res.ok ? "OK" : res.err_name,
                               res.ok ? "" : res.err_msg);
                gboolean kernel_ok = can_raise && (rows[i].u == &U_ROOT || rows[i].u == &U_YES);
                if (kernel_ok)
                        g_assert_true(res.ok);
                else
                        assert_result_error(&res, rows[i].error, rows[i].fragment);

                sync_bus();
                g_mutex_lock(&mon_lock);
                g_assert_cmpuint(checks->len, ==, rows[i].n_checks);
                if (rows[i].n_checks)
                        g_assert_cmpstr(((Check *) checks->pdata[0])->action, ==, "org.example.resource1.manage-other");
                g_mutex_unlock(&mon_lock);
                checks_reset();

                guint64 ks, kh;
                kernel_limits(target, RLIMIT_NOFILE, &ks, &kh);
                if (!kernel_ok) {
                        g_assert_cmpuint(ks, ==, ks0);
                        g_assert_cmpuint(kh, ==, kh0);
                        g_assert_cmpuint(changed_reset(), ==, 0);
                }
        }
        if (!can_raise)
                g_test_message("success path not exercised: no CAP_SYS_RESOURCE here, so the kernel refuses "
                               "changes to another uid's process after polkit's yes");

        /* both actions, in order, for a hard raise on another user's process */
        g_auto(Result) res = {};
        rcall_as(&U_YES, NULL, NULL, "Prlimit", "(usbtt)", raise, &res);
        if (!can_raise)
                assert_result_error(&res, LACKS_CAP, "kernel refused");
        sync_bus();
        g_mutex_lock(&mon_lock);
        g_assert_cmpuint(checks->len, ==, 2);
        g_assert_cmpstr(((Check *) checks->pdata[0])->action, ==, "org.example.resource1.manage-other");
        g_assert_cmpstr(((Check *) checks->pdata[1])->action, ==, "org.example.resource1.raise-hard-limit");
        g_mutex_unlock(&mon_lock);
        checks_reset();

        /* the first refusal stops the chain */
        g_auto(Result) res2 = {};
        rcall_as(&U_NO, NULL, NULL, "Prlimit", "(usbtt)", raise, &res2);
        assert_result_error(&res2, ERR_PREFIX "PermissionDenied", "manage-other");
        g_assert_cmpuint(checks_reset(), ==, 1);
        sleepers_kill();
}

/* The shipped example rule: group members may raise NOFILE's hard limit up to 1048576. */
static void test_example_rule(void) {
        checks_reset();
        g_auto(Result) ok = {};
        g_auto(Result) too_high = {};
        g_auto(Result) other_res = {};
        const char *opts[] = { "--limit", "NOFILE", NULL };
        rcall_as(&U_GAMES, "400:800", opts, "SetRlimit", "(stt)", "('NOFILE', 400, 1048576)", &ok);
        if (can_raise)
                g_assert_true(ok.ok);
        else
                assert_result_error(&ok, LACKS_CAP, "kernel refused");

        rcall_as(&U_GAMES, "400:800", opts, "SetRlimit", "(stt)", "('NOFILE', 400, 18446744073709551615)", &too_high);
        /* above fs.nr_open: refused as out of range before polkit is asked */
        assert_result_error(&too_high, ERR_PREFIX "InvalidLimits", "system-imposed limit");

        /* another resource falls through to the action's defaults: a challenge */
        guint64 ms, mh;
        kernel_limits(getpid(), RLIMIT_MSGQUEUE, &ms, &mh);
        g_assert_cmpuint(mh, <, INF);
        g_autofree char *args = g_strdup_printf("('MSGQUEUE', 0, %" G_GUINT64_FORMAT ")", mh + 1);
        rcall_as(&U_GAMES, NULL, NULL, "SetRlimit", "(stt)", args, &other_res);
        assert_result_error(&other_res, IAR, "raise-hard-limit");
        g_assert_cmpuint(checks_reset(), ==, 2);
}

/* A setuid program the caller started is not the caller's own, as the kernel has it. */
static void test_setuid_target_is_not_the_callers(void) {
        g_autofree char *copy = g_build_filename(g_getenv("RESOURCE1_FIXTURE"), "suid-sleep", NULL);
        g_autofree char *contents = NULL;
        gsize len;
        g_assert_true(g_file_get_contents("/bin/sleep", &contents, &len, NULL));
        g_assert_true(g_file_set_contents(copy, contents, len, NULL));
        g_assert_cmpint(chmod(copy, 04755), ==, 0);

        const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", copy, "600", NULL };
        GPid pid;
        g_assert_true(g_spawn_async(NULL, (char **) argv, NULL,
                                    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, NULL));
        g_array_append_val(sleepers, pid);
        g_autofree char *status_path = g_strdup_printf("/proc/%d/status", (int) pid);
        gboolean setuid_took = FALSE;
        for (int i = 0; i < 300 && !setuid_took; i++) {
                g_autofree char *st = NULL;
                if (g_file_get_contents(status_path, &st, NULL, NULL) && strstr(st, "suid-sleep"))
                        setuid_took = strstr(st, "Uid:\t65534\t0\t0") != NULL;
                if (!setuid_took)
                        g_usleep(10000);
        }
        if (!setuid_took) {
                g_test_skip("the fixture's directory does not honour setuid bits (nosuid mount)");
                sleepers_kill();
                return;
        }

        checks_reset();
        guint64 s0, h0;
        kernel_limits(pid, RLIMIT_NOFILE, &s0, &h0);
        g_autofree char *args = g_strdup_printf("(uint32 %d, 'NOFILE', true, 1, %" G_GUINT64_FORMAT ")", (int) pid, h0);
        g_auto(Result) res = {};
        rcall_as(&U_NOBODY, NULL, NULL, "Prlimit", "(usbtt)", args, &res);
        assert_result_error(&res, IAR, "manage-other");
        guint64 s1, h1;
        kernel_limits(pid, RLIMIT_NOFILE, &s1, &h1);
        g_assert_cmpuint(s1, ==, s0);
        g_assert_cmpuint(checks_reset(), ==, 1);
        sleepers_kill();
}

int main(int argc, char *argv[]) {
        fixture_init(&argc, &argv);

        g_test_add_func("/service/hard-raise-matrix", test_hard_raise_matrix);
        g_test_add_func("/service/other-user-matrix", test_other_user_matrix);
        g_test_add_func("/service/example-rule", test_example_rule);
        g_test_add_func("/service/setuid-target-is-not-the-callers", test_setuid_target_is_not_the_callers);
        return g_test_run();
}
