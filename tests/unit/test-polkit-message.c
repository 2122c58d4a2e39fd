/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The polkit messages against the details the daemon sends: each action's
 * <message> in the shipped policy file (argv[1]) names only details that
 * every check of that action carries, whatever the request (one limit, a
 * batch where some or all need the action, the caller's process or
 * another's, a setuid or setgid target, a Flatpak caller, infinity and the
 * largest values), and only details the service writes itself; filled in as
 * polkitd 122 does (a missing detail stays "$(name)"), each reads whole.
 * The details come from the daemon's own code, on the path change.c takes:
 * decide_changes(), limits_needing() per action, polkit_details(). And
 * id_name(): the user database's names only where they cannot write words
 * or "$(" into a message. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "decide.h"
#include "id-name.h"
#include "polkit.h"
#include "resource1-names.h"

static const char *policy_path;

/* ---- the policy file: action id -> its untranslated <message> ---- */

typedef struct Parse {
        GHashTable *messages;
        char *action;
        bool in_message;
} Parse;

static void on_start(GMarkupParseContext *ctx, const char *element, const char **names, const char **values,
                     gpointer user_data, GError **error) {
        Parse *p = user_data;
        (void) ctx, (void) error;
        if (strcmp(element, "action") == 0) {
                for (size_t i = 0; names[i]; i++)
                        if (strcmp(names[i], "id") == 0)
                                p->action = g_strdup(values[i]);
        } else if (strcmp(element, "message") == 0) {
                p->in_message = true;
                for (size_t i = 0; names[i]; i++)
                        if (strcmp(names[i], "xml:lang") == 0)
                                p->in_message = false;   /* a translation: the same details, checked as the original */
        }
}

static void on_end(GMarkupParseContext *ctx, const char *element, gpointer user_data, GError **error) {
        Parse *p = user_data;
        (void) ctx, (void) error;
        if (strcmp(element, "action") == 0)
                g_clear_pointer(&p->action, g_free);
        else if (strcmp(element, "message") == 0)
                p->in_message = false;
}

static void on_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer user_data, GError **error) {
        Parse *p = user_data;
        (void) ctx, (void) error;
        if (p->in_message && p->action)
                g_hash_table_insert(p->messages, g_strdup(p->action), g_strndup(text, len));
}

static GHashTable *policy_messages(void) {
        static const GMarkupParser parser = { .start_element = on_start, .end_element = on_end, .text = on_text };
        g_autofree char *xml = NULL;
        gsize len;
        g_autoptr(GError) error = NULL;
        Parse p = { .messages = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free) };

        g_assert_true(g_file_get_contents(policy_path, &xml, &len, &error));
        g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&parser, 0, &p, NULL);
        g_assert_true(g_markup_parse_context_parse(ctx, xml, (gssize) len, &error));
        g_assert_true(g_markup_parse_context_end_parse(ctx, &error));
        g_assert_no_error(error);
        g_free(p.action);
        return p.messages;
}

/* The "$(name)"s of a message, as polkitd reads them. */
static GPtrArray *message_keys(const char *message) {
        GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
        for (const char *s = strstr(message, "$("); s; s = strstr(s, "$(")) {
                const char *end = strchr(s + 2, ')');
                g_assert_nonnull(end);
                g_ptr_array_add(keys, g_strndup(s + 2, (gsize) (end - s - 2)));
                s = end;
        }
        return keys;
}

/* polkitd 122's expand_properties(): "$(name)" becomes the detail's value,
 * and stays as it is when there is no such detail. */
static char *expand(const char *message, GHashTable *details) {
        GString *out = g_string_new(NULL), *var = g_string_new(NULL);
        bool in_resolve = false;
        for (size_t n = 0; message[n]; n++) {
                char c = message[n];
                if (c == '$' && message[n + 1] == '(') {
                        in_resolve = true;
                        n++;
                } else if (in_resolve && c == ')') {
                        const char *v = g_hash_table_lookup(details, var->str);
                        if (v)
                                g_string_append(out, v);
                        else
                                g_string_append_printf(out, "$(%s)", var->str);
                        g_string_truncate(var, 0);
                        in_resolve = false;
                } else
                        g_string_append_c(in_resolve ? var : out, c);
        }
        g_string_free(var, TRUE);
        return g_string_free(out, FALSE);
}

/* ---- requests, as change.c asks them ---- */

#define INF RLIM_INFINITY
#define L(name, old_soft, old_hard, new_soft, new_hard) { #name, { old_soft, old_hard }, { new_soft, new_hard } }

typedef struct Limit {
        const char *name;
        struct rlimit old, new;
} Limit;

typedef struct Request {
        const char *what;
        pid_t pid;
        Caller caller;
        ProcessIds target;
        const char *flatpak_app;
        Limit limits[RLIM_NLIMITS];
        /* The messages expected in full, where given: manage-other's, then
         * raise-hard-limit's. */
        const char *manage_other, *raise_hard;
} Request;

#define IDS(u, g) { u, u, u, g, g, g }
/* Ids no system has a name for (root aside), so that the texts hold the
 * numbers wherever the test runs. */
#define ALICE { .uid = 3900001, .gid = 3900001, .pid = 77 }

/* The details of each action a request asks, keyed by action id. */
static GHashTable *request_details(const Request *r) {
        const Resource1Rlimit *res[RLIM_NLIMITS];
        struct rlimit old[RLIM_NLIMITS], new[RLIM_NLIMITS];
        unsigned n = 0;
        GHashTable *by_action = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                      (GDestroyNotify) g_hash_table_unref);
        Caller caller = r->caller;

        g_strlcpy(caller.flatpak_app, r->flatpak_app ?: "", sizeof caller.flatpak_app);
        for (; n < RLIM_NLIMITS && r->limits[n].name; n++) {
                g_assert_cmpint(resource1_rlimit_from_name(r->limits[n].name, &res[n]), ==, 0);
                old[n] = r->limits[n].old;
                new[n] = r->limits[n].new;
        }
        Decision d = decide_changes(&caller, &r->target, old, new, n, NULL);
        g_assert_cmpint(d.verdict, ==, VERDICT_ASK);
        for (unsigned a = AUTH_ACTION_MANAGE_OTHER; a <= AUTH_ACTION_RAISE_HARD; a <<= 1) {
                if (!(d.actions & a))
                        continue;
                PolkitDetails pd;
                polkit_details(&pd, (AuthAction) a, r->pid, &r->target, caller.flatpak_app, res, old, new, n,
                               limits_needing(&caller, &r->target, old, new, n, (AuthAction) a));
                GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
                for (size_t k = 0; pd.list[k]; k += 2) {
                        g_assert_nonnull(pd.list[k + 1]);
                        g_assert_false(g_hash_table_contains(h, pd.list[k]));   /* each key once */
                        g_hash_table_insert(h, g_strdup(pd.list[k]), g_strdup(pd.list[k + 1]));
                }
                g_hash_table_insert(by_action, (gpointer) auth_action_id((AuthAction) a), h);
        }
        return by_action;
}

static char longest_app_id[sizeof ((Caller *) NULL)->flatpak_app];   /* "a.bbb...", filled by main() */

static const Request requests[] = {
        { "one hard raise of the caller's own process", 30, ALICE, IDS(3900001, 3900001), NULL,
          { L(NOFILE, 1024, 4096, 1024, 524288) }, NULL,
          "Authentication is required to raise hard resource limits of process 30, which runs as user 3900001, "
          "group 3900001: NOFILE from 4096 to 524288." },
        { "two hard raises in a batch", 30, ALICE, IDS(3900001, 3900001), NULL,
          { L(NOFILE, 1024, 4096, 1024, 524288), L(MEMLOCK, 65536, 65536, 65536, INF) }, NULL,
          "Authentication is required to raise hard resource limits of process 30, which runs as user 3900001, "
          "group 3900001: NOFILE from 4096 to 524288, MEMLOCK from 65536 to unlimited." },
        { "a batch of three, one hard raise, by a Flatpak app", 31, ALICE, IDS(3900001, 3900001), "com.example.Game",
          { L(CORE, 0, INF, 0, 0), L(NOFILE, 1024, 4096, 1024, 8192), L(STACK, 8388608, INF, 4194304, INF) }, NULL,
          "Authentication is required to raise hard resource limits of process 31, which runs as user 3900001, "
          "group 3900001: NOFILE from 4096 to 8192." },
        { "another user's process, one limit", 4194304, ALICE, IDS(0, 0), NULL,
          { L(NOFILE, 1024, 4096, 100, 4096) },
          "Authentication is required to change resource limits of process 4194304, which runs as user root, "
          "group root rather than as the requesting user: NOFILE soft 100 hard 4096.", NULL },
        { "another user's process, a batch with a hard raise", 32, ALICE, IDS(4000000, 4000001), NULL,
          { L(CORE, 0, 0, 0, 0), L(NOFILE, 1024, 4096, 1024, 8192) },
          "Authentication is required to change resource limits of process 32, which runs as user 4000000, "
          "group 4000001 rather than as the requesting user: CORE soft 0 hard 0, NOFILE soft 1024 hard 8192.",
          "Authentication is required to raise hard resource limits of process 32, which runs as user 4000000, "
          "group 4000001: NOFILE from 4096 to 8192." },
        { "the caller's own setuid-root program", 33, ALICE, { 3900001, 0, 0, 3900001, 3900001, 3900001 }, NULL,
          { L(NOFILE, 1024, 4096, 100, 4096) },
          "Authentication is required to change resource limits of process 33, which runs as user 3900001 "
          "(effective root, saved root), group 3900001 rather than as the requesting user: NOFILE soft 100 hard 4096.",
          NULL },
        { "the caller's own setgid program, from a Flatpak app", 34, ALICE, { 3900001, 3900001, 3900001, 3900001, 0, 0 },
          "org.example.App",
          { L(NOFILE, 1024, 4096, 1024, 4097) },
          "Authentication is required to change resource limits of process 34, which runs as user 3900001, group "
          "3900001 (effective root, saved root) rather than as the requesting user: NOFILE soft 1024 hard 4097.",
          "Authentication is required to raise hard resource limits of process 34, which runs as user 3900001, group "
          "3900001 (effective root, saved root): NOFILE from 4096 to 4097." },
        /* The longest there is: every limit, another's process whose three
         * uids and gids all differ, each raised from the largest value to
         * infinity, with the longest app id. */
        { "every limit at once, of a process with every id different", 2147483647, ALICE,
          { 4000000, 4000001, 4000002, 4000003, 4000004, 4000005 },
          longest_app_id,
          { L(CPU, 1, INF - 1, INF - 1, INF - 1), L(FSIZE, 1, 1, INF, INF), L(DATA, 1, 1, INF, INF),
            L(STACK, 1, 1, INF, INF), L(CORE, 1, 1, INF, INF), L(RSS, 1, 1, INF, INF), L(NPROC, 1, 1, INF, INF),
            L(NOFILE, 1, 1, INF, INF), L(MEMLOCK, 1, 1, INF, INF), L(AS, 1, 1, INF, INF),
            L(LOCKS, 1, 1, INF, INF), L(SIGPENDING, 1, 1, INF - 1, INF - 1), L(MSGQUEUE, 1, 1, INF, INF),
            L(NICE, 1, 1, INF, INF), L(RTPRIO, 1, 1, INF, INF), L(RTTIME, 1, 1, INF, INF) }, NULL, NULL },
};

/* Calls f for each action each request asks, with the action's message and
 * the check's details. */
typedef void (*MessageCheck)(const Request *r, const char *action, const char *message, GHashTable *details);

static void each_message(MessageCheck f) {
        g_autoptr(GHashTable) messages = policy_messages();

        g_assert_cmpuint(g_hash_table_size(messages), ==, 2);
        for (size_t i = 0; i < G_N_ELEMENTS(requests); i++) {
                const Request *r = &requests[i];
                g_autoptr(GHashTable) by_action = request_details(r);
                g_assert_cmpuint(g_hash_table_size(by_action), >, 0);

                GHashTableIter it;
                gpointer action, details;
                g_hash_table_iter_init(&it, by_action);
                while (g_hash_table_iter_next(&it, &action, &details)) {
                        const char *message = g_hash_table_lookup(messages, action);
                        g_assert_nonnull(message);
                        f(r, action, message, details);
                }
                const char *expected[] = { r->manage_other, r->raise_hard };
                for (size_t a = 0; a < 2; a++)   /* an expected prompt is asked */
                        if (expected[a])
                                g_assert_true(g_hash_table_contains(
                                        by_action, auth_action_id(a == 0 ? AUTH_ACTION_MANAGE_OTHER
                                                                         : AUTH_ACTION_RAISE_HARD)));
        }
}

/* Each $(name) is a detail the check carries; filled in, nothing is left. */
static void check_present(const Request *r, const char *action, const char *message, GHashTable *details) {
        g_autoptr(GPtrArray) keys = message_keys(message);
        g_assert_cmpuint(keys->len, >, 0);
        for (guint k = 0; k < keys->len; k++)
                if (!g_hash_table_contains(details, keys->pdata[k]))
                        g_error("%s, %s: the message names \"%s\", which the check lacks", r->what, action,
                                (char *) keys->pdata[k]);
        g_autofree char *text = expand(message, details);
        g_assert_null(strstr(text, "$("));
}

/* Each $(name) is one the service writes from its own table, numbers and
 * the local user files (never flatpak_app, which a user can forge, or
 * another string of the caller's), of words, numbers and punctuation only,
 * bounded. */
static void check_service_made(const Request *r, const char *action, const char *message, GHashTable *details) {
        const char *const service_made[] = { "pid", "runs_as", "changes", NULL };
        g_autoptr(GPtrArray) keys = message_keys(message);
        (void) r;
        for (guint k = 0; k < keys->len; k++) {
                const char *key = keys->pdata[k], *v = g_hash_table_lookup(details, key);
                if (!g_strv_contains(service_made, key))
                        g_error("%s: the message names \"%s\", not a detail the service makes", action, key);
                g_assert_cmpuint(strlen(v), >, 0);
                g_assert_cmpuint(strlen(v), <, 1300);
                g_assert_cmpuint(strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.()_-"), ==,
                                 strlen(v));
        }
}

/* The text a person reads, in full. */
static void check_text(const Request *r, const char *action, const char *message, GHashTable *details) {
        g_autofree char *text = expand(message, details);
        const char *want = strcmp(action, "org.example.resource1.manage-other") == 0 ? r->manage_other :
                                                                                        r->raise_hard;
        g_test_message("%s: %s", r->what, text);
        if (want)
                g_assert_cmpstr(text, ==, want);
}

static void test_messages_name_details_sent(void) {
        each_message(check_present);
}

static void test_messages_name_service_details(void) {
        each_message(check_service_made);
}

static void test_messages_text(void) {
        each_message(check_text);
}

/* The longest request fills every detail without truncation. */
static void test_details_bounded(void) {
        const Request *r = &requests[G_N_ELEMENTS(requests) - 1];
        g_autoptr(GHashTable) by_action = request_details(r);
        GHashTable *raise = g_hash_table_lookup(by_action, "org.example.resource1.raise-hard-limit");
        GHashTable *other = g_hash_table_lookup(by_action, "org.example.resource1.manage-other");
        g_assert_nonnull(raise);
        g_assert_nonnull(other);
        g_assert_cmpstr(g_hash_table_lookup(raise, "runs_as"), ==,
                        "user 4000000 (effective 4000001, saved 4000002), "
                        "group 4000003 (effective 4000004, saved 4000005)");
        const char *c = g_hash_table_lookup(raise, "changes");
        g_assert_true(g_str_has_prefix(c, "FSIZE from 1 to unlimited, DATA from 1 to unlimited, "));
        g_assert_true(strstr(c, ", SIGPENDING from 1 to 18446744073709551614, "));
        g_assert_true(g_str_has_suffix(c, ", RTTIME from 1 to unlimited"));
        c = g_hash_table_lookup(other, "changes");
        g_assert_true(g_str_has_prefix(c, "CPU soft 18446744073709551614 hard 18446744073709551614, FSIZE soft "
                                          "unlimited hard unlimited, "));
        g_assert_true(g_str_has_suffix(c, ", RTTIME soft unlimited hard unlimited"));
        g_assert_cmpstr(g_hash_table_lookup(other, "resources"), ==,
                        "CPU FSIZE DATA STACK CORE RSS NPROC NOFILE MEMLOCK AS LOCKS SIGPENDING MSGQUEUE NICE RTPRIO "
                        "RTTIME");
        g_assert_cmpstr(g_hash_table_lookup(raise, "pid"), ==, "2147483647");
        g_assert_cmpstr(g_hash_table_lookup(raise, "flatpak_app"), ==, longest_app_id);
}

/* A batch's lowering needs no action, so only the batch.* keys tell a rule
 * of it: the audio example rule grants RTPRIO only beside a finite RTTIME. */
static void test_details_whole_batch(void) {
        static const Request r = { "RTPRIO raised beside RTTIME lowered", 35, ALICE, IDS(3900001, 3900001), NULL,
                                   { L(RTPRIO, 0, 0, 95, 95), L(RTTIME, INF, INF, 200000, 200000) }, NULL, NULL };
        g_autoptr(GHashTable) by_action = request_details(&r);
        GHashTable *raise = g_hash_table_lookup(by_action, "org.example.resource1.raise-hard-limit");
        g_assert_nonnull(raise);
        g_assert_cmpuint(g_hash_table_size(by_action), ==, 1);
        g_assert_cmpstr(g_hash_table_lookup(raise, "resources"), ==, "RTPRIO");
        g_assert_cmpstr(g_hash_table_lookup(raise, "resource"), ==, "RTPRIO");
        g_assert_null(g_hash_table_lookup(raise, "RTTIME.hard"));
        g_assert_cmpstr(g_hash_table_lookup(raise, "batch.RTPRIO.soft"), ==, "95");
        g_assert_cmpstr(g_hash_table_lookup(raise, "batch.RTPRIO.hard"), ==, "95");
        g_assert_cmpstr(g_hash_table_lookup(raise, "batch.RTTIME.soft"), ==, "200000");
        g_assert_cmpstr(g_hash_table_lookup(raise, "batch.RTTIME.hard"), ==, "200000");
        g_assert_null(g_hash_table_lookup(raise, "batch.MEMLOCK.hard"));   /* not in the call */

        /* The longest request: every limit, each with its batch keys. */
        g_autoptr(GHashTable) all = request_details(&requests[G_N_ELEMENTS(requests) - 1]);
        raise = g_hash_table_lookup(all, "org.example.resource1.raise-hard-limit");
        g_assert_cmpstr(g_hash_table_lookup(raise, "batch.CPU.hard"), ==, "18446744073709551614");
        g_assert_cmpstr(g_hash_table_lookup(raise, "batch.SIGPENDING.soft"), ==, "18446744073709551614");
        g_assert_cmpstr(g_hash_table_lookup(raise, "batch.RTTIME.hard"), ==, "18446744073709551615");
}

/* ---- id_name() ---- */

static void test_id_name(void) {
        g_autofree char *dir = g_dir_make_tmp("polkit-message-XXXXXX", NULL);
        g_autofree char *path = g_build_filename(dir, "passwd", NULL);
        char name[ID_NAME_MAX];
        g_assert_nonnull(dir);
        g_assert_true(g_file_set_contents(path,
                "# a comment:x:7:7\n"
                "root:x:0:0:root:/root:/bin/bash\n"
                "+::::::\n"
                "alice:x:1001:1001:Alice:/home/alice:/bin/sh\n"
                "alice2:x:1001:1001:second with the same uid:/:/bin/sh\n"
                "evil$(changes):x:1002:1002::/:/bin/sh\n"
                "two words:x:1003:1003::/:/bin/sh\n"
                "-dash:x:1004:1004::/:/bin/sh\n"
                "abcdefghijklmnopqrstuvwxyz0123456:x:1005:1005::/:/bin/sh\n"
                "abcdefghijklmnopqrstuvwxyz012345:x:1006:1006::/:/bin/sh\n"
                "host$:x:1007:1007::/:/bin/sh\n"
                "nopw::1008:1008::/:/bin/sh\n"
                "bad:x:1009x:1009::/:/bin/sh\n"
                "Name.With_dots-1:x:1010:1010::/:/bin/sh", -1, NULL));
        const struct { unsigned id; const char *want; } cases[] = {
                { 0, "root" },
                { 1001, "alice" },                       /* the first line with the id */
                { 1002, "1002" },                        /* "$(" and ")" */
                { 1003, "1003" },                        /* a space: other words */
                { 1004, "1004" },
                { 1005, "1005" },                        /* 33 bytes: too long */
                { 1006, "abcdefghijklmnopqrstuvwxyz012345" },
                { 1007, "1007" },
                { 1008, "nopw" },
                { 1009, "1009" },                        /* not a number alone */
                { 1010, "Name.With_dots-1" },            /* the last line, no newline */
                { 7, "7" },                              /* a comment is no entry */
                { 4000000, "4000000" },                  /* in no line */
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                id_name(path, cases[i].id, name);
                g_assert_cmpstr(name, ==, cases[i].want);
        }
        g_autofree char *missing = g_build_filename(dir, "missing", NULL);
        id_name(missing, 0, name);
        g_assert_cmpstr(name, ==, "0");
        g_assert_cmpint(g_unlink(path), ==, 0);
        g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_assert_cmpint(argc, ==, 2);
        policy_path = argv[1];
        memset(longest_app_id, 'b', sizeof longest_app_id - 1);
        longest_app_id[0] = 'a', longest_app_id[1] = '.';
        g_test_add_func("/polkit-message/messages-name-details-sent", test_messages_name_details_sent);
        g_test_add_func("/polkit-message/messages-name-service-details", test_messages_name_service_details);
        g_test_add_func("/polkit-message/messages-text", test_messages_text);
        g_test_add_func("/polkit-message/details-bounded", test_details_bounded);
        g_test_add_func("/polkit-message/details-whole-batch", test_details_whole_batch);
        g_test_add_func("/polkit-message/id-name", test_id_name);
        return g_test_run();
}
