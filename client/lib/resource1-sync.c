/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: the synchronous calls, each on the handle given or on one
 * made for it alone. */
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

/* ---- the synchronous public calls ---- */

/* A NULL handle gets a handle for one call, whose error becomes the thread's. */
#define WITH_HANDLE(h, expr)                                            \
        ({                                                              \
                Resource1 *_own = NULL;                                 \
                int _r = 0;                                             \
                if (!(h)) {                                             \
                        _r = resource1_new(&_own);                      \
                        (h) = _own;                                     \
                }                                                       \
                if (_r >= 0)                                            \
                        _r = (expr);                                    \
                if (_own || !(h))                                       \
                        oneshot_remember(_own, _r);                     \
                resource1_free(_own);                                   \
                _r;                                                     \
        })

/* Calls q where building it (r) succeeded, and closes what it opened. */
static int call_sync_done(Resource1 *h, int r, Request *q, Result *res) {
        if (r >= 0)
                r = call_sync(h, q, res);
        request_done(q);
        return r;
}

/* getrlimit() and setrlimit() name this process by its pidfd, as pid 0 does
 * (target_set()): the service's own "caller" is whoever owns the bus
 * connection, a proxy's process behind one. */
static int do_getrlimit(Resource1 *h, int resource, Resource1Limit *ret) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_getrlimit(h, resource, &q);
        if (r >= 0)
                r = check_arg(h, ret, "ret is NULL");
        if (r >= 0)
                r = target_set(h, false, 0, false, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r >= 0)
                *ret = res.limit;
        return r;
}

_public_ int resource1_getrlimit(Resource1 *h, int resource, Resource1Limit *ret) {
        return WITH_HANDLE(h, do_getrlimit(h, resource, ret));
}

static int do_setrlimit(Resource1 *h, int resource, const Resource1Limit *limit) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_setrlimit(h, resource, limit, &q);
        if (r >= 0)
                r = target_set(h, false, 0, false, false, &q);
        return call_sync_done(h, r, &q, &res);
}

_public_ int resource1_setrlimit(Resource1 *h, int resource, const Resource1Limit *limit) {
        return WITH_HANDLE(h, do_setrlimit(h, resource, limit));
}

static int do_prlimit(Resource1 *h, bool by_fd, int pid_or_fd, int resource, const Resource1Limit *new_limit,
                      Resource1Limit *ret_old) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_prlimit(h, resource, new_limit, &q);
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, false, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r >= 0 && ret_old)
                *ret_old = res.limit;
        return r;
}

_public_ int resource1_prlimit(Resource1 *h, pid_t pid, int resource, const Resource1Limit *new_limit,
                               Resource1Limit *ret_old) {
        return WITH_HANDLE(h, do_prlimit(h, false, pid, resource, new_limit, ret_old));
}

_public_ int resource1_prlimit_pidfd(Resource1 *h, int pidfd, int resource, const Resource1Limit *new_limit,
                                     Resource1Limit *ret_old) {
        return WITH_HANDLE(h, do_prlimit(h, true, pidfd, resource, new_limit, ret_old));
}

static int do_setrlimits(Resource1 *h, bool by_fd, int pid_or_fd, const int resources[], const Resource1Limit limits[],
                         size_t n, Resource1Limit ret_old[]) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_setrlimits(h, resources, limits, n, false, &q);
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, false, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r >= 0 && ret_old)
                memcpy(ret_old, res.old, n * sizeof res.old[0]);
        return r;
}

_public_ int resource1_setrlimits(Resource1 *h, pid_t pid, const int resources[], const Resource1Limit limits[],
                                  size_t n, Resource1Limit ret_old[]) {
        return WITH_HANDLE(h, do_setrlimits(h, false, pid, resources, limits, n, ret_old));
}

_public_ int resource1_setrlimits_pidfd(Resource1 *h, int pidfd, const int resources[], const Resource1Limit limits[],
                                        size_t n, Resource1Limit ret_old[]) {
        return WITH_HANDLE(h, do_setrlimits(h, true, pidfd, resources, limits, n, ret_old));
}

static int do_list(Resource1 *h, bool by_fd, int pid_or_fd, Resource1LimitEntry ret[], size_t n) {
        Request q = REQUEST(METHOD_LIST_RLIMITS);
        Result res = {};

        begin(h);
        int r = check_arg(h, ret || n == 0, "ret is NULL");
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, false, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r < 0)
                return r;
        size_t k = res.n_entries < n ? res.n_entries : n;
        if (k > 0)
                memcpy(ret, res.entries, k * sizeof res.entries[0]);
        return (int) k;
}

_public_ int resource1_list_rlimits(Resource1 *h, pid_t pid, Resource1LimitEntry ret[], size_t n) {
        return WITH_HANDLE(h, do_list(h, false, pid, ret, n));
}

_public_ int resource1_list_rlimits_pidfd(Resource1 *h, int pidfd, Resource1LimitEntry ret[], size_t n) {
        return WITH_HANDLE(h, do_list(h, true, pidfd, ret, n));
}

static int do_getrusage(Resource1 *h, bool by_fd, int pid_or_fd, int who, Resource1Usage *ret, size_t size) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_getrusage(h, who, size, &q);
        if (r >= 0)
                r = check_arg(h, ret, "ret is NULL");
        /* For RUSAGE_THREAD a thread id names that thread: its pidfd is a thread's. */
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, who == RUSAGE_THREAD, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r >= 0)
                usage_copy(ret, &res.usage, size);
        return r;
}

_public_ int resource1_getrusage(Resource1 *h, pid_t pid, int who, Resource1Usage *ret, size_t size) {
        return WITH_HANDLE(h, do_getrusage(h, false, pid, who, ret, size));
}

_public_ int resource1_getrusage_pidfd(Resource1 *h, int pidfd, int who, Resource1Usage *ret, size_t size) {
        return WITH_HANDLE(h, do_getrusage(h, true, pidfd, who, ret, size));
}

static int do_pagesize(Resource1 *h, uint64_t *ret) {
        Request q = REQUEST(METHOD_PAGE_SIZE);
        Result res = {};

        begin(h);
        int r = check_arg(h, ret, "ret is NULL");
        if (r >= 0)
                r = call_sync(h, &q, &res);
        if (r >= 0)
                *ret = res.u64;
        return r;
}

_public_ int resource1_getpagesize(Resource1 *h, uint64_t *ret) {
        return WITH_HANDLE(h, do_pagesize(h, ret));
}

static int do_property(Resource1 *h, const char *property, char type, void *ret) {
        Request q = make_property(property, type);
        Result res = {};

        begin(h);
        int r = check_arg(h, ret, "ret is NULL");
        if (r >= 0)
                r = call_sync(h, &q, &res);
        if (r < 0)
                return r;
        switch (type) {
        case 'b': *(bool *) ret = res.b; break;
        case 's': *(char **) ret = res.s; break;
        default:  *(char ***) ret = res.strv; break;
        }
        return 0;
}

_public_ int resource1_get_can_raise_hard_limits(Resource1 *h, bool *ret) {
        return WITH_HANDLE(h, do_property(h, "CanRaiseHardLimits", 'b', ret));
}

_public_ int resource1_get_version(Resource1 *h, char **ret) {
        return WITH_HANDLE(h, do_property(h, "Version", 's', ret));
}

_public_ int resource1_get_resources(Resource1 *h, char ***ret) {
        return WITH_HANDLE(h, do_property(h, "Resources", 'a', ret));
}
