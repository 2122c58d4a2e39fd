/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: a handle's connections in the program's event loop, an
 * sd-event loop or one of its own (the fd, events and timeout to poll). */
#include <errno.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "resource1-internal.h"

/* ---- event loops ---- */

_public_ int resource1_attach_event(Resource1 *h, sd_event *event, int priority) {
        int r;

        if (!h)
                return -EINVAL;
        if (h->event)
                return -EBUSY;
        if (event)
                h->event = sd_event_ref(event);
        else {
                r = sd_event_default(&h->event);
                if (r < 0)
                        return r;
        }
        h->event_priority = priority;
        if (h->conn.bus) {
                r = sd_bus_attach_event(h->conn.bus, h->event, priority);
                if (r < 0) {
                        h->event = sd_event_unref(h->event);
                        return r;
                }
        }
        for (size_t i = 0; i < h->n_old; i++)
                (void) sd_bus_attach_event(h->old[i].bus, h->event, priority);
        /* Calls held back now wait on this loop's timer. */
        queue_kick(h);
        return 0;
}

_public_ int resource1_detach_event(Resource1 *h) {
        if (!h)
                return -EINVAL;
        if (!h->event)
                return 0;
        if (h->conn.bus)
                (void) sd_bus_detach_event(h->conn.bus);
        for (size_t i = 0; i < h->n_old; i++)
                (void) sd_bus_detach_event(h->old[i].bus);
        queue_timer_free(h);
        h->event = sd_event_unref(h->event);
        return 1;
}

_public_ int resource1_get_fd(Resource1 *h) {
        if (!h)
                return -EINVAL;
        int r = handle_connect(h);
        return r < 0 ? r : sd_bus_get_fd(h->conn.bus);
}

_public_ int resource1_get_events(Resource1 *h) {
        if (!h)
                return -EINVAL;
        int r = handle_connect(h);
        return r < 0 ? r : sd_bus_get_events(h->conn.bus);
}

_public_ int resource1_get_timeout(Resource1 *h, uint64_t *ret_usec) {
        if (!h || !ret_usec)
                return -EINVAL;
        /* A lost connection with calls to fail: at once, without its fd. */
        if (h->n_old > 0) {
                *ret_usec = 0;
                return 1;
        }
        /* Calls held back (resource1-queue.c): when one may go. */
        uint64_t t = h->queue_head ? h->queue_wake : UINT64_MAX;
        if (h->conn.bus) {
                uint64_t b;
                int r = sd_bus_get_timeout(h->conn.bus, &b);
                if (r < 0)
                        return r;
                if (r > 0 && b < t)
                        t = b;
        }
        *ret_usec = t;
        return t != UINT64_MAX;
}

/* Processes bus until it has nothing to do, or, when it is closing, until it
 * is closed (sd-bus answers 0 after failing each call pending on a closing
 * connection, though there is more to do); 0, or a negative errno other than
 * a closed connection's. */
static int process_bus(sd_bus *bus) {
        int r;

        sd_bus_ref(bus);
        while ((r = sd_bus_process(bus, NULL)) > 0 || (r == 0 && sd_bus_is_open(bus) == 0))
                ;
        sd_bus_unref(bus);
        return r == -ECONNRESET || r == -ENOTCONN ? 0 : r;
}

_public_ int resource1_process(Resource1 *h) {
        int r = 0;

        if (!h)
                return -EINVAL;
        handle_ref(h);
        for (bool again = true; again && r >= 0;) {
                again = false;
                /* Lost connections first: their calls move to the current one. */
                while (h->n_old > 0 && r >= 0) {
                        sd_bus *bus = h->old[0].bus;
                        r = process_bus(bus);
                        if (h->n_old > 0 && h->old[0].bus == bus) {   /* ended without its Disconnected */
                                conn_close(&h->old[0], true);
                                h->old[0] = h->old[--h->n_old];
                        }
                }
                if (r >= 0 && h->conn.bus) {
                        sd_bus *bus = h->conn.bus;
                        r = process_bus(bus);
                        again = h->conn.bus != bus || h->n_old > 0;
                }
        }
        /* Calls held back whose time has come. */
        if (r >= 0 && h->queue_head && h->queue_wake <= now_usec())
                queue_dispatch(h);
        handle_unref(h);
        return r;
}
