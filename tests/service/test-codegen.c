/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-codegen: a client of org.example.Resource1 built only from the GLib
 * bindings gdbus-codegen generates from interfaces/org.example.Resource1.xml
 * (resource1-codegen.h: CodegenResource1), run as an unprivileged user by
 * tests/service/test-codegen.sh against the real service. Every method is called
 * through the generated *_call_*_sync functions (PrlimitPidfd with a real
 * pidfd in a GUnixFDList, the *Pidfd methods through a second proxy for
 * the gate's name, RESOURCE1_PIDFD_BUS_NAME), every property read through the generated
 * getters, RlimitChanged caught through the generated proxy's signal, and the
 * answers checked against /proc.
 *
 * The last test fails when the interface has a method no test called (a
 * filter on the connection records every call sent): a method added to the
 * XML needs a test here. Adding one is a function and a line in main(). */
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resource1-bus.h"
#include "resource1-codegen.h"

#define IFACE RESOURCE1_INTERFACE
#define ERR_PREFIX "org.example.Resource1.Error."

static CodegenResource1 *proxy;
static CodegenResource1 *gate;    /* the *Pidfd methods: the service's own name takes no descriptors */
static pid_t child;               /* a child of this process, waiting in pause() */

/* ---- what was sent and received ---- */

static GMutex sent_lock;
static GHashTable *sent;          /* members of the method calls sent to IFACE */

static GDBusMessage *record_sent(GDBusConnection *c, GDBusMessage *m, gboolean incoming, gpointer data) {
        if (!incoming && g_dbus_message_get_message_type(m) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
            g_strcmp0(g_dbus_message_get_interface(m), IFACE) == 0) {
                g_mutex_lock(&sent_lock);
                g_hash_table_add(sent, g_strdup(g_dbus_message_get_member(m)));
                g_mutex_unlock(&sent_lock);
        }
        return m;
}

typedef struct Changed {
        guint pid, caller_uid;
        char resource[32];
        guint64 old_soft, old_hard, soft, hard;
} Changed;
static GArray *changed;

static void on_rlimit_changed(CodegenResource1 *p, guint pid, const char *resource, guint64 old_soft,
                              guint64 old_hard, guint64 soft, guint64 hard, guint caller_uid, gpointer data) {
        Changed c = { .pid = pid, .caller_uid = caller_uid, .old_soft = old_soft, .old_hard = old_hard,
                      .soft = soft, .hard = hard };
        g_strlcpy(c.resource, resource, sizeof c.resource);
        g_array_append_val(changed, c);
}

/* Waits up to 5 s for RlimitChanged(pid, resource, old_soft, old_hard, soft,
 * hard, our uid). */
static void assert_rlimit_changed(pid_t pid, const char *resource, guint64 old_soft, guint64 old_hard, guint64 soft,
                                  guint64 hard) {
        gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        for (;;) {
                for (guint i = 0; i < changed->len; i++) {
                        const Changed *c = &g_array_index(changed, Changed, i);
                        if (c->pid == (guint) pid && strcmp(c->resource, resource) == 0 &&
                            c->old_soft == old_soft && c->old_hard == old_hard && c->soft == soft &&
                            c->hard == hard && c->caller_uid == getuid()) {
                                g_array_remove_index(changed, i);
                                return;
                        }
                }
                if (g_get_monotonic_time() > deadline)
                        g_error("no RlimitChanged(%d, %s, %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %"
                                G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %u)", (int) pid, resource, old_soft,
                                old_hard, soft, hard, (unsigned) getuid());
                if (!g_main_context_iteration(NULL, FALSE))
                        g_usleep(10000);
        }
}

/* ---- the kernel's view ---- */

/* /proc/PID/limits: one row per resource, in RLIMIT_* number order, as the
 * Resources property; "unlimited" is RLIM_INFINITY. Returns the row count. */
static guint proc_limits(pid_t pid, guint64 soft[RLIM_NLIMITS], guint64 hard[RLIM_NLIMITS]) {
        g_autofree char *path = g_strdup_printf("/proc/%d/limits", (int) pid), *text = NULL;
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        guint n = 0;
        for (char **l = lines + 1; *l && **l; l++, n++) {
                g_assert_cmpuint(n, <, RLIM_NLIMITS);
                g_assert_cmpuint(strlen(*l), >, 26);
                char s[32], h[32];
                g_assert_cmpint(sscanf(*l + 26, "%31s %31s", s, h), ==, 2);
                soft[n] = strcmp(s, "unlimited") == 0 ? RLIM_INFINITY : g_ascii_strtoull(s, NULL, 10);
                hard[n] = strcmp(h, "unlimited") == 0 ? RLIM_INFINITY : g_ascii_strtoull(h, NULL, 10);
        }
        return n;
}

/* The row of resource NAME: its index in the Resources property. */
static guint row_of(const char *name) {
        const char *const *names = codegen_resource1_get_resources(proxy);
        for (guint i = 0; names && names[i]; i++)
                if (strcmp(names[i], name) == 0)
                        return i;
        g_error("resource %s is not in the Resources property", name);
}

static void proc_limit(pid_t pid, const char *name, guint64 *soft, guint64 *hard) {
        guint64 s[RLIM_NLIMITS], h[RLIM_NLIMITS];
        guint i = row_of(name);
        g_assert_cmpuint(i, <, proc_limits(pid, s, h));
        *soft = s[i], *hard = h[i];
}

/* Field N (1-based, as proc_pid_stat(5) counts) of /proc/PID/stat. */
static guint64 proc_stat_field(pid_t pid, int n) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid), *text = NULL;
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        char *p = strrchr(text, ')');
        g_assert_nonnull(p);
        g_auto(GStrv) f = g_strsplit(p + 2, " ", -1);    /* f[0] is field 3 */
        g_assert_cmpuint(g_strv_length(f), >, (guint) n - 3);
        return g_ascii_strtoull(f[n - 3], NULL, 10);
}

static void assert_remote_error(GError *error, const char *name) {
        g_assert_nonnull(error);
        g_autofree char *remote = g_dbus_error_get_remote_error(error);
        g_assert_cmpstr(remote, ==, name);
}

/* ---- one test per method (and one for the properties) ---- */

static void test_properties(void) {
        const char *const *names = codegen_resource1_get_resources(proxy);
        guint64 s[RLIM_NLIMITS], h[RLIM_NLIMITS];
        g_assert_nonnull(names);
        g_assert_cmpuint(g_strv_length((char **) names), ==, proc_limits(getpid(), s, h));
        g_assert_cmpstr(names[0], ==, "CPU");
        g_assert_cmpstr(names[RLIMIT_NOFILE], ==, "NOFILE");
        g_assert_cmpstr(names[RLIMIT_RTTIME], ==, "RTTIME");
        g_assert_cmpuint(codegen_resource1_get_infinity(proxy), ==, RLIM_INFINITY);
        g_assert_cmpstr(codegen_resource1_get_version(proxy), !=, "");

        /* CanRaiseHardLimits: whether the service holds CAP_SYS_RESOURCE, as
         * its /proc/PID/status says. */
        g_autoptr(GError) error = NULL;
        GDBusConnection *bus = g_dbus_proxy_get_connection(G_DBUS_PROXY(proxy));
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                            "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                                            g_variant_new("(s)", IFACE), G_VARIANT_TYPE("(u)"),
                                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        guint32 daemon;
        g_variant_get(r, "(u)", &daemon);
        g_autofree char *path = g_strdup_printf("/proc/%u/status", daemon), *status = NULL;
        g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
        const char *cap = strstr(status, "\nCapEff:");
        g_assert_nonnull(cap);
        guint64 eff = g_ascii_strtoull(cap + strlen("\nCapEff:"), NULL, 16);
        g_assert_cmpint(codegen_resource1_get_can_raise_hard_limits(proxy), ==, !!(eff & (1ULL << CAP_SYS_RESOURCE)));
        g_test_message("%u resources, version %s, CanRaiseHardLimits %d", g_strv_length((char **) names),
                       codegen_resource1_get_version(proxy), codegen_resource1_get_can_raise_hard_limits(proxy));
}

static void test_page_size(void) {
        g_autoptr(GError) error = NULL;
        guint64 bytes = 0;
        g_assert_true(codegen_resource1_call_page_size_sync(proxy, &bytes, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(bytes, ==, (guint64) sysconf(_SC_PAGESIZE));
}

static void test_get_rlimit(void) {
        guint64 s[RLIM_NLIMITS], h[RLIM_NLIMITS];
        guint n = proc_limits(getpid(), s, h);
        const char *const *names = codegen_resource1_get_resources(proxy);
        for (guint i = 0; i < n; i++) {
                g_autoptr(GError) error = NULL;
                guint64 soft, hard;
                g_assert_true(codegen_resource1_call_get_rlimit_sync(proxy, names[i], &soft, &hard, NULL, &error));
                g_assert_no_error(error);
                g_assert_cmpuint(soft, ==, s[i]);
                g_assert_cmpuint(hard, ==, h[i]);
        }
        /* Another spelling of a name; a resource of other platforms only. */
        g_autoptr(GError) error = NULL;
        guint64 soft, hard;
        g_assert_true(codegen_resource1_call_get_rlimit_sync(proxy, "rlimit_nofile", &soft, &hard, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(soft, ==, s[row_of("NOFILE")]);
        g_assert_false(codegen_resource1_call_get_rlimit_sync(proxy, "VMEM", &soft, &hard, NULL, &error));
        assert_remote_error(error, ERR_PREFIX "InvalidResource");
}

static void assert_list_equals_proc(pid_t target, guint32 pid_arg) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) limits = NULL;
        g_assert_true(codegen_resource1_call_list_rlimits_sync(proxy, pid_arg, &limits, NULL, &error));
        g_assert_no_error(error);
        guint64 s[RLIM_NLIMITS], h[RLIM_NLIMITS];
        guint n = proc_limits(target, s, h);
        const char *const *names = codegen_resource1_get_resources(proxy);
        g_assert_cmpuint(g_variant_n_children(limits), ==, n);
        for (guint i = 0; i < n; i++) {
                const char *name;
                guint64 soft, hard;
                g_variant_get_child(limits, i, "(&stt)", &name, &soft, &hard);
                g_assert_cmpstr(name, ==, names[i]);
                g_assert_cmpuint(soft, ==, s[i]);
                g_assert_cmpuint(hard, ==, h[i]);
        }
}

static void test_list_rlimits(void) {
        assert_list_equals_proc(getpid(), 0);
        assert_list_equals_proc(child, (guint32) child);
}

/* The child's NOFILE soft limit was lowered by one from ps:ph, the call
 * answered the old limits, and RlimitChanged said so. */
static void assert_child_nofile_lowered(guint64 ps, guint64 ph, guint64 old_soft, guint64 old_hard) {
        guint64 soft, hard;
        g_assert_cmpuint(old_soft, ==, ps);
        g_assert_cmpuint(old_hard, ==, ph);
        proc_limit(child, "NOFILE", &soft, &hard);
        g_assert_cmpuint(soft, ==, ps - 1);
        g_assert_cmpuint(hard, ==, ph);
        assert_rlimit_changed(child, "NOFILE", ps, ph, ps - 1, ph);
}

static GUnixFDList *pidfd_list_of(pid_t pid) {
        int pidfd = pidfd_open(pid, 0);
        g_assert_cmpint(pidfd, >=, 0);
        return g_unix_fd_list_new_from_array(&pidfd, 1);   /* takes pidfd */
}

static void test_prlimit(void) {
        g_autoptr(GError) error = NULL;
        guint64 soft, hard, ps, ph;
        g_assert_true(codegen_resource1_call_prlimit_sync(proxy, (guint32) child, "NOFILE", FALSE, 0, 0,
                                                          &soft, &hard, NULL, &error));
        g_assert_no_error(error);
        proc_limit(child, "NOFILE", &ps, &ph);
        g_assert_cmpuint(soft, ==, ps);
        g_assert_cmpuint(hard, ==, ph);

        /* Lowering the soft limit of one's own child: no polkit. */
        guint64 old_soft, old_hard;
        g_assert_true(codegen_resource1_call_prlimit_sync(proxy, (guint32) child, "NOFILE", TRUE, ps - 1, ph,
                                                          &old_soft, &old_hard, NULL, &error));
        g_assert_no_error(error);
        assert_child_nofile_lowered(ps, ph, old_soft, old_hard);
}

static void test_prlimit_pidfd(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GUnixFDList) fds = pidfd_list_of(child);
        guint64 soft, hard, ps, ph;

        g_assert_true(codegen_resource1_call_prlimit_pidfd_sync(gate, g_variant_new_handle(0), "NOFILE", FALSE, 0, 0,
                                                                fds, &soft, &hard, NULL, NULL, &error));
        g_assert_no_error(error);
        proc_limit(child, "NOFILE", &ps, &ph);
        g_assert_cmpuint(soft, ==, ps);
        g_assert_cmpuint(hard, ==, ph);

        guint64 old_soft, old_hard;
        g_assert_true(codegen_resource1_call_prlimit_pidfd_sync(gate, g_variant_new_handle(0), "NOFILE", TRUE,
                                                                ps - 1, ph, fds, &old_soft, &old_hard, NULL, NULL,
                                                                &error));
        g_assert_no_error(error);
        assert_child_nofile_lowered(ps, ph, old_soft, old_hard);

        /* Not a pidfd: InvalidArgs (the gate's answer, the spec's DESCRIPTORS). */
        int not_pidfd = dup(STDIN_FILENO);
        g_assert_cmpint(not_pidfd, >=, 0);
        g_autoptr(GUnixFDList) bad = g_unix_fd_list_new_from_array(&not_pidfd, 1);
        g_autofree gchar *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(gate));
        g_assert_false(codegen_resource1_call_prlimit_pidfd_sync(gate, g_variant_new_handle(0), "NOFILE", FALSE, 0, 0,
                                                                 bad, &soft, &hard, NULL, NULL, &error));
        assert_remote_error(error, "org.freedesktop.DBus.Error.InvalidArgs");

        /* That made the gate retire: a GDBus proxy sends to the unique name
         * of its name's owner, which it learns from NameOwnerChanged in its
         * main context, so a client lets that run, as an application's main
         * loop does, before it calls the gate again. */
        gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        for (;;) {
                g_autofree gchar *now = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(gate));
                if ((now && g_strcmp0(now, owner) != 0) || g_get_monotonic_time() > end)
                        break;
                g_main_context_iteration(NULL, FALSE);
                g_usleep(1000);
        }
}

static void test_set_rlimit(void) {
        g_autoptr(GError) error = NULL;
        guint64 ps, ph, soft, hard;
        proc_limit(getpid(), "NOFILE", &ps, &ph);
        /* Lowering one's own soft limit: no polkit. */
        g_assert_true(codegen_resource1_call_set_rlimit_sync(proxy, "NOFILE", ps - 1, ph, NULL, &error));
        g_assert_no_error(error);
        proc_limit(getpid(), "NOFILE", &soft, &hard);
        g_assert_cmpuint(soft, ==, ps - 1);
        g_assert_cmpuint(hard, ==, ph);
        struct rlimit rl;
        g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &rl), ==, 0);
        g_assert_cmpuint(rl.rlim_cur, ==, ps - 1);
        assert_rlimit_changed(getpid(), "NOFILE", ps, ph, ps - 1, ph);

        /* soft above hard: InvalidLimits, nothing changed. */
        g_assert_false(codegen_resource1_call_set_rlimit_sync(proxy, "NOFILE", ph, ps - 2, NULL, &error));
        assert_remote_error(error, ERR_PREFIX "InvalidLimits");
        proc_limit(getpid(), "NOFILE", &soft, &hard);
        g_assert_cmpuint(soft, ==, ps - 1);
}

static const char *const rusage_keys[] = {
        "ru_utime", "ru_stime", "ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt", "ru_majflt",
        "ru_nswap", "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv", "ru_nsignals", "ru_nvcsw", "ru_nivcsw",
};

/* getrusage(2): "unused" on Linux. */
static const char *const always_zero[] = {
        "ru_ixrss", "ru_idrss", "ru_isrss", "ru_nswap", "ru_msgsnd", "ru_msgrcv", "ru_nsignals",
};

static GVariantDict *get_rusage(guint32 pid, const char *who) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) usage = NULL;
        g_assert_true(codegen_resource1_call_get_rusage_sync(proxy, pid, who, &usage, NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(usage), ==, G_N_ELEMENTS(rusage_keys));
        GVariantDict *d = g_variant_dict_new(usage);
        for (guint i = 0; i < G_N_ELEMENTS(rusage_keys); i++) {
                g_autoptr(GVariant) v = g_variant_dict_lookup_value(d, rusage_keys[i], NULL);
                g_assert_nonnull(v);
                g_assert_cmpstr(g_variant_get_type_string(v), ==, i < 2 ? "d" : "x");
        }
        return d;
}

static gint64 x(GVariantDict *d, const char *key) {
        gint64 v = -1;
        g_assert_true(g_variant_dict_lookup(d, key, "x", &v));
        return v;
}

static double dbl(GVariantDict *d, const char *key) {
        double v = -1;
        g_assert_true(g_variant_dict_lookup(d, key, "d", &v));
        return v;
}

static void test_get_rusage(void) {
        /* Of this process: between its own getrusage before and after. */
        struct rusage before, after;
        g_assert_cmpint(getrusage(RUSAGE_SELF, &before), ==, 0);
        g_autoptr(GVariantDict) self = get_rusage(0, "self");
        g_assert_cmpint(getrusage(RUSAGE_SELF, &after), ==, 0);
        double tick = 1.0 / (double) sysconf(_SC_CLK_TCK);
        double ut = (double) after.ru_utime.tv_sec + (double) after.ru_utime.tv_usec / 1e6;
        double st = (double) after.ru_stime.tv_sec + (double) after.ru_stime.tv_usec / 1e6;
        g_assert_cmpfloat(dbl(self, "ru_utime"), >=, 0);
        g_assert_cmpfloat(dbl(self, "ru_utime"), <=, ut + tick);
        g_assert_cmpfloat(dbl(self, "ru_stime"), >=, 0);
        g_assert_cmpfloat(dbl(self, "ru_stime"), <=, st + tick);
        g_assert_cmpint(x(self, "ru_maxrss"), >, 0);
        g_assert_cmpint(x(self, "ru_maxrss"), <=, after.ru_maxrss);
        g_assert_cmpint(x(self, "ru_minflt"), >=, before.ru_minflt);
        g_assert_cmpint(x(self, "ru_minflt"), <=, after.ru_minflt);
        g_assert_cmpint(x(self, "ru_majflt"), <=, after.ru_majflt);
        g_assert_cmpint(x(self, "ru_nvcsw"), <=, after.ru_nvcsw);
        g_assert_cmpint(x(self, "ru_nivcsw"), <=, after.ru_nivcsw);
        for (guint i = 0; i < G_N_ELEMENTS(always_zero); i++)
                g_assert_cmpint(x(self, always_zero[i]), ==, 0);

        /* Of the child, which waits in pause(): exactly its /proc/PID/stat. */
        g_autoptr(GVariantDict) c = get_rusage((guint32) child, "self");
        g_assert_cmpint(x(c, "ru_minflt"), ==, (gint64) proc_stat_field(child, 10));
        g_assert_cmpint(x(c, "ru_majflt"), ==, (gint64) proc_stat_field(child, 12));
        g_assert_cmpfloat_with_epsilon(dbl(c, "ru_utime"), (double) proc_stat_field(child, 14) * tick, 1e-9);
        g_assert_cmpfloat_with_epsilon(dbl(c, "ru_stime"), (double) proc_stat_field(child, 15) * tick, 1e-9);

        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) usage = NULL;
        g_assert_false(codegen_resource1_call_get_rusage_sync(proxy, 0, "everyone", &usage, NULL, &error));
        assert_remote_error(error, ERR_PREFIX "InvalidWho");
}

static void test_list_rlimits_pidfd(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) limits = NULL;
        g_autoptr(GUnixFDList) fds = pidfd_list_of(child);
        g_assert_true(codegen_resource1_call_list_rlimits_pidfd_sync(gate, g_variant_new_handle(0), fds, &limits,
                                                                     NULL, NULL, &error));
        g_assert_no_error(error);
        guint64 s[RLIM_NLIMITS], h[RLIM_NLIMITS];
        guint n = proc_limits(child, s, h);
        g_assert_cmpuint(g_variant_n_children(limits), ==, n);
        for (guint i = 0; i < n; i++) {
                guint64 soft, hard;
                g_variant_get_child(limits, i, "(&stt)", NULL, &soft, &hard);
                g_assert_cmpuint(soft, ==, s[i]);
                g_assert_cmpuint(hard, ==, h[i]);
        }
}

static void test_get_rusage_pidfd(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) usage = NULL;
        g_autoptr(GUnixFDList) fds = pidfd_list_of(child);
        g_assert_true(codegen_resource1_call_get_rusage_pidfd_sync(gate, g_variant_new_handle(0), "self", fds, &usage,
                                                                   NULL, NULL, &error));
        g_assert_no_error(error);
        g_autoptr(GVariantDict) d = g_variant_dict_new(usage);
        g_assert_cmpint(x(d, "ru_minflt"), ==, (gint64) proc_stat_field(child, 10));
        g_assert_cmpint(x(d, "ru_majflt"), ==, (gint64) proc_stat_field(child, 12));
}

/* Two limits at once (NOFILE's soft limit lowered, CORE's moved between 0 and
 * 1, so that each is a change): all applied, the old ones returned in order,
 * one RlimitChanged each, from the old limits to the new. */
static void assert_set_rlimits(pid_t target, GVariant *(*call)(GVariant *limits, GError **error)) {
        guint64 ns, nh, cs, ch, soft, hard;
        proc_limit(target, "NOFILE", &ns, &nh);
        proc_limit(target, "CORE", &cs, &ch);
        GVariantBuilder b;
        g_variant_builder_init(&b, G_VARIANT_TYPE("a(stt)"));
        g_variant_builder_add(&b, "(stt)", "NOFILE", ns - 1, nh);
        guint64 core = cs == 0 ? 1 : 0;
        g_assert_cmpuint(ch, >=, 1);
        g_variant_builder_add(&b, "(stt)", "CORE", core, ch);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) old = call(g_variant_builder_end(&b), &error);
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(old), ==, 2);
        const char *name;
        g_variant_get_child(old, 0, "(&stt)", &name, &soft, &hard);
        g_assert_cmpstr(name, ==, "NOFILE");
        g_assert_cmpuint(soft, ==, ns);
        g_variant_get_child(old, 1, "(&stt)", &name, &soft, &hard);
        g_assert_cmpstr(name, ==, "CORE");
        g_assert_cmpuint(soft, ==, cs);
        proc_limit(target, "NOFILE", &soft, &hard);
        g_assert_cmpuint(soft, ==, ns - 1);
        proc_limit(target, "CORE", &soft, &hard);
        g_assert_cmpuint(soft, ==, core);
        assert_rlimit_changed(target, "NOFILE", ns, nh, ns - 1, nh);
        assert_rlimit_changed(target, "CORE", cs, ch, core, ch);
}

static GVariant *set_rlimits_of_child(GVariant *limits, GError **error) {
        GVariant *old = NULL;
        codegen_resource1_call_set_rlimits_sync(proxy, (guint32) child, limits, &old, NULL, error);
        return old;
}

static GVariant *set_rlimits_pidfd_of_child(GVariant *limits, GError **error) {
        g_autoptr(GUnixFDList) fds = pidfd_list_of(child);
        GVariant *old = NULL;
        codegen_resource1_call_set_rlimits_pidfd_sync(gate, g_variant_new_handle(0), limits, fds, &old, NULL, NULL,
                                                      error);
        return old;
}

static void test_set_rlimits(void) {
        assert_set_rlimits(child, set_rlimits_of_child);

        /* A resource twice: InvalidLimits. */
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) old = NULL;
        GVariantBuilder b;
        g_variant_builder_init(&b, G_VARIANT_TYPE("a(stt)"));
        g_variant_builder_add(&b, "(stt)", "NOFILE", (guint64) 1, (guint64) 1);
        g_variant_builder_add(&b, "(stt)", "nofile", (guint64) 1, (guint64) 1);
        g_assert_false(codegen_resource1_call_set_rlimits_sync(proxy, 0, g_variant_builder_end(&b), &old, NULL, &error));
        assert_remote_error(error, ERR_PREFIX "InvalidLimits");
}

static void test_set_rlimits_pidfd(void) {
        assert_set_rlimits(child, set_rlimits_pidfd_of_child);
}

/* What setting NOFILE of the child (this process's, so nobody's own) would
 * meet: a lowering "yes", asking no one; a hard raise needs polkit's
 * raise-hard-limit (nobody gets its default, authentication, asked without
 * interaction), "na" while the service lacks CAP_SYS_RESOURCE; nothing is
 * changed either way (and no RlimitChanged: the last test counts them). */
static void assert_can_set_rlimits(gboolean (*call)(GVariant *limits, char **answer, GVariant **per_limit,
                                                    GError **error)) {
        guint64 soft, hard, s2, h2;
        proc_limit(child, "NOFILE", &soft, &hard);
        g_assert_cmpuint(soft, >=, 1);
        g_autoptr(GError) error = NULL;
        g_autofree char *answer = NULL, *raise_answer = NULL;
        g_autoptr(GVariant) per_limit = NULL, raise_per_limit = NULL;
        GVariantBuilder b;

        g_variant_builder_init(&b, G_VARIANT_TYPE("a(stt)"));
        g_variant_builder_add(&b, "(stt)", "NOFILE", soft - 1, hard);
        g_assert_true(call(g_variant_builder_end(&b), &answer, &per_limit, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(answer, ==, "yes");
        g_autofree char *text = g_variant_print(per_limit, FALSE);
        g_assert_cmpstr(text, ==, "[('NOFILE', 'yes', '')]");

        g_variant_builder_init(&b, G_VARIANT_TYPE("a(stt)"));
        g_variant_builder_add(&b, "(stt)", "NOFILE", soft, hard + 1);
        g_assert_true(call(g_variant_builder_end(&b), &raise_answer, &raise_per_limit, &error));
        g_assert_no_error(error);
        const char *want = codegen_resource1_get_can_raise_hard_limits(proxy) ? "challenge" : "na";
        g_assert_cmpstr(raise_answer, ==, want);
        g_autofree char *raise_text = g_variant_print(raise_per_limit, FALSE);
        g_autofree char *want_text = g_strdup_printf("[('NOFILE', '%s', 'org.example.resource1.raise-hard-limit')]",
                                                     want);
        g_assert_cmpstr(raise_text, ==, want_text);

        proc_limit(child, "NOFILE", &s2, &h2);
        g_assert_cmpuint(s2, ==, soft);
        g_assert_cmpuint(h2, ==, hard);
}

static gboolean can_set_rlimits_of_child(GVariant *limits, char **answer, GVariant **per_limit, GError **error) {
        return codegen_resource1_call_can_set_rlimits_sync(proxy, (guint32) child, limits, answer, per_limit, NULL,
                                                           error);
}

static gboolean can_set_rlimits_pidfd_of_child(GVariant *limits, char **answer, GVariant **per_limit,
                                               GError **error) {
        g_autoptr(GUnixFDList) fds = pidfd_list_of(child);
        return codegen_resource1_call_can_set_rlimits_pidfd_sync(gate, g_variant_new_handle(0), limits, fds, answer,
                                                                 per_limit, NULL, NULL, error);
}

static void test_can_set_rlimits(void) {
        assert_can_set_rlimits(can_set_rlimits_of_child);
}

static void test_can_set_rlimits_pidfd(void) {
        assert_can_set_rlimits(can_set_rlimits_pidfd_of_child);
}

/* Last: every method of the interface was called, RlimitChanged was seen
 * (each change test waited for its own), and no signal is left unexplained. */
static void test_every_method_called(void) {
        GDBusInterfaceInfo *info = codegen_resource1_interface_info();
        guint n = 0;
        g_mutex_lock(&sent_lock);
        for (GDBusMethodInfo **m = info->methods; *m; m++, n++)
                if (!g_hash_table_contains(sent, (*m)->name))
                        g_error("method %s of the interface was never called: add a test for it", (*m)->name);
        g_mutex_unlock(&sent_lock);
        g_assert_cmpuint(changed->len, ==, 0);
        g_test_message("all %u methods called through the generated bindings", n);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        /* The point is an unprivileged client: tests/service/test-codegen.sh runs it as nobody. */
        g_assert_cmpuint(getuid(), !=, 0);

        g_autoptr(GError) error = NULL;
        proxy = codegen_resource1_proxy_new_for_bus_sync(G_BUS_TYPE_SYSTEM, G_DBUS_PROXY_FLAGS_NONE,
                                                         RESOURCE1_BUS_NAME, RESOURCE1_PATH, NULL, &error);
        g_assert_no_error(error);
        /* The gate has the interface's methods only, not its properties or signals. */
        gate = codegen_resource1_proxy_new_for_bus_sync(G_BUS_TYPE_SYSTEM,
                                                        G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                                                G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
                                                        RESOURCE1_PIDFD_BUS_NAME, RESOURCE1_PATH, NULL, &error);
        g_assert_no_error(error);
        /* Both proxies share the process's one system bus connection. */
        g_assert_true(g_dbus_proxy_get_connection(G_DBUS_PROXY(gate)) ==
                      g_dbus_proxy_get_connection(G_DBUS_PROXY(proxy)));
        sent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_dbus_connection_add_filter(g_dbus_proxy_get_connection(G_DBUS_PROXY(proxy)), record_sent, NULL, NULL);
        changed = g_array_new(FALSE, FALSE, sizeof(Changed));
        g_signal_connect(proxy, "rlimit-changed", G_CALLBACK(on_rlimit_changed), NULL);

        child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0) {
                pause();
                _exit(0);
        }

        g_test_add_func("/codegen/properties", test_properties);
        g_test_add_func("/codegen/PageSize", test_page_size);
        g_test_add_func("/codegen/GetRlimit", test_get_rlimit);
        g_test_add_func("/codegen/ListRlimits", test_list_rlimits);
        g_test_add_func("/codegen/Prlimit", test_prlimit);
        g_test_add_func("/codegen/PrlimitPidfd", test_prlimit_pidfd);
        g_test_add_func("/codegen/SetRlimit", test_set_rlimit);
        g_test_add_func("/codegen/GetRusage", test_get_rusage);
        g_test_add_func("/codegen/ListRlimitsPidfd", test_list_rlimits_pidfd);
        g_test_add_func("/codegen/GetRusagePidfd", test_get_rusage_pidfd);
        g_test_add_func("/codegen/SetRlimits", test_set_rlimits);
        g_test_add_func("/codegen/SetRlimitsPidfd", test_set_rlimits_pidfd);
        g_test_add_func("/codegen/CanSetRlimits", test_can_set_rlimits);
        g_test_add_func("/codegen/CanSetRlimitsPidfd", test_can_set_rlimits_pidfd);
        g_test_add_func("/codegen/every-method-called", test_every_method_called);
        int rc = g_test_run();

        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        g_object_unref(gate);
        g_object_unref(proxy);
        return rc;
}
