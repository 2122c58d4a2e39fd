/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The gate's side of FUSE files passed to it (gate-fuse.c); the daemon's
 * side, which decides and aborts, is gates-fuse.c. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

typedef struct Gate Gate;
typedef struct GateFuse GateFuse;

/* True when m, whose descriptor fd is not a pidfd, is taken care of here: fd
 * is a file of a FUSE connection that fusectl knows. The call is then
 * answered InvalidArgs, and m kept, once the daemon said whether it aborted
 * the connection; when it did not, m is held as any other (gate_hold()). */
bool gate_fuse_take(Gate *g, sd_bus_message *m, int fd);

/* At the gate's end, once its bus connection is closed and before the one
 * to the daemon is: no answer is waited for any more. */
void gate_fuse_end(GateFuse *f);

/* Lets every waiting call go (their files closed: those of a connection
 * that was not aborted may wait, as any kept file). */
void gate_fuse_clear(GateFuse *f);
