/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The gate's closes of its callers' descriptors (gate-close.c), on closer
 * threads; the daemon's side of a FUSE file's,
 * which decides and aborts its connection, is gates-fuse.c. */

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

typedef struct Gate Gate;
typedef struct GateCloses GateCloses;

/* The closers' eventfds and their event source: 0, or -errno. */
int gate_close_init(Gate *g);

/* True when fds, the descriptors m carries of its sender's (gate_sweep()),
 * are taken care of here: each closed on a closer thread, never on the loop,
 * m held until then; with error_text, m answered InvalidArgs with it once
 * the first returned, or once the daemon aborted the FUSE connection of a
 * close that waited too long (none: answered now). If the daemon did not,
 * or the file is no FUSE file, the gate retires (gate_retire()). False only
 * when too many closes wait for good already, or memory or the closers'
 * descriptors are missing: the caller keeps m then (gate_hold()), and names
 * fds kept (gate_close_keep_fd()). */
bool gate_close_take(Gate *g, sd_bus_message *m, const int *fds, size_t n, const char *error_text);

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
