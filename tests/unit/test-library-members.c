/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1's rows of the interface's members (client/lib/resource1-methods.c)
 * against the specification, interfaces/org.example.Resource1.xml (the
 * first argument), so that neither can change without the other: every
 * method, property and signal has exactly one row or is left out with a
 * reason; each row has the member's signature in and out (a property's
 * type), its target (a pidfd, a pid, the caller or none) and whether it
 * changes limits as the spec says; the message built from each row has its
 * signature in, and each row's reader takes a reply of its signature out
 * and refuses one of another. And every function resource1.h declares is
 * in the version script (libresource1.sym), which exports nothing else.
 * Arguments: the XML, resource1.h, libresource1.sym. No bus: the rows are
 * the library's own objects, linked in. */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "resource1-bus.h"
#include "resource1-internal.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sd_bus_message, sd_bus_message_unref)

static char *spec_text;
static const char *header_path, *symbols_path;
static GDBusInterfaceInfo *iface;
static sd_bus *bus;       /* a connection of a socket pair, never answered: messages are made on it */

static const char *kind_name(MemberKind k) {
        return k == MEMBER_METHOD ? "method" : k == MEMBER_PROPERTY ? "property" : "signal";
}

/* The concatenated signatures of args (in or out, NULL-terminated). */
static char *signature_of(GDBusArgInfo **args) {
        GString *s = g_string_new(NULL);
        for (GDBusArgInfo **a = args; a && *a; a++)
                g_string_append(s, (*a)->signature);
        return g_string_free(s, FALSE);
}

static unsigned rows_named(const char *name, MemberKind kind) {
        unsigned n = 0;
        for (size_t i = 0; i < members_count; i++)
                n += strcmp(members[i].name, name) == 0 && members[i].kind == kind;
        return n;
}

static unsigned left_out_named(const char *name, MemberKind kind) {
        unsigned n = 0;
        for (size_t i = 0; i < members_left_out_count; i++)
                n += strcmp(members_left_out[i].name, name) == 0 && members_left_out[i].kind == kind;
        return n;
}

static void assert_one_row_or_left_out(const char *name, MemberKind kind) {
        unsigned rows = rows_named(name, kind), left = left_out_named(name, kind);
        if (rows + left != 1)
                g_error("the spec's %s %s has %u rows in libresource1 (client/lib/resource1-methods.c) and is left out "
                        "%u times: it needs exactly one row, or one entry of members_left_out with a reason",
                        kind_name(kind), name, rows, left);
}

static bool spec_has(const char *name, MemberKind kind) {
        switch (kind) {
        case MEMBER_METHOD:   return g_dbus_interface_info_lookup_method(iface, name);
        case MEMBER_PROPERTY: return g_dbus_interface_info_lookup_property(iface, name);
        case MEMBER_SIGNAL:   return g_dbus_interface_info_lookup_signal(iface, name);
        }
        return false;
}

static void test_every_member_one_row(void) {
        for (GDBusMethodInfo **m = iface->methods; m && *m; m++)
                assert_one_row_or_left_out((*m)->name, MEMBER_METHOD);
        for (GDBusPropertyInfo **p = iface->properties; p && *p; p++)
                assert_one_row_or_left_out((*p)->name, MEMBER_PROPERTY);
        for (GDBusSignalInfo **s = iface->signals; s && *s; s++)
                assert_one_row_or_left_out((*s)->name, MEMBER_SIGNAL);

        /* And nothing the spec does not have. */
        for (size_t i = 0; i < members_count; i++)
                if (!spec_has(members[i].name, members[i].kind))
                        g_error("libresource1 has a row for the %s %s, which the spec does not have",
                                kind_name(members[i].kind), members[i].name);
        for (size_t i = 0; i < members_left_out_count; i++) {
                if (!spec_has(members_left_out[i].name, members_left_out[i].kind))
                        g_error("libresource1 leaves out the %s %s, which the spec does not have",
                                kind_name(members_left_out[i].kind), members_left_out[i].name);
                g_assert_cmpuint(strlen(members_left_out[i].reason), >, 0);
        }
}

static void assert_signature(const Member *m, const char *what, const char *row, const char *spec) {
        if (strcmp(row, spec) != 0)
                g_error("the %s %s: libresource1's row has %s \"%s\", the spec \"%s\"", kind_name(m->kind), m->name,
                        what, row, spec);
}

static void test_signatures(void) {
        for (size_t i = 0; i < members_count; i++) {
                const Member *m = &members[i];
                if (m->kind == MEMBER_METHOD) {
                        GDBusMethodInfo *info = g_dbus_interface_info_lookup_method(iface, m->name);
                        g_autofree char *in = signature_of(info->in_args), *out = signature_of(info->out_args);
                        assert_signature(m, "in", m->in, in);
                        assert_signature(m, "out", m->out, out);
                } else if (m->kind == MEMBER_PROPERTY) {
                        GDBusPropertyInfo *info = g_dbus_interface_info_lookup_property(iface, m->name);
                        assert_signature(m, "in", m->in, "");
                        assert_signature(m, "out (its type)", m->out, info->signature);
                        g_assert_true(info->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE);
                } else {
                        GDBusSignalInfo *info = g_dbus_interface_info_lookup_signal(iface, m->name);
                        g_autofree char *args = signature_of(info->args);
                        assert_signature(m, "in", m->in, "");
                        assert_signature(m, "out (its arguments)", m->out, args);
                }
        }
}

/* The spec's comment before <method name="NAME">. */
static char *doc_of(const char *name) {
        g_autofree char *tag = g_strdup_printf("<method name=\"%s\">", name);
        const char *at = strstr(spec_text, tag);
        g_assert_nonnull(at);
        g_autofree char *before = g_strndup(spec_text, (size_t) (at - spec_text));
        const char *start = g_strrstr(before, "<!--"), *end = g_strrstr(before, "-->");
        g_assert_true(start && end && start < end);
        return g_strndup(start + 4, (size_t) (end - start - 4));
}

/* The first in argument of a method, if it is named name with type type. */
static bool first_in_arg_is(const GDBusMethodInfo *info, const char *name, const char *type) {
        GDBusArgInfo *a = info->in_args ? info->in_args[0] : NULL;
        return a && strcmp(a->name, name) == 0 && strcmp(a->signature, type) == 0;
}

static bool has_in_arg(const GDBusMethodInfo *info, const char *name, const char *type) {
        for (GDBusArgInfo **a = info->in_args; a && *a; a++)
                if (strcmp((*a)->name, name) == 0 && strcmp((*a)->signature, type) == 0)
                        return true;
        return false;
}

/* A method's target: its first argument, a "pidfd" (h) or a "pid" (u);
 * else the caller where its documentation says it acts on pid 0 ("(pid
 * 0: ...)"); else none. Every other member is about no process. */
static void test_targets(void) {
        for (size_t i = 0; i < members_count; i++) {
                const Member *m = &members[i];
                MemberTarget want = TARGET_NONE;
                if (m->kind == MEMBER_METHOD) {
                        GDBusMethodInfo *info = g_dbus_interface_info_lookup_method(iface, m->name);
                        g_autofree char *doc = doc_of(m->name);
                        if (first_in_arg_is(info, "pidfd", "h"))
                                want = TARGET_PIDFD;
                        else if (first_in_arg_is(info, "pid", "u"))
                                want = TARGET_PID;
                        else if (strstr(doc, "(pid 0:"))
                                want = TARGET_CALLER;
                }
                if (m->target != want)
                        g_error("the %s %s: libresource1's row has target %d, the spec says %d (0 none, 1 the caller, "
                                "2 a pid, 3 a pidfd)", kind_name(m->kind), m->name, m->target, want);
        }
}

/* Which methods change limits: those RlimitChanged's documentation names
 * ("changed by a successful SetRlimit, Prlimit, SetRlimits or their *Pidfd
 * forms"); a method with a "set" argument only when it is true. */
static void test_changes(void) {
        g_autoptr(GRegex) re = g_regex_new("changed by a successful\\s+((?:[A-Za-z]+,\\s+)*[A-Za-z]+)\\s+or their\\s+"
                                           "\\*Pidfd\\s+forms", 0, 0, NULL);
        g_autoptr(GMatchInfo) match = NULL;
        g_assert_true(g_regex_match(re, spec_text, 0, &match));
        g_autofree char *list = g_match_info_fetch(match, 1);
        g_auto(GStrv) names = g_regex_split_simple(",\\s+", list, 0, 0);
        g_autoptr(GHashTable) changers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (char **n = names; *n; n++) {
                g_assert_nonnull(g_dbus_interface_info_lookup_method(iface, *n));
                g_hash_table_add(changers, g_strdup(*n));
                g_autofree char *pidfd = g_strconcat(*n, "Pidfd", NULL);
                if (g_dbus_interface_info_lookup_method(iface, pidfd))
                        g_hash_table_add(changers, g_steal_pointer(&pidfd));
        }
        g_assert_cmpuint(g_hash_table_size(changers), >=, 3);

        for (size_t i = 0; i < members_count; i++) {
                const Member *m = &members[i];
                MemberChange want = MEMBER_READS;
                if (m->kind == MEMBER_METHOD && g_hash_table_contains(changers, m->name))
                        want = has_in_arg(g_dbus_interface_info_lookup_method(iface, m->name), "set", "b") ?
                                       MEMBER_CHANGES_IF_SET : MEMBER_CHANGES;
                if (m->change != want)
                        g_error("the %s %s: libresource1's row has change %d, the spec says %d (0 reads, 1 changes, "
                                "2 changes when set)", kind_name(m->kind), m->name, m->change, want);
        }
}

/* The message each method and property row makes: its member, at the name
 * that serves it, with the row's signature. */
static void test_messages(void) {
        Resource1 *h = NULL;
        static const int resources[] = { RLIMIT_NOFILE };
        static const Resource1Limit limits[] = { { 1, 2 } };

        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);   /* stands for a pidfd: only its number is appended */
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(resource1_new(&h), ==, 0);
        for (size_t i = 0; i < members_count; i++) {
                const Member *m = &members[i];
                if (m->kind == MEMBER_SIGNAL)
                        continue;
                g_autoptr(sd_bus_message) msg = NULL;
                Request q = REQUEST(m);
                q.strings[0] = "NOFILE";
                q.strings[1] = "self";
                q.n = 1;
                q.resources = resources;
                q.limits = limits;
                if (m->target == TARGET_PIDFD)
                        q.fd = fd;
                g_assert_cmpint(request_message(h, bus, &q, &msg), ==, 0);
                const char *sig = sd_bus_message_get_signature(msg, true);
                if (m->kind == MEMBER_PROPERTY) {
                        g_assert_cmpstr(sd_bus_message_get_member(msg), ==, "Get");
                        g_assert_cmpstr(sd_bus_message_get_interface(msg), ==, "org.freedesktop.DBus.Properties");
                        g_assert_cmpstr(sig, ==, "ss");
                } else {
                        g_assert_cmpstr(sd_bus_message_get_member(msg), ==, m->name);
                        g_assert_cmpstr(sd_bus_message_get_interface(msg), ==, RESOURCE1_INTERFACE);
                        if (strcmp(sig, m->in) != 0)
                                g_error("the method %s: the message its row makes has signature \"%s\", the row \"%s\"",
                                        m->name, sig, m->in);
                }
                g_assert_cmpstr(sd_bus_message_get_destination(msg), ==,
                                m->target == TARGET_PIDFD ? RESOURCE1_PIDFD_BUS_NAME : RESOURCE1_BUS_NAME);
                g_assert_cmpstr(sd_bus_message_get_path(msg), ==, RESOURCE1_PATH);
        }
        resource1_free(h);
        close(fd);
}

/* A value of each type the members' replies have. */
static void append_sample(sd_bus_message *m, const char *type) {
        if (strcmp(type, "") == 0)
                return;
        if (strcmp(type, "tt") == 0)
                g_assert_cmpint(sd_bus_message_append(m, "tt", (uint64_t) 1, (uint64_t) 2), >=, 0);
        else if (strcmp(type, "t") == 0)
                g_assert_cmpint(sd_bus_message_append(m, "t", (uint64_t) 4096), >=, 0);
        else if (strcmp(type, "a(stt)") == 0)
                g_assert_cmpint(sd_bus_message_append(m, "a(stt)", 1, "NOFILE", (uint64_t) 1, (uint64_t) 2), >=, 0);
        else if (strcmp(type, "sa(sss)") == 0)
                g_assert_cmpint(sd_bus_message_append(m, "sa(sss)", "challenge", 1, "NOFILE", "challenge",
                                                      "org.example.resource1.raise-hard-limit"), >=, 0);
        else if (strcmp(type, "a{sv}") == 0)
                g_assert_cmpint(sd_bus_message_append(m, "a{sv}", 1, "ru_utime", "d", 1.5), >=, 0);
        else if (strcmp(type, "usttttu") == 0)
                g_assert_cmpint(sd_bus_message_append(m, "usttttu", 7, "NOFILE", (uint64_t) 1, (uint64_t) 2,
                                                      (uint64_t) 3, (uint64_t) 4, 1000), >=, 0);
        else if (strcmp(type, "vas") == 0)
                g_assert_cmpint(sd_bus_message_append(m, "v", "as", 1, "NOFILE"), >=, 0);
        else if (strcmp(type, "vs") == 0)
                g_assert_cmpint(sd_bus_message_append(m, "v", "s", "1.0"), >=, 0);
        else if (strcmp(type, "vb") == 0)
                g_assert_cmpint(sd_bus_message_append(m, "v", "b", 1), >=, 0);
        else
                g_error("no sample of type \"%s\": this test learns it with the member", type);
}

/* A sealed message with a value of type, to read as a reply. */
static sd_bus_message *reply_of(const char *type) {
        static uint64_t cookie = 1;
        sd_bus_message *m = NULL;
        g_assert_cmpint(sd_bus_message_new_signal(bus, &m, RESOURCE1_PATH, RESOURCE1_INTERFACE, "Reply"), ==, 0);
        append_sample(m, type);
        g_assert_cmpint(sd_bus_message_seal(m, cookie++, 0), ==, 0);
        return m;
}

/* Each row's reader takes a reply of the row's type out (a property's:
 * Properties.Get's variant of it), and refuses one of another type. */
static void test_readers(void) {
        static const int resources[] = { RLIMIT_NOFILE };

        for (size_t i = 0; i < members_count; i++) {
                const Member *m = &members[i];
                g_autofree char *type = m->kind == MEMBER_PROPERTY ? g_strconcat("v", m->out, NULL) : g_strdup(m->out);
                Request q = REQUEST(m);
                q.n = 1;
                q.resources = resources;
                Result res = {};

                g_assert_nonnull(m->read);
                g_autoptr(sd_bus_message) good = reply_of(type);
                int r = m->read(good, &q, &res);
                if (r < 0)
                        g_error("the %s %s: its reader refuses a reply of its type \"%s\": %s", kind_name(m->kind),
                                m->name, type, strerror(-r));
                result_done(&res);

                if (strcmp(type, "") == 0)
                        continue;   /* nothing to read: nothing to refuse */
                res = (Result) {};
                g_autoptr(sd_bus_message) bad = reply_of(strcmp(type, "t") == 0 ? "vb" : "t");
                if (m->read(bad, &q, &res) >= 0)
                        g_error("the %s %s: its reader takes a reply of another type than its \"%s\"",
                                kind_name(m->kind), m->name, type);
                result_done(&res);
        }
}

/* Every match of group 1 of pattern in the file at path, as a set. */
static GHashTable *matches_in(const char *path, const char *pattern) {
        g_autofree char *text = NULL;
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GRegex) re = g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        for (g_regex_match(re, text, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL))
                g_hash_table_add(set, g_match_info_fetch(m, 1));
        return set;
}

/* The public functions: declared in resource1.h (a declaration starts its
 * line with its type; the static inline helpers are the program's own) and
 * named in the version script, which keeps every other symbol local. */
static void test_exports(void) {
        g_autoptr(GHashTable) declared = matches_in(header_path, "^(?!static)[A-Za-z][A-Za-z0-9_ ]*[ *](resource1_[a-z0-9_]+)\\(");
        g_autoptr(GHashTable) exported = matches_in(symbols_path, "^\\s+(resource1_[a-z0-9_]+);");
        GHashTableIter i;
        const char *k;
        g_hash_table_iter_init(&i, declared);
        while (g_hash_table_iter_next(&i, (gpointer *) &k, NULL))
                if (!g_hash_table_contains(exported, k))
                        g_error("resource1.h declares %s, libresource1.sym does not export it", k);
        g_hash_table_iter_init(&i, exported);
        while (g_hash_table_iter_next(&i, (gpointer *) &k, NULL))
                if (!g_hash_table_contains(declared, k))
                        g_error("libresource1.sym exports %s, resource1.h does not declare it", k);
        g_assert_cmpuint(g_hash_table_size(declared), >, 40);
}

int main(int argc, char *argv[]) {
        int fds[2];

        g_test_init(&argc, &argv, NULL);
        g_assert_cmpint(argc, ==, 4);
        header_path = argv[2];
        symbols_path = argv[3];
        g_autoptr(GError) error = NULL;
        g_assert_true(g_file_get_contents(argv[1], &spec_text, NULL, &error));
        g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(spec_text, &error);
        g_assert_no_error(error);
        iface = g_dbus_node_info_lookup_interface(node, RESOURCE1_INTERFACE);
        g_assert_nonnull(iface);

        /* Messages are made on a connection that is started (sd-bus makes
         * none on one that is not) and that takes descriptors, but is never
         * answered. */
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
        g_assert_cmpint(sd_bus_new(&bus), ==, 0);
        g_assert_cmpint(sd_bus_set_fd(bus, fds[0], fds[0]), ==, 0);
        g_assert_cmpint(sd_bus_negotiate_fds(bus, 1), ==, 0);
        g_assert_cmpint(sd_bus_start(bus), ==, 0);

        g_test_add_func("/library-members/every-member-one-row", test_every_member_one_row);
        g_test_add_func("/library-members/signatures", test_signatures);
        g_test_add_func("/library-members/targets", test_targets);
        g_test_add_func("/library-members/changes", test_changes);
        g_test_add_func("/library-members/messages", test_messages);
        g_test_add_func("/library-members/readers", test_readers);
        g_test_add_func("/library-members/exports", test_exports);
        int r = g_test_run();

        sd_bus_close_unref(bus);   /* not flushed: nothing reads the other end */
        close(fds[1]);
        return r;
}
