/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "resource1-errors.h"
#include "resource1-names.h"
#include "resource1.h"

#define _public_ __attribute__((visibility("default")))
#define _cleanup_(f) __attribute__((cleanup(f)))

#define BUS_NAME  "org.example.Resource1"
#define BUS_PATH  "/org/example/Resource1"
#define BUS_IFACE "org.example.Resource1"

/* Long enough for a person to type a password into an authentication agent. */
#define INTERACTIVE_TIMEOUT_USEC (5ULL * 60 * 1000 * 1000)

struct Resource1 {
        sd_bus *bus;
        bool allow_interactive;
        char *error_name, *error_message;
};

_public_ int resource1_new(Resource1 **ret) {
        if (!ret)
                return -EINVAL;
        Resource1 *h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        *ret = h;
        return 0;
}

static void forget_error(Resource1 *h) {
        free(h->error_name);
        free(h->error_message);
        h->error_name = h->error_message = NULL;
}

_public_ Resource1 *resource1_free(Resource1 *h) {
        if (!h)
                return NULL;
        sd_bus_flush_close_unref(h->bus);
        forget_error(h);
        free(h);
        return NULL;
}

_public_ void resource1_set_allow_interactive(Resource1 *h, bool allow) {
        if (h)
                h->allow_interactive = allow;
}

_public_ const char *resource1_last_error_name(const Resource1 *h) {
        return h ? h->error_name : NULL;
}

_public_ const char *resource1_last_error_message(const Resource1 *h) {
        return h ? h->error_message : NULL;
}

_public_ int resource1_resource_from_name(const char *name) {
        const Resource1Rlimit *r;
        int k = resource1_rlimit_from_name(name, &r);
        return k < 0 ? k : r->number;
}

_public_ const char *resource1_resource_to_name(int resource) {
        const Resource1Rlimit *r = resource1_rlimit_from_number(resource);
        return r ? r->name : NULL;
}

static int remember_error(Resource1 *h, const sd_bus_error *e, int r) {
        forget_error(h);
        h->error_name = strdup(e && e->name ? e->name : "org.freedesktop.DBus.Error.Failed");
        h->error_message = strdup(e && e->message ? e->message : strerror(-r));
        return r;
}

static bool service_unreachable(const sd_bus_error *e) {
        return sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                                      SD_BUS_ERROR_NO_SERVER, "org.freedesktop.DBus.Error.Spawn.Failed");
}

/* What is worth one more try on a new connection: the connection dropped
 * (the bus restarted), or the service went away in the middle of the call
 * (it restarted; the next call activates it again). */
static bool worth_retry(int r, const sd_bus_error *e) {
        return r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE || r == -ESHUTDOWN ||
               sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_DISCONNECTED);
}

static int call_once(Resource1 *h, const char *method, sd_bus_message **ret_reply, sd_bus_error *error,
                     const char *types, va_list ap) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        if (!h->bus) {
                r = sd_bus_open_system(&h->bus);
                if (r < 0) {
                        h->bus = NULL;
                        return sd_bus_error_set_errnof(error, r, "cannot connect to the system bus: %s", strerror(-r));
                }
        }

        r = sd_bus_message_new_method_call(h->bus, &m, BUS_NAME, BUS_PATH, BUS_IFACE, method);
        if (r < 0)
                return r;
        r = sd_bus_message_set_allow_interactive_authorization(m, h->allow_interactive);
        if (r < 0)
                return r;
        if (types) {
                r = sd_bus_message_appendv(m, types, ap);
                if (r < 0)
                        return r;
        }

        return sd_bus_call(h->bus, m, h->allow_interactive ? INTERACTIVE_TIMEOUT_USEC : 0, error, ret_reply);
}

/* Calls method with the arguments of types; on a handle, retries once on a
 * fresh connection if the old one was lost. */
static int call(Resource1 *h, const char *method, sd_bus_message **ret_reply, const char *types, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap, aq;
        int r;

        (void) sd_bus_error_add_map(resource1_error_map);

        va_start(ap, types);
        va_copy(aq, ap);
        r = call_once(h, method, ret_reply, &error, types, ap);
        if (r < 0 && worth_retry(r, &error)) {
                h->bus = sd_bus_flush_close_unref(h->bus);
                sd_bus_error_free(&error);
                r = call_once(h, method, ret_reply, &error, types, aq);
        }
        va_end(aq);
        va_end(ap);

        if (r >= 0) {
                forget_error(h);
                return 0;
        }
        if (service_unreachable(&error) || !h->bus)
                r = -ECONNREFUSED;
        return remember_error(h, &error, r);
}

/* The public calls take a handle or NULL; NULL gets a handle for one call. */
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
                resource1_free(_own);                                   \
                _r;                                                     \
        })

static const char *name_of(int resource) {
        return resource1_resource_to_name(resource);
}

static int read_limits(sd_bus_message *reply, struct rlimit *ret) {
        uint64_t soft, hard;
        int r = sd_bus_message_read(reply, "tt", &soft, &hard);
        if (r < 0)
                return r;
        if (ret)
                *ret = (struct rlimit) { .rlim_cur = soft, .rlim_max = hard };
        return 0;
}

static int do_getrlimit(Resource1 *h, int resource, struct rlimit *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (!name_of(resource))
                return -EINVAL;
        int r = call(h, "GetRlimit", &reply, "s", name_of(resource));
        return r < 0 ? r : read_limits(reply, ret);
}

_public_ int resource1_getrlimit(Resource1 *h, int resource, struct rlimit *ret) {
        return WITH_HANDLE(h, do_getrlimit(h, resource, ret));
}

static int do_setrlimit(Resource1 *h, int resource, const struct rlimit *l) {
        if (!name_of(resource) || !l)
                return -EINVAL;
        return call(h, "SetRlimit", NULL, "stt", name_of(resource), (uint64_t) l->rlim_cur, (uint64_t) l->rlim_max);
}

_public_ int resource1_setrlimit(Resource1 *h, int resource, const struct rlimit *limits) {
        return WITH_HANDLE(h, do_setrlimit(h, resource, limits));
}

static int do_prlimit(Resource1 *h, pid_t pid, int pidfd, int resource, const struct rlimit *new_limits,
                      struct rlimit *ret_old) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const struct rlimit none = {};
        const struct rlimit *l = new_limits ?: &none;
        int r;

        if (!name_of(resource) || pid < 0)
                return -EINVAL;
        if (pidfd >= 0)
                r = call(h, "PrlimitPidfd", &reply, "hsbtt", pidfd, name_of(resource), new_limits != NULL,
                         (uint64_t) l->rlim_cur, (uint64_t) l->rlim_max);
        else
                r = call(h, "Prlimit", &reply, "usbtt", (uint32_t) pid, name_of(resource), new_limits != NULL,
                         (uint64_t) l->rlim_cur, (uint64_t) l->rlim_max);
        return r < 0 ? r : read_limits(reply, ret_old);
}

_public_ int resource1_prlimit(Resource1 *h, pid_t pid, int resource, const struct rlimit *new_limits,
                               struct rlimit *ret_old) {
        return WITH_HANDLE(h, do_prlimit(h, pid, -1, resource, new_limits, ret_old));
}

_public_ int resource1_prlimit_pidfd(Resource1 *h, int pidfd, int resource, const struct rlimit *new_limits,
                                     struct rlimit *ret_old) {
        if (pidfd < 0)
                return -EBADF;
        return WITH_HANDLE(h, do_prlimit(h, 0, pidfd, resource, new_limits, ret_old));
}

static int do_list(Resource1 *h, pid_t pid, struct rlimit *ret, size_t n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct rlimit all[RLIM_NLIMITS];
        const char *name;
        uint64_t soft, hard;
        int r, count = 0;

        if (pid < 0 || !ret)
                return -EINVAL;
        r = call(h, "ListRlimits", &reply, "u", (uint32_t) pid);
        if (r < 0)
                return r;

        for (size_t i = 0; i < RLIM_NLIMITS; i++)
                all[i] = (struct rlimit) { RLIM_INFINITY, RLIM_INFINITY };
        r = sd_bus_message_enter_container(reply, 'a', "(stt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(stt)", &name, &soft, &hard)) > 0) {
                int k = resource1_resource_from_name(name);
                if (k < 0 || k >= RLIM_NLIMITS)
                        continue;   /* a resource newer than this library */
                all[k] = (struct rlimit) { soft, hard };
                count = k + 1 > count ? k + 1 : count;
        }
        if (r < 0)
                return r;

        if ((size_t) count > n)
                count = (int) n;
        memcpy(ret, all, (size_t) count * sizeof all[0]);
        return count;
}

_public_ int resource1_list_rlimits(Resource1 *h, pid_t pid, struct rlimit *ret, size_t n) {
        return WITH_HANDLE(h, do_list(h, pid, ret, n));
}

static const char *who_name(int who) {
        switch (who) {
        case RUSAGE_SELF:           return "self";
        case RUSAGE_CHILDREN:       return "children";
        case RUSAGE_THREAD:         return "thread";
        case RESOURCE1_RUSAGE_BOTH: return "both";
        }
        return NULL;
}

static int do_getrusage(Resource1 *h, pid_t pid, int who, Resource1Usage *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Resource1Usage u = {};
        long *counters[14] = {
                &u.ru_maxrss, &u.ru_ixrss, &u.ru_idrss, &u.ru_isrss, &u.ru_minflt, &u.ru_majflt, &u.ru_nswap,
                &u.ru_inblock, &u.ru_oublock, &u.ru_msgsnd, &u.ru_msgrcv, &u.ru_nsignals, &u.ru_nvcsw, &u.ru_nivcsw,
        };
        const char *key;
        int r;

        if (!who_name(who) || pid < 0 || !ret)
                return -EINVAL;
        r = call(h, "GetRusage", &reply, "us", (uint32_t) pid, who_name(who));
        if (r < 0)
                return r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                bool known = false;
                for (size_t i = 0; i < 16 && !known; i++) {
                        if (strcmp(key, resource1_rusage_fields[i].name) != 0)
                                continue;
                        known = true;
                        if (i < 2)
                                r = sd_bus_message_read(reply, "v", "d", i == 0 ? &u.ru_utime : &u.ru_stime);
                        else {
                                int64_t x;
                                r = sd_bus_message_read(reply, "v", "x", &x);
                                *counters[i - 2] = (long) x;
                        }
                }
                if (!known)
                        r = sd_bus_message_skip(reply, "v");
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

_public_ int resource1_getrusage(Resource1 *h, pid_t pid, int who, Resource1Usage *ret) {
        return WITH_HANDLE(h, do_getrusage(h, pid, who, ret));
}

static struct timeval timeval_from(double s) {
        struct timeval tv = { .tv_sec = (time_t) s };
        tv.tv_usec = (suseconds_t) ((s - (double) tv.tv_sec) * 1e6 + 0.5);
        if (tv.tv_usec >= 1000000)
                tv.tv_sec++, tv.tv_usec -= 1000000;
        return tv;
}

_public_ int resource1_getrusage_struct(Resource1 *h, pid_t pid, int who, struct rusage *ret) {
        Resource1Usage u;
        if (!ret)
                return -EINVAL;
        int r = resource1_getrusage(h, pid, who, &u);
        if (r < 0)
                return r;
        *ret = (struct rusage) {
                .ru_utime = timeval_from(u.ru_utime), .ru_stime = timeval_from(u.ru_stime),
                .ru_maxrss = u.ru_maxrss, .ru_ixrss = u.ru_ixrss, .ru_idrss = u.ru_idrss, .ru_isrss = u.ru_isrss,
                .ru_minflt = u.ru_minflt, .ru_majflt = u.ru_majflt, .ru_nswap = u.ru_nswap,
                .ru_inblock = u.ru_inblock, .ru_oublock = u.ru_oublock, .ru_msgsnd = u.ru_msgsnd,
                .ru_msgrcv = u.ru_msgrcv, .ru_nsignals = u.ru_nsignals, .ru_nvcsw = u.ru_nvcsw,
                .ru_nivcsw = u.ru_nivcsw,
        };
        return 0;
}

static int do_pagesize(Resource1 *h, uint64_t *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        if (!ret)
                return -EINVAL;
        int r = call(h, "PageSize", &reply, NULL);
        if (r < 0)
                return r;
        return sd_bus_message_read(reply, "t", ret) < 0 ? -EBADMSG : 0;
}

_public_ int resource1_getpagesize(Resource1 *h, uint64_t *ret) {
        return WITH_HANDLE(h, do_pagesize(h, ret));
}
