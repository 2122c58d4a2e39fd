/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1d-gate: the only process of the service that takes callers'
 * descriptors.
 *
 * Closing a descriptor runs code its sender chose: a FUSE file sends a flush
 * at every close (and at exit) that its server may never answer, leaving the
 * closing task in D state; a socket with SO_LINGER waits on its last close;
 * a pipe's close takes its mutex, which a writer may hold for good; and the
 * last close of any file, a pidfd too, takes the mutex of every epoll set
 * that watches it, which a caller's thread may hold for good. So
 * resource1d's own bus connection does not negotiate descriptor passing (the
 * bus then refuses every descriptor-carrying call to it), and the five
 * *Pidfd methods are served at a second name, RESOURCE1_PIDFD_BUS_NAME, by
 * this process: resource1d starts it with one end of a private connection
 * (descriptor 3), it owns that name, checks each call's one descriptor is a
 * pidfd in constant time, opens a pidfd of that process itself and forwards
 * the call with that one to resource1d, whose answer it passes back. It
 * holds no privilege and nothing of the daemon's.
 *
 * Every descriptor of a caller's that reaches this process, in any message,
 * named by the call or not (gate-sweep.c), the pidfd too, is closed on a
 * closer thread, never on its loop; a call with one that is not a pidfd is
 * answered InvalidArgs, and a FUSE file's connection is aborted only if its
 * close waits (gate-close.c). A close that waits for good (no abort
 * possible or granted), or a descriptor no closer can take, makes the gate
 * retire: it keeps the message (or leaves it to the waiting closer) and asks
 * resource1d for a successor, which takes the name over at once; then it
 * finishes the calls it forwarded, closes its bus connections, and only then
 * lets the kept messages go, which may leave it waiting in D state for as
 * long as the sender likes: holding no bus name, no call of anyone else,
 * nothing of the daemon's. Given no successor (the sender's account keeps
 * enough retired gates alive already, or the service has all it may:
 * gates.h), it serves on and keeps such descriptors unclosed. Should a gate
 * stop answering all the same, the daemon's heartbeat notices and replaces
 * it (the name allows replacement).
 *
 * It also asks the bus, for the daemon, the one thing only a connection
 * that negotiated descriptor passing is told: a caller's connection's
 * process as a pidfd (gate-processfd.c). */
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

#include "call-size.h"
#include "gate.h"
#include "gate-close.h"
#include "gate-processfd.h"
#include "gate-protocol.h"
#include "gate-sweep.h"
#include "log.h"
#include "pidfd-kind.h"
#include "resource1-bus.h"
#include "util.h"

/* Calls forwarded and not yet answered, each holding its pidfd: in all, and
 * from one connection. Past these the call is refused (its pidfd, checked,
 * is closed at once). */
#define FORWARD_MAX 1024u
#define FORWARD_PER_SENDER_MAX 32u
/* Longer than the daemon's longest answer (a polkit check that may ask for a
 * password, 290 s by default): the daemon always answers first. */
#define FORWARD_TIMEOUT_USEC (330ULL * 1000000ULL)
/* How long a gate that lost its name still serves: a client that addresses
 * the owner's unique name (GDBus proxies do) may not have seen the change. */
#define GRACE_USEC (1000000ULL)

typedef struct Forward {
        Gate *gate;
        struct Forward *prev, *next;
        sd_bus_message *call;      /* answer_by()'s: no descriptor */
        sd_bus_slot *slot;
} Forward;


/* The five methods' arguments, as resource1d's vtable has them: what the
 * size check (call-size.c) reads a call by. No handler: sd-bus never sees
 * this table. */
static const sd_bus_vtable pidfd_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("PrlimitPidfd",
                                SD_BUS_ARGS("h", pidfd, "s", resource, "b", set, "t", soft, "t", hard),
                                SD_BUS_RESULT("t", soft, "t", hard), NULL, 0),
        SD_BUS_METHOD_WITH_ARGS("ListRlimitsPidfd", SD_BUS_ARGS("h", pidfd), SD_BUS_RESULT("a(stt)", limits),
                                NULL, 0),
        SD_BUS_METHOD_WITH_ARGS("GetRusagePidfd", SD_BUS_ARGS("h", pidfd, "s", who),
                                SD_BUS_RESULT("a{sv}", usage), NULL, 0),
        SD_BUS_METHOD_WITH_ARGS("SetRlimitsPidfd", SD_BUS_ARGS("h", pidfd, "a(stt)", limits),
                                SD_BUS_RESULT("a(stt)", old), NULL, 0),
        SD_BUS_METHOD_WITH_ARGS("CanSetRlimitsPidfd", SD_BUS_ARGS("h", pidfd, "a(stt)", limits),
                                SD_BUS_RESULT("s", answer, "a(sss)", per_limit), NULL, 0),
        SD_BUS_VTABLE_END
};

/* The interface's signature of m's method, or NULL when m is none of the
 * five. */
static const char *pidfd_signature(sd_bus_message *m) {
        for (const sd_bus_vtable *v = pidfd_vtable; v->type != _SD_BUS_VTABLE_END; v++)
                if (v->type == _SD_BUS_VTABLE_METHOD &&
                    sd_bus_message_is_method_call(m, RESOURCE1_INTERFACE, v->x.method.member))
                        return v->x.method.signature;
        return NULL;
}

/* fds, m's descriptors of its sender's (gate-sweep.h), closed on closers;
 * m answered InvalidArgs with error_text (unless NULL) once they are; kept
 * if that cannot be. */
static void take_fds(Gate *g, sd_bus_message *m, const int *fds, size_t n, const char *error_text) {
        if (gate_close_take(g, m, fds, n, error_text))
                return;
        for (size_t i = 0; i < n; i++)
                (void) gate_close_keep_fd(&g->closes, fds[i]);
        if (error_text)
                gate_hold(g, m, "a descriptor it could not close off its loop", error_text);
        else if (gate_keep(g, m) < 0)
                sd_bus_message_ref(m);   /* leaked: never closed on the loop */
}

/* Every descriptor number in m, read back, in ret's count (m sealed). */
static int message_fds(sd_bus_message *m, FdBits *f, bool own) {
        char type;
        const char *contents;
        int r;

        while ((r = sd_bus_message_peek_type(m, &type, &contents)) > 0) {
                if (type == 'h') {
                        int fd;
                        r = sd_bus_message_read_basic(m, 'h', &fd);
                        if (r >= 0 && own)
                                r = fd_bits_set(f, fd);
                        else if (r >= 0)
                                fd_bits_clear(f, fd);
                } else if (strchr("arev", type)) {
                        r = sd_bus_message_enter_container(m, type, contents);
                        if (r >= 0)
                                r = message_fds(m, f, own);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(m);
                } else
                        r = sd_bus_message_skip(m, (char[]) { type, 0 });
                if (r < 0)
                        return r;
        }
        return r;
}

static int message_fds_all(sd_bus_message *m, FdBits *f, bool own) {
        int r = sd_bus_message_rewind(m, true);
        return r < 0 ? r : message_fds(m, f, own);
}

/* Appends a reference to m to *array (n used, *max room): 0, or -ENOMEM. */
static int messages_append(sd_bus_message ***array, size_t *n, size_t *max, sd_bus_message *m) {
        if (*n == *max) {
                size_t k = *max ? *max * 2 : 16;
                sd_bus_message **more = reallocarray(*array, k, sizeof *more);
                if (!more)
                        return -ENOMEM;
                *array = more;
                *max = k;
        }
        (*array)[(*n)++] = sd_bus_message_ref(m);
        return 0;
}

/* Whether nothing queued to the daemon waits to be written: then the
 * copies in what was held are the daemon's, and are let go (closed here:
 * files the gate made). */
static bool outgoing_written(Gate *g) {
        uint64_t queued = 1;
        if (!g->daemon || sd_bus_get_n_queued_write(g->daemon, &queued) < 0 || queued > 0)
                return false;
        for (size_t i = 0; i < g->n_outgoing; i++) {
                (void) message_fds_all(g->outgoing[i], &g->own, false);
                sd_bus_message_unref(g->outgoing[i]);
        }
        g->n_outgoing = 0;
        return true;
}

int gate_outgoing(Gate *g, sd_bus_message *m) {
        /* The copies sd-bus made of the gate's descriptors, in m until it is
         * written and let go: the gate's, not a caller's to be swept. Once
         * nothing waits to be written, m is (and those before it): then it
         * need not be held, nor they any longer. */
        if (outgoing_written(g))
                return 0;
        int r = messages_append(&g->outgoing, &g->n_outgoing, &g->n_outgoing_max, m);
        return r < 0 ? r : message_fds_all(m, &g->own, true);
}

static void forward_free(Forward *f) {
        Gate *g = f->gate;
        LIST_REMOVE(g->forwards, f);
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
        if (g->answer && !g->bus_lost)
                (void) sd_bus_send(g->bus, g->answer, NULL);
        g->answer = sd_bus_message_unref(g->answer);
        /* Flushed only if it ever ran: one that lost its bus, or never got
         * its name, has nothing to flush. */
        g->bus = g->bus_lost || sd_bus_is_ready(g->bus) <= 0 ? sd_bus_close_unref(g->bus) :
                sd_bus_flush_close_unref(g->bus);
        gate_closes_end(&g->closes);
        g->daemon = sd_bus_flush_close_unref(g->daemon);
        for (size_t i = 0; i < g->n_held; i++)
                sd_bus_message_unref(g->held[i]);
        free(g->held);
        g->held = NULL;
        g->n_held = g->n_held_max = 0;
        gate_closes_clear(&g->closes);
        (void) sd_event_exit(g->event, 0);
}

void gate_maybe_finish(Gate *g) {
        if (g->daemon && g->retiring && g->released && g->lingered && g->n_forwards == 0 &&
            gate_closes_settled(&g->closes))
                gate_finish(g);
}

static int on_retiring_answer(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Gate *g = userdata;
        int successor = 0;
        (void) ret_error;

        g->asking = false;
        if (!sd_bus_message_is_method_error(reply, NULL))
                (void) sd_bus_message_read_basic(reply, 'b', &successor);
        if (!successor) {
                free(g->refused[g->next_refused]);
                g->refused[g->next_refused] = TAKE_PTR(g->asked_for);
                g->next_refused = (g->next_refused + 1) % ELEMENTSOF(g->refused);
        }
        g->asked_for = mfree(g->asked_for);
        if (g->answer)
                (void) sd_bus_send(g->bus, g->answer, NULL);
        g->answer = sd_bus_message_unref(g->answer);
        /* No successor (the caller's account keeps enough gates busy
         * already, or all are): this gate serves on, keeping what it holds,
         * and asks again at the next such descriptor. */
        g->retiring = successor;
        return 0;
}

/* Asks the daemon for a successor, which takes the name over at once (this
 * gate allows replacement): no moment without an owner. Until NameLost says
 * it happened, this gate goes on serving; the calls the bus routed here
 * before the move it still passes on. The daemon may refuse (it charges each
 * retired gate to the account whose descriptor made it retire): then this
 * gate keeps serving, and keeps every such descriptor unclosed. The caller's
 * error answer is sent once the daemon has answered: the daemon asks the bus
 * whose connection the caller's is, and one that has its answer and is gone
 * is nobody's (charged to nobody, so no successor). */
void gate_retire(Gate *g, const char *sender, const char *why, sd_bus_message *answer) {
        if (g->retiring || g->asking || !sender)
                goto answer_now;
        /* Its account keeps enough gates busy already: a round trip per
         * descriptor would only be the caller's work on the daemon's loop. */
        for (size_t i = 0; i < ELEMENTSOF(g->refused); i++)
                if (g->refused[i] && strcmp(g->refused[i], sender) == 0)
                        goto answer_now;
        /* The daemon logs it, limited per caller. */
        g->asked_for = strdup(sender);
        int r = g->asked_for ? sd_bus_call_method_async(g->daemon, NULL, NULL, GATE_PATH, GATE_INTERFACE,
                                                        "Retiring", on_retiring_answer, g, "ss", sender, why)
                             : -ENOMEM;
        if (r >= 0) {
                g->asking = true;
                g->answer = sd_bus_message_ref(answer);
                return;
        }
        g->asked_for = mfree(g->asked_for);
answer_now:
        if (answer)
                (void) sd_bus_send(g->bus, answer, NULL);
}

/* Keeps m, whose descriptor must not be closed while this process serves:
 * however many, as long as it serves (the table's limit is the bound; past
 * it the bus connection fails, the name going with it: the gate tells the
 * daemon, which starts a successor, and ends once its closes are
 * settled, on_bus_lost()). */
int gate_keep(Gate *g, sd_bus_message *m) {
        return messages_append(&g->held, &g->n_held, &g->n_held_max, m);
}

void gate_hold(Gate *g, sd_bus_message *m, const char *why, const char *error_text) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *answer = NULL;

        if (sd_bus_message_new_method_errorf(m, &answer, SD_BUS_ERROR_INVALID_ARGS, "%s", error_text) < 0)
                answer = NULL;
        if (gate_keep(g, m) < 0) {
                /* Nothing can be kept: stop serving, so that the close
                 * below waits in a gate that holds no name. */
                if (answer)
                        (void) sd_bus_send(g->bus, answer, NULL);
                g->released = g->retiring = true;
                gate_finish(g);
                return;
        }
        if (answer)
                gate_retire(g, sd_bus_message_get_sender(m), why, answer);
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
        gate_maybe_finish(g);
        return 0;
}

/* What m is answered by: its sender, cookie and whether it wants an answer,
 * and none of its descriptors. Holding m itself until the daemon answered
 * held a number per call (a closer's placeholder, gate-close.c), and with
 * 1024 calls in progress each message's sweep of the table listed them all
 * (0.6 ms): one user's flood of calls each with its own pidfd outpaced the
 * gate, and the bus refused everyone's calls to it, "destination has a full
 * message queue" (the ninth attack). */
static int answer_by(Gate *g, sd_bus_message *m, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *h = NULL;
        uint64_t cookie;

        int r = sd_bus_message_get_cookie(m, &cookie);
        if (r >= 0)
                r = sd_bus_message_new_method_call(g->bus, &h, NULL, sd_bus_message_get_path(m),
                                                   sd_bus_message_get_interface(m), sd_bus_message_get_member(m));
        if (r >= 0)
                r = sd_bus_message_set_sender(h, sd_bus_message_get_sender(m));
        if (r >= 0)
                r = sd_bus_message_set_expect_reply(h, sd_bus_message_get_expect_reply(m));
        if (r >= 0)
                r = sd_bus_message_seal(h, cookie, 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(h);
        return 0;
}

/* The call, with its sender (which the bus vouched for), to the daemon with
 * the gate's own pidfd of the caller's process (pidfd_reopen()) in place of
 * the caller's, which its closer closes: the daemon never has a file of a
 * caller's. */
static int forward(Gate *g, sd_bus_message *m, int pidfd) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *copy = NULL;
        Forward *f;
        int fd, r;

        r = sd_bus_message_new_method_call(g->daemon, &copy, NULL, sd_bus_message_get_path(m),
                                           sd_bus_message_get_interface(m), sd_bus_message_get_member(m));
        if (r >= 0)
                r = sd_bus_message_set_sender(copy, sd_bus_message_get_sender(m));
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(
                        copy, sd_bus_message_get_allow_interactive_authorization(m));
        if (r >= 0)
                r = sd_bus_message_append_basic(copy, 'h', &pidfd);
        if (r >= 0)
                r = sd_bus_message_rewind(m, true);
        if (r >= 0)
                r = sd_bus_message_read_basic(m, 'h', &fd);
        if (r >= 0)
                r = sd_bus_message_copy(copy, m, true);
        if (r < 0)
                return r;

        f = calloc(1, sizeof *f);
        if (!f)
                return -ENOMEM;
        r = answer_by(g, m, &f->call);
        if (r < 0) {
                free(f);
                return r;
        }
        r = sd_bus_call_async(g->daemon, &f->slot, copy, on_answer, f, FORWARD_TIMEOUT_USEC);
        if (r >= 0)
                r = gate_outgoing(g, copy);
        if (r < 0) {
                f->slot = sd_bus_slot_unref(f->slot);
                sd_bus_message_unref(f->call);
                free(f);
                return r;
        }
        f->gate = g;
        LIST_PREPEND(g->forwards, f);
        g->n_forwards++;
        return 0;
}

/* Whether m is the bus's own (its driver's, or sd-bus's local ones): none
 * carries a descriptor of a caller's. */
static bool from_bus(sd_bus_message *m) {
        const char *sender = sd_bus_message_get_sender(m);
        return !sender || strcmp(sender, "org.freedesktop.DBus") == 0 ||
                strcmp(sender, "org.freedesktop.DBus.Local") == 0;
}

/* A *Pidfd call whose descriptors (fds, all of them its sender's) are taken
 * care of: its named pidfd reopened and the call passed on, or answered. */
static void pidfd_call(Gate *g, sd_bus_message *m, const char *want, const int *fds, size_t n) {
        const char *sender = sd_bus_message_get_sender(m);
        char text[200];
        int fd = -1, r;

        /* The bus policy lets a call here carry at most one descriptor; a
         * call of another signature, or whose argument's index is past
         * those it carries, names none. */
        if (strcmp(sd_bus_message_get_signature(m, true) ?: "", want) != 0) {
                snprintf(text, sizeof text, "%s takes (%s), the first a pidfd it carries; this call has (%s)",
                         sd_bus_message_get_member(m), want, sd_bus_message_get_signature(m, true) ?: "");
                take_fds(g, m, fds, n, text);
                return;
        }
        if (sd_bus_message_read_basic(m, 'h', &fd) < 0) {
                take_fds(g, m, fds, n, "no file descriptor was passed with the call at the pidfd argument's "
                         "index (an index into those the message carries)");
                return;
        }
        r = fd_is_pidfd(fd);
        if (r == 0) {
                take_fds(g, m, fds, n, NOT_A_PIDFD);
                return;
        }
        _cleanup_close_ int own = r > 0 ? pidfd_reopen(fd) : r;
        /* The caller's descriptors are closed off the loop whatever comes
         * next; the answer is the daemon's, or one of those below. */
        take_fds(g, m, fds, n, NULL);
        if (own < 0) {
                (void) sd_bus_reply_method_errorf(m, own == -ESRCH ? RESOURCE1_ERROR_NO_SUCH_PROCESS : SD_BUS_ERROR_FAILED,
                                                  "the pidfd's process: %s", own == -ESRCH ? "no such process" :
                                                  strerror(-own));
                return;
        }
        /* A call too large for any valid one is answered here, before
         * copying it would read all of it on this loop (a 31 MB batch cost
         * 460 ms, a 31 MB name 140). */
        if (call_size_check(m, RESOURCE1_PATH, RESOURCE1_INTERFACE, pidfd_vtable) > 0)
                return;
        if (g->n_forwards >= FORWARD_MAX || forwards_of(g, sender) >= FORWARD_PER_SENDER_MAX) {
                (void) sd_bus_reply_method_errorf(m, RESOURCE1_ERROR_LIMITS_EXCEEDED,
                                                  "too many calls with descriptors are in progress%s; try again",
                                                  g->n_forwards >= FORWARD_MAX ? "" : " from this connection");
                return;
        }
        r = forward(g, m, own);
        if (r < 0)
                (void) sd_bus_reply_method_errnof(m, r, "the service's gate could not pass the call on: %m");
}

/* Every message reaches this filter first (nothing else is registered, and
 * replies to the gate's own calls come from the bus): whatever descriptors
 * of its sender's it carries, named or not, and whatever it is (a call
 * before this gate owns its name or after it gave it away, to which the bus
 * policy does not apply; a unicast signal), go to closers (gate-sweep.h). */
static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Gate *g = userdata;
        _cleanup_free_ int *fds = NULL;
        (void) error;

        if (from_bus(m))
                return 0;
        (void) outgoing_written(g);
        int n = gate_sweep(g, &fds);
        if (n < 0) {
                /* The table could not be listed: nothing of m's is closed
                 * here. */
                if (gate_keep(g, m) < 0)
                        sd_bus_message_ref(m);   /* leaked */
                if (sd_bus_message_is_method_call(m, NULL, NULL))
                        (void) sd_bus_reply_method_errnof(m, n, "the service's gate could not take the call: %m");
                return 1;
        }

        const char *want = pidfd_signature(m);
        if (want) {
                pidfd_call(g, m, want, fds, (size_t) n);
                return 1;
        }
        take_fds(g, m, fds, (size_t) n, NULL);
        if (!sd_bus_message_is_method_call(m, NULL, NULL))
                return 1;   /* a signal, or a reply nobody asked for */
        /* Peer's Ping and GetMachineId, Properties and Introspect sd-bus
         * answers itself. */
        if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Peer", NULL) ||
            sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", NULL) ||
            sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Introspectable", NULL))
                return 0;
        (void) sd_bus_reply_method_errorf(m, SD_BUS_ERROR_UNKNOWN_METHOD,
                                          "%s serves the *Pidfd methods of %s only; call %s at %s",
                                          RESOURCE1_PIDFD_BUS_NAME, RESOURCE1_INTERFACE,
                                          sd_bus_message_get_member(m) ?: "it", RESOURCE1_BUS_NAME);
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
        /* Ready, once the bus said whether it sends ProcessFD. */
        return gate_processfd_ready(g);
}

static int on_grace_over(sd_event_source *s, uint64_t usec, void *userdata) {
        Gate *g = userdata;
        (void) s, (void) usec;
        g->lingered = true;
        gate_maybe_finish(g);
        return 0;
}

/* The successor took the name: after a retirement, or because the daemon
 * found this gate not answering. */
static int on_name_lost(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Gate *g = userdata;
        const char *name;
        const char *sender = sd_bus_message_get_sender(m);
        (void) error;

        /* A match rule is not a filter: only the bus itself says this. */
        if (!sender || strcmp(sender, "org.freedesktop.DBus") != 0 ||
            sd_bus_message_read_basic(m, 's', &name) < 0 || strcmp(name, RESOURCE1_PIDFD_BUS_NAME) != 0)
                return 0;
        g->retiring = g->released = true;
        if (sd_event_add_time_relative(g->event, NULL, CLOCK_MONOTONIC, GRACE_USEC, 0, on_grace_over, g) < 0)
                g->lingered = true;
        gate_maybe_finish(g);
        return 0;
}

/* The system bus connection failed (a table filled with kept descriptors
 * truncates what the bus sends): the name is gone with it. The daemon is
 * told, so that a successor takes the name at once, while this gate stays
 * for as long as closes it runs may still return (at most a deadline and
 * an abort), then ends as a retired one. */
static int on_bus_lost(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Gate *g = userdata;
        (void) m, (void) error;

        if (g->bus_lost)
                return 0;
        g->bus_lost = g->retiring = g->released = g->lingered = true;
        /* Their answers could go nowhere. */
        while (g->forwards)
                forward_free(g->forwards);
        g->answer = sd_bus_message_unref(g->answer);
        if (g->daemon)
                (void) sd_bus_call_method_async(g->daemon, NULL, NULL, GATE_PATH, GATE_INTERFACE, "Lost", NULL,
                                                NULL, "");
        gate_maybe_finish(g);
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
        /* A gate whose bus connection failed owns its name no more: it
         * ends, once its closes allow (on_bus_lost()). */
        if (r >= 0)
                r = sd_bus_match_signal_async(g->bus, NULL, NULL, "/org/freedesktop/DBus/Local",
                                              "org.freedesktop.DBus.Local", "Disconnected", on_bus_lost, NULL, g);
        if (r >= 0)
                r = sd_bus_add_filter(g->bus, NULL, on_message, g);
        if (r >= 0)
                r = sd_bus_match_signal_async(g->bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                              "org.freedesktop.DBus", "NameLost", on_name_lost, NULL, g);
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
        if (r >= 0)
                r = gate_processfd_serve(g);
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
        for (size_t i = 0; i < g->n_held; i++)
                sd_bus_message_unref(g->held[i]);
        free(g->held);
        gate_closes_clear(&g->closes);
        free(g->asked_for);
        sd_bus_message_unref(g->answer);
        for (size_t i = 0; i < ELEMENTSOF(g->refused); i++)
                free(g->refused[i]);
        for (size_t i = 0; i < g->n_outgoing; i++)
                sd_bus_message_unref(g->outgoing[i]);
        free(g->outgoing);
        fd_bits_done(&g->own);
        closep(&g->fd_dir);
        sd_event_unref(g->event);
}

int main(int argc, char *argv[]) {
        _cleanup_(gate_done) Gate g = { .closes = { .placeholder = -1, .wake = -1 }, .fd_dir = -1 };
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
        if (r >= 0)
                r = gate_close_init(&g);
        if (r < 0)
                return log_error_errno(r, "resource1d-gate: failed to make the event loop"), EXIT_FAILURE;
        if (connect_daemon(&g, GATE_DAEMON_FD) < 0 || connect_system_bus(&g) < 0)
                return EXIT_FAILURE;
        /* Nothing has been read from the system bus yet (every call to it is
         * queued, none waited for): every descriptor open now is the
         * gate's, and any other a caller's (gate-sweep.h). */
        r = gate_fds_snapshot(&g);
        if (r < 0)
                return log_error_errno(r, "resource1d-gate: failed to list its descriptors"), EXIT_FAILURE;

        r = sd_event_loop(g.event);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
