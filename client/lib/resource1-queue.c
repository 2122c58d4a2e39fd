/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: asynchronous calls held back, so that a program may start
 * as many as it likes at once and the service's bounds (resource1d(8),
 * BOUNDS) and the bus's see no more than they take.
 *
 * A handle has at most QUEUE_IN_FLIGHT_MAX calls in flight (the system bus
 * refuses a connection's 129th pending reply), of them at most
 * QUEUE_PIDFD_IN_FLIGHT_MAX with a pidfd (the service's gate refuses a
 * connection's 33rd); the rest wait in the order they were started. A call a
 * bound refuses (LimitsExceeded: nothing was done) waits and goes again
 * within its deadline:
 *   - the rate limit of changes says when ("try again in S s"): no change of
 *     the handle goes before then, and afterwards one at a time until none
 *     is left, since the service then takes no more than one every 1/4 s;
 *   - a bound on calls in progress does not: the call waits a little, longer
 *     each time, and the handle sends no more at once than it has in flight
 *     then (one more for each answer after), since that is what the service
 *     took.
 * Time is kept by an sd-event timer on the handle's loop (or its
 * connection's); for any other loop resource1_get_timeout() says when to
 * call resource1_process(). */
#include <errno.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "resource1-internal.h"

static bool request_is_change(const Request *q) {
        return q->method == METHOD_SET_RLIMIT || q->method == METHOD_SET_RLIMITS ||
               (q->method == METHOD_PRLIMIT && q->set);
}

typedef struct InFlight {
        unsigned all, pidfd, changes;
} InFlight;

static InFlight in_flight(const Resource1 *h) {
        InFlight n = {};
        for (const Resource1Slot *s = h->slots; s; s = s->next)
                if (s->type == SLOT_CALL && s->bus_slot) {
                        n.all++;
                        n.pidfd += s->req.fd >= 0;
                        n.changes += request_is_change(&s->req);
                }
        return n;
}

static unsigned window(const Resource1 *h) {
        return h->window > 0 ? h->window : QUEUE_IN_FLIGHT_MAX;
}

/* 0 when s may go now, else the time it may (UINT64_MAX: when an answer
 * makes room). */
static uint64_t slot_time(const Resource1 *h, const Resource1Slot *s, const InFlight *n, uint64_t now) {
        bool change = request_is_change(&s->req);
        uint64_t t = s->not_before;

        if (change && h->changes_not_before > t)
                t = h->changes_not_before;
        if (t > now)
                return t;
        if (n->all >= window(h) || (s->req.fd >= 0 && n->pidfd >= QUEUE_PIDFD_IN_FLIGHT_MAX) ||
            (change && h->changes_paced && n->changes > 0))
                return UINT64_MAX;
        return 0;
}

bool queue_may_send_now(Resource1 *h, const Resource1Slot *s) {
        if (h->queue_head)
                return false;   /* behind those */
        InFlight n = in_flight(h);
        return slot_time(h, s, &n, now_usec()) == 0;
}

void queue_add(Resource1 *h, Resource1Slot *s) {
        Resource1Slot *after = h->queue_tail;

        if (s->seq == 0)
                s->seq = ++h->next_seq;
        /* A call sent again goes back to its place among those started with it. */
        while (after && after->seq > s->seq)
                after = after->queue_prev;
        s->queue_prev = after;
        s->queue_next = after ? after->queue_next : h->queue_head;
        if (s->queue_next)
                s->queue_next->queue_prev = s;
        else
                h->queue_tail = s;
        if (after)
                after->queue_next = s;
        else
                h->queue_head = s;
        s->queued = true;
}

void queue_remove(Resource1Slot *s) {
        Resource1 *h = s->handle;

        if (!s->queued || !h)
                return;
        if (s->queue_prev)
                s->queue_prev->queue_next = s->queue_next;
        else
                h->queue_head = s->queue_next;
        if (s->queue_next)
                s->queue_next->queue_prev = s->queue_prev;
        else
                h->queue_tail = s->queue_prev;
        s->queue_prev = s->queue_next = NULL;
        s->queued = false;
}

/* ---- time ---- */

static int on_queue_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        Resource1 *h = userdata;
        (void) source, (void) usec;
        queue_dispatch(h);
        return 0;
}

/* The loop timers go on: the handle's, or that of the program's connection. */
static sd_event *queue_event(const Resource1 *h) {
        if (h->event)
                return h->event;
        return h->conn.bus ? sd_bus_get_event(h->conn.bus) : NULL;
}

void queue_timer_free(Resource1 *h) {
        h->queue_timer = sd_event_source_disable_unref(h->queue_timer);
}

/* Wakes the queue at "when" (0: at the loop's next turn), on the loop there
 * is; without one, resource1_get_timeout() tells the program's loop. */
static void queue_wake_at(Resource1 *h, uint64_t when) {
        h->queue_wake = when;
        sd_event *e = queue_event(h);
        if (h->queue_timer && sd_event_source_get_event(h->queue_timer) != e)
                queue_timer_free(h);
        if (!e || when == UINT64_MAX) {
                if (h->queue_timer)
                        (void) sd_event_source_set_enabled(h->queue_timer, SD_EVENT_OFF);
                return;
        }
        if (!h->queue_timer) {
                /* An accuracy of 1 µs: sd-event's default would add up to 250 ms to every wait. */
                if (sd_event_add_time(e, &h->queue_timer, CLOCK_MONOTONIC, when, 1, on_queue_timer, h) < 0)
                        return;
                (void) sd_event_source_set_priority(h->queue_timer, h->event_priority);
                (void) sd_event_source_set_description(h->queue_timer, "resource1-queue");
        } else
                (void) sd_event_source_set_time(h->queue_timer, when);
        (void) sd_event_source_set_enabled(h->queue_timer, SD_EVENT_ONESHOT);
}

void queue_kick(Resource1 *h) {
        if (h->queue_head)
                queue_wake_at(h, 0);
}

/* ---- sending ---- */

void queue_dispatch(Resource1 *h) {
        if (h->dispatching || (!h->queue_head && !h->changes_paced && h->queue_wake == UINT64_MAX))
                return;   /* (the common case, at every answer: nothing held back) */
        h->dispatching = true;
        handle_ref(h);

        uint64_t wake;
        bool again;
        do {
                InFlight n = in_flight(h);
                uint64_t now = now_usec();
                bool changes_held = false;

                again = false;
                wake = UINT64_MAX;
                for (Resource1Slot *s = h->queue_head, *next; s; s = next) {
                        next = s->queue_next;
                        if (now >= s->deadline) {
                                queue_remove(s);
                                slot_fail_send(s, -ETIMEDOUT);
                                again = true;   /* the callback may have changed anything */
                                break;
                        }
                        uint64_t t = slot_time(h, s, &n, now);
                        if (t != 0) {
                                changes_held = changes_held || request_is_change(&s->req);
                                wake = t < wake ? t : wake;
                                if (s->deadline < wake)
                                        wake = s->deadline;
                                if (n.all >= window(h))
                                        break;   /* nothing behind it goes either */
                                continue;
                        }
                        queue_remove(s);
                        int r = slot_send(s);
                        if (r < 0) {
                                slot_fail_send(s, r);
                                again = true;
                                break;
                        }
                        n.all++;
                        n.pidfd += s->req.fd >= 0;
                        n.changes += request_is_change(&s->req);
                }
                /* Pacing ends with the changes it was for. */
                if (!again && !changes_held && n.changes == 0)
                        h->changes_paced = false;
        } while (again && h->queue_head);

        if (h->queue_head)
                queue_wake_at(h, wake);
        else
                queue_wake_at(h, UINT64_MAX);
        h->dispatching = false;
        handle_unref(h);
}

bool queue_refused(Resource1 *h, Resource1Slot *s, const sd_bus_error *e) {
        bool timed;
        uint64_t wait = bound_wait(e, s->waits, &timed), now = now_usec();

        if (now >= s->deadline || wait >= s->deadline - now)
                return false;
        sd_bus_error_free(&s->refusal);
        (void) sd_bus_error_copy(&s->refusal, e);   /* returns e's errno; out of memory: NoMemory */
        s->waits++;
        s->not_before = now + wait;
        if (timed && request_is_change(&s->req)) {
                if (s->not_before > h->changes_not_before)
                        h->changes_not_before = s->not_before;
                h->changes_paced = true;
        } else if (!timed) {
                /* As many as the bound took: those still in flight. */
                InFlight n = in_flight(h);
                h->window = n.all > 0 ? n.all : 1;
        }
        queue_add(h, s);
        return true;
}

void queue_answered(Resource1 *h) {
        if (window(h) < QUEUE_IN_FLIGHT_MAX)
                h->window = window(h) + 1;
}
