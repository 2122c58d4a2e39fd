/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: an asynchronous call, held by a slot until its reply is
 * given to the program's callback; the public functions that start one are
 * in resource1-methods.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-bus.h>

#include "resource1-client-errno.h"
#include "resource1-errors.h"
#include "resource1-internal.h"

/* ---- asynchronous calls ---- */

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

/* Sends the slot's call, with what is left of its timeout; on the handle's
 * own connection, once more on a new connection if the first turns out lost
 * while sending. */
int slot_send(Resource1Slot *s) {
        Resource1 *h = s->handle;
        int r;

        for (unsigned attempt = 0;;) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;

                r = handle_connect(h);
                if (r < 0)
                        return r;
                uint64_t now = now_usec();
                if (now >= s->deadline)
                        return -ETIMEDOUT;
                r = request_message(h, h->conn.bus, &s->req, &m);
                if (r >= 0) {
                        r = sd_bus_call_async(h->conn.bus, &s->bus_slot, m, on_reply, s, s->deadline - now);
                        if (r >= 0)
                                return 0;
                }
                /* This process's pidfd could not be passed (see call_message()
                 * in resource1-sync.c), nothing sent: by number, at once (an
                 * event loop's call does not wait). */
                if ((r == -ETOOMANYREFS || r == -EMFILE || r == -ENFILE) && request_names_self(h, &s->req)) {
                        s->req.fd = -1;
                        s->req.pid = 0;
                        continue;
                }
                if (attempt++ > 0 || !h->own_bus || r == -ECHILD || !connection_lost(h->conn.bus))
                        return r;
                handle_replace_connection(h);
        }
}

/* Calls the program's callback once, with the result or the error. */
static void slot_complete(Resource1Slot *s, int r, const sd_bus_error *e, Result *res) {
        Resource1 *h = s->handle;

        handle_ref(h);
        slot_ref(s);
        /* Done: off the handle's list before the callback, which may free the
         * slot, the handle, or start other calls. */
        slot_unlink(s);
        if (s->deliver)
                s->deliver(s, h, r, r < 0 ? e : NULL, res);
        slot_unref(s);
        handle_unref(h);
}

void slot_fail(Resource1Slot *s, int r, const sd_bus_error *e) {
        Result res = {};
        slot_complete(s, r, e, &res);
}

void slot_fail_send(Resource1Slot *s, int r) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        Resource1 *h = s->handle;

        if (r == -ETIMEDOUT && s->refusal.name) {
                /* Held back by a bound until its time was up: what the bound said. */
                sd_bus_error_copy(&e, &s->refusal);
                r = resource1_client_errno(&e, r, false);
        } else if (r == -ETIMEDOUT) {
                sd_bus_error_set(&e, SD_BUS_ERROR_NO_REPLY,
                                 "the call was not sent within its timeout: the handle held it back behind its "
                                 "calls in flight (libresource1(3), Bounds)");
        } else if (!h->conn.bus) {
                sd_bus_error_setf(&e, SD_BUS_ERROR_NO_SERVER, "cannot connect to the system bus: %s", strerror(-r));
                r = -ECONNREFUSED;
        } else {
                sd_bus_error_set_errnof(&e, r, "cannot send the call: %s", strerror(-r));
                r = resource1_client_errno(&e, r, false);
        }
        slot_fail(s, r, &e);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        Resource1Slot *s = userdata;
        Resource1 *h = s->handle;
        sd_bus *bus = sd_bus_message_get_bus(m);
        Result res = {};
        int r;

        /* The pending call is answered: sd-bus holds the slot while it dispatches. */
        s->bus_slot = sd_bus_slot_unref(s->bus_slot);
        conn_answered(h, bus);
        handle_ref(h);

        const sd_bus_error *reply_error = sd_bus_message_get_error(m);
        if (!bound_refusal(reply_error))
                queue_answered(h);
        if (reply_error) {
                bool timed_out = now_usec() >= s->deadline;
                int err = sd_bus_message_get_errno(m);

                /* A pid 0 the service could not vouch for: a new connection. */
                bool unknown = h->own_bus && bus == h->conn.bus && caller_unknown(h, &s->req, reply_error);
                if (!timed_out && bound_refusal(reply_error)) {
                        if (queue_refused(h, s, reply_error))
                                goto done;
                        sd_bus_error_copy(&e, reply_error);
                        r = resource1_client_errno(&e, -err, false);
                } else if (!s->retried && (unknown || (worth_retry(bus, -err, reply_error, timed_out) &&
                                                       (!connection_lost(bus) || h->own_bus)))) {
                        s->retried = true;
                        if (bus == h->conn.bus && (unknown || connection_lost(bus)))
                                handle_replace_connection(h);
                        r = slot_send(s);
                        if (r >= 0)
                                goto done;
                        slot_fail_send(s, r);
                        goto done;
                } else {
                        sd_bus_error_copy(&e, reply_error);
                        r = resource1_client_errno(&e, -err, timed_out);
                }
        } else {
                r = read_reply(m, &s->req, &res);
                if (r < 0) {
                        unexpected_reply(&e, r);
                        r = r == -ENOMEM ? r : -EBADMSG;
                } else
                        r = 0;
        }

        slot_complete(s, r, &e, &res);
        result_done(&res);
done:
        /* An answer makes room for a call held back. */
        queue_dispatch(h);
        handle_unref(h);
        return 0;
}

int slot_new(Resource1 *h, SlotType type, void *userdata, Resource1Slot **ret) {
        Resource1Slot *s = calloc(1, sizeof *s);
        if (!s)
                return failf(h, -ENOMEM, NULL, "out of memory");
        s->n_ref = 1;
        s->type = type;
        s->userdata = userdata;
        s->req = NO_REQUEST;
        *ret = s;
        return 0;
}

void slot_give(Resource1 *h, Resource1Slot *s, Resource1Slot **ret_slot) {
        slot_link(h, s);
        if (ret_slot)
                *ret_slot = s;
        else
                slot_unref(s);
}

/* Starts q (a request whose arguments are checked and target set) on the
 * new slot s: sent now, or held back behind the calls the handle holds
 * (resource1-queue.c). */
static int call_async(Resource1 *h, Resource1Slot **ret_slot, Request *q, Resource1Slot *s) {
        int r = connect_or_fail(h);
        if (r < 0)
                goto fail;
        s->req = *q;
        *q = NO_REQUEST;
        s->handle = h;
        /* The call's whole time, however long it is held back or refused. */
        s->deadline = now_usec() + call_timeout(h);
        if (queue_may_send_now(h, s)) {
                r = slot_send(s);
                s->handle = NULL;
                if (r < 0) {
                        r = local_failure(h, r, "cannot send the call");
                        goto fail;
                }
                slot_give(h, s, ret_slot);
                return 0;
        }
        s->handle = NULL;
        slot_give(h, s, ret_slot);
        queue_add(h, s);
        queue_kick(h);
        return 0;

fail:
        request_done(q);
        slot_unref(s);
        return r;
}

int begin_async(Resource1 *h) {
        if (!h)
                return -EINVAL;
        begin(h);
        return 0;
}

int start_async(Resource1 *h, Resource1Slot **ret_slot, int r, Request *q, SlotCallback callback, SlotDeliver deliver,
                void *userdata) {
        Resource1Slot *s = NULL;

        if (r >= 0)
                r = slot_new(h, SLOT_CALL, userdata, &s);
        if (r < 0) {
                request_done(q);
                return r;
        }
        s->callback = callback;
        s->deliver = deliver;
        return call_async(h, ret_slot, q, s);
}

_public_ Resource1Slot *resource1_slot_free(Resource1Slot *s) {
        if (!s)
                return NULL;
        Resource1 *h = s->handle;
        bool in_flight = s->type == SLOT_CALL && s->bus_slot;
        slot_unlink(s);
        slot_unref(s);
        /* Room for a call held back, sent from the loop (not from here,
         * where a failure to send would call a callback). */
        if (h && in_flight)
                queue_kick(h);
        return NULL;
}
