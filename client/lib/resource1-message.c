/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: a request's method call, as org.example.Resource1 specifies
 * it, and what its reply says. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "resource1-internal.h"
#include "resource1-names.h"

/* ---- messages ---- */

static int append_target(sd_bus_message *m, const Request *q) {
        return q->fd >= 0 ? sd_bus_message_append(m, "h", q->fd) : sd_bus_message_append(m, "u", q->pid);
}

static int append_batch(sd_bus_message *m, const Request *q) {
        int r = sd_bus_message_open_container(m, 'a', "(stt)");
        for (size_t i = 0; r >= 0 && i < q->n; i++)
                r = sd_bus_message_append(m, "(stt)", resource1_resource_to_name(q->resources[i]), q->limits[i].soft,
                                          q->limits[i].hard);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

int request_message(const Resource1 *h, sd_bus *bus, const Request *q, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *iface = RESOURCE1_INTERFACE, *member = NULL;
        bool by_fd = q->fd >= 0;
        int r;

        switch (q->method) {
        /* getrlimit() and setrlimit() by a pidfd of this process are Prlimit's. */
        case METHOD_GET_RLIMIT:   member = by_fd ? "PrlimitPidfd" : "GetRlimit"; break;
        case METHOD_SET_RLIMIT:   member = by_fd ? "PrlimitPidfd" : "SetRlimit"; break;
        case METHOD_PRLIMIT:      member = by_fd ? "PrlimitPidfd" : "Prlimit"; break;
        case METHOD_SET_RLIMITS:  member = by_fd ? "SetRlimitsPidfd" : "SetRlimits"; break;
        case METHOD_LIST_RLIMITS: member = by_fd ? "ListRlimitsPidfd" : "ListRlimits"; break;
        case METHOD_GET_RUSAGE:   member = by_fd ? "GetRusagePidfd" : "GetRusage"; break;
        case METHOD_PAGE_SIZE:    member = "PageSize"; break;
        case METHOD_GET_PROPERTY:
                iface = "org.freedesktop.DBus.Properties";
                member = "Get";
                break;
        }

        /* A call that carries a descriptor goes to the gate's name: the
         * service's own connection does not take descriptors, so the bus
         * refuses one sent to RESOURCE1_BUS_NAME. Everything else goes there. */
        const char *destination = by_fd ? RESOURCE1_PIDFD_BUS_NAME : RESOURCE1_BUS_NAME;

        r = sd_bus_message_new_method_call(bus, &m, destination, RESOURCE1_PATH, iface, member);
        if (r < 0)
                return r;
        r = sd_bus_message_set_allow_interactive_authorization(m, h->allow_interactive);
        if (r < 0)
                return r;

        switch (q->method) {
        case METHOD_GET_RLIMIT:
                r = by_fd ? sd_bus_message_append(m, "hsbtt", q->fd, q->resource, 0, (uint64_t) 0, (uint64_t) 0) :
                            sd_bus_message_append(m, "s", q->resource);
                break;
        case METHOD_SET_RLIMIT:
                r = by_fd ? sd_bus_message_append(m, "hsbtt", q->fd, q->resource, 1, q->limit.soft, q->limit.hard) :
                            sd_bus_message_append(m, "stt", q->resource, q->limit.soft, q->limit.hard);
                break;
        case METHOD_PRLIMIT:
                r = append_target(m, q);
                if (r >= 0)
                        r = sd_bus_message_append(m, "sbtt", q->resource, q->set, q->limit.soft, q->limit.hard);
                break;
        case METHOD_SET_RLIMITS:
                r = append_target(m, q);
                if (r >= 0)
                        r = append_batch(m, q);
                break;
        case METHOD_LIST_RLIMITS:
                r = append_target(m, q);
                break;
        case METHOD_GET_RUSAGE:
                r = append_target(m, q);
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", q->who);
                break;
        case METHOD_PAGE_SIZE:
                break;
        case METHOD_GET_PROPERTY:
                r = sd_bus_message_append(m, "ss", RESOURCE1_INTERFACE, q->property);
                break;
        }
        if (r < 0)
                return r;

        *ret = m;
        m = NULL;
        return 0;
}

/* ---- replies ---- */

void result_done(Result *res) {
        free(res->s);
        free(res->strv);
        res->s = NULL;
        res->strv = NULL;
}

static int read_limits(sd_bus_message *reply, Resource1Limit *ret) {
        return sd_bus_message_read(reply, "tt", &ret->soft, &ret->hard);
}

/* The limits in force before a batch, in the order given. */
static int read_old_limits(sd_bus_message *reply, const Request *q, Result *res) {
        const char *name;
        uint64_t soft, hard;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(stt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(stt)", &name, &soft, &hard)) > 0) {
                if (res->n_old >= q->n || res->n_old >= RLIM_NLIMITS ||
                    resource1_resource_from_name(name) != q->resources[res->n_old])
                        return -EBADMSG;
                res->old[res->n_old++] = (Resource1Limit) { soft, hard };
        }
        if (r < 0)
                return r;
        return res->n_old == q->n ? 0 : -EBADMSG;
}

/* What the service sent, in its order; a resource this library has no
 * number for is left out. */
static int read_list(sd_bus_message *reply, Result *res) {
        const char *name;
        uint64_t soft, hard;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(stt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(stt)", &name, &soft, &hard)) > 0) {
                int k = resource1_resource_from_name(name);
                if (k < 0)
                        continue;
                for (size_t i = 0; i < res->n_entries; i++)
                        if (res->entries[i].resource == k)
                                return -EBADMSG;
                if (res->n_entries >= RLIM_NLIMITS)
                        return -EBADMSG;
                res->entries[res->n_entries++] = (Resource1LimitEntry) { k, { soft, hard } };
        }
        return r;
}

static int read_usage(sd_bus_message *reply, Resource1Usage *ret) {
        Resource1Usage u = {};
        int64_t *counters[14] = {
                &u.ru_maxrss, &u.ru_ixrss, &u.ru_idrss, &u.ru_isrss, &u.ru_minflt, &u.ru_majflt, &u.ru_nswap,
                &u.ru_inblock, &u.ru_oublock, &u.ru_msgsnd, &u.ru_msgrcv, &u.ru_nsignals, &u.ru_nvcsw, &u.ru_nivcsw,
        };
        const char *key;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                size_t i = 0;
                while (i < 16 && strcmp(key, resource1_rusage_fields[i].name) != 0)
                        i++;
                if (i < 2)
                        r = sd_bus_message_read(reply, "v", "d", i == 0 ? &u.ru_utime : &u.ru_stime);
                else if (i < 16)
                        r = sd_bus_message_read(reply, "v", "x", counters[i - 2]);
                else
                        r = sd_bus_message_skip(reply, "v");   /* a field newer than this library */
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        *ret = u;
        return 0;
}

/* A NULL-terminated array of strings in one allocation. */
static int read_strv(sd_bus_message *reply, char ***ret) {
        const char *names[256];
        size_t n = 0, bytes = 0;
        const char *s;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "s", &s)) > 0) {
                if (n >= ELEMENTSOF(names) - 1)
                        return -EBADMSG;
                names[n++] = s;
                bytes += strlen(s) + 1;
        }
        if (r < 0)
                return r;

        char **v = malloc((n + 1) * sizeof(char *) + bytes);
        if (!v)
                return -ENOMEM;
        char *p = (char *) (v + n + 1);
        for (size_t i = 0; i < n; i++) {
                v[i] = p;
                p = stpcpy(p, names[i]) + 1;
        }
        v[n] = NULL;
        *ret = v;
        return 0;
}

static int read_property(sd_bus_message *reply, const Request *q, Result *res) {
        const char *s;
        int b, r;

        switch (q->property_type) {
        case 'b':
                r = sd_bus_message_read(reply, "v", "b", &b);
                res->b = b;
                return r;
        case 's':
                r = sd_bus_message_read(reply, "v", "s", &s);
                if (r < 0)
                        return r;
                res->s = strdup(s);
                return res->s ? 0 : -ENOMEM;
        default:
                r = sd_bus_message_enter_container(reply, 'v', "as");
                return r < 0 ? r : read_strv(reply, &res->strv);
        }
}

int read_reply(sd_bus_message *reply, const Request *q, Result *res) {
        switch (q->method) {
        case METHOD_GET_RLIMIT:
        case METHOD_PRLIMIT:      return read_limits(reply, &res->limit);
        case METHOD_SET_RLIMIT:   return 0;
        case METHOD_SET_RLIMITS:  return read_old_limits(reply, q, res);
        case METHOD_LIST_RLIMITS: return read_list(reply, res);
        case METHOD_GET_RUSAGE:   return read_usage(reply, &res->usage);
        case METHOD_PAGE_SIZE:    return sd_bus_message_read(reply, "t", &res->u64);
        case METHOD_GET_PROPERTY: return read_property(reply, q, res);
        }
        return -EINVAL;
}

int unexpected_reply(sd_bus_error *e, int r) {
        if (r == -ENOMEM)
                return sd_bus_error_set_errno(e, r);
        return sd_bus_error_setf(e, SD_BUS_ERROR_INCONSISTENT_MESSAGE,
                                 "the service's reply is not what org.example.Resource1 specifies: %s", strerror(-r));
}
