/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every list of resource names the project keeps by hand against the one
 * table, interfaces/resource1-names.c, so that a new name is a row there
 * and whatever this test names: the Python package's (its RLIMIT_*
 * constants, from the standard library's resource module, and the names it
 * adds, with their numbers), the bash completion's (names, and prlimit's
 * option letters), resourcectl(1)'s (its resource options, and the units
 * of VALUES), and resourcectl --help (made from the table: checked all the
 * same). The specification's list is checked by tests/unit/test-contract.c.
 * Arguments: the completion, resourcectl.1, the Python package's folder,
 * python3, resourcectl. No bus. */
#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "resource1-names.h"

static const char *completion_path, *man_path, *package_path, *python3_path, *resourcectl_path;

static char *lower(const char *s) {
        return g_ascii_strdown(s, -1);
}

/* The table's names (with prefix and suffix), as a set. */
static GHashTable *table_names(const char *prefix, bool lower_case, const char *suffix) {
        GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                g_autofree char *name = lower_case ? lower(resource1_rlimits[i].name) : g_strdup(resource1_rlimits[i].name);
                g_hash_table_add(set, g_strconcat(prefix, name, suffix, NULL));
        }
        return set;
}

static GHashTable *set_of_words(const char *text) {
        GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_auto(GStrv) words = g_strsplit_set(text, " \t\n,", -1);
        for (char **w = words; *w; w++)
                if (**w)
                        g_hash_table_add(set, g_strdup(*w));
        return set;
}

/* The same set as reference's (named ref), or an error naming what to
 * change where. */
static void assert_same_as(GHashTable *reference, const char *ref, GHashTable *list, const char *where) {
        GHashTableIter i;
        const char *k;
        g_hash_table_iter_init(&i, reference);
        while (g_hash_table_iter_next(&i, (gpointer *) &k, NULL))
                if (!g_hash_table_contains(list, k))
                        g_error("%s lacks %s, which %s has", where, k, ref);
        g_hash_table_iter_init(&i, list);
        while (g_hash_table_iter_next(&i, (gpointer *) &k, NULL))
                if (!g_hash_table_contains(reference, k))
                        g_error("%s has %s, which %s does not", where, k, ref);
}

static void assert_same(GHashTable *table, GHashTable *list, const char *where) {
        assert_same_as(table, "interfaces/resource1-names.c", list, where);
}

static char *run(const char *const *argv) {
        g_autoptr(GError) error = NULL;
        char *out = NULL;
        int status;
        g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, &error));
        g_assert_no_error(error);
        if (!g_spawn_check_wait_status(status, &error))
                g_error("%s: %s", argv[0], error->message);
        return out;
}

/* ---- the Python package ---- */

/* What the package's files say, read with ast (nothing of theirs is run):
 * "constants", "extra NAME NUMBER", "init-import", "init-all", "aio-import",
 * "aio-all" lines of RLIMIT_* names, and "stdlib NAME NUMBER" for each
 * constant, as the standard library's resource module numbers it here. */
static const char python_script[] =
        "import ast, os, resource, sys\n"
        "def load(name):\n"
        "    with open(os.path.join(sys.argv[1], name)) as f:\n"
        "        return ast.parse(f.read())\n"
        "def assigned(tree, name):\n"
        "    for n in tree.body:\n"
        "        if isinstance(n, ast.Assign) and any(getattr(t, 'id', '') == name for t in n.targets):\n"
        "            return ast.literal_eval(n.value)\n"
        "    return ()\n"
        "def imported(tree, module, level):\n"
        "    return [a.name for n in tree.body if isinstance(n, ast.ImportFrom)\n"
        "            and n.module == module and n.level == level for a in n.names]\n"
        "def rlimits(names):\n"
        "    return ' '.join(sorted(n for n in names if n.startswith('RLIMIT_')))\n"
        "common, init, aio = load('_common.py'), load('__init__.py'), load('aio.py')\n"
        "constants = assigned(common, 'RLIMIT_CONSTANTS')\n"
        "print('constants', rlimits(constants))\n"
        "for n in common.body:\n"
        "    t = n.targets[0] if isinstance(n, ast.Assign) else None\n"
        "    if isinstance(t, ast.Subscript) and getattr(t.value, 'id', '') == 'RESOURCE_NUMBERS':\n"
        "        print('extra', ast.literal_eval(t.slice), ast.literal_eval(n.value))\n"
        "print('init-import', rlimits(imported(init, 'resource', 0)))\n"
        "print('init-all', rlimits(assigned(init, '__all__')))\n"
        "print('aio-import', rlimits(imported(aio, None, 1)))\n"
        "print('aio-all', rlimits(assigned(aio, '__all__')))\n"
        "for c in constants:\n"
        "    print('stdlib', c[len('RLIMIT_'):], getattr(resource, c))\n";

static void test_python(void) {
        const char *argv[] = { python3_path, "-c", python_script, package_path, NULL };
        g_autofree char *out = run(argv);
        g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
        g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autofree char *constants = NULL;
        unsigned n_stdlib = 0;

        for (char **l = lines; *l; l++) {
                g_auto(GStrv) w = g_strsplit(*l, " ", 2);
                if (!w[0] || !w[1])
                        continue;
                if (strcmp(w[0], "constants") == 0) {
                        constants = g_strdup(w[1]);
                        g_autoptr(GHashTable) c = set_of_words(w[1]);
                        GHashTableIter i;
                        const char *k;
                        g_hash_table_iter_init(&i, c);
                        while (g_hash_table_iter_next(&i, (gpointer *) &k, NULL))
                                if (strcmp(k, "RLIMIT_OFILE") != 0)   /* BSD's NOFILE, as Python has it */
                                        g_hash_table_add(names, g_strdup(k + strlen("RLIMIT_")));
                } else if (strcmp(w[0], "extra") == 0 || strcmp(w[0], "stdlib") == 0) {
                        /* "NAME NUMBER": the package's number of a name is this architecture's */
                        g_auto(GStrv) nn = g_strsplit(w[1], " ", 2);
                        const Resource1Rlimit *r = NULL;
                        if (resource1_rlimit_from_name(nn[0], &r) < 0)
                                g_error("client/python/resource1/_common.py has resource %s, which "
                                        "interfaces/resource1-names.c does not", nn[0]);
                        if (r->number != atoi(nn[1]))
                                g_error("client/python/resource1/_common.py numbers %s %s, interfaces/resource1-names.c %d",
                                        nn[0], nn[1], r->number);
                        if (strcmp(w[0], "extra") == 0)
                                g_hash_table_add(names, g_strdup(r->name));
                        else
                                n_stdlib++;
                }
        }
        g_assert_nonnull(constants);
        g_assert_cmpuint(n_stdlib, >, 0);
        g_autoptr(GHashTable) table = table_names("", false, "");
        assert_same(table, names,
                    "client/python/resource1/_common.py (RLIMIT_CONSTANTS, and RESOURCE_NUMBERS for a name the "
                    "standard library's resource module lacks)");

        /* The package and resource1.aio export every constant. */
        static const struct { const char *key, *where; } lists[] = {
                { "init-import", "client/python/resource1/__init__.py's import from resource" },
                { "init-all", "client/python/resource1/__init__.py's __all__" },
                { "aio-import", "client/python/resource1/aio.py's import from the package" },
                { "aio-all", "client/python/resource1/aio.py's __all__" },
        };
        g_autoptr(GHashTable) want_set = set_of_words(constants);
        for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
                g_autofree char *key = g_strconcat("\n", lists[i].key, " ", NULL);
                const char *at = strstr(out, key);
                g_assert_nonnull(at);
                at += strlen(key);
                g_autofree char *got = g_strndup(at, strcspn(at, "\n"));
                g_autoptr(GHashTable) got_set = set_of_words(got);
                assert_same_as(want_set, "client/python/resource1/_common.py's RLIMIT_CONSTANTS", got_set,
                               lists[i].where);
        }
}

/* ---- the bash completion ---- */

static void test_bash_completion(void) {
        /* The names it offers where a RESOURCE is typed, and its options. */
        const char *names_argv[] = { "bash", "-c",
                                     "source \"$1\"; COMP_WORDS=(resourcectl limits ''); COMP_CWORD=2; _resourcectl; "
                                     "printf '%s\\n' \"${COMPREPLY[@]}\"",
                                     "_", completion_path, NULL };
        const char *options_argv[] = { "bash", "-c",
                                       "source \"$1\"; COMP_WORDS=(resourcectl --); COMP_CWORD=1; _resourcectl; "
                                       "printf '%s\\n' \"${COMPREPLY[@]}\"",
                                       "_", completion_path, NULL };
        g_autofree char *names_out = run(names_argv), *options_out = run(options_argv);
        g_autoptr(GHashTable) table = table_names("", false, "");
        g_autoptr(GHashTable) names = set_of_words(names_out);
        assert_same(table, names, "client/resourcectl/resourcectl.bash-completion's resources");

        g_autoptr(GHashTable) options = set_of_words(options_out);
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                g_autofree char *name = lower(resource1_rlimits[i].name), *option = g_strconcat("--", name, NULL);
                if (!g_hash_table_contains(options, option))
                        g_error("client/resourcectl/resourcectl.bash-completion does not offer %s", option);
        }

        /* "-[cdefilmnqrstuvxy]?*) valued=1": a short resource option with its value. */
        g_autofree char *text = NULL;
        g_assert_true(g_file_get_contents(completion_path, &text, NULL, NULL));
        g_autoptr(GRegex) re = g_regex_new("-\\[([a-z]+)\\]\\?\\*\\) valued=1", 0, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        g_assert_true(g_regex_match(re, text, 0, &m));
        g_autofree char *letters = g_match_info_fetch(m, 1);
        g_autoptr(GHashTable) table_letters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GHashTable) completion_letters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (size_t i = 0; i < resource1_rlimits_count; i++)
                g_hash_table_add(table_letters, g_strdup_printf("-%c", resource1_rlimits[i].option));
        for (const char *c = letters; *c; c++)
                g_hash_table_add(completion_letters, g_strdup_printf("-%c", *c));
        assert_same(table_letters, completion_letters,
                    "client/resourcectl/resourcectl.bash-completion's letters of prlimit's short options");
}

/* ---- resourcectl(1) ---- */

/* The man page's lines from the one that starts with head to the next
 * .SH or .SS. */
static char *man_section(const char *text, const char *head) {
        const char *start = strstr(text, head);
        g_assert_nonnull(start);
        start += strlen(head);
        const char *end = start;
        while ((end = strchr(end, '\n')) && strncmp(end + 1, ".SH", 3) != 0 && strncmp(end + 1, ".SS", 3) != 0)
                end++;
        return end ? g_strndup(start, (size_t) (end - start)) : g_strdup(start);
}

static bool unit_is(const Resource1Rlimit *r, const char *group) {
        if (strcmp(group, "sizes") == 0)
                return r->unit == RESOURCE1_UNIT_BYTES;
        if (strcmp(group, "others") == 0)
                return r->unit == RESOURCE1_UNIT_COUNT || r->unit == RESOURCE1_UNIT_PRIORITY;
        return false;
}

static void test_man_page(void) {
        g_autofree char *text = NULL;
        g_assert_true(g_file_get_contents(man_path, &text, NULL, NULL));

        /* .SS Resource options: .BR "\-c, \-\-core" ... */
        g_autofree char *options = man_section(text, "\n.SS Resource options\n");
        g_autoptr(GHashTable) table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                g_autofree char *name = lower(resource1_rlimits[i].name);
                g_hash_table_add(table, g_strdup_printf("-%c --%s", resource1_rlimits[i].option, name));
        }
        g_autoptr(GHashTable) man = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GRegex) re = g_regex_new("\\\\-([a-z]), \\\\-\\\\-([a-z]+)", 0, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        for (g_regex_match(re, options, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL)) {
                g_autofree char *letter = g_match_info_fetch(m, 1), *name = g_match_info_fetch(m, 2);
                g_hash_table_add(man, g_strdup_printf("-%s --%s", letter, name));
        }
        assert_same(table, man, "client/resourcectl/resourcectl.1's Resource options");

        /* .SH VALUES: a paragraph for each kind of value, ".TP\nsizes\n(FSIZE,
         * ...): ...", ".TP\nCPU\n...", ".TP\nothers\n(NPROC, ...): ...":
         * every name once, in the paragraph of its unit. */
        g_autofree char *values = man_section(text, "\n.SH VALUES\n");
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GRegex) para = g_regex_new("^\\.TP\\n([A-Za-z]+)\\n(?:\\(([A-Z, ]+)\\))?", G_REGEX_MULTILINE, 0, NULL);
        g_autoptr(GMatchInfo) p = NULL;
        for (g_regex_match(para, values, 0, &p); g_match_info_matches(p); g_match_info_next(p, NULL)) {
                g_autofree char *tag = g_match_info_fetch(p, 1), *list = g_match_info_fetch(p, 2);
                const Resource1Rlimit *r = NULL;
                if (list && *list) {
                        g_auto(GStrv) names = g_regex_split_simple(",\\s*", list, 0, 0);
                        for (char **n = names; *n; n++) {
                                if (resource1_rlimit_from_name(*n, &r) < 0 || strcmp(r->name, *n) != 0)
                                        g_error("client/resourcectl/resourcectl.1's VALUES names %s (%s), which "
                                                "interfaces/resource1-names.c does not have", *n, tag);
                                if (!unit_is(r, tag))
                                        g_error("client/resourcectl/resourcectl.1's VALUES has %s among %s, "
                                                "interfaces/resource1-names.c another unit", *n, tag);
                                g_assert_true(g_hash_table_add(seen, g_strdup(*n)));
                        }
                } else if (resource1_rlimit_from_name(tag, &r) == 0 && strcmp(r->name, tag) == 0) {
                        if (r->unit == RESOURCE1_UNIT_BYTES || r->unit == RESOURCE1_UNIT_COUNT ||
                            r->unit == RESOURCE1_UNIT_PRIORITY)
                                g_error("client/resourcectl/resourcectl.1's VALUES has a paragraph of %s's own; "
                                        "its unit's paragraph is sizes or others", tag);
                        g_assert_true(g_hash_table_add(seen, g_strdup(tag)));
                }
        }
        /* Every sizes and others name listed: each name of the table once. */
        g_autoptr(GHashTable) all = table_names("", false, "");
        assert_same(all, seen, "client/resourcectl/resourcectl.1's VALUES");
}

/* ---- resourcectl --help: made from the table ---- */

static void test_resourcectl_help(void) {
        const char *argv[] = { resourcectl_path, "--help", NULL };
        g_autofree char *out = run(argv);
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                g_autofree char *name = lower(resource1_rlimits[i].name);
                g_autofree char *option = g_strdup_printf("  -%c --%s", resource1_rlimits[i].option, name);
                g_autofree char *last = g_strdup_printf("%s\n", option), *mid = g_strdup_printf("%s ", option);
                if (!strstr(out, last) && !strstr(out, mid))
                        g_error("resourcectl --help does not show '%s'", option + 2);
        }
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_assert_cmpint(argc, ==, 6);
        completion_path = argv[1];
        man_path = argv[2];
        package_path = argv[3];
        python3_path = argv[4];
        resourcectl_path = argv[5];

        g_test_add_func("/names-agree/python", test_python);
        g_test_add_func("/names-agree/bash-completion", test_bash_completion);
        g_test_add_func("/names-agree/man-page", test_man_page);
        g_test_add_func("/names-agree/resourcectl-help", test_resourcectl_help);
        return g_test_run();
}
