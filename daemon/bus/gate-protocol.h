/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What resource1d-gate says to resource1d over their private connection,
 * besides the calls it passes on (which keep the interface's own path and
 * names). Never on the bus.
 *   Ready(b processfd)        it owns RESOURCE1_PIDFD_BUS_NAME; processfd:
 *                             the bus sent it its own ProcessFD (a pidfd)
 *                             when it asked GetConnectionCredentials about
 *                             itself, so the bus offers callers' processes
 *                             as pidfds (to a connection that negotiated
 *                             descriptor passing: the gate's, never the
 *                             daemon's)
 *   Retiring(s sender, s why) sender passed a descriptor it must not close
 *     → (b successor)         while serving: may a successor take the name
 *                             over (the daemon starts it), so that it can
 *                             retire?
 *   AbortFuse(s sender, u connection, h file)
 *     → (b aborted)           sender passed a file of FUSE connection N (its
 *                             fusectl number) that is not a pidfd; "file" is
 *                             an O_PATH descriptor of it: was the connection
 *                             aborted (see gates-fuse.h), so that no close
 *                             of its files waits any more?
 * And the daemon to the gate, on a bus that offers ProcessFD (Ready said so;
 * there the daemon asks the bus nothing about callers' connections itself:
 * dbus-broker sends ProcessFD even to a connection that did not negotiate
 * descriptors, and drops it for that):
 *   Credentials(s sender)     the bus's GetConnectionCredentials of sender's
 *     → (a{sv} credentials)   connection as the gate got it: UnixUserID,
 *                             ProcessID, UnixGroupIDs, and ProcessFD only if
 *                             it is a pidfd (of a live process or not; none
 *                             when the bus had none: the process that
 *                             connected was gone before the bus looked). The
 *                             bus's own errors (NameHasNoOwner: the
 *                             connection is gone) are passed on;
 *                             GATE_ERROR_CANNOT_ASK when the gate could not
 *                             ask or the bus did not answer in time. */
#define GATE_PATH      "/org/example/Resource1/Gate"
#define GATE_INTERFACE "org.example.Resource1.Gate"
#define GATE_ERROR_CANNOT_ASK "org.example.Resource1.Gate.Error.CannotAsk"

/* The descriptor of the private connection in the gate, and its option. */
#define GATE_DAEMON_FD 3
#define GATE_DAEMON_FD_OPTION "--daemon-fd=3"
