/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "resource1-errors.h"
#include "resource1-names.h"
#include "resource1-pidfd.h"
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

/* Appends a call's arguments to its message. */
typedef int (*append_t)(sd_bus_message *m, void *userdata);

static int call_once(Resource1 *h, const char *method, sd_bus_message **ret_reply, sd_bus_error *error,
                     append_t append, void *userdata) {
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
        if (append) {
                r = append(m, userdata);
                if (r < 0)
                        return r;
        }

        return sd_bus_call(h->bus, m, h->allow_interactive ? INTERACTIVE_TIMEOUT_USEC : 0, error, ret_reply);
}

/* Calls method with the arguments append adds; on a handle, retries once on
 * a fresh connection if the old one was lost. */
static int call_with(Resource1 *h, const char *method, sd_bus_message **ret_reply, append_t append,
                     void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        (void) sd_bus_error_add_map(resource1_error_map);

        r = call_once(h, method, ret_reply, &error, append, userdata);
        if (r < 0 && worth_retry(r, &error)) {
                h->bus = sd_bus_flush_close_unref(h->bus);
                sd_bus_error_free(&error);
                r = call_once(h, method, ret_reply, &error, append, userdata);
        }

        if (r >= 0) {
                forget_error(h);
                return 0;
        }
        if (service_unreachable(&error) || !h->bus)
                r = -ECONNREFUSED;
        return remember_error(h, &error, r);
}

typedef struct VaArgs {
        const char *types;
        va_list ap;
} VaArgs;

static int append_va(sd_bus_message *m, void *userdata) {
        VaArgs *a = userdata;
        va_list aq;

        /* A copy each time: a retry appends the same arguments again. */
        va_copy(aq, a->ap);
        int r = sd_bus_message_appendv(m, a->types, aq);
        va_end(aq);
        return r;
}

/* call_with() for fixed arguments given as sd_bus_message_append() does. */
static int call(Resource1 *h, const char *method, sd_bus_message **ret_reply, const char *types, ...) {
        VaArgs a = { .types = types };
        int r;

        va_start(a.ap, types);
        r = call_with(h, method, ret_reply, types ? append_va : NULL, &a);
        va_end(a.ap);
        return r;
}

/* ---- naming the target ----
 *
 * A pid number means a process in the caller's pid namespace, as it does for
 * prlimit(1); the service would read it in its own, which is another one for a
 * caller in a container or sandbox (it refuses such numbers with
 * OtherPidNamespace). So every process but the caller is named by a pidfd
 * opened here, in the caller's namespace. */

/* The target of a call taking a pid: a pidfd (fd >= 0), or, with fd -1, the
 * number pid (0: the caller). */
typedef struct Target {
        int fd;
        pid_t pid;
} Target;

#define TARGET_NULL ((Target) { .fd = -1 })

/* pid's target for one call: a pidfd for any pid but 0 (a thread's when
 * thread is set), or the number where this kernel cannot give one (see
 * resource1_pidfd_open()). On failure, the error is remembered on the handle
 * as the service words it. target_close() after the call. */
static int target_get(Resource1 *h, pid_t pid, bool thread, Target *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        if (pid < 0)
                return -EINVAL;
        *ret = (Target) { .fd = -1, .pid = pid };
        if (pid == 0)
                return 0;

        int fd = resource1_pidfd_open(pid, thread);
        if (fd >= 0) {
                *ret = (Target) { .fd = fd };
                return 0;
        }
        switch (fd) {
        case -EOPNOTSUPP:
                return 0;
        case -ESRCH:
                sd_bus_error_setf(&e, RESOURCE1_ERROR_NO_SUCH_PROCESS, "no such process: pid %d", (int) pid);
                return remember_error(h, &e, fd);
        default:
                sd_bus_error_setf(&e, RESOURCE1_ERROR_FAILED, "cannot open a pidfd for pid %d: %s", (int) pid,
                                  strerror(-fd));
                return remember_error(h, &e, fd);
        }
}

static void target_close(Target *t) {
        if (t->fd >= 0)
                close(t->fd);
        t->fd = -1;
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

static int do_prlimit(Resource1 *h, Target t, int resource, const struct rlimit *new_limits, struct rlimit *ret_old) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const struct rlimit none = {};
        const struct rlimit *l = new_limits ?: &none;
        int r;

        if (!name_of(resource))
                return -EINVAL;
        if (t.fd >= 0)
                r = call(h, "PrlimitPidfd", &reply, "hsbtt", t.fd, name_of(resource), new_limits != NULL,
                         (uint64_t) l->rlim_cur, (uint64_t) l->rlim_max);
        else
                r = call(h, "Prlimit", &reply, "usbtt", (uint32_t) t.pid, name_of(resource), new_limits != NULL,
                         (uint64_t) l->rlim_cur, (uint64_t) l->rlim_max);
        return r < 0 ? r : read_limits(reply, ret_old);
}

static int do_prlimit_pid(Resource1 *h, pid_t pid, int resource, const struct rlimit *new_limits,
                          struct rlimit *ret_old) {
        __attribute__((cleanup(target_close))) Target t = TARGET_NULL;

        if (!name_of(resource))
                return -EINVAL;
        int r = target_get(h, pid, false, &t);
        return r < 0 ? r : do_prlimit(h, t, resource, new_limits, ret_old);
}

_public_ int resource1_prlimit(Resource1 *h, pid_t pid, int resource, const struct rlimit *new_limits,
                               struct rlimit *ret_old) {
        return WITH_HANDLE(h, do_prlimit_pid(h, pid, resource, new_limits, ret_old));
}

_public_ int resource1_prlimit_pidfd(Resource1 *h, int pidfd, int resource, const struct rlimit *new_limits,
                                     struct rlimit *ret_old) {
        if (pidfd < 0)
                return -EBADF;
        return WITH_HANDLE(h, do_prlimit(h, (Target) { .fd = pidfd }, resource, new_limits, ret_old));
}

/* ---- several limits at once ---- */

typedef struct Batch {
        const int *resources;
        const struct rlimit *limits;
        size_t n;
} Batch;

static int append_batch(sd_bus_message *m, void *userdata) {
        const Batch *b = userdata;

        int r = sd_bus_message_open_container(m, 'a', "(stt)");
        for (size_t i = 0; r >= 0 && i < b->n; i++)
                r = sd_bus_message_append(m, "(stt)", name_of(b->resources[i]), (uint64_t) b->limits[i].rlim_cur,
                                          (uint64_t) b->limits[i].rlim_max);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

typedef struct BatchCall {
        Target target;
        Batch batch;
} BatchCall;

static int append_batch_call(sd_bus_message *m, void *userdata) {
        BatchCall *c = userdata;
        int r = c->target.fd >= 0 ? sd_bus_message_append(m, "h", c->target.fd) :
                                    sd_bus_message_append(m, "u", (uint32_t) c->target.pid);
        return r < 0 ? r : append_batch(m, &c->batch);
}

static int do_setrlimits(Resource1 *h, Target t, const int resources[], const struct rlimit limits[], size_t n,
                         struct rlimit ret_old[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        BatchCall c = { .target = t, .batch = { resources, limits, n } };
        struct rlimit old[RLIM_NLIMITS];
        uint64_t soft, hard;
        const char *name;
        size_t got = 0;

        if (n == 0 || !resources || !limits)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!name_of(resources[i]))
                        return -EINVAL;

        int r = call_with(h, t.fd >= 0 ? "SetRlimitsPidfd" : "SetRlimits", &reply, append_batch_call, &c);
        if (r < 0)
                return r;

        /* The limits in force before, in the order given. */
        r = sd_bus_message_enter_container(reply, 'a', "(stt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(stt)", &name, &soft, &hard)) > 0) {
                if (got >= n || got >= RLIM_NLIMITS || resource1_resource_from_name(name) != resources[got])
                        return -EBADMSG;
                old[got++] = (struct rlimit) { .rlim_cur = soft, .rlim_max = hard };
        }
        if (r < 0)
                return r;
        if (got != n)
                return -EBADMSG;
        if (ret_old)
                memcpy(ret_old, old, n * sizeof old[0]);
        return 0;
}

static int do_setrlimits_pid(Resource1 *h, pid_t pid, const int resources[], const struct rlimit limits[],
                             size_t n, struct rlimit ret_old[]) {
        __attribute__((cleanup(target_close))) Target t = TARGET_NULL;

        int r = target_get(h, pid, false, &t);
        return r < 0 ? r : do_setrlimits(h, t, resources, limits, n, ret_old);
}

_public_ int resource1_setrlimits(Resource1 *h, pid_t pid, const int resources[], const struct rlimit limits[],
                                  size_t n, struct rlimit ret_old[]) {
        return WITH_HANDLE(h, do_setrlimits_pid(h, pid, resources, limits, n, ret_old));
}

_public_ int resource1_setrlimits_pidfd(Resource1 *h, int pidfd, const int resources[], const struct rlimit limits[],
                                        size_t n, struct rlimit ret_old[]) {
        if (pidfd < 0)
                return -EBADF;
        return WITH_HANDLE(h, do_setrlimits(h, (Target) { .fd = pidfd }, resources, limits, n, ret_old));
}

/* ---- reading every limit ---- */

static int do_list(Resource1 *h, Target t, struct rlimit *ret, size_t n) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct rlimit all[RLIM_NLIMITS];
        const char *name;
        uint64_t soft, hard;
        int r, count = 0;

        if (!ret)
                return -EINVAL;
        if (t.fd >= 0)
                r = call(h, "ListRlimitsPidfd", &reply, "h", t.fd);
        else
                r = call(h, "ListRlimits", &reply, "u", (uint32_t) t.pid);
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

static int do_list_pid(Resource1 *h, pid_t pid, struct rlimit *ret, size_t n) {
        __attribute__((cleanup(target_close))) Target t = TARGET_NULL;

        if (!ret)
                return -EINVAL;
        int r = target_get(h, pid, false, &t);
        return r < 0 ? r : do_list(h, t, ret, n);
}

_public_ int resource1_list_rlimits(Resource1 *h, pid_t pid, struct rlimit *ret, size_t n) {
        return WITH_HANDLE(h, do_list_pid(h, pid, ret, n));
}

_public_ int resource1_list_rlimits_pidfd(Resource1 *h, int pidfd, struct rlimit *ret, size_t n) {
        if (pidfd < 0)
                return -EBADF;
        return WITH_HANDLE(h, do_list(h, (Target) { .fd = pidfd }, ret, n));
}

/* ---- usage ---- */

static const char *who_name(int who) {
        switch (who) {
        case RUSAGE_SELF:           return "self";
        case RUSAGE_CHILDREN:       return "children";
        case RUSAGE_THREAD:         return "thread";
        case RESOURCE1_RUSAGE_BOTH: return "both";
        }
        return NULL;
}

static int do_getrusage(Resource1 *h, Target t, int who, Resource1Usage *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Resource1Usage u = {};
        long *counters[14] = {
                &u.ru_maxrss, &u.ru_ixrss, &u.ru_idrss, &u.ru_isrss, &u.ru_minflt, &u.ru_majflt, &u.ru_nswap,
                &u.ru_inblock, &u.ru_oublock, &u.ru_msgsnd, &u.ru_msgrcv, &u.ru_nsignals, &u.ru_nvcsw, &u.ru_nivcsw,
        };
        const char *key;
        int r;

        if (!who_name(who) || !ret)
                return -EINVAL;
        if (t.fd >= 0)
                r = call(h, "GetRusagePidfd", &reply, "hs", t.fd, who_name(who));
        else
                r = call(h, "GetRusage", &reply, "us", (uint32_t) t.pid, who_name(who));
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

/* For RUSAGE_THREAD a thread id names that thread: its pidfd is a thread's. */
static int do_getrusage_pid(Resource1 *h, pid_t pid, int who, Resource1Usage *ret) {
        __attribute__((cleanup(target_close))) Target t = TARGET_NULL;

        if (!who_name(who) || !ret)
                return -EINVAL;
        int r = target_get(h, pid, who == RUSAGE_THREAD, &t);
        return r < 0 ? r : do_getrusage(h, t, who, ret);
}

_public_ int resource1_getrusage(Resource1 *h, pid_t pid, int who, Resource1Usage *ret) {
        return WITH_HANDLE(h, do_getrusage_pid(h, pid, who, ret));
}

_public_ int resource1_getrusage_pidfd(Resource1 *h, int pidfd, int who, Resource1Usage *ret) {
        if (pidfd < 0)
                return -EBADF;
        return WITH_HANDLE(h, do_getrusage(h, (Target) { .fd = pidfd }, who, ret));
}

static struct timeval timeval_from(double s) {
        struct timeval tv = { .tv_sec = (time_t) s };
        tv.tv_usec = (suseconds_t) ((s - (double) tv.tv_sec) * 1e6 + 0.5);
        if (tv.tv_usec >= 1000000)
                tv.tv_sec++, tv.tv_usec -= 1000000;
        return tv;
}

static void rusage_from(const Resource1Usage *u, struct rusage *ret) {
        *ret = (struct rusage) {
                .ru_utime = timeval_from(u->ru_utime), .ru_stime = timeval_from(u->ru_stime),
                .ru_maxrss = u->ru_maxrss, .ru_ixrss = u->ru_ixrss, .ru_idrss = u->ru_idrss, .ru_isrss = u->ru_isrss,
                .ru_minflt = u->ru_minflt, .ru_majflt = u->ru_majflt, .ru_nswap = u->ru_nswap,
                .ru_inblock = u->ru_inblock, .ru_oublock = u->ru_oublock, .ru_msgsnd = u->ru_msgsnd,
                .ru_msgrcv = u->ru_msgrcv, .ru_nsignals = u->ru_nsignals, .ru_nvcsw = u->ru_nvcsw,
                .ru_nivcsw = u->ru_nivcsw,
        };
}

_public_ int resource1_getrusage_struct(Resource1 *h, pid_t pid, int who, struct rusage *ret) {
        Resource1Usage u;
        if (!ret)
                return -EINVAL;
        int r = resource1_getrusage(h, pid, who, &u);
        if (r < 0)
                return r;
        rusage_from(&u, ret);
        return 0;
}

_public_ int resource1_getrusage_struct_pidfd(Resource1 *h, int pidfd, int who, struct rusage *ret) {
        Resource1Usage u;
        if (!ret)
                return -EINVAL;
        int r = resource1_getrusage_pidfd(h, pidfd, who, &u);
        if (r < 0)
                return r;
        rusage_from(&u, ret);
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
