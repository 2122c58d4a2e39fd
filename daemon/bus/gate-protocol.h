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
 * And the daemon to the gate:
 *   ProcessFD(s sender)       the bus's ProcessFD of sender's connection, as
 *     → (h pidfd)             the gate's own GetConnectionCredentials got it,
 *                             checked to be a pidfd (of a live process or
 *                             not): nothing else of the reply. Errors:
 *                             GATE_ERROR_NO_PROCESSFD (the bus sent none:
 *                             the process that connected was gone before
 *                             the bus looked), GATE_ERROR_NAME_GONE (the
 *                             connection is gone), anything else when the
 *                             gate could not ask (busy, bus lost). */
#define GATE_PATH      "/org/example/Resource1/Gate"
#define GATE_INTERFACE "org.example.Resource1.Gate"
#define GATE_ERROR_NO_PROCESSFD "org.example.Resource1.Gate.Error.NoProcessFD"
#define GATE_ERROR_NAME_GONE    "org.example.Resource1.Gate.Error.NameGone"

/* The descriptor of the private connection in the gate, and its option. */
#define GATE_DAEMON_FD 3
#define GATE_DAEMON_FD_OPTION "--daemon-fd=3"
