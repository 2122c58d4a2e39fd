/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GetRusage and GetRusagePidfd: read → validate → authorize on the loop, the
 * reading itself on a worker (work.c), answered from the loop.
 *
 * The usage of a process other than the daemon comes from its /proc files
 * (stat, status, io, task/TID/status), and those can take as long as the
 * process makes them: the kernel formats them under the process's own locks
 * and memory references, so a read sleeps while the process execve()s and
 * closes descriptors holding many locks, or tears down a large address
 * space, and the files grow with its threads and groups. So every such read
 * runs on a worker, which holds no caller's ids; the pool runs one read per
 * account at a time, so a read that hangs delays only its own account's
 * next reads, and each read has a deadline after which its caller is
 * answered whatever the worker is doing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "account.h"
#include "context.h"
#include "decide.h"
#include "errors.h"
#include "log.h"
#include "target.h"
#include "refusals.h"
#include "usage.h"
#include "usage-call.h"
#include "util.h"
#include "work.h"

/* From the call on, so that reads queued behind one that hangs are answered
 * too; just below the clients' usual 25 s call timeout, so that the caller
 * hears why rather than a timeout of its own, and above what a dozen reads
 * of processes with 20,000 threads take, one after another, for one account. */
#define USAGE_DEADLINE_USEC (24ULL * 1000000)

typedef struct UsageRead {
        Work work;
        sd_bus_message *request;
        Target target;
        pid_t tid;
        Resource1Who who;
        bool check_dumpable;   /* not root: the process must stay dumpable */
        bool answered;         /* the deadline answered the caller already */
        sd_event_source *deadline;
        Usage usage;
        int r;
} UsageRead;

/* One a{sv} entry, field by field: sd_bus_message_append() would parse the
 * signature again for each of the 16, most of the call's cost. */
static int append_field(sd_bus_message *reply, const char *name, char type, const void *value) {
        const char contents[2] = { type, '\0' };
        int r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, 's', name);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', contents);
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, type, value);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int reply_usage(sd_bus_message *m, const Usage *u) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

        int r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = append_field(reply, resource1_rusage_fields[0].name, 'd', &u->utime);
        if (r >= 0)
                r = append_field(reply, resource1_rusage_fields[1].name, 'd', &u->stime);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(u->counters); i++)
                r = append_field(reply, resource1_rusage_fields[i + 2].name, 'x', &u->counters[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static void usage_read(UsageRead *u) {
        u->r = usage_get(u->target.pid, u->tid, u->who, &u->usage);
        if (u->r >= 0)
                u->r = target_check_alive(&u->target);
        /* It may have made itself non-dumpable while it was read: then the
         * caller is not told what it would not have been allowed to read. */
        if (u->r >= 0 && u->check_dumpable && target_is_dumpable(&u->target) == 0)
                u->r = -EACCES;
}

/* The reply, or when building it failed, the bare errno: every path answers. */
static void usage_answer(UsageRead *u) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char what[48];
        int r;

        if (u->r < 0) {
                snprintf(what, sizeof what, "usage of pid %d", (int) u->tid);
                r = error_from_errno(&error, u->r, what);
        } else {
                log_debug("GetRusage %s of pid %d", resource1_who_to_name(u->who), (int) u->tid);
                r = reply_usage(u->request, &u->usage);
        }
        reply_finish(u->request, r, &error);
        u->answered = true;
}

static UsageRead *usage_read_free(UsageRead *u) {
        sd_event_source_disable_unref(u->deadline);
        sd_bus_message_unref(u->request);
        target_done(&u->target);
        free(u);
        return NULL;
}

static void usage_read_freep(UsageRead **u) {
        if (*u)
                usage_read_free(*u);
}

static void usage_run(Work *w) {
        usage_read((UsageRead *) w);
}

static void usage_done(Work *w) {
        UsageRead *u = (UsageRead *) w;

        if (!u->answered) {
                if (w->cancelled)
                        (void) sd_bus_reply_method_errorf(u->request, RESOURCE1_ERROR_FAILED,
                                                          "usage of pid %d was not read: the service is "
                                                          "shutting down", (int) u->tid);
                else
                        usage_answer(u);
        }
        usage_read_free(u);
}

/* The worker is still reading (the process keeps its /proc files busy): the
 * caller is answered now, and the worker's result is dropped when it comes. */
static int on_usage_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        UsageRead *u = userdata;
        (void) s, (void) usec;

        if (!u->answered) {
                (void) sd_bus_reply_method_errorf(u->request, RESOURCE1_ERROR_FAILED,
                                                  "usage of pid %d: reading its /proc files did not finish "
                                                  "within %llu s (the process keeps them busy)", (int) u->tid,
                                                  USAGE_DEADLINE_USEC / 1000000);
                u->answered = true;
        }
        return 0;
}

int usage_start(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, const char *who_name,
                sd_bus_error *error) {
        _cleanup_(usage_read_freep) UsageRead *u = NULL;
        Resource1Who who;
        Caller caller;
        int r;

        if (resource1_who_from_name(who_name, &who) < 0)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_WHO,
                                         "invalid who parameter: '%s' (expected self, children, both or thread)",
                                         who_name);

        u = calloc(1, sizeof *u);
        if (!u)
                return -ENOMEM;
        *u = (UsageRead) {
                .work = { .run = usage_run, .done = usage_done },
                .request = sd_bus_message_ref(m),
                .target = TARGET_NULL,
                .who = who,
        };

        r = target_get(c, m, pid, pidfd, &u->target, &caller, error);
        if (r < 0)
                return r;
        u->tid = who == RESOURCE1_WHO_THREAD ? u->target.tid : u->target.pid;
        u->work.uid = caller.account;

        int dumpable = caller.uid == 0 ? 1 : target_is_dumpable(&u->target);
        if (dumpable < 0)
                return error_from_errno(error, dumpable, "usage");
        Decision d = decide_read_usage(&caller, &u->target.ids, dumpable);
        if (d.verdict != VERDICT_ALLOW) {
                /* The owner is named only where /proc shows it to the caller. */
                char owner[32] = "";
                if (!visibility_restricted(&c->visibility))
                        snprintf(owner, sizeof owner, " (uid %u)", (unsigned) u->target.ids.uid);
                r = sd_bus_error_setf(error, RESOURCE1_ERROR_PERMISSION_DENIED, "usage of pid %d%s for uid %u: %s",
                                      (int) u->target.pid, owner, (unsigned) caller.uid, d.reason);
                log_refusal(&c->refusals, caller.account, LOG_NOTICE, "Refused: %s", error->message);
                return r;
        }
        u->check_dumpable = caller.uid != 0;

        /* The daemon's own usage is getrusage(2): nothing of /proc is read. */
        if (u->target.pid == getpid()) {
                usage_read(u);
                usage_answer(u);
                return 1;
        }

        r = sd_event_add_time_relative(c->event, &u->deadline, CLOCK_MONOTONIC, USAGE_DEADLINE_USEC, 0,
                                       on_usage_deadline, u);
        if (r < 0)
                return r;
        r = work_submit(c->usage_pool, &u->work);
        if (r == -EAGAIN)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_LIMITS_EXCEEDED,
                                         "usage of pid %d: too many usage reads are in progress for uid %u "
                                         "already; try again once they are answered",
                                         (int) u->target.pid, (unsigned) caller.uid);
        if (r < 0)
                return r;
        TAKE_PTR(u);   /* the pool's until done */
        return 1;
}
