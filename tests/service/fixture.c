/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fixture the service suites share: see fixture.h. */
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

const User U_ROOT = { "root", 0, 0 };
const User U_YES = { "daemon", 1, 1 };       /* polkit: yes */
const User U_NO = { "bin", 2, 2 };           /* polkit: no */
const User U_CHALLENGE = { "sys", 3, 3 };    /* polkit: auth_admin */
const User U_NOBODY = { "nobody", 65534, 65534 };
const User U_GAMES = { "games", 5, 60 };     /* the example rule */

GDBusConnection *bus;
static char *rcall_path;
gboolean can_raise;
pid_t daemon_pid;

/* ---- what polkitd is asked, seen by a bus monitor ---- */

GMutex mon_lock;
static GCond mon_cond;
GPtrArray *checks;   /* Check* */
GPtrArray *cancels;  /* the cancellation ids of CancelCheckAuthorization calls, char* */
static guint pings_seen, pings_sent;

static void check_free(gpointer p) {
        Check *c = p;
        g_free(c->action);
        g_free(c->subject_kind);
        g_free(c->cancel_id);
        g_hash_table_unref(c->details);
        g_free(c);
}

static GDBusMessage *monitor_filter(GDBusConnection *c, GDBusMessage *m, gboolean incoming, gpointer u) {
        if (!incoming || g_dbus_message_get_message_type(m) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
                return m;
        const char *member = g_dbus_message_get_member(m);
        g_mutex_lock(&mon_lock);
        if (g_strcmp0(member, "CheckAuthorization") == 0) {
                GVariant *body = g_dbus_message_get_body(m);
                Check *ck = g_new0(Check, 1);
                g_autoptr(GVariant) subject = g_variant_get_child_value(body, 0);
                g_autoptr(GVariant) details = g_variant_get_child_value(body, 2);
                g_variant_get_child(subject, 0, "s", &ck->subject_kind);
                g_variant_get_child(body, 1, "s", &ck->action);
                g_variant_get_child(body, 3, "u", &ck->flags);
                g_variant_get_child(body, 4, "s", &ck->cancel_id);
                ck->details = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
                GVariantIter it;
                char *k, *v;
                g_variant_iter_init(&it, details);
                while (g_variant_iter_next(&it, "{ss}", &k, &v))
                        g_hash_table_insert(ck->details, k, v);
                g_ptr_array_add(checks, ck);
        } else if (g_strcmp0(member, "CancelCheckAuthorization") == 0) {
                char *id = NULL;
                g_variant_get(g_dbus_message_get_body(m), "(s)", &id);
                g_ptr_array_add(cancels, id);
        } else if (g_strcmp0(member, "Ping") == 0)
                pings_seen++;
        g_cond_broadcast(&mon_cond);
        g_mutex_unlock(&mon_lock);
        g_object_unref(m);
        return NULL;
}

static void monitor_start(void) {
        g_autoptr(GError) error = NULL;
        const char *addr = g_getenv("DBUS_SYSTEM_BUS_ADDRESS");
        GDBusConnection *mon = g_dbus_connection_new_for_address_sync(
                addr, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                NULL, NULL, &error);
        g_assert_no_error(error);
        checks = g_ptr_array_new_with_free_func(check_free);
        cancels = g_ptr_array_new_with_free_func(g_free);
        g_dbus_connection_add_filter(mon, monitor_filter, NULL, NULL);
        const char *rules[] = {
                "type='method_call',interface='org.freedesktop.PolicyKit1.Authority',member='CheckAuthorization'",
                "type='method_call',interface='org.freedesktop.PolicyKit1.Authority',member='CancelCheckAuthorization'",
                "type='method_call',interface='org.freedesktop.DBus.Peer',member='Ping',destination='" NAME "'",
                NULL,
        };
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(mon, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                            "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                                                            g_variant_new("(^asu)", rules, 0), NULL,
                                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        /* kept for the whole run */
}

/* Everything the bus routed before this point has reached the monitor, and
 * every signal sent to us before it has been dispatched. */
void sync_bus(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(bus, NAME, PATH, "org.freedesktop.DBus.Peer", "Ping",
                                                            NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        pings_sent++;
        gint64 end = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
        g_mutex_lock(&mon_lock);
        while (pings_seen < pings_sent)
                g_assert_true(g_cond_wait_until(&mon_cond, &mon_lock, end));
        g_mutex_unlock(&mon_lock);
        while (g_main_context_iteration(NULL, FALSE))
                ;
}

guint checks_reset(void) {
        sync_bus();
        g_mutex_lock(&mon_lock);
        guint n = checks->len;
        g_ptr_array_set_size(checks, 0);
        g_mutex_unlock(&mon_lock);
        return n;
}

/* The checks polkitd was asked since the last reset, in order, taken. */
GPtrArray *checks_take(void) {
        sync_bus();
        g_mutex_lock(&mon_lock);
        GPtrArray *taken = g_ptr_array_new_with_free_func(check_free);
        for (guint i = 0; i < checks->len; i++)
                g_ptr_array_add(taken, g_ptr_array_steal_index(checks, i--));
        g_mutex_unlock(&mon_lock);
        return taken;
}

void check_freep(Check **c) {
        if (*c)
                check_free(*c);
}

Check *only_check(void) {
        sync_bus();
        g_mutex_lock(&mon_lock);
        g_assert_cmpuint(checks->len, ==, 1);
        Check *c = g_ptr_array_steal_index(checks, 0);
        g_mutex_unlock(&mon_lock);
        return c;
}

guint checks_seen(void) {
        g_mutex_lock(&mon_lock);
        guint n = checks->len;
        g_mutex_unlock(&mon_lock);
        return n;
}

void wait_for_checks(guint n) {
        for (int i = 0; i < 1000 && checks_seen() < n; i++)
                g_usleep(10000);
        g_assert_cmpuint(checks_seen(), ==, n);
}

/* ---- RlimitChanged ---- */

GArray *changed;

static void on_changed(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                const char *signal, GVariant *params, gpointer u) {
        Changed ch;
        if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(usttttu)")))
                g_error("RlimitChanged%s, not (usttttu) as the specification has it",
                        g_variant_get_type_string(params));
        g_variant_get(params, "(usttttu)", &ch.pid, &ch.resource, &ch.old_soft, &ch.old_hard, &ch.soft, &ch.hard,
                      &ch.uid);
        g_array_append_val(changed, ch);
}

guint changed_reset(void) {
        sync_bus();
        guint n = changed->len;
        for (guint i = 0; i < n; i++)
                g_free(g_array_index(changed, Changed, i).resource);
        g_array_set_size(changed, 0);
        return n;
}

void assert_changed(guint i, pid_t pid, const char *resource, guint64 old_soft, guint64 old_hard, guint64 soft,
                    guint64 hard, uid_t uid) {
        g_assert_cmpuint(i, <, changed->len);
        Changed *c = &g_array_index(changed, Changed, i);
        if (pid > 0)
                g_assert_cmpuint(c->pid, ==, (guint32) pid);
        g_assert_cmpstr(c->resource, ==, resource);
        g_assert_cmpuint(c->old_soft, ==, old_soft);
        g_assert_cmpuint(c->old_hard, ==, old_hard);
        g_assert_cmpuint(c->soft, ==, soft);
        g_assert_cmpuint(c->hard, ==, hard);
        g_assert_cmpuint(c->uid, ==, uid);
}

/* ---- the kernel's view, read independently of the daemon ---- */

static const char *const proc_labels[] = {
        "Max cpu time", "Max file size", "Max data size", "Max stack size", "Max core file size",
        "Max resident set", "Max processes", "Max open files", "Max locked memory", "Max address space",
        "Max file locks", "Max pending signals", "Max msgqueue size", "Max nice priority",
        "Max realtime priority", "Max realtime timeout",
};

static guint64 parse_proc_value(const char *s) {
        return g_str_has_prefix(s, "unlimited") ? INF : g_ascii_strtoull(s, NULL, 10);
}

void kernel_limits(pid_t pid, int resource, guint64 *soft, guint64 *hard) {
        g_autofree char *path = g_strdup_printf("/proc/%d/limits", (int) pid), *text = NULL;
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        const char *line = strstr(text, proc_labels[resource]);
        g_assert_nonnull(line);
        const char *p = line + strlen(proc_labels[resource]);
        while (*p == ' ')
                p++;
        *soft = parse_proc_value(p);
        while (*p != ' ')
                p++;
        while (*p == ' ')
                p++;
        *hard = parse_proc_value(p);
}

guint64 nofile_hard_of(pid_t pid) {
        guint64 s, h;
        kernel_limits(pid, RLIMIT_NOFILE, &s, &h);
        return h;
}

/* ---- callers ---- */

const char *destination_of(const char *method) {
        return g_str_has_suffix(method, "Pidfd") ? PIDFD_NAME : NAME;
}

GVariant *call(const char *method, GVariant *params, GError **error) {
        return g_dbus_connection_call_sync(bus, destination_of(method), PATH, IFACE, method, params, NULL,
                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
}

GVariant *get_property(const char *name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(bus, NAME, PATH, "org.freedesktop.DBus.Properties", "Get",
                                                            g_variant_new("(ss)", IFACE, name), G_VARIANT_TYPE("(v)"),
                                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        GVariant *v;
        g_variant_get(r, "(v)", &v);
        return v;
}

void assert_error(GError *error, const char *name, const char *fragment) {
        g_assert_nonnull(error);
        g_autofree char *remote = g_dbus_error_get_remote_error(error);
        g_assert_cmpstr(remote, ==, name);
        if (fragment && !strstr(error->message, fragment))
                g_error("error message '%s' lacks '%s'", error->message, fragment);
}

void result_clear(Result *r) {
        g_free(r->reply), g_free(r->err_name), g_free(r->err_msg);
}

/* Runs rcall as user (under setpriv, and under prlimit(1) with the options
 * in limits, e.g. "--nofile=400:800", so the caller starts with those). */
void rcall_as_with(const User *u, const char *const *limits, const char *const *opts, const char *method,
                   const char *sig, const char *args, Result *res) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *out = NULL, *err = NULL;
        g_autoptr(GError) error = NULL;
        int status;

        if (limits && *limits) {
                g_ptr_array_add(argv, g_strdup("prlimit"));
                for (; *limits; limits++)
                        g_ptr_array_add(argv, g_strdup(*limits));
                g_ptr_array_add(argv, g_strdup("--"));
        }
        g_ptr_array_add(argv, g_strdup("setpriv"));
        g_ptr_array_add(argv, g_strdup_printf("--reuid=%u", (unsigned) u->uid));
        g_ptr_array_add(argv, g_strdup_printf("--regid=%u", (unsigned) u->gid));
        g_ptr_array_add(argv, g_strdup("--clear-groups"));
        g_ptr_array_add(argv, g_strdup(rcall_path));
        for (; opts && *opts; opts++)
                g_ptr_array_add(argv, g_strdup(*opts));
        g_ptr_array_add(argv, g_strdup(method));
        g_ptr_array_add(argv, g_strdup(sig));
        g_ptr_array_add(argv, g_strdup(args));
        g_ptr_array_add(argv, NULL);

        g_assert_true(g_spawn_sync(NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                   &out, &err, &status, &error));
        g_assert_no_error(error);
        if (!g_spawn_check_wait_status(status, NULL))
                g_error("rcall failed: %s %s", out, err);

        *res = (Result) {};
        g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
        for (char **l = lines; *l; l++) {
                if (g_str_has_prefix(*l, "OK ")) {
                        res->ok = TRUE;
                        res->reply = g_strdup(*l + 3);
                } else if (g_str_has_prefix(*l, "ERR ")) {
                        g_auto(GStrv) p = g_strsplit(*l + 4, " ", 2);
                        res->err_name = g_strdup(p[0]);
                        res->err_msg = g_strdup(p[1] ?: "");
                } else if (g_str_has_prefix(*l, "LIMIT "))
                        sscanf(*l, "LIMIT %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &res->limit_soft, &res->limit_hard);
                else if (g_str_has_prefix(*l, "CHILD "))
                        sscanf(*l, "CHILD %d %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                               &res->child_pid, &res->child_soft, &res->child_hard);
                else if (g_str_has_prefix(*l, "USAGE "))
                        sscanf(*l, "USAGE %lf %lf %ld %ld %ld %ld", &res->utime, &res->stime, &res->maxrss,
                               &res->minflt, &res->nvcsw, &res->hwm);
                else if (g_str_has_prefix(*l, "RLIMIT ") || g_str_has_prefix(*l, "BEFORE ")) {
                        char name[32];
                        guint64 soft, hard;
                        const Resource1Rlimit *rl;
                        g_assert_cmpint(sscanf(*l + 7, "%31s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, name,
                                               &soft, &hard), ==, 3);
                        g_assert_cmpint(resource1_rlimit_from_name(name, &rl), ==, 0);
                        gboolean after = g_str_has_prefix(*l, "RLIMIT ");
                        (after ? res->all_soft : res->before_soft)[rl->number] = soft;
                        (after ? res->all_hard : res->before_hard)[rl->number] = hard;
                        res->has_all = TRUE;
                }
        }
        g_assert_true(res->ok || res->err_name);
}

/* Runs rcall as user (under prlimit when nofile is given, so the caller
 * starts with those NOFILE limits). */
void rcall_as(const User *u, const char *nofile, const char *const *opts, const char *method,
              const char *sig, const char *args, Result *res) {
        g_autofree char *nf = nofile ? g_strdup_printf("--nofile=%s", nofile) : NULL;
        const char *limits[] = { nf, NULL };
        rcall_as_with(u, limits, opts, method, sig, args, res);
}

void assert_result_error(const Result *r, const char *name, const char *fragment) {
        if (r->ok)
                g_error("expected %s, got success: %s", name, r->reply);
        g_assert_cmpstr(r->err_name, ==, name);
        if (fragment && !strstr(r->err_msg, fragment))
                g_error("error message '%s' lacks '%s'", r->err_msg, fragment);
}

/* An rcall left running in the background, its output in a pipe. */
GPid rcall_async(const User *u, const char *nofile, const char *method, const char *sig, const char *args,
                 int *out_fd) {
        g_autofree char *uid = g_strdup_printf("--reuid=%u", (unsigned) u->uid);
        g_autofree char *gid = g_strdup_printf("--regid=%u", (unsigned) u->gid);
        g_autofree char *nf = g_strdup_printf("--nofile=%s", nofile);
        const char *argv[] = { "prlimit", nf, "--", "setpriv", uid, gid, "--clear-groups", rcall_path,
                               "--limit", "NOFILE", method, sig, args, NULL };
        g_autoptr(GError) error = NULL;
        GPid pid;
        g_assert_true(g_spawn_async_with_pipes(NULL, (char **) argv, NULL,
                                               G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                               &pid, NULL, out_fd, NULL, &error));
        g_assert_no_error(error);
        return pid;
}

/* ---- target processes ---- */

GArray *sleepers;

/* A sleep as user, started under prlimit(1) with the options in limits
 * (e.g. "--core=4096:8192") when there are any. */
pid_t sleeper_with(const User *u, const char *const *limits) {
        g_autofree char *uid = g_strdup_printf("--reuid=%u", (unsigned) u->uid);
        g_autofree char *gid = g_strdup_printf("--regid=%u", (unsigned) u->gid);
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autoptr(GError) error = NULL;
        GPid pid;

        if (limits && *limits) {
                g_ptr_array_add(argv, (char *) "prlimit");
                for (; *limits; limits++)
                        g_ptr_array_add(argv, (char *) *limits);
                g_ptr_array_add(argv, (char *) "--");
        }
        for (const char *const *a = (const char *const[]) { "setpriv", uid, gid, "--clear-groups", "sleep", "600",
                                                             NULL }; *a; a++)
                g_ptr_array_add(argv, (char *) *a);
        g_ptr_array_add(argv, NULL);

        g_assert_true(g_spawn_async(NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                    G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                    NULL, NULL, &pid, &error));
        g_assert_no_error(error);
        /* Wait until setpriv has become sleep with the user's ids. */
        g_autofree char *path = g_strdup_printf("/proc/%d/comm", pid);
        for (int i = 0; i < 500; i++) {
                g_autofree char *comm = NULL;
                if (g_file_get_contents(path, &comm, NULL, NULL) && g_str_has_prefix(comm, "sleep"))
                        break;
                g_usleep(10000);
        }
        g_array_append_val(sleepers, pid);
        return pid;
}

pid_t sleeper_as(const User *u) {
        return sleeper_with(u, NULL);
}

void sleepers_kill(void) {
        for (guint i = 0; i < sleepers->len; i++) {
                pid_t p = g_array_index(sleepers, pid_t, i);
                kill(p, SIGKILL);
                waitpid(p, NULL, 0);
        }
        g_array_set_size(sleepers, 0);
}

static void copy_rcall(void) {
        /* Unprivileged users must be able to run it, wherever the build tree is. */
        g_autofree char *contents = NULL;
        gsize len;
        g_autoptr(GError) error = NULL;
        g_assert_true(g_file_get_contents(g_getenv("RCALL"), &contents, &len, &error));
        rcall_path = g_build_filename(g_getenv("RESOURCE1_FIXTURE"), "rcall", NULL);
        g_assert_true(g_file_set_contents(rcall_path, contents, len, &error));
        g_assert_cmpint(chmod(rcall_path, 0755), ==, 0);
}

void fixture_init(int *argc, char ***argv) {
        g_test_init(argc, argv, NULL);

        g_autoptr(GError) error = NULL;
        bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
        g_assert_no_error(error);
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                            "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                                            g_variant_new("(s)", NAME), G_VARIANT_TYPE("(u)"),
                                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        guint32 dp;
        g_variant_get(r, "(u)", &dp);
        daemon_pid = (pid_t) dp;
        g_autoptr(GVariant) can = get_property("CanRaiseHardLimits");
        can_raise = g_variant_get_boolean(can);
        if (!can_raise)
                g_print("# the service lacks CAP_SYS_RESOURCE here: success paths of hard-limit raises and of "
                        "changes to other users' processes are checked as the kernel's refusal\n");

        copy_rcall();
        sleepers = g_array_new(FALSE, FALSE, sizeof(pid_t));
        changed = g_array_new(FALSE, FALSE, sizeof(Changed));
        g_dbus_connection_signal_subscribe(bus, NAME, IFACE, "RlimitChanged", PATH, NULL,
                                           G_DBUS_SIGNAL_FLAGS_NONE, on_changed, NULL, NULL);
        monitor_start();
}
