/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pwd.h>
#include <string.h>

#include "caller.h"
#include "errors.h"
#include "util.h"

static int creds_query(sd_bus_message *m, uid_t *ret_uid, pid_t *ret_pid) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;
        pid_t pid;

        int r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID, &creds);
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

int caller_get(CredsCache *cache, sd_bus_message *m, bool need_gid, Caller *ret, sd_bus_error *error) {
        const char *sender = sd_bus_message_get_sender(m);
        int r;

        if (!sender)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED, "the message names no sender");

        typeof(cache->entries[0]) *e = NULL;
        for (unsigned k = 0; k < CREDS_CACHE_SIZE && !e; k++) {
                unsigned i = (cache->last + k) % CREDS_CACHE_SIZE;
                if (strcmp(cache->entries[i].name, sender) == 0) {
                        e = &cache->entries[i];
                        cache->last = i;
                }
        }

        if (!e) {
                uid_t uid;
                pid_t pid;
                r = creds_query(m, &uid, &pid);
                if (r < 0)
                        return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED,
                                                 "the bus did not tell who the caller is: %s", strerror(-r));
                if (strlen(sender) >= sizeof cache->entries[0].name) {
                        gid_t gid = need_gid ? primary_gid(uid) : GID_INVALID;
                        *ret = (Caller) { .uid = uid, .gid = gid, .pid = pid };
                        return 0;
                }
                e = &cache->entries[cache->next++ % CREDS_CACHE_SIZE];
                strcpy(e->name, sender);
                e->uid = uid;
                e->pid = pid;
                e->gid = GID_INVALID;
        }

        if (need_gid && e->gid == GID_INVALID)
                e->gid = primary_gid(e->uid);

        *ret = (Caller) { .uid = e->uid, .gid = need_gid ? e->gid : GID_INVALID, .pid = e->pid };
        return 0;
}
