/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The gate's closes of descriptors passed to it that are not pidfds
 * (gate-close.c), on closer threads; the daemon's side of a FUSE file's,
 * which decides and aborts its connection, is gates-fuse.c. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

typedef struct Gate Gate;
typedef struct GateCloses GateCloses;

/* The closers' eventfds and their event source: 0, or -errno. */
int gate_close_init(Gate *g);

/* True when m, whose descriptor fd is not a pidfd, is taken care of here
 * (false only when too many closes wait for good already, or memory or the
 * closers' eventfds are missing: the caller keeps it then, gate_hold()). Its
 * close runs on a closer thread, never on the loop; the call is answered
 * InvalidArgs once it returned, or once the daemon aborted the FUSE
 * connection of a close that waited too long; if the daemon did not, or fd
 * is no FUSE file, the gate retires (gate_retire()). */
bool gate_close_take(Gate *g, sd_bus_message *m, int fd);

/* The same for m, a call that names no descriptor where the interface has
 * one, carrying those at fds (gate_sweep()): each closed on a closer, the
 * call answered InvalidArgs with error_text by the first; none: answered
 * now. False as above: the caller keeps m, and names fds kept
 * (gate_close_keep_fd()). */
bool gate_close_take_unnamed(Gate *g, sd_bus_message *m, const int *fds, size_t n, const char *error_text);

/* Whether fd is one the closes use or hold: their eventfds and reserve, a
 * close's descriptor or O_PATH file, one kept (below). */
bool gate_close_known(const GateCloses *f, int fd);

/* Notes that fd, which a kept call carries unnamed, is not to be found
 * again (gate_sweep()): 0, or -ENOMEM. */
int gate_close_keep_fd(GateCloses *f, int fd);

/* Whether every close returned, or waits for good: nothing left for the
 * gate's loop to do. */
bool gate_closes_settled(GateCloses *f);

/* At the gate's end, once its bus connection is closed and before the one
 * to the daemon is: no answer or deadline is waited for any more. */
void gate_closes_end(GateCloses *f);

/* Lets every call go whose close returned or never started (the latter's
 * close may wait, as any kept file's); those still in a close are leaked. */
void gate_closes_clear(GateCloses *f);
