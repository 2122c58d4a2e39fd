/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "refusals.h"
#include "util.h"

#define WINDOW_USEC ((uint64_t) REFUSALS_WINDOW_SEC * 1000000u)

static void summarize_for(RefusalLog *l, unsigned i, uid_t uid) {
        if (l->uids[i].suppressed > 0)
                log_notice("Suppressed %u refusal messages for uid %u in the last %u s",
                           l->uids[i].suppressed, (unsigned) uid, REFUSALS_WINDOW_SEC);
        l->uids[i].suppressed = 0;
}

static void summarize(RefusalLog *l, unsigned i) {
        summarize_for(l, i, l->slots.account[i]);
}

static void arm(RefusalLog *l);

static int on_window_end(sd_event_source *s, uint64_t usec, void *userdata) {
        RefusalLog *l = userdata;
        (void) s;

        for (unsigned i = 0; i < ACCOUNT_SLOTS; i++)
                if (l->uids[i].window_start != 0 && l->uids[i].window_start + WINDOW_USEC <= usec) {
                        summarize(l, i);
                        l->uids[i].window_start = 0;
                }
        arm(l);
        return 0;
}

/* One timer for the earliest window that owes a summary. */
static void arm(RefusalLog *l) {
        uint64_t next = UINT64_MAX;
        for (unsigned i = 0; i < ACCOUNT_SLOTS; i++)
                if (l->uids[i].suppressed > 0 && l->uids[i].window_start + WINDOW_USEC < next)
                        next = l->uids[i].window_start + WINDOW_USEC;
        if (next == UINT64_MAX) {
                (void) sd_event_source_set_enabled(l->timer, SD_EVENT_OFF);
                return;
        }
        if (!l->timer) {
                if (sd_event_add_time(l->event, &l->timer, CLOCK_MONOTONIC, next, 0, on_window_end, l) < 0)
                        return;   /* summaries then come with the uid's next refusal */
        } else
                (void) sd_event_source_set_time(l->timer, next);
        (void) sd_event_source_set_enabled(l->timer, SD_EVENT_ONESHOT);
}

/* The uid's slot; a fresh one has no window open, the summary it was owed
 * for the account it was taken from written first. */
static unsigned slot_of(RefusalLog *l, uid_t uid, uint64_t now) {
        bool fresh;
        uid_t evicted;
        unsigned i = account_slot(&l->slots, uid, now, &fresh, &evicted);
        if (fresh) {
                if (evicted != UID_INVALID)
                        summarize_for(l, i, evicted);
                l->uids[i] = (typeof(l->uids[0])) {};
        }
        return i;
}

void log_refusal(RefusalLog *l, uid_t uid, int level, const char *format, ...) {
        uint64_t now = 0;
        char buf[1024];
        va_list ap;

        if (log_get_max_level() < level)
                return;
        (void) sd_event_now(l->event, CLOCK_MONOTONIC, &now);

        unsigned i = slot_of(l, uid, now);
        if (l->uids[i].window_start == 0 || l->uids[i].window_start + WINDOW_USEC <= now) {
                summarize(l, i);
                l->uids[i].window_start = now ?: 1;
                l->uids[i].logged = 0;
        }
        if (l->global_start == 0 || l->global_start + WINDOW_USEC <= now) {
                if (l->global_suppressed > 0)
                        log_notice("Suppressed %u refusal messages of all uids in the last %u s",
                                   l->global_suppressed, REFUSALS_WINDOW_SEC);
                l->global_start = now ?: 1;
                l->global_logged = l->global_suppressed = 0;
        }
        if (l->uids[i].logged >= REFUSALS_BURST || l->global_logged >= REFUSALS_GLOBAL_BURST) {
                if (l->uids[i].logged >= REFUSALS_BURST) {
                        if (l->uids[i].suppressed++ == 0)
                                arm(l);
                } else
                        l->global_suppressed++;
                return;
        }
        l->uids[i].logged++;
        l->global_logged++;

        va_start(ap, format);
        vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);
        (void) log_internal(level, 0, "%s", buf);
}

void refusals_done(RefusalLog *l) {
        for (unsigned i = 0; i < ACCOUNT_SLOTS; i++)
                summarize(l, i);
        l->timer = sd_event_source_disable_unref(l->timer);
}
