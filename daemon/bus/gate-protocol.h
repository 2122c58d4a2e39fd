/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What resource1d-gate says to resource1d over their private connection,
 * besides the calls it passes on (which keep the interface's own path and
 * names). Never on the bus.
 *   Ready()                   it owns RESOURCE1_PIDFD_BUS_NAME
 *   Retiring(s sender, s why) sender passed a descriptor it must not close
 *     → (b successor)         while serving: may a successor take the name
 *                             over (the daemon starts it), so that it can
 *                             retire?
 *   AbortFuse(s sender, u connection, h file)
 *     → (b aborted)           sender passed a file of FUSE connection N (its
 *                             fusectl number) that is not a pidfd; "file" is
 *                             an O_PATH descriptor of it: was the connection
 *                             aborted (see gates-fuse.h), so that no close
 *                             of its files waits any more? */
#define GATE_PATH      "/org/example/Resource1/Gate"
#define GATE_INTERFACE "org.example.Resource1.Gate"

/* The descriptor of the private connection in the gate, and its option. */
#define GATE_DAEMON_FD 3
#define GATE_DAEMON_FD_OPTION "--daemon-fd=3"
