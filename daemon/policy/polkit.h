/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "resource1-names.h"

/* Asks polkitd, without blocking, whether the sender of "request" may do
 * action_id. details is a NULL-terminated key, value, key, value... list.
 * AllowUserInteraction is passed only when the request allows interactive
 * authorization. cancel_id names the check for CancelCheckAuthorization
 * (unique for the daemon's life). There is no timeout: the caller keeps a
 * deadline and cancels (unreferencing the slot drops the callback).
 * "callback" receives polkitd's reply (or the error). */
int polkit_check_async(sd_bus *bus, sd_bus_message *request, const char *action_id,
                       const char *const *details, const char *cancel_id,
                       sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot);

/* Tells polkitd to drop a check nobody waits for any more (the caller left,
 * its deadline passed, the daemon stops), so that an authentication dialog
 * goes away and polkitd frees it. Fire and forget. */
int polkit_cancel(sd_bus *bus, const char *cancel_id);

/* 0 when authorized; otherwise sets error and returns a negative errno:
 * not authorized gives PermissionDenied, a challenge gives
 * InteractiveAuthorizationRequired (saying that interaction was not allowed,
 * or, when interactive, that the check was sent allowing it, that no agent
 * answered), and any failure to ask (polkitd absent, an error reply, a
 * malformed reply) PermissionDenied naming the failure: fail closed.
 * what: the change asked for, to begin the error message with. */
int polkit_verdict(sd_bus_message *reply, const char *action_id, bool interactive, const char *what,
                   sd_bus_error *error);

/* What polkit is told about a change of limits for one action: "pid";
 * "resources", the names of the limits that need the action (bit i of
 * "needing" for limit i), space-separated; "<NAME>.soft" and "<NAME>.hard"
 * for each; and when there is exactly one, also "resource", "soft" and
 * "hard", the keys of a single change, so that a rule written for one
 * resource decides a batch that needs the action for that resource alone,
 * and matches nothing (so grants nothing) when several need it. */
typedef struct PolkitDetails {
        char pid[16], resources[RLIM_NLIMITS * 12];
        char keys[RLIM_NLIMITS][2][24], values[RLIM_NLIMITS][2][24];
        const char *list[2 * (3 + 3 + 2 * RLIM_NLIMITS) + 1];   /* for polkit_check_async() */
} PolkitDetails;

void polkit_details(PolkitDetails *d, pid_t pid, const char *flatpak_app, const Resource1Rlimit *const resources[],
                    const struct rlimit new[], unsigned n, unsigned needing);
