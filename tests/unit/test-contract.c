/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The C side of the bus contract (interfaces/resource1-bus.h, the error map
 * of resource1-errors.c, the names table of resource1-names.c) against the
 * specification beside it, interfaces/org.example.Resource1.xml (the first
 * argument): the bus name, object path and interface; the error names of
 * its ERRORS section and those of the map, as sets; the resource names,
 * aliases and other platforms' names of RESOURCE NAMES; GetRusage's who
 * names and fields. No bus: the XML is read and parsed here. */
#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "resource1-bus.h"
#include "resource1-errors.h"
#include "resource1-names.h"

static char *spec_text;      /* the whole file */
static char *spec_comment;   /* the comment before <node>: the prose of the spec */

/* The lines of the spec's comment from the one that is exactly "  TITLE" to
 * the next section title (two spaces, then upper case) or the end. */
static char *section(const char *title) {
        g_auto(GStrv) lines = g_strsplit(spec_comment, "\n", -1);
        g_autofree char *head = g_strdup_printf("  %s", title);
        GString *out = g_string_new(NULL);
        bool in = false;
        for (char **l = lines; *l; l++) {
                bool is_title = strncmp(*l, "  ", 2) == 0 && g_ascii_isupper((*l)[2]);
                if (in && is_title)
                        break;
                if (in)
                        g_string_append_printf(out, "%s\n", *l);
                else if (is_title && g_str_has_prefix(*l, head) &&
                         ((*l)[strlen(head)] == '\0' || (*l)[strlen(head)] == ' '))
                        in = true;
        }
        g_assert_true(in);
        return g_string_free(out, FALSE);
}

/* The value after "LABEL" at the start of a line of the comment ("  Bus name:  X"). */
static char *header_value(const char *label) {
        g_autofree char *pattern = g_strdup_printf("^  %s\\s+(\\S+)\\s*$", label);
        g_autoptr(GRegex) re = g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        g_assert_true(g_regex_match(re, spec_comment, 0, &m));
        return g_match_info_fetch(m, 1);
}

/* Every match of group 1 of pattern in text, as a set. */
static GHashTable *matches(const char *pattern, const char *text, GRegexCompileFlags flags) {
        GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GRegex) re = g_regex_new(pattern, flags, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        g_assert_nonnull(re);
        for (g_regex_match(re, text, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL))
                g_hash_table_add(set, g_match_info_fetch(m, 1));
        return set;
}

static void assert_same_set(GHashTable *spec, GHashTable *c, const char *what) {
        GHashTableIter i;
        const char *k;
        g_hash_table_iter_init(&i, spec);
        while (g_hash_table_iter_next(&i, (gpointer *) &k, NULL))
                if (!g_hash_table_contains(c, k))
                        g_error("%s: the spec names %s, the C side does not", what, k);
        g_hash_table_iter_init(&i, c);
        while (g_hash_table_iter_next(&i, (gpointer *) &k, NULL))
                if (!g_hash_table_contains(spec, k))
                        g_error("%s: the C side has %s, the spec does not name it", what, k);
        g_assert_cmpuint(g_hash_table_size(spec), ==, g_hash_table_size(c));
        g_assert_cmpuint(g_hash_table_size(spec), >, 0);
}

static GHashTable *set_of(const char *const *names, size_t n) {
        GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (size_t i = 0; i < n; i++)
                g_hash_table_add(set, g_strdup(names[i]));
        return set;
}

static void test_bus_name_path_interface(void) {
        g_autofree char *name = header_value("Bus name:");
        g_autofree char *object = header_value("Object:");
        g_autofree char *iface = header_value("Interface:");
        g_assert_cmpstr(name, ==, RESOURCE1_BUS_NAME);
        g_assert_cmpstr(object, ==, RESOURCE1_PATH);
        g_assert_cmpstr(iface, ==, RESOURCE1_INTERFACE);

        /* The introspection data itself: the node's path, its one interface. */
        g_autoptr(GError) error = NULL;
        g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(spec_text, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(node->path, ==, RESOURCE1_PATH);
        g_assert_nonnull(node->interfaces[0]);
        g_assert_null(node->interfaces[1]);
        g_assert_cmpstr(node->interfaces[0]->name, ==, RESOURCE1_INTERFACE);
}

static void test_error_names(void) {
        g_autofree char *errors = section("ERRORS");
        /* A name starts its line: "    org.example.Resource1.Error.Failed   OSError: ..." */
        g_autoptr(GHashTable) spec = matches("^\\s+((?:[A-Za-z0-9_]+\\.)+Error\\.[A-Za-z0-9_]+)\\b", errors,
                                             G_REGEX_MULTILINE);

        /* The map holds every name the spec lists, but InvalidArgs: sd-bus's
         * own answer to arguments of the wrong type, which the service never
         * sends itself, so no errno of the map's stands for it. */
        g_autoptr(GHashTable) map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (const sd_bus_error_map *m = resource1_error_map; m->name; m++) {
                g_assert_false(g_hash_table_contains(map, m->name));
                g_assert_cmpint(m->code, >, 0);
                g_hash_table_add(map, g_strdup(m->name));
                /* One errno, one meaning: only the three Invalid* names,
                 * all EINVAL, share theirs. */
                for (const sd_bus_error_map *o = resource1_error_map; o < m; o++)
                        if (o->code == m->code && m->code != EINVAL)
                                g_error("%s and %s are both errno %d", o->name, m->name, m->code);
        }
        g_assert_true(g_hash_table_contains(spec, SD_BUS_ERROR_INVALID_ARGS));
        g_hash_table_add(map, g_strdup(SD_BUS_ERROR_INVALID_ARGS));
        assert_same_set(spec, map, "ERRORS");

        /* And the names resource1-bus.h defines are the service's own of them. */
        const char *const defined[] = {
                RESOURCE1_ERROR_INVALID_RESOURCE, RESOURCE1_ERROR_INVALID_LIMITS, RESOURCE1_ERROR_INVALID_WHO,
                RESOURCE1_ERROR_NO_SUCH_PROCESS, RESOURCE1_ERROR_PERMISSION_DENIED, RESOURCE1_ERROR_FAILED,
                RESOURCE1_ERROR_LIMITS_EXCEEDED, RESOURCE1_ERROR_OTHER_PID_NAMESPACE,
                RESOURCE1_ERROR_SERVICE_LACKS_CAPABILITY,
        };
        g_autoptr(GHashTable) own = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        GHashTableIter i;
        const char *k;
        g_hash_table_iter_init(&i, spec);
        while (g_hash_table_iter_next(&i, (gpointer *) &k, NULL))
                if (g_str_has_prefix(k, RESOURCE1_ERROR_PREFIX))
                        g_hash_table_add(own, g_strdup(k));
        g_autoptr(GHashTable) c = set_of(defined, G_N_ELEMENTS(defined));
        assert_same_set(own, c, "RESOURCE1_ERROR_*");
}

static void test_resource_names(void) {
        g_autofree char *text = section("RESOURCE NAMES");
        g_autofree char *flat = g_strdelimit(g_strdup(text), "\n", ' ');

        /* "... in any case: CPU FSIZE ... RTTIME." */
        g_autoptr(GRegex) re = g_regex_new("in any case:\\s+([A-Z ]+)\\.", 0, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        g_assert_true(g_regex_match(re, flat, 0, &m));
        g_autofree char *list = g_match_info_fetch(m, 1);
        g_autoptr(GHashTable) spec = matches("([A-Z]+)", list, 0);

        g_autoptr(GHashTable) table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (size_t i = 0; i < resource1_rlimits_count; i++)
                if (resource1_rlimits[i].name)
                        g_hash_table_add(table, g_strdup(resource1_rlimits[i].name));
        assert_same_set(spec, table, "RESOURCE NAMES");

        /* "OFILE is an alias of NOFILE." */
        g_autoptr(GRegex) alias = g_regex_new("([A-Z]+) is an alias\\s+of ([A-Z]+)", 0, 0, NULL);
        g_autoptr(GMatchInfo) a = NULL;
        unsigned n_aliases = 0;
        for (g_regex_match(alias, flat, 0, &a); g_match_info_matches(a); g_match_info_next(a, NULL), n_aliases++) {
                g_autofree char *from = g_match_info_fetch(a, 1), *to = g_match_info_fetch(a, 2);
                const Resource1Rlimit *r = NULL;
                g_assert_cmpint(resource1_rlimit_from_name(from, &r), ==, 0);
                g_assert_cmpstr(r->name, ==, to);
        }
        g_assert_cmpuint(n_aliases, >, 0);

        /* "VMEM, SBSIZE, SWAP and NPTS exist on other platforms only". */
        g_autoptr(GRegex) other = g_regex_new("((?:[A-Z]+(?:,\\s+|\\s+and\\s+))+[A-Z]+)\\s+exist on other\\s+platforms only",
                                              0, 0, NULL);
        g_autoptr(GMatchInfo) o = NULL;
        g_assert_true(g_regex_match(other, flat, 0, &o));
        g_autofree char *others = g_match_info_fetch(o, 1);
        g_autoptr(GHashTable) names = matches("([A-Z]+)", others, 0);
        g_assert_cmpuint(g_hash_table_size(names), >, 0);
        GHashTableIter i;
        const char *k;
        g_hash_table_iter_init(&i, names);
        while (g_hash_table_iter_next(&i, (gpointer *) &k, NULL))
                if (resource1_rlimit_from_name(k, NULL) != -EOPNOTSUPP)
                        g_error("the spec says %s exists on other platforms only; the table does not", k);
}

static void test_who_names_and_usage_fields(void) {
        /* GetRusage's documentation: 'who: "self", "children", "both" or "thread"'. */
        g_autoptr(GRegex) re = g_regex_new("who: ((?:\"[a-z]+\"(?:,\\s+|\\s+or\\s+))+\"[a-z]+\")", 0, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        g_assert_true(g_regex_match(re, spec_text, 0, &m));
        g_autofree char *list = g_match_info_fetch(m, 1);
        g_autoptr(GHashTable) spec = matches("\"([a-z]+)\"", list, 0);
        const char *const who[] = {
                resource1_who_to_name(RESOURCE1_WHO_SELF), resource1_who_to_name(RESOURCE1_WHO_CHILDREN),
                resource1_who_to_name(RESOURCE1_WHO_BOTH), resource1_who_to_name(RESOURCE1_WHO_THREAD),
        };
        g_autoptr(GHashTable) c = set_of(who, G_N_ELEMENTS(who));
        assert_same_set(spec, c, "who");

        /* Every ru_* field the spec names, and the table's 16. */
        g_autoptr(GHashTable) fields = matches("\\b(ru_[a-z]+)\\b", spec_text, 0);
        const char *names[G_N_ELEMENTS(resource1_rusage_fields)];
        for (size_t i = 0; i < G_N_ELEMENTS(resource1_rusage_fields); i++)
                names[i] = resource1_rusage_fields[i].name;
        g_autoptr(GHashTable) table = set_of(names, G_N_ELEMENTS(names));
        assert_same_set(fields, table, "usage fields");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_assert_cmpint(argc, ==, 2);
        g_autoptr(GError) error = NULL;
        g_assert_true(g_file_get_contents(argv[1], &spec_text, NULL, &error));
        const char *start = strstr(spec_text, "<!--"), *end = start ? strstr(start, "-->") : NULL;
        g_assert_nonnull(end);
        spec_comment = g_strndup(start + 4, (size_t) (end - start - 4));

        g_test_add_func("/contract/bus-name-path-interface", test_bus_name_path_interface);
        g_test_add_func("/contract/error-names", test_error_names);
        g_test_add_func("/contract/resource-names", test_resource_names);
        g_test_add_func("/contract/who-names-and-usage-fields", test_who_names_and_usage_fields);
        return g_test_run();
}
