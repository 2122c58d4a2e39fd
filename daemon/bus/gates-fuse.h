/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

typedef struct Context Context;

/* At most this many aborts asked of the daemon at once, all gates together
 * (each gate asks for at most GATE_ABORTS_MAX connections at once: the
 * serving one and one retiring in its grace second stay well within). */
#define FUSE_ABORTS_MAX 32u

/* The gate's AbortFuse(s sender, u connection) → (b aborted): a caller
 * passed a file of FUSE connection N that is not a pidfd, whose close would
 * wait on the connection's server. The connection is aborted (fusectl's
 * abort file: every request waiting and to come fails, so no close of any of
 * its files waits) only if the caller is who owns it, never root, and by a
 * short-lived process with every id of the caller's and no capability
 * (act.c): what the caller could do itself, and the kernel checks it so.
 * Answered false otherwise: the gate then keeps the descriptor unclosed and
 * retires, as for any other (gates.c). Nothing here waits on the loop. */
int gates_fuse_abort(Context *c, sd_bus_message *m);

/* At exit: every request forgotten, its acting process killed and reaped. */
void gates_fuse_done(Context *c);
