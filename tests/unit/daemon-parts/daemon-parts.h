/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test of the daemon's parts without a bus (unit/daemon-parts): a file
 * per daemon module it tests (test-work.c tests daemon/work.c, test-rate.c
 * policy/rate.c, ...), each adding its tests; main.c runs them all in one
 * program. */
#pragma once

#define SEC 1000000ULL   /* sd-event's microseconds */

void add_sandbox_tests(void);
void add_work_tests(void);
void add_rate_tests(void);
void add_refusals_tests(void);
void add_account_slots_tests(void);
void add_caller_tests(void);
void add_act_tests(void);
void add_change_report_tests(void);
void add_list_tests(void);
