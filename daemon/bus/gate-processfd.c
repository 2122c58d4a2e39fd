/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1d-gate: a caller's connection's credentials with the bus's
 * ProcessFD, for the daemon (gate-processfd.h).
 *
 * Pid 0 names the process that opened the caller's connection. The bus
 * reports that process as a number, which names it only while it lives;
 * newer buses (dbus-broker 37, as Debian 12's backports have it, and
 * dbus-daemon 1.16, on Linux 6.5 and later) also hold it by a pidfd taken
 * when it connected (SO_PEERPIDFD), and hand that out as ProcessFD in
 * GetConnectionCredentials, but only to a connection that negotiated
 * descriptor passing. The
 * daemon's does not, and must not (resource1d-gate.c: the bus then refuses
 * every descriptor-carrying call to it). Worse, dbus-broker 37 sends
 * ProcessFD to such a connection all the same and then drops it ("does not
 * support receiving file descriptors it expects"): on a bus that offers
 * ProcessFD the daemon must not call GetConnectionCredentials at all. So it
 * asks here: this connection negotiated descriptors, and what it passes on
 * came from the bus itself, never from a caller. Of the reply the daemon gets
 * the uid, the pid, the groups and the ProcessFD, the last only if it is a
 * pidfd (checked in constant time); nothing else. (The gate names the caller
 * of every call it passes on, so the daemon already trusts it with who
 * calls: this asks it nothing more.) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "gate.h"
#include "gate-processfd.h"
#include "gate-protocol.h"
#include "log.h"
#include "pidfd-kind.h"
#include "util.h"

/* Asks in progress. The daemon asks once at a time for each connection it
 * holds calls of (at most 256; and for few others: a retiring gate's or a
 * FUSE file's caller) and gives up on an ask after its deadline, so an ask it
 * gave up on may still run here beside its next: twice that is room enough. */
#define ASKS_MAX 512u
/* A bus answers its own method at once; one that does not, within the
 * daemon's deadline for its answer, is as good as none. */
#define ASK_TIMEOUT_USEC (2ULL * 1000000ULL)

typedef struct Ask {
        Gate *gate;
        sd_bus_message *request;   /* the daemon's, until answered */
} Ask;

/* The ProcessFD entry of GetConnectionCredentials' a{sv}: 1 and the
 * descriptor (the reply's, borrowed), 0 when there is none, or -errno.
 * For the gate's own credentials. */
static int read_processfd(sd_bus_message *reply, int *ret_fd) {
        const char *key;
        int fd = -1, found = 0;

        int r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read_basic(reply, 's', &key);
                if (r >= 0 && strcmp(key, "ProcessFD") == 0 && !found) {
                        r = sd_bus_message_read(reply, "v", "h", &fd);
                        found = r >= 0;
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return r;
        *ret_fd = fd;
        return found;
}

/* A pidfd (of a live process or not: fd_is_pidfd() says -ESRCH for a dead
 * one, which the daemon finds gone), told in constant time. */
static bool is_pidfd(int fd) {
        int r = fd_is_pidfd(fd);
        return r > 0 || r == -ESRCH;
}

static void ask_free(void *userdata) {
        Ask *a = userdata;
        /* Dropped unanswered (the bus connection went with the gate's end):
         * the daemon is told so, rather than left to its deadline. */
        if (a->request)
                (void) sd_bus_reply_method_errorf(a->request, GATE_ERROR_CANNOT_ASK,
                                                  "the gate's bus connection is closed");
        sd_bus_message_unref(a->request);
        a->gate->n_asks--;
        free(a);
}

/* The a{sv} the daemon gets: UnixUserID, ProcessID, UnixGroupIDs as the bus
 * sent them, and ProcessFD only if it is a pidfd. */
static int copy_credentials(sd_bus_message *reply, sd_bus_message *from) {
        const char *key;
        int r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_enter_container(from, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(from, 'e', "sv")) > 0) {
                r = sd_bus_message_read_basic(from, 's', &key);
                if (r < 0)
                        break;
                if (strcmp(key, "ProcessFD") == 0) {
                        int fd = -1;
                        r = sd_bus_message_read(from, "v", "h", &fd);
                        if (r >= 0 && is_pidfd(fd))
                                r = sd_bus_message_append(reply, "{sv}", key, "h", fd);
                } else if (strcmp(key, "UnixUserID") == 0 || strcmp(key, "ProcessID") == 0 ||
                           strcmp(key, "UnixGroupIDs") == 0) {
                        r = sd_bus_message_open_container(reply, 'e', "sv");
                        if (r >= 0)
                                r = sd_bus_message_append_basic(reply, 's', key);
                        if (r >= 0)
                                r = sd_bus_message_copy(reply, from, false);
                        if (r >= 0)
                                r = sd_bus_message_close_container(reply);
                } else
                        r = sd_bus_message_skip(from, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(from);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int on_creds(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *answer = NULL;
        Ask *a = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int r;
        (void) ret_error;

        /* The bus's own error (the name is gone) is the daemon's answer;
         * one sd-bus made here (no answer in time, the connection lost) says
         * the gate could not ask. */
        if (e && (sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT, SD_BUS_ERROR_DISCONNECTED)))
                r = sd_bus_reply_method_errorf(a->request, GATE_ERROR_CANNOT_ASK, "the bus did not answer: %s",
                                               e->message ?: e->name);
        else if (e)
                r = sd_bus_reply_method_error(a->request, e);
        else {
                r = sd_bus_message_new_method_return(a->request, &answer);
                if (r >= 0)
                        r = copy_credentials(answer, reply);
                r = r >= 0 ? sd_bus_send(NULL, answer, NULL) :
                        sd_bus_reply_method_errorf(a->request, GATE_ERROR_CANNOT_ASK,
                                                   "the bus's credentials could not be read: %s", strerror(-r));
        }
        /* The bus's pidfd, copied into the answer: the gate's until written. */
        if (r >= 0 && answer && gate_outgoing(a->gate, answer) < 0)
                log_debug("resource1d-gate: could not note the answer's descriptor");
        if (r < 0)
                log_debug("resource1d-gate: could not answer the daemon's Credentials: %s", strerror(-r));
        a->request = sd_bus_message_unref(a->request);
        return 0;   /* freed by the slot's destroy callback */
}

static int method_credentials(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        Gate *g = userdata;
        const char *sender;
        sd_bus_slot *slot = NULL;

        /* Only the daemon is on this connection; its calls carry no sender. */
        if (sd_bus_message_get_sender(m))
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "only the daemon asks this");
        int r = sd_bus_message_read(m, "s", &sender);
        if (r < 0)
                return r;
        if (sender[0] != ':')
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "'%s' is not a unique name", sender);
        if (!g->bus || g->bus_lost)
                return sd_bus_error_set(error, GATE_ERROR_CANNOT_ASK, "the gate's bus connection is lost");
        if (g->n_asks >= ASKS_MAX)
                return sd_bus_error_set(error, GATE_ERROR_CANNOT_ASK, "too many asks in progress");

        Ask *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        r = sd_bus_message_new_method_call(g->bus, &call, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "GetConnectionCredentials");
        if (r >= 0)
                r = sd_bus_message_append(call, "s", sender);
        if (r >= 0)
                r = sd_bus_call_async(g->bus, &slot, call, on_creds, a, ASK_TIMEOUT_USEC);
        if (r < 0) {
                free(a);
                return r;
        }
        *a = (Ask) { .gate = g, .request = sd_bus_message_ref(m) };
        g->n_asks++;
        /* Owned by the bus from here: freed with the answer, or with the bus. */
        (void) sd_bus_slot_set_destroy_callback(slot, ask_free);
        (void) sd_bus_slot_set_floating(slot, true);
        sd_bus_slot_unref(slot);
        return 1;
}

static const sd_bus_vtable gate_daemon_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Credentials", SD_BUS_ARGS("s", sender), SD_BUS_RESULT("a{sv}", credentials),
                                method_credentials, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

int gate_processfd_serve(Gate *g) {
        return sd_bus_add_object_vtable(g->daemon, NULL, GATE_PATH, GATE_INTERFACE, gate_daemon_vtable, g);
}

/* Its own credentials, asked once it owns its name: whether the bus sends
 * ProcessFD at all, for Ready. */
static int on_own_creds(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Gate *g = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int fd = -1;
        (void) ret_error;

        bool offered = !e && read_processfd(reply, &fd) > 0 && is_pidfd(fd);
        if (e)
                log_warning("resource1d-gate: the bus did not tell its own credentials (%s): taking it to offer "
                            "no ProcessFD", e->message ?: e->name);
        return sd_bus_call_method_async(g->daemon, NULL, NULL, GATE_PATH, GATE_INTERFACE, "Ready", NULL, NULL, "b",
                                        offered);
}

int gate_processfd_ready(Gate *g) {
        const char *self = NULL;
        int r = sd_bus_get_unique_name(g->bus, &self);
        if (r >= 0)
                r = sd_bus_call_method_async(g->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                             "org.freedesktop.DBus", "GetConnectionCredentials", on_own_creds, g,
                                             "s", self);
        if (r < 0) {
                log_warning("resource1d-gate: could not ask the bus for its own credentials (%s): taking it to "
                            "offer no ProcessFD", strerror(-r));
                return sd_bus_call_method_async(g->daemon, NULL, NULL, GATE_PATH, GATE_INTERFACE, "Ready", NULL,
                                                NULL, "b", 0);
        }
        return 0;
}
