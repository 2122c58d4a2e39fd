/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* resource1d-gate's state, shared by its files: resource1d-gate.c (the
 * serving, keeping and retiring) and gate-fuse.c (FUSE files, whose
 * connection the daemon is asked to abort). */

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

typedef struct GateAborting GateAborting;

/* The calls with a FUSE file (gate-fuse.c): their state. */
typedef struct GateFuse {
        GateAborting *aborting;    /* calls waiting on their connection's abort, in arrival order */
        size_t n_aborting, n_aborting_max;
        unsigned n_asked;          /* of them, AbortFuse calls not yet answered */
        unsigned *aborted;         /* connections aborted: each pinned by a kept file of it, so the
                                    * number names that connection for as long as this gate serves */
        size_t n_aborted, n_aborted_max;
} GateFuse;

#define NOT_A_PIDFD "the descriptor passed is not a pidfd (pidfd_open(2))"

typedef struct Gate {
        sd_event *event;
        sd_bus *bus;               /* the system bus, as RESOURCE1_PIDFD_BUS_NAME */
        sd_bus *daemon;            /* the private connection to resource1d */
        struct Forward *forwards;
        unsigned n_forwards;
        sd_bus_message **held;     /* kept because their descriptor is not a pidfd: let go only at exit */
        size_t n_held, n_held_max;
        GateFuse fuse;             /* calls with a FUSE file, while its connection's abort is asked */
        bool asking;               /* the daemon was asked for a successor and has not answered */
        char *asked_for;           /* ... for this caller */
        sd_bus_message *answer;    /* ... whose error answer waits for the daemon's, so that the caller
                                    * is still connected when the daemon asks the bus whose it is */
        char *refused[64];         /* callers the daemon gave no successor for: not asked again */
        unsigned next_refused;
        bool retiring;             /* a successor was promised: finish once it has the name */
        bool released;             /* the name went to the successor (NameLost) ... */
        bool lingered;             /* ... at least GRACE_USEC ago */
} Gate;

/* Keeps m, whose descriptor must not be closed while this gate serves, until
 * the gate's end: 0, or -ENOMEM. */
int gate_keep(Gate *g, sd_bus_message *m);

/* Keeps m and answers it InvalidArgs with error_text, asking the daemon for a
 * successor (why says for what) so that this gate can retire; may end the
 * gate when nothing more can be kept. */
void gate_hold(Gate *g, sd_bus_message *m, const char *why, const char *error_text);
