/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parts of the daemon, without a bus (sd-event only): the worker pool's
 * fairness and bounds, the rate of changes per account and in all, the
 * refusal log's bursts, the credentials cache, a batch put back after the
 * kernel refuses one of its limits, by the daemon itself and by the acting
 * process, the acting process's power (the caller's only, even in a user
 * namespace root made), the kernel's refusal as the caller hears it, a
 * sandbox's app id, and the lists the daemon keeps. Needs root (the acting
 * process takes a caller's ids).
 * The tests are in a file per daemon module (daemon-parts.h); this program
 * runs them all, in the order they always ran. */
#include <glib.h>
#include <unistd.h>

#include "daemon-parts.h"

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        if (getuid() != 0) {
                g_test_skip("needs root: the acting process takes a caller's ids");
                return g_test_run();
        }
        /* Log lines of the parts under test go to stderr, not the TAP stream. */
        add_sandbox_tests();
        add_work_tests();
        add_rate_tests();
        add_refusals_tests();
        add_account_slots_tests();
        add_caller_tests();
        add_act_tests();
        add_change_report_tests();
        add_list_tests();
        return g_test_run();
}
