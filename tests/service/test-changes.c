/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Changes that need no polkit: root on its own child (and the kernel deciding
 * a hard raise), owners lowering limits and raising soft ones, an
 * unprivileged caller on its child, and PrlimitPidfd (a pidfd of a child, a
 * descriptor that is not one, a pidfd whose process has gone, another user's
 * process by pidfd); each checked against /proc, RlimitChanged and what
 * polkitd was asked. */
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fixture.h"

static void test_root_changes_own_child_without_polkit(void) {
        g_autoptr(GError) error = NULL;
        pid_t child = sleeper_as(&U_ROOT);
        struct rlimit l = { 100, 1000 };
        g_assert_cmpint(prlimit(child, RLIMIT_NOFILE, &l, NULL), ==, 0);
        changed_reset();
        checks_reset();

        /* lower: returns the old limits, the kernel shows the new ones */
        g_autoptr(GVariant) r = call("Prlimit", g_variant_new("(usbtt)", (guint32) child, "NOFILE", TRUE,
                                                              (guint64) 50, (guint64) 500), &error);
        g_assert_no_error(error);
        guint64 s, h;
        g_variant_get(r, "(tt)", &s, &h);
        g_assert_cmpuint(s, ==, 100);
        g_assert_cmpuint(h, ==, 1000);
        kernel_limits(child, RLIMIT_NOFILE, &s, &h);
        g_assert_cmpuint(s, ==, 50);
        g_assert_cmpuint(h, ==, 500);

        /* soft up to hard */
        g_autoptr(GVariant) r2 = call("Prlimit", g_variant_new("(usbtt)", (guint32) child, "NOFILE", TRUE,
                                                               (guint64) 500, (guint64) 500), &error);
        g_assert_no_error(error);
        kernel_limits(child, RLIMIT_NOFILE, &s, &h);
        g_assert_cmpuint(s, ==, 500);

        g_assert_cmpuint(checks_reset(), ==, 0);
        g_assert_cmpuint(changed->len, ==, 2);
        assert_changed(0, child, "NOFILE", 100, 1000, 50, 500, 0);
        assert_changed(1, child, "NOFILE", 50, 500, 500, 500, 0);
        changed_reset();

        /* hard up: root asks no one; the kernel decides */
        g_autoptr(GVariant) r3 = call("Prlimit", g_variant_new("(usbtt)", (guint32) child, "NOFILE", TRUE,
                                                               (guint64) 500, (guint64) 2000), &error);
        if (can_raise) {
                g_assert_no_error(error);
                g_assert_cmpuint(nofile_hard_of(child), ==, 2000);
                g_assert_cmpuint(changed_reset(), ==, 1);
        } else {
                assert_error(error, LACKS_CAP, "kernel refused");
                g_assert_cmpuint(nofile_hard_of(child), ==, 500);
                g_assert_cmpuint(changed_reset(), ==, 0);
                g_test_message("success path of a hard-limit raise not exercised: the service lacks CAP_SYS_RESOURCE here; "
                               "the kernel's refusal was checked instead");
        }
        g_assert_cmpuint(checks_reset(), ==, 0);
        sleepers_kill();
}

static void test_owner_lowers_and_raises_soft_without_polkit(void) {
        checks_reset();
        changed_reset();

        const User *users[] = { &U_NOBODY, &U_NO, &U_CHALLENGE };
        for (size_t i = 0; i < G_N_ELEMENTS(users); i++) {
                g_auto(Result) lower = {};
                g_auto(Result) soft_up = {};
                const char *opts[] = { "--limit", "NOFILE", NULL };
                rcall_as(users[i], "400:800", opts, "SetRlimit", "(stt)", "('NOFILE', 100, 700)", &lower);
                g_assert_true(lower.ok);
                g_assert_cmpuint(lower.limit_soft, ==, 100);
                g_assert_cmpuint(lower.limit_hard, ==, 700);

                rcall_as(users[i], "400:800", opts, "SetRlimit", "(stt)", "('nofile', 800, 800)", &soft_up);
                g_assert_true(soft_up.ok);
                g_assert_cmpuint(soft_up.limit_soft, ==, 800);
        }
        g_assert_cmpuint(checks_reset(), ==, 0);
        g_assert_cmpuint(changed->len, ==, 6);
        for (size_t i = 0; i < G_N_ELEMENTS(users); i++) {
                /* each call a new caller, started at 400:800 */
                assert_changed(2 * i, 0, "NOFILE", 400, 800, 100, 700, users[i]->uid);
                assert_changed(2 * i + 1, 0, "NOFILE", 400, 800, 800, 800, users[i]->uid);
        }
        changed_reset();
}

static void test_unprivileged_caller_on_its_child(void) {
        g_auto(Result) res = {};
        const char *opts[] = { "--spawn-child", "--limit", "NOFILE", NULL };
        rcall_as(&U_NOBODY, "300:600", opts, "Prlimit", "(usbtt)", "(uint32 CHILD, 'NOFILE', true, 10, 20)", &res);
        g_assert_true(res.ok);
        g_assert_cmpstr(res.reply, ==, "(uint64 300, uint64 600)");
        g_assert_cmpuint(res.child_soft, ==, 10);
        g_assert_cmpuint(res.child_hard, ==, 20);
        g_assert_cmpuint(res.limit_soft, ==, 300);   /* the caller itself unchanged */
        g_assert_cmpuint(checks_reset(), ==, 0);
        g_assert_cmpuint(changed_reset(), ==, 1);
}

/* A change to the limits a process already has is no change: answered with
 * the old limits (which are the new), nothing sent. A real change right after
 * each shows that the listener hears, and what it hears. */
static void test_noop_changes_send_nothing(void) {
        g_autoptr(GError) error = NULL;
        const char *opts[] = { "--limit", "NOFILE", NULL };
        checks_reset();
        changed_reset();

        /* the caller's own process, unprivileged: SetRlimit and Prlimit of pid 0 */
        g_auto(Result) same = {};
        rcall_as(&U_NOBODY, "400:800", opts, "SetRlimit", "(stt)", "('NOFILE', 400, 800)", &same);
        g_assert_true(same.ok);
        g_assert_cmpuint(same.limit_soft, ==, 400);
        g_assert_cmpuint(same.limit_hard, ==, 800);
        g_auto(Result) same_pr = {};
        rcall_as(&U_NOBODY, "400:800", opts, "Prlimit", "(usbtt)", "(uint32 0, 'NOFILE', true, 400, 800)", &same_pr);
        g_assert_true(same_pr.ok);
        g_assert_cmpstr(same_pr.reply, ==, "(uint64 400, uint64 800)");
        g_assert_cmpuint(changed_reset(), ==, 0);
        g_auto(Result) lower = {};
        rcall_as(&U_NOBODY, "400:800", opts, "SetRlimit", "(stt)", "('NOFILE', 300, 800)", &lower);
        g_assert_true(lower.ok);
        sync_bus();
        g_assert_cmpuint(changed->len, ==, 1);
        assert_changed(0, 0, "NOFILE", 400, 800, 300, 800, U_NOBODY.uid);
        changed_reset();

        /* another process, by root: its own child, and another user's (a
         * change the kernel would refuse root here: none is made) */
        const char *start[] = { "--nofile=400:800", NULL };
        pid_t child = sleeper_with(&U_ROOT, start), other = sleeper_with(&U_NOBODY, start);
        pid_t targets[] = { other, child };
        for (size_t i = 0; i < G_N_ELEMENTS(targets); i++) {
                guint64 s, h;
                g_autoptr(GVariant) r = call("Prlimit", g_variant_new("(usbtt)", (guint32) targets[i], "NOFILE", TRUE,
                                                                      (guint64) 400, (guint64) 800), &error);
                g_assert_no_error(error);
                g_variant_get(r, "(tt)", &s, &h);
                g_assert_cmpuint(s, ==, 400);
                g_assert_cmpuint(h, ==, 800);
                g_autoptr(GVariant) rs = call("SetRlimits", g_variant_new_parsed("(%u, [('NOFILE', @t 400, @t 800)])",
                                                                                 (guint32) targets[i]), &error);
                g_assert_no_error(error);
                g_assert_cmpuint(changed_reset(), ==, 0);
        }
        g_autoptr(GVariant) r = call("Prlimit", g_variant_new("(usbtt)", (guint32) child, "NOFILE", TRUE,
                                                              (guint64) 400, (guint64) 500), &error);
        g_assert_no_error(error);
        sync_bus();
        g_assert_cmpuint(changed->len, ==, 1);
        assert_changed(0, child, "NOFILE", 400, 800, 400, 500, 0);
        changed_reset();

        g_assert_cmpuint(checks_reset(), ==, 0);   /* a no-op asks nobody either */
        sleepers_kill();
}

static int pidfd_call(int fd, const char *res, gboolean set, guint64 s, guint64 h, guint64 *os, guint64 *oh,
                      GError **error) {
        g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
        int idx = g_unix_fd_list_append(fds, fd, error);
        g_assert_cmpint(idx, ==, 0);
        g_autoptr(GVariant) r = g_dbus_connection_call_with_unix_fd_list_sync(
                bus, PIDFD_NAME, PATH, IFACE, "PrlimitPidfd", g_variant_new("(hsbtt)", idx, res, set, s, h), NULL,
                G_DBUS_CALL_FLAGS_NONE, -1, fds, NULL, NULL, error);
        if (!r)
                return -1;
        g_variant_get(r, "(tt)", os, oh);
        return 0;
}

static void test_prlimit_pidfd(void) {
        g_autoptr(GError) error = NULL;
        pid_t child = sleeper_as(&U_ROOT);
        int pidfd = pidfd_open(child, 0);
        g_assert_cmpint(pidfd, >=, 0);
        guint64 s, h, ks, kh;

        g_assert_cmpint(pidfd_call(pidfd, "NOFILE", FALSE, 0, 0, &s, &h, &error), ==, 0);
        kernel_limits(child, RLIMIT_NOFILE, &ks, &kh);
        g_assert_cmpuint(s, ==, ks);
        g_assert_cmpuint(h, ==, kh);

        g_assert_cmpint(pidfd_call(pidfd, "NOFILE", TRUE, 64, 128, &s, &h, &error), ==, 0);
        g_assert_cmpuint(s, ==, ks);
        kernel_limits(child, RLIMIT_NOFILE, &ks, &kh);
        g_assert_cmpuint(ks, ==, 64);
        g_assert_cmpuint(kh, ==, 128);
        changed_reset();

        /* not a pidfd: InvalidArgs (the spec's DESCRIPTORS) */
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(pidfd_call(nul, "NOFILE", FALSE, 0, 0, &s, &h, &error), ==, -1);
        assert_error(error, "org.freedesktop.DBus.Error.InvalidArgs", "not a pidfd");
        g_clear_error(&error);
        close(nul);

        /* no descriptor at all: the handle names none of the message's */
        static const struct { const char *method, *sig, *args; } nofd[] = {
                { "PrlimitPidfd", "(hsbtt)", "(handle 0, 'NOFILE', false, 0, 0)" },
                { "ListRlimitsPidfd", "(h)", "(handle 0,)" },
                { "GetRusagePidfd", "(hs)", "(handle 0, 'self')" },
                { "SetRlimitsPidfd", "(ha(stt))", "(handle 0, [('NOFILE', 1, 1)])" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(nofd); i++) {
                g_autoptr(GVariant) args = g_variant_parse(G_VARIANT_TYPE(nofd[i].sig), nofd[i].args, NULL, NULL, NULL);
                g_autoptr(GVariant) r = g_dbus_connection_call_sync(bus, PIDFD_NAME, PATH, IFACE, nofd[i].method,
                                                                    g_steal_pointer(&args), NULL,
                                                                    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
                g_assert_null(r);
                assert_error(error, "org.freedesktop.DBus.Error.InvalidArgs", "no file descriptor was passed");
                g_clear_error(&error);
        }

        /* a pidfd whose process has gone */
        sleepers_kill();
        g_assert_cmpint(pidfd_call(pidfd, "NOFILE", TRUE, 1, 1, &s, &h, &error), ==, -1);
        assert_error(error, ERR_PREFIX "NoSuchProcess", NULL);
        g_clear_error(&error);
        close(pidfd);

        /* an unprivileged caller naming another user's process by pidfd */
        pid_t other = sleeper_as(&U_GAMES);
        g_autofree char *pidarg = g_strdup_printf("%d", (int) other);
        g_auto(Result) res = {};
        const char *opts[] = { "--pidfd-of", pidarg, NULL };
        rcall_as(&U_NOBODY, NULL, opts, "PrlimitPidfd", "(hsbtt)", "(handle 0, 'NOFILE', true, 1, 1)", &res);
        assert_result_error(&res, IAR, "manage-other");
        guint64 s2, h2;
        kernel_limits(other, RLIMIT_NOFILE, &s2, &h2);
        g_assert_cmpuint(s2, !=, 1);
        checks_reset();

        /* ... and one polkit says yes to: the service acts, and the kernel
         * has the last word (without CAP_SYS_RESOURCE, the service's fault) */
        g_auto(Result) yes = {};
        rcall_as(&U_YES, NULL, opts, "PrlimitPidfd", "(hsbtt)", "(handle 0, 'NOFILE', true, 1, 1)", &yes);
        g_test_message("daemon names games' process by pidfd: %s %s", yes.ok ? "OK" : yes.err_name,
                       yes.ok ? "" : yes.err_msg);
        kernel_limits(other, RLIMIT_NOFILE, &s2, &h2);
        if (can_raise) {
                g_assert_true(yes.ok);
                g_assert_cmpuint(h2, ==, 1);
        } else {
                assert_result_error(&yes, LACKS_CAP, "the kernel refused (the service lacks CAP_SYS_RESOURCE)");
                g_assert_cmpuint(s2, !=, 1);
        }
        g_assert_cmpuint(checks_reset(), ==, 1);
        changed_reset();
        sleepers_kill();
}

int main(int argc, char *argv[]) {
        fixture_init(&argc, &argv);

        g_test_add_func("/service/root-changes-own-child-without-polkit", test_root_changes_own_child_without_polkit);
        g_test_add_func("/service/owner-lowers-and-raises-soft-without-polkit", test_owner_lowers_and_raises_soft_without_polkit);
        g_test_add_func("/service/unprivileged-caller-on-its-child", test_unprivileged_caller_on_its_child);
        g_test_add_func("/service/noop-changes-send-nothing", test_noop_changes_send_nothing);
        g_test_add_func("/service/prlimit-pidfd", test_prlimit_pidfd);
        return g_test_run();
}
