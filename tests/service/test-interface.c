/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The interface as served: the daemon's introspection against the XML
 * (names, signatures, access, and every annotation but the binding
 * generators'), the properties against the daemon and the kernel, and every
 * error name from a call that provokes it. */
#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

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

int main(int argc, char *argv[]) {
        fixture_init(&argc, &argv);

        g_test_add_func("/service/introspection-equals-spec", test_introspection_equals_spec);
        g_test_add_func("/service/properties", test_properties);
        g_test_add_func("/service/every-error-name", test_every_error_name);
        return g_test_run();
}
