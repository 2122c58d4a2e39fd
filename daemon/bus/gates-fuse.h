/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

typedef struct Context Context;

/* At most this many aborts asked of the daemon at once, all gates together
 * (each gate asks for at most 8 at once, gate-close.c's ABORTS_ASKED_MAX);
 * past it AbortFuse answers LimitsExceeded, and the gate asks again. */
#define FUSE_ABORTS_MAX 32u

/* The gate's AbortFuse(s sender, u connection, h file) → (b aborted): a
 * caller passed a file of FUSE connection N that is not a pidfd, and the
 * gate's close of it has waited on the connection's server past its
 * deadline; "file" is an O_PATH descriptor of it (the daemon closes it
 * without calling into FUSE; refused unless it is one). The connection is
 * aborted (fusectl's abort file: every request waiting and to come fails, so
 * the close returns and no later one waits) as its owner, by a short-lived
 * process with exactly the owner's uid and gid and no capability (act.c):
 * when the caller is that owner; or, whoever the caller (gone ones too),
 * when the connection refuses the daemon's own ids (no allow_other, or
 * allow_other in a user namespace: only the owner's processes, or that
 * namespace's, could have opened the file; the acting process checks it by
 * that file, act.h). Never a connection of root's. Answered false
 * otherwise: the gate then keeps the close waiting and retires, as for any
 * descriptor it must not close (gates.c). Nothing here waits on the loop. */
int gates_fuse_abort(Context *c, sd_bus_message *m);

/* At exit: every request forgotten, its acting process killed and reaped. */
void gates_fuse_done(Context *c);
