/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <pwd.h>
#include <string.h>

#include <grp.h>
#include <stdlib.h>

#include "account.h"
#include "caller.h"
#include "errors.h"
#include "util.h"

static int creds_query(sd_bus_message *m, uid_t *ret_uid, pid_t *ret_pid) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;
        pid_t pid;

        int r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID, &creds);
        /* Only what the bus daemon vouches for: sd-bus fills in from /proc
         * what the bus did not send, and /proc of a pid is racy. */
        if (r >= 0 && (sd_bus_creds_get_augmented_mask(creds) & (SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID)))
                r = -EPERM;
        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, &uid);
        if (r >= 0)
                r = sd_bus_creds_get_pid(creds, &pid);
        if (r < 0)
                return r;
        *ret_uid = uid;
        *ret_pid = pid;
        return 0;
}

static gid_t primary_gid(uid_t uid) {
        struct passwd pw, *p = NULL;
        char buf[4096];
        if (getpwuid_r(uid, &pw, buf, sizeof buf, &p) == 0 && p)
                return p->pw_gid;
        return GID_INVALID;
}

/* Whether pid lives in another pid namespace than the daemon: its pid
 * numbers then name other processes. A process that cannot be looked at
 * (it exited) counts as another, the safe answer. */
static bool in_other_pidns(CredsCache *cache, pid_t pid) {
        char path[48];
        struct stat st;

        if (cache->pidns_ino == 0) {
                if (stat("/proc/self/ns/pid", &st) < 0)
                        return true;
                cache->pidns_dev = st.st_dev;
                cache->pidns_ino = st.st_ino;
        }
        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int) pid);
        if (stat(path, &st) < 0)
                return true;
        return st.st_dev != cache->pidns_dev || st.st_ino != cache->pidns_ino;
}

CredsEntry *creds_cache_find(CredsCache *cache, const char *sender) {
        for (unsigned k = 0; k < CREDS_CACHE_SIZE; k++) {
                unsigned i = (cache->last + k) % CREDS_CACHE_SIZE;
                if (strcmp(cache->entries[i].name, sender) == 0) {
                        cache->last = i;
                        return &cache->entries[i];
                }
        }
        return NULL;
}

CredsEntry *creds_cache_add(CredsCache *cache, const char *sender, uid_t uid, pid_t pid, CredsEntry *scratch) {
        CredsEntry *e = scratch;

        if (strlen(sender) < sizeof e->name) {
                cache->last = cache->next++ % CREDS_CACHE_SIZE;
                e = &cache->entries[cache->last];
        }
        *e = (CredsEntry) {
                .uid = uid,
                .pid = pid,
                .gid = GID_INVALID,
                .other_pidns = -1,
                .account = UID_INVALID,
                .group_asked = GID_INVALID,
        };
        snprintf(e->name, sizeof e->name, "%s", sender);
        return e;
}

int caller_get(CredsCache *cache, sd_bus_message *m, unsigned needs, Caller *ret, sd_bus_error *error) {
        const char *sender = sd_bus_message_get_sender(m);
        CredsEntry uncached, *e;
        int r;

        if (!sender)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED, "the message names no sender");

        e = creds_cache_find(cache, sender);
        if (!e) {
                uid_t uid;
                pid_t pid;
                r = creds_query(m, &uid, &pid);
                if (r < 0)
                        return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED,
                                                 "the bus did not tell who the caller is: %s", strerror(-r));
                e = creds_cache_add(cache, sender, uid, pid, &uncached);
        }

        if ((needs & CALLER_GID) && e->gid == GID_INVALID)
                e->gid = primary_gid(e->uid);
        if ((needs & CALLER_GID) && e->account == UID_INVALID)
                e->account = account_of(e->uid, e->pid);
        if ((needs & CALLER_PIDNS) && e->other_pidns < 0)
                e->other_pidns = in_other_pidns(cache, e->pid);

        *ret = (Caller) {
                .uid = e->uid,
                .gid = (needs & CALLER_GID) ? e->gid : GID_INVALID,
                .pid = e->pid,
                .account = (needs & CALLER_GID) ? e->account : e->uid,
                .other_pidns = e->other_pidns > 0,
        };
        return 0;
}

/* The groups the bus saw the caller's connection with (SO_PEERGROUPS), as
 * GetConnectionCredentials' UnixGroupIDs: 1 or 0, or -ENODATA when the bus
 * does not say. (sd_bus_query_sender_creds() of libsystemd 252 does not ask
 * for them.) */
static int bus_in_group(sd_bus_message *m, gid_t gid) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *key;
        bool told = false;
        int r;

        r = sd_bus_call_method(sd_bus_message_get_bus(m), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetConnectionCredentials", &error, &reply, "s",
                               sd_bus_message_get_sender(m));
        if (r < 0)
                return -ENODATA;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &key);
                if (r >= 0 && strcmp(key, "UnixGroupIDs") == 0) {
                        const void *gids;
                        size_t size;
                        r = sd_bus_message_enter_container(reply, 'v', "au");
                        if (r >= 0)
                                r = sd_bus_message_read_array(reply, 'u', &gids, &size);
                        if (r >= 0) {
                                told = true;
                                for (size_t i = 0; i < size / sizeof(uint32_t); i++)
                                        if (((const uint32_t *) gids)[i] == gid)
                                                return 1;
                                r = sd_bus_message_exit_container(reply);
                        }
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        return told ? 0 : -ENODATA;
}

static int query_in_group(sd_bus_message *m, uid_t uid, gid_t gid) {
        int r = bus_in_group(m, gid);
        if (r >= 0)
                return r || primary_gid(uid) == gid;

        /* The bus did not say: the user database does. */
        struct passwd pw, *p = NULL;
        char buf[4096];
        if (getpwuid_r(uid, &pw, buf, sizeof buf, &p) != 0 || !p)
                return 0;
        if (p->pw_gid == gid)
                return 1;
        int ngroups = 64;
        for (int attempt = 0; attempt < 2; attempt++) {
                _cleanup_free_ gid_t *list = calloc((size_t) ngroups, sizeof *list);
                if (!list)
                        return -ENOMEM;
                int n = ngroups;
                if (getgrouplist(p->pw_name, p->pw_gid, list, &n) >= 0) {
                        for (int i = 0; i < n; i++)
                                if (list[i] == gid)
                                        return 1;
                        return 0;
                }
                ngroups = n > ngroups && n <= 65536 ? n : 65536;
        }
        return 0;
}

int caller_in_group(CredsCache *cache, sd_bus_message *m, gid_t gid) {
        Caller caller;
        sd_bus_error error = SD_BUS_ERROR_NULL;

        int r = caller_get(cache, m, 0, &caller, &error);
        sd_bus_error_free(&error);
        if (r < 0)
                return r;
        if (caller.uid == 0)
                return 1;

        CredsEntry *e = creds_cache_find(cache, sd_bus_message_get_sender(m));
        if (!e)
                return query_in_group(m, caller.uid, gid);
        if (e->group_asked != gid) {
                r = query_in_group(m, caller.uid, gid);
                if (r < 0)
                        return r;
                e->in_group = r > 0;
                e->group_asked = gid;
        }
        return e->in_group;
}

int caller_check_pid(CredsCache *cache, sd_bus_message *m, uint32_t pid, sd_bus_error *error) {
        Caller caller;

        if (pid == 0)
                return 0;
        int r = caller_get(cache, m, CALLER_PIDNS, &caller, error);
        if (r < 0)
                return r;
        if (caller.other_pidns)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_OTHER_PID_NAMESPACE,
                                         "pid %" PRIu32 " was named from another pid namespace than the "
                                         "service's, where the number means a different process; name the "
                                         "process by a pidfd instead (PrlimitPidfd, ListRlimitsPidfd, "
                                         "GetRusagePidfd, SetRlimitsPidfd), as resourcectl and libresource1 do",
                                         pid);
        return 0;
}
