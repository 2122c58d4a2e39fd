/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "decide.h"

/* The bus daemon fixes a connection's uid and pid when it connects and never
 * reuses a unique name, so what it said about a name stays true for as long
 * as the daemon runs: a small cache saves a bus round trip per call. */
#define CREDS_CACHE_SIZE 64

typedef struct CredsCache {
        struct {
                char name[32];
                uid_t uid;
                gid_t gid;    /* GID_INVALID until a decision needed it */
                pid_t pid;
        } entries[CREDS_CACHE_SIZE];
        unsigned next;    /* replaced round-robin */
        unsigned last;    /* the last hit, tried first: a client calls in runs */
} CredsCache;

/* The sender's uid and pid as the bus daemon vouches for them, never as /proc
 * would augment them; with need_gid also the uid's primary group, looked up
 * (through NSS, which may be slow) only when a decision needs it, once per
 * connection. Sets error on failure. */
int caller_get(CredsCache *cache, sd_bus_message *m, bool need_gid, Caller *ret, sd_bus_error *error);
