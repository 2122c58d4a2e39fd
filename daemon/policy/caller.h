/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "identity.h"
#include "sandbox.h"

/* The bus daemon fixes a connection's uid and pid when it connects and never
 * reuses a unique name, so what it said about a name stays true for as long
 * as the daemon runs: a small cache saves a bus round trip per call. */
#define CREDS_CACHE_SIZE 64

/* What became of the process that opened a connection (caller-pin.c): the
 * bus's pid of a connection is a number, which names that process only
 * while it lives; pid 0 and the caller's pid namespace come from the process
 * held, never from whatever has that number later. */
typedef enum CallerPin {
        PIN_UNKNOWN,   /* not looked at yet: a call needing it waits in creds-prefetch.c */
        PIN_HELD,      /* pidfd and procfd hold it (checked alive at each use) */
        PIN_GONE,      /* it exited before it could be held, or while held */
        PIN_UNSEEN,    /* the connection is older than what this instance saw appear: it cannot be told */
} CallerPin;

typedef struct CredsEntry {
        char name[32];
        uid_t uid;
        gid_t gid;            /* GID_INVALID until a decision needed it */
        pid_t pid;            /* as the bus reported it: for the log and the account, never to act on */
        int8_t other_pidns;   /* -1 until a pid number needed it */
        uid_t account;        /* with the gid */
        gid_t *groups;        /* as the bus saw them (UnixGroupIDs); owned */
        int n_groups;         /* -1: the bus did not say */
        SandboxKind sandbox;  /* behind a sandbox's bus proxy? (creds-prefetch.c looks) */
        char *app_id;         /* for SANDBOX_FLATPAK; owned */
        int8_t pin;           /* CallerPin */
        int pidfd;            /* with PIN_HELD (-1 where the kernel gives no pidfd); owned */
        int procfd;           /* with PIN_HELD, its /proc/PID directory; owned */
} CredsEntry;

typedef struct CredsCache {
        CredsEntry entries[CREDS_CACHE_SIZE];
        unsigned next;    /* replaced round-robin */
        unsigned last;    /* the last hit, tried first: a client calls in runs */
        dev_t pidns_dev;  /* the daemon's own pid namespace, once looked up */
        ino_t pidns_ino;
} CredsCache;

/* The entry of the unique name sender, the last hit tried first; NULL when
 * it is not cached. */
CredsEntry *creds_cache_find(CredsCache *cache, const char *sender);
/* A new entry for sender with what the bus said (groups: n_groups of them,
 * taken over, or NULL and -1 when the bus did not say), in place of the one
 * made longest ago, or in *scratch for a name too long to cache (unique
 * names are short), which the caller then clears. The lazily filled fields
 * are unknown, and so is the pin. */
CredsEntry *creds_cache_add(CredsCache *cache, const char *sender, uid_t uid, pid_t pid, gid_t *groups,
                            int n_groups, CredsEntry *scratch);
void creds_entry_clear(CredsEntry *e);
/* Frees what the entries hold. */
void creds_cache_done(CredsCache *cache);

typedef enum CallerNeeds {
        CALLER_GID   = 1 << 0,   /* the uid's primary gid, for decisions */
        CALLER_PIDNS = 1 << 1,   /* whether it lives in another pid namespace (needs the pin) */
} CallerNeeds;

/* The sender's uid and pid as the bus daemon vouched for them when
 * creds-prefetch.c asked (its filter holds every call of the interface until
 * they are cached), never as /proc would augment them; with CALLER_GID also
 * the uid's primary group, looked up (through NSS, which may be slow) only
 * when a decision needs it, and with CALLER_PIDNS whether the caller's pid
 * namespace is another than the daemon's (then its pid numbers name other
 * processes than ours): each once per connection. Sets error on failure. */
int caller_get(CredsCache *cache, sd_bus_message *m, unsigned needs, Caller *ret, sd_bus_error *error);

/* Whether the caller is in group gid (its primary or a supplementary group,
 * as the bus saw them when it connected, else as the user database lists
 * them): 1, 0, or a negative errno (-ENXIO: the caller is not cached). */
int caller_in_group(CredsCache *cache, sd_bus_message *m, gid_t gid);

/* Refuses (OtherPidNamespace) a pid number other than 0 from a caller in
 * another pid namespace, where the number means another process, and from a
 * caller whose connection's process is not held (gone, or older than the
 * daemon's watch): which namespace the number was meant in is unknown then;
 * and any pid number, 0 included, from a caller behind a sandbox's bus
 * proxy, whose connection's process is the proxy (sandbox.h). */
int caller_check_pid(CredsCache *cache, sd_bus_message *m, uint32_t pid, sd_bus_error *error);

/* The caller's process (pid 0): the process that opened the connection,
 * held since caller-pin.c pinned it, found alive now. Its number and
 * borrowed descriptors (the cache's: valid until the next cache change);
 * NoSuchProcess when it is gone or cannot be told, saying which and what to
 * do instead. */
typedef struct CallerProcess {
        pid_t pid;
        int pidfd;     /* -1 where the kernel gives no pidfd */
        int procfd;
} CallerProcess;
int caller_process(CredsCache *cache, sd_bus_message *m, CallerProcess *ret, sd_bus_error *error);
