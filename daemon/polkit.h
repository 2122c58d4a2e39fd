/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

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
 * InteractiveAuthorizationRequired, and any failure to ask
 * (polkitd absent, an error reply, a malformed reply) PermissionDenied
 * naming the failure: fail closed.
 * what: the change asked for, to begin the error message with. */
int polkit_verdict(sd_bus_message *reply, const char *action_id, const char *what, sd_bus_error *error);
