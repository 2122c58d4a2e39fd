/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: handles and their slots, the last error, and the connection a
 * handle makes (and makes again when it is lost). What a call asks and how it
 * is sent are in resource1-request.c, resource1-message.c, resource1-sync.c
 * and resource1-async.c; event loops in resource1-event.c. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "resource1-client-errno.h"
#include "resource1-errors.h"
#include "resource1-internal.h"
#include "resource1-names.h"

/* Long enough for a person to type a password into an authentication agent. */
#define INTERACTIVE_TIMEOUT_USEC (5ULL * 60 * 1000 * 1000)

/* ---- handles and slots ---- */

Resource1 *handle_ref(Resource1 *h) {
        h->n_ref++;
        return h;
}

void handle_unref(Resource1 *h) {
        if (h && --h->n_ref == 0) {
                if (h->self_fd >= 0)
                        close(h->self_fd);
                free(h->error_name);
                free(h->error_message);
                free(h->old);
                free(h);
        }
}

Resource1Slot *slot_ref(Resource1Slot *s) {
        s->n_ref++;
        return s;
}

void slot_unref(Resource1Slot *s) {
        if (s && --s->n_ref == 0) {
                sd_bus_slot_unref(s->bus_slot);
                sd_bus_error_free(&s->refusal);
                request_done(&s->req);
                free(s);
        }
}

void slot_link(Resource1 *h, Resource1Slot *s) {
        s->handle = h;
        s->prev = NULL;
        s->next = h->slots;
        if (h->slots)
                h->slots->prev = s;
        h->slots = s;
        slot_ref(s);
}

/* Out of the handle's list (and its queue), its pending call or match dropped. */
void slot_unlink(Resource1Slot *s) {
        Resource1 *h = s->handle;

        s->bus_slot = sd_bus_slot_unref(s->bus_slot);
        if (!h)
                return;
        queue_remove(s);
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

void forget_error(Resource1 *h) {
        free(h->error_name);
        free(h->error_message);
        h->error_name = h->error_message = NULL;
}

/* Starts a call: the last error is the new call's. */
void begin(Resource1 *h) {
        forget_error(h);
}

/* Remembers error (set, or made from r) as the handle's last error. Returns r. */
int remember_error(Resource1 *h, const sd_bus_error *e, int r) {
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
int failf(Resource1 *h, int r, const char *name, const char *fmt, ...) {
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
void oneshot_remember(const Resource1 *h, int r) {
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

void conn_close(Conn *c, bool own) {
        c->disconnected = sd_bus_slot_unref(c->disconnected);
        if (!c->bus)
                return;
        if (own) {
                (void) sd_bus_detach_event(c->bus);
                c->bus = sd_bus_close_unref(c->bus);
        } else
                c->bus = sd_bus_unref(c->bus);
}

/* The handle's connection was lost. One lost before it ever answered was
 * most likely refused during its handshake: by a bus proxy that cannot take
 * sd-bus's pipelined one (Debian 12's xdg-dbus-proxy, see
 * resource1-connect.c), or it went with a bus that restarted just then. The
 * handle's next connections are then made step by step, which any bus takes;
 * until then they cost nothing more than sd-bus's own. */
static void conn_lost(Resource1 *h) {
        if (h->conn.bus && !h->conn.ready)
                h->stepwise = true;
}

/* A reply or an error came from the other side on bus, still open. */
void conn_answered(Resource1 *h, sd_bus *bus) {
        if (bus == h->conn.bus && !connection_lost(bus))
                h->conn.ready = true;
}

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
        conn_lost(h);

        /* The handle's connection, with no call pending: subscriptions need a
         * new one now; otherwise the next call makes it. */
        if (handle_has_subscriptions(h))
                handle_replace_connection(h);
        else
                conn_close(&h->conn, true);
        return 0;
}

/* The handle's own connection (made on first use), attached to its loop. */
int handle_connect(Resource1 *h) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        Conn c = {};
        int r;

        if (h->conn.bus)
                return 0;
        if (!h->own_bus)
                return -ENOTCONN;

        r = h->stepwise ? bus_open_system_stepwise(call_timeout(h), &bus) : sd_bus_open_system(&bus);
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
void handle_replace_connection(Resource1 *h) {
        conn_lost(h);
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

bool connection_lost(sd_bus *bus) {
        return sd_bus_is_open(bus) == 0;
}

/* A failure on this side while making or sending a call. */
int local_failure(Resource1 *h, int r, const char *what) {
        r = resource1_client_errno(NULL, r, false);
        if (r == -ECHILD)
                return failf(h, r, NULL, "this handle's connection belongs to the process that made it: "
                             "make a new handle after fork()");
        return failf(h, r, NULL, "%s: %s", what, strerror(-r));
}

int connect_or_fail(Resource1 *h) {
        int r = handle_connect(h);
        if (r < 0)
                return failf(h, -ECONNREFUSED, SD_BUS_ERROR_NO_SERVER, "cannot connect to the system bus: %s",
                             strerror(-r));
        return 0;
}

uint64_t call_timeout(const Resource1 *h) {
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
bool worth_retry(sd_bus *bus, int r, const sd_bus_error *e, bool timed_out) {
        if (r == -ECHILD || timed_out)
                return false;
        return connection_lost(bus) || sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_DISCONNECTED);
}

bool caller_unknown(const Resource1 *h, const Request *q, const sd_bus_error *e) {
        /* By pid 0, or by this process's pidfd, which goes by pid 0 where it
         * cannot be passed (resource1-sync.c): this process is alive, so
         * NoSuchProcess is about the connection. */
        if (!(q->fd < 0 && q->pid == 0) && !request_names_self(h, q))
                return false;
        if (!sd_bus_error_has_name(e, RESOURCE1_ERROR_NO_SUCH_PROCESS))
                return false;
        switch (q->method) {
        case METHOD_GET_RLIMIT:
        case METHOD_SET_RLIMIT:
        case METHOD_PRLIMIT:
        case METHOD_SET_RLIMITS:
        case METHOD_LIST_RLIMITS:
        case METHOD_GET_RUSAGE:
                return true;
        default:
                return false;
        }
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
        h->self_fd = -1;
        h->queue_wake = UINT64_MAX;
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
        h->self_fd = -1;
        h->queue_wake = UINT64_MAX;
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
        queue_timer_free(h);
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

_public_ void resource1_set_polkit_agent(Resource1 *h, bool enable) {
        if (h)
                h->polkit_agent = enable;
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
