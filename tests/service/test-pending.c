/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* While polkit decides (polkitd stopped with SIGSTOP): others are served; a
 * caller leaving has nothing done for it and its check cancelled; one uid's
 * pending checks are bounded; a target's pid reused is not acted on; and, last,
 * polkitd killed mid-check, absent (gated calls refused, ungated served) and
 * started again. It leaves no polkitd running: against a daemon and polkitd
 * shared with other programs (the memcheck suite) it runs last. */
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

static pid_t read_pid_file(const char *path) {
        g_autofree char *s = NULL;
        g_assert_true(g_file_get_contents(path, &s, NULL, NULL));
        return atoi(s);
}

static gboolean name_has_owner(const char *name) {
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                            "org.freedesktop.DBus", "NameHasOwner",
                                                            g_variant_new("(s)", name), G_VARIANT_TYPE("(b)"),
                                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
        gboolean b = FALSE;
        g_variant_get(r, "(b)", &b);
        return b;
}

/* polkitd is stopped (SIGSTOP) so that a check stays pending. */
static void test_serves_others_while_polkit_is_pending(void) {
        pid_t polkitd = read_pid_file(g_getenv("POLKITD_PID_FILE"));
        checks_reset();
        changed_reset();
        g_assert_cmpint(kill(polkitd, SIGSTOP), ==, 0);

        int out;
        GPid p = rcall_async(&U_YES, "400:800", "SetRlimit", "(stt)", "('NOFILE', 400, 900)", &out);
        wait_for_checks(1);

        /* the daemon answers others meanwhile */
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = call("GetRlimit", g_variant_new("(s)", "NOFILE"), &error);
        g_assert_no_error(error);
        g_autoptr(GVariant) r2 = call("ListRlimits", g_variant_new("(u)", 0), &error);
        g_assert_no_error(error);
        g_test_message("answered in %" G_GINT64_FORMAT " us while a check was pending", g_get_monotonic_time() - t0);
        g_assert_cmpint(g_get_monotonic_time() - t0, <, G_TIME_SPAN_SECOND);
        g_assert_cmpint(waitpid(p, NULL, WNOHANG), ==, 0);   /* still waiting for polkit */

        g_assert_cmpint(kill(polkitd, SIGCONT), ==, 0);
        int status;
        g_assert_cmpint(waitpid(p, &status, 0), ==, p);
        char buf[4096] = "";
        ssize_t n = read(out, buf, sizeof buf - 1);
        close(out);
        g_assert_cmpint(n, >, 0);
        if (can_raise)
                g_assert_nonnull(strstr(buf, "OK ()"));
        else
                g_assert_true(strstr(buf, "kernel refused") && strstr(buf, "ServiceLacksCapability"));
        checks_reset();
        changed_reset();
}

/* The shape of CVE-2021-3560: the caller goes away while its check is pending. */
static void test_caller_disconnects_while_polkit_is_pending(void) {
        pid_t polkitd = read_pid_file(g_getenv("POLKITD_PID_FILE"));
        pid_t target = sleeper_as(&U_GAMES);
        guint64 s0, h0;
        kernel_limits(target, RLIMIT_NOFILE, &s0, &h0);
        checks_reset();
        changed_reset();
        g_assert_cmpint(kill(polkitd, SIGSTOP), ==, 0);

        int out;
        g_autofree char *args = g_strdup_printf("(uint32 %d, 'NOFILE', true, 1, 1)", (int) target);
        GPid p = rcall_async(&U_YES, "400:800", "Prlimit", "(usbtt)", args, &out);
        wait_for_checks(1);
        g_mutex_lock(&mon_lock);
        g_autofree char *cancel_id = g_strdup(((Check *) checks->pdata[checks->len - 1])->cancel_id);
        g_mutex_unlock(&mon_lock);
        g_assert_cmpstr(cancel_id, !=, "");
        g_assert_cmpint(kill(p, SIGKILL), ==, 0);
        g_assert_cmpint(waitpid(p, NULL, 0), ==, p);
        close(out);
        g_usleep(100000);   /* let the bus tell the daemon the caller is gone */
        g_assert_cmpint(kill(polkitd, SIGCONT), ==, 0);

        /* polkit's late answer finds nothing to act on; the daemon lives on */
        sync_bus();
        g_usleep(200000);
        sync_bus();
        guint64 s, h;
        kernel_limits(target, RLIMIT_NOFILE, &s, &h);
        g_assert_cmpuint(s, ==, s0);
        g_assert_cmpuint(h, ==, h0);
        g_assert_cmpuint(changed_reset(), ==, 0);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = call("PageSize", NULL, &error);
        g_assert_no_error(error);
        /* Without CAP_SYS_RESOURCE the change could not have succeeded anyway,
         * so the daemon's own word that it dropped the change is checked too. */
        g_autofree char *log_path = g_build_filename(g_getenv("RESOURCE1_FIXTURE"), "resource1d.log", NULL);
        g_autofree char *log = NULL;
        g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
        g_autofree char *line = g_strdup_printf("uid 1 disconnected while setting NOFILE of pid %d to ", (int) target);
        const char *found = strstr(log, line);
        g_assert_nonnull(found);
        g_assert_nonnull(strstr(found, " waited for polkit; nothing changed"));
        /* and told polkitd that nobody waits for that check any more */
        sync_bus();
        g_mutex_lock(&mon_lock);
        gboolean cancelled = FALSE;
        for (guint i = 0; i < cancels->len; i++)
                cancelled = cancelled || g_strcmp0(cancels->pdata[i], cancel_id) == 0;
        g_mutex_unlock(&mon_lock);
        g_assert_true(cancelled);
        checks_reset();
        sleepers_kill();
}

/* One uid flooding the service with changes that wait for polkit is bounded
 * (--max-pending-per-uid, 16 by default); other uids are still served. */
static void test_pending_checks_bounded_per_uid(void) {
        pid_t polkitd = read_pid_file(g_getenv("POLKITD_PID_FILE"));
        const guint limit = 16;
        GPid callers[16];
        int outs[16];
        checks_reset();
        g_assert_cmpint(kill(polkitd, SIGSTOP), ==, 0);

        for (guint i = 0; i < limit; i++)
                callers[i] = rcall_async(&U_YES, "400:800", "SetRlimit", "(stt)", "('NOFILE', 400, 900)", &outs[i]);
        wait_for_checks(limit);

        g_auto(Result) over = {};
        gint64 t0 = g_get_monotonic_time();
        rcall_as(&U_YES, "400:800", NULL, "SetRlimit", "(stt)", "('NOFILE', 400, 900)", &over);
        assert_result_error(&over, ERR_PREFIX "LimitsExceeded", "for this uid, at most 16");

        /* another uid: its gated call still reaches polkit, its reads are answered at once */
        g_auto(Result) reading = {};
        rcall_as(&U_NO, NULL, NULL, "GetRlimit", "(s)", "('NOFILE',)", &reading);
        g_assert_true(reading.ok);
        g_test_message("refusal and another uid's read answered in %" G_GINT64_FORMAT " us during the flood",
                       g_get_monotonic_time() - t0);
        g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_TIME_SPAN_SECOND);
        int other_out;
        GPid other = rcall_async(&U_NO, "400:800", "SetRlimit", "(stt)", "('NOFILE', 400, 900)", &other_out);
        wait_for_checks(limit + 1);

        g_assert_cmpint(kill(polkitd, SIGCONT), ==, 0);
        for (guint i = 0; i < limit; i++) {
                char buf[1024] = "";
                g_assert_cmpint(waitpid(callers[i], NULL, 0), ==, callers[i]);
                g_assert_cmpint(read(outs[i], buf, sizeof buf - 1), >, 0);
                close(outs[i]);
                g_assert_null(strstr(buf, "LimitsExceeded"));
        }
        char buf[1024] = "";
        g_assert_cmpint(waitpid(other, NULL, 0), ==, other);
        g_assert_cmpint(read(other_out, buf, sizeof buf - 1), >, 0);
        close(other_out);
        g_assert_nonnull(strstr(buf, "polkit refused"));
        checks_reset();
        changed_reset();
}

/* The target exits while its change waits for polkit and its pid is given to
 * a new process (forced through ns_last_pid in the fixture's pid namespace):
 * the service must not act on the newcomer. */
static void test_pid_reuse_while_pending_acts_on_no_other_process(void) {
        pid_t polkitd = read_pid_file(g_getenv("POLKITD_PID_FILE"));
        pid_t target = sleeper_as(&U_YES);
        checks_reset();
        changed_reset();
        g_assert_cmpint(kill(polkitd, SIGSTOP), ==, 0);

        guint64 s0, h0;
        kernel_limits(target, RLIMIT_NOFILE, &s0, &h0);
        g_autofree char *args = g_strdup_printf("(uint32 %d, 'NOFILE', true, 1, %" G_GUINT64_FORMAT ")",
                                                (int) target, h0 + 1);
        int out;
        GPid caller = rcall_async(&U_YES, "400:800", "Prlimit", "(usbtt)", args, &out);
        wait_for_checks(1);

        sleepers_kill();   /* the target exits and is reaped */
        pid_t newcomer = 0;
        for (int attempt = 0; attempt < 20 && newcomer != target; attempt++) {
                if (newcomer > 0) {
                        kill(newcomer, SIGKILL);
                        waitpid(newcomer, NULL, 0);
                }
                g_autofree char *last = g_strdup_printf("%d", (int) target - 1);
                int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
                g_assert_cmpint(fd, >=, 0);
                g_assert_cmpint(write(fd, last, strlen(last)), ==, (gssize) strlen(last));
                close(fd);
                newcomer = sleeper_as(&U_YES);
        }
        g_assert_cmpint(newcomer, ==, target);
        guint64 s1, h1;
        kernel_limits(newcomer, RLIMIT_NOFILE, &s1, &h1);

        g_assert_cmpint(kill(polkitd, SIGCONT), ==, 0);
        char buf[1024] = "";
        g_assert_cmpint(waitpid(caller, NULL, 0), ==, caller);
        g_assert_cmpint(read(out, buf, sizeof buf - 1), >, 0);
        close(out);
        g_test_message("pid %d reused; the caller was told: %s", (int) target, buf);
        g_assert_nonnull(strstr(buf, ERR_PREFIX "NoSuchProcess"));

        guint64 s2, h2;
        kernel_limits(newcomer, RLIMIT_NOFILE, &s2, &h2);
        g_assert_cmpuint(s2, ==, s1);
        g_assert_cmpuint(h2, ==, h1);
        g_assert_cmpuint(changed_reset(), ==, 0);
        checks_reset();
        sleepers_kill();
}

/* Last: kills polkitd in the middle of a check, calls without it, then
 * starts one of its own. */
static void test_polkit_absent_fails_closed_and_recovers(void) {
        pid_t polkitd = read_pid_file(g_getenv("POLKITD_PID_FILE"));

        /* killed in the middle of a check: the caller is refused, nothing changes */
        checks_reset();
        g_assert_cmpint(kill(polkitd, SIGSTOP), ==, 0);
        int out;
        GPid caller = rcall_async(&U_YES, "400:800", "SetRlimit", "(stt)", "('NOFILE', 400, 900)", &out);
        wait_for_checks(1);
        g_assert_cmpint(kill(polkitd, SIGKILL), ==, 0);
        char buf[2048] = "";
        g_assert_cmpint(waitpid(caller, NULL, 0), ==, caller);
        g_assert_cmpint(read(out, buf, sizeof buf - 1), >, 0);
        close(out);
        g_test_message("polkitd killed mid-check; the caller was told: %s", buf);
        g_assert_nonnull(strstr(buf, "ERR " ERR_PREFIX "PermissionDenied"));
        g_assert_nonnull(strstr(buf, "could not be checked, so it is denied"));
        g_assert_nonnull(strstr(buf, "LIMIT 400 800"));
        for (int i = 0; i < 500 && name_has_owner("org.freedesktop.PolicyKit1"); i++)
                g_usleep(10000);
        g_assert_false(name_has_owner("org.freedesktop.PolicyKit1"));
        checks_reset();

        g_auto(Result) gated = {};

        g_auto(Result) ungated = {};
        const char *opts[] = { "--limit", "NOFILE", NULL };
        rcall_as(&U_YES, "400:800", opts, "SetRlimit", "(stt)", "('NOFILE', 400, 900)", &gated);
        assert_result_error(&gated, ERR_PREFIX "PermissionDenied", "could not be checked, so it is denied");
        g_assert_cmpuint(gated.limit_hard, ==, 800);
        rcall_as(&U_YES, "400:800", opts, "SetRlimit", "(stt)", "('NOFILE', 300, 700)", &ungated);
        g_assert_true(ungated.ok);
        g_assert_cmpuint(ungated.limit_hard, ==, 700);

        const char *argv[] = { "/usr/lib/polkit-1/polkitd", "--no-debug", NULL };
        GPid pk;
        g_autoptr(GError) error = NULL;
        g_assert_true(g_spawn_async(NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                    NULL, NULL, &pk, &error));
        for (int i = 0; i < 500 && !name_has_owner("org.freedesktop.PolicyKit1"); i++)
                g_usleep(10000);
        g_assert_true(name_has_owner("org.freedesktop.PolicyKit1"));

        g_auto(Result) again = {};
        rcall_as(&U_NO, "400:800", opts, "SetRlimit", "(stt)", "('NOFILE', 400, 900)", &again);
        assert_result_error(&again, ERR_PREFIX "PermissionDenied", "polkit refused");
        kill(pk, SIGTERM);
        waitpid(pk, NULL, 0);
        changed_reset();
        checks_reset();
}

int main(int argc, char *argv[]) {
        fixture_init(&argc, &argv);

        g_test_add_func("/service/serves-others-while-polkit-is-pending", test_serves_others_while_polkit_is_pending);
        g_test_add_func("/service/caller-disconnects-while-polkit-is-pending", test_caller_disconnects_while_polkit_is_pending);
        g_test_add_func("/service/pending-checks-bounded-per-uid", test_pending_checks_bounded_per_uid);
        g_test_add_func("/service/pid-reuse-while-pending-acts-on-no-other-process",
                        test_pid_reuse_while_pending_acts_on_no_other_process);
        g_test_add_func("/service/polkit-absent-fails-closed-and-recovers", test_polkit_absent_fails_closed_and_recovers);
        return g_test_run();
}
