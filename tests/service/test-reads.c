/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads: PageSize, GetRlimit of the caller itself (root and an unprivileged
 * caller with limits of its own), ListRlimits and Prlimit with set=false of
 * the caller, its child, another user's process and a thread of its own, and
 * GetRusage (self, children, both, thread, the daemon's, another user's),
 * all against /proc and the caller's own getrusage; none asks polkit. */
#include <gio/gio.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fixture.h"

/* A (tt) reply equals what the kernel shows for pid's resource. */
static void assert_limits_reply(GVariant *r, pid_t pid, int resource) {
        guint64 s, h, ks, kh;
        g_variant_get(r, "(tt)", &s, &h);
        kernel_limits(pid, resource, &ks, &kh);
        g_assert_cmpuint(s, ==, ks);
        g_assert_cmpuint(h, ==, kh);
}

static void test_page_size(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = call("PageSize", NULL, &error);
        g_assert_no_error(error);
        guint64 v;
        g_variant_get(r, "(t)", &v);
        g_assert_cmpuint(v, ==, (guint64) sysconf(_SC_PAGESIZE));
}

static void test_get_rlimit_is_the_callers_own(void) {
        g_autoptr(GError) error = NULL;
        /* root, this process */
        g_autoptr(GVariant) r = call("GetRlimit", g_variant_new("(s)", "RLIMIT_STACK"), &error);
        g_assert_no_error(error);
        assert_limits_reply(r, getpid(), RLIMIT_STACK);

        /* an unprivileged caller with limits of its own */
        g_auto(Result) res = {};
        const char *opts[] = { "--limit", "NOFILE", NULL };
        rcall_as(&U_NOBODY, "321:654", opts, "GetRlimit", "(s)", "('ofile',)", &res);
        g_assert_true(res.ok);
        g_assert_cmpstr(res.reply, ==, "(uint64 321, uint64 654)");
        g_assert_cmpuint(res.limit_soft, ==, 321);
        g_assert_cmpuint(checks_reset(), ==, 0);
}

static void assert_list_equals_kernel(GVariant *list, pid_t pid) {
        GVariantIter it;
        const char *name;
        guint64 s, h;
        guint i = 0;
        g_variant_iter_init(&it, list);
        while (g_variant_iter_next(&it, "(&stt)", &name, &s, &h)) {
                guint64 ks, kh;
                g_assert_cmpstr(name, ==, resource1_rlimits[i].name);
                kernel_limits(pid, (int) i, &ks, &kh);
                g_assert_cmpuint(s, ==, ks);
                g_assert_cmpuint(h, ==, kh);
                i++;
        }
        g_assert_cmpuint(i, ==, RLIM_NLIMITS);
}

static void test_list_rlimits_equals_proc(void) {
        g_autoptr(GError) error = NULL;
        pid_t child = sleeper_as(&U_ROOT), other = sleeper_as(&U_GAMES);
        struct rlimit l = { 77, 88 };
        g_assert_cmpint(prlimit(child, RLIMIT_NOFILE, &l, NULL), ==, 0);

        const pid_t pids[] = { 0, child, other };
        for (size_t i = 0; i < G_N_ELEMENTS(pids); i++) {
                g_autoptr(GVariant) r = call("ListRlimits", g_variant_new("(u)", (guint32) pids[i]), &error);
                g_assert_no_error(error);
                g_autoptr(GVariant) list = g_variant_get_child_value(r, 0);
                assert_list_equals_kernel(list, pids[i] ? pids[i] : getpid());
        }

        /* Limits are world-readable: an unprivileged caller may list another user's. */
        g_auto(Result) res = {};
        g_autofree char *args = g_strdup_printf("(uint32 %d,)", (int) child);
        rcall_as(&U_NOBODY, NULL, NULL, "ListRlimits", "(u)", args, &res);
        g_assert_true(res.ok);
        g_assert_nonnull(strstr(res.reply, "('NOFILE', uint64 77, uint64 88)") ?:
                         strstr(res.reply, "('NOFILE', 77, 88)"));
        g_assert_cmpuint(checks_reset(), ==, 0);
        sleepers_kill();
}

/* A thread of this process other than the main one: GDBus's worker. */
static pid_t other_thread_of_self(void) {
        g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
        const char *t;
        pid_t other = 0;
        while ((t = g_dir_read_name(dir)))
                if (atoi(t) != getpid())
                        other = atoi(t);
        g_assert_cmpint(other, >, 0);
        return other;
}

static void test_prlimit_get_child_and_other_user(void) {
        g_autoptr(GError) error = NULL;
        pid_t child = sleeper_as(&U_ROOT), other = sleeper_as(&U_GAMES);
        const pid_t pids[] = { child, other };
        for (size_t i = 0; i < G_N_ELEMENTS(pids); i++) {
                /* set=false: the limits passed are ignored */
                g_autoptr(GVariant) r = call("Prlimit", g_variant_new("(usbtt)", (guint32) pids[i], "core", FALSE,
                                                                      (guint64) 5, (guint64) 1), &error);
                g_assert_no_error(error);
                assert_limits_reply(r, pids[i], RLIMIT_CORE);
        }
        /* a thread id names its process, as with prlimit(2) */
        g_autoptr(GVariant) r = call("Prlimit", g_variant_new("(usbtt)", (guint32) other_thread_of_self(), "STACK",
                                                              FALSE, (guint64) 0, (guint64) 0), &error);
        g_assert_no_error(error);
        assert_limits_reply(r, getpid(), RLIMIT_STACK);

        g_assert_cmpuint(checks_reset(), ==, 0);
        g_assert_cmpuint(changed_reset(), ==, 0);
        sleepers_kill();
}

static GVariant *rusage(pid_t pid, const char *who, GError **error) {
        return call("GetRusage", g_variant_new("(us)", (guint32) pid, who), error);
}

static void assert_sixteen_fields(GVariant *r) {
        g_autoptr(GVariant) dict = g_variant_get_child_value(r, 0);
        g_assert_cmpuint(g_variant_n_children(dict), ==, 16);
        for (int i = 0; i < 16; i++) {
                g_autoptr(GVariant) v = g_variant_lookup_value(dict, resource1_rusage_fields[i].name, NULL);
                g_assert_nonnull(v);
                g_assert_cmpstr(g_variant_get_type_string(v), ==, i < 2 ? "d" : "x");
        }
}

static double field_d(GVariant *r, const char *k) {
        g_autoptr(GVariant) dict = g_variant_get_child_value(r, 0);
        double d = 0;
        g_assert_true(g_variant_lookup(dict, k, "d", &d));
        return d;
}

static gint64 field_x(GVariant *r, const char *k) {
        g_autoptr(GVariant) dict = g_variant_get_child_value(r, 0);
        gint64 x = 0;
        g_assert_true(g_variant_lookup(dict, k, "x", &x));
        return x;
}

static void test_get_rusage(void) {
        g_autoptr(GError) error = NULL;

        /* An unprivileged caller that burned 300 ms of CPU: within a clock tick and a bit of what it sees itself. */
        g_auto(Result) res = {};
        const char *opts[] = { "--burn-ms", "300", "--own-usage", NULL };
        rcall_as(&U_NOBODY, NULL, opts, "GetRusage", "(us)", "(uint32 0, 'RUSAGE_SELF')", &res);
        g_assert_true(res.ok);
        g_autoptr(GVariant) v = g_variant_parse(G_VARIANT_TYPE("(a{sv})"), res.reply, NULL, NULL, &error);
        g_assert_no_error(error);
        assert_sixteen_fields(v);
        double ut = field_d(v, "ru_utime"), st = field_d(v, "ru_stime");
        g_test_message("service ru_utime %.3f ru_stime %.3f, caller's own %.3f %.3f", ut, st, res.utime, res.stime);
        /* /proc counts in clock ticks (10 ms); the caller measured after the reply */
        g_assert_cmpfloat(ut + st, >=, 0.25);
        g_assert_cmpfloat(ut, <=, res.utime + 0.02);
        g_assert_cmpfloat(ut, >=, res.utime - 0.05);
        g_assert_cmpfloat(st, <=, res.stime + 0.02);
        g_assert_cmpfloat(st, >=, res.stime - 0.05);
        g_assert_cmpint(field_x(v, "ru_maxrss"), >, 0);
        /* ru_maxrss is VmHWM, this image's peak; the caller's own getrusage also
         * counts what it was before exec (a fork of this test, setpriv), which is
         * larger in a sanitizer build, so it bounds the value from above only */
        g_test_message("ru_maxrss: service %" G_GINT64_FORMAT " KiB, caller's VmHWM %ld KiB, its getrusage %ld KiB",
                       field_x(v, "ru_maxrss"), res.hwm, res.maxrss);
        g_assert_cmpint(res.hwm, >, 0);
        g_assert_cmpint(labs(field_x(v, "ru_maxrss") - res.hwm), <=, res.hwm / 10 + 256);
        g_assert_cmpint(field_x(v, "ru_maxrss"), <=, res.maxrss + 256);
        g_assert_cmpint(field_x(v, "ru_minflt"), <=, res.minflt);
        g_assert_cmpint(field_x(v, "ru_minflt"), >=, res.minflt / 2);
        g_assert_cmpint(field_x(v, "ru_nvcsw"), <=, res.nvcsw);
        for (const char *const *z = (const char *const[]) { "ru_ixrss", "ru_idrss", "ru_isrss", "ru_nswap",
                                                              "ru_msgsnd", "ru_msgrcv", "ru_nsignals", NULL }; *z; z++)
                g_assert_cmpint(field_x(v, *z), ==, 0);

        /* children: this test process has waited for every rcall it ran */
        struct rusage own;
        g_autoptr(GVariant) ch = rusage(0, "children", &error);
        g_assert_no_error(error);
        assert_sixteen_fields(ch);
        getrusage(RUSAGE_CHILDREN, &own);
        double own_cut = own.ru_utime.tv_sec + own.ru_utime.tv_usec / 1e6;
        g_test_message("children utime: service %.3f, own %.3f", field_d(ch, "ru_utime"), own_cut);
        double own_cst = own.ru_stime.tv_sec + own.ru_stime.tv_usec / 1e6;
        g_assert_cmpfloat(field_d(ch, "ru_utime") + field_d(ch, "ru_stime"), >=, 0.25);
        g_assert_cmpfloat(fabs(field_d(ch, "ru_utime") - own_cut), <=, 0.05);
        g_assert_cmpfloat(fabs(field_d(ch, "ru_stime") - own_cst), <=, 0.05);

        /* both = self + children */
        g_autoptr(GVariant) self = rusage(0, "self", &error);
        g_assert_no_error(error);
        g_autoptr(GVariant) both = rusage(0, "Both", &error);
        g_assert_no_error(error);
        g_assert_cmpfloat(field_d(both, "ru_stime"), >=, field_d(ch, "ru_stime"));
        g_assert_cmpfloat(fabs(field_d(both, "ru_utime") - field_d(self, "ru_utime") - field_d(ch, "ru_utime")), <=, 0.05);
        g_assert_cmpint(field_x(both, "ru_minflt"), >=, field_x(self, "ru_minflt") + field_x(ch, "ru_minflt"));

        /* thread: 0 is the caller's main thread; a thread id names that thread */
        g_autoptr(GVariant) th = rusage(0, "thread", &error);
        g_assert_no_error(error);
        assert_sixteen_fields(th);
        pid_t other_thread = other_thread_of_self();
        g_autoptr(GVariant) th2 = rusage(other_thread, "RUSAGE_THREAD", &error);
        g_assert_no_error(error);
        assert_sixteen_fields(th2);

        /* the daemon's own usage comes from getrusage(2) */
        g_autoptr(GVariant) d = rusage(daemon_pid, "self", &error);
        g_assert_no_error(error);
        assert_sixteen_fields(d);
        g_assert_cmpint(field_x(d, "ru_maxrss"), >, 0);

        /* another user's process: root may, an unprivileged caller may not */
        pid_t other = sleeper_as(&U_GAMES);
        g_autoptr(GVariant) o = rusage(other, "self", &error);
        g_assert_no_error(error);
        g_auto(Result) denied = {};
        g_autofree char *args = g_strdup_printf("(uint32 %d, 'self')", (int) other);
        rcall_as(&U_NOBODY, NULL, NULL, "GetRusage", "(us)", args, &denied);
        assert_result_error(&denied, ERR_PREFIX "PermissionDenied", "does not own");

        g_assert_cmpuint(checks_reset(), ==, 0);
        sleepers_kill();
}

int main(int argc, char *argv[]) {
        fixture_init(&argc, &argv);

        g_test_add_func("/service/page-size", test_page_size);
        g_test_add_func("/service/get-rlimit-is-the-callers-own", test_get_rlimit_is_the_callers_own);
        g_test_add_func("/service/list-rlimits-equals-proc", test_list_rlimits_equals_proc);
        g_test_add_func("/service/prlimit-get-child-and-other-user", test_prlimit_get_child_and_other_user);
        g_test_add_func("/service/get-rusage", test_get_rusage);
        return g_test_run();
}
