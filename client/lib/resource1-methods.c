/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: each member of org.example.Resource1 it uses, one row, and
 * each public call, a thin wrapper that names its rows, checks its
 * arguments, names its target and gives the program what the reply says.
 * What they share: resource1-request.c (the checks, the target),
 * resource1-message.c (a row's message and the readers of replies),
 * resource1-sync.c and resource1-async.c (sending, retrying, answering).
 * A new method is a row here, its functions here and their prototypes in
 * resource1.h (README.md, "Adding a method or a resource name"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-bus.h>

#include "resource1-internal.h"

/* ---- the rows ---- */

enum {
        M_GET_RLIMIT,
        M_SET_RLIMIT,
        M_PRLIMIT,
        M_GET_RUSAGE,
        M_PAGE_SIZE,
        M_LIST_RLIMITS,
        M_PRLIMIT_PIDFD,
        M_LIST_RLIMITS_PIDFD,
        M_GET_RUSAGE_PIDFD,
        M_SET_RLIMITS,
        M_SET_RLIMITS_PIDFD,
        M_CAN_SET_RLIMITS,
        M_CAN_SET_RLIMITS_PIDFD,
        M_RLIMIT_CHANGED,
        M_RESOURCES,
        M_VERSION,
        M_CAN_RAISE_HARD_LIMITS,
};

/* The table's short words. */
#define METHOD MEMBER_METHOD
#define PROPERTY MEMBER_PROPERTY
#define SIGNAL MEMBER_SIGNAL
#define READS MEMBER_READS
#define CHANGES MEMBER_CHANGES
#define CHANGES_IF_SET MEMBER_CHANGES_IF_SET

/* In the specification's order; tests/unit/test-library-members.c checks each
 * against it. */
const Member members[] = {
        /*                            name                  kind      in         out        target         change          read */
        [M_GET_RLIMIT]            = { "GetRlimit",          METHOD,   "s",       "tt",      TARGET_CALLER, READS,          read_limit },
        [M_SET_RLIMIT]            = { "SetRlimit",          METHOD,   "stt",     "",        TARGET_CALLER, CHANGES,        read_nothing },
        [M_PRLIMIT]               = { "Prlimit",            METHOD,   "usbtt",   "tt",      TARGET_PID,    CHANGES_IF_SET, read_limit },
        [M_GET_RUSAGE]            = { "GetRusage",          METHOD,   "us",      "a{sv}",   TARGET_PID,    READS,          read_usage },
        [M_PAGE_SIZE]             = { "PageSize",           METHOD,   "",        "t",       TARGET_NONE,   READS,          read_u64 },
        [M_LIST_RLIMITS]          = { "ListRlimits",        METHOD,   "u",       "a(stt)",  TARGET_PID,    READS,          read_list },
        [M_PRLIMIT_PIDFD]         = { "PrlimitPidfd",       METHOD,   "hsbtt",   "tt",      TARGET_PIDFD,  CHANGES_IF_SET, read_limit },
        [M_LIST_RLIMITS_PIDFD]    = { "ListRlimitsPidfd",   METHOD,   "h",       "a(stt)",  TARGET_PIDFD,  READS,          read_list },
        [M_GET_RUSAGE_PIDFD]      = { "GetRusagePidfd",     METHOD,   "hs",      "a{sv}",   TARGET_PIDFD,  READS,          read_usage },
        [M_SET_RLIMITS]           = { "SetRlimits",         METHOD,   "ua(stt)", "a(stt)",  TARGET_PID,    CHANGES,        read_old_limits },
        [M_SET_RLIMITS_PIDFD]     = { "SetRlimitsPidfd",    METHOD,   "ha(stt)", "a(stt)",  TARGET_PIDFD,  CHANGES,        read_old_limits },
        [M_CAN_SET_RLIMITS]       = { "CanSetRlimits",      METHOD,   "ua(stt)", "sa(sss)", TARGET_PID,    READS,          read_can_answers },
        [M_CAN_SET_RLIMITS_PIDFD] = { "CanSetRlimitsPidfd", METHOD,   "ha(stt)", "sa(sss)", TARGET_PIDFD,  READS,          read_can_answers },
        [M_RLIMIT_CHANGED]        = { "RlimitChanged",      SIGNAL,   "",        "usttttu", TARGET_NONE,   READS,          read_rlimit_changed },
        [M_RESOURCES]             = { "Resources",          PROPERTY, "",        "as",      TARGET_NONE,   READS,          read_property },
        [M_VERSION]               = { "Version",            PROPERTY, "",        "s",       TARGET_NONE,   READS,          read_property },
        [M_CAN_RAISE_HARD_LIMITS] = { "CanRaiseHardLimits", PROPERTY, "",        "b",       TARGET_NONE,   READS,          read_property },
};
const size_t members_count = ELEMENTSOF(members);

const MemberLeftOut members_left_out[] = {
        { "Infinity", PROPERTY, "a constant: RESOURCE1_INFINITY in resource1.h" },
};
const size_t members_left_out_count = ELEMENTSOF(members_left_out);

/* A request for a call by a pidfd (the target's, or this process's), or
 * by number where it has none. */
static Request request_by(int by_fd, int by_number) {
        Request q = REQUEST(&members[by_fd]);
        q.by_number = &members[by_number];
        return q;
}

/* ---- how a result reaches a callback of each handler type ---- */

static void deliver_done(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        if (s->callback)
                ((Resource1DoneHandler) s->callback)(h, r, err, s->userdata);
}

static void deliver_limit(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        if (s->callback)
                ((Resource1LimitHandler) s->callback)(h, r, err, r >= 0 ? &res->limit : NULL, s->userdata);
}

static void deliver_limits(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        if (s->callback)
                ((Resource1LimitsHandler) s->callback)(h, r, err, r >= 0 ? res->old : NULL, r >= 0 ? res->n_old : 0,
                                                       s->userdata);
}

/* r: the batch's answer, as the synchronous call returns it. */
static void deliver_answers(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        if (s->callback)
                ((Resource1AnswerHandler) s->callback)(h, r >= 0 ? (int) res->answer : r, err,
                                                       r >= 0 ? res->answers : NULL, r >= 0 ? res->n_answers : 0,
                                                       s->userdata);
}

static void deliver_list(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        if (s->callback)
                ((Resource1ListHandler) s->callback)(h, r, err, r >= 0 ? res->entries : NULL,
                                                     r >= 0 ? res->n_entries : 0, s->userdata);
}

/* The usage in as many bytes as the program's size. */
static void deliver_usage(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        static const sd_bus_error no_memory = SD_BUS_ERROR_MAKE_CONST(SD_BUS_ERROR_NO_MEMORY, "out of memory");
        void *u = NULL;

        if (r >= 0 && !(u = malloc(s->req.usage_size))) {
                r = -ENOMEM;
                err = &no_memory;
        }
        if (u)
                usage_copy(u, &res->usage, s->req.usage_size);
        if (s->callback)
                ((Resource1UsageHandler) s->callback)(h, r, err, u, s->userdata);
        free(u);
}

static void deliver_u64(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        if (s->callback)
                ((Resource1Uint64Handler) s->callback)(h, r, err, r >= 0 ? res->u64 : 0, s->userdata);
}

static void deliver_bool(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        if (s->callback)
                ((Resource1BoolHandler) s->callback)(h, r, err, r >= 0 && res->b, s->userdata);
}

static void deliver_string(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        if (s->callback)
                ((Resource1StringHandler) s->callback)(h, r, err, r >= 0 ? res->s : NULL, s->userdata);
}

static void deliver_strv(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res) {
        if (s->callback)
                ((Resource1StrvHandler) s->callback)(h, r, err, r >= 0 ? res->strv : NULL, s->userdata);
}

/* ---- getrlimit, setrlimit ----
 *
 * This process by its pidfd, as pid 0 is (target_set()): the service's own
 * "caller" is whoever owns the bus connection, a proxy's process behind one.
 * Where no pidfd of it can be passed, GetRlimit and SetRlimit. */

static int make_getrlimit(Resource1 *h, int resource, Request *q) {
        *q = request_by(M_PRLIMIT_PIDFD, M_GET_RLIMIT);
        return check_resource(h, resource, &q->strings[0]);
}

static int make_setrlimit(Resource1 *h, int resource, const Resource1Limit *limit, Request *q) {
        *q = request_by(M_PRLIMIT_PIDFD, M_SET_RLIMIT);
        q->set = true;
        q->discard_reply = true;   /* PrlimitPidfd's old limits: setrlimit() gives none */
        int r = check_resource(h, resource, &q->strings[0]);
        if (r < 0)
                return r;
        r = check_arg(h, limit, "limit is NULL");
        if (r < 0)
                return r;
        q->limit = *limit;
        return 0;
}

static int do_getrlimit(Resource1 *h, int resource, Resource1Limit *ret) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_getrlimit(h, resource, &q);
        if (r >= 0)
                r = check_arg(h, ret, "ret is NULL");
        if (r >= 0)
                r = target_set(h, false, 0, false, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r >= 0)
                *ret = res.limit;
        return r;
}

_public_ int resource1_getrlimit(Resource1 *h, int resource, Resource1Limit *ret) {
        return WITH_HANDLE(h, do_getrlimit(h, resource, ret));
}

static int do_setrlimit(Resource1 *h, int resource, const Resource1Limit *limit) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_setrlimit(h, resource, limit, &q);
        if (r >= 0)
                r = target_set(h, false, 0, false, false, &q);
        return call_sync_done(h, r, &q, &res);
}

_public_ int resource1_setrlimit(Resource1 *h, int resource, const Resource1Limit *limit) {
        return WITH_HANDLE(h, do_setrlimit(h, resource, limit));
}

_public_ int resource1_getrlimit_async(Resource1 *h, Resource1Slot **ret_slot, int resource,
                                       Resource1LimitHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_getrlimit(h, resource, &q);
        if (r >= 0)
                r = target_set(h, false, 0, false, true, &q);   /* this process, by its pidfd */
        return start_async(h, ret_slot, r, &q, (SlotCallback) callback, deliver_limit, userdata);
}

_public_ int resource1_setrlimit_async(Resource1 *h, Resource1Slot **ret_slot, int resource, const Resource1Limit *limit,
                                       Resource1DoneHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_setrlimit(h, resource, limit, &q);
        if (r >= 0)
                r = target_set(h, false, 0, false, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) callback, deliver_done, userdata);
}

/* ---- prlimit: PrlimitPidfd, or Prlimit by number ---- */

static int make_prlimit(Resource1 *h, bool by_fd, int pid_or_fd, int resource, const Resource1Limit *new_limit,
                        bool keep, Request *q) {
        *q = request_by(M_PRLIMIT_PIDFD, M_PRLIMIT);
        int r = check_resource(h, resource, &q->strings[0]);
        if (r < 0)
                return r;
        q->set = new_limit != NULL;
        if (new_limit)
                q->limit = *new_limit;
        return target_set(h, by_fd, pid_or_fd, false, keep, q);
}

static int do_prlimit(Resource1 *h, bool by_fd, int pid_or_fd, int resource, const Resource1Limit *new_limit,
                      Resource1Limit *ret_old) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_prlimit(h, by_fd, pid_or_fd, resource, new_limit, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r >= 0 && ret_old)
                *ret_old = res.limit;
        return r;
}

_public_ int resource1_prlimit(Resource1 *h, pid_t pid, int resource, const Resource1Limit *new_limit,
                               Resource1Limit *ret_old) {
        return WITH_HANDLE(h, do_prlimit(h, false, pid, resource, new_limit, ret_old));
}

_public_ int resource1_prlimit_pidfd(Resource1 *h, int pidfd, int resource, const Resource1Limit *new_limit,
                                     Resource1Limit *ret_old) {
        return WITH_HANDLE(h, do_prlimit(h, true, pidfd, resource, new_limit, ret_old));
}

static int prlimit_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd, int resource,
                         const Resource1Limit *new_limit, Resource1LimitHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_prlimit(h, by_fd, pid_or_fd, resource, new_limit, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) callback, deliver_limit, userdata);
}

_public_ int resource1_prlimit_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, int resource,
                                     const Resource1Limit *new_limit, Resource1LimitHandler callback, void *userdata) {
        return prlimit_async(h, ret_slot, false, pid, resource, new_limit, callback, userdata);
}

_public_ int resource1_prlimit_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, int resource,
                                           const Resource1Limit *new_limit, Resource1LimitHandler callback,
                                           void *userdata) {
        return prlimit_async(h, ret_slot, true, pidfd, resource, new_limit, callback, userdata);
}

/* ---- setrlimits: SetRlimitsPidfd, or SetRlimits by number ---- */

/* keep: an asynchronous call's own copies of the arrays and the pidfd. */
static int make_setrlimits(Resource1 *h, bool by_fd, int pid_or_fd, const int resources[],
                           const Resource1Limit limits[], size_t n, bool keep, Request *q) {
        *q = request_by(M_SET_RLIMITS_PIDFD, M_SET_RLIMITS);
        int r = check_batch(h, resources, limits, n);
        if (r < 0)
                return r;
        q->n = n;
        q->resources = resources;
        q->limits = limits;
        if (keep) {
                r = request_keep_batch(h, q);
                if (r < 0)
                        return r;
        }
        return target_set(h, by_fd, pid_or_fd, false, keep, q);
}

static int do_setrlimits(Resource1 *h, bool by_fd, int pid_or_fd, const int resources[], const Resource1Limit limits[],
                         size_t n, Resource1Limit ret_old[]) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_setrlimits(h, by_fd, pid_or_fd, resources, limits, n, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r >= 0 && ret_old)
                memcpy(ret_old, res.old, n * sizeof res.old[0]);
        return r;
}

_public_ int resource1_setrlimits(Resource1 *h, pid_t pid, const int resources[], const Resource1Limit limits[],
                                  size_t n, Resource1Limit ret_old[]) {
        return WITH_HANDLE(h, do_setrlimits(h, false, pid, resources, limits, n, ret_old));
}

_public_ int resource1_setrlimits_pidfd(Resource1 *h, int pidfd, const int resources[], const Resource1Limit limits[],
                                        size_t n, Resource1Limit ret_old[]) {
        return WITH_HANDLE(h, do_setrlimits(h, true, pidfd, resources, limits, n, ret_old));
}

static int setrlimits_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd, const int resources[],
                            const Resource1Limit limits[], size_t n, Resource1LimitsHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_setrlimits(h, by_fd, pid_or_fd, resources, limits, n, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) callback, deliver_limits, userdata);
}

_public_ int resource1_setrlimits_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, const int resources[],
                                        const Resource1Limit limits[], size_t n, Resource1LimitsHandler callback,
                                        void *userdata) {
        return setrlimits_async(h, ret_slot, false, pid, resources, limits, n, callback, userdata);
}

_public_ int resource1_setrlimits_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, const int resources[],
                                              const Resource1Limit limits[], size_t n, Resource1LimitsHandler callback,
                                              void *userdata) {
        return setrlimits_async(h, ret_slot, true, pidfd, resources, limits, n, callback, userdata);
}

/* ---- can_setrlimits: CanSetRlimitsPidfd, or CanSetRlimits by number ---- */

static int make_can_setrlimits(Resource1 *h, bool by_fd, int pid_or_fd, const int resources[],
                               const Resource1Limit limits[], size_t n, bool keep, Request *q) {
        int r = make_setrlimits(h, by_fd, pid_or_fd, resources, limits, n, keep, q);
        q->member = &members[M_CAN_SET_RLIMITS_PIDFD];
        q->by_number = &members[M_CAN_SET_RLIMITS];
        return r;
}

static int do_can_setrlimits(Resource1 *h, bool by_fd, int pid_or_fd, const int resources[],
                             const Resource1Limit limits[], size_t n, Resource1LimitAnswer ret_per_limit[]) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_can_setrlimits(h, by_fd, pid_or_fd, resources, limits, n, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r < 0)
                return r;
        if (ret_per_limit)
                memcpy(ret_per_limit, res.answers, n * sizeof res.answers[0]);
        return (int) res.answer;
}

_public_ int resource1_can_setrlimits(Resource1 *h, pid_t pid, const int resources[], const Resource1Limit limits[],
                                      size_t n, Resource1LimitAnswer ret_per_limit[]) {
        return WITH_HANDLE(h, do_can_setrlimits(h, false, pid, resources, limits, n, ret_per_limit));
}

_public_ int resource1_can_setrlimits_pidfd(Resource1 *h, int pidfd, const int resources[],
                                            const Resource1Limit limits[], size_t n,
                                            Resource1LimitAnswer ret_per_limit[]) {
        return WITH_HANDLE(h, do_can_setrlimits(h, true, pidfd, resources, limits, n, ret_per_limit));
}

static int can_setrlimits_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd,
                                const int resources[], const Resource1Limit limits[], size_t n,
                                Resource1AnswerHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_can_setrlimits(h, by_fd, pid_or_fd, resources, limits, n, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) callback, deliver_answers, userdata);
}

_public_ int resource1_can_setrlimits_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, const int resources[],
                                            const Resource1Limit limits[], size_t n,
                                            Resource1AnswerHandler callback, void *userdata) {
        return can_setrlimits_async(h, ret_slot, false, pid, resources, limits, n, callback, userdata);
}

_public_ int resource1_can_setrlimits_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd,
                                                  const int resources[], const Resource1Limit limits[], size_t n,
                                                  Resource1AnswerHandler callback, void *userdata) {
        return can_setrlimits_async(h, ret_slot, true, pidfd, resources, limits, n, callback, userdata);
}

/* ---- list_rlimits: ListRlimitsPidfd, or ListRlimits by number ---- */

static int do_list(Resource1 *h, bool by_fd, int pid_or_fd, Resource1LimitEntry ret[], size_t n) {
        Request q = request_by(M_LIST_RLIMITS_PIDFD, M_LIST_RLIMITS);
        Result res = {};

        begin(h);
        int r = check_arg(h, ret || n == 0, "ret is NULL");
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, false, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r < 0)
                return r;
        size_t k = res.n_entries < n ? res.n_entries : n;
        if (k > 0)
                memcpy(ret, res.entries, k * sizeof res.entries[0]);
        return (int) k;
}

_public_ int resource1_list_rlimits(Resource1 *h, pid_t pid, Resource1LimitEntry ret[], size_t n) {
        return WITH_HANDLE(h, do_list(h, false, pid, ret, n));
}

_public_ int resource1_list_rlimits_pidfd(Resource1 *h, int pidfd, Resource1LimitEntry ret[], size_t n) {
        return WITH_HANDLE(h, do_list(h, true, pidfd, ret, n));
}

static int list_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd, Resource1ListHandler callback,
                      void *userdata) {
        Request q = request_by(M_LIST_RLIMITS_PIDFD, M_LIST_RLIMITS);
        int r = begin_async(h) ?: target_set(h, by_fd, pid_or_fd, false, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) callback, deliver_list, userdata);
}

_public_ int resource1_list_rlimits_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid,
                                          Resource1ListHandler callback, void *userdata) {
        return list_async(h, ret_slot, false, pid, callback, userdata);
}

_public_ int resource1_list_rlimits_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd,
                                                Resource1ListHandler callback, void *userdata) {
        return list_async(h, ret_slot, true, pidfd, callback, userdata);
}

/* ---- getrusage: GetRusagePidfd, or GetRusage by number ---- */

static int make_getrusage(Resource1 *h, int who, size_t size, Request *q) {
        *q = request_by(M_GET_RUSAGE_PIDFD, M_GET_RUSAGE);
        q->usage_size = size;
        int r = check_who(h, who, &q->strings[0]);
        return r < 0 ? r : check_usage_size(h, size);
}

static int do_getrusage(Resource1 *h, bool by_fd, int pid_or_fd, int who, Resource1Usage *ret, size_t size) {
        Result res = {};
        Request q;

        begin(h);
        int r = make_getrusage(h, who, size, &q);
        if (r >= 0)
                r = check_arg(h, ret, "ret is NULL");
        /* For RUSAGE_THREAD a thread id names that thread: its pidfd is a thread's. */
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, who == RUSAGE_THREAD, false, &q);
        r = call_sync_done(h, r, &q, &res);
        if (r >= 0)
                usage_copy(ret, &res.usage, size);
        return r;
}

_public_ int resource1_getrusage(Resource1 *h, pid_t pid, int who, Resource1Usage *ret, size_t size) {
        return WITH_HANDLE(h, do_getrusage(h, false, pid, who, ret, size));
}

_public_ int resource1_getrusage_pidfd(Resource1 *h, int pidfd, int who, Resource1Usage *ret, size_t size) {
        return WITH_HANDLE(h, do_getrusage(h, true, pidfd, who, ret, size));
}

static int getrusage_async(Resource1 *h, Resource1Slot **ret_slot, bool by_fd, int pid_or_fd, int who, size_t size,
                           Resource1UsageHandler callback, void *userdata) {
        Request q = NO_REQUEST;
        int r = begin_async(h) ?: make_getrusage(h, who, size, &q);
        if (r >= 0)
                r = target_set(h, by_fd, pid_or_fd, who == RUSAGE_THREAD, true, &q);
        return start_async(h, ret_slot, r, &q, (SlotCallback) callback, deliver_usage, userdata);
}

_public_ int resource1_getrusage_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, int who, size_t size,
                                       Resource1UsageHandler callback, void *userdata) {
        return getrusage_async(h, ret_slot, false, pid, who, size, callback, userdata);
}

_public_ int resource1_getrusage_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, int who, size_t size,
                                             Resource1UsageHandler callback, void *userdata) {
        return getrusage_async(h, ret_slot, true, pidfd, who, size, callback, userdata);
}

/* ---- getpagesize, and the properties: about no process ---- */

static int do_pagesize(Resource1 *h, uint64_t *ret) {
        Request q = REQUEST(&members[M_PAGE_SIZE]);
        Result res = {};

        begin(h);
        int r = check_arg(h, ret, "ret is NULL");
        r = call_sync_done(h, r, &q, &res);
        if (r >= 0)
                *ret = res.u64;
        return r;
}

_public_ int resource1_getpagesize(Resource1 *h, uint64_t *ret) {
        return WITH_HANDLE(h, do_pagesize(h, ret));
}

_public_ int resource1_getpagesize_async(Resource1 *h, Resource1Slot **ret_slot, Resource1Uint64Handler callback,
                                         void *userdata) {
        Request q = REQUEST(&members[M_PAGE_SIZE]);
        return start_async(h, ret_slot, begin_async(h), &q, (SlotCallback) callback, deliver_u64, userdata);
}

/* ret: a bool, a char * or a char ** for the property's type b, s or as. */
static int do_property(Resource1 *h, int property, void *ret) {
        Request q = REQUEST(&members[property]);
        Result res = {};

        begin(h);
        int r = check_arg(h, ret, "ret is NULL");
        r = call_sync_done(h, r, &q, &res);
        if (r < 0)
                return r;
        switch (members[property].out[0]) {
        case 'b': *(bool *) ret = res.b; break;
        case 's': *(char **) ret = res.s; break;
        default:  *(char ***) ret = res.strv; break;
        }
        return 0;
}

_public_ int resource1_get_can_raise_hard_limits(Resource1 *h, bool *ret) {
        return WITH_HANDLE(h, do_property(h, M_CAN_RAISE_HARD_LIMITS, ret));
}

_public_ int resource1_get_version(Resource1 *h, char **ret) {
        return WITH_HANDLE(h, do_property(h, M_VERSION, ret));
}

_public_ int resource1_get_resources(Resource1 *h, char ***ret) {
        return WITH_HANDLE(h, do_property(h, M_RESOURCES, ret));
}

_public_ int resource1_get_can_raise_hard_limits_async(Resource1 *h, Resource1Slot **ret_slot,
                                                       Resource1BoolHandler callback, void *userdata) {
        Request q = REQUEST(&members[M_CAN_RAISE_HARD_LIMITS]);
        return start_async(h, ret_slot, begin_async(h), &q, (SlotCallback) callback, deliver_bool, userdata);
}

_public_ int resource1_get_version_async(Resource1 *h, Resource1Slot **ret_slot, Resource1StringHandler callback,
                                         void *userdata) {
        Request q = REQUEST(&members[M_VERSION]);
        return start_async(h, ret_slot, begin_async(h), &q, (SlotCallback) callback, deliver_string, userdata);
}

_public_ int resource1_get_resources_async(Resource1 *h, Resource1Slot **ret_slot, Resource1StrvHandler callback,
                                           void *userdata) {
        Request q = REQUEST(&members[M_RESOURCES]);
        return start_async(h, ret_slot, begin_async(h), &q, (SlotCallback) callback, deliver_strv, userdata);
}

/* ---- RlimitChanged ---- */

static int on_rlimit_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Request q = REQUEST(&members[M_RLIMIT_CHANGED]);
        Resource1Slot *s = userdata;
        Result res = {};

        if (read_reply(m, &q, &res) < 0)
                return 0;   /* not the signal the specification describes: ignored */
        if (!s->handle || !s->callback)
                return 0;

        int k = resource1_resource_from_name(res.changed.name);
        Resource1 *h = handle_ref(s->handle);
        slot_ref(s);
        ((Resource1RlimitChangedHandler) s->callback)(h, (pid_t) res.changed.pid, k < 0 ? -1 : k, res.changed.name,
                                                       &res.changed.old_limit, &res.changed.new_limit,
                                                       (uid_t) res.changed.uid, s->userdata);
        slot_unref(s);
        handle_unref(h);
        return 0;   /* other matches of the program's own may want it too */
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return 0;   /* a failure to install it leaves the connection as it is */
}

int subscription_add(Resource1Slot *s) {
        s->bus_slot = sd_bus_slot_unref(s->bus_slot);
        return sd_bus_match_signal_async(s->handle->conn.bus, &s->bus_slot, RESOURCE1_BUS_NAME, RESOURCE1_PATH,
                                         RESOURCE1_INTERFACE, members[M_RLIMIT_CHANGED].name, on_rlimit_changed,
                                         on_match_installed, s);
}

_public_ int resource1_subscribe_rlimit_changed(Resource1 *h, Resource1Slot **ret_slot,
                                                Resource1RlimitChangedHandler callback, void *userdata) {
        Resource1Slot *s = NULL;
        int r = begin_async(h);
        if (r < 0)
                return r;
        r = connect_or_fail(h);
        if (r < 0)
                return r;
        r = slot_new(h, SLOT_SUBSCRIPTION, userdata, &s);
        if (r < 0)
                return r;
        s->callback = (SlotCallback) callback;
        s->handle = h;
        r = subscription_add(s);
        s->handle = NULL;
        if (r < 0) {
                slot_unref(s);
                return failf(h, r, NULL, "cannot subscribe to RlimitChanged: %s", strerror(-r));
        }
        slot_give(h, s, ret_slot);
        return 0;
}
