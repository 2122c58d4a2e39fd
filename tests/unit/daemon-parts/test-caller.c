/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/policy/caller.c: the credentials cache of what the bus said of a unique
 * name. */
#include <glib.h>
#include <stdio.h>

#include "caller.h"
#include "daemon-parts.h"
#include "util.h"

/* What the bus said of a unique name is kept (the bus never reuses one),
 * the oldest replaced once the cache is full, a long name never cached, and
 * what decisions fill in later starts unknown. */
static void test_creds_cache(void) {
        static CredsCache cache;
        CredsEntry scratch, *e;
        char name[32];

        for (unsigned i = 0; i < CREDS_CACHE_SIZE + 6; i++) {
                snprintf(name, sizeof name, ":1.%u", i);
                e = creds_cache_add(&cache, name, 1000 + i, 100 + (pid_t) i, NULL, -1, &scratch);
                g_assert_true(e != &scratch);
                g_assert_cmpuint(e->gid, ==, GID_INVALID);
                g_assert_cmpuint(e->account, ==, UID_INVALID);
                g_assert_cmpint(e->other_pidns, ==, -1);
                g_assert_cmpint(e->n_groups, ==, -1);
                g_assert_null(e->groups);
        }
        /* The first six were replaced; the rest are found, with their own ids. */
        for (unsigned i = 0; i < 6; i++) {
                snprintf(name, sizeof name, ":1.%u", i);
                g_assert_null(creds_cache_find(&cache, name));
        }
        for (unsigned i = 6; i < CREDS_CACHE_SIZE + 6; i++) {
                snprintf(name, sizeof name, ":1.%u", i);
                e = creds_cache_find(&cache, name);
                g_assert_nonnull(e);
                g_assert_cmpuint(e->uid, ==, 1000 + i);
                g_assert_cmpint(e->pid, ==, 100 + (pid_t) i);
        }
        /* The last hit is tried first, and found again. */
        e = creds_cache_find(&cache, ":1.40");
        g_assert_true(creds_cache_find(&cache, ":1.40") == e);
        g_assert_true(&cache.entries[cache.last] == e);

        /* A name too long for the cache is answered from scratch, never cached. */
        const char *longname = ":1.123456789012345678901234567890";
        e = creds_cache_add(&cache, longname, 7, 8, NULL, -1, &scratch);
        g_assert_true(e == &scratch);
        g_assert_cmpuint(e->uid, ==, 7);
        g_assert_null(creds_cache_find(&cache, longname));
        /* ... and replaced nothing. */
        g_assert_nonnull(creds_cache_find(&cache, ":1.6"));

        /* The groups the bus sent are kept with the entry (and freed with it). */
        gid_t *groups = g_new(gid_t, 2);
        groups[0] = 27;
        groups[1] = 100;
        e = creds_cache_add(&cache, ":1.500", 1500, 1501, groups, 2, &scratch);
        g_assert_true(e != &scratch);
        e = creds_cache_find(&cache, ":1.500");
        g_assert_nonnull(e);
        g_assert_cmpint(e->n_groups, ==, 2);
        g_assert_cmpuint(e->groups[1], ==, 100);
        creds_cache_done(&cache);
        g_assert_null(creds_cache_find(&cache, ":1.500"));
}

void add_caller_tests(void) {
        g_test_add_func("/creds/cache-replaces-the-oldest-and-never-caches-long-names", test_creds_cache);
}
