/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The gate's answers about callers (gate-processfd.c): their connections'
 * credentials with the bus's ProcessFD, which only a connection that
 * negotiated descriptor passing may be sent, and the gate's is the service's
 * only one. */

typedef struct Gate Gate;

/* Serves Credentials (gate-protocol.h) to the daemon: 0, or -errno. */
int gate_processfd_serve(Gate *g);

/* Asks the bus for the gate's own credentials, then says Ready to the
 * daemon, with whether they held a ProcessFD: 0, or -errno. */
int gate_processfd_ready(Gate *g);
