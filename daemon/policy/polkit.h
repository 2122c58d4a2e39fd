/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "decide.h"
#include "id-name.h"
#include "resource1-names.h"

/* Asks polkitd, without blocking, whether the sender of "request" may do
 * action_id. details is a NULL-terminated key, value, key, value... list.
 * AllowUserInteraction is passed only when "interactive" and the request
 * allows interactive authorization (CanSetRlimits never asks a person, so it
 * passes false). cancel_id names the check for CancelCheckAuthorization
 * (unique for the daemon's life). There is no timeout: the caller keeps a
 * deadline and cancels (unreferencing the slot drops the callback).
 * "callback" receives polkitd's reply (or the error). */
int polkit_check_async(sd_bus *bus, sd_bus_message *request, const char *action_id,
                       const char *const *details, bool interactive, const char *cancel_id,
                       sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot);

/* Tells polkitd to drop a check nobody waits for any more (the caller left,
 * its deadline passed, the daemon stops), so that an authentication dialog
 * goes away and polkitd frees it. Fire and forget. */
int polkit_cancel(sd_bus *bus, const char *cancel_id);

typedef enum PolkitAnswer {
        POLKIT_AUTHORIZED,
        POLKIT_CHALLENGE,        /* authentication needed (and nobody could be asked) */
        POLKIT_NOT_AUTHORIZED,
} PolkitAnswer;

/* polkitd's answer in *ret; any failure to ask (polkitd absent, an error
 * reply, a malformed reply) sets error to PermissionDenied naming the
 * failure and returns a negative errno: fail closed. what: the change asked
 * for, to begin the error message with. */
int polkit_answer(sd_bus_message *reply, const char *action_id, const char *what, PolkitAnswer *ret,
                  sd_bus_error *error);

/* 0 when authorized; otherwise sets error and returns a negative errno:
 * not authorized gives PermissionDenied, a challenge gives
 * InteractiveAuthorizationRequired (saying that interaction was not allowed,
 * or, when interactive, that the check was sent allowing it, that no agent
 * answered). */
int polkit_refuse(PolkitAnswer answer, const char *action_id, bool interactive, const char *what,
                  sd_bus_error *error);

/* What polkit is told about a change of limits for one action.
 *
 * For rules: "pid"; "flatpak_app" when the caller is a Flatpak app;
 * "resources", the names of the limits that need the action (bit i of
 * "needing" for limit i), space-separated; "<NAME>.soft" and "<NAME>.hard"
 * for each; and when there is exactly one, also "resource", "soft" and
 * "hard", the keys of a single change, so that a rule written for one
 * resource decides a batch that needs the action for that resource alone,
 * and matches nothing (so grants nothing) when several need it. And
 * "batch.<NAME>.soft" and "batch.<NAME>.hard" for every limit of the call,
 * whether it needs the action or not, so that a rule can grant a raise only
 * in a batch that also lowers another limit (a lowering needs no action).
 *
 * For the action's message (policy/org.example.resource1.policy), which
 * polkit fills in by detail name and leaves "$(name)" in where a detail is
 * missing, the details that every check of every action carries: "pid";
 * "runs_as", the target's user and group ("user alice, group alice",
 * effective and saved ids in parentheses where they differ); and
 * "changes", what each limit needing the action becomes: for
 * raise-hard-limit its hard limit, "NOFILE from 4096 to 524288, ..."; for
 * manage-other both, "NOFILE soft 1024 hard 4096, ...". Only the service
 * writes them (names from its own table, numbers, "unlimited", names from
 * /etc/passwd and /etc/group as id-name.h allows), never a string of the
 * caller's (not flatpak_app, which a user can forge), and each is bounded. */
#define POLKIT_RUNS_AS_MAX 256  /* "group NAME (effective NAME, saved NAME)" twice and ", ": 249 */
#define POLKIT_CHANGE_MAX 80    /* ", SIGPENDING soft 18446744073709551614 hard 18446744073709551614": 64 */

typedef struct PolkitDetails {
        char pid[16], resources[RLIM_NLIMITS * 12];
        /* keys: NAME.soft, NAME.hard, batch.NAME.soft, batch.NAME.hard */
        char keys[RLIM_NLIMITS][4][24], values[RLIM_NLIMITS][2][24];
        char runs_as[POLKIT_RUNS_AS_MAX], changes[RLIM_NLIMITS * POLKIT_CHANGE_MAX];
        /* For polkit_check_async(): pid, flatpak_app, runs_as, resources,
         * changes, the three single-change keys, four per limit; and NULL. */
        const char *list[2 * (5 + 3 + 4 * RLIM_NLIMITS) + 1];
} PolkitDetails;

void polkit_details(PolkitDetails *d, AuthAction action, pid_t pid, const ProcessIds *ids, const char *flatpak_app,
                    const Resource1Rlimit *const resources[], const struct rlimit old[], const struct rlimit new[],
                    unsigned n, unsigned needing);
