/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1d-gate: FUSE files passed to it, their connection aborted.
 *
 * A FUSE file's close waits on its server (a FLUSH, at every close), which
 * may never answer. Its connection can be ended for good as an administrator
 * does, by writing fusectl's abort file: every request waiting and to come
 * fails at once, so no close of any of its files waits on the server again.
 * That file is the connection owner's alone (mode 0200), and this gate,
 * holding no capability, cannot write it: it asks the daemon (AbortFuse),
 * which decides and aborts as that owner (gates-fuse.c), passing it an
 * O_PATH descriptor of the file (closing one never calls into FUSE, and
 * making one from /proc/self/fd neither opens the file nor checks
 * permission on it) by which the daemon's acting process checks the
 * connection is private to its owner. Until the answer the call is held
 * here; aborted, the file is kept (closed at this gate's end, at once:
 * nothing makes it wait on the server then) and the gate serves on, no
 * successor needed; else it is held as any other (gate_hold(): kept, and a
 * successor asked). Files of a connection already aborted are kept at
 * once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuse-conn.h"
#include "gate.h"
#include "gate-fuse.h"
#include "gate-protocol.h"
#include "util.h"

/* FUSE connections whose abort is asked of the daemon at once; files of
 * more wait their turn (each asked once, however many of its files). */
#define ABORTS_ASKED_MAX 8u

/* A call whose descriptor is a file of FUSE connection "conn" that the
 * daemon is (or will be) asked to abort. */
struct GateAborting {
        sd_bus_message *call;      /* holds the descriptor until the daemon's answer */
        int fd;                    /* ... which is this, in the call */
        sd_bus_message *answer;    /* the caller's error, sent then (the caller is still
                                    * connected when the daemon asks the bus whose it is) */
        unsigned conn;
        sd_bus_slot *slot;         /* the AbortFuse call, for one file of each connection */
};

static void ask_aborts(Gate *g);

static bool is_aborted(GateFuse *f, unsigned conn) {
        for (size_t i = 0; i < f->n_aborted; i++)
                if (f->aborted[i] == conn)
                        return true;
        return false;
}

/* Answers every call waiting on connection conn: kept, if it was aborted,
 * else held as any other. */
static void settle(Gate *g, unsigned conn, bool aborted) {
        GateFuse *f = &g->fuse;

        /* Every call waiting on this connection, out of the list first:
         * gate_hold() may end the gate, which empties it. */
        size_t n = 0, kept = 0;
        for (size_t j = 0; j < f->n_aborting; j++)
                n += f->aborting[j].conn == conn;
        _cleanup_free_ GateAborting *done = calloc(n ?: 1, sizeof *done);
        if (!done)
                return;   /* they wait for the gate's end */
        for (size_t j = 0; j < f->n_aborting; j++) {
                if (f->aborting[j].conn == conn)
                        done[kept++] = f->aborting[j];
                else
                        f->aborting[j - kept] = f->aborting[j];
        }
        f->n_aborting -= kept;
        if (aborted)
                f->aborted[f->n_aborted++] = conn;

        for (size_t j = 0; j < n; j++) {
                if (aborted && g->bus && gate_keep(g, done[j].call) >= 0)
                        (void) sd_bus_send(g->bus, done[j].answer, NULL);
                else if (g->bus)
                        gate_hold(g, done[j].call, "a descriptor that is not a pidfd", NOT_A_PIDFD);
                sd_bus_message_unref(done[j].answer);
                sd_bus_message_unref(done[j].call);
        }
}

static int on_abort_answer(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Gate *g = userdata;
        GateFuse *f = &g->fuse;
        sd_bus_slot *slot = sd_bus_get_current_slot(g->daemon);
        int aborted = 0;
        size_t i;
        (void) ret_error;

        for (i = 0; i < f->n_aborting && f->aborting[i].slot != slot; i++)
                ;
        if (i == f->n_aborting)
                return 0;
        unsigned conn = f->aborting[i].conn;
        f->aborting[i].slot = sd_bus_slot_unref(f->aborting[i].slot);
        f->n_asked--;
        if (!sd_bus_message_is_method_error(reply, NULL))
                (void) sd_bus_message_read_basic(reply, 'b', &aborted);
        if (aborted && f->n_aborted == f->n_aborted_max) {
                size_t n = f->n_aborted_max ? f->n_aborted_max * 2 : 16;
                unsigned *a = reallocarray(f->aborted, n, sizeof *a);
                if (a) {
                        f->aborted = a;
                        f->n_aborted_max = n;
                } else
                        aborted = 0;
        }

        settle(g, conn, aborted);
        if (g->daemon)
                ask_aborts(g);
        return 0;
}

/* AbortFuse(sender, connection, an O_PATH descriptor of the file). */
static int ask_abort(Gate *g, GateAborting *a) {
        char path[48];
        snprintf(path, sizeof path, "/proc/self/fd/%d", a->fd);
        _cleanup_close_ int file = open(path, O_PATH | O_CLOEXEC);
        if (file < 0)
                return -errno;
        return sd_bus_call_method_async(g->daemon, &a->slot, NULL, GATE_PATH, GATE_INTERFACE, "AbortFuse",
                                        on_abort_answer, g, "suh", sd_bus_message_get_sender(a->call), a->conn,
                                        file);
}

/* Asks the daemon to abort the connections of waiting calls, one call per
 * connection, at most ABORTS_ASKED_MAX at once. */
static void ask_aborts(Gate *g) {
        GateFuse *f = &g->fuse;
        for (size_t i = 0; i < f->n_aborting && f->n_asked < ABORTS_ASKED_MAX; i++) {
                GateAborting *a = &f->aborting[i];
                bool asked = false;
                for (size_t j = 0; j < f->n_aborting && !asked; j++)
                        asked = f->aborting[j].slot && f->aborting[j].conn == a->conn;
                if (asked)
                        continue;
                int r = ask_abort(g, a);
                if (r == -EMFILE || r == -ENFILE) {
                        /* No room for the O_PATH descriptor (the table is
                         * nearly full of kept files): as if not aborted,
                         * so that the gate retires or ends. */
                        settle(g, a->conn, false);
                        i = (size_t) -1;   /* the list changed: from its start again */
                        if (!g->daemon)
                                return;
                        continue;
                }
                if (r < 0)
                        return;   /* they wait for the gate's end */
                f->n_asked++;
        }
}

bool gate_fuse_take(Gate *g, sd_bus_message *m, int fd) {
        GateFuse *f = &g->fuse;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *answer = NULL;
        unsigned conn;

        if (fuse_connection_of_fd(fd, &conn) < 0 ||
            sd_bus_message_new_method_errorf(m, &answer, SD_BUS_ERROR_INVALID_ARGS, "%s", NOT_A_PIDFD) < 0)
                return false;
        if (is_aborted(f, conn)) {
                if (gate_keep(g, m) < 0)
                        return false;
                (void) sd_bus_send(g->bus, answer, NULL);
                return true;
        }
        if (f->n_aborting == f->n_aborting_max) {
                size_t n = f->n_aborting_max ? f->n_aborting_max * 2 : 16;
                GateAborting *a = reallocarray(f->aborting, n, sizeof *a);
                if (!a)
                        return false;
                f->aborting = a;
                f->n_aborting_max = n;
        }
        f->aborting[f->n_aborting++] = (GateAborting) { .call = sd_bus_message_ref(m), .fd = fd,
                                                        .answer = TAKE_PTR(answer), .conn = conn };
        ask_aborts(g);
        return true;
}

void gate_fuse_end(GateFuse *f) {
        /* Files of aborted connections close at once; those whose abort
         * was still to be answered may wait, as any kept one. */
        for (size_t i = 0; i < f->n_aborting; i++)
                f->aborting[i].slot = sd_bus_slot_unref(f->aborting[i].slot);
}

void gate_fuse_clear(GateFuse *f) {
        for (size_t i = 0; i < f->n_aborting; i++) {
                sd_bus_slot_unref(f->aborting[i].slot);
                sd_bus_message_unref(f->aborting[i].answer);
                sd_bus_message_unref(f->aborting[i].call);
        }
        f->aborting = mfree(f->aborting);
        f->n_aborting = f->n_aborting_max = 0;
        f->n_asked = 0;
        f->aborted = mfree(f->aborted);
        f->n_aborted = f->n_aborted_max = 0;
}
