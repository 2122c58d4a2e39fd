/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Aborting the FUSE connection of a file a caller passed to a gate
 * (gates-fuse.h). */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "act.h"
#include "context.h"
#include "fuse-conn.h"
#include "gates-fuse.h"
#include "log.h"
#include "util.h"

/* Writing fusectl's abort file never waits on the connection's server: a
 * deadline only for a process the caller stopped. */
#define FUSE_ABORT_DEADLINE_USEC (2ULL * 1000000ULL)

typedef struct FuseAbort {
        Context *context;
        struct FuseAbort *prev, *next;
        sd_bus_message *request;   /* the gate's AbortFuse, answered once decided */
        char *sender;
        unsigned conn;
        uid_t owner;               /* the connection's, as fusectl said when asked */
        sd_bus_slot *creds;        /* GetConnectionCredentials, while asked */
        Acting *acting;
} FuseAbort;

static void fuse_abort_free(FuseAbort *a) {
        Context *c = a->context;
        if (a->prev)
                a->prev->next = a->next;
        else
                c->fuse_aborts = a->next;
        if (a->next)
                a->next->prev = a->prev;
        c->n_fuse_aborts--;
        sd_bus_slot_unref(a->creds);
        act_free(a->acting);
        sd_bus_message_unref(a->request);
        free(a->sender);
        free(a);
}

static void fuse_abort_answer(FuseAbort *a, bool aborted) {
        (void) sd_bus_reply_method_return(a->request, "b", aborted);
        fuse_abort_free(a);
}

static void on_acted(const ActResult *res, void *userdata) {
        FuseAbort *a = userdata;
        bool aborted = res->reported && !res->not_caller && res->r == 0;
        log_refusal(&a->context->refusals, a->owner, LOG_WARNING,
                    "Caller %s (uid %u) passed a file of its own FUSE connection %u, which is not a pidfd and whose "
                    "close would wait on that connection's server: %s", a->sender, (unsigned) a->owner, a->conn,
                    aborted ? "aborted it as that user" : "could not abort it as that user; the gate keeps it");
        fuse_abort_answer(a, aborted);
}

static void fuse_abort_decide(FuseAbort *a, uid_t uid) {
        struct passwd pw, *p = NULL;
        char buf[4096];

        /* Only the owner's own connection, never another user's (a file on
         * someone's allow_other mount must not kill it); and never root's,
         * whose FUSE mounts serve the system (lxcfs and the like). */
        if (uid == UID_INVALID || uid == 0 || uid != a->owner) {
                log_debug("Caller %s (uid %d) passed a file of FUSE connection %u of uid %u: not aborted", a->sender,
                          uid == UID_INVALID ? -1 : (int) uid, a->conn, (unsigned) a->owner);
                fuse_abort_answer(a, false);
                return;
        }
        /* Every id the caller's: its primary group too (the file's mode
         * gives its group nothing, so this changes no check). */
        if (getpwuid_r(uid, &pw, buf, sizeof buf, &p) != 0 || !p) {
                fuse_abort_answer(a, false);
                return;
        }
        ActRequest req = { .uid = uid, .gid = p->pw_gid, .fuse_abort = true, .fuse_connection = a->conn };
        int r = act_as_caller(a->context->event, &req, FUSE_ABORT_DEADLINE_USEC, on_acted, a, &a->acting);
        if (r < 0) {
                log_warning_errno(r, "Could not start the process to abort FUSE connection %u: %m", a->conn);
                fuse_abort_answer(a, false);
        }
}

static int on_creds(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        FuseAbort *a = userdata;
        uint32_t uid = UID_INVALID;
        const char *key;
        (void) error;

        a->creds = sd_bus_slot_unref(a->creds);
        int r = sd_bus_message_is_method_error(m, NULL) ? -EIO : sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read_basic(m, 's', &key);
                if (r >= 0 && strcmp(key, "UnixUserID") == 0)
                        r = sd_bus_message_read(m, "v", "u", &uid);
                else if (r >= 0)
                        r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        /* Unknown (the caller left before the bus was asked): not aborted. */
        fuse_abort_decide(a, r >= 0 ? (uid_t) uid : UID_INVALID);
        return 0;
}

int gates_fuse_abort(Context *c, sd_bus_message *m) {
        const char *sender;
        uint32_t conn;
        uid_t owner;

        int r = sd_bus_message_read(m, "su", &sender, &conn);
        if (r < 0)
                return r;
        /* Checked here again, by the daemon: the connection exists, and
         * whose it is. The gate holds the file, so the number names this
         * very connection until the answer. */
        if (c->n_fuse_aborts >= FUSE_ABORTS_MAX || c->exiting || fuse_connection_owner(conn, &owner) < 0)
                return sd_bus_reply_method_return(m, "b", false);

        FuseAbort *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        *a = (FuseAbort) { .context = c, .request = sd_bus_message_ref(m), .sender = strdup(sender), .conn = conn,
                           .owner = owner, .next = c->fuse_aborts };
        if (c->fuse_aborts)
                c->fuse_aborts->prev = a;
        c->fuse_aborts = a;
        c->n_fuse_aborts++;
        if (!a->sender) {
                fuse_abort_free(a);
                return -ENOMEM;
        }

        CredsEntry *e = creds_cache_find(&c->creds, sender);
        if (e) {
                fuse_abort_decide(a, e->uid);
                return 1;
        }
        /* The gate answers such calls itself: the daemon may never have
         * heard of this caller. Asked, not waited for. */
        r = sd_bus_call_method_async(c->bus, &a->creds, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetConnectionCredentials", on_creds, a, "s", sender);
        if (r < 0)
                fuse_abort_decide(a, UID_INVALID);
        return 1;
}

void gates_fuse_done(Context *c) {
        while (c->fuse_aborts)
                fuse_abort_free(c->fuse_aborts);
}
