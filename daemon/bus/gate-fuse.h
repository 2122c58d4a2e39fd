/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The gate's side of FUSE files passed to it (gate-fuse.c); the daemon's
 * side, which decides and aborts, is gates-fuse.c. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

typedef struct Gate Gate;
typedef struct GateFuse GateFuse;

/* The closers' eventfds and their event source: 0, or -errno. */
int gate_fuse_init(Gate *g);

/* True when m, whose descriptor fd is not a pidfd, is taken care of here: fd
 * is a file of a FUSE connection that fusectl knows. Its close runs on a
 * closer thread; the call is answered InvalidArgs once it returned, or once
 * the daemon aborted the connection of a close that waited too long; if the
 * daemon did not, the gate retires (gate_retire()). */
bool gate_fuse_take(Gate *g, sd_bus_message *m, int fd);

/* Whether every close returned, or waits for good (its connection not
 * aborted): nothing left for the gate's loop to do. */
bool gate_fuse_settled(GateFuse *f);

/* At the gate's end, once its bus connection is closed and before the one
 * to the daemon is: no answer or deadline is waited for any more. */
void gate_fuse_end(GateFuse *f);

/* Lets every call go whose close returned or never started (the latter's
 * close may wait, as any kept file's); those still in a close are leaked. */
void gate_fuse_clear(GateFuse *f);
