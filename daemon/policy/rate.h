/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "account-slots.h"

/* The rate of changes carried out, in audit lines (one per limit): each
 * account may make ACCOUNT_RATE_BURST at once and ACCOUNT_RATE_PER_SEC a
 * second on average, and all accounts but root's together
 * GLOBAL_RATE_BURST and GLOBAL_RATE_PER_SEC, so that the service's lines
 * stay far below journald's default per-service limit (10,000 per 30 s) and
 * no user's flood can push another's audit lines out of the journal. */
#define ACCOUNT_RATE_BURST   64u
#define ACCOUNT_RATE_PER_SEC 4u
#define GLOBAL_RATE_BURST    256u
#define GLOBAL_RATE_PER_SEC  64u
#define RATE_SUMMARY_SEC     5u

typedef struct ChangeRate {
        AccountSlots slots;
        struct {
                uint64_t updated;        /* CLOCK_MONOTONIC µs of the last refill; 0: a fresh slot */
                uint64_t milli_tokens;   /* audit lines allowed, in thousandths */
                unsigned refused;        /* since the last summary */
        } accounts[ACCOUNT_SLOTS];
        uint64_t global_updated, global_milli_tokens;
        unsigned global_refused;
        sd_event *event;
        sd_event_source *summary;        /* armed while some refusal awaits its summary line */
} ChangeRate;

/* Takes n audit lines from the account's budget and the global one at
 * "now" (CLOCK_MONOTONIC µs): 0, or
 * -EAGAIN with the µs until enough would be there in ret_wait and the
 * refusal counted for the summary line. ret_global: whether the global
 * budget was the one short. Root (account 0) is not limited. */
int change_rate_take(ChangeRate *rate, uid_t account, unsigned n, uint64_t now, uint64_t *ret_wait,
                     bool *ret_global);
/* Writes the summaries still owed and frees the timer. */
void change_rate_done(ChangeRate *rate);
