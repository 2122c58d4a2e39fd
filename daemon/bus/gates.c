/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's side of the gate processes (see gates.h and resource1d-gate.c). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "account.h"
#include "context.h"
#include "gate-protocol.h"
#include "gates.h"
#include "gates-fuse.h"
#include "log.h"
#include "manager.h"
#include "util.h"

#define USEC_PER_MSEC 1000ULL
/* How often the serving gate is pinged, and how long it may take to answer.
 * The heartbeat judges that, not sd-bus's call timeout: sd-bus runs a timeout
 * before it reads the socket, so a daemon whose own loop was held up past the
 * deadline (an ASan build takes 4 s to receive one 31 MB message; valgrind
 * reads late) blamed a gate whose answer was waiting unread. */
#define HEARTBEAT_USEC (2000 * USEC_PER_MSEC)
#define HEARTBEAT_TIMEOUT_USEC (5000 * USEC_PER_MSEC)
/* What the heartbeat reads of a late gate's connection before judging it: a
 * bound on work done outside the bus's own turn (each call ~90 us). Ahead of
 * the answer a gate has at most the 1024 calls it passes on at once (no
 * answer came to free one while the daemon was held up) and a few messages
 * of its own; twice that, since a round that only writes counts too. */
#define HEARTBEAT_DRAIN_MAX 2048
/* Gates started at most this often: each costs a fork and an exec, and a
 * caller can make one retire with a descriptor that is not a pidfd (and whose
 * close could wait). The retiring one serves on meanwhile. */
#define SPAWN_INTERVAL_USEC (50 * USEC_PER_MSEC)
/* The first gate's time to own its name before the daemon serves without. */
#define READY_TIMEOUT_USEC (5000 * USEC_PER_MSEC)

struct GateProc {
        Context *context;
        GateProc *prev, *next;
        pid_t pid;
        sd_event_source *child;    /* owns the process: freeing it kills it */
        sd_bus *bus;               /* the private connection; NULL once given up */
        sd_bus_slot *slots[5];     /* the interface's vtable, the gate's, the filters, Disconnected */
        sd_bus_slot *ping;
        uint64_t ping_sent;        /* CLOCK_MONOTONIC */
        sd_event_source *disconnect;   /* from the loop, not from within the bus's own dispatch */
        bool serving;              /* the one passing calls now */
        uid_t charged;             /* retired: the account whose descriptor it closes */
};

static void gate_disconnect(GateProc *g) {
        for (size_t i = 0; i < ELEMENTSOF(g->slots); i++)
                g->slots[i] = sd_bus_slot_unref(g->slots[i]);
        g->ping = sd_bus_slot_unref(g->ping);
        /* No flush: a gate that stopped reading would make it wait. */
        if (g->bus) {
                sd_bus_close(g->bus);
                g->bus = sd_bus_unref(g->bus);
        }
}

static int on_disconnect(sd_event_source *s, void *userdata) {
        GateProc *g = userdata;
        g->disconnect = sd_event_source_disable_unref(s);
        gate_disconnect(g);
        return 0;
}

static void gate_free(GateProc *g) {
        Context *c = g->context;
        LIST_REMOVE(c->gates, g);
        c->n_gates--;
        if (c->gate_serving == g)
                c->gate_serving = NULL;
        gate_disconnect(g);
        sd_event_source_disable_unref(g->disconnect);
        sd_event_source_unref(g->child);
        free(g);
}

static void ready_done(Context *c, bool ok) {
        void (*ready)(Context *c, bool ok) = c->gate_ready;
        c->gate_ready = NULL;
        c->gate_ready_timer = sd_event_source_disable_unref(c->gate_ready_timer);
        if (ready)
                ready(c, ok);
}

static void spawn_soon(Context *c);

/* The serving gate is no longer: a successor is started (which takes the
 * name over at once), this one kept until it exits. */
static void gate_replace(GateProc *g) {
        Context *c = g->context;
        if (!g->serving)
                return;
        g->serving = false;
        if (c->gate_serving == g)
                c->gate_serving = NULL;
        spawn_soon(c);
}

static int on_gate_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        GateProc *g = userdata;
        Context *c = g->context;
        (void) s;

        if (si->si_code != CLD_EXITED || si->si_status != 0 || g->serving)
                log_warning("Descriptor gate %d ended (%s %d)", (int) g->pid,
                            si->si_code == CLD_EXITED ? "status" : "signal", si->si_status);
        bool was_serving = g->serving;
        gate_free(g);
        if (was_serving || !c->gate_serving)
                spawn_soon(c);
        return 0;
}

/* The serving gate is gone from its post: a successor is started, and its
 * connection dropped from the loop (not inside its bus's dispatch). Whatever
 * it still holds it may never give back: its calls are answered by no one,
 * as they would be by a gate that died. */
static void gate_lost(GateProc *g, const char *why) {
        if (!g->serving)
                return;
        log_warning("Descriptor gate %d %s; replacing it (%u gate process%s live, at most %u)", (int) g->pid, why,
                    g->context->n_gates, g->context->n_gates == 1 ? "" : "es", GATES_MAX);
        gate_replace(g);
        if (!g->disconnect)
                (void) sd_event_add_defer(g->context->event, &g->disconnect, on_disconnect, g);
}

/* The gate closed its end: it ends, or its system bus connection failed (a
 * table filled with kept descriptors truncates what the bus sends) and it
 * waits in a close it cannot finish, holding no name. Either way, no owner of
 * the name is left until a successor takes it. */
static int on_gate_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) m, (void) error;
        gate_lost(userdata, "closed its connection to the daemon");
        return 0;
}

static int on_ping(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        GateProc *g = userdata;
        (void) m, (void) error;
        /* The ping has no timeout: an error is the connection's end, which
         * on_gate_disconnected reports. */
        g->ping = sd_bus_slot_unref(g->ping);
        return 0;
}

/* Whether the serving gate has left a ping unanswered past its deadline,
 * once what it has already sent is read. */
static bool ping_overdue(GateProc *g, uint64_t now) {
        if (!g->ping || now - g->ping_sent <= HEARTBEAT_TIMEOUT_USEC)
                return false;
        for (unsigned i = 0; g->ping && g->bus && i < HEARTBEAT_DRAIN_MAX; i++)
                if (sd_bus_process(g->bus, NULL) <= 0)
                        break;
        return g->ping && g->bus;
}

static int on_heartbeat(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;
        GateProc *g = c->gate_serving;
        uint64_t now = usec;

        (void) sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (g && ping_overdue(g, now))
                gate_lost(g, "stopped answering");
        g = c->gate_serving;
        if (g && g->bus && !g->ping) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                int r = sd_bus_message_new_method_call(g->bus, &m, NULL, "/", "org.freedesktop.DBus.Peer", "Ping");
                if (r >= 0)
                        r = sd_bus_call_async(g->bus, &g->ping, m, on_ping, g, UINT64_MAX);
                if (r < 0)
                        gate_lost(g, "cannot be pinged");
                else
                        g->ping_sent = now;
        }
        (void) sd_event_source_set_time(s, now + HEARTBEAT_USEC);
        return 0;
}

/* Only the gate's own calls carry no sender: those it passes on carry the
 * caller's. */
static bool from_gate_itself(sd_bus_message *m) {
        return sd_bus_message_get_sender(m) == NULL;
}

static int method_ready(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        GateProc *g = userdata;
        Context *c = g->context;

        int processfd = 0;

        if (!from_gate_itself(m))
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "only the gate says this");
        int r = sd_bus_message_read(m, "b", &processfd);
        if (r < 0)
                return r;
        /* The bus does not change its mind: once one gate was sent its
         * ProcessFD, pid 0 is pinned from the bus's pidfds only
         * (creds-prefetch.c), whatever a later gate says. */
        if (processfd && !c->bus_processfd) {
                c->bus_processfd = true;
                log_info("The bus offers callers' processes as pidfds (ProcessFD): pid 0 is pinned from them");
        }
        if (g->serving) {
                log_debug("Descriptor gate %d serves %s", (int) g->pid, RESOURCE1_PIDFD_BUS_NAME);
                ready_done(c, true);
        }
        return sd_bus_reply_method_return(m, NULL);
}

/* A gate's request for a successor, answered once the account of the caller
 * whose descriptor prompted it is known. */
typedef struct Retirement {
        Context *context;
        pid_t gate;
        sd_bus_message *request;
        char *sender, *why;
} Retirement;

static void retirement_free(void *userdata) {
        Retirement *t = userdata;
        sd_bus_message_unref(t->request);
        free(t->sender);
        free(t->why);
        free(t);
}

static GateProc *gate_by_pid(Context *c, pid_t pid) {
        for (GateProc *g = c->gates; g; g = g->next)
                if (g->pid == pid)
                        return g;
        return NULL;
}

static unsigned gates_charged_to(Context *c, uid_t account) {
        unsigned n = 0;
        for (GateProc *g = c->gates; g; g = g->next)
                n += !g->serving && g->charged == account;
        return n;
}

/* Each retired gate may stay for as long as the descriptor it closes makes
 * it: it is charged to the account whose descriptor that is, and an account
 * that has GATES_PER_ACCOUNT of them alive gets no more. Its gate then serves
 * on and keeps the descriptor unclosed, so that no account can take the
 * *Pidfd methods away from the others. */
static void retirement_decide(Retirement *t, uid_t uid, uid_t account) {
        Context *c = t->context;
        GateProc *g = gate_by_pid(c, t->gate);
        bool successor = false;

        if (g && g->serving && account != UID_INVALID && c->n_gates < GATES_MAX &&
            gates_charged_to(c, account) < GATES_PER_ACCOUNT) {
                g->charged = account;
                successor = true;
        }
        /* Any caller can make a gate retire as often as gates start: the
         * line is limited as refusals are, per account. */
        log_refusal(&c->refusals, account, LOG_WARNING,
                    "Caller %s (uid %d) passed %s; descriptor gate %d %s (%u gate process%s live, at most %u; "
                    "%u of them kept by this account, at most %u)",
                    t->sender, uid == UID_INVALID ? -1 : (int) uid, t->why, (int) t->gate,
                    successor ? "retires" : "serves on and keeps it unclosed", c->n_gates,
                    c->n_gates == 1 ? "" : "es", GATES_MAX, gates_charged_to(c, account), GATES_PER_ACCOUNT);
        if (successor)
                gate_replace(g);
        (void) sd_bus_reply_method_return(t->request, "b", successor);
}

static int on_retired_creds(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Retirement *t = userdata;
        uint32_t uid = UID_INVALID, pid = 0;
        const char *key;
        (void) error;

        int r = sd_bus_message_is_method_error(m, NULL) ? -EIO : sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read_basic(m, 's', &key);
                if (r >= 0 && strcmp(key, "UnixUserID") == 0)
                        r = sd_bus_message_read(m, "v", "u", &uid);
                else if (r >= 0 && strcmp(key, "ProcessID") == 0)
                        r = sd_bus_message_read(m, "v", "u", &pid);
                else if (r >= 0)
                        r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        /* Unknown (the caller left): charged to nobody, so no successor. */
        uid_t account = r >= 0 && uid != UID_INVALID ? account_of((uid_t) uid, (pid_t) pid) : UID_INVALID;
        retirement_decide(t, (uid_t) uid, account);
        return 0;   /* freed by the slot's destroy callback */
}

static int method_retiring(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        GateProc *g = userdata;
        Context *c = g->context;
        const char *sender, *why;
        sd_bus_slot *slot = NULL;

        if (!from_gate_itself(m))
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "only the gate says this");
        int r = sd_bus_message_read(m, "ss", &sender, &why);
        if (r < 0)
                return r;

        Retirement *t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        *t = (Retirement) { .context = c, .gate = g->pid, .request = sd_bus_message_ref(m),
                            .sender = strdup(sender), .why = strdup(why) };
        if (!t->sender || !t->why) {
                retirement_free(t);
                return -ENOMEM;
        }
        CredsEntry *e = creds_cache_find(&c->creds, sender);
        if (e) {
                retirement_decide(t, e->uid, account_of(e->uid, e->pid));
                retirement_free(t);
                return 1;
        }
        /* The gate answered the call itself: the daemon may never have heard
         * of this caller. Asked, not waited for. */
        r = gates_ask_credentials(c, sender, 0, on_retired_creds, t, &slot);
        if (r < 0) {
                retirement_decide(t, UID_INVALID, UID_INVALID);
                retirement_free(t);
                return 1;
        }
        /* Owned by the bus from here: freed with the answer, or with the bus
         * at exit. */
        (void) sd_bus_slot_set_destroy_callback(slot, retirement_free);
        (void) sd_bus_slot_set_floating(slot, true);
        sd_bus_slot_unref(slot);
        return 1;
}

static int method_abort_fuse(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        GateProc *g = userdata;
        if (!from_gate_itself(m))
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "only the gate says this");
        return gates_fuse_abort(g->context, m);
}

/* The gate's system bus connection failed: it owns the name no more, and
 * stays only while FUSE files it closes may have their connection aborted
 * (resource1d-gate.c's on_bus_lost()). A successor takes the name now. */
static int method_lost(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        GateProc *g = userdata;
        if (!from_gate_itself(m))
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "only the gate says this");
        if (g->serving)
                log_warning("Descriptor gate %d lost its system bus connection; replacing it (%u gate process%s "
                            "live, at most %u)", (int) g->pid, g->context->n_gates,
                            g->context->n_gates == 1 ? "" : "es", GATES_MAX);
        gate_replace(g);
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable gate_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Ready", SD_BUS_ARGS("b", processfd), SD_BUS_NO_RESULT, method_ready, 0),
        SD_BUS_METHOD_WITH_ARGS("Retiring", SD_BUS_ARGS("s", sender, "s", why), SD_BUS_RESULT("b", successor),
                                method_retiring, 0),
        SD_BUS_METHOD_WITH_ARGS("AbortFuse", SD_BUS_ARGS("s", sender, "u", connection, "h", file),
                                SD_BUS_RESULT("b", aborted),
                                method_abort_fuse, 0),
        SD_BUS_METHOD_WITH_ARGS("Lost", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_lost, 0),
        SD_BUS_VTABLE_END
};

/* The gate's program: beside the daemon's own (both in libexecdir, both in
 * the build tree's daemon/). */
static int gate_program(char **ret) {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n < 0)
                return -errno;
        self[n] = '\0';
        char *path;
        if (asprintf(&path, "%s/resource1d-gate", dirname(self)) < 0)
                return -ENOMEM;
        *ret = path;
        return 0;
}

/* Forked from a process with threads: only async-signal-safe calls until
 * exec. */
static pid_t fork_gate(const char *program, int fd) {
        pid_t pid = fork();
        if (pid != 0)
                return pid;
        if (fd == GATE_DAEMON_FD)
                (void) fcntl(fd, F_SETFD, 0);
        else if (dup2(fd, GATE_DAEMON_FD) < 0)
                _exit(127);
        (void) syscall(SYS_close_range, GATE_DAEMON_FD + 1, ~0U, 0);
        execl(program, program, GATE_DAEMON_FD_OPTION, (char *) NULL);
        _exit(127);
}

/* Calls through a gate keep the daemon from exiting for idleness too. */
static int on_gate_call(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        (void) error;
        if (!from_gate_itself(m))
                c->last_activity = now_usec();
        return 0;
}

static int gate_connect(GateProc *g, int fd) {
        Context *c = g->context;
        sd_id128_t id;

        int r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_new(&g->bus);
        if (r >= 0)
                r = sd_bus_set_fd(g->bus, fd, fd);
        if (r >= 0)
                r = sd_bus_set_server(g->bus, true, id);
        /* Only pidfds come this way: the gate checked each. */
        if (r >= 0)
                r = sd_bus_negotiate_fds(g->bus, true);
        if (r >= 0)
                r = sd_bus_attach_event(g->bus, c->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_start(g->bus);
        if (r >= 0)
                r = manager_serve(c, g->bus, &g->slots[0], &g->slots[1]);
        if (r >= 0)
                r = sd_bus_add_object_vtable(g->bus, &g->slots[2], GATE_PATH, GATE_INTERFACE, gate_vtable, g);
        if (r >= 0)
                r = sd_bus_add_filter(g->bus, &g->slots[3], on_gate_call, c);
        if (r >= 0)
                r = sd_bus_match_signal(g->bus, &g->slots[4], NULL, "/org/freedesktop/DBus/Local",
                                        "org.freedesktop.DBus.Local", "Disconnected", on_gate_disconnected, g);
        return r;
}

static int gate_spawn(Context *c) {
        _cleanup_close_ int ours = -1, theirs = -1;
        int pair[2];

        if (c->n_gates >= GATES_MAX) {
                log_error_errno(EBUSY, "Not starting a descriptor gate: %u gate processes still close descriptors "
                                "callers passed (the log above names them); the *Pidfd methods are unavailable "
                                "until one ends", c->n_gates);
                return -EBUSY;
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                return log_error_errno(errno, "Failed to make a descriptor gate's connection");
        ours = pair[0];
        theirs = pair[1];

        GateProc *g = calloc(1, sizeof *g);
        if (!g)
                return -ENOMEM;
        g->context = c;
        g->charged = UID_INVALID;
        LIST_PREPEND(c->gates, g);
        c->n_gates++;

        g->pid = fork_gate(c->gate_program, theirs);
        if (g->pid < 0) {
                int r = -errno;
                gate_free(g);
                return log_error_errno(r, "Failed to start a descriptor gate");
        }
        theirs = safe_close(theirs);
        int r = sd_event_add_child(c->event, &g->child, g->pid, WEXITED, on_gate_exit, g);
        if (r >= 0)
                r = sd_event_source_set_child_process_own(g->child, true);
        if (r >= 0)
                r = gate_connect(g, ours);
        if (r < 0) {
                if (!g->bus)
                        (void) close(ours);
                ours = -1;
                if (!g->child)
                        (void) kill(g->pid, SIGKILL);
                gate_free(g);
                return log_error_errno(r, "Failed to start a descriptor gate");
        }
        ours = -1;   /* the connection has it */
        g->serving = true;
        c->gate_serving = g;
        c->gate_last_spawn = now_usec();
        log_debug("Started descriptor gate %d", (int) g->pid);
        return 0;
}

static int on_spawn_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;
        (void) s, (void) usec;
        if (!c->gate_serving && gate_spawn(c) < 0 && c->gate_ready)
                ready_done(c, false);
        return 0;
}

static void spawn_soon(Context *c) {
        uint64_t at = c->gate_last_spawn + SPAWN_INTERVAL_USEC;
        if (c->gate_serving || c->exiting)
                return;
        (void) sd_event_source_set_time(c->gate_spawn_timer, at > now_usec() ? at : 1);
        (void) sd_event_source_set_enabled(c->gate_spawn_timer, SD_EVENT_ONESHOT);
}

static int on_ready_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;
        (void) s, (void) usec;
        log_error_errno(ETIMEDOUT, "The descriptor gate did not take %s; serving without it (the *Pidfd methods "
                        "are unavailable)", RESOURCE1_PIDFD_BUS_NAME);
        ready_done(c, false);
        return 0;
}

int gates_ask_credentials(Context *c, const char *sender, uint64_t timeout_usec, sd_bus_message_handler_t callback,
                          void *userdata, sd_bus_slot **ret_slot) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        if (!c->bus_processfd) {
                r = sd_bus_message_new_method_call(c->bus, &m, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                   "org.freedesktop.DBus", "GetConnectionCredentials");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", sender);
                return r < 0 ? r : sd_bus_call_async(c->bus, ret_slot, m, callback, userdata, timeout_usec);
        }

        /* Between a gate's retirement and its successor's start, the
         * retiring one still has its bus connection. */
        GateProc *g = c->gate_serving && c->gate_serving->bus ? c->gate_serving : NULL;
        for (GateProc *i = c->gates; !g && i; i = i->next)
                if (i->bus)
                        g = i;
        if (!g)
                return -ENOTCONN;
        r = sd_bus_message_new_method_call(g->bus, &m, NULL, GATE_PATH, GATE_INTERFACE, "Credentials");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", sender);
        return r < 0 ? r : sd_bus_call_async(g->bus, ret_slot, m, callback, userdata, timeout_usec);
}

int gates_start(Context *c, void (*ready)(Context *c, bool ok)) {
        c->ask_credentials = gates_ask_credentials;
        int r = gate_program(&c->gate_program);
        if (r < 0)
                return log_error_errno(r, "Failed to find the descriptor gate's program");
        c->gate_ready = ready;
        r = sd_event_add_time(c->event, &c->gate_spawn_timer, CLOCK_MONOTONIC, 1, 0, on_spawn_timer, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->gate_spawn_timer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time_relative(c->event, &c->gate_heartbeat, CLOCK_MONOTONIC, HEARTBEAT_USEC, 0,
                                               on_heartbeat, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->gate_heartbeat, SD_EVENT_ON);
        if (r >= 0)
                r = sd_event_add_time_relative(c->event, &c->gate_ready_timer, CLOCK_MONOTONIC, READY_TIMEOUT_USEC,
                                               0, on_ready_timeout, c);
        if (r < 0)
                return r;
        if (gate_spawn(c) < 0)
                ready_done(c, false);
        return 0;
}

void gates_done(Context *c) {
        c->exiting = true;
        gates_fuse_done(c);
        while (c->gates)
                gate_free(c->gates);
        c->gate_spawn_timer = sd_event_source_disable_unref(c->gate_spawn_timer);
        c->gate_heartbeat = sd_event_source_disable_unref(c->gate_heartbeat);
        c->gate_ready_timer = sd_event_source_disable_unref(c->gate_ready_timer);
        free(c->gate_program);
        c->gate_program = NULL;
}
