/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The change pipeline: one state machine per change, read top to bottom.
 *
 *   change_start     read → validate → pin the target → read its ids and limits → decide
 *                      refused: reply
 *                      allowed: act
 *                      ask:     ASKING, one polkit action at a time, each with a deadline
 *   on_polkit_reply  all granted: recheck (same ids; the limits now need no more than
 *                    was granted) → act
 *   change_act       root's beyond its own ids, or polkit-granted: the daemon itself, then verify
 *                    anything else: ACTING, a process with the caller's ids (act.c)
 *   on_acted         verify
 *   change_verify    the target still alive with the same ids, else undo (change-verify.c)
 *   change_finish    log, RlimitChanged, reply
 *
 * A dry run (CanSetRlimits) takes the same steps up to acting: polkit is
 * asked without interaction and about every action needed, whatever it
 * answered for the one before, and change_answer() replies where a change
 * would act (change_go).
 *
 * Every change in progress (ASKING or ACTING) is on context->changes and
 * counts against the per-account and total bounds (which never refuse root's);
 * leaving either state without a reply is impossible except for a caller
 * that disconnected. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act.h"
#include "change.h"
#include "change-internal.h"
#include "errors.h"
#include "log.h"
#include "polkit.h"
#include "rate.h"
#include "refusals.h"
#include "rlimits.h"
#include "util.h"

/* An acting process that has not finished by then was stopped (by the
 * caller: it may signal it) or starved; it is killed and its request fails. */
#define ACT_DEADLINE_USEC (5ULL * 1000000)

static bool change_linked(const Change *ch) {
        return ch->state != CHANGE_NEW;
}

static void change_link(Change *ch, ChangeState state) {
        Context *c = ch->context;
        if (!change_linked(ch)) {
                LIST_PREPEND(c->changes, ch);
                c->n_changes++;
        }
        ch->state = state;
}

static Change *change_free(Change *ch) {
        if (!ch)
                return NULL;

        if (change_linked(ch)) {
                Context *c = ch->context;
                LIST_REMOVE(c->changes, ch);
                c->n_changes--;
                if (c->n_changes == 0 && c->exit_when_settled)
                        (void) sd_event_exit(c->event, 0);
        }

        /* Unreferencing the slot drops a pending polkit reply callback. */
        sd_bus_slot_unref(ch->polkit_slot);
        sd_event_source_disable_unref(ch->polkit_deadline);
        act_free(ch->acting);
        sd_bus_message_unref(ch->request);
        target_done(&ch->target);
        free(ch);
        return NULL;
}

static void change_freep(Change **ch) {
        change_free(*ch);
}

/* How acting went, by the daemon or the acting process: verified and
 * answered (returns the reply's result), or refused with error set. */
static int change_acted(Change *ch, const ActResult *res, sd_bus_error *error) {
        struct rlimit old[RLIM_NLIMITS];
        char which[48] = "";

        /* The result is in the order applied; the rest in the caller's. */
        for (unsigned k = 0; res->reported && k < res->applied; k++)
                old[ch->order[k]] = res->old[k];

        if (!res->reported) {
                /* What it did before it was stopped it did with the caller's
                 * own ids: the kernel allowed it, and nothing is repaired
                 * with the daemon's privileges, nor done by number again. */
                const char *stays = "whatever it had set stays, as the kernel allowed it with the caller's own ids";
                if (res->timed_out)
                        return change_refuse(ch, error, RESOURCE1_ERROR_FAILED,
                                             "the process acting for the caller did not finish within %llu s "
                                             "(stopped?) and was killed; %s", ACT_DEADLINE_USEC / 1000000, stays);
                return change_refuse(ch, error, RESOURCE1_ERROR_FAILED,
                                     "the process acting for the caller was killed (%s); %s",
                                     res->signal ? strsignal(res->signal) : "unknown cause", stays);
        }

        if (res->not_caller)
                return change_refuse(ch, error, RESOURCE1_ERROR_FAILED,
                                     "the process acting for the caller could not take the caller's ids and drop "
                                     "every capability (%s); nothing was set", strerror(-res->r));

        if (res->r < 0) {
                char after[128] = "";
                if (ch->n > 1) {
                        snprintf(which, sizeof which, " %s", ch->resources[ch->order[res->applied]]->name);
                        snprintf(after, sizeof after, "; %s", res->applied == 0 ? "nothing was set" :
                                 res->restored ? "the limits set were restored" :
                                 "the limits set could not all be restored");
                }
                return change_refuse_errno(ch, error, res->r, ch->decision.privileged, which, after);
        }

        if (ch->decision.privileged) {
                int r = change_verify(ch, old, error);
                if (r < 0)
                        return r;
        } else if (target_check_alive(&ch->target) < 0)
                /* Made with the caller's ids, on its number, which only the
                 * caller's own processes can have taken: nothing to undo. */
                return change_refuse(ch, error, RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                     "the process exited while the change was made");
        return change_finish(ch, old);
}

static void on_acted(const ActResult *res, void *userdata) {
        _cleanup_(change_freep) Change *ch = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        reply_finish(ch->request, change_acted(ch, res, &error), &error);
}

/* ---- acting ------------------------------------------------------------- */

static bool change_is_noop(const Change *ch) {
        for (unsigned i = 0; i < ch->n; i++)
                if (ch->new[i].rlim_cur != ch->old[i].rlim_cur || ch->new[i].rlim_max != ch->old[i].rlim_max)
                        return false;
        return true;
}

/* Returns 1 when ch has been answered and freed, or handed to its acting
 * process; a negative errno with error set (ch untouched) otherwise. */
static int change_act(Change *ch, sd_bus_error *error) {
        Context *c = ch->context;
        uint64_t wait;
        bool global;
        int r;

        /* Limits the process has already (as read just now) are no change:
         * answered as one, without acting, a signal or an audit line, so
         * that they cost nobody's log anything. */
        if (change_is_noop(ch)) {
                r = change_reply(ch, ch->old);
                if (r < 0)
                        return r;
                change_free(ch);
                return 1;
        }

        uint64_t now = 0;
        (void) sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (change_rate_take(&c->rate, ch->caller.account, ch->n, now, &wait, &global) < 0) {
                /* Counted for the summary line instead of logged one by one. */
                char what[DESCRIBE_MAX];
                change_describe(ch, what);
                return sd_bus_error_setf(error, RESOURCE1_ERROR_LIMITS_EXCEEDED,
                                         "%s: %s over the rate limit of changes (%u at once, then %u a second%s); "
                                         "try again in %.1f s", what,
                                         global ? "the service's users together are" : "this user is",
                                         global ? GLOBAL_RATE_BURST : ACCOUNT_RATE_BURST,
                                         global ? GLOBAL_RATE_PER_SEC : ACCOUNT_RATE_PER_SEC,
                                         global ? ", for all users together" : "",
                                         (double) wait / 1e6 + 0.05);
        }

        /* The target was found alive just now, after its limits were read
         * (change_start, change_recheck); the privileged act checks it
         * again around every prlimit(2). */
        ActRequest req = {
                .pid = ch->target.pid,
                .n = ch->n,
                .uid = ch->caller.uid,
                .gid = ch->caller.gid,
        };
        for (unsigned k = 0; k < ch->n; k++) {
                req.resources[k] = ch->resources[ch->order[k]]->number;
                req.new[k] = ch->new[ch->order[k]];
        }

        if (ch->decision.privileged) {
                ActResult res;
                act_privileged_all(&ch->target, &req, &res);
                r = change_acted(ch, &res, error);
                if (r < 0)
                        return r;
                change_free(ch);
                return 1;
        }

        r = act_as_caller(c->event, &req, ACT_DEADLINE_USEC, on_acted, ch, &ch->acting);
        if (r < 0)
                return change_refuse(ch, error, RESOURCE1_ERROR_FAILED,
                                     "the process to act as the caller could not be started: %s", strerror(-r));
        change_link(ch, CHANGE_ACTING);
        return 1;
}

/* After polkit: the decision was made on the target's ids and limits as they
 * were when it was asked, which may be long ago. */
static int change_recheck(Change *ch, sd_bus_error *error) {
        struct rlimit all[RLIM_NLIMITS];
        ProcessIds now;

        int r = target_read_ids(&ch->target, &now);
        if (r < 0)
                return change_refuse_errno(ch, error, r, false, "", " (it exited while authorization was pending)");
        r = change_check_ids(ch, &now, "authorization was pending", "nothing changed", error);
        if (r < 0)
                return r;

        r = limits_read_target(&ch->target, all, error);
        if (r < 0)
                return r;
        struct rlimit old[RLIM_NLIMITS];
        for (unsigned i = 0; i < ch->n; i++)
                old[i] = all[ch->resources[i]->number];
        Decision d = decide_changes(&ch->caller, &now, old, ch->new, ch->n, NULL);
        if (!decision_covered(&d, ch->granted))
                return change_refuse(ch, error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                     "the process's limits changed while authorization was pending, so the "
                                     "change now needs more than was authorized; nothing changed");
        memcpy(ch->old, old, sizeof old);
        return 0;
}

/* ---- asking polkit ------------------------------------------------------ */

static int polkit_ask_next(Change *ch);

static bool change_dry(const Change *ch) {
        return ch->reply == CHANGE_REPLY_CAN;
}

/* Whether polkit may ask a person: never for a dry run. */
static bool change_interactive(const Change *ch) {
        return !change_dry(ch) && sd_bus_message_get_allow_interactive_authorization(ch->request) > 0;
}

static unsigned change_asked(const Change *ch) {
        return ch->granted | ch->polkit.challenged | ch->polkit.refused;
}

/* Where a change is allowed (or all polkit could say was said): a change
 * acts, a dry run answers. Returns 1 when ch has been answered and freed,
 * or handed to its acting process; a negative errno with error set (ch
 * untouched) otherwise. */
static int change_go(Change *ch, sd_bus_error *error) {
        if (!change_dry(ch))
                return change_act(ch, error);
        int r = change_answer(ch);
        if (r < 0)
                return r;
        change_free(ch);
        return 1;
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(change_freep) Change *ch = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *action = auth_action_id(ch->asking);
        char what[DESCRIBE_MAX];
        PolkitAnswer answer;
        int r;
        (void) ret_error;

        ch->polkit_slot = sd_bus_slot_unref(ch->polkit_slot);
        ch->polkit_deadline = sd_event_source_disable_unref(ch->polkit_deadline);

        change_describe(ch, what);
        r = polkit_answer(reply, action, what, &answer, &error);
        /* A dry run takes any answer polkit gave as its answer. */
        if (r >= 0 && !change_dry(ch))
                r = polkit_refuse(answer, action, change_interactive(ch), what, &error);
        if (r < 0) {
                log_refusal(&ch->context->refusals, ch->caller.account, LOG_NOTICE, "Refused for uid %u: %s",
                            (unsigned) ch->caller.uid, error.message);
                reply_finish(ch->request, r, &error);
                return 0;
        }

        if (answer == POLKIT_AUTHORIZED)
                ch->granted |= ch->asking;
        else if (answer == POLKIT_CHALLENGE)
                ch->polkit.challenged |= ch->asking;
        else
                ch->polkit.refused |= ch->asking;
        if (ch->decision.actions & ~change_asked(ch)) {
                r = polkit_ask_next(ch);
                if (r >= 0) {
                        TAKE_PTR(ch);   /* waits for the next answer */
                        return 0;
                }
                r = change_refuse(ch, &error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                  "authorization could not be asked, so it is denied: %s", strerror(-r));
        } else {
                /* A dry run answers what holds now: it rests on nothing
                 * that needs checking again. */
                r = change_dry(ch) ? 0 : change_recheck(ch, &error);
                if (r >= 0)
                        r = change_go(ch, &error);
                if (r >= 0) {
                        TAKE_PTR(ch);   /* freed, or owned by its acting process */
                        return 0;
                }
        }

        reply_finish(ch->request, r, &error);
        return 0;
}

/* polkit did not answer in time: the caller (whose own call timeout is
 * longer) is told so now, and polkitd, which may still be asking a person,
 * that nobody waits. Never acting after a caller gave up is the point. */
static int on_polkit_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        _cleanup_(change_freep) Change *ch = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        Context *c = ch->context;
        (void) s, (void) usec;

        (void) polkit_cancel(c->bus, ch->cancel_id);
        uint64_t t = change_interactive(ch) ? c->polkit_interactive_timeout_usec : c->polkit_timeout_usec;
        (void) change_refuse(ch, &error, RESOURCE1_ERROR_PERMISSION_DENIED,
                             "authorization for %s timed out after %llu s without an answer from polkit, "
                             "so it is denied; nothing changed", auth_action_id(ch->asking),
                             (unsigned long long) (t / 1000000));
        (void) sd_bus_reply_method_error(ch->request, &error);
        return 0;
}

/* Each action is asked once for the whole change. */
static int polkit_ask_next(Change *ch) {
        Context *c = ch->context;
        PolkitDetails details;

        /* Lowest bit first: manage-other before raise-hard-limit. */
        unsigned left = ch->decision.actions & ~change_asked(ch);
        ch->asking = (AuthAction) (left & -left);
        polkit_details(&details, ch->asking, ch->target.pid, &ch->target.ids, ch->caller.flatpak_app, ch->resources,
                       ch->old, ch->new, ch->n,
                       limits_needing(&ch->caller, &ch->target.ids, ch->old, ch->new, ch->n, ch->asking));

        /* Unique for the daemon's life (polkitd refuses an id in use), and
         * across restarts through the pid. */
        snprintf(ch->cancel_id, sizeof ch->cancel_id, "resource1d-%d-%" PRIu64, (int) getpid(),
                 ++c->checks_asked);

        bool interactive = change_interactive(ch);
        uint64_t timeout = interactive ? c->polkit_interactive_timeout_usec : c->polkit_timeout_usec;
        int r = polkit_check_async(c->bus, ch->request, auth_action_id(ch->asking), details.list, interactive,
                                   ch->cancel_id, on_polkit_reply, ch, &ch->polkit_slot);
        if (r < 0)
                return r;
        return sd_event_add_time_relative(c->event, &ch->polkit_deadline, CLOCK_MONOTONIC, timeout, 0,
                                          on_polkit_deadline, ch);
}

/* Each change in progress holds a polkit check or a process, and memory:
 * bound them, per account so that one cannot crowd out the others. */
static int change_check_bounds(Change *ch, sd_bus_error *error) {
        Context *c = ch->context;
        unsigned mine = 0;

        for (Change *p = c->changes; p; p = p->next)
                mine += p->caller.account == ch->caller.account;
        bool uid_full = mine >= c->max_pending_per_uid;
        if (uid_full || c->n_changes >= c->max_pending)
                return change_refuse(ch, error, RESOURCE1_ERROR_LIMITS_EXCEEDED,
                                     "%u changes are in progress already (%s %u); "
                                     "try again once they are answered",
                                     uid_full ? mine : c->n_changes,
                                     uid_full ? "for this uid, at most" : "in all, at most",
                                     uid_full ? c->max_pending_per_uid : c->max_pending);
        return 0;
}

/* ---- the start ---------------------------------------------------------- */

int change_start(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, const ChangeLimit *limits,
                 size_t n_limits, ChangeReply reply, sd_bus_error *error) {
        _cleanup_(change_freep) Change *ch = NULL;
        struct rlimit all[RLIM_NLIMITS];
        size_t refused = 0;
        int r;

        ch = calloc(1, sizeof *ch);
        if (!ch)
                return -ENOMEM;
        ch->context = c;
        ch->request = sd_bus_message_ref(m);
        ch->target = TARGET_NULL;
        ch->reply = reply;

        r = limits_parse(limits, n_limits, ch->resources, ch->new, change_dry(ch) ? &ch->beyond : NULL, error);
        if (r < 0)
                return r;
        ch->n = (unsigned) n_limits;
        r = target_get(c, m, pid, pidfd, &ch->target, &ch->caller, error);
        if (r < 0)
                return r;
        if (ch->caller.account == ACCOUNT_UNKNOWN)
                return change_refuse(ch, error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                     "the process that opened the caller's connection (pid %d) is gone or no "
                                     "longer the caller's, so the change could be charged to no one's budget; "
                                     "call from a connection of a live process", (int) ch->caller.pid);
        r = limits_read_target(&ch->target, all, error);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < ch->n; i++)
                ch->old[i] = all[ch->resources[i]->number];
        apply_order(ch->old, ch->new, ch->n, ch->order);

        ch->decision = decide_changes(&ch->caller, &ch->target.ids, ch->old, ch->new, ch->n, &refused);
        switch (ch->decision.verdict) {
        case VERDICT_REFUSE:
                return change_refuse(ch, error,
                                     ch->decision.error == REFUSE_INVALID_LIMITS ?
                                     RESOURCE1_ERROR_INVALID_LIMITS : RESOURCE1_ERROR_PERMISSION_DENIED,
                                     "%s%s%s", ch->n > 1 ? ch->resources[refused]->name : "",
                                     ch->n > 1 ? ": " : "", ch->decision.reason);

        case VERDICT_ALLOW:
                /* Root's privileged one is done at once, by the daemon;
                 * anyone else's by a process of its own, which counts
                 * against the bounds, as root's does not (and a dry run
                 * meets the bounds its change would). */
                if (!ch->decision.privileged && ch->caller.uid != 0) {
                        r = change_check_bounds(ch, error);
                        if (r < 0)
                                return r;
                }
                r = change_go(ch, error);
                if (r >= 0)
                        TAKE_PTR(ch);   /* freed, or owned by its acting process */
                return r;

        case VERDICT_ASK:
                r = change_check_bounds(ch, error);
                if (r < 0)
                        return r;
                r = polkit_ask_next(ch);
                if (r < 0)
                        return change_refuse(ch, error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                             "authorization could not be asked, so it is denied: %s", strerror(-r));
                change_link(ch, CHANGE_ASKING);
                TAKE_PTR(ch);
                return 1;
        }
        return -EINVAL;
}

/* ---- callers that leave, and the daemon stopping ------------------------ */

/* NameOwnerChanged with no new owner: a connection went away. Its changes
 * waiting for polkit are dropped unanswered and their checks cancelled; one
 * being carried out finishes (its reply then goes nowhere). Only the bus
 * itself can send as org.freedesktop.DBus: a match rule does not keep out
 * signals sent straight to the daemon, so the sender is checked here. */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        const char *name, *old_owner, *new_owner;
        const char *sender = sd_bus_message_get_sender(m);
        (void) error;

        if (!sender || strcmp(sender, "org.freedesktop.DBus") != 0)
                return 0;
        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || new_owner[0] != '\0' ||
            name[0] != ':')
                return 0;

        for (Change *ch = c->changes, *next; ch; ch = next) {
                next = ch->next;
                if (ch->state != CHANGE_ASKING || strcmp(sd_bus_message_get_sender(ch->request), name) != 0)
                        continue;
                char what[DESCRIBE_MAX];
                change_describe(ch, what);
                log_refusal(&c->refusals, ch->caller.account, LOG_NOTICE,
                            "uid %u disconnected while %s waited for polkit; nothing changed",
                            (unsigned) ch->caller.uid, what);
                (void) polkit_cancel(c->bus, ch->cancel_id);
                change_free(ch);
        }
        return 0;
}

int changes_attach(Context *c) {
        /* One match for the daemon's life rather than one per change: a
         * per-change match would cost two more bus messages on every gated
         * call. It is installed before any check can be asked, so a caller
         * that leaves later is always seen. */
        return sd_bus_add_match(c->bus, &c->disconnect_slot,
                                "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg2=''",
                                on_name_owner_changed, c);
}

void changes_abort(Context *c, const char *why) {
        while (c->changes) {
                Change *ch = c->changes;

                if (ch->state == CHANGE_ACTING) {
                        /* Ended here and now, and answered as it went. */
                        ActResult res;
                        act_stop(ch->acting, &res);
                        on_acted(&res, ch);
                        continue;
                }

                char what[DESCRIBE_MAX];
                change_describe(ch, what);
                (void) polkit_cancel(c->bus, ch->cancel_id);
                (void) sd_bus_reply_method_errorf(ch->request, RESOURCE1_ERROR_FAILED,
                                                  "%s was not carried out: %s", what, why);
                change_free(ch);
        }
}
