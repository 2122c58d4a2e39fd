/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1d-gate: the only process of the service that takes callers'
 * descriptors.
 *
 * Closing a descriptor runs code its sender chose: a FUSE file sends a flush
 * at every close (and at exit) that its server may never answer, leaving the
 * closing task in D state; a socket with SO_LINGER waits on its last close.
 * So resource1d's own bus connection does not negotiate descriptor passing
 * (the bus then refuses every descriptor-carrying call to it), and the four
 * *Pidfd methods are served at a second name, RESOURCE1_PIDFD_BUS_NAME, by
 * this process: resource1d starts it with one end of a private connection
 * (descriptor 3), it owns that name, checks each call's one descriptor is a
 * pidfd in constant time, and forwards the call with it to resource1d, whose
 * answer it passes back. It holds no privilege and nothing of the daemon's.
 *
 * A descriptor that is not a pidfd it never closes while it serves: it
 * answers the call, keeps the message, gives its name up, tells resource1d
 * (which starts a fresh gate that takes the name at once), finishes the calls
 * it forwarded, closes its bus connections, and only then lets the kept
 * messages go, which may leave it waiting in D state for as long as the
 * sender likes: holding no bus name, no call of anyone else, nothing of the
 * daemon's. The bus policy lets at most one descriptor reach this name, on
 * those four methods only; should another bus let more through, the daemon's
 * heartbeat notices a gate that stops answering and replaces it (the name
 * allows replacement). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "gate-protocol.h"
#include "log.h"
#include "pidfd-kind.h"
#include "resource1-bus.h"
#include "util.h"

/* Calls forwarded and not yet answered, each holding its pidfd: in all, and
 * from one connection. Past these the call is refused (its pidfd, checked,
 * is closed at once). */
#define FORWARD_MAX 1024u
#define FORWARD_PER_SENDER_MAX 32u
/* Messages kept because their descriptor is not a pidfd (or could not be
 * seen), let go only at exit. */
#define HELD_MAX 16u
/* Longer than the daemon's longest answer (a polkit check that may ask for a
 * password, 290 s by default): the daemon always answers first. */
#define FORWARD_TIMEOUT_USEC (330ULL * 1000000ULL)

typedef struct Gate Gate;

typedef struct Forward {
        Gate *gate;
        struct Forward *prev, *next;
        sd_bus_message *call;      /* holds the pidfd until the answer */
        sd_bus_slot *slot;
} Forward;

struct Gate {
        sd_event *event;
        sd_bus *bus;               /* the system bus, as RESOURCE1_PIDFD_BUS_NAME */
        sd_bus *daemon;            /* the private connection to resource1d */
        Forward *forwards;
        unsigned n_forwards;
        sd_bus_message *held[HELD_MAX];
        unsigned n_held;
        bool retiring;             /* a successor was asked for: finish once it has the name */
        bool released;             /* the name went to the successor (NameLost) */
};

static const char *const pidfd_methods[] = {
        "PrlimitPidfd", "ListRlimitsPidfd", "GetRusagePidfd", "SetRlimitsPidfd",
};

static bool is_pidfd_method(sd_bus_message *m) {
        for (size_t i = 0; i < ELEMENTSOF(pidfd_methods); i++)
                if (sd_bus_message_is_method_call(m, RESOURCE1_INTERFACE, pidfd_methods[i]))
                        return true;
        return false;
}

static void forward_free(Forward *f) {
        Gate *g = f->gate;
        if (f->prev)
                f->prev->next = f->next;
        else
                g->forwards = f->next;
        if (f->next)
                f->next->prev = f->prev;
        g->n_forwards--;
        sd_bus_slot_unref(f->slot);
        sd_bus_message_unref(f->call);
        free(f);
}

static unsigned forwards_of(Gate *g, const char *sender) {
        unsigned n = 0;
        for (Forward *f = g->forwards; f; f = f->next)
                if (strcmp(sd_bus_message_get_sender(f->call), sender) == 0)
                        n++;
        return n;
}

/* The end: the bus connections go first, so that nothing waits on this
 * process any more, then the kept messages, whose descriptors may make the
 * close wait for as long as their sender likes. */
static void gate_finish(Gate *g) {
        while (g->forwards)
                forward_free(g->forwards);
        g->bus = sd_bus_flush_close_unref(g->bus);
        g->daemon = sd_bus_flush_close_unref(g->daemon);
        for (unsigned i = 0; i < g->n_held; i++)
                sd_bus_message_unref(g->held[i]);
        g->n_held = 0;
        (void) sd_event_exit(g->event, 0);
}

static void maybe_finish(Gate *g) {
        if (g->retiring && g->released && g->n_forwards == 0)
                gate_finish(g);
}

/* Asks the daemon for a successor, which takes the name over at once (this
 * gate allows replacement): no moment without an owner. Until NameLost says
 * it happened, this gate goes on serving; the calls the bus routed here
 * before the move it still passes on. */
static void gate_retire(Gate *g, const char *sender, const char *why) {
        if (g->retiring)
                return;
        g->retiring = true;
        /* The daemon logs it, limited per caller. */
        int r = sd_bus_call_method_async(g->daemon, NULL, NULL, GATE_PATH, GATE_INTERFACE, "Retiring",
                                         NULL, NULL, "ss", sender ?: "", why);
        if (r < 0)
                log_warning_errno(r, "resource1d-gate: failed to tell the daemon");
}

/* Keeps m, whose descriptor must not be closed while this process serves.
 * Past HELD_MAX (the daemon could start no successor, GATES_MAX) one is let
 * go here: if its close waits, the daemon's heartbeat sees this gate stop
 * answering. */
static void hold(Gate *g, sd_bus_message *m, const char *why) {
        if (g->n_held < HELD_MAX)
                g->held[g->n_held++] = sd_bus_message_ref(m);
        gate_retire(g, sd_bus_message_get_sender(m), why);
}

static int on_answer(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Forward *f = userdata;
        Gate *g = f->gate;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *answer = NULL;
        int r;
        (void) ret_error;

        if (sd_bus_message_is_method_error(reply, NULL))
                r = sd_bus_reply_method_error(f->call, sd_bus_message_get_error(reply));
        else {
                r = sd_bus_message_new_method_return(f->call, &answer);
                if (r >= 0)
                        r = sd_bus_message_copy(answer, reply, true);
                if (r >= 0)
                        r = sd_bus_send(g->bus, answer, NULL);
                if (r < 0)
                        (void) sd_bus_reply_method_errnof(f->call, r, "the service's gate could not pass the answer on: %m");
        }
        forward_free(f);
        maybe_finish(g);
        return 0;
}

/* The call, with its sender (which the bus vouched for) and its pidfd, to the
 * daemon. */
static int forward(Gate *g, sd_bus_message *m) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *copy = NULL;
        Forward *f;
        int r;

        r = sd_bus_message_new_method_call(g->daemon, &copy, NULL, sd_bus_message_get_path(m),
                                           sd_bus_message_get_interface(m), sd_bus_message_get_member(m));
        if (r >= 0)
                r = sd_bus_message_set_sender(copy, sd_bus_message_get_sender(m));
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(
                        copy, sd_bus_message_get_allow_interactive_authorization(m));
        if (r >= 0)
                r = sd_bus_message_rewind(m, true);
        if (r >= 0)
                r = sd_bus_message_copy(copy, m, true);
        if (r < 0)
                return r;

        f = calloc(1, sizeof *f);
        if (!f)
                return -ENOMEM;
        r = sd_bus_call_async(g->daemon, &f->slot, copy, on_answer, f, FORWARD_TIMEOUT_USEC);
        if (r < 0) {
                free(f);
                return r;
        }
        f->gate = g;
        f->call = sd_bus_message_ref(m);
        f->next = g->forwards;
        if (g->forwards)
                g->forwards->prev = f;
        g->forwards = f;
        g->n_forwards++;
        return 0;
}

/* Every call reaches this filter first: nothing else is registered. */
static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Gate *g = userdata;
        const char *sender = sd_bus_message_get_sender(m);
        int fd = -1, r;
        (void) error;

        if (!sd_bus_message_is_method_call(m, NULL, NULL) || !sender)
                return 0;
        /* Peer's Ping and GetMachineId sd-bus answers itself. */
        if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Peer", NULL))
                return 0;

        if (is_pidfd_method(m)) {
                r = sd_bus_message_read_basic(m, 'h', &fd);
                if (r < 0) {
                        /* The bus policy lets a call here carry at most one
                         * descriptor: whether it carries one the argument
                         * does not name, sd-bus does not say, and that one
                         * may be anything. */
                        (void) sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS,
                                                          "no file descriptor was passed with the call at the pidfd "
                                                          "argument's index (an index into those the message "
                                                          "carries)");
                        hold(g, m, "a descriptor its pidfd argument did not name");
                        return 1;
                }
                r = fd_is_pidfd(fd);
                if (r == 0) {
                        (void) sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS,
                                                          "the descriptor passed is not a pidfd (pidfd_open(2))");
                        hold(g, m, "a descriptor that is not a pidfd");
                        return 1;
                }
        } else if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", NULL) &&
                   !sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Introspectable", NULL)) {
                (void) sd_bus_reply_method_errorf(m, SD_BUS_ERROR_UNKNOWN_METHOD,
                                                  "%s serves the *Pidfd methods of %s only; call %s at %s",
                                                  RESOURCE1_PIDFD_BUS_NAME, RESOURCE1_INTERFACE,
                                                  sd_bus_message_get_member(m) ?: "it", RESOURCE1_BUS_NAME);
                return 1;
        }

        if (g->n_forwards >= FORWARD_MAX || forwards_of(g, sender) >= FORWARD_PER_SENDER_MAX) {
                (void) sd_bus_reply_method_errorf(m, RESOURCE1_ERROR_LIMITS_EXCEEDED,
                                                  "too many calls with descriptors are in progress%s; try again",
                                                  g->n_forwards >= FORWARD_MAX ? "" : " from this connection");
                return 1;
        }
        r = forward(g, m);
        if (r < 0)
                (void) sd_bus_reply_method_errnof(m, r, "the service's gate could not pass the call on: %m");
        return 1;
}

static int on_name_acquired(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Gate *g = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        (void) error;

        if (e) {
                log_error_errno(sd_bus_error_get_errno(e), "resource1d-gate: failed to acquire %s: %s",
                                RESOURCE1_PIDFD_BUS_NAME, e->message);
                gate_finish(g);
                return 0;
        }
        return sd_bus_call_method_async(g->daemon, NULL, NULL, GATE_PATH, GATE_INTERFACE, "Ready", NULL, NULL, "");
}

/* The successor took the name: after a retirement, or because the daemon
 * found this gate not answering. */
static int on_name_lost(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Gate *g = userdata;
        const char *name;
        (void) error;

        const char *sender = sd_bus_message_get_sender(m);

        /* A match rule is not a filter: only the bus itself says this. */
        if (!sender || strcmp(sender, "org.freedesktop.DBus") != 0 ||
            sd_bus_message_read_basic(m, 's', &name) < 0 || strcmp(name, RESOURCE1_PIDFD_BUS_NAME) != 0)
                return 0;
        g->retiring = g->released = true;
        maybe_finish(g);
        return 0;
}

static int drop_all_capabilities(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct data[2] = {};
        return syscall(SYS_capset, &h, data) < 0 ? -errno : 0;
}

/* No privilege: every capability dropped (the ambient ones too), not
 * dumpable, no way to gain any through exec; and gone with the daemon. */
static int drop_privileges(void) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0 ||
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        (void) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        return drop_all_capabilities();
}

static int connect_system_bus(Gate *g) {
        int r = sd_bus_open_system(&g->bus);
        if (r < 0)
                return log_error_errno(r, "resource1d-gate: failed to connect to the system bus");
        r = sd_bus_attach_event(g->bus, g->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_add_filter(g->bus, NULL, on_call, g);
        if (r >= 0)
                r = sd_bus_match_signal(g->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "NameLost", on_name_lost, g);
        if (r >= 0)
                r = sd_bus_request_name_async(g->bus, NULL, RESOURCE1_PIDFD_BUS_NAME,
                                              SD_BUS_NAME_ALLOW_REPLACEMENT | SD_BUS_NAME_REPLACE_EXISTING,
                                              on_name_acquired, g);
        if (r < 0)
                return log_error_errno(r, "resource1d-gate: failed to serve %s", RESOURCE1_PIDFD_BUS_NAME);
        return 0;
}

static int connect_daemon(Gate *g, int fd) {
        int r = sd_bus_new(&g->daemon);
        if (r >= 0)
                r = sd_bus_set_fd(g->daemon, fd, fd);
        if (r >= 0)
                r = sd_bus_negotiate_fds(g->daemon, true);
        if (r >= 0)
                r = sd_bus_start(g->daemon);
        if (r >= 0)
                r = sd_bus_attach_event(g->daemon, g->event, SD_EVENT_PRIORITY_NORMAL);
        /* Without the daemon there is nothing to pass calls to. */
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(g->daemon, true);
        if (r < 0)
                return log_error_errno(r, "resource1d-gate: failed to connect to resource1d");
        return 0;
}

static void gate_done(Gate *g) {
        while (g->forwards)
                forward_free(g->forwards);
        sd_bus_flush_close_unref(g->bus);
        sd_bus_flush_close_unref(g->daemon);
        for (unsigned i = 0; i < g->n_held; i++)
                sd_bus_message_unref(g->held[i]);
        sd_event_unref(g->event);
}

int main(int argc, char *argv[]) {
        _cleanup_(gate_done) Gate g = {};
        sigset_t mask;
        int r;

        if (argc != 2 || strcmp(argv[1], GATE_DAEMON_FD_OPTION) != 0) {
                fprintf(stderr, "resource1d-gate: started by resource1d only, with %s\n", GATE_DAEMON_FD_OPTION);
                return EXIT_FAILURE;
        }
        r = drop_privileges();
        if (r < 0)
                return log_error_errno(r, "resource1d-gate: failed to drop privileges"), EXIT_FAILURE;
        /* The daemon blocks every signal and the mask survives exec: SIGTERM
         * stays blocked, for sd-event's signalfd; the rest are unblocked. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        (void) sigprocmask(SIG_SETMASK, &mask, NULL);
        /* Room for every call it may hold (FORWARD_MAX, each with a pidfd). */
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) >= 0 && nofile.rlim_cur < nofile.rlim_max) {
                nofile.rlim_cur = nofile.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &nofile);
        }

        r = sd_event_default(&g.event);
        if (r >= 0)
                r = sd_event_add_signal(g.event, NULL, SIGTERM, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "resource1d-gate: failed to make the event loop"), EXIT_FAILURE;
        if (connect_daemon(&g, GATE_DAEMON_FD) < 0 || connect_system_bus(&g) < 0)
                return EXIT_FAILURE;

        r = sd_event_loop(g.event);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
