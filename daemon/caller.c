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

int caller_get(CredsCache *cache, sd_bus_message *m, bool need_gid, Caller *ret, sd_bus_error *error) {
        const char *sender = sd_bus_message_get_sender(m);
        uid_t uid = UID_INVALID;
        pid_t pid = 0;
        bool found = false;
        int r;

        if (!sender)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED, "the message names no sender");

        for (unsigned i = 0; i < CREDS_CACHE_SIZE && !found; i++)
                if (strcmp(cache->entries[i].name, sender) == 0) {
                        uid = cache->entries[i].uid;
                        pid = cache->entries[i].pid;
                        found = true;
                }

        if (!found) {
                r = creds_query(m, &uid, &pid);
                if (r < 0)
                        return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED,
                                                 "the bus did not tell who the caller is: %s", strerror(-r));
                if (strlen(sender) < sizeof cache->entries[0].name) {
                        unsigned i = cache->next++ % CREDS_CACHE_SIZE;
                        strcpy(cache->entries[i].name, sender);
                        cache->entries[i].uid = uid;
                        cache->entries[i].pid = pid;
                }
        }

        gid_t gid = GID_INVALID;
        struct passwd pw, *p = NULL;
        char buf[4096];
        if (need_gid && getpwuid_r(uid, &pw, buf, sizeof buf, &p) == 0 && p)
                gid = p->pw_gid;

        *ret = (Caller) { .uid = uid, .gid = gid, .pid = pid };
        return 0;
}
