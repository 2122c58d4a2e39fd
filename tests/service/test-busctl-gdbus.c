/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Other bus clients: every method called with busctl and with gdbus (as
 * root, and busctl as nobody refused), their replies and refusals as each
 * tool shows them; neither can pass a pidfd here, which is said. */
#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static char *run(const char *const *argv, gboolean expect_ok) {
        g_autofree char *out = NULL, *err = NULL;
        g_autoptr(GError) error = NULL;
        int status;
        g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                                   &status, &error));
        gboolean ok = g_spawn_check_wait_status(status, NULL);
        if (ok != expect_ok)
                g_error("%s %s: exit %d, stdout '%s', stderr '%s'", argv[0], argv[4] ?: "", status, out, err);
        return ok ? g_steal_pointer(&out) : g_steal_pointer(&err);
}

static void test_busctl_every_method(void) {
        pid_t child = sleeper_as(&U_ROOT);
        g_autofree char *pid = g_strdup_printf("%d", (int) child);
#define BUSCTL "busctl", "--system", "--json=short", "call", NAME, PATH, IFACE
        g_autofree char *a = run((const char *[]) { BUSCTL, "GetRlimit", "s", "nofile", NULL }, TRUE);
        g_assert_nonnull(strstr(a, "\"type\":\"tt\""));
        g_autofree char *b = run((const char *[]) { BUSCTL, "SetRlimit", "stt", "CORE", "0", "0", NULL }, TRUE);
        g_autofree char *c = run((const char *[]) { BUSCTL, "Prlimit", "usbtt", pid, "NOFILE", "true", "32", "64", NULL }, TRUE);
        g_assert_cmpuint(nofile_hard_of(child), ==, 64);
        g_autofree char *d = run((const char *[]) { BUSCTL, "GetRusage", "us", pid, "self", NULL }, TRUE);
        g_assert_nonnull(strstr(d, "ru_nivcsw"));
        g_autofree char *e = run((const char *[]) { BUSCTL, "PageSize", NULL }, TRUE);
        g_autofree char *f = run((const char *[]) { BUSCTL, "ListRlimits", "u", pid, NULL }, TRUE);
        g_assert_nonnull(strstr(f, "\"RTTIME\""));
        g_autofree char *x = run((const char *[]) { BUSCTL, "SetRlimit", "stt", "NOFILE", "9", "8", NULL }, FALSE);
        g_assert_nonnull(strstr(x, "soft limit 9 exceeds hard limit 8"));

        /* busctl of systemd 252 refuses "h" arguments ("UNIX file descriptor not supported as type"):
         * PrlimitPidfd (at the gate's name) is exercised through GDBus (root) and rcall (other users)
         * instead. */
        g_autofree char *h = run((const char *[]) { "busctl", "--system", "--json=short", "call", PIDFD_NAME, PATH,
                                                    IFACE, "PrlimitPidfd", "hsbtt", "0", "NOFILE", "false", "0", "0",
                                                    NULL }, FALSE);
        g_test_message("busctl cannot pass a pidfd here (%s): PrlimitPidfd checked through GDBus instead", g_strstrip(h));
#undef BUSCTL

        /* busctl as an unprivileged user, refused: its exit status says so */
        g_autofree char *y = run((const char *[]) { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                                    "busctl", "--system", "call", NAME, PATH, IFACE, "Prlimit",
                                                    "usbtt", pid, "NOFILE", "true", "1", "1", NULL }, FALSE);
        g_assert_nonnull(strstr(y, "manage-other"));

        /* The same challenge (polkit's default for nobody is auth_admin and no
         * agent runs here), told apart by what busctl allowed: interaction
         * not allowed, or allowed with no agent to answer. */
        const char *allow[] = { "--allow-interactive-authorization=no", "--allow-interactive-authorization=yes" };
        for (int i = 0; i < 2; i++) {
                g_autofree char *z = run((const char *[]) { "setpriv", "--reuid=65534", "--regid=65534",
                                                            "--clear-groups", "busctl", "--system", allow[i],
                                                            "call", NAME, PATH, IFACE, "Prlimit", "usbtt", pid,
                                                            "NOFILE", "true", "1", "1", NULL }, FALSE);
                g_test_message("busctl %s as nobody: %s", allow[i], g_strstrip(z));
                g_assert_nonnull(strstr(z, "manage-other needs authentication, but "));
                g_assert_nonnull(strstr(z, i ? "no authentication agent answered"
                                             : "the call did not allow interactive authorization"));
                g_assert_null(strstr(z, i ? "did not allow" : "no authentication agent answered"));
        }
        sleepers_kill();
        changed_reset();
        checks_reset();
}

static void test_gdbus_every_method(void) {
        pid_t child = sleeper_as(&U_ROOT);
        g_autofree char *pid = g_strdup_printf("%d", (int) child);
#define GDBUS "gdbus", "call", "--system", "--dest", NAME, "--object-path", PATH, "--method"
        g_autofree char *a = run((const char *[]) { GDBUS, IFACE ".GetRlimit", "NOFILE", NULL }, TRUE);
        g_assert_true(g_str_has_prefix(a, "(uint64 "));
        g_autofree char *b = run((const char *[]) { GDBUS, IFACE ".SetRlimit", "CORE", "0", "0", NULL }, TRUE);
        g_autofree char *c = run((const char *[]) { GDBUS, IFACE ".Prlimit", pid, "NOFILE", "true", "20", "40", NULL }, TRUE);
        g_assert_cmpuint(nofile_hard_of(child), ==, 40);
        g_autofree char *d = run((const char *[]) { GDBUS, IFACE ".GetRusage", pid, "children", NULL }, TRUE);
        g_assert_nonnull(strstr(d, "'ru_utime': <0.0>"));
        g_autofree char *e = run((const char *[]) { GDBUS, IFACE ".PageSize", NULL }, TRUE);
        g_autofree char *f = run((const char *[]) { GDBUS, IFACE ".ListRlimits", pid, NULL }, TRUE);
        g_assert_nonnull(strstr(f, "('NOFILE', 20, 40)"));
        g_autofree char *x = run((const char *[]) { GDBUS, IFACE ".GetRlimit", "VMEM", NULL }, FALSE);
        g_assert_nonnull(strstr(x, ERR_PREFIX "InvalidResource"));
#undef GDBUS
        g_test_message("gdbus call cannot pass file descriptors: PrlimitPidfd is exercised through GDBus "
                       "and busctl instead");
        sleepers_kill();
        changed_reset();
        checks_reset();
}

int main(int argc, char *argv[]) {
        fixture_init(&argc, &argv);

        g_test_add_func("/service/busctl-every-method", test_busctl_every_method);
        g_test_add_func("/service/gdbus-every-method", test_gdbus_every_method);
        return g_test_run();
}
