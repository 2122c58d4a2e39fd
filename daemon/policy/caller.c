/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <pwd.h>
#include <string.h>
#include <sys/pidfd.h>
#include <fcntl.h>
#include <unistd.h>

#include <grp.h>
#include <stdlib.h>

#include "account.h"
#include "caller.h"
#include "errors.h"
#include "util.h"

static gid_t primary_gid(uid_t uid) {
        struct passwd pw, *p = NULL;
        char buf[4096];
        if (getpwuid_r(uid, &pw, buf, sizeof buf, &p) == 0 && p)
                return p->pw_gid;
        return GID_INVALID;
}

/* Whether the held process lives in another pid namespace than the daemon:
 * its pid numbers then name other processes. Asked of its own /proc
 * directory, so of that process whatever has its number now; one that
 * cannot be looked at counts as another, the safe answer. */
static bool in_other_pidns(CredsCache *cache, int procfd) {
        struct stat st;

        if (cache->pidns_ino == 0) {
                if (stat("/proc/self/ns/pid", &st) < 0)
                        return true;
                cache->pidns_dev = st.st_dev;
                cache->pidns_ino = st.st_ino;
        }
        if (fstatat(procfd, "ns/pid", &st, 0) < 0)
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

void creds_entry_clear(CredsEntry *e) {
        free(e->groups);
        free(e->app_id);
        if (e->pin == PIN_HELD) {
                closep(&e->pidfd);
                closep(&e->procfd);
        }
        *e = (CredsEntry) { .sandbox = SANDBOX_UNKNOWN };
}

void creds_cache_done(CredsCache *cache) {
        for (unsigned i = 0; i < CREDS_CACHE_SIZE; i++)
                creds_entry_clear(&cache->entries[i]);
}

CredsEntry *creds_cache_add(CredsCache *cache, const char *sender, uid_t uid, pid_t pid, gid_t *groups,
                            int n_groups, CredsEntry *scratch) {
        CredsEntry *e = scratch;

        if (strlen(sender) < sizeof e->name) {
                cache->last = cache->next++ % CREDS_CACHE_SIZE;
                e = &cache->entries[cache->last];
                creds_entry_clear(e);
        }
        *e = (CredsEntry) {
                .uid = uid,
                .pid = pid,
                .gid = GID_INVALID,
                .other_pidns = -1,
                .account = UID_INVALID,
                .groups = groups,
                .n_groups = groups ? n_groups : -1,
                .sandbox = SANDBOX_UNKNOWN,
                .pin = PIN_UNKNOWN,
                .pidfd = -1,
                .procfd = -1,
        };
        snprintf(e->name, sizeof e->name, "%s", sender);
        return e;
}

int caller_get(CredsCache *cache, sd_bus_message *m, unsigned needs, Caller *ret, sd_bus_error *error) {
        const char *sender = sd_bus_message_get_sender(m);
        CredsEntry *e;

        if (!sender)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED, "the message names no sender");

        /* Never asked here, on the loop, synchronously: a bus whose queue
         * to the daemon is full would make the loop wait its timeout. */
        e = creds_cache_find(cache, sender);
        if (!e)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED,
                                         "the bus did not tell who the caller is; try again");

        if ((needs & CALLER_GID) && e->gid == GID_INVALID)
                e->gid = primary_gid(e->uid);
        if ((needs & CALLER_GID) && e->account == UID_INVALID)
                e->account = account_of(e->uid, e->pid);
        /* Only the held process tells: its number may be another's now. */
        if ((needs & CALLER_PIDNS) && e->other_pidns < 0 && e->pin == PIN_HELD)
                e->other_pidns = in_other_pidns(cache, e->procfd);

        *ret = (Caller) {
                .uid = e->uid,
                .gid = (needs & CALLER_GID) ? e->gid : GID_INVALID,
                .pid = e->pid,
                .account = (needs & CALLER_GID) ? e->account : e->uid,
                .other_pidns = e->other_pidns != 0,
        };
        if (e->sandbox == SANDBOX_FLATPAK && e->app_id)
                snprintf(ret->flatpak_app, sizeof ret->flatpak_app, "%s", e->app_id);
        return 0;
}

/* The user database's word, when the bus did not say: NSS, which may be slow,
 * so only for a bus that does not send UnixGroupIDs. */
static int db_in_group(uid_t uid, gid_t gid) {
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
        const char *sender = sd_bus_message_get_sender(m);
        CredsEntry *e = sender ? creds_cache_find(cache, sender) : NULL;

        if (!e)
                return -ENXIO;
        if (e->uid == 0)
                return 1;
        if (e->n_groups < 0)
                return db_in_group(e->uid, gid);
        for (int i = 0; i < e->n_groups; i++)
                if (e->groups[i] == gid)
                        return 1;
        if (e->gid == GID_INVALID)
                e->gid = primary_gid(e->uid);
        return e->gid == gid;
}

/* The entry of the message's sender, its pin looked at, and if held found
 * alive (a pin found dead is let go: PIN_GONE). */
static int caller_pin_entry(CredsCache *cache, sd_bus_message *m, CredsEntry **ret, sd_bus_error *error) {
        const char *sender = sd_bus_message_get_sender(m);
        CredsEntry *e = sender ? creds_cache_find(cache, sender) : NULL;

        if (!e || e->pin == PIN_UNKNOWN)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED,
                                         "the process that opened the caller's connection was not looked at yet; "
                                         "try again");
        if (e->pin == PIN_HELD) {
                /* Until its process is reaped, a pidfd can be signalled
                 * (EPERM still says it exists); a reaped process's /proc
                 * directory stays open but empty. */
                bool alive = e->pidfd >= 0 ?
                        pidfd_send_signal(e->pidfd, 0, NULL, 0) >= 0 || errno == EPERM :
                        faccessat(e->procfd, "stat", F_OK, 0) >= 0;
                if (!alive) {
                        closep(&e->pidfd);
                        closep(&e->procfd);
                        e->pidfd = e->procfd = -1;
                        e->pin = PIN_GONE;
                }
        }
        *ret = e;
        return 0;
}

int caller_process(CredsCache *cache, sd_bus_message *m, CallerProcess *ret, sd_bus_error *error) {
        CredsEntry *e;

        int r = caller_pin_entry(cache, m, &e, error);
        if (r < 0)
                return r;
        switch (e->pin) {
        case PIN_HELD:
                *ret = (CallerProcess) { .pid = e->pid, .pidfd = e->pidfd, .procfd = e->procfd };
                return 0;
        case PIN_GONE:
                return sd_bus_error_setf(error, RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                         "pid 0 (the caller): the process that opened this bus connection "
                                         "(pid %d) has exited, and pid 0 never names whatever has its number "
                                         "now; call on a connection of a live process, or name the process by "
                                         "a pidfd (the *Pidfd methods, at %s)", (int) e->pid,
                                         RESOURCE1_PIDFD_BUS_NAME);
        default:
                return sd_bus_error_setf(error, RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                         "pid 0 (the caller): this bus connection is older than what the service "
                                         "saw appear (it was opened before the service started, or before "
                                         "thousands of connections still open), so it cannot tell whether pid %d is still "
                                         "the process that opened it; call again on a new connection, or name "
                                         "the process by a pidfd (the *Pidfd methods, at %s)", (int) e->pid,
                                         RESOURCE1_PIDFD_BUS_NAME);
        }
}

int caller_check_pid(CredsCache *cache, sd_bus_message *m, uint32_t pid, sd_bus_error *error) {
        const char *sender = sd_bus_message_get_sender(m);
        CredsEntry *e = sender ? creds_cache_find(cache, sender) : NULL;
        Caller caller;

        /* Behind a proxy every number is the app's or the proxy's. */
        if (e && e->sandbox > 0 && pid == 0)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_OTHER_PID_NAMESPACE,
                                         "the caller talks through a sandbox's bus proxy (%s%s), so the process "
                                         "that opened its connection, which pid 0 names, is the proxy, not the "
                                         "caller; name the process by a pidfd instead (PrlimitPidfd, "
                                         "ListRlimitsPidfd, GetRusagePidfd, SetRlimitsPidfd, CanSetRlimitsPidfd "
                                         "at %s), as "
                                         "resourcectl, libresource1 and the resource1 Python package do",
                                         e->sandbox == SANDBOX_FLATPAK ? "Flatpak app " : "could not tell which",
                                         e->sandbox == SANDBOX_FLATPAK && e->app_id ? e->app_id : "",
                                         RESOURCE1_PIDFD_BUS_NAME);
        if (e && e->sandbox > 0)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_OTHER_PID_NAMESPACE,
                                         "pid %" PRIu32 " was named from behind a sandbox's bus proxy, where "
                                         "numbers are the sandbox's, not the service's; name the process by a "
                                         "pidfd instead (the *Pidfd methods, at %s)", pid, RESOURCE1_PIDFD_BUS_NAME);
        if (pid == 0)
                return 0;
        int r = caller_pin_entry(cache, m, &e, error);
        if (r < 0)
                return r;
        if (e->pin != PIN_HELD)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_OTHER_PID_NAMESPACE,
                                         "pid %" PRIu32 " was named on a bus connection whose process (pid %d) %s, "
                                         "so the service cannot tell which pid namespace the number is of; name "
                                         "the process by a pidfd instead (the *Pidfd methods, at %s), or call on "
                                         "a new connection of a live process", pid, (int) e->pid,
                                         e->pin == PIN_GONE ? "has exited" :
                                         "it cannot vouch for (the connection is older than what it saw appear)",
                                         RESOURCE1_PIDFD_BUS_NAME);
        r = caller_get(cache, m, CALLER_PIDNS, &caller, error);
        if (r < 0)
                return r;
        if (caller.other_pidns)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_OTHER_PID_NAMESPACE,
                                         "pid %" PRIu32 " was named from another pid namespace than the "
                                         "service's, where the number means a different process; name the "
                                         "process by a pidfd instead (PrlimitPidfd, ListRlimitsPidfd, "
                                         "GetRusagePidfd, SetRlimitsPidfd, CanSetRlimitsPidfd), as resourcectl "
                                         "and libresource1 do",
                                         pid);
        return 0;
}
