/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a change says: its description, its refusals, its audit lines, its
 * signals and its reply; and a dry run's answers. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "act.h"
#include "change-internal.h"
#include "errors.h"
#include "log.h"
#include "refusals.h"
#include "rlimits.h"
#include "util.h"
#include "visibility.h"

void change_describe(const Change *ch, char buf[static DESCRIBE_MAX]) {
        const char *dry = ch->reply == CHANGE_REPLY_CAN ? "dry run of " : "";
        char a[24], b[24];
        size_t k = 0;

        if (ch->n == 1) {
                snprintf(buf, DESCRIBE_MAX, "%ssetting %s of pid %d to %s:%s", dry, ch->resources[0]->name,
                         (int) ch->target.pid, limit_str(ch->new[0].rlim_cur, a), limit_str(ch->new[0].rlim_max, b));
                return;
        }
        k += (size_t) snprintf(buf, DESCRIBE_MAX, "%ssetting", dry);
        for (unsigned i = 0; i < ch->n && k < DESCRIBE_MAX; i++)
                k += (size_t) snprintf(buf + k, DESCRIBE_MAX - k, "%s %s to %s:%s", i ? "," : "",
                                       ch->resources[i]->name, limit_str(ch->new[i].rlim_cur, a),
                                       limit_str(ch->new[i].rlim_max, b));
        if (k < DESCRIBE_MAX)
                snprintf(buf + k, DESCRIBE_MAX - k, " of pid %d", (int) ch->target.pid);
}

int change_refuse(const Change *ch, sd_bus_error *error, const char *name, const char *format, ...) {
        char what[DESCRIBE_MAX], why[512];
        va_list ap;

        change_describe(ch, what);
        va_start(ap, format);
        vsnprintf(why, sizeof why, format, ap);
        va_end(ap);

        int r = sd_bus_error_setf(error, name, "%s: %s", what, why);
        log_refusal(&ch->context->refusals, ch->caller.account, LOG_NOTICE, "Refused for uid %u: %s",
                    (unsigned) ch->caller.uid, error->message);
        return r;
}

int change_refuse_errno(const Change *ch, sd_bus_error *error, int r, bool privileged, const char *which,
                        const char *after) {
        switch (-r) {
        case EINVAL:
                return change_refuse(ch, error, RESOURCE1_ERROR_INVALID_LIMITS,
                                     "the kernel refused the values%s as out of range%s", which, after);
        case EPERM:
                /* What the daemon did with its privilege was already allowed
                 * (by polkit, or root asked): refused for want of the
                 * capability, that is the service's fault, not the caller's.
                 * The acting process has the caller's ids: its refusal is the
                 * caller's own. */
                if (privileged && !have_cap_sys_resource())
                        return change_refuse(ch, error, RESOURCE1_ERROR_SERVICE_LACKS_CAPABILITY,
                                             "the kernel refused%s (the service lacks CAP_SYS_RESOURCE)%s",
                                             which, after);
                return change_refuse(ch, error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                     "the kernel refused%s (operation not permitted%s)%s", which,
                                     privileged ? "" : " to the caller", after);
        case ESRCH:
                return change_refuse(ch, error, RESOURCE1_ERROR_NO_SUCH_PROCESS, "no such process%s", after);
        default:
                return change_refuse(ch, error, RESOURCE1_ERROR_FAILED, "%s%s%s", strerror(-r), which, after);
        }
}

void ids_str(const ProcessIds *ids, char buf[static 96]) {
        snprintf(buf, 96, "uids %u/%u/%u gids %u/%u/%u", (unsigned) ids->uid, (unsigned) ids->euid,
                 (unsigned) ids->suid, (unsigned) ids->gid, (unsigned) ids->egid, (unsigned) ids->sgid);
}

int change_reply(const Change *ch, const struct rlimit old[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

        switch (ch->reply) {
        case CHANGE_REPLY_NOTHING:
                return sd_bus_reply_method_return(ch->request, NULL);
        case CHANGE_REPLY_OLD:
                return sd_bus_reply_method_return(ch->request, "tt", (uint64_t) old[0].rlim_cur,
                                                  (uint64_t) old[0].rlim_max);
        case CHANGE_REPLY_OLD_ALL:
                break;
        case CHANGE_REPLY_CAN:
                return -EINVAL;   /* answered by change_answer() */
        }

        int r = sd_bus_message_new_method_return(ch->request, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(stt)");
        for (unsigned i = 0; r >= 0 && i < ch->n; i++)
                r = sd_bus_message_append(reply, "(stt)", ch->resources[i]->name, (uint64_t) old[i].rlim_cur,
                                          (uint64_t) old[i].rlim_max);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        return r;
}

/* One RlimitChanged: broadcast, or, while /proc hides processes from other
 * users (hidepid=), sent to the caller alone: a broadcast would tell every
 * client of the bus about a process /proc hides from it. */
static int emit_changed(Change *ch, unsigned i, const struct rlimit *old) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        Context *c = ch->context;
        uint32_t pid = (uint32_t) ch->target.pid, uid = (uint32_t) ch->caller.uid;
        uint64_t v[4] = { old->rlim_cur, old->rlim_max, ch->new[i].rlim_cur, ch->new[i].rlim_max };

        int r = sd_bus_message_new_signal(c->bus, &m, RESOURCE1_PATH, RESOURCE1_INTERFACE, "RlimitChanged");
        if (r >= 0 && visibility_restricted(&c->visibility))
                r = sd_bus_message_set_destination(m, sd_bus_message_get_sender(ch->request));
        if (r >= 0)
                r = sd_bus_message_append_basic(m, 'u', &pid);
        if (r >= 0)
                r = sd_bus_message_append_basic(m, 's', ch->resources[i]->name);
        for (unsigned k = 0; r >= 0 && k < 4; k++)
                r = sd_bus_message_append_basic(m, 't', &v[k]);
        if (r >= 0)
                r = sd_bus_message_append_basic(m, 'u', &uid);
        if (r >= 0)
                r = sd_bus_send(NULL, m, NULL);
        return r;
}

int change_finish(Change *ch, const struct rlimit old[]) {
        char a[24], b[24], x[24], y[24];

        for (unsigned i = 0; i < ch->n; i++) {
                /* The audit line of a change carried out: never dropped;
                 * their rate is bounded before acting (rate.h). */
                log_info("uid %u (pid %d) set %s of pid %d from %s:%s to %s:%s", (unsigned) ch->caller.uid,
                         (int) ch->caller.pid, ch->resources[i]->name, (int) ch->target.pid,
                         limit_str(old[i].rlim_cur, a), limit_str(old[i].rlim_max, b),
                         limit_str(ch->new[i].rlim_cur, x), limit_str(ch->new[i].rlim_max, y));

                /* A limit set to what it already was (one of a batch, or
                 * one another change made so meanwhile) is no change:
                 * RlimitChanged says only what changed. A change that was
                 * nothing but such limits when read never gets here
                 * (change_act). */
                if (old[i].rlim_cur == ch->new[i].rlim_cur && old[i].rlim_max == ch->new[i].rlim_max)
                        continue;

                /* Signals first, so a caller that waits for the reply and
                 * then looks for them finds them already queued. */
                int r = emit_changed(ch, i, &old[i]);
                if (r < 0)
                        log_warning_errno(r, "Failed to emit RlimitChanged");
        }
        return change_reply(ch, old);
}

int change_answer(const Change *ch) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Answer answers[RLIM_NLIMITS];
        AuthAction actions[RLIM_NLIMITS];
        /* The kernel checks the service's real ids against the target's
         * (prlimit(2)) where it lacks CAP_SYS_RESOURCE, read now: the
         * answer is about now. */
        const ServicePower service = {
                .self = { .uid = getuid(), .gid = getgid() },
                .cap_sys_resource = have_cap_sys_resource(),
        };

        Answer all = answer_changes(&ch->caller, &ch->target.ids, ch->old, ch->new, ch->n, ch->beyond, &ch->polkit,
                                    &service, answers, actions);

        int r = sd_bus_message_new_method_return(ch->request, &reply);
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, 's', answer_str(all));
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sss)");
        for (unsigned i = 0; r >= 0 && i < ch->n; i++)
                r = sd_bus_message_append(reply, "(sss)", ch->resources[i]->name, answer_str(answers[i]),
                                          actions[i] ? auth_action_id(actions[i]) : "");
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        char what[DESCRIBE_MAX];
        change_describe(ch, what);
        log_debug("uid %u: %s: %s", (unsigned) ch->caller.uid, what, answer_str(all));
        return sd_bus_send(NULL, reply, NULL);
}
