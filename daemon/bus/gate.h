/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* resource1d-gate's state, shared by its files: resource1d-gate.c (the
 * serving, keeping and retiring), gate-close.c (descriptors that are not
 * pidfds, closed on closer threads; a FUSE file's connection the daemon is
 * asked to abort) and gate-processfd.c (the bus's ProcessFD of a caller's
 * connection, for the daemon). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "fd-bits.h"

typedef struct GateClose GateClose;

/* The closes of callers' descriptors, pidfds too (gate-close.c): their
 * state. */
typedef struct GateCloses {
        GateClose *queue;          /* descriptors not yet closed, or whose close waits for good, in arrival
                                    * order */
        unsigned n_closing;        /* of them, closes running that may still end */
        unsigned n_stuck;          /* ... and those that wait for good (retired for) */
        unsigned n_asked;          /* AbortFuse calls not yet answered */
        int placeholder;           /* dup'd over each descriptor's number by its closer (its close never
                                    * waits) */
        int wake;                  /* an eventfd the closers signal when a close returned */
        int reserve[32];           /* placeholder dups, closed to make room for an O_PATH file or its
                                    * copy in AbortFuse when the table is full */
        unsigned n_reserve;
        FdBits held;               /* numbers the queue's closes and kept calls hold (gate-sweep.h) */
        sd_event_source *wake_source;
        struct CloserPool *pool;   /* the closer threads (gate-close.c) */
} GateCloses;

#define NOT_A_PIDFD "the descriptor passed is not a pidfd (pidfd_open(2))"

typedef struct Gate {
        sd_event *event;
        sd_bus *bus;               /* the system bus, as RESOURCE1_PIDFD_BUS_NAME */
        sd_bus *daemon;            /* the private connection to resource1d */
        struct Forward *forwards;
        unsigned n_forwards;
        sd_bus_message **held;     /* kept with a descriptor no closer could take: let go only at exit */
        size_t n_held, n_held_max;
        GateCloses closes;         /* callers' descriptors, closed on closer threads */
        FdBits own;                /* the gate's own descriptors (gate-sweep.h) */
        int fd_dir;                /* /proc/self/fd, listed after every message (gate-sweep.c) */
        sd_bus_message **outgoing; /* sent to the daemon with descriptors of the gate's (owned until written) */
        size_t n_outgoing, n_outgoing_max;
        bool asking;               /* the daemon was asked for a successor and has not answered */
        char *asked_for;           /* ... for this caller */
        sd_bus_message *answer;    /* ... whose error answer waits for the daemon's, so that the caller
                                    * is still connected when the daemon asks the bus whose it is */
        char *refused[64];         /* callers the daemon gave no successor for: not asked again */
        unsigned next_refused;
        bool retiring;             /* a successor was promised: finish once it has the name */
        bool released;             /* the name went to the successor (NameLost) ... */
        bool lingered;             /* ... at least GRACE_USEC ago */
        bool bus_lost;             /* the system bus connection failed: nothing is sent on it any more */
        unsigned n_asks;           /* the daemon's ProcessFD asks in progress (gate-processfd.c) */
} Gate;

/* Keeps m, whose descriptor must not be closed while this gate serves, until
 * the gate's end: 0, or -ENOMEM. */
int gate_keep(Gate *g, sd_bus_message *m);

/* Keeps m and answers it InvalidArgs with error_text, asking the daemon for a
 * successor (why says for what) so that this gate can retire; may end the
 * gate when nothing more can be kept. */
void gate_hold(Gate *g, sd_bus_message *m, const char *why, const char *error_text);

/* Sends answer (m's error; NULL: none, another answers m) once the daemon
 * was asked for a successor, on behalf of sender, whose descriptor this
 * gate keeps unclosed. */
void gate_retire(Gate *g, const char *sender, const char *why, sd_bus_message *answer);

/* m, sent to the daemon, carries copies of descriptors of the gate's: they
 * stay the gate's (never swept) until m is written. 0, or -errno. */
int gate_outgoing(Gate *g, sd_bus_message *m);

/* Ends the gate if it retired and nothing it still does needs its loop. */
void gate_maybe_finish(Gate *g);
