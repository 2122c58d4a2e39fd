/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/policy/rate.c: the rate of changes per account (a burst, then so many a
 * second; a batch costs a line per limit) and in all. */
#include <errno.h>
#include <glib.h>

#include "daemon-parts.h"
#include "rate.h"

static void test_rate_burst_then_per_second(void) {
        ChangeRate rate = {};
        uint64_t wait;
        bool global;
        uint64_t t0 = 1000 * SEC;

        g_assert_cmpint(sd_event_default(&rate.event), >=, 0);
        for (unsigned i = 0; i < ACCOUNT_RATE_BURST; i++)
                g_assert_cmpint(change_rate_take(&rate, 65534, 1, t0, &wait, &global), ==, 0);
        g_assert_cmpint(change_rate_take(&rate, 65534, 1, t0, &wait, &global), ==, -EAGAIN);
        g_assert_false(global);
        g_assert_cmpuint(wait, >, 0);
        g_assert_cmpuint(wait, <=, SEC / ACCOUNT_RATE_PER_SEC);
        /* Another account is not held back, nor is root. */
        g_assert_cmpint(change_rate_take(&rate, 1, 1, t0, &wait, &global), ==, 0);
        for (unsigned i = 0; i < 10000; i++)
                g_assert_cmpint(change_rate_take(&rate, 0, 16, t0, &wait, &global), ==, 0);
        /* One second later: ACCOUNT_RATE_PER_SEC more, no more. */
        for (unsigned i = 0; i < ACCOUNT_RATE_PER_SEC; i++)
                g_assert_cmpint(change_rate_take(&rate, 65534, 1, t0 + SEC, &wait, &global), ==, 0);
        g_assert_cmpint(change_rate_take(&rate, 65534, 1, t0 + SEC, &wait, &global), ==, -EAGAIN);
        /* A batch costs a line per limit. */
        g_assert_cmpint(change_rate_take(&rate, 2, ACCOUNT_RATE_BURST + 1, t0, &wait, &global), ==, -EAGAIN);
        change_rate_done(&rate);
        rate.event = sd_event_unref(rate.event);
}

/* Many accounts together cannot pass the global bound. */
static void test_rate_global(void) {
        ChangeRate rate = {};
        uint64_t wait, t0 = 5000 * SEC;
        bool global = false;
        unsigned granted = 0;

        g_assert_cmpint(sd_event_default(&rate.event), >=, 0);
        for (uid_t a = 100; a < 100 + 60; a++)
                for (unsigned i = 0; i < ACCOUNT_RATE_BURST; i++)
                        if (change_rate_take(&rate, a, 1, t0, &wait, &global) == 0)
                                granted++;
        g_assert_cmpuint(granted, ==, GLOBAL_RATE_BURST);
        g_assert_true(global);
        change_rate_done(&rate);
        rate.event = sd_event_unref(rate.event);
}

void add_rate_tests(void) {
        g_test_add_func("/rate/burst-then-per-second", test_rate_burst_then_per_second);
        g_test_add_func("/rate/global-bound-over-many-accounts", test_rate_global);
}
