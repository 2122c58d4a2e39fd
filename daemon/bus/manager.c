/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vtable and its handlers: reads of limits are answered here, changes go
 * through change.c and usage reads through usage-call.c. The limits a read
 * returns are appended one basic field at a time, and the few arguments of
 * GetRlimit, ListRlimits and GetRusage read so: sd-bus parses a signature
 * string again on every sd_bus_message_read()/append() call, which cost more
 * than the rest of a read. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "act.h"
#include "call-size.h"
#include "caller-pin.h"
#include "change.h"
#include "context.h"
#include "creds-prefetch.h"
#include "errors.h"
#include "log.h"
#include "manager.h"
#include "rlimits.h"
#include "usage-call.h"
#include "util.h"
#include "work.h"


/* Built field by field, as the listing: cheaper than parsing "tt". */
static int reply_limits(sd_bus_message *m, const struct rlimit *l) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t soft = l->rlim_cur, hard = l->rlim_max;

        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, 't', &soft);
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, 't', &hard);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* GetRlimit, and Prlimit and PrlimitPidfd without "set": a read, never a decision. */
static int limit_get(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, const char *name, sd_bus_error *error) {
        struct rlimit all[RLIM_NLIMITS];
        const Resource1Rlimit *res;
        pid_t p;
        int r;

        r = resource_get(name, &res, error);
        if (r < 0)
                return r;
        r = limits_read_for_call(c, m, pid, pidfd, res->number, all, &p, error);
        if (r < 0)
                return r;

        log_debug("%s %s of pid %d", sd_bus_message_get_member(m), res->name, (int) p);
        return reply_limits(m, &all[res->number]);
}

static int method_get_rlimit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;

        int r = sd_bus_message_read_basic(m, 's', &name);
        if (r < 0)
                return r;
        return limit_get(userdata, m, 0, -1, name, error);
}

static int method_set_rlimit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ChangeLimit l;

        int r = sd_bus_message_read(m, "stt", &l.resource, &l.soft, &l.hard);
        if (r < 0)
                return r;
        return change_start(userdata, m, 0, -1, &l, 1, CHANGE_REPLY_NOTHING, error);
}

static int method_prlimit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ChangeLimit l;
        uint32_t pid;
        int set;

        int r = sd_bus_message_read(m, "usbtt", &pid, &l.resource, &set, &l.soft, &l.hard);
        if (r < 0)
                return r;
        if (!set)
                return limit_get(userdata, m, pid, -1, l.resource, error);
        return change_start(userdata, m, pid, -1, &l, 1, CHANGE_REPLY_OLD, error);
}

/* The pidfd every *Pidfd method starts with. An "h" argument is an index
 * into the descriptors the message carries; when none is there (a call
 * made without a descriptor list, or an index past its end), sd-bus fails
 * the read with -EBADMSG, which would reach the caller as
 * InconsistentMessage "Bad message". On the system bus none is ever there:
 * the daemon takes descriptors only through its gate (gates.h). */
static int read_pidfd(Context *c, sd_bus_message *m, int *ret_fd, sd_bus_error *error) {
        int fd;
        int r = sd_bus_message_read_basic(m, 'h', &fd);
        if (r == -EBADMSG && sd_bus_message_get_bus(m) == c->bus)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "%s takes no descriptors: call %s at %s, which takes the pidfd",
                                         RESOURCE1_BUS_NAME, sd_bus_message_get_member(m), RESOURCE1_PIDFD_BUS_NAME);
        if (r == -EBADMSG)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "no file descriptor was passed with the call at the pidfd argument's "
                                        "index (an index into those the message carries)");
        if (r < 0)
                return r;
        *ret_fd = fd;
        return 0;
}

static int method_prlimit_pidfd(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ChangeLimit l;
        int fd = -1, set;

        int r = read_pidfd(userdata, m, &fd, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "sbtt", &l.resource, &set, &l.soft, &l.hard);
        if (r < 0)
                return r;
        if (!set)
                return limit_get(userdata, m, 0, fd, l.resource, error);
        return change_start(userdata, m, 0, fd, &l, 1, CHANGE_REPLY_OLD, error);
}

/* SetRlimits and SetRlimitsPidfd, and their dry runs CanSetRlimits and
 * CanSetRlimitsPidfd: the a(stt) batch, read whole before anything is
 * decided. */
static int set_rlimits(sd_bus_message *m, Context *c, uint32_t pid, int pidfd, ChangeReply reply,
                       sd_bus_error *error) {
        ChangeLimit limits[RLIM_NLIMITS];
        size_t n = 0;

        int r = sd_bus_message_enter_container(m, 'a', "(stt)");
        if (r < 0)
                return r;
        for (;;) {
                ChangeLimit l;
                r = sd_bus_message_read(m, "(stt)", &l.resource, &l.soft, &l.hard);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                /* One more than can be valid is enough to refuse the batch,
                 * and the rest of it is not read: an array of millions of
                 * entries would otherwise be walked on the loop. */
                if (n == RLIM_NLIMITS)
                        return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_LIMITS,
                                                 "at least %d limits given; there are %d resources",
                                                 (int) RLIM_NLIMITS + 1, (int) RLIM_NLIMITS);
                limits[n++] = l;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        return change_start(c, m, pid, pidfd, limits, n, reply, error);
}

static int method_set_rlimits(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uint32_t pid;

        int r = sd_bus_message_read_basic(m, 'u', &pid);
        if (r < 0)
                return r;
        return set_rlimits(m, userdata, pid, -1, CHANGE_REPLY_OLD_ALL, error);
}

static int method_set_rlimits_pidfd(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int fd = -1;

        int r = read_pidfd(userdata, m, &fd, error);
        if (r < 0)
                return r;
        return set_rlimits(m, userdata, 0, fd, CHANGE_REPLY_OLD_ALL, error);
}

static int method_can_set_rlimits(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uint32_t pid;

        int r = sd_bus_message_read_basic(m, 'u', &pid);
        if (r < 0)
                return r;
        return set_rlimits(m, userdata, pid, -1, CHANGE_REPLY_CAN, error);
}

static int method_can_set_rlimits_pidfd(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int fd = -1;

        int r = read_pidfd(userdata, m, &fd, error);
        if (r < 0)
                return r;
        return set_rlimits(m, userdata, 0, fd, CHANGE_REPLY_CAN, error);
}

static int method_get_rusage(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *who;
        uint32_t pid;

        int r = sd_bus_message_read_basic(m, 'u', &pid);
        if (r >= 0)
                r = sd_bus_message_read_basic(m, 's', &who);
        if (r < 0)
                return r;
        return usage_start(userdata, m, pid, -1, who, error);
}

static int method_get_rusage_pidfd(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *who;
        int fd = -1;

        int r = read_pidfd(userdata, m, &fd, error);
        if (r >= 0)
                r = sd_bus_message_read_basic(m, 's', &who);
        if (r < 0)
                return r;
        return usage_start(userdata, m, 0, fd, who, error);
}

static int method_page_size(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) userdata, (void) error;
        return sd_bus_reply_method_return(m, "t", (uint64_t) sysconf(_SC_PAGESIZE));
}

static int list_rlimits(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct rlimit all[RLIM_NLIMITS];
        pid_t p;
        int r;

        r = limits_read_for_call(c, m, pid, pidfd, -1, all, &p, error);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(stt)");
        if (r < 0)
                return r;
        /* Field by field: sd_bus_message_append() would parse "(stt)" again
         * for every entry, two thirds of the call's cost. */
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                uint64_t soft = all[i].rlim_cur, hard = all[i].rlim_max;
                r = sd_bus_message_open_container(reply, 'r', "stt");
                if (r >= 0)
                        r = sd_bus_message_append_basic(reply, 's', resource1_rlimits[i].name);
                if (r >= 0)
                        r = sd_bus_message_append_basic(reply, 't', &soft);
                if (r >= 0)
                        r = sd_bus_message_append_basic(reply, 't', &hard);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        log_debug("ListRlimits of pid %d", (int) p);
        return sd_bus_send(NULL, reply, NULL);
}

static int method_list_rlimits(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uint32_t pid;

        int r = sd_bus_message_read_basic(m, 'u', &pid);
        if (r < 0)
                return r;
        return list_rlimits(userdata, m, pid, -1, error);
}

static int method_list_rlimits_pidfd(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int fd = -1;

        int r = read_pidfd(userdata, m, &fd, error);
        if (r < 0)
                return r;
        return list_rlimits(userdata, m, 0, fd, error);
}

static int property_get_resources(sd_bus *bus, const char *path, const char *interface,
                                  const char *property, sd_bus_message *reply, void *userdata,
                                  sd_bus_error *error) {
        (void) bus, (void) path, (void) interface, (void) property, (void) userdata, (void) error;

        int r = sd_bus_message_open_container(reply, 'a', "s");
        if (r < 0)
                return r;
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                r = sd_bus_message_append(reply, "s", resource1_rlimits[i].name);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_infinity(sd_bus *bus, const char *path, const char *interface,
                                 const char *property, sd_bus_message *reply, void *userdata,
                                 sd_bus_error *error) {
        (void) bus, (void) path, (void) interface, (void) property, (void) userdata, (void) error;
        return sd_bus_message_append(reply, "t", (uint64_t) RLIM_INFINITY);
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error) {
        (void) bus, (void) path, (void) interface, (void) property, (void) userdata, (void) error;
        return sd_bus_message_append(reply, "s", PROJECT_VERSION);
}

static int property_get_can_raise(sd_bus *bus, const char *path, const char *interface,
                                  const char *property, sd_bus_message *reply, void *userdata,
                                  sd_bus_error *error) {
        (void) bus, (void) path, (void) interface, (void) property, (void) userdata, (void) error;
        return sd_bus_message_append(reply, "b", have_cap_sys_resource());
}

static const sd_bus_vtable resource1_vtable[] = {
        SD_BUS_VTABLE_START(0),

        SD_BUS_PROPERTY("Resources", "as", property_get_resources, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Infinity", "t", property_get_infinity, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("CanRaiseHardLimits", "b", property_get_can_raise, 0, 0),

        SD_BUS_METHOD_WITH_ARGS("GetRlimit",
                                SD_BUS_ARGS("s", resource),
                                SD_BUS_RESULT("t", soft, "t", hard),
                                method_get_rlimit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetRlimit",
                                SD_BUS_ARGS("s", resource, "t", soft, "t", hard),
                                SD_BUS_NO_RESULT,
                                method_set_rlimit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Prlimit",
                                SD_BUS_ARGS("u", pid, "s", resource, "b", set, "t", soft, "t", hard),
                                SD_BUS_RESULT("t", soft, "t", hard),
                                method_prlimit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetRusage",
                                SD_BUS_ARGS("u", pid, "s", who),
                                SD_BUS_RESULT("a{sv}", usage),
                                method_get_rusage, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PageSize",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("t", bytes),
                                method_page_size, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListRlimits",
                                SD_BUS_ARGS("u", pid),
                                SD_BUS_RESULT("a(stt)", limits),
                                method_list_rlimits, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PrlimitPidfd",
                                SD_BUS_ARGS("h", pidfd, "s", resource, "b", set, "t", soft, "t", hard),
                                SD_BUS_RESULT("t", soft, "t", hard),
                                method_prlimit_pidfd, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_METHOD_WITH_ARGS("ListRlimitsPidfd",
                                SD_BUS_ARGS("h", pidfd),
                                SD_BUS_RESULT("a(stt)", limits),
                                method_list_rlimits_pidfd, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetRusagePidfd",
                                SD_BUS_ARGS("h", pidfd, "s", who),
                                SD_BUS_RESULT("a{sv}", usage),
                                method_get_rusage_pidfd, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetRlimits",
                                SD_BUS_ARGS("u", pid, "a(stt)", limits),
                                SD_BUS_RESULT("a(stt)", old),
                                method_set_rlimits, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetRlimitsPidfd",
                                SD_BUS_ARGS("h", pidfd, "a(stt)", limits),
                                SD_BUS_RESULT("a(stt)", old),
                                method_set_rlimits_pidfd, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CanSetRlimits",
                                SD_BUS_ARGS("u", pid, "a(stt)", limits),
                                SD_BUS_RESULT("s", answer, "a(sss)", per_limit),
                                method_can_set_rlimits, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CanSetRlimitsPidfd",
                                SD_BUS_ARGS("h", pidfd, "a(stt)", limits),
                                SD_BUS_RESULT("s", answer, "a(sss)", per_limit),
                                method_can_set_rlimits_pidfd, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_SIGNAL_WITH_ARGS("RlimitChanged",
                                SD_BUS_ARGS("u", pid, "s", resource, "t", old_soft, "t", old_hard, "t", soft,
                                            "t", hard, "u", caller_uid),
                                0),

        SD_BUS_VTABLE_END
};

int manager_serve(Context *c, sd_bus *bus, sd_bus_slot **ret_vtable, sd_bus_slot **ret_filter) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *filter = NULL;
        int r = creds_prefetch_attach(c, bus, &filter);
        if (r < 0)
                return r;
        /* After the creds prefetch: it runs first, and a call too large is
         * answered before the bus is asked who sent it. */
        r = call_size_attach(bus, RESOURCE1_PATH, RESOURCE1_INTERFACE, resource1_vtable);
        if (r < 0)
                return r;
        r = sd_bus_add_object_vtable(bus, ret_vtable, RESOURCE1_PATH, RESOURCE1_INTERFACE, resource1_vtable, c);
        if (r < 0)
                return r;
        *ret_filter = TAKE_PTR(filter);
        return 0;
}

int manager_attach(Context *c) {
        int r = changes_attach(c);
        if (r < 0)
                return r;
        r = caller_pin_attach(c, creds_prefetch_pinned);
        if (r < 0)
                return r;
        /* A few workers for usage reads, which a target can make slow (one
         * per account at a time, so a read stuck behind a process's own
         * locks holds one worker); an account may have as many waiting as it
         * may have changes in progress. */
        r = work_pool_new(c->event, 8, c->max_pending_per_uid, c->max_pending, &c->usage_pool);
        if (r < 0)
                return r;
        return manager_serve(c, c->bus, &c->vtable_slot, &c->creds_filter_slot);
}

void manager_done(Context *c) {
        creds_prefetch_done(c);
        caller_pin_done(c);
        changes_abort(c, "the service is exiting");
        c->usage_pool = work_pool_free(c->usage_pool);
}
