/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "act.h"
#include "caller.h"
#include "context.h"
#include "decide.h"
#include "errors.h"
#include "log.h"
#include "polkit.h"
#include "process.h"
#include "resource1-names.h"
#include "usage.h"
#include "util.h"

#ifndef PROJECT_VERSION
#define PROJECT_VERSION "0"
#endif

/* A change that is being authorized: everything needed to carry it out once
 * polkit has answered, gathered and validated before polkit was asked. */
struct Change {
        Context *context;
        Change *prev, *next;

        sd_bus_message *request;
        sd_bus_slot *polkit_slot;

        Caller caller;
        Target target;
        const Resource1Rlimit *resource;
        struct rlimit old, new;
        Decision decision;
        unsigned actions_left;      /* AuthAction bits polkit has yet to grant */
        AuthAction asking;
        bool reply_old;             /* Prlimit* reply the old limits; SetRlimit nothing */
        bool linked;                /* on context->changes, waiting for polkit */
};

static Change *change_free(Change *ch) {
        if (!ch)
                return NULL;

        if (ch->linked) {
                Context *c = ch->context;
                if (ch->prev)
                        ch->prev->next = ch->next;
                else if (c->changes == ch)
                        c->changes = ch->next;
                if (ch->next)
                        ch->next->prev = ch->prev;
                c->n_changes--;
                if (c->n_changes == 0 && c->exit_when_settled)
                        (void) sd_event_exit(c->event, 0);
        }

        /* Unreferencing the slot cancels a pending polkit reply callback. */
        sd_bus_slot_unref(ch->polkit_slot);
        sd_bus_message_unref(ch->request);
        target_done(&ch->target);
        free(ch);
        return NULL;
}

static void change_freep(Change **ch) {
        change_free(*ch);
}

static Change *change_new(sd_bus_message *request) {
        Change *ch = calloc(1, sizeof *ch);
        if (!ch)
                return NULL;
        ch->request = sd_bus_message_ref(request);
        ch->target = TARGET_NULL;
        return ch;
}

static const char *limit_str(rlim_t v, char buf[static 24]) {
        if (v == RLIM_INFINITY)
                return "infinity";
        snprintf(buf, 24, "%" PRIu64, (uint64_t) v);
        return buf;
}

static int resource_get(const char *name, const Resource1Rlimit **ret, sd_bus_error *error) {
        int r = resource1_rlimit_from_name(name, ret);
        if (r == -EOPNOTSUPP)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_RESOURCE,
                                         "resource '%s' is not available on this platform (Linux)", name);
        if (r < 0)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_RESOURCE,
                                         "invalid resource specified: '%s'", name);
        return 0;
}

static int read_nr_open(uint64_t *ret) {
        char buf[32];
        int r = proc_read_file(AT_FDCWD, "/proc/sys/fs/nr_open", buf, sizeof buf);
        if (r < 0)
                return r;
        *ret = strtoull(buf, NULL, 10);
        return 0;
}

/* What can be refused before anyone is asked: Python's ValueErrors. */
static int limits_validate(const Resource1Rlimit *res, uint64_t soft, uint64_t hard, sd_bus_error *error) {
        char a[24], b[24];

        if (soft > hard)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_LIMITS,
                                         "soft limit %s exceeds hard limit %s for %s",
                                         limit_str(soft, a), limit_str(hard, b), res->name);

        /* The kernel refuses this with EPERM, which would read as a lack of
         * privilege; it is a value out of range, whoever asks. */
        uint64_t nr_open;
        if (res->number == RLIMIT_NOFILE && read_nr_open(&nr_open) >= 0 && hard > nr_open)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_LIMITS,
                                         "hard limit %s for NOFILE exceeds the system-imposed limit fs.nr_open=%" PRIu64,
                                         limit_str(hard, a), nr_open);

        return 0;
}

/* pid 0 is the caller. ret_caller is asked for by decisions only; a plain
 * read of a named process needs neither the caller nor the target's ids. */
static int target_get(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, Target *ret, Caller *ret_caller,
                      sd_bus_error *error) {
        bool decide = ret_caller != NULL;
        Caller caller = { .uid = UID_INVALID, .gid = GID_INVALID };
        int r;

        if (decide || (pid == 0 && pidfd < 0)) {
                r = caller_get(&c->creds, m, decide, &caller, error);
                if (r < 0)
                        return r;
        }

        if (pidfd >= 0) {
                r = target_open_pidfd(pidfd, decide, ret);
                if (r == -EBADF)
                        return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED,
                                                 "the descriptor passed is not a pidfd: %s", strerror(EBADF));
                if (r < 0)
                        return error_from_errno(error, r, "the pidfd's process");
        } else {
                pid_t p = pid == 0 ? caller.pid : (pid_t) pid;
                if (pid > INT32_MAX)
                        return sd_bus_error_setf(error, RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                                 "no such process: pid %" PRIu32, pid);
                r = target_open_pid(p, decide, ret);
                if (r < 0) {
                        char what[48];
                        snprintf(what, sizeof what, "pid %d", (int) p);
                        return error_from_errno(error, r, what);
                }
        }

        if (ret_caller)
                *ret_caller = caller;
        return 0;
}

/* The limits are the target's only if it is still alive after reading them. */
static int read_limits_checked(const Target *t, struct rlimit ret[RLIM_NLIMITS], sd_bus_error *error) {
        struct rlimit all[RLIM_NLIMITS];
        char what[48];
        snprintf(what, sizeof what, "pid %d", (int) t->pid);

        int r = proc_read_limits(t->pid, all);
        if (r >= 0)
                r = target_check_alive(t);
        if (r < 0)
                return error_from_errno(error, r, what);

        memcpy(ret, all, sizeof all);
        return 0;
}

static int reply_limits(sd_bus_message *m, const struct rlimit *l) {
        return sd_bus_reply_method_return(m, "tt", (uint64_t) l->rlim_cur, (uint64_t) l->rlim_max);
}

static void change_describe(const Change *ch, char buf[static 128]) {
        char a[24], b[24];
        snprintf(buf, 128, "setting %s of pid %d to %s:%s", ch->resource->name, (int) ch->target.pid,
                 limit_str(ch->new.rlim_cur, a), limit_str(ch->new.rlim_max, b));
}

/* Every refusal of a change in one shape: "<what was asked>: <why>" as the
 * reply error, and the same line in the log at notice. Returns the error's
 * negative errno. */
static int change_refuse(const Change *ch, sd_bus_error *error, const char *name, const char *format, ...)
        __attribute__((format(printf, 4, 5)));
static int change_refuse(const Change *ch, sd_bus_error *error, const char *name, const char *format, ...) {
        char what[128], why[256];
        va_list ap;

        change_describe(ch, what);
        va_start(ap, format);
        vsnprintf(why, sizeof why, format, ap);
        va_end(ap);

        int r = sd_bus_error_setf(error, name, "%s: %s", what, why);
        log_notice("Refused for uid %u: %s", (unsigned) ch->caller.uid, error->message);
        return r;
}

/* Carries out an authorized change and replies (returns 1); on failure sets
 * error and returns a negative errno without having replied. */
static int change_run(Change *ch, sd_bus_error *error) {
        Context *c = ch->context;
        struct rlimit old;
        char what[128], a[24], b[24], x[24], y[24];
        int r;

        change_describe(ch, what);

        Act act = {
                .pid = ch->target.pid,
                .resource = ch->resource->number,
                .new = ch->new,
                .uid = ch->caller.uid == 0 ? UID_INVALID : ch->caller.uid,
                .gid = ch->caller.gid,
                .privileged = ch->decision.privileged,
        };

        /* The pid must still name the process that was authorized. */
        r = target_check_alive(&ch->target);
        if (r >= 0)
                r = act_prlimit(&act, &old);
        if (r >= 0)
                r = target_check_alive(&ch->target);

        if (r == -EINVAL)
                return change_refuse(ch, error, RESOURCE1_ERROR_INVALID_LIMITS,
                                     "the kernel refused the values as out of range");
        if (r == -EPERM)
                return change_refuse(ch, error, RESOURCE1_ERROR_PERMISSION_DENIED, "the kernel refused (%s)",
                                     have_cap_sys_resource() ? "operation not permitted" :
                                     "the service lacks CAP_SYS_RESOURCE");
        if (r < 0) {
                r = error_from_errno(error, r, what);
                log_notice("Refused for uid %u: %s", (unsigned) ch->caller.uid, error->message);
                return r;
        }

        log_info("uid %u (pid %d) set %s of pid %d from %s:%s to %s:%s", (unsigned) ch->caller.uid,
                 (int) ch->caller.pid,
                 ch->resource->name, (int) ch->target.pid,
                 limit_str(old.rlim_cur, a), limit_str(old.rlim_max, b),
                 limit_str(ch->new.rlim_cur, x), limit_str(ch->new.rlim_max, y));

        /* Signal first, so a caller that waits for the reply and then looks
         * for the signal finds it already queued. */
        r = sd_bus_emit_signal(c->bus, RESOURCE1_PATH, RESOURCE1_INTERFACE, "RlimitChanged", "usttu",
                               (uint32_t) ch->target.pid, ch->resource->name,
                               (uint64_t) ch->new.rlim_cur, (uint64_t) ch->new.rlim_max,
                               (uint32_t) ch->caller.uid);
        if (r < 0)
                log_warning_errno(r, "Failed to emit RlimitChanged");

        r = ch->reply_old ? reply_limits(ch->request, &old) : sd_bus_reply_method_return(ch->request, NULL);
        if (r < 0)
                return r;
        /* Positive: replied. 0 would make sd-bus look for another handler. */
        return 1;
}

static int polkit_ask_next(Change *ch);

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        (void) ret_error;
        _cleanup_(change_freep) Change *ch = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *action = auth_action_id(ch->asking);
        char what[128];
        int r;

        ch->polkit_slot = sd_bus_slot_unref(ch->polkit_slot);

        change_describe(ch, what);
        r = polkit_verdict(reply, action, what, &error);
        if (r >= 0) {
                ch->actions_left &= ~(unsigned) ch->asking;
                if (ch->actions_left != 0) {
                        r = polkit_ask_next(ch);
                        if (r >= 0) {
                                TAKE_PTR(ch);   /* waits for the next answer */
                                return 0;
                        }
                        r = change_refuse(ch, &error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                          "authorization could not be asked, so it is denied: %s", strerror(-r));
                } else
                        r = change_run(ch, &error);
        } else
                log_notice("Refused for uid %u: %s", (unsigned) ch->caller.uid, error.message);

        if (r < 0)
                (void) sd_bus_reply_method_error(ch->request, &error);
        return 0;
}

static int polkit_ask_next(Change *ch) {
        char pid[16], soft[24], hard[24];

        /* Lowest bit first: manage-other before raise-hard-limit. */
        ch->asking = (AuthAction) (ch->actions_left & -ch->actions_left);

        snprintf(pid, sizeof pid, "%d", (int) ch->target.pid);
        snprintf(soft, sizeof soft, "%" PRIu64, (uint64_t) ch->new.rlim_cur);
        snprintf(hard, sizeof hard, "%" PRIu64, (uint64_t) ch->new.rlim_max);
        const char *details[] = {
                "resource", ch->resource->name,
                "pid", pid,
                "soft", soft,
                "hard", hard,
                NULL,
        };

        return polkit_check_async(ch->context->bus, ch->request, auth_action_id(ch->asking), details,
                                  on_polkit_reply, ch, &ch->polkit_slot);
}

/* NameOwnerChanged with no new owner: a connection went away. Changes it
 * was waiting for are dropped unanswered; polkit's late reply then finds
 * nothing to act on (its slot goes with the change). */
static int on_disconnect(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        const char *name, *old_owner, *new_owner;
        (void) error;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || new_owner[0] != '\0' ||
            name[0] != ':')
                return 0;

        for (Change *ch = c->changes, *next; ch; ch = next) {
                next = ch->next;
                if (strcmp(sd_bus_message_get_sender(ch->request), name) != 0)
                        continue;
                log_notice("uid %u disconnected while setting %s of pid %d waited for polkit; nothing changed",
                           (unsigned) ch->caller.uid, ch->resource->name, (int) ch->target.pid);
                change_free(ch);
        }
        return 0;
}

/* Reads the current limits, decides, and either acts now or parks the change
 * until polkit answers. */
static int change_start(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, const char *name,
                        uint64_t soft, uint64_t hard, bool reply_old, sd_bus_error *error) {
        _cleanup_(change_freep) Change *ch = NULL;
        struct rlimit all[RLIM_NLIMITS];
        const Resource1Rlimit *res;
        int r;

        r = resource_get(name, &res, error);
        if (r < 0)
                return r;
        r = limits_validate(res, soft, hard, error);
        if (r < 0)
                return r;

        ch = change_new(m);
        if (!ch)
                return -ENOMEM;
        ch->resource = res;
        ch->new = (struct rlimit) { .rlim_cur = soft, .rlim_max = hard };
        ch->reply_old = reply_old;

        r = target_get(c, m, pid, pidfd, &ch->target, &ch->caller, error);
        if (r < 0)
                return r;

        r = read_limits_checked(&ch->target, all, error);
        if (r < 0)
                return r;
        ch->old = all[res->number];

        ch->context = c;
        ch->decision = decide_change(&ch->caller, &ch->target.ids, &ch->old, &ch->new);

        if (ch->decision.verdict == VERDICT_REFUSE)
                return change_refuse(ch, error,
                                     ch->decision.error == REFUSE_INVALID_LIMITS ?
                                     RESOURCE1_ERROR_INVALID_LIMITS : RESOURCE1_ERROR_PERMISSION_DENIED,
                                     "%s", ch->decision.reason);

        if (ch->decision.verdict == VERDICT_ALLOW)
                return change_run(ch, error);

        ch->actions_left = ch->decision.actions;

        /* Each waiting change holds a polkit check and some memory: bound them,
         * per uid so that one uid cannot crowd out the others. */
        unsigned mine = 0;
        for (Change *p = c->changes; p; p = p->next)
                mine += p->caller.uid == ch->caller.uid;
        bool uid_full = mine >= c->max_pending_per_uid;
        if (uid_full || c->n_changes >= c->max_pending)
                return change_refuse(ch, error, RESOURCE1_ERROR_LIMITS_EXCEEDED,
                                     "%u changes are waiting for authorization already (%s %u); "
                                     "try again once they are answered",
                                     uid_full ? mine : c->n_changes,
                                     uid_full ? "for this uid, at most" : "in all, at most",
                                     uid_full ? c->max_pending_per_uid : c->max_pending);

        r = polkit_ask_next(ch);
        if (r < 0)
                return change_refuse(ch, error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                     "authorization could not be asked, so it is denied: %s", strerror(-r));

        ch->linked = true;
        ch->next = c->changes;
        if (c->changes)
                c->changes->prev = ch;
        c->changes = ch;
        c->n_changes++;
        TAKE_PTR(ch);
        return 1;
}

/* The limits of pid (0: the caller), or of the pidfd's process: one
 * resource, or all when resource is -1. */
static int limits_of(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, int resource,
                     struct rlimit ret[RLIM_NLIMITS], pid_t *ret_pid, sd_bus_error *error) {
        _cleanup_(target_done) Target t = TARGET_NULL;
        Caller caller;
        int r;

        /* A pidfd names its process by a pid that has to be checked again
         * after reading; a pid is simply asked about. */
        if (pidfd >= 0) {
                r = target_get(c, m, 0, pidfd, &t, NULL, error);
                if (r >= 0)
                        r = read_limits_checked(&t, ret, error);
                if (r >= 0)
                        *ret_pid = t.pid;
                return r;
        }

        if (pid > INT32_MAX)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_NO_SUCH_PROCESS, "no such process: pid %" PRIu32, pid);
        if (pid == 0) {
                r = caller_get(&c->creds, m, false, &caller, error);
                if (r < 0)
                        return r;
                pid = (uint32_t) caller.pid;
        }

        r = read_limits((pid_t) pid, resource, ret);
        if (r < 0) {
                char what[48];
                snprintf(what, sizeof what, "pid %" PRIu32, pid);
                return error_from_errno(error, r, what);
        }
        *ret_pid = (pid_t) pid;
        return 0;
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
        r = limits_of(c, m, pid, pidfd, res->number, all, &p, error);
        if (r < 0)
                return r;

        log_debug("%s %s of pid %d", sd_bus_message_get_member(m), res->name, (int) p);
        return reply_limits(m, &all[res->number]);
}

static int method_get_rlimit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;

        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        return limit_get(userdata, m, 0, -1, name, error);
}

static int method_set_rlimit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        uint64_t soft, hard;

        int r = sd_bus_message_read(m, "stt", &name, &soft, &hard);
        if (r < 0)
                return r;
        return change_start(userdata, m, 0, -1, name, soft, hard, false, error);
}

static int method_prlimit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        uint32_t pid;
        int set;
        uint64_t soft, hard;

        int r = sd_bus_message_read(m, "usbtt", &pid, &name, &set, &soft, &hard);
        if (r < 0)
                return r;
        if (!set)
                return limit_get(userdata, m, pid, -1, name, error);
        return change_start(userdata, m, pid, -1, name, soft, hard, true, error);
}

static int method_prlimit_pidfd(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        int fd, set;
        uint64_t soft, hard;

        int r = sd_bus_message_read(m, "hsbtt", &fd, &name, &set, &soft, &hard);
        if (r < 0)
                return r;
        if (!set)
                return limit_get(userdata, m, 0, fd, name, error);
        return change_start(userdata, m, 0, fd, name, soft, hard, true, error);
}

/* For "thread", pid names a thread (0: the caller's main thread); find the
 * process it belongs to, which is what ownership and pinning apply to. */
static int thread_group_of(uint32_t tid, pid_t *ret, sd_bus_error *error) {
        char path[32];
        ProcStatus s;

        if (tid > INT32_MAX)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                         "no such thread: %" PRIu32, tid);
        snprintf(path, sizeof path, "/proc/%d", (int) tid);
        int r = proc_read_status(AT_FDCWD, path, &s);
        if (r < 0) {
                char what[32];
                snprintf(what, sizeof what, "thread %d", (int) tid);
                return error_from_errno(error, r, what);
        }
        *ret = s.tgid;
        return 0;
}

static int method_get_rusage(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(target_done) Target t = TARGET_NULL;
        const char *who_name;
        Resource1Who who;
        Caller caller;
        uint32_t pid;
        pid_t tid = 0;
        Usage u;
        int r;

        r = sd_bus_message_read(m, "us", &pid, &who_name);
        if (r < 0)
                return r;
        if (resource1_who_from_name(who_name, &who) < 0)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_INVALID_WHO,
                                         "invalid who parameter: '%s' (expected self, children, both or thread)",
                                         who_name);

        uint32_t process = pid;
        if (who == RESOURCE1_WHO_THREAD && pid != 0) {
                pid_t tgid = 0;
                r = thread_group_of(pid, &tgid, error);
                if (r < 0)
                        return r;
                tid = (pid_t) pid;
                process = (uint32_t) tgid;
        }

        r = target_get(userdata, m, process, -1, &t, &caller, error);
        if (r < 0)
                return r;
        if (tid == 0)
                tid = t.pid;   /* the main thread's id is the process's */

        Decision d = decide_read_usage(&caller, &t.ids);
        if (d.verdict != VERDICT_ALLOW) {
                r = sd_bus_error_setf(error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                      "usage of pid %d (uid %u) for uid %u: %s", (int) t.pid,
                                      (unsigned) t.ids.uid, (unsigned) caller.uid, d.reason);
                log_notice("Refused: %s", error->message);
                return r;
        }

        char what[48];
        snprintf(what, sizeof what, "usage of pid %d", (int) tid);
        r = usage_get(t.pid, tid, who, &t.status, &u);
        if (r >= 0)
                r = target_check_alive(&t);
        if (r < 0)
                return error_from_errno(error, r, what);

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "{sv}{sv}",
                                  resource1_rusage_fields[0].name, "d", u.utime,
                                  resource1_rusage_fields[1].name, "d", u.stime);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(u.counters); i++) {
                r = sd_bus_message_append(reply, "{sv}", resource1_rusage_fields[i + 2].name, "x", u.counters[i]);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        log_debug("GetRusage %s of pid %d", resource1_who_to_name(who), (int) tid);
        return sd_bus_send(NULL, reply, NULL);
}

static int method_page_size(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) userdata, (void) error;
        return sd_bus_reply_method_return(m, "t", (uint64_t) sysconf(_SC_PAGESIZE));
}

static int method_list_rlimits(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct rlimit all[RLIM_NLIMITS];
        uint32_t pid;
        pid_t p;
        int r;

        r = sd_bus_message_read(m, "u", &pid);
        if (r < 0)
                return r;
        r = limits_of(userdata, m, pid, -1, -1, all, &p, error);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(stt)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                r = sd_bus_message_append(reply, "(stt)", resource1_rlimits[i].name,
                                          (uint64_t) all[i].rlim_cur, (uint64_t) all[i].rlim_max);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        log_debug("ListRlimits of pid %d", (int) p);
        return sd_bus_send(NULL, reply, NULL);
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

        SD_BUS_SIGNAL_WITH_ARGS("RlimitChanged",
                                SD_BUS_ARGS("u", pid, "s", resource, "t", soft, "t", hard, "u", caller_uid),
                                0),

        SD_BUS_VTABLE_END
};

int manager_attach(Context *c) {
        /* One match for the daemon's life rather than one per pending change:
         * a per-change match would cost two more bus messages on every gated
         * call. It is installed before any check can be asked, so a caller
         * that leaves later is always seen. */
        int r = sd_bus_add_match(c->bus, &c->disconnect_slot,
                                 "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                 "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg2=''",
                                 on_disconnect, c);
        if (r < 0)
                return r;
        return sd_bus_add_object_vtable(c->bus, &c->vtable_slot, RESOURCE1_PATH, RESOURCE1_INTERFACE,
                                        resource1_vtable, c);
}

void manager_abort_changes(Context *c, const char *why) {
        while (c->changes) {
                Change *ch = c->changes;
                (void) sd_bus_reply_method_errorf(ch->request, RESOURCE1_ERROR_FAILED,
                                                  "setting %s of pid %d was not carried out: %s",
                                                  ch->resource->name, (int) ch->target.pid, why);
                change_free(ch);
        }
}
