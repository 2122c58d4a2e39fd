/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "account.h"
#include "appear.h"
#include "caller.h"
#include "rate.h"
#include "refusals.h"
#include "resource1-bus.h"
#include "visibility.h"

typedef struct Change Change;
typedef struct CredsWait CredsWait;
typedef struct GateProc GateProc;
typedef struct WorkPool WorkPool;
typedef struct Context Context;

/* GetConnectionCredentials of sender's connection, its a{sv} (or an error,
 * at timeout_usec; 0: sd-bus's default) to callback: gates.h's
 * gates_ask_credentials(), which asks the bus or, where the bus offers
 * ProcessFD, a gate. */
typedef int (*AskCredentials)(Context *c, const char *sender, uint64_t timeout_usec,
                              sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot);

/* All of the daemon's mutable state. */
typedef struct Context {
        sd_event *event;
        sd_bus *bus;                 /* the system bus: no descriptors come this way */
        sd_bus_slot *vtable_slot;
        sd_bus_slot *filter_slot;
        sd_bus_slot *disconnect_slot;
        sd_bus_slot *bus_lost_slot;

        uint64_t idle_usec;          /* 0: never exit for idleness */
        uint64_t last_activity;      /* CLOCK_MONOTONIC, µs */
        sd_event_source *idle_source;

        CredsCache creds;            /* what the bus said about recent callers */
        sd_bus_slot *creds_filter_slot;
        CredsWait *creds_waits;      /* new connections' calls, waiting for the bus's word (creds-prefetch.c) */
        unsigned n_creds_waits;
        AppearLog appear;            /* when connections appeared (caller-pin.c) */
        sd_bus_slot *appear_slot, *appear_gone_slot;
        WorkPool *pin_pool;          /* reads of callers' start times, off the loop */
        void (*pinned)(struct Context *c, const char *sender);   /* told when such a read is done */

        Change *changes;             /* in progress: waiting for polkit or being carried out */
        unsigned n_changes;
        unsigned max_pending;        /* bound on n_changes */
        unsigned max_pending_per_uid;
        bool exit_when_settled;      /* name released: exit once no change is in progress */

        uint64_t polkit_timeout_usec;              /* a check no person answers */
        uint64_t polkit_interactive_timeout_usec;  /* a check that may ask for a password */
        uint64_t checks_asked;                     /* for unique cancellation ids */

        GateProc *gates;             /* the processes that take callers' descriptors (gates.c) */
        unsigned n_gates;
        GateProc *gate_serving;      /* the one that owns RESOURCE1_PIDFD_BUS_NAME, or will */
        bool bus_processfd;          /* a gate was sent its ProcessFD: the bus offers callers' processes as
                                      * pidfds, and pid 0 is pinned from those only (creds-prefetch.c) */
        AskCredentials ask_credentials;  /* set by gates_start() (NULL before: the bus is asked) */
        char *gate_program;
        void (*gate_ready)(struct Context *c, bool ok);   /* until the first gate owns its name */
        sd_event_source *gate_ready_timer, *gate_spawn_timer, *gate_heartbeat;
        uint64_t gate_last_spawn;
        bool exiting;
        struct FuseAbort *fuse_aborts;   /* a gate's requests to abort a caller's FUSE connection (gates-fuse.c) */
        unsigned n_fuse_aborts;

        WorkPool *usage_pool;        /* off the loop: reads of /proc files a target can make slow, and
                                      * of callers' /.flatpak-info (creds-prefetch.c) */
        RefusalLog refusals;
        ChangeRate rate;             /* changes carried out, per account and in all */
        Visibility visibility;       /* what /proc shows unprivileged callers */
} Context;
