/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The real resource1d on a private system bus with a real polkitd (see
 * with-bus.sh), called by GDBus as root, and by rcall, busctl and gdbus as
 * other users. Test rules (tests/test.rules): polkit says yes to "daemon", no
 * to "bin", asks "sys" to authenticate; "nobody" gets the actions' defaults
 * (auth_admin: a challenge with no agent); "games" gets the shipped example
 * rule (its group named "games" here). */
#include <fcntl.h>
#include <math.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resource1-names.h"

#define NAME "org.example.Resource1"
#define PATH "/org/example/Resource1"
#define IFACE NAME
#define INF G_MAXUINT64
#define ERR_PREFIX "org.example.Resource1.Error."
#define IAR "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"

typedef struct User { const char *name; uid_t uid; gid_t gid; } User;
static const User U_ROOT = { "root", 0, 0 };
static const User U_YES = { "daemon", 1, 1 };       /* polkit: yes */
static const User U_NO = { "bin", 2, 2 };           /* polkit: no */
static const User U_CHALLENGE = { "sys", 3, 3 };    /* polkit: auth_admin */
static const User U_NOBODY = { "nobody", 65534, 65534 };
static const User U_GAMES = { "games", 5, 60 };     /* the example rule */

static GDBusConnection *bus;
static char *rcall_path;
static gboolean can_raise;
static pid_t daemon_pid;

/* ---- what polkitd is asked, seen by a bus monitor ---- */

typedef struct Check { char *action; guint32 flags; GHashTable *details; char *subject_kind; char *cancel_id; } Check;

static GMutex mon_lock;
static GCond mon_cond;
static GPtrArray *checks;   /* Check* */
static GPtrArray *cancels;  /* the cancellation ids of CancelCheckAuthorization calls, char* */
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
static void sync_bus(void) {
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

static guint checks_reset(void) {
        sync_bus();
        g_mutex_lock(&mon_lock);
        guint n = checks->len;
        g_ptr_array_set_size(checks, 0);
        g_mutex_unlock(&mon_lock);
        return n;
}

/* ---- RlimitChanged ---- */

typedef struct Changed { guint32 pid; char *resource; guint64 soft, hard; guint32 uid; } Changed;
static GArray *changed;

static void on_changed(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                       const char *signal, GVariant *params, gpointer u) {
        Changed ch;
        g_variant_get(params, "(usttu)", &ch.pid, &ch.resource, &ch.soft, &ch.hard, &ch.uid);
        g_array_append_val(changed, ch);
}

static guint changed_reset(void) {
        sync_bus();
        guint n = changed->len;
        for (guint i = 0; i < n; i++)
                g_free(g_array_index(changed, Changed, i).resource);
        g_array_set_size(changed, 0);
        return n;
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

static void kernel_limits(pid_t pid, int resource, guint64 *soft, guint64 *hard) {
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

/* A (tt) reply equals what the kernel shows for pid's resource. */
static void assert_limits_reply(GVariant *r, pid_t pid, int resource) {
        guint64 s, h, ks, kh;
        g_variant_get(r, "(tt)", &s, &h);
        kernel_limits(pid, resource, &ks, &kh);
        g_assert_cmpuint(s, ==, ks);
        g_assert_cmpuint(h, ==, kh);
}

/* ---- callers ---- */

static GVariant *call(const char *method, GVariant *params, GError **error) {
        return g_dbus_connection_call_sync(bus, NAME, PATH, IFACE, method, params, NULL,
                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
}

static void assert_error(GError *error, const char *name, const char *fragment) {
        g_assert_nonnull(error);
        g_autofree char *remote = g_dbus_error_get_remote_error(error);
        g_assert_cmpstr(remote, ==, name);
        if (fragment && !strstr(error->message, fragment))
                g_error("error message '%s' lacks '%s'", error->message, fragment);
}

typedef struct Result {
        gboolean ok;
        char *reply, *err_name, *err_msg;
        guint64 limit_soft, limit_hard;
        int child_pid;
        guint64 child_soft, child_hard;
        double utime, stime;
        long maxrss, minflt, nvcsw, hwm;
        gboolean has_all;                        /* rcall --all-limits: the caller's own, before and after */
        guint64 before_soft[RLIM_NLIMITS], before_hard[RLIM_NLIMITS];
        guint64 all_soft[RLIM_NLIMITS], all_hard[RLIM_NLIMITS];
} Result;

static void result_clear(Result *r) {
        g_free(r->reply), g_free(r->err_name), g_free(r->err_msg);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Result, result_clear)

/* Runs rcall as user (under setpriv, and under prlimit(1) with the options
 * in limits, e.g. "--nofile=400:800", so the caller starts with those). */
static void rcall_as_with(const User *u, const char *const *limits, const char *const *opts, const char *method,
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
static void rcall_as(const User *u, const char *nofile, const char *const *opts, const char *method,
                     const char *sig, const char *args, Result *res) {
        g_autofree char *nf = nofile ? g_strdup_printf("--nofile=%s", nofile) : NULL;
        const char *limits[] = { nf, NULL };
        rcall_as_with(u, limits, opts, method, sig, args, res);
}

static void assert_result_error(const Result *r, const char *name, const char *fragment) {
        if (r->ok)
                g_error("expected %s, got success: %s", name, r->reply);
        g_assert_cmpstr(r->err_name, ==, name);
        if (fragment && !strstr(r->err_msg, fragment))
                g_error("error message '%s' lacks '%s'", r->err_msg, fragment);
}

/* ---- target processes ---- */

static GArray *sleepers;

/* A sleep as user, started under prlimit(1) with the options in limits
 * (e.g. "--core=4096:8192") when there are any. */
static pid_t sleeper_with(const User *u, const char *const *limits) {
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

static pid_t sleeper_as(const User *u) {
        return sleeper_with(u, NULL);
}

static void sleepers_kill(void) {
        for (guint i = 0; i < sleepers->len; i++) {
                pid_t p = g_array_index(sleepers, pid_t, i);
                kill(p, SIGKILL);
                waitpid(p, NULL, 0);
        }
        g_array_set_size(sleepers, 0);
}

static guint64 nofile_hard_of(pid_t pid) {
        guint64 s, h;
        kernel_limits(pid, RLIMIT_NOFILE, &s, &h);
        return h;
}

/* ---- tests ---- */

/* Annotations that steer binding generators (org.qtproject.QtDBus.* for Qt's
 * qdbusxml2cpp, org.gtk.GDBus.* for gdbus-codegen) are in the spec for them
 * only: they are not part of the interface on the wire, the daemon does not
 * serve them, and the comparison skips them. Every other annotation must be
 * served exactly as the spec has it, and none that the spec lacks. */
static gboolean is_binding_annotation(const char *name) {
        return g_str_has_prefix(name, "org.qtproject.QtDBus.") || g_str_has_prefix(name, "com.trolltech.QtDBus.") ||
               g_str_has_prefix(name, "org.gtk.GDBus.");
}

static const char *annotation_value(GDBusAnnotationInfo **a, const char *name) {
        const char *v = g_dbus_annotation_info_lookup(a, name);
        /* An absent EmitsChangedSignal means its default, "true". */
        if (!v && strcmp(name, "org.freedesktop.DBus.Property.EmitsChangedSignal") == 0)
                return "true";
        return v;
}

static void compare_annotations(GDBusAnnotationInfo **spec, GDBusAnnotationInfo **live, const char *what) {
        GDBusAnnotationInfo **sides[] = { spec, live };
        for (guint side = 0; side < G_N_ELEMENTS(sides); side++)
                for (guint i = 0; sides[side] && sides[side][i]; i++) {
                        const char *name = sides[side][i]->key;
                        if (is_binding_annotation(name))
                                continue;
                        const char *sv = annotation_value(spec, name), *lv = annotation_value(live, name);
                        if (g_strcmp0(sv, lv) != 0)
                                g_error("%s: annotation %s is \"%s\" in the spec but \"%s\" as served", what, name,
                                        sv ?: "(absent)", lv ?: "(absent)");
                }
}

static void compare_args(GDBusArgInfo **a, GDBusArgInfo **b, const char *what) {
        guint n = 0;
        for (; a && a[n]; n++) {
                g_assert_nonnull(b[n]);
                g_assert_cmpstr(a[n]->name, ==, b[n]->name);
                g_assert_cmpstr(a[n]->signature, ==, b[n]->signature);
                compare_annotations(a[n]->annotations, b[n]->annotations, what);
        }
        if (b)
                g_assert_null(b[n]);
        g_test_message("%s: %u args agree", what, n);
}

static void test_introspection_equals_spec(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *spec_xml = NULL;
        const char *spec_path = g_getenv("RESOURCE1_SPEC");
        g_assert_nonnull(spec_path);
        g_assert_true(g_file_get_contents(spec_path, &spec_xml, NULL, &error));

        g_autoptr(GVariant) r = g_dbus_connection_call_sync(bus, NAME, PATH, "org.freedesktop.DBus.Introspectable",
                                                            "Introspect", NULL, G_VARIANT_TYPE("(s)"),
                                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        const char *live_xml;
        g_variant_get(r, "(&s)", &live_xml);

        g_autoptr(GDBusNodeInfo) spec = g_dbus_node_info_new_for_xml(spec_xml, &error);
        g_assert_no_error(error);
        g_autoptr(GDBusNodeInfo) live = g_dbus_node_info_new_for_xml(live_xml, &error);
        g_assert_no_error(error);
        GDBusInterfaceInfo *s = g_dbus_node_info_lookup_interface(spec, IFACE);
        GDBusInterfaceInfo *l = g_dbus_node_info_lookup_interface(live, IFACE);
        g_assert_nonnull(s);
        g_assert_nonnull(l);

        compare_annotations(s->annotations, l->annotations, IFACE);
        guint n;
        for (n = 0; s->methods[n]; n++) {
                GDBusMethodInfo *lm = g_dbus_interface_info_lookup_method(l, s->methods[n]->name);
                if (!lm)
                        g_error("method %s of the spec is not served", s->methods[n]->name);
                compare_args(s->methods[n]->in_args, lm->in_args, s->methods[n]->name);
                compare_args(s->methods[n]->out_args, lm->out_args, s->methods[n]->name);
                compare_annotations(s->methods[n]->annotations, lm->annotations, s->methods[n]->name);
        }
        for (guint i = 0; l->methods[i]; i++)
                if (!g_dbus_interface_info_lookup_method(s, l->methods[i]->name))
                        g_error("method %s is served but not in the spec", l->methods[i]->name);
        for (guint i = 0; l->methods[i]; i++)
                g_assert_cmpuint(i, <, n);

        guint ns;
        for (ns = 0; s->signals[ns]; ns++) {
                GDBusSignalInfo *ls = g_dbus_interface_info_lookup_signal(l, s->signals[ns]->name);
                g_assert_nonnull(ls);
                compare_args(s->signals[ns]->args, ls->args, s->signals[ns]->name);
                compare_annotations(s->signals[ns]->annotations, ls->annotations, s->signals[ns]->name);
        }
        for (guint i = 0; l->signals[i]; i++)
                g_assert_nonnull(g_dbus_interface_info_lookup_signal(s, l->signals[i]->name));

        guint np;
        for (np = 0; s->properties[np]; np++) {
                GDBusPropertyInfo *lp = g_dbus_interface_info_lookup_property(l, s->properties[np]->name);
                g_assert_nonnull(lp);
                g_assert_cmpstr(lp->signature, ==, s->properties[np]->signature);
                g_assert_cmpint(lp->flags, ==, s->properties[np]->flags);
                compare_annotations(s->properties[np]->annotations, lp->annotations, s->properties[np]->name);
        }
        for (guint i = 0; l->properties[i]; i++)
                g_assert_nonnull(g_dbus_interface_info_lookup_property(s, l->properties[i]->name));
        g_test_message("%u methods, %u signals, %u properties agree with the spec", n, ns, np);
}

static GVariant *get_property(const char *name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(bus, NAME, PATH, "org.freedesktop.DBus.Properties", "Get",
                                                            g_variant_new("(ss)", IFACE, name), G_VARIANT_TYPE("(v)"),
                                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        GVariant *v;
        g_variant_get(r, "(v)", &v);
        return v;
}

static void test_properties(void) {
        g_autoptr(GVariant) res = get_property("Resources");
        gsize n;
        g_autofree const char **names = g_variant_get_strv(res, &n);
        g_assert_cmpuint(n, ==, resource1_rlimits_count);
        for (gsize i = 0; i < n; i++)
                g_assert_cmpstr(names[i], ==, resource1_rlimits[i].name);

        g_autoptr(GVariant) inf = get_property("Infinity");
        g_assert_cmpuint(g_variant_get_uint64(inf), ==, G_MAXUINT64);
        g_autoptr(GVariant) ver = get_property("Version");
        g_assert_cmpstr(g_variant_get_string(ver, NULL), ==, PROJECT_VERSION);

        /* The daemon's own effective capabilities, as the kernel shows them. */
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) daemon_pid), *status = NULL;
        g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
        const char *cap = strstr(status, "CapEff:");
        g_assert_nonnull(cap);
        guint64 eff = g_ascii_strtoull(cap + 7, NULL, 16);
        g_autoptr(GVariant) can = get_property("CanRaiseHardLimits");
        g_assert_cmpint(g_variant_get_boolean(can), ==, (eff >> 24) & 1);
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
        Changed *c = &g_array_index(changed, Changed, 0);
        g_assert_cmpuint(c->pid, ==, (guint32) child);
        g_assert_cmpstr(c->resource, ==, "NOFILE");
        g_assert_cmpuint(c->soft, ==, 50);
        g_assert_cmpuint(c->hard, ==, 500);
        g_assert_cmpuint(c->uid, ==, 0);
        changed_reset();

        /* hard up: root asks no one; the kernel decides */
        g_autoptr(GVariant) r3 = call("Prlimit", g_variant_new("(usbtt)", (guint32) child, "NOFILE", TRUE,
                                                               (guint64) 500, (guint64) 2000), &error);
        if (can_raise) {
                g_assert_no_error(error);
                g_assert_cmpuint(nofile_hard_of(child), ==, 2000);
                g_assert_cmpuint(changed_reset(), ==, 1);
        } else {
                assert_error(error, ERR_PREFIX "PermissionDenied", "kernel refused");
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
        Changed *c = &g_array_index(changed, Changed, 0);
        g_assert_cmpuint(c->uid, ==, U_NOBODY.uid);
        g_assert_cmpstr(c->resource, ==, "NOFILE");
        g_assert_cmpuint(c->soft, ==, 100);
        g_assert_cmpuint(c->hard, ==, 700);
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

static void check_freep(Check **c) {
        if (*c)
                check_free(*c);
}

static Check *only_check(void) {
        sync_bus();
        g_mutex_lock(&mon_lock);
        g_assert_cmpuint(checks->len, ==, 1);
        Check *c = g_ptr_array_steal_index(checks, 0);
        g_mutex_unlock(&mon_lock);
        return c;
}

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
                                        assert_result_error(&res, ERR_PREFIX "PermissionDenied", "kernel refused");
                                        g_assert_cmpuint(res.limit_hard, ==, 800);
                                        g_test_message("success path not exercised: no CAP_SYS_RESOURCE here; "
                                                       "polkit's yes followed by the kernel's refusal was checked");
                                }
                        } else {
                                assert_result_error(&res, rows[i].error, rows[i].fragment);
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
                { &U_ROOT, ERR_PREFIX "PermissionDenied", "kernel refused", 0 },
                { &U_YES, ERR_PREFIX "PermissionDenied", "kernel refused", 1 },
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
                assert_result_error(&res, ERR_PREFIX "PermissionDenied", "kernel refused");
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
                assert_result_error(&ok, ERR_PREFIX "PermissionDenied", "kernel refused");

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

/* The checks polkitd was asked since the last reset, in order, taken. */
static GPtrArray *checks_take(void) {
        sync_bus();
        g_mutex_lock(&mon_lock);
        GPtrArray *taken = g_ptr_array_new_with_free_func(check_free);
        for (guint i = 0; i < checks->len; i++)
                g_ptr_array_add(taken, g_ptr_array_steal_index(checks, i--));
        g_mutex_unlock(&mon_lock);
        return taken;
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
                assert_error(error, ERR_PREFIX "PermissionDenied", "the kernel refused NOFILE");
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
                assert_error(error, ERR_PREFIX "PermissionDenied", "the kernel refused NOFILE");
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
                assert_result_error(&res, ERR_PREFIX "PermissionDenied", "the kernel refused");
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
                assert_result_error(&res, ERR_PREFIX "PermissionDenied", "the kernel refused");
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
                assert_result_error(&res2, ERR_PREFIX "PermissionDenied", "the kernel refused");
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
                assert_error(error, ERR_PREFIX "PermissionDenied", "the kernel refused");
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
                        assert_result_error(&res, ERR_PREFIX "PermissionDenied", "the kernel refused");
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
        return g_dbus_connection_call_with_unix_fd_list_sync(bus, NAME, PATH, IFACE, method, params, NULL,
                                                             G_DBUS_CALL_FLAGS_NONE, -1, fds, NULL, NULL, error);
}

static void assert_changed(guint i, pid_t pid, const char *resource, guint64 soft, guint64 hard, uid_t uid) {
        Changed *c = &g_array_index(changed, Changed, i);
        if (pid > 0)
                g_assert_cmpuint(c->pid, ==, (guint32) pid);
        g_assert_cmpstr(c->resource, ==, resource);
        g_assert_cmpuint(c->soft, ==, soft);
        g_assert_cmpuint(c->hard, ==, hard);
        g_assert_cmpuint(c->uid, ==, uid);
}

/* (e) a batch carried out: the old limits in the order given, one
 * RlimitChanged per limit; the same by pidfd. */
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
        assert_changed(0, child, "NOFILE", 100, 200, 0);
        assert_changed(1, child, "CORE", 0, 4096, 0);
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
        assert_changed(0, child, "STACK", 4194304, 8388608, 0);
        assert_changed(1, child, "NOFILE", 50, 100, 0);
        changed_reset();
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
        assert_changed(0, 0, "FSIZE", 50000, 200000, U_NOBODY.uid);
        assert_changed(1, 0, "NOFILE", 300, 700, U_NOBODY.uid);
        g_assert_cmpuint(g_array_index(changed, Changed, 0).pid, ==, g_array_index(changed, Changed, 1).pid);
        changed_reset();
        g_assert_cmpuint(checks_reset(), ==, 0);
        sleepers_kill();
}

static int pidfd_call(int fd, const char *res, gboolean set, guint64 s, guint64 h, guint64 *os, guint64 *oh,
                      GError **error) {
        g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
        int idx = g_unix_fd_list_append(fds, fd, error);
        g_assert_cmpint(idx, ==, 0);
        g_autoptr(GVariant) r = g_dbus_connection_call_with_unix_fd_list_sync(
                bus, NAME, PATH, IFACE, "PrlimitPidfd", g_variant_new("(hsbtt)", idx, res, set, s, h), NULL,
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

        /* not a pidfd */
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(pidfd_call(nul, "NOFILE", FALSE, 0, 0, &s, &h, &error), ==, -1);
        assert_error(error, ERR_PREFIX "Failed", "not a pidfd");
        g_clear_error(&error);
        close(nul);

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

static void test_every_error_name(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = NULL;

        r = call("GetRlimit", g_variant_new("(s)", "BOGUS"), &error);
        assert_error(error, ERR_PREFIX "InvalidResource", "'BOGUS'");
        g_clear_error(&error);

        r = call("GetRlimit", g_variant_new("(s)", "RLIMIT_VMEM"), &error);
        assert_error(error, ERR_PREFIX "InvalidResource", "not available on this platform");
        g_clear_error(&error);

        r = call("Prlimit", g_variant_new("(usbtt)", 0, "FSIZE", FALSE, 0, 0), &error);
        g_assert_no_error(error);
        g_clear_pointer(&r, g_variant_unref);

        r = call("SetRlimit", g_variant_new("(stt)", "NOFILE", (guint64) 4096, (guint64) 1024), &error);
        assert_error(error, ERR_PREFIX "InvalidLimits", "soft limit 4096 exceeds hard limit 1024 for NOFILE");
        g_clear_error(&error);

        r = call("SetRlimit", g_variant_new("(stt)", "NOFILE", (guint64) 10, INF), &error);
        assert_error(error, ERR_PREFIX "InvalidLimits", "exceeds the system-imposed limit fs.nr_open");
        g_clear_error(&error);

        r = call("GetRusage", g_variant_new("(us)", 0, "everyone"), &error);
        assert_error(error, ERR_PREFIX "InvalidWho", "'everyone'");
        g_clear_error(&error);

        /* a pid that cannot exist (above pid_max's ceiling) and one that just exited */
        r = call("Prlimit", g_variant_new("(usbtt)", (guint32) 0x7ffffff0, "NOFILE", FALSE, 0, 0), &error);
        assert_error(error, ERR_PREFIX "NoSuchProcess", NULL);
        g_clear_error(&error);
        pid_t gone = sleeper_as(&U_ROOT);
        sleepers_kill();
        r = call("ListRlimits", g_variant_new("(u)", (guint32) gone), &error);
        assert_error(error, ERR_PREFIX "NoSuchProcess", NULL);
        g_clear_error(&error);
        r = call("GetRusage", g_variant_new("(us)", (guint32) gone, "self"), &error);
        assert_error(error, ERR_PREFIX "NoSuchProcess", NULL);
        g_clear_error(&error);

        /* wrong argument types are the bus's InvalidArgs */
        r = g_dbus_connection_call_sync(bus, NAME, PATH, IFACE, "GetRlimit", g_variant_new("(u)", 7), NULL,
                                        G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        assert_error(error, "org.freedesktop.DBus.Error.InvalidArgs", NULL);
        g_clear_error(&error);

        /* PermissionDenied, InteractiveAuthorizationRequired and Failed are
         * provoked in the matrix and pidfd tests. */
        g_assert_cmpuint(checks_reset(), ==, 0);
        g_assert_cmpuint(changed_reset(), ==, 0);
}

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
         * PrlimitPidfd is exercised through GDBus (root) and rcall (other users) instead. */
        g_autofree char *h = run((const char *[]) { BUSCTL, "PrlimitPidfd", "hsbtt", "0", "NOFILE", "false", "0", "0", NULL },
                                 FALSE);
        g_test_message("busctl cannot pass a pidfd here (%s): PrlimitPidfd checked through GDBus instead", g_strstrip(h));
#undef BUSCTL

        /* busctl as an unprivileged user, refused: its exit status says so */
        g_autofree char *y = run((const char *[]) { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                                    "busctl", "--system", "call", NAME, PATH, IFACE, "Prlimit",
                                                    "usbtt", pid, "NOFILE", "true", "1", "1", NULL }, FALSE);
        g_assert_nonnull(strstr(y, "manage-other"));
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

static guint checks_seen(void) {
        g_mutex_lock(&mon_lock);
        guint n = checks->len;
        g_mutex_unlock(&mon_lock);
        return n;
}

/* An rcall left running in the background, its output in a pipe. */
static GPid rcall_async(const User *u, const char *nofile, const char *method, const char *sig, const char *args,
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

static void wait_for_checks(guint n) {
        for (int i = 0; i < 1000 && checks_seen() < n; i++)
                g_usleep(10000);
        g_assert_cmpuint(checks_seen(), ==, n);
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
                g_assert_nonnull(strstr(buf, "kernel refused"));
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

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

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

        g_test_add_func("/service/introspection-equals-spec", test_introspection_equals_spec);
        g_test_add_func("/service/properties", test_properties);
        g_test_add_func("/service/page-size", test_page_size);
        g_test_add_func("/service/get-rlimit-is-the-callers-own", test_get_rlimit_is_the_callers_own);
        g_test_add_func("/service/list-rlimits-equals-proc", test_list_rlimits_equals_proc);
        g_test_add_func("/service/prlimit-get-child-and-other-user", test_prlimit_get_child_and_other_user);
        g_test_add_func("/service/root-changes-own-child-without-polkit", test_root_changes_own_child_without_polkit);
        g_test_add_func("/service/owner-lowers-and-raises-soft-without-polkit", test_owner_lowers_and_raises_soft_without_polkit);
        g_test_add_func("/service/unprivileged-caller-on-its-child", test_unprivileged_caller_on_its_child);
        g_test_add_func("/service/hard-raise-matrix", test_hard_raise_matrix);
        g_test_add_func("/service/other-user-matrix", test_other_user_matrix);
        g_test_add_func("/service/example-rule", test_example_rule);
        g_test_add_func("/service/set-rlimits-refused-last-restores-all", test_set_rlimits_refused_last_restores_all);
        g_test_add_func("/service/set-rlimits-asks-each-action-once", test_set_rlimits_asks_each_action_once);
        g_test_add_func("/service/set-rlimits-example-rule", test_set_rlimits_example_rule);
        g_test_add_func("/service/set-rlimits-invalid", test_set_rlimits_invalid);
        g_test_add_func("/service/set-rlimits-signals-once-per-limit", test_set_rlimits_signals_once_per_limit);
        g_test_add_func("/service/prlimit-pidfd", test_prlimit_pidfd);
        g_test_add_func("/service/get-rusage", test_get_rusage);
        g_test_add_func("/service/every-error-name", test_every_error_name);
        g_test_add_func("/service/busctl-every-method", test_busctl_every_method);
        g_test_add_func("/service/gdbus-every-method", test_gdbus_every_method);
        g_test_add_func("/service/serves-others-while-polkit-is-pending", test_serves_others_while_polkit_is_pending);
        g_test_add_func("/service/caller-disconnects-while-polkit-is-pending", test_caller_disconnects_while_polkit_is_pending);
        g_test_add_func("/service/pending-checks-bounded-per-uid", test_pending_checks_bounded_per_uid);
        g_test_add_func("/service/pid-reuse-while-pending-acts-on-no-other-process",
                        test_pid_reuse_while_pending_acts_on_no_other_process);
        g_test_add_func("/service/setuid-target-is-not-the-callers", test_setuid_target_is_not_the_callers);
        g_test_add_func("/service/polkit-absent-fails-closed-and-recovers", test_polkit_absent_fails_closed_and_recovers);
        return g_test_run();
}
