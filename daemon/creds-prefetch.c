/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus's word on a new connection, asked asynchronously.
 *
 * Every call names its caller by the bus's unique name; who that is (uid,
 * pid) only the bus daemon can say, with GetConnectionCredentials. Asked
 * synchronously, on the loop, that call waits as long as the bus takes to
 * answer, and a bus whose queue to the daemon is full (any caller can fill
 * it) drops the answer: the loop would wait out the call's timeout. So a
 * filter, ahead of the handlers, holds back the calls of a connection the
 * credentials cache does not know, asks the bus asynchronously, and puts
 * the calls back in the read queue (sd_bus_enqueue_for_read) once the answer
 * is in the cache: the handlers find their caller there. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "creds-prefetch.h"
#include "errors.h"
#include "log.h"
#include "util.h"

/* Bounds on what waits: a connection's calls, and connections. */
#define WAIT_CALLS_MAX 32u
#define WAITS_MAX 256u

typedef struct CredsWait CredsWait;
struct CredsWait {
        Context *context;
        CredsWait *prev, *next;
        char *sender;
        sd_bus_slot *slot;
        sd_bus_message *calls[WAIT_CALLS_MAX];
        unsigned n_calls;
};

static CredsWait *wait_free(CredsWait *w) {
        if (!w)
                return NULL;
        Context *c = w->context;
        if (w->prev)
                w->prev->next = w->next;
        else if (c->creds_waits == w)
                c->creds_waits = w->next;
        if (w->next)
                w->next->prev = w->prev;
        c->n_creds_waits--;
        sd_bus_slot_unref(w->slot);
        for (unsigned i = 0; i < w->n_calls; i++)
                sd_bus_message_unref(w->calls[i]);
        free(w->sender);
        free(w);
        return NULL;
}

/* UnixUserID, ProcessID and UnixGroupIDs (ret_groups NULL and -1 when the
 * bus did not send them) of GetConnectionCredentials' a{sv}. */
static int parse_creds(sd_bus_message *reply, uid_t *ret_uid, pid_t *ret_pid, gid_t **ret_groups,
                       int *ret_n_groups) {
        _cleanup_free_ gid_t *groups = NULL;
        bool have_uid = false, have_pid = false;
        uint32_t uid = 0, pid = 0;
        int n_groups = -1;
        const char *key;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read_basic(reply, 's', &key);
                if (r >= 0 && strcmp(key, "UnixUserID") == 0) {
                        r = sd_bus_message_read(reply, "v", "u", &uid);
                        have_uid = r >= 0;
                } else if (r >= 0 && strcmp(key, "ProcessID") == 0) {
                        r = sd_bus_message_read(reply, "v", "u", &pid);
                        have_pid = r >= 0;
                } else if (r >= 0 && strcmp(key, "UnixGroupIDs") == 0 && !groups) {
                        const void *gids;
                        size_t size = 0;
                        r = sd_bus_message_enter_container(reply, 'v', "au");
                        if (r >= 0)
                                r = sd_bus_message_read_array(reply, 'u', &gids, &size);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        /* The kernel passes at most NGROUPS_MAX (65536). */
                        if (r >= 0 && size / sizeof(uint32_t) <= 65536) {
                                n_groups = (int) (size / sizeof(uint32_t));
                                groups = malloc(size ?: 1);
                                if (!groups)
                                        return -ENOMEM;
                                memcpy(groups, gids, size);
                        }
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return r;
        if (!have_uid || !have_pid || pid == 0)
                return -ENODATA;
        *ret_uid = (uid_t) uid;
        *ret_pid = (pid_t) pid;
        *ret_n_groups = groups ? n_groups : -1;
        *ret_groups = TAKE_PTR(groups);
        return 0;
}

static int on_creds(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        CredsWait *w = userdata;
        Context *c = w->context;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        uid_t uid = UID_INVALID;
        pid_t pid = 0;
        gid_t *groups = NULL;
        int n_groups = -1;
        (void) ret_error;

        w->slot = sd_bus_slot_unref(w->slot);
        int r = e ? -sd_bus_error_get_errno(e) : parse_creds(reply, &uid, &pid, &groups, &n_groups);
        if (r >= 0) {
                CredsEntry scratch = {};
                if (creds_cache_add(&c->creds, w->sender, uid, pid, groups, n_groups, &scratch) == &scratch)
                        creds_entry_clear(&scratch);
        }
        for (unsigned i = 0; i < w->n_calls; i++) {
                /* Dispatched again from the read queue: its caller is cached
                 * now (or, if many others pushed it out meanwhile, asked
                 * again). */
                int q = r >= 0 ? sd_bus_enqueue_for_read(sd_bus_message_get_bus(w->calls[i]), w->calls[i]) : r;
                if (q < 0)
                        (void) sd_bus_reply_method_errorf(w->calls[i], RESOURCE1_ERROR_FAILED,
                                                          "the bus did not tell who the caller is: %s",
                                                          e ? e->message : strerror(-q));
        }
        wait_free(w);
        return 0;
}

static CredsWait *wait_find(Context *c, const char *sender) {
        for (CredsWait *w = c->creds_waits; w; w = w->next)
                if (strcmp(w->sender, sender) == 0)
                        return w;
        return NULL;
}

/* Returns 1 when the call waits (or was answered), 0 to let it through. */
static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        uint8_t type = 0;
        (void) error;

        if (sd_bus_message_get_type(m, &type) < 0 || type != SD_BUS_MESSAGE_METHOD_CALL)
                return 0;
        /* Only the interface's methods ask who calls (not Peer, Introspectable,
         * Properties), and PageSize does not. */
        const char *interface = sd_bus_message_get_interface(m), *sender = sd_bus_message_get_sender(m);
        if (!interface || strcmp(interface, RESOURCE1_INTERFACE) != 0 || !sender ||
            sd_bus_message_is_method_call(m, RESOURCE1_INTERFACE, "PageSize") ||
            creds_cache_find(&c->creds, sender))
                return 0;

        CredsWait *w = wait_find(c, sender);
        if (w && w->n_calls >= WAIT_CALLS_MAX)
                goto busy;
        if (!w) {
                if (c->n_creds_waits >= WAITS_MAX)
                        goto busy;
                w = calloc(1, sizeof *w);
                if (!w)
                        goto busy;
                w->context = c;
                w->sender = strdup(sender);
                w->next = c->creds_waits;
                if (c->creds_waits)
                        c->creds_waits->prev = w;
                c->creds_waits = w;
                c->n_creds_waits++;
                int r = w->sender ? sd_bus_call_method_async(c->bus, &w->slot, "org.freedesktop.DBus",
                                                             "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                                             "GetConnectionCredentials", on_creds, w, "s",
                                                             sender) : -ENOMEM;
                if (r < 0) {
                        wait_free(w);
                        goto busy;
                }
        }
        w->calls[w->n_calls++] = sd_bus_message_ref(m);
        return 1;

busy:
        (void) sd_bus_reply_method_errorf(m, RESOURCE1_ERROR_LIMITS_EXCEEDED,
                                          "too many calls wait for the bus to say who their callers are; "
                                          "try again");
        return 1;
}

int creds_prefetch_attach(Context *c, sd_bus *bus, sd_bus_slot **ret_slot) {
        return sd_bus_add_filter(bus, ret_slot, on_call, c);
}

void creds_prefetch_done(Context *c) {
        while (c->creds_waits) {
                CredsWait *w = c->creds_waits;
                for (unsigned i = 0; i < w->n_calls; i++)
                        (void) sd_bus_reply_method_errorf(w->calls[i], RESOURCE1_ERROR_FAILED,
                                                          "the call was not carried out: the service is exiting");
                wait_free(w);
        }
        c->creds_filter_slot = sd_bus_slot_unref(c->creds_filter_slot);
}
