/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "act.h"
#include "change.h"
#include "context.h"
#include "errors.h"
#include "gates.h"
#include "log.h"
#include "manager.h"
#include "util.h"


#define USEC_PER_SEC 1000000ULL

static void help(void) {
        printf("Usage: resource1d [OPTIONS]\n"
               "\n"
               "The org.example.Resource1 system bus service: resource limits and usage\n"
               "(getrlimit, setrlimit, prlimit, getrusage, getpagesize) for every language,\n"
               "with polkit deciding what needs CAP_SYS_RESOURCE.\n"
               "\n"
               "Options:\n"
               "  --idle-timeout=SEC   exit after SEC seconds without calls (0: never, the default);\n"
               "                       never while an authorization check is pending\n"
               "  --max-pending-per-uid=N\n"
               "                       changes one account (a uid, or the owner of a user\n"
               "                       namespace for its uids) may have in progress, waiting\n"
               "                       for polkit or being carried out (default 16); as many\n"
               "                       usage reads\n"
               "  --max-pending=N      changes in progress in all (default 100: below the bus's\n"
               "                       usual 128 pending replies per connection)\n"
               "  --polkit-timeout=SEC deadline of a polkit check that asks no one (default 20,\n"
               "                       below the clients' usual 25 s call timeout)\n"
               "  --polkit-interactive-timeout=SEC\n"
               "                       deadline of one that may ask for a password (default 290)\n"
               "  --log-level=LEVEL    err, warning, notice, info (default) or debug\n"
               "  -h --help            show this help\n"
               "  --version            show the version\n"
               "\n"
               "It connects to the system bus, or to $DBUS_SYSTEM_BUS_ADDRESS when set.\n"
               "See resource1d(8).\n");
}

/* Whole seconds, as µs; 0 allowed only where it means "never". */
static int parse_sec(const char *opt, const char *v, bool allow_zero, uint64_t *ret) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || s > UINT64_MAX / USEC_PER_SEC ||
            (s == 0 && !allow_zero)) {
                fprintf(stderr, "resource1d: invalid --%s '%s': expected whole seconds%s\n", opt, v,
                        allow_zero ? "" : ", at least 1");
                return -EINVAL;
        }
        *ret = s * USEC_PER_SEC;
        return 0;
}

static int parse_argv(int argc, char *argv[], Context *c) {
        enum { ARG_IDLE = 0x100, ARG_LOG_LEVEL, ARG_VERSION, ARG_MAX_PENDING, ARG_MAX_PENDING_PER_UID,
               ARG_POLKIT_TIMEOUT, ARG_POLKIT_INTERACTIVE_TIMEOUT };
        static const struct option options[] = {
                { "help",         no_argument,       NULL, 'h' },
                { "version",      no_argument,       NULL, ARG_VERSION },
                { "idle-timeout", required_argument, NULL, ARG_IDLE },
                { "log-level",    required_argument, NULL, ARG_LOG_LEVEL },
                { "max-pending",  required_argument, NULL, ARG_MAX_PENDING },
                { "max-pending-per-uid", required_argument, NULL, ARG_MAX_PENDING_PER_UID },
                { "polkit-timeout", required_argument, NULL, ARG_POLKIT_TIMEOUT },
                { "polkit-interactive-timeout", required_argument, NULL, ARG_POLKIT_INTERACTIVE_TIMEOUT },
                {}
        };
        int opt;

        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (opt) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("resource1d %s\n", PROJECT_VERSION);
                        return 0;
                case ARG_IDLE:
                        if (parse_sec("idle-timeout", optarg, true, &c->idle_usec) < 0)
                                return -EINVAL;
                        break;
                case ARG_POLKIT_TIMEOUT:
                        if (parse_sec("polkit-timeout", optarg, false, &c->polkit_timeout_usec) < 0)
                                return -EINVAL;
                        break;
                case ARG_POLKIT_INTERACTIVE_TIMEOUT:
                        if (parse_sec("polkit-interactive-timeout", optarg, false,
                                      &c->polkit_interactive_timeout_usec) < 0)
                                return -EINVAL;
                        break;
                case ARG_MAX_PENDING:
                case ARG_MAX_PENDING_PER_UID: {
                        char *end;
                        errno = 0;
                        unsigned long n = strtoul(optarg, &end, 10);
                        if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' || n == 0 || n > 65536) {
                                fprintf(stderr, "resource1d: invalid --%s '%s': expected 1 to 65536\n",
                                        opt == ARG_MAX_PENDING ? "max-pending" : "max-pending-per-uid", optarg);
                                return -EINVAL;
                        }
                        if (opt == ARG_MAX_PENDING)
                                c->max_pending = (unsigned) n;
                        else
                                c->max_pending_per_uid = (unsigned) n;
                        break;
                }
                case ARG_LOG_LEVEL: {
                        int l = log_parse_level(optarg);
                        if (l < 0) {
                                fprintf(stderr, "resource1d: invalid --log-level '%s'\n", optarg);
                                return -EINVAL;
                        }
                        log_set_max_level(l);
                        break;
                }
                default:
                        return -EINVAL;
                }

        if (optind < argc) {
                fprintf(stderr, "resource1d: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Context *c = userdata;
        (void) s;

        log_info("Received %s, exiting", strsignal((int) si->ssi_signo));
        changes_abort(c, "the service is shutting down");
        (void) sd_bus_flush(c->bus);
        return sd_event_exit(c->event, 0);
}

static int on_name_released(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        (void) m, (void) error;

        /* The bus answers the release after every call it had already routed
         * to us, so they have all been dispatched by now; those still waiting
         * for polkit are seen through before exiting. */
        log_info("Idle, exiting");
        if (c->n_changes > 0) {
                c->exit_when_settled = true;
                return 0;
        }
        return sd_event_exit(c->event, 0);
}

static int on_idle_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;
        uint64_t next = c->last_activity + c->idle_usec;
        (void) usec;

        if (c->n_changes > 0 || now_usec() < next) {
                if (c->n_changes > 0)
                        next = now_usec() + c->idle_usec;
                (void) sd_event_source_set_time(s, next);
                return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        }

        /* Give the name up first: calls made from now on start a new
         * instance by activation instead of reaching one that is leaving. */
        int r = sd_bus_release_name_async(c->bus, NULL, RESOURCE1_BUS_NAME, on_name_released, c);
        if (r < 0)
                return sd_event_exit(c->event, log_error_errno(r, "Failed to release the bus name"));
        return 0;
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        uint8_t type = 0;
        (void) error;

        /* Calls keep the daemon alive; the bus's signals do not. */
        if (sd_bus_message_get_type(m, &type) >= 0 && type == SD_BUS_MESSAGE_METHOD_CALL)
                c->last_activity = now_usec();
        return 0;   /* only watching: let dispatch go on */
}

static int on_name_acquired(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        (void) error;

        uint32_t reply = 0;

        if (e) {
                log_error_errno(sd_bus_error_get_errno(e), "Failed to acquire %s: %s",
                                RESOURCE1_BUS_NAME, e->message);
                return sd_event_exit(c->event, EXIT_FAILURE);
        }
        /* 1 is DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER; sd-bus asks not to be queued. */
        if (sd_bus_message_read(m, "u", &reply) < 0 || reply != 1) {
                log_error_errno(EEXIST, "Failed to acquire %s: another instance owns it",
                                RESOURCE1_BUS_NAME);
                return sd_event_exit(c->event, EXIT_FAILURE);
        }
        log_info("Serving %s", RESOURCE1_BUS_NAME);
        return 0;
}

/* The system bus, without descriptor passing: the bus then refuses every
 * call that carries one, since closing a descriptor runs code its sender
 * chose. The *Pidfd methods take theirs through a gate (gates.c). */
static int open_system_bus(sd_bus **ret) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");

        int r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address ?: "unix:path=/run/dbus/system_bus_socket");
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_negotiate_fds(bus, false);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

/* Room for every descriptor the daemon may hold (each bounded where it is
 * taken: the gates' pidfds, targets, acting processes, workers), whatever
 * soft limit it was started with: the hard one. */
static void raise_nofile(void) {
        struct rlimit l;
        if (getrlimit(RLIMIT_NOFILE, &l) < 0 || l.rlim_cur >= l.rlim_max)
                return;
        l.rlim_cur = l.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &l) < 0)
                log_warning_errno(errno, "Failed to raise the soft NOFILE limit to %llu",
                                  (unsigned long long) l.rlim_max);
}

/* sd-bus's own word that the connection is gone (it synthesizes this signal
 * whatever the cause, and exits the loop after it): the log says what the
 * daemon can tell, how full its descriptor table was, since a full one
 * truncates what the bus sends (MSG_CTRUNC) and sd-bus then drops the bus. */
static int on_bus_lost(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct rlimit l = {};
        unsigned n = 0;
        (void) m, (void) userdata, (void) error;

        (void) getrlimit(RLIMIT_NOFILE, &l);
        DIR *d = opendir("/proc/self/fd");
        for (struct dirent *de; d && (de = readdir(d));)
                n += de->d_name[0] != '.';
        if (d)
                closedir(d);
        log_error_errno(ECONNRESET, "Lost the connection to the system bus (the bus closed it, or reading from it "
                        "failed) with %u of %llu descriptors open; exiting", n, (unsigned long long) l.rlim_cur);
        return 0;
}

/* Once the gate owns its name (or could not), the daemon asks for its own:
 * a client that sees the service sees both names. */
static void on_gates_ready(Context *c, bool ok) {
        (void) ok;
        int r = sd_bus_request_name_async(c->bus, NULL, RESOURCE1_BUS_NAME, 0, on_name_acquired, c);
        if (r < 0) {
                log_error_errno(r, "Failed to ask for the name %s", RESOURCE1_BUS_NAME);
                (void) sd_event_exit(c->event, EXIT_FAILURE);
        }
}

static void context_done(Context *c) {
        if (c->bus) {
                /* The gates first: their connections serve the manager's
                 * vtable, which manager_done() takes down. */
                gates_done(c);
                manager_done(c);
        }
        refusals_done(&c->refusals);
        change_rate_done(&c->rate);
        creds_cache_done(&c->creds);
        visibility_done(&c->visibility);
        sd_event_source_unref(c->idle_source);
        sd_bus_slot_unref(c->filter_slot);
        sd_bus_slot_unref(c->disconnect_slot);
        sd_bus_slot_unref(c->bus_lost_slot);
        sd_bus_slot_unref(c->vtable_slot);
        sd_bus_flush_close_unref(c->bus);
        sd_event_unref(c->event);
}

int main(int argc, char *argv[]) {
        _cleanup_(context_done) Context c = {
                .visibility.fd = -1,
                .appear.last_pid_fd = -1,
                .max_pending = 100,
                .max_pending_per_uid = 16,
                .polkit_timeout_usec = 20 * USEC_PER_SEC,
                .polkit_interactive_timeout_usec = 290 * USEC_PER_SEC,
        };
        sigset_t mask;
        int r;

        r = parse_argv(argc, argv, &c);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        /* Every signal that can be is blocked, before any thread exists:
         * SIGTERM and SIGINT arrive through sd-event's signalfd, SIGCHLD is
         * not needed (the acting processes are reaped through their pidfds),
         * and those processes inherit the mask (see act.c). Faults stay
         * deliverable. */
        static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS };
        sigfillset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(faults); i++)
                sigdelset(&mask, faults[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals"), EXIT_FAILURE;

        /* It forks: before any thread exists. */
        bool shared = act_setup();
        log_debug("The process acting for a caller will %s", shared ? "share the service's memory" : "be a fork");

        r = sd_bus_error_add_map(resource1_error_map);
        if (r < 0)
                return log_error_errno(r, "Failed to register error names"), EXIT_FAILURE;

        r = sd_event_default(&c.event);
        if (r < 0)
                return log_error_errno(r, "Failed to make the event loop"), EXIT_FAILURE;
        r = sd_event_add_signal(c.event, NULL, SIGTERM, on_signal, &c);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for SIGTERM"), EXIT_FAILURE;
        r = sd_event_add_signal(c.event, NULL, SIGINT, on_signal, &c);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for SIGINT"), EXIT_FAILURE;
        /* Under systemd with WatchdogSec=: a daemon that hangs is restarted. */
        r = sd_event_set_watchdog(c.event, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up systemd's watchdog"), EXIT_FAILURE;
        c.refusals.event = c.event;
        c.rate.event = c.event;

        r = visibility_attach(&c.visibility, c.event);
        if (r < 0)
                return log_error_errno(r, "Failed to read /proc's mount options"), EXIT_FAILURE;

        raise_nofile();
        r = open_system_bus(&c.bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus"), EXIT_FAILURE;

        r = sd_bus_attach_event(c.bus, c.event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop"), EXIT_FAILURE;
        /* The deadline of the calls the daemon makes without one of their
         * own, all asynchronous: the bus's word on a caller
         * (GetConnectionCredentials: creds-prefetch.c, gates.c) and its
         * name requests. A reply the bus dropped fails such a call after
         * this long, and the calls held for it are answered, rather than
         * after sd-bus's default of 25 s. polkit's checks keep deadlines
         * of their own. */
        r = sd_bus_set_method_call_timeout(c.bus, 2 * USEC_PER_SEC);
        if (r < 0)
                return log_error_errno(r, "Failed to set the bus's call timeout"), EXIT_FAILURE;
        r = sd_bus_match_signal(c.bus, &c.bus_lost_slot, "org.freedesktop.DBus.Local",
                                "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local", "Disconnected",
                                on_bus_lost, &c);
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(c.bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to make the bus's loss end the service"), EXIT_FAILURE;
        r = manager_attach(&c);
        if (r < 0)
                return log_error_errno(r, "Failed to serve the interface"), EXIT_FAILURE;
        r = sd_bus_add_filter(c.bus, &c.filter_slot, on_message, &c);
        if (r < 0)
                return log_error_errno(r, "Failed to watch calls for the idle timer"), EXIT_FAILURE;
        r = gates_start(&c, on_gates_ready);
        if (r < 0)
                return log_error_errno(r, "Failed to start the descriptor gate"), EXIT_FAILURE;

        c.last_activity = now_usec();
        if (c.idle_usec > 0) {
                r = sd_event_add_time(c.event, &c.idle_source, CLOCK_MONOTONIC,
                                      c.last_activity + c.idle_usec, 0, on_idle_timer, &c);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the idle timer"), EXIT_FAILURE;
        }

        r = sd_event_loop(c.event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed"), EXIT_FAILURE;
        if (r != 0)
                log_error("Exiting with status %d", r);
        return r;
}
