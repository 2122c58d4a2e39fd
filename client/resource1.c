/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "resource1-errors.h"
#include "resource1-names.h"
#include "resource1-pidfd.h"
#include "resource1.h"

#define _public_ __attribute__((visibility("default")))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define BUS_NAME  "org.example.Resource1"
#define BUS_PATH  "/org/example/Resource1"
#define BUS_IFACE "org.example.Resource1"

/* Long enough for a person to type a password into an authentication agent. */
#define INTERACTIVE_TIMEOUT_USEC (5ULL * 60 * 1000 * 1000)

/* The first Resource1Usage: the 16 fields of struct_rusage. */
#define USAGE_SIZE_MIN (offsetof(Resource1Usage, ru_nivcsw) + sizeof(int64_t))

/* ---- what a call asks ----
 *
 * Everything needed to build a call's message again on another connection
 * (a retry after the connection was lost) and to read its reply. */

typedef enum Method {
        METHOD_GET_RLIMIT,
        METHOD_SET_RLIMIT,
        METHOD_PRLIMIT,
        METHOD_SET_RLIMITS,
        METHOD_LIST_RLIMITS,
        METHOD_GET_RUSAGE,
        METHOD_PAGE_SIZE,
        METHOD_GET_PROPERTY,
} Method;

typedef struct Request {
        Method method;
        int fd;                          /* the target's pidfd, or -1: the number pid */
        bool own_fd;                     /* fd is closed with the request */
        uint32_t pid;
        const char *resource;            /* a static short name */
        bool set;
        Resource1Limit limit;
        const char *who;                 /* a static who name */
        size_t n;                        /* a batch: resources[i] to limits[i] */
        const int *resources;
        const Resource1Limit *limits;
        int *own_resources;              /* copies an asynchronous call keeps */
        Resource1Limit *own_limits;
        const char *property;
        char property_type;              /* 'b', 's' or 'a' (as) */
        size_t usage_size;
} Request;

#define REQUEST(m) ((Request) { .method = (m), .fd = -1 })

static void request_done(Request *q) {
        if (q->own_fd && q->fd >= 0)
                close(q->fd);
        q->fd = -1;
        free(q->own_resources);
        free(q->own_limits);
        q->own_resources = NULL;
        q->own_limits = NULL;
}

/* What a reply says. */
typedef struct Result {
        Resource1Limit limit;
        Resource1Limit old[RLIM_NLIMITS];
        size_t n_old;
        Resource1LimitEntry entries[RLIM_NLIMITS];
        size_t n_entries;
        Resource1Usage usage;
        uint64_t u64;
        bool b;
        char *s;
        char **strv;                     /* one allocation */
} Result;

static void result_done(Result *res) {
        free(res->s);
        free(res->strv);
        res->s = NULL;
        res->strv = NULL;
}

/* ---- handles and slots ---- */

/* A connection the handle made (or was given), with the match that tells it
 * the connection ended. */
typedef struct Conn {
        sd_bus *bus;
        sd_bus_slot *disconnected;
} Conn;

typedef enum SlotType {
        SLOT_CALL,
        SLOT_SUBSCRIPTION,
} SlotType;

struct Resource1Slot {
        unsigned n_ref;                  /* the handle's list's, the program's, and dispatch's */
        Resource1 *handle;               /* NULL once unlinked */
        Resource1Slot *prev, *next;
        SlotType type;
        sd_bus_slot *bus_slot;           /* the pending call or the match; NULL when done */
        Request req;
        union {
                Resource1DoneHandler done;
                Resource1LimitHandler limit;
                Resource1LimitsHandler limits;
                Resource1ListHandler list;
                Resource1UsageHandler usage;
                Resource1Uint64Handler u64;
                Resource1BoolHandler b;
                Resource1StringHandler s;
                Resource1StrvHandler strv;
                Resource1RlimitChangedHandler changed;
        } callback;
        void *userdata;
        uint64_t deadline;               /* CLOCK_MONOTONIC µs after which a NoReply is a timeout */
        bool retried;
};

struct Resource1 {
        unsigned n_ref;                  /* the program's, and one per dispatch in progress */
        Conn conn;                       /* bus NULL: not connected */
        bool own_bus;                    /* made here, and made again when lost */
        Conn *old;                       /* lost connections with calls still to be failed on them */
        size_t n_old;
        sd_event *event;                 /* the loop resource1_attach_event() gave */
        int event_priority;
        bool allow_interactive;
        uint64_t timeout_usec;
        char *error_name, *error_message;
        Resource1Slot *slots;
};

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

static Resource1 *handle_ref(Resource1 *h) {
        h->n_ref++;
        return h;
}

static void handle_unref(Resource1 *h) {
        if (h && --h->n_ref == 0) {
                free(h->error_name);
                free(h->error_message);
                free(h->old);
                free(h);
        }
}

static Resource1Slot *slot_ref(Resource1Slot *s) {
        s->n_ref++;
        return s;
}

static void slot_unref(Resource1Slot *s) {
        if (s && --s->n_ref == 0) {
                sd_bus_slot_unref(s->bus_slot);
                request_done(&s->req);
                free(s);
        }
}

static void slot_link(Resource1 *h, Resource1Slot *s) {
        s->handle = h;
        s->prev = NULL;
        s->next = h->slots;
        if (h->slots)
                h->slots->prev = s;
        h->slots = s;
        slot_ref(s);
}

/* Out of the handle's list, its pending call or match dropped. */
static void slot_unlink(Resource1Slot *s) {
        Resource1 *h = s->handle;

        s->bus_slot = sd_bus_slot_unref(s->bus_slot);
        if (!h)
                return;
        if (s->prev)
                s->prev->next = s->next;
        else
                h->slots = s->next;
        if (s->next)
                s->next->prev = s->prev;
        s->prev = s->next = NULL;
        s->handle = NULL;
        slot_unref(s);
}

/* ---- the last error ---- */

static void forget_error(Resource1 *h) {
        free(h->error_name);
        free(h->error_message);
        h->error_name = h->error_message = NULL;
}

/* Remembers error (set, or made from r) as the handle's last error. Returns r. */
static int remember_error(Resource1 *h, const sd_bus_error *e, int r) {
        _cleanup_(sd_bus_error_free) sd_bus_error local = SD_BUS_ERROR_NULL;

        if (!e || !e->name) {
                sd_bus_error_set_errno(&local, r);
                e = &local;
        }
        forget_error(h);
        h->error_name = strdup(e->name ?: "org.freedesktop.DBus.Error.Failed");
        h->error_message = strdup(e->message ?: strerror(-r));
        return r;
}

/* A failure on this side: r with error name (NULL: sd-bus's name for r) and a message. */
static int failf(Resource1 *h, int r, const char *name, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int failf(Resource1 *h, int r, const char *name, const char *fmt, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        va_list ap;

        va_start(ap, fmt);
        if (name) {
                char *msg = NULL;
                if (vasprintf(&msg, fmt, ap) < 0)
                        msg = NULL;
                sd_bus_error_set(&e, name, msg);
                free(msg);
        } else
                sd_bus_error_set_errnofv(&e, r, fmt, ap);
        va_end(ap);
        return remember_error(h, &e, r);
}

/* One-shot calls (a NULL handle) keep their error per thread, until the
 * thread's next one-shot call or its end. */
typedef struct OneShotError {
        char *name, *message;
} OneShotError;

static pthread_key_t oneshot_key;
static bool oneshot_key_made;

static void oneshot_destroy(void *p) {
        OneShotError *e = p;
        free(e->name);
        free(e->message);
        free(e);
}

/* Made when the library is loaded, before any thread of the program can call
 * it, so that no thread ever writes it afterwards (the library is never
 * unloaded: -z nodelete). */
__attribute__((constructor)) static void oneshot_init(void) {
        oneshot_key_made = pthread_key_create(&oneshot_key, oneshot_destroy) == 0;
}

static OneShotError *oneshot_get(bool create) {
        if (!oneshot_key_made)
                return NULL;
        OneShotError *e = pthread_getspecific(oneshot_key);
        if (!e && create) {
                e = calloc(1, sizeof *e);
                if (e && pthread_setspecific(oneshot_key, e) != 0) {
                        free(e);
                        e = NULL;
                }
        }
        return e;
}

/* The thread's one-shot error becomes what h (the call's own handle) says, or r's. */
static void oneshot_remember(const Resource1 *h, int r) {
        OneShotError *e = oneshot_get(r < 0);
        if (!e)
                return;
        free(e->name);
        free(e->message);
        e->name = e->message = NULL;
        if (r >= 0)
                return;
        if (h && h->error_name) {
                e->name = strdup(h->error_name);
                e->message = h->error_message ? strdup(h->error_message) : NULL;
        } else {
                _cleanup_(sd_bus_error_free) sd_bus_error b = SD_BUS_ERROR_NULL;
                sd_bus_error_set_errno(&b, r);
                e->name = b.name ? strdup(b.name) : NULL;
                e->message = b.message ? strdup(b.message) : NULL;
        }
}

/* ---- connections ---- */

static bool handle_has_subscriptions(const Resource1 *h) {
        for (Resource1Slot *s = h->slots; s; s = s->next)
                if (s->type == SLOT_SUBSCRIPTION)
                        return true;
        return false;
}

static bool bus_has_calls(const Resource1 *h, sd_bus *bus) {
        for (Resource1Slot *s = h->slots; s; s = s->next)
                if (s->type == SLOT_CALL && s->bus_slot && sd_bus_slot_get_bus(s->bus_slot) == bus)
                        return true;
        return false;
}

static void conn_close(Conn *c, bool own) {
        c->disconnected = sd_bus_slot_unref(c->disconnected);
        if (!c->bus)
                return;
        if (own) {
                (void) sd_bus_detach_event(c->bus);
                c->bus = sd_bus_close_unref(c->bus);
        } else
                c->bus = sd_bus_unref(c->bus);
}

static void handle_replace_connection(Resource1 *h);

static int subscription_add(Resource1Slot *s);

/* The local signal sd-bus makes when a connection ends: after every call
 * pending on it was failed (and retried on a new connection). */
static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Resource1 *h = userdata;
        sd_bus *bus = sd_bus_message_get_bus(m);

        for (size_t i = 0; i < h->n_old; i++)
                if (h->old[i].bus == bus) {
                        conn_close(&h->old[i], true);
                        h->old[i] = h->old[--h->n_old];
                        return 0;
                }
        if (bus != h->conn.bus || !h->own_bus)
                return 0;

        /* The handle's connection, with no call pending: subscriptions need a
         * new one now; otherwise the next call makes it. */
        if (handle_has_subscriptions(h))
                handle_replace_connection(h);
        else
                conn_close(&h->conn, true);
        return 0;
}

/* The handle's own connection (made on first use), attached to its loop. */
static int handle_connect(Resource1 *h) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        Conn c = {};
        int r;

        if (h->conn.bus)
                return 0;
        if (!h->own_bus)
                return -ENOTCONN;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_match_signal(bus, &c.disconnected, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, h);
        if (r < 0)
                return r;
        if (h->event) {
                r = sd_bus_attach_event(bus, h->event, h->event_priority);
                if (r < 0) {
                        sd_bus_slot_unref(c.disconnected);
                        return r;
                }
        }
        c.bus = bus;
        bus = NULL;
        h->conn = c;

        for (Resource1Slot *s = h->slots; s; s = s->next)
                if (s->type == SLOT_SUBSCRIPTION)
                        (void) subscription_add(s);
        return 0;
}

/* The handle's connection was lost: it is set aside until the calls pending
 * on it have been failed (each is then sent again on the new one), and a new
 * one is made. */
static void handle_replace_connection(Resource1 *h) {
        if (h->conn.bus && bus_has_calls(h, h->conn.bus)) {
                Conn *old = realloc(h->old, (h->n_old + 1) * sizeof *old);
                if (old) {
                        h->old = old;
                        h->old[h->n_old++] = h->conn;
                        h->conn = (Conn) {};
                }
        }
        conn_close(&h->conn, true);
        (void) handle_connect(h);
}

static bool connection_lost(sd_bus *bus) {
        return sd_bus_is_open(bus) == 0;
}

/* A failure on this side while making or sending a call. */
static int local_failure(Resource1 *h, int r, const char *what) {
        r = resource1_client_errno(NULL, r, false);
        if (r == -ECHILD)
                return failf(h, r, NULL, "this handle's connection belongs to the process that made it: "
                             "make a new handle after fork()");
        return failf(h, r, NULL, "%s: %s", what, strerror(-r));
}

static int connect_or_fail(Resource1 *h) {
        int r = handle_connect(h);
        if (r < 0)
                return failf(h, -ECONNREFUSED, SD_BUS_ERROR_NO_SERVER, "cannot connect to the system bus: %s",
                             strerror(-r));
        return 0;
}

static uint64_t call_timeout(const Resource1 *h) {
        uint64_t t = 0;

        if (h->timeout_usec > 0)
                return h->timeout_usec;
        if (h->allow_interactive)
                return INTERACTIVE_TIMEOUT_USEC;
        if (!h->conn.bus || sd_bus_get_method_call_timeout(h->conn.bus, &t) < 0 || t == 0)
                t = 25ULL * 1000 * 1000;
        return t;
}

/* Worth one more try: the connection dropped (the bus restarted), or the
 * service went away in the middle of the call (it restarted; the next call
 * activates it again). A call that timed out or was made after fork() is not. */
static bool worth_retry(sd_bus *bus, int r, const sd_bus_error *e, bool timed_out) {
        if (r == -ECHILD || timed_out)
                return false;
        return connection_lost(bus) || sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_DISCONNECTED);
}

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

static int request_message(const Resource1 *h, sd_bus *bus, const Request *q, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *iface = BUS_IFACE, *member = NULL;
        bool by_fd = q->fd >= 0;
        int r;

        switch (q->method) {
        case METHOD_GET_RLIMIT:   member = "GetRlimit"; break;
        case METHOD_SET_RLIMIT:   member = "SetRlimit"; break;
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

        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, iface, member);
        if (r < 0)
                return r;
        r = sd_bus_message_set_allow_interactive_authorization(m, h->allow_interactive);
        if (r < 0)
                return r;

        switch (q->method) {
        case METHOD_GET_RLIMIT:
                r = sd_bus_message_append(m, "s", q->resource);
                break;
        case METHOD_SET_RLIMIT:
                r = sd_bus_message_append(m, "stt", q->resource, q->limit.soft, q->limit.hard);
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
                r = sd_bus_message_append(m, "ss", BUS_IFACE, q->property);
                break;
        }
        if (r < 0)
                return r;

        *ret = m;
        m = NULL;
        return 0;
}

/* ---- replies ---- */

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

static int read_reply(sd_bus_message *reply, const Request *q, Result *res) {
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

static int unexpected_reply(sd_bus_error *e, int r) {
        if (r == -ENOMEM)
                return sd_bus_error_set_errno(e, r);
        return sd_bus_error_setf(e, SD_BUS_ERROR_INCONSISTENT_MESSAGE,
                                 "the service's reply is not what org.example.Resource1 specifies: %s", strerror(-r));
}

/* ---- synchronous calls ---- */

/* Sends q and reads the reply into res; on a handle's own connection, once
 * more on a new connection if the first was lost. The handle's last error
 * says why it failed. */
static int call_sync(Resource1 *h, const Request *q, Result *res) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        bool timed_out = false;
        int r;

        for (unsigned attempt = 0;; attempt++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;

                sd_bus_error_free(&e);
                r = connect_or_fail(h);
                if (r < 0)
                        return r;
                sd_bus *bus = h->conn.bus;
                r = request_message(h, bus, q, &m);
                if (r < 0)
                        return local_failure(h, r, "cannot make the call");

                uint64_t timeout = call_timeout(h), start = now_usec();
                r = sd_bus_call(bus, m, timeout, &e, &reply);
                if (r >= 0) {
                        r = read_reply(reply, q, res);
                        if (r < 0) {
                                unexpected_reply(&e, r);
                                return remember_error(h, &e, r == -ENOMEM ? r : -EBADMSG);
                        }
                        forget_error(h);
                        return 0;
                }
                timed_out = now_usec() >= start + timeout;
                if (attempt > 0 || !worth_retry(bus, r, &e, timed_out))
                        break;
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

/* ---- arguments ---- */

static const char *name_of(int resource) {
        return resource1_resource_to_name(resource);
}

static int check_resource(Resource1 *h, int resource, const char **ret) {
        *ret = name_of(resource);
        if (!*ret)
                return failf(h, -EINVAL, RESOURCE1_ERROR_INVALID_RESOURCE, "invalid resource number %d", resource);
        return 0;
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

static int check_who(Resource1 *h, int who, const char **ret) {
        *ret = who_name(who);
        if (!*ret)
                return failf(h, -EINVAL, RESOURCE1_ERROR_INVALID_WHO,
                             "invalid who %d (expected RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD or "
                             "RESOURCE1_RUSAGE_BOTH)", who);
        return 0;
}

static int check_arg(Resource1 *h, bool ok, const char *what) {
        if (!ok)
                return failf(h, -EINVAL, SD_BUS_ERROR_INVALID_ARGS, "invalid argument: %s", what);
        return 0;
}

static int check_batch(Resource1 *h, const int resources[], const Resource1Limit limits[], size_t n) {
        if (n == 0)
                return failf(h, -EINVAL, RESOURCE1_ERROR_INVALID_LIMITS, "an empty batch of limits");
        if (!resources || !limits)
                return check_arg(h, false, "resources or limits is NULL");
        if (n > RLIM_NLIMITS)
                return failf(h, -EINVAL, RESOURCE1_ERROR_INVALID_LIMITS,
                             "%zu limits in one batch, more than there are resources", n);
        for (size_t i = 0; i < n; i++) {
                const char *unused;
                int r = check_resource(h, resources[i], &unused);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_usage_size(Resource1 *h, size_t size) {
        if (size < USAGE_SIZE_MIN)
                return failf(h, -EINVAL, SD_BUS_ERROR_INVALID_ARGS,
                             "a Resource1Usage of %zu bytes, less than the %zu of the first one", size,
                             (size_t) USAGE_SIZE_MIN);
        return 0;
}

/* Copies the library's usage into the program's, of size bytes: the fields
 * both know, zeros for the rest. */
static void usage_copy(void *dst, const Resource1Usage *u, size_t size) {
        size_t n = size < sizeof *u ? size : sizeof *u;
        memcpy(dst, u, n);
        if (size > n)
                memset((char *) dst + n, 0, size - n);
}

/* ---- naming the target ----
 *
 * A pid number means a process in the caller's pid namespace, as it does for
 * prlimit(1); the service would read it in its own, which is another one for a
 * caller in a container or sandbox (it refuses such numbers with
 * OtherPidNamespace). So every process but the caller is named by a pidfd
 * opened here, in the caller's namespace. */

/* pid's target for q: a pidfd for any pid but 0 (a thread's when thread is
 * set), or the number where this kernel cannot give one (see
 * resource1_pidfd_open()). With thread set, pid 0 is the calling thread: the
 * service's "caller" (pid 0) in the main thread, else this thread's pidfd.
 * On failure, the error is remembered on the handle as the service words it. */
static int target_open(Resource1 *h, pid_t pid, bool thread, Request *q) {
        if (pid < 0)
                return failf(h, -EINVAL, SD_BUS_ERROR_INVALID_ARGS, "invalid pid %d", (int) pid);
        q->fd = -1;
        q->pid = 0;
        if (pid == 0 && thread && gettid() != getpid())
                pid = gettid();
        if (pid == 0)
                return 0;

        int fd = resource1_pidfd_open(pid, thread);
        if (fd >= 0) {
                q->fd = fd;
                q->own_fd = true;
                return 0;
        }
        switch (fd) {
        case -EOPNOTSUPP:
                q->pid = (uint32_t) pid;
                return 0;
        case -ESRCH:
                return failf(h, -ESRCH, RESOURCE1_ERROR_NO_SUCH_PROCESS, "no such process: pid %d", (int) pid);
        default:
                return failf(h, fd, NULL, "cannot open a pidfd for pid %d: %s", (int) pid, strerror(-fd));
        }
}

static int target_pidfd(Resource1 *h, int pidfd, bool keep, Request *q) {
        if (pidfd < 0)
                return failf(h, -EBADF, NULL, "invalid pidfd %d", pidfd);
        if (!keep) {
                q->fd = pidfd;
                return 0;
        }
        /* An asynchronous call keeps a copy: the program may close its own. */
        q->fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
        if (q->fd < 0)
                return failf(h, -errno, NULL, "cannot duplicate pidfd %d: %m", pidfd);
        q->own_fd = true;
        return 0;
}

/* ---- building each call's request ---- */

static int make_getrlimit(Resource1 *h, int resource, Request *q) {
        *q = REQUEST(METHOD_GET_RLIMIT);
        return check_resource(h, resource, &q->resource);
}

static int make_setrlimit(Resource1 *h, int resource, const Resource1Limit *limit, Request *q) {
        *q = REQUEST(METHOD_SET_RLIMIT);
        int r = check_resource(h, resource, &q->resource);
        if (r < 0)
                return r;
        r = check_arg(h, limit, "limit is NULL");
        if (r < 0)
                return r;
        q->limit = *limit;
        return 0;
}

static int make_prlimit(Resource1 *h, int resource, const Resource1Limit *new_limit, Request *q) {
        *q = REQUEST(METHOD_PRLIMIT);
        int r = check_resource(h, resource, &q->resource);
        if (r < 0)
                return r;
        q->set = new_limit != NULL;
        if (new_limit)
                q->limit = *new_limit;
        return 0;
}

/* copy: an asynchronous call's own copies of the arrays. */
static int make_setrlimits(Resource1 *h, const int resources[], const Resource1Limit limits[], size_t n, bool copy,
                           Request *q) {
        *q = REQUEST(METHOD_SET_RLIMITS);
        int r = check_batch(h, resources, limits, n);
        if (r < 0)
                return r;
        q->n = n;
        q->resources = resources;
        q->limits = limits;
        if (copy) {
                q->own_resources = malloc(n * sizeof resources[0]);
                q->own_limits = malloc(n * sizeof limits[0]);
                if (!q->own_resources || !q->own_limits) {
                        request_done(q);
                        return failf(h, -ENOMEM, NULL, "out of memory");
                }
                memcpy(q->own_resources, resources, n * sizeof resources[0]);
                memcpy(q->own_limits, limits, n * sizeof limits[0]);
                q->resources = q->own_resources;
                q->limits = q->own_limits;
        }
        return 0;
}

static int make_getrusage(Resource1 *h, int who, size_t size, Request *q) {
        *q = REQUEST(METHOD_GET_RUSAGE);
        q->usage_size = size;
        int r = check_who(h, who, &q->who);
        return r < 0 ? r : check_usage_size(h, size);
}

static Request make_property(const char *property, char type) {
        Request q = REQUEST(METHOD_GET_PROPERTY);
        q.property = property;
        q.property_type = type;
        return q;
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

/* Starts a synchronous call: the last error is the new call's. */
static void begin(Resource1 *h) {
        forget_error(h);
}

static int do_getrlimit(Resource1 *h, int resource, Resource1Limit *ret) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_getrlimit(h, resource, &q);
        if (r >= 0)
                r = check_arg(h, ret, "ret is NULL");
        if (r >= 0)
                r = call_sync(h, &q, &res);
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
        return r < 0 ? r : call_sync(h, &q, &res);
}

_public_ int resource1_setrlimit(Resource1 *h, int resource, const Resource1Limit *limit) {
        return WITH_HANDLE(h, do_setrlimit(h, resource, limit));
}

/* Calls q (whose target is set) and closes what it opened. */
static int call_sync_done(Resource1 *h, Request *q, Result *res) {
        int r = call_sync(h, q, res);
        request_done(q);
        return r;
}

static int do_prlimit(Resource1 *h, bool by_fd, int pid_or_fd, int resource, const Resource1Limit *new_limit,
                      Resource1Limit *ret_old) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_prlimit(h, resource, new_limit, &q);
        if (r >= 0)
                r = by_fd ? target_pidfd(h, pid_or_fd, false, &q) : target_open(h, pid_or_fd, false, &q);
        if (r < 0)
                return r;
        r = call_sync_done(h, &q, &res);
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
                r = by_fd ? target_pidfd(h, pid_or_fd, false, &q) : target_open(h, pid_or_fd, false, &q);
        if (r < 0)
                return r;
        r = call_sync_done(h, &q, &res);
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
                r = by_fd ? target_pidfd(h, pid_or_fd, false, &q) : target_open(h, pid_or_fd, false, &q);
        if (r < 0)
                return r;
        r = call_sync_done(h, &q, &res);
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
                r = by_fd ? target_pidfd(h, pid_or_fd, false, &q) :
                            target_open(h, pid_or_fd, who == RUSAGE_THREAD, &q);
        if (r < 0)
                return r;
        r = call_sync_done(h, &q, &res);
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

/* ---- asynchronous calls ---- */

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

/* Sends the slot's call; on the handle's own connection, once more on a new
 * connection if the first turns out lost while sending. */
static int slot_send(Resource1Slot *s) {
        Resource1 *h = s->handle;
        int r;

        for (unsigned attempt = 0;; attempt++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;

                r = handle_connect(h);
                if (r < 0)
                        return r;
                r = request_message(h, h->conn.bus, &s->req, &m);
                if (r >= 0) {
                        uint64_t timeout = call_timeout(h);
                        s->deadline = now_usec() + timeout;
                        r = sd_bus_call_async(h->conn.bus, &s->bus_slot, m, on_reply, s, timeout);
                        if (r >= 0)
                                return 0;
                }
                if (attempt > 0 || !h->own_bus || r == -ECHILD || !connection_lost(h->conn.bus))
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

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        Resource1Slot *s = userdata;
        Resource1 *h = s->handle;
        sd_bus *bus = sd_bus_message_get_bus(m);
        Result res = {};
        int r;

        /* The pending call is answered: sd-bus holds the slot while it dispatches. */
        s->bus_slot = sd_bus_slot_unref(s->bus_slot);

        const sd_bus_error *reply_error = sd_bus_message_get_error(m);
        if (reply_error) {
                bool timed_out = now_usec() >= s->deadline;
                int err = sd_bus_message_get_errno(m);

                if (!s->retried && worth_retry(bus, -err, reply_error, timed_out) &&
                    (!connection_lost(bus) || h->own_bus)) {
                        s->retried = true;
                        if (bus == h->conn.bus && connection_lost(bus))
                                handle_replace_connection(h);
                        r = slot_send(s);
                        if (r >= 0)
                                return 0;
                        if (!h->conn.bus) {
                                sd_bus_error_setf(&e, SD_BUS_ERROR_NO_SERVER, "cannot connect to the system bus: %s",
                                                  strerror(-r));
                                r = -ECONNREFUSED;
                        } else {
                                sd_bus_error_set_errnof(&e, r, "cannot send the call again: %s", strerror(-r));
                                r = resource1_client_errno(&e, r, false);
                        }
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
        return 0;
}

static int slot_new(Resource1 *h, SlotType type, void *userdata, Resource1Slot **ret) {
        Resource1Slot *s = calloc(1, sizeof *s);
        if (!s)
                return failf(h, -ENOMEM, NULL, "out of memory");
        s->n_ref = 1;
        s->type = type;
        s->userdata = userdata;
        s->req = REQUEST(METHOD_PAGE_SIZE);
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
 * callback set by set_callback on the new slot. */
static int call_async(Resource1 *h, Resource1Slot **ret_slot, Request *q, Resource1Slot *s) {
        int r = connect_or_fail(h);
        if (r < 0)
                goto fail;
        s->req = *q;
        *q = REQUEST(METHOD_PAGE_SIZE);
        s->handle = h;
        r = slot_send(s);
        s->handle = NULL;
        if (r < 0) {
                r = local_failure(h, r, "cannot send the call");
                goto fail;
        }
        slot_give(h, s, ret_slot);
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

#define ASYNC_SLOT(h, field, cb, userdata)                                          \
        ({                                                                          \
                Resource1Slot *_s = NULL;                                           \
                int _r = slot_new(h, SLOT_CALL, userdata, &_s);                     \
                if (_r >= 0)                                                        \
                        _s->callback.field = (cb);                                  \
                _r < 0 ? NULL : _s;                                                 \
        })

_public_ int resource1_getrlimit_async(Resource1 *h, Resource1Slot **ret_slot, int resource,
                                       Resource1LimitHandler callback, void *userdata) {
        Request q;
        int r = begin_async(h);
        if (r < 0)
                return r;
        r = make_getrlimit(h, resource, &q);
        if (r < 0)
                return r;
        Resource1Slot *s = ASYNC_SLOT(h, limit, callback, userdata);
        return s ? call_async(h, ret_slot, &q, s) : -ENOMEM;
}

_public_ int resource1_setrlimit_async(Resource1 *h, Resource1Slot **ret_slot, int resource, const Resource1Limit *limit,
                                       Resource1DoneHandler callback, void *userdata) {
        Request q;
        int r = begin_async(h);
        if (r < 0)
                return r;
        r = make_setrlimit(h, resource, limit, &q);
        if (r < 0)
                return r;
        Resource1Slot *s = ASYNC_SLOT(h, done, callback, userdata);
        return s ? call_async(h, ret_slot, &q, s) : -ENOMEM;
}

static int prlimit_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd, int resource,
                         const Resource1Limit *new_limit, Resource1LimitHandler callback, void *userdata) {
        Request q;
        int r = begin_async(h);
        if (r < 0)
                return r;
        r = make_prlimit(h, resource, new_limit, &q);
        if (r >= 0)
                r = by_fd ? target_pidfd(h, pid_or_fd, true, &q) : target_open(h, pid_or_fd, false, &q);
        if (r < 0)
                return r;
        Resource1Slot *s = ASYNC_SLOT(h, limit, callback, userdata);
        if (!s) {
                request_done(&q);
                return -ENOMEM;
        }
        return call_async(h, ret_slot, &q, s);
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
        Request q;
        int r = begin_async(h);
        if (r < 0)
                return r;
        r = make_setrlimits(h, resources, limits, n, true, &q);
        if (r >= 0)
                r = by_fd ? target_pidfd(h, pid_or_fd, true, &q) : target_open(h, pid_or_fd, false, &q);
        if (r < 0) {
                request_done(&q);
                return r;
        }
        Resource1Slot *s = ASYNC_SLOT(h, limits, callback, userdata);
        if (!s) {
                request_done(&q);
                return -ENOMEM;
        }
        return call_async(h, ret_slot, &q, s);
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
        int r = begin_async(h);
        if (r < 0)
                return r;
        r = by_fd ? target_pidfd(h, pid_or_fd, true, &q) : target_open(h, pid_or_fd, false, &q);
        if (r < 0)
                return r;
        Resource1Slot *s = ASYNC_SLOT(h, list, callback, userdata);
        if (!s) {
                request_done(&q);
                return -ENOMEM;
        }
        return call_async(h, ret_slot, &q, s);
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
        Request q;
        int r = begin_async(h);
        if (r < 0)
                return r;
        r = make_getrusage(h, who, size, &q);
        if (r >= 0)
                r = by_fd ? target_pidfd(h, pid_or_fd, true, &q) : target_open(h, pid_or_fd, who == RUSAGE_THREAD, &q);
        if (r < 0)
                return r;
        Resource1Slot *s = ASYNC_SLOT(h, usage, callback, userdata);
        if (!s) {
                request_done(&q);
                return -ENOMEM;
        }
        return call_async(h, ret_slot, &q, s);
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
        int r = begin_async(h);
        if (r < 0)
                return r;
        Resource1Slot *s = ASYNC_SLOT(h, u64, callback, userdata);
        return s ? call_async(h, ret_slot, &q, s) : -ENOMEM;
}

_public_ int resource1_get_can_raise_hard_limits_async(Resource1 *h, Resource1Slot **ret_slot,
                                                       Resource1BoolHandler callback, void *userdata) {
        Request q = make_property("CanRaiseHardLimits", 'b');
        int r = begin_async(h);
        if (r < 0)
                return r;
        Resource1Slot *s = ASYNC_SLOT(h, b, callback, userdata);
        return s ? call_async(h, ret_slot, &q, s) : -ENOMEM;
}

_public_ int resource1_get_version_async(Resource1 *h, Resource1Slot **ret_slot, Resource1StringHandler callback,
                                         void *userdata) {
        Request q = make_property("Version", 's');
        int r = begin_async(h);
        if (r < 0)
                return r;
        Resource1Slot *s = ASYNC_SLOT(h, s, callback, userdata);
        return s ? call_async(h, ret_slot, &q, s) : -ENOMEM;
}

_public_ int resource1_get_resources_async(Resource1 *h, Resource1Slot **ret_slot, Resource1StrvHandler callback,
                                           void *userdata) {
        Request q = make_property("Resources", 'a');
        int r = begin_async(h);
        if (r < 0)
                return r;
        Resource1Slot *s = ASYNC_SLOT(h, strv, callback, userdata);
        return s ? call_async(h, ret_slot, &q, s) : -ENOMEM;
}

/* ---- RlimitChanged ---- */

static int on_rlimit_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Resource1Slot *s = userdata;
        const char *name;
        uint32_t pid, uid;
        Resource1Limit l;

        if (sd_bus_message_read(m, "usttu", &pid, &name, &l.soft, &l.hard, &uid) < 0)
                return 0;   /* not the signal the specification describes: ignored */
        if (!s->handle || !s->callback.changed)
                return 0;

        int k = resource1_resource_from_name(name);
        Resource1 *h = handle_ref(s->handle);
        slot_ref(s);
        s->callback.changed(h, (pid_t) pid, k < 0 ? -1 : k, name, &l, (uid_t) uid, s->userdata);
        slot_unref(s);
        handle_unref(h);
        return 0;   /* other matches of the program's own may want it too */
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return 0;   /* a failure to install it leaves the connection as it is */
}

static int subscription_add(Resource1Slot *s) {
        s->bus_slot = sd_bus_slot_unref(s->bus_slot);
        return sd_bus_match_signal_async(s->handle->conn.bus, &s->bus_slot, BUS_NAME, BUS_PATH, BUS_IFACE,
                                         "RlimitChanged", on_rlimit_changed, on_match_installed, s);
}

_public_ int resource1_subscribe_rlimit_changed(Resource1 *h, Resource1Slot **ret_slot,
                                                Resource1RlimitChangedHandler callback, void *userdata) {
        Resource1Slot *s;
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
        slot_unlink(s);
        slot_unref(s);
        return NULL;
}

/* ---- handles ---- */

_public_ int resource1_new(Resource1 **ret) {
        if (!ret)
                return -EINVAL;
        Resource1 *h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        h->n_ref = 1;
        h->own_bus = true;
        *ret = h;
        return 0;
}

_public_ int resource1_new_with_bus(Resource1 **ret, sd_bus *bus) {
        if (!ret || !bus)
                return -EINVAL;
        Resource1 *h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        h->n_ref = 1;
        h->conn.bus = sd_bus_ref(bus);
        *ret = h;
        return 0;
}

_public_ Resource1 *resource1_free(Resource1 *h) {
        if (!h)
                return NULL;

        while (h->slots) {
                Resource1Slot *s = h->slots;
                slot_unlink(s);
        }
        for (size_t i = 0; i < h->n_old; i++)
                conn_close(&h->old[i], true);
        h->n_old = 0;
        if (h->own_bus && h->conn.bus) {
                /* Sends what is still queued (a call without a callback); a
                 * child of fork() has nothing of it to send. */
                h->conn.disconnected = sd_bus_slot_unref(h->conn.disconnected);
                (void) sd_bus_detach_event(h->conn.bus);
                h->conn.bus = sd_bus_flush_close_unref(h->conn.bus);
        } else {
                if (h->event && h->conn.bus)   /* attached by resource1_attach_event() */
                        (void) sd_bus_detach_event(h->conn.bus);
                conn_close(&h->conn, false);
        }
        h->event = sd_event_unref(h->event);
        handle_unref(h);
        return NULL;
}

_public_ void resource1_set_allow_interactive(Resource1 *h, bool allow) {
        if (h)
                h->allow_interactive = allow;
}

_public_ void resource1_set_timeout(Resource1 *h, uint64_t usec) {
        if (h)
                h->timeout_usec = usec;
}

_public_ const char *resource1_last_error_name(const Resource1 *h) {
        if (!h) {
                OneShotError *e = oneshot_get(false);
                return e ? e->name : NULL;
        }
        return h->error_name;
}

_public_ const char *resource1_last_error_message(const Resource1 *h) {
        if (!h) {
                OneShotError *e = oneshot_get(false);
                return e ? e->message : NULL;
        }
        return h->error_message;
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
        if (!h->conn.bus) {
                *ret_usec = UINT64_MAX;
                return 0;
        }
        return sd_bus_get_timeout(h->conn.bus, ret_usec);
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
        handle_unref(h);
        return r;
}
