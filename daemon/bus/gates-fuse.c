/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Aborting the FUSE connection of a file a caller passed to a gate
 * (gates-fuse.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
        sd_bus_message *request;   /* the gate's AbortFuse, answered once decided; holds the file */
        char *sender;
        unsigned conn;
        int file;                  /* O_PATH, of that connection (in the request) */
        uid_t owner;               /* the connection's, as fusectl said when asked */
        gid_t owner_gid;
        uid_t caller;              /* the sender's uid, or UID_INVALID (gone: the bus cannot say) */
        sd_bus_slot *creds;        /* GetConnectionCredentials, while asked */
        Acting *acting;
} FuseAbort;

static void fuse_abort_free(FuseAbort *a) {
        Context *c = a->context;
        LIST_REMOVE(c->fuse_aborts, a);
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
        bool own = a->caller == a->owner;
        /* The connection admits the daemon's ids (act.h): allow_other, in
         * the initial user namespace. */
        bool open_to_all = !own && res->reported && res->r == -EPERM;
        char caller[32] = "gone";

        if (a->caller != UID_INVALID)
                snprintf(caller, sizeof caller, "uid %u", (unsigned) a->caller);
        if (!open_to_all)
                log_refusal(&a->context->refusals, a->owner, LOG_WARNING,
                            "Caller %s (%s) passed a file of %s FUSE connection %u%s, which is not a pidfd and whose "
                            "close waited on that connection's server past the gate's deadline: %s (uid %u)",
                            a->sender, caller, own ? "its own" : "a private", a->conn,
                            own ? "" : " (it refuses the daemon: no allow_other, or mounted in a user namespace)",
                            aborted ? "aborted it as its owner" : "could not abort it as its owner; the gate keeps it",
                            (unsigned) a->owner);
        else
                log_debug("Caller %s (%s) passed a file of FUSE connection %u of uid %u, which lets every user "
                          "open its files (allow_other, in the initial user namespace), and whose close waited past "
                          "the gate's deadline: not aborted", a->sender, caller, a->conn, (unsigned) a->owner);
        fuse_abort_answer(a, aborted);
}

/* Asked only for a close that waited past the gate's deadline: a healthy
 * server's files are never aborted. The caller's own connection is aborted
 * as the caller, whatever its mount options: what it could do itself.
 * Anyone else's (or when the caller is gone, so the bus cannot say whose it
 * was) only if the connection refuses the daemon's own ids, which the
 * acting process checks first (act.h): private to its owner, or an
 * allow_other mount made in a user namespace, which admits only processes
 * of that namespace. Then only the owner's processes, or those of its own
 * namespace, could have opened the file, and the server is withholding the
 * flush: the abort is what the owner could do and harms only the owner's
 * own connection. An allow_other mount of the initial namespace (which
 * needs user_allow_other in /etc/fuse.conf, an administrator's choice)
 * lets any user open its files, and one must not end another's file
 * system: that file stays with the gate (kept, then retired). Never a
 * connection of root's, whose FUSE mounts serve the system (lxcfs and the
 * like). The acting process has exactly the owner's uid and gid (the
 * fusectl directory's: the connection's user_id and group_id), no
 * supplementary group, no capability. */
static void fuse_abort_decide(FuseAbort *a, uid_t uid) {
        a->caller = uid;
        if (a->owner == 0) {
                log_debug("Caller %s passed a file of FUSE connection %u of root: not aborted", a->sender, a->conn);
                fuse_abort_answer(a, false);
                return;
        }
        ActRequest req = { .uid = a->owner, .gid = a->owner_gid, .fuse_abort = true, .fuse_connection = a->conn,
                           .fuse_file = uid == a->owner ? -1 : a->file };
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
        /* Unknown (the caller left before the bus was asked): aborted only
         * if the connection is private to its owner. */
        fuse_abort_decide(a, r >= 0 ? (uid_t) uid : UID_INVALID);
        return 0;
}

int gates_fuse_abort(Context *c, sd_bus_message *m) {
        const char *sender;
        uint32_t conn;
        uid_t owner;
        gid_t owner_gid;
        int file;

        int r = sd_bus_message_read(m, "suh", &sender, &conn, &file);
        if (r < 0)
                return r;
        /* Checked here again, by the daemon: the connection exists, and
         * whose it is. The gate holds the file, so the number names this
         * very connection until the answer. The file must be an O_PATH one,
         * whose close (with the request's) never calls into FUSE. */
        int flags = fcntl(file, F_GETFL);
        if (flags < 0 || !(flags & O_PATH) || c->exiting || fuse_connection_owner(conn, &owner, &owner_gid) < 0)
                return sd_bus_reply_method_return(m, "b", false);
        /* Busy with others: the gate asks again shortly (gate-close.c). */
        if (c->n_fuse_aborts >= FUSE_ABORTS_MAX)
                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                                  "%u FUSE connections' aborts are under way", c->n_fuse_aborts);

        FuseAbort *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        *a = (FuseAbort) { .context = c, .request = sd_bus_message_ref(m), .sender = strdup(sender), .conn = conn,
                           .file = file, .owner = owner, .owner_gid = owner_gid };
        LIST_PREPEND(c->fuse_aborts, a);
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
        r = c->ask_credentials(c, sender, 0, on_creds, a, &a->creds);
        if (r < 0)
                fuse_abort_decide(a, UID_INVALID);
        return 1;
}

void gates_fuse_done(Context *c) {
        while (c->fuse_aborts)
                fuse_abort_free(c->fuse_aborts);
}
