/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "account-slots.h"

/* Refusals are logged per account (account.h) at most REFUSALS_BURST times
 * in each REFUSALS_WINDOW; the rest are counted and summed up in one line
 * when the window ends. Any caller can provoke refusals as fast as the bus delivers
 * calls, and a journal that drops lines under such a flood would also drop
 * the audit lines of changes carried out, which are never limited. */
#define REFUSALS_BURST 20u
#define REFUSALS_WINDOW_SEC 5u
/* And at most this many for all uids together in each window: budgets are
 * per account, but an account whose slot was taken over starts afresh. */
#define REFUSALS_GLOBAL_BURST 200u

typedef struct RefusalLog {
        AccountSlots slots;
        struct {
                uint64_t window_start;   /* CLOCK_MONOTONIC µs; 0: none open */
                unsigned logged, suppressed;
        } uids[ACCOUNT_SLOTS];
        uint64_t global_start;
        unsigned global_logged, global_suppressed;
        sd_event *event;
        sd_event_source *timer;          /* the next window end with suppressed lines */
} RefusalLog;

/* Logs at "level" for uid (an account, account.h), unless it is over its
 * burst or all are over theirs. */
void log_refusal(RefusalLog *l, uid_t uid, int level, const char *format, ...)
        __attribute__((format(printf, 4, 5)));
/* Writes the summaries still owed, and frees the timer. */
void refusals_done(RefusalLog *l);
