/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* After a change was carried out by the daemon itself: is the target still
 * what the decision was made on, else the change is undone (change.c calls
 * these; the ids are checked before acting too). */
#include <errno.h>
#include <string.h>

#include "change-internal.h"
#include "errors.h"
#include "log.h"
#include "refusals.h"
#include "rlimits.h"

/* Puts old[] back for the first n limits applied, last first, where a limit
 * is still what this change set: only on the held target and only while it
 * is alive (target_prlimit), never on whatever now has its number. The
 * daemon does it, with its capabilities, because it made the change with
 * them: only privileged changes are ever undone. */
static const char *change_undo(const Change *ch, unsigned n, const struct rlimit old[]) {
        const char *outcome = n > 0 ? "nothing to undo: the limits are not the ones set" : "nothing was set";

        for (unsigned k = n; k-- > 0;) {
                struct rlimit all[RLIM_NLIMITS], now;
                unsigned i = ch->order[k];
                int res = ch->resources[i]->number;

                int r = limits_read_prlimit(ch->target.pid, res, all);
                if (r >= 0)
                        r = target_check_alive(&ch->target);
                if (r < 0)
                        return r == -ESRCH ? "nothing was undone: the process is gone" :
                               "it could not be checked, so it was not undone";
                if (all[res].rlim_cur != ch->new[i].rlim_cur || all[res].rlim_max != ch->new[i].rlim_max)
                        continue;
                r = target_prlimit(&ch->target, res, &old[i], &now);
                if (r == -ESRCH)
                        return "nothing more was undone: the process is gone";
                if (r < 0) {
                        log_refusal(&ch->context->refusals, ch->caller.account, LOG_WARNING,
                                    "Failed to undo %s of pid %d for uid %u: %s", ch->resources[i]->name,
                                    (int) ch->target.pid, (unsigned) ch->caller.uid, strerror(-r));
                        return "undoing it failed";
                }
                outcome = n > 1 ? "the limits set were restored" : "the change was undone";
        }
        return outcome;
}

int change_check_ids(const Change *ch, const ProcessIds *now, const char *when, const char *outcome,
                     sd_bus_error *error) {
        char was[96], is[96];

        if (process_ids_equal(now, &ch->target.ids))
                return 0;
        ids_str(&ch->target.ids, was);
        ids_str(now, is);
        return change_refuse(ch, error, RESOURCE1_ERROR_PERMISSION_DENIED,
                             "the process's ids changed while %s (%s, now %s); %s", when, was, is, outcome);
}

int change_verify(Change *ch, const struct rlimit old[], sd_bus_error *error) {
        ProcessIds now;

        int r = target_check_alive(&ch->target);
        if (r >= 0 && ch->caller.uid == 0)
                return 0;   /* root's decision does not depend on the target */
        if (r >= 0)
                r = target_read_ids(&ch->target, &now);
        if (r < 0)
                return change_refuse(ch, error, RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                     "the process exited while the change was made; nothing was undone");
        if (!process_ids_equal(&now, &ch->target.ids))
                return change_check_ids(ch, &now, "the change was made", change_undo(ch, ch->n, old), error);

        Decision d = decide_changes(&ch->caller, &now, old, ch->new, ch->n, NULL);
        if (!decision_covered(&d, ch->granted))
                return change_refuse(ch, error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                     "the process's limits changed meanwhile, so the change needed more than "
                                     "was authorized; %s", change_undo(ch, ch->n, old));
        return 0;
}

