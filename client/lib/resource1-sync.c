/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: a synchronous call, sent and answered on the handle given
 * (or, through WITH_HANDLE(), on one made for it alone); the public
 * functions that make one are in resource1-methods.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "resource1-client-errno.h"
#include "resource1-errors.h"
#include "resource1-internal.h"
#include "resource1-polkit-agent.h"

/* ---- synchronous calls ---- */

/* Builds q's message and calls it (ret_built false: the message could not
 * be made). Where this process's pidfd cannot be passed, it is named by
 * number instead, as the service's "caller": right unless a bus proxy
 * stands between (the service then refuses it or takes the proxy). That is
 * a program at the end of its descriptors, e.g. one that lowered its soft
 * NOFILE to 4: sd-bus keeps a copy of every descriptor it sends, which then
 * fails (EMFILE); and Linux refuses to pass a descriptor (ETOOMANYREFS) for
 * an unprivileged sender whose user has more in flight, sent and not yet
 * received by any of its processes, than the sender's soft NOFILE limit.
 * Nothing was sent then, the connection is intact; the latter passes once the
 * bus has taken those in, so it is tried again after a few short waits. */
static int call_message(Resource1 *h, sd_bus *bus, const Request *q, uint64_t timeout, sd_bus_error *e,
                        sd_bus_message **ret_reply, bool *ret_built) {
        static const unsigned waits_usec[] = { 1000, 4000, 16000, 64000 };
        Request by_number;

        for (size_t i = 0;; i++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                bool self = request_names_self(h, q);

                *ret_built = false;
                int r = request_message(h, bus, q, &m);
                if (r >= 0) {
                        *ret_built = true;
                        sd_bus_error_free(e);
                        r = sd_bus_call(bus, m, timeout, e, ret_reply);
                        if (r != -ETOOMANYREFS || !self)
                                return r;
                        if (i < ELEMENTSOF(waits_usec)) {
                                usleep(waits_usec[i]);
                                continue;
                        }
                } else if (!self || (r != -EMFILE && r != -ENFILE))
                        return r;
                by_number = *q;
                by_number.fd = -1;
                by_number.pid = 0;
                q = &by_number;
        }
}

/* Sends q and reads the reply into res; on a handle's own connection, once
 * more on a new connection if the first was lost; and again after the wait
 * a bound of the service's asks for (resource1-retry.c), while that ends
 * before the call's deadline, its timeout from the first sending: otherwise
 * at once, with the service's error. The handle's last error says why it
 * failed. */
static int call_once(Resource1 *h, const Request *q, Result *res) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        bool timed_out = false;
        uint64_t deadline = 0;
        unsigned attempt = 0, waits = 0;
        int r;

        for (;;) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

                sd_bus_error_free(&e);
                r = connect_or_fail(h);
                if (r < 0)
                        return r;
                sd_bus *bus = h->conn.bus;
                uint64_t now = now_usec();
                if (deadline == 0)
                        deadline = now + call_timeout(h);
                bool built;
                r = call_message(h, bus, q, deadline > now ? deadline - now : 1, &e, &reply, &built);
                if (!built)
                        return local_failure(h, r, "cannot make the call");
                conn_answered(h, bus);
                if (r >= 0) {
                        r = read_reply(reply, q, res);
                        if (r < 0) {
                                unexpected_reply(&e, r);
                                return remember_error(h, &e, r == -ENOMEM ? r : -EBADMSG);
                        }
                        forget_error(h);
                        return 0;
                }
                now = now_usec();
                timed_out = now >= deadline;
                if (!timed_out && bound_refusal(&e)) {
                        bool timed;
                        uint64_t wait = bound_wait(&e, waits, &timed);
                        if (wait >= deadline - now)
                                break;
                        sleep_until(now + wait);
                        waits++;
                        continue;
                }
                if (attempt == 0 && h->own_bus && caller_unknown(h, q, &e)) {
                        attempt++;
                        handle_replace_connection(h);
                        continue;
                }
                if (attempt > 0 || !worth_retry(bus, r, &e, timed_out))
                        break;
                attempt++;
                if (connection_lost(bus)) {
                        if (!h->own_bus)
                                break;
                        handle_replace_connection(h);
                }
        }

        r = resource1_client_errno(&e, r, timed_out);
        if (r == -ECHILD)
                return local_failure(h, r, "");
        if (r == -ETIMEDOUT && timed_out) {   /* sd-bus's own timeout, in its words or none */
                sd_bus_error_free(&e);
                sd_bus_error_setf(&e, SD_BUS_ERROR_NO_REPLY, "the service did not answer within %.1f s",
                                  (double) call_timeout(h) / 1e6);
        }
        return remember_error(h, &e, r);
}

static bool interactive_required(const Resource1 *h) {
        return h->error_name && strcmp(h->error_name, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED) == 0;
}

/* The service's "... needs authentication" with what stood in the way of
 * asking, which only this side knows: "..., but pkttyagent is not installed". */
static void explain_challenge(Resource1 *h, const PolkitAgent *agent) {
        static const char needs[] = " needs authentication";
        const char *msg = h->error_message ?: "";
        const char *at = strstr(msg, needs);
        char why[512], *text = NULL;

        polkit_agent_why(agent, why, sizeof why);
        if (at && asprintf(&text, "%.*s, but %s", (int) (at - msg + strlen(needs)), msg, why) < 0)
                text = NULL;
        else if (!at && asprintf(&text, "%s (%s)", msg, why) < 0)
                text = NULL;
        if (text) {
                free(h->error_message);
                h->error_message = text;
        }
}

/* q, and with the handle's polkit agent allowed, once more when polkit wants
 * the user authenticated and an agent could ask: pkttyagent started for
 * this process on its terminal, the call sent again allowing interaction.
 * Without one nothing could answer, so nothing is asked again. */
static int call_sync(Resource1 *h, const Request *q, Result *res) {
        int r = call_once(h, q, res);
        if (r != -EACCES || !h->polkit_agent || !interactive_required(h))
                return r;

        PolkitAgent agent;
        polkit_agent_open(&agent);
        if (polkit_agent_running(&agent)) {
                bool allow = h->allow_interactive;
                h->allow_interactive = true;
                r = call_once(h, q, res);
                h->allow_interactive = allow;
        }
        polkit_agent_close(&agent);
        if (r == -EACCES && interactive_required(h))
                explain_challenge(h, &agent);
        return r;
}

/* Calls q where building it (r) succeeded, and closes what it opened. */
int call_sync_done(Resource1 *h, int r, Request *q, Result *res) {
        if (r >= 0)
                r = call_sync(h, q, res);
        request_done(q);
        return r;
}
