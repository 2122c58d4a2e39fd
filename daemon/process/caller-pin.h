/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "context.h"

/* Pinning the process that opened a caller's connection: what pid 0 names.
 *
 * The bus reports a connection's pid as a number, fixed when the process
 * connected; once that process exits its number can be given to any other
 * process, a process of the same user outside the caller's sandbox
 * included. So pid 0 names only a process that is held, and is known to be
 * the one that connected:
 *   - where the bus offers the process as a pidfd (ProcessFD in
 *     GetConnectionCredentials' reply: dbus-broker 37 and dbus-daemon 1.16
 *     on Linux 6.5 and later, to a connection that negotiated descriptor
 *     passing, which only the gate's does: creds-prefetch.c asks it), that
 *     pidfd, checked to be one, alive and of the reported pid. No ProcessFD
 *     for a connection then means its process was gone before the bus
 *     looked: gone. The number is never used on such a bus;
 *   - otherwise the process that has the reported number when the caller
 *     first needs it, held by its pidfd and /proc directory, if it started
 *     no later than the moment its connection was seen to appear
 *     (appear.h): a process that took the number afterwards started later.
 *     A connection this instance did not see appear (it connected before
 *     the daemon started, after an idle exit, say) cannot be told: pid 0 and
 *     pid numbers are refused for it, and its client calls again on a new
 *     connection, or names its process by a pidfd.
 * Held processes are checked alive at each use; once gone, the connection's
 * pid 0 is refused for good.
 *
 * What the number alone cannot tell: the bus records the pid of the process
 * that called connect(2), but a connection appears only at its Hello, which
 * its holder may send up to the bus's auth_timeout later (30 s with
 * dbus-daemon 1.14's defaults). A process that connects, exits before the
 * Hello (another process keeping the socket), and whose number a new process
 * takes before the Hello, leaves that process looking older than the
 * connection: it is taken for the caller. Only ProcessFD closes that, and
 * so, where the bus offers it, nothing falls back to the number.
 *
 * The start time (/proc/PID/stat) can take as long as that process makes
 * it (its own execve() holds the lock the read waits for), so it is read on
 * a worker, one at a time per account, while creds-prefetch.c holds the
 * connection's calls. */

/* Watches connections appear (NameOwnerChanged from the bus itself) into
 * c->appear; installed before the daemon asks for its name. "pinned" is
 * called on the loop when a read caller_pin_start() began is done
 * (creds_prefetch_pinned(), which lets the connection's calls go on). */
int caller_pin_attach(Context *c, void (*pinned)(Context *c, const char *sender));
void caller_pin_done(Context *c);

/* Settles e->pin from the bus's ProcessFD of its connection (borrowed), on a
 * bus that offers ProcessFD: held if it is a pidfd of a live process of the
 * pid the bus reported, else (or with -1: the bus had none) PIN_GONE. */
void caller_pin_processfd(CredsEntry *e, int processfd);

/* Settles e->pin from processfd (the bus's ProcessFD, borrowed; -1 when the
 * bus sent none) or else from the number the bus reported (only where the
 * bus offers no ProcessFD). 0 when settled
 * at once; 1 when a worker reads the process's start time, after which
 * caller_pin_attach()'s "pinned" is called with e->name (e may have been
 * replaced in the cache by then); a negative errno when nothing was started
 * (-EAGAIN: too many reads queued for the account). */
int caller_pin_start(Context *c, CredsEntry *e, int processfd);
