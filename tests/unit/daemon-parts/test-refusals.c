/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/policy/refusals.c: the refusal log's bursts, per uid and in all. */
#include <glib.h>
#include <syslog.h>

#include "daemon-parts.h"
#include "refusals.h"

static void test_refusal_bursts(void) {
        RefusalLog l = {};

        g_assert_cmpint(sd_event_default(&l.event), >=, 0);
        for (unsigned i = 0; i < 100; i++)
                log_refusal(&l, 65534, LOG_NOTICE, "refusal %u", i);
        g_assert_cmpuint(l.uids[0].logged, ==, REFUSALS_BURST);
        g_assert_cmpuint(l.uids[0].suppressed, ==, 100 - REFUSALS_BURST);
        /* Many uids: the global burst holds. */
        for (uid_t u = 1; u < 60; u++)
                for (unsigned i = 0; i < REFUSALS_BURST; i++)
                        log_refusal(&l, u, LOG_NOTICE, "refusal of %u", (unsigned) u);
        g_assert_cmpuint(l.global_logged, ==, REFUSALS_GLOBAL_BURST);
        g_assert_cmpuint(l.global_suppressed, >, 0);
        refusals_done(&l);
        l.event = sd_event_unref(l.event);
}

void add_refusals_tests(void) {
        g_test_add_func("/refusals/bursts-per-uid-and-in-all", test_refusal_bursts);
}
