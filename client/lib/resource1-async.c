/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: the asynchronous calls, each held by a slot until its reply
 * is given to the program's callback, and RlimitChanged subscriptions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-bus.h>

#include "resource1-client-errno.h"
#include "resource1-errors.h"
#include "resource1-internal.h"

/* A request that owns nothing: a slot's before its call is given to it, and
 * a call's before it is built. */
#define NO_REQUEST REQUEST(METHOD_PAGE_SIZE)

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
        const sd_bus_error *err = r < 0 ? e : NULL;
        bool ok = r >= 0;

        handle_ref(h);
        slot_ref(s);
        /* Done: off the handle's list before the callback, which may free the
         * slot, the handle, or start other calls. */
        slot_unlink(s);

        switch (s->req.method) {
        case METHOD_GET_RLIMIT:
        case METHOD_PRLIMIT:
                if (s->callback.limit)
                        s->callback.limit(h, r, err, ok ? &res->limit : NULL, s->userdata);
                break;
        case METHOD_SET_RLIMIT:
                if (s->callback.done)
                        s->callback.done(h, r, err, s->userdata);
                break;
        case METHOD_SET_RLIMITS:
                if (s->callback.limits)
                        s->callback.limits(h, r, err, ok ? res->old : NULL, ok ? res->n_old : 0, s->userdata);
                break;
        case METHOD_LIST_RLIMITS:
                if (s->callback.list)
                        s->callback.list(h, r, err, ok ? res->entries : NULL, ok ? res->n_entries : 0, s->userdata);
                break;
        case METHOD_GET_RUSAGE: {
                static const sd_bus_error no_memory = SD_BUS_ERROR_MAKE_CONST(SD_BUS_ERROR_NO_MEMORY, "out of memory");
                void *u = NULL;
                if (ok && !(u = malloc(s->req.usage_size))) {
                        r = -ENOMEM;
                        ok = false;
                        err = &no_memory;
                }
                if (u)
                        usage_copy(u, &res->usage, s->req.usage_size);
                if (s->callback.usage)
                        s->callback.usage(h, r, err, u, s->userdata);
                free(u);
                break;
        }
        case METHOD_PAGE_SIZE:
                if (s->callback.u64)
                        s->callback.u64(h, r, err, ok ? res->u64 : 0, s->userdata);
                break;
        case METHOD_GET_PROPERTY:
                if (s->req.property_type == 'b' && s->callback.b)
                        s->callback.b(h, r, err, ok && res->b, s->userdata);
                else if (s->req.property_type == 's' && s->callback.s)
                        s->callback.s(h, r, err, ok ? res->s : NULL, s->userdata);
                else if (s->req.property_type == 'a' && s->callback.strv)
                        s->callback.strv(h, r, err, ok ? res->strv : NULL, s->userdata);
                break;
        }

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

static int slot_new(Resource1 *h, SlotType type, void *userdata, Resource1Slot **ret) {
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

/* Hands the slot (holding its own reference) to the program, or to the
 * handle alone when ret_slot is NULL. */
static void slot_give(Resource1 *h, Resource1Slot *s, Resource1Slot **ret_slot) {
        slot_link(h, s);
        if (ret_slot)
                *ret_slot = s;
        else
                slot_unref(s);
}

/* Starts q (a request whose arguments are checked and target set) with the
 * callback set by set_callback on the new slot: sent now, or held back
 * behind the calls the handle holds (resource1-queue.c). */
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

/* The start of every asynchronous call: a handle is needed, and the last error becomes this call's. */
static int begin_async(Resource1 *h) {
        if (!h)
                return -EINVAL;
        begin(h);
        return 0;
}

/* The rest of every asynchronous call's start: r is what begin_async() and
 * building q (its arguments checked, its target named) returned; q, which
 * owns nothing yet where r is a failure, goes to a new slot that calls
 * callback, or is done with. */
static int start_async(Resource1 *h, Resource1Slot **ret_slot, int r, Request *q, SlotCallback callback,
                       void *userdata) {
        Resource1Slot *s = NULL;

        if (r >= 0)
                r = slot_new(h, SLOT_CALL, userdata, &s);
        if (r < 0) {
                request_done(q);
                return r;
        }
        s->callback = callback;
        return call_async(h, ret_slot, q, s);
}

_public_ int resource1_getrlimit_async(Resource1 *h, Resource1Slot **ret_slot, int resource,
                                       Resource1LimitHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_getrlimit(h, resource, &q);
        if (r >= 0)
                r = target_set(h, false, 0, false, true, &q);   /* this process, by its pidfd */
        return start_async(h, ret_slot, r, &q, (SlotCallback) { .limit = callback }, userdata);
}

_public_ int resource1_setrlimit_async(Resource1 *h, Resource1Slot **ret_slot, int resource, const Resource1Limit *limit,
                                       Resource1DoneHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_setrlimit(h, resource, limit, &q);
        if (r >= 0)
                r = target_set(h, false, 0, false, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) { .done = callback }, userdata);
}

static int prlimit_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd, int resource,
                         const Resource1Limit *new_limit, Resource1LimitHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_prlimit(h, resource, new_limit, &q);
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, false, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) { .limit = callback }, userdata);
}

_public_ int resource1_prlimit_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, int resource,
                                     const Resource1Limit *new_limit, Resource1LimitHandler callback, void *userdata) {
        return prlimit_async(h, ret_slot, false, pid, resource, new_limit, callback, userdata);
}

_public_ int resource1_prlimit_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, int resource,
                                           const Resource1Limit *new_limit, Resource1LimitHandler callback,
                                           void *userdata) {
        return prlimit_async(h, ret_slot, true, pidfd, resource, new_limit, callback, userdata);
}

static int setrlimits_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd, const int resources[],
                            const Resource1Limit limits[], size_t n, Resource1LimitsHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_setrlimits(h, resources, limits, n, true, &q);
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, false, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) { .limits = callback }, userdata);
}

_public_ int resource1_setrlimits_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, const int resources[],
                                        const Resource1Limit limits[], size_t n, Resource1LimitsHandler callback,
                                        void *userdata) {
        return setrlimits_async(h, ret_slot, false, pid, resources, limits, n, callback, userdata);
}

_public_ int resource1_setrlimits_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, const int resources[],
                                              const Resource1Limit limits[], size_t n, Resource1LimitsHandler callback,
                                              void *userdata) {
        return setrlimits_async(h, ret_slot, true, pidfd, resources, limits, n, callback, userdata);
}

static int list_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd, Resource1ListHandler callback,
                      void *userdata) {
        Request q = REQUEST(METHOD_LIST_RLIMITS);
        int r = begin_async(h) ?: target_set(h, by_fd, pid_or_fd, false, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) { .list = callback }, userdata);
}

_public_ int resource1_list_rlimits_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid,
                                          Resource1ListHandler callback, void *userdata) {
        return list_async(h, ret_slot, false, pid, callback, userdata);
}

_public_ int resource1_list_rlimits_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd,
                                                Resource1ListHandler callback, void *userdata) {
        return list_async(h, ret_slot, true, pidfd, callback, userdata);
}

static int getrusage_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd, int who, size_t size,
                           Resource1UsageHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_getrusage(h, who, size, &q);
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, who == RUSAGE_THREAD, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) { .usage = callback }, userdata);
}

_public_ int resource1_getrusage_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, int who, size_t size,
                                       Resource1UsageHandler callback, void *userdata) {
        return getrusage_async(h, ret_slot, false, pid, who, size, callback, userdata);
}

_public_ int resource1_getrusage_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, int who, size_t size,
                                             Resource1UsageHandler callback, void *userdata) {
        return getrusage_async(h, ret_slot, true, pidfd, who, size, callback, userdata);
}

_public_ int resource1_getpagesize_async(Resource1 *h, Resource1Slot **ret_slot, Resource1Uint64Handler callback,
                                         void *userdata) {
        Request q = REQUEST(METHOD_PAGE_SIZE);
        return start_async(h, ret_slot, begin_async(h), &q, (SlotCallback) { .u64 = callback }, userdata);
}

_public_ int resource1_get_can_raise_hard_limits_async(Resource1 *h, Resource1Slot **ret_slot,
                                                       Resource1BoolHandler callback, void *userdata) {
        Request q = make_property("CanRaiseHardLimits", 'b');
        return start_async(h, ret_slot, begin_async(h), &q, (SlotCallback) { .b = callback }, userdata);
}

_public_ int resource1_get_version_async(Resource1 *h, Resource1Slot **ret_slot, Resource1StringHandler callback,
                                         void *userdata) {
        Request q = make_property("Version", 's');
        return start_async(h, ret_slot, begin_async(h), &q, (SlotCallback) { .s = callback }, userdata);
}

_public_ int resource1_get_resources_async(Resource1 *h, Resource1Slot **ret_slot, Resource1StrvHandler callback,
                                           void *userdata) {
        Request q = make_property("Resources", 'a');
        return start_async(h, ret_slot, begin_async(h), &q, (SlotCallback) { .strv = callback }, userdata);
}

/* ---- RlimitChanged ---- */

static int on_rlimit_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Resource1Slot *s = userdata;
        const char *name;
        uint32_t pid, uid;
        Resource1Limit old_limit, new_limit;

        if (sd_bus_message_read(m, "usttttu", &pid, &name, &old_limit.soft, &old_limit.hard, &new_limit.soft,
                                &new_limit.hard, &uid) < 0)
                return 0;   /* not the signal the specification describes: ignored */
        if (!s->handle || !s->callback.changed)
                return 0;

        int k = resource1_resource_from_name(name);
        Resource1 *h = handle_ref(s->handle);
        slot_ref(s);
        s->callback.changed(h, (pid_t) pid, k < 0 ? -1 : k, name, &old_limit, &new_limit, (uid_t) uid, s->userdata);
        slot_unref(s);
        handle_unref(h);
        return 0;   /* other matches of the program's own may want it too */
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return 0;   /* a failure to install it leaves the connection as it is */
}

int subscription_add(Resource1Slot *s) {
        s->bus_slot = sd_bus_slot_unref(s->bus_slot);
        return sd_bus_match_signal_async(s->handle->conn.bus, &s->bus_slot, RESOURCE1_BUS_NAME, RESOURCE1_PATH,
                                         RESOURCE1_INTERFACE, "RlimitChanged", on_rlimit_changed, on_match_installed,
                                         s);
}

_public_ int resource1_subscribe_rlimit_changed(Resource1 *h, Resource1Slot **ret_slot,
                                                Resource1RlimitChangedHandler callback, void *userdata) {
        Resource1Slot *s = NULL;
        int r = begin_async(h);
        if (r < 0)
                return r;
        r = connect_or_fail(h);
        if (r < 0)
                return r;
        r = slot_new(h, SLOT_SUBSCRIPTION, userdata, &s);
        if (r < 0)
                return r;
        s->callback.changed = callback;
        s->handle = h;
        r = subscription_add(s);
        s->handle = NULL;
        if (r < 0) {
                slot_unref(s);
                return failf(h, r, NULL, "cannot subscribe to RlimitChanged: %s", strerror(-r));
        }
        slot_give(h, s, ret_slot);
        return 0;
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
