/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/policy/account-slots.c: the per-account table the rate of changes and
 * the refusal log keep. */
#include <glib.h>

#include "account-slots.h"
#include "daemon-parts.h"
#include "util.h"

/* The per-account table both keep: an account keeps its slot; a new one
 * takes a free slot, then the one used longest ago, and says whose it was. */
static void test_account_slots(void) {
        static AccountSlots slots;
        bool fresh;
        uid_t evicted;

        for (uid_t a = 0; a < ACCOUNT_SLOTS; a++) {
                unsigned i = account_slot(&slots, 1000 + a, 10 + a, &fresh, &evicted);
                g_assert_true(fresh);
                g_assert_cmpuint(evicted, ==, UID_INVALID);
                g_assert_cmpuint(slots.account[i], ==, 1000 + a);
        }
        unsigned first = account_slot(&slots, 1000, 500, &fresh, &evicted);
        g_assert_false(fresh);
        g_assert_cmpuint(slots.account[first], ==, 1000);
        /* 1000 was used last: 1001 (used at 11) gives way. */
        unsigned i = account_slot(&slots, 5000, 600, &fresh, &evicted);
        g_assert_true(fresh);
        g_assert_cmpuint(evicted, ==, 1001);
        g_assert_cmpuint(i, !=, first);
        g_assert_false((account_slot(&slots, 5000, 700, &fresh, &evicted), fresh));
}

void add_account_slots_tests(void) {
        g_test_add_func("/account-slots/lru", test_account_slots);
}
