/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "account.h"
#include "log.h"
#include "rate.h"
#include "util.h"

static uint64_t refill(uint64_t milli, uint64_t *updated, uint64_t now, unsigned per_sec, unsigned burst) {
        if (*updated == 0)
                milli = (uint64_t) burst * 1000;
        else if (now > *updated)
                milli += (now - *updated) * per_sec / 1000;
        if (milli > (uint64_t) burst * 1000)
                milli = (uint64_t) burst * 1000;
        *updated = now;
        return milli;
}

static void summarize_one(ChangeRate *rate, unsigned i, uid_t account) {
        if (rate->accounts[i].refused > 0)
                log_notice("Refused %u changes of %s %u over the rate limit (%u at once, %u a second) "
                           "in the last %u s", rate->accounts[i].refused,
                           account_is_namespace(account) ? "the user namespace" : "uid",
                           (unsigned) account, ACCOUNT_RATE_BURST, ACCOUNT_RATE_PER_SEC, RATE_SUMMARY_SEC);
        rate->accounts[i].refused = 0;
}

static void summarize(ChangeRate *rate) {
        for (unsigned i = 0; i < ACCOUNT_SLOTS; i++)
                summarize_one(rate, i, rate->slots.account[i]);
        if (rate->global_refused > 0)
                log_notice("Refused %u changes over the service's rate limit for all users (%u a second) in "
                           "the last %u s", rate->global_refused, GLOBAL_RATE_PER_SEC, RATE_SUMMARY_SEC);
        rate->global_refused = 0;
}

static int on_summary(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s, (void) usec;
        summarize(userdata);
        return 0;
}

/* The account's slot; a fresh one starts with the full burst (so taking over
 * another account's slot gives that one back no more than waiting would
 * have: bursts refill in 16 s), the summary it was owed written first. */
static unsigned slot_of(ChangeRate *rate, uid_t account, uint64_t now) {
        bool fresh;
        uid_t evicted;
        unsigned i = account_slot(&rate->slots, account, now, &fresh, &evicted);
        if (fresh) {
                if (evicted != UID_INVALID)
                        summarize_one(rate, i, evicted);
                rate->accounts[i] = (typeof(rate->accounts[0])) {};
        }
        return i;
}

int change_rate_take(ChangeRate *rate, uid_t account, unsigned n, uint64_t now, uint64_t *ret_wait,
                     bool *ret_global) {
        uint64_t need = (uint64_t) n * 1000;

        if (account == 0)
                return 0;

        unsigned i = slot_of(rate, account, now);
        uint64_t mine = refill(rate->accounts[i].milli_tokens, &rate->accounts[i].updated, now,
                               ACCOUNT_RATE_PER_SEC, ACCOUNT_RATE_BURST);
        uint64_t all = refill(rate->global_milli_tokens, &rate->global_updated, now, GLOBAL_RATE_PER_SEC,
                              GLOBAL_RATE_BURST);
        rate->accounts[i].milli_tokens = mine;
        rate->global_milli_tokens = all;

        if (mine >= need && all >= need) {
                rate->accounts[i].milli_tokens -= need;
                rate->global_milli_tokens -= need;
                return 0;
        }

        bool global = mine >= need;
        uint64_t wait = global ? (need - all) * 1000 / GLOBAL_RATE_PER_SEC : (need - mine) * 1000 / ACCOUNT_RATE_PER_SEC;
        if (global)
                rate->global_refused++;
        else
                rate->accounts[i].refused++;
        if (!rate->summary)
                (void) sd_event_add_time_relative(rate->event, &rate->summary, CLOCK_MONOTONIC,
                                                  (uint64_t) RATE_SUMMARY_SEC * 1000000, 0, on_summary, rate);
        else if (sd_event_source_get_enabled(rate->summary, NULL) == 0) {
                (void) sd_event_source_set_time_relative(rate->summary, (uint64_t) RATE_SUMMARY_SEC * 1000000);
                (void) sd_event_source_set_enabled(rate->summary, SD_EVENT_ONESHOT);
        }
        *ret_wait = wait;
        *ret_global = global;
        return -EAGAIN;
}

void change_rate_done(ChangeRate *rate) {
        summarize(rate);
        rate->summary = sd_event_source_disable_unref(rate->summary);
}
